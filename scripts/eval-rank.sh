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
set -euo pipefail
cd "$(dirname "$0")/.."
NEZHA="${NEZHA:-testdata/rca/nezha-tt/dev}"
SIM=target/sim
OUT=bench-results/ranking
mkdir -p "$OUT"

bash scripts/build-wasm.sh >/dev/null
cargo build --quiet --release -p rootspan-eval
eval_bin="${CARGO_TARGET_DIR:-target}/release/rootspan-eval"

for seed in 1 2; do
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
  echo "Every run is \`rootspan-eval rank DIR [--sources S]\`: the shipped raw-ABI wasm in wasmtime."
  echo "The weights were fitted on nezha-dev + sim-seed1; sim-seed2 is never fitted on."
  echo
  echo "| cases | sources | n | AC@1 | AC@3 | AC@5 | Avg@5 | instance AC@1 | top candidate with a reason |"
  echo "|---|---|---|---|---|---|---|---|---|"
} >"$report"
for name in nezha-dev sim-seed1 sim-seed2; do
  dir=${sets[$name]}
  for sources in traces,logs,metrics traces logs metrics; do
    echo "== $name, $sources"
    "$eval_bin" rank "$dir" --sources "$sources" --format json >"$OUT/$name-$sources.json"
    node -e '
      const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const f = (x) => x.toFixed(3);
      const inst = s.instance ? f(s.instance.ac1) : "-";
      console.log(`| ${process.argv[2]} | ${process.argv[3]} | ${s.cases} | ${f(s.ac1)} | ${f(s.ac3)} | ${f(s.ac5)} | ${f(s.avg5)} | ${inst} | ${s.explained} of ${s.cases} |`);
    ' "$OUT/$name-$sources.json" "$name" "$sources" >>"$report"
  done
done
{
  echo
  echo "Per fault type, all sources (AC@1 / AC@3, cases):"
  echo
  for name in nezha-dev sim-seed1 sim-seed2; do
    node -e '
      const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const faults = Object.entries(s.per_fault).map(([k, a]) => `${k} ${a.ac1.toFixed(3)} / ${a.ac3.toFixed(3)} (${a.cases})`);
      console.log(`- ${process.argv[2]}: ${faults.join(", ")}`);
    ' "$OUT/$name-traces,logs,metrics.json" "$name"
  done
} >>"$report"
if [ "${1:-}" = "--fit" ]; then
  echo "== fit over nezha-dev + sim-seed1"
  "$eval_bin" rank "$NEZHA" "$SIM/seed1" --native --fit >"$OUT/fit.txt"
  echo "Fit: $OUT/fit.txt" >>"$report"
fi
cat "$report"
