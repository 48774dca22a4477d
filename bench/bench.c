/* SPDX-License-Identifier: MIT */
/*
 * bench: zodiac against hand-written raw ODBC on the same backends, in the same
 * process, with the same connection string (issue 4). See bench/README.md.
 *
 *   bench [-n N] [-r REPS] [-w W1,W2,W3,W4,W5] [--rss-rows M]
 *         [--backend sqlite|postgresql|mariadb]... [--raw-batch K] [--w5-ops K]
 *
 * Every measurement runs REPS times for each side, the order of the sides rotating
 * between repetitions; the tables report the median throughput of each side and
 * their ratio (zodiac / raw: >= 1 means zodiac is faster). Timers are CLOCK_MONOTONIC
 * and hold only the measured work: data generation, emptying the table and opening
 * the session or connection of W1-W4 happen outside them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static const zc_field bench_fields[] = {
    ZC_FIELD_TEXT(BenchUser, username, ZC_F_UNIQUE),
    ZC_FIELD_TEXT(BenchUser, email, 0),
    ZC_FIELD_INT32(BenchUser, score, 0),
};
ZC_MODEL(BenchUser, BENCH_TABLE, ZC_PK_INT, bench_fields);

static const zc_model *const models[] = {&BenchUser_model};

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double bench_last_cpu;
static double cpu0;

static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

double bench_start(void)
{
    cpu0 = cpu_now();
    return bench_now();
}

double bench_stop(void)
{
    double t = bench_now();
    bench_last_cpu = cpu_now() - cpu0;
    return t;
}

void bench_die(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "bench: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    exit(1);
}

static void zdie(const char *what, const zc_error *err)
{
    bench_die("zodiac: %s: %s [%s] %s", what, zc_strerror(err->status), err->sqlstate,
              err->message);
}

/* ---- options ------------------------------------------------------------------ */

enum { W1, W2, W3, W3C, W4, W5, NW };
static const char *const wname[NW] = {"W1", "W2", "W3", "W3c", "W4", "W5"};
static const char *const wdesc[NW] = {
    "insert row-at-a-time, 1 txn", "bulk insert, 1 txn", "full scan: zc_repo_find",
    "full scan: zc_repo_cursor",   "point select by id", "session cycle (pool)",
};
static const char *const wunit[NW] = {"rows/s", "rows/s", "rows/s", "rows/s", "ops/s", "ops/s"};

/* The sides: zodiac, raw, and raw variants that answer a further question. */
enum { V_ZODIAC, V_RAW, V_RAWDEF, V_RAWCOL, V_RAWRET, NV };
static const char *const vname[NV] = {"zodiac", "raw", "raw-defaults", "raw-columns",
                                      "raw-returning"};
static const char *const vdesc[NV] = {"", "", "raw-defaults (Protocol=7.4-2)",
                                      "raw-columns (column-wise arrays)",
                                      "raw-returning (RETURNING id)"};

#define MAX_REPS 99

enum { EMPTY_TRUNCATE = 0, EMPTY_DELETE };
#define MAX_BACKENDS 3

static struct {
    size_t n;
    int reps;
    int want[NW];
    long rss_rows;
    size_t raw_batch;
    size_t raw_rowset;
    size_t w5_ops;
    unsigned seed;
    int keep;
    int warmup;
    int verbose;
    int empty;     /* EMPTY_* */
    int sides[NV]; /* which sides run */
    const char *backends[MAX_BACKENDS];
    int nbackends;
} opt = {.n = 20000,
         .reps = 5,
         .want = {1, 1, 1, 1, 1, 1},
         .rss_rows = 1000000,
         .raw_batch = 1000,
         .raw_rowset = 256,
         .w5_ops = 2000,
         .seed = 42,
         .warmup = 1,
         .empty = EMPTY_TRUNCATE,
         .sides = {1, 1, 1, 1, 1}};

typedef struct backend {
    const char *name;       /* sqlite, postgresql, mariadb */
    const char *envvar;     /* ZC_TEST_* */
    const char *conn;       /* the connection string, as given */
    char raw_conn[2048];    /* conn + the options zodiac appended: the same string zodiac uses */
    char rawdef_conn[2048]; /* PostgreSQL: conn + Protocol=7.4-2 (psqlODBC's own default) */
    int has_rawdef;
    int has_rawret; /* MariaDB 10.5+: raw W1 can read its id with RETURNING, as zodiac does */
    int key_method; /* RAW_KEY_* */
    zc_repo *repo;
    zc_db_info info;
    double rate[NW][NV][MAX_REPS];
    double cpu[NW][NV][MAX_REPS]; /* client CPU microseconds per row / op */
    int nrate[NW][NV];
    int64_t *ids; /* ids of the N rows the read workloads use */
    struct {
        int done;
        long rows;
        double insert_secs;
        long kb[3];  /* base, zodiac, raw: ru_maxrss */
        long hwm[3]; /* the same as VmHWM */
        double secs[3];
        long got[3];
    } rss;
} backend;

static const struct {
    const char *name, *envvar;
} known[] = {
    {"sqlite", "ZC_TEST_SQLITE"}, {"postgresql", "ZC_TEST_PG"}, {"mariadb", "ZC_TEST_MARIA"}};

static const char *canon_backend(const char *b)
{
    if (!strcasecmp(b, "sqlite") || !strcasecmp(b, "sqlite3"))
        return "sqlite";
    if (!strcasecmp(b, "postgresql") || !strcasecmp(b, "pg") || !strcasecmp(b, "postgres"))
        return "postgresql";
    if (!strcasecmp(b, "mariadb") || !strcasecmp(b, "maria") || !strcasecmp(b, "mysql"))
        return "mariadb";
    return NULL;
}

