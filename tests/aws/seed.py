#!/usr/bin/env python3
"""Seeds a believable AWS account into moto (tests/aws/moto_server.py) through real boto3 calls.

    python seed.py --endpoint http://127.0.0.1:PORT --extras FILE --expected OUT.json [--keys 640]
                   [--region R] [--role-arn ARN] [--no-global] [--merge-extras]

Writes FILE (data of the operations moto lacks, served by moto_server.py) and OUT.json (what was seeded, for
the tests to compare edgetop's output with). Region eu-west-1 (or --region); WAF CLOUDFRONT scope and CloudFront in us-east-1 (none with --no-global, for a
second region of an account). --role-arn seeds the account of that role, through STS AssumeRole (moto puts
what such credentials create in the role's account); --merge-extras adds to FILE instead of replacing it.
Deterministic apart from the ids moto generates and the clock (metrics end at the last complete minute,
samples lie in the last hour, usage covers the current UTC month).
"""
import argparse
import datetime as dt
import hashlib
import json
import os
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor

for k, v in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
             ("AWS_SESSION_TOKEN", "testing"), ("AWS_DEFAULT_REGION", "eu-west-1")):
    os.environ.setdefault(k, v)
os.environ.pop("AWS_PROFILE", None)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import botomodels  # noqa: E402

# Only PutMetricData goes to CloudWatch here: awsJson, which moto parses in linear time (awsQuery: quadratic).
botomodels.force_cloudwatch_protocol("json")

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

REGION = "eu-west-1"
GLOBAL = "us-east-1"
ACCOUNT = "123456789012"

# name -> stage -> (rate, burst, {"METHOD /path": (rate, burst)})
APIS = {
    "payments-api": {"prod": (500.0, 1000, {"POST /charges": (50.0, 100)}),
                     "staging": (50.0, 100, {"POST /charges": (5.0, 10)})},
    "catalog-api": {"prod": (2000.0, 4000, {"GET /items": (1500.0, 3000)})},
    "partner-api": {"prod": (200.0, 400, {"POST /orders": (20.0, 40)})},
    "identity-api": {"prod": (300.0, 600, {"POST /token": (30.0, 60)})},
}

PLANS = [
    {"name": "Free tier", "throttle": (10.0, 20), "quota": (10000, "DAY"),
     "stages": ["payments-api/prod", "catalog-api/prod"]},
    {"name": "Partner tier", "throttle": (100.0, 200), "quota": (5000000, "MONTH"),
     "stages": ["payments-api/prod", "partner-api/prod"]},
    {"name": "Internal", "throttle": (1000.0, 2000), "quota": None,
     "stages": ["identity-api/prod", "payments-api/staging", "catalog-api/prod"]},
]

# Tenant plans added by --plans (beyond the three above): client keys spread over them.
TENANTS = []

NAMED_KEYS = {  # name -> plan
    "acme-logistics": "Partner tier",
    "globex-retail": "Partner tier",
    "student-lab": "Free tier",
    "cdn-origin-catalog": "Internal",
}

HOSTILE = {
    "csi_uri": "/search?q=\u001b[2J",
    "osc52_ua": "Mozilla/5.0 \u001b]52;c;ZWNobyBwd25lZA==\u0007",
    "c1_csi": "\u009b31m",
    "bidi_uri": "/files/\u202eexe.txt",
    "long": "A" * 4000,
}


def key_value(name):
    return "edgetop" + hashlib.sha256(name.encode()).hexdigest()[:33]


def cidr(ip):
    return ip + ("/128" if ":" in ip else "/32")


