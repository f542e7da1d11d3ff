#!/usr/bin/env bash
# Checks that the README's two commands share one build: every crate the program uses is asked
# for the same features by the test build (with dev-dependencies) as by the plain build
# (`cargo run --release -- --demo`). Cargo builds a crate once per feature set, so a crate that
# differs is built twice, and with it every crate above it. Prints each difference and fails.
# The fix is a line in Cargo.toml's "One build" block.
set -euo pipefail
cd "$(dirname "$0")/.."
features() { cargo tree --quiet "$@" --format '{p} [{f}]' --prefix none | sed 's/ (\*)$//' | sort -u; }
plain=$(mktemp) && test=$(mktemp)
trap 'rm -f "$plain" "$test"' EXIT
features --edges no-dev > "$plain"
features > "$test"
# A crate of the plain build whose line (name, version, features) the test build does not have.
if differ=$(comm -23 "$plain" "$test") && [ -n "$differ" ]; then
  echo "one-build.sh: the test build asks these crates for other features than the demo command:" >&2
  while read -r line; do
    crate=${line%% \[*}
    echo "  plain: $line" >&2
    grep -F "$crate [" "$test" | sed 's/^/  test:  /' >&2
  done <<< "$differ"
  exit 1
fi
echo "one-build.sh: the test build and the demo command build the same $(wc -l < "$plain") crates"
