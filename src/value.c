/* SPDX-License-Identifier: MIT */
/*
 * value: zc_value constructors and the conversions zodiac owns between its
 * value types and ODBC's.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"

zc_value zc_int(int64_t i)
{
    zc_value v;
    memset(&v, 0, sizeof v);
    v.type = ZC_T_INT;
    v.v.i = i;
    return v;
}

zc_value zc_double(double d)
{
    zc_value v;
    memset(&v, 0, sizeof v);
    v.type = ZC_T_DOUBLE;
    v.v.d = d;
    return v;
}

zc_value zc_bool(int b)
{
    zc_value v = zc_int(b != 0);
    v.type = ZC_T_BOOL;
    return v;
}

zc_value zc_text(const char *s)
{
    zc_value v;
    memset(&v, 0, sizeof v);
    v.type = s ? ZC_T_TEXT : ZC_T_NULL;
    v.v.s = s;
    return v;
}

zc_value zc_null(void)
{
    zc_value v;
    memset(&v, 0, sizeof v);
    v.type = ZC_T_NULL;
    return v;
}

zc_value zc_ts(zc_timestamp ts)
{
    zc_value v;
    memset(&v, 0, sizeof v);
    v.type = ZC_T_TS;
    v.v.ts = ts;
    return v;
}

zc_value zc_uuidv(zc_uuid u)
{
    zc_value v;
    memset(&v, 0, sizeof v);
    v.type = ZC_T_UUID;
    v.v.u = u;
    return v;
}

zc_value zc_blob(const void *p, size_t n)
{
    zc_value v;
    memset(&v, 0, sizeof v);
    v.type = ZC_T_BLOB;
    v.v.b.p = p;
    v.v.b.n = n;
    return v;
}

/* The calendar is model.c's (zc__ts_split / zc__ts_join): one implementation. */
int zc__ts_to_odbc(zc_timestamp ts, SQL_TIMESTAMP_STRUCT *out)
{
    zc__civil c;
    if (ts < ZC_TIMESTAMP_MIN || ts > ZC_TIMESTAMP_MAX)
        return ZC_EINVAL; /* ODBC's year is 16 bits; SQL's calendar is 0001..9999 */
    zc__ts_split(ts, &c);
    out->year = (SQLSMALLINT)c.year;
    out->month = (SQLUSMALLINT)c.month;
    out->day = (SQLUSMALLINT)c.day;
    out->hour = (SQLUSMALLINT)c.hour;
    out->minute = (SQLUSMALLINT)c.minute;
    out->second = (SQLUSMALLINT)c.second;
    out->fraction = (SQLUINTEGER)c.usec * 1000u;
    return ZC_OK;
}

int zc__ts_from_odbc(const SQL_TIMESTAMP_STRUCT *in, zc_timestamp *out)
{
    zc__civil c;
    if (in->fraction > 999999999u)
        return ZC_EINVAL;
    c.year = in->year;
    c.month = in->month;
    c.day = in->day;
    c.hour = in->hour;
    c.minute = in->minute;
    c.second = in->second;
    c.usec = (int)(in->fraction / 1000u);
    return zc__ts_join(&c, out);
}

int zc__utf8_valid(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text, *end = s + n;
    while (s < end) {
        unsigned c = *s;
        size_t k;
        unsigned lo = 0x80, hi = 0xbf;
        if (c < 0x80) {
            s++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            k = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            k = 3;
            if (c == 0xe0)
                lo = 0xa0; /* overlong */
            else if (c == 0xed)
                hi = 0x9f; /* UTF-16 surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
            k = 4;
            if (c == 0xf0)
                lo = 0x90; /* overlong */
            else if (c == 0xf4)
                hi = 0x8f; /* past U+10FFFF */
        } else {
            return 0;
        }
        if ((size_t)(end - s) < k || s[1] < lo || s[1] > hi)
            return 0;
        for (size_t i = 2; i < k; i++)
            if ((s[i] & 0xc0) != 0x80)
                return 0;
        s += k;
    }
    return 1;
}

/* One way of writing a UUID: zc_uuid_format's. */
void zc__uuid_to_text(const zc_uuid *u, char out[37])
{
    zc_uuid_format(u, out);
}

int zc__double_text(double d, char *out, size_t n)
{
    return snprintf(out, n, "%.17g", d); /* 17 significant digits: the double exactly */
}

double zc__now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}
