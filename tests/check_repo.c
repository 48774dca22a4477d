/* SPDX-License-Identifier: MIT */
/* repo: CRUD, queries, paging, cursors, bulk insert — on every backend. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zctest.h"

/* The design's example, as a user would write it. */
typedef struct User {
    ZC_INT_ID_FIELDS;
    char username[64];
    char email[128];
    int32_t score;
} User;
static const zc_field user_fields[] = {
    ZC_FIELD_TEXT(User, username, ZC_F_UNIQUE | ZC_F_INDEX),
    ZC_FIELD_TEXT(User, email, 0),
    ZC_FIELD_INT32(User, score, ZC_F_INDEX),
};
static char users_table[64];
ZC_MODEL(User, users_table, ZC_PK_INT, user_fields); /* defines: const zc_model User_model */

static int user_find_by_username(zc_repo *users, const char *name, User *out, zc_error *err)
{
    zc_value p[] = { zc_text(name) };
    return zc_repo_find_one(users, NULL, "username = ?", p, 1, out, err);
}

static zc_repo *users;

static void setup_users(void)
{
    const zc_model *m[] = { &User_model };
    zc_error err;
    snprintf(users_table, sizeof users_table, "zc_users_%ld", (long)getpid());
    ZCT_OK(zc_db_drop_all(NULL, m, 1, &err), &err);
    ZCT_OK(zc_db_create_all(NULL, m, 1, &err), &err);
    ZCT_OK(zc_repo_open(&User_model, NULL, &users, &err), &err);
}

static void teardown_users(void)
{
    zc_repo_close(&users);
}

static User make_user(int i)
{
    User u;
    memset(&u, 0, sizeof u);
    snprintf(u.username, sizeof u.username, "user%05d", i);
    snprintf(u.email, sizeof u.email, "user%05d@example.org", i);
    u.score = i % 10;
    return u;
}

START_TEST(insert_get_update_delete)
{
    zc_error err;
    User u = make_user(1), back;
    zc_timestamp created;
    setup_users();
    ZCT_OK(zc_repo_insert(users, NULL, &u, &err), &err);
    ck_assert_int_gt(u.id, 0);
    ck_assert_int_gt(u.created_at, 0);
    ck_assert_int_eq(u.created_at, u.updated_at);
    created = u.created_at;

    memset(&back, 0, sizeof back);
    ZCT_OK(zc_repo_get(users, NULL, &u.id, &back, &err), &err);
    ck_assert_int_eq(back.id, u.id);
    ck_assert_str_eq(back.username, "user00001");
    ck_assert_int_eq(back.created_at, created);

    snprintf(back.email, sizeof back.email, "new@example.org");
    ZCT_OK(zc_repo_update(users, NULL, &back, &err), &err);
    ck_assert_int_gt(back.updated_at, back.created_at); /* moved forward */
    ck_assert_int_eq(back.created_at, created);
    {
        User again;
        ZCT_OK(zc_repo_get(users, NULL, &u.id, &again, &err), &err);
        ck_assert_str_eq(again.email, "new@example.org");
        ck_assert_int_eq(again.created_at, created);     /* never written */
        ck_assert_int_eq(again.updated_at, back.updated_at);
        ck_assert_int_gt(again.updated_at, created);
        /* created_at in the struct is ignored by update */
        again.created_at = 12345;
        ZCT_OK(zc_repo_update(users, NULL, &again, &err), &err);
        ZCT_OK(zc_repo_get(users, NULL, &u.id, &back, &err), &err);
        ck_assert_int_eq(back.created_at, created);
        ck_assert_int_gt(back.updated_at, u.updated_at);
    }
    ZCT_OK(zc_repo_delete(users, NULL, &u.id, &err), &err);
    ck_assert_int_eq(zc_repo_get(users, NULL, &u.id, &back, &err), ZC_NOT_FOUND);
    ck_assert_int_eq(zc_repo_delete(users, NULL, &u.id, &err), ZC_NOT_FOUND);
    ck_assert_int_eq(zc_repo_update(users, NULL, &u, &err), ZC_NOT_FOUND);
    teardown_users();
}
END_TEST

START_TEST(missing_ids_are_not_found)
{
    zc_error err;
    User u;
    int64_t id = 987654321;
    setup_users();
    ck_assert_int_eq(zc_repo_get(users, NULL, &id, &u, &err), ZC_NOT_FOUND);
    ck_assert_int_eq(zc_repo_delete(users, NULL, &id, &err), ZC_NOT_FOUND);
    u = make_user(5);
    u.id = id;
    ck_assert_int_eq(zc_repo_update(users, NULL, &u, &err), ZC_NOT_FOUND);
    ck_assert_int_eq(user_find_by_username(users, "nobody", &u, &err), ZC_NOT_FOUND);
    teardown_users();
}
END_TEST

