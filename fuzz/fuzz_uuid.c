/* SPDX-License-Identifier: MIT */
/*
 * UUID text (src/model.c): zc_uuid_parse and zc_uuid_format.
 *
 * Properties: only the canonical 8-4-4-4-12 hex form of exactly 36 characters is
 * accepted; an accepted text formats back to itself in lowercase; a refused one
 * leaves the output untouched; any 16 bytes format to text that parses back to them.
 */
#include <ctype.h>

#include "fuzz.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = zcf_string(data, size);
    char out[37];
    zc_uuid u, back;

    memset(&u, 0xa5, sizeof u);
    back = u;
    if (zc_uuid_parse(text, &u) == ZC_OK) {
        zcf_check(strlen(text) == 36, "accepted %zu characters: '%s'", strlen(text), text);
        zc_uuid_format(&u, out);
        for (int i = 0; i < 36; i++)
            zcf_check(out[i] == tolower((unsigned char)text[i]), "'%s' formats as '%s'", text,
                      out);
    } else {
        zcf_check(!memcmp(&u, &back, sizeof u), "refused '%s' but changed the output", text);
    }
    if (size >= 16) {
        memcpy(u.bytes, data, 16);
        zc_uuid_format(&u, out);
        zcf_check(strlen(out) == 36, "format wrote '%s'", out);
        zcf_check(zc_uuid_parse(out, &back) == ZC_OK && !memcmp(&u, &back, sizeof u),
                  "'%s' does not parse back", out);
        zcf_check(zc_uuid_compare(&u, &back) == 0, "compare of equal UUIDs");
        zcf_check(zc_uuid_is_nil(&u) == (memcmp(u.bytes, (const char[16]){ 0 }, 16) == 0),
                  "is_nil of '%s'", out);
    }
    free(text);
    return 0;
}
