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
use rootspan_core::request::NamedBytes;
use rootspan_core::{Options, TimeRange};
use serde_json::Value;

use crate::engine::{Engine, HostError, Limits};
use crate::inputs::{self, Progress};
use crate::render;

#[derive(Parser, Debug)]
#[command(
    name = "rootspan",
    version,
    about = "Find the root cause of an incident from its traces, logs and metrics (runs rootspan's wasm in wasmtime)"
)]
pub struct Cli {
    /// The raw-ABI wasm to run. Default: rootspan_raw.wasm next to this executable, else
    /// wasm-plugin/dist/rootspan_raw.wasm in the checkout it was built from (scripts/build-wasm.sh).
    #[arg(long, global = true, env = "ROOTSPAN_WASM", value_name = "PATH")]
    pub wasm: Option<PathBuf>,
    /// Fuel budget per analysis, in wasm instructions (plus --fuel-per-byte per input byte).
    #[arg(long, global = true, value_name = "UNITS")]
    pub fuel: Option<u64>,
    /// Extra fuel per input byte (inputs as given: gzip counts compressed).
    #[arg(long, global = true, value_name = "UNITS")]
    pub fuel_per_byte: Option<u64>,
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
        args: crate::patterns_cli::PatternArgs,
        /// Loki JSON, OTLP logs JSON or plain text with one record per line (.gz accepted).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Evaluate the ranking on labelled incidents: DIR holds case folders (case.json with the
    /// window and baseline, truth.json with the answer, and the inputs). Prints AC@1, AC@3,
    /// AC@5, Avg@5, per fault type, per instance, and the true service's rank per case.
    /// Several DIRs are evaluated (and, with --fit, fitted) as one set.
    Eval {
        /// The folders of case folders.
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
        format: EvalFormat,
        /// The sources the ranking may use, comma-separated: traces, logs, metrics (ablations).
        #[arg(long, value_name = "LIST", default_value = "traces,logs,metrics")]
        sources: String,
        /// Also fit the component weights on these cases and print leave-one-case-out accuracy.
        #[arg(long)]
        fit: bool,
        /// Run the core natively instead of the wasm (same reports, faster to iterate).
        #[arg(long)]
        native: bool,
    },
    /// Analyse the bundled sample incident (a real TrainTicket fault) with its window and baseline.
    Demo {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(clap::Args, Debug)]
pub struct AnalysisArgs {
    /// The incident window, START,END (RFC 3339 or epoch milliseconds). Default: found from the data.
    #[arg(long, value_name = "START,END", value_parser = parse_range)]
    pub window: Option<TimeRange>,
    /// The baseline, START,END. Default: as long as the window, right before it.
    #[arg(long, value_name = "START,END", value_parser = parse_range)]
    pub baseline: Option<TimeRange>,
    /// Options JSON file (snake_case keys, see schema/options.schema.json); flags override it.
    #[arg(long, value_name = "FILE")]
    pub options: Option<PathBuf>,
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

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvalFormat {
    /// `{"cases", "ac1", "ac3", "ac5", "avg5", "per_fault", "instance", "per_case": [{"case", "rank", "fault"}]}`.
    Json,
    Text,
}

fn parse_top(text: &str) -> Result<usize, String> {
    let max = rootspan_core::options::MAX_TOP;
    text.parse::<usize>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| format!("expected a whole number from 1 to {max}, got {text:?}"))
}

pub(crate) fn parse_range(text: &str) -> Result<TimeRange, String> {
    let (start, end) = text.split_once(',').ok_or_else(|| format!("expected START,END, got {text:?}"))?;
    TimeRange::new(rootspan_core::time::parse_timestamp(start)?, rootspan_core::time::parse_timestamp(end)?)
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
            let mut options = options(analysis)?;
            if let Some(top) = top {
                options.top = *top;
            }
            let inputs = read_all(cli, files)?;
            let names: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
            let report = if *native {
                crate::eval::analyse_native(inputs, &to_json(&options)).map_err(Failure::Analysis)?
            } else {
                let engine = engine(cli)?;
                with_progress(inputs, |inputs| engine.analyze(inputs, &to_json(&options)))?
            };
            let code = print_report(&report, analysis.format)?;
            Ok(worst(code, unread(&report, &names, Records::Any)?))
        }
        Command::Patterns { args, files } => {
            let options = options(&args.analysis())?;
            let inputs = read_all(cli, files)?;
            let names: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
            let engine = engine(cli)?;
            let result = with_progress(inputs, |inputs| engine.patterns(inputs, &to_json(&options)))?;
            crate::patterns_cli::output(&result, args).map_err(Failure::Analysis)?;
            let code = echo_diagnostics(
                &serde_json::from_str(&result).map_err(|e| Failure::Analysis(format!("the pattern run is not JSON: {e}")))?,
            );
            Ok(worst(code, unread(&result, &names, Records::Logs)?))
        }
        Command::Eval { dirs, format, sources, fit, native } => {
            let sources = crate::eval::parse_sources(sources).map_err(Failure::Usage)?;
            let run = if *native {
                crate::eval::run(dirs, &sources, &mut crate::eval::analyse_native)
            } else {
                let engine = engine(cli)?;
                crate::eval::run(dirs, &sources, &mut |inputs, options| engine.analyze(inputs, options).map_err(|e| e.to_string()))
            }
            .map_err(Failure::Analysis)?;
            match format {
                EvalFormat::Json => println!("{}", serde_json::to_string(&run.summary).expect("the summary serialises")),
                EvalFormat::Text => print!("{}", run.summary.to_text()),
            }
            if *fit {
                print!("{}", rootspan_core::rank::eval::fit_report(&run.fit_cases, &sources));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { format } => {
            let options = inputs::case_options(inputs::sample::CASE_JSON).map_err(Failure::Analysis)?;
            let engine = engine(cli)?;
            eprintln!("rootspan: analysing the bundled sample incident (samples/incident/, TrainTicket case tt-2023-01-30-1151)");
            let report = engine.analyze(inputs::sample::inputs(), &options)?;
            print_report(&report, *format)
        }
    }
}

fn options(args: &AnalysisArgs) -> Result<Options, Failure> {
    let mut options = match &args.options {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?;
            Options::from_json(&text).map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?
        }
        None => Options::default(),
    };
    if args.window.is_some() {
        options.window = args.window;
    }
    if args.baseline.is_some() {
        options.baseline = args.baseline;
    }
    options.validate().map_err(Failure::Usage)?;
    Ok(options)
}

