/* SPDX-License-Identifier: MIT */
/*
 * The raw side of the benchmark: what a competent programmer writes with plain
 * ODBC for each workload. One SQLHENV; SQLPrepare once per workload;
 * SQLBindParameter / SQLBindCol once; SQLExecute in a loop; autocommit off and
 * one commit. Nothing zodiac-specific: only the connection string (and so the
 * driver options) is the same as zodiac's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

static SQLHENV env;

/* Exits with the diagnostics of a failed ODBC call. */
static void odbc_die(SQLSMALLINT type, SQLHANDLE h, const char *what)
{
    SQLCHAR state[6] = "", msg[512] = "";
    SQLINTEGER native = 0;
    SQLSMALLINT len = 0;
    if (h)
        SQLGetDiagRec(type, h, 1, state, &native, msg, sizeof msg, &len);
    bench_die("raw: %s failed: [%s] (%ld) %s", what, (char *)state, (long)native, (char *)msg);
}

#define CHECK(rc, type, h, what)                                                                   \
    do {                                                                                           \
        SQLRETURN rc_ = (rc);                                                                      \
        if (!SQL_SUCCEEDED(rc_))                                                                   \
            odbc_die((type), (h), (what));                                                         \
    } while (0)
#define SCHECK(rc, h, what) CHECK(rc, SQL_HANDLE_STMT, h, what)
#define DCHECK(rc, h, what) CHECK(rc, SQL_HANDLE_DBC, h, what)

void raw_init(void)
{
    CHECK(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env), SQL_HANDLE_ENV, NULL,
          "SQLAllocHandle(ENV)");
    CHECK(SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0), SQL_HANDLE_ENV,
          env, "SQLSetEnvAttr(ODBC_VERSION)");
}

void raw_done(void)
{
    if (env)
        SQLFreeHandle(SQL_HANDLE_ENV, env);
    env = NULL;
}

/* Connect, autocommit off. Shared by raw_connect and W5's loop. */
static SQLHDBC connect_once(const char *conn)
{
    SQLHDBC dbc;
    CHECK(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc), SQL_HANDLE_ENV, env, "SQLAllocHandle(DBC)");
    DCHECK(
        SQLDriverConnect(dbc, NULL, (SQLCHAR *)conn, SQL_NTS, NULL, 0, NULL, SQL_DRIVER_NOPROMPT),
        dbc, "SQLDriverConnect");
    DCHECK(SQLSetConnectAttr(dbc, SQL_ATTR_AUTOCOMMIT, (SQLPOINTER)SQL_AUTOCOMMIT_OFF, 0), dbc,
           "SQLSetConnectAttr(AUTOCOMMIT_OFF)");
    return dbc;
}

SQLHDBC raw_connect(const char *conn)
{
    return connect_once(conn);
}

void raw_disconnect(SQLHDBC *dbc)
{
    if (!*dbc)
        return;
    SQLEndTran(SQL_HANDLE_DBC, *dbc, SQL_ROLLBACK);
    SQLDisconnect(*dbc);
    SQLFreeHandle(SQL_HANDLE_DBC, *dbc);
    *dbc = NULL;
}

void raw_exec(SQLHDBC dbc, const char *sql)
{
    SQLHSTMT h;
    SQLRETURN rc;
    DCHECK(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h), dbc, "SQLAllocHandle(STMT)");
    rc = SQLExecDirect(h, (SQLCHAR *)sql, SQL_NTS);
    if (rc != SQL_NO_DATA)
        SCHECK(rc, h, sql);
    SQLFreeHandle(SQL_HANDLE_STMT, h);
    DCHECK(SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT), dbc, "commit");
}

long raw_backend_id(SQLHDBC dbc, int key_method)
{
    const char *sql = key_method == RAW_KEY_RETURNING        ? "SELECT pg_backend_pid()"
                      : key_method == RAW_KEY_LAST_INSERT_ID ? "SELECT CONNECTION_ID()"
                                                             : NULL;
    SQLHSTMT h;
    SQLBIGINT id = -1;
    SQLLEN ind = 0;
    if (!sql)
        return -1;
    DCHECK(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h), dbc, "SQLAllocHandle(STMT)");
    SCHECK(SQLExecDirect(h, (SQLCHAR *)sql, SQL_NTS), h, sql);
    SCHECK(SQLBindCol(h, 1, SQL_C_SBIGINT, &id, 0, &ind), h, "SQLBindCol");
    SCHECK(SQLFetch(h), h, "SQLFetch");
    SQLFreeHandle(SQL_HANDLE_STMT, h);
    SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT);
    return (long)id;
}

