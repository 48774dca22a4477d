/* SPDX-License-Identifier: MIT */
/* Sessions: a unit of work, commit and rollback, a savepoint, plain SQL with a cursor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zodiac/zodiac.h>

typedef struct Account {
    ZC_INT_ID_FIELDS;
    char owner[32];
    int64_t balance;
} Account;
static const zc_field account_fields[] = {
    ZC_FIELD_TEXT(Account, owner, ZC_F_UNIQUE),
    ZC_FIELD_INT64(Account, balance, 0),
};
static ZC_MODEL(Account, "accounts", ZC_PK_INT, account_fields);

static int check(int st, const char *what, const zc_error *err)
{
    if (st != ZC_OK)
        fprintf(stderr, "sessions: %s: %s [%s] %s\n", what, zc_strerror(st), err->sqlstate,
                err->message);
    return st != ZC_OK;
}

/* Moves amount between two accounts inside the caller's transaction. */
static int transfer(zc_session *s, const char *from, const char *to, int64_t amount,
                    zc_error *err)
{
    zc_value take[] = { zc_int(amount), zc_text(from) };
    zc_value give[] = { zc_int(amount), zc_text(to) };
    int st = zc_session_exec(s, "UPDATE accounts SET balance = balance - ? WHERE owner = ?",
                             take, 2, NULL, err);
    if (st == ZC_OK)
        st = zc_session_exec(s, "UPDATE accounts SET balance = balance + ? WHERE owner = ?",
                             give, 2, NULL, err);
    return st;
}

static int64_t balance(zc_session *s, const char *owner, zc_error *err)
{
    zc_value p[] = { zc_text(owner) };
    int64_t b = -1;
    zc_session_query_int(s, "SELECT balance FROM accounts WHERE owner = ?", p, 1, &b, err);
    return b;
}

int main(int argc, char **argv)
{
    const char *conn = argc > 1 ? argv[1] : "Driver=SQLite3;Database=guide-sessions.sqlite";
    const zc_model *models[] = { &Account_model };
    zc_error err;
    zc_repo *accounts = NULL;
    zc_session *s = NULL;
    zc_rows *rows = NULL;
    Account a[2];
    int st;

    if (check(zc_db_setup(NULL, conn, NULL, &err), "setup", &err) ||
        check(zc_db_drop_all(NULL, models, 1, &err), "drop_all", &err) ||
        check(zc_db_create_all(NULL, models, 1, &err), "create_all", &err) ||
        check(zc_repo_open(&Account_model, NULL, &accounts, &err), "open", &err))
        return EXIT_FAILURE;
    memset(a, 0, sizeof a);
    strcpy(a[0].owner, "alice");
    a[0].balance = 100;
    strcpy(a[1].owner, "bob");
    a[1].balance = 20;
    if (check(zc_repo_insert_many(accounts, NULL, a, 2, &err), "insert", &err))
        return EXIT_FAILURE;

    /* A unit of work: both updates commit together, or neither does. */
    if (check(zc_session_open(NULL, &s, &err), "open session", &err) ||
        check(transfer(s, "alice", "bob", 30, &err), "transfer", &err) ||
        check(zc_session_commit(s, &err), "commit", &err))
        return EXIT_FAILURE;
    printf("after commit: alice %lld, bob %lld\n", (long long)balance(s, "alice", &err),
           (long long)balance(s, "bob", &err));

    /* Changed our mind: roll back, and nothing of the transfer stays. */
    if (check(transfer(s, "bob", "alice", 500, &err), "transfer", &err))
        return EXIT_FAILURE;
    if (balance(s, "bob", &err) < 0)
        check(zc_session_rollback(s, &err), "rollback", &err);
    printf("after rollback: alice %lld, bob %lld\n", (long long)balance(s, "alice", &err),
           (long long)balance(s, "bob", &err));
    if (balance(s, "alice", &err) != 70 || balance(s, "bob", &err) != 50)
        return EXIT_FAILURE;

    /* A savepoint lets the transaction go on after an expected failure. */
    if (check(zc_session_savepoint(s, "new_account", &err), "savepoint", &err))
        return EXIT_FAILURE;
    memset(&a[0], 0, sizeof a[0]);
    strcpy(a[0].owner, "alice"); /* UNIQUE owner: refused */
    st = zc_repo_insert(accounts, s, &a[0], &err);
    printf("second alice: %s [SQLSTATE %s]\n", zc_strerror(st), err.sqlstate);
    if (st != ZC_ECONSTRAINT ||
        check(zc_session_rollback_to(s, "new_account", &err), "rollback_to", &err))
        return EXIT_FAILURE;
    strcpy(a[0].owner, "carol");
    a[0].balance = 5;
    if (check(zc_repo_insert(accounts, s, &a[0], &err), "insert carol", &err) ||
        check(zc_session_commit(s, &err), "commit", &err))
        return EXIT_FAILURE;

    /* Plain SQL with a cursor over its rows. */
    if (check(zc_session_query(s, "SELECT owner, balance FROM accounts ORDER BY owner", NULL,
                               0, &rows, &err), "query", &err))
        return EXIT_FAILURE;
    while ((st = zc_rows_next(rows, &err)) == ZC_OK) {
        const char *owner;
        int64_t bal;
        zc_rows_text(rows, 0, &owner, NULL, &err);
        zc_rows_int(rows, 1, &bal, &err);
        printf("  %-6s %4lld\n", owner, (long long)bal);
    }
    zc_rows_close(&rows);
    zc_session_close(&s); /* rolls back anything uncommitted; the connection goes back */
    if (st != ZC_NOT_FOUND)
        return EXIT_FAILURE;

    zc_repo_close(&accounts);
    zc_db_shutdown();
    return EXIT_SUCCESS;
}
