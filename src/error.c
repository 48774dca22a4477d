/* SPDX-License-Identifier: MIT */
/*
 * error: statuses, the error record, SQLSTATE classification, secret masking
 * and the log hook.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

const char *zc_strerror(int status)
{
    switch (status) {
    case ZC_OK: return "success";
    case ZC_NOT_FOUND: return "not found";
    case ZC_EINVAL: return "invalid argument";
    case ZC_ENOMEM: return "out of memory";
    case ZC_EDRIVER: return "driver or database error";
    case ZC_ECONN: return "connection failed or lost";
    case ZC_ECONSTRAINT: return "constraint violated";
    case ZC_ERETRY: return "transaction must be retried";
    case ZC_ETIMEOUT: return "timed out";
    case ZC_ETRUNC: return "value too long";
    case ZC_ENODB: return "no such database";
    case ZC_ESTATE: return "invalid state";
    case ZC_EREADONLY: return "database is read-only";
    default: return "unknown status";
    }
}

int zc__err(zc_error *err, int status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->status = status;
        err->sqlstate[0] = '\0';
        err->native = 0;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int zc__classify(const char *st, long native, int dialect)
{
    int byn = zc__dialect_classify_native(dialect, st, native);
    if (byn)
        return byn;
    if (starts(st, "08") || !strcmp(st, "57P01") || !strcmp(st, "57P02") ||
        !strcmp(st, "57P03") || !strcmp(st, "40003"))
        return ZC_ECONN;
    if (starts(st, "23") || !strcmp(st, "40002"))
        return ZC_ECONSTRAINT;
    if (!strcmp(st, "40001") || !strcmp(st, "40P01"))
        return ZC_ERETRY;
    if (!strcmp(st, "HYT00") || !strcmp(st, "HYT01") || !strcmp(st, "HYT02") ||
        !strcmp(st, "57014"))
        return ZC_ETIMEOUT;
    if (!strcmp(st, "22001") || !strcmp(st, "01004"))
        return ZC_ETRUNC;
    if (!strcmp(st, "HY001"))
        return ZC_ENOMEM;
    if (!strcmp(st, "25006"))
        return ZC_EREADONLY;
    if (!strcmp(st, "HY010") || !strcmp(st, "25000") || !strcmp(st, "25P02"))
        return ZC_ESTATE;
    /* Driver-manager failures to load a driver or find a DSN happen at connect. */
    if (starts(st, "IM"))
        return ZC_ECONN;
    return ZC_EDRIVER;
}

void zc__scrub(char *msg, size_t size, char *const *secrets, int nsecrets)
{
    for (int i = 0; i < nsecrets; i++) {
        const char *sec = secrets[i];
        size_t n = sec ? strlen(sec) : 0;
        char out[2048];
        size_t o = 0;
        const char *p = msg, *hit;

        if (n == 0 || !strstr(msg, sec))
            continue;
        while ((hit = strstr(p, sec)) != NULL && o < sizeof out - 1) {
            size_t k = (size_t)(hit - p);
            if (k > sizeof out - 1 - o)
                k = sizeof out - 1 - o;
            memcpy(out + o, p, k);
            o += k;
            o += (size_t)snprintf(out + o, sizeof out - o, "***");
            if (o > sizeof out - 1)
                o = sizeof out - 1;
            p = hit + n;
        }
        snprintf(out + o, sizeof out - o, "%s", p);
        snprintf(msg, size, "%s", out);
    }
}

