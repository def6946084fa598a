#!/bin/sh
# Runs one fuzz target for a number of executions, seeded with the upstream fixtures.
# Usage: core/fuzz/run.sh <otlp|tempo_jaeger|loki|prometheus|frames_json|arrow|ingest> [runs, default 1000000]
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them.
# `-s none`: no sanitizer. The core forbids unsafe code, so ASan finds nothing the Rust
# checks do not, and costs 2-3x the executions.
set -eu
cd "$(dirname "$0")"
target=$1
runs=${2:-1000000}
data=${ROOTSPAN_DATA:-../../testdata}
case $target in
    otlp) seeds="otlp-json" ;;
    tempo_jaeger) seeds="tempo-api jaeger-api" ;;
    loki) seeds="loki-api" ;;
    prometheus) seeds="prometheus-api" ;;
    arrow) seeds="" ;;  # the target builds its own valid IPC to mutate
    frames_json) seeds="grafana-frames/sdk grafana-frames/dataplane grafana-frames/loki grafana-frames/prometheus grafana-frames/traces" ;;
    *) seeds="otlp-json tempo-api jaeger-api loki-api prometheus-api grafana-frames/sdk grafana-frames/loki grafana-frames/traces" ;;
esac
mkdir -p "corpus/$target"
dirs=""
for s in $seeds; do dirs="$dirs $data/fixtures/$s"; done
if [ "$target" = ingest ]; then
    # Plain-text logs and gzip members for the dispatcher's other branches.
    mkdir -p corpus/ingest-extra
    for f in "$data"/loghub-2k/*/*_2k.log; do head -c 4000 "$f" > "corpus/ingest-extra/$(basename "$f")"; done
    gzip -c "$data/fixtures/loki-api/loki-streams-a.json" > corpus/ingest-extra/loki.json.gz
    dirs="$dirs corpus/ingest-extra"
fi
# shellcheck disable=SC2086
RUSTC_BOOTSTRAP=1 cargo fuzz run -s none "$target" "corpus/$target" $dirs -- \
    -runs="$runs" -max_len=16384 -dict=json.dict -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
