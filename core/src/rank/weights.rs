//! The fitted weight of each score component, in `evidence::KINDS` order. Fitted by
//! `rootspan eval ../shared/data/rca/nezha-tt/dev --native --fit` (conditional logit, L2 0.01
//! towards 1, the strength with the best leave-one-case-out AC@1); see docs/ranking.md.
//! `trace_error_origin` and `metric_errors` never fire on those cases and keep the prior 1.

pub const WEIGHTS: [f64; super::evidence::KINDS.len()] = [1.0, 3.254, 0.808, 1.495, 3.278, 1.186, 1.024, 0.344, 1.0, 0.355];
