/* SPDX-License-Identifier: MIT */
/* db: the registry, admission, connection failures, pooling facts and proof. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zctest.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* ---- registry (no connection made) ------------------------------------ */

START_TEST(setup_several_names_and_lookup)
{
    zc_error err;
    zc_db_info info;
    zc_session *s = NULL;

    ZCT_OK(zc_db_setup(NULL, "DSN=zc_a", NULL, &err), &err);
    ZCT_OK(zc_db_setup("analytics", "DSN=zc_b;UID=u;PWD=pw-analytics", NULL, &err), &err);
    ZCT_OK(zc_db_setup("read_only", "Driver={SQLite3};Database=/nonexistent/x.db", NULL, &err),
           &err);
    ck_assert_int_eq(zc_db_exists(ZC_DEFAULT_DB), ZC_OK);
    ck_assert_int_eq(zc_db_exists("analytics"), ZC_OK);
    ck_assert_int_eq(zc_db_exists("nope"), ZC_ENODB);

    ZCT_OK(zc_db_get_info("analytics", &info, &err), &err);
    ck_assert_str_eq(info.name, "analytics");
    ck_assert_str_eq(info.conn_str, "DSN=zc_b;UID=u;PWD=***");
    ck_assert_int_eq(info.sessions_max, 15);
    ck_assert_int_eq(info.connected, 0);

    /* The same name twice is refused; after zc_db_remove it can be set up again. */
    ck_assert_int_eq(zc_db_setup("analytics", "DSN=zc_c", NULL, &err), ZC_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "already set up"));
    ZCT_OK(zc_db_remove("analytics", &err), &err);
    ck_assert_int_eq(zc_db_remove("analytics", &err), ZC_ENODB);
    ZCT_OK(zc_db_setup("analytics", "DSN=zc_c", NULL, &err), &err);

    ck_assert_int_eq(zc_session_open("missing", &s, &err), ZC_ENODB);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(err.status, ZC_ENODB);
    ck_assert_ptr_nonnull(strstr(err.message, "missing"));
    ck_assert_int_eq(zc_db_get_info("missing", &info, &err), ZC_ENODB);

    zc_db_shutdown();
    ck_assert_int_eq(zc_db_exists(ZC_DEFAULT_DB), ZC_ENODB);
    zc_db_shutdown(); /* twice is harmless */
    ZCT_OK(zc_db_setup(NULL, "DSN=zc_a", NULL, &err), &err);
    zc_db_shutdown();
}
END_TEST

