/* SPDX-License-Identifier: MIT */
/*
 * The UTF-8 check on text values and fields (src/value.c, zc__utf8_valid).
 *
 * Property: it agrees on every byte string with the C library's UTF-8 decoder
 * (mbrtowc in the C.UTF-8 locale, which refuses overlong forms) held to RFC 3629
 * (no surrogates, nothing past U+10FFFF, which glibc lets through), and it reads
 * nothing past the n bytes it is given.
 */
#include <locale.h>
#include <wchar.h>

#include "fuzz.h"
#include "internal.h"

static int libc_valid(const char *s, size_t n)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    while (n > 0) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s, n, &st);
        if (k == (size_t)-1 || k == (size_t)-2)
            return 0;
        if ((unsigned long)wc > 0x10ffff || ((unsigned long)wc >= 0xd800 && wc <= 0xdfff))
            return 0;
        if (k == 0) /* a NUL byte: one byte of valid text */
            k = 1;
        s += k;
        n -= k;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    char *copy;
    if (!init) {
        if (!setlocale(LC_CTYPE, "C.UTF-8"))
            zcf_fail("no C.UTF-8 locale");
        init = 1;
    }
    copy = malloc(size ? size : 1); /* exactly size bytes: ASan sees any read past them */
    if (!copy)
        abort();
    memcpy(copy, data, size);
    zcf_check(zc__utf8_valid(copy, size) == libc_valid(copy, size),
              "zc__utf8_valid says %d for %zu bytes, the C library %d",
              zc__utf8_valid(copy, size), size, libc_valid(copy, size));
    free(copy);
    return 0;
}
