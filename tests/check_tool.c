/* SPDX-License-Identifier: MIT */
/*
 * check_tool: the `zodiac` command-line tool (tools/zodiac.c), run as a program.
 *
 * The facts `zodiac doctor` prints are checked against sources that do not go
 * through the tool: SQLGetInfo on a connection the test makes itself through
 * ODBC (DBMS name and version), the backend the run declares (dialect), and
 * zc_db_get_info() of the same connection string in this process (pooling,
 * threading, driver options). The NoPool DSNs (CPTimeout=-1) must be reported
 * as not pooled. Every output is searched for the password of the connection
 * string it was given: it must never be there.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sql.h>
#include <sqlext.h>

#include "zctest.h"
#include "../examples/models.h"

#ifndef ZC_TOOL
#error "ZC_TOOL (the path of the built tools/zodiac) must be defined"
#endif

typedef struct run {
    int status;       /* exit status, or -1 when the tool did not exit normally */
    char out[32768];  /* stdout and stderr */
    int lines;
} run;

/* Appends arg to cmd, quoted for sh. */
static void add_quoted(char *cmd, size_t size, const char *arg)
{
    size_t len = strlen(cmd);
    ck_assert_uint_lt(len + 4 * strlen(arg) + 4, size);
    cmd[len++] = ' ';
    cmd[len++] = '\'';
    for (const char *c = arg; *c; c++) {
        if (*c == '\'') {
            memcpy(cmd + len, "'\\''", 4);
            len += 4;
        } else {
            cmd[len++] = *c;
        }
    }
    cmd[len++] = '\'';
    cmd[len] = '\0';
}

/* Runs the tool with the NULL-terminated arguments; captures stdout + stderr. */
static void tool(run *r, const char *arg0, ...)
{
    char cmd[8192];
    va_list ap;
    FILE *p;
    size_t n;
    int st;

    snprintf(cmd, sizeof cmd, "%s", ZC_TOOL);
    va_start(ap, arg0);
    for (const char *a = arg0; a; a = va_arg(ap, const char *))
        add_quoted(cmd, sizeof cmd, a);
    va_end(ap);
    snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), " 2>&1");
    fflush(NULL);
    p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    n = fread(r->out, 1, sizeof r->out - 1, p);
    r->out[n] = '\0';
    st = pclose(p);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r->lines = 0;
    for (const char *c = r->out; *c; c++)
        r->lines += *c == '\n';
}

/* The value of a "key: value" line of doctor's output, "" when absent. */
static const char *field(const run *r, const char *key, char *buf, size_t size)
{
    size_t klen = strlen(key);
    const char *p = r->out;
    buf[0] = '\0';
    while (p && *p) {
        if (!strncmp(p, key, klen) && p[klen] == ':') {
            const char *v = p + klen + 1, *e;
            while (*v == ' ')
                v++;
            e = strchr(v, '\n');
            snprintf(buf, size, "%.*s", (int)(e ? e - v : (long)strlen(v)), v);
            return buf;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return buf;
}

/* The value of the PWD attribute of a connection string, "" when none. */
static void password_of(const char *conn, char *out, size_t size)
{
    const char *p = strstr(conn, "PWD=");
    out[0] = '\0';
    if (p)
        snprintf(out, size, "%.*s", (int)strcspn(p + 4, ";"), p + 4);
}

static void assert_no_password(const run *r, const char *conn)
{
    char pwd[128];
    password_of(conn, pwd, sizeof pwd);
    ck_assert_msg(pwd[0], "the test's connection string has no PWD");
    ck_assert_msg(strstr(r->out, pwd) == NULL, "the password is in the output:\n%s", r->out);
}

/* SQLGetInfo through ODBC directly: name " " version. */
static void dbms_via_odbc(const char *conn, char *out, size_t size)
{
    SQLHENV env;
    SQLHDBC dbc;
    SQLCHAR name[64] = "", ver[64] = "";
    SQLSMALLINT len;
    SQLRETURN rc;
    ck_assert(SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env)));
    SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    ck_assert(SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc)));
    rc = SQLDriverConnect(dbc, NULL, (SQLCHAR *)conn, SQL_NTS, NULL, 0, NULL,
                          SQL_DRIVER_NOPROMPT);
    ck_assert_msg(SQL_SUCCEEDED(rc), "SQLDriverConnect failed");
    SQLGetInfo(dbc, SQL_DBMS_NAME, name, sizeof name, &len);
    SQLGetInfo(dbc, SQL_DBMS_VER, ver, sizeof ver, &len);
    snprintf(out, size, "%s %s", (char *)name, (char *)ver);
    SQLDisconnect(dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
}

