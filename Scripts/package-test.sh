#!/usr/bin/env bash
# Install test of the Debian package, on this machine (as root; CI runs it from .ci/run).
#
#   sudo Scripts/package-test.sh [zmes_VERSION_ARCH.deb]
#
# Without an argument it builds the package first (Scripts/package-deb.sh). Then:
# dpkg -i; checks the installed files, their owners and modes, the zmes user and
# the unit (systemd-analyze verify, where installed); runs `zmes --version` and
# `zmes check-config` as installed; starts the unit's ExecStart as the zmes user
# (not through systemd: a CI machine has none) on free loopback ports; adds a
# user with `zmes user add`, logs a websocket client in over TLS (the self-signed
# certificate zmes made in /var/lib/zmes) and checks that an alarm sent with
# `zmes alarm` reaches it; stops zmes by its pid; then `dpkg -r` (the conffile
# and the user stay) and `dpkg -P` (nothing stays).
#
# It refuses to run where zmes is installed, or a zmes user, /etc/zmes or
# /var/lib/zmes exists: purging would remove them.
#
# Prints `PASS: ...` / `FAIL: ...` per check (`ERROR: ...` for a setup error) and
# last `N passed, M failed`. Exits 0 if all passed, 1 if a check failed, 2 on a
# setup error. Not root, or no dpkg: one `SKIP: ...` line, exit 0.
# Whatever happens, the package is purged and zmes stopped on exit.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEB=${1:-}
UNIT=/lib/systemd/system/zmes.service
CONFIG=/etc/zmes/zmes.yml
STATE=/var/lib/zmes
export DEBIAN_FRONTEND=noninteractive

# shellcheck source=lib/checks.sh
source "$REPO/Scripts/lib/checks.sh"
TMP=""
ZMES_PID=""
INSTALLED=0

check() { # DESCRIPTION COMMAND...: PASS or FAIL by the command's status
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
package_state() { dpkg-query -W -f='${db:Status-Status}' zmes 2>/dev/null || true; }
# Runs a command as the zmes user in its state directory, as the unit does (umask 0077, zmes:zmes
# and www-data), on this test's ports. It execs: call it in a subshell, `(as_zmes ...) &` or `$(as_zmes ...)`.
as_zmes() {
    cd "$STATE" && umask 0077 && exec setpriv --reuid=zmes --regid=zmes --init-groups -- env HOME="$STATE" \
        ZMES_SERVER_ADDRESS=127.0.0.1 ZMES_SERVER_PORT="$WS_PORT" ZMES_ADMIN_PORT="$ADMIN_PORT" "$@"
}

cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    stop_pid "$ZMES_PID" 10
    if ((INSTALLED)) && [[ -n $(package_state) && $(package_state) != not-installed ]]; then
        log "purging the package left installed"
        dpkg -P zmes >>"$TMP/dpkg.log" 2>&1 || show_tail "$TMP/dpkg.log" 10
    fi
    if [[ -n $TMP && -d $TMP ]]; then
        if ((rc != 0)); then log "logs kept in $TMP"; else rm -rf "$TMP"; fi
    fi
    end_checks "$rc"
}
trap_checks "a signal"

# ---------------------------------------------------------------- setup
[[ $(id -u) -eq 0 ]] || skip "must run as root (installs and purges the zmes package)"
command -v dpkg >/dev/null 2>&1 || skip "dpkg not found (this test needs Debian or Ubuntu)"
for tool in setpriv ldd getent; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done
if [[ -n $(package_state) && $(package_state) != not-installed ]]; then
    die "the zmes package is installed here ($(package_state)); this test would purge it: dpkg -P zmes first"
fi
for path in /etc/zmes "$STATE" /usr/bin/zmes "$UNIT"; do
    [[ ! -e $path ]] || die "$path exists (not from the package); this test would remove or replace it"
done
getent passwd zmes >/dev/null && die "a zmes user exists; purging the package would delete it"
getent group zmes >/dev/null && die "a zmes group exists; purging the package would delete it"

