/* SPDX-License-Identifier: MIT */
/*
 * query: the checks on the SQL a caller writes in a repository query. A WHERE
 * fragment may hold the model's column names, `?` parameters, numbers,
 * comparison and arithmetic operators, parentheses, a few keywords and a few
 * functions; nothing that could carry a value or end the statement (quotes,
 * semicolons, comments) gets through. ORDER BY takes model columns only.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

static const char *const keywords[] = {
    "AND", "BETWEEN", "FALSE", "IN", "IS", "LIKE", "NOT", "NULL", "OR", "TRUE",
};
static const char *const functions[] = { "abs", "coalesce", "length", "lower", "upper" };

static int in_list(const char *w, size_t n, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(list[i]) == n && !strncasecmp(w, list[i], n))
            return 1;
    return 0;
}

static int is_column(const zc__map *map, const char *w, size_t n)
{
    for (int i = 0; i < map->ncols; i++)
        if (strlen(map->cols[i].name) == n && !memcmp(map->cols[i].name, w, n))
            return 1;
    return 0;
}

int zc__where_check(const zc__map *map, const char *where, size_t nparams, zc_error *err)
{
    const char *p = where;
    size_t marks = 0;
    int depth = 0;

    while (*p) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            p++;
        } else if (isalpha(c) || c == '_') {
            const char *w = p, *q;
            size_t n;
            while (isalnum((unsigned char)*p) || *p == '_')
                p++;
            n = (size_t)(p - w);
            for (q = p; *q == ' ' || *q == '\t'; q++)
                ;
            if (in_list(w, n, keywords, sizeof keywords / sizeof keywords[0]))
                continue;
            if (*q == '(' && in_list(w, n, functions, sizeof functions / sizeof functions[0]))
                continue;
            if (!is_column(map, w, n))
                return zc__err(err, ZC_EINVAL, "where: '%.*s' is not a column of model %s",
                               (int)(n > 64 ? 64 : n), w, map->m->name);
        } else if (isdigit(c)) {
            while (isdigit((unsigned char)*p) || *p == '.')
                p++;
            if (isalpha((unsigned char)*p) || *p == '_')
                return zc__err(err, ZC_EINVAL, "where: malformed number near '%.20s'", p);
        } else if (c == '?') {
            marks++;
            p++;
        } else if ((c == '-' && p[1] == '-') || (c == '/' && p[1] == '*')) {
            return zc__err(err, ZC_EINVAL, "where: comments are not allowed");
        } else if (c == '(') {
            depth++;
            p++;
        } else if (c == ')') {
            if (--depth < 0)
                return zc__err(err, ZC_EINVAL, "where: unbalanced ')'");
            p++;
        } else if (strchr("=<>!+-*/%,", c)) {
            p++;
        } else {
            if (c < 0x20 || c >= 0x7f)
                return zc__err(err, ZC_EINVAL, "where: byte 0x%02x is not allowed; write "
                               "values as ? parameters", c);
            return zc__err(err, ZC_EINVAL, "where: '%c' is not allowed; write values as ? "
                           "parameters", c);
        }
    }
    if (depth != 0)
        return zc__err(err, ZC_EINVAL, "where: unbalanced '('");
    if (marks != nparams)
        return zc__err(err, ZC_EINVAL, "where: %zu '?' but %zu parameters", marks, nparams);
    return ZC_OK;
}

static int column_index(const zc__map *map, const char *w, size_t n)
{
    for (int i = 0; i < map->ncols; i++)
        if (strlen(map->cols[i].name) == n && !memcmp(map->cols[i].name, w, n))
            return i;
    return -1;
}

int zc__order_check(const zc__map *map, const char *order, zc__buf *out, zc__order *keys,
                    zc_error *err)
{
    const char *p = order;
    int first = 1;
    if (keys)
        keys->n = 0;
    for (;;) {
        const char *w;
        size_t n;
        const char *dir = "ASC";
        while (*p == ' ' || *p == '\t')
            p++;
        w = p;
        while (isalnum((unsigned char)*p) || *p == '_')
            p++;
        n = (size_t)(p - w);
        if (n == 0)
            return zc__err(err, ZC_EINVAL, "order by: expected a column name at '%.20s'", p);
        if (!is_column(map, w, n))
            return zc__err(err, ZC_EINVAL, "order by: '%.*s' is not a column of model %s",
                           (int)(n > 64 ? 64 : n), w, map->m->name);
        while (*p == ' ' || *p == '\t')
            p++;
        if (!strncasecmp(p, "DESC", 4) && !isalnum((unsigned char)p[4]) && p[4] != '_') {
            dir = "DESC";
            p += 4;
        } else if (!strncasecmp(p, "ASC", 3) && !isalnum((unsigned char)p[3]) && p[3] != '_') {
            p += 3;
        }
        zc__buf_add(out, "%s%.*s %s", first ? "" : ", ", (int)n, w, dir);
        first = 0;
        if (keys) {
            if (keys->n >= ZC__ORDER_MAX)
                return zc__err(err, ZC_EINVAL, "order by: more than %d columns", ZC__ORDER_MAX);
            keys->col[keys->n] = column_index(map, w, n);
            keys->desc[keys->n] = dir[0] == 'D';
            keys->n++;
        }
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            break;
        if (*p != ',')
            return zc__err(err, ZC_EINVAL, "order by: unexpected '%.20s'", p);
        p++;
    }
    return out->oom ? zc__err(err, ZC_ENOMEM, "out of memory") : ZC_OK;
}
