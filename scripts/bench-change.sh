#!/usr/bin/env bash
# The emergency path's benchmark: how long `edgetop toggle` and `edgetop rotate` take to put
# their plan on the terminal (with --dry-run: read, plan, print, exit) on one moto account at
# API Gateway's ordinary per-region limits (KEYS=10000 API keys, PLANS=300 usage plans), and the
# AWS calls each makes, in one run:
#
#   scripts/bench-change.sh                 # this checkout's binary
#   BEFORE=695a087 scripts/bench-change.sh  # and the same against a binary built from that commit
#
# With BEFORE, the other commit is checked out in a temporary worktree and built into the same
# target directory (only edgetop itself is compiled again), and both binaries are timed on the
# same account, one after the other, RUNS times each (the median is reported).
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS=${KEYS:-10000}
PLANS=${PLANS:-300}
RUNS=${RUNS:-3}
RPS=${RPS:-5}
PY="$(scripts/moto-env.sh | tail -n 1)"
cargo build --release --quiet
TARGET=$(cargo metadata --format-version 1 --no-deps | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
WORK=$(mktemp -d)
MOTO=""
trap 'kill $MOTO 2>/dev/null || true; [ -n "${TREE:-}" ] && git worktree remove --force "$TREE" 2>/dev/null; true' EXIT
now() { "$PY" -c 'import time; print(time.time())'; }
AFTER_BIN=$WORK/edgetop-after
cp "$TARGET/release/edgetop" "$AFTER_BIN"

BEFORE_BIN=""
if [ -n "${BEFORE:-}" ]; then
    # The same target directory: the dependencies are built once; the other commit's binary
    # is copied aside, then this one's put back.
    TREE="$WORK/before"
    git worktree add --detach --quiet "$TREE" "$BEFORE"
    (cd "$TREE" && CARGO_TARGET_DIR="$TARGET" cargo build --release --quiet)
    BEFORE_BIN=$WORK/edgetop-before
    cp "$TARGET/release/edgetop" "$BEFORE_BIN"
    cargo build --release --quiet
fi

"$PY" tests/aws/moto_server.py --port 0 --extras "$WORK/extras.json" > "$WORK/port" 2> "$WORK/moto.log" &
MOTO=$!
for _ in $(seq 100); do grep -q PORT= "$WORK/port" 2>/dev/null && break; sleep 0.1; done
ENDPOINT="http://127.0.0.1:$(sed -n 's/PORT=//p' "$WORK/port")"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing \
    AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
"$PY" tests/aws/seed.py --endpoint "$ENDPOINT" --extras "$WORK/extras.json" --expected "$WORK/expected.json" \
    --keys "$KEYS" --plans "$PLANS" > /dev/null 2> "$WORK/seed.log"
echo "seeded $KEYS API keys and $PLANS usage plans"

# One timed run of BIN with ARGS: "seconds calls".
timed() {
    local bin=$1; shift
    curl -s -X POST "$ENDPOINT/_edgetop/calls/reset" > /dev/null
    local t0 t1
    t0=$(now)
    XDG_STATE_HOME="$WORK/state" "$bin" --region eu-west-1 --endpoint-url "$ENDPOINT" --max-attempts 1 \
        --apigateway-rps "$RPS" --log-file "$WORK/edgetop.log" --dry-run "$@" > "$WORK/out" 2> "$WORK/err" \
        || { cat "$WORK/err" >&2; exit 1; }
    t1=$(now)
    grep -q "dry run: nothing was changed" "$WORK/out" || { cat "$WORK/out" "$WORK/err" >&2; exit 1; }
    local calls
    calls=$(curl -s "$ENDPOINT/_edgetop/calls" | "$PY" -c 'import json,sys; print(sum(json.load(sys.stdin).values()))')
    "$PY" -c "print(f'{$t1 - $t0:.2f} $calls')"
}

# The median of RUNS runs: "seconds calls".
median() {
    for _ in $(seq "$RUNS"); do timed "$@"; done | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}

for change in "toggle --web-acl edge-regional --rule GeoScrapers" "rotate --key cdn-origin-catalog"; do
    # shellcheck disable=SC2086
    read -r after after_calls <<< "$(median "$AFTER_BIN" $change)"
    line="$change: $after s, $after_calls AWS calls"
    if [ -n "$BEFORE_BIN" ]; then
        # shellcheck disable=SC2086
        read -r before before_calls <<< "$(median "$BEFORE_BIN" $change)"
        ratio=$("$PY" -c "print(f'{$after / $before:.3g}')")
        line="$line; before ($BEFORE): $before s, $before_calls calls; after/before $ratio"
    fi
    echo "$line"
done
