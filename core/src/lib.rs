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

pub mod base;
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

pub use base::TimeRange;
pub use id::{SpanId, TraceId};
pub use ingest::Input;
pub use options::Options;
pub use report::Report;

use correlate::{CorrelateOptions, Correlation};
use model::Dataset;
use patterns::Mined;
use report::{DiagnosticsReport, InputsReport, PatternRun};
use trace_detail::TraceDetail;
use window::Windows;

/// Inputs decoded so far; analyse as often as needed. The correlation of the last analysis is
/// kept (for trace lookups and the next analysis) until an input is added or the correlation
/// options change.
#[derive(Debug, Default, Clone)]
pub struct Session {
    dataset: Dataset,
    correlation: Option<(CorrelateOptions, Correlation)>,
}

/// The stages' state for one analysis, from which the report is built.
struct Stages<'a> {
    correlation: &'a Correlation,
    windows: Windows,
    patterns: Mined,
}

impl Session {
    pub fn new() -> Session {
        Session::default()
    }

    /// Decodes an input. Problems become diagnostics in the report; nothing here fails.
    pub fn add(&mut self, input: &Input) {
        ingest::ingest(&mut self.dataset, input);
        self.correlation = None;
    }

    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// The stages every command runs, in the pipeline's order: correlate (the kept correlation
    /// when it was made with these options), window, patterns.
    fn stages(&mut self, options: &Options) -> (&Dataset, Stages<'_>) {
        let Session { dataset, correlation: kept } = self;
        let correlation = kept_correlation(kept, dataset, &options.correlation);
        let windows = window::choose(dataset, options.window, options.baseline);
        let patterns = patterns::mine_logs(dataset);
        (dataset, Stages { correlation, windows, patterns })
    }

    /// The report: the stages, then ranking, then the report built from their state.
    pub fn analyze(&mut self, options: &Options) -> Report {
        let (ds, s) = self.stages(options);
        let candidates = rank::rank(ds, s.correlation, &s.windows, &s.patterns, &options.rank, options.top);
        Report {
            version: report::REPORT_VERSION.into(),
            inputs: InputsReport::from_dataset(ds),
            correlation: s.correlation.report(ds),
            patterns: patterns::aggregate(
                ds,
                s.correlation,
                &s.patterns,
                &s.windows,
                &options.patterns,
                Some(options.patterns.max_patterns),
            ),
            candidates,
            // The decoders' diagnostics and correlation's (skipped id fields, repaired traces).
            diagnostics: DiagnosticsReport::from_diagnostics(&s.correlation.diagnostics),
            windows: s.windows,
        }
    }

    /// The patterns command: the same stages, every pattern listed, each record's pattern, and
    /// the decoders' diagnostics.
    pub fn patterns(&mut self, options: &Options) -> PatternRun {
        let (ds, s) = self.stages(options);
        PatternRun {
            patterns: patterns::aggregate(ds, s.correlation, &s.patterns, &s.windows, &options.patterns, None),
            assignments: s.patterns.assignment,
            diagnostics: DiagnosticsReport::from_dataset(ds),
        }
    }

    /// One trace's spans with their logs and exemplars (any id form `TraceId::parse` reads),
    /// joined under `options`; `None` when the data holds no such trace. Reuses the kept
    /// correlation, so a trace view costs a lookup, not a correlation.
    pub fn trace_detail(&mut self, options: &CorrelateOptions, id: &str) -> Option<TraceDetail> {
        let trace = TraceId::parse(id).ok()?;
        let Session { dataset, correlation: kept } = self;
        trace_detail::trace_detail(dataset, kept_correlation(kept, dataset, options), trace)
    }
}

/// The kept correlation when it was made with `options`, else a new one (kept).
fn kept_correlation<'a>(
    kept: &'a mut Option<(CorrelateOptions, Correlation)>,
    ds: &Dataset,
    options: &CorrelateOptions,
) -> &'a Correlation {
    if kept.as_ref().is_none_or(|(made_with, _)| made_with != options) {
        *kept = Some((options.clone(), correlate::correlate(ds, options)));
    }
    let (_, correlation) = kept.as_ref().expect("set just above when absent");
    correlation
}

/// Decodes `inputs` and analyses them in one call.
pub fn analyze(inputs: &[Input], options: &Options) -> Report {
    session_of(inputs).analyze(options)
}

/// Decodes `inputs` (Loki JSON, OTLP logs JSON, plain text lines, anything `Session` reads) and
/// mines their log records: the patterns command.
pub fn patterns(inputs: &[Input], options: &Options) -> PatternRun {
    session_of(inputs).patterns(options)
}

fn session_of(inputs: &[Input]) -> Session {
    let mut session = Session::new();
    for input in inputs {
        session.add(input);
    }
    session
}
