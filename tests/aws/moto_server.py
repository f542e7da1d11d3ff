#!/usr/bin/env python3
"""moto's server, on 127.0.0.1, plus what edgetop's tests need and moto 5.2.5 lacks.

    python moto_server.py --port 0 --extras FILE

Prints ``PORT=<n>`` as its first stdout line once listening, then serves until killed.

A WSGI middleware in front of moto's own dispatcher:

* answers five AWS operations moto does not implement, from the JSON file FILE (re-read on every request, so a
  seeder may write it after the server started; a missing or unreadable file means empty data):
    - apigateway GetUsage           GET /usageplans/{id}/usage?startDate&endDate[&keyId][&limit][&position]
    - wafv2 GetSampledRequests      X-Amz-Target: AWSWAF_20190729.GetSampledRequests
    - wafv2 GetRateBasedStatementManagedKeys
    - wafv2 ListResourcesForWebACL  (from moto's AssociateWebACL state, plus FILE's "resources")
    - wafv2 DescribeManagedRuleGroup  (not from FILE: a built-in catalogue of the AWS groups the seed uses,
      AWSManagedRulesCommonRuleSet and AWSManagedRulesKnownBadInputsRuleSet, with their real rule names, each
      rule's Action {"Block": {}}; any other vendor or name -> WAFNonexistentItemException)
* AWS's paging (limit, position) of the API Gateway listings moto returns whole, GetResources' methods only
  with embed=methods, and a domain name's mutual TLS (which moto drops), as AWS gives them; Shield's
  DescribeSubscription with epoch timestamps (moto writes strings the SDKs cannot read); the list of an HTTP
  API's authorizers (apigatewayv2 GetAuthorizers, which moto lacks);
* IAM's policy simulator (SimulatePrincipalPolicy, which moto lacks) for moto's own users and roles: each
  action on each resource, allowed / explicitDeny / implicitDeny, by moto's evaluation of the principal's
  policies (the same as the IAM check below);
* Logs Insights over the events moto stores (PutLogEvents): StartQuery evaluates the query with insights.py
  (filter, parse, stats … by, bin, sort, limit; moto ignores filter and stats), GetQueryResults answers with
  its rows and statistics (bytesScanned: the bytes of the events in the window), StopQuery cancels.
                    POST /_edgetop/shield-attacks {"attacks": [Attack, ...]}: Shield's ListAttacks and DescribeAttack
                      answer with these (DescribeAttack's Attack shape, epoch seconds; moto has neither call)
                    POST /_edgetop/valueless-keys {"ids": [...]}: GetApiKey and GetApiKeys answer without those
                         keys' values, as the API model allows (ApiKey.value is optional).
                    POST /_edgetop/logs/queries {"polls": N, "status": "Complete"|"Failed"|"Timeout"}: the next
                         queries report "Running" to N GetQueryResults calls (-1: until stopped), then status.
                    GET lists every query started ({"id","query","groups","start","end","status","stopped"});
                         DELETE clears them and the plan.
  StartQuery on a missing log group -> ResourceNotFoundException; with 30 running -> LimitExceededException.
* CloudWatch cross-account observability (tests/aws/observability.py): OAM's sinks and links, and in a
  monitoring account GetMetricData's AccountId and ListMetrics' IncludeLinkedAccounts and OwningAccount.
                    GET /_edgetop/metric-accounts  ->  [[operation, caller account, [accounts asked]], ...]
* GetMetricData's ANOMALY_DETECTION_BAND expressions (tests/aws/anomaly.py): two series under the band's id,
  lower first, from the statistics of the metric it names.
* a second IP set writer, for UpdateIPSet's lock token:
                    POST /_edgetop/ip-set-writer {"ip_set": "blocked-ips", "scope": "REGIONAL"|"CLOUDFRONT",
                         "add": ["203.0.113.50/32"], ["times": 1]}
  When the next UpdateIPSet for that set gets past IAM and fault injection, and before moto sees it, the peer
  adds those ranges the way another client would (moto's own update, so the lock token changes as on AWS).
* a second WAF writer, to test lost updates:
                    POST /_edgetop/second-writer {"web_acl": "edge-regional", "scope": "REGIONAL"|"CLOUDFRONT",
                         "rule": "GeoScrapers", ["action": "Block"|"Count"|"Allow"|"Captcha"|"None"|...],
                         ["inner_rule": "NoUserAgent_HEADER", "override": "Count"|null], ["times": 1]}
  When the next UpdateWebACL for that web ACL (Name and Scope) gets past IAM and fault injection, and before
  moto sees it, the peer updates the ACL the way another client would: through moto's own update_web_acl with
  the ACL's current lock token, so the lock token changes exactly as on a real update. "action" sets a plain
  rule's Action to {action: {}}, or the OverrideAction of a rule group (managed or referenced) rule, where only
  "None" and "Count" are allowed; "inner_rule" sets (or, with "override": null, removes) that rule's entry in
  the managed group statement's RuleActionOverrides ({"Name": inner_rule, "ActionToUse": {override: {}}}).
  The caller's request then goes on to moto with a stale LockToken and fails with WAFOptimisticLockException,
  as on AWS. Every pending entry for the ACL applies to each such request, "times" requests each (default 1).
  GET lists the pending entries (with the times left), DELETE clears them. The ACL and rule must exist, and
  the action fit the rule, when posting (else 400).
* CloudFront ETags and If-Match as CloudFront has them (moto ignores If-Match and never changes an ETag):
  each distribution has an ETag (at first moto's) that changes on every successful UpdateDistribution; it is
  the ETag header of CreateDistribution[WithTags], GetDistribution, GetDistributionConfig and
  UpdateDistribution. UpdateDistribution without If-Match -> 400 InvalidIfMatchVersion, with one that is not
  the current ETag -> 412 PreconditionFailed (restXml errors; moto's NoSuchDistribution comes first).
                    GET /_edgetop/requests/UpdateDistribution  ->  [{"id": ..., "if_match": ... or null,
                         "current_etag_before": ..., "status": 200|400|412|404...}, ...]  (each request that
                         got past IAM and fault injection, in order);  DELETE /_edgetop/requests clears.
                    POST /_edgetop/cloudfront/touch {"id": "<distribution id>"}  ->  {"id", "etag"}: a new
                         ETag, as if another writer had updated the distribution (404 if unknown). With
                         "before_next_update": true, that happens when the next UpdateDistribution of it
                         arrives, before it is checked: another writer between the caller's read and write.
* CloudFront deployment delay:
                    POST /_edgetop/cloudfront/deploy-delay {"polls": N}   (GET shows it and the pending polls)
  After each successful UpdateDistribution, the distribution's Status (the <Status> of UpdateDistribution's
  response, of the next N GetDistribution calls, and of its ListDistributions summary meanwhile) is
  "InProgress", then "Deployed". Only GetDistribution calls use up the N polls. N = -1: InProgress until the
  next deploy-delay and update. Default 0: "Deployed" right after an update. GetDistribution always reports
  Deployed when no polls are pending (moto: InProgress after CreateDistribution until its first read).
* counts calls per operation name:   GET /_edgetop/calls  ->  {"GetMetricData": 3, ...};
                                      POST /_edgetop/calls/reset (clears the log below too)
* logs each call with its time:       GET /_edgetop/call-log  ->  [[unix seconds, service, operation], ...]
  and where it went:                  GET /_edgetop/place-log ->  [[unix seconds, service, operation, region,
                                                                     access key id], ...]
* enforces IAM like AWS (off until switched on):
                    POST /_edgetop/iam {"enforce": true|false};  GET /_edgetop/iam  ->  {"enforce": ...}
  Every signed AWS request then needs a valid SigV4 signature by the access key of an IAM user moto knows
  (tests/aws/iam_user.py makes one), and that user's policies must allow the request's IAM action, named as AWS
  names it: apigateway:<HTTP method> on arn:aws:apigateway:<region>::<path> (e.g. apigateway:GET on
  arn:aws:apigateway:eu-west-1::/restapis/abc/stages), cloudwatch:<Operation> for CloudWatch (signing name
  "monitoring"), <signing name>:<Operation> otherwise (resource "*"). Policies are evaluated by moto's own
  moto.iam.access_control (Allow/Deny, Action/NotAction and Resource wildcards; no Condition keys); denials
  are written in the request's protocol (AccessDeniedException for awsJson/restJson1, AccessDenied for
  awsQuery/restXml). This covers the operations this layer answers itself too. moto's own enforcement
  (/moto-api/reset-auth, INITIAL_NO_AUTH_ACTION_COUNT) must stay off: in moto 5.2.5 it rejects every
  body-less REST request (API Gateway, CloudFront GETs) with SignatureDoesNotMatch, checks
  "monitoring:<Operation>" / "apigateway:<Operation>" against resource "*", and answers in an XML format the
  SDKs of awsJson/awsQuery services cannot parse.
* holds edgetop's GetResources to AWS's own quota on it (5 requests every 2 seconds per account): past it,
  429 TooManyRequestsException;
* keeps AWS's clock apart from this machine's:  POST /_edgetop/clock {"offset_seconds": N}: every answer's
  Date header says now + N, and a request whose X-Amz-Date is more than 5 minutes from that is refused with
  SignatureDoesNotMatch "Signature expired: …", as SigV4 refuses it (0: off, the default);
* injects faults:   POST /_edgetop/faults {"operation": "GetMetricData", "error": "ThrottlingException",
                                           "count": 1, ["status": 400], ["message": "..."], ["region": "..."]}
                    count -1 = until cleared; with "region", only calls signed for that region fail; DELETE /_edgetop/faults clears all; GET /_edgetop/faults lists them.
  The error is written in the protocol of the request: awsQuery XML, awsJson (__type), restJson1
  (x-amzn-ErrorType header) or restXml. Status: 500 for InternalFailure/InternalError/ServiceUnavailable,
  else 400, unless "status" is given.

Extras file (all members optional):
{
  "usage": {"<usagePlanId>": {"default_remaining": 10000,
                              "keys": {"<keyId>": {"YYYY-MM-DD": [used, remaining], ...}}}},
  "sampled_requests": [{"WebAclArn": "...", "Scope": "REGIONAL", "RuleMetricName": "...",
                        "Timestamp": 1700000000, "Request": {...}, "Weight": 1, "Action": "BLOCK", ...}],
  "web_acl_metric_names": {"<WebAclArn>": "<the ACL's own metric name: returns samples of every rule>"},
  "managed_keys": [{"Scope": "REGIONAL", "WebACLName": "...", "WebACLId": "...", "RuleName": "...",
                    "IPV4": ["203.0.113.5/32"], "IPV6": ["2001:db8::1/128"]}],
  "resources": {"<WebAclArn>": ["arn:..."]}
}
"""
import argparse
import base64
import copy
import datetime as dt
import io
import json
import os
import re
import sys
import threading
import time
import uuid
from urllib.parse import parse_qs

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_SESSION_TOKEN", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")

