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

// The browser flavour grows its memory in steps (see `growth.rs` for why only that flavour).
#[cfg(all(feature = "bindgen", target_arch = "wasm32"))]
mod growth;
#[cfg(all(feature = "bindgen", target_arch = "wasm32"))]
#[global_allocator]
static ALLOCATOR: growth::GrowInSteps = growth::GrowInSteps;

// Only on wasm: natively, exported symbols named `alloc` and `free` would clash with libc's.
#[cfg(all(feature = "raw-abi", target_arch = "wasm32"))]
pub mod raw_abi;
