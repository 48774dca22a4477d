/* SPDX-License-Identifier: MIT */
/* model: descriptor validation, timestamps and UUIDs (no database). */
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zctest.h"

/* ---- two good models: every field type, nullable and not, flags, defaults ---- */

#define ACCOUNT_MEMBERS                                                                     \
    char username[32];                                                                      \
    char email[64];                                                                         \
    bool email_null;                                                                        \
    int32_t age;                                                                            \
    bool age_null;                                                                          \
    int64_t score;                                                                          \
    double balance;                                                                         \
    bool balance_null;                                                                      \
    bool active;                                                                            \
    bool flag;                                                                              \
    bool flag_null;                                                                         \
    zc_uuid token;                                                                          \
    bool token_null;                                                                        \
    zc_uuid ref;                                                                            \
    zc_timestamp born;                                                                      \
    zc_timestamp last_login;                                                                \
    bool last_login_null;                                                                   \
    unsigned char avatar[256];                                                              \
    size_t avatar_len;                                                                      \
    bool avatar_null;                                                                       \
    unsigned char salt[16];                                                                 \
    size_t salt_len;                                                                        \
    int64_t big;                                                                            \
    bool big_null;                                                                          \
    double ratio;                                                                           \
    int32_t level;                                                                          \
    char country[3];                                                                        \
    double weight;                                                                          \
    bool verified;                                                                          \
    int64_t quota;                                                                          \
    char motto[32];

typedef struct Account {
    ZC_INT_ID_FIELDS;
    ACCOUNT_MEMBERS
} Account;

typedef struct Device {
    ZC_UUID_FIELDS;
    ACCOUNT_MEMBERS
} Device;

#define ACCOUNT_FIELDS(T)                                                                   \
    ZC_FIELD_TEXT(T, username, ZC_F_UNIQUE | ZC_F_INDEX),                                   \
    ZC_FIELD_TEXT_NULL(T, email, ZC_F_INDEX),                                               \
    ZC_FIELD_INT32_NULL(T, age, 0),                                                         \
    ZC_FIELD_INT64(T, score, ZC_F_INDEX),                                                   \
    ZC_FIELD_DOUBLE_NULL(T, balance, 0),                                                    \
    ZC_FIELD_BOOL(T, active, 0),                                                            \
    ZC_FIELD_BOOL_NULL(T, flag, 0),                                                         \
    ZC_FIELD_UUID_NULL(T, token, ZC_F_UNIQUE),                                              \
    ZC_FIELD_UUID(T, ref, ZC_F_INDEX),                                                      \
    ZC_FIELD_TIMESTAMP(T, born, 0),                                                         \
    ZC_FIELD_TIMESTAMP_NULL(T, last_login, ZC_F_INDEX),                                     \
    ZC_FIELD_BLOB_NULL(T, avatar, 0),                                                       \
    ZC_FIELD_BLOB(T, salt, ZC_F_UNIQUE),                                                    \
    ZC_FIELD_INT64_NULL(T, big, ZC_F_UNIQUE | ZC_F_INDEX),                                  \
    ZC_FIELD_DOUBLE(T, ratio, 0),                                                           \
    ZC_FIELD_DEFAULT(T, level, ZC_FT_INT32, 0, "1"),                                        \
    ZC_FIELD_DEFAULT(T, country, ZC_FT_TEXT, ZC_F_INDEX, "NZ"),                             \
    ZC_FIELD_DEFAULT(T, weight, ZC_FT_DOUBLE, 0, "-0.5"),                                   \
    ZC_FIELD_DEFAULT(T, verified, ZC_FT_BOOL, 0, "false"),                                  \
    ZC_FIELD_DEFAULT(T, quota, ZC_FT_INT64, ZC_F_UNIQUE, "-9223372036854775808"),           \
    ZC_FIELD_DEFAULT(T, motto, ZC_FT_TEXT, 0, "carpe diem: 100% (\xc3\xa9t\xc3\xa9)")

static const zc_field account_fields[] = { ACCOUNT_FIELDS(Account) };
static const zc_field device_fields[] = { ACCOUNT_FIELDS(Device) };
ZC_MODEL(Account, "accounts", ZC_PK_INT, account_fields);
ZC_MODEL(Device, "devices", ZC_PK_UUID, device_fields);

#define NF (sizeof account_fields / sizeof account_fields[0])

/* A mutable copy of a model and its fields. */
typedef struct copy {
    zc_model m;
    zc_field f[NF];
} copy;

static void copy_of(const zc_model *src, copy *c)
{
    ck_assert_uint_eq(src->nfields, NF);
    c->m = *src;
    memcpy(c->f, src->fields, sizeof c->f);
    c->m.fields = c->f;
}

static zc_field *field_named(copy *c, const char *name)
{
    for (size_t i = 0; i < NF; i++)
        if (c->f[i].name && !strcmp(c->f[i].name, name))
            return &c->f[i];
    ck_abort_msg("no field %s", name);
    return NULL;
}

/* Validates with a poisoned error record: the message must come back NUL-terminated. */
static int validate(const zc_model *m, zc_error *err)
{
    int st;
    memset(err, 'x', sizeof *err);
    st = zc_model_validate(m, err);
    if (st != ZC_OK) {
        ck_assert_uint_lt(strnlen(err->message, sizeof err->message), sizeof err->message);
        ck_assert_int_eq(err->status, st);
    }
    return st;
}

START_TEST(good_models_validate)
{
    zc_error err;
    ZCT_OK(validate(&Account_model, &err), &err);
    ZCT_OK(validate(&Device_model, &err), &err);
    ck_assert_int_eq(zc_model_validate(&Account_model, NULL), ZC_OK);
    ck_assert_uint_eq(Account_model.id_size, 8);
    ck_assert_uint_eq(Device_model.id_size, 16);
    ck_assert_str_eq(Account_model.name, "Account");
}
END_TEST

START_TEST(null_model_refused)
{
    zc_error err;
    ck_assert_int_eq(validate(NULL, &err), ZC_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "NULL"));
    ck_assert_int_eq(zc_model_validate(NULL, NULL), ZC_EINVAL);
}
END_TEST

START_TEST(empty_field_list_is_valid)
{
    zc_error err;
    copy c;
    copy_of(&Account_model, &c);
    c.m.fields = NULL;
    c.m.nfields = 0;
    ZCT_OK(validate(&c.m, &err), &err);
}
END_TEST

/* ---- mutations of the good model ---------------------------------------- */

enum {
    M_NAME, M_TABLE, M_PK, M_SIZE, M_ID_OFF, M_ID_SIZE, M_CREATED, M_UPDATED, M_FIELDS_NULL,
    F_NAME, F_TYPE, F_FLAGS, F_OFFSET, F_SIZE, F_NULL_OFF, F_LEN_OFF, F_DEFAULT
};

typedef struct change {
    const char *label;
    int what;
    const char *field; /* which field (F_*), by its original name */
    const char *s;     /* new name / default */
    size_t z;          /* new offset / size / flags */
    int i;             /* new pk / type */
    const char *needle, *needle2; /* what the message must contain */
} change;

#define OFF(m) offsetof(Account, m)
#define L16 "abcdefghijklmnop"
#define D10 "1234567890"
#define D300 D10 D10 D10 D10 D10 D10 D10 D10 D10 D10 D10 D10 D10 D10 D10 \
             D10 D10 D10 D10 D10 D10 D10 D10 D10 D10 D10 D10 D10 D10 D10

