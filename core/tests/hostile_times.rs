//! Every fixture analyses without a panic in a debug build (overflow checks on): log and span
//! times are untrusted, and Grafana's all-types golden holds int64 min and max.

use rootspan_core::{analyze, Input, Options};

#[test]
fn every_fixture_analyses_with_overflow_checks_on() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/fixtures");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("the fixtures are in testdata/") {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "json" || e == "jsonc" || e == "jsonl") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() > 80, "expected the fixtures in testdata/, found {}", files.len());
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let input = Input::Bytes { name: path.display().to_string(), bytes };
        let report = analyze(&[input], &Options::default());
        assert_eq!(report.version, rootspan_core::report::REPORT_VERSION, "{}", path.display());
    }
}
