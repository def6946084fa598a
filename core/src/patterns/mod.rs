//! Log patterns: a one-pass template miner over log bodies and the per-template aggregation
//! (counts, buckets, levels, services, traces; new, surging and vanished in the window).

use serde::{Deserialize, Serialize};

use crate::correlate::Correlation;
use crate::model::Dataset;
use crate::window::Windows;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct PatternOptions {}

/// The report's `patterns` section.
#[derive(Debug, Clone, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PatternsReport {}

pub fn analyse(ds: &Dataset, corr: &Correlation, windows: &Windows, options: &PatternOptions) -> PatternsReport {
    let _ = (ds, corr, windows, options);
    PatternsReport {}
}
