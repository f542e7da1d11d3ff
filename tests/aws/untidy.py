"""The parts of an ordinary real account that differ from the tidy seed (seed.py --untidy adds them).

Each is an AWS behaviour edgetop relies on, seeded the way AWS does it rather than the way our own names
would suggest:
- WAF publishes AWS/WAFV2 metrics with WebACL set to the web ACL's *name* (AWS WAF Security Automations and
  cdk-monitoring-constructs query it so) and Rule set to the rule's VisibilityConfig.MetricName; here neither
  equals the other name. A REGIONAL and a CLOUDFRONT web ACL share one name; REGIONAL metrics carry a Region
  dimension and CLOUDFRONT ones none (AWS WAF developer guide, "WAF metrics and dimensions").
- GetRateBasedStatementManagedKeys works only for rate-based rules that aggregate on IP or FORWARDED_IP; a
  CUSTOM_KEYS rule gets WAFUnsupportedAggregateKeyTypeException (WAFV2 API reference).
- CAPTCHA rules publish CaptchaRequests.
- A CloudFront origin may send an API key under any custom header name, and a regional web ACL behind it
  samples that header; a shared-secret origin check (x-origin-verify) is a byte match whose search string is
  the secret.
- API key names are free text: one carries an OSC 52 clipboard write and a C1 CSI.
- API Gateway publishes metrics under ApiName with non-ASCII characters stripped, or the API id when nothing is
  left; names are not unique (API Gateway developer guide, "Amazon API Gateway dimensions and metrics").
- A stage without its own throttle gets the account's (GetAccount throttleSettings), lower than 10,000 rps in
  some regions.
- A key may be in several usage plans; GetUsage reports it per plan.
- A minute without requests has no Latency datapoint.
"""
import datetime as dt
import json

REGION = "eu-west-1"
SHARED_SECRET = "s3cr3t-origin-token-123"
EVIL_KEY_NAME = "evil\u001b]52;c;ZXZpbA==\u0007-key\u009b31m"
ACCESS_VPCES = ["vpce-0untidy1111111111", "vpce-0untidy2222222222"]
EVIL_AUTHORIZER = "authz\u001b]52;c;ZXZpbA==\u0007-lambda"


def vis(name):
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name}


