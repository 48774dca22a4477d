/* SPDX-License-Identifier: MIT */
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

/*
 * Lays out the shadow row of direct binding: indicators, then the text of the
 * timestamps, in the struct's own size (row-wise binding has one stride).
 * Returns its length; 0 when some value needs converting other than a
 * timestamp, or it does not fit.
 */
static size_t direct_layout(zc__map *map)
{
    size_t off = 0;
    if (map->m->size % 8 != 0)
        return 0;
    for (int i = 0; i < map->ncols; i++) {
        zc__col *c = &map->cols[i];
        if (c->type == ZC_FT_UUID || c->type == ZC_FT_BLOB ||
            (c->type == ZC_FT_DOUBLE && c->ctype != SQL_C_DOUBLE))
            return 0;
        c->sh_ind = off;
        off += sizeof(SQLLEN);
    }
    for (int i = 0; i < map->ncols; i++) {
        zc__col *c = &map->cols[i];
        if (c->type == ZC_FT_TIMESTAMP) {
            c->sh_data = off;
            off += c->ts_text ? ZC__TS_SQL_TEXT : ALIGN8(sizeof(SQL_TIMESTAMP_STRUCT));
        }
    }
    return off <= map->m->size ? off : 0;
}

static int by_offset(const void *a, const void *b)
{
    const size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/*
 * The byte ranges of the struct the model maps — each column's member, its NULL
 * flag, its length — sorted and merged where they touch, so that copying a row
 * takes a few memcpy and never writes a member the model does not know; and
 * whether the shadow_len bytes of a shadow row would lie in mapped members only.
 */
static int copy_runs(zc__map *map, size_t shadow_len)
{
    size_t (*r)[2] = calloc((size_t)map->ncols * 3, sizeof *r);
    int n = 0;
    if (!r)
        return ZC_ENOMEM;
    for (int i = 0; i < map->ncols; i++) {
        const zc__col *c = &map->cols[i];
        size_t at[3][2] = { { c->offset, c->size }, { ZC_NO_MEMBER, 0 }, { ZC_NO_MEMBER, 0 } };
        if (c->flags & ZC_F_NULLABLE)
            at[1][0] = c->null_offset, at[1][1] = sizeof(bool);
        if (c->len_offset != ZC_NO_MEMBER)
            at[2][0] = c->len_offset, at[2][1] = sizeof(size_t);
        for (int j = 0; j < 3; j++) {
            if (at[j][0] == ZC_NO_MEMBER)
                continue;
            r[n][0] = at[j][0];
            r[n][1] = at[j][0] + at[j][1];
            n++;
        }
    }
    qsort(r, (size_t)n, sizeof *r, by_offset);
    map->runs = calloc((size_t)n, sizeof *map->runs);
    if (!map->runs) {
        free(r);
        return ZC_ENOMEM;
    }
    for (int i = 0; i < n; i++) {
        if (map->nruns > 0 &&
            r[i][0] <= map->runs[map->nruns - 1].off + map->runs[map->nruns - 1].len) {
            size_t end = map->runs[map->nruns - 1].off + map->runs[map->nruns - 1].len;
            if (r[i][1] > end)
                map->runs[map->nruns - 1].len += r[i][1] - end;
            continue;
        }
        map->runs[map->nruns].off = r[i][0];
        map->runs[map->nruns].len = r[i][1] - r[i][0];
        map->nruns++;
    }
    free(r);
    /* The shadow may lie in a struct's place only where a read writes the row over
       it: in the model's members, never in padding or a member it does not map. */
    map->shadow_in_row = map->nruns > 0 && map->runs[0].off == 0 &&
                         map->runs[0].len >= shadow_len;
    return ZC_OK;
}

void zc__map_copy(const zc__map *map, void *dst, const void *src)
{
    for (int i = 0; i < map->nruns; i++)
        memcpy((unsigned char *)dst + map->runs[i].off,
               (const unsigned char *)src + map->runs[i].off, map->runs[i].len);
}

int zc__map_make(const zc_model *m, int dialect, zc__map **out, zc_error *err)
{
    zc__map *map;
    size_t off, shadow_len;
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
            c->ts_text = zc__dialect_ts_as_text(dialect, (c->flags & ZC_F_NULLABLE) != 0);
            if (c->ts_text) { /* fetched as text: room for it too */
                c->text_off = off;
                off += ZC__TS_SQL_TEXT;
            }
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
    shadow_len = direct_layout(map);
    map->direct = shadow_len > 0;
    if (map->direct && copy_runs(map, shadow_len) != ZC_OK) {
        zc__map_free(map);
        return zc__err(err, ZC_ENOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++)
        map->has_bit |= map->cols[i].ctype == SQL_C_BIT;
    *out = map;
    return ZC_OK;
}

void zc__map_free(zc__map *map)
{
    if (map) {
        free(map->runs);
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

/*
 * Timestamps are fetched as text and parsed by zodiac: the drivers' own conversion
 * says nothing when a stored value has no timestamp of years 1..9999 — psqlODBC
 * 13.02 gives today's date for '20000-01-01' and 9999-12-31 23:59:59 for 'infinity',
 * MariaDB Connector/ODBC and sqliteodbc give NULL for '0000-00-00' and for text that
 * is not a date. (PostgreSQL's column is selected as text too: psqlODBC rewrites a
 * timestamp even into SQL_C_CHAR; zc__dialect_select_col.)
 */
void zc__map_bind_result(const zc__map *map, int c, unsigned char *base, zc__bind *out)
{
    const zc__col *col = &map->cols[c];
    zc__map_bind_of(map, c, base, out);
    if (col->ts_text) {
        out->ctype = SQL_C_CHAR;
        out->ptr = base + col->text_off;
        out->buflen = ZC__TS_SQL_TEXT;
    }
}

/*
 * MariaDB Connector/ODBC 3.1.15 writes SQL_NULL_DATA for a NULL SQL_C_BIT value
 * but leaves the indicator of a non-NULL one as it was (tests/check_repo.c,
 * find_reads_rowsets_into_the_array_nulls_and_all): an indicator left over from
 * an earlier NULL in the same buffer would read as NULL again. So every fetch
 * starts with those indicators set to the value's size.
 */
void zc__map_preset_bits(const zc__map *map, unsigned char *base, size_t nrows, int direct)
{
    const size_t stride = direct ? map->m->size : map->rec_size;
    const SQLLEN one = 1;
    if (!map->has_bit)
        return;
    for (int i = 0; i < map->ncols; i++) {
        const zc__col *c = &map->cols[i];
        if (c->ctype != SQL_C_BIT)
            continue;
        for (size_t r = 0; r < nrows; r++)
            memcpy(base + r * stride + (direct ? c->sh_ind : c->ind_off), &one, sizeof one);
    }
}

void zc__map_bind_direct(const zc__map *map, int c, unsigned char *row, unsigned char *shadow,
                         zc__bind *out)
{
    const zc__col *col = &map->cols[c];
    zc__map_bind_result(map, c, row, out);
    out->ptr = col->type == ZC_FT_TIMESTAMP ? shadow + col->sh_data : row + col->offset;
    out->ind = (SQLLEN *)(void *)(shadow + col->sh_ind);
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

int zc__map_put_ts_text(const zc__map *map, int i, const void *rowv, char *dst, SQLLEN *ind,
                        zc__ts_text_memo *memo, zc_error *err)
{
    const unsigned char *row = rowv;
    const zc__col *c = &map->cols[i];
    zc_timestamp ts;
    if (is_null(c, row)) {
        *ind = SQL_NULL_DATA;
        return ZC_OK;
    }
    memcpy(&ts, row + c->offset, sizeof ts);
    if (!memo->valid || memo->ts != ts) {
        char iso[ZC_TIMESTAMP_TEXT_SIZE]; /* "YYYY-MM-DDTHH:MM:SS.ffffffZ" */
        if (zc_timestamp_format(ts, iso) != ZC_OK)
            return zc__err(err, ZC_EINVAL, "model %s: field '%s': timestamp %lld is outside "
                           "years 1..9999", map->m->name, c->name, (long long)ts);
        iso[10] = ' ';
        iso[26] = '\0';
        memcpy(memo->text, iso, 27);
        memo->ts = ts;
        memo->valid = 1;
    }
    memcpy(dst, memo->text, 27);
    *ind = 26;
    return ZC_OK;
}

int zc__map_pack(const zc__map *map, const void *row, unsigned char *rec, int from, int to,
                 zc_error *err)
{
    const unsigned char *ts_done = NULL; /* a timestamp converted for this row */
    zc_timestamp ts_val = 0;
    for (int i = from; i < to; i++) {
        const zc__col *c = &map->cols[i];
        SQLLEN *ind = (SQLLEN *)(void *)(rec + c->ind_off);
        int rc;
        if (c->type == ZC_FT_TIMESTAMP && !is_null(c, row)) {
            /* created_at and updated_at are usually equal: split the calendar once */
            zc_timestamp ts;
            memcpy(&ts, (const unsigned char *)row + c->offset, sizeof ts);
            if (ts_done && ts == ts_val) {
                memcpy(rec + c->data_off, ts_done, sizeof(SQL_TIMESTAMP_STRUCT));
                *ind = sizeof(SQL_TIMESTAMP_STRUCT);
                continue;
            }
            if ((rc = zc__map_put(map, i, row, rec + c->data_off, ind, err)) != ZC_OK)
                return rc;
            ts_done = rec + c->data_off;
            ts_val = ts;
            continue;
        }
        if ((rc = zc__map_put(map, i, row, rec + c->data_off, ind, err)) != ZC_OK)
            return rc;
    }
    return ZC_OK;
}

static int two(const char *p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}

static int all_digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    return 1;
}

/*
 * A timestamp from the text a driver gives: "YYYY-MM-DD HH:MM:SS" and optionally '.'
 * and 1 to 9 digits (PostgreSQL drops trailing zeros, SQLite keeps milliseconds,
 * MariaDB microseconds; digits past the sixth must be zeros). Anything else — a fifth
 * year digit, "infinity", " BC", a zero month or day, Feb 30 — is ZC_EINVAL: it is not
 * a timestamp zodiac can hold. *memo skips the calendar when the text or its date
 * repeats.
 */
static int ts_from_text(const char *p, SQLLEN ind, zc__ts_memo *memo, zc_timestamp *out)
{
    size_t n = (size_t)ind;
    zc__civil c;
    int64_t tod;
    int usec = 0;
    if (ind < 19 || ind >= ZC__TS_SQL_TEXT)
        return ZC_EINVAL;
    if (memo->valid && memo->len == n && !memcmp(p, memo->in, n)) { /* len 0: a struct */
        *out = memo->out;
        return ZC_OK;
    }
    if (!all_digits(p, 4) || p[4] != '-' || !all_digits(p + 5, 2) || p[7] != '-' ||
        !all_digits(p + 8, 2) || (p[10] != ' ' && p[10] != 'T') || !all_digits(p + 11, 2) ||
        p[13] != ':' || !all_digits(p + 14, 2) || p[16] != ':' || !all_digits(p + 17, 2))
        return ZC_EINVAL;
    if (n > 19) {
        size_t k = n - 20;
        if (p[19] != '.' || k < 1 || k > 9 || !all_digits(p + 20, k))
            return ZC_EINVAL;
        for (size_t i = 0; i < 6; i++)
            usec = usec * 10 + (i < k ? p[20 + i] - '0' : 0);
        for (size_t i = 6; i < k; i++)
            if (p[20 + i] != '0')
                return ZC_EINVAL; /* finer than a microsecond: not rounded */
    }
    c.hour = two(p + 11);
    c.minute = two(p + 14);
    c.second = two(p + 17);
    c.usec = usec;
    if (c.hour > 23 || c.minute > 59 || c.second > 59)
        return ZC_EINVAL;
    tod = (int64_t)c.hour * INT64_C(3600000000) + (int64_t)c.minute * 60000000 +
          (int64_t)c.second * 1000000 + usec;
    if (memo->valid && memo->len >= 10 && !memcmp(p, memo->in, 10)) { /* text, same date */
        *out = memo->day + tod; /* the same date: only the time of day is new */
    } else {
        zc_timestamp day;
        c.year = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + two(p + 2);
        c.month = two(p + 5);
        c.day = two(p + 8);
        c.hour = c.minute = c.second = c.usec = 0;
        if (zc__ts_join(&c, &day) != ZC_OK)
            return ZC_EINVAL;
        memo->day = day;
        *out = day + tod;
    }
    memcpy(memo->in, p, n);
    memo->len = n;
    memo->out = *out;
    memo->valid = 1;
    return ZC_OK;
}

static int64_t time_of_day(const SQL_TIMESTAMP_STRUCT *t)
{
    return (int64_t)t->hour * INT64_C(3600000000) + (int64_t)t->minute * 60000000 +
           (int64_t)t->second * 1000000 + t->fraction / 1000u;
}

/* A timestamp fetched in its binary form (MariaDB's NOT NULL columns); *memo as above. */
static int ts_from_struct(const unsigned char *src, zc__ts_memo *memo, zc_timestamp *out)
{
    SQL_TIMESTAMP_STRUCT in, was;
    memcpy(&in, src, sizeof in);
    if (memo->valid && memo->len == 0) {
        memcpy(&was, memo->in, sizeof was);
        if (!memcmp(&in, &was, sizeof in)) {
            *out = memo->out;
            return ZC_OK;
        }
        if (in.year == was.year && in.month == was.month && in.day == was.day) {
            if (in.hour > 23 || in.minute > 59 || in.second > 59 || in.fraction > 999999999u)
                return ZC_EINVAL;
            *out = memo->day + time_of_day(&in);
            goto remember;
        }
    }
    if (zc__ts_from_odbc(&in, out) != ZC_OK)
        return ZC_EINVAL;
    memo->day = *out - time_of_day(&in);
remember:
    memcpy(memo->in, &in, sizeof in);
    memo->len = 0;
    memo->out = *out;
    memo->valid = 1;
    return ZC_OK;
}

/* What a fetched timestamp column holds, whichever form it was fetched in. */
static int ts_fetched(const zc__col *c, const unsigned char *p, SQLLEN ind, zc__ts_memo *memo,
                      zc_timestamp *out)
{
    return c->ts_text ? ts_from_text((const char *)p, ind, memo, out)
                      : ts_from_struct(p, memo, out);
}

static int bad_timestamp(const zc__map *map, const zc__col *c, const char *text, SQLLEN ind,
                         zc_error *err)
{
    char shown[ZC__TS_SQL_TEXT + 1];
    size_t n = ind < 0 ? 0 : (size_t)ind;
    if (!c->ts_text) {
        SQL_TIMESTAMP_STRUCT t;
        memcpy(&t, text, sizeof t);
        return zc__err(err, ZC_EINVAL, "model %s: column '%s' holds %04d-%02u-%02u "
                       "%02u:%02u:%02u, which is not a timestamp of years 0001..9999: the row "
                       "is not read", map->m->name, c->name, t.year, t.month, t.day, t.hour,
                       t.minute, t.second);
    }
    if (n > ZC__TS_SQL_TEXT - 1 || ind == SQL_NO_TOTAL)
        n = ZC__TS_SQL_TEXT - 1;
    for (size_t i = 0; i < n; i++) /* the stored bytes may be anything */
        shown[i] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '?';
    shown[n] = '\0';
    return zc__err(err, ZC_EINVAL, "model %s: column '%s' holds '%s'%s, which is not a "
                   "timestamp of years 0001..9999: the row is not read", map->m->name, c->name,
                   shown, ind >= ZC__TS_SQL_TEXT || ind == SQL_NO_TOTAL ? "…" : "");
}

/* Text with a NUL inside would read as shorter in a C string: refused, never cut. */
static int text_with_nul(const zc__map *map, const zc__col *c, const unsigned char *p,
                         SQLLEN ind, zc_error *err)
{
    const unsigned char *nul = memchr(p, '\0', (size_t)ind);
    if (!nul)
        return ZC_OK;
    return zc__err(err, ZC_EINVAL, "model %s: column '%s' holds a NUL byte at offset %ld of "
                   "its %ld bytes, which a C string field cannot hold", map->m->name, c->name,
                   (long)(nul - p), (long)ind);
}

/*
 * What every fetched value goes through first: a NULL is stored as the field's
 * NULL (1 returned: nothing more to do), a length no driver may report is refused.
 */
static int fetched_ind(const zc__map *map, const zc__col *c, SQLLEN ind, unsigned char *row,
                       zc_error *err)
{
    if (ind == SQL_NULL_DATA) {
        if (!(c->flags & ZC_F_NULLABLE) && c->type == ZC_FT_TIMESTAMP && !c->ts_text)
            return zc__err(err, ZC_EINVAL, "model %s: column '%s' is NULL or holds a zero "
                           "date ('0000-00-00', which MariaDB's driver returns as NULL), which "
                           "is not a timestamp of years 0001..9999", map->m->name, c->name);
        if (!(c->flags & ZC_F_NULLABLE))
            return zc__err(err, ZC_EINVAL, "model %s: column '%s' is NULL but the field "
                           "is not nullable", map->m->name, c->name);
        memset(row + c->offset, 0, c->size);
        *(bool *)(void *)(row + c->null_offset) = true;
        if (c->len_offset != ZC_NO_MEMBER)
            memset(row + c->len_offset, 0, sizeof(size_t));
        return 1;
    }
    if (ind < 0 && ind != SQL_NO_TOTAL)
        return zc__err(err, ZC_EDRIVER, "model %s: column '%s': the driver reported "
                       "length %ld", map->m->name, c->name, (long)ind);
    if (c->flags & ZC_F_NULLABLE)
        *(bool *)(void *)(row + c->null_offset) = false;
    return 0;
}

static int text_too_long(const zc__map *map, const zc__col *c, SQLLEN ind, size_t room,
                         zc_error *err)
{
    return zc__err(err, ZC_ETRUNC, "model %s: column '%s' holds %ld bytes; the field has "
                   "room for %zu", map->m->name, c->name, (long)ind, room);
}

int zc__map_finish_direct(const zc__map *map, const unsigned char *shadow, void *rowv,
                          zc__ts_memo *memo, zc_error *err)
{
    unsigned char *row = rowv;
    for (int i = 0; i < map->ncols; i++) {
        const zc__col *c = &map->cols[i];
        SQLLEN ind;
        memcpy(&ind, shadow + c->sh_ind, sizeof ind);
        if (ind < 0) { /* NULL, SQL_NO_TOTAL, or a length no driver may report */
            int rc = fetched_ind(map, c, ind, row, err);
            if (rc < 0)
                return rc;
            if (rc == 1)
                continue;
        } else if (c->flags & ZC_F_NULLABLE) {
            *(bool *)(void *)(row + c->null_offset) = false;
        }
        if (c->type == ZC_FT_TEXT) {
            /* the driver wrote the text and its NUL, cut to the field when too long */
            if (ind == SQL_NO_TOTAL || ind > (SQLLEN)c->size - 1)
                return text_too_long(map, c, ind, c->size - 1, err);
            if (text_with_nul(map, c, row + c->offset, ind, err) != ZC_OK)
                return ZC_EINVAL;
        } else if (c->type == ZC_FT_TIMESTAMP) {
            const unsigned char *src = shadow + c->sh_data;
            zc_timestamp ts;
            if (ts_fetched(c, src, ind, memo, &ts) != ZC_OK)
                return bad_timestamp(map, c, (const char *)src, ind, err);
            memcpy(row + c->offset, &ts, sizeof ts);
        }
    }
    return ZC_OK;
}

int zc__map_unpack(const zc__map *map, const unsigned char *rec, void *row, int from, int to,
                   zc_error *err)
{
    zc__ts_memo memo = { .valid = 0 };
    return zc__map_unpack_memo(map, rec, row, from, to, &memo, err);
}

int zc__map_unpack_memo(const zc__map *map, const unsigned char *rec, void *rowv, int from,
                        int to, zc__ts_memo *memo, zc_error *err)
{
    unsigned char *row = rowv;
    for (int i = from; i < to; i++) {
        const zc__col *c = &map->cols[i];
        SQLLEN ind;
        unsigned char *dst = row + c->offset;

        int rc;

        memcpy(&ind, rec + c->ind_off, sizeof ind);
        if ((rc = fetched_ind(map, c, ind, row, err)) < 0)
            return rc;
        if (rc == 1)
            continue;
        switch (c->type) {
        case ZC_FT_TEXT:
            if (ind == SQL_NO_TOTAL || ind > (SQLLEN)c->size - 1)
                return text_too_long(map, c, ind, c->size - 1, err);
            if (text_with_nul(map, c, rec + c->data_off, ind, err) != ZC_OK)
                return ZC_EINVAL;
            memcpy(dst, rec + c->data_off, (size_t)ind);
            dst[ind] = '\0';
            break;
        case ZC_FT_BLOB: {
            size_t len = (size_t)ind;
            if (ind == SQL_NO_TOTAL || ind > (SQLLEN)c->size)
                return text_too_long(map, c, ind, c->size, err);
            memcpy(dst, rec + c->data_off, len);
            memcpy(row + c->len_offset, &len, sizeof len);
            break;
        }
        case ZC_FT_TIMESTAMP: {
            zc_timestamp ts;
            const unsigned char *src = rec + (c->ts_text ? c->text_off : c->data_off);
            if (ts_fetched(c, src, ind, memo, &ts) != ZC_OK)
                return bad_timestamp(map, c, (const char *)src, ind, err);
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
