#!/bin/bash
# The zodiac test command (README and CI run this).
#
#   scripts/test.sh [--no-distcheck] [--no-sanitize] [--backends "sqlite postgresql mariadb"]
#
# Phases: install Debian packages (scripts/install-deps.sh, as root or via
# sudo), autoreconf, configure + build out of tree in _build/, start the test
# backends (scripts/backends.sh), make check, make distcheck.  The backends
# are stopped on exit unless ZC_KEEP_BACKENDS=1.  Exits non-zero on any
# failure.
#
# Options:
#   --no-distcheck        skip `make distcheck`
#   --no-sanitize         skip the ASan + UBSan run of make check
#   --backends "LIST"     backends the tests use (ZC_TEST_BACKENDS); any of
#                         sqlite postgresql mariadb.  Servers are started only
#                         for the ones listed.
# Environment:
#   CFLAGS            default "-O2 -g -Wall -Wextra -Werror"
#   ZC_KEEP_BACKENDS  1: leave the servers running afterwards
#   ZC_RUNDIR, ZC_PG_PORT, ZC_MARIADB_PORT   see scripts/backends.sh
set -eu
set -o pipefail

srcdir=$(cd "$(dirname "$0")/.." && pwd)
cd "$srcdir"

distcheck=1
sanitize=1
backends="sqlite postgresql mariadb"

usage() { sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"; }
die() { printf 'test.sh: error: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --no-distcheck) distcheck=0 ;;
        --no-sanitize) sanitize=0 ;;
        --backends) [ $# -ge 2 ] || die "--backends needs a list"; backends=$2; shift ;;
        --backends=*) backends=${1#--backends=} ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
    shift
done

# Validate and normalise the backend list.
want=""
for b in $backends; do
    case "$b" in
        sqlite|sqlite3) b=sqlite ;;
        pg|postgres|postgresql) b=postgresql ;;
        maria|mariadb|mysql) b=mariadb ;;
        *) die "unknown backend '$b' (expected sqlite, postgresql, mariadb)" ;;
    esac
    case " $want " in *" $b "*) ;; *) want="${want:+$want }$b" ;; esac
done
[ -n "$want" ] || die "--backends is empty"
backends=$want

: "${CFLAGS:=-O2 -g -Wall -Wextra -Werror}"
export CFLAGS
ZC_RUNDIR=${ZC_RUNDIR:-/tmp/zodiac-run}
export ZC_RUNDIR

phase_start=$(date +%s)
all_start=$phase_start
phase() {
    printf '\n==================== %s ====================\n' "$*"
    phase_start=$(date +%s)
}
phase_done() {
    printf -- '---- %s: done in %ss\n' "$1" "$(( $(date +%s) - phase_start ))"
}

# --------------------------------------------------------------------------
phase "1/7 install dependencies"
if [ "$(id -u)" -eq 0 ]; then
    scripts/install-deps.sh
elif command -v sudo >/dev/null 2>&1; then
    sudo scripts/install-deps.sh
else
    # Succeeds when everything is installed already; otherwise says what is missing.
    scripts/install-deps.sh
fi
phase_done "install dependencies"

# --------------------------------------------------------------------------
phase "2/7 autoreconf"
autoreconf -fi
phase_done "autoreconf"

# --------------------------------------------------------------------------
phase "3/7 configure and build (_build/, CFLAGS=$CFLAGS)"
mkdir -p _build
cd _build
../configure CFLAGS="$CFLAGS"
make -j2
cd "$srcdir"
phase_done "build"

# --------------------------------------------------------------------------
phase "4/7 start backends ($backends)"
# The summary line is printed last, after the backends are stopped.
final_line=""
stop_backends() {
    local rc=$?
    if [ "${ZC_KEEP_BACKENDS:-0}" = 1 ]; then
        printf '\ntest.sh: ZC_KEEP_BACKENDS=1: leaving the backends running (. %s)\n' "$ZC_RUNDIR/env.sh"
    else
        printf '\n==================== stop backends ====================\n'
        "$srcdir/scripts/backends.sh" stop || true
    fi
    if [ "$rc" -ne 0 ]; then
        printf '\ntest.sh: FAILED (exit %s)\n' "$rc"
    fi
    if [ -n "$final_line" ]; then
        echo "$final_line"
    fi
    exit "$rc"
}
trap stop_backends EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# shellcheck disable=SC2086 # the list is meant to split into words
scripts/backends.sh start $backends
# shellcheck disable=SC1091 # written at run time by backends.sh
. "$ZC_RUNDIR/env.sh"
export ZC_TEST_BACKENDS="$backends"
echo "ZC_TEST_BACKENDS=$ZC_TEST_BACKENDS"
echo "ODBCSYSINI=$ODBCSYSINI ODBCINI=$ODBCINI"
phase_done "start backends"

