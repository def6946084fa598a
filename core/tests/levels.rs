//! One level classifier: a record is at the same level in the dataset every stage reads and in
//! the report's pattern levels, whatever format it came in.

use rootspan_core::model::Level;
use rootspan_core::{Input, Options, Session};

fn session(name: &str, text: &str) -> Session {
    let mut s = Session::new();
    s.add(&Input::Bytes { name: name.into(), bytes: text.as_bytes().to_vec() });
    s
}

#[test]
fn a_panic_line_is_critical_in_every_format() {
    let loki = r#"{"status":"success","data":{"resultType":"streams","result":[{"stream":{"app":"a"},"values":[["1700000000000000000","PANIC: out of memory"]]}]}}"#;
    let otlp = r#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1700000000000000000","body":{"stringValue":"PANIC: out of memory"}}]}]}]}"#;
    for (name, text) in [("a.log", "2023-11-14T22:13:20Z PANIC: out of memory\n"), ("loki.json", loki), ("otlp.json", otlp)] {
        let mut s = session(name, text);
        // Window detection and the ranking read this column.
        assert_eq!(s.dataset().logs.level, [Level::Critical], "{name}");
        let report = s.analyze(&Options::default());
        let levels: Vec<Level> = report.patterns.patterns.iter().flat_map(|p| p.levels.iter().map(|l| l.level)).collect();
        assert_eq!(levels, [Level::Critical], "{name}");
    }
}

#[test]
fn a_level_the_source_gives_wins_over_the_body() {
    let otlp = r#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"1700000000000000000","severityText":"INFO","body":{"stringValue":"PANIC: out of memory"}}]}]}]}"#;
    assert_eq!(session("otlp.json", otlp).dataset().logs.level, [Level::Info]);
}
