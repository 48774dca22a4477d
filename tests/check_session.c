/* SPDX-License-Identifier: MIT */
/* session: transactions, savepoints, statements, cursors, echo — on every backend. */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zctest.h"

static char table[64];

static void make_table(void)
{
    char sql[256];
    snprintf(table, sizeof table, "zc_sess%s", zct_uniq());
    zct_drop(NULL, table);
    snprintf(sql, sizeof sql,
             "CREATE TABLE %s (id %s, name VARCHAR(200) NOT NULL UNIQUE, score DOUBLE PRECISION, "
             "note VARCHAR(200))", table, zct_serial_pk());
    zct_exec(NULL, sql);
}

static int64_t count_rows(const char *where_name)
{
    zc_error err;
    zc_session *s = NULL;
    int64_t n = -1;
    char sql[256];
    ZCT_OK(zc_session_open(NULL, &s, &err), &err);
    if (where_name) {
        zc_value p[] = { zc_text(where_name) };
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s WHERE name = ?", table);
        ZCT_OK(zc_session_query_int(s, sql, p, 1, &n, &err), &err);
    } else {
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
        ZCT_OK(zc_session_query_int(s, sql, NULL, 0, &n, &err), &err);
    }
    zc_session_close(&s);
    return n;
}

static void insert_name(zc_session *s, const char *name)
{
    zc_error err;
    char sql[256];
    zc_value p[] = { zc_text(name) };
    int64_t n = 0;
    snprintf(sql, sizeof sql, "INSERT INTO %s (name) VALUES (?)", table);
    ZCT_OK(zc_session_exec(s, sql, p, 1, &n, &err), &err);
    ck_assert_int_eq(n, 1);
}

START_TEST(commit_makes_rows_visible)
{
    zc_error err;
    zc_session *a = NULL;
    make_table();
    ZCT_OK(zc_session_open(NULL, &a, &err), &err);
    insert_name(a, "alice");
    insert_name(a, "bob");
    /* another session does not see uncommitted rows */
    ck_assert_int_eq(count_rows(NULL), 0);
    ZCT_OK(zc_session_commit(a, &err), &err);
    ck_assert_int_eq(count_rows(NULL), 2);
    /* the session goes on with a new transaction */
    insert_name(a, "carol");
    ZCT_OK(zc_session_commit(a, &err), &err);
    zc_session_close(&a);
    ck_assert_int_eq(count_rows(NULL), 3);
}
END_TEST

START_TEST(rollback_and_close_discard_work)
{
    zc_error err;
    zc_session *a = NULL;
    make_table();
    ZCT_OK(zc_session_open(NULL, &a, &err), &err);
    insert_name(a, "alice");
    ZCT_OK(zc_session_rollback(a, &err), &err);
    ck_assert_int_eq(count_rows(NULL), 0);
    insert_name(a, "bob");
    zc_session_close(&a); /* no commit */
    ck_assert_int_eq(count_rows(NULL), 0);
    /* the pooled connection that carried the uncommitted work is clean for the next user */
    ZCT_OK(zc_session_open(NULL, &a, &err), &err);
    insert_name(a, "carol");
    ZCT_OK(zc_session_commit(a, &err), &err);
    zc_session_close(&a);
    ck_assert_int_eq(count_rows(NULL), 1);
    ck_assert_int_eq(count_rows("carol"), 1);
    ck_assert_int_eq(count_rows("bob"), 0);
}
END_TEST

