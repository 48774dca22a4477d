/* SPDX-License-Identifier: MIT */
/*
 * zodiac: the library's command-line companion.
 *
 *   zodiac doctor <DSN | connection string>   what zodiac and the driver manager make of it
 *   zodiac ping [-c N] <DSN | connection string>
 *   zodiac ddl [--dialect sqlite|postgresql|mysql|ansi|all]
 *
 * It uses the public API only (zc_db_setup, zc_db_get_info, zc_session_*,
 * zc_ddl_text), plus the ODBC installer library to say which odbc.ini and
 * odbcinst.ini it read. Every line it prints goes through say(), which
 * replaces the password values of the connection string by "***": whatever a
 * driver puts in a message, a password never reaches the terminal.
 *
 * Exit codes (tools/zodiac.1): 0 ok, 1 usage, 2 cannot connect, 3 other error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sql.h>
#include <odbcinst.h>

#include <zodiac/zodiac.h>

#include "../examples/models.h"

enum { EXIT_OK = 0, EXIT_USAGE = 1, EXIT_CONNECT = 2, EXIT_OTHER = 3 };

#define DB_NAME "zodiac-tool"
#define RUNS_DEFAULT 5
#define RUNS_MAX 10000

/* ---- output with the connection string's passwords masked ------------------ */

#define MAX_SECRETS 8
static char *secrets[MAX_SECRETS];
static int nsecrets;

static void secret_add(const char *v, size_t n)
{
    if (n == 0 || nsecrets == MAX_SECRETS)
        return;
    secrets[nsecrets] = strndup(v, n);
    if (secrets[nsecrets])
        nsecrets++;
}

/* Writes text to f with every occurrence of a secret replaced by "***". */
static void put_scrubbed(FILE *f, const char *text)
{
    while (*text) {
        int hit = -1;
        for (int i = 0; i < nsecrets && hit < 0; i++)
            if (!strncmp(text, secrets[i], strlen(secrets[i])))
                hit = i;
        if (hit >= 0) {
            fputs("***", f);
            text += strlen(secrets[hit]);
        } else {
            fputc(*text++, f);
        }
    }
}

