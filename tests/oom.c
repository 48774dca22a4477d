/* SPDX-License-Identifier: MIT */
/* The counting allocator of tests/oom.h. It is built with the rest (oom.h force-included),
   so it undoes the macros to reach the C library's allocator. */
#include "oom.h"

#include "oom-off.h"

static long fail_at, count, live;
static int sticky, fired;

void zc_oom_fail_at(long n, int stick)
{
    __atomic_store_n(&count, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&fired, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&sticky, stick, __ATOMIC_SEQ_CST);
    __atomic_store_n(&fail_at, n, __ATOMIC_SEQ_CST);
}

long zc_oom_count(void)
{
    return __atomic_load_n(&count, __ATOMIC_SEQ_CST);
}

int zc_oom_fired(void)
{
    return __atomic_load_n(&fired, __ATOMIC_SEQ_CST);
}

long zc_oom_live(void)
{
    return __atomic_load_n(&live, __ATOMIC_SEQ_CST);
}

/* 1 when this allocation is to fail. */
static int should_fail(void)
{
    long n = __atomic_add_fetch(&count, 1, __ATOMIC_SEQ_CST);
    long at = __atomic_load_n(&fail_at, __ATOMIC_SEQ_CST);
    if (at > 0 && (n == at || (n > at && __atomic_load_n(&sticky, __ATOMIC_SEQ_CST)))) {
        __atomic_store_n(&fired, 1, __ATOMIC_SEQ_CST);
        return 1;
    }
    return 0;
}

static void *counted(void *p)
{
    if (p)
        __atomic_add_fetch(&live, 1, __ATOMIC_SEQ_CST);
    return p;
}

void *zc_oom_malloc(size_t n)
{
    return should_fail() ? NULL : counted(malloc(n));
}

void *zc_oom_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : counted(calloc(n, size));
}

void *zc_oom_realloc(void *p, size_t n)
{
    void *q;
    if (should_fail())
        return NULL;
    q = realloc(p, n);
    return p ? q : counted(q);
}

char *zc_oom_strdup(const char *s)
{
    return should_fail() ? NULL : counted(strdup(s));
}

char *zc_oom_strndup(const char *s, size_t n)
{
    return should_fail() ? NULL : counted(strndup(s, n));
}

void zc_oom_free(void *p)
{
    if (p)
        __atomic_sub_fetch(&live, 1, __ATOMIC_SEQ_CST);
    free(p);
}
