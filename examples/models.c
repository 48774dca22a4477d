/* SPDX-License-Identifier: MIT */
/* The example models' descriptors (see models.h). */
#include "models.h"

static const zc_field user_fields[] = {
    ZC_FIELD_TEXT(User, username, ZC_F_UNIQUE | ZC_F_INDEX),
    ZC_FIELD_TEXT(User, email, 0),
};
ZC_MODEL(User, "users", ZC_PK_INT, user_fields); /* defines User_model */

const zc_model *const example_models[] = { &User_model };
const size_t example_models_count = sizeof example_models / sizeof example_models[0];
