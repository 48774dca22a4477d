/* SPDX-License-Identifier: MIT */
/*
 * watch: deadlines on the calls that wait for a server. One thread per
 * process (started at the first deadline) sleeps until the earliest one.
 *
 * A statement past its deadline is cancelled the way its server allows
 * without touching the session's handles: SQLite through SQLCancel (which
 * calls sqlite3_interrupt and returns at once), PostgreSQL and MariaDB by
 * pg_cancel_backend / KILL QUERY sent on a connection of the canceller's own
 * (the session's statement handle is never shared with another thread, and a
 * canceller that meets a silent server blocks nobody but itself). If the
 * statement has not returned a grace period later, or at once for COMMIT and
 * ROLLBACK (which cannot be cancelled), the session's socket is shut down (through
 * a descriptor of the watch's own, so that no descriptor number can be reused under
 * it): the driver's blocked call returns with a lost connection. The session then
 * reports ZC_ETIMEOUT (the statement was stopped) or ZC_ECONN ("outcome
 * unknown" for a commit).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* How long a cancelled statement may take to return before its socket is cut. */
#define GRACE_MS 1000.0
/* Cancellers running at once; past that a deadline goes straight to the cut. */
#define CANCELLERS_MAX 8

static pthread_mutex_t watch_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t watch_cv;   /* the watchdog waits on it for the next deadline */
static pthread_cond_t done_cv;    /* owners wait on it for a canceller to finish */
static int started;               /* the watchdog thread runs (in this process) */
static int stopping;              /* zc__watch_shutdown asks it to end */
static pthread_t watchdog_thread;
static zc__node *armed;           /* the armed watches (zc__watch), guarded by watch_mu */
static int cancellers;            /* canceller threads running */

static void init_conds(void)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&watch_cv, &ca);
    pthread_cond_init(&done_cv, &ca);
    pthread_condattr_destroy(&ca);
}

static pthread_once_t conds_once = PTHREAD_ONCE_INIT;

/* ---- cancelling on a connection of our own --------------------------------------- */

/*
 * A cancel in flight, shared by the watch and its canceller thread (two references):
 * the canceller never touches the session, so a session may go on (or be closed) while
 * a canceller is still stuck on a silent server.
 */
struct zc__cancel {
    SQLHENV env;    /* cancel_env */
    int refs;
    int done;       /* the kill was sent (or could not be) */
    int abandoned;  /* the watch let go: do not send the kill any more */
    char conn[ZC_CONN_STR_MAX + 64];
    char sql[64];
};

/*
 * The cancellers' ODBC environment, made once and kept for the process's life: not
 * the registry's, which zc_db_shutdown may free while a canceller connects, and never
 * freed, since with driver-manager pooling the cancellers' connections stay pooled
 * under it (see db.c on freeing an environment that pooled connections point at).
 */
static SQLHENV cancel_env;

static SQLHENV cancellers_env(void)
{
    if (!cancel_env) {
        SQLHENV env = NULL;
        if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env)))
            return NULL;
        if (!SQL_SUCCEEDED(SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3,
                                         0))) {
            SQLFreeHandle(SQL_HANDLE_ENV, env);
            return NULL;
        }
        cancel_env = env;
    }
    return cancel_env;
}

static void cancel_unref(struct zc__cancel *c)
{
    if (--c->refs == 0)
        free(c);
}

static void *canceller(void *arg)
{
    struct zc__cancel *c = arg;
    SQLHDBC dbc = NULL;
    SQLHSTMT h = NULL;
    if (c->env && SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, c->env, &dbc))) {
        SQLSetConnectAttr(dbc, SQL_ATTR_LOGIN_TIMEOUT, (SQLPOINTER)(intptr_t)5, 0);
        if (SQL_SUCCEEDED(SQLDriverConnect(dbc, NULL, (SQLCHAR *)c->conn, SQL_NTS, NULL, 0, NULL,
                                           SQL_DRIVER_NOPROMPT))) {
            int send;
            pthread_mutex_lock(&watch_mu);
            send = !c->abandoned;
            pthread_mutex_unlock(&watch_mu);
            if (send && SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h))) {
                SQLExecDirect(h, (SQLCHAR *)c->sql, SQL_NTS);
                SQLFreeHandle(SQL_HANDLE_STMT, h);
            }
            SQLEndTran(SQL_HANDLE_DBC, dbc, SQL_ROLLBACK);
            SQLDisconnect(dbc);
        }
        SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    }
    pthread_mutex_lock(&watch_mu);
    c->done = 1;
    cancellers--;
    cancel_unref(c);
    pthread_cond_broadcast(&done_cv);
    pthread_mutex_unlock(&watch_mu);
    return NULL;
}

