/* SPDX-License-Identifier: MIT */
/*
 * partition: vertical partitioning, the seed's "Users, Analytics in separate
 * databases", in C.
 *
 * Two named databases, one program: users live in "users_db", analytics
 * events in "analytics". Each repository is bound to its database by name,
 * so the code that uses it never says where its rows go. The two databases
 * may be different DBMSs: users on PostgreSQL and events on MariaDB works the
 * same as two SQLite files.
 *
 *   usage: partition [USERS-CONN [ANALYTICS-CONN [TABLE-SUFFIX]]]
 *
 * The defaults are two SQLite files in the current directory, through the
 * SQLite ODBC driver (the "SQLite3" entry of odbcinst.ini):
 *   Driver=SQLite3;Database=zodiac_users.sqlite
 *   Driver=SQLite3;Database=zodiac_analytics.sqlite
 * TABLE-SUFFIX is appended to both table names (the test suite passes one so
 * that concurrent runs on shared servers do not collide).
 *
 * The program drops and creates its two tables, writes users and events,
 * shows that a failure in one database leaves the other alone, reads across
 * both, and exits non-zero if anything it reads back is not what it wrote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "partition.h"

static char users_table[64] = "users";
static char events_table[64] = "events";
static ZC_MODEL(User, users_table, ZC_PK_INT, user_fields);
static ZC_MODEL(Event, events_table, ZC_PK_UUID, event_fields);

static int fail(const char *what, const zc_error *err)
{
    fprintf(stderr, "partition: %s: %s [%s] %s\n", what, zc_strerror(err->status),
            err->sqlstate, err->message);
    return EXIT_FAILURE;
}

static int mismatch(const char *what, long long got, long long want)
{
    fprintf(stderr, "partition: %s: read %lld, wrote %lld\n", what, got, want);
    return EXIT_FAILURE;
}

/* Registers a database and (re)creates the one table that lives there. */
static int setup_db(const char *name, const char *conn, const zc_model *model, zc_error *err)
{
    const zc_model *models[] = { model };
    zc_db_info info;
    int st;

    if ((st = zc_db_setup(name, conn, NULL, err)) != ZC_OK ||
        (st = zc_db_drop_all(name, models, 1, err)) != ZC_OK ||
        (st = zc_db_create_all(name, models, 1, err)) != ZC_OK ||
        (st = zc_db_get_info(name, &info, err)) != ZC_OK)
        return st;
    printf("%s: %s %s (driver %s), table %s\n", name, info.dbms_name, info.dbms_version,
           info.driver_name, model->table);
    return ZC_OK;
}

/* A custom repository function over the analytics repository. */
static int event_count_for_user(zc_repo *events, int64_t user_id, int64_t *n, zc_error *err)
{
    zc_value p[] = { zc_int(user_id) };
    return zc_repo_count(events, NULL, "user_id = ?", p, 1, n, err);
}

static Event make_event(int64_t user_id, const char *username, const char *kind, int seq)
{
    Event e;
    memset(&e, 0, sizeof e); /* a nil id: insert generates a v4 UUID */
    e.user_id = user_id;
    snprintf(e.kind, sizeof e.kind, "%s", kind);
    snprintf(e.dedup, sizeof e.dedup, "%s:%s:%d", username, kind, seq);
    return e;
}