fn to_json(options: &Options) -> String {
    serde_json::to_string(options).expect("options serialise: plain structs with string keys")
}

fn read_all(cli: &Cli, files: &[PathBuf]) -> Result<Vec<NamedBytes>, Failure> {
    let (max_bytes, max_decompressed) = (cli.max_input_mib << 20, cli.max_decompressed_mib << 20);
    files
        .iter()
        .map(|f| {
            inputs::read_input_capped(f, max_bytes, max_decompressed).map_err(|e| match e {
                inputs::ReadError::Unreadable(m) => Failure::Usage(m),
                inputs::ReadError::TooLarge(m) => Failure::Analysis(m),
            })
        })
        .collect()
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
fn unread(result: &str, names: &[String], records: Records) -> Result<ExitCode, Failure> {
    let value: Value = serde_json::from_str(result).map_err(|e| Failure::Analysis(format!("the result is not JSON: {e}")))?;
    let sources = value["inputs"]["sources"].as_array().map(Vec::as_slice).unwrap_or_default();
    let mut code = ExitCode::SUCCESS;
    for name in names {
        let rows: u64 = sources
            .iter()
            .filter(|s| {
                s["input"].as_str().is_some_and(|i| i == name || i.strip_prefix(name.as_str()).is_some_and(|r| r.starts_with(" line ")))
            })
            .map(|s| match records {
                Records::Any => ["spans", "logs", "series", "exemplars"].iter().map(|k| s[*k].as_u64().unwrap_or(0)).sum(),
                Records::Logs => s["logs"].as_u64().unwrap_or(0),
            })
            .sum();
        if rows == 0 {
            let what = if records == Records::Logs { "no log record" } else { "no usable record" };
            eprintln!("rootspan: {}: {what} read from this input (the diagnostics say why)", render::plain(name));
            code = ExitCode::from(1);
        }
    }
    Ok(code)
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
    let path = cli.wasm.clone().unwrap_or_else(inputs::default_wasm_path);
    let defaults = Limits::default();
    let limits = Limits {
        fuel_base: cli.fuel.unwrap_or(defaults.fuel_base),
        fuel_per_byte: cli.fuel_per_byte.unwrap_or(defaults.fuel_per_byte),
        memory_bytes: cli.memory_mib.map_or(defaults.memory_bytes, |m| (m as usize) << 20),
    };
    Ok(Engine::load(&path)?.with_limits(limits))
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

/// Prints the report; echoes its error diagnostics on stderr (exit 1 when there are any) and
/// counts the rest, so they are noticed even when stdout goes to a file.
fn print_report(report: &str, format: Format) -> Result<ExitCode, Failure> {
    let value: Value = serde_json::from_str(report).map_err(|e| Failure::Analysis(format!("the report is not JSON: {e}")))?;
    match format {
        Format::Json => println!("{report}"),
        Format::Text => print!("{}", render::text(&value)),
        Format::Markdown => print!("{}", render::markdown(&value)),
    }
    Ok(echo_diagnostics(&value))
}

/// Echoes a result's error diagnostics on stderr and counts the rest; exit 1 when there are
/// errors (an input that could not be read at all).
fn echo_diagnostics(value: &Value) -> ExitCode {
    let entries = value["diagnostics"]["entries"].as_array().map(Vec::as_slice).unwrap_or_default();
    let errors: Vec<&Value> = entries.iter().filter(|e| e["severity"] == "error").collect();
    for e in &errors {
        eprintln!("rootspan: {}", render::plain(&render::diagnostic_line(e)));
    }
    let count = |key: &str| value["diagnostics"][key].as_u64().unwrap_or(0);
    let (error_count, skipped, warnings) = (count("errors"), count("skipped"), count("warnings"));
    if skipped + warnings > 0 {
        eprintln!("rootspan: {skipped} skipped, {warnings} warnings (the report's diagnostics say where)");
    }
    if error_count > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
