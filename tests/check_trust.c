/* SPDX-License-Identifier: MIT */
/*
 * trust: what zodiac guarantees when several sessions, threads or processes
 * work at once, and when stored values are not what zodiac itself would write
 * (docs/reliability.md, section "Trust"). Every case runs on each backend of
 * the run and prints one line saying what it checked.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zctest.h"

/* A row that names who inserted it: the id the server gave it must lead back to it. */
typedef struct Mark {
    ZC_INT_ID_FIELDS;
    char tag[40];
    int64_t n;
} Mark;
static const zc_field mark_fields[] = {
    ZC_FIELD_TEXT(Mark, tag, ZC_F_UNIQUE),
    ZC_FIELD_INT64(Mark, n, 0),
};
static char mark_table[64] = "zc_mark";
ZC_MODEL(Mark, mark_table, ZC_PK_INT, mark_fields);

static void make_marks(void)
{
    const zc_model *m[] = { &Mark_model };
    zc_error err;
    snprintf(mark_table, sizeof mark_table, "zc_mark%s", zct_uniq());
    ZCT_OK(zc_db_drop_all(NULL, m, 1, &err), &err);
    ZCT_OK(zc_db_create_all(NULL, m, 1, &err), &err);
}

static void drop_marks(void)
{
    const zc_model *m[] = { &Mark_model };
    zc_db_drop_all(NULL, m, 1, NULL);
}

/* A status worth another attempt when writers contend (SQLite busy, deadlocks). */
static int contended(int st)
{
    return st == ZC_ERETRY;
}

/* ---- 1. ids of bulk inserts beside other writers --------------------------------- */

#define WRITERS 4
#define BULK_ROWS 2000

struct writer {
    zc_repo *repo;
    int bulk;         /* 1: insert_many of BULK_ROWS rows; 0: single inserts until told */
    int k;
    Mark *rows;
    int nrows;
    int retries;
    int status;
    zc_error err;
    int *stop;
};

static void *write_marks(void *arg)
{
    struct writer *w = arg;
    w->status = ZC_OK;
    if (w->bulk) {
        for (int i = 0; i < BULK_ROWS; i++) {
            memset(&w->rows[i], 0, sizeof w->rows[i]);
            snprintf(w->rows[i].tag, sizeof w->rows[i].tag, "b%d-%d", w->k, i);
            w->rows[i].n = i;
        }
        do {
            w->status = zc_repo_insert_many(w->repo, NULL, w->rows, BULK_ROWS, &w->err);
        } while (contended(w->status) && ++w->retries < 50);
        w->nrows = w->status == ZC_OK ? BULK_ROWS : 0;
        return NULL;
    }
    for (int i = 0; i < BULK_ROWS && !__atomic_load_n(w->stop, __ATOMIC_ACQUIRE); i++) {
        Mark *m = &w->rows[w->nrows];
        memset(m, 0, sizeof *m);
        snprintf(m->tag, sizeof m->tag, "s%d-%d", w->k, i);
        m->n = i;
        w->status = zc_repo_insert(w->repo, NULL, m, &w->err);
        if (contended(w->status) && ++w->retries < 1000) {
            i--;
            continue;
        }
        if (w->status != ZC_OK)
            break;
        w->nrows++;
    }
    return NULL;
}

