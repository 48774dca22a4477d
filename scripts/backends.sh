#!/bin/bash
# SPDX-License-Identifier: MIT
# Manage zodiac's local test backends: a private PostgreSQL 15 cluster with a
# hot-standby streaming replica of it, and a private MariaDB 10.11 server, all
# on 127.0.0.1 only, plus the unixODBC
# configuration (odbcinst.ini, odbc.ini) and an env.sh fragment that points
# the tests at them.  The system clusters (ports 5432/3306) are never touched.
#
# Usage:
#   scripts/backends.sh start [BACKEND...]   start (or reuse) servers, write ODBC files
#   scripts/backends.sh stop                 stop our servers (safe if not running)
#   scripts/backends.sh restart [BACKEND...] stop, then start
#   scripts/backends.sh status               say what runs
#   scripts/backends.sh env                  print $ZC_RUNDIR/env.sh
#   scripts/backends.sh stop-pg | start-pg | restart-pg
#   scripts/backends.sh stop-mariadb | start-mariadb | restart-mariadb
#                                            one server only; the ODBC files and
#                                            env.sh stay as they are (the fault
#                                            tests, tests/check_fault.c, use these)
#   scripts/backends.sh replica-stop         stop only the PostgreSQL replica (data kept)
#   scripts/backends.sh replica-start        start it again; returns once it streams
#
#   BACKEND is any of: sqlite postgresql mariadb (default: all three).
#   SQLite needs no server, so `start sqlite` (or `start --only sqlite`) only
#   writes the ODBC files -- that is what the demo uses.
#
#   `start postgresql` starts the primary and then its replica: a copy made
#   with `pg_basebackup -R` (once; reused afterwards while it still belongs to
#   the primary) that runs as a hot standby and streams the primary's WAL.
#   start returns when the primary's pg_stat_replication shows it `streaming`
#   and the replica answers pg_is_in_recovery() = true.  Its DSN is
#   zc_pg_replica (env.sh: ZC_TEST_PG_REPLICA); writes there fail with SQLSTATE
#   25006.  Tests stop and restart it with replica-stop / replica-start
#   ($ZC_BACKENDS_SH in env.sh is this script's absolute path) to prove that
#   reads fall back to the primary.  See docs/replica.md.
#
# Environment:
#   ZC_RUNDIR        run directory, absolute (default /tmp/zodiac-run)
#   ZC_PG_PORT       PostgreSQL port (default 55432)
#   ZC_PG_REPLICA_PORT  port of the PostgreSQL replica (default 55433; 0: no replica)
#   ZC_MARIADB_PORT  MariaDB port    (default 33306)
#   ZC_START_TIMEOUT seconds to wait for each server to accept connections (default 60)
#
# Layout of $ZC_RUNDIR:
#   pg/            PostgreSQL data directory (owned by the server's user)
#   pg-socket/     PostgreSQL unix socket directory
#   pg-replica/    the replica's data directory (standby.signal, primary_conninfo)
#   pg-replica-socket/  the replica's unix socket directory
#   mariadb/       MariaDB data directory
#   mariadb-run/   MariaDB socket, pid file and error log
#   mariadb.cnf    MariaDB option file (server and client groups)
#   sqlite/        SQLite database files
#   log/           PostgreSQL server logs (postgresql.log, postgresql-replica.log),
#                  initdb / pg_basebackup / install-db / mariadbd output
#   odbc/          odbcinst.ini and odbc.ini (ODBCSYSINI)
#   env.sh         sh fragment exporting everything the tests need
#
# As root, PostgreSQL runs as the `postgres` system user and MariaDB as
# `mysql` (neither server runs as root); as an ordinary user both run as
# that user.
set -eu
set -o pipefail

ZC_RUNDIR=${ZC_RUNDIR:-/tmp/zodiac-run}
ZC_PG_PORT=${ZC_PG_PORT:-55432}
ZC_MARIADB_PORT=${ZC_MARIADB_PORT:-33306}
ZC_START_TIMEOUT=${ZC_START_TIMEOUT:-60}

# Credentials the tests use (also in env.sh; never in odbc.ini).
ZC_DB_NAME=zodiac_test
ZC_DB_USER=zodiac
ZC_DB_PASSWORD=zodiac-secret

PG_BIN=${ZC_PG_BIN:-/usr/lib/postgresql/15/bin}
PG_MAJOR=15

# The streaming replica (pg_basebackup -R from the primary) listens on this
# port, with its data directory in $ZC_RUNDIR/pg-replica; 0 means no replica.
# The primary is configured for it: wal_level=replica, max_wal_senders, and a
# pg_hba line for replication from 127.0.0.1 (the zodiac role may replicate).
ZC_PG_REPLICA_PORT=${ZC_PG_REPLICA_PORT:-55433}

# This script's absolute path (env.sh exports it as ZC_BACKENDS_SH for tests).
ZC_BACKENDS_SH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")

prog=backends.sh

log() { printf '%s: %s\n' "$prog" "$*"; }
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }

