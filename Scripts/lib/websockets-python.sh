# Sourced by the scripts whose Python snippets talk to zmes over a websocket
# (zoneminder-e2e.sh, package-test.sh).
#
# websockets_python LOG: prints the path of a python3 that can `import websockets`.
# When none can, it installs Debian's python3-websockets (apt-get; a fresh Debian 12
# has no pip) and, only where apt has none, pip's websockets. Debian's module belongs
# to /usr/bin/python3, which need not be the first python3 on PATH (pyenv). The
# installers' output goes to LOG. Returns 1 when no interpreter can import it.
websockets_python() {
    local log=$1 python
    : >"$log"
    for python in "$(command -v python3 || true)" /usr/bin/python3; do
        [[ -x $python ]] && "$python" -c 'import websockets' 2>/dev/null && { echo "$python"; return 0; }
    done
    echo "installing python3-websockets (apt-get)" >&2
    if timeout 300 apt-get install -y -qq --no-install-recommends python3-websockets >>"$log" 2>&1 ||
        { timeout 300 apt-get update -qq && timeout 300 apt-get install -y -qq --no-install-recommends python3-websockets; } >>"$log" 2>&1; then
        /usr/bin/python3 -c 'import websockets' 2>/dev/null && { echo /usr/bin/python3; return 0; }
    fi
    python=$(command -v python3) && "$python" -m pip --version >/dev/null 2>&1 || return 1
    echo "apt-get gave no python3-websockets; installing websockets with pip" >&2
    timeout 300 "$python" -m pip install -q websockets >>"$log" 2>&1 ||
        timeout 300 "$python" -m pip install -q --break-system-packages websockets >>"$log" 2>&1 || return 1
    "$python" -c 'import websockets' 2>/dev/null && echo "$python"
}