START_TEST(custom_repository_finds_by_username_with_meta_characters)
{
    static const char *names[] = { "O'Brien", "semi;colon", "dash--dash", "back\\slash",
                                   "'; DROP TABLE users; --", "quote\"" };
    zc_error err;
    User u, back;
    int64_t n = 0;
    setup_users();
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        u = make_user((int)i);
        snprintf(u.username, sizeof u.username, "%s", names[i]);
        snprintf(u.email, sizeof u.email, "%s@x", names[i]);
        ZCT_OK(zc_repo_insert(users, NULL, &u, &err), &err);
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char want[140];
        memset(&back, 0, sizeof back);
        ZCT_OK(user_find_by_username(users, names[i], &back, &err), &err);
        ck_assert_str_eq(back.username, names[i]);
        snprintf(want, sizeof want, "%s@x", names[i]);
        ck_assert_str_eq(back.email, want);
    }
    ZCT_OK(zc_repo_count(users, NULL, NULL, NULL, 0, &n, &err), &err);
    ck_assert_int_eq(n, (int64_t)(sizeof names / sizeof names[0]));
    teardown_users();
}
END_TEST

START_TEST(find_pages_without_gaps_or_repeats)
{
    zc_error err;
    User all[100], page[7];
    size_t n = 0;
    int seen[100] = { 0 };
    setup_users();
    for (int i = 0; i < 100; i++)
        all[i] = make_user(i);
    ZCT_OK(zc_repo_insert_many(users, NULL, all, 100, &err), &err);
    /* order by score desc, then id: pages of 7 */
    for (int64_t off = 0;; off += 7) {
        zc_query q = { NULL, NULL, 0, "score DESC, id", 7, off };
        ZCT_OK(zc_repo_find(users, NULL, &q, page, 7, &n, &err), &err);
        for (size_t k = 0; k < n; k++) {
            int idx = atoi(page[k].username + 4);
            ck_assert_int_lt(idx, 100);
            seen[idx]++;
            if (k > 0) {
                ck_assert_int_ge(page[k - 1].score, page[k].score);
                if (page[k - 1].score == page[k].score)
                    ck_assert_int_lt(page[k - 1].id, page[k].id);
            }
        }
        if (n < 7)
            break;
    }
    for (int i = 0; i < 100; i++)
        ck_assert_msg(seen[i] == 1, "user %d seen %d times", i, seen[i]);
    /* where + params + order + limit */
    {
        zc_value p[] = { zc_int(3), zc_int(5) };
        zc_query q = { "score >= ? AND score < ?", p, 2, "id DESC", 5, 0 };
        ZCT_OK(zc_repo_find(users, NULL, &q, page, 7, &n, &err), &err);
        ck_assert_uint_eq(n, 5);
        for (size_t k = 0; k < n; k++)
            ck_assert(page[k].score == 3 || page[k].score == 4);
        ck_assert_int_gt(page[0].id, page[4].id);
    }
    /* offset only */
    {
        zc_query q = { NULL, NULL, 0, NULL, 0, 98 };
        ZCT_OK(zc_repo_find(users, NULL, &q, page, 7, &n, &err), &err);
        ck_assert_uint_eq(n, 2);
        ck_assert_str_eq(page[1].username, "user00099");
    }
    teardown_users();
}
END_TEST

START_TEST(count_and_exists)
{
    zc_error err;
    User rows[20];
    int64_t n = -1;
    zc_value p[] = { zc_int(3) };
    setup_users();
    for (int i = 0; i < 20; i++)
        rows[i] = make_user(i);
    ZCT_OK(zc_repo_insert_many(users, NULL, rows, 20, &err), &err);
    ZCT_OK(zc_repo_count(users, NULL, "score = ?", p, 1, &n, &err), &err);
    ck_assert_int_eq(n, 2);
    ZCT_OK(zc_repo_exists(users, NULL, "score = ?", p, 1, &err), &err);
    {
        zc_value q[] = { zc_int(42) };
        ck_assert_int_eq(zc_repo_exists(users, NULL, "score = ?", q, 1, &err), ZC_NOT_FOUND);
    }
    ZCT_OK(zc_repo_count(users, NULL, NULL, NULL, 0, &n, &err), &err);
    ck_assert_int_eq(n, 20);
    teardown_users();
}
END_TEST