class Seeder:
    def __init__(self, endpoint, n_keys, role_arn=None, with_global=True):
        cfg = Config(retries={"max_attempts": 2, "mode": "standard"}, max_pool_connections=16)
        creds = {}
        if role_arn:
            c = boto3.client("sts", endpoint_url=endpoint, region_name=REGION, config=cfg).assume_role(
                RoleArn=role_arn, RoleSessionName="edgetop-seed")["Credentials"]
            creds = {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
                     "aws_session_token": c["SessionToken"]}
        self.with_global = with_global
        mk = lambda svc, region: boto3.client(svc, endpoint_url=endpoint, region_name=region, config=cfg,  # noqa
                                              **creds)
        self.mk = mk  # clients as this account, for the seeders beside this file
        self.apigw = mk("apigateway", REGION)
        self.waf = mk("wafv2", REGION)
        self.waf_cf = mk("wafv2", GLOBAL)
        self.cw = mk("cloudwatch", REGION)
        self.cw_cf = mk("cloudwatch", GLOBAL)
        self.cf = mk("cloudfront", GLOBAL)
        self.shield = mk("shield", GLOBAL)
        self.apigwv2 = mk("apigatewayv2", REGION)
        self.n_keys = n_keys
        self.now = dt.datetime.now(dt.timezone.utc)
        self.out = {"region": REGION, "account_id": ACCOUNT}
        self.extras = {"usage": {}, "sampled_requests": [], "web_acl_metric_names": {}, "managed_keys": [],
                       "resources": {}}
        self.timings = {}

    def timed(self, name, fn):
        t = time.monotonic()
        fn()
        self.timings[name] = round(time.monotonic() - t, 2)

    # ---------------------------------------------------------------- API Gateway
    def seed_apis(self):
        self.apis = {}
        out = []
        for api_name, stages in APIS.items():
            api = self.apigw.create_rest_api(name=api_name, description=f"{api_name} (edgetop seed)",
                                             endpointConfiguration={"types": ["REGIONAL"]})
            api_id = api["id"]
            root = next(r["id"] for r in self.apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
            methods = sorted({m for st in stages.values() for m in st[2]})
            for m in methods:
                verb, path = m.split(" ", 1)
                res = self.apigw.create_resource(restApiId=api_id, parentId=root, pathPart=path.strip("/"))
                self.apigw.put_method(restApiId=api_id, resourceId=res["id"], httpMethod=verb,
                                      authorizationType="NONE", apiKeyRequired=True)
                self.apigw.put_integration(restApiId=api_id, resourceId=res["id"], httpMethod=verb, type="MOCK")
            dep = self.apigw.create_deployment(restApiId=api_id)
            st_out = []
            for stage, (rate, burst, per_method) in stages.items():
                self.apigw.create_stage(restApiId=api_id, stageName=stage, deploymentId=dep["id"])
                ops = [{"op": "replace", "path": "/*/*/throttling/rateLimit", "value": str(rate)},
                       {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": str(burst)}]
                for m, (mr, mb) in per_method.items():
                    verb, path = m.split(" ", 1)
                    key = f"{path.strip('/')}/{verb}"
                    ops += [{"op": "replace", "path": f"/{key}/throttling/rateLimit", "value": str(mr)},
                            {"op": "replace", "path": f"/{key}/throttling/burstLimit", "value": str(mb)}]
                self.apigw.update_stage(restApiId=api_id, stageName=stage, patchOperations=ops)
                st_out.append({"name": stage, "rate_limit": rate, "burst_limit": burst,
                               "method_throttles": {m: [r, b] for m, (r, b) in per_method.items()},
                               "web_acl": "edge-regional",
                               "arn": f"arn:aws:apigateway:{REGION}::/restapis/{api_id}/stages/{stage}"})
            self.apis[api_name] = api_id
            out.append({"id": api_id, "name": api_name,
                        "domain": f"{api_id}.execute-api.{REGION}.amazonaws.com", "stages": st_out})
        self.out["apis"] = out

    def seed_plans_and_keys(self):
        self.plans = {}
        out = []
        for p in PLANS:
            kwargs = {"name": p["name"], "description": f"{p['name']} (edgetop seed)",
                      "throttle": {"rateLimit": p["throttle"][0], "burstLimit": p["throttle"][1]},
                      "apiStages": [{"apiId": self.apis[s.split("/")[0]], "stage": s.split("/")[1]}
                                    for s in p["stages"]]}
            if p["quota"]:
                # Quota set at creation only: a patched limit comes back as a string from moto.
                kwargs["quota"] = {"limit": p["quota"][0], "period": p["quota"][1], "offset": 0}
            plan = self.apigw.create_usage_plan(**kwargs)
            self.plans[p["name"]] = plan["id"]
            out.append({"id": plan["id"], "name": p["name"], "rate_limit": p["throttle"][0],
                        "burst_limit": p["throttle"][1],
                        "quota_limit": p["quota"][0] if p["quota"] else None,
                        "quota_period": p["quota"][1] if p["quota"] else None,
                        "stages": p["stages"], "key_count": 0})
        self.out["usage_plans"] = out

        # Keys: the named ones first, then client-0001...; every 50th client key disabled.
        specs = []
        for name, plan in NAMED_KEYS.items():
            specs.append((name, plan, True))
        for i in range(1, self.n_keys - len(NAMED_KEYS) + 1):
            name = f"client-{i:04d}"
            plan = "Partner tier" if i % 16 == 1 else "Internal" if i % 32 == 2 else "Free tier"
            if TENANTS and plan == "Free tier":
                plan = TENANTS[i % len(TENANTS)]
            specs.append((name, plan, i % 50 != 0))

        def create(spec):
            name, plan, enabled = spec
            k = self.apigw.create_api_key(name=name, enabled=enabled, value=key_value(name),
                                          description=f"{name} (edgetop seed)")
            self.apigw.create_usage_plan_key(usagePlanId=self.plans[plan], keyId=k["id"], keyType="API_KEY")
            return k["id"]

        with ThreadPoolExecutor(max_workers=8) as pool:
            ids = list(pool.map(create, specs))
        self.keys = [{"id": kid, "name": n, "plan": p, "enabled": e, "index": i}
                     for i, (kid, (n, p, e)) in enumerate(zip(ids, specs))]
        for plan in out:
            plan["key_count"] = sum(1 for k in self.keys if k["plan"] == plan["name"])
        self.out["api_keys"] = {"count": len(self.keys), "enabled_count": sum(k["enabled"] for k in self.keys),
                                "by_name": {}}
        self.key_by_name = {k["name"]: k for k in self.keys}

    def seed_usage(self):
        today = self.now.date()
        first = today.replace(day=1)
        days = [first + dt.timedelta(days=d) for d in range((today - first).days + 1)]
        quota = {p["name"]: p["quota"] for p in PLANS}
        for plan_name, plan_id in self.plans.items():
            q = quota[plan_name]
            keys = {}
            for k in (k for k in self.keys if k["plan"] == plan_name):
                per_day, month_used = {}, 0
                for d in days:
                    if not k["enabled"]:
                        used = 0
                    elif k["name"] == "student-lab":
                        used = 9870 if d == today else 4000 + d.day * 50
                    elif k["name"] == "acme-logistics":
                        used = 120000 + d.day * 1000
                    else:
                        used = (k["index"] * 37 + d.day * 11) % 900 + (k["index"] % 7) * 100
                    month_used += used
                    if q is None:
                        remaining = 0
                    elif q[1] == "DAY":
                        remaining = max(0, q[0] - used)
                    else:
                        remaining = max(0, q[0] - month_used)
                    per_day[d.isoformat()] = [used, remaining]
                keys[k["id"]] = per_day
                k["used_today"], k["remaining"] = per_day[today.isoformat()]
            self.extras["usage"][plan_id] = {"default_remaining": 0 if q is None else q[0], "keys": keys}
        for name in NAMED_KEYS:
            k = self.key_by_name[name]
            self.out["api_keys"]["by_name"][name] = {
                "id": k["id"], "enabled": k["enabled"], "plans": [k["plan"]], "used_today": k["used_today"],
                "remaining": k["remaining"], "value": key_value(name)}

    # ---------------------------------------------------------------- WAF
    def seed_waf(self):
        def vis(name):
            return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name}

        ipset = self.waf.create_ip_set(Name="blocked-ips", Scope="REGIONAL", IPAddressVersion="IPV4",
                                       Addresses=["192.0.2.0/24", "198.51.100.200/32"],
                                       Description="known bad sources")["Summary"]
        regional_rules = [
            ("BlockBadIPs", "ip-set", "BLOCK",
             {"IPSetReferenceStatement": {"ARN": ipset["ARN"]}}, {"Block": {}}),
            ("LoginRateLimit", "rate-based", "BLOCK",
             {"RateBasedStatement": {"Limit": 100, "AggregateKeyType": "IP", "ScopeDownStatement": {
                 "ByteMatchStatement": {"SearchString": b"/login", "FieldToMatch": {"UriPath": {}},
                                        "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
                                        "PositionalConstraint": "STARTS_WITH"}}}}, {"Block": {}}),
            ("AWSManagedCommon", "managed", "GROUP",
             {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}},
             None),
            ("GeoScrapers", "geo", "COUNT", {"GeoMatchStatement": {"CountryCodes": ["VN"]}}, {"Count": {}}),
            ("BlockSqlmap", "custom", "BLOCK",
             {"ByteMatchStatement": {"SearchString": b"sqlmap",
                                     "FieldToMatch": {"SingleHeader": {"Name": "user-agent"}},
                                     "TextTransformations": [{"Priority": 0, "Type": "LOWERCASE"}],
                                     "PositionalConstraint": "CONTAINS"}}, {"Block": {}}),
        ]
        cf_rules = [
            ("GeoBlockSanctioned", "geo", "BLOCK",
             {"GeoMatchStatement": {"CountryCodes": ["KP", "IR", "SY", "CU"]}}, {"Block": {}}),
            ("AWSManagedKnownBadInputs", "managed", "COUNT",
             {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesKnownBadInputsRuleSet"}},
             "Count"),
            ("GlobalRateLimit", "rate-based", "BLOCK",
             {"RateBasedStatement": {"Limit": 2000, "AggregateKeyType": "IP"}}, {"Block": {}}),
            ("GeoWatchRuCn", "geo", "COUNT", {"GeoMatchStatement": {"CountryCodes": ["RU", "CN"]}}, {"Count": {}}),
        ]

        def rules_param(rules):
            out = []
            for prio, (name, kind, _, stmt, action) in enumerate(rules):
                r = {"Name": name, "Priority": prio, "Statement": stmt, "VisibilityConfig": vis(name)}
                if kind == "managed":
                    r["OverrideAction"] = {"Count": {}} if action == "Count" else {"None": {}}
                else:
                    r["Action"] = action
                out.append(r)
            return out

        self.acls = {}
        reg = self.waf.create_web_acl(Name="edge-regional", Scope="REGIONAL", DefaultAction={"Allow": {}},
                                      Rules=rules_param(regional_rules), VisibilityConfig=vis("edge-regional"),
                                      Description="regional API edge")["Summary"]
        self.acls["edge-regional"] = {"summary": reg, "scope": "REGIONAL", "rules": regional_rules}
        if self.with_global:
            cf = self.waf_cf.create_web_acl(Name="edge-cloudfront", Scope="CLOUDFRONT", DefaultAction={"Allow": {}},
                                            Rules=rules_param(cf_rules), VisibilityConfig=vis("edge-cloudfront"),
                                            Description="CloudFront edge")["Summary"]
            self.acls["edge-cloudfront"] = {"summary": cf, "scope": "CLOUDFRONT", "rules": cf_rules}
        protects = []
        for api in self.out["apis"]:
            for st in api["stages"]:
                self.waf.associate_web_acl(WebACLArn=reg["ARN"], ResourceArn=st["arn"])
                protects.append(f"{api['name']}/{st['name']}")
        self.extras["web_acl_metric_names"] = {a["summary"]["ARN"]: name for name, a in self.acls.items()}
        self.out["web_acls"] = [
            {"name": name, "id": a["summary"]["Id"], "arn": a["summary"]["ARN"], "scope": a["scope"],
             "default_action": "ALLOW", "protects": protects if name == "edge-regional" else [],
             "rules": [{"name": r[0], "priority": i, "kind": r[1], "action": r[2]} for i, r in enumerate(a["rules"])]}
            for name, a in self.acls.items()]

        managed = {("edge-regional", "LoginRateLimit"): ["203.0.113.5", "198.51.100.23", "192.0.2.77",
                                                         "2001:db8:85a3::8a2e:370:7334"],
                   ("edge-cloudfront", "GlobalRateLimit"): ["203.0.113.99", "198.51.100.7", "2001:db8::dead:beef"]}
        self.out["rate_limited"] = {}
        for (acl, rule), ips in managed.items():
            if acl not in self.acls:
                continue
            s = self.acls[acl]
            self.extras["managed_keys"].append({
                "Scope": s["scope"], "WebACLName": acl, "WebACLId": s["summary"]["Id"], "RuleName": rule,
                "IPV4": [cidr(ip) for ip in ips if ":" not in ip], "IPV6": [cidr(ip) for ip in ips if ":" in ip]})
            self.out["rate_limited"][f"{acl}/{rule}"] = ips

    def seed_samples(self):
        rnd = random.Random(20240521)
        end = int(self.now.timestamp()) - 5
        v4 = ["203.0.113.{}", "198.51.100.{}", "192.0.2.{}"]
        uris = ["/charges", "/items", "/items/42", "/orders", "/token", "/login", "/health", "/v1/search?q=shoes"]
        uas = ["Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0", "curl/8.5.0", "python-requests/2.32.3",
               "okhttp/4.12.0"]
        acme = key_value("acme-logistics")
        self.out["samples"] = {}
        for acl_name, a in self.acls.items():
            arn = a["summary"]["ARN"]
            targets = [(r[0], r[1], r[2]) for r in a["rules"]] + [("Default_Action", "default", "ALLOW")]
            samples = []
            for i in range(100):
                rule, kind, action = targets[i % len(targets)]
                country = rnd.choice(["US", "DE", "GB", "FR", "BR", "IN"])
                ua = rnd.choice(uas)
                uri = rnd.choice(uris)
                labels = []
                within = None
                if kind == "geo":
                    country = {"GeoScrapers": "VN", "GeoWatchRuCn": rnd.choice(["RU", "CN"])}.get(
                        rule, rnd.choice(["KP", "IR", "SY", "CU"]))
                    labels = [{"Name": f"awswaf:clientip:geo:country:{country}"}]
                elif kind == "custom":
                    ua = "sqlmap/1.8.4#stable (https://sqlmap.org)"
                elif kind == "rate-based" and acl_name == "edge-regional":
                    uri = "/login"
                elif kind == "managed":
                    group = a["rules"][[r[0] for r in a["rules"]].index(rule)][3]["ManagedRuleGroupStatement"]["Name"]
                    inner = rnd.choice(["SizeRestrictions_BODY", "CrossSiteScripting_QUERYARGUMENTS",
                                        "NoUserAgent_HEADER"] if "Common" in group
                                       else ["Log4JRCE_HEADER", "JavaDeserializationRCE_BODY"])
                    within = f"AWS#{group}#{inner}"
                    ns = "core-rule-set" if "Common" in group else "known-bad-inputs"
                    labels = [{"Name": f"awswaf:managed:aws:{ns}:{inner}"}]
                    action = "BLOCK" if action == "GROUP" else "COUNT"
                ip = (f"2001:db8:{rnd.randrange(0x10000):x}::{rnd.randrange(1, 0xffff):x}" if i % 7 == 3
                      else rnd.choice(v4).format(rnd.randrange(1, 255)))
                headers = [{"Name": "host", "Value": "api.example.com"}, {"Name": "user-agent", "Value": ua},
                           {"Name": "accept", "Value": "application/json"}]
                if i % 3 == 0:
                    headers.append({"Name": "authorization", "Value": f"Bearer eyJhbGciOiJIUzI1NiJ9.{i:04d}.sig"})
                if i % 4 == 1:
                    headers.append({"Name": "cookie", "Value": f"session=s3cr3t-{i:04d}; theme=dark"})
                if i % 5 == 2:
                    headers.append({"Name": "x-api-key", "Value": acme})
                # Hostile strings, a fixed place each.
                if i == 1:
                    uri = HOSTILE["csi_uri"]
                if i == 2:
                    headers[1]["Value"] = HOSTILE["osc52_ua"]
                if i == 3:
                    headers.append({"Name": "x-forwarded-for", "Value": HOSTILE["c1_csi"]})
                if i == 4:
                    uri = HOSTILE["bidi_uri"]
                if i == 5:
                    headers.append({"Name": "x-padding", "Value": HOSTILE["long"]})
                s = {"WebAclArn": arn, "Scope": a["scope"], "RuleMetricName": rule,
                     "Timestamp": end - (i * 3593) % 3580,
                     "Request": {"ClientIP": ip, "Country": country, "URI": uri,
                                 "Method": "POST" if uri in ("/charges", "/orders", "/token", "/login") else "GET",
                                 "HTTPVersion": "HTTP/2.0" if i % 2 else "HTTP/1.1", "Headers": headers},
                     "Weight": 1 + (i % 10 == 0), "Action": action,
                     "ResponseCodeSent": 403 if action == "BLOCK" else 200, "Labels": labels}
                if within:
                    s["RuleNameWithinRuleGroup"] = within
                if not labels:
                    del s["Labels"]
                samples.append(s)
            self.extras["sampled_requests"] += samples
            self.out["samples"][acl_name] = len(samples)

    # ---------------------------------------------------------------- CloudFront
    def seed_distributions(self):
        catalog_id = self.apis["catalog-api"]
        cdn_key = key_value("cdn-origin-catalog")
        cf_arn = self.acls["edge-cloudfront"]["summary"]["ARN"]

        def config(ref, comment, origin_id, domain, path, headers, acl, custom):
            origin = {"Id": origin_id, "DomainName": domain, "OriginPath": path,
                      "CustomHeaders": {"Quantity": len(headers),
                                        "Items": [{"HeaderName": h, "HeaderValue": v} for h, v in headers]}}
            if custom:
                origin["CustomOriginConfig"] = {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}
            else:
                origin["S3OriginConfig"] = {"OriginAccessIdentity": ""}
            c = {"CallerReference": ref, "Comment": comment, "Enabled": True,
                 "Origins": {"Quantity": 1, "Items": [origin]},
                 "DefaultCacheBehavior": {"TargetOriginId": origin_id, "ViewerProtocolPolicy": "redirect-to-https",
                                          "MinTTL": 0,
                                          "ForwardedValues": {"QueryString": True, "Cookies": {"Forward": "none"}},
                                          "TrustedSigners": {"Enabled": False, "Quantity": 0}}}
            if acl:
                c["WebACLId"] = acl
            return c

        # CloudFront's own geo restriction, beside the WAF's GeoEmbargo: a deny ("blacklist") list.
        deny = ["KP", "IR", "SY", "CU", "BY"]
        specs_geo = {"catalog": {"list": "deny", "countries": deny}}

        specs = [
            ("catalog", config("edgetop-catalog", "catalog", "catalog-api",
                               f"{catalog_id}.execute-api.{REGION}.amazonaws.com", "/prod",
                               [("x-api-key", cdn_key)], cf_arn, True), "x-api-key", "cdn-origin-catalog",
             "edge-cloudfront"),
            ("static-assets", config("edgetop-static", "static-assets", "assets-bucket",
                                     "edgetop-assets.s3.amazonaws.com", "", [], None, False), None, None, None),
        ]
        out = []
        for name, cfg, header, key_name, acl in specs:
            geo = specs_geo.get(name)
            if geo:
                cfg["Restrictions"] = {"GeoRestriction": {
                    "RestrictionType": "blacklist", "Quantity": len(geo["countries"]), "Items": geo["countries"]}}
            d = self.cf.create_distribution(DistributionConfig=cfg)["Distribution"]
            out.append({"id": d["Id"], "name": name, "comment": name, "domain": d["DomainName"],
                        "origin": cfg["Origins"]["Items"][0]["DomainName"], "key_header": header,
                        "key_name": key_name, "web_acl": acl, "geo_restriction": geo})
        self.out["distributions"] = out

    # ---------------------------------------------------------------- CloudWatch
    def seed_metrics(self):
        last = self.now.replace(second=0, microsecond=0) - dt.timedelta(minutes=1)
        minutes = [last - dt.timedelta(minutes=59 - m) for m in range(60)]
        regional, cloudfront = [], []
        metrics = {"stages": {}, "rules": {}, "acls": {}, "countries": {}, "window": {
            "start": minutes[0].isoformat().replace("+00:00", "Z"),
            "end": minutes[-1].isoformat().replace("+00:00", "Z"), "period": 60}}

        def datum(bucket, name, dims, ts, value, unit):
            bucket.append({"MetricName": name, "Dimensions": [{"Name": k, "Value": v} for k, v in dims],
                           "Timestamp": ts, "Value": float(value), "Unit": unit})

        si = 0
        for api in self.out["apis"]:
            for st in api["stages"]:
                dims = [("ApiName", api["name"]), ("Stage", st["name"])]
                sums = {"count_sum": 0, "errors_4xx_sum": 0, "errors_5xx_sum": 0}
                lat = 0
                for m, ts in enumerate(minutes):
                    count = 200 + si * 150 + ((m * 37 + si * 11) % 50) * 3
                    e4 = (m * 7 + si) % 9 + (25 if 40 <= m < 45 and si == 0 else 0)
                    e5 = 1 if (m + si) % 5 == 0 else 0
                    lat = 40 + si * 10 + (m * 13) % 20
                    datum(regional, "Count", dims, ts, count, "Count")
                    datum(regional, "4XXError", dims, ts, e4, "Count")
                    datum(regional, "5XXError", dims, ts, e5, "Count")
                    datum(regional, "Latency", dims, ts, lat, "Milliseconds")
                    sums["count_sum"] += count
                    sums["errors_4xx_sum"] += e4
                    sums["errors_5xx_sum"] += e5
                sums["latency_avg_last"] = float(lat)
                metrics["stages"][f"{api['name']}/{st['name']}"] = sums
                si += 1

        rule_series = {  # (acl, rule) -> (metric, f(minute)); zeros are not emitted, like WAF
            ("edge-regional", "BlockBadIPs"): ("BlockedRequests", lambda m: 2 + m % 3),
            ("edge-regional", "LoginRateLimit"): ("BlockedRequests", lambda m: 20 + m if 40 <= m < 50 else 0),
            ("edge-regional", "AWSManagedCommon"): ("BlockedRequests", lambda m: (m * 5) % 7),
            ("edge-regional", "GeoScrapers"): ("CountedRequests", lambda m: 3 + m % 4),
            ("edge-regional", "BlockSqlmap"): ("BlockedRequests", lambda m: 1 if m % 10 == 0 else 0),
            ("edge-regional", "Default_Action"): ("AllowedRequests", lambda m: 800 + (m * 17) % 100),
            ("edge-cloudfront", "GeoBlockSanctioned"): ("BlockedRequests", lambda m: 1 + m % 4),
            ("edge-cloudfront", "AWSManagedKnownBadInputs"): ("CountedRequests", lambda m: (m * 3) % 5),
            ("edge-cloudfront", "GlobalRateLimit"): ("BlockedRequests", lambda m: 50 if 10 <= m < 15 else 0),
            ("edge-cloudfront", "GeoWatchRuCn"): ("CountedRequests", lambda m: 2 + m % 3),
            ("edge-cloudfront", "Default_Action"): ("AllowedRequests", lambda m: 3000 + (m * 23) % 200),
        }
        key_of = {"AllowedRequests": "allowed_sum", "BlockedRequests": "blocked_sum",
                  "CountedRequests": "counted_sum"}
        for acl in ("edge-regional", "edge-cloudfront"):
            if acl not in self.acls:
                continue
            bucket = regional if acl == "edge-regional" else cloudfront
            base = [("Region", REGION)] if acl == "edge-regional" else []
            totals = {m: {k: 0 for k in key_of} for m in range(60)}
            for (a, rule), (metric, f) in rule_series.items():
                if a != acl:
                    continue
                sums = {"allowed_sum": 0, "blocked_sum": 0, "counted_sum": 0}
                for m, ts in enumerate(minutes):
                    v = f(m)
                    if v:
                        datum(bucket, metric, base + [("Rule", rule), ("WebACL", acl)], ts, v, "Count")
                    sums[key_of[metric]] += v
                    totals[m][metric] += v
                metrics["rules"][f"{acl}/{rule}"] = sums
            acl_sums = {"allowed_sum": 0, "blocked_sum": 0, "counted_sum": 0}
            for m, ts in enumerate(minutes):
                for metric, v in totals[m].items():
                    if v:
                        datum(bucket, metric, base + [("Rule", "ALL"), ("WebACL", acl)], ts, v, "Count")
                    acl_sums[key_of[metric]] += v
            metrics["acls"][acl] = acl_sums

        countries = {"US": (400, 1), "DE": (150, 0), "GB": (120, 0), "VN": (30, 2), "CN": (20, 4), "BR": (60, 1)}
        for ci, (cc, (allowed, blocked)) in enumerate(countries.items()):
            sums = {"allowed_sum": 0, "blocked_sum": 0, "counted_sum": 0}
            for m, ts in enumerate(minutes):
                vals = {"AllowedRequests": allowed + (m * (ci + 3)) % 20,
                        "BlockedRequests": blocked * (m % 3),
                        "CountedRequests": (3 + m % 4) if cc == "VN" else 0}
                for metric, v in vals.items():
                    if v:
                        datum(regional, metric, [("Country", cc), ("Region", REGION), ("Rule", "ALL"),
                                                 ("WebACL", "edge-regional")], ts, v, "Count")
                    sums[key_of[metric]] += v
            metrics["countries"][f"edge-regional/{cc}"] = sums

        api_data = [d for d in regional if "ApiName" in {x["Name"] for x in d["Dimensions"]}]
        waf_data = [d for d in regional if d not in api_data]
        jobs = []
        for client, ns, data in ((self.cw, "AWS/ApiGateway", api_data), (self.cw, "AWS/WAFV2", waf_data),
                                 (self.cw_cf, "AWS/WAFV2", cloudfront)):
            for i in range(0, len(data), 1000):
                jobs.append((client, ns, data[i:i + 1000]))
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda j: j[0].put_metric_data(Namespace=j[1], MetricData=j[2]), jobs))
        metrics["datapoints"] = len(regional) + len(cloudfront)
        self.out["metrics"] = metrics

    def seed_logs(self):
        import logs_seed
        self.out["logs"] = logs_seed.seed_logs(self, lambda name: self.key_by_name[name]["id"],
                                               HOSTILE["osc52_ua"])

    def run(self):
        self.timed("apis", self.seed_apis)
        self.timed("plans_and_keys", self.seed_plans_and_keys)
        self.timed("usage", self.seed_usage)
        self.timed("waf", self.seed_waf)
        self.timed("samples", self.seed_samples)
        if self.with_global:
            self.timed("distributions", self.seed_distributions)
        self.timed("metrics", self.seed_metrics)
        self.timed("logs", self.seed_logs)
        self.out["seeded_at"] = self.now.isoformat().replace("+00:00", "Z")


