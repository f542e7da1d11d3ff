#!/usr/bin/env bash
# Many accounts and regions, on one moto server: ACCOUNTS accounts (default 10) × REGIONS (default
# three) of the small seeded account (KEYS keys each; CloudFront and the CLOUDFRONT web ACL in each
# account's first region only). The first account is the seeder's; the others are reached, as an
# operator reaches them, through profiles that assume a role in them.
#  1. time to a complete `edgetop snapshot --json` of every place, against one place alone in
#     the same run (a ratio); edgetop's own CPU time and peak resident memory (GNU time); and
#     the calls a second the peer answered, which bounds the wall time here (one Python process);
#  2. the dashboard: seconds until the first figures are on screen, then POLL_SECONDS of polling
#     every 60 s (the default): API Gateway calls per place per minute after the first two minutes (the peer's log,
#     by access key and region), against the budget of each (--apigateway-per-minute, 60 by
#     default; AWS allows 600 a minute per account and region). POLL_SECONDS=0 skips it;
#  3. cross-account observability: the first account made the monitoring account of the others in
#     every region, the snapshot of 1. again, against 1.'s (GetMetricData calls, time, CPU).
set -euo pipefail
cd "$(dirname "$0")/.."
ACCOUNTS=${ACCOUNTS:-10}
REGIONS=${REGIONS:-eu-west-1,us-east-1,eu-central-1}
KEYS=${KEYS:-30}
POLL_SECONDS=${POLL_SECONDS:-300}
PY="$(scripts/moto-env.sh | tail -n 1)"
cargo build --release --quiet
BIN=$(cargo metadata --format-version 1 --no-deps | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/edgetop
WORK=$(mktemp -d)
SOCK=edgetop-bench-places-$$
trap 'kill $MOTO 2>/dev/null || true; tmux -L $SOCK kill-server 2>/dev/null || true' EXIT

"$PY" tests/aws/moto_server.py --port 0 --extras "$WORK/extras.json" > "$WORK/port" 2> "$WORK/moto.log" &
MOTO=$!
for _ in $(seq 100); do grep -q PORT= "$WORK/port" 2>/dev/null && break; sleep 0.1; done
ENDPOINT="http://127.0.0.1:$(sed -n 's/PORT=//p' "$WORK/port")"

# Profiles: a1 signs with the seeder's keys; aK assumes a role in account 2000000000K.
account_of() { if [ "$1" = 1 ]; then echo 123456789012; else printf '%012d' $((200000000000 + $1)); fi; }
{
  echo "[profile a1]"; echo "region = eu-west-1"
  for k in $(seq 2 "$ACCOUNTS"); do
    echo "[profile a$k]"; echo "role_arn = arn:aws:iam::$(account_of "$k"):role/edgetop-reader"
    echo "source_profile = a1"; echo "region = eu-west-1"
  done
} > "$WORK/config"
printf '[a1]\naws_access_key_id = testing\naws_secret_access_key = testing\n' > "$WORK/credentials"

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing AWS_EC2_METADATA_DISABLED=true
IFS=, read -r -a REGION_LIST <<< "$REGIONS"
seed_started=$(date +%s)
for k in $(seq 1 "$ACCOUNTS"); do
  for j in "${!REGION_LIST[@]}"; do
    args=(--region "${REGION_LIST[$j]}" --merge-extras --keys "$KEYS")
    [ "$k" -gt 1 ] && args+=(--role-arn "arn:aws:iam::$(account_of "$k"):role/edgetop-reader")
    [ "$j" -gt 0 ] && args+=(--no-global)
    "$PY" tests/aws/seed.py --endpoint "$ENDPOINT" --extras "$WORK/extras.json" \
      --expected "$WORK/expected-$k-$j.json" "${args[@]}" 2> /dev/null
  done
done
PLACES=$((ACCOUNTS * ${#REGION_LIST[@]}))
PROFILES=$(seq -s, -f 'a%g' 1 "$ACCOUNTS")
echo "seeded $ACCOUNTS accounts × ${#REGION_LIST[@]} regions ($PLACES places, $KEYS keys each) in $(( $(date +%s) - seed_started )) s"

# Through the profiles only: no credentials of edgetop's own, every call to the peer.
run_env=(env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN
  AWS_CONFIG_FILE="$WORK/config" AWS_SHARED_CREDENTIALS_FILE="$WORK/credentials"
  AWS_ENDPOINT_URL="$ENDPOINT" XDG_STATE_HOME="$WORK/state")
snap() { # $1: name; the rest: edgetop's options
  local name=$1; shift
  "${run_env[@]}" /usr/bin/time -f '%M %U %S' -o "$WORK/$name.rss" "$BIN" snapshot --json --no-logs \
    --endpoint-url "$ENDPOINT" --log-file "$WORK/$name.log" "$@" > "$WORK/$name.json" 2> "$WORK/$name.err"
}
# Alternately, twice each on the warm server; the fastest of each.
for run in 1 2; do
  snap "one-$run" --profile a1 --region eu-west-1
  snap "all-$run" --profile "$PROFILES" --region "$REGIONS"
done
"$PY" - "$WORK" "$PLACES" <<'PY'
import json, sys
work, places = sys.argv[1], int(sys.argv[2])
def best(name):
    runs = []
    for r in (1, 2):
        stats = json.load(open(f"{work}/{name}-{r}.json"))["stats"]
        rss, user, system = open(f"{work}/{name}-{r}.rss").read().split()[-3:]
        runs.append((stats["seconds"], stats["aws_calls_total"], int(rss), float(user) + float(system)))
    return min(runs)
one, every = best("one"), best("all")
snap = json.load(open(f"{work}/all-1.json"))["snapshot"]
failed = [p["label"] for p in snap["places"] if p["failed"]]
assert len(snap["places"]) == places and not failed, (len(snap["places"]), failed)
for name in ("one-1", "one-2", "all-1", "all-2"):
    problems = json.load(open(f"{work}/{name}.json"))["snapshot"]["problems"]
    assert not problems, f"{name}: {problems[:3]}"
for label, r in (("one place", one), (f"{places} places", every)):
    print(f"{label:10}: {r[0]:6.2f} s, {r[1]:5d} AWS calls ({r[1] / r[0]:5.1f} a second), "
          f"edgetop CPU {r[3]:5.2f} s, peak RSS {r[2] / 1024:6.1f} MiB")
print(f"{places} places / one: {every[0] / one[0]:.2f}x the time, {every[1] / one[1]:.1f}x the calls, "
      f"{every[3] / one[3]:.2f}x the CPU, {every[2] / one[2]:.2f}x the memory "
      f"({len(snap['api_keys'])} keys, {len(snap['web_acls'])} web ACLs)")
PY

# The dashboard, polling every 60 s (POLL_SECONDS=0 skips it); then the peer's log of API Gateway
# calls, per place.
dashboard() {
curl -s -X POST "$ENDPOINT/_edgetop/calls/reset" > /dev/null
tmux -L "$SOCK" -f /dev/null new-session -d -s b -x 160 -y 48
tmux -L "$SOCK" respawn-pane -k -t b "exec ${run_env[*]} LANG=C.UTF-8 $BIN --profile $PROFILES --region $REGIONS --endpoint-url $ENDPOINT --no-logs --refresh 60 --log-file $WORK/dash.log"
started=$("$PY" -c 'import time; print(time.time())')
# The first figures: the header shows when the data on screen was read.
for _ in $(seq 1500); do tmux -L "$SOCK" capture-pane -p -t b | grep -q 'data at' && break; sleep 0.2; done
first=$("$PY" -c "import time; print(f'{time.time() - $started:.1f}')")
echo "dashboard: first figures on screen after $first s (the Overview, as places arrive)"
sleep "$POLL_SECONDS"
pid=$(tmux -L "$SOCK" display-message -p -t b '#{pane_pid}')
echo "dashboard: resident memory after $POLL_SECONDS s of polling $(( $(ps -o rss= -p "$pid") / 1024 )) MiB"
tmux -L "$SOCK" send-keys -t b q
sleep 2
curl -s "$ENDPOINT/_edgetop/place-log" > "$WORK/place-log.json"
"$PY" - "$WORK/place-log.json" "$started" "$POLL_SECONDS" "$PLACES" <<'PY'
import json, sys
from collections import Counter
log, started, span, places = json.load(open(sys.argv[1])), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
# The first two minutes hold discovery and the first read; the rest is polling as it goes on.
settle = 120
end = max(t for t, *_ in log)
api = [(t, key, region) for t, service, op, region, key in log if service == "apigateway"]
first = Counter((k, r) for t, k, r in api if t < started + settle)
minutes = (end - started - settle) / 60
per_place = Counter((k, r) for t, k, r in api if t >= started + settle)
assert len(first) == places, f"{len(first)} places called API Gateway in the first two minutes, not {places}"
rates = sorted(per_place.get(p, 0) / minutes for p in first)
print(f"API Gateway calls per place: {min(first.values())}–{max(first.values())} in the first {settle} s "
      f"(discovery and the first read); then {min(rates):.1f}–{max(rates):.1f} a minute over {minutes:.1f} min, "
      f"against a budget of 60 a minute each (AWS allows 600)")
later = [1 for t, *_ in log if t >= started + settle]
print(f"all AWS calls per place per minute then: {len(later) / minutes / places:.1f}")
PY
}
[ "$POLL_SECONDS" -gt 0 ] && dashboard

# 3. Cross-account observability: the first account monitors the others, in every region (a sink
#    each, whose policy lets them link; a link from each other account sharing its metrics). The
#    same snapshot again: the places' series in one GetMetricData per region (as many as 500
#    queries allow), against the snapshots above, where each place read its own.
"$PY" - "$ENDPOINT" "$ACCOUNTS" "$REGIONS" <<'PY'
import json, sys
import boto3
endpoint, accounts, regions = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
others = [f"{200000000000 + k:012d}" for k in range(2, accounts + 1)]
mk = lambda svc, region, **creds: boto3.client(svc, endpoint_url=endpoint, region_name=region, **creds)
roles = {}
for a in others:
    c = mk("sts", "eu-west-1").assume_role(RoleArn=f"arn:aws:iam::{a}:role/edgetop-reader",
                                            RoleSessionName="bench")["Credentials"]
    roles[a] = {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
                "aws_session_token": c["SessionToken"]}
for region in regions:
    oam = mk("oam", region)
    sink = oam.create_sink(Name="monitoring")["Arn"]
    oam.put_sink_policy(SinkIdentifier=sink, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": others}, "Resource": "*",
        "Action": ["oam:CreateLink", "oam:UpdateLink"]}]}))
    for a in others:
        mk("oam", region, **roles[a]).create_link(LabelTemplate="$AccountName", SinkIdentifier=sink,
                                                  ResourceTypes=["AWS::CloudWatch::Metric"])
