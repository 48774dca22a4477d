/* SPDX-License-Identifier: MIT */
/**
 * @file model.h
 * @brief Model descriptors: how a C struct maps to a table.
 *
 * A program describes its struct once, with the ZC_FIELD_* macros and
 * ZC_MODEL, and zodiac knows how to create its table on every backend and how
 * to move its fields in and out of ODBC. Every model has a primary key `id`
 * and the timestamps `created_at` / `updated_at` (the seed's IntIDModel,
 * UUIDModel and SQLDateTimeMixin): start the struct with ZC_INT_ID_FIELDS or
 * ZC_UUID_FIELDS.
 *
 * @code
 * typedef struct User { ZC_INT_ID_FIELDS; char username[64]; char email[128];
 *                       int32_t age; bool age_null; } User;
 * static const zc_field user_fields[] = {
 *     ZC_FIELD_TEXT(User, username, ZC_F_UNIQUE | ZC_F_INDEX),
 *     ZC_FIELD_TEXT(User, email, 0),
 *     ZC_FIELD_INT32_NULL(User, age, 0),       // NULL when age_null is true
 * };
 * ZC_MODEL(User, "users", ZC_PK_INT, user_fields);   // defines const zc_model User_model
 * @endcode
 *
 * Field kinds and their C members:
 * | macro               | member                | column                         |
 * | ------------------- | --------------------- | ------------------------------ |
 * | ZC_FIELD_INT32      | int32_t               | INTEGER                        |
 * | ZC_FIELD_INT64      | int64_t               | BIGINT                         |
 * | ZC_FIELD_DOUBLE     | double                | DOUBLE PRECISION               |
 * | ZC_FIELD_BOOL       | bool                  | BOOLEAN (MariaDB: TINYINT(1))  |
 * | ZC_FIELD_TEXT       | char m[N]             | VARCHAR(N-1): at most N-1 bytes of UTF-8, NUL-terminated |
 * | ZC_FIELD_UUID       | zc_uuid               | uuid / CHAR(36)                |
 * | ZC_FIELD_TIMESTAMP  | zc_timestamp          | timestamp(6) / DATETIME(6)     |
 * | ZC_FIELD_BLOB       | unsigned char m[N] and size_t m_len | bytea / LONGBLOB / BLOB: at most N bytes |
 *
 * Nullable fields (the *_NULL macros) need a companion `bool m_null` member:
 * true means NULL, both ways. Text and blobs never lose bytes silently: a value
 * that does not fit its member or column is refused with ZC_ETRUNC.
 *
 * @note Models are immutable and may be shared by any number of threads. Every
 *       function in this header may be called from any thread: the timestamp and
 *       UUID helpers touch only their arguments (zc_uuid_v4 uses libuuid, which
 *       is thread-safe).
 */
#ifndef ZODIAC_MODEL_H
#define ZODIAC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The base members of an integer-keyed model: 64-bit auto-increment id. */
#define ZC_INT_ID_FIELDS int64_t id; zc_timestamp created_at; zc_timestamp updated_at
/** The base members of a UUID-keyed model: v4 id generated when left nil. */
#define ZC_UUID_FIELDS zc_uuid id; zc_timestamp created_at; zc_timestamp updated_at

/** Field types. */
enum {
    ZC_FT_INT32 = 1,
    ZC_FT_INT64 = 2,
    ZC_FT_DOUBLE = 3,
    ZC_FT_BOOL = 4,
    ZC_FT_TEXT = 5,
    ZC_FT_UUID = 6,
    ZC_FT_TIMESTAMP = 7,
    ZC_FT_BLOB = 8
};

/** Field flags. */
#define ZC_F_UNIQUE 0x0001u   /**< UNIQUE constraint */
#define ZC_F_INDEX 0x0002u    /**< `CREATE INDEX ix_<table>_<column>` */
#define ZC_F_NULLABLE 0x0004u /**< may be NULL (set by the *_NULL macros) */

/** Primary-key kinds. */
enum { ZC_PK_INT = 1, ZC_PK_UUID = 2 };

/** "No such companion member" in zc_field.null_offset / len_offset. */
#define ZC_NO_MEMBER ((size_t)-1)

/** One column: build it with the ZC_FIELD_* macros. */
typedef struct zc_field {
    const char *name;   /**< column name: a plain identifier (the member's name) */
    int type;           /**< ZC_FT_* */
    size_t offset;      /**< offsetof the member */
    size_t size;        /**< sizeof the member */
    unsigned flags;     /**< ZC_F_* */
    size_t null_offset; /**< offsetof `bool <member>_null`, or ZC_NO_MEMBER */
    size_t len_offset;  /**< BLOB: offsetof `size_t <member>_len`; else ZC_NO_MEMBER */
    const char *default_value; /**< DEFAULT for the column in DDL, or NULL: a number,
                                    `true`/`false`, or text without quotes or backslashes */
} zc_field;

