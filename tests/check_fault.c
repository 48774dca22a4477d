/* SPDX-License-Identifier: MIT */
/*
 * fault: what zodiac does when connections die and servers go away, on
 * PostgreSQL and MariaDB servers of their own.
 *
 * These tests kill backends and stop servers, so they never touch the servers
 * the other suites share: scripts/test.sh starts a second instance
 * (scripts/backends.sh with ZC_RUNDIR=$ZC_RUNDIR/fault) and exports
 *   ZC_FAULT_PG, ZC_FAULT_PG_NOPOOL, ZC_FAULT_MARIA, ZC_FAULT_MARIA_NOPOOL
 *       DSN-less connection strings to it (ODBCINI is process-wide, so no DSNs),
 *       the _NOPOOL ones through the drivers whose connections are never reused;
 *   ZC_FAULT_RUNDIR, ZC_FAULT_PG_PORT, ZC_FAULT_MARIADB_PORT, ZC_FAULT_BACKENDS_SH
 *       what `backends.sh stop-pg` / `start-pg` (and -mariadb) need.
 * A server backend the run requires (ZC_TEST_BACKENDS) whose fault instance is
 * not set up or not reachable fails its tests.
 *
 * Every test prints one line saying what it checked, e.g.
 *   fault/pg/terminate_idle (lazy): sessions 20 attempted, 20 succeeded; ...
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zctest.h"

/* The server under test in this case. */
static struct fault_target {
    const char *label;   /* "pg", "mariadb": test names and backends.sh commands */
    int dialect;
    const char *conn, *conn_nopool;
} cur;

static char table[64];

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void sleep_ms(int ms)
{
    usleep((useconds_t)ms * 1000);
}

/* ---- the fault instance ------------------------------------------------------- */

static const char *need_env(const char *name)
{
    const char *v = getenv(name);
    ck_assert_msg(v && *v, "%s is not set: the fault suite runs against the fault instance "
                  "that scripts/test.sh starts (see docs/reliability.md)", name);
    ck_assert_msg(!strchr(v, '\''), "%s has a quote", name);
    return v;
}

/*
 * Runs `backends.sh <verb>-<server>` on the fault instance. Refuses anything that
 * could name the shared servers: another run directory or the same ports.
 */
static void control(const char *verb)
{
    const char *rundir = need_env("ZC_FAULT_RUNDIR"), *sh = need_env("ZC_FAULT_BACKENDS_SH");
    const char *pg = need_env("ZC_FAULT_PG_PORT"), *my = need_env("ZC_FAULT_MARIADB_PORT");
    const char *main_rundir = getenv("ZC_RUNDIR");
    const char *main_pg = getenv("ZC_PG_PORT"), *main_my = getenv("ZC_MARIADB_PORT");
    char cmd[2048];
    int rc;

    ck_assert_msg(rundir[0] == '/', "ZC_FAULT_RUNDIR must be absolute");
    ck_assert_msg(!main_rundir || strcmp(main_rundir, rundir) != 0,
                  "ZC_FAULT_RUNDIR is the shared run directory %s", rundir);
    ck_assert_msg(!main_pg || strcmp(main_pg, pg) != 0, "fault port %s is the shared one", pg);
    ck_assert_msg(!main_my || strcmp(main_my, my) != 0, "fault port %s is the shared one", my);
    snprintf(cmd, sizeof cmd,
             "ZC_RUNDIR='%s' ZC_PG_PORT='%s' ZC_MARIADB_PORT='%s' ZC_PG_REPLICA_PORT=0 '%s' "
             "%s-%s", rundir, pg, my, sh, verb, cur.label);
    fflush(stdout);
    rc = system(cmd);
    ck_assert_msg(rc == 0, "'%s' exited with %d", cmd, rc);
}

/* ---- helpers: backends, killing, counting ---------------------------------------- */

static int64_t backend_id(zc_session *s)
{
    zc_error err;
    int64_t id = -1;
    const char *sql = cur.dialect == ZC_DIALECT_POSTGRESQL ? "SELECT pg_backend_pid()"
                                                            : "SELECT CONNECTION_ID()";
    ZCT_OK(zc_session_query_int(s, sql, NULL, 0, &id, &err), &err);
    return id;
}

