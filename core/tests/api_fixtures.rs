//! Every upstream API payload in testdata/fixtures decodes (or is reported as the error
//! response it is), with counts and values checked; plus one real Nezha case end to end.

use std::path::PathBuf;

use rootspan_core::diag::Severity;
use rootspan_core::ingest::{ingest, Input, UntimedLines};
use rootspan_core::model::{Dataset, Level, SpanKind, SpanStatus};

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../testdata")
}

fn decode(paths: &[&str]) -> Dataset {
    let mut ds = Dataset::default();
    for p in paths {
        let path = shared().join(p);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        ingest(&mut ds, &Input::Bytes { name: p.to_string(), bytes }, UntimedLines::LeaveOut);
    }
    ds
}

fn problems(ds: &Dataset) -> Vec<String> {
    ds.diagnostics.entries().iter().map(|d| format!("{:?} {d}", d.severity)).collect()
}

fn count<T: PartialEq>(items: &[T], x: T) -> usize {
    items.iter().filter(|i| **i == x).count()
}

/// Expected figures counted independently with Python's json+gzip over the same files.
#[test]
fn nezha_case_decodes_with_counts() {
    let case = "rca/nezha-tt/dev/tt-2023-01-29-0843";
    let ds =
        decode(&[&format!("{case}/traces.otlp.json.gz"), &format!("{case}/logs.loki.json.gz"), &format!("{case}/metrics.prom.json.gz")]);
    assert!(ds.diagnostics.entries().is_empty(), "{:?}", problems(&ds));
    let formats: Vec<&str> = ds.sources.iter().map(|s| s.format.as_str()).collect();
    assert_eq!(formats, ["otlp-json", "loki-query-range", "prometheus-query"]);

    // Traces: 28 resources (pods), 19150 spans, 240 roots, no error status.
    assert_eq!(ds.spans.len(), 19150);
    assert_eq!(count(&ds.spans.parent, None), 240);
    assert_eq!(count(&ds.spans.status, SpanStatus::Error), 0);
    let resources: std::collections::BTreeSet<_> = ds.spans.resource.iter().collect();
    assert_eq!(resources.len(), 28);
    assert_eq!(ds.spans.trace[0].to_string(), "93bead877ae15b6d9cdf1c1569881314");
    assert_eq!(ds.spans.span[0].to_string(), "b031ab7d09181172");
    assert_eq!(ds.spans.parent[0].unwrap().to_string(), "dee323c749e9ddfe");
    assert_eq!(ds.strings.resolve(ds.spans.operation[0]), "/api/v1/assuranceservice/assurances/{typeIndex}/{orderId}");
    assert_eq!(ds.spans.kind[0], SpanKind::Server);
    assert_eq!(ds.spans.start_ns[0], 1_674_981_730_169_000_000);
    assert_eq!(ds.spans.duration_ns[0], 1_674_981_730_188_278_120 - 1_674_981_730_169_000_000);
    assert_eq!(ds.label(ds.spans.resource[0], "service.name"), Some("ts-assurance-service"));
    assert_eq!(ds.label(ds.spans.resource[0], "k8s.pod.name"), Some("ts-assurance-service-69876c9868-ssxsf"));

    // Logs: 27 streams, 10230 lines, 2626 with categorize-labels structured metadata;
    // levels from the line text: 9751 INFO, 416 WARN, 63 ERROR.
    assert_eq!(ds.logs.len(), 10230);
    assert_eq!(ds.logs.time_ns[0], 1_674_981_899_058_278_360);
    assert!(ds.logs.body(0).starts_with("16:44:59.057 INFO  a.s.AssuranceServiceImpl#65 TraceID: adb7d7cd7bacac14b660068f57e44ad1"));
    assert_eq!(ds.label(ds.logs.resource[0], "pod"), Some("ts-assurance-service-69876c9868-ssxsf"));
    let with_trace_meta = (0..ds.logs.len()).filter(|&i| ds.label(ds.logs.metadata[i], "trace_id").is_some()).count();
    assert_eq!(with_trace_meta, 2626);
    assert_eq!(count(&ds.logs.level, Level::Info), 9751);
    assert_eq!(count(&ds.logs.level, Level::Warning), 416);
    assert_eq!(count(&ds.logs.level, Level::Error), 63);

    // Metrics: 879 series, 9669 points, ms timestamps exact.
    assert_eq!(ds.series.len(), 879);
    assert_eq!(ds.series.times_ns.len(), 9669);
    assert_eq!(ds.strings.resolve(ds.series.name[0]), "cpu_usage_millicores");
    assert_eq!(ds.label(ds.series.labels[0], "pod"), Some("ts-admin-basic-info-service-5f55b6cf68-77cfw"));
    let (t, v) = ds.series.points(0);
    assert_eq!((t[0], v[0]), (1_674_981_669_074_000_000, 2.3127879006008545));
}

