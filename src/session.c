/* SPDX-License-Identifier: MIT */
/*
 * session: one connection from the driver manager's pool, one transaction at
 * a time, a cache of prepared statements, and a general query cursor.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct zc_rows {
    zc_session *s;       /* NULL once the session closed: every call is ZC_ESTATE */
    zc__stmt *st;
    int ncols;
    int have_row;
    int next_col; /* columns below this were read for the current row */
    struct zc__rcol {
        char *name;
        char *buf;
        size_t cap, len;
        int null;
    } *cols;
};

void zc__session_echo(zc_session *s, const char *sql, double ms, int status)
{
    char line[1024];
    snprintf(line, sizeof line, "%8.3f ms %s%s", ms, status < 0 ? "[failed] " : "", sql);
    zc__scrub(line, sizeof line, s->db->cs.secrets, s->db->cs.nsecrets);
    zc__log(ZC_LOG_DEBUG, s->db->name, "%s", line);
}

/* Sets an SQLSTATE of class 08 where the driver said only HY000 (or nothing). */
static void set_conn_state(zc_error *err, const char *state)
{
    if (err && (!err->sqlstate[0] || !strcmp(err->sqlstate, "HY000")))
        memcpy(err->sqlstate, state, 6);
}

int zc__session_check(const zc_session *s, const char *what, zc_error *err)
{
    if (!s)
        return zc__err(err, ZC_EINVAL, "%s: session is NULL", what);
    if (s->gen != zc__fork_gen())
        return zc__err(err, ZC_ESTATE, "%s: the session was opened before fork() by another "
                       "process; its connection is that process's (open a new session)", what);
    return ZC_OK;
}

int zc__session_fail(zc_session *s, SQLSMALLINT htype, SQLHANDLE h, const char *what,
                     zc_error *err)
{
    int st = zc__err_odbc(err, htype, h, s->db, what);
    if (st == ZC_EDRIVER && s->dbc) {
        /* Some drivers (psqlODBC) report a lost connection as a generic HY000; they
           know it is dead afterwards, so ask. Only generic failures pay for this. */
        SQLUINTEGER dead = SQL_CD_FALSE;
        if (SQL_SUCCEEDED(SQLGetConnectAttr(s->dbc, SQL_ATTR_CONNECTION_DEAD, &dead, 0, NULL)) &&
            dead == SQL_CD_TRUE) {
            st = ZC_ECONN;
            if (err)
                err->status = st;
            set_conn_state(err, "08S01");
        }
    }
    if (st == ZC_ECONN) {
        s->broken = 1;
        if (zc__db_is_replica(s->db))
            zc__db_replica_down(s->db);
    } else {
        s->failed = 1;
    }
    return st;
}

long zc__session_max_packet(const zc_session *s)
{
    return __atomic_load_n(&s->db->max_packet, __ATOMIC_ACQUIRE);
}

int zc__session_lost(const zc_session *s)
{
    return s->broken;
}

void zc__session_ran(zc_session *s)
{
    s->in_txn = 1;
    if (s->home && s->db != s->home)
        s->read_replica = 1;
}

/* Gives the connection back to the pool and its handle back to the database. */
static void free_dbc(zc_session *s)
{
    int reusable = 1;
    for (int i = 0; i < s->ncache; i++)
        zc__stmt_unprepare(s->cache[i]);
    if (s->watch.cancel_h) {
        SQLFreeHandle(SQL_HANDLE_STMT, s->watch.cancel_h);
        s->watch.cancel_h = NULL;
    }
    if (s->connected) {
        SQLRETURN rc = SQLDisconnect(s->dbc);
        if (!SQL_SUCCEEDED(rc) && !s->broken) {
            /* 25000: a transaction is still open; end it and try again. */
            SQLEndTran(SQL_HANDLE_DBC, s->dbc, SQL_ROLLBACK);
            rc = SQLDisconnect(s->dbc);
        }
        reusable = SQL_SUCCEEDED(rc); /* else the handle may still be connected */
        s->connected = 0;
    }
    if (s->dbc) {
        if (reusable)
            zc__db_give_dbc(s->db, s->dbc);
        else
            SQLFreeHandle(SQL_HANDLE_DBC, s->dbc);
        s->dbc = NULL;
    }
}

/* Runs a query of one integer on the session's connection, outside zodiac's statement
   cache (link and server facts); 0 when it gives nothing. */
static long query_long(SQLHDBC dbc, const char *sql)
{
    SQLHSTMT h = NULL;
    SQLBIGINT v = 0;
    SQLLEN ind = 0;
    if (!sql || !SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h)))
        return 0;
    if (!SQL_SUCCEEDED(SQLExecDirect(h, (SQLCHAR *)sql, SQL_NTS)) ||
        !SQL_SUCCEEDED(SQLBindCol(h, 1, SQL_C_SBIGINT, &v, sizeof v, &ind)) ||
        !SQL_SUCCEEDED(SQLFetch(h)) || ind == SQL_NULL_DATA)
        v = 0;
    SQLFreeHandle(SQL_HANDLE_STMT, h);
    return (long)v;
}

