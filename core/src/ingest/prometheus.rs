//! Prometheus HTTP API responses (`{status, data, warnings, infos}` or `{status:"error",
//! errorType, error}`): query and query_range (`matrix`, `vector`, `scalar`), query_exemplars,
//! and the metadata endpoints (labels, label values, series), which carry nothing to
//! analyse. Loki metric queries answer in the same shape and are read here too.
//!
//! Error responses are reported as errors, not read as empty data; `warnings` and `infos`
//! become warning diagnostics.

use std::collections::HashMap;

use serde_json::Value;

use super::json_util::{float, object_labels, seconds_to_ns, str_at, LabelBuilder};
use crate::diag::Place;
use crate::id::{SpanId, TraceId};
use crate::model::{Dataset, ExemplarRow, LabelSetId, SourceId, Sym};

/// Exemplar label names that carry a trace id, in the order they are tried.
const TRACE_LABELS: &[&str] = &["traceID", "trace_id", "traceId"];
const SPAN_LABELS: &[&str] = &["spanID", "span_id", "spanId"];

pub fn try_decode(ds: &mut Dataset, input: &str, value: &Value) -> bool {
    let Some(status) = value.get("status").and_then(Value::as_str) else { return false };
    if status == "error" && (value.get("error").is_some() || value.get("errorType").is_some()) {
        ds.add_source(input, "prometheus-error");
        let kind = str_at(value, &["errorType"]).unwrap_or("error");
        let message = value.get("error").map_or(std::borrow::Cow::Borrowed(""), super::json_util::text);
        ds.diagnostics.error(Place::input(input), format!("error response ({kind}): {message}"));
        notes(ds, input, value);
        return true;
    }
    let Some(data) = value.get("data") else { return false };
    let format = match data {
        Value::Object(_) => match str_at(data, &["resultType"]) {
            Some("matrix" | "vector" | "scalar" | "string") if data.get("stats").is_some() => "loki-query-range",
            Some("matrix" | "vector" | "scalar" | "string") => "prometheus-query",
            _ => return false,
        },
        Value::Array(items) if items.iter().all(|i| i.get("exemplars").is_some()) => "prometheus-exemplars",
        Value::Array(items) if items.iter().all(Value::is_string) => "prometheus-labels",
        Value::Array(items) if items.iter().all(|i| i.as_object().is_some_and(|o| o.values().all(Value::is_string))) => "prometheus-series",
        Value::Null => "prometheus-empty",
        _ => return false,
    };
    if status != "success" {
        ds.diagnostics.warn(Place::input(input), format!("response status {status:?}"));
    }
    let source = ds.add_source(input, format);
    notes(ds, input, value);
    match format {
        "prometheus-exemplars" => exemplars(ds, input, source, data),
        "prometheus-labels" | "prometheus-series" | "prometheus-empty" => {}
        _ => query_result(ds, input, source, data),
    }
    true
}

/// `warnings` and `infos`: kept as warnings, they say the data may be partial.
fn notes(ds: &mut Dataset, input: &str, value: &Value) {
    for key in ["warnings", "infos"] {
        for note in value.get(key).and_then(Value::as_array).map_or(&[][..], Vec::as_slice) {
            ds.diagnostics.warn(Place::input(input).field(key), super::json_util::text(note).into_owned());
        }
    }
}

fn query_result(ds: &mut Dataset, input: &str, source: SourceId, data: &Value) {
    let result = data.get("result").unwrap_or(&Value::Null);
    match str_at(data, &["resultType"]) {
        Some("matrix") | Some("vector") => {
            let Some(items) = result.as_array() else {
                ds.diagnostics.skip(Place::input(input).field("data.result"), "result is not an array");
                return;
            };
            for (i, item) in items.iter().enumerate() {
                series(ds, input, source, i, item);
            }
        }
        Some("scalar") => {
            let name = ds.strings.intern("scalar");
            match sample(result) {
                Some(point) => {
                    ds.series.push(name, LabelSetId(0), source, [point]);
                }
                None => ds.diagnostics.skip(Place::input(input).field("data.result"), "scalar is not [time, value]"),
            }
        }
        // A string result has no series.
        _ => {}
    }
}

/// One `{metric, values}` (matrix) or `{metric, value}` (vector) entry.
fn series(ds: &mut Dataset, input: &str, source: SourceId, index: usize, item: &Value) {
    let place = || Place::input(input).frame(format!("series {index}"));
    let metric = item.get("metric").unwrap_or(&Value::Null);
    let (name, labels) = name_and_labels(ds, metric);
    let mut points = Vec::new();
    let samples: &[Value] = match (item.get("values"), item.get("value")) {
        (Some(Value::Array(values)), _) => values,
        (_, Some(value)) => std::slice::from_ref(value),
        _ => &[],
    };
    for (row, s) in samples.iter().enumerate() {
        match sample(s) {
            Some(p) => points.push(p),
            None => ds.diagnostics.skip(place().row(row), "sample is not [time, value]"),
        }
    }
    if item.get("histograms").is_some() || item.get("histogram").is_some() {
        ds.diagnostics.skip(place().field("histograms"), "native histogram samples are not read");
    }
    ds.series.push(name, labels, source, points);
}

/// `[1674981669.074, "2.31"]` as (ns, value).
fn sample(v: &Value) -> Option<(i64, f64)> {
    let pair = v.as_array().filter(|a| a.len() == 2)?;
    Some((seconds_to_ns(&pair[0])?, float(&pair[1])?))
}

