/* SPDX-License-Identifier: MIT */
/*
 * trust: what zodiac guarantees when several sessions, threads or processes
 * work at once, and when stored values are not what zodiac itself would write
 * (docs/reliability.md, section "Trust"). Every case runs on each backend of
 * the run and prints one line saying what it checked.
 */
#include <pthread.h>
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
    char tag[24];
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
    volatile int *stop;
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
    for (int i = 0; i < BULK_ROWS && !*w->stop; i++) {
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
    volatile int stop = 0;
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
    stop = 1;
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

/* ---- the suite -------------------------------------------------------------------- */

static void add_tests(TCase *tc)
{
    tcase_add_test(tc, bulk_ids_are_the_servers_beside_other_writers);
}

int main(void)
{
    Suite *s = suite_create("trust");
    setvbuf(stdout, NULL, _IOLBF, 0);
    zct_add_backend_cases(s, "trust", add_tests, 300, 0);
    return zct_run(s);
}
