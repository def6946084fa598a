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

use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::BTreeMap;

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
        // A string column of sentences is a log body, not a dimension of a long table.
        (true, true, true) if frame.fields.iter().any(is_free_text) => FrameKind::Logs,
        (true, true, true) => FrameKind::SeriesLong,
        (true, false, true) => FrameKind::Logs,
        (true, false, false) => FrameKind::Unrecognised("no number or string field next to the time field"),
    }
}

/// Values a frame parser could not read, by (frame, field, row) index into the frames, with
/// why. A row skipped for lack of one of them is noted once, by the skip; the others are noted
/// as they are after the frames are read.
pub type UnreadCells = BTreeMap<(usize, usize, usize), &'static str>;

/// Detects each frame's kind and writes its rows into `ds`. Exemplar frames go last so they
/// can point at series from the same call.
pub fn ingest_frames(ds: &mut Dataset, input: &str, format: &str, frames: &[Frame]) {
    ingest_frames_with_unread(ds, input, format, frames, UnreadCells::new());
}

/// `ingest_frames` for frames whose parser left `unread` cells empty: one note per cell, the
/// row skip's when its row is skipped for it, else the parser's reason.
pub fn ingest_frames_with_unread(ds: &mut Dataset, input: &str, format: &str, frames: &[Frame], unread: UnreadCells) {
    let mut frames_in = FrameInput::start(ds, input, format);
    frames_in.unread = RefCell::new(unread);
    for frame in frames {
        frames_in.add(ds, Cow::Borrowed(frame));
    }
    frames_in.finish(ds);
}

/// The frames of one input, decoded one at a time as they arrive, so that a caller handed them one by one (the
/// browser session gets a panel's frames one call each) need not hold them all: each is dropped once its rows
/// are in the dataset. Exemplar frames wait for `finish`, so that they can point at series of the same input.
#[derive(Debug)]
pub struct FrameInput<'a> {
    source: SourceId,
    input: String,
    added: usize,
    exemplars: Vec<(usize, Cow<'a, Frame>)>,
    /// Cells the frames' parser could not read (frames JSON), noted as each frame is written.
    unread: RefCell<UnreadCells>,
}

impl<'a> FrameInput<'a> {
    /// Starts the input: it is listed among the dataset's sources from now on.
    pub fn start(ds: &mut Dataset, input: &str, format: &str) -> FrameInput<'a> {
        FrameInput {
            source: ds.add_source(input, format),
            input: input.to_string(),
            added: 0,
            exemplars: Vec::new(),
            unread: RefCell::new(UnreadCells::new()),
        }
    }

    /// How many frames were added: the next one's position, which names it when it has no name or refId.
    pub fn added(&self) -> usize {
        self.added
    }

    /// Detects the frame's kind and writes its rows into `ds` (an exemplar frame's at `finish`).
    pub fn add(&mut self, ds: &mut Dataset, frame: Cow<'a, Frame>) {
        let index = self.added;
        self.added += 1;
        match detect(&frame) {
            FrameKind::Exemplars => self.exemplars.push((index, frame)),
            kind => self.ingest(ds, index, kind, &frame),
        }
    }

    /// Writes the exemplar frames' rows, in the order they came.
    pub fn finish(self, ds: &mut Dataset) {
        for (index, frame) in &self.exemplars {
            self.ingest(ds, *index, FrameKind::Exemplars, frame);
        }
    }

    fn ingest(&self, ds: &mut Dataset, index: usize, kind: FrameKind, frame: &Frame) {
        let place = Place::input(&self.input).frame(frame.display_name(index));
        let cx = Cx { source: self.source, place: place.clone(), frame, index, unread: &self.unread };
        match kind {
            FrameKind::Empty | FrameKind::NotAnalysed(_) => {}
            FrameKind::Unrecognised(why) => ds.diagnostics.warn(cx.place, format!("frame not analysed: {why}")),
            FrameKind::Trace => ingest_trace(ds, &cx, frame),
            FrameKind::Logs => ingest_logs(ds, &cx, frame),
            FrameKind::SeriesWide => ingest_series(ds, &cx, frame, false),
            FrameKind::SeriesLong => ingest_series(ds, &cx, frame, true),
            FrameKind::Exemplars => ingest_exemplars(ds, &cx, frame),
        }
        // The frame's cells left unread and not noted by a row skip: noted now, while the frame
        // (and its field names) is still here.
        let mut unread = self.unread.borrow_mut();
        let mine: Vec<_> = unread.range((index, 0, 0)..(index + 1, 0, 0)).map(|(&cell, &why)| (cell, why)).collect();
        for (cell, why) in mine {
            unread.remove(&cell);
            let (_, field, row) = cell;
            if let Some(field) = frame.fields.get(field) {
                ds.diagnostics.skip(place.clone().field(field.name.as_str()).row(row), why);
            }
        }
    }
}

/// A field's text at a row, when present: the key of the caches below.
type Text<'a> = Option<Cow<'a, str>>;

/// What one distinct `labels` (and `labelTypes`) value of a log frame comes to; rows share it.
struct StreamLabels {
    resource: LabelSetId,
    /// The record's own labels, interned, and as pairs for rows that add field values.
    metadata: LabelSetId,
    pairs: Vec<(Sym, Sym)>,
    /// The level the labels give, for rows without a level field.
    level: Level,
}