/* The test user's connections other than the asking one. */
static const char *others_sql(void)
{
    return cur.dialect == ZC_DIALECT_POSTGRESQL
               ? "SELECT pid FROM pg_stat_activity WHERE usename = current_user AND "
                 "pid <> pg_backend_pid() AND backend_type = 'client backend'"
               : "SELECT ID FROM information_schema.PROCESSLIST WHERE "
                 "USER = SUBSTRING_INDEX(CURRENT_USER(), '@', 1) AND ID <> CONNECTION_ID()";
}

/* Reads up to cap ids of the test user's other connections; returns how many. */
static int list_others(zc_session *k, int64_t *ids, int cap)
{
    zc_error err;
    zc_rows *r = NULL;
    int n = 0;
    ZCT_OK(zc_session_query(k, others_sql(), NULL, 0, &r, &err), &err);
    while (zc_rows_next(r, &err) == ZC_OK)
        if (n < cap)
            ZCT_OK(zc_rows_int(r, 0, &ids[n++], &err), &err);
    zc_rows_close(&r);
    ZCT_OK(zc_session_rollback(k, &err), &err);
    return n;
}

/* Ends backend id from the killer's connection. */
static void kill_one(zc_session *k, int64_t id)
{
    zc_error err;
    char sql[64];
    if (cur.dialect == ZC_DIALECT_POSTGRESQL) {
        int64_t ok = 0;
        zc_value p[] = { zc_int(id) };
        ZCT_OK(zc_session_query_int(k, "SELECT CAST(pg_terminate_backend(CAST(? AS INT)) AS INT)",
                                    p, 1, &ok, &err), &err);
    } else {
        snprintf(sql, sizeof sql, "KILL %lld", (long long)id);
        /* 1094: the connection ended by itself meanwhile */
        int st = zc_session_exec(k, sql, NULL, 0, NULL, &err);
        ck_assert_msg(st == ZC_OK || err.native == 1094, "KILL %lld: %s", (long long)id,
                      err.message);
    }
    zc_session_rollback(k, NULL);
}

/* Waits (up to 10 s) until the server lists none of ids[0..n) any more. */
static void wait_gone(zc_session *k, const int64_t *ids, int n)
{
    double t0 = now_ms();
    for (;;) {
        int64_t now[256];
        int m = list_others(k, now, 256), left = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                left += now[i] == ids[j];
        if (!left)
            return;
        ck_assert_msg(now_ms() - t0 < 10000, "%d killed connections still listed after 10 s",
                      left);
        sleep_ms(50);
    }
}

/* Kills every other connection of the test user; returns how many there were. */
static int kill_all_others(void)
{
    zc_error err;
    zc_session *k = NULL;
    int64_t ids[256];
    int n;
    ZCT_OK(zc_session_open("killer", &k, &err), &err);
    n = list_others(k, ids, 256);
    for (int i = 0; i < n; i++)
        kill_one(k, ids[i]);
    wait_gone(k, ids, n);
    zc_session_close(&k);
    return n;
}

static void kill_backend(int64_t id)
{
    zc_error err;
    zc_session *k = NULL;
    ZCT_OK(zc_session_open("killer", &k, &err), &err);
    kill_one(k, id);
    wait_gone(k, &id, 1);
    zc_session_close(&k);
}

static void make_table(void)
{
    char sql[256];
    snprintf(table, sizeof table, "zc_fault%s", zct_uniq());
    zct_drop("killer", table);
    snprintf(sql, sizeof sql, "CREATE TABLE %s (name VARCHAR(40) NOT NULL PRIMARY KEY)", table);
    zct_exec("killer", sql);
}

static int64_t count_rows(void)
{
    return zct_count("killer", table);
}

static int insert(zc_session *s, const char *name, zc_error *err)
{
    return zct_insert_name(s, table, name, err);
}

static void setup_db(const char *name, int pre_ping)
{
    zc_error err;
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    o.pre_ping = pre_ping;
    ZCT_OK(zc_db_setup(name, cur.conn, &o, &err), &err);
}

static const char *ping_name(int mode)
{
    return mode == ZC_PING_ALWAYS ? "always" : "lazy";
}

