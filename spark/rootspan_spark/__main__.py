"""python -m rootspan_spark analyze [--master local[2]] [--options FILE] [--top N] [--driver-memory 4g] [--out FILE] FILES..."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .envelope import CommandFailed
from .wasm import LimitExceeded, Limits, WasmError


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rootspan_spark", description="rootspan's analysis on Apache Spark")
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("analyze", help="the report JSON for FILES, as `rootspan analyze --format json FILES`")
    a.add_argument("files", nargs="+", help="input files (local paths or Hadoop filesystem URLs), in analysis order")
    a.add_argument("--master", default="local[2]", help="Spark master URL (default local[2])")
    a.add_argument("--options", type=Path, help="analysis options JSON file (schema/options.schema.json)")
    a.add_argument("--top", type=int, help="candidates listed (as the CLI's --top)")
    a.add_argument("--wasm", type=Path, help="the raw-ABI wasm (default: ROOTSPAN_WASM, else the checkout's build)")
    a.add_argument("--fuel-base", type=int, default=Limits.fuel_base, help="fuel per call (as the CLI)")
    a.add_argument("--fuel-per-byte", type=int, default=Limits.fuel_per_byte, help="extra fuel per request byte")
    a.add_argument("--memory-mib", type=int, default=Limits.memory_bytes >> 20, help="wasm memory cap per call")
    a.add_argument("--driver-memory", default="4g", help="the driver JVM's heap in local mode (default 4g): all partial states pass through it")
    a.add_argument("--out", type=Path, help="write the report here (default: standard output)")
    args = parser.parse_args(argv)

    options = json.loads(args.options.read_text()) if args.options else {}
    if args.top is not None:
        options["top"] = args.top
    limits = Limits(args.fuel_base, args.fuel_per_byte, args.memory_mib << 20)

    from .job import analyze, spark_session

    started = time.monotonic()
    spark = spark_session(args.master, driver_memory=args.driver_memory)
    try:
        report = analyze(spark, args.files, json.dumps(options) if options else "", args.wasm, limits)
    except (CommandFailed, LimitExceeded, WasmError, RuntimeError) as e:
        print(f"rootspan_spark: {e}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    if args.out:
        args.out.write_text(report + "\n")
    else:
        sys.stdout.write(report + "\n")
    print(f"rootspan_spark: {len(args.files)} inputs analysed in {time.monotonic() - started:.1f} s ({args.master})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