static int by_id(const void *a, const void *b)
{
    const Mark *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

START_TEST(bulk_ids_are_the_servers_beside_other_writers)
{
    zc_error err;
    zc_repo *repo = NULL;
    struct writer w[2 * WRITERS];
    pthread_t t[2 * WRITERS];
    int stop = 0;
    size_t cap = 2 * WRITERS * BULK_ROWS, n = 0;
    Mark *stored = calloc(cap, sizeof *stored);
    int checked = 0, wrong = 0, singles = 0;

    ck_assert_ptr_nonnull(stored);
    make_marks();
    ZCT_OK(zc_repo_open(&Mark_model, NULL, &repo, &err), &err);
    for (int i = 0; i < 2 * WRITERS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].repo = repo;
        w[i].bulk = i < WRITERS;
        w[i].k = i;
        w[i].stop = &stop;
        w[i].rows = calloc(BULK_ROWS, sizeof(Mark));
        ck_assert_ptr_nonnull(w[i].rows);
    }
    /* the single writers first, so that the bulk inserts run among them */
    for (int i = 2 * WRITERS - 1; i >= 0; i--)
        ck_assert_int_eq(pthread_create(&t[i], NULL, write_marks, &w[i]), 0);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(t[i], NULL);
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    for (int i = WRITERS; i < 2 * WRITERS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 2 * WRITERS; i++)
        ck_assert_msg(w[i].status == ZC_OK, "writer %d (%s): %s [%s] %s", i,
                      w[i].bulk ? "bulk" : "single", zc_strerror(w[i].status),
                      w[i].err.sqlstate, w[i].err.message);

    /* every row the server holds, by id */
    {
        zc_query all = { 0 };
        ZCT_OK(zc_repo_find(repo, NULL, &all, stored, cap, &n, &err), &err);
        qsort(stored, n, sizeof *stored, by_id);
    }
    for (int i = 0; i < 2 * WRITERS; i++) {
        if (!w[i].bulk)
            singles += w[i].nrows;
        for (int r = 0; r < w[i].nrows; r++) {
            Mark key = { .id = w[i].rows[r].id };
            const Mark *got = bsearch(&key, stored, n, sizeof *stored, by_id);
            checked++;
            if (!got || strcmp(got->tag, w[i].rows[r].tag) != 0) {
                if (wrong++ < 5)
                    fprintf(stderr, "id %lld was given to '%s' but holds '%s'\n",
                            (long long)w[i].rows[r].id, w[i].rows[r].tag,
                            got ? got->tag : "(no row)");
            }
        }
    }
    printf("trust/%s/bulk_ids: %d insert_many of %d rows beside %d single writers (%d rows); "
           "rows stored %zu, ids checked %d, wrong %d\n", zct_cur->name, WRITERS, BULK_ROWS,
           WRITERS, singles, n, checked, wrong);
    ck_assert_int_eq(wrong, 0);
    ck_assert_int_eq((int)n, checked);
    ck_assert_int_eq(checked, WRITERS * BULK_ROWS + singles);
    for (int i = 0; i < 2 * WRITERS; i++)
        free(w[i].rows);
    free(stored);
    zc_repo_close(&repo);
    drop_marks();
}
END_TEST

/* ---- 3. fork(): a pre-forking server -------------------------------------------- */

#define CHILDREN 4

/* Units of work per process: fewer under valgrind, which follows every child. */
static int fork_units(void)
{
    return getenv("ZC_UNDER_VALGRIND") ? 20 : 200;
}

static int insert_tag(zc_repo *repo, const char *tag, int64_t n)
{
    Mark m;
    int st, tries = 0;
    zc_error err;
    memset(&m, 0, sizeof m);
    snprintf(m.tag, sizeof m.tag, "%s", tag);
    m.n = n;
    do {
        st = zc_repo_insert(repo, NULL, &m, &err);
    } while (contended(st) && ++tries < 200);
    if (st != ZC_OK)
        fprintf(stderr, "[pid %ld] insert %s: %s [%s] %s\n", (long)getpid(), tag,
                zc_strerror(st), err.sqlstate, err.message);
    return st;
}

/* A child: its parent's open session is not its own; it works on sessions of its own. */
static int child_work(zc_repo *repo, zc_session *inherited, int k)
{
    zc_error err;
    char tag[40];
    int64_t one = 0;
    int st;
    /* the parent's session, with its uncommitted row: refused, and never committed here */
    st = zc_session_exec(inherited, "SELECT 1", NULL, 0, NULL, &err);
    if (st != ZC_ESTATE) {
        fprintf(stderr, "child %d: the parent's session answered %s\n", k, zc_strerror(st));
        return 10;
    }
    if (zc_session_commit(inherited, &err) != ZC_ESTATE)
        return 11;
    zc_session_close(&inherited); /* frees memory only */
    for (int i = 0; i < fork_units(); i++) {
        snprintf(tag, sizeof tag, "c%d-%d", k, i);
        if (insert_tag(repo, tag, i) != ZC_OK)
            return 12;
    }
    /* work left uncommitted when the child's session closes: rolled back, by the child */
    {
        zc_session *s = NULL;
        Mark m;
        memset(&m, 0, sizeof m);
        snprintf(m.tag, sizeof m.tag, "c%d-uncommitted", k);
        if (zc_session_open(NULL, &s, &err) != ZC_OK ||
            zc_repo_insert(repo, s, &m, &err) != ZC_OK ||
            zc_session_query_int(s, "SELECT 1", NULL, 0, &one, &err) != ZC_OK) {
            fprintf(stderr, "child %d: %s\n", k, err.message);
            return 13;
        }
        zc_session_close(&s);
    }
    return 0;
}

