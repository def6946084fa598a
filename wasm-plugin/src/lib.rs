//! rootspan in WebAssembly (filled in by the wasm work).
