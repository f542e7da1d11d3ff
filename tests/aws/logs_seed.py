"""Log lines as API Gateway and AWS WAF write them, into moto's CloudWatch Logs (PutLogEvents), with what
Logs Insights should count in them.

* payments-api/prod and payments-api/staging share one access log group, with a JSON format that names the
  key, the status, the error's response type, the API and the stage (API Gateway developer guide, "$context
  variables for access logging"): values are strings, "-" where there is none, as API Gateway writes them.
* edge-regional logs to aws-waf-logs-edge-regional (a CloudWatch Logs destination's name must start with
  aws-waf-logs-) in the JSON of the AWS WAF developer guide's "Log fields for web ACL traffic": action,
  terminatingRuleId, httpRequest.{clientIp,country,uri,headers[{name,value}]}. Header names keep the case the
  client sent.

Every line sits two to three minutes before the seed's clock, inside the window of a query made soon after.
"""

import datetime as dt
import json
import uuid

ACCESS_GROUP = "/aws/apigateway/payments-access"
WAF_GROUP = "aws-waf-logs-edge-regional"
ACCESS_FORMAT = json.dumps({"requestId": "$context.requestId", "ip": "$context.identity.sourceIp",
                            "key": "$context.identity.apiKeyId", "status": "$context.status",
                            "err": "$context.error.responseType", "api": "$context.apiId", "stage": "$context.stage"})


def put(logs, group, stream, lines, start_ms):
    """lines: messages, one millisecond apart from start_ms (PutLogEvents wants them in order)."""
    try:
        logs.create_log_group(logGroupName=group)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    for i in range(0, len(lines), 5000):
        chunk = lines[i:i + 5000]
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
            {"timestamp": start_ms + i + j, "message": m} for j, m in enumerate(chunk)])


def access_line(api_id, stage, key_id, status, err):
    return json.dumps({"requestId": str(uuid.uuid4()), "ip": "203.0.113.10", "key": key_id or "-",
                       "status": str(status), "err": err, "api": api_id, "stage": stage}, separators=(",", ":"))


def waf_line(ts_ms, action, rule, ip, country, uri, agent, acl_arn):
    return json.dumps({
        "timestamp": ts_ms, "formatVersion": 1, "webaclId": acl_arn, "terminatingRuleId": rule,
        "terminatingRuleType": "REGULAR" if rule != "Default_Action" else "REGULAR", "action": action,
        "httpSourceName": "APIGW", "httpSourceId": "123456789012:api:prod",
        "ruleGroupList": [], "rateBasedRuleList": [], "nonTerminatingMatchingRules": [],
        "httpRequest": {"clientIp": ip, "country": country, "uri": uri, "args": "", "httpVersion": "HTTP/1.1",
                        "httpMethod": "GET", "requestId": str(uuid.uuid4()),
                        "headers": [{"name": "Host", "value": "api.example.com"},
                                    {"name": "user-agent" if "sqlmap" in agent else "User-Agent", "value": agent}]},
    }, separators=(",", ":"))


