//! Embeds the raw-ABI wasm (`wasm-plugin/dist/rootspan_raw.wasm`, built by
//! `scripts/build-wasm.sh`) in the `rootspan` binary, so an installed copy needs no checkout.

use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let wasm = Path::new(&manifest).join("../wasm-plugin/dist/rootspan_raw.wasm");
    println!("cargo:rerun-if-changed={}", wasm.display());
    if !wasm.is_file() {
        eprintln!(
            "error: rootspan-cli embeds the raw-ABI wasm and {} is missing: build it first: bash scripts/build-wasm.sh",
            wasm.display()
        );
        std::process::exit(1);
    }
    println!("cargo:rustc-env=ROOTSPAN_RAW_WASM={}", wasm.display());
}
