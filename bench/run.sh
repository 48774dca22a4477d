#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs zodiac's benchmark (bench/README.md): starts the local test backends,
# points ODBC at them, builds, and runs bench/bench with the arguments given.
#
#   bench/run.sh [bench arguments...]
#   bench/run.sh -n 20000 -r 9 --rss-rows 1000000        # what bench/RESULTS.md ran
#   bench/run.sh --backend postgresql -w W1,W4
#
# The backends run from the set-up in $ZC_RUNDIR (default /tmp/zodiac-run),
# started with scripts/backends.sh if they are not running, and are left
# running afterwards (`scripts/backends.sh stop` stops them). bench runs on
# the backends named with --backend, by default on all three.
#
# Environment:
#   BUILD_DIR   build tree (default: _build in the source tree); configured
#               there if it has no Makefile yet
#   ZC_RUNDIR, ZC_PG_PORT, ZC_MARIADB_PORT   see scripts/backends.sh
set -eu
set -o pipefail

srcdir=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$srcdir/_build}
ZC_RUNDIR=${ZC_RUNDIR:-/tmp/zodiac-run}
export ZC_RUNDIR

die() { printf 'run.sh: error: %s\n' "$*" >&2; exit 1; }

# Start the backends unless both servers already run. Always all three:
# backends.sh rewrites odbc.ini and env.sh for the backends it is given, and
# the test suite shares those files.
status=$("$srcdir/scripts/backends.sh" status 2>/dev/null || true)
if [ ! -f "$ZC_RUNDIR/env.sh" ] ||
   ! printf '%s\n' "$status" | grep -q '^postgresql: running' ||
   ! printf '%s\n' "$status" | grep -q '^mariadb: running'; then
    "$srcdir/scripts/backends.sh" start >&2
fi
[ -f "$ZC_RUNDIR/env.sh" ] || die "$ZC_RUNDIR/env.sh was not written"
# shellcheck disable=SC1091
. "$ZC_RUNDIR/env.sh"

if [ ! -f "$BUILD_DIR/Makefile" ]; then
    [ -x "$srcdir/configure" ] || (cd "$srcdir" && autoreconf -fi)
    mkdir -p "$BUILD_DIR"
    (cd "$BUILD_DIR" && "$srcdir/configure" CFLAGS="${CFLAGS:--O2 -g -Wall -Wextra}") >&2
fi
make -C "$BUILD_DIR" -j"$(nproc)" libzodiac.la bench/bench >&2

# What is being measured: the commit, and any uncommitted change to the library.
if git -C "$srcdir" rev-parse --git-dir >/dev/null 2>&1; then
    echo "source: $(git -C "$srcdir" log -1 --format='%h %s')"
    dirty=$(git -C "$srcdir" status --porcelain -- src include | awk '{print $2}' | tr '\n' ' ')
    [ -z "$dirty" ] || echo "source: uncommitted changes in: $dirty"
fi
exec "$BUILD_DIR/bench/bench" "$@"
