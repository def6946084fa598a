#!/usr/bin/env python3
"""Generates the log-style corpus in testdata/logstyles/, labelled by construction.

Every line is drawn from a known template: a text with `{slot}` fields, each slot a kind of
variable (an id, a number with a unit, a path, ...). The ground truth of a line is its template
with every slot written as `<*>` (the Loghub convention: the punctuation around a variable stays,
so `{ip}:{port}` is `<*>:<*>`; a variable-length list, an object dump or an embedded JSON
document is one variable inside its brackets, `[<*>]`, `{<*>}`; a quoted variable keeps its
quotes, `"<*>"`; numbers in constant text are variables too, as in Loghub-2.0's labels).

Structured lines (JSON, logfmt, OpenTelemetry records) follow the rule the miner documents in
core/src/patterns/tokenize.rs: the message field (`msg`, `message`, `Body`, ...) is what is
mined, so a structured line's template is its message's template; the other fields are the
record's parameters (an event logged with or without a trace id or a logger group is one event).

Deterministic: Python's `random.Random` with a fixed seed per style, standard library only.

    python3 tools/logstyles/generate.py [OUT_DIR]     (default testdata/logstyles)
"""

import csv
import gzip
import io
import json
import os
import random
import re
import sys

LINES = 2000
# The message fields of a structured line (core/src/patterns/tokenize.rs).
MESSAGE_KEYS = ["msg", "message", "body", "log", "MESSAGE", "Body"]

# ---------------------------------------------------------------------------------------------
# Variable kinds. Each takes the style's Random and returns a value; the truth is `<*>` (the
# template text around the slot carries the punctuation).

NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar", "peggy", "trent",
         "victor", "walter", "zoe", "yusuf", "mei", "ana"]
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima", "mike",
         "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"]
SERVICES = ["cart", "checkout", "payments", "inventory", "shipping", "auth", "catalog", "search", "pricing", "orders", "users",
            "notifications", "recommendations", "reviews", "ledger", "gateway"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-south-1", "ap-northeast-1", "sa-east-1"]
TABLES = ["orders", "users", "payments", "line_items", "sessions", "carts", "products", "refunds", "audit_log", "coupons"]
QUEUES = ["orders.created", "payments.settled", "stock.reserved", "mail.outbound", "cart.expired", "user.signup", "invoice.ready"]
ERRNOS = ["connection refused", "connection reset by peer", "i/o timeout", "no such host", "broken pipe", "context deadline exceeded",
          "TLS handshake timeout", "too many open files"]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
AGENTS = ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
          "curl/8.4.0", "Go-http-client/1.1", "python-requests/2.31.0", "okhttp/4.12.0",
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
          "kube-probe/1.28", "Prometheus/2.48.0", "grpc-go/1.59.0", "Apache-HttpClient/4.5.14 (Java/17.0.9)"]
UNICODE_NAMES = ["张伟", "王芳", "李娜", "Jürgen", "Zoë", "Łukasz", "Ærin", "José", "Дмитрий", "Ольга", "さくら", "太郎", "민준", "Ömer",
                 "François", "Søren"]
CITIES = ["Zürich", "München", "Kraków", "São Paulo", "Москва", "東京", "서울", "北京", "Malmö", "Besançon", "Reykjavík", "Córdoba"]


def hexs(r, n):
    return "".join(r.choice("0123456789abcdef") for _ in range(n))


def uuid(r):
    h = hexs(r, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{r.choice('89ab')}{h[17:20]}-{h[20:]}"


def ip(r):
    return f"{r.choice([10, 172, 192])}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"


def ipv6(r):
    return "2001:db8:" + ":".join(f"{r.randint(0, 65535):x}" for _ in range(3)) + "::" + f"{r.randint(1, 65535):x}"


def dur(r):
    return r.choice([f"{r.randint(1, 999)}ms", f"{r.randint(1, 999)}.{r.randint(0, 999):03d}ms", f"{r.randint(1, 59)}.{r.randint(0, 99)}s",
                     f"{r.randint(10, 999)}µs", f"{r.randint(1, 59)}m{r.randint(0, 59)}s", f"{r.randint(100, 999)}us", f"{r.randint(1, 9)}s"])


def size(r):
    return r.choice([f"{r.randint(1, 999)}KB", f"{r.randint(1, 99)}MiB", f"{r.randint(1, 9)}.{r.randint(0, 9)}GB", f"{r.randint(1, 4096)}B",
                     f"{r.randint(1, 999)}kB"])


def iso(r):
    return f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}." \
           f"{r.randint(0, 999999):06d}Z"


def path(r):
    segs = r.choice([["api", "v1", r.choice(TABLES), str(r.randint(1, 99999))], ["v2", hexs(r, 12), "servers", "detail"],
                     ["static", "js", f"app.{hexs(r, 8)}.js"], ["healthz"], ["api", "v1", "users", uuid(r), "orders"],
                     ["internal", r.choice(SERVICES), "sync"], ["images", f"{r.randint(1, 9999)}.png"]])
    return "/" + "/".join(segs)


def fpath(r):
    return r.choice(["/var/lib/", "/data/", "/tmp/", "/srv/app/"]) + r.choice(WORDS) + "/" + r.choice(
        [f"seg-{r.randint(0, 9999):05d}.log", f"{hexs(r, 8)}.parquet", f"part-{r.randint(0, 99)}.gz", "index.db"])


