#!/usr/bin/env bash
# Builds a Debian package of zmes, for a ZoneMinder box without a Swift toolchain.
#
#   Scripts/package-deb.sh [OUTPUT_DIR]        (default OUTPUT_DIR: the repository)
#
# A release build with the Swift runtime linked statically (no libswift*.so
# needed at run time), then a .deb (dpkg-deb) holding:
#   /usr/bin/zmes
#   /lib/systemd/system/zmes.service  Resources/zmes.service (installed, not enabled)
#   /etc/zmes/zmes.yml                Resources/zmes.example.yml with the store in
#                                     /var/lib/zmes; a conffile, 0640 root:zmes
#   /usr/share/doc/zmes/              README.md and docs/*.md
# Its postinst creates the system user `zmes` (group zmes, also in www-data, which
# owns ZoneMinder's shared memory) and /var/lib/zmes; `dpkg -P` removes both.
# docs/OPERATIONS.md ("Package") describes it for users.
#
# The package version is `zmes --version`, plus +git<commits>.<hash> when HEAD is
# not tagged v<version>. The last line printed is the path of the .deb.
#
# It builds in .build (.build/release), where the debug build's dependency
# checkouts already are, or in ZMES_PACKAGE_SCRATCH (e.g. .build-release), so it
# can run beside a debug build (CI does).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "${1:-$REPO}"
OUTPUT_DIR=$(cd "${1:-$REPO}" && pwd)

log() { printf '[package-deb] %s\n' "$*" >&2; }
die() { printf 'package-deb: %s\n' "$*" >&2; exit 1; }

for tool in swift dpkg dpkg-deb dpkg-query ldd readelf strip; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found (Debian/Ubuntu with a Swift toolchain, see README.md)"
done

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/zmes-deb.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT

# ---------------------------------------------------------------- build
cd "$REPO"
build=(swift build -c release --static-swift-stdlib --product zmes --scratch-path "${ZMES_PACKAGE_SCRATCH:-.build}")
log "${build[*]} (a first release build takes about 10 minutes)"
"${build[@]}" >"$STAGE/build.log" 2>&1 || { tail -40 "$STAGE/build.log" >&2; die "the release build failed"; }
BIN=$("${build[@]}" --show-bin-path)/zmes
[[ -x $BIN ]] || die "$BIN not found after the build"

# The Swift runtime and Foundation must be inside the binary, not beside it.
libs=$(ldd "$BIN") || die "ldd $BIN failed"
if swift_libs=$(grep -E 'libswift|libFoundation|libdispatch|libBlocksRuntime|lib_FoundationICU' <<<"$libs"); then
    die "the binary still needs the Swift runtime from the toolchain: $(tr -s ' \t\n' ' ' <<<"$swift_libs")"
fi
if missing=$(grep 'not found' <<<"$libs"); then
    die "the binary needs libraries this machine lacks: $(tr -s ' \t\n' ' ' <<<"$missing")"
fi

# ---------------------------------------------------------------- version
VERSION=$("$BIN" --version) || die "$BIN --version failed"
[[ $VERSION =~ ^[0-9][0-9A-Za-z.~+]*$ ]] || die "zmes --version printed '$VERSION', which is no Debian version"
DEB_VERSION=$VERSION
if git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1 &&
    [[ $(git -C "$REPO" tag --points-at HEAD) != *"v$VERSION"* ]]; then
    DEB_VERSION="$VERSION+git$(git -C "$REPO" rev-list --count HEAD).$(git -C "$REPO" rev-parse --short HEAD)"
fi
ARCH=$(dpkg --print-architecture)

