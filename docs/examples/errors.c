/* SPDX-License-Identifier: MIT */
/* Errors: statuses, SQLSTATEs, what to retry, and a transaction that retries itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zodiac/zodiac.h>

typedef struct User {
    ZC_INT_ID_FIELDS;
    char username[16];
} User;
static const zc_field user_fields[] = { ZC_FIELD_TEXT(User, username, ZC_F_UNIQUE) };
static ZC_MODEL(User, "users", ZC_PK_INT, user_fields);

/* What a caller does with each status. */
static const char *advice(int st)
{
    switch (st) {
    case ZC_OK: return "done";
    case ZC_NOT_FOUND: return "not an error: no such row";
    case ZC_ERETRY: return "run the whole transaction again (zc_transaction_run does)";
    case ZC_ECONN: return "retry in a new session, unless the message says the commit "
                          "outcome is unknown: then check before doing it again";
    case ZC_ETIMEOUT: return "the database is saturated: back off, then retry";
    case ZC_ECONSTRAINT: return "the data conflicts (SQLSTATE 23xxx): do not retry as is";
    case ZC_EREADONLY: return "a write on a replica: send it to the primary";
    default: return "a bug or bad input: do not retry";
    }
}

/* Prints what a call returned; returns 1 if that is not the status expected. */
static int report(const char *what, int st, int want, const zc_error *err)
{
    printf("%-18s %-21s SQLSTATE %-5s native %-3ld -> %s\n", what, zc_strerror(st),
           st < 0 ? err->sqlstate : "", st < 0 ? err->native : 0L, advice(st));
    return st != want;
}

/* A unit of work for zc_transaction_run: it may run more than once, so it only
   reads its argument and returns zodiac's statuses as they come. */
static int add_user(zc_session *s, void *arg, zc_error *err)
{
    zc_value p[] = { zc_text(arg), zc_ts(zc_timestamp_now()), zc_ts(zc_timestamp_now()) };
    return zc_session_exec(s, "INSERT INTO users (username, created_at, updated_at) "
                           "VALUES (?, ?, ?)", p, 3, NULL, err);
}

int main(int argc, char **argv)
{
    const char *conn = argc > 1 ? argv[1] : "Driver=SQLite3;Database=guide-errors.sqlite";
    const zc_model *models[] = { &User_model };
    zc_error err;
    zc_repo *users = NULL, *nowhere = NULL;
    zc_txn_options topts = ZC_TXN_OPTIONS_DEFAULT;
    zc_txn_result res;
    User u;
    int64_t id = 42;
    int st, bad = 0;

    if (zc_db_setup(NULL, conn, NULL, &err) != ZC_OK ||
        zc_db_drop_all(NULL, models, 1, &err) != ZC_OK ||
        zc_db_create_all(NULL, models, 1, &err) != ZC_OK ||
        zc_repo_open(&User_model, NULL, &users, &err) != ZC_OK) {
        fprintf(stderr, "errors: %s\n", err.message);
        return EXIT_FAILURE;
    }
    memset(&u, 0, sizeof u);
    strcpy(u.username, "ada");
    bad |= report("insert ada", zc_repo_insert(users, NULL, &u, &err), ZC_OK, &err);

    /* the statuses a program meets most */
    bad |= report("get id 42", zc_repo_get(users, NULL, &id, &u, &err), ZC_NOT_FOUND, &err);
    u.id = 0;
    strcpy(u.username, "ada");
    bad |= report("insert ada again", zc_repo_insert(users, NULL, &u, &err), ZC_ECONSTRAINT,
                  &err);
    bad |= report("quote in a WHERE",
                  zc_repo_count(users, NULL, "username = 'ada'", NULL, 0, &id, &err),
                  ZC_EINVAL, &err);
    memset(u.username, 'x', sizeof u.username); /* no NUL within the member */
    bad |= report("unterminated text", zc_repo_insert(users, NULL, &u, &err), ZC_ETRUNC, &err);
    bad |= report("no such database", zc_repo_open(&User_model, "nowhere", &nowhere, &err),
                  ZC_ENODB, &err);

    /* a transaction that is run again when the database asks (ZC_ERETRY) */
    topts.result = &res;
    st = zc_transaction_run(NULL, add_user, "grace", &topts, &err);
    bad |= report("transaction_run", st, ZC_OK, &err);
    printf("attempts: %d\n", res.attempts);

    zc_repo_close(&users);
    zc_db_shutdown();
    return bad ? EXIT_FAILURE : EXIT_SUCCESS;
}
