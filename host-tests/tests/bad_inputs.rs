//! The bad-input corpus (testdata/bad/, written by testdata/bad/generate.mjs) through the real
//! `rootspan` binary, with the raw wasm in wasmtime: every case must end with its manifest's
//! exit code, say the words the manifest lists, never panic, trap or hang, and still analyse
//! what it must (row totals; for a good run plus a broken file, the good run's candidates).

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{repo_root, rootspan_bin};
use serde_json::Value;

/// No case may take longer: a hang is a failure, not a slow test.
const TIMEOUT: Duration = Duration::from_secs(120);

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(root: &Path, args: &[String]) -> Outcome {
    let mut child = Command::new(rootspan_bin())
        .args(args)
        .env_remove("ROOTSPAN_WASM")
        // The module cache in a folder of this build: compiled once for the whole corpus, not
        // once per case, and never in the user's cache.
        .env("ROOTSPAN_CACHE_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("module-cache"))
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the rootspan binary starts");
    // Drain both pipes while waiting, so a large report cannot block the child.
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting on rootspan") {
            break Some(status);
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Outcome { code: status.and_then(|s| s.code()), stdout: out_reader.join().unwrap(), stderr: err_reader.join().unwrap() }
}

/// The candidates of a report as (rank, service, score) text, for comparing two runs.
fn candidates(report: &Value) -> Vec<String> {
    report["candidates"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|c| format!("{} {} {}", c["rank"], c["service"], c["score"]))
        .collect()
}

fn check(case: &Value, outcome: &Outcome, references: &Mutex<std::collections::BTreeMap<String, Vec<String>>>) -> Result<(), String> {
    let expected = case["exit"].as_i64().expect("every case has an exit code") as i32;
    let all = format!("{}\n{}", outcome.stdout, outcome.stderr);
    let tail = || outcome.stderr.chars().rev().take(600).collect::<String>().chars().rev().collect::<String>();
    let Some(code) = outcome.code else { return Err(format!("did not finish within {TIMEOUT:?} (or died by a signal)")) };
    for never in ["panicked", "trapped", "RUST_BACKTRACE"] {
        if all.contains(never) {
            return Err(format!("output says {never:?}: {}", tail()));
        }
    }
    if code != expected {
        return Err(format!("exit {code}, expected {expected}; stderr: {}", tail()));
    }
    for word in case["words"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let word = word.as_str().expect("words are strings");
        if !all.contains(word) {
            return Err(format!("output lacks {word:?}; stderr: {}", tail()));
        }
    }
    let analysed = &case["analysed"];
    let needs_json = analysed.is_object() || case["class"] == "reference";
    if !needs_json {
        return Ok(());
    }
    let result: Value =
        serde_json::from_str(&outcome.stdout).map_err(|e| format!("stdout is not the JSON result: {e}; stderr: {}", tail()))?;
    for key in ["spans", "logs", "series"] {
        if let Some(want) = analysed[key].as_u64() {
            let got = result["inputs"]["totals"][key].as_u64().unwrap_or(0);
            if got != want {
                return Err(format!("{got} {key} analysed, expected {want}"));
            }
        }
    }
    let id = case["id"].as_str().unwrap().to_string();
    if case["class"] == "reference" {
        let list = candidates(&result);
        if list.is_empty() {
            return Err("the reference run ranked no candidate".into());
        }
        references.lock().unwrap().insert(id, list);
    } else if let Some(reference) = analysed["same_candidates_as"].as_str() {
        let want = references.lock().unwrap().get(reference).cloned().ok_or_else(|| format!("reference {reference} did not run"))?;
        let got = candidates(&result);
        if got != want {
            return Err(format!("candidates differ from {reference}: {got:?} vs {want:?}"));
        }
    }
    Ok(())
}

#[test]
fn every_bad_input_ends_as_the_manifest_says() {
    let root = repo_root();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("testdata/bad/manifest.json")).expect("testdata/bad/manifest.json"))
            .expect("the manifest is JSON");
    let cases = manifest["cases"].as_array().expect("a cases list");
    assert!(cases.len() >= 150, "the corpus holds {} cases", cases.len());
    let expand = |arg: &Value| {
        arg.as_str().expect("args are strings").replace("{bad}", "testdata/bad/cases").replace("{samples}", "samples/incident")
    };
    // References first: other cases compare their candidates with them.
    let (references, rest): (Vec<&Value>, Vec<&Value>) = cases.iter().partition(|c| c["class"] == "reference");
    let reference_lists = Mutex::new(std::collections::BTreeMap::new());
    let failures = Mutex::new(Vec::new());
    for batch in [references, rest] {
        let next = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = batch.get(i) else { break };
                    let args: Vec<String> = case["args"].as_array().expect("args").iter().map(expand).collect();
                    let outcome = run(&root, &args);
                    if let Err(why) = check(case, &outcome, &reference_lists) {
                        failures.lock().unwrap().push(format!("{} (rootspan {}): {why}", case["id"].as_str().unwrap(), args.join(" ")));
                    }
                });
            }
        });
    }
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
