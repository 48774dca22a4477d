/* SPDX-License-Identifier: MIT */
/**
 * @file session.h
 * @brief Sessions: a connection and a transaction, the unit of work.
 *
 * A session takes one connection from the driver manager's pool, turns
 * autocommit off, and runs statements inside one transaction until
 * zc_session_commit() or zc_session_rollback(); the next statement starts the
 * next transaction. Closing a session rolls back what is uncommitted and gives
 * the connection back. Prepared statements are cached per session, keyed by
 * their SQL text, for the session's life.
 *
 * @note A session, and every zc_rows made from it, belongs to one thread at a
 *       time. Different sessions may be used by different threads at once.
 * @note fork(): a session belongs to the process that opened it. In a child, every call
 *       on a session of the parent returns ZC_ESTATE (zc_session_close() frees its
 *       memory); the child opens sessions of its own, on connections of its own.
 */
#ifndef ZODIAC_SESSION_H
#define ZODIAC_SESSION_H

#include "db.h"
#include "value.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A session: one connection and its transaction. Opaque; one thread at a time. */
typedef struct zc_session zc_session;
/** A cursor over the rows of zc_session_query(). Opaque; belongs to its session. */
typedef struct zc_rows zc_rows;

/**
 * @brief Opens a session on a database.
 * @param[in] db_name the database, NULL for ZC_DEFAULT_DB
 * @param[out] out the session; NULL on failure. Close it with zc_session_close().
 * @param[out] err optional: filled on failure
 * @return ZC_OK; ZC_ENODB; ZC_ETIMEOUT when pool_size + max_overflow sessions stay
 *         open longer than pool_timeout_ms; ZC_ECONN when the connection fails
 *         (SQLSTATE in err).
 */
ZC_API int zc_session_open(const char *db_name, zc_session **out, zc_error *err);

/**
 * @brief Opens a routed session on a database that has replicas (zc_db_add_replica()).
 *
 * The session starts on a healthy replica (round-robin) and reads there. At its first
 * write (zc_session_exec(), or a repository write) it moves to db_name itself and stays
 * there until closed, so it reads its own writes. Moving ends the read transaction on
 * the replica; it is refused with ZC_ESTATE while a cursor is open. A replica that fails
 * to connect, or whose connection is dead before any statement ran, is skipped for its
 * replica_retry_ms and the next is tried; with none healthy the session uses db_name.
 * zc_session_query() and zc_session_query_int() are reads: run a locking read
 * (SELECT … FOR UPDATE) through zc_session_exec() or on a plain session.
 * @param[in] db_name the primary, NULL for ZC_DEFAULT_DB
 * @param[out] out the session; NULL on failure. Close it with zc_session_close().
 * @param[out] err optional: filled on failure
 * @return as zc_session_open(); a database without replicas gives a plain session.
 */
ZC_API int zc_session_open_routed(const char *db_name, zc_session **out, zc_error *err);
/** @brief Commits the transaction. ZC_ECONN with "outcome unknown" in the message
 *         when the connection failed during the commit, or no answer came within the
 *         database's commit_timeout_ms: it is never retried.
 *         ZC_ESTATE, with the transaction rolled back, when one of its statements
 *         failed (see zc_session_rollback_to() to recover inside a transaction). */
ZC_API int zc_session_commit(zc_session *s, zc_error *err);

/**
 * @brief Sets the statement timeout of this session (the database's statement_timeout_ms
 *        is where every session starts).
 *
 * A statement still running statement_timeout_ms after it was sent is cancelled
 * (PostgreSQL: pg_cancel_backend from a connection of zodiac's own; MariaDB: KILL QUERY;
 * SQLite: sqlite3_interrupt); if it has not returned a grace period later (the timeout
 * again, at least 1 s), its connection is closed. The call returns ZC_ETIMEOUT either way
 * and the transaction cannot commit. Each fetch of a cursor gets the same bound.
 * @param[in] s the session
 * @param[in] statement_timeout_ms the bound, 0 for none
 * @param[out] err optional: filled on failure
 * @return ZC_OK; ZC_EINVAL for a negative bound or a NULL session.
 */
ZC_API int zc_session_set_timeout(zc_session *s, int statement_timeout_ms, zc_error *err);

/** @brief Rolls the transaction back. */
ZC_API int zc_session_rollback(zc_session *s, zc_error *err);

/**
 * @brief Rolls back uncommitted work, frees the session's statements, gives the
 *        connection back and sets *s to NULL. No-op on NULL or *s == NULL.
 * @note A zc_rows or zc_cursor of the session still open is detached: every call on it
 *       but its close returns ZC_ESTATE, and it stays the caller's to close.
 * @note After fork(), a child closing a session its parent opened frees only memory: the
 *       connection stays the parent's (docs/reliability.md, "fork").
 */
