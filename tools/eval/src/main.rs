//! `rootspan-eval`: the ranking evaluation (`rank`) and the log-pattern benchmark
//! (`bench-patterns`). Exit codes: 0 success, 1 the evaluation failed, 2 a usage error.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use rootspan_engine::Engine;
use rootspan_eval::{bench_patterns, cases, rank};

#[derive(Parser, Debug)]
#[command(name = "rootspan-eval", version, about = "rootspan's evaluation and benchmark tooling")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Evaluate the ranking on labelled incidents: DIR holds case folders (case.json with the
    /// window and baseline, truth.json with the answer, and the inputs). Prints AC@1, AC@3,
    /// AC@5, Avg@5, per fault type, per instance, and the true service's rank per case. A case
    /// whose truth says no fault (`"fault": "no_fault"`, no service) is no AC hit or miss: it is
    /// counted apart, by what its report stated (clear, tentative, no clear root cause).
    /// Several DIRs are evaluated (and, with --fit, fitted) as one set.
    Rank {
        /// The folders of case folders.
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The sources the ranking may use, comma-separated: traces, logs, metrics (ablations).
        #[arg(long, value_name = "LIST", default_value = "traces,logs,metrics")]
        sources: String,
        /// Also fit the component weights on these cases and print leave-one-case-out accuracy.
        #[arg(long)]
        fit: bool,
        /// Also analyse each case in a fault-free window (the minute before its injection) and
        /// fit the confidence curve on both: prints the curve and its leave-one-case-out
        /// calibration (Brier, reliability, false alarms on the fault-free windows).
        #[arg(long)]
        calibrate: bool,
        /// Run the core natively instead of the wasm (same reports, faster to iterate).
        #[arg(long)]
        native: bool,
        /// The raw-ABI wasm to run. Default: wasm-plugin/dist/rootspan_raw.wasm of this checkout.
        #[arg(long, value_name = "PATH")]
        wasm: Option<PathBuf>,
        /// `given`: each case's window and baseline; `detected`: none, the analysis finds them
        /// (and the output adds how far each window starts from the injection).
        #[arg(long, value_enum, default_value_t = cases::WindowChoice::Given)]
        windows: cases::WindowChoice,
    },
    /// The log-pattern benchmark against drain3 (run by scripts/bench-patterns.sh).
    BenchPatterns {
        #[command(subcommand)]
        step: BenchStep,
    },
}

#[derive(Subcommand, Debug)]
enum BenchStep {
    /// Write the speed input: the seven Loghub-2k datasets' messages repeated to 1M lines.
    Lines { loghub_dir: String, out: String },
    /// Accuracy per log style (STYLES_DIR: testdata/logstyles) and per Loghub dataset, and speed
    /// natively and in wasm, against drain3's figures; writes OUT_PREFIX.{json,md}.
    Measure { loghub_dir: String, styles_dir: String, lines: String, wasm: String, drain3_json: String, out_prefix: String },
    /// The miner and command speeds alone (no drain3, no accuracy).
    Speed { lines: String, wasm: String },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// `{"cases", "ac1", "ac3", "ac5", "avg5", "per_fault", "instance", "fault_free", "per_case": [{"case", "rank", "fault"}]}`;
    /// the AC figures are over the fault cases, `fault_free` counts what the others were stated.
    Json,
    Text,
}

fn default_wasm() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../wasm-plugin/dist/rootspan_raw.wasm"))
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Rank { dirs, format, sources, fit, calibrate, native, wasm, windows } => {
            let sources = cases::parse_sources(&sources)?;
            let engine = if native { None } else { Some(Engine::load(&wasm.unwrap_or_else(default_wasm)).map_err(|e| e.to_string())?) };
            let mut analyse = |inputs, options: &str| match &engine {
                Some(engine) => engine.analyze(inputs, options).map_err(|e| e.to_string()),
                None => cases::analyse_native(inputs, options),
            };
            let run = cases::run(&dirs, &sources, windows, &mut analyse)?;
            match format {
                Format::Json => println!("{}", serde_json::to_string(&run.summary).map_err(|e| e.to_string())?),
                Format::Text => print!("{}", run.summary.to_text()),
            }
            if fit {
                print!("{}", rank::fit_report(&run.fit_cases, &sources));
            }
            if calibrate {
                let given = if windows == cases::WindowChoice::Given {
                    run
                } else {
                    cases::run(&dirs, &sources, cases::WindowChoice::Given, &mut analyse)?
                };
                let calm = cases::run(&dirs, &sources, cases::WindowChoice::NoFault, &mut analyse)?;
                let points: Vec<rank::CalibrationPoint> =
                    given.summary.per_case.iter().chain(&calm.summary.per_case).map(rank::CalibrationPoint::of).collect();
                print!("{}", rank::calibration_report(&points));
            }
            Ok(())
        }
        Command::BenchPatterns { step } => match step {
            BenchStep::Lines { loghub_dir, out } => bench_patterns::write_lines(&loghub_dir, &out),
            BenchStep::Measure { loghub_dir, styles_dir, lines, wasm, drain3_json, out_prefix } => {
                bench_patterns::measure(&loghub_dir, &styles_dir, &lines, &wasm, &drain3_json, &out_prefix)
            }
            BenchStep::Speed { lines, wasm } => bench_patterns::speed(&lines, &wasm),
        }
        .map_err(|e| e.to_string()),
    }
}

fn main() -> ExitCode {
    // clap prints usage errors itself and exits with 2.
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("rootspan-eval: {message}");
            ExitCode::from(1)
        }
    }
}