def url(r):
    return f"https://{r.choice(SERVICES)}.{r.choice(['internal', 'svc.cluster.local', 'example.com'])}:{r.choice([443, 8443, 8080])}" \
           f"{path(r)}" + r.choice(["", f"?page={r.randint(1, 50)}", f"?id={uuid(r)}&lang=en"])


def email(r):
    return f"{r.choice(NAMES)}.{r.choice(WORDS)}{r.randint(1, 99)}@{r.choice(['example.com', 'mail.example.org', 'corp.example.net'])}"


def host(r):
    return r.choice([f"{r.choice(SERVICES)}-{hexs(r, 9)}-{hexs(r, 5)}", f"ip-{r.randint(10, 250)}-{r.randint(0, 255)}-{r.randint(0, 255)}-"
                     f"{r.randint(1, 254)}.ec2.internal", f"node-{r.randint(1, 64):02d}.{r.choice(REGIONS)}.example.net"])


def num(r):
    return str(r.choice([r.randint(0, 9), r.randint(10, 999), r.randint(1000, 99999), r.randint(100000, 10 ** 9)]))


def flt(r):
    return f"{r.random() * r.choice([1, 100, 10000]):.{r.randint(1, 6)}f}"


def ident(r):
    return r.choice([f"ord_{r.randint(10 ** 5, 10 ** 7)}", f"cus_{hexs(r, 14)}", f"{r.choice(['INV', 'PO', 'TX'])}-{r.randint(10 ** 5, 10 ** 8)}",
                     str(r.randint(10 ** 5, 10 ** 9)), hexs(r, 24)])


def word_list(r, item):
    return "[" + ", ".join(item(r) for _ in range(r.randint(1, 6))) + "]"


def obj_dump(r):
    kind = r.randint(0, 2)
    if kind == 0:  # Java toString
        return f"OrderDto{{id={r.randint(1, 99999)}, status={r.choice(['NEW', 'PAID', 'SHIPPED', 'CANCELLED'])}, items=" \
               f"{word_list(r, lambda r: str(r.randint(1, 999)))}, total={flt(r)}}}"
    if kind == 1:  # Python dict
        keys = r.sample(["id", "sku", "qty", "price", "tags", "owner"], r.randint(1, 5))
        return "{" + ", ".join(f"'{k}': {r.randint(1, 999) if k != 'tags' else [r.choice(WORDS)]}" if k != "owner" else f"'owner': '{r.choice(NAMES)}'"
                               for k in keys) + "}"
    return "{" + ", ".join(f"{k}={r.choice([str(r.randint(0, 999)), r.choice(WORDS)])}" for k in r.sample(
        ["id", "sku", "qty", "zone", "lane", "rack", "bin"], r.randint(2, 5))) + "}"


def embedded_json(r):
    doc = {k: r.choice([r.randint(0, 9999), r.choice(WORDS), [r.randint(0, 9) for _ in range(r.randint(0, 3))], {"id": uuid(r)}])
           for k in r.sample(["id", "type", "items", "user", "ref", "amount", "meta"], r.randint(1, 4))}
    return json.dumps(doc, ensure_ascii=False, separators=r.choice([(",", ":"), (", ", ": ")]))


def quoted(r):
    return r.choice([" ".join(r.sample(WORDS, r.randint(1, 4))), f"{r.choice(NAMES)}'s {r.choice(WORDS)}", r.choice(CITIES),
                     path(r), f"{r.choice(WORDS)}-{r.randint(1, 99)}"])


def thread(r):
    return r.choice(["main", f"pool-{r.randint(1, 9)}-thread-{r.randint(1, 32)}", f"http-nio-8080-exec-{r.randint(1, 200)}",
                     f"kafka-consumer-{r.randint(0, 11)}", f"scheduling-{r.randint(1, 4)}", f"ForkJoinPool.commonPool-worker-{r.randint(1, 15)}"])


KINDS = {
    "num": num, "flt": flt, "dur": dur, "size": size, "ip": ip, "ipv6": ipv6, "port": lambda r: str(r.randint(1024, 65535)),
    "uuid": uuid, "hex8": lambda r: hexs(r, 8), "hex16": lambda r: hexs(r, 16), "hex32": lambda r: hexs(r, 32), "iso": iso,
    "path": path, "fpath": fpath, "url": url, "email": email, "host": host, "id": ident, "name": lambda r: r.choice(NAMES),
    "uname": lambda r: r.choice(UNICODE_NAMES), "city": lambda r: r.choice(CITIES), "svc": lambda r: r.choice(SERVICES),
    "region": lambda r: r.choice(REGIONS), "table": lambda r: r.choice(TABLES), "queue": lambda r: r.choice(QUEUES),
    "err": lambda r: r.choice(ERRNOS), "method": lambda r: r.choice(METHODS), "status": lambda r: str(r.choice([200, 201, 204, 301, 304, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504])),
    "agent": lambda r: r.choice(AGENTS), "q": quoted, "list": lambda r: word_list(r, lambda r: str(r.randint(1, 99999))),
    "nlist": lambda r: word_list(r, lambda r: r.choice(NAMES)), "hlist": lambda r: word_list(r, host), "obj": obj_dump,
    "json": embedded_json, "thread": thread, "word": lambda r: r.choice(WORDS), "pct": lambda r: f"{r.randint(0, 100)}%",
    "ver": lambda r: f"v{r.randint(0, 3)}.{r.randint(0, 30)}.{r.randint(0, 9)}", "pid": lambda r: str(r.randint(1, 65535)),
    "sha": lambda r: hexs(r, 40), "bool": lambda r: r.choice(["True", "False"]), "trace": lambda r: hexs(r, 32), "span": lambda r: hexs(r, 16),
}