START_TEST(prefork_children_and_parent_keep_to_their_own_connections)
{
    zc_error err;
    zc_repo *repo = NULL;
    zc_session *held = NULL, *warm[3];
    pid_t kids[CHILDREN];
    int status[CHILDREN], hung = 0, failed = 0, expected;
    int64_t rows = 0, strays = 0, one = 0;
    char sql[160];
    Mark m;

    make_marks();
    ZCT_OK(zc_repo_open(&Mark_model, NULL, &repo, &err), &err);
    /* pooled connections in the parent, idle at the fork */
    for (int i = 0; i < 3; i++)
        ZCT_OK(zc_session_open(NULL, &warm[i], &err), &err);
    for (int i = 0; i < 3; i++) {
        ZCT_OK(zc_session_query_int(warm[i], "SELECT 1", NULL, 0, &one, &err), &err);
        zc_session_close(&warm[i]);
    }
    /* and one session in use at the fork, with an uncommitted row */
    ZCT_OK(zc_session_open(NULL, &held, &err), &err);
    memset(&m, 0, sizeof m);
    snprintf(m.tag, sizeof m.tag, "parent-held");
    if (zct_cur->dialect == ZC_DIALECT_SQLITE) {
        /* SQLite: a held write lock would stop every child; hold a read instead */
        ZCT_OK(zc_session_query_int(held, "SELECT 1", NULL, 0, &one, &err), &err);
    } else {
        ZCT_OK(zc_repo_insert(repo, held, &m, &err), &err);
    }
    fflush(stdout);
    fflush(stderr);
    for (int k = 0; k < CHILDREN; k++) {
        kids[k] = fork();
        ck_assert_int_ge(kids[k], 0);
        if (kids[k] == 0) {
            int rc = child_work(repo, held, k);
            zc_repo_close(&repo);
            zc_db_shutdown();
            _exit(rc);
        }
    }
    /* the parent goes on with its own work meanwhile, then commits its held session */
    for (int i = 0; i < fork_units(); i++) {
        char tag[40];
        snprintf(tag, sizeof tag, "p-%d", i);
        ck_assert_int_eq(insert_tag(repo, tag, i), ZC_OK);
    }
    ZCT_OK(zc_session_commit(held, &err), &err);
    zc_session_close(&held);
    for (int k = 0; k < CHILDREN; k++) {
        double waited = 0;
        int got = 0;
        status[k] = -1;
        while (!got && waited < 240000) { /* a hang is a failure, not a stuck suite */
            pid_t w = waitpid(kids[k], &status[k], WNOHANG);
            if (w == kids[k])
                got = 1;
            else {
                usleep(20000);
                waited += 20;
            }
        }
        if (!got) {
            hung++;
            kill(kids[k], SIGKILL);
            waitpid(kids[k], &status[k], 0);
        } else if (!WIFEXITED(status[k]) || WEXITSTATUS(status[k]) != 0) {
            failed++;
        }
    }
    /* the parent's pool still works after its children came and went */
    for (int i = 0; i < 3; i++) {
        char tag[40];
        snprintf(tag, sizeof tag, "after-%d", i);
        ck_assert_int_eq(insert_tag(repo, tag, i), ZC_OK);
    }
    {
        zc_session *s = NULL;
        ZCT_OK(zc_session_open(NULL, &s, &err), &err);
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", mark_table);
        ZCT_OK(zc_session_query_int(s, sql, NULL, 0, &rows, &err), &err);
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s WHERE tag LIKE '%%uncommitted'",
                 mark_table);
        ZCT_OK(zc_session_query_int(s, sql, NULL, 0, &strays, &err), &err);
        zc_session_close(&s);
    }
    expected = CHILDREN * fork_units() + fork_units() + 3 +
               (zct_cur->dialect == ZC_DIALECT_SQLITE ? 0 : 1);
    printf("trust/%s/prefork: parent and %d children, %d units each; children hung %d, "
           "failed %d; rows expected %d found %lld; uncommitted rows found %lld\n",
           zct_cur->name, CHILDREN, fork_units(), hung, failed, expected, (long long)rows,
           (long long)strays);
    ck_assert_int_eq(hung, 0);
    ck_assert_int_eq(failed, 0);
    ck_assert_int_eq(strays, 0);
    ck_assert_int_eq(rows, expected);
    zc_repo_close(&repo);
    drop_marks();
}
END_TEST

