//! Frame kinds: what a DataFrame holds (spans, log lines, metric series, exemplars) and the
//! rows it becomes. Kinds are detected by shape and field names, never by position or by the
//! datasource that made the frame, so frames decoded from JSON, from Arrow IPC and from the
//! JS side all read the same (see research/grafana-formats.md section 9):
//!
//! - trace: `meta.preferredVisualisationType == "trace"`, or fields traceID, spanID,
//!   startTime and duration (Tempo's 17 fields, Jaeger's 13; times in milliseconds);
//! - exemplars: a frame named `exemplar` or with `meta.custom.resultType == "exemplar"`, or an
//!   annotation frame with a trace id field;
//! - logs: `meta.type == "log-lines"` (dataplane) or `meta.custom.frameType ==
//!   "LabeledTimeValues"` (Loki's legacy frame) or `preferredVisualisationType == "logs"`,
//!   else a time field with string fields and no numbers;
//! - time series: `meta.type` `timeseries-*` or `numeric-*` (wide, multi and many read alike:
//!   one series per value field; long: one series per value field and dimension values),
//!   else a time field with number fields (long when string fields are present).
//!
//! Node graphs, trace search tables and annotations without trace ids are recognised and
//! left alone (they repeat what the traces hold); any other frame with rows is reported.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::Value;

use super::frame::{ms_to_ns, Column, Field, FieldType, Frame};
use crate::diag::Place;
use crate::id::{SpanId, TraceId};
use crate::model::{Dataset, ExemplarRow, LabelSetId, Level, LogRow, SourceId, SpanKind, SpanRow, SpanStatus, Sym};

/// Label and field names that carry a trace id (Grafana's trace-to-logs probe list).
pub const TRACE_ID_KEYS: [&str; 6] = ["traceID", "trace_id", "traceId", "TraceID", "TraceId", "otel_trace_id"];
/// Label and field names that carry a span id.
pub const SPAN_ID_KEYS: [&str; 5] = ["spanID", "span_id", "spanId", "SpanID", "SpanId"];

