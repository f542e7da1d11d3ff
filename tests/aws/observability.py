"""CloudWatch cross-account observability for the test peer, which moto 5.2.5 lacks.

* Observability Access Manager (service "oam", restJson1, POST /<Operation>): CreateSink, PutSinkPolicy,
  CreateLink, ListSinks, ListAttachedLinks, DeleteLink, kept here per account and region. A sink lives in the
  monitoring account; a source account's CreateLink attaches to a sink of the same region, and only if the
  sink's policy lets that account (Principal AWS: its id, an ARN in it, or "*") do oam:CreateLink. A link's
  label is its LabelTemplate with $AccountName resolved to "account <id>" (AWS resolves it to the account's
  name in AWS Organizations, which moto does not keep).
* CloudWatch in a monitoring account, as the CloudWatch API reference describes it:
  - GetMetricData: a query's AccountId names the source account whose metric it reads ("If you are performing
    a GetMetricData operation in a monitoring account, use this to specify which account to retrieve this
    metric from"). The queries are split by account, each part answered by moto in that account
    (x-moto-account-id), and the answers joined. A query for an account that no link shares metrics with is
    answered with no datapoints: AWS's documents do not say what it does then.
  - ListMetrics: IncludeLinkedAccounts=true adds the metrics of the linked source accounts, with OwningAccounts
    1:1 with the metrics; OwningAccount (with IncludeLinkedAccounts) keeps one account's. Pages of 500, as moto's
    own (every account's metrics are gathered, following moto's pages, and the rest kept for the next page).
  Every such call is logged: GET /_edgetop/metric-accounts -> [[operation, caller account, [accounts]], ...].
* A link's metric filter (CreateLink LinkConfiguration.MetricConfiguration.Filter, "Namespace IN ('AWS/EC2')"):
  the monitoring account sees only the namespaces it lets through, in ListMetrics and GetMetricData alike
  (a query of another namespace gets no datapoints, as a metric that is not there would), and ListAttachedLinks
  does not say so, as AWS's does not. The filter is read as the OAM API reference and the CloudFormation
  AWS::Oam::Link LinkFilter page describe it: Namespace with =, !=, IN (...), NOT IN (...), LIKE and NOT LIKE
  (a trailing % for a prefix), single-quoted names, case-sensitive, joined with AND and OR.
"""
import json
import re
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, urlencode

METRIC = "AWS::CloudWatch::Metric"
RESOURCE_TYPES = {METRIC, "AWS::Logs::LogGroup", "AWS::XRay::Trace", "AWS::ApplicationInsights::Application",
                  "AWS::InternetMonitor::Monitor", "AWS::ApplicationSignals::Service",
                  "AWS::ApplicationSignals::ServiceLevelObjective"}
XMLNS = "http://monitoring.amazonaws.com/doc/2010-08-01/"
ET.register_namespace("", XMLNS)


