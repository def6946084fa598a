"""Generates an incident of N log lines with traces, for the Spark benchmark (scripts/bench-spark.sh).

Eight services call each other (frontend -> {orders, cart, search} -> ...); each request is a trace
of four spans and, per span, a few log lines in Loki query_range JSON that print the trace and span
ids, as TrainTicket's do. In the last quarter of the time range `payment` fails: its spans error, its
latency grows and it logs a new error template. Files hold `--lines-per-file` log lines each (Loki
JSON, gzip), traces go into OTLP JSON files of the same requests, so a Spark task has one file.
Deterministic for a seed, whatever --jobs. Standard library only.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import os
import random
from pathlib import Path

SERVICES = ["frontend", "orders", "cart", "search", "payment", "inventory", "shipping", "users"]
CALLS = {"frontend": ["orders", "cart", "search"], "orders": ["payment", "inventory"], "cart": ["inventory", "users"], "search": ["inventory"]}
# Each template with the function that draws its fields (only those it prints: generating 100M
# lines is the benchmark's longest step).
TEMPLATES = [
    lambda rng, service, status: f"GET /api/{service}/{rng.randint(1, 40)} status={status} took {rng.randint(1, 900)}ms user=u{rng.randint(1, 5000)}",
    lambda rng, service, status: f"cache {rng.choice(('hit', 'miss'))} for key item:{rng.randint(1, 10**6)} in {rng.randint(1, 999)}us",
    lambda rng, service, status: f"processed order {rng.getrandbits(40):010x} with {rng.randint(1, 9)} items total={rng.random() * 500:.2f}",
    lambda rng, service, status: f"query SELECT * FROM {rng.choice(('orders', 'items', 'users'))} WHERE id={rng.randint(1, 10**6)} rows={rng.randint(1, 9)}",
    lambda rng, service, status: f"connection pool size={rng.randint(1, 9)} idle={rng.randint(0, 9)} waiting=0",
]


def error_line(rng, service, status):
    return f"payment gateway timeout after {rng.randint(1, 900)}ms order={rng.getrandbits(40):010x} retry={rng.randint(1, 9)}"


START_NS = 1_700_000_000_000_000_000
LINES_PER_SPAN = 5  # 4 spans per trace, 20 lines per trace


def write_file(out: Path, seed: int, file_no: int, lines: int, first_trace: int, traces_total: int) -> tuple:
    """One file pair: `lines` log lines of the traces from `first_trace` on, in Loki JSON, and those
    traces' spans in OTLP JSON. Its random numbers depend only on the seed and the file number, so
    files can be written in parallel and the incident is the same however many jobs write it."""
    rng = random.Random(f"{seed}/{file_no}")
    span_ns = 3_600 * 10**9 // traces_total  # one hour of traffic
    fault_from = traces_total * 3 // 4
    streams: dict = {}
    spans: dict = {}
    lines_here, trace_no = 0, first_trace
    while lines_here < lines:
        faulty = trace_no >= fault_from
        trace_id = f"{rng.getrandbits(128) | 1:032x}"
        t0 = START_NS + trace_no * span_ns
        path = ["frontend", rng.choice(CALLS["frontend"])]
        path.append(rng.choice(CALLS.get(path[-1], ["users"])))
        if faulty and rng.random() < 0.5:
            path[1:] = ["orders", "payment"]
        path.append("inventory" if path[-1] != "inventory" else "users")
        parent = None
        for depth, service in enumerate(path):
            span_id = f"{rng.getrandbits(64) | 1:016x}"
            error = faulty and service == "payment"
            dur = rng.randint(2, 40) * 10**6 * (30 if error else 1)
            start = t0 + depth * 10**6
            spans.setdefault(service, []).append(
                {
                    "traceId": trace_id,
                    "spanId": span_id,
                    **({"parentSpanId": parent} if parent else {}),
                    "name": f"{service} /api/{service}/{depth}",
                    "kind": 2,
                    "startTimeUnixNano": str(start),
                    "endTimeUnixNano": str(start + dur),
                    "status": {"code": 2} if error else {},
                }
            )
            parent = span_id
            values = streams.setdefault(service, [])
            for k in range(LINES_PER_SPAN):
                if lines_here >= lines:
                    break
                first_error = error and k == 0
                body = (error_line if first_error else rng.choice(TEMPLATES))(rng, service, 500 if error else 200)
                level = "ERROR" if first_error else "INFO"
                values.append([str(start + k * 1000), f"{level} TraceID: {trace_id} SpanID: {span_id} {body}"])
                lines_here += 1
        trace_no += 1
    logs = {
        "status": "success",
        "data": {"resultType": "streams", "result": [{"stream": {"service_name": s, "pod": f"{s}-0"}, "values": v} for s, v in sorted(streams.items())]},
    }
    traces = {
        "resourceSpans": [
            {"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": s}}]}, "scopeSpans": [{"scope": {"name": "bench"}, "spans": v}]}
            for s, v in sorted(spans.items())
        ]
    }
    for kind, doc in (("logs", logs), ("traces", traces)):
        suffix = "loki" if kind == "logs" else "otlp"
        with gzip.open(out / f"{file_no:04d}-{kind}.{suffix}.json.gz", "wt", compresslevel=1) as f:
            json.dump(doc, f, separators=(",", ":"))
    return lines_here, trace_no - first_trace


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--lines", type=int, required=True)
    p.add_argument("--lines-per-file", type=int, default=250_000)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="files written in parallel")
    args = p.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    lines_per_trace = 4 * LINES_PER_SPAN
    traces_total = max(1, -(-args.lines // lines_per_trace))
    traces_per_file = -(-args.lines_per_file // lines_per_trace)
    files = -(-args.lines // args.lines_per_file)
    work = [
        (args.out, args.seed, i, min(args.lines_per_file, args.lines - i * args.lines_per_file), i * traces_per_file, traces_total)
        for i in range(files)
    ]
    with multiprocessing.Pool(args.jobs) as pool:
        done = pool.starmap(write_file, work, chunksize=1)
    lines, traces = sum(d[0] for d in done), sum(d[1] for d in done)
    print(f"{lines} log lines, {traces} traces, {4 * traces} spans in {2 * files} files under {args.out}")


if __name__ == "__main__":
    main()