/* ---- W1 / W2: inserts --------------------------------------------------------- */

/* One row's parameters, in the order of the INSERT's columns. */
typedef struct raw_in {
    SQL_TIMESTAMP_STRUCT created, updated;
    char username[64];
    char email[128];
    SQLINTEGER score;
    SQLLEN ind_created, ind_updated, ind_username, ind_email, ind_score;
} raw_in;

static const char insert_sql[] =
    "INSERT INTO " BENCH_TABLE " (created_at, updated_at, username, email, score) "
    "VALUES (?, ?, ?, ?, ?)";

static void ts_now(SQL_TIMESTAMP_STRUCT *t)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    t->year = (SQLSMALLINT)(tm.tm_year + 1900);
    t->month = (SQLUSMALLINT)(tm.tm_mon + 1);
    t->day = (SQLUSMALLINT)tm.tm_mday;
    t->hour = (SQLUSMALLINT)tm.tm_hour;
    t->minute = (SQLUSMALLINT)tm.tm_min;
    t->second = (SQLUSMALLINT)tm.tm_sec;
    t->fraction = (SQLUINTEGER)(ts.tv_nsec / 1000 * 1000); /* microseconds, in ns */
}

/* Binds the five parameters of insert_sql to *in (stride: sizeof *in when arrays are on). */
static void bind_insert(SQLHSTMT h, raw_in *in)
{
    SCHECK(SQLBindParameter(h, 1, SQL_PARAM_INPUT, SQL_C_TYPE_TIMESTAMP, SQL_TYPE_TIMESTAMP, 26, 6,
                            &in->created, sizeof in->created, &in->ind_created),
           h, "bind created_at");
    SCHECK(SQLBindParameter(h, 2, SQL_PARAM_INPUT, SQL_C_TYPE_TIMESTAMP, SQL_TYPE_TIMESTAMP, 26, 6,
                            &in->updated, sizeof in->updated, &in->ind_updated),
           h, "bind updated_at");
    SCHECK(SQLBindParameter(h, 3, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 63, 0, in->username,
                            sizeof in->username, &in->ind_username),
           h, "bind username");
    SCHECK(SQLBindParameter(h, 4, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 127, 0, in->email,
                            sizeof in->email, &in->ind_email),
           h, "bind email");
    SCHECK(SQLBindParameter(h, 5, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 10, 0, &in->score, 0,
                            &in->ind_score),
           h, "bind score");
}

static void fill_in(raw_in *in, const BenchUser *u, const SQL_TIMESTAMP_STRUCT *now)
{
    size_t ln = strlen(u->username), le = strlen(u->email);
    in->created = *now;
    in->updated = *now;
    memcpy(in->username, u->username, ln + 1);
    memcpy(in->email, u->email, le + 1);
    in->score = u->score;
    in->ind_created = in->ind_updated = in->ind_score = 0;
    in->ind_username = (SQLLEN)ln;
    in->ind_email = (SQLLEN)le;
}