/** A table: build it with ZC_MODEL. */
typedef struct zc_model {
    const char *name;      /**< the struct's name, for messages */
    const char *table;     /**< table name: a plain identifier */
    size_t size;           /**< sizeof the struct */
    int pk;                /**< ZC_PK_INT or ZC_PK_UUID */
    size_t id_offset;      /**< offsetof the id member */
    size_t id_size;        /**< sizeof the id member: 8 (ZC_PK_INT) or 16 (ZC_PK_UUID) */
    size_t created_offset; /**< offsetof the created_at member */
    size_t updated_offset; /**< offsetof the updated_at member */
    const zc_field *fields; /**< the struct's own columns (not id / timestamps) */
    size_t nfields;         /**< how many fields */
} zc_model;

#define ZC__MEMBER_SIZE(T, m) sizeof(((T *)0)->m)
#define ZC__FIELD(T, m, ft, fl, nul, len, def) \
    { #m, ft, offsetof(T, m), ZC__MEMBER_SIZE(T, m), (fl), nul, len, def }

/**
 * @name Field descriptors
 * Each builds one zc_field from struct type T, member m and flags fl (ZC_F_*): the column
 * is named after the member and typed as the table at the top of this file says.
 * @{
 */
/** A zc_field for member m of struct T with flags fl (ZC_F_*); see the table above. */
#define ZC_FIELD_INT32(T, m, fl) ZC__FIELD(T, m, ZC_FT_INT32, fl, ZC_NO_MEMBER, ZC_NO_MEMBER, NULL)
#define ZC_FIELD_INT64(T, m, fl) ZC__FIELD(T, m, ZC_FT_INT64, fl, ZC_NO_MEMBER, ZC_NO_MEMBER, NULL)
#define ZC_FIELD_DOUBLE(T, m, fl) ZC__FIELD(T, m, ZC_FT_DOUBLE, fl, ZC_NO_MEMBER, ZC_NO_MEMBER, NULL)
#define ZC_FIELD_BOOL(T, m, fl) ZC__FIELD(T, m, ZC_FT_BOOL, fl, ZC_NO_MEMBER, ZC_NO_MEMBER, NULL)
#define ZC_FIELD_TEXT(T, m, fl) ZC__FIELD(T, m, ZC_FT_TEXT, fl, ZC_NO_MEMBER, ZC_NO_MEMBER, NULL)
#define ZC_FIELD_UUID(T, m, fl) ZC__FIELD(T, m, ZC_FT_UUID, fl, ZC_NO_MEMBER, ZC_NO_MEMBER, NULL)
#define ZC_FIELD_TIMESTAMP(T, m, fl) \
    ZC__FIELD(T, m, ZC_FT_TIMESTAMP, fl, ZC_NO_MEMBER, ZC_NO_MEMBER, NULL)
#define ZC_FIELD_BLOB(T, m, fl) \
    ZC__FIELD(T, m, ZC_FT_BLOB, fl, ZC_NO_MEMBER, offsetof(T, m##_len), NULL)
/** @} */

/* Nullable variants: the struct has `bool <member>_null`. */
#define ZC__NUL(T, m) offsetof(T, m##_null)
/**
 * @name Nullable field descriptors
 * As the field descriptors above, for a column that may be NULL: struct T also has
 * `bool <m>_null`, true when the value is NULL (on insert, update and read).
 * @{
 */
/** A nullable zc_field for member m of struct T (with `bool m_null`) and flags fl. */
#define ZC_FIELD_INT32_NULL(T, m, fl) \
    ZC__FIELD(T, m, ZC_FT_INT32, (fl) | ZC_F_NULLABLE, ZC__NUL(T, m), ZC_NO_MEMBER, NULL)
#define ZC_FIELD_INT64_NULL(T, m, fl) \
    ZC__FIELD(T, m, ZC_FT_INT64, (fl) | ZC_F_NULLABLE, ZC__NUL(T, m), ZC_NO_MEMBER, NULL)
#define ZC_FIELD_DOUBLE_NULL(T, m, fl) \
    ZC__FIELD(T, m, ZC_FT_DOUBLE, (fl) | ZC_F_NULLABLE, ZC__NUL(T, m), ZC_NO_MEMBER, NULL)
#define ZC_FIELD_BOOL_NULL(T, m, fl) \
    ZC__FIELD(T, m, ZC_FT_BOOL, (fl) | ZC_F_NULLABLE, ZC__NUL(T, m), ZC_NO_MEMBER, NULL)
#define ZC_FIELD_TEXT_NULL(T, m, fl) \
    ZC__FIELD(T, m, ZC_FT_TEXT, (fl) | ZC_F_NULLABLE, ZC__NUL(T, m), ZC_NO_MEMBER, NULL)
#define ZC_FIELD_UUID_NULL(T, m, fl) \
    ZC__FIELD(T, m, ZC_FT_UUID, (fl) | ZC_F_NULLABLE, ZC__NUL(T, m), ZC_NO_MEMBER, NULL)
#define ZC_FIELD_TIMESTAMP_NULL(T, m, fl) \
    ZC__FIELD(T, m, ZC_FT_TIMESTAMP, (fl) | ZC_F_NULLABLE, ZC__NUL(T, m), ZC_NO_MEMBER, NULL)
#define ZC_FIELD_BLOB_NULL(T, m, fl) \
    ZC__FIELD(T, m, ZC_FT_BLOB, (fl) | ZC_F_NULLABLE, ZC__NUL(T, m), offsetof(T, m##_len), NULL)
/** @} */

/** Any field with a DEFAULT in its DDL: wrap a ZC_FIELD_* and give the value text. */
#define ZC_FIELD_DEFAULT(T, m, ft, fl, def) \
    ZC__FIELD(T, m, ft, fl, ZC_NO_MEMBER, ZC_NO_MEMBER, def)

/** Defines `const zc_model T_model` for struct T with the given table, key kind and fields. */
#define ZC_MODEL(T, table_name, pk_kind, field_array)                                       \
    const zc_model T##_model = { #T, table_name, sizeof(T), pk_kind, offsetof(T, id),       \
                                 ZC__MEMBER_SIZE(T, id), offsetof(T, created_at),           \
                                 offsetof(T, updated_at), field_array,                      \
                                 sizeof(field_array) / sizeof((field_array)[0]) }

/** Longest table or column name zodiac accepts (the lowest limit of its backends: MariaDB 64). */
#define ZC_NAME_MAX 63

/**
 * @brief Checks a descriptor.
 * @param[in] m the model (NULL is refused)
 * @param[out] err optional; its message names the model, its table and the offending field
 *        or base column, e.g. "model User (users): field 'email': size 1 for text: ..."
 * @return ZC_OK, or ZC_EINVAL for:
 *         - a struct name or table name that is NULL, empty, longer than ZC_NAME_MAX or not
 *           a plain identifier ([A-Za-z_][A-Za-z0-9_]*); the same for column names;
 *         - a table or column name that is an SQL reserved word (compared without case):
 *           any word that must be quoted on PostgreSQL, MariaDB or SQLite (`user`, `order`,
 *           `key`, `index`, `desc`, `group`, `default`, `values`, ...);
 *         - two columns with the same name compared without case, the base columns `id`,
 *           `created_at` and `updated_at` included (unquoted identifiers fold case);
 *         - a key kind other than ZC_PK_INT (id of 8 bytes) or ZC_PK_UUID (id of 16 bytes);
 *         - a member, `_null` flag (sizeof(bool)), blob `_len` (sizeof(size_t)), id or
 *           timestamp (8 bytes) that is not wholly inside the struct, or that overlaps any
 *           other of them;
 *         - a size that does not match the type (int32 4, int64 8, double 8, bool
 *           sizeof(bool), uuid 16, timestamp 8), text smaller than 2 bytes (one byte and the
 *           NUL), a blob of 0 bytes; an unknown type or flag bit;
 *         - ZC_F_NULLABLE without a null_offset or the reverse; a blob without a len_offset,
 *           or a len_offset on anything but a blob;
 *         - a bad default: int32/int64 take `-?[0-9]+` within range; double takes
 *           `-?[0-9]+(.[0-9]+)?` (no exponent, no NaN); bool takes `true` or `false`
 *           (lowercase); text takes printable UTF-8 without `'`, `"` or `\`, at most size-1
 *           bytes; uuid, timestamp and blob fields take no default.
 * @note Members need no particular alignment (packed structs are fine).
 * @note Every public function that takes a model validates it first.
 */
ZC_API int zc_model_validate(const zc_model *m, zc_error *err);

/* ---- timestamps ---------------------------------------------------------- */

/*
 * Every function below works on the proleptic Gregorian calendar in UTC, without looking at
 * the process's time zone, and on the years every backend stores: 0001-01-01T00:00:00.000000Z
 * (-62135596800000000) to 9999-12-31T23:59:59.999999Z (253402300799999999). A timestamp
 * outside that range is refused with ZC_EINVAL. Leap seconds are not represented (second 60
 * is refused). On failure, the output is left untouched (zc_timestamp_format writes "").
 */

/** Bytes needed by zc_timestamp_format, NUL included: "YYYY-MM-DDTHH:MM:SS.ffffffZ". */
#define ZC_TIMESTAMP_TEXT_SIZE 28

/** The earliest timestamp zodiac stores: 0001-01-01T00:00:00.000000Z. */
#define ZC_TIMESTAMP_MIN (-INT64_C(62135596800000000))
/** The latest timestamp zodiac stores: 9999-12-31T23:59:59.999999Z. */
#define ZC_TIMESTAMP_MAX INT64_C(253402300799999999)

/** @brief The current time (CLOCK_REALTIME) in microseconds since the epoch. */
ZC_API zc_timestamp zc_timestamp_now(void);
/**
 * @brief From a broken-down UTC time (tm_isdst and tm_wday/tm_yday ignored) plus microseconds.
 * @return ZC_OK, or ZC_EINVAL when tm or out is NULL or a field is out of range: nothing is
 *         normalized as timegm would (tm_mon 0..11, tm_mday 1..days in that month, tm_hour
 *         0..23, tm_min 0..59, tm_sec 0..59, year tm_year + 1900 in 1..9999, usec 0..999999).
 */
ZC_API int zc_timestamp_from_tm(const struct tm *tm, int usec, zc_timestamp *out);
/**
 * @brief To a broken-down UTC time, tm_wday and tm_yday included, tm_isdst 0 (other members
 *        zeroed); usec (may be NULL) gets the microseconds.
 * @return ZC_OK, or ZC_EINVAL when out is NULL or ts is outside years 1..9999.
 */
ZC_API int zc_timestamp_to_tm(zc_timestamp ts, struct tm *out, int *usec);
/**
 * @brief ISO-8601 in UTC with microseconds, always 27 characters:
 *        "2026-11-23T20:36:56.123456Z".
 * @return ZC_OK, or ZC_EINVAL when out is NULL or ts is outside years 1..9999 (out gets "").
 */
ZC_API int zc_timestamp_format(zc_timestamp ts, char out[ZC_TIMESTAMP_TEXT_SIZE]);
/**
 * @brief Parses ISO-8601: "YYYY-MM-DD", optionally followed by 'T' or ' ' and "HH:MM[:SS[.f…]]"
 *        (1 to 9 fraction digits; digits beyond the sixth must be zeros, as a value finer than
 *        a microsecond is refused rather than rounded), optionally 'Z' or "±HH:MM" / "±HHMM"
 *        (hours 00..23, minutes 00..59). No zone means UTC; an offset is taken off, so
 *        "2026-11-23T21:36:56.5+01:00" is 20:36:56.500000Z. A zone needs a time. Uppercase
 *        'T' and 'Z' only; no "±HH" without minutes.
 * @return ZC_OK, or ZC_EINVAL for anything else: NULL, empty, leading or trailing text,
 *         out-of-range fields (Feb 30, hour 24, minute 60, second 60), a UTC result outside
 *         years 1..9999. *out is untouched on failure.
 * @note There is no zc_error: ZC_EINVAL is the whole answer.
 */
ZC_API int zc_timestamp_parse(const char *text, zc_timestamp *out);

/* ---- UUIDs ---------------------------------------------------------------- */

/** @brief A random (version 4) UUID, from libuuid. No-op when out is NULL. */
ZC_API void zc_uuid_v4(zc_uuid *out);
/**
 * @brief 36 lowercase characters and a NUL: "ff807f00-fe81-01a5-5ac3-3c99f00f80ff".
 * @note No-op when out is NULL; out gets "" when u is NULL (not the nil UUID's text).
 */
ZC_API void zc_uuid_format(const zc_uuid *u, char out[37]);
/**
 * @brief Parses exactly 36 characters: hex digits (either case) with hyphens at 8, 13, 18
 *        and 23. No braces, "urn:uuid:" prefix, spaces or hyphen-less form.
 * @return ZC_OK, or ZC_EINVAL on anything else or a NULL argument (*out then untouched).
 */
ZC_API int zc_uuid_parse(const char *text, zc_uuid *out);
/** @brief memcmp-like order of the 16 bytes (unsigned): <0, 0, >0. NULL sorts first. */
ZC_API int zc_uuid_compare(const zc_uuid *a, const zc_uuid *b);
/** @brief 1 if all 16 bytes are zero, else 0 (0 for NULL). */
ZC_API int zc_uuid_is_nil(const zc_uuid *u);

#ifdef __cplusplus
}
#endif
#endif
