#!/bin/sh
# SPDX-License-Identifier: MIT
# Install every Debian package zodiac needs to build, test and run its demo.
# Idempotent; run as root (CI runs it as root).  Usage: scripts/install-deps.sh [--demo]
#   --demo   only what the SQLite demo needs (no database servers)
set -eu

pkgs_build="autoconf automake libtool pkg-config make gcc unixodbc unixodbc-dev odbcinst \
check uuid-dev libsqliteodbc sqlite3"
pkgs_servers="odbc-postgresql odbc-mariadb postgresql mariadb-server mariadb-client valgrind"
# scripts/fuzz.sh: clang, and libclang-rt-14-dev for libFuzzer and the sanitizer runtimes
# (it ships libclang_rt.fuzzer-x86_64.a; installing clang does not bring it)
pkgs_fuzz="clang libclang-rt-14-dev"

want="$pkgs_build"
[ "${1:-}" = "--demo" ] || want="$want $pkgs_servers $pkgs_fuzz"

missing=""
for p in $want; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && { echo "install-deps: all packages present"; exit 0; }

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing:$missing — run as root (or with sudo)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Servers are started by scripts/backends.sh on their own ports; keep the
# packages' own service units from starting the system clusters.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -q
# shellcheck disable=SC2086 # one word per package
apt-get install -y -q --no-install-recommends $missing
echo "install-deps: installed:$missing"
