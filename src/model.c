/* SPDX-License-Identifier: MIT */
/*
 * model: checking model descriptors, and zodiac's timestamps and UUIDs.
 *
 * The calendar arithmetic lives here (proleptic Gregorian, UTC) so that no
 * conversion depends on the process's time zone: no timegm, gmtime or TZ.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uuid/uuid.h>

#include "internal.h"

/* ---- names ----------------------------------------------------------------- */

/*
 * Words that must be quoted to be a table or column name in at least one of
 * PostgreSQL (reserved, and reserved-but-type/function), MariaDB (reserved in
 * any current version) and SQLite (keywords with no identifier fallback).
 * Sorted by strcmp, lowercase: looked up with bsearch.
 */
static const char *const reserved_words[] = {
    "accessible", "add", "all", "alter", "analyse", "analyze", "and", "any", "array", "as", "asc",
    "asensitive", "asymmetric", "authorization", "autoincrement", "before", "between", "bigint",
    "binary", "blob", "both", "by", "call", "cascade", "case", "cast", "change", "char",
    "character", "check", "collate", "collation", "column", "commit", "concurrently", "condition",
    "constraint", "continue", "convert", "create", "cross", "current_catalog", "current_date",
    "current_role", "current_schema", "current_time", "current_timestamp", "current_user", "cursor",
    "database", "databases", "day_hour", "day_microsecond", "day_minute", "day_second", "dec",
    "decimal", "declare", "default", "deferrable", "delayed", "delete", "delete_domain_id", "desc",
    "describe", "deterministic", "distinct", "distinctrow", "div", "do", "do_domain_ids", "double",
    "drop", "dual", "each", "else", "elseif", "enclosed", "end", "escape", "escaped", "except",
    "exists", "exit", "explain", "false", "fetch", "float", "float4", "float8", "for", "force",
    "foreign", "freeze", "from", "full", "fulltext", "general", "grant", "group", "having",
    "high_priority", "hour_microsecond", "hour_minute", "hour_second", "if", "ignore",
    "ignore_domain_ids", "ignore_server_ids", "ilike", "in", "index", "indexed", "infile",
    "initially", "inner", "inout", "insensitive", "insert", "int", "int1", "int2", "int3", "int4",
    "int8", "integer", "intersect", "interval", "into", "is", "isnull", "iterate", "join", "key",
    "keys", "kill", "lateral", "leading", "leave", "left", "like", "limit", "linear", "lines",
    "load", "localtime", "localtimestamp", "lock", "long", "longblob", "longtext", "loop",
    "low_priority", "master_heartbeat_period", "master_ssl_verify_server_cert", "match", "maxvalue",
    "mediumblob", "mediumint", "mediumtext", "middleint", "minute_microsecond", "minute_second",
    "mod", "modifies", "natural", "no_write_to_binlog", "not", "nothing", "notnull", "null",
    "numeric", "offset", "on", "only", "optimize", "option", "optionally", "or", "order", "out",
    "outer", "outfile", "over", "overlaps", "page_checksum", "parse_vcol_expr", "partition",
    "placing", "position", "precision", "primary", "procedure", "purge", "range", "read",
    "read_write", "reads", "real", "recursive", "ref_system_id", "references", "regexp", "release",
    "rename", "repeat", "replace", "require", "resignal", "restrict", "return", "returning",
    "revoke", "right", "rlike", "row_number", "rows", "schema", "schemas", "second_microsecond",
    "select", "sensitive", "separator", "session_user", "set", "show", "signal", "similar", "slow",
    "smallint", "some", "spatial", "specific", "sql", "sql_big_result", "sql_calc_found_rows",
    "sql_small_result", "sqlexception", "sqlstate", "sqlwarning", "ssl", "starting",
    "stats_auto_recalc", "stats_persistent", "stats_sample_pages", "straight_join", "symmetric",
    "system_user", "table", "tablesample", "terminated", "then", "tinyblob", "tinyint", "tinytext",
    "to", "trailing", "transaction", "trigger", "true", "undo", "union", "unique", "unlock",
    "unsigned", "update", "usage", "use", "user", "using", "utc_date", "utc_time", "utc_timestamp",
    "values", "varbinary", "varchar", "varcharacter", "variadic", "varying", "verbose", "when",
    "where", "while", "window", "with", "write", "xor", "year_month", "zerofill",
};

