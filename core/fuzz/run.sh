#!/bin/sh
# Runs one fuzz target for a number of executions, seeded with the upstream fixtures.
# Usage: core/fuzz/run.sh <target> [runs, default 1000000]; the targets are the [[bin]]s of
# Cargo.toml (see README.md). core/fuzz/campaign.sh runs them all.
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
    # Targets that build their input from raw bytes (packed frames, span tables) or read
    # options JSON: they start from nothing; libFuzzer finds the shapes.
    analysis) seeds="" ;;
    # Packed frames: valid ones written below (packed_frame_seeds.py).
    packed_frame) seeds="" ;;
    options) seeds="" ;;
    # Request envelopes: the bad-input corpus and fixtures are inputs, not envelopes; the
    # target's own seeds (corpus/request-seed) are written below.
    request) seeds="" ;;
    *) seeds="otlp-json tempo-api jaeger-api loki-api prometheus-api grafana-frames/sdk grafana-frames/loki grafana-frames/traces" ;;
esac
mkdir -p "corpus/$target"
dirs=""
for s in $seeds; do dirs="$dirs $data/fixtures/$s"; done
if [ "$target" = request ]; then
    # Valid envelopes to mutate: analyze, patterns and mine over small fixtures.
    mkdir -p corpus/request-seed
    python3 - "$data" corpus/request-seed <<'PY'
import struct, sys, pathlib
data, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
files = [data / "fixtures/loki-api/loki-streams-a.json", data / "fixtures/otlp-json/otel-proto-trace.json"]
blob = lambda b: struct.pack("<I", len(b)) + b
for command in (1, 2, 3):
    for options in (b"", b'{"top":3}'):
        body = b"".join(blob(f.name.encode()) + blob(f.read_bytes()[:6000]) for f in files)
        env = b"RSPQ" + struct.pack("<HBB", 1, command, 0) + blob(options) + struct.pack("<I", len(files)) + body
        (out / f"c{command}-{len(options)}").write_bytes(env)
PY
    dirs="$dirs corpus/request-seed"
fi
if [ "$target" = packed_frame ]; then
    python3 packed_frame_seeds.py corpus/packed-frame-seed
    dirs="$dirs corpus/packed-frame-seed"
fi
if [ "$target" = ingest ]; then
    # Plain-text logs and gzip members for the dispatcher's other branches.
    mkdir -p corpus/ingest-extra
    for f in "$data"/loghub-2k/*/*_2k.log; do head -c 4000 "$f" > "corpus/ingest-extra/$(basename "$f")"; done
    gzip -c "$data/fixtures/loki-api/loki-streams-a.json" > corpus/ingest-extra/loki.json.gz
    dirs="$dirs corpus/ingest-extra"
fi
# The longest input, and build flags. The two targets that run a whole analysis per input
# cost about 1 ms each, half of it in compare tracing (perf: sorting f64s in the window
# detection's medians, serialising the report): they are built without it, in their own
# target dir, and kept to inputs the size their data needs (analysis: 6 bytes a span with 32
# span ids a trace, so 2 KiB is every shape; request: the seed envelopes are 3.3 KB). Their
# input-facing compares (envelope magic, JSON keys) come from the seeds and json.dict.
max_len=16384
build=""
case $target in
    analysis) max_len=2048 build="--no-trace-compares --target-dir target/nocmp" ;;
    request) max_len=4096 build="--no-trace-compares --target-dir target/nocmp" ;;
    # The decoders can share that build (FUZZ_NO_TRACE_COMPARES=1) when one build for every
    # target matters more than guided compares: json.dict gives them the keys.
    *) [ -n "${FUZZ_NO_TRACE_COMPARES:-}" ] && build="--no-trace-compares --target-dir target/nocmp" ;;
esac
# shellcheck disable=SC2086
RUSTC_BOOTSTRAP=1 cargo fuzz run -s none $build "$target" "corpus/$target" $dirs -- \
    -runs="$runs" -max_len="$max_len" -dict=json.dict -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