fn formats(ds: &Dataset) -> Vec<&str> {
    ds.sources.iter().map(|s| s.format.as_str()).collect()
}

fn fixture(path: &str) -> Dataset {
    decode(&[&format!("fixtures/{path}")])
}

/// A clean decode: no diagnostics at all.
fn clean(path: &str) -> Dataset {
    let ds = fixture(path);
    assert!(ds.diagnostics.entries().is_empty(), "{path}: {:?}", problems(&ds));
    ds
}

fn op(ds: &Dataset, i: usize) -> &str {
    ds.strings.resolve(ds.spans.operation[i])
}

fn services(ds: &Dataset) -> Vec<&str> {
    let mut s: Vec<&str> = ds.spans.resource.iter().filter_map(|r| ds.label(*r, "service.name")).collect();
    s.sort();
    s.dedup();
    s
}

fn roots(ds: &Dataset) -> usize {
    count(&ds.spans.parent, None)
}

fn only_warning(ds: &Dataset, reason: &str) {
    assert!(ds.diagnostics.entries().iter().any(|d| d.severity == Severity::Warning && d.reason == reason), "{:?}", problems(ds));
    assert_eq!(ds.diagnostics.count(Severity::Error) + ds.diagnostics.count(Severity::Skipped), 0, "{:?}", problems(ds));
}

// Figures below were counted independently with Python's json module over the same files.

#[test]
fn otlp_canonical_trace_hex_ids() {
    let ds = clean("otlp-json/otel-proto-trace.json");
    assert_eq!(formats(&ds), ["otlp-json"]);
    assert_eq!(ds.spans.len(), 1);
    assert_eq!(ds.spans.trace[0].to_string(), "5b8efff798038103d269b633813fc60c");
    assert_eq!(ds.spans.span[0].to_string(), "eee19b7ec3c1b174");
    assert_eq!(ds.spans.parent[0].unwrap().to_string(), "eee19b7ec3c1b173");
    assert_eq!(op(&ds, 0), "I'm a server span");
    assert_eq!(ds.spans.kind[0], SpanKind::Server);
    assert_eq!((ds.spans.start_ns[0], ds.spans.duration_ns[0]), (1_544_712_660_000_000_000, 1_000_000_000));
    assert_eq!(services(&ds), ["my.service"]);
    assert_eq!(ds.label(ds.spans.attributes[0], "my.span.attr"), Some("some value"));
}

