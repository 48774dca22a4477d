/* SPDX-License-Identifier: MIT */
/**
 * @file repo.h
 * @brief Repositories: a model bound to a named database (the seed's BaseSQLRepository).
 *
 * A repository's operations are prepared statements whose parameters and
 * result columns are bound to the caller's structs through the model
 * descriptor. Each takes an optional session: NULL means "open a session on
 * the repository's database, do the work, commit, close" (the seed's
 * `async with self.session()`); with a session, the work joins its
 * transaction and the caller commits. The session must be on the repository's
 * database, be routed from it, or be on one of its replicas; a session of any
 * other database is refused with ZC_EINVAL (nothing runs).
 *
 * The parameters every operation shares: `r` the repository; `s` a session or
 * NULL; `row` / `row_out` / `rows` the model's struct (or an array of them),
 * read or written only during the call; `id` a pointer to an `int64_t`
 * (ZC_PK_INT) or a `zc_uuid` (ZC_PK_UUID); `where`, `params`, `nparams` a WHERE
 * fragment and its `?` values (NULL and 0 for every row); `err` optional, filled
 * on failure. Failures of the database come back with their status (ZC_ECONSTRAINT,
 * ZC_ERETRY, ZC_ECONN, ...) and SQLSTATE in err; a NULL argument where one is
 * needed, or a bad `where`, is ZC_EINVAL.
 *
 * Custom repositories are plain functions over a zc_repo:
 * @code
 * int user_find_by_username(zc_repo *users, const char *name, User *out, zc_error *err) {
 *     zc_value p[] = { zc_text(name) };
 *     return zc_repo_find_one(users, NULL, "username = ?", p, 1, out, err);
 * }
 * @endcode
 *
 * `where` fragments are the one place a caller writes SQL. zodiac checks them:
 * names must be the model's columns (or SQL keywords and the functions lower,
 * upper, length, abs, coalesce), values must be `?` parameters — quotes,
 * semicolons and comments are refused with ZC_EINVAL — and the number of `?`
 * must equal nparams.
 *
 * @note A repository is immutable after zc_repo_open() and may be shared by
 *       threads; a session and a cursor belong to one thread at a time.
 */
#ifndef ZODIAC_REPO_H
#define ZODIAC_REPO_H

#include "model.h"
#include "session.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A repository: a model bound to a database name. Opaque; shareable between threads. */
typedef struct zc_repo zc_repo;
/** A streaming cursor of zc_repo_cursor(). Opaque; belongs to its session's thread. */
typedef struct zc_cursor zc_cursor;

/** What zc_repo_find() and zc_repo_cursor() select. Zero-initialize, then set what you need. */
typedef struct zc_query {
    const char *where;       /**< fragment after WHERE, or NULL for all rows */
    const zc_value *params;  /**< its `?` values */
    size_t nparams;          /**< how many values params holds */
    const char *order_by;    /**< "column [ASC|DESC][, …]" of model columns, or NULL for id */
    int64_t limit;           /**< at most this many rows; 0 = no limit */
    int64_t offset;          /**< skip this many rows first */
} zc_query;

/**
 * @brief Opens a repository of model m on database db_name (NULL: ZC_DEFAULT_DB).
 * @param[in] m the model; validated here
 * @param[in] db_name the database it works on, set up already; copied
 * @param[out] out the repository, NULL on failure; close it with zc_repo_close()
 * @param[out] err optional: filled on failure
 * @return ZC_OK; ZC_EINVAL for an invalid model; ZC_ENODB when no such database is set up.
 * @note The model must outlive the repository; the name is copied.
 */
ZC_API int zc_repo_open(const zc_model *m, const char *db_name, zc_repo **out, zc_error *err);
/**
 * @brief Opens a routed repository of model m on database db_name (the primary).
 *
 * Reads run without a session (get, find_one, find, count, exists with s == NULL) go
 * through a routed session (zc_session_open_routed()): to a healthy replica, or to
 * db_name when none is. Writes go to db_name. With a session, every operation runs in
 * that session; a routed session moves to its primary at the first write.
 * @param[in] m the model; validated here
 * @param[in] db_name the primary, set up already; copied
 * @param[out] out the repository, NULL on failure; close it with zc_repo_close()
 * @param[out] err optional: filled on failure
 * @return as zc_repo_open().
 */
ZC_API int zc_repo_open_routed(const zc_model *m, const char *db_name, zc_repo **out,
                               zc_error *err);