case "$ZC_RUNDIR" in
    /*) ;;
    *) die "ZC_RUNDIR must be an absolute path (got '$ZC_RUNDIR')" ;;
esac
for p in "$ZC_PG_PORT" "$ZC_MARIADB_PORT" "$ZC_PG_REPLICA_PORT"; do
    case "$p" in
        ''|*[!0-9]*) die "ports must be numbers (got '$p')" ;;
    esac
    if [ "$p" -eq 5432 ] || [ "$p" -eq 3306 ]; then
        die "port $p belongs to the system cluster; pick another"
    fi
done
[ "$ZC_PG_REPLICA_PORT" -ne "$ZC_PG_PORT" ] ||
    die "ZC_PG_REPLICA_PORT must differ from ZC_PG_PORT (both $ZC_PG_PORT)"

PG_DATA=$ZC_RUNDIR/pg
PG_SOCK=$ZC_RUNDIR/pg-socket
PG_LOG=$ZC_RUNDIR/log/postgresql.log
PG_REPLICA_DATA=$ZC_RUNDIR/pg-replica
PG_REPLICA_SOCK=$ZC_RUNDIR/pg-replica-socket
PG_REPLICA_LOG=$ZC_RUNDIR/log/postgresql-replica.log
# The replica's cluster_name: its walreceiver's application_name on the primary.
PG_REPLICA_NAME=zc_replica
# Written into pg-replica/ once the copy is complete and configured.
REPLICA_MARK=.zodiac-replica
MY_DATA=$ZC_RUNDIR/mariadb
MY_RUN=$ZC_RUNDIR/mariadb-run
MY_CNF=$ZC_RUNDIR/mariadb.cnf
MY_SOCK=$MY_RUN/mariadbd.sock
MY_PID=$MY_RUN/mariadbd.pid
MY_ERR=$MY_RUN/mariadbd.err
ODBC_DIR=$ZC_RUNDIR/odbc
SQLITE_DB=$ZC_RUNDIR/sqlite/zodiac_test.db
ENV_SH=$ZC_RUNDIR/env.sh
INIT_MARK=.zodiac-initialized

if [ "$(id -u)" -eq 0 ]; then
    is_root=1
    PG_OS_USER=postgres
    MY_OS_USER=mysql
    MY_ADMIN=root              # unix_socket authentication as the OS root user
else
    is_root=0
    PG_OS_USER=$(id -un)
    MY_OS_USER=$(id -un)
    MY_ADMIN=$(id -un)         # created by mariadb-install-db --auth-root-socket-user
fi

# Run a command as the PostgreSQL server's OS user.
as_pg() {
    if [ "$is_root" -eq 1 ]; then
        runuser -u "$PG_OS_USER" -- "$@"
    else
        "$@"
    fi
}

# Is something accepting TCP connections on 127.0.0.1:$1 ?
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# ---------------------------------------------------------------------------
# Run directory
# ---------------------------------------------------------------------------

prepare_rundir() {
    mkdir -p "$ZC_RUNDIR" || die "cannot create $ZC_RUNDIR"
    [ -w "$ZC_RUNDIR" ] || die "$ZC_RUNDIR is not writable by $(id -un); set ZC_RUNDIR"
    # The servers' users must be able to reach their directories inside it.
    chmod 0755 "$ZC_RUNDIR"
    mkdir -p "$ZC_RUNDIR/log" "$ZC_RUNDIR/sqlite" "$ODBC_DIR"
    chmod 0755 "$ZC_RUNDIR/log" "$ZC_RUNDIR/sqlite" "$ODBC_DIR"
}

# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------

pg_running() {
    [ -f "$PG_DATA/PG_VERSION" ] || return 1
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

# Port recorded in postmaster.pid (4th line) of our running cluster.
pg_running_port() {
    sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null || true
}

pg_init() {
    [ -x "$PG_BIN/initdb" ] || die "PostgreSQL $PG_MAJOR binaries not found in $PG_BIN (run scripts/install-deps.sh)"
    if [ -f "$PG_DATA/PG_VERSION" ]; then
        local v
        v=$(cat "$PG_DATA/PG_VERSION")
        [ "$v" = "$PG_MAJOR" ] || die "$PG_DATA holds a PostgreSQL $v cluster, expected $PG_MAJOR; remove it"
        if [ -f "$PG_DATA/$INIT_MARK" ]; then
            log "postgresql: reusing data directory $PG_DATA"
            return 0
        fi
        log "postgresql: $PG_DATA is an incomplete initialisation; recreating it"
    fi
    rm -rf "$PG_DATA"
    mkdir -p "$PG_DATA" "$PG_SOCK"
    if [ "$is_root" -eq 1 ]; then
        chown "$PG_OS_USER": "$PG_DATA" "$PG_SOCK"
        as_pg test -w "$PG_DATA" ||
            die "user $PG_OS_USER cannot write $PG_DATA (is every parent of ZC_RUNDIR searchable by it?)"
    fi
    chmod 0700 "$PG_DATA"
    local locale=C
    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
        locale=C.UTF-8
    fi
    log "postgresql: initdb $PG_DATA (UTF8, locale $locale)"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --encoding=UTF8 --locale="$locale" \
        --auth-local=trust --auth-host=scram-sha-256 >"$ZC_RUNDIR/log/initdb.log" 2>&1 ||
        { cat "$ZC_RUNDIR/log/initdb.log" >&2; die "initdb failed"; }
    printf "\n# zodiac: settings for the test cluster live in zodiac.conf (rewritten by scripts/backends.sh)\ninclude_if_exists = 'zodiac.conf'\n" |
        as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
    as_pg touch "$PG_DATA/$INIT_MARK"
}

# Rewritten on every start so that changes to this script reach existing clusters.
pg_write_config() {
    mkdir -p "$PG_SOCK"
    if [ "$is_root" -eq 1 ]; then chown "$PG_OS_USER": "$PG_SOCK"; fi
    chmod 0755 "$PG_SOCK"
    as_pg tee "$PG_DATA/zodiac.conf" >/dev/null <<EOF
# Written by scripts/backends.sh -- edit the script, not this file.
listen_addresses = '127.0.0.1'
port = $ZC_PG_PORT
unix_socket_directories = '$PG_SOCK'
max_connections = 200
password_encryption = 'scram-sha-256'
timezone = 'UTC'
log_timezone = 'UTC'
# A throwaway test cluster: durability is not needed, speed is.
fsync = off
synchronous_commit = off
# For the streaming replica (pg-replica/, whose zodiac.conf is made from this file):
wal_level = replica
max_wal_senders = 5
max_replication_slots = 5
wal_keep_size = '64MB'
hot_standby = on
EOF
    as_pg tee "$PG_DATA/pg_hba.conf" >/dev/null <<'EOF'
# Written by scripts/backends.sh -- edit the script, not this file.
# TYPE  DATABASE        USER            ADDRESS                 METHOD
# The admin scripts connect through the private unix socket directory.
local   all             all                                     trust
# Tests (and the zodiac role) connect over TCP on the loopback with a password.
host    all             all             127.0.0.1/32            scram-sha-256
# Streaming replication from a replica on this machine.
host    replication     all             127.0.0.1/32            scram-sha-256
EOF
}

pg_psql() {
    as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$ZC_PG_PORT" -U postgres "$@"
}

pg_provision() {
    pg_psql -d postgres <<EOF
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ZC_DB_USER') THEN
    CREATE ROLE $ZC_DB_USER LOGIN SUPERUSER REPLICATION PASSWORD '$ZC_DB_PASSWORD';
  ELSE
    ALTER ROLE $ZC_DB_USER LOGIN SUPERUSER REPLICATION PASSWORD '$ZC_DB_PASSWORD';
  END IF;
END
\$\$;
SELECT 'CREATE DATABASE $ZC_DB_NAME OWNER $ZC_DB_USER ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$ZC_DB_NAME')
\gexec
EOF
}

pg_wait_tcp() {
    local i=0 limit=$((ZC_START_TIMEOUT * 2))
    while [ "$i" -lt "$limit" ]; do
        if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$ZC_PG_PORT" -t 1; then
            return 0
        fi
        sleep 0.5
        i=$((i + 1))
    done
    return 1
}

pg_start() {
    if pg_running; then
        local running_port
        running_port=$(pg_running_port)
        [ "$running_port" = "$ZC_PG_PORT" ] ||
            die "postgresql: our cluster already runs on port $running_port, not $ZC_PG_PORT; run '$prog stop' first"
        log "postgresql: already running on 127.0.0.1:$ZC_PG_PORT (pid $(head -1 "$PG_DATA/postmaster.pid")), reusing it"
    else
        if port_open "$ZC_PG_PORT"; then
            die "postgresql: port $ZC_PG_PORT is taken by another process; set ZC_PG_PORT"
        fi
        pg_init
        pg_write_config
        touch "$PG_LOG"
        if [ "$is_root" -eq 1 ]; then chown "$PG_OS_USER": "$PG_LOG"; fi
        log "postgresql: starting on 127.0.0.1:$ZC_PG_PORT (log $PG_LOG)"
        if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$ZC_START_TIMEOUT" start >/dev/null; then
            tail -n 30 "$PG_LOG" >&2 || true
            die "postgresql: did not start within ${ZC_START_TIMEOUT}s (log: $PG_LOG)"
        fi
    fi
    pg_wait_tcp || die "postgresql: not accepting TCP connections on 127.0.0.1:$ZC_PG_PORT after ${ZC_START_TIMEOUT}s"
    pg_provision
    log "postgresql: ready (database $ZC_DB_NAME, role $ZC_DB_USER)"
}

pg_stop() {
    if pg_running; then
        log "postgresql: stopping"
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t "$ZC_START_TIMEOUT" stop >/dev/null ||
            die "postgresql: pg_ctl stop failed (log: $PG_LOG)"
    else
        log "postgresql: not running"
    fi
}

pg_status() {
    if pg_running; then
        echo "postgresql: running on 127.0.0.1:$(pg_running_port) (pid $(head -1 "$PG_DATA/postmaster.pid"), data $PG_DATA)"
        return 0
    fi
    echo "postgresql: stopped (data $PG_DATA$([ -f "$PG_DATA/PG_VERSION" ] || echo ', not initialised'))"
    return 1
}

# ---------------------------------------------------------------------------
# PostgreSQL streaming replica (hot standby of the primary above)
# ---------------------------------------------------------------------------

replica_enabled() {
    [ "$ZC_PG_REPLICA_PORT" -ne 0 ]
}

# Serialises replica start/stop: tests may call replica-stop / replica-start
# while a `start` runs.  Servers must not inherit fd 9 (a server holding it
# would hold the lock for its lifetime): they are started with 9>&-.
replica_lock() {
    mkdir -p "$ZC_RUNDIR"
    exec 9>"$ZC_RUNDIR/.replica.lock"
    flock 9
}

replica_unlock() {
    exec 9>&-
}

pg_replica_running() {
    [ -f "$PG_REPLICA_DATA/PG_VERSION" ] || return 1
    as_pg "$PG_BIN/pg_ctl" -D "$PG_REPLICA_DATA" status >/dev/null 2>&1
}

pg_replica_running_port() {
    sed -n 4p "$PG_REPLICA_DATA/postmaster.pid" 2>/dev/null || true
}

pg_replica_psql() {
    as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_REPLICA_SOCK" -p "$ZC_PG_REPLICA_PORT" -U postgres "$@"
}

# "Database system identifier" of a data directory (readable while it runs).
pg_system_id() {
    as_pg "$PG_BIN/pg_controldata" -D "$1" 2>/dev/null | sed -n 's/^Database system identifier: *//p'
}

