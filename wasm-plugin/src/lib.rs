//! rootspan in WebAssembly. One crate, two flavours (cargo features):
//! - `bindgen` (default): the browser API, a wasm-bindgen `Session` (see `browser.rs`) that the
//!   npm package in `js/` wraps; JS values are converted in `interop.rs` only.
//! - `raw-abi`: `alloc`, `free`, `analyze` over bytes for wasmtime (see `raw_abi.rs`), with no
//!   imports at all; the request envelope is `rootspan_core::request`.
//!
//! `scripts/build-wasm.sh` builds both.

pub mod interop;
pub mod session;

#[cfg(feature = "bindgen")]
pub mod browser;

// Only on wasm: natively, exported symbols named `alloc` and `free` would clash with libc's.
#[cfg(all(feature = "raw-abi", target_arch = "wasm32"))]
pub mod raw_abi;
