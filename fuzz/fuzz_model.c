/* SPDX-License-Identifier: MIT */
/*
 * Model descriptors (src/model.c, src/ddl.c, src/map.c): zc_model_validate with
 * its checks of names, layouts and DEFAULT texts, then the DDL and the record
 * layout of what it accepts.
 *
 * Properties: validation never reads outside the descriptor; an accepted model
 * gives DDL on every dialect, with exactly one ";\n" per statement (a DEFAULT
 * cannot end a statement or start another) and its names as given; moving any
 * row bytes into a record, and any record bytes (what a driver could write) into
 * a row, stays inside the struct and the record and ends in a status.
 *
 * Input: a header (struct size, key kind and field count, table name and dialect),
 * 8 bytes per field, then text used where a field asks for a name or default of
 * its own.
 */
#include "fuzz.h"
#include "internal.h"

static const char *const names[] = {
    "name", "email", "age", "data", "score", "x", "_y", "Name", "id", "created_at", "order",
    "user", "a1", "weird name", "semi;colon", "quo'te", "caf\xc3\xa9", "", NULL,
    "a234567890123456789012345678901234567890123456789012345678901234",
};
static const char *const defaults[] = {
    NULL, "0", "-1", "7", "2147483648", "-9223372036854775808", "9223372036854775808", "1.5",
    "-0.25", "1e5", "true", "false", "TRUE", "", "hello", "it's", "a\"b", "back\\slash",
    "caf\xc3\xa9", "\xff", "semi;colon", "x');DROP TABLE t;--", "line\nbreak", "tab\tx",
};

#define NNAMES (sizeof names / sizeof names[0])
#define NDEFAULTS (sizeof defaults / sizeof defaults[0])
#define MAXF 6

static size_t pick_size(uint8_t b)
{
    static const size_t common[] = { 0, 1, 2, 4, 8, 16, sizeof(bool), sizeof(size_t), 64, 3 };
    return b < 0xf0 ? (b < 10 ? common[b] : b) : (size_t)-1 - (b & 0x0f);
}

static size_t pick_offset(uint8_t b)
{
    return b == 0xff ? ZC_NO_MEMBER : b == 0xfe ? (size_t)-8 : b;
}

static int count(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

static void check_ddl(const zc_model *m)
{
    static const int dialects[] = { ZC_DIALECT_SQLITE, ZC_DIALECT_POSTGRESQL, ZC_DIALECT_MYSQL,
                                    ZC_DIALECT_ANSI };
    const zc_model *ms[] = { m };
    int statements = 1;
    for (size_t i = 0; i < m->nfields; i++)
        statements += (m->fields[i].flags & ZC_F_INDEX) != 0;
    for (size_t d = 0; d < sizeof dialects / sizeof dialects[0]; d++) {
        char *text = NULL;
        zc_error err;
        int st = zc_ddl_text(dialects[d], ms, 1, &text, &err);
        if (st != ZC_OK) {
            /* the one refusal left after validation: an index name over the limit */
            zcf_check(st == ZC_EINVAL && strstr(err.message, "index name"), "ddl refused: %s",
                      err.message);
            continue;
        }
        zcf_check(count(text, ";\n") == statements, "%d statements expected in:\n%s",
                  statements, text);
        zcf_check(strstr(text, m->table) != NULL, "table name missing");
        for (size_t i = 0; i < m->nfields; i++)
            zcf_check(strstr(text, m->fields[i].name) != NULL, "column %s missing",
                      m->fields[i].name);
        zc_free(text);
    }
}

static void check_layout(const zc_model *m, int dialect, const uint8_t *bytes, size_t nbytes)
{
    zc__map *map = NULL;
    unsigned char *row, *rec;
    zc_error err;
    if (zc__map_make(m, dialect, &map, &err) != ZC_OK)
        zcf_fail("map_make: %s", err.message);
    row = malloc(m->size);
    rec = malloc(map->rec_size);
    if (!row || !rec)
        abort();
    /* any row bytes into a record */
    for (size_t i = 0; i < m->size; i++)
        row[i] = nbytes ? bytes[i % nbytes] : 0;
    for (int c = 0; c < map->ncols; c++) {
        const zc__col *col = &map->cols[c];
        if (col->null_offset != ZC_NO_MEMBER)
            row[col->null_offset] &= 1; /* a bool holds 0 or 1 */
        if (col->type == ZC_FT_BOOL)
            row[col->offset] &= 1;
    }
    zc__map_pack(map, row, rec, 0, map->ncols, NULL);
    /* any record bytes into a row */
    for (size_t i = 0; i < map->rec_size; i++)
        rec[i] = nbytes ? bytes[(i * 7) % nbytes] : 0;
    zc__map_unpack(map, rec, row, 0, map->ncols, NULL);
    free(row);
    free(rec);
    zc__map_free(map);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zc_model m;
    zc_field f[MAXF];
    char own[MAXF][72];
    const uint8_t *tail;
    size_t ntail, nf;
    zc_error err;

    if (size < 3)
        return 0;
    memset(&m, 0, sizeof m);
    memset(f, 0, sizeof f);
    m.name = "Fuzz";
    m.table = data[2] & 0x80 ? "fuzz_table" : names[data[2] % NNAMES];
    m.size = 24 + (size_t)data[0];
    m.pk = data[1] & 3;
    m.id_offset = 0;
    m.id_size = m.pk == ZC_PK_UUID ? 16 : 8;
    m.created_offset = m.id_size;
    m.updated_offset = m.id_size + 8;
    nf = (size_t)(data[1] >> 2) % (MAXF + 1);
    if (size < 3 + 8 * nf)
        return 0;
    tail = data + 3 + 8 * nf;
    ntail = size - 3 - 8 * nf;
    for (size_t i = 0; i < nf; i++) {
        const uint8_t *b = data + 3 + 8 * i;
        zc_field *x = &f[i];
        /* a name of the input's own when the index is past the list */
        if (b[0] % 32 < NNAMES) {
            x->name = names[b[0] % 32];
        } else {
            size_t n = ntail < sizeof own[i] - 1 ? ntail : sizeof own[i] - 1;
            memcpy(own[i], tail, n);
            own[i][n] = '\0';
            x->name = own[i];
        }
        x->type = b[1] % 10;
        x->offset = pick_offset(b[2]);
        x->size = pick_size(b[3]);
        x->flags = b[4] & 0x0f;
        x->null_offset = pick_offset(b[5]);
        x->len_offset = pick_offset(b[6]);
        if (b[7] % 32 < NDEFAULTS) {
            x->default_value = defaults[b[7] % 32];
        } else {
            size_t n = ntail < sizeof own[i] - 1 ? ntail : sizeof own[i] - 1;
            memcpy(own[i], tail, n);
            own[i][n] = '\0';
            x->default_value = own[i];
        }
    }
    m.fields = nf ? f : NULL;
    m.nfields = nf;
    memset(&err, 0, sizeof err);
    if (zc_model_validate(&m, &err) != ZC_OK) {
        zcf_check(err.status == ZC_EINVAL && err.message[0], "refused without a message");
        zcf_check(zc_model_validate(&m, NULL) == ZC_EINVAL, "refused only with an err");
        return 0;
    }
    check_ddl(&m);
    /* SQLite moves doubles as text: a layout of its own */
    check_layout(&m, data[2] & 0x40 ? ZC_DIALECT_SQLITE : ZC_DIALECT_POSTGRESQL, tail, ntail);
    return 0;
}
