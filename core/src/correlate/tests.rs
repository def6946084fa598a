//! End-to-end tests of `correlate` over datasets built through the model API.

use super::*;
use crate::model::{ExemplarRow, Level, LogRow, SpanKind, SpanRow, SpanStatus};

const T1: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const T2: &str = "0af7651916cd43dd8448eb211c80319c";
const T3: &str = "11111111111111111111111111111111";

fn tid(s: &str) -> TraceId {
    TraceId::parse(s).unwrap()
}

fn sid(v: u64) -> SpanId {
    SpanId::new(v).unwrap()
}

struct Builder {
    ds: Dataset,
}

impl Builder {
    fn new() -> Builder {
        let mut ds = Dataset::default();
        ds.add_source("traces.json", "otlp-json");
        ds.add_source("logs.json", "loki-query-range");
        ds.add_source("metrics.json", "prometheus-matrix");
        Builder { ds }
    }

    #[allow(clippy::too_many_arguments)]
    fn span(
        &mut self,
        trace: &str,
        span: u64,
        parent: Option<u64>,
        service: &str,
        pod: &str,
        kind: SpanKind,
        start: i64,
        dur: i64,
        err: bool,
    ) {
        let resource = self.ds.labels([("service.name", service), ("k8s.pod.name", pod)]);
        let operation = self.ds.strings.intern(&format!("op-{service}"));
        self.ds.spans.push(SpanRow {
            trace: tid(trace),
            span: sid(span),
            parent: parent.and_then(SpanId::new),
            resource,
            operation,
            kind,
            start_ns: start,
            duration_ns: dur,
            status: if err { SpanStatus::Error } else { SpanStatus::Unset },
            status_message: None,
            attributes: LabelSetId(0),
            source: SourceId(0),
        });
    }

    fn log(&mut self, stream: &[(&str, &str)], metadata: &[(&str, &str)], body: &str, time: i64) {
        let resource = self.ds.labels(stream.iter().copied());
        let metadata = self.ds.labels(metadata.iter().copied());
        self.ds.logs.push(LogRow {
            time_ns: time,
            resource,
            metadata,
            level: Level::Info,
            trace: None,
            span: None,
            body,
            source: SourceId(1),
        });
    }
}

/// Two services: `frontend` calls `cart` through a client span; a second trace has broken
/// parts; logs carry ids in metadata, in bodies, or not at all.
fn dataset() -> Dataset {
    let mut b = Builder::new();
    let (fe, cart) = ("frontend-7d9f8b6c4-x2x9z", "cart-5b67c48447-mv5hb");
    b.span(T1, 1, None, "frontend", fe, SpanKind::Server, 0, 1000, false);
    b.span(T1, 2, Some(1), "frontend", fe, SpanKind::Client, 100, 800, false);
    b.span(T1, 3, Some(2), "cart", cart, SpanKind::Server, 150, 700, true);
    b.span(T1, 4, Some(3), "cart", cart, SpanKind::Internal, 90, 10, false); // starts before its parent
    b.span(T1, 3, Some(2), "cart", cart, SpanKind::Server, 150, 700, true); // duplicate
    b.span(T2, 7, Some(99), "cart", cart, SpanKind::Server, 0, 50, false); // orphan, no root
    let stream = [("service_name", "cart"), ("pod", cart)];
    b.log(&stream, &[("trace_id", T1), ("span_id", "0000000000000003")], "saved cart", 200);
    b.log(&[("pod", cart)], &[], &format!("ERROR TraceID: {T1} SpanID: 0000000000000004 boom"), 210);
    b.log(&[], &[], &format!("{{\"traceId\":\"{T2}\",\"spanId\":\"0000000000000007\"}}"), 5);
    b.log(&stream, &[("trace_id", "not-an-id")], &format!("trace_id={T3}"), 6);
    b.log(&stream, &[], "no ids here", 7);
    let series_labels = b.ds.labels([("__name__", "latency"), ("job", "cart"), ("instance", "10.0.0.2:9090")]);
    let name = b.ds.strings.intern("latency");
    let labels = b.ds.labels([("job", "cart"), ("instance", "10.0.0.2:9090")]);
    b.ds.series.push(name, labels, SourceId(2), [(0, 1.0)]);
    let ex_labels = b.ds.labels([("traceID", T1)]);
    b.ds.exemplars.push(ExemplarRow {
        series: Some(0),
        series_labels,
        labels: ex_labels,
        time_ns: 0,
        value: 1.0,
        trace: None,
        span: None,
        source: SourceId(2),
    });
    b.ds
}