static void apply(const change *ch, copy *c)
{
    zc_field *f = ch->field ? field_named(c, ch->field) : NULL;
    switch (ch->what) {
    case M_NAME: c->m.name = ch->s; break;
    case M_TABLE: c->m.table = ch->s; break;
    case M_PK: c->m.pk = ch->i; break;
    case M_SIZE: c->m.size = ch->z; break;
    case M_ID_OFF: c->m.id_offset = ch->z; break;
    case M_ID_SIZE: c->m.id_size = ch->z; break;
    case M_CREATED: c->m.created_offset = ch->z; break;
    case M_UPDATED: c->m.updated_offset = ch->z; break;
    case M_FIELDS_NULL: c->m.fields = NULL; break;
    case F_NAME: f->name = ch->s; break;
    case F_TYPE: f->type = ch->i; break;
    case F_FLAGS: f->flags = (unsigned)ch->z; break;
    case F_OFFSET: f->offset = ch->z; break;
    case F_SIZE: f->size = ch->z; break;
    case F_NULL_OFF: f->null_offset = ch->z; break;
    case F_LEN_OFF: f->len_offset = ch->z; break;
    case F_DEFAULT: f->default_value = ch->s; break;
    default: ck_abort_msg("bad change");
    }
}

#define MS(lbl, w, str, n1, n2) { lbl, w, NULL, str, 0, 0, n1, n2 }
#define MZ(lbl, w, val, n1, n2) { lbl, w, NULL, NULL, val, 0, n1, n2 }
#define MI(lbl, w, val, n1, n2) { lbl, w, NULL, NULL, 0, val, n1, n2 }
#define FS(lbl, w, fld, str, n1, n2) { lbl, w, fld, str, 0, 0, n1, n2 }
#define FZ(lbl, w, fld, val, n1, n2) { lbl, w, fld, NULL, val, 0, n1, n2 }
#define FI(lbl, w, fld, val, n1, n2) { lbl, w, fld, NULL, 0, val, n1, n2 }
#define BADDEF(fld, str) FS("default " fld " " #str, F_DEFAULT, fld, str, "'" fld "'", "default")

