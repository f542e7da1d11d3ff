"""The part of CloudWatch Logs Insights' query language that edgetop sends, evaluated over stored log events.

moto 5.2.5 stores events (PutLogEvents) and answers StartQuery, but only honours `fields`, `sort` and
`limit`: a `filter` or `stats` is ignored. This evaluates, over the events of the query's window:

    fields a, b                      (kept as given; every discovered field is usable anyway)
    filter <expr>                    = != < > <= >=, like "text" | /regex/, not like, in [..], not in [..],
                                     and, or, not, ( ); numbers compare as numbers when both sides are numbers
    parse @message "glob * and *" as a, b     parse @message /(?<a>re)/   ((?i) allowed first)
    stats count(*) | count(f) | sum(f) | avg(f) | min(f) | max(f) | count_distinct(f) [as name], ...
          [by f | bin(5m) [as name], ...]
    sort f [asc|desc], ...           limit N

Discovered fields are as Logs Insights gives them: @timestamp, @message, @log, @logStream, and for a message
that is a JSON object, each value by its dotted path (arrays by index: httpRequest.headers.0.name). A field
with other characters is written in backquotes. Anything else in a query is a MalformedQueryException, so a
query edgetop sends that AWS would refuse fails here too.

    run(query, events) -> (rows, statistics)
    events: [{"timestamp": ms, "message": str, "log": group name, "stream": stream name}, ...]
    rows:   [[{"field": name, "value": str}, ...], ...]   (as GetQueryResults gives them)
"""

import json
import re


class Malformed(Exception):
    pass


def split_pipes(query):
    """The commands of a query: split at | outside quotes, backquotes and /regex/."""
    parts, cur, quote = [], "", None
    i = 0
    while i < len(query):
        c = query[i]
        if quote:
            cur += c
            if c == "\\" and i + 1 < len(query):
                cur += query[i + 1]
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in "\"'`":
            quote = c
            cur += c
        elif c == "/" and re.search(r"(like|@message|^|\s)\s*$", cur):
            quote = "/"
            cur += c
        elif c == "|":
            parts.append(cur.strip())
            cur = ""
        else:
            cur += c
        i += 1
    if quote:
        raise Malformed(f"unterminated {quote}")
    parts.append(cur.strip())
    if any(not p for p in parts):
        raise Malformed("empty command")
    return parts


TOKEN = re.compile(r"""
    \s*(?:
      (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    | (?P<re>/(?:[^/\\]|\\.)*/)
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<op>!=|<=|>=|=|<|>|\(|\)|\[|\]|,|\*)
    | (?P<bq>`[^`]*`)
    | (?P<word>[@A-Za-z_][\w.@-]*)
    )""", re.X)


def tokens(text):
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise Malformed(f"cannot read {text[pos:pos + 20]!r}")
        pos = m.end()
        kind = m.lastgroup
        v = m.group(kind)
        if kind == "str":
            v = re.sub(r"\\(.)", r"\1", v[1:-1])
        elif kind == "bq":
            kind, v = "word", v[1:-1]
        out.append((kind, v))
    return out


def flatten(value, prefix, out):
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(v, f"{prefix}{k}.", out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            flatten(v, f"{prefix}{i}.", out)
    else:
        out[prefix[:-1]] = value


def record_of(e):
    rec = {"@timestamp": e["timestamp"], "@message": e["message"], "@log": e.get("log", ""),
           "@logStream": e.get("stream", "")}
    try:
        doc = json.loads(e["message"])
    except ValueError:
        doc = None
    if isinstance(doc, dict):
        flat = {}
        flatten(doc, "", flat)
        for k, v in flat.items():
            rec.setdefault(k, v)
    return rec


def number(v):
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v).strip())
    except ValueError:
        return None


