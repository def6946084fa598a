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
        self.analyze_reporting(options, &mut |_| {})
    }

    /// `analyze`, telling `progress` each stage as it starts.
    pub fn analyze_reporting(&self, options: &Options, progress: &mut dyn FnMut(Stage)) -> Report {
        let ds = &self.dataset;
        progress(Stage::Correlate);
        let correlation = correlate::correlate(ds, &options.correlation);
        progress(Stage::Window);
        let windows = window::choose(ds, options);
        progress(Stage::Patterns);
        let patterns = patterns::analyse(ds, &correlation, &windows, &options.patterns);
        progress(Stage::Rank);
        let candidates = rank::rank(ds, &correlation, &windows, &patterns, &options.rank, options.top);
        progress(Stage::Report);
        Report {
            version: report::REPORT_VERSION,
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
    analyze_reporting(inputs, options, &mut |_| {})
}

/// `analyze`, telling `progress` each stage as it starts (decoding input by input).
pub fn analyze_reporting(inputs: &[Input], options: &Options, progress: &mut dyn FnMut(Stage)) -> Report {
    Session::decoding(inputs, progress).analyze_reporting(options, progress)
}

impl Session {
    /// A session with `inputs` decoded, in order, each announced to `progress`.
    pub fn decoding(inputs: &[Input], progress: &mut dyn FnMut(Stage)) -> Session {
        let mut session = Session::new();
        for (i, input) in inputs.iter().enumerate() {
            progress(Stage::Decode(i));
            session.add(input);
        }
        session
    }
}

/// Where an analysis is: what a host names when a fuel or memory limit stops it (the raw ABI
/// keeps the current stage where the host can read it after the trap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Decoding input `i` (0-based, in request order).
    Decode(usize),
    Correlate,
    Window,
    Patterns,
    Rank,
    /// Building and serialising the result.
    Report,
}

impl Stage {
    /// Two words for a host to keep: the stage and, for `Decode`, the input index.
    pub fn code(self) -> [u32; 2] {
        match self {
            Stage::Decode(i) => [1, i as u32],
            Stage::Correlate => [2, 0],
            Stage::Window => [3, 0],
            Stage::Patterns => [4, 0],
            Stage::Rank => [5, 0],
            Stage::Report => [6, 0],
        }
    }

    pub fn from_code(code: [u32; 2]) -> Option<Stage> {
        Some(match code[0] {
            1 => Stage::Decode(code[1] as usize),
            2 => Stage::Correlate,
            3 => Stage::Window,
            4 => Stage::Patterns,
            5 => Stage::Rank,
            6 => Stage::Report,
            _ => return None,
        })
    }

    /// `decoding input 2 (logs.json)`, `ranking`, ...: `names` are the inputs' names.
    pub fn describe(self, names: &[&str]) -> String {
        match self {
            Stage::Decode(i) => format!("decoding input {} ({})", i + 1, names.get(i).copied().unwrap_or("?")),
            Stage::Correlate => "correlating (joining on trace id, repairing traces)".into(),
            Stage::Window => "choosing the window".into(),
            Stage::Patterns => "mining log patterns".into(),
            Stage::Rank => "ranking".into(),
            Stage::Report => "writing the result".into(),
        }
    }
}
