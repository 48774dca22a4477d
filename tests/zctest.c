/* SPDX-License-Identifier: MIT */
/* The test harness: backends of the run, fixtures, helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zctest.h"

const zct_backend *zct_cur;

static zct_backend all[3];
static int nall = -1;

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

const zct_backend *zct_backends(int *n)
{
    if (nall < 0) {
        char list[256];
        char *save = NULL;
        snprintf(list, sizeof list, "%s", env_or("ZC_TEST_BACKENDS", "sqlite"));
        nall = 0;
        for (char *w = strtok_r(list, " ,", &save); w && nall < 3; w = strtok_r(NULL, " ,", &save)) {
            zct_backend *b = &all[nall];
            if (!strcmp(w, "sqlite")) {
                b->name = "sqlite";
                b->dialect = ZC_DIALECT_SQLITE;
                b->conn = env_or("ZC_TEST_SQLITE", "Driver=SQLite3;Database=zc_test.sqlite;Timeout=5000");
                b->conn_nopool = NULL;
            } else if (!strcmp(w, "postgresql")) {
                b->name = "postgresql";
                b->dialect = ZC_DIALECT_POSTGRESQL;
                b->conn = env_or("ZC_TEST_PG", "ZC_TEST_PG-is-not-set");
                b->conn_nopool = env_or("ZC_TEST_PG_NOPOOL", "ZC_TEST_PG_NOPOOL-is-not-set");
            } else if (!strcmp(w, "mariadb")) {
                b->name = "mariadb";
                b->dialect = ZC_DIALECT_MYSQL;
                b->conn = env_or("ZC_TEST_MARIA", "ZC_TEST_MARIA-is-not-set");
                b->conn_nopool = env_or("ZC_TEST_MARIA_NOPOOL", "ZC_TEST_MARIA_NOPOOL-is-not-set");
            } else {
                fprintf(stderr, "ZC_TEST_BACKENDS: unknown backend '%s'\n", w);
                exit(2);
            }
            nall++;
        }
    }
    *n = nall;
    return all;
}

static void setup_i(int i)
{
    int n;
    zc_error err;
    const zct_backend *b = zct_backends(&n);
    zct_cur = &b[i];
    ZCT_OK(zc_db_setup(ZC_DEFAULT_DB, zct_cur->conn, NULL, &err), &err);
}
static void setup0(void) { setup_i(0); }
static void setup1(void) { setup_i(1); }
static void setup2(void) { setup_i(2); }
static void teardown(void) { zc_db_shutdown(); }

static void add_cases(Suite *s, const char *prefix, zct_add_fn add, int timeout_s,
                      int servers_only, const char *only)
{
    static void (*const setups[3])(void) = { setup0, setup1, setup2 };
    static char names[16][96]; /* TCase keeps the pointer: storage for the process */
    static int used;
    int n;
    const zct_backend *b = zct_backends(&n);
    for (int i = 0; i < n && used < 16; i++) {
        char *name = names[used];
        TCase *tc;
        if ((servers_only && !b[i].conn_nopool) || (only && strcmp(only, b[i].name)))
            continue;
        snprintf(name, sizeof names[0], "%s/%s", prefix, b[i].name);
        used++;
        tc = tcase_create(name);
        tcase_add_checked_fixture(tc, setups[i], teardown);
        tcase_set_timeout(tc, timeout_s);
        add(tc);
        suite_add_tcase(s, tc);
    }
}

void zct_add_backend_cases(Suite *s, const char *prefix, zct_add_fn add, int timeout_s,
                           int servers_only)
{
    add_cases(s, prefix, add, timeout_s, servers_only, NULL);
}

void zct_add_backend_case_named(Suite *s, const char *prefix, zct_add_fn add, int timeout_s,
                                const char *backend)
{
    add_cases(s, prefix, add, timeout_s, 0, backend);
}

static void sweep(void);

int zct_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;
    sweep();
    srunner_run_all(sr, CK_VERBOSE);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    sweep(); /* what this run's test processes left behind */
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

void zct_exec(const char *db, const char *sql)
{
    zc_session *s = NULL;
    zc_error err;
    ZCT_OK(zc_session_open(db, &s, &err), &err);
    ZCT_OK(zc_session_exec(s, sql, NULL, 0, NULL, &err), &err);
    ZCT_OK(zc_session_commit(s, &err), &err);
    zc_session_close(&s);
}

