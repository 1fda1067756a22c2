#!/usr/bin/env bash
# End-to-end test of zmes against a real ZoneMinder 1.36 (Debian 12 packages).
#
#   sudo Scripts/zoneminder-e2e.sh
#
# Installs ZoneMinder + MariaDB (apt), starts MariaDB and ZoneMinder without
# systemd, creates a camera-less monitor (Id 1, Ffmpeg reading a local
# smptebars video), builds and starts `zmes serve` with the ZoneMinder
# shared-memory source enabled, connects a websocket client, forces an alarm
# with zmu and checks that the client gets the start and end notifications
# with the event id ZoneMinder wrote to MariaDB. A second monitor (Id 2,
# Mocord, 75 s sections) checks that recorded sections are no alarm and that
# each alarm inside a section is one start and one end naming that section.
# Last, it forces an alarm on monitor 1, restarts zmes while it lasts and
# checks that its end arrives exactly once.
#
# Pictures (issue 13): ZoneMinder's web interface and API run under nginx and
# php-fpm (Scripts/lib/zoneminder-web.sh) with ZoneMinder's auth on; zmes
# serves pictures (pictures.enabled, TLS with its generated certificate) and
# pushes go to an HTTPS stand-in for the zmNinja proxy. The push of the forced
# alarm must link a picture that returns ZoneMinder's own JPEG, hold no
# password or token, and its link tampered or expired must get 403
# (Scripts/lib/e2e_pictures.py).
#
# Needs root, Debian 12 (ZoneMinder 1.36), network access to the Debian
# mirror for the first run (about 700 MB). If the packages cannot be
# installed it prints one `SKIP: ...` line and exits 0.
#
# Prints `PASS: ...` / `FAIL: ...` per check (`ERROR: ...` for a setup error,
# counted as a failure) and, after stopping everything, a last line
# `N passed, M failed`. Exits 0 if all passed, 1 if a check failed, 2 on a
# setup error, 143 at the deadline.
#
# Environment:
#   ZMES_E2E_KEEP=1           keep the temp dir (logs, video, zmes.yml) after exit
#   ZMES_E2E_FORCE=1          overwrite a monitor 1 that is not ours (name != ZMTest)
#   ZMES_E2E_NO_BUILD=1       do not run `swift build`, use .build/debug/zmes as is
#   ZMES_E2E_BUILD_TIMEOUT    seconds for `swift build` (default 1800; it waits for
#                             another build holding the .build lock)
#   ZMES_E2E_DEADLINE         seconds for the whole run (default 2700)
# (ZMES_E2E_CA is set by the script itself for its websocket clients.)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MONITOR_ID=1
MONITOR_NAME=ZMTest
MOCORD_ID=2
MOCORD_NAME=ZMMocord
SECTION_SECONDS=75
WIDTH=320
HEIGHT=240
FPS=5
VIDEO_SECONDS=3600
SHM_DIR=/dev/shm
SHM_FILE=$SHM_DIR/zm.mmap.$MONITOR_ID
MOCORD_SHM=$SHM_DIR/zm.mmap.$MOCORD_ID
BUILD_TIMEOUT=${ZMES_E2E_BUILD_TIMEOUT:-1800}
DEADLINE=${ZMES_E2E_DEADLINE:-2700}
export DEBIAN_FRONTEND=noninteractive

# shellcheck source=lib/checks.sh
source "$REPO/Scripts/lib/checks.sh"
TMP=""
MARIADB_PID=""
MARIADB_OURS=0
ZM_OURS=0
ZMES_PID=""
WS_PID=""
SAMPLER_PID=""
WATCHDOG_PID=""
PROXY_PID=""
# shellcheck source=lib/zoneminder-web.sh
source "$REPO/Scripts/lib/zoneminder-web.sh"

# ZoneMinder daemons run as www-data; these are the ones zmpkg.pl/zmdc.pl start.
zm_pids() {
    ps -u www-data -o pid=,comm= 2>/dev/null |
        awk '$2 ~ /^(zmc|zmdc\.pl|zmfilter\.pl|zmaudit\.pl|zmwatch\.pl|zmstats\.pl|zmtelemetry\.pl|zmtrigger\.pl|zmupdate\.pl)$/ {print $1}'
}

cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    alive "$WATCHDOG_PID" && kill "$WATCHDOG_PID" 2>/dev/null
    stop_pid "$SAMPLER_PID" 3
    stop_pid "$WS_PID" 3
    stop_pid "$PROXY_PID" 3
    stop_zoneminder_web
    if alive "$ZMES_PID"; then
        log "stopping zmes (pid $ZMES_PID)"
        stop_pid "$ZMES_PID" 15
    fi
    if ((ZM_OURS)); then
        log "stopping ZoneMinder"
        timeout 60 zmpkg.pl stop >>"$TMP/zmpkg.log" 2>&1
        local pid left
        for _ in $(seq 1 50); do
            left=$(zm_pids)
            [[ -z $left ]] && break
            sleep 0.2
        done
        for pid in $(zm_pids); do kill -TERM "$pid" 2>/dev/null; done
        sleep 1
        for pid in $(zm_pids); do kill -KILL "$pid" 2>/dev/null; done
    fi
    if ((MARIADB_OURS)) && alive "$MARIADB_PID"; then
        log "stopping MariaDB (pid $MARIADB_PID)"
        timeout 30 mysqladmin --connect-timeout=5 shutdown >/dev/null 2>&1
        stop_pid "$MARIADB_PID" 30
    fi
    if [[ -n $TMP && -d $TMP ]]; then
        if [[ ${ZMES_E2E_KEEP:-0} == 1 || $rc -ne 0 ]]; then
            log "logs kept in $TMP"
        else
            rm -rf "$TMP"
        fi
    fi
    end_checks "$rc"
}
trap_checks "deadline of ${DEADLINE}s or a signal"

