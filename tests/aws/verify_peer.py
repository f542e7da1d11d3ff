#!/usr/bin/env python3
"""Checks moto_server.py's added operations, fault injection and call counting with boto3, against a server
seeded by seed.py.   python verify_peer.py --endpoint http://127.0.0.1:PORT --expected OUT.json
Exit status 0 when every check passes."""
import argparse
import datetime as dt
import json
import os
import sys
import time
import urllib.request

for k, v in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
             ("AWS_SESSION_TOKEN", "testing")):
    os.environ.setdefault(k, v)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import botomodels  # noqa: E402

botomodels.force_cloudwatch_protocol("query")  # what edgetop (aws-sdk-cloudwatch 1.99, awsQuery) speaks

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILS.append(what)


def control(endpoint, method, path, body=None):
    req = urllib.request.Request(endpoint + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--expected", required=True)
    a = ap.parse_args()
    E = a.endpoint.rstrip("/")
    exp = json.load(open(a.expected))
    cfg = Config(retries={"total_max_attempts": 1})
    mk = lambda s, r: boto3.client(s, endpoint_url=E, region_name=r, config=cfg)  # noqa
    ag, waf, wafg = mk("apigateway", "eu-west-1"), mk("wafv2", "eu-west-1"), mk("wafv2", "us-east-1")
    cw, cf = mk("cloudwatch", "eu-west-1"), mk("cloudfront", "us-east-1")

    # --- seeded state seen through moto's own operations
    keys = []
    pos = None
    pages = 0
    while True:
        r = ag.get_api_keys(limit=500, **({"position": pos} if pos else {}))
        keys += r["items"]
        pages += 1
        pos = r.get("position")
        if not pos:
            break
    check(len(keys) == exp["api_keys"]["count"] and pages >= 2, f"GetApiKeys: {len(keys)} keys in {pages} pages")
    check(sum(k["enabled"] for k in keys) == exp["api_keys"]["enabled_count"], "enabled key count")
    free = next(p for p in exp["usage_plans"] if p["name"] == "Free tier")
    pk, pos, pages = [], None, 0
    while True:
        r = ag.get_usage_plan_keys(usagePlanId=free["id"], limit=500, **({"position": pos} if pos else {}))
        pk += r["items"]
        pages += 1
        pos = r.get("position")
        if not pos:
            break
    check(len(pk) == free["key_count"] and pages >= 2, f"GetUsagePlanKeys Free tier: {len(pk)} in {pages} pages")
    api = next(x for x in exp["apis"] if x["name"] == "payments-api")
    stages = {s["stageName"]: s for s in ag.get_stages(restApiId=api["id"])["item"]}
    ms = stages["prod"]["methodSettings"]
    check(ms["*/*"]["throttlingRateLimit"] == 500.0 and ms["charges/POST"]["throttlingBurstLimit"] == 100,
          "payments-api prod methodSettings */* and charges/POST")

    # --- GetUsage
    today = dt.datetime.now(dt.timezone.utc).date()
    first = today.replace(day=1)
    acme = exp["api_keys"]["by_name"]["acme-logistics"]
    partner = next(p for p in exp["usage_plans"] if p["name"] == "Partner tier")
    u = ag.get_usage(usagePlanId=partner["id"], startDate=first.isoformat(), endDate=today.isoformat(),
                     keyId=acme["id"])
    days = (today - first).days + 1
    check(list(u["items"]) == [acme["id"]] and len(u["items"][acme["id"]]) == days
          and u["items"][acme["id"]][-1] == [acme["used_today"], acme["remaining"]],
          f"GetUsage keyId=acme: {u['items'][acme['id']][-1]}")
    seen, pos, pages = set(), None, 0
    while True:
        r = ag.get_usage(usagePlanId=free["id"], startDate=today.isoformat(), endDate=today.isoformat(),
                         limit=200, **({"position": pos} if pos else {}))
        seen |= set(r["items"])
        pages += 1
        pos = r.get("position")
        if not pos:
            break
    check(len(seen) == free["key_count"] and pages == -(-free["key_count"] // 200), f"GetUsage paging: {pages} pages")
    try:
        ag.get_usage(usagePlanId="nope", startDate="2024-01-01", endDate="2024-01-02")
        check(False, "GetUsage unknown plan -> NotFoundException")
    except ClientError as e:
        check(e.response["Error"]["Code"] == "NotFoundException", "GetUsage unknown plan -> NotFoundException")

    # --- WAF
    acls = {x["name"]: x for x in exp["web_acls"]}
    reg, cfa = acls["edge-regional"], acls["edge-cloudfront"]
    now = dt.datetime.now(dt.timezone.utc)
    win = {"StartTime": now - dt.timedelta(hours=1, minutes=1), "EndTime": now}
    total = 0
    for rule in [r["name"] for r in reg["rules"]] + ["Default_Action"]:
        r = waf.get_sampled_requests(WebAclArn=reg["arn"], RuleMetricName=rule, Scope="REGIONAL", TimeWindow=win,
                                     MaxItems=500)
        total += len(r["SampledRequests"])
    check(total == exp["samples"]["edge-regional"], f"GetSampledRequests per rule sums to {total}")
    r = waf.get_sampled_requests(WebAclArn=reg["arn"], RuleMetricName="edge-regional", Scope="REGIONAL",
                                 TimeWindow=win, MaxItems=10)
    s0 = r["SampledRequests"][0]
    check(len(r["SampledRequests"]) == 10 and r["PopulationSize"] == exp["samples"]["edge-regional"]
          and isinstance(s0["Timestamp"], dt.datetime) and s0["Request"]["Headers"],
          "GetSampledRequests ACL metric name, MaxItems 10, PopulationSize, Timestamp parsed")
    allr = waf.get_sampled_requests(WebAclArn=reg["arn"], RuleMetricName="edge-regional", Scope="REGIONAL",
                                    TimeWindow=win, MaxItems=500)["SampledRequests"]
    strings = []

    def walk(x):
        if isinstance(x, dict):
            for y in x.values():
                walk(y)
        elif isinstance(x, list):
            for y in x:
                walk(y)
        elif isinstance(x, str):
            strings.append(x)
    walk(allr)
    blob = "\n".join(strings)
    for needle in ("\u001b[2J", "\u001b]52;c;", "\u009b31m", "\u202e", "A" * 4000):
        check(needle in blob, f"hostile string {needle[:8]!r} survives the round trip")
    r = wafg.get_sampled_requests(WebAclArn=cfa["arn"], RuleMetricName="GeoBlockSanctioned", Scope="CLOUDFRONT",
                                  TimeWindow=win, MaxItems=500)
    check(r["SampledRequests"] and all(s["Action"] == "BLOCK" for s in r["SampledRequests"]),
          f"CLOUDFRONT GeoBlockSanctioned samples: {len(r['SampledRequests'])}")
    r = waf.get_sampled_requests(WebAclArn=reg["arn"], RuleMetricName="Default_Action", Scope="REGIONAL",
                                 TimeWindow={"StartTime": now - dt.timedelta(hours=3),
                                             "EndTime": now - dt.timedelta(hours=2)}, MaxItems=100)
    check(r["SampledRequests"] == [] and r["PopulationSize"] == 0, "time window outside the samples -> empty")
    mk_ = waf.get_rate_based_statement_managed_keys(Scope="REGIONAL", WebACLName="edge-regional",
                                                    WebACLId=reg["id"], RuleName="LoginRateLimit")
    want = exp["rate_limited"]["edge-regional/LoginRateLimit"]
    got = [x.split("/")[0] for x in mk_["ManagedKeysIPV4"]["Addresses"] + mk_["ManagedKeysIPV6"]["Addresses"]]
    check(got == want and mk_["ManagedKeysIPV4"]["Addresses"][0].endswith("/32"), f"managed keys {got}")
    try:
        waf.get_rate_based_statement_managed_keys(Scope="REGIONAL", WebACLName="edge-regional", WebACLId="x",
                                                  RuleName="LoginRateLimit")
        check(False, "managed keys unknown ACL -> WAFNonexistentItemException")
    except ClientError as e:
        check(e.response["Error"]["Code"] == "WAFNonexistentItemException",
              "managed keys unknown ACL -> WAFNonexistentItemException")
    res = waf.list_resources_for_web_acl(WebACLArn=reg["arn"], ResourceType="API_GATEWAY")["ResourceArns"]
    want = sorted(s["arn"] for x in exp["apis"] for s in x["stages"])
    check(sorted(res) == want, f"ListResourcesForWebACL API_GATEWAY: {len(res)} stage ARNs")

    # --- CloudWatch (awsQuery) sums match OUT.json
    m = exp["metrics"]
    start = dt.datetime.fromisoformat(m["window"]["start"].replace("Z", "+00:00"))
    end = dt.datetime.fromisoformat(m["window"]["end"].replace("Z", "+00:00")) + dt.timedelta(minutes=1)
    q = [{"Id": "c", "MetricStat": {"Metric": {"Namespace": "AWS/ApiGateway", "MetricName": "Count",
                                               "Dimensions": [{"Name": "ApiName", "Value": "payments-api"},
                                                              {"Name": "Stage", "Value": "prod"}]},
                                    "Period": 3600, "Stat": "Sum"}},
         {"Id": "b", "MetricStat": {"Metric": {"Namespace": "AWS/WAFV2", "MetricName": "BlockedRequests",
                                               "Dimensions": [{"Name": "Region", "Value": "eu-west-1"},
                                                              {"Name": "Rule", "Value": "ALL"},
                                                              {"Name": "WebACL", "Value": "edge-regional"}]},
                                    "Period": 60, "Stat": "Sum"}}]
    r = cw.get_metric_data(MetricDataQueries=q, StartTime=start, EndTime=end)
    res = {x["Id"]: x for x in r["MetricDataResults"]}
    check(sum(res["c"]["Values"]) == m["stages"]["payments-api/prod"]["count_sum"],
          f"GetMetricData Count sum {sum(res['c']['Values'])}")
    check(sum(res["b"]["Values"]) == m["acls"]["edge-regional"]["blocked_sum"],
          f"GetMetricData WAF blocked sum {sum(res['b']['Values'])} over {len(res['b']['Values'])} points")
    lm = cw.list_metrics(Namespace="AWS/WAFV2")["Metrics"]
    uniq = {json.dumps(x, sort_keys=True) for x in lm}
    print(f"info ListMetrics AWS/WAFV2 first page: {len(lm)} entries, {len(uniq)} distinct")

    # --- faults and call counts
    control(E, "POST", "/_edgetop/calls/reset")
    cases = [
        ("GetMetricData", "Throttling", lambda: cw.get_metric_data(MetricDataQueries=q, StartTime=start, EndTime=end)),
        ("ListMetrics", "AccessDenied", lambda: cw.list_metrics()),
        ("GetSampledRequests", "ThrottlingException",
         lambda: waf.get_sampled_requests(WebAclArn=reg["arn"], RuleMetricName="x", Scope="REGIONAL",
                                          TimeWindow=win, MaxItems=1)),
        ("GetWebACL", "AccessDeniedException",
         lambda: waf.get_web_acl(Name="edge-regional", Scope="REGIONAL", Id=reg["id"])),
        ("ListWebACLs", "WAFInternalErrorException", lambda: wafg.list_web_acls(Scope="CLOUDFRONT")),
        ("GetRestApis", "ThrottlingException", lambda: ag.get_rest_apis()),
        ("GetUsagePlans", "AccessDeniedException", lambda: ag.get_usage_plans()),
        ("GetApiKeys", "InternalFailure", lambda: ag.get_api_keys()),
        ("GetUsage", "TooManyRequestsException",
         lambda: ag.get_usage(usagePlanId=free["id"], startDate="2024-01-01", endDate="2024-01-01")),
        ("ListDistributions", "AccessDenied", lambda: cf.list_distributions()),
        ("GetMetricData", "InternalFailure", lambda: cw.get_metric_data(MetricDataQueries=q, StartTime=start,
                                                                         EndTime=end)),
    ]
    for op, code, fn in cases:
        control(E, "POST", "/_edgetop/faults", {"operation": op, "error": code, "count": 1})
        try:
            fn()
            check(False, f"{op}: fault {code} raised")
        except ClientError as e:
            status = e.response["ResponseMetadata"]["HTTPStatusCode"]
            want = 500 if code in ("InternalFailure", "WAFInternalErrorException") else 400
            check(e.response["Error"]["Code"] == code and status == want,
                  f"{op}: ClientError {e.response['Error']['Code']} HTTP {status}")
        try:
            fn()
            check(True, f"{op}: next call succeeds (count 1 used up)")
        except ClientError as e:
            check(False, f"{op}: next call succeeds, got {e}")
    control(E, "POST", "/_edgetop/faults", {"operation": "GetRestApis", "error": "ThrottlingException", "count": -1})
    n_err = 0
    for _ in range(3):
        try:
            ag.get_rest_apis()
        except ClientError:
            n_err += 1
    control(E, "DELETE", "/_edgetop/faults")
    ag.get_rest_apis()
    check(n_err == 3, "count -1 fails until DELETE /_edgetop/faults")
    calls = control(E, "GET", "/_edgetop/calls")
    check(calls.get("GetRestApis") == 6 and calls.get("GetMetricData") == 4 and calls.get("ListDistributions") == 2
          and calls.get("GetUsage") == 2 and calls.get("GetSampledRequests") == 2,
          f"call counts {calls}")
    control(E, "POST", "/_edgetop/calls/reset")
    check(control(E, "GET", "/_edgetop/calls") == {}, "calls reset")
    print(f"{len(FAILS)} failure(s)")
    return 1 if FAILS else 0


if __name__ == "__main__":
    t = time.monotonic()
    rc = main()
    print(f"verified in {time.monotonic() - t:.1f} s")
    sys.exit(rc)
