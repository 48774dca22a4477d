/*
 * value: zc_value constructors and the conversions zodiac owns between its
 * value types and ODBC's.
 */
#include <string.h>
#include <time.h>

#include <uuid/uuid.h>

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

/*
 * Civil-date arithmetic on the proleptic Gregorian calendar (days since
 * 1970-01-01), so conversions never depend on the process's time zone.
 */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
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

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

void zc__ts_to_odbc(zc_timestamp ts, SQL_TIMESTAMP_STRUCT *out)
{
    int64_t days = floordiv(ts, INT64_C(86400000000));
    int64_t us = ts - days * INT64_C(86400000000);
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    out->year = (SQLSMALLINT)y;
    out->month = (SQLUSMALLINT)m;
    out->day = (SQLUSMALLINT)d;
    out->hour = (SQLUSMALLINT)(us / INT64_C(3600000000));
    out->minute = (SQLUSMALLINT)(us / 60000000 % 60);
    out->second = (SQLUSMALLINT)(us / 1000000 % 60);
    out->fraction = (SQLUINTEGER)(us % 1000000) * 1000u;
}

int zc__ts_from_odbc(const SQL_TIMESTAMP_STRUCT *in, zc_timestamp *out)
{
    if (in->month < 1 || in->month > 12 || in->day < 1 || in->day > 31 || in->hour > 23 ||
        in->minute > 59 || in->second > 60 || in->fraction > 999999999u)
        return ZC_EINVAL;
    *out = days_from_civil(in->year, in->month, in->day) * INT64_C(86400000000) +
           (int64_t)in->hour * INT64_C(3600000000) + (int64_t)in->minute * 60000000 +
           (int64_t)in->second * 1000000 + in->fraction / 1000u;
    return ZC_OK;
}

void zc__uuid_to_text(const zc_uuid *u, char out[37])
{
    uuid_unparse_lower(u->bytes, out);
}

double zc__now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}
