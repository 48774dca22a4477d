/* SPDX-License-Identifier: MIT */
/*
 * repo: a model bound to a named database. Every operation is a prepared
 * statement from the session's cache whose parameters and result columns are
 * bound once to a record buffer owned by the statement (see map.c); rows are
 * packed into it and unpacked from it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Rows fetched per SQLFetch by find and cursors. */
#define ZC__ROWSET 256
/* Rows per page of a cursor that pages by key. */
#define ZC__PAGE_ROWS 4096

/* The SQL of one repository for one dialect, made once and then read-only. */
typedef struct zc__rsql {
    zc__map *map;
    char *cols;     /* "id, created_at, updated_at, …" */
    zc__sql insert; /* one row (zc_repo_insert, and column-wise arrays): ends in RETURNING id
                       when key says so */
    zc__sql get;
    zc__sql update;
    zc__sql del;
    zc__sql bulk;   /* insert_many's full batch of bulk_k rows (text NULL when none) */
    zc__sql last_id; /* the dialect's last-id query (text NULL when none) */
    int bulk_k;
    int key;        /* ZC__KEY_*: how an insert learns its ids, one row or many */
} zc__rsql;

struct zc_repo {
    const zc_model *m;
    char db[ZC_DB_NAME_MAX + 1];
    int routed;                   /* reads without a session go to a replica */
    pthread_mutex_t mu;           /* guards making sql[] entries */
    zc__rsql *sql[ZC_DIALECT_ANSI + 1][2]; /* by dialect, and insert_returning */
};

struct zc_cursor {
    zc__child link;        /* on its session's list: detached when the session closes */
    zc_session *s;         /* NULL once detached: every call but close is ZC_ESTATE */
    zc__stmt *st;
    const zc__rsql *q;
    SQLULEN fetched;
    SQLULEN next;
    int done;
    SQLUSMALLINT status[ZC__ROWSET];
    zc__ts_memo memo;      /* rows inserted together share their timestamps */

    /*
     * Paging by key (zc_repo_cursor): every driver zodiac knows reads a whole
     * result into memory (psqlODBC without UseDeclareFetch, MariaDB
     * Connector/ODBC 3.1, sqliteodbc without StepAPI), so a cursor reads
     * pages of ZC__PAGE_ROWS rows, each starting after the last row's key.
     */
    int paged;
    zc__order keys;        /* the ORDER BY columns, ending with id */
    char *next_sql;        /* the statement of every page after the first */
    zc_value *vals;        /* the caller's values (copied), then room for keys and limit */
    size_t nuser;
    char *copies;          /* storage of the copied text and blob values */
    unsigned char *last;   /* the last row read */
    SQLULEN page_rows;     /* rows read from the current page */
    int64_t left;          /* rows the caller's limit still allows; -1: no limit */
};

static const char i64_owner; /* marks statements bound by query_i64 */

static void rsql_free(zc__rsql *q)
{
    if (!q)
        return;
    zc__map_free(q->map);
    free(q->cols);
    free(q->insert.text);
    free(q->get.text);
    free(q->update.text);
    free(q->del.text);
    free(q->bulk.text);
    free(q->last_id.text);
    free(q);
}

static char *take(zc__buf *b)
{
    char *p = b->oom ? NULL : b->p;
    if (b->oom)
        zc__buf_free(b);
    memset(b, 0, sizeof *b);
    return p;
}

static int bind_direct(zc__stmt *st, const zc__map *map, unsigned char *row,
                       unsigned char *shadow, zc_error *err);

/* The INSERT of k rows of a map (… VALUES (…), (…)), ending in RETURNING id or not. */
static char *insert_sql(const zc__map *map, int k, int returning)
{
    int first = map->m->pk == ZC_PK_INT ? 1 : 0;
    zc__buf b = { 0 };
    zc__buf_add(&b, "INSERT INTO %s (", map->m->table);
    for (int i = first; i < map->ncols; i++)
        zc__buf_add(&b, "%s%s", i > first ? ", " : "", map->cols[i].name);
    zc__buf_add(&b, ") VALUES ");
    for (int r = 0; r < k; r++) {
        zc__buf_add(&b, "%s(", r ? ", " : "");
        for (int i = first; i < map->ncols; i++)
            zc__buf_add(&b, "%s?", i > first ? ", " : "");
        zc__buf_add(&b, ")");
    }
    zc__buf_add(&b, "%s", returning ? " RETURNING id" : "");
    return take(&b);
}

static int rsql_make(const zc_model *m, int dialect, int returning, zc__rsql **out,
                     zc_error *err)
{
    zc__rsql *q = calloc(1, sizeof *q);
    zc__buf b = { 0 };
    int st;

    if (!q)
        return zc__err(err, ZC_ENOMEM, "out of memory");
    if ((st = zc__map_make(m, dialect, &q->map, err)) != ZC_OK) {
        free(q);
        return st;
    }
    /* Ids come from what the server reports for each row: RETURNING where the server
       has it (bulk included), else the dialect's last-id query after one statement */
    q->key = m->pk != ZC_PK_INT ? ZC__KEY_NONE
             : returning        ? ZC__KEY_RETURNING
                                : zc__dialect_key_method(dialect);
    for (int i = 0; i < q->map->ncols; i++) {
        zc__buf_add(&b, "%s", i ? ", " : "");
        zc__dialect_select_col(dialect, q->map->cols[i].type, q->map->cols[i].name, &b);
    }
    q->cols = take(&b);

    zc__sql_set(&q->insert, insert_sql(q->map, 1, q->key == ZC__KEY_RETURNING));

    zc__buf_add(&b, "SELECT %s FROM %s WHERE id = ?", q->cols ? q->cols : "", m->table);
    zc__sql_set(&q->get, take(&b));

    zc__buf_add(&b, "UPDATE %s SET updated_at = ?", m->table);
    for (int i = 3; i < q->map->ncols; i++)
        zc__buf_add(&b, ", %s = ?", q->map->cols[i].name);
    zc__buf_add(&b, " WHERE id = ?");
    zc__sql_set(&q->update, take(&b));

    zc__buf_add(&b, "DELETE FROM %s WHERE id = ?", m->table);
    zc__sql_set(&q->del, take(&b));

    if (zc__dialect_last_id_sql(dialect)) {
        zc__sql_set(&q->last_id, strdup(zc__dialect_last_id_sql(dialect)));
        if (!q->last_id.text) {
            rsql_free(q);
            return zc__err(err, ZC_ENOMEM, "out of memory");
        }
    }
    q->bulk_k = zc__dialect_bulk_rows(dialect, q->map->ncols);
    if (q->bulk_k > 0)
        zc__sql_set(&q->bulk, insert_sql(q->map, q->bulk_k, q->key == ZC__KEY_RETURNING));
    if (!q->cols || !q->insert.text || !q->get.text || !q->update.text || !q->del.text ||
        (q->bulk_k > 0 && !q->bulk.text)) {
        rsql_free(q);
        return zc__err(err, ZC_ENOMEM, "out of memory");
    }
    *out = q;
    return ZC_OK;
}

/* The repository's SQL for the session's dialect, made on first use. */
static int rsql_for(zc_repo *r, zc_session *s, const zc__rsql **out, zc_error *err)
{
    int d = zc_session_dialect(s);
    int ret = d != ZC_DIALECT_UNKNOWN && s->db->insert_returning; /* set before dialect */
    zc__rsql *q = __atomic_load_n(&r->sql[d][ret], __ATOMIC_ACQUIRE);
    int st = ZC_OK;
    if (!q) {
        pthread_mutex_lock(&r->mu);
        q = r->sql[d][ret];
        if (!q && (st = rsql_make(r->m, d, ret, &q, err)) == ZC_OK)
            __atomic_store_n(&r->sql[d][ret], q, __ATOMIC_RELEASE);
        pthread_mutex_unlock(&r->mu);
    }
    *out = q;
    return st;
}

static int repo_open(const zc_model *m, const char *db_name, int routed, zc_repo **out,
                     zc_error *err);

int zc_repo_open(const zc_model *m, const char *db_name, zc_repo **out, zc_error *err)
{
    return repo_open(m, db_name, 0, out, err);
}

