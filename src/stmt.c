/* SPDX-License-Identifier: MIT */
/*
 * stmt: prepared statements cached per session, parameter binding from
 * zc_value, execution and fetches under the session's statement deadline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Statements a session keeps prepared; the least recently used goes first. */
#define ZC__STMT_CACHE_MAX 64

static uint64_t hash_sql(const char *s, size_t *len)
{
    uint64_t h = UINT64_C(1469598103934665603);
    const char *p = s;
    for (; *p; p++) {
        h ^= (unsigned char)*p;
        h *= UINT64_C(1099511628211);
    }
    *len = (size_t)(p - s);
    return h;
}

void zc__stmt_unprepare(zc__stmt *st)
{
    if (st && st->h) {
        SQLFreeHandle(SQL_HANDLE_STMT, st->h);
        st->h = NULL;
        st->prepared = st->ran = 0;
    }
}

void zc__stmt_free(zc__stmt *st)
{
    if (!st)
        return;
    zc__stmt_unprepare(st);
    zc__stmt_forget(st);
}

void zc__stmt_forget(zc__stmt *st)
{
    if (!st)
        return;
    free(st->sql);
    free(st->params);
    free(st->pbufs);
    free(st->cols);
    free(st->rec);
    free(st);
}

void zc__sql_set(zc__sql *q, char *text)
{
    q->text = text;
    q->hash = text ? hash_sql(text, &q->len) : 0;
    if (!text)
        q->len = 0;
}

static int stmt_get(zc_session *s, const char *sql, size_t len, uint64_t h, zc__stmt **out,
                    zc_error *err);

int zc__stmt_get(zc_session *s, const char *sql, zc__stmt **out, zc_error *err)
{
    size_t len;
    uint64_t h = hash_sql(sql, &len);
    return stmt_get(s, sql, len, h, out, err);
}

int zc__stmt_get_sql(zc_session *s, const zc__sql *q, zc__stmt **out, zc_error *err)
{
    return stmt_get(s, q->text, q->len, q->hash, out, err);
}

static int stmt_get(zc_session *s, const char *sql, size_t len, uint64_t h, zc__stmt **out,
                    zc_error *err)
{
    zc__stmt *st;
    int victim = -1;

    for (int i = 0; i < s->ncache; i++) {
        st = s->cache[i];
        if (st->hash == h && st->sql_len == len && !memcmp(st->sql, sql, len)) {
            st->last_use = ++s->tick;
            *out = st;
            return ZC_OK;
        }
    }
    if (s->ncache >= ZC__STMT_CACHE_MAX) {
        for (int i = 0; i < s->ncache; i++)
            if (!s->cache[i]->busy &&
                (victim < 0 || s->cache[i]->last_use < s->cache[victim]->last_use))
                victim = i;
    } else if (s->ncache == s->cap_cache) {
        int cap = s->cap_cache ? s->cap_cache * 2 : 8;
        zc__stmt **c = realloc(s->cache, (size_t)cap * sizeof *c);
        if (!c)
            return zc__err(err, ZC_ENOMEM, "out of memory");
        s->cache = c;
        s->cap_cache = cap;
    }
    st = calloc(1, sizeof *st);
    if (!st || !(st->sql = malloc(len + 1))) {
        free(st);
        return zc__err(err, ZC_ENOMEM, "out of memory");
    }
    memcpy(st->sql, sql, len + 1);
    st->sql_len = len;
    st->hash = h;
    st->s = s;
    st->last_use = ++s->tick;
    if (victim >= 0) {
        zc__stmt_free(s->cache[victim]);
        s->cache[victim] = st;
    } else {
        s->cache[s->ncache++] = st;
    }
    *out = st;
    return ZC_OK;
}

static int bind_one(zc__stmt *st, int i, zc_error *err)
{
    const zc__bind *b = &st->params[i];
    SQLRETURN rc = SQLBindParameter(st->h, (SQLUSMALLINT)(i + 1), SQL_PARAM_INPUT, b->ctype,
                                    b->sqltype, b->colsize, b->digits, b->ptr, b->buflen,
                                    b->ind);
    if (!SQL_SUCCEEDED(rc))
        return zc__session_fail(st->s, SQL_HANDLE_STMT, st->h, "bind parameter", err);
    return ZC_OK;
}

/*
 * Grows the parameter arrays. Bindings that pointed into the old zc_value buffers
 * are left stale on the handle; every caller rebinds them before executing.
 */