#[test]
fn otlp_servicegraph_traces_base64_ids_enum_kinds_and_status() {
    let ds = clean("otlp-json/tempo-servicegraphs-trace-with-failed-requests.json");
    assert_eq!(ds.spans.len(), 15);
    assert_eq!(count(&ds.spans.status, SpanStatus::Error), 3);
    assert_eq!(count(&ds.spans.kind, SpanKind::Client), 6);
    assert_eq!(count(&ds.spans.kind, SpanKind::Internal), 8);
    assert_eq!(count(&ds.spans.kind, SpanKind::Server), 1);
    assert_eq!(roots(&ds), 1);
    assert_eq!(ds.spans.trace[0].to_string(), "e8b6dff9f8d44b28f1b22bc3bd2f6768");
    assert_eq!(ds.spans.span[0].to_string(), "9007fea484554ad7");
    assert_eq!(services(&ds), ["mythical-requester", "mythical-server"]);
    let messages: Vec<&str> = ds.spans.status_message.iter().flatten().map(|m| ds.strings.resolve(*m)).collect();
    assert!(messages.iter().any(|m| m.contains("not-null constraint")), "{messages:?}");

    let ds = clean("otlp-json/tempo-servicegraphs-trace-with-queue-database.json");
    assert_eq!(ds.spans.len(), 19);
    assert_eq!((count(&ds.spans.kind, SpanKind::Producer), count(&ds.spans.kind, SpanKind::Consumer)), (1, 1));
    assert_eq!(count(&ds.spans.status, SpanStatus::Ok), ds.spans.status.iter().filter(|s| **s != SpanStatus::Unset).count());
    assert_eq!(services(&ds), ["mythical-recorder", "mythical-requester", "mythical-server"]);

    let ds = clean("otlp-json/tempo-servicegraphs-trace-with-virtual-nodes.json");
    assert_eq!((ds.spans.len(), roots(&ds)), (3, 2));
    assert_eq!(ds.spans.trace.iter().collect::<std::collections::BTreeSet<_>>().len(), 2);
    let ds = clean("otlp-json/tempo-servicegraphs-trace-with-expired-edges.json");
    assert_eq!((ds.spans.len(), roots(&ds), count(&ds.spans.kind, SpanKind::Server)), (5, 1, 3));
}

