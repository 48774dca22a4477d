/* SPDX-License-Identifier: MIT */
/*
 * load: 32 threads run many short sessions each (a get, an insert or an update
 * through one shared zc_repo, then a commit) against one database whose
 * admission limit is 8 sessions (pool_size 4 + max_overflow 4).
 *
 * What it proves, per backend:
 *   - nothing crashes and nothing deadlocks: the load runs in a child process
 *     that the test watches; when no session commits for LOAD_STALL_S seconds
 *     (timeouts are no progress: lost admission slots are a stall too) the test
 *     prints what every thread was doing, kills the child and fails (the
 *     watcher shares no lock with zodiac, so a deadlock cannot stop it);
 *   - admission holds: zodiac never has more than 8 sessions open (the
 *     database's high-water mark, and a sample every 200 ms), and every slot is
 *     given back (0 open at the end);
 *   - the only failure is ZC_ETIMEOUT from admission (no SQLSTATE: zodiac's own
 *     wait), never a driver, connection or retry error;
 *   - the data match the successful operations exactly: every committed insert
 *     is there once and no other, and each update target's counter equals the
 *     number of its committed updates (its one writer is the thread owning it);
 *     a get of an own row sees the last committed counter, on whatever pooled
 *     connection it lands;
 *   - no connection leaks: after zc_db_shutdown() the connections the load's
 *     process still has to the server (matched by client port) are the driver
 *     manager's idle pool -- no more than the sessions ever open at once, none
 *     inside a transaction -- (unixODBC 2.3.11 keeps pooled connections until
 *     their CPTimeout or the process exits); once that process has exited, the
 *     server has none of them left.
 *
 * ZC_LOAD_SESSIONS (sessions per thread, default 10000) scales the run down for
 * valgrind and ThreadSanitizer; the test prints the scale it ran.
 */
#include <dirent.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zctest.h"

#define LOAD_THREADS 32
#define LOAD_SESSIONS_DEFAULT 10000
#define LOAD_SEEDS 8 /* rows each thread owns and updates */
#define LOAD_POOL_SIZE 4
#define LOAD_MAX_OVERFLOW 4
/*
 * Admission wait. 32 threads share 8 slots, so a thread normally waits for
 * about three sessions ahead of it, a few milliseconds; the slowest
 * zc_session_open() of a whole run is 100-350 ms here. 2 s is far beyond that,
 * so a timeout means a thread lost the race for a freed slot again and again
 * (the wait is not first-come first-served); each one is checked to be
 * admission's own, and more than half timing out fails the test. Under
 * valgrind, which runs one thread at a time, a few do time out (up to 14 of
 * 1,600 seen). Slots that are never given back end in a stall, which the
 * watcher catches.
 */
#define LOAD_POOL_TIMEOUT_MS 2000
/* SQLite busy timeout: up to 8 short write transactions queue for the one writer lock. */
#define LOAD_SQLITE_BUSY_MS 30000
/* No session committed for this long: a deadlock, lost admission slots, or a server
   that stopped. */
#define LOAD_STALL_S 60

typedef struct LoadRow {
    ZC_INT_ID_FIELDS;
    int32_t owner;   /* the thread that inserted it */
    int64_t seq;     /* the thread's session number; -1-j for the thread's seed row j */
    int64_t counter; /* committed updates of the row */
    char note[32];
} LoadRow;

static const zc_field load_fields[] = {
    ZC_FIELD_INT32(LoadRow, owner, ZC_F_INDEX),
    ZC_FIELD_INT64(LoadRow, seq, 0),
    ZC_FIELD_INT64(LoadRow, counter, 0),
    ZC_FIELD_TEXT(LoadRow, note, 0),
};
static char load_table[64];
ZC_MODEL(LoadRow, load_table, ZC_PK_INT, load_fields);

#define LOAD_DB "load"
#define MAX_CONNS 64

enum { OP_GET_OWN, OP_GET_OTHER, OP_GET_LAST, OP_INSERT, OP_UPDATE, OP_N };
static const char *const op_names[OP_N] = {"get-own", "get-other", "get-last", "insert", "update"};

typedef struct server_conn {
    int64_t id; /* pg_backend_pid() / CONNECTION_ID() */
    unsigned port;
} server_conn;

/* Memory shared by the test and the load's process (MAP_SHARED). */
typedef struct load_shared {
    long progress;            /* atomic: committed sessions and finished checks */
    const char *phase;        /* atomic: a string literal */
    int cur_op[LOAD_THREADS]; /* atomic: what each thread does now */
    int cur_i[LOAD_THREADS];
    int finished; /* set last by the load's process */

    long attempted, ok, timeouts, failures, inserts, updates, gets;
    int64_t rows_expected, rows_found;
    int peak, sampled_max, pooled_after, pooled_in_txn;
    double max_wait_ms, seconds;
    int nconns;
    server_conn conns[MAX_CONNS];
    char failure[800];
} load_shared;

static load_shared *sh;

