/*
 * map: from a model descriptor and a dialect, the ODBC types of each column
 * and the record layout rows pass through on their way in and out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define ALIGN8(x) (((x) + 7u) & ~(size_t)7u)
#define UUID_STAGE 40 /* 36 characters, NUL, padding */
#define DOUBLE_STAGE 32 /* zc__double_text of any double, NUL */

static void set_types(zc__col *c, int dialect)
{
    switch (c->type) {
    case ZC_FT_INT32:
        c->ctype = SQL_C_SLONG;
        c->sqltype = SQL_INTEGER;
        c->colsize = 10;
        c->buflen = sizeof(int32_t);
        break;
    case ZC_FT_INT64:
        c->ctype = SQL_C_SBIGINT;
        c->sqltype = SQL_BIGINT;
        c->colsize = 19;
        c->buflen = sizeof(int64_t);
        break;
    case ZC_FT_DOUBLE:
        if (zc__dialect_double_as_text(dialect)) {
            c->ctype = SQL_C_CHAR;
            c->sqltype = SQL_VARCHAR;
            c->colsize = DOUBLE_STAGE - 1;
            c->buflen = DOUBLE_STAGE;
            break;
        }
        c->ctype = SQL_C_DOUBLE;
        c->sqltype = SQL_DOUBLE;
        c->colsize = 15;
        c->buflen = sizeof(double);
        break;
    case ZC_FT_BOOL:
        c->ctype = SQL_C_BIT;
        c->sqltype = SQL_BIT;
        c->colsize = 1;
        c->buflen = 1;
        break;
    case ZC_FT_TEXT:
        c->ctype = SQL_C_CHAR;
        c->sqltype = c->size - 1 > 4000 ? SQL_LONGVARCHAR : SQL_VARCHAR;
        c->colsize = c->size - 1;
        c->buflen = (SQLLEN)c->size;
        break;
    case ZC_FT_UUID:
        c->ctype = SQL_C_CHAR;
        c->sqltype = zc__dialect_uuid_sqltype(dialect);
        c->colsize = 36;
        c->buflen = 37;
        break;
    case ZC_FT_TIMESTAMP:
        c->ctype = SQL_C_TYPE_TIMESTAMP;
        c->sqltype = SQL_TYPE_TIMESTAMP;
        c->colsize = 26;
        c->digits = 6;
        c->buflen = sizeof(SQL_TIMESTAMP_STRUCT);
        break;
    case ZC_FT_BLOB:
        c->ctype = SQL_C_BINARY;
        c->sqltype = SQL_VARBINARY;
        c->colsize = c->size;
        c->buflen = (SQLLEN)c->size;
        break;
    }
}

int zc__map_make(const zc_model *m, int dialect, zc__map **out, zc_error *err)
{
    zc__map *map;
    size_t off;
    int n = (int)m->nfields + 3;

    map = calloc(1, sizeof *map);
    if (!map || !(map->cols = calloc((size_t)n, sizeof *map->cols))) {
        free(map);
        return zc__err(err, ZC_ENOMEM, "out of memory");
    }
    map->m = m;
    map->dialect = dialect;
    map->ncols = n;
    {
        zc__col *c = map->cols;
        c[0] = (zc__col){ .name = "id", .type = m->pk == ZC_PK_UUID ? ZC_FT_UUID : ZC_FT_INT64,
                          .role = ZC__ROLE_ID, .offset = m->id_offset, .size = m->id_size,
                          .null_offset = ZC_NO_MEMBER, .len_offset = ZC_NO_MEMBER };
        c[1] = (zc__col){ .name = "created_at", .type = ZC_FT_TIMESTAMP,
                          .role = ZC__ROLE_CREATED, .offset = m->created_offset, .size = 8,
                          .null_offset = ZC_NO_MEMBER, .len_offset = ZC_NO_MEMBER };
        c[2] = (zc__col){ .name = "updated_at", .type = ZC_FT_TIMESTAMP,
                          .role = ZC__ROLE_UPDATED, .offset = m->updated_offset, .size = 8,
                          .null_offset = ZC_NO_MEMBER, .len_offset = ZC_NO_MEMBER };
        for (size_t i = 0; i < m->nfields; i++) {
            const zc_field *f = &m->fields[i];
            c[3 + i] = (zc__col){ .name = f->name, .type = f->type, .role = ZC__ROLE_FIELD,
                                  .flags = f->flags, .offset = f->offset, .size = f->size,
                                  .null_offset = f->null_offset, .len_offset = f->len_offset };
        }
    }
    /* record: struct image, indicators, staging */
    off = ALIGN8(m->size);
    for (int i = 0; i < n; i++) {
        map->cols[i].ind_off = off;
        off += sizeof(SQLLEN);
    }
    for (int i = 0; i < n; i++) {
        zc__col *c = &map->cols[i];
        set_types(c, dialect);
        if (c->type == ZC_FT_TIMESTAMP) {
            c->data_off = off;
            off += ALIGN8(sizeof(SQL_TIMESTAMP_STRUCT));
        } else if (c->type == ZC_FT_UUID) {
            c->data_off = off;
            off += UUID_STAGE;
        } else if (c->type == ZC_FT_DOUBLE && c->ctype == SQL_C_CHAR) {
            c->data_off = off;
            off += DOUBLE_STAGE;
        } else {
            c->data_off = c->offset;
        }
    }
    map->rec_size = ALIGN8(off);
    *out = map;
    return ZC_OK;
}

