/* SPDX-License-Identifier: MIT */
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
#include <sys/socket.h>
#include <sys/types.h>

#include <sql.h>
#include <sqlext.h>

#include "zodiac/zodiac.h"

#define ZC__MAX_SECRETS 4

/* A node of an intrusive doubly linked list, the first member of what it links; a
   list is a pointer to its first node. */
typedef struct zc__node {
    struct zc__node *next, *prev;
} zc__node;

static inline void zc__list_push(zc__node **head, zc__node *n)
{
    n->prev = NULL;
    n->next = *head;
    if (*head)
        (*head)->prev = n;
    *head = n;
}

static inline void zc__list_remove(zc__node **head, zc__node *n)
{
    if (n->prev)
        n->prev->next = n->next;
    else if (*head == n)
        *head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    n->next = n->prev = NULL;
}

/* ---- error.c ---------------------------------------------------------- */

/* Fills err (if any) with status and a formatted message; returns status. */
int zc__err(zc_error *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

struct zc__db;

/* After a failed connect: the SQLSTATE that says what kind of failure it was, where the
   driver's does not (28000 for a refused login, IM003 for a driver that cannot be loaded,
   3D000 for a database that does not exist, 08001 otherwise). */
void zc__connect_error_state(zc_error *err, const struct zc__db *db);

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
const char *zc__dialect_column_type(int dialect, int type, size_t size, char *buf, size_t n);
const char *zc__dialect_int_pk(int dialect);
int zc__dialect_has_if_not_exists(int dialect);
int zc__dialect_transactional_ddl(int dialect);
enum { ZC__KEY_NONE = 0, ZC__KEY_RETURNING, ZC__KEY_SELECT };
int zc__dialect_key_method(int dialect);
/* 1 if a one-row INSERT … RETURNING id returns its row on this server (dialect.c). */
int zc__dialect_insert_returning(int dialect, const char *dbms_name, const char *dbms_version);
const char *zc__dialect_last_id_sql(int dialect);
int64_t zc__dialect_ts_unit(int dialect);
int zc__dialect_bulk_rows(int dialect, int ncols);
int zc__dialect_last_id_is_first(int dialect);
int zc__dialect_bulk_arrays(int dialect);
int zc__dialect_bulk_ts_as_text(int dialect);
int zc__dialect_double_as_text(int dialect);
struct zc__buf;
void zc__dialect_select_col(int dialect, int type, const char *name, struct zc__buf *out);
const char *zc__dialect_limit_sql(int dialect, int has_limit, int has_offset, int *offset_first);
/* SQL type used to bind a UUID passed as 36 characters of text. */
SQLSMALLINT zc__dialect_uuid_sqltype(int dialect);
/* 1 if the driver manager's reuse of a pooled connection already proves it alive (the
   driver answers SQL_ATTR_CONNECTION_DEAD by asking the server), or it cannot die. */
int zc__dialect_reuse_checks_liveness(int dialect);
/* The query that gives the server's id of the connection (backend pid, connection id). */
const char *zc__dialect_server_id_sql(int dialect);
/* The query (a printf format taking that id as %ld) that cancels its running statement
   from another connection; NULL when the dialect has none. */
const char *zc__dialect_cancel_sql(int dialect);
/* The query that gives this connection's local port as the server sees it. */
const char *zc__dialect_client_port_sql(int dialect);
/* 1 if a fetch reads the timestamp column as text (see dialect.c). */
int zc__dialect_ts_as_text(int dialect, int nullable);
/* The query that gives the largest statement the server takes, NULL if none. */
const char *zc__dialect_max_packet_sql(int dialect);
/* 1 and the driver's connection attributes that make one statement stream (see dialect.c),
   either pointer NULL when not wanted; 0 when the driver cannot. */
int zc__dialect_stream_attrs(int dialect, SQLINTEGER *on, SQLINTEGER *rows);
/* Where the dialect's driver reads the server's host and port, and the default port. */
void zc__dialect_server_keys(int dialect, const char **host_keys, const char **port_key,
                             int *default_port);

/* ---- link.c: the physical connection under a session -------------------- */

/* A session's physical connection: the driver's handle for it and its socket. */
typedef struct zc__link {
    void *drv;     /* SQLGetInfo(SQL_DRIVER_HDBC); NULL if the driver manager would not say */
    int fd;        /* its socket, -1 when not known */
    dev_t dev;     /* the socket's identity, so a reused descriptor number is never cut */
    ino_t ino;
} zc__link;

/* What zc__link_attach found: a connection made just now, a known one whose socket shows
   nothing (alive), one whose socket is readable or hung up (the server spoke or left while
   it was idle), or one seen before whose socket zodiac could not tell. */
enum { ZC__LINK_NEW = 0, ZC__LINK_ALIVE, ZC__LINK_SUSPECT, ZC__LINK_UNKNOWN };

/* How to find a new connection's socket: the server's addresses, and a query for the
   connection's local port as the server sees it when two sockets are candidates. */
typedef struct zc__link_probe {
    const struct sockaddr_storage *endpoints;
    int nendpoints;
    int (*client_port)(void *arg, SQLHDBC dbc);
    void *arg;
} zc__link_probe;

/* Which physical connection dbc holds now, and what its socket says (ZC__LINK_*). */
int zc__link_attach(const zc__link_probe *probe, SQLHDBC dbc, zc__link *out);
/* A descriptor of the link's own for its socket (closed by the caller), -1 when the link's
   socket is not known: shutting it down both ways makes the driver's blocked call return
   with a lost connection, and it cannot be closed and reused under the watchdog. */
int zc__link_dup(const zc__link *l);
/* The server's id for the link's connection (zc__dialect_server_id_sql), 0 if not learned. */
long zc__link_server_id(const zc__link *l);
void zc__link_set_server_id(const zc__link *l, long id);
/* Resolves "h1,h2" and "p1,p2" (one port for all, or none: default_port) into at most cap
   TCP addresses; local-socket hosts are skipped. Returns how many. */
int zc__link_endpoints(const char *hosts, const char *ports, int default_port,
                       struct sockaddr_storage *out, int cap);
void zc__link_atfork_prepare(void);
void zc__link_atfork_parent(void);
void zc__link_atfork_child(void);

/* ---- watch.c: deadlines on calls that wait for a server ------------------- */

enum { ZC__WATCH_IDLE = 0, ZC__WATCH_ARMED, ZC__WATCH_CANCELLING, ZC__WATCH_CANCELLED,
       ZC__WATCH_CUTTING, ZC__WATCH_CUT };
/* What is watched: a statement (cancelled at the deadline, cut a grace period later), or
   a COMMIT / ROLLBACK (cut at the deadline). */
enum { ZC__WATCH_STATEMENT = 1, ZC__WATCH_END = 2 };

struct zc__cancel;
typedef struct zc__watch {
    /* set by the session before zc__watch_arm, read by the watchdog while armed */
    int dialect;
    SQLHSTMT cancel_h;  /* SQLite: an idle statement of the session's connection */
    long server_id;     /* PostgreSQL backend pid / MariaDB connection id; 0 unknown */
    const char *conn;   /* the connection string a canceller connects with */
    int cut_fd;         /* zc__link_dup of the session's link, or -1 */
    int armed;          /* the session's own: between zc__watch_arm and zc__watch_disarm */
    /* the watchdog's, guarded by its lock */
    int state, kind, fired;
    double deadline, cut_at;
    struct zc__cancel *cancel;
    zc__node node;        /* on the watchdog's list while armed */
} zc__watch;

/* Arms w for ms milliseconds from now (kind ZC__WATCH_*). */
void zc__watch_arm(zc__watch *w, int kind, double ms);
/* Disarms w after the call returned: 0 if the deadline did not pass, ZC__WATCH_CANCELLED
   if the statement was cancelled, ZC__WATCH_CUT if the link was cut. */
int zc__watch_disarm(zc__watch *w);
/* Ends the watchdog thread when nothing is armed (zc_db_shutdown), after waiting a
   little for cancellers in flight. */
void zc__watch_shutdown(void);
void zc__watch_atfork_prepare(void);
void zc__watch_atfork_parent(void);
void zc__watch_atfork_child(void);

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
    int open_peak;       /* most admitted at once */
    int refs;            /* 1 for the registry while listed + 1 per session/repo */
    int listed;

    /* driver manager facts, read at setup */
    char driver[256];
    char driver_path[256];   /* the driver's library, from odbcinst.ini */
    int driver_dialect;      /* what that library serves, ZC_DIALECT_UNKNOWN if unsure */
    int dm_pooling_enabled, cp_timeout, threading;
    char options_added[256]; /* "Key=Value;…" that apply_driver_options appended */

    /* dialect facts, read at first connect */
    int connected;
    int dialect;
    int insert_returning; /* zc__dialect_insert_returning; read after dialect is set */
    char dbms_name[64], dbms_version[64], driver_name[64], driver_version[64], quote[4];
    long max_packet;      /* the server's largest statement in bytes, 0 if unknown (atomic) */

    /* Replica links, by name (guarded by the registry lock): a replica names its
       primary; a primary lists its replicas and where round-robin starts next. */
    int is_replica;      /* also read atomically without the lock */
    char primary[ZC_DB_NAME_MAX + 1];
    char replicas[ZC_REPLICAS_MAX][ZC_DB_NAME_MAX + 1];
    int nreplicas;
    unsigned rr;
    double down_until_ms; /* a replica that failed is skipped until then (guarded by mu) */

    /* Disconnected connection handles kept for the next session (guarded by mu):
       see zc__db_take_dbc. At most max_sessions. */
    SQLHDBC *idle_dbc;
    int nidle;

    /* The server's addresses, for finding a new connection's socket (link.c): resolved
       once under mu at the first connect, read without it once endpoints_done (atomic). */
    struct sockaddr_storage endpoints[8];
    int nendpoints;
    int endpoints_done;

    /* In a forked child: the connection string with the process's mark (zc__db_conn). */
    char *conn_fork;
    unsigned conn_fork_gen;

    /* Open sessions (zc__track), when opts.track_sessions (guarded by mu). */
    zc__node *tracked;

    struct zc__db *next;
} zc__db;

