/* SPDX-License-Identifier: MIT */
/*
 * db: the process-wide registry of named databases (the DatabaseManager),
 * the one ODBC environment, connection-string validation, admission limits.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <odbcinst.h>

#include "internal.h"

static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static zc__db *reg_head;
static SQLHENV reg_env;
static int reg_alive; /* databases not yet freed (listed or still referenced) */
/* With driver-manager pooling the environment is kept for the process's life: pooled
   connections outlive it, and unixODBC 2.3.11 then reads freed memory (valgrind; a
   crash with psqlODBC) when a new environment's connect meets a dead one of them
   (tests/check_fault.c run with CK_FORK=no, docs/reliability.md). */
static int reg_env_keep;
/* fork() handlers, registered at the first zc_db_setup (see "fork()" below) */
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static void atfork_register(void);

/* ---- connection strings ---------------------------------------------- */

static int is_secret_key(const char *k, size_t n)
{
    return (n == 3 && !strncasecmp(k, "PWD", 3)) || (n == 8 && !strncasecmp(k, "PASSWORD", 8));
}

/* Once a piece does not fit, *len stays at size and every later append fails too. */
static int append(char *dst, size_t size, size_t *len, const char *src, size_t n)
{
    if (*len + n >= size) {
        *len = size;
        return -1;
    }
    memcpy(dst + *len, src, n);
    *len += n;
    dst[*len] = '\0';
    return 0;
}

void zc__connstr_free(zc__connstr *cs)
{
    for (int i = 0; i < cs->nsecrets; i++)
        free(cs->secrets[i]);
    cs->nsecrets = 0;
}

/*
 * ODBC connection-string grammar: attributes `key=value` separated by `;`;
 * a value in braces may hold `;` and `=`, with `}}` standing for `}`. A bare
 * word (no `=`, no `;`) is a DSN name.
 */
int zc__connstr_parse(const char *in, zc__connstr *out, zc_error *err)
{
    size_t n, mlen = 0;
    const char *p, *end;

    memset(out, 0, sizeof *out);
    if (!in)
        return zc__err(err, ZC_EINVAL, "connection string is NULL");
    n = strlen(in);
    if (n == 0)
        return zc__err(err, ZC_EINVAL, "connection string is empty");
    if (n > ZC_CONN_STR_MAX)
        return zc__err(err, ZC_EINVAL,
                       "connection string is %zu bytes; at most %d are accepted (it is the "
                       "driver manager's pool key)", n, ZC_CONN_STR_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f)
            return zc__err(err, ZC_EINVAL, "connection string has a control character at byte %zu", i);

    if (!strchr(in, '=') && !strchr(in, ';')) {
        if (strpbrk(in, "{}[](),?*!@ "))
            return zc__err(err, ZC_EINVAL, "'%s' is not a valid DSN name", in);
        if (n + 4 > ZC_CONN_STR_MAX)
            return zc__err(err, ZC_EINVAL, "DSN name too long");
        memcpy(out->conn, "DSN=", 4);
        memcpy(out->conn + 4, in, n + 1);
        memcpy(out->masked, out->conn, n + 5);
        if (n >= sizeof out->dsn)
            return zc__err(err, ZC_EINVAL, "DSN name too long");
        memcpy(out->dsn, in, n + 1);
        return ZC_OK;
    }

    memcpy(out->conn, in, n + 1);
    p = in;
    end = in + n;
    while (p < end) {
        const char *k, *ke, *v, *ve, *next;
        int braced = 0;

        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p < end && *p == ';') {
            p++;
            continue;
        }
        if (p >= end)
            break;
        k = p;
        while (p < end && *p != '=' && *p != ';')
            p++;
        if (p >= end || *p == ';') {
            zc__connstr_free(out);
            return zc__err(err, ZC_EINVAL, "connection string: attribute '%.*s' has no '='",
                           (int)(p - k > 40 ? 40 : p - k), k);
        }
        ke = p;
        while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
            ke--;
        if (ke == k) {
            zc__connstr_free(out);
            return zc__err(err, ZC_EINVAL, "connection string: '=' without a name at byte %zu",
                           (size_t)(p - in));
        }
        for (const char *c = k; c < ke; c++)
            if (strchr("{}[](),;?*=!@", *c)) {
                zc__connstr_free(out);
                return zc__err(err, ZC_EINVAL, "connection string: bad character '%c' in "
                               "attribute name", *c);
            }
        p++; /* '=' */
        if (p < end && *p == '{') {
            braced = 1;
            v = ++p;
            for (;;) {
                if (p >= end) {
                    zc__connstr_free(out);
                    return zc__err(err, ZC_EINVAL, "connection string: unbalanced '{' in the "
                                   "value of '%.*s'", (int)(ke - k), k);
                }
                if (*p == '}') {
                    if (p + 1 < end && p[1] == '}') {
                        p += 2;
                        continue;
                    }
                    break;
                }
                p++;
            }
            ve = p++;
            while (p < end && (*p == ' ' || *p == '\t'))
                p++;
            if (p < end && *p != ';') {
                zc__connstr_free(out);
                return zc__err(err, ZC_EINVAL, "connection string: text after '}' in the value "
                               "of '%.*s'", (int)(ke - k), k);
            }
        } else {
            v = p;
            while (p < end && *p != ';')
                p++;
            ve = p;
            for (const char *c = v; c < ve; c++)
                if (*c == '{' || *c == '}') {
                    zc__connstr_free(out);
                    return zc__err(err, ZC_EINVAL, "connection string: unbalanced braces in the "
                                   "value of '%.*s'", (int)(ke - k), k);
                }
        }
        next = p < end ? p + 1 : p;

        if (mlen)
            append(out->masked, sizeof out->masked, &mlen, ";", 1);
        append(out->masked, sizeof out->masked, &mlen, k, (size_t)(ke - k));
        append(out->masked, sizeof out->masked, &mlen, "=", 1);
        if (is_secret_key(k, (size_t)(ke - k))) {
            append(out->masked, sizeof out->masked, &mlen, "***", 3);
            if (ve > v && out->nsecrets == ZC__MAX_SECRETS) {
                /* one more could not be masked in the driver's messages */
                zc__connstr_free(out);
                return zc__err(err, ZC_EINVAL, "connection string: more than %d password "
                               "attributes", ZC__MAX_SECRETS);
            }
            if (ve > v) {
                char *sec = strndup(v, (size_t)(ve - v));
                if (!sec) {
                    zc__connstr_free(out);
                    return zc__err(err, ZC_ENOMEM, "out of memory");
                }
                out->secrets[out->nsecrets++] = sec;
            }
        } else {
            if (braced)
                append(out->masked, sizeof out->masked, &mlen, "{", 1);
            append(out->masked, sizeof out->masked, &mlen, v, (size_t)(ve - v));
            if (braced)
                append(out->masked, sizeof out->masked, &mlen, "}", 1);
            if ((ke - k == 3 && !strncasecmp(k, "DSN", 3)) ||
                (ke - k == 6 && !strncasecmp(k, "DRIVER", 6))) {
                char *dst = ke - k == 3 ? out->dsn : out->driver;
                size_t len = (size_t)(ve - v) < 255 ? (size_t)(ve - v) : 255;
                memcpy(dst, v, len);
                dst[len] = '\0';
            }
        }
        p = next;
    }
    if (mlen >= sizeof out->masked) {
        /* short passwords grow to "***": every attribute was still read (and each
           password recorded) but what zodiac would show is cut short */
        zc__connstr_free(out);
        return zc__err(err, ZC_EINVAL, "connection string is longer than %d bytes once its "
                       "passwords are masked", ZC_CONN_STR_MAX);
    }
    if (!out->dsn[0] && !out->driver[0] && !strstr(out->masked, "FILEDSN=") &&
        !strstr(out->masked, "filedsn=")) {
        zc__connstr_free(out);
        return zc__err(err, ZC_EINVAL, "connection string names neither DSN= nor Driver=");
    }
    return ZC_OK;
}