START_TEST(unique_violation_is_econstraint)
{
    zc_error err;
    zc_session *a = NULL;
    char sql[256];
    zc_value p[] = { zc_text("dup") };
    make_table();
    ZCT_OK(zc_session_open(NULL, &a, &err), &err);
    insert_name(a, "dup");
    snprintf(sql, sizeof sql, "INSERT INTO %s (name) VALUES (?)", table);
    ck_assert_int_eq(zc_session_exec(a, sql, p, 1, NULL, &err), ZC_ECONSTRAINT);
    ck_assert_int_eq(err.status, ZC_ECONSTRAINT);
    ck_assert_msg(err.sqlstate[0] == '2' && err.sqlstate[1] == '3', "sqlstate %s (%s)",
                  err.sqlstate, err.message);
    ck_assert_str_ne(err.message, "");
    /* a transaction with a failed statement does not commit, on any backend */
    ck_assert_int_eq(zc_session_commit(a, &err), ZC_ESTATE);
    ck_assert_ptr_nonnull(strstr(err.message, "rolled back"));
    ck_assert_int_eq(count_rows(NULL), 0);
    /* the session is usable again */
    insert_name(a, "after");
    ZCT_OK(zc_session_commit(a, &err), &err);
    zc_session_close(&a);
    ck_assert_int_eq(count_rows(NULL), 1);
}
END_TEST

START_TEST(savepoint_recovers_from_a_failed_statement)
{
    zc_error err;
    zc_session *a = NULL;
    char sql[256];
    zc_value p[] = { zc_text("dup") };
    make_table();
    ZCT_OK(zc_session_open(NULL, &a, &err), &err);
    insert_name(a, "dup");
    ZCT_OK(zc_session_savepoint(a, "try_insert", &err), &err);
    snprintf(sql, sizeof sql, "INSERT INTO %s (name) VALUES (?)", table);
    ck_assert_int_eq(zc_session_exec(a, sql, p, 1, NULL, &err), ZC_ECONSTRAINT);
    ZCT_OK(zc_session_rollback_to(a, "try_insert", &err), &err);
    insert_name(a, "other");
    ZCT_OK(zc_session_commit(a, &err), &err);
    zc_session_close(&a);
    ck_assert_int_eq(count_rows(NULL), 2);
    ck_assert_int_eq(count_rows("dup"), 1);
    ck_assert_int_eq(count_rows("other"), 1);
}
END_TEST

START_TEST(savepoint_rollback_keeps_earlier_work)
{
    zc_error err;
    zc_session *a = NULL;
    make_table();
    ZCT_OK(zc_session_open(NULL, &a, &err), &err);
    insert_name(a, "before");
    ZCT_OK(zc_session_savepoint(a, "sp1", &err), &err);
    insert_name(a, "undone");
    ZCT_OK(zc_session_rollback_to(a, "sp1", &err), &err);
    insert_name(a, "after");
    ZCT_OK(zc_session_savepoint(a, "sp2", &err), &err);
    insert_name(a, "kept");
    ZCT_OK(zc_session_release(a, "sp2", &err), &err);
    ZCT_OK(zc_session_commit(a, &err), &err);
    zc_session_close(&a);
    ck_assert_int_eq(count_rows(NULL), 3);
    ck_assert_int_eq(count_rows("before"), 1);
    ck_assert_int_eq(count_rows("undone"), 0);
    ck_assert_int_eq(count_rows("after"), 1);
    ck_assert_int_eq(count_rows("kept"), 1);
}
END_TEST

