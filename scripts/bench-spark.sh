#!/usr/bin/env bash
# The Spark benchmark (not in CI; hours at 100M lines): generated incidents of SIZES log lines (default
# 10M, 30M, 100M) into target/bench-spark/, the CLI and the Spark job in local[2] on each; writes
# bench-results/spark.md. Needs the raw-ABI wasm (scripts/build-wasm.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
py=$(bash scripts/setup-spark.sh)
cargo build --release -q -p rootspan-cli
exec "$py" spark/bench/run.py --sizes "${SIZES:-10000000,30000000,100000000}" "$@"