void zct_drop(const char *db, const char *table)
{
    char sql[256];
    snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", table);
    zct_exec(db, sql);
}

const char *zct_uniq(void)
{
    static char buf[32];
    static int k;
    snprintf(buf, sizeof buf, "_%ld_%d", (long)getpid(), k++);
    return buf;
}

int64_t zct_count(const char *db, const char *table)
{
    zc_error err;
    zc_session *s = NULL;
    char sql[160];
    int64_t n = -1;
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
    ZCT_OK(zc_session_open(db, &s, &err), &err);
    ZCT_OK(zc_session_query_int(s, sql, NULL, 0, &n, &err), &err);
    zc_session_close(&s);
    return n;
}

int zct_insert_name(zc_session *s, const char *table, const char *name, zc_error *err)
{
    char sql[160];
    zc_value p[] = { zc_text(name) };
    snprintf(sql, sizeof sql, "INSERT INTO %s (name) VALUES (?)", table);
    return zc_session_exec(s, sql, p, 1, NULL, err);
}

const char *zct_serial_pk(void)
{
    switch (zct_cur->dialect) {
    case ZC_DIALECT_POSTGRESQL: return "BIGSERIAL PRIMARY KEY";
    case ZC_DIALECT_MYSQL: return "BIGINT AUTO_INCREMENT PRIMARY KEY";
    default: return "INTEGER PRIMARY KEY AUTOINCREMENT";
    }
}

/* ---- catalog ------------------------------------------------------------ */

#include <errno.h>
#include <signal.h>
#include <sql.h>
#include <sqlext.h>
#include <strings.h>

static SQLHENV cat_env;

/* A connection to the current backend, or NULL: callable outside a test. */
static SQLHDBC try_connect(void)
{
    SQLHDBC dbc = SQL_NULL_HDBC;
    if (!cat_env && SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &cat_env)))
        SQLSetEnvAttr(cat_env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    if (!cat_env || !SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, cat_env, &dbc)))
        return SQL_NULL_HDBC;
    if (!SQL_SUCCEEDED(SQLDriverConnect(dbc, NULL, (SQLCHAR *)zct_cur->conn, SQL_NTS, NULL, 0,
                                        NULL, SQL_DRIVER_NOPROMPT))) {
        SQLFreeHandle(SQL_HANDLE_DBC, dbc);
        return SQL_NULL_HDBC;
    }
    return dbc;
}

static SQLHDBC cat_connect(void)
{
    SQLHDBC dbc = try_connect();
    ck_assert_msg(dbc != SQL_NULL_HDBC, "catalog connect to %s failed", zct_cur->name);
    return dbc;
}

static void cat_done(SQLHDBC dbc, SQLHSTMT h)
{
    SQLFreeHandle(SQL_HANDLE_STMT, h);
    SQLDisconnect(dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
}

int zct_catalog_columns(const char *table, zct_column *out, int cap)
{
    SQLHDBC dbc = cat_connect();
    SQLHSTMT h;
    int n = 0;
    ck_assert(SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h)));
    ck_assert(SQL_SUCCEEDED(SQLColumns(h, NULL, 0, NULL, 0, (SQLCHAR *)table, SQL_NTS, NULL, 0)));
    while (SQL_SUCCEEDED(SQLFetch(h)) && n < cap) {
        SQLLEN ind;
        SQLSMALLINT nullable = 0;
        SQLGetData(h, 4, SQL_C_CHAR, out[n].name, sizeof out[n].name, &ind);
        SQLGetData(h, 11, SQL_C_SSHORT, &nullable, 0, &ind);
        out[n].nullable = nullable == SQL_NULLABLE;
        n++;
    }
    cat_done(dbc, h);
    return n;
}

