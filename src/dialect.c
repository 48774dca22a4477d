/* SPDX-License-Identifier: MIT */
/*
 * dialect: everything that differs per DBMS. This is the only file that knows
 * a DBMS by name; the rest of zodiac asks it through ZC_DIALECT_* values.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

int zc__dialect_from_dbms(const char *dbms)
{
    if (!dbms || !*dbms)
        return ZC_DIALECT_ANSI;
    if (!strncasecmp(dbms, "SQLite", 6))
        return ZC_DIALECT_SQLITE;
    if (!strncasecmp(dbms, "PostgreSQL", 10))
        return ZC_DIALECT_POSTGRESQL;
    if (!strncasecmp(dbms, "MariaDB", 7) || !strncasecmp(dbms, "MySQL", 5))
        return ZC_DIALECT_MYSQL;
    return ZC_DIALECT_ANSI;
}

const char *zc__dialect_name(int dialect)
{
    switch (dialect) {
    case ZC_DIALECT_SQLITE: return "sqlite";
    case ZC_DIALECT_POSTGRESQL: return "postgresql";
    case ZC_DIALECT_MYSQL: return "mysql";
    case ZC_DIALECT_ANSI: return "ansi";
    default: return "unknown";
    }
}

int zc__dialect_classify_native(int dialect, const char *sqlstate, long native)
{
    switch (dialect) {
    case ZC_DIALECT_MYSQL:
        /* Client errors: server has gone away, lost connection, can't connect. */
        if (native == 2006 || native == 2013 || native == 2002 || native == 2003 ||
            native == 2055 || native == 1927 /* connection killed */)
            return ZC_ECONN;
        /* Connector/C's read and write errors on the socket ("Write error: Connection
           reset by peer" when the server closed it under a packet past
           max_allowed_packet): the connection is gone */
        if (native == 5013 || native == 5014)
            return ZC_ECONN;
        if (native == 1205 || native == 1213) /* lock wait timeout, deadlock */
            return ZC_ERETRY;
        /* max_statement_time exceeded (HY018); a statement stopped by KILL QUERY */
        if (native == 1969 || native == 1317)
            return ZC_ETIMEOUT;
        if (native == 1062 || native == 1451 || native == 1452 || native == 1048 ||
            native == 1586)
            return ZC_ECONSTRAINT;
        if (native == 1406) /* data too long for column */
            return ZC_ETRUNC;
        if (native == 1290 || native == 1792) /* --read-only server, READ ONLY transaction */
            return ZC_EREADONLY;
        break;
    case ZC_DIALECT_SQLITE:
        /* sqliteodbc reports SQLite result codes as the native error under HY000. */
        if (!strcmp(sqlstate, "HY000") || !strcmp(sqlstate, "S1000")) {
            if (native == 5 || native == 6) /* SQLITE_BUSY, SQLITE_LOCKED */
                return ZC_ERETRY;
            if (native == 19) /* SQLITE_CONSTRAINT */
                return ZC_ECONSTRAINT;
            if (native == 8) /* SQLITE_READONLY */
                return ZC_EREADONLY;
            if (native == 9) /* SQLITE_INTERRUPT: sqlite3_interrupt stopped it */
                return ZC_ETIMEOUT;
        }
        break;
    default:
        break;
    }
    return 0;
}

const char *zc__dialect_ping_sql(int dialect)
{
    (void)dialect; /* every supported DBMS answers a bare SELECT 1 */
    return "SELECT 1";
}

SQLSMALLINT zc__dialect_uuid_sqltype(int dialect)
{
    /* psqlODBC sends SQL_GUID parameters typed uuid; others store 36 characters. */
    return dialect == ZC_DIALECT_POSTGRESQL ? SQL_GUID : SQL_CHAR;
}