int zc_repo_open_routed(const zc_model *m, const char *db_name, zc_repo **out, zc_error *err)
{
    return repo_open(m, db_name, 1, out, err);
}

static int repo_open(const zc_model *m, const char *db_name, int routed, zc_repo **out,
                     zc_error *err)
{
    zc_repo *r;
    int st;
    if (!out)
        return zc__err(err, ZC_EINVAL, "zc_repo_open: out is NULL");
    *out = NULL;
    if ((st = zc_model_validate(m, err)) != ZC_OK)
        return st;
    if (!db_name)
        db_name = ZC_DEFAULT_DB;
    if ((st = zc_db_exists(db_name)) != ZC_OK)
        return zc__err(err, ZC_ENODB, "no database named '%.*s' is set up", ZC_DB_NAME_MAX,
                       db_name);
    r = calloc(1, sizeof *r);
    if (!r)
        return zc__err(err, ZC_ENOMEM, "out of memory");
    r->m = m;
    r->routed = routed;
    snprintf(r->db, sizeof r->db, "%s", db_name);
    pthread_mutex_init(&r->mu, NULL);
    *out = r;
    return ZC_OK;
}

void zc_repo_close(zc_repo **rp)
{
    zc_repo *r;
    if (!rp || !*rp)
        return;
    r = *rp;
    *rp = NULL;
    for (size_t i = 0; i < sizeof r->sql / sizeof r->sql[0]; i++) {
        rsql_free(r->sql[i][0]);
        rsql_free(r->sql[i][1]);
    }
    pthread_mutex_destroy(&r->mu);
    free(r);
}

/* ---- units of work ------------------------------------------------------ */

typedef struct uow {
    zc_session *s;
    int own;
} uow;

/*
 * Starts an operation. Without a session, a routed repository reads through a
 * routed session (a replica) and writes on its database; with one, a write moves
 * a routed session to its primary. Writes on a replica are refused here, before
 * anything reaches the server.
 */
static int uow_begin(zc_repo *r, zc_session *s, uow *u, int write, const char *what,
                     zc_error *err)
{
    int st;
    u->s = s;
    u->own = s == NULL;
    if (s && (st = zc__session_check(s, what, err)) != ZC_OK)
        return st;
    if (s && !zc__session_serves(s, r->db))
        return zc__err(err, ZC_EINVAL, "%s: the session is on database '%s', the repository "
                       "on '%s'", what, zc_session_db_name(s), r->db);
    if (s)
        return write ? zc__session_for_write(s, what, err) : ZC_OK;
    if (write && zc__db_name_is_replica(r->db))
        return zc__err(err, ZC_EREADONLY, "%s: database '%s' is a read replica; write "
                       "through its primary", what, r->db);
    if (r->routed && !write)
        return zc_session_open_routed(r->db, &u->s, err);
    if ((st = zc_session_open(r->db, &u->s, err)) == ZC_OK && write &&
        (st = zc__session_for_write(u->s, what, err)) != ZC_OK)
        zc_session_close(&u->s); /* made a replica since the check above */
    return st;
}

/* Ends an operation: a session of our own commits writes that succeeded and is closed. */
static int uow_end(uow *u, int st, int write, zc_error *err)
{
    if (!u->own)
        return st;
    if (write && st >= 0) {
        int cs = zc_session_commit(u->s, err);
        if (cs != ZC_OK)
            st = cs;
    }
    zc_session_close(&u->s);
    return st;
}

/* ---- binding ------------------------------------------------------------ */

static int ensure_rec(zc__stmt *st, size_t size, zc_error *err)
{
    if (st->rec_size < size) {
        void *p = realloc(st->rec, size);
        if (!p)
            return zc__err(err, ZC_ENOMEM, "out of memory");
        memset(p, 0, size);
        st->rec = p;
        st->rec_size = size;
    }
    return ZC_OK;
}

/* Binds columns [from, to) of the record at base as parameters first_param, … */
static int bind_param_cols(zc__stmt *st, const zc__map *map, int from, int to,
                           int first_param, unsigned char *base, zc_error *err)
{
    for (int c = from; c < to; c++) {
        zc__bind b;
        int rc;
        zc__map_bind_of(map, c, base, &b);
        if ((rc = zc__stmt_bind_param(st, first_param + c - from, &b, err)) != ZC_OK)
            return rc;
    }
    return ZC_OK;
}

/* Binds every column of the map as result columns into nrows records. */
static int bind_result(zc__stmt *st, const zc__map *map, SQLULEN nrows, SQLULEN *fetched,
                       SQLUSMALLINT *status, zc_error *err)
{
    int rc;
    if ((rc = ensure_rec(st, map->rec_size * nrows, err)) != ZC_OK)
        return rc;
    for (int c = 0; c < map->ncols; c++) {
        zc__bind b;
        zc__map_bind_result(map, c, st->rec, &b);
        if ((rc = zc__stmt_bind_col(st, c, &b, err)) != ZC_OK)
            return rc;
    }
    if (nrows > 1 || fetched)
        return zc__stmt_set_rowset(st, map->rec_size, nrows, fetched, status, err);
    return ZC_OK;
}

/* Runs a query whose first column is an integer; ZC_NOT_FOUND when it has no row. */
static int run_i64(zc__stmt *st, const zc_value *p, size_t n, int64_t *out, zc_error *err)
{
    int rc;
    if (st->owner != &i64_owner) {
        zc__bind b = { SQL_C_SBIGINT, SQL_BIGINT, 0, 0, NULL, sizeof(int64_t), NULL };
        zc__stmt_unbind(st);
        if ((rc = ensure_rec(st, 2 * sizeof(int64_t), err)) != ZC_OK)
            return rc;
        b.ptr = st->rec;
        b.ind = (SQLLEN *)(void *)((char *)st->rec + sizeof(int64_t));
        if ((rc = zc__stmt_bind_col(st, 0, &b, err)) != ZC_OK)
            return rc;
        st->owner = &i64_owner;
    }
    if ((rc = zc__stmt_bind_values(st, p, n, err)) != ZC_OK ||
        (rc = zc__stmt_execute(st, err)) != ZC_OK)
        return rc;
    rc = zc__stmt_fetch(st, err);
    if (rc == ZC_OK) {
        SQLLEN ind;
        memcpy(&ind, (char *)st->rec + sizeof(int64_t), sizeof ind);
        if (ind == SQL_NULL_DATA)
            rc = zc__err(err, ZC_EINVAL, "the query returned NULL");
        else
            memcpy(out, st->rec, sizeof *out);
    }
    zc__stmt_close_cursor(st);
    return rc;
}

static int query_i64(zc_session *s, const char *sql, const zc_value *p, size_t n, int64_t *out,
                     zc_error *err)
{
    zc__stmt *st;
    int rc = zc__stmt_get(s, sql, &st, err);
    return rc == ZC_OK ? run_i64(st, p, n, out, err) : rc;
}

/* The generated id of the session's last INSERT (ZC__KEY_SELECT). */
static int last_id(zc_session *s, const zc__rsql *q, int64_t *out, zc_error *err)
{
    zc__stmt *st;
    int rc = zc__stmt_get_sql(s, &q->last_id, &st, err);
    return rc == ZC_OK ? run_i64(st, NULL, 0, out, err) : rc;
}

static zc_value id_value(const zc_model *m, const void *id)
{
    zc_value v = { .type = ZC_T_INT };
    if (m->pk == ZC_PK_UUID)
        return zc_uuidv(*(const zc_uuid *)id);
    memcpy(&v.v.i, id, sizeof v.v.i); /* zc_int, without the call */
    return v;
}

/* now at the precision the backend keeps, strictly after `after` when given */
static zc_timestamp stamp(int dialect, zc_timestamp after)
{
    int64_t unit = zc__dialect_ts_unit(dialect);
    zc_timestamp t = zc_timestamp_now();
    if (unit > 1)
        t -= ((t % unit) + unit) % unit;
    if (after && t <= after)
        t = after - ((after % unit) + unit) % unit + unit;
    return t;
}

/* ---- operations ----------------------------------------------------------- */

