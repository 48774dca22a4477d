#!/bin/bash
# SPDX-License-Identifier: MIT
# The zodiac test command (README and CI run this).
#
#   scripts/test.sh [--no-distcheck] [--no-sanitize] [--no-fuzz] [--backends "sqlite postgresql mariadb"]
#
# Phases: install Debian packages (scripts/install-deps.sh, as root or via
# sudo), autoreconf, configure + build out of tree in _build/, start the test
# backends (scripts/backends.sh), make check, make distcheck, make check under
# sanitizers, make check under valgrind, the threaded tests under
# ThreadSanitizer, the fuzz targets (scripts/fuzz.sh).  The backends
# are stopped on exit unless ZC_KEEP_BACKENDS=1.  Exits non-zero on any
# failure.
#
# Options:
#   --no-distcheck        skip `make distcheck`
#   --no-sanitize         skip the ASan + UBSan run of make check
#   --no-fuzz             skip the fuzz phase (scripts/fuzz.sh, clang + libFuzzer)
#   --no-valgrind         skip make check under valgrind (tests/valgrind.sh)
#   --no-tsan             skip the threaded tests under ThreadSanitizer
#   --backends "LIST"     backends the tests use (ZC_TEST_BACKENDS); any of
#                         sqlite postgresql mariadb.  Servers are started only
#                         for the ones listed.
# Environment:
#   CFLAGS            default "-O2 -g -Wall -Wextra -Werror"
#   ZC_FUZZ_SECONDS   time per fuzz target in the fuzz phase (default 20)
#   ZC_KEEP_BACKENDS  1: leave the servers running afterwards
#   ZC_RUNDIR, ZC_PG_PORT, ZC_MARIADB_PORT   see scripts/backends.sh
#   ZC_FAULT_PG_PORT, ZC_FAULT_MARIADB_PORT  ports of the fault instance (default
#                     55434, 33307): a second PostgreSQL / MariaDB in
#                     $ZC_RUNDIR/fault that tests/check_fault.c kills connections
#                     of and restarts, so the other suites' servers stay untouched
set -eu
set -o pipefail

srcdir=$(cd "$(dirname "$0")/.." && pwd)
cd "$srcdir"

distcheck=1
sanitize=1
fuzz=1
valgrind=1
tsan=1
backends="sqlite postgresql mariadb"

usage() { sed -n '3,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"; }
die() { printf 'test.sh: error: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --no-distcheck) distcheck=0 ;;
        --no-sanitize) sanitize=0 ;;
        --no-fuzz) fuzz=0 ;;
        --no-valgrind) valgrind=0 ;;
        --no-tsan) tsan=0 ;;
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
# backends.sh on the fault instance (ZC_PG_REPLICA_PORT=0: it has no replica).
fault_backends() {
    ZC_RUNDIR=$ZC_FAULT_RUNDIR ZC_PG_PORT=$ZC_FAULT_PG_PORT ZC_MARIADB_PORT=$ZC_FAULT_MARIADB_PORT \
        ZC_PG_REPLICA_PORT=0 "$srcdir/scripts/backends.sh" "$@"
}
stop_backends() {
    local rc=$?
    if [ "${ZC_KEEP_BACKENDS:-0}" = 1 ]; then
        printf '\ntest.sh: ZC_KEEP_BACKENDS=1: leaving the backends running (. %s)\n' "$ZC_RUNDIR/env.sh"
    else
        printf '\n==================== stop backends ====================\n'
        "$srcdir/scripts/backends.sh" stop || true
        if [ -n "${ZC_FAULT_RUNDIR:-}" ]; then
            fault_backends stop || true
        fi
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

# The fault instance: the servers of the run once more, for tests/check_fault.c.
# It reaches them through DSN-less strings made from the instance's odbc.ini
# sections (ODBCINI is process-wide) with the driver names of the main
# odbcinst.ini, and restarts them through backends.sh stop-pg / start-pg etc.
odbc_section() { # FILE SECTION: its key=value lines (no Description) joined by ';'
    awk -v s="[$2]" '$0 == s { on = 1; next } /^\[/ { on = 0 }
        on && /=/ && !/^;/ && !/^Description=/ { printf "%s%s", sep, $0; sep = ";" }' "$1"
}
fault_servers=""
case " $backends " in *" postgresql "*) fault_servers="$fault_servers postgresql" ;; esac
case " $backends " in *" mariadb "*) fault_servers="$fault_servers mariadb" ;; esac
if [ -n "$fault_servers" ]; then
    export ZC_FAULT_RUNDIR="$ZC_RUNDIR/fault"
    export ZC_FAULT_PG_PORT=${ZC_FAULT_PG_PORT:-55434}
    export ZC_FAULT_MARIADB_PORT=${ZC_FAULT_MARIADB_PORT:-33307}
    export ZC_FAULT_BACKENDS_SH="$srcdir/scripts/backends.sh"
    # shellcheck disable=SC2086 # the list is meant to split into words
    fault_backends start $fault_servers
    fault_ini="$ZC_FAULT_RUNDIR/odbc/odbc.ini"
    case " $fault_servers " in *" postgresql "*)
        export ZC_FAULT_PG="$(odbc_section "$fault_ini" zc_pg);${ZC_TEST_PG#DSN=*;}"
        export ZC_FAULT_PG_NOPOOL="$(odbc_section "$fault_ini" zc_pg_nopool);${ZC_TEST_PG#DSN=*;}"
        echo "fault instance: ZC_FAULT_PG=${ZC_FAULT_PG%%;UID=*};..." ;;
    esac
    case " $fault_servers " in *" mariadb "*)
        export ZC_FAULT_MARIA="$(odbc_section "$fault_ini" zc_maria);${ZC_TEST_MARIA#DSN=*;}"
        export ZC_FAULT_MARIA_NOPOOL="$(odbc_section "$fault_ini" zc_maria_nopool);${ZC_TEST_MARIA#DSN=*;}"
        echo "fault instance: ZC_FAULT_MARIA=${ZC_FAULT_MARIA%%;UID=*};..." ;;
    esac
    # For reruns with ZC_KEEP_BACKENDS=1: . env.sh && . fault.env.sh && make check
    env | grep '^ZC_FAULT_' | sed "s/^\([^=]*\)=\(.*\)\$/export \1='\2'/" >"$ZC_RUNDIR/fault.env.sh"