from botocore.loaders import Loader  # noqa: E402
from werkzeug.exceptions import HTTPException  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

import anomaly  # noqa: E402
import observability  # noqa: E402
from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)

JSON_TARGET_PREFIX = {
    "AWSWAF_20190729": "wafv2",
    "GraniteServiceVersion20100801": "cloudwatch",
}
SERVER_ERRORS = {"InternalFailure", "InternalError", "InternalServerError", "ServiceUnavailable",
                 "WAFInternalErrorException", "InternalServiceError"}


# ---------------------------------------------------------------------------------------------------------
# Identifying the operation of a request
# ---------------------------------------------------------------------------------------------------------

class RestRoutes:
    """Method + path -> operation name for REST protocols, built from botocore's service models."""

    def __init__(self, services):
        loader = Loader()
        self.routes = {}
        for service in services:
            model = loader.load_service_model(service, "service-2")
            routes = []
            for name, op in model["operations"].items():
                http = op["http"]
                uri = http["requestUri"]
                path, _, query = uri.partition("?")
                literal = len(re.sub(r"\{[^}]*\}", "", path))
                pattern = ""
                for part in re.split(r"(\{[^}]*\})", path):
                    if part.startswith("{"):
                        pattern += "(.+)" if part.endswith("+}") else "([^/]+)"
                    else:
                        pattern += re.escape(part)
                required_query = [q.split("=")[0] for q in query.split("&") if q]
                routes.append((literal + 10 * len(required_query), http["method"],
                               re.compile("^" + pattern.rstrip("/") + "/?$"), required_query, name))
            routes.sort(key=lambda r: -r[0])
            self.routes[service] = routes

    def operation(self, service, method, path, query):
        for _, m, rx, required_query, name in self.routes.get(service, []):
            if m == method and rx.match(path) and all(q in query for q in required_query):
                return name
        return None


class Call:
    __slots__ = ("service", "region", "account", "protocol", "operation", "body", "params", "path", "query")

    def __init__(self, service=None, protocol=None):
        self.service, self.protocol = service, protocol


def credential_scope(environ):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    m = re.search(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request", auth)
    return (m.group(2).lower(), m.group(1)) if m else (None, None)


def account_of(environ):
    """The account a request acts in, as moto decides it: the access key's (an assumed role's credentials act
    in the role's account), else moto's default account."""
    from moto.iam.models import get_account_id_from
    return get_account_id_from(access_key(environ) or "")


def access_key(environ):
    """The access key id a request is signed with: one per account (and per role session)."""
    m = re.search(r"Credential=([^/]+)/", environ.get("HTTP_AUTHORIZATION", ""))
    return m.group(1) if m else None


def read_body(environ):
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ["wsgi.input"]
    if length > 0:
        body = stream.read(length)
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def identify(environ, body, rest_routes):
    c = Call()
    c.body = body
    c.path = environ.get("PATH_INFO", "")
    c.query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    c.params = {}
    c.service, c.region = credential_scope(environ)
    c.account = account_of(environ)
    target = environ.get("HTTP_X_AMZ_TARGET")
    ctype = environ.get("CONTENT_TYPE", "")
    if environ.get("HTTP_SMITHY_PROTOCOL", "").startswith("rpc-v2-cbor"):
        c.protocol = "rpcv2Cbor"
        c.operation = c.path.rstrip("/").rsplit("/", 1)[-1]
        return c
    if target:
        prefix, _, op = target.rpartition(".")
        c.protocol = "json"
        c.operation = op
        c.service = c.service or JSON_TARGET_PREFIX.get(prefix)
        try:
            c.params = json.loads(body or b"{}")
        except ValueError:
            c.params = {}
        return c
    form = {}
    if ctype.startswith("application/x-www-form-urlencoded") and body:
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    action = (form.get("Action") or c.query.get("Action") or [None])[0]
    if action:
        c.protocol = "query"
        c.operation = action
        return c
    if c.service == "cloudfront":
        c.protocol = "rest-xml"
    elif c.service:
        c.protocol = "rest-json"
    else:
        c.protocol = None
    c.operation = rest_routes.operation(c.service, environ.get("REQUEST_METHOD", "GET"), c.path, c.query)
    return c


# ---------------------------------------------------------------------------------------------------------
# Error bodies in each protocol
# ---------------------------------------------------------------------------------------------------------

def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def error_response(call, code, message, status):
    request_id = str(uuid.uuid4())
    headers = [("x-amzn-RequestId", request_id)]
    kind = "Receiver" if status >= 500 else "Sender"
    if call.service == "ec2":  # EC2's own error document (EC2 API reference, "Error codes")
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{xml_escape(code)}</Code>'
                f"<Message>{xml_escape(message)}</Message></Error></Errors><RequestID>{request_id}</RequestID>"
                f"</Response>")
        headers += [("Content-Type", "text/xml")]
    elif call.protocol in ("query", "rest-xml"):
        ns = ("http://cloudfront.amazonaws.com/doc/2020-05-31/" if call.protocol == "rest-xml"
              else "http://monitoring.amazonaws.com/doc/2010-08-01/")
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="{ns}"><Error><Type>{kind}</Type>'
                f"<Code>{xml_escape(code)}</Code><Message>{xml_escape(message)}</Message></Error>"
                f"<RequestId>{request_id}</RequestId></ErrorResponse>")
        headers += [("Content-Type", "text/xml"), ("x-amzn-query-error", f"{code};{kind}")]
    elif call.protocol == "rest-json":
        body = json.dumps({"message": message})
        headers += [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
    elif call.protocol == "rpcv2Cbor":
        body = cbor_map({"__type": code, "message": message})
        headers += [("Content-Type", "application/cbor"), ("Smithy-Protocol", "rpc-v2-cbor")]
    else:  # awsJson 1.0/1.1
        body = json.dumps({"__type": code, "message": message})
        headers += [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code)]
    return status, headers, body


def cbor_map(d):
    def text(s):
        b = s.encode()
        n = len(b)
        if n < 24:
            head = bytes([0x60 | n])
        elif n < 256:
            head = bytes([0x78, n])
        else:
            head = bytes([0x79]) + n.to_bytes(2, "big")
        return head + b
    return bytes([0xA0 | len(d)]) + b"".join(text(k) + text(v) for k, v in d.items())


# ---------------------------------------------------------------------------------------------------------
# The middleware
# ---------------------------------------------------------------------------------------------------------

