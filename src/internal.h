/*
 * Internals shared between zodiac's modules. Nothing here is exported: the
 * library is built with -fvisibility=hidden and only ZC_API symbols leave it.
 * Names carry the zc__ prefix.
 */
#ifndef ZODIAC_INTERNAL_H
#define ZODIAC_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>

#include <sql.h>
#include <sqlext.h>

#include "zodiac/zodiac.h"

#define ZC__MAX_SECRETS 4

/* ---- error.c ---------------------------------------------------------- */

/* Fills err (if any) with status and a formatted message; returns status. */
int zc__err(zc_error *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

struct zc__db;

/*
 * Reads the diagnostics of an ODBC handle after rc failed, classifies them
 * into a status (using the database's dialect for native codes), masks the
 * database's secrets, and fills err. Returns the status (negative).
 */
int zc__err_odbc(zc_error *err, SQLSMALLINT htype, SQLHANDLE h, const struct zc__db *db,
                 const char *what);

/* SQLSTATE + native code -> status, for a dialect (ZC_DIALECT_*). */
int zc__classify(const char *sqlstate, long native, int dialect);

/* Replaces every occurrence of each secret in msg (NUL-terminated, in place) by "***". */
void zc__scrub(char *msg, size_t size, char *const *secrets, int nsecrets);

/* Log: zc__log_on() is a cheap check; zc__log formats and scrubs nothing (callers do). */
int zc__log_on(void);
void zc__log(int level, const char *db, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- dialect.c -------------------------------------------------------- */

int zc__dialect_from_dbms(const char *dbms_name);
/* A status for a native code the dialect knows, or 0 for no opinion. */
int zc__dialect_classify_native(int dialect, const char *sqlstate, long native);
const char *zc__dialect_ping_sql(int dialect);
const char *zc__dialect_name(int dialect);
/* The dialect a driver library serves, from its file name; UNKNOWN if not known. */
int zc__dialect_from_driver(const char *path);
typedef struct zc__driver_option {
    const char *key, *value;
} zc__driver_option;
/* The options zodiac recommends for a dialect's driver. */
const zc__driver_option *zc__dialect_driver_options(int dialect, int *n);
/* SQL type used to bind a UUID passed as 36 characters of text. */
SQLSMALLINT zc__dialect_uuid_sqltype(int dialect);

/* ---- connstr (db.c) --------------------------------------------------- */

typedef struct zc__connstr {
    char conn[ZC_CONN_STR_MAX + 1];   /* what is given to SQLDriverConnect */
    char masked[ZC_CONN_STR_MAX + 1]; /* secrets replaced by *** */
    char dsn[256];
    char driver[256];
    char *secrets[ZC__MAX_SECRETS];   /* malloc'd copies of secret values */
    int nsecrets;
} zc__connstr;

/* Parses and validates a connection string; on success the caller frees secrets. */
int zc__connstr_parse(const char *in, zc__connstr *out, zc_error *err);
void zc__connstr_free(zc__connstr *cs);

/* ---- db.c -------------------------------------------------------------- */

typedef struct zc__db {
    char name[ZC_DB_NAME_MAX + 1];
    zc__connstr cs;
    zc_db_options opts;
    int max_sessions;

    pthread_mutex_t mu;  /* guards everything below */
    pthread_cond_t cv;   /* signalled when a session closes */
    int open;            /* sessions admitted */
    int refs;            /* 1 for the registry while listed + 1 per session/repo */
    int listed;

    /* driver manager facts, read at setup */
    char driver[256];
    char driver_path[256];   /* the driver's library, from odbcinst.ini */
    int driver_dialect;      /* what that library serves, ZC_DIALECT_UNKNOWN if unsure */
    int dm_pooling_enabled, cp_timeout, threading;

    /* dialect facts, read at first connect */
    int connected;
    int dialect;
    char dbms_name[64], dbms_version[64], driver_name[64], driver_version[64], quote[4];

    struct zc__db *next;
} zc__db;

/* Looks a database up and takes a reference; ZC_ENODB if absent. */
int zc__db_acquire(const char *name, zc__db **out, zc_error *err);
void zc__db_release(zc__db *db);
SQLHENV zc__db_env(void);
/* Waits for admission (pool_timeout_ms); ZC_ETIMEOUT when the wait runs out. */
int zc__db_admit(zc__db *db, zc_error *err);
void zc__db_leave(zc__db *db);
/* Records the dialect facts of a fresh connection (once per database). */
void zc__db_learn(zc__db *db, SQLHDBC dbc);

/* ---- stmt.c ------------------------------------------------------------ */

typedef struct zc__bind {
    SQLSMALLINT ctype, sqltype, digits;
    SQLULEN colsize;
    SQLPOINTER ptr;
    SQLLEN buflen;
    SQLLEN *ind;
} zc__bind;

/* Storage zodiac owns for a zc_value parameter: stable while the statement lives. */
typedef struct zc__pbuf {
    SQLLEN ind;
    union {
        int64_t i;
        double d;
        unsigned char bit;
        SQL_TIMESTAMP_STRUCT ts;
        char uuid[37];
    } u;
} zc__pbuf;

typedef struct zc__stmt {
    struct zc_session *s;
    SQLHSTMT h;          /* NULL when not prepared on the current connection */
    char *sql;
    size_t sql_len;
    uint64_t hash;
    uint64_t last_use;
    int busy;            /* a zc_rows reads from it */

    zc__bind *params;    /* what is bound now (replayed after a reconnect) */
    zc__pbuf *pbufs;
    int nparams, cap_params;
} zc__stmt;

/* Finds the session's prepared statement for sql, preparing it if needed. */
int zc__stmt_get(struct zc_session *s, const char *sql, zc__stmt **out, zc_error *err);
/* Binds zc_values as the statement's parameters. */
int zc__stmt_bind_values(zc__stmt *st, const zc_value *v, size_t n, zc_error *err);
/* Executes; reconnects once per dead pooled connection when the session has run nothing. */
int zc__stmt_execute(zc__stmt *st, zc_error *err);
/* Closes an open cursor so the statement can run again. */
void zc__stmt_close_cursor(zc__stmt *st);
/* Frees the ODBC handle (not the object); used before a disconnect. */
void zc__stmt_unprepare(zc__stmt *st);
void zc__stmt_free(zc__stmt *st);

/* ---- session.c --------------------------------------------------------- */

struct zc_session {
    zc__db *db;
    SQLHDBC dbc;
    int connected;
    int in_txn;          /* a statement ran since the last commit/rollback */
    int ran;             /* a statement succeeded on this connection */
    int broken;          /* the connection is known dead */
    int failed;          /* a statement of the transaction failed: it cannot commit */
    uint64_t tick;       /* statement-cache clock */

    zc__stmt **cache;
    int ncache, cap_cache;
    struct zc_rows *rows; /* the open cursor, if any */
};

/* Drops the connection and makes a new one (statements are re-prepared lazily). */
int zc__session_reconnect(struct zc_session *s, zc_error *err);
/* Reports a statement failure: marks the session broken on ZC_ECONN. */
int zc__session_fail(struct zc_session *s, SQLSMALLINT htype, SQLHANDLE h, const char *what,
                     zc_error *err);
/* Echo one statement if the database asks for it. */
void zc__session_echo(struct zc_session *s, const char *sql, double ms, int status);

/* ---- value.c ----------------------------------------------------------- */

void zc__ts_to_odbc(zc_timestamp ts, SQL_TIMESTAMP_STRUCT *out);
int zc__ts_from_odbc(const SQL_TIMESTAMP_STRUCT *in, zc_timestamp *out);
void zc__uuid_to_text(const zc_uuid *u, char out[37]);

double zc__now_ms(void);

#endif