int main(int argc, char **argv)
{
    const char *users_conn = argc > 1 ? argv[1] : "Driver=SQLite3;Database=zodiac_users.sqlite";
    const char *analytics_conn =
        argc > 2 ? argv[2] : "Driver=SQLite3;Database=zodiac_analytics.sqlite";
    const char *suffix = argc > 3 ? argv[3] : "";
    static const char *names[] = { "ada", "grace", "linus" };
    enum { NUSERS = 3 };
    zc_error err;
    zc_repo *users = NULL, *events = NULL, *events_in_users_db = NULL;
    User batch[NUSERS];
    Event ev[2 * NUSERS + 1], dup;
    size_t nev = 0;
    int64_t n = 0, total = 0;
    int st;

    snprintf(users_table, sizeof users_table, "users%s", suffix);
    snprintf(events_table, sizeof events_table, "events%s", suffix);

    /* startup: two named databases, each with its own schema */
    if (setup_db(USERS_DB, users_conn, &User_model, &err) != ZC_OK)
        return fail(USERS_DB, &err);
    if (setup_db(ANALYTICS_DB, analytics_conn, &Event_model, &err) != ZC_OK)
        return fail(ANALYTICS_DB, &err);

    /* repositories bound by name: this is all the routing there is */
    if (zc_repo_open(&User_model, USERS_DB, &users, &err) != ZC_OK ||
        zc_repo_open(&Event_model, ANALYTICS_DB, &events, &err) != ZC_OK)
        return fail("open repositories", &err);

    /* write users to users_db */
    memset(batch, 0, sizeof batch);
    for (int i = 0; i < NUSERS; i++) {
        snprintf(batch[i].username, sizeof batch[i].username, "%s", names[i]);
        snprintf(batch[i].email, sizeof batch[i].email, "%s@example.org", names[i]);
    }
    if (zc_repo_insert_many(users, NULL, batch, NUSERS, &err) != ZC_OK)
        return fail("insert users", &err);
    printf("users_db: inserted %d users, ids %lld..%lld\n", NUSERS, (long long)batch[0].id,
           (long long)batch[NUSERS - 1].id);

    /* write events to analytics: a signup for everyone, logins for some */
    for (int i = 0; i < NUSERS; i++) {
        ev[nev++] = make_event(batch[i].id, names[i], "signup", 1);
        for (int k = 1; k <= i; k++)
            ev[nev++] = make_event(batch[i].id, names[i], "login", k);
    }
    if (zc_repo_insert_many(events, NULL, ev, nev, &err) != ZC_OK)
        return fail("insert events", &err);
    printf("analytics: inserted %zu events\n", nev);

    /* a failure in analytics: a replayed event violates its UNIQUE constraint. It is
       refused there; users_db, a different database, is not touched by it. */
    dup = make_event(batch[0].id, names[0], "signup", 1);
    st = zc_repo_insert(events, NULL, &dup, &err);
    if (st != ZC_ECONSTRAINT)
        return fail("a replayed event was not refused", &err);
    printf("analytics: replayed event refused: %s [SQLSTATE %s]\n", zc_strerror(st),
           err.sqlstate);
    if (zc_repo_count(users, NULL, NULL, NULL, 0, &n, &err) != ZC_OK)
        return fail("count users", &err);
    if (n != NUSERS)
        return mismatch("users after the analytics failure", n, NUSERS);
    printf("users_db: still %lld users\n", (long long)n);

    /* the events table exists only in analytics: the same model bound to users_db
       finds no table there */
    if (zc_repo_open(&Event_model, USERS_DB, &events_in_users_db, &err) != ZC_OK)
        return fail("open events on users_db", &err);
    st = zc_repo_count(events_in_users_db, NULL, NULL, NULL, 0, &n, &err);
    zc_repo_close(&events_in_users_db);
    if (st == ZC_OK)
        return mismatch("events table found in users_db", n, 0);
    printf("users_db: has no %s table (%s [SQLSTATE %s])\n", events_table, zc_strerror(st),
           err.sqlstate);

    /* read across both: each user from users_db, their events from analytics */
    printf("activity:\n");
    for (int i = 0; i < NUSERS; i++) {
        User u;
        zc_value p[] = { zc_text(names[i]) };
        if (zc_repo_find_one(users, NULL, "username = ?", p, 1, &u, &err) != ZC_OK)
            return fail("find user", &err);
        if (u.id != batch[i].id)
            return mismatch("user id", u.id, batch[i].id);
        if (event_count_for_user(events, u.id, &n, &err) != ZC_OK)
            return fail("count events", &err);
        if (n != 1 + i)
            return mismatch("events of a user", n, 1 + i);
        printf("  %-6s id %-3lld %-20s %lld events\n", u.username, (long long)u.id, u.email,
               (long long)n);
        total += n;
    }

    /* and the other way: the latest login, and whose it was */
    {
        zc_query q;
        Event last;
        User who;
        size_t got = 0;
        zc_value p[] = { zc_text("login") };
        char id_text[37];
        memset(&q, 0, sizeof q);
        q.where = "kind = ?";
        q.params = p;
        q.nparams = 1;
        q.order_by = "dedup DESC";
        q.limit = 1;
        if (zc_repo_find(events, NULL, &q, &last, 1, &got, &err) != ZC_OK)
            return fail("find last login", &err);
        if (got != 1)
            return mismatch("last login rows", (long long)got, 1);
        if (zc_repo_get(users, NULL, &last.user_id, &who, &err) != ZC_OK)
            return fail("get the user of an event", &err);
        zc_uuid_format(&last.id, id_text);
        printf("analytics: event %s (%s) belongs to users_db user %s\n", id_text, last.dedup,
               who.username);
    }

    if (zc_repo_count(events, NULL, NULL, NULL, 0, &n, &err) != ZC_OK)
        return fail("count events", &err);
    if (n != (int64_t)nev || total != (int64_t)nev)
        return mismatch("events", n, (long long)nev);
    printf("done: %d users in %s, %lld events in %s\n", NUSERS, USERS_DB, (long long)n,
           ANALYTICS_DB);

    /* shutdown */
    zc_repo_close(&events);
    zc_repo_close(&users);
    zc_db_shutdown();
    return EXIT_SUCCESS;
}
