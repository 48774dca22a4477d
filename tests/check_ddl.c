/* SPDX-License-Identifier: MIT */
/* model + dialect + ddl: create_all / drop_all through the catalog, every type's round trip. */
#include <float.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models.h"
#include "zctest.h"

static const zc_model *const models[] = { &Thing_model, &Token_model };

static void create(void)
{
    zc_error err;
    zct_models_init();
    ZCT_OK(zc_db_drop_all(NULL, models, 2, &err), &err);
    ZCT_OK(zc_db_create_all(NULL, models, 2, &err), &err);
}

static const zct_column *find_col(const zct_column *c, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcasecmp(c[i].name, name))
            return &c[i];
    return NULL;
}

static const zct_index *find_ix(const zct_index *x, int n, const char *column)
{
    for (int i = 0; i < n; i++)
        if (!strcasecmp(x[i].column, column))
            return &x[i];
    return NULL;
}

START_TEST(create_all_creates_tables_columns_and_indexes)
{
    zct_column cols[64];
    zct_index ix[64];
    int nc, ni;
    char want[80];
    const zct_index *x;

    create();
    nc = zct_catalog_columns(Thing_model.table, cols, 64);
    ck_assert_int_eq(nc, 3 + (int)Thing_model.nfields);
    ck_assert_ptr_nonnull(find_col(cols, nc, "id"));
    ck_assert_int_eq(find_col(cols, nc, "created_at")->nullable, 0);
    ck_assert_int_eq(find_col(cols, nc, "updated_at")->nullable, 0);
    for (size_t i = 0; i < Thing_model.nfields; i++) {
        const zc_field *f = &Thing_model.fields[i];
        const zct_column *c = find_col(cols, nc, f->name);
        ck_assert_msg(c != NULL, "column %s missing", f->name);
        ck_assert_msg(c->nullable == !!(f->flags & ZC_F_NULLABLE), "column %s nullable %d",
                      f->name, c->nullable);
    }
    ni = zct_catalog_indexes(Thing_model.table, ix, 64);
    x = find_ix(ix, ni, "tag");
    ck_assert_msg(x != NULL, "no index on tag");
    snprintf(want, sizeof want, "ix_%s_tag", Thing_model.table);
    ck_assert_str_eq(x->name, want);
    ck_assert_int_eq(x->unique, 0);
    x = find_ix(ix, ni, "email");
    ck_assert_msg(x != NULL, "no index on email");
    snprintf(want, sizeof want, "ix_%s_email", Thing_model.table);
    ck_assert_str_eq(x->name, want);
    ck_assert_int_eq(x->unique, 1);
    x = find_ix(ix, ni, "code");
    ck_assert_msg(x != NULL && x->unique, "no unique index on code");
    ck_assert_ptr_null(find_ix(ix, ni, "name"));

    nc = zct_catalog_columns(Token_model.table, cols, 64);
    ck_assert_int_eq(nc, 3 + (int)Token_model.nfields);
    ck_assert_int_eq(find_col(cols, nc, "expires")->nullable, 1);
    ck_assert_int_eq(find_col(cols, nc, "label")->nullable, 0);

    /* again: harmless, nothing changes */
    {
        zc_error err;
        ZCT_OK(zc_db_create_all(NULL, models, 2, &err), &err);
    }
    ck_assert_int_eq(zct_catalog_columns(Thing_model.table, cols, 64), 3 + (int)Thing_model.nfields);
    ck_assert_int_eq(zct_catalog_indexes(Thing_model.table, ix, 64), ni);
}
END_TEST

START_TEST(drop_all_removes_tables)
{
    zc_error err;
    zct_column cols[64];
    create();
    ck_assert_int_gt(zct_catalog_columns(Thing_model.table, cols, 64), 0);
    ZCT_OK(zc_db_drop_all(NULL, models, 2, &err), &err);
    ck_assert_int_eq(zct_catalog_columns(Thing_model.table, cols, 64), 0);
    ck_assert_int_eq(zct_catalog_columns(Token_model.table, cols, 64), 0);
    ZCT_OK(zc_db_drop_all(NULL, models, 2, &err), &err); /* again: harmless */
}
END_TEST

