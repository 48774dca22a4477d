/* SPDX-License-Identifier: MIT */
/*
 * link: what zodiac does when a connection is cut or goes silent at a chosen
 * moment, and how long any wait on a server can last. The server backends are
 * reached through a proxy the test starts (tests/proxy.c), which cuts or
 * silences only the connections made through it; statement timeouts run on
 * every backend. Each case prints one line saying what it checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"
#include "zctest.h"

static zct_proxy *proxy;
static char table[64];

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Upper bounds stretch under valgrind, where the client side runs 20-50 times slower. */
static double slack(void)
{
    return getenv("ZC_UNDER_VALGRIND") ? 10.0 : 1.0;
}

static int server_port(void)
{
    const char *v = getenv(zct_cur->dialect == ZC_DIALECT_POSTGRESQL ? "ZC_PG_PORT"
                                                                      : "ZC_MARIADB_PORT");
    ck_assert_msg(v && atoi(v) > 0, "the server's port is not in the environment "
                  "(ZC_PG_PORT / ZC_MARIADB_PORT, from scripts/backends.sh's env.sh)");
    return atoi(v);
}

/* Sets up database name through a new proxy to the current server. */
static void setup_via_proxy(const char *name, int pooled, const zc_db_options *o)
{
    char conn[1200];
    zc_error err;
    proxy = zct_proxy_start(server_port());
    ck_assert_ptr_nonnull(proxy);
    /* the connection string's Port overrides the DSN's, for both drivers */
    snprintf(conn, sizeof conn, "%s;Port=%d", pooled ? zct_cur->conn : zct_cur->conn_nopool,
             zct_proxy_port(proxy));
    ZCT_OK(zc_db_setup(name, conn, o, &err), &err);
}

static void make_table(int non_transactional)
{
    char sql[256];
    snprintf(table, sizeof table, "zc_link%s", zct_uniq());
    zct_drop(NULL, table);
    snprintf(sql, sizeof sql, "CREATE TABLE %s (name VARCHAR(40) NOT NULL)%s", table,
             non_transactional && zct_cur->dialect == ZC_DIALECT_MYSQL ? " ENGINE=MyISAM" : "");
    zct_exec(NULL, sql);
}

static int64_t count_rows(void)
{
    return zct_count(NULL, table);
}

static int insert(zc_session *s, const char *name, zc_error *err)
{
    return zct_insert_name(s, table, name, err);
}

static void teardown_link(void)
{
    zct_proxy_stop(&proxy);
    if (table[0])
        zct_drop(NULL, table);
    table[0] = '\0';
}

/* ---- a statement is sent once ---------------------------------------------------- */

static void cut_after_send(int pooled)
{
    zc_error err, e;
    zc_session *s = NULL;
    int64_t one = 0, rows;
    int st, accepted;
    long sends;
    /* MariaDB: a MyISAM table keeps what a statement did even when its connection dies,
       so a statement run twice would show as two rows */
    make_table(1);
    setup_via_proxy("via", pooled, NULL);
    if (pooled) {
        /* a connection that goes back to the pool and is handed out again */
        ZCT_OK(zc_session_open("via", &s, &err), &err);
        ZCT_OK(zc_session_query_int(s, "SELECT 1", NULL, 0, &one, &err), &err);
        zc_session_close(&s);
    }
    ZCT_OK(zc_session_open("via", &s, &err), &err);
    accepted = zct_proxy_accepted(proxy);
    sends = zct_proxy_client_sends(proxy);
    zct_proxy_cut_after_next_send(proxy);
    memset(&e, 0, sizeof e);
    st = insert(s, "once", &e);
    rows = count_rows();
    printf("link/%s/cut_after_send (%s): the INSERT reached the server and its connection was "
           "cut -> %s [%s] %s; connections through the proxy before %d after %d; client "
           "sends after the cut %ld; rows %lld (expected %d)\n", zct_cur->name,
           pooled ? "pooled connection" : "new connection", zc_strerror(st), e.sqlstate,
           e.message, accepted, zct_proxy_accepted(proxy),
           zct_proxy_client_sends(proxy) - sends - 1, (long long)rows,
           zct_cur->dialect == ZC_DIALECT_MYSQL ? 1 : 0);
    ck_assert_int_eq(st, ZC_ECONN);
    ck_assert_int_eq(e.status, ZC_ECONN);
    ck_assert_int_eq(zct_proxy_accepted(proxy), accepted); /* no new connection to re-run it */
    ck_assert_int_eq(zct_proxy_client_sends(proxy), sends + 1);
    /* PostgreSQL rolled the transaction back; MyISAM kept the row, once */
    ck_assert_int_eq(rows, zct_cur->dialect == ZC_DIALECT_MYSQL ? 1 : 0);
    ck_assert_int_eq(zc_session_commit(s, &e), ZC_ECONN);
    zc_session_close(&s);
    teardown_link();
}

