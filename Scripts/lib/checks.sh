# Sourced by the scripts that print one PASS/FAIL line per check (zoneminder-e2e.sh,
# package-test.sh). A script defines cleanup(), which ends with `end_checks "$rc"`,
# and calls `trap_checks "what a TERM means"` before its first check.
PASSED=0
FAILED=0
SKIPPED=0

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
skip() { SKIPPED=1; echo "SKIP: $*"; exit 0; }
die() {
    FAILED=$((FAILED + 1))
    echo "ERROR: $*"
    exit 2
}
pass() { PASSED=$((PASSED + 1)); echo "PASS: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
# Prints the last lines of a log file to stderr, for failure messages.
show_tail() {
    local file=$1 lines=${2:-30}
    if [[ -s $file ]]; then
        echo "---- last $lines lines of $file ----" >&2
        tail -n "$lines" "$file" >&2 || true
        echo "----" >&2
    fi
}
alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }
# Sends TERM to a pid, waits up to $2 seconds, then KILL.
stop_pid() {
    local pid=$1 wait_s=${2:-10} i
    alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < wait_s * 10; i++)); do
        alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
# Runs cleanup on exit; an interrupt, or a TERM ($1 says what sends one), is a failure.
trap_checks() {
    trap cleanup EXIT
    trap 'FAILED=$((FAILED + 1)); echo "ERROR: interrupted"; exit 130' INT
    trap "FAILED=\$((FAILED + 1)); echo 'ERROR: terminated ($1)'; exit 143" TERM
}
# The summary is the last line of every run that was not skipped.
end_checks() {
    ((SKIPPED)) || echo "$PASSED passed, $FAILED failed"
    exit "$1"
}
