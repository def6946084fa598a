"""drain3, the peer in the log-pattern benchmark (run by scripts/bench-patterns.sh).

Configured once for every input, masking the same kinds of variables rootspan masks:
UUIDs, timestamps, IPs and ip:port, hex and long hex ids (trace and span ids), durations and
sizes, paths, quoted strings and numbers; every mask becomes `<*>`.

usage: bench_drain3.py LOGHUB_DIR STYLES_DIR LINES_FILE OUT_JSON
Writes {"version", "lines", "seconds", "cpu_seconds", "lines_per_second", "lines_per_cpu_second",
"templates", "datasets": {name: [template per line]}}. The timed loop is measured in wall-clock
time and in this thread's CPU time (the machine may be shared), as rootspan's runs are.
"""

import csv
import gzip
import json
import sys
import time
from importlib.metadata import version

from drain3 import TemplateMiner
from drain3.masking import MaskingInstruction
from drain3.template_miner_config import TemplateMinerConfig

DATASETS = ["Apache", "Hadoop", "HealthApp", "Linux", "OpenSSH", "Proxifier", "Thunderbird"]
# The generated log-style corpus (testdata/logstyles, gzipped CSVs of the same shape).
STYLES = ["EmbeddedJSON", "JavaStack", "KeyValue", "ListsObjects", "LogrusJSON", "LogrusText", "NginxEnvoy", "OTelRecords",
          "PythonLogging", "RequestContext", "SlogJSON", "SlogLogfmt", "Unicode", "ZapJSON"]

# Order matters: wider kinds first, so a timestamp is not masked as numbers.
MASKS = [
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?",
    r"((?<=[^A-Za-z0-9])|^)\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(:\d+)?((?=[^A-Za-z0-9])|$)",
    r"((?<=[^A-Za-z0-9])|^)0[xX][0-9a-fA-F]+((?=[^A-Za-z0-9])|$)",
    r"((?<=[^A-Za-z0-9])|^)[0-9a-fA-F]{16,}((?=[^A-Za-z0-9])|$)",
    r"((?<=[^A-Za-z0-9])|^)\d+(\.\d+)?(ns|us|ms|s|m|h|KB|MB|GB|KiB|MiB|GiB|B)((?=[^A-Za-z0-9])|$)",
    r"((?<=[^A-Za-z0-9/])|^)(/[\w.\-]+)+",
    r"\"[^\"]*\"",
    r"((?<=[^A-Za-z0-9])|^)[\-+]?\d+((?=[^A-Za-z0-9])|$)",
]


def miner():
    config = TemplateMinerConfig()
    config.masking_instructions = [MaskingInstruction(p, "*") for p in MASKS]
    config.mask_prefix = "<"
    config.mask_suffix = ">"
    return TemplateMiner(config=config)


def contents(root, name):
    path = f"{root}/{name}/{name}_2k.log_structured_corrected.csv"
    try:
        f = open(path, newline="", encoding="utf-8")
    except FileNotFoundError:
        f = gzip.open(path + ".gz", "rt", newline="", encoding="utf-8")
    with f:
        return [row["Content"] for row in csv.DictReader(f)]


def parse(lines):
    m = miner()
    ids = [m.add_log_message(line)["cluster_id"] for line in lines]
    templates = {c.cluster_id: c.get_template() for c in m.drain.clusters}
    return [templates[i] for i in ids]


def timed(lines):
    """Mines `lines` with one miner; the loop's wall and thread CPU seconds and the templates found."""
    m = miner()
    start, cpu_start = time.perf_counter(), time.thread_time()
    for line in lines:
        m.add_log_message(line)
    seconds, cpu_seconds = time.perf_counter() - start, time.thread_time() - cpu_start
    return {
        "version": version("drain3"),
        "lines": len(lines),
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "lines_per_second": len(lines) / seconds,
        "lines_per_cpu_second": len(lines) / cpu_seconds,
        "templates": len(m.drain.clusters),
    }


def main():
    loghub, styles, lines_file, out = sys.argv[1:5]
    datasets = {name: parse(contents(loghub, name)) for name in DATASETS}
    datasets.update({name: parse(contents(styles, name)) for name in STYLES})
    with open(lines_file, encoding="utf-8") as f:
        lines = f.read().split("\n")
    result = {**timed(lines), "datasets": datasets}
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