/* ---- failing inside the load's process ----------------------------------------- */

/* Check's assertions must not run in the load's process (without fork mode they would
   jump back into Check's runner there): it records the failure and exits. */
static void __attribute__((noreturn, format(printf, 2, 3)))
load_fail(int line, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(sh->failure, sizeof sh->failure, "check_load.c:%d: ", line);
    va_start(ap, fmt);
    vsnprintf(sh->failure + n, sizeof sh->failure - (size_t)n, fmt, ap);
    va_end(ap);
    fprintf(stderr, "load: %s\n", sh->failure);
    fflush(NULL);
    _exit(3);
}

#define LOAD_REQUIRE(cond, ...)                                                                    \
    do {                                                                                           \
        if (!(cond))                                                                               \
            load_fail(__LINE__, __VA_ARGS__);                                                      \
    } while (0)
#define LOAD_OK(call, errp)                                                                        \
    do {                                                                                           \
        int load_st_ = (call);                                                                     \
        LOAD_REQUIRE(load_st_ == ZC_OK, "%s -> %d (%s) [%s/%ld] %s", #call, load_st_,              \
                     zc_strerror(load_st_), (errp)->sqlstate, (errp)->native, (errp)->message);    \
    } while (0)

static void step(const char *phase)
{
    __atomic_store_n(&sh->phase, phase, __ATOMIC_RELAXED);
    __atomic_add_fetch(&sh->progress, 1, __ATOMIC_RELAXED);
}

/* ---- what the threads share ---------------------------------------------------- */

static zc_repo *repo;
static int sessions_per_thread;
static int64_t seed_id[LOAD_THREADS][LOAD_SEEDS]; /* written before the threads start */
static int stop_sampler;                          /* atomic */

typedef struct worker {
    int t;
    unsigned rnd;
    pthread_t th;
    LoadRow mine[LOAD_SEEDS];  /* the thread's seed rows as last committed */
    int64_t last_id, last_seq; /* the thread's last committed insert (0: none yet) */
    int cur_i;

    long ok, timeouts, failures;
    long inserts, updates, gets;
    int64_t seq_sum;    /* sum of seq over committed inserts */
    double max_wait_ms; /* slowest zc_session_open() that succeeded (admission + connect) */
    char first_failure[700];
} worker;

static worker workers[LOAD_THREADS];

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static unsigned next_rand(worker *w)
{
    w->rnd = w->rnd * 1103515245u + 12345u;
    return (w->rnd >> 8) & 0xffffff;
}

/* ZC_ETIMEOUT of zodiac's admission wait (a driver's timeout has an SQLSTATE). */
static int admission_timeout(int st, const zc_error *err)
{
    return st == ZC_ETIMEOUT && err->sqlstate[0] == '\0';
}

static void worker_fail(worker *w, const char *what, int st, const zc_error *err)
{
    if (w->failures++ == 0)
        snprintf(w->first_failure, sizeof w->first_failure,
                 "thread %d session %d %s: %d (%s) "
                 "[%s/%ld] %s",
                 w->t, w->cur_i, what, st, zc_strerror(st), err->sqlstate, err->native,
                 err->message);
}

/* ---- one session ----------------------------------------------------------------- */

#define WRONG_ROW 1000 /* run_op's status for a get that read the wrong values */

/* Checks a row read by a get (want_counter < 0: any counter). */
static int check_got(worker *w, int op, const LoadRow *got, int64_t want_owner, int64_t want_seq,
                     int64_t want_counter)
{
    if (got->owner == want_owner && got->seq == want_seq &&
        (want_counter < 0 || got->counter == want_counter))
        return ZC_OK;
    if (w->failures++ == 0)
        snprintf(w->first_failure, sizeof w->first_failure,
                 "thread %d session %d: %s read "
                 "owner %d seq %" PRId64 " counter %" PRId64 ", expected owner %" PRId64
                 " seq %" PRId64 " counter %" PRId64,
                 w->t, w->cur_i, op_names[op], got->owner, got->seq, got->counter, want_owner,
                 want_seq, want_counter);
    return WRONG_ROW;
}

/* Runs one operation in session s (NULL: the repository opens, commits and closes a
   session of its own); row gets what was written or read. */
static int run_op(worker *w, zc_session *s, int op, int i, LoadRow *row, zc_error *err)
{
    int st;
    memset(row, 0, sizeof *row);
    switch (op) {
    case OP_GET_OWN: {
        int j = (int)(next_rand(w) % LOAD_SEEDS);
        st = zc_repo_get(repo, s, &w->mine[j].id, row, err);
        return st == ZC_OK ? check_got(w, op, row, w->t, -1 - j, w->mine[j].counter) : st;
    }
    case OP_GET_OTHER: {
        int u = (int)(next_rand(w) % LOAD_THREADS), j = (int)(next_rand(w) % LOAD_SEEDS);
        st = zc_repo_get(repo, s, &seed_id[u][j], row, err);
        return st == ZC_OK ? check_got(w, op, row, u, -1 - j, -1) : st;
    }
    case OP_GET_LAST:
        st = zc_repo_get(repo, s, &w->last_id, row, err);
        return st == ZC_OK ? check_got(w, op, row, w->t, w->last_seq, 0) : st;
    case OP_INSERT:
        row->owner = w->t;
        row->seq = i;
        snprintf(row->note, sizeof row->note, "t%d/s%d", w->t, i);
        return zc_repo_insert(repo, s, row, err);
    default: { /* OP_UPDATE: the counter as the thread knows it, plus one */
        int j = i % LOAD_SEEDS;
        *row = w->mine[j];
        row->counter++;
        return zc_repo_update(repo, s, row, err);
    }
    }
}

