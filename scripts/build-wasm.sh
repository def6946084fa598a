#!/usr/bin/env bash
# Builds rootspan's two WebAssembly flavours from the `rootspan-wasm` crate:
#
#   wasm-plugin/js/pkg/rootspan_wasm{.js,_bg.wasm,.d.ts}   browser (wasm-bindgen --target web),
#                                                         wrapped by the npm package in wasm-plugin/js
#   wasm-plugin/dist/rootspan_raw.wasm                     raw ABI for wasmtime (imports nothing),
#                                                         loaded by the `rootspan` CLI and host tests
#
# Features: both flavours include Arrow IPC (arrow-rs adds ~0.27 MB gzipped), so `addArrowIpc`
# works in browsers and every home reads the same inputs to the same report.
#
# Installs what it needs first, idempotently: the wasm32 target, wasm-bindgen-cli of exactly the
# crate's version, and wasm-opt (npm `binaryen`, a root devDependency). Skips the build when the
# sources, lockfiles and tools are unchanged since the last build. Prints each .wasm's size, raw
# and gzipped. Set ROOTSPAN_FORCE_BUILD=1 to rebuild anyway.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '== build-wasm: %s\n' "$*" >&2; }

target=wasm32-unknown-unknown
# Cargo profiles (Cargo.toml): both flavours speed first (the analysis runs in them), in profiles of their own.
profile=wasm
raw_profile=wasm-raw
pkg_dir=wasm-plugin/js/pkg
raw_out=wasm-plugin/dist/rootspan_raw.wasm
stamp=wasm-plugin/dist/.build-stamp
cargo_target_dir=${CARGO_TARGET_DIR:-target}
built=$cargo_target_dir/$target/$profile/rootspan_wasm.wasm
raw_built=$cargo_target_dir/$target/$raw_profile/rootspan_wasm.wasm

# --- tools -------------------------------------------------------------------------------
if ! rustup target list --installed | grep -qx "$target"; then
  say "rustup target add $target"
  rustup target add "$target"
fi

want=$(sed -n 's/^wasm-bindgen = { *version = "=\([0-9.]*\)".*/\1/p' wasm-plugin/Cargo.toml | head -n1)
[ -n "$want" ] || { echo "build-wasm: cannot read the pinned wasm-bindgen version from wasm-plugin/Cargo.toml" >&2; exit 1; }
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
  say "cargo install wasm-bindgen-cli --version $want (about 7 minutes, once)"
  # Not --locked: its lockfile wants a webpki-roots the registry lacks.
  cargo install wasm-bindgen-cli --version "$want"
fi

wasm_opt=node_modules/.bin/wasm-opt
if [ ! -x "$wasm_opt" ]; then
  say "npm install (for binaryen's wasm-opt)"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi
# The browser flavour's passes. Not plain -O2: binaryen then inlines every function that has one caller,
# whatever its size or loops (--one-caller-inline-max-function-size defaults to unlimited), into functions
# that run for seconds in one call. V8 starts a function in its baseline tier (Liftoff) and moves a call
# to optimised code only when the function is called again (no on-stack replacement for wasm), so those
# calls ran in baseline code: the worker's replay of the bench's 1x frames cost 4.0-4.7 s of renderer CPU
# with -O2, 3.3-3.6 s with this limit, 3.5-4.0 s without wasm-opt (tools/bench/analysis.md). wasmtime
# compiles everything ahead with Cranelift, so the raw flavour keeps -O2.
browser_opt=(-O2 --one-caller-inline-max-function-size 200)
# rustc emits these features; wasm-opt needs them named on modules without a target_features section.
wasm_opt_features=(--enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-multivalue --enable-reference-types)

# --- skip when nothing changed -------------------------------------------------------------
inputs_hash() {
  {
    find core wasm-plugin/src -type f \( -name '*.rs' -o -name 'Cargo.toml' \) -print0 | sort -z | xargs -0 sha256sum
    sha256sum Cargo.toml Cargo.lock wasm-plugin/Cargo.toml scripts/build-wasm.sh
    rustc --version; wasm-bindgen --version; "$wasm_opt" --version
  } | sha256sum | cut -d' ' -f1
}
hash=$(inputs_hash)
outputs=("$raw_out" "$pkg_dir/rootspan_wasm_bg.wasm" "$pkg_dir/rootspan_wasm.js")
all_there=1
for f in "${outputs[@]}"; do [ -f "$f" ] || all_there=0; done
if [ "${ROOTSPAN_FORCE_BUILD:-0}" != 1 ] && [ $all_there = 1 ] && [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ]; then
  say "up to date (sources and tools unchanged)"
else
  mkdir -p "$(dirname "$raw_out")" "$pkg_dir"

  say "cargo build raw ABI (features raw-abi, arrow; profile $raw_profile)"
  cargo build -p rootspan-wasm --target "$target" --profile "$raw_profile" --no-default-features --features raw-abi,arrow
  # -O2, not -O3: as fast in wasmtime here (rootspan-eval bench-patterns speed) and 2 minutes less to build.
  "$wasm_opt" -O2 "${wasm_opt_features[@]}" --strip-debug "$raw_built" -o "$raw_out.tmp"
  mv "$raw_out.tmp" "$raw_out"

  say "cargo build browser (features bindgen, arrow)"
  cargo build -p rootspan-wasm --target "$target" --profile "$profile" --features arrow
  wasm-bindgen --target web --out-dir "$pkg_dir" "$built"
  "$wasm_opt" "${browser_opt[@]}" "${wasm_opt_features[@]}" --strip-debug "$pkg_dir/rootspan_wasm_bg.wasm" -o "$pkg_dir/rootspan_wasm_bg.wasm.tmp"
  mv "$pkg_dir/rootspan_wasm_bg.wasm.tmp" "$pkg_dir/rootspan_wasm_bg.wasm"

  echo "$hash" > "$stamp"
fi

# --- sizes ----------------------------------------------------------------------------------
for f in "$pkg_dir/rootspan_wasm_bg.wasm" "$raw_out"; do
  printf '== build-wasm: %-42s %8d bytes raw, %8d bytes gzipped (gzip -9)\n' "$f" "$(wc -c < "$f")" "$(gzip -9c "$f" | wc -c)" >&2
done
