//! The `rootspan` command line, run as a user would: output, errors and exit codes.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::nezha_cases;

fn rootspan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rootspan")).args(args).env_remove("ROOTSPAN_WASM").output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn temp_file(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rootspan-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn window_args(case_json: &Path) -> (String, String) {
    let case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(case_json).unwrap()).unwrap();
    let range = |k: &str| format!("{},{}", case[k]["start"].as_str().unwrap(), case[k]["end"].as_str().unwrap());
    (range("window"), range("baseline"))
}

#[test]
fn analyze_prints_a_readable_report_of_a_nezha_case() {
    let case = &nezha_cases()[0];
    let (window, baseline) = window_args(&case.files[0].with_file_name("case.json"));
    let files: Vec<&str> = case.files.iter().map(|f| f.to_str().unwrap()).collect();
    let mut args = vec!["analyze", "--window", &window, "--baseline", &baseline];
    args.extend(&files);
    let out = rootspan(&args);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{stdout}\nstderr:\n{}", text(&out.stderr));
    for heading in ["INCIDENT", "ROOT-CAUSE CANDIDATES", "CORRELATION", "INPUTS", "DIAGNOSTICS"] {
        assert!(stdout.contains(heading), "no {heading} in:\n{stdout}");
    }
    assert!(stdout.contains(&format!("window   {} (given)", window.replace(',', " .. "))), "{stdout}");
    // The correlation and pattern summaries, not raw JSON.
    for line in ["joined to a trace", "log records in", "services: ", "why: "] {
        assert!(stdout.contains(line), "no {line:?} in:\n{stdout}");
    }
}

#[test]
fn json_output_is_the_report_every_home_makes() {
    let case = &nezha_cases()[1];
    let files: Vec<&str> = case.files.iter().map(|f| f.to_str().unwrap()).collect();
    let mut args = vec!["analyze", "--format", "json", "--top", "3"];
    args.extend(&files);
    let out = rootspan(&args);
    let inputs: Vec<rootspan_core::Input> = case
        .files
        .iter()
        .map(|f| rootspan_core::Input::Bytes { name: f.display().to_string(), bytes: std::fs::read(f).unwrap() })
        .collect();
    let options = rootspan_core::Options { top: 3, ..Default::default() };
    assert_eq!(text(&out.stdout), rootspan_core::analyze(&inputs, &options).to_json() + "\n");
}

#[test]
fn malformed_files_are_named_with_their_place() {
    // A span with a bad trace id is skipped and named down to its row; a truncated gzip file
    // cannot be read at all: an error on stderr, and exit 1.
    let span = |id: &str| {
        format!(
            r#"{{"traceId":"{id}","spanId":"eee19b7ec3c1b174","name":"GET /","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000100000000"}}"#
        )
    };
    let otlp = format!(
        r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{},{}]}}]}}]}}"#,
        span("5b8efff798038103d269b633813fc60c"),
        span("not-a-trace-id")
    );
    let bad_span = temp_file("bad-span.json", otlp.as_bytes());
    let gz = std::fs::read(&nezha_cases()[0].files[1]).unwrap();
    let truncated = temp_file("truncated.json.gz", &gz[..1000]);
    let out = rootspan(&["analyze", bad_span.to_str().unwrap(), truncated.to_str().unwrap()]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "stderr:\n{stderr}");
    assert!(stdout.contains("bad-span.json, frame resourceSpans[0].scopeSpans[0], field traceId, row 1: span skipped"), "{stdout}");
    assert!(stderr.contains("rootspan: error: ") && stderr.contains("truncated.json.gz: gzip"), "{stderr}");
    assert!(stderr.contains("1 skipped"), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    let out = rootspan(&["analyze", "--window", "yesterday,today", "x.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not an RFC 3339 time"), "{}", text(&out.stderr));

    let out = rootspan(&["analyze", "/nonexistent/traces.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/nonexistent/traces.json"), "{}", text(&out.stderr));

    assert_eq!(rootspan(&["analyze"]).status.code(), Some(2));
    assert_eq!(rootspan(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn a_missing_wasm_says_how_to_build_it() {
    let out = rootspan(&["--wasm", "/nonexistent/rootspan_raw.wasm", "demo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("run scripts/build-wasm.sh"), "{}", text(&out.stderr));
}

#[test]
fn limits_are_reported_as_such() {
    let out = rootspan(&["--fuel", "1000", "--fuel-per-byte", "0", "demo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("limit exceeded"), "{}", text(&out.stderr));
}

#[test]
fn demo_analyses_the_bundled_incident() {
    let out = rootspan(&["demo", "--format", "markdown"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(stdout.starts_with("# rootspan report"), "{stdout}");
    assert!(stdout.contains("2023-01-30T11:51:00Z"), "{stdout}");
    assert!(stdout.contains("traces.otlp.json.gz"), "{stdout}");
}

/// `rootspan eval --format json` over the Nezha dev cases, with these sources and windows.
fn eval_nezha_with(sources: &str, windows: &str) -> serde_json::Value {
    let dir = common::testdata().join("rca/nezha-tt/dev");
    let out = rootspan(&["eval", dir.to_str().unwrap(), "--native", "--format", "json", "--sources", sources, "--windows", windows]);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn eval_nezha(sources: &str) -> serde_json::Value {
    eval_nezha_with(sources, "given")
}

/// With the windows the tool finds itself (the panel's default): the level the detector
/// reaches on the dev cases (docs/ranking.md), so a regression in onset detection shows here.
#[test]
fn eval_with_detected_windows_finds_the_onsets_and_the_faults() {
    let all = eval_nezha_with("traces,logs,metrics", "detected");
    let (ac1, ac3) = (all["ac1"].as_f64().unwrap(), all["ac3"].as_f64().unwrap());
    assert!(ac1 >= 0.80 && ac3 >= 0.90, "AC@1 {ac1}, AC@3 {ac3}");
    let onset = &all["onset"];
    assert_eq!(onset["cases"], 24, "{onset}");
    assert!(onset["median_abs_s"].as_f64().unwrap() < 60.0, "{onset}");
    assert!(onset["within_60s"].as_u64().unwrap() >= 16, "{onset}");
    assert_eq!(onset["late"], 0, "no window starts more than a minute after its fault: {onset}");
}

/// The ranking's bar on real faults, and the ablations it must beat; a regression in any
/// evidence module or in the weights shows here (docs/ranking.md has the full figures).
#[test]
fn eval_ranks_the_real_faults_first_with_a_reason_and_beats_every_single_source() {
    let all = eval_nezha("traces,logs,metrics");
    let (ac1, ac3) = (all["ac1"].as_f64().unwrap(), all["ac3"].as_f64().unwrap());
    assert!(ac1 >= 0.85 && ac3 >= 0.95, "AC@1 {ac1}, AC@3 {ac3}");
    assert_eq!(all["cases"], 24);
    assert_eq!(all["explained"], 24, "every top candidate says why: {all}");
    for case in all["per_case"].as_array().unwrap() {
        assert!(case["why"].as_str().unwrap().contains(": "), "{case}");
    }
    for single in ["traces", "logs", "metrics"] {
        let one = eval_nezha(single);
        let (one1, one3) = (one["ac1"].as_f64().unwrap(), one["ac3"].as_f64().unwrap());
        assert!(ac1 > one1 && ac3 > one3, "{single} alone: AC@1 {one1}, AC@3 {one3}");
    }
}