/* Where a session was opened (zc_db_options.track_sessions). */
typedef struct zc__track {
    zc__node node;
    double opened_ms;
    void *frames[12];
    int nframes;
} zc__track;

/* Bumped in a child by fork(): sessions opened under another value belong to an ancestor. */
unsigned zc__fork_gen(void);
/* The connection string this process connects with: in a forked child it carries a mark
   of the child's generation, so that the driver manager never hands the child a pooled
   connection of its parent (the pool key is the string). */
const char *zc__db_conn(zc__db *db);
/* How link.c finds a new connection's socket on this database. */
void zc__db_probe(zc__db *db, zc__link_probe *out);
/* Records / forgets an open session (opts.track_sessions). */
void zc__db_track(zc__db *db, zc__track *t);
void zc__db_untrack(zc__db *db, zc__track *t);

/* Looks a database up and takes a reference; ZC_ENODB if absent. */
int zc__db_acquire(const char *name, zc__db **out, zc_error *err);
void zc__db_release(zc__db *db);
/* Takes one more reference on a database the caller already holds. */
void zc__db_retain(zc__db *db);
SQLHENV zc__db_env(void);
/* Waits for admission (pool_timeout_ms); ZC_ETIMEOUT when the wait runs out. */
int zc__db_admit(zc__db *db, zc_error *err);
void zc__db_leave(zc__db *db);
/*
 * A disconnected connection handle of db's environment for a new connection, kept
 * from an earlier session or allocated; NULL when none can be allocated. unixODBC
 * 2.3.11 opens two iconv converters (about 65 KB) for each connection handle and
 * loses them when it hands the handle a pooled connection; a handle connected again
 * opens no more. Freeing the handle after each session lost them every session
 * (and the scattered heap slowed later allocations): zodiac keeps its handles.
 */