int zc__err_odbc(zc_error *err, SQLSMALLINT htype, SQLHANDLE h, const zc__db *db,
                 const char *what)
{
    SQLCHAR state[6] = "", first_state[6] = "";
    SQLINTEGER native = 0, first_native = 0;
    SQLCHAR text[SQL_MAX_MESSAGE_LENGTH];
    char msg[ZC_ERROR_MESSAGE_SIZE];
    size_t used;
    int found = 0, status;
    int dialect = db ? __atomic_load_n(&db->dialect, __ATOMIC_ACQUIRE) : ZC_DIALECT_UNKNOWN;

    used = (size_t)snprintf(msg, sizeof msg, "%s: ", what);
    if (used >= sizeof msg)
        used = sizeof msg - 1;
    for (SQLSMALLINT i = 1; h && i <= 8; i++) {
        SQLSMALLINT len = 0;
        SQLRETURN rc = SQLGetDiagRec(htype, h, i, state, &native, text, sizeof text, &len);
        if (!SQL_SUCCEEDED(rc))
            break;
        /* The first record that is not a warning is the cause. */
        if (!found || (first_state[0] == '0' && first_state[1] == '1' &&
                       !(state[0] == '0' && state[1] == '1'))) {
            memcpy(first_state, state, sizeof first_state);
            first_native = native;
            found = 1;
        }
        if (used < sizeof msg - 1) {
            int n = snprintf(msg + used, sizeof msg - used, "%s[%s] %s", i > 1 ? "; " : "",
                             (char *)state, (char *)text);
            used += n > 0 ? (size_t)n : 0;
            if (used >= sizeof msg)
                used = sizeof msg - 1;
        }
    }
    if (!found) {
        snprintf(msg + used, sizeof msg - used, "no diagnostic from the driver");
        status = ZC_EDRIVER;
    } else {
        status = zc__classify((char *)first_state, (long)first_native, dialect);
        /* sqliteodbc reports constraint violations as HY000 with SQLite's code 19:
           give every backend's constraint violation an SQLSTATE of class 23. */
        if (status == ZC_ECONSTRAINT && !(first_state[0] == '2' && first_state[1] == '3') &&
            strcmp((char *)first_state, "40002") != 0)
            memcpy(first_state, "23000", 6);
    }
    if (db)
        zc__scrub(msg, sizeof msg, db->cs.secrets, db->cs.nsecrets);
    if (err) {
        err->status = status;
        memcpy(err->sqlstate, first_state, sizeof err->sqlstate);
        err->native = (long)first_native;
        memcpy(err->message, msg, sizeof err->message);
        err->message[sizeof err->message - 1] = '\0';
    }
    return status;
}

/*
 * Connect failures name their cause in text more than in SQLSTATE: psqlODBC reports a
 * refused password as 08001 "password authentication failed", and unixODBC a driver
 * library it cannot load as the warning 01000 "Can't open lib". A program (and the
 * retry helper) should tell "the server is not there now" (08001, worth another try)
 * from "this will never work" (28000, IM003, 3D000: no retry).
 */
void zc__connect_error_state(zc_error *err, const zc__db *db)
{
    static const struct { const char *text, *state; } causes[] = {
        { "password authentication failed", "28P01" },
        { "authentication failed", "28000" },
        { "no pg_hba.conf entry", "28000" },
        { "Access denied for user", "28000" },
        { "role \"", "28000" }, /* role "x" does not exist */
        { "does not exist", "3D000" }, /* database "x" does not exist */
        { "Unknown database", "3D000" },
        { "Can't open lib", "IM003" },
        { "file not found", "IM003" },
    };
    (void)db;
    if (!err)
        return;
    if (err->sqlstate[0] == '2' && err->sqlstate[1] == '8')
        return; /* the driver said so itself (MariaDB: 28000, native 1045) */
    for (size_t i = 0; i < sizeof causes / sizeof causes[0]; i++)
        if (strstr(err->message, causes[i].text)) {
            memcpy(err->sqlstate, causes[i].state, 6);
            return;
        }
    if (!err->sqlstate[0] || !strcmp(err->sqlstate, "HY000") ||
        (err->sqlstate[0] == '0' && err->sqlstate[1] == '1'))
        memcpy(err->sqlstate, "08001", 6);
}

/* ---- log -------------------------------------------------------------- */

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static zc_log_fn log_fn;
static void *log_ud;

void zc_set_log(zc_log_fn fn, void *ud)
{
    pthread_mutex_lock(&log_mu);
    /* atomic: zc__log_on() reads it without the lock, from any thread */
    __atomic_store_n(&log_fn, fn, __ATOMIC_RELAXED);
    log_ud = ud;
    pthread_mutex_unlock(&log_mu);
}

int zc__log_on(void)
{
    return __atomic_load_n(&log_fn, __ATOMIC_RELAXED) != NULL;
}

void zc__log(int level, const char *db, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    zc_log_fn fn;
    void *ud;

    pthread_mutex_lock(&log_mu);
    fn = log_fn;
    ud = log_ud;
    pthread_mutex_unlock(&log_mu);
    if (!fn)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fn(ud, level, db ? db : "", line);
}

int zc_version_number(void)
{
    return ZC_VERSION_NUMBER;
}
