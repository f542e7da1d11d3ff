#!/usr/bin/env python3
"""Another operator's hand on the account, between two steps of ours (tests/aws/moto_server.py as the peer):

    python tamper.py --endpoint URL set-header DIST NAME VALUE   # an origin header of DIST's first origin
    python tamper.py --endpoint URL create-key NAME DESCRIPTION  # an enabled API key
    python tamper.py --endpoint URL delete-key ID
    python tamper.py --endpoint URL create-http-api REGION NAME  # an HTTP API (API Gateway v2), nothing else
    python tamper.py --endpoint URL plant-rotated NAME SECONDS   # keys named as a rotation of NAME would
                                                                   # name its new key, for the next SECONDS
    python tamper.py --endpoint URL alarms                       # CloudWatch alarms on the untidy account
    python tamper.py --endpoint URL history ACL RULE HOURS VALUE  # BlockedRequests of a REGIONAL rule, HOURS ago

alarms: one in ALARM on shop-edge's Login-Throttle (by its metric names, a Sum over five minutes, with a hostile
reason), one on
catalog-api/prod left INSUFFICIENT_DATA, and one on EC2 (not edgetop's). (moto 5.2.5 has no PutCompositeAlarm.)

set-header replaces the header's value when the origin has it, else adds it (GetDistributionConfig, then
UpdateDistribution with its ETag, as a person's console edit would).
"""
import argparse
import os

for k, v in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
             ("AWS_SESSION_TOKEN", "testing"), ("AWS_DEFAULT_REGION", "eu-west-1")):
    os.environ.setdefault(k, v)
os.environ.pop("AWS_PROFILE", None)

