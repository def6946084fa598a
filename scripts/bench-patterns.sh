#!/usr/bin/env bash
# The log-pattern benchmark, one command: accuracy on the generated log-style corpus
# (testdata/logstyles) and the Loghub-2k development datasets, one configuration for all (so
# every figure is leave-one-style-out), and lines per second natively and in wasm, against
# drain3 (from PyPI, in its own virtualenv) on the same lines in the same run. Results:
# bench-results/patterns.md (tracked) and bench-results/patterns.json (ignored).
#
#   scripts/bench-patterns.sh            (LOGHUB=path overrides testdata/loghub-2k, STYLES=path testdata/logstyles)
set -euo pipefail
cd "$(dirname "$0")/.."
LOGHUB="${LOGHUB:-testdata/loghub-2k}"
STYLES="${STYLES:-testdata/logstyles}"
WORK=target/bench-patterns
VENV="$WORK/venv"
mkdir -p "$WORK" bench-results

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import drain3" 2>/dev/null; then
  echo "== drain3: creating $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "drain3==0.9.11"
fi

echo "== building the shipped wasm (scripts/build-wasm.sh) and the benchmark (release)"
scripts/build-wasm.sh
WASM=wasm-plugin/dist/rootspan_raw.wasm
cargo build --quiet --release -p rootspan-eval

echo "== input: the seven datasets' messages repeated to 1M lines"
"${CARGO_TARGET_DIR:-target}/release/rootspan-eval" bench-patterns lines "$LOGHUB" "$WORK/lines.txt"

echo "== drain3 (accuracy on each dataset, then the 1M lines)"
"$VENV/bin/python" scripts/bench_drain3.py "$LOGHUB" "$STYLES" "$WORK/lines.txt" "$WORK/drain3.json"

echo "== rootspan (accuracy, native, wasm)"
"${CARGO_TARGET_DIR:-target}/release/rootspan-eval" bench-patterns measure "$LOGHUB" "$STYLES" "$WORK/lines.txt" "$WASM" "$WORK/drain3.json" bench-results/patterns