/* Sets the timestamps of k rows (and a v4 id where a UUID id is nil). */
static void stamp_rows(const zc_model *m, unsigned char *rows, int k, zc_timestamp now)
{
    for (int r = 0; r < k; r++) {
        unsigned char *row = rows + (size_t)r * m->size;
        if (m->pk == ZC_PK_UUID &&
            zc_uuid_is_nil((const zc_uuid *)(const void *)(row + m->id_offset)))
            zc_uuid_v4((zc_uuid *)(void *)(row + m->id_offset));
        memcpy(row + m->created_offset, &now, sizeof now);
        memcpy(row + m->updated_offset, &now, sizeof now);
    }
}

static int insert_one(zc_session *s, const zc__rsql *q, void *row, zc_error *err)
{
    const zc__map *map = q->map;
    const zc_model *m = map->m;
    unsigned char *r = row;
    zc__stmt *st;
    int first = m->pk == ZC_PK_INT ? 1 : 0, rc;
    zc_timestamp now = stamp(map->dialect, 0);

    stamp_rows(m, r, 1, now);
    if ((rc = zc__stmt_get_sql(s, &q->insert, &st, err)) != ZC_OK)
        return rc;
    if (st->owner != map || st->paramset_size != 0) {
        zc__stmt_unbind(st);
        if ((rc = ensure_rec(st, map->rec_size, err)) != ZC_OK ||
            (rc = bind_param_cols(st, map, first, map->ncols, 0, st->rec, err)) != ZC_OK)
            return rc;
        if (q->key == ZC__KEY_RETURNING) {
            zc__bind b;
            zc__map_bind_of(map, 0, st->rec, &b);
            if ((rc = zc__stmt_bind_col(st, 0, &b, err)) != ZC_OK)
                return rc;
        }
        st->owner = map;
    }
    if ((rc = zc__map_pack(map, row, st->rec, first, map->ncols, err)) != ZC_OK)
        return rc;
    if ((rc = zc__stmt_execute(st, err)) != ZC_OK)
        return rc;
    if (q->key == ZC__KEY_RETURNING) {
        rc = zc__stmt_fetch(st, err);
        if (rc == ZC_OK)
            rc = zc__map_unpack(map, st->rec, row, 0, 1, err);
        else if (rc == ZC_NOT_FOUND)
            rc = zc__err(err, ZC_EDRIVER, "INSERT … RETURNING id returned no row");
        zc__stmt_close_cursor(st);
        return rc;
    }
    zc__stmt_close_cursor(st);
    if (q->key == ZC__KEY_SELECT) {
        int64_t id;
        rc = last_id(s, q, &id, err);
        if (rc == ZC_OK)
            memcpy(r + m->id_offset, &id, sizeof id);
        else if (rc == ZC_NOT_FOUND)
            rc = zc__err(err, ZC_EDRIVER, "the generated id could not be read");
        return rc;
    }
    if (m->pk == ZC_PK_INT)
        return zc__err(err, ZC_EDRIVER, "this backend has no way to read a generated id");
    return ZC_OK;
}

static int check_args(zc_repo *r, const void *p, const char *what, zc_error *err)
{
    if (!r)
        return zc__err(err, ZC_EINVAL, "%s: repository is NULL", what);
    if (!p)
        return zc__err(err, ZC_EINVAL, "%s: row or id is NULL", what);
    return ZC_OK;
}

int zc_repo_insert(zc_repo *r, zc_session *s, void *row, zc_error *err)
{
    uow u;
    const zc__rsql *q;
    int st;
    if ((st = check_args(r, row, "zc_repo_insert", err)) != ZC_OK ||
        (st = uow_begin(r, s, &u, 1, "zc_repo_insert", err)) != ZC_OK)
        return st;
    st = rsql_for(r, u.s, &q, err);
    if (st == ZC_OK)
        st = insert_one(u.s, q, row, err);
    return uow_end(&u, st, 1, err);
}

/* Fills the ids of k rows just inserted by one statement, from the dialect's last-id query. */
static int fill_ids(zc_session *s, const zc__rsql *q, unsigned char *rows, int k, int64_t step,
                    zc_error *err)
{
    const zc__map *map = q->map;
    int64_t id, base;
    int rc = last_id(s, q, &id, err);
    if (rc != ZC_OK)
        return rc == ZC_NOT_FOUND ? zc__err(err, ZC_EDRIVER, "no generated id") : rc;
    base = zc__dialect_last_id_is_first(map->dialect) ? id : id - (int64_t)(k - 1) * step;
    for (int r = 0; r < k; r++) {
        int64_t v = base + (int64_t)r * step;
        memcpy(rows + (size_t)r * map->m->size + map->m->id_offset, &v, sizeof v);
    }
    return ZC_OK;
}

/* 1 if column c goes as text in a parameter array (zc__dialect_bulk_ts_as_text). */
static int ts_as_text(const zc__map *map, const zc__col *c)
{
    return c->type == ZC_FT_TIMESTAMP && zc__dialect_bulk_ts_as_text(map->dialect);
}

/* Bytes of one value of column c in a parameter array. */
static size_t array_buflen(const zc__map *map, const zc__col *c)
{
    return ts_as_text(map, c) ? ZC__TS_SQL_TEXT : (size_t)c->buflen;
}

/* Bytes of k values of a column in a column-wise array, and with their indicators. */
static size_t column_values(const zc__map *map, const zc__col *c, int k)
{
    return (array_buflen(map, c) * (size_t)k + 7u) & ~(size_t)7u;
}

static size_t column_block(const zc__map *map, const zc__col *c, int k)
{
    return column_values(map, c, k) + sizeof(SQLLEN) * (size_t)k;
}

/*
 * Inserts k rows of a model whose ids zodiac makes (UUIDs) with one execution
 * of the one-row INSERT and column-wise parameter arrays (a buffer of k values
 * per column), which MariaDB Connector/ODBC sends as one bulk command.
 */
static int insert_columns(zc_session *s, const zc__rsql *q, unsigned char *rows, int k,
                          zc_timestamp now, zc_error *err)
{
    const zc__map *map = q->map;
    const zc_model *m = map->m;
    int first = m->pk == ZC_PK_INT ? 1 : 0, rc;
    size_t total = 0;
    unsigned char *p;
    zc__stmt *st;

    /* layout, column after column: k values, then k indicators */
    for (int c = first; c < map->ncols; c++)
        total += column_block(map, &map->cols[c], k);
    if ((rc = zc__stmt_get_sql(s, &q->insert, &st, err)) != ZC_OK)
        return rc;
    if (st->owner != map || st->paramset_size != (SQLULEN)k) {
        zc__stmt_unbind(st);
        if ((rc = ensure_rec(st, total, err)) != ZC_OK)
            return rc;
        p = st->rec;
        for (int c = first; c < map->ncols && rc == ZC_OK; c++) {
            const zc__col *col = &map->cols[c];
            zc__bind b = { col->ctype, col->sqltype, col->digits, col->colsize, p, col->buflen,
                           (SQLLEN *)(void *)(p + column_values(map, col, k)) };
            if (ts_as_text(map, col)) {
                b.ctype = SQL_C_CHAR;
                b.sqltype = SQL_VARCHAR;
                b.digits = 0;
                b.colsize = 26;
                b.buflen = ZC__TS_SQL_TEXT;
            }
            rc = zc__stmt_bind_param(st, c - first, &b, err);
            p += column_block(map, col, k);
        }
        if (rc == ZC_OK)
            rc = zc__stmt_set_paramset(st, SQL_PARAM_BIND_BY_COLUMN, (SQLULEN)k, NULL, NULL,
                                       err);
        if (rc != ZC_OK)
            return rc;
        st->owner = map;
    }
    stamp_rows(m, rows, k, now);
    p = st->rec;
    for (int c = first; c < map->ncols; c++) {
        const zc__col *col = &map->cols[c];
        SQLLEN *ind = (SQLLEN *)(void *)(p + column_values(map, col, k));
        const size_t len = array_buflen(map, col);
        const int as_text = ts_as_text(map, col);
        zc__ts_text_memo memo = { .valid = 0 };
        for (int r = 0; r < k; r++) {
            const unsigned char *row = rows + (size_t)r * m->size;
            unsigned char *dst = p + (size_t)r * len;
            rc = as_text ? zc__map_put_ts_text(map, c, row, (char *)dst, ind + r, &memo, err)
                         : zc__map_put(map, c, row, dst, ind + r, err);
            if (rc != ZC_OK)
                return rc;
        }
        p += column_block(map, col, k);
    }
    if ((rc = zc__stmt_execute(st, err)) != ZC_OK)
        return rc;
    zc__stmt_close_cursor(st);
    return ZC_OK;
}

