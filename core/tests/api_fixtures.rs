//! Every upstream API payload in ../shared/data/fixtures decodes (or is reported as the error
//! response it is), with counts and values checked; plus one real Nezha case end to end.

use std::path::PathBuf;

use rootspan_core::ingest::{ingest, Input};
use rootspan_core::model::{Dataset, Level, SpanKind, SpanStatus};

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data")
}

fn decode(paths: &[&str]) -> Dataset {
    let mut ds = Dataset::default();
    for p in paths {
        let path = shared().join(p);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        ingest(&mut ds, &Input::Bytes { name: p.to_string(), bytes });
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