def to_text(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def regex(src):
    """An Insights /regex/ as a Python pattern: named groups (?<n>…), a leading (?i)."""
    return re.compile(re.sub(r"\(\?<([A-Za-z_]\w*)>", r"(?P<\1>", src[1:-1]))


# -- filter ---------------------------------------------------------------------------------------------
class Expr:
    def __init__(self, toks):
        self.t, self.i = toks, 0

    def peek(self, k=0):
        return self.t[self.i + k] if self.i + k < len(self.t) else (None, None)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def expect(self, v):
        tok = self.take()
        if tok[1] != v:
            raise Malformed(f"expected {v}, got {tok[1]!r}")

    def parse(self):
        e = self.or_()
        if self.i != len(self.t):
            raise Malformed(f"unexpected {self.peek()[1]!r}")
        return e

    def or_(self):
        left = self.and_()
        while self.peek() == ("word", "or"):
            self.take()
            right = self.and_()
            left = (lambda a, b: lambda r: a(r) or b(r))(left, right)
        return left

    def and_(self):
        left = self.not_()
        while self.peek() == ("word", "and"):
            self.take()
            right = self.not_()
            left = (lambda a, b: lambda r: a(r) and b(r))(left, right)
        return left

    def not_(self):
        if self.peek() == ("word", "not"):
            self.take()
            inner = self.not_()
            return lambda r: not inner(r)
        if self.peek() == ("op", "("):
            self.take()
            e = self.or_()
            self.expect(")")
            return e
        return self.comparison()

    def operand(self):
        kind, v = self.take()
        if kind == "num":
            return lambda r, v=float(v): v
        if kind == "str":
            return lambda r, v=v: v
        if kind == "word":
            return lambda r, v=v: r.get(v)
        raise Malformed(f"expected a value, got {v!r}")

    def comparison(self):
        left = self.operand()
        kind, op = self.take()
        negate = False
        if (kind, op) == ("word", "not"):
            negate, (kind, op) = True, self.take()
        if op == "like":
            k, pat = self.take()
            if k == "re":
                rx = regex(pat)
                test = lambda r: left(r) is not None and rx.search(to_text(left(r))) is not None  # noqa: E731
            elif k == "str":
                test = lambda r: left(r) is not None and pat in to_text(left(r))  # noqa: E731
            else:
                raise Malformed("like needs a string or a /regex/")
            return (lambda r: not test(r)) if negate else test
        if op == "in":
            self.expect("[")
            items = []
            while True:
                items.append(self.operand()(None))
                k, v = self.take()
                if v == "]":
                    break
                if v != ",":
                    raise Malformed("expected , or ] in a list")

            def member(r):
                x = left(r)
                if x is None:
                    return False
                return any(compare(x, "=", it) for it in items)
            return (lambda r: not member(r)) if negate else member
        if negate or op not in ("=", "!=", "<", ">", "<=", ">="):
            raise Malformed(f"unknown comparison {op!r}")
        right = self.operand()
        return lambda r: compare(left(r), op, right(r))


def compare(a, op, b):
    if a is None or b is None:
        return False
    na, nb = number(a), number(b)
    if na is not None and nb is not None:
        a, b = na, nb
    else:
        a, b = to_text(a), to_text(b)
    return {"=": a == b, "!=": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]


# -- the commands ---------------------------------------------------------------------------------------
def parse_command(text, records):
    m = re.match(r"parse\s+(@?[\w.]+)\s+(.*)$", text, re.S)
    if not m:
        raise Malformed("parse needs a field and a pattern")
    field, rest = m.group(1), m.group(2).strip()
    if rest.startswith("/"):
        end = rest.rfind("/")
        rx = regex(rest[:end + 1])
        names = list(rx.groupindex)
        if not names:
            raise Malformed("a parse /regex/ needs named groups")
    else:
        # A glob in double quotes, as AWS documents it; AWS documents no escape inside one, so the
        # peer refuses one rather than guess what AWS does with it.
        gm = re.match(r'"([^"\\]*)"\s+as\s+(.+)$', rest, re.S)
        if not gm:
            raise Malformed('parse needs "glob" as names, and AWS documents no escape inside a glob')
        glob = gm.group(1)
        names = [n.strip().strip("`") for n in gm.group(2).split(",")]
        pieces = glob.split("*")
        if len(pieces) - 1 != len(names):
            raise Malformed(f"{len(pieces) - 1} * for {len(names)} names")
        pattern = "".join(re.escape(p) + (f"(?P<g{i}>.*?)" if i < len(names) else "")
                          for i, p in enumerate(pieces))
        rx = re.compile(pattern + "$", re.S)
        rx = _renamed(rx, names)
    for r in records:
        mm = rx.search(to_text(r.get(field)))
        if mm:
            for n in names:
                r[n] = mm.group(n) if n in rx.groupindex else None


class _renamed:
    """A compiled glob whose groups g0, g1… answer to the names given after `as`."""

    def __init__(self, rx, names):
        self.rx, self.names = rx, names
        self.groupindex = {n: i for i, n in enumerate(names)}

    def search(self, s):
        m = self.rx.search(s)
        if not m:
            return None
        values = {n: m.group(f"g{i}") for i, n in enumerate(self.names)}

        class M:
            def group(self, n):
                return values[n]
        return M()


UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
AGGS = {"count", "sum", "avg", "min", "max", "count_distinct"}


def split_commas(toks):
    groups, cur, depth = [], [], 0
    for t in toks:
        if t == ("op", "(") or t == ("op", "["):
            depth += 1
        elif t == ("op", ")") or t == ("op", "]"):
            depth -= 1
        if t == ("op", ",") and depth == 0:
            groups.append(cur)
            cur = []
        else:
            cur.append(t)
    groups.append(cur)
    return groups


def stats_command(text, records):
    toks = tokens(text[len("stats"):])
    by_at = next((i for i, t in enumerate(toks) if t == ("word", "by")), None)
    agg_toks, by_toks = (toks, []) if by_at is None else (toks[:by_at], toks[by_at + 1:])
    aggs = []
    for g in split_commas(agg_toks):
        if len(g) < 4 or g[0][0] != "word" or g[0][1] not in AGGS or g[1] != ("op", "("):
            raise Malformed(f"unknown aggregate {' '.join(v for _, v in g)!r}")
        close = g.index(("op", ")"))
        arg = g[2:close]
        argname = "*" if arg == [("op", "*")] else (arg[0][1] if len(arg) == 1 else None)
        if argname is None or (argname == "*" and g[0][1] != "count"):
            raise Malformed("an aggregate takes one field (count: or *)")
        name = f"{g[0][1]}({argname})"
        rest = g[close + 1:]
        if rest:
            if len(rest) != 2 or rest[0] != ("word", "as"):
                raise Malformed("expected as name")
            name = rest[1][1]
        aggs.append((g[0][1], argname, name))
    groups = []
    for g in split_commas(by_toks) if by_toks else []:
        if g and g[0] == ("word", "bin"):
            m = re.fullmatch(r"(\d+)([smhd])", "".join(v for _, v in g[2:g.index(("op", ")"))]))
            if not m:
                raise Malformed("bin needs a period such as 5m")
            secs = int(m.group(1)) * UNITS[m.group(2)]
            name = "bin(" + m.group(0) + ")"
            after = g[g.index(("op", ")")) + 1:]
            if after:
                name = after[1][1]
            groups.append((name, lambda r, s=secs: _bin(r["@timestamp"], s)))
        elif len(g) == 1 and g[0][0] == "word":
            groups.append((g[0][1], lambda r, f=g[0][1]: r.get(f)))
        elif len(g) == 3 and g[0][0] == "word" and g[1] == ("word", "as"):
            groups.append((g[2][1], lambda r, f=g[0][1]: r.get(f)))
        else:
            raise Malformed("by takes fields and bin()")
    table = {}
    order = []
    for r in records:
        key = tuple(to_text(fn(r)) if fn(r) is not None else None for _, fn in groups)
        if key not in table:
            table[key] = []
            order.append(key)
        table[key].append(r)
    out = []
    for key in order:
        rows = table[key]
        rec = {name: v for (name, _), v in zip(groups, key) if v is not None}
        for fn, arg, name in aggs:
            vals = [r.get(arg) for r in rows] if arg != "*" else rows
            present = [v for v in vals if v is not None]
            nums = [n for n in (number(v) for v in present) if n is not None]
            if fn == "count":
                rec[name] = len(present)
            elif fn == "count_distinct":
                rec[name] = len({to_text(v) for v in present})
            elif fn == "sum":
                rec[name] = sum(nums)
            elif fn == "avg":
                rec[name] = sum(nums) / len(nums) if nums else None
            elif fn == "min":
                rec[name] = min(nums) if nums else None
            elif fn == "max":
                rec[name] = max(nums) if nums else None
        out.append(rec)
    return out


def _bin(ms, secs):
    import datetime
    t = (int(ms) // 1000) // secs * secs
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.000")


def sort_command(text, records):
    keys = []
    for g in split_commas(tokens(text[len("sort"):])):
        if not g or g[0][0] != "word":
            raise Malformed("sort takes fields")
        desc = not (len(g) > 1 and g[1] == ("word", "asc"))
        keys.append((g[0][1], desc))
    for field, desc in reversed(keys):
        def key(r, f=field):
            v = r.get(f)
            n = number(v)
            return (v is None, n if n is not None else float("inf"), to_text(v))
        records.sort(key=key, reverse=desc)
    return records


def run(query, events):
    commands = split_pipes(query)
    records = [record_of(e) for e in events]
    scanned = len(records)
    scanned_bytes = sum(len(e["message"].encode("utf-8")) for e in events)
    shown = None
    stats_done = False
    for cmd in commands:
        word = cmd.split(None, 1)[0].lower()
        if word == "fields":
            shown = [g[0][1] for g in split_commas(tokens(cmd[len("fields"):])) if g]
        elif word == "filter":
            test = Expr(tokens(cmd[len("filter"):])).parse()
            records = [r for r in records if test(r)]
        elif word == "parse":
            parse_command(cmd, records)
        elif word == "stats":
            if stats_done:
                raise Malformed("one stats a query here")
            matched = len(records)
            records = stats_command(cmd, records)
            stats_done = True
        elif word == "sort":
            records = sort_command(cmd, records)
        elif word == "limit":
            try:
                records = records[:int(cmd.split()[1])]
            except (IndexError, ValueError):
                raise Malformed("limit takes a number")
        else:
            raise Malformed(f"unknown command {word!r}")
    if not stats_done:
        matched = len(records)
        keep = shown or ["@timestamp", "@message"]
        records = [{k: r.get(k) for k in keep if r.get(k) is not None} | {"@ptr": str(i)}
                   for i, r in enumerate(records)]
    rows = [[{"field": k, "value": to_text(v)} for k, v in r.items() if v is not None] for r in records]
    stats = {"recordsMatched": float(matched), "recordsScanned": float(scanned),
             "bytesScanned": float(scanned_bytes)}
    return rows, stats


def _selftest():
    ev = [
        {"timestamp": 60_000, "message": json.dumps({"key": "k1", "status": "429", "rt": "THROTTLED"})},
        {"timestamp": 61_000, "message": json.dumps({"key": "k1", "status": "429", "rt": "THROTTLED"})},
        {"timestamp": 62_000, "message": json.dumps({"key": "k2", "status": "200", "rt": "-"})},
        {"timestamp": 125_000, "message": json.dumps({"key": "k2", "status": 429, "rt": "QUOTA_EXCEEDED",
                                                       "h": {"a": [{"name": "User-Agent", "value": "curl/8"}]}})},
    ]
    rows, st = run("filter status = 429 | stats count(*) as n by key, rt | sort n desc", ev)
    assert [[c["value"] for c in r] for r in rows] == [["k1", "THROTTLED", "2"], ["k2", "QUOTA_EXCEEDED", "1"]], rows
    assert st["recordsMatched"] == 3 and st["recordsScanned"] == 4
    rows, _ = run("filter key in [\"k2\"] and status != 200 | stats count_distinct(rt) as d, sum(status) as s", ev)
    assert rows == [[{"field": "d", "value": "1"}, {"field": "s", "value": "429"}]], rows
    rows, _ = run("stats count(*) by bin(1m)", ev)
    assert [r[1]["value"] for r in rows] == ["3", "1"], rows
    rows, _ = run('parse @message /(?i)"name":\\s*"user-agent",\\s*"value":\\s*"(?<agent>[^"]*)"/ | filter agent like /curl/ '
                  '| stats count(*) as n by agent', ev)
    assert rows == [[{"field": "agent", "value": "curl/8"}, {"field": "n", "value": "1"}]], rows
    clf = [{"timestamp": 1, "message": '1.2.3.4 - - [x] "GET /a" 429 k9 THROTTLED'}]
    rows, _ = run('parse @message /^(?<ip>.*?) - - \\[(?<t>.*?)\\] "(?<m>.*?) (?<p>.*?)" (?<status>.*?) (?<key>.*?) '
                  '(?<rt>.*?)$/ | filter status = 429 | stats count(*) as n by key, rt', clf)
    assert rows == [[{"field": "key", "value": "k9"}, {"field": "rt", "value": "THROTTLED"},
                     {"field": "n", "value": "1"}]], rows
    rows, _ = run("filter key like \"k\" and not (rt = \"-\") | fields key | sort key asc | limit 1", ev)
    assert rows[0][0] == {"field": "key", "value": "k1"}, rows
    rows, _ = run('parse @message "* - - [*] * * * * *" as ip, t, m, p, status, key, rt '
                  '| filter status = 429 | stats count(*) as n by key, rt',
                  [{"timestamp": 1, "message": '1.2.3.4 - - [x] GET /a 429 k9 THROTTLED'}])
    assert rows[0][0] == {"field": "key", "value": "k9"}, rows
    for bad in ["stats nonsense(x)", "filter a ~ b", "frobnicate", "filter a = 1 |",
                'parse @message "* \\"*\\"" as a, b']:
        try:
            run(bad, ev)
        except Malformed:
            continue
        raise AssertionError(f"accepted {bad!r}")
    print("insights.py: ok")


if __name__ == "__main__":
    _selftest()