static void say(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(FILE *f, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    put_scrubbed(f, buf);
}

/* ---- connection strings ------------------------------------------------------ */

/*
 * Calls fn for each attribute key=value of an ODBC connection string (values in
 * braces without them; "}}" stays as written). Returns 0, or -1 when malformed
 * (zc_db_setup then says why).
 */
typedef void (*attr_fn)(const char *k, size_t kn, const char *v, size_t vn, void *ud);
static int each_attr(const char *s, attr_fn fn, void *ud)
{
    while (*s) {
        const char *k, *eq, *v, *ve;
        while (*s == ';' || *s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        k = s;
        eq = strchr(s, '=');
        if (!eq)
            return -1;
        if (eq[1] == '{') {
            v = eq + 2;
            for (ve = v; *ve && !(ve[0] == '}' && ve[1] != '}'); ve += ve[0] == '}' ? 2 : 1)
                ;
            if (!*ve)
                return -1;
            s = ve + 1;
        } else {
            v = eq + 1;
            ve = v + strcspn(v, ";");
            s = ve;
        }
        while (eq > k && (eq[-1] == ' ' || eq[-1] == '\t'))
            eq--;
        fn(k, (size_t)(eq - k), v, (size_t)(ve - v), ud);
    }
    return 0;
}

static void collect_secret(const char *k, size_t kn, const char *v, size_t vn, void *ud)
{
    (void)ud;
    if ((kn == 3 && !strncasecmp(k, "PWD", 3)) || (kn == 8 && !strncasecmp(k, "PASSWORD", 8)))
        secret_add(v, vn);
}

typedef struct attr_query {
    const char *key;
    char *out;
    size_t size;
    int found;
} attr_query;

static void find_attr(const char *k, size_t kn, const char *v, size_t vn, void *ud)
{
    attr_query *q = ud;
    if (kn == strlen(q->key) && !strncasecmp(k, q->key, kn)) {
        snprintf(q->out, q->size, "%.*s", (int)vn, v);
        q->found = 1;
    }
}

/* The value of attribute key (the last one wins, as for the driver manager). */
static int conn_attr(const char *conn, const char *key, char *out, size_t size)
{
    attr_query q = { key, out, size, 0 };
    out[0] = '\0';
    if (!strchr(conn, '=') && !strchr(conn, ';')) { /* a bare DSN name */
        if (strcasecmp(key, "DSN"))
            return 0;
        snprintf(out, size, "%s", conn);
        return 1;
    }
    each_attr(conn, find_attr, &q);
    return q.found;
}

/* ---- where unixODBC reads its files ---------------------------------------- */

static const char *sys_dir(void)
{
    const char *d = getenv("ODBCSYSINI");
    return d && *d ? d : "/etc"; /* unixODBC's default system directory on Debian */
}

static void user_odbc_ini(char *out, size_t size)
{
    const char *f = getenv("ODBCINI"), *home = getenv("HOME");
    if (f && *f)
        snprintf(out, size, "%s", f);
    else
        snprintf(out, size, "%s/.odbc.ini", home ? home : "~");
}

static void odbcinst_ini(char *out, size_t size)
{
    const char *name = getenv("ODBCINSTINI");
    snprintf(out, size, "%s/%s", sys_dir(), name && *name ? name : "odbcinst.ini");
}

/* Both odbc.ini files and the variables that chose them, for one line. */
static void odbc_ini_files(char *out, size_t size)
{
    char user[512];
    user_odbc_ini(user, sizeof user);
    snprintf(out, size, "user %s [%s], system %s/odbc.ini [%s]", user,
             getenv("ODBCINI") ? "ODBCINI" : "ODBCINI unset", sys_dir(),
             getenv("ODBCSYSINI") ? "ODBCSYSINI" : "ODBCSYSINI unset");
}

/* Is there a [section] in the file(s) of this configuration mode? */
static int ini_has_section(const char *section, const char *file, UWORD mode)
{
    char names[8192];
    int n, found = 0;
    SQLSetConfigMode(mode);
    n = SQLGetPrivateProfileString(NULL, NULL, "", names, sizeof names, file);
    SQLSetConfigMode(ODBC_BOTH_DSN);
    for (int i = 0; i < n && names[i];) {
        if (!strcasecmp(names + i, section))
            found = 1;
        i += (int)strlen(names + i) + 1;
    }
    return found;
}

/* "user" or "system" for a DSN that exists, NULL when it does not. */
static const char *dsn_scope(const char *dsn)
{
    if (ini_has_section(dsn, "odbc.ini", ODBC_USER_DSN))
        return "user";
    if (ini_has_section(dsn, "odbc.ini", ODBC_SYSTEM_DSN))
        return "system";
    return NULL;
}

/* Checks what must exist before a connect can work; prints why not. */
static int check_config(const char *conn)
{
    char dsn[256], driver[256], files[1200], inst[512];
    if (conn_attr(conn, "DRIVER", driver, sizeof driver) && driver[0] != '/' &&
        !ini_has_section(driver, "odbcinst.ini", ODBC_BOTH_DSN)) {
        odbcinst_ini(inst, sizeof inst);
        say(stderr, "zodiac: driver '%s' is not in odbcinst.ini (%s)\n", driver, inst);
        return EXIT_CONNECT;
    }
    if (!conn_attr(conn, "DRIVER", driver, sizeof driver) &&
        conn_attr(conn, "DSN", dsn, sizeof dsn) && !dsn_scope(dsn)) {
        odbc_ini_files(files, sizeof files);
        say(stderr, "zodiac: DSN '%s' is not in odbc.ini (searched %s)\n", dsn, files);
        return EXIT_CONNECT;
    }
    return EXIT_OK;
}

/* ---- timing ------------------------------------------------------------------ */

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct stats {
    double min, median, max;
} stats;

static stats stats_of(double *v, int n)
{
    stats s = { 0, 0, 0 };
    if (n <= 0)
        return s;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    s.min = v[0];
    s.max = v[n - 1];
    s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return s;
}

/* ---- connecting -------------------------------------------------------------- */

/* One line: what failed, the SQLSTATE, and the message without line breaks and
   without the tool's own database name. */
static void print_error(const char *what, const zc_error *err)
{
    char msg[ZC_ERROR_MESSAGE_SIZE], *p = msg;
    const char *prefix = "database '" DB_NAME "': ";
    snprintf(msg, sizeof msg, "%s", err->message[0] ? err->message : zc_strerror(err->status));
    if (!strncmp(p, prefix, strlen(prefix)))
        p += strlen(prefix);
    {
        char *w = p; /* line breaks and runs of blanks become one space */
        for (const char *c = p; *c; c++)
            if (!strchr(" \t\r\n", *c))
                *w++ = *c;
            else if (w > p && w[-1] != ' ')
                *w++ = ' ';
        while (w > p && w[-1] == ' ')
            w--;
        *w = '\0';
    }
    if (err->sqlstate[0])
        say(stderr, "zodiac: %s: SQLSTATE %s: %s\n", what, err->sqlstate, p);
    else
        say(stderr, "zodiac: %s: %s\n", what, p);
}

/* Registers the database; exit code on failure (the message is printed). */
static int setup(const char *conn)
{
    zc_db_options opts = ZC_DB_OPTIONS_DEFAULT;
    zc_error err;
    int rc;
    /* a malformed string fails here and zc_db_setup below says where */
    (void)each_attr(conn, collect_secret, NULL);
    /* The tool measures: a validation query would add a round trip to each connect. */
    opts.pre_ping = ZC_PING_OFF;
    if (zc_db_setup(DB_NAME, conn, &opts, &err) != ZC_OK) {
        print_error("invalid connection string", &err);
        return EXIT_USAGE;
    }
    if ((rc = check_config(conn)) != EXIT_OK)
        return rc;
    return EXIT_OK;
}

static int open_session(zc_session **s, double *ms)
{
    zc_error err;
    zc_db_info info;
    double t0 = now_ms();
    if (zc_session_open(DB_NAME, s, &err) != ZC_OK) {
        char what[ZC_CONN_STR_MAX + 64];
        zc_db_get_info(DB_NAME, &info, NULL);
        snprintf(what, sizeof what, "cannot connect to %s", info.conn_str);
        print_error(what, &err);
        return err.status == ZC_ENOMEM ? EXIT_OTHER : EXIT_CONNECT;
    }
    *ms = now_ms() - t0;
    return EXIT_OK;
}

/* Runs SELECT 1 and checks the answer. */
static int select_one(zc_session *s, double *ms)
{
    zc_error err;
    int64_t v = 0;
    double t0 = now_ms();
    if (zc_session_query_int(s, "SELECT 1", NULL, 0, &v, &err) != ZC_OK) {
        print_error("SELECT 1 failed", &err);
        return err.status == ZC_ECONN ? EXIT_CONNECT : EXIT_OTHER;
    }
    *ms = now_ms() - t0;
    if (v != 1) {
        say(stderr, "zodiac: SELECT 1 returned %lld\n", (long long)v);
        return EXIT_OTHER;
    }
    /* end the read transaction, so the connection goes back to the pool clean */
    zc_session_rollback(s, NULL);
    return EXIT_OK;
}

/* ---- usage ------------------------------------------------------------------- */

static const char usage_main[] =
    "usage: zodiac <command> [options]\n"
    "\n"
    "commands:\n"
    "  doctor [-c N] <DSN | connection string>\n"
    "         driver, DBMS, dialect, pooling, threading, driver options, timings\n"
    "  ping [-c N] <DSN | connection string>\n"
    "         connect, run SELECT 1 N times (default 5), print the times\n"
    "  ddl [--dialect sqlite|postgresql|mysql|ansi|all]\n"
    "         the CREATE statements of the example models (default: all dialects)\n"
    "\n"
    "options:\n"
    "  -h, --help     this text; `zodiac <command> --help` for one command\n"
    "  -V, --version  print the version\n"
    "\n"
    "A connection string is a DSN name (mydsn), DSN=…;UID=…;PWD=…, or a DSN-less\n"
    "Driver={…};… string. Passwords are never printed.\n"
    "\n"
    "exit status: 0 ok, 1 usage error, 2 cannot connect (DSN or driver missing,\n"
    "server down, login refused), 3 other error. See zodiac(1).\n";

static const char usage_doctor[] =
    "usage: zodiac doctor [-c N] <DSN | connection string>\n"
    "\n"
    "Connects and prints what zodiac and the driver manager make of the database:\n"
    "the DSN and its odbc.ini, the driver (odbcinst.ini section and library), the\n"
    "DBMS and driver versions, the dialect zodiac chose, whether the driver manager\n"
    "pools the connections (and how to switch it on if not), the Threading level,\n"
    "the driver options zodiac recommends and which of them it appends, and the\n"
    "connect and SELECT 1 times (median of N runs, default 5).\n"
    "\n"
    "exit status: 0 ok, 1 usage, 2 cannot connect, 3 other error.\n";

static const char usage_ping[] =
    "usage: zodiac ping [-c N] <DSN | connection string>\n"
    "\n"
    "Connects, runs SELECT 1 N times (default 5) and prints each time and the\n"
    "min/median/max.\n"
    "\n"
    "exit status: 0 ok, 1 usage, 2 cannot connect, 3 a query failed.\n";

static const char usage_ddl[] =
    "usage: zodiac ddl [--dialect sqlite|postgresql|mysql|ansi|all]\n"
    "\n"
    "Prints the CREATE TABLE / CREATE INDEX statements zc_db_create_all() runs for\n"
    "the example models (examples/models.c) in a dialect, or in each (default all).\n"
    "\n"
    "exit status: 0 ok, 1 usage, 3 other error.\n";

/* The problem, the command's usage line, and where to read more. */
static int usage_error(const char *text, const char *fmt, const char *arg)
{
    fputs("zodiac: ", stderr);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%.*s", (int)(strchr(text, '\n') - text + 1), text);
    fputs("Run 'zodiac --help' or see zodiac(1).\n", stderr);
    return EXIT_USAGE;
}

/* Options of doctor and ping: [-c N] and one connection string, in any order. */
static int parse_conn_args(int argc, char **argv, const char *usage, const char **conn,
                           int *runs, int *help)
{
    *conn = NULL;
    *runs = RUNS_DEFAULT;
    *help = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *num = NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            *help = 1;
            return EXIT_OK;
        } else if (!strcmp(a, "-c") || !strcmp(a, "--count")) {
            if (i + 1 >= argc)
                return usage_error(usage, "%s needs a number", a);
            num = argv[++i];
        } else if (!strncmp(a, "--count=", 8)) {
            num = a + 8;
        } else if (!strncmp(a, "-c", 2) && a[2]) {
            num = a + 2;
        } else if (a[0] == '-' && a[1]) {
            return usage_error(usage, "unknown option '%s'", a);
        } else if (*conn) {
            return usage_error(usage, "%s", "give one DSN or connection string (quote it)");
        } else {
            *conn = a;
        }
        if (num) {
            char *e;
            long n;
            errno = 0;
            n = strtol(num, &e, 10);
            if (errno || e == num || *e || n < 1 || n > RUNS_MAX)
                return usage_error(usage, "the count must be 1 to 10000, not '%s'", num);
            *runs = (int)n;
        }
    }
    if (!*conn)
        return usage_error(usage, "%s", "no DSN or connection string given");
    return EXIT_OK;
}