START_TEST(ddl_text_per_dialect)
{
    zc_error err;
    char *sql = NULL;
    zct_models_init();
    ZCT_OK(zc_ddl_text(ZC_DIALECT_POSTGRESQL, models, 2, &sql, &err), &err);
    ck_assert_ptr_nonnull(strstr(sql, "id BIGSERIAL PRIMARY KEY"));
    ck_assert_ptr_nonnull(strstr(sql, "TIMESTAMP(6)"));
    ck_assert_ptr_nonnull(strstr(sql, "BYTEA"));
    ck_assert_ptr_nonnull(strstr(sql, "id UUID NOT NULL PRIMARY KEY"));
    ck_assert_ptr_nonnull(strstr(sql, "CREATE UNIQUE INDEX IF NOT EXISTS ix_"));
    ck_assert_ptr_nonnull(strstr(sql, "level INTEGER NOT NULL DEFAULT 7"));
    zc_free(sql);
    ZCT_OK(zc_ddl_text(ZC_DIALECT_MYSQL, models, 2, &sql, &err), &err);
    ck_assert_ptr_nonnull(strstr(sql, "AUTO_INCREMENT"));
    ck_assert_ptr_nonnull(strstr(sql, "DATETIME(6)"));
    ck_assert_ptr_nonnull(strstr(sql, "LONGBLOB"));
    ck_assert_ptr_nonnull(strstr(sql, "CHAR(36)"));
    zc_free(sql);
    ZCT_OK(zc_ddl_text(ZC_DIALECT_SQLITE, models, 2, &sql, &err), &err);
    ck_assert_ptr_nonnull(strstr(sql, "INTEGER PRIMARY KEY AUTOINCREMENT"));
    zc_free(sql);
    ck_assert_int_eq(zc_ddl_text(99, models, 2, &sql, &err), ZC_EINVAL);
    ck_assert_int_eq(zc_ddl_text(ZC_DIALECT_SQLITE, models, 2, NULL, &err), ZC_EINVAL);
}
END_TEST

START_TEST(invalid_model_is_refused_by_create_all)
{
    static zc_field bad[] = { ZC_FIELD_TEXT(Thing, name, 0) };
    zc_model m = Thing_model;
    const zc_model *mm[] = { &m };
    zc_error err;
    zct_column cols[4];
    bad[0].name = "na me";
    m.fields = bad;
    m.nfields = 1;
    m.table = "zc_bad_model_table";
    ck_assert_int_eq(zc_db_create_all(NULL, mm, 1, &err), ZC_EINVAL);
    ck_assert_msg(strstr(err.message, "na me") != NULL, "message: %s", err.message);
    ck_assert_int_eq(zct_catalog_columns("zc_bad_model_table", cols, 4), 0);
    ck_assert_int_eq(zc_db_create_all(NULL, NULL, 1, &err), ZC_EINVAL);
}
END_TEST

static void fill(Thing *t, int k)
{
    memset(t, 0, sizeof *t);
    t->i32 = k;
    t->i64 = (int64_t)k * 1000000007;
    t->d = k + 0.25;
    t->flag = k % 2;
    snprintf(t->name, sizeof t->name, "thing %d", k);
    zc_uuid_v4(&t->ref);
    t->at = INT64_C(1700000000123456) + k;
    t->data_len = 3;
    memcpy(t->data, "\x00\xff\x7f", 3);
    snprintf(t->code, sizeof t->code, "c%d", k);
    snprintf(t->tag, sizeof t->tag, "t%d", k % 3);
    snprintf(t->email, sizeof t->email, "u%d@example.org", k);
    t->n_i32_null = t->n_i64_null = t->n_d_null = t->n_flag_null = true;
    t->n_name_null = t->n_ref_null = t->n_at_null = t->n_data_null = true;
    t->level = 7;
}

static int64_t ts_kept(int64_t us)
{
    /* sqliteodbc keeps milliseconds (it stores timestamps as text): the fraction is cut,
       so a time before 1970 moves to the earlier millisecond */
    return zct_cur->dialect == ZC_DIALECT_SQLITE ? us - ((us % 1000) + 1000) % 1000 : us;
}