SQLHDBC zc__db_take_dbc(zc__db *db);
/* Takes back a disconnected handle from zc__db_take_dbc (frees it if db has enough). */
void zc__db_give_dbc(zc__db *db, SQLHDBC dbc);
/* Records the dialect facts of a fresh connection (once per database). */
void zc__db_learn(zc__db *db, SQLHDBC dbc);
/* 1 if zodiac treats the database as read-only (it was declared a replica). */
int zc__db_is_replica(zc__db *db);
/* The same, by name; 0 when no such database is set up. */
int zc__db_name_is_replica(const char *name);
/* 1 if db is a replica of the database named primary. */
int zc__db_replica_of(zc__db *db, const char *primary);
/* The next healthy replica of home (round-robin) not yet in *tried, with a reference
   taken; NULL when none is left. Bit i of *tried stands for home's i-th replica. */
zc__db *zc__db_pick_replica(zc__db *home, unsigned *tried);
/* Marks a replica failed: routing skips it for its replica_retry_ms. */
void zc__db_replica_down(zc__db *db);

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

/*
 * The last timestamp read, as the text the driver gave and its value: rows inserted
 * together share their stamps, and rows of one day their date, so reads remember it.
 */
typedef struct zc__ts_memo {
    char in[32];
    size_t len;       /* of the text; 0: in holds an SQL_TIMESTAMP_STRUCT */
    zc_timestamp out;
    zc_timestamp day; /* midnight of the same date */
    int valid;
} zc__ts_memo;