/* ---- 4. stored values zodiac would not write ------------------------------------------ */

typedef struct Stamp {
    ZC_INT_ID_FIELDS;
    zc_timestamp at;
    zc_timestamp maybe;
    bool maybe_null;
    char note[16];
} Stamp;
static const zc_field stamp_fields[] = {
    ZC_FIELD_TIMESTAMP(Stamp, at, 0),
    ZC_FIELD_TIMESTAMP_NULL(Stamp, maybe, 0),
    ZC_FIELD_TEXT(Stamp, note, 0),
};
static char stamp_table[64] = "zc_stamp";
ZC_MODEL(Stamp, stamp_table, ZC_PK_INT, stamp_fields);

/* Inserts a row by raw SQL with the given SQL expressions; returns its id. */
static int64_t raw_row(const char *at, const char *maybe, const char *note)
{
    zc_error err;
    zc_session *s = NULL;
    char sql[512];
    int64_t id = 0;
    snprintf(sql, sizeof sql, "INSERT INTO %s (created_at, updated_at, at, maybe, note) VALUES "
             "('2024-01-02 03:04:05', '2024-01-02 03:04:05', %s, %s, %s)", stamp_table, at,
             maybe, note);
    ZCT_OK(zc_session_open(NULL, &s, &err), &err);
    ZCT_OK(zc_session_exec(s, sql, NULL, 0, NULL, &err), &err);
    snprintf(sql, sizeof sql, "SELECT MAX(id) FROM %s", stamp_table);
    ZCT_OK(zc_session_query_int(s, sql, NULL, 0, &id, &err), &err);
    ZCT_OK(zc_session_commit(s, &err), &err);
    zc_session_close(&s);
    return id;
}

/* The stored text of the row's columns, as the server renders them. */
static void stored_text(int64_t id, char *out, size_t n)
{
    zc_error err;
    zc_session *s = NULL;
    zc_rows *r = NULL;
    char sql[320];
    const char *a = "", *b = "", *c = "";
    const char *cast = zct_cur->dialect == ZC_DIALECT_MYSQL ? "CHAR" : "TEXT";
    zc_value p[] = { zc_int(id) };
    snprintf(sql, sizeof sql, "SELECT CAST(at AS %s), CAST(maybe AS %s), CAST(updated_at AS %s) "
             "FROM %s WHERE id = ?", cast, cast, cast, stamp_table);
    ZCT_OK(zc_session_open(NULL, &s, &err), &err);
    ZCT_OK(zc_session_query(s, sql, p, 1, &r, &err), &err);
    ZCT_OK(zc_rows_next(r, &err), &err);
    zc_rows_text(r, 0, &a, NULL, NULL);
    zc_rows_text(r, 1, &b, NULL, NULL);
    zc_rows_text(r, 2, &c, NULL, NULL);
    snprintf(out, n, "at=%s maybe=%s updated=%s", a ? a : "NULL", b ? b : "NULL",
             c ? c : "NULL");
    zc_rows_close(&r);
    zc_session_close(&s);
}