# Is pg-replica/ a complete copy of OUR primary that connects to its port?
# A primary made anew by initdb, or moved to another port, needs a new copy.
pg_replica_belongs() {
    local id
    [ -f "$PG_REPLICA_DATA/$REPLICA_MARK" ] && [ -f "$PG_REPLICA_DATA/standby.signal" ] || return 1
    id=$(pg_system_id "$PG_DATA")
    [ -n "$id" ] && [ "$(pg_system_id "$PG_REPLICA_DATA")" = "$id" ] || return 1
    grep -Eq "primary_conninfo = .*[' ]port=${ZC_PG_PORT}[' ]" "$PG_REPLICA_DATA/postgresql.auto.conf"
}

# The primary must send WAL to standbys and let the zodiac role replicate.
# Clusters configured by this script already do; an older one is reconfigured,
# which for wal_level / max_wal_senders means one restart of the primary.
pg_primary_allow_replication() {
    local level senders
    level=$(pg_psql -d postgres -Atc "SHOW wal_level")
    senders=$(pg_psql -d postgres -Atc "SHOW max_wal_senders")
    if [ "$level" = minimal ] || [ "$senders" -lt 2 ]; then
        log "postgresql: restarting the primary once to enable WAL streaming (wal_level=$level, max_wal_senders=$senders)"
        pg_write_config
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -m fast -w -t "$ZC_START_TIMEOUT" restart >/dev/null 9>&- ||
            die "postgresql: restart failed (log: $PG_LOG)"
        pg_wait_tcp || die "postgresql: not accepting TCP connections after the restart"
    elif ! grep -Eq '^host[[:space:]]+replication[[:space:]]' "$PG_DATA/pg_hba.conf"; then
        log "postgresql: allowing replication connections from 127.0.0.1 (reload)"
        pg_write_config
        pg_psql -d postgres -Atc "SELECT pg_reload_conf()" >/dev/null
    fi
}

