#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs examples/partition (vertical partitioning: users and analytics events in
# two databases) as a test of make check.
#
# Always: users and events in two SQLite files of a fresh temporary directory.
# When ZC_TEST_PG and ZC_TEST_MARIA are set (scripts/backends.sh's env.sh): users
# on PostgreSQL and events on MariaDB as well. The example checks what it reads
# back and exits non-zero on any difference; this script also checks, from its
# output, that each database really was the DBMS it was meant to be.
set -eu

prog=${ZC_PARTITION_PROG:-./examples/partition}
suffix=_p$$
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zc-partition.XXXXXX")
server_users="" server_analytics=""

# Leaves the shared servers as they were: drops the tables of this run (isql is
# unixODBC's command-line client; without it the tables stay, named after our pid).
drop_table() { # CONN TABLE
    [ -n "$1" ] && command -v isql >/dev/null 2>&1 || return 0
    echo "DROP TABLE IF EXISTS $2" | isql -b -k "$1" >/dev/null 2>&1 || true
}
cleanup() {
    drop_table "$server_users" "users$suffix"
    drop_table "$server_analytics" "events$suffix"
    rm -rf "$tmp"
}
trap cleanup EXIT

# run NAME USERS-CONN ANALYTICS-CONN USERS-DBMS ANALYTICS-DBMS
run() {
    echo "==== $1"
    "$prog" "$2" "$3" "$suffix" > "$tmp/out" 2>&1 || {
        cat "$tmp/out"
        echo "FAIL: $1: examples/partition exited non-zero"
        exit 1
    }
    cat "$tmp/out"
    grep -q "^users_db: $4 " "$tmp/out" || { echo "FAIL: $1: users_db is not $4"; exit 1; }
    grep -q "^analytics: $5 " "$tmp/out" || { echo "FAIL: $1: analytics is not $5"; exit 1; }
    grep -q "^done: 3 users in users_db, 6 events in analytics$" "$tmp/out" ||
        { echo "FAIL: $1: unexpected totals"; exit 1; }
    echo "PASS: $1"
}

run "sqlite + sqlite" \
    "Driver=SQLite3;Database=$tmp/users.sqlite;Timeout=5000" \
    "Driver=SQLite3;Database=$tmp/analytics.sqlite;Timeout=5000" SQLite SQLite

if [ -n "${ZC_TEST_PG:-}" ] && [ -n "${ZC_TEST_MARIA:-}" ]; then
    server_users=$ZC_TEST_PG server_analytics=$ZC_TEST_MARIA
    run "postgresql + mariadb" "$ZC_TEST_PG" "$ZC_TEST_MARIA" PostgreSQL MariaDB
else
    echo "(ZC_TEST_PG / ZC_TEST_MARIA not set: PostgreSQL + MariaDB not run)"
fi