/* ---- doctor ------------------------------------------------------------------ */

static const char *dialect_name(int d)
{
    switch (d) {
    case ZC_DIALECT_SQLITE: return "sqlite";
    case ZC_DIALECT_POSTGRESQL: return "postgresql";
    case ZC_DIALECT_MYSQL: return "mysql";
    case ZC_DIALECT_ANSI: return "ansi";
    default: return "unknown";
    }
}

static const char *threading_text(int t)
{
    switch (t) {
    case 0: return "0 (the driver manager serialises nothing)";
    case 1: return "1 (serialised per statement handle; connection calls per connection)";
    case 2: return "2 (serialised per connection: a connection and all its statements)";
    case 3: return "3 (one process-wide lock)";
    default: return "not set (unixODBC 2.3.11 then uses 0: nothing serialised)";
    }
}

/* What the driver manager does with a database's connections on disconnect. */
enum {
    POOL_ON,          /* [ODBC] Pooling=Yes and CPTimeout > 0: kept that long and reused */
    POOL_NO_PROCESS,  /* no [ODBC] Pooling=Yes: nothing is pooled in this process */
    POOL_NEVER,       /* CPTimeout=-1: pooled, expired at once, never reused */
    POOL_SAME_SECOND, /* CPTimeout 0 or unset: reused only within the same second */
    POOL_NO_SECTION   /* Driver= is a library path: no section, so no CPTimeout */
};