static int is_conn_state(const char *st)
{
    return st[0] == '0' && st[1] == '8';
}

/* ---- a. every pooled backend terminated while idle ----------------------------- */

#define POOLED 5
#define ROUNDS 4

static void terminate_idle(int mode)
{
    zc_error err;
    zc_session *s[POOLED];
    int64_t before[POOLED];
    int attempted = 0, succeeded = 0, reused = 0, killed;
    int64_t rows;

    setup_db("app", mode);
    make_table();
    /* POOLED connections at once, then idle in the driver manager's pool */
    for (int i = 0; i < POOLED; i++) {
        ZCT_OK(zc_session_open("app", &s[i], &err), &err);
        before[i] = backend_id(s[i]);
    }
    for (int i = 0; i < POOLED; i++)
        zc_session_close(&s[i]);
    killed = kill_all_others();
    ck_assert_int_ge(killed, POOLED);

    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < POOLED; i++) {
            s[i] = NULL;
            attempted++;
            if (zc_session_open("app", &s[i], &err) != ZC_OK)
                ck_abort_msg("open after the kill: %s [%s]", err.message, err.sqlstate);
        }
        for (int i = 0; i < POOLED; i++) {
            char name[32];
            snprintf(name, sizeof name, "r%d-%d", round, i);
            if (insert(s[i], name, &err) == ZC_OK && zc_session_commit(s[i], &err) == ZC_OK)
                succeeded++;
            else
                fprintf(stderr, "session %s: %s [%s]\n", name, err.message, err.sqlstate);
            for (int j = 0; j < POOLED; j++)
                reused += backend_id(s[i]) == before[j];
            zc_session_close(&s[i]);
        }
    }
    rows = count_rows();
    printf("fault/%s/terminate_idle (%s): %d pooled backends and %d in all killed; sessions "
           "%d attempted, %d succeeded, %d on a killed backend; rows expected %d found %lld\n",
           cur.label, ping_name(mode), POOLED, killed, attempted, succeeded, reused, attempted,
           (long long)rows);
    ck_assert_int_eq(succeeded, attempted);
    ck_assert_int_eq(reused, 0);
    ck_assert_int_eq(rows, attempted);
}

START_TEST(terminate_idle_lazy) { terminate_idle(ZC_PING_LAZY); }
END_TEST
START_TEST(terminate_idle_always) { terminate_idle(ZC_PING_ALWAYS); }
END_TEST

/* zc_db_shutdown() and a new set-up while the pool holds killed connections: the next
   connects must neither fail nor touch freed memory (run under valgrind to see the
   latter; unixODBC read freed memory here before zodiac kept its environment). */
START_TEST(setup_again_after_shutdown)
{
    zc_error err;
    int opened = 0, worked = 0;
    for (int round = 0; round < 3; round++) {
        zc_session *s[3];
        int64_t id;
        setup_db("app", round % 2 ? ZC_PING_ALWAYS : ZC_PING_LAZY);
        for (int i = 0; i < 3; i++)
            ZCT_OK(zc_session_open("app", &s[i], &err), &err);
        for (int i = 0; i < 3; i++) {
            (void)backend_id(s[i]);
            zc_session_close(&s[i]);
        }
        kill_all_others();
        zc_db_shutdown();
        ZCT_OK(zc_db_setup("killer", cur.conn_nopool, NULL, &err), &err);
        setup_db("app", round % 2 ? ZC_PING_LAZY : ZC_PING_ALWAYS);
        for (int i = 0; i < 3; i++) {
            opened++;
            ZCT_OK(zc_session_open("app", &s[i], &err), &err);
        }
        for (int i = 0; i < 3; i++) {
            ZCT_OK(zc_session_query_int(s[i], "SELECT 1", NULL, 0, &id, &err), &err);
            worked += id == 1;
            zc_session_close(&s[i]);
        }
        zc_db_shutdown();
        ZCT_OK(zc_db_setup("killer", cur.conn_nopool, NULL, &err), &err);
    }
    printf("fault/%s/setup_again: 3 rounds of pool, kill, shutdown, set-up; sessions %d "
           "attempted, %d worked\n", cur.label, opened, worked);
    ck_assert_int_eq(worked, opened);
}
END_TEST

