/* SPDX-License-Identifier: MIT */
/*
 * replica: read/write splitting. Routing rules on every backend (a second name
 * for the same database plays the replica), and on PostgreSQL a real hot
 * standby started by scripts/backends.sh (ZC_TEST_PG_REPLICA): reads served by
 * the standby after replay, writes refused there (25006), read-your-writes,
 * fallback to the primary while the standby is down and its return.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zctest.h"

typedef struct Note {
    ZC_INT_ID_FIELDS;
    char body[64];
    int32_t n;
} Note;
static const zc_field note_fields[] = {
    ZC_FIELD_TEXT(Note, body, 0),
    ZC_FIELD_INT32(Note, n, 0),
};
static char notes_table[64];
ZC_MODEL(Note, notes_table, ZC_PK_INT, note_fields);

static zc_repo *routed, *direct;

static void make_notes(void)
{
    const zc_model *m[] = { &Note_model };
    zc_error err;
    snprintf(notes_table, sizeof notes_table, "zc_notes_%ld", (long)getpid());
    ZCT_OK(zc_db_drop_all(NULL, m, 1, &err), &err);
    ZCT_OK(zc_db_create_all(NULL, m, 1, &err), &err);
    ZCT_OK(zc_repo_open_routed(&Note_model, NULL, &routed, &err), &err);
    ZCT_OK(zc_repo_open(&Note_model, NULL, &direct, &err), &err);
}

static void drop_notes(void)
{
    const zc_model *m[] = { &Note_model };
    zc_error err;
    zc_repo_close(&routed);
    zc_repo_close(&direct);
    zc_db_drop_all(NULL, m, 1, &err);
}

static Note note(const char *body, int n)
{
    Note x;
    memset(&x, 0, sizeof x);
    snprintf(x.body, sizeof x.body, "%s", body);
    x.n = n;
    return x;
}

static int64_t count_on(const char *db)
{
    zc_error err;
    int64_t n = -1;
    zc_repo *r = NULL;
    ZCT_OK(zc_repo_open(&Note_model, db, &r, &err), &err);
    ZCT_OK(zc_repo_count(r, NULL, NULL, NULL, 0, &n, &err), &err);
    zc_repo_close(&r);
    return n;
}

static void setup_mirror(const char *name, int retry_ms)
{
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    zc_error err;
    o.replica_retry_ms = retry_ms;
    ZCT_OK(zc_db_setup(name, zct_cur->conn, &o, &err), &err);
    ZCT_OK(zc_db_add_replica(NULL, name, &err), &err);
}

/* Statements echoed per database, to see where a session-less read ran. */
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static char log_select_db[8][ZC_DB_NAME_MAX + 1];
static int log_nselect;

static void on_log(void *ud, int level, const char *db, const char *line)
{
    (void)ud;
    (void)level;
    pthread_mutex_lock(&log_mu);
    if (strstr(line, "SELECT") && strstr(line, notes_table) && log_nselect < 8)
        snprintf(log_select_db[log_nselect++], sizeof log_select_db[0], "%s", db);
    pthread_mutex_unlock(&log_mu);
}

/* ---- routing rules, on every backend -------------------------------------- */