# A fresh copy of the primary: pg_basebackup -R writes standby.signal and
# primary_conninfo (with the zodiac role's password; the directory is 0700).
pg_replica_clone() {
    local out=$ZC_RUNDIR/log/pg_basebackup.log
    rm -rf "$PG_REPLICA_DATA"
    mkdir -p "$PG_REPLICA_DATA"
    if [ "$is_root" -eq 1 ]; then chown "$PG_OS_USER": "$PG_REPLICA_DATA"; fi
    chmod 0700 "$PG_REPLICA_DATA"
    log "postgresql-replica: pg_basebackup -R from 127.0.0.1:$ZC_PG_PORT into $PG_REPLICA_DATA"
    # --checkpoint=fast: the default spread checkpoint makes the copy wait
    # for minutes on an idle cluster.
    as_pg env PGPASSWORD="$ZC_DB_PASSWORD" "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$ZC_PG_PORT" \
        -U "$ZC_DB_USER" -w -D "$PG_REPLICA_DATA" -R -X stream --checkpoint=fast \
        >"$out" 2>&1 || { cat "$out" >&2; die "postgresql-replica: pg_basebackup failed"; }
    as_pg touch "$PG_REPLICA_DATA/$REPLICA_MARK"
}

# The replica runs with the primary's settings (a hot standby needs
# max_connections etc. at least as high) on its own port and socket.
pg_replica_write_config() {
    mkdir -p "$PG_REPLICA_SOCK"
    if [ "$is_root" -eq 1 ]; then chown "$PG_OS_USER": "$PG_REPLICA_SOCK"; fi
    chmod 0755 "$PG_REPLICA_SOCK"
    {
        sed -e "s|^port = .*|port = $ZC_PG_REPLICA_PORT|" \
            -e "s|^unix_socket_directories = .*|unix_socket_directories = '$PG_REPLICA_SOCK'|" \
            "$PG_DATA/zodiac.conf"
        cat <<EOF
# The standby (scripts/backends.sh copies the primary's settings above):
# read-only queries while it replays WAL; application_name on the primary.
hot_standby = on
cluster_name = '$PG_REPLICA_NAME'
# Tell the primary which rows the standby's queries still read, so that
# VACUUM there does not cancel them (SQLSTATE 40001).
hot_standby_feedback = on
# After the primary restarts, reconnect within a second (default 5 s).
wal_retrieve_retry_interval = '1s'
EOF
    } | as_pg tee "$PG_REPLICA_DATA/zodiac.conf" >/dev/null
}