int zc__dialect_from_driver(const char *path)
{
    const char *base = path ? strrchr(path, '/') : NULL;
    base = base ? base + 1 : path;
    if (!base || !*base)
        return ZC_DIALECT_UNKNOWN;
    if (strstr(base, "psqlodbc"))
        return ZC_DIALECT_POSTGRESQL;
    if (strstr(base, "maodbc") || strstr(base, "myodbc"))
        return ZC_DIALECT_MYSQL;
    if (strstr(base, "sqlite3odbc") || strstr(base, "sqliteodbc"))
        return ZC_DIALECT_SQLITE;
    return ZC_DIALECT_UNKNOWN;
}

/*
 * Connection options zodiac sets for a driver unless the application's
 * connection string or DSN sets them. Each is documented in docs/drivers.md.
 */
static const zc__driver_option pg_options[] = {
    /* Level of rollback on errors "0": the driver does nothing, so a failed
       statement aborts the transaction as PostgreSQL itself does. The default
       (2) wraps every statement in a driver-issued SAVEPOINT, which costs a
       round trip per statement and breaks the application's own savepoints. */
    { "Protocol", "7.4-0" },
};

static const zc__driver_option mysql_options[] = {
    /* FOUND_ROWS (bit 2): an UPDATE reports the rows it matched, as PostgreSQL
       and SQLite do, not only those whose values changed. */
    { "OPTION", "2" },
};

static const zc__driver_option sqlite_options[] = {
    /* sqliteodbc's busy timeout in ms, applied per attempt over two attempts:
       a writer blocked by another waits about 5 s, then gets SQLITE_BUSY
       (ZC_ERETRY). Without it a blocked writer waited more than 60 s. */
    { "Timeout", "2500" },
};

const zc__driver_option *zc__dialect_driver_options(int dialect, int *n)
{
    switch (dialect) {
    case ZC_DIALECT_POSTGRESQL:
        *n = (int)(sizeof pg_options / sizeof pg_options[0]);
        return pg_options;
    case ZC_DIALECT_MYSQL:
        *n = (int)(sizeof mysql_options / sizeof mysql_options[0]);
        return mysql_options;
    case ZC_DIALECT_SQLITE:
        *n = (int)(sizeof sqlite_options / sizeof sqlite_options[0]);
        return sqlite_options;
    default:
        *n = 0;
        return NULL;
    }
}

/* Column type of a field in DDL; text is written to buf. */
const char *zc__dialect_column_type(int dialect, int type, size_t size, char *buf, size_t n)
{
    switch (type) {
    case ZC_FT_INT32:
        return dialect == ZC_DIALECT_MYSQL ? "INT" : "INTEGER";
    case ZC_FT_INT64:
        return dialect == ZC_DIALECT_SQLITE ? "INTEGER" : "BIGINT";
    case ZC_FT_DOUBLE:
        return dialect == ZC_DIALECT_MYSQL ? "DOUBLE" : dialect == ZC_DIALECT_SQLITE ? "REAL"
                                                                                     : "DOUBLE PRECISION";
    case ZC_FT_BOOL:
        return dialect == ZC_DIALECT_MYSQL ? "TINYINT(1)" : dialect == ZC_DIALECT_ANSI
                                                                  ? "SMALLINT" : "BOOLEAN";
    case ZC_FT_TEXT:
        /* MariaDB keeps VARCHAR within a 65,535-byte row: 16,383 utf8mb4 characters. */
        if (dialect == ZC_DIALECT_MYSQL && size - 1 > 16383)
            return size - 1 > 16777215 ? "LONGTEXT" : "MEDIUMTEXT";
        snprintf(buf, n, "VARCHAR(%zu)", size - 1);
        return buf;
    case ZC_FT_UUID:
        return dialect == ZC_DIALECT_POSTGRESQL ? "UUID" : "CHAR(36)";
    case ZC_FT_TIMESTAMP:
        /* UTC without a zone: psqlODBC drops the offset of timestamptz. */
        return dialect == ZC_DIALECT_POSTGRESQL ? "TIMESTAMP(6)"
               : dialect == ZC_DIALECT_MYSQL    ? "DATETIME(6)"
                                                : "TIMESTAMP";
    case ZC_FT_BLOB:
        return dialect == ZC_DIALECT_POSTGRESQL ? "BYTEA"
               : dialect == ZC_DIALECT_MYSQL    ? "LONGBLOB"
                                                : "BLOB";
    default:
        return NULL;
    }
}