#define NRESERVED (sizeof reserved_words / sizeof reserved_words[0])

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int cmp_word(const void *key, const void *elt)
{
    return strcmp(key, *(const char *const *)elt);
}

/* name is a plain identifier of at most ZC_NAME_MAX characters. */
static int is_reserved(const char *name)
{
    char low[ZC_NAME_MAX + 1];
    size_t i;
    for (i = 0; i < ZC_NAME_MAX && name[i]; i++)
        low[i] = ascii_lower(name[i]);
    low[i] = '\0';
    return bsearch(low, reserved_words, NRESERVED, sizeof reserved_words[0], cmp_word) != NULL;
}

/* Unquoted SQL identifiers fold case on every backend, so names compare without it. */
static int same_name(const char *a, const char *b)
{
    for (; *a && ascii_lower(*a) == ascii_lower(*b); a++, b++)
        ;
    return ascii_lower(*a) == ascii_lower(*b);
}

static int ident_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int ident_char(char c)
{
    return ident_start(c) || (c >= '0' && c <= '9');
}

#define ZC__STR(x) #x
#define ZC__XSTR(x) ZC__STR(x)

/* Why name cannot be a struct, table or column name, or NULL when it can. */
static const char *name_problem(const char *name, int sql)
{
    if (!name)
        return "is NULL";
    if (!name[0])
        return "is empty";
    if (strnlen(name, ZC_NAME_MAX + 1) > ZC_NAME_MAX)
        return "is longer than " ZC__XSTR(ZC_NAME_MAX) " characters";
    if (!ident_start(name[0]))
        return "is not a plain identifier ([A-Za-z_][A-Za-z0-9_]*)";
    for (const char *p = name + 1; *p; p++)
        if (!ident_char(*p))
            return "is not a plain identifier ([A-Za-z_][A-Za-z0-9_]*)";
    if (sql && is_reserved(name))
        return "is an SQL reserved word";
    return NULL;
}

/* ---- messages -------------------------------------------------------------- */

/* Names in messages are cut after SHOWN characters (a bad name may be any string). */
#define SHOWN 80
#define SHOW_FMT "%.*s%s"
#define SHOW(s) shown_len(s), (s) ? (s) : "<NULL>", shown_more(s)

static int shown_len(const char *s)
{
    return s ? (int)strnlen(s, SHOWN) : 6;
}

static const char *shown_more(const char *s)
{
    return s && strnlen(s, SHOWN + 1) > SHOWN ? "..." : "";
}