/** @brief Frees the repository; no-op on NULL; sets *r to NULL.
 *  @note The one call that must not overlap any other use of the repository: close it
 *        after every thread that shares it is done with it. */
ZC_API void zc_repo_close(zc_repo **r);

/**
 * @brief Inserts a row: fills a generated int id (or a v4 UUID when the id is nil), and
 *        sets created_at and updated_at to now (at the precision the backend keeps).
 * @return ZC_OK; ZC_ECONSTRAINT; ZC_ETRUNC for text not NUL-terminated within its member;
 *         ZC_EREADONLY when the repository (or the session) is on a replica: every write
 *         (insert, insert_many, update, delete) is refused there before it reaches the server.
 */
ZC_API int zc_repo_insert(zc_repo *r, zc_session *s, void *row, zc_error *err);
/** @brief Inserts n rows (an array of structs) the fastest correct way the backend allows;
 *         ids and timestamps are filled in every row, in order. */
ZC_API int zc_repo_insert_many(zc_repo *r, zc_session *s, void *rows, size_t n, zc_error *err);
/** @brief Reads the row whose id is *id (int64_t or zc_uuid). ZC_NOT_FOUND if none. */
ZC_API int zc_repo_get(zc_repo *r, zc_session *s, const void *id, void *row_out, zc_error *err);
/**
 * @brief Writes every field of the row with its id; bumps updated_at (strictly forward);
 *        created_at is never written. ZC_NOT_FOUND when no row has that id.
 */
ZC_API int zc_repo_update(zc_repo *r, zc_session *s, void *row, zc_error *err);
/** @brief Deletes the row with that id. ZC_NOT_FOUND when there was none. */
ZC_API int zc_repo_delete(zc_repo *r, zc_session *s, const void *id, zc_error *err);
/** @brief The first row (lowest id) matching where. ZC_NOT_FOUND if none. */
ZC_API int zc_repo_find_one(zc_repo *r, zc_session *s, const char *where,
                            const zc_value *params, size_t nparams, void *row_out, zc_error *err);
/**
 * @brief Reads up to cap matching rows into rows[0..cap).
 * @param[in] r the repository
 * @param[in] s a session, or NULL for one of its own
 * @param[in] q what to select; NULL for every row, by id
 * @param[out] rows an array of cap structs of the model
 * @param[in] cap how many rows fit in rows
 * @param[out] n how many were read
 * @param[out] err optional: filled on failure
 * @return ZC_OK (also when no row matched: *n is 0); ZC_EINVAL for a bad query.
 * @note Members the model does not map are never written. The mapped members of
 *       rows[*n..cap) may have been: large reads stage values there.
 */
ZC_API int zc_repo_find(zc_repo *r, zc_session *s, const zc_query *q, void *rows, size_t cap,
                        size_t *n, zc_error *err);
/** @brief Counts matching rows. */
ZC_API int zc_repo_count(zc_repo *r, zc_session *s, const char *where, const zc_value *params,
                         size_t nparams, int64_t *out, zc_error *err);
/** @brief ZC_OK if a row matches, ZC_NOT_FOUND if none. */
ZC_API int zc_repo_exists(zc_repo *r, zc_session *s, const char *where, const zc_value *params,
                          size_t nparams, zc_error *err);

/**
 * @brief Opens a streaming cursor over matching rows, inside session s (required).
 * @param[in] r the repository
 * @param[in] s the session the cursor reads in; not NULL
 * @param[in] q what to select; NULL for every row, by id. Copied with its values:
 *            nothing of it needs to outlive the call
 * @param[out] out the cursor, NULL on failure; close it with zc_cursor_close()
 * @param[out] err optional: filled on failure
 * @note The cursor holds a rowset of rows at a time, not the whole result. Close it
 *       before the session's next statement on the same query, and before the session.
 */
ZC_API int zc_repo_cursor(zc_repo *r, zc_session *s, const zc_query *q, zc_cursor **out,
                          zc_error *err);
/** @brief Reads the next row into row: ZC_OK, ZC_NOT_FOUND after the last, or an error. */
ZC_API int zc_cursor_next(zc_cursor *c, void *row, zc_error *err);
/** @brief Closes the cursor; no-op on NULL; sets *c to NULL. */
ZC_API void zc_cursor_close(zc_cursor **c);

#ifdef __cplusplus
}
#endif
#endif
