#!/usr/bin/env bash
# A newcomer's first hour, measured: a fresh clone of REV (default HEAD) built and tested as the
# README says, on empty build directories and a new moto venv.
#  1. clone to green: `scripts/test.sh` on the fresh clone (it builds everything, installs the
#     moto venv, runs every test): seconds, and the largest process's memory;
#  2. the README's demo command after it: seconds of `cargo build --release` (what `cargo run`
#     does before it runs) and how many crates it compiled (0: one build serves both);
#  3. a warm rebuild after an edit to one screen file (src/screens/geo.rs), all targets;
#  4. the release binary's size;
#  5. the demo command alone on another fresh clone and empty build directory, with cargo's
#     --timings: seconds, and the crates that took longest.
# With --write, the run's row is added to BENCHMARKS.md's "Build" table (a row for the same
# commit is replaced). Takes about an hour on the project's 2-core machine; nothing else should
# build meanwhile.
#
#   scripts/bench-build.sh [--write] [REV]
#   ALONE=0           leave out step 5
#   KEEP_TARGET=DIR   keep the first clone's build directory there (to seed another checkout's)
set -euo pipefail
cd "$(dirname "$0")/.."
WRITE=0
if [ "${1:-}" = --write ]; then WRITE=1; shift; fi
REV=$(git rev-parse --short=7 "${1:-HEAD}")
HERE=$(pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/edgetop-bench-build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export LANG=C.UTF-8

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }'; }
mmss() { awk -v s="$1" 'BEGIN { printf "%d min %02d s", s / 60, s % 60 }'; }
clone() { git clone -q "$HERE" "$1" && git -C "$1" checkout -q "$REV"; }

echo "bench-build: $REV, $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GB; work in $WORK"

# 1. Clone to green.
clone "$WORK/a"
export CARGO_TARGET_DIR="$WORK/target-a" EDGETOP_MOTO_VENV="$WORK/moto-venv"
t=$(now)
(cd "$WORK/a" && /usr/bin/time -f '%M' -o "$WORK/test.mem" scripts/test.sh > "$WORK/test.log" 2>&1) ||
  { tail -n 40 "$WORK/test.log"; echo "bench-build: the test command failed" >&2; exit 1; }
green=$(since "$t")
peak=$(( $(tail -n 1 "$WORK/test.mem") / 1024 ))
tests=$(grep -oE '[0-9]+ tests? run: [0-9]+ passed' "$WORK/test.log" | tail -n 1 || true)
echo "1. clone to green: $(mmss "$green") ($tests; largest process $peak MB)"

# 2. The demo command after it.
t=$(now)
(cd "$WORK/a" && cargo build --release > "$WORK/demo-after.log" 2>&1)
after=$(since "$t")
rebuilt=$(grep -c '^ *Compiling ' "$WORK/demo-after.log" || true)
echo "2. the demo command after the tests: $after s, $rebuilt crates compiled"

# 3. A warm rebuild after an edit to one screen file.
echo '// bench-build: an edit' >> "$WORK/a/src/screens/geo.rs"
t=$(now)
(cd "$WORK/a" && cargo build --release --all-targets > "$WORK/warm.log" 2>&1)
warm=$(since "$t")
echo "3. warm rebuild after editing a screen: $warm s"

# 4. The binary.
size=$(stat -c %s "$CARGO_TARGET_DIR/release/edgetop")
size_mb=$(awk -v b="$size" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "4. release binary: $size_mb MB"

# 5. The demo command alone, from a fresh clone (ALONE=0 leaves it out).
alone_cell="–"
if [ "${ALONE:-1}" != 0 ]; then
  clone "$WORK/b"
  export CARGO_TARGET_DIR="$WORK/target-b"
  t=$(now)
  (cd "$WORK/b" && cargo build --release --timings > "$WORK/demo-alone.log" 2>&1)
  alone=$(since "$t")
  echo "5. the demo command alone on a fresh clone: $(mmss "$alone"); the longest crates:"
  # cargo's timings page holds each unit's duration as JSON (UNIT_DATA).
  python3 - "$CARGO_TARGET_DIR"/cargo-timings/cargo-timing.html <<'PY' | tee "$WORK/crates"
import json, re, sys
html = open(sys.argv[1]).read()
found = re.search(r"const UNIT_DATA = (\[.*?\]);\n", html, re.S)
if not found:
    sys.exit(print("   (cargo's timings page has no UNIT_DATA this version: see " + sys.argv[1] + ")"))
units = json.loads(found.group(1))
total = sum(u["duration"] for u in units)
for u in sorted(units, key=lambda u: -u["duration"])[:8]:
    print(f"   {u['name']} {u['version']}{' (' + u['target'].strip() + ')' if u['target'].strip() else ''}: "
          f"{u['duration']:.0f} s")
print(f"   (all {len(units)} units: {total / 60:.0f} min of one core)")
PY
  alone_cell=$(mmss "$alone")
fi

row="| $REV | $(date +%F) | $(mmss "$green") | $after s, $rebuilt crates | $warm s | $size_mb MB | $alone_cell |"
echo "$row"
if [ -n "${KEEP_TARGET:-}" ]; then rm -rf "$KEEP_TARGET" && mv "$WORK/target-a" "$KEEP_TARGET"; fi
if [ "$WRITE" = 1 ]; then
  python3 - "$HERE/BENCHMARKS.md" "$REV" "$row" <<'PY'
import sys
path, rev, row = sys.argv[1:4]
lines = open(path).read().split("\n")
# The marker, the table's heading and its rule, then a row per run.
at = lines.index("<!-- bench-build.sh adds its rows to the table below -->") + 3
end = at
while end < len(lines) and lines[end].startswith("|"):
    end += 1
rows = [l for l in lines[at:end] if not l.startswith(f"| {rev} |")]
lines[at:end] = rows + [row]
open(path, "w").write("\n".join(lines))
PY
  echo "bench-build: written to BENCHMARKS.md"
fi