/// What a frame holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// No fields or no rows: nothing to read, nothing lost.
    Empty,
    Trace,
    Logs,
    /// One series per value field (dataplane wide, multi and the deprecated many).
    SeriesWide,
    /// One series per value field and combination of string dimension values.
    SeriesLong,
    Exemplars,
    /// Recognised and deliberately not analysed (node graphs, search tables).
    NotAnalysed(&'static str),
    /// Rows rootspan cannot place; recorded as a warning.
    Unrecognised(&'static str),
}

pub fn detect(frame: &Frame) -> FrameKind {
    if frame.fields.is_empty() || frame.is_empty() {
        return FrameKind::Empty;
    }
    let has = |name: &str| frame.field(name).is_some();
    let has_type = |t: FieldType| frame.fields.iter().any(|f| f.field_type == t);
    let visualisation = frame.meta_str("preferredVisualisationType");
    let data_type = frame.meta_str("type").unwrap_or_default();
    if visualisation == Some("trace") || ["traceID", "spanID", "startTime", "duration"].iter().all(|n| has(n)) {
        return if has("traceID") && has("spanID") && has("startTime") {
            FrameKind::Trace
        } else {
            FrameKind::Unrecognised("trace frame without traceID, spanID and startTime fields (the legacy single-field trace is not read)")
        };
    }
    let trace_field = TRACE_ID_KEYS.iter().any(|k| has(k));
    if frame.name.as_deref() == Some("exemplar")
        || frame.custom_str("resultType") == Some("exemplar")
        || (frame.meta_str("dataTopic") == Some("annotations") && trace_field)
    {
        return FrameKind::Exemplars;
    }
    if data_type == "log-lines" || frame.custom_str("frameType") == Some("LabeledTimeValues") || visualisation == Some("logs") {
        return FrameKind::Logs;
    }
    if visualisation == Some("nodeGraph") {
        return FrameKind::NotAnalysed("node graph");
    }
    if frame.meta_str("dataTopic") == Some("annotations") {
        return FrameKind::NotAnalysed("annotations without trace ids");
    }
    if data_type.starts_with("timeseries-") || data_type.starts_with("numeric-") {
        return if data_type.ends_with("-long") { FrameKind::SeriesLong } else { FrameKind::SeriesWide };
    }
    if has("traceID") || has("traceIdHidden") {
        return FrameKind::NotAnalysed("trace search results");
    }
    let numbers = frame.fields.iter().any(is_value_field);
    match (has_type(FieldType::Time), numbers, has_type(FieldType::String)) {
        (false, _, _) => FrameKind::Unrecognised("no time field"),
        (true, true, false) => FrameKind::SeriesWide,
        (true, true, true) => FrameKind::SeriesLong,
        (true, false, true) => FrameKind::Logs,
        (true, false, false) => FrameKind::Unrecognised("no number or string field next to the time field"),
    }
}

/// Detects each frame's kind and writes its rows into `ds`. Exemplar frames go last so they
/// can point at series from the same call.
pub fn ingest_frames(ds: &mut Dataset, input: &str, format: &str, frames: &[Frame]) {
    let source = ds.add_source(input, format);
    let kinds: Vec<FrameKind> = frames.iter().map(detect).collect();
    let exemplars_last = kinds
        .iter()
        .enumerate()
        .filter(|(_, k)| **k != FrameKind::Exemplars)
        .chain(kinds.iter().enumerate().filter(|(_, k)| **k == FrameKind::Exemplars));
    for (index, kind) in exemplars_last {
        let frame = &frames[index];
        let cx = Cx { source, place: Place::input(input).frame(frame.display_name(index)) };
        match *kind {
            FrameKind::Empty | FrameKind::NotAnalysed(_) => {}
            FrameKind::Unrecognised(why) => ds.diagnostics.warn(cx.place, format!("frame not analysed: {why}")),
            FrameKind::Trace => ingest_trace(ds, &cx, frame),
            FrameKind::Logs => ingest_logs(ds, &cx, frame),
            FrameKind::SeriesWide => ingest_series(ds, &cx, frame, false),
            FrameKind::SeriesLong => ingest_series(ds, &cx, frame, true),
            FrameKind::Exemplars => ingest_exemplars(ds, &cx, frame),
        }
    }
}

/// A field's text at a row, when present: the key of the caches below.
type Text<'a> = Option<Cow<'a, str>>;

/// A log row's labels once split: the stream's label set and the record's own pairs.
type StreamLabels = (LabelSetId, Vec<(Sym, Sym)>);

/// Where rows of one frame go and come from.
struct Cx {
    source: SourceId,
    place: Place,
}

impl Cx {
    fn at(&self, field: &str, row: usize) -> Place {
        self.place.clone().field(field).row(row)
    }
}

fn is_value_field(f: &Field) -> bool {
    matches!(f.field_type, FieldType::Number | FieldType::Boolean) && !matches!(f.values, Column::String(_) | Column::Json(_))
}

/// The first time field, as Grafana picks a frame's time index.
fn time_field(frame: &Frame) -> Option<&Field> {
    frame.fields.iter().find(|f| f.field_type == FieldType::Time)
}

/// A unit for numeric times and durations, from `config.unit`.
#[derive(Clone, Copy)]
enum Unit {
    Seconds,
    Millis,
    Micros,
    Nanos,
}

impl Unit {
    fn of(field: &Field, default: Unit) -> Unit {
        match field.config.get("unit").and_then(Value::as_str) {
            Some("s") => Unit::Seconds,
            Some("ms") => Unit::Millis,
            Some("µs" | "us") => Unit::Micros,
            Some("ns") => Unit::Nanos,
            _ => default,
        }
    }

    fn ns_per_int(self) -> i64 {
        match self {
            Unit::Seconds => 1_000_000_000,
            Unit::Millis => 1_000_000,
            Unit::Micros => 1_000,
            Unit::Nanos => 1,
        }
    }

    fn ns_per(self) -> f64 {
        self.ns_per_int() as f64
    }
}

fn f64_to_i64(x: f64) -> Option<i64> {
    (x.is_finite() && x.abs() < 9.2e18).then(|| x.round() as i64)
}

/// A point in time in ns: time columns as they are; numbers in `unit` (epoch ms by default);
/// strings as RFC 3339 or epoch ms.
fn time_ns(field: &Field, row: usize, unit: Unit) -> Option<i64> {
    match &field.values {
        Column::Time(v) => v.get(row).copied().flatten(),
        Column::Int(v) => v.get(row).copied().flatten()?.checked_mul(unit.ns_per_int()),
        Column::Number(v) => {
            let x = v.get(row).copied().flatten()?;
            match unit {
                Unit::Millis => ms_to_ns(x, 0),
                Unit::Seconds => ms_to_ns(x * 1e3, 0),
                _ => f64_to_i64(x * unit.ns_per()),
            }
        }
        Column::String(c) => crate::time::parse_timestamp(c.get(row)?).ok(),
        Column::Boolean(_) | Column::Json(_) => None,
    }
}

/// A duration in ns from a number in `unit`.
fn duration_ns(field: &Field, row: usize, unit: Unit) -> Option<i64> {
    f64_to_i64(field.values.number(row)? * unit.ns_per())
}

/// The non-empty text of a field at a row.
fn text<'a>(field: Option<&'a Field>, row: usize) -> Option<Cow<'a, str>> {
    field?.values.text(row).filter(|t| !t.is_empty())
}