#[test]
fn joins_logs_and_exemplars_to_traces() {
    let ds = dataset();
    let c = correlate(&ds, &CorrelateOptions::default());
    assert_eq!((0..5).map(|r| c.log_trace(r)).collect::<Vec<_>>(), vec![Some(tid(T1)), Some(tid(T1)), Some(tid(T2)), Some(tid(T3)), None]);
    assert_eq!(c.logs_with_span_id, 3);
    assert_eq!(c.log_span_row.iter().collect::<Vec<_>>(), vec![Some(2), Some(3), Some(5), None, None]);
    assert_eq!(c.exemplar_trace, vec![Some(tid(T1))]);
    let t1 = c.traces.find(tid(T1)).unwrap();
    assert_eq!(c.traces.spans(t1), &[0, 3, 1, 2], "duplicates dropped, by start time");
    assert_eq!(c.traces.logs(t1), &[0, 1]);
    assert_eq!(c.traces.exemplars(t1), &[0]);
    assert_eq!(c.exemplar_trace_index, vec![Some(t1 as u32)]);

    let r = c.report(&ds);
    assert_eq!(r.logs.records, 5);
    assert_eq!(r.logs.with_trace_id, 4);
    assert_eq!(r.logs.trace_id_from, IdOrigins { field: 0, metadata: 1, labels: 0, body: 3 });
    assert_eq!((r.logs.joined, r.logs.joined_to_span), (3, 3));
    assert_eq!(r.logs.join_rate, Some(0.6));
    assert_eq!((r.exemplars.joined, r.exemplars.join_rate), (1, Some(1.0)));
    assert_eq!(r.traces, TraceCounts { total: 3, with_spans: 2, with_logs: 3, with_exemplars: 1, with_spans_and_logs: 2 });
    assert_eq!(r.unmatched_trace_ids, Unmatched { from_logs: 1, from_exemplars: 0, examples: vec![tid(T3)] });
}

#[test]
fn one_identity_across_sources() {
    let ds = dataset();
    let c = correlate(&ds, &CorrelateOptions::default());
    let names: Vec<&str> = c.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["cart", "frontend"]);
    let cart = c.service_id("cart");
    assert_eq!(c.series_service, vec![cart]);
    assert_eq!(c.exemplar_service, vec![cart]);
    // The second log has only a pod label: the workload names the service.
    assert_eq!(c.log_service.iter().collect::<Vec<_>>(), vec![cart, cart, cart, cart, cart]);
    // The third has no labels at all and takes its span's service... which is cart as well;
    // the identity report says which rule named it.
    let r = c.report(&ds);
    let rules: Vec<(&str, Table, &str, u64)> =
        r.identity.rules.iter().map(|x| (x.input.as_str(), x.table, x.rule.as_str(), x.rows)).collect();
    assert_eq!(
        rules,
        vec![
            ("traces.json", Table::Spans, "service.name", 6),
            ("logs.json", Table::Logs, "service_name", 3),
            ("logs.json", Table::Logs, "pod (workload)", 1),
            ("logs.json", Table::Logs, "(joined span)", 1),
            ("metrics.json", Table::Series, "job", 1),
            ("metrics.json", Table::Exemplars, "job", 1),
        ]
    );
    let cart = &r.services[0];
    assert_eq!(cart.instances, vec!["10.0.0.2:9090", "cart-5b67c48447-mv5hb"]);
    assert_eq!((cart.spans, cart.error_spans, cart.logs, cart.series, cart.exemplars), (4, 2, 5, 1, 1));
}