/* Inserts k rows (stride: the model's size) with one statement and fills their ids. */
static int insert_batch(zc_session *s, const zc__rsql *q, unsigned char *rows, int k,
                        zc_timestamp now, int64_t id_step, zc_error *err)
{
    const zc__map *map = q->map;
    const zc_model *m = map->m;
    int first = m->pk == ZC_PK_INT ? 1 : 0, nc = map->ncols - first, rc;
    zc__stmt *st;

    if (k == q->bulk_k) {
        rc = zc__stmt_get_sql(s, &q->bulk, &st, err);
    } else {
        char *sql = insert_sql(q->map, k, q->key == ZC__KEY_RETURNING); /* the last, shorter batch */
        if (!sql)
            return zc__err(err, ZC_ENOMEM, "out of memory");
        rc = zc__stmt_get(s, sql, &st, err);
        free(sql);
    }
    if (rc != ZC_OK)
        return rc;
    if (st->owner != map) {
        zc__stmt_unbind(st);
        if ((rc = ensure_rec(st, map->rec_size * (size_t)k, err)) != ZC_OK)
            return rc;
        for (int r = 0; r < k && rc == ZC_OK; r++)
            rc = bind_param_cols(st, map, first, map->ncols, r * nc,
                                 (unsigned char *)st->rec + (size_t)r * map->rec_size, err);
        if (rc == ZC_OK && q->key == ZC__KEY_RETURNING) {
            zc__bind b;
            zc__map_bind_of(map, 0, st->rec, &b);
            rc = zc__stmt_bind_col(st, 0, &b, err);
            if (rc == ZC_OK && k > 1)
                rc = zc__stmt_set_rowset(st, map->rec_size, (SQLULEN)k, NULL, NULL, err);
        }
        if (rc != ZC_OK)
            return rc;
        st->owner = map;
    }
    stamp_rows(m, rows, k, now);
    for (int r = 0; r < k; r++) {
        rc = zc__map_pack(map, rows + (size_t)r * m->size,
                          (unsigned char *)st->rec + (size_t)r * map->rec_size, first, map->ncols,
                          err);
        if (rc != ZC_OK)
            return rc;
    }
    if ((rc = zc__stmt_execute(st, err)) != ZC_OK)
        return rc;
    if (q->key == ZC__KEY_RETURNING) {
        /* PostgreSQL returns the ids of a VALUES list in its order. */
        SQLULEN got = 0;
        SQLSetStmtAttr(st->h, SQL_ATTR_ROWS_FETCHED_PTR, &got, 0);
        rc = zc__stmt_fetch(st, err);
        SQLSetStmtAttr(st->h, SQL_ATTR_ROWS_FETCHED_PTR, NULL, 0);
        if (k == 1 && rc == ZC_OK)
            got = 1;
        if (rc == ZC_OK && got != (SQLULEN)k)
            rc = zc__err(err, ZC_EDRIVER, "INSERT … RETURNING gave %lu ids for %d rows",
                         (unsigned long)got, k);
        for (int r = 0; r < k && rc == ZC_OK; r++)
            rc = zc__map_unpack(map, (unsigned char *)st->rec + (size_t)r * map->rec_size,
                                rows + (size_t)r * m->size, 0, 1, err);
        zc__stmt_close_cursor(st);
        return rc;
    }
    zc__stmt_close_cursor(st);
    return q->key == ZC__KEY_SELECT ? fill_ids(s, q, rows, k, id_step, err) : ZC_OK;
}

/*
 * How far apart the ids of one multi-row INSERT are, or 0 when they need not be
 * consecutive (then rows go one by one). MariaDB gives a statement consecutive
 * ids, auto_increment_increment apart, unless innodb_autoinc_lock_mode is 2.
 */
static int id_step(zc_session *s, const zc__rsql *q, int64_t *step, zc_error *err)
{
    int64_t mode = 0;
    int rc;
    *step = 1;
    if (q->key != ZC__KEY_SELECT || q->map->dialect != ZC_DIALECT_MYSQL)
        return ZC_OK;
    if ((rc = query_i64(s, "SELECT @@innodb_autoinc_lock_mode", NULL, 0, &mode, err)) != ZC_OK ||
        (rc = query_i64(s, "SELECT @@auto_increment_increment", NULL, 0, step, err)) != ZC_OK)
        return rc;
    if (mode > 1)
        *step = 0;
    return ZC_OK;
}

int zc_repo_insert_many(zc_repo *r, zc_session *s, void *rows, size_t n, zc_error *err)
{
    uow u;
    const zc__rsql *q;
    unsigned char *p = rows;
    size_t done = 0;
    int64_t step = 1;
    int st, k;
    if ((st = check_args(r, rows, "zc_repo_insert_many", err)) != ZC_OK)
        return st;
    if (n == 0)
        return ZC_OK;
    if ((st = uow_begin(r, s, &u, 1, "zc_repo_insert_many", err)) != ZC_OK)
        return st;
    if ((st = rsql_for(r, u.s, &q, err)) != ZC_OK || (st = id_step(u.s, q, &step, err)) != ZC_OK)
        return uow_end(&u, st, 1, err);
    k = zc__dialect_bulk_rows(q->map->dialect, q->map->ncols);
    if (q->key == ZC__KEY_NONE && r->m->pk == ZC_PK_INT)
        k = 0;
    if (step == 0)
        k = 0;
    if (k > 0) {
        zc_timestamp now = stamp(q->map->dialect, 0);
        /* Parameter arrays only where no generated id is read back: MariaDB
           Connector/ODBC runs an array as one execution per parameter set, each
           with its own auto-increment allocation, so other sessions' rows take ids
           between them (docs/reliability.md) */
        if (zc__dialect_bulk_arrays(q->map->dialect) && q->key == ZC__KEY_NONE) {
            int ka = zc__dialect_bulk_arrays(q->map->dialect);
            while (st == ZC_OK && n - done >= (size_t)ka) {
                st = insert_columns(u.s, q, p + done * r->m->size, ka, now, err);
                done += (size_t)ka;
            }
        }
        while (st == ZC_OK && n - done >= (size_t)k) {
            st = insert_batch(u.s, q, p + done * r->m->size, k, now, step, err);
            done += (size_t)k;
        }
        /* the rest in one statement of its own size, when it is worth one */
        if (st == ZC_OK && n - done >= 16) {
            st = insert_batch(u.s, q, p + done * r->m->size, (int)(n - done), now, step, err);
            done = n;
        }
    }
    for (; st == ZC_OK && done < n; done++)
        st = insert_one(u.s, q, p + done * r->m->size, err);
    return uow_end(&u, st, 1, err);
}

/* Runs a bound-result statement expected to give at most one row into row_out. */
/*
 * Binds a statement for reads of nrows rows (counted in *fetched, when given),
 * once per statement and reader: as records, or for a map that allows it, as
 * structs (map->direct) — nrows shadow rows, then nrows structs, in st->rec;
 * each row is finished and copied out by its reader (cursor_next, read_one).
 */
static int bind_read(zc__stmt *st, const zc__map *map, SQLULEN nrows, SQLULEN *fetched,
                     SQLUSMALLINT *status, zc_error *err)
{
    const void *owner = map->direct ? (const void *)&map->direct : (const void *)map;
    const SQLULEN arrays = nrows > 1 || fetched ? nrows : 0; /* as bind_result sets them */
    const size_t size = map->m->size;
    int rc;
    if (st->owner == owner && st->row_array_size == arrays && st->rows_fetched == fetched)
        return ZC_OK;
    zc__stmt_unbind(st);
    if (!map->direct)
        rc = bind_result(st, map, nrows, fetched, status, err);
    else if ((rc = ensure_rec(st, 2 * nrows * size, err)) == ZC_OK &&
             (rc = bind_direct(st, map, (unsigned char *)st->rec + nrows * size, st->rec,
                               err)) == ZC_OK && arrays)
        rc = zc__stmt_set_rowset(st, size, nrows, fetched, status, err);
    if (rc == ZC_OK)
        st->owner = owner;
    return rc;
}

