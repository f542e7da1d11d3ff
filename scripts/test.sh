#!/usr/bin/env bash
# Runs every test of edgetop: unit tests, render snapshots (insta), the binary's CLI checks,
# the AWS source against a local AWS protocol peer (moto, on 127.0.0.1), and end-to-end runs of
# the release binary in tmux. Installs what it needs on a fresh machine (tmux, a moto venv).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v tmux >/dev/null 2>&1; then
  echo "test.sh: installing tmux (end-to-end tests run the dashboard in it)"
  as_root apt-get update -qq
  as_root apt-get install -y -qq tmux >/dev/null
fi

# The AWS protocol peer for the integration tests: moto, pinned, in its own virtualenv. Made
# here once, before the tests run in parallel.
scripts/moto-env.sh > /dev/null

# Braille charts and box drawing need a UTF-8 locale inside tmux.
export LANG="${LANG:-C.UTF-8}"
case "$LANG" in *UTF-8*|*utf8*) ;; *) export LANG=C.UTF-8 ;; esac
# Snapshots are compared, never written, by the test run.
export INSTA_UPDATE=no

# The code's shape, before anything builds: the layers hold (ARCHITECTURE.md) and no piece
# of the program grows past 80 lines a function, 500 a file.
scripts/check-layers.py
scripts/longest-functions.py --check

# One build for the README's two commands: the tests' dev-dependencies must not ask crates the
# program shares with them for other features (the demo command would build those again).
scripts/one-build.sh
# One profile (release) for tests, end-to-end runs and benches: dependencies build once.
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --release --no-fail-fast
else
  echo "test.sh: cargo-nextest not found, using cargo test"
  cargo test --release --no-fail-fast
fi
# The benchmarks must keep compiling (they run with: cargo bench --bench frame).
cargo bench --no-run --quiet