/* zc__link_probe's question to the server: this connection's local port as it sees it. */
static int client_port(void *arg, SQLHDBC dbc)
{
    zc_session *s = arg;
    long port = query_long(dbc, zc__dialect_client_port_sql(s->db->dialect));
    SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_ROLLBACK);
    return port > 0 && port < 65536 ? (int)port : 0;
}

/* Connects; *state gets what zc__link_attach found (ZC__LINK_*). */
static int connect_dbc(zc_session *s, int *state, zc_error *err)
{
    zc__db *db = s->db;
    double t0 = zc__now_ms();
    SQLRETURN rc;
    SQLULEN ac = SQL_AUTOCOMMIT_ON;
    zc__link_probe probe;
    int st;

    s->dbc = zc__db_take_dbc(db);
    if (!s->dbc)
        return zc__err(err, ZC_ENOMEM, "database '%s': cannot allocate a connection handle",
                       db->name);
    SQLSetConnectAttr(s->dbc, SQL_ATTR_LOGIN_TIMEOUT,
                      (SQLPOINTER)(intptr_t)db->opts.login_timeout_s, 0);
    rc = SQLDriverConnect(s->dbc, NULL, (SQLCHAR *)zc__db_conn(db), SQL_NTS, NULL, 0, NULL,
                          SQL_DRIVER_NOPROMPT);
    if (!SQL_SUCCEEDED(rc)) {
        char what[ZC_DB_NAME_MAX + 32];
        snprintf(what, sizeof what, "database '%s': connect", db->name);
        st = zc__err_odbc(err, SQL_HANDLE_DBC, s->dbc, db, what);
        if (st != ZC_ETIMEOUT && st != ZC_ENOMEM) {
            st = ZC_ECONN;
            if (err)
                err->status = st;
            zc__connect_error_state(err, db);
        }
        zc__log(ZC_LOG_WARN, db->name, "connect %s failed (%s)", db->cs.masked, zc_strerror(st));
        zc__db_give_dbc(db, s->dbc); /* not connected: ready for the next attempt */
        s->dbc = NULL;
        return st;
    }
    s->connected = 1;
    s->broken = 0;
    s->failed = 0;
    s->in_txn = 0;
    if (!__atomic_load_n(&db->connected, __ATOMIC_ACQUIRE)) {
        zc__db_learn(db, s->dbc);
        if (zc__dialect_max_packet_sql(db->dialect)) {
            long max = query_long(s->dbc, zc__dialect_max_packet_sql(db->dialect));
            SQLEndTran(SQL_HANDLE_DBC, s->dbc, SQL_ROLLBACK);
            __atomic_store_n(&db->max_packet, max, __ATOMIC_RELEASE);
        }
    }
    zc__db_probe(db, &probe);
    probe.client_port = client_port;
    probe.arg = s;
    *state = zc__link_attach(&probe, s->dbc, &s->link);

    /* A pooled connection keeps the attributes of its last user: set them every time,
       but skip the round trip some drivers make when the value is already right. */
    rc = SQLGetConnectAttr(s->dbc, SQL_ATTR_AUTOCOMMIT, &ac, 0, NULL);
    if (!SQL_SUCCEEDED(rc) || ac != SQL_AUTOCOMMIT_OFF) {
        rc = SQLSetConnectAttr(s->dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0);
        if (!SQL_SUCCEEDED(rc)) {
            st = zc__session_fail(s, SQL_HANDLE_DBC, s->dbc, "set autocommit off", err);
            free_dbc(s);
            return st;
        }
    }
    if (db->opts.echo && zc__log_on())
        zc__log(ZC_LOG_DEBUG, db->name, "%8.3f ms connect %s", zc__now_ms() - t0, db->cs.masked);
    return ZC_OK;
}

/* SELECT 1 on the session's connection, then its transaction ended. */
static int ping_once(zc_session *s, zc_error *err)
{
    SQLHSTMT h = NULL;
    SQLRETURN rc = SQLAllocHandle(SQL_HANDLE_STMT, s->dbc, &h);
    int st = ZC_OK;
    if (SQL_SUCCEEDED(rc)) {
        rc = SQLExecDirect(h, (SQLCHAR *)zc__dialect_ping_sql(s->db->dialect), SQL_NTS);
        if (!SQL_SUCCEEDED(rc))
            st = zc__session_fail(s, SQL_HANDLE_STMT, h, "pre-ping", err);
        SQLFreeHandle(SQL_HANDLE_STMT, h);
    } else {
        st = zc__session_fail(s, SQL_HANDLE_DBC, s->dbc, "pre-ping", err);
    }
    if (st == ZC_OK)
        SQLEndTran(SQL_HANDLE_DBC, s->dbc, SQL_ROLLBACK); /* drivers that begin lazily */
    s->failed = 0;
    return st;
}

/* Whether a connection just handed out needs the validation query before it is used. */
static int needs_ping(const zc_session *s, int state)
{
    switch (s->db->opts.pre_ping) {
    case ZC_PING_ALWAYS:
        return 1;
    case ZC_PING_LAZY:
        /* a new connection is alive; a known socket answers for a reused one; a reused
           one whose socket zodiac cannot see is asked, unless the driver manager did */
        return state == ZC__LINK_SUSPECT ||
               (state == ZC__LINK_UNKNOWN &&
                !zc__dialect_reuse_checks_liveness(s->db->dialect));
    default:
        return 0;
    }
}

