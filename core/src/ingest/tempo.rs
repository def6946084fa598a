//! Tempo HTTP API: trace by id (`/api/traces/<id>`: `{batches:[ResourceSpans]}`, the
//! legacy body with `instrumentationLibrarySpans`; `/api/v2/traces/<id>`: `{trace:{...}}`),
//! and the responses that list rather than carry spans (search, tag names and values),
//! which are recognised and reported as having nothing to analyse.
//!
//! A body with top-level `resourceSpans` is plain OTLP JSON and is read by `otlp`.

use serde_json::Value;

use super::json_util::{array, get};
use super::otlp;
use crate::diag::Place;
use crate::model::Dataset;

pub fn try_decode(ds: &mut Dataset, input: &str, value: &Value) -> bool {
    // v2 wraps the trace: `{"trace": {"resourceSpans"|"batches": [...]}, "status": ...}`.
    let (trace, path) = match get(value, &["trace"]) {
        Some(inner) if inner.is_object() => (inner, "trace."),
        _ => (value, ""),
    };
    if let Some(batches) = get(trace, &["batches"]).and_then(Value::as_array) {
        let mut decoder = otlp::Decoder::new(input, "tempo-trace");
        decoder.resource_spans(ds, batches, &format!("{path}batches"));
        decoder.finish(ds);
        return true;
    }
    if !path.is_empty() && otlp::is_otlp(trace) {
        let mut decoder = otlp::Decoder::new(input, "tempo-trace");
        decoder.document(ds, trace, path);
        decoder.finish(ds);
        return true;
    }
    let listing = if is_search(value) {
        "tempo-search"
    } else if ["tagNames", "scopes", "tagValues"].iter().any(|k| get(value, &[k]).is_some_and(Value::is_array)) {
        "tempo-tags"
    } else {
        return false;
    };
    ds.add_source(input, listing);
    if listing == "tempo-search" {
        let n = array(value, &["traces"]).len();
        ds.diagnostics.warn(Place::input(input), format!("search result lists {n} traces; fetch them by id to analyse their spans"));
    }
    true
}

/// `{traces: [{traceID, rootServiceName, ...}], metrics}`: an empty list counts when
/// `metrics` is there too.
fn is_search(value: &Value) -> bool {
    let Some(traces) = get(value, &["traces"]).and_then(Value::as_array) else { return false };
    if traces.is_empty() {
        return get(value, &["metrics"]).is_some();
    }
    traces.iter().all(|t| get(t, &["traceID", "traceId"]).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn v2_wrapped_trace_and_listings() {
        let span =
            json!({"traceId":"AAAAAAAAAABguiq7RPE+rg==","spanId":"cmteMBAvwNA=","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"3"});
        let mut ds = Dataset::default();
        assert!(try_decode(&mut ds, "v2", &json!({"trace":{"resourceSpans":[{"scopeSpans":[{"spans":[span.clone()]}]}]}})));
        assert!(try_decode(&mut ds, "v1", &json!({"trace":{"batches":[{"scopeSpans":[{"spans":[span]}]}]}})));
        assert_eq!(ds.spans.len(), 2);
        assert_eq!(ds.spans.trace[0].to_string(), "000000000000000060ba2abb44f13eae");
        assert_eq!(ds.spans.duration_ns[0], 2);
        assert!(try_decode(&mut ds, "s", &json!({"traces":[],"metrics":{}})));
        assert!(try_decode(&mut ds, "t", &json!({"tagNames":["a"]})));
        assert!(!try_decode(&mut ds, "x", &json!({"traces":[{"id":1}]})));
        assert!(!try_decode(&mut ds, "r", &json!({"resourceSpans":[]})));
        let formats: Vec<&str> = ds.sources.iter().map(|s| s.format.as_str()).collect();
        assert_eq!(formats, ["tempo-trace", "tempo-trace", "tempo-search", "tempo-tags"]);
    }
}