# Streaming: the primary's walsender for it says so, and it is in recovery.
pg_replica_streaming() {
    local n r
    n=$(pg_psql -d postgres -Atc "SELECT count(*) FROM pg_stat_replication
        WHERE application_name = '$PG_REPLICA_NAME' AND state = 'streaming'" 2>/dev/null) || return 1
    [ "${n:-0}" -ge 1 ] || return 1
    r=$(pg_replica_psql -d postgres -Atc "SELECT pg_is_in_recovery()" 2>/dev/null) || return 1
    [ "$r" = t ]
}

# 0 once streaming; 2 as soon as the primary no longer has the WAL the standby
# needs (it was stopped while the primary wrote more than it keeps); 1 on timeout.
pg_replica_wait_streaming() {
    local i=0 limit=$((ZC_START_TIMEOUT * 10))
    while [ "$i" -lt "$limit" ]; do
        pg_replica_streaming && return 0
        grep -q 'has already been removed' "$PG_REPLICA_LOG" 2>/dev/null && return 2
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

pg_replica_launch() {
    pg_replica_write_config
    : >"$PG_REPLICA_LOG" # this start's lines only: pg_replica_wait_streaming reads them
    if [ "$is_root" -eq 1 ]; then chown "$PG_OS_USER": "$PG_REPLICA_LOG"; fi
    log "postgresql-replica: starting hot standby on 127.0.0.1:$ZC_PG_REPLICA_PORT (log $PG_REPLICA_LOG)"
    if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_REPLICA_DATA" -l "$PG_REPLICA_LOG" -w -t "$ZC_START_TIMEOUT" start >/dev/null 9>&-; then
        tail -n 30 "$PG_REPLICA_LOG" >&2 || true
        die "postgresql-replica: did not start within ${ZC_START_TIMEOUT}s (log: $PG_REPLICA_LOG)"
    fi
}

pg_replica_start() {
    if ! replica_enabled; then
        log "postgresql-replica: ZC_PG_REPLICA_PORT=0, no replica"
        return 0
    fi
    pg_running || die "postgresql-replica: the primary is not running; run '$prog start postgresql'"
    replica_lock
    if pg_replica_running; then
        local running_port
        running_port=$(pg_replica_running_port)
        [ "$running_port" = "$ZC_PG_REPLICA_PORT" ] ||
            die "postgresql-replica: ours already runs on port $running_port, not $ZC_PG_REPLICA_PORT; run '$prog stop' first"
        if pg_replica_belongs; then
            log "postgresql-replica: already running on 127.0.0.1:$ZC_PG_REPLICA_PORT, reusing it"
        else
            log "postgresql-replica: the running replica is not a copy of this primary; replacing it"
            pg_replica_stop_locked
        fi
    fi
    if ! pg_replica_running; then
        if port_open "$ZC_PG_REPLICA_PORT"; then
            die "postgresql-replica: port $ZC_PG_REPLICA_PORT is taken by another process; set ZC_PG_REPLICA_PORT"
        fi
        pg_primary_allow_replication
        if pg_replica_belongs; then
            log "postgresql-replica: reusing data directory $PG_REPLICA_DATA"
        else
            pg_replica_clone
        fi
        pg_replica_launch
    fi
    local waited=0
    pg_replica_wait_streaming || waited=$?
    if [ "$waited" -eq 2 ]; then
        log "postgresql-replica: the primary no longer has the WAL this copy needs; copying it again"
        pg_replica_stop_locked
        pg_replica_clone
        pg_replica_launch
        waited=0
        pg_replica_wait_streaming || waited=$?
    fi
    if [ "$waited" -ne 0 ]; then
        tail -n 30 "$PG_REPLICA_LOG" >&2 || true
        die "postgresql-replica: not streaming from the primary after ${ZC_START_TIMEOUT}s (log: $PG_REPLICA_LOG)"
    fi
    replica_unlock
    log "postgresql-replica: streaming from 127.0.0.1:$ZC_PG_PORT (hot standby on 127.0.0.1:$ZC_PG_REPLICA_PORT)"
}

pg_replica_stop_locked() {
    if pg_replica_running; then
        log "postgresql-replica: stopping"
        as_pg "$PG_BIN/pg_ctl" -D "$PG_REPLICA_DATA" -m fast -w -t "$ZC_START_TIMEOUT" stop >/dev/null ||
            die "postgresql-replica: pg_ctl stop failed (log: $PG_REPLICA_LOG)"
    else
        log "postgresql-replica: not running"
    fi
}

# Stops whatever replica of this run directory runs, whatever ZC_PG_REPLICA_PORT says.
pg_replica_stop() {
    [ -f "$PG_REPLICA_DATA/PG_VERSION" ] || { log "postgresql-replica: none"; return 0; }
    replica_lock
    pg_replica_stop_locked
    replica_unlock
}

pg_replica_status() {
    if pg_replica_running; then
        # Ask the primary on the port it runs on, whatever ZC_PG_PORT says.
        local state ZC_PG_PORT
        ZC_PG_PORT=$(pg_running_port)
        state=$(pg_psql -d postgres -Atc "SELECT state FROM pg_stat_replication
            WHERE application_name = '$PG_REPLICA_NAME' LIMIT 1" 2>/dev/null) || state=""
        echo "postgresql-replica: running on 127.0.0.1:$(pg_replica_running_port) (pid $(head -1 "$PG_REPLICA_DATA/postmaster.pid"), data $PG_REPLICA_DATA, ${state:-not connected to the primary})"
        return 0
    fi
    echo "postgresql-replica: stopped (data $PG_REPLICA_DATA$([ -f "$PG_REPLICA_DATA/$REPLICA_MARK" ] || echo ', none'))"
    return 1
}

# ---------------------------------------------------------------------------
# MariaDB
# ---------------------------------------------------------------------------

my_find_bin() {
    local name
    for name in "$@"; do
        if command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
            return 0
        fi
        if [ -x "/usr/sbin/$name" ]; then
            echo "/usr/sbin/$name"
            return 0
        fi
    done
    return 1
}

my_write_config() {
    mkdir -p "$MY_RUN"
    if [ "$is_root" -eq 1 ]; then chown "$MY_OS_USER": "$MY_RUN"; fi
    chmod 0755 "$MY_RUN"
    {
        echo "# Written by scripts/backends.sh -- edit the script, not this file."
        echo "[client]"
        echo "socket = $MY_SOCK"
        echo "port = $ZC_MARIADB_PORT"
        echo
        echo "[mariadbd]"
        if [ "$is_root" -eq 1 ]; then echo "user = $MY_OS_USER"; fi
        echo "datadir = $MY_DATA"
        echo "socket = $MY_SOCK"
        echo "pid-file = $MY_PID"
        echo "log-error = $MY_ERR"
        echo "port = $ZC_MARIADB_PORT"
        echo "bind-address = 127.0.0.1"
        echo "max_connections = 300"
        echo "skip-name-resolve"
        echo "character-set-server = utf8mb4"
        echo "collation-server = utf8mb4_unicode_ci"
        echo "default-time-zone = '+00:00'"
        echo "# A throwaway test server: durability is not needed, speed is."
        echo "innodb_flush_log_at_trx_commit = 2"
        echo "innodb_buffer_pool_size = 128M"
        echo "innodb_log_file_size = 32M"
        echo "skip-log-bin"
    } >"$MY_CNF"
    chmod 0644 "$MY_CNF"
}

my_running() {
    [ -f "$MY_PID" ] || return 1
    local pid
    pid=$(cat "$MY_PID" 2>/dev/null) || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    # A stale pid file may name a process that is not ours any more.
    case "$(cat "/proc/$pid/comm" 2>/dev/null || echo mariadbd)" in
        mariadbd|mysqld) return 0 ;;
        *) return 1 ;;
    esac
}

my_admin() {
    "$MY_ADMIN_BIN" --defaults-file="$MY_CNF" -u "$MY_ADMIN" --connect-timeout=5 "$@"
}

my_sql() {
    "$MY_CLIENT_BIN" --defaults-file="$MY_CNF" -u "$MY_ADMIN" --connect-timeout=5 "$@"
}

my_init() {
    if [ -d "$MY_DATA/mysql" ] && [ -f "$MY_DATA/$INIT_MARK" ]; then
        log "mariadb: reusing data directory $MY_DATA"
        return 0
    fi
    if [ -d "$MY_DATA" ]; then
        log "mariadb: $MY_DATA is an incomplete initialisation; recreating it"
    fi
    rm -rf "$MY_DATA"
    mkdir -p "$MY_DATA"
    if [ "$is_root" -eq 1 ]; then chown "$MY_OS_USER": "$MY_DATA"; fi
    chmod 0750 "$MY_DATA"
    local extra=()
    if [ "$is_root" -eq 1 ]; then
        extra+=(--user="$MY_OS_USER")
    else
        extra+=(--auth-root-socket-user="$MY_ADMIN")
    fi
    log "mariadb: mariadb-install-db $MY_DATA"
    "$MY_INSTALL_BIN" --defaults-file="$MY_CNF" "${extra[@]}" \
        --auth-root-authentication-method=socket --skip-test-db --skip-name-resolve \
        >"$ZC_RUNDIR/log/mariadb-install-db.log" 2>&1 ||
        { cat "$ZC_RUNDIR/log/mariadb-install-db.log" >&2; die "mariadb-install-db failed"; }
    touch "$MY_DATA/$INIT_MARK"
}

my_wait() {
    local i=0 limit=$((ZC_START_TIMEOUT * 2)) pid=$1
    while [ "$i" -lt "$limit" ]; do
        if [ -S "$MY_SOCK" ] && my_admin ping >/dev/null 2>&1 && port_open "$ZC_MARIADB_PORT"; then
            return 0
        fi
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            tail -n 30 "$MY_ERR" >&2 2>/dev/null || true
            die "mariadb: server exited during start-up (log: $MY_ERR)"
        fi
        sleep 0.5
        i=$((i + 1))
    done
    tail -n 30 "$MY_ERR" >&2 2>/dev/null || true
    die "mariadb: not accepting connections on 127.0.0.1:$ZC_MARIADB_PORT after ${ZC_START_TIMEOUT}s (log: $MY_ERR)"
}

my_provision() {
    # 'zodiac'@'127.0.0.1' is what TCP clients (the ODBC DSNs) match, since the
    # server runs with skip-name-resolve; 'zodiac'@'localhost' is for the socket.
    # PROCESS lets the tests see other sessions in the processlist and
    # CONNECTION ADMIN lets them KILL those (the part of SUPER that covers it).
    my_sql --batch <<EOF
CREATE DATABASE IF NOT EXISTS $ZC_DB_NAME CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$ZC_DB_USER'@'127.0.0.1' IDENTIFIED BY '$ZC_DB_PASSWORD';
CREATE USER IF NOT EXISTS '$ZC_DB_USER'@'localhost' IDENTIFIED BY '$ZC_DB_PASSWORD';
ALTER USER '$ZC_DB_USER'@'127.0.0.1' IDENTIFIED BY '$ZC_DB_PASSWORD';
ALTER USER '$ZC_DB_USER'@'localhost' IDENTIFIED BY '$ZC_DB_PASSWORD';
GRANT ALL PRIVILEGES ON $ZC_DB_NAME.* TO '$ZC_DB_USER'@'127.0.0.1', '$ZC_DB_USER'@'localhost';
GRANT PROCESS, CONNECTION ADMIN ON *.* TO '$ZC_DB_USER'@'127.0.0.1', '$ZC_DB_USER'@'localhost';
FLUSH PRIVILEGES;
EOF
}

my_start() {
    MY_SERVER_BIN=$(my_find_bin mariadbd mysqld) || die "mariadbd not found (run scripts/install-deps.sh)"
    MY_INSTALL_BIN=$(my_find_bin mariadb-install-db mysql_install_db) || die "mariadb-install-db not found"
    MY_ADMIN_BIN=$(my_find_bin mariadb-admin mysqladmin) || die "mariadb-admin not found"
    MY_CLIENT_BIN=$(my_find_bin mariadb mysql) || die "mariadb client not found"
    local pid=""
    if my_running; then
        # Our server: its option file carries the port it listens on.
        if ! grep -qx "port = $ZC_MARIADB_PORT" "$MY_CNF" 2>/dev/null; then
            die "mariadb: our server already runs with another port; run '$prog stop' first"
        fi
        pid=$(cat "$MY_PID")
        log "mariadb: already running on 127.0.0.1:$ZC_MARIADB_PORT (pid $pid), reusing it"
    else
        if port_open "$ZC_MARIADB_PORT"; then
            die "mariadb: port $ZC_MARIADB_PORT is taken by another process; set ZC_MARIADB_PORT"
        fi
        my_write_config
        my_init
        rm -f "$MY_SOCK" "$MY_PID"
        log "mariadb: starting on 127.0.0.1:$ZC_MARIADB_PORT (log $MY_ERR)"
        # In the background, in its own session, detached from our terminal.
        setsid "$MY_SERVER_BIN" --defaults-file="$MY_CNF" \
            </dev/null >>"$ZC_RUNDIR/log/mariadbd.out" 2>&1 &
        pid=$!
    fi
    my_wait "$pid"
    my_provision
    log "mariadb: ready (database $ZC_DB_NAME, user $ZC_DB_USER)"
}

my_stop() {
    if ! my_running; then
        log "mariadb: not running"
        return 0
    fi
    local pid i=0 limit=$((ZC_START_TIMEOUT * 2))
    pid=$(cat "$MY_PID")
    log "mariadb: stopping (pid $pid)"
    MY_ADMIN_BIN=$(my_find_bin mariadb-admin mysqladmin) || MY_ADMIN_BIN=""
    if [ -z "$MY_ADMIN_BIN" ] || ! my_admin shutdown >/dev/null 2>&1; then
        # A TERM signal is a clean shutdown for mariadbd too.
        kill -TERM "$pid" 2>/dev/null || true
    fi
    while kill -0 "$pid" 2>/dev/null; do
        [ "$i" -lt "$limit" ] || die "mariadb: pid $pid did not stop within ${ZC_START_TIMEOUT}s"
        sleep 0.5
        i=$((i + 1))
    done
}

my_status() {
    if my_running; then
        echo "mariadb: running on 127.0.0.1:$(sed -n 's/^port = //p' "$MY_CNF" | tail -1) (pid $(cat "$MY_PID"), data $MY_DATA)"
        return 0
    fi
    echo "mariadb: stopped (data $MY_DATA$([ -f "$MY_DATA/$INIT_MARK" ] || echo ', not initialised'))"
    return 1
}

# ---------------------------------------------------------------------------
# ODBC configuration
# ---------------------------------------------------------------------------

multiarch() {
    local ma=""
    if command -v dpkg-architecture >/dev/null 2>&1; then
        ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null) || ma=""
    fi
    if [ -z "$ma" ] && command -v gcc >/dev/null 2>&1; then
        ma=$(gcc -print-multiarch 2>/dev/null) || ma=""
    fi
    echo "$ma"
}