/* ---- the environment and the registry -------------------------------- */

SQLHENV zc__db_env(void)
{
    return reg_env;
}

static int env_make(zc_error *err)
{
    SQLRETURN rc;
    if (reg_env)
        return ZC_OK;
    rc = SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &reg_env);
    if (!SQL_SUCCEEDED(rc)) {
        reg_env = NULL;
        return zc__err(err, ZC_EDRIVER, "cannot allocate an ODBC environment");
    }
    rc = SQLSetEnvAttr(reg_env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    if (!SQL_SUCCEEDED(rc)) {
        int st = zc__err_odbc(err, SQL_HANDLE_ENV, reg_env, NULL, "SQLSetEnvAttr(ODBC_VERSION)");
        SQLFreeHandle(SQL_HANDLE_ENV, reg_env);
        reg_env = NULL;
        return st;
    }
    return ZC_OK;
}

/* Called with reg_mu held when a database is freed. */
static void env_maybe_free(void)
{
    if (reg_alive == 0 && !reg_head && reg_env && !reg_env_keep) {
        SQLFreeHandle(SQL_HANDLE_ENV, reg_env);
        reg_env = NULL;
    }
}

static zc__db *find(const char *name)
{
    for (zc__db *d = reg_head; d; d = d->next)
        if (!strcmp(d->name, name))
            return d;
    return NULL;
}

static int check_name(const char *name, zc_error *err)
{
    size_t n = strlen(name);
    if (n == 0 || n > ZC_DB_NAME_MAX)
        return zc__err(err, ZC_EINVAL, "database name must be 1 to %d bytes", ZC_DB_NAME_MAX);
    /* Names reach log lines and messages: no quotes, spaces, controls or SQL punctuation. */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!(isascii(c) && isalnum(c)) && c != '_' && c != '-' && c != '.')
            return zc__err(err, ZC_EINVAL, "database name: byte %zu (0x%02x) is not allowed; "
                           "use letters, digits, '_', '-' and '.'", i, c);
    }
    return ZC_OK;
}

static int ini_int(const char *section, const char *key, const char *file)
{
    char buf[64] = "";
    char *e;
    long v;
    if (!section[0] || SQLGetPrivateProfileString(section, key, "", buf, sizeof buf, file) <= 0 ||
        !buf[0])
        return -1;
    errno = 0;
    v = strtol(buf, &e, 10);
    return (errno || e == buf || v < 0 || v > 1000000) ? -1 : (int)v;
}