/* Runs a statement bound by bind_read for one row and reads it into row_out. */
static int read_one(zc__stmt *st, const zc__map *map, void *row_out, zc_error *err)
{
    int rc = zc__stmt_execute(st, err);
    if (rc != ZC_OK)
        return rc;
    zc__map_preset_bits(map, st->rec, 1, map->direct);
    rc = zc__stmt_fetch(st, err);
    if (rc == ZC_OK && map->direct) {
        unsigned char *got = (unsigned char *)st->rec + map->m->size;
        if ((rc = zc__map_finish_direct(map, st->rec, got, &st->memo, err)) == ZC_OK)
            zc__map_copy(map, row_out, got);
    } else if (rc == ZC_OK) {
        rc = zc__map_unpack_memo(map, st->rec, row_out, 0, map->ncols, &st->memo, err);
    }
    zc__stmt_close_cursor(st);
    return rc;
}


int zc_repo_get(zc_repo *r, zc_session *s, const void *id, void *row_out, zc_error *err)
{
    uow u;
    const zc__rsql *q;
    zc__stmt *st = NULL;
    zc_value v;
    int rc;
    if ((rc = check_args(r, id, "zc_repo_get", err)) != ZC_OK ||
        (rc = check_args(r, row_out, "zc_repo_get", err)) != ZC_OK ||
        (rc = uow_begin(r, s, &u, 0, "zc_repo_get", err)) != ZC_OK)
        return rc;
    v = id_value(r->m, id);
    if ((rc = rsql_for(r, u.s, &q, err)) == ZC_OK &&
        (rc = zc__stmt_get_sql(u.s, &q->get, &st, err)) == ZC_OK &&
        (rc = bind_read(st, q->map, 1, NULL, NULL, err)) == ZC_OK &&
        (rc = zc__stmt_bind_values(st, &v, 1, err)) == ZC_OK)
        rc = read_one(st, q->map, row_out, err);
    return uow_end(&u, rc, 0, err);
}

static int exec_count(zc__stmt *st, int64_t *n, zc_error *err)
{
    SQLLEN c = -1;
    int rc = zc__stmt_execute(st, err);
    if (rc != ZC_OK)
        return rc;
    if (!SQL_SUCCEEDED(SQLRowCount(st->h, &c)))
        c = -1;
    zc__stmt_close_cursor(st);
    *n = c;
    return ZC_OK;
}

int zc_repo_update(zc_repo *r, zc_session *s, void *row, zc_error *err)
{
    uow u;
    const zc__rsql *q;
    zc__stmt *st = NULL;
    int64_t n = 0;
    int rc;
    if ((rc = check_args(r, row, "zc_repo_update", err)) != ZC_OK ||
        (rc = uow_begin(r, s, &u, 1, "zc_repo_update", err)) != ZC_OK)
        return rc;
    if ((rc = rsql_for(r, u.s, &q, err)) == ZC_OK &&
        (rc = zc__stmt_get_sql(u.s, &q->update, &st, err)) == ZC_OK) {
        const zc__map *map = q->map;
        unsigned char *rr = row;
        zc_timestamp prev, now;
        memcpy(&prev, rr + map->m->updated_offset, sizeof prev);
        now = stamp(map->dialect, prev);
        if (st->owner != map) {
            /* SET updated_at = ?, <fields> = ? … WHERE id = ? */
            const int n = map->ncols;
            zc__stmt_unbind(st);
            if ((rc = ensure_rec(st, map->rec_size, err)) == ZC_OK &&
                (rc = bind_param_cols(st, map, 2, n, 0, st->rec, err)) == ZC_OK &&
                (rc = bind_param_cols(st, map, 0, 1, n - 2, st->rec, err)) == ZC_OK)
                st->owner = map;
        }
        if (rc == ZC_OK) {
            zc_timestamp keep = prev;
            memcpy(rr + map->m->updated_offset, &now, sizeof now);
            rc = zc__map_pack(map, row, st->rec, 0, map->ncols, err);
            if (rc == ZC_OK)
                rc = exec_count(st, &n, err);
            if (rc == ZC_OK && n == 0)
                rc = ZC_NOT_FOUND;
            if (rc != ZC_OK) /* the row in memory keeps its old stamp */
                memcpy(rr + map->m->updated_offset, &keep, sizeof keep);
        }
    }
    if (rc == ZC_NOT_FOUND && err)
        zc__err(err, ZC_NOT_FOUND, "no %s row with that id", r->m->name);
    return uow_end(&u, rc, 1, err);
}

int zc_repo_delete(zc_repo *r, zc_session *s, const void *id, zc_error *err)
{
    uow u;
    const zc__rsql *q;
    zc__stmt *st = NULL;
    zc_value v;
    int64_t n = 0;
    int rc;
    if ((rc = check_args(r, id, "zc_repo_delete", err)) != ZC_OK ||
        (rc = uow_begin(r, s, &u, 1, "zc_repo_delete", err)) != ZC_OK)
        return rc;
    v = id_value(r->m, id);
    if ((rc = rsql_for(r, u.s, &q, err)) == ZC_OK &&
        (rc = zc__stmt_get_sql(u.s, &q->del, &st, err)) == ZC_OK &&
        (rc = zc__stmt_bind_values(st, &v, 1, err)) == ZC_OK &&
        (rc = exec_count(st, &n, err)) == ZC_OK && n == 0)
        rc = zc__err(err, ZC_NOT_FOUND, "no %s row with that id", r->m->name);
    return uow_end(&u, rc, 1, err);
}

/* ---- queries --------------------------------------------------------------- */

/* The checks every query gets: its values, its WHERE fragment, limit and offset. */
static int check_query(const zc__map *map, const zc_query *qq, zc_error *err)
{
    if (qq->limit < 0 || qq->offset < 0)
        return zc__err(err, ZC_EINVAL, "limit and offset must not be negative");
    if (qq->nparams && !qq->params)
        return zc__err(err, ZC_EINVAL, "%zu parameters but params is NULL", qq->nparams);
    if (qq->nparams > 1000)
        return zc__err(err, ZC_EINVAL, "too many parameters (%zu)", qq->nparams);
    if (!(qq->where && *qq->where) && qq->nparams)
        return zc__err(err, ZC_EINVAL, "%zu parameters but no where", qq->nparams);
    /* a cursor copies text and blob values before they are bound (and checked) */
    for (size_t i = 0; i < qq->nparams; i++)
        if ((qq->params[i].type == ZC_T_TEXT && !qq->params[i].v.s) ||
            (qq->params[i].type == ZC_T_BLOB && !qq->params[i].v.b.p && qq->params[i].v.b.n))
            return zc__err(err, ZC_EINVAL, "parameter %zu: %s pointer is NULL", i + 1,
                           qq->params[i].type == ZC_T_TEXT ? "text" : "blob");
    if (qq->where)
        return zc__where_check(map, qq->where, qq->nparams, err);
    return ZC_OK;
}

/* Builds "SELECT <what> FROM t [WHERE (…)] [ORDER BY …] [LIMIT/OFFSET]" and its values. */
static int build_select(const zc__rsql *q, const char *what, const zc_query *qq, int ordered,
                        zc__buf *sql, zc_value *vals, size_t *nvals, zc_error *err)
{
    const zc__map *map = q->map;
    int st, offset_first;
    int has_limit = qq->limit > 0, has_offset = qq->offset > 0;
    const char *lim;

    if ((st = check_query(map, qq, err)) != ZC_OK)
        return st;
    zc__buf_add(sql, "SELECT %s FROM %s", what, map->m->table);
    if (qq->where && *qq->where)
        zc__buf_add(sql, " WHERE (%s)", qq->where);
    if (ordered) {
        zc__buf_add(sql, " ORDER BY ");
        if (qq->order_by && *qq->order_by) {
            if ((st = zc__order_check(map, qq->order_by, sql, NULL, err)) != ZC_OK)
                return st;
        } else {
            zc__buf_add(sql, "id ASC");
        }
    }
    lim = zc__dialect_limit_sql(map->dialect, has_limit, has_offset, &offset_first);
    zc__buf_add(sql, "%s", lim);
    if (sql->oom)
        return zc__err(err, ZC_ENOMEM, "out of memory");
    if (qq->nparams)
        memcpy(vals, qq->params, qq->nparams * sizeof *vals);
    *nvals = qq->nparams;
    if (offset_first && has_offset)
        vals[(*nvals)++] = zc_int(qq->offset);
    if (has_limit)
        vals[(*nvals)++] = zc_int(qq->limit);
    if (!offset_first && has_offset)
        vals[(*nvals)++] = zc_int(qq->offset);
    return ZC_OK;
}


