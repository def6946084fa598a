//! The wasmtime host (filled in by the host work).
