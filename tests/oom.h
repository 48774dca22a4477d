/* SPDX-License-Identifier: MIT */
/*
 * Force-included (-include tests/oom.h) into zodiac's sources when they are built
 * for tests/check_oom: every allocation the library makes goes through counting
 * wrappers that can be told to fail, and every free is counted, so a test can
 * fail allocation n and then check that nothing leaked. The library's sources
 * are not changed; only this build of them.
 */
#ifndef ZC_TEST_OOM_H
#define ZC_TEST_OOM_H

#include <stdlib.h>
#include <string.h>

void *zc_oom_malloc(size_t n);
void *zc_oom_calloc(size_t n, size_t size);
void *zc_oom_realloc(void *p, size_t n);
char *zc_oom_strdup(const char *s);
char *zc_oom_strndup(const char *s, size_t n);
void zc_oom_free(void *p);

/* From now on, allocation n (1-based) fails; with sticky, every one after it too.
   n = 0 disarms and resets the count. */
void zc_oom_fail_at(long n, int sticky);
/* Allocations asked for since the last zc_oom_fail_at(). */
long zc_oom_count(void);
/* 1 once an allocation has been made to fail since the last zc_oom_fail_at(). */
int zc_oom_fired(void);
/* Blocks allocated through the wrappers and not yet freed. */
long zc_oom_live(void);

#include "oom-off.h"
#define malloc(n) zc_oom_malloc(n)
#define calloc(n, size) zc_oom_calloc(n, size)
#define realloc(p, n) zc_oom_realloc(p, n)
#define strdup(s) zc_oom_strdup(s)
#define strndup(s, n) zc_oom_strndup(s, n)
#define free(p) zc_oom_free(p)

#endif