START_TEST(statement_cut_after_send_is_not_sent_again_pooled) { cut_after_send(1); }
END_TEST
START_TEST(statement_cut_after_send_is_not_sent_again_new) { cut_after_send(0); }
END_TEST

/* ---- a pooled connection the server closed while idle ----------------------------- */

START_TEST(idle_connection_closed_is_replaced_before_use)
{
    zc_error err;
    zc_session *s = NULL;
    int64_t one = 0;
    int accepted, opened = 0, worked = 0;
    make_table(0);
    setup_via_proxy("via", 1, NULL);
    for (int round = 0; round < 3; round++) {
        ZCT_OK(zc_session_open("via", &s, &err), &err);
        ZCT_OK(zc_session_query_int(s, "SELECT 1", NULL, 0, &one, &err), &err);
        zc_session_close(&s);
        accepted = zct_proxy_accepted(proxy);
        zct_proxy_cut_all(proxy); /* the idle pooled connection's socket hangs up */
        usleep(50000);
        opened++;
        ZCT_OK(zc_session_open("via", &s, &err), &err);
        if (insert(s, "after-cut", &err) == ZC_OK && zc_session_commit(s, &err) == ZC_OK)
            worked++;
        else
            fprintf(stderr, "after the cut: %s [%s]\n", err.message, err.sqlstate);
        ck_assert_int_eq(zct_proxy_accepted(proxy), accepted + 1); /* a new connection */
        zc_session_close(&s);
    }
    printf("link/%s/idle_cut: 3 rounds of a pooled connection cut while idle, then a "
           "session: %d of %d first statements succeeded on a new connection; rows %lld\n",
           zct_cur->name, worked, opened, (long long)count_rows());
    ck_assert_int_eq(worked, opened);
    ck_assert_int_eq(count_rows(), 3);
    teardown_link();
}
END_TEST

/* ---- statement timeouts ------------------------------------------------------------- */

/* A statement that runs for seconds on each backend. */
static const char *slow_sql(void)
{
    switch (zct_cur->dialect) {
    case ZC_DIALECT_POSTGRESQL: return "SELECT CAST(1 AS BIGINT) FROM pg_sleep(5)";
    case ZC_DIALECT_MYSQL: return "SELECT SLEEP(5)";
    default:
        return "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
               "WHERE x < 2000000000) SELECT COUNT(*) FROM c";
    }
}

START_TEST(statement_timeout_stops_a_long_statement)
{
    zc_error err, e;
    zc_session *s = NULL;
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    int64_t v = 0;
    double t0, took, took2;
    int st, st2, commit;
    o.statement_timeout_ms = 500;
    ZCT_OK(zc_db_setup("bounded", zct_cur->conn, &o, &err), &err);
    ZCT_OK(zc_session_open("bounded", &s, &err), &err);
    ZCT_OK(zc_session_query_int(s, "SELECT 1", NULL, 0, &v, &err), &err);
    t0 = now_ms();
    st = zc_session_query_int(s, slow_sql(), NULL, 0, &v, &e);
    took = now_ms() - t0;
    commit = zc_session_commit(s, &err);
    /* the connection is still good: roll back and go on */
    ZCT_OK(zc_session_rollback(s, &err), &err);
    ZCT_OK(zc_session_query_int(s, "SELECT 2", NULL, 0, &v, &err), &err);
    ck_assert_int_eq(v, 2);
    /* a session of its own bound */
    ZCT_OK(zc_session_set_timeout(s, 300, &err), &err);
    t0 = now_ms();
    st2 = zc_session_query_int(s, slow_sql(), NULL, 0, &v, &err);
    took2 = now_ms() - t0;
    zc_session_close(&s);
    printf("link/%s/statement_timeout: 500 ms bound -> %s after %.0f ms (%s); commit after "
           "it -> %s; the connection served the next statement; 300 ms session bound -> %s "
           "after %.0f ms\n", zct_cur->name, zc_strerror(st), took, e.message,
           zc_strerror(commit), zc_strerror(st2), took2);
    ck_assert_int_eq(st, ZC_ETIMEOUT);
    ck_assert_ptr_nonnull(strstr(e.message, "statement timeout of 500 ms"));
    ck_assert_msg(took >= 450 && took < 2000 * slack(), "took %.0f ms", took);
    ck_assert_int_eq(commit, ZC_ESTATE);
    ck_assert_int_eq(st2, ZC_ETIMEOUT);
    ck_assert_msg(took2 >= 250 && took2 < 1800 * slack(), "took %.0f ms", took2);
}
END_TEST