/* zc_db_get_info of conn after one connect, under a name of its own. */
static void info_of(const char *conn, zc_db_info *info)
{
    zc_error err;
    zc_session *s = NULL;
    zc_db_remove("tool-ref", NULL);
    ZCT_OK(zc_db_setup("tool-ref", conn, NULL, &err), &err);
    ZCT_OK(zc_session_open("tool-ref", &s, &err), &err);
    zc_session_close(&s);
    ZCT_OK(zc_db_get_info("tool-ref", info, &err), &err);
    zc_db_remove("tool-ref", NULL);
}

/* A connection string with a password: the backend's, or SQLite's with one added
   (sqliteodbc ignores it) so that masking is proven there too. */
static void conn_with_password(const char *conn, char *out, size_t size)
{
    ck_assert_uint_lt(strlen(conn) + 20, size);
    if (out != conn)
        snprintf(out, size, "%s", conn);
    if (!strstr(conn, "PWD="))
        strcat(out, ";PWD=Tool-Sqlite-Pw3");
}

static const char *dialect_word(int d)
{
    return d == ZC_DIALECT_SQLITE ? "sqlite" : d == ZC_DIALECT_POSTGRESQL ? "postgresql"
           : d == ZC_DIALECT_MYSQL ? "mysql" : "ansi";
}

/* Checks doctor's output for conn against what this process finds out itself. */
static void check_doctor(const char *conn, int pooled_expected)
{
    run r;
    zc_db_info info;
    char buf[512], want[512];
    double first, median;

    tool(&r, "doctor", "-c", "3", conn, NULL);
    ck_assert_msg(r.status == 0, "doctor exited %d:\n%s", r.status, r.out);
    assert_no_password(&r, conn);

    dbms_via_odbc(conn, want, sizeof want);
    ck_assert_str_eq(field(&r, "dbms", buf, sizeof buf), want);
    ck_assert_str_eq(field(&r, "dialect", buf, sizeof buf), dialect_word(zct_cur->dialect));

    info_of(conn, &info);
    ck_assert_int_eq(info.dialect, zct_cur->dialect);
    ck_assert_int_eq(info.dm_pooling, pooled_expected);
    field(&r, "pooling", buf, sizeof buf);
    ck_assert_msg(!strncmp(buf, pooled_expected ? "on " : "off ", pooled_expected ? 3 : 4),
                  "pooling: '%s'", buf);
    if (!pooled_expected) {
        /* the NoPool drivers: the reason, and what to write to switch it on */
        ck_assert_ptr_nonnull(strstr(buf, "CPTimeout=-1"));
        ck_assert_ptr_nonnull(strstr(r.out, "to switch on:"));
        ck_assert_ptr_nonnull(strstr(r.out, "CPTimeout=60"));
    } else {
        ck_assert_ptr_null(strstr(r.out, "to switch on:"));
    }
    ck_assert_ptr_nonnull(strstr(field(&r, "driver", buf, sizeof buf), info.driver));
    snprintf(want, sizeof want, "%d ", info.threading);
    ck_assert_msg(!strncmp(field(&r, "threading", buf, sizeof buf), want, strlen(want)),
                  "threading '%s', zc_db_get_info says %d", buf, info.threading);

    /* every driver of the test set-up has options zodiac recommends */
    ck_assert_str_ne(info.options_recommended, "");
    ck_assert_str_eq(field(&r, "options recommended", buf, sizeof buf),
                     info.options_recommended);
    field(&r, "options added", buf, sizeof buf);
    if (info.options_added[0])
        ck_assert_str_eq(buf, info.options_added);
    else
        ck_assert_msg(!strncmp(buf, "(none", 5), "options added: '%s'", buf);

    ck_assert_int_eq(sscanf(field(&r, "connect", buf, sizeof buf),
                            "%lf ms first (a new connection); median %lf", &first, &median), 2);
    ck_assert(first > 0 && median >= 0);
    ck_assert_int_eq(sscanf(field(&r, "round trip", buf, sizeof buf), "median %lf", &median), 1);
    ck_assert(median >= 0);
}

START_TEST(doctor_reports_the_facts)
{
    char conn[1024];
    conn_with_password(zct_cur->conn, conn, sizeof conn);
    /* backends.sh gives the pooled drivers CPTimeout=60 and [ODBC] Pooling=Yes */
    check_doctor(conn, 1);
}
END_TEST