def seed_logs(s, key_id_of, hostile_agent):
    """s: the Seeder; key_id_of(name) -> a named key's id. Returns what the queries must find."""
    logs = s.mk("logs", s.apigw.meta.region_name)
    start = int((s.now - dt.timedelta(minutes=3)).timestamp() * 1000)
    pay = s.apis["payments-api"]

    # -- the access log, shared by two stages ------------------------------------------------------------
    for stage in ("prod", "staging"):
        s.apigw.update_stage(restApiId=pay, stageName=stage, patchOperations=[
            {"op": "replace", "path": "/accessLogSettings/destinationArn",
             "value": f"arn:aws:logs:{s.out['region']}:{s.out['account_id']}:log-group:{ACCESS_GROUP}"},
            {"op": "replace", "path": "/accessLogSettings/format", "value": ACCESS_FORMAT}])
    acme, student, globex, internal = (key_id_of(n) for n in
                                       ("acme-logistics", "student-lab", "globex-retail", "cdn-origin-catalog"))
    lines = ([access_line(pay, "prod", acme, 429, "THROTTLED")] * 37
             + [access_line(pay, "prod", student, 429, "QUOTA_EXCEEDED")] * 4
             + [access_line(pay, "prod", globex, 200, "-")] * 120
             + [access_line(pay, "prod", None, 429, "-")] * 3
             + [access_line(pay, "staging", internal, 429, "THROTTLED")] * 6
             + [access_line(pay, "staging", internal, 200, "-")] * 30)
    put(logs, ACCESS_GROUP, "prod-and-staging", lines, start)

    # -- the WAF log -------------------------------------------------------------------------------------
    acl = s.acls["edge-regional"]["summary"]
    s.waf.put_logging_configuration(LoggingConfiguration={
        "ResourceArn": acl["ARN"],
        "LogDestinationConfigs": [f"arn:aws:logs:{s.out['region']}:{s.out['account_id']}:log-group:{WAF_GROUP}"]})
    waf = []
    for n, (action, rule, ip, cc, uri, agent) in [
        (40, ("BLOCK", "BlockBadIPs", "192.0.2.77", "CN", "/v1/charges", "curl/8.4.0")),
        (12, ("BLOCK", "LoginRateLimit", "198.51.100.23", "US", "/login", "python-requests/2.31")),
        (5, ("BLOCK", "BlockSqlmap", "203.0.113.66", "RU", "/v1/items?id=1%27", "sqlmap/1.7")),
        (2, ("BLOCK", "BlockSqlmap", "203.0.113.67", "RU", "/search?q=\u001b[2J", hostile_agent)),
        (100, ("ALLOW", "Default_Action", "203.0.113.10", "DE", "/v1/items", "Mozilla/5.0")),
    ]:
        waf.extend([(action, rule, ip, cc, uri, agent)] * n)
    put(logs, WAF_GROUP, "edge-regional_0", [waf_line(start + i, *w, acl["ARN"]) for i, w in enumerate(waf)], start)
    return {
        "access_group": ACCESS_GROUP, "waf_group": WAF_GROUP,
        "refused": {"acme-logistics": {"throttled": 37, "quota": 0}, "student-lab": {"throttled": 0, "quota": 4},
                    "cdn-origin-catalog": {"throttled": 6, "quota": 0}},
        "no_key_refused": 3,
        "stages": {"payments-api/prod": 44, "payments-api/staging": 6},
        "plans": {"Partner tier": 37, "Free tier": 4, "Internal": 6},
        "blocked": {"192.0.2.77": 40, "198.51.100.23": 12, "203.0.113.66": 5, "203.0.113.67": 2},
        "blocked_paths": {"/v1/charges": 40, "/login": 12},
        "blocked_agents": {"curl/8.4.0": 40, "python-requests/2.31": 12, "sqlmap/1.7": 5},
        "access_bytes": sum(len(x.encode()) for x in lines),
    }


def seed_untidy_logs(s, apis, key_id):
    """The untidy cases: orders-b/live logs in CLF (fields by position, parsed with a glob); the CLOUDFRONT
    shop-edge web ACL logs to an S3 bucket (named, never queried). orders-a/live's JSON format, set by untidy.py,
    names only the request id."""
    logs = s.mk("logs", s.apigw.meta.region_name)
    start = int((s.now - dt.timedelta(minutes=3)).timestamp() * 1000)
    clf = ('$context.identity.sourceIp - - [$context.requestTime] "$context.httpMethod $context.resourcePath '
           '$context.protocol" $context.status $context.responseLength $context.requestId $context.identity.apiKeyId '
           '$context.error.responseType')
    group = "orders-b-clf"
    s.apigw.update_stage(restApiId=apis["orders-b"], stageName="live", patchOperations=[
        {"op": "replace", "path": "/accessLogSettings/destinationArn",
         "value": f"arn:aws:logs:{s.out['region']}:{s.out['account_id']}:log-group:{group}"},
        {"op": "replace", "path": "/accessLogSettings/format", "value": clf}])

    def line(status, key, err):
        return (f'198.51.100.9 - - [30/Nov/2026:03:00:00 +0000] "GET /orders/7 HTTP/1.1" {status} 12 '
                f'{uuid.uuid4()} {key} {err}')
    lines = [line(429, key_id, "THROTTLED")] * 9 + [line(200, key_id, "-")] * 20 + [line(429, "-", "-")] * 2
    put(logs, group, "live", lines, start)
    cf = next(a for a in s.waf_cf.list_web_acls(Scope="CLOUDFRONT")["WebACLs"] if a["Name"] == "shop-edge")
    bucket = "arn:aws:s3:::aws-waf-logs-shop-edge-untidy"
    s.waf_cf.put_logging_configuration(LoggingConfiguration={"ResourceArn": cf["ARN"],
                                                             "LogDestinationConfigs": [bucket]})
    return {"clf_group": group, "clf_throttled": 9, "clf_no_key": 2, "s3_bucket": bucket}