double raw_w1(SQLHDBC dbc, int key_method, const BenchUser *rows, size_t n, int64_t *last_id)
{
    SQLHSTMT ins, key = NULL;
    raw_in in;
    SQLBIGINT id = 0;
    SQLLEN id_ind = 0;
    double t0, t1;
    char sql[sizeof insert_sql + 16];

    memset(&in, 0, sizeof in);
    t0 = bench_start();
    DCHECK(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &ins), dbc, "SQLAllocHandle(STMT)");
    snprintf(sql, sizeof sql, "%s%s", insert_sql,
             key_method == RAW_KEY_RETURNING ? " RETURNING id" : "");
    SCHECK(SQLPrepare(ins, (SQLCHAR *)sql, SQL_NTS), ins, "SQLPrepare(INSERT)");
    bind_insert(ins, &in);
    if (key_method == RAW_KEY_RETURNING) {
        SCHECK(SQLBindCol(ins, 1, SQL_C_SBIGINT, &id, 0, &id_ind), ins, "SQLBindCol(id)");
    } else {
        DCHECK(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &key), dbc, "SQLAllocHandle(STMT)");
        SCHECK(SQLPrepare(key,
                          (SQLCHAR *)(key_method == RAW_KEY_LAST_INSERT_ID
                                          ? "SELECT LAST_INSERT_ID()"
                                          : "SELECT last_insert_rowid()"),
                          SQL_NTS),
               key, "SQLPrepare(last id)");
        SCHECK(SQLBindCol(key, 1, SQL_C_SBIGINT, &id, 0, &id_ind), key, "SQLBindCol(id)");
    }
    for (size_t i = 0; i < n; i++) {
        SQL_TIMESTAMP_STRUCT now;
        ts_now(&now);
        fill_in(&in, &rows[i], &now);
        SCHECK(SQLExecute(ins), ins, "SQLExecute(INSERT)");
        if (key_method == RAW_KEY_RETURNING) {
            SCHECK(SQLFetch(ins), ins, "SQLFetch(RETURNING)");
            SQLFreeStmt(ins, SQL_CLOSE);
        } else {
            SCHECK(SQLExecute(key), key, "SQLExecute(last id)");
            SCHECK(SQLFetch(key), key, "SQLFetch(last id)");
            SQLFreeStmt(key, SQL_CLOSE);
        }
    }
    DCHECK(SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT), dbc, "commit");
    SQLFreeHandle(SQL_HANDLE_STMT, ins);
    if (key)
        SQLFreeHandle(SQL_HANDLE_STMT, key);
    t1 = bench_stop();
    *last_id = id;
    return t1 - t0;
}

double raw_w2(SQLHDBC dbc, const BenchUser *rows, size_t n, size_t batch)
{
    SQLHSTMT h;
    raw_in *in;
    SQLUSMALLINT *status;
    SQLULEN processed = 0;
    SQL_TIMESTAMP_STRUCT now;
    double t0, t1;

    if (batch == 0 || batch > n)
        batch = n;
    in = calloc(batch, sizeof *in);
    status = calloc(batch, sizeof *status);
    if (!in || !status)
        bench_die("out of memory");
    t0 = bench_start();
    DCHECK(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h), dbc, "SQLAllocHandle(STMT)");
    SCHECK(SQLPrepare(h, (SQLCHAR *)insert_sql, SQL_NTS), h, "SQLPrepare(INSERT)");
    SCHECK(SQLSetStmtAttr(h, SQL_ATTR_PARAM_BIND_TYPE, (SQLPOINTER)sizeof(raw_in), 0), h,
           "PARAM_BIND_TYPE");
    SCHECK(SQLSetStmtAttr(h, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)batch, 0), h, "PARAMSET_SIZE");
    SCHECK(SQLSetStmtAttr(h, SQL_ATTR_PARAM_STATUS_PTR, status, 0), h, "PARAM_STATUS_PTR");
    SCHECK(SQLSetStmtAttr(h, SQL_ATTR_PARAMS_PROCESSED_PTR, &processed, 0), h,
           "PARAMS_PROCESSED_PTR");
    bind_insert(h, in);
    ts_now(&now);
    for (size_t done = 0; done < n;) {
        size_t k = n - done < batch ? n - done : batch;
        if (k != batch)
            SCHECK(SQLSetStmtAttr(h, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)k, 0), h, "PARAMSET_SIZE");
        for (size_t j = 0; j < k; j++)
            fill_in(&in[j], &rows[done + j], &now);
        SCHECK(SQLExecute(h), h, "SQLExecute(INSERT array)");
        /* psqlODBC reports one result per parameter set: drain them. */
        while (SQLMoreResults(h) == SQL_SUCCESS)
            ;
        if (processed != k)
            bench_die("raw W2: %lu of %zu parameter sets processed", (unsigned long)processed, k);
        done += k;
    }
    DCHECK(SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT), dbc, "commit");
    SQLFreeHandle(SQL_HANDLE_STMT, h);
    t1 = bench_stop();
    free(in);
    free(status);
    return t1 - t0;
}

/*
 * W2 with column-wise parameter arrays: one array per column. The same straightforward
 * code in the other layout ODBC offers; MariaDB Connector/ODBC sends a parameter array
 * as one bulk command (COM_STMT_BULK_EXECUTE) only in this layout, and one
 * COM_STMT_EXECUTE per row with row-wise binding.
 */
typedef struct raw_cols {
    SQL_TIMESTAMP_STRUCT *created, *updated;
    char (*username)[64];
    char (*email)[128];
    SQLINTEGER *score;
    SQLLEN *ind_ts, *ind_username, *ind_email, *ind_score;
} raw_cols;

