//! The `rootspan` command line (binary `rootspan`): clap parsing (`cli`, `args`,
//! `patterns_cli`), where the bytes come from (`inputs`: files, the embedded raw-ABI wasm, the
//! embedded sample incident) and the report as text or Markdown (`render`). The analysis runs
//! in `rootspan_engine::Engine` (the wasm in wasmtime), or natively with `--native`.

pub mod args;
pub mod cli;
pub mod inputs;
pub mod patterns_cli;
pub mod render;
