//! Jaeger HTTP API traces:
//! - v1 (`/api/traces[/<id>]`): `{data:[trace], total, limit, offset, errors}`, each trace
//!   `{traceID, spans, processes}` with `processID` per span, typed tags, references;
//! - a single v1 trace object, and the UI's span-array export (`process` inline per span);
//! - api/v3 (`/api/v3/traces/<id>`): `{result:{resourceSpans}}`, OTLP JSON inside;
//! - listings (services, operations, api/v3 trace summaries): recognised, nothing to analyse;
//! - error envelopes (`errors:[{code,msg}]`, v3 `{error:{httpCode,message}}`): errors.
//!
//! Times are µs since the epoch; process tags become the span's `resource` with
//! `service.name` from `serviceName`; `span.kind`, `error` and `otel.status_*` tags give
//! kind and status.

use std::collections::HashMap;

use serde_json::Value;

use super::json_util::{array, get, int, str_at, text, LabelBuilder};
use super::otlp;
use crate::diag::Place;
use crate::id::{IdError, SpanId, TraceId};
use crate::model::{Dataset, LabelSetId, SourceId, SpanKind, SpanRow, SpanStatus};

pub fn try_decode(ds: &mut Dataset, input: &str, value: &Value) -> bool {
    if let Some(result) = get(value, &["result"]).filter(|r| otlp::is_otlp(r)) {
        let mut decoder = otlp::Decoder::new(input, "jaeger-api-v3");
        decoder.document(ds, result, "result.");
        decoder.finish(ds);
        return true;
    }
    if let Some(error) = get(value, &["error"]).filter(|e| get(e, &["httpCode", "message"]).is_some()) {
        ds.add_source(input, "jaeger-api-v3");
        ds.diagnostics.error(Place::input(input), format!("error response: {}", text(error)));
        return true;
    }
    if get(value, &["summaries"]).is_some_and(Value::is_array) {
        ds.add_source(input, "jaeger-trace-summaries");
        return true;
    }
    match value {
        Value::Array(spans) if !spans.is_empty() && spans.iter().all(is_span) => {
            let source = ds.add_source(input, "jaeger-ui-spans");
            decode_spans(ds, input, source, spans, None, "spans");
            true
        }
        Value::Object(_) if is_trace(value) => {
            let source = ds.add_source(input, "jaeger-trace");
            decode_trace(ds, input, source, value, "trace");
            true
        }
        Value::Object(_) if is_envelope(value) => {
            envelope(ds, input, value);
            true
        }
        _ => false,
    }
}

fn is_span(v: &Value) -> bool {
    get(v, &["traceID"]).is_some() && get(v, &["spanID"]).is_some()
}

fn is_trace(v: &Value) -> bool {
    get(v, &["spans"]).is_some_and(|s| s.as_array().is_some_and(|a| a.iter().all(is_span))) && get(v, &["traceID", "processes"]).is_some()
}

/// `{data, total, limit, offset, errors}`; `data` alone is too common a key to claim, so
/// one of the other envelope keys must be there, or `data` must hold traces.
fn is_envelope(v: &Value) -> bool {
    let data = get(v, &["data"]);
    let traces = data.and_then(Value::as_array).is_some_and(|a| !a.is_empty() && a.iter().all(is_trace));
    let keys = ["total", "limit", "offset", "errors"].iter().filter(|k| get(v, &[k]).is_some()).count();
    data.is_some() && get(v, &["status"]).is_none() && (traces || keys >= 2)
}

fn envelope(ds: &mut Dataset, input: &str, value: &Value) {
    let data = array(value, &["data"]);
    let format = if data.is_empty() {
        "jaeger-api"
    } else if data.iter().all(Value::is_string) {
        "jaeger-services"
    } else if data.iter().all(|d| get(d, &["spans"]).is_none()) {
        "jaeger-operations"
    } else {
        "jaeger-api"
    };
    let source = ds.add_source(input, format);
    for e in array(value, &["errors"]) {
        let code = get(e, &["code"]).map(text).unwrap_or_default();
        let msg = get(e, &["msg", "message"]).map(text).unwrap_or_default();
        ds.diagnostics.error(Place::input(input), format!("error response ({code}): {msg}"));
    }
    for (i, trace) in data.iter().enumerate().filter(|(_, t)| is_trace(t)) {
        decode_trace(ds, input, source, trace, &format!("data[{i}]"));
    }
}