START_TEST(insert_many_fills_ids_in_order)
{
    zc_error err;
    enum { N = 1234 };
    User *rows = calloc(N, sizeof *rows), back;
    int64_t n = 0;
    setup_users();
    for (int i = 0; i < N; i++)
        rows[i] = make_user(i);
    ZCT_OK(zc_repo_insert_many(users, NULL, rows, N, &err), &err);
    for (int i = 0; i < N; i++) {
        ck_assert_int_gt(rows[i].id, 0);
        if (i)
            ck_assert_int_gt(rows[i].id, rows[i - 1].id);
        ck_assert_int_gt(rows[i].created_at, 0);
    }
    for (int i = 0; i < N; i += 97) {
        ZCT_OK(zc_repo_get(users, NULL, &rows[i].id, &back, &err), &err);
        ck_assert_str_eq(back.username, rows[i].username);
        ck_assert_int_eq(back.created_at, rows[i].created_at);
    }
    ZCT_OK(zc_repo_count(users, NULL, NULL, NULL, 0, &n, &err), &err);
    ck_assert_int_eq(n, N);
    /* a duplicate inside a batch fails the whole batch in one transaction */
    {
        User dup[3] = { make_user(N + 1), make_user(N + 2), make_user(N + 3) };
        snprintf(dup[2].username, sizeof dup[2].username, "%s", rows[5].username);
        ck_assert_int_eq(zc_repo_insert_many(users, NULL, dup, 3, &err), ZC_ECONSTRAINT);
        ZCT_OK(zc_repo_count(users, NULL, NULL, NULL, 0, &n, &err), &err);
        ck_assert_int_eq(n, N);
    }
    /* and inside a batch big enough for the bulk paths: nothing of it is committed */
    {
        enum { M = 1100 };
        User *more = calloc(M, sizeof *more);
        for (int i = 0; i < M; i++)
            more[i] = make_user(N + 10 + i);
        snprintf(more[600].username, sizeof more[600].username, "%s", rows[7].username);
        ck_assert_int_eq(zc_repo_insert_many(users, NULL, more, M, &err), ZC_ECONSTRAINT);
        ck_assert_msg(err.sqlstate[0] == '2' && err.sqlstate[1] == '3', "%s", err.sqlstate);
        ZCT_OK(zc_repo_count(users, NULL, NULL, NULL, 0, &n, &err), &err);
        ck_assert_int_eq(n, N);
        free(more);
    }
    free(rows);
    teardown_users();
}
END_TEST

START_TEST(cursor_streams_more_than_a_rowset)
{
    zc_error err;
    enum { N = 300 };
    User *rows = calloc(N, sizeof *rows), u;
    zc_session *s = NULL;
    zc_cursor *c = NULL;
    int got = 0, rc;
    int64_t prev = 0;
    setup_users();
    for (int i = 0; i < N; i++)
        rows[i] = make_user(i);
    ZCT_OK(zc_repo_insert_many(users, NULL, rows, N, &err), &err);
    ZCT_OK(zc_session_open(NULL, &s, &err), &err);
    ZCT_OK(zc_repo_cursor(users, s, NULL, &c, &err), &err);
    while ((rc = zc_cursor_next(c, &u, &err)) == ZC_OK) {
        ck_assert_int_gt(u.id, prev);
        prev = u.id;
        ck_assert_str_eq(u.username, rows[got].username);
        got++;
    }
    ck_assert_int_eq(rc, ZC_NOT_FOUND);
    ck_assert_int_eq(got, N);
    ck_assert_int_eq(zc_cursor_next(c, &u, &err), ZC_NOT_FOUND);
    zc_cursor_close(&c);
    ck_assert_ptr_null(c);
    /* the session goes on; a second cursor with a where */
    {
        zc_value p[] = { zc_int(7) };
        zc_query q = { "score = ?", p, 1, "username DESC", 0, 0 };
        ZCT_OK(zc_repo_cursor(users, s, &q, &c, &err), &err);
        got = 0;
        while (zc_cursor_next(c, &u, &err) == ZC_OK) {
            ck_assert_int_eq(u.score, 7);
            got++;
        }
        ck_assert_int_eq(got, N / 10);
        zc_cursor_close(&c);
    }
    zc_session_close(&s);
    free(rows);
    teardown_users();
}
END_TEST

START_TEST(cursor_pages_by_key_across_pages)
{
    zc_error err;
    enum { N = 9000 }; /* more than two pages of 4096 */
    User *rows = calloc(N, sizeof *rows), u, prev;
    zc_session *s = NULL;
    zc_cursor *c = NULL;
    char *seen = calloc(N, 1);
    int got = 0, rc;
    setup_users();
    for (int i = 0; i < N; i++)
        rows[i] = make_user(i);
    ZCT_OK(zc_repo_insert_many(users, NULL, rows, N, &err), &err);
    ZCT_OK(zc_session_open(NULL, &s, &err), &err);
    {
        /* mixed directions; score repeats, so id breaks the ties */
        zc_query q = { NULL, NULL, 0, "score DESC, username ASC", 0, 0 };
        ZCT_OK(zc_repo_cursor(users, s, &q, &c, &err), &err);
        while ((rc = zc_cursor_next(c, &u, &err)) == ZC_OK) {
            int idx = atoi(u.username + 4);
            ck_assert_int_eq(seen[idx], 0);
            seen[idx] = 1;
            if (got) {
                ck_assert_int_ge(prev.score, u.score);
                if (prev.score == u.score)
                    ck_assert_int_lt(strcmp(prev.username, u.username), 0);
            }
            prev = u;
            got++;
        }
        ck_assert_int_eq(rc, ZC_NOT_FOUND);
        ck_assert_int_eq(got, N);
        zc_cursor_close(&c);
    }
    {
        /* where + offset + limit spanning a page boundary */
        zc_value p[] = { zc_int(5) };
        zc_query q = { "score < ?", p, 1, NULL, 4200, 100 };
        int64_t expect = 0;
        got = 0;
        ZCT_OK(zc_repo_cursor(users, s, &q, &c, &err), &err);
        while ((rc = zc_cursor_next(c, &u, &err)) == ZC_OK) {
            ck_assert_int_lt(u.score, 5);
            ck_assert_int_gt(u.id, expect);
            expect = u.id;
            got++;
        }
        ck_assert_int_eq(rc, ZC_NOT_FOUND);
        ck_assert_int_eq(got, 4200); /* 4500 match, 100 skipped, 4200 allowed: two pages */
        zc_cursor_close(&c);
    }
    zc_session_close(&s);
    free(seen);
    free(rows);
    teardown_users();
}
END_TEST

