"""Seeds for the packed_frame fuzz target (run.sh calls it): valid packed frames
(wasm-plugin/PACKED_FRAMES.md) in the target's layout: header length (u16 LE), header, the
number of f64 and u32 values (one byte each), then the f64, u32 and u8 buffers.

    python3 packed_frame_seeds.py OUT_DIR

A trace, log lines with trace ids and a null time, a series with nanos, a null number and a
bool column: without them libFuzzer has to find the header's JSON shape from nothing.
"""
import json
import pathlib
import struct
import sys


def pack(name, meta, fields):
    f64, u32, u8, specs = [], [], bytearray(), []
    rows = len(fields[0][2])
    for field_name, field_type, values in fields:
        valid = None
        if any(v is None for v in values):
            valid = len(u8)
            u8 += bytes(0 if v is None else 1 for v in values)
        if field_type == "time":
            column = {"kind": "time", "ms": len(f64), "nanos": None, "valid": valid}
            f64 += [0.0 if v is None else float(v // 1_000_000) for v in values]
            if any(v is not None and v % 1_000_000 for v in values):
                column["nanos"] = len(f64)
                f64 += [0.0 if v is None else float(v % 1_000_000) for v in values]
        elif field_type == "number":
            column = {"kind": "f64", "values": len(f64), "valid": valid}
            f64 += [0.0 if v is None else float(v) for v in values]
        elif field_type == "boolean":
            column = {"kind": "bool", "values": len(u8), "valid": valid}
            u8 += bytes(1 if v else 0 for v in values)
        else:
            kind = "json" if field_type == "other" else "str"
            texts = [b"" if v is None else (json.dumps(v) if kind == "json" else v).encode() for v in values]
            column = {"kind": kind, "ends": len(u32), "bytes": len(u8), "valid": valid}
            end = 0
            for text in texts:
                end += len(text)
                u32.append(end)
            u8 += b"".join(texts)
        specs.append({"name": field_name, "type": field_type, "labels": {}, "config": {}, "column": column})
    header = json.dumps({"name": name, "refId": "A", "meta": meta, "length": rows, "fields": specs}).encode()
    assert len(f64) < 256 and len(u32) < 256, "the target's layout counts them in one byte"
    return (
        struct.pack("<H", len(header)) + header + bytes([len(f64), len(u32)])
        + struct.pack(f"<{len(f64)}d", *f64) + struct.pack(f"<{len(u32)}I", *u32) + bytes(u8)
    )


T0 = 1674981780000 * 1_000_000  # 2023-01-29T08:43:00Z in ns
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
SEEDS = {
    "trace": pack("trace", {"preferredVisualisationType": "trace"}, [
        ("traceID", "string", [TRACE] * 3),
        ("spanID", "string", ["a1", "a2", "a3"]),
        ("parentSpanID", "string", ["", "a1", "a2"]),
        ("serviceName", "string", ["web", "api", "db"]),
        ("operationName", "string", ["GET /", "call", "query"]),
        ("startTime", "time", [T0, T0 + 1_000_000, T0 + 2_000_000]),
        ("duration", "number", [30, 20, 10]),
        ("statusCode", "number", [0, 0, 2]),
        ("tags", "other", [[{"key": "http.status_code", "value": 500}], None, []]),
    ]),
    "logs": pack("logs", {"type": "log-lines"}, [
        ("timestamp", "time", [T0, T0 + 1500, None]),
        ("body", "string", [f"ERROR payment failed trace_id={TRACE}", "INFO ok", "WARN slow"]),
        ("labels", "other", [{"service_name": "api"}, {"service_name": "api"}, {"service_name": "web"}]),
    ]),
    "series": pack("latency", {"type": "timeseries-wide"}, [
        ("time", "time", [T0, T0 + 60_000_000_000, T0 + 120_000_000_000]),
        ("value", "number", [0.1, None, 2.5]),
        ("up", "boolean", [True, False, True]),
    ]),
}

if __name__ == "__main__":
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for key, data in SEEDS.items():
        (out / key).write_bytes(data)
