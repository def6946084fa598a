//! Native evaluation harness: `cargo run --release -p rootspan-core --example eval -- DIR
//! [--format json|text] [--sources traces,logs,metrics] [--fit]`. Each case folder holds
//! `case.json`, `truth.json` and the input files; every case is analysed without its truth.
//! `--fit` also fits the component weights and prints leave-one-case-out ranks.

use std::path::Path;

use rootspan_core::rank::eval::{self, CaseOutcome, CaseSpec, FitCase, Summary, Truth};
use rootspan_core::rank::Signal;
use rootspan_core::{Input, Options, Session};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut dir = None;
    let mut format = "text".to_string();
    let mut sources = vec![Signal::Traces, Signal::Logs, Signal::Metrics];
    let mut fit = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--format" => format = it.next().cloned().unwrap_or_default(),
            "--sources" => {
                sources = it
                    .next()
                    .map(|s| {
                        s.split(',').map(|x| serde_json::from_value(serde_json::Value::String(x.to_string())).expect("a source")).collect()
                    })
                    .unwrap_or_default()
            }
            "--fit" => fit = true,
            d => dir = Some(d.to_string()),
        }
    }
    let dir = dir.expect("usage: eval DIR [--format json|text] [--sources traces,logs,metrics] [--fit]");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("a case directory")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("case.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut outcomes = Vec::new();
    let mut fit_cases = Vec::new();
    for name in &names {
        let path = Path::new(&dir).join(name);
        let candidates = analyse(&path, &sources);
        let truth: Truth = serde_json::from_slice(&std::fs::read(path.join("truth.json")).expect("truth.json")).expect("truth.json parses");
        if std::env::var("VERBOSE").is_ok() {
            println!("{name} truth {} {:?}", truth.service, truth.fault);
            let at = candidates.iter().position(|c| c.service == truth.service).unwrap_or(0);
            for c in candidates.iter().take(3).chain(candidates.get(at)) {
                let comps: Vec<String> = c.components.iter().filter(|x| x.raw != 0.0).map(|x| format!("{}={:.2}", x.name, x.raw)).collect();
                println!("  {:>2} {:<32} {}", c.rank, c.service, comps.join(" "));
            }
        }
        outcomes.push(CaseOutcome::new(name, &truth, &candidates));
        fit_cases.push(FitCase::new(&candidates, &truth.service));
    }
    let summary = Summary::of(outcomes);
    if format == "json" {
        println!("{}", serde_json::to_string(&summary).expect("serialises"));
    } else {
        print!("{}", summary.to_text());
    }
    if fit {
        // The truth's rank under each component alone.
        let names = eval::component_names();
        for (k, n) in names.iter().enumerate() {
            let mut w = [0.0; 10];
            w[k] = 1.0;
            let r: Vec<String> = fit_cases.iter().map(|c| format!("{:>3}", c.rank_under(&w))).collect();
            println!("{n:<20} {}", r.join(""));
        }
        let names = eval::component_names();
        let active: Vec<bool> = rootspan_core::rank::component_sources().iter().map(|s| sources.contains(s)).collect();
        let active: [bool; 10] = active.try_into().expect("ten components");
        for l2 in [0.003, 0.01, 0.03, 0.1] {
            let w = eval::fit(&fit_cases, &active, l2);
            let loo = eval::leave_one_out(&fit_cases, &active, l2);
            let a = eval::Accuracy::of(&loo);
            let fitted: Vec<String> = names.iter().zip(w).map(|(n, w)| format!("{n}={w:.3}")).collect();
            println!("l2={l2}: LOO AC@1 {:.3} AC@3 {:.3} AC@5 {:.3}; ranks {loo:?}\n  weights {}", a.ac1, a.ac3, a.ac5, fitted.join(" "));
        }
    }
}

/// Analyses one case folder: every file but case.json and truth.json is an input.
fn analyse(path: &Path, sources: &[Signal]) -> Vec<rootspan_core::rank::Candidate> {
    let spec: CaseSpec = serde_json::from_slice(&std::fs::read(path.join("case.json")).expect("case.json")).expect("case.json parses");
    let mut session = Session::new();
    let mut files: Vec<_> = std::fs::read_dir(path).expect("case folder").filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    for f in files {
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name == "case.json" || name == "truth.json" || !f.is_file() {
            continue;
        }
        session.add(&Input::Bytes { name, bytes: std::fs::read(&f).expect("readable input") });
    }
    let mut options = Options { window: spec.window, baseline: spec.baseline, top: usize::MAX, ..Options::default() };
    options.rank.sources = sources.to_vec();
    session.analyze(&options).candidates
}