START_TEST(operations_join_a_callers_session)
{
    zc_error err;
    zc_session *s = NULL;
    User a = make_user(1), b = make_user(2);
    int64_t n = -1;
    setup_users();
    ZCT_OK(zc_session_open(NULL, &s, &err), &err);
    ZCT_OK(zc_repo_insert(users, s, &a, &err), &err);
    ZCT_OK(zc_repo_insert(users, s, &b, &err), &err);
    ZCT_OK(zc_repo_count(users, s, NULL, NULL, 0, &n, &err), &err);
    ck_assert_int_eq(n, 2); /* the session sees its own work */
    ZCT_OK(zc_session_rollback(s, &err), &err);
    ZCT_OK(zc_repo_count(users, NULL, NULL, NULL, 0, &n, &err), &err);
    ck_assert_int_eq(n, 0); /* nothing was committed */
    ZCT_OK(zc_repo_insert(users, s, &a, &err), &err);
    ZCT_OK(zc_session_commit(s, &err), &err);
    zc_session_close(&s);
    ZCT_OK(zc_repo_count(users, NULL, NULL, NULL, 0, &n, &err), &err);
    ck_assert_int_eq(n, 1);
    teardown_users();
}
END_TEST

/* Statements the "echoed" database ran, counted by what they were. */
static int log_inserts, log_returning, log_last_id;

static void on_log(void *ud, int level, const char *db, const char *line)
{
    (void)ud;
    (void)level;
    if (strcmp(db, "echoed") != 0)
        return;
    if (strstr(line, "INSERT INTO") && strstr(line, users_table))
        log_inserts++;
    if (strstr(line, "RETURNING id"))
        log_returning++;
    if (strstr(line, "LAST_INSERT_ID()") || strstr(line, "last_insert_rowid()"))
        log_last_id++;
}

/*
 * zc_repo_insert reads its generated id with the statement itself where the
 * server can (INSERT … RETURNING id: PostgreSQL, MariaDB from 10.5), else with
 * the dialect's last-id query; either way the ids are the rows' ids.
 */
START_TEST(insert_reads_its_id_in_as_few_statements_as_the_server_allows)
{
    zc_error err;
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    zc_db_info info;
    zc_session *s = NULL;
    zc_repo *echoed = NULL;
    User u[3], back, dup;
    int returning;
    setup_users();
    o.echo = 1;
    ZCT_OK(zc_db_setup("echoed", zct_cur->conn, &o, &err), &err);
    ZCT_OK(zc_repo_open(&User_model, "echoed", &echoed, &err), &err);
    ZCT_OK(zc_session_open("echoed", &s, &err), &err);
    ZCT_OK(zc_db_get_info("echoed", &info, &err), &err);
    returning = zct_cur->dialect == ZC_DIALECT_POSTGRESQL ||
                (zct_cur->dialect == ZC_DIALECT_MYSQL && !strncmp(info.dbms_name, "MariaDB", 7) &&
                 (atoi(info.dbms_version) > 10 ||
                  (atoi(info.dbms_version) == 10 && atoi(strchr(info.dbms_version, '.') + 1) >= 5)));
    log_inserts = log_returning = log_last_id = 0;
    zc_set_log(on_log, NULL);
    for (int i = 0; i < 3; i++) {
        u[i] = make_user(40 + i);
        ZCT_OK(zc_repo_insert(echoed, s, &u[i], &err), &err);
    }
    ZCT_OK(zc_session_commit(s, &err), &err);
    /* a duplicate username: refused by the constraint */
    dup = make_user(41);
    ck_assert_int_eq(zc_repo_insert(echoed, s, &dup, &err), ZC_ECONSTRAINT);
    ck_assert_int_eq(strncmp(err.sqlstate, "23", 2), 0);
    zc_set_log(NULL, NULL);
    ck_assert_int_eq(log_inserts, 4);
    ck_assert_int_eq(log_returning, returning ? 4 : 0);
    ck_assert_int_eq(log_last_id, returning ? 0 : 3);
    zc_session_close(&s);
    zc_repo_close(&echoed);
    ZCT_OK(zc_db_remove("echoed", &err), &err);
    ck_assert(u[0].id > 0 && u[1].id > u[0].id && u[2].id > u[1].id);
    for (int i = 0; i < 3; i++) {
        ZCT_OK(zc_repo_get(users, NULL, &u[i].id, &back, &err), &err);
        ck_assert_int_eq(back.id, u[i].id);
        ck_assert_str_eq(back.username, u[i].username);
    }
    teardown_users();
}
END_TEST

/*
 * zc_repo_find fetches rowsets straight into the caller's array when every
 * value but timestamps has the struct's own form and the struct has room for
 * the indicators (Reading); otherwise rows pass through records (Tiny). Both
 * must read the same values, NULLs included, never write past cap, and refuse
 * text longer than the member.
 */
