#!/bin/bash
# SPDX-License-Identifier: MIT
# The zodiac demo (README): builds the library and runs the `users` example
# against SQLite -- no database server needed.
#
#   scripts/demo.sh [CONNECTION-STRING]
#
# Steps: install the Debian packages the demo needs
# (scripts/install-deps.sh --demo, with sudo when not root), autoreconf,
# configure + build in _build/, write the ODBC configuration for SQLite
# (scripts/backends.sh start sqlite), then run _build/examples/users with it.
# The optional argument is passed to the example (its default is
# "DSN=zc_sqlite").
set -eu
set -o pipefail

srcdir=$(cd "$(dirname "$0")/.." && pwd)
cd "$srcdir"

step() { printf '\n==== demo: %s ====\n' "$*"; }

# An ordinary user cannot write a run directory that root created earlier
# (for example by scripts/test.sh); give such a user a run directory of its own.
if [ -z "${ZC_RUNDIR:-}" ]; then
    ZC_RUNDIR=/tmp/zodiac-run
    if [ -e "$ZC_RUNDIR" ] && [ ! -w "$ZC_RUNDIR" ]; then
        ZC_RUNDIR=/tmp/zodiac-run-$(id -un)
    fi
fi
export ZC_RUNDIR

step "install dependencies"
if [ "$(id -u)" -eq 0 ]; then
    scripts/install-deps.sh --demo
elif command -v sudo >/dev/null 2>&1; then
    sudo scripts/install-deps.sh --demo
else
    scripts/install-deps.sh --demo
fi

step "autoreconf"
autoreconf -fi

step "configure and build in _build/"
mkdir -p _build
(cd _build && ../configure && make -j2)

step "ODBC configuration for SQLite"
scripts/backends.sh start sqlite
# shellcheck disable=SC1091 # written at run time by backends.sh
. "$ZC_RUNDIR/env.sh"

step "run examples/users${*:+ $*}"
exec _build/examples/users "$@"