fn decode_trace(ds: &mut Dataset, input: &str, source: SourceId, trace: &Value, frame: &str) {
    let mut processes: HashMap<&str, LabelSetId> = HashMap::new();
    if let Some(map) = get(trace, &["processes"]).and_then(Value::as_object) {
        for (id, process) in map {
            processes.insert(id, process_labels(ds, process));
        }
    }
    decode_spans(ds, input, source, array(trace, &["spans"]), Some(&processes), frame);
}

fn process_labels(ds: &mut Dataset, process: &Value) -> LabelSetId {
    let mut labels = LabelBuilder::new();
    push_tags(ds, &mut labels, process);
    if let Some(service) = str_at(process, &["serviceName"]) {
        labels.push(ds, "service.name", service);
    }
    labels.finish(ds)
}

fn push_tags(ds: &mut Dataset, labels: &mut LabelBuilder, owner: &Value) {
    for tag in array(owner, &["tags"]) {
        if let Some(key) = str_at(tag, &["key"]) {
            labels.push(ds, key, &get(tag, &["value"]).map(text).unwrap_or_default());
        }
    }
}

/// Spans of one trace (`processes` given) or of a UI export (each span's `process` inline).
fn decode_spans(
    ds: &mut Dataset,
    input: &str,
    source: SourceId,
    spans: &[Value],
    processes: Option<&HashMap<&str, LabelSetId>>,
    frame: &str,
) {
    // Inline processes repeat per span: intern each distinct one once.
    let mut inline: HashMap<String, LabelSetId> = HashMap::new();
    for (i, span) in spans.iter().enumerate() {
        let resource = match (processes, get(span, &["process"])) {
            (_, Some(process)) => {
                let key = process.to_string();
                match inline.get(&key) {
                    Some(id) => *id,
                    None => {
                        let id = process_labels(ds, process);
                        inline.insert(key, id);
                        id
                    }
                }
            }
            (Some(map), None) => match str_at(span, &["processID"]).and_then(|p| map.get(p)) {
                Some(id) => *id,
                None => {
                    ds.diagnostics.warn(Place::input(input).frame(frame).field("processID").row(i), "span's process is not in the trace");
                    LabelSetId(0)
                }
            },
            (None, None) => LabelSetId(0),
        };
        match span_row(ds, span, resource, source) {
            Ok(row) => ds.spans.push(row),
            Err((field, reason)) => ds.diagnostics.skip(Place::input(input).frame(frame).field(field).row(i), reason),
        }
    }
}

fn span_row(ds: &mut Dataset, span: &Value, resource: LabelSetId, source: SourceId) -> Result<SpanRow, (&'static str, String)> {
    let trace_text = str_at(span, &["traceID"]).unwrap_or("");
    let trace = TraceId::parse(trace_text).map_err(|e| ("traceID", format!("span skipped: {e}")))?;
    let span_id = SpanId::parse(str_at(span, &["spanID"]).unwrap_or("")).map_err(|e| ("spanID", format!("span skipped: {e}")))?;
    let parent = parent(span, trace)?;
    let micros = |key: &str| get(span, &[key]).and_then(int).and_then(|us| us.checked_mul(1000));
    let start_ns = micros("startTime")
        .filter(|t| crate::time::check_range(*t).is_ok())
        .ok_or(("startTime", "span skipped: no start time in 1970..2200 (integer µs)".to_string()))?;
    let duration_ns = micros("duration").filter(|d| *d >= 0).ok_or(("duration", "span skipped: no valid duration".to_string()))?;
    let mut kind = SpanKind::Unspecified;
    let mut status = SpanStatus::Unset;
    let mut status_message = None;
    let mut attributes = LabelBuilder::new();
    for tag in array(span, &["tags"]) {
        let Some(key) = str_at(tag, &["key"]) else { continue };
        let value = get(tag, &["value"]).map(text).unwrap_or_default();
        match key {
            "span.kind" => kind = SpanKind::from_text(&value),
            // The bool tag is sometimes written as the string "true" (type says bool).
            "error" if value.eq_ignore_ascii_case("true") => status = SpanStatus::Error,
            "otel.status_code" if value.eq_ignore_ascii_case("error") => status = SpanStatus::Error,
            "otel.status_code" if value.eq_ignore_ascii_case("ok") && status != SpanStatus::Error => status = SpanStatus::Ok,
            "otel.status_description" if !value.is_empty() => status_message = Some(ds.strings.intern(&value)),
            _ => {}
        }
        attributes.push(ds, key, &value);
    }
    Ok(SpanRow {
        trace,
        span: span_id,
        parent,
        resource,
        operation: ds.strings.intern(str_at(span, &["operationName"]).unwrap_or("")),
        kind,
        start_ns,
        duration_ns,
        status,
        status_message,
        attributes: attributes.finish(ds),
        source,
    })
}