/*
 * Connects and makes sure the connection is alive before anything of the session is
 * sent on it: a pooled connection the server closed while it sat in the pool is
 * dropped (psqlODBC then knows it dead, so the driver manager discards it) and the
 * next one taken, up to pool_size + max_overflow + 2 times — enough to walk through a
 * pool whose every connection died. Statements are never sent twice: once the session
 * runs one, a lost connection is the caller's ZC_ECONN.
 */
static int connect_live(zc_session *s, zc_error *err)
{
    for (int attempt = 0;; attempt++) {
        int state = ZC__LINK_NEW, st;
        if ((st = connect_dbc(s, &state, err)) != ZC_OK)
            return st;
        if (!needs_ping(s, state))
            return ZC_OK;
        if (state == ZC__LINK_SUSPECT)
            zc__log(ZC_LOG_INFO, s->db->name, "pooled connection closed by the server while "
                    "idle; checking it");
        st = ping_once(s, err);
        if (st == ZC_OK)
            return ZC_OK;
        free_dbc(s);
        if (st != ZC_ECONN || attempt >= s->db->max_sessions + 2)
            return st;
        zc__log(ZC_LOG_WARN, s->db->name, "pooled connection is dead; taking another");
        s->broken = 0;
    }
}

/*
 * Moves a routed session to another database of its set (its primary): admission
 * there first, so a session that cannot move keeps what it has; then the old
 * connection goes back and a new one is made. Cached statements stay and are
 * prepared again on the new connection when next used: a replica runs the same
 * DBMS as its primary, which is checked here once both have connected.
 */
static int move_to(zc_session *s, zc__db *target, zc_error *err)
{
    zc__db *from = s->db;
    int st, df, dt;

    if ((st = zc__db_admit(target, err)) != ZC_OK)
        return st;
    zc__db_retain(target);
    free_dbc(s);
    if (from->opts.track_sessions)
        zc__db_untrack(from, &s->track);
    zc__db_leave(from);
    s->db = target;
    if (target->opts.track_sessions)
        zc__db_track(target, &s->track);
    zc__log(ZC_LOG_INFO, from->name, "routed session moves to '%s'", target->name);
    st = connect_live(s, err);
    df = __atomic_load_n(&from->dialect, __ATOMIC_ACQUIRE);
    dt = __atomic_load_n(&target->dialect, __ATOMIC_ACQUIRE);
    if (st == ZC_OK && df != ZC_DIALECT_UNKNOWN && dt != ZC_DIALECT_UNKNOWN && df != dt)
        st = zc__err(err, ZC_EINVAL, "replica '%s' runs %s but its primary '%s' runs %s",
                     from->name, zc__dialect_name(df), target->name, zc__dialect_name(dt));
    zc__db_release(from);
    if (st != ZC_OK)
        s->broken = 1;
    return st;
}

int zc__session_serves(const zc_session *s, const char *db_name)
{
    return !strcmp(s->db->name, db_name) || (s->home && !strcmp(s->home->name, db_name)) ||
           zc__db_replica_of(s->db, db_name);
}

int zc__session_for_write(zc_session *s, const char *what, zc_error *err)
{
    zc__db *replica = s->db;
    int st;
    if (!s->home || s->db == s->home) {
        if (zc__db_is_replica(s->db))
            return zc__err(err, ZC_EREADONLY, "%s: database '%s' is a read replica; write "
                           "through its primary", what, s->db->name);
        return ZC_OK;
    }
    if (s->rows)
        return zc__err(err, ZC_ESTATE, "%s: the routed session moves to its primary for its "
                       "first write; close the open zc_rows first", what);
    if (s->children)
        return zc__err(err, ZC_ESTATE, "%s: the routed session moves to its primary for "
                       "its first write; close the open cursor first", what);
    if (s->connected && s->in_txn && !s->broken)
        SQLEndTran(SQL_HANDLE_DBC, s->dbc, SQL_ROLLBACK); /* a read-only transaction */
    s->in_txn = 0;
    s->failed = 0;
    if ((st = move_to(s, s->home, err)) != ZC_OK || !s->read_replica)
        return st;
    /* What the session read came from a replica, which may lag: a write computed from it
       could undo another writer's update. The session is on its primary now; the unit
       of work runs again from its start and reads there. */
    s->read_replica = 0;
    return zc__err(err, ZC_ERETRY, "%s: this routed session read from replica '%s' before "
                   "its first write; it has moved to its primary '%s': run the unit of work "
                   "again (its reads now see the primary)", what, replica->name, s->db->name);
}

/*
 * Admits a session on db (whose reference it takes over, released on failure) and
 * connects it. home: the routed session's primary, referenced by the caller for the
 * session, or NULL.
 */
static int session_new(zc__db *db, zc__db *home, zc_session **out, zc_error *err)
{
    zc_session *s;
    int st;

    if ((st = zc__db_admit(db, err)) != ZC_OK) {
        zc__db_release(db);
        return st;
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        zc__db_leave(db);
        zc__db_release(db);
        return zc__err(err, ZC_ENOMEM, "out of memory");
    }
    s->db = db;
    s->home = home;
    s->gen = zc__fork_gen();
    s->link.fd = -1;
    s->watch.cut_fd = -1;
    s->stmt_timeout_ms = db->opts.statement_timeout_ms;
    st = connect_live(s, err);
    if (st != ZC_OK) {
        free_dbc(s);
        zc__db_leave(s->db);
        zc__db_release(s->db);
        free(s);
        return st;
    }
    if (s->db->opts.track_sessions)
        zc__db_track(s->db, &s->track);
    *out = s;
    return ZC_OK;
}