def slot_truth(value):
    """A variable's truth: `<*>`, except that a list, object dump or JSON document keeps its
    brackets (and a type name before them): `[<*>]`, `{<*>}`, `OrderDto{<*>}`."""
    for open_, close in ("[]", "{}"):
        if value.endswith(close) and open_ in value:
            return value[:value.index(open_) + 1] + "<*>" + close
    return "<*>"


def numbers_as_variables(text):
    """Constant text with its numbers as variables, the Loghub-2.0 convention the labels follow:
    a run of digits is a variable wherever it stands (`HTTP/1.1` is `HTTP/<*>`, `#0` is `#<*>`),
    dotted numbers are one (`<*>.<*>` is `<*>`), and so is a long hex run with a digit."""
    out = re.sub(r"(?<![A-Za-z0-9_])\d+(?![A-Za-z0-9_])", "<*>", text)
    out = re.sub(r"(?<![A-Za-z0-9_])(?=[0-9A-Fa-f]*\d)[0-9A-Fa-f]{8,}(?![A-Za-z0-9_])", "<*>", out)
    while "<*>.<*>" in out:
        out = out.replace("<*>.<*>", "<*>")
    return out


def fill(r, text):
    """(line text, truth) of a template text with `{kind}` slots."""
    out, truth, const, i = [], [], [], 0
    while i < len(text):
        if text[i] == "{" and "}" in text[i:] and text[i + 1:text.index("}", i)] in KINDS:
            end = text.index("}", i)
            value = KINDS[text[i + 1:end]](r)
            out.append(value)
            truth.append(numbers_as_variables("".join(const)))
            const = []
            kind = text[i + 1:end]
            # A URL keeps its scheme (`hdfs://<*>` in Loghub's labels).
            truth.append(slot_truth(value) if kind in ("list", "nlist", "hlist", "obj", "json") else "https://<*>" if kind == "url" else "<*>")
            i = end + 1
        else:
            out.append(text[i])
            const.append(text[i])
            i += 1
    truth.append(numbers_as_variables("".join(const)))
    return "".join(out), "".join(truth)


def zipf_pick(r, n):
    """A template index with skewed frequencies (Zipf, exponent 1.1)."""
    weights = [1 / (k + 1) ** 1.1 for k in range(n)]
    return r.choices(range(n), weights)[0]


# ---------------------------------------------------------------------------------------------
# Messages shared by the structured styles: (message template, {field: kind}) per call site.

APP_EVENTS = [
    ("request completed", {"method": "method", "path": "path", "status": "status", "latency": "dur", "bytes": "num"}),
    ("request failed", {"method": "method", "path": "path", "status": "status", "error": "err"}),
    ("cache miss", {"key": "id", "cache": "word"}),
    ("cache hit", {"key": "id", "cache": "word"}),
    ("connected to database", {"host": "host", "db": "table", "pool_size": "num"}),
    ("disconnected from database", {"host": "host", "db": "table", "reason": "err"}),
    ("retrying request to {svc} after {dur}", {"attempt": "num", "error": "err"}),
    ("payment authorized for order {id}", {"amount": "flt", "currency": "word", "customer": "email"}),
    ("payment declined for order {id}", {"amount": "flt", "reason": "word"}),
    ("user {name} signed in from {ip}", {"session": "uuid"}),
    ("user {name} signed out", {"session": "uuid"}),
    ("published {num} messages to {queue}", {"partition": "num", "took": "dur"}),
    ("consumed message from {queue}", {"offset": "num", "lag": "num"}),
    ("slow query on table {table} took {dur}", {"rows": "num", "query_id": "hex16"}),
    ("worker pool resized to {num} workers", {"pool": "word"}),
    ("config reloaded from {fpath}", {"version": "ver", "checksum": "sha"}),
    ("feature flag {word} enabled for tenant {id}", {}),
    ("feature flag {word} disabled for tenant {id}", {}),
    ("rate limit exceeded for client {ip}", {"limit": "num", "window": "dur"}),
    ("health check passed", {"checks": "num", "took": "dur"}),
    ("health check failed", {"check": "word", "error": "err"}),
    ("shutting down server", {"signal": "word", "grace": "dur"}),
    ("starting server on :{port}", {"version": "ver", "pid": "pid"}),
    ("uploaded object {fpath} to bucket {word}", {"size": "size", "etag": "hex32"}),
    ("invalidated {num} cache entries for prefix {path}", {}),
    ("scheduled job {word} next run at {iso}", {"job_id": "uuid"}),
    ("job {word} finished in {dur} with {num} items", {"job_id": "uuid", "failed": "num"}),
    ("token refreshed for {email}", {"expires_in": "dur"}),
    ("order {id} moved to state {word}", {"previous": "word", "items": "num"}),
    ("inventory reserved: {num} units of sku {id} in {region}", {}),
]


def structured_message(r, events):
    k = zipf_pick(r, len(events))
    msg_t, fields = events[k]
    msg, truth = fill(r, msg_t)
    values = {f: KINDS[kind](r) for f, kind in fields.items()}
    for f, kind in fields.items():
        if kind in ("num", "status", "pid", "port") and r.random() < 0.8:
            values[f] = int(values[f])
        if kind == "flt":
            values[f] = float(values[f])
    return k, msg, truth, values


def json_truth(msg_truth, doc):
    """A structured record's template is its message's."""
    assert any(k in doc for k in MESSAGE_KEYS)
    return msg_truth


