//! The fitted weight of each score component, in `evidence::KINDS` order. Fitted by
//! `rootspan-eval rank testdata/rca/nezha-tt/dev SIM --native --fit` (tools/eval) over the 24 Nezha dev
//! cases and the 128 generated cases of seed 1 (conditional logit, L2 towards 1, the strength
//! with the best leave-one-case-out AC@1: 0.03); see docs/ranking.md. The generated cases of
//! seed 2 are never fitted on: they measure what the fit does on incidents it has not seen.

pub const WEIGHTS: [f64; super::evidence::KINDS.len()] = [1.372, 1.974, 1.274, 1.302, 2.028, 0.487, 0.767, 0.0, 1.072, 0.756];