START_TEST(setup_rejects_bad_input)
{
    zc_error err;
    zc_db_options bad = ZC_DB_OPTIONS_DEFAULT;
    char longname[100];

    ck_assert_int_eq(zc_db_setup("x", NULL, NULL, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_db_setup("x", "", NULL, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_db_setup("x", "DSN={unbalanced", NULL, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_db_setup("x", "DSN=a;PWD", NULL, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_db_setup("", "DSN=a", NULL, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_db_setup("has space", "DSN=a", NULL, &err), ZC_EINVAL);
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    ck_assert_int_eq(zc_db_setup(longname, "DSN=a", NULL, &err), ZC_EINVAL);
    bad.pool_size = -3;
    ck_assert_int_eq(zc_db_setup("x", "DSN=a", &bad, &err), ZC_EINVAL);
    bad = (zc_db_options)ZC_DB_OPTIONS_DEFAULT;
    bad.pre_ping = 7;
    ck_assert_int_eq(zc_db_setup("x", "DSN=a", &bad, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_db_exists("x"), ZC_ENODB);
    ck_assert_int_eq(zc_db_get_info(NULL, NULL, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_session_open(NULL, NULL, &err), ZC_EINVAL);
    /* NULL err is allowed everywhere */
    ck_assert_int_eq(zc_db_setup("x", "", NULL, NULL), ZC_EINVAL);
}
END_TEST

START_TEST(missing_dsn_is_econn_and_masks_password)
{
    zc_error err;
    zc_session *s = NULL;
    ZCT_OK(zc_db_setup("ghost", "DSN=zc_no_such_dsn;UID=u;PWD=Sup3rSecretPw", NULL, &err), &err);
    ck_assert_int_eq(zc_session_open("ghost", &s, &err), ZC_ECONN);
    ck_assert_ptr_null(s);
    ck_assert_str_eq(err.sqlstate, "IM002");
    ck_assert_ptr_null(strstr(err.message, "Sup3rSecretPw"));
    ck_assert_ptr_nonnull(strstr(err.message, "ghost"));
    zc_db_shutdown();
}
END_TEST

/* ---- backend-facing ------------------------------------------------------ */

START_TEST(info_after_first_connect)
{
    zc_error err;
    zc_db_info info;
    zc_session *s = NULL;

    ZCT_OK(zc_db_get_info(NULL, &info, &err), &err);
    ck_assert_int_eq(info.connected, 0);
    ZCT_OK(zc_session_open(NULL, &s, &err), &err);
    ZCT_OK(zc_db_get_info(NULL, &info, &err), &err);
    ck_assert_int_eq(info.connected, 1);
    ck_assert_int_eq(info.dialect, zct_cur->dialect);
    ck_assert_int_eq(zc_session_dialect(s), zct_cur->dialect);
    ck_assert_str_eq(zc_session_db_name(s), ZC_DEFAULT_DB);
    ck_assert_int_eq(info.sessions_open, 1);
    ck_assert_str_ne(info.dbms_version, "");
    ck_assert_str_ne(info.driver_name, "");
    if (zct_cur->dialect == ZC_DIALECT_POSTGRESQL) {
        ck_assert_str_eq(info.dbms_name, "PostgreSQL");
        ck_assert_str_eq(info.quote, "\"");
    } else if (zct_cur->dialect == ZC_DIALECT_MYSQL) {
        ck_assert_msg(!strcmp(info.dbms_name, "MariaDB") || !strcmp(info.dbms_name, "MySQL"),
                      "dbms_name %s", info.dbms_name);
        ck_assert_str_eq(info.quote, "`");
    } else {
        ck_assert_str_eq(info.dbms_name, "SQLite");
    }
    /* The run's odbcinst.ini switches pooling on (scripts/backends.sh). */
    if (getenv("ODBCSYSINI")) {
        ck_assert_int_eq(info.dm_pooling_enabled, 1);
        ck_assert_int_gt(info.cp_timeout, 0);
        ck_assert_int_eq(info.dm_pooling, 1);
    }
    ck_assert_ptr_null(strstr(info.conn_str, "zodiac-secret"));
    zc_session_close(&s);
    ck_assert_ptr_null(s);
    zc_session_close(&s); /* no-op */
    zc_session_close(NULL);
    ZCT_OK(zc_db_get_info(NULL, &info, &err), &err);
    ck_assert_int_eq(info.sessions_open, 0);
}
END_TEST

START_TEST(admission_limit_times_out)
{
    zc_error err;
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    zc_session *a = NULL, *b = NULL, *c = NULL;
    double t0, waited;

    o.pool_size = 2;
    o.max_overflow = -1; /* none */
    o.pool_timeout_ms = 400;
    ZCT_OK(zc_db_setup("limited", zct_cur->conn, &o, &err), &err);
    ZCT_OK(zc_session_open("limited", &a, &err), &err);
    ZCT_OK(zc_session_open("limited", &b, &err), &err);
    t0 = now_ms();
    ck_assert_int_eq(zc_session_open("limited", &c, &err), ZC_ETIMEOUT);
    waited = now_ms() - t0;
    ck_assert_ptr_null(c);
    ck_assert_int_eq(err.status, ZC_ETIMEOUT);
    ck_assert_msg(waited >= 390 && waited < 5000, "waited %.1f ms", waited);
    ck_assert_ptr_nonnull(strstr(err.message, "limited"));
    zc_session_close(&b);
    ZCT_OK(zc_session_open("limited", &c, &err), &err);
    zc_session_close(&a);
    zc_session_close(&c);
}
END_TEST

struct closer {
    zc_session *s;
    int delay_ms;
};

static void *close_later(void *arg)
{
    struct closer *c = arg;
    usleep((useconds_t)c->delay_ms * 1000);
    zc_session_close(&c->s);
    return NULL;
}

START_TEST(admission_waiter_gets_the_freed_slot)
{
    zc_error err;
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    struct closer c = { NULL, 150 };
    zc_session *w = NULL;
    pthread_t t;
    double t0, waited;

    o.pool_size = 1;
    o.max_overflow = -1;
    o.pool_timeout_ms = 5000;
    ZCT_OK(zc_db_setup("one", zct_cur->conn, &o, &err), &err);
    ZCT_OK(zc_session_open("one", &c.s, &err), &err);
    pthread_create(&t, NULL, close_later, &c);
    t0 = now_ms();
    ZCT_OK(zc_session_open("one", &w, &err), &err);
    waited = now_ms() - t0;
    pthread_join(t, NULL);
    ck_assert_msg(waited >= 100 && waited < 4000, "waited %.1f ms", waited);
    zc_session_close(&w);
}
END_TEST

START_TEST(unreachable_server_is_econn)
{
    zc_error err;
    zc_session *s = NULL;
    const char *conn;
    /* A port nothing listens on; the password must not leak into the message. */
    if (zct_cur->dialect == ZC_DIALECT_POSTGRESQL)
        conn = "Driver={PostgreSQL Unicode};Servername=127.0.0.1;Port=1;Database=x;UID=u;"
               "PWD=Unreachable-Pw1";
    else if (zct_cur->dialect == ZC_DIALECT_MYSQL)
        conn = "Driver={MariaDB Unicode};Server=127.0.0.1;Port=1;Database=x;UID=u;"
               "PWD=Unreachable-Pw1";
    else
        conn = "Driver={SQLite3};Database=/nonexistent-dir/zc.db;NoCreat=1;PWD=Unreachable-Pw1";
    ZCT_OK(zc_db_setup("down", conn, NULL, &err), &err);
    ck_assert_int_eq(zc_session_open("down", &s, &err), ZC_ECONN);
    ck_assert_ptr_null(s);
    ck_assert_str_ne(err.sqlstate, "");
    ck_assert_ptr_null(strstr(err.message, "Unreachable-Pw1"));
    if (zct_cur->dialect != ZC_DIALECT_SQLITE)
        ck_assert_msg(err.sqlstate[0] == '0' && err.sqlstate[1] == '8', "sqlstate %s",
                      err.sqlstate);
}
END_TEST

static int64_t backend_id(zc_session *s)
{
    zc_error err;
    int64_t id = -1;
    const char *sql = zct_cur->dialect == ZC_DIALECT_POSTGRESQL ? "SELECT pg_backend_pid()"
                                                                 : "SELECT CONNECTION_ID()";
    ZCT_OK(zc_session_query_int(s, sql, NULL, 0, &id, &err), &err);
    return id;
}

static int64_t one_session_backend(const char *db)
{
    zc_error err;
    zc_session *s = NULL;
    int64_t id;
    ZCT_OK(zc_session_open(db, &s, &err), &err);
    id = backend_id(s);
    zc_session_close(&s);
    return id;
}

START_TEST(pooling_reuses_the_backend)
{
    zc_error err;
    zc_db_info info;
    int64_t a, b, c, d;

    ZCT_OK(zc_db_setup("nopool", zct_cur->conn_nopool, NULL, &err), &err);
    a = one_session_backend(NULL);
    b = one_session_backend(NULL);
    ck_assert_msg(a == b, "pooled: backend %lld then %lld", (long long)a, (long long)b);
    c = one_session_backend("nopool");
    d = one_session_backend("nopool");
    ck_assert_msg(c != d, "unpooled: backend %lld twice", (long long)c);
    ZCT_OK(zc_db_get_info("nopool", &info, &err), &err);
    ck_assert_int_eq(info.dm_pooling, 0);
    ZCT_OK(zc_db_get_info(NULL, &info, &err), &err);
    ck_assert_int_eq(info.dm_pooling, 1);
}
END_TEST

static void kill_backend(int64_t id)
{
    zc_error err;
    zc_session *k = NULL;
    char sql[128];
    if (zct_cur->dialect == ZC_DIALECT_POSTGRESQL)
        snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%lld)", (long long)id);
    else
        snprintf(sql, sizeof sql, "KILL %lld", (long long)id);
    ZCT_OK(zc_session_open("killer", &k, &err), &err);
    ZCT_OK(zc_session_exec(k, sql, NULL, 0, NULL, &err), &err);
    zc_session_close(&k);
    usleep(200 * 1000); /* let the server finish the backend */
}

static void pre_ping_case(int mode)
{
    zc_error err;
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    zc_session *s = NULL;
    int64_t before, after, one = 0;

    o.pre_ping = mode;
    ZCT_OK(zc_db_setup("pinged", zct_cur->conn, &o, &err), &err);
    ZCT_OK(zc_db_setup("killer", zct_cur->conn_nopool, NULL, &err), &err);
    before = one_session_backend("pinged");
    ck_assert_int_eq(one_session_backend("pinged"), before); /* pooled */
    kill_backend(before);

    ZCT_OK(zc_session_open("pinged", &s, &err), &err);
    ZCT_OK(zc_session_query_int(s, "SELECT 1", NULL, 0, &one, &err), &err);
    ck_assert_int_eq(one, 1);
    after = backend_id(s);
    ck_assert_msg(after != before, "still on killed backend %lld", (long long)before);
    zc_session_close(&s);
}

START_TEST(pre_ping_lazy_replaces_killed_pooled_connection) { pre_ping_case(ZC_PING_LAZY); }
END_TEST
START_TEST(pre_ping_always_replaces_killed_pooled_connection) { pre_ping_case(ZC_PING_ALWAYS); }
END_TEST

START_TEST(without_pre_ping_a_killed_connection_fails_first_use)
{
    zc_error err;
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    zc_session *s = NULL;
    int64_t before, one = 0;

    o.pre_ping = ZC_PING_OFF;
    ZCT_OK(zc_db_setup("raw", zct_cur->conn, &o, &err), &err);
    ZCT_OK(zc_db_setup("killer", zct_cur->conn_nopool, NULL, &err), &err);
    before = one_session_backend("raw");
    kill_backend(before);
    ZCT_OK(zc_session_open("raw", &s, &err), &err);
    int st = zc_session_query_int(s, "SELECT 1", NULL, 0, &one, &err);
    if (zct_cur->dialect == ZC_DIALECT_POSTGRESQL) {
        /* psqlODBC answers from a local flag: the pool hands the dead one out. */
        ck_assert_int_eq(st, ZC_ECONN);
        ck_assert_int_eq(err.status, ZC_ECONN);
        /* once broken, the session refuses further work with the same status */
        ck_assert_int_eq(zc_session_exec(s, "SELECT 1", NULL, 0, NULL, &err), ZC_ECONN);
    } else {
        /* MariaDB Connector/ODBC answers SQL_ATTR_CONNECTION_DEAD with a ping, so the
           driver manager drops the dead connection itself. */
        ck_assert_int_eq(st, ZC_OK);
        ck_assert_int_ne(backend_id(s), before);
    }
    zc_session_close(&s);
}
END_TEST

static void add_backend_tests(TCase *tc)
{
    tcase_add_test(tc, info_after_first_connect);
    tcase_add_test(tc, admission_limit_times_out);
    tcase_add_test(tc, admission_waiter_gets_the_freed_slot);
    tcase_add_test(tc, unreachable_server_is_econn);
}

static void add_server_tests(TCase *tc)
{
    tcase_add_test(tc, pooling_reuses_the_backend);
    tcase_add_test(tc, pre_ping_lazy_replaces_killed_pooled_connection);
    tcase_add_test(tc, pre_ping_always_replaces_killed_pooled_connection);
    tcase_add_test(tc, without_pre_ping_a_killed_connection_fails_first_use);
}

int main(void)
{
    Suite *s = suite_create("db");
    TCase *tc = tcase_create("registry");

    tcase_add_test(tc, setup_several_names_and_lookup);
    tcase_add_test(tc, setup_rejects_bad_input);
    tcase_add_test(tc, missing_dsn_is_econn_and_masks_password);
    suite_add_tcase(s, tc);
    zct_add_backend_cases(s, "db", add_backend_tests, 60, 0);
    /* Pooling and killed backends need a server process per connection: there is
       no SQLite equivalent, so these cases run on the server backends only. */
    zct_add_backend_cases(s, "pool", add_server_tests, 60, 1);
    return zct_run(s);
}