/* The whole definition of an auto-increment 64-bit primary key column named id. */
const char *zc__dialect_int_pk(int dialect)
{
    switch (dialect) {
    case ZC_DIALECT_POSTGRESQL: return "id BIGSERIAL PRIMARY KEY";
    case ZC_DIALECT_MYSQL: return "id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY";
    case ZC_DIALECT_SQLITE: return "id INTEGER PRIMARY KEY AUTOINCREMENT";
    default: return "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
    }
}

int zc__dialect_has_if_not_exists(int dialect)
{
    return dialect != ZC_DIALECT_ANSI;
}

int zc__dialect_transactional_ddl(int dialect)
{
    /* MariaDB commits implicitly around every DDL statement. */
    return dialect == ZC_DIALECT_POSTGRESQL || dialect == ZC_DIALECT_SQLITE;
}

/* How a generated integer key is read back after an INSERT. */
int zc__dialect_key_method(int dialect)
{
    switch (dialect) {
    case ZC_DIALECT_POSTGRESQL: return ZC__KEY_RETURNING;
    case ZC_DIALECT_MYSQL: return ZC__KEY_SELECT;  /* see zc__dialect_insert_returning */
    case ZC_DIALECT_SQLITE: return ZC__KEY_SELECT; /* sqliteodbc discards RETURNING rows */
    default: return ZC__KEY_NONE;
    }
}

/*
 * 1 if a one-row INSERT … RETURNING id comes back as a result row, so the
 * generated id costs no second statement. PostgreSQL: always. MariaDB: from
 * 10.5 (the version that added INSERT … RETURNING); its prepare reports no
 * result columns (MDEV-27013) but Connector/ODBC 3.1 describes the row after
 * SQLExecute, which tests/check_repo.c checks. MySQL has no RETURNING, and
 * sqliteodbc discards the rows. Only single rows use it: bulk inserts keep
 * the key method above (MariaDB's column-wise arrays return no rows).
 */
int zc__dialect_insert_returning(int dialect, const char *dbms_name, const char *dbms_version)
{
    unsigned major = 0, minor = 0;
    if (dialect == ZC_DIALECT_POSTGRESQL)
        return 1;
    if (dialect != ZC_DIALECT_MYSQL || strncasecmp(dbms_name, "MariaDB", 7) != 0 ||
        sscanf(dbms_version, "%u.%u", &major, &minor) != 2)
        return 0;
    return major > 10 || (major == 10 && minor >= 5);
}

const char *zc__dialect_last_id_sql(int dialect)
{
    switch (dialect) {
    case ZC_DIALECT_MYSQL: return "SELECT LAST_INSERT_ID()";
    case ZC_DIALECT_SQLITE: return "SELECT last_insert_rowid()";
    default: return NULL;
    }
}

/* Smallest step of a timestamp the backend keeps, in microseconds. */
int64_t zc__dialect_ts_unit(int dialect)
{
    /* sqliteodbc stores timestamps as text with milliseconds. */
    return dialect == ZC_DIALECT_SQLITE ? 1000 : 1;
}

/*
 * The LIMIT/OFFSET clause for a query with a limit and/or an offset, both as
 * parameters; *offset_first tells the order their values are bound in.
 */
const char *zc__dialect_limit_sql(int dialect, int has_limit, int has_offset, int *offset_first)
{
    *offset_first = 0;
    if (dialect == ZC_DIALECT_ANSI) {
        *offset_first = 1;
        if (has_limit && has_offset)
            return " OFFSET ? ROWS FETCH NEXT ? ROWS ONLY";
        if (has_limit)
            return " FETCH FIRST ? ROWS ONLY";
        return has_offset ? " OFFSET ? ROWS" : "";
    }
    if (has_limit && has_offset)
        return " LIMIT ? OFFSET ?";
    if (has_limit)
        return " LIMIT ?";
    if (!has_offset)
        return "";
    /* MariaDB and SQLite need a LIMIT before OFFSET: the largest each accepts. */
    switch (dialect) {
    case ZC_DIALECT_MYSQL: return " LIMIT 18446744073709551615 OFFSET ?";
    case ZC_DIALECT_SQLITE: return " LIMIT -1 OFFSET ?";
    default: return " OFFSET ?";
    }
}

