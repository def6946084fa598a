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
pub mod merge;
pub mod model;
pub mod options;
pub mod partial;
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
use ingest::frame::Frame;
use ingest::frame_kinds::FrameInput;
use ingest::UntimedLines;
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
    /// Text log lines that cannot be placed in time: left out of an analysis session's data,
    /// mined by a patterns one (`Session::mining`).
    untimed: UntimedLines,
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

    /// A session for the patterns command: text lines without a time are mined (at time 0,
    /// which the pattern statistics read as no time) rather than left out.
    pub fn mining() -> Session {
        Session { untimed: UntimedLines::Mine, ..Session::default() }
    }

    /// The session with `inputs` decoded, in order, each announced to `progress`.
    pub fn decoding(mut self, inputs: &[Input], progress: &mut dyn FnMut(Stage)) -> Session {
        for (i, input) in inputs.iter().enumerate() {
            progress(Stage::Decode(i));
            self.add(input);
        }
        self
    }

    /// Decodes an input. Problems become diagnostics in the report; nothing here fails.
    /// Each input is decoded on its own and appended (`merge::append`): the one path a
    /// distributed analysis, which decodes its inputs apart, shares (`docs/spark.md`).
    pub fn add(&mut self, input: &Input) {
        let mut decoded = Dataset::default();
        ingest::ingest(&mut decoded, input, self.untimed);
        self.add_decoded(decoded);
    }

    /// Appends an input decoded apart (a partial state's): the same as `add` with that input.
    pub fn add_decoded(&mut self, decoded: Dataset) {
        merge::append(&mut self.dataset, decoded);
        self.correlation = None;
    }

    /// The decoded inputs, for a partial state.
    pub fn into_dataset(self) -> Dataset {
        self.dataset
    }

    /// Starts an input of Grafana frames that arrive one at a time (`add_frame`, then `end_frames`): each frame
    /// is decoded as it comes and can be dropped, where `add` with `Input::Frames` needs them all at once.
    pub fn start_frames(&mut self, name: &str) -> FrameInput<'static> {
        self.correlation = None;
        FrameInput::start(&mut self.dataset, name, ingest::frames_json::FORMAT)
    }

    pub fn add_frame(&mut self, input: &mut FrameInput<'static>, frame: Frame) {
        self.correlation = None;
        input.add(&mut self.dataset, std::borrow::Cow::Owned(frame));
    }

    pub fn end_frames(&mut self, input: FrameInput<'static>) {
        self.correlation = None;
        input.finish(&mut self.dataset);
    }

    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// The stages every command runs: correlate (the kept correlation when it was made with
    /// these options), patterns (mining, which needs no window), window (detection reads the
    /// lines' template families, as plain indices); each announced to `progress`.
    fn stages(&mut self, options: &Options, progress: &mut dyn FnMut(Stage)) -> (&Dataset, Stages<'_>) {
        let Session { dataset, correlation: kept, .. } = self;
        progress(Stage::Correlate);
        let correlation = kept_correlation(kept, dataset, &options.correlation);
        progress(Stage::Patterns);
        let patterns = patterns::mine_logs(dataset, &options.patterns);
        (dataset, Stages::new(dataset, correlation, patterns, options, progress))
    }

    /// The report: the stages, then ranking, then the report built from their state.
    pub fn analyze(&mut self, options: &Options) -> Report {
        self.analyze_reporting(options, &mut |_| {})
    }

    /// `analyze`, telling `progress` each stage as it starts.
    pub fn analyze_reporting(&mut self, options: &Options, progress: &mut dyn FnMut(Stage)) -> Report {
        let (ds, s) = self.stages(options, progress);
        s.report(ds, options, progress)
    }

    /// The patterns command: the same stages, every pattern listed, each record's pattern, the
    /// decoders' diagnostics and the rows read per input.
    pub fn patterns(&mut self, options: &Options) -> PatternRun {
        self.patterns_reporting(options, &mut |_| {})
    }

    /// `patterns`, telling `progress` each stage as it starts.
    pub fn patterns_reporting(&mut self, options: &Options, progress: &mut dyn FnMut(Stage)) -> PatternRun {
        let (ds, s) = self.stages(options, progress);
        progress(Stage::Report);
        PatternRun {
            patterns: patterns::aggregate(ds, s.correlation, &s.patterns, &s.windows, &options.patterns, None),
            assignments: s.patterns.assignment,
            diagnostics: DiagnosticsReport::from_dataset(ds),
            inputs: InputsReport::from_dataset(ds),
        }
    }

    /// One trace's spans with their logs and exemplars (any id form `TraceId::parse` reads),
    /// joined under `options`; `None` when the data holds no such trace. Reuses the kept
    /// correlation, so a trace view costs a lookup, not a correlation.
    pub fn trace_detail(&mut self, options: &CorrelateOptions, id: &str) -> Option<TraceDetail> {
        let trace = TraceId::parse(id).ok()?;
        let Session { dataset, correlation: kept, .. } = self;
        trace_detail::trace_detail(dataset, kept_correlation(kept, dataset, options), trace)
    }
}