typedef struct zc__stmt {
    struct zc_session *s;
    SQLHSTMT h;          /* NULL until first run on the current connection */
    int prepared;        /* SQLPrepare has run on h */
    int ran;             /* h has run the SQL (with SQLExecDirect until prepared) */
    char *sql;
    size_t sql_len;
    uint64_t hash;
    uint64_t last_use;
    int busy;            /* a zc_rows reads from it */

    zc__bind *params;    /* what is bound now (replayed after a reconnect) */
    zc__pbuf *pbufs;
    int nparams, cap_params;

    /* Bound result columns and array attributes, replayed after a reconnect. */
    zc__bind *cols;
    int ncols, cap_cols;
    SQLULEN row_bind_size, row_array_size; /* 0 = not set */
    SQLULEN *rows_fetched;
    SQLUSMALLINT *row_status;
    SQLULEN *row_offset; /* SQL_ATTR_ROW_BIND_OFFSET_PTR, or NULL */
    SQLULEN param_bind_size, paramset_size;
    SQLUSMALLINT *param_status;
    SQLULEN *params_processed;

    const void *owner;   /* what bound it (a repository's map), so binding happens once */
    void *rec;           /* memory the owner bound into, freed with the statement */
    zc__ts_memo memo;    /* of the one-row reads bound here */
    size_t rec_size;
} zc__stmt;

/* Finds the session's prepared statement for sql, preparing it if needed. */
int zc__stmt_get(struct zc_session *s, const char *sql, zc__stmt **out, zc_error *err);
/* SQL text made once, with what the statement caches look it up by. */
typedef struct zc__sql {
    char *text;
    size_t len;
    uint64_t hash;
} zc__sql;
/* Takes text (malloc'd, or NULL) into q and computes its length and hash. */
void zc__sql_set(zc__sql *q, char *text);
/* zc__stmt_get for text made with zc__sql_set: no hashing per call. */
int zc__stmt_get_sql(struct zc_session *s, const zc__sql *q, zc__stmt **out, zc_error *err);
/* Binds zc_values as the statement's parameters. */
int zc__stmt_bind_values(zc__stmt *st, const zc_value *v, size_t n, zc_error *err);
/* Executes; reconnects once per dead pooled connection when the session has run nothing. */
int zc__stmt_execute(zc__stmt *st, zc_error *err);
/* Binds parameter i (0-based) / result column i (0-based), keeping the binding for replay. */
int zc__stmt_bind_param(zc__stmt *st, int i, const zc__bind *b, zc_error *err);
int zc__stmt_bind_col(zc__stmt *st, int i, const zc__bind *b, zc_error *err);
/* Row-wise rowset binding for fetches: rows of row_size bytes, nrows per fetch. */
int zc__stmt_set_rowset(zc__stmt *st, SQLULEN row_size, SQLULEN nrows, SQLULEN *fetched,
                        SQLUSMALLINT *status, zc_error *err);