static const char *envvar_of(const char *name)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(known[i].name, name))
            return known[i].envvar;
    return NULL;
}

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: bench [-n N] [-r REPS] [-w W1,W2,W3,W4,W5] [--rss-rows M]\n"
        "             [--backend sqlite|postgresql|mariadb]... [--raw-batch K]\n"
        "             [--raw-rowset K] [--w5-ops K] [--warmup K] [--seed S]\n"
        "             [--empty truncate|delete] [--sides LIST] [--keep] [-v]\n"
        "  -n N            rows of W1-W4 (default 20000); W4 reads N/4 random ids\n"
        "  -r REPS         repetitions of every measurement; the median is reported (default 5)\n"
        "  -w LIST         workloads to run (default all); W3 includes W3c (cursor)\n"
        "  --rss-rows M    rows of the streaming-scan peak-RSS test (default 1000000; 0 skips)\n"
        "  --backend B     repeatable; default: every backend whose ZC_TEST_* variable is set\n"
        "                  (ZC_TEST_SQLITE, ZC_TEST_PG, ZC_TEST_MARIA)\n"
        "  --raw-batch K   parameter-array size of raw W2 (default 1000)\n"
        "  --raw-rowset K  rows per SQLFetch of raw W3 (default 256)\n"
        "  --w5-ops K      session cycles of W5 (default 2000)\n"
        "  --warmup K      unrecorded repetitions before the measured ones (default 1)\n"
        "  --empty HOW     how the table is emptied before each insert run: truncate (default)\n"
        "                  or delete\n"
        "  --sides LIST    sides to run (default all): zodiac, raw, raw-defaults, raw-columns,\n"
        "                  raw-returning;\n"
        "                  ratios need zodiac and the raw side; for profiling one side\n"
        "  --keep          leave the bench_users table in place at the end\n"
        "  -v              say which server connection (backend pid / connection id) each\n"
        "                  measurement ran on (costs one query outside the timer)\n");
}

static long parse_num(const char *s, const char *what, long lo, long hi)
{
    char *e;
    long v;
    errno = 0;
    v = strtol(s, &e, 10);
    if (errno || e == s || *e || v < lo || v > hi)
        bench_die("%s: '%s' is not a number in %ld..%ld", what, s, lo, hi);
    return v;
}

/* Sets flags[i] for every name of list (comma separated) found in names[0..n). */
static void parse_names(const char *list, const char *const *names, int n, int *flags,
                        const char *what)
{
    char buf[256], *save = NULL;
    memset(flags, 0, (size_t)n * sizeof *flags);
    snprintf(buf, sizeof buf, "%s", list);
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int found = 0;
        for (int i = 0; i < n; i++)
            if (!strcasecmp(t, names[i])) {
                flags[i] = 1;
                found = 1;
            }
        if (!found)
            bench_die("%s: unknown name '%s'", what, t);
    }
}

static void parse_sides(const char *list)
{
    parse_names(list, vname, NV, opt.sides,
                "--sides (zodiac, raw, raw-defaults, raw-columns, raw-returning)");
}

static void parse_workloads(const char *list)
{
    parse_names(list, wname, NW, opt.want, "-w (W1, W2, W3, W3c, W4, W5)");
    if (opt.want[W3])
        opt.want[W3C] = 1; /* W3 includes the cursor scan */
}

/* ---- connection strings --------------------------------------------------------- */

/* Does conn set key (case-insensitive) as one of its key=value pairs? */
static int conn_has_key(const char *conn, const char *key, size_t klen)
{
    const char *p = conn;
    while (*p) {
        const char *e;
        while (*p == ';' || *p == ' ')
            p++;
        e = p;
        while (*e && *e != '=' && *e != ';')
            e++;
        if ((size_t)(e - p) == klen && !strncasecmp(p, key, klen))
            return 1;
        /* skip the value, braces included */
        if (*e == '=') {
            e++;
            if (*e == '{') {
                while (*e && *e != '}')
                    e++;
            }
            while (*e && *e != ';')
                e++;
        }
        p = e;
    }
    return 0;
}

/*
 * The connection string zodiac gives SQLDriverConnect: the caller's, plus the driver
 * options zodiac appended (src/db.c apply_driver_options: each as ";key=value", no ';'
 * doubled). zc_db_get_info() shows it with secrets masked, so the options are taken
 * from there and appended to the caller's string the same way.
 */
static void derive_raw_conn(const char *conn, const char *effective, char *out, size_t n)
{
    const char *p = effective;
    size_t len;
    snprintf(out, n, "%s", conn);
    while (*p) {
        const char *k = p, *e, *v_end;
        while (*k == ';' || *k == ' ')
            k++;
        e = k;
        while (*e && *e != '=' && *e != ';')
            e++;
        v_end = e;
        if (*v_end == '=') {
            v_end++;
            if (*v_end == '{')
                while (*v_end && *v_end != '}')
                    v_end++;
            while (*v_end && *v_end != ';')
                v_end++;
        }
        if (e > k && *e == '=' && !conn_has_key(conn, k, (size_t)(e - k))) {
            len = strlen(out);
            snprintf(out + len, n - len, "%s%.*s", len && out[len - 1] == ';' ? "" : ";",
                     (int)(v_end - k), k);
        }
        p = v_end;
    }
}

/* conn with the value of PWD / Password replaced by ***, for printing. */
static void mask_conn(const char *conn, char *out, size_t n)
{
    size_t o = 0;
    const char *p = conn;
    while (*p && o + 1 < n) {
        const char *e = p;
        while (*e && *e != '=' && *e != ';')
            e++;
        if (*e == '=' && ((e - p == 3 && !strncasecmp(p, "PWD", 3)) ||
                          (e - p == 8 && !strncasecmp(p, "Password", 8)))) {
            const char *v = e + 1;
            if (*v == '{')
                while (*v && *v != '}')
                    v++;
            while (*v && *v != ';')
                v++;
            o += (size_t)snprintf(out + o, n - o, "%.*s=***", (int)(e - p), p);
            p = v;
        } else {
            out[o++] = *p++;
        }
    }
    out[o < n ? o : n - 1] = '\0';
}

/* ---- data ------------------------------------------------------------------------ */

