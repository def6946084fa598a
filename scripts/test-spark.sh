#!/usr/bin/env bash
# The Spark job's tests (spark/tests): in Spark local[2], the report of the sample incident and of
# three Nezha dev cases must equal `rootspan analyze --format json`'s byte for byte. Needs the raw-ABI
# wasm (scripts/build-wasm.sh) and builds the release CLI it compares with (a no-op after the CLI tests).
set -euo pipefail
cd "$(dirname "$0")/.."
py=$(bash scripts/setup-spark.sh)
[ -f wasm-plugin/dist/rootspan_raw.wasm ] || { echo "test-spark: run scripts/build-wasm.sh first" >&2; exit 1; }
cargo build --release -q -p rootspan-cli
# Spark's own log lines (its JVM warnings) go to stderr; the test runner's summary is the last line.
PYTHONPATH=spark "$py" -m unittest discover -s spark/tests -v