int zc_session_open(const char *db_name, zc_session **out, zc_error *err)
{
    zc__db *db;
    int st;

    if (!out)
        return zc__err(err, ZC_EINVAL, "zc_session_open: out is NULL");
    *out = NULL;
    if ((st = zc__db_acquire(db_name, &db, err)) != ZC_OK)
        return st;
    return session_new(db, NULL, out, err);
}

int zc_session_open_routed(const char *db_name, zc_session **out, zc_error *err)
{
    zc__db *home, *rep;
    unsigned tried = 0;
    int st;

    if (!out)
        return zc__err(err, ZC_EINVAL, "zc_session_open_routed: out is NULL");
    *out = NULL;
    if ((st = zc__db_acquire(db_name, &home, err)) != ZC_OK)
        return st;
    if (zc__db_is_replica(home)) {
        st = zc__err(err, ZC_EINVAL, "zc_session_open_routed: '%s' is a replica; route "
                     "through its primary", home->name);
        zc__db_release(home);
        return st;
    }
    /* Healthy replicas in turn; one that cannot be reached is skipped for a while. */
    while ((rep = zc__db_pick_replica(home, &tried)) != NULL) {
        zc_error e;
        zc__db_retain(home);
        zc__db_retain(rep); /* outlives a failed session_new, for the marking below */
        st = session_new(rep, home, out, &e);
        if (st == ZC_OK) {
            zc__db_release(home);
            zc__db_release(rep);
            return ZC_OK;
        }
        zc__db_release(home);
        if (st == ZC_ECONN)
            zc__db_replica_down(rep);
        zc__log(ZC_LOG_WARN, rep->name, "replica unavailable (%s); trying the next",
                zc_strerror(st));
        zc__db_release(rep);
    }
    /* No replica (healthy or at all): the primary. */
    zc__db_retain(home);
    st = session_new(home, home, out, err);
    if (st != ZC_OK)
        zc__db_release(home);
    return st;
}

int zc__session_stream(zc_session *s, int rows, zc_error *err)
{
    SQLINTEGER on, fetch;
    if (!zc__dialect_stream_attrs(s->db->dialect, &on, &fetch))
        return ZC_OK;
    if ((rows > 0 &&
         !SQL_SUCCEEDED(SQLSetConnectAttr(s->dbc, fetch, (SQLPOINTER)(intptr_t)rows, 0))) ||
        !SQL_SUCCEEDED(SQLSetConnectAttr(s->dbc, on, (SQLPOINTER)(intptr_t)(rows > 0), 0)))
        return zc__session_fail(s, SQL_HANDLE_DBC, s->dbc, "stream a result", err);
    return ZC_OK;
}

/* ---- deadlines --------------------------------------------------------------- */

int zc_session_set_timeout(zc_session *s, int statement_timeout_ms, zc_error *err)
{
    int st;
    if ((st = zc__session_check(s, "zc_session_set_timeout", err)) != ZC_OK)
        return st;
    if (statement_timeout_ms < 0)
        return zc__err(err, ZC_EINVAL, "zc_session_set_timeout: %d ms is negative",
                       statement_timeout_ms);
    s->stmt_timeout_ms = statement_timeout_ms;
    return ZC_OK;
}

/* Fills what the watchdog needs to stop the session's statement. */
static void watch_prepare(zc_session *s)
{
    zc__watch *w = &s->watch;
    w->dialect = __atomic_load_n(&s->db->dialect, __ATOMIC_ACQUIRE);
    w->cut_fd = zc__link_dup(&s->link);
    w->conn = zc__db_conn(s->db);
    if (w->dialect == ZC_DIALECT_SQLITE) {
        if (!w->cancel_h && !SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, s->dbc, &w->cancel_h)))
            w->cancel_h = NULL;
        return;
    }
    w->server_id = zc__link_server_id(&s->link);
    if (!w->server_id && zc__dialect_server_id_sql(w->dialect)) {
        /* once per physical connection: who the server thinks it is */
        w->server_id = query_long(s->dbc, zc__dialect_server_id_sql(w->dialect));
        s->in_txn = 1; /* it may have begun the transaction */
        if (w->server_id)
            zc__link_set_server_id(&s->link, w->server_id);
    }
}

void zc__session_arm(zc_session *s)
{
    if (s->stmt_timeout_ms <= 0)
        return;
    watch_prepare(s);
    zc__watch_arm(&s->watch, ZC__WATCH_STATEMENT, s->stmt_timeout_ms);
}

int zc__session_disarm(zc_session *s, int status, zc_error *err)
{
    int fired;
    if (!s->watch.armed)
        return status;
    fired = zc__watch_disarm(&s->watch);
    if (!fired)
        return status;
    s->failed = 1;
    if (fired == ZC__WATCH_CUT) {
        s->broken = 1;
        return zc__err(err, ZC_ETIMEOUT, "statement timeout of %d ms: the statement did not "
                       "stop when cancelled, so its connection was closed",
                       s->stmt_timeout_ms);
    }
    return zc__err(err, ZC_ETIMEOUT, "statement timeout of %d ms: the statement was "
                   "cancelled (or ran past it)", s->stmt_timeout_ms);
}

