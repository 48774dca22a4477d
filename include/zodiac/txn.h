/* SPDX-License-Identifier: MIT */
/**
 * @file txn.h
 * @brief Running a unit of work as a transaction, retried when the database asks.
 *
 * zc_transaction_run() opens a session, calls the caller's function with it,
 * and commits. When the database refuses the unit because of other
 * transactions (serialization failure 40001, deadlock 40P01, MariaDB's
 * deadlock 1213 and lock wait timeout 1205, SQLite's busy and locked: the
 * statuses zodiac reports as ZC_ERETRY), or when the connection is lost
 * before the commit is sent, the whole unit runs again from the start in a
 * new session, after an exponential backoff with jitter, up to max_attempts
 * times. A commit whose outcome is unknown (the connection failed while the
 * commit was in flight) is never run again: the unit may have been
 * committed, so zc_transaction_run() returns ZC_ECONN with "outcome unknown"
 * in the message and leaves the decision to the caller.
 *
 * @code
 * static int transfer(zc_session *s, void *arg, zc_error *err) {
 *     const struct transfer *t = arg;      // read-only: the unit may run again
 *     zc_value a[] = { zc_int(t->amount), zc_int(t->from) };
 *     zc_value b[] = { zc_int(t->amount), zc_int(t->to) };
 *     int st = zc_session_exec(s, "UPDATE acct SET bal = bal - ? WHERE id = ?", a, 2, NULL, err);
 *     if (st == ZC_OK)
 *         st = zc_session_exec(s, "UPDATE acct SET bal = bal + ? WHERE id = ?", b, 2, NULL, err);
 *     return st;                           // return statuses as they come
 * }
 * ...
 * zc_txn_result res;
 * zc_txn_options o = ZC_TXN_OPTIONS_DEFAULT;
 * o.result = &res;
 * int st = zc_transaction_run(NULL, transfer, &t, &o, &err);
 * @endcode
 *
 * @note Thread-safe: each call uses sessions of its own.
 */
#ifndef ZODIAC_TXN_H
#define ZODIAC_TXN_H

#include "session.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief A unit of work: the statements of one transaction, run on session s.
 *
 * Return ZC_OK to commit. Any other status rolls the transaction back; a
 * ZC_ERETRY or a lost connection (ZC_ECONN) makes the unit run again, anything
 * else is returned by zc_transaction_run(). Return the statuses of zodiac's calls
 * as they come, with err as they filled it, so the retry logic sees them.
 *
 * @warning The function may run several times for one zc_transaction_run(). Apart
 *          from its database work (which a retry rolls back) it must be idempotent:
 *          do not count, send messages or free memory in it; reset whatever it
 *          computes at its start. It must not commit, roll back or close s.
 */
typedef int (*zc_txn_fn)(zc_session *s, void *arg, zc_error *err);

/** What zc_transaction_run() did (written when zc_txn_options.result is set). */
typedef struct zc_txn_result {
    int attempts;        /**< attempts made (open, fn, commit), 1 when nothing was retried;
                              fn ran fewer times if some attempts could not connect */
    int retried_conflict;/**< attempts that ended in ZC_ERETRY and were run again */
    int retried_conn;    /**< attempts that lost their connection before commit and ran again */
    int commit_unknown;  /**< 1: the last commit's outcome is unknown (status ZC_ECONN) */
    int last_status;     /**< status of the last attempt (ZC_OK on success) */
} zc_txn_result;

/** Options of zc_transaction_run(). Zero fields take the defaults. */
typedef struct zc_txn_options {
    int max_attempts;    /**< most attempts in all, retries included (default 5) */
    int base_backoff_ms; /**< wait before the 2nd attempt, doubled each time (default 10;
                              -1 = never wait) */
    int max_backoff_ms;  /**< longest wait between attempts (default 1000) */
    zc_txn_result *result; /**< if not NULL, receives what happened */
} zc_txn_options;

/** The defaults, as an initializer. */
#define ZC_TXN_OPTIONS_DEFAULT { 5, 10, 1000, NULL }

/**
 * @brief Runs fn as one transaction on db_name, retrying it when that is safe.
 *
 * Each attempt opens a session (zc_session_open()), calls fn(session, arg, err),
 * commits when fn returns ZC_OK, and closes the session. The unit is run again
 * after a wait of about base_backoff_ms * 2^(attempt-1), capped at max_backoff_ms,
 * each wait picked at random in its upper half (jitter spreads out retries that
 * collided), when the attempt ended in:
 * - ZC_ERETRY, from fn's statements or from the commit;
 * - ZC_ECONN before the commit was sent: the session could not connect, or its
 *   connection was lost while fn ran (even if fn ignored that and returned ZC_OK).
 *   The server rolled the transaction back when the connection died, so nothing of
 *   it is committed. A connection error of SQLSTATE class IM (no such DSN or
 *   driver: configuration) is not retried.
 *
 * It is never run again after a commit that failed with ZC_ECONN: the server may
 * have committed. Then it returns ZC_ECONN, err's message starts with "commit
 * outcome unknown", and result->commit_unknown is 1.
 *
 * @param[in] db_name the database, NULL for ZC_DEFAULT_DB
 * @param[in] fn the unit of work (see zc_txn_fn); not NULL
 * @param[in] arg passed to fn as it is
 * @param[in] opts NULL for the defaults; result, if set, is written before returning
 * @param[out] err filled on failure, NULL allowed
 * @return ZC_OK when a commit succeeded; fn's own status when it returned one that is
 *         not retried; ZC_ERETRY or ZC_ECONN when max_attempts ran out (the message
 *         says how many attempts were made); ZC_ECONN after a commit with an unknown
 *         outcome; ZC_EINVAL for a NULL fn or options out of range; as zc_session_open()
 *         for failures to open that are not retried (ZC_ENODB, ZC_ETIMEOUT, ...).
 */
ZC_API int zc_transaction_run(const char *db_name, zc_txn_fn fn, void *arg,
                              const zc_txn_options *opts, zc_error *err);

#ifdef __cplusplus
}
#endif
#endif
