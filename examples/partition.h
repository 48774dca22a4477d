/* SPDX-License-Identifier: MIT */
/*
 * The models of vertical partitioning (examples/partition.c, tests/check_partition.c):
 * users in one named database, analytics events in another.
 */
#ifndef ZODIAC_EXAMPLE_PARTITION_H
#define ZODIAC_EXAMPLE_PARTITION_H

#include <zodiac/zodiac.h>

#define USERS_DB "users_db"
#define ANALYTICS_DB "analytics"

/* users_db: the accounts. */
typedef struct User {
    ZC_INT_ID_FIELDS;
    char username[64];
    char email[128];
} User;

static const zc_field user_fields[] = {
    ZC_FIELD_TEXT(User, username, ZC_F_UNIQUE | ZC_F_INDEX),
    ZC_FIELD_TEXT(User, email, 0),
};

/* analytics: what the users did. user_id refers to users_db's users.id; no foreign key
   can cross databases, so the program keeps it consistent. dedup makes a replayed event
   a constraint violation instead of a double count. */
typedef struct Event {
    ZC_UUID_FIELDS;
    int64_t user_id;
    char kind[32];
    char dedup[64];
} Event;

static const zc_field event_fields[] = {
    ZC_FIELD_INT64(Event, user_id, ZC_F_INDEX),
    ZC_FIELD_TEXT(Event, kind, 0),
    ZC_FIELD_TEXT(Event, dedup, ZC_F_UNIQUE),
};

#endif
