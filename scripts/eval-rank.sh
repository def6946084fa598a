#!/usr/bin/env bash
# The ranking evaluation, one command: every figure in docs/ranking.md. Builds the shipped wasm
# and the evaluation tool (tools/eval), generates the two fault-injection suites (seed 1, fitted on; seed 2, never
# fitted on) unless they are there already, and runs `rootspan-eval rank` through the wasm in
# wasmtime on the Nezha dev cases and both suites, with every source and with each source
# alone. Results: bench-results/ranking.md (the tables) and bench-results/ranking/*.json (each
# run's `--format json` output: per case the truth's rank and the top candidate's why).
#
#   scripts/eval-rank.sh                 (NEZHA=path overrides testdata/rca/nezha-tt/dev)
#   scripts/eval-rank.sh --fit           (also the weight fit over Nezha dev + seed 1)
#   ONLY_NEZHA=1 scripts/eval-rank.sh    (the Nezha dev cases only: no simulator suites)
#
# Every set runs twice with all sources: with each case's window and baseline (`given`) and
# with none (`detected`: the tool finds the onset, as the panel does by default), the latter
# with the distance between the detected window's start and the injection time.
set -euo pipefail
cd "$(dirname "$0")/.."
NEZHA="${NEZHA:-testdata/rca/nezha-tt/dev}"
SIM=target/sim
OUT=bench-results/ranking
mkdir -p "$OUT"

bash scripts/build-wasm.sh >/dev/null
cargo build --quiet --release -p rootspan-eval
eval_bin="${CARGO_TARGET_DIR:-target}/release/rootspan-eval"

names="nezha-dev sim-seed1 sim-seed2"
[ -n "${ONLY_NEZHA:-}" ] && names="nezha-dev"
for seed in 1 2; do
  [ -n "${ONLY_NEZHA:-}" ] && break
  if [ ! -f "$SIM/seed$seed/sim-127/truth.json" ]; then
    echo "== generating 128 cases, seed $seed, in $SIM/seed$seed"
    npm run --silent simulate -w rootspan-simulator -- --out "$PWD/$SIM/seed$seed" --cases 128 --seed "$seed" --jobs 2
  fi
done

declare -A sets=([nezha-dev]="$NEZHA" [sim-seed1]="$SIM/seed1" [sim-seed2]="$SIM/seed2")
report=bench-results/ranking.md
{
  echo "# Ranking evaluation"
  echo
  echo "Made by \`scripts/eval-rank.sh\` on $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)')."
  echo "Every run is \`rootspan-eval rank DIR [--sources S] [--windows given|detected]\`: the shipped raw-ABI wasm in wasmtime."
  echo "The weights were fitted on nezha-dev + sim-seed1; sim-seed2 is never fitted on."
  echo
  echo "AC@k figures carry their 95% bootstrap interval over cases (2000 resamples, \`bootstrap_ci\` in tools/eval/src/rank.rs)."
  echo
  echo "| cases | windows | sources | n | AC@1 [95% CI] | AC@3 | AC@5 | Avg@5 | instance AC@1 | top candidate with a reason | window start vs injection |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
} >"$report"
for name in $names; do
  dir=${sets[$name]}
  for run in given:traces,logs,metrics detected:traces,logs,metrics given:traces given:logs given:metrics; do
    windows=${run%%:*}
    sources=${run#*:}
    echo "== $name, $windows windows, $sources"
    "$eval_bin" rank "$dir" --sources "$sources" --windows "$windows" --format json >"$OUT/$name-$windows-$sources.json"
    node -e '
      const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const f = (x) => x.toFixed(3);
      const inst = s.instance ? f(s.instance.ac1) : "-";
      const o = s.onset;
      const onset = o ? `median ${o.median_abs_s.toFixed(0)} s, p90 ${o.p90_abs_s.toFixed(0)} s, within 60 s ${o.within_60s} of ${o.cases}, later than 60 s ${o.late}` : "-";
      const ci = (k, i) => `${f(k)} [${f(s.ci[i][0])}, ${f(s.ci[i][1])}]`;
      console.log(`| ${process.argv[2]} | ${process.argv[3]} | ${process.argv[4]} | ${s.cases} | ${ci(s.ac1, 0)} | ${ci(s.ac3, 1)} | ${ci(s.ac5, 2)} | ${f(s.avg5)} | ${inst} | ${s.explained} of ${s.cases} | ${onset} |`);
    ' "$OUT/$name-$windows-$sources.json" "$name" "$windows" "$sources" >>"$report"
  done
done
{
  echo
  echo "Per fault type, all sources (AC@1 / AC@3, cases):"
  echo
  for name in $names; do
    for windows in given detected; do
      node -e '
        const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        const faults = Object.entries(s.per_fault).map(([k, a]) => `${k} ${a.ac1.toFixed(3)} / ${a.ac3.toFixed(3)} (${a.cases})`);
        console.log(`- ${process.argv[2]}, ${process.argv[3]} windows: ${faults.join(", ")}`);
      ' "$OUT/$name-$windows-traces,logs,metrics.json" "$name" "$windows"
    done
  done
  echo
  echo "Detected windows, per case (true service's rank; window start minus injection, s):"
  echo
  for name in $names; do
    node -e '
      const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const rows = s.per_case.filter((c) => c.onset_error_s !== undefined).map((c) => `${c.case} ${c.rank} (${c.onset_error_s >= 0 ? "+" : ""}${c.onset_error_s.toFixed(0)})`);
      if (rows.length) console.log(`- ${process.argv[2]}: ${rows.join(", ")}`);
    ' "$OUT/$name-detected-traces,logs,metrics.json" "$name"
  done
} >>"$report"
if [ "${1:-}" = "--fit" ]; then
  echo "== fit over nezha-dev + sim-seed1"
  "$eval_bin" rank "$NEZHA" "$SIM/seed1" --native --fit >"$OUT/fit.txt"
  echo "Fit: $OUT/fit.txt" >>"$report"
fi
cat "$report"