/* What the driver manager will do with this database's connections. */
static void read_dm_facts(zc__db *db)
{
    char buf[256] = "";

    if (db->cs.driver[0]) {
        snprintf(db->driver, sizeof db->driver, "%s", db->cs.driver);
    } else if (db->cs.dsn[0] &&
               SQLGetPrivateProfileString(db->cs.dsn, "Driver", "", buf, sizeof buf, "odbc.ini") > 0) {
        snprintf(db->driver, sizeof db->driver, "%s", buf);
    }
    buf[0] = '\0';
    SQLGetPrivateProfileString("ODBC", "Pooling", "", buf, sizeof buf, "odbcinst.ini");
    db->dm_pooling_enabled = !strcasecmp(buf, "yes") || !strcasecmp(buf, "1") ||
                             !strcasecmp(buf, "on") || !strcasecmp(buf, "true");
    db->cp_timeout = ini_int(db->driver, "CPTimeout", "odbcinst.ini");
    db->threading = ini_int(db->driver, "Threading", "odbcinst.ini");
    buf[0] = '\0';
    if (db->driver[0] &&
        SQLGetPrivateProfileString(db->driver, "Driver", "", buf, sizeof buf, "odbcinst.ini") > 0)
        snprintf(db->driver_path, sizeof db->driver_path, "%s", buf);
    else
        snprintf(db->driver_path, sizeof db->driver_path, "%s", db->driver);
    db->driver_dialect = zc__dialect_from_driver(db->driver_path);
}

/* Does the connection string or the DSN set this attribute? */
static int conn_sets(const zc__db *db, const char *key)
{
    size_t n = strlen(key);
    const char *p = db->cs.masked;
    char buf[64] = "";
    while ((p = strcasestr(p, key)) != NULL) {
        if ((p == db->cs.masked || p[-1] == ';') && p[n] == '=')
            return 1;
        p += n;
    }
    return db->cs.dsn[0] &&
           SQLGetPrivateProfileString(db->cs.dsn, key, "", buf, sizeof buf, "odbc.ini") > 0 &&
           buf[0];
}

/* Appends "Key=Value" to a ';'-separated list (zc_db_info's options fields). */
static void option_list_add(char *list, size_t size, const zc__driver_option *o)
{
    size_t len = strlen(list);
    snprintf(list + len, size - len, "%s%s=%s", len ? ";" : "", o->key, o->value);
}

/* Appends zodiac's recommended options for the driver where nobody chose otherwise. */
/*
 * The options zodiac recommends for the database's driver (into all[8]; login holds the
 * text of one of them): the dialect's, and on MariaDB the login timeout — Connector/ODBC
 * 3.1 keeps SQL_ATTR_LOGIN_TIMEOUT but never applies it, while its CONN_TIMEOUT key does
 * (MYSQL_OPT_CONNECT_TIMEOUT).
 */
static int recommended_options(const zc__db *db, zc__driver_option *all, char login[16])
{
    int n = 0;
    const zc__driver_option *o = zc__dialect_driver_options(db->driver_dialect, &n);
    if (n > 7)
        n = 7;
    if (n > 0)
        memcpy(all, o, (size_t)n * sizeof *o);
    if (db->driver_dialect == ZC_DIALECT_MYSQL && db->opts.login_timeout_s > 0) {
        snprintf(login, 16, "%d", db->opts.login_timeout_s);
        all[n].key = "CONN_TIMEOUT";
        all[n++].value = login;
    }
    return n;
}

static int apply_driver_options(zc__db *db, zc_error *err)
{
    char login[16];
    zc__driver_option o[8];
    int n = recommended_options(db, o, login);
    for (int i = 0; i < n; i++) {
        size_t len = strlen(db->cs.conn), mlen = strlen(db->cs.masked);
        size_t add = 1 + strlen(o[i].key) + 1 + strlen(o[i].value);
        int semi = len > 0 && db->cs.conn[len - 1] == ';';
        if (conn_sets(db, o[i].key))
            continue;
        if (len + add > ZC_CONN_STR_MAX || mlen + add > ZC_CONN_STR_MAX)
            return zc__err(err, ZC_EINVAL, "connection string too long to add %s=%s "
                           "(at most %d bytes)", o[i].key, o[i].value, ZC_CONN_STR_MAX);
        snprintf(db->cs.conn + len, sizeof db->cs.conn - len, "%s%s=%s", semi ? "" : ";",
                 o[i].key, o[i].value);
        snprintf(db->cs.masked + mlen, sizeof db->cs.masked - mlen, ";%s=%s", o[i].key,
                 o[i].value);
        option_list_add(db->options_added, sizeof db->options_added, &o[i]);
    }
    return ZC_OK;
}

static void db_free(zc__db *db)
{
    for (int i = 0; i < db->nidle; i++)
        SQLFreeHandle(SQL_HANDLE_DBC, db->idle_dbc[i]);
    free(db->idle_dbc);
    free(db->conn_fork);
    zc__connstr_free(&db->cs);
    pthread_mutex_destroy(&db->mu);
    pthread_cond_destroy(&db->cv);
    free(db);
}

