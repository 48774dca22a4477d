/* SPDX-License-Identifier: MIT */
/*
 * Bad input, every public function: NULL for each pointer, empty and oversize
 * strings, invalid UTF-8, SQL meta-characters and injection attempts, invalid
 * model descriptors, malformed connection strings, a DSN that does not exist.
 * Each must give its exact status with a message about the problem, crash on
 * nothing, leak nothing (run it under valgrind: see README) and change no row.
 * Passwords never reach a message or a log line.
 *
 * Every public function has a test named bad_<function>. The list of public
 * functions comes from the headers (api_list.h, made by tests/api-list.sh), and
 * every_public_function_has_a_case fails for a function without one.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "models.h"
#include "zctest.h"

#define SECRET "Sup3rS3cret"

/* ---- checking a refused call ----------------------------------------------- */

static void refused(int got, int want, const zc_error *err, const char *about, const char *call,
                    int line)
{
    ck_assert_msg(got == want, "line %d: %s -> %d (%s), want %d (%s): %s", line, call, got,
                  zc_strerror(got), want, zc_strerror(want), err->message);
    ck_assert_msg(err->status == want, "line %d: %s: err.status %d, want %d", line, call,
                  err->status, want);
    ck_assert_msg(err->message[0] != '\0', "line %d: %s: empty message", line, call);
    ck_assert_msg(!about || strcasestr(err->message, about), "line %d: %s: message '%s' does "
                  "not mention '%s'", line, call, err->message, about);
    ck_assert_msg(!strstr(err->message, SECRET), "line %d: %s: the password is in '%s'", line,
                  call, err->message);
}

/*
 * BAD runs the call twice: with ERR == NULL (a NULL zc_error* is allowed everywhere),
 * then with an error record that must name the problem (about, case-insensitive).
 * BAD1 runs it once, for calls whose failure changes the session's state.
 */