/* What a committed operation changes in the thread's record of the data. */
static void committed(worker *w, int op, int i, const LoadRow *row)
{
    w->ok++;
    if (op == OP_INSERT) {
        w->inserts++;
        w->seq_sum += i;
        w->last_id = row->id;
        w->last_seq = i;
    } else if (op == OP_UPDATE) {
        w->updates++;
        w->mine[i % LOAD_SEEDS] = *row;
    } else {
        w->gets++;
    }
}

static void one_session(worker *w, int i)
{
    zc_error err;
    zc_session *s = NULL;
    LoadRow row;
    unsigned pick = next_rand(w) % 10;
    int op, st;
    double t0, waited;

    /* 40% gets, 30% inserts, 30% updates */
    if (pick < 4)
        op = pick < 2 ? OP_GET_OWN : (pick == 2 || w->last_id == 0) ? OP_GET_OTHER : OP_GET_LAST;
    else
        op = pick < 7 ? OP_INSERT : OP_UPDATE;
    w->cur_i = i;
    __atomic_store_n(&sh->cur_op[w->t], op, __ATOMIC_RELAXED);
    __atomic_store_n(&sh->cur_i[w->t], i, __ATOMIC_RELAXED);

    if (i % 4 == 3) {
        /* every 4th: the repository's own unit of work (open, do, commit, close) */
        st = run_op(w, NULL, op, i, &row, &err);
        if (st == ZC_OK)
            committed(w, op, i, &row);
        else if (admission_timeout(st, &err))
            w->timeouts++;
        else if (st != WRONG_ROW)
            worker_fail(w, op_names[op], st, &err);
        return;
    }

    t0 = now_ms();
    st = zc_session_open(LOAD_DB, &s, &err);
    if (st != ZC_OK) {
        if (admission_timeout(st, &err))
            w->timeouts++;
        else
            worker_fail(w, "open", st, &err);
        return;
    }
    waited = now_ms() - t0;
    if (waited > w->max_wait_ms)
        w->max_wait_ms = waited;
    st = run_op(w, s, op, i, &row, &err);
    if (st == ZC_OK) {
        st = zc_session_commit(s, &err);
        if (st == ZC_OK)
            committed(w, op, i, &row);
        else
            worker_fail(w, "commit", st, &err);
    } else if (st != WRONG_ROW) {
        worker_fail(w, op_names[op], st, &err);
    }
    zc_session_close(&s);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < sessions_per_thread; i++) {
        long ok = w->ok;
        one_session(w, i);
        /* progress is a committed session: timeouts alone are a stall (lost slots) */
        if (w->ok != ok)
            __atomic_add_fetch(&sh->progress, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

/* Samples the open sessions while the load runs (zc_db_get_info from yet another thread). */
static void *sampler_main(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&stop_sampler, __ATOMIC_ACQUIRE)) {
        zc_db_info info;
        zc_error err;
        if (zc_db_get_info(LOAD_DB, &info, &err) == ZC_OK && info.sessions_open > sh->sampled_max)
            sh->sampled_max = info.sessions_open;
        usleep(200 * 1000);
    }
    return NULL;
}

/* ---- connections a process holds --------------------------------------------------- */

/* What descriptor e of /proc/self/fd points to, NUL-terminated in link; 0 if unreadable. */
static int fd_target(const struct dirent *e, char *link, size_t size)
{
    char path[300];
    ssize_t k;
    snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
    k = readlink(path, link, size - 1);
    if (k <= 0)
        return 0;
    link[k] = '\0';
    return 1;
}

/* Local ports of the TCP sockets this process has open; -1 if /proc cannot tell. */
static int own_tcp_ports(unsigned *ports, int cap)
{
    unsigned long inodes[512];
    int ninodes = 0, n = 0;
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    static const char *const files[] = {"/proc/self/net/tcp", "/proc/self/net/tcp6"};

    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL && ninodes < 512) {
        char link[64];
        if (fd_target(e, link, sizeof link) &&
            sscanf(link, "socket:[%lu]", &inodes[ninodes]) == 1)
            ninodes++;
    }
    closedir(d);
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        FILE *fp = fopen(files[f], "r");
        char line[512];
        if (!fp)
            continue;
        while (fgets(line, sizeof line, fp)) {
            char local[64];
            unsigned long inode;
            char *colon;
            /* sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode */
            if (sscanf(line, " %*s %63s %*s %*s %*s %*s %*s %*s %*s %lu", local, &inode) != 2)
                continue;
            colon = strrchr(local, ':');
            for (int i = 0; colon && i < ninodes && n < cap; i++)
                if (inodes[i] == inode) {
                    ports[n++] = (unsigned)strtoul(colon + 1, NULL, 16);
                    break;
                }
        }
        fclose(fp);
    }
    return n;
}

