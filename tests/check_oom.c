/* SPDX-License-Identifier: MIT */
/*
 * Out of memory: representative operations run with allocation n failing, for
 * n = 1, 2, 3, … until the operation no longer reaches allocation n. Each run
 * must end in the operation's own status or ZC_ENOMEM (with a message), crash
 * on nothing, leak nothing (the allocator of tests/oom.h counts live blocks),
 * and write nothing when it failed. Then again with every allocation from n on
 * failing, which exercises the cleanup paths that allocate.
 *
 * The library is built for this test from its own sources with tests/oom.h
 * force-included (see Makefile.am); nothing in src/ knows about it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models.h"
#include "oom.h"
#include "zctest.h"

/* The test's own allocations are not counted. */
#include "oom-off.h"

/* One operation: returns its status; what it made is undone by its own code. */
typedef struct oom_op {
    const char *name;
    int (*run)(zc_error *err);
    int want;   /* its status when memory suffices */
    int writes; /* it inserts rows: a failed run must have inserted none */
} oom_op;

static zc_repo *things;
static int64_t serial;
static char first_name[32]; /* the name of a row setup_tables() wrote */

static int64_t count_things(void)
{
    zc_error err;
    int64_t n = -1;
    ZCT_OK(zc_repo_count(things, NULL, NULL, NULL, 0, &n, &err), &err);
    return n;
}

static void make_thing(Thing *t)
{
    memset(t, 0, sizeof *t);
    serial++;
    t->i32 = (int32_t)serial;
    t->d = 1.5;
    snprintf(t->name, sizeof t->name, "oom %lld", (long long)serial);
    snprintf(t->code, sizeof t->code, "c%lld", (long long)serial);
    snprintf(t->tag, sizeof t->tag, "t%lld", (long long)(serial % 3));
    snprintf(t->email, sizeof t->email, "e%lld@x", (long long)serial);
    t->data_len = 3;
    memcpy(t->data, "abc", 3);
    t->n_i32_null = t->n_i64_null = t->n_d_null = t->n_flag_null = true;
    t->n_name_null = t->n_ref_null = t->n_at_null = t->n_data_null = true;
    t->at = INT64_C(1700000000000000);
}

/* ---- the operations ------------------------------------------------------------ */

static int op_db_setup(zc_error *err)
{
    int st = zc_db_setup("oomdb", "Driver={SQLite3};Database=oom.sqlite;UID=u;PWD=pw;"
                         "PWD=second;Password={third;x}", NULL, err);
    if (st == ZC_OK)
        ck_assert_int_eq(zc_db_remove("oomdb", NULL), ZC_OK);
    else
        ck_assert_int_eq(zc_db_exists("oomdb"), ZC_ENODB);
    return st;
}

static int op_db_setup_bad(zc_error *err)
{
    return zc_db_setup("oomdb", "DSN=x;PWD=a;PWD=b;Driver={unbalanced", NULL, err);
}

static int op_ddl_text(zc_error *err)
{
    const zc_model *m[] = { &Thing_model, &Token_model };
    char *text = NULL;
    int st = zc_ddl_text(ZC_DIALECT_POSTGRESQL, m, 2, &text, err);
    if (st == ZC_OK)
        ck_assert_ptr_nonnull(strstr(text, "CREATE INDEX"));
    else
        ck_assert_ptr_null(text);
    zc_free(text);
    return st;
}

static int op_create_all(zc_error *err)
{
    const zc_model *m[] = { &Thing_model, &Token_model };
    return zc_db_create_all(NULL, m, 2, err);
}

static int op_session(zc_error *err)
{
    zc_session *s = NULL;
    int64_t one = 0;
    int st = zc_session_open(NULL, &s, err);
    if (st != ZC_OK) {
        ck_assert_ptr_null(s);
        return st;
    }
    st = zc_session_query_int(s, "SELECT 1", NULL, 0, &one, err);
    if (st == ZC_OK) {
        ck_assert_int_eq(one, 1);
        st = zc_session_commit(s, err);
    }
    zc_session_close(&s);
    return st;
}