#[test]
fn the_call_graph_has_latency_and_the_caller_side_gap() {
    let ds = dataset();
    let c = correlate(&ds, &CorrelateOptions::default());
    let r = c.report(&ds);
    assert_eq!(r.service_graph.len(), 1);
    let e = &r.service_graph[0];
    assert_eq!((e.caller.as_str(), e.callee.as_str(), e.stats.calls, e.stats.errors), ("frontend", "cart", 1, 1));
    assert_eq!(e.stats.latency_ns.p50, 700);
    assert_eq!(e.stats.gap_ns.map(|g| g.p50), Some(100));
    assert_eq!(e.operations.len(), 1);
    assert_eq!(e.operations[0].operation, "op-cart");
}

#[test]
fn broken_traces_are_repaired_and_reported() {
    let ds = dataset();
    let c = correlate(&ds, &CorrelateOptions::default());
    assert_eq!(c.span_parent, vec![None, Some(0), Some(1), Some(2), None, None]);
    assert_eq!(c.span_duplicate, vec![false, false, false, false, true, false]);
    assert_eq!(c.children(0), &[1]);
    assert_eq!(c.children(2), &[3]);
    assert!(c.children(5).is_empty());
    let r = c.report(&ds).repairs;
    assert_eq!(
        (r.duplicate_spans, r.orphan_spans, r.traces_without_root, r.clock_skew_spans, r.max_clock_skew_ns, r.traces_repaired),
        (1, 1, 1, 1, 60, 2)
    );
    // Repairs and the unparsable metadata id are diagnostics with their place.
    let d = &c.diagnostics;
    assert_eq!(d.count(crate::diag::Severity::Warning), 4);
    assert_eq!(d.count(crate::diag::Severity::Skipped), 1);
    let skipped = d.entries().iter().find(|e| e.severity == crate::diag::Severity::Skipped).unwrap();
    assert_eq!(skipped.place, Place::input("logs.json").frame("logs").field("trace_id").row(3));
    let dup = d.entries().iter().find(|e| e.reason == repair::RepairKind::DuplicateSpan.reason()).unwrap();
    assert_eq!(dup.place, Place::input("traces.json").frame("spans").field("span_id").row(4));
}

#[test]
fn options_change_what_is_found() {
    let ds = dataset();
    let o = CorrelateOptions {
        trace_id_fields: vec![],
        body_trace_keys: vec![],
        body_traceparent: false,
        service_aliases: [("cart".to_string(), "shop-cart".to_string())].into(),
        ..CorrelateOptions::default()
    };
    let c = correlate(&ds, &o);
    assert!(c.log_trace_index.iter().all(|t| t.is_none()));
    assert_eq!(c.services.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), vec!["frontend", "shop-cart"]);
    let r = c.report(&ds);
    assert_eq!(r.logs.join_rate, Some(0.0));
    assert!(r.identity.rules.iter().filter(|x| x.table == Table::Spans).any(|x| x.aliased == 4));
}

#[test]
fn the_report_is_deterministic_and_serialises() {
    let ds = dataset();
    let a = serde_json::to_string(&correlate(&ds, &CorrelateOptions::default()).report(&ds)).unwrap();
    let b = serde_json::to_string(&correlate(&ds.clone(), &CorrelateOptions::default()).report(&ds)).unwrap();
    assert_eq!(a, b);
    assert!(a.contains("\"join_rate\":0.6"));
}

#[test]
fn an_empty_dataset_correlates() {
    let ds = Dataset::default();
    let c = correlate(&ds, &CorrelateOptions::default());
    let r = c.report(&ds);
    assert_eq!((r.traces.total, r.logs.join_rate, r.exemplars.join_rate), (0, None, None));
}