typedef struct Reading {
    ZC_INT_ID_FIELDS;
    int32_t a;
    bool a_null;
    int64_t b;
    bool b_null;
    double d;
    bool d_null;
    bool f;
    bool f_null;
    char note[24];
    bool note_null;
    zc_timestamp at;
    bool at_null;
    int32_t k;
    char spare[16]; /* not in the model: never written by a read */
} Reading;
static const zc_field reading_fields[] = {
    ZC_FIELD_INT32_NULL(Reading, a, 0),  ZC_FIELD_INT64_NULL(Reading, b, 0),
    ZC_FIELD_DOUBLE_NULL(Reading, d, 0), ZC_FIELD_BOOL_NULL(Reading, f, 0),
    ZC_FIELD_TEXT_NULL(Reading, note, 0), ZC_FIELD_TIMESTAMP_NULL(Reading, at, 0),
    ZC_FIELD_INT32(Reading, k, ZC_F_INDEX),
};
static char readings_table[64];
ZC_MODEL(Reading, readings_table, ZC_PK_INT, reading_fields);

/* The same table read with a shorter note: values of up to 7 bytes fit. */
typedef struct ShortReading {
    ZC_INT_ID_FIELDS;
    char note[8];
    bool note_null;
    int32_t k;
    char spare[40]; /* not in the model */
} ShortReading;
static const zc_field short_reading_fields[] = {
    ZC_FIELD_TEXT_NULL(ShortReading, note, 0),
    ZC_FIELD_INT32(ShortReading, k, 0),
};
ZC_MODEL(ShortReading, readings_table, ZC_PK_INT, short_reading_fields);

/* Too small to hold its own indicators: read through records. */
typedef struct Tiny {
    ZC_INT_ID_FIELDS;
    bool f;
    bool f_null;
    int32_t k;
} Tiny;
static const zc_field tiny_fields[] = { ZC_FIELD_BOOL_NULL(Tiny, f, 0), ZC_FIELD_INT32(Tiny, k, 0) };
ZC_MODEL(Tiny, readings_table, ZC_PK_INT, tiny_fields);

/* The same table with no padding among the first members (and no double, which
   SQLite reads as text): big finds stage a row's indicators in the array's next
   slots (find_direct). */
typedef struct PackedReading {
    ZC_INT_ID_FIELDS;
    int64_t b;
    char note[64];
    zc_timestamp at;
    bool b_null, note_null, at_null;
    int32_t k;
    char spare[24]; /* not in the model */
} PackedReading;
static const zc_field packed_reading_fields[] = {
    ZC_FIELD_INT64_NULL(PackedReading, b, 0), ZC_FIELD_TEXT_NULL(PackedReading, note, 0), ZC_FIELD_TIMESTAMP_NULL(PackedReading, at, 0),
    ZC_FIELD_INT32(PackedReading, k, 0),
};
ZC_MODEL(PackedReading, readings_table, ZC_PK_INT, packed_reading_fields);

#define NREADINGS 600 /* more than two rowsets */

static Reading make_reading(int i)
{
    Reading r;
    memset(&r, 0, sizeof r);
    r.k = i;
    r.a_null = i % 2 == 0;
    r.a = r.a_null ? 0 : -i;
    r.b_null = i % 3 == 0;
    r.b = r.b_null ? 0 : INT64_C(5000000000) + i;
    r.d_null = i % 5 == 0;
    r.d = r.d_null ? 0 : i + 0.25;
    r.f_null = i % 7 == 0;
    r.f = !r.f_null && i % 2 == 1;
    r.note_null = i % 4 == 1;
    if (!r.note_null)
        snprintf(r.note, sizeof r.note, i % 4 == 2 ? "note %d ';--\\" : "n%d", i);
    r.at_null = i % 6 == 5;
    /* whole milliseconds: what every backend keeps (sqliteodbc stores milliseconds) */
    r.at = r.at_null ? 0 : INT64_C(1700000000000000) + (int64_t)(i / 100) * 1000000 + i * 1000;
    if (!r.at_null && i % 50 == 49) /* another day now and then, and another year */
        r.at += (int64_t)(i / 50) * INT64_C(86400000000);
    if (!r.at_null && i % 97 == 0)
        r.at += 400 * INT64_C(86400000000);
    return r;
}

static void assert_reading(const Reading *got, int i)
{
    Reading want = make_reading(i);
    ck_assert_int_eq(got->k, i);
    ck_assert_int_eq(got->a_null, want.a_null);
    ck_assert_int_eq(got->a, want.a);
    ck_assert_int_eq(got->b_null, want.b_null);
    ck_assert_int_eq(got->b, want.b);
    ck_assert_int_eq(got->d_null, want.d_null);
    ck_assert(got->d == want.d);
    ck_assert_int_eq(got->f_null, want.f_null);
    ck_assert_int_eq(got->f, want.f);
    ck_assert_int_eq(got->note_null, want.note_null);
    ck_assert_str_eq(got->note, want.note);
    ck_assert_int_eq(got->at_null, want.at_null);
    ck_assert_int_eq(got->at, want.at);
    ck_assert(got->created_at > 0 && got->updated_at == got->created_at);
}

