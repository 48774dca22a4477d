/* SPDX-License-Identifier: MIT */
/*
 * bench: zodiac against hand-written ODBC (issue 4). Shared declarations of
 * bench.c (driver, zodiac side) and raw.c (the raw ODBC side).
 */
#ifndef ZODIAC_BENCH_H
#define ZODIAC_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include <sql.h>
#include <sqlext.h>

#include <zodiac/zodiac.h>

/* The benchmark's model, exactly as issue 4 gives it. */
typedef struct BenchUser {
    ZC_INT_ID_FIELDS;
    char username[64];
    char email[128];
    int32_t score;
} BenchUser;

extern const zc_model BenchUser_model;

#define BENCH_TABLE "bench_users"
/* Every column, in the order zodiac's repository selects them. */
#define BENCH_COLS "id, created_at, updated_at, username, email, score"

/* Seconds on CLOCK_MONOTONIC. */
double bench_now(void);
/*
 * The measured region: bench_start() and bench_stop() return bench_now() and also
 * read this process's CPU time (user + system); bench_last_cpu is the CPU seconds
 * between the last pair: the client side's own cost, free of round-trip noise.
 */
double bench_start(void);
double bench_stop(void);
extern double bench_last_cpu;

/* Prints a message and exits the process with status 1. */
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* ---- raw.c: the hand-written ODBC side ------------------------------------- */

/* What the raw code needs to know of the backend: how to read a generated id. */
enum { RAW_KEY_RETURNING = 1, RAW_KEY_LAST_INSERT_ID, RAW_KEY_LAST_INSERT_ROWID };

/* The raw side's own environment (one SQLHENV for the process, ODBC 3). */
void raw_init(void);
void raw_done(void);

/* Connects with the connection string and turns autocommit off; exits on failure. */
SQLHDBC raw_connect(const char *conn);
void raw_disconnect(SQLHDBC *dbc);
/* Runs one statement without parameters and commits (set-up work, not timed). */
void raw_exec(SQLHDBC dbc, const char *sql);
/* The backend's connection id (pg_backend_pid() / CONNECTION_ID()), -1 for SQLite. */
long raw_backend_id(SQLHDBC dbc, int key_method);

/*
 * Each workload returns the seconds its measured part took: statement preparation and
 * binding, the loop, and the commit. Connecting is not timed (W5 excepted: there the
 * connect is the workload).
 */
double raw_w1(SQLHDBC dbc, int key_method, const BenchUser *rows, size_t n, int64_t *last_id);
double raw_w2(SQLHDBC dbc, const BenchUser *rows, size_t n, size_t batch);
/* The same with column-wise parameter arrays (one array per column). */
double raw_w2_columns(SQLHDBC dbc, const BenchUser *rows, size_t n, size_t batch);
/* Full scan into n raw structs; *got rows read, *sum = sum of id + score over them. */
double raw_w3(SQLHDBC dbc, size_t n, size_t rowset, size_t *got, int64_t *sum);
/* Point selects of ids[0..n); *sum = sum of id + score of the rows found. */
double raw_w4(SQLHDBC dbc, const int64_t *ids, size_t n, int64_t *sum);
/* n cycles of connect + point select + commit + disconnect. */
double raw_w5(const char *conn, const int64_t *ids, size_t n, int64_t *sum);
/* SELECT all rows fetched one at a time into one bound struct; returns rows read. */
long raw_scan(SQLHDBC dbc, int64_t *sum);

#endif