static int end_tran(zc_session *s, SQLSMALLINT how, zc_error *err)
{
    const int echo = s->db->opts.echo && zc__log_on();
    const int bound = s->db->opts.commit_timeout_ms;
    double t0 = echo ? zc__now_ms() : 0;
    SQLRETURN rc;
    int st = ZC_OK, fired = 0;

    if (bound > 0 && (s->watch.cut_fd = zc__link_dup(&s->link)) >= 0)
        zc__watch_arm(&s->watch, ZC__WATCH_END, bound);
    rc = SQLEndTran(SQL_HANDLE_DBC, s->dbc, how);
    if (s->watch.armed)
        fired = zc__watch_disarm(&s->watch);
    if (!SQL_SUCCEEDED(rc))
        st = zc__session_fail(s, SQL_HANDLE_DBC, s->dbc,
                              how == SQL_COMMIT ? "commit" : "rollback", err);
    if (fired) {
        /* no answer within the bound: the connection was closed under the wait */
        s->broken = 1;
        st = zc__err(err, ZC_ECONN, "%s: no answer from the server within %d ms; the "
                     "connection was closed", how == SQL_COMMIT ? "commit" : "rollback", bound);
        memcpy(err ? err->sqlstate : (char[6]){ 0 }, "08S01", 6);
    }
    if (echo)
        zc__session_echo(s, how == SQL_COMMIT ? "COMMIT" : "ROLLBACK", zc__now_ms() - t0, st);
    return st;
}

int zc_session_commit(zc_session *s, zc_error *err)
{
    int st;
    if ((st = zc__session_check(s, "zc_session_commit", err)) != ZC_OK)
        return st;
    if (s->rows)
        return zc__err(err, ZC_ESTATE, "commit: close the open zc_rows first");
    if (s->broken)
        return zc__err(err, ZC_ECONN, "commit: the session's connection was lost; its "
                       "transaction was not committed");
    if (!s->in_txn)
        return ZC_OK;
    if (s->failed) {
        /* PostgreSQL aborts a transaction at its first failed statement and answers
           COMMIT with a rollback; zodiac gives every backend that rule, so a commit
           never reports success for work that was partly refused. */
        end_tran(s, SQL_ROLLBACK, NULL);
        s->in_txn = 0;
        s->failed = 0;
        return zc__err(err, ZC_ESTATE, "commit refused: a statement of this transaction "
                       "failed; the transaction was rolled back");
    }
    st = end_tran(s, SQL_COMMIT, err);
    if (st == ZC_ECONN) {
        /* The server may or may not have committed: say so and never retry it. */
        if (err) {
            static const char pre[] = "commit outcome unknown: ";
            size_t keep = sizeof err->message - sizeof pre;
            memmove(err->message + sizeof pre - 1, err->message, keep);
            memcpy(err->message, pre, sizeof pre - 1);
            err->message[sizeof err->message - 1] = '\0';
        }
        return st;
    }
    if (st != ZC_OK) {
        /* The DBMS refused the commit (serialization failure, deferred constraint):
           the transaction is over; make sure the driver agrees. */
        SQLEndTran(SQL_HANDLE_DBC, s->dbc, SQL_ROLLBACK);
    }
    s->in_txn = 0;
    s->failed = 0;
    return st;
}

int zc_session_rollback(zc_session *s, zc_error *err)
{
    int st;
    if ((st = zc__session_check(s, "zc_session_rollback", err)) != ZC_OK)
        return st;
    if (s->rows)
        return zc__err(err, ZC_ESTATE, "rollback: close the open zc_rows first");
    if (!s->in_txn)
        return ZC_OK;
    if (s->broken) {
        s->in_txn = 0;
        return ZC_OK; /* the server rolled it back when the connection died */
    }
    st = end_tran(s, SQL_ROLLBACK, err);
    if (st == ZC_OK || st == ZC_ECONN) {
        s->in_txn = 0;
        s->failed = 0;
    }
    return st == ZC_ECONN ? ZC_OK : st;
}

void zc__session_adopt(zc_session *s, zc__child *c, void (*detach)(zc__child *))
{
    c->detach = detach;
    zc__list_push(&s->children, &c->node);
}

void zc__session_disown(zc_session *s, zc__child *c)
{
    zc__list_remove(&s->children, &c->node);
}

/* A zc_rows left open when its session closes: it stays the caller's to close. */
static void rows_detach(zc_rows *r)
{
    zc__stmt_close_cursor(r->st);
    r->st->busy = 0;
    r->st = NULL;
    r->s = NULL;
    r->have_row = 0;
}