int zc_db_setup(const char *name, const char *conn_str, const zc_db_options *opts,
                zc_error *err)
{
    static const zc_db_options defaults = ZC_DB_OPTIONS_DEFAULT;
    zc__db *db;
    pthread_condattr_t ca;
    int st;

    if (!name)
        name = ZC_DEFAULT_DB;
    if ((st = check_name(name, err)) != ZC_OK)
        return st;
    db = calloc(1, sizeof *db);
    if (!db)
        return zc__err(err, ZC_ENOMEM, "out of memory");
    if ((st = zc__connstr_parse(conn_str, &db->cs, err)) != ZC_OK) {
        free(db);
        return st;
    }
    db->opts = opts ? *opts : defaults;
    if (db->opts.pool_size == 0)
        db->opts.pool_size = defaults.pool_size;
    if (db->opts.max_overflow == 0)
        db->opts.max_overflow = defaults.max_overflow;
    else if (db->opts.max_overflow == -1)
        db->opts.max_overflow = 0;
    if (db->opts.pool_timeout_ms == 0)
        db->opts.pool_timeout_ms = defaults.pool_timeout_ms;
    if (db->opts.login_timeout_s == 0)
        db->opts.login_timeout_s = defaults.login_timeout_s;
    if (db->opts.replica_retry_ms == 0)
        db->opts.replica_retry_ms = defaults.replica_retry_ms;
    else if (db->opts.replica_retry_ms < -1)
        db->opts.replica_retry_ms = -2; /* refused below */
    if (db->opts.pool_size < 1 || db->opts.pool_size > 100000 || db->opts.max_overflow < 0 ||
        db->opts.max_overflow > 100000 || db->opts.pool_timeout_ms < 0 ||
        db->opts.login_timeout_s < 0 || db->opts.pre_ping < ZC_PING_OFF ||
        db->opts.pre_ping > ZC_PING_ALWAYS || db->opts.replica_retry_ms < -1 ||
        db->opts.statement_timeout_ms < 0 || db->opts.commit_timeout_ms < 0) {
        zc__connstr_free(&db->cs);
        free(db);
        return zc__err(err, ZC_EINVAL, "database '%s': invalid options (pool_size %d, "
                       "max_overflow %d, pool_timeout_ms %d, login_timeout_s %d, pre_ping %d, "
                       "statement_timeout_ms %d, commit_timeout_ms %d)",
                       name, opts->pool_size, opts->max_overflow, opts->pool_timeout_ms,
                       opts->login_timeout_s, opts->pre_ping, opts->statement_timeout_ms,
                       opts->commit_timeout_ms);
    }
    db->max_sessions = db->opts.pool_size + db->opts.max_overflow;
    snprintf(db->name, sizeof db->name, "%s", name);
    pthread_mutex_init(&db->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&db->cv, &ca);
    pthread_condattr_destroy(&ca);
    db->refs = 1;
    db->listed = 1;

    pthread_once(&atfork_once, atfork_register);
    pthread_mutex_lock(&reg_mu);
    if (find(name)) {
        pthread_mutex_unlock(&reg_mu);
        db_free(db);
        return zc__err(err, ZC_EINVAL, "database '%s' is already set up (zc_db_remove() it "
                       "first to replace it)", name);
    }
    if ((st = env_make(err)) != ZC_OK) {
        pthread_mutex_unlock(&reg_mu);
        db_free(db);
        return st;
    }
    read_dm_facts(db);
    reg_env_keep |= db->dm_pooling_enabled;
    if ((st = apply_driver_options(db, err)) != ZC_OK) {
        pthread_mutex_unlock(&reg_mu);
        db_free(db);
        return st;
    }
    db->next = reg_head;
    reg_head = db;
    reg_alive++;
    pthread_mutex_unlock(&reg_mu);
    zc__log(ZC_LOG_INFO, db->name, "setup %s (pool_size %d, max_overflow %d)", db->cs.masked,
            db->opts.pool_size, db->opts.max_overflow);
    return ZC_OK;
}

int zc__db_acquire(const char *name, zc__db **out, zc_error *err)
{
    zc__db *db;
    if (!name)
        name = ZC_DEFAULT_DB;
    pthread_mutex_lock(&reg_mu);
    db = find(name);
    if (db) {
        pthread_mutex_lock(&db->mu);
        db->refs++;
        pthread_mutex_unlock(&db->mu);
    }
    pthread_mutex_unlock(&reg_mu);
    *out = db;
    if (!db)
        return zc__err(err, ZC_ENODB, "no database named '%.*s' is set up", ZC_DB_NAME_MAX, name);
    return ZC_OK;
}

void zc__db_retain(zc__db *db)
{
    pthread_mutex_lock(&db->mu);
    db->refs++;
    pthread_mutex_unlock(&db->mu);
}

void zc__db_release(zc__db *db)
{
    int last;
    if (!db)
        return;
    pthread_mutex_lock(&reg_mu);
    pthread_mutex_lock(&db->mu);
    last = --db->refs == 0;
    pthread_mutex_unlock(&db->mu);
    if (last) {
        db_free(db);
        reg_alive--;
        env_maybe_free();
    }
    pthread_mutex_unlock(&reg_mu);
}

/* Drops the replica links of a database leaving the registry; reg_mu held. */
static void unlink_replicas(zc__db *db)
{
    if (db->is_replica) {
        zc__db *p = find(db->primary);
        if (p) {
            for (int i = 0; i < p->nreplicas; i++)
                if (!strcmp(p->replicas[i], db->name)) {
                    memmove(p->replicas[i], p->replicas[i + 1],
                            (size_t)(p->nreplicas - i - 1) * sizeof p->replicas[0]);
                    p->nreplicas--;
                    break;
                }
        }
        __atomic_store_n(&db->is_replica, 0, __ATOMIC_RELEASE);
        db->primary[0] = '\0';
    }
    for (int i = 0; i < db->nreplicas; i++) {
        zc__db *r = find(db->replicas[i]);
        if (r) {
            __atomic_store_n(&r->is_replica, 0, __ATOMIC_RELEASE);
            r->primary[0] = '\0';
        }
    }
    db->nreplicas = 0;
}