START_TEST(add_replica_checks_its_arguments)
{
    zc_error err;
    zc_db_info info;
    char name[16];
    ZCT_OK(zc_db_setup("r1", zct_cur->conn, NULL, &err), &err);
    ZCT_OK(zc_db_setup("r2", zct_cur->conn, NULL, &err), &err);

    ck_assert_int_eq(zc_db_add_replica(NULL, NULL, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_db_add_replica(NULL, "nope", &err), ZC_ENODB);
    ck_assert_ptr_nonnull(strstr(err.message, "nope"));
    ck_assert_int_eq(zc_db_add_replica("nope", "r1", &err), ZC_ENODB);
    ck_assert_int_eq(zc_db_add_replica("r1", "r1", &err), ZC_EINVAL);
    ZCT_OK(zc_db_add_replica(NULL, "r1", &err), &err);
    ck_assert_int_eq(zc_db_add_replica(NULL, "r1", &err), ZC_EINVAL);   /* twice */
    ck_assert_int_eq(zc_db_add_replica("r1", "r2", &err), ZC_EINVAL);   /* a replica's replica */
    ck_assert_int_eq(zc_db_add_replica("r2", ZC_DEFAULT_DB, &err), ZC_EINVAL); /* has replicas */

    ZCT_OK(zc_db_get_info("r1", &info, &err), &err);
    ck_assert_str_eq(info.primary, ZC_DEFAULT_DB);
    ZCT_OK(zc_db_get_info(NULL, &info, &err), &err);
    ck_assert_int_eq(info.replicas, 1);
    ck_assert_int_eq(info.replicas_healthy, 1);
    ck_assert_str_eq(info.primary, "");

    /* at most ZC_REPLICAS_MAX */
    ZCT_OK(zc_db_add_replica(NULL, "r2", &err), &err);
    for (int i = 3; i <= ZC_REPLICAS_MAX; i++) {
        snprintf(name, sizeof name, "r%d", i);
        ZCT_OK(zc_db_setup(name, zct_cur->conn, NULL, &err), &err);
        ZCT_OK(zc_db_add_replica(NULL, name, &err), &err);
    }
    ZCT_OK(zc_db_setup("one_too_many", zct_cur->conn, NULL, &err), &err);
    ck_assert_int_eq(zc_db_add_replica(NULL, "one_too_many", &err), ZC_EINVAL);

    /* removing a replica unlinks it; removing the primary frees its replicas */
    ZCT_OK(zc_db_remove("r2", &err), &err);
    ZCT_OK(zc_db_get_info(NULL, &info, &err), &err);
    ck_assert_int_eq(info.replicas, ZC_REPLICAS_MAX - 1);
    ZCT_OK(zc_db_remove(NULL, &err), &err);
    ZCT_OK(zc_db_get_info("r1", &info, &err), &err);
    ck_assert_str_eq(info.primary, "");
    ZCT_OK(zc_db_add_replica("one_too_many", "r1", &err), &err); /* free to join another */
}
END_TEST

START_TEST(routed_sessions_take_replicas_in_turn)
{
    zc_error err;
    zc_session *s[4] = { NULL };
    int on_m1 = 0, on_m2 = 0;
    setup_mirror("m1", 0);
    setup_mirror("m2", 0);
    for (int i = 0; i < 4; i++) {
        const char *where;
        ZCT_OK(zc_session_open_routed(NULL, &s[i], &err), &err);
        where = zc_session_db_name(s[i]);
        on_m1 += !strcmp(where, "m1");
        on_m2 += !strcmp(where, "m2");
        if (i > 0) /* round-robin: never the same replica twice in a row */
            ck_assert_str_ne(where, zc_session_db_name(s[i - 1]));
    }
    ck_assert_int_eq(on_m1, 2);
    ck_assert_int_eq(on_m2, 2);
    for (int i = 0; i < 4; i++)
        zc_session_close(&s[i]);
    /* a replica cannot route; a database without replicas gives a plain session */
    ck_assert_int_eq(zc_session_open_routed("m1", &s[0], &err), ZC_EINVAL);
    ck_assert_ptr_null(s[0]);
    ZCT_OK(zc_db_setup("lonely", zct_cur->conn, NULL, &err), &err);
    ZCT_OK(zc_session_open_routed("lonely", &s[0], &err), &err);
    ck_assert_str_eq(zc_session_db_name(s[0]), "lonely");
    zc_session_close(&s[0]);
    ck_assert_int_eq(zc_session_open_routed(NULL, NULL, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_session_open_routed("nope", &s[0], &err), ZC_ENODB);
}
END_TEST

START_TEST(a_routed_session_moves_to_the_primary_at_its_first_write)
{
    zc_error err;
    zc_session *s = NULL;
    Note a = note("first", 1), back;
    zc_db_info info;
    make_notes();
    setup_mirror("m1", 0);

    ZCT_OK(zc_session_open_routed(NULL, &s, &err), &err);
    ck_assert_str_eq(zc_session_db_name(s), "m1");
    ck_assert_int_eq(zc_repo_get(routed, s, &(int64_t){ 1 }, &back, &err), ZC_NOT_FOUND);
    /* a write after a read on the replica: the session moves, and the unit of work must
       run again, its reads now on the primary (a lagging read must not feed a write) */
    ck_assert_int_eq(zc_repo_insert(routed, s, &a, &err), ZC_ERETRY);
    ck_assert_ptr_nonnull(strstr(err.message, "run the unit of work again"));
    ck_assert_str_eq(zc_session_db_name(s), ZC_DEFAULT_DB);
    ck_assert_int_eq(zc_repo_get(routed, s, &(int64_t){ 1 }, &back, &err), ZC_NOT_FOUND);
    ZCT_OK(zc_repo_insert(routed, s, &a, &err), &err);
    ck_assert_str_eq(zc_session_db_name(s), ZC_DEFAULT_DB);
    ZCT_OK(zc_db_get_info("m1", &info, &err), &err);
    ck_assert_int_eq(info.sessions_open, 0);                   /* the replica was let go */
    memset(&back, 0, sizeof back);
    ZCT_OK(zc_repo_get(routed, s, &a.id, &back, &err), &err);  /* reads its own write */
    ck_assert_str_eq(back.body, "first");
    ZCT_OK(zc_session_commit(s, &err), &err);
    ZCT_OK(zc_repo_get(routed, s, &a.id, &back, &err), &err);  /* and stays there */
    ck_assert_str_eq(zc_session_db_name(s), ZC_DEFAULT_DB);
    zc_session_close(&s);
    ck_assert_int_eq(count_on(NULL), 1);

    /* zc_session_exec is a write too; a savepoint as well */
    ZCT_OK(zc_session_open_routed(NULL, &s, &err), &err);
    ck_assert_str_eq(zc_session_db_name(s), "m1");
    ZCT_OK(zc_session_savepoint(s, "sp1", &err), &err);
    ck_assert_str_eq(zc_session_db_name(s), ZC_DEFAULT_DB);
    zc_session_close(&s);

    /* a cursor open on the replica blocks the move, with a clear status */
    ZCT_OK(zc_session_open_routed(NULL, &s, &err), &err);
    {
        zc_cursor *c = NULL;
        zc_query q = { 0 };
        Note b = note("second", 2);
        ZCT_OK(zc_repo_cursor(routed, s, &q, &c, &err), &err);
        ck_assert_int_eq(zc_repo_insert(routed, s, &b, &err), ZC_ESTATE);
        ck_assert_ptr_nonnull(strstr(err.message, "cursor"));
        ck_assert_str_eq(zc_session_db_name(s), "m1");
        zc_cursor_close(&c);
        /* the cursor read on the replica: the move asks for the unit to run again */
        ck_assert_int_eq(zc_repo_insert(routed, s, &b, &err), ZC_ERETRY);
        ck_assert_str_eq(zc_session_db_name(s), ZC_DEFAULT_DB);
        ZCT_OK(zc_repo_insert(routed, s, &b, &err), &err);
        ZCT_OK(zc_session_commit(s, &err), &err);
    }
    zc_session_close(&s);
    ck_assert_int_eq(count_on(NULL), 2);
    drop_notes();
}
END_TEST

START_TEST(writes_on_a_replica_are_refused_before_the_server)
{
    zc_error err;
    zc_repo *on_replica = NULL;
    zc_session *s = NULL;
    Note a = note("kept", 1), b = note("refused", 2), many[3];
    zc_db_info info;
    int64_t id;
    make_notes();
    ZCT_OK(zc_repo_insert(direct, NULL, &a, &err), &err);
    setup_mirror("m1", 0);
    ZCT_OK(zc_repo_open(&Note_model, "m1", &on_replica, &err), &err);

    ck_assert_int_eq(zc_repo_insert(on_replica, NULL, &b, &err), ZC_EREADONLY);
    ck_assert_ptr_nonnull(strstr(err.message, "m1"));
    ck_assert_ptr_nonnull(strstr(err.message, "replica"));
    ck_assert_int_eq(b.id, 0);
    many[0] = note("x", 1), many[1] = note("y", 2), many[2] = note("z", 3);
    ck_assert_int_eq(zc_repo_insert_many(on_replica, NULL, many, 3, &err), ZC_EREADONLY);
    a.n = 99;
    ck_assert_int_eq(zc_repo_update(on_replica, NULL, &a, &err), ZC_EREADONLY);
    ck_assert_int_eq(zc_repo_delete(on_replica, NULL, &a.id, &err), ZC_EREADONLY);
    ZCT_OK(zc_db_get_info("m1", &info, &err), &err);
    ck_assert_int_eq(info.sessions_open, 0); /* no connection was even taken */

    /* a plain session on the replica: repository writes refused, reads fine */
    ZCT_OK(zc_session_open("m1", &s, &err), &err);
    ck_assert_int_eq(zc_repo_insert(direct, s, &b, &err), ZC_EREADONLY);
    ZCT_OK(zc_repo_get(direct, s, &a.id, &b, &err), &err);
    ck_assert_str_eq(b.body, "kept");
    ck_assert_int_eq(b.n, 1);
    zc_session_close(&s);

    /* nothing changed on the primary */
    ck_assert_int_eq(count_on(NULL), 1);
    id = a.id;
    ZCT_OK(zc_repo_get(direct, NULL, &id, &b, &err), &err);
    ck_assert_int_eq(b.n, 1);
    zc_repo_close(&on_replica);
    drop_notes();
}
END_TEST

START_TEST(a_replica_that_cannot_connect_is_skipped_then_retried)
{
    zc_error err;
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    zc_db_info info;
    char bad[128];
    make_notes();
    snprintf(bad, sizeof bad, "DSN=zc_no_such_dsn_%ld", (long)getpid());
    o.replica_retry_ms = 300;
    ZCT_OK(zc_db_setup("broken", bad, &o, &err), &err);
    ZCT_OK(zc_db_add_replica(NULL, "broken", &err), &err);
    setup_mirror("m1", 0);

    /* whichever comes first, every routed session works; "broken" gets marked */
    for (int i = 0; i < 4; i++) {
        zc_session *s = NULL;
        ZCT_OK(zc_session_open_routed(NULL, &s, &err), &err);
        ck_assert_str_eq(zc_session_db_name(s), "m1");
        zc_session_close(&s);
    }
    ZCT_OK(zc_db_get_info(NULL, &info, &err), &err);
    ck_assert_int_eq(info.replicas, 2);
    ck_assert_int_eq(info.replicas_healthy, 1);
    usleep(400 * 1000); /* past replica_retry_ms: tried again */
    ZCT_OK(zc_db_get_info(NULL, &info, &err), &err);
    ck_assert_int_eq(info.replicas_healthy, 2);

    /* with no replica left, reads go to the primary */
    ZCT_OK(zc_db_remove("m1", &err), &err);
    {
        zc_session *s = NULL;
        Note a = note("on primary", 5), back;
        ZCT_OK(zc_repo_insert(routed, NULL, &a, &err), &err);
        ZCT_OK(zc_session_open_routed(NULL, &s, &err), &err);
        ck_assert_str_eq(zc_session_db_name(s), ZC_DEFAULT_DB);
        ZCT_OK(zc_repo_get(routed, s, &a.id, &back, &err), &err);
        ck_assert_str_eq(back.body, "on primary");
        zc_session_close(&s);
        ZCT_OK(zc_repo_get(routed, NULL, &a.id, &back, &err), &err);
    }
    drop_notes();
}
END_TEST

START_TEST(a_routed_repository_reads_on_the_replica_and_writes_on_the_primary)
{
    zc_error err;
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    Note a = note("routed", 3), back;
    int64_t n = 0;
    make_notes();
    o.echo = 1;
    ZCT_OK(zc_db_setup("m1", zct_cur->conn, &o, &err), &err);
    ZCT_OK(zc_db_add_replica(NULL, "m1", &err), &err);
    zc_set_log(on_log, NULL);

    ZCT_OK(zc_repo_insert(routed, NULL, &a, &err), &err);
    ck_assert_int_eq(count_on(NULL), 1);
    log_nselect = 0;
    ZCT_OK(zc_repo_get(routed, NULL, &a.id, &back, &err), &err);
    ZCT_OK(zc_repo_count(routed, NULL, NULL, NULL, 0, &n, &err), &err);
    ck_assert_int_eq(n, 1);
    zc_set_log(NULL, NULL);
    ck_assert_int_eq(log_nselect, 2);
    ck_assert_str_eq(log_select_db[0], "m1");
    ck_assert_str_eq(log_select_db[1], "m1");
    ck_assert_str_eq(back.body, "routed");
    drop_notes();
}
END_TEST

START_TEST(a_session_of_another_database_is_refused)
{
    zc_error err;
    zc_session *s = NULL;
    zc_cursor *c = NULL;
    zc_query q = { 0 };
    Note a = note("elsewhere", 1), back;
    make_notes();
    ZCT_OK(zc_db_setup("other", zct_cur->conn, NULL, &err), &err);
    ZCT_OK(zc_session_open("other", &s, &err), &err);
    ck_assert_int_eq(zc_repo_insert(direct, s, &a, &err), ZC_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "'other'"));
    ck_assert_int_eq(zc_repo_get(direct, s, &(int64_t){ 1 }, &back, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_repo_cursor(direct, s, &q, &c, &err), ZC_EINVAL);
    ck_assert_ptr_null(c);
    zc_session_close(&s);
    ck_assert_int_eq(count_on(NULL), 0);
    drop_notes();
}
END_TEST

static void add_rules(TCase *tc)
{
    tcase_add_test(tc, a_session_of_another_database_is_refused);
    tcase_add_test(tc, add_replica_checks_its_arguments);
    tcase_add_test(tc, routed_sessions_take_replicas_in_turn);
    tcase_add_test(tc, a_routed_session_moves_to_the_primary_at_its_first_write);
    tcase_add_test(tc, writes_on_a_replica_are_refused_before_the_server);
    tcase_add_test(tc, a_replica_that_cannot_connect_is_skipped_then_retried);
    tcase_add_test(tc, a_routed_repository_reads_on_the_replica_and_writes_on_the_primary);
}

/* ---- a real PostgreSQL hot standby ------------------------------------------ */

static const char *standby_conn(void)
{
    const char *c = getenv("ZC_TEST_PG_REPLICA");
    ck_assert_msg(c && *c, "ZC_TEST_PG_REPLICA is not set: scripts/backends.sh start "
                  "postgresql starts the standby and writes it into env.sh");
    return c;
}

static int standby_port(void)
{
    const char *p = getenv("ZC_PG_REPLICA_PORT");
    ck_assert_msg(p && atoi(p) > 0, "ZC_PG_REPLICA_PORT is not set");
    return atoi(p);
}

static void setup_standby(int retry_ms)
{
    zc_db_options o = ZC_DB_OPTIONS_DEFAULT;
    zc_error err;
    o.replica_retry_ms = retry_ms;
    ZCT_OK(zc_db_setup("standby", standby_conn(), &o, &err), &err);
    ZCT_OK(zc_db_add_replica(NULL, "standby", &err), &err);
}

/* Where a session runs: 1 if in recovery (the standby), and the server's port. */
static void where(zc_session *s, int64_t *recovery, int64_t *port)
{
    zc_error err;
    ZCT_OK(zc_session_query_int(s, "SELECT CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END",
                                NULL, 0, recovery, &err), &err);
    ZCT_OK(zc_session_query_int(s, "SELECT inet_server_port()", NULL, 0, port, &err), &err);
}

/* Waits until the standby has replayed a row with that id (bounded). */
static void wait_replayed(int64_t id)
{
    zc_error err;
    zc_repo *r = NULL;
    Note back;
    int st = ZC_NOT_FOUND;
    ZCT_OK(zc_repo_open(&Note_model, "standby", &r, &err), &err);
    /* Until replay, the row is missing, or even its table (42P01: the CREATE TABLE has
       not been replayed either). */
    for (int i = 0; i < 200; i++) {
        st = zc_repo_get(r, NULL, &id, &back, &err);
        if (st != ZC_NOT_FOUND && !(st == ZC_EDRIVER && !strcmp(err.sqlstate, "42P01")))
            break;
        usleep(50 * 1000);
    }
    zc_repo_close(&r);
    ck_assert_msg(st == ZC_OK, "row %lld not replayed on the standby within 10 s: %d %s",
                  (long long)id, st, err.message);
}

static void run_backends_sh(const char *cmd)
{
    const char *sh = getenv("ZC_BACKENDS_SH");
    char line[1024];
    int rc;
    ck_assert_msg(sh && *sh, "ZC_BACKENDS_SH is not set (env.sh of scripts/backends.sh)");
    snprintf(line, sizeof line, "'%s' %s >/dev/null 2>&1", sh, cmd);
    rc = system(line);
    ck_assert_msg(rc == 0, "%s %s exited %d", sh, cmd, rc);
}

START_TEST(standby_serves_reads_after_replay)
{
    zc_error err;
    zc_session *s = NULL;
    Note a = note("replayed", 7), back;
    int64_t rec = -1, port = -1;
    make_notes();
    setup_standby(500);

    ZCT_OK(zc_repo_insert(routed, NULL, &a, &err), &err); /* a write: the primary */
    wait_replayed(a.id);
    ZCT_OK(zc_session_open_routed(NULL, &s, &err), &err);
    ck_assert_str_eq(zc_session_db_name(s), "standby");
    where(s, &rec, &port);
    ck_assert_int_eq(rec, 1);
    ck_assert_int_eq(port, standby_port());
    memset(&back, 0, sizeof back);
    ZCT_OK(zc_repo_get(routed, s, &a.id, &back, &err), &err);
    ck_assert_str_eq(back.body, "replayed");
    ck_assert_int_eq(back.created_at, a.created_at);
    zc_session_close(&s);
    printf("replica/postgresql: row %lld written on the primary, read on the standby (port "
           "%lld, in recovery)\n", (long long)a.id, (long long)port);
    drop_notes();
}
END_TEST

START_TEST(standby_refuses_writes_with_25006)
{
    zc_error err;
    zc_session *s = NULL;
    int64_t n = -1;
    Note a = note("x", 1);
    make_notes();
    setup_standby(500);
    ZCT_OK(zc_repo_insert(direct, NULL, &a, &err), &err);
    wait_replayed(a.id);

    /* zodiac refuses repository writes there itself... */
    ZCT_OK(zc_session_open("standby", &s, &err), &err);
    ck_assert_int_eq(zc_repo_insert(direct, s, &a, &err), ZC_EREADONLY);
    /* ...and SQL the server refuses comes back as the same status, SQLSTATE 25006 */
    {
        char sql[256];
        snprintf(sql, sizeof sql, "INSERT INTO %s (body, n, created_at, updated_at) VALUES "
                 "('y', 2, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", notes_table);
        ck_assert_int_eq(zc_session_exec(s, sql, NULL, 0, NULL, &err), ZC_EREADONLY);
        ck_assert_str_eq(err.sqlstate, "25006");
    }
    zc_session_close(&s);
    ck_assert_int_eq(count_on(NULL), 1);
    ZCT_OK(zc_repo_count(direct, NULL, NULL, NULL, 0, &n, &err), &err);
    ck_assert_int_eq(n, 1);
    drop_notes();
}
END_TEST

START_TEST(read_your_writes_on_the_primary)
{
    zc_error err;
    zc_session *s = NULL;
    Note a = note("mine", 1), back;
    int64_t rec = -1, port = -1;
    make_notes();
    setup_standby(500);

    ZCT_OK(zc_session_open_routed(NULL, &s, &err), &err);
    where(s, &rec, &port);
    ck_assert_int_eq(rec, 1);
    /* where() read on the standby: the first write moves the session and asks for the
       unit to run again */
    ck_assert_int_eq(zc_repo_insert(routed, s, &a, &err), ZC_ERETRY);
    ZCT_OK(zc_repo_insert(routed, s, &a, &err), &err);
    where(s, &rec, &port);
    ck_assert_int_eq(rec, 0); /* the session moved to the primary... */
    ck_assert_int_ne(port, standby_port());
    memset(&back, 0, sizeof back);
    ZCT_OK(zc_repo_get(routed, s, &a.id, &back, &err), &err); /* ...and sees its row uncommitted */
    ck_assert_str_eq(back.body, "mine");
    ZCT_OK(zc_session_commit(s, &err), &err);
    zc_session_close(&s);
    drop_notes();
}
END_TEST

START_TEST(standby_loss_falls_back_and_recovers)
{
    zc_error err;
    zc_db_info info;
    Note a = note("survives", 1), back;
    int reads = 0, on_primary = 0, on_standby = 0;
    make_notes();
    setup_standby(300);
    ZCT_OK(zc_repo_insert(routed, NULL, &a, &err), &err);
    wait_replayed(a.id);
    {   /* a pooled connection to the standby exists before it goes */
        zc_session *s = NULL;
        ZCT_OK(zc_session_open_routed(NULL, &s, &err), &err);
        ZCT_OK(zc_repo_get(routed, s, &a.id, &back, &err), &err);
        ck_assert_str_eq(zc_session_db_name(s), "standby");
        zc_session_close(&s);
    }

    run_backends_sh("replica-stop");
    for (int i = 0; i < 5; i++) {
        zc_session *s = NULL;
        int64_t rec = -1, port = -1;
        ZCT_OK(zc_session_open_routed(NULL, &s, &err), &err);
        memset(&back, 0, sizeof back);
        ZCT_OK(zc_repo_get(routed, s, &a.id, &back, &err), &err); /* never fails */
        ck_assert_str_eq(back.body, "survives");
        where(s, &rec, &port);
        ck_assert_int_eq(rec, 0);
        on_primary += !strcmp(zc_session_db_name(s), ZC_DEFAULT_DB);
        zc_session_close(&s);
        ZCT_OK(zc_repo_get(routed, NULL, &a.id, &back, &err), &err); /* session-less too */
        reads += 2;
    }
    ck_assert_int_eq(on_primary, 5);
    ZCT_OK(zc_db_get_info(NULL, &info, &err), &err);
    ck_assert_int_eq(info.replicas_healthy, 0);

    run_backends_sh("replica-start");
    usleep(400 * 1000); /* past replica_retry_ms */
    for (int i = 0; i < 3; i++) {
        zc_session *s = NULL;
        int64_t rec = -1, port = -1;
        ZCT_OK(zc_session_open_routed(NULL, &s, &err), &err);
        where(s, &rec, &port);
        on_standby += rec == 1 && port == standby_port();
        zc_session_close(&s);
    }
    ck_assert_int_eq(on_standby, 3);
    printf("replica/postgresql: standby stopped: %d reads, all served by the primary; standby "
           "back: %d of 3 sessions on it\n", reads, on_standby);
    drop_notes();
}
END_TEST

/*
 * A read-modify-write through routed sessions: 300 increments of one counter, each a
 * unit of work that reads the row (on the standby, which may lag) and writes it back
 * plus one. A write after a read on a replica returns ZC_ERETRY with the session moved
 * to the primary; the unit runs again there. The counter must end at exactly 300.
 */
static void routed_increments(const char *label, Note c)
{
    zc_error err;
    Note back;
    int retried = 0, units = 0;
    for (int i = 0; i < 300; i++) {
        zc_session *s = NULL;
        int st;
        ZCT_OK(zc_session_open_routed(NULL, &s, &err), &err);
        for (;;) {
            units++;
            ZCT_OK(zc_repo_get(routed, s, &c.id, &back, &err), &err);
            back.n++;
            st = zc_repo_update(routed, s, &back, &err);
            if (st == ZC_ERETRY) {
                retried++;
                continue; /* the session is on the primary now: read there */
            }
            ZCT_OK(st, &err);
            ZCT_OK(zc_session_commit(s, &err), &err);
            break;
        }
        zc_session_close(&s);
    }
    ZCT_OK(zc_repo_get(direct, NULL, &c.id, &back, &err), &err);
    printf("%s/%s/routed_increments: 300 read-modify-write units through routed sessions: "
           "%d runs, %d answered ZC_ERETRY at their write; counter %d (expected 300)\n",
           label, zct_cur->name, units, retried, back.n);
    ck_assert_int_eq(back.n, 300);
    ck_assert_int_eq(retried, 300); /* every unit read on the replica first */
}

START_TEST(routed_read_modify_write_loses_no_update_mirror)
{
    Note c = note("counter", 0);
    zc_error err;
    make_notes();
    setup_mirror("m1", 0);
    ZCT_OK(zc_repo_insert(direct, NULL, &c, &err), &err);
    routed_increments("replica", c);
    drop_notes();
}
END_TEST

START_TEST(routed_read_modify_write_loses_no_update_standby)
{
    Note c = note("counter", 0);
    zc_error err;
    make_notes();
    setup_standby(500);
    ZCT_OK(zc_repo_insert(direct, NULL, &c, &err), &err);
    wait_replayed(c.id);
    routed_increments("standby", c);
    drop_notes();
}
END_TEST

static void add_rmw(TCase *tc)
{
    tcase_add_test(tc, routed_read_modify_write_loses_no_update_mirror);
}

static void add_standby(TCase *tc)
{
    tcase_add_test(tc, routed_read_modify_write_loses_no_update_standby);
    tcase_add_test(tc, standby_serves_reads_after_replay);
    tcase_add_test(tc, standby_refuses_writes_with_25006);
    tcase_add_test(tc, read_your_writes_on_the_primary);
    tcase_add_test(tc, standby_loss_falls_back_and_recovers);
}

int main(void)
{
    Suite *s = suite_create("replica");
    zct_add_backend_cases(s, "replica", add_rules, 120, 0);
    zct_add_backend_cases(s, "rmw", add_rmw, 180, 0);
    /* Only PostgreSQL has a standby in the test set-up (when the run requires it). */
    zct_add_backend_case_named(s, "standby", add_standby, 180, "postgresql");
    return zct_run(s);
}