print(f"linked {len(others)} accounts to the first one's sinks in {len(regions)} regions")
PY
for run in 1 2; do snap "observed-$run" --profile "$PROFILES" --region "$REGIONS"; done
"$PY" - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
def best(name):
    runs = []
    for r in (1, 2):
        out = json.load(open(f"{work}/{name}-{r}.json"))
        stats, snap = out["stats"], out["snapshot"]
        assert not snap["problems"], f"{name}: {snap['problems'][:3]}"
        through = sum(1 for p in snap["places"] if p.get("metrics_through") is not None)
        rss, user, system = open(f"{work}/{name}-{r}.rss").read().split()[-3:]
        runs.append((stats["seconds"], stats["aws_calls"].get("cloudwatch:GetMetricData", 0),
                     stats["aws_calls"].get("cloudwatch:ListMetrics", 0), float(user) + float(system), through))
    return min(runs)
own, observed = best("all"), best("observed")
for label, r in (("each its own", own), ("observed", observed)):
    print(f"{label:13}: {r[0]:6.2f} s, GetMetricData {r[1]:3d}, ListMetrics {r[2]:3d}, edgetop CPU {r[3]:5.2f} s, "
          f"{r[4]} places read through the monitoring account")
print(f"observed / own: {observed[1] / own[1]:.2f}x the GetMetricData calls, {observed[0] / own[0]:.2f}x the time")
PY