static uint64_t rng_state;
static uint64_t rng_next(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

static void make_rows(BenchUser *rows, size_t n, size_t base)
{
    memset(rows, 0, n * sizeof *rows);
    for (size_t i = 0; i < n; i++) {
        size_t k = base + i;
        snprintf(rows[i].username, sizeof rows[i].username, "user%09zu", k);
        snprintf(rows[i].email, sizeof rows[i].email, "user%09zu@example.com", k);
        rows[i].score = (int32_t)((k * 7919u) % 100000u);
    }
}

/* ---- zodiac helpers ---------------------------------------------------------------- */

static zc_session *open_session(const backend *b)
{
    zc_session *s;
    zc_error err;
    if (zc_session_open(b->name, &s, &err) != ZC_OK)
        zdie("zc_session_open", &err);
    return s;
}

/* A session for a measurement; with -v, says which server connection it got. */
static zc_session *measured_session(const backend *b)
{
    zc_session *s = open_session(b);
    const char *sql = b->info.dialect == ZC_DIALECT_POSTGRESQL ? "SELECT pg_backend_pid()"
                      : b->info.dialect == ZC_DIALECT_MYSQL    ? "SELECT CONNECTION_ID()"
                                                               : NULL;
    int64_t id = -1;
    zc_error err;
    if (!opt.verbose || !sql)
        return s;
    if (zc_session_query_int(s, sql, NULL, 0, &id, &err) != ZC_OK ||
        zc_session_commit(s, &err) != ZC_OK)
        zdie(sql, &err);
    fprintf(stderr, "  %-11s      zodiac on server connection %lld\n", b->name, (long long)id);
    return s;
}

static void z_exec(const backend *b, const char *sql)
{
    zc_session *s = open_session(b);
    zc_error err;
    if (zc_session_exec(s, sql, NULL, 0, NULL, &err) != ZC_OK)
        zdie(sql, &err);
    if (zc_session_commit(s, &err) != ZC_OK)
        zdie("commit", &err);
    zc_session_close(&s);
}

static int64_t z_count(const backend *b)
{
    int64_t n = -1;
    zc_error err;
    if (zc_repo_count(b->repo, NULL, NULL, NULL, 0, &n, &err) != ZC_OK)
        zdie("zc_repo_count", &err);
    return n;
}

/*
 * Empties the table (not timed). --empty truncate (the default): TRUNCATE, which gives
 * PostgreSQL and MariaDB a fresh table and id sequence. --empty delete: DELETE, which leaves
 * dead (PostgreSQL) or delete-marked (MariaDB) entries in the unique index that every
 * re-inserted username is checked against, and purge work behind it (RESULTS.md has the
 * cost). SQLite has only DELETE (it runs it as a truncate); its sequence row is reset too.
 */
static void empty_table(const backend *b)
{
    int trunc = opt.empty != EMPTY_DELETE;
    switch (b->info.dialect) {
    case ZC_DIALECT_POSTGRESQL:
        z_exec(b, trunc ? "TRUNCATE " BENCH_TABLE " RESTART IDENTITY" : "DELETE FROM " BENCH_TABLE);
        break;
    case ZC_DIALECT_MYSQL:
        z_exec(b, trunc ? "TRUNCATE TABLE " BENCH_TABLE : "DELETE FROM " BENCH_TABLE);
        break;
    default:
        z_exec(b, "DELETE FROM " BENCH_TABLE);
        z_exec(b, "DELETE FROM sqlite_sequence WHERE name = '" BENCH_TABLE "'");
        break;
    }
}

static void analyze_table(const backend *b)
{
    switch (b->info.dialect) {
    case ZC_DIALECT_POSTGRESQL:
        z_exec(b, "ANALYZE " BENCH_TABLE);
        break;
    case ZC_DIALECT_MYSQL:
        z_exec(b, "ANALYZE TABLE " BENCH_TABLE);
        break;
    default:
        z_exec(b, "ANALYZE");
        break;
    }
}

static void z_commit_close(zc_session **s)
{
    zc_error err;
    if (zc_session_commit(*s, &err) != ZC_OK)
        zdie("commit", &err);
    zc_session_close(s);
}

/* ---- the zodiac side of each workload (returns seconds) --------------------------- */

static double z_w1(const backend *b, BenchUser *rows, size_t n)
{
    zc_session *s = measured_session(b);
    zc_error err;
    double t0, t1;
    t0 = bench_start();
    for (size_t i = 0; i < n; i++)
        if (zc_repo_insert(b->repo, s, &rows[i], &err) != ZC_OK)
            zdie("zc_repo_insert", &err);
    if (zc_session_commit(s, &err) != ZC_OK)
        zdie("commit", &err);
    t1 = bench_stop();
    zc_session_close(&s);
    if (rows[n - 1].id <= 0)
        bench_die("zodiac W1: no generated id");
    return t1 - t0;
}

static double z_w2(const backend *b, BenchUser *rows, size_t n)
{
    zc_session *s = measured_session(b);
    zc_error err;
    double t0, t1;
    t0 = bench_start();
    if (zc_repo_insert_many(b->repo, s, rows, n, &err) != ZC_OK)
        zdie("zc_repo_insert_many", &err);
    if (zc_session_commit(s, &err) != ZC_OK)
        zdie("commit", &err);
    t1 = bench_stop();
    zc_session_close(&s);
    return t1 - t0;
}

static double z_w3(const backend *b, BenchUser *out, size_t n, size_t *got, int64_t *sum)
{
    zc_session *s = measured_session(b);
    zc_error err;
    double t0, t1;
    int64_t sm = 0;
    memset(out, 0, n * sizeof *out);
    t0 = bench_start();
    if (zc_repo_find(b->repo, s, NULL, out, n, got, &err) != ZC_OK)
        zdie("zc_repo_find", &err);
    if (zc_session_commit(s, &err) != ZC_OK)
        zdie("commit", &err);
    t1 = bench_stop();
    zc_session_close(&s);
    for (size_t i = 0; i < *got; i++)
        sm += out[i].id + out[i].score;
    *sum = sm;
    return t1 - t0;
}

static double z_w3c(const backend *b, BenchUser *out, size_t n, size_t *got, int64_t *sum)
{
    zc_session *s = measured_session(b);
    zc_cursor *c = NULL;
    zc_error err;
    double t0, t1;
    size_t i = 0;
    int rc;
    int64_t sm = 0;
    memset(out, 0, n * sizeof *out);
    t0 = bench_start();
    if (zc_repo_cursor(b->repo, s, NULL, &c, &err) != ZC_OK)
        zdie("zc_repo_cursor", &err);
    while (i < n && (rc = zc_cursor_next(c, &out[i], &err)) == ZC_OK)
        i++;
    if (i < n && rc != ZC_NOT_FOUND)
        zdie("zc_cursor_next", &err);
    zc_cursor_close(&c);
    if (zc_session_commit(s, &err) != ZC_OK)
        zdie("commit", &err);
    t1 = bench_stop();
    zc_session_close(&s);
    for (size_t j = 0; j < i; j++)
        sm += out[j].id + out[j].score;
    *got = i;
    *sum = sm;
    return t1 - t0;
}

static double z_w4(const backend *b, const int64_t *ids, size_t n, int64_t *sum)
{
    zc_session *s = measured_session(b);
    BenchUser u;
    zc_error err;
    double t0, t1;
    int64_t sm = 0;
    t0 = bench_start();
    for (size_t i = 0; i < n; i++) {
        int rc = zc_repo_get(b->repo, s, &ids[i], &u, &err);
        if (rc == ZC_OK)
            sm += u.id + u.score;
        else if (rc != ZC_NOT_FOUND)
            zdie("zc_repo_get", &err);
    }
    if (zc_session_commit(s, &err) != ZC_OK)
        zdie("commit", &err);
    t1 = bench_stop();
    zc_session_close(&s);
    *sum = sm;
    return t1 - t0;
}

static double z_w5(const backend *b, const int64_t *ids, size_t n, int64_t *sum)
{
    BenchUser u;
    zc_error err;
    double t0, t1;
    int64_t sm = 0;
    t0 = bench_start();
    for (size_t i = 0; i < n; i++) {
        zc_session *s;
        int rc;
        if (zc_session_open(b->name, &s, &err) != ZC_OK)
            zdie("zc_session_open", &err);
        rc = zc_repo_get(b->repo, s, &ids[i], &u, &err);
        if (rc == ZC_OK)
            sm += u.id + u.score;
        else if (rc != ZC_NOT_FOUND)
            zdie("zc_repo_get", &err);
        if (zc_session_commit(s, &err) != ZC_OK)
            zdie("commit", &err);
        zc_session_close(&s);
    }
    t1 = bench_stop();
    *sum = sm;
    return t1 - t0;
}

/* ---- running and recording ------------------------------------------------------- */

/* Repetitions below 0 are warm-ups: shown, not recorded. */
static void record(backend *b, int w, int v, int rep, double ops, double secs)
{
    double rate = secs > 0 ? ops / secs : 0, cpu_us = bench_last_cpu * 1e6 / ops;
    if (rep >= 0) {
        b->cpu[w][v][b->nrate[w][v]] = cpu_us;
        b->rate[w][v][b->nrate[w][v]++] = rate;
        fprintf(stderr, "  %-11s %-4s rep %d/%d %-12s %12.0f %s  (%.3f s, cpu %.2f us/op)\n",
                b->name, wname[w], rep + 1, opt.reps, vname[v], rate, wunit[w], secs, cpu_us);
    } else {
        fprintf(stderr, "  %-11s %-4s warm-up  %-12s %12.0f %s  (%.3f s, cpu %.2f us/op)\n",
                b->name, wname[w], vname[v], rate, wunit[w], secs, cpu_us);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
    double t[MAX_REPS];
    if (n == 0)
        return 0;
    memcpy(t, v, (size_t)n * sizeof *t);
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/* (max - min) / median, in percent: how noisy the repetitions were. */
static double spread(const double *v, int n)
{
    double lo = v[0], hi = v[0], m = median(v, n);
    for (int i = 1; i < n; i++) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    return m > 0 ? 100.0 * (hi - lo) / m : 0;
}

/* The variants of workload w on backend b, rotated by the repetition number. */
static int variants(const backend *b, int w, int rep, int *out)
{
    int all[NV], n = 0;
    if (opt.sides[V_ZODIAC])
        all[n++] = V_ZODIAC;
    if (opt.sides[V_RAW])
        all[n++] = V_RAW;
    if (opt.sides[V_RAWDEF] && b->has_rawdef && (w == W1 || w == W4))
        all[n++] = V_RAWDEF;
    if (opt.sides[V_RAWCOL] && w == W2)
        all[n++] = V_RAWCOL;
    if (opt.sides[V_RAWRET] && b->has_rawret && w == W1)
        all[n++] = V_RAWRET;
    if (rep < 0)
        rep += n * opt.warmup; /* warm-ups rotate too */
    for (int i = 0; i < n; i++)
        out[i] = all[(i + rep) % n];
    return n;
}

static void check_sum(const backend *b, const char *what, int64_t z, int64_t r)
{
    if (z != r)
        bench_die("%s %s: zodiac and raw read different data (checksum %lld vs %lld)", b->name,
                  what, (long long)z, (long long)r);
}

/*
 * The raw side's connection for one measurement, taken from the driver manager's pool
 * outside the timer and given back after. zodiac's sessions take theirs from the same
 * pool with the same connection string, so both sides usually run on the same server
 * process: on a small VM, where the server process sits relative to the client
 * (same CPU or not) changes round-trip times several-fold, and this keeps that equal.
 */
static SQLHDBC raw_for(const backend *b, int v)
{
    SQLHDBC dbc = raw_connect(v == V_RAWDEF ? b->rawdef_conn : b->raw_conn);
    if (opt.verbose && b->key_method != RAW_KEY_LAST_INSERT_ROWID)
        fprintf(stderr, "  %-11s      %s on server connection %ld\n", b->name, vname[v],
                raw_backend_id(dbc, b->key_method));
    return dbc;
}

static void run_inserts(backend *b, int w, const BenchUser *tmpl, BenchUser *work)
{
    size_t n = opt.n;
    for (int rep = -opt.warmup; rep < opt.reps; rep++) {
        int vs[NV], nv = variants(b, w, rep, vs);
        for (int j = 0; j < nv; j++) {
            int v = vs[j];
            double secs;
            int64_t last = 0;
            empty_table(b);
            memcpy(work, tmpl, n * sizeof *work);
            if (v == V_ZODIAC) {
                secs = w == W1 ? z_w1(b, work, n) : z_w2(b, work, n);
            } else {
                SQLHDBC dbc = raw_for(b, v);
                int key = v == V_RAWRET ? RAW_KEY_RETURNING : b->key_method;
                secs = w == W1         ? raw_w1(dbc, key, tmpl, n, &last)
                       : v == V_RAWCOL ? raw_w2_columns(dbc, tmpl, n, opt.raw_batch)
                                       : raw_w2(dbc, tmpl, n, opt.raw_batch);
                raw_disconnect(&dbc);
            }
            if (z_count(b) != (int64_t)n)
                bench_die("%s %s %s: the table does not hold %zu rows", b->name, wname[w], vname[v],
                          n);
            if (w == W1 && v != V_ZODIAC && last <= 0)
                bench_die("%s W1 %s: no generated id", b->name, vname[v]);
            record(b, w, v, rep, (double)n, secs);
        }
    }
}

/* Fills the table with N rows through zodiac and keeps their ids for W3-W5. */
static void fill(backend *b, const BenchUser *tmpl, BenchUser *work)
{
    zc_session *s;
    zc_error err;
    empty_table(b);
    memcpy(work, tmpl, opt.n * sizeof *work);
    s = open_session(b);
    if (zc_repo_insert_many(b->repo, s, work, opt.n, &err) != ZC_OK)
        zdie("zc_repo_insert_many (fill)", &err);
    z_commit_close(&s);
    analyze_table(b);
    b->ids = malloc(opt.n * sizeof *b->ids);
    if (!b->ids)
        bench_die("out of memory");
    for (size_t i = 0; i < opt.n; i++)
        b->ids[i] = work[i].id;
}

static void run_reads(backend *b, BenchUser *out)
{
    size_t n = opt.n, n4 = opt.n / 4 ? opt.n / 4 : 1, n5 = opt.w5_ops;
    int64_t *pick4 = malloc(n4 * sizeof *pick4), *pick5 = malloc(n5 * sizeof *pick5);
    if (!pick4 || !pick5)
        bench_die("out of memory");
    rng_state = opt.seed * UINT64_C(0x9E3779B97F4A7C15) + 1;
    for (size_t i = 0; i < n4; i++)
        pick4[i] = b->ids[rng_next() % n];
    for (size_t i = 0; i < n5; i++)
        pick5[i] = b->ids[rng_next() % n];

    for (int w = W3; w <= W5; w++) {
        if (!opt.want[w])
            continue;
        for (int rep = -opt.warmup; rep < opt.reps; rep++) {
            int vs[NV], nv = variants(b, w, rep, vs);
            int64_t zsum = 0, rsum = 0;
            int have_z = 0, have_r = 0;
            for (int j = 0; j < nv; j++) {
                int v = vs[j];
                size_t got = 0, ops = 0;
                int64_t sum = 0;
                double secs = 0;
                SQLHDBC dbc = v != V_ZODIAC && w != W5 ? raw_for(b, v) : NULL;
                switch (w) {
                case W3:
                case W3C:
                    if (v == V_ZODIAC)
                        secs = w == W3 ? z_w3(b, out, n, &got, &sum) : z_w3c(b, out, n, &got, &sum);
                    else
                        secs = raw_w3(dbc, n, opt.raw_rowset, &got, &sum);
                    if (got != n)
                        bench_die("%s %s %s: read %zu of %zu rows", b->name, wname[w], vname[v],
                                  got, n);
                    ops = n;
                    break;
                case W4:
                    secs = v == V_ZODIAC ? z_w4(b, pick4, n4, &sum) : raw_w4(dbc, pick4, n4, &sum);
                    ops = n4;
                    break;
                case W5:
                    secs = v == V_ZODIAC ? z_w5(b, pick5, n5, &sum)
                                         : raw_w5(b->raw_conn, pick5, n5, &sum);
                    ops = n5;
                    break;
                }
                raw_disconnect(&dbc);
                if (v == V_ZODIAC) {
                    zsum = sum;
                    have_z = 1;
                } else {
                    rsum = sum;
                    have_r = 1;
                }
                if (have_z && have_r)
                    check_sum(b, wname[w], zsum, rsum);
                record(b, w, v, rep, (double)ops, secs);
            }
        }
    }
    free(pick4);
    free(pick5);
}

/* ---- peak RSS of a streaming scan, in fresh child processes ------------------------ */

static const char *const rss_mode[3] = {"base", "zodiac", "raw"};

/*
 * Runs `bench --rss-child MODE --backend NAME` and reads its one line of output.
 *
 * Linux carries a process's peak RSS across execve: the exec'd image starts with the
 * ru_maxrss of the mm it replaced, which after fork() is a copy of this (large) process.
 * So the measured child is a grandchild: this process execs a small launcher
 * (`--rss-launch`), which forks and execs the child from its own few-MB image. The
 * child also reports VmHWM (the peak of its own address space only) as a cross-check.
 */
static void rss_child(backend *b, int mode)
{
    int fd[2];
    pid_t pid;
    char line[512] = "";
    FILE *f;
    int status;
    long kb = -1, rows = -1, hwm = -1;
    double secs = -1;

    if (pipe(fd) != 0)
        bench_die("pipe: %s", strerror(errno));
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0)
        bench_die("fork: %s", strerror(errno));
    if (pid == 0) {
        char *argv[] = {"bench",     "--rss-launch",  (char *)rss_mode[mode],
                        "--backend", (char *)b->name, NULL};
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        /* The raw child uses exactly the parent's raw connection string. */
        setenv("BENCH_RAW_CONN", b->raw_conn, 1);
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    close(fd[1]);
    f = fdopen(fd[0], "r");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "RSSCHILD maxrss_kb=%ld vmhwm_kb=%ld rows=%ld secs=%lf", &kb, &hwm, &rows,
                   &secs) == 4)
            break;
    if (f)
        fclose(f);
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || kb < 0)
        bench_die("%s: RSS child '%s' failed (status %d)", b->name, rss_mode[mode], status);
    b->rss.kb[mode] = kb;
    b->rss.hwm[mode] = hwm;
    b->rss.got[mode] = rows;
    b->rss.secs[mode] = secs;
    fprintf(stderr, "  %-11s RSS  %-7s peak %ld KB (VmHWM %ld KB), %ld rows in %.2f s\n", b->name,
            rss_mode[mode], kb, hwm, rows, secs);
}