/* ---- b. the server restarted between sessions ---------------------------------- */

struct helper_run {
    int status;
    zc_txn_result res;
    zc_error err;
};

static int insert_helper_row(zc_session *s, void *arg, zc_error *err)
{
    (void)arg;
    return insert(s, "by-helper", err);
}

/* zc_transaction_run while the server is down: it must keep trying until it is back. */
static void *helper_while_down(void *arg)
{
    struct helper_run *h = arg;
    zc_txn_options o = ZC_TXN_OPTIONS_DEFAULT;
    o.result = &h->res;
    o.max_attempts = 60;
    o.base_backoff_ms = 100;
    o.max_backoff_ms = 500;
    h->status = zc_transaction_run("app", insert_helper_row, NULL, &o, &h->err);
    return NULL;
}

#define DOWN_TRIES 3

START_TEST(restart_between_sessions)
{
    static const char *dbs[2] = { "app", "app_always" };
    zc_error err, down[2][DOWN_TRIES];
    int down_st[2][DOWN_TRIES];
    int after_ok = 0, after_tried = 0;
    struct helper_run h;
    pthread_t t;
    int64_t rows;

    setup_db("app", ZC_PING_LAZY);
    setup_db("app_always", ZC_PING_ALWAYS);
    make_table();
    for (int d = 0; d < 2; d++) {
        zc_session *s = NULL;
        char name[32];
        snprintf(name, sizeof name, "before-%d", d);
        ZCT_OK(zc_session_open(dbs[d], &s, &err), &err);
        ZCT_OK(insert(s, name, &err), &err);
        ZCT_OK(zc_session_commit(s, &err), &err);
        zc_session_close(&s);
    }

    control("stop");
    /* No assertion fails while the server is down: results are checked once it is back. */
    for (int d = 0; d < 2; d++)
        for (int i = 0; i < DOWN_TRIES; i++) {
            zc_session *s = NULL;
            char name[32];
            snprintf(name, sizeof name, "down-%d-%d", d, i);
            memset(&down[d][i], 0, sizeof down[d][i]);
            down_st[d][i] = zc_session_open(dbs[d], &s, &down[d][i]);
            if (down_st[d][i] == ZC_OK)
                down_st[d][i] = insert(s, name, &down[d][i]);
            zc_session_close(&s);
        }
    memset(&h, 0, sizeof h);
    h.status = -99;
    pthread_create(&t, NULL, helper_while_down, &h);
    sleep_ms(1500);
    control("start");
    pthread_join(t, NULL);

    for (int d = 0; d < 2; d++)
        for (int i = 0; i < 3; i++) {
            zc_session *s = NULL;
            char name[32];
            snprintf(name, sizeof name, "after-%d-%d", d, i);
            after_tried++;
            if (zc_session_open(dbs[d], &s, &err) == ZC_OK && insert(s, name, &err) == ZC_OK &&
                zc_session_commit(s, &err) == ZC_OK)
                after_ok++;
            else
                fprintf(stderr, "after restart, %s: %s [%s]\n", name, err.message, err.sqlstate);
            zc_session_close(&s);
        }
    rows = count_rows();
    printf("fault/%s/restart: while down %d sessions attempted, each ZC_ECONN, e.g. [%s] %s; "
           "zc_transaction_run meanwhile: %s after %d attempts (%d retried); after restart %d "
           "attempted, %d succeeded; rows expected %d found %lld\n", cur.label, 2 * DOWN_TRIES,
           down[0][0].sqlstate, down[0][0].message, zc_strerror(h.status), h.res.attempts,
           h.res.retried_conn, after_tried, after_ok, 2 + 1 + after_tried, (long long)rows);
    for (int d = 0; d < 2; d++)
        for (int i = 0; i < DOWN_TRIES; i++) {
            ck_assert_msg(down_st[d][i] == ZC_ECONN, "%s while down: %d %s", dbs[d],
                          down_st[d][i], down[d][i].message);
            ck_assert_msg(is_conn_state(down[d][i].sqlstate), "%s while down: SQLSTATE %s (%s)",
                          dbs[d], down[d][i].sqlstate, down[d][i].message);
            ck_assert_msg(strstr(down[d][i].message, "connect") ||
                          strstr(down[d][i].message, "lost"), "unclear: %s",
                          down[d][i].message);
        }
    ck_assert_msg(h.status == ZC_OK, "helper: %d %s", h.status, h.err.message);
    ck_assert_int_ge(h.res.retried_conn, 1);
    ck_assert_int_eq(h.res.retried_conflict, 0);
    ck_assert_int_eq(after_ok, after_tried);
    ck_assert_int_eq(rows, 2 + 1 + after_tried); /* nothing of the down attempts landed */
}
END_TEST