int zct_catalog_indexes(const char *table, zct_index *out, int cap)
{
    SQLHDBC dbc = cat_connect();
    SQLHSTMT h;
    int n = 0;
    ck_assert(SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h)));
    ck_assert(SQL_SUCCEEDED(SQLStatistics(h, NULL, 0, NULL, 0, (SQLCHAR *)table, SQL_NTS,
                                          SQL_INDEX_ALL, SQL_QUICK)));
    while (SQL_SUCCEEDED(SQLFetch(h)) && n < cap) {
        SQLLEN ind_name = 0, ind_col = 0, ind;
        SQLSMALLINT non_unique = 1, type = 0;
        SQLGetData(h, 4, SQL_C_SSHORT, &non_unique, 0, &ind);
        SQLGetData(h, 6, SQL_C_CHAR, out[n].name, sizeof out[n].name, &ind_name);
        SQLGetData(h, 7, SQL_C_SSHORT, &type, 0, &ind);
        SQLGetData(h, 9, SQL_C_CHAR, out[n].column, sizeof out[n].column, &ind_col);
        if (type == SQL_TABLE_STAT || ind_name == SQL_NULL_DATA)
            continue;
        out[n].unique = non_unique == SQL_FALSE;
        n++;
    }
    cat_done(dbc, h);
    return n;
}

/* ---- leftovers ---------------------------------------------------------- */

/*
 * The process id in a test table's name ("zc_users_<pid>", "zc_sess_<pid>_<k>"):
 * the first of its one or two trailing numbers; 0 when the name is not one.
 */
static long table_pid(const char *name)
{
    const char *num[2] = { NULL, NULL }, *p;
    size_t n = strlen(name);
    int k = 0;
    if (strncmp(name, "zc_", 3) != 0 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
        return 0;
    p = name + n;
    while (k < 2) {
        const char *d = p;
        while (d > name && d[-1] >= '0' && d[-1] <= '9')
            d--;
        if (d == p || d == name || d[-1] != '_')
            break;
        num[k++] = d;
        p = d - 1;
    }
    return k ? strtol(num[k - 1], NULL, 10) : 0;
}

/*
 * Drops the tables of test processes that are gone: a test that fails stops
 * before its teardown, and a killed run leaves everything. Names carry the
 * creating process's id (zct_uniq, getpid()), so a table whose process no
 * longer exists belongs to nobody. Runs before and after each suite.
 */
static void sweep_backend(void)
{
    SQLHDBC dbc;
    SQLHSTMT h = SQL_NULL_HSTMT;
    char (*names)[128] = NULL;
    size_t n = 0, cap = 0;
    /* outside any test: no ck_assert here; an unreachable backend fails its tests */
    if ((dbc = try_connect()) == SQL_NULL_HDBC)
        return;
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h))) {
        SQLDisconnect(dbc);
        SQLFreeHandle(SQL_HANDLE_DBC, dbc);
        return;
    }
    if (SQL_SUCCEEDED(SQLTables(h, NULL, 0, NULL, 0, NULL, 0, (SQLCHAR *)"TABLE", SQL_NTS))) {
        char name[128];
        SQLLEN ind;
        while (SQL_SUCCEEDED(SQLFetch(h))) {
            long pid;
            if (!SQL_SUCCEEDED(SQLGetData(h, 3, SQL_C_CHAR, name, sizeof name, &ind)) ||
                ind <= 0 || ind >= (SQLLEN)sizeof name)
                continue;
            pid = table_pid(name);
            if (pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
                continue;
            if (n == cap) {
                void *more = realloc(names, (cap ? 2 * cap : 64) * sizeof *names);
                if (!more)
                    break;
                names = more;
                cap = cap ? 2 * cap : 64;
            }
            memcpy(names[n++], name, sizeof name);
        }
    }
    SQLFreeStmt(h, SQL_CLOSE);
    for (size_t i = 0; i < n; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s", names[i]);
        SQLExecDirect(h, (SQLCHAR *)sql, SQL_NTS);
        SQLFreeStmt(h, SQL_CLOSE);
    }
    SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT);
    if (n)
        fprintf(stderr, "zctest: %s: dropped %zu tables of test processes that are gone\n",
                zct_cur->name, n);
    free(names);
    cat_done(dbc, h);
}

static void sweep(void)
{
    int n;
    const zct_backend *b = zct_backends(&n), *was = zct_cur;
    for (int i = 0; i < n; i++) {
        zct_cur = &b[i];
        sweep_backend();
    }
    zct_cur = was;
}
