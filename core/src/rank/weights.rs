//! The fitted weight of each score component (see docs/ranking.md for how they are fitted
//! and cross-validated). Order follows `evidence::KINDS`.

pub const WEIGHTS: [f64; super::evidence::KINDS.len()] = [1.0, 2.602, 0.777, 0.952, 2.009, 0.816, 0.858, 0.211, 1.0, 0.503];