# ---------------------------------------------------------------- Depends
# libcurl, libsqlite3 and libssl always (libcurl reaches libssl at run time),
# adduser for postinst, and the package of every other library the binary links
# itself (its ELF NEEDED entries; their own dependencies are their packages' business).
depends=(adduser libcurl4 libsqlite3-0 libssl3)
package_of() { # the Debian package that ships a library file (merged /usr: try both spellings)
    local path=$1 candidate owner
    for candidate in "$path" "$(readlink -f "$path")" "/usr${path#/usr}" "${path#/usr}"; do
        owner=$(dpkg-query -S "$candidate" 2>/dev/null | head -1) || continue
        [[ -n $owner ]] && { echo "${owner%%:*}"; return 0; }
    done
    return 1
}
while read -r needed; do
    lib=$(awk -v name="$needed" '$1 == name && $2 == "=>" {print $3}' <<<"$libs")
    [[ $lib == /* ]] || die "ldd does not say where $needed, which zmes links, is"
    pkg=$(package_of "$lib") || die "no Debian package ships $lib, which zmes links: cannot name it in Depends"
    [[ " ${depends[*]} " == *" $pkg "* ]] || depends+=("$pkg")
done < <(readelf -d "$BIN" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' | grep -v '^ld-linux' | sort -u)
# The C library the build machine has is the oldest this binary is known to run with.
glibc=$(dpkg-query -W -f='${Version}' libc6)
DEPENDS=$(printf '%s\n' "${depends[@]}" | sort -u | sed "s/^libc6\$/libc6 (>= ${glibc%%-*})/" | paste -sd, | sed 's/,/, /g')

# ---------------------------------------------------------------- files
ROOT=$STAGE/root
install -D -m 0755 "$BIN" "$ROOT/usr/bin/zmes"
strip --strip-debug "$ROOT/usr/bin/zmes"   # keeps the symbol table, for readable crash backtraces
install -D -m 0644 Resources/zmes.service "$ROOT/lib/systemd/system/zmes.service"
grep -qx 'ExecStart=/usr/bin/zmes serve --config /etc/zmes/zmes.yml' "$ROOT/lib/systemd/system/zmes.service" ||
    die "Resources/zmes.service does not run /usr/bin/zmes serve --config /etc/zmes/zmes.yml"
install -d -m 0755 "$ROOT/etc/zmes"
# The example's store path is relative to the working directory; the package's is the state directory.
sed '/^  path: zmes-data\/zmes.sqlite/{N;s|.*|  path: /var/lib/zmes/zmes.sqlite  # SQLite file; the self-signed TLS pair is made beside it|;}' \
    Resources/zmes.example.yml >"$ROOT/etc/zmes/zmes.yml"
grep -q '^  path: /var/lib/zmes/zmes.sqlite ' "$ROOT/etc/zmes/zmes.yml" ||
    die "Resources/zmes.example.yml has no 'path: zmes-data/zmes.sqlite' line under store: to point at /var/lib/zmes"
chmod 0640 "$ROOT/etc/zmes/zmes.yml"
install -d -m 0755 "$ROOT/usr/share/doc/zmes"
install -m 0644 README.md docs/*.md "$ROOT/usr/share/doc/zmes/"

# ---------------------------------------------------------------- DEBIAN/
install -d -m 0755 "$ROOT/DEBIAN"
cat >"$ROOT/DEBIAN/control" <<EOF
Package: zmes
Version: $DEB_VERSION
Architecture: $ARCH
Maintainer: zmes <zmes@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
Depends: $DEPENDS
Section: net
Priority: optional
Description: push delivery relay for camera systems (ZoneMinder)
 zmes is the successor to the ZoneMinder Event Notification Server. Phones
 (zmNinja and other apps) connect to it over a secure websocket, log in and
 register their push tokens; ZoneMinder's alarms reach them as pushes (APNs,
 FCM, the zmNinja proxy) from a durable outbox, or as websocket messages.
 The Swift runtime is linked into the binary.
EOF
echo /etc/zmes/zmes.yml >"$ROOT/DEBIAN/conffiles"

cat >"$ROOT/DEBIAN/postinst" <<'EOF'
#!/bin/sh
# Creates the zmes system user and gives it its files; restarts a running zmes after an upgrade.
set -e
if [ "$1" = configure ]; then
    if ! getent passwd zmes >/dev/null; then
        if getent group zmes >/dev/null; then
            adduser --system --quiet --ingroup zmes --home /var/lib/zmes --no-create-home --shell /usr/sbin/nologin zmes
        else
            adduser --system --quiet --group --home /var/lib/zmes --no-create-home --shell /usr/sbin/nologin zmes
        fi
    fi
    # ZoneMinder's shared memory files (/dev/shm/zm.mmap.*) are 0640 www-data.
    if getent group www-data >/dev/null && ! id -nG zmes | tr ' ' '\n' | grep -qx www-data; then
        adduser --quiet zmes www-data
    fi
    # zmes.yml holds secrets (admin token, ZoneMinder password): root writes it, zmes reads it.
    # An owner or mode set with dpkg-statoverride wins.
    owned() { # PATH OWNER:GROUP MODE
        dpkg-statoverride --list "$1" >/dev/null 2>&1 || { chown "$2" "$1"; chmod "$3" "$1"; }
    }
    install -d /var/lib/zmes
    owned /var/lib/zmes zmes:zmes 0700
    owned /etc/zmes root:zmes 0750
    owned /etc/zmes/zmes.yml root:zmes 0640
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload
        systemctl try-restart zmes.service || true
    fi
fi
exit 0
EOF

cat >"$ROOT/DEBIAN/prerm" <<'EOF'
#!/bin/sh
# On removal: stops zmes and disables its unit (an upgrade keeps it running; postinst restarts it).
set -e
case "$1" in
remove | deconfigure)
    if [ -d /run/systemd/system ]; then
        systemctl stop zmes.service || true
    fi
    if command -v systemctl >/dev/null 2>&1; then
        systemctl --no-reload disable zmes.service >/dev/null 2>&1 || true
    fi
    ;;
esac
exit 0
EOF

cat >"$ROOT/DEBIAN/postrm" <<'EOF'
#!/bin/sh
# On purge: removes the store (/var/lib/zmes), /etc/zmes and the zmes user and group.
set -e
case "$1" in
purge)
    rm -rf /var/lib/zmes /etc/zmes
    # userdel (passwd, always there; deluser may be gone by now) also drops zmes from www-data.
    if getent passwd zmes >/dev/null; then
        if command -v userdel >/dev/null 2>&1; then userdel zmes; else deluser --quiet --system zmes; fi
    fi
    if getent group zmes >/dev/null; then
        if command -v groupdel >/dev/null 2>&1; then groupdel zmes; else delgroup --quiet --system zmes; fi
    fi
    ;;
esac
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload || true
fi
exit 0
EOF
chmod 0755 "$ROOT/DEBIAN/postinst" "$ROOT/DEBIAN/prerm" "$ROOT/DEBIAN/postrm"

# ---------------------------------------------------------------- build the .deb
DEB=$OUTPUT_DIR/zmes_${DEB_VERSION}_$ARCH.deb
dpkg-deb --build --root-owner-group "$ROOT" "$DEB" >"$STAGE/dpkg-deb.log" 2>&1 ||
    { cat "$STAGE/dpkg-deb.log" >&2; die "dpkg-deb --build failed"; }
log "zmes $DEB_VERSION ($ARCH), $(du -h "$DEB" | cut -f1); Depends: $DEPENDS"
if command -v lintian >/dev/null 2>&1; then
    lintian --no-tag-display-limit "$DEB" >&2 || log "lintian reported the tags above"
fi
echo "$DEB"
