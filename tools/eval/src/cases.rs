//! `rootspan-eval rank DIR`: analyses every case folder under DIR (its `case.json` gives the
//! window and baseline; every other file but `truth.json` is an input), then compares the
//! ranking with `truth.json`, read only after the analysis (a fault-free window reads the
//! injection time first, to end before it; never the service). The accuracy figures and the weight
//! fit are `crate::rank`; this module reads the folders.

use std::path::{Path, PathBuf};

use rootspan_core::rank::Signal;
use rootspan_core::request::{self, Command, NamedBytes, Request, Response};
use rootspan_core::{Options, TimeRange};

use crate::rank::{self as eval, CaseOutcome, CaseSpec, FitCase, Summary, Truth};

/// Reads an input file; its name in the report is the path as given.
fn read_input(path: &Path) -> Result<NamedBytes, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(NamedBytes { name: path.display().to_string(), bytes })
}

/// Candidates listed per case: enough for every service of a large system, so the fit sees
/// them all and a truth outside the top 5 still has a rank.
const EVAL_TOP: usize = 1000;

/// What one evaluation found.
pub struct EvalRun {
    pub summary: Summary,
    /// Every case's candidates, for `--fit`.
    pub fit_cases: Vec<FitCase>,
}

/// The case folders under `dir` (those holding a `case.json`), sorted by name.
pub fn case_folders(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.join("case.json").is_file()).collect();
    out.sort();
    if out.is_empty() {
        return Err(format!("{}: no case folders (folders holding a case.json)", dir.display()));
    }
    Ok(out)
}

fn read_spec(path: &Path) -> Result<CaseSpec, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_truth(path: &Path) -> Result<Truth, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Which windows a case is analysed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WindowChoice {
    /// The case's own window and baseline (`case.json`).
    Given,
    /// None: the analysis detects them, as the panel does by default.
    Detected,
    /// A fault-free window: the minute before the injection, against the case's baseline. The
    /// truth is absent (rank 0): a confident top candidate here is a false alarm.
    NoFault,
}

/// The fault-free window's length, ending at the injection.
const NO_FAULT_WINDOW_NS: i64 = 60_000_000_000;

/// The options one case is analysed with.
pub fn case_options(spec: &CaseSpec, injected: Option<i64>, sources: &[Signal], windows: WindowChoice) -> Result<String, String> {
    let (window, baseline) = match windows {
        WindowChoice::Given => (spec.window, spec.baseline),
        WindowChoice::Detected => (None, None),
        WindowChoice::NoFault => {
            let end = injected.ok_or("a fault-free window needs the truth's inject_time")?;
            (Some(TimeRange::new(end - NO_FAULT_WINDOW_NS, end).map_err(|e| e.to_string())?), spec.baseline)
        }
    };
    let mut options = Options { window, baseline, top: EVAL_TOP, ..Options::default() };
    options.rank.sources = sources.to_vec();
    Ok(serde_json::to_string(&options).expect("options serialise"))
}

/// Turns inputs and options JSON into report JSON: the wasm engine, or the core natively.
pub type Analyse<'a> = dyn FnMut(Vec<NamedBytes>, &str) -> Result<String, String> + 'a;

/// Runs the evaluation with `analyse` over the case folders of every dir in `dirs`. With more
/// than one dir, a case is named `<dir>/<case>` so the per-case list says where it came from.
pub fn run(dirs: &[PathBuf], sources: &[Signal], windows: WindowChoice, analyse: &mut Analyse) -> Result<EvalRun, String> {
    let mut outcomes = Vec::new();
    let mut fit_cases = Vec::new();
    let folders: Vec<(PathBuf, &Path)> = dirs
        .iter()
        .map(|d| case_folders(d).map(|f| f.into_iter().map(|f| (f, d.as_path())).collect::<Vec<_>>()))
        .collect::<Result<Vec<_>, _>>()?
        .concat();
    for (folder, dir) in folders {
        let leaf = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let name = if dirs.len() > 1 { format!("{}/{}", leaf(dir), leaf(&folder)) } else { leaf(&folder) };
        let spec = read_spec(&folder.join("case.json"))?;
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map_err(|e| format!("{}: {e}", folder.display()))?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.is_file() && !matches!(p.file_name().and_then(|n| n.to_str()), Some("case.json" | "truth.json")))
            .collect();
        files.sort();
        let inputs = files.iter().map(|f| read_input(f)).collect::<Result<Vec<_>, _>>()?;
        let injected = match windows {
            WindowChoice::NoFault => read_truth(&folder.join("truth.json"))?.injected(),
            WindowChoice::Given | WindowChoice::Detected => None,
        };
        let options = case_options(&spec, injected, sources, windows).map_err(|e| format!("{name}: {e}"))?;
        let report = analyse(inputs, &options).map_err(|e| format!("{name}: {e}"))?;
        let candidates = eval::ranked(&report).map_err(|e| format!("{name}: {e}"))?;
        let start = eval::window_start(&report).map_err(|e| format!("{name}: {e}"))?;
        let mut truth = read_truth(&folder.join("truth.json"))?;
        if windows == WindowChoice::NoFault {
            truth = truth.without_fault();
        }
        let confidence = eval::confidence(&report).map_err(|e| format!("{name}: {e}"))?;
        outcomes.push(CaseOutcome::new(&name, &truth, &candidates, start, &confidence));
        // A fault-free case has no true candidate to fit towards or to rank.
        if !truth.fault_free() {
            fit_cases.push(FitCase::new(&candidates, &truth, spec.system.as_deref()));
        }
    }
    Ok(EvalRun { summary: Summary::of(outcomes), fit_cases })
}

/// Analyses natively with the core (no wasm), for quick iterations; same report bytes.
pub fn analyse_native(inputs: Vec<NamedBytes>, options: &str) -> Result<String, String> {
    match request::execute(Request { command: Command::Analyze, options: options.to_string(), inputs }) {
        Response::Ok(json) => Ok(json),
        Response::Error(message) => Err(message),
        Response::State(_) => Err("a partial state where JSON was expected".into()),
    }
}

/// Parses `traces,logs,metrics`.
pub fn parse_sources(text: &str) -> Result<Vec<Signal>, String> {
    text.split(',')
        .map(|s| {
            serde_json::from_value(serde_json::Value::String(s.trim().to_string()))
                .map_err(|_| format!("unknown source {s:?}: expected traces, logs or metrics"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_parse_and_reject_unknowns() {
        assert_eq!(parse_sources("traces,logs").unwrap(), vec![Signal::Traces, Signal::Logs]);
        assert!(parse_sources("traces,spans").is_err());
    }

    #[test]
    fn an_empty_directory_is_an_error() {
        let dir = std::env::temp_dir().join(format!("rootspan-eval-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(case_folders(&dir).unwrap_err().contains("no case folders"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
