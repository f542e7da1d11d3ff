#!/usr/bin/env bash
# What a time range costs in memory. For each range (RANGES, "1h 24h 7d" by default):
#  1. the dashboard on the demo in tmux (every series dense: a value at every point), its
#     resident memory after SECS seconds (30);
#  2. `snapshot --json` of the demo: the series, the points they hold, and its resident memory
#     at most;
#  3. the same against the moto account the tests seed (KEYS keys, 20 by default: API keys
#     carry no series, so the series are the same at 10,000): series and points.
# Ratios are against the first range, measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
RANGES=${RANGES:-"1h 24h 7d"}
SECS=${SECS:-30}
KEYS=${KEYS:-20}
PY="$(scripts/moto-env.sh | tail -n 1)"
cargo build --release --quiet
BIN=$(cargo metadata --format-version 1 --no-deps | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/edgetop
WORK=$(mktemp -d)
SOCK=edgetop-range-$$
trap 'kill $MOTO 2>/dev/null || true; tmux -L $SOCK kill-server 2>/dev/null || true' EXIT

"$PY" tests/aws/moto_server.py --port 0 --extras "$WORK/extras.json" > "$WORK/port" 2> "$WORK/moto.log" &
MOTO=$!
for _ in $(seq 100); do grep -q PORT= "$WORK/port" 2>/dev/null && break; sleep 0.1; done
ENDPOINT="http://127.0.0.1:$(sed -n 's/PORT=//p' "$WORK/port")"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing AWS_EC2_METADATA_DISABLED=true
"$PY" tests/aws/seed.py --endpoint "$ENDPOINT" --extras "$WORK/extras.json" --expected "$WORK/expected.json" \
    --keys "$KEYS" > /dev/null 2> "$WORK/seed.log"

series() {  # series and points in a snapshot --json on stdin
    "$PY" -c '
import json, sys
n = p = 0
def walk(v):
    global n, p
    if isinstance(v, dict):
        if "end" in v and "values" in v:
            n += 1; p += len(v["values"]); return
        for x in v.values(): walk(x)
    elif isinstance(v, list):
        for x in v: walk(x)
walk(json.load(sys.stdin)["snapshot"]); print(n, p)'
}
maxrss() {  # run "$@", print its stdout to $WORK/out and its most resident memory in MB
    "$PY" -c '
import resource, subprocess, sys
with open(sys.argv[1], "wb") as out:
    subprocess.run(sys.argv[2:], stdout=out, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)' "$WORK/out" "$@"
}

printf '%-6s %-24s %-22s %-26s %s\n' range "dashboard (demo) RSS" "snapshot (demo) RSS" "demo: series / points" "moto account: series / points"
first_dash=""; first_snap=""
for r in $RANGES; do
    tmux -L "$SOCK" -f /dev/null new-session -d -s b -x 160 -y 48 "exec env LANG=C.UTF-8 $BIN --demo --range $r"
    sleep "$SECS"
    dash=$(( $(ps -o rss= -p "$(tmux -L "$SOCK" display-message -p -t b '#{pane_pid}')") / 1024 ))
    tmux -L "$SOCK" kill-server
    snap=$(maxrss "$BIN" --demo --range "$r" snapshot --json)
    demo=$(series < "$WORK/out")
    "$BIN" --region eu-west-1 --endpoint-url "$ENDPOINT" --range "$r" snapshot --json > "$WORK/aws.json"
    aws=$(series < "$WORK/aws.json")
    first_dash=${first_dash:-$dash}; first_snap=${first_snap:-$snap}
    printf '%-6s %-24s %-22s %-26s %s\n' "$r" \
        "$dash MB ($("$PY" -c "print(f'{$dash / $first_dash:.2f}')")×)" \
        "$snap MB ($("$PY" -c "print(f'{$snap / $first_snap:.2f}')")×)" \
        "$demo" "$aws"
done
