/* SPDX-License-Identifier: MIT */
/* Models the suites share: one of every field type, nullable and not. */
#ifndef ZCT_MODELS_H
#define ZCT_MODELS_H

#include <zodiac/zodiac.h>

/* Table names are made per process (see zct_models_init) so suites never collide. */
typedef struct Thing {
    ZC_INT_ID_FIELDS;
    int32_t i32;
    int64_t i64;
    double d;
    bool flag;
    char name[32];
    zc_uuid ref;
    zc_timestamp at;
    unsigned char data[64];
    size_t data_len;
    char code[16];  /* unique */
    char tag[16];   /* indexed */
    char email[40]; /* unique + indexed */
    int32_t n_i32;
    bool n_i32_null;
    int64_t n_i64;
    bool n_i64_null;
    double n_d;
    bool n_d_null;
    bool n_flag;
    bool n_flag_null;
    char n_name[32];
    bool n_name_null;
    zc_uuid n_ref;
    bool n_ref_null;
    zc_timestamp n_at;
    bool n_at_null;
    unsigned char n_data[16];
    size_t n_data_len;
    bool n_data_null;
    int32_t level; /* DEFAULT 7 */
} Thing;

typedef struct Token {
    ZC_UUID_FIELDS;
    char label[24];
    zc_uuid owner;
    int64_t hits;
    zc_timestamp expires;
    bool expires_null;
} Token;

extern const zc_model Thing_model;
extern const zc_model Token_model;

/* Gives the models table names unique to this process. */
void zct_models_init(void);

#endif