static int pool_state(const zc_db_info *info, char *cpt, size_t size)
{
    cpt[0] = '\0';
    if (info->driver[0] && info->driver[0] != '/')
        SQLGetPrivateProfileString(info->driver, "CPTimeout", "", cpt, (int)size,
                                   "odbcinst.ini");
    if (info->dm_pooling)
        return POOL_ON;
    if (!info->dm_pooling_enabled)
        return POOL_NO_PROCESS;
    if (!info->driver[0] || info->driver[0] == '/')
        return POOL_NO_SECTION;
    return !strcmp(cpt, "-1") ? POOL_NEVER : POOL_SAME_SECOND;
}

/* The pooling line, and when it is off, what to write where to switch it on. */
static void print_pooling(const zc_db_info *info, int state, const char *cpt)
{
    char inst[512];
    const char *drv = info->driver;
    odbcinst_ini(inst, sizeof inst);
    switch (state) {
    case POOL_ON:
        say(stdout, "%-20s on ([ODBC] Pooling=Yes; CPTimeout=%s in [%s]: an idle connection "
            "is kept %s s)\n", "pooling:", cpt, drv, cpt);
        return;
    case POOL_NO_PROCESS:
        say(stdout, "%-20s off (%s has no [ODBC] Pooling=Yes; unixODBC pools per process, "
            "for every driver or none)\n", "pooling:", inst);
        if (drv[0] && drv[0] != '/' && info->cp_timeout <= 0)
            say(stdout, "%-20s add \"Pooling=Yes\" under [ODBC] in %s, and set CPTimeout=60 "
                "(seconds an idle connection is kept) in [%s]\n", "  to switch on:", inst, drv);
        else
            say(stdout, "%-20s add \"Pooling=Yes\" under [ODBC] in %s\n", "  to switch on:",
                inst);
        return;
    case POOL_NO_SECTION:
        say(stdout, "%-20s off (Driver= names a library, not an odbcinst.ini section, so there "
            "is no CPTimeout: a connection is reused only within the same second)\n",
            "pooling:");
        say(stdout, "%-20s name the driver by a section of %s that sets CPTimeout=60, "
            "as in Driver={Name}\n", "  to switch on:", inst);
        return;
    case POOL_NEVER:
        say(stdout, "%-20s off (CPTimeout=-1 in [%s]: every connection expires at once and is "
            "never reused)\n", "pooling:", drv);
        break;
    default:
        say(stdout, "%-20s off (CPTimeout=%s in [%s]: unixODBC 2.3.11 reuses a connection only "
            "if asked for again within the same second)\n", "pooling:", cpt[0] ? cpt : "unset",
            drv);
        break;
    }
    say(stdout, "%-20s set CPTimeout=60 (seconds an idle connection is kept) in [%s] of %s\n",
        "  to switch on:", drv, inst);
}