static const change broken[] = {
    /* the struct's name */
    MS("name NULL", M_NAME, NULL, "name is NULL", "accounts"),
    MS("name empty", M_NAME, "", "name '' is empty", "accounts"),
    MS("name 64 chars", M_NAME, L16 L16 L16 L16, L16 L16 L16 L16, "longer than 63"),
    MS("name starts with digit", M_NAME, "9Account", "'9Account'", "plain identifier"),
    MS("name with dash", M_NAME, "Acc-ount", "'Acc-ount'", "plain identifier"),
    MS("name with space", M_NAME, "Account ", "'Account '", "plain identifier"),
    /* the table */
    MS("table NULL", M_TABLE, NULL, "table is NULL", "Account"),
    MS("table empty", M_TABLE, "", "table '' is empty", "Account"),
    MS("table 64 chars", M_TABLE, L16 L16 L16 L16, L16 L16 L16 L16, "longer than 63"),
    MS("table with semicolon", M_TABLE, "acc;drop", "'acc;drop'", "plain identifier"),
    MS("table with quote", M_TABLE, "acc\"s", "'acc\"s'", "plain identifier"),
    MS("table non-ASCII", M_TABLE, "k\xc3\xa4se", "'k\xc3\xa4se'", "plain identifier"),
    MS("table user", M_TABLE, "user", "'user'", "reserved"),
    MS("table SELECT", M_TABLE, "SELECT", "'SELECT'", "reserved"),
    MS("table Order", M_TABLE, "Order", "'Order'", "reserved"),
    MS("table key", M_TABLE, "key", "'key'", "reserved"),
    MS("table group", M_TABLE, "group", "'group'", "reserved"),
    MS("table accessible (first)", M_TABLE, "accessible", "'accessible'", "reserved"),
    MS("table zerofill (last)", M_TABLE, "zerofill", "'zerofill'", "reserved"),
    MS("table current_timestamp", M_TABLE, "current_timestamp", "'current_timestamp'", "reserved"),
    MS("table int8", M_TABLE, "int8", "'int8'", "reserved"),
    MS("table transaction", M_TABLE, "Transaction", "'Transaction'", "reserved"),
    MS("table autoincrement", M_TABLE, "autoincrement", "'autoincrement'", "reserved"),
    MS("table analyse", M_TABLE, "analyse", "'analyse'", "reserved"),
    /* the base members */
    MI("pk 0", M_PK, 0, "'id'", "ZC_PK_INT"),
    MI("pk 3", M_PK, 3, "'id'", "ZC_PK_INT"),
    MZ("int id of 16 bytes", M_ID_SIZE, 16, "'id'", "size 16"),
    MZ("int id of 4 bytes", M_ID_SIZE, 4, "'id'", "size 4"),
    MI("uuid key on an int64 id", M_PK, ZC_PK_UUID, "'id'", "ZC_PK_UUID"),
    MZ("id outside", M_ID_OFF, sizeof(Account) - 4, "'id'", "outside"),
    MZ("id offset none", M_ID_OFF, ZC_NO_MEMBER, "'id'", "outside"),
    MZ("created_at outside", M_CREATED, sizeof(Account) - 4, "'created_at'", "outside"),
    MZ("updated_at none", M_UPDATED, ZC_NO_MEMBER, "'updated_at'", "outside"),
    MZ("created_at is updated_at", M_CREATED, OFF(updated_at), "'created_at'", "overlaps"),
    MZ("id on created_at", M_ID_OFF, OFF(created_at), "'id'", "'created_at'"),
    MZ("struct too small", M_SIZE, 8, "'created_at'", "outside"),
    MZ("fields NULL", M_FIELDS_NULL, 0, "fields is NULL", "Account"),
    /* field names */
    FS("field name NULL", F_NAME, "username", NULL, "field #0", "NULL"),
    FS("field name empty", F_NAME, "email", "", "field #1", "empty"),
    FS("field name 64 chars", F_NAME, "age", L16 L16 L16 L16, L16 L16 L16 L16, "longer"),
    FS("field name with dash", F_NAME, "email", "e-mail", "'e-mail'", "plain identifier"),
    FS("field name starts with digit", F_NAME, "email", "1email", "'1email'", "plain identifier"),
    FS("field name non-ASCII", F_NAME, "email", "\xc3\xa9mail", "'\xc3\xa9mail'", "plain"),
    FS("field name order", F_NAME, "score", "order", "'order'", "reserved"),
    FS("field name KEY", F_NAME, "score", "KEY", "'KEY'", "reserved"),
    FS("field name desc", F_NAME, "score", "desc", "'desc'", "reserved"),
    FS("field name index", F_NAME, "score", "index", "'index'", "reserved"),
    FS("field name user", F_NAME, "score", "user", "'user'", "reserved"),
    FS("field name default", F_NAME, "level", "default", "'default'", "reserved"),
    FS("field name check", F_NAME, "level", "check", "'check'", "reserved"),
    FS("field name references", F_NAME, "ref", "references", "'references'", "reserved"),
    FS("field name limit", F_NAME, "level", "limit", "'limit'", "reserved"),
    FS("field name offset", F_NAME, "level", "Offset", "'Offset'", "reserved"),
    FS("field name from", F_NAME, "born", "from", "'from'", "reserved"),
    FS("field name values", F_NAME, "big", "values", "'values'", "reserved"),
    FS("field name like", F_NAME, "big", "like", "'like'", "reserved"),
    FS("field name true", F_NAME, "verified", "true", "'true'", "reserved"),
    /* duplicates */
    FS("duplicate field", F_NAME, "email", "username", "'username'", "duplicate"),
    FS("duplicate field, other case", F_NAME, "motto", "UserName", "'UserName'", "duplicate"),
    FS("field named id", F_NAME, "score", "id", "'id'", "base column"),
    FS("field named Created_At", F_NAME, "score", "Created_At", "'Created_At'", "base column"),
    FS("field named updated_at", F_NAME, "motto", "updated_at", "'updated_at'", "base column"),
    /* types and flags */
    FI("type 0", F_TYPE, "score", 0, "'score'", "unknown type"),
    FI("type 9", F_TYPE, "score", 9, "'score'", "unknown type"),
    FI("type -1", F_TYPE, "score", -1, "'score'", "unknown type"),
    FZ("flag 0x8", F_FLAGS, "score", 0x8, "'score'", "flag"),
    FZ("flag 0x80000000", F_FLAGS, "username", 0x80000000u | ZC_F_UNIQUE, "'username'", "flag"),
    /* sizes */
    FZ("int32 of 8 bytes", F_SIZE, "age", 8, "'age'", "size 8"),
    FZ("int64 of 4 bytes", F_SIZE, "score", 4, "'score'", "size 4"),
    FZ("double of 4 bytes", F_SIZE, "balance", 4, "'balance'", "size 4"),
    FZ("bool of 4 bytes", F_SIZE, "active", 4, "'active'", "size 4"),
    FZ("uuid of 36 bytes", F_SIZE, "token", 36, "'token'", "size 36"),
    FZ("timestamp of 4 bytes", F_SIZE, "born", 4, "'born'", "size 4"),
    FZ("text of 1 byte", F_SIZE, "username", 1, "'username'", "at least one byte and the NUL"),
    FZ("text of 0 bytes", F_SIZE, "country", 0, "'country'", "at least one byte and the NUL"),
    FZ("blob of 0 bytes", F_SIZE, "salt", 0, "'salt'", "size 0"),
    /* members outside the struct */
    FZ("member at the struct's end", F_OFFSET, "username", sizeof(Account), "'username'",
       "outside"),
    FZ("member past the end", F_OFFSET, "quota", sizeof(Account) - 4, "'quota'", "outside"),
    FZ("member offset none", F_OFFSET, "age", ZC_NO_MEMBER, "'age'", "outside"),
    FZ("text size huge", F_SIZE, "username", (size_t)-1, "'username'", "outside"),
    /* overlaps */
    FZ("member on member", F_OFFSET, "score", OFF(age), "'score'", "'age'"),
    FZ("member on id", F_OFFSET, "score", OFF(id), "'score'", "'id'"),
    FZ("member on updated_at", F_OFFSET, "big", OFF(updated_at), "'big'", "'updated_at'"),
    FZ("text runs into the next member", F_SIZE, "username", 40, "'username'", "'email'"),
    FZ("null flag on a member", F_NULL_OFF, "email", OFF(age), "'email'", "null flag"),
    FZ("two fields share a null flag", F_NULL_OFF, "age", OFF(email_null), "'age'", "'email'"),
    FZ("null flag on created_at", F_NULL_OFF, "age", OFF(created_at), "'age'", "'created_at'"),
    FZ("null flag on its own member", F_NULL_OFF, "balance", OFF(balance), "'balance'",
       "null flag"),
    FZ("length on a member", F_LEN_OFF, "salt", OFF(score), "'salt'", "length"),
    FZ("length on a null flag", F_LEN_OFF, "salt", OFF(avatar_null) - 7, "'salt'", "overlaps"),
    FZ("length inside its blob", F_LEN_OFF, "avatar", OFF(avatar), "'avatar'", "length"),
    /* companions */
    FZ("nullable without null_offset", F_NULL_OFF, "age", ZC_NO_MEMBER, "'age'", "null_offset"),
    FZ("null_offset without nullable", F_FLAGS, "age", 0, "'age'", "ZC_F_NULLABLE"),
    FZ("null flag outside", F_NULL_OFF, "age", sizeof(Account), "'age'", "outside"),
    FZ("blob without len_offset", F_LEN_OFF, "salt", ZC_NO_MEMBER, "'salt'", "len_offset"),
    FZ("int32 with len_offset", F_LEN_OFF, "age", OFF(salt_len), "'age'", "len_offset"),
    FZ("text with len_offset", F_LEN_OFF, "username", OFF(salt_len), "'username'", "len_offset"),
    FZ("length outside", F_LEN_OFF, "salt", sizeof(Account) - 4, "'salt'", "outside"),
    /* defaults */
    BADDEF("level", "abc"), BADDEF("level", "1.5"), BADDEF("level", "1e5"), BADDEF("level", ""),
    BADDEF("level", " 1"), BADDEF("level", "1 "), BADDEF("level", "--1"), BADDEF("level", "-"),
    BADDEF("level", "+1"), BADDEF("level", "2147483648"), BADDEF("level", "-2147483649"),
    BADDEF("level", "true"), BADDEF("level", "0x10"), BADDEF("level", "1;drop table x"),
    BADDEF("quota", "9223372036854775808"), BADDEF("quota", "-9223372036854775809"),
    BADDEF("quota", "99999999999999999999999"), BADDEF("quota", "false"),
    BADDEF("weight", ".5"), BADDEF("weight", "5."), BADDEF("weight", "1.2.3"),
    BADDEF("weight", "true"), BADDEF("weight", "1e10"), BADDEF("weight", "0x10"),
    BADDEF("weight", ""), BADDEF("weight", "-"), BADDEF("weight", "NaN"),
    BADDEF("weight", "inf"), BADDEF("weight", "1" D300 D10), BADDEF("weight", "1,5"),
    BADDEF("verified", "1"), BADDEF("verified", "0"), BADDEF("verified", "TRUE"),
    BADDEF("verified", "yes"), BADDEF("verified", ""), BADDEF("verified", "true "),
    BADDEF("motto", "it's"), BADDEF("motto", "say \"hi\""), BADDEF("motto", "back\\slash"),
    BADDEF("motto", "tab\there"), BADDEF("motto", "line\nbreak"), BADDEF("motto", "del\x7f"),
    BADDEF("motto", "\xff"), BADDEF("motto", "\xc0\xaf"), BADDEF("motto", "cut \xe2\x82"),
    BADDEF("motto", "\xed\xa0\x80"), BADDEF("motto", "nel \xc2\x85"),
    BADDEF("motto", "\xf4\x90\x80\x80"), BADDEF("motto", L16 L16),
    BADDEF("country", "NZL"), BADDEF("country", "\xc3\xa9\xc3\xa9"),
    BADDEF("token", "00000000-0000-0000-0000-000000000000"), BADDEF("ref", "gen_random_uuid()"),
    BADDEF("born", "2020-01-01"), BADDEF("born", "0"), BADDEF("salt", "0"), BADDEF("avatar", ""),
};