#[test]
fn options_deserialise_with_defaults_and_reject_unknown_keys() {
    let o: CorrelateOptions = serde_json::from_str(r#"{"service_labels": ["app"]}"#).unwrap();
    assert_eq!(o.service_labels, vec!["app"]);
    assert_eq!(o.trace_id_fields, CorrelateOptions::default().trace_id_fields);
    assert!(serde_json::from_str::<CorrelateOptions>(r#"{"trace_fields": []}"#).is_err());
}

proptest::proptest! {
    #[test]
    fn correlation_never_panics_on_random_tables(
        spans in proptest::collection::vec((1u128..5, 1u64..10, proptest::option::of(0u64..12), -50i64..50, 0usize..3, proptest::bool::ANY), 0..80),
        logs in proptest::collection::vec((0u128..7, 0u64..12, ".{0,30}"), 0..30),
    ) {
        let mut b = Builder::new();
        let services = ["a", "b", "unknown_service:x"];
        for (t, s, p, start, svc, err) in &spans {
            let trace = format!("{t:032x}");
            b.span(&trace, *s, *p, services[*svc], "pod-0", SpanKind::Client, *start, 10, *err);
        }
        for (t, s, junk) in &logs {
            b.log(&[("app", "a")], &[], &format!("{junk} trace_id={t:x} span_id={s:x}"), 0);
        }
        let ds = b.ds;
        let c = correlate(&ds, &CorrelateOptions::default());
        let r = c.report(&ds);
        proptest::prop_assert_eq!(c.span_parent.len(), ds.spans.len());
        let indexed: usize = (0..c.traces.len()).map(|t| c.traces.spans(t).len()).sum();
        proptest::prop_assert_eq!(indexed as u64 + r.repairs.duplicate_spans, ds.spans.len() as u64);
        let total_children: usize = (0..ds.spans.len() as u32).map(|row| c.children(row).len()).sum();
        proptest::prop_assert_eq!(total_children, c.span_parent.iter().flatten().count());
        serde_json::to_string(&r).unwrap();
    }
}

#[test]
fn repairs_and_skipped_ids_reach_the_report_diagnostics() {
    let otlp = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
        "scopeSpans":[{"spans":[
          {"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","parentSpanId":"1111111111111111","name":"GET /","kind":2,
           "startTimeUnixNano":"1000","endTimeUnixNano":"2000","status":{}}]}]}]}"#;
    let loki = r#"{"status":"success","data":{"resultType":"streams","result":[{"stream":{"service_name":"api"},
        "values":[["1500","handled",{"structuredMetadata":{"trace_id":"none"}}],["1600","trace_id=4bf92f3577b34da6a3ce929d0e0e4736 ok"]]}]}}"#;
    let inputs = [
        crate::Input::Bytes { name: "t.json".into(), bytes: otlp.as_bytes().to_vec() },
        crate::Input::Bytes { name: "l.json".into(), bytes: loki.as_bytes().to_vec() },
    ];
    let report = crate::analyze(&inputs, &crate::Options::default());
    let d = &report.diagnostics;
    let reasons: Vec<&str> = d.by_reason.iter().map(|r| r.reason.as_str()).collect();
    assert!(reasons.contains(&repair::RepairKind::OrphanSpan.reason()), "{reasons:?}");
    assert!(reasons.contains(&repair::RepairKind::NoRoot.reason()), "{reasons:?}");
    assert!(reasons.contains(&"value is not an id"), "{reasons:?}");
    assert!(d.entries.iter().any(|e| e.place == Place::input("l.json").frame("logs").field("trace_id").row(0)));
    assert_eq!((report.correlation.logs.records, report.correlation.logs.joined), (2, 1));
}