START_TEST(find_reads_rowsets_into_the_array_nulls_and_all)
{
    const zc_model *m[] = { &Reading_model };
    static Reading rows[NREADINGS], got[NREADINGS + 1];
    static Tiny tiny[NREADINGS];
    ShortReading sr[4];
    zc_repo *readings, *shorts, *tinies;
    zc_error err;
    size_t n = 0;
    zc_query all = { .order_by = "k" };
    Reading sentinel;

    snprintf(readings_table, sizeof readings_table, "zc_readings_%ld", (long)getpid());
    ZCT_OK(zc_db_drop_all(NULL, m, 1, &err), &err);
    ZCT_OK(zc_db_create_all(NULL, m, 1, &err), &err);
    ZCT_OK(zc_repo_open(&Reading_model, NULL, &readings, &err), &err);
    ZCT_OK(zc_repo_open(&ShortReading_model, NULL, &shorts, &err), &err);
    ZCT_OK(zc_repo_open(&Tiny_model, NULL, &tinies, &err), &err);
    for (int i = 0; i < NREADINGS; i++)
        rows[i] = make_reading(i);
    ZCT_OK(zc_repo_insert_many(readings, NULL, rows, NREADINGS, &err), &err);

    /* everything: three rowsets, the last one short */
    memset(&sentinel, 0x5a, sizeof sentinel);
    got[NREADINGS] = sentinel;
    for (int i = 0; i < NREADINGS; i++)
        memset(got[i].spare, 0x5a, sizeof got[i].spare);
    ZCT_OK(zc_repo_find(readings, NULL, &all, got, NREADINGS + 1, &n, &err), &err);
    ck_assert_uint_eq(n, NREADINGS);
    for (int i = 0; i < NREADINGS; i++) {
        assert_reading(&got[i], i);
        ck_assert_int_eq(got[i].id, rows[i].id);
        ck_assert_int_eq(got[i].created_at, rows[i].created_at); /* as insert_many stamped it */
        ck_assert(memcmp(got[i].spare, sentinel.spare, sizeof sentinel.spare) == 0);
    }
    ck_assert(memcmp(&got[NREADINGS], &sentinel, sizeof sentinel) == 0);

    /* the packed model: bindings that move along the array, then the last rowsets
       through statement memory; unmapped members untouched in every slot */
    {
        enum { BIG = 2000 };
        static PackedReading pk[BIG];
        zc_repo *packed;
        const size_t caps[] = { NREADINGS, BIG };
        ZCT_OK(zc_repo_open(&PackedReading_model, NULL, &packed, &err), &err);
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < BIG; i++)
                memset(pk[i].spare, 0x5a, sizeof pk[i].spare);
            ZCT_OK(zc_repo_find(packed, NULL, &all, pk, caps[c], &n, &err), &err);
            ck_assert_uint_eq(n, NREADINGS);
            for (int i = 0; i < NREADINGS; i++) {
                Reading want = make_reading(i);
                ck_assert_int_eq(pk[i].k, i);
                ck_assert_int_eq(pk[i].id, rows[i].id);
                ck_assert_int_eq(pk[i].b_null, want.b_null);
                ck_assert_int_eq(pk[i].b, want.b);
                ck_assert_int_eq(pk[i].note_null, want.note_null);
                ck_assert_str_eq(pk[i].note, want.note);
                ck_assert_int_eq(pk[i].at_null, want.at_null);
                ck_assert_int_eq(pk[i].at, want.at);
                ck_assert_int_eq(pk[i].created_at, rows[i].created_at);
            }
            for (int i = 0; i < BIG; i++)
                ck_assert(memcmp(pk[i].spare, sentinel.spare, sizeof sentinel.spare) == 0);
        }
        zc_repo_close(&packed);
    }

    /* one at a time, in and out of the same day */
    for (int i = 40; i < 110; i++) {
        Reading one;
        ZCT_OK(zc_repo_get(readings, NULL, &rows[i].id, &one, &err), &err);
        assert_reading(&one, i);
    }

    /* cap inside the second rowset: exactly cap rows, nothing written after them */
    for (int i = 0; i <= NREADINGS; i++)
        got[i] = sentinel;
    ZCT_OK(zc_repo_find(readings, NULL, &all, got, 300, &n, &err), &err);
    ck_assert_uint_eq(n, 300);
    for (int i = 0; i < 300; i++)
        assert_reading(&got[i], i);
    for (int i = 300; i <= NREADINGS; i++)
        ck_assert(memcmp(&got[i], &sentinel, sizeof sentinel) == 0);

    /* a where clause, descending order, limit and offset */
    {
        zc_value p[] = { zc_int(100) };
        zc_query q = { "k >= ?", p, 1, "k DESC", 10, 5 };
        ZCT_OK(zc_repo_find(readings, NULL, &q, got, NREADINGS, &n, &err), &err);
        ck_assert_uint_eq(n, 10);
        for (int i = 0; i < 10; i++)
            assert_reading(&got[i], NREADINGS - 1 - 5 - i);
    }

    /* a cursor pages by k; by a nullable column it reads one statement */
    {
        zc_session *s = NULL;
        zc_cursor *c = NULL;
        zc_query by_a = { .order_by = "a" };
        Reading one;
        int i = 0, st;
        ZCT_OK(zc_session_open(NULL, &s, &err), &err);
        ZCT_OK(zc_repo_cursor(readings, s, &all, &c, &err), &err);
        memset(one.spare, 0x5a, sizeof one.spare);
        while ((st = zc_cursor_next(c, &one, &err)) == ZC_OK) {
            assert_reading(&one, i++);
            ck_assert(memcmp(one.spare, sentinel.spare, sizeof sentinel.spare) == 0);
        }
        ck_assert_int_eq(st, ZC_NOT_FOUND);
        ck_assert_int_eq(i, NREADINGS);
        zc_cursor_close(&c);
        ZCT_OK(zc_repo_cursor(readings, s, &by_a, &c, &err), &err);
        for (i = 0; i < 5 && (st = zc_cursor_next(c, &one, &err)) == ZC_OK; i++)
            assert_reading(&one, one.k);
        /* the same query while the cursor reads it: refused, the cursor left alone */
        ck_assert_int_eq(zc_repo_find(readings, s, &by_a, got, 10, &n, &err), ZC_ESTATE);
        ck_assert_int_eq(zc_repo_find(readings, s, &by_a, got, NREADINGS, &n, &err), ZC_ESTATE);
        for (; (st = zc_cursor_next(c, &one, &err)) == ZC_OK; i++)
            assert_reading(&one, one.k);
        ck_assert_int_eq(st, ZC_NOT_FOUND);
        ck_assert_int_eq(i, NREADINGS);
        zc_cursor_close(&c);
        zc_session_close(&s);
    }

    /* the record path reads the same table the same way */
    ZCT_OK(zc_repo_find(tinies, NULL, &all, tiny, NREADINGS, &n, &err), &err);
    ck_assert_uint_eq(n, NREADINGS);
    for (int i = 0; i < NREADINGS; i++) {
        ck_assert_int_eq(tiny[i].k, i);
        ck_assert_int_eq(tiny[i].id, rows[i].id);
        ck_assert_int_eq(tiny[i].created_at, got[0].created_at);
        ck_assert_int_eq(tiny[i].f_null, rows[i].f_null);
        ck_assert_int_eq(tiny[i].f, rows[i].f);
    }
    /* one row at a time, a NULL before a value (MariaDB leaves a BIT's indicator unwritten) */
    for (int i = 0; i < 3; i++) {
        Tiny t;
        ZCT_OK(zc_repo_get(tinies, NULL, &rows[7 * i].id, &t, &err), &err);
        ck_assert(t.f_null);
        ZCT_OK(zc_repo_get(tinies, NULL, &rows[7 * i + 1].id, &t, &err), &err);
        ck_assert(!t.f_null);
        ck_assert_int_eq(t.f, rows[7 * i + 1].f);
    }

    /* text longer than the member: refused, with the rows before it read */
    {
        zc_query q = { .order_by = "k", .limit = 4 };
        memset(sr, 0x5a, sizeof sr);
        ck_assert_int_eq(zc_repo_find(shorts, NULL, &q, sr, 4, &n, &err), ZC_ETRUNC);
        ck_assert_ptr_nonnull(strstr(err.message, "room for 7"));
        ck_assert_uint_eq(n, 2); /* k = 0 ("n0") and 1 (NULL) fit; k = 2's note does not */
        ck_assert_str_eq(sr[0].note, "n0");
        ck_assert(sr[1].note_null);
        ck_assert_str_eq(sr[1].note, "");
        ck_assert_int_eq(sr[1].k, 1);
        for (int i = 0; i < 4; i++)
            for (size_t j = 0; j < sizeof sr[i].spare; j++)
                ck_assert_int_eq((unsigned char)sr[i].spare[j], 0x5a);
    }
    /* the same straight into a large array, and one row at a time */
    {
        static ShortReading many[NREADINGS];
        zc_query q = { .order_by = "k" };
        ck_assert_int_eq(zc_repo_find(shorts, NULL, &q, many, NREADINGS, &n, &err), ZC_ETRUNC);
        ck_assert_ptr_nonnull(strstr(err.message, "room for 7"));
        ck_assert_uint_eq(n, 2);
        ck_assert_str_eq(many[0].note, "n0");
        ck_assert(many[1].note_null);
        memset(&sr[0], 0x5a, sizeof sr[0]);
        ZCT_OK(zc_repo_get(shorts, NULL, &rows[0].id, &sr[0], &err), &err);
        ck_assert_str_eq(sr[0].note, "n0");
        ck_assert(!sr[0].note_null);
        ck_assert_int_eq(sr[0].k, 0);
        ck_assert_int_eq((unsigned char)sr[0].spare[0], 0x5a);
        ck_assert_int_eq(zc_repo_get(shorts, NULL, &rows[2].id, &sr[0], &err), ZC_ETRUNC);
        ZCT_OK(zc_repo_get(shorts, NULL, &rows[1].id, &sr[0], &err), &err);
        ck_assert(sr[0].note_null);
        ck_assert_str_eq(sr[0].note, "");
    }
    zc_repo_close(&tinies);
    zc_repo_close(&shorts);
    zc_repo_close(&readings);
    zct_drop(NULL, readings_table);
}
END_TEST

