/* SPDX-License-Identifier: MIT */
/*
 * partition: vertical partitioning (the seed's section 5) — two models in two
 * named databases, each repository bound to its database by name, one program.
 *
 * Every test runs on each pair of databases this run can make from
 * ZC_TEST_BACKENDS: SQLite + a second SQLite file, PostgreSQL + MariaDB and
 * MariaDB + PostgreSQL (or a lone server backend + a SQLite file). Users live in
 * "users_db", events in "analytics".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../examples/partition.h"
#include "zctest.h"

static char users_table[64];
static char events_table[64];
ZC_MODEL(User, users_table, ZC_PK_INT, user_fields);
ZC_MODEL(Event, events_table, ZC_PK_UUID, event_fields);

/* ---- pairs of databases ---------------------------------------------------- */

typedef struct pair {
    char name[64];
    zct_backend users;  /* where users_db is */
    zct_backend events; /* where analytics is */
} pair;

enum { MAX_PAIRS = 4 };
static pair pairs[MAX_PAIRS];
static int npairs;
static const pair *cur;

static char sqlite2_path[256];
static char sqlite2_conn[512];
static const zct_backend *sqlite2(void)
{
    static zct_backend b;
    if (!b.name) {
        snprintf(sqlite2_path, sizeof sqlite2_path, "%s/zc_partition_%ld.sqlite",
                 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
                 (long)getpid());
        snprintf(sqlite2_conn, sizeof sqlite2_conn, "Driver=SQLite3;Database=%s;Timeout=5000",
                 sqlite2_path);
        b.name = "sqlite-second-file";
        b.dialect = ZC_DIALECT_SQLITE;
        b.conn = sqlite2_conn;
    }
    return &b;
}

static const zct_backend *find_backend(const char *name)
{
    int n;
    const zct_backend *b = zct_backends(&n);
    for (int i = 0; i < n; i++)
        if (!strcmp(b[i].name, name))
            return &b[i];
    return NULL;
}

static void add_pair(const zct_backend *u, const zct_backend *e)
{
    pair *p = &pairs[npairs++];
    p->users = *u;
    p->events = *e;
    snprintf(p->name, sizeof p->name, "partition/%s+%s", u->name, e->name);
}

static void make_pairs(void)
{
    const zct_backend *lite = find_backend("sqlite");
    const zct_backend *pg = find_backend("postgresql");
    const zct_backend *maria = find_backend("mariadb");
    if (lite)
        add_pair(lite, sqlite2());
    if (pg && maria) {
        add_pair(pg, maria);
        add_pair(maria, pg);
    } else if (pg || maria) {
        add_pair(pg ? pg : maria, sqlite2());
    }
}

/* ---- fixture ---------------------------------------------------------------- */

static zc_repo *users, *events;

static void setup_pair(int i)
{
    const zc_model *um[] = { &User_model };
    const zc_model *em[] = { &Event_model };
    zc_error err;
    cur = &pairs[i];
    ZCT_OK(zc_db_setup(USERS_DB, cur->users.conn, NULL, &err), &err);
    ZCT_OK(zc_db_setup(ANALYTICS_DB, cur->events.conn, NULL, &err), &err);
    ZCT_OK(zc_db_drop_all(USERS_DB, um, 1, &err), &err);
    ZCT_OK(zc_db_drop_all(ANALYTICS_DB, em, 1, &err), &err);
    ZCT_OK(zc_db_create_all(USERS_DB, um, 1, &err), &err);
    ZCT_OK(zc_db_create_all(ANALYTICS_DB, em, 1, &err), &err);
    ZCT_OK(zc_repo_open(&User_model, USERS_DB, &users, &err), &err);
    ZCT_OK(zc_repo_open(&Event_model, ANALYTICS_DB, &events, &err), &err);
}
static void setup0(void) { setup_pair(0); }
static void setup1(void) { setup_pair(1); }
static void setup2(void) { setup_pair(2); }
static void setup3(void) { setup_pair(3); }

static void teardown_pair(void)
{
    const zc_model *um[] = { &User_model };
    const zc_model *em[] = { &Event_model };
    zc_error err;
    zc_repo_close(&users);
    zc_repo_close(&events);
    /* leave the shared servers as they were */
    ZCT_OK(zc_db_drop_all(USERS_DB, um, 1, &err), &err);
    ZCT_OK(zc_db_drop_all(ANALYTICS_DB, em, 1, &err), &err);
    zc_db_shutdown();
}

