"""The Spark benchmark (not in CI): for each size, generates the incident (bench/generate.py), runs
the single-process CLI (`rootspan analyze --format json`, the wasm in wasmtime) and the Spark job in
local[2] on the same files, and writes bench-results/spark.md: wall time, CPU time (the process and
its children: Spark's JVM and Python workers), peak memory, log lines per second per core, and
whether the two reports are byte-identical. A run that fails (a limit, memory) is a row saying so.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(cmd, out: Path, env=None):
    """(ok, wall s, cpu s, peak RSS MiB of the largest child, stderr tail). Each run is in a fresh
    `/usr/bin/time -v`, so its CPU and memory are its own."""
    started = time.monotonic()
    with open(out, "wb") as stdout:
        p = subprocess.run(["/usr/bin/time", "-v", *cmd], cwd=ROOT, stdout=stdout, stderr=subprocess.PIPE, env=env)
    wall = time.monotonic() - started
    err = p.stderr.decode(errors="replace")
    field = lambda name: next((line.split(":", 1)[1].strip() for line in err.splitlines() if line.strip().startswith(name)), "0")
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    rss = int(field("Maximum resident set size (kbytes)")) / 1024
    tail = " ".join(l.strip() for l in err.splitlines() if l.strip() and not l.startswith("\t") and "WARN" not in l)[-300:]
    return p.returncode == 0, wall, cpu, rss, tail


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="10000000,30000000,100000000")
    p.add_argument("--lines-per-file", type=int, default=250_000)
    p.add_argument("--data", type=Path, default=ROOT / "target" / "bench-spark")
    p.add_argument("--out", type=Path, default=ROOT / "bench-results" / "spark.md")
    p.add_argument("--skip-cli-above", type=int, default=0, help="no CLI run above this many lines (0: always run it)")
    args = p.parse_args()
    py = sys.executable
    cli = ROOT / "target" / "release" / "rootspan"
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        data = args.data / f"{n}"
        if not (data / ".done").exists():
            subprocess.run([py, str(ROOT / "spark/bench/generate.py"), "--lines", str(n), "--lines-per-file", str(args.lines_per_file), "--out", str(data)], check=True)
            (data / ".done").write_text("")
        files = sorted(str(f.relative_to(ROOT)) if f.is_relative_to(ROOT) else str(f) for f in data.glob("*.json.gz"))
        size_mb = sum(Path(ROOT / f).stat().st_size for f in files) / 1e6
        results = {}
        if not args.skip_cli_above or n <= args.skip_cli_above:
            results["CLI (wasmtime, 1 core)"] = (1, run([str(cli), "analyze", "--format", "json", *files], data / "cli.json"))
        env = dict(os.environ, PYTHONPATH=str(ROOT / "spark"))
        results["Spark local[2]"] = (2, run([py, "-m", "rootspan_spark", "analyze", "--master", "local[2]", "--out", str(data / "spark.json"), *files], data / "spark.log", env))
        same = "n/a"
        if all(r[1][0] for r in results.values()) and len(results) == 2:
            same = "yes" if (data / "cli.json").read_bytes() == (data / "spark.json").read_bytes() else "**no**"
        for what, (cores, (ok, wall, cpu, rss, tail)) in results.items():
            rate = f"{n / wall / cores:,.0f}" if ok else "-"
            status = "ok" if ok else f"failed: {tail}"
            rows.append(f"| {n:,} | {size_mb:,.0f} | {len(files)} | {what} | {wall:,.1f} | {cpu:,.1f} | {rss:,.0f} | {rate} | {same} | {status} |")
            print(rows[-1], flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        "# rootspan on Spark: benchmark\n\n"
        f"Made by `bash scripts/bench-spark.sh` (`spark/bench/run.py --sizes {args.sizes}`), on {os.cpu_count()} cores shared "
        "with other work (absolute times are pessimistic; the two runs of a size ran one after the other on the same files).\n"
        "Lines per second per core: log lines / wall time / cores the run may use (1 for the CLI, 2 for local[2]).\n"
        "CPU: user + system time of the run and its children (Spark's JVM and Python workers). Peak RSS: the largest process.\n\n"
        "| log lines | gzip MB | files | run | wall s | CPU s | peak RSS MiB | lines/s/core | reports identical | result |\n"
        "|---:|---:|---:|---|---:|---:|---:|---:|---|---|\n" + "\n".join(rows) + "\n"
    )


if __name__ == "__main__":
    main()