static int reserve_params(zc__stmt *st, int n, zc_error *err)
{
    zc__bind *b;
    zc__pbuf *p;
    int cap;
    if (n <= st->cap_params)
        return ZC_OK;
    cap = n < 8 ? 8 : n;
    b = calloc((size_t)cap, sizeof *b);
    p = calloc((size_t)cap, sizeof *p);
    if (!b || !p) {
        free(b);
        free(p);
        return zc__err(err, ZC_ENOMEM, "out of memory");
    }
    if (st->nparams)
        memcpy(b, st->params, (size_t)st->nparams * sizeof *b);
    free(st->params);
    free(st->pbufs);
    st->params = b;
    st->pbufs = p;
    st->cap_params = cap;
    return ZC_OK;
}

static int bind_col_h(zc__stmt *st, int i, zc_error *err)
{
    const zc__bind *b = &st->cols[i];
    SQLRETURN rc;
    if (!b->ctype)
        return ZC_OK;
    rc = SQLBindCol(st->h, (SQLUSMALLINT)(i + 1), b->ctype, b->ptr, b->buflen, b->ind);
    if (!SQL_SUCCEEDED(rc))
        return zc__session_fail(st->s, SQL_HANDLE_STMT, st->h, "bind column", err);
    return ZC_OK;
}

static int set_attr(zc__stmt *st, SQLINTEGER attr, SQLPOINTER v, zc_error *err)
{
    SQLRETURN rc = SQLSetStmtAttr(st->h, attr, v, 0);
    if (!SQL_SUCCEEDED(rc))
        return zc__session_fail(st->s, SQL_HANDLE_STMT, st->h, "set statement attribute", err);
    return ZC_OK;
}

/* Applies the array attributes to the handle. */
static int apply_arrays(zc__stmt *st, zc_error *err)
{
    int rc = ZC_OK;
    if (st->row_array_size &&
        ((rc = set_attr(st, SQL_ATTR_ROW_BIND_TYPE, (SQLPOINTER)st->row_bind_size, err)) ||
         (rc = set_attr(st, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)st->row_array_size, err)) ||
         (rc = set_attr(st, SQL_ATTR_ROWS_FETCHED_PTR, st->rows_fetched, err)) ||
         (rc = set_attr(st, SQL_ATTR_ROW_STATUS_PTR, st->row_status, err))))
        return rc;
    if (st->row_offset && (rc = set_attr(st, SQL_ATTR_ROW_BIND_OFFSET_PTR, st->row_offset, err)))
        return rc;
    if (st->paramset_size &&
        ((rc = set_attr(st, SQL_ATTR_PARAM_BIND_TYPE, (SQLPOINTER)st->param_bind_size, err)) ||
         (rc = set_attr(st, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)st->paramset_size, err)) ||
         (rc = set_attr(st, SQL_ATTR_PARAM_STATUS_PTR, st->param_status, err)) ||
         (rc = set_attr(st, SQL_ATTR_PARAMS_PROCESSED_PTR, st->params_processed, err))))
        return rc;
    return ZC_OK;
}

/* Allocates the handle and binds to it what is bound now; the SQL comes with the
   first execute (zc__stmt_execute). */
static int make_handle(zc__stmt *st, zc_error *err)
{
    zc_session *s = st->s;
    SQLRETURN rc = SQLAllocHandle(SQL_HANDLE_STMT, s->dbc, &st->h);
    int rcs;
    if (!SQL_SUCCEEDED(rc)) {
        st->h = NULL;
        return zc__session_fail(s, SQL_HANDLE_DBC, s->dbc, "allocate statement", err);
    }
    st->prepared = st->ran = 0;
    for (int i = 0; i < st->nparams; i++)
        if ((rcs = bind_one(st, i, err)) != ZC_OK) {
            zc__stmt_unprepare(st);
            return rcs;
        }
    for (int i = 0; i < st->ncols; i++)
        if ((rcs = bind_col_h(st, i, err)) != ZC_OK) {
            zc__stmt_unprepare(st);
            return rcs;
        }
    if ((rcs = apply_arrays(st, err)) != ZC_OK) {
        zc__stmt_unprepare(st);
        return rcs;
    }
    return ZC_OK;
}

int zc__stmt_bind_param(zc__stmt *st, int i, const zc__bind *b, zc_error *err)
{
    int rc;
    if (i >= st->cap_params) {
        /* grow without moving zc_value buffers others point at: they are rebound anyway */
        if ((rc = reserve_params(st, i + 1 > 2 * st->cap_params ? i + 1 : 2 * st->cap_params,
                                 err)) != ZC_OK)
            return rc;
    }
    while (st->nparams < i)
        memset(&st->params[st->nparams++], 0, sizeof(zc__bind));
    st->params[i] = *b;
    if (i >= st->nparams)
        st->nparams = i + 1;
    return st->h ? bind_one(st, i, err) : ZC_OK;
}