/* ---- c. a connection killed inside a transaction ---------------------------------- */

START_TEST(kill_inside_transaction)
{
    zc_error err, e_stmt, e_commit;
    zc_session *s = NULL;
    int64_t id, rows, rows_after;
    int st_stmt, st_commit;

    setup_db("app", ZC_PING_LAZY);
    make_table();
    ZCT_OK(zc_session_open("app", &s, &err), &err);
    id = backend_id(s);
    ZCT_OK(insert(s, "t1", &err), &err);
    ZCT_OK(insert(s, "t2", &err), &err);
    ZCT_OK(insert(s, "t3", &err), &err);
    kill_backend(id);
    st_stmt = insert(s, "t4", &e_stmt);
    st_commit = zc_session_commit(s, &e_commit);
    zc_session_close(&s);
    rows = count_rows();
    /* the next session works */
    ZCT_OK(zc_session_open("app", &s, &err), &err);
    ZCT_OK(insert(s, "later", &err), &err);
    ZCT_OK(zc_session_commit(s, &err), &err);
    zc_session_close(&s);
    rows_after = count_rows();
    printf("fault/%s/kill_in_txn: 3 rows inserted, backend killed; next statement -> %s [%s] "
           "%s; commit -> %s: %s; rows expected 0 found %lld; next session's row landed: "
           "%lld\n", cur.label, zc_strerror(st_stmt), e_stmt.sqlstate, e_stmt.message,
           zc_strerror(st_commit), e_commit.message, (long long)rows, (long long)rows_after);
    ck_assert_int_eq(st_stmt, ZC_ECONN);
    ck_assert_int_eq(e_stmt.status, ZC_ECONN);
    ck_assert_int_eq(st_commit, ZC_ECONN);
    ck_assert_ptr_nonnull(strstr(e_commit.message, "not committed"));
    ck_assert_int_eq(rows, 0);     /* the transaction's rows are not there, nor t4 */
    ck_assert_int_eq(rows_after, 1);
}
END_TEST

/* The same after a failed first statement: the transaction is under way (and cannot
   commit), so a dead connection must not be replaced quietly either. */
START_TEST(kill_after_failed_first_statement)
{
    zc_error err, e_dup, e_stmt, e_commit;
    zc_session *s = NULL;
    char sql[128];
    int st_dup, st_stmt, st_commit;
    int64_t rows;

    setup_db("app", ZC_PING_LAZY);
    make_table();
    snprintf(sql, sizeof sql, "INSERT INTO %s (name) VALUES ('dup')", table);
    zct_exec("killer", sql);
    ZCT_OK(zc_session_open("app", &s, &err), &err);
    st_dup = insert(s, "dup", &e_dup);   /* the session's first statement fails */
    kill_all_others();                   /* its connection is the one in use */
    st_stmt = insert(s, "after", &e_stmt);
    st_commit = zc_session_commit(s, &e_commit);
    zc_session_close(&s);
    rows = count_rows();
    printf("fault/%s/kill_after_failed_stmt: first statement -> %s; backend killed; next "
           "statement -> %s [%s]; commit -> %s; rows expected 1 found %lld\n", cur.label,
           zc_strerror(st_dup), zc_strerror(st_stmt), e_stmt.sqlstate, zc_strerror(st_commit),
           (long long)rows);
    ck_assert_int_eq(st_dup, ZC_ECONSTRAINT);
    ck_assert_msg(st_stmt == ZC_ECONN, "after the kill: %d %s", st_stmt, e_stmt.message);
    ck_assert_int_ne(st_commit, ZC_OK);
    ck_assert_int_eq(rows, 1); /* 'after' never landed */
}
END_TEST