static void check_same(const Thing *a, const Thing *b)
{
    ck_assert_int_eq(a->id, b->id);
    ck_assert_int_eq(a->created_at, b->created_at);
    ck_assert_int_eq(a->updated_at, b->updated_at);
    ck_assert_int_eq(a->i32, b->i32);
    ck_assert_int_eq(a->i64, b->i64);
    ck_assert_msg(a->d == b->d, "double %.17g came back as %.17g", a->d, b->d);
    ck_assert_int_eq(a->flag, b->flag);
    ck_assert_str_eq(a->name, b->name);
    ck_assert_int_eq(zc_uuid_compare(&a->ref, &b->ref), 0);
    ck_assert_int_eq(ts_kept(a->at), b->at);
    ck_assert_uint_eq(a->data_len, b->data_len);
    ck_assert_mem_eq(a->data, b->data, a->data_len);
    ck_assert_str_eq(a->code, b->code);
    ck_assert_str_eq(a->email, b->email);
    ck_assert_int_eq(a->n_i32_null, b->n_i32_null);
    ck_assert_int_eq(a->n_i64_null, b->n_i64_null);
    ck_assert_int_eq(a->n_d_null, b->n_d_null);
    ck_assert_int_eq(a->n_flag_null, b->n_flag_null);
    ck_assert_int_eq(a->n_name_null, b->n_name_null);
    ck_assert_int_eq(a->n_ref_null, b->n_ref_null);
    ck_assert_int_eq(a->n_at_null, b->n_at_null);
    ck_assert_int_eq(a->n_data_null, b->n_data_null);
    if (!a->n_i32_null) ck_assert_int_eq(a->n_i32, b->n_i32);
    if (!a->n_i64_null) ck_assert_int_eq(a->n_i64, b->n_i64);
    if (!a->n_d_null) ck_assert(a->n_d == b->n_d);
    if (!a->n_flag_null) ck_assert_int_eq(a->n_flag, b->n_flag);
    if (!a->n_name_null) ck_assert_str_eq(a->n_name, b->n_name);
    if (!a->n_ref_null) ck_assert_int_eq(zc_uuid_compare(&a->n_ref, &b->n_ref), 0);
    if (!a->n_at_null) ck_assert_int_eq(ts_kept(a->n_at), b->n_at);
    if (!a->n_data_null) {
        ck_assert_uint_eq(a->n_data_len, b->n_data_len);
        ck_assert_mem_eq(a->n_data, b->n_data, a->n_data_len);
    }
    ck_assert_int_eq(a->level, b->level);
}

START_TEST(every_type_round_trips_with_edge_values)
{
    zc_error err;
    zc_repo *r = NULL;
    Thing rows[6], back;
    create();
    ZCT_OK(zc_repo_open(&Thing_model, NULL, &r, &err), &err);

    /* 0: integer extremes, empty text, NULLs everywhere they are allowed */
    fill(&rows[0], 0);
    rows[0].i32 = INT32_MIN;
    rows[0].i64 = INT64_MIN;
    rows[0].d = -DBL_MAX;
    rows[0].name[0] = '\0';
    rows[0].data_len = 0;
    /* 1: the other extremes, and every nullable field set */
    fill(&rows[1], 1);
    rows[1].i32 = INT32_MAX;
    rows[1].i64 = INT64_MAX;
    rows[1].d = DBL_MIN;
    /* Under valgrind (tests/valgrind.sh sets ZC_UNDER_VALGRIND) long double has only
       double's precision, and SQLite converts REAL to and from text in long double:
       at the ends of the range it is no longer exact (-DBL_MAX becomes -inf; the
       sqlite3 shell does the same under valgrind). Values inside it stand in there. */
    if (zct_cur->dialect == ZC_DIALECT_SQLITE && getenv("ZC_UNDER_VALGRIND")) {
        rows[0].d = -1e22;
        rows[1].d = 1.5e-10;
    }
    rows[1].n_i32 = INT32_MIN;
    rows[1].n_i64 = INT64_MAX;
    rows[1].n_d = -0.5;
    rows[1].n_flag = true;
    snprintf(rows[1].n_name, sizeof rows[1].n_name, "set");
    memset(rows[1].n_ref.bytes, 0xff, 16);
    rows[1].n_at = INT64_C(-86400000000) * 365 + 999999; /* 1969, with microseconds */
    rows[1].n_data_len = 16;
    memset(rows[1].n_data, 0xab, 16);
    rows[1].n_i32_null = rows[1].n_i64_null = rows[1].n_d_null = rows[1].n_flag_null = false;
    rows[1].n_name_null = rows[1].n_ref_null = rows[1].n_at_null = rows[1].n_data_null = false;
    /* 2: text of exactly N-1 bytes */
    fill(&rows[2], 2);
    memset(rows[2].name, 'x', sizeof rows[2].name - 1);
    rows[2].name[sizeof rows[2].name - 1] = '\0';
    /* 3: UTF-8 multi-byte text, exactly filling the member */
    fill(&rows[3], 3);
    snprintf(rows[3].name, sizeof rows[3].name, "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80 caf\xc3\xa9");
    /* 4: UUID with every high bit set and a timestamp in the far future */
    fill(&rows[4], 4);
    for (int i = 0; i < 16; i++)
        rows[4].ref.bytes[i] = (unsigned char)(0x80 | (i * 17));
    rows[4].at = INT64_C(253402300799999999); /* 9999-12-31T23:59:59.999999 */
    /* 5: SQL meta-characters in text, verbatim */
    fill(&rows[5], 5);
    snprintf(rows[5].name, sizeof rows[5].name, "O'Brien; -- \\ \"x\" %%");

    for (int i = 0; i < 6; i++) {
        ZCT_OK(zc_repo_insert(r, NULL, &rows[i], &err), &err);
        ck_assert_int_gt(rows[i].id, 0);
        ck_assert_int_gt(rows[i].created_at, 0);
        ck_assert_int_eq(rows[i].created_at, rows[i].updated_at);
    }
    for (int i = 0; i < 6; i++) {
        memset(&back, 0x5a, sizeof back);
        ZCT_OK(zc_repo_get(r, NULL, &rows[i].id, &back, &err), &err);
        check_same(&rows[i], &back);
    }
    zc_repo_close(&r);
}
END_TEST