ZC_API void zc_session_close(zc_session **s);

/** @brief Marks a savepoint. name: an identifier (letters, digits, _; 1..63). */
ZC_API int zc_session_savepoint(zc_session *s, const char *name, zc_error *err);
/** @brief Releases a savepoint, keeping its work in the transaction. */
ZC_API int zc_session_release(zc_session *s, const char *name, zc_error *err);
/** @brief Undoes the work done since the savepoint; the savepoint stays. */
ZC_API int zc_session_rollback_to(zc_session *s, const char *name, zc_error *err);

/**
 * @brief Runs one statement with bound parameters.
 * @param[in] s the session
 * @param[in] sql the statement; values are `?` parameters, never spliced in
 * @param[in] params nparams values (may be NULL when nparams is 0); read during the call only
 * @param[in] nparams how many
 * @param[out] rows_affected rows changed, or -1 if the driver cannot tell; may be NULL
 * @param[out] err optional: filled on failure
 * @return ZC_OK; the status of the driver's diagnostic (ZC_ECONSTRAINT, ZC_ERETRY,
 *         ZC_EDRIVER, ...); ZC_EINVAL for a NULL or empty sql; ZC_ESTATE while a
 *         zc_rows of the session reads the same statement.
 */
ZC_API int zc_session_exec(zc_session *s, const char *sql, const zc_value *params,
                           size_t nparams, int64_t *rows_affected, zc_error *err);

/**
 * @brief Runs a query and reads the first column of its first row as an integer.
 * @param[in] s the session
 * @param[in] sql the query, with `?` parameters
 * @param[in] params nparams values (may be NULL when nparams is 0)
 * @param[in] nparams how many
 * @param[out] out the integer
 * @param[out] err optional: filled on failure
 * @return ZC_OK; ZC_NOT_FOUND when there is no row (*out untouched); ZC_EINVAL when the
 *         value is NULL or not an integer.
 */
ZC_API int zc_session_query_int(zc_session *s, const char *sql, const zc_value *params,
                                size_t nparams, int64_t *out, zc_error *err);

/**
 * @brief Runs a query and returns a cursor over its rows.
 * @param[in] s the session
 * @param[in] sql the query, with `?` parameters
 * @param[in] params nparams values (may be NULL when nparams is 0); read during the call only
 * @param[in] nparams how many
 * @param[out] out the cursor, positioned before the first row; close it with zc_rows_close()
 * @param[out] err optional: filled on failure
 * @return ZC_OK; as zc_session_exec(); ZC_ESTATE when the session has a zc_rows open.
 * @note One zc_rows may be open per session at a time.
 */
ZC_API int zc_session_query(zc_session *s, const char *sql, const zc_value *params,
                            size_t nparams, zc_rows **out, zc_error *err);

/** @brief Moves to the next row: ZC_OK, ZC_NOT_FOUND after the last, or an error. */
ZC_API int zc_rows_next(zc_rows *r, zc_error *err);
/** @brief Number of result columns. */
ZC_API int zc_rows_ncols(const zc_rows *r);
/** @brief Column name (0-based), valid until zc_rows_close(); NULL if out of range. */
ZC_API const char *zc_rows_name(zc_rows *r, int col);
/** @brief 1 if the column of the current row is NULL, 0 if not, negative status on error. */
ZC_API int zc_rows_is_null(zc_rows *r, int col, zc_error *err);
/** @brief The column as an int64; ZC_NOT_FOUND when NULL (out untouched). */
ZC_API int zc_rows_int(zc_rows *r, int col, int64_t *out, zc_error *err);
/** @brief The column as a double; ZC_NOT_FOUND when NULL (out untouched). */
ZC_API int zc_rows_double(zc_rows *r, int col, double *out, zc_error *err);
/**
 * @brief The column as UTF-8 text.
 * @param[in] r the cursor, on a row
 * @param[in] col the column, 0-based
 * @param[out] out NUL-terminated text owned by the cursor, valid until the next
 *             zc_rows_next() or zc_rows_close()
 * @param[out] len its length in bytes; may be NULL
 * @param[out] err optional: filled on failure
 * @return ZC_OK; ZC_NOT_FOUND when NULL (*out = NULL).
 */
ZC_API int zc_rows_text(zc_rows *r, int col, const char **out, size_t *len, zc_error *err);
/** @brief Closes the cursor; no-op on NULL; sets *r to NULL. */
ZC_API void zc_rows_close(zc_rows **r);

/** @brief The name of the database whose connection the session holds now (owned by the
 *         session; for a routed session it changes when the session moves to its primary). */
ZC_API const char *zc_session_db_name(const zc_session *s);
/** @brief ZC_DIALECT_* of the session's database. */
ZC_API int zc_session_dialect(const zc_session *s);

#ifdef __cplusplus
}
#endif
#endif