import boto3  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--endpoint", required=True)
    sub = ap.add_subparsers(dest="what", required=True)
    h = sub.add_parser("set-header")
    h.add_argument("dist")
    h.add_argument("name")
    h.add_argument("value")
    k = sub.add_parser("create-key")
    k.add_argument("name")
    k.add_argument("description")
    d = sub.add_parser("delete-key")
    d.add_argument("id")
    h2 = sub.add_parser("create-http-api")
    h2.add_argument("region")
    h2.add_argument("name")
    sub.add_parser("alarms")
    hi = sub.add_parser("history")
    hi.add_argument("acl")
    hi.add_argument("rule")
    hi.add_argument("hours", type=float)
    hi.add_argument("value", type=float)
    p = sub.add_parser("plant-rotated")
    p.add_argument("name")
    p.add_argument("seconds", type=int)
    args = ap.parse_args()
    if args.what == "set-header":
        cf = boto3.client("cloudfront", endpoint_url=args.endpoint, region_name="us-east-1")
        got = cf.get_distribution_config(Id=args.dist)
        cfg = got["DistributionConfig"]
        origin = cfg["Origins"]["Items"][0]
        items = origin.setdefault("CustomHeaders", {"Quantity": 0, "Items": []}).setdefault("Items", [])
        for item in items:
            if item["HeaderName"].lower() == args.name.lower():
                item["HeaderValue"] = args.value
                break
        else:
            items.append({"HeaderName": args.name, "HeaderValue": args.value})
        origin["CustomHeaders"]["Quantity"] = len(items)
        cf.update_distribution(Id=args.dist, IfMatch=got["ETag"], DistributionConfig=cfg)
    elif args.what == "create-http-api":
        v2 = boto3.client("apigatewayv2", endpoint_url=args.endpoint, region_name=args.region)
        print(v2.create_api(Name=args.name, ProtocolType="HTTP")["ApiId"])
    elif args.what == "plant-rotated":
        # Someone who may create API keys, waiting to learn the value CloudFront will send: a key for every
        # name edgetop's rotation of NAME could predict (<NAME>-rotated-<UTC time to the second>).
        import datetime as dt
        apigw = boto3.client("apigateway", endpoint_url=args.endpoint, region_name="eu-west-1")
        now = dt.datetime.now(dt.timezone.utc)
        for s in range(-2, args.seconds):
            t = (now + dt.timedelta(seconds=s)).strftime("%Y%m%d-%H%M%S")
            made = apigw.create_api_key(name=f"{args.name}-rotated-{t}", description="planted", enabled=True)
            print(made["id"])
    elif args.what == "history":
        # A datapoint as WAF publishes it (a one-minute Sum), long enough ago that only a longer range shows it.
        import datetime as dt
        cw = boto3.client("cloudwatch", endpoint_url=args.endpoint, region_name="eu-west-1")
        at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=args.hours)
        dims = [{"Name": "Region", "Value": "eu-west-1"}, {"Name": "Rule", "Value": args.rule},
                {"Name": "WebACL", "Value": args.acl}]
        cw.put_metric_data(Namespace="AWS/WAFV2", MetricData=[{
            "MetricName": "BlockedRequests", "Dimensions": dims, "Timestamp": at.replace(second=0, microsecond=0),
            "Value": args.value, "Unit": "Count"}])
    elif args.what == "alarms":
        cw = boto3.client("cloudwatch", endpoint_url=args.endpoint, region_name="eu-west-1")
        common = {"EvaluationPeriods": 1, "Period": 60, "Statistic": "Sum", "Threshold": 100.0,
                  "ComparisonOperator": "GreaterThanThreshold"}
        cw.put_metric_alarm(AlarmName="shop-edge login throttle", Namespace="AWS/WAFV2",
                            MetricName="BlockedRequests",
                            Dimensions=[{"Name": "Rule", "Value": "loginThrottleMetric"},
                                        {"Name": "WebACL", "Value": "ShopEdgeMetrics"},
                                        {"Name": "Region", "Value": "eu-west-1"}],
                            **{**common, "Period": 300})
        cw.set_alarm_state(AlarmName="shop-edge login throttle", StateValue="ALARM",
                           StateReason="Threshold Crossed: 1 datapoint [812.0] \u202e was greater")
        cw.put_metric_alarm(AlarmName="catalog prod 5xx", Namespace="AWS/ApiGateway", MetricName="5XXError",
                            Dimensions=[{"Name": "ApiName", "Value": "catalog-api"},
                                        {"Name": "Stage", "Value": "prod"}], **common)
        # A new alarm starts in INSUFFICIENT_DATA on AWS (moto starts it OK).
        cw.set_alarm_state(AlarmName="catalog prod 5xx", StateValue="INSUFFICIENT_DATA",
                           StateReason="Insufficient Data: 1 datapoint was unknown.")
        # An anomaly-detection alarm, as the CloudWatch console makes one: the metric (m1) and its band (ad1),
        # the band the threshold. Its ids and width are not edgetop's own.
        cw.put_metric_alarm(AlarmName="orders live traffic anomaly", EvaluationPeriods=2,
                            ComparisonOperator="LessThanLowerOrGreaterThanUpperThreshold",
                            ThresholdMetricId="expected", Metrics=[
                                {"Id": "orders", "ReturnData": True, "MetricStat": {
                                    "Metric": {"Namespace": "AWS/ApiGateway", "MetricName": "Count",
                                               "Dimensions": [{"Name": "ApiName", "Value": "orders-api"},
                                                              {"Name": "Stage", "Value": "live"}]},
                                    "Period": 60, "Stat": "Sum"}},
                                {"Id": "expected", "Expression": "ANOMALY_DETECTION_BAND(orders, 3)",
                                 "Label": "Count (expected)", "ReturnData": True}])
        # A metric filter on orders-b/live's access log (CLF: fields by position) and an alarm on the metric it
        # makes, in a namespace of the account's own; and an alarm on another custom metric, which is not kept.
        logs = boto3.client("logs", endpoint_url=args.endpoint, region_name="eu-west-1")
        logs.put_metric_filter(logGroupName="orders-b-clf", filterName="throttled",
                               filterPattern="[ip, ident, user, time, request, status=429, ...]",
                               metricTransformations=[{"metricName": "Throttled429", "metricNamespace": "Untidy/Edge",
                                                       "metricValue": "1", "defaultValue": 0.0}])
        cw.put_metric_alarm(AlarmName="orders-b 429s in the access log", Namespace="Untidy/Edge",
                            MetricName="Throttled429", **common)
        cw.put_metric_alarm(AlarmName="orders-b other custom metric", Namespace="Untidy/Edge",
                            MetricName="SomethingElse", **common)
        cw.put_metric_alarm(AlarmName="ec2-cpu", Namespace="AWS/EC2", MetricName="CPUUtilization",
                            Dimensions=[{"Name": "InstanceId", "Value": "i-0123456789"}], **common)
        cw.set_alarm_state(AlarmName="ec2-cpu", StateValue="ALARM", StateReason="busy")
    elif args.what == "create-key":
        apigw = boto3.client("apigateway", endpoint_url=args.endpoint, region_name="eu-west-1")
        made = apigw.create_api_key(name=args.name, description=args.description, enabled=True)
        print(made["id"])
    else:
        apigw = boto3.client("apigateway", endpoint_url=args.endpoint, region_name="eu-west-1")
        apigw.delete_api_key(apiKey=args.id)


if __name__ == "__main__":
    main()