# find_driver FILE PACKAGE: full path of an ODBC driver library, or nothing.
find_driver() {
    local file=$1 pkg=$2 ma path
    ma=$(multiarch)
    if [ -n "$ma" ] && [ -e "/usr/lib/$ma/odbc/$file" ]; then
        echo "/usr/lib/$ma/odbc/$file"
        return 0
    fi
    path=$(dpkg -L "$pkg" 2>/dev/null | grep "/$file\$" | head -1) || path=""
    if [ -n "$path" ] && [ -e "$path" ]; then
        echo "$path"
        return 0
    fi
    return 1
}

# write_odbc "BACKENDS": odbcinst.ini, odbc.ini and env.sh for those backends.
write_odbc() {
    local backends=$1 b
    local sqlite_drv pg_drv maria_drv
    sqlite_drv=$(find_driver libsqlite3odbc.so libsqliteodbc) ||
        die "SQLite ODBC driver (libsqlite3odbc.so) not found (run scripts/install-deps.sh)"
    pg_drv=$(find_driver psqlodbcw.so odbc-postgresql) || pg_drv=""
    maria_drv=$(find_driver libmaodbc.so odbc-mariadb) || maria_drv=""
    for b in $backends; do
        case "$b" in
            postgresql) [ -n "$pg_drv" ] || die "psqlODBC (psqlodbcw.so) not found (run scripts/install-deps.sh)" ;;
            mariadb) [ -n "$maria_drv" ] || die "MariaDB Connector/ODBC (libmaodbc.so) not found (run scripts/install-deps.sh)" ;;
        esac
    done

    mkdir -p "$ODBC_DIR" "$(dirname "$SQLITE_DB")"
    local tmp
    tmp=$(mktemp "$ODBC_DIR/.odbcinst.XXXXXX")
    {
        cat <<'EOF'
; Written by scripts/backends.sh -- edit the script, not this file.
; Driver manager: unixODBC 2.3.11.  See odbcinst.ini.sample at the top of the
; source tree for every key explained.

[ODBC]
; Switches the driver manager's connection pool on.  It is read once, when
; the process allocates an environment handle (SQL_HANDLE_ENV), and applies
; to every connection of that process.
Pooling=Yes
; Upper bound on the connections (in use + idle) that the pool keeps for ONE
; connection string.  In unixODBC 2.3.11 a value of 0 -- which is also what an
; absent key means -- is "no limit", not "no pool".  We set an explicit bound
; that stays below the servers' max_connections (PostgreSQL 200, MariaDB
; 300) even with the pooled and the NoPool string of a DSN both at the limit,
; so that a leak shows up as HYT02 instead of as a server refusing logins.
; zodiac's own per-database admission limit (pool_size + max_overflow) is the
; bound applications are meant to hit first.
PoolMaxSize=64
; Seconds a connect waits for a slot when PoolMaxSize is reached, then fails
; with SQLSTATE HYT02.
PoolWaitTimeout=30