/*
 * The session's statement for a SELECT of whole rows by qq, not being read by a
 * cursor, and the values to bind (*vals, malloc'd, also on failure).
 */
static int select_stmt(zc_session *s, const zc__rsql *q, const zc_query *qq, zc__stmt **st,
                       zc_value **vals, size_t *nvals, zc_error *err)
{
    zc__buf sql = { 0 };
    int rc;
    *nvals = 0;
    *vals = malloc((qq->nparams + 2) * sizeof **vals);
    if (!*vals)
        return zc__err(err, ZC_ENOMEM, "out of memory");
    rc = build_select(q, q->cols, qq, 1, &sql, *vals, nvals, err);
    if (rc == ZC_OK)
        rc = zc__stmt_get(s, sql.p, st, err);
    zc__buf_free(&sql);
    if (rc == ZC_OK && (*st)->busy) {
        *st = NULL; /* the open cursor's: not ours to close */
        rc = zc__err(err, ZC_ESTATE, "that query is already being read by an open cursor");
    }
    return rc;
}

/* Prepares a SELECT of whole rows bound for ZC__ROWSET rows (bind_read). */
static int open_rows(zc_session *s, const zc__rsql *q, const zc_query *qq, zc_cursor *c,
                     int stream, zc_error *err)
{
    zc_value *vals;
    size_t nvals;
    int rc = select_stmt(s, q, qq, &c->st, &vals, &nvals, err);
    if (rc == ZC_OK)
        rc = bind_read(c->st, q->map, ZC__ROWSET, &c->fetched, c->status, err);
    if (rc == ZC_OK)
        rc = zc__stmt_bind_values(c->st, vals, nvals, err);
    free(vals);
    if (rc == ZC_OK && stream && (rc = zc__session_stream(s, ZC__PAGE_ROWS, err)) == ZC_OK) {
        rc = zc__stmt_execute(c->st, err);
        zc__session_stream(s, 0, NULL); /* only this statement */
    } else if (rc == ZC_OK) {
        rc = zc__stmt_execute(c->st, err);
    }
    if (rc == ZC_OK) {
        c->s = s;
        c->q = q;
        c->st->busy = 1;
    }
    return rc;
}

static int next_page(zc_cursor *c, zc_error *err);

static int cursor_next(zc_cursor *c, void *row, zc_error *err)
{
    int rc;
    if (c->left == 0)
        return ZC_NOT_FOUND;
    while (c->next >= c->fetched) {
        if (c->done)
            return ZC_NOT_FOUND;
        c->fetched = 0;
        c->next = 0;
        zc__map_preset_bits(c->q->map, c->st->rec, ZC__ROWSET, c->q->map->direct);
        rc = zc__stmt_fetch(c->st, err);
        if (rc == ZC_NOT_FOUND || (rc == ZC_OK && c->fetched == 0)) {
            if (c->paged && c->page_rows == ZC__PAGE_ROWS) {
                if ((rc = next_page(c, err)) != ZC_OK)
                    return rc;
                continue;
            }
            c->done = 1;
            return ZC_NOT_FOUND;
        }
        if (rc != ZC_OK)
            return rc;
        c->page_rows += c->fetched;
    }
    if (c->q->map->direct) {
        const size_t size = c->q->map->m->size;
        unsigned char *got = (unsigned char *)c->st->rec + (ZC__ROWSET + c->next) * size;
        rc = zc__map_finish_direct(c->q->map, (unsigned char *)c->st->rec + c->next * size, got,
                                   &c->memo, err);
        if (rc == ZC_OK)
            zc__map_copy(c->q->map, row, got);
        c->next++;
    } else {
        rc = zc__map_unpack_memo(c->q->map,
                                 (unsigned char *)c->st->rec + c->next++ * c->q->map->rec_size,
                                 row, 0, c->q->map->ncols, &c->memo, err);
    }
    if (rc == ZC_OK) {
        /* a page ends with a rowset: its last row is where the next page starts */
        if (c->paged && c->next == c->fetched)
            memcpy(c->last, row, c->q->map->m->size);
        if (c->left > 0)
            c->left--;
    }
    return rc;
}

static void cursor_release(zc_cursor *c)
{
    if (c->st) {
        zc__stmt_close_cursor(c->st);
        c->st->busy = 0;
        /* the statement stays bound to this cursor's counters: forget them */
        c->st->owner = NULL;
        c->st = NULL;
    }
}

/* Binds every column of a direct find to the struct at row and the shadow at shadow. */
static int bind_direct(zc__stmt *st, const zc__map *map, unsigned char *row,
                       unsigned char *shadow, zc_error *err)
{
    for (int c = 0; c < map->ncols; c++) {
        zc__bind b;
        int rc;
        zc__map_bind_direct(map, c, row, shadow, &b);
        if ((rc = zc__stmt_bind_col(st, c, &b, err)) != ZC_OK)
            return rc;
    }
    return ZC_OK;
}

/*
 * zc_repo_find for a map that allows it (map->direct): each rowset is fetched
 * straight into the caller's array (row-wise binding at the struct's stride),
 * with indicators and timestamp staging in a shadow array of the same stride;
 * then each row is checked and its timestamps converted. No copy of the values.
 * While the array has room for two more rowsets, and the shadow's bytes are all
 * members the model maps (map->shadow_in_row), the shadow is the next rowset's
 * slots and one set of bindings moves along with SQL_ATTR_ROW_BIND_OFFSET_PTR
 * (the rows read later write over it); otherwise, and for the last rowsets,
 * ZC__ROWSET shadow rows in statement memory, and the columns bound again for
 * every rowset.
 */
static int find_direct(zc_session *s, const zc__rsql *q, const zc_query *qq,
                       unsigned char *rows, size_t cap, size_t *got, zc_error *err)
{
    const zc__map *map = q->map;
    const size_t size = map->m->size;
    zc_value *vals;
    size_t nvals;
    zc__stmt *st = NULL;
    SQLULEN fetched = 0, offset = 0, k = cap < ZC__ROWSET ? cap : ZC__ROWSET;
    zc__ts_memo memo = { .valid = 0 };
    int moving = map->shadow_in_row && cap >= 2 * k; /* the bindings move along the array */
    int rc = select_stmt(s, q, qq, &st, &vals, &nvals, err);

    if (rc == ZC_OK) {
        zc__stmt_unbind(st);
        if ((rc = ensure_rec(st, k * size, err)) == ZC_OK &&
            (rc = bind_direct(st, map, rows, moving ? rows + k * size : st->rec, err)) == ZC_OK &&
            (rc = zc__stmt_set_rowset(st, size, k, &fetched, NULL, err)) == ZC_OK &&
            (!moving || (rc = zc__stmt_set_row_offset(st, &offset, err)) == ZC_OK) &&
            (rc = zc__stmt_bind_values(st, vals, nvals, err)) == ZC_OK)
            rc = zc__stmt_execute(st, err);
    }
    free(vals);
    while (rc == ZC_OK && *got < cap) {
        unsigned char *at = rows + *got * size, *shadow;
        if (moving && cap - *got < 2 * k)
            moving = 0, offset = 0; /* the last rowsets: the shadow in statement memory */
        if (moving)
            offset = *got * size;
        else if (*got > 0 && (rc = bind_direct(st, map, at, st->rec, err)) != ZC_OK)
            break;
        shadow = moving ? at + k * size : st->rec;
        if (cap - *got < k && (rc = zc__stmt_set_rowset(st, size, k = cap - *got, &fetched,
                                                        NULL, err)) != ZC_OK)
            break;
        fetched = 0;
        zc__map_preset_bits(map, shadow, k, 1);
        if ((rc = zc__stmt_fetch(st, err)) == ZC_NOT_FOUND) {
            rc = ZC_OK;
            break;
        }
        for (SQLULEN i = 0; i < fetched && rc == ZC_OK; i++, at += size)
            if ((rc = zc__map_finish_direct(map, shadow + i * size, at, &memo, err)) == ZC_OK)
                (*got)++;
    }
    if (st) {
        /* its bindings point into the caller's array: forget them */
        zc__stmt_close_cursor(st);
        zc__stmt_unbind(st);
    }
    return rc;
}