TMP=$(mktemp -d /tmp/zmes-package-test.XXXXXX)
if [[ -z $DEB ]]; then
    log "building the package (Scripts/package-deb.sh)"
    DEB=$(bash "$REPO/Scripts/package-deb.sh" "$TMP" | tail -n 1) || die "Scripts/package-deb.sh failed"
fi
[[ -f $DEB ]] || die "no package at '$DEB'"
DEB_VERSION=$(dpkg-deb -f "$DEB" Version)

# shellcheck source=lib/websockets-python.sh
source "$REPO/Scripts/lib/websockets-python.sh"
PYTHON=$(websockets_python "$TMP/websockets.log") ||
    { show_tail "$TMP/websockets.log" 10; die "no python3 can import websockets (apt-get install python3-websockets failed)"; }
read -r WS_PORT ADMIN_PORT < <("$PYTHON" - <<'PY'
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
PY
)

# ---------------------------------------------------------------- install
log "dpkg -i $DEB"
INSTALLED=1
if dpkg -i "$DEB" >"$TMP/dpkg.log" 2>&1 && [[ $(package_state) == installed ]]; then
    pass "dpkg -i installed zmes $DEB_VERSION ($(dpkg-deb -f "$DEB" Depends))"
else
    show_tail "$TMP/dpkg.log" 20
    die "dpkg -i $DEB failed (state: $(package_state))"
fi

mode_is() { [[ $(stat -c '%a %U:%G' "$1" 2>/dev/null) == "$2" ]]; }
check "/usr/bin/zmes is 755 root:root" mode_is /usr/bin/zmes "755 root:root"
check "$CONFIG is 640 root:zmes (it holds secrets; zmes reads it)" mode_is "$CONFIG" "640 root:zmes"
check "/etc/zmes is 750 root:zmes" mode_is /etc/zmes "750 root:zmes"
check "$STATE is 700 zmes:zmes" mode_is "$STATE" "700 zmes:zmes"
check "$UNIT is installed" mode_is "$UNIT" "644 root:root"
check "$CONFIG is a conffile" grep -q "^ $CONFIG " <<<"$(dpkg-query -W -f='${Conffiles}\n' zmes)"
check "$CONFIG keeps the store in $STATE" grep -q "^  path: $STATE/zmes.sqlite" "$CONFIG"
user_ok() {
    local uid groups shell
    uid=$(id -u zmes) && groups=" $(id -nG zmes) " && shell=$(getent passwd zmes | cut -d: -f7) &&
        ((uid < 1000)) && [[ $groups == *" zmes "* && $groups == *" www-data "* && $shell == */nologin ]]
}
check "system user zmes (uid $(id -u zmes 2>/dev/null), groups: $(id -nG zmes 2>/dev/null), shell nologin)" user_ok
libs=$(ldd /usr/bin/zmes 2>&1 || true)
check "ldd /usr/bin/zmes names no Swift runtime library" eval '! grep -qE "libswift|libFoundation|libdispatch|not found" <<<"$libs"'

version=$(/usr/bin/zmes --version 2>&1 || true)
if [[ -n $version && $DEB_VERSION == "$version" || $DEB_VERSION == "$version+"* ]]; then
    pass "zmes --version prints $version (package $DEB_VERSION)"
else
    fail "zmes --version printed '$(head -n 1 <<<"$version")'; the package is $DEB_VERSION"
fi
if (cd / && setpriv --reuid=zmes --regid=zmes --init-groups -- /usr/bin/zmes check-config) >"$TMP/check-config.txt" 2>&1 &&
    grep -qx "# configuration: $CONFIG" "$TMP/check-config.txt" && grep -q "$STATE/zmes.sqlite" "$TMP/check-config.txt"; then
    pass "zmes check-config as the zmes user reads $CONFIG (store $STATE/zmes.sqlite)"
else
    show_tail "$TMP/check-config.txt" 20
    fail "zmes check-config as the zmes user did not read $CONFIG"