/* Starts cancelling w's statement; watch_mu held. Returns 0 when it cannot. */
static int start_cancel(zc__watch *w)
{
    struct zc__cancel *c;
    const char *fmt;
    pthread_t t;
    pthread_attr_t a;
    int ok;

    if (w->kind != ZC__WATCH_STATEMENT)
        return 0;
    if (w->cancel_h) {
        /* SQLite: SQLCancel on an idle handle of the same connection interrupts the
           connection's running statement (sqlite3_interrupt) and returns at once; on the
           running handle itself it would also free its result from this thread */
        SQLCancel(w->cancel_h);
        w->state = ZC__WATCH_CANCELLED;
        return 1;
    }
    fmt = zc__dialect_cancel_sql(w->dialect);
    if (!w->server_id || !fmt || cancellers >= CANCELLERS_MAX || !w->conn ||
        !cancellers_env())
        return 0;
    c = calloc(1, sizeof *c);
    if (!c)
        return 0;
    c->env = cancel_env;
    c->refs = 2;
    snprintf(c->conn, sizeof c->conn, "%s", w->conn);
    snprintf(c->sql, sizeof c->sql, fmt, w->server_id);
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    ok = pthread_create(&t, &a, canceller, c) == 0;
    pthread_attr_destroy(&a);
    if (!ok) {
        free(c);
        return 0;
    }
    cancellers++;
    w->cancel = c;
    w->state = ZC__WATCH_CANCELLING;
    return 1;
}

/* Lets go of w's cancel; watch_mu held. */
static void drop_cancel(zc__watch *w)
{
    if (w->cancel) {
        w->cancel->abandoned = 1;
        cancel_unref(w->cancel);
        w->cancel = NULL;
    }
}

static void cut(zc__watch *w)
{
    if (w->cut_fd < 0) {
        /* no socket to shut (SQLite, or one zodiac could not tell): the call returns
           when the cancel takes; nothing more to do until then */
        w->cut_at = zc__now_ms() + 86400000.0;
        return;
    }
    shutdown(w->cut_fd, SHUT_RDWR);
    drop_cancel(w);
    w->state = ZC__WATCH_CUT;
}

/* ---- the watchdog ---------------------------------------------------------------- */

static void deadline_to_timespec(double ms, struct timespec *out)
{
    out->tv_sec = (time_t)(ms / 1000.0);
    out->tv_nsec = (long)((ms - (double)out->tv_sec * 1000.0) * 1e6);
    if (out->tv_nsec >= 1000000000L) {
        out->tv_sec++;
        out->tv_nsec -= 1000000000L;
    }
    if (out->tv_nsec < 0)
        out->tv_nsec = 0;
}

static void *watchdog(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&watch_mu);
    while (!stopping) {
        double now = zc__now_ms(), next = 0;
        for (zc__node *n = armed; n; n = n->next) {
            zc__watch *w = (zc__watch *)(void *)((char *)n - offsetof(zc__watch, node));
            if (w->state == ZC__WATCH_ARMED && now >= w->deadline) {
                w->fired = 1;
                if (!start_cancel(w))
                    w->state = ZC__WATCH_CUTTING;
            }
            if (w->state == ZC__WATCH_CANCELLING && w->cancel->done)
                w->state = ZC__WATCH_CANCELLED;
            if (w->state != ZC__WATCH_ARMED && w->state != ZC__WATCH_CUT && now >= w->cut_at)
                cut(w); /* the call has not returned: end the wait by ending the connection */
            if (w->state == ZC__WATCH_ARMED)
                next = !next || w->deadline < next ? w->deadline : next;
            else if (w->state != ZC__WATCH_CUT)
                next = !next || w->cut_at < next ? w->cut_at : next;
        }
        if (!next) {
            pthread_cond_wait(&watch_cv, &watch_mu);
        } else {
            struct timespec ts;
            deadline_to_timespec(next, &ts);
            pthread_cond_timedwait(&watch_cv, &watch_mu, &ts);
        }
    }
    pthread_mutex_unlock(&watch_mu);
    return NULL;
}

