//! Loki HTTP API logs: `query_range` / `query` responses with `resultType: "streams"`, and
//! push payloads (`{"streams":[...]}`), which carry streams in the same shape.
//!
//! Values are `[ns, line]`, or `[ns, line, {structuredMetadata, parsed}]` when the request
//! asked for `categorize-labels` (older Loki wrote a flat metadata object there). Stream
//! labels become the record's `resource`; structured metadata and parsed labels its
//! `metadata`, every key kept, since `correlate` looks for trace ids there. Loki metric
//! queries (`matrix`, `vector`) share the Prometheus shape and are read by `prometheus`.

use serde_json::Value;

use super::json_util::{get, object_labels, text, time_ns, LabelBuilder};
use crate::diag::Place;
use crate::model::{Dataset, LabelSetId, Level, LogRow, SourceId};

/// Label keys Grafana reads a level from (`level ?? detected_level`), plus common aliases.
const LEVEL_KEYS: &[&str] = &["level", "detected_level", "lvl", "severity"];

pub fn try_decode(ds: &mut Dataset, input: &str, value: &Value) -> bool {
    let (streams, format) = match (value.get("data"), value.get("streams")) {
        (Some(data), _) if data.get("resultType").and_then(Value::as_str) == Some("streams") => (data.get("result"), "loki-query-range"),
        (None, Some(streams)) if streams.as_array().is_some_and(|a| a.iter().all(|s| s.get("stream").is_some())) => {
            (Some(streams), "loki-push")
        }
        _ => return false,
    };
    let source = ds.add_source(input, format);
    if let Some(status) = value.get("status").and_then(Value::as_str).filter(|s| *s != "success") {
        ds.diagnostics.warn(Place::input(input), format!("response status {status:?}"));
    }
    let Some(streams) = streams.and_then(Value::as_array) else {
        ds.diagnostics.skip(Place::input(input).field("data.result"), "streams result is not an array");
        return true;
    };
    for (i, stream) in streams.iter().enumerate() {
        decode_stream(ds, input, source, i, stream);
    }
    true
}

fn decode_stream(ds: &mut Dataset, input: &str, source: SourceId, index: usize, stream: &Value) {
    let place = || Place::input(input).frame(format!("stream {index}"));
    let labels = stream.get("stream").unwrap_or(&Value::Null);
    let resource = object_labels(ds, labels);
    let stream_level = level_from(labels);
    let Some(values) = stream.get("values").and_then(Value::as_array) else {
        ds.diagnostics.skip(place().field("values"), "stream without a values array");
        return;
    };
    for (row, entry) in values.iter().enumerate() {
        let (Some(ts), Some(line)) = (entry.get(0), entry.get(1).and_then(Value::as_str)) else {
            ds.diagnostics.skip(place().row(row), "entry is not [timestamp, line]");
            continue;
        };
        let time_ns = match time_ns(ts) {
            Ok(t) => t,
            Err(e) => {
                ds.diagnostics.skip(place().field("timestamp").row(row), format!("log line skipped: {e}"));
                continue;
            }
        };
        let (metadata, meta_level) = match entry.get(2) {
            Some(meta) => metadata(ds, meta),
            None => (LabelSetId(0), None),
        };
        // No level label: the record is at its line's level (`LogTable::push`).
        let level = stream_level.or(meta_level).unwrap_or_default();
        ds.logs.push(LogRow { time_ns, resource, metadata, level, trace: None, span: None, body: line, source });
    }
}

/// The third element of a value: `{structuredMetadata: {...}, parsed: {...}}`, or a flat
/// object of structured metadata. Returns the set and a level found in it.
fn metadata(ds: &mut Dataset, meta: &Value) -> (LabelSetId, Option<Level>) {
    let Some(obj) = meta.as_object() else { return (LabelSetId(0), None) };
    if obj.is_empty() {
        return (LabelSetId(0), None);
    }
    let categorized = [get(meta, &["structuredMetadata"]), get(meta, &["parsed"])];
    let mut labels = LabelBuilder::new();
    let mut level = None;
    if categorized.iter().any(Option::is_some) {
        for part in categorized.into_iter().flatten() {
            labels.push_object(ds, part);
            level = level.or_else(|| level_from(part));
        }
    } else {
        labels.push_object(ds, meta);
        level = level_from(meta);
    }
    (labels.finish(ds), level)
}

fn level_from(labels: &Value) -> Option<Level> {
    LEVEL_KEYS.iter().find_map(|k| labels.get(*k)).map(|v| Level::from_text(&text(v)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn categorized_metadata_and_levels() {
        let mut ds = Dataset::default();
        let doc = json!({"status":"success","data":{"resultType":"streams","encodingFlags":["categorize-labels"],"result":[
            {"stream":{"app":"a"},"values":[
                ["1697025310236000001","ERROR boom",{"structuredMetadata":{"trace_id":"abc"},"parsed":{"level":"warn"}}],
                ["1697025310236000000","no level here",{}],
                ["bad","x"],
                ["5"]
            ]},
            {"stream":{"app":"b","level":"debug"},"values":[["7","INFO says the line",{"trace_id":"flat"}]]}
        ]}});
        assert!(try_decode(&mut ds, "q", &doc));
        assert_eq!(ds.logs.len(), 3);
        assert_eq!(ds.logs.time_ns[0], 1_697_025_310_236_000_001);
        assert_eq!(ds.label(ds.logs.metadata[0], "trace_id"), Some("abc"));
        assert_eq!(ds.label(ds.logs.metadata[0], "level"), Some("warn"));
        assert_eq!(ds.logs.level[0], Level::Warning);
        assert_eq!(ds.logs.level[1], Level::Unknown);
        assert_eq!(ds.logs.metadata[1], LabelSetId(0));
        assert_eq!(ds.logs.level[2], Level::Debug);
        assert_eq!(ds.label(ds.logs.metadata[2], "trace_id"), Some("flat"));
        assert_eq!(ds.label(ds.logs.resource[2], "app"), Some("b"));
        assert_eq!(ds.diagnostics.count(crate::diag::Severity::Skipped), 2);
    }

    #[test]
    fn sentinel_timestamps_are_skipped_and_named() {
        let mut ds = Dataset::default();
        let doc = json!({"streams":[{"stream":{"a":"1"},"values":[["-1","x"],["-9223372036854775808","x"],["9223372036854775807","x"],["5","kept"]]}]});
        assert!(try_decode(&mut ds, "push", &doc));
        assert_eq!(ds.logs.len(), 1);
        assert_eq!(ds.diagnostics.count(crate::diag::Severity::Skipped), 3);
        assert_eq!(
            ds.diagnostics.entries()[2].to_string(),
            "push, frame stream 0, field timestamp, row 2: log line skipped: time 9223372036854775807 ns is outside the accepted range 1970-01-01..2200-01-01"
        );
    }

    #[test]
    fn push_payloads_and_non_loki() {
        let mut ds = Dataset::default();
        assert!(try_decode(&mut ds, "push", &json!({"streams":[{"stream":{"a":"1"},"values":[["1","x"]]}]})));
        assert_eq!(ds.sources[0].format, "loki-push");
        assert!(!try_decode(&mut ds, "m", &json!({"status":"success","data":{"resultType":"matrix","result":[]}})));
        assert!(!try_decode(&mut ds, "o", &json!({"streams":[{"x":1}]})));
    }
}
