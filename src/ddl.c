/* SPDX-License-Identifier: MIT */
/*
 * ddl: CREATE / DROP statements from model descriptors, per dialect.
 * Identifiers come only from validated descriptors (plain, non-reserved
 * identifiers), so they are written unquoted: the WHERE fragments callers
 * write use the same unquoted names and fold the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void zc__buf_add(zc__buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (b->oom)
        return;
    for (;;) {
        size_t room = b->cap - b->len;
        va_start(ap, fmt);
        n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if (b->p && (size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        {
            size_t cap = b->cap ? b->cap * 2 : 256;
            char *p;
            while (cap < b->len + (size_t)n + 1)
                cap *= 2;
            p = realloc(b->p, cap);
            if (!p) {
                b->oom = 1;
                return;
            }
            b->p = p;
            b->cap = cap;
        }
    }
}

void zc__buf_free(zc__buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

void zc_free(void *p)
{
    free(p);
}

static int check_models(const zc_model *const *models, size_t n, zc_error *err)
{
    if (!models && n)
        return zc__err(err, ZC_EINVAL, "models is NULL");
    for (size_t i = 0; i < n; i++) {
        int st = zc_model_validate(models[i], err);
        if (st != ZC_OK)
            return st;
    }
    return ZC_OK;
}

static int index_name(const zc_model *m, const zc_field *f, char *out, size_t n, zc_error *err)
{
    int len = snprintf(out, n, "ix_%s_%s", m->table, f->name);
    if (len < 0 || len > ZC_NAME_MAX)
        return zc__err(err, ZC_EINVAL, "model %s: field '%s': index name ix_%s_%s is longer "
                       "than %d characters", m->name, f->name, m->table, f->name, ZC_NAME_MAX);
    return ZC_OK;
}

/* Appends the statements of one model, each ended by ";\n". */
static int create_sql(const zc_model *m, int dialect, zc__buf *b, zc_error *err)
{
    const char *ine = zc__dialect_has_if_not_exists(dialect) ? "IF NOT EXISTS " : "";
    char tbuf[64];
    const char *ts = zc__dialect_column_type(dialect, ZC_FT_TIMESTAMP, 8, tbuf, sizeof tbuf);

    zc__buf_add(b, "CREATE TABLE %s%s (\n", ine, m->table);
    if (m->pk == ZC_PK_INT)
        zc__buf_add(b, "    %s,\n", zc__dialect_int_pk(dialect));
    else
        zc__buf_add(b, "    id %s NOT NULL PRIMARY KEY,\n",
                    zc__dialect_column_type(dialect, ZC_FT_UUID, 16, tbuf, sizeof tbuf));
    zc__buf_add(b, "    created_at %s NOT NULL,\n    updated_at %s NOT NULL", ts, ts);
    for (size_t i = 0; i < m->nfields; i++) {
        const zc_field *f = &m->fields[i];
        zc__buf_add(b, ",\n    %s %s%s", f->name,
                    zc__dialect_column_type(dialect, f->type, f->size, tbuf, sizeof tbuf),
                    f->flags & ZC_F_NULLABLE ? "" : " NOT NULL");
        if (f->default_value) {
            if (f->type == ZC_FT_TEXT)
                zc__buf_add(b, " DEFAULT '%s'", f->default_value);
            else
                zc__buf_add(b, " DEFAULT %s", f->default_value);
        }
        if ((f->flags & ZC_F_UNIQUE) && !(f->flags & ZC_F_INDEX))
            zc__buf_add(b, " UNIQUE");
    }
    zc__buf_add(b, "\n)%s;\n", dialect == ZC_DIALECT_MYSQL
                                   ? " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
                                   : "");
    for (size_t i = 0; i < m->nfields; i++) {
        const zc_field *f = &m->fields[i];
        char ix[128];
        int st;
        if (!(f->flags & ZC_F_INDEX))
            continue;
        if ((st = index_name(m, f, ix, sizeof ix, err)) != ZC_OK)
            return st;
        zc__buf_add(b, "CREATE %sINDEX %s%s ON %s (%s);\n",
                    f->flags & ZC_F_UNIQUE ? "UNIQUE " : "", ine, ix, m->table, f->name);
    }
    return b->oom ? zc__err(err, ZC_ENOMEM, "out of memory") : ZC_OK;
}

int zc_ddl_text(int dialect, const zc_model *const *models, size_t n, char **out, zc_error *err)
{
    zc__buf b = { 0 };
    int st;
    if (!out)
        return zc__err(err, ZC_EINVAL, "zc_ddl_text: out is NULL");
    *out = NULL;
    if (dialect < ZC_DIALECT_SQLITE || dialect > ZC_DIALECT_ANSI)
        return zc__err(err, ZC_EINVAL, "zc_ddl_text: unknown dialect %d", dialect);
    if ((st = check_models(models, n, err)) != ZC_OK)
        return st;
    zc__buf_add(&b, "%s", "");
    for (size_t i = 0; i < n && st == ZC_OK; i++)
        st = create_sql(models[i], dialect, &b, err);
    if (st == ZC_OK && b.oom)
        st = zc__err(err, ZC_ENOMEM, "out of memory");
    if (st != ZC_OK) {
        zc__buf_free(&b);
        return st;
    }
    *out = b.p;
    return ZC_OK;
}

/* Runs ";\n"-separated statements in a session. */
static int run_script(zc_session *s, char *script, int each_commit, zc_error *err)
{
    char *p = script;
    while (*p) {
        char *end = strstr(p, ";\n");
        int st;
        if (!end)
            break;
        *end = '\0';
        st = zc_session_exec(s, p, NULL, 0, NULL, err);
        if (st == ZC_OK && each_commit)
            st = zc_session_commit(s, err);
        if (st != ZC_OK)
            return st;
        p = end + 2;
    }
    return ZC_OK;
}

int zc_db_create_all(const char *name, const zc_model *const *models, size_t n, zc_error *err)
{
    zc_session *s = NULL;
    char *script = NULL;
    int st, dialect;

    if ((st = check_models(models, n, err)) != ZC_OK)
        return st;
    if ((st = zc_session_open(name, &s, err)) != ZC_OK)
        return st;
    dialect = zc_session_dialect(s);
    st = zc_ddl_text(dialect, models, n, &script, err);
    if (st == ZC_OK)
        st = run_script(s, script, !zc__dialect_transactional_ddl(dialect), err);
    if (st == ZC_OK)
        st = zc_session_commit(s, err);
    zc_free(script);
    zc_session_close(&s);
    return st;
}

int zc_db_drop_all(const char *name, const zc_model *const *models, size_t n, zc_error *err)
{
    zc_session *s = NULL;
    zc__buf b = { 0 };
    int st;

    if ((st = check_models(models, n, err)) != ZC_OK)
        return st;
    if ((st = zc_session_open(name, &s, err)) != ZC_OK)
        return st;
    for (size_t i = n; i-- > 0;)
        zc__buf_add(&b, "DROP TABLE IF EXISTS %s;\n", models[i]->table);
    if (b.oom)
        st = zc__err(err, ZC_ENOMEM, "out of memory");
    else if (b.p)
        st = run_script(s, b.p, !zc__dialect_transactional_ddl(zc_session_dialect(s)), err);
    if (st == ZC_OK)
        st = zc_session_commit(s, err);
    zc__buf_free(&b);
    zc_session_close(&s);
    return st;
}