/* Unlinks a listed database; reg_mu held. Returns 1 if it was freed. */
static void unlist(zc__db *db)
{
    zc__db **pp = &reg_head;
    int last;
    unlink_replicas(db);
    while (*pp && *pp != db)
        pp = &(*pp)->next;
    if (*pp)
        *pp = db->next;
    pthread_mutex_lock(&db->mu);
    db->listed = 0;
    last = --db->refs == 0;
    pthread_mutex_unlock(&db->mu);
    if (last) {
        db_free(db);
        reg_alive--;
    }
}

int zc_db_remove(const char *name, zc_error *err)
{
    zc__db *db;
    if (!name)
        name = ZC_DEFAULT_DB;
    pthread_mutex_lock(&reg_mu);
    db = find(name);
    if (db) {
        unlist(db);
        env_maybe_free();
    }
    pthread_mutex_unlock(&reg_mu);
    if (!db)
        return zc__err(err, ZC_ENODB, "no database named '%.*s' is set up", ZC_DB_NAME_MAX, name);
    return ZC_OK;
}

int zc_db_add_replica(const char *primary, const char *replica, zc_error *err)
{
    zc__db *p, *r;
    int st = ZC_OK;

    if (!primary)
        primary = ZC_DEFAULT_DB;
    if (!replica)
        return zc__err(err, ZC_EINVAL, "zc_db_add_replica: replica is NULL");
    pthread_mutex_lock(&reg_mu);
    p = find(primary);
    r = find(replica);
    if (!p || !r)
        st = zc__err(err, ZC_ENODB, "no database named '%.*s' is set up", ZC_DB_NAME_MAX,
                     p ? replica : primary);
    else if (p == r)
        st = zc__err(err, ZC_EINVAL, "database '%s' cannot be a replica of itself", p->name);
    else if (p->is_replica)
        st = zc__err(err, ZC_EINVAL, "database '%s' is a replica of '%s'; a replica has no "
                     "replicas", p->name, p->primary);
    else if (r->is_replica)
        st = zc__err(err, ZC_EINVAL, "database '%s' is already a replica of '%s'", r->name,
                     r->primary);
    else if (r->nreplicas > 0)
        st = zc__err(err, ZC_EINVAL, "database '%s' has replicas; it cannot be a replica",
                     r->name);
    else if (p->nreplicas >= ZC_REPLICAS_MAX)
        st = zc__err(err, ZC_EINVAL, "database '%s' has %d replicas already (at most %d)",
                     p->name, p->nreplicas, ZC_REPLICAS_MAX);
    if (st == ZC_OK) {
        snprintf(p->replicas[p->nreplicas++], sizeof p->replicas[0], "%s", r->name);
        snprintf(r->primary, sizeof r->primary, "%s", p->name);
        __atomic_store_n(&r->is_replica, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&reg_mu);
    if (st == ZC_OK)
        zc__log(ZC_LOG_INFO, replica, "replica of '%s'", primary);
    return st;
}

int zc__db_is_replica(zc__db *db)
{
    return __atomic_load_n(&db->is_replica, __ATOMIC_ACQUIRE);
}

int zc__db_name_is_replica(const char *name)
{
    zc__db *d;
    int yes;
    pthread_mutex_lock(&reg_mu);
    d = find(name);
    yes = d && d->is_replica;
    pthread_mutex_unlock(&reg_mu);
    return yes;
}

int zc__db_replica_of(zc__db *db, const char *primary)
{
    int yes;
    if (!zc__db_is_replica(db))
        return 0;
    pthread_mutex_lock(&reg_mu);
    yes = db->is_replica && !strcmp(db->primary, primary);
    pthread_mutex_unlock(&reg_mu);
    return yes;
}

static int replica_healthy(zc__db *d, double now)
{
    int ok;
    pthread_mutex_lock(&d->mu);
    ok = now >= d->down_until_ms;
    pthread_mutex_unlock(&d->mu);
    return ok;
}

zc__db *zc__db_pick_replica(zc__db *home, unsigned *tried)
{
    double now = zc__now_ms();
    zc__db *out = NULL;
    pthread_mutex_lock(&reg_mu);
    for (int k = 0, n = home->nreplicas, start = n ? (int)(home->rr++ % (unsigned)n) : 0;
         k < n && !out; k++) {
        int i = (start + k) % n;
        zc__db *d;
        if (*tried & (1u << i))
            continue;
        *tried |= 1u << i;
        d = find(home->replicas[i]);
        if (d && replica_healthy(d, now)) {
            pthread_mutex_lock(&d->mu);
            d->refs++;
            pthread_mutex_unlock(&d->mu);
            out = d;
        }
    }
    pthread_mutex_unlock(&reg_mu);
    return out;
}

void zc__db_replica_down(zc__db *db)
{
    int ms = db->opts.replica_retry_ms;
    pthread_mutex_lock(&db->mu);
    db->down_until_ms = zc__now_ms() + (ms > 0 ? ms : 0);
    pthread_mutex_unlock(&db->mu);
    zc__log(ZC_LOG_WARN, db->name, "replica failed; skipped for %d ms", ms > 0 ? ms : 0);
}

/* The replica fields of zc_db_info. */
static void replica_info(zc__db *db, zc_db_info *out)
{
    double now = zc__now_ms();
    pthread_mutex_lock(&reg_mu);
    if (db->is_replica)
        snprintf(out->primary, sizeof out->primary, "%s", db->primary);
    out->replicas = db->nreplicas;
    for (int i = 0; i < db->nreplicas; i++) {
        zc__db *r = find(db->replicas[i]);
        if (r && replica_healthy(r, now))
            out->replicas_healthy++;
    }
    pthread_mutex_unlock(&reg_mu);
}

int zc_db_exists(const char *name)
{
    int found;
    pthread_mutex_lock(&reg_mu);
    found = find(name ? name : ZC_DEFAULT_DB) != NULL;
    pthread_mutex_unlock(&reg_mu);
    return found ? ZC_OK : ZC_ENODB;
}

void zc_db_shutdown(void)
{
    pthread_mutex_lock(&reg_mu);
    while (reg_head)
        unlist(reg_head);
    env_maybe_free();
    pthread_mutex_unlock(&reg_mu);
    zc__watch_shutdown();
}

int zc_db_get_info(const char *name, zc_db_info *out, zc_error *err)
{
    zc__db *db;
    int st;
    if (!out)
        return zc__err(err, ZC_EINVAL, "zc_db_get_info: out is NULL");
    if ((st = zc__db_acquire(name, &db, err)) != ZC_OK)
        return st;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&db->mu);
    snprintf(out->name, sizeof out->name, "%s", db->name);
    snprintf(out->conn_str, sizeof out->conn_str, "%s", db->cs.masked);
    out->options = db->opts;
    snprintf(out->driver, sizeof out->driver, "%s", db->driver);
    out->dm_pooling_enabled = db->dm_pooling_enabled;
    out->cp_timeout = db->cp_timeout;
    out->threading = db->threading;
    out->dm_pooling = db->dm_pooling_enabled && db->cp_timeout > 0;
    out->sessions_open = db->open;
    out->sessions_max = db->max_sessions;
    out->sessions_peak = db->open_peak;
    out->connected = db->connected;
    out->dialect = db->dialect;
    memcpy(out->dbms_name, db->dbms_name, sizeof out->dbms_name);
    memcpy(out->dbms_version, db->dbms_version, sizeof out->dbms_version);
    memcpy(out->driver_name, db->driver_name, sizeof out->driver_name);
    memcpy(out->driver_version, db->driver_version, sizeof out->driver_version);
    memcpy(out->quote, db->quote, sizeof out->quote);
    pthread_mutex_unlock(&db->mu);
    /* Set at zc_db_setup and never changed: no lock needed. */
    {
        char login[16];
        zc__driver_option o[8];
        int n = recommended_options(db, o, login);
        for (int i = 0; i < n; i++)
            option_list_add(out->options_recommended, sizeof out->options_recommended, &o[i]);
        memcpy(out->options_added, db->options_added, sizeof out->options_added);
    }
    replica_info(db, out);
    zc__db_release(db);
    return ZC_OK;
}

