//! The report: a versioned JSON document, the one output of every home. Its JSON Schema is
//! `schema/report.schema.json`, generated from these types (see `tests/schema.rs`).
//!
//! Deterministic by construction: every list is sorted, nothing iterates a hash map, floats
//! are printed by serde_json (shortest round-trip), and no wall-clock time is included.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::correlate::CorrelationReport;
use crate::diag::{Diagnostic, Severity};
use crate::model::Dataset;
use crate::patterns::PatternsReport;
use crate::rank::{Candidate, Confidence};
use crate::window::Windows;

/// The report format version. Bump the major part on any change a reader could trip on.
pub const REPORT_VERSION: &str = "1.1";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Report {
    /// Report format version, `major.minor`.
    pub version: Cow<'static, str>,
    /// The incident window and baseline this analysis compared.
    pub windows: Windows,
    /// What was read from each input.
    pub inputs: InputsReport,
    /// The join on trace id, the service identity and the service graph.
    pub correlation: CorrelationReport,
    /// Log templates and how they changed in the window.
    pub patterns: PatternsReport,
    /// Root-cause candidates, best first.
    pub candidates: Vec<Candidate>,
    /// How sure the ranking is about its first candidate ("no clear root cause" when the
    /// evidence is weak).
    pub confidence: Confidence,
    /// What was skipped or repaired, and why.
    pub diagnostics: DiagnosticsReport,
}

impl Report {
    /// The report as compact JSON: the bytes every home must agree on.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("the report serialises: it holds no maps with non-string keys")
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("the report serialises: it holds no maps with non-string keys")
    }
}

/// What the patterns command returns (`rootspan patterns`): every pattern and each record's
/// pattern.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PatternRun {
    /// Every pattern (not capped by `max_patterns`), aggregated.
    pub patterns: PatternsReport,
    /// For each log record in input order, the index of its pattern in `patterns.patterns`.
    pub assignments: Vec<u32>,
    /// What was skipped or repaired while reading the inputs.
    pub diagnostics: DiagnosticsReport,
    /// Rows read per input, as in the report: a host tells an input that gave no log record
    /// (a traces-only file, an unreadable one) from one that did.
    pub inputs: InputsReport,
}

/// Rows read per input (source), in input order.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InputsReport {
    pub sources: Vec<SourceCounts>,
    pub totals: Counts,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SourceCounts {
    /// The input's name.
    pub input: String,
    /// The detected format.
    pub format: String,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Counts {
    pub spans: u64,
    pub logs: u64,
    pub series: u64,
    pub points: u64,
    pub exemplars: u64,
}

impl InputsReport {
    pub fn from_dataset(ds: &Dataset) -> InputsReport {
        let mut per = vec![Counts::default(); ds.sources.len()];
        for s in &ds.spans.source {
            per[s.0 as usize].spans += 1;
        }
        for s in &ds.logs.source {
            per[s.0 as usize].logs += 1;
        }
        for (i, s) in ds.series.source.iter().enumerate() {
            per[s.0 as usize].series += 1;
            per[s.0 as usize].points += ds.series.points(i).0.len() as u64;
        }
        for s in &ds.exemplars.source {
            per[s.0 as usize].exemplars += 1;
        }
        let mut totals = Counts::default();
        for c in &per {
            totals.spans += c.spans;
            totals.logs += c.logs;
            totals.series += c.series;
            totals.points += c.points;
            totals.exemplars += c.exemplars;
        }
        let sources = ds
            .sources
            .iter()
            .zip(per)
            .map(|(info, counts)| SourceCounts { input: info.input.clone(), format: info.format.clone(), counts })
            .collect();
        InputsReport { sources, totals }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DiagnosticsReport {
    /// All diagnostics, including those not listed in `entries`.
    pub total: u64,
    pub errors: u64,
    pub skipped: u64,
    pub warnings: u64,
    /// Counts per (severity, reason), sorted.
    pub by_reason: Vec<ReasonCount>,
    /// The first diagnostics, in the order they happened (at most `diag::MAX_KEPT`).
    pub entries: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ReasonCount {
    pub severity: Severity,
    pub reason: String,
    pub count: u64,
}

impl DiagnosticsReport {
    pub fn from_dataset(ds: &Dataset) -> DiagnosticsReport {
        DiagnosticsReport::from_diagnostics(&ds.diagnostics)
    }

    pub fn from_diagnostics(d: &crate::diag::Diagnostics) -> DiagnosticsReport {
        DiagnosticsReport {
            total: d.total(),
            errors: d.count(Severity::Error),
            skipped: d.count(Severity::Skipped),
            warnings: d.count(Severity::Warning),
            by_reason: d.counts().map(|(severity, reason, count)| ReasonCount { severity, reason: reason.to_string(), count }).collect(),
            entries: d.entries().to_vec(),
        }
    }
}