void zc__map_free(zc__map *map)
{
    if (map) {
        free(map->cols);
        free(map);
    }
}

void zc__map_bind_of(const zc__map *map, int c, unsigned char *base, zc__bind *out)
{
    const zc__col *col = &map->cols[c];
    memset(out, 0, sizeof *out);
    out->ctype = col->ctype;
    out->sqltype = col->sqltype;
    out->digits = col->digits;
    out->colsize = col->colsize;
    out->ptr = base + col->data_off;
    out->buflen = col->buflen;
    out->ind = (SQLLEN *)(void *)(base + col->ind_off);
}

static int is_null(const zc__col *c, const unsigned char *row)
{
    return (c->flags & ZC_F_NULLABLE) && c->null_offset != ZC_NO_MEMBER &&
           *(const bool *)(const void *)(row + c->null_offset);
}

int zc__map_put(const zc__map *map, int i, const void *rowv, unsigned char *dst, SQLLEN *ind,
                zc_error *err)
{
    const unsigned char *row = rowv;
    const zc__col *c = &map->cols[i];
    const unsigned char *src = row + c->offset;

    if (is_null(c, row)) {
        *ind = SQL_NULL_DATA;
        return ZC_OK;
    }
    switch (c->type) {
    case ZC_FT_TEXT: {
        const unsigned char *nul = memchr(src, '\0', c->size);
        if (!nul)
            return zc__err(err, ZC_ETRUNC, "model %s: field '%s': text is not "
                           "NUL-terminated within its %zu bytes", map->m->name, c->name, c->size);
        if (!zc__utf8_valid((const char *)src, (size_t)(nul - src)))
            return zc__err(err, ZC_EINVAL, "model %s: field '%s': text is not valid UTF-8",
                           map->m->name, c->name);
        memcpy(dst, src, (size_t)(nul - src) + 1);
        *ind = (SQLLEN)(nul - src);
        break;
    }
    case ZC_FT_BLOB: {
        size_t len;
        memcpy(&len, row + c->len_offset, sizeof len);
        if (len > c->size)
            return zc__err(err, ZC_ETRUNC, "model %s: field '%s': length %zu is more than "
                           "its %zu bytes", map->m->name, c->name, len, c->size);
        memcpy(dst, src, len);
        *ind = (SQLLEN)len;
        break;
    }
    case ZC_FT_TIMESTAMP: {
        zc_timestamp ts;
        memcpy(&ts, src, sizeof ts);
        if (zc__ts_to_odbc(ts, (SQL_TIMESTAMP_STRUCT *)(void *)dst) != ZC_OK)
            return zc__err(err, ZC_EINVAL, "model %s: field '%s': timestamp %lld is outside "
                           "years 1..9999", map->m->name, c->name, (long long)ts);
        *ind = sizeof(SQL_TIMESTAMP_STRUCT);
        break;
    }
    case ZC_FT_UUID:
        zc__uuid_to_text((const zc_uuid *)(const void *)src, (char *)dst);
        *ind = 36;
        break;
    case ZC_FT_BOOL:
        dst[0] = *(const bool *)(const void *)src ? 1 : 0;
        *ind = 1;
        break;
    case ZC_FT_DOUBLE:
        if (c->ctype == SQL_C_CHAR) {
            double d;
            memcpy(&d, src, sizeof d);
            *ind = zc__double_text(d, (char *)dst, DOUBLE_STAGE);
            break;
        }
        memcpy(dst, src, c->size);
        *ind = (SQLLEN)c->size;
        break;
    default:
        memcpy(dst, src, c->size);
        *ind = (SQLLEN)c->size;
        break;
    }
    return ZC_OK;
}