/* Row-wise parameter arrays: nsets parameter sets of rec_size bytes. */
int zc__stmt_set_paramset(zc__stmt *st, SQLULEN rec_size, SQLULEN nsets, SQLUSMALLINT *status,
                          SQLULEN *processed, zc_error *err);
/* Fetches the next rowset: ZC_OK, ZC_NOT_FOUND at the end, or an error. */
int zc__stmt_fetch(zc__stmt *st, zc_error *err);
/* Sets SQL_ATTR_ROW_BIND_OFFSET_PTR (NULL: none); zc__stmt_unbind clears it. */
int zc__stmt_set_row_offset(zc__stmt *st, SQLULEN *offset, zc_error *err);
/* Drops every binding (parameters, columns, array attributes) and the owner. */
void zc__stmt_unbind(zc__stmt *st);
/* Closes an open cursor so the statement can run again. */
void zc__stmt_close_cursor(zc__stmt *st);
/* Frees the ODBC handle (not the object); used before a disconnect. */
void zc__stmt_unprepare(zc__stmt *st);
void zc__stmt_free(zc__stmt *st);
/* Frees the object's memory only: its handle belongs to another process (fork). */
void zc__stmt_forget(zc__stmt *st);

/* ---- session.c --------------------------------------------------------- */

/*
 * An object that lives on a session and outlives it as a dead handle (a zc_cursor):
 * the session detaches it when it closes, after which its calls return ZC_ESTATE.
 */
typedef struct zc__child {
    zc__node node;
    void (*detach)(struct zc__child *);
} zc__child;

struct zc_session {
    zc__db *db;          /* whose connection the session holds (admitted there) */
    zc__db *home;        /* a routed session's primary (referenced), NULL otherwise */
    SQLHDBC dbc;
    unsigned gen;        /* zc__fork_gen() at open: only that process may use it */
    int connected;
    int in_txn;          /* a statement ran since the last commit/rollback */
    int broken;          /* the connection is known dead */
    int failed;          /* a statement of the transaction failed: it cannot commit */
    int read_replica;    /* a routed session ran a statement on a replica */
    int stmt_timeout_ms; /* 0: none */
    uint64_t tick;       /* statement-cache clock */

    zc__stmt **cache;
    int ncache, cap_cache;
    struct zc_rows *rows; /* the open zc_rows, if any */
    zc__node *children;   /* the open cursors (zc__child) */
    zc__link link;        /* the physical connection */
    zc__watch watch;      /* deadlines of its calls */
    zc__track track;      /* where it was opened (opts.track_sessions) */
};

/* ZC_OK if the session may be used here: not NULL, and opened by this process (a child
   of fork() gets ZC_ESTATE for its parent's sessions). */
int zc__session_check(const struct zc_session *s, const char *what, zc_error *err);
/* Before a write: a routed session on a replica moves to its primary (ZC_ERETRY when it
   had read on the replica); a session on a replica that is not routed gets ZC_EREADONLY. */
int zc__session_for_write(struct zc_session *s, const char *what, zc_error *err);
/* 1 if the session may do the work of a repository bound to db_name: it is on that
   database, routed from it, or on one of its replicas. */
int zc__session_serves(const struct zc_session *s, const char *db_name);
/* Reports a statement failure: marks the session broken on ZC_ECONN. */
int zc__session_fail(struct zc_session *s, SQLSMALLINT htype, SQLHANDLE h, const char *what,
                     zc_error *err);
/* The largest statement the session's server takes, in bytes; 0 if it has no such limit. */
long zc__session_max_packet(const struct zc_session *s);
/* 1 if the session's connection was lost (its transaction is gone). */
int zc__session_lost(const struct zc_session *s);
/* A statement ran (or failed) on the session's connection: its transaction is under way. */
void zc__session_ran(struct zc_session *s);
/* Around one blocking call: the session's statement deadline, if it has one. disarm
   returns status, or ZC_ETIMEOUT when the deadline passed before the call returned. */
void zc__session_arm(struct zc_session *s);
int zc__session_disarm(struct zc_session *s, int status, zc_error *err);
/* Statements run from now on read their result rows at a time (0: whole, the default),
   where the dialect's driver can (zc__dialect_stream_attrs). */