static int has_port(const unsigned *ports, int n, unsigned p)
{
    for (int i = 0; i < n; i++)
        if (ports[i] == p)
            return 1;
    return 0;
}

/*
 * The server's sessions of the test user whose client port is in ports[] (the
 * probe's own left out), through database "probe"; *in_txn counts those inside a
 * transaction. Returns how many, or a negative status with err filled.
 */
static int server_conns(const unsigned *ports, int nports, server_conn *out, int cap, int *in_txn,
                        zc_error *err)
{
    zc_session *s = NULL;
    zc_rows *r = NULL;
    int n = 0, st;
    const char *sql =
        zct_cur->dialect == ZC_DIALECT_POSTGRESQL
            ? "SELECT pid, client_port, CASE WHEN xact_start IS NULL THEN 0 ELSE 1 END "
              "FROM pg_stat_activity WHERE usename = current_user AND pid <> pg_backend_pid() "
              "AND client_port IS NOT NULL"
            : "SELECT p.ID, SUBSTRING_INDEX(p.HOST, ':', -1), (SELECT COUNT(*) FROM "
              "information_schema.INNODB_TRX x WHERE x.trx_mysql_thread_id = p.ID) FROM "
              "information_schema.PROCESSLIST p WHERE p.USER = SUBSTRING_INDEX(USER(), '@', 1) "
              "AND p.ID <> CONNECTION_ID() AND p.HOST LIKE '%:%'";
    *in_txn = 0;
    if ((st = zc_session_open("probe", &s, err)) != ZC_OK)
        return st;
    if ((st = zc_session_query(s, sql, NULL, 0, &r, err)) != ZC_OK) {
        zc_session_close(&s);
        return st;
    }
    while ((st = zc_rows_next(r, err)) == ZC_OK) {
        int64_t id = 0, port = 0, txn = 0;
        if ((st = zc_rows_int(r, 0, &id, err)) != ZC_OK ||
            (st = zc_rows_int(r, 1, &port, err)) != ZC_OK ||
            (st = zc_rows_int(r, 2, &txn, err)) != ZC_OK)
            break;
        if (!has_port(ports, nports, (unsigned)port) || n >= cap)
            continue;
        out[n].id = id;
        out[n].port = (unsigned)port;
        n++;
        *in_txn += txn != 0;
    }
    zc_rows_close(&r);
    zc_session_close(&s);
    return st == ZC_NOT_FOUND ? n : st;
}

/* Open file descriptors of this process on a file (SQLite's connections); -1 on error. */
static int fds_on(const char *file)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL) {
        char link[4096];
        n += fd_target(e, link, sizeof link) && strcmp(link, file) == 0;
    }
    closedir(d);
    return n;
}

/* ---- checking the data --------------------------------------------------------------- */

static int64_t query_i64(zc_session *s, const char *fmt, int64_t arg)
{
    zc_error err;
    char sql[512];
    int64_t v = -1;
    zc_value p[] = {zc_int(arg)};
    snprintf(sql, sizeof sql, fmt, load_table);
    LOAD_OK(zc_session_query_int(s, sql, p, strchr(sql, '?') ? 1 : 0, &v, &err), &err);
    step("checking the data");
    return v;
}

/* Compares the table with what the threads committed; returns the number of rows. */
static int64_t check_data(void)
{
    zc_error err;
    zc_session *s = NULL;
    int64_t rows, dups;

    LOAD_OK(zc_session_open(LOAD_DB, &s, &err), &err);
    for (int t = 0; t < LOAD_THREADS; t++) {
        const worker *w = &workers[t];
        int64_t n = query_i64(s, "SELECT COUNT(*) FROM %s WHERE owner = ? AND seq >= 0", t);
        int64_t sum =
            n ? query_i64(s, "SELECT SUM(seq) FROM %s WHERE owner = ? AND seq >= 0", t) : 0;
        LOAD_REQUIRE(n == w->inserts, "thread %d: %ld inserts committed, %" PRId64 " rows found", t,
                     w->inserts, n);
        LOAD_REQUIRE(sum == w->seq_sum, "thread %d: sum of seq %" PRId64 ", expected %" PRId64, t,
                     sum, w->seq_sum);
        for (int j = 0; j < LOAD_SEEDS; j++) {
            LoadRow got;
            LOAD_OK(zc_repo_get(repo, s, &seed_id[t][j], &got, &err), &err);
            LOAD_REQUIRE(got.owner == t && got.seq == -1 - j && got.counter == w->mine[j].counter &&
                             got.updated_at == w->mine[j].updated_at,
                         "thread %d seed %d: counter %" PRId64 " updated_at %" PRId64 ", expected "
                         "%" PRId64 " and %" PRId64,
                         t, j, got.counter, got.updated_at, w->mine[j].counter,
                         w->mine[j].updated_at);
        }
    }
    /* no (owner, seq) twice: the counts and sums above cannot hide a swap */
    dups = query_i64(s,
                     "SELECT COUNT(*) FROM (SELECT owner, seq FROM %s GROUP BY owner, seq "
                     "HAVING COUNT(*) > 1) d",
                     0);
    LOAD_REQUIRE(dups == 0, "%" PRId64 " (owner, seq) pairs appear more than once", dups);
    LOAD_REQUIRE(query_i64(s, "SELECT SUM(counter) FROM %s", 0) == sh->updates,
                 "the counters do not add up to the %ld committed updates", sh->updates);
    rows = query_i64(s, "SELECT COUNT(*) FROM %s", 0);
    LOAD_OK(zc_session_commit(s, &err), &err);
    zc_session_close(&s);
    return rows;
}