# The files of a build tree, leaving out the trees `make distcheck` unpacks
# into it (zodiac-VERSION/).
tree_files() {
    local dir=$1
    shift
    find "$dir" -path "$dir/zodiac-*" -prune -o "$@" -print 2>/dev/null
}

# Print test-suite.log (it holds the logs of the failed tests) of a build tree.
show_failures() {
    local f
    while IFS= read -r f; do
        printf '\n---- %s\n' "$f"
        cat "$f"
    done < <(tree_files "$1" -name test-suite.log)
}

# "N passed, N failed, N skipped" over the automake test results (.trs).
count_results() {
    local pass=0 fail=0 skip=0 res
    while IFS= read -r res; do
        case "$res" in
            PASS|XFAIL) pass=$((pass + 1)) ;;
            SKIP) skip=$((skip + 1)) ;;
            *) fail=$((fail + 1)) ;;
        esac
    done < <(tree_files "$1" -name '*.trs' | while IFS= read -r f; do sed -n 's/^:test-result: //p' "$f"; done)
    echo "$pass passed, $fail failed, $skip skipped"
}

# Check's own per-case totals, from the test logs.
count_check_cases() {
    tree_files "$1" -name '*.log' ! -name test-suite.log ! -name config.log |
        while IFS= read -r f; do cat "$f"; done |
        sed -n 's/^[0-9]*%: Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p' |
        awk '{ c += $1; f += $2; e += $3 } END { printf "%d checks, %d failures, %d errors\n", c, f, e }'
}

# --------------------------------------------------------------------------
phase "5/7 make check"
check_rc=0
(cd _build && make check) || check_rc=$?
results=$(count_results _build)
echo "Check test cases: $(count_check_cases _build)"
if [ "$check_rc" -ne 0 ]; then
    echo "make check FAILED (exit $check_rc); logs of the failed tests follow"
    show_failures _build
    final_line="tests: $results"
    exit 1
fi
phase_done "make check"

# --------------------------------------------------------------------------
if [ "$distcheck" -eq 1 ]; then
    phase "6/7 make distcheck"
    dc_rc=0
    (cd _build && make distcheck DISTCHECK_CONFIGURE_FLAGS="CFLAGS='$CFLAGS'") || dc_rc=$?
    if [ "$dc_rc" -ne 0 ]; then
        echo "make distcheck FAILED (exit $dc_rc)"
        show_failures "$(find _build -maxdepth 1 -type d -name 'zodiac-*' | head -1)"
        final_line="tests: $results"
        exit 1
    fi
    phase_done "make distcheck"
else
    phase "6/7 make distcheck: skipped (--no-distcheck)"
fi

# --------------------------------------------------------------------------
if [ "$sanitize" -eq 1 ]; then
    phase "7/7 make check under AddressSanitizer + UndefinedBehaviorSanitizer (_build-asan/)"
    # Leak checking is valgrind's job (tests/valgrind.supp): unixODBC keeps pooled
    # connections for the life of the process, which LeakSanitizer reports.
    mkdir -p _build-asan
    san="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
    (cd _build-asan && ../configure CFLAGS="-O1 -g $san -Wall -Wextra -Werror" \
        LDFLAGS="-fsanitize=address,undefined" > configure.out && make -j2 > make.out)
    asan_rc=0
    (cd _build-asan && ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1 make check) || asan_rc=$?
    if [ "$asan_rc" -ne 0 ]; then
        echo "make check under sanitizers FAILED (exit $asan_rc)"
        show_failures _build-asan
        final_line="tests: $results"
        exit 1
    fi
    phase_done "sanitizers"
else
    phase "7/7 sanitizers: skipped (--no-sanitize)"
fi

printf '\ntest.sh: all phases passed in %ss\n' "$(( $(date +%s) - all_start ))"
final_line="tests: $results"