/// A JSON value rendered as a label value: strings as they are, anything else as JSON.
fn json_text(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(Cow::Borrowed(s)),
        other => Some(Cow::Owned(other.to_string())),
    }
}

/// Key/value pairs from Grafana's `[{key, value, type?}]` lists (serviceTags, tags) or a plain
/// JSON object (Loki labels).
fn json_pairs(text: &str) -> Vec<(String, String)> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => {
            items.iter().filter_map(|kv| Some((kv.get("key")?.as_str()?.to_string(), json_text(kv.get("value")?)?.into_owned()))).collect()
        }
        Ok(Value::Object(map)) => map.iter().filter_map(|(k, v)| Some((k.clone(), json_text(v)?.into_owned()))).collect(),
        _ => Vec::new(),
    }
}

fn parse_kind(s: &str) -> SpanKind {
    let lower = s.trim().to_ascii_lowercase();
    match lower.strip_prefix("span_kind_").unwrap_or(&lower) {
        "server" => SpanKind::Server,
        "client" => SpanKind::Client,
        "producer" => SpanKind::Producer,
        "consumer" => SpanKind::Consumer,
        "internal" => SpanKind::Internal,
        _ => SpanKind::Unspecified,
    }
}

/// OTel status codes as numbers (0 unset, 1 ok, 2 error) or names (`STATUS_CODE_ERROR`, `error`).
fn parse_status(s: &str) -> SpanStatus {
    let lower = s.trim().to_ascii_lowercase();
    match lower.strip_prefix("status_code_").unwrap_or(&lower) {
        "1" | "ok" => SpanStatus::Ok,
        "2" | "error" => SpanStatus::Error,
        _ => SpanStatus::Unset,
    }
}

