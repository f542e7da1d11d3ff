#!/usr/bin/env python3
"""Checks what moto_server.py adds for edgetop's operator actions (second WAF writer, CloudFront If-Match and
deployment delay, DescribeManagedRuleGroup, state.py), and the moto behaviours the Rust code relies on, with
boto3 against a server seeded by seed.py:

    python verify_ops_peer.py --endpoint http://127.0.0.1:PORT --expected OUT.json

Leaves the seeded state as it found it, apart from lock tokens, ETags and the control settings it resets
(second writers, faults, deployment delay, recorded requests, call counts, IAM enforcement off).
Exit status 0 when every check passes."""
import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

for k, v in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
             ("AWS_SESSION_TOKEN", "testing"), ("AWS_DEFAULT_REGION", "eu-west-1")):
    os.environ.setdefault(k, v)
os.environ.pop("AWS_PROFILE", None)
HERE = os.path.dirname(os.path.abspath(__file__))

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILS.append(what)


def control(endpoint, method, path, body=None):
    """(status, JSON) of a control endpoint."""
    req = urllib.request.Request(endpoint + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def outcome(fn):
    """("ok", response) or (HTTP status, error code) of a boto3 call."""
    try:
        return "ok", fn()
    except ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"]


def state(endpoint):
    out = subprocess.run([sys.executable, os.path.join(HERE, "state.py"), "--endpoint", endpoint],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def paged(call, **kwargs):
    """All items of an API Gateway list operation."""
    out, pos = [], None
    while True:
        r = call(limit=500, **kwargs, **({"position": pos} if pos else {}))
        out += r["items"]
        pos = r.get("position")
        if not pos:
            return out


def paged_keys(ag, plan_id):
    return paged(ag.get_usage_plan_keys, usagePlanId=plan_id)


class Verifier:
    def __init__(self, endpoint, expected):
        self.E = endpoint
        self.exp = expected
        cfg = Config(retries={"total_max_attempts": 1})
        mk = lambda s, r: boto3.client(s, endpoint_url=endpoint, region_name=r, config=cfg)  # noqa
        self.ag, self.cf = mk("apigateway", "eu-west-1"), mk("cloudfront", "us-east-1")
        self.waf = {"REGIONAL": mk("wafv2", "eu-west-1"), "CLOUDFRONT": mk("wafv2", "us-east-1")}
        self.acls = {a["name"]: a for a in expected["web_acls"]}
        self.plans = {p["name"]: p["id"] for p in expected["usage_plans"]}

    def get_acl(self, name):
        a = self.acls[name]
        r = self.waf[a["scope"]].get_web_acl(Name=name, Scope=a["scope"], Id=a["id"])
        return r["WebACL"], r["LockToken"]

    def update_acl(self, name, acl, token, **changes):
        """UpdateWebACL sending back what GetWebACL gave, with changes to rules: {rule name: {field: value}}."""
        rules = copy.deepcopy(acl["Rules"])
        for r in rules:
            r.update(changes.get(r["Name"], {}))
        a = self.acls[name]
        return self.waf[a["scope"]].update_web_acl(
            Name=name, Scope=a["scope"], Id=a["id"], DefaultAction=acl["DefaultAction"], Rules=rules,
            VisibilityConfig=acl["VisibilityConfig"], Description=acl["Description"], LockToken=token)

    # ------------------------------------------------------------------ DescribeManagedRuleGroup
    def managed_rule_groups(self):
        waf = self.waf["REGIONAL"]
        r = waf.describe_managed_rule_group(VendorName="AWS", Name="AWSManagedRulesCommonRuleSet", Scope="REGIONAL")
        names = [x["Name"] for x in r["Rules"]]
        check(len(names) == 22 and names[0] == "NoUserAgent_HEADER" and "SizeRestrictions_BODY" in names
              and all(x["Action"] == {"Block": {}} for x in r["Rules"]) and r["Capacity"] == 700
              and r["LabelNamespace"] == "awswaf:managed:aws:core-rule-set:",
              f"DescribeManagedRuleGroup CommonRuleSet: {len(names)} rules, Block, 700 WCU")
        r = self.waf["CLOUDFRONT"].describe_managed_rule_group(VendorName="AWS", Scope="CLOUDFRONT",
                                                               Name="AWSManagedRulesKnownBadInputsRuleSet")
        names = [x["Name"] for x in r["Rules"]]
        check(len(names) == 11 and "Log4JRCE_HEADER" in names and "PROPFIND_METHOD" in names
              and r["LabelNamespace"] == "awswaf:managed:aws:known-bad-inputs:",
              f"DescribeManagedRuleGroup KnownBadInputsRuleSet (CLOUDFRONT): {len(names)} rules")
        for vendor, name in (("AWS", "AWSManagedRulesNope"), ("Fortinet", "AWSManagedRulesCommonRuleSet")):
            got = outcome(lambda: waf.describe_managed_rule_group(VendorName=vendor, Name=name, Scope="REGIONAL"))
            check(got == (400, "WAFNonexistentItemException"), f"DescribeManagedRuleGroup {vendor}/{name}: {got}")
        control(self.E, "POST", "/_edgetop/calls/reset")
        control(self.E, "POST", "/_edgetop/faults", {"operation": "DescribeManagedRuleGroup",
                                                     "error": "ThrottlingException", "count": 1})
        call = lambda: waf.describe_managed_rule_group(VendorName="AWS", Name="AWSManagedRulesCommonRuleSet",  # noqa
                                                       Scope="REGIONAL")
        first, second = outcome(call), outcome(call)
        calls = control(self.E, "GET", "/_edgetop/calls")[1]
        check(first == (400, "ThrottlingException") and second[0] == "ok"
              and calls.get("DescribeManagedRuleGroup") == 2,
              f"DescribeManagedRuleGroup fault injection and call count: {first}, {second[0]}, {calls}")

    def managed_rule_groups_iam(self):
        def as_user(policy_doc):
            """DescribeManagedRuleGroup's outcome for an IAM user with that policy (a dict or a file)."""
            with tempfile.TemporaryDirectory() as d:
                policy, creds = os.path.join(d, "policy.json"), os.path.join(d, "creds.json")
                if isinstance(policy_doc, str):
                    with open(policy_doc) as f:
                        policy_doc = json.load(f)
                with open(policy, "w") as f:
                    json.dump(policy_doc, f)
                subprocess.run([sys.executable, os.path.join(HERE, "iam_user.py"), "--endpoint", self.E,
                                "--policy", policy, "--out", creds, "--user", "edgetop-ops-verify"], check=True)
                c = json.load(open(creds))
            waf = boto3.client("wafv2", endpoint_url=self.E, region_name="eu-west-1",
                               aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                               aws_session_token=None, config=Config(retries={"total_max_attempts": 1}))
            return outcome(lambda: waf.describe_managed_rule_group(
                VendorName="AWS", Name="AWSManagedRulesCommonRuleSet", Scope="REGIONAL"))
        try:
            operator = os.path.join(HERE, "..", "..", "iam", "operator.json")
            got = as_user(operator)
            print(f"info iam/operator.json and DescribeManagedRuleGroup: {got if got[0] != 'ok' else 'allowed'}")
            got = as_user({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "wafv2:GetWebACL", "Resource": "*"}]})
            check(got == (403, "AccessDeniedException"), f"IAM: DescribeManagedRuleGroup not allowed -> {got}")
            got = as_user({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "wafv2:DescribeManagedRuleGroup", "Resource": "*"}]})
            check(got[0] == "ok", f"IAM: wafv2:DescribeManagedRuleGroup allowed -> {got[0]}")
        finally:
            control(self.E, "POST", "/_edgetop/iam", {"enforce": False})

    # ------------------------------------------------------------------ second WAF writer
    def second_writer(self):
        E = self.E
        control(E, "DELETE", "/_edgetop/second-writer")
        # 1. a plain rule's action, one shot
        st, pending = control(E, "POST", "/_edgetop/second-writer", {"web_acl": "edge-regional", "scope": "REGIONAL",
                                                                    "rule": "GeoScrapers", "action": "Block"})
        check(st == 200 and len(pending) == 1 and pending[0]["times"] == 1, f"second-writer registered: {pending}")
        acl, token = self.get_acl("edge-regional")
        got = outcome(lambda: self.update_acl("edge-regional", acl, token, BlockSqlmap={"Action": {"Count": {}}}))
        check(got == (400, "WAFOptimisticLockException"), f"UpdateWebACL after a second write: {got}")
        acl2, token2 = self.get_acl("edge-regional")
        rules = {r["Name"]: r for r in acl2["Rules"]}
        check(token2 != token and rules["GeoScrapers"]["Action"] == {"Block": {}}
              and rules["BlockSqlmap"]["Action"] == {"Block": {}} and len(acl2["Rules"]) == len(acl["Rules"]),
              "the second write landed (GeoScrapers Block, new lock token), the caller's change did not")
        check(control(E, "GET", "/_edgetop/second-writer")[1] == [], "one-shot second writer used up")
        got = outcome(lambda: self.update_acl("edge-regional", acl2, token2, BlockSqlmap={"Action": {"Count": {}}}))
        acl3, token3 = self.get_acl("edge-regional")
        rules = {r["Name"]: r for r in acl3["Rules"]}
        check(got[0] == "ok" and got[1]["NextLockToken"] == token3 and rules["BlockSqlmap"]["Action"] == {"Count": {}}
              and rules["GeoScrapers"]["Action"] == {"Block": {}}, "retry with the fresh lock token succeeds")
        # untouched fields survive the second write
        strip = lambda rs: [{k: v for k, v in r.items() if k != "Action"} for r in rs]  # noqa
        check(strip(acl["Rules"]) == strip(acl3["Rules"]) and acl["DefaultAction"] == acl3["DefaultAction"]
              and acl["VisibilityConfig"] == acl3["VisibilityConfig"] and acl["Description"] == acl3["Description"],
              "second write and retry change nothing but the actions")
        self.update_acl("edge-regional", acl3, token3, GeoScrapers={"Action": {"Count": {}}},
                        BlockSqlmap={"Action": {"Block": {}}})

        # 2. times 2, on a managed rule group's OverrideAction (CLOUDFRONT scope)
        control(E, "POST", "/_edgetop/second-writer", {"web_acl": "edge-cloudfront", "scope": "CLOUDFRONT",
                                                      "rule": "AWSManagedKnownBadInputs", "action": "None",
                                                      "times": 2})
        results = []
        for _ in range(3):
            acl, token = self.get_acl("edge-cloudfront")
            results.append(outcome(lambda: self.update_acl("edge-cloudfront", acl, token,
                                                           GeoWatchRuCn={"Action": {"Block": {}}}))[0])
        acl, token = self.get_acl("edge-cloudfront")
        rules = {r["Name"]: r for r in acl["Rules"]}
        check(results == [400, 400, "ok"] and rules["AWSManagedKnownBadInputs"]["OverrideAction"] == {"None": {}}
              and "Action" not in rules["AWSManagedKnownBadInputs"]
              and rules["GeoWatchRuCn"]["Action"] == {"Block": {}},
              f"times 2 on a managed group's OverrideAction: {results}")
        self.update_acl("edge-cloudfront", acl, token, AWSManagedKnownBadInputs={"OverrideAction": {"Count": {}}},
                        GeoWatchRuCn={"Action": {"Count": {}}})

        # 3. RuleActionOverrides of a managed group: set, then remove
        for override, want in (("Count", {"SizeRestrictions_BODY": "Count"}), (None, {})):
            control(E, "POST", "/_edgetop/second-writer", {"web_acl": "edge-regional", "scope": "REGIONAL",
                                                          "rule": "AWSManagedCommon",
                                                          "inner_rule": "SizeRestrictions_BODY", "override": override})
            acl, token = self.get_acl("edge-regional")
            got = outcome(lambda: self.update_acl("edge-regional", acl, token))
            s = state(E)["web_acls"]["REGIONAL/edge-regional"]["rules"]["AWSManagedCommon"]
            check(got == (400, "WAFOptimisticLockException") and s["inner_overrides"] == want
                  and s["override"] == "None", f"inner_rule override {override}: {s}")
        acl, _ = self.get_acl("edge-regional")
        stmt = next(r for r in acl["Rules"] if r["Name"] == "AWSManagedCommon")["Statement"]
        check(stmt == {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}},
              "removing the last override drops RuleActionOverrides")

        # 4. only the named ACL, not a faulted request, bad specs refused, DELETE clears
        control(E, "POST", "/_edgetop/second-writer", {"web_acl": "edge-cloudfront", "scope": "CLOUDFRONT",
                                                      "rule": "GeoWatchRuCn", "action": "Block"})
        acl, token = self.get_acl("edge-regional")
        check(outcome(lambda: self.update_acl("edge-regional", acl, token))[0] == "ok",
              "an UpdateWebACL of another ACL is not interleaved")
        control(E, "POST", "/_edgetop/faults", {"operation": "UpdateWebACL", "error": "ThrottlingException"})
        acl, token = self.get_acl("edge-cloudfront")
        got = outcome(lambda: self.update_acl("edge-cloudfront", acl, token))
        _, token_after = self.get_acl("edge-cloudfront")
        check(got == (400, "ThrottlingException") and token_after == token
              and len(control(E, "GET", "/_edgetop/second-writer")[1]) == 1,
              "a faulted UpdateWebACL reaches no second writer")
        control(E, "DELETE", "/_edgetop/second-writer")
        check(outcome(lambda: self.update_acl("edge-cloudfront", acl, token))[0] == "ok"
              and control(E, "GET", "/_edgetop/second-writer")[1] == [], "DELETE clears the second writers")
        for bad in ({"web_acl": "edge-regional", "scope": "REGIONAL", "rule": "Nope", "action": "Block"},
                    {"web_acl": "nope", "scope": "REGIONAL", "rule": "GeoScrapers", "action": "Block"},
                    {"web_acl": "edge-regional", "scope": "CLOUDFRONT", "rule": "GeoScrapers", "action": "Block"},
                    {"web_acl": "edge-regional", "scope": "REGIONAL", "rule": "AWSManagedCommon", "action": "Block"},
                    {"web_acl": "edge-regional", "scope": "REGIONAL", "rule": "GeoScrapers", "action": "None"},
                    {"web_acl": "edge-regional", "scope": "REGIONAL", "rule": "GeoScrapers", "inner_rule": "x"},
                    {"web_acl": "edge-regional", "scope": "REGIONAL", "rule": "GeoScrapers"}):
            st, body = control(E, "POST", "/_edgetop/second-writer", bad)
            check(st == 400, f"refused ({body['message']})")

    # ------------------------------------------------------------------ CloudFront If-Match, ETag, deployment
    def cloudfront(self):
        E, cf = self.E, self.cf
        dist = next(d for d in self.exp["distributions"] if d["name"] == "catalog")["id"]
        control(E, "DELETE", "/_edgetop/requests")
        control(E, "POST", "/_edgetop/cloudfront/deploy-delay", {"polls": 0})
        g = cf.get_distribution_config(Id=dist)
        e0, config = g["ETag"], g["DistributionConfig"]
        check(cf.get_distribution(Id=dist)["ETag"] == e0, f"GetDistribution and GetDistributionConfig ETag {e0}")
        r = cf.update_distribution(Id=dist, DistributionConfig=config, IfMatch=e0)
        e1 = r["ETag"]
        check(e1 != e0 and r["Distribution"]["Status"] == "Deployed" and cf.get_distribution(Id=dist)["ETag"] == e1
              and cf.get_distribution_config(Id=dist)["ETag"] == e1,
              f"UpdateDistribution with the current ETag: new ETag {e1}, Deployed")
        check(cf.get_distribution_config(Id=dist)["DistributionConfig"] == config,
              "UpdateDistribution round trip of GetDistributionConfig's config changes nothing")
        got = outcome(lambda: cf.update_distribution(Id=dist, DistributionConfig=config, IfMatch=e0))
        check(got == (412, "PreconditionFailed"), f"stale If-Match: {got}")
        got = outcome(lambda: cf.update_distribution(Id=dist, DistributionConfig=config))
        check(got == (400, "InvalidIfMatchVersion"), f"no If-Match: {got}")
        st, touched = control(E, "POST", "/_edgetop/cloudfront/touch", {"id": dist})
        got = outcome(lambda: cf.update_distribution(Id=dist, DistributionConfig=config, IfMatch=e1))
        check(st == 200 and touched["etag"] != e1 and cf.get_distribution(Id=dist)["ETag"] == touched["etag"]
              and got == (412, "PreconditionFailed"), f"touch -> new ETag {touched.get('etag')}, old one 412")
        check(control(E, "POST", "/_edgetop/cloudfront/touch", {"id": "NOPE"})[0] == 404, "touch unknown -> 404")
        got = outcome(lambda: cf.update_distribution(Id="NOPE", DistributionConfig=config, IfMatch=e1))
        check(got == (404, "NoSuchDistribution"), f"unknown distribution: {got}")
        # a header swap, as a key rotation does
        new_config = copy.deepcopy(config)
        new_config["Origins"]["Items"][0]["CustomHeaders"]["Items"][0]["HeaderValue"] = "rotated-value-0123456789"
        r = cf.update_distribution(Id=dist, DistributionConfig=new_config, IfMatch=touched["etag"])
        d = cf.get_distribution(Id=dist)
        h = d["Distribution"]["DistributionConfig"]["Origins"]["Items"][0]["CustomHeaders"]["Items"]
        check(h == [{"HeaderName": "x-api-key", "HeaderValue": "rotated-value-0123456789"}] and d["ETag"] == r["ETag"],
              "header swap stored")
        reqs = control(E, "GET", "/_edgetop/requests/UpdateDistribution")[1]
        check([(x["if_match"], x["status"]) for x in reqs] == [
            (e0, 200), (e0, 412), (None, 400), (e1, 412), (e1, 404), (touched["etag"], 200)]
            and [x["current_etag_before"] for x in reqs[:4]] == [e0, e1, e1, touched["etag"]]
            and reqs[4]["current_etag_before"] is None and all(x["id"] == dist for x in reqs[:4]),
            f"requests recorded: {[(x['if_match'], x['current_etag_before'], x['status']) for x in reqs]}")
        r = cf.update_distribution(Id=dist, DistributionConfig=config, IfMatch=r["ETag"])  # back to the seed

        # deployment delay
        control(E, "POST", "/_edgetop/cloudfront/deploy-delay", {"polls": 2})
        r = cf.update_distribution(Id=dist, DistributionConfig=config, IfMatch=r["ETag"])
        listed = lambda: {x["Id"]: x["Status"] for x in cf.list_distributions()["DistributionList"]["Items"]}  # noqa
        seen = [r["Distribution"]["Status"], listed()[dist], state(E)["distributions"][dist]["status"]]
        seen += [cf.get_distribution(Id=dist)["Distribution"]["Status"] for _ in range(3)]
        seen.append(listed()[dist])
        check(seen == ["InProgress"] * 5 + ["Deployed"] * 2, f"deploy-delay 2: {seen}")
        others = [s for i, s in listed().items() if i != dist]
        check(others == ["Deployed"] * len(others), "other distributions stay Deployed")
        control(E, "POST", "/_edgetop/cloudfront/deploy-delay", {"polls": -1})
        r = cf.update_distribution(Id=dist, DistributionConfig=config, IfMatch=r["ETag"])
        seen = {cf.get_distribution(Id=dist)["Distribution"]["Status"] for _ in range(6)}
        check(seen == {"InProgress"}, f"deploy-delay -1: {seen}")
        control(E, "POST", "/_edgetop/cloudfront/deploy-delay", {"polls": 0})
        r = cf.update_distribution(Id=dist, DistributionConfig=config, IfMatch=r["ETag"])
        seen = [r["Distribution"]["Status"], cf.get_distribution(Id=dist)["Distribution"]["Status"], listed()[dist]]
        check(seen == ["Deployed"] * 3, f"deploy-delay 0 again: {seen}")
        # a new distribution: its ETag header is the one GetDistribution gives
        c = copy.deepcopy(config)
        c["CallerReference"] = f"edgetop-verify-{time.time()}"
        c["Origins"]["Items"][0]["CustomHeaders"] = {"Quantity": 0}
        created = cf.create_distribution(DistributionConfig=c)
        new_id = created["Distribution"]["Id"]
        check(created["ETag"] == cf.get_distribution(Id=new_id)["ETag"], "CreateDistribution ETag = GetDistribution's")
        disabled = copy.deepcopy(c)
        disabled["Enabled"] = False
        r = cf.update_distribution(Id=new_id, DistributionConfig=disabled, IfMatch=created["ETag"])
        cf.delete_distribution(Id=new_id, IfMatch=r["ETag"])
        control(E, "DELETE", "/_edgetop/requests")

    # ------------------------------------------------------------------ state.py
    def state_py(self):
        t = time.monotonic()
        s = state(self.E)
        took = time.monotonic() - t
        cdn = self.exp["api_keys"]["by_name"]["cdn-origin-catalog"]
        catalog = next(d for d in self.exp["distributions"] if d["name"] == "catalog")["id"]
        k = s["keys"][cdn["id"]]
        check(len(s["keys"]) == self.exp["api_keys"]["count"] and k["plans"] == [self.plans["Internal"]]
              and k["value"] == cdn["value"] and k["enabled"] and k["name"] == "cdn-origin-catalog",
              f"state.py keys: {len(s['keys'])}, cdn-origin-catalog in {k['plans']}")
        d = s["distributions"][catalog]
        check(d["key_ids"] == {"x-api-key": cdn["id"]} and d["status"] == "Deployed"
              and d["etag"] == self.cf.get_distribution_config(Id=catalog)["ETag"],
              f"state.py distributions: catalog sends key {d['key_ids']}")
        want = {"REGIONAL/edge-regional": {"BlockBadIPs": ("Block", None), "LoginRateLimit": ("Block", None),
                                           "AWSManagedCommon": (None, "None"), "GeoScrapers": ("Count", None),
                                           "BlockSqlmap": ("Block", None)},
                "CLOUDFRONT/edge-cloudfront": {"GeoBlockSanctioned": ("Block", None),
                                               "AWSManagedKnownBadInputs": (None, "Count"),
                                               "GlobalRateLimit": ("Block", None), "GeoWatchRuCn": ("Count", None)}}
        got = {a: {n: (r["action"], r["override"]) for n, r in v["rules"].items()} for a, v in s["web_acls"].items()}
        check(got == want, "state.py web_acls: the seeded rules and actions")
        check(took < 5, f"state.py took {took:.2f} s")
        return s

    # ------------------------------------------------------------------ moto behaviours edgetop relies on
    def moto_behaviour(self):
        ag = self.ag
        cdn = self.exp["api_keys"]["by_name"]["cdn-origin-catalog"]
        internal, free = self.plans["Internal"], self.plans["Free tier"]
        names = lambda q: sorted(k["name"] for k in paged(ag.get_api_keys, nameQuery=q))  # noqa
        check(names("cdn") == ["cdn-origin-catalog"] and names("origin") == [] and names("CDN") == []
              and len(names("client-")) == self.exp["api_keys"]["count"] - 4,
              "GetApiKeys nameQuery is a case-sensitive prefix match")
        check(all("value" not in k for k in ag.get_api_keys(limit=5)["items"])
              and all("value" in k for k in ag.get_api_keys(limit=5, includeValues=True)["items"]),
              "GetApiKeys gives values only with includeValues=true")
        got = outcome(lambda: ag.create_usage_plan_key(usagePlanId=internal, keyId=cdn["id"], keyType="API_KEY"))
        members = [k["id"] for k in paged_keys(ag, internal)]
        check(got[0] == "ok" and members.count(cdn["id"]) == 1,
              "CreateUsagePlanKey of a member: 201, no ConflictException, still one entry")
        got = outcome(lambda: ag.create_usage_plan_key(usagePlanId="noplan0000", keyId=cdn["id"], keyType="API_KEY"))
        check(got[0] == "ok", "CreateUsagePlanKey with an unknown plan id: 201, no NotFoundException")
        got = outcome(lambda: ag.delete_usage_plan_key(usagePlanId=free, keyId=cdn["id"]))
        check(got == (500, "500"), f"DeleteUsagePlanKey of a non-member: HTTP 500 with an HTML body: {got}")
        got = outcome(lambda: ag.delete_usage_plan_key(usagePlanId="noplan0001", keyId=cdn["id"]))
        check(got == (500, "500"), f"DeleteUsagePlanKey with an unknown plan id: HTTP 500: {got}")
        got = outcome(lambda: ag.get_usage_plan_key(usagePlanId=free, keyId=cdn["id"]))
        check(got == (404, "NotFoundException"), f"GetUsagePlanKey of a non-member: {got}")
        key = cdn["id"]
        seen = []
        for v in ("false", "FALSE", "0", "nonsense", "True", "true"):
            seen.append(ag.update_api_key(apiKey=key, patchOperations=[{"op": "replace", "path": "/enabled",
                                                                        "value": v}])["enabled"])
        check(seen == [False, False, False, False, True, True],
              "UpdateApiKey replace /enabled: true only for 'true' (any case), anything else false")
        r = ag.update_api_key(apiKey=key, patchOperations=[{"op": "replace", "path": "/value", "value": "x" * 30}])
        check(r["value"] == cdn["value"], "UpdateApiKey replace /value: 200, value unchanged (and returned)")
        got = outcome(lambda: ag.update_api_key(apiKey=key, patchOperations=[{"op": "add", "path": "/enabled",
                                                                             "value": "true"}]))
        check(got == (500, "500"), f"UpdateApiKey op other than replace: HTTP 500: {got}")
        got = outcome(lambda: ag.create_api_key(name="dup", value=cdn["value"], enabled=True))
        check(got == (409, "ConflictException"), f"CreateApiKey with a value in use: {got}")
        got = outcome(lambda: ag.create_api_key(name="short", value="x" * 19))
        check(got == (400, "BadRequestException"), f"CreateApiKey with a value under 20 characters: {got}")
        new = ag.create_api_key(name="cdn-origin-catalog", value="edgetop-verify-" + "x" * 25)
        check(new["enabled"] is False and new["value"].startswith("edgetop-verify-"),
              "CreateApiKey: same name allowed, enabled defaults to false, value returned")
        ag.create_usage_plan_key(usagePlanId=internal, keyId=new["id"], keyType="API_KEY")
        ag.update_api_key(apiKey=new["id"], patchOperations=[{"op": "replace", "path": "/name", "value": "renamed"}])
        pk = next(k for k in paged_keys(ag, internal) if k["id"] == new["id"])
        check(pk["name"] == "cdn-origin-catalog", "GetUsagePlanKeys keeps the key's name as it was when added")
        ag.delete_api_key(apiKey=new["id"])
        still = new["id"] in [k["id"] for k in paged_keys(ag, internal)]
        plans = [p["id"] for p in ag.get_usage_plans(keyId=new["id"])["items"]]
        check(still and plans == [internal],
              "DeleteApiKey leaves the key in its usage plans (GetUsagePlanKeys, GetUsagePlans keyId)")
        ag.delete_usage_plan_key(usagePlanId=internal, keyId=new["id"])
        check(new["id"] not in [k["id"] for k in paged_keys(ag, internal)], "DeleteUsagePlanKey of a deleted key works")

        acl, token = self.get_acl("edge-regional")
        r = self.update_acl("edge-regional", acl, token)
        acl2, token2 = self.get_acl("edge-regional")
        check(acl2 == acl and r["NextLockToken"] == token2 != token,
              "UpdateWebACL sending back GetWebACL's ACL unchanged: same ACL, new lock token")
        a = self.acls["edge-regional"]
        waf = self.waf["REGIONAL"]
        waf.update_web_acl(Name=a["name"], Scope="REGIONAL", Id=a["id"], DefaultAction=acl["DefaultAction"],
                           Rules=[], VisibilityConfig=acl["VisibilityConfig"], LockToken=token2)
        acl3, token3 = self.get_acl("edge-regional")
        check(len(acl3["Rules"]) == len(acl["Rules"]) and acl3["Description"] == acl["Description"],
              "UpdateWebACL with Rules=[] keeps the rules, without Description keeps it")
        bad = copy.deepcopy(acl3["Rules"])
        bad[0]["Action"] = {"Block": {}, "Count": {}}
        bad[1]["Priority"] = bad[0]["Priority"]
        got = outcome(lambda: waf.update_web_acl(Name=a["name"], Scope="REGIONAL", Id=a["id"], Rules=bad,
                                                 DefaultAction=acl["DefaultAction"], LockToken=token3,
                                                 VisibilityConfig=acl["VisibilityConfig"]))
        check(got[0] == "ok", "UpdateWebACL accepts invalid rules (two actions, duplicate priority)")
        acl4, token4 = self.get_acl("edge-regional")
        self.update_acl("edge-regional", {**acl4, "Rules": acl["Rules"]}, token4)
        got = outcome(lambda: self.waf["REGIONAL"].get_web_acl(Name="edge-cloudfront", Scope="CLOUDFRONT",
                                                               Id=self.acls["edge-cloudfront"]["id"]))
        check(got[0] == "ok", "CLOUDFRONT scope answers in any region (AWS: us-east-1 only)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--expected", required=True)
    a = ap.parse_args()
    v = Verifier(a.endpoint.rstrip("/"), json.load(open(a.expected)))
    before = state(v.E)
    try:
        v.managed_rule_groups()
        v.managed_rule_groups_iam()
        v.second_writer()
        v.cloudfront()
        v.moto_behaviour()
        after = v.state_py()
    finally:
        for method, path, body in (("DELETE", "/_edgetop/second-writer", None), ("DELETE", "/_edgetop/faults", None),
                                   ("POST", "/_edgetop/cloudfront/deploy-delay", {"polls": 0}),
                                   ("DELETE", "/_edgetop/requests", None), ("POST", "/_edgetop/calls/reset", None),
                                   ("POST", "/_edgetop/iam", {"enforce": False})):
            control(v.E, method, path, body)
    strip = lambda s: {  # noqa: the state without what each update changes anyway
        "keys": s["keys"], "distributions": {i: {**d, "etag": None} for i, d in s["distributions"].items()},
        "web_acls": {n: {**w, "lock_token": None} for n, w in s["web_acls"].items()}}
    check(strip(after) == strip(before), "the account is as before, apart from lock tokens and ETags")
    print(f"{len(FAILS)} failure(s)")
    return 1 if FAILS else 0


if __name__ == "__main__":
    t = time.monotonic()
    rc = main()
    print(f"verified in {time.monotonic() - t:.1f} s")
    sys.exit(rc)