/* ---- helpers ---------------------------------------------------------------- */

static User make_user(int i)
{
    User u;
    memset(&u, 0, sizeof u);
    snprintf(u.username, sizeof u.username, "user%02d", i);
    snprintf(u.email, sizeof u.email, "user%02d@example.org", i);
    return u;
}

static Event make_event(int64_t user_id, const char *kind, int seq)
{
    Event e;
    memset(&e, 0, sizeof e);
    e.user_id = user_id;
    snprintf(e.kind, sizeof e.kind, "%s", kind);
    snprintf(e.dedup, sizeof e.dedup, "%lld:%s:%d", (long long)user_id, kind, seq);
    return e;
}

/* The table's columns in the database behind be, read with SQLColumns on a connection
   of its own (not through zodiac). 0 means the table does not exist there. */
static int catalog_columns(const zct_backend *be, const char *table)
{
    zct_column cols[16];
    const zct_backend *saved = zct_cur;
    int n;
    zct_cur = be;
    n = zct_catalog_columns(table, cols, 16);
    zct_cur = saved;
    return n;
}

/* SELECT COUNT(*) FROM table in database db, in a session of its own. */
static int count_rows(const char *db, const char *table, int64_t *out, zc_error *err)
{
    zc_session *s = NULL;
    char sql[128];
    int st;
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    if ((st = zc_session_open(db, &s, err)) != ZC_OK)
        return st;
    st = zc_session_query_int(s, sql, NULL, 0, out, err);
    zc_session_close(&s);
    return st;
}

static int64_t must_count(const char *db, const char *table)
{
    zc_error err;
    int64_t n = -1;
    ZCT_OK(count_rows(db, table, &n, &err), &err);
    return n;
}

/* ---- tests ------------------------------------------------------------------ */

START_TEST(each_model_lands_in_its_own_database)
{
    zc_error err;
    zc_db_info info;
    User u[3] = { make_user(1), make_user(2), make_user(3) };
    Event e[5];
    int64_t n = -1;
    int st;

    ZCT_OK(zc_repo_insert_many(users, NULL, u, 3, &err), &err);
    for (int i = 0; i < 5; i++)
        e[i] = make_event(u[i % 3].id, "visit", i);
    ZCT_OK(zc_repo_insert_many(events, NULL, e, 5, &err), &err);

    /* each database is the DBMS it was set up with */
    ZCT_OK(zc_db_get_info(USERS_DB, &info, &err), &err);
    ck_assert_int_eq(info.dialect, cur->users.dialect);
    ZCT_OK(zc_db_get_info(ANALYTICS_DB, &info, &err), &err);
    ck_assert_int_eq(info.dialect, cur->events.dialect);

    /* the catalogs: id, created_at, updated_at + the model's own columns, and only
       in the model's database */
    ck_assert_int_eq(catalog_columns(&cur->users, users_table), 5);
    ck_assert_int_eq(catalog_columns(&cur->events, users_table), 0);
    ck_assert_int_eq(catalog_columns(&cur->events, events_table), 6);
    ck_assert_int_eq(catalog_columns(&cur->users, events_table), 0);

    /* the rows: counted with plain SQL in each database */
    ck_assert_int_eq(must_count(USERS_DB, users_table), 3);
    ck_assert_int_eq(must_count(ANALYTICS_DB, events_table), 5);

    /* and the other database has no such table: the statement is refused there */
    st = count_rows(ANALYTICS_DB, users_table, &n, &err);
    ck_assert_msg(st < 0, "users table found in analytics: %d, n=%lld", st, (long long)n);
    ck_assert_int_eq(n, -1);
    st = count_rows(USERS_DB, events_table, &n, &err);
    ck_assert_msg(st < 0, "events table found in users_db: %d, n=%lld", st, (long long)n);
    ck_assert_int_eq(n, -1);
}
END_TEST

