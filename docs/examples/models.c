/* SPDX-License-Identifier: MIT */
/* Models: an integer-keyed User and a UUID-keyed ApiKey, their DDL, their timestamps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zodiac/zodiac.h>

/* IntIDModel: int64_t id (auto-increment), created_at, updated_at. */
typedef struct User {
    ZC_INT_ID_FIELDS;
    char username[64]; /* VARCHAR(63) */
    char email[128];
    int32_t age;
    bool age_null;     /* companion of a nullable field: true means NULL */
} User;

static const zc_field user_fields[] = {
    ZC_FIELD_TEXT(User, username, ZC_F_UNIQUE | ZC_F_INDEX),
    ZC_FIELD_TEXT(User, email, 0),
    ZC_FIELD_INT32_NULL(User, age, 0),
};
static ZC_MODEL(User, "users", ZC_PK_INT, user_fields); /* defines User_model */

/* UUIDModel: zc_uuid id (a v4 UUID made at insert when left nil), created_at, updated_at. */
typedef struct ApiKey {
    ZC_UUID_FIELDS;
    int64_t user_id;
    char label[32];
    int32_t uses;
} ApiKey;

static const zc_field api_key_fields[] = {
    ZC_FIELD_INT64(ApiKey, user_id, ZC_F_INDEX),
    ZC_FIELD_TEXT(ApiKey, label, 0),
    ZC_FIELD_DEFAULT(ApiKey, uses, ZC_FT_INT32, 0, "0"), /* DEFAULT 0 in the DDL */
};
static ZC_MODEL(ApiKey, "api_keys", ZC_PK_UUID, api_key_fields);

static int check(int st, const char *what, const zc_error *err)
{
    if (st != ZC_OK)
        fprintf(stderr, "models: %s: %s [%s] %s\n", what, zc_strerror(st), err->sqlstate,
                err->message);
    return st != ZC_OK;
}

int main(int argc, char **argv)
{
    const char *conn = argc > 1 ? argv[1] : "Driver=SQLite3;Database=guide-models.sqlite";
    const zc_model *models[] = { &User_model, &ApiKey_model };
    zc_error err;
    zc_repo *users = NULL, *keys = NULL;
    char *ddl = NULL, when[ZC_TIMESTAMP_TEXT_SIZE], id[37];
    User u;
    ApiKey k;
    zc_timestamp created;

    /* A descriptor is checked before use; the DDL can be seen without a database. */
    if (check(zc_model_validate(&User_model, &err), "validate", &err) ||
        check(zc_ddl_text(ZC_DIALECT_POSTGRESQL, models, 2, &ddl, &err), "ddl", &err))
        return EXIT_FAILURE;
    printf("PostgreSQL DDL:\n%s", ddl);
    zc_free(ddl);

    if (check(zc_db_setup(NULL, conn, NULL, &err), "setup", &err) ||
        check(zc_db_drop_all(NULL, models, 2, &err), "drop_all", &err) ||
        check(zc_db_create_all(NULL, models, 2, &err), "create_all", &err) ||
        check(zc_repo_open(&User_model, NULL, &users, &err), "open users", &err) ||
        check(zc_repo_open(&ApiKey_model, NULL, &keys, &err), "open keys", &err))
        return EXIT_FAILURE;

    /* insert fills the id and both timestamps */
    memset(&u, 0, sizeof u);
    strcpy(u.username, "ada");
    strcpy(u.email, "ada@example.org");
    u.age_null = true;
    if (check(zc_repo_insert(users, NULL, &u, &err), "insert user", &err))
        return EXIT_FAILURE;
    zc_timestamp_format(u.created_at, when);
    printf("user %lld created at %s\n", (long long)u.id, when);

    memset(&k, 0, sizeof k); /* nil id: zodiac generates one */
    k.user_id = u.id;
    strcpy(k.label, "laptop");
    if (check(zc_repo_insert(keys, NULL, &k, &err), "insert key", &err))
        return EXIT_FAILURE;
    zc_uuid_format(&k.id, id);
    printf("api key %s for user %lld\n", id, (long long)k.user_id);

    /* update moves updated_at forward and never writes created_at */
    created = u.created_at;
    u.age = 36;
    u.age_null = false;
    if (check(zc_repo_update(users, NULL, &u, &err), "update", &err))
        return EXIT_FAILURE;
    if (u.created_at != created || u.updated_at <= u.created_at) {
        fprintf(stderr, "models: timestamps did not behave\n");
        return EXIT_FAILURE;
    }
    printf("updated: age %d, updated_at - created_at = %lld us\n", u.age,
           (long long)(u.updated_at - u.created_at));

    zc_repo_close(&keys);
    zc_repo_close(&users);
    zc_db_shutdown();
    return EXIT_SUCCESS;
}