fi
if command -v systemd-analyze >/dev/null 2>&1; then
    if systemd-analyze verify "$UNIT" >"$TMP/verify.txt" 2>&1 && ! grep -q zmes.service "$TMP/verify.txt"; then
        pass "systemd-analyze verify $UNIT"
    else
        show_tail "$TMP/verify.txt" 10
        fail "systemd-analyze verify $UNIT complained"
    fi
else
    log "systemd-analyze not installed: the unit is not verified"
fi

# ---------------------------------------------------------------- serve
read -r -a exec_start < <(sed -n 's/^ExecStart=//p' "$UNIT")
[[ ${exec_start[0]:-} == /usr/bin/zmes ]] || die "the unit's ExecStart is '${exec_start[*]}', not /usr/bin/zmes ..."
log "starting '${exec_start[*]}' as zmes (websocket 127.0.0.1:$WS_PORT, admin 127.0.0.1:$ADMIN_PORT)"
(as_zmes "${exec_start[@]}") >"$TMP/zmes.log" 2>&1 &
ZMES_PID=$!
for i in $(seq 1 120); do
    "$PYTHON" -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
        "http://127.0.0.1:$ADMIN_PORT/healthz" >/dev/null 2>&1 && break
    alive "$ZMES_PID" || { show_tail "$TMP/zmes.log"; die "zmes serve exited at startup"; }
    ((i == 120)) && { show_tail "$TMP/zmes.log"; die "zmes admin /healthz did not answer within 60 s"; }
    sleep 0.5
done
owner=$(ps -o user= -p "$ZMES_PID" | tr -d ' ')
files=$(find "$STATE" -mindepth 1 -not -user zmes -printf '%p ' 2>/dev/null)
if [[ $owner == zmes && -s $STATE/zmes.sqlite && -s $STATE/zmes-cert.pem && -z $files ]]; then
    pass "zmes serve runs as zmes (pid $ZMES_PID); $STATE holds its store and TLS pair, all owned by zmes"
else
    fail "zmes serve runs as '$owner'; $STATE: $(ls -l "$STATE" | tr '\n' ';'); not owned by zmes: ${files:-none}"
fi

if grep -q "^Created user 'admin' with password " "$TMP/zmes.log"; then
    pass "the first start created user admin and printed its password (the journal's line, under systemd)"
else
    show_tail "$TMP/zmes.log" 10
    fail "the first start printed no \"Created user 'admin' with password\" line"
fi

PASSWORD=pkg-test-$RANDOM$RANDOM
if out=$(as_zmes /usr/bin/zmes user add pkgtest --monitors 7 --password-stdin <<<"$PASSWORD" 2>&1) &&
    [[ $out == "created user pkgtest" ]]; then
    pass "zmes user add pkgtest --monitors 7: $out"
else
    fail "zmes user add pkgtest failed: $out"
fi

# Logs in over wss (trusting the certificate zmes made), then runs `zmes alarm` and waits 10 s for it.
cat >"$TMP/client.py" <<'PY'
import asyncio, json, ssl, subprocess, sys
import websockets

async def main(url, cafile, user, password, alarm_command):
    tls = ssl.create_default_context(cafile=cafile)
    async with websockets.connect(url, ssl=tls, open_timeout=10, ping_interval=None) as ws:
        await ws.send(json.dumps({"event": "auth", "token": "",
                                  "data": {"user": user, "password": password, "appversion": "package-test"}}))
        reply = await asyncio.wait_for(ws.recv(), 10)
        print("login " + reply, flush=True)
        if json.loads(reply).get("status") != "Success":
            return 1
        sent = await asyncio.to_thread(subprocess.run, alarm_command, capture_output=True, text=True, timeout=30)
        print("zmes alarm: exit %d %s%s" % (sent.returncode, sent.stdout.strip(), sent.stderr.strip()), flush=True)
        try:
            async with asyncio.timeout(10):
                async for msg in ws:
                    if json.loads(msg).get("event") == "alarm":
                        print("alarm " + msg, flush=True)
                        return 0
        except TimeoutError:
            print("alarm none within 10 s", flush=True)
        return 1

