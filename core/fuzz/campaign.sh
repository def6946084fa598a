#!/bin/sh
# The fuzz campaign: every target for N executions (default 10 million), one after another,
# at the lowest CPU priority, each log in core/fuzz/logs/<target>.log. Not run in CI.
#
#   core/fuzz/campaign.sh [runs] [targets...]      # default: 10000000, every target
#
# Summarise a running or finished campaign with:
#   grep -h "stat::number_of_executed_units\|^Done\|#[0-9]* *DONE" core/fuzz/logs/*.log
# A crash stops its target and leaves the input in core/fuzz/artifacts/<target>/.
set -u
cd "$(dirname "$0")"
runs=${1:-10000000}
[ $# -gt 0 ] && shift
targets=${*:-"request packed_frame options analysis otlp tempo_jaeger loki prometheus frames_json arrow ingest"}
mkdir -p logs
# Build every target first (one cargo invocation), so the campaign's clock measures fuzzing.
RUSTC_BOOTSTRAP=1 nice -n 19 cargo fuzz build -s none || exit 1
for t in $targets; do
    echo "== $t: $runs runs ($(date -u +%H:%M:%S))"
    nice -n 19 ./run.sh "$t" "$runs" > "logs/$t.log" 2>&1
    echo "== $t: exit $? ($(date -u +%H:%M:%S)); $(grep -h 'stat::number_of_executed_units' "logs/$t.log" | tail -n1)"
done