#define BAD(want, about, call)                                                               \
    do {                                                                                     \
        zc_error bad_err_;                                                                   \
        zc_error *ERR = NULL;                                                                \
        int bad_st_ = (call);                                                                \
        ck_assert_msg(bad_st_ == (want), "line %d: %s with a NULL err -> %d, want %d",       \
                      __LINE__, #call, bad_st_, (want));                                     \
        memset(&bad_err_, 0, sizeof bad_err_);                                               \
        ERR = &bad_err_;                                                                     \
        bad_st_ = (call);                                                                    \
        refused(bad_st_, (want), &bad_err_, (about), #call, __LINE__);                       \
    } while (0)
#define BAD1(want, about, call)                                                              \
    do {                                                                                     \
        zc_error bad_err_;                                                                   \
        zc_error *ERR = &bad_err_;                                                           \
        memset(&bad_err_, 0, sizeof bad_err_);                                               \
        refused((call), (want), &bad_err_, (about), #call, __LINE__);                        \
    } while (0)

/* A string of n copies of c (static storage, one per call site is enough). */
static char *repeat(char *buf, size_t n, char c)
{
    memset(buf, c, n);
    buf[n] = '\0';
    return buf;
}

/* ---- the log, watched for passwords ------------------------------------------ */

static int log_lines, log_leaks;
static char log_leak[512];

static void watch_log(void *ud, int level, const char *db, const char *line)
{
    (void)ud;
    (void)level;
    log_lines++;
    if (strstr(line, SECRET) || strstr(db, SECRET) || strstr(line, "Wr0ngS3cret")) {
        log_leaks++;
        snprintf(log_leak, sizeof log_leak, "%s", line);
    }
}

static void assert_log_clean(void)
{
    ck_assert_msg(log_leaks == 0, "a log line holds a password: %s", log_leak);
}

/* ---- no backend ------------------------------------------------------------- */

START_TEST(bad_zc_strerror)
{
    int statuses[] = { INT_MIN, -12, -11, -10, -9, -8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2,
                       INT_MAX };
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        const char *m = zc_strerror(statuses[i]);
        ck_assert_ptr_nonnull(m);
        ck_assert_int_gt(strlen(m), 3);
    }
    ck_assert_str_eq(zc_strerror(INT_MIN), "unknown status");
}
END_TEST

START_TEST(bad_zc_set_log)
{
    zc_error err;
    zc_set_log(NULL, NULL); /* clearing when nothing is set */
    zc_set_log(NULL, NULL);
    zc_set_log(watch_log, NULL);
    ZCT_OK(zc_db_setup("logged", "DSN=zc_h4_nowhere;UID=u;PWD=" SECRET, NULL, &err), &err);
    ck_assert_int_gt(log_lines, 0);
    zc_set_log(NULL, NULL);
    log_lines = 0;
    ZCT_OK(zc_db_remove("logged", &err), &err);
    ZCT_OK(zc_db_setup("logged", "DSN=zc_h4_nowhere", NULL, &err), &err);
    ck_assert_int_eq(log_lines, 0); /* cleared: nothing more arrives */
    assert_log_clean();
    zc_db_shutdown();
}
END_TEST

START_TEST(bad_zc_int)
{
    ck_assert_int_eq(zc_int(INT64_MIN).type, ZC_T_INT);
    ck_assert(zc_int(INT64_MIN).v.i == INT64_MIN);
    ck_assert(zc_int(INT64_MAX).v.i == INT64_MAX);
}
END_TEST

START_TEST(bad_zc_double)
{
    ck_assert_int_eq(zc_double(NAN).type, ZC_T_DOUBLE);
    ck_assert(isnan(zc_double(NAN).v.d));
    ck_assert(isinf(zc_double(-INFINITY).v.d));
}
END_TEST

START_TEST(bad_zc_bool)
{
    ck_assert_int_eq(zc_bool(INT_MIN).type, ZC_T_BOOL);
    ck_assert_int_eq(zc_bool(INT_MIN).v.i, 1);
    ck_assert_int_eq(zc_bool(0).v.i, 0);
}
END_TEST

START_TEST(bad_zc_text)
{
    /* NULL is SQL NULL, not a crash later */
    ck_assert_int_eq(zc_text(NULL).type, ZC_T_NULL);
    ck_assert_int_eq(zc_text("").type, ZC_T_TEXT);
}
END_TEST

START_TEST(bad_zc_null)
{
    ck_assert_int_eq(zc_null().type, ZC_T_NULL);
}
END_TEST

START_TEST(bad_zc_ts)
{
    /* out-of-range timestamps are refused when bound (bad_zc_session_exec) */
    ck_assert_int_eq(zc_ts(INT64_MIN).type, ZC_T_TS);
    ck_assert(zc_ts(INT64_MIN).v.ts == INT64_MIN);
}
END_TEST

START_TEST(bad_zc_uuidv)
{
    zc_uuid u;
    memset(&u, 0xff, sizeof u);
    ck_assert_int_eq(zc_uuidv(u).type, ZC_T_UUID);
    ck_assert_int_eq(memcmp(zc_uuidv(u).v.u.bytes, u.bytes, 16), 0);
}
END_TEST

START_TEST(bad_zc_blob)
{
    /* NULL with a length is refused when bound (bad_zc_session_exec) */
    ck_assert_int_eq(zc_blob(NULL, 0).type, ZC_T_BLOB);
    ck_assert_int_eq(zc_blob(NULL, 5).v.b.n, 5);
}
END_TEST

START_TEST(bad_zc_version_number)
{
    ck_assert_int_eq(zc_version_number(), ZC_VERSION_NUMBER);
}
END_TEST

START_TEST(bad_zc_free)
{
    zc_free(NULL);
}
END_TEST

typedef struct Row {
    ZC_INT_ID_FIELDS;
    char name[16];
    bool name_null;
    unsigned char data[8];
    size_t data_len;
    int32_t n;
} Row;

static const zc_field row_fields[] = {
    ZC_FIELD_TEXT_NULL(Row, name, 0),
    ZC_FIELD_BLOB(Row, data, 0),
    ZC_FIELD_INT32(Row, n, 0),
};
ZC_MODEL(Row, "rows_h4", ZC_PK_INT, row_fields);

/* One descriptor mistake per entry; the message must mention `about`. */
typedef struct bad_model {
    const char *about;
    zc_model m;
    zc_field f[3];
} bad_model;

static int make_bad_models(bad_model *out)
{
    static char longname[100], utf8name[] = "t\xff\xfe";
    int n = 0;
    repeat(longname, 64, 'a');
#define NEXT(ab)                                                                              \
    (out[n].about = (ab), out[n].m = Row_model, memcpy(out[n].f, row_fields, sizeof row_fields), \
     out[n].m.fields = out[n].f, &out[n++])
    NEXT("table is NULL")->m.table = NULL;
    NEXT("empty")->m.table = "";
    NEXT("longer than")->m.table = longname;
    NEXT("reserved")->m.table = "order";
    NEXT("plain identifier")->m.table = "users; DROP TABLE users";
    NEXT("plain identifier")->m.table = "users\"";
    NEXT("plain identifier")->m.table = utf8name;
    NEXT("name is NULL")->m.name = NULL;
    NEXT("key kind")->m.pk = 7;
    NEXT("outside")->m.size = 4;
    NEXT("fields is NULL")->m.fields = NULL;
    NEXT("plain identifier")->f[0].name = "name'--";
    NEXT("plain identifier")->f[0].name = "na me";
    NEXT("reserved")->f[0].name = "select";
    NEXT("duplicate")->f[1].name = "name";
    NEXT("base column")->f[2].name = "ID";
    NEXT("unknown type")->f[2].type = 99;
    NEXT("size")->f[2].size = 3;
    NEXT("flag")->f[2].flags = 0x80;
    NEXT("outside")->f[2].offset = 1000;
    NEXT("null_offset")->f[0].null_offset = ZC_NO_MEMBER;
    NEXT("len_offset")->f[1].len_offset = ZC_NO_MEMBER;
    NEXT("overlaps")->f[2].offset = offsetof(Row, name);
    NEXT("default")->f[2].default_value = "1; DROP TABLE rows_h4";
    NEXT("default")->f[0].default_value = "x'); DROP TABLE rows_h4; --";
    NEXT("default")->f[0].default_value = "\xc3\x28";
    NEXT("default")->f[2].default_value = "99999999999";
#undef NEXT
    return n;
}

START_TEST(bad_zc_model_validate)
{
    bad_model bm[40];
    int n = make_bad_models(bm);
    BAD(ZC_EINVAL, "NULL", zc_model_validate(NULL, ERR));
    for (int i = 0; i < n; i++) {
        zc_error err;
        memset(&err, 0, sizeof err);
        ck_assert_int_eq(zc_model_validate(&bm[i].m, NULL), ZC_EINVAL);
        refused(zc_model_validate(&bm[i].m, &err), ZC_EINVAL, &err, bm[i].about, "validate", i);
    }
    ZCT_OK(zc_model_validate(&Row_model, NULL), &(zc_error){ 0 });
}
END_TEST

START_TEST(bad_zc_ddl_text)
{
    bad_model bm[40];
    int n = make_bad_models(bm);
    const zc_model *one[] = { &Row_model };
    const zc_model *with_null[] = { &Row_model, NULL };
    char *text = (char *)"untouched";
    zc_error err;

    BAD(ZC_EINVAL, "out is NULL", zc_ddl_text(ZC_DIALECT_SQLITE, one, 1, NULL, ERR));
    BAD(ZC_EINVAL, "dialect", zc_ddl_text(ZC_DIALECT_UNKNOWN, one, 1, &text, ERR));
    ck_assert_ptr_null(text); /* *out is NULL on failure */
    BAD(ZC_EINVAL, "dialect", zc_ddl_text(99, one, 1, &text, ERR));
    BAD(ZC_EINVAL, "dialect", zc_ddl_text(-1, one, 1, &text, ERR));
    BAD(ZC_EINVAL, "models is NULL", zc_ddl_text(ZC_DIALECT_SQLITE, NULL, 1, &text, ERR));
    BAD(ZC_EINVAL, "model is NULL", zc_ddl_text(ZC_DIALECT_SQLITE, with_null, 2, &text, ERR));
    ck_assert_ptr_null(text);
    for (int i = 0; i < n; i++) {
        const zc_model *ms[] = { &Row_model, &bm[i].m };
        memset(&err, 0, sizeof err);
        refused(zc_ddl_text(ZC_DIALECT_POSTGRESQL, ms, 2, &text, &err), ZC_EINVAL, &err,
                bm[i].about, "ddl_text", i);
        ck_assert_ptr_null(text);
    }
    /* nothing to create is not an error */
    ZCT_OK(zc_ddl_text(ZC_DIALECT_MYSQL, NULL, 0, &text, &err), &err);
    ck_assert_str_eq(text, "");
    zc_free(text);
}
END_TEST

START_TEST(bad_zc_timestamp_now)
{
    zc_timestamp t = zc_timestamp_now();
    ck_assert(t > INT64_C(1600000000000000) && t < ZC_TIMESTAMP_MAX);
}
END_TEST

START_TEST(bad_zc_timestamp_from_tm)
{
    struct tm tm;
    zc_timestamp out = 42;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = 126;
    tm.tm_mday = 1;
    ck_assert_int_eq(zc_timestamp_from_tm(NULL, 0, &out), ZC_EINVAL);
    ck_assert_int_eq(zc_timestamp_from_tm(&tm, 0, NULL), ZC_EINVAL);
    ck_assert_int_eq(zc_timestamp_from_tm(&tm, -1, &out), ZC_EINVAL);
    ck_assert_int_eq(zc_timestamp_from_tm(&tm, 1000000, &out), ZC_EINVAL);
    tm.tm_mon = 12;
    ck_assert_int_eq(zc_timestamp_from_tm(&tm, 0, &out), ZC_EINVAL);
    tm.tm_mon = INT_MIN;
    ck_assert_int_eq(zc_timestamp_from_tm(&tm, 0, &out), ZC_EINVAL);
    tm.tm_mon = 1;
    tm.tm_mday = 29; /* 2026 is not a leap year */
    ck_assert_int_eq(zc_timestamp_from_tm(&tm, 0, &out), ZC_EINVAL);
    tm.tm_mday = 1;
    tm.tm_sec = 60;
    ck_assert_int_eq(zc_timestamp_from_tm(&tm, 0, &out), ZC_EINVAL);
    tm.tm_sec = 0;
    tm.tm_year = INT_MAX;
    ck_assert_int_eq(zc_timestamp_from_tm(&tm, 0, &out), ZC_EINVAL);
    tm.tm_year = INT_MIN;
    ck_assert_int_eq(zc_timestamp_from_tm(&tm, 0, &out), ZC_EINVAL);
    ck_assert(out == 42); /* untouched by every failure */
}
END_TEST

START_TEST(bad_zc_timestamp_to_tm)
{
    struct tm tm;
    int usec = 7;
    ck_assert_int_eq(zc_timestamp_to_tm(0, NULL, &usec), ZC_EINVAL);
    ck_assert_int_eq(zc_timestamp_to_tm(INT64_MIN, &tm, &usec), ZC_EINVAL);
    ck_assert_int_eq(zc_timestamp_to_tm(INT64_MAX, &tm, &usec), ZC_EINVAL);
    ck_assert_int_eq(zc_timestamp_to_tm(ZC_TIMESTAMP_MIN - 1, &tm, &usec), ZC_EINVAL);
    ck_assert_int_eq(zc_timestamp_to_tm(ZC_TIMESTAMP_MAX + 1, &tm, &usec), ZC_EINVAL);
    ck_assert_int_eq(usec, 7);
    ck_assert_int_eq(zc_timestamp_to_tm(ZC_TIMESTAMP_MAX, &tm, NULL), ZC_OK);
    ck_assert_int_eq(tm.tm_year + 1900, 9999);
}
END_TEST

START_TEST(bad_zc_timestamp_format)
{
    char out[ZC_TIMESTAMP_TEXT_SIZE] = "x";
    ck_assert_int_eq(zc_timestamp_format(0, NULL), ZC_EINVAL);
    ck_assert_int_eq(zc_timestamp_format(INT64_MIN, out), ZC_EINVAL);
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(zc_timestamp_format(INT64_MAX, out), ZC_EINVAL);
    ck_assert_str_eq(out, "");
    ck_assert_int_eq(zc_timestamp_format(ZC_TIMESTAMP_MIN, out), ZC_OK);
    ck_assert_str_eq(out, "0001-01-01T00:00:00.000000Z");
}
END_TEST

START_TEST(bad_zc_timestamp_parse)
{
    static char big[10241];
    const char *bad[] = {
        "", " ", "2026", "2026-01", "2026-1-01", "2026-01-01T", "2026-01-01T1:00",
        "2026-13-01", "2026-00-10", "2026-02-29", "2026-01-32", "2026-01-01T24:00",
        "2026-01-01T23:60", "2026-01-01T23:59:60", "2026-01-01T00:00:00.", "2026-01-01Z",
        "2026-01-01T00:00:00.1234567", "2026-01-01T00:00:00.0000000000",
        "2026-01-01T00:00+01", "2026-01-01T00:00+24:00", "2026-01-01T00:00+01:60",
        "2026-01-01t00:00", "2026-01-01T00:00z", "0000-01-01", "0001-01-01T00:00+00:01",
        "9999-12-31T23:59:59.999999-00:01", "+2026-01-01", "2026-01-01 ", " 2026-01-01",
        "2026-01-01'; DROP TABLE x; --", "2026-01-01T00:00:00\xff", ("\xef\xbb\xbf" "2026-01-01"),
        ("2026\xe2\x80\x93" "01-01"), "２０２６-01-01",
    };
    zc_timestamp out = 42;
    ck_assert_int_eq(zc_timestamp_parse(NULL, &out), ZC_EINVAL);
    ck_assert_int_eq(zc_timestamp_parse("2026-01-01", NULL), ZC_EINVAL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(zc_timestamp_parse(bad[i], &out) == ZC_EINVAL, "'%s' was accepted", bad[i]);
    memcpy(repeat(big, sizeof big - 1, '0'), "2026-01-01T00:00:00.", 20);
    ck_assert_int_eq(zc_timestamp_parse(big, &out), ZC_EINVAL);
    ck_assert(out == 42);
}
END_TEST

START_TEST(bad_zc_uuid_v4)
{
    zc_uuid a, b;
    zc_uuid_v4(NULL);
    zc_uuid_v4(&a);
    zc_uuid_v4(&b);
    ck_assert_int_ne(zc_uuid_compare(&a, &b), 0);
    ck_assert_int_eq(a.bytes[6] >> 4, 4);
}
END_TEST

START_TEST(bad_zc_uuid_format)
{
    char out[37] = "x";
    zc_uuid u;
    memset(&u, 0, sizeof u);
    zc_uuid_format(&u, NULL);
    zc_uuid_format(NULL, out);
    ck_assert_str_eq(out, "");
    zc_uuid_format(NULL, NULL);
}
END_TEST

START_TEST(bad_zc_uuid_parse)
{
    static char big[10241];
    const char *bad[] = {
        "", "0", "00000000-0000-0000-0000-00000000000", "00000000-0000-0000-0000-0000000000000",
        "{00000000-0000-0000-0000-000000000000}", "urn:uuid:00000000-0000-0000-0000-000000000000",
        "00000000000000000000000000000000", "00000000-0000-0000-0000_000000000000",
        "0000000g-0000-0000-0000-000000000000", " 0000000-0000-0000-0000-000000000000",
        "00000000-0000-0000-0000-00000000000\xff", "'0000000-0000-0000-0000-000000000000",
        "00000000-0000-0000-0000-000000000000'; DROP TABLE x",
        ("\xc3\xa9" "000000-0000-0000-0000-000000000000"),
    };
    zc_uuid out, keep;
    memset(&out, 0x5a, sizeof out);
    keep = out;
    ck_assert_int_eq(zc_uuid_parse(NULL, &out), ZC_EINVAL);
    ck_assert_int_eq(zc_uuid_parse("00000000-0000-0000-0000-000000000000", NULL), ZC_EINVAL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(zc_uuid_parse(bad[i], &out) == ZC_EINVAL, "'%s' was accepted", bad[i]);
    ck_assert_int_eq(zc_uuid_parse(repeat(big, sizeof big - 1, 'a'), &out), ZC_EINVAL);
    ck_assert_int_eq(memcmp(&out, &keep, sizeof out), 0);
}
END_TEST

START_TEST(bad_zc_uuid_compare)
{
    zc_uuid a;
    memset(&a, 0, sizeof a);
    ck_assert_int_eq(zc_uuid_compare(NULL, NULL), 0);
    ck_assert_int_lt(zc_uuid_compare(NULL, &a), 0);
    ck_assert_int_gt(zc_uuid_compare(&a, NULL), 0);
}
END_TEST

START_TEST(bad_zc_uuid_is_nil)
{
    ck_assert_int_eq(zc_uuid_is_nil(NULL), 0);
}
END_TEST

/* Connection strings that zc_db_setup refuses, each with a password in it. */
static const struct {
    const char *conn, *about;
} bad_conns[] = {
    { "", "empty" },
    { "Driver={SQLite3;Database=x;PWD=" SECRET, "unbalanced" },
    { "DSN={x}};PWD=" SECRET, "unbalanced" },
    { "Driver=SQLite3};PWD=" SECRET, "unbalanced" },
    { "PWD={" SECRET ";DSN=x", "unbalanced" },
    { "PWD=" SECRET "{;DSN=x", "unbalanced" },
    { "PWD=" SECRET "};DSN=x", "unbalanced" },
    { "DSN={x} y;PWD=" SECRET, "after '}'" },
    { "Driver=SQLite3;Database;PWD=" SECRET, "no '='" },
    { "PWD=" SECRET ";Database", "no '='" },
    { "=x;PWD=" SECRET, "without a name" },
    { " =x;PWD=" SECRET, "without a name" },
    { "DSN=x;{PWD}=" SECRET, "bad character" },
    { "DSN=x;PW(D=" SECRET, "bad character" },
    { "UID=u;PWD=" SECRET, "neither" },
    { "Password=" SECRET ";Server=x", "neither" },
    { "DSN=x\n;PWD=" SECRET, "control" },
    { "DSN=x;PWD=" SECRET "\r", "control" },
    { "DSN=x;PWD=" SECRET "\x01", "control" },
    { "DSN=x;PWD=" SECRET "\x7f", "control" },
    { "DSN=x;\tPWD=" SECRET, "control" },
    { "my dsn", "not a valid DSN" },
    /* a fifth password could not be masked in the driver's messages */
    { "DSN=x;PWD=a;PWD=b;Password=c;PWD={d};PWD=" SECRET, "more than 4 password" },
};

START_TEST(bad_zc_db_setup)
{
    static char big[10241], longname[65], conn[1100];
    zc_db_options bad = ZC_DB_OPTIONS_DEFAULT;
    const char *bad_names[] = {
        "", "has space", "tab\tname", "new\nline", "x';DROP TABLE t;--", "x\"y", "a;b",
        "a=b", "(x)", "caf\xc3\xa9", "bad\xff", "\x7f", "a/b", "a\\b", "a`b", "a*b",
    };
    zc_set_log(watch_log, NULL);
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        BAD(ZC_EINVAL, "database name", zc_db_setup(bad_names[i], "DSN=x", NULL, ERR));
        ck_assert_int_eq(zc_db_exists(bad_names[i]), ZC_ENODB);
    }
    BAD(ZC_EINVAL, "database name", zc_db_setup(repeat(longname, 64, 'n'), "DSN=x", NULL, ERR));
    BAD(ZC_EINVAL, "database name", zc_db_setup(repeat(big, 10240, 'n'), "DSN=x", NULL, ERR));
    BAD(ZC_EINVAL, "NULL", zc_db_setup("x", NULL, NULL, ERR));
    for (size_t i = 0; i < sizeof bad_conns / sizeof bad_conns[0]; i++) {
        BAD(ZC_EINVAL, bad_conns[i].about, zc_db_setup("x", bad_conns[i].conn, NULL, ERR));
        ck_assert_int_eq(zc_db_exists("x"), ZC_ENODB);
    }
    /* 10 KB, and one byte over the limit */
    memcpy(repeat(big, 10240, 'a'), "DSN=x;PWD=" SECRET ";X=", 23);
    BAD(ZC_EINVAL, "bytes", zc_db_setup("x", big, NULL, ERR));
    memcpy(repeat(conn, ZC_CONN_STR_MAX + 1, 'a'), "DSN=x;PWD=" SECRET ";X=", 23);
    BAD(ZC_EINVAL, "bytes", zc_db_setup("x", conn, NULL, ERR));
    ck_assert_int_eq(zc_db_exists("x"), ZC_ENODB);
    /* within the limit, but not once each empty password shows as "***" */
    strcpy(conn, "DSN=x");
    for (int i = 0; i < 200; i++)
        strcat(conn, ";PWD=");
    strcat(conn, ";PWD=" SECRET);
    ck_assert_uint_le(strlen(conn), ZC_CONN_STR_MAX);
    BAD(ZC_EINVAL, "masked", zc_db_setup("x", conn, NULL, ERR));
    ck_assert_int_eq(zc_db_exists("x"), ZC_ENODB);

    bad.pool_size = -1;
    BAD(ZC_EINVAL, "options", zc_db_setup("x", "DSN=x", &bad, ERR));
    bad = (zc_db_options)ZC_DB_OPTIONS_DEFAULT;
    bad.max_overflow = INT_MIN;
    BAD(ZC_EINVAL, "options", zc_db_setup("x", "DSN=x", &bad, ERR));
    bad = (zc_db_options)ZC_DB_OPTIONS_DEFAULT;
    bad.pool_timeout_ms = -5;
    BAD(ZC_EINVAL, "options", zc_db_setup("x", "DSN=x", &bad, ERR));
    bad = (zc_db_options)ZC_DB_OPTIONS_DEFAULT;
    bad.pre_ping = 3;
    BAD(ZC_EINVAL, "options", zc_db_setup("x", "DSN=x", &bad, ERR));
    ck_assert_int_eq(zc_db_exists("x"), ZC_ENODB);

    /* the same name twice: the first stays as it was */
    ck_assert_int_eq(zc_db_setup("x", "DSN=first;PWD=" SECRET, NULL, NULL), ZC_OK);
    BAD(ZC_EINVAL, "already", zc_db_setup("x", "DSN=second", NULL, ERR));
    {
        zc_db_info info;
        zc_error err;
        ZCT_OK(zc_db_get_info("x", &info, &err), &err);
        ck_assert_str_eq(info.conn_str, "DSN=first;PWD=***");
    }
    assert_log_clean();
    zc_db_shutdown();
}
END_TEST

START_TEST(bad_zc_db_remove)
{
    static char big[10241];
    zc_error err;
    BAD(ZC_ENODB, "default", zc_db_remove(NULL, ERR));
    BAD(ZC_ENODB, "nothere", zc_db_remove("nothere", ERR));
    BAD(ZC_ENODB, "no database", zc_db_remove("x';DROP TABLE t;--", ERR));
    BAD(ZC_ENODB, "no database", zc_db_remove("", ERR));
    BAD(ZC_ENODB, "no database", zc_db_remove(repeat(big, 10240, 'n'), ERR));
    ZCT_OK(zc_db_setup("kept", "DSN=x", NULL, &err), &err);
    BAD(ZC_ENODB, "kep", zc_db_remove("kep", ERR));
    ck_assert_int_eq(zc_db_exists("kept"), ZC_OK);
    zc_db_shutdown();
}
END_TEST

START_TEST(bad_zc_db_exists)
{
    static char big[10241];
    ck_assert_int_eq(zc_db_exists(NULL), ZC_ENODB);
    ck_assert_int_eq(zc_db_exists(""), ZC_ENODB);
    ck_assert_int_eq(zc_db_exists(repeat(big, 10240, 'n')), ZC_ENODB);
    ck_assert_int_eq(zc_db_exists("x' OR '1'='1"), ZC_ENODB);
}
END_TEST

START_TEST(bad_zc_db_get_info)
{
    zc_db_info info;
    zc_error err;
    BAD(ZC_EINVAL, "out is NULL", zc_db_get_info(NULL, NULL, ERR));
    BAD(ZC_ENODB, "nothere", zc_db_get_info("nothere", &info, ERR));
    BAD(ZC_ENODB, "default", zc_db_get_info(NULL, &info, ERR));
    /* every way of writing a password is masked */
    ZCT_OK(zc_db_setup("a", "DSN=x;PWD=" SECRET, NULL, &err), &err);
    ZCT_OK(zc_db_setup("b", "DSN=x;Password={" SECRET ";x}", NULL, &err), &err);
    ZCT_OK(zc_db_setup("c", "DSN=x; pwd =" SECRET ";UID=u", NULL, &err), &err);
    ZCT_OK(zc_db_setup("d", "Driver={SQLite3};PASSWORD=" SECRET ";PWD=" SECRET "2", NULL, &err),
           &err);
    for (const char *n = "abcd"; *n; n++) {
        char name[2] = { *n, 0 };
        ZCT_OK(zc_db_get_info(name, &info, &err), &err);
        ck_assert_msg(!strstr(info.conn_str, SECRET), "%s: %s", name, info.conn_str);
        ck_assert_ptr_nonnull(strstr(info.conn_str, "***"));
    }
    zc_db_shutdown();
}
END_TEST

START_TEST(bad_zc_db_shutdown)
{
    zc_error err;
    zc_db_shutdown();
    zc_db_shutdown();
    ZCT_OK(zc_db_setup("again", "DSN=x", NULL, &err), &err);
    zc_db_shutdown();
    ck_assert_int_eq(zc_db_exists("again"), ZC_ENODB);
}
END_TEST

START_TEST(bad_zc_db_add_replica)
{
    zc_error err;
    zc_db_info info;
    BAD(ZC_EINVAL, "replica is NULL", zc_db_add_replica("p", NULL, ERR));
    BAD(ZC_ENODB, "no database", zc_db_add_replica("p", "r", ERR));
    ZCT_OK(zc_db_setup("p", "DSN=x", NULL, &err), &err);
    BAD(ZC_ENODB, "r';--", zc_db_add_replica("p", "r';--", ERR));
    BAD(ZC_ENODB, "no database", zc_db_add_replica(NULL, "p", ERR)); /* no default */
    BAD(ZC_EINVAL, "itself", zc_db_add_replica("p", "p", ERR));
    ZCT_OK(zc_db_setup("r", "DSN=y", NULL, &err), &err);
    ZCT_OK(zc_db_add_replica("p", "r", &err), &err);
    BAD(ZC_EINVAL, "already", zc_db_add_replica("p", "r", ERR));
    BAD(ZC_EINVAL, "replica", zc_db_add_replica("r", "p", ERR));
    ZCT_OK(zc_db_get_info("p", &info, &err), &err);
    ck_assert_int_eq(info.replicas, 1); /* the refused calls changed nothing */
    zc_db_shutdown();
}
END_TEST

/* ---- on every backend --------------------------------------------------------- */

static zc_repo *things, *tokens;
static Thing seed[3];
static int64_t rows_now; /* rows the Thing table should hold */

static void fill_thing(Thing *t, int i)
{
    static const char *const names[] = { "x'); DROP TABLE t; --", "Robert\"; DELETE FROM t",
                                         "\\'\\\"%_*?;" };
    memset(t, 0, sizeof *t);
    t->i32 = -i;
    t->i64 = INT64_MIN + i;
    t->d = 0.5 * i;
    t->flag = i % 2;
    snprintf(t->name, sizeof t->name, "%s", names[i % 3]);
    memset(t->ref.bytes, 0x10 + i, sizeof t->ref.bytes);
    t->at = INT64_C(1700000000123000) + i * 1000;
    t->data_len = 5;
    memcpy(t->data, "\0';\x01\xff", 5);
    snprintf(t->code, sizeof t->code, "c%d' OR 1=1", i % 100);
    snprintf(t->tag, sizeof t->tag, "O'Reilly%d", i % 100);
    snprintf(t->email, sizeof t->email, "a%d@x' UNION SELECT", i);
    t->n_i32_null = t->n_i64_null = t->n_d_null = t->n_flag_null = true;
    t->n_name_null = t->n_ref_null = t->n_at_null = t->n_data_null = true;
    snprintf(t->n_name, sizeof t->n_name, "%s", "caf\xc3\xa9 \xf0\x9f\x98\x80");
    t->n_name_null = i == 1;
    t->level = 7;
}

static void be_setup(void)
{
    const zc_model *m[] = { &Thing_model, &Token_model };
    zc_error err;
    zct_models_init();
    ZCT_OK(zc_db_drop_all(NULL, m, 2, &err), &err);
    ZCT_OK(zc_db_create_all(NULL, m, 2, &err), &err);
    ZCT_OK(zc_repo_open(&Thing_model, NULL, &things, &err), &err);
    ZCT_OK(zc_repo_open(&Token_model, NULL, &tokens, &err), &err);
    for (int i = 0; i < 3; i++)
        fill_thing(&seed[i], i);
    ZCT_OK(zc_repo_insert_many(things, NULL, seed, 3, &err), &err);
    rows_now = 3;
    log_leaks = 0;
    zc_set_log(watch_log, NULL);
}

static void be_teardown(void)
{
    const zc_model *m[] = { &Thing_model, &Token_model };
    zc_error err;
    zc_set_log(NULL, NULL);
    zc_repo_close(&things);
    zc_repo_close(&tokens);
    if (zc_db_exists(NULL) == ZC_OK)
        ZCT_OK(zc_db_drop_all(NULL, m, 2, &err), &err);
}

static void assert_same_thing(const Thing *a, const Thing *b)
{
    ck_assert(a->id == b->id);
    ck_assert(a->created_at == b->created_at && a->updated_at == b->updated_at);
    ck_assert_int_eq(a->i32, b->i32);
    ck_assert(a->i64 == b->i64);
    ck_assert(a->d == b->d);
    ck_assert_int_eq(a->flag, b->flag);
    ck_assert_str_eq(a->name, b->name);
    ck_assert_int_eq(memcmp(&a->ref, &b->ref, sizeof a->ref), 0);
    ck_assert(a->at == b->at);
    ck_assert_uint_eq(a->data_len, b->data_len);
    ck_assert_int_eq(memcmp(a->data, b->data, a->data_len), 0);
    ck_assert_str_eq(a->code, b->code);
    ck_assert_str_eq(a->tag, b->tag);
    ck_assert_str_eq(a->email, b->email);
    ck_assert_int_eq(a->n_name_null, b->n_name_null);
    if (!a->n_name_null)
        ck_assert_str_eq(a->n_name, b->n_name);
    ck_assert_int_eq(a->n_i32_null && a->n_i64_null && a->n_d_null && a->n_flag_null &&
                     a->n_ref_null && a->n_at_null && a->n_data_null, 1);
    ck_assert_int_eq(a->level, b->level);
}

/* The rows seeded before the test are all there, unchanged, and no others appeared. */
static void assert_rows_intact(void)
{
    zc_error err;
    int64_t n = -1;
    for (int i = 0; i < 3; i++) {
        Thing back;
        memset(&back, 0, sizeof back);
        ZCT_OK(zc_repo_get(things, NULL, &seed[i].id, &back, &err), &err);
        assert_same_thing(&back, &seed[i]);
    }
    ZCT_OK(zc_repo_count(things, NULL, NULL, NULL, 0, &n, &err), &err);
    ck_assert_int_eq(n, rows_now);
    assert_log_clean();
}

/* A session, checked to be usable after the refused calls made on it. */
static zc_session *open_session(void)
{
    zc_session *s = NULL;
    zc_error err;
    ZCT_OK(zc_session_open(NULL, &s, &err), &err);
    return s;
}

static void close_session_clean(zc_session **s)
{
    zc_error err;
    int64_t one = 0;
    ZCT_OK(zc_session_rollback(*s, &err), &err);
    ZCT_OK(zc_session_query_int(*s, "SELECT 1", NULL, 0, &one, &err), &err);
    ck_assert_int_eq(one, 1);
    zc_session_close(s);
    ck_assert_ptr_null(*s);
}

START_TEST(bad_zc_db_create_all)
{
    bad_model bm[40];
    int n = make_bad_models(bm);
    const zc_model *with_null[] = { &Row_model, NULL };
    BAD(ZC_EINVAL, "models is NULL", zc_db_create_all(NULL, NULL, 1, ERR));
    BAD(ZC_EINVAL, "model is NULL", zc_db_create_all(NULL, with_null, 2, ERR));
    BAD(ZC_ENODB, "nothere", zc_db_create_all("nothere", NULL, 0, ERR));
    for (int i = 0; i < n; i++) {
        /* the valid model before the bad one is not created either */
        const zc_model *ms[] = { &Row_model, &bm[i].m };
        zc_error err;
        memset(&err, 0, sizeof err);
        refused(zc_db_create_all(NULL, ms, 2, &err), ZC_EINVAL, &err, bm[i].about, "create_all",
                i);
    }
    ck_assert_int_eq(zct_catalog_columns("rows_h4", (zct_column[4]){ 0 }, 4), 0);
    assert_rows_intact();
}
END_TEST

START_TEST(bad_zc_db_drop_all)
{
    bad_model bm[40];
    int n = make_bad_models(bm);
    const zc_model *with_null[] = { &Thing_model, NULL };
    BAD(ZC_EINVAL, "models is NULL", zc_db_drop_all(NULL, NULL, 1, ERR));
    BAD(ZC_EINVAL, "model is NULL", zc_db_drop_all(NULL, with_null, 2, ERR));
    BAD(ZC_ENODB, "nothere", zc_db_drop_all("nothere", with_null, 1, ERR));
    for (int i = 0; i < n; i++) {
        /* a bad model drops nothing: the good one's table and rows stay */
        const zc_model *ms[] = { &Thing_model, &bm[i].m };
        zc_error err;
        memset(&err, 0, sizeof err);
        refused(zc_db_drop_all(NULL, ms, 2, &err), ZC_EINVAL, &err, bm[i].about, "drop_all", i);
    }
    assert_rows_intact();
}
END_TEST

START_TEST(bad_zc_session_open)
{
    zc_session *s = (zc_session *)&s;
    zc_error err;
    zc_db_info info;
    BAD(ZC_EINVAL, "out is NULL", zc_session_open(NULL, NULL, ERR));
    BAD(ZC_ENODB, "nothere", zc_session_open("nothere", &s, ERR));
    ck_assert_ptr_null(s);
    BAD(ZC_ENODB, "no database", zc_session_open("x' OR '1'='1", &s, ERR));
    /* a DSN that does not exist, a driver that does not exist */
    ZCT_OK(zc_db_setup("ghost", "DSN=zc_h4_no_such_dsn;UID=u;PWD=" SECRET, NULL, &err), &err);
    ZCT_OK(zc_db_setup("nodriver", "Driver={zc h4 no such driver};PWD={" SECRET "}", NULL, &err),
           &err);
    BAD(ZC_ECONN, "ghost", zc_session_open("ghost", &s, ERR));
    ck_assert_ptr_null(s);
    BAD1(ZC_ECONN, "nodriver", zc_session_open("nodriver", &s, ERR));
    {
        zc_error e;
        ck_assert_int_eq(zc_session_open("ghost", &s, &e), ZC_ECONN);
        ck_assert_str_eq(e.sqlstate, "IM002");
    }
    /* the failed opens gave their admission back */
    ZCT_OK(zc_db_get_info("ghost", &info, &err), &err);
    ck_assert_int_eq(info.sessions_open, 0);
    assert_rows_intact();
}
END_TEST

/* A server backend's own connection string with a wrong password: refused, and the
   wrong password is in no message and no log line. */
START_TEST(wrong_password_is_not_shown)
{
    char conn[ZC_CONN_STR_MAX + 1];
    const char *pwd = strstr(zct_cur->conn, "PWD=");
    zc_session *s = NULL;
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    zc_error err;
    ck_assert_ptr_nonnull(pwd);
    snprintf(conn, sizeof conn, "%.*sPWD=Wr0ngS3cret", (int)(pwd - zct_cur->conn),
             zct_cur->conn);
    o.echo = 1;
    ZCT_OK(zc_db_setup("wrongpw", conn, &o, &err), &err);
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(zc_session_open("wrongpw", &s, &err), ZC_ECONN);
    ck_assert_ptr_null(s);
    ck_assert_str_ne(err.message, "");
    ck_assert_msg(!strstr(err.message, "Wr0ngS3cret"), "%s", err.message);
    ck_assert_int_gt(log_lines, 0);
    assert_rows_intact();
}
END_TEST

START_TEST(bad_zc_session_open_routed)
{
    zc_session *s = (zc_session *)&s;
    BAD(ZC_EINVAL, "out is NULL", zc_session_open_routed(NULL, NULL, ERR));
    BAD(ZC_ENODB, "nothere", zc_session_open_routed("nothere", &s, ERR));
    ck_assert_ptr_null(s);
    assert_rows_intact();
}
END_TEST

START_TEST(bad_zc_session_commit)
{
    zc_session *s = open_session();
    zc_rows *r = NULL;
    zc_error err;
    BAD(ZC_EINVAL, "NULL", zc_session_commit(NULL, ERR));
    ZCT_OK(zc_session_query(s, "SELECT 1", NULL, 0, &r, &err), &err);
    BAD(ZC_ESTATE, "zc_rows", zc_session_commit(s, ERR));
    zc_rows_close(&r);
    close_session_clean(&s);
    assert_rows_intact();
}
END_TEST

START_TEST(bad_zc_session_rollback)
{
    zc_session *s = open_session();
    zc_rows *r = NULL;
    zc_error err;
    BAD(ZC_EINVAL, "NULL", zc_session_rollback(NULL, ERR));
    ZCT_OK(zc_session_query(s, "SELECT 1", NULL, 0, &r, &err), &err);
    BAD(ZC_ESTATE, "zc_rows", zc_session_rollback(s, ERR));
    zc_rows_close(&r);
    close_session_clean(&s);
    assert_rows_intact();
}
END_TEST

START_TEST(bad_zc_session_close)
{
    zc_session *s = NULL;
    zc_session_close(NULL);
    zc_session_close(&s);
    ck_assert_ptr_null(s);
}
END_TEST

/* Savepoint names that are refused before anything reaches the server. */
static const char *const bad_savepoints[] = {
    "", "1abc", "sp; DROP TABLE t", "sp--", "s p", "sp'", "sp\"", "sp`", "sp\xff", "caf\xc3\xa9",
    "sp;", "sp/*", "(sp)", "sp\n",
};

static void savepoint_names_refused(int (*fn)(zc_session *, const char *, zc_error *))
{
    static char longname[65];
    zc_session *s = open_session();
    BAD(ZC_EINVAL, "session is NULL", fn(NULL, "sp", ERR));
    BAD(ZC_EINVAL, "savepoint name", fn(s, NULL, ERR));
    BAD(ZC_EINVAL, "savepoint name", fn(s, repeat(longname, 64, 's'), ERR));
    for (size_t i = 0; i < sizeof bad_savepoints / sizeof bad_savepoints[0]; i++)
        BAD(ZC_EINVAL, "savepoint name", fn(s, bad_savepoints[i], ERR));
    close_session_clean(&s);
}

START_TEST(bad_zc_session_savepoint)
{
    savepoint_names_refused(zc_session_savepoint);
    assert_rows_intact();
}
END_TEST

START_TEST(bad_zc_session_release)
{
    zc_session *s = open_session();
    zc_error err;
    savepoint_names_refused(zc_session_release);
    /* a well-formed name that was never marked: the server refuses it */
    ZCT_OK(zc_session_exec(s, "SELECT 1", NULL, 0, NULL, &err), &err);
    BAD1(ZC_EDRIVER, "savepoint", zc_session_release(s, "never_marked", ERR));
    close_session_clean(&s);
    assert_rows_intact();
}
END_TEST

START_TEST(bad_zc_session_rollback_to)
{
    zc_session *s = open_session();
    zc_error err;
    savepoint_names_refused(zc_session_rollback_to);
    ZCT_OK(zc_session_exec(s, "SELECT 1", NULL, 0, NULL, &err), &err);
    BAD1(ZC_EDRIVER, "savepoint", zc_session_rollback_to(s, "never_marked", ERR));
    close_session_clean(&s);
    assert_rows_intact();
}
END_TEST

/* Values refused when bound, whatever the statement. */
static void bad_values_refused(int (*run)(zc_session *, const zc_value *, zc_error *))
{
    zc_session *s = open_session();
    zc_value v;
    memset(&v, 0, sizeof v);
    v.type = ZC_T_TEXT; /* a hand-made text value without text */
    BAD(ZC_EINVAL, "text pointer is NULL", run(s, &v, ERR));
    v = zc_text("ab\xff\xfe");
    BAD(ZC_EINVAL, "UTF-8", run(s, &v, ERR));
    v = zc_text("\xed\xa0\x80"); /* a UTF-16 surrogate */
    BAD(ZC_EINVAL, "UTF-8", run(s, &v, ERR));
    v = zc_text("\xc0\xaf"); /* an overlong '/' */
    BAD(ZC_EINVAL, "UTF-8", run(s, &v, ERR));
    v = zc_text("caf\xc3"); /* cut short */
    BAD(ZC_EINVAL, "UTF-8", run(s, &v, ERR));
    v = zc_blob(NULL, 3);
    BAD(ZC_EINVAL, "blob", run(s, &v, ERR));
    v = zc_ts(INT64_MIN);
    BAD(ZC_EINVAL, "timestamp", run(s, &v, ERR));
    v = zc_ts(ZC_TIMESTAMP_MAX + 1);
    BAD(ZC_EINVAL, "timestamp", run(s, &v, ERR));
    v.type = 99;
    BAD(ZC_EINVAL, "type", run(s, &v, ERR));
    v.type = -1;
    BAD(ZC_EINVAL, "type", run(s, &v, ERR));
    close_session_clean(&s);
}

static int exec_with(zc_session *s, const zc_value *v, zc_error *err)
{
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE %s SET name = ? WHERE id = -1", Thing_model.table);
    return zc_session_exec(s, sql, v, 1, NULL, err);
}

static int query_with(zc_session *s, const zc_value *v, zc_error *err)
{
    zc_rows *r = NULL;
    char sql[128];
    int st;
    snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE name = ?", Thing_model.table);
    st = zc_session_query(s, sql, v, 1, &r, err);
    ck_assert_ptr_null(r);
    return st;
}

static int query_int_with(zc_session *s, const zc_value *v, zc_error *err)
{
    int64_t out = 42;
    char sql[128];
    int st;
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s WHERE name = ?", Thing_model.table);
    st = zc_session_query_int(s, sql, v, 1, &out, err);
    ck_assert(out == 42);
    return st;
}

START_TEST(bad_zc_session_exec)
{
    static char big[10241];
    zc_session *s = open_session();
    zc_value two[2] = { zc_int(1), zc_int(2) };
    zc_error err;
    char sql[256];
    int64_t n = 7;

    BAD(ZC_EINVAL, "session is NULL", zc_session_exec(NULL, "SELECT 1", NULL, 0, NULL, ERR));
    BAD(ZC_EINVAL, "SQL text", zc_session_exec(s, NULL, NULL, 0, NULL, ERR));
    BAD(ZC_EINVAL, "SQL text", zc_session_exec(s, "", NULL, 0, NULL, ERR));
    BAD(ZC_EINVAL, "params is NULL", zc_session_exec(s, "SELECT ?", NULL, 1, NULL, ERR));
    BAD(ZC_EINVAL, "too many", zc_session_exec(s, "SELECT ?", two, 40000, NULL, ERR));
    bad_values_refused(exec_with);
    /* the server refuses what it cannot parse */
    BAD1(ZC_EDRIVER, "SELEC", zc_session_exec(s, "SELEC 1", NULL, 0, NULL, ERR));
    zc_session_close(&s);
    s = open_session();
    memcpy(repeat(big, 10240, 'x'), "SELECT ", 7);
    BAD1(ZC_EDRIVER, NULL, zc_session_exec(s, big, NULL, 0, &n, ERR));
    ck_assert_int_eq(n, 7); /* untouched */
    zc_session_close(&s);
    s = open_session();
    /* values with SQL in them are values: stored and read back verbatim */
    {
        const char *evil = "');DROP TABLE t;--\"\\`x`/**/%s"; /* fits n_name[32] */
        zc_value v[2] = { zc_text(evil), zc_int(seed[0].id) };
        zc_rows *r = NULL;
        const char *back;
        snprintf(sql, sizeof sql, "UPDATE %s SET n_name = ? WHERE id = ?", Thing_model.table);
        ZCT_OK(zc_session_exec(s, sql, v, 2, &n, &err), &err);
        ck_assert_int_eq(n, 1);
        snprintf(sql, sizeof sql, "SELECT n_name FROM %s WHERE id = ?", Thing_model.table);
        ZCT_OK(zc_session_query(s, sql, &v[1], 1, &r, &err), &err);
        ZCT_OK(zc_rows_next(r, &err), &err);
        ZCT_OK(zc_rows_text(r, 0, &back, NULL, &err), &err);
        ck_assert_str_eq(back, evil);
        zc_rows_close(&r);
        ZCT_OK(zc_session_rollback(s, &err), &err);
    }
    close_session_clean(&s);
    assert_rows_intact();
}
END_TEST

START_TEST(bad_zc_session_query_int)
{
    zc_session *s = open_session();
    int64_t out = 42;
    char sql[128];
    BAD(ZC_EINVAL, "session is NULL", zc_session_query_int(NULL, "SELECT 1", NULL, 0, &out, ERR));
    BAD(ZC_EINVAL, "out is NULL", zc_session_query_int(s, "SELECT 1", NULL, 0, NULL, ERR));
    BAD(ZC_EINVAL, "SQL text", zc_session_query_int(s, NULL, NULL, 0, &out, ERR));
    BAD(ZC_EINVAL, "params is NULL", zc_session_query_int(s, "SELECT ?", NULL, 1, &out, ERR));
    bad_values_refused(query_int_with);
    BAD(ZC_EINVAL, "NULL", zc_session_query_int(s, "SELECT NULL", NULL, 0, &out, ERR));
    BAD(ZC_EINVAL, "not an integer", zc_session_query_int(s, "SELECT 'x1'", NULL, 0, &out, ERR));
    snprintf(sql, sizeof sql, "SELECT id FROM %s WHERE id = -1", Thing_model.table);
    ck_assert_int_eq(zc_session_query_int(s, sql, NULL, 0, &out, NULL), ZC_NOT_FOUND);
    ck_assert(out == 42);
    close_session_clean(&s);
    assert_rows_intact();
}
END_TEST

START_TEST(bad_zc_session_query)
{
    zc_session *s = open_session();
    zc_rows *r = (zc_rows *)&r, *r2 = NULL;
    zc_error err;
    BAD(ZC_EINVAL, "out is NULL", zc_session_query(s, "SELECT 1", NULL, 0, NULL, ERR));
    BAD(ZC_EINVAL, "session is NULL", zc_session_query(NULL, "SELECT 1", NULL, 0, &r, ERR));
    ck_assert_ptr_null(r);
    BAD(ZC_EINVAL, "SQL text", zc_session_query(s, "", NULL, 0, &r, ERR));
    bad_values_refused(query_with);
    ZCT_OK(zc_session_query(s, "SELECT 1", NULL, 0, &r, &err), &err);
    BAD(ZC_ESTATE, "open zc_rows", zc_session_query(s, "SELECT 2", NULL, 0, &r2, ERR));
    ck_assert_ptr_null(r2);
    BAD(ZC_ESTATE, "zc_rows", zc_session_exec(s, "SELECT 1", NULL, 0, NULL, ERR));
    zc_rows_close(&r);
    close_session_clean(&s);
    assert_rows_intact();
}
END_TEST

/* A cursor over "SELECT 'text', NULL" positioned as asked. */
static zc_rows *rows_at(zc_session *s, int advance)
{
    zc_rows *r = NULL;
    zc_error err;
    ZCT_OK(zc_session_query(s, "SELECT 'text', NULL", NULL, 0, &r, &err), &err);
    for (int i = 0; i < advance; i++)
        ck_assert_int_eq(zc_rows_next(r, &err), i == 0 ? ZC_OK : ZC_NOT_FOUND);
    return r;
}

START_TEST(bad_zc_rows_next)
{
    zc_session *s = open_session();
    zc_rows *r = rows_at(s, 2);
    BAD(ZC_EINVAL, "NULL", zc_rows_next(NULL, ERR));
    ck_assert_int_eq(zc_rows_next(r, NULL), ZC_NOT_FOUND); /* still at the end */
    zc_rows_close(&r);
    close_session_clean(&s);
}
END_TEST

START_TEST(bad_zc_rows_ncols)
{
    zc_session *s = open_session();
    zc_rows *r = rows_at(s, 0);
    ck_assert_int_eq(zc_rows_ncols(NULL), 0);
    ck_assert_int_eq(zc_rows_ncols(r), 2);
    zc_rows_close(&r);
    close_session_clean(&s);
}
END_TEST

START_TEST(bad_zc_rows_name)
{
    zc_session *s = open_session();
    zc_rows *r = rows_at(s, 0);
    ck_assert_ptr_null(zc_rows_name(NULL, 0));
    ck_assert_ptr_null(zc_rows_name(r, -1));
    ck_assert_ptr_null(zc_rows_name(r, 2));
    ck_assert_ptr_null(zc_rows_name(r, INT_MAX));
    ck_assert_ptr_nonnull(zc_rows_name(r, 1));
    zc_rows_close(&r);
    close_session_clean(&s);
}
END_TEST

/* The column checks every zc_rows_<type> reader shares. */
#define ROWS_READER_CHECKS(call_r_col)                                                       \
    do {                                                                                     \
        zc_session *s = open_session();                                                      \
        zc_rows *r = rows_at(s, 0), *rn = NULL;                                              \
        int col;                                                                             \
        (void)rn;                                                                            \
        col = 0;                                                                             \
        BAD(ZC_ESTATE, "zc_rows_next", call_r_col); /* before the first row */               \
        ck_assert_int_eq(zc_rows_next(r, NULL), ZC_OK);                                      \
        col = -1;                                                                            \
        BAD(ZC_EINVAL, "out of range", call_r_col);                                          \
        col = 2;                                                                             \
        BAD(ZC_EINVAL, "out of range", call_r_col);                                          \
        col = INT_MIN;                                                                       \
        BAD(ZC_EINVAL, "out of range", call_r_col);                                          \
        {                                                                                    \
            zc_rows *keep = r;                                                               \
            r = NULL;                                                                        \
            col = 0;                                                                         \
            BAD(ZC_EINVAL, "NULL", call_r_col);                                              \
            r = keep;                                                                        \
        }                                                                                    \
        ck_assert_int_eq(zc_rows_next(r, NULL), ZC_NOT_FOUND);                               \
        col = 0;                                                                             \
        BAD(ZC_ESTATE, "zc_rows_next", call_r_col); /* after the last row */                 \
        zc_rows_close(&r);                                                                   \
        close_session_clean(&s);                                                             \
    } while (0)

START_TEST(bad_zc_rows_is_null)
{
    ROWS_READER_CHECKS(zc_rows_is_null(r, col, ERR));
}
END_TEST

START_TEST(bad_zc_rows_int)
{
    zc_session *s = open_session();
    zc_rows *r = rows_at(s, 1);
    int64_t v = 42;
    BAD(ZC_EINVAL, "not an integer", zc_rows_int(r, 0, &v, ERR));
    ck_assert_int_eq(zc_rows_int(r, 1, &v, NULL), ZC_NOT_FOUND); /* NULL */
    ck_assert(v == 42);
    zc_rows_close(&r);
    close_session_clean(&s);
    ROWS_READER_CHECKS(zc_rows_int(r, col, &v, ERR));
}
END_TEST

START_TEST(bad_zc_rows_double)
{
    zc_session *s = open_session();
    zc_rows *r = rows_at(s, 1);
    double v = 42;
    BAD(ZC_EINVAL, "not a number", zc_rows_double(r, 0, &v, ERR));
    ck_assert_int_eq(zc_rows_double(r, 1, &v, NULL), ZC_NOT_FOUND);
    ck_assert(v == 42);
    zc_rows_close(&r);
    close_session_clean(&s);
    ROWS_READER_CHECKS(zc_rows_double(r, col, &v, ERR));
}
END_TEST

START_TEST(bad_zc_rows_text)
{
    zc_session *s = open_session();
    zc_rows *r = rows_at(s, 1);
    const char *t = "x";
    size_t len = 9;
    ck_assert_int_eq(zc_rows_text(r, 1, &t, &len, NULL), ZC_NOT_FOUND);
    ck_assert_ptr_null(t);
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(zc_rows_text(r, 0, NULL, NULL, NULL), ZC_OK); /* both outputs optional */
    zc_rows_close(&r);
    close_session_clean(&s);
    ROWS_READER_CHECKS(zc_rows_text(r, col, &t, &len, ERR));
}
END_TEST

START_TEST(bad_zc_rows_close)
{
    zc_rows *r = NULL;
    zc_rows_close(NULL);
    zc_rows_close(&r);
    ck_assert_ptr_null(r);
}
END_TEST

START_TEST(bad_zc_session_db_name)
{
    ck_assert_ptr_null(zc_session_db_name(NULL));
}
END_TEST

START_TEST(bad_zc_session_dialect)
{
    ck_assert_int_eq(zc_session_dialect(NULL), ZC_DIALECT_UNKNOWN);
}
END_TEST

static void repo_open_refused(int (*open)(const zc_model *, const char *, zc_repo **,
                                          zc_error *))
{
    static char big[10241];
    bad_model bm[40];
    int n = make_bad_models(bm);
    zc_repo *r = (zc_repo *)&r;
    BAD(ZC_EINVAL, "out is NULL", open(&Thing_model, NULL, NULL, ERR));
    BAD(ZC_EINVAL, "model is NULL", open(NULL, NULL, &r, ERR));
    ck_assert_ptr_null(r);
    BAD(ZC_ENODB, "nothere", open(&Thing_model, "nothere", &r, ERR));
    BAD(ZC_ENODB, "no database", open(&Thing_model, repeat(big, 10240, 'n'), &r, ERR));
    BAD(ZC_ENODB, "no database", open(&Thing_model, "default'; --", &r, ERR));
    for (int i = 0; i < n; i++) {
        zc_error err;
        memset(&err, 0, sizeof err);
        refused(open(&bm[i].m, NULL, &r, &err), ZC_EINVAL, &err, bm[i].about, "repo_open", i);
        ck_assert_ptr_null(r);
    }
}

START_TEST(bad_zc_repo_open)
{
    repo_open_refused(zc_repo_open);
    assert_rows_intact();
}
END_TEST

START_TEST(bad_zc_repo_open_routed)
{
    repo_open_refused(zc_repo_open_routed);
    assert_rows_intact();
}
END_TEST

START_TEST(bad_zc_repo_close)
{
    zc_repo *r = NULL;
    zc_repo_close(NULL);
    zc_repo_close(&r);
    ck_assert_ptr_null(r);
}
END_TEST

/* Rows that zodiac refuses to write: each spoils one field of a good row. */
static int spoiled_thing(Thing *t, int k, const char **about, int *want)
{
    fill_thing(t, 10 + k);
    snprintf(t->code, sizeof t->code, "spoiled%d", k % 100);
    snprintf(t->email, sizeof t->email, "spoiled%d@x", k);
    *want = ZC_ETRUNC;
    switch (k) {
    case 0: /* text filling its member with no NUL */
        memset(t->name, 'x', sizeof t->name);
        *about = "NUL-terminated";
        return 1;
    case 1:
        memset(t->n_name, 'x', sizeof t->n_name);
        t->n_name_null = false;
        *about = "NUL-terminated";
        return 1;
    case 2:
        t->data_len = sizeof t->data + 1;
        *about = "length";
        return 1;
    case 3:
        t->data_len = SIZE_MAX;
        *about = "length";
        return 1;
    case 4:
        t->at = INT64_MIN;
        *want = ZC_EINVAL;
        *about = "timestamp";
        return 1;
    case 5:
        snprintf(t->name, sizeof t->name, "bad \xff\xfe utf-8");
        *want = ZC_EINVAL;
        *about = "UTF-8";
        return 1;
    case 6:
        snprintf(t->tag, sizeof t->tag, "\xe2\x82");
        *want = ZC_EINVAL;
        *about = "UTF-8";
        return 1;
    case 7: /* the seed's unique code: the server refuses it */
        snprintf(t->code, sizeof t->code, "%s", seed[1].code);
        *want = ZC_ECONSTRAINT;
        *about = NULL;
        return 1;
    default:
        return 0;
    }
}

START_TEST(bad_zc_repo_insert)
{
    Thing t;
    const char *about;
    int want;
    zc_session *s;
    BAD(ZC_EINVAL, "repository is NULL", zc_repo_insert(NULL, NULL, &t, ERR));
    BAD(ZC_EINVAL, "row", zc_repo_insert(things, NULL, NULL, ERR));
    for (int k = 0; spoiled_thing(&t, k, &about, &want); k++) {
        zc_error err;
        memset(&err, 0, sizeof err);
        refused(zc_repo_insert(things, NULL, &t, &err), want, &err, about, "insert", k);
    }
    /* in a session: the refused row leaves the session usable */
    s = open_session();
    for (int k = 0; spoiled_thing(&t, k, &about, &want) && want != ZC_ECONSTRAINT; k++)
        BAD1(want, about, zc_repo_insert(things, s, &t, ERR));
    close_session_clean(&s);
    /* SQL in values is stored and read back verbatim */
    {
        Thing back;
        zc_error err;
        fill_thing(&t, 5);
        snprintf(t.name, sizeof t.name, "';DELETE FROM %.10s", Thing_model.table);
        snprintf(t.code, sizeof t.code, "%s", "\" OR \"\"=\"");
        ZCT_OK(zc_repo_insert(things, NULL, &t, &err), &err);
        rows_now++;
        memset(&back, 0, sizeof back);
        ZCT_OK(zc_repo_get(things, NULL, &t.id, &back, &err), &err);
        assert_same_thing(&back, &t);
    }
    assert_rows_intact();
}
END_TEST

START_TEST(bad_zc_repo_insert_many)
{
    Thing rows[3];
    const char *about;
    int want;
    BAD(ZC_EINVAL, "repository is NULL", zc_repo_insert_many(NULL, NULL, rows, 3, ERR));
    BAD(ZC_EINVAL, "row", zc_repo_insert_many(things, NULL, NULL, 3, ERR));
    ck_assert_int_eq(zc_repo_insert_many(things, NULL, NULL, 0, NULL), ZC_EINVAL);
    ck_assert_int_eq(zc_repo_insert_many(things, NULL, rows, 0, NULL), ZC_OK);
    /* one spoiled row in the middle: none of the three is written */
    for (int k = 0; spoiled_thing(&rows[1], k, &about, &want); k++) {
        zc_error err;
        fill_thing(&rows[0], 20);
        snprintf(rows[0].code, sizeof rows[0].code, "first%d", k);
        snprintf(rows[0].email, sizeof rows[0].email, "first%d", k);
        fill_thing(&rows[2], 21);
        snprintf(rows[2].code, sizeof rows[2].code, "last%d", k);
        snprintf(rows[2].email, sizeof rows[2].email, "last%d", k);
        memset(&err, 0, sizeof err);
        refused(zc_repo_insert_many(things, NULL, rows, 3, &err), want, &err, about,
                "insert_many", k);
    }
    assert_rows_intact();
}
END_TEST

START_TEST(bad_zc_repo_get)
{
    Thing back;
    int64_t id = seed[0].id, missing = -1;
    zc_uuid nil;
    Token tok;
    memset(&nil, 0, sizeof nil);
    BAD(ZC_EINVAL, "repository is NULL", zc_repo_get(NULL, NULL, &id, &back, ERR));
    BAD(ZC_EINVAL, "id is NULL", zc_repo_get(things, NULL, NULL, &back, ERR));
    BAD(ZC_EINVAL, "row", zc_repo_get(things, NULL, &id, NULL, ERR));
    ck_assert_int_eq(zc_repo_get(things, NULL, &missing, &back, NULL), ZC_NOT_FOUND);
    missing = INT64_MIN;
    ck_assert_int_eq(zc_repo_get(things, NULL, &missing, &back, NULL), ZC_NOT_FOUND);
    ck_assert_int_eq(zc_repo_get(tokens, NULL, &nil, &tok, NULL), ZC_NOT_FOUND);
    assert_rows_intact();
}
END_TEST

/* Text longer than the member, put in by someone else: refused on the way out. */
START_TEST(text_longer_than_the_member)
{
    static char big[200];
    zc_session *s = open_session();
    Thing t, back;
    zc_error err;
    char sql[128];
    int st;
    zc_value v[2];
    fill_thing(&t, 7);
    ZCT_OK(zc_repo_insert(things, NULL, &t, &err), &err);
    rows_now++;
    v[0] = zc_text(repeat(big, 100, 'L'));
    v[1] = zc_int(t.id);
    snprintf(sql, sizeof sql, "UPDATE %s SET name = ? WHERE id = ?", Thing_model.table);
    st = zc_session_exec(s, sql, v, 2, NULL, &err);
    if (zct_cur->dialect == ZC_DIALECT_SQLITE) {
        /* SQLite keeps what it is given: the read is what refuses it */
        ZCT_OK(st, &err);
        ZCT_OK(zc_session_commit(s, &err), &err);
        memset(&back, 0, sizeof back);
        BAD1(ZC_ETRUNC, "room for 31", zc_repo_get(things, NULL, &t.id, &back, ERR));
        BAD1(ZC_ETRUNC, "room for 31", zc_repo_find_one(things, NULL, "id = ?", &v[1], 1, &back,
                                                         ERR));
    } else {
        ck_assert_int_eq(st, ZC_ETRUNC);
        ck_assert_str_eq(err.sqlstate, zct_cur->dialect == ZC_DIALECT_MYSQL ? "22001" : "22001");
    }
    zc_session_close(&s);
    assert_rows_intact();
}
END_TEST

START_TEST(bad_zc_repo_update)
{
    Thing t, back;
    const char *about;
    int want;
    zc_error err;
    BAD(ZC_EINVAL, "repository is NULL", zc_repo_update(NULL, NULL, &t, ERR));
    BAD(ZC_EINVAL, "row", zc_repo_update(things, NULL, NULL, ERR));
    for (int k = 0; spoiled_thing(&t, k, &about, &want); k++) {
        zc_timestamp before;
        t.id = seed[0].id;
        t.created_at = seed[0].created_at;
        t.updated_at = before = seed[0].updated_at;
        memset(&err, 0, sizeof err);
        refused(zc_repo_update(things, NULL, &t, &err), want, &err, about, "update", k);
        ck_assert(t.updated_at == before); /* the row in memory keeps its stamp */
    }
    t = seed[0];
    t.id = -5;
    ck_assert_int_eq(zc_repo_update(things, NULL, &t, &err), ZC_NOT_FOUND);
    ZCT_OK(zc_repo_get(things, NULL, &seed[0].id, &back, &err), &err);
    assert_rows_intact();
}
END_TEST

START_TEST(bad_zc_repo_delete)
{
    int64_t missing = -1;
    zc_uuid nil;
    memset(&nil, 0, sizeof nil);
    BAD(ZC_EINVAL, "repository is NULL", zc_repo_delete(NULL, NULL, &missing, ERR));
    BAD(ZC_EINVAL, "id is NULL", zc_repo_delete(things, NULL, NULL, ERR));
    BAD(ZC_NOT_FOUND, "no Thing row", zc_repo_delete(things, NULL, &missing, ERR));
    BAD(ZC_NOT_FOUND, "no Token row", zc_repo_delete(tokens, NULL, &nil, ERR));
    assert_rows_intact();
}
END_TEST

/* WHERE fragments refused before anything reaches the server. */
static const struct {
    const char *where, *about;
    size_t nparams;
} bad_wheres[] = {
    { "name = 'x'", "not allowed", 0 },
    { "name = \"x\"", "not allowed", 0 },
    { "name = ? OR 1=1; DROP TABLE t", "not allowed", 1 },
    { "name = ?; --", "not allowed", 1 },
    { "name = ? -- comment", "comments", 1 },
    { "name = ? /* c */", "comments", 1 },
    { "name = `x`", "not allowed", 0 },
    { "name = \\x", "not allowed", 0 },
    { "id = 1 UNION SELECT password FROM users", "not a column", 0 },
    { "nosuch = ?", "nosuch", 1 },
    { "Name = ?", "not a column", 1 }, /* columns are compared as written */
    { "name = ?", "parameters", 0 },
    { "name = ?", "parameters", 2 },
    { "(name = ?", "unbalanced", 1 },
    { "name = ?)", "unbalanced", 1 },
    { "id = 1e5", "malformed number", 0 },
    { "id = 0x10", "malformed number", 0 },
    { "name = ? \xff", "0xff", 1 },
    { "caf\xc3\xa9 = ?", "caf", 1 },
    { "name = ?\n\x01", "0x01", 1 },
    { "pg_sleep(10) = ?", "not a column", 1 },
    { "name = ? AND sleep(5)", "not a column", 1 },
    { "name = $1", "not allowed", 1 },
    { "name = :n", "not allowed", 1 },
    { "name @@ ?", "not allowed", 1 },
    { "name = ? #", "not allowed", 1 },
};

static void where_refused(int (*fn)(const char *where, const zc_value *p, size_t n, zc_error *))
{
    static char big[10241];
    zc_value p[2] = { zc_text("x"), zc_text("y") };
    for (size_t i = 0; i < sizeof bad_wheres / sizeof bad_wheres[0]; i++) {
        zc_error err;
        memset(&err, 0, sizeof err);
        refused(fn(bad_wheres[i].where, p, bad_wheres[i].nparams, &err), ZC_EINVAL, &err,
                bad_wheres[i].about, bad_wheres[i].where, (int)i);
    }
    BAD(ZC_EINVAL, "not a column", fn(repeat(big, 10240, 'w'), NULL, 0, ERR));
    BAD(ZC_EINVAL, "parameters", fn(NULL, p, 1, ERR));
    BAD(ZC_EINVAL, "params is NULL", fn("name = ?", NULL, 1, ERR));
    {
        zc_value v;
        memset(&v, 0, sizeof v);
        v.type = ZC_T_TEXT;
        BAD(ZC_EINVAL, "NULL", fn("name = ?", &v, 1, ERR));
        v = zc_text("\xff");
        BAD(ZC_EINVAL, "UTF-8", fn("name = ?", &v, 1, ERR));
        v = zc_blob(NULL, 2);
        BAD(ZC_EINVAL, "blob", fn("data = ?", &v, 1, ERR));
    }
}

static Thing found;
static int find_one_where(const char *where, const zc_value *p, size_t n, zc_error *err)
{
    return zc_repo_find_one(things, NULL, where, p, n, &found, err);
}

START_TEST(bad_zc_repo_find_one)
{
    zc_value v = zc_text(seed[0].name);
    int64_t id = seed[0].id;
    zc_value idv = zc_int(id);
    zc_error err;
    BAD(ZC_EINVAL, "repository is NULL", zc_repo_find_one(NULL, NULL, "id = ?", &idv, 1, &found,
                                                          ERR));
    BAD(ZC_EINVAL, "row", zc_repo_find_one(things, NULL, "id = ?", &idv, 1, NULL, ERR));
    where_refused(find_one_where);
    /* an injection attempt in a value matches nothing, and the real value matches */
    {
        zc_value evil = zc_text("x' OR '1'='1");
        BAD(ZC_NOT_FOUND, "no Thing row", zc_repo_find_one(things, NULL, "name = ?", &evil, 1,
                                                           &found, ERR));
    }
    ZCT_OK(zc_repo_find_one(things, NULL, "name = ?", &v, 1, &found, &err), &err);
    assert_same_thing(&found, &seed[0]);
    assert_rows_intact();
}
END_TEST

static int find_where(const char *where, const zc_value *p, size_t n, zc_error *err)
{
    zc_query q = { where, p, n, NULL, 0, 0 };
    Thing rows[4];
    size_t got = 99;
    int st = zc_repo_find(things, NULL, &q, rows, 4, &got, err);
    ck_assert_uint_eq(got, 0);
    return st;
}

static const char *const bad_orders[] = {
    "name; DROP TABLE t", "nosuch", "name DESC, ", ", name", "name ASC DESC", "name DESCENDING",
    "1", "name + 1", "(name)", "name'", "name -- x", "name COLLATE \"C\"", "random()",
    "name NULLS FIRST", "na\xffme", "name,,id", "name\x01",
};

START_TEST(bad_zc_repo_find)
{
    static char big[10241];
    zc_query q;
    Thing rows[4];
    size_t got = 99;
    zc_error err;
    memset(&q, 0, sizeof q);
    BAD(ZC_EINVAL, "repository is NULL", zc_repo_find(NULL, NULL, &q, rows, 4, &got, ERR));
    BAD(ZC_EINVAL, "row", zc_repo_find(things, NULL, &q, NULL, 4, &got, ERR));
    ck_assert_uint_eq(got, 0);
    where_refused(find_where);
    for (size_t i = 0; i < sizeof bad_orders / sizeof bad_orders[0]; i++) {
        q.order_by = bad_orders[i];
        memset(&err, 0, sizeof err);
        refused(zc_repo_find(things, NULL, &q, rows, 4, &got, &err), ZC_EINVAL, &err, "order by",
                bad_orders[i], (int)i);
    }
    q.order_by = repeat(big, 10240, 'o');
    BAD(ZC_EINVAL, "order by", zc_repo_find(things, NULL, &q, rows, 4, &got, ERR));
    q.order_by = NULL;
    q.limit = -1;
    BAD(ZC_EINVAL, "negative", zc_repo_find(things, NULL, &q, rows, 4, &got, ERR));
    q.limit = 0;
    q.offset = INT64_MIN;
    BAD(ZC_EINVAL, "negative", zc_repo_find(things, NULL, &q, rows, 4, &got, ERR));
    q.offset = 0;
    q.where = "id > ?";
    q.nparams = 1001;
    q.params = (const zc_value[1]){ zc_int(0) };
    BAD(ZC_EINVAL, "too many", zc_repo_find(things, NULL, &q, rows, 4, &got, ERR));
    /* no room and no count are fine */
    memset(&q, 0, sizeof q);
    ZCT_OK(zc_repo_find(things, NULL, &q, rows, 0, &got, &err), &err);
    ck_assert_uint_eq(got, 0);
    ZCT_OK(zc_repo_find(things, NULL, NULL, rows, 4, NULL, &err), &err);
    assert_rows_intact();
}
END_TEST

static int count_where(const char *where, const zc_value *p, size_t n, zc_error *err)
{
    int64_t out = 42;
    int st = zc_repo_count(things, NULL, where, p, n, &out, err);
    ck_assert(out == 42);
    return st;
}

START_TEST(bad_zc_repo_count)
{
    int64_t out = 42;
    BAD(ZC_EINVAL, "repository is NULL", zc_repo_count(NULL, NULL, NULL, NULL, 0, &out, ERR));
    BAD(ZC_EINVAL, "out is NULL", zc_repo_count(things, NULL, NULL, NULL, 0, NULL, ERR));
    where_refused(count_where);
    assert_rows_intact();
}
END_TEST

static int exists_where(const char *where, const zc_value *p, size_t n, zc_error *err)
{
    return zc_repo_exists(things, NULL, where, p, n, err);
}

START_TEST(bad_zc_repo_exists)
{
    BAD(ZC_EINVAL, "repository is NULL", zc_repo_exists(NULL, NULL, NULL, NULL, 0, ERR));
    where_refused(exists_where);
    assert_rows_intact();
}
END_TEST

static zc_session *cursor_session;
static int cursor_where(const char *where, const zc_value *p, size_t n, zc_error *err)
{
    zc_query q = { where, p, n, NULL, 0, 0 };
    zc_cursor *c = (zc_cursor *)&c;
    int st = zc_repo_cursor(things, cursor_session, &q, &c, err);
    ck_assert_ptr_null(c);
    return st;
}

START_TEST(bad_zc_repo_cursor)
{
    zc_session *s = open_session();
    zc_cursor *c = (zc_cursor *)&c;
    zc_query q;
    memset(&q, 0, sizeof q);
    BAD(ZC_EINVAL, "out is NULL", zc_repo_cursor(things, s, &q, NULL, ERR));
    BAD(ZC_EINVAL, "required", zc_repo_cursor(NULL, s, &q, &c, ERR));
    ck_assert_ptr_null(c);
    BAD(ZC_EINVAL, "required", zc_repo_cursor(things, NULL, &q, &c, ERR));
    cursor_session = s;
    where_refused(cursor_where);
    for (size_t i = 0; i < sizeof bad_orders / sizeof bad_orders[0]; i++) {
        zc_error err;
        q.order_by = bad_orders[i];
        memset(&err, 0, sizeof err);
        refused(zc_repo_cursor(things, s, &q, &c, &err), ZC_EINVAL, &err, "order by",
                bad_orders[i], (int)i);
        ck_assert_ptr_null(c);
    }
    q.order_by = "name, i32, i64, d, flag, code, tag, email, at";
    BAD(ZC_EINVAL, "order by", zc_repo_cursor(things, s, &q, &c, ERR));
    q.order_by = NULL;
    q.limit = -3;
    BAD(ZC_EINVAL, "negative", zc_repo_cursor(things, s, &q, &c, ERR));
    close_session_clean(&s);
    assert_rows_intact();
}
END_TEST

START_TEST(bad_zc_cursor_next)
{
    zc_session *s = open_session();
    zc_cursor *c = NULL;
    zc_error err;
    Thing t;
    BAD(ZC_EINVAL, "NULL", zc_cursor_next(NULL, &t, ERR));
    ZCT_OK(zc_repo_cursor(things, s, NULL, &c, &err), &err);
    BAD(ZC_EINVAL, "NULL", zc_cursor_next(c, NULL, ERR));
    for (int i = 0; i < 3; i++)
        ZCT_OK(zc_cursor_next(c, &t, &err), &err);
    ck_assert_int_eq(zc_cursor_next(c, &t, NULL), ZC_NOT_FOUND);
    ck_assert_int_eq(zc_cursor_next(c, &t, NULL), ZC_NOT_FOUND); /* and stays there */
    zc_cursor_close(&c);
    close_session_clean(&s);
    assert_rows_intact();
}
END_TEST

START_TEST(bad_zc_cursor_close)
{
    zc_cursor *c = NULL;
    zc_cursor_close(NULL);
    zc_cursor_close(&c);
    ck_assert_ptr_null(c);
}
END_TEST

/* A cursor and a zc_rows used after their session closed: a status, never freed memory. */
START_TEST(cursor_and_rows_after_their_session_closed)
{
    zc_session *s = open_session();
    zc_cursor *c = NULL;
    zc_rows *r = NULL;
    zc_error err;
    const char *text = "x";
    int64_t v = 0;
    Thing t;
    ZCT_OK(zc_repo_cursor(things, s, NULL, &c, &err), &err);
    ZCT_OK(zc_cursor_next(c, &t, &err), &err);
    ZCT_OK(zc_session_query(s, "SELECT 1", NULL, 0, &r, &err), &err);
    ZCT_OK(zc_rows_next(r, &err), &err);
    zc_session_close(&s);
    BAD(ZC_ESTATE, "session", zc_cursor_next(c, &t, ERR));
    BAD(ZC_ESTATE, "session", zc_rows_next(r, ERR));
    BAD(ZC_ESTATE, "session", zc_rows_int(r, 0, &v, ERR));
    BAD(ZC_ESTATE, "session", zc_rows_text(r, 0, &text, NULL, ERR));
    BAD(ZC_ESTATE, "session", zc_rows_is_null(r, 0, ERR));
    ck_assert_int_eq(zc_rows_ncols(r), 1);
    zc_cursor_close(&c);
    zc_rows_close(&r);
    ck_assert_ptr_null(c);
    ck_assert_ptr_null(r);
    assert_rows_intact();
}
END_TEST

START_TEST(bad_zc_session_set_timeout)
{
    zc_session *s = open_session();
    zc_error err;
    BAD(ZC_EINVAL, "NULL", zc_session_set_timeout(NULL, 100, ERR));
    BAD(ZC_EINVAL, "negative", zc_session_set_timeout(s, -1, ERR));
    ZCT_OK(zc_session_set_timeout(s, 0, &err), &err);
    ZCT_OK(zc_session_set_timeout(s, 60000, &err), &err);
    close_session_clean(&s);
    assert_rows_intact();
}
END_TEST

static void count_session(void *ud, double age_ms, const char *opened_at)
{
    (void)opened_at;
    ck_assert(age_ms >= 0);
    (*(int *)ud)++;
}

START_TEST(bad_zc_db_sessions)
{
    int n = 0;
    zc_error err;
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    BAD(ZC_EINVAL, "fn is NULL", zc_db_sessions(NULL, NULL, &n, ERR));
    BAD(ZC_ENODB, "nothere", zc_db_sessions("nothere", count_session, &n, ERR));
    BAD(ZC_ESTATE, "track_sessions", zc_db_sessions(NULL, count_session, &n, ERR));
    o.track_sessions = 1;
    ZCT_OK(zc_db_setup("tracked", zct_cur->conn, &o, &err), &err);
    ck_assert_int_eq(zc_db_sessions("tracked", count_session, &n, &err), 0);
    ck_assert_int_eq(n, 0);
    assert_rows_intact();
}
END_TEST

static int txn_unit_calls;
static int txn_unit(zc_session *s, void *arg, zc_error *err)
{
    (void)s;
    (void)arg;
    (void)err;
    txn_unit_calls++;
    return ZC_OK;
}

START_TEST(bad_zc_transaction_run)
{
    zc_txn_options o = ZC_TXN_OPTIONS_DEFAULT;
    BAD(ZC_EINVAL, "NULL", zc_transaction_run(NULL, NULL, NULL, NULL, ERR));
    BAD(ZC_ENODB, "nothere", zc_transaction_run("nothere", txn_unit, NULL, NULL, ERR));
    o.max_attempts = -1;
    BAD(ZC_EINVAL, "options", zc_transaction_run(NULL, txn_unit, NULL, &o, ERR));
    o = (zc_txn_options)ZC_TXN_OPTIONS_DEFAULT;
    o.max_backoff_ms = INT_MAX;
    BAD(ZC_EINVAL, "options", zc_transaction_run(NULL, txn_unit, NULL, &o, ERR));
    ck_assert_int_eq(txn_unit_calls, 0);
    assert_rows_intact();
}
END_TEST

/* ---- every public function has a case ------------------------------------------ */

typedef struct api_case {
    const char *name;
    const TTest *const *test; /* the variable START_TEST defines */
    int backend;              /* needs a database */
} api_case;

#define PURE(fn) { #fn, &bad_##fn, 0 }
#define DB(fn) { #fn, &bad_##fn, 1 }

static const api_case cases[] = {
    PURE(zc_strerror), PURE(zc_set_log), PURE(zc_int), PURE(zc_double), PURE(zc_bool),
    PURE(zc_text), PURE(zc_null), PURE(zc_ts), PURE(zc_uuidv), PURE(zc_blob),
    PURE(zc_version_number), PURE(zc_free), PURE(zc_model_validate), PURE(zc_ddl_text),
    PURE(zc_timestamp_now), PURE(zc_timestamp_from_tm), PURE(zc_timestamp_to_tm),
    PURE(zc_timestamp_format), PURE(zc_timestamp_parse), PURE(zc_uuid_v4), PURE(zc_uuid_format),
    PURE(zc_uuid_parse), PURE(zc_uuid_compare), PURE(zc_uuid_is_nil), PURE(zc_db_setup),
    PURE(zc_db_remove), PURE(zc_db_exists), PURE(zc_db_get_info), PURE(zc_db_shutdown),
    PURE(zc_db_add_replica),
    DB(zc_db_create_all), DB(zc_db_drop_all), DB(zc_session_open), DB(zc_session_open_routed),
    DB(zc_session_commit), DB(zc_session_rollback), DB(zc_session_close),
    DB(zc_session_savepoint), DB(zc_session_release), DB(zc_session_rollback_to),
    DB(zc_session_exec), DB(zc_session_query_int), DB(zc_session_query), DB(zc_rows_next),
    DB(zc_rows_ncols), DB(zc_rows_name), DB(zc_rows_is_null), DB(zc_rows_int),
    DB(zc_rows_double), DB(zc_rows_text), DB(zc_rows_close), DB(zc_session_db_name),
    DB(zc_session_dialect), DB(zc_repo_open), DB(zc_repo_open_routed), DB(zc_repo_close),
    DB(zc_repo_insert), DB(zc_repo_insert_many), DB(zc_repo_get), DB(zc_repo_update),
    DB(zc_repo_delete), DB(zc_repo_find_one), DB(zc_repo_find), DB(zc_repo_count),
    DB(zc_repo_exists), DB(zc_repo_cursor), DB(zc_cursor_next), DB(zc_cursor_close),
    DB(zc_transaction_run), DB(zc_session_set_timeout), DB(zc_db_sessions),
};

/* What the headers declare (tests/api-list.sh writes api_list.h from them). */
static const char *const declared[] = {
#define ZC_API_FN(fn) #fn,
#include "api_list.h"
#undef ZC_API_FN
};

START_TEST(every_public_function_has_a_case)
{
    char missing[2048] = "";
    size_t ncases = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < sizeof declared / sizeof declared[0]; i++) {
        size_t j = 0;
        while (j < ncases && strcmp(cases[j].name, declared[i]) != 0)
            j++;
        if (j == ncases)
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %s",
                     declared[i]);
    }
    ck_assert_msg(missing[0] == '\0', "public functions without a bad-input case in "
                  "tests/check_badinput.c:%s", missing);
    ck_assert_uint_ge(sizeof declared / sizeof declared[0], 60);
}
END_TEST

static void add_backend_tests(TCase *tc)
{
    tcase_add_checked_fixture(tc, be_setup, be_teardown);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (cases[i].backend)
            tcase_add_test(tc, *cases[i].test);
    tcase_add_test(tc, text_longer_than_the_member);
    tcase_add_test(tc, cursor_and_rows_after_their_session_closed);
}

static void add_server_tests(TCase *tc)
{
    tcase_add_checked_fixture(tc, be_setup, be_teardown);
    tcase_add_test(tc, wrong_password_is_not_shown);
}

int main(void)
{
    Suite *s = suite_create("badinput");
    TCase *pure = tcase_create("pure");
    tcase_add_test(pure, every_public_function_has_a_case);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (!cases[i].backend)
            tcase_add_test(pure, *cases[i].test);
    tcase_set_timeout(pure, 60);
    suite_add_tcase(s, pure);
    zct_add_backend_cases(s, "badinput", add_backend_tests, 240, 0);
    zct_add_backend_cases(s, "badinput-server", add_server_tests, 60, 1);
    return zct_run(s);
}