START_TEST(values_zodiac_cannot_hold_are_refused_and_never_rewritten)
{
    const zc_model *m[] = { &Stamp_model };
    zc_error err;
    zc_repo *repo = NULL;
    static const char *pg_bad[] = { "'20000-01-01'", "'infinity'", "'-infinity'",
                                    "'0044-03-15 BC'", NULL };
    static const char *maria_bad[] = { "'0000-00-00 00:00:00'", "'2024-00-10 00:00:00'",
                                       "'2024-02-00 12:00:00'", NULL };
    static const char *sqlite_bad[] = { "'garbage'", "'2024-13-45 00:00:00'",
                                        "'20000-01-01 00:00:00'", "1234", "'2024-02-30 00:00:00'",
                                        NULL };
    /* (SQLite compares timestamps as text: its edges are written as zodiac writes them) */
    static const char *edges[] = { "'0001-01-01 00:00:00'", "'9999-12-31 23:59:59.999'",
                                   "'2024-02-29 12:34:56.789'", NULL };
    static const char *sqlite_edges[] = { "'0001-01-01 00:00:00.000'",
                                          "'9999-12-31 23:59:59.999'",
                                          "'2024-02-29 12:34:56.789'", NULL };
    const char *const *bad = zct_cur->dialect == ZC_DIALECT_POSTGRESQL ? pg_bad
                             : zct_cur->dialect == ZC_DIALECT_MYSQL    ? maria_bad
                                                                        : sqlite_bad;
    const char *const *edge = zct_cur->dialect == ZC_DIALECT_SQLITE ? sqlite_edges : edges;
    int refused = 0, tried = 0, cycles = 0;
    char before[256], after[256];
    Stamp st;

    snprintf(stamp_table, sizeof stamp_table, "zc_stamp%s", zct_uniq());
    ZCT_OK(zc_db_drop_all(NULL, m, 1, &err), &err);
    ZCT_OK(zc_db_create_all(NULL, m, 1, &err), &err);
    ZCT_OK(zc_repo_open(&Stamp_model, NULL, &repo, &err), &err);
    for (int i = 0; bad[i]; i++) {
        /* in a NOT NULL field and in a nullable one */
        for (int where = 0; where < 2; where++) {
            int64_t id = where ? raw_row("'2024-01-01 00:00:00'", bad[i], "'n'")
                               : raw_row(bad[i], "NULL", "'n'");
            int rc;
            char what[64];
            snprintf(what, sizeof what, "%s", where ? "maybe" : "at");
            stored_text(id, before, sizeof before);
            memset(&st, 0, sizeof st);
            rc = zc_repo_get(repo, NULL, &id, &st, &err);
            tried++;
            if (rc == ZC_EINVAL && strstr(err.message, what) &&
                strstr(err.message, "not a timestamp"))
                refused++;
            else
                fprintf(stderr, "%s in '%s': get -> %s: %s\n", bad[i], what, zc_strerror(rc),
                        err.message);
            /* a find over it fails the same way; nothing changed the row */
            stored_text(id, after, sizeof after);
            ck_assert_str_eq(before, after);
            raw_row("'2024-01-01 00:00:00'", "NULL", "'ok'"); /* keep ids apart */
            if (where == 0 && i == 0)
                printf("trust/%s/values: %s stored by raw SQL -> %s\n", zct_cur->name, bad[i],
                       err.message);
        }
    }
    /* values at the edges: a get + update cycle writes back exactly what was stored */
    for (int i = 0; edge[i]; i++) {
        int64_t id = raw_row(edge[i], edge[i], "'edge'");
        stored_text(id, before, sizeof before);
        ZCT_OK(zc_repo_get(repo, NULL, &id, &st, &err), &err);
        ZCT_OK(zc_repo_update(repo, NULL, &st, &err), &err);
        stored_text(id, after, sizeof after);
        /* updated_at moves; at and maybe do not */
        ck_assert_msg(!strncmp(before, after, strstr(before, " updated=") - before),
                      "before: %s\nafter:  %s", before, after);
        cycles++;
    }
    printf("trust/%s/values: %d stored values outside what zodiac holds, %d refused with "
           "ZC_EINVAL naming the column; %d get+update cycles at the edges left their values "
           "as stored\n", zct_cur->name, tried, refused, cycles);
    ck_assert_int_eq(refused, tried);
    zc_repo_close(&repo);
    ZCT_OK(zc_db_drop_all(NULL, m, 1, &err), &err);
}
END_TEST