double raw_w2_columns(SQLHDBC dbc, const BenchUser *rows, size_t n, size_t batch)
{
    SQLHSTMT h;
    raw_cols c;
    SQLUSMALLINT *status;
    SQLULEN processed = 0;
    SQL_TIMESTAMP_STRUCT now;
    double t0, t1;

    if (batch == 0 || batch > n)
        batch = n;
    c.created = calloc(batch, sizeof *c.created);
    c.updated = calloc(batch, sizeof *c.updated);
    c.username = calloc(batch, sizeof *c.username);
    c.email = calloc(batch, sizeof *c.email);
    c.score = calloc(batch, sizeof *c.score);
    c.ind_ts = calloc(batch, sizeof *c.ind_ts); /* all 0: both timestamps are never NULL */
    c.ind_username = calloc(batch, sizeof *c.ind_username);
    c.ind_email = calloc(batch, sizeof *c.ind_email);
    c.ind_score = calloc(batch, sizeof *c.ind_score);
    status = calloc(batch, sizeof *status);
    if (!c.created || !c.updated || !c.username || !c.email || !c.score || !c.ind_ts ||
        !c.ind_username || !c.ind_email || !c.ind_score || !status)
        bench_die("out of memory");
    t0 = bench_start();
    DCHECK(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h), dbc, "SQLAllocHandle(STMT)");
    SCHECK(SQLPrepare(h, (SQLCHAR *)insert_sql, SQL_NTS), h, "SQLPrepare(INSERT)");
    SCHECK(SQLSetStmtAttr(h, SQL_ATTR_PARAM_BIND_TYPE, (SQLPOINTER)SQL_PARAM_BIND_BY_COLUMN, 0), h,
           "PARAM_BIND_TYPE");
    SCHECK(SQLSetStmtAttr(h, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)batch, 0), h, "PARAMSET_SIZE");
    SCHECK(SQLSetStmtAttr(h, SQL_ATTR_PARAM_STATUS_PTR, status, 0), h, "PARAM_STATUS_PTR");
    SCHECK(SQLSetStmtAttr(h, SQL_ATTR_PARAMS_PROCESSED_PTR, &processed, 0), h,
           "PARAMS_PROCESSED_PTR");
    SCHECK(SQLBindParameter(h, 1, SQL_PARAM_INPUT, SQL_C_TYPE_TIMESTAMP, SQL_TYPE_TIMESTAMP, 26, 6,
                            c.created, sizeof *c.created, c.ind_ts),
           h, "bind created_at");
    SCHECK(SQLBindParameter(h, 2, SQL_PARAM_INPUT, SQL_C_TYPE_TIMESTAMP, SQL_TYPE_TIMESTAMP, 26, 6,
                            c.updated, sizeof *c.updated, c.ind_ts),
           h, "bind updated_at");
    SCHECK(SQLBindParameter(h, 3, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 63, 0, c.username,
                            sizeof *c.username, c.ind_username),
           h, "bind username");
    SCHECK(SQLBindParameter(h, 4, SQL_PARAM_INPUT, SQL_C_CHAR, SQL_VARCHAR, 127, 0, c.email,
                            sizeof *c.email, c.ind_email),
           h, "bind email");
    SCHECK(SQLBindParameter(h, 5, SQL_PARAM_INPUT, SQL_C_SLONG, SQL_INTEGER, 10, 0, c.score, 0,
                            c.ind_score),
           h, "bind score");
    ts_now(&now);
    for (size_t done = 0; done < n;) {
        size_t k = n - done < batch ? n - done : batch;
        if (k != batch)
            SCHECK(SQLSetStmtAttr(h, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)k, 0), h, "PARAMSET_SIZE");
        for (size_t j = 0; j < k; j++) {
            const BenchUser *u = &rows[done + j];
            size_t ln = strlen(u->username), le = strlen(u->email);
            c.created[j] = now;
            c.updated[j] = now;
            memcpy(c.username[j], u->username, ln + 1);
            memcpy(c.email[j], u->email, le + 1);
            c.score[j] = u->score;
            c.ind_username[j] = (SQLLEN)ln;
            c.ind_email[j] = (SQLLEN)le;
        }
        SCHECK(SQLExecute(h), h, "SQLExecute(INSERT array)");
        while (SQLMoreResults(h) == SQL_SUCCESS)
            ;
        if (processed != k)
            bench_die("raw W2: %lu of %zu parameter sets processed", (unsigned long)processed, k);
        done += k;
    }
    DCHECK(SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT), dbc, "commit");
    SQLFreeHandle(SQL_HANDLE_STMT, h);
    t1 = bench_stop();
    free(c.created);
    free(c.updated);
    free(c.username);
    free(c.email);
    free(c.score);
    free(c.ind_ts);
    free(c.ind_username);
    free(c.ind_email);
    free(c.ind_score);
    free(status);
    return t1 - t0;
}