fi
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

# --------------------------------------------------------------------------
# The whole make check again, every test program under valgrind's memcheck
# (tests/valgrind.sh is the test driver's LOG_COMPILER; memory errors and leaks
# that tests/valgrind.supp does not explain fail the test). Under valgrind a test
# runs 20-50 times slower: Check's time limits are stretched 20 times, and the load
# test runs 32 threads x 50 sessions instead of 10000 (it prints its scale).
if [ "$valgrind" -eq 1 ]; then
    phase "valgrind: make check under memcheck (_build/, ZC_LOAD_SESSIONS=50)"
    vg_rc=0
    (cd _build && ZC_LOAD_SESSIONS=50 CK_TIMEOUT_MULTIPLIER=20 \
        make check LOG_COMPILER="$srcdir/tests/valgrind.sh") || vg_rc=$?
    echo "Check test cases under valgrind: $(count_check_cases _build)"
    if [ "$vg_rc" -ne 0 ]; then
        echo "make check under valgrind FAILED (exit $vg_rc)"
        show_failures _build
        final_line="tests: $results"
        exit 1
    fi
    phase_done "valgrind"
else
    phase "valgrind: skipped (--no-valgrind)"
fi

# --------------------------------------------------------------------------
# The tests that run threads, built with -fsanitize=thread: the admission tests
# (check_db), the retry helper (check_txn) and the load test at 32 threads x 1000
# sessions (check_load; it prints its scale). tests/tsan.supp holds what TSan
# reports inside unixODBC and the drivers, each entry with its reason.
if [ "$tsan" -eq 1 ]; then
    phase "tsan: threaded tests under ThreadSanitizer (_build-tsan/, ZC_LOAD_SESSIONS=1000)"
    mkdir -p _build-tsan
    tsan_tests="tests/check_db tests/check_txn tests/check_load tests/check_trust tests/check_link"
    (cd _build-tsan && ../configure CFLAGS="-O1 -g -fsanitize=thread -Wall -Wextra -Werror" \
        LDFLAGS="-fsanitize=thread" > configure.out && make -j2 > make.out)
    tsan_rc=0
    (cd _build-tsan && ZC_LOAD_SESSIONS=1000 \
        TSAN_OPTIONS="suppressions=$srcdir/tests/tsan.supp second_deadlock_stack=1" \
        make check TESTS="$tsan_tests" check_PROGRAMS="$tsan_tests") || tsan_rc=$?
    if [ "$tsan_rc" -ne 0 ]; then
        echo "threaded tests under ThreadSanitizer FAILED (exit $tsan_rc)"
        show_failures _build-tsan
        final_line="tests: $results"
        exit 1
    fi
    phase_done "tsan"
else
    phase "tsan: skipped (--no-tsan)"
fi

# --------------------------------------------------------------------------
# Every parser under libFuzzer for a bounded time (ZC_FUZZ_SECONDS per target);
# make check has already replayed the seed corpora.
if [ "$fuzz" -eq 1 ]; then
    phase "fuzz: scripts/fuzz.sh, ${ZC_FUZZ_SECONDS:-20}s per target (_build-fuzz/)"
    scripts/fuzz.sh "${ZC_FUZZ_SECONDS:-20}"
    phase_done "fuzz"
else
    phase "fuzz: skipped (--no-fuzz)"
fi

printf '\ntest.sh: all phases passed in %ss\n' "$(( $(date +%s) - all_start ))"
final_line="tests: $results"
