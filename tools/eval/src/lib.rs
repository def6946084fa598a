//! rootspan-eval: evaluation and benchmark tooling, outside everything rootspan ships (the
//! browser wasm, the raw-ABI wasm and the `rootspan` CLI never link it).
//!
//! - `rank`: AC@k / Avg@5 of a ranking against labelled incidents, and the fit of the score
//!   weights (conditional logit, leave-one-case-out); `cases` reads the case folders and runs
//!   the analyses (the wasm in wasmtime, or the core natively).
//! - `accuracy`: log-parsing accuracy as Loghub-2.0 defines it (GA, FGA, PA, FTA).
//! - `bench_patterns`: the log-pattern benchmark against drain3 (`scripts/bench-patterns.sh`).
//!
//! The binary `rootspan-eval` runs them (`rank`, `bench-patterns`).

pub mod accuracy;
pub mod bench_patterns;
pub mod cases;
pub mod rank;