/* The launcher: fork, exec the measured child, pass its exit status on. */
static int rss_launch_main(const char *mode, const char *bname)
{
    int status;
    pid_t pid = fork();
    if (pid < 0)
        bench_die("fork: %s", strerror(errno));
    if (pid == 0) {
        char *argv[] = {"bench", "--rss-child", (char *)mode, "--backend", (char *)bname, NULL};
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    if (waitpid(pid, &status, 0) < 0)
        return 1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* VmHWM of this process, in KB (-1 if unknown). */
static long vm_hwm_kb(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

static void run_rss(backend *b)
{
    const size_t chunk = 10000;
    BenchUser *rows = malloc(chunk * sizeof *rows);
    zc_session *s;
    zc_error err;
    double t0;
    if (!rows)
        bench_die("out of memory");
    empty_table(b);
    fprintf(stderr, "  %-11s RSS  inserting %ld rows (zc_repo_insert_many, %zu a call)...\n",
            b->name, opt.rss_rows, chunk);
    s = open_session(b);
    t0 = bench_now();
    for (long done = 0; done < opt.rss_rows;) {
        size_t k = (size_t)(opt.rss_rows - done) < chunk ? (size_t)(opt.rss_rows - done) : chunk;
        make_rows(rows, k, (size_t)done); /* inside the timer: this is a set-up figure */
        if (zc_repo_insert_many(b->repo, s, rows, k, &err) != ZC_OK)
            zdie("zc_repo_insert_many (rss)", &err);
        if (zc_session_commit(s, &err) != ZC_OK)
            zdie("commit", &err);
        done += (long)k;
    }
    b->rss.insert_secs = bench_now() - t0;
    zc_session_close(&s);
    free(rows);
    b->rss.rows = opt.rss_rows;
    analyze_table(b);
    for (int m = 0; m < 3; m++)
        rss_child(b, m);
    b->rss.done = 1;
}

/* The child: one mode, then its peak RSS on stdout. Its only job is to be measured. */
static int rss_child_main(const char *mode, const char *bname)
{
    const char *envvar = envvar_of(bname);
    const char *conn = envvar ? getenv(envvar) : NULL;
    struct rusage ru;
    long rows = 0;
    int64_t sum = 0;
    double t0, secs;
    zc_error err;

    if (!conn)
        bench_die("rss child: %s is not set", envvar ? envvar : bname);
    t0 = bench_now();
    if (!strcmp(mode, "raw")) {
        const char *raw_conn = getenv("BENCH_RAW_CONN");
        SQLHDBC dbc;
        raw_init();
        dbc = raw_connect(raw_conn ? raw_conn : conn);
        rows = raw_scan(dbc, &sum);
        raw_disconnect(&dbc);
        raw_done();
    } else {
        zc_repo *repo;
        zc_session *s;
        BenchUser u;
        if (zc_db_setup(bname, conn, NULL, &err) != ZC_OK)
            zdie("zc_db_setup", &err);
        if (zc_repo_open(&BenchUser_model, bname, &repo, &err) != ZC_OK)
            zdie("zc_repo_open", &err);
        if (zc_session_open(bname, &s, &err) != ZC_OK)
            zdie("zc_session_open", &err);
        if (!strcmp(mode, "zodiac")) {
            zc_cursor *c;
            int rc;
            if (zc_repo_cursor(repo, s, NULL, &c, &err) != ZC_OK)
                zdie("zc_repo_cursor", &err);
            while ((rc = zc_cursor_next(c, &u, &err)) == ZC_OK) {
                sum += u.id + u.score;
                rows++;
            }
            if (rc != ZC_NOT_FOUND)
                zdie("zc_cursor_next", &err);
            zc_cursor_close(&c);
        } else { /* base: what connecting and one point select cost */
            int64_t id = 1;
            int rc = zc_repo_get(repo, s, &id, &u, &err);
            if (rc < 0)
                zdie("zc_repo_get", &err);
            rows = rc == ZC_OK;
        }
        zc_session_close(&s);
        zc_repo_close(&repo);
        zc_db_shutdown();
    }
    secs = bench_now() - t0;
    getrusage(RUSAGE_SELF, &ru);
    printf("RSSCHILD maxrss_kb=%ld vmhwm_kb=%ld rows=%ld secs=%.3f sum=%lld\n", ru.ru_maxrss,
           vm_hwm_kb(), rows, secs, (long long)sum);
    return 0;
}

/* ---- reporting ------------------------------------------------------------------ */

static void fmt_rate(double v, char *out, size_t n)
{
    if (v <= 0)
        snprintf(out, n, "-");
    else
        snprintf(out, n, "%.0f", v);
}

static double best(const double *v, int n)
{
    double m = 0;
    for (int i = 0; i < n; i++)
        m = v[i] > m ? v[i] : m;
    return m;
}

static double least(const double *v, int n)
{
    double m = n ? v[0] : 0;
    for (int i = 1; i < n; i++)
        m = v[i] < m ? v[i] : m;
    return m;
}

/* One line of the table: zodiac against raw variant v. */
static void report_line(const backend *b, int w, int v)
{
    const double *zr = b->rate[w][V_ZODIAC], *rr = b->rate[w][v];
    int zn = b->nrate[w][V_ZODIAC], rn = b->nrate[w][v];
    double z = median(zr, zn), r = median(rr, rn), zb = best(zr, zn), rb = best(rr, rn);
    char zs[32], rs[32], zsp[16] = "", name[64];
    if (v == V_RAW)
        snprintf(zsp, sizeof zsp, "%.0f", spread(zr, zn));
    fmt_rate(z, zs, sizeof zs);
    fmt_rate(r, rs, sizeof rs);
    if (v == V_RAW)
        snprintf(name, sizeof name, "%-4s %s", wname[w], wdesc[w]);
    else
        snprintf(name, sizeof name, "     vs %s", vdesc[v]);
    printf("%-40s %-6s %9s %4s %9s %4.0f %6.2f | %6.2f | %6.2f %6.2f\n", name, wunit[w],
           v == V_RAW ? zs : "", zsp, rs, spread(rr, rn), r > 0 ? z / r : 0, rb > 0 ? zb / rb : 0,
           least(b->cpu[w][V_ZODIAC], zn), least(b->cpu[w][v], rn));
}

static void report(const backend *b)
{
    char conn[2100];
    printf("\n== %s: %s %s, driver %s %s ==\n", b->name, b->info.dbms_name, b->info.dbms_version,
           b->info.driver_name, b->info.driver_version);
    printf("N=%zu, W4 ops=%zu, W5 ops=%zu, reps=%d\n", opt.n, opt.n / 4 ? opt.n / 4 : 1, opt.w5_ops,
           opt.reps);
    printf("zodiac conn:       %s\n", b->info.conn_str);
    mask_conn(b->raw_conn, conn, sizeof conn);
    printf("raw conn:          %s\n", conn);
    if (b->has_rawdef) {
        mask_conn(b->rawdef_conn, conn, sizeof conn);
        printf("raw-defaults conn: %s\n", conn);
    }
    printf("ODBCSYSINI=%s  dm_pooling=%d (Pooling=%s, CPTimeout=%d)\n",
           getenv("ODBCSYSINI") ? getenv("ODBCSYSINI") : "(unset)", b->info.dm_pooling,
           b->info.dm_pooling_enabled ? "Yes" : "No", b->info.cp_timeout);
    printf("medians of the repetitions; spr%% = (max-min)/median; best = ratio of the best "
           "repetitions;\nCPU = this process's user+system CPU per row/op, least of the "
           "repetitions\n");
    printf("%-40s %-6s %9s %4s %9s %4s %6s | %6s | %6s %6s\n", "workload", "unit", "zodiac", "spr%",
           "raw", "spr%", "ratio", "best", "CPU us", "raw");
    for (int w = 0; w < NW; w++) {
        int any = 0;
        for (int v = 0; v < NV; v++)
            any |= b->nrate[w][v] > 0;
        if (!any)
            continue;
        report_line(b, w, V_RAW);
        /* further baselines: the same zodiac figures against another raw variant */
        for (int v = V_RAWDEF; v < NV; v++)
            if (b->nrate[w][v])
                report_line(b, w, v);
    }
    if (b->rss.done) {
        printf("RSS  streaming scan of %ld rows (fresh process each; peak RSS):\n", b->rss.rows);
        printf("     base (connect + 1 get)  %8ld KB (VmHWM %ld KB)\n", b->rss.kb[0],
               b->rss.hwm[0]);
        printf("     zodiac zc_repo_cursor   %8ld KB (VmHWM %ld KB)  %ld rows in %.2f s\n",
               b->rss.kb[1], b->rss.hwm[1], b->rss.got[1], b->rss.secs[1]);
        printf("     raw SELECT fetch loop   %8ld KB (VmHWM %ld KB)  %ld rows in %.2f s\n",
               b->rss.kb[2], b->rss.hwm[2], b->rss.got[2], b->rss.secs[2]);
        printf("     insert of the %ld rows: %.1f s (%.0f rows/s, zc_repo_insert_many by 10,000)\n",
               b->rss.rows, b->rss.insert_secs, (double)b->rss.rows / b->rss.insert_secs);
    }
    for (int w = 0; w < NW; w++) {
        const double *zr = b->rate[w][V_ZODIAC];
        int zn = b->nrate[w][V_ZODIAC];
        for (int v = V_RAW; v < NV; v++) {
            const double *rr = b->rate[w][v];
            int rn = b->nrate[w][v];
            double z = median(zr, zn), r = median(rr, rn);
            char label[32];
            if (!zn && !rn)
                continue;
            if (!rn && v != V_RAW)
                continue;
            snprintf(label, sizeof label, "%s%s%s", wname[w], v == V_RAW ? "" : "-",
                     v == V_RAW ? "" : vname[v]);
            printf("RESULT backend=%s workload=%s zodiac=%.0f raw=%.0f ratio=%.2f zodiac_best=%.0f "
                   "raw_best=%.0f zodiac_cpu_us=%.2f raw_cpu_us=%.2f\n",
                   b->name, label, z, r, r > 0 ? z / r : 0, best(zr, zn), best(rr, rn),
                   least(b->cpu[w][V_ZODIAC], zn), least(b->cpu[w][v], rn));
        }
    }
    if (b->rss.done)
        printf("RESULT backend=%s workload=RSS rows=%ld zodiac_kb=%ld raw_kb=%ld base_kb=%ld "
               "insert_s=%.1f\n",
               b->name, b->rss.rows, b->rss.kb[1], b->rss.kb[2], b->rss.kb[0], b->rss.insert_secs);
    fflush(stdout);
}

/* ---- one backend ------------------------------------------------------------------ */

static void run_backend(backend *b)
{
    zc_error err;
    zc_session *s;
    BenchUser *tmpl, *work;
    long id1, id2;

    if (zc_db_setup(b->name, b->conn, NULL, &err) != ZC_OK)
        zdie("zc_db_setup", &err);
    if (zc_repo_open(&BenchUser_model, b->name, &b->repo, &err) != ZC_OK)
        zdie("zc_repo_open", &err);
    s = open_session(b); /* connects once: the dialect facts are known after */
    zc_session_close(&s);
    if (zc_db_get_info(b->name, &b->info, &err) != ZC_OK)
        zdie("zc_db_get_info", &err);
    b->key_method = b->info.dialect == ZC_DIALECT_POSTGRESQL ? RAW_KEY_RETURNING
                    : b->info.dialect == ZC_DIALECT_MYSQL    ? RAW_KEY_LAST_INSERT_ID
                                                             : RAW_KEY_LAST_INSERT_ROWID;
    derive_raw_conn(b->conn, b->info.conn_str, b->raw_conn, sizeof b->raw_conn);
    if (b->info.dialect == ZC_DIALECT_MYSQL && !strncmp(b->info.dbms_name, "MariaDB", 7)) {
        unsigned major = 0, minor = 0;
        b->has_rawret = sscanf(b->info.dbms_version, "%u.%u", &major, &minor) == 2 &&
                        (major > 10 || (major == 10 && minor >= 5));
    }
    if (b->info.dialect == ZC_DIALECT_POSTGRESQL) {
        size_t len = strlen(b->conn);
        b->has_rawdef = 1;
        snprintf(b->rawdef_conn, sizeof b->rawdef_conn, "%s%sProtocol=7.4-2", b->conn,
                 len && b->conn[len - 1] == ';' ? "" : ";");
    }
    fprintf(stderr, "%s: %s %s via %s %s\n", b->name, b->info.dbms_name, b->info.dbms_version,
            b->info.driver_name, b->info.driver_version);

    if (zc_db_drop_all(b->name, models, 1, &err) != ZC_OK)
        zdie("zc_db_drop_all", &err);
    if (zc_db_create_all(b->name, models, 1, &err) != ZC_OK)
        zdie("zc_db_create_all", &err);

    /* Does the driver manager hand the raw side its connection back? (W5's premise) */
    {
        SQLHDBC t = raw_connect(b->raw_conn);
        id1 = raw_backend_id(t, b->key_method);
        raw_disconnect(&t);
        t = raw_connect(b->raw_conn);
        id2 = raw_backend_id(t, b->key_method);
        raw_disconnect(&t);
        if (id1 >= 0)
            fprintf(stderr, "%s: raw reconnect got backend %ld then %ld: pool reuse %s\n", b->name,
                    id1, id2, id1 == id2 ? "yes" : "NO");
    }

    tmpl = malloc(opt.n * sizeof *tmpl);
    work = malloc(opt.n * sizeof *work);
    if (!tmpl || !work)
        bench_die("out of memory");
    make_rows(tmpl, opt.n, 0);
    memset(work, 0, opt.n * sizeof *work);

    if (opt.want[W1])
        run_inserts(b, W1, tmpl, work);
    if (opt.want[W2])
        run_inserts(b, W2, tmpl, work);
    if (opt.want[W3] || opt.want[W3C] || opt.want[W4] || opt.want[W5]) {
        fill(b, tmpl, work);
        run_reads(b, work);
    }
    if (opt.rss_rows > 0)
        run_rss(b);
    if (!opt.keep && zc_db_drop_all(b->name, models, 1, &err) != ZC_OK)
        zdie("zc_db_drop_all", &err);
    report(b);
    free(tmpl);
    free(work);
    free(b->ids);
    zc_repo_close(&b->repo);
}

int main(int argc, char **argv)
{
    static const struct option lo[] = {{"rss-rows", required_argument, NULL, 'R'},
                                       {"backend", required_argument, NULL, 'b'},
                                       {"raw-batch", required_argument, NULL, 'B'},
                                       {"raw-rowset", required_argument, NULL, 'F'},
                                       {"w5-ops", required_argument, NULL, '5'},
                                       {"seed", required_argument, NULL, 's'},
                                       {"keep", no_argument, NULL, 'k'},
                                       {"rss-child", required_argument, NULL, 'C'},
                                       {"rss-launch", required_argument, NULL, 'L'},
                                       {"help", no_argument, NULL, 'h'},
                                       {"warmup", required_argument, NULL, 'W'},
                                       {"empty", required_argument, NULL, 'E'},
                                       {"sides", required_argument, NULL, 'S'},
                                       {NULL, 0, NULL, 0}};
    const char *child = NULL, *launch = NULL;
    static backend bs[MAX_BACKENDS];
    int nb = 0, c;
    time_t now = time(NULL);
    char date[64];

    while ((c = getopt_long(argc, argv, "n:r:w:vh", lo, NULL)) != -1) {
        switch (c) {
        case 'n':
            opt.n = (size_t)parse_num(optarg, "-n", 4, 100000000);
            break;
        case 'r':
            opt.reps = (int)parse_num(optarg, "-r", 1, MAX_REPS);
            break;
        case 'w':
            parse_workloads(optarg);
            break;
        case 'R':
            opt.rss_rows = parse_num(optarg, "--rss-rows", 0, 100000000);
            break;
        case 'B':
            opt.raw_batch = (size_t)parse_num(optarg, "--raw-batch", 1, 1000000);
            break;
        case 'F':
            opt.raw_rowset = (size_t)parse_num(optarg, "--raw-rowset", 1, 100000);
            break;
        case '5':
            opt.w5_ops = (size_t)parse_num(optarg, "--w5-ops", 1, 10000000);
            break;
        case 's':
            opt.seed = (unsigned)parse_num(optarg, "--seed", 0, 1000000000);
            break;
        case 'k':
            opt.keep = 1;
            break;
        case 'v':
            opt.verbose = 1;
            break;
        case 'S':
            parse_sides(optarg);
            break;
        case 'E':
            if (!strcmp(optarg, "truncate"))
                opt.empty = EMPTY_TRUNCATE;
            else if (!strcmp(optarg, "delete"))
                opt.empty = EMPTY_DELETE;
            else
                bench_die("--empty: truncate or delete");
            break;
        case 'W':
            opt.warmup = (int)parse_num(optarg, "--warmup", 0, 10);
            break;
        case 'C':
            child = optarg;
            break;
        case 'L':
            launch = optarg;
            break;
        case 'b': {
            const char *name = canon_backend(optarg);
            if (!name)
                bench_die("--backend: unknown backend '%s' (sqlite, postgresql, mariadb)", optarg);
            if (opt.nbackends < MAX_BACKENDS)
                opt.backends[opt.nbackends++] = name;
            break;
        }
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return 2;
    }
    if (child || launch) {
        if (opt.nbackends != 1)
            bench_die("--rss-child / --rss-launch need exactly one --backend");
        return child ? rss_child_main(child, opt.backends[0])
                     : rss_launch_main(launch, opt.backends[0]);
    }
    if (opt.nbackends == 0)
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            if (getenv(known[i].envvar) && *getenv(known[i].envvar))
                opt.backends[opt.nbackends++] = known[i].name;
    if (opt.nbackends == 0)
        bench_die("no backend: set ZC_TEST_SQLITE / ZC_TEST_PG / ZC_TEST_MARIA "
                  "(. /tmp/zodiac-run/env.sh) or use bench/run.sh");
    for (int i = 0; i < opt.nbackends; i++) {
        int dup = 0;
        for (int j = 0; j < nb; j++)
            dup |= !strcmp(bs[j].name, opt.backends[i]);
        if (dup)
            continue;
        bs[nb].name = opt.backends[i];
        bs[nb].envvar = envvar_of(opt.backends[i]);
        bs[nb].conn = getenv(bs[nb].envvar);
        if (!bs[nb].conn || !*bs[nb].conn)
            bench_die("%s: %s is not set", bs[nb].name, bs[nb].envvar);
        nb++;
    }
    if (!getenv("ODBCSYSINI"))
        fprintf(stderr, "bench: warning: ODBCSYSINI is not set: the system odbcinst.ini decides "
                        "pooling\n");

    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S %Z", localtime(&now));
    printf("zodiac bench, %s; N=%zu reps=%d warmup=%d rss-rows=%ld raw-batch=%zu "
           "raw-rowset=%zu empty=%s\n",
           date, opt.n, opt.reps, opt.warmup, opt.rss_rows, opt.raw_batch, opt.raw_rowset,
           opt.empty == EMPTY_DELETE ? "delete" : "truncate");
    fflush(stdout);
    raw_init();
    for (int i = 0; i < nb; i++)
        run_backend(&bs[i]);
    raw_done();
    zc_db_shutdown();
    return 0;
}