/* ---- the load's process ----------------------------------------------------------------- */

/*
 * The SQLite connection string with a file of the test's own (on the shared test
 * file, other suites would wait for this one's writers), a long busy timeout, and
 * the write-ahead log with synchronous=NORMAL, what an application with
 * concurrent sessions would choose: writers still take turns on the one write
 * lock, but a commit costs no fsync of a rollback journal (with it, 320,000
 * sessions take about 5 minutes here, nearly all of it waiting on the disk).
 */
static void sqlite_conn(char *out, size_t size, const char *file)
{
    char copy[ZC_CONN_STR_MAX + 1];
    char *save = NULL;
    size_t len = 0;
    snprintf(copy, sizeof copy, "%s", zct_cur->conn);
    out[0] = '\0';
    for (char *a = strtok_r(copy, ";", &save); a && len < size; a = strtok_r(NULL, ";", &save))
        if (strncasecmp(a, "Database=", 9) && strncasecmp(a, "Timeout=", 8) &&
            strncasecmp(a, "JournalMode=", 12) && strncasecmp(a, "SyncPragma=", 11))
            len += (size_t)snprintf(out + len, size - len, "%s;", a);
    if (len < size)
        snprintf(out + len, size - len, "Database=%s;Timeout=%d;JournalMode=WAL;SyncPragma=NORMAL",
                 file, LOAD_SQLITE_BUSY_MS);
}

static void seed_rows(void)
{
    static LoadRow rows[LOAD_THREADS * LOAD_SEEDS];
    zc_error err;
    memset(rows, 0, sizeof rows);
    for (int t = 0; t < LOAD_THREADS; t++)
        for (int j = 0; j < LOAD_SEEDS; j++) {
            LoadRow *r = &rows[t * LOAD_SEEDS + j];
            r->owner = t;
            r->seq = -1 - j;
            snprintf(r->note, sizeof r->note, "seed t%d/%d", t, j);
        }
    LOAD_OK(zc_repo_insert_many(repo, NULL, rows, LOAD_THREADS * LOAD_SEEDS, &err), &err);
    for (int t = 0; t < LOAD_THREADS; t++) {
        memset(&workers[t], 0, sizeof workers[t]);
        workers[t].t = t;
        workers[t].rnd = 0x9e3779b9u * (unsigned)(t + 1);
        for (int j = 0; j < LOAD_SEEDS; j++) {
            workers[t].mine[j] = rows[t * LOAD_SEEDS + j];
            seed_id[t][j] = rows[t * LOAD_SEEDS + j].id;
        }
    }
}

static void run_threads(void)
{
    pthread_t sampler;
    const char *first = NULL;
    double t0;

    stop_sampler = 0;
    LOAD_REQUIRE(pthread_create(&sampler, NULL, sampler_main, NULL) == 0, "pthread_create");
    step("running");
    t0 = now_ms();
    for (int t = 0; t < LOAD_THREADS; t++)
        LOAD_REQUIRE(pthread_create(&workers[t].th, NULL, worker_main, &workers[t]) == 0,
                     "pthread_create");
    for (int t = 0; t < LOAD_THREADS; t++)
        pthread_join(workers[t].th, NULL);
    sh->seconds = (now_ms() - t0) / 1000.0;
    __atomic_store_n(&stop_sampler, 1, __ATOMIC_RELEASE);
    pthread_join(sampler, NULL);

    sh->attempted = (long)LOAD_THREADS * sessions_per_thread;
    for (int t = 0; t < LOAD_THREADS; t++) {
        const worker *w = &workers[t];
        sh->ok += w->ok;
        sh->timeouts += w->timeouts;
        sh->failures += w->failures;
        sh->gets += w->gets;
        sh->inserts += w->inserts;
        sh->updates += w->updates;
        if (w->max_wait_ms > sh->max_wait_ms)
            sh->max_wait_ms = w->max_wait_ms;
        if (w->failures && !first)
            first = w->first_failure;
    }
    LOAD_REQUIRE(sh->failures == 0,
                 "%ld sessions failed other than by an admission timeout; "
                 "the first: %s",
                 sh->failures, first);
    LOAD_REQUIRE(sh->ok + sh->timeouts == sh->attempted, "%ld + %ld != %ld", sh->ok, sh->timeouts,
                 sh->attempted);
    LOAD_REQUIRE(sh->gets + sh->inserts + sh->updates == sh->ok, "operations do not add up");
    /* the limit is not what was tested if most sessions never got in */
    LOAD_REQUIRE(sh->ok * 2 > sh->attempted, "only %ld of %ld sessions were admitted", sh->ok,
                 sh->attempted);
}

