/*
 * users: the zodiac demo. Sets up a database from a connection string, creates
 * a table, and works with it through sessions: insert, find by username,
 * update, page through, delete.
 *
 *   usage: users [connection-string]      (default: DSN=zc_sqlite)
 */
#include <stdio.h>
#include <stdlib.h>

#include <zodiac/zodiac.h>

static int fail(const char *what, const zc_error *err)
{
    fprintf(stderr, "users: %s: %s [%s] %s\n", what, zc_strerror(err->status), err->sqlstate,
            err->message);
    return EXIT_FAILURE;
}

static int print_page(zc_session *s, int64_t limit, int64_t offset, zc_error *err)
{
    zc_value p[] = { zc_int(limit), zc_int(offset) };
    zc_rows *r = NULL;
    int st = zc_session_query(s, "SELECT id, username, email FROM demo_users ORDER BY id "
                                 "LIMIT ? OFFSET ?", p, 2, &r, err);
    if (st != ZC_OK)
        return st;
    printf("  page at offset %lld:\n", (long long)offset);
    while ((st = zc_rows_next(r, err)) == ZC_OK) {
        int64_t id = 0;
        const char *name = NULL, *email = NULL;
        zc_rows_int(r, 0, &id, err);
        zc_rows_text(r, 1, &name, NULL, err);
        zc_rows_text(r, 2, &email, NULL, err);
        printf("    %3lld  %-10s %s\n", (long long)id, name, email ? email : "(none)");
    }
    zc_rows_close(&r);
    return st == ZC_NOT_FOUND ? ZC_OK : st;
}

int main(int argc, char **argv)
{
    const char *conn = argc > 1 ? argv[1] : "DSN=zc_sqlite";
    static const char *names[] = { "ada", "brian", "grace", "ken", "linus", "margaret" };
    zc_error err;
    zc_db_info info;
    zc_session *s = NULL;
    int64_t n = 0;

    if (zc_db_setup(ZC_DEFAULT_DB, conn, NULL, &err) != ZC_OK)
        return fail("setup", &err);
    if (zc_session_open(NULL, &s, &err) != ZC_OK)
        return fail("open session", &err);
    zc_db_get_info(NULL, &info, &err);
    printf("zodiac %s on %s %s (driver %s, pooling %s)\n", ZC_VERSION_STRING, info.dbms_name,
           info.dbms_version, info.driver_name, info.dm_pooling ? "on" : "off");

    if (zc_session_exec(s, "DROP TABLE IF EXISTS demo_users", NULL, 0, NULL, &err) != ZC_OK ||
        zc_session_exec(s, "CREATE TABLE demo_users (id INTEGER PRIMARY KEY, "
                           "username VARCHAR(64) NOT NULL UNIQUE, email VARCHAR(128))",
                        NULL, 0, NULL, &err) != ZC_OK)
        return fail("create table", &err);
    for (int i = 0; i < 6; i++) {
        char email[64];
        zc_value p[] = { zc_int(i + 1), zc_text(names[i]), zc_text(email) };
        snprintf(email, sizeof email, "%s@example.org", names[i]);
        if (zc_session_exec(s, "INSERT INTO demo_users (id, username, email) VALUES (?, ?, ?)",
                            p, 3, NULL, &err) != ZC_OK)
            return fail("insert", &err);
    }
    if (zc_session_commit(s, &err) != ZC_OK)
        return fail("commit", &err);
    printf("inserted 6 users\n");

    {
        zc_value p[] = { zc_text("grace") };
        if (zc_session_query_int(s, "SELECT id FROM demo_users WHERE username = ?", p, 1, &n,
                                 &err) != ZC_OK)
            return fail("find by username", &err);
        printf("found grace with id %lld\n", (long long)n);
    }
    {
        zc_value p[] = { zc_text("grace.hopper@example.org"), zc_text("grace") };
        if (zc_session_exec(s, "UPDATE demo_users SET email = ? WHERE username = ?", p, 2, &n,
                            &err) != ZC_OK || zc_session_commit(s, &err) != ZC_OK)
            return fail("update", &err);
        printf("updated %lld row\n", (long long)n);
    }
    for (int64_t off = 0; off < 6; off += 4)
        if (print_page(s, 4, off, &err) != ZC_OK)
            return fail("page", &err);
    {
        zc_value p[] = { zc_text("ken") };
        if (zc_session_exec(s, "DELETE FROM demo_users WHERE username = ?", p, 1, &n, &err) !=
                ZC_OK || zc_session_commit(s, &err) != ZC_OK)
            return fail("delete", &err);
        if (zc_session_query_int(s, "SELECT COUNT(*) FROM demo_users", NULL, 0, &n, &err) !=
            ZC_OK)
            return fail("count", &err);
        printf("deleted ken; %lld users left\n", (long long)n);
    }
    zc_session_close(&s);
    zc_db_shutdown();
    return EXIT_SUCCESS;
}