#define NBROKEN (int)(sizeof broken / sizeof broken[0])

START_TEST(broken_models_refused)
{
    const change *ch = &broken[_i];
    zc_error err;
    copy c;
    copy_of(&Account_model, &c);
    apply(ch, &c);
    ck_assert_msg(validate(&c.m, &err) == ZC_EINVAL, "%s: accepted", ch->label);
    ck_assert_msg(strncmp(err.message, "model ", 6) == 0, "%s: %s", ch->label, err.message);
    ck_assert_msg(strstr(err.message, ch->needle) != NULL, "%s: no \"%s\" in: %s", ch->label,
                  ch->needle, err.message);
    ck_assert_msg(!ch->needle2 || strstr(err.message, ch->needle2) != NULL,
                  "%s: no \"%s\" in: %s", ch->label, ch->needle2, err.message);
    /* without an error record the status is the same */
    ck_assert_int_eq(zc_model_validate(&c.m, NULL), ZC_EINVAL);
}
END_TEST

/* Breaking the UUID-keyed model the same way is refused the same way. */
START_TEST(broken_uuid_models_refused)
{
    static const change uuid_broken[] = {
        MI("int key on a uuid id", M_PK, ZC_PK_INT, "'id'", "ZC_PK_INT"),
        MZ("uuid id of 8 bytes", M_ID_SIZE, 8, "'id'", "size 8"),
        MZ("uuid id of 36 bytes", M_ID_SIZE, 36, "'id'", "size 36"),
        MZ("uuid id overlapping created_at", M_ID_OFF, offsetof(Device, created_at) - 8,
           "'id'", "'created_at'"),
    };
    zc_error err;
    for (size_t i = 0; i < sizeof uuid_broken / sizeof uuid_broken[0]; i++) {
        copy c;
        copy_of(&Device_model, &c);
        apply(&uuid_broken[i], &c);
        ck_assert_msg(validate(&c.m, &err) == ZC_EINVAL, "%s", uuid_broken[i].label);
        ck_assert_msg(strstr(err.message, uuid_broken[i].needle) &&
                          strstr(err.message, uuid_broken[i].needle2),
                      "%s: %s", uuid_broken[i].label, err.message);
        ck_assert_ptr_nonnull(strstr(err.message, "Device (devices)"));
    }
}
END_TEST

static const change still_good[] = {
    MS("name 63 chars", M_NAME, L16 L16 L16 "abcdefghijklmno", NULL, NULL),
    MS("name that is a reserved word", M_NAME, "User", NULL, NULL),
    MS("table 63 chars", M_TABLE, L16 L16 L16 "abcdefghijklmno", NULL, NULL),
    MS("table _t1", M_TABLE, "_t1", NULL, NULL),
    MS("table Accounts", M_TABLE, "Accounts", NULL, NULL),
    MS("table users", M_TABLE, "users", NULL, NULL),
    MS("table selected", M_TABLE, "selected", NULL, NULL),
    MS("table orders", M_TABLE, "orders", NULL, NULL),
    MS("table user_keys", M_TABLE, "user_keys", NULL, NULL),
    MS("table a", M_TABLE, "a", NULL, NULL),
    MS("table zz", M_TABLE, "zzz", NULL, NULL),
    MZ("struct larger than needed", M_SIZE, sizeof(Account) + 64, NULL, NULL),
    FS("field name keyword", F_NAME, "score", "keyword", NULL, NULL),
    FS("field name user_id", F_NAME, "score", "user_id", NULL, NULL),
    FS("field name ordering", F_NAME, "score", "ordering", NULL, NULL),
    FS("field name _x", F_NAME, "score", "_x", NULL, NULL),
    FS("field name ID2", F_NAME, "score", "ID2", NULL, NULL),
    FS("field name 63 chars", F_NAME, "score", L16 L16 L16 "abcdefghijklmno", NULL, NULL),
    FZ("unique only", F_FLAGS, "score", ZC_F_UNIQUE, NULL, NULL),
    FZ("no flags", F_FLAGS, "username", 0, NULL, NULL),
    FZ("text of 2 bytes", F_SIZE, "username", 2, NULL, NULL),
    FS("no default", F_DEFAULT, "motto", NULL, NULL, NULL),
    FS("int32 min", F_DEFAULT, "level", "-2147483648", NULL, NULL),
    FS("int32 max", F_DEFAULT, "level", "2147483647", NULL, NULL),
    FS("int32 -0", F_DEFAULT, "level", "-0", NULL, NULL),
    FS("int32 007", F_DEFAULT, "level", "007", NULL, NULL),
    FS("int64 max", F_DEFAULT, "quota", "9223372036854775807", NULL, NULL),
    FS("int64 0", F_DEFAULT, "quota", "0", NULL, NULL),
    FS("double integer", F_DEFAULT, "weight", "3", NULL, NULL),
    FS("double 1.25", F_DEFAULT, "weight", "1.25", NULL, NULL),
    FS("double 0.000001", F_DEFAULT, "weight", "-0.000001", NULL, NULL),
    FS("double 308 digits", F_DEFAULT, "weight", D300 "12345678.5", NULL, NULL),
    FS("bool true", F_DEFAULT, "verified", "true", NULL, NULL),
    FS("nullable int with default", F_DEFAULT, "age", "5", NULL, NULL),
    FS("text empty", F_DEFAULT, "country", "", NULL, NULL),
    FS("text 2 bytes of UTF-8", F_DEFAULT, "country", "\xc3\xa9", NULL, NULL),
    FS("text SQL punctuation", F_DEFAULT, "motto", "a;b -- c /* d */ ( ) , ? % _", NULL, NULL),
    FS("text 4-byte UTF-8", F_DEFAULT, "motto", "smile \xf0\x9f\x98\x80", NULL, NULL),
    FS("text non-breaking space", F_DEFAULT, "motto", "a\xc2\xa0" "b", NULL, NULL),
    FS("text 31 bytes", F_DEFAULT, "motto", L16 "abcdefghijklmno", NULL, NULL),
    FS("text that looks like a number", F_DEFAULT, "motto", "true", NULL, NULL),
};

START_TEST(variants_still_valid)
{
    const change *ch = &still_good[_i];
    zc_error err;
    copy c;
    copy_of(&Account_model, &c);
    apply(ch, &c);
    ck_assert_msg(validate(&c.m, &err) == ZC_OK, "%s: %s", ch->label, err.message);
}
END_TEST

