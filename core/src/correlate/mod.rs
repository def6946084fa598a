//! Correlation: the trace index (spans, logs and exemplars per trace), one service identity
//! across sources, and the service call graph.

use serde::{Deserialize, Serialize};

use crate::model::Dataset;

/// How records are joined and mapped to services.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CorrelateOptions {}

/// Everything correlation found, for the later stages.
#[derive(Debug, Clone, Default)]
pub struct Correlation {}

/// The report's `correlation` section.
#[derive(Debug, Clone, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CorrelationReport {}

pub fn correlate(ds: &Dataset, options: &CorrelateOptions) -> Correlation {
    let _ = (ds, options);
    Correlation {}
}

impl Correlation {
    pub fn report(&self, ds: &Dataset) -> CorrelationReport {
        let _ = ds;
        CorrelationReport {}
    }
}
