//! rootspan-core: find the root cause of an incident from its traces, logs and metrics.
//!
//! Data flows one way, each stage a plain function over owned data:
//! `ingest` (format decoders) -> `model` (columnar tables) -> `correlate` (trace index,
//! service identity, call graph) -> `window` -> `patterns` (log templates) -> `rank`
//! (evidence and scores) -> `report` (stable JSON).
//!
//! Decoding does not depend on options, so a `Session` ingests once and can be analysed
//! again with other options without re-reading its inputs (the panel does this).
#![forbid(unsafe_code)]

pub mod correlate;
pub mod diag;
pub mod id;
pub mod ingest;
pub mod model;
pub mod options;
pub mod patterns;
pub mod rank;
pub mod report;
pub mod request;
pub mod time;
pub mod trace_detail;
pub mod window;

pub use id::{SpanId, TraceId};
pub use ingest::Input;
pub use options::{Options, TimeRange};
pub use report::Report;

use model::Dataset;

/// Inputs decoded so far; analyse as often as needed.
#[derive(Debug, Default, Clone)]
pub struct Session {
    dataset: Dataset,
}

impl Session {
    pub fn new() -> Session {
        Session::default()
    }

    /// Decodes an input. Problems become diagnostics in the report; nothing here fails.
    pub fn add(&mut self, input: &Input) {
        ingest::ingest(&mut self.dataset, input);
    }

    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    pub fn analyze(&self, options: &Options) -> Report {
        let ds = &self.dataset;
        let correlation = correlate::correlate(ds, &options.correlation);
        let windows = window::choose(ds, options);
        let patterns = patterns::analyse(ds, &correlation, &windows, &options.patterns);
        let candidates = rank::rank(ds, &correlation, &windows, &patterns, &options.rank, options.top);
        Report {
            version: report::REPORT_VERSION.into(),
            windows,
            inputs: report::InputsReport::from_dataset(ds),
            correlation: correlation.report(ds),
            patterns,
            candidates,
            // The decoders' diagnostics and correlation's (skipped id fields, repaired traces).
            diagnostics: report::DiagnosticsReport::from_diagnostics(&correlation.diagnostics),
        }
    }
}

/// Decodes `inputs` and analyses them in one call.
pub fn analyze(inputs: &[Input], options: &Options) -> Report {
    let mut session = Session::new();
    for input in inputs {
        session.add(input);
    }
    session.analyze(options)
}