def level_for(k):
    return ["info", "warn", "error", "debug"][k % 4]


def zap_json(r):
    k, msg, truth, values = structured_message(r, APP_EVENTS)
    doc = {"level": level_for(k), "ts": round(1.7e9 + r.random() * 1e7, 6), "caller": f"{r.choice(SERVICES)}/{r.choice(WORDS)}.go:{r.randint(10, 900)}",
           "msg": msg, **values}
    if r.random() < 0.3:
        doc["trace_id"] = hexs(r, 32)
    line = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return line, json_truth(truth, doc)


def logrus_json(r):
    k, msg, truth, values = structured_message(r, APP_EVENTS)
    doc = {**values, "level": level_for(k), "msg": msg, "time": iso(r)}
    if r.random() < 0.5:
        doc["component"] = r.choice(SERVICES)
    line = json.dumps(doc, ensure_ascii=False)
    return line, json_truth(truth, doc)


def slog_json(r):
    k, msg, truth, values = structured_message(r, APP_EVENTS)
    doc = {"time": iso(r), "level": level_for(k).upper(), "msg": msg}
    if r.random() < 0.4:
        doc["source"] = {"function": f"main.{r.choice(WORDS)}", "file": f"/src/{r.choice(WORDS)}.go", "line": r.randint(1, 500)}
    # slog groups: some fields under a group key.
    if values and r.random() < 0.5:
        doc["req"] = values
    else:
        doc.update(values)
    line = json.dumps(doc, ensure_ascii=False)
    return line, json_truth(truth, doc)


def logfmt_value(v):
    s = str(v)
    return f'"{s}"' if (" " in s or '"' in s or "=" in s or s == "") else s


def logfmt(r, time_key, level_upper, first_keys):
    k, msg, truth, values = structured_message(r, APP_EVENTS)
    level = level_for(k).upper() if level_upper else level_for(k)
    pairs = [(time_key, iso(r)), ("level", level), ("msg", msg)] if first_keys else [("level", level), (time_key, iso(r)), ("msg", msg)]
    pairs += list(values.items())
    if r.random() < 0.3:
        pairs.append(("trace_id", hexs(r, 32)))
    line = " ".join(f"{k}={logfmt_value(v) if k != 'msg' else chr(34) + v + chr(34)}" for k, v in pairs)
    return line, truth


def slog_logfmt(r):
    return logfmt(r, "time", True, True)


def logrus_text(r):
    return logfmt(r, "time", False, False)


def otel_record(r):
    k, msg, truth, values = structured_message(r, APP_EVENTS)
    attrs = {f"app.{f}": v for f, v in values.items()}
    if r.random() < 0.5:
        attrs["http.route"] = r.choice(["/api/v1/orders/{id}", "/api/v1/cart", "/healthz", "/api/v1/users/{id}/orders"])
    doc = {"Timestamp": str(1700000000000000000 + r.randint(0, 10 ** 15)), "SeverityText": level_for(k).upper(),
           "SeverityNumber": [9, 13, 17, 5][k % 4], "Body": msg,
           "Resource": {"service.name": r.choice(SERVICES), "service.instance.id": uuid(r), "k8s.pod.name": host(r)},
           "InstrumentationScope": {"Name": f"github.com/example/{r.choice(SERVICES)}", "Version": "1.4.0"},
           "Attributes": attrs}
    if r.random() < 0.7:
        doc["TraceId"], doc["SpanId"] = hexs(r, 32), hexs(r, 16)
    line = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return line, json_truth(truth, doc)


# ---------------------------------------------------------------------------------------------
# Plain-text styles: (template text, level or None) per call site.


def plain_style(templates, prefix):
    """A style from template texts; `prefix(r, level)` gives the line header (text, truth)."""

    def gen(r):
        k = zipf_pick(r, len(templates))
        text, level = templates[k]
        head, head_truth = prefix(r, level)
        body, truth = fill(r, text)
        return head + body, head_truth + truth

    return gen


def spring_prefix(r, level):
    ts = f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} {r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}.{r.randint(0, 999):03d}"
    logger, lvl = level
    return (f"{ts} {lvl:>5} {r.randint(1, 9999)} --- [{thread(r)}] {logger} : ",
            f"<*> <*> {lvl} <*> --- [<*>] {numbers_as_variables(logger)} : ")


FRAMES = ["com.example.shop.{c}.{m}({c}.java:{n})", "org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:{n})",
          "jdk.internal.reflect.GeneratedMethodAccessor{n}.invoke(Unknown Source)", "java.base/java.lang.Thread.run(Thread.java:{n})",
          "org.hibernate.engine.jdbc.spi.SqlExceptionHelper.convert(SqlExceptionHelper.java:{n})",
          "io.netty.channel.AbstractChannelHandlerContext.invokeChannelRead(AbstractChannelHandlerContext.java:{n})",
          "com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:{n})", "java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:{n})"]
