#!/usr/bin/env bash
# Benchmark baseline: "an operator with the aws CLI" collects what edgetop shows on one screen, one read call
# at a time, against ENDPOINT (a tests/aws/moto_server.py seeded by tests/aws/seed.py, or anything speaking
# the AWS protocols). Uses the aws CLI v1 installed by scripts/moto-env.sh in the moto venv.
# Prints, at the end, the number of CLI invocations, the number of HTTP calls the server saw (when ENDPOINT
# is moto_server.py: the CLI follows pagination on its own), and the elapsed seconds.
#
#   scripts/aws-cli-snapshot.sh http://127.0.0.1:PORT [REGION]      (output of each call: $SNAP_OUT or a tmp dir)
set -euo pipefail
cd "$(dirname "$0")/.."

ENDPOINT="${1:?usage: aws-cli-snapshot.sh ENDPOINT [REGION]}"
REGION="${2:-eu-west-1}"
PY="$(scripts/moto-env.sh | tail -n 1)"
AWS="$(dirname "$PY")/aws"
OUT="${SNAP_OUT:-$(mktemp -d)}"
mkdir -p "$OUT"

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing
export AWS_DEFAULT_REGION="$REGION" AWS_PAGER="" AWS_MAX_ATTEMPTS=1
unset AWS_PROFILE
# CloudWatch in awsQuery, like edgetop (moto does not speak the rpcv2Cbor botocore would pick).
AWS_DATA_PATH="$("$PY" tests/aws/botomodels.py query)"
export AWS_DATA_PATH

calls=0
LAST=""
aws_() { # aws_ NAME args... : one CLI invocation, output saved as $OUT/NNNN-NAME.json, path left in $LAST
  local name="$1"; shift
  calls=$((calls + 1))
  LAST="$OUT/$(printf %04d $calls)-$name.json"
  "$AWS" --endpoint-url "$ENDPOINT" --output json "$@" >"$LAST"
}
# jp FILTER: reads JSON on stdin, prints one line per result of a Python expression over `d`.
jp() { "$PY" -c "import json,sys; d=json.load(sys.stdin); [print(x) for x in ($1)]"; }

