#!/usr/bin/env bash
# `npm run demo`: build what is needed, analyse the bundled sample incident headless in
# wasmtime and print the ranked candidates, then serve the web demo on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build-wasm.sh
cargo build --release -q -p rootspan-cli
"${CARGO_TARGET_DIR:-target}/release/rootspan" demo
npm run build --workspaces --if-present >/dev/null
exec npm run serve -w web-demo
