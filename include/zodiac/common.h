/* SPDX-License-Identifier: MIT */
/**
 * @file common.h
 * @brief Export macro and the plain value types every zodiac header shares.
 */
#ifndef ZODIAC_COMMON_H
#define ZODIAC_COMMON_H

#include <stddef.h>
#include <stdint.h>

/** Marks a declaration as part of the library's exported API (the rest is hidden). */
#if defined(_WIN32) && defined(ZC_BUILDING)
#define ZC_API __declspec(dllexport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define ZC_API __attribute__((visibility("default")))
#else
#define ZC_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Microseconds since 1970-01-01 00:00:00 UTC. */
typedef int64_t zc_timestamp;

/** A UUID as its 16 bytes in network (RFC 4122) order. The all-zero UUID is "nil". */
typedef struct zc_uuid {
    unsigned char bytes[16]; /**< bytes[0] is the first byte of the text form */
} zc_uuid;

#ifdef __cplusplus
}
#endif
#endif
