/* SPDX-License-Identifier: MIT */
/* Repositories: CRUD, a custom repository, queries, pages, a streaming cursor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zodiac/zodiac.h>

typedef struct User {
    ZC_INT_ID_FIELDS;
    char username[64];
    char email[128];
    int32_t karma;
} User;
static const zc_field user_fields[] = {
    ZC_FIELD_TEXT(User, username, ZC_F_UNIQUE | ZC_F_INDEX),
    ZC_FIELD_TEXT(User, email, 0),
    ZC_FIELD_INT32(User, karma, 0),
};
static ZC_MODEL(User, "users", ZC_PK_INT, user_fields);

/* The seed's UserRepository, as functions over a zc_repo. */
static int user_find_by_username(zc_repo *users, const char *name, User *out, zc_error *err)
{
    zc_value p[] = { zc_text(name) };
    return zc_repo_find_one(users, NULL, "username = ?", p, 1, out, err);
}

static int user_create(zc_repo *users, const char *name, int32_t karma, User *out,
                       zc_error *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->username, sizeof out->username, "%s", name);
    snprintf(out->email, sizeof out->email, "%s@example.org", name);
    out->karma = karma;
    return zc_repo_insert(users, NULL, out, err); /* fills id, created_at, updated_at */
}

static int check(int st, const char *what, const zc_error *err)
{
    if (st != ZC_OK)
        fprintf(stderr, "repositories: %s: %s [%s] %s\n", what, zc_strerror(st),
                err->sqlstate, err->message);
    return st != ZC_OK;
}

int main(int argc, char **argv)
{
    const char *conn = argc > 1 ? argv[1] : "Driver=SQLite3;Database=guide-repositories.sqlite";
    static const char *names[] = { "ada", "barbara", "edsger", "grace", "ken", "margaret" };
    const zc_model *models[] = { &User_model };
    zc_error err;
    zc_repo *users = NULL;
    zc_session *s = NULL;
    zc_cursor *c = NULL;
    User u, page[4];
    size_t got;
    int64_t n = 0;
    int st;

    if (check(zc_db_setup(NULL, conn, NULL, &err), "setup", &err) ||
        check(zc_db_drop_all(NULL, models, 1, &err), "drop_all", &err) ||
        check(zc_db_create_all(NULL, models, 1, &err), "create_all", &err) ||
        check(zc_repo_open(&User_model, NULL, &users, &err), "open", &err))
        return EXIT_FAILURE;

    /* create */
    for (int i = 0; i < 6; i++)
        if (check(user_create(users, names[i], 10 * i, &u, &err), "create", &err))
            return EXIT_FAILURE;

    /* read, update, delete */
    if (check(user_find_by_username(users, "grace", &u, &err), "find", &err))
        return EXIT_FAILURE;
    u.karma += 100;
    if (check(zc_repo_update(users, NULL, &u, &err), "update", &err) ||
        check(zc_repo_get(users, NULL, &u.id, &u, &err), "get", &err))
        return EXIT_FAILURE;
    printf("grace: id %lld, karma %d\n", (long long)u.id, u.karma);
    if (check(user_find_by_username(users, "ken", &u, &err), "find", &err) ||
        check(zc_repo_delete(users, NULL, &u.id, &err), "delete", &err))
        return EXIT_FAILURE;
    st = user_find_by_username(users, "ken", &u, &err);
    printf("ken after delete: %s\n", zc_strerror(st)); /* ZC_NOT_FOUND is not an error */
    if (st != ZC_NOT_FOUND)
        return EXIT_FAILURE;

    /* queries: a WHERE fragment with ? values, ORDER BY, LIMIT / OFFSET pages */
    {
        zc_value p[] = { zc_int(20) };
        if (check(zc_repo_count(users, NULL, "karma >= ?", p, 1, &n, &err), "count", &err))
            return EXIT_FAILURE;
        printf("users with karma >= 20: %lld\n", (long long)n);
    }
    for (int64_t off = 0;; off += 4) {
        zc_query q = { .order_by = "karma DESC, username", .limit = 4, .offset = off };
        if (check(zc_repo_find(users, NULL, &q, page, 4, &got, &err), "find page", &err))
            return EXIT_FAILURE;
        for (size_t i = 0; i < got; i++)
            printf("  page at %lld: %-9s %3d\n", (long long)off, page[i].username,
                   page[i].karma);
        if (got < 4)
            break;
    }

    /* several operations in one transaction: pass a session, then commit */
    if (check(zc_session_open(NULL, &s, &err), "session", &err))
        return EXIT_FAILURE;
    memset(&u, 0, sizeof u);
    strcpy(u.username, "linus");
    strcpy(u.email, "linus@example.org");
    if (check(zc_repo_insert(users, s, &u, &err), "insert", &err) ||
        check(zc_repo_exists(users, s, "username = ?", (zc_value[]){ zc_text("linus") }, 1,
                             &err), "exists", &err) ||
        check(zc_session_commit(s, &err), "commit", &err))
        return EXIT_FAILURE;

    /* a cursor streams any number of rows in bounded memory; it needs a session */
    n = 0;
    if (check(zc_repo_cursor(users, s, NULL, &c, &err), "cursor", &err))
        return EXIT_FAILURE;
    while ((st = zc_cursor_next(c, &u, &err)) == ZC_OK)
        n++;
    zc_cursor_close(&c);
    zc_session_close(&s);
    printf("streamed %lld users\n", (long long)n);
    if (st != ZC_NOT_FOUND || n != 6)
        return EXIT_FAILURE;

    zc_repo_close(&users);
    zc_db_shutdown();
    return EXIT_SUCCESS;
}
