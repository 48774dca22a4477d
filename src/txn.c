/* SPDX-License-Identifier: MIT */
/*
 * txn: a unit of work run as one transaction, and run again from the start
 * when the database refused it for a reason a later attempt may not meet
 * (a conflict with other transactions, a connection lost before the commit).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/* How an attempt ended, for the loop that decides whether to run it again. */
enum { END_FINAL = 0, END_CONFLICT, END_CONN };

/* A connection failure worth another attempt: not a configuration error, which the
   next attempt would meet again — a missing DSN or driver (IMxxx), a refused login
   (28xxx), a database that does not exist (3D000). */
static int conn_retryable(const zc_error *err)
{
    const char *st = err->sqlstate;
    return !((st[0] == 'I' && st[1] == 'M') || (st[0] == '2' && st[1] == '8') ||
             (st[0] == '3' && st[1] == 'D'));
}

static int classify_end(int st, const zc_error *err)
{
    if (st == ZC_ERETRY)
        return END_CONFLICT;
    if (st == ZC_ECONN && conn_retryable(err))
        return END_CONN;
    return END_FINAL;
}

/* Puts prefix in front of err's message, keeping as much of the old text as fits. */
static void prefix_message(zc_error *err, const char *prefix)
{
    size_t n = strlen(prefix), keep;
    if (n >= sizeof err->message)
        return;
    keep = sizeof err->message - 1 - n;
    memmove(err->message + n, err->message, keep);
    memcpy(err->message, prefix, n);
    err->message[sizeof err->message - 1] = '\0';
}

/*
 * One attempt: open, run fn, commit, close. *end says whether it may run again;
 * *unknown is set when the commit itself failed on a lost connection.
 */
static int attempt(const char *db_name, zc_txn_fn fn, void *arg, zc_error *err, int *end,
                   int *unknown)
{
    zc_session *s = NULL;
    int st = zc_session_open(db_name, &s, err);

    *unknown = 0;
    if (st != ZC_OK) {
        *end = classify_end(st, err);
        return st;
    }
    st = fn(s, arg, err);
    if (st == ZC_OK && zc__session_lost(s)) {
        /* fn went on after its connection died: the server rolled the work back,
           so nothing was committed and running it again is safe. */
        st = zc__err(err, ZC_ECONN, "the connection was lost while the unit of work ran; "
                     "nothing was committed");
        memcpy(err->sqlstate, "08S01", 6);
    } else if (st == ZC_OK) {
        st = zc_session_commit(s, err);
        if (st == ZC_ECONN) {
            /* The commit was sent and its answer lost: never run the unit again. */
            *unknown = 1;
            *end = END_FINAL;
            zc_session_close(&s);
            return st;
        }
    }
    *end = st == ZC_OK ? END_FINAL : classify_end(st, err);
    zc_session_close(&s); /* rolls back whatever is uncommitted */
    return st;
}

/* xorshift64*: jitter needs no more than this, and no shared state between threads. */
static uint64_t next_random(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * UINT64_C(2685821657736338717);
}

static uint64_t random_seed(const void *salt)
{
    struct timespec t;
    uint64_t x;
    clock_gettime(CLOCK_MONOTONIC, &t);
    x = (uint64_t)t.tv_nsec ^ ((uint64_t)t.tv_sec << 32) ^ (uint64_t)(uintptr_t)salt ^
        (uint64_t)pthread_self();
    return x ? x : UINT64_C(0x9e3779b97f4a7c15);
}

/* The wait before attempt n+1 (n >= 1 attempts made), in microseconds: the nth
   doubling of the base, capped, then a random point in its upper half. */
static long backoff_us(const zc_txn_options *o, int n, uint64_t *rnd)
{
    long ms = o->base_backoff_ms, half;
    if (ms <= 0)
        return 0;
    for (int i = 1; i < n && ms < o->max_backoff_ms; i++)
        ms *= 2;
    if (ms > o->max_backoff_ms)
        ms = o->max_backoff_ms;
    half = ms * 500;
    return half + (long)(next_random(rnd) % (uint64_t)(half + 1));
}

static void sleep_us(long us)
{
    struct timespec t = { us / 1000000, (us % 1000000) * 1000 };
    while (nanosleep(&t, &t) != 0)
        ;
}

int zc_transaction_run(const char *db_name, zc_txn_fn fn, void *arg,
                       const zc_txn_options *opts, zc_error *err)
{
    static const zc_txn_options defaults = ZC_TXN_OPTIONS_DEFAULT;
    zc_txn_options o = opts ? *opts : defaults;
    zc_txn_result res;
    zc_error local;
    uint64_t rnd;
    int st, end, unknown;

    memset(&res, 0, sizeof res);
    if (!err)
        err = &local; /* the retry decision reads the SQLSTATE */
    if (o.max_attempts == 0)
        o.max_attempts = defaults.max_attempts;
    if (o.base_backoff_ms == 0)
        o.base_backoff_ms = defaults.base_backoff_ms;
    if (o.max_backoff_ms == 0)
        o.max_backoff_ms = defaults.max_backoff_ms;
    if (!fn || o.max_attempts < 0 || o.base_backoff_ms < -1 || o.max_backoff_ms < 0 ||
        o.max_backoff_ms > 3600000) {
        st = zc__err(err, ZC_EINVAL, "zc_transaction_run: %s", !fn ? "fn is NULL"
                     : "invalid options (max_attempts >= 0, base_backoff_ms >= -1, "
                       "max_backoff_ms 0..3600000)");
        res.last_status = st;
        if (opts && opts->result)
            *opts->result = res;
        return st;
    }
    rnd = random_seed(&res);
    for (;;) {
        res.attempts++;
        st = attempt(db_name, fn, arg, err, &end, &unknown);
        if (end == END_FINAL || res.attempts >= o.max_attempts)
            break;
        if (end == END_CONFLICT)
            res.retried_conflict++;
        else
            res.retried_conn++;
        {
            long us = backoff_us(&o, res.attempts, &rnd);
            zc__log(ZC_LOG_INFO, db_name ? db_name : ZC_DEFAULT_DB,
                    "transaction attempt %d of %d: %s [%s]; running it again in %ld ms",
                    res.attempts, o.max_attempts, zc_strerror(st), err->sqlstate, us / 1000);
            sleep_us(us);
        }
    }
    if (st != ZC_OK && end != END_FINAL) {
        char pre[96];
        snprintf(pre, sizeof pre, "gave up after %d attempt%s: ", res.attempts,
                 res.attempts == 1 ? "" : "s");
        prefix_message(err, pre);
    }
    res.commit_unknown = unknown;
    res.last_status = st;
    if (opts && opts->result)
        *opts->result = res;
    return st;
}
