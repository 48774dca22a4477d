/**
 * @file repo.h
 * @brief Repositories: a model bound to a named database (the seed's BaseSQLRepository).
 *
 * A repository's operations are prepared statements whose parameters and
 * result columns are bound to the caller's structs through the model
 * descriptor. Each takes an optional session: NULL means "open a session on
 * the repository's database, do the work, commit, close" (the seed's
 * `async with self.session()`); with a session, the work joins its
 * transaction and the caller commits.
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

typedef struct zc_repo zc_repo;
typedef struct zc_cursor zc_cursor;

/** What zc_repo_find() and zc_repo_cursor() select. Zero-initialize, then set what you need. */
typedef struct zc_query {
    const char *where;       /**< fragment after WHERE, or NULL for all rows */
    const zc_value *params;  /**< its `?` values */
    size_t nparams;
    const char *order_by;    /**< "column [ASC|DESC][, …]" of model columns, or NULL for id */
    int64_t limit;           /**< at most this many rows; 0 = no limit */
    int64_t offset;          /**< skip this many rows first */
} zc_query;

/**
 * @brief Opens a repository of model m on database db_name (NULL: ZC_DEFAULT_DB).
 * @return ZC_OK; ZC_EINVAL for an invalid model; ZC_ENODB when no such database is set up.
 * @note The model must outlive the repository; the name is copied.
 */
ZC_API int zc_repo_open(const zc_model *m, const char *db_name, zc_repo **out, zc_error *err);
/** @brief Frees the repository; no-op on NULL; sets *r to NULL. */
ZC_API void zc_repo_close(zc_repo **r);

/**
 * @brief Inserts a row: fills a generated int id (or a v4 UUID when the id is nil), and
 *        sets created_at and updated_at to now (at the precision the backend keeps).
 * @return ZC_OK; ZC_ECONSTRAINT; ZC_ETRUNC for text not NUL-terminated within its member.
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
 * @param[out] n how many were read
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