START_TEST(reads_through_each_repository_return_what_was_written)
{
    zc_error err;
    User u[4] = { make_user(1), make_user(2), make_user(3), make_user(4) }, back;
    Event e[10], eback;
    size_t ne = 0, got = 0;
    int64_t n = 0;

    ZCT_OK(zc_repo_insert_many(users, NULL, u, 4, &err), &err);
    for (int i = 0; i < 4; i++)
        for (int k = 0; k <= i; k++)
            e[ne++] = make_event(u[i].id, k == 0 ? "signup" : "login", k);
    ZCT_OK(zc_repo_insert_many(events, NULL, e, ne, &err), &err);
    ck_assert_uint_eq(ne, 10);

    /* users_db gives back every user as written */
    for (int i = 0; i < 4; i++) {
        memset(&back, 0, sizeof back);
        ZCT_OK(zc_repo_get(users, NULL, &u[i].id, &back, &err), &err);
        ck_assert_str_eq(back.username, u[i].username);
        ck_assert_str_eq(back.email, u[i].email);
        ck_assert_int_eq(back.created_at, u[i].created_at);
    }
    /* analytics gives back every event by its UUID */
    for (size_t i = 0; i < ne; i++) {
        memset(&eback, 0, sizeof eback);
        ck_assert(!zc_uuid_is_nil(&e[i].id));
        ZCT_OK(zc_repo_get(events, NULL, &e[i].id, &eback, &err), &err);
        ck_assert_int_eq(zc_uuid_compare(&eback.id, &e[i].id), 0);
        ck_assert_int_eq(eback.user_id, e[i].user_id);
        ck_assert_str_eq(eback.kind, e[i].kind);
        ck_assert_str_eq(eback.dedup, e[i].dedup);
    }

    /* reading across both: each user of users_db, their events in analytics */
    for (int i = 0; i < 4; i++) {
        zc_value p[] = { zc_text(u[i].username) };
        zc_value q[] = { zc_int(0) };
        ZCT_OK(zc_repo_find_one(users, NULL, "username = ?", p, 1, &back, &err), &err);
        q[0] = zc_int(back.id);
        ZCT_OK(zc_repo_count(events, NULL, "user_id = ?", q, 1, &n, &err), &err);
        ck_assert_int_eq(n, i + 1);
    }
    /* ... and from an event back to its user */
    {
        Event page[3];
        zc_value p[] = { zc_text("login") };
        zc_query q = { "kind = ?", p, 1, "dedup DESC", 3, 0 };
        ZCT_OK(zc_repo_find(events, NULL, &q, page, 3, &got, &err), &err);
        ck_assert_uint_eq(got, 3);
        for (size_t i = 0; i < got; i++) {
            ZCT_OK(zc_repo_get(users, NULL, &page[i].user_id, &back, &err), &err);
            ck_assert_int_eq(back.id, page[i].user_id);
            ck_assert_int_eq(strncmp(page[i].kind, "login", 5), 0);
        }
    }
    /* a cursor in an analytics session streams all of them */
    {
        zc_session *s = NULL;
        zc_cursor *c = NULL;
        size_t seen = 0;
        int rc;
        ZCT_OK(zc_session_open(ANALYTICS_DB, &s, &err), &err);
        ck_assert_str_eq(zc_session_db_name(s), ANALYTICS_DB);
        ck_assert_int_eq(zc_session_dialect(s), cur->events.dialect);
        ZCT_OK(zc_repo_cursor(events, s, NULL, &c, &err), &err);
        while ((rc = zc_cursor_next(c, &eback, &err)) == ZC_OK)
            seen++;
        ck_assert_int_eq(rc, ZC_NOT_FOUND);
        zc_cursor_close(&c);
        zc_session_close(&s);
        ck_assert_uint_eq(seen, ne);
    }
    ZCT_OK(zc_repo_count(users, NULL, NULL, NULL, 0, &n, &err), &err);
    ck_assert_int_eq(n, 4);
    ZCT_OK(zc_repo_count(events, NULL, NULL, NULL, 0, &n, &err), &err);
    ck_assert_int_eq(n, 10);
}
END_TEST

