#!/usr/bin/env python3
"""Prints, as one JSON object, the account state edgetop's operator actions (rotate an API key, toggle a WAF rule)
change, read through boto3 from the peer (tests/aws/moto_server.py):

    python state.py --endpoint http://127.0.0.1:PORT

{"keys": {"<keyId>": {"name", "enabled", "value", "plans": ["<usagePlanId>", ...], "description"}},
 "distributions": {"<distId>": {"status", "etag", "headers": {"<origin header, lowercased>": "<value>"},
                                "key_ids": {"<header>": "<id of the API key whose value the header sends, or null>"}}},
 "web_acls": {"<scope>/<name>": {"lock_token", "rules": {"<rule>": {"action": "Block"|"Count"|...|null,
                                 "limit", "window": a rate-based rule's (else null), "ip_set": the ARN it references,
                                 "action_detail": the Action as GetWebACL gives it, "excluded": [ExcludedRules names],
                                 "override": "None"|"Count"|null, "inner_overrides": {"<inner rule>": "Count"}}}}},
 "ip_sets": {"<scope>/<name>": {"addresses": [sorted], "description", "lock_token"}}}

API Gateway and REGIONAL WAF in eu-west-1 (or --region), CloudFront and CLOUDFRONT WAF in us-east-1; every list is paged.
A distribution's status comes from ListDistributions and its ETag from GetDistributionConfig, so reading the
state uses none of the GetDistribution polls of the peer's deployment delay (but its calls are counted in
/_edgetop/calls). Headers are those of all the distribution's origins. Needs IAM enforcement off, or
credentials allowed to read all of that.
"""
import argparse
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

for k, v in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
             ("AWS_SESSION_TOKEN", "testing"), ("AWS_DEFAULT_REGION", "eu-west-1")):
    os.environ.setdefault(k, v)
os.environ.pop("AWS_PROFILE", None)

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

REGION = "eu-west-1"
GLOBAL = "us-east-1"


def paged(call, items, token_in, token_out, **kwargs):
    """All items of a paged list operation."""
    out, token = [], None
    while True:
        r = call(**kwargs, **({token_in: token} if token else {}))
        out += items(r)
        token = token_out(r)
        if not token:
            return out


def only_key(d):
    """The name of the single member of an action union such as {"Block": {}}, or None."""
    return next(iter(d), None) if d else None