/// Where rows of one frame go and come from.
struct Cx<'a> {
    source: SourceId,
    place: Place,
    frame: &'a Frame,
    /// The frame's index in the call, as `UnreadCells` counts.
    index: usize,
    unread: &'a RefCell<UnreadCells>,
}

impl Cx<'_> {
    fn at(&self, field: &str, row: usize) -> Place {
        self.place.clone().field(field).row(row)
    }

    /// Notes that `row` is skipped for want of a value of `field`: the one note for that row,
    /// so the parser's note for the cell (when it could not read it) is dropped.
    fn skip_row(&self, ds: &mut Dataset, field: &Field, row: usize, reason: impl Into<String>) {
        if let Some(i) = self.frame.fields.iter().position(|f| std::ptr::eq(f, field)) {
            self.unread.borrow_mut().remove(&(self.index, i, row));
        }
        ds.diagnostics.skip(self.at(&field.name, row), reason);
    }
}

/// Most of the first 100 values contain a space: messages do, dimension values rarely.
fn is_free_text(f: &Field) -> bool {
    let Column::String(c) = &f.values else { return false };
    let sample: Vec<&str> = (0..c.len()).filter_map(|i| c.get(i)).take(100).collect();
    !sample.is_empty() && sample.iter().filter(|v| v.trim().contains(' ')).count() * 2 > sample.len()
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

/// `x` units in ns: exact for whole numbers below 2^53, rounded to the ns otherwise.
fn scaled(x: f64, unit: Unit) -> Option<i64> {
    if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 {
        return (x as i64).checked_mul(unit.ns_per_int());
    }
    let ns = x * unit.ns_per();
    (ns.is_finite() && ns.abs() < 9.2e18).then(|| ns.round() as i64)
}

/// A point in time in ns: time columns as they are; numbers in `unit` (epoch ms by default);
/// strings as RFC 3339 or epoch ms. `None` also for a time outside 1970..2200
/// (`time::check_range`): int64 min/max and -1 are sentinels, not times.
fn time_ns(field: &Field, row: usize, unit: Unit) -> Option<i64> {
    let ns = match &field.values {
        Column::Time(v) => v.get(row).copied().flatten(),
        Column::Int(v) => v.get(row).copied().flatten()?.checked_mul(unit.ns_per_int()),
        Column::Number(v) => {
            let x = v.get(row).copied().flatten()?;
            match unit {
                Unit::Millis => ms_to_ns(x, 0),
                _ => scaled(x, unit),
            }
        }
        Column::String(c) => crate::time::parse_timestamp(c.get(row)?).ok(),
        Column::Boolean(_) | Column::Json(_) => None,
    }?;
    crate::time::check_range(ns).ok()
}

/// A duration in ns from a number in `unit`.
fn duration_ns(field: &Field, row: usize, unit: Unit) -> Option<i64> {
    match &field.values {
        Column::Int(v) => v.get(row).copied().flatten()?.checked_mul(unit.ns_per_int()),
        other => scaled(other.number(row)?, unit),
    }
}

/// The non-empty text of a field at a row.
fn text<'a>(field: Option<&'a Field>, row: usize) -> Option<Cow<'a, str>> {
    field?.values.text(row).filter(|t| !t.is_empty())
}