static int cmd_doctor(int argc, char **argv)
{
    const char *conn;
    int runs, help, rc;
    zc_session *s = NULL;
    zc_db_info info;
    zc_error err;
    double first_connect = 0, ms, *t;
    char dsn[256], inst[512], file[512] = "", where[512], cpt[64];
    int pool;
    stats reconnect, rtt;

    if ((rc = parse_conn_args(argc, argv, usage_doctor, &conn, &runs, &help)) != EXIT_OK)
        return rc;
    if (help) {
        fputs(usage_doctor, stdout);
        return EXIT_OK;
    }
    if ((rc = setup(conn)) != EXIT_OK)
        return rc;
    t = calloc((size_t)runs, sizeof *t);
    if (!t) {
        say(stderr, "zodiac: out of memory\n");
        return EXIT_OTHER;
    }

    /* The first connect is a new connection; the next ones come from the driver
       manager's pool when it pools, so their time shows whether it does. */
    if ((rc = open_session(&s, &first_connect)) != EXIT_OK)
        goto out;
    rc = select_one(s, &t[0]);
    zc_session_close(&s);
    for (int i = 0; i < runs && rc == EXIT_OK; i++) {
        if ((rc = open_session(&s, &t[i])) == EXIT_OK) {
            rc = select_one(s, &ms);
            zc_session_close(&s);
        }
    }
    if (rc != EXIT_OK)
        goto out;
    reconnect = stats_of(t, runs);
    if ((rc = open_session(&s, &ms)) != EXIT_OK)
        goto out;
    for (int i = 0; i < runs && rc == EXIT_OK; i++)
        rc = select_one(s, &t[i]);
    zc_session_close(&s);
    if (rc != EXIT_OK)
        goto out;
    rtt = stats_of(t, runs);

    if (zc_db_get_info(DB_NAME, &info, &err) != ZC_OK) {
        print_error("zc_db_get_info", &err);
        rc = EXIT_OTHER;
        goto out;
    }
    odbcinst_ini(inst, sizeof inst);
    say(stdout, "zodiac %s doctor\n", ZC_VERSION_STRING);
    say(stdout, "%-20s %s\n", "connection string:", info.conn_str);
    if (conn_attr(conn, "DSN", dsn, sizeof dsn) && !conn_attr(conn, "DRIVER", file, sizeof file)) {
        const char *scope = dsn_scope(dsn);
        if (scope && !strcmp(scope, "user"))
            user_odbc_ini(where, sizeof where);
        else
            snprintf(where, sizeof where, "%s/odbc.ini", sys_dir());
        say(stdout, "%-20s %s (%s DSN in %s)\n", "dsn:", dsn, scope ? scope : "unknown", where);
    }
    file[0] = '\0';
    if (info.driver[0] && info.driver[0] != '/')
        SQLGetPrivateProfileString(info.driver, "Driver", "", file, sizeof file, "odbcinst.ini");
    if (info.driver[0] == '/')
        say(stdout, "%-20s %s (a library path, not an odbcinst.ini section)\n", "driver:",
            info.driver);
    else
        say(stdout, "%-20s [%s] in %s, library %s\n", "driver:", info.driver[0] ? info.driver
            : "?", inst, file[0] ? file : "?");
    say(stdout, "%-20s %s %s\n", "dbms:", info.dbms_name, info.dbms_version);
    say(stdout, "%-20s %s %s\n", "driver version:", info.driver_name, info.driver_version);
    say(stdout, "%-20s %s\n", "dialect:", dialect_name(info.dialect));
    pool = pool_state(&info, cpt, sizeof cpt);
    print_pooling(&info, pool, cpt);
    say(stdout, "%-20s %s\n", "threading:", threading_text(info.threading));
    say(stdout, "%-20s %s\n", "options recommended:",
        info.options_recommended[0] ? info.options_recommended : "(none for this driver)");
    say(stdout, "%-20s %s\n", "options added:",
        info.options_added[0] ? info.options_added
                              : "(none: the connection string or the DSN sets them all)");
    say(stdout, "%-20s %.2f ms first (a new connection); median %.2f ms of %d more (%s)\n",
        "connect:", first_connect, reconnect.median, runs,
        pool == POOL_ON ? "reused from the driver manager's pool"
        : pool == POOL_NEVER || pool == POOL_NO_PROCESS ? "new connections"
                                                         : "reused if within the same second");
    say(stdout, "%-20s median %.3f ms of %d SELECT 1 (min %.3f, max %.3f)\n", "round trip:",
        rtt.median, runs, rtt.min, rtt.max);
out:
    free(t);
    return rc;
}