class EdgetopMiddleware:
    def __init__(self, app, extras_path):
        self.app = app
        self.extras_path = extras_path
        self.lock = threading.Lock()
        self.calls = {}
        self.call_log = []  # [time, service, operation] per call that got past IAM, in order
        self.place_log = []  # the same calls as [time, service, operation, region, access key id]
        self.faults = {}  # operation -> {"error", "count", "status", "message"}
        self.rest_routes = RestRoutes(["apigateway", "cloudfront", "oam"])
        self.observability = observability.Observability()  # OAM sinks and links (tests/aws/observability.py)
        self.iam_enforce = False
        self.second_writers = []  # pending interleavings of UpdateWebACL, see /_edgetop/second-writer
        self.ip_set_writers = []  # pending interleavings of UpdateIPSet, see /_edgetop/ip-set-writer
        self.domain_mtls = {}  # domain name -> mutualTlsAuthentication, as CreateDomainName was given it
        self.cf_lock = threading.Lock()  # guards the CloudFront state below; never taken together with self.lock
        self.cf_etags = {}  # distribution id -> its current ETag
        self.cf_touch_next = set()  # distribution ids whose next UpdateDistribution meets another writer
        self.cf_polls = {}  # distribution id -> GetDistribution calls still to report InProgress (-1: forever)
        self.cf_deploy_delay = 0
        self.cf_requests = []  # UpdateDistribution requests, as GET /_edgetop/requests/UpdateDistribution shows
        self.holds = {}  # operation -> threading.Event: its calls wait until released (see /_edgetop/hold)
        self.waiting = {}  # operation -> calls waiting on a hold now
        self.while_held = {}  # operation -> calls that arrived while another call was held
        self.strange_ids = False  # GetMetricData answers carry ids nobody asked for (see /_edgetop/strange-ids)
        self.queries = {}  # Logs Insights query id -> its query, window, answer and status (see logs_query)
        self.query_plan = {"polls": 0, "status": "Complete"}  # how the next queries go (/_edgetop/logs/queries)
        self.attacks = []  # Shield Advanced's attacks, as DescribeAttack gives them (see /_edgetop/shield-attacks)
        self.valueless = set()  # API key ids whose value GetApiKey(s) leave out (see /_edgetop/valueless-keys)
        self.get_resources = {}  # account -> times of edgetop's GetResources calls (AWS's own quota on it)
        self.clock_offset = 0.0  # AWS's clock against this machine's, seconds (see /_edgetop/clock)

    # -- plumbing --
    def extras(self):
        try:
            with open(self.extras_path, "rb") as f:
                return json.load(f)
        except (OSError, ValueError, TypeError):
            return {}

    @staticmethod
    def respond(start_response, status, headers, body):
        if isinstance(body, str):
            body = body.encode("utf-8")
        reasons = {200: "OK", 201: "Created", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
                   401: "Unauthorized", 409: "Conflict", 412: "Precondition Failed", 429: "Too Many Requests",
                   500: "Internal Server Error", 503: "Service Unavailable"}
        headers = list(headers) + [("Content-Length", str(len(body)))]
        start_response(f"{status} {reasons.get(status, 'Status')}", headers)
        return [body]

    def json_ok(self, start_response, obj, content_type="application/json"):
        return self.respond(start_response, 200, [("Content-Type", content_type),
                                                  ("x-amzn-RequestId", str(uuid.uuid4()))], json.dumps(obj))

    def json_error(self, start_response, status, message):
        return self.respond(start_response, status, [("Content-Type", "application/json")],
                            json.dumps({"message": message}))

    def forward(self, environ):
        """moto's answer to the request, as (status code, headers, body)."""
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        body = b"".join(self.app(environ, capture))
        return int(captured["status"].split()[0]), captured["headers"], body

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_edgetop/"):
            return self.control(environ, start_response, path)
        if self.clock_offset:
            return self.with_clock(environ, start_response)
        return self.serve(environ, start_response)

    def with_clock(self, environ, start_response):
        """AWS's clock, `clock_offset` seconds from this machine's (every answer's Date header reads it:
        ClockedRequestHandler): a request signed more than 5 minutes from it is refused as SigV4 refuses it (STS,
        awsQuery: SignatureDoesNotMatch "Signature expired: <X-Amz-Date> is now earlier than <now - 5 min>
        (<now> - 5 min.)")."""
        now = time.time() + self.clock_offset
        signed = environ.get("HTTP_X_AMZ_DATE", "")
        try:
            at = dt.datetime.strptime(signed, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc).timestamp()
        except ValueError:
            at = None
        if at is not None and abs(now - at) > 300:
            stamp = lambda t: dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            when, bound, sign = ("earlier", now - 300, "-") if at < now else ("later", now + 300, "+")
            message = f"Signature expired: {signed} is now {when} than {stamp(bound)} ({stamp(now)} {sign} 5 min.)"
            call = identify(environ, read_body(environ), self.rest_routes)
            return self.respond(start_response, *error_response(call, "SignatureDoesNotMatch", message, 403))
        return self.serve(environ, start_response)

    def serve(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/federation/credentials":
            # The SSO portal's GetRoleCredentials (botocore's sso model: GET
            # /federation/credentials, the token in x-amz-sso_bearer_token, unsigned). This peer
            # starts no SSO session, so every token is one AWS no longer knows (expired, or
            # from another host): AWS answers 401 UnauthorizedException.
            return self.respond(start_response, 401,
                                [("Content-Type", "application/json"),
                                 ("x-amzn-ErrorType", "UnauthorizedException")],
                                json.dumps({"message": "Session token not found or invalid"}).encode())
        body = read_body(environ)
        call = identify(environ, body, self.rest_routes)
        op = call.operation
        if self.iam_enforce and not path.startswith("/moto-api/"):
            denied = authorize(environ, call)
            if denied:
                if op:
                    with self.lock:
                        self.calls[op] = self.calls.get(op, 0) + 1
                return self.respond(start_response, *denied)
        if op:
            with self.lock:
                if any(self.waiting.values()):
                    self.while_held[op] = self.while_held.get(op, 0) + 1
                hold = self.holds.get(op)
                if hold is not None and hold["region"] not in (None, call.region):
                    hold = None
                if hold is not None and hold["skip"] > 0:
                    hold["skip"] -= 1
                    hold = None
                if hold is not None and hold["count"] == 0:
                    hold = None
                if hold is not None:
                    hold["count"] -= 1
                    hold = hold["event"]
                    self.waiting[op] = self.waiting.get(op, 0) + 1
            if hold is not None:
                hold.wait(timeout=300)
                with self.lock:
                    self.waiting[op] -= 1
            with self.lock:
                self.calls[op] = self.calls.get(op, 0) + 1
                self.call_log.append([time.time(), call.service, op])
                self.place_log.append([time.time(), call.service, op, call.region, access_key(environ)])
                fault = self.faults.get(op)
                if fault and fault.get("region") not in (None, call.region):
                    fault = None
                if fault and fault["count"] != 0:
                    if fault["count"] > 0:
                        fault["count"] -= 1
                    fault = dict(fault)
                else:
                    fault = None
            if fault:
                code = fault["error"]
                status = fault.get("status") or (500 if code in SERVER_ERRORS else 400)
                message = fault.get("message") or f"edgetop fault injection: {code} for {op}"
                return self.respond(start_response, *error_response(call, code, message, status))
            handler = {
                ("apigateway", "GetUsage"): self.get_usage,
                ("apigateway", "GetAccount"): self.get_account,
                ("wafv2", "GetSampledRequests"): self.get_sampled_requests,
                ("wafv2", "GetRateBasedStatementManagedKeys"): self.get_managed_keys,
                ("wafv2", "ListResourcesForWebACL"): self.list_resources_for_web_acl,
                ("wafv2", "DescribeManagedRuleGroup"): self.describe_managed_rule_group,
                ("logs", "StartQuery"): self.start_query,
                ("logs", "GetQueryResults"): self.get_query_results,
                ("logs", "StopQuery"): self.stop_query,
                ("shield", "ListAttacks"): self.list_attacks,
                ("shield", "DescribeAttack"): self.describe_attack,
                ("iam", "SimulatePrincipalPolicy"): self.simulate_principal_policy,
            }.get((call.service, op))
            if handler:
                try:
                    return handler(call, start_response)
                except ApiError as e:
                    return self.respond(start_response, *error_response(call, e.code, e.message, e.status))
            if call.service == "shield" and op == "DescribeSubscription":
                return self.shield_subscription(environ, start_response)
            if call.service == "apigateway" and op == "CreateDomainName":
                self.remember_mtls(call)
            if call.service == "apigateway" and op == "GetApiKey" and self.valueless:
                return self.without_values(environ, start_response)
            if call.service == "apigateway" and op == "GetResources" and self.over_resources_quota(call, environ):
                return self.respond(start_response, *error_response(
                    call, "TooManyRequestsException", "Too Many Requests", 429))
            if call.service == "apigateway" and op in self.PAGED_APIGATEWAY:
                return self.page_apigateway(call, environ, start_response)
            if call.service == "wafv2" and op == "UpdateWebACL":
                self.run_second_writers(call)
            if call.service == "wafv2" and op == "UpdateIPSet":
                self.run_ip_set_writers(call)
            if call.service == "oam":
                return self.oam(call, start_response)
            if call.service == "monitoring" and op == "DescribeAlarms":
                return self.describe_alarms(call, environ, start_response)
            if call.service == "monitoring" and op == "GetMetricData":
                try:
                    answer = anomaly.answer(body, lambda b: self.ask_in(environ, b, call.account))
                except anomaly.BandError as e:
                    return self.respond(start_response, *error_response(call, e.code, e.message, e.status))
                if answer:
                    return self.respond(start_response, answer[0], without_length(answer[1]), answer[2])
            if call.service == "monitoring" and op in ("GetMetricData", "ListMetrics"):
                with self.lock:
                    answer = self.observability.cloudwatch(op, call.account, call.region, body,
                                                           lambda b, a: self.ask_in(environ, b, a))
                if answer:
                    return self.respond(start_response, answer[0], without_length(answer[1]), answer[2])
            if op == "GetMetricData" and self.strange_ids:
                return self.get_metric_data_with_strange_ids(environ, start_response)
            if call.service == "cloudfront" and op in self.CLOUDFRONT_ETAGGED:
                return self.cloudfront_distribution(call, environ, start_response)
        v2_authorizers = re.fullmatch(r"/v2/apis/([^/]+)/authorizers/?", path)
        if call.service == "apigateway" and v2_authorizers and environ.get("REQUEST_METHOD") == "GET":
            return self.http_api_authorizers(call, v2_authorizers.group(1), start_response)
        return self.app(environ, start_response)

    # moto 5.2.5 creates and gets an HTTP API's authorizers one by one but cannot list them
    # (apigatewayv2 GetAuthorizers: GET /v2/apis/{apiId}/authorizers -> {"items": [...]}).
    def http_api_authorizers(self, call, api_id, start_response):
        from moto.apigatewayv2.models import apigatewayv2_backends
        apis = apigatewayv2_backends[call.account][call.region].apis
        if api_id not in apis:
            return self.respond(start_response, *error_response(
                call, "NotFoundException", f"Invalid API identifier specified {api_id}", 404))
        items = [a.to_json() for a in apis[api_id].authorizers.values()]
        return self.json_ok(start_response, {"items": items})

    # moto returns every item of these at once; AWS pages them with limit (default 25, max 500) and position.
    PAGED_APIGATEWAY = {"GetRestApis", "GetApiKeys", "GetUsagePlans", "GetUsagePlanKeys", "GetResources",
                        "GetAuthorizers", "GetDomainNames", "GetBasePathMappings"}

    # moto writes a subscription's StartTime and EndTime as "dd/mm/YYYY, HH:MM:SS" strings; awsJson timestamps
    # are epoch seconds, as AWS sends them.
    def shield_subscription(self, environ, start_response):
        status, headers, body = self.forward(environ)
        if status == 200:
            doc = json.loads(body)
            sub = doc.get("Subscription", {})
            for k in ("StartTime", "EndTime"):
                if isinstance(sub.get(k), str):
                    t = dt.datetime.strptime(sub[k], "%d/%m/%Y, %H:%M:%S").replace(tzinfo=dt.timezone.utc)
                    sub[k] = t.timestamp()
            body = json.dumps(doc)
        return self.respond(start_response, status, without_length(headers), body)

    # moto keeps no mutual TLS of a domain name: the peer keeps what CreateDomainName was given and returns it
    # as AWS does (mutualTlsAuthentication {truststoreUri, truststoreVersion, truststoreWarnings}).
    def remember_mtls(self, call):
        try:
            req = json.loads(call.body or b"{}")
        except ValueError:
            return
        mtls = req.get("mutualTlsAuthentication")
        if mtls and req.get("domainName"):
            with self.lock:
                self.domain_mtls[req["domainName"]] = {
                    "truststoreUri": mtls.get("truststoreUri"),
                    "truststoreVersion": mtls.get("truststoreVersion") or "1", "truststoreWarnings": []}

    # GetResources has a quota of its own, on top of the account's: "5 requests every 2 seconds per account"
    # (API Gateway quotas, "API Gateway quotas for creating, deploying and managing an API"). A call past it is
    # answered 429 TooManyRequestsException, as the account's throttle is. Held to edgetop's calls (the AWS SDK
    # for Rust's user agent): the seed scripts' calls are setup, not what is tested.
    RESOURCES_QUOTA = (5, 2.0)

    def over_resources_quota(self, call, environ):
        if "aws-sdk-rust" not in environ.get("HTTP_USER_AGENT", "") + environ.get("HTTP_X_AMZ_USER_AGENT", ""):
            return False
        n, window = self.RESOURCES_QUOTA
        now = time.time()
        with self.lock:
            recent = [t for t in self.get_resources.get(call.account, []) if now - t < window]
            over = len(recent) >= n
            if not over:
                recent.append(now)
            self.get_resources[call.account] = recent
        return over

    # A key whose value AWS did not return (GetApiKey/GetApiKeys with includeValue(s)): the answer has no
    # "value" member, as the API model allows (ApiKey.value is optional).
    def without_values(self, environ, start_response):
        status, headers, body = self.forward(environ)
        if status == 200:
            doc = json.loads(body)
            for k in [doc] + doc.get("item", []):
                if k.get("id") in self.valueless:
                    k.pop("value", None)
            body = json.dumps(doc)
        return self.respond(start_response, status, without_length(headers), body)

    def page_apigateway(self, call, environ, start_response):
        status, headers, body = self.forward(environ)
        if status != 200:
            return self.respond(start_response, status, without_length(headers), body)
        if call.operation == "GetApiKeys" and self.valueless:
            doc = json.loads(body)
            for k in doc.get("item", []):
                if k.get("id") in self.valueless:
                    k.pop("value", None)
            body = json.dumps(doc).encode()
        q = {k: v[0] for k, v in call.query.items()}
        try:
            limit = int(q.get("limit") or 25)
            offset = int(base64.urlsafe_b64decode(q["position"].encode()).decode()) if q.get("position") else 0
        except ValueError:
            bad = error_response(call, "BadRequestException", "Invalid limit or position", 400)
            return self.respond(start_response, *bad)
        if not 1 <= limit <= 500:
            return self.respond(start_response, *error_response(
                call, "BadRequestException", "1 validation error detected: limit must be between 1 and 500", 400))
        doc = json.loads(body)
        items = doc.get("item", [])
        # AWS embeds each method's settings only when asked (embed=methods); else a method is {} (moto always
        # embeds them).
        if call.operation == "GetDomainNames":
            for d in items:
                mtls = self.domain_mtls.get(d.get("domainName"))
                if mtls:
                    d["mutualTlsAuthentication"] = mtls
        if call.operation == "GetResources" and "methods" not in q.get("embed", "").split(","):
            for r in items:
                if "resourceMethods" in r:
                    r["resourceMethods"] = {verb: {} for verb in r["resourceMethods"]}
        doc["item"] = items[offset:offset + limit]
        doc.pop("position", None)
        if offset + limit < len(items):
            doc["position"] = base64.urlsafe_b64encode(str(offset + limit).encode()).decode()
        return self.respond(start_response, 200, without_length(headers), json.dumps(doc))

    def control(self, environ, start_response, path):
        method = environ.get("REQUEST_METHOD")
        body = read_body(environ)
        if path.startswith(("/_edgetop/cloudfront/", "/_edgetop/requests")):
            return self.cloudfront_control(start_response, method, path, body)
        if path == "/_edgetop/second-writer":
            return self.second_writer_control(start_response, method, body)
        if path == "/_edgetop/ip-set-writer" and method == "POST":
            spec = json.loads(body or b"{}")
            w = {"ip_set": str(spec["ip_set"]), "scope": spec.get("scope", "REGIONAL"),
                 "add": [str(a) for a in spec["add"]], "times": int(spec.get("times", 1))}
            with self.lock:
                self.ip_set_writers.append(w)
                return self.json_ok(start_response, list(self.ip_set_writers))
        if path == "/_edgetop/hold":
            return self.hold_control(start_response, method, body)
        if path == "/_edgetop/logs/queries":
            return self.query_control(start_response, method, body)
        if path == "/_edgetop/strange-ids" and method == "POST":
            self.strange_ids = True
            return self.json_ok(start_response, {"strange_ids": True})
        if path == "/_edgetop/shield-attacks" and method == "POST":
            self.attacks = json.loads(body or b"{}").get("attacks", [])
            return self.json_ok(start_response, {"attacks": len(self.attacks)})
        if path == "/_edgetop/clock" and method == "POST":
            self.clock_offset = float(json.loads(body or b"{}").get("offset_seconds", 0))
            return self.json_ok(start_response, {"offset_seconds": self.clock_offset})
        if path == "/_edgetop/valueless-keys" and method == "POST":
            self.valueless = set(json.loads(body or b"{}").get("ids", []))
            return self.json_ok(start_response, {"ids": sorted(self.valueless)})
        with self.lock:
            if path == "/_edgetop/calls" and method == "GET":
                return self.json_ok(start_response, dict(sorted(self.calls.items())))
            if path == "/_edgetop/call-log" and method == "GET":
                return self.json_ok(start_response, self.call_log)
            if path == "/_edgetop/metric-accounts" and method == "GET":
                return self.json_ok(start_response, self.observability.log)
            if path == "/_edgetop/place-log" and method == "GET":
                return self.json_ok(start_response, self.place_log)
            if path == "/_edgetop/calls/reset" and method == "POST":
                self.call_log.clear()
                self.place_log.clear()
                self.observability.log.clear()
                self.calls.clear()
                return self.json_ok(start_response, {})
            if path == "/_edgetop/iam" and method == "GET":
                return self.json_ok(start_response, {"enforce": self.iam_enforce})
            if path == "/_edgetop/iam" and method == "POST":
                try:
                    self.iam_enforce = bool(json.loads(body or b"{}")["enforce"])
                except (ValueError, KeyError, TypeError) as e:
                    return self.respond(start_response, 400, [("Content-Type", "application/json")],
                                        json.dumps({"message": f"bad iam spec: {e}"}))
                return self.json_ok(start_response, {"enforce": self.iam_enforce})
            if path == "/_edgetop/faults" and method == "GET":
                return self.json_ok(start_response, self.faults)
            if path == "/_edgetop/faults" and method == "DELETE":
                self.faults.clear()
                return self.json_ok(start_response, {})
            if path == "/_edgetop/faults" and method == "POST":
                try:
                    spec = json.loads(body or b"{}")
                    specs = spec if isinstance(spec, list) else [spec]
                    for s in specs:
                        self.faults[str(s["operation"])] = {
                            "error": str(s.get("error", "ThrottlingException")),
                            "count": int(s.get("count", 1)),
                            "status": int(s["status"]) if s.get("status") else None,
                            "message": s.get("message"),
                            "region": s.get("region"),
                        }
                except (ValueError, KeyError, TypeError) as e:
                    return self.respond(start_response, 400, [("Content-Type", "application/json")],
                                        json.dumps({"message": f"bad fault spec: {e}"}))
                return self.json_ok(start_response, self.faults)
        return self.json_error(start_response, 404, f"no such control endpoint: {method} {path}")

    # -- Logs Insights: moto stores events but ignores filter and stats; tests/aws/insights.py evaluates them --
    def query_control(self, start_response, method, body):
        with self.lock:
            if method == "POST":
                try:
                    spec = json.loads(body or b"{}")
                    plan = {"polls": int(spec.get("polls", 0)), "status": str(spec.get("status", "Complete"))}
                except (ValueError, TypeError) as e:
                    return self.json_error(start_response, 400, f"bad query spec: {e}")
                if plan["status"] not in ("Complete", "Failed", "Timeout", "Cancelled"):
                    return self.json_error(start_response, 400, "status: Complete, Failed, Timeout or Cancelled")
                self.query_plan = plan
            elif method == "DELETE":
                self.queries.clear()
                self.query_plan = {"polls": 0, "status": "Complete"}
            listed = [{"id": i, "query": q["query"], "groups": q["groups"], "start": q["start"], "end": q["end"],
                       "status": q["status"], "stopped": q["stopped"], "region": q["region"]}
                      for i, q in self.queries.items()]
            return self.json_ok(start_response, {"plan": self.query_plan, "queries": listed})

    LOGS_JSON = "application/x-amz-json-1.1"

    def start_query(self, call, start_response):
        """StartQuery, answered at once from the stored events; GetQueryResults gives it out as planned."""
        from moto.logs.models import logs_backends

        import insights
        p = call.params
        names = p.get("logGroupNames") or p.get("logGroupIdentifiers") or (
            [p["logGroupName"]] if p.get("logGroupName") else [])
        if not names or not p.get("queryString"):
            raise ApiError("InvalidParameterException", "a query needs log groups and a query string")
        backend = logs_backends[call.account][call.region]
        start, end = int(p.get("startTime", 0)), int(p.get("endTime", 0))
        events = []
        for name in names:
            group = backend.groups.get(name.split(":log-group:")[-1].removesuffix(":*"))
            if group is None:
                raise ApiError("ResourceNotFoundException", "The specified log group does not exist.")
            for stream in group.streams.values():
                events.extend({"timestamp": e.timestamp, "message": e.message, "log": group.name,
                               "stream": stream.log_stream_name}
                              for e in stream.events if start * 1000 <= e.timestamp <= end * 1000)
        with self.lock:
            if sum(1 for q in self.queries.values() if q["status"] == "Running") >= 30:
                raise ApiError("LimitExceededException", "Account maximum query concurrency limit of [30] reached.")
        try:
            rows, stats = insights.run(p["queryString"], events)
        except insights.Malformed as e:
            raise ApiError("MalformedQueryException", str(e))
        qid = str(uuid.uuid4())
        with self.lock:
            self.queries[qid] = {"query": p["queryString"], "groups": names, "start": start, "end": end,
                                 "rows": rows, "stats": stats, "polls": self.query_plan["polls"],
                                 "final": self.query_plan["status"], "status": "Running", "stopped": False,
                                 "region": call.region}
        return self.json_ok(start_response, {"queryId": qid}, self.LOGS_JSON)

    # Shield's ListAttacks (API model: StartTime and EndTime are TimeRanges {FromInclusive, ToExclusive}, each
    # optional, filtering on the attack's start and end; MaxResults 0-10000, 20 when absent; NextToken) and
    # DescribeAttack. An attack still going on has no EndTime, and an EndTime range leaves it out.
    SHIELD_JSON = "application/x-amz-json-1.1"

    def list_attacks(self, call, start_response):
        p = call.params

        def within(t, rng):
            if not rng:
                return True
            if t is None:
                return False
            return rng.get("FromInclusive", float("-inf")) <= t < rng.get("ToExclusive", float("inf"))

        limit = int(p.get("MaxResults", 20))
        if not 0 <= limit <= 10000:
            raise ApiError("InvalidParameterException", "MaxResults must be between 0 and 10000")
        chosen = [a for a in self.attacks
                  if within(a.get("StartTime"), p.get("StartTime")) and within(a.get("EndTime"), p.get("EndTime"))]
        start = int(p.get("NextToken") or 0)
        limit = limit or 20
        page = chosen[start:start + limit]
        out = {"AttackSummaries": [
            {k: v for k, v in {"AttackId": a["AttackId"], "ResourceArn": a.get("ResourceArn"),
                               "StartTime": a.get("StartTime"), "EndTime": a.get("EndTime"),
                               "AttackVectors": [{"VectorType": v} for v in a.get("Vectors", [])]}.items()
             if v is not None}
            for a in page]}
        if start + limit < len(chosen):
            out["NextToken"] = str(start + limit)
        return self.json_ok(start_response, out, self.SHIELD_JSON)

    # moto 5.2.5 has no SimulatePrincipalPolicy (IAM, awsQuery): answered from moto's own users, roles and
    # policies (simulated_decisions), in IAM's response shape (botocore's iam model).
    def simulate_principal_policy(self, call, start_response):
        from moto.core.exceptions import ServiceException
        form = parse_qs(call.body.decode("utf-8", "replace"), keep_blank_values=True)

        def members(name):
            found = sorted((k for k in form if k.startswith(name + ".member.")),
                           key=lambda k: int(k.rsplit(".", 1)[1]))
            return [form[k][0] for k in found]

        source = (form.get("PolicySourceArn") or [""])[0]
        try:
            decisions = simulated_decisions(call.account, source, members("ActionNames"), members("ResourceArns"))
        except ServiceException as e:  # NoSuchEntity: IAM answers it with 404
            raise ApiError(e.code, e.message, 404)
        results = "".join(
            f"<member><EvalActionName>{xml_escape(a)}</EvalActionName>"
            f"<EvalResourceName>{xml_escape(r)}</EvalResourceName><EvalDecision>{d}</EvalDecision>"
            f"<MatchedStatements/><MissingContextValues/></member>"
            for a, r, d in decisions)
        body = ('<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
                f"<SimulatePrincipalPolicyResult><IsTruncated>false</IsTruncated>"
                f"<EvaluationResults>{results}</EvaluationResults></SimulatePrincipalPolicyResult>"
                f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
                "</SimulatePrincipalPolicyResponse>")
        return self.respond(start_response, 200, [("Content-Type", "text/xml")], body)

    def describe_attack(self, call, start_response):
        wanted = call.params.get("AttackId")
        for a in self.attacks:
            if a["AttackId"] == wanted:
                detail = {k: v for k, v in a.items() if k != "Vectors"}
                return self.json_ok(start_response, {"Attack": detail}, self.SHIELD_JSON)
        raise ApiError("AccessDeniedException", f"no attack {wanted} in this account")

    def get_query_results(self, call, start_response):
        with self.lock:
            q = self.queries.get(call.params.get("queryId"))
            if q is None:
                raise ApiError("ResourceNotFoundException", "The specified query does not exist.")
            if q["status"] == "Running":
                if q["polls"] == 0:
                    q["status"] = q["final"]
                elif q["polls"] > 0:
                    q["polls"] -= 1
            status = q["status"]
            zero = {"recordsMatched": 0.0, "recordsScanned": 0.0, "bytesScanned": 0.0}
            done = status == "Complete"
            return self.json_ok(start_response, {"status": status, "results": q["rows"] if done else [],
                                                 "statistics": q["stats"] if done else zero}, self.LOGS_JSON)

    def stop_query(self, call, start_response):
        with self.lock:
            q = self.queries.get(call.params.get("queryId"))
            if q is None:
                raise ApiError("ResourceNotFoundException", "The specified query does not exist.")
            running = q["status"] == "Running"
            if running:
                q["status"], q["stopped"] = "Cancelled", True
            return self.json_ok(start_response, {"success": running}, self.LOGS_JSON)

    def oam(self, call, start_response):
        try:
            with self.lock:
                answer = self.observability.answer(call.operation, call.account, call.region, call.body)
        except observability.OamError as e:
            return self.respond(start_response, *error_response(call, e.code, e.message, e.status))
        return self.json_ok(start_response, answer)

    def ask_in(self, environ, body, account):
        """moto's answer to this request with another form body, in another account."""
        inner = dict(environ)
        inner["wsgi.input"] = io.BytesIO(body)
        inner["CONTENT_LENGTH"] = str(len(body))
        inner["HTTP_X_MOTO_ACCOUNT_ID"] = account
        return self.forward(inner)

    def get_metric_data_with_strange_ids(self, environ, start_response):
        """moto's answer with every result id replaced by one that was not asked for: a huge index, another
        letter, an empty one. A client must match answers to its questions, never trust the id."""
        status, headers, body = self.forward(environ)
        text = body.decode("utf-8")
        strange = iter(["m99999999999", "x1", "", "m-1", "m18446744073709551616"] * 10000)
        text = re.sub(r"<Id>[^<]*</Id>", lambda _: f"<Id>{next(strange)}</Id>", text)
        return self.respond(start_response, status, without_length(headers), text)

    def hold_control(self, start_response, method, body):
        """POST {"operation": op[, "region": r][, "skip": n][, "count": m]}: that operation's calls (signed for
        region r only, when given; after the next n of them, when given; only m of them, when given) wait (a slow
        AWS, a blackholed region) until DELETE releases them.
        GET: which calls wait now, and which calls arrived while one waited."""
        with self.lock:
            if method == "POST":
                try:
                    spec = json.loads(body or b"{}")
                    op = str(spec["operation"])
                except (ValueError, KeyError, TypeError) as e:
                    return self.json_error(start_response, 400, f"bad hold spec: {e}")
                self.holds[op] = {"event": threading.Event(), "region": spec.get("region"),
                                  "skip": int(spec.get("skip", 0)), "count": int(spec.get("count", -1))}
                self.while_held.clear()
            elif method == "DELETE":
                for h in self.holds.values():
                    h["event"].set()
                self.holds.clear()
            elif method != "GET":
                return self.json_error(start_response, 404, f"no such control endpoint: {method} /_edgetop/hold")
            return self.json_ok(start_response, {"waiting": dict(self.waiting), "while_held": dict(self.while_held)})

    def second_writer_control(self, start_response, method, body):
        if method == "GET":
            with self.lock:
                return self.json_ok(start_response, [dict(w) for w in self.second_writers])
        if method == "DELETE":
            with self.lock:
                self.second_writers.clear()
            return self.json_ok(start_response, [])
        if method != "POST":
            return self.json_error(start_response, 404, f"no such control endpoint: {method} /_edgetop/second-writer")
        try:
            spec = json.loads(body or b"{}")
            specs = [check_second_writer(s) for s in (spec if isinstance(spec, list) else [spec])]
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            return self.json_error(start_response, 400, f"bad second-writer spec: {e}")
        with self.lock:
            self.second_writers += specs
            return self.json_ok(start_response, [dict(w) for w in self.second_writers])

    def cloudfront_control(self, start_response, method, path, body):
        try:
            spec = json.loads(body or b"{}") if method == "POST" else {}
            with self.cf_lock:
                if path == "/_edgetop/requests/UpdateDistribution" and method == "GET":
                    return self.json_ok(start_response, self.cf_requests)
                if path == "/_edgetop/requests" and method == "DELETE":
                    self.cf_requests.clear()
                    return self.json_ok(start_response, {})
                if path == "/_edgetop/cloudfront/deploy-delay" and method == "GET":
                    return self.json_ok(start_response, {"polls": self.cf_deploy_delay, "pending": self.cf_polls})
                if path == "/_edgetop/cloudfront/deploy-delay" and method == "POST":
                    polls = int(spec["polls"])
                    if polls < -1:
                        raise ValueError("polls must be -1 or more")
                    self.cf_deploy_delay = polls
                    return self.json_ok(start_response, {"polls": self.cf_deploy_delay, "pending": self.cf_polls})
                if path == "/_edgetop/cloudfront/touch" and method == "POST":
                    dist_id = str(spec["id"])
                    if self.current_etag(dist_id) is None:
                        return self.json_error(start_response, 404, f"no such distribution: {dist_id}")
                    if spec.get("before_next_update"):
                        self.cf_touch_next.add(dist_id)
                    else:
                        self.cf_etags[dist_id] = new_etag()
                    return self.json_ok(start_response, {"id": dist_id, "etag": self.cf_etags[dist_id]})
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            return self.json_error(start_response, 400, f"bad spec: {e}")
        return self.json_error(start_response, 404, f"no such control endpoint: {method} {path}")

    # -- apigateway GetUsage --
    def get_account(self, call, start_response):
        """moto's account always has the default throttle; the seed may give a region's lower one."""
        throttle = self.extras().get("account_throttle") or {"rateLimit": 10000.0, "burstLimit": 5000}
        return self.json_ok(start_response, {"throttleSettings": throttle, "features": ["UsagePlans"],
                                             "apiKeyVersion": "4"})

    def get_usage(self, call, start_response):
        plan_id = call.path.rstrip("/").split("/")[-2]
        q = {k: v[0] for k, v in call.query.items()}
        try:
            start = dt.date.fromisoformat(q["startDate"])
            end = dt.date.fromisoformat(q["endDate"])
        except (KeyError, ValueError):
            raise ApiError("BadRequestException", "startDate and endDate must be dates like 2016-01-01")
        if end < start:
            raise ApiError("BadRequestException", "The end date must not be before the start date")
        if (end - start).days > 90:
            raise ApiError("BadRequestException", "The usage data period cannot exceed 90 days")
        from moto.apigateway import apigateway_backends
        backend = apigateway_backends[call.account][call.region or "us-east-1"]
        if plan_id not in backend.usage_plans:
            raise ApiError("NotFoundException", "Invalid Usage Plan ID specified", 404)
        plan = self.extras().get("usage", {}).get(plan_id, {})
        default_remaining = plan.get("default_remaining", 0)
        keys = plan.get("keys", {})
        key_ids = sorted(set(keys) | set(backend.usage_plan_keys.get(plan_id, {})))
        if "keyId" in q:
            key_ids = [k for k in key_ids if k == q["keyId"]]
        limit = max(1, min(500, int(q.get("limit") or 25)))
        offset = 0
        if q.get("position"):
            try:
                offset = int(base64.urlsafe_b64decode(q["position"].encode()).decode())
            except ValueError:
                raise ApiError("BadRequestException", "Invalid position")
        page = key_ids[offset:offset + limit]
        days = [(start + dt.timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
        values = {}
        for key_id in page:
            per_day = keys.get(key_id, {})
            values[key_id] = [per_day.get(d, [0, default_remaining]) for d in days]
        out = {"usagePlanId": plan_id, "startDate": start.isoformat(), "endDate": end.isoformat(),
               "values": values}
        if offset + limit < len(key_ids):
            out["position"] = base64.urlsafe_b64encode(str(offset + limit).encode()).decode()
        return self.json_ok(start_response, out)

    # -- wafv2 --
    @staticmethod
    def wafv2_acls():
        from moto.wafv2.models import wafv2_backends
        for account_id in list(wafv2_backends.keys()):
            account = wafv2_backends[account_id]
            for region in list(account.keys()):
                for arn, acl in list(account[region].wacls.items()):
                    yield arn, acl

    def get_sampled_requests(self, call, start_response):
        p = call.params
        for required in ("WebAclArn", "RuleMetricName", "Scope", "TimeWindow", "MaxItems"):
            if required not in p:
                raise ApiError("WAFInvalidParameterException", f"{required} is required")
        max_items = int(p["MaxItems"])
        if not 1 <= max_items <= 500:
            raise ApiError("WAFInvalidParameterException", "MaxItems must be between 1 and 500")
        start = to_epoch(p["TimeWindow"].get("StartTime"))
        end = to_epoch(p["TimeWindow"].get("EndTime"))
        if start is None or end is None or end < start:
            raise ApiError("WAFInvalidParameterException", "TimeWindow is invalid")
        arn, metric, scope = p["WebAclArn"], p["RuleMetricName"], p["Scope"]
        extras = self.extras()
        acl_metric = extras.get("web_acl_metric_names", {}).get(arn)
        known = any(a == arn for a, _ in self.wafv2_acls()) or any(
            s.get("WebAclArn") == arn for s in extras.get("sampled_requests", []))
        if not known:
            raise ApiError("WAFNonexistentItemException",
                           "WAF couldn't perform the operation because your resource doesn't exist.")
        matched = [s for s in extras.get("sampled_requests", [])
                   if s.get("WebAclArn") == arn and s.get("Scope", scope) == scope
                   and (metric == acl_metric or s.get("RuleMetricName") == metric)
                   and start <= s.get("Timestamp", 0) <= end]
        matched.sort(key=lambda s: s["Timestamp"])
        population = len(matched)
        sample = matched[:max_items]
        fields = ("Request", "Weight", "Timestamp", "Action", "RuleNameWithinRuleGroup", "RequestHeadersInserted",
                  "ResponseCodeSent", "Labels", "CaptchaResponse", "ChallengeResponse", "OverriddenAction")
        out = {
            "SampledRequests": [{k: s[k] for k in fields if k in s} for s in sample],
            "PopulationSize": population,
            "TimeWindow": {"StartTime": start, "EndTime": end},
        }
        return self.json_ok(start_response, out, "application/x-amz-json-1.1")

    def get_managed_keys(self, call, start_response):
        p = call.params
        for required in ("Scope", "WebACLName", "WebACLId", "RuleName"):
            if required not in p:
                raise ApiError("WAFInvalidParameterException", f"{required} is required")
        for entry in self.extras().get("managed_keys", []):
            if (entry.get("WebACLName") == p["WebACLName"] and entry.get("WebACLId") == p["WebACLId"]
                    and entry.get("RuleName") == p["RuleName"] and entry.get("Scope", p["Scope"]) == p["Scope"]):
                v4, v6 = entry.get("IPV4", []), entry.get("IPV6", [])
                break
        else:
            acl = next((a for _, a in self.wafv2_acls() if a.name == p["WebACLName"] and a.id == p["WebACLId"]),
                       None)
            if acl is None:
                raise ApiError("WAFNonexistentItemException",
                               "WAF couldn't perform the operation because your resource doesn't exist.")
            rule = next((r for r in acl.rules if r.name == p["RuleName"]), None)
            if rule is None or "RateBasedStatement" not in (rule.statement or {}):
                raise ApiError("WAFInvalidParameterException", "The rule is not a rate-based rule")
            # AWS lists addresses only for rules that aggregate on the client's address.
            aggregate = rule.statement["RateBasedStatement"].get("AggregateKeyType", "IP")
            if aggregate not in ("IP", "FORWARDED_IP"):
                raise ApiError("WAFUnsupportedAggregateKeyTypeException",
                               "The rule you've specified doesn't aggregate on IP addresses.")
            v4, v6 = [], []
        out = {"ManagedKeysIPV4": {"IPAddressVersion": "IPV4", "Addresses": v4},
               "ManagedKeysIPV6": {"IPAddressVersion": "IPV6", "Addresses": v6}}
        return self.json_ok(start_response, out, "application/x-amz-json-1.1")

    RESOURCE_TYPE_SERVICE = {
        "APPLICATION_LOAD_BALANCER": ":elasticloadbalancing:", "API_GATEWAY": ":apigateway:",
        "APPSYNC": ":appsync:", "COGNITO_USER_POOL": ":cognito-idp:", "APP_RUNNER_SERVICE": ":apprunner:",
        "VERIFIED_ACCESS_INSTANCE": ":ec2:", "AMPLIFY": ":amplify:",
    }

    def list_resources_for_web_acl(self, call, start_response):
        arn = call.params.get("WebACLArn")
        if not arn:
            raise ApiError("WAFInvalidParameterException", "WebACLArn is required")
        acl = next((a for a_arn, a in self.wafv2_acls() if a_arn == arn), None)
        extra = self.extras().get("resources", {}).get(arn)
        if acl is None and extra is None:
            raise ApiError("WAFNonexistentItemException",
                           "WAF couldn't perform the operation because your resource doesn't exist.")
        arns = list(acl.associated_resources) if acl is not None else []
        arns += [a for a in (extra or []) if a not in arns]
        needle = self.RESOURCE_TYPE_SERVICE.get(call.params.get("ResourceType") or "APPLICATION_LOAD_BALANCER")
        if needle:
            arns = [a for a in arns if needle in a]
        return self.json_ok(start_response, {"ResourceArns": arns}, "application/x-amz-json-1.1")

    def describe_managed_rule_group(self, call, start_response):
        p = call.params
        for required in ("VendorName", "Name", "Scope"):
            if not p.get(required):
                raise ApiError("WAFInvalidParameterException", f"{required} is required")
        if p["Scope"] not in ("REGIONAL", "CLOUDFRONT"):
            raise ApiError("WAFInvalidParameterException", "Scope must be REGIONAL or CLOUDFRONT")
        group = MANAGED_RULE_GROUPS.get(p["Name"]) if p["VendorName"] == "AWS" else None
        if group is None:
            raise ApiError("WAFNonexistentItemException",
                           "WAF couldn't perform the operation because your resource doesn't exist.")
        out = {"Capacity": group["capacity"], "LabelNamespace": group["label_namespace"],
               "Rules": [{"Name": name, "Action": {"Block": {}}} for name in group["rules"]]}
        return self.json_ok(start_response, out, "application/x-amz-json-1.1")

    def describe_alarms(self, call, environ, start_response):
        """DescribeAlarms as strict as AWS about AlarmTypes: "If you omit this parameter, only metric alarms are
        returned, even if composite alarms exist in the account" (the CloudWatch API reference). moto 5.2.5
        returns both whatever is asked."""
        form = parse_qs((call.body or b"").decode("utf-8", "replace"), keep_blank_values=True)
        types = [v[0] for k, v in form.items() if k.startswith("AlarmTypes.member.")]
        status, headers, body = self.forward(environ)
        if status == 200:
            text = body.decode("utf-8")
            if "CompositeAlarm" not in types:
                text = re.sub(r"<CompositeAlarms>.*?</CompositeAlarms>", "<CompositeAlarms/>", text, flags=re.S)
            if types and "MetricAlarm" not in types:
                text = re.sub(r"<MetricAlarms>.*?</MetricAlarms>", "<MetricAlarms/>", text, flags=re.S)
            body = text.encode("utf-8")
        return self.respond(start_response, status, without_length(headers), body)

    def run_ip_set_writers(self, call):
        """Adds the pending second writers' ranges to the IP set this UpdateIPSet request is about."""
        name, scope = call.params.get("Name"), call.params.get("Scope")
        region = "global" if scope == "CLOUDFRONT" else call.region
        backend = wafv2_backend(region)
        ip_set = next((x for x in backend.ip_sets.values() if x.name == name), None)
        if ip_set is None:
            return
        with self.lock:
            due = [w for w in self.ip_set_writers if w["ip_set"] == name and w["scope"] == scope]
            for w in due:
                w["times"] -= 1
                if w["times"] <= 0:
                    self.ip_set_writers.remove(w)
        for w in due:
            ip_set.update(None, list(ip_set.addresses) + [a for a in w["add"] if a not in ip_set.addresses])

    def run_second_writers(self, call):
        """Applies the pending second writes for the web ACL this UpdateWebACL request is about."""
        name, scope = call.params.get("Name"), call.params.get("Scope")
        region = "global" if scope == "CLOUDFRONT" else call.region
        acl = find_web_acl(region, name, call.params.get("Id"))
        if acl is None:
            return  # moto answers WAFNonexistentItemException
        with self.lock:
            due = []
            for w in list(self.second_writers):
                if w["web_acl"] == name and w["scope"] == scope:
                    w["times"] -= 1
                    if w["times"] <= 0:
                        self.second_writers.remove(w)
                    due.append(dict(w))
        for w in due:
            second_write(region, acl, w)

    # -- cloudfront ETags, If-Match and deployment --
    CLOUDFRONT_ETAGGED = {"CreateDistribution", "CreateDistributionWithTags", "GetDistribution",
                          "GetDistributionConfig", "UpdateDistribution", "ListDistributions"}

    def current_etag(self, dist_id):
        """The distribution's ETag, None if moto has no such distribution. Call with self.cf_lock held."""
        from moto.cloudfront.models import cloudfront_backends
        from moto.core import DEFAULT_ACCOUNT_ID
        dist = cloudfront_backends[DEFAULT_ACCOUNT_ID]["aws"].distributions.get(dist_id)
        if dist is None:
            self.cf_etags.pop(dist_id, None)
            self.cf_polls.pop(dist_id, None)
            return None
        return self.cf_etags.setdefault(dist_id, dist.etag)

    def cloudfront_distribution(self, call, environ, start_response):
        op = call.operation
        parts = call.path.strip("/").split("/")  # 2020-05-31/distribution[/{Id}[/config]]
        dist_id = parts[2] if len(parts) > 2 else None
        with self.cf_lock:
            if op == "UpdateDistribution":
                return self.update_distribution(environ, start_response, dist_id)
            status, headers, body = self.forward(environ)
            if status not in (200, 201):
                return self.respond(start_response, status, without_length(headers), body)
            text = body.decode("utf-8")
            if op == "ListDistributions":
                def summary(m):
                    sid = re.search(r"<Id>([^<]*)</Id>", m.group(0)).group(1)
                    return with_status(m.group(0), "InProgress") if self.cf_polls.get(sid) else m.group(0)
                text = re.sub(r"<DistributionSummary>.*?</DistributionSummary>", summary, text, flags=re.S)
                return self.respond(start_response, status, without_length(headers), text)
            if op.startswith("CreateDistribution"):
                dist_id = re.search(r"<Id>([^<]*)</Id>", text).group(1)
            headers = with_etag(headers, self.current_etag(dist_id))
            if op == "GetDistribution":
                polls = self.cf_polls.get(dist_id, 0)
                if polls > 0:
                    self.cf_polls[dist_id] = polls - 1
                if polls in (0, 1):
                    self.cf_polls.pop(dist_id, None)
                text = with_status(text, "InProgress" if polls else "Deployed")
            return self.respond(start_response, status, without_length(headers), text)

    def update_distribution(self, environ, start_response, dist_id):
        if_match = environ.get("HTTP_IF_MATCH")
        if dist_id in self.cf_touch_next and self.current_etag(dist_id) is not None:
            self.cf_touch_next.discard(dist_id)
            self.cf_etags[dist_id] = new_etag()
        before = self.current_etag(dist_id)
        call = Call(service="cloudfront", protocol="rest-xml")
        if before is None:
            status, headers, body = self.forward(environ)  # moto's NoSuchDistribution
        elif not if_match:
            status, headers, body = error_response(
                call, "InvalidIfMatchVersion", "The If-Match version is missing or not valid for the resource.", 400)
        elif if_match != before:
            status, headers, body = error_response(
                call, "PreconditionFailed",
                "The precondition given in one or more of the request-header fields evaluated to false.", 412)
        else:
            status, headers, body = self.forward(environ)
            if status == 200:
                self.cf_etags[dist_id] = new_etag()
                self.cf_polls[dist_id] = self.cf_deploy_delay
                if not self.cf_deploy_delay:
                    self.cf_polls.pop(dist_id)
                headers = with_etag(headers, self.cf_etags[dist_id])
                body = with_status(body.decode("utf-8"), "InProgress" if self.cf_deploy_delay else "Deployed")
        self.cf_requests.append({"id": dist_id, "if_match": if_match, "current_etag_before": before,
                                 "status": status})
        return self.respond(start_response, status, without_length(headers), body)


# ---------------------------------------------------------------------------------------------------------
# Helpers of the added behaviour
# ---------------------------------------------------------------------------------------------------------

def without_length(headers):
    return [(k, v) for k, v in headers if k.lower() != "content-length"]


def with_etag(headers, etag):
    return [(k, v) for k, v in headers if k.lower() != "etag"] + ([("ETag", etag)] if etag else [])


def with_status(xml, status):
    """The XML with its first <Status> (a distribution's own, in CloudFront's answers) set to status."""
    return re.sub(r"<Status>[^<]*</Status>", f"<Status>{status}</Status>", xml, count=1)


def new_etag():
    from moto.cloudfront.models import random_id
    return random_id()


MANAGED_RULE_GROUPS = {  # AWS's managed rule groups the seed uses, as DescribeManagedRuleGroup describes them
    "AWSManagedRulesCommonRuleSet": {
        "capacity": 700, "label_namespace": "awswaf:managed:aws:core-rule-set:",
        "rules": ["NoUserAgent_HEADER", "UserAgent_BadBots_HEADER", "SizeRestrictions_QUERYSTRING",
                  "SizeRestrictions_Cookie_HEADER", "SizeRestrictions_BODY", "SizeRestrictions_URIPATH",
                  "EC2MetaDataSSRF_BODY", "EC2MetaDataSSRF_COOKIE", "EC2MetaDataSSRF_URIPATH",
                  "EC2MetaDataSSRF_QUERYARGUMENTS", "GenericLFI_QUERYARGUMENTS", "GenericLFI_URIPATH",
                  "GenericLFI_BODY", "RestrictedExtensions_URIPATH", "RestrictedExtensions_QUERYARGUMENTS",
                  "GenericRFI_QUERYARGUMENTS", "GenericRFI_BODY", "GenericRFI_URIPATH", "CrossSiteScripting_COOKIE",
                  "CrossSiteScripting_QUERYARGUMENTS", "CrossSiteScripting_BODY", "CrossSiteScripting_URIPATH"]},
    "AWSManagedRulesAntiDDoSRuleSet": {
        "capacity": 50, "label_namespace": "awswaf:managed:aws:anti-ddos:",
        "rules": ["ChallengeAllDuringEvent", "ChallengeDDoSRequests", "DDoSRequests"]},
    "AWSManagedRulesKnownBadInputsRuleSet": {
        "capacity": 200, "label_namespace": "awswaf:managed:aws:known-bad-inputs:",
        "rules": ["JavaDeserializationRCE_HEADER", "JavaDeserializationRCE_BODY", "JavaDeserializationRCE_URIPATH",
                  "JavaDeserializationRCE_QUERYSTRING", "Host_localhost_HEADER", "PROPFIND_METHOD",
                  "ExploitablePaths_URIPATH", "Log4JRCE_HEADER", "Log4JRCE_QUERYSTRING", "Log4JRCE_BODY",
                  "Log4JRCE_URIPATH"]},
}

RULE_ACTIONS = {"Allow", "Block", "Count", "Captcha", "Challenge"}
OVERRIDE_ACTIONS = {"None", "Count"}


def wafv2_backend(region):
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.wafv2.models import wafv2_backends
    return wafv2_backends[DEFAULT_ACCOUNT_ID][region]


def find_web_acl(region, name, acl_id=None):
    """The web ACL of moto's wafv2 backend of region ("global": CLOUDFRONT scope) by name (and id), or None."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.wafv2.models import wafv2_backends
    if ("aws" if region == "global" else region) not in wafv2_backends[DEFAULT_ACCOUNT_ID].keys():
        return None  # (moto keeps the CLOUDFRONT scope's "global" backend under the partition's name)
    return next((a for a in list(wafv2_backend(region).wacls.values())
                 if a.name == name and (acl_id is None or a.id == acl_id)), None)


def is_group_rule(rule):
    statement = rule.get("Statement") or {}
    return "ManagedRuleGroupStatement" in statement or "RuleGroupReferenceStatement" in statement


def check_second_writer(spec):
    """The second-writer spec, checked against moto's state and normalised; raises ValueError if unusable."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.wafv2.models import wafv2_backends
    w = {"web_acl": str(spec["web_acl"]), "scope": str(spec["scope"]), "rule": str(spec["rule"]),
         "times": int(spec.get("times", 1))}
    if w["scope"] not in ("REGIONAL", "CLOUDFRONT"):
        raise ValueError("scope must be REGIONAL or CLOUDFRONT")
    if w["times"] < 1:
        raise ValueError("times must be 1 or more")
    if "action" not in spec and "inner_rule" not in spec:
        raise ValueError("give action, inner_rule or both")
    regions = ["global"] if w["scope"] == "CLOUDFRONT" else [
        r for r in wafv2_backends[DEFAULT_ACCOUNT_ID].keys() if r != "aws"]
    acls = [a for a in (find_web_acl(r, w["web_acl"]) for r in regions) if a is not None]
    if not acls:
        raise ValueError(f"no {w['scope']} web ACL named {w['web_acl']}")
    rule = next((r.to_dict() for a in acls for r in a.rules if r.name == w["rule"]), None)
    if rule is None:
        raise ValueError(f"web ACL {w['web_acl']} has no rule {w['rule']}")
    if "action" in spec:
        w["action"] = str(spec["action"])
        allowed = OVERRIDE_ACTIONS if is_group_rule(rule) else RULE_ACTIONS
        if w["action"] not in allowed:
            raise ValueError(f"action of rule {w['rule']} must be one of {sorted(allowed)}")
    if "inner_rule" in spec:
        if "ManagedRuleGroupStatement" not in (rule.get("Statement") or {}):
            raise ValueError(f"rule {w['rule']} is no managed rule group statement")
        w["inner_rule"] = str(spec["inner_rule"])
        w["override"] = spec.get("override")
        if w["override"] is not None and w["override"] not in RULE_ACTIONS:
            raise ValueError(f"override must be null or one of {sorted(RULE_ACTIONS)}")
    return w


def second_write(region, acl, w):
    """Changes one rule of the web ACL through moto's own update_web_acl, as another client's UpdateWebACL."""
    rules = [{k: v for k, v in copy.deepcopy(r.to_dict()).items() if v is not None} for r in acl.rules]
    rule = next((r for r in rules if r["Name"] == w["rule"]), None)
    if rule is None:
        return
    if "action" in w:
        if is_group_rule(rule):
            rule["OverrideAction"] = {w["action"]: {}}
        else:
            rule["Action"] = {w["action"]: {}}
    if "inner_rule" in w:
        statement = rule["Statement"]["ManagedRuleGroupStatement"]
        overrides = [o for o in statement.get("RuleActionOverrides", []) if o.get("Name") != w["inner_rule"]]
        if w["override"] is not None:
            overrides.append({"Name": w["inner_rule"], "ActionToUse": {w["override"]: {}}})
        if overrides:
            statement["RuleActionOverrides"] = overrides
        else:
            statement.pop("RuleActionOverrides", None)
    wafv2_backend(region).update_web_acl(
        name=acl.name, _id=acl.id, default_action=None, rules=rules, description=None, visibility_config=None,
        lock_token=acl.lock_token, custom_response_bodies=None, captcha_config=None, challenge_config=None,
        token_domains=None, association_config=None)


# ---------------------------------------------------------------------------------------------------------
# IAM, as AWS would check it
# ---------------------------------------------------------------------------------------------------------

def iam_action(call, method):
    """The IAM action and resource AWS authorizes a request as."""
    if call.service == "apigateway":
        # HTTP APIs are called at /v2/apis…; IAM names them /apis… (API Gateway developer guide, "Control
        # access to the API Gateway management API": arn:aws:apigateway:region::/apis/api-id/routes).
        path = re.sub(r"^/v2(?=/)", "", call.path.rstrip("/")) or "/"
        return f"apigateway:{method}", f"arn:aws:apigateway:{call.region}::{path}"
    prefix = {"monitoring": "cloudwatch"}.get(call.service, call.service)
    return f"{prefix}:{call.operation or 'UnknownOperation'}", "*"


def authorize(environ, call):
    """None if the request may go on, else the error response (status, headers, body) to send."""
    from werkzeug.datastructures import EnvironHeaders

    from moto.core.exceptions import AccessDeniedError
    from moto.iam.access_control import IAMRequest
    from moto.iam.models import get_account_id_from

    headers = EnvironHeaders(environ)
    auth = headers.get("Authorization", "")
    if not call.service or "Credential=" not in auth or "X-Amz-Date" not in headers:
        return error_response(call, "MissingAuthenticationToken", "Request is missing Authentication Token", 403)
    method = environ.get("REQUEST_METHOD", "GET")
    action, resource = iam_action(call, method)
    access_key_id = auth.partition("Credential=")[2].partition("/")[0]
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or call.path
    try:
        # moto's own IAMRequest, given what it gets wrong in moto 5.2.5 itself: the raw body (data={}: moto
        # passes its parsed query string, or the headers, which breaks the signature of body-less requests),
        # and AWS's name for the action instead of "<signing name>:<operation>".
        req = IAMRequest(account_id=get_account_id_from(access_key_id), method=method, path=raw_uri, data={},
                         body=call.body, headers=headers, action=call.operation or "UnknownOperation")
        req._action = action
        req.check_signature()
        req.check_action_permitted(resource)
    except AccessDeniedError as e:
        code = ("UnauthorizedOperation" if call.service == "ec2"
                else "AccessDeniedException" if call.protocol in ("json", "rest-json", "rpcv2Cbor")
                else "AccessDenied")
        message = e.message if resource == "*" else f"{e.message} on resource: {resource}"
        return error_response(call, code, message, 403)
    except HTTPException as e:  # SignatureDoesNotMatch, InvalidClientTokenId (moto's _RESTError)
        return error_response(call, getattr(e, "error_type", "AccessDenied"), getattr(e, "message", str(e)),
                              e.code or 403)
    return None


def simulated_decisions(account, source_arn, actions, resources):
    """IAM's policy simulator for a user or role of moto's: [(action, resource, decision)] with AWS's decisions
    (allowed, explicitDeny, implicitDeny), each action on each resource ("*" when none is given), the
    principal's identity policies evaluated as moto.iam.access_control evaluates a request's (inline, attached
    and its groups' policies; no Condition keys, no boundary, no SCP)."""
    from moto.iam.access_control import AssumedRoleAccessKey, IAMPolicy, IAMUserAccessKey, PermissionResult
    from moto.iam.models import iam_backends

    kind, _, name = source_arn.split(":", 5)[-1].partition("/")
    name = name.rsplit("/", 1)[-1]
    backend = iam_backends[account]["aws"]
    # moto's own collectors of a principal's policies, without an access key of it.
    if kind == "user":
        found = backend.get_user(name)  # NoSuchEntity, as AWS answers, when there is none
        principal = IAMUserAccessKey.__new__(IAMUserAccessKey)
        principal._owner_user_name = name
    elif kind == "role":
        found = backend.get_role(name)
        principal = AssumedRoleAccessKey.__new__(AssumedRoleAccessKey)
        principal._owner_role_name = name
    else:
        raise ApiError("InvalidInput", f"{source_arn} is not a user or a role")
    # AWS finds the principal by its whole ARN, path included: a role of path /edgetop/ is not role/NAME.
    if found.arn != source_arn:
        raise ApiError("NoSuchEntity", f"The {kind} with ARN {source_arn} cannot be found.", 404)
    principal.account_id, principal.partition = account, "aws"
    policies = [IAMPolicy(p) for p in principal.collect_policies()]
    out = []
    for action in actions:
        for resource in resources or ["*"]:
            results = [p.is_action_permitted(action, resource) for p in policies]
            decision = ("explicitDeny" if PermissionResult.DENIED in results
                        else "allowed" if PermissionResult.PERMITTED in results else "implicitDeny")
            out.append((action, resource, decision))
    return out


class ApiError(Exception):
    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def to_epoch(v):
    if v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(v)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(str(v).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class ClockedRequestHandler(MotoRequestHandler):
    """The Date header of every answer on AWS's clock, which /_edgetop/clock may set apart from this machine's
    (http.server writes it in send_response, before the application's headers)."""

    def date_time_string(self, timestamp=None):
        if timestamp is None:
            timestamp = time.time() + getattr(self.server.app, "clock_offset", 0.0)
        return super().date_time_string(timestamp)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--extras", default=os.devnull, help="JSON file with the data of the added operations")
    ap.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = ap.parse_args()
    if not args.verbose:
        import logging
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = EdgetopMiddleware(DomainDispatcherApplication(create_backend_app), os.path.abspath(args.extras))
    server = make_server("127.0.0.1", args.port, app, threaded=True, request_handler=ClockedRequestHandler)
    print(f"PORT={server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