class State:
    def __init__(self, endpoint, region=REGION):
        session = boto3.session.Session()
        cfg = Config(retries={"total_max_attempts": 1}, max_pool_connections=16)
        mk = lambda svc, region: session.client(svc, endpoint_url=endpoint, region_name=region, config=cfg)  # noqa
        self.apigw = mk("apigateway", region)
        self.waf = {"REGIONAL": mk("wafv2", region), "CLOUDFRONT": mk("wafv2", GLOBAL)}
        self.cf = mk("cloudfront", GLOBAL)

    def keys(self):
        keys = paged(self.apigw.get_api_keys, lambda r: r.get("items", []), "position", lambda r: r.get("position"),
                     includeValues=True, limit=500)
        plans = paged(self.apigw.get_usage_plans, lambda r: r.get("items", []), "position",
                      lambda r: r.get("position"), limit=500)
        with ThreadPoolExecutor(max_workers=8) as pool:
            members = list(pool.map(lambda p: paged(self.apigw.get_usage_plan_keys, lambda r: r.get("items", []),
                                                    "position", lambda r: r.get("position"),
                                                    usagePlanId=p["id"], limit=500), plans))
        plans_of = {}
        for plan, plan_keys in zip(plans, members):
            for k in plan_keys:
                plans_of.setdefault(k["id"], []).append(plan["id"])
        return {k["id"]: {"name": k.get("name"), "enabled": k.get("enabled", False), "value": k.get("value"),
                          "plans": sorted(plans_of.get(k["id"], [])), "description": k.get("description")}
                for k in keys}

    def distributions(self):
        summaries = paged(self.cf.list_distributions,
                          lambda r: r["DistributionList"].get("Items", []), "Marker",
                          lambda r: r["DistributionList"].get("NextMarker")
                          if r["DistributionList"].get("IsTruncated") else None)
        with ThreadPoolExecutor(max_workers=8) as pool:
            etags = list(pool.map(lambda d: self.cf.get_distribution_config(Id=d["Id"])["ETag"], summaries))
        out = {}
        for d, etag in zip(summaries, etags):
            headers = {}
            for origin in d.get("Origins", {}).get("Items", []):
                for h in origin.get("CustomHeaders", {}).get("Items", []):
                    headers[h["HeaderName"].lower()] = h["HeaderValue"]
            out[d["Id"]] = {"status": d.get("Status"), "etag": etag, "headers": headers}
        return out

    def web_acls(self, scope):
        waf = self.waf[scope]
        summaries = paged(waf.list_web_acls, lambda r: r.get("WebACLs", []), "NextMarker",
                          lambda r: r.get("NextMarker"), Scope=scope, Limit=100)
        out = {}
        for s in summaries:
            r = waf.get_web_acl(Name=s["Name"], Scope=scope, Id=s["Id"])
            rules = {}
            for rule in r["WebACL"].get("Rules", []):
                group = rule.get("Statement", {}).get("ManagedRuleGroupStatement", {})
                rate = rule.get("Statement", {}).get("RateBasedStatement", {})
                ip_set = rule.get("Statement", {}).get("IPSetReferenceStatement", {})
                rules[rule["Name"]] = {
                    "limit": rate.get("Limit"),
                    "window": rate.get("EvaluationWindowSec"),
                    "ip_set": ip_set.get("ARN"),
                    "action": only_key(rule.get("Action")),
                    "action_detail": rule.get("Action"),
                    "excluded": [e["Name"] for e in group.get("ExcludedRules", [])],
                    "override": only_key(rule.get("OverrideAction")),
                    "inner_overrides": {o["Name"]: only_key(o.get("ActionToUse"))
                                        for o in group.get("RuleActionOverrides", [])}}
            out[f"{scope}/{s['Name']}"] = {"lock_token": r["LockToken"], "rules": rules}
        return out

    def ip_sets(self, scope):
        waf = self.waf[scope]
        summaries = paged(waf.list_ip_sets, lambda r: r.get("IPSets", []), "NextMarker",
                          lambda r: r.get("NextMarker"), Scope=scope, Limit=100)
        out = {}
        for s in summaries:
            r = waf.get_ip_set(Name=s["Name"], Scope=scope, Id=s["Id"])
            out[f"{scope}/{s['Name']}"] = {"addresses": sorted(r["IPSet"]["Addresses"]),
                                           "description": r["IPSet"].get("Description"),
                                           "lock_token": r["LockToken"]}
        return out

    def read(self):
        with ThreadPoolExecutor(max_workers=4) as pool:
            keys = pool.submit(self.keys)
            dists = pool.submit(self.distributions)
            acls = [pool.submit(self.web_acls, scope) for scope in ("REGIONAL", "CLOUDFRONT")]
            sets = [pool.submit(self.ip_sets, scope) for scope in ("REGIONAL", "CLOUDFRONT")]
            keys, dists = keys.result(), dists.result()
            web_acls = {k: v for f in acls for k, v in f.result().items()}
            ip_sets = {k: v for f in sets for k, v in f.result().items()}
        by_value = {k["value"]: kid for kid, k in keys.items() if k["value"]}
        for d in dists.values():
            d["key_ids"] = {h: by_value.get(v) for h, v in d["headers"].items()}
        return {"keys": keys, "distributions": dists, "web_acls": web_acls, "ip_sets": ip_sets}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--region", default=REGION)
    args = ap.parse_args()
    json.dump(State(args.endpoint.rstrip("/"), args.region).read(), sys.stdout, sort_keys=True)
    print()


if __name__ == "__main__":
    sys.exit(main())