int zc_repo_find(zc_repo *r, zc_session *s, const zc_query *qq, void *rows, size_t cap,
                 size_t *n, zc_error *err)
{
    static const zc_query all = { 0 };
    zc_cursor *c;
    uow u;
    const zc__rsql *q;
    size_t got = 0;
    int rc;
    if (n)
        *n = 0;
    if ((rc = check_args(r, rows, "zc_repo_find", err)) != ZC_OK)
        return rc;
    if (!qq)
        qq = &all;
    if ((rc = uow_begin(r, s, &u, 0, "zc_repo_find", err)) != ZC_OK)
        return rc;
    /* straight into the array only when it is large enough to pay for binding its
       columns again on every call; smaller reads reuse the statement's bindings */
    if ((rc = rsql_for(r, u.s, &q, err)) == ZC_OK && q->map->direct && cap > ZC__ROWSET) {
        rc = find_direct(u.s, q, qq, rows, cap, &got, err);
        if (n)
            *n = got;
        return uow_end(&u, rc, 0, err);
    }
    c = calloc(1, sizeof *c);
    if (!c)
        return uow_end(&u, zc__err(err, ZC_ENOMEM, "out of memory"), 0, err);
    c->left = -1; /* cap bounds what is read */
    if (rc == ZC_OK && (rc = open_rows(u.s, q, qq, c, 0, err)) == ZC_OK) {
        while (got < cap && (rc = cursor_next(c, (unsigned char *)rows + got * r->m->size, err)) == ZC_OK)
            got++;
        if (rc == ZC_NOT_FOUND || got == cap)
            rc = ZC_OK;
    }
    cursor_release(c);
    free(c);
    if (n)
        *n = got;
    return uow_end(&u, rc, 0, err);
}

int zc_repo_find_one(zc_repo *r, zc_session *s, const char *where, const zc_value *params,
                     size_t nparams, void *row_out, zc_error *err)
{
    zc_query qq = { where, params, nparams, NULL, 1, 0 };
    size_t n = 0;
    int rc = zc_repo_find(r, s, &qq, row_out, 1, &n, err);
    if (rc == ZC_OK && n == 0)
        rc = zc__err(err, ZC_NOT_FOUND, "no %s row matches", r ? r->m->name : "");
    return rc;
}

static int count_sql(zc_repo *r, zc_session *s, const char *what, const char *where,
                     const zc_value *params, size_t nparams, int limit1, int64_t *out,
                     zc_error *err)
{
    zc_query qq = { where, params, nparams, NULL, limit1, 0 };
    uow u;
    const zc__rsql *q;
    zc__buf sql = { 0 };
    zc_value *vals;
    size_t nvals = 0;
    int rc;
    if (!r)
        return zc__err(err, ZC_EINVAL, "repository is NULL");
    vals = malloc((nparams + 2) * sizeof *vals);
    if (!vals)
        return zc__err(err, ZC_ENOMEM, "out of memory");
    if ((rc = uow_begin(r, s, &u, 0, "zc_repo_count", err)) != ZC_OK) {
        free(vals);
        return rc;
    }
    if ((rc = rsql_for(r, u.s, &q, err)) == ZC_OK &&
        (rc = build_select(q, what, &qq, 0, &sql, vals, &nvals, err)) == ZC_OK)
        rc = query_i64(u.s, sql.p, vals, nvals, out, err);
    zc__buf_free(&sql);
    free(vals);
    return uow_end(&u, rc, 0, err);
}

int zc_repo_count(zc_repo *r, zc_session *s, const char *where, const zc_value *params,
                  size_t nparams, int64_t *out, zc_error *err)
{
    int64_t n = 0;
    int rc;
    if (!out)
        return zc__err(err, ZC_EINVAL, "zc_repo_count: out is NULL");
    rc = count_sql(r, s, "COUNT(*)", where, params, nparams, 0, &n, err);
    if (rc == ZC_OK)
        *out = n;
    return rc;
}

int zc_repo_exists(zc_repo *r, zc_session *s, const char *where, const zc_value *params,
                   size_t nparams, zc_error *err)
{
    int64_t one = 0;
    int rc = count_sql(r, s, "1", where, params, nparams, 1, &one, err);
    return rc;
}

/* The value of column ci of a row, for binding. */
static zc_value col_value(const zc__map *map, int ci, const unsigned char *row)
{
    const zc__col *c = &map->cols[ci];
    const unsigned char *p = row + c->offset;
    int32_t i32;
    int64_t i64;
    double d;
    switch (c->type) {
    case ZC_FT_INT32:
        memcpy(&i32, p, sizeof i32);
        return zc_int(i32);
    case ZC_FT_INT64:
    case ZC_FT_TIMESTAMP:
        memcpy(&i64, p, sizeof i64);
        return c->type == ZC_FT_INT64 ? zc_int(i64) : zc_ts(i64);
    case ZC_FT_DOUBLE:
        memcpy(&d, p, sizeof d);
        return zc_double(d);
    case ZC_FT_BOOL:
        return zc_bool(*(const bool *)(const void *)p);
    case ZC_FT_TEXT:
        return zc_text((const char *)p);
    case ZC_FT_UUID:
        return zc_uuidv(*(const zc_uuid *)(const void *)p);
    default: {
        size_t len;
        memcpy(&len, row + c->len_offset, sizeof len);
        return zc_blob(p, len);
    }
    }
}

/* "SELECT … [WHERE (…)] [AND (keys after the last row)] ORDER BY keys" + limit/offset. */
static int cursor_sql(const zc_cursor *c, const zc_query *qq, int later, zc__buf *b,
                      int *offset_first)
{
    const zc__map *map = c->q->map;
    const int has_where = qq->where && *qq->where;
    zc__buf_add(b, "SELECT %s FROM %s", c->q->cols, map->m->table);
    if (has_where)
        zc__buf_add(b, " WHERE (%s)", qq->where);
    if (later) {
        /* (k1, k2, …) after (v1, v2, …), each in its own direction */
        zc__buf_add(b, has_where ? " AND (" : " WHERE (");
        for (int j = 0; j < c->keys.n; j++) {
            zc__buf_add(b, "%s(", j ? " OR " : "");
            for (int i = 0; i < j; i++)
                zc__buf_add(b, "%s = ? AND ", map->cols[c->keys.col[i]].name);
            zc__buf_add(b, "%s %s ?)", map->cols[c->keys.col[j]].name,
                        c->keys.desc[j] ? "<" : ">");
        }
        zc__buf_add(b, ")");
    }
    zc__buf_add(b, " ORDER BY ");
    for (int i = 0; i < c->keys.n; i++)
        zc__buf_add(b, "%s%s %s", i ? ", " : "", map->cols[c->keys.col[i]].name,
                    c->keys.desc[i] ? "DESC" : "ASC");
    zc__buf_add(b, "%s", zc__dialect_limit_sql(map->dialect, 1, !later && qq->offset > 0,
                                               offset_first));
    return b->oom ? ZC_ENOMEM : ZC_OK;
}