START_TEST(statement_timeout_on_a_silent_server_closes_the_link)
{
    zc_error err, e;
    zc_session *s = NULL;
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    int64_t v = 0;
    double t0, took;
    int st;
    o.statement_timeout_ms = 500;
    setup_via_proxy("via", 1, &o);
    ZCT_OK(zc_session_open("via", &s, &err), &err);
    ZCT_OK(zc_session_query_int(s, "SELECT 1", NULL, 0, &v, &err), &err);
    zct_proxy_silence(proxy, 1);
    usleep(20000);
    t0 = now_ms();
    st = zc_session_query_int(s, "SELECT 3", NULL, 0, &v, &e);
    took = now_ms() - t0;
    printf("link/%s/silent_statement: 500 ms bound, server silent -> %s after %.0f ms (%s); "
           "commit -> %s\n", zct_cur->name, zc_strerror(st), took, e.message,
           zc_strerror(zc_session_commit(s, &err)));
    ck_assert_int_eq(st, ZC_ETIMEOUT);
    /* cancelled at 500 ms (the canceller cannot get through either), cut at 1500 */
    ck_assert_msg(took >= 1400 && took < 3000 * slack(), "took %.0f ms", took);
    ck_assert_int_eq(zc_session_commit(s, &err), ZC_ECONN);
    zc_session_close(&s);
    teardown_link();
}
END_TEST

/* ---- commit and close on a silent link ---------------------------------------------- */

START_TEST(commit_and_close_on_a_silent_link_are_bounded)
{
    zc_error err, e;
    zc_session *s = NULL;
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    double t0, took_commit, took_close;
    int st;
    make_table(0);
    o.commit_timeout_ms = 1000;
    setup_via_proxy("via", 1, &o);
    ZCT_OK(zc_session_open("via", &s, &err), &err);
    ZCT_OK(insert(s, "c1", &err), &err);
    zct_proxy_silence(proxy, 1);
    usleep(20000);
    t0 = now_ms();
    st = zc_session_commit(s, &e);
    took_commit = now_ms() - t0;
    zc_session_close(&s);
    zct_proxy_silence(proxy, 0);

    /* the ROLLBACK of zc_session_close() gets the same bound */
    ZCT_OK(zc_session_open("via", &s, &err), &err);
    ZCT_OK(insert(s, "c2", &err), &err);
    zct_proxy_silence(proxy, 1);
    usleep(20000);
    t0 = now_ms();
    zc_session_close(&s);
    took_close = now_ms() - t0;
    zct_proxy_silence(proxy, 0);
    printf("link/%s/silent_commit: commit with a 1000 ms bound, link silent -> %s [%s] "
           "after %.0f ms (%s); close with uncommitted work, link silent: %.0f ms\n",
           zct_cur->name, zc_strerror(st), e.sqlstate, took_commit, e.message, took_close);
    ck_assert_int_eq(st, ZC_ECONN);
    ck_assert_ptr_nonnull(strstr(e.message, "outcome unknown"));
    ck_assert_msg(took_commit >= 950 && took_commit < 2500 * slack(), "commit took %.0f ms",
                  took_commit);
    ck_assert_msg(took_close < 2500 * slack(), "close took %.0f ms", took_close);
    teardown_link();
}
END_TEST

/* ---- connecting to a server that accepts and never answers ------------------------- */

START_TEST(login_timeout_is_honoured)
{
    zc_error e;
    zc_session *s = NULL;
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    double t0, took;
    int st;
    o.login_timeout_s = 2;
    o.pre_ping = ZC_PING_OFF;
    setup_via_proxy("via", 0, &o);
    zct_proxy_silence(proxy, 1);
    usleep(20000);
    t0 = now_ms();
    st = zc_session_open("via", &s, &e);
    took = now_ms() - t0;
    printf("link/%s/login_timeout: login_timeout_s 2, server silent -> %s [%s] after %.0f ms\n",
           zct_cur->name, zc_strerror(st), e.sqlstate, took);
    ck_assert_msg(st == ZC_ECONN || st == ZC_ETIMEOUT, "%d %s", st, e.message);
    ck_assert_ptr_null(s);
    ck_assert_msg(took >= 1500 && took < 5000 * slack(), "took %.0f ms", took);
    teardown_link();
}
END_TEST

/* ---- the suite ------------------------------------------------------------------------ */

static void add_server_tests(TCase *tc)
{
    tcase_add_test(tc, statement_cut_after_send_is_not_sent_again_pooled);
    tcase_add_test(tc, statement_cut_after_send_is_not_sent_again_new);
    tcase_add_test(tc, idle_connection_closed_is_replaced_before_use);
    tcase_add_test(tc, statement_timeout_on_a_silent_server_closes_the_link);
    tcase_add_test(tc, commit_and_close_on_a_silent_link_are_bounded);
    tcase_add_test(tc, login_timeout_is_honoured);
}

static void add_all_tests(TCase *tc)
{
    tcase_add_test(tc, statement_timeout_stops_a_long_statement);
}

int main(void)
{
    Suite *s = suite_create("link");
    setvbuf(stdout, NULL, _IOLBF, 0);
    zct_add_backend_cases(s, "timeout", add_all_tests, 120, 0);
    zct_add_backend_cases(s, "link", add_server_tests, 180, 1);
    return zct_run(s);
}
