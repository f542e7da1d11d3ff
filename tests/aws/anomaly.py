"""CloudWatch's ANOMALY_DETECTION_BAND in GetMetricData for the test peer: moto 5.2.5 answers an expression
query only when the expression is another query's id, so a band comes back empty.

What AWS documents, and the peer does:
* The CloudWatch metric math reference: "ANOMALY_DETECTION_BAND(m1)" or "ANOMALY_DETECTION_BAND(m1, 4)"
  "returns an anomaly detection band for the specified metric. The band consists of two time series, one
  representing the upper limit of the 'normal' expected value of the metric, and the other representing the
  lower limit"; the second argument is the band's width in standard deviations, 2 when not given. Its first
  argument must be a metric of the same request (here: a query with a MetricStat), else ValidationError.
* Both series come back under the band query's Id. Which comes first and how each is labelled is not
  documented: the peer answers the lower edge first and labels them "<label> Lower" and "<label> Upper", so a
  client that relies on the order to tell them apart draws the band upside down.
* A query with ReturnData false is read for the band and left out of the answer.

The peer's model is plain statistics of the metric over the request's window: the expected value is the
mean of the window's datapoints, the deviation their population standard deviation (at least a tenth of the
mean, and at least 1), the band mean ± width × deviation at each of the metric's timestamps. AWS's model is
trained on two weeks and follows the hour and the weekday; a test can rely on the band's shape (two series,
lower ≤ upper, the metric's timestamps, a wider band for a larger width), not on its figures.
"""
import re
import statistics
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, urlencode

XMLNS = "http://monitoring.amazonaws.com/doc/2010-08-01/"
BAND = re.compile(r"^\s*ANOMALY_DETECTION_BAND\s*\(\s*([^,()\s]+)\s*(?:,\s*([^,()\s]+)\s*)?\)\s*$")


class BandError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.code, self.message, self.status = "ValidationError", message, 400


def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def queries_of(form):
    """The form's MetricDataQueries, in order: [(number, [(field, value)])], and its other fields."""
    members, common = {}, []
    for k, v in form:
        m = re.fullmatch(r"MetricDataQueries\.member\.(\d+)\.(.+)", k)
        if m:
            members.setdefault(m.group(1), []).append((m.group(2), v))
        else:
            common.append((k, v))
    return [(n, members[n]) for n in sorted(members, key=int)], common


def answer(body, ask):
    """The answer (status, headers, body) to a GetMetricData with a band, or None when it has none (moto
    answers it). `ask(body)` is moto's answer to a form body."""
    form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    queries, common = queries_of(form)
    bands = []
    for _, q in queries:
        d = dict(q)
        m = BAND.match(d.get("Expression", ""))
        if m:
            bands.append((d, m))
    if not bands:
        return None
    stats = {dict(q).get("Id"): dict(q) for _, q in queries if "MetricStat.Metric.MetricName" in dict(q)}
    widths = {}
    for d, m in bands:
        if m.group(1) not in stats:
            raise BandError(f"Invalid metrics list: ANOMALY_DETECTION_BAND of {m.group(1)}, which is not a "
                            "metric of this request")
        try:
            width = float(m.group(2)) if m.group(2) else 2.0
        except ValueError:
            raise BandError(f"Invalid expression {d.get('Expression')}: the band's width must be a number")
        if not width > 0:
            raise BandError("The band's width must be a positive number of standard deviations")
        widths[d.get("Id")] = width
    # moto reads every metric, each returned; the band queries are not its business.
    part = list(common)
    i = 0
    for _, q in queries:
        d = dict(q)
        if "Expression" in d and BAND.match(d["Expression"]):
            continue
        i += 1
        part += [(f"MetricDataQueries.member.{i}.{k}", v) for k, v in q if k != "ReturnData"]
        part.append((f"MetricDataQueries.member.{i}.ReturnData", "true"))
    status, headers, text = ask(urlencode(part).encode())
    if status != 200:
        return status, headers, text
    root = ET.fromstring(text)
    read = {}
    for member in root.iter(f"{{{XMLNS}}}member"):
        qid = member.find(f"{{{XMLNS}}}Id")
        if qid is None or member.find(f"{{{XMLNS}}}Values") is None:
            continue
        stamps = [t.text for t in member.find(f"{{{XMLNS}}}Timestamps")]
        values = [float(v.text) for v in member.find(f"{{{XMLNS}}}Values")]
        read[qid.text] = (member, list(zip(stamps, values)))
    results = []
    for _, q in queries:
        d = dict(q)
        m = BAND.match(d.get("Expression", ""))
        if m:
            results.extend(band_results(d, widths[d.get("Id")], read.get(m.group(1), (None, []))[1]))
        elif d.get("ReturnData", "true") != "false" and d.get("Id") in read:
            results.append(ET.tostring(read[d["Id"]][0], encoding="unicode"))
    xml = (f'<GetMetricDataResponse xmlns="{XMLNS}"><GetMetricDataResult><MetricDataResults>'
           f'{"".join(results)}</MetricDataResults><Messages/></GetMetricDataResult><ResponseMetadata>'
           f"<RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></GetMetricDataResponse>")
    return 200, [("Content-Type", "text/xml")], xml


def band_results(d, width, points):
    """The band's two series (lower, then upper) over the metric's timestamps."""
    qid, label = d.get("Id", ""), d.get("Label") or d.get("Id", "")
    values = [v for _, v in points]
    mean = statistics.fmean(values) if values else 0.0
    deviation = max(statistics.pstdev(values) if len(values) > 1 else 0.0, abs(mean) / 10, 1.0)
    out = []
    for side, sign in (("Lower", -1), ("Upper", 1)):
        stamps = "".join(f"<member>{esc(t)}</member>" for t, _ in points)
        edge = "".join(f"<member>{mean + sign * width * deviation}</member>" for _ in points)
        out.append(f"<member><Id>{esc(qid)}</Id><Label>{esc(label)} {side}</Label>"
                   f"<StatusCode>Complete</StatusCode><Timestamps>{stamps}</Timestamps><Values>{edge}</Values>"
                   "</member>")
    return out
