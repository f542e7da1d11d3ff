#!/usr/bin/env bash
# The test build, measured: a fresh clone of REV (default HEAD) and an empty build directory,
#  1. the test build: `cargo test --release --no-run` (every test program, the example the
#     tests run, the library's own tests), dependencies included;
#  2. the rebuild after a one-line change to a test helper (a function added to
#     tests/common/mod.rs, or tests/it/common/mod.rs once the tests are one program);
#  3. how many test programs were linked, and their size on disk.
# Nothing else should build meanwhile (the machine's cores are the figure).
#
#   scripts/bench-test-build.sh [REV]
set -euo pipefail
cd "$(dirname "$0")/.."
REV=$(git rev-parse --short=7 "${1:-HEAD}")
HERE=$(pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/edgetop-bench-test-build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export CARGO_TARGET_DIR="$WORK/target"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }'; }
mmss() { awk -v s="$1" 'BEGIN { printf "%d min %02d s", s / 60, s % 60 }'; }

git clone -q "$HERE" "$WORK/src" && git -C "$WORK/src" checkout -q "$REV"
cd "$WORK/src"
echo "bench-test-build: $REV, $(nproc) cores"

build() { cargo test --release --no-run --message-format=json 2> "$WORK/build.log"; }
t=$(now)
build > "$WORK/first.json"
first=$(since "$t")
programs() {
  python3 -c '
import json, sys
seen = {}
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"]:
        seen[m["target"]["name"]] = m["executable"]
import os
print(len(seen), round(sum(os.path.getsize(p) for p in seen.values()) / 1e6))' "$1"
}
read -r count mb < <(programs "$WORK/first.json")
echo "1. the test build: $(mmss "$first") ($count test programs, $mb MB)"

helper=tests/common/mod.rs
[ -f "$helper" ] || helper=tests/it/common/mod.rs
# A line of code, not a comment: a comment costs an incremental build almost nothing.
echo 'pub fn bench_test_build_edit() -> u32 { 1 }' >> "$helper"
t=$(now)
build > "$WORK/second.json"
relink=$(since "$t")
echo "2. after a one-line change to $helper: $relink s"
