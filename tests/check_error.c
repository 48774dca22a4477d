/* SPDX-License-Identifier: MIT */
/* error: statuses, SQLSTATE classification per driver, secret masking, connection strings. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "zctest.h"

START_TEST(strerror_covers_every_status)
{
    int all[] = { ZC_OK, ZC_NOT_FOUND, ZC_EINVAL, ZC_ENOMEM, ZC_EDRIVER, ZC_ECONN,
                  ZC_ECONSTRAINT, ZC_ERETRY, ZC_ETIMEOUT, ZC_ETRUNC, ZC_ENODB, ZC_ESTATE };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        const char *m = zc_strerror(all[i]);
        ck_assert_ptr_nonnull(m);
        ck_assert_str_ne(m, "unknown status");
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(m, zc_strerror(all[j]));
    }
    ck_assert_str_eq(zc_strerror(-999), "unknown status");
    ck_assert_int_eq(zc_version_number(), ZC_VERSION_NUMBER);
}
END_TEST

static const struct {
    const char *state;
    long native;
    int dialect;
    int want;
} cases[] = {
    /* connection loss, every driver */
    { "08001", 0, ZC_DIALECT_UNKNOWN, ZC_ECONN },
    { "08S01", 0, ZC_DIALECT_POSTGRESQL, ZC_ECONN },
    { "57P01", 7, ZC_DIALECT_POSTGRESQL, ZC_ECONN },
    { "57P02", 7, ZC_DIALECT_POSTGRESQL, ZC_ECONN },
    { "57P03", 7, ZC_DIALECT_POSTGRESQL, ZC_ECONN },
    { "HY000", 2006, ZC_DIALECT_MYSQL, ZC_ECONN },
    { "HY000", 2013, ZC_DIALECT_MYSQL, ZC_ECONN },
    { "IM002", 0, ZC_DIALECT_UNKNOWN, ZC_ECONN },
    /* constraints */
    { "23505", 7, ZC_DIALECT_POSTGRESQL, ZC_ECONSTRAINT },
    { "23000", 1062, ZC_DIALECT_MYSQL, ZC_ECONSTRAINT },
    { "HY000", 19, ZC_DIALECT_SQLITE, ZC_ECONSTRAINT },
    /* retry class */
    { "40001", 7, ZC_DIALECT_POSTGRESQL, ZC_ERETRY },
    { "40P01", 7, ZC_DIALECT_POSTGRESQL, ZC_ERETRY },
    { "HY000", 1205, ZC_DIALECT_MYSQL, ZC_ERETRY },
    { "40001", 1213, ZC_DIALECT_MYSQL, ZC_ERETRY },
    { "HY000", 5, ZC_DIALECT_SQLITE, ZC_ERETRY },
    { "HY000", 6, ZC_DIALECT_SQLITE, ZC_ERETRY },
    /* timeouts */
    { "HYT00", 0, ZC_DIALECT_UNKNOWN, ZC_ETIMEOUT },
    { "HYT01", 0, ZC_DIALECT_POSTGRESQL, ZC_ETIMEOUT },
    { "HYT02", 0, ZC_DIALECT_UNKNOWN, ZC_ETIMEOUT },
    /* truncation */
    { "22001", 0, ZC_DIALECT_POSTGRESQL, ZC_ETRUNC },
    { "22001", 1406, ZC_DIALECT_MYSQL, ZC_ETRUNC },
    /* the rest is the driver's business */
    { "42601", 7, ZC_DIALECT_POSTGRESQL, ZC_EDRIVER },
    { "42000", 1064, ZC_DIALECT_MYSQL, ZC_EDRIVER },
    { "HY000", 1, ZC_DIALECT_SQLITE, ZC_EDRIVER },
    /* native codes only mean something for their own DBMS */
    { "HY000", 2006, ZC_DIALECT_POSTGRESQL, ZC_EDRIVER },
    { "HY000", 5, ZC_DIALECT_MYSQL, ZC_EDRIVER },
};

START_TEST(classification)
{
    const char *st = cases[_i].state;
    int got = zc__classify(st, cases[_i].native, cases[_i].dialect);
    ck_assert_msg(got == cases[_i].want, "%s/%ld on %s: got %s, want %s", st, cases[_i].native,
                  zc__dialect_name(cases[_i].dialect), zc_strerror(got),
                  zc_strerror(cases[_i].want));
}
END_TEST

START_TEST(scrub_masks_every_occurrence)
{
    char *secrets[] = { "hunter2", "pw" };
    char msg[64] = "user x pw hunter2 failed: hunter2!";
    zc__scrub(msg, sizeof msg, secrets, 2);
    ck_assert_str_eq(msg, "user x *** *** failed: ***!");
    char small[12] = "pwpwpwpwpw";
    zc__scrub(small, sizeof small, secrets + 1, 1);
    ck_assert_uint_lt(strlen(small), sizeof small);
    ck_assert_ptr_null(strstr(small, "pw"));
}
END_TEST