/* Reserved words, any case, as the table and as a column; common non-reserved names pass. */
START_TEST(reserved_words)
{
    static const char *const reserved[] = {
        /* everywhere */
        "select", "from", "where", "order", "group", "table", "key", "index", "primary",
        "default", "check", "references", "limit", "desc", "asc", "and", "or", "not", "null",
        "true", "false", "in", "is", "like", "between", "case", "when", "then", "else", "end",
        "join", "on", "union", "all", "distinct", "as", "by", "having", "create", "drop",
        "alter", "insert", "update", "delete", "into", "values", "set", "column", "constraint",
        "foreign", "unique", "grant", "to", "with", "offset", "user",
        /* PostgreSQL */
        "ilike", "variadic", "tablesample", "only", "lateral", "system_user", "analyse",
        "current_catalog", "returning", "fetch", "window",
        /* MariaDB */
        "int1", "utc_date", "sql_big_result", "keys", "rlike", "zerofill", "accessible",
        "year_month", "mediumint", "long", "range", "read", "usage", "xor", "div", "mod",
        /* SQLite */
        "autoincrement", "indexed", "nothing", "notnull", "commit", "transaction", "escape",
    };
    static const char *const fine[] = {
        "name", "type", "status", "value", "date", "time", "timestamp", "text", "tier",
        "count", "data", "mail", "title", "body", "comment", "size", "number", "amount",
        "price", "owner", "role", "users", "orders", "keys_", "_select", "selects", "zzz",
        "aaa", "a", "z", "id_", "created", "updated",
    };
    zc_error err;
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        char upper[64];
        size_t k;
        for (k = 0; reserved[i][k]; k++)
            upper[k] = (char)(reserved[i][k] >= 'a' && reserved[i][k] <= 'z'
                                  ? reserved[i][k] - 'a' + 'A'
                                  : reserved[i][k]);
        upper[k] = '\0';
        for (int pass = 0; pass < 4; pass++) {
            const char *word = pass % 2 ? upper : reserved[i];
            copy c;
            copy_of(&Account_model, &c);
            if (pass < 2)
                c.m.table = word;
            else
                field_named(&c, "score")->name = word;
            ck_assert_msg(validate(&c.m, &err) == ZC_EINVAL, "%s accepted", word);
            ck_assert_msg(strstr(err.message, "reserved") && strstr(err.message, word), "%s",
                          err.message);
        }
    }
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        copy c;
        copy_of(&Account_model, &c);
        c.m.table = fine[i];
        field_named(&c, "score")->name = fine[i];
        ck_assert_msg(validate(&c.m, &err) == ZC_OK, "%s: %s", fine[i], err.message);
    }
}
END_TEST

START_TEST(messages_are_bounded)
{
    size_t n = 10000;
    char *huge = malloc(n + 1);
    zc_error err;
    copy c;
    ck_assert_ptr_nonnull(huge);
    memset(huge, 'a', n);
    huge[n] = '\0';

    copy_of(&Account_model, &c);
    c.m.name = huge;
    c.m.table = huge;
    ck_assert_int_eq(validate(&c.m, &err), ZC_EINVAL);
    ck_assert_uint_lt(strlen(err.message), sizeof err.message);
    ck_assert_ptr_nonnull(strstr(err.message, "..."));

    copy_of(&Account_model, &c);
    c.f[3].name = huge;
    ck_assert_int_eq(validate(&c.m, &err), ZC_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "longer than 63"));

    /* the longest legal names in an overlap message, which names two fields */
    copy_of(&Account_model, &c);
    c.m.name = L16 L16 L16 "abcdefghijklmno";
    c.m.table = L16 L16 L16 "abcdefghijklmnX";
    c.f[2].name = L16 L16 L16 "abcdefghijklmnY";
    c.f[3].name = L16 L16 L16 "abcdefghijklmnZ";
    c.f[3].offset = c.f[2].offset;
    ck_assert_int_eq(validate(&c.m, &err), ZC_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "abcdefghijklmnY"));
    ck_assert_ptr_nonnull(strstr(err.message, "abcdefghijklmnZ"));
    free(huge);
}
END_TEST

/* ---- UUIDs ------------------------------------------------------------------ */

static int uuid_cmp(const void *a, const void *b)
{
    return zc_uuid_compare(a, b);
}

static int is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

START_TEST(uuid_v4_is_random_version_4)
{
    enum { N = 1000 };
    zc_uuid *u = calloc(N, sizeof *u);
    ck_assert_ptr_nonnull(u);
    for (int i = 0; i < N; i++) {
        char text[37];
        zc_uuid back;
        zc_uuid_v4(&u[i]);
        ck_assert_int_eq(u[i].bytes[6] >> 4, 4);
        ck_assert_int_eq(u[i].bytes[8] & 0xc0, 0x80);
        ck_assert_int_eq(zc_uuid_is_nil(&u[i]), 0);
        memset(text, 'x', sizeof text);
        zc_uuid_format(&u[i], text);
        ck_assert_uint_eq(strlen(text), 36);
        for (int k = 0; k < 36; k++) {
            if (k == 8 || k == 13 || k == 18 || k == 23)
                ck_assert_int_eq(text[k], '-');
            else
                ck_assert_msg(is_lower_hex(text[k]), "%s", text);
        }
        ck_assert_int_eq(text[14], '4');
        ck_assert_int_eq(zc_uuid_parse(text, &back), ZC_OK);
        ck_assert_int_eq(zc_uuid_compare(&back, &u[i]), 0);
        ck_assert_mem_eq(back.bytes, u[i].bytes, 16);
    }
    qsort(u, N, sizeof *u, uuid_cmp);
    for (int i = 1; i < N; i++)
        ck_assert_int_lt(zc_uuid_compare(&u[i - 1], &u[i]), 0);
    free(u);
}
END_TEST

START_TEST(uuid_high_bytes_round_trip)
{
    static const zc_uuid u = { { 0xff, 0x80, 0x7f, 0x00, 0xfe, 0x81, 0x01, 0xa5, 0x5a, 0xc3,
                                 0x3c, 0x99, 0xf0, 0x0f, 0x80, 0xff } };
    const char *want = "ff807f00-fe81-01a5-5ac3-3c99f00f80ff";
    char text[37];
    zc_uuid back;
    zc_uuid_format(&u, text);
    ck_assert_str_eq(text, want);
    ck_assert_int_eq(zc_uuid_parse(text, &back), ZC_OK);
    ck_assert_mem_eq(back.bytes, u.bytes, 16);
    /* uppercase and mixed case read the same */
    ck_assert_int_eq(zc_uuid_parse("FF807F00-FE81-01A5-5AC3-3C99F00F80FF", &back), ZC_OK);
    ck_assert_mem_eq(back.bytes, u.bytes, 16);
    ck_assert_int_eq(zc_uuid_parse("Ff807f00-fE81-01a5-5Ac3-3c99F00f80fF", &back), ZC_OK);
    ck_assert_mem_eq(back.bytes, u.bytes, 16);
}
END_TEST

