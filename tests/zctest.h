/* SPDX-License-Identifier: MIT */
/*
 * Test harness shared by the Check suites: which backends this run requires,
 * their connection strings, and helpers that every backend-facing test uses.
 *
 * The run's backends come from ZC_TEST_BACKENDS (space separated: sqlite,
 * postgresql, mariadb; default "sqlite"). A backend that is listed but cannot
 * be reached fails its tests; nothing is skipped silently.
 */
#ifndef ZCTEST_H
#define ZCTEST_H

#include <check.h>
#include <zodiac/zodiac.h>

typedef struct zct_backend {
    const char *name;       /* "sqlite", "postgresql", "mariadb" */
    int dialect;            /* ZC_DIALECT_* expected */
    const char *conn;       /* pooled connection string */
    const char *conn_nopool;/* same server, driver with pooling off (NULL for sqlite) */
} zct_backend;

/* The backends this run requires, in order; *n gets their count. */
const zct_backend *zct_backends(int *n);

/* Adds a TCase per required backend: name "<prefix>/<backend>", with fixture
   setup that registers the backend as database ZC_DEFAULT_DB. The test body
   reads zct_cur (the backend of the running TCase). With servers_only, backends
   without a server process (SQLite) get no case. */
typedef void (*zct_add_fn)(TCase *tc);
void zct_add_backend_cases(Suite *s, const char *prefix, zct_add_fn add, int timeout_s,
                           int servers_only);

/* The same for one backend only, if the run requires it: "<prefix>/<backend>". */
void zct_add_backend_case_named(Suite *s, const char *prefix, zct_add_fn add, int timeout_s,
                                const char *backend);

extern const zct_backend *zct_cur;

/* Runs a suite and returns the process exit status. */
int zct_run(Suite *s);

/* Fails the test with the error's text when st != want. */
#define ZCT_OK(call, errp)                                                                  \
    do {                                                                                   \
        int zct_st_ = (call);                                                              \
        ck_assert_msg(zct_st_ == ZC_OK, "%s -> %d (%s) [%s/%ld] %s", #call, zct_st_,       \
                      zc_strerror(zct_st_), (errp)->sqlstate, (errp)->native, (errp)->message); \
    } while (0)

/* Runs SQL in its own session and commits; fails the test on error. */
void zct_exec(const char *db, const char *sql);
/* Drops a table if it exists (committed). */
void zct_drop(const char *db, const char *table);
/* A unique suffix for table names in this process. */
const char *zct_uniq(void);
/* The SQL type of an auto-incrementing integer primary key on the current backend. */
const char *zct_serial_pk(void);
/* SELECT COUNT(*) FROM table, in a session of its own on database db; fails the test on
   error. */
int64_t zct_count(const char *db, const char *table);
/* INSERT INTO table (name) VALUES (?) in session s; the status of zc_session_exec. */
int zct_insert_name(zc_session *s, const char *table, const char *name, zc_error *err);

#endif

/* ---- the catalog, read through ODBC directly (not through zodiac) ---------- */

typedef struct zct_column {
    char name[64];
    int nullable; /* 1 nullable, 0 not */
} zct_column;
typedef struct zct_index {
    char name[64];
    char column[64];
    int unique;
} zct_index;

/* Columns of a table, in order; returns how many (0 when the table does not exist). */
int zct_catalog_columns(const char *table, zct_column *out, int cap);
/* Indexes of a table (one entry per indexed column); returns how many. */
int zct_catalog_indexes(const char *table, zct_index *out, int cap);