START_TEST(connstr_accepts_and_masks)
{
    zc__connstr cs;
    zc_error err;
    ZCT_OK(zc__connstr_parse("mydsn", &cs, &err), &err);
    ck_assert_str_eq(cs.conn, "DSN=mydsn");
    ck_assert_str_eq(cs.dsn, "mydsn");
    zc__connstr_free(&cs);

    ZCT_OK(zc__connstr_parse("DSN=pg;UID=bob;PWD=s3cr3t;", &cs, &err), &err);
    ck_assert_str_eq(cs.conn, "DSN=pg;UID=bob;PWD=s3cr3t;");
    ck_assert_str_eq(cs.masked, "DSN=pg;UID=bob;PWD=***");
    ck_assert_int_eq(cs.nsecrets, 1);
    ck_assert_str_eq(cs.secrets[0], "s3cr3t");
    zc__connstr_free(&cs);

    ZCT_OK(zc__connstr_parse("Driver={PostgreSQL Unicode};Server=h;Password={a;b}}c};x=1", &cs,
                             &err), &err);
    ck_assert_str_eq(cs.driver, "PostgreSQL Unicode");
    ck_assert_str_eq(cs.masked, "Driver={PostgreSQL Unicode};Server=h;Password=***;x=1");
    ck_assert_str_eq(cs.secrets[0], "a;b}}c");
    zc__connstr_free(&cs);
}
END_TEST

static const char *bad_connstrs[] = {
    "",
    "DSN=x;UID",                  /* missing '=' */
    "DSN=x;=v",                   /* empty key */
    "Driver={SQLite3;Database=x", /* unbalanced brace */
    "Driver=SQLite3};Database=x", /* stray close brace */
    "Driver={SQLite3}x;Database=y",
    "UID=a;PWD=b",                /* neither DSN nor Driver */
    "DSN=x\n;UID=y",              /* control character */
    "my dsn",                     /* not a DSN name */
};

START_TEST(connstr_rejects_malformed)
{
    zc__connstr cs;
    zc_error err;
    int st = zc__connstr_parse(bad_connstrs[_i], &cs, &err);
    ck_assert_msg(st == ZC_EINVAL, "'%s' -> %d", bad_connstrs[_i], st);
    ck_assert_int_eq(err.status, ZC_EINVAL);
    ck_assert_str_ne(err.message, "");
}
END_TEST

START_TEST(connstr_rejects_null_and_oversize)
{
    zc__connstr cs;
    zc_error err;
    char *big = malloc(10 * 1024 + 1);
    ck_assert_int_eq(zc__connstr_parse(NULL, &cs, &err), ZC_EINVAL);
    memset(big, 'a', 10 * 1024);
    memcpy(big, "DSN=", 4);
    big[10 * 1024] = '\0';
    ck_assert_int_eq(zc__connstr_parse(big, &cs, &err), ZC_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "1023"));
    free(big);
}
END_TEST

START_TEST(odbc_diagnostics_are_classified_and_scrubbed)
{
    /* A real driver-manager diagnostic: connecting to a DSN that does not exist. */
    SQLHENV env;
    SQLHDBC dbc;
    zc_error err;
    zc__db db;
    int st;
    memset(&db, 0, sizeof db);
    ZCT_OK(zc__connstr_parse("DSN=zc_no_such_dsn_here;PWD=zc_no_such_dsn_here", &db.cs, &err), &err);
    ck_assert(SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env)));
    SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    ck_assert(SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc)));
    ck_assert(!SQL_SUCCEEDED(SQLDriverConnect(dbc, NULL, (SQLCHAR *)db.cs.conn, SQL_NTS, NULL, 0,
                                              NULL, SQL_DRIVER_NOPROMPT)));
    st = zc__err_odbc(&err, SQL_HANDLE_DBC, dbc, &db, "connect");
    ck_assert_int_eq(st, ZC_ECONN);
    ck_assert_str_eq(err.sqlstate, "IM002");
    /* The secret equals the DSN name here, so even the DSN is masked in the message. */
    ck_assert_ptr_null(strstr(err.message, "zc_no_such_dsn_here"));
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    zc__connstr_free(&db.cs);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("error");
    TCase *tc = tcase_create("error");
    tcase_add_test(tc, strerror_covers_every_status);
    tcase_add_loop_test(tc, classification, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, scrub_masks_every_occurrence);
    tcase_add_test(tc, connstr_accepts_and_masks);
    tcase_add_loop_test(tc, connstr_rejects_malformed, 0,
                        (int)(sizeof bad_connstrs / sizeof bad_connstrs[0]));
    tcase_add_test(tc, connstr_rejects_null_and_oversize);
    tcase_add_test(tc, odbc_diagnostics_are_classified_and_scrubbed);
    suite_add_tcase(s, tc);
    return zct_run(s);
}