/* ---- W3 / W4 / W5: reads ----------------------------------------------------- */

/* One fetched row: the raw program's own struct, timestamps as ODBC gives them. */
typedef struct raw_row {
    SQLBIGINT id;
    SQL_TIMESTAMP_STRUCT created, updated;
    char username[64];
    char email[128];
    SQLINTEGER score;
    SQLLEN ind[6];
} raw_row;

/* Binds the six columns of BENCH_COLS to *r (row-wise stride set by the caller). */
static void bind_row(SQLHSTMT h, raw_row *r)
{
    SCHECK(SQLBindCol(h, 1, SQL_C_SBIGINT, &r->id, 0, &r->ind[0]), h, "SQLBindCol(id)");
    SCHECK(SQLBindCol(h, 2, SQL_C_TYPE_TIMESTAMP, &r->created, sizeof r->created, &r->ind[1]), h,
           "SQLBindCol(created_at)");
    SCHECK(SQLBindCol(h, 3, SQL_C_TYPE_TIMESTAMP, &r->updated, sizeof r->updated, &r->ind[2]), h,
           "SQLBindCol(updated_at)");
    SCHECK(SQLBindCol(h, 4, SQL_C_CHAR, r->username, sizeof r->username, &r->ind[3]), h,
           "SQLBindCol(username)");
    SCHECK(SQLBindCol(h, 5, SQL_C_CHAR, r->email, sizeof r->email, &r->ind[4]), h,
           "SQLBindCol(email)");
    SCHECK(SQLBindCol(h, 6, SQL_C_SLONG, &r->score, 0, &r->ind[5]), h, "SQLBindCol(score)");
}

double raw_w3(SQLHDBC dbc, size_t n, size_t rowset, size_t *got, int64_t *sum)
{
    SQLHSTMT h;
    raw_row *rows;
    SQLULEN fetched = 0, offset = 0;
    size_t cap = n + rowset, total = 0;
    double t0, t1;
    int64_t s = 0;

    /* The rows land straight in the result array: the rowset's bind offset moves along it. */
    rows = malloc(cap * sizeof *rows);
    if (!rows)
        bench_die("out of memory");
    memset(rows, 0, cap * sizeof *rows); /* fault the pages in before the timer */
    t0 = bench_start();
    DCHECK(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h), dbc, "SQLAllocHandle(STMT)");
    SCHECK(
        SQLPrepare(h, (SQLCHAR *)"SELECT " BENCH_COLS " FROM " BENCH_TABLE " ORDER BY id", SQL_NTS),
        h, "SQLPrepare(SELECT)");
    SCHECK(SQLSetStmtAttr(h, SQL_ATTR_ROW_BIND_TYPE, (SQLPOINTER)sizeof(raw_row), 0), h,
           "ROW_BIND_TYPE");
    SCHECK(SQLSetStmtAttr(h, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)rowset, 0), h, "ROW_ARRAY_SIZE");
    SCHECK(SQLSetStmtAttr(h, SQL_ATTR_ROWS_FETCHED_PTR, &fetched, 0), h, "ROWS_FETCHED_PTR");
    SCHECK(SQLSetStmtAttr(h, SQL_ATTR_ROW_BIND_OFFSET_PTR, &offset, 0), h, "ROW_BIND_OFFSET_PTR");
    bind_row(h, &rows[0]);
    SCHECK(SQLExecute(h), h, "SQLExecute(SELECT)");
    for (;;) {
        SQLRETURN rc = SQLFetch(h);
        if (rc == SQL_NO_DATA)
            break;
        SCHECK(rc, h, "SQLFetch");
        total += fetched;
        if (total + rowset > cap)
            break; /* the table holds more rows than asked for */
        offset = total * sizeof(raw_row);
    }
    SQLFreeStmt(h, SQL_CLOSE);
    DCHECK(SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT), dbc, "commit");
    SQLFreeHandle(SQL_HANDLE_STMT, h);
    t1 = bench_stop();
    for (size_t i = 0; i < total; i++)
        s += rows[i].id + rows[i].score;
    free(rows);
    *got = total;
    *sum = s;
    return t1 - t0;
}