int zc__map_pack(const zc__map *map, const void *row, unsigned char *rec, int from, int to,
                 zc_error *err)
{
    for (int i = from; i < to; i++) {
        const zc__col *c = &map->cols[i];
        int rc = zc__map_put(map, i, row, rec + c->data_off, (SQLLEN *)(void *)(rec + c->ind_off),
                             err);
        if (rc != ZC_OK)
            return rc;
    }
    return ZC_OK;
}

int zc__map_unpack(const zc__map *map, const unsigned char *rec, void *rowv, int from, int to,
                   zc_error *err)
{
    unsigned char *row = rowv;
    for (int i = from; i < to; i++) {
        const zc__col *c = &map->cols[i];
        SQLLEN ind;
        unsigned char *dst = row + c->offset;

        memcpy(&ind, rec + c->ind_off, sizeof ind);
        if (ind == SQL_NULL_DATA) {
            if (!(c->flags & ZC_F_NULLABLE))
                return zc__err(err, ZC_EINVAL, "model %s: column '%s' is NULL but the field "
                               "is not nullable", map->m->name, c->name);
            memset(dst, 0, c->size);
            *(bool *)(void *)(row + c->null_offset) = true;
            if (c->len_offset != ZC_NO_MEMBER)
                memset(row + c->len_offset, 0, sizeof(size_t));
            continue;
        }
        if (ind < 0 && ind != SQL_NO_TOTAL) /* no length a driver may report */
            return zc__err(err, ZC_EDRIVER, "model %s: column '%s': the driver reported "
                           "length %ld", map->m->name, c->name, (long)ind);
        if (c->flags & ZC_F_NULLABLE)
            *(bool *)(void *)(row + c->null_offset) = false;
        switch (c->type) {
        case ZC_FT_TEXT:
            if (ind == SQL_NO_TOTAL || ind > (SQLLEN)c->size - 1)
                return zc__err(err, ZC_ETRUNC, "model %s: column '%s' holds %ld bytes; the "
                               "field has room for %zu", map->m->name, c->name, (long)ind,
                               c->size - 1);
            memcpy(dst, rec + c->data_off, (size_t)ind);
            dst[ind] = '\0';
            break;
        case ZC_FT_BLOB: {
            size_t len = (size_t)ind;
            if (ind == SQL_NO_TOTAL || ind > (SQLLEN)c->size)
                return zc__err(err, ZC_ETRUNC, "model %s: column '%s' holds %ld bytes; the "
                               "field has room for %zu", map->m->name, c->name, (long)ind,
                               c->size);
            memcpy(dst, rec + c->data_off, len);
            memcpy(row + c->len_offset, &len, sizeof len);
            break;
        }
        case ZC_FT_TIMESTAMP: {
            zc_timestamp ts;
            if (zc__ts_from_odbc((const SQL_TIMESTAMP_STRUCT *)(const void *)(rec + c->data_off),
                                 &ts) != ZC_OK)
                return zc__err(err, ZC_EINVAL, "model %s: column '%s': invalid timestamp",
                               map->m->name, c->name);
            memcpy(dst, &ts, sizeof ts);
            break;
        }
        case ZC_FT_UUID: {
            char text[37];
            size_t n = ind < 0 || ind > 36 ? 36 : (size_t)ind; /* SQL_NO_TOTAL too */
            memcpy(text, rec + c->data_off, n);
            text[n] = '\0';
            if (ind != 36 || zc_uuid_parse(text, (zc_uuid *)(void *)dst) != ZC_OK)
                return zc__err(err, ZC_EINVAL, "model %s: column '%s': '%s' is not a UUID",
                               map->m->name, c->name, text);
            break;
        }
        case ZC_FT_BOOL:
            *(bool *)(void *)dst = rec[c->data_off] != 0;
            break;
        case ZC_FT_DOUBLE:
            if (c->ctype == SQL_C_CHAR) {
                char *end;
                double d;
                if (!memchr(rec + c->data_off, '\0', DOUBLE_STAGE))
                    return zc__err(err, ZC_ETRUNC, "model %s: column '%s': the number's text "
                                   "does not fit %d bytes", map->m->name, c->name, DOUBLE_STAGE);
                d = strtod((const char *)(rec + c->data_off), &end);
                if (end == (const char *)(rec + c->data_off) || *end != '\0')
                    return zc__err(err, ZC_EINVAL, "model %s: column '%s': '%.31s' is not a "
                                   "number", map->m->name, c->name,
                                   (const char *)(rec + c->data_off));
                memcpy(dst, &d, sizeof d);
                break;
            }
            memcpy(dst, rec + c->data_off, c->size);
            break;
        default:
            memcpy(dst, rec + c->data_off, c->size);
            break;
        }
    }
    return ZC_OK;
}