/* Text with a NUL inside, written by another client, is refused, never cut. */
START_TEST(text_with_a_nul_is_refused)
{
    const zc_model *m[] = { &Stamp_model };
    zc_error err;
    zc_repo *repo = NULL;
    Stamp st;
    int64_t id;
    int rc;
    /* MariaDB only: PostgreSQL's text cannot hold a NUL, and sqliteodbc hands over text
       up to its first NUL (docs/reliability.md) */
    const char *nul = "CONCAT('ab', CHAR(0), 'cd')";
    snprintf(stamp_table, sizeof stamp_table, "zc_stamp%s", zct_uniq());
    ZCT_OK(zc_db_drop_all(NULL, m, 1, &err), &err);
    ZCT_OK(zc_db_create_all(NULL, m, 1, &err), &err);
    ZCT_OK(zc_repo_open(&Stamp_model, NULL, &repo, &err), &err);
    id = raw_row("'2024-01-01 00:00:00'", "NULL", nul);
    rc = zc_repo_get(repo, NULL, &id, &st, &err);
    printf("trust/%s/nul: 'ab\\0cd' stored by raw SQL -> %s: %s\n", zct_cur->name,
           zc_strerror(rc), err.message);
    ck_assert_int_eq(rc, ZC_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "NUL byte at offset 2"));
    zc_repo_close(&repo);
    ZCT_OK(zc_db_drop_all(NULL, m, 1, &err), &err);
}
END_TEST

/* ---- 7. a cursor over rows whose sort key changes ---------------------------------- */

START_TEST(cursor_reads_each_row_once_while_sort_keys_change)
{
    enum { N = 10000 };
    zc_error err;
    zc_repo *repo = NULL;
    zc_session *s = NULL, *w = NULL;
    zc_cursor *c = NULL;
    zc_query q = { 0 };
    Mark *rows = calloc(N, sizeof *rows), got;
    int *seen = calloc(N + 1, sizeof *seen);
    int64_t first_id = 0;
    int read = 0, twice = 0, never = 0, moved = 0, rc;
    char conn[1100], wal_file[128] = "";

    ck_assert_ptr_nonnull(rows);
    if (zct_cur->dialect == ZC_DIALECT_SQLITE) {
        /* a file of its own in WAL mode, where a writer commits while a reader's
           transaction keeps its snapshot (the shared test file's rollback journal would
           make the writer wait for the reader) */
        snprintf(wal_file, sizeof wal_file, "/tmp/zc_trust_wal%s.sqlite", zct_uniq());
        snprintf(conn, sizeof conn, "Driver=SQLite3;Database=%s;JournalMode=WAL;Timeout=5000",
                 wal_file);
        ZCT_OK(zc_db_remove(NULL, &err), &err);
        ZCT_OK(zc_db_setup(NULL, conn, NULL, &err), &err);
    }
    make_marks();
    ZCT_OK(zc_repo_open(&Mark_model, NULL, &repo, &err), &err);
    for (int i = 0; i < N; i++) {
        snprintf(rows[i].tag, sizeof rows[i].tag, "k%d", i);
        rows[i].n = 2 * i; /* the sort key */
    }
    ZCT_OK(zc_repo_insert_many(repo, NULL, rows, N, &err), &err);
    first_id = rows[0].id;
    /* a second database name on the same server for the writer */
    if (zct_cur->dialect != ZC_DIALECT_SQLITE)
        snprintf(conn, sizeof conn, "%s", zct_cur->conn);
    ZCT_OK(zc_db_setup("writer", conn, NULL, &err), &err);
    ZCT_OK(zc_session_open(NULL, &s, &err), &err);
    q.order_by = "n";
    ZCT_OK(zc_repo_cursor(repo, s, &q, &c, &err), &err);
    while ((rc = zc_cursor_next(c, &got, &err)) == ZC_OK) {
        int64_t k = got.id - first_id;
        ck_assert_msg(k >= 0 && k < N, "id %lld", (long long)got.id);
        if (seen[k]++)
            twice++;
        read++;
        if (read % 3000 == 0) {
            /* another session moves rows from ahead of the cursor to behind it, and back */
            char sql[200];
            snprintf(sql, sizeof sql, "UPDATE %s SET n = CASE WHEN n > %d THEN n - %d ELSE "
                     "n + %d END WHERE id %% 7 = 0", mark_table, 2 * read, 2 * N, 2 * N);
            ZCT_OK(zc_session_open("writer", &w, &err), &err);
            if (zc_session_exec(w, sql, NULL, 0, NULL, &err) == ZC_OK &&
                zc_session_commit(w, &err) == ZC_OK)
                moved++;
            zc_session_close(&w);
        }
    }
    ck_assert_msg(rc == ZC_NOT_FOUND, "%s", err.message);
    for (int i = 0; i < N; i++)
        never += !seen[i];
    zc_cursor_close(&c);
    zc_session_close(&s);
    printf("trust/%s/cursor: %d rows ordered by a key that another session changed %d times "
           "while they were read: read %d, twice %d, never %d\n", zct_cur->name, N, moved,
           read, twice, never);
    ck_assert_int_eq(twice, 0);
    ck_assert_int_eq(never, 0);
    ck_assert_int_eq(read, N);
    ck_assert_int_eq(moved, 3); /* the writer was not blocked: the changes happened */
    free(rows);
    free(seen);
    zc_repo_close(&repo);
    drop_marks();
    if (wal_file[0]) {
        char more[160];
        unlink(wal_file);
        snprintf(more, sizeof more, "%s-wal", wal_file);
        unlink(more);
        snprintf(more, sizeof more, "%s-shm", wal_file);
        unlink(more);
    }
}
END_TEST

