/* SPDX-License-Identifier: MIT */
/*
 * Timestamps (src/model.c, src/value.c): ISO-8601 parsing, formatting, and the
 * broken-down and ODBC forms.
 *
 * Properties: parsing any text either refuses it or gives a timestamp in
 * ZC_TIMESTAMP_MIN..MAX whose formatted text parses back to it; formatting any
 * int64 either refuses (outside the range, "" written) or gives 27 characters
 * that parse back to the same value; to_tm / from_tm and the ODBC struct
 * round-trip every timestamp in range.
 */
#include "fuzz.h"
#include "internal.h"

static void round_trip(zc_timestamp ts, const char *from)
{
    char text[ZC_TIMESTAMP_TEXT_SIZE + 8];
    zc_timestamp back = 0;
    struct tm tm;
    int usec = -1;
    SQL_TIMESTAMP_STRUCT odbc;

    memset(text, 'x', sizeof text);
    if (ts < ZC_TIMESTAMP_MIN || ts > ZC_TIMESTAMP_MAX) {
        zcf_check(zc_timestamp_format(ts, text) == ZC_EINVAL && text[0] == '\0',
                  "%lld (from '%s') formatted outside the range", (long long)ts, from);
        zcf_check(zc_timestamp_to_tm(ts, &tm, &usec) == ZC_EINVAL, "to_tm of %lld",
                  (long long)ts);
        zcf_check(zc__ts_to_odbc(ts, &odbc) == ZC_EINVAL, "to_odbc of %lld", (long long)ts);
        return;
    }
    zcf_check(zc_timestamp_format(ts, text) == ZC_OK, "format %lld", (long long)ts);
    zcf_check(strlen(text) == ZC_TIMESTAMP_TEXT_SIZE - 1 && text[ZC_TIMESTAMP_TEXT_SIZE] == 'x',
              "format %lld wrote '%s'", (long long)ts, text);
    zcf_check(zc_timestamp_parse(text, &back) == ZC_OK && back == ts,
              "'%s' (from %lld, '%s') parses back to %lld", text, (long long)ts, from,
              (long long)back);
    zcf_check(zc_timestamp_to_tm(ts, &tm, &usec) == ZC_OK, "to_tm %lld", (long long)ts);
    zcf_check(usec >= 0 && usec <= 999999 && tm.tm_wday >= 0 && tm.tm_wday <= 6 &&
                  tm.tm_yday >= 0 && tm.tm_yday <= 365,
              "to_tm %lld gave usec %d wday %d yday %d", (long long)ts, usec, tm.tm_wday,
              tm.tm_yday);
    back = 0;
    zcf_check(zc_timestamp_from_tm(&tm, usec, &back) == ZC_OK && back == ts,
              "from_tm(to_tm(%lld)) = %lld", (long long)ts, (long long)back);
    zcf_check(zc__ts_to_odbc(ts, &odbc) == ZC_OK, "to_odbc %lld", (long long)ts);
    back = 0;
    zcf_check(zc__ts_from_odbc(&odbc, &back) == ZC_OK && back == ts,
              "from_odbc(to_odbc(%lld)) = %lld", (long long)ts, (long long)back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = zcf_string(data, size);
    zc_timestamp ts = 12345;
    int st = zc_timestamp_parse(text, &ts);
    if (st == ZC_OK)
        round_trip(ts, text);
    else
        zcf_check(st == ZC_EINVAL && ts == 12345, "refused '%s' but changed the output", text);
    if (size >= 8) {
        int64_t raw;
        memcpy(&raw, data, sizeof raw);
        round_trip(raw, "raw bytes");
    }
    if (size >= sizeof(SQL_TIMESTAMP_STRUCT)) {
        /* any ODBC struct a driver could hand back: refused, or a timestamp in range */
        SQL_TIMESTAMP_STRUCT odbc;
        memcpy(&odbc, data, sizeof odbc);
        ts = 0;
        if (zc__ts_from_odbc(&odbc, &ts) == ZC_OK)
            round_trip(ts, "an ODBC struct");
    }
    free(text);
    return 0;
}