/// Which distinct value a row holds, as a cache key: `Some(None)` for no field or a missing value, `None` when
/// the field's column is not indexed (`StrColumn::is_indexed`), so the key must be its text.
fn value_id(field: Option<&Field>, row: usize) -> Option<Option<u32>> {
    match field.map(|f| &f.values) {
        None => Some(None),
        Some(Column::Json(c) | Column::String(c)) if c.is_indexed() => Some(c.value_id(row)),
        Some(_) => None,
    }
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
/// JSON object (Loki labels), given as JSON text.
fn json_pairs(text: &str) -> Vec<(String, String)> {
    serde_json::from_str::<Value>(text).map_or_else(|_| Vec::new(), |v| value_pairs(&v))
}

fn value_pairs(v: &Value) -> Vec<(String, String)> {
    match v {
        Value::Array(items) => {
            items.iter().filter_map(|kv| Some((kv.get("key")?.as_str()?.to_string(), json_text(kv.get("value")?)?.into_owned()))).collect()
        }
        Value::Object(map) => map.iter().filter_map(|(k, v)| Some((k.clone(), json_text(v)?.into_owned()))).collect(),
        _ => Vec::new(),
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

/// The type (if given) and message of the first exception event in a trace frame's `logs`
/// value (`[{timestamp, name?, fields: [{key, value}]}]`): OTel `exception.*` fields, or
/// OpenTracing's `event: error` with `message` / `error.object`.
fn exception_event(events: &str) -> Option<(Option<String>, String)> {
    let Ok(Value::Array(events)) = serde_json::from_str::<Value>(events) else { return None };
    events.iter().find_map(|event| {
        let fields = value_pairs(event.get("fields")?);
        let get = |key: &str| fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
        let message = get("exception.message")
            .or_else(|| (get("event").as_deref() == Some("error")).then(|| get("message").or_else(|| get("error.object"))).flatten())?;
        Some((get("exception.type").or_else(|| get("error.kind")), message))
    })
}

/// Distinct `tags` texts of a trace frame whose parsed pairs are kept: what a frame repeats, not every span's own.
const TAG_TEXTS: usize = 4096;

fn ingest_trace(ds: &mut Dataset, cx: &Cx, frame: &Frame) {
    let field = |name: &str| frame.field(name);
    let (Some(trace_f), Some(span_f), Some(start_f)) = (field("traceID"), field("spanID"), field("startTime")) else { return };
    let parent_f = field("parentSpanID");
    let duration_f = field("duration");
    let (start_unit, duration_unit) = (Unit::of(start_f, Unit::Millis), duration_f.map_or(Unit::Millis, |f| Unit::of(f, Unit::Millis)));
    let (op_f, service_f, namespace_f, service_tags_f) =
        (field("operationName"), field("serviceName"), field("serviceNamespace"), field("serviceTags"));
    let (kind_f, status_f, message_f, tags_f) = (field("kind"), field("statusCode"), field("statusMessage"), field("tags"));
    let (scope_f, scope_version_f, events_f) = (field("instrumentationLibraryName"), field("instrumentationLibraryVersion"), field("logs"));
    let mut resources: HashMap<(Text, Text, Text), LabelSetId> = HashMap::default();
    let mut tag_texts: HashMap<Cow<str>, Vec<(String, String)>> = HashMap::default();
    // Spans of one kind share their attributes too: each distinct (tags, scope, scope version) is
    // interned once (up to TAG_TEXTS of them), not key by key per span.
    let mut attribute_sets: HashMap<(Text, Text, Text), LabelSetId> = HashMap::default();
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
            cx.skip_row(ds, start_f, row, "span skipped: no valid start time (in 1970..2200)");
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
        // No duration column at all reads as 0 (with a warning); a bad value skips the span.
        let duration_ns = match duration_f.map(|f| (f, duration_ns(f, row, duration_unit))) {
            Some((_, Some(d))) if d >= 0 => d,
            None => {
                ds.diagnostics.warn(cx.at("duration", row), "no duration field; read as 0");
                0
            }
            Some((f, _)) => {
                cx.skip_row(ds, f, row, "span skipped: duration missing, not a number or negative");
                continue;
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
        // Spans of one kind repeat their tags' text: each distinct text is parsed once (up to TAG_TEXTS of them).
        let tags_text = text(tags_f, row);
        let attributes_key = (tags_text.clone(), text(scope_f, row), text(scope_version_f, row));
        let uncached;
        let parsed: &[(String, String)] = match tags_text {
            None => &[],
            Some(t) if tag_texts.len() < TAG_TEXTS || tag_texts.contains_key(&t) => {
                tag_texts.entry(t).or_insert_with_key(|t| json_pairs(t))
            }
            Some(t) => {
                uncached = json_pairs(&t);
                &uncached
            }
        };
        let tag = |key: &str| parsed.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        let kind = SpanKind::from_text(text(kind_f, row).as_deref().or(tag("span.kind")).unwrap_or_default());
        let status = match text(status_f, row) {
            Some(code) => parse_status(&code),
            // Jaeger and OpenTracing mark failed spans with an `error` tag.
            None if tag("error").is_some_and(|v| v.eq_ignore_ascii_case("true")) => SpanStatus::Error,
            None => parse_status(tag("otel.status_code").unwrap_or_default()),
        };
        let mut message = text(message_f, row).map(Cow::into_owned).or_else(|| tag("otel.status_description").map(str::to_string));
        // A failed span's error often lives only in its exception event (span `logs`).
        let mut exception_type = None;
        if status == SpanStatus::Error && message.is_none() {
            if let Some((kind, what)) = text(events_f, row).and_then(|t| exception_event(&t)) {
                exception_type = kind;
                message = Some(what);
            }
        }
        let known = exception_type.is_none().then(|| attribute_sets.get(&attributes_key).copied()).flatten();
        let attributes = known.unwrap_or_else(|| {
            let (_, scope, scope_version) = &attributes_key;
            let own = [
                ("exception.type", exception_type.as_deref()),
                ("otel.scope.name", scope.as_deref()),
                ("otel.scope.version", scope_version.as_deref()),
            ];
            let id =
                ds.labels(parsed.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain(own.into_iter().filter_map(|(k, v)| Some((k, v?)))));
            if exception_type.is_none() && attribute_sets.len() < TAG_TEXTS {
                attribute_sets.insert(attributes_key, id);
            }
            id
        });
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
const LEVEL_KEYS: [&str; 7] = ["level", "detected_level", "severity", "lvl", "loglevel", "severity_text", "log.level"];

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

/// Splits a row's labels (Loki's `labels` JSON) into stream labels and record labels, by
/// `labelTypes` (I: indexed stream label; S: structured metadata; P: parsed from the line)
/// or, without types, by name; `base` labels are the stream's too.
fn split_labels(ds: &mut Dataset, base: &[(String, String)], labels: Option<&str>, types: Option<&str>) -> StreamLabels {
    let types = types.map(json_pairs).unwrap_or_default();
    let type_of = |k: &str| types.iter().find(|(t, _)| t == k).map(|(_, v)| v.as_str());
    let mut resource = base.to_vec();
    let mut meta = Vec::new();
    for (k, v) in labels.map(json_pairs).unwrap_or_default() {
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
    let all = || resource.iter().chain(&meta);
    let level = LEVEL_KEYS.iter().find_map(|key| all().find(|(k, _)| k == key)).map_or(Level::Unknown, |(_, v)| level_of(v));
    let resource_id = ds.labels(resource.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let pairs: Vec<(Sym, Sym)> = meta.iter().map(|(k, v)| (ds.strings.intern(k), ds.strings.intern(v))).collect();
    let metadata = ds.label_sets.intern(&ds.strings, pairs.clone());
    StreamLabels { resource: resource_id, metadata, pairs, level }
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
    // Rows share a few distinct labels: each is split once, found by its text or, where the labels columns
    // are indexed (packed frames' distinct values), by the values' ids, which costs no hashing of text.
    let mut streams: Vec<StreamLabels> = Vec::new();
    let mut by_text: HashMap<(Text, Text), usize> = HashMap::default();
    let mut by_id: HashMap<(Option<u32>, Option<u32>), usize> = HashMap::default();
    ds.logs.reserve(frame.len(), body_f.map_or(0, |f| f.values.text_bytes()));
    for row in 0..frame.len() {
        let exact = ns_f
            .and_then(|f| match &f.values {
                Column::Int(v) => v.get(row).copied().flatten(),
                other => parse_i64(other.text(row)?.trim()),
            })
            .filter(|t| crate::time::check_range(*t).is_ok());
        let Some(time_ns) = exact.or_else(|| time_ns(time_f, row, Unit::Millis)) else {
            cx.skip_row(ds, time_f, row, "log line skipped: no valid time (in 1970..2200)");
            continue;
        };
        let ids = value_id(labels_f, row).zip(value_id(types_f, row));
        let known = ids.and_then(|ids| by_id.get(&ids).copied());
        let at = known.unwrap_or_else(|| {
            let key = (text(labels_f, row), text(types_f, row));
            let at = match by_text.get(&key) {
                Some(&at) => at,
                None => {
                    streams.push(split_labels(ds, &base, key.0.as_deref(), key.1.as_deref()));
                    by_text.insert(key, streams.len() - 1);
                    streams.len() - 1
                }
            };
            if let Some(ids) = ids {
                by_id.insert(ids, at);
            }
            at
        });
        let stream = &streams[at];
        let (resource, mut metadata) = (stream.resource, stream.metadata);
        let level = level_f.iter().find_map(|f| text(Some(f), row)).map_or(stream.level, |t| level_of(&t));
        if !extra.is_empty() {
            let mut meta = stream.pairs.clone();
            for (name, f) in &extra {
                if let Some(v) = text(Some(f), row) {
                    meta.push((*name, ds.strings.intern(&v)));
                }
            }
            metadata = ds.label_sets.intern(&ds.strings, meta);
        }
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

/// `text.parse::<i64>()`, with a short way for the digit strings Loki's `tsNs` holds: 19 digits
/// cannot overflow a u64, so no checked arithmetic per digit (128-bit multiplies in wasm32).
fn parse_i64(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if (1..=19).contains(&b.len()) && b.iter().all(u8::is_ascii_digit) {
        return i64::try_from(b.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'))).ok();
    }
    text.parse().ok()
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
            None => cx.skip_row(ds, time, row, "sample skipped: no valid time (in 1970..2200)"),
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
    let mut index: HashMap<Vec<Text>, usize> = HashMap::default();
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
            cx.skip_row(ds, time, row, "exemplar skipped: no valid time (in 1970..2200)");
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::diag::{Diagnostics, Severity};
    use crate::ingest::frame::StrColumn;
    use crate::ingest::frames_json::parse_frames;

    fn frames(v: Value) -> Vec<Frame> {
        let mut d = Diagnostics::default();
        let frames = parse_frames("t", &v, &mut d).expect("frames");
        assert_eq!(d.total(), 0, "{:?}", d.entries());
        frames
    }

    fn ingest(v: Value) -> Dataset {
        let mut ds = Dataset::default();
        ingest_frames(&mut ds, "t", "grafana-frames", &frames(v));
        ds
    }

    fn pairs(ds: &Dataset, id: LabelSetId) -> Vec<(String, String)> {
        ds.label_pairs(id).map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// Tempo's 17-field frame (trace_transform.go), as a DTO the way the frontend holds it.
    fn tempo_frame(trace_ids: [&str; 3]) -> Value {
        json!({"name": "Trace", "meta": {"preferredVisualisationType": "trace"}, "fields": [
            {"name": "traceID", "type": "string", "values": trace_ids},
            {"name": "spanID", "type": "string", "values": ["a1a1a1a1a1a1a1a1", "b2b2b2b2b2b2b2b2", "c3c3c3c3c3c3c3c3"]},
            {"name": "parentSpanID", "type": "string", "values": ["0000000000000000", "a1a1a1a1a1a1a1a1", "not-an-id"]},
            {"name": "operationName", "type": "string", "values": ["GET /api", "SELECT", "publish"]},
            {"name": "serviceName", "type": "string", "values": ["api", "db", "api"]},
            {"name": "kind", "type": "string", "values": ["server", "client", "SPAN_KIND_PRODUCER"]},
            {"name": "statusCode", "type": "number", "values": [0, 2, 1]},
            {"name": "statusMessage", "type": "string", "values": ["", "deadlock detected", ""]},
            {"name": "instrumentationLibraryName", "type": "string", "values": ["io.opentelemetry.http", "", ""]},
            {"name": "instrumentationLibraryVersion", "type": "string", "values": ["1.2", "", ""]},
            {"name": "traceState", "type": "string", "values": ["", "", ""]},
            {"name": "serviceTags", "type": "other", "values": [
                [{"key": "service.name", "value": "api"}, {"key": "k8s.pod.name", "value": "api-7f9"}],
                [{"key": "service.name", "value": "db"}],
                [{"key": "service.name", "value": "api"}, {"key": "k8s.pod.name", "value": "api-7f9"}]]},
            {"name": "startTime", "type": "number", "values": [1616072924070.497, 1616072924071.0, 1616072924072.25]},
            {"name": "duration", "type": "number", "values": [8.421, 3, 0.001]},
            {"name": "logs", "type": "other", "values": [null, [{"timestamp": 1616072924071.5, "fields": [{"key": "event", "value": "retry"}]}], null]},
            {"name": "references", "type": "other", "values": [null, null, null]},
            {"name": "tags", "type": "other", "values": [
                [{"key": "http.status_code", "value": 500}, {"key": "http.route", "value": "/api"}], [{"key": "db.system", "value": "postgresql"}], []]}]})
    }

    #[test]
    fn tempo_trace_frames_read_every_field() {
        let ds = ingest(tempo_frame(["4bf92f3577b34da6a3ce929d0e0e4736"; 3]));
        let s = &ds.spans;
        assert_eq!(s.len(), 3);
        assert_eq!(s.trace[0].to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!((s.parent[0], s.parent[1].map(|p| p.to_string())), (None, Some("a1a1a1a1a1a1a1a1".to_string())));
        assert_eq!(s.parent[2], None, "a bad parent makes a root, with a warning");
        assert_eq!(ds.diagnostics.entries()[0].to_string(), "t, frame Trace, field parentSpanID, row 2: parent span id: not a hex, base64, decimal, UUID or traceparent id; span read as a root");
        assert_eq!(s.kind, [SpanKind::Server, SpanKind::Client, SpanKind::Producer]);
        assert_eq!(s.status, [SpanStatus::Unset, SpanStatus::Error, SpanStatus::Ok]);
        assert_eq!(s.status_message[1].map(|m| ds.strings.resolve(m)), Some("deadlock detected"));
        assert_eq!(s.status_message[0], None);
        assert_eq!((s.start_ns[0], s.duration_ns[0]), (1_616_072_924_070_497_000, 8_421_000));
        assert_eq!((s.start_ns[2], s.duration_ns[2]), (1_616_072_924_072_250_000, 1_000));
        assert_eq!(s.resource[0], s.resource[2], "one resource per service and tags");
        assert_eq!(pairs(&ds, s.resource[0]), [("k8s.pod.name".into(), "api-7f9".into()), ("service.name".into(), "api".into())]);
        assert_eq!(
            pairs(&ds, s.attributes[0]),
            [
                ("http.route".to_string(), "/api".to_string()),
                ("http.status_code".into(), "500".into()),
                ("otel.scope.name".into(), "io.opentelemetry.http".into()),
                ("otel.scope.version".into(), "1.2".into())
            ]
        );
        assert_eq!(ds.strings.resolve(s.operation[1]), "SELECT");
    }

    #[test]
    fn bad_span_rows_are_skipped_with_their_place() {
        let ds = ingest(tempo_frame(["4bf92f3577b34da6a3ce929d0e0e4736", "zzz", ""]));
        assert_eq!(ds.spans.len(), 1);
        let skipped: Vec<String> =
            ds.diagnostics.entries().iter().filter(|d| d.severity == Severity::Skipped).map(|d| d.to_string()).collect();
        assert_eq!(
            skipped,
            [
                "t, frame Trace, field traceID, row 1: span skipped: trace id: not a hex, base64, decimal, UUID or traceparent id",
                "t, frame Trace, field traceID, row 2: span skipped: no trace id"
            ]
        );
    }

    #[test]
    fn failed_spans_without_a_message_take_it_from_their_exception_event() {
        let ds = ingest(json!({"meta": {"preferredVisualisationType": "trace"}, "fields": [
            {"name": "traceID", "values": ["1", "1", "1"]}, {"name": "spanID", "values": ["1", "2", "3"]},
            {"name": "startTime", "values": [1, 2, 3]}, {"name": "duration", "values": [1, 1, 1]},
            {"name": "statusCode", "values": [2, 2, 0]},
            {"name": "logs", "type": "other", "values": [
                [{"timestamp": 1.5, "name": "exception", "fields": [{"key": "exception.type", "value": "SQLException"}, {"key": "exception.message", "value": "deadlock"}]}],
                [{"timestamp": 2.5, "fields": [{"key": "event", "value": "error"}, {"key": "message", "value": "connection refused"}]}],
                [{"timestamp": 3.5, "fields": [{"key": "exception.message", "value": "ignored: the span did not fail"}]}]]}]}));
        let message = |i: usize| ds.spans.status_message[i].map(|m| ds.strings.resolve(m));
        assert_eq!((message(0), message(1), message(2)), (Some("deadlock"), Some("connection refused"), None));
        assert_eq!(ds.label(ds.spans.attributes[0], "exception.type"), Some("SQLException"));
    }

    #[test]
    fn the_legacy_error_tag_and_otel_status_tags_set_status() {
        let ds = ingest(json!({"meta": {"preferredVisualisationType": "trace"}, "fields": [
            {"name": "traceID", "values": ["1", "1"]}, {"name": "spanID", "values": ["1", "2"]},
            {"name": "startTime", "values": [1, 2]}, {"name": "duration", "values": [1, 1]},
            {"name": "tags", "type": "other", "values": [[{"key": "error", "type": "bool", "value": true}], {"otel.status_code": "ERROR", "otel.status_description": "boom"}]}]}));
        assert_eq!(ds.spans.status, [SpanStatus::Error, SpanStatus::Error]);
        assert_eq!(ds.spans.status_message[1].map(|m| ds.strings.resolve(m)), Some("boom"));
    }

    #[test]
    fn frames_built_in_memory_read_like_decoded_ones() {
        // As the wasm interop builds them: times as a time column, strings packed.
        let mut ids = StrColumn::default();
        ids.push(Some("4bf92f3577b34da6a3ce929d0e0e4736"));
        let mut spans = StrColumn::default();
        spans.push(Some("00f067aa0ba902b7"));
        let field = |name: &str, field_type, values| Field {
            name: name.into(),
            field_type,
            labels: Default::default(),
            config: Value::Null,
            values,
        };
        let frame = Frame {
            fields: vec![
                field("traceID", FieldType::String, Column::String(ids)),
                field("spanID", FieldType::String, Column::String(spans)),
                field("startTime", FieldType::Time, Column::Time(vec![Some(1_700_000_000_123_456_789)])),
                field("duration", FieldType::Number, Column::Number(vec![Some(2.5)])),
            ],
            ..Frame::default()
        };
        assert_eq!(detect(&frame), FrameKind::Trace);
        let mut ds = Dataset::default();
        ingest_frames(&mut ds, "panel:A", "grafana-frames", &[frame]);
        assert_eq!((ds.spans.start_ns[0], ds.spans.duration_ns[0]), (1_700_000_000_123_456_789, 2_500_000));
    }

    #[test]
    fn dataplane_log_lines_take_severity_and_keep_ids_in_metadata() {
        let ds = ingest(json!([{"schema": {"meta": {"type": "log-lines", "typeVersion": [0, 0]}, "fields": [
            {"name": "timestamp", "type": "time"}, {"name": "body", "type": "string"}, {"name": "severity", "type": "string"},
            {"name": "id", "type": "string"}, {"name": "labels", "type": "other"}, {"name": "traceID", "type": "string"}]},
            "data": {"values": [[1700000000000i64, 1700000000001i64], ["GET /api 500", "ok"], ["ERROR", null], ["x1", "x2"],
                [{"service_name": "api", "trace_id": "abc"}, {"service_name": "api", "level": "debug"}], ["4bf92f3577b34da6a3ce929d0e0e4736", null]],
                "nanos": [[5, 0], null, null, null, null, null]}}]));
        assert_eq!(ds.logs.len(), 2);
        assert_eq!(ds.logs.time_ns, [1_700_000_000_000_000_005, 1_700_000_000_001_000_000]);
        assert_eq!(ds.logs.level, [Level::Error, Level::Debug], "severity field, else the level label");
        assert_eq!(pairs(&ds, ds.logs.resource[0]), [("service_name".to_string(), "api".to_string())]);
        assert_eq!(
            pairs(&ds, ds.logs.metadata[0]),
            [
                ("severity".to_string(), "ERROR".to_string()),
                ("traceID".into(), "4bf92f3577b34da6a3ce929d0e0e4736".into()),
                ("trace_id".into(), "abc".into())
            ]
        );
        assert_eq!(ds.logs.body(0), "GET /api 500");
    }

    #[test]
    fn log_levels_come_from_fields_then_labels_and_numbers_are_syslog() {
        let ds = ingest(json!({"meta": {"custom": {"frameType": "LabeledTimeValues"}}, "fields": [
            {"name": "labels", "type": "other", "values": [{"app": "a", "detected_level": "warn"}, {"app": "a"}, {"app": "a", "lvl": "3"}]},
            {"name": "Time", "type": "time", "values": [1, 2, 3]},
            {"name": "Line", "type": "string", "values": ["x", "y", "z"]},
            {"name": "level", "type": "string", "values": [null, "fatal", null]}]}));
        assert_eq!(ds.logs.level, [Level::Warning, Level::Critical, Level::Error]);
        assert_eq!(ds.logs.resource[0], ds.logs.resource[1], "detected_level is not a stream label");
    }

    #[test]
    fn untyped_frames_with_messages_are_logs_and_with_dimensions_are_long_series() {
        let ds = ingest(json!([
            {"name": "es", "fields": [{"name": "@timestamp", "type": "time", "values": [1, 2]},
                {"name": "message", "type": "string", "values": ["GET /a took 5 ms", "GET /b failed: timeout"]},
                {"name": "log.level", "type": "string", "values": ["info", "error"]}, {"name": "bytes", "type": "number", "values": [5, 7]}]},
            {"name": "sql", "fields": [{"name": "time", "type": "time", "values": [1, 1, 2]},
                {"name": "host", "type": "string", "values": ["a", "b", "a"]}, {"name": "cpu", "type": "number", "values": [0.5, 0.7, 0.6]}]}]));
        assert_eq!(ds.logs.len(), 2);
        assert_eq!(ds.logs.level, [Level::Info, Level::Error]);
        assert_eq!(ds.logs.body(1), "GET /b failed: timeout");
        assert_eq!(ds.label(ds.logs.metadata[1], "bytes"), Some("7"));
        assert_eq!(ds.series.len(), 2);
        assert_eq!(ds.series.points(0), (&[1_000_000, 2_000_000][..], &[0.5, 0.6][..]));
    }

    #[test]
    fn indexed_labels_give_the_rows_their_text_gives() {
        let labels = [Some(r#"{"app":"a","level":"warn"}"#), Some(r#"{"app":"b"}"#), None, Some(r#"{"app":"a","level":"warn"}"#), Some("")];
        let frame = |values: Column| Frame {
            meta: json!({"custom": {"frameType": "LabeledTimeValues"}}),
            fields: vec![
                Field { name: "labels".into(), field_type: FieldType::Other, labels: Default::default(), config: Value::Null, values },
                Field {
                    name: "Time".into(),
                    field_type: FieldType::Time,
                    labels: Default::default(),
                    config: Value::Null,
                    values: Column::Time(vec![Some(1); 5]),
                },
            ],
            ..Frame::default()
        };
        let mut plain = StrColumn::default();
        labels.iter().for_each(|l| plain.push(*l));
        // The distinct values once each, rows pointing at them (a missing row's index is not read).
        let mut distinct = StrColumn::default();
        [r#"{"app":"b"}"#, r#"{"app":"a","level":"warn"}"#, ""].iter().for_each(|l| distinct.push(Some(l)));
        let indexed = distinct.indexed_by(vec![1, 0, 7, 1, 2], Some(vec![true, true, false, true, true])).unwrap();
        let [mut a, mut b] = [Dataset::default(), Dataset::default()];
        ingest_frames(&mut a, "t", "grafana-frames", &[frame(Column::Json(plain))]);
        ingest_frames(&mut b, "t", "grafana-frames", &[frame(Column::Json(indexed))]);
        let rows = |ds: &Dataset| (0..ds.logs.len()).map(|r| (pairs(ds, ds.logs.resource[r]), ds.logs.level[r])).collect::<Vec<_>>();
        assert_eq!(rows(&a).len(), 5);
        assert_eq!(rows(&a), rows(&b));
        assert_eq!((a.logs.level[0], a.logs.level[1]), (Level::Warning, Level::Unknown));
    }

    #[test]
    fn integers_parse_as_str_parse_does() {
        let max = i64::MAX.to_string();
        let digits = ["0", "007", "1795319100000000000", &max, "9223372036854775808", "9999999999999999999", "12345678901234567890"];
        for text in digits.into_iter().chain(["-5", "+5", "", "1a", " 1"]) {
            assert_eq!(parse_i64(text), text.parse::<i64>().ok(), "{text}");
        }
    }

    #[test]
    fn log_rows_without_time_are_skipped() {
        let ds = ingest(json!({"meta": {"type": "log-lines"}, "fields": [
            {"name": "timestamp", "type": "time", "values": [null, 5]}, {"name": "body", "type": "string", "values": ["a", "b"]}]}));
        assert_eq!(ds.logs.len(), 1);
        assert_eq!(
            ds.diagnostics.entries()[0].to_string(),
            "t, frame #0, field timestamp, row 0: log line skipped: no valid time (in 1970..2200)"
        );
    }

    #[test]
    fn merged_prometheus_exemplars_point_at_their_series() {
        let ds = ingest(json!([
            {"schema": {"meta": {"type": "timeseries-multi"}, "fields": [{"name": "Time", "type": "time"},
                {"name": "Value", "type": "number", "labels": {"__name__": "http_latency", "job": "api"}}]},
             "data": {"values": [[1000, 2000], [0.1, 0.9]]}},
            {"schema": {"name": "exemplar", "meta": {"custom": {"resultType": "exemplar"}, "dataTopic": "annotations"}, "fields": [
                {"name": "Time", "type": "time"}, {"name": "Value", "type": "number"}, {"name": "__name__", "type": "string"},
                {"name": "job", "type": "string"}, {"name": "trace_id", "type": "string"}, {"name": "span_id", "type": "string"}]},
             "data": {"values": [[1500, 1600], [0.95, 0.2], ["http_latency", "other"], ["api", "api"],
                ["4bf92f3577b34da6a3ce929d0e0e4736", "nope"], ["00f067aa0ba902b7", null]]}}]));
        let ex = &ds.exemplars;
        assert_eq!(ex.len(), 2);
        assert_eq!((ex.series[0], ex.series[1]), (Some(0), None));
        assert_eq!(ex.trace[0].map(|t| t.to_string()).as_deref(), Some("4bf92f3577b34da6a3ce929d0e0e4736"));
        assert_eq!(ex.span[0].map(|s| s.to_string()).as_deref(), Some("00f067aa0ba902b7"));
        assert_eq!(ex.trace[1], None);
        assert_eq!(pairs(&ds, ex.labels[1]), [("trace_id".to_string(), "nope".to_string())]);
        assert_eq!(pairs(&ds, ex.series_labels[0]), [("__name__".to_string(), "http_latency".to_string()), ("job".into(), "api".into())]);
        assert_eq!((ex.time_ns[0], ex.value[0]), (1_500_000_000, 0.95));
    }

    #[test]
    fn tempo_traceql_exemplars_and_annotations() {
        let ds = ingest(json!({"results": {"A": {"frames": [
            {"schema": {"name": "exemplar", "refId": "A", "meta": {"dataTopic": "annotations"}, "fields": [
                {"name": "Time", "type": "time"}, {"name": "Value", "type": "number"}, {"name": "traceId", "type": "string"},
                {"name": "service.name", "type": "string"}]},
             "data": {"values": [[1000], [0.5], ["4bf92f3577b34da6a3ce929d0e0e4736"], ["api"]]}},
            {"schema": {"meta": {"dataTopic": "annotations"}, "fields": [{"name": "time", "type": "time"}, {"name": "text", "type": "string"}]},
             "data": {"values": [[1000], ["deploy"]]}}]}}}));
        assert_eq!(ds.exemplars.len(), 1);
        assert!(ds.exemplars.trace[0].is_some());
        assert_eq!(pairs(&ds, ds.exemplars.series_labels[0]), [("service.name".to_string(), "api".to_string())]);
        assert!(ds.logs.is_empty(), "annotation frames are not logs");
        assert_eq!(ds.diagnostics.total(), 0);
    }

    #[test]
    fn units_in_config_are_honoured() {
        let ds = ingest(json!({"meta": {"preferredVisualisationType": "trace"}, "fields": [
            {"name": "traceID", "values": ["1"]}, {"name": "spanID", "values": ["1"]},
            {"name": "startTime", "type": "number", "config": {"unit": "µs"}, "values": [1700000000000001i64]},
            {"name": "duration", "type": "number", "config": {"unit": "ns"}, "values": [1500]}]}));
        assert_eq!((ds.spans.start_ns[0], ds.spans.duration_ns[0]), (1_700_000_000_000_001_000, 1_500));
    }

    #[test]
    fn unrecognised_frames_are_reported_once_and_search_tables_are_not() {
        let ds = ingest(json!([
            {"name": "table", "fields": [{"name": "a", "type": "number", "values": [1]}]},
            {"name": "search", "fields": [{"name": "traceID", "values": ["x"]}, {"name": "startTime", "type": "time", "values": [1]}, {"name": "traceDuration", "values": [3]}]},
            {"name": "nodes", "meta": {"preferredVisualisationType": "nodeGraph"}, "fields": [{"name": "id", "values": ["a"]}]},
            {"name": "empty", "fields": []}]));
        assert!(ds.spans.is_empty() && ds.series.is_empty() && ds.logs.is_empty());
        let all: Vec<String> = ds.diagnostics.entries().iter().map(|d| d.to_string()).collect();
        assert_eq!(all, ["t, frame table: frame not analysed: no time field"]);
    }

    fn column() -> impl Strategy<Value = Column> {
        let n = 0usize..5;
        let text = proptest::option::of(prop_oneof![
            Just("4bf92f3577b34da6a3ce929d0e0e4736".to_string()),
            Just("{\"a\":\"b\"}".to_string()),
            Just("[{\"key\":\"k\",\"value\":1}]".to_string()),
            "[0-9a-z]{0,6}"
        ]);
        prop_oneof![
            proptest::collection::vec(proptest::option::of(any::<i64>()), n.clone()).prop_map(Column::Time),
            proptest::collection::vec(proptest::option::of(any::<i64>()), n.clone()).prop_map(Column::Int),
            proptest::collection::vec(proptest::option::of(any::<f64>()), n.clone()).prop_map(Column::Number),
            proptest::collection::vec(proptest::option::of(any::<bool>()), n.clone()).prop_map(Column::Boolean),
            proptest::collection::vec(text.clone(), n.clone()).prop_map(|v| {
                let mut c = StrColumn::default();
                v.iter().for_each(|t| c.push(t.as_deref()));
                Column::String(c)
            }),
            proptest::collection::vec(text, n).prop_map(|v| {
                let mut c = StrColumn::default();
                v.iter().for_each(|t| c.push(t.as_deref()));
                Column::Json(c)
            }),
        ]
    }

    proptest! {
        /// Frames as any producer might build them, ragged columns included, never panic.
        #[test]
        fn arbitrary_in_memory_frames_never_panic(fields in proptest::collection::vec((0usize..12, 0usize..6, column()), 0..7), meta in 0usize..4) {
            const NAMES: [&str; 12] = ["traceID", "spanID", "startTime", "duration", "Time", "Value", "labels", "Line", "tsNs", "trace_id", "city", "timestamp"];
            const TYPES: [FieldType; 6] = [FieldType::Time, FieldType::Number, FieldType::String, FieldType::Boolean, FieldType::Other, FieldType::Enum];
            let metas = [json!(null), json!({"preferredVisualisationType": "trace"}), json!({"type": "log-lines"}), json!({"type": "timeseries-long"})];
            let frame = Frame {
                name: Some("exemplar".into()).filter(|_| meta == 3),
                meta: metas[meta].clone(),
                fields: fields.into_iter().map(|(n, t, values)| Field { name: NAMES[n].into(), field_type: TYPES[t], labels: Default::default(), config: Value::Null, values }).collect(),
                ..Frame::default()
            };
            let mut ds = Dataset::default();
            ingest_frames(&mut ds, "fuzz", "grafana-frames", &[frame]);
        }
    }
}