/// `__name__` apart, the rest as the series label set.
fn name_and_labels(ds: &mut Dataset, metric: &Value) -> (Sym, LabelSetId) {
    let name = ds.strings.intern(str_at(metric, &["__name__"]).unwrap_or(""));
    let mut labels = LabelBuilder::new();
    if let Some(map) = metric.as_object() {
        for (k, v) in map.iter().filter(|(k, _)| k.as_str() != "__name__") {
            labels.push(ds, k, &super::json_util::text(v));
        }
    }
    (name, labels.finish(ds))
}

fn exemplars(ds: &mut Dataset, input: &str, source: SourceId, data: &Value) {
    // Series already in the dataset (an earlier query_range input), by name and labels.
    let known: HashMap<(Sym, LabelSetId), u32> =
        (0..ds.series.len()).map(|i| ((ds.series.name[i], ds.series.labels[i]), i as u32)).collect();
    for (i, group) in data.as_array().map_or(&[][..], Vec::as_slice).iter().enumerate() {
        let series_labels_json = group.get("seriesLabels").unwrap_or(&Value::Null);
        let series_labels = object_labels(ds, series_labels_json);
        let series = {
            let (name, labels) = name_and_labels(ds, series_labels_json);
            known.get(&(name, labels)).copied()
        };
        let list = group.get("exemplars").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
        for (row, e) in list.iter().enumerate() {
            let place = || Place::input(input).frame(format!("exemplars {i}")).row(row);
            let labels_json = e.get("labels").unwrap_or(&Value::Null);
            let (Some(time_ns), Some(value)) = (e.get("timestamp").and_then(seconds_to_ns), e.get("value").and_then(float)) else {
                ds.diagnostics.skip(place(), "exemplar without a timestamp or value");
                continue;
            };
            let trace = label_id(ds, labels_json, TRACE_LABELS, TraceId::parse, &place);
            let span = label_id(ds, labels_json, SPAN_LABELS, SpanId::parse, &place);
            let labels = object_labels(ds, labels_json);
            ds.exemplars.push(ExemplarRow { series, series_labels, labels, time_ns, value, trace, span, source });
        }
    }
}

/// The first of `keys` in an exemplar's labels, parsed; an unparsable id is reported and dropped.
fn label_id<T, E: std::fmt::Display>(
    ds: &mut Dataset,
    labels: &Value,
    keys: &[&str],
    parse: impl Fn(&str) -> Result<T, E>,
    place: &dyn Fn() -> Place,
) -> Option<T> {
    let (key, text) = keys.iter().find_map(|k| Some((*k, labels.get(*k)?.as_str()?)))?;
    match parse(text) {
        Ok(id) => Some(id),
        Err(e) => {
            ds.diagnostics.skip(place().field(key), format!("id dropped: {e}"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matrix_vector_scalar() {
        let mut ds = Dataset::default();
        let m = json!({"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"__name__":"up","job":"a"},"values":[[1674981669.074,"1"],[1674981670,"NaN"],["x","1"]]}]}});
        assert!(try_decode(&mut ds, "m", &m));
        assert_eq!(ds.series.len(), 1);
        assert_eq!(ds.strings.resolve(ds.series.name[0]), "up");
        assert_eq!(ds.label(ds.series.labels[0], "job"), Some("a"));
        assert_eq!(ds.label(ds.series.labels[0], "__name__"), None);
        let (t, v) = ds.series.points(0);
        assert_eq!(t, &[1_674_981_669_074_000_000, 1_674_981_670_000_000_000]);
        assert!(v[1].is_nan());
        assert_eq!(ds.diagnostics.count(crate::diag::Severity::Skipped), 1);
        let v = json!({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"+Inf"]}]},"warnings":["w"]});
        assert!(try_decode(&mut ds, "v", &v));
        assert_eq!(ds.series.points(1).1[0], f64::INFINITY);
        assert_eq!(ds.diagnostics.count(crate::diag::Severity::Warning), 1);
        assert!(try_decode(&mut ds, "s", &json!({"status":"success","data":{"resultType":"scalar","result":[2,"0.5"]}})));
        assert_eq!(ds.series.points(2), (&[2_000_000_000][..], &[0.5][..]));
    }

    #[test]
    fn errors_are_errors_and_exemplars_find_their_series() {
        let mut ds = Dataset::default();
        assert!(try_decode(&mut ds, "e", &json!({"status":"error","errorType":"bad_data","error":"boom"})));
        assert_eq!(ds.diagnostics.count(crate::diag::Severity::Error), 1);
        assert!(ds.diagnostics.entries()[0].reason.contains("bad_data"));
        let m =
            json!({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"x","a":"1"},"values":[[1,"1"]]}]}});
        try_decode(&mut ds, "m", &m);
        let ex = json!({"status":"success","data":[{"seriesLabels":{"__name__":"x","a":"1"},"exemplars":[
            {"labels":{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"},"value":"2","timestamp":1.5},
            {"labels":{"traceID":"nope"},"value":3,"timestamp":2}]}]});
        assert!(try_decode(&mut ds, "x", &ex));
        assert_eq!(ds.exemplars.len(), 2);
        assert_eq!(ds.exemplars.series[0], Some(0));
        assert_eq!(ds.exemplars.trace[0].unwrap().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(ds.exemplars.span[0].unwrap().to_string(), "00f067aa0ba902b7");
        assert_eq!(ds.exemplars.time_ns[0], 1_500_000_000);
        assert_eq!(ds.exemplars.trace[1], None);
        assert_eq!(ds.label(ds.exemplars.series_labels[0], "__name__"), Some("x"));
        assert!(!try_decode(&mut ds, "j", &json!({"data":[{"traceID":"1"}]})));
    }
}
