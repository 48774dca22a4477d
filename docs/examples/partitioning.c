/* SPDX-License-Identifier: MIT */
/* Vertical partitioning: users in one database, analytics events in another. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zodiac/zodiac.h>

typedef struct User {
    ZC_INT_ID_FIELDS;
    char username[64];
} User;
static const zc_field user_fields[] = { ZC_FIELD_TEXT(User, username, ZC_F_UNIQUE) };
static ZC_MODEL(User, "users", ZC_PK_INT, user_fields);

typedef struct Event {
    ZC_UUID_FIELDS;
    int64_t user_id; /* users.id in the other database: no foreign key can cross */
    char kind[32];
} Event;
static const zc_field event_fields[] = {
    ZC_FIELD_INT64(Event, user_id, ZC_F_INDEX),
    ZC_FIELD_TEXT(Event, kind, 0),
};
static ZC_MODEL(Event, "events", ZC_PK_UUID, event_fields);

static int check(int st, const char *what, const zc_error *err)
{
    if (st != ZC_OK)
        fprintf(stderr, "partitioning: %s: %s [%s] %s\n", what, zc_strerror(st),
                err->sqlstate, err->message);
    return st != ZC_OK;
}

int main(int argc, char **argv)
{
    const char *users_conn =
        argc > 1 ? argv[1] : "Driver=SQLite3;Database=guide-users.sqlite";
    const char *analytics_conn =
        argc > 2 ? argv[2] : "Driver=SQLite3;Database=guide-analytics.sqlite";
    const zc_model *user_models[] = { &User_model };
    const zc_model *event_models[] = { &Event_model };
    zc_error err;
    zc_repo *users = NULL, *events = NULL;
    User u;
    Event e;
    int64_t n = 0;

    /* two named databases, each with its own schema */
    if (check(zc_db_setup("users_db", users_conn, NULL, &err), "setup users_db", &err) ||
        check(zc_db_setup("analytics", analytics_conn, NULL, &err), "setup analytics", &err) ||
        check(zc_db_drop_all("users_db", user_models, 1, &err), "drop", &err) ||
        check(zc_db_drop_all("analytics", event_models, 1, &err), "drop", &err) ||
        check(zc_db_create_all("users_db", user_models, 1, &err), "create", &err) ||
        check(zc_db_create_all("analytics", event_models, 1, &err), "create", &err))
        return EXIT_FAILURE;

    /* each repository is bound to its database by name */
    if (check(zc_repo_open(&User_model, "users_db", &users, &err), "open users", &err) ||
        check(zc_repo_open(&Event_model, "analytics", &events, &err), "open events", &err))
        return EXIT_FAILURE;

    memset(&u, 0, sizeof u);
    strcpy(u.username, "ada");
    if (check(zc_repo_insert(users, NULL, &u, &err), "insert user", &err))
        return EXIT_FAILURE;
    for (int i = 0; i < 3; i++) {
        memset(&e, 0, sizeof e);
        e.user_id = u.id;
        strcpy(e.kind, i == 0 ? "signup" : "login");
        if (check(zc_repo_insert(events, NULL, &e, &err), "insert event", &err))
            return EXIT_FAILURE;
    }

    /* reading across both is the application's join */
    if (check(zc_repo_find_one(users, NULL, "username = ?", (zc_value[]){ zc_text("ada") }, 1,
                               &u, &err), "find user", &err) ||
        check(zc_repo_count(events, NULL, "user_id = ?", (zc_value[]){ zc_int(u.id) }, 1, &n,
                            &err), "count events", &err))
        return EXIT_FAILURE;
    printf("%s (users_db id %lld) has %lld events in analytics\n", u.username,
           (long long)u.id, (long long)n);

    zc_repo_close(&events);
    zc_repo_close(&users);
    zc_db_shutdown();
    return n == 3 ? EXIT_SUCCESS : EXIT_FAILURE;
}
