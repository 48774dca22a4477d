/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <unistd.h>

#include "models.h"

static const zc_field thing_fields[] = {
    ZC_FIELD_INT32(Thing, i32, 0),
    ZC_FIELD_INT64(Thing, i64, 0),
    ZC_FIELD_DOUBLE(Thing, d, 0),
    ZC_FIELD_BOOL(Thing, flag, 0),
    ZC_FIELD_TEXT(Thing, name, 0),
    ZC_FIELD_UUID(Thing, ref, 0),
    ZC_FIELD_TIMESTAMP(Thing, at, 0),
    ZC_FIELD_BLOB(Thing, data, 0),
    ZC_FIELD_TEXT(Thing, code, ZC_F_UNIQUE),
    ZC_FIELD_TEXT(Thing, tag, ZC_F_INDEX),
    ZC_FIELD_TEXT(Thing, email, ZC_F_UNIQUE | ZC_F_INDEX),
    ZC_FIELD_INT32_NULL(Thing, n_i32, 0),
    ZC_FIELD_INT64_NULL(Thing, n_i64, 0),
    ZC_FIELD_DOUBLE_NULL(Thing, n_d, 0),
    ZC_FIELD_BOOL_NULL(Thing, n_flag, 0),
    ZC_FIELD_TEXT_NULL(Thing, n_name, 0),
    ZC_FIELD_UUID_NULL(Thing, n_ref, 0),
    ZC_FIELD_TIMESTAMP_NULL(Thing, n_at, 0),
    ZC_FIELD_BLOB_NULL(Thing, n_data, 0),
    ZC_FIELD_DEFAULT(Thing, level, ZC_FT_INT32, 0, "7"),
};

static const zc_field token_fields[] = {
    ZC_FIELD_TEXT(Token, label, ZC_F_INDEX),
    ZC_FIELD_UUID(Token, owner, 0),
    ZC_FIELD_INT64(Token, hits, 0),
    ZC_FIELD_TIMESTAMP_NULL(Token, expires, 0),
};

static char thing_table[64] = "zc_things";
static char token_table[64] = "zc_tokens";

/* The table names live in arrays that zct_models_init() fills before any use. */
ZC_MODEL(Thing, thing_table, ZC_PK_INT, thing_fields);
ZC_MODEL(Token, token_table, ZC_PK_UUID, token_fields);

void zct_models_init(void)
{
    snprintf(thing_table, sizeof thing_table, "zc_things_%ld", (long)getpid());
    snprintf(token_table, sizeof token_table, "zc_tokens_%ld", (long)getpid());
}
