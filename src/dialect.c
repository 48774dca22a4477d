/*
 * dialect: everything that differs per DBMS. This is the only file that knows
 * a DBMS by name; the rest of zodiac asks it through ZC_DIALECT_* values.
 */
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
        if (native == 1205 || native == 1213) /* lock wait timeout, deadlock */
            return ZC_ERETRY;
        if (native == 1062 || native == 1451 || native == 1452 || native == 1048 ||
            native == 1586)
            return ZC_ECONSTRAINT;
        if (native == 1406) /* data too long for column */
            return ZC_ETRUNC;
        break;
    case ZC_DIALECT_SQLITE:
        /* sqliteodbc reports SQLite result codes as the native error under HY000. */
        if (!strcmp(sqlstate, "HY000") || !strcmp(sqlstate, "S1000")) {
            if (native == 5 || native == 6) /* SQLITE_BUSY, SQLITE_LOCKED */
                return ZC_ERETRY;
            if (native == 19) /* SQLITE_CONSTRAINT */
                return ZC_ECONSTRAINT;
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

const zc__driver_option *zc__dialect_driver_options(int dialect, int *n)
{
    switch (dialect) {
    case ZC_DIALECT_POSTGRESQL:
        *n = (int)(sizeof pg_options / sizeof pg_options[0]);
        return pg_options;
    default:
        *n = 0;
        return NULL;
    }
}