/* ---- ping -------------------------------------------------------------------- */

static int cmd_ping(int argc, char **argv)
{
    const char *conn;
    int runs, help, rc;
    zc_session *s = NULL;
    zc_db_info info;
    double connect_ms, *t;
    stats st;

    if ((rc = parse_conn_args(argc, argv, usage_ping, &conn, &runs, &help)) != EXIT_OK)
        return rc;
    if (help) {
        fputs(usage_ping, stdout);
        return EXIT_OK;
    }
    if ((rc = setup(conn)) != EXIT_OK)
        return rc;
    if ((rc = open_session(&s, &connect_ms)) != EXIT_OK)
        return rc;
    t = calloc((size_t)runs, sizeof *t);
    if (!t) {
        zc_session_close(&s);
        say(stderr, "zodiac: out of memory\n");
        return EXIT_OTHER;
    }
    zc_db_get_info(DB_NAME, &info, NULL);
    say(stdout, "PING %s (%s %s): connected in %.2f ms\n", info.conn_str, info.dbms_name,
        info.dbms_version, connect_ms);
    for (int i = 0; i < runs && rc == EXIT_OK; i++) {
        if ((rc = select_one(s, &t[i])) == EXIT_OK)
            say(stdout, "SELECT 1: seq=%d time=%.3f ms\n", i + 1, t[i]);
    }
    zc_session_close(&s);
    if (rc == EXIT_OK) {
        st = stats_of(t, runs);
        say(stdout, "--- %d SELECT 1, min/median/max = %.3f/%.3f/%.3f ms\n", runs, st.min,
            st.median, st.max);
    }
    free(t);
    return rc;
}