class OamError(Exception):
    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class Observability:
    def __init__(self):
        self.sinks = {}  # arn -> {"account", "region", "name", "id", "policy"}
        self.links = {}  # arn -> {"account", "region", "sink", "label", "template", "types", "id"}
        self.log = []  # [operation, caller account, [accounts asked]] per cross-account CloudWatch call
        self.pages = {}  # NextToken -> the rest of a linked ListMetrics: ([metric xml], [owner xml])

    # -- Observability Access Manager --
    def answer(self, op, account, region, body):
        """The JSON answer of an OAM operation, or OamError."""
        try:
            p = json.loads(body or b"{}")
        except ValueError:
            raise OamError("InvalidParameterException", "the body is not JSON")
        handler = {
            "CreateSink": self.create_sink, "PutSinkPolicy": self.put_sink_policy, "CreateLink": self.create_link,
            "ListSinks": self.list_sinks, "ListAttachedLinks": self.list_attached_links,
            "DeleteLink": self.delete_link,
        }.get(op)
        if handler is None:
            raise OamError("InvalidParameterException", f"the test peer does not answer oam {op}")
        return handler(p, account, region)

    @staticmethod
    def required(p, name):
        if not p.get(name):
            raise OamError("MissingRequiredParameterException", f"missing required parameter {name}")
        return p[name]

    def sink_of(self, identifier, region):
        sink = self.sinks.get(identifier)
        if sink is None or sink["region"] != region:
            raise OamError("ResourceNotFoundException", f"sink {identifier} not found", 404)
        return sink

    def create_sink(self, p, account, region):
        name = self.required(p, "Name")
        if any(s["name"] == name and s["account"] == account and s["region"] == region for s in self.sinks.values()):
            raise OamError("ConflictException", f"a sink named {name} exists", 409)
        sid = str(uuid.uuid4())
        arn = f"arn:aws:oam:{region}:{account}:sink/{sid}"
        self.sinks[arn] = {"account": account, "region": region, "name": name, "id": sid, "policy": None}
        return {"Arn": arn, "Id": sid, "Name": name, "Tags": {}}

    def put_sink_policy(self, p, account, region):
        sink = self.sink_of(self.required(p, "SinkIdentifier"), region)
        if sink["account"] != account:
            raise OamError("ResourceNotFoundException", "the sink is another account's", 404)
        policy = self.required(p, "Policy")
        try:
            json.loads(policy)
        except ValueError:
            raise OamError("InvalidParameterException", "the policy is not JSON")
        sink["policy"] = policy
        return {"SinkArn": p["SinkIdentifier"], "SinkId": sink["id"], "Policy": policy}

    @staticmethod
    def allows(policy, account):
        if not policy:
            return False
        statements = json.loads(policy).get("Statement") or []
        for st in statements if isinstance(statements, list) else [statements]:
            if st.get("Effect") != "Allow":
                continue
            actions = st.get("Action") or []
            actions = actions if isinstance(actions, list) else [actions]
            if not any(a in ("oam:CreateLink", "oam:*", "*") for a in actions):
                continue
            principal = st.get("Principal") or {}
            who = principal.get("AWS", []) if isinstance(principal, dict) else principal
            who = who if isinstance(who, list) else [who]
            if any(w == "*" or w == account or re.search(rf":{account}:", str(w)) for w in who):
                return True
        return False

    def create_link(self, p, account, region):
        template = self.required(p, "LabelTemplate")
        types = self.required(p, "ResourceTypes")
        sink = self.sink_of(self.required(p, "SinkIdentifier"), region)
        if any(t not in RESOURCE_TYPES for t in types):
            raise OamError("InvalidParameterException", f"unknown resource types in {types}")
        if not self.allows(sink["policy"], account):
            raise OamError("AccessDeniedException", f"the sink's policy does not let account {account} link", 403)
        lid = str(uuid.uuid4())
        arn = f"arn:aws:oam:{region}:{account}:link/{lid}"
        label = template.replace("$AccountName", f"account {account}")
        metric_filter = ((p.get("LinkConfiguration") or {}).get("MetricConfiguration") or {}).get("Filter")
        if metric_filter is not None:
            try:
                namespace_filter(metric_filter)("AWS/EC2")
            except ValueError as e:
                raise OamError("InvalidParameterException", f"the metric filter is not valid: {e}")
        self.links[arn] = {"account": account, "region": region, "sink": p["SinkIdentifier"], "label": label,
                           "template": template, "types": list(types), "id": lid, "metric_filter": metric_filter}
        return {"Arn": arn, "Id": lid, "Label": label, "LabelTemplate": template, "ResourceTypes": list(types),
                "SinkArn": p["SinkIdentifier"], "Tags": {}}

    def delete_link(self, p, account, region):
        arn = self.required(p, "Identifier")
        link = self.links.get(arn)
        if link is None or link["account"] != account or link["region"] != region:
            raise OamError("ResourceNotFoundException", f"link {arn} not found", 404)
        del self.links[arn]
        return {}

    @staticmethod
    def page(items, p):
        start = int(p.get("NextToken") or 0)
        size = int(p.get("MaxResults") or 100)
        out = {"Items": items[start:start + size]}
        if start + size < len(items):
            out["NextToken"] = str(start + size)
        return out

    def list_sinks(self, p, account, region):
        items = [{"Arn": arn, "Id": s["id"], "Name": s["name"]} for arn, s in self.sinks.items()
                 if s["account"] == account and s["region"] == region]
        return self.page(items, p)

    def list_attached_links(self, p, account, region):
        sink_arn = self.required(p, "SinkIdentifier")
        sink = self.sink_of(sink_arn, region)
        if sink["account"] != account:
            raise OamError("ResourceNotFoundException", "the sink is another account's", 404)
        items = [{"Label": link["label"], "LinkArn": arn, "ResourceTypes": link["types"]}
                 for arn, link in self.links.items() if link["sink"] == sink_arn]
        return self.page(items, p)

    def metrics_linked(self, monitor, region):
        """The accounts whose links share their metrics with a sink of `monitor` in `region`."""
        return sorted(self.metric_links(monitor, region))

    def metric_links(self, monitor, region):
        """account -> whether a namespace is shared, for the links that share metrics with `monitor`."""
        sinks = {arn for arn, s in self.sinks.items() if s["account"] == monitor and s["region"] == region}
        out = {}
        for link in self.links.values():
            if link["sink"] in sinks and METRIC in link["types"]:
                f = link.get("metric_filter")
                out[link["account"]] = namespace_filter(f) if f else (lambda ns: True)
        return out

    # -- CloudWatch in a monitoring account --
    def cloudwatch(self, op, account, region, body, ask):
        """The answer (status, headers, body) to a cross-account GetMetricData or ListMetrics, or None when the
        request is not one (moto answers it). `ask(body, account)` is moto's answer to a form body in an
        account."""
        form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        if op == "GetMetricData":
            return self.get_metric_data(form, account, region, ask)
        if op == "ListMetrics" and dict(form).get("IncludeLinkedAccounts") == "true":
            return self.list_metrics(form, account, region, ask)
        return None

    def get_metric_data(self, form, caller, region, ask):
        owner = {}
        for k, v in form:
            m = re.fullmatch(r"MetricDataQueries\.member\.(\d+)\.AccountId", k)
            if m:
                owner[m.group(1)] = v
        if all(v == caller for v in owner.values()):
            return None
        links = self.metric_links(caller, region)
        linked = set(links) | {caller}
        common = [(k, v) for k, v in form if not k.startswith("MetricDataQueries.")]
        members = {}
        for k, v in form:
            m = re.fullmatch(r"MetricDataQueries\.member\.(\d+)\.(.+)", k)
            if m and m.group(2) != "AccountId":
                members.setdefault(m.group(1), []).append((m.group(2), v))
        by_account = {}
        for n in sorted(members, key=int):
            by_account.setdefault(owner.get(n, caller), []).append(members[n])
        results, status, headers = [], 200, [("Content-Type", "text/xml")]
        def empty(q):
            qid = dict(q).get("Id", "")
            return (f"<member><Id>{esc(qid)}</Id><Label>{esc(qid)}</Label>"
                    "<StatusCode>Complete</StatusCode><Timestamps/><Values/></member>")

        for account, queries in by_account.items():
            if account not in linked:
                results.extend(empty(q) for q in queries)
                continue
            # The namespaces the link's filter leaves out: no datapoints, as for a metric that is not there.
            shares = links.get(account, lambda ns: True)
            hidden = [q for q in queries if not shares(dict(q).get("MetricStat.Metric.Namespace", ""))]
            results.extend(empty(q) for q in hidden)
            queries = [q for q in queries if q not in hidden]
            if not queries:
                continue
            part = list(common)
            for i, q in enumerate(queries, 1):
                part += [(f"MetricDataQueries.member.{i}.{k}", v) for k, v in q]
            status, headers, answer = ask(urlencode(part).encode(), account)
            if status != 200:
                return status, headers, answer
            root = ET.fromstring(answer)
            for r in root.iter(f"{{{XMLNS}}}MetricDataResults"):
                for member in r:
                    results.append(ET.tostring(member, encoding="unicode"))
        self.log.append(["GetMetricData", caller, sorted(by_account)])
        xml = (f'<GetMetricDataResponse xmlns="{XMLNS}"><GetMetricDataResult><MetricDataResults>'
               f'{"".join(results)}</MetricDataResults><Messages/></GetMetricDataResult><ResponseMetadata>'
               f"<RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></GetMetricDataResponse>")
        return 200, [("Content-Type", "text/xml")], xml

    def list_metrics(self, form, caller, region, ask):
        only = dict(form).get("OwningAccount")
        links = self.metric_links(caller, region)
        accounts = [caller] + sorted(links)
        if only:
            accounts = [a for a in accounts if a == only]
        base = [(k, v) for k, v in form if k not in ("IncludeLinkedAccounts", "OwningAccount", "NextToken")]
        metrics, owners = [], []
        rest = self.pages.pop(dict(form).get("NextToken"), None)
        for account in accounts if rest is None else []:
            token = None
            for _ in range(1000):
                status, headers, answer = ask(urlencode(base + ([("NextToken", token)] if token else [])).encode(),
                                              account)
                if status != 200:
                    return status, headers, answer
                root = ET.fromstring(answer)
                for m in root.iter(f"{{{XMLNS}}}Metrics"):
                    for member in m:
                        ns = member.findtext(f"{{{XMLNS}}}Namespace", "")
                        if account != caller and not links[account](ns):
                            continue
                        name = member.findtext(f"{{{XMLNS}}}MetricName", "")
                        dims = "".join(
                            f"<member><Name>{esc(d.findtext(f'{{{XMLNS}}}Name', ''))}</Name>"
                            f"<Value>{esc(d.findtext(f'{{{XMLNS}}}Value', ''))}</Value></member>"
                            for d in member.iter(f"{{{XMLNS}}}Dimensions") for d in d)
                        metrics.append(f"<member><Namespace>{esc(ns)}</Namespace><MetricName>{esc(name)}"
                                       f"</MetricName><Dimensions>{dims}</Dimensions></member>")
                        owners.append(f"<member>{esc(account)}</member>")
                token = root.findtext(f".//{{{XMLNS}}}NextToken")
                if not token:
                    break
        if rest is not None:
            metrics, owners = rest
        more = ""
        if len(metrics) > 500:
            token = str(uuid.uuid4())
            self.pages[token] = (metrics[500:], owners[500:])
            more = f"<NextToken>{token}</NextToken>"
        self.log.append(["ListMetrics", caller, accounts])
        xml = (f'<ListMetricsResponse xmlns="{XMLNS}"><ListMetricsResult><Metrics>{"".join(metrics[:500])}'
               f'</Metrics><OwningAccounts>{"".join(owners[:500])}</OwningAccounts>{more}</ListMetricsResult>'
               f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></ListMetricsResponse>")
        return 200, [("Content-Type", "text/xml")], xml


def namespace_filter(text):
    """A link's metric filter as a predicate on a namespace; ValueError when it is not one."""
    tokens = re.findall(r"\s*('(?:[^']*)'|\(|\)|,|!=|=|[A-Za-z]+)", text)
    if "".join(tokens).replace(" ", "") != re.sub(r"\s+", "", text):
        raise ValueError(f"cannot read {text!r}")
    pos = 0

    def peek():
        return tokens[pos].upper() if pos < len(tokens) else None

    def take(want=None):
        nonlocal pos
        if pos >= len(tokens) or (want and tokens[pos].upper() != want):
            raise ValueError(f"expected {want or 'more'} in {text!r}")
        pos += 1
        return tokens[pos - 1]

    def literal():
        t = take()
        if not (t.startswith("'") and t.endswith("'")):
            raise ValueError(f"{t} is not a quoted name in {text!r}")
        return t[1:-1]

    def condition():
        if take().lower() != "namespace":
            raise ValueError(f"only Namespace is filtered on, in {text!r}")
        neg = False
        if peek() == "NOT":
            take()
            neg = True
        op = take().upper()
        if op == "IN":
            take("(")
            names = [literal()]
            while peek() == ",":
                take()
                names.append(literal())
            take(")")
            test = lambda ns: ns in names  # noqa: E731
        elif op == "LIKE":
            pattern = literal()
            test = (lambda ns: ns.startswith(pattern[:-1])) if pattern.endswith("%") else (lambda ns: ns == pattern)  # noqa: E731
        elif op in ("=", "!=") and not neg:
            name = literal()
            neg = op == "!="
            test = lambda ns: ns == name  # noqa: E731
        else:
            raise ValueError(f"unknown operator {op} in {text!r}")
        return (lambda ns: not test(ns)) if neg else test

    def conjunction():
        parts = [condition()]
        while peek() == "AND":
            take()
            parts.append(condition())
        return lambda ns: all(p(ns) for p in parts)

    alts = [conjunction()]
    while peek() == "OR":
        take()
        alts.append(conjunction())
    if pos != len(tokens):
        raise ValueError(f"cannot read the end of {text!r}")
    return lambda ns: any(a(ns) for a in alts)