/* ---- arming ---------------------------------------------------------------------- */

void zc__watch_arm(zc__watch *w, int kind, double ms)
{
    double now = zc__now_ms();
    pthread_once(&conds_once, init_conds);
    pthread_mutex_lock(&watch_mu);
    if (!started)
        started = pthread_create(&watchdog_thread, NULL, watchdog, NULL) == 0;
    w->kind = kind;
    w->deadline = now + ms;
    w->cut_at = kind == ZC__WATCH_STATEMENT ? w->deadline + (ms > GRACE_MS ? ms : GRACE_MS)
                                            : w->deadline;
    w->fired = 0;
    w->armed = 1;
    w->state = ZC__WATCH_ARMED;
    zc__list_push(&armed, &w->node);
    pthread_cond_signal(&watch_cv);
    pthread_mutex_unlock(&watch_mu);
}

int zc__watch_disarm(zc__watch *w)
{
    int fired;
    pthread_mutex_lock(&watch_mu);
    /* a kill in flight may still reach the server: wait for it, or it could stop the
       next statement on this connection; past the cut the connection is gone */
    while (w->state == ZC__WATCH_CANCELLING && !w->cancel->done) {
        struct timespec ts;
        if (zc__now_ms() >= w->cut_at) {
            cut(w);
            if (w->state == ZC__WATCH_CUT)
                break;
        }
        deadline_to_timespec(zc__now_ms() + 20, &ts);
        pthread_cond_timedwait(&done_cv, &watch_mu, &ts);
    }
    fired = !w->fired ? 0 : w->state == ZC__WATCH_CUT ? ZC__WATCH_CUT : ZC__WATCH_CANCELLED;
    drop_cancel(w);
    w->state = ZC__WATCH_IDLE;
    zc__list_remove(&armed, &w->node);
    pthread_mutex_unlock(&watch_mu);
    w->armed = 0;
    if (w->cut_fd >= 0)
        close(w->cut_fd);
    w->cut_fd = -1;
    return fired;
}

void zc__watch_shutdown(void)
{
    double until = zc__now_ms() + 2000;
    pthread_once(&conds_once, init_conds);
    pthread_mutex_lock(&watch_mu);
    /* cancellers end by themselves; give the ones in flight a moment */
    while (cancellers > 0 && zc__now_ms() < until) {
        struct timespec ts;
        deadline_to_timespec(zc__now_ms() + 20, &ts);
        pthread_cond_timedwait(&done_cv, &watch_mu, &ts);
    }
    if (!started || armed) {
        pthread_mutex_unlock(&watch_mu);
        return; /* a session still waits on a deadline: the watchdog stays */
    }
    stopping = 1;
    pthread_cond_signal(&watch_cv);
    pthread_mutex_unlock(&watch_mu);
    pthread_join(watchdog_thread, NULL);
    pthread_mutex_lock(&watch_mu);
    started = 0;
    stopping = 0;
    pthread_mutex_unlock(&watch_mu);
}

/* ---- fork() ---------------------------------------------------------------------- */

void zc__watch_atfork_prepare(void)
{
    pthread_mutex_lock(&watch_mu);
}

void zc__watch_atfork_parent(void)
{
    pthread_mutex_unlock(&watch_mu);
}

void zc__watch_atfork_child(void)
{
    /* no watchdog or canceller thread lives in the child; the armed watches are the
       parent's sessions' */
    started = 0;
    cancellers = 0;
    armed = NULL;
    init_conds(); /* their waiters were threads of the parent */
    pthread_mutex_unlock(&watch_mu);
}
