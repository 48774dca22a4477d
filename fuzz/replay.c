/* SPDX-License-Identifier: MIT */
/*
 * Runs a fuzz target over files instead of under libFuzzer: each argument is a
 * file or a directory of files. Without arguments it runs the target's corpus,
 * $srcdir/fuzz/corpus/FUZZ_TARGET (make check sets srcdir), and fails when that
 * holds no input, so the test cannot pass by running nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "fuzz.h"

#ifndef FUZZ_TARGET
#error "build with -DFUZZ_TARGET=\"name\""
#endif

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        fprintf(stderr, "replay: %s: cannot size it\n", path);
        return -1;
    }
    buf = malloc((size_t)n + 1); /* +1: a zero-length input still gets a pointer */
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        fprintf(stderr, "replay: %s: read failed\n", path);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    free(buf);
    return 1;
}

/* Runs a file, or every regular file of a directory; returns how many ran, -1 on error. */
static int run_path(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    int total = 0;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path);
    if (!(d = opendir(path))) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        char sub[4096];
        int n;
        if (e->d_name[0] == '.')
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        if (stat(sub, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if ((n = run_file(sub)) < 0) {
            closedir(d);
            return -1;
        }
        total += n;
    }
    closedir(d);
    return total;
}

int main(int argc, char **argv)
{
    int total = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            int n = run_path(argv[i]);
            if (n < 0)
                return 1;
            total += n;
        }
    } else {
        const char *srcdir = getenv("srcdir");
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/fuzz/corpus/%s", srcdir && *srcdir ? srcdir : ".",
                 FUZZ_TARGET);
        if ((total = run_path(dir)) < 0)
            return 1;
    }
    printf("fuzz_%s: %d inputs replayed, 0 failed\n", FUZZ_TARGET, total);
    if (total == 0) {
        fprintf(stderr, "replay: no input found\n");
        return 1;
    }
    return 0;
}
