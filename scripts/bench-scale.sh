#!/usr/bin/env bash
# Scale benchmark: one moto account at API Gateway's ordinary per-region limits (KEYS=10000 API
# keys, PLANS=300 usage plans), the dashboard on it in tmux, in one run:
#  1. seconds to seed it (keys created 8 at a time);
#  2. seconds from start to the first frame with figures, and until every key is listed;
#  3. API Gateway calls per minute in steady state, from the peer's call log, against the
#     budget edgetop is given (--apigateway-rps, 60 × rate a minute);
#  4. the dashboard's resident memory after MINUTES minutes (5).
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS=${KEYS:-10000}
PLANS=${PLANS:-300}
MINUTES=${MINUTES:-5}
RPS=${RPS:-5}
PY="$(scripts/moto-env.sh | tail -n 1)"
cargo build --release --quiet
BIN=$(cargo metadata --format-version 1 --no-deps | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/edgetop
WORK=$(mktemp -d)
SOCK=edgetop-scale-$$
trap 'kill $MOTO 2>/dev/null || true; tmux -L $SOCK kill-server 2>/dev/null || true' EXIT
now() { "$PY" -c 'import time; print(time.time())'; }

"$PY" tests/aws/moto_server.py --port 0 --extras "$WORK/extras.json" > "$WORK/port" 2> "$WORK/moto.log" &
MOTO=$!
for _ in $(seq 100); do grep -q PORT= "$WORK/port" 2>/dev/null && break; sleep 0.1; done
ENDPOINT="http://127.0.0.1:$(sed -n 's/PORT=//p' "$WORK/port")"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing AWS_EC2_METADATA_DISABLED=true
s0=$(now)
"$PY" tests/aws/seed.py --endpoint "$ENDPOINT" --extras "$WORK/extras.json" --expected "$WORK/expected.json" \
    --keys "$KEYS" --plans "$PLANS" > /dev/null 2> "$WORK/seed.log"
s1=$(now)
echo "seeded $KEYS API keys and $PLANS usage plans in $("$PY" -c "print(f'{$s1 - $s0:.0f}')") s"
curl -s -X POST "$ENDPOINT/_edgetop/calls/reset" > /dev/null

tmux -L "$SOCK" -f /dev/null new-session -d -s b -x 160 -y 48
t0=$(now)
tmux -L "$SOCK" respawn-pane -k -t b "exec env LANG=C.UTF-8 $BIN --region eu-west-1 --endpoint-url $ENDPOINT --apigateway-rps $RPS --log-file $WORK/dash.log"
screen() { tmux -L "$SOCK" capture-pane -t b -p; }
waited() { "$PY" -c "print(f'{$(now) - $t0:.1f}')"; }
# 1. The first frame with figures: the Overview's stats line appears with the first data.
until screen | grep -q 'requests/min'; do sleep 0.25; done
first=$(waited)
echo "first figures on screen after $first s"
tmux -L "$SOCK" send-keys -t b 6
until screen | grep -q " API keys 1/$KEYS "; do sleep 0.5; done
keys=$(waited)
echo "every key listed after $keys s"

# 2. Steady state: two minutes of calls after everything is read.
curl -s -X POST "$ENDPOINT/_edgetop/calls/reset" > /dev/null
sleep 120
curl -s "$ENDPOINT/_edgetop/calls" > "$WORK/calls.json"
"$PY" - "$WORK/calls.json" "$RPS" <<'PY'
import json, sys
import botocore.session
ops = set(botocore.session.get_session().get_service_model("apigateway").operation_names)
calls = json.load(open(sys.argv[1]))
api = sum(n for op, n in calls.items() if op in ops)
rps = float(sys.argv[2])
print(f"steady state: {api / 2:.0f} API Gateway calls a minute (budget given: {60 * rps:.0f} a minute at "
      f"--apigateway-rps {rps:g}); all calls: {sum(calls.values()) / 2:.0f} a minute")
print("  API Gateway calls in the 2 minutes:", {op: n for op, n in sorted(calls.items()) if op in ops})
PY

# 3. Memory after MINUTES minutes from start.
left=$("$PY" -c "print(max(0, $MINUTES * 60 - ($(now) - $t0)))")
sleep "$left"
pid=$(tmux -L "$SOCK" display-message -p -t b '#{pane_pid}')
echo "resident memory after $MINUTES minutes: $(($(ps -o rss= -p "$pid") / 1024)) MB"
tmux -L "$SOCK" send-keys -t b q
