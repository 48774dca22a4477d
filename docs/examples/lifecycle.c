/* SPDX-License-Identifier: MIT */
/* Configuration and lifecycle: setup with options, create_all, pooling facts, limits, shutdown. */
#include <stdio.h>
#include <stdlib.h>

#include <zodiac/zodiac.h>

typedef struct Note {
    ZC_INT_ID_FIELDS;
    char text[200];
} Note;
static const zc_field note_fields[] = { ZC_FIELD_TEXT(Note, text, 0) };
static ZC_MODEL(Note, "notes", ZC_PK_INT, note_fields);

/* Receives the statement echo (options.echo) and connection events. */
static void log_line(void *ud, int level, const char *db, const char *line)
{
    static const char *const levels[] = { "debug", "info", "warn", "error" };
    (void)ud;
    printf("  [%s %s] %s\n", levels[level & 3], db, line);
}

static int check(int st, const char *what, const zc_error *err)
{
    if (st != ZC_OK)
        fprintf(stderr, "lifecycle: %s: %s [%s] %s\n", what, zc_strerror(st), err->sqlstate,
                err->message);
    return st != ZC_OK;
}

int main(int argc, char **argv)
{
    const char *conn = argc > 1 ? argv[1] : "Driver=SQLite3;Database=guide-lifecycle.sqlite";
    const zc_model *models[] = { &Note_model };
    zc_db_options opts = ZC_DB_OPTIONS_DEFAULT;
    zc_db_options tiny = ZC_DB_OPTIONS_DEFAULT;
    zc_db_info info;
    zc_error err;
    zc_session *a = NULL, *b = NULL;
    int st;

    /* startup: one call per database; nothing connects yet */
    opts.pool_size = 20;           /* sessions expected at once */
    opts.max_overflow = 10;        /* and up to 10 more under load */
    opts.pool_timeout_ms = 5000;   /* the 31st waits this long, then ZC_ETIMEOUT */
    opts.echo = 1;                 /* every statement and its time go to the log */
    opts.pre_ping = ZC_PING_LAZY;  /* a dead pooled connection is replaced transparently */
    zc_set_log(log_line, NULL);
    if (check(zc_db_setup(ZC_DEFAULT_DB, conn, &opts, &err), "setup", &err) ||
        check(zc_db_create_all(NULL, models, 1, &err), "create_all", &err))
        return EXIT_FAILURE;
    zc_set_log(NULL, NULL);

    /* what is in effect, after the first connection */
    if (check(zc_db_get_info(NULL, &info, &err), "info", &err))
        return EXIT_FAILURE;
    printf("%s: %s %s via %s; driver-manager pooling %s (CPTimeout %d); "
           "at most %d sessions\n", info.name, info.dbms_name, info.dbms_version,
           info.driver_name, info.dm_pooling ? "on" : "off", info.cp_timeout,
           info.sessions_max);

    /* the admission limit: a database that allows one session and waits 100 ms */
    tiny.pool_size = 1;
    tiny.max_overflow = -1; /* none */
    tiny.pool_timeout_ms = 100;
    if (check(zc_db_setup("tiny", conn, &tiny, &err), "setup tiny", &err) ||
        check(zc_session_open("tiny", &a, &err), "open a", &err))
        return EXIT_FAILURE;
    st = zc_session_open("tiny", &b, &err);
    printf("second session on 'tiny': %s\n", zc_strerror(st));
    zc_session_close(&a);
    if (st != ZC_ETIMEOUT)
        return EXIT_FAILURE;

    /* shutdown: every database goes; setting up again is allowed afterwards */
    zc_db_shutdown();
    printf("'default' after shutdown: %s\n", zc_strerror(zc_db_exists(ZC_DEFAULT_DB)));
    return EXIT_SUCCESS;
}
