#!/usr/bin/env python3
"""Seed more places beside the account tests/aws/seed.py seeds in eu-west-1, as real estates differ:

* the same account in a second region (us-east-1), whose API, stage, key and web ACL carry the SAME names as
  eu-west-1's (payments-api/prod, web ACL edge-regional with rule GeoScrapers): only the place tells them apart;
* a second account, reached through a role (STS AssumeRole, as a profile with role_arn and source_profile does;
  moto puts what such credentials create in the role's account), with its own API, key and CloudFront
  distribution in front.

With --shared-cdn, the second account's distribution also sends a key of the first account (acme-logistics, which
no distribution of the first account sends), as a shared CDN account fronting another team's API does.

With --metric-filter (and --observability), the link shares only the namespaces the filter lets through.

With --observability, CloudWatch cross-account observability as an organisation sets it up: the first account
monitors (a sink in eu-west-1, whose policy lets the second account link), and the second account links to it in
eu-west-1, sharing metrics and log groups. The second account then publishes metrics the first account does not
have under the same names: partner-api/prod's Count (main has a partner-api/prod with other figures) and
partner-edge's blocked requests, whole and from Brazil (a country listed only by ListMetrics with
IncludeLinkedAccounts). In us-east-1 the second account links nothing.

Prints JSON: {"regional_acl": {"<region>": {"id", "arn"}}, "second_account": "<id>", "role_arn": "..."}
"""
import datetime as dt
import argparse
import json

import boto3
from botocore.config import Config

SECOND_ACCOUNT = "222222222222"
ROLE_ARN = f"arn:aws:iam::{SECOND_ACCOUNT}:role/edgetop-reader"


def vis(name):
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name}


def seed_region(mk, region, api_name, acl_name):
    api = mk("apigateway", region)
    rest = api.create_rest_api(name=api_name, description=f"{api_name} in {region}")
    root = [r for r in api.get_resources(restApiId=rest["id"])["items"] if r["path"] == "/"][0]
    api.put_method(restApiId=rest["id"], resourceId=root["id"], httpMethod="GET", authorizationType="NONE",
                   apiKeyRequired=True)
    api.put_integration(restApiId=rest["id"], resourceId=root["id"], httpMethod="GET", type="MOCK")
    dep = api.create_deployment(restApiId=rest["id"])
    api.create_stage(restApiId=rest["id"], stageName="prod", deploymentId=dep["id"])
    key = api.create_api_key(name=f"{api_name}-{region}-client", enabled=True)
    plan = api.create_usage_plan(name="Partner tier", apiStages=[{"apiId": rest["id"], "stage": "prod"}],
                                 throttle={"rateLimit": 50.0, "burstLimit": 100})
    api.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    waf = mk("wafv2", region)
    acl = waf.create_web_acl(
        Name=acl_name, Scope="REGIONAL", DefaultAction={"Allow": {}}, VisibilityConfig=vis(acl_name),
        Rules=[
            {"Name": "GeoScrapers", "Priority": 0, "Statement": {"GeoMatchStatement": {"CountryCodes": ["VN"]}},
             "Action": {"Count": {}}, "VisibilityConfig": vis("GeoScrapers")},
            {"Name": "BlockBadIPs", "Priority": 1,
             "Statement": {"GeoMatchStatement": {"CountryCodes": ["KP"]}},
             "Action": {"Block": {}}, "VisibilityConfig": vis("BlockBadIPs")},
        ])["Summary"]
    arn = f"arn:aws:apigateway:{region}::/restapis/{rest['id']}/stages/prod"
    waf.associate_web_acl(WebACLArn=acl["ARN"], ResourceArn=arn)
    return {"id": acl["Id"], "arn": acl["ARN"], "api_id": rest["id"], "key_id": key["id"]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--observability", action="store_true")
    p.add_argument("--shared-cdn", action="store_true")
    p.add_argument("--metric-filter", help="the link's LinkConfiguration.MetricConfiguration.Filter")
    a = p.parse_args()
    cfg = Config(retries={"max_attempts": 1})

    def client(creds):
        return lambda svc, region: boto3.client(svc, endpoint_url=a.endpoint, region_name=region, config=cfg,
                                                **creds)

    mine = client({})
    out = {"regional_acl": {}, "role_arn": ROLE_ARN}
    us = seed_region(mine, "us-east-1", "payments-api", "edge-regional")
    out["regional_acl"]["us-east-1"] = us
    # CloudFront is the account's, read with eu-west-1: in front of us-east-1's stage, it sends that region's key,
    # under a header name edgetop is not told about.
    value = mine("apigateway", "us-east-1").get_api_key(apiKey=us["key_id"], includeValue=True)["value"]
    us_dist = mine("cloudfront", "us-east-1").create_distribution(DistributionConfig={
        "CallerReference": "payments-us", "Comment": "payments in us-east-1", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "payments-us", "DomainName": f"{us['api_id']}.execute-api.us-east-1.amazonaws.com",
            "OriginPath": "/prod",
            "CustomHeaders": {"Quantity": 1, "Items": [{"HeaderName": "X-Edge-Credential", "HeaderValue": value}]},
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "payments-us", "ViewerProtocolPolicy": "https-only",
                                 "ForwardedValues": {"QueryString": True, "Cookies": {"Forward": "none"}},
                                 "MinTTL": 0}})["Distribution"]
    out["us_distribution"] = us_dist["Id"]
    role = mine("sts", "eu-west-1").assume_role(RoleArn=ROLE_ARN, RoleSessionName="edgetop-seed")["Credentials"]
    theirs = client({"aws_access_key_id": role["AccessKeyId"], "aws_secret_access_key": role["SecretAccessKey"],
                     "aws_session_token": role["SessionToken"]})
    out["second_account"] = theirs("sts", "eu-west-1").get_caller_identity()["Account"]
    second = seed_region(theirs, "eu-west-1", "partner-api", "partner-edge")
    out["second"] = second
    cf = theirs("cloudfront", "us-east-1")
    shared = {}
    if a.shared_cdn:
        keys = mine("apigateway", "eu-west-1").get_api_keys(nameQuery="acme-logistics", includeValues=True)["items"]
        value = [k for k in keys if k["name"] == "acme-logistics"][0]["value"]
        shared = {"CustomHeaders": {"Quantity": 1, "Items": [{"HeaderName": "x-upstream-auth", "HeaderValue": value}]}}
    dist = cf.create_distribution(DistributionConfig={
        "CallerReference": "partner-edge", "Comment": "partner edge", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "partner", "DomainName": f"{second['api_id']}.execute-api.eu-west-1.amazonaws.com",
            "OriginPath": "/prod", **shared,
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "partner", "ViewerProtocolPolicy": "https-only",
                                 "ForwardedValues": {"QueryString": True, "Cookies": {"Forward": "none"}},
                                 "MinTTL": 0}})["Distribution"]
    out["second_distribution"] = dist["Id"]
    if a.observability:
        out["observability"] = observe(mine, theirs, out["second_account"], a.metric_filter)
    print(json.dumps(out))