/*
 * sqliteodbc converts doubles through text of 15 or 16 significant digits in
 * both directions (-DBL_MAX comes back as -inf). On SQLite, zodiac sends
 * doubles as "%.17g" text, which REAL affinity converts, and reads double
 * columns through quote(), SQLite's round-trip rendering (docs/drivers.md has
 * the measured residue).
 */
int zc__dialect_double_as_text(int dialect)
{
    return dialect == ZC_DIALECT_SQLITE;
}

/* The expression that selects a column so that its value survives the driver. */
void zc__dialect_select_col(int dialect, int type, const char *name, zc__buf *out)
{
    if (type == ZC_FT_DOUBLE && zc__dialect_double_as_text(dialect))
        zc__buf_add(out, "CASE WHEN %s IS NULL THEN NULL ELSE quote(%s) END", name, name);
    else if (type == ZC_FT_TIMESTAMP && dialect == ZC_DIALECT_POSTGRESQL)
        /* the server's text (DateStyle ISO, which psqlODBC sets): psqlODBC 13.02 turns
           a timestamp it cannot represent into another value, even as SQL_C_CHAR
           (map.c, zc__map_bind_result) */
        zc__buf_add(out, "CAST(%s AS TEXT)", name);
    else
        zc__buf_add(out, "%s", name);
}

/*
 * Rows per multi-row INSERT … VALUES in zc_repo_insert_many, or 0 to insert
 * row by row. psqlODBC runs parameter arrays one statement per row, while one
 * multi-row VALUES of a few hundred rows is several times faster (bench/).
 * PostgreSQL takes at most 65,535 parameters a statement, SQLite 32,766.
 */
int zc__dialect_bulk_rows(int dialect, int ncols)
{
    int max_params = dialect == ZC_DIALECT_POSTGRESQL ? 65535 : 32766;
    int k = 256;
    if (dialect == ZC_DIALECT_ANSI || ncols <= 0)
        return 0;
    if (k * ncols > max_params)
        k = max_params / ncols;
    return k;
}

/* After a multi-row INSERT, does the last-id query give the first row's id (or the last)? */
int zc__dialect_last_id_is_first(int dialect)
{
    /* MariaDB: LAST_INSERT_ID() is the first id generated by the statement;
       SQLite: last_insert_rowid() is the last row inserted. */
    return dialect == ZC_DIALECT_MYSQL;
}

/*
 * Rows per column-wise parameter-array execution in insert_many, or 0 to use
 * multi-row VALUES. MariaDB Connector/ODBC sends column-wise arrays as one
 * bulk command (bench/: 308k rows/s raw against 218k for 256-row VALUES);
 * psqlODBC runs arrays one statement per row.
 */
int zc__dialect_bulk_arrays(int dialect)
{
    return dialect == ZC_DIALECT_MYSQL ? 1000 : 0;
}

/*
 * 1 if timestamps in parameter arrays go as text. MariaDB Connector/ODBC 3.1.15
 * turns each SQL_C_TYPE_TIMESTAMP value of an array into a MYSQL_TIME of its own
 * and never frees it (MADB_CleanBulkOperData frees only the array of pointers):
 * 40 bytes per value. Text values of a VARCHAR parameter point into zodiac's
 * own buffer, and the server converts them on insert.
 */
int zc__dialect_bulk_ts_as_text(int dialect)
{
    return dialect == ZC_DIALECT_MYSQL;
}

/*
 * unixODBC asks a pooled connection's driver SQL_ATTR_CONNECTION_DEAD before it
 * hands the connection out again. MariaDB Connector/ODBC answers with
 * mysql_ping() (a round trip: a connection the server closed is dropped there);
 * psqlODBC answers from a flag it sets only after a failure. A SQLite
 * connection has no server to lose.
 */