void zc_session_close(zc_session **sp)
{
    zc_session *s;
    if (!sp || !*sp)
        return;
    s = *sp;
    *sp = NULL;
    if (s->gen != zc__fork_gen()) {
        /* opened by an ancestor process before fork(): the connection and its statements
           are that process's; only the memory is the child's to free */
        if (s->rows) {
            s->rows->s = NULL;
            s->rows->st = NULL;
        }
        while (s->children) {
            zc__child *c = (zc__child *)(void *)s->children;
            zc__session_disown(s, c);
            c->detach(c);
        }
        for (int i = 0; i < s->ncache; i++)
            zc__stmt_forget(s->cache[i]); /* their handles stay the driver manager's */
        free(s->cache);
        zc__db_release(s->db);
        zc__db_release(s->home);
        free(s);
        return;
    }
    if (s->rows)
        rows_detach(s->rows);
    s->rows = NULL;
    while (s->children) {
        zc__child *c = (zc__child *)(void *)s->children;
        zc__session_disown(s, c);
        c->detach(c);
    }
    if (s->connected && s->in_txn && !s->broken)
        end_tran(s, SQL_ROLLBACK, NULL);
    free_dbc(s);
    for (int i = 0; i < s->ncache; i++)
        zc__stmt_free(s->cache[i]);
    free(s->cache);
    if (s->db->opts.track_sessions)
        zc__db_untrack(s->db, &s->track);
    zc__db_leave(s->db);
    zc__db_release(s->db);
    zc__db_release(s->home);
    free(s);
}

const char *zc_session_db_name(const zc_session *s)
{
    return s ? s->db->name : NULL;
}

int zc_session_dialect(const zc_session *s)
{
    return s ? __atomic_load_n(&s->db->dialect, __ATOMIC_ACQUIRE) : ZC_DIALECT_UNKNOWN;
}

/* ---- running SQL ------------------------------------------------------- */

static int check_sql(zc_session *s, const char *sql, const zc_value *params, size_t n,
                     const char *fn, zc_error *err)
{
    int st;
    if ((st = zc__session_check(s, fn, err)) != ZC_OK)
        return st;
    if (!sql || !*sql)
        return zc__err(err, ZC_EINVAL, "%s: SQL text is NULL or empty", fn);
    if (n && !params)
        return zc__err(err, ZC_EINVAL, "%s: %zu parameters but params is NULL", fn, n);
    if (n > 32767)
        return zc__err(err, ZC_EINVAL, "%s: too many parameters (%zu)", fn, n);
    if (s->broken)
        return zc__err(err, ZC_ECONN, "%s: the session's connection was lost; roll back or "
                       "close it", fn);
    return ZC_OK;
}

static int run(zc_session *s, const char *sql, const zc_value *params, size_t n,
               zc__stmt **out, zc_error *err)
{
    zc__stmt *st;
    int rc;
    if ((rc = zc__stmt_get(s, sql, &st, err)) != ZC_OK)
        return rc;
    if (st->busy)
        return zc__err(err, ZC_ESTATE, "statement is in use by an open zc_rows");
    if ((rc = zc__stmt_bind_values(st, params, n, err)) != ZC_OK)
        return rc;
    if ((rc = zc__stmt_execute(st, err)) != ZC_OK)
        return rc;
    *out = st;
    return ZC_OK;
}

int zc_session_exec(zc_session *s, const char *sql, const zc_value *params, size_t nparams,
                    int64_t *rows_affected, zc_error *err)
{
    zc__stmt *st;
    int rc;
    if ((rc = check_sql(s, sql, params, nparams, "zc_session_exec", err)) != ZC_OK)
        return rc;
    if (s->rows && s->rows->st->sql_len == strlen(sql) && !strcmp(s->rows->st->sql, sql))
        return zc__err(err, ZC_ESTATE, "zc_session_exec: that statement is being read by an "
                       "open zc_rows");
    /* A routed session treats every exec as a write: it moves to its primary. */
    if (s->home && s->db != s->home &&
        (rc = zc__session_for_write(s, "zc_session_exec", err)) != ZC_OK)
        return rc;
    if ((rc = run(s, sql, params, nparams, &st, err)) != ZC_OK)
        return rc;
    if (rows_affected) {
        SQLLEN n = -1;
        if (!SQL_SUCCEEDED(SQLRowCount(st->h, &n)))
            n = -1;
        *rows_affected = (int64_t)n;
    }
    zc__stmt_close_cursor(st);
    return ZC_OK;
}