/* "model <name> (<table>): <what>", ZC_EINVAL. */
static int fail(zc_error *err, const zc_model *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(zc_error *err, const zc_model *m, const char *fmt, ...)
{
    char what[ZC_ERROR_MESSAGE_SIZE];
    va_list ap;
    if (!err)
        return ZC_EINVAL;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return zc__err(err, ZC_EINVAL, "model " SHOW_FMT " (" SHOW_FMT "): %s", SHOW(m->name),
                   SHOW(m->table), what);
}

/* "field 'email'", or "field #3" when it has no name to show. */
static const char *field_label(const zc_field *f, size_t i, char *buf, size_t n)
{
    if (f->name && f->name[0])
        snprintf(buf, n, "field '" SHOW_FMT "'", SHOW(f->name));
    else
        snprintf(buf, n, "field #%zu", i);
    return buf;
}

/* ---- descriptors ----------------------------------------------------------- */

static const struct {
    const char *name;
    size_t size; /* 0: variable (text, blob) */
} ftypes[] = {
    [ZC_FT_INT32] = { "int32", sizeof(int32_t) },
    [ZC_FT_INT64] = { "int64", sizeof(int64_t) },
    [ZC_FT_DOUBLE] = { "double", sizeof(double) },
    [ZC_FT_BOOL] = { "bool", sizeof(bool) },
    [ZC_FT_TEXT] = { "text", 0 },
    [ZC_FT_UUID] = { "uuid", sizeof(zc_uuid) },
    [ZC_FT_TIMESTAMP] = { "timestamp", sizeof(zc_timestamp) },
    [ZC_FT_BLOB] = { "blob", 0 },
};

#define KNOWN_FLAGS (ZC_F_UNIQUE | ZC_F_INDEX | ZC_F_NULLABLE)

/* [off, off + size) lies inside the struct (without overflowing). */
static int inside(const zc_model *m, size_t off, size_t size)
{
    return off <= m->size && size <= m->size - off;
}

/* An offset for a message: ZC_NO_MEMBER by name rather than as 18446744073709551615. */
static const char *off_text(size_t off, char *buf, size_t n)
{
    if (off == ZC_NO_MEMBER)
        return "ZC_NO_MEMBER";
    snprintf(buf, n, "%zu", off);
    return buf;
}

/* An integer in [lo, hi]: -?[0-9]+ */
static int int_default(const char *s, int64_t lo, int64_t hi)
{
    int neg = *s == '-';
    uint64_t v = 0, limit = neg ? (uint64_t)(-(lo + 1)) + 1 : (uint64_t)hi;
    s += neg;
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        if (v > (limit - (uint64_t)(*s - '0')) / 10)
            return 0;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    return 1;
}

/* A decimal number a double holds: -?[0-9]+(\.[0-9]+)? with at most 308 integer digits. */
static int decimal_default(const char *s)
{
    size_t sig = 0;
    s += *s == '-';
    if (*s < '0' || *s > '9')
        return 0;
    for (; *s >= '0' && *s <= '9'; s++)
        if (sig || *s != '0')
            sig++;
    if (*s == '.') {
        s++;
        if (*s < '0' || *s > '9')
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return !*s && sig <= 308;
}

/* Length of the printable UTF-8 character at s, 0 if none (controls, C1, surrogates,
   overlong or cut-short sequences). */
static size_t printable_utf8(const unsigned char *s)
{
    unsigned c = s[0];
    if (c >= 0x20 && c < 0x7f)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return (s[1] & 0xc0) == 0x80 && !(c == 0xc2 && s[1] < 0xa0) ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80 ? 4
                                                                                          : 0;
    }
    return 0;
}

static int say(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Fills why and returns -1. */
static int say(char *why, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
    return -1;
}

/*
 * The DDL writes a default verbatim (text between single quotes), so only
 * values that need no escaping on any backend are accepted.
 */
static int check_default(const zc_field *f, char *why, size_t n)
{
    const char *d = f->default_value;
    switch (f->type) {
    case ZC_FT_INT32:
        return int_default(d, INT32_MIN, INT32_MAX)
                   ? 0
                   : say(why, n, "is not an integer from -2147483648 to 2147483647");
    case ZC_FT_INT64:
        return int_default(d, INT64_MIN, INT64_MAX) ? 0
                                                    : say(why, n, "is not a 64-bit integer");
    case ZC_FT_DOUBLE:
        return decimal_default(d) ? 0
                                  : say(why, n, "is not a decimal number (-?[0-9]+(.[0-9]+)?)");
    case ZC_FT_BOOL:
        return !strcmp(d, "true") || !strcmp(d, "false") ? 0
                                                          : say(why, n, "is not true or false");
    case ZC_FT_TEXT: {
        const unsigned char *p = (const unsigned char *)d;
        size_t len = 0;
        while (p[len]) {
            size_t k = printable_utf8(p + len);
            if (!k)
                return say(why, n, "has a control character or invalid UTF-8 at byte %zu", len);
            if (p[len] == '\'' || p[len] == '"' || p[len] == '\\')
                return say(why, n, "has a quote or a backslash at byte %zu", len);
            len += k;
        }
        if (len > f->size - 1)
            return say(why, n, "is %zu bytes, more than the member holds (%zu)", len,
                       f->size - 1);
        return 0;
    }
    default:
        return say(why, n, "is not allowed: %s fields take no default", ftypes[f->type].name);
    }
}

/* Everything about one field that does not involve the others. */
static int check_field(const zc_model *m, const zc_field *f, size_t i, zc_error *err)
{
    char lb[SHOWN + 16], ob[24];
    const char *label = field_label(f, i, lb, sizeof lb);
    const char *why = name_problem(f->name, 1);
    if (why)
        return fail(err, m, "%s: name %s", label, why);
    if (f->type < ZC_FT_INT32 || f->type > ZC_FT_BLOB)
        return fail(err, m, "%s: unknown type %d", label, f->type);
    if (f->flags & ~KNOWN_FLAGS)
        return fail(err, m, "%s: unknown flag bits 0x%x", label, f->flags & ~KNOWN_FLAGS);

    if (f->type == ZC_FT_TEXT && f->size < 2)
        return fail(err, m, "%s: size %zu for text: a text member needs room for at least one "
                    "byte and the NUL (char m[2] or more)", label, f->size);
    if (f->type == ZC_FT_BLOB && f->size < 1)
        return fail(err, m, "%s: size 0 for blob: a blob member needs at least one byte", label);
    if (ftypes[f->type].size && f->size != ftypes[f->type].size)
        return fail(err, m, "%s: size %zu for %s (want %zu)", label, f->size,
                    ftypes[f->type].name, ftypes[f->type].size);
    if (!inside(m, f->offset, f->size))
        return fail(err, m, "%s: member at offset %s, size %zu, is outside the struct "
                    "(size %zu)", label, off_text(f->offset, ob, sizeof ob), f->size, m->size);

    if ((f->flags & ZC_F_NULLABLE) && f->null_offset == ZC_NO_MEMBER)
        return fail(err, m, "%s: nullable without a null_offset (the bool %s_null member)",
                    label, f->name);
    if (!(f->flags & ZC_F_NULLABLE) && f->null_offset != ZC_NO_MEMBER)
        return fail(err, m, "%s: null_offset given but the field is not ZC_F_NULLABLE", label);
    if (f->null_offset != ZC_NO_MEMBER && !inside(m, f->null_offset, sizeof(bool)))
        return fail(err, m, "%s: null flag at offset %zu is outside the struct (size %zu)",
                    label, f->null_offset, m->size);

    if (f->type == ZC_FT_BLOB && f->len_offset == ZC_NO_MEMBER)
        return fail(err, m, "%s: blob without a len_offset (the size_t %s_len member)", label,
                    f->name);
    if (f->type != ZC_FT_BLOB && f->len_offset != ZC_NO_MEMBER)
        return fail(err, m, "%s: len_offset is for blobs only, not %s", label,
                    ftypes[f->type].name);
    if (f->len_offset != ZC_NO_MEMBER && !inside(m, f->len_offset, sizeof(size_t)))
        return fail(err, m, "%s: length at offset %zu is outside the struct (size %zu)", label,
                    f->len_offset, m->size);

    if (f->default_value) {
        char dwhy[128];
        if (check_default(f, dwhy, sizeof dwhy) != 0)
            return fail(err, m, "%s: default %s", label, dwhy);
    }
    return ZC_OK;
}

static const char *const base_names[3] = { "id", "created_at", "updated_at" };

/* The bytes a descriptor claims: base members, fields and their companions. */
typedef struct span {
    size_t off, size;
    size_t field; /* index in m->fields, or SIZE_MAX for a base member */
    int kind;     /* 0 the member, 1 its null flag, 2 its length */
    const char *name;
} span;

#define NSPANS(m) (3 + 3 * (m)->nfields)

/* Span k (0 <= k < NSPANS(m)); 0 when that companion does not exist. */
static int span_at(const zc_model *m, size_t k, span *s)
{
    const zc_field *f;
    if (k < 3) {
        s->off = k == 0 ? m->id_offset : k == 1 ? m->created_offset : m->updated_offset;
        s->size = k == 0 ? m->id_size : sizeof(zc_timestamp);
        s->field = SIZE_MAX;
        s->kind = 0;
        s->name = base_names[k];
        return 1;
    }
    f = &m->fields[(k - 3) / 3];
    s->field = (k - 3) / 3;
    s->kind = (int)((k - 3) % 3);
    s->name = f->name;
    switch (s->kind) {
    case 0:
        s->off = f->offset;
        s->size = f->size;
        return 1;
    case 1:
        s->off = f->null_offset;
        s->size = sizeof(bool);
        return f->null_offset != ZC_NO_MEMBER;
    default:
        s->off = f->len_offset;
        s->size = sizeof(size_t);
        return f->len_offset != ZC_NO_MEMBER;
    }
}

static const char *span_text(const span *s, char *buf, size_t n)
{
    static const char *const what[3] = { "", "the null flag of ", "the length of " };
    snprintf(buf, n, "%s%s '" SHOW_FMT "' (offset %zu, %zu byte%s)", what[s->kind],
             s->field == SIZE_MAX ? "base column" : "field", SHOW(s->name), s->off, s->size,
             s->size == 1 ? "" : "s");
    return buf;
}

/*
 * Every claimed byte range against every other: descriptors are small, and
 * this needs no allocation (so validation cannot fail for lack of memory).
 */
static int check_overlaps(const zc_model *m, zc_error *err)
{
    size_t n = NSPANS(m);
    for (size_t k = 1; k < n; k++) {
        span a, b;
        if (!span_at(m, k, &a))
            continue;
        for (size_t j = 0; j < k; j++) {
            if (!span_at(m, j, &b))
                continue;
            if (a.off < b.off + b.size && b.off < a.off + a.size) {
                char ta[2 * SHOWN], tb[2 * SHOWN];
                return fail(err, m, "%s overlaps %s", span_text(&a, ta, sizeof ta),
                            span_text(&b, tb, sizeof tb));
            }
        }
    }
    return ZC_OK;
}

int zc_model_validate(const zc_model *m, zc_error *err)
{
    const char *why;
    char ob[24];
    int st;

    if (!m)
        return zc__err(err, ZC_EINVAL, "model is NULL");
    if ((why = name_problem(m->name, 0)) != NULL)
        return m->name ? fail(err, m, "name '" SHOW_FMT "' %s", SHOW(m->name), why)
                       : fail(err, m, "name is NULL");
    if ((why = name_problem(m->table, 1)) != NULL)
        return m->table ? fail(err, m, "table '" SHOW_FMT "' %s", SHOW(m->table), why)
                        : fail(err, m, "table is NULL");

    if (m->pk != ZC_PK_INT && m->pk != ZC_PK_UUID)
        return fail(err, m, "base column 'id': key kind %d is neither ZC_PK_INT nor ZC_PK_UUID",
                    m->pk);
    if (m->id_size != (m->pk == ZC_PK_INT ? sizeof(int64_t) : sizeof(zc_uuid)))
        return fail(err, m, "base column 'id': size %zu for %s (want %zu: %s)", m->id_size,
                    m->pk == ZC_PK_INT ? "ZC_PK_INT" : "ZC_PK_UUID",
                    m->pk == ZC_PK_INT ? sizeof(int64_t) : sizeof(zc_uuid),
                    m->pk == ZC_PK_INT ? "int64_t" : "zc_uuid");
    if (!inside(m, m->id_offset, m->id_size))
        return fail(err, m, "base column 'id': offset %s, size %zu, is outside the struct "
                    "(size %zu)", off_text(m->id_offset, ob, sizeof ob), m->id_size, m->size);
    if (!inside(m, m->created_offset, sizeof(zc_timestamp)))
        return fail(err, m, "base column 'created_at': offset %s, size 8, is outside the "
                    "struct (size %zu)", off_text(m->created_offset, ob, sizeof ob), m->size);
    if (!inside(m, m->updated_offset, sizeof(zc_timestamp)))
        return fail(err, m, "base column 'updated_at': offset %s, size 8, is outside the "
                    "struct (size %zu)", off_text(m->updated_offset, ob, sizeof ob), m->size);

    if (!m->fields && m->nfields)
        return fail(err, m, "fields is NULL but nfields is %zu", m->nfields);
    for (size_t i = 0; i < m->nfields; i++) {
        const zc_field *f = &m->fields[i];
        if ((st = check_field(m, f, i, err)) != ZC_OK)
            return st;
        for (size_t b = 0; b < 3; b++)
            if (same_name(f->name, base_names[b]))
                return fail(err, m, "field '%s': duplicates the base column '%s'", f->name,
                            base_names[b]);
        for (size_t j = 0; j < i; j++)
            if (same_name(f->name, m->fields[j].name))
                return fail(err, m, "field '%s': duplicate column name (field #%zu is '%s')",
                            f->name, j, m->fields[j].name);
    }
    return check_overlaps(m, err);
}

/* ---- calendar -------------------------------------------------------------- */

#define US_PER_DAY INT64_C(86400000000)
#define TS_MIN ZC_TIMESTAMP_MIN
#define TS_MAX ZC_TIMESTAMP_MAX

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const unsigned char dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Days since the epoch and microseconds into that day; no overflow for any ts. */
static int64_t split_days(zc_timestamp ts, int64_t *us)
{
    int64_t q = ts / US_PER_DAY, r = ts % US_PER_DAY;
    if (r < 0) {
        r += US_PER_DAY;
        q--;
    }
    *us = r;
    return q;
}

void zc__ts_split(zc_timestamp ts, zc__civil *out)
{
    int64_t us, days = split_days(ts, &us);
    unsigned m, d;
    civil_from_days(days, &out->year, &m, &d);
    out->month = (int)m;
    out->day = (int)d;
    out->hour = (int)(us / INT64_C(3600000000));
    out->minute = (int)(us / 60000000 % 60);
    out->second = (int)(us / 1000000 % 60);
    out->usec = (int)(us % 1000000);
}

/* Every field in range except the year, which only has to be a calendar year. */
static int civil_ok(const zc__civil *c)
{
    return c->year >= 0 && c->year <= 9999 && c->month >= 1 && c->month <= 12 && c->day >= 1 &&
           c->day <= days_in_month(c->year, c->month) && c->hour >= 0 && c->hour <= 23 &&
           c->minute >= 0 && c->minute <= 59 && c->second >= 0 && c->second <= 59 &&
           c->usec >= 0 && c->usec <= 999999;
}

static zc_timestamp compose(const zc__civil *c)
{
    return days_from_civil(c->year, (unsigned)c->month, (unsigned)c->day) * US_PER_DAY +
           (int64_t)c->hour * INT64_C(3600000000) + (int64_t)c->minute * 60000000 +
           (int64_t)c->second * 1000000 + c->usec;
}

int zc__ts_join(const zc__civil *c, zc_timestamp *out)
{
    if (!civil_ok(c) || c->year < 1)
        return ZC_EINVAL;
    *out = compose(c);
    return ZC_OK;
}

/* ---- timestamps ------------------------------------------------------------ */

zc_timestamp zc_timestamp_now(void)
{
    struct timespec t;
    if (clock_gettime(CLOCK_REALTIME, &t) != 0)
        return 0;
    return (zc_timestamp)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

int zc_timestamp_from_tm(const struct tm *tm, int usec, zc_timestamp *out)
{
    zc__civil c;
    if (!tm || !out || tm->tm_mon < 0 || tm->tm_mon > 11)
        return ZC_EINVAL;
    c.year = (int64_t)tm->tm_year + 1900;
    c.month = tm->tm_mon + 1;
    c.day = tm->tm_mday;
    c.hour = tm->tm_hour;
    c.minute = tm->tm_min;
    c.second = tm->tm_sec;
    c.usec = usec;
    return zc__ts_join(&c, out);
}

int zc_timestamp_to_tm(zc_timestamp ts, struct tm *out, int *usec)
{
    zc__civil c;
    int64_t us, days;
    if (!out || ts < TS_MIN || ts > TS_MAX)
        return ZC_EINVAL;
    zc__ts_split(ts, &c);
    days = split_days(ts, &us);
    memset(out, 0, sizeof *out);
    out->tm_year = (int)(c.year - 1900);
    out->tm_mon = c.month - 1;
    out->tm_mday = c.day;
    out->tm_hour = c.hour;
    out->tm_min = c.minute;
    out->tm_sec = c.second;
    out->tm_wday = (int)(((days + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
    out->tm_yday = (int)(days - days_from_civil(c.year, 1, 1));
    out->tm_isdst = 0;
    if (usec)
        *usec = c.usec;
    return ZC_OK;
}

/* Writes v as exactly width decimal digits. */
static char *put_digits(char *p, int v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + width;
}

int zc_timestamp_format(zc_timestamp ts, char out[ZC_TIMESTAMP_TEXT_SIZE])
{
    zc__civil c;
    char *p = out;
    if (!out)
        return ZC_EINVAL;
    if (ts < TS_MIN || ts > TS_MAX) {
        out[0] = '\0';
        return ZC_EINVAL;
    }
    zc__ts_split(ts, &c);
    p = put_digits(p, (int)c.year, 4);
    *p++ = '-';
    p = put_digits(p, c.month, 2);
    *p++ = '-';
    p = put_digits(p, c.day, 2);
    *p++ = 'T';
    p = put_digits(p, c.hour, 2);
    *p++ = ':';
    p = put_digits(p, c.minute, 2);
    *p++ = ':';
    p = put_digits(p, c.second, 2);
    *p++ = '.';
    p = put_digits(p, c.usec, 6);
    *p++ = 'Z';
    *p = '\0';
    return ZC_OK;
}

/* Exactly n decimal digits at *p (a NUL stops the scan: no reading past the end). */
static int take_digits(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        char ch = (*p)[i];
        if (ch < '0' || ch > '9')
            return 0;
        x = x * 10 + (ch - '0');
    }
    *p += n;
    *v = x;
    return 1;
}

int zc_timestamp_parse(const char *text, zc_timestamp *out)
{
    zc__civil c = { 0 };
    const char *p = text;
    int year, offset_min = 0;
    zc_timestamp ts;

    if (!text || !out)
        return ZC_EINVAL;
    if (!take_digits(&p, 4, &year) || *p != '-')
        return ZC_EINVAL;
    p++;
    if (!take_digits(&p, 2, &c.month) || *p != '-')
        return ZC_EINVAL;
    p++;
    if (!take_digits(&p, 2, &c.day))
        return ZC_EINVAL;
    c.year = year;

    if (*p == 'T' || *p == ' ') {
        p++;
        if (!take_digits(&p, 2, &c.hour) || *p != ':')
            return ZC_EINVAL;
        p++;
        if (!take_digits(&p, 2, &c.minute))
            return ZC_EINVAL;
        if (*p == ':') {
            p++;
            if (!take_digits(&p, 2, &c.second))
                return ZC_EINVAL;
            if (*p == '.') {
                int n = 0;
                for (p++; *p >= '0' && *p <= '9'; p++, n++) {
                    if (n == 9)
                        return ZC_EINVAL;
                    if (n < 6)
                        c.usec = c.usec * 10 + (*p - '0');
                    else if (*p != '0')
                        return ZC_EINVAL; /* would lose sub-microsecond precision */
                }
                if (n == 0)
                    return ZC_EINVAL;
                for (; n < 6; n++)
                    c.usec *= 10;
            }
        }
        if (*p == 'Z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p == '-' ? -1 : 1, oh, om;
            p++;
            if (!take_digits(&p, 2, &oh))
                return ZC_EINVAL;
            if (*p == ':')
                p++;
            if (!take_digits(&p, 2, &om) || oh > 23 || om > 59)
                return ZC_EINVAL;
            offset_min = sign * (oh * 60 + om);
        }
    }
    if (*p || !civil_ok(&c))
        return ZC_EINVAL;
    /* The range applies to the UTC instant, after the offset is taken off. */
    ts = compose(&c) - (int64_t)offset_min * 60000000;
    if (ts < TS_MIN || ts > TS_MAX)
        return ZC_EINVAL;
    *out = ts;
    return ZC_OK;
}

/* ---- UUIDs ----------------------------------------------------------------- */

void zc_uuid_v4(zc_uuid *out)
{
    if (out)
        uuid_generate_random(out->bytes);
}

void zc_uuid_format(const zc_uuid *u, char out[37])
{
    if (!out)
        return;
    if (!u) {
        out[0] = '\0';
        return;
    }
    uuid_unparse_lower(u->bytes, out);
}

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int zc_uuid_parse(const char *text, zc_uuid *out)
{
    uuid_t u;
    if (!text || !out)
        return ZC_EINVAL;
    /* libuuid is lenient about some shapes; only the canonical 8-4-4-4-12 form passes. */
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-')
                return ZC_EINVAL;
        } else if (!is_hex(text[i])) {
            return ZC_EINVAL;
        }
    }
    if (text[36] != '\0' || uuid_parse(text, u) != 0)
        return ZC_EINVAL;
    memcpy(out->bytes, u, sizeof out->bytes);
    return ZC_OK;
}

int zc_uuid_compare(const zc_uuid *a, const zc_uuid *b)
{
    int c;
    if (!a || !b)
        return (a != NULL) - (b != NULL); /* NULL first */
    c = memcmp(a->bytes, b->bytes, sizeof a->bytes);
    return (c > 0) - (c < 0);
}

int zc_uuid_is_nil(const zc_uuid *u)
{
    return u && uuid_is_null(u->bytes);
}
