#!/usr/bin/env bash
# `npm test`: every test the project has, in dependency order, after the idempotent setup.
# Stops at the first failing stage; prints how long each stage took.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

stage() {
  local name=$1; shift
  printf '\n==== %s\n' "$name" >&2
  local t0=$SECONDS
  "$@"
  printf '==== %s: ok (%ss)\n' "$name" $((SECONDS - t0)) >&2
}

stage "setup" bash scripts/setup.sh --spark
stage "rustfmt" cargo fmt --all --check
# Before clippy: the CLI embeds the raw-ABI wasm (cli/build.rs), so the workspace needs it to build.
stage "wasm build (browser + raw ABI)" bash scripts/build-wasm.sh
stage "clippy" cargo clippy --workspace --all-targets --all-features -- -D warnings
# The fuzz targets are their own workspace (cargo-fuzz builds them with nightly flags); checked
# here on stable so a change to the core cannot leave them uncompilable until the next campaign.
stage "fuzz targets (clippy)" cargo clippy --manifest-path core/fuzz/Cargo.toml --bins --target-dir target -- -D warnings
stage "core tests (native)" cargo test -p rootspan-core --all-features
stage "npm build" npm run build --workspaces --if-present
stage "typecheck" npm run typecheck --workspaces --if-present
stage "eslint" npm run lint --workspaces --if-present
stage "wasm crate tests" cargo test -p rootspan-wasm
stage "engine + CLI unit tests" cargo test --release -p rootspan-engine -p rootspan-cli
stage "wasmtime host + cross-home identity + CLI" cargo test --release -p rootspan-host
stage "Spark job in local[2] (the CLI's report, byte for byte)" bash scripts/test-spark.sh
stage "evaluation tooling (Loghub accuracy, Nezha ranking bar)" cargo test --release -p rootspan-eval
stage "TypeScript + Chromium tests" npm test --workspaces --if-present
stage "Grafana plugin zip (validated)" npm run package -w wasm-plugin/panel
stage "installable artifacts (cargo install, npm pack into fresh apps)" node scripts/test-install.mjs