#[test]
fn otlp_logs_every_any_value_kind() {
    let ds = clean("otlp-json/otel-proto-logs.json");
    assert_eq!(ds.logs.len(), 1);
    assert_eq!(ds.logs.time_ns[0], 1_544_712_660_300_000_000);
    assert_eq!(ds.logs.level[0], Level::Info);
    assert_eq!(ds.logs.body(0), "Example log record");
    let (trace, span) = ds.logs.field_ids(0);
    assert_eq!(trace.unwrap().to_string(), "5b8efff798038103d269b633813fc60c");
    assert_eq!(span.unwrap().to_string(), "eee19b7ec3c1b174");
    let m = ds.logs.metadata[0];
    assert_eq!(ds.label(m, "string.attribute"), Some("some string"));
    assert_eq!(ds.label(m, "boolean.attribute"), Some("true"));
    assert_eq!(ds.label(m, "int.attribute"), Some("10"));
    assert_eq!(ds.label(m, "double.attribute"), Some("637.704"));
    assert_eq!(ds.label(m, "array.attribute"), Some(r#"["many","values"]"#));
    assert_eq!(ds.label(m, "map.attribute"), Some(r#"{"some.map.key":"some value"}"#));
    assert_eq!(ds.label(ds.logs.resource[0], "service.name"), Some("my.service"));

    let ds = clean("otlp-json/otel-proto-events.json");
    assert_eq!(ds.logs.len(), 1);
    assert_eq!(ds.label(ds.logs.metadata[0], "event.name"), Some("browser.page_view"));
    assert_eq!(ds.label(ds.logs.metadata[0], "event.attribute"), Some("some event attribute"));
    assert!(ds.logs.body(0).starts_with(r#"{"#) && ds.logs.body(0).contains(r#""title":"Free Online GUID Generator""#));
    assert!(ds.logs.body(0).contains(r#""type":0"#));
}

#[test]
fn otlp_metrics_all_point_kinds() {
    let ds = clean("otlp-json/otel-proto-metrics.json");
    let mut names: Vec<&str> = ds.series.name.iter().map(|n| ds.strings.resolve(*n)).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "my.counter",
            "my.exponential.histogram_count",
            "my.exponential.histogram_sum",
            "my.gauge",
            "my.histogram_count",
            "my.histogram_sum"
        ]
    );
    let find = |name: &str| (0..ds.series.len()).find(|&i| ds.strings.resolve(ds.series.name[i]) == name).unwrap();
    let counter = find("my.counter");
    assert_eq!(ds.series.points(counter), (&[1_544_712_660_300_000_000][..], &[5.0][..]));
    assert_eq!(ds.label(ds.series.labels[counter], "my.counter.attr"), Some("some value"));
    assert_eq!(ds.label(ds.series.labels[counter], "service.name"), Some("my.service"));
    assert_eq!(ds.series.points(find("my.gauge")).1, &[10.0]);
    assert_eq!(ds.series.points(find("my.histogram_count")).1, &[2.0]);
    assert_eq!(ds.series.points(find("my.histogram_sum")).1, &[2.0]);
    assert_eq!(ds.series.points(find("my.exponential.histogram_count")).1, &[3.0]);
}

#[test]
fn otlp_file_exporter_json_lines() {
    let ds = clean("otlp-json/file-exporter-logs.jsonl");
    assert_eq!(formats(&ds), ["otlp-jsonl"]);
    assert_eq!(ds.logs.len(), 8);
    assert_eq!(ds.logs.time_ns[0], 1_581_452_773_000_000_789);
    assert_eq!(ds.logs.body(0), "This is a log message");
    let (trace, span) = ds.logs.field_ids(0);
    assert_eq!(trace.unwrap().to_string(), "08040201000000000000000000000000");
    assert_eq!(span.unwrap().to_string(), "0102040800000000");
    assert_eq!(ds.label(ds.logs.metadata[0], "instance_num"), Some("1"));
    // The second record of each line has empty ids: absent, not an error.
    assert_eq!(ds.logs.field_ids(1).0, None);
    assert_eq!(count(&ds.logs.level, Level::Info), 8);

    // 4 lines x 2 metrics x 2 points, on 2 label sets: points of one series merge across lines.
    let ds = clean("otlp-json/file-exporter-metrics.jsonl");
    assert_eq!(ds.series.len(), 2);
    let label1 = (0..2).find(|&i| ds.label(ds.series.labels[i], "label-1").is_some()).unwrap();
    let (t, v) = ds.series.points(label1);
    assert_eq!(t.len(), 8);
    assert!(t.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(v.iter().sum::<f64>(), 123.0 * 5.0 + 120.0 + 121.0 + 125.0);
    assert_eq!(ds.label(ds.series.labels[label1], "resource-attr"), Some("resource-attr-val-1"));

    // The spec's trace example writes empty ids: every span is skipped, each with its place.
    let ds = fixture("otlp-json/file-exporter-traces.jsonl");
    assert_eq!(ds.spans.len(), 0);
    assert_eq!(ds.diagnostics.count(Severity::Skipped), 8);
    let first = &ds.diagnostics.entries()[0];
    assert_eq!(
        (first.place.frame.as_deref(), first.place.field.as_deref(), first.place.row),
        (Some("line 1: resourceSpans[0].scopeSpans[0]"), Some("traceId"), Some(0))
    );
}

#[test]
fn tempo_trace_by_id_shapes() {
    // Legacy v1 body: batches, instrumentationLibrarySpans, SPAN_KIND_* strings, base64 ids.
    let ds = clean("tempo-api/grafana-tempo-mockJsonResponse.json");
    assert_eq!(formats(&ds), ["tempo-trace"]);
    assert_eq!(ds.spans.len(), 6);
    assert_eq!(roots(&ds), 1);
    assert_eq!(services(&ds), ["app", "db", "lb"]);
    assert_eq!(ds.spans.trace[0].to_string(), "000000000000000060ba2abb44f13eae");
    assert_eq!(op(&ds, 0), "HTTP GET - root");
    assert_eq!((count(&ds.spans.kind, SpanKind::Server), count(&ds.spans.kind, SpanKind::Client)), (2, 2));
    assert_eq!(ds.label(ds.spans.resource[0], "job"), Some("tns/db"));

    // batches + scopeSpans with hex ids.
    let ds = clean("tempo-api/tempopb-trace.json");
    assert_eq!((formats(&ds), ds.spans.len()), (vec!["tempo-trace"], 1));
    assert_eq!(ds.spans.trace[0].to_string(), "5b8efff798038103d269b633813fc60c");

    // resourceSpans in OrigName snake_case, int64 times as JSON numbers, base64 ids.
    let ds = clean("tempo-api/grafana-tempo-backend-trace.json");
    assert_eq!(ds.spans.len(), 30);
    assert_eq!(services(&ds), ["loki-all"]);
    assert_eq!(ds.spans.trace[0].to_string(), "0000000000000000620f03a2253c5e37");
    assert_eq!(ds.spans.span[0].to_string(), "24fd2c12eb963190");
    assert_eq!(ds.spans.parent[0].unwrap().to_string(), "4993abf7a3ec9dd7");
    assert_eq!(op(&ds, 0), "store.validateQueryTimeRange");
    assert_eq!((ds.spans.start_ns[0], ds.spans.duration_ns[0]), (1_616_072_924_071_839_000, 4_000));
    assert_eq!((count(&ds.spans.kind, SpanKind::Client), count(&ds.spans.kind, SpanKind::Server)), (3, 2));

    let ds = clean("tempo-api/vulture-trace.json");
    assert_eq!((ds.spans.len(), roots(&ds)), (6, 2));
    assert_eq!(ds.spans.trace[0].to_string(), "3149195ffb0bec05347b48efe8ecc1b0");
    assert_eq!(services(&ds), ["tempo-vulture"]);
}

#[test]
fn tempo_search_results_are_recognised_not_analysed() {
    for (file, traces) in [("tempo-api/search-tags-docs-example.json", 2), ("tempo-api/search-service-struct.json", 50)] {
        let ds = fixture(file);
        assert_eq!(formats(&ds), ["tempo-search"]);
        assert_eq!(ds.spans.len() + ds.logs.len() + ds.series.len(), 0);
        only_warning(&ds, "recognised tempo-search: nothing to analyse");
        only_warning(&ds, &format!("search result lists {traces} traces; fetch them by id to analyse their spans"));
    }
}

#[test]
fn jaeger_v1_envelope_single_trace_and_ui_export() {
    let ds = clean("jaeger-api/grafana-mockJsonResponse.json");
    assert_eq!(formats(&ds), ["jaeger-api"]);
    assert_eq!(ds.spans.len(), 2);
    assert_eq!(ds.spans.trace[0].to_string(), "00000000000000002ee9739529395e31");
    assert_eq!(ds.spans.parent[0], None);
    assert_eq!(ds.spans.parent[1], Some(ds.spans.span[0]));
    assert_eq!((op(&ds, 0), op(&ds, 1)), ("CAS", "CAS loop"));
    assert_eq!((ds.spans.start_ns[0], ds.spans.duration_ns[0]), (1_616_095_319_593_196_000, 1_004_000));
    assert_eq!(ds.spans.kind[0], SpanKind::Client);
    assert_eq!(services(&ds), ["loki-all"]);
    assert_eq!(ds.label(ds.spans.resource[0], "hostname"), Some("07bb841e14c3"));
    assert_eq!(ds.label(ds.spans.attributes[0], "sampler.param"), Some("true"));

    let ds = clean("jaeger-api/ui_01.json");
    assert_eq!(formats(&ds), ["jaeger-trace"]);
    assert_eq!(ds.spans.len(), 5);
    assert_eq!(services(&ds), ["service-x", "service-y"]);
    // Span 4's first CHILD_OF points into another trace; the same-trace one is its parent.
    assert_eq!(ds.spans.parent[3].unwrap().to_string(), "0000000000000002");
    assert_eq!(ds.spans.parent[4].unwrap().to_string(), "0000000000000004");
    assert_eq!(ds.spans.status[1], SpanStatus::Error);
    assert_eq!(ds.label(ds.spans.attributes[1], "temperature"), Some("72.5"));
    assert_eq!(ds.label(ds.spans.attributes[1], "javascript_limit"), Some("9223372036854775222"));
    assert_eq!(ds.label(ds.spans.attributes[1], "blob"), Some("AAAwOQ=="));

    // UI export: inline processes; an `error` tag typed bool but written as the string "true".
    let ds = clean("jaeger-api/uiconv-trace_success.json");
    assert_eq!(formats(&ds), ["jaeger-ui-spans"]);
    assert_eq!(ds.spans.len(), 2);
    assert_eq!(ds.spans.status, [SpanStatus::Unset, SpanStatus::Error]);
    assert_eq!(ds.spans.kind, [SpanKind::Server, SpanKind::Client]);
    assert_eq!(services(&ds), ["16af988c443cff37", "3c220036602f839e"]);
    assert_eq!(ds.spans.parent[1], Some(ds.spans.span[0]));
    assert_eq!(ds.spans.duration_ns[0], 267_037_000);
}

#[test]
fn jaeger_api_v3() {
    // Jaeger's golden span has no times (proto3 JSON omits zeros): a span of unknown time is
    // left out and said so, never placed in 1970.
    let ds = fixture("jaeger-api/apiv3-GetTrace.json");
    assert_eq!(formats(&ds), ["jaeger-api-v3"]);
    assert_eq!(ds.spans.len(), 0);
    assert_eq!(
        problems(&ds),
        ["Skipped fixtures/jaeger-api/apiv3-GetTrace.json, frame result.resourceSpans[0].scopeSpans[0], field startTimeUnixNano, row 0: span skipped: no startTimeUnixNano"]
    );

    let ds = fixture("jaeger-api/apiv3-FindTraceSummaries.json");
    assert_eq!(formats(&ds), ["jaeger-trace-summaries"]);
    only_warning(&ds, "recognised jaeger-trace-summaries: nothing to analyse");
}

#[test]
fn loki_streams() {
    let ds = clean("loki-api/loki-streams-a.json");
    assert_eq!(formats(&ds), ["loki-query-range"]);
    assert_eq!(ds.logs.len(), 6);
    assert_eq!((count(&ds.logs.level, Level::Error), count(&ds.logs.level, Level::Info)), (1, 5));
    assert_eq!(ds.logs.body(0), "log line error 1");
    assert_eq!(ds.logs.time_ns[0], 1_645_030_244_810_757_120);
    assert_eq!(ds.label(ds.logs.resource[0], "location"), Some("moon🌙"));
    assert_eq!(ds.logs.resource.iter().collect::<std::collections::BTreeSet<_>>().len(), 2);

    // Quotes and commas inside label values; level found in the line text.
    let ds = clean("loki-api/streams_simple.json");
    assert_eq!(ds.logs.len(), 6);
    assert_eq!(ds.label(ds.logs.resource[0], "code"), Some("one\","));
    assert_eq!(ds.label(ds.logs.resource[1], "code"), Some("\",two"));
    assert_eq!((count(&ds.logs.level, Level::Error), count(&ds.logs.level, Level::Info)), (1, 5));
    assert_eq!(ds.logs.time_ns[5], 1_645_030_244_091_700_992);

    let ds = clean("loki-api/loki-streams-c.json");
    assert_eq!(ds.logs.len(), 2);
    assert_eq!((ds.logs.body(1), ds.label(ds.logs.resource[1], "label2")), ("text2", Some("value2")));

    // categorize-labels: the third element's structuredMetadata goes to metadata, not resource.
    let ds = clean("loki-api/loki-streams-structured-metadata.json");
    assert_eq!(ds.logs.len(), 1);
    assert_eq!(ds.label(ds.logs.metadata[0], "nonIndexed"), Some("value"));
    assert_eq!(ds.label(ds.logs.resource[0], "nonIndexed"), None);
    assert_eq!(ds.label(ds.logs.resource[0], "label"), Some("value"));
    assert_eq!(ds.logs.time_ns[0], 1_697_025_310_236_000_000);

    let ds = clean("loki-api/streams_structured_metadata.json");
    assert_eq!(ds.logs.len(), 6);
    assert!(ds.logs.metadata.iter().all(|m| m.0 == 0));
}

#[test]
fn loki_matrix_becomes_series() {
    let ds = clean("loki-api/matrix_inf.json");
    assert_eq!(ds.series.len(), 1);
    let (t, v) = ds.series.points(0);
    assert_eq!(t[0], 1_643_021_611_100_000_000);
    assert_eq!(t[7], 1_643_021_911_800_000_000);
    assert_eq!(v.iter().filter(|x| **x == f64::INFINITY).count(), 4);
    assert_eq!(v.iter().filter(|x| **x == f64::NEG_INFINITY).count(), 4);
    assert_eq!(ds.label(ds.series.labels[0], "protocol"), Some("http"));
    assert_eq!(ds.strings.resolve(ds.series.name[0]), "");

    let ds = clean("loki-api/matrix_nan.json");
    let (t, v) = ds.series.points(0);
    assert_eq!(t, &[1_643_014_450_417_000_000, 1_643_014_750_417_000_000]);
    assert!(v.iter().all(|x| x.is_nan()));
}

#[test]
fn prometheus_query_results() {
    let ds = clean("prometheus-api/prom-matrix.json");
    assert_eq!(formats(&ds), ["prometheus-query"]);
    assert_eq!(ds.series.len(), 2);
    assert_eq!(ds.strings.resolve(ds.series.name[1]), "up");
    assert_eq!(ds.label(ds.series.labels[1], "instance"), Some("localhost:9091"));
    assert_eq!(
        ds.series.points(1),
        (&[1_435_781_430_781_000_000, 1_435_781_445_781_000_000, 1_435_781_460_781_000_000][..], &[0.0, 0.0, 1.0][..])
    );

    let ds = clean("prometheus-api/prom-matrix-with-nans.json");
    let (t, v) = ds.series.points(0);
    assert_eq!(t, &[1_641_889_530_000_000_000, 1_641_889_531_000_000_000, 1_641_889_532_000_000_000]);
    assert!(v[0] == f64::INFINITY && v[1].is_nan() && v[2] == f64::NEG_INFINITY);

    let ds = clean("prometheus-api/range_missing.result.json");
    assert_eq!(ds.series.points(0).1, &[21.0, 32.0, 43.0]);
    assert_eq!(ds.series.points(0).0[2] - ds.series.points(0).0[0], 4_000_000_000);

    let ds = clean("prometheus-api/prom-scalar.json");
    assert_eq!(ds.series.points(0), (&[1_651_680_139_104_000_000][..], &[0.00002482][..]));

    let ds = clean("prometheus-api/jaeger-spm-service_span_name_datapoint.json");
    assert_eq!(ds.series.points(0), (&[1_620_351_786_000_000_000][..], &[9_223_372_036_854.0][..]));
    assert_eq!(ds.label(ds.series.labels[0], "service_name"), Some("emailservice"));
}

#[test]
fn prometheus_vector_with_infos_kept_as_warnings() {
    let ds = fixture("prometheus-api/prom-infos.json");
    assert_eq!(ds.series.len(), 5);
    let values: Vec<f64> = (0..5).map(|i| ds.series.points(i).1[0]).collect();
    assert_eq!(&values[..4], &[1.0, 0.0, f64::INFINITY, f64::NEG_INFINITY]);
    assert!(values[4].is_nan());
    assert_eq!(ds.series.points(0).0, &[1_435_781_451_781_000_000]);
    let warnings: Vec<&str> = ds.diagnostics.entries().iter().map(|d| d.reason.as_str()).collect();
    assert_eq!(warnings, ["info 1", "info 2"]);
    assert_eq!(ds.diagnostics.count(Severity::Warning), 2);
}

#[test]
fn prometheus_warnings_error_and_labels() {
    let ds = fixture("prometheus-api/prom-warnings-no-data.json");
    assert_eq!(ds.series.len(), 0);
    only_warning(&ds, "warning 1");
    only_warning(&ds, "warning 2");
    only_warning(&ds, "recognised prometheus-query: nothing to analyse");

    let ds = fixture("prometheus-api/jaeger-spm-warning_response.json");
    only_warning(&ds, "warning0");
    only_warning(&ds, "response status \"warning\"");

    let ds = fixture("prometheus-api/prom-error.json");
    assert_eq!(formats(&ds), ["prometheus-error"]);
    assert_eq!(ds.diagnostics.count(Severity::Error), 1);
    assert_eq!(ds.diagnostics.total(), 1);
    assert_eq!(
        ds.diagnostics.entries()[0].reason,
        r#"error response (bad_data): invalid parameter "start": cannot parse "" to a valid timestamp"#
    );

    let ds = fixture("prometheus-api/prom-labels.json");
    assert_eq!(formats(&ds), ["prometheus-labels"]);
    only_warning(&ds, "recognised prometheus-labels: nothing to analyse");

    // Grafana's query model, not an API response: an error naming the input.
    let ds = fixture("prometheus-api/range_missing.query.json");
    assert_eq!(ds.diagnostics.count(Severity::Error), 1);
    assert_eq!(ds.diagnostics.entries()[0].place.source, "fixtures/prometheus-api/range_missing.query.json");
}

#[test]
fn prometheus_exemplars() {
    let ds = fixture("prometheus-api/prom-exemplars-a.json");
    assert_eq!(formats(&ds), ["prometheus-exemplars"]);
    assert_eq!(ds.exemplars.len(), 3);
    assert_eq!((ds.exemplars.time_ns[0], ds.exemplars.value[0]), (1_600_096_945_479_000_000, 6.0));
    assert_eq!(ds.label(ds.exemplars.series_labels[1], "service"), Some("foo"));
    assert_eq!(ds.label(ds.exemplars.series_labels[1], "__name__"), Some("test_exemplar_metric_total"));
    assert_eq!(ds.label(ds.exemplars.labels[0], "a"), Some("not in next"));
    // These fixture ids are 12 random bytes in base64: not trace ids. Each is reported and
    // dropped; the exemplar stays.
    assert!(ds.exemplars.trace.iter().all(Option::is_none));
    assert_eq!(ds.diagnostics.count(Severity::Skipped), 3);
    assert_eq!(ds.diagnostics.entries()[0].place.field.as_deref(), Some("traceID"));
    assert_eq!(ds.label(ds.exemplars.labels[1], "traceID"), Some("Olp9XHlq763ccsfa"));

    let ds = fixture("prometheus-api/prom-exemplars-diff-labels.json");
    assert_eq!(ds.exemplars.len(), 2);
    assert_eq!(ds.exemplars.series_labels[0].0, 0);
    assert_eq!(ds.label(ds.exemplars.labels[1], "ztraceID"), Some("hCtjygkIHwAN9vs4"));
    assert_eq!(ds.diagnostics.count(Severity::Skipped), 1);
}

/// Every fixture of the five API folders is recognised: nothing is reported as unreadable,
/// except Grafana's query model, which is not an API payload.
#[test]
fn every_api_fixture_is_recognised() {
    let mut seen = 0;
    for dir in ["otlp-json", "tempo-api", "jaeger-api", "loki-api", "prometheus-api"] {
        for entry in std::fs::read_dir(shared().join("fixtures").join(dir)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let path = format!("{dir}/{name}");
            let ds = fixture(&path);
            seen += 1;
            if name == "range_missing.query.json" {
                assert!(ds.sources.is_empty());
                continue;
            }
            assert_eq!(ds.sources.len(), 1, "{path}: {:?}", problems(&ds));
            let rows = ds.spans.len() + ds.logs.len() + ds.series.len() + ds.exemplars.len();
            let reported =
                ds.diagnostics.entries().iter().any(|d| d.reason.ends_with("nothing to analyse") || d.severity >= Severity::Skipped);
            assert!(rows > 0 || reported, "{path}: no rows and nothing said");
            assert!(!problems(&ds).iter().any(|p| p.contains("no decoder")), "{path}");
        }
    }
    assert_eq!(seen, 42);
}
