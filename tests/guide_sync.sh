#!/bin/sh
# SPDX-License-Identifier: MIT
# Keeps the code of docs/guide.md compiled: every C block of the guide must be
# the exact text of a file under docs/examples/ (which make check builds and
# runs), announced by a marker line right above the block:
#
#   <!-- file: docs/examples/models.c -->
#   ```c
#   ...the file, byte for byte...
#   ```
#
# Fails (and shows the difference) when a block differs from its file, when a C
# block has no marker, when a marker names a missing file, or when a file of
# docs/examples/ is not quoted in the guide.
#
#   tests/guide_sync.sh            check (make check runs this)
#   tests/guide_sync.sh --update   rewrite the guide's blocks from the files
set -eu

top=${srcdir:-$(dirname "$0")/..}
guide=$top/docs/guide.md
update=0
[ "${1:-}" = "--update" ] && update=1

tmp=$(mktemp "${TMPDIR:-/tmp}/zc-guide.XXXXXX")
trap 'rm -f "$tmp"' EXIT

# Writes the guide with every marked block replaced by its file's text.
awk -v top="$top" '
    function fail(msg) { printf "guide_sync: docs/guide.md:%d: %s\n", NR, msg > "/dev/stderr"; bad = 1 }
    skipping {                      # inside a marked block: drop the old text
        if ($0 == "```") skipping = 0
        next
    }
    /^<!-- file: [^ ]+ -->$/ {
        print
        file = $3
        marked = NR
        next
    }
    $0 == "```c" {
        if (marked != NR - 1) { fail("a C block without a <!-- file: ... --> marker"); print; next }
        path = top "/" file
        if ((getline line < path) < 0) { fail("no such file: " file); print; next }
        print "```c"
        print line
        while ((getline line < path) > 0) print line
        close(path)
        print "```"
        skipping = 1
        next
    }
    { print }
    END { if (skipping) fail("a C block is not closed"); exit bad }
' "$guide" > "$tmp" || exit 1

# Every example file is quoted somewhere.
missing=0
for f in "$top"/docs/examples/*.c; do
    name=docs/examples/${f##*/}
    grep -q "^<!-- file: $name -->\$" "$guide" || {
        echo "guide_sync: $name is not quoted in docs/guide.md" >&2
        missing=1
    }
done

if [ "$update" = 1 ]; then
    cmp -s "$tmp" "$guide" || { cat "$tmp" > "$guide"; echo "guide_sync: docs/guide.md updated"; }
    exit "$missing"
fi
if ! cmp -s "$guide" "$tmp"; then
    echo "guide_sync: docs/guide.md differs from docs/examples/ (run tests/guide_sync.sh --update):" >&2
    diff -u "$guide" "$tmp" | sed 's/^/  /' >&2 || true
    exit 1
fi
[ "$missing" = 0 ] || exit 1
n=$(grep -c '^<!-- file: ' "$guide")
echo "guide_sync: $n code blocks of docs/guide.md match their files"