int zc__session_stream(struct zc_session *s, int rows, zc_error *err);
/* A cursor of the session: detached (and told so) when the session closes. */
void zc__session_adopt(struct zc_session *s, zc__child *c, void (*detach)(zc__child *));
void zc__session_disown(struct zc_session *s, zc__child *c);
/* Echo one statement if the database asks for it. */
void zc__session_echo(struct zc_session *s, const char *sql, double ms, int status);

/* ---- map.c: moving model structs in and out of ODBC ------------------------ */

enum { ZC__ROLE_FIELD = 0, ZC__ROLE_ID, ZC__ROLE_CREATED, ZC__ROLE_UPDATED };

typedef struct zc__col {
    const char *name;
    int type;                 /* ZC_FT_* */
    int role;                 /* ZC__ROLE_* */
    unsigned flags;
    size_t offset, size;      /* the member in the struct */
    size_t null_offset, len_offset;
    size_t ind_off;           /* SQLLEN indicator, in the record */
    size_t data_off;          /* where ODBC reads/writes the value, in the record */
    size_t text_off;          /* timestamps: where a fetch writes their text, in the record */
    int ts_text;              /* a timestamp fetched as text (zc__dialect_ts_as_text) */
    SQLSMALLINT ctype, sqltype, digits;
    SQLULEN colsize;
    SQLLEN buflen;
    size_t sh_ind, sh_data;   /* direct binding: indicator and staging in a shadow row */
} zc__col;

/*
 * A model's columns for one dialect, and the layout of a "record": the bytes
 * ODBC binds to for one row — an image of the struct, an indicator per column,
 * and staging for the types whose ODBC form differs (timestamps, UUIDs).
 * Row-wise binding needs every buffer of a row at the same stride, which the
 * caller's struct alone cannot give, so rows pass through records — except
 * reads of maps that allow direct binding (below, and repo.c find_direct).
 */
typedef struct zc__map {
    const zc_model *m;
    int dialect;
    zc__col *cols;            /* id, created_at, updated_at, then the model's fields */
    int ncols;
    size_t rec_size;
    /* 1 if a rowset can be fetched straight into an array of structs: every value
       but timestamps has the struct's own form, and a "shadow" row of the
       struct's size holds the indicators and timestamp staging (same stride) */
    int direct;
    struct { size_t off, len; } *runs; /* the struct's mapped bytes, merged (zc__map_copy) */
    int nruns;
    int shadow_in_row;   /* the shadow's bytes are all mapped members (find_direct) */
    int has_bit;              /* some column is fetched as SQL_C_BIT (zc__map_preset_bits) */
} zc__map;

int zc__map_make(const zc_model *m, int dialect, zc__map **out, zc_error *err);
void zc__map_free(zc__map *map);
/* Writes column i of a row to dst (col->buflen bytes) and its indicator, checking it. */
int zc__map_put(const zc__map *map, int i, const void *row, unsigned char *dst, SQLLEN *ind,
                zc_error *err);
/* Bytes of "YYYY-MM-DD HH:MM:SS.ffffff" and its NUL, rounded up. */
#define ZC__TS_SQL_TEXT 32
/* The last timestamp formatted as SQL text: rows of one batch share their stamps. */
typedef struct zc__ts_text_memo {
    zc_timestamp ts;
    char text[ZC__TS_SQL_TEXT];
    int valid;
} zc__ts_text_memo;
/*
 * Writes timestamp column i of a row as SQL text (ZC__TS_SQL_TEXT bytes at dst)
 * and its indicator; memo keeps the last value formatted.
 */
int zc__map_put_ts_text(const zc__map *map, int i, const void *row, char *dst, SQLLEN *ind,
                        zc__ts_text_memo *memo, zc_error *err);
/* Copies a row into a record for columns [from, to) and checks it (ZC_ETRUNC, ZC_EINVAL). */
int zc__map_pack(const zc__map *map, const void *row, unsigned char *rec, int from, int to,
                 zc_error *err);
/* Copies a fetched record into a row for columns [from, to), converting and checking. */
int zc__map_unpack(const zc__map *map, const unsigned char *rec, void *row, int from, int to,
                   zc_error *err);
