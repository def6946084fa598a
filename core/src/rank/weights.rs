//! The fitted weight of each score component (see docs/ranking.md for how they are fitted
//! and cross-validated). Order follows `evidence::KINDS`.

pub const WEIGHTS: [f64; super::evidence::KINDS.len()] = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
