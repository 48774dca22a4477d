/* SPDX-License-Identifier: MIT */
/**
 * @file db.h
 * @brief The registry of named databases (the seed's DatabaseManager).
 *
 * One process-wide registry holds every database the program uses, each under
 * a name (ZC_DEFAULT_DB unless told otherwise) with its connection string and
 * options. All databases share one ODBC environment, so the unixODBC driver
 * manager pools their physical connections (when odbcinst.ini says
 * `[ODBC] Pooling=Yes`; see zc_db_get_info()). zodiac adds an admission limit per
 * database: at most pool_size + max_overflow sessions open at once.
 *
 * @note Every function here is thread-safe.
 */
#ifndef ZODIAC_DB_H
#define ZODIAC_DB_H

#include "error.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The name a database gets when none is given. */
#define ZC_DEFAULT_DB "default"

/** Longest database name, NUL excluded. */
#define ZC_DB_NAME_MAX 63
/** Longest connection string accepted, NUL excluded: the driver manager's pool key. */
#define ZC_CONN_STR_MAX 1023

/** pre_ping values. */
enum {
    ZC_PING_OFF = 0,    /**< a dead pooled connection fails the session's first statement */
    ZC_PING_LAZY = 1,   /**< a pooled connection the server closed while it was idle is
                             replaced when the session opens, found from its socket without a
                             round trip where zodiac knows the socket (a validation query
                             otherwise); a statement is never sent twice */
    ZC_PING_ALWAYS = 2  /**< a validation query runs when the session opens */
};

/** Options of one database. Zero-filled fields take the documented defaults. */
typedef struct zc_db_options {
    int pool_size;       /**< sessions expected at once (default 5) */
    int max_overflow;    /**< extra sessions allowed above pool_size (default 10; -1 = 0) */
    int pool_timeout_ms; /**< how long zc_session_open waits for admission (default 30000) */
    int login_timeout_s; /**< SQL_ATTR_LOGIN_TIMEOUT for new connections (default 15) */
    int echo;            /**< log every statement and its time through zc_set_log() */
    int pre_ping;        /**< ZC_PING_*; see above */
    int replica_retry_ms; /**< for a replica (zc_db_add_replica()): how long it is skipped
                               after it failed to connect (default 5000; -1 = retry at once) */
    int statement_timeout_ms; /**< longest a statement may run (its execution and each
                                   fetch) before zodiac stops it: the call returns ZC_ETIMEOUT
                                   and the transaction cannot commit. 0 (default): no limit.
                                   zc_session_set_timeout() changes it for one session */
    int commit_timeout_ms; /**< longest zodiac waits for the answer to COMMIT or ROLLBACK
                                (the one at zc_session_close() included); then it closes the
                                connection: a commit returns ZC_ECONN, "outcome unknown".
                                0 (default): no limit */
    int track_sessions;  /**< debugging: remember where each open session was opened
                              (zc_db_sessions()), and name the oldest in the message of an
                              admission timeout */
} zc_db_options;

/** The defaults, as an initializer. */
#define ZC_DB_OPTIONS_DEFAULT { 5, 10, 30000, 15, 0, ZC_PING_LAZY, 5000, 0, 0, 0 }

/** What zodiac calls the DBMS behind a database. */
enum {
    ZC_DIALECT_UNKNOWN = 0,    /**< not connected yet */
    ZC_DIALECT_SQLITE = 1,
    ZC_DIALECT_POSTGRESQL = 2,
    ZC_DIALECT_MYSQL = 3,      /**< MariaDB and MySQL */
    ZC_DIALECT_ANSI = 4        /**< any other ODBC backend: conservative SQL */
};

/**
 * @brief Registers a database under a name.
 * @param[in] name the name, 1..ZC_DB_NAME_MAX ASCII letters, digits, '_', '-' or '.';
 *            NULL means ZC_DEFAULT_DB. Copied.
 * @param[in] conn_str a DSN name (`mydsn`), `DSN=…;UID=…;PWD=…`, or a DSN-less
 *            `Driver={…};…` string; at most ZC_CONN_STR_MAX bytes. Copied; it is
 *            the driver manager's pool key, used byte for byte.
 * @param[in] opts options, or NULL for ZC_DB_OPTIONS_DEFAULT.
 * @param[out] err optional (NULL allowed): filled on failure
 * @return ZC_OK; ZC_EINVAL for a bad name, a malformed connection string, bad
 *         options, or a name already set up (call zc_db_remove() first to replace);
 *         ZC_ENOMEM; ZC_EDRIVER if the ODBC environment cannot be made.
 * @note No connection is made here; the first session connects and reads the
 *       dialect facts (see zc_db_get_info()).
 */