/* ---- 8. failures that another attempt cannot mend are not retried ------------------- */

static int txn_calls;
static int count_call(zc_session *s, void *arg, zc_error *err)
{
    (void)s;
    (void)arg;
    (void)err;
    txn_calls++;
    return ZC_OK;
}

START_TEST(configuration_errors_are_not_retried)
{
    zc_error err;
    zc_txn_result res;
    zc_txn_options o = ZC_TXN_OPTIONS_DEFAULT;
    char conn[1200];
    int st;
    const char *user_key = zct_cur->dialect == ZC_DIALECT_SQLITE ? NULL : "UID";
    o.result = &res;
    o.base_backoff_ms = 1;
    /* a driver that does not exist */
    ZCT_OK(zc_db_setup("nodriver", "Driver={zodiac no such driver};Database=x", NULL, &err),
           &err);
    txn_calls = 0;
    st = zc_transaction_run("nodriver", count_call, NULL, &o, &err);
    printf("trust/%s/misclassified: missing driver -> %s [%s] after %d attempt(s): %s\n",
           zct_cur->name, zc_strerror(st), err.sqlstate, res.attempts, err.message);
    ck_assert_int_eq(st, ZC_ECONN);
    ck_assert_str_eq(err.sqlstate, "IM003");
    ck_assert_int_eq(res.attempts, 1);
    ck_assert_int_eq(txn_calls, 0);
    if (!user_key)
        return;
    /* a wrong password */
    snprintf(conn, sizeof conn, "%s;PWD=wrong-password-%s", zct_cur->conn_nopool, zct_uniq());
    ZCT_OK(zc_db_setup("badpw", conn, NULL, &err), &err);
    st = zc_transaction_run("badpw", count_call, NULL, &o, &err);
    printf("trust/%s/misclassified: wrong password -> %s [%s] after %d attempt(s): %s\n",
           zct_cur->name, zc_strerror(st), err.sqlstate, res.attempts, err.message);
    ck_assert_int_eq(st, ZC_ECONN);
    ck_assert_msg(err.sqlstate[0] == '2' && err.sqlstate[1] == '8', "%s", err.sqlstate);
    ck_assert_int_eq(res.attempts, 1);
    ck_assert_int_eq(txn_calls, 0);
    ck_assert_ptr_null(strstr(err.message, "wrong-password"));
}
END_TEST