/* zc__map_unpack, remembering the last timestamp conversion across calls in *memo. */
int zc__map_unpack_memo(const zc__map *map, const unsigned char *rec, void *row, int from,
                        int to, zc__ts_memo *memo, zc_error *err);
/*
 * Sets the indicator of every SQL_C_BIT column of nrows rows to the value's size,
 * before a fetch: records at base (stride rec_size), or shadow rows (direct).
 */
void zc__map_preset_bits(const zc__map *map, unsigned char *base, size_t nrows, int direct);
/* Copies the members the model maps (values, NULL flags, lengths) from src to dst. */
void zc__map_copy(const zc__map *map, void *dst, const void *src);
/* Direct binding: column c of the struct at row, or of the shadow row at shadow. */
void zc__map_bind_direct(const zc__map *map, int c, unsigned char *row, unsigned char *shadow,
                         zc__bind *out);
/* Checks a row fetched by direct binding and converts what needs it (timestamps). */
int zc__map_finish_direct(const zc__map *map, const unsigned char *shadow, void *row,
                          zc__ts_memo *memo, zc_error *err);
/* The binding of column c of record 0 at base (stride: rec_size), as a parameter. */
void zc__map_bind_of(const zc__map *map, int c, unsigned char *base, zc__bind *out);
/* The same as a result column: timestamps are fetched as their text (see map.c). */
void zc__map_bind_result(const zc__map *map, int c, unsigned char *base, zc__bind *out);

/* ---- text building (ddl.c) --------------------------------------------- */

typedef struct zc__buf {
    char *p;
    size_t len, cap;
    int oom;
} zc__buf;

void zc__buf_add(zc__buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void zc__buf_free(zc__buf *b);

/* ---- query.c: checking the SQL callers write -------------------------------- */

/* A WHERE fragment: names must be the map's columns, values `?` (exactly nparams). */
int zc__where_check(const zc__map *map, const char *where, size_t nparams, zc_error *err);
#define ZC__ORDER_MAX 8
typedef struct zc__order {
    int n;
    int col[ZC__ORDER_MAX]; /* index in map->cols */
    int desc[ZC__ORDER_MAX];
} zc__order;
/* An ORDER BY list of the map's columns; appends the normalised clause to out and,
   when keys is not NULL, the columns and directions to keys. */
int zc__order_check(const zc__map *map, const char *order, zc__buf *out, zc__order *keys,
                    zc_error *err);

/* ---- model.c: the calendar (proleptic Gregorian, UTC, no TZ) ------------ */

typedef struct zc__civil {
    int64_t year;
    int month, day, hour, minute, second, usec; /* 1-12, 1-31, 0-23, 0-59, 0-59, 0-999999 */
} zc__civil;

/* Splits any timestamp into fields (no range check: the year may be outside 1..9999). */
void zc__ts_split(zc_timestamp ts, zc__civil *out);
/* Joins fields; ZC_EINVAL when one is out of range (Feb 30, second 60) or the year is
   outside 1..9999. */
int zc__ts_join(const zc__civil *c, zc_timestamp *out);

/* ---- value.c ----------------------------------------------------------- */

/* ZC_EINVAL outside ZC_TIMESTAMP_MIN..ZC_TIMESTAMP_MAX. */
int zc__ts_to_odbc(zc_timestamp ts, SQL_TIMESTAMP_STRUCT *out);
int zc__ts_from_odbc(const SQL_TIMESTAMP_STRUCT *in, zc_timestamp *out);
void zc__uuid_to_text(const zc_uuid *u, char out[37]);

/* A double as text that converts back to the same double ("%.17g"); returns its length. */
int zc__double_text(double d, char *out, size_t n);

/* 1 when text[0..n) is well-formed UTF-8 (no overlong forms, surrogates or code points
   past U+10FFFF): text reaches every backend as UTF-8, and each refuses bad bytes its
   own way (or, SQLite, stores them), so zodiac refuses them first with ZC_EINVAL. */
int zc__utf8_valid(const char *text, size_t n);

double zc__now_ms(void);

#endif