fn ingest_trace(ds: &mut Dataset, cx: &Cx, frame: &Frame) {
    let field = |name: &str| frame.field(name);
    let (Some(trace_f), Some(span_f), Some(start_f)) = (field("traceID"), field("spanID"), field("startTime")) else { return };
    let parent_f = field("parentSpanID");
    let duration_f = field("duration");
    let (start_unit, duration_unit) = (Unit::of(start_f, Unit::Millis), duration_f.map_or(Unit::Millis, |f| Unit::of(f, Unit::Millis)));
    let (op_f, service_f, namespace_f, service_tags_f) =
        (field("operationName"), field("serviceName"), field("serviceNamespace"), field("serviceTags"));
    let (kind_f, status_f, message_f, tags_f) = (field("kind"), field("statusCode"), field("statusMessage"), field("tags"));
    let (scope_f, scope_version_f) = (field("instrumentationLibraryName"), field("instrumentationLibraryVersion"));
    let mut resources: HashMap<(Text, Text, Text), LabelSetId> = HashMap::new();
    for row in 0..frame.len() {
        let trace = match text(Some(trace_f), row).map(|t| TraceId::parse(&t)) {
            Some(Ok(id)) => id,
            other => {
                let why = other.map_or("no trace id".to_string(), |e| format!("trace id: {}", e.unwrap_err()));
                ds.diagnostics.skip(cx.at("traceID", row), format!("span skipped: {why}"));
                continue;
            }
        };
        let span = match text(Some(span_f), row).map(|t| SpanId::parse(&t)) {
            Some(Ok(id)) => id,
            other => {
                let why = other.map_or("no span id".to_string(), |e| format!("span id: {}", e.unwrap_err()));
                ds.diagnostics.skip(cx.at("spanID", row), format!("span skipped: {why}"));
                continue;
            }
        };
        let Some(start_ns) = time_ns(start_f, row, start_unit) else {
            ds.diagnostics.skip(cx.at("startTime", row), "span skipped: no start time");
            continue;
        };
        // Roots have no parent, an empty one or Tempo's all-zero one.
        let parent = match text(parent_f, row).map(|t| SpanId::parse(&t)) {
            None | Some(Err(crate::id::IdError::AllZero)) => None,
            Some(Ok(id)) => Some(id),
            Some(Err(e)) => {
                ds.diagnostics.warn(cx.at("parentSpanID", row), format!("parent span id: {e}; span read as a root"));
                None
            }
        };
        let duration_ns = match duration_f.and_then(|f| duration_ns(f, row, duration_unit)) {
            Some(d) if d >= 0 => d,
            _ => {
                ds.diagnostics.warn(cx.at("duration", row), "no valid duration; read as 0");
                0
            }
        };
        let resource_key = (text(service_f, row), text(namespace_f, row), text(service_tags_f, row));
        let resource = match resources.get(&resource_key) {
            Some(id) => *id,
            None => {
                let mut pairs = resource_key.2.as_deref().map(json_pairs).unwrap_or_default();
                pairs.extend(resource_key.0.as_deref().map(|s| ("service.name".to_string(), s.to_string())));
                pairs.extend(resource_key.1.as_deref().map(|s| ("service.namespace".to_string(), s.to_string())));
                let id = ds.labels(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                resources.insert(resource_key, id);
                id
            }
        };
        let mut tags = text(tags_f, row).map(|t| json_pairs(&t)).unwrap_or_default();
        let tag = |key: &str| tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        let kind = parse_kind(text(kind_f, row).as_deref().or(tag("span.kind")).unwrap_or_default());
        let status = match text(status_f, row) {
            Some(code) => parse_status(&code),
            // Jaeger and OpenTracing mark failed spans with an `error` tag.
            None if tag("error").is_some_and(|v| v.eq_ignore_ascii_case("true")) => SpanStatus::Error,
            None => parse_status(tag("otel.status_code").unwrap_or_default()),
        };
        let message = text(message_f, row).map(Cow::into_owned).or_else(|| tag("otel.status_description").map(str::to_string));
        tags.extend(text(scope_f, row).map(|s| ("otel.scope.name".to_string(), s.into_owned())));
        tags.extend(text(scope_version_f, row).map(|s| ("otel.scope.version".to_string(), s.into_owned())));
        let attributes = ds.labels(tags.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let operation = ds.strings.intern(text(op_f, row).as_deref().unwrap_or_default());
        let status_message = message.map(|m| ds.strings.intern(&m));
        ds.spans.push(SpanRow {
            trace,
            span,
            parent,
            resource,
            operation,
            kind,
            start_ns,
            duration_ns,
            status,
            status_message,
            attributes,
            source: cx.source,
        });
    }
}

/// Labels that describe a record, not its emitter, when a frame does not say which is which.
fn is_record_label(key: &str) -> bool {
    TRACE_ID_KEYS.contains(&key) || SPAN_ID_KEYS.contains(&key) || matches!(key, "__error__" | "__error_details__" | "detected_level")
}

/// Grafana's level keys, in the order it consults them.
const LEVEL_KEYS: [&str; 6] = ["level", "detected_level", "severity", "lvl", "loglevel", "severity_text"];

/// `Level::from_text`, plus syslog's numeric levels (Grafana's `NumericLogLevel`).
fn level_of(text: &str) -> Level {
    match text.trim() {
        "0" | "1" | "2" => Level::Critical,
        "3" => Level::Error,
        "4" => Level::Warning,
        "5" | "6" => Level::Info,
        "7" => Level::Debug,
        t => Level::from_text(t),
    }
}

fn ingest_logs(ds: &mut Dataset, cx: &Cx, frame: &Frame) {
    let dataplane = frame.meta_str("type") == Some("log-lines");
    let named = |names: &[&str], t: FieldType| frame.fields.iter().find(|f| f.field_type == t && names.contains(&f.name.as_str()));
    let Some(time_f) = named(&["timestamp"], FieldType::Time).filter(|_| dataplane).or_else(|| time_field(frame)) else {
        ds.diagnostics.warn(cx.place.clone(), "frame not analysed: log frame without a time field");
        return;
    };
    let ns_f = frame.fields.iter().find(|f| matches!(f.name.as_str(), "tsNs" | "TS"));
    let labels_f = frame.fields.iter().find(|f| matches!(f.name.as_str(), "labels" | "__labels"));
    let types_f = frame.fields.iter().find(|f| matches!(f.name.as_str(), "labelTypes" | "__labelTypes"));
    let level_f: Vec<&Field> = LEVEL_KEYS.iter().filter_map(|k| frame.field(k)).collect();
    let not_body = |f: &&Field| !matches!(f.name.as_str(), "tsNs" | "TS" | "id") && !LEVEL_KEYS.contains(&f.name.as_str());
    let body_f = named(&["body", "Line", "line", "message", "msg"], FieldType::String)
        .or_else(|| frame.fields.iter().filter(|f| f.field_type == FieldType::String).find(not_body));
    // Everything else describes the record: it goes to the metadata, where correlate looks for ids.
    let skip = [Some(time_f), ns_f, labels_f, types_f, body_f];
    let extra: Vec<(Sym, &Field)> = frame
        .fields
        .iter()
        .filter(|f| f.name != "id" && !skip.iter().any(|s| s.is_some_and(|s| std::ptr::eq(s, *f))))
        .map(|f| (ds.strings.intern(&f.name), f))
        .collect();
    // Labels on the body field (dataplane frames without a labels column) belong to every row.
    let base: Vec<(String, String)> = body_f.map(|f| f.labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default();
    let mut label_cache: HashMap<(Text, Text), StreamLabels> = HashMap::new();
    for row in 0..frame.len() {
        let exact = ns_f.and_then(|f| match &f.values {
            Column::Int(v) => v.get(row).copied().flatten(),
            other => other.text(row)?.trim().parse::<i64>().ok(),
        });
        let Some(time_ns) = exact.or_else(|| time_ns(time_f, row, Unit::Millis)) else {
            ds.diagnostics.skip(cx.at(&time_f.name, row), "log line skipped: no time");
            continue;
        };
        let key = (text(labels_f, row), text(types_f, row));
        let (resource, label_meta) = match label_cache.get(&key) {
            Some(v) => v.clone(),
            None => {
                let types = key.1.as_deref().map(json_pairs).unwrap_or_default();
                let type_of = |k: &str| types.iter().find(|(t, _)| t == k).map(|(_, v)| v.as_str());
                let mut resource = base.clone();
                let mut meta = Vec::new();
                for (k, v) in key.0.as_deref().map(json_pairs).unwrap_or_default() {
                    // I: indexed stream label; S: structured metadata; P: parsed from the line.
                    let record = match type_of(&k) {
                        Some(t) => t != "I",
                        None => is_record_label(&k),
                    };
                    if record {
                        meta.push((k, v))
                    } else {
                        resource.push((k, v))
                    }
                }
                let resource = ds.labels(resource.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                let meta: Vec<(Sym, Sym)> = meta.iter().map(|(k, v)| (ds.strings.intern(k), ds.strings.intern(v))).collect();
                label_cache.insert(key, (resource, meta.clone()));
                (resource, meta)
            }
        };
        let mut meta = label_meta;
        for (name, f) in &extra {
            if let Some(v) = text(Some(f), row) {
                meta.push((*name, ds.strings.intern(&v)));
            }
        }
        let level = level_f
            .iter()
            .find_map(|f| text(Some(f), row))
            .map(|t| level_of(&t))
            .or_else(|| {
                let label = |k: &str| {
                    ds.label(resource, k)
                        .or_else(|| meta.iter().find(|(mk, _)| ds.strings.resolve(*mk) == k).map(|(_, v)| ds.strings.resolve(*v)))
                };
                LEVEL_KEYS.iter().find_map(|k| label(k)).map(level_of)
            })
            .unwrap_or(Level::Unknown);
        let metadata = ds.label_sets.intern(&ds.strings, meta);
        let body = text(body_f, row);
        ds.logs.push(LogRow {
            time_ns,
            resource,
            metadata,
            level,
            trace: None,
            span: None,
            body: body.as_deref().unwrap_or_default(),
            source: cx.source,
        });
    }
}

/// The points of `value` against `time`, rows `rows`; null values are missing samples.
fn points(cx: &Cx, ds: &mut Dataset, time: &Field, value: &Field, rows: impl Iterator<Item = usize>) -> Vec<(i64, f64)> {
    let mut out = Vec::new();
    for row in rows {
        let v = match &value.values {
            Column::Boolean(b) => b.get(row).copied().flatten().map(|b| if b { 1.0 } else { 0.0 }),
            other => other.number(row),
        };
        let Some(v) = v else { continue };
        match time_ns(time, row, Unit::Millis) {
            Some(t) => out.push((t, v)),
            None => ds.diagnostics.skip(cx.at(&time.name, row), "sample skipped: no time"),
        }
    }
    out
}

/// Series name and labels: `__name__` names the series when present (Prometheus), else the field.
fn series_identity(ds: &mut Dataset, field: &Field, extra: &[(&str, &str)]) -> (Sym, LabelSetId) {
    let name = ds.strings.intern(field.labels.get("__name__").map_or(field.name.as_str(), String::as_str));
    let pairs = field.labels.iter().filter(|(k, _)| *k != "__name__").map(|(k, v)| (k.as_str(), v.as_str()));
    let labels = ds.labels(pairs.chain(extra.iter().copied()));
    (name, labels)
}

fn ingest_series(ds: &mut Dataset, cx: &Cx, frame: &Frame, long: bool) {
    let Some(time) = time_field(frame) else {
        ds.diagnostics.warn(cx.place.clone(), "frame not analysed: time series without a time field");
        return;
    };
    let values: Vec<&Field> = frame.fields.iter().filter(|f| is_value_field(f)).collect();
    if values.is_empty() {
        ds.diagnostics.warn(cx.place.clone(), "frame not analysed: time series without a numeric value field");
        return;
    }
    if !long {
        for value in values {
            let (name, labels) = series_identity(ds, value, &[]);
            let pts = points(cx, ds, time, value, 0..frame.len());
            ds.series.push(name, labels, cx.source, pts);
        }
        return;
    }
    // Long: rows grouped by their string dimension values, in order of first appearance.
    let dims: Vec<&Field> = frame.fields.iter().filter(|f| f.field_type == FieldType::String).collect();
    let mut groups: Vec<(Vec<Text>, Vec<usize>)> = Vec::new();
    let mut index: HashMap<Vec<Text>, usize> = HashMap::new();
    for row in 0..frame.len() {
        let key: Vec<Text> = dims.iter().map(|d| d.values.text(row)).collect();
        let g = *index.entry(key.clone()).or_insert_with(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(row);
    }
    for value in values {
        for (key, rows) in &groups {
            let extra: Vec<(&str, &str)> = dims.iter().zip(key).filter_map(|(d, v)| Some((d.name.as_str(), v.as_deref()?))).collect();
            let (name, labels) = series_identity(ds, value, &extra);
            let pts = points(cx, ds, time, value, rows.iter().copied());
            ds.series.push(name, labels, cx.source, pts);
        }
    }
}

fn ingest_exemplars(ds: &mut Dataset, cx: &Cx, frame: &Frame) {
    let (Some(time), Some(value)) =
        (time_field(frame), frame.field("Value").filter(|f| is_value_field(f)).or_else(|| frame.fields.iter().find(|f| is_value_field(f))))
    else {
        ds.diagnostics.warn(cx.place.clone(), "frame not analysed: exemplars without a time and a value field");
        return;
    };
    let trace_f: Vec<&Field> = TRACE_ID_KEYS.iter().filter_map(|k| frame.field(k)).collect();
    let span_f: Vec<&Field> = SPAN_ID_KEYS.iter().filter_map(|k| frame.field(k)).collect();
    // With series labels on the value field (converter frames), the other columns are the
    // exemplar's labels; in Prometheus' merged frame the columns mix both, and only id
    // columns are the exemplar's own.
    let labelled_value = !value.labels.is_empty();
    let columns: Vec<(&Field, bool)> = frame
        .fields
        .iter()
        .filter(|f| !std::ptr::eq(*f, time) && !std::ptr::eq(*f, value) && f.field_type != FieldType::Time)
        .map(|f| (f, labelled_value || TRACE_ID_KEYS.contains(&f.name.as_str()) || SPAN_ID_KEYS.contains(&f.name.as_str())))
        .collect();
    let series_index: HashMap<(Sym, LabelSetId), u32> =
        (0..ds.series.len()).map(|i| ((ds.series.name[i], ds.series.labels[i]), i as u32)).collect();
    let metric_key = ds.strings.intern("__name__");
    for row in 0..frame.len() {
        let Some(v) = value.values.number(row) else { continue };
        let Some(time_ns) = time_ns(time, row, Unit::Millis) else {
            ds.diagnostics.skip(cx.at(&time.name, row), "exemplar skipped: no time");
            continue;
        };
        let mut series_pairs: Vec<(Cow<str>, Cow<str>)> =
            value.labels.iter().map(|(k, v)| (Cow::Borrowed(k.as_str()), Cow::Borrowed(v.as_str()))).collect();
        let mut own: Vec<(Cow<str>, Cow<str>)> = Vec::new();
        for (f, is_own) in &columns {
            if let Some(t) = text(Some(f), row) {
                let pair = (Cow::Borrowed(f.name.as_str()), t);
                if *is_own {
                    own.push(pair)
                } else {
                    series_pairs.push(pair)
                }
            }
        }
        let series_labels = ds.labels(series_pairs.iter().map(|(k, v)| (k.as_ref(), v.as_ref())));
        let labels = ds.labels(own.iter().map(|(k, v)| (k.as_ref(), v.as_ref())));
        let series = ds.label_sets.value(series_labels, metric_key).and_then(|name| {
            let rest: Vec<(Sym, Sym)> = ds.label_sets.get(series_labels).iter().copied().filter(|(k, _)| *k != metric_key).collect();
            let rest = ds.label_sets.intern(&ds.strings, rest);
            series_index.get(&(name, rest)).copied()
        });
        let trace = trace_f.iter().find_map(|f| TraceId::parse(&text(Some(f), row)?).ok());
        let span = span_f.iter().find_map(|f| SpanId::parse(&text(Some(f), row)?).ok());
        ds.exemplars.push(ExemplarRow { series, series_labels, labels, time_ns, value: v, trace, span, source: cx.source });
    }
}
