"""drain3 on the benchmark's log lines: the mining part only, configured as scripts/bench_drain3.py configures it.

usage: drain3_mine.py LINES_FILE OUT_JSON   (LINES_FILE: one line per log record, as the Loki frame's Line field)
Writes the timed loop's wall and thread-CPU seconds and the number of templates.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from bench_drain3 import timed  # noqa: E402


def main():
    lines_file, out = sys.argv[1:3]
    with open(lines_file, encoding="utf-8") as f:
        lines = f.read().split("\n")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(timed(lines), f)


if __name__ == "__main__":
    main()
