//! The `rootspan` command line, run as a user would: output, errors and exit codes.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::nezha_cases;

fn rootspan(args: &[&str]) -> Output {
    Command::new(common::rootspan_bin()).args(args).env_remove("ROOTSPAN_WASM").output().unwrap()
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

#[test]
fn the_compiled_module_is_cached_and_a_broken_cache_file_is_replaced() {
    let dir = std::env::temp_dir().join(format!("rootspan-cache-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let fixture = common::testdata().join("fixtures/loki-api/streams_simple.json");
    let run = |extra: &[&str]| {
        let out = Command::new(common::rootspan_bin())
            .args(extra)
            .args(["analyze", "--format", "json", fixture.to_str().unwrap()])
            .env("ROOTSPAN_CACHE_DIR", &dir)
            .env_remove("ROOTSPAN_WASM")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "stderr:\n{}", text(&out.stderr));
        out.stdout
    };
    let cached = || -> Vec<PathBuf> { std::fs::read_dir(&dir).map(|d| d.map(|e| e.unwrap().path()).collect()).unwrap_or_default() };

    let first = run(&[]);
    let files = cached();
    assert_eq!(files.len(), 1, "one compiled module in the cache: {files:?}");
    assert!(files[0].extension().is_some_and(|e| e == "cwasm"), "{files:?}");
    assert_eq!(run(&[]), first, "the cached module gives the same report");

    // A file that does not load (truncated, another build's) is compiled afresh and replaced.
    std::fs::write(&files[0], b"not a compiled module").unwrap();
    assert_eq!(run(&[]), first);
    assert!(std::fs::metadata(&files[0]).unwrap().len() > 1000, "the broken file was replaced");

    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(run(&["--no-cache"]), first);
    assert!(cached().is_empty(), "--no-cache writes nothing");
}