/// Panel data as Grafana hands it over: a Tempo trace frame, a Loki frame whose trace id is
/// only in a derived field (`TraceID`, appended by the datasource's derived-field config), and
/// a Prometheus exemplar frame in the annotations.
#[test]
fn grafana_frames_join_through_derived_fields_and_exemplars() {
    let panel_data = r#"{
      "series": [
        {"name": "Trace", "meta": {"preferredVisualisationType": "trace"}, "fields": [
          {"name": "traceID", "type": "string", "values": ["4bf92f3577b34da6a3ce929d0e0e4736", "4bf92f3577b34da6a3ce929d0e0e4736"]},
          {"name": "spanID", "type": "string", "values": ["00f067aa0ba902b7", "1111111111111111"]},
          {"name": "parentSpanID", "type": "string", "values": ["0000000000000000", "00f067aa0ba902b7"]},
          {"name": "operationName", "type": "string", "values": ["GET /cart", "SELECT cart"]},
          {"name": "serviceName", "type": "string", "values": ["frontend", "cart"]},
          {"name": "kind", "type": "string", "values": ["server", "server"]},
          {"name": "startTime", "type": "number", "values": [1616072924070.497, 1616072924071.0]},
          {"name": "duration", "type": "number", "values": [8.421, 2.5]}
        ]},
        {"meta": {"custom": {"frameType": "LabeledTimeValues"}}, "fields": [
          {"name": "labels", "type": "other", "values": [{"app": "cart"}, {"app": "cart"}]},
          {"name": "Time", "type": "time", "values": [1616072924071, 1616072924072]},
          {"name": "Line", "type": "string", "values": ["cart loaded", "no trace here"]},
          {"name": "tsNs", "type": "string", "values": ["1616072924071000000", "1616072924072000000"]},
          {"name": "id", "type": "string", "values": ["a", "b"]},
          {"name": "TraceID", "type": "string", "values": ["4bf92f3577b34da6a3ce929d0e0e4736", null]}
        ]}
      ],
      "annotations": [
        {"name": "exemplar", "meta": {"custom": {"resultType": "exemplar"}, "dataTopic": "annotations"}, "fields": [
          {"name": "Time", "type": "time", "values": [1616072924070]},
          {"name": "Value", "type": "number", "values": [0.0084]},
          {"name": "__name__", "type": "string", "values": ["http_server_duration_seconds_bucket"]},
          {"name": "service", "type": "string", "values": ["frontend"]},
          {"name": "traceID", "type": "string", "values": ["4bf92f3577b34da6a3ce929d0e0e4736"]}
        ]}
      ]
    }"#;
    let mut session = crate::Session::new();
    session.add(&crate::Input::Bytes { name: "panel".into(), bytes: panel_data.as_bytes().to_vec() });
    let ds = session.dataset();
    assert_eq!((ds.spans.len(), ds.logs.len(), ds.exemplars.len()), (2, 2, 1), "{:?}", ds.diagnostics.entries());
    let c = correlate(ds, &CorrelateOptions::default());
    let r = c.report(ds);
    assert_eq!((0..2).map(|r| c.log_trace(r)).collect::<Vec<_>>(), vec![Some(tid(T1)), None]);
    assert_eq!(r.logs.trace_id_from.metadata, 1);
    assert_eq!((r.logs.joined, r.exemplars.joined), (1, 1));
    let t = c.traces.find(tid(T1)).unwrap();
    assert_eq!((c.traces.spans(t).len(), c.traces.logs(t), c.traces.exemplars(t)), (2, &[0u32][..], &[0u32][..]));
    // The root's parent id is Tempo's all-zero id: a root, not an orphan.
    assert_eq!(r.repairs, repair::RepairReport::default());
    assert_eq!(c.log_service.iter().collect::<Vec<_>>(), vec![c.service_id("cart"); 2]);
    assert_eq!(c.exemplar_service, vec![c.service_id("frontend")]);
    assert_eq!(
        r.service_graph.iter().map(|e| (e.caller.as_str(), e.callee.as_str(), e.stats.calls)).collect::<Vec<_>>(),
        vec![("frontend", "cart", 1)]
    );
}