CLASSES = ["OrderService", "PaymentClient", "CartController", "InventoryRepository", "ShippingGateway"]
JAVA = [
    # (header message, logger, level, exception line or None)
    ("Started ShopApplication in {flt} seconds (process running for {flt})", "c.e.shop.ShopApplication", "INFO", None),
    ("Processing order {id} for customer {email}", "c.e.shop.OrderService", "INFO", None),
    ("Order {id} placed with {num} items, total {flt} EUR", "c.e.shop.OrderService", "INFO", None),
    ("Failed to process order {id}", "c.e.shop.OrderService", "ERROR", "java.lang.IllegalStateException: Order {id} is not in state PAID"),
    ("Failed to charge order {id}", "c.e.shop.PaymentClient", "ERROR", "java.net.SocketTimeoutException: Read timed out after {num} ms"),
    ("Failed to refund order {id}", "c.e.shop.PaymentClient", "ERROR", "java.net.SocketTimeoutException: Read timed out after {num} ms"),
    ("Unhandled exception in request {method} {path}", "o.a.c.c.C.[.[.[/].[dispatcherServlet]", "ERROR",
     "java.lang.NullPointerException: Cannot invoke \"com.example.shop.Cart.getItems()\" because \"cart\" is null"),
    ("HikariPool-1 - Connection is not available, request timed out after {num}ms.", "com.zaxxer.hikari.pool.HikariPool", "WARN", None),
    ("Could not open JDBC connection to {host}:{port}", "o.h.engine.jdbc.spi.SqlExceptionHelper", "ERROR",
     "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after {num}ms."),
    ("Cache {word} evicted {num} entries", "c.e.shop.cache.CacheManager", "DEBUG", None),
    ("Cache {word} warmed up with {num} entries in {num} ms", "c.e.shop.cache.CacheManager", "INFO", None),
    ("Received message {uuid} from topic {queue} partition {num} offset {num}", "c.e.shop.kafka.OrderListener", "INFO", None),
    ("Error handling message {uuid} from topic {queue}", "c.e.shop.kafka.OrderListener", "ERROR",
     "org.apache.kafka.common.errors.SerializationException: Error deserializing key/value for partition {queue}-{num} at offset {num}"),
    ("Completed {num} of {num} shipments for batch {id}", "c.e.shop.ShippingGateway", "INFO", None),
    ("Tomcat started on port(s): {port} (http) with context path ''", "o.s.b.w.embedded.tomcat.TomcatWebServer", "INFO", None),
    ("Inventory for sku {id} below threshold: {num} left", "c.e.shop.InventoryRepository", "WARN", None),
    ("Inventory for sku {id} above threshold: {num} left", "c.e.shop.InventoryRepository", "WARN", None),
    ("Retrying call to {url} (attempt {num} of {num})", "c.e.shop.http.RetryInterceptor", "WARN", None),
    ("Giving up call to {url}", "c.e.shop.http.RetryInterceptor", "ERROR", "java.net.ConnectException: Connection refused: {host}/{ip}:{port}"),
    ("Session {hex32} expired for user {name}", "c.e.shop.auth.SessionRegistry", "INFO", None),
]


def java_stack(r):
    k = zipf_pick(r, len(JAVA))
    msg_t, logger, lvl, exc_t = JAVA[k]
    head, head_truth = spring_prefix(r, (logger, lvl))
    msg, truth = fill(r, msg_t)
    line, truth = head + msg, head_truth + truth
    if exc_t is None:
        return line, truth
    exc, exc_truth = fill(r, exc_t)
    lines = [line, exc]
    for _ in range(r.randint(2, 14)):
        f = r.choice(FRAMES).replace("{c}", r.choice(CLASSES)).replace("{m}", r.choice(["handle", "process", "apply", "lambda$run$0"]))
        lines.append("\tat " + f.replace("{n}", str(r.randint(20, 2000))))
    if r.random() < 0.4:
        lines.append("Caused by: java.io.IOException: " + r.choice(ERRNOS))
        lines.append("\tat " + FRAMES[1].replace("{n}", str(r.randint(20, 900))))
        lines.append(f"\t... {r.randint(5, 80)} more")
    # The template: the header line, the exception line, and the stack as one variable.
    return "\n".join(lines), truth + " " + exc_truth + " <*>"


def clf_time(r):
    mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][r.randint(0, 11)]
    return f"[{r.randint(1, 28):02d}/{mon}/2024:{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d} {r.choice(['+0000', '-0700', '+0100'])}]"