/* ---- fork() --------------------------------------------------------------- */

static unsigned fork_gen;

unsigned zc__fork_gen(void)
{
    return __atomic_load_n(&fork_gen, __ATOMIC_RELAXED);
}

/* zodiac's locks are taken around fork() so that the child finds each one free and
   everything it guards whole: the registry, each database, the links, the watchdog. */
static void atfork_prepare(void)
{
    pthread_mutex_lock(&reg_mu);
    for (zc__db *d = reg_head; d; d = d->next)
        pthread_mutex_lock(&d->mu);
    zc__link_atfork_prepare();
    zc__watch_atfork_prepare();
}

static void atfork_parent(void)
{
    zc__watch_atfork_parent();
    zc__link_atfork_parent();
    for (zc__db *d = reg_head; d; d = d->next)
        pthread_mutex_unlock(&d->mu);
    pthread_mutex_unlock(&reg_mu);
}

/*
 * The child: sessions open in the parent are the parent's (their calls in the child
 * return ZC_ESTATE and their close frees only memory), so no admission slot is taken;
 * the sockets of the parent's connections are let go (link.c); and new connections
 * get a connection string of the child's own (zc__db_conn).
 */
static void atfork_child(void)
{
    __atomic_add_fetch(&fork_gen, 1, __ATOMIC_RELAXED);
    zc__watch_atfork_child();
    zc__link_atfork_child();
    for (zc__db *d = reg_head; d; d = d->next) {
        pthread_condattr_t ca;
        d->open = 0;
        d->tracked = NULL;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&d->cv, &ca); /* its waiters were the parent's threads */
        pthread_condattr_destroy(&ca);
        pthread_mutex_unlock(&d->mu);
    }
    pthread_mutex_unlock(&reg_mu);
}