ZC_API int zc_db_setup(const char *name, const char *conn_str, const zc_db_options *opts,
                       zc_error *err);

/**
 * @brief Removes a database from the registry.
 * @param[in] name the database, NULL for ZC_DEFAULT_DB
 * @param[out] err optional: filled on failure
 * @return ZC_OK or ZC_ENODB.
 * @note Sessions already open on it stay valid; it is freed when the last closes.
 */
ZC_API int zc_db_remove(const char *name, zc_error *err);

/**
 * @brief Declares database replica a read replica of database primary.
 *
 * Both must be set up. From then on replica is read-only for zodiac: repository
 * writes on it are refused with ZC_EREADONLY before they reach the server. Routed
 * sessions and repositories (zc_session_open_routed(), zc_repo_open_routed()) of
 * primary read from its replicas in turn (round-robin), skip a replica whose
 * connection fails for its replica_retry_ms, and fall back to primary when no replica
 * is healthy. A primary may have up to ZC_REPLICAS_MAX replicas; a replica has one
 * primary and no replicas of its own.
 * @param[in] primary the primary's name, NULL for ZC_DEFAULT_DB
 * @param[in] replica the replica's name (set up with zc_db_setup() like any database)
 * @param[out] err optional: filled on failure
 * @return ZC_OK; ZC_ENODB when either is not set up; ZC_EINVAL for the same name twice,
 *         a replica that already has a primary or replicas, or too many replicas.
 * @note zc_db_remove() of either undoes the link.
 */
ZC_API int zc_db_add_replica(const char *primary, const char *replica, zc_error *err);
/** Most replicas one primary may have. */
#define ZC_REPLICAS_MAX 8

/**
 * @brief Returns ZC_OK if a database of that name is set up, ZC_ENODB if not.
 * @param[in] name the database, NULL for ZC_DEFAULT_DB
 */
ZC_API int zc_db_exists(const char *name);

/** What zodiac knows of a database: configuration, driver manager and DBMS facts. */
typedef struct zc_db_info {
    char name[ZC_DB_NAME_MAX + 1];      /**< the name it was set up under */
    char conn_str[ZC_CONN_STR_MAX + 1]; /**< with password values masked */
    zc_db_options options;              /**< effective options */
    char driver[256];        /**< the driver's odbcinst.ini name (or path), "" if unknown */
    int dm_pooling;          /**< 1 if the driver manager pools this database's connections:
                                  [ODBC] Pooling=Yes and the driver's CPTimeout > 0 */
    int dm_pooling_enabled;  /**< 1 if odbcinst.ini has [ODBC] Pooling=Yes */
    int cp_timeout;          /**< the driver's CPTimeout in seconds, -1 if not set */
    int threading;           /**< the driver's Threading level, -1 if not set */
    int sessions_open;       /**< sessions open now */
    int sessions_max;        /**< pool_size + max_overflow */
    int sessions_peak;       /**< most sessions open at once since zc_db_setup() */
    int connected;           /**< 1 once a session has connected: the fields below are set */
    int dialect;             /**< ZC_DIALECT_* */
    char dbms_name[64];      /**< SQL_DBMS_NAME, e.g. "PostgreSQL", "MariaDB", "SQLite" */
    char dbms_version[64];   /**< SQL_DBMS_VER */
    char driver_name[64];    /**< SQL_DRIVER_NAME, e.g. "psqlodbcw.so" */
    char driver_version[64]; /**< SQL_DRIVER_VER */
    char quote[4];           /**< SQL_IDENTIFIER_QUOTE_CHAR */
    char primary[ZC_DB_NAME_MAX + 1]; /**< for a replica: its primary's name; "" otherwise */
    int replicas;            /**< for a primary: how many replicas it has */
    int replicas_healthy;    /**< of those, how many are not being skipped after a failure */
    char options_recommended[256]; /**< the options zodiac recommends for this database's
                                        driver, "Key=Value;…" (docs/drivers.md); "" when it
                                        does not know the driver */
    char options_added[256]; /**< those of them the connection string and the DSN did not
                                  set, which zodiac appended to the connection string */
} zc_db_info;