/* ---- d. commit outcome unknown ------------------------------------------------------ */

struct doomed_unit {
    int calls;
};

/* Inserts two rows, then has its own backend killed: the commit that follows fails. */
static int insert_then_get_killed(zc_session *s, void *arg, zc_error *err)
{
    struct doomed_unit *u = arg;
    int st;
    u->calls++;
    if ((st = insert(s, "h1", err)) != ZC_OK || (st = insert(s, "h2", err)) != ZC_OK)
        return st;
    kill_backend(backend_id(s));
    return ZC_OK;
}

START_TEST(commit_outcome_unknown)
{
    zc_error err, e_commit;
    zc_session *s = NULL;
    zc_txn_result res;
    zc_txn_options o = ZC_TXN_OPTIONS_DEFAULT;
    struct doomed_unit u = { 0 };
    int64_t id, rows_session, rows_helper;
    int st_commit, st_helper;

    setup_db("app", ZC_PING_LAZY);
    make_table();
    /* a session: the connection dies between the last statement and the commit */
    ZCT_OK(zc_session_open("app", &s, &err), &err);
    ZCT_OK(insert(s, "c1", &err), &err);
    ZCT_OK(insert(s, "c2", &err), &err);
    id = backend_id(s);
    kill_backend(id);
    st_commit = zc_session_commit(s, &e_commit);
    zc_session_close(&s);
    rows_session = count_rows();

    /* the helper: same death, and it must not run the unit again */
    o.result = &res;
    st_helper = zc_transaction_run("app", insert_then_get_killed, &u, &o, &err);
    rows_helper = count_rows();
    printf("fault/%s/commit_unknown: session commit -> %s [%s] %s; rows expected 0 found "
           "%lld. zc_transaction_run -> %s, fn ran %d time(s), attempts %d, commit_unknown %d: "
           "%s; rows expected 0 found %lld\n", cur.label, zc_strerror(st_commit),
           e_commit.sqlstate, e_commit.message, (long long)rows_session, zc_strerror(st_helper),
           u.calls, res.attempts, res.commit_unknown, err.message, (long long)rows_helper);
    ck_assert_int_eq(st_commit, ZC_ECONN);
    ck_assert_msg(strstr(e_commit.message, "outcome unknown") != NULL, "%s", e_commit.message);
    ck_assert_int_eq(rows_session, 0); /* killed before the commit reached the server */
    ck_assert_int_eq(st_helper, ZC_ECONN);
    ck_assert_msg(strstr(err.message, "outcome unknown") != NULL, "%s", err.message);
    ck_assert_int_eq(u.calls, 1);
    ck_assert_int_eq(res.attempts, 1);
    ck_assert_int_eq(res.retried_conn + res.retried_conflict, 0);
    ck_assert_int_eq(res.commit_unknown, 1);
    ck_assert_int_eq(rows_helper, 0);
}
END_TEST

/* ---- the helper re-runs a unit whose connection died before the commit --------- */

struct lost_unit {
    int calls;
    int swallow; /* 1: ignore the failed statement and return ZC_OK anyway */
    int first_status;
};

/* First call: one row, the backend killed, a second row fails. Later calls: both rows. */
static int insert_pair_killed_once(zc_session *s, void *arg, zc_error *err)
{
    struct lost_unit *u = arg;
    int st;
    u->calls++;
    if ((st = insert(s, "p1", err)) != ZC_OK)
        return st;
    if (u->calls == 1)
        kill_backend(backend_id(s));
    st = insert(s, "p2", err);
    if (u->calls == 1)
        u->first_status = st;
    return u->swallow ? ZC_OK : st;
}

