//! The fitted weight of each score component, in `evidence::KINDS` order. Fitted by
//! `rootspan eval ../shared/data/rca/nezha-tt/dev --native --fit` (conditional logit, L2 0.01
//! towards 1, the strength with the best leave-one-case-out AC@1); see docs/ranking.md.
//! `trace_error_origin` and `metric_errors` never fire on those cases and keep the prior 1.

pub const WEIGHTS: [f64; super::evidence::KINDS.len()] = [1.0, 3.286, 0.938, 1.546, 3.292, 1.184, 0.983, 0.323, 1.0, 0.301];
