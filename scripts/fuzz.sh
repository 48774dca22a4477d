#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds zodiac's fuzz targets (fuzz/fuzz_*.c) with clang and libFuzzer under
# AddressSanitizer and UndefinedBehaviorSanitizer, and runs each for a bounded time.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS   time per target (default 25); TARGETs default to every fuzz/fuzz_*.c.
# Each target starts from its seed corpus fuzz/corpus/NAME/ (never written to: new
# inputs go to the build directory) and its dictionary fuzz/dict/NAME.dict if any.
# Exits non-zero when any target finds a crash, a leak, a timeout or a broken
# property; the input that did it is kept as $ZC_FUZZ_DIR/NAME/crash-* (or leak-,
# timeout-) and can be replayed with the make-check build: fuzz/fuzz_NAME FILE.
#
# Environment:
#   CC            default clang
#   ZC_FUZZ_DIR   build and work directory (default _build-fuzz)
set -eu
set -o pipefail

srcdir=$(cd "$(dirname "$0")/.." && pwd)
cd "$srcdir"

secs=${1:-25}
[ $# -gt 0 ] && shift
case "$secs" in
    ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a number, not '$secs'" >&2; exit 2 ;;
esac
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for f in fuzz/fuzz_*.c; do
        n=${f#fuzz/fuzz_}
        targets+=("${n%.c}")
    done
fi

CC=${CC:-clang}
out=${ZC_FUZZ_DIR:-_build-fuzz}
mkdir -p "$out"
out=$(cd "$out" && pwd)
command -v "$CC" >/dev/null || { echo "fuzz.sh: $CC not found (scripts/install-deps.sh installs clang)" >&2; exit 1; }

san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cflags="-std=gnu11 -g -O1 -Wall -Wextra -Werror -I$srcdir/include -I$srcdir/src -DZC_BUILDING -D_GNU_SOURCE"
libs="$(pkg-config --libs odbc 2>/dev/null || echo -lodbc) -lodbcinst $(pkg-config --libs uuid 2>/dev/null || echo -luuid) -lpthread"

# The library's sources once, instrumented for coverage; each target links them.
echo "fuzz.sh: building the library with $CC (sanitizers + fuzzer coverage) in $out"
objs=()
for src in src/*.c; do
    obj="$out/lib-$(basename "${src%.c}").o"
    # shellcheck disable=SC2086 # flag lists
    $CC $cflags $san -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
    objs+=("$obj")
done

failed=()
for t in "${targets[@]}"; do
    [ -f "fuzz/fuzz_$t.c" ] || { echo "fuzz.sh: no fuzz/fuzz_$t.c" >&2; exit 2; }
    bin="$out/fuzz_$t"
    work="$out/$t"
    mkdir -p "$work/corpus"
    # shellcheck disable=SC2086 # flag lists
    $CC $cflags $san -fsanitize=fuzzer "fuzz/fuzz_$t.c" "${objs[@]}" $libs -o "$bin"
    dict=()
    [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
    echo "fuzz.sh: fuzz_$t for ${secs}s"
    rc=0
    # Leaks are checked (LeakSanitizer, on by default under libFuzzer): no target
    # connects, so unixODBC keeps no pooled connection that would show as one.
    ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
        "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
        -print_final_stats=1 -artifact_prefix="$work/" "${dict[@]}" \
        "$work/corpus" "fuzz/corpus/$t" > "$work/log" 2>&1 || rc=$?
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done)' "$work/log" | sed 's/^/    /' || true
    if [ "$rc" -ne 0 ]; then
        echo "fuzz.sh: fuzz_$t FAILED (exit $rc); the end of its log:"
        tail -40 "$work/log"
        ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null || true
        failed+=("$t")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: ${#failed[@]} of ${#targets[@]} targets failed: ${failed[*]}"
    exit 1
fi
echo "fuzz.sh: nothing found (${#targets[@]} target(s), ${secs}s each)"