START_TEST(uuid_bad_text_refused)
{
    static const char *const bad[] = {
        "",
        "ff807f00-fe81-01a5-5ac3-3c99f00f80f",     /* 35 */
        "ff807f00-fe81-01a5-5ac3-3c99f00f80ff0",   /* 37 */
        "ff807f00-fe81-01a5-5ac3-3c99f00f80ff\n",
        " ff807f00-fe81-01a5-5ac3-3c99f00f80f",
        "ff807f00afe81-01a5-5ac3-3c99f00f80ff",    /* hyphen missing */
        "ff807f00-fe81a01a5-5ac3-3c99f00f80ff",
        "ff807f00-fe81-01a5a5ac3-3c99f00f80ff",
        "ff807f00-fe81-01a5-5ac3a3c99f00f80ff",
        "ff807f0-0fe81-01a5-5ac3-3c99f00f80ff",    /* hyphen misplaced */
        "ff807f00-fe81-01a5-5ac3-3c99f00f80fg",    /* not hex */
        "ff807f00-fe81-01a5-5ac3-3c99f00f80f ",
        "gf807f00-fe81-01a5-5ac3-3c99f00f80ff",
        "ff807f00-fe81-01a5-5ac3--c99f00f80ff",
        "{ff807f00-fe81-01a5-5ac3-3c99f00f80ff}",
        "{ff807f00-fe81-01a5-5ac3-3c99f00f80f}",
        "urn:uuid:ff807f00-fe81-01a5-5ac3-3c99f00f80ff",
        "ff807f00fe8101a55ac33c99f00f80ff",        /* no hyphens */
        "ff807f00fe8101a55ac33c99f00f80ff----",
        "------------------------------------",
        "0x807f00-fe81-01a5-5ac3-3c99f00f80ff",
        "+f807f00-fe81-01a5-5ac3-3c99f00f80ff",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zc_uuid out;
        memset(&out, 0xab, sizeof out);
        ck_assert_msg(zc_uuid_parse(bad[i], &out) == ZC_EINVAL, "accepted \"%s\"", bad[i]);
        for (int k = 0; k < 16; k++)
            ck_assert_int_eq(out.bytes[k], 0xab); /* untouched */
    }
    {
        zc_uuid out;
        ck_assert_int_eq(zc_uuid_parse(NULL, &out), ZC_EINVAL);
        ck_assert_int_eq(zc_uuid_parse("ff807f00-fe81-01a5-5ac3-3c99f00f80ff", NULL), ZC_EINVAL);
    }
}
END_TEST

START_TEST(uuid_compare_nil_and_nulls)
{
    zc_uuid nil = { { 0 } }, one = { { 0 } }, top = { { 0 } }, v;
    char text[37];
    one.bytes[15] = 1;
    top.bytes[0] = 0x80;
    ck_assert_int_eq(zc_uuid_is_nil(&nil), 1);
    ck_assert_int_eq(zc_uuid_is_nil(&one), 0);
    ck_assert_int_eq(zc_uuid_is_nil(&top), 0);
    ck_assert_int_eq(zc_uuid_is_nil(NULL), 0);
    ck_assert_int_eq(zc_uuid_compare(&nil, &nil), 0);
    ck_assert_int_lt(zc_uuid_compare(&nil, &one), 0);
    ck_assert_int_gt(zc_uuid_compare(&one, &nil), 0);
    /* bytes compare unsigned: 0x80 sorts after 0x00..0x7f */
    ck_assert_int_gt(zc_uuid_compare(&top, &one), 0);
    ck_assert_int_eq(zc_uuid_compare(NULL, NULL), 0);
    ck_assert_int_lt(zc_uuid_compare(NULL, &nil), 0);
    ck_assert_int_gt(zc_uuid_compare(&nil, NULL), 0);

    zc_uuid_format(&nil, text);
    ck_assert_str_eq(text, "00000000-0000-0000-0000-000000000000");
    ck_assert_int_eq(zc_uuid_parse(text, &v), ZC_OK);
    ck_assert_int_eq(zc_uuid_is_nil(&v), 1);

    /* NULLs are no-ops, and a missing UUID formats as "" (not as the nil UUID) */
    memset(text, 'x', sizeof text);
    zc_uuid_format(NULL, text);
    ck_assert_str_eq(text, "");
    zc_uuid_format(&nil, NULL);
    zc_uuid_v4(NULL);
}
END_TEST

/* ---- timestamps --------------------------------------------------------- */

#define TS_MIN (-INT64_C(62135596800000000))
#define TS_MAX INT64_C(253402300799999999)

static void check_text(zc_timestamp ts, const char *want)
{
    char out[ZC_TIMESTAMP_TEXT_SIZE];
    zc_timestamp back = 42;
    memset(out, 'x', sizeof out);
    ck_assert_int_eq(zc_timestamp_format(ts, out), ZC_OK);
    ck_assert_str_eq(out, want);
    ck_assert_uint_eq(strlen(out), ZC_TIMESTAMP_TEXT_SIZE - 1);
    ck_assert_int_eq(zc_timestamp_parse(want, &back), ZC_OK);
    ck_assert_int_eq(back, ts);
}

START_TEST(timestamp_known_values)
{
    check_text(0, "1970-01-01T00:00:00.000000Z");
    check_text(1, "1970-01-01T00:00:00.000001Z");
    check_text(-1, "1969-12-31T23:59:59.999999Z");
    check_text(-1000000, "1969-12-31T23:59:59.000000Z");
    check_text(-INT64_C(86400000000), "1969-12-31T00:00:00.000000Z");
    check_text(INT64_C(1709210096789012), "2024-02-29T12:34:56.789012Z");
    check_text(INT64_C(1795466216123456), "2026-11-23T20:36:56.123456Z");
    check_text(-INT64_C(2208988800000000), "1900-01-01T00:00:00.000000Z");
    check_text(INT64_C(951782400000000), "2000-02-29T00:00:00.000000Z");
    check_text(TS_MAX, "9999-12-31T23:59:59.999999Z");
    check_text(TS_MIN, "0001-01-01T00:00:00.000000Z");
}
END_TEST

START_TEST(timestamp_range_enforced)
{
    static const zc_timestamp out_of_range[] = { TS_MAX + 1, TS_MIN - 1, INT64_MAX, INT64_MIN };
    char out[ZC_TIMESTAMP_TEXT_SIZE];
    struct tm tm;
    for (size_t i = 0; i < sizeof out_of_range / sizeof out_of_range[0]; i++) {
        memset(out, 'x', sizeof out);
        ck_assert_int_eq(zc_timestamp_format(out_of_range[i], out), ZC_EINVAL);
        ck_assert_str_eq(out, "");
        ck_assert_int_eq(zc_timestamp_to_tm(out_of_range[i], &tm, NULL), ZC_EINVAL);
    }
    ck_assert_int_eq(zc_timestamp_format(0, NULL), ZC_EINVAL);
}
END_TEST

START_TEST(timestamp_tm_known_values)
{
    struct tm tm;
    int usec = -1;
    zc_timestamp ts;
    ck_assert_int_eq(zc_timestamp_to_tm(INT64_C(1709210096789012), &tm, &usec), ZC_OK);
    ck_assert_int_eq(tm.tm_year, 124);
    ck_assert_int_eq(tm.tm_mon, 1);
    ck_assert_int_eq(tm.tm_mday, 29);
    ck_assert_int_eq(tm.tm_hour, 12);
    ck_assert_int_eq(tm.tm_min, 34);
    ck_assert_int_eq(tm.tm_sec, 56);
    ck_assert_int_eq(usec, 789012);
    ck_assert_int_eq(tm.tm_wday, 4); /* a Thursday */
    ck_assert_int_eq(tm.tm_yday, 59);
    ck_assert_int_eq(tm.tm_isdst, 0);
    ck_assert_int_eq(zc_timestamp_from_tm(&tm, usec, &ts), ZC_OK);
    ck_assert_int_eq(ts, INT64_C(1709210096789012));

    ck_assert_int_eq(zc_timestamp_to_tm(-1, &tm, &usec), ZC_OK);
    ck_assert_int_eq(tm.tm_year, 69);
    ck_assert_int_eq(tm.tm_mon, 11);
    ck_assert_int_eq(tm.tm_mday, 31);
    ck_assert_int_eq(tm.tm_sec, 59);
    ck_assert_int_eq(usec, 999999);
    ck_assert_int_eq(tm.tm_wday, 3);
    ck_assert_int_eq(tm.tm_yday, 364);

    ck_assert_int_eq(zc_timestamp_to_tm(TS_MIN, &tm, NULL), ZC_OK); /* usec may be NULL */
    ck_assert_int_eq(tm.tm_year, 1 - 1900);
    ck_assert_int_eq(tm.tm_wday, 1); /* 0001-01-01 was a Monday (proleptic Gregorian) */
    ck_assert_int_eq(tm.tm_yday, 0);
    ck_assert_int_eq(zc_timestamp_from_tm(&tm, 0, &ts), ZC_OK);
    ck_assert_int_eq(ts, TS_MIN);

    ck_assert_int_eq(zc_timestamp_to_tm(TS_MAX, &tm, &usec), ZC_OK);
    ck_assert_int_eq(tm.tm_year, 9999 - 1900);
    ck_assert_int_eq(tm.tm_yday, 364);
    ck_assert_int_eq(tm.tm_wday, 5); /* a Friday */
    ck_assert_int_eq(zc_timestamp_from_tm(&tm, usec, &ts), ZC_OK);
    ck_assert_int_eq(ts, TS_MAX);
}
END_TEST

