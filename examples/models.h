/* SPDX-License-Identifier: MIT */
/*
 * The example models: the seed's User, shared by the demo (examples/users)
 * and `zodiac ddl` (tools/zodiac.c), which prints their tables' DDL.
 */
#ifndef ZODIAC_EXAMPLE_MODELS_H
#define ZODIAC_EXAMPLE_MODELS_H

#include <zodiac/zodiac.h>

/* The model: a struct, its fields, and the table they map to. */
typedef struct User {
    ZC_INT_ID_FIELDS;
    char username[64];
    char email[128];
} User;

extern const zc_model User_model;

/* Every example model, in creation order (the order zc_db_create_all wants). */
extern const zc_model *const example_models[];
extern const size_t example_models_count;

#endif