START_TEST(savepoint_names_are_validated)
{
    zc_error err;
    zc_session *a = NULL;
    ZCT_OK(zc_session_open(NULL, &a, &err), &err);
    ck_assert_int_eq(zc_session_savepoint(a, "x; DROP TABLE y", &err), ZC_EINVAL);
    ck_assert_int_eq(zc_session_savepoint(a, "", &err), ZC_EINVAL);
    ck_assert_int_eq(zc_session_savepoint(a, NULL, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_session_savepoint(a, "1abc", &err), ZC_EINVAL);
    ck_assert_int_eq(zc_session_savepoint(NULL, "ok", &err), ZC_EINVAL);
    zc_session_close(&a);
}
END_TEST

START_TEST(values_round_trip_verbatim)
{
    static const char *nasty[] = {
        "O'Brien", "semi;colon", "dash -- comment", "back\\slash", "quote\"d",
        "'); DROP TABLE users; --", "%_wild", "",
        "caf\xc3\xa9 \xe2\x82\xac",
    };
    zc_error err;
    zc_session *a = NULL;
    zc_rows *r = NULL;
    char sql[256];
    make_table();
    ZCT_OK(zc_session_open(NULL, &a, &err), &err);
    snprintf(sql, sizeof sql, "INSERT INTO %s (name, score, note) VALUES (?, ?, ?)", table);
    for (size_t i = 0; i < sizeof nasty / sizeof nasty[0]; i++) {
        zc_value p[] = { zc_text(nasty[i]), zc_double(0.5 + (double)i), i % 2 ? zc_null()
                                                                             : zc_text("n") };
        ZCT_OK(zc_session_exec(a, sql, p, 3, NULL, &err), &err);
    }
    ZCT_OK(zc_session_commit(a, &err), &err);
    snprintf(sql, sizeof sql, "SELECT name, score, note FROM %s WHERE name = ?", table);
    for (size_t i = 0; i < sizeof nasty / sizeof nasty[0]; i++) {
        zc_value p[] = { zc_text(nasty[i]) };
        const char *txt = NULL;
        size_t len = 99;
        double d = 0;
        ZCT_OK(zc_session_query(a, sql, p, 1, &r, &err), &err);
        ck_assert_int_eq(zc_rows_ncols(r), 3);
        ZCT_OK(zc_rows_next(r, &err), &err);
        ZCT_OK(zc_rows_text(r, 0, &txt, &len, &err), &err);
        ck_assert_str_eq(txt, nasty[i]);
        ck_assert_uint_eq(len, strlen(nasty[i]));
        ZCT_OK(zc_rows_double(r, 1, &d, &err), &err);
        ck_assert_double_eq_tol(d, 0.5 + (double)i, 1e-9);
        if (i % 2) {
            ck_assert_int_eq(zc_rows_is_null(r, 2, &err), 1);
            ck_assert_int_eq(zc_rows_text(r, 2, &txt, NULL, &err), ZC_NOT_FOUND);
            ck_assert_ptr_null(txt);
        } else {
            ck_assert_int_eq(zc_rows_is_null(r, 2, &err), 0);
        }
        ck_assert_int_eq(zc_rows_next(r, &err), ZC_NOT_FOUND);
        zc_rows_close(&r);
        ck_assert_ptr_null(r);
    }
    zc_session_close(&a);
    ck_assert_int_eq(count_rows(NULL), (int64_t)(sizeof nasty / sizeof nasty[0]));
}
END_TEST

START_TEST(query_cursor_reads_many_rows_and_long_text)
{
    zc_error err;
    zc_session *a = NULL;
    zc_rows *r = NULL;
    char sql[256], name[32], big[3000];
    int64_t seen = 0, id, prev = 0;
    const char *txt;
    size_t len;
    make_table();
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ZCT_OK(zc_session_open(NULL, &a, &err), &err);
    snprintf(sql, sizeof sql, "INSERT INTO %s (name, note) VALUES (?, ?)", table);
    for (int i = 0; i < 500; i++) {
        zc_value p[] = { zc_text(name), zc_text(i == 7 ? "short" : "n") };
        snprintf(name, sizeof name, "user-%04d", i);
        ZCT_OK(zc_session_exec(a, sql, p, 2, NULL, &err), &err);
    }
    ZCT_OK(zc_session_commit(a, &err), &err);
    snprintf(sql, sizeof sql, "SELECT id, name FROM %s ORDER BY id", table);
    ZCT_OK(zc_session_query(a, sql, NULL, 0, &r, &err), &err);
    ck_assert_str_eq(zc_rows_name(r, 1), "name");
    ck_assert_ptr_null(zc_rows_name(r, 2));
    /* a second cursor on the same session is refused while one is open */
    {
        zc_rows *r2 = NULL;
        ck_assert_int_eq(zc_session_query(a, "SELECT 1", NULL, 0, &r2, &err), ZC_ESTATE);
        ck_assert_ptr_null(r2);
    }
    ck_assert_int_eq(zc_rows_int(r, 0, &id, &err), ZC_ESTATE); /* before the first row */
    while (zc_rows_next(r, &err) == ZC_OK) {
        ZCT_OK(zc_rows_int(r, 0, &id, &err), &err);
        ck_assert_int_gt(id, prev);
        prev = id;
        ZCT_OK(zc_rows_text(r, 1, &txt, NULL, &err), &err);
        snprintf(name, sizeof name, "user-%04lld", (long long)seen);
        ck_assert_str_eq(txt, name);
        ck_assert_int_eq(zc_rows_int(r, 5, &id, &err), ZC_EINVAL);
        seen++;
    }
    ck_assert_int_eq(seen, 500);
    zc_rows_close(&r);

    /* text longer than the cursor's first buffer comes back whole */
    snprintf(sql, sizeof sql, "SELECT ? FROM %s WHERE name = 'user-0001'", table);
    {
        zc_value p[] = { zc_text(big) };
        ZCT_OK(zc_session_query(a, sql, p, 1, &r, &err), &err);
        ZCT_OK(zc_rows_next(r, &err), &err);
        ZCT_OK(zc_rows_text(r, 0, &txt, &len, &err), &err);
        ck_assert_uint_eq(len, strlen(big));
        ck_assert_str_eq(txt, big);
        zc_rows_close(&r);
    }
    zc_session_close(&a);
}
END_TEST

START_TEST(exec_reports_rows_affected_and_reuses_statements)
{
    zc_error err;
    zc_session *a = NULL;
    char sql[256];
    int64_t n = -7, v = 0;
    make_table();
    ZCT_OK(zc_session_open(NULL, &a, &err), &err);
    for (int i = 0; i < 50; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%d", i);
        insert_name(a, name); /* same SQL text each time: one prepared statement */
    }
    snprintf(sql, sizeof sql, "UPDATE %s SET score = ? WHERE name LIKE ?", table);
    {
        zc_value p[] = { zc_double(2.5), zc_text("n1%") };
        ZCT_OK(zc_session_exec(a, sql, p, 2, &n, &err), &err);
        ck_assert_int_eq(n, 11); /* n1, n10..n19 */
    }
    {
        zc_value p[] = { zc_double(1.0), zc_text("nobody") };
        ZCT_OK(zc_session_exec(a, sql, p, 2, &n, &err), &err);
        ck_assert_int_eq(n, 0);
    }
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s WHERE score = ?", table);
    {
        zc_value p[] = { zc_double(2.5) };
        ZCT_OK(zc_session_query_int(a, sql, p, 1, &v, &err), &err);
        ck_assert_int_eq(v, 11);
    }
    snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE name = ?", table);
    {
        zc_value p[] = { zc_text("nobody") };
        v = 12345;
        ck_assert_int_eq(zc_session_query_int(a, sql, p, 1, &v, &err), ZC_NOT_FOUND);
        ck_assert_int_eq(v, 12345);
    }
    snprintf(sql, sizeof sql, "SELECT score FROM %s WHERE name = 'n0'", table);
    ck_assert_int_eq(zc_session_query_int(a, sql, NULL, 0, &v, &err), ZC_EINVAL); /* NULL */
    ZCT_OK(zc_session_commit(a, &err), &err);
    zc_session_close(&a);
}
END_TEST

START_TEST(update_counts_matched_rows_on_every_backend)
{
    zc_error err;
    zc_session *a = NULL;
    zc_db_info info;
    char sql[256];
    int64_t n = -1;
    make_table();
    ZCT_OK(zc_session_open(NULL, &a, &err), &err);
    insert_name(a, "same");
    insert_name(a, "same2");
    /* sets the value it already has: zero rows change, two match */
    snprintf(sql, sizeof sql, "UPDATE %s SET note = NULL WHERE name LIKE 'same%%'", table);
    ZCT_OK(zc_session_exec(a, sql, NULL, 0, &n, &err), &err);
    ck_assert_int_eq(n, 2);
    ZCT_OK(zc_session_commit(a, &err), &err);
    zc_session_close(&a);
    /* the option zodiac adds for it shows in the effective connection string */
    ZCT_OK(zc_db_get_info(NULL, &info, &err), &err);
    if (zct_cur->dialect == ZC_DIALECT_MYSQL)
        ck_assert_msg(strstr(info.conn_str, "OPTION=2") != NULL, "%s", info.conn_str);
    if (zct_cur->dialect == ZC_DIALECT_POSTGRESQL)
        ck_assert_msg(strstr(info.conn_str, "Protocol=7.4-0") != NULL, "%s", info.conn_str);
}
END_TEST

START_TEST(bad_sql_and_bad_arguments)
{
    zc_error err;
    zc_session *a = NULL;
    zc_rows *r = NULL;
    int64_t v;
    ZCT_OK(zc_session_open(NULL, &a, &err), &err);
    ck_assert_int_eq(zc_session_exec(a, "SELEC nonsense", NULL, 0, NULL, &err), ZC_EDRIVER);
    ck_assert_str_ne(err.sqlstate, "");
    ZCT_OK(zc_session_rollback(a, &err), &err);
    ck_assert_int_eq(zc_session_exec(NULL, "SELECT 1", NULL, 0, NULL, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_session_exec(a, NULL, NULL, 0, NULL, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_session_exec(a, "", NULL, 0, NULL, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_session_exec(a, "SELECT ?", NULL, 1, NULL, &err), ZC_EINVAL);
    {
        zc_value bad = zc_int(1);
        bad.type = 99;
        ck_assert_int_eq(zc_session_exec(a, "SELECT ?", &bad, 1, NULL, &err), ZC_EINVAL);
    }
    ck_assert_int_eq(zc_session_query(a, "SELECT 1", NULL, 0, NULL, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_session_query_int(NULL, "SELECT 1", NULL, 0, &v, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_rows_next(NULL, &err), ZC_EINVAL);
    zc_rows_close(&r);
    zc_rows_close(NULL);
    ck_assert_int_eq(zc_session_commit(NULL, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_session_rollback(NULL, &err), ZC_EINVAL);
    /* the session still works after all that */
    ZCT_OK(zc_session_query_int(a, "SELECT 41 + 1", NULL, 0, &v, &err), &err);
    ck_assert_int_eq(v, 42);
    zc_session_close(&a);
}
END_TEST

struct logbuf {
    pthread_mutex_t mu;
    char text[16384];
    int lines;
};

static void capture(void *ud, int level, const char *db, const char *line)
{
    struct logbuf *b = ud;
    (void)level;
    pthread_mutex_lock(&b->mu);
    size_t n = strlen(b->text);
    snprintf(b->text + n, sizeof b->text - n, "%s|%s\n", db, line);
    b->lines++;
    pthread_mutex_unlock(&b->mu);
}

START_TEST(echo_logs_statements_without_secrets)
{
    static struct logbuf buf = { PTHREAD_MUTEX_INITIALIZER, "", 0 };
    zc_error err;
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    zc_session *a = NULL, *bad = NULL;
    char conn[1024];
    int64_t v;
    const char *pw;

    /* SQLite has no password: give one anyway, the driver ignores it. */
    if (zct_cur->dialect == ZC_DIALECT_SQLITE) {
        snprintf(conn, sizeof conn, "%s;PWD=zodiac-secret", zct_cur->conn);
    } else {
        snprintf(conn, sizeof conn, "%s", zct_cur->conn);
    }
    pw = "zodiac-secret";
    ck_assert_ptr_nonnull(strstr(conn, pw));
    o.echo = 1;
    zc_set_log(capture, &buf);
    ZCT_OK(zc_db_setup("echoed", conn, &o, &err), &err);
    ZCT_OK(zc_session_open("echoed", &a, &err), &err);
    ZCT_OK(zc_session_query_int(a, "SELECT 6 * 7", NULL, 0, &v, &err), &err);
    ck_assert_int_eq(v, 42);
    /* a statement whose text carries the secret is masked too */
    ck_assert_int_ne(zc_session_exec(a, "SELECT no_such_column_zodiac-secret", NULL, 0, NULL,
                                     &err), ZC_OK);
    ck_assert_ptr_null(strstr(err.message, pw));
    ZCT_OK(zc_session_rollback(a, &err), &err);
    zc_session_close(&a);
    /* and a failed connect with the password says nothing of it either */
    ZCT_OK(zc_db_setup("echoed_bad", "DSN=zc_missing_dsn;PWD=zodiac-secret", &o, &err), &err);
    ck_assert_int_eq(zc_session_open("echoed_bad", &bad, &err), ZC_ECONN);
    ck_assert_ptr_null(strstr(err.message, pw));
    zc_set_log(NULL, NULL);

    ck_assert_msg(strstr(buf.text, "echoed|") != NULL, "log: %s", buf.text);
    ck_assert_msg(strstr(buf.text, "SELECT 6 * 7") != NULL, "log: %s", buf.text);
    ck_assert_msg(strstr(buf.text, " ms ") != NULL, "log: %s", buf.text);
    ck_assert_msg(strstr(buf.text, "PWD=***") != NULL, "log: %s", buf.text);
    ck_assert_msg(strstr(buf.text, pw) == NULL, "secret in log: %s", buf.text);
    ck_assert_int_ge(buf.lines, 4);
}
END_TEST

/* Server-side prepared statements of the session's connection (PostgreSQL). */
static int64_t pg_prepared(zc_session *s)
{
    zc_error err;
    int64_t n = -1;
    ZCT_OK(zc_session_query_int(s, "SELECT COUNT(*) FROM pg_prepared_statements", NULL, 0, &n,
                                &err), &err);
    return n;
}

/*
 * A statement runs directly the first time in a session and is prepared the second
 * time (stmt.c, run): rebinding carries across, results stay right, and on
 * PostgreSQL nothing is left prepared on the server by a statement run once.
 * psqlODBC cuts the types of parameters 1000 and later in direct statements, so a
 * statement with more is prepared from the start.
 */
START_TEST(statements_run_direct_once_then_prepared)
{
    enum { ROWS = 520, PARAMS = 2 * ROWS };
    zc_error err;
    zc_session *s = NULL;
    zc_value *p = calloc(PARAMS, sizeof *p);
    char sql[256], *big = malloc(128 + ROWS * 8);
    int64_t n = 0, v = 0, base = -1;
    const int pg = zct_cur->dialect == ZC_DIALECT_POSTGRESQL;

    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(big);
    make_table();
    ZCT_OK(zc_session_open(NULL, &s, &err), &err);
    if (pg) {
        pg_prepared(s); /* runs once (direct), then is prepared: counts itself from now */
        base = pg_prepared(s);
    }
    snprintf(sql, sizeof sql, "SELECT COUNT(*) + ? FROM %s WHERE name <> ?", table);
    for (int i = 0; i < 3; i++) {
        zc_value q[] = { zc_int(100 * i), zc_text("nobody") };
        ZCT_OK(zc_session_query_int(s, sql, q, 2, &v, &err), &err);
        ck_assert_int_eq(v, 100 * i);
        if (pg)
            ck_assert_int_eq(pg_prepared(s) - base, (i == 0 ? 0 : 1));
    }

    /* 1,040 parameters, half of them timestamps, in a first run */
    snprintf(big, 128, "INSERT INTO %s (name, note) VALUES ", table);
    for (int r = 0; r < ROWS; r++) {
        static char names[ROWS][16]; /* unique */
        snprintf(names[r], sizeof names[r], "n%d", r);
        strcat(big, r ? ",(?,?)" : "(?,?)");
        p[2 * r] = zc_text(names[r]);
        p[2 * r + 1] = zc_ts((zc_timestamp)r * 86400000000LL);
    }
    ZCT_OK(zc_session_exec(s, big, p, PARAMS, &n, &err), &err);
    ck_assert_int_eq(n, ROWS);
    ZCT_OK(zc_session_commit(s, &err), &err);
    zc_session_close(&s);
    ck_assert_int_eq(count_rows(NULL), ROWS);
    ck_assert_int_eq(count_rows("n519"), 1);
    free(p);
    free(big);
}
END_TEST

/* Bytes the process has allocated from glibc's heap now; -1 if malloc is not glibc's
   (ASan, valgrind: their own leak checks cover what this measures). */
static long heap_in_use(void)
{
    struct mallinfo2 before = mallinfo2(), after;
    char *volatile probe = malloc(1 << 16);
    long used;
    after = mallinfo2();
    used = (long)before.uordblks;
    if (!probe || after.uordblks + after.hblkhd < before.uordblks + before.hblkhd + (1 << 16))
        used = -1;
    free(probe);
    return used;
}

/* One session: open, a read, commit, close; db NULL is the default database. */
static int session_cycle(const char *db, zc_error *err)
{
    zc_session *s = NULL;
    int64_t v = 0;
    int st = zc_session_open(db, &s, err);
    if (st == ZC_OK)
        st = zc_session_query_int(s, "SELECT 6 * 7", NULL, 0, &v, err);
    if (st == ZC_OK)
        st = v == 42 ? zc_session_commit(s, err) : ZC_EDRIVER;
    zc_session_close(&s);
    return st;
}

/*
 * unixODBC 2.3.11 loses two iconv converters (about 65 KB) each time a freed
 * connection handle had been given a pooled connection; zodiac keeps its handles
 * (zc__db_take_dbc). Sessions opened and closed a thousand times, and connects that
 * fail, must leave the heap where it was.
 */
START_TEST(session_cycles_do_not_grow_the_heap)
{
    zc_error err;
    long before, after;
    int failed = 0;

    ZCT_OK(zc_db_setup("cycled_bad", "DSN=zc_missing_dsn", NULL, &err), &err);
    for (int i = 0; i < 50; i++) {
        ZCT_OK(session_cycle(NULL, &err), &err);
        failed += session_cycle("cycled_bad", &err) == ZC_ECONN;
    }
    before = heap_in_use();
    for (int i = 0; i < 1000; i++) {
        ZCT_OK(session_cycle(NULL, &err), &err);
        if (i % 10 == 0)
            failed += session_cycle("cycled_bad", &err) == ZC_ECONN;
    }
    after = heap_in_use();
    ck_assert_int_eq(failed, 150);
    ZCT_OK(zc_db_remove("cycled_bad", &err), &err);
    if (before < 0 || after < 0) {
        fprintf(stderr, "session_cycles_do_not_grow_the_heap: malloc is not glibc's here; "
                "the leak checker of this run measures it\n");
        return;
    }
    ck_assert_msg(after - before < 256 * 1024, "1,000 session cycles grew the heap by %ld bytes",
                  after - before);
}
END_TEST

static void add_tests(TCase *tc)
{
    tcase_add_test(tc, commit_makes_rows_visible);
    tcase_add_test(tc, rollback_and_close_discard_work);
    tcase_add_test(tc, unique_violation_is_econstraint);
    tcase_add_test(tc, savepoint_rollback_keeps_earlier_work);
    tcase_add_test(tc, savepoint_recovers_from_a_failed_statement);
    tcase_add_test(tc, savepoint_names_are_validated);
    tcase_add_test(tc, values_round_trip_verbatim);
    tcase_add_test(tc, query_cursor_reads_many_rows_and_long_text);
    tcase_add_test(tc, exec_reports_rows_affected_and_reuses_statements);
    tcase_add_test(tc, update_counts_matched_rows_on_every_backend);
    tcase_add_test(tc, bad_sql_and_bad_arguments);
    tcase_add_test(tc, echo_logs_statements_without_secrets);
    tcase_add_test(tc, session_cycles_do_not_grow_the_heap);
    tcase_add_test(tc, statements_run_direct_once_then_prepared);
}

int main(void)
{
    Suite *s = suite_create("session");
    zct_add_backend_cases(s, "session", add_tests, 120, 0);
    return zct_run(s);
}