int zc__stmt_bind_col(zc__stmt *st, int i, const zc__bind *b, zc_error *err)
{
    if (i >= st->cap_cols) {
        int cap = i + 1 > 2 * st->cap_cols ? i + 1 : 2 * st->cap_cols;
        zc__bind *c = realloc(st->cols, (size_t)cap * sizeof *c);
        if (!c)
            return zc__err(err, ZC_ENOMEM, "out of memory");
        st->cols = c;
        st->cap_cols = cap;
    }
    while (st->ncols < i)
        memset(&st->cols[st->ncols++], 0, sizeof(zc__bind));
    st->cols[i] = *b;
    if (i >= st->ncols)
        st->ncols = i + 1;
    return st->h ? bind_col_h(st, i, err) : ZC_OK;
}

int zc__stmt_set_rowset(zc__stmt *st, SQLULEN row_size, SQLULEN nrows, SQLULEN *fetched,
                        SQLUSMALLINT *status, zc_error *err)
{
    st->row_bind_size = row_size;
    st->row_array_size = nrows;
    st->rows_fetched = fetched;
    st->row_status = status;
    return st->h ? apply_arrays(st, err) : ZC_OK;
}

int zc__stmt_set_row_offset(zc__stmt *st, SQLULEN *offset, zc_error *err)
{
    st->row_offset = offset;
    return st->h ? set_attr(st, SQL_ATTR_ROW_BIND_OFFSET_PTR, offset, err) : ZC_OK;
}

int zc__stmt_set_paramset(zc__stmt *st, SQLULEN rec_size, SQLULEN nsets, SQLUSMALLINT *status,
                          SQLULEN *processed, zc_error *err)
{
    st->param_bind_size = rec_size;
    st->paramset_size = nsets;
    st->param_status = status;
    st->params_processed = processed;
    return st->h ? apply_arrays(st, err) : ZC_OK;
}

int zc__stmt_fetch(zc__stmt *st, zc_error *err)
{
    SQLRETURN rc;
    int status;
    zc__session_arm(st->s);
    rc = SQLFetch(st->h);
    if (rc == SQL_NO_DATA)
        status = ZC_NOT_FOUND;
    else if (!SQL_SUCCEEDED(rc))
        status = zc__session_fail(st->s, SQL_HANDLE_STMT, st->h, "fetch", err);
    else
        status = ZC_OK;
    return zc__session_disarm(st->s, status, err);
}

void zc__stmt_unbind(zc__stmt *st)
{
    if (st->h) {
        SQLFreeStmt(st->h, SQL_UNBIND);
        SQLFreeStmt(st->h, SQL_RESET_PARAMS);
        if (st->row_array_size) {
            SQLSetStmtAttr(st->h, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)1, 0);
            SQLSetStmtAttr(st->h, SQL_ATTR_ROW_BIND_TYPE, (SQLPOINTER)SQL_BIND_BY_COLUMN, 0);
            SQLSetStmtAttr(st->h, SQL_ATTR_ROWS_FETCHED_PTR, NULL, 0);
            SQLSetStmtAttr(st->h, SQL_ATTR_ROW_STATUS_PTR, NULL, 0);
        }
        if (st->row_offset)
            SQLSetStmtAttr(st->h, SQL_ATTR_ROW_BIND_OFFSET_PTR, NULL, 0);
        if (st->paramset_size) {
            SQLSetStmtAttr(st->h, SQL_ATTR_PARAMSET_SIZE, (SQLPOINTER)1, 0);
            SQLSetStmtAttr(st->h, SQL_ATTR_PARAM_BIND_TYPE, (SQLPOINTER)SQL_PARAM_BIND_BY_COLUMN, 0);
            SQLSetStmtAttr(st->h, SQL_ATTR_PARAM_STATUS_PTR, NULL, 0);
            SQLSetStmtAttr(st->h, SQL_ATTR_PARAMS_PROCESSED_PTR, NULL, 0);
        }
    }
    st->nparams = 0;
    st->ncols = 0;
    st->row_bind_size = st->row_array_size = 0;
    st->param_bind_size = st->paramset_size = 0;
    st->rows_fetched = NULL;
    st->row_status = NULL;
    st->row_offset = NULL;
    st->param_status = NULL;
    st->params_processed = NULL;
    st->owner = NULL;
}

/*
 * MariaDB closes the connection under a statement larger than its max_allowed_packet,
 * and Connector/ODBC then reports a write error; the limit is checked here instead, so
 * the call says what is wrong and the session lives on.
 */