START_TEST(constraint_violation_in_analytics_leaves_users_db_alone)
{
    zc_error err;
    User u[3] = { make_user(1), make_user(2), make_user(3) }, late = make_user(4), back;
    Event first = make_event(1, "signup", 0), fresh, dup;
    zc_session *su = NULL, *sa = NULL;
    int st;

    /* committed: three users, one event */
    ZCT_OK(zc_repo_insert_many(users, NULL, u, 3, &err), &err);
    first.user_id = u[0].id;
    snprintf(first.dedup, sizeof first.dedup, "replayed");
    ZCT_OK(zc_repo_insert(events, NULL, &first, &err), &err);

    /* a users_db transaction is under way while analytics fails */
    ZCT_OK(zc_session_open(USERS_DB, &su, &err), &err);
    ZCT_OK(zc_repo_insert(users, su, &late, &err), &err);

    ZCT_OK(zc_session_open(ANALYTICS_DB, &sa, &err), &err);
    fresh = make_event(u[1].id, "login", 1);
    ZCT_OK(zc_repo_insert(events, sa, &fresh, &err), &err);
    dup = make_event(u[2].id, "login", 1);
    snprintf(dup.dedup, sizeof dup.dedup, "replayed");
    st = zc_repo_insert(events, sa, &dup, &err);
    ck_assert_int_eq(st, ZC_ECONSTRAINT);
    ck_assert_int_eq(err.status, ZC_ECONSTRAINT);
    ck_assert_msg(err.sqlstate[0] == '2' && err.sqlstate[1] == '3', "sqlstate %s",
                  err.sqlstate);
    /* the failed transaction cannot commit: all of it goes */
    ck_assert_int_eq(zc_session_commit(sa, &err), ZC_ESTATE);
    zc_session_close(&sa);

    /* analytics: only what was committed before */
    ck_assert_int_eq(must_count(ANALYTICS_DB, events_table), 1);
    ck_assert_int_eq(zc_repo_get(events, NULL, &fresh.id, &dup, &err), ZC_NOT_FOUND);

    /* users_db: its open transaction commits, and every committed row is there */
    ZCT_OK(zc_session_commit(su, &err), &err);
    zc_session_close(&su);
    ck_assert_int_eq(must_count(USERS_DB, users_table), 4);
    for (int i = 0; i < 3; i++) {
        ZCT_OK(zc_repo_get(users, NULL, &u[i].id, &back, &err), &err);
        ck_assert_str_eq(back.username, u[i].username);
    }
    ZCT_OK(zc_repo_get(users, NULL, &late.id, &back, &err), &err);
    ck_assert_str_eq(back.username, "user04");
}
END_TEST

START_TEST(constraint_violation_in_users_db_leaves_analytics_alone)
{
    zc_error err;
    User u = make_user(1), twin = make_user(1), other = make_user(2);
    Event e[3];
    zc_session *su = NULL, *sa = NULL;
    int64_t n = 0;

    ZCT_OK(zc_repo_insert(users, NULL, &u, &err), &err);

    ZCT_OK(zc_session_open(ANALYTICS_DB, &sa, &err), &err);
    for (int i = 0; i < 3; i++) {
        e[i] = make_event(u.id, "visit", i);
        ZCT_OK(zc_repo_insert(events, sa, &e[i], &err), &err);
    }
    /* users_db refuses a second user01 (UNIQUE username) ... */
    ZCT_OK(zc_session_open(USERS_DB, &su, &err), &err);
    ZCT_OK(zc_repo_insert(users, su, &other, &err), &err);
    ck_assert_int_eq(zc_repo_insert(users, su, &twin, &err), ZC_ECONSTRAINT);
    ck_assert_msg(err.sqlstate[0] == '2' && err.sqlstate[1] == '3', "sqlstate %s",
                  err.sqlstate);
    ck_assert_int_eq(zc_session_commit(su, &err), ZC_ESTATE);
    zc_session_close(&su);

    /* ... and analytics' transaction commits all its events */
    ZCT_OK(zc_session_commit(sa, &err), &err);
    zc_session_close(&sa);
    ck_assert_int_eq(must_count(ANALYTICS_DB, events_table), 3);
    ZCT_OK(zc_repo_count(events, NULL, "user_id = ?", (zc_value[]){ zc_int(u.id) }, 1, &n,
                         &err), &err);
    ck_assert_int_eq(n, 3);
    /* users_db has its committed user only: user02 went with the failed transaction */
    ck_assert_int_eq(must_count(USERS_DB, users_table), 1);
    ck_assert_int_eq(zc_repo_exists(users, NULL, "username = ?",
                                    (zc_value[]){ zc_text("user02") }, 1, &err),
                     ZC_NOT_FOUND);
}
END_TEST