static void atfork_register(void)
{
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

const char *zc__db_conn(zc__db *db)
{
    unsigned gen = zc__fork_gen();
    const char *conn;
    if (gen == 0)
        return db->cs.conn;
    pthread_mutex_lock(&db->mu);
    if (db->conn_fork_gen != gen || !db->conn_fork) {
        size_t n = strlen(db->cs.conn) + 32;
        char *c = malloc(n);
        if (c) {
            /* drivers ignore an attribute they do not know; the driver manager's pool
               key is the whole string */
            snprintf(c, n, "%s%sZodiacFork=%u", db->cs.conn,
                     db->cs.conn[0] && db->cs.conn[strlen(db->cs.conn) - 1] == ';' ? "" : ";",
                     gen);
            free(db->conn_fork);
            db->conn_fork = c;
            db->conn_fork_gen = gen;
        }
    }
    conn = db->conn_fork_gen == gen && db->conn_fork ? db->conn_fork : db->cs.conn;
    pthread_mutex_unlock(&db->mu);
    return conn;
}

/* An attribute's value from the connection string, else from the DSN; "" if neither. */
static void db_attr(const zc__db *db, const char *key, char *out, size_t n)
{
    size_t k = strlen(key);
    const char *p = db->cs.conn;
    out[0] = '\0';
    while (p && *p) {
        const char *e = strchr(p, ';');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        if (len > k && !strncasecmp(p, key, k) && p[k] == '=') {
            const char *v = p + k + 1;
            size_t vl = len - k - 1;
            if (vl >= 2 && v[0] == '{' && v[vl - 1] == '}')
                v++, vl -= 2;
            snprintf(out, n, "%.*s", (int)vl, v);
            return;
        }
        p = e ? e + 1 : NULL;
    }
    if (db->cs.dsn[0])
        SQLGetPrivateProfileString(db->cs.dsn, key, "", out, (int)n, "odbc.ini");
}

void zc__db_probe(zc__db *db, zc__link_probe *out)
{
    memset(out, 0, sizeof *out);
    if (__atomic_load_n(&db->endpoints_done, __ATOMIC_ACQUIRE)) {
        /* resolved once and never changed: every session's open reads them unlocked */
        out->endpoints = db->endpoints;
        out->nendpoints = db->nendpoints;
        return;
    }
    pthread_mutex_lock(&db->mu);
    if (!db->endpoints_done) {
        const char *host_keys, *port_key;
        char keys[64], host[256] = "", port[64] = "";
        int dport, dialect = db->dialect ? db->dialect : db->driver_dialect;
        struct sockaddr_storage ep[8];
        int n = 0;
        pthread_mutex_unlock(&db->mu);
        zc__dialect_server_keys(dialect, &host_keys, &port_key, &dport);
        if (host_keys) {
            char *save = NULL;
            snprintf(keys, sizeof keys, "%s", host_keys);
            for (char *k = strtok_r(keys, ",", &save); k && !host[0]; k = strtok_r(NULL, ",", &save))
                db_attr(db, k, host, sizeof host);
            db_attr(db, port_key, port, sizeof port);
            /* MariaDB's client reads "localhost" as its local socket */
            if (!(dialect == ZC_DIALECT_MYSQL && !strcasecmp(host, "localhost")))
                n = zc__link_endpoints(host, port, dport, ep, 8);
        }
        pthread_mutex_lock(&db->mu);
        if (!db->endpoints_done) {
            memcpy(db->endpoints, ep, (size_t)n * sizeof ep[0]);
            db->nendpoints = n;
            __atomic_store_n(&db->endpoints_done, 1, __ATOMIC_RELEASE);
        }
    }
    out->endpoints = db->endpoints;
    out->nendpoints = db->nendpoints;
    pthread_mutex_unlock(&db->mu);
}

void zc__db_track(zc__db *db, zc__track *t)
{
    t->opened_ms = zc__now_ms();
    t->nframes = backtrace(t->frames, (int)(sizeof t->frames / sizeof t->frames[0]));
    pthread_mutex_lock(&db->mu);
    zc__list_push(&db->tracked, &t->node);
    pthread_mutex_unlock(&db->mu);
}

void zc__db_untrack(zc__db *db, zc__track *t)
{
    pthread_mutex_lock(&db->mu);
    zc__list_remove(&db->tracked, &t->node);
    pthread_mutex_unlock(&db->mu);
}

/* "f1 < f2 < …": the frames of a tracked session, from the caller of zodiac outwards. */
static void frames_text(const zc__track *t, char *out, size_t n)
{
    char **names = backtrace_symbols(t->frames, t->nframes);
    size_t used = 0;
    Dl_info self, f;
    int first = 0;
    out[0] = '\0';
    if (dladdr((void *)frames_text, &self))
        while (first < t->nframes && dladdr(t->frames[first], &f) &&
               f.dli_fbase == self.dli_fbase)
            first++; /* zodiac's own frames */
    for (int i = first; names && i < t->nframes && used + 1 < n; i++) {
        int w = snprintf(out + used, n - used, "%s%s", used ? " < " : "", names[i]);
        used += w > 0 ? (size_t)w : 0;
    }
    if (used >= n)
        out[n - 1] = '\0';
    free(names);
}

int zc_db_sessions(const char *name, zc_session_report_fn fn, void *ud, zc_error *err)
{
    zc__db *db;
    int st, n = 0;
    if (!fn)
        return zc__err(err, ZC_EINVAL, "zc_db_sessions: fn is NULL");
    if ((st = zc__db_acquire(name, &db, err)) != ZC_OK)
        return st;
    if (!db->opts.track_sessions) {
        zc__db_release(db);
        return zc__err(err, ZC_ESTATE, "database '%s' does not track its sessions (set "
                       "zc_db_options.track_sessions)", db->name);
    }
    pthread_mutex_lock(&db->mu);
    for (zc__node *node = db->tracked; node; node = node->next) {
        const zc__track *t = (const zc__track *)(const void *)node;
        char where[1024];
        frames_text(t, where, sizeof where);
        fn(ud, zc__now_ms() - t->opened_ms, where);
        n++;
    }
    pthread_mutex_unlock(&db->mu);
    zc__db_release(db);
    return n;
}

/* ---- admission ---------------------------------------------------------- */

int zc__db_admit(zc__db *db, zc_error *err)
{
    struct timespec deadline;
    int rc = 0;

    pthread_mutex_lock(&db->mu);
    if (db->open < db->max_sessions) {
        if (++db->open > db->open_peak)
            db->open_peak = db->open;
        pthread_mutex_unlock(&db->mu);
        return ZC_OK;
    }
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += db->opts.pool_timeout_ms / 1000;
    deadline.tv_nsec += (long)(db->opts.pool_timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    while (db->open >= db->max_sessions && rc == 0)
        rc = pthread_cond_timedwait(&db->cv, &db->mu, &deadline);
    if (db->open >= db->max_sessions) {
        int open = db->open;
        char oldest[384] = "";
        if (db->tracked) {
            const zc__node *n = db->tracked;
            const zc__track *t;
            char where[320];
            while (n->next)
                n = n->next; /* the list is newest first */
            t = (const zc__track *)(const void *)n;
            frames_text(t, where, sizeof where);
            snprintf(oldest, sizeof oldest, "; the oldest was opened %.1f s ago at %s",
                     (zc__now_ms() - t->opened_ms) / 1000.0, where);
        }
        pthread_mutex_unlock(&db->mu);
        return zc__err(err, ZC_ETIMEOUT, "database '%s': %d sessions open (pool_size %d + "
                       "max_overflow %d); none closed within %d ms%s", db->name, open,
                       db->opts.pool_size, db->opts.max_overflow, db->opts.pool_timeout_ms,
                       oldest);
    }
    if (++db->open > db->open_peak)
        db->open_peak = db->open;
    pthread_mutex_unlock(&db->mu);
    return ZC_OK;
}

void zc__db_leave(zc__db *db)
{
    pthread_mutex_lock(&db->mu);
    db->open--;
    pthread_cond_signal(&db->cv);
    pthread_mutex_unlock(&db->mu);
}

SQLHDBC zc__db_take_dbc(zc__db *db)
{
    SQLHDBC dbc = NULL;
    pthread_mutex_lock(&db->mu);
    if (db->nidle > 0)
        dbc = db->idle_dbc[--db->nidle];
    pthread_mutex_unlock(&db->mu);
    if (!dbc && !SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, zc__db_env(), &dbc)))
        dbc = NULL;
    return dbc;
}