/* The TCP sockets the load's process had before it started (with CK_FORK=no, the
   pooled connections of earlier tests, inherited from the parent): not the load's. */
static unsigned ports_before[512];
static int nports_before;

/* What is left of the load's connections after zc_db_shutdown(). */
static void connections_after(const char *sqlite_file)
{
    zc_error err;
    unsigned all[512], ports[512];
    int nall, nports = 0;

    if (sqlite_file) {
        sh->pooled_after = fds_on(sqlite_file);
        LOAD_REQUIRE(sh->pooled_after >= 0, "cannot read /proc/self/fd");
    } else {
        LOAD_OK(zc_db_setup("probe", zct_cur->conn_nopool, NULL, &err), &err);
        nall = own_tcp_ports(all, 512);
        LOAD_REQUIRE(nall >= 0, "cannot read /proc/self/fd");
        for (int i = 0; i < nall; i++)
            if (!has_port(ports_before, nports_before, all[i]))
                ports[nports++] = all[i];
        sh->nconns = server_conns(ports, nports, sh->conns, MAX_CONNS, &sh->pooled_in_txn, &err);
        LOAD_REQUIRE(sh->nconns >= 0, "listing the server's connections: %s", err.message);
        sh->pooled_after = sh->nconns;
        zc_db_shutdown();
    }
    LOAD_REQUIRE(sh->pooled_after <= sh->peak,
                 "%d connections open after shutdown, more than "
                 "the %d sessions ever open at once: a connection was not given back",
                 sh->pooled_after, sh->peak);
    LOAD_REQUIRE(sh->pooled_in_txn == 0, "%d pooled connections are inside a transaction",
                 sh->pooled_in_txn);
}

static void load_process(const char *sqlite_file)
{
    const zc_model *models[] = {&LoadRow_model};
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    zc_error err;
    zc_db_info info;
    char conn[ZC_CONN_STR_MAX + 1];

    step("setting up");
    nports_before = own_tcp_ports(ports_before, 512);
    LOAD_REQUIRE(nports_before >= 0, "cannot read /proc/self/fd");
    o.pool_size = LOAD_POOL_SIZE;
    o.max_overflow = LOAD_MAX_OVERFLOW;
    o.pool_timeout_ms = LOAD_POOL_TIMEOUT_MS;
    /* A connection string of its own, so the driver manager's pool never hands the load
       a connection that another test of this process (CK_FORK=no) left there and the
       parent still owns: the pool key is the connection string. */
    if (sqlite_file)
        sqlite_conn(conn, sizeof conn, sqlite_file);
    else
        snprintf(conn, sizeof conn, "%s;Description=zodiac load test", zct_cur->conn);
    LOAD_OK(zc_db_setup(LOAD_DB, conn, &o, &err), &err);
    LOAD_OK(zc_db_drop_all(LOAD_DB, models, 1, &err), &err);
    LOAD_OK(zc_db_create_all(LOAD_DB, models, 1, &err), &err);
    LOAD_OK(zc_repo_open(&LoadRow_model, LOAD_DB, &repo, &err), &err);
    seed_rows();

    run_threads();

    step("checking admission");
    LOAD_OK(zc_db_get_info(LOAD_DB, &info, &err), &err);
    LOAD_REQUIRE(info.sessions_max == LOAD_POOL_SIZE + LOAD_MAX_OVERFLOW, "sessions_max %d",
                 info.sessions_max);
    LOAD_REQUIRE(info.sessions_open == 0, "%d sessions still open", info.sessions_open);
    LOAD_REQUIRE(info.sessions_peak <= info.sessions_max && sh->sampled_max <= info.sessions_max,
                 "%d sessions were open at once (sampled %d)", info.sessions_peak, sh->sampled_max);
    LOAD_REQUIRE(info.sessions_peak > 1, "the load never had two sessions open at once");
    sh->peak = info.sessions_peak;

    sh->rows_found = check_data();
    sh->rows_expected = (int64_t)LOAD_THREADS * LOAD_SEEDS + sh->inserts;
    LOAD_REQUIRE(sh->rows_found == sh->rows_expected, "rows: expected %" PRId64 ", found %" PRId64,
                 sh->rows_expected, sh->rows_found);

    step("shutting down");
    LOAD_OK(zc_db_drop_all(LOAD_DB, models, 1, &err), &err);
    zc_repo_close(&repo);
    zc_db_shutdown();
    connections_after(sqlite_file);
    __atomic_store_n(&sh->finished, 1, __ATOMIC_RELEASE);
}

