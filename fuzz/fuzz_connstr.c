/* SPDX-License-Identifier: MIT */
/*
 * Connection strings (src/db.c): the parser, and zc_db_setup() around it.
 *
 * Properties: the parser never reads or writes out of bounds; the masked form
 * of a string it accepts names the same DSN and driver; a password placed in the
 * string (first attribute, plain or braced) is never in the masked form, in an
 * error message, in zc_db_get_info() or in a log line, whatever follows it.
 */
#include "fuzz.h"
#include "internal.h"

#define MARK "Zq9mArKpw"

static int log_leak;

static void watch(void *ud, int level, const char *db, const char *line)
{
    (void)ud;
    (void)level;
    (void)db;
    if (strstr(line, MARK))
        log_leak = 1;
}

/* zc_db_setup + zc_db_get_info + zc_db_remove, checking that the mark stays hidden. */
static void setup_round(const char *conn, int check_mark)
{
    zc_error err;
    zc_db_info info;
    memset(&err, 0, sizeof err);
    log_leak = 0;
    if (zc_db_setup("fuzz", conn, NULL, &err) == ZC_OK) {
        if (zc_db_get_info("fuzz", &info, &err) != ZC_OK)
            zcf_fail("get_info after setup: %s", err.message);
        if (check_mark && strstr(info.conn_str, MARK))
            zcf_fail("password in zc_db_get_info: %s", info.conn_str);
        if (zc_db_remove("fuzz", NULL) != ZC_OK)
            zcf_fail("remove after setup");
    } else {
        if (err.message[0] == '\0')
            zcf_fail("refused without a message");
        if (check_mark && strstr(err.message, MARK))
            zcf_fail("password in the message: %s", err.message);
    }
    if (check_mark && log_leak)
        zcf_fail("password in a log line");
}

static void parse_round(const char *conn, int check_mark)
{
    zc__connstr cs, again;
    zc_error err;
    memset(&err, 0, sizeof err);
    if (zc__connstr_parse(conn, &cs, &err) != ZC_OK) {
        if (err.message[0] == '\0')
            zcf_fail("refused without a message");
        if (check_mark && strstr(err.message, MARK))
            zcf_fail("password in the message: %s", err.message);
        return;
    }
    if (check_mark) {
        if (strstr(cs.masked, MARK))
            zcf_fail("password in the masked form: %s", cs.masked);
        int recorded = 0;
        for (int i = 0; i < cs.nsecrets; i++)
            recorded |= !strcmp(cs.secrets[i], MARK);
        if (!recorded) /* a driver's message that quotes it would show it */
            zcf_fail("the password was not recorded as a secret");
    }
    if (strlen(cs.conn) > ZC_CONN_STR_MAX || strlen(cs.masked) > ZC_CONN_STR_MAX)
        zcf_fail("longer than ZC_CONN_STR_MAX");
    /* what zodiac shows reads back as a string of the same DSN and driver (it may be
       refused: an empty password shows as "***", which counts as one more) */
    if (zc__connstr_parse(cs.masked, &again, NULL) == ZC_OK) {
        if (strcmp(again.dsn, cs.dsn) != 0 || strcmp(again.driver, cs.driver) != 0)
            zcf_fail("masked form names another DSN or driver: %s", cs.masked);
        zc__connstr_free(&again);
    }
    zc__connstr_free(&cs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    char *in = zcf_string(data, size);
    size_t n = strlen(in);
    char *with = malloc(n + 64);
    int has_mark = strstr(in, MARK) != NULL;

    if (!with)
        abort();
    if (!init) {
        zc_set_log(watch, NULL);
        init = 1;
    }
    parse_round(in, 0);
    snprintf(with, n + 64, "PWD=" MARK ";%s", in);
    parse_round(with, !has_mark);
    setup_round(with, !has_mark);
    snprintf(with, n + 64, "Password={" MARK "};%s", in);
    parse_round(with, !has_mark);
    snprintf(with, n + 64, "%s;PWD=" MARK, in);
    parse_round(with, !has_mark);
    setup_round(in, 0);
    free(with);
    free(in);
    zc_db_shutdown();
    return 0;
}