static int op_session_query(zc_error *err)
{
    zc_session *s = NULL;
    zc_rows *r = NULL;
    const char *text;
    char sql[160];
    zc_value v = zc_text(first_name);
    int st = zc_session_open(NULL, &s, err);
    if (st != ZC_OK)
        return st;
    snprintf(sql, sizeof sql, "SELECT name, id FROM %s WHERE name = ?", Thing_model.table);
    st = zc_session_query(s, sql, &v, 1, &r, err);
    if (st == ZC_OK) {
        const char *col = zc_rows_name(r, 0); /* NULL when its copy could not be made */
        ck_assert(!col || !strcasecmp(col, "name"));
        st = zc_rows_next(r, err);
        if (st == ZC_OK)
            st = zc_rows_text(r, 0, &text, NULL, err);
        if (st == ZC_OK)
            ck_assert_str_eq(text, first_name);
        zc_rows_close(&r);
    }
    zc_session_close(&s);
    return st;
}

static int op_savepoint(zc_error *err)
{
    zc_session *s = NULL;
    int st = zc_session_open(NULL, &s, err);
    if (st != ZC_OK)
        return st;
    if ((st = zc_session_savepoint(s, "sp1", err)) == ZC_OK &&
        (st = zc_session_rollback_to(s, "sp1", err)) == ZC_OK)
        st = zc_session_release(s, "sp1", err);
    zc_session_close(&s);
    return st;
}

static int op_repo_open(zc_error *err)
{
    zc_repo *r = NULL;
    int st = zc_repo_open(&Thing_model, NULL, &r, err);
    zc_repo_close(&r);
    return st;
}

/* Each operation below runs on a repository of its own, so the SQL it makes on first
   use is made (and can fail) inside the run. */
static int with_repo(int (*fn)(zc_repo *r, zc_error *err), zc_error *err)
{
    zc_repo *r = NULL;
    int st = zc_repo_open(&Thing_model, NULL, &r, err);
    if (st == ZC_OK)
        st = fn(r, err);
    zc_repo_close(&r);
    return st;
}

static int insert_fn(zc_repo *r, zc_error *err)
{
    Thing t;
    make_thing(&t);
    return zc_repo_insert(r, NULL, &t, err);
}

static int op_insert(zc_error *err)
{
    return with_repo(insert_fn, err);
}

static int insert_many_fn(zc_repo *r, zc_error *err)
{
    Thing t[20];
    for (int i = 0; i < 20; i++)
        make_thing(&t[i]);
    return zc_repo_insert_many(r, NULL, t, 20, err);
}

static int op_insert_many(zc_error *err)
{
    return with_repo(insert_many_fn, err);
}

static int insert_in_session_fn(zc_repo *r, zc_error *err)
{
    zc_session *s = NULL;
    Thing t;
    int st = zc_session_open(NULL, &s, err);
    if (st != ZC_OK)
        return st;
    make_thing(&t);
    st = zc_repo_insert(r, s, &t, err);
    if (st == ZC_OK)
        st = zc_session_commit(s, err);
    zc_session_close(&s);
    return st;
}

static int op_insert_in_session(zc_error *err)
{
    return with_repo(insert_in_session_fn, err);
}

static int get_update_delete_fn(zc_repo *r, zc_error *err)
{
    Thing t, back;
    int st;
    make_thing(&t);
    if ((st = zc_repo_insert(things, NULL, &t, err)) != ZC_OK)
        return st;
    if ((st = zc_repo_get(r, NULL, &t.id, &back, err)) == ZC_OK) {
        ck_assert_str_eq(back.name, t.name);
        back.i32 = 99;
        if ((st = zc_repo_update(r, NULL, &back, err)) == ZC_OK)
            st = zc_repo_delete(r, NULL, &t.id, err);
    }
    return st;
}

static int op_get_update_delete(zc_error *err)
{
    return with_repo(get_update_delete_fn, err);
}