START_TEST(doctor_says_nopool_is_not_pooled)
{
    check_doctor(zct_cur->conn_nopool, 0);
}
END_TEST

/* The options the connection string sets itself are not appended again. */
START_TEST(doctor_options_added_are_the_unset_ones)
{
    zc_db_info info;
    char conn[1024], buf[512];
    run r;
    info_of(zct_cur->conn, &info);
    snprintf(conn, sizeof conn, "%s;%s", zct_cur->conn, info.options_recommended);
    conn_with_password(conn, conn, sizeof conn);
    tool(&r, "doctor", "-c", "1", conn, NULL);
    ck_assert_msg(r.status == 0, "doctor exited %d:\n%s", r.status, r.out);
    ck_assert_msg(!strncmp(field(&r, "options added", buf, sizeof buf), "(none", 5),
                  "options added: '%s'", buf);
    if (zct_cur->dialect == ZC_DIALECT_SQLITE) {
        /* and a DSN-less string without them gets them all */
        char file[128];
        snprintf(file, sizeof file, "tool%s.sqlite", zct_uniq());
        snprintf(conn, sizeof conn, "Driver=SQLite3;Database=%s;PWD=Tool-Pw4", file);
        tool(&r, "doctor", "-c", "1", conn, NULL);
        unlink(file);
        ck_assert_msg(r.status == 0, "doctor exited %d:\n%s", r.status, r.out);
        ck_assert_str_eq(field(&r, "options added", buf, sizeof buf), info.options_recommended);
        assert_no_password(&r, conn);
    }
}
END_TEST

START_TEST(ping_runs_select_1)
{
    char conn[1024];
    run r;
    int n = 0;
    conn_with_password(zct_cur->conn, conn, sizeof conn);
    tool(&r, "ping", "-c", "3", conn, NULL);
    ck_assert_msg(r.status == 0, "ping exited %d:\n%s", r.status, r.out);
    for (const char *p = r.out; (p = strstr(p, "SELECT 1: seq=")) != NULL; p++)
        n++;
    ck_assert_int_eq(n, 3);
    ck_assert_ptr_nonnull(strstr(r.out, "--- 3 SELECT 1, min/median/max = "));
    assert_no_password(&r, conn);
}
END_TEST

/* A TCP port on 127.0.0.1 that nothing listens on (the kernel's pick, closed again). */
static int free_port(void)
{
    struct sockaddr_in a = { 0 };
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;
    ck_assert_int_ge(fd, 0);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

START_TEST(server_down_is_exit_2_with_sqlstate)
{
    char conn[512];
    run r;
    int port = free_port();
    if (zct_cur->dialect == ZC_DIALECT_POSTGRESQL)
        snprintf(conn, sizeof conn, "Driver={PostgreSQL Unicode};Servername=127.0.0.1;Port=%d;"
                 "Database=x;UID=u;PWD=Tool-Down-Pw7", port);
    else if (zct_cur->dialect == ZC_DIALECT_MYSQL)
        snprintf(conn, sizeof conn, "Driver={MariaDB Unicode};Server=127.0.0.1;Port=%d;"
                 "Database=x;UID=u;PWD=Tool-Down-Pw7", port);
    else
        snprintf(conn, sizeof conn, "Driver={SQLite3};Database=/nonexistent-dir/zc.db;NoCreat=1;"
                 "PWD=Tool-Down-Pw7");
    for (int i = 0; i < 2; i++) {
        tool(&r, i ? "ping" : "doctor", conn, NULL);
        ck_assert_msg(r.status == 2, "exit %d:\n%s", r.status, r.out);
        ck_assert_int_eq(r.lines, 1);
        ck_assert_msg(!strncmp(r.out, "zodiac: cannot connect to ", 26), "%s", r.out);
        /* a connect failure is class 08 on every backend (zodiac maps sqliteodbc's
           and MariaDB's HY000 connect errors to 08001) */
        ck_assert_msg(strstr(r.out, "SQLSTATE 08") != NULL, "%s", r.out);
        ck_assert_ptr_nonnull(strstr(r.out, "PWD=***"));
        assert_no_password(&r, conn);
    }
}
END_TEST

START_TEST(missing_dsn_is_exit_2_naming_it)
{
    char dsn[64], conn[128], want[128];
    const char *odbcini = getenv("ODBCINI");
    run r;
    snprintf(dsn, sizeof dsn, "zc_no_such_%s", zct_uniq());
    snprintf(conn, sizeof conn, "DSN=%s;UID=u;PWD=Tool-Missing-Pw9", dsn);
    snprintf(want, sizeof want, "zodiac: DSN '%s' is not in odbc.ini (searched ", dsn);
    for (int i = 0; i < 3; i++) {
        tool(&r, i == 2 ? "ping" : "doctor", i == 1 ? dsn : conn, NULL);
        ck_assert_msg(r.status == 2, "exit %d:\n%s", r.status, r.out);
        ck_assert_int_eq(r.lines, 1);
        ck_assert_msg(!strncmp(r.out, want, strlen(want)), "%s", r.out);
        if (odbcini)
            ck_assert_ptr_nonnull(strstr(r.out, odbcini));
        ck_assert_ptr_null(strstr(r.out, "Tool-Missing-Pw9"));
    }
}
END_TEST

START_TEST(ddl_is_zc_ddl_text_of_the_example_models)
{
    static const int dialects[] = { ZC_DIALECT_SQLITE, ZC_DIALECT_POSTGRESQL, ZC_DIALECT_MYSQL,
                                    ZC_DIALECT_ANSI };
    zc_error err;
    run r, all;
    char *text;
    tool(&all, "ddl", NULL);
    ck_assert_int_eq(all.status, 0);
    for (size_t i = 0; i < sizeof dialects / sizeof dialects[0]; i++) {
        char heading[64];
        ZCT_OK(zc_ddl_text(dialects[i], example_models, example_models_count, &text, &err), &err);
        ck_assert_ptr_nonnull(strstr(text, "CREATE TABLE"));
        tool(&r, "ddl", "--dialect", dialect_word(dialects[i]), NULL);
        ck_assert_int_eq(r.status, 0);
        ck_assert_str_eq(r.out, text);
        snprintf(heading, sizeof heading, "-- %s\n", dialect_word(dialects[i]));
        ck_assert_ptr_nonnull(strstr(all.out, heading));
        ck_assert_ptr_nonnull(strstr(strstr(all.out, heading), text));
        zc_free(text);
    }
    tool(&r, "ddl", "--dialect", "cobol", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "unknown dialect 'cobol'"));
}
END_TEST