START_TEST(uuid_model_round_trips)
{
    zc_error err;
    zc_repo *r = NULL;
    Token t, given, back;
    create();
    ZCT_OK(zc_repo_open(&Token_model, NULL, &r, &err), &err);
    memset(&t, 0, sizeof t);
    snprintf(t.label, sizeof t.label, "first");
    for (int i = 0; i < 16; i++)
        t.owner.bytes[i] = (unsigned char)(255 - i);
    t.hits = -42;
    t.expires_null = true;
    ZCT_OK(zc_repo_insert(r, NULL, &t, &err), &err);
    ck_assert_int_eq(zc_uuid_is_nil(&t.id), 0);
    ck_assert_int_eq(t.id.bytes[6] >> 4, 4); /* version 4 */
    memset(&back, 0, sizeof back);
    ZCT_OK(zc_repo_get(r, NULL, &t.id, &back, &err), &err);
    ck_assert_int_eq(zc_uuid_compare(&t.id, &back.id), 0);
    ck_assert_int_eq(zc_uuid_compare(&t.owner, &back.owner), 0);
    ck_assert_str_eq(back.label, "first");
    ck_assert_int_eq(back.hits, -42);
    ck_assert_int_eq(back.expires_null, 1);

    /* an id the caller gives is kept */
    memset(&given, 0, sizeof given);
    ZCT_OK(zc_uuid_parse("ffffffff-8000-4000-8000-00000000abcd", &given.id), &err);
    snprintf(given.label, sizeof given.label, "given");
    given.expires = INT64_C(1800000000000000);
    ZCT_OK(zc_repo_insert(r, NULL, &given, &err), &err);
    memset(&back, 0, sizeof back);
    ZCT_OK(zc_repo_get(r, NULL, &given.id, &back, &err), &err);
    {
        char text[37];
        zc_uuid_format(&back.id, text);
        ck_assert_str_eq(text, "ffffffff-8000-4000-8000-00000000abcd");
    }
    ck_assert_int_eq(back.expires_null, 0);
    ck_assert_int_eq(back.expires, INT64_C(1800000000000000));
    zc_repo_close(&r);
}
END_TEST

START_TEST(unique_column_duplicate_is_econstraint)
{
    zc_error err;
    zc_repo *r = NULL;
    Thing a, b;
    int64_t n = -1;
    create();
    ZCT_OK(zc_repo_open(&Thing_model, NULL, &r, &err), &err);
    fill(&a, 1);
    fill(&b, 2);
    snprintf(b.code, sizeof b.code, "%s", a.code);
    ZCT_OK(zc_repo_insert(r, NULL, &a, &err), &err);
    ck_assert_int_eq(zc_repo_insert(r, NULL, &b, &err), ZC_ECONSTRAINT);
    ck_assert_msg(err.sqlstate[0] == '2' && err.sqlstate[1] == '3', "%s", err.sqlstate);
    fill(&b, 3);
    snprintf(b.email, sizeof b.email, "%s", a.email); /* the unique index */
    ck_assert_int_eq(zc_repo_insert(r, NULL, &b, &err), ZC_ECONSTRAINT);
    ZCT_OK(zc_repo_count(r, NULL, NULL, NULL, 0, &n, &err), &err);
    ck_assert_int_eq(n, 1);
    zc_repo_close(&r);
}
END_TEST