/* Fields, weekday and day of year agree with the C library's gmtime_r, both ways. */
static void sweep(void)
{
    const int64_t step = INT64_C(37) * 86400000000 + 3723000001; /* 37 days, 1h2m3s and 1 us */
    for (int64_t ts = -INT64_C(2208988800000000); ts < INT64_C(4102444800000000); ts += step) {
        struct tm tm, ref;
        int usec;
        zc_timestamp back;
        time_t secs = (time_t)(ts >= 0 ? ts / 1000000 : -((-ts + 999999) / 1000000));
        char text[ZC_TIMESTAMP_TEXT_SIZE];

        ck_assert_int_eq(zc_timestamp_to_tm(ts, &tm, &usec), ZC_OK);
        ck_assert_ptr_nonnull(gmtime_r(&secs, &ref));
        ck_assert_int_eq(tm.tm_year, ref.tm_year);
        ck_assert_int_eq(tm.tm_mon, ref.tm_mon);
        ck_assert_int_eq(tm.tm_mday, ref.tm_mday);
        ck_assert_int_eq(tm.tm_hour, ref.tm_hour);
        ck_assert_int_eq(tm.tm_min, ref.tm_min);
        ck_assert_int_eq(tm.tm_sec, ref.tm_sec);
        ck_assert_int_eq(tm.tm_wday, ref.tm_wday);
        ck_assert_int_eq(tm.tm_yday, ref.tm_yday);
        ck_assert_int_eq(usec, (int)(ts - (int64_t)secs * 1000000));

        ck_assert_int_eq(zc_timestamp_from_tm(&tm, usec, &back), ZC_OK);
        ck_assert_int_eq(back, ts);

        ck_assert_int_eq(zc_timestamp_format(ts, text), ZC_OK);
        ck_assert_int_eq(zc_timestamp_parse(text, &back), ZC_OK);
        ck_assert_int_eq(back, ts);
    }
}

START_TEST(timestamp_tm_sweep)
{
    sweep();
}
END_TEST

/* The process's time zone changes nothing. */
START_TEST(timestamp_ignores_tz)
{
    char *old = getenv("TZ") ? strdup(getenv("TZ")) : NULL;
    setenv("TZ", "NZST-12NZDT,M9.5.0,M4.1.0/3", 1);
    tzset();
    check_text(INT64_C(1795466216123456), "2026-11-23T20:36:56.123456Z");
    sweep();
    if (old) {
        setenv("TZ", old, 1);
        free(old);
    } else {
        unsetenv("TZ");
    }
    tzset();
}
END_TEST

START_TEST(timestamp_from_tm_refuses_out_of_range)
{
    struct tm good = { 0 };
    zc_timestamp ts = 42;
    good.tm_year = 123; /* 2023 */
    good.tm_mon = 1;
    good.tm_mday = 28;
    good.tm_hour = 23;
    good.tm_min = 59;
    good.tm_sec = 59;
    good.tm_wday = 99;  /* ignored */
    good.tm_yday = -5;  /* ignored */
    good.tm_isdst = 1;  /* ignored */
    ck_assert_int_eq(zc_timestamp_from_tm(&good, 999999, &ts), ZC_OK);
    ck_assert_int_eq(zc_timestamp_parse("2023-02-28T23:59:59.999999Z", &(zc_timestamp){ 0 }),
                     ZC_OK);

#define REFUSED(field, value, us)                                                           \
    do {                                                                                   \
        struct tm t = good;                                                                \
        zc_timestamp o = 42;                                                               \
        t.field = (value);                                                                 \
        ck_assert_msg(zc_timestamp_from_tm(&t, us, &o) == ZC_EINVAL, #field " = %d",      \
                      (int)(value));                                                       \
        ck_assert_int_eq(o, 42);                                                           \
    } while (0)
    REFUSED(tm_mday, 29, 0); /* 2023-02-29 */
    REFUSED(tm_mday, 30, 0);
    REFUSED(tm_mday, 0, 0);
    REFUSED(tm_mday, 32, 0);
    REFUSED(tm_mon, 12, 0);
    REFUSED(tm_mon, -1, 0);
    REFUSED(tm_mon, INT_MAX, 0);
    REFUSED(tm_hour, 24, 0);
    REFUSED(tm_hour, -1, 0);
    REFUSED(tm_min, 60, 0);
    REFUSED(tm_sec, 60, 0); /* no leap seconds */
    REFUSED(tm_sec, -1, 0);
    REFUSED(tm_year, -1900, 0); /* year 0 */
    REFUSED(tm_year, 8100, 0);  /* year 10000 */
    REFUSED(tm_year, INT_MAX, 0);
    REFUSED(tm_year, INT_MIN, 0);
    REFUSED(tm_min, 0, 1000000);
    REFUSED(tm_min, 0, -1);
#undef REFUSED
    {
        struct tm leap = good;
        leap.tm_year = 124;
        leap.tm_mday = 29;
        ck_assert_int_eq(zc_timestamp_from_tm(&leap, 0, &ts), ZC_OK);
        leap.tm_year = 200; /* 2100 is not a leap year */
        ck_assert_int_eq(zc_timestamp_from_tm(&leap, 0, &ts), ZC_EINVAL);
        leap.tm_year = 100; /* 2000 is */
        ck_assert_int_eq(zc_timestamp_from_tm(&leap, 0, &ts), ZC_OK);
    }
    ck_assert_int_eq(zc_timestamp_from_tm(NULL, 0, &ts), ZC_EINVAL);
    ck_assert_int_eq(zc_timestamp_from_tm(&good, 0, NULL), ZC_EINVAL);
    ck_assert_int_eq(zc_timestamp_to_tm(0, NULL, NULL), ZC_EINVAL);
}
END_TEST

