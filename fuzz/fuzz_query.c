/* SPDX-License-Identifier: MIT */
/*
 * The SQL a caller writes in a repository query (src/query.c): WHERE fragments
 * and ORDER BY lists.
 *
 * Properties: a fragment that is accepted holds nothing that could carry a
 * value or end the statement (no quote of any kind, semicolon, comment,
 * backslash, placeholder other than '?', or byte outside printable ASCII), its
 * parentheses balance, its '?' count is nparams, and every word in it is a
 * column, a keyword or an allowed function; an accepted ORDER BY becomes
 * "column ASC|DESC[, …]" of model columns only.
 *
 * Input: byte 0 picks WHERE or ORDER BY (low bit) and nparams (the rest), the
 * remainder is the text.
 */
#include <ctype.h>
#include <strings.h>

#include "fuzz.h"
#include "internal.h"

typedef struct Rec {
    ZC_INT_ID_FIELDS;
    char name[16];
    int32_t score;
    bool active;
    char note[8];
    bool note_null;
} Rec;

static const zc_field rec_fields[] = {
    ZC_FIELD_TEXT(Rec, name, 0),
    ZC_FIELD_INT32(Rec, score, 0),
    ZC_FIELD_BOOL(Rec, active, 0),
    ZC_FIELD_TEXT_NULL(Rec, note, 0),
};
ZC_MODEL(Rec, "recs", ZC_PK_INT, rec_fields);

static const char *const words[] = {
    "id", "created_at", "updated_at", "name", "score", "active", "note",
    "AND", "BETWEEN", "FALSE", "IN", "IS", "LIKE", "NOT", "NULL", "OR", "TRUE",
    "abs", "coalesce", "length", "lower", "upper",
};

static int known_word(const char *w, size_t n)
{
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i]) == n && !strncasecmp(w, words[i], n))
            return 1;
    return 0;
}

static void check_where(const char *w, size_t nparams)
{
    size_t marks = 0;
    int depth = 0;
    for (const char *p = w; *p; p++) {
        unsigned char c = (unsigned char)*p;
        zcf_check(c >= 0x20 && c < 0x7f ? 1 : (c == '\t' || c == '\n' || c == '\r'),
                  "accepted byte 0x%02x in '%s'", c, w);
        zcf_check(!strchr("'\";\\`#$:@[]{}", c), "accepted '%c' in '%s'", c, w);
        zcf_check(!(c == '-' && p[1] == '-') && !(c == '/' && p[1] == '*'),
                  "accepted a comment in '%s'", w);
        if (c == '?')
            marks++;
        if (c == '(')
            depth++;
        if (c == ')')
            zcf_check(--depth >= 0, "unbalanced ')' accepted in '%s'", w);
        if (isalpha(c) || c == '_') {
            const char *s = p;
            while (isalnum((unsigned char)p[1]) || p[1] == '_')
                p++;
            /* a word glued to a number ("1e5") would be refused; here words stand alone */
            zcf_check(known_word(s, (size_t)(p - s + 1)), "accepted the word '%.*s' in '%s'",
                      (int)(p - s + 1), s, w);
        }
    }
    zcf_check(depth == 0, "unbalanced '(' accepted in '%s'", w);
    zcf_check(marks == nparams, "%zu marks for %zu parameters accepted in '%s'", marks, nparams,
              w);
}

static void check_order(const char *order, const char *out, const zc__order *keys,
                        const zc__map *map)
{
    const char *p = out;
    int k = 0;
    for (;;) {
        const char *w = p;
        int col = -1;
        while (islower((unsigned char)*p) || *p == '_')
            p++;
        for (int i = 0; i < map->ncols; i++)
            if (strlen(map->cols[i].name) == (size_t)(p - w) &&
                !memcmp(map->cols[i].name, w, (size_t)(p - w)))
                col = i;
        zcf_check(col >= 0, "'%s' became '%s': not a column at '%s'", order, out, w);
        zcf_check(k < keys->n && keys->col[k] == col, "'%s': keys disagree with '%s'", order,
                  out);
        if (!strncmp(p, " ASC", 4)) {
            p += 4;
            zcf_check(!keys->desc[k], "'%s': ASC key marked DESC", order);
        } else if (!strncmp(p, " DESC", 5)) {
            p += 5;
            zcf_check(keys->desc[k], "'%s': DESC key marked ASC", order);
        } else {
            zcf_fail("'%s' became '%s': no direction", order, out);
        }
        k++;
        if (!*p)
            break;
        zcf_check(!strncmp(p, ", ", 2), "'%s' became '%s'", order, out);
        p += 2;
    }
    zcf_check(k == keys->n, "'%s': %d keys for %d columns", order, keys->n, k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static zc__map *map;
    char *text;
    size_t nparams;
    zc_error err;

    if (!map && zc__map_make(&Rec_model, ZC_DIALECT_POSTGRESQL, &map, NULL) != ZC_OK)
        abort();
    if (size < 1)
        return 0;
    nparams = data[0] >> 1;
    text = zcf_string(data + 1, size - 1);
    memset(&err, 0, sizeof err);
    if (data[0] & 1) {
        zc__buf out = { 0 };
        zc__order keys;
        if (zc__order_check(map, text, &out, &keys, &err) == ZC_OK)
            check_order(text, out.p, &keys, map);
        else
            zcf_check(err.message[0], "refused without a message");
        /* without keys there is no column limit; with an empty buffer, no crash */
        zc__buf_free(&out);
        if (zc__order_check(map, text, &out, NULL, NULL) == ZC_OK)
            zcf_check(out.p != NULL, "accepted with no text");
        zc__buf_free(&out);
    } else if (zc__where_check(map, text, nparams, &err) == ZC_OK) {
        check_where(text, nparams);
    } else {
        zcf_check(err.message[0], "refused without a message");
    }
    free(text);
    return 0;
}