def write_json(path, obj):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--extras", required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--keys", type=int, default=640)
    ap.add_argument("--plans", type=int, default=len(PLANS),
                    help="usage plans in all: those beyond the three named ones are tenant plans")
    ap.add_argument("--region", default="eu-west-1")
    ap.add_argument("--role-arn", help="seed the account of this role (assumed through STS)")
    ap.add_argument("--no-global", action="store_true",
                    help="no CloudFront, CLOUDFRONT web ACL or Shield: another region of an account seeded already")
    ap.add_argument("--merge-extras", action="store_true", help="add to the extras file rather than replace it")
    ap.add_argument("--untidy", action="store_true", help="add the parts of a real account that differ from the tidy "
                                                          "seed (tests/aws/untidy.py)")
    args = ap.parse_args()
    if args.keys < len(NAMED_KEYS) + 1:
        ap.error(f"--keys must be at least {len(NAMED_KEYS) + 1}")
    for j in range(max(0, args.plans - len(PLANS))):
        name = f"tenant-{j + 1:03d}"
        TENANTS.append(name)
        PLANS.append({"name": name, "throttle": (20.0, 40), "quota": (100000, "MONTH"),
                      "stages": ["partner-api/prod"]})
    globals()["REGION"] = args.region
    t = time.monotonic()
    s = Seeder(args.endpoint.rstrip("/"), args.keys, args.role_arn, not args.no_global)
    s.run()
    if args.untidy:
        import untidy
        s.out["untidy"] = untidy.seed_untidy(s, key_value)
    if args.merge_extras and os.path.exists(args.extras):
        with open(args.extras, encoding="utf-8") as f:
            before = json.load(f)
        for k, v in s.extras.items():
            if isinstance(v, list):
                before.setdefault(k, []).extend(v)
            else:
                before.setdefault(k, {}).update(v)
        s.extras = before
    write_json(args.extras, s.extras)
    s.out["seed_seconds"] = round(time.monotonic() - t, 2)
    s.out["seed_timings"] = s.timings
    write_json(args.expected, s.out)
    print(f"seeded in {s.out['seed_seconds']} s: {s.timings}", file=sys.stderr)


if __name__ == "__main__":
    main()
