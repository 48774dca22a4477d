/* SPDX-License-Identifier: MIT */
/*
 * users: the zodiac demo, the seed's User / UserRepository in C.
 *
 * Sets up a database, creates the users table from the model, and works with
 * it through a repository: insert, find by username, update, page through,
 * delete.
 *
 *   usage: users [connection-string]      (default: DSN=zc_sqlite)
 */
#include <stdio.h>
#include <stdlib.h>

#include <zodiac/zodiac.h>

/* The model (struct User, its fields, the table "users") is in models.c/h,
   which `zodiac ddl` shares. */
#include "models.h"

/* A custom repository method, as the seed's UserRepository.find_by_username. */
static int user_find_by_username(zc_repo *users, const char *name, User *out, zc_error *err)
{
    zc_value p[] = { zc_text(name) };
    return zc_repo_find_one(users, NULL, "username = ?", p, 1, out, err);
}

static int fail(const char *what, const zc_error *err)
{
    fprintf(stderr, "users: %s: %s [%s] %s\n", what, zc_strerror(err->status), err->sqlstate,
            err->message);
    return EXIT_FAILURE;
}

int main(int argc, char **argv)
{
    const char *conn = argc > 1 ? argv[1] : "DSN=zc_sqlite";
    static const char *names[] = { "ada", "brian", "grace", "ken", "linus", "margaret" };
    const zc_model *models[] = { &User_model };
    zc_error err;
    zc_db_info info;
    zc_repo *users = NULL;
    User batch[6], u, page[4];
    char when[ZC_TIMESTAMP_TEXT_SIZE];
    int64_t n = 0;
    size_t got = 0;

    /* startup: register the database, create the tables */
    if (zc_db_setup(ZC_DEFAULT_DB, conn, NULL, &err) != ZC_OK)
        return fail("setup", &err);
    if (zc_db_drop_all(NULL, models, 1, &err) != ZC_OK ||
        zc_db_create_all(NULL, models, 1, &err) != ZC_OK)
        return fail("create_all", &err);
    zc_db_get_info(NULL, &info, &err);
    printf("zodiac %s on %s %s (driver %s, pooling %s)\n", ZC_VERSION_STRING, info.dbms_name,
           info.dbms_version, info.driver_name, info.dm_pooling ? "on" : "off");
    if (zc_repo_open(&User_model, NULL, &users, &err) != ZC_OK)
        return fail("open repository", &err);

    /* insert: ids and timestamps are filled in */
    for (int i = 0; i < 6; i++) {
        snprintf(batch[i].username, sizeof batch[i].username, "%s", names[i]);
        snprintf(batch[i].email, sizeof batch[i].email, "%s@example.org", names[i]);
    }
    if (zc_repo_insert_many(users, NULL, batch, 6, &err) != ZC_OK)
        return fail("insert", &err);
    zc_timestamp_format(batch[0].created_at, when);
    printf("inserted 6 users, ids %lld..%lld, created at %s\n", (long long)batch[0].id,
           (long long)batch[5].id, when);

    /* find by username */
    if (user_find_by_username(users, "grace", &u, &err) != ZC_OK)
        return fail("find by username", &err);
    printf("found grace with id %lld\n", (long long)u.id);

    /* update: updated_at moves, created_at stays */
    snprintf(u.email, sizeof u.email, "grace.hopper@example.org");
    if (zc_repo_update(users, NULL, &u, &err) != ZC_OK)
        return fail("update", &err);
    printf("updated grace: updated_at - created_at = %lld us\n",
           (long long)(u.updated_at - u.created_at));

    /* page through, four at a time */
    for (int64_t off = 0;; off += 4) {
        zc_query q = { NULL, NULL, 0, "username", 4, off };
        if (zc_repo_find(users, NULL, &q, page, 4, &got, &err) != ZC_OK)
            return fail("find", &err);
        printf("  page at offset %lld:\n", (long long)off);
        for (size_t i = 0; i < got; i++)
            printf("    %3lld  %-10s %s\n", (long long)page[i].id, page[i].username,
                   page[i].email);
        if (got < 4)
            break;
    }

    /* delete, count */
    if (user_find_by_username(users, "ken", &u, &err) != ZC_OK ||
        zc_repo_delete(users, NULL, &u.id, &err) != ZC_OK)
        return fail("delete", &err);
    if (zc_repo_count(users, NULL, NULL, NULL, 0, &n, &err) != ZC_OK)
        return fail("count", &err);
    printf("deleted ken; %lld users left\n", (long long)n);

    /* shutdown */
    zc_repo_close(&users);
    zc_db_shutdown();
    return EXIT_SUCCESS;
}