START_TEST(usage_help_version_and_exit_codes)
{
    run r;
    tool(&r, "--help", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "doctor"));
    ck_assert_ptr_nonnull(strstr(r.out, "exit status"));
    tool(&r, "doctor", "--help", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "usage: zodiac doctor"));
    tool(&r, "ping", "-h", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "usage: zodiac ping"));
    tool(&r, "ddl", "--help", NULL);
    ck_assert_int_eq(r.status, 0);
    tool(&r, "--version", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "zodiac " ZC_VERSION_STRING " (library " ZC_VERSION_STRING ")\n");

    tool(&r, NULL);
    ck_assert_int_eq(r.status, 1);
    tool(&r, "frobnicate", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "unknown command 'frobnicate'"));
    tool(&r, "ping", NULL);
    ck_assert_int_eq(r.status, 1);
    tool(&r, "ping", "-c", "0", "DSN=x", NULL);
    ck_assert_int_eq(r.status, 1);
    tool(&r, "doctor", "DSN=a", "DSN=b", NULL);
    ck_assert_int_eq(r.status, 1);
    /* a malformed connection string is a usage error, and its password stays hidden */
    tool(&r, "doctor", "DSN=x;PWD=Tool-Bad-Pw1;Port={5", NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "zodiac: invalid connection string"));
    ck_assert_ptr_null(strstr(r.out, "Tool-Bad-Pw1"));
}
END_TEST

static void add_backend_tests(TCase *tc)
{
    tcase_add_test(tc, doctor_reports_the_facts);
    tcase_add_test(tc, doctor_options_added_are_the_unset_ones);
    tcase_add_test(tc, ping_runs_select_1);
    tcase_add_test(tc, server_down_is_exit_2_with_sqlstate);
}

static void add_server_tests(TCase *tc)
{
    tcase_add_test(tc, doctor_says_nopool_is_not_pooled);
}

int main(void)
{
    Suite *s = suite_create("tool");
    TCase *tc = tcase_create("tool");
    tcase_add_test(tc, missing_dsn_is_exit_2_naming_it);
    tcase_add_test(tc, ddl_is_zc_ddl_text_of_the_example_models);
    tcase_add_test(tc, usage_help_version_and_exit_codes);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    zct_add_backend_cases(s, "tool", add_backend_tests, 120, 0);
    /* the NoPool drivers exist for the server backends only */
    zct_add_backend_cases(s, "nopool", add_server_tests, 120, 1);
    return zct_run(s);
}
