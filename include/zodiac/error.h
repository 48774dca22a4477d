/* SPDX-License-Identifier: MIT */
/**
 * @file error.h
 * @brief Statuses, the error record and the log hook.
 *
 * Every fallible zodiac call returns an int: ZC_OK (0), a positive non-error
 * outcome (ZC_NOT_FOUND), or a negative ZC_E* status. Its last parameter is
 * an optional zc_error* (NULL allowed) that receives the status, the SQLSTATE
 * and native code of the driver diagnostic that caused it, and a message.
 * Messages never contain a password or other secret from a connection string.
 */
#ifndef ZODIAC_ERROR_H
#define ZODIAC_ERROR_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Statuses returned by every fallible call. */
enum {
    ZC_OK = 0,            /**< success */
    ZC_NOT_FOUND = 1,     /**< not an error: no such row / end of rows */
    ZC_EINVAL = -1,       /**< bad argument, descriptor or connection string */
    ZC_ENOMEM = -2,       /**< out of memory */
    ZC_EDRIVER = -3,      /**< the driver or the DBMS refused the statement */
    ZC_ECONN = -4,        /**< no connection, connection lost, or commit outcome unknown */
    ZC_ECONSTRAINT = -5,  /**< integrity constraint violated (SQLSTATE 23xxx) */
    ZC_ERETRY = -6,       /**< serialization failure, deadlock or busy: re-run the transaction */
    ZC_ETIMEOUT = -7,     /**< a wait or a statement timed out (admission, HYT00/HYT01) */
    ZC_ETRUNC = -8,       /**< a value does not fit its column or buffer; nothing was cut */
    ZC_ENODB = -9,        /**< no database of that name is set up */
    ZC_ESTATE = -10,      /**< the call is not valid in the object's state */
    ZC_EREADONLY = -11    /**< a write on a read-only database (a replica; SQLSTATE 25006) */
};

/** Size of zc_error.message, NUL included. */
#define ZC_ERROR_MESSAGE_SIZE 512

/** What went wrong, filled by a failing call when the caller passes one. */
typedef struct zc_error {
    int status;                             /**< the returned status */
    char sqlstate[6];                       /**< SQLSTATE of the cause, "" if none; class 23
                                                 whenever status is ZC_ECONSTRAINT (a driver
                                                 that says only HY000 gets 23000) */
    long native;                            /**< the driver's native error code, 0 if none */
    char message[ZC_ERROR_MESSAGE_SIZE];    /**< human-readable; secrets masked */
} zc_error;

/**
 * @brief A short English description of a status.
 * @param[in] status any status
 * @return a static string, never to be freed; never NULL (unknown statuses get
 *         "unknown status").
 * @note Any thread may call it.
 */
ZC_API const char *zc_strerror(int status);

/** Severity of a log line. */
enum { ZC_LOG_DEBUG = 0, ZC_LOG_INFO = 1, ZC_LOG_WARN = 2, ZC_LOG_ERROR = 3 };

/**
 * @brief Receives log lines (statement echo and connection events).
 * @param ud the pointer given to zc_set_log
 * @param level one of ZC_LOG_*
 * @param db the database name the line is about, or "" when none
 * @param line the text, secrets masked; valid only during the call
 * @note Called from whichever thread does the work, in several threads at once when
 *       several work: it must be thread-safe. zodiac holds none of its locks during
 *       the call, so the callback may call zodiac (but a session only from its thread).
 */
typedef void (*zc_log_fn)(void *ud, int level, const char *db, const char *line);

/**
 * @brief Sets (or with NULL clears) the process-wide log callback.
 * @note Thread-safe, also while other threads log. A call of the previous callback
 *       that had started may still finish after zc_set_log() returns: keep the old ud
 *       valid until the threads that were logging are done. zodiac never writes to
 *       stdout or stderr itself.
 */
ZC_API void zc_set_log(zc_log_fn fn, void *ud);

#ifdef __cplusplus
}
#endif
#endif
