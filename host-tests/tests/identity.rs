//! The same report everywhere: native (`rootspan_core::analyze`), wasmtime (the raw-ABI wasm, in
//! one request and with the inputs streamed into one instance as the CLI does) and Node (the built npm package, via wasm-plugin/js/scripts/analyze-files.mjs) must give
//! byte-identical report JSON for every fixture and every Nezha dev case, and every report reads
//! back into the typed `Report` (what the CLI renders from) and writes out to the same bytes.
//!
//! Needs `scripts/build-wasm.sh` and the npm package built (`npm run build -w wasm-plugin/js`);
//! without them it fails, it does not skip. Run with `cargo test --release -p rootspan-host`.

mod common;

use std::process::{Command, Stdio};

use common::{engine, fixture_cases, nezha_cases, read_named, repo_root, Case};
use rootspan_core::{Input, Options};

const NODE_SCRIPT: &str = "wasm-plugin/js/scripts/analyze-files.mjs";

fn native(case: &Case) -> String {
    let inputs: Vec<Input> = read_named(&case.files).into_iter().map(|i| Input::Bytes { name: i.name, bytes: i.bytes }).collect();
    rootspan_core::analyze(&inputs, &Options::from_json(&case.options).unwrap()).to_json()
}

fn node(case: &Case) -> Result<std::process::Child, String> {
    let script = repo_root().join(NODE_SCRIPT);
    if !script.is_file() {
        return Err(format!("{} is missing (the npm package's analyze script)", script.display()));
    }
    let mut cmd = Command::new("node");
    cmd.current_dir(repo_root()).arg(script).args(&case.files);
    if !case.options.is_empty() {
        cmd.arg("--options").arg(&case.options);
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().map_err(|e| format!("node does not run: {e}"))
}

/// Where two reports first differ, with some context, for the failure message.
fn first_difference(a: &str, b: &str) -> String {
    let at = a.bytes().zip(b.bytes()).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    let window = |s: &str| s.get(at.saturating_sub(60)..(at + 60).min(s.len())).unwrap_or("").to_string();
    format!("at byte {at} (lengths {} and {}):\n    {}\n    {}", a.len(), b.len(), window(a), window(b))
}

fn check(cases: Vec<Case>) {
    assert!(!cases.is_empty(), "no cases found under {}", common::testdata().display());
    let mut failures = Vec::new();
    for case in &cases {
        // Node runs while this process does the native and wasmtime analyses.
        let child = node(case);
        let native = native(case);
        // The CLI renders the wasm's report from the typed `Report`: every report reads back
        // into it and writes out to the same bytes.
        match serde_json::from_str::<rootspan_core::Report>(&native) {
            Err(e) => failures.push(format!("{}: the report does not read back as a Report: {e}", case.name)),
            Ok(typed) if typed.to_json() != native => failures.push(format!(
                "{}: the report read back writes different bytes {}",
                case.name,
                first_difference(&native, &typed.to_json())
            )),
            Ok(_) => {}
        }
        match engine().analyze(read_named(&case.files), &case.options) {
            Err(e) => failures.push(format!("{}: wasmtime failed: {e}", case.name)),
            Ok(wasm) if wasm != native => {
                failures.push(format!("{}: wasmtime differs from native {}", case.name, first_difference(&native, &wasm)))
            }
            Ok(_) => {}
        }
        // The CLI's way: the inputs streamed one per call into one instance.
        match common::streamed(&mut engine().instance().unwrap(), read_named(&case.files), &case.options) {
            Err(e) => failures.push(format!("{}: wasmtime, streamed, failed: {e}", case.name)),
            Ok(wasm) if wasm != native => failures.push(format!(
                "{}: wasmtime, inputs streamed into one instance, differs from native {}",
                case.name,
                first_difference(&native, &wasm)
            )),
            Ok(_) => {}
        }
        match child.map(|c| c.wait_with_output()) {
            Err(e) => failures.push(format!("{}: {e}", case.name)),
            Ok(Err(e)) => failures.push(format!("{}: node: {e}", case.name)),
            Ok(Ok(out)) if !out.status.success() => {
                failures.push(format!("{}: node failed ({}): {}", case.name, out.status, String::from_utf8_lossy(&out.stderr)))
            }
            Ok(Ok(out)) => {
                let node = String::from_utf8_lossy(&out.stdout);
                if node != native {
                    failures.push(format!("{}: node differs from native {}", case.name, first_difference(&native, &node)));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn every_fixture_gives_the_same_report_in_every_home() {
    check(fixture_cases());
}

#[test]
fn every_nezha_dev_case_gives_the_same_report_in_every_home() {
    check(nezha_cases());
}

#[test]
fn the_compared_reports_hold_real_data() {
    // Guards the identity tests against comparing empty reports: a Nezha case must decode.
    let report: serde_json::Value = serde_json::from_str(&native(&nezha_cases()[0])).unwrap();
    let totals = &report["inputs"]["totals"];
    for key in ["spans", "logs", "series"] {
        assert!(totals[key].as_u64().unwrap_or(0) > 0, "no {key} decoded: {totals}");
    }
}
