/* SPDX-License-Identifier: MIT */
/*
 * Undoes tests/oom.h's allocator macros, for the code that must reach the C
 * library's allocator (the counting allocator itself, the test's own code).
 * No include guard: it is meant to act every time it is included.
 */
#undef malloc
#undef calloc
#undef realloc
#undef strdup
#undef strndup
#undef free
