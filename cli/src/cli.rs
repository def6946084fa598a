//! The `rootspan` command line: a thin layer over `Engine` and `render`.
//!
//! Exit codes: 0 success; 1 the analysis failed or is incomplete: an engine error, a limit, an
//! input over its size cap, or a named input from which no usable record was read (the
//! report lists why as an `error` diagnostic; stderr names the input); 2 a usage error (bad
//! arguments, a time that does not parse or lies outside 1970..2200, a baseline equal to the
//! window, `--top` outside 1..=1000, a file that cannot be opened).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use rootspan_core::diag::Severity;
use rootspan_core::report::{DiagnosticsReport, InputsReport};
use rootspan_core::request::{self, NamedBytes, Request, Response};
use rootspan_core::{Options, Report};
use rootspan_engine::{Engine, HostError, Limits, ModuleCache};

use crate::args::RangeArgs;
use crate::inputs::{self, Progress};
use crate::patterns_cli::PatternArgs;
use crate::render;

#[derive(Parser, Debug)]
#[command(
    name = "rootspan",
    version,
    about = "Find the root cause of an incident from its traces, logs and metrics (runs rootspan's wasm in wasmtime)"
)]
pub struct Cli {
    /// The raw-ABI wasm to run instead of the one built into this binary
    /// (wasm-plugin/dist/rootspan_raw.wasm when it was built, see scripts/build-wasm.sh).
    #[arg(long, global = true, env = "ROOTSPAN_WASM", value_name = "PATH")]
    pub wasm: Option<PathBuf>,
    /// Fuel budget per analysis, in wasm instructions (plus --fuel-per-byte per input byte).
    #[arg(long, global = true, value_name = "UNITS")]
    pub fuel: Option<u64>,
    /// Extra fuel per input byte (inputs as given: gzip counts compressed).
    #[arg(long, global = true, value_name = "UNITS")]
    pub fuel_per_byte: Option<u64>,
    /// Compile the wasm afresh instead of loading the compiled module kept in the user's cache folder
    /// ($ROOTSPAN_CACHE_DIR, else $XDG_CACHE_HOME/rootspan, else ~/.cache/rootspan).
    #[arg(long, global = true)]
    pub no_cache: bool,
    /// The most memory the wasm may use, in MiB (at most 4096).
    #[arg(long, global = true, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub memory_mib: Option<u64>,
    /// The most bytes read from one input, in MiB; a bigger input (or a device such as
    /// /dev/zero) is refused, naming it.
    #[arg(long, global = true, value_name = "MIB", default_value_t = inputs::DEFAULT_MAX_INPUT_MIB, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub max_input_mib: u64,
    /// The most bytes one gzip input may decompress to, in MiB; past it the input is refused
    /// (decompression stops there, so a gzip bomb costs only that much).
    #[arg(long, global = true, value_name = "MIB", default_value_t = inputs::DEFAULT_MAX_INPUT_MIB, value_parser = clap::value_parser!(u64).range(1..=4096))]
    pub max_decompressed_mib: u64,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Rank root-cause candidates over exported telemetry files (formats detected by content; .gz accepted).
    Analyze {
        #[command(flatten)]
        analysis: AnalysisArgs,
        /// How many candidates to list (1 to 1000).
        #[arg(long, value_name = "N", value_parser = parse_top)]
        top: Option<usize>,
        /// Run the core natively instead of the wasm (same report bytes; for development).
        #[arg(long)]
        native: bool,
        /// Input files: OTLP JSON, Loki, Prometheus, Tempo or Jaeger API JSON, Grafana frames, Arrow IPC, text logs.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Mine log patterns only (what is new, surging or gone in the window).
    Patterns {
        #[command(flatten)]
        args: PatternArgs,
        /// Loki JSON, OTLP logs JSON or plain text with one record per line (.gz accepted).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Analyse the bundled sample incident (a real TrainTicket fault) with its window and baseline.
    Demo {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(clap::Args, Debug)]
pub struct AnalysisArgs {
    #[command(flatten)]
    pub range: RangeArgs,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The report JSON, exactly as every home produces it.
    Json,
    Markdown,
    /// For a person at a terminal.
    Text,
}

fn parse_top(text: &str) -> Result<usize, String> {
    let max = rootspan_core::options::MAX_TOP;
    text.parse::<usize>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| format!("expected a whole number from 1 to {max}, got {text:?}"))
}

/// Why the CLI stopped, and with which exit code.
enum Failure {
    Usage(String),
    Analysis(String),
}

impl From<HostError> for Failure {
    fn from(e: HostError) -> Failure {
        Failure::Analysis(e.to_string())
    }
}

pub fn main() -> ExitCode {
    // clap prints usage errors itself and exits with 2.
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(Failure::Usage(message)) => {
            eprintln!("rootspan: {}", render::plain(&message));
            ExitCode::from(2)
        }
        Err(Failure::Analysis(message)) => {
            eprintln!("rootspan: {}", render::plain(&message));
            ExitCode::from(1)
        }
    }
}

fn run(cli: &Cli) -> Result<ExitCode, Failure> {
    match &cli.command {
        Command::Analyze { analysis, top, native, files } => {
            let mut options = analysis.range.options().map_err(Failure::Usage)?;
            if let Some(top) = top {
                options.top = *top;
            }
            // Every input is opened before any work (one that cannot be is a usage error), then
            // read and sent one at a time into one instance, so only one input's bytes are held.
            let total = open_all(files)?;
            let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
            let options = to_json(&options);
            let report = if *native {
                let mut calls = request::Calls::default();
                stream_inputs(cli, files, total, &options, |request| run_native(&mut calls, request))?
            } else {
                let mut instance = engine(cli)?.instance()?;
                stream_inputs(cli, files, total, &options, |request| Ok(instance.call(&request)?))?
            };
            let report = print_report(&report, analysis.format)?;
            Ok(worst(echo_diagnostics(&report.diagnostics), unread(&report.inputs, &names, Records::Any)))
        }
        Command::Patterns { args, files } => {
            let options = args.range.options().map_err(Failure::Usage)?;
            let inputs = read_all(cli, files)?;
            let names: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
            let engine = engine(cli)?;
            let result = with_progress(inputs, |inputs| engine.patterns(inputs, &to_json(&options)))?;
            let run = crate::patterns_cli::output(&result, args).map_err(Failure::Analysis)?;
            let code = echo_diagnostics(&run.diagnostics);
            Ok(worst(code, unread(&run.inputs, &names, Records::Logs)))
        }
        Command::Demo { format } => {
            let options = inputs::case_options(inputs::sample::CASE_JSON).map_err(Failure::Analysis)?;
            let engine = engine(cli)?;
            eprintln!("rootspan: analysing the bundled sample incident (samples/incident/, TrainTicket case tt-2023-01-30-1151)");
            let report = engine.analyze(inputs::sample::inputs(), &options)?;
            Ok(echo_diagnostics(&print_report(&report, *format)?.diagnostics))
        }
    }
}

/// The report for `files` (`total` bytes), streamed as the raw ABI's commands through `call`
/// (an instance of the wasm, or the core compiled in): `begin_finish` with the options, one
/// `add_input` per file, each file read just before its call and dropped after it, and
/// `end_finish`. The core runs the one-shot `analyze` the same way (`partial::Finishing`), so
/// the report is its report, byte for byte.
fn stream_inputs(
    cli: &Cli,
    files: &[PathBuf],
    total: u64,
    options: &str,
    mut call: impl FnMut(Request) -> Result<String, Failure>,
) -> Result<String, Failure> {
    let request = |command, options: &str, inputs| Request { command, options: options.to_string(), inputs };
    call(request(request::Command::BeginFinish, options, vec![]))?;
    let started = std::time::Instant::now();
    let mut progress = (total >= inputs::PROGRESS_FROM_BYTES).then(|| Progress::new(format!("analysing {} inputs", files.len()), total));
    let mut done = 0;
    for file in files {
        let input = read_one(cli, file)?;
        done += input.bytes.len() as u64;
        call(request(request::Command::AddInput, "", vec![input]))?;
        if let Some(progress) = &mut progress {
            progress.set(done);
        }
    }
    let report = call(request(request::Command::EndFinish, "", vec![]))?;
    if let Some(progress) = &mut progress {
        progress.finish();
        eprintln!("rootspan: analysed in {:.1} s", started.elapsed().as_secs_f64());
    }
    Ok(report)
}

/// Runs a request with the core compiled into this binary (no wasm), in `calls` (which keeps a
/// streamed finish between requests, as a wasm instance does): the same bytes.
fn run_native(calls: &mut request::Calls, request: Request) -> Result<String, Failure> {
    match calls.execute_reporting(request, &mut |_| {}) {
        Response::Ok(json) => Ok(json),
        Response::Error(message) => Err(Failure::Analysis(message)),
        Response::State(_) => Err(Failure::Analysis("a partial state where JSON was expected".into())),
    }
}

fn to_json(options: &Options) -> String {
    serde_json::to_string(options).expect("options serialise: plain structs with string keys")
}

fn read_all(cli: &Cli, files: &[PathBuf]) -> Result<Vec<NamedBytes>, Failure> {
    files.iter().map(|f| read_one(cli, f)).collect()
}

/// One input file, within the input caps.
fn read_one(cli: &Cli, file: &std::path::Path) -> Result<NamedBytes, Failure> {
    inputs::read_input_capped(file, cli.max_input_mib << 20, cli.max_decompressed_mib << 20).map_err(read_failure)
}

fn read_failure(e: inputs::ReadError) -> Failure {
    match e {
        inputs::ReadError::Unreadable(m) => Failure::Usage(m),
        inputs::ReadError::TooLarge(m) => Failure::Analysis(m),
    }
}

/// Opens every file (see `inputs::open_input`); their total size.
fn open_all(files: &[PathBuf]) -> Result<u64, Failure> {
    files.iter().try_fold(0u64, |total, f| Ok(total.saturating_add(inputs::open_input(f).map_err(read_failure)?.1.len())))
}

/// Which records make an input usable: any row for `analyze`, log records for `patterns`.
#[derive(Clone, Copy, PartialEq)]
enum Records {
    Any,
    Logs,
}

/// Names on stderr every input from which no usable record was read (`inputs.sources` of the
/// report or pattern run counts rows per input; JSON lines of other formats are sources named
/// `<input> line N`). Exit 1 when there is one: a result missing an input must not pass as whole.
fn unread(inputs: &InputsReport, names: &[String], records: Records) -> ExitCode {
    let mut code = ExitCode::SUCCESS;
    for name in names {
        let rows: u64 = inputs
            .sources
            .iter()
            .filter(|s| s.input == *name || s.input.strip_prefix(name.as_str()).is_some_and(|r| r.starts_with(" line ")))
            .map(|s| match records {
                Records::Any => s.counts.spans + s.counts.logs + s.counts.series + s.counts.exemplars,
                Records::Logs => s.counts.logs,
            })
            .sum();
        if rows == 0 {
            let what = if records == Records::Logs { "no log record" } else { "no usable record" };
            eprintln!("rootspan: {}: {what} read from this input (the diagnostics say why)", render::plain(name));
            code = ExitCode::from(1);
        }
    }
    code
}

/// The worse of two exit codes (1 over 0).
fn worst(a: ExitCode, b: ExitCode) -> ExitCode {
    if a == ExitCode::SUCCESS {
        b
    } else {
        a
    }
}

fn engine(cli: &Cli) -> Result<Engine, Failure> {
    let defaults = Limits::default();
    let limits = Limits {
        fuel_base: cli.fuel.unwrap_or(defaults.fuel_base),
        fuel_per_byte: cli.fuel_per_byte.unwrap_or(defaults.fuel_per_byte),
        memory_bytes: cli.memory_mib.map_or(defaults.memory_bytes, |m| (m as usize) << 20),
    };
    let cache = if cli.no_cache { None } else { ModuleCache::user_default() };
    let engine = match &cli.wasm {
        Some(path) => Engine::load_with(path, cache.as_ref())?,
        None => Engine::from_bytes_with(inputs::EMBEDDED_WASM, "the rootspan wasm built into this binary", cache.as_ref())?,
    };
    Ok(engine.with_limits(limits))
}

/// Runs `f`, telling a person waiting on big inputs that the analysis is under way.
fn with_progress(inputs: Vec<NamedBytes>, f: impl FnOnce(Vec<NamedBytes>) -> Result<String, HostError>) -> Result<String, HostError> {
    let total: u64 = inputs.iter().map(|i| i.bytes.len() as u64).sum();
    if total < inputs::PROGRESS_FROM_BYTES {
        return f(inputs);
    }
    let started = std::time::Instant::now();
    let mut progress = Progress::new(format!("analysing {} inputs in wasmtime", inputs.len()), total);
    let result = f(inputs);
    progress.finish();
    eprintln!("rootspan: analysed in {:.1} s", started.elapsed().as_secs_f64());
    result
}

/// Prints the report in `format`; returns it read back, for its diagnostics and inputs.
fn print_report(json: &str, format: Format) -> Result<Report, Failure> {
    let report: Report = serde_json::from_str(json).map_err(|e| Failure::Analysis(format!("the report does not read as a report: {e}")))?;
    match format {
        Format::Json => println!("{json}"),
        Format::Text => print!("{}", render::text(&report)),
        Format::Markdown => print!("{}", render::markdown(&report)),
    }
    Ok(report)
}

/// Echoes a result's error diagnostics on stderr and counts the rest, so they are noticed even
/// when stdout goes to a file; exit 1 when there are errors (an input that could not be read).
fn echo_diagnostics(d: &DiagnosticsReport) -> ExitCode {
    for e in d.entries.iter().filter(|e| e.severity == Severity::Error) {
        eprintln!("rootspan: {}", render::plain(&render::diagnostic_line(e)));
    }
    if d.skipped + d.warnings > 0 {
        eprintln!("rootspan: {} skipped, {} warnings (the report's diagnostics say where)", d.skipped, d.warnings);
    }
    if d.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
