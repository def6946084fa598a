#![no_main]
//! Options JSON as a host passes it (`setOptions`, the raw ABI's options blob, `--options`):
//! parsed, and when accepted, used for an analysis of a small fixed incident, so windows,
//! weights, keys and limits from hostile JSON reach every stage.

use rootspan_core::{analyze, Input, Options};

const TRACES: &[u8] = include_bytes!("../../../testdata/fixtures/otlp-json/tempo-servicegraphs-trace-with-failed-requests.json");
const LOGS: &[u8] = include_bytes!("../../../testdata/fixtures/loki-api/loki-streams-a.json");
const METRICS: &[u8] = include_bytes!("../../../testdata/fixtures/prometheus-api/prom-matrix.json");

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(options) = Options::from_json(text) else { return };
    let inputs = [
        Input::Bytes { name: "traces".into(), bytes: TRACES.to_vec() },
        Input::Bytes { name: "logs".into(), bytes: LOGS.to_vec() },
        Input::Bytes { name: "metrics".into(), bytes: METRICS.to_vec() },
    ];
    let report = analyze(&inputs, &options);
    let _ = report.to_json();
});