# ---------------------------------------------------------------- 1. packages
[[ $(id -u) -eq 0 ]] || skip "must run as root (installs packages, starts MariaDB and ZoneMinder)"
command -v apt-get >/dev/null 2>&1 || skip "apt-get not found (this test needs Debian 12)"

PACKAGES=(zoneminder mariadb-server mariadb-client ffmpeg python3 procps php-fpm php-mysql nginx openssl)
missing=()
for p in "${PACKAGES[@]}"; do
    [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true) == installed ]] || missing+=("$p")
done
if ((${#missing[@]})); then
    log "installing ${missing[*]} (apt-get; about a minute and 700 MB on a fresh machine)"
    apt_log=$(mktemp /tmp/zmes-e2e-apt.XXXXXX)
    if ! timeout 600 apt-get update >"$apt_log" 2>&1; then
        show_tail "$apt_log" 10
        reason=$(grep -E '^(E|W):' "$apt_log" | head -1 || true)
        rm -f "$apt_log"
        skip "apt-get update failed: ${reason:-see the output above}"
    fi
    if ! timeout 1200 apt-get install -y --no-install-recommends "${PACKAGES[@]}" >"$apt_log" 2>&1; then
        show_tail "$apt_log" 10
        reason=$(grep -E '^E:' "$apt_log" | head -1 || true)
        rm -f "$apt_log"
        skip "apt-get install ${PACKAGES[*]} failed: ${reason:-see the output above}"
    fi
    rm -f "$apt_log"
    for p in "${PACKAGES[@]}"; do
        [[ $(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true) == installed ]] ||
            die "apt-get install succeeded but $p is not installed"
    done
fi
zm_version=$(dpkg-query -W -f='${Version}' zoneminder)
[[ $zm_version == 1.36.* ]] || die "this test knows ZoneMinder 1.36's shared memory; the installed zoneminder is $zm_version"
for tool in mariadbd mysql mysqladmin zmpkg.pl zmu ffmpeg python3 od nginx openssl; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found after installing packages"
done

TMP=$(mktemp -d /tmp/zmes-e2e.XXXXXX)
chmod 755 "$TMP"   # zmc (www-data) reads the video from here
log "work dir $TMP"

# Whole-run deadline: TERM ourselves; the trap cleans up.
(
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleep "$DEADLINE" &
    sleeper=$!
    wait "$sleeper" && kill -TERM $$ 2>/dev/null
) &
WATCHDOG_PID=$!

# The websocket client's library: Debian's python3-websockets (a fresh Debian 12 has no pip).
# shellcheck source=lib/websockets-python.sh
source "$REPO/Scripts/lib/websockets-python.sh"
PYTHON=$(websockets_python "$TMP/websockets.log") ||
    { show_tail "$TMP/websockets.log"; die "no python3 can import websockets (apt-get install python3-websockets failed)"; }
log "python with websockets: $PYTHON"

# ---------------------------------------------------------------- build zmes
# Built before ZoneMinder starts: a long build (or a wait for the .build lock)
# does not leave ZoneMinder running idle, and a broken build fails fast.
cd "$REPO"
if [[ ${ZMES_E2E_NO_BUILD:-0} != 1 ]]; then
    log "swift build --product zmes (waits if another build holds .build; up to ${BUILD_TIMEOUT}s)"
    if ! timeout "$BUILD_TIMEOUT" swift build --product zmes >"$TMP/build.log" 2>&1; then
        show_tail "$TMP/build.log" 40
        die "swift build --product zmes failed or timed out"
    fi
fi
ZMES_BIN=$REPO/.build/debug/zmes
[[ -x $ZMES_BIN ]] || die "$ZMES_BIN not found"

# ---------------------------------------------------------------- 2. MariaDB
zm_conf_value() { # last ZM_xxx=value from zm.conf and conf.d/*.conf (later files win)
    local key=$1
    cat /etc/zm/zm.conf /etc/zm/conf.d/*.conf 2>/dev/null |
        sed -n "s/^[[:space:]]*$key[[:space:]]*=[[:space:]]*//p" | tail -n 1 | sed 's/[[:space:]]*$//'
}
DB_NAME=$(zm_conf_value ZM_DB_NAME); DB_NAME=${DB_NAME:-zm}
DB_USER=$(zm_conf_value ZM_DB_USER); DB_USER=${DB_USER:-zmuser}
DB_PASS=$(zm_conf_value ZM_DB_PASS)
[[ -n $DB_PASS ]] || die "no ZM_DB_PASS in /etc/zm/zm.conf or /etc/zm/conf.d"
[[ $DB_NAME =~ ^[A-Za-z0-9_]+$ ]] || die "unexpected ZM_DB_NAME '$DB_NAME'"

install -d -o mysql -g mysql -m 755 /run/mysqld
if timeout 10 mysqladmin --connect-timeout=3 ping >/dev/null 2>&1; then
    log "MariaDB is already running; using it (and leaving it running)"
else
    if [[ ! -d /var/lib/mysql/mysql ]]; then
        log "initialising /var/lib/mysql"
        timeout 120 mariadb-install-db --user=mysql >"$TMP/mariadb-install.log" 2>&1 ||
            { show_tail "$TMP/mariadb-install.log"; die "mariadb-install-db failed"; }
    fi
    log "starting mariadbd"
    mariadbd --user=mysql --skip-networking >"$TMP/mariadb.log" 2>&1 &
    MARIADB_PID=$!
    MARIADB_OURS=1
    for i in $(seq 1 120); do
        timeout 5 mysqladmin --connect-timeout=2 ping >/dev/null 2>&1 && break
        alive "$MARIADB_PID" || { show_tail "$TMP/mariadb.log"; die "mariadbd exited at startup"; }
        ((i == 120)) && { show_tail "$TMP/mariadb.log"; die "MariaDB did not answer within 60 s"; }
        sleep 0.5
    done
fi
sql() { timeout 60 mysql --connect-timeout=5 "$@"; }

if [[ -z $(sql -N -e "SHOW DATABASES LIKE '$DB_NAME'") ]]; then
    log "creating database $DB_NAME from zm_create.sql"
    sql <<<"CREATE DATABASE \`$DB_NAME\`; USE \`$DB_NAME\`; source /usr/share/zoneminder/db/zm_create.sql;" \
        >"$TMP/zm_create.log" 2>&1 || { show_tail "$TMP/zm_create.log"; die "loading zm_create.sql failed"; }
fi
db_version=$(sql -N "$DB_NAME" -e "SELECT Value FROM Config WHERE Name='ZM_DYN_DB_VERSION'" 2>/dev/null || true)
if [[ $db_version != "${zm_version%%+*}" ]]; then
    log "database version '$db_version' != ${zm_version%%+*}: running zmupdate.pl"
    timeout 300 zmupdate.pl --nointeractive >"$TMP/zmupdate.log" 2>&1 ||
        { show_tail "$TMP/zmupdate.log"; die "zmupdate.pl failed"; }
fi
esc_pass=${DB_PASS//\\/\\\\}
esc_pass=${esc_pass//\'/\\\'}
sql <<EOF || die "creating the MariaDB user $DB_USER failed"
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$esc_pass';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$esc_pass';
GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'localhost';
FLUSH PRIVILEGES;
EOF

# Permissions ZoneMinder (www-data) needs without systemd-tmpfiles.
chgrp -R www-data /etc/zm
chmod -R g+r /etc/zm
for d in /run/zm /tmp/zm /var/cache/zoneminder /var/cache/zoneminder/events \
    /var/cache/zoneminder/images /var/cache/zoneminder/temp /var/cache/zoneminder/cache /var/lib/zm; do
    install -d -o www-data -g www-data -m 755 "$d"
done
install -d -o www-data -g root -m 755 /var/log/zm

# ---------------------------------------------------------------- monitor
for monitor in "$MONITOR_ID $MONITOR_NAME" "$MOCORD_ID $MOCORD_NAME"; do
    read -r id name <<<"$monitor"
    existing=$(sql -N "$DB_NAME" -e "SELECT Name FROM Monitors WHERE Id=$id")
    if [[ -n $existing && $existing != "$name" && ${ZMES_E2E_FORCE:-0} != 1 ]]; then
        die "monitor $id exists and is '$existing', not this test's '$name'; refusing to overwrite (ZMES_E2E_FORCE=1 to override)"
    fi
done

VIDEO=$TMP/smptebars.mp4
log "generating a ${VIDEO_SECONDS}s ${WIDTH}x${HEIGHT} ${FPS} fps smptebars video"
timeout 300 ffmpeg -nostdin -hide_banner -loglevel error -y \
    -f lavfi -i "smptebars=size=${WIDTH}x${HEIGHT}:rate=$FPS" -t "$VIDEO_SECONDS" \
    -c:v libx264 -preset ultrafast -tune stillimage -g $((FPS * 10)) -pix_fmt yuv420p "$VIDEO" \
    >"$TMP/ffmpeg.log" 2>&1 || { show_tail "$TMP/ffmpeg.log"; die "ffmpeg could not make the test video"; }
chmod 644 "$VIDEO"

AREA=$((WIDTH * HEIGHT))
# monitor_sql ID NAME FUNCTION SEQUENCE [EXTRA]: the SQL that (re)creates one camera-less monitor
# reading the test video, with one full-frame zone. EXTRA adds Monitors columns ("SectionLength=75, ").
monitor_sql() {
    local id=$1 name=$2 function=$3 sequence=$4 extra=${5:-}
    cat <<EOF
DELETE FROM Zones WHERE MonitorId=$id;
DELETE FROM Monitors WHERE Id=$id;
INSERT INTO Monitors SET
  Id=$id, Name='$name', Type='Ffmpeg', Function='$function', Enabled=1, DecodingEnabled=1,
  StorageId=(SELECT MIN(Id) FROM Storage), Path='$VIDEO', Method='', Options='',
  Width=$WIDTH, Height=$HEIGHT, Colours=4, MaxFPS=$FPS, AlarmMaxFPS=$FPS, AnalysisFPSLimit=NULL,
  ImageBufferCount=20, PreEventCount=5, PostEventCount=5, WarmupCount=0, $extra
  SaveJPEGs=1, VideoWriter=0, ZoneCount=1, Sequence=$sequence;
INSERT INTO Zones SET
  MonitorId=$id, Name='All', Type='Active', Units='Pixels', NumCoords=4,
  Coords='0,0 $((WIDTH - 1)),0 $((WIDTH - 1)),$((HEIGHT - 1)) 0,$((HEIGHT - 1))', Area=$AREA,
  AlarmRGB=16711680, CheckMethod='Blobs', MinPixelThreshold=25, MaxPixelThreshold=NULL,
  MinAlarmPixels=$((AREA * 3 / 100)), MaxAlarmPixels=$((AREA * 75 / 100)), FilterX=3, FilterY=3,
  MinFilterPixels=$((AREA * 3 / 100)), MaxFilterPixels=$((AREA * 75 / 100)),
  MinBlobPixels=$((AREA * 2 / 100)), MaxBlobPixels=NULL, MinBlobs=1, MaxBlobs=NULL,
  OverloadFrames=0, ExtendAlarmFrames=0;
EOF
}
{
    monitor_sql "$MONITOR_ID" "$MONITOR_NAME" Modect 1
    monitor_sql "$MOCORD_ID" "$MOCORD_NAME" Mocord 2 "SectionLength=$SECTION_SECONDS, MinSectionLength=5,"
} | sql "$DB_NAME" || die "creating monitors $MONITOR_ID and $MOCORD_ID failed"

# ---------------------------------------------------------------- ZoneMinder
# Reads the SharedData header of /dev/shm/zm.mmap.<id> (ZoneMinder 1.36, 760 bytes).
cat >"$TMP/shm.py" <<'PY'
import json, os, struct, sys, time
STATES = {0: "Unknown", 1: "Idle", 2: "PreAlarm", 3: "Alarm", 4: "Alert", 5: "Tape"}

def read(path):
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            b = f.read(760)
    except OSError as e:
        return {"error": str(e)}
    if len(b) < 760:
        return {"error": "short read (%d bytes)" % len(b)}
    return {
        "inode": st.st_ino, "size": struct.unpack_from("<I", b, 0)[0],
        "state": struct.unpack_from("<I", b, 12)[0],
        "state_name": STATES.get(struct.unpack_from("<I", b, 12)[0], "?"),
        "last_event_id": struct.unpack_from("<Q", b, 32)[0],
        "valid": b[68], "active": b[69], "signal": b[70],
        "heartbeat_age": round(time.time() - struct.unpack_from("<q", b, 96)[0], 1),
        "cause": b[376:632].split(b"\0", 1)[0].decode("utf-8", "replace"),
        "mode": oct(st.st_mode & 0o777), "uid": st.st_uid, "gid": st.st_gid,
    }

cmd, path = sys.argv[1], sys.argv[2]
if cmd == "read":
    print(json.dumps(read(path)))
elif cmd == "wait-idle":  # wait-idle PATH TIMEOUT [STATES]: at rest (Idle, or the given states: 1,5)
    deadline = time.time() + float(sys.argv[3])
    rest = {int(x) for x in (sys.argv[4] if len(sys.argv) > 4 else "1").split(",")}
    r = {}
    while time.time() < deadline:
        r = read(path)
        if r.get("size") == 760 and r.get("valid") == 1 and r.get("state") in rest and r.get("heartbeat_age", 99) < 10:
            print(json.dumps(r)); sys.exit(0)
        time.sleep(0.2)
    print(json.dumps(r)); sys.exit(1)
elif cmd == "sample":  # sample PATH OUTFILE: one line per change of (state, last_event_id, valid)
    out = open(sys.argv[3], "a", buffering=1)
    last = None
    while True:
        r = read(path)
        key = (r.get("inode"), r.get("state"), r.get("last_event_id"), r.get("valid"), r.get("error"))
        if key != last:
            r["t"] = round(time.time(), 3)
            out.write(json.dumps(r) + "\n")
            last = key
        time.sleep(0.02)
PY

# ZoneMinder's auth on, with API tokens (signed with AUTH_HASH_SECRET): zmes must fetch pictures with its own login.
# The admin user may use the API, and the first-use privacy page does not stand in front of every view.
sql "$DB_NAME" -e "UPDATE Config SET Value='1' WHERE Name IN ('ZM_OPT_USE_AUTH', 'ZM_OPT_USE_API');
    UPDATE Config SET Value='zmes-e2e-hash-secret' WHERE Name='ZM_AUTH_HASH_SECRET';
    UPDATE Config SET Value='hashed' WHERE Name='ZM_AUTH_RELAY';
    UPDATE Config SET Value='0' WHERE Name='ZM_SHOW_PRIVACY';
    UPDATE Users SET APIEnabled=1 WHERE Username='admin'" || die "turning ZoneMinder's auth on failed"

if [[ -n $(zm_pids) ]]; then
    log "ZoneMinder is already running; restarting it so it reads the new monitor"
    timeout 60 zmpkg.pl stop >"$TMP/zmpkg.log" 2>&1 || true
fi
log "starting ZoneMinder (zmpkg.pl start)"
ZM_OURS=1
timeout 120 zmpkg.pl start >>"$TMP/zmpkg.log" 2>&1 || {
    show_tail "$TMP/zmpkg.log"
    show_tail /var/log/zm/zmpkg.log
    die "zmpkg.pl start failed"
}
log "waiting for $SHM_FILE (valid=1, state Idle)"
if ! shm_info=$("$PYTHON" "$TMP/shm.py" wait-idle "$SHM_FILE" 90); then
    echo "last read of $SHM_FILE: $shm_info" >&2
    show_tail "$TMP/zmpkg.log"
    for f in /var/log/zm/zmdc.log /var/log/zm/zmc_m$MONITOR_ID.log; do show_tail "$f" 20; done
    die "ZoneMinder monitor $MONITOR_ID did not become valid and Idle within 90 s"
fi
# The same facts, read with od, as a second opinion on the offsets.
od_size=$(od -An -t u4 -j 0 -N 4 "$SHM_FILE" | tr -d ' ')
od_state=$(od -An -t u4 -j 12 -N 4 "$SHM_FILE" | tr -d ' ')
od_valid=$(od -An -t u1 -j 68 -N 1 "$SHM_FILE" | tr -d ' ')
log "ZoneMinder up: $shm_info"
log "od: size=$od_size state=$od_state valid=$od_valid; $(stat -c '%n %U:%G %a' "$SHM_FILE")"
if [[ $od_size == 760 && $od_valid == 1 && $od_state == 1 ]]; then
    pass "ZoneMinder monitor $MONITOR_ID is capturing: $SHM_FILE size=760 valid=1 state=Idle"
else
    fail "ZoneMinder shared memory header unexpected: size=$od_size valid=$od_valid state=$od_state"
fi

# ---------------------------------------------------------------- 3. start zmes

read -r WS_PORT ADMIN_PORT ZM_WEB_PORT PROXY_PORT < <("$PYTHON" - <<'PY'
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
PY
)
ZM_URL=http://127.0.0.1:$ZM_WEB_PORT/zm
log "starting ZoneMinder's web interface and API at $ZM_URL (nginx + php-fpm)"
start_zoneminder_web "$TMP/web" "$ZM_WEB_PORT" || die "could not start nginx and php-fpm"
for i in $(seq 1 60); do
    login=$("$PYTHON" - "$ZM_URL" <<'PY' 2>&1
import sys, urllib.parse, urllib.request
data = urllib.parse.urlencode({"user": "admin", "pass": "admin"}).encode()
print(urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/api/host/login.json", data=data), timeout=3).read().decode()[:300])
PY
) && [[ $login == *access_token* ]] && break
    ((i == 60)) && { for f in "$TMP"/web/*.log "$TMP"/web/*.out; do show_tail "$f" 15; done; die "ZoneMinder's API gave no access token within 30 s: $login"; }
    sleep 0.5
done
pass "ZoneMinder's API (auth on) logs in and issues an access token at $ZM_URL/api/host/login.json"

# An HTTPS stand-in for the zmNinja push proxy, trusted through its own certificate: it keeps each push body.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$TMP/proxy-key.pem" -out "$TMP/proxy-cert.pem" >"$TMP/openssl.log" 2>&1 || { show_tail "$TMP/openssl.log"; die "openssl req failed"; }
PUSHES=$TMP/pushes.jsonl
: >"$PUSHES"
"$PYTHON" "$REPO/Scripts/lib/e2e_pictures.py" proxy "$PROXY_PORT" "$TMP/proxy-cert.pem" "$TMP/proxy-key.pem" "$PUSHES" >"$TMP/proxy.log" 2>&1 &
PROXY_PID=$!

cat >"$TMP/zmes.yml" <<EOF
server: {address: 127.0.0.1, port: $WS_PORT}
admin: {port: $ADMIN_PORT}
auth: {enabled: false}
store: {path: $TMP/zmes.sqlite}
pictures: {enabled: true, public_url: "https://zm.example.test:$WS_PORT"}
zoneminder: {enabled: true, url: "$ZM_URL", user: admin, password: admin, shm_dir: $SHM_DIR, poll_interval: 0.25, send_event_end: true, monitors: [{id: $MONITOR_ID, name: $MONITOR_NAME}, {id: $MOCORD_ID, name: $MOCORD_NAME}]}
EOF
cat >"$TMP/credentials.yml" <<EOF
proxy:
  - name: e2e-proxy
    url: https://127.0.0.1:$PROXY_PORT/send_push
    key: e2e-proxy-key
    ca_file: $TMP/proxy-cert.pem
EOF
"$ZMES_BIN" credentials add --config "$TMP/zmes.yml" --file "$TMP/credentials.yml" >"$TMP/credentials.log" 2>&1 ||
    { show_tail "$TMP/credentials.log"; die "zmes credentials add failed"; }
log "starting zmes serve (websocket port $WS_PORT, admin port $ADMIN_PORT)"
"$ZMES_BIN" serve --config "$TMP/zmes.yml" >"$TMP/zmes.log" 2>&1 &
ZMES_PID=$!
http_ok() { "$PYTHON" -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" >/dev/null 2>&1; }
for i in $(seq 1 60); do
    http_ok "http://127.0.0.1:$ADMIN_PORT/healthz" && break
    alive "$ZMES_PID" || { show_tail "$TMP/zmes.log"; die "zmes exited at startup"; }
    ((i == 60)) && { show_tail "$TMP/zmes.log"; die "zmes admin /healthz did not answer within 30 s"; }
    sleep 0.5
done
sleep 1
if grep -i 'zoneminder' "$TMP/zmes.log" | grep -qi 'watching'; then
    pass "zmes started its ZoneMinder shared-memory source: $(grep -i zoneminder "$TMP/zmes.log" | grep -i watching | head -1 | cut -c1-200)"
else
    fail "zmes logged no 'zoneminder ... watching' line: the shared-memory source is not active in 'zmes serve' (alarm checks below will fail)"
fi

# ---------------------------------------------------------------- 4. websocket client
# ws.py listen URL OUT READY SECONDS : appends each received text message as one line to OUT.
# ws.py probe URL ADMIN_URL BODY      : sends BODY to the admin alarm API and waits 5 s for it.
cat >"$TMP/ws.py" <<'PY'
import asyncio, json, os, ssl, sys, urllib.request
import websockets

# wss:// trusting zmes's generated certificate, as a phone that accepted it does.
TLS = ssl.create_default_context(cafile=os.environ["ZMES_E2E_CA"]) if os.environ.get("ZMES_E2E_CA") else None

async def listen(url, out, ready, seconds):
    async with websockets.connect(url, open_timeout=10, ping_interval=None, ssl=TLS) as ws:
        open(ready, "w").close()
        with open(out, "a", buffering=1) as f:
            try:
                async with asyncio.timeout(seconds):
                    async for msg in ws:
                        f.write((msg if isinstance(msg, str) else msg.decode()) .replace("\n", " ") + "\n")
            except TimeoutError:
                pass

async def probe(url, admin_url, body):
    async with websockets.connect(url, open_timeout=10, ping_interval=None, ssl=TLS) as ws:
        await asyncio.sleep(0.3)
        req = urllib.request.Request(admin_url, data=body.encode(), headers={"Content-Type": "application/json"})
        report = await asyncio.to_thread(lambda: urllib.request.urlopen(req, timeout=5).read().decode())
        want = json.loads(body)["eventId"]
        try:
            async with asyncio.timeout(5):
                async for msg in ws:
                    m = json.loads(msg)
                    if m.get("event") == "alarm" and any(str(e.get("EventId")) == str(want) for e in m.get("events", [])):
                        print(msg); return 0
        except TimeoutError:
            pass
        print("no alarm message within 5 s; admin answered " + report); return 1

async def register(url, token):
    async with websockets.connect(url, open_timeout=10, ping_interval=None, ssl=TLS) as ws:
        await ws.send(json.dumps({"event": "push", "data": {"type": "token", "platform": "ios", "token": token, "state": "enabled"}}))
        await asyncio.sleep(1)

if sys.argv[1] == "listen":
    asyncio.run(listen(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])))
elif sys.argv[1] == "register":
    asyncio.run(register(sys.argv[2], sys.argv[3]))
else:
    sys.exit(asyncio.run(probe(sys.argv[2], sys.argv[3], sys.argv[4])))
PY
WS_URL=wss://127.0.0.1:$WS_PORT/
export ZMES_E2E_CA=$TMP/zmes-cert.pem

# A phone: its push token, registered over the websocket, gets every alarm through the proxy.
timeout 30 "$PYTHON" "$TMP/ws.py" register "$WS_URL" "$(printf 'e2e%.0s' {1..21})a" >"$TMP/register.log" 2>&1 ||
    { show_tail "$TMP/register.log"; die "registering a push token failed"; }

# Plumbing: an alarm injected through the admin API reaches a websocket client.
PROBE_EID=999000001
if probe_out=$(timeout 30 "$PYTHON" "$TMP/ws.py" probe "$WS_URL" "http://127.0.0.1:$ADMIN_PORT/api/v1/alarms" \
    "{\"monitorId\":$MONITOR_ID,\"eventId\":$PROBE_EID,\"name\":\"$MONITOR_NAME\",\"cause\":\"e2e probe\",\"kind\":\"start\"}" 2>&1); then
    pass "websocket client receives alarms (admin-injected probe): $probe_out"
else
    fail "websocket client did not receive an admin-injected alarm: $probe_out"
fi

WS_OUT=$TMP/ws.jsonl
: >"$WS_OUT"
"$PYTHON" "$TMP/ws.py" listen "$WS_URL" "$WS_OUT" "$TMP/ws.ready" 900 >"$TMP/ws.log" 2>&1 &
WS_PID=$!
for i in $(seq 1 50); do
    [[ -e $TMP/ws.ready ]] && break
    alive "$WS_PID" || { show_tail "$TMP/ws.log"; die "websocket client could not connect to $WS_URL"; }
    ((i == 50)) && die "websocket client did not connect within 10 s"
    sleep 0.2
done
log "websocket client connected to $WS_URL"

# ---------------------------------------------------------------- 5. force an alarm
latest_event() { sql -N "$DB_NAME" -e "SELECT COALESCE(MAX(Id),0) FROM Events WHERE MonitorId=$MONITOR_ID"; }
before=$(latest_event)
"$PYTHON" "$TMP/shm.py" sample "$SHM_FILE" "$TMP/shm-samples.jsonl" >/dev/null 2>&1 &
SAMPLER_PID=$!
sleep 0.5
log "forcing an alarm: zmu -m $MONITOR_ID -a"
zmu_out=$(timeout 30 zmu -m "$MONITOR_ID" -a -U admin -P admin 2>&1) || die "zmu -a failed or timed out: $zmu_out"
log "zmu -a: ${zmu_out:-<no output>}"
ZMU_EID=$(sed -n 's/.*event id: *\([0-9][0-9]*\).*/\1/p' <<<"$zmu_out" | head -1)
sleep 1.5
log "cancelling: zmu -m $MONITOR_ID -c"
zmu_out=$(timeout 30 zmu -m "$MONITOR_ID" -c -U admin -P admin 2>&1) || die "zmu -c failed or timed out: $zmu_out"
"$PYTHON" "$TMP/shm.py" wait-idle "$SHM_FILE" 30 >/dev/null || fail "monitor $MONITOR_ID did not return to Idle within 30 s of the cancel"
sleep 1
stop_pid "$SAMPLER_PID" 3
SAMPLER_PID=""

EID=$(latest_event)
log "newest Events.Id for monitor $MONITOR_ID: $EID (before: $before)"
sql -N "$DB_NAME" -e "SELECT Id, MonitorId, Cause, StartDateTime, EndDateTime, Frames, AlarmFrames FROM Events WHERE Id=$EID" >&2 || true
if ((EID > before)) && [[ -z $ZMU_EID || $ZMU_EID == "$EID" ]]; then
    pass "ZoneMinder wrote event $EID for monitor $MONITOR_ID to MariaDB (zmu -a reported ${ZMU_EID:-no id})"
elif ((EID > before)); then
    fail "zmu -a reported event $ZMU_EID but the newest Events.Id for monitor $MONITOR_ID is $EID"
else
    fail "no new Events row for monitor $MONITOR_ID after forcing an alarm (newest is $EID)"
fi

# Shared-memory lifecycle seen by the sampler: Alarm with last_event_id = EID, then Idle.
if lifecycle=$("$PYTHON" - "$TMP/shm-samples.jsonl" "$EID" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
eid = int(sys.argv[2])
seq = [r.get("state_name", r.get("error")) for r in rows]
compact = [s for i, s in enumerate(seq) if i == 0 or s != seq[i - 1]]
alarm = [r for r in rows if r.get("state") == 3]
ok = bool(alarm) and alarm[0]["last_event_id"] == eid and any(r.get("state") == 1 for r in rows if r["t"] > alarm[0]["t"])
t0 = alarm[0]["t"] if alarm else rows[0]["t"]
print(" -> ".join(compact) + "; " + ", ".join(
    "%+.2fs %s eid=%s" % (r["t"] - t0, r.get("state_name"), r.get("last_event_id")) for r in rows))
sys.exit(0 if ok else 1)
PY
); then
    pass "shared memory went Alarm (last_event_id=$EID) then Idle: $lifecycle"
else
    fail "shared memory lifecycle unexpected: $lifecycle"
fi

# zmes notifications: wait up to 15 s for the start and the end of event EID.
ws_results=$("$PYTHON" - "$WS_OUT" "$EID" "$MONITOR_NAME" "$MONITOR_ID" 15 <<'PY'
import json, sys, time
out, eid, name, mid, wait_s = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
found = {}
deadline = time.time() + wait_s
while True:
    for line in open(out):
        try:
            m = json.loads(line)
        except ValueError:
            continue
        if not isinstance(m, dict) or m.get("event") != "alarm":
            continue
        for e in m.get("events", []):
            kind = "end" if str(e.get("Cause", "")).startswith("End:") else "start"
            if str(e.get("EventId")) == eid and str(e.get("MonitorId")) == mid and e.get("Name") == name:
                found.setdefault(kind, line.strip())
    if len(found) == 2 or time.time() > deadline:
        break
    time.sleep(0.2)
for kind in ("start", "end"):
    print(kind + " " + found.get(kind, "-"))
PY
)
for kind in start end; do
    msg=$(sed -n "s/^$kind //p" <<<"$ws_results")
    if [[ -n $msg && $msg != - ]]; then
        pass "zmes sent the $kind of event $EID: $msg"
    else
        fail "zmes sent no $kind notification for event $EID (Name $MONITOR_NAME, MonitorId $MONITOR_ID) within 15 s"
    fi
done
# ---------------------------------------------------------------- 5b. the event's picture
picture_checks=$("$PYTHON" "$REPO/Scripts/lib/e2e_pictures.py" check "$PUSHES" "$EID" "$ZM_URL" admin admin \
    "$ZMES_E2E_CA" "$TMP/zmes.sqlite" "https://zm.example.test:$WS_PORT" "https://127.0.0.1:$WS_PORT" 2>&1) || true
while IFS= read -r line; do
    case $line in
    "PASS "*) pass "pictures: ${line#PASS }" ;;
    "FAIL "*) fail "pictures: ${line#FAIL }" ;;
    *) log "pictures: $line" ;;
    esac
done <<<"$picture_checks"
grep -q '^PASS ' <<<"$picture_checks" || { fail "pictures: no check ran"; show_tail "$TMP/zmes.log" 20; }

got=$(grep -c . "$WS_OUT" || true)
log "websocket messages received: $got"
((got == 0)) || sed 's/^/  ws: /' "$WS_OUT" >&2
# ---------------------------------------------------------------- 6. Mocord
# A monitor that records all the time: its sections are no alarm; each alarm
# inside a section is one start and one end that name the section's event.
mocord_event() { sql -N "$DB_NAME" -e "SELECT COALESCE(MAX(Id),0) FROM Events WHERE MonitorId=$MOCORD_ID"; }
# zmes's notifications for the Mocord monitor so far, one "kind eventid" a line.
mocord_notes() {
    "$PYTHON" - "$WS_OUT" "$MOCORD_ID" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if not isinstance(m, dict) or m.get("event") != "alarm":
        continue
    for e in m.get("events", []):
        if str(e.get("MonitorId")) == sys.argv[2]:
            print(("end" if str(e.get("Cause", "")).startswith("End:") else "start") + " " + str(e.get("EventId")))
PY
}
# force_mocord_alarm: zmu -a, hold 1.5 s, cancel, wait until the monitor rests again (Tape).
force_mocord_alarm() {
    local out
    out=$(timeout 30 zmu -m "$MOCORD_ID" -a -U admin -P admin 2>&1) || { fail "zmu -m $MOCORD_ID -a failed: $out"; return 1; }
    log "zmu -m $MOCORD_ID -a: ${out:-<no output>}"
    sleep 1.5
    timeout 30 zmu -m "$MOCORD_ID" -c -U admin -P admin >/dev/null 2>&1 || { fail "zmu -m $MOCORD_ID -c failed"; return 1; }
    "$PYTHON" "$TMP/shm.py" wait-idle "$MOCORD_SHM" 30 1,5 >/dev/null || { fail "Mocord monitor did not rest within 30 s of the cancel"; return 1; }
    sleep 3   # a few polls, and the end's delivery
}

if ! "$PYTHON" "$TMP/shm.py" wait-idle "$MOCORD_SHM" 60 1,5 >/dev/null; then
    fail "Mocord monitor $MOCORD_ID is not capturing: $("$PYTHON" "$TMP/shm.py" read "$MOCORD_SHM")"
else
    first_section=$(mocord_event)
    log "Mocord: waiting for two section boundaries with no alarm (sections of ${SECTION_SECONDS}s; open section $first_section)"
    boundaries=0
    section=$first_section
    for ((i = 0; i < (2 * SECTION_SECONDS + 40) * 2; i++)); do
        now_section=$(mocord_event)
        if [[ $now_section != "$section" ]]; then
            boundaries=$((boundaries + 1))
            log "Mocord: section $section closed, $now_section opened"
            section=$now_section
            ((boundaries >= 2)) && break
        fi
        sleep 0.5
    done
    notes=$(mocord_notes)
    if ((boundaries < 2)); then
        fail "Mocord monitor opened $boundaries new sections in $((2 * SECTION_SECONDS + 40)) s (expected 2): is it recording?"
    elif [[ -z $notes ]]; then
        pass "Mocord: sections $first_section..$section opened and closed with no alarm, and zmes sent no notification"
    else
        fail "Mocord: zmes notified recorded sections with no alarm: $(tr '\n' ';' <<<"$notes")"
    fi

    # One alarm inside the section just opened.
    t_first=$(date +%s)
    force_mocord_alarm
    notes=$(mocord_notes)
    if [[ $notes == $'start '"$section"$'\nend '"$section" ]]; then
        pass "Mocord: a forced alarm inside section $section gave exactly one start and one end naming it"
    else
        fail "Mocord: a forced alarm inside section $section gave: $(tr '\n' ';' <<<"${notes:-nothing}") (expected one start and one end of $section)"
    fi

    # A second alarm a minute later, in the same section.
    delay=$((t_first + 60 - $(date +%s)))
    ((delay <= 0)) || sleep "$delay"
    if [[ $(mocord_event) != "$section" ]]; then
        fail "Mocord: section $section closed before the second alarm (setup: SECTION_SECONDS too short)"
    else
        force_mocord_alarm
        notes=$(mocord_notes)
        want=$'start '"$section"$'\nend '"$section"$'\nstart '"$section"$'\nend '"$section"
        if [[ $notes == "$want" ]]; then
            pass "Mocord: two alarms a minute apart in section $section gave two starts and two ends"
        else
            fail "Mocord: two alarms in section $section gave: $(tr '\n' ';' <<<"${notes:-nothing}") (expected two starts and two ends)"
        fi
    fi
    sql -N "$DB_NAME" -e "SELECT Id, Cause, StartDateTime, EndDateTime, Frames, AlarmFrames FROM Events WHERE MonitorId=$MOCORD_ID ORDER BY Id" >&2 || true
fi

# ---------------------------------------------------------------- 7. restart during an event
# An event in progress across a zmes restart: its start went out before, its end must come
# after, exactly once, to the client that reconnected; the start is not repeated.
stop_pid "$WS_PID" 3
WS_PID=""
start_listener() { # OUT READY: a websocket client appending messages to OUT
    : >"$1"
    rm -f "$2"
    "$PYTHON" "$TMP/ws.py" listen "$WS_URL" "$1" "$2" 120 >>"$TMP/ws.log" 2>&1 &
    WS_PID=$!
    for i in $(seq 1 50); do
        [[ -e $2 ]] && return 0
        alive "$WS_PID" || return 1
        sleep 0.2
    done
    return 1
}
count_alarms() { # OUT EID KIND: how many alarm messages of that kind for that event OUT holds
    "$PYTHON" - "$1" "$2" "$3" <<'PY'
import json, sys
out, eid, kind = sys.argv[1:4]
n = 0
for line in open(out):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if isinstance(m, dict) and m.get("event") == "alarm":
        for e in m.get("events", []):
            k = "end" if str(e.get("Cause", "")).startswith("End:") else "start"
            if str(e.get("EventId")) == eid and k == kind:
                n += 1
print(n)
PY
}
wait_count() { # OUT EID KIND SECONDS: waits until at least one, prints the count
    local n i
    for ((i = 0; i < $4 * 5; i++)); do
        n=$(count_alarms "$1" "$2" "$3")
        ((n > 0)) && break
        sleep 0.2
    done
    echo "$n"
}
RESTART_OUT1=$TMP/ws-before-restart.jsonl
RESTART_OUT2=$TMP/ws-after-restart.jsonl
start_listener "$RESTART_OUT1" "$TMP/ws1.ready" || die "websocket client could not connect before the restart"
log "forcing a second alarm: zmu -m $MONITOR_ID -a"
zmu_out=$(timeout 30 zmu -m "$MONITOR_ID" -a -U admin -P admin 2>&1) || die "zmu -a failed or timed out: $zmu_out"
sleep 1.5
EID2=$(latest_event)
starts=$(wait_count "$RESTART_OUT1" "$EID2" start 15)
if ((EID2 > EID)) && ((starts == 1)); then
    pass "before the restart: one start of event $EID2"
else
    fail "before the restart: $starts start notifications of event $EID2 (newest event $EID2, previous $EID)"
fi
log "restarting zmes while event $EID2 is in progress"
stop_pid "$WS_PID" 3
stop_pid "$ZMES_PID" 30
"$ZMES_BIN" serve --config "$TMP/zmes.yml" >>"$TMP/zmes.log" 2>&1 &
ZMES_PID=$!
for i in $(seq 1 60); do
    http_ok "http://127.0.0.1:$ADMIN_PORT/healthz" && break
    alive "$ZMES_PID" || { show_tail "$TMP/zmes.log"; die "zmes exited at its restart"; }
    ((i == 60)) && { show_tail "$TMP/zmes.log"; die "zmes admin /healthz did not answer within 30 s of its restart"; }
    sleep 0.5
done
start_listener "$RESTART_OUT2" "$TMP/ws2.ready" || die "websocket client could not connect after the restart"
sleep 1
log "cancelling: zmu -m $MONITOR_ID -c"
zmu_out=$(timeout 30 zmu -m "$MONITOR_ID" -c -U admin -P admin 2>&1) || die "zmu -c failed or timed out: $zmu_out"
"$PYTHON" "$TMP/shm.py" wait-idle "$SHM_FILE" 30 >/dev/null || fail "monitor $MONITOR_ID did not return to Idle within 30 s of the cancel"
ends=$(wait_count "$RESTART_OUT2" "$EID2" end 15)
sleep 2  # a second end, if any, would come now
ends=$(count_alarms "$RESTART_OUT2" "$EID2" end)
restarts=$(count_alarms "$RESTART_OUT2" "$EID2" start)
if ((ends == 1 && restarts == 0)); then
    pass "after the restart: the end of event $EID2 exactly once, its start not repeated"
else
    fail "after the restart: $ends end and $restarts start notifications of event $EID2 (want 1 and 0)"
    sed 's/^/  ws: /' "$RESTART_OUT2" >&2
fi
if ((FAILED)); then
    show_tail "$TMP/zmes.log" 20
fi

((FAILED == 0)) || exit 1
exit 0