static int find_fn(zc_repo *r, zc_error *err)
{
    zc_value p[] = { zc_int(0), zc_text("t1") };
    zc_query q = { "i32 > ? AND (tag = ? OR lower(name) IS NULL)", p, 2, "tag DESC, i32", 5, 1 };
    Thing rows[5];
    size_t n = 0;
    int64_t c = 0;
    int st;
    st = zc_repo_find(r, NULL, &q, rows, 5, &n, err);
    if (st == ZC_OK)
        st = zc_repo_count(r, NULL, q.where, p, 2, &c, err);
    if (st == ZC_OK)
        st = zc_repo_exists(r, NULL, "tag = ?", &p[1], 1, err);
    if (st == ZC_OK)
        st = zc_repo_find_one(r, NULL, "tag = ?", &p[1], 1, rows, err);
    return st;
}

static int op_find(zc_error *err)
{
    return with_repo(find_fn, err);
}

static int cursor_fn(zc_repo *r, zc_error *err)
{
    zc_session *s = NULL;
    zc_cursor *c = NULL;
    zc_value p[] = { zc_text("t2"), zc_int(0) };
    zc_query q = { "tag <> ? AND i32 > ?", p, 2, "tag, i32 DESC", 0, 0 };
    Thing t;
    int st = zc_session_open(NULL, &s, err), n = 0;
    if (st != ZC_OK)
        return st;
    st = zc_repo_cursor(r, s, &q, &c, err);
    if (st == ZC_OK) {
        while ((st = zc_cursor_next(c, &t, err)) == ZC_OK)
            n++;
        if (st == ZC_NOT_FOUND) {
            st = ZC_OK;
            ck_assert_int_gt(n, 0);
        }
        zc_cursor_close(&c);
    }
    ck_assert_ptr_null(c);
    zc_session_close(&s);
    return st;
}

static int op_cursor(zc_error *err)
{
    return with_repo(cursor_fn, err);
}

/* Error paths: each ends in its own error when memory suffices. */
static int bad_where_fn(zc_repo *r, zc_error *err)
{
    zc_value p = zc_int(1);
    Thing t;
    return zc_repo_find_one(r, NULL, "i32 = ? OR name = 'x'", &p, 1, &t, err);
}

static int op_bad_where(zc_error *err)
{
    return with_repo(bad_where_fn, err);
}

static int bad_row_fn(zc_repo *r, zc_error *err)
{
    Thing t;
    make_thing(&t);
    memset(t.name, 'x', sizeof t.name); /* no NUL */
    return zc_repo_insert(r, NULL, &t, err);
}

static int op_bad_row(zc_error *err)
{
    return with_repo(bad_row_fn, err);
}

static int op_bad_sql(zc_error *err)
{
    zc_session *s = NULL;
    int st = zc_session_open(NULL, &s, err);
    if (st != ZC_OK)
        return st;
    st = zc_session_exec(s, "SELEC nothing", NULL, 0, NULL, err);
    zc_session_close(&s);
    return st;
}

static int op_no_db(zc_error *err)
{
    zc_session *s = NULL;
    return zc_session_open("oom_nothere", &s, err);
}

static const oom_op ops[] = {
    { "db_setup", op_db_setup, ZC_OK, 0 },
    { "db_setup (malformed)", op_db_setup_bad, ZC_EINVAL, 0 },
    { "ddl_text", op_ddl_text, ZC_OK, 0 },
    { "create_all", op_create_all, ZC_OK, 0 },
    { "session", op_session, ZC_OK, 0 },
    { "session_query", op_session_query, ZC_OK, 0 },
    { "savepoints", op_savepoint, ZC_OK, 0 },
    { "repo_open", op_repo_open, ZC_OK, 0 },
    { "insert", op_insert, ZC_OK, 1 },
    { "insert_many", op_insert_many, ZC_OK, 1 },
    { "insert in a session", op_insert_in_session, ZC_OK, 1 },
    { "get/update/delete", op_get_update_delete, ZC_OK, 0 },
    { "find/count/exists/find_one", op_find, ZC_OK, 0 },
    { "cursor", op_cursor, ZC_OK, 0 },
    { "bad where", op_bad_where, ZC_EINVAL, 0 },
    { "bad row", op_bad_row, ZC_ETRUNC, 1 },
    { "bad sql", op_bad_sql, ZC_EDRIVER, 0 },
    { "no such database", op_no_db, ZC_ENODB, 0 },
};