def nginx(r):
    k = zipf_pick(r, 14)
    if k in (0, 1, 3):
        # combined, with and without request time and upstream fields
        req, req_truth = fill(r, r.choice(['"{method} {path} HTTP/1.1"', '"{method} {path} HTTP/2.0"']))
        ref = r.choice(['"-"', f'"{url(r)}"'])
        line = f"{ip(r)} - {r.choice(['-', r.choice(NAMES)])} {clf_time(r)} {req} {KINDS['status'](r)} {r.randint(0, 99999)} {ref} \"{r.choice(AGENTS)}\""
        truth = f'<*> - <*> [<*> <*>] {req_truth} <*> <*> "<*>" "<*>"'
        if k == 1:
            line += f" rt={r.randint(0, 9)}.{r.randint(0, 999):03d} uct=\"{r.randint(0, 9)}.{r.randint(0, 999):03d}\" urt=\"{r.randint(0, 9)}.{r.randint(0, 999):03d}\""
            truth += ' rt=<*> uct="<*>" urt="<*>"'
        if k == 3:
            line += f" \"{ip(r)}:{r.choice([8080, 9000, 3000])}\" {r.randint(1, 9)}.{r.randint(0, 999):03d}"
            truth += ' "<*>" <*>'
        return line, truth
    if k == 2:
        # envoy's default access log format
        req, req_truth = fill(r, '"{method} {path} HTTP/1.1"')
        line = (f"[{iso(r)}] {req} {KINDS['status'](r)} {r.choice(['-', 'UF', 'URX', 'UT', 'NR'])} "
                f"{r.randint(0, 9999)} {r.randint(0, 99999)} {r.randint(0, 3000)} {r.choice(['-', str(r.randint(0, 3000))])} \"{ip(r)}\" "
                f"\"{r.choice(AGENTS)}\" \"{uuid(r)}\" \"{r.choice(SERVICES)}.example.com\" \"{ip(r)}:{r.choice([8080, 9000])}\"")
        return line, f'[<*>] {req_truth} <*> <*> <*> <*> <*> <*> "<*>" "<*>" "<*>" "<*>" "<*>"'
    ts = f"2024/{r.randint(1, 12):02d}/{r.randint(1, 28):02d} {r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}"
    errs = [
        "[error] {pid}#0: *{num} connect() failed (111: Connection refused) while connecting to upstream, client: {ip}, server: {host}, "
        "request: \"{q}\", upstream: \"{url}\", host: \"{host}\"",
        "[error] {pid}#0: *{num} upstream timed out (110: Connection timed out) while reading response header from upstream, client: {ip}, "
        "server: {host}, request: \"{q}\", upstream: \"{url}\", host: \"{host}\"",
        "[warn] {pid}#0: *{num} an upstream response is buffered to a temporary file {fpath} while reading upstream, client: {ip}, "
        "server: {host}, request: \"{q}\", upstream: \"{url}\", host: \"{host}\"",
        "[notice] {pid}#{pid}: signal process started",
        "[notice] {pid}#{pid}: worker process {pid} exited with code {num}",
        "[error] {pid}#0: *{num} open() \"{fpath}\" failed (2: No such file or directory), client: {ip}, server: {host}, request: \"{q}\", "
        "host: \"{host}\"",
        "[error] {pid}#0: *{num} no live upstreams while connecting to upstream, client: {ip}, server: {host}, request: \"{q}\", "
        "upstream: \"{url}\", host: \"{host}\"",
        "[info] {pid}#0: *{num} client {ip} closed keepalive connection",
        "[info] {pid}#0: *{num} client {ip} closed keepalive connection (104: Connection reset by peer)",
        "[warn] {pid}#0: *{num} limiting requests, excess: {flt} by zone \"{word}\", client: {ip}, server: {host}, request: \"{q}\", "
        "host: \"{host}\"",
        "[crit] {pid}#0: *{num} SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) while SSL handshaking, "
        "client: {ip}, server: {ip}:{port}",
    ]
    text = errs[(k - 4) % len(errs)]
    body, truth = fill(r, text)
    # A time of day without a fraction is `<*>:<*>:<*>` (Loghub-2.0's convention).
    return ts + " " + body, "<*> <*>:<*>:<*> " + truth


def oslo_context(r):
    """The request context of OpenStack-style (oslo.log) services: several ids and dashes."""
    v = r.randint(0, 4)
    if v == 0:
        return f"[req-{uuid(r)} {hexs(r, 32)} {hexs(r, 32)} - - -]"
    if v == 1:
        return f"[req-{uuid(r)} - - - - -]"
    if v == 2:
        return f"[None req-{uuid(r)} {r.choice(NAMES)} {r.choice(['admin', 'demo', 'service'])} - default default]"
    if v == 3:
        return f"[req-{uuid(r)} {hexs(r, 32)} {hexs(r, 32)} - {hexs(r, 32)} {hexs(r, 32)}]"
    return "[-]"


CONTEXT = [
    ("{ip} \"GET {path} HTTP/1.1\" status: {status} len: {num} time: {flt}", "INFO", "wsgi.server"),
    ("{ip} \"POST {path} HTTP/1.1\" status: {status} len: {num} time: {flt}", "INFO", "wsgi.server"),
    ("{ip} \"DELETE {path} HTTP/1.1\" status: {status} len: {num} time: {flt}", "INFO", "wsgi.server"),
    ("[instance: {uuid}] Took {flt} seconds to build instance.", "INFO", "compute.manager"),
    ("[instance: {uuid}] Took {flt} seconds to spawn the instance on the hypervisor.", "INFO", "compute.manager"),
    ("[instance: {uuid}] Took {flt} seconds to destroy the instance on the hypervisor.", "INFO", "compute.manager"),
    ("[instance: {uuid}] Terminating instance", "INFO", "compute.manager"),
    ("[instance: {uuid}] Attempting claim: memory {num} MB, disk {num} GB, vcpus {num} CPU", "INFO", "compute.claims"),
    ("[instance: {uuid}] Claim successful", "INFO", "compute.claims"),
    ("Lock \"{word}\" acquired by \"{word}.{word}.{word}\" :: waited {flt}s", "DEBUG", "concurrency.lockutils"),
    ("Lock \"{word}\" released by \"{word}.{word}.{word}\" :: held {flt}s", "DEBUG", "concurrency.lockutils"),
    ("Acquiring lock \"{word}\" by \"{word}.{word}.{word}\"", "DEBUG", "concurrency.lockutils"),
    ("Final resource view: name={host} phys_ram={num}MB used_ram={num}MB phys_disk={num}GB used_disk={num}GB total_vcpus={num} "
     "used_vcpus={num} pci_stats={list}", "INFO", "compute.resource_tracker"),
    ("Auditing locally available compute resources for {host} (node: {host})", "INFO", "compute.resource_tracker"),
    ("image {uuid} at ({fpath}): checking", "INFO", "virt.libvirt.imagecache"),
    ("image {uuid} at ({fpath}): in use: on this node {num} local, {num} on other nodes sharing this instance storage",
     "INFO", "virt.libvirt.imagecache"),
    ("Unexpected error while running command. Command: {fpath} --arg {word} Exit code: {num} Stdout: '{word}' Stderr: '{err}'",
     "ERROR", "processutils"),
    ("Creating event network-vif-plugged:{uuid} for instance {uuid}", "INFO", "api.openstack.compute.server_external_events"),
    ("Volume {uuid} attached to instance {uuid} at {fpath} with size={size} type={word} multiattach={bool}", "INFO", "volume.manager"),
    ("Volume {uuid} detached from instance {uuid} at {fpath} with size={size} type={word} multiattach={bool}", "INFO", "volume.manager"),
    ("Request body contains parameters key={word} value={q} region={region} tags={nlist}", "DEBUG", "api.validation"),
]