/* The same table seen through a model whose name member is smaller. */
typedef struct ThingShort {
    ZC_INT_ID_FIELDS;
    char name[8];
} ThingShort;
static const zc_field short_fields[] = { ZC_FIELD_TEXT(ThingShort, name, 0) };

START_TEST(oversize_text_is_etrunc_both_ways)
{
    zc_error err;
    zc_repo *r = NULL, *rs = NULL;
    Thing t;
    ThingShort s;
    zc_model short_model = { "ThingShort", Thing_model.table, sizeof(ThingShort), ZC_PK_INT,
                             offsetof(ThingShort, id), 8, offsetof(ThingShort, created_at),
                             offsetof(ThingShort, updated_at), short_fields, 1 };
    int64_t n = -1;
    create();
    ZCT_OK(zc_repo_open(&Thing_model, NULL, &r, &err), &err);
    /* in: a member with no NUL within its bytes is longer than the column */
    fill(&t, 1);
    memset(t.name, 'y', sizeof t.name);
    ck_assert_int_eq(zc_repo_insert(r, NULL, &t, &err), ZC_ETRUNC);
    ck_assert_ptr_nonnull(strstr(err.message, "name"));
    ZCT_OK(zc_repo_count(r, NULL, NULL, NULL, 0, &n, &err), &err);
    ck_assert_int_eq(n, 0);
    /* out: a stored value longer than the reading struct's member */
    fill(&t, 2);
    snprintf(t.name, sizeof t.name, "twelve chars");
    ZCT_OK(zc_repo_insert(r, NULL, &t, &err), &err);
    ZCT_OK(zc_repo_open(&short_model, NULL, &rs, &err), &err);
    memset(&s, 0, sizeof s);
    ck_assert_int_eq(zc_repo_get(rs, NULL, &t.id, &s, &err), ZC_ETRUNC);
    ck_assert_ptr_nonnull(strstr(err.message, "name"));
    /* a value that fits reads back whole */
    snprintf(t.name, sizeof t.name, "seven77");
    ZCT_OK(zc_repo_update(r, NULL, &t, &err), &err);
    ZCT_OK(zc_repo_get(rs, NULL, &t.id, &s, &err), &err);
    ck_assert_str_eq(s.name, "seven77");
    zc_repo_close(&rs);
    zc_repo_close(&r);
}
END_TEST

START_TEST(out_of_range_timestamp_is_refused)
{
    zc_error err;
    zc_repo *r = NULL;
    Thing t;
    int64_t n = -1;
    create();
    ZCT_OK(zc_repo_open(&Thing_model, NULL, &r, &err), &err);
    fill(&t, 1);
    t.at = ZC_TIMESTAMP_MAX + 1;
    ck_assert_int_eq(zc_repo_insert(r, NULL, &t, &err), ZC_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "'at'"));
    fill(&t, 2);
    t.n_at_null = false;
    t.n_at = ZC_TIMESTAMP_MIN - 1;
    ck_assert_int_eq(zc_repo_insert(r, NULL, &t, &err), ZC_EINVAL);
    t.n_at = ZC_TIMESTAMP_MIN; /* the first microsecond of year 1 is fine */
    ZCT_OK(zc_repo_insert(r, NULL, &t, &err), &err);
    ZCT_OK(zc_repo_count(r, NULL, NULL, NULL, 0, &n, &err), &err);
    ck_assert_int_eq(n, 1);
    zc_repo_close(&r);
}
END_TEST

static void add_tests(TCase *tc)
{
    tcase_add_test(tc, out_of_range_timestamp_is_refused);
    tcase_add_test(tc, create_all_creates_tables_columns_and_indexes);
    tcase_add_test(tc, drop_all_removes_tables);
    tcase_add_test(tc, invalid_model_is_refused_by_create_all);
    tcase_add_test(tc, every_type_round_trips_with_edge_values);
    tcase_add_test(tc, uuid_model_round_trips);
    tcase_add_test(tc, unique_column_duplicate_is_econstraint);
    tcase_add_test(tc, oversize_text_is_etrunc_both_ways);
}

int main(void)
{
    Suite *s = suite_create("ddl");
    TCase *tc = tcase_create("ddl-text");
    tcase_add_test(tc, ddl_text_per_dialect);
    suite_add_tcase(s, tc);
    zct_add_backend_cases(s, "ddl", add_tests, 120, 0);
    return zct_run(s);
}
