/* SPDX-License-Identifier: MIT */
/*
 * Secret masking in messages and log lines (src/error.c, zc__scrub).
 *
 * Input: secrets and then the message, separated by NUL bytes (up to four
 * secrets, as a connection string records). Properties: the result is a
 * NUL-terminated string within the buffer, nothing is written past it, and no
 * secret is left in it. (A secret with a '*' is exempt from the last: masking
 * another secret writes "***", which can complete it without revealing it.)
 */
#include "fuzz.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t sizes[] = { ZC_ERROR_MESSAGE_SIZE, 1024, 2048 };
    char *secrets[ZC__MAX_SECRETS];
    int nsecrets = 0;
    size_t off = 0;
    const char *msg_in;
    size_t msg_len;

    while (nsecrets < ZC__MAX_SECRETS && off < size) {
        const uint8_t *z = memchr(data + off, 0, size - off);
        if (!z)
            break;
        secrets[nsecrets++] = zcf_string(data + off, (size_t)(z - (data + off)));
        off = (size_t)(z - data) + 1;
    }
    msg_in = (const char *)data + off;
    msg_len = strnlen(msg_in, size - off);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t cap = sizes[k];
        char *msg = malloc(cap + 16);
        size_t n = msg_len < cap - 1 ? msg_len : cap - 1;
        if (!msg)
            abort();
        memcpy(msg, msg_in, n);
        msg[n] = '\0';
        memset(msg + cap, 'G', 16); /* guard bytes after the buffer */
        zc__scrub(msg, cap, secrets, nsecrets);
        zcf_check(strnlen(msg, cap) < cap, "result not terminated within %zu bytes", cap);
        for (int i = 0; i < 16; i++)
            zcf_check(msg[cap + i] == 'G', "wrote past the buffer of %zu bytes", cap);
        for (int i = 0; i < nsecrets; i++) {
            if (!secrets[i][0] || strchr(secrets[i], '*'))
                continue;
            zcf_check(!strstr(msg, secrets[i]), "secret '%s' left in '%s'", secrets[i], msg);
        }
        free(msg);
    }
    for (int i = 0; i < nsecrets; i++)
        free(secrets[i]);
    return 0;
}