START_TEST(bad_queries_are_refused)
{
    static const char *bad_where[] = {
        "username = 'x'",               /* literals must be parameters */
        "username = ?; DROP TABLE x",   /* statement end */
        "username = ? -- comment",
        "username = ? /* c */",
        "password = ?",                 /* not a column */
        "(username = ?",                /* unbalanced */
        "username = ?)",
        "username = ? OR 1=1 UNION SELECT",
        "`username` = ?",
        "username = \"?\"",
        "sleep(?) = 0",
    };
    static const char *bad_order[] = { "password", "username; DROP TABLE x", "score DESC,",
                                       "1", "username ASC DESC" };
    zc_error err;
    User u;
    int64_t n;
    size_t got;
    setup_users();
    for (size_t i = 0; i < sizeof bad_where / sizeof bad_where[0]; i++) {
        zc_value p[] = { zc_text("x") };
        int st = zc_repo_find_one(users, NULL, bad_where[i], p, 1, &u, &err);
        ck_assert_msg(st == ZC_EINVAL, "where '%s' -> %d", bad_where[i], st);
    }
    for (size_t i = 0; i < sizeof bad_order / sizeof bad_order[0]; i++) {
        zc_query q = { NULL, NULL, 0, bad_order[i], 0, 0 };
        int st = zc_repo_find(users, NULL, &q, &u, 1, &got, &err);
        ck_assert_msg(st == ZC_EINVAL, "order '%s' -> %d", bad_order[i], st);
    }
    {
        zc_query q = { NULL, NULL, 0, "password", 0, 0 };
        ck_assert_int_eq(zc_repo_find(users, NULL, &q, &u, 1, &got, &err), ZC_EINVAL);
        ck_assert_ptr_nonnull(strstr(err.message, "password"));
    }
    /* parameter count must match */
    ck_assert_int_eq(zc_repo_count(users, NULL, "score = ? AND id = ?", NULL, 0, &n, &err),
                     ZC_EINVAL);
    {
        zc_value p[] = { zc_int(1) };
        ck_assert_int_eq(zc_repo_count(users, NULL, "score = ? AND id = ?", p, 1, &n, &err),
                         ZC_EINVAL);
        ck_assert_int_eq(zc_repo_count(users, NULL, NULL, p, 1, &n, &err), ZC_EINVAL);
    }
    {
        zc_query q = { NULL, NULL, 0, NULL, -1, 0 };
        ck_assert_int_eq(zc_repo_find(users, NULL, &q, &u, 1, &got, &err), ZC_EINVAL);
    }
    /* allowed: functions, IN, IS NULL, BETWEEN, LIKE */
    {
        zc_value p[] = { zc_text("USER%"), zc_int(1), zc_int(2), zc_int(0), zc_int(9) };
        ZCT_OK(zc_repo_count(users, NULL,
                             "upper(username) LIKE ? AND score IN (?, ?) AND email IS NOT NULL "
                             "AND score BETWEEN ? AND ?", p, 5, &n, &err), &err);
    }
    /* NULL arguments */
    ck_assert_int_eq(zc_repo_insert(NULL, NULL, &u, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_repo_insert(users, NULL, NULL, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_repo_get(users, NULL, NULL, &u, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_repo_count(users, NULL, NULL, NULL, 0, NULL, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_repo_cursor(users, NULL, NULL, NULL, &err), ZC_EINVAL);
    {
        zc_repo *none = users; /* a failed open sets its out-parameter to NULL */
        ck_assert_int_eq(zc_repo_open(&User_model, "no_such_db", &none, &err), ZC_ENODB);
        ck_assert_ptr_null(none);
    }
    teardown_users();
}
END_TEST

static void add_tests(TCase *tc)
{
    tcase_add_test(tc, insert_get_update_delete);
    tcase_add_test(tc, missing_ids_are_not_found);
    tcase_add_test(tc, custom_repository_finds_by_username_with_meta_characters);
    tcase_add_test(tc, find_pages_without_gaps_or_repeats);
    tcase_add_test(tc, count_and_exists);
    tcase_add_test(tc, insert_many_fills_ids_in_order);
    tcase_add_test(tc, cursor_streams_more_than_a_rowset);
    tcase_add_test(tc, cursor_pages_by_key_across_pages);
    tcase_add_test(tc, operations_join_a_callers_session);
    tcase_add_test(tc, bad_queries_are_refused);
    tcase_add_test(tc, insert_reads_its_id_in_as_few_statements_as_the_server_allows);
    tcase_add_test(tc, find_reads_rowsets_into_the_array_nulls_and_all);
}

int main(void)
{
    Suite *s = suite_create("repo");
    zct_add_backend_cases(s, "repo", add_tests, 180, 0);
    return zct_run(s);
}