void zc__db_give_dbc(zc__db *db, SQLHDBC dbc)
{
    pthread_mutex_lock(&db->mu);
    if (!db->idle_dbc)
        db->idle_dbc = malloc((size_t)db->max_sessions * sizeof *db->idle_dbc);
    if (db->idle_dbc && db->nidle < db->max_sessions) {
        db->idle_dbc[db->nidle++] = dbc;
        dbc = NULL;
    }
    pthread_mutex_unlock(&db->mu);
    if (dbc)
        SQLFreeHandle(SQL_HANDLE_DBC, dbc);
}

static void info_str(SQLHDBC dbc, SQLUSMALLINT what, char *out, size_t size)
{
    SQLSMALLINT len = 0;
    out[0] = '\0';
    if (!SQL_SUCCEEDED(SQLGetInfo(dbc, what, out, (SQLSMALLINT)size, &len)))
        out[0] = '\0';
    out[size - 1] = '\0';
}

void zc__db_learn(zc__db *db, SQLHDBC dbc)
{
    char name[64], ver[64], drv[64], dver[64], quote[4];

    pthread_mutex_lock(&db->mu);
    if (db->connected) {
        pthread_mutex_unlock(&db->mu);
        return;
    }
    pthread_mutex_unlock(&db->mu);
    info_str(dbc, SQL_DBMS_NAME, name, sizeof name);
    info_str(dbc, SQL_DBMS_VER, ver, sizeof ver);
    info_str(dbc, SQL_DRIVER_NAME, drv, sizeof drv);
    info_str(dbc, SQL_DRIVER_VER, dver, sizeof dver);
    info_str(dbc, SQL_IDENTIFIER_QUOTE_CHAR, quote, sizeof quote);
    pthread_mutex_lock(&db->mu);
    if (!db->connected) {
        memcpy(db->dbms_name, name, sizeof name);
        memcpy(db->dbms_version, ver, sizeof ver);
        memcpy(db->driver_name, drv, sizeof drv);
        memcpy(db->driver_version, dver, sizeof dver);
        memcpy(db->quote, quote, sizeof quote);
        db->insert_returning = zc__dialect_insert_returning(zc__dialect_from_dbms(name), name, ver);
        __atomic_store_n(&db->dialect, zc__dialect_from_dbms(name), __ATOMIC_RELEASE);
        __atomic_store_n(&db->connected, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&db->mu);
}
