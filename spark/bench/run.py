"""The Spark benchmark (not in CI): for each size, generates the incident (bench/generate.py), runs
the single-process CLI (`rootspan analyze --format json`, the wasm in wasmtime) and the Spark job in
local[2] on the same files, and writes bench-results/spark.md: wall time, CPU time (the process and
its descendants: Spark's JVM and Python workers), peak memory, log lines per second per core, and
whether the two reports are byte-identical. A run that fails (a limit, memory) is a row saying so.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class ProcessTree:
    """CPU time and memory of a process and all its descendants, sampled from /proc: Spark's JVM
    is not waited for by the driver and its Python workers are the JVM's children, so
    `getrusage(RUSAGE_CHILDREN)` (what `/usr/bin/time` reports) misses most of a Spark run's work.
    CPU: each process' last sampled user + system time (a process' last sampling interval is lost);
    memory: the largest sum of resident sets over the tree at one sample."""

    TICK = os.sysconf("SC_CLK_TCK")
    PAGE = os.sysconf("SC_PAGE_SIZE")

    def __init__(self, root: int):
        self.root = root
        self.cpu_ticks: dict = {}
        self.peak_rss = 0

    def sample(self) -> None:
        stats = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    # The command name (2nd field) is in parentheses and may hold spaces.
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # After the name: state ppid ... utime (14th field overall) stime ... rss (24th).
            stats[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[21]))
        tree, grew = {self.root}, True
        while grew:
            more = {pid for pid, (ppid, _, _) in stats.items() if ppid in tree and pid not in tree}
            tree |= more
            grew = bool(more)
        rss = 0
        for pid in tree & stats.keys():
            _, ticks, pages = stats[pid]
            self.cpu_ticks[pid] = ticks
            rss += pages * self.PAGE
        self.peak_rss = max(self.peak_rss, rss)

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu_ticks.values()) / self.TICK


def run(cmd, out: Path, env=None):
    """(ok, wall s, CPU s, peak RSS MiB of the process tree, stderr tail, load average before and
    after): the load average says what else the machine was running meanwhile."""
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    with open(out, "wb") as stdout, open(out.with_suffix(".stderr"), "wb") as stderr:
        p = subprocess.Popen(cmd, cwd=ROOT, stdout=stdout, stderr=stderr, env=env)
        tree = ProcessTree(p.pid)
        while p.poll() is None:
            tree.sample()
            time.sleep(0.25)
    wall = time.monotonic() - started
    err = out.with_suffix(".stderr").read_text(errors="replace")
    tail = " ".join(l.strip() for l in err.splitlines() if l.strip() and not l.startswith("\t") and "WARN" not in l)[-300:]
    return p.returncode == 0, wall, tree.cpu_seconds, tree.peak_rss / 2**20, tail, f"{load_before:.1f} / {os.getloadavg()[0]:.1f}"


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
    started = time.time()
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
        for what, (cores, (ok, wall, cpu, rss, tail, load)) in results.items():
            rate = f"{n / wall / cores:,.0f}" if ok else "-"
            status = "ok" if ok else f"failed: {tail}"
            rows.append(f"| {n:,} | {size_mb:,.0f} | {len(files)} | {what} | {wall:,.1f} | {cpu:,.1f} | {rss:,.0f} | {rate} | {load} | {same} | {status} |")
            print(rows[-1], flush=True)
    # A run adds its section at the top and keeps every earlier section (and the hand-written
    # readings of them) below it: a benchmark's history is part of what it says.
    title = "# rootspan on Spark: benchmark\n\n"
    earlier = args.out.read_text() if args.out.exists() else title
    earlier = earlier[len(title):] if earlier.startswith(title) else earlier
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        title
        + f"## Run of {when}\n\n"
        f"Made by `bash scripts/bench-spark.sh` (`spark/bench/run.py --sizes {args.sizes}"
        + (f" --skip-cli-above {args.skip_cli_above}" if args.skip_cli_above else "")
        + f"`), on {os.cpu_count()} cores shared with other work (absolute times are pessimistic; the two runs of a size ran one after the other on the same files).\n"
        "Lines per second per core: log lines / wall time / cores the run may use (1 for the CLI, 2 for local[2]).\n"
        "CPU: user + system time of the run's process tree (Spark's JVM and Python workers included), sampled from /proc every 0.25 s. "
        "Peak RSS: the largest sum of resident memory over that tree at one sample.\n"
        "Load: the machine's 1-minute load average as the run started / ended.\n\n"
        "| log lines | gzip MB | files | run | wall s | CPU s | peak RSS MiB | lines/s/core | load | reports identical | result |\n"
        "|---:|---:|---:|---|---:|---:|---:|---:|---|---|---|\n" + "\n".join(rows) + "\n\n" + earlier
    )

if __name__ == "__main__":
    main()