START_TEST(helper_reruns_unit_after_lost_connection)
{
    zc_error err;
    zc_txn_result res;
    zc_txn_options o = ZC_TXN_OPTIONS_DEFAULT;
    int64_t rows[2];
    int st[2];
    struct lost_unit u[2] = { { 0, 0, 0 }, { 0, 1, 0 } };

    setup_db("app", ZC_PING_LAZY);
    o.result = &res;
    for (int k = 0; k < 2; k++) {
        zc_txn_result r;
        char sql[128];
        if (k == 0)
            make_table();
        else {
            snprintf(sql, sizeof sql, "DELETE FROM %s", table);
            zct_exec("killer", sql);
        }
        st[k] = zc_transaction_run("app", insert_pair_killed_once, &u[k], &o, &err);
        r = res;
        rows[k] = count_rows();
        printf("fault/%s/helper_lost_conn (%s): first attempt's 2nd statement -> %s; "
               "zc_transaction_run -> %s after %d attempts (%d retried after a lost "
               "connection); rows expected 2 found %lld\n", cur.label,
               k ? "fn ignores the error" : "fn returns the error",
               zc_strerror(u[k].first_status), zc_strerror(st[k]), r.attempts, r.retried_conn,
               (long long)rows[k]);
        ck_assert_int_eq(u[k].first_status, ZC_ECONN);
        ck_assert_msg(st[k] == ZC_OK, "%d %s", st[k], err.message);
        ck_assert_int_eq(r.attempts, 2);
        ck_assert_int_eq(u[k].calls, 2);
        ck_assert_int_eq(r.retried_conn, 1);
        /* the primary key would refuse p1 twice: the first attempt left nothing */
        ck_assert_int_eq(rows[k], 2);
    }
}
END_TEST

/* ---- the suite -------------------------------------------------------------------- */

static void setup_target(const char *label, int dialect, const char *env, const char *env_np)
{
    zc_error err;
    zc_session *s = NULL;
    int64_t one = 0;
    cur.label = label;
    cur.dialect = dialect;
    cur.conn = need_env(env);
    cur.conn_nopool = need_env(env_np);
    ZCT_OK(zc_db_setup("killer", cur.conn_nopool, NULL, &err), &err);
    /* reachable, or the test fails here */
    if (zc_session_open("killer", &s, &err) != ZC_OK ||
        zc_session_query_int(s, "SELECT 1", NULL, 0, &one, &err) != ZC_OK)
        ck_abort_msg("the fault instance's %s is not reachable (%s): %s [%s]", label, env,
                     err.message, err.sqlstate);
    zc_session_close(&s);
}
static void setup_pg(void)
{
    setup_target("pg", ZC_DIALECT_POSTGRESQL, "ZC_FAULT_PG", "ZC_FAULT_PG_NOPOOL");
}
static void setup_maria(void)
{
    setup_target("mariadb", ZC_DIALECT_MYSQL, "ZC_FAULT_MARIA", "ZC_FAULT_MARIA_NOPOOL");
}
static void teardown(void) { zc_db_shutdown(); }

static void add_tests(TCase *tc)
{
    tcase_add_test(tc, terminate_idle_lazy);
    tcase_add_test(tc, terminate_idle_always);
    tcase_add_test(tc, setup_again_after_shutdown);
    tcase_add_test(tc, kill_inside_transaction);
    tcase_add_test(tc, kill_after_failed_first_statement);
    tcase_add_test(tc, commit_outcome_unknown);
    tcase_add_test(tc, helper_reruns_unit_after_lost_connection);
    tcase_add_test(tc, restart_between_sessions);
}

int main(void)
{
    Suite *s = suite_create("fault");
    setvbuf(stdout, NULL, _IOLBF, 0); /* each test's line, even when it fails */
    int n, cases = 0;
    const zct_backend *b = zct_backends(&n);
    for (int i = 0; i < n; i++) {
        TCase *tc;
        if (!strcmp(b[i].name, "postgresql")) {
            tc = tcase_create("fault/pg");
            tcase_add_checked_fixture(tc, setup_pg, teardown);
        } else if (!strcmp(b[i].name, "mariadb")) {
            tc = tcase_create("fault/mariadb");
            tcase_add_checked_fixture(tc, setup_maria, teardown);
        } else {
            continue;
        }
        tcase_set_timeout(tc, 300);
        add_tests(tc);
        suite_add_tcase(s, tc);
        cases++;
    }
    if (!cases) {
        /* Only SQLite in this run: no server to kill. 77 is automake's SKIP. */
        printf("fault: ZC_TEST_BACKENDS requires no server backend; nothing to run\n");
        return 77;
    }
    return zct_run(s);
}
