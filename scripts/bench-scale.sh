#!/usr/bin/env bash
# Scale benchmark: one moto account at API Gateway's ordinary per-region limits (KEYS=10000 API
# keys, PLANS=300 usage plans), the dashboard on it in tmux, in one run:
#  1. seconds to seed it (keys created 8 at a time);
#  2. seconds from start to the first frame with figures, until every key is listed, and until
#     every plan's keys and usage are read (the first read's end);
#  3. the dashboard's resident memory after MINUTES minutes (5), and at the end;
#  4. API Gateway calls per minute in steady state (two minutes from STEADY_FROM seconds), from
#     the peer's timed call log: the most in any 60 s and the average, against the budget
#     edgetop is given (--apigateway-per-minute);
#  5. snapshot --json on the same account: seconds, calls, CPU seconds, and its resident memory
#     at most (with BASELINE_BIN=path, also those of another build, side by side);
#  6. with RECORD=1, the dashboard also records (--record): what its whole snapshots and its
#     changes cost on disk, and so what an hour of this account costs at --refresh 60.
set -euo pipefail
cd "$(dirname "$0")/.."
KEYS=${KEYS:-10000}
PLANS=${PLANS:-300}
MINUTES=${MINUTES:-5}
RPS=${RPS:-5}
BUDGET=${BUDGET:-60}
STEADY_FROM=${STEADY_FROM:-630}
RECORD=${RECORD:-0}
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
RECORDING=""
[ "$RECORD" = 1 ] && RECORDING="--record $WORK/scale.rec"
tmux -L "$SOCK" respawn-pane -k -t b "exec env LANG=C.UTF-8 $BIN --region eu-west-1 --endpoint-url $ENDPOINT --apigateway-rps $RPS --apigateway-per-minute $BUDGET --log-file $WORK/dash.log $RECORDING"
screen() { tmux -L "$SOCK" capture-pane -t b -p; }
waited() { "$PY" -c "print(f'{$(now) - $t0:.1f}')"; }
# 1. The first frame with figures: the Overview's stats line appears with the first data.
until screen | grep -q 'requests/min'; do sleep 0.25; done
first=$(waited)
echo "first figures on screen after $first s"
tmux -L "$SOCK" send-keys -t b 6
until screen | grep -qE " API keys( · [^─]*)? 1/$KEYS "; do sleep 0.25; done
keys=$(waited)
echo "every key listed after $keys s"
until screen | grep -qE " API keys( · [^─]*)? 1/$KEYS " && ! screen | grep -q "keys listed"; do sleep 0.5; done
echo "every plan's keys and usage read after $(waited) s"

# Memory after MINUTES minutes from start.
rss() { echo "$(($(ps -o rss= -p "$(tmux -L "$SOCK" display-message -p -t b '#{pane_pid}')") / 1024))"; }
sleep "$("$PY" -c "print(max(0, $MINUTES * 60 - ($(now) - $t0)))")"
echo "resident memory after $MINUTES minutes: $(rss) MB"

# Steady state: two minutes of calls from STEADY_FROM seconds after start (630 by default:
#    the plans' usage read in the first read falls due again from 10 minutes after it).
sleep "$("$PY" -c "print(max(0, $STEADY_FROM - ($(now) - $t0)))")"
curl -s -X POST "$ENDPOINT/_edgetop/calls/reset" > /dev/null
sleep 120
curl -s "$ENDPOINT/_edgetop/call-log" > "$WORK/calls.json"
"$PY" - "$WORK/calls.json" "$BUDGET" <<'PY'
import collections, json, sys
log = json.load(open(sys.argv[1]))
api = [t for t, service, op in log if service == "apigateway"]
most = max((sum(1 for u in api[i:] if u < t + 60) for i, t in enumerate(api)), default=0)
ops = collections.Counter(op for t, service, op in log if service == "apigateway")
print(f"steady state: {len(api) / 2:.0f} API Gateway calls a minute on average, {most} at most in any "
      f"60 s (budget: --apigateway-per-minute {sys.argv[2]}); all calls: {len(log) / 2:.0f} a minute")
print("  API Gateway calls in the 2 minutes:", dict(sorted(ops.items())))
PY
echo "resident memory after $("$PY" -c "print(round(($(now) - $t0) / 60, 1))") minutes: $(rss) MB"
tmux -L "$SOCK" send-keys -t b q
sleep 1
if [ "$RECORD" = 1 ]; then
  # The recording's parts by kind (src/record/format.rs): what a whole snapshot and a change cost.
  "$PY" - "$WORK/scale.rec" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
at, sizes = 14, {2: [], 3: []}
while at + 8 <= len(data):
    n = struct.unpack_from("<I", data, at)[0]
    kind = data[at + 8]
    sizes.setdefault(kind, []).append(n + 8)
    at += 8 + n
full, delta = sizes[2], sizes[3]
avg = lambda v: sum(v) / max(len(v), 1)
hour = 6 * avg(full) + (60 - 6) * avg(delta)
print(f"recording: {len(data) / 2**20:.2f} MB for {len(full)} whole snapshots ({avg(full) / 2**20:.2f} MB each) "
      f"and {len(delta)} changes ({avg(delta) / 1024:.0f} KB each); an hour at a poll a minute: {hour / 2**20:.1f} MB")
PY
fi

# snapshot --json on the same account: a complete record, so everything is read at once
#    (under the bucket, four per-plan calls in flight); its stats say the time and the calls.
#    With BASELINE_BIN=path (another build of edgetop), the same read by it right after, for a
#    side-by-side: CPU seconds are what a build's optimisation changes, the wall time is mostly
#    the peer's and the bucket's.
"$PY" - "$ENDPOINT" "$RPS" "$BIN" ${BASELINE_BIN:-} <<'PY'
import json, subprocess, sys, tempfile
endpoint, rps, bins = sys.argv[1], sys.argv[2], sys.argv[3:]
for name, bin_ in zip(["this build", "baseline"], bins):
    with tempfile.NamedTemporaryFile("r") as t:
        out = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", t.name, bin_, "--region", "eu-west-1",
                              "--endpoint-url", endpoint, "--apigateway-rps", rps, "snapshot", "--json"],
                             capture_output=True, check=True).stdout
        user, system, rss = t.read().split()
    stats = json.loads(out)["stats"]
    api = sum(n for action, n in stats["aws_calls"].items() if action.startswith("apigateway:"))
    print(f"snapshot --json ({name}): {stats['seconds']:.1f} s, {stats['aws_calls_total']} AWS calls ({api} to "
          f"API Gateway), {float(user) + float(system):.2f} s of CPU, {int(rss) // 1024} MB resident at most")
PY
