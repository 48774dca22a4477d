/* SPDX-License-Identifier: MIT */
/*
 * What the fuzz targets share. Each fuzz/fuzz_<name>.c defines
 * LLVMFuzzerTestOneInput() and links zodiac's sources directly (it reaches the
 * parsers behind the public API). scripts/fuzz.sh builds them with libFuzzer;
 * fuzz/replay.c turns each into a plain program that runs its corpus
 * (fuzz/corpus/<name>/), which is how make check runs them.
 *
 * A target checks properties, not only "no crash": a property that fails calls
 * zcf_fail(), which aborts so that libFuzzer keeps the input.
 */
#ifndef ZC_FUZZ_H
#define ZC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define zcf_fail(...)                                                                      \
    do {                                                                                   \
        fprintf(stderr, "fuzz property failed at %s:%d: ", __FILE__, __LINE__);            \
        fprintf(stderr, __VA_ARGS__);                                                      \
        fputc('\n', stderr);                                                               \
        abort();                                                                           \
    } while (0)

#define zcf_check(cond, ...)                                                               \
    do {                                                                                   \
        if (!(cond))                                                                       \
            zcf_fail(__VA_ARGS__);                                                         \
    } while (0)

/* A NUL-terminated copy of the input, cut at its first NUL byte (C strings cannot hold
   one). Free it with free(). */
static inline char *zcf_string(const uint8_t *data, size_t size)
{
    size_t n = strnlen((const char *)data, size);
    char *s = malloc(n + 1);
    if (!s)
        abort();
    memcpy(s, data, n);
    s[n] = '\0';
    return s;
}

#endif