def seed_access(s, apis):
    """Who may call the untidy APIs, as a real account writes it.

    - orders-b's resource policy as API Gateway returns it: escaped once more than JSON needs, slashes in
      address ranges escaped too (the AWS provider for Terraform unquotes it so), a Principal of {"AWS": "*"} and a range
      given as a one-element array.
    - The non-ASCII API is PRIVATE, with VPC endpoints, a policy naming them with an IfExists operator on a
      key in upper case, a Cognito and a Lambda REQUEST authorizer (whose name carries an OSC 52 write), and
      an OPTIONS method whose integration answers Access-Control-Allow-Origin '*'.
    - orders-a/live logs its access to a log group and executes at INFO; the distribution in front of it
      sends a key, but none of its methods requires one.
    """
    gw = s.apigw
    policy = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},'
              '"Action":"execute-api:Invoke","Resource":"execute-api:/*",'
              '"Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8"]}}}]}')
    escaped = policy.replace('"', '\\"').replace("/", "\\/")
    gw.update_rest_api(restApiId=apis["orders-b"], patchOperations=[
        {"op": "replace", "path": "/policy", "value": escaped}])

    vpces = ACCESS_VPCES
    private = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",'
               '"Action":"execute-api:Invoke","Resource":"execute-api:/*"},'
               '{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*",'
               '"Condition":{"StringNotEqualsIfExists":{"AWS:SOURCEVPCE":' + json.dumps(vpces) + '}}}]}')
    pay = apis["pay"]
    gw.update_rest_api(restApiId=pay, patchOperations=[{"op": "replace", "path": "/policy", "value": private}])
    cognito = gw.create_authorizer(restApiId=pay, name="pay-users", type="COGNITO_USER_POOLS",
                                   providerARNs=[f"arn:aws:cognito-idp:{REGION}:123456789012:userpool/{REGION}_x"],
                                   identitySource="method.request.header.Authorization")
    lam = gw.create_authorizer(restApiId=pay, name=EVIL_AUTHORIZER, type="REQUEST",
                               authorizerUri=f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
                                             f"arn:aws:lambda:{REGION}:123456789012:function:authz/invocations",
                               identitySource="method.request.header.Authorization")
    root = next(r["id"] for r in gw.get_resources(restApiId=pay)["items"] if r["path"] == "/")
    res = gw.create_resource(restApiId=pay, parentId=root, pathPart="charges")
    gw.put_method(restApiId=pay, resourceId=res["id"], httpMethod="POST", authorizationType="COGNITO_USER_POOLS",
                  authorizerId=cognito["id"], apiKeyRequired=True)
    gw.put_method(restApiId=pay, resourceId=res["id"], httpMethod="GET", authorizationType="CUSTOM",
                  authorizerId=lam["id"])
    gw.put_method(restApiId=pay, resourceId=res["id"], httpMethod="OPTIONS", authorizationType="NONE")
    gw.put_integration(restApiId=pay, resourceId=res["id"], httpMethod="OPTIONS", type="MOCK")
    gw.put_method_response(restApiId=pay, resourceId=res["id"], httpMethod="OPTIONS", statusCode="200",
                           responseParameters={"method.response.header.Access-Control-Allow-Origin": False})
    gw.put_integration_response(restApiId=pay, resourceId=res["id"], httpMethod="OPTIONS", statusCode="200",
                                responseParameters={"method.response.header.Access-Control-Allow-Origin": "'*'"})

    gw.update_stage(restApiId=apis["orders-a"], stageName="live", patchOperations=[
        {"op": "replace", "path": "/accessLogSettings/destinationArn",
         "value": f"arn:aws:logs:{REGION}:123456789012:log-group:orders-access"},
        {"op": "replace", "path": "/accessLogSettings/format", "value": '{"requestId":"$context.requestId"}'},
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"}])
    # Custom domains with mutual TLS: orders-a's default URL still answers (so mTLS can be skipped), orders-b's is
    # off. moto drops mutualTlsAuthentication; the peer keeps it, as AWS does.
    domains = {"orders.untidy.example": "orders-a", "b.untidy.example": "orders-b"}
    for name, api in domains.items():
        gw.create_domain_name(domainName=name, regionalCertificateArn=f"arn:aws:acm:{REGION}:123456789012:"
                              "certificate/untidy", endpointConfiguration={"types": ["REGIONAL"]},
                              securityPolicy="TLS_1_2",
                              mutualTlsAuthentication={"truststoreUri": f"s3://untidy-truststores/{api}.pem"})
        gw.create_base_path_mapping(domainName=name, restApiId=apis[api], basePath="orders", stage="live")

    # An HTTP API: CORS for any origin, a JWT authorizer on one route and none on another, a route throttle, its
    # default URL off; nothing in front.
    v2 = s.apigwv2
    http = v2.create_api(Name="hooks-http", ProtocolType="HTTP", DisableExecuteApiEndpoint=True,
                         CorsConfiguration={"AllowOrigins": ["*"], "AllowMethods": ["GET", "POST"]})["ApiId"]
    jwt = v2.create_authorizer(ApiId=http, AuthorizerType="JWT", Name="hooks-jwt",
                               IdentitySource=["$request.header.Authorization"],
                               JwtConfiguration={"Issuer": "https://issuer.untidy.example", "Audience": ["hooks"]})
    v2.create_route(ApiId=http, RouteKey="GET /hooks", AuthorizationType="JWT", AuthorizerId=jwt["AuthorizerId"])
    v2.create_route(ApiId=http, RouteKey="POST /hooks", AuthorizationType="NONE")
    v2.create_stage(ApiId=http, StageName="$default",
                    DefaultRouteSettings={"ThrottlingRateLimit": 50.0, "ThrottlingBurstLimit": 100})
    # A stage throttled to 0/0 (an operator's emergency stop): API Gateway answers every request with 429. Not the
    # same as a stage with no throttle of its own, which the account's binds.
    v2.create_stage(ApiId=http, StageName="frozen",
                    DefaultRouteSettings={"ThrottlingRateLimit": 0.0, "ThrottlingBurstLimit": 0})
    v2.create_stage(ApiId=http, StageName="open")

    # Shield Advanced, protecting nothing edgetop shows: the partner distribution in front of orders-a is not.
    s.shield.create_subscription()
    return {"policy_range": "10.0.0.0/8", "vpc_endpoints": vpces, "private": pay,
            "mtls_domain": "orders.untidy.example", "http_api": http,
            "access_log": f"arn:aws:logs:{REGION}:123456789012:log-group:orders-access"}


def seed_untidy(s, key_value):
    """s: the Seeder (after the tidy seed ran); key_value: the value of a key named so."""
    out = {}
    minutes = [s.now.replace(second=0, microsecond=0) - dt.timedelta(minutes=60 - m) for m in range(60)]

    # ---- WAF: a regional and a CLOUDFRONT web ACL both named shop-edge, metric names their own.
    reg_rules = [
        {"Name": "Block-Scrapers", "Priority": 0, "Action": {"Block": {}},
         "Statement": {"GeoMatchStatement": {"CountryCodes": ["KP"]}}, "VisibilityConfig": vis("blockScrapersMetric")},
        {"Name": "Login-Throttle", "Priority": 1, "Action": {"Block": {}},
         "Statement": {"RateBasedStatement": {"Limit": 100, "AggregateKeyType": "CUSTOM_KEYS", "CustomKeys": [
             {"Header": {"Name": "x-client-ref", "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}]}},
         "VisibilityConfig": vis("loginThrottleMetric")},
        {"Name": "Captcha-Signup", "Priority": 2, "Action": {"Captcha": {}},
         "Statement": {"ByteMatchStatement": {"SearchString": b"/signup", "FieldToMatch": {"UriPath": {}},
                                              "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
                                              "PositionalConstraint": "STARTS_WITH"}},
         "VisibilityConfig": vis("captchaSignupMetric")},
        {"Name": "OriginVerify", "Priority": 3, "Action": {"Block": {}},
         "Statement": {"NotStatement": {"Statement": {"ByteMatchStatement": {
             "SearchString": SHARED_SECRET.encode(), "FieldToMatch": {"SingleHeader": {"Name": "x-origin-verify"}},
             "TextTransformations": [{"Priority": 0, "Type": "NONE"}], "PositionalConstraint": "EXACTLY"}}}},
         "VisibilityConfig": vis("originVerifyMetric")},
        # A Block that answers 429 with a body and a header; a Count that marks the request.
        {"Name": "Throttle-Bots", "Priority": 4, "Action": {"Block": {"CustomResponse": {
            "ResponseCode": 429, "CustomResponseBodyKey": "slow-down",
            "ResponseHeaders": [{"Name": "retry-after", "Value": "60"}]}}},
         "Statement": {"ByteMatchStatement": {"SearchString": b"bot", "FieldToMatch": {"SingleHeader": {"Name": "user-agent"}},
                                              "TextTransformations": [{"Priority": 0, "Type": "LOWERCASE"}],
                                              "PositionalConstraint": "CONTAINS"}},
         "VisibilityConfig": vis("throttleBotsMetric")},
        {"Name": "Flag-Legacy", "Priority": 5, "Action": {"Count": {"CustomRequestHandling": {
            "InsertHeaders": [{"Name": "legacy-client", "Value": "yes"}]}}},
         "Statement": {"ByteMatchStatement": {"SearchString": b"/v0/", "FieldToMatch": {"UriPath": {}},
                                              "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
                                              "PositionalConstraint": "STARTS_WITH"}},
         "VisibilityConfig": vis("flagLegacyMetric")},
        # A managed group whose rule is made to count the older way, ExcludedRules (Terraform's).
        {"Name": "Common-Legacy", "Priority": 6, "OverrideAction": {"None": {}},
         "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet",
                                                     "ExcludedRules": [{"Name": "NoUserAgent_HEADER"}]}},
         "VisibilityConfig": vis("commonLegacyMetric")},
    ]
    reg = s.waf.create_web_acl(Name="shop-edge", Scope="REGIONAL", DefaultAction={"Allow": {}}, Rules=reg_rules,
                               VisibilityConfig=vis("ShopEdgeMetrics"), Description="untidy",
                               CustomResponseBodies={"slow-down": {"ContentType": "TEXT_PLAIN",
                                                                   "Content": "slow down"}})["Summary"]
    cf_rules = [{"Name": "Geo-Fence", "Priority": 0, "Action": {"Block": {}},
                 "Statement": {"GeoMatchStatement": {"CountryCodes": ["RU"]}}, "VisibilityConfig": vis("geoFenceCf")},
                # AWS's anti-DDoS managed rule group (for CloudFront distributions), whose labels mark an event.
                {"Name": "Anti-DDoS", "Priority": 1, "OverrideAction": {"None": {}},
                 "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS",
                                                             "Name": "AWSManagedRulesAntiDDoSRuleSet"}},
                 "VisibilityConfig": vis("antiDdosCf")}]
    cf = s.waf_cf.create_web_acl(Name="shop-edge", Scope="CLOUDFRONT", DefaultAction={"Allow": {}}, Rules=cf_rules,
                                 VisibilityConfig=vis("ShopEdgeCloudFront"), Description="untidy")["Summary"]
    s.extras["web_acl_metric_names"][reg["ARN"]] = "ShopEdgeMetrics"
    s.extras["web_acl_metric_names"][cf["ARN"]] = "ShopEdgeCloudFront"

    regional, cloudfront = [], []

    def datum(bucket, name, dims, ts, value, unit="Count"):
        # Sorted by name, as edgetop asks: moto matches dimensions in order (AWS as a set).
        bucket.append({"MetricName": name, "Dimensions": [{"Name": k, "Value": v} for k, v in sorted(dims)],
                       "Timestamp": ts, "Value": float(value), "Unit": unit})

    sums = {"regional": {"scrapers_blocked": 0, "captcha": 0, "all_blocked": 0, "kp_blocked": 0},
            "cloudfront": {"geo_blocked": 0, "all_blocked": 0}}
    for m, ts in enumerate(minutes):
        base = [("Region", REGION), ("WebACL", "shop-edge")]
        b, c = 4 + m % 3, 2 + m % 2
        datum(regional, "BlockedRequests", base + [("Rule", "blockScrapersMetric")], ts, b)
        datum(regional, "CaptchaRequests", base + [("Rule", "captchaSignupMetric")], ts, c)
        datum(regional, "BlockedRequests", base + [("Rule", "ALL")], ts, b)
        datum(regional, "BlockedRequests", base + [("Country", "KP"), ("Rule", "ALL")], ts, b)
        sums["regional"]["scrapers_blocked"] += b
        sums["regional"]["captcha"] += c
        sums["regional"]["all_blocked"] += b
        sums["regional"]["kp_blocked"] += b
        g = 100 + m
        datum(cloudfront, "BlockedRequests", [("Rule", "geoFenceCf"), ("WebACL", "shop-edge")], ts, g)
        datum(cloudfront, "BlockedRequests", [("Rule", "ALL"), ("WebACL", "shop-edge")], ts, g)
        sums["cloudfront"]["geo_blocked"] += g
        sums["cloudfront"]["all_blocked"] += g
    out["waf"] = {"regional_arn": reg["ARN"], "cloudfront_arn": cf["ARN"], "sums": sums}

    # ---- API Gateway: same-named APIs, a name with no ASCII, a stage with no throttle, a latency gap.
    apis = {}
    endpoints = {"pay": {"types": ["PRIVATE"], "vpcEndpointIds": ACCESS_VPCES}}
    for label, name in (("orders-a", "orders-api"), ("orders-b", "orders-api"), ("pay", "\u652f\u4ed8")):
        api = s.apigw.create_rest_api(name=name, description="untidy",
                                      endpointConfiguration=endpoints.get(label, {"types": ["REGIONAL"]}),
                                      disableExecuteApiEndpoint=label == "orders-b")
        root = next(r["id"] for r in s.apigw.get_resources(restApiId=api["id"])["items"] if r["path"] == "/")
        s.apigw.put_method(restApiId=api["id"], resourceId=root, httpMethod="GET", authorizationType="NONE")
        s.apigw.put_integration(restApiId=api["id"], resourceId=root, httpMethod="GET", type="MOCK")
        dep = s.apigw.create_deployment(restApiId=api["id"])
        s.apigw.create_stage(restApiId=api["id"], stageName="live", deploymentId=dep["id"])
        apis[label] = api["id"]
    out["access"] = seed_access(s, apis)
    import logs_seed
    out["logs"] = logs_seed.seed_untidy_logs(s, apis, s.key_by_name["acme-logistics"]["id"])
    # The HTTP API's metrics: under ApiId and Stage, named 4xx (not 4XXError) as HTTP APIs publish them.
    http_dims = [("ApiId", out["access"]["http_api"]), ("Stage", "$default")]
    for ts in minutes:
        datum(regional, "Count", http_dims, ts, 7)
        datum(regional, "4xx", http_dims, ts, 1)
    out["access"]["http_count_sum"] = 7 * len(minutes)
    out["access"]["http_4xx_sum"] = len(minutes)
    counts = {"orders-api": 0, "pay": 0}
    for m, ts in enumerate(minutes):
        for dim_name, key in (("orders-api", "orders-api"), (apis["pay"], "pay")):
            n = 30 + m
            dims = [("ApiName", dim_name), ("Stage", "live")]
            datum(regional, "Count", dims, ts, n)
            if m < 59:  # the newest minute had no requests with a latency: no datapoint
                datum(regional, "Latency", dims, ts, 25, "Milliseconds")
            counts[key] += n
    out["apis"] = {"ids": apis, "count_sums": counts}
    s.extras["account_throttle"] = {"rateLimit": 2500.0, "burstLimit": 1250}

    # ---- Keys: hostile names, one sent under x-partner-key, one in two plans.
    partner = s.apigw.create_api_key(name="partner-edge", enabled=True, value=key_value("partner-edge"),
                                     description="untidy")
    evil = s.apigw.create_api_key(name=EVIL_KEY_NAME, enabled=True, value=key_value("evil"), description="untidy")
    multi = s.apigw.create_api_key(name="multi-plan", enabled=True, value=key_value("multi-plan"),
                                   description="untidy")
    for plan in ("Free tier", "Partner tier"):
        s.apigw.create_usage_plan_key(usagePlanId=s.plans[plan], keyId=multi["id"], keyType="API_KEY")
    s.apigw.create_usage_plan_key(usagePlanId=s.plans["Partner tier"], keyId=partner["id"], keyType="API_KEY")
    s.apigw.create_usage_plan_key(usagePlanId=s.plans["Free tier"], keyId=evil["id"], keyType="API_KEY")
    today = s.now.date().isoformat()
    for plan, used in (("Free tier", 70), ("Partner tier", 30)):
        plan_id = s.plans[plan]
        s.extras["usage"][plan_id]["keys"][multi["id"]] = {today: [used, 1000]}
    out["keys"] = {"partner": partner["id"], "evil": evil["id"], "multi": multi["id"], "multi_used_today": 100,
                   "values": [key_value(n) for n in ("partner-edge", "evil", "multi-plan")]}

    # ---- CloudFront: an origin that sends the partner key as x-partner-key (no configured name).
    origin_id = "partner-origin"
    cfg = {"CallerReference": "edgetop-partner", "Comment": "partner", "Enabled": True,
           "Origins": {"Quantity": 1, "Items": [{
               "Id": origin_id, "DomainName": f"{apis['orders-a']}.execute-api.{REGION}.amazonaws.com",
               "OriginPath": "/live",
               "CustomHeaders": {"Quantity": 2, "Items": [
                   {"HeaderName": "x-partner-key", "HeaderValue": key_value("partner-edge")},
                   {"HeaderName": "x-origin-verify", "HeaderValue": SHARED_SECRET}]},
               "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"}}]},
           "DefaultCacheBehavior": {"TargetOriginId": origin_id, "ViewerProtocolPolicy": "redirect-to-https",
                                    "MinTTL": 0, "ForwardedValues": {"QueryString": True, "Cookies": {"Forward": "none"}},
                                    "TrustedSigners": {"Enabled": False, "Quantity": 0}},
           # An allow list ("whitelist": only these countries are served) of one country: a list
           # of one is where XML-derived lists most often come back as a single value.
           "Restrictions": {"GeoRestriction": {"RestrictionType": "whitelist", "Quantity": 1, "Items": ["DE"]}}}
    d = s.cf.create_distribution(DistributionConfig=cfg)["Distribution"]
    out["distribution"] = d["Id"]

    # ---- Samples: the partner key arrives at the regional web ACL under a neutral name and in a query.
    end = int(s.now.timestamp()) - 5
    for i in range(6):
        headers = [{"Name": "host", "Value": "shop.example.com"},
                   {"Name": "x-client-ref", "Value": key_value("partner-edge")},
                   {"Name": "x-partner-key", "Value": key_value("partner-edge")},
                   {"Name": "x-origin-verify", "Value": SHARED_SECRET}]
        s.extras["sampled_requests"].append({
            "WebAclArn": reg["ARN"], "Scope": "REGIONAL", "RuleMetricName": "blockScrapersMetric",
            "Timestamp": end - i * 60,
            "Request": {"ClientIP": f"203.0.113.{10 + i}", "Country": "KP",
                        "URI": f"/orders?ref={key_value('partner-edge')}&page={i}", "Method": "GET",
                        "HTTPVersion": "HTTP/2.0", "Headers": headers},
            "Weight": 1, "Action": "BLOCK", "ResponseCodeSent": 403})

    # ---- A DDoS event at the CLOUDFRONT web ACL: AWS's anti-DDoS group labels the requests it evaluates
    # (AWS WAF developer guide, "AWS WAF Distributed Denial of Service (DDoS) prevention rule group").
    for i, level in enumerate(("high", "high", "medium")):
        s.extras["sampled_requests"].append({
            "WebAclArn": cf["ARN"], "Scope": "CLOUDFRONT", "RuleMetricName": "antiDdosCf",
            "Timestamp": end - 20 - i * 60,
            "Request": {"ClientIP": f"198.18.0.{i + 1}", "Country": "BR", "URI": "/", "Method": "GET",
                        "HTTPVersion": "HTTP/1.1", "Headers": [{"Name": "host", "Value": "shop.example.com"}]},
            "Weight": 50, "Action": "BLOCK", "ResponseCodeSent": 403, "RuleNameWithinRuleGroup": "DDoSRequests",
            "Labels": [{"Name": "awswaf:managed:aws:anti-ddos:event-detected"},
                       {"Name": f"awswaf:managed:aws:anti-ddos:{level}-suspicion-ddos-request"}]})
    out["ddos"] = {"web_acl": "shop-edge", "requests": 150, "high": 100}

    # ---- Around the edge: orders-a/live, behind the partner distribution, sampled at the regional web ACL from
    # CloudFront's origin-facing addresses (moto's managed prefix list holds 130.176.0.0/18) and, directly, from
    # two others: 23 requests in 3 samples, most from 198.51.100.77.
    def at_stage(api, ip, weight, ts):
        s.extras["sampled_requests"].append({
            "WebAclArn": reg["ARN"], "Scope": "REGIONAL", "RuleMetricName": "blockScrapersMetric", "Timestamp": ts,
            "Request": {"ClientIP": ip, "Country": "NL", "URI": "/live/orders", "Method": "GET",
                        "HTTPVersion": "HTTP/1.1",
                        "Headers": [{"Name": "Host", "Value": f"{apis[api]}.execute-api.{REGION}.amazonaws.com"}]},
            "Weight": weight, "Action": "BLOCK", "ResponseCodeSent": 403})

    direct = [("130.176.9.20", 40), ("130.176.9.21", 40), ("198.51.100.77", 12), ("198.51.100.77", 8),
              ("2001:db8::5", 3)]
    for i, (ip, weight) in enumerate(direct):
        at_stage("orders-a", ip, weight, end - 30 - i * 60)
    # orders-b/live has no distribution in front: behind an edge edgetop cannot see (--ip-ranges-for), one
    # address in that edge's 198.51.100.0/24 and one outside it, 4 requests.
    for i, (ip, weight) in enumerate((("198.51.100.99", 30), ("192.0.2.44", 4))):
        at_stage("orders-b", ip, weight, end - 40 - i * 60)
    out["direct_hits"] = {"stage": "orders-api/live", "requests": 23, "samples": 3, "addresses": 2,
                          "top": "198.51.100.77", "top_requests": 20}

    jobs = [(s.cw, "AWS/ApiGateway", [x for x in regional if x["Dimensions"][0]["Name"] in ("ApiName", "ApiId")]),
            (s.cw, "AWS/WAFV2", [x for x in regional if x["Dimensions"][0]["Name"] not in ("ApiName", "ApiId")]),
            (s.cw_cf, "AWS/WAFV2", cloudfront)]
    for client, ns, data in jobs:
        for i in range(0, len(data), 1000):
            client.put_metric_data(Namespace=ns, MetricData=data[i:i + 1000])
    return out