/* ---- ddl --------------------------------------------------------------------- */

static int print_ddl(int dialect, int heading)
{
    zc_error err;
    char *text = NULL;
    if (zc_ddl_text(dialect, example_models, example_models_count, &text, &err) != ZC_OK) {
        print_error("zc_ddl_text", &err);
        return EXIT_OTHER;
    }
    if (heading)
        printf("-- %s\n", dialect_name(dialect));
    fputs(text, stdout);
    zc_free(text);
    return EXIT_OK;
}

static int cmd_ddl(int argc, char **argv)
{
    static const int all[] = { ZC_DIALECT_SQLITE, ZC_DIALECT_POSTGRESQL, ZC_DIALECT_MYSQL,
                               ZC_DIALECT_ANSI };
    const char *want = "all";
    int rc = EXIT_OK;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_ddl, stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "--dialect") || !strcmp(a, "-d")) {
            if (i + 1 >= argc)
                return usage_error(usage_ddl, "%s needs a dialect", a);
            want = argv[++i];
        } else if (!strncmp(a, "--dialect=", 10)) {
            want = a + 10;
        } else {
            return usage_error(usage_ddl, "unexpected argument '%s'", a);
        }
    }
    if (!strcmp(want, "all")) {
        for (size_t i = 0; i < sizeof all / sizeof all[0] && rc == EXIT_OK; i++) {
            if (i)
                putchar('\n');
            rc = print_ddl(all[i], 1);
        }
        return rc;
    }
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(want, dialect_name(all[i])))
            return print_ddl(all[i], 0);
    if (!strcmp(want, "mariadb"))
        return print_ddl(ZC_DIALECT_MYSQL, 0);
    return usage_error(usage_ddl, "unknown dialect '%s'", want);
}

/* ---- main -------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;
    int rc;
    if (!cmd)
        return usage_error(usage_main, "%s", "no command given");
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        const char *topic = argc > 2 ? argv[2] : "";
        fputs(!strcmp(topic, "doctor") ? usage_doctor : !strcmp(topic, "ping") ? usage_ping
              : !strcmp(topic, "ddl") ? usage_ddl : usage_main, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
        int v = zc_version_number();
        printf("zodiac %s (library %d.%d.%d)\n", ZC_VERSION_STRING, v / 10000, v / 100 % 100,
               v % 100);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "doctor"))
        rc = cmd_doctor(argc - 2, argv + 2);
    else if (!strcmp(cmd, "ping"))
        rc = cmd_ping(argc - 2, argv + 2);
    else if (!strcmp(cmd, "ddl"))
        rc = cmd_ddl(argc - 2, argv + 2);
    else
        return usage_error(usage_main, "unknown command '%s'", cmd);
    zc_db_shutdown();
    for (int i = 0; i < nsecrets; i++)
        free(secrets[i]);
    if (fflush(stdout) != 0 && rc == EXIT_OK)
        rc = EXIT_OTHER;
    return rc;
}
