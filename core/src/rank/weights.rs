//! The fitted weight of each score component, in `evidence::KINDS` order. Fitted by
//! `rootspan eval ../shared/data/rca/nezha-tt/dev --native --fit` (conditional logit, L2 0.01
//! towards 1, the strength with the best leave-one-case-out AC@1); see docs/ranking.md.
//! `trace_error_origin` and `metric_errors` never fire on those cases and keep the prior 1.

pub const WEIGHTS: [f64; super::evidence::KINDS.len()] = [1.0, 3.211, 0.640, 1.213, 2.765, 0.803, 1.069, 0.222, 1.0, 0.009];