EOF
        cat <<EOF
; Threading: how the driver manager serialises calls into the driver:
; 0 = not at all, 1 = per statement handle (connection calls per connection),
; 2 = per connection (a connection and all its statements), 3 = one
; process-wide lock.  Without a Threading key here or in [ODBC], unixODBC
; 2.3.11 uses 0, so every section sets it.
; CPTimeout: seconds an idle pooled connection of this driver is kept.

[SQLite3]
Description=SQLite 3 (sqliteodbc)
Driver=$sqlite_drv
; The statements of a connection share one sqlite3 handle: serialise per connection.
Threading=2
CPTimeout=60

EOF
        if [ -n "$pg_drv" ]; then
            cat <<EOF
[PostgreSQL Unicode]
Description=PostgreSQL (psqlODBC, Unicode)
Driver=$pg_drv
; psqlODBC locks its own connection state; per-handle serialisation suffices.
Threading=1
CPTimeout=60

[PostgreSQL Unicode NoPool]
Description=PostgreSQL (psqlODBC, Unicode), never reused from the pool
Driver=$pg_drv
Threading=1
; See the note on NoPool at the end of this file.
CPTimeout=-1

EOF
        fi
        if [ -n "$maria_drv" ]; then
            cat <<EOF
[MariaDB Unicode]
Description=MariaDB Connector/ODBC (Unicode)
Driver=$maria_drv
; Connector/ODBC locks its own connection state; per-handle serialisation suffices.
Threading=1
CPTimeout=60

[MariaDB Unicode NoPool]
Description=MariaDB Connector/ODBC (Unicode), never reused from the pool
Driver=$maria_drv
Threading=1
; See the note on NoPool at the end of this file.
CPTimeout=-1

EOF
        fi
        cat <<'EOF'
; NoPool drivers: with [ODBC] Pooling=Yes, unixODBC 2.3.11 hands EVERY
; disconnected connection to the pool, whatever the driver's CPTimeout, and
; stamps it with "expires at now + CPTimeout".  An entry is reused while its
; expiry time is not yet in the past, so CPTimeout=0 still reuses a connection
; that is asked for again within the same second.  CPTimeout=-1 makes the entry
; expire at once: it is never reused, and the driver manager closes it the next
; time the process connects (any connection string), or it is dropped when the
; process exits -- freeing the environment handle does not close pooled
; connections in 2.3.11.  Pooling cannot be switched off per driver, only per
; process.
EOF
    } >"$tmp"
    mv -f "$tmp" "$ODBC_DIR/odbcinst.ini"

    tmp=$(mktemp "$ODBC_DIR/.odbc.XXXXXX")
    {
        cat <<EOF
; Written by scripts/backends.sh -- edit the script, not this file.
; No credentials here: tests pass UID/PWD in the connection string.

[zc_sqlite]
Description=zodiac tests: SQLite
Driver=SQLite3
Database=$SQLITE_DB
; milliseconds to wait for a locked database
Timeout=5000
; 0: whole result read at execute; 1: stream rows with sqlite3_step
StepAPI=0

EOF
        if [ -n "$pg_drv" ] && case " $backends " in *" postgresql "*) true ;; *) false ;; esac; then
            cat <<EOF
[zc_pg]
Description=zodiac tests: PostgreSQL (pooled)
Driver=PostgreSQL Unicode
Servername=127.0.0.1
Port=$ZC_PG_PORT
Database=$ZC_DB_NAME

[zc_pg_nopool]
Description=zodiac tests: PostgreSQL (not pooled)
Driver=PostgreSQL Unicode NoPool
Servername=127.0.0.1
Port=$ZC_PG_PORT
Database=$ZC_DB_NAME

EOF
            if replica_enabled; then
                cat <<EOF
[zc_pg_replica]
Description=zodiac tests: PostgreSQL hot-standby replica of zc_pg (read-only: writes get 25006)
Driver=PostgreSQL Unicode
Servername=127.0.0.1
Port=$ZC_PG_REPLICA_PORT
Database=$ZC_DB_NAME

EOF
            fi
        fi
        if [ -n "$maria_drv" ] && case " $backends " in *" mariadb "*) true ;; *) false ;; esac; then
            cat <<EOF