def context_style(r):
    k = zipf_pick(r, len(CONTEXT))
    text, lvl, logger = CONTEXT[k]
    ts = f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} {r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}.{r.randint(0, 999):03d}"
    service = r.choice(["nova", "cinder", "neutron", "glance"])
    body, truth = fill(r, text)
    line = f"{ts} {r.randint(1000, 40000)} {lvl} {service}.{logger} {oslo_context(r)} {body}"
    # The service is the process that wrote the line (one of several), so a variable before the logger name.
    return line, f"<*> <*> <*> {lvl} <*>.{logger} [<*>] {truth}"


KV = [
    ("INFO", "request method={method} path={path} status={status} duration={dur} bytes={num} client={ip} user={email}"),
    ("INFO", "db.query table={table} rows={num} took={dur} conn={num} tx={hex16}"),
    ("WARN", "db.query slow table={table} rows={num} took={dur} conn={num} tx={hex16} threshold={dur}"),
    ("INFO", "cache.get key={id} result=hit size={size} ttl={dur}"),
    ("INFO", "cache.get key={id} result=miss size={size} ttl={dur}"),
    ("INFO", "queue.publish topic={queue} partition={num} offset={num} key={uuid} size={size}"),
    ("ERROR", "queue.publish topic={queue} partition={num} error=\"{err}\" retry_in={dur}"),
    ("INFO", "gc pause={dur} heap_before={size} heap_after={size} reclaimed={pct}"),
    ("INFO", "http.client method={method} url={url} status={status} duration={dur} attempt={num}"),
    ("ERROR", "http.client method={method} url={url} error=\"{err}\" duration={dur} attempt={num}"),
    ("INFO", "auth.login user={email} ip={ip} mfa=totp session={uuid}"),
    ("INFO", "auth.login user={email} ip={ip} mfa=webauthn session={uuid}"),
    ("WARN", "auth.denied user={email} ip={ip} reason=\"{q}\" attempts={num}"),
    ("INFO", "deploy.rollout service={svc} version={ver} replicas={num} region={region} sha={sha}"),
    ("INFO", "scheduler.tick due={num} running={num} queued={num} lag={dur}"),
    ("INFO", "pool.stats active={num} idle={num} waiting={num} max={num} host={host}"),
    ("WARN", "disk.usage mount={fpath} used={pct} free={size} inodes_free={num}"),
    ("INFO", "span.export exporter=otlp endpoint={url} spans={num} dropped={num} took={dur}"),
    ("INFO", "billing.invoice id={id} customer={id} amount={flt} currency=EUR lines={num} ipv6={ipv6}"),
    ("INFO", "billing.invoice id={id} customer={id} amount={flt} currency=USD lines={num} ipv6={ipv6}"),
]


def kv_style(r):
    k = zipf_pick(r, len(KV))
    lvl, text = KV[k]
    ts = iso(r)
    body, truth = fill(r, text)
    return f"{ts} {lvl} [{r.choice(SERVICES)}] {body}", f"<*> {lvl} [<*>] {truth}"


LISTS = [
    "Assigned partitions {list} to consumer {uuid}",
    "Revoked partitions {list} from consumer {uuid}",
    "Replicas {hlist} are in sync for shard {num}",
    "Replicas {hlist} fell behind for shard {num}",
    "Notifying subscribers {nlist} about event {uuid}",
    "Batch {id} contains order ids {list}",
    "Created order {obj}",
    "Updated order {obj} by {name}",
    "Rejected order {obj}: {err}",
    "Loaded feature set {nlist} for tenant {id} in {dur}",
    "Resolved {host} to {list} via dns",
    "Retrying tasks {list} after failure on {host}",
    "Cluster members changed: {hlist}",
    "Scheduled pods {nlist} on node {host}",
]


def list_style(r):
    k = zipf_pick(r, len(LISTS))
    body, truth = fill(r, LISTS[k])
    ts = iso(r)
    return f"{ts} [{thread(r)}] {body}", f"<*> [<*>] {truth}"


EMBEDDED = [
    "received webhook from {svc} payload={json}",
    "received webhook from {svc} payload={json} signature={hex32}",
    "sending event to {queue}: {json}",
    "provider returned unexpected response {status}: {json}",
    "cached response for {path} -> {json}",
    "request body validation failed for {path}: {json}",
    "grpc call {word}.{word}/{word} metadata={json} took {dur}",
    "stored document {uuid} in collection {table} with fields {json}",
    "diff for {id}: before={json} after={json}",
    "audit: actor={email} action=update target={id} changes={json}",
]


def embedded_style(r):
    k = zipf_pick(r, len(EMBEDDED))
    body, truth = fill(r, EMBEDDED[k])
    lvl = ["INFO", "DEBUG", "WARN", "ERROR"][k % 4]
    return f"{iso(r)} {lvl} {body}", f"<*> {lvl} {truth}"


