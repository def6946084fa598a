//! rootspan headless: the raw-ABI wasm in wasmtime (`engine`), the `rootspan` CLI (`cli`) and
//! the report as text or Markdown (`render`).
//!
//! Other crates and tests use `Engine`:
//! ```no_run
//! use rootspan_host::engine::Engine;
//! use rootspan_core::request::NamedBytes;
//! let engine = Engine::load(&rootspan_host::inputs::default_wasm_path())?;
//! let report_json = engine.analyze(vec![NamedBytes { name: "logs.json".into(), bytes: std::fs::read("logs.json")? }], "")?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod cli;
pub mod engine;
pub mod eval;
pub mod inputs;
pub mod patterns_cli;
pub mod render;

pub use engine::{CallStats, Engine, HostError, Limit, Limits};