START_TEST(transactions_are_per_database)
{
    zc_error err;
    User u = make_user(7), back;
    Event e;
    zc_session *su = NULL, *sa = NULL;

    /* one unit of work per database: committing one does not commit the other, and
       rolling one back does not undo the other (there is no cross-database transaction) */
    ZCT_OK(zc_session_open(USERS_DB, &su, &err), &err);
    ZCT_OK(zc_session_open(ANALYTICS_DB, &sa, &err), &err);
    ZCT_OK(zc_repo_insert(users, su, &u, &err), &err);
    e = make_event(u.id, "signup", 0);
    ZCT_OK(zc_repo_insert(events, sa, &e, &err), &err);
    ZCT_OK(zc_session_commit(sa, &err), &err);
    ZCT_OK(zc_session_rollback(su, &err), &err);
    zc_session_close(&sa);
    zc_session_close(&su);

    ck_assert_int_eq(must_count(ANALYTICS_DB, events_table), 1);
    ck_assert_int_eq(must_count(USERS_DB, users_table), 0);
    ck_assert_int_eq(zc_repo_get(users, NULL, &u.id, &back, &err), ZC_NOT_FOUND);
}
END_TEST

START_TEST(a_repository_goes_only_to_its_database)
{
    zc_error err;
    zc_repo *events_on_users_db = NULL;
    Event e = make_event(1, "visit", 0);
    int64_t n = 0;

    /* the same model bound to the other name writes there, or fails there: never to
       the database it was first bound to */
    ZCT_OK(zc_repo_open(&Event_model, USERS_DB, &events_on_users_db, &err), &err);
    ck_assert_int_lt(zc_repo_insert(events_on_users_db, NULL, &e, &err), 0);
    ck_assert_int_lt(zc_repo_count(events_on_users_db, NULL, NULL, NULL, 0, &n, &err), 0);
    zc_repo_close(&events_on_users_db);
    ZCT_OK(zc_repo_count(events, NULL, NULL, NULL, 0, &n, &err), &err);
    ck_assert_int_eq(n, 0);

    /* a removed database is gone for its repositories; the other one goes on */
    ZCT_OK(zc_db_remove(ANALYTICS_DB, &err), &err);
    ck_assert_int_eq(zc_repo_count(events, NULL, NULL, NULL, 0, &n, &err), ZC_ENODB);
    ck_assert_int_eq(zc_session_open(ANALYTICS_DB, &(zc_session *){ NULL }, &err), ZC_ENODB);
    {
        User u = make_user(1);
        ZCT_OK(zc_repo_insert(users, NULL, &u, &err), &err);
        ZCT_OK(zc_repo_count(users, NULL, NULL, NULL, 0, &n, &err), &err);
        ck_assert_int_eq(n, 1);
    }
    /* set up again for the teardown's drop */
    ZCT_OK(zc_db_setup(ANALYTICS_DB, cur->events.conn, NULL, &err), &err);
}
END_TEST

static void add_tests(TCase *tc)
{
    tcase_add_test(tc, each_model_lands_in_its_own_database);
    tcase_add_test(tc, reads_through_each_repository_return_what_was_written);
    tcase_add_test(tc, constraint_violation_in_analytics_leaves_users_db_alone);
    tcase_add_test(tc, constraint_violation_in_users_db_leaves_analytics_alone);
    tcase_add_test(tc, transactions_are_per_database);
    tcase_add_test(tc, a_repository_goes_only_to_its_database);
}

int main(void)
{
    static void (*const setups[MAX_PAIRS])(void) = { setup0, setup1, setup2, setup3 };
    Suite *s = suite_create("partition");
    int rc;

    snprintf(users_table, sizeof users_table, "zc_pt_users_%ld", (long)getpid());
    snprintf(events_table, sizeof events_table, "zc_pt_events_%ld", (long)getpid());
    make_pairs();
    for (int i = 0; i < npairs; i++) {
        TCase *tc = tcase_create(pairs[i].name);
        tcase_add_checked_fixture(tc, setups[i], teardown_pair);
        tcase_set_timeout(tc, 120);
        add_tests(tc);
        suite_add_tcase(s, tc);
    }
    rc = zct_run(s);
    if (sqlite2_path[0])
        unlink(sqlite2_path);
    return rc;
}