# Published by the second account only: what the first account reads of it can come from nowhere else.
PARTNER_COUNT = 4242.0
PARTNER_BLOCKED = 77.0
PARTNER_BRAZIL = 55.0


def observe(mine, theirs, second, metric_filter=None):
    oam = mine("oam", "eu-west-1")
    sink = oam.create_sink(Name="edgetop-monitoring")["Arn"]
    oam.put_sink_policy(SinkIdentifier=sink, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": [second]}, "Resource": "*",
                       "Action": ["oam:CreateLink", "oam:UpdateLink"],
                       "Condition": {"ForAllValues:StringEquals": {"oam:ResourceTypes": [
                           "AWS::CloudWatch::Metric", "AWS::Logs::LogGroup"]}}}]}))
    config = {"LinkConfiguration": {"MetricConfiguration": {"Filter": metric_filter}}} if metric_filter else {}
    link = theirs("oam", "eu-west-1").create_link(
        LabelTemplate="$AccountName", SinkIdentifier=sink,
        ResourceTypes=["AWS::CloudWatch::Metric", "AWS::Logs::LogGroup"], **config)["Arn"]
    now = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    minutes = [now - dt.timedelta(minutes=m) for m in range(2, 7)]

    def datum(name, dims, ts, value):
        return {"MetricName": name, "Dimensions": [{"Name": k, "Value": v} for k, v in dims], "Timestamp": ts,
                "Value": value, "Unit": "Count"}

    cw = theirs("cloudwatch", "eu-west-1")
    cw.put_metric_data(Namespace="AWS/ApiGateway", MetricData=[
        datum("Count", [("ApiName", "partner-api"), ("Stage", "prod")], ts, PARTNER_COUNT) for ts in minutes])
    acl = [("Region", "eu-west-1"), ("Rule", "ALL"), ("WebACL", "partner-edge")]
    cw.put_metric_data(Namespace="AWS/WAFV2", MetricData=[
        datum("BlockedRequests", acl, ts, PARTNER_BLOCKED) for ts in minutes] + [
        datum("BlockedRequests", [("Country", "BR")] + acl, ts, PARTNER_BRAZIL) for ts in minutes])
    return {"sink": sink, "link": link, "count": PARTNER_COUNT, "blocked": PARTNER_BLOCKED,
            "brazil": PARTNER_BRAZIL}


if __name__ == "__main__":
    main()
