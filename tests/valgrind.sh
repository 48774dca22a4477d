#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs one test of `make check` under valgrind's memcheck: scripts/test.sh's
# valgrind phase passes it as the test driver's LOG_COMPILER,
#
#   make check LOG_COMPILER=$srcdir/tests/valgrind.sh
#
# A test program (a libtool wrapper script or an executable) runs under
#   ./libtool --mode=execute valgrind --leak-check=full --error-exitcode=99
#       --suppressions=tests/valgrind.supp ...
# so that valgrind sees the real binary with the freshly built libzodiac. Any
# memory error, or a definite or possible leak that tests/valgrind.supp does not
# explain, makes the test fail: valgrind exits with 99, which the test driver
# counts as a hard error. Valgrind follows fork() by itself, so Check's fork per
# test (CK_FORK) and the child processes the tests fork themselves are checked
# too, each at its own exit. Programs a test starts with exec (the zodiac tool
# run by check_tool, the servers check_fault restarts) run natively, as do the
# shell tests (tests/*.sh): valgrind on /bin/sh would check the shell.
#
# Environment: VALGRIND (default valgrind), VALGRIND_OPTS (appended; valgrind
# reads it itself as well), LIBTOOL (default ./libtool of the build directory).
set -eu

test=$1
shift
case $test in
*.sh) exec "$test" "$@" ;;
esac

supp=$(cd "$(dirname "$0")" && pwd)/valgrind.supp
# A test that meets one of valgrind's limits adapts to it (check_ddl: valgrind's
# long double has only double's precision).
ZC_UNDER_VALGRIND=1
export ZC_UNDER_VALGRIND
exec "${LIBTOOL:-./libtool}" --mode=execute "${VALGRIND:-valgrind}" \
    --quiet --leak-check=full --show-leak-kinds=definite,possible \
    --errors-for-leak-kinds=definite,possible --error-exitcode=99 \
    --num-callers=30 --suppressions="$supp" \
    "$test" "$@"