/// The first `CHILD_OF` reference in the same trace, else the first `FOLLOWS_FROM` there
/// (Jaeger's own `ParentSpanID` rule); old exports carry `parentSpanID` instead.
fn parent(span: &Value, trace: TraceId) -> Result<Option<SpanId>, (&'static str, String)> {
    let refs = array(span, &["references"]);
    let same_trace = |r: &&Value| str_at(r, &["traceID"]).and_then(|t| TraceId::parse(t).ok()) == Some(trace);
    let pick = |kind: &str| refs.iter().filter(same_trace).find(|r| str_at(r, &["refType"]) == Some(kind));
    let text = match pick("CHILD_OF").or_else(|| pick("FOLLOWS_FROM")) {
        Some(r) => str_at(r, &["spanID"]),
        None => str_at(span, &["parentSpanID"]),
    };
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => match SpanId::parse(t) {
            Ok(id) => Ok(Some(id)),
            Err(IdError::AllZero) => Ok(None),
            Err(e) => Err(("references", format!("span skipped: parent {e}"))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn envelopes_errors_and_listings() {
        let mut ds = Dataset::default();
        assert!(try_decode(
            &mut ds,
            "e",
            &json!({"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]})
        ));
        assert_eq!(ds.diagnostics.entries()[0].reason, "error response (404): trace not found");
        assert!(try_decode(&mut ds, "s", &json!({"data":["a","b"],"total":2,"limit":0,"offset":0,"errors":null})));
        assert!(try_decode(&mut ds, "v3e", &json!({"error":{"httpCode":404,"message":"not found"}})));
        assert!(!try_decode(&mut ds, "p", &json!({"status":"success","data":[]})));
        assert!(!try_decode(&mut ds, "d", &json!({"data":{"x":1}})));
        let formats: Vec<&str> = ds.sources.iter().map(|s| s.format.as_str()).collect();
        assert_eq!(formats, ["jaeger-api", "jaeger-services", "jaeger-api-v3"]);
    }

    #[test]
    fn tags_give_kind_status_and_bad_spans_are_skipped() {
        let mut ds = Dataset::default();
        let spans = json!([
            {"traceID":"1","spanID":"2","operationName":"op","startTime":5,"duration":7,
             "tags":[{"key":"span.kind","type":"string","value":"SERVER"},{"key":"otel.status_code","value":"ERROR"},
                     {"key":"otel.status_description","value":"boom"},{"key":"http.status_code","type":"int64","value":500}],
             "process":{"serviceName":"svc","tags":[{"key":"ip","type":"string","value":"1.2.3.4"}]}},
            {"traceID":"1","spanID":"zz","startTime":5,"duration":7,"process":{"serviceName":"svc","tags":[]}},
            {"traceID":"1","spanID":"3","startTime":5,"duration":-1,"process":{"serviceName":"svc","tags":[]}}
        ]);
        assert!(try_decode(&mut ds, "ui", &spans));
        assert_eq!(ds.spans.len(), 1);
        assert_eq!((ds.spans.start_ns[0], ds.spans.duration_ns[0]), (5_000, 7_000));
        assert_eq!(ds.spans.kind[0], SpanKind::Server);
        assert_eq!(ds.spans.status[0], SpanStatus::Error);
        assert_eq!(ds.strings.resolve(ds.spans.status_message[0].unwrap()), "boom");
        assert_eq!(ds.label(ds.spans.attributes[0], "http.status_code"), Some("500"));
        assert_eq!(ds.label(ds.spans.resource[0], "service.name"), Some("svc"));
        assert_eq!(ds.label(ds.spans.resource[0], "ip"), Some("1.2.3.4"));
        assert_eq!(ds.diagnostics.count(crate::diag::Severity::Skipped), 2);
    }
}