server_calls() { "$PY" -c "import json,sys,urllib.request
try: print(sum(json.load(urllib.request.urlopen(sys.argv[1] + '/_edgetop/calls', timeout=2)).values()))
except Exception: print('')" "$ENDPOINT"; }
before="$(server_calls)"
start=$(date +%s.%N)

# --- API Gateway
aws_ get-rest-apis apigateway get-rest-apis --page-size 500
apis="$(jp "[a['id'] + ' ' + a['name'] for a in d.get('items', [])]" <"$LAST")"
while read -r id name; do
  [ -n "$id" ] || continue
  aws_ "get-stages-$name" apigateway get-stages --rest-api-id "$id"
done <<<"$apis"
aws_ get-usage-plans apigateway get-usage-plans --page-size 500
plans="$(jp "[p['id'] for p in d.get('items', [])]" <"$LAST")"
aws_ get-api-keys apigateway get-api-keys --page-size 500
today="$(date -u +%F)"
month_start="$(date -u +%Y-%m-01)"
for p in $plans; do
  aws_ "get-usage-plan-keys-$p" apigateway get-usage-plan-keys --usage-plan-id "$p" --page-size 500
  # (the CLI cannot merge the pages of GetUsage's map: one page of up to 500 keys per call, as an operator would)
  aws_ "get-usage-$p" apigateway get-usage --usage-plan-id "$p" --start-date "$month_start" --end-date "$today" \
    --page-size 500
done

# --- WAF
now="$(date -u +%s)"
aws_ list-web-acls-regional wafv2 list-web-acls --scope REGIONAL
acls_regional="$(jp "[a['Name'] + ' ' + a['Id'] + ' ' + a['ARN'] for a in d.get('WebACLs', [])]" <"$LAST")"
aws_ list-web-acls-cloudfront wafv2 list-web-acls --scope CLOUDFRONT --region us-east-1
acls_cf="$(jp "[a['Name'] + ' ' + a['Id'] + ' ' + a['ARN'] for a in d.get('WebACLs', [])]" <"$LAST")"
for scope in REGIONAL CLOUDFRONT; do
  if [ "$scope" = REGIONAL ]; then list="$acls_regional"; r="$REGION"; else list="$acls_cf"; r=us-east-1; fi
  while read -r name id arn; do
    [ -n "$name" ] || continue
    aws_ "get-web-acl-$name" wafv2 get-web-acl --scope "$scope" --region "$r" --name "$name" --id "$id"
    rules="$(jp "[x['VisibilityConfig']['MetricName'] + ' ' + x['Name'] + ' ' + ('rate' if 'RateBasedStatement' in x['Statement'] else '-') for x in d['WebACL']['Rules']]" <"$LAST")"
    while read -r metric rule kind; do
      [ -n "$metric" ] || continue
      aws_ "get-sampled-requests-$name-$rule" wafv2 get-sampled-requests --scope "$scope" --region "$r" \
        --web-acl-arn "$arn" --rule-metric-name "$metric" --max-items 500 \
        --time-window "StartTime=$((now - 3 * 3600 + 60)),EndTime=$now"
      if [ "$kind" = rate ]; then
        aws_ "get-rate-based-statement-managed-keys-$name-$rule" wafv2 get-rate-based-statement-managed-keys \
          --scope "$scope" --region "$r" --web-acl-name "$name" --web-acl-id "$id" --rule-name "$rule"
      fi
    done <<<"$rules"
    aws_ "get-sampled-requests-$name-Default_Action" wafv2 get-sampled-requests --scope "$scope" --region "$r" \
      --web-acl-arn "$arn" --rule-metric-name Default_Action --max-items 500 \
      --time-window "StartTime=$((now - 3 * 3600 + 60)),EndTime=$now"
  done <<<"$list"
done
while read -r id name; do
  [ -n "$id" ] || continue
  for stage in $(jp "[s['stageName'] for s in d.get('item', [])]" <"$(ls "$OUT"/*-get-stages-"$name".json | tail -n 1)"); do
    aws_ "get-web-acl-for-resource-$name-$stage" wafv2 get-web-acl-for-resource \
      --resource-arn "arn:aws:apigateway:$REGION::/restapis/$id/stages/$stage"
  done
done <<<"$apis"

# --- CloudFront
aws_ list-distributions cloudfront list-distributions

# --- CloudWatch: list the metrics, then one get-metric-data per metric, as an operator would.
end_t="$(date -u -d "@$(( now / 60 * 60 ))" +%FT%TZ)"
start_t="$(date -u -d "@$(( now / 60 * 60 - 3600 ))" +%FT%TZ)"
for spec in "AWS/ApiGateway $REGION" "AWS/WAFV2 $REGION" "AWS/WAFV2 us-east-1"; do
  set -- $spec
  ns="$1"; r="$2"
  # moto repeats a metric once per datapoint: keep distinct ones (AWS lists each once).
  aws_ "list-metrics-${ns//\//-}-$r" cloudwatch list-metrics --namespace "$ns" --region "$r"
  metrics="$(jp "sorted({json.dumps({'Namespace': m['Namespace'], 'MetricName': m['MetricName'], 'Dimensions': sorted(m.get('Dimensions', []), key=lambda x: x['Name'])}, sort_keys=True) for m in d.get('Metrics', [])})" <"$LAST")"
  i=0
  while read -r metric; do
    [ -n "$metric" ] || continue
    i=$((i + 1))
    stat=Sum
    case "$metric" in *'"Latency"'*) stat=Average ;; esac
    q="[{\"Id\":\"m$i\",\"MetricStat\":{\"Metric\":$metric,\"Period\":60,\"Stat\":\"$stat\"}}]"
    aws_ "get-metric-data-${ns//\//-}-$r-$i" cloudwatch get-metric-data --region "$r" \
      --metric-data-queries "$q" --start-time "$start_t" --end-time "$end_t"
  done <<<"$metrics"
done

elapsed="$("$PY" -c "import sys; print(round(float(sys.argv[1]) - float(sys.argv[2]), 1))" "$(date +%s.%N)" "$start")"
after="$(server_calls)"
http=""
if [ -n "$before" ] && [ -n "$after" ]; then http=" http_calls=$((after - before))"; fi
echo "aws-cli-snapshot: cli_calls=$calls$http elapsed_seconds=$elapsed outputs=$OUT"