url, cafile, user, password = sys.argv[1:5]
sys.exit(asyncio.run(main(url, cafile, user, password, sys.argv[5:])))
PY
EVENT_ID=$((900000 + RANDOM))
timeout 60 "$PYTHON" "$TMP/client.py" "wss://127.0.0.1:$WS_PORT/" "$STATE/zmes-cert.pem" pkgtest "$PASSWORD" \
    env ZMES_ADMIN_PORT="$ADMIN_PORT" /usr/bin/zmes alarm --config "$CONFIG" --monitor 7 --event "$EVENT_ID" --name PkgTest --cause "package test" \
    >"$TMP/client.txt" 2>&1 || true
login=$(sed -n 's/^login //p' "$TMP/client.txt")
alarm=$(sed -n 's/^alarm //p' "$TMP/client.txt")
if [[ $login == *'"status":"Success"'* ]]; then
    pass "websocket login as pkgtest over wss://127.0.0.1:$WS_PORT: $login"
else
    show_tail "$TMP/client.txt" 10
    fail "websocket login as pkgtest did not succeed: ${login:-no reply}"
fi
if [[ $alarm == *"\"EventId\":\"$EVENT_ID\""* && $alarm == *'"Name":"PkgTest"'* ]]; then
    pass "zmes alarm reached the websocket client: $alarm"
else
    show_tail "$TMP/client.txt" 10
    fail "the alarm of event $EVENT_ID did not reach the websocket client: ${alarm:-nothing}"
fi

log "stopping zmes (SIGTERM to pid $ZMES_PID)"
kill -TERM "$ZMES_PID"
status=""
for _ in $(seq 1 300); do
    alive "$ZMES_PID" || { status=0; wait "$ZMES_PID" || status=$?; break; }
    sleep 0.1
done
if [[ $status == 0 ]]; then
    pass "zmes stopped on SIGTERM with exit 0"
else
    show_tail "$TMP/zmes.log"
    fail "zmes did not stop cleanly on SIGTERM within 30 s (exit ${status:-still running})"
fi
ZMES_PID=""

# ---------------------------------------------------------------- remove, purge
gone() { local p; for p in "$@"; do [[ ! -e $p ]] || return 1; done; }
if dpkg -r zmes >>"$TMP/dpkg.log" 2>&1 && [[ $(package_state) == config-files ]] &&
    gone /usr/bin/zmes "$UNIT" /usr/share/doc/zmes && [[ -f $CONFIG ]] && getent passwd zmes >/dev/null; then
    pass "dpkg -r removed the binary, unit and docs, and kept $CONFIG and the zmes user"
else
    show_tail "$TMP/dpkg.log" 10
    fail "dpkg -r: state $(package_state); left: $(ls -d /usr/bin/zmes "$UNIT" /usr/share/doc/zmes 2>/dev/null | tr '\n' ' ' || true)"
fi
if dpkg -P zmes >>"$TMP/dpkg.log" 2>&1 && [[ -z $(package_state) || $(package_state) == not-installed ]]; then
    pass "dpkg -P purged zmes"
else
    show_tail "$TMP/dpkg.log" 10
    fail "dpkg -P zmes: state $(package_state)"
fi
INSTALLED=0
left=$(ls -d /usr/bin/zmes /etc/zmes "$STATE" "$UNIT" /usr/share/doc/zmes 2>/dev/null | tr '\n' ' ' || true)
check "no files left after the purge${left:+ (left: $left)}" gone /usr/bin/zmes /etc/zmes "$STATE" "$UNIT" /usr/share/doc/zmes
check "no zmes user or group left, and www-data has no zmes member" \
    eval '! getent passwd zmes >/dev/null && ! getent group zmes >/dev/null && [[ ,$(getent group www-data | cut -d: -f4), != *,zmes,* ]]'

((FAILED == 0)) || exit 1
exit 0