[zc_maria]
Description=zodiac tests: MariaDB (pooled)
Driver=MariaDB Unicode
Server=127.0.0.1
Port=$ZC_MARIADB_PORT
Database=$ZC_DB_NAME

[zc_maria_nopool]
Description=zodiac tests: MariaDB (not pooled)
Driver=MariaDB Unicode NoPool
Server=127.0.0.1
Port=$ZC_MARIADB_PORT
Database=$ZC_DB_NAME

EOF
        fi
    } >"$tmp"
    mv -f "$tmp" "$ODBC_DIR/odbc.ini"
    chmod 0644 "$ODBC_DIR/odbcinst.ini" "$ODBC_DIR/odbc.ini"

    local cred="UID=$ZC_DB_USER;PWD=$ZC_DB_PASSWORD"
    tmp=$(mktemp "$ZC_RUNDIR/.env.XXXXXX")
    {
        echo "# Written by scripts/backends.sh -- source it: . $ENV_SH"
        echo "export ZC_RUNDIR='$ZC_RUNDIR'"
        echo "export ODBCSYSINI='$ODBC_DIR'"
        echo "export ODBCINSTINI='odbcinst.ini'"
        echo "export ODBCINI='$ODBC_DIR/odbc.ini'"
        echo "export ZC_TEST_BACKENDS='$backends'"
        echo "export ZC_TEST_SQLITE='DSN=zc_sqlite'"
        case " $backends " in
            *" postgresql "*)
                echo "export ZC_TEST_PG='DSN=zc_pg;$cred'"
                echo "export ZC_TEST_PG_NOPOOL='DSN=zc_pg_nopool;$cred'"
                if replica_enabled; then
                    echo "export ZC_TEST_PG_REPLICA='DSN=zc_pg_replica;$cred'"
                fi
                ;;
        esac
        case " $backends " in
            *" mariadb "*)
                echo "export ZC_TEST_MARIA='DSN=zc_maria;$cred'"
                echo "export ZC_TEST_MARIA_NOPOOL='DSN=zc_maria_nopool;$cred'"
                ;;
        esac
        echo "export ZC_PG_PORT='$ZC_PG_PORT'"
        echo "export ZC_PG_REPLICA_PORT='$ZC_PG_REPLICA_PORT'"
        echo "export ZC_MARIADB_PORT='$ZC_MARIADB_PORT'"
        echo "export ZC_BACKENDS_SH='$ZC_BACKENDS_SH'"
    } >"$tmp"
    chmod 0644 "$tmp"
    mv -f "$tmp" "$ENV_SH"
    log "odbc: wrote $ODBC_DIR/odbcinst.ini, $ODBC_DIR/odbc.ini and $ENV_SH (backends: $backends)"
}

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------

usage() {
    sed -n '3,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"
}

# Normalise a backend list: known names only, in a fixed order, sqlite always.
parse_backends() {
    local want=" sqlite " b
    [ $# -gt 0 ] || set -- sqlite postgresql mariadb
    for b in "$@"; do
        case "$b" in
            --only) ;;
            sqlite|sqlite3) ;;
            pg|postgres|postgresql) want="$want postgresql " ;;
            maria|mariadb|mysql) want="$want mariadb " ;;
            all) want=" sqlite postgresql mariadb " ;;
            *) die "unknown backend '$b' (expected sqlite, postgresql, mariadb)" ;;
        esac
    done
    local out="sqlite"
    case "$want" in *" postgresql "*) out="$out postgresql" ;; esac
    case "$want" in *" mariadb "*) out="$out mariadb" ;; esac
    echo "$out"
}

cmd_start() {
    local backends started
    backends=$(parse_backends "$@")
    started=$(date +%s)
    prepare_rundir
    cd "$ZC_RUNDIR"
    case " $backends " in *" postgresql "*) pg_start; pg_replica_start ;; esac
    case " $backends " in *" mariadb "*) my_start ;; esac
    write_odbc "$backends"
    log "started in $(( $(date +%s) - started ))s; now run: . $ENV_SH"
}

cmd_stop() {
    [ -d "$ZC_RUNDIR" ] || { log "nothing to stop ($ZC_RUNDIR does not exist)"; return 0; }
    cd "$ZC_RUNDIR"
    local rc=0
    # The standby first: stopping the primary waits for its walsenders.
    pg_replica_stop || rc=1
    pg_stop || rc=1
    my_stop || rc=1
    return "$rc"
}

cmd_status() {
    echo "run directory: $ZC_RUNDIR"
    pg_status || true
    pg_replica_status || true
    my_status || true
    if [ -f "$ENV_SH" ]; then
        echo "env: $ENV_SH (backends: $(sed -n "s/^export ZC_TEST_BACKENDS=//p" "$ENV_SH" | tr -d "'"))"
    else
        echo "env: not written yet"
    fi
}

cmd_env() {
    [ -f "$ENV_SH" ] || die "$ENV_SH does not exist; run '$prog start' first"
    cat "$ENV_SH"
}

# cmd_one stop|start|restart pg|my: one server of an existing run directory.
cmd_one() {
    local what=$1 server=$2
    if [ "$what" = stop ]; then
        [ -d "$ZC_RUNDIR" ] || { log "nothing to stop ($ZC_RUNDIR does not exist)"; return 0; }
    else
        prepare_rundir
    fi
    cd "$ZC_RUNDIR"
    case "$what" in
        stop) "${server}_stop" ;;
        start) "${server}_start" ;;
        restart) "${server}_stop"; "${server}_start" ;;
    esac
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
    stop-pg|start-pg|restart-pg) cmd_one "${cmd%-pg}" pg ;;
    stop-mariadb|start-mariadb|restart-mariadb) cmd_one "${cmd%-mariadb}" my ;;
    replica-stop)
        if [ -d "$ZC_RUNDIR" ]; then cd "$ZC_RUNDIR"; pg_replica_stop; else log "nothing to stop"; fi ;;
    replica-start) prepare_rundir; cd "$ZC_RUNDIR"; pg_replica_start ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop ;;
    restart) cmd_stop; cmd_start "$@" ;;
    status) cmd_status ;;
    env) cmd_env ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
esac