UNICODE = [
    ("INFO", "用户 {uname} 登录成功，来自 {ip}"),
    ("WARN", "用户 {uname} 登录失败，密码错误，第 {num} 次尝试"),
    ("INFO", "订单 {id} 已创建，金额 {flt} 元"),
    ("INFO", "订单 {id} 已取消，原因：{q}"),
    ("ERROR", "数据库连接失败：{err}，将在 {dur} 后重试"),
    ("INFO", "Benutzer {uname} hat sich aus {city} angemeldet"),
    ("INFO", "Bestellung {id} wurde an {city} versandt"),
    ("WARN", "Lieferung {id} nach {city} verzögert um {dur}"),
    ("INFO", "Пользователь {uname} вошёл в систему с адреса {ip}"),
    ("ERROR", "Не удалось обработать платёж {id}: {err}"),
    ("INFO", "ユーザー {uname} がログインしました (セッション {uuid})"),
    ("INFO", "注文 {id} を {city} に発送しました"),
    ("INFO", "사용자 {uname} 로그인 성공 ({ip})"),
    ("INFO", "Paiement {id} accepté pour {uname} — montant {flt} €"),
    ("WARN", "Paiement {id} refusé pour {uname} — montant {flt} €"),
    ("INFO", "Envío {id} entregado en {city} ✓"),
    ("INFO", "Envío {id} devuelto desde {city} ✗"),
    ("INFO", "cache warm ⏱ {dur} ▸ {num} keys ▸ région {region}"),
]


def unicode_style(r):
    k = zipf_pick(r, len(UNICODE))
    lvl, text = UNICODE[k]
    body, truth = fill(r, text)
    return f"{iso(r)} {lvl} {body}", f"<*> {lvl} {truth}"


# Python logging's default-ish format with quoted strings and repr()s (a Python service).
PYTHON = [
    ("INFO", "app.views", "Handled {method} {path} -> {status} in {dur}"),
    ("INFO", "app.tasks", "Task app.tasks.{word}[{uuid}] received"),
    ("INFO", "app.tasks", "Task app.tasks.{word}[{uuid}] succeeded in {flt}s: None"),
    ("ERROR", "app.tasks", "Task app.tasks.{word}[{uuid}] raised unexpected: ConnectionError('{err}')"),
    ("WARNING", "app.db", "Slow query ({flt}s): 'SELECT * FROM {table} WHERE id = %s' params=({num},)"),
    ("INFO", "app.auth", "User '{email}' logged in via {word}"),
    ("WARNING", "app.auth", "User '{email}' failed to log in: invalid password"),
    ("WARNING", "app.auth", "User '{email}' failed to log in: account locked"),
    ("INFO", "app.storage", "Wrote {size} to bucket {word} key {fpath}"),
    ("INFO", "app.billing", "Charging customer '{id}' amount={flt} currency='eur' items={obj}"),
    ("ERROR", "app.billing", "Stripe error for customer '{id}': {q}"),
    ("DEBUG", "urllib3.connectionpool", "Starting new HTTPS connection (1): {host}:443"),
    ("DEBUG", "urllib3.connectionpool", "{url} \"{method} {path} HTTP/1.1\" {status} {num}"),
    ("INFO", "gunicorn.error", "Booting worker with pid: {pid}"),
    ("INFO", "gunicorn.error", "Worker exiting (pid: {pid})"),
    ("CRITICAL", "gunicorn.error", "WORKER TIMEOUT (pid:{pid})"),
]


def python_style(r):
    k = zipf_pick(r, len(PYTHON))
    lvl, logger, text = PYTHON[k]
    body, truth = fill(r, text)
    ts = f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} {r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d},{r.randint(0, 999):03d}"
    return f"{ts} {lvl} [{logger}] {body}", f"<*> <*> {lvl} [{logger}] {truth}"


STYLES = {
    "ZapJSON": zap_json, "LogrusText": logrus_text, "LogrusJSON": logrus_json, "SlogJSON": slog_json, "SlogLogfmt": slog_logfmt,
    "OTelRecords": otel_record, "JavaStack": java_stack, "NginxEnvoy": nginx, "RequestContext": context_style, "KeyValue": kv_style,
    "ListsObjects": list_style, "EmbeddedJSON": embedded_style, "Unicode": unicode_style, "PythonLogging": python_style,
}


def write_gz(path, text):
    # mtime 0 and no file name in the header: the same input gives the same bytes.
    with open(path, "wb") as f, gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as z:
        z.write(text.encode("utf-8"))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "testdata", "logstyles")
    for seed, (name, gen) in enumerate(sorted(STYLES.items())):
        r = random.Random(1000 + seed)
        rows = [gen(r) for _ in range(LINES)]
        ids = {}
        for _, t in rows:
            ids.setdefault(t, f"E{len(ids) + 1}")
        os.makedirs(os.path.join(out, name), exist_ok=True)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["LineId", "Content", "EventId", "EventTemplate"])
        for i, (line, t) in enumerate(rows):
            w.writerow([i + 1, line, ids[t], t])
        write_gz(os.path.join(out, name, f"{name}_2k.log_structured_corrected.csv.gz"), buf.getvalue())
        if any("\n" in line for line, _ in rows):
            # The raw log as the service writes it, multi-line records and all: the ingest test
            # reads it to check that continuation lines fold into their record.
            write_gz(os.path.join(out, name, f"{name}_2k.log.gz"), "\n".join(line for line, _ in rows) + "\n")
        print(f"{name}: {LINES} lines, {len(ids)} templates")


if __name__ == "__main__":
    main()