impl<'a> Stages<'a> {
    /// The stages after correlation and mining: the window.
    fn new(ds: &Dataset, correlation: &'a Correlation, patterns: Mined, options: &Options, progress: &mut dyn FnMut(Stage)) -> Stages<'a> {
        progress(Stage::Window);
        let families = patterns.families();
        let windows = window::choose(ds, correlation, &patterns.line_groups(&families), options.window, options.baseline);
        Stages { correlation, windows, patterns }
    }

    /// Ranking, then the report built from the stages' state.
    fn report(self, ds: &Dataset, options: &Options, progress: &mut dyn FnMut(Stage)) -> Report {
        progress(Stage::Rank);
        let ranking = rank::rank(ds, self.correlation, &self.windows, &self.patterns, &options.rank, options.top);
        progress(Stage::Report);
        Report {
            version: report::REPORT_VERSION.into(),
            inputs: InputsReport::from_dataset(ds),
            correlation: self.correlation.report(ds),
            patterns: patterns::aggregate(
                ds,
                self.correlation,
                &self.patterns,
                &self.windows,
                &options.patterns,
                Some(options.patterns.max_patterns),
            ),
            candidates: ranking.candidates,
            confidence: ranking.confidence,
            // The decoders' diagnostics and correlation's (skipped id fields, repaired traces).
            diagnostics: DiagnosticsReport::from_diagnostics(&self.correlation.diagnostics),
            windows: self.windows,
        }
    }
}

/// The report for a dataset whose log text was read apart (per input, `partial`) and dropped:
/// the stages as `Session::analyze` runs them, reading the ids and lines found there.
pub fn analyze_read(
    ds: &Dataset,
    ids: correlate::LogIds,
    lines: patterns::LogLines,
    options: &Options,
    progress: &mut dyn FnMut(Stage),
) -> Report {
    progress(Stage::Correlate);
    let correlation = correlate::correlate_found(ds, ids, &options.correlation);
    progress(Stage::Patterns);
    Stages::new(ds, &correlation, lines.into_mined(), options, progress).report(ds, options, progress)
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
    analyze_reporting(inputs, options, &mut |_| {})
}

/// `analyze`, telling `progress` each stage as it starts (decoding input by input). Each input's
/// log text is read as it is decoded and dropped (`partial::Finishing::analyze`): the report a
/// `Session` gives for the same inputs, in the memory of the decoded columns without the bodies.
pub fn analyze_reporting(inputs: &[Input], options: &Options, progress: &mut dyn FnMut(Stage)) -> Report {
    partial::Finishing::analyze(inputs, options, progress)
}

/// Decodes `inputs` (Loki JSON, OTLP logs JSON, plain text lines, anything `Session` reads) and
/// mines their log records: the patterns command.
pub fn patterns(inputs: &[Input], options: &Options) -> PatternRun {
    patterns_reporting(inputs, options, &mut |_| {})
}

/// `patterns`, telling `progress` each stage as it starts (decoding input by input).
pub fn patterns_reporting(inputs: &[Input], options: &Options, progress: &mut dyn FnMut(Stage)) -> PatternRun {
    Session::mining().decoding(inputs, progress).patterns_reporting(options, progress)
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
