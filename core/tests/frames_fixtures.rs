//! Every file in testdata/fixtures/grafana-frames, decoded and checked value by value
//! against what PROVENANCE.md says the file shows.

use std::path::{Path, PathBuf};

use rootspan_core::diag::{Diagnostics, Severity};
use rootspan_core::ingest::frame::{Column, Frame};
use rootspan_core::ingest::frames_json::{self, parse_frames, strip_comment_header};
use rootspan_core::model::{Dataset, Level, SpanKind, SpanStatus};
use rootspan_core::{SpanId, TraceId};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/fixtures/grafana-frames")
}

fn json(rel: &str) -> serde_json::Value {
    let path = dir().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(strip_comment_header(&text)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn frames(rel: &str) -> Vec<Frame> {
    let mut d = Diagnostics::default();
    let frames = parse_frames(rel, &json(rel), &mut d).unwrap_or_else(|| panic!("{rel} is not frame-shaped"));
    assert_eq!(d.total(), 0, "{rel}: {:?}", d.entries());
    frames
}

fn load(rel: &str) -> Dataset {
    let mut ds = Dataset::default();
    assert!(frames_json::try_decode(&mut ds, rel, &json(rel)), "{rel} was not recognised");
    assert_eq!(ds.diagnostics.count(Severity::Error) + ds.diagnostics.count(Severity::Skipped), 0, "{rel}: {:?}", ds.diagnostics.entries());
    assert_eq!(ds.sources.len(), 1);
    assert_eq!(ds.sources[0].format, "grafana-frames");
    ds
}

fn warnings(ds: &Dataset) -> Vec<String> {
    ds.diagnostics.entries().iter().filter(|d| d.severity == Severity::Warning).map(|d| d.to_string()).collect()
}

fn sorted<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = pairs.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    v.sort();
    v
}

/// The points of the one series with this name and exactly these labels.
fn series(ds: &Dataset, name: &str, labels: &[(&str, &str)]) -> (Vec<i64>, Vec<f64>) {
    let want = sorted(labels.iter().copied());
    let found: Vec<usize> = (0..ds.series.len())
        .filter(|&i| ds.strings.resolve(ds.series.name[i]) == name && sorted(ds.label_pairs(ds.series.labels[i])) == want)
        .collect();
    assert_eq!(found.len(), 1, "series {name} {labels:?}");
    let (t, v) = ds.series.points(found[0]);
    (t.to_vec(), v.to_vec())
}

const MS: i64 = 1_000_000;

fn ms(values: &[i64]) -> Vec<i64> {
    values.iter().map(|v| v * MS).collect()
}

fn no_rows(ds: &Dataset) -> bool {
    ds.spans.is_empty() && ds.logs.is_empty() && ds.series.is_empty() && ds.exemplars.is_empty()
}

#[test]
fn the_fixture_directory_is_fully_covered() {
    let mut found = Vec::new();
    for group in std::fs::read_dir(dir()).expect("test data is in testdata/") {
        let group = group.unwrap().path();
        if group.is_dir() {
            for file in std::fs::read_dir(&group).unwrap() {
                let file = file.unwrap().path();
                found.push(format!("{}/{}", group.file_name().unwrap().to_str().unwrap(), file.file_name().unwrap().to_str().unwrap()));
            }
        }
    }
    found.sort();
    let mut covered: Vec<String> = COVERED.iter().map(|s| s.to_string()).collect();
    covered.sort();
    assert_eq!(found, covered, "a fixture was added or removed: give it a test below");
    for rel in COVERED {
        let mut ds = Dataset::default();
        assert!(frames_json::try_decode(&mut ds, rel, &json(rel)), "{rel}");
    }
}

/// Every file, each asserted on in a test below.
const COVERED: [&str; 49] = [
    "dataplane/timeseries-long_empty-two-item-names.json",
    "dataplane/timeseries-long_four-items-by-name-and-dimension.json",
    "dataplane/timeseries-long_no-data.json",
    "dataplane/timeseries-long_two-items-by-dimension.json",
    "dataplane/timeseries-multi_empty-one-item.json",
    "dataplane/timeseries-multi_no-data.json",
    "dataplane/timeseries-multi_two-items-by-dimension-unaligned-time-with-remainder-string.json",
    "dataplane/timeseries-multi_two-items-by-dimension-unaligned-time.json",
    "dataplane/timeseries-wide_empty-one-item.json",
    "dataplane/timeseries-wide_no-data.json",
    "dataplane/timeseries-wide_one-item-no-name-or-labels.json",
    "dataplane/timeseries-wide_one-item-with-name-and-labels.json",
    "dataplane/timeseries-wide_one-item-with-remainder-string.json",
    "dataplane/timeseries-wide_one-item-with-remainder-time.json",
    "dataplane/timeseries-wide_two-items-by-dimension.json",
    "loki/empty.golden.jsonc",
    "loki/loki-streams-structured-metadata-frame.jsonc",
    "loki/matrix_gap.golden.jsonc",
    "loki/matrix_inf.golden.jsonc",
    "loki/matrix_nan.golden.jsonc",
    "loki/matrix_simple.golden.jsonc",
    "loki/streams_parse_errors.golden.jsonc",
    "loki/streams_simple.golden.jsonc",
    "loki/streams_structured_metadata.golden.jsonc",
    "loki/streams_structured_metadata_2.golden.jsonc",
    "loki/vector_simple.golden.jsonc",
    "loki/vector_special_values.golden.jsonc",
    "prometheus/prom-exemplars-frame.jsonc",
    "prometheus/prom-matrix-frame.jsonc",
    "prometheus/prom-matrix-with-nans-frame.jsonc",
    "prometheus/prom-scalar-frame.jsonc",
    "prometheus/prom-string-frame.jsonc",
    "prometheus/prom-vector-frame.jsonc",
    "prometheus/range_missing.result.golden.jsonc",
    "sdk/all_types.golden.json",
    "sdk/frame-custom-meta.golden.jsonc",
    "sdk/frame-empty-custom-meta.golden.jsonc",
    "sdk/frame-json.jsonc",
    "sdk/frame-no-meta.golden.jsonc",
    "sdk/frame-non-custom-meta.golden.jsonc",
    "sdk/sample_query_results.json",
    "sdk/single-json-frame.golden.jsonc",
    "sdk/single-json-framer.golden.jsonc",
    "traces/jaeger-mockSearchResponse.json",
    "traces/jaeger-mockTraceResponse.json",
    "traces/jaeger-search_single_response.golden.jsonc",
    "traces/jaeger-simple_dependencies_edges.golden.jsonc",
    "traces/jaeger-simple_dependencies_nodes.golden.jsonc",
    "traces/jaeger-simple_trace.golden.jsonc",
];

// ---- sdk ----------------------------------------------------------------------------------

#[test]
fn all_types_keeps_int64_extremes_entities_nanos_and_enums() {
    let frames = frames("sdk/all_types.golden.json");
    assert_eq!(frames.len(), 1);
    let f = &frames[0];
    assert_eq!((f.name.as_deref(), f.ref_id.as_deref(), f.fields.len(), f.len()), (Some("many_types"), Some("A"), 35, 5));
    let col = |name: &str| &f.field(name).unwrap_or_else(|| panic!("{name}")).values;
    assert_eq!(
        col("int64_values"),
        &Column::Int(vec![Some(i64::MIN), Some(-9_007_199_254_740_991), Some(1), Some(9_007_199_254_740_991), Some(i64::MAX)])
    );
    assert_eq!(col("nullable_int8_values"), &Column::Int(vec![Some(-128), Some(-128), None, Some(127), Some(127)]));
    // u64::MAX has no i64: the column is read as floats.
    assert_eq!(col("uint64_values").number(4), Some(18_446_744_073_709_551_615.0));
    let Column::Number(nans) = col("float32_values_nans") else { panic!("float column") };
    assert!(nans[0].unwrap().is_nan());
    assert_eq!(&nans[1..], &[Some(f64::INFINITY), Some(1.0), Some(f64::NEG_INFINITY), Some(0.0)]);
    let Column::Number(nullable_nans) = col("nullable_float64_values_nans") else { panic!("float column") };
    assert_eq!((nullable_nans[0], nullable_nans[2], nullable_nans[4]), (Some(f64::NEG_INFINITY), None, Some(f64::INFINITY)));
    assert!(nullable_nans[3].unwrap().is_nan());
    // Time: ms plus the nanos entity, exact up to the largest Go time.
    assert_eq!(
        col("timestamps"),
        &Column::Time(vec![
            Some(0),
            Some(1_568_039_445_000 * MS),
            Some(1_568_039_450_000 * MS),
            Some(9_007_199_254_740_991),
            Some(i64::MAX)
        ])
    );
    assert_eq!(col("nullable_timestamps").text(2), None);
    assert_eq!((0..5).map(|i| col("enum").text(i).unwrap().into_owned()).collect::<Vec<_>>(), ["ONE", "TWO", "TWO", "ONE", "ONE"]);
    // nullable_enum has no text list: Grafana shows the index.
    assert_eq!((col("nullable_enum").text(2), col("nullable_enum").text(3).as_deref()), (None, Some("3")));
    assert_eq!(col("json").text(3).as_deref(), Some(r#"[{"c":3},{"d":4}]"#));
    assert_eq!(col("nullable_string_values").text(3).as_deref(), Some("🦥"));
    assert_eq!(f.field("nullable_string_values").unwrap().labels.len(), 2);
    assert_eq!(col("nullable_bool_values"), &Column::Boolean(vec![Some(true), Some(false), None, Some(true), Some(false)]));

    // A time field, numbers, and a first string column of phrases ("Go Min", "JS Max (for >= 64)"):
    // read as log lines whose other fields are metadata, values kept exactly.
    // Go's largest time (i64::MAX ns, in 2262) is a sentinel, not a time: that row is left
    // out, and the diagnostics say where.
    let rel = "sdk/all_types.golden.json";
    let mut ds = Dataset::default();
    assert!(frames_json::try_decode(&mut ds, rel, &json(rel)));
    let skipped: Vec<String> = ds.diagnostics.entries().iter().map(|d| format!("{:?} {d}", d.severity)).collect();
    assert_eq!(
        skipped,
        [format!("Skipped {rel}, frame many_types, field timestamps, row 4: log line skipped: no valid time (in 1970..2200)")]
    );
    assert!(ds.series.is_empty());
    assert_eq!(ds.logs.len(), 4);
    assert_eq!(ds.logs.body(0), "Go Min");
    assert_eq!(ds.logs.time_ns[3], 9_007_199_254_740_991);
    let meta = |row: usize, key: &str| ds.label(ds.logs.metadata[row], key).map(str::to_string);
    assert_eq!(meta(3, "int64_values").as_deref(), Some("9007199254740991"));
    assert_eq!(meta(0, "int64_values").as_deref(), Some("-9223372036854775808"));
    assert_eq!(meta(3, "json").as_deref(), Some(r#"[{"c":3},{"d":4}]"#));
    assert_eq!(meta(2, "nullable_string_values"), None, "nulls are absent, not empty");
    assert_eq!(meta(1, "enum").as_deref(), Some("TWO"));
}

fn assert_two_unanalysed_frames(rel: &str) -> Vec<Frame> {
    let ds = load(rel);
    assert!(no_rows(&ds));
    let w = warnings(&ds);
    assert_eq!(
        w,
        [
            format!("{rel}, frame Frame One: frame not analysed: no time field"),
            format!("{rel}, frame Frame Two: frame not analysed: no time field")
        ]
    );
    let frames = frames(rel);
    assert_eq!(frames[0].fields[0].values, Column::Number([8.26, 8.7, 14.82, 10.07, 8.52].map(Some).to_vec()));
    assert_eq!(frames[1].fields[0].labels.get("a").map(String::as_str), Some("b"));
    assert_eq!((0..3).map(|i| frames[1].fields[0].values.text(i).unwrap().into_owned()).collect::<Vec<_>>(), ["a", "b", "c"]);
    frames
}

#[test]
fn sdk_meta_variants_keep_meta_and_report_frames_without_time() {
    let custom = assert_two_unanalysed_frames("sdk/frame-custom-meta.golden.jsonc");
    assert_eq!(custom[0].custom_str("someValue"), Some("value"));
    assert_eq!(custom[0].fields[0].config["unit"], "Percent");
    let empty = assert_two_unanalysed_frames("sdk/frame-empty-custom-meta.golden.jsonc");
    assert_eq!(empty[0].meta["custom"], serde_json::json!({}));
    let none = assert_two_unanalysed_frames("sdk/frame-no-meta.golden.jsonc");
    assert!(none[0].meta.is_null());
    let notices = assert_two_unanalysed_frames("sdk/frame-non-custom-meta.golden.jsonc");
    assert_eq!(notices[0].meta_str("executedQueryString"), Some("SELECT * FROM X"));
    assert_eq!(notices[0].meta["notices"][0]["text"], "hello");
}

#[test]
fn sdk_json_and_single_frames() {
    let f = frames("sdk/frame-json.jsonc");
    assert_eq!(f[0].fields.len(), 2);
    for field in &f[0].fields {
        assert_eq!(field.values, Column::Json(column_of(&[r#"{"a":1,"b":2}"#])));
    }
    let single = frames("sdk/single-json-frame.golden.jsonc");
    assert_eq!((single.len(), single[0].len(), single[0].fields[0].values.number(2)), (1, 5, Some(14.82)));
    let two = frames("sdk/single-json-framer.golden.jsonc");
    assert_eq!(two.iter().map(|f| (f.fields[0].name.as_str(), f.len())).collect::<Vec<_>>(), [("A", 3), ("B", 1)]);
    for rel in ["sdk/frame-json.jsonc", "sdk/single-json-frame.golden.jsonc", "sdk/single-json-framer.golden.jsonc"] {
        let ds = load(rel);
        assert!(no_rows(&ds), "{rel}");
        assert!(!warnings(&ds).is_empty(), "{rel}: frames without time are reported");
    }
}

fn column_of(values: &[&str]) -> rootspan_core::ingest::frame::StrColumn {
    let mut c = rootspan_core::ingest::frame::StrColumn::default();
    values.iter().for_each(|v| c.push(Some(v)));
    c
}

#[test]
fn sample_query_results_is_one_series() {
    let ds = load("sdk/sample_query_results.json");
    assert_eq!(ds.series.len(), 1);
    let (t, v) = series(&ds, "A-series", &[]);
    assert_eq!(t.len(), 12);
    assert_eq!((t[0], v[0]), (1_708_955_198_367 * MS, 8.675906980661981));
    assert_eq!((t[11], v[11]), (1_708_974_998_367 * MS, 8.029678541545398));
    assert!(warnings(&ds).is_empty());
}

// ---- dataplane ----------------------------------------------------------------------------

#[test]
fn dataplane_no_data_and_empty_items_give_nothing_and_say_nothing() {
    for rel in [
        "dataplane/timeseries-long_empty-two-item-names.json",
        "dataplane/timeseries-long_no-data.json",
        "dataplane/timeseries-multi_empty-one-item.json",
        "dataplane/timeseries-multi_no-data.json",
        "dataplane/timeseries-wide_empty-one-item.json",
        "dataplane/timeseries-wide_no-data.json",
    ] {
        let ds = load(rel);
        assert!(no_rows(&ds), "{rel}");
        assert_eq!(ds.diagnostics.total(), 0, "{rel}");
    }
}

#[test]
fn dataplane_long_frames_split_by_name_and_dimension() {
    let ds = load("dataplane/timeseries-long_four-items-by-name-and-dimension.json");
    assert_eq!(ds.series.len(), 4);
    let times = ms(&[1_664_901_845_976, 1_664_902_845_976]);
    assert_eq!(series(&ds, "slothCount", &[("city", "LGA")]), (times.clone(), vec![3.0, 5.0]));
    assert_eq!(series(&ds, "slothCount", &[("city", "MIA")]), (times.clone(), vec![6.0, 9.0]));
    assert_eq!(series(&ds, "sleepHoursPerSlothPerDay", &[("city", "LGA")]), (times.clone(), vec![22.0, 21.5]));
    assert_eq!(series(&ds, "sleepHoursPerSlothPerDay", &[("city", "MIA")]), (times.clone(), vec![23.0, 23.0]));
    let ds = load("dataplane/timeseries-long_two-items-by-dimension.json");
    assert_eq!(ds.series.len(), 2);
    assert_eq!(series(&ds, "slothCount", &[("city", "MIA")]), (times, vec![6.0, 9.0]));
}

#[test]
fn dataplane_multi_frames_are_one_series_each_with_their_own_times() {
    for rel in [
        "dataplane/timeseries-multi_two-items-by-dimension-unaligned-time.json",
        "dataplane/timeseries-multi_two-items-by-dimension-unaligned-time-with-remainder-string.json",
    ] {
        let ds = load(rel);
        assert_eq!(ds.series.len(), 2, "{rel}");
        assert_eq!(series(&ds, "slothCount", &[("city", "LGA")]), (ms(&[1_664_901_845_976, 1_664_902_845_976]), vec![3.0, 5.0]));
        assert_eq!(
            series(&ds, "slothCount", &[("city", "MIA")]),
            (ms(&[1_664_901_855_976, 1_664_902_455_976, 1_664_902_855_976]), vec![6.0, 7.0, 9.0])
        );
        assert_eq!(ds.diagnostics.total(), 0);
    }
}

#[test]
fn dataplane_wide_frames_ignore_remainder_fields() {
    let times = ms(&[1_664_901_845_976, 1_664_902_845_976]);
    for rel in [
        "dataplane/timeseries-wide_one-item-with-name-and-labels.json",
        "dataplane/timeseries-wide_one-item-with-remainder-string.json",
        "dataplane/timeseries-wide_one-item-with-remainder-time.json",
    ] {
        let ds = load(rel);
        assert_eq!(ds.series.len(), 1, "{rel}");
        assert_eq!(series(&ds, "slothCount", &[("city", "LGA")]), (times.clone(), vec![3.0, 5.0]), "{rel}");
    }
    let ds = load("dataplane/timeseries-wide_one-item-no-name-or-labels.json");
    assert_eq!(series(&ds, "", &[]), (times.clone(), vec![3.0, 5.0]));
    let ds = load("dataplane/timeseries-wide_two-items-by-dimension.json");
    assert_eq!(series(&ds, "slothCount", &[("city", "MIA")]), (times, vec![6.0, 9.0]));
}

// ---- loki ---------------------------------------------------------------------------------

type Labels = Vec<(String, String)>;

/// (time, body, resource, metadata, level) of every log row.
fn log_rows(ds: &Dataset) -> Vec<(i64, String, Labels, Labels, Level)> {
    (0..ds.logs.len())
        .map(|i| {
            (
                ds.logs.time_ns[i],
                ds.logs.body(i).to_string(),
                sorted(ds.label_pairs(ds.logs.resource[i])),
                sorted(ds.label_pairs(ds.logs.metadata[i])),
                ds.logs.level[i],
            )
        })
        .collect()
}

#[test]
fn loki_empty_response_is_recognised() {
    let ds = load("loki/empty.golden.jsonc");
    assert!(no_rows(&ds));
    assert_eq!(ds.diagnostics.total(), 0);
}

#[test]
fn loki_streams_take_exact_ns_from_ts_ns_and_split_labels() {
    let ds = load("loki/streams_simple.golden.jsonc");
    let rows = log_rows(&ds);
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[0].0, 1_645_030_244_810_757_120);
    assert_eq!(rows[0].1, "log line error 1");
    assert_eq!(rows[0].2, sorted([("code", "one\","), ("location", "moon🌙")]));
    assert!(rows[0].3.is_empty(), "row ids are not metadata");
    assert_eq!(rows[5].0, 1_645_030_244_091_700_992);
    // No level field: each record is at its body's level (`log line error 1` is an error).
    assert_eq!(rows[0].4, Level::Error);
    assert!(rows.iter().all(|r| r.4 == Level::in_text(&r.1) && r.4 != Level::Unknown));

    let ds = load("loki/streams_structured_metadata.golden.jsonc");
    let rows = log_rows(&ds);
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|r| r.2.is_empty() && r.3.is_empty()));
    assert_eq!((rows[3].0, rows[3].1.as_str()), (1_645_030_246_277_587_968, "log line info 2"));

    // labelTypes: I is a stream label, P a parsed one (metadata).
    let ds = load("loki/streams_structured_metadata_2.golden.jsonc");
    let rows = log_rows(&ds);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].0, 1_704_895_296_244_577_000);
    assert_eq!(rows[0].1, r#"{"field2":"two"}"#);
    assert_eq!(rows[0].2, sorted([("code", "\",two"), ("location", "moon🌙")]));
    assert_eq!(rows[0].3, sorted([("field2", "two")]));
    assert_eq!(rows[2].3, sorted([("field1", "one")]));
    assert_eq!(ds.logs.resource[0], ds.logs.resource[2], "one stream");
}

#[test]
fn loki_parse_errors_stay_with_their_lines() {
    let ds = load("loki/streams_parse_errors.golden.jsonc");
    let rows = log_rows(&ds);
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0].0, 1_655_448_591_000_000_000);
    assert_eq!(rows[0].1, "\"hello1");
    assert_eq!(rows[0].2, sorted([("place", "moon")]));
    assert_eq!(rows[0].3, sorted([("__error__", "LogfmtParserErr")]));
    assert_eq!(rows[3].2, sorted([("place", "moon"), ("text", "hello4")]));
    assert!(rows[3].3.is_empty());
}

#[test]
fn loki_converter_frame_without_meta_is_read_as_logs() {
    let ds = load("loki/loki-streams-structured-metadata-frame.jsonc");
    let rows = log_rows(&ds);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, 1_697_025_310_236_000_000);
    assert_eq!(rows[0].1, "text");
    assert_eq!(rows[0].2, sorted([("label", "value")]));
    assert_eq!(rows[0].3, sorted([("nonIndexed", "value")]));
}

#[test]
fn loki_matrices_keep_gaps_and_special_values() {
    let ds = load("loki/matrix_gap.golden.jsonc");
    let (t, v) = series(&ds, "Value", &[]);
    assert_eq!(v, [50.0, 57.0, 55.0, 54.0, 55.0, 56.0]);
    assert_eq!(t[3] - t[2], 1_800_000 * MS, "the 30-minute gap is not filled");

    let ds = load("loki/matrix_inf.golden.jsonc");
    let (t, v) = series(&ds, "Value", &[("level", "info"), ("location", "moon"), ("protocol", "http")]);
    assert_eq!(t.len(), 8);
    assert_eq!(v, [f64::INFINITY, f64::NEG_INFINITY].repeat(4));

    let ds = load("loki/matrix_nan.golden.jsonc");
    let (t, v) = series(&ds, "Value", &[]);
    assert_eq!(t, ms(&[1_643_014_450_417, 1_643_014_750_517, 1_643_014_450_617]));
    assert!(v.len() == 3 && v.iter().all(|x| x.is_nan()));

    let ds = load("loki/matrix_simple.golden.jsonc");
    assert_eq!(ds.series.len(), 2);
    assert_eq!(series(&ds, "Value", &[("level", "error"), ("location", "moon")]).1, [0.4, 0.2, 0.2, 0.6]);
    assert_eq!(series(&ds, "Value", &[("level", "info"), ("location", "mars")]).1, [0.6, 0.8, 0.8, 0.8, 2.6]);
}

#[test]
fn loki_vectors_are_one_point_series() {
    let ds = load("loki/vector_simple.golden.jsonc");
    assert_eq!(ds.series.len(), 2);
    assert!((0..2).all(|i| ds.series.points(i).0.len() == 1));
    let ds = load("loki/vector_special_values.golden.jsonc");
    assert_eq!(series(&ds, "Value", &[("level", "error"), ("location", "moon")]), (ms(&[1_645_029_699_000]), vec![f64::INFINITY]));
    assert_eq!(series(&ds, "Value", &[("level", "info"), ("location", "moon")]).1, [f64::NEG_INFINITY]);
    assert!(series(&ds, "Value", &[("level", "debug"), ("location", "moon")]).1[0].is_nan());
}

// ---- prometheus ---------------------------------------------------------------------------

#[test]
fn prometheus_exemplars_keep_series_labels_and_trace_ids() {
    let ds = load("prometheus/prom-exemplars-frame.jsonc");
    assert_eq!(ds.exemplars.len(), 3);
    let labels = |i: usize| sorted(ds.label_pairs(ds.exemplars.labels[i]));
    let series_labels = |i: usize| sorted(ds.label_pairs(ds.exemplars.series_labels[i]));
    assert_eq!((ds.exemplars.time_ns[0], ds.exemplars.value[0]), (1_600_096_945_479 * MS, 6.0));
    assert_eq!(labels(0), sorted([("traceID", "EpTxMJ40fUus7aGY"), ("a", "not in next")]));
    assert_eq!(
        series_labels(0),
        sorted([("__name__", "test_exemplar_metric_total"), ("instance", "localhost:8090"), ("job", "prometheus"), ("service", "bar")])
    );
    assert_eq!(labels(2), sorted([("traceID", "hCtjygkIHwAN9vs4")]));
    assert_eq!(ds.exemplars.value[2], 20.0);
    // These ids are neither hex nor base64 of 8 or 16 bytes: kept as labels, not parsed.
    assert!(ds.exemplars.trace.iter().all(Option::is_none));
    assert!(ds.exemplars.series.iter().all(Option::is_none));
}

#[test]
fn prometheus_matrices_and_vectors_are_named_by_metric() {
    let ds = load("prometheus/prom-matrix-frame.jsonc");
    let times = ms(&[1_435_781_430_781, 1_435_781_445_781, 1_435_781_460_781]);
    assert_eq!(series(&ds, "up", &[("instance", "localhost:9090"), ("job", "prometheus")]), (times.clone(), vec![1.0, 1.0, 1.0]));
    assert_eq!(series(&ds, "up", &[("instance", "localhost:9091"), ("job", "node")]), (times, vec![0.0, 0.0, 1.0]));

    let ds = load("prometheus/prom-matrix-with-nans-frame.jsonc");
    let (_, v) = series(&ds, "Value", &[("handler", "/api/v1/query_range"), ("job", "prometheus")]);
    assert!(v[0] == f64::INFINITY && v[1].is_nan() && v[2] == f64::NEG_INFINITY);

    let ds = load("prometheus/prom-scalar-frame.jsonc");
    assert_eq!(series(&ds, "Value", &[]), (ms(&[1_651_680_139_104]), vec![2.482e-05]));

    let ds = load("prometheus/prom-vector-frame.jsonc");
    assert_eq!(ds.series.len(), 5);
    assert_eq!(series(&ds, "up", &[("instance", "localhost:9100"), ("job", "node")]).1, [0.0]);
    assert_eq!(series(&ds, "Value", &[("level", "info"), ("location", "moon")]).1, [f64::NEG_INFINITY]);

    let ds = load("prometheus/range_missing.result.golden.jsonc");
    assert_eq!(
        series(&ds, "go_goroutines", &[("job", "prometheus")]),
        (ms(&[1_641_889_533_000, 1_641_889_534_000, 1_641_889_537_000]), vec![21.0, 32.0, 43.0])
    );
}

#[test]
fn prometheus_string_results_are_reported_not_analysed() {
    let ds = load("prometheus/prom-string-frame.jsonc");
    assert!(no_rows(&ds));
    assert_eq!(
        warnings(&ds),
        ["prometheus/prom-string-frame.jsonc, frame #0: frame not analysed: time series without a numeric value field"]
    );
}

// ---- traces -------------------------------------------------------------------------------

#[test]
fn jaeger_trace_frames_become_spans() {
    for rel in ["traces/jaeger-simple_trace.golden.jsonc", "traces/jaeger-mockTraceResponse.json"] {
        let ds = load(rel);
        let s = &ds.spans;
        assert_eq!(s.len(), 2, "{rel}");
        let trace = TraceId::parse("3fa414edcef6ad90").unwrap();
        assert_eq!((s.trace[0], s.trace[1]), (trace, trace));
        assert_eq!(s.span[1], SpanId::parse("0f5c1808567e4403").unwrap());
        assert_eq!((s.parent[0], s.parent[1]), (None, Some(SpanId::parse("3fa414edcef6ad90").unwrap())));
        assert_eq!(ds.strings.resolve(s.operation[0]), "HTTP GET - api_traces_traceid");
        assert_eq!((s.start_ns[0], s.duration_ns[0]), (1_605_873_894_680_409_000, 1_049_141_000));
        assert_eq!((s.start_ns[1], s.duration_ns[1]), (1_605_873_894_680_587_000, 1_847_000));
        assert_eq!(ds.label(s.resource[0], "service.name"), Some("tempo-querier"), "{rel}");
        assert!(s.status.iter().all(|st| *st == SpanStatus::Unset));
        assert_eq!(ds.diagnostics.total(), 0, "{rel}");
    }
    let ds = load("traces/jaeger-simple_trace.golden.jsonc");
    let s = &ds.spans;
    assert_eq!(
        sorted(ds.label_pairs(s.resource[1])),
        sorted([("cluster", "ops-tools1"), ("container", "tempo-query"), ("service.name", "tempo-querier")])
    );
    assert_eq!(sorted(ds.label_pairs(s.attributes[0])), sorted([("sampler.type", "probabilistic"), ("sampler.param", "1")]));
    assert_eq!((s.kind[0], s.kind[1]), (SpanKind::Unspecified, SpanKind::Client));
}

#[test]
fn trace_search_tables_and_node_graphs_are_recognised_and_left_alone() {
    for rel in [
        "traces/jaeger-mockSearchResponse.json",
        "traces/jaeger-search_single_response.golden.jsonc",
        "traces/jaeger-simple_dependencies_edges.golden.jsonc",
        "traces/jaeger-simple_dependencies_nodes.golden.jsonc",
    ] {
        let ds = load(rel);
        assert!(no_rows(&ds), "{rel}");
        assert_eq!(ds.diagnostics.total(), 0, "{rel}");
    }
    // The search golden's start time carries sub-millisecond nanos.
    let f = frames("traces/jaeger-search_single_response.golden.jsonc");
    assert_eq!(f[0].field("startTime").unwrap().values, Column::Time(vec![Some(1_605_873_894_680_409_000)]));
    assert_eq!(f[0].field("duration").unwrap().values, Column::Int(vec![Some(1000)]));
}

// ---- the same frames as Arrow IPC ---------------------------------------------------------

/// Every row of a dataset as text, NaN-safe, so two decodings can be compared whole.
#[cfg(feature = "arrow")]
fn dump(ds: &Dataset) -> String {
    use std::fmt::Write;
    let labels = |id| format!("{:?}", ds.label_pairs(id).collect::<Vec<_>>());
    let mut out = String::new();
    let s = &ds.spans;
    for i in 0..s.len() {
        let status = s.status_message[i].map(|m| ds.strings.resolve(m));
        let op = ds.strings.resolve(s.operation[i]);
        let _ = writeln!(
            out,
            "span {} {} {:?} {op} {:?} {} {} {:?} {status:?} {} {}",
            s.trace[i],
            s.span[i],
            s.parent[i],
            s.kind[i],
            s.start_ns[i],
            s.duration_ns[i],
            s.status[i],
            labels(s.resource[i]),
            labels(s.attributes[i])
        );
    }
    let l = &ds.logs;
    for i in 0..l.len() {
        let _ = writeln!(out, "log {} {:?} {:?} {} {}", l.time_ns[i], l.body(i), l.level[i], labels(l.resource[i]), labels(l.metadata[i]));
    }
    for i in 0..ds.series.len() {
        let _ = writeln!(out, "series {} {} {:?}", ds.strings.resolve(ds.series.name[i]), labels(ds.series.labels[i]), ds.series.points(i));
    }
    let e = &ds.exemplars;
    for i in 0..e.len() {
        let _ = writeln!(
            out,
            "exemplar {:?} {} {} {} {:?} {:?} {:?}",
            e.series[i],
            e.time_ns[i],
            e.value[i],
            labels(e.labels[i]),
            labels(e.series_labels[i]),
            e.trace[i],
            e.span[i]
        );
    }
    for d in ds.diagnostics.entries() {
        let _ = writeln!(out, "diagnostic {:?} {:?} {:?} {}", d.severity, d.place.frame, d.place.field, d.reason);
    }
    out
}

/// Frames written the way grafana-plugin-sdk-go writes them: one IPC stream per frame, frame
/// name, refId and meta in the schema metadata, field name, labels and config in field metadata.
#[cfg(feature = "arrow")]
fn sdk_ipc(frames: &[Frame]) -> Vec<u8> {
    use std::collections::HashMap;
    use std::sync::Arc;

    use arrow_array::{
        ArrayRef, BinaryArray, BooleanArray, Float64Array, Int64Array, RecordBatch, RecordBatchOptions, StringArray,
        TimestampNanosecondArray,
    };
    use arrow_schema::{DataType, Field as ArrowField, Schema, TimeUnit};

    let mut out = Vec::new();
    for frame in frames {
        let mut fields = Vec::new();
        let mut arrays: Vec<ArrayRef> = Vec::new();
        for field in &frame.fields {
            let texts =
                |c: &rootspan_core::ingest::frame::StrColumn| (0..c.len()).map(|i| c.get(i).map(str::to_string)).collect::<Vec<_>>();
            let (data_type, array): (DataType, ArrayRef) = match &field.values {
                Column::Time(v) => (DataType::Timestamp(TimeUnit::Nanosecond, None), Arc::new(TimestampNanosecondArray::from(v.clone()))),
                Column::Int(v) => (DataType::Int64, Arc::new(Int64Array::from(v.clone()))),
                Column::Number(v) => (DataType::Float64, Arc::new(Float64Array::from(v.clone()))),
                Column::Boolean(v) => (DataType::Boolean, Arc::new(BooleanArray::from(v.clone()))),
                Column::String(c) => (DataType::Utf8, Arc::new(StringArray::from(texts(c)))),
                Column::Json(c) => (
                    DataType::Binary,
                    Arc::new(BinaryArray::from(texts(c).iter().map(|t| t.as_deref().map(str::as_bytes)).collect::<Vec<_>>())),
                ),
            };
            let mut md = HashMap::from([("name".to_string(), field.name.clone())]);
            if !field.labels.is_empty() {
                md.insert("labels".into(), serde_json::to_string(&field.labels).unwrap());
            }
            if !field.config.is_null() {
                md.insert("config".into(), field.config.to_string());
            }
            fields.push(ArrowField::new(field.name.clone(), data_type, true).with_metadata(md));
            arrays.push(array);
        }
        let mut md = HashMap::from([
            ("name".to_string(), frame.name.clone().unwrap_or_default()),
            ("refId".to_string(), frame.ref_id.clone().unwrap_or_default()),
        ]);
        if !frame.meta.is_null() {
            md.insert("meta".into(), frame.meta.to_string());
        }
        let schema = Arc::new(Schema::new(fields).with_metadata(md));
        let batch = RecordBatch::try_new_with_options(schema.clone(), arrays, &RecordBatchOptions::new().with_row_count(Some(frame.len())))
            .unwrap();
        let mut w = arrow_ipc::writer::StreamWriter::try_new(Vec::new(), &schema).unwrap();
        w.write(&batch).unwrap();
        out.extend(w.into_inner().unwrap());
    }
    out
}

#[cfg(feature = "arrow")]
#[test]
fn every_fixture_reads_the_same_from_arrow_ipc() {
    use rootspan_core::ingest::arrow;
    for rel in COVERED {
        let mut from_json = Dataset::default();
        assert!(frames_json::try_decode(&mut from_json, rel, &json(rel)));
        let frames = frames(rel);
        if frames.is_empty() {
            assert_eq!(rel, "loki/empty.golden.jsonc", "only the empty response has no frame to write");
            continue;
        }
        let mut from_arrow = Dataset::default();
        assert!(arrow::try_decode(&mut from_arrow, rel, &sdk_ipc(&frames)), "{rel}");
        assert_eq!(from_arrow.sources[0].format, "arrow-ipc");
        assert_eq!(dump(&from_arrow), dump(&from_json), "{rel}");
    }
}