static int check_packet(const zc__stmt *st, size_t values, zc_error *err)
{
    long max = zc__session_max_packet(st->s);
    size_t total = st->sql_len + values;
    if (max <= 0 || total + 1024 <= (size_t)max)
        return ZC_OK;
    return zc__err(err, ZC_EINVAL, "the statement and its values are about %zu bytes; the "
                   "server takes at most %ld (its max_allowed_packet)", total, max);
}

int zc__stmt_bind_values(zc__stmt *st, const zc_value *v, size_t n, zc_error *err)
{
    int dialect = __atomic_load_n(&st->s->db->dialect, __ATOMIC_ACQUIRE);
    size_t bytes = 0; /* of the values, for check_packet */
    int rc;

    /* every get and delete: one integer where one integer is bound already */
    if (n == 1 && v[0].type == ZC_T_INT && st->nparams == 1 &&
        st->params[0].ctype == SQL_C_SBIGINT && st->params[0].ptr == &st->pbufs[0].u.i) {
        st->pbufs[0].u.i = v[0].v.i;
        st->pbufs[0].ind = 0;
        return ZC_OK;
    }
    if ((rc = reserve_params(st, (int)n, err)) != ZC_OK)
        return rc;
    if ((int)n < st->nparams && st->h) {
        SQLFreeStmt(st->h, SQL_RESET_PARAMS);
        st->nparams = 0;
    }
    for (size_t i = 0; i < n; i++) {
        zc__pbuf *pb = &st->pbufs[i];
        zc__bind b;
        memset(&b, 0, sizeof b);
        b.ind = &pb->ind;
        switch (v[i].type) {
        case ZC_T_NULL:
            b.ctype = SQL_C_CHAR;
            b.sqltype = SQL_VARCHAR;
            b.colsize = 1;
            b.ptr = pb->u.uuid;
            pb->ind = SQL_NULL_DATA;
            break;
        case ZC_T_INT:
            b.ctype = SQL_C_SBIGINT;
            b.sqltype = SQL_BIGINT;
            b.colsize = 19;
            b.ptr = &pb->u.i;
            pb->u.i = v[i].v.i;
            pb->ind = 0;
            break;
        case ZC_T_DOUBLE:
            if (zc__dialect_double_as_text(dialect)) {
                int len = zc__double_text(v[i].v.d, pb->u.uuid, sizeof pb->u.uuid);
                b.ctype = SQL_C_CHAR;
                b.sqltype = SQL_VARCHAR;
                b.colsize = sizeof pb->u.uuid - 1;
                b.ptr = pb->u.uuid;
                b.buflen = (SQLLEN)sizeof pb->u.uuid;
                pb->ind = len;
                break;
            }
            b.ctype = SQL_C_DOUBLE;
            b.sqltype = SQL_DOUBLE;
            b.colsize = 15;
            b.ptr = &pb->u.d;
            pb->u.d = v[i].v.d;
            pb->ind = 0;
            break;
        case ZC_T_BOOL:
            b.ctype = SQL_C_BIT;
            b.sqltype = SQL_BIT;
            b.colsize = 1;
            b.ptr = &pb->u.bit;
            pb->u.bit = v[i].v.i != 0;
            pb->ind = 0;
            break;
        case ZC_T_TEXT: {
            size_t len;
            if (!v[i].v.s)
                return zc__err(err, ZC_EINVAL, "parameter %zu: text pointer is NULL (zc_text(NULL) "
                               "gives a NULL value)", i + 1);
            len = strlen(v[i].v.s);
            if (!zc__utf8_valid(v[i].v.s, len))
                return zc__err(err, ZC_EINVAL, "parameter %zu: text is not valid UTF-8", i + 1);
            b.ctype = SQL_C_CHAR;
            b.sqltype = len > 4000 ? SQL_LONGVARCHAR : SQL_VARCHAR;
            b.colsize = len ? len : 1;
            b.ptr = (SQLPOINTER)v[i].v.s;
            b.buflen = (SQLLEN)len;
            pb->ind = (SQLLEN)len;
            break;
        }
        case ZC_T_TS:
            b.ctype = SQL_C_TYPE_TIMESTAMP;
            b.sqltype = SQL_TYPE_TIMESTAMP;
            b.colsize = 26;
            b.digits = 6;
            b.ptr = &pb->u.ts;
            b.buflen = sizeof pb->u.ts;
            if (zc__ts_to_odbc(v[i].v.ts, &pb->u.ts) != ZC_OK)
                return zc__err(err, ZC_EINVAL, "parameter %zu: timestamp %lld is outside years "
                               "1..9999", i + 1, (long long)v[i].v.ts);
            pb->ind = 0;
            break;
        case ZC_T_UUID:
            b.ctype = SQL_C_CHAR;
            b.sqltype = zc__dialect_uuid_sqltype(dialect);
            b.colsize = 36;
            b.ptr = pb->u.uuid;
            b.buflen = 37;
            zc__uuid_to_text(&v[i].v.u, pb->u.uuid);
            pb->ind = 36;
            break;
        case ZC_T_BLOB:
            if (!v[i].v.b.p && v[i].v.b.n)
                return zc__err(err, ZC_EINVAL, "parameter %zu: blob pointer is NULL", i + 1);
            b.ctype = SQL_C_BINARY;
            b.sqltype = SQL_VARBINARY;
            b.colsize = v[i].v.b.n ? v[i].v.b.n : 1;
            b.ptr = (SQLPOINTER)(v[i].v.b.p ? v[i].v.b.p : (const void *)pb->u.uuid);
            b.buflen = (SQLLEN)v[i].v.b.n;
            pb->ind = (SQLLEN)v[i].v.b.n;
            break;
        default:
            return zc__err(err, ZC_EINVAL, "parameter %zu: unknown value type %d", i + 1,
                           v[i].type);
        }
        bytes += (size_t)(b.buflen > 0 ? b.buflen : 0) + 64;
        if ((int)i >= st->nparams || memcmp(&b, &st->params[i], sizeof b) != 0) {
            st->params[i] = b;
            if (st->h && (rc = bind_one(st, (int)i, err)) != ZC_OK) {
                st->nparams = (int)i;
                return rc;
            }
        }
    }
    st->nparams = (int)n;
    /* bound, not sent: a refusal here leaves the session as it was */
    if ((rc = check_packet(st, bytes, err)) != ZC_OK)
        return rc;
    return ZC_OK;
}

