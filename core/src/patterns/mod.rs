//! Log patterns: a one-pass template miner over log bodies and the per-template aggregation
//! (counts, buckets, levels, services, traces; new, surging and vanished in the window).

pub mod accuracy;
pub mod mask;
pub mod miner;
pub mod tokenize;

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

/// Lines mined into templates, with each line's template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mined {
    /// Templates, most frequent first (ties by text).
    pub templates: Vec<miner::Template>,
    /// For each input line in order, the index of its template in `templates`.
    pub assignment: Vec<u32>,
}

/// Mines `lines` in one pass (the standalone entry: no correlation, no times).
pub fn mine<'a>(lines: impl IntoIterator<Item = &'a str>) -> Mined {
    let mut m = miner::Miner::new();
    let signatures: Vec<u32> = lines.into_iter().map(|l| m.add(l)).collect();
    let t = m.templates();
    Mined { assignment: signatures.iter().map(|s| t.of_signature[*s as usize]).collect(), templates: t.list }
}