/**
 * @brief Fills *out with what zodiac knows of a database.
 * @param[in] name the database, NULL for ZC_DEFAULT_DB
 * @param[out] out a copy, owned by the caller (no pointers into zodiac's memory)
 * @param[out] err optional: filled on failure
 * @return ZC_OK, ZC_ENODB, or ZC_EINVAL when out is NULL.
 */
ZC_API int zc_db_get_info(const char *name, zc_db_info *out, zc_error *err);

/**
 * @brief Receives one open session of zc_db_sessions().
 * @param ud the pointer given to zc_db_sessions()
 * @param age_ms how long the session has been open
 * @param opened_at the call stack of zc_session_open() (innermost first, " < " between
 *        frames, as backtrace_symbols() names them); valid only during the call
 */
typedef void (*zc_session_report_fn)(void *ud, double age_ms, const char *opened_at);

/**
 * @brief Lists the sessions open on a database and where each was opened: what finds a
 *        session that was never closed and holds its admission slot.
 * @param[in] name the database, NULL for ZC_DEFAULT_DB
 * @param[in] fn called once per open session, newest first, with the database's lock held
 *            (it must not call zodiac)
 * @param[in] ud passed to fn
 * @param[out] err optional: filled on failure
 * @return how many sessions were reported (>= 0); ZC_ENODB; ZC_EINVAL when fn is NULL;
 *         ZC_ESTATE when the database was not set up with track_sessions.
 * @note With track_sessions, zc_session_open() records its caller's stack (glibc's
 *       backtrace(), a few microseconds), and an admission timeout names the oldest open
 *       session. Function names show when the program is linked with -rdynamic.
 */
ZC_API int zc_db_sessions(const char *name, zc_session_report_fn fn, void *ud, zc_error *err);

/**
 * @brief Creates the tables (and their indexes) of the models that do not exist yet.
 * @param[in] name the database, NULL for ZC_DEFAULT_DB
 * @param[in] models n models, each validated first (ZC_EINVAL names the problem)
 * @param[in] n how many models
 * @param[out] err optional: filled on failure
 * @return ZC_OK; running it again is harmless. ZC_ENODB for an unknown name; the
 *         statuses of zc_session_open() and zc_session_exec() when the DDL fails.
 * @note One transaction on PostgreSQL and SQLite; MariaDB commits every DDL
 *       statement on its own, so a failure there can leave earlier tables created.
 */
ZC_API int zc_db_create_all(const char *name, const zc_model *const *models, size_t n,
                            zc_error *err);

/**
 * @brief Drops the models' tables if they exist (in reverse order).
 * @param[in] name the database, NULL for ZC_DEFAULT_DB
 * @param[in] models n models, each validated first
 * @param[in] n how many models
 * @param[out] err optional: filled on failure
 * @return as zc_db_create_all().
 */
ZC_API int zc_db_drop_all(const char *name, const zc_model *const *models, size_t n,
                          zc_error *err);

/**
 * @brief The DDL zc_db_create_all() would run for a dialect, without running it.
 * @param[in] dialect ZC_DIALECT_SQLITE, _POSTGRESQL, _MYSQL or _ANSI
 * @param[in] models n models, each validated first
 * @param[in] n how many models
 * @param[out] out NUL-terminated text, statements ended by ";\n", owned by the caller:
 *             free it with zc_free(); NULL on failure
 * @param[out] err optional: filled on failure
 * @return ZC_OK; ZC_EINVAL for a bad model, dialect or NULL out; ZC_ENOMEM.
 * @note Needs no database and no connection.
 */
ZC_API int zc_ddl_text(int dialect, const zc_model *const *models, size_t n, char **out,
                       zc_error *err);

/**
 * @brief Frees memory zodiac returned to the caller (zc_ddl_text). No-op on NULL.
 * @param[in] p what zodiac returned; not usable afterwards
 */
ZC_API void zc_free(void *p);

/**
 * @brief Removes every database and frees the ODBC environment once no
 *        session uses it.
 * @note Safe to call more than once and with sessions still open (they stay
 *       usable until closed). zc_db_setup() may be called again afterwards.
 *       Repositories keep their database's name: close them before, or set the
 *       name up again before using them.
 */
ZC_API void zc_db_shutdown(void);

#ifdef __cplusplus
}
#endif
#endif