/*
 * Runs the statement on its handle: SQLExecDirect the first time, SQLPrepare +
 * SQLExecute from the second time on (and for parameter arrays). psqlODBC sends a
 * direct statement as one Parse/Bind/Execute round trip, and a prepare as two more
 * (Parse, Describe) plus a DEALLOCATE when the handle is freed: a statement run once
 * in a session costs 3 round trips instead of 6 with its BEGIN and COMMIT, one run
 * several times the same as prepared at once. MariaDB Connector/ODBC saves one round
 * trip the same way; sqliteodbc compiles the SQL either way.
 *
 * psqlODBC 13.02 writes a direct statement's parameters into its text as
 * "$n::type" and cuts the type of parameter 1000 and later short ("$1000::timestam":
 * 42704): statements with that many parameters are always prepared.
 */
#define ZC__DIRECT_MAX_PARAMS 999

static int run(zc__stmt *st, zc_error *err)
{
    SQLRETURN rc;
    if (!st->ran && st->paramset_size <= 1 && st->nparams <= ZC__DIRECT_MAX_PARAMS) {
        rc = SQLExecDirect(st->h, (SQLCHAR *)st->sql, (SQLINTEGER)st->sql_len);
    } else {
        if (!st->prepared) {
            rc = SQLPrepare(st->h, (SQLCHAR *)st->sql, (SQLINTEGER)st->sql_len);
            if (!SQL_SUCCEEDED(rc))
                return zc__session_fail(st->s, SQL_HANDLE_STMT, st->h, "prepare", err);
            st->prepared = 1;
        }
        rc = SQLExecute(st->h);
    }
    st->ran = 1;
    if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA)
        return zc__session_fail(st->s, SQL_HANDLE_STMT, st->h, "execute", err);
    return ZC_OK;
}

int zc__stmt_execute(zc__stmt *st, zc_error *err)
{
    zc_session *s = st->s;
    const int echo = s->db->opts.echo && zc__log_on();
    double t0 = echo ? zc__now_ms() : 0;
    int status = ZC_OK;

    /* A statement is sent once: if its connection dies under it, the caller hears so
       (ZC_ECONN) and decides; whether the server ran it is not known. Dead pooled
       connections are replaced before a session sends anything (session.c). */
    if (!st->h)
        status = make_handle(st, err);
    if (status == ZC_OK) {
        zc__session_arm(s);
        status = zc__session_disarm(s, run(st, err), err);
    }
    if (echo)
        zc__session_echo(s, st->sql, zc__now_ms() - t0, status);
    zc__session_ran(s);
    return status;
}

void zc__stmt_close_cursor(zc__stmt *st)
{
    if (st->h)
        SQLFreeStmt(st->h, SQL_CLOSE);
}