/* ---- the test (the watcher) ---------------------------------------------------------------- */

static int scale(void)
{
    const char *v = getenv("ZC_LOAD_SESSIONS");
    long n = v && *v ? strtol(v, NULL, 10) : LOAD_SESSIONS_DEFAULT;
    return n < 1 ? 1 : n > 1000000 ? 1000000 : (int)n;
}

/* Waits for the load's process; kills it and fails when it stops making progress. */
static void watch(pid_t pid)
{
    long last = -1;
    double last_change = now_ms();
    int status;

    for (;;) {
        pid_t got = waitpid(pid, &status, WNOHANG);
        long progress = __atomic_load_n(&sh->progress, __ATOMIC_RELAXED);
        ck_assert_int_ge(got, 0);
        if (got == pid)
            break;
        if (progress != last) {
            last = progress;
            last_change = now_ms();
        } else if (now_ms() - last_change > LOAD_STALL_S * 1000.0) {
            fprintf(stderr,
                    "load/%s: WATCHDOG: no session committed for %d s while %s (%ld "
                    "steps done); the threads are at:\n",
                    zct_cur->name, LOAD_STALL_S, __atomic_load_n(&sh->phase, __ATOMIC_RELAXED),
                    progress);
            for (int t = 0; t < LOAD_THREADS; t++)
                fprintf(stderr, "  thread %2d: session %d, %s\n", t, sh->cur_i[t],
                        op_names[sh->cur_op[t]]);
            fflush(stderr);
            kill(pid, SIGABRT); /* valgrind and the core show where it stood */
            sleep(5);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            ck_abort_msg("load/%s: deadlock or stall: no progress for %d s while %s", zct_cur->name,
                         LOAD_STALL_S, sh->phase);
        }
        usleep(100 * 1000);
    }
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0 && sh->finished,
                  "load/%s: the load's process %s %d: %s", zct_cur->name,
                  WIFSIGNALED(status) ? "died of signal" : "exited with",
                  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
                  sh->failure[0] ? sh->failure : "(no message)");
}

/* The load process's connections, by (id, port): gone once the server noticed. */
static int left_on_server(void)
{
    zc_error err;
    int remaining = 0;
    ZCT_OK(zc_db_setup("probe", zct_cur->conn_nopool, NULL, &err), &err);
    for (int tries = 0; tries < 100; tries++) {
        unsigned ports[MAX_CONNS];
        server_conn now[MAX_CONNS];
        int in_txn, n;
        for (int i = 0; i < sh->nconns; i++)
            ports[i] = sh->conns[i].port;
        n = server_conns(ports, sh->nconns, now, MAX_CONNS, &in_txn, &err);
        ck_assert_msg(n >= 0, "listing the server's connections: %s", err.message);
        remaining = 0;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < sh->nconns; k++)
                remaining += now[i].id == sh->conns[k].id && now[i].port == sh->conns[k].port;
        if (remaining == 0)
            break;
        usleep(100 * 1000);
    }
    return remaining;
}

START_TEST(many_threads_short_sessions)
{
    char file[300] = "";
    int remaining = -1;
    pid_t pid, parent;

    sessions_per_thread = scale();
    snprintf(load_table, sizeof load_table, "zc_load_%ld", (long)getpid());
    printf("load/%s: scale: %d threads x %d sessions%s; pool_size %d + max_overflow %d, "
           "pool_timeout_ms %d\n",
           zct_cur->name, LOAD_THREADS, sessions_per_thread,
           sessions_per_thread == LOAD_SESSIONS_DEFAULT ? "" : " (scaled by ZC_LOAD_SESSIONS)",
           LOAD_POOL_SIZE, LOAD_MAX_OVERFLOW, LOAD_POOL_TIMEOUT_MS);
    fflush(stdout);
    if (zct_cur->dialect == ZC_DIALECT_SQLITE) {
        char cwd[200];
        ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
        snprintf(file, sizeof file, "%s/zc_load_%ld.sqlite", cwd, (long)getpid());
        unlink(file);
    }

    /* The load runs in a process of its own: the watcher shares no lock with it, and
       the server can be asked afterwards whether its connections outlived it. */
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(sh, MAP_FAILED);
    memset(sh, 0, sizeof *sh);
    zc_db_shutdown(); /* the fixture's database: the child starts with an empty registry */
    fflush(NULL);
    parent = getpid();
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        /* dies with the test (Check's own time limit kills it with SIGKILL) */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
            _exit(4);
        load_process(file[0] ? file : NULL);
        fflush(NULL);
        _exit(0);
    }
    watch(pid);

    if (file[0]) {
        static const char *const sides[] = {"-journal", "-wal", "-shm"};
        for (size_t k = 0; k < sizeof sides / sizeof sides[0]; k++) {
            char side[320];
            snprintf(side, sizeof side, "%s%s", file, sides[k]);
            unlink(side);
        }
        unlink(file);
    } else {
        remaining = left_on_server();
        ck_assert_msg(remaining == 0,
                      "%d connections of the load's process are still on the "
                      "server after it exited",
                      remaining);
    }

    printf("load/%s: sessions attempted %ld, succeeded %ld, timed out %ld (gets %ld, inserts %ld, "
           "updates %ld); rows expected %" PRId64 " found %" PRId64 "; open at once: at most %d "
           "of %d; slowest zc_session_open %.1f ms; backends after shutdown: %d (the driver "
           "manager's idle pool, %d in a transaction), after exit: %s; %.1f s\n",
           zct_cur->name, sh->attempted, sh->ok, sh->timeouts, sh->gets, sh->inserts, sh->updates,
           sh->rows_expected, sh->rows_found, sh->peak, LOAD_POOL_SIZE + LOAD_MAX_OVERFLOW,
           sh->max_wait_ms, sh->pooled_after, sh->pooled_in_txn,
           remaining < 0 ? "n/a (embedded)" : "0", sh->seconds);
    fflush(stdout);
    munmap(sh, sizeof *sh);
    sh = NULL;
}
END_TEST