static void bind_get(SQLHSTMT h, SQLBIGINT *id, SQLLEN *id_ind, raw_row *r)
{
    SCHECK(SQLBindParameter(h, 1, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT, 19, 0, id, 0, id_ind),
           h, "bind id");
    bind_row(h, r);
}

static const char get_sql[] = "SELECT " BENCH_COLS " FROM " BENCH_TABLE " WHERE id = ?";

double raw_w4(SQLHDBC dbc, const int64_t *ids, size_t n, int64_t *sum)
{
    SQLHSTMT h;
    SQLBIGINT id = 0;
    SQLLEN id_ind = 0;
    raw_row r;
    int64_t s = 0;
    double t0, t1;

    memset(&r, 0, sizeof r);
    t0 = bench_start();
    DCHECK(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h), dbc, "SQLAllocHandle(STMT)");
    SCHECK(SQLPrepare(h, (SQLCHAR *)get_sql, SQL_NTS), h, "SQLPrepare(SELECT)");
    bind_get(h, &id, &id_ind, &r);
    for (size_t i = 0; i < n; i++) {
        SQLRETURN rc;
        id = ids[i];
        SCHECK(SQLExecute(h), h, "SQLExecute(SELECT)");
        rc = SQLFetch(h);
        if (rc != SQL_NO_DATA) {
            SCHECK(rc, h, "SQLFetch");
            s += r.id + r.score;
        }
        SQLFreeStmt(h, SQL_CLOSE);
    }
    DCHECK(SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT), dbc, "commit");
    SQLFreeHandle(SQL_HANDLE_STMT, h);
    t1 = bench_stop();
    *sum = s;
    return t1 - t0;
}

double raw_w5(const char *conn, const int64_t *ids, size_t n, int64_t *sum)
{
    SQLBIGINT id = 0;
    SQLLEN id_ind = 0;
    raw_row r;
    int64_t s = 0;
    double t0, t1;

    memset(&r, 0, sizeof r);
    t0 = bench_start();
    for (size_t i = 0; i < n; i++) {
        SQLHDBC dbc = connect_once(conn);
        SQLHSTMT h;
        SQLRETURN rc;
        DCHECK(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h), dbc, "SQLAllocHandle(STMT)");
        SCHECK(SQLPrepare(h, (SQLCHAR *)get_sql, SQL_NTS), h, "SQLPrepare(SELECT)");
        bind_get(h, &id, &id_ind, &r);
        id = ids[i];
        SCHECK(SQLExecute(h), h, "SQLExecute(SELECT)");
        rc = SQLFetch(h);
        if (rc != SQL_NO_DATA) {
            SCHECK(rc, h, "SQLFetch");
            s += r.id + r.score;
        }
        SQLFreeHandle(SQL_HANDLE_STMT, h);
        DCHECK(SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT), dbc, "commit");
        DCHECK(SQLDisconnect(dbc), dbc, "SQLDisconnect");
        SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    }
    t1 = bench_stop();
    *sum = s;
    return t1 - t0;
}

/* ---- the streaming scan of the RSS test ---------------------------------------- */

long raw_scan(SQLHDBC dbc, int64_t *sum)
{
    SQLHSTMT h;
    raw_row r;
    long n = 0;
    int64_t s = 0;

    memset(&r, 0, sizeof r);
    DCHECK(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h), dbc, "SQLAllocHandle(STMT)");
    SCHECK(SQLExecDirect(h, (SQLCHAR *)"SELECT " BENCH_COLS " FROM " BENCH_TABLE, SQL_NTS), h,
           "SQLExecDirect(SELECT)");
    bind_row(h, &r);
    for (;;) {
        SQLRETURN rc = SQLFetch(h);
        if (rc == SQL_NO_DATA)
            break;
        SCHECK(rc, h, "SQLFetch");
        s += r.id + r.score;
        n++;
    }
    SQLFreeHandle(SQL_HANDLE_STMT, h);
    SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_COMMIT);
    *sum = s;
    return n;
}
