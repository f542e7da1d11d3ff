#!/usr/bin/env bash
# AWS source benchmark, on one seeded moto account, in one run:
#  1. time from start to a complete `edgetop snapshot --json`, against the aws CLI collecting the
#     same data one call at a time (scripts/aws-cli-snapshot.sh), as a ratio;
#  2. AWS calls per discovery and per poll, and metrics requested per hour at the default
#     refresh, from the dashboard's own log (3 polls, 10 s apart).
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS=${KEYS:-640}
PY="$(scripts/moto-env.sh | tail -n 1)"
cargo build --release --quiet
BIN=$(cargo metadata --format-version 1 --no-deps | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/edgetop
WORK=$(mktemp -d)
trap 'kill $MOTO 2>/dev/null || true; tmux -L edgetop-bench-$$ kill-server 2>/dev/null || true' EXIT

"$PY" tests/aws/moto_server.py --port 0 --extras "$WORK/extras.json" > "$WORK/port" 2> "$WORK/moto.log" &
MOTO=$!
for _ in $(seq 100); do grep -q PORT= "$WORK/port" 2>/dev/null && break; sleep 0.1; done
ENDPOINT="http://127.0.0.1:$(sed -n 's/PORT=//p' "$WORK/port")"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing AWS_EC2_METADATA_DISABLED=true
"$PY" tests/aws/seed.py --endpoint "$ENDPOINT" --extras "$WORK/extras.json" --expected "$WORK/expected.json" --keys "$KEYS" > /dev/null
echo "seeded $KEYS API keys on $ENDPOINT"

t0=$("$PY" -c 'import time; print(time.time())')
"$BIN" snapshot --json --region eu-west-1 --endpoint-url "$ENDPOINT" --log-file "$WORK/snap.log" > "$WORK/snap.json"
t1=$("$PY" -c 'import time; print(time.time())')
cli=$(scripts/aws-cli-snapshot.sh "$ENDPOINT" eu-west-1 2>/dev/null | tail -n 5)
"$PY" - "$WORK/snap.json" "$t0" "$t1" "$cli" <<'PY'
import json, re, sys
snap = json.load(open(sys.argv[1])); t = float(sys.argv[3]) - float(sys.argv[2]); cli = sys.argv[4]
calls = snap["stats"]["aws_calls_total"]
field = lambda name: float(re.search(name + r"=([0-9.]+)", cli).group(1))
cli_secs, cli_calls, http_calls = field("elapsed_seconds"), int(field("cli_calls")), int(field("http_calls"))
print(f"edgetop snapshot --json:      {t:6.2f} s, {calls:3d} AWS calls (discovery included; API Gateway paced at its defaults)")
print(f"aws CLI, one call at a time:  {cli_secs:6.2f} s, {cli_calls:3d} CLI calls ({http_calls} HTTP requests)")
print(f"edgetop / CLI: {t / cli_secs:.3f}x the time, {calls / http_calls:.2f}x the calls")
PY

# What Logs Insights adds to a snapshot: with and without --no-logs, alternately, twice each on
# the warm server; the fastest of each.
for run in 1 2; do
  for mode in logs nologs; do
    flag=$([ "$mode" = nologs ] && echo --no-logs || true)
    "$BIN" snapshot --json $flag --region eu-west-1 --endpoint-url "$ENDPOINT" --log-file "$WORK/snap.log" > "$WORK/$mode-$run.json"
  done
done
"$PY" - "$WORK" <<'PY'
import json, sys
def best(mode):
    runs = [json.load(open(f"{sys.argv[1]}/{mode}-{r}.json"))["stats"] for r in (1, 2)]
    return min(runs, key=lambda s: s["seconds"])
a, b = best("logs"), best("nologs")
logs = {k: v for k, v in a["aws_calls"].items() if k.startswith("logs:") or k == "wafv2:GetLoggingConfiguration"}
print(f"snapshot with logs {a['seconds']:.2f} s, --no-logs {b['seconds']:.2f} s: {a['seconds'] / b['seconds']:.2f}x; "
      f"calls {a['aws_calls_total']} vs {b['aws_calls_total']}: {logs}")
PY

SOCK=edgetop-bench-$$
tmux -L "$SOCK" -f /dev/null new-session -d -s b -x 160 -y 48
tmux -L "$SOCK" respawn-pane -k -t b "exec env LANG=C.UTF-8 $BIN --region eu-west-1 --endpoint-url $ENDPOINT --refresh 10 --log-file $WORK/dash.log"
sleep 35
tmux -L "$SOCK" send-keys -t b q
sleep 1
echo "dashboard polls (refresh 10 s here; 60 s by default):"
grep ' poll' "$WORK/dash.log" | sed -E 's/.*calls=([0-9]+) metrics=([0-9]+).*/  \1 AWS calls, \2 metrics requested/'
per_poll=$(grep ' poll' "$WORK/dash.log" | tail -n 1 | sed -E 's/.*metrics=([0-9]+).*/\1/')
echo "metrics requested per hour at the default 60 s refresh: $((per_poll * 60)) (each series once a minute); idle (every 5 min): $((per_poll * 12))"