/* ---- the log callback, from every thread, swapped while they run ---------------------- */

#define ECHO_THREADS 8
#define ECHO_SESSIONS 200

static long echo_lines[2]; /* atomic: lines each callback saw */
static int echo_bad;       /* atomic: lines that were not what the callback expects */

static void echo_log(void *ud, int level, const char *db, const char *line)
{
    long *n = ud;
    if (level != ZC_LOG_DEBUG || strcmp(db, "echoed") != 0 || !strstr(line, " ms "))
        __atomic_store_n(&echo_bad, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(n, 1, __ATOMIC_RELAXED);
}

static void *echo_worker(void *arg)
{
    int *failed = arg;
    for (int i = 0; i < ECHO_SESSIONS; i++) {
        zc_error err;
        zc_session *s = NULL;
        int64_t v = 0;
        zc_value p[] = {zc_int(i)};
        if (zc_session_open("echoed", &s, &err) != ZC_OK ||
            zc_session_query_int(s, "SELECT 1 + ?", p, 1, &v, &err) != ZC_OK || v != 1 + i ||
            zc_session_commit(s, &err) != ZC_OK)
            (*failed)++;
        zc_session_close(&s);
    }
    return NULL;
}

/*
 * zc_set_log() while other threads log: each line reaches the callback that was set
 * (with its own ud), from whichever thread ran the statement, and swapping or
 * clearing the callback meanwhile is safe (ThreadSanitizer checks the "safe").
 */
START_TEST(log_callback_swapped_under_load)
{
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    zc_error err;
    pthread_t th[ECHO_THREADS];
    int failed[ECHO_THREADS] = {0};
    long before;

    o.echo = 1;
    ZCT_OK(zc_db_setup("echoed", zct_cur->conn, &o, &err), &err);
    echo_lines[0] = echo_lines[1] = 0;
    echo_bad = 0;
    for (int t = 0; t < ECHO_THREADS; t++)
        ck_assert_int_eq(pthread_create(&th[t], NULL, echo_worker, &failed[t]), 0);
    for (int k = 0; k < 200; k++) {
        zc_set_log(k % 3 == 2 ? NULL : echo_log, &echo_lines[k % 2]);
        usleep(1000);
    }
    zc_set_log(echo_log, &echo_lines[0]);
    for (int t = 0; t < ECHO_THREADS; t++) {
        pthread_join(th[t], NULL);
        ck_assert_msg(failed[t] == 0, "thread %d: %d sessions failed", t, failed[t]);
    }
    /* with the callback set and nothing else running, every statement is one line */
    before = echo_lines[0];
    echo_worker(&failed[0]);
    zc_set_log(NULL, NULL);
    ck_assert_int_eq(failed[0], 0);
    /* the connect, the query and the commit */
    ck_assert_int_eq(echo_lines[0] - before, ECHO_SESSIONS * 3);
    ck_assert_int_eq(echo_bad, 0);
    printf("load/%s: log lines while swapping callbacks: %ld and %ld; then %ld for %d "
           "sessions\n",
           zct_cur->name, before, echo_lines[1], echo_lines[0] - before, ECHO_SESSIONS);
}
END_TEST

static void add_load_tests(TCase *tc)
{
    tcase_add_test(tc, log_callback_swapped_under_load);
    tcase_add_test(tc, many_threads_short_sessions);
}

int main(void)
{
    Suite *s = suite_create("load");
    /* Check's limit (when it forks) backs up the watcher; 30 minutes is never reached. */
    zct_add_backend_cases(s, "load", add_load_tests, 1800, 0);
    return zct_run(s);
}
