/* SPDX-License-Identifier: MIT */
/**
 * @file value.h
 * @brief zc_value: a typed parameter, built on the stack and bound with SQLBindParameter.
 *
 * A zc_value does not own what it points to: text and blob values point at the
 * caller's memory, which must stay valid until the call that takes the value
 * returns.
 *
 * @note The constructors are pure functions: any thread may call them.
 */
#ifndef ZODIAC_VALUE_H
#define ZODIAC_VALUE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Value (and field) types. */
enum {
    ZC_T_NULL = 0,  /**< SQL NULL */
    ZC_T_INT = 1,   /**< 64-bit signed integer */
    ZC_T_DOUBLE = 2,/**< double */
    ZC_T_BOOL = 3,  /**< boolean, stored in v.i as 0 or 1 */
    ZC_T_TEXT = 4,  /**< NUL-terminated UTF-8 text */
    ZC_T_TS = 5,    /**< zc_timestamp */
    ZC_T_UUID = 6,  /**< zc_uuid */
    ZC_T_BLOB = 7   /**< bytes: pointer and length */
};

/** A parameter value. Build it with the constructors below. */
typedef struct zc_value {
    int type; /**< ZC_T_* */
    union {
        int64_t i;
        double d;
        const char *s;
        zc_timestamp ts;
        zc_uuid u;
        struct {
            const void *p;
            size_t n;
        } b;
    } v; /**< the member that type names: i (INT, BOOL), d, s, ts, u, b */
} zc_value;

/** @brief A 64-bit integer (ZC_T_INT). */
ZC_API zc_value zc_int(int64_t i);
/** @brief A double (ZC_T_DOUBLE). */
ZC_API zc_value zc_double(double d);
ZC_API zc_value zc_bool(int b);                 /**< any non-zero is true */
ZC_API zc_value zc_text(const char *s);         /**< points at s (not copied); NULL gives SQL NULL */
/** @brief SQL NULL (ZC_T_NULL). */
ZC_API zc_value zc_null(void);
/** @brief A timestamp, microseconds since the epoch in UTC (ZC_T_TS). */
ZC_API zc_value zc_ts(zc_timestamp ts);
/** @brief A UUID, copied into the value (ZC_T_UUID). */
ZC_API zc_value zc_uuidv(zc_uuid u);
ZC_API zc_value zc_blob(const void *p, size_t n); /**< points at p (not copied); p may be NULL only when n is 0 */

#ifdef __cplusplus
}
#endif
#endif