static int savepoint_sql(zc_session *s, const char *verb, const char *name, zc_error *err)
{
    char sql[128];
    size_t n = name ? strlen(name) : 0;
    int st;
    if ((st = zc__session_check(s, "savepoint", err)) != ZC_OK)
        return st;
    if (n == 0 || n > 63 || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
        return zc__err(err, ZC_EINVAL, "savepoint name must be an identifier of 1 to 63 "
                       "characters");
    for (size_t i = 0; i < n; i++)
        if (!(isalnum((unsigned char)name[i]) || name[i] == '_'))
            return zc__err(err, ZC_EINVAL, "savepoint name '%.63s' is not an identifier", name);
    snprintf(sql, sizeof sql, "%s %s", verb, name);
    return zc_session_exec(s, sql, NULL, 0, NULL, err);
}

int zc_session_savepoint(zc_session *s, const char *name, zc_error *err)
{
    int st;
    /* Savepoints mark a transaction that is going to write: a routed session moves first. */
    if ((st = zc__session_check(s, "zc_session_savepoint", err)) != ZC_OK)
        return st;
    if (s->home && s->db != s->home &&
        (st = zc__session_for_write(s, "zc_session_savepoint", err)) != ZC_OK)
        return st;
    return savepoint_sql(s, "SAVEPOINT", name, err);
}

int zc_session_release(zc_session *s, const char *name, zc_error *err)
{
    return savepoint_sql(s, "RELEASE SAVEPOINT", name, err);
}

int zc_session_rollback_to(zc_session *s, const char *name, zc_error *err)
{
    int st;
    if ((st = zc__session_check(s, "zc_session_rollback_to", err)) != ZC_OK)
        return st;
    s->failed = 0; /* the statement below must run in a failed transaction */
    st = savepoint_sql(s, "ROLLBACK TO SAVEPOINT", name, err);
    if (st != ZC_OK)
        s->failed = 1;
    return st;
}

/* ---- query cursor ------------------------------------------------------ */

int zc_session_query(zc_session *s, const char *sql, const zc_value *params, size_t nparams,
                     zc_rows **out, zc_error *err)
{
    zc__stmt *st;
    zc_rows *r;
    SQLSMALLINT ncols = 0;
    int rc;

    if (!out)
        return zc__err(err, ZC_EINVAL, "zc_session_query: out is NULL");
    *out = NULL;
    if ((rc = check_sql(s, sql, params, nparams, "zc_session_query", err)) != ZC_OK)
        return rc;
    if (s->rows)
        return zc__err(err, ZC_ESTATE, "zc_session_query: the session already has an open "
                       "zc_rows");
    if ((rc = run(s, sql, params, nparams, &st, err)) != ZC_OK)
        return rc;
    if (!SQL_SUCCEEDED(SQLNumResultCols(st->h, &ncols))) {
        rc = zc__session_fail(s, SQL_HANDLE_STMT, st->h, "SQLNumResultCols", err);
        zc__stmt_close_cursor(st);
        return rc;
    }
    r = calloc(1, sizeof *r);
    if (r && ncols > 0)
        r->cols = calloc((size_t)ncols, sizeof *r->cols);
    if (!r || (ncols > 0 && !r->cols)) {
        free(r);
        zc__stmt_close_cursor(st);
        return zc__err(err, ZC_ENOMEM, "out of memory");
    }
    r->s = s;
    r->st = st;
    r->ncols = ncols;
    st->busy = 1;
    s->rows = r;
    *out = r;
    return ZC_OK;
}

/* ZC_OK if r may be read: its session is open and this process's. */
static int rows_usable(const zc_rows *r, const char *fn, zc_error *err)
{
    if (!r)
        return zc__err(err, ZC_EINVAL, "%s: rows is NULL", fn);
    if (!r->s)
        return zc__err(err, ZC_ESTATE, "%s: the session of this zc_rows was closed; only "
                       "zc_rows_close() may be called on it", fn);
    return zc__session_check(r->s, fn, err);
}

int zc_rows_next(zc_rows *r, zc_error *err)
{
    SQLRETURN rc;
    int st;
    if ((st = rows_usable(r, "zc_rows_next", err)) != ZC_OK)
        return st;
    if (r->ncols == 0) {
        r->have_row = 0;
        return ZC_NOT_FOUND;
    }
    zc__session_arm(r->s);
    rc = SQLFetch(r->st->h);
    if ((st = zc__session_disarm(r->s, ZC_OK, err)) != ZC_OK) {
        r->have_row = 0;
        return st;
    }
    r->next_col = 0;
    if (rc == SQL_NO_DATA) {
        r->have_row = 0;
        return ZC_NOT_FOUND;
    }
    if (!SQL_SUCCEEDED(rc)) {
        r->have_row = 0;
        return zc__session_fail(r->s, SQL_HANDLE_STMT, r->st->h, "fetch", err);
    }
    r->have_row = 1;
    return ZC_OK;
}

int zc_rows_ncols(const zc_rows *r)
{
    return r ? r->ncols : 0;
}

const char *zc_rows_name(zc_rows *r, int col)
{
    SQLCHAR name[256];
    SQLSMALLINT len = 0, type, digits, nullable;
    SQLULEN size;
    if (!r || col < 0 || col >= r->ncols)
        return NULL;
    if (r->cols[col].name)
        return r->cols[col].name;
    if (rows_usable(r, "zc_rows_name", NULL) != ZC_OK)
        return NULL;
    if (r->cols[col].name)
        return r->cols[col].name;
    if (!SQL_SUCCEEDED(SQLDescribeCol(r->st->h, (SQLUSMALLINT)(col + 1), name, sizeof name, &len,
                                      &type, &size, &digits, &nullable)))
        return NULL;
    r->cols[col].name = strdup((char *)name);
    return r->cols[col].name;
}

/* Reads one column of the current row as text; columns are read in order, once. */
static int read_col(zc_rows *r, int c, zc_error *err)
{
    struct zc__rcol *col = &r->cols[c];
    SQLLEN ind = 0;
    SQLRETURN rc;

    col->len = 0;
    col->null = 0;
    if (col->cap < 64) {
        char *b = realloc(col->buf, 64);
        if (!b)
            return zc__err(err, ZC_ENOMEM, "out of memory");
        col->buf = b;
        col->cap = 64;
    }
    for (;;) {
        rc = SQLGetData(r->st->h, (SQLUSMALLINT)(c + 1), SQL_C_CHAR, col->buf + col->len,
                        (SQLLEN)(col->cap - col->len), &ind);
        if (rc == SQL_NO_DATA)
            break;
        if (!SQL_SUCCEEDED(rc))
            return zc__session_fail(r->s, SQL_HANDLE_STMT, r->st->h, "read column", err);
        if (ind == SQL_NULL_DATA) {
            col->null = 1;
            col->buf[0] = '\0';
            return ZC_OK;
        }
        if (rc == SQL_SUCCESS) {
            col->len += (size_t)ind;
            break;
        }
        /* SQL_SUCCESS_WITH_INFO (01004): the buffer held cap-len-1 bytes and a NUL. */
        col->len = col->cap - 1;
        {
            size_t want = ind == SQL_NO_TOTAL ? col->cap * 2 : col->len + (size_t)ind + 1;
            char *b;
            if (want <= col->cap)
                want = col->cap * 2;
            b = realloc(col->buf, want);
            if (!b)
                return zc__err(err, ZC_ENOMEM, "out of memory");
            col->buf = b;
            col->cap = want;
        }
    }
    col->buf[col->len] = '\0';
    return ZC_OK;
}

static int col_at(zc_rows *r, int col, struct zc__rcol **out, zc_error *err)
{
    int st;
    if ((st = rows_usable(r, "zc_rows column", err)) != ZC_OK)
        return st;
    if (col < 0 || col >= r->ncols)
        return zc__err(err, ZC_EINVAL, "column %d out of range (0..%d)", col, r->ncols - 1);
    if (!r->have_row)
        return zc__err(err, ZC_ESTATE, "no current row: call zc_rows_next() first");
    while (r->next_col <= col) {
        if ((st = read_col(r, r->next_col, err)) != ZC_OK)
            return st;
        r->next_col++;
    }
    *out = &r->cols[col];
    return ZC_OK;
}

int zc_rows_is_null(zc_rows *r, int col, zc_error *err)
{
    struct zc__rcol *c;
    int st = col_at(r, col, &c, err);
    return st != ZC_OK ? st : c->null;
}

int zc_rows_int(zc_rows *r, int col, int64_t *out, zc_error *err)
{
    struct zc__rcol *c;
    char *e;
    long long v;
    int st = col_at(r, col, &c, err);
    if (st != ZC_OK)
        return st;
    if (c->null)
        return ZC_NOT_FOUND;
    errno = 0;
    v = strtoll(c->buf, &e, 10);
    if (errno || e == c->buf || *e != '\0') {
        /* Drivers render NUMERIC and BOOLEAN columns their own way. */
        if (!strcmp(c->buf, "t") || !strcmp(c->buf, "true"))
            v = 1;
        else if (!strcmp(c->buf, "f") || !strcmp(c->buf, "false"))
            v = 0;
        else
            return zc__err(err, ZC_EINVAL, "column %d ('%.40s') is not an integer", col, c->buf);
    }
    if (out)
        *out = (int64_t)v;
    return ZC_OK;
}

int zc_rows_double(zc_rows *r, int col, double *out, zc_error *err)
{
    struct zc__rcol *c;
    char *e;
    double v;
    int st = col_at(r, col, &c, err);
    if (st != ZC_OK)
        return st;
    if (c->null)
        return ZC_NOT_FOUND;
    errno = 0;
    v = strtod(c->buf, &e);
    if (errno == EINVAL || e == c->buf || *e != '\0')
        return zc__err(err, ZC_EINVAL, "column %d ('%.40s') is not a number", col, c->buf);
    if (out)
        *out = v;
    return ZC_OK;
}

int zc_rows_text(zc_rows *r, int col, const char **out, size_t *len, zc_error *err)
{
    struct zc__rcol *c;
    int st = col_at(r, col, &c, err);
    if (st != ZC_OK)
        return st;
    if (out)
        *out = c->null ? NULL : c->buf;
    if (len)
        *len = c->null ? 0 : c->len;
    return c->null ? ZC_NOT_FOUND : ZC_OK;
}

void zc_rows_close(zc_rows **rp)
{
    zc_rows *r;
    if (!rp || !*rp)
        return;
    r = *rp;
    *rp = NULL;
    if (r->s) {
        if (r->s->gen == zc__fork_gen()) {
            zc__stmt_close_cursor(r->st);
            r->st->busy = 0;
        }
        if (r->s->rows == r)
            r->s->rows = NULL;
    }
    for (int i = 0; i < r->ncols; i++) {
        free(r->cols[i].name);
        free(r->cols[i].buf);
    }
    free(r->cols);
    free(r);
}

int zc_session_query_int(zc_session *s, const char *sql, const zc_value *params, size_t nparams,
                         int64_t *out, zc_error *err)
{
    zc_rows *r = NULL;
    int st;
    if (!out)
        return zc__err(err, ZC_EINVAL, "zc_session_query_int: out is NULL");
    st = zc_session_query(s, sql, params, nparams, &r, err);
    if (st != ZC_OK)
        return st;
    st = zc_rows_next(r, err);
    if (st == ZC_OK) {
        st = zc_rows_int(r, 0, out, err);
        if (st == ZC_NOT_FOUND)
            st = zc__err(err, ZC_EINVAL, "zc_session_query_int: the value is NULL");
    }
    zc_rows_close(&r);
    return st;
}