/* Binds the result records (once per statement) and runs it with n values. */
static int cursor_run(zc_cursor *c, const char *sql, size_t n, zc_error *err)
{
    zc__stmt *st;
    int rc = zc__stmt_get(c->s, sql, &st, err);
    if (rc != ZC_OK)
        return rc;
    if (st->busy)
        return zc__err(err, ZC_ESTATE, "that query is already being read by an open cursor");
    if ((rc = bind_read(st, c->q->map, ZC__ROWSET, &c->fetched, c->status, err)) != ZC_OK ||
        (rc = zc__stmt_bind_values(st, c->vals, n, err)) != ZC_OK ||
        (rc = zc__stmt_execute(st, err)) != ZC_OK)
        return rc;
    c->st = st;
    st->busy = 1;
    c->fetched = c->next = 0;
    c->page_rows = 0;
    return ZC_OK;
}

static int next_page(zc_cursor *c, zc_error *err)
{
    const zc__map *map = c->q->map;
    size_t n = c->nuser;
    /* the page's statement keeps its bindings to this cursor (cursor_run checks) */
    zc__stmt_close_cursor(c->st);
    c->st->busy = 0;
    c->st = NULL;
    for (int j = 0; j < c->keys.n; j++)
        for (int i = 0; i <= j; i++)
            c->vals[n++] = col_value(map, c->keys.col[i], c->last);
    c->vals[n++] = zc_int(ZC__PAGE_ROWS);
    return cursor_run(c, c->next_sql, n, err);
}

/* Copies the caller's values so later pages can bind them again. */
static int copy_values(zc_cursor *c, const zc_query *qq, size_t room, zc_error *err)
{
    size_t bytes = 0;
    char *p;
    for (size_t i = 0; i < qq->nparams; i++)
        if (qq->params[i].type == ZC_T_TEXT)
            bytes += strlen(qq->params[i].v.s) + 1;
        else if (qq->params[i].type == ZC_T_BLOB)
            bytes += qq->params[i].v.b.n;
    c->vals = calloc(qq->nparams + room, sizeof *c->vals);
    c->copies = malloc(bytes ? bytes : 1);
    if (!c->vals || !c->copies)
        return zc__err(err, ZC_ENOMEM, "out of memory");
    p = c->copies;
    for (size_t i = 0; i < qq->nparams; i++) {
        c->vals[i] = qq->params[i];
        if (qq->params[i].type == ZC_T_TEXT) {
            size_t n = strlen(qq->params[i].v.s) + 1;
            memcpy(p, qq->params[i].v.s, n);
            c->vals[i].v.s = p;
            p += n;
        } else if (qq->params[i].type == ZC_T_BLOB && qq->params[i].v.b.n) {
            memcpy(p, qq->params[i].v.b.p, qq->params[i].v.b.n);
            c->vals[i].v.b.p = p;
            p += qq->params[i].v.b.n;
        }
    }
    c->nuser = qq->nparams;
    return ZC_OK;
}

/* The session closed under the cursor (zc__session_adopt): it keeps only its memory. */
static void cursor_detach(zc__child *link)
{
    zc_cursor *c = (zc_cursor *)(void *)link; /* the first member */
    if (c->s && c->s->gen == zc__fork_gen())
        cursor_release(c);
    c->st = NULL;
    c->s = NULL;
}

static void cursor_free(zc_cursor *c)
{
    if (c->s) {
        zc__session_disown(c->s, &c->link);
        if (c->s->gen != zc__fork_gen())
            c->st = NULL; /* the parent's statement: not the child's to touch */
    }
    cursor_release(c);
    free(c->next_sql);
    free(c->vals);
    free(c->copies);
    free(c->last);
    free(c);
}

int zc_repo_cursor(zc_repo *r, zc_session *s, const zc_query *qq, zc_cursor **out,
                   zc_error *err)
{
    static const zc_query all = { 0 };
    const zc__rsql *q;
    const zc__map *map;
    zc_cursor *c;
    zc__buf b = { 0 };
    int rc, offset_first = 0, has_id = 0, nullable = 0, streams;
    size_t n;

    if (!out)
        return zc__err(err, ZC_EINVAL, "zc_repo_cursor: out is NULL");
    *out = NULL;
    if (!r || !s)
        return zc__err(err, ZC_EINVAL, "zc_repo_cursor: repository and session are required");
    if ((rc = zc__session_check(s, "zc_repo_cursor", err)) != ZC_OK)
        return rc;
    if (!zc__session_serves(s, r->db))
        return zc__err(err, ZC_EINVAL, "zc_repo_cursor: the session is on database '%s', the "
                       "repository on '%s'", zc_session_db_name(s), r->db);
    if (!qq)
        qq = &all;
    c = calloc(1, sizeof *c);
    if (!c)
        return zc__err(err, ZC_ENOMEM, "out of memory");
    c->s = s;
    c->left = qq->limit > 0 ? qq->limit : -1;
    if ((rc = rsql_for(r, s, &q, err)) != ZC_OK)
        goto fail;
    c->q = q;
    map = q->map;
    if ((rc = check_query(map, qq, err)) != ZC_OK)
        goto fail;
    if (qq->order_by && *qq->order_by &&
        (rc = zc__order_check(map, qq->order_by, &b, &c->keys, err)) != ZC_OK)
        goto fail;
    zc__buf_free(&b);
    /* id ends the key, so every row has a distinct key; what follows id cannot matter */
    for (int i = 0; i < c->keys.n; i++) {
        if (map->cols[c->keys.col[i]].flags & ZC_F_NULLABLE)
            nullable = 1;
        if (c->keys.col[i] == 0) {
            c->keys.n = i + 1;
            has_id = 1;
            break;
        }
    }
    if (!has_id) {
        if (c->keys.n >= ZC__ORDER_MAX) {
            rc = zc__err(err, ZC_EINVAL, "order by: at most %d columns", ZC__ORDER_MAX - 1);
            goto fail;
        }
        c->keys.col[c->keys.n] = 0;
        c->keys.desc[c->keys.n++] = 0;
    }
    /* One statement where the driver can stream it (PostgreSQL: a server-side cursor, one
       snapshot); else pages by key, unless a key column is nullable (NULLs do not compare),
       which reads the result in one statement. */
    streams = zc__dialect_stream_attrs(map->dialect, NULL, NULL);
    c->paged = !nullable && !streams;
    n = (size_t)(c->keys.n * (c->keys.n + 1) / 2) + 2;
    if ((rc = copy_values(c, qq, n, err)) != ZC_OK)
        goto fail;
    if (c->paged) {
        c->last = malloc(map->m->size);
        if (!c->last || cursor_sql(c, qq, 1, &b, &offset_first) != ZC_OK) {
            rc = zc__err(err, ZC_ENOMEM, "out of memory");
            goto fail;
        }
        c->next_sql = take(&b);
        if (cursor_sql(c, qq, 0, &b, &offset_first) != ZC_OK) {
            rc = zc__err(err, ZC_ENOMEM, "out of memory");
            goto fail;
        }
        n = c->nuser;
        if (offset_first && qq->offset > 0)
            c->vals[n++] = zc_int(qq->offset);
        c->vals[n++] = zc_int(ZC__PAGE_ROWS);
        if (!offset_first && qq->offset > 0)
            c->vals[n++] = zc_int(qq->offset);
        rc = cursor_run(c, b.p, n, err);
    } else {
        zc_query one = *qq;
        one.params = c->vals;
        rc = open_rows(s, q, &one, c, streams, err);
    }
    zc__buf_free(&b);
    if (rc != ZC_OK)
        goto fail;
    zc__session_adopt(s, &c->link, cursor_detach);
    *out = c;
    return ZC_OK;
fail:
    zc__buf_free(&b);
    cursor_free(c);
    return rc;
}

int zc_cursor_next(zc_cursor *c, void *row, zc_error *err)
{
    int st;
    if (!c || !row)
        return zc__err(err, ZC_EINVAL, "zc_cursor_next: cursor or row is NULL");
    if (!c->s)
        return zc__err(err, ZC_ESTATE, "zc_cursor_next: the cursor's session was closed; "
                       "only zc_cursor_close() may be called on it");
    if ((st = zc__session_check(c->s, "zc_cursor_next", err)) != ZC_OK)
        return st;
    return cursor_next(c, row, err);
}

void zc_cursor_close(zc_cursor **cp)
{
    if (!cp || !*cp)
        return;
    cursor_free(*cp);
    *cp = NULL;
}