/* Runs op with allocation n failing (and all after it when sticky) for n = 1, 2, …; returns
   how many runs were made. */
static int run_op(const oom_op *op, int sticky)
{
    for (long n = 1;; n++) {
        zc_error err;
        long live = zc_oom_live();
        int64_t rows = op->writes ? count_things() : 0;
        int st, fired;

        memset(&err, 0, sizeof err);
        zc_oom_fail_at(n, sticky);
        st = op->run(&err);
        fired = zc_oom_fired();
        zc_oom_fail_at(0, 0);

        ck_assert_msg(zc_oom_live() == live, "%s, allocation %ld failing%s: %ld block(s) leaked "
                      "(status %d: %s)", op->name, n, sticky ? " and after" : "",
                      zc_oom_live() - live, st, err.message);
        if (!fired) {
            ck_assert_msg(st == op->want, "%s with enough memory -> %d (%s): %s", op->name, st,
                          zc_strerror(st), err.message);
            return (int)n;
        }
        ck_assert_msg(st == op->want || st == ZC_ENOMEM, "%s, allocation %ld failing%s -> %d "
                      "(%s): %s", op->name, n, sticky ? " and after" : "", st, zc_strerror(st),
                      err.message);
        if (st == ZC_ENOMEM) {
            ck_assert_msg(err.status == ZC_ENOMEM && strstr(err.message, "memory"),
                          "%s, allocation %ld failing%s: ENOMEM with err.status %d, message "
                          "'%s'", op->name, n, sticky ? " and after" : "", err.status,
                          err.message);
            if (op->writes)
                ck_assert_msg(count_things() == rows, "%s, allocation %ld failing: rows were "
                              "written by a failed call", op->name, n);
        }
        ck_assert_msg(n < 5000, "%s: still allocating after 5000 runs", op->name);
    }
}

static void setup_tables(void)
{
    const zc_model *m[] = { &Thing_model, &Token_model };
    zc_error err;
    Thing t[6];
    zct_models_init();
    ZCT_OK(zc_db_drop_all(NULL, m, 2, &err), &err);
    ZCT_OK(zc_db_create_all(NULL, m, 2, &err), &err);
    ZCT_OK(zc_repo_open(&Thing_model, NULL, &things, &err), &err);
    for (int i = 0; i < 6; i++)
        make_thing(&t[i]);
    ZCT_OK(zc_repo_insert_many(things, NULL, t, 6, &err), &err);
    snprintf(first_name, sizeof first_name, "%s", t[0].name);
}

static void teardown_tables(void)
{
    const zc_model *m[] = { &Thing_model, &Token_model };
    zc_error err;
    zc_repo_close(&things);
    ZCT_OK(zc_db_drop_all(NULL, m, 2, &err), &err);
}

START_TEST(each_allocation_fails_once)
{
    int runs = 0;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        runs += run_op(&ops[i], 0);
    printf("%s: %d runs with one allocation failing\n", zct_cur->name, runs);
}
END_TEST

START_TEST(allocations_fail_from_n_on)
{
    int runs = 0;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        runs += run_op(&ops[i], 1);
    printf("%s: %d runs with allocations failing from n on\n", zct_cur->name, runs);
}
END_TEST

static void add_tests(TCase *tc)
{
    tcase_add_checked_fixture(tc, setup_tables, teardown_tables);
    tcase_add_test(tc, each_allocation_fails_once);
    tcase_add_test(tc, allocations_fail_from_n_on);
}

int main(void)
{
    Suite *s = suite_create("oom");
    zct_add_backend_cases(s, "oom", add_tests, 600, 0);
    return zct_run(s);
}