int zc__dialect_reuse_checks_liveness(int dialect)
{
    return dialect == ZC_DIALECT_MYSQL || dialect == ZC_DIALECT_SQLITE;
}

const char *zc__dialect_server_id_sql(int dialect)
{
    switch (dialect) {
    case ZC_DIALECT_POSTGRESQL: return "SELECT pg_backend_pid()";
    case ZC_DIALECT_MYSQL: return "SELECT CONNECTION_ID()";
    default: return NULL;
    }
}

/*
 * Stops the statement a connection runs, from another connection: the server
 * ignores it when the connection is idle (PostgreSQL only acts on a cancel
 * while a command runs; KILL QUERY of an idle connection does nothing).
 */
const char *zc__dialect_cancel_sql(int dialect)
{
    switch (dialect) {
    case ZC_DIALECT_POSTGRESQL: return "SELECT pg_cancel_backend(%ld)";
    case ZC_DIALECT_MYSQL: return "KILL QUERY %ld";
    default: return NULL;
    }
}

const char *zc__dialect_client_port_sql(int dialect)
{
    switch (dialect) {
    case ZC_DIALECT_POSTGRESQL: return "SELECT inet_client_port()";
    case ZC_DIALECT_MYSQL:
        return "SELECT SUBSTRING_INDEX(HOST, ':', -1) FROM information_schema.PROCESSLIST "
               "WHERE ID = CONNECTION_ID()";
    default: return NULL;
    }
}

/* psqlODBC reads Servername (or Server) and Port; MariaDB Connector/ODBC SERVER and PORT. */
void zc__dialect_server_keys(int dialect, const char **host_keys, const char **port_key,
                             int *default_port)
{
    switch (dialect) {
    case ZC_DIALECT_POSTGRESQL:
        *host_keys = "Servername,Server";
        *port_key = "Port";
        *default_port = 5432;
        return;
    case ZC_DIALECT_MYSQL:
        *host_keys = "Server";
        *port_key = "Port";
        *default_port = 3306;
        return;
    default:
        *host_keys = NULL;
        *port_key = NULL;
        *default_port = 0;
    }
}

/*
 * How a cursor reads a large result in bounded memory within one statement (so one
 * snapshot): psqlODBC reads a whole result unless its connection attribute
 * SQL_ATTR_PGOPT_USE_DECLAREFETCH (65539) is on when the statement runs; then it
 * declares a server-side cursor and fetches SQL_ATTR_PGOPT_FETCH (65541) rows at a
 * time. Returns 1 and the two attributes where the driver can; elsewhere a cursor reads
 * key-ordered pages inside its transaction (MariaDB's REPEATABLE READ and SQLite's
 * transactions keep one snapshot across them).
 */
int zc__dialect_stream_attrs(int dialect, SQLINTEGER *on, SQLINTEGER *rows)
{
    if (dialect != ZC_DIALECT_POSTGRESQL)
        return 0;
    if (on)
        *on = 65539;
    if (rows)
        *rows = 65541;
    return 1;
}

/* The query that gives the largest packet the server takes (0: no such limit known). */
const char *zc__dialect_max_packet_sql(int dialect)
{
    return dialect == ZC_DIALECT_MYSQL ? "SELECT @@max_allowed_packet" : NULL;
}

/*
 * Whether a fetch reads a timestamp column as text, which zodiac parses and refuses
 * when it is no timestamp of years 1..9999. The drivers' own conversion says nothing:
 * psqlODBC gives today's date or 9999-12-31 for what it cannot represent, sqliteodbc
 * NULL for text that is no date. MariaDB Connector/ODBC converts faithfully but for a
 * zero date ('0000-00-00'), which it returns as NULL: in a NOT NULL column that NULL
 * is refused anyway, so only nullable columns need the text, and the others keep the
 * binary form, which Connector/ODBC converts at half the cost (bench/RESULTS.md, W3).
 */
int zc__dialect_ts_as_text(int dialect, int nullable)
{
    return dialect != ZC_DIALECT_MYSQL || nullable;
}
