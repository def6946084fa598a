//! The join on real data: every Nezha TrainTicket dev case (testdata/rca/nezha-tt/dev),
//! read through the real decoders (gzip, OTLP JSON, Loki streams, Prometheus matrix).
//!
//! Every TrainTicket log line prints `TraceID: <32 hex> SpanID: <16 hex>`; on half of the pods
//! the ids are also structured metadata. So each case must index every span, join at least
//! 99% of log records to a trace with spans, agree with an independent reading of the body,
//! and give every span, log record and pod series one service.
//!
//! `cargo test -p rootspan-core --test nezha_join -- --nocapture` prints the measured rates.

use std::path::{Path, PathBuf};

use rootspan_core::correlate::{correlate, CorrelateOptions, LogIds};
use rootspan_core::{Input, Session, SpanId, TraceId};

fn dev_cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/rca/nezha-tt/dev");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the Nezha dev cases must be at {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("case.json").exists())
        .collect();
    cases.sort();
    cases
}

fn load(case: &Path) -> Session {
    let mut session = Session::new();
    for file in ["traces.otlp.json.gz", "logs.loki.json.gz", "metrics.prom.json.gz"] {
        let bytes = std::fs::read(case.join(file)).unwrap();
        session.add(&Input::Bytes { name: file.to_string(), bytes });
    }
    session
}

/// The ids as TrainTicket prints them, read without the scanner under test.
fn printed_ids(body: &str) -> Option<(TraceId, SpanId)> {
    let after = |key: &str| body.split_once(key).map(|(_, rest)| rest.split_whitespace().next().unwrap_or(""));
    Some((TraceId::parse(after("TraceID: ")?).ok()?, SpanId::parse(after("SpanID: ")?).ok()?))
}

#[test]
fn every_dev_case_joins_its_logs_to_its_traces() {
    let cases = dev_cases();
    assert_eq!(cases.len(), 24, "the README lists 24 dev cases");
    let (mut all_logs, mut all_joined) = (0u64, 0u64);
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let session = load(case);
        let ds = session.dataset();
        assert!(ds.spans.len() > 5_000 && ds.logs.len() > 3_000, "{name}: decoded {} spans, {} logs", ds.spans.len(), ds.logs.len());
        let c = correlate(ds, &CorrelateOptions::default());
        let r = c.report(ds);

        // All spans indexed: the converter dropped duplicates, so nothing is left out.
        let indexed: usize = (0..c.traces.len()).map(|t| c.traces.spans(t).len()).sum();
        assert_eq!(indexed, ds.spans.len(), "{name}: spans indexed");
        assert_eq!(r.repairs.duplicate_spans, 0, "{name}");
        assert!(
            c.span_trace.iter().enumerate().all(|(row, t)| c.traces.ids[*t as usize] == ds.spans.trace[row]),
            "{name}: span trace index"
        );

        // At least 99% of log records joined to a trace that has spans.
        let rate = r.logs.join_rate.unwrap();
        assert!(rate >= 0.99, "{name}: join rate {rate}");
        assert_eq!(r.logs.with_trace_id, r.logs.records, "{name}: every line carries its ids");
        assert!(
            r.logs.trace_id_from.metadata > 0 && r.logs.trace_id_from.body > 0,
            "{name}: both metadata and body ids: {:?}",
            r.logs.trace_id_from
        );

        // The ids found agree with the ids printed in each line, and name spans of that trace.
        // (A correlation keeps the span ids only as the rows they name.)
        let span_ids = LogIds::find(ds, &CorrelateOptions::default()).span;
        let mut to_span = 0;
        for (row, span_id) in span_ids.iter().enumerate() {
            let printed = printed_ids(ds.logs.body(row));
            assert_eq!(printed.map(|p| p.0), c.log_trace(row), "{name}: log {row}: {}", ds.logs.body(row));
            assert_eq!(printed.map(|p| p.1), *span_id, "{name}: log {row}");
            if let Some(t) = c.log_trace_index.get(row) {
                assert_eq!(c.traces.ids[t as usize], c.log_trace(row).unwrap());
                assert!(c.traces.logs(t as usize).contains(&(row as u32)));
            }
            if let Some(span_row) = c.log_span_row.get(row) {
                assert_eq!(ds.spans.span[span_row as usize], span_id.unwrap());
                assert_eq!(ds.spans.trace[span_row as usize], c.log_trace(row).unwrap());
                to_span += 1;
            }
        }
        assert_eq!(to_span, r.logs.joined_to_span);

        // One identity: every span and log has a service; a log's service is its span's.
        assert!(c.span_service.iter().all(|s| s.is_some()), "{name}: spans without service");
        assert!(c.log_service.iter().all(|s| s.is_some()), "{name}: logs without service");
        let same = (0..ds.logs.len())
            .filter(|row| c.log_span_row.get(*row).is_some_and(|s| c.span_service[s as usize] == c.log_service.get(*row)))
            .count();
        assert!(same as f64 >= 0.99 * to_span as f64, "{name}: {same} of {to_span} logs share their span's service");
        // Every pod series names a service the traces know (the frontend SLI series have none).
        for (row, s) in c.series_service.iter().enumerate() {
            let pod = ds.label(ds.series.labels[row], "pod");
            assert_eq!(s.is_some(), pod.is_some(), "{name}: series {row}");
        }
        assert!(r.services.iter().any(|s| s.name == "ts-order-service" && s.spans > 0 && s.logs > 0 && s.series > 0), "{name}");
        assert!(r.service_graph.len() > 20, "{name}: {} edges", r.service_graph.len());
        assert!(r.service_graph.iter().any(|e| e.caller == "ts-gateway-service"), "{name}: the gateway is every trace's root");

        println!(
            "{name}: {} spans in {} traces; {} of {} logs joined ({:.4}), {} to their span; ids from metadata {}, body {}; {} edges; repairs: {} orphans, {} clock skew",
            ds.spans.len(),
            r.traces.with_spans,
            r.logs.joined,
            r.logs.records,
            rate,
            r.logs.joined_to_span,
            r.logs.trace_id_from.metadata,
            r.logs.trace_id_from.body,
            r.service_graph.len(),
            r.repairs.orphan_spans,
            r.repairs.clock_skew_spans,
        );
        all_logs += r.logs.records;
        all_joined += r.logs.joined;
    }
    println!("all dev cases: {all_joined} of {all_logs} logs joined ({:.4})", all_joined as f64 / all_logs as f64);
}
