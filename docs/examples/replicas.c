/* SPDX-License-Identifier: MIT */
/* Read/write splitting: a primary, a read replica, routed sessions and repositories. */
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

static int check(int st, const char *what, const zc_error *err)
{
    if (st != ZC_OK)
        fprintf(stderr, "replicas: %s: %s [%s] %s\n", what, zc_strerror(st), err->sqlstate,
                err->message);
    return st != ZC_OK;
}

int main(int argc, char **argv)
{
    /* In production: a PostgreSQL primary and its streaming standby. Here the "replica"
       is a second connection to the same SQLite file: a replica without lag. */
    const char *primary = argc > 1 ? argv[1] : "Driver=SQLite3;Database=guide-replicas.sqlite";
    const char *replica = argc > 2 ? argv[2] : primary;
    const zc_model *models[] = { &User_model };
    zc_error err;
    zc_repo *users = NULL, *on_replica = NULL;
    zc_session *s = NULL;
    zc_db_info info;
    User u;
    int64_t n = 0;
    int st;

    if (check(zc_db_setup(ZC_DEFAULT_DB, primary, NULL, &err), "setup primary", &err) ||
        check(zc_db_setup("read_only", replica, NULL, &err), "setup replica", &err) ||
        check(zc_db_add_replica(ZC_DEFAULT_DB, "read_only", &err), "add replica", &err) ||
        check(zc_db_drop_all(NULL, models, 1, &err), "drop_all", &err) ||
        check(zc_db_create_all(NULL, models, 1, &err), "create_all", &err))
        return EXIT_FAILURE;

    /* A routed repository: writes go to the primary, reads without a session to a
       healthy replica (or to the primary when none is). */
    if (check(zc_repo_open_routed(&User_model, NULL, &users, &err), "open routed", &err))
        return EXIT_FAILURE;
    memset(&u, 0, sizeof u);
    strcpy(u.username, "ada");
    if (check(zc_repo_insert(users, NULL, &u, &err), "insert", &err) ||
        check(zc_repo_count(users, NULL, NULL, NULL, 0, &n, &err), "count", &err))
        return EXIT_FAILURE;
    printf("routed count: %lld user(s)\n", (long long)n);

    /* A routed session reads on the replica and moves to the primary at its first
       write, so it reads its own writes from then on. */
    if (check(zc_session_open_routed(NULL, &s, &err), "open routed session", &err))
        return EXIT_FAILURE;
    printf("routed session starts on '%s'\n", zc_session_db_name(s));
    memset(&u, 0, sizeof u);
    strcpy(u.username, "grace");
    if (check(zc_repo_insert(users, s, &u, &err), "insert in session", &err) ||
        check(zc_repo_count(users, s, NULL, NULL, 0, &n, &err), "count in session", &err) ||
        check(zc_session_commit(s, &err), "commit", &err))
        return EXIT_FAILURE;
    printf("after its first write it is on '%s' and sees %lld user(s)\n",
           zc_session_db_name(s), (long long)n);
    zc_session_close(&s);

    /* The replica is read-only for zodiac: a write is refused before it is sent. */
    if (check(zc_repo_open(&User_model, "read_only", &on_replica, &err), "open", &err))
        return EXIT_FAILURE;
    st = zc_repo_insert(on_replica, NULL, &u, &err);
    printf("insert on the replica: %s\n", zc_strerror(st));
    zc_repo_close(&on_replica);

    if (check(zc_db_get_info(NULL, &info, &err), "info", &err))
        return EXIT_FAILURE;
    printf("'%s' has %d replica(s), %d healthy\n", info.name, info.replicas,
           info.replicas_healthy);

    zc_repo_close(&users);
    zc_db_shutdown();
    return st == ZC_EREADONLY && n == 2 ? EXIT_SUCCESS : EXIT_FAILURE;
}