/* A leaked session: where it was opened is on record, and admission names it. */
static void note_session(void *ud, double age_ms, const char *opened_at)
{
    char *out = ud;
    snprintf(out, 512, "%.0f ms ago at %s", age_ms, opened_at);
}

START_TEST(a_leaked_session_can_be_found)
{
    zc_error err, e;
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    zc_session *leaked = NULL, *s = NULL;
    char where[512] = "";
    int n, st;
    o.track_sessions = 1;
    o.pool_size = 1;
    o.max_overflow = -1;
    o.pool_timeout_ms = 200;
    ZCT_OK(zc_db_setup("tracked", zct_cur->conn, &o, &err), &err);
    ZCT_OK(zc_session_open("tracked", &leaked, &err), &err);
    usleep(20000);
    n = zc_db_sessions("tracked", note_session, where, &err);
    st = zc_session_open("tracked", &s, &e);
    printf("trust/%s/leak: open sessions reported %d: %s; the next open -> %s: %s\n",
           zct_cur->name, n, where, zc_strerror(st), e.message);
    ck_assert_int_eq(n, 1);
    ck_assert_ptr_nonnull(strstr(where, "check_trust"));
    ck_assert_int_eq(st, ZC_ETIMEOUT);
    ck_assert_ptr_nonnull(strstr(e.message, "the oldest was opened"));
    zc_session_close(&leaked);
    ck_assert_int_eq(zc_db_sessions("tracked", note_session, where, &err), 0);
}
END_TEST

/* MariaDB: a value past max_allowed_packet is refused before it is sent. */
START_TEST(a_value_past_the_servers_packet_limit_is_refused)
{
    zc_error err, e;
    zc_session *s = NULL;
    size_t n = 20u << 20;
    char *big = calloc(1, n), sql[128];
    int64_t rows = -1;
    int st;
    zc_value p[1];
    ck_assert_ptr_nonnull(big);
    make_marks();
    p[0] = zc_blob(big, n);
    ZCT_OK(zc_session_open(NULL, &s, &err), &err);
    snprintf(sql, sizeof sql, "UPDATE %s SET tag = ? WHERE id < 0", mark_table);
    st = zc_session_exec(s, sql, p, 1, NULL, &e);
    printf("trust/%s/packet: a 20 MB value -> %s: %s\n", zct_cur->name, zc_strerror(st),
           e.message);
    ck_assert_int_eq(st, ZC_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "max_allowed_packet"));
    /* nothing was sent: the session goes on */
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", mark_table);
    ZCT_OK(zc_session_query_int(s, sql, NULL, 0, &rows, &err), &err);
    ck_assert_int_eq(rows, 0);
    ZCT_OK(zc_session_commit(s, &err), &err);
    zc_session_close(&s);
    free(big);
    drop_marks();
}
END_TEST

/* ---- the suite -------------------------------------------------------------------- */

static void add_tests(TCase *tc)
{
    tcase_add_test(tc, bulk_ids_are_the_servers_beside_other_writers);
    tcase_add_test(tc, prefork_children_and_parent_keep_to_their_own_connections);
    tcase_add_test(tc, values_zodiac_cannot_hold_are_refused_and_never_rewritten);
    tcase_add_test(tc, cursor_reads_each_row_once_while_sort_keys_change);
    tcase_add_test(tc, configuration_errors_are_not_retried);
    tcase_add_test(tc, a_leaked_session_can_be_found);
}

static void add_nul_test(TCase *tc)
{
    tcase_add_test(tc, text_with_a_nul_is_refused);
    tcase_add_test(tc, a_value_past_the_servers_packet_limit_is_refused);
}

int main(void)
{
    Suite *s = suite_create("trust");
    setvbuf(stdout, NULL, _IOLBF, 0);
    zct_add_backend_cases(s, "trust", add_tests, 300, 0);
    zct_add_backend_case_named(s, "mariadb", add_nul_test, 60, "mariadb");
    return zct_run(s);
}