static const struct {
    const char *text, *want;
} parses[] = {
    { "1970-01-01", "1970-01-01T00:00:00.000000Z" },
    { "2024-02-29", "2024-02-29T00:00:00.000000Z" },
    { "2026-11-23T21:36", "2026-11-23T21:36:00.000000Z" },
    { "2026-11-23 21:36", "2026-11-23T21:36:00.000000Z" },
    { "2026-11-23 21:36:56", "2026-11-23T21:36:56.000000Z" },
    { "2026-11-23T21:36:56Z", "2026-11-23T21:36:56.000000Z" },
    { "2026-11-23T21:36Z", "2026-11-23T21:36:00.000000Z" },
    { "2026-11-23T21:36:56.5+01:00", "2026-11-23T20:36:56.500000Z" },
    { "2026-11-23T21:36:56.5+0100", "2026-11-23T20:36:56.500000Z" },
    { "2026-11-23T15:06:56-05:30", "2026-11-23T20:36:56.000000Z" },
    { "2026-11-23T15:06-0530", "2026-11-23T20:36:00.000000Z" },
    { "2026-11-23T20:36:56+00:00", "2026-11-23T20:36:56.000000Z" },
    { "2026-11-23T20:36:56-00:00", "2026-11-23T20:36:56.000000Z" },
    { "2026-01-01T00:30:00+01:00", "2025-12-31T23:30:00.000000Z" },
    { "2024-02-28T23:00:00-01:00", "2024-02-29T00:00:00.000000Z" },
    { "2026-11-23T21:36:56.1", "2026-11-23T21:36:56.100000Z" },
    { "2026-11-23T21:36:56.000001", "2026-11-23T21:36:56.000001Z" },
    { "2026-11-23T21:36:56.123456", "2026-11-23T21:36:56.123456Z" },
    { "2026-11-23T21:36:56.1234560", "2026-11-23T21:36:56.123456Z" },
    { "2026-11-23T21:36:56.12345600", "2026-11-23T21:36:56.123456Z" },
    { "2026-11-23T21:36:56.123456000Z", "2026-11-23T21:36:56.123456Z" },
    { "2026-11-23T21:36:56.999999000+23:59", "2026-11-22T21:37:56.999999Z" },
    { "0001-01-01", "0001-01-01T00:00:00.000000Z" },
    { "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z" },
    /* the range applies to the UTC instant */
    { "0000-12-31T23:30:00-01:00", "0001-01-01T00:30:00.000000Z" },
    { "9999-12-31T23:59:59+01:00", "9999-12-31T22:59:59.000000Z" },
};

START_TEST(timestamp_parse_accepts)
{
    zc_timestamp ts = 42;
    char out[ZC_TIMESTAMP_TEXT_SIZE];
    ck_assert_msg(zc_timestamp_parse(parses[_i].text, &ts) == ZC_OK, "%s", parses[_i].text);
    ck_assert_int_eq(zc_timestamp_format(ts, out), ZC_OK);
    ck_assert_msg(!strcmp(out, parses[_i].want), "%s -> %s, want %s", parses[_i].text, out,
                  parses[_i].want);
}
END_TEST

static const char *const unparsable[] = {
    "", " ", "2026", "2026-11", "2026-11-23T", "2026-11-23 ", "2026-11-23T21",
    "2026-11-23T21:3", "2026-11-23T21:36:5", "2026-11-23T21:36:56.", "2026-11-23T21:36.5",
    "2026-02-30", "2023-02-29", "2100-02-29", "2026-13-01", "2026-00-10", "2026-11-00",
    "2026-11-31", "2026-11-23T24:00:00", "2026-11-23T24:00", "2026-11-23T23:60",
    "2026-11-23T23:59:60", "2026-11-23T21:36:56Zx", "2026-11-23T21:36:56 ", " 2026-11-23",
    "2026-11-23Z", "2026-11-23+01:00", "2026-11-23T21:36:56+1", "2026-11-23T21:36:56+01",
    "2026-11-23T21:36:56+01:0", "2026-11-23T21:36:56+24:00", "2026-11-23T21:36:56+01:60",
    "2026-11-23T21:36:56+01:00:00", "2026-11-23T21:36:56Z+01:00", "2026/11/23", "26-11-23",
    "0000-01-01", "2026-11-23t21:36", "2026-11-23T21:36:56z", "20261123", "2026-11-23T213656",
    "2026-11-23T21:36:56,5", "-2026-11-23", "+2026-11-23", "12026-11-23",
    "2026-1-23", "2026-11-3", "2026-11-23T1:36", "2026-11-23T21:36:56.1234567",
    "2026-11-23T21:36:56.123456001", "2026-11-23T21:36:56.1234560000",
    "2026-11-23T21:36:56.0000000000", "9999-12-31T23:59:59-00:01",
    "0001-01-01T00:00:00+00:01", "2026-11-23\t21:36", "2026-11-23T21:36:56\n",
    "2026-11-23T21:36:56.5 +01:00", "２０２６-11-23",
};

START_TEST(timestamp_parse_refuses)
{
    zc_timestamp ts = 42;
    ck_assert_msg(zc_timestamp_parse(unparsable[_i], &ts) == ZC_EINVAL, "accepted \"%s\"",
                  unparsable[_i]);
    ck_assert_int_eq(ts, 42); /* untouched */
}
END_TEST

START_TEST(timestamp_parse_nulls)
{
    zc_timestamp ts = 42;
    ck_assert_int_eq(zc_timestamp_parse(NULL, &ts), ZC_EINVAL);
    ck_assert_int_eq(ts, 42);
    ck_assert_int_eq(zc_timestamp_parse("2026-11-23", NULL), ZC_EINVAL);
}
END_TEST

START_TEST(timestamp_now_is_now)
{
    time_t before = time(NULL);
    zc_timestamp now = zc_timestamp_now();
    time_t after = time(NULL);
    ck_assert_int_ge(now, (int64_t)before * 1000000 - 2000000);
    ck_assert_int_le(now, ((int64_t)after + 1) * 1000000 + 2000000);
}
END_TEST

static Suite *model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("validate");
    tcase_add_test(tc, good_models_validate);
    tcase_add_test(tc, null_model_refused);
    tcase_add_test(tc, empty_field_list_is_valid);
    tcase_add_loop_test(tc, broken_models_refused, 0, NBROKEN);
    tcase_add_test(tc, broken_uuid_models_refused);
    tcase_add_loop_test(tc, variants_still_valid, 0,
                        (int)(sizeof still_good / sizeof still_good[0]));
    tcase_add_test(tc, reserved_words);
    tcase_add_test(tc, messages_are_bounded);
    suite_add_tcase(s, tc);

    tc = tcase_create("uuid");
    tcase_add_test(tc, uuid_v4_is_random_version_4);
    tcase_add_test(tc, uuid_high_bytes_round_trip);
    tcase_add_test(tc, uuid_bad_text_refused);
    tcase_add_test(tc, uuid_compare_nil_and_nulls);
    suite_add_tcase(s, tc);

    tc = tcase_create("timestamp");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, timestamp_known_values);
    tcase_add_test(tc, timestamp_range_enforced);
    tcase_add_test(tc, timestamp_tm_known_values);
    tcase_add_test(tc, timestamp_tm_sweep);
    tcase_add_test(tc, timestamp_ignores_tz);
    tcase_add_test(tc, timestamp_from_tm_refuses_out_of_range);
    tcase_add_loop_test(tc, timestamp_parse_accepts, 0, (int)(sizeof parses / sizeof parses[0]));
    tcase_add_loop_test(tc, timestamp_parse_refuses, 0,
                        (int)(sizeof unparsable / sizeof unparsable[0]));
    tcase_add_test(tc, timestamp_parse_nulls);
    tcase_add_test(tc, timestamp_now_is_now);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return zct_run(model_suite());
}
