//! OTLP JSON: `ExportTrace/Logs/MetricsServiceRequest` documents (also the `TracesData`,
//! `LogsData`, `MetricsData` lines the collector's file exporter writes), in both key
//! spellings (proto3 lowerCamelCase and the `OrigName` snake_case of gogo/jsonpb), with the
//! legacy `instrumentationLibrary*` containers, hex or base64 ids, and int64 as strings or
//! numbers. Tempo's trace-by-id (`batches`) and Jaeger's api/v3 reuse `Decoder::resource_spans`.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::Value;

use super::json_util::{array, float, get, int, required_time, str_at, time_ns, LabelBuilder};
use crate::diag::Place;
use crate::id::{SpanId, TraceId};
use crate::model::{Dataset, ExemplarRow, LabelSetId, Level, LogRow, SourceId, SpanKind, SpanRow, SpanStatus, Sym};

const RESOURCE_SPANS: &[&str] = &["resourceSpans", "resource_spans"];
const RESOURCE_LOGS: &[&str] = &["resourceLogs", "resource_logs"];
const RESOURCE_METRICS: &[&str] = &["resourceMetrics", "resource_metrics"];
const SCOPE_SPANS: &[&str] = &["scopeSpans", "scope_spans", "instrumentationLibrarySpans", "instrumentation_library_spans"];
const SCOPE_LOGS: &[&str] = &["scopeLogs", "scope_logs", "instrumentationLibraryLogs", "instrumentation_library_logs"];
const SCOPE_METRICS: &[&str] = &["scopeMetrics", "scope_metrics", "instrumentationLibraryMetrics", "instrumentation_library_metrics"];
const TRACE_ID: &[&str] = &["traceId", "trace_id"];
const SPAN_ID: &[&str] = &["spanId", "span_id"];
const TIME: &[&str] = &["timeUnixNano", "time_unix_nano"];

/// Does this document carry OTLP resource lists at the top level?
pub fn is_otlp(v: &Value) -> bool {
    [RESOURCE_SPANS, RESOURCE_LOGS, RESOURCE_METRICS].iter().any(|keys| get(v, keys).is_some_and(Value::is_array))
}

pub fn try_decode(ds: &mut Dataset, input: &str, value: &Value) -> bool {
    if !is_otlp(value) {
        return false;
    }
    let mut decoder = Decoder::new(input, "otlp-json");
    decoder.document(ds, value, "");
    decoder.finish(ds);
    true
}

/// One OTLP series being assembled: data points of one metric and label set can be spread
/// over many documents (each file-exporter line is one export), so they are gathered here
/// and written to the series table once, in `finish`.
struct PendingSeries {
    name: Sym,
    labels: LabelSetId,
    points: Vec<(i64, f64)>,
}

/// Decodes OTLP documents of one input into the dataset.
pub struct Decoder<'a> {
    input: &'a str,
    format: &'static str,
    source: Option<SourceId>,
    series: Vec<PendingSeries>,
    series_index: HashMap<(Sym, LabelSetId), usize>,
    /// Exemplars wait for their series' final index.
    exemplars: Vec<(usize, ExemplarRow)>,
}

impl<'a> Decoder<'a> {
    pub fn new(input: &'a str, format: &'static str) -> Decoder<'a> {
        Decoder { input, format, source: None, series: Vec::new(), series_index: HashMap::new(), exemplars: Vec::new() }
    }

    fn source(&mut self, ds: &mut Dataset) -> SourceId {
        *self.source.get_or_insert_with(|| ds.add_source(self.input, self.format))
    }

    fn place(&self, frame: String) -> Place {
        Place::input(self.input).frame(frame)
    }

    /// Decodes the spans, logs and metrics of one document. `prefix` locates the document
    /// inside its input in diagnostics (`line 3: `), empty for a single document.
    pub fn document(&mut self, ds: &mut Dataset, value: &Value, prefix: &str) {
        self.source(ds);
        if let Some(list) = get(value, RESOURCE_SPANS).and_then(Value::as_array) {
            self.resource_spans(ds, list, &format!("{prefix}resourceSpans"));
        }
        if let Some(list) = get(value, RESOURCE_LOGS).and_then(Value::as_array) {
            self.resource_logs(ds, list, &format!("{prefix}resourceLogs"));
        }
        if let Some(list) = get(value, RESOURCE_METRICS).and_then(Value::as_array) {
            self.resource_metrics(ds, list, &format!("{prefix}resourceMetrics"));
        }
    }

    /// Writes the gathered metric series and their exemplars.
    pub fn finish(self, ds: &mut Dataset) {
        let Some(source) = self.source else { return };
        let first = ds.series.len() as u32;
        for mut s in self.series {
            s.points.sort_by_key(|p| p.0);
            ds.series.push(s.name, s.labels, source, s.points);
        }
        for (index, mut row) in self.exemplars {
            row.series = Some(first + index as u32);
            ds.exemplars.push(row);
        }
    }

    /// `ResourceSpans` (or Tempo's `batches`): `path` names the list in diagnostics.
    pub fn resource_spans(&mut self, ds: &mut Dataset, list: &[Value], path: &str) {
        let source = self.source(ds);
        for (ri, rs) in list.iter().enumerate() {
            let resource = resource_labels(ds, rs).finish(ds);
            for (si, ss) in array(rs, SCOPE_SPANS).iter().enumerate() {
                for (i, span) in array(ss, &["spans"]).iter().enumerate() {
                    match self.span(ds, span, resource, source) {
                        Ok(row) => ds.spans.push(row),
                        Err((field, reason)) => {
                            let place = self.place(format!("{path}[{ri}].scopeSpans[{si}]")).field(field).row(i);
                            ds.diagnostics.skip(place, reason);
                        }
                    }
                }
            }
        }
    }

    fn span(&mut self, ds: &mut Dataset, span: &Value, resource: LabelSetId, source: SourceId) -> Result<SpanRow, (&'static str, String)> {
        let trace = TraceId::parse(str_at(span, TRACE_ID).unwrap_or("")).map_err(|e| ("traceId", format!("span skipped: {e}")))?;
        let span_id = SpanId::parse(str_at(span, SPAN_ID).unwrap_or("")).map_err(|e| ("spanId", format!("span skipped: {e}")))?;
        let parent = match str_at(span, &["parentSpanId", "parent_span_id"]).map(str::trim) {
            None | Some("") => None,
            Some(text) => match SpanId::parse(text) {
                Ok(id) => Some(id),
                Err(crate::id::IdError::AllZero) => None,
                Err(e) => return Err(("parentSpanId", format!("span skipped: {e}"))),
            },
        };
        let start = required_time(span, &["startTimeUnixNano", "start_time_unix_nano"])
            .map_err(|e| ("startTimeUnixNano", format!("span skipped: {e}")))?;
        let end = required_time(span, &["endTimeUnixNano", "end_time_unix_nano"])
            .map_err(|e| ("endTimeUnixNano", format!("span skipped: {e}")))?;
        let duration =
            end.checked_sub(start).filter(|d| *d >= 0).ok_or(("endTimeUnixNano", "span skipped: ends before it starts".to_string()))?;
        let operation = ds.strings.intern(str_at(span, &["name"]).unwrap_or(""));
        let (status, status_message) = status(ds, get(span, &["status"]));
        let mut attributes = LabelBuilder::new();
        push_attributes(ds, &mut attributes, span, &["attributes"]);
        Ok(SpanRow {
            trace,
            span: span_id,
            parent,
            resource,
            operation,
            kind: get(span, &["kind"]).map_or(SpanKind::Unspecified, span_kind),
            start_ns: start,
            duration_ns: duration,
            status,
            status_message,
            attributes: attributes.finish(ds),
            source,
        })
    }

    fn resource_logs(&mut self, ds: &mut Dataset, list: &[Value], path: &str) {
        let source = self.source(ds);
        for (ri, rl) in list.iter().enumerate() {
            let resource = resource_labels(ds, rl).finish(ds);
            for (si, sl) in array(rl, SCOPE_LOGS).iter().enumerate() {
                for (i, record) in array(sl, &["logRecords", "log_records"]).iter().enumerate() {
                    let place = || Place::input(self.input).frame(format!("{path}[{ri}].scopeLogs[{si}]")).row(i);
                    if let Err((field, reason)) = log_record(ds, record, resource, source, place) {
                        ds.diagnostics.skip(place().field(field), reason);
                    }
                }
            }
        }
    }

    fn resource_metrics(&mut self, ds: &mut Dataset, list: &[Value], path: &str) {
        let source = self.source(ds);
        for (ri, rm) in list.iter().enumerate() {
            let resource = resource_labels(ds, rm);
            let resource = resource.finish(ds);
            for (si, sm) in array(rm, SCOPE_METRICS).iter().enumerate() {
                for (mi, metric) in array(sm, &["metrics"]).iter().enumerate() {
                    let frame = format!("{path}[{ri}].scopeMetrics[{si}].metrics[{mi}]");
                    self.metric(ds, metric, resource, source, &frame);
                }
            }
        }
    }

    fn metric(&mut self, ds: &mut Dataset, metric: &Value, resource: LabelSetId, source: SourceId, frame: &str) {
        let name = str_at(metric, &["name"]).unwrap_or("");
        let (kind, data) = match ["gauge", "sum", "histogram", "exponentialHistogram", "exponential_histogram", "summary"]
            .iter()
            .find_map(|k| get(metric, &[k]).map(|d| (*k, d)))
        {
            Some(found) => found,
            None => {
                ds.diagnostics.skip(self.place(frame.to_string()), "metric without gauge, sum, histogram or summary data");
                return;
            }
        };
        for (i, point) in array(data, &["dataPoints", "data_points"]).iter().enumerate() {
            let mut labels = LabelBuilder::from_set(ds, resource);
            push_attributes(ds, &mut labels, point, &["attributes"]);
            let labels = labels.finish(ds);
            let time = match required_time(point, TIME) {
                Ok(time) => time,
                Err(e) => {
                    ds.diagnostics.skip(self.place(frame.to_string()).field("timeUnixNano").row(i), format!("data point skipped: {e}"));
                    continue;
                }
            };
            match kind {
                "gauge" | "sum" => {
                    let Some(value) = number_value(point) else {
                        ds.diagnostics.skip(self.place(frame.to_string()).field("asDouble").row(i), "data point without a value");
                        continue;
                    };
                    let index = self.point(ds, name, labels, time, value);
                    self.exemplars(ds, point, index, labels, source, frame);
                }
                "summary" => {
                    self.count_and_sum(ds, name, labels, time, point);
                    for q in array(point, &["quantileValues", "quantile_values"]) {
                        if let (Some(quantile), Some(value)) = (get(q, &["quantile"]).and_then(float), get(q, &["value"]).and_then(float)) {
                            let mut with_q = LabelBuilder::from_set(ds, labels);
                            with_q.push(ds, "quantile", &crate::base::format_number(quantile));
                            let with_q = with_q.finish(ds);
                            self.point(ds, name, with_q, time, value);
                        }
                    }
                }
                _ => {
                    let index = self.count_and_sum(ds, name, labels, time, point);
                    if let Some(index) = index {
                        self.exemplars(ds, point, index, labels, source, frame);
                    }
                }
            }
        }
    }

    /// Histograms and summaries become `<name>_count` and `<name>_sum` series, as the
    /// Prometheus exporters name them. Returns the `_count` series (exemplars attach there).
    fn count_and_sum(&mut self, ds: &mut Dataset, name: &str, labels: LabelSetId, time: i64, point: &Value) -> Option<usize> {
        let count = get(point, &["count"]).and_then(float);
        let index = count.map(|c| self.point(ds, &format!("{name}_count"), labels, time, c));
        if let Some(sum) = get(point, &["sum"]).and_then(float) {
            self.point(ds, &format!("{name}_sum"), labels, time, sum);
        }
        index
    }

    fn point(&mut self, ds: &mut Dataset, name: &str, labels: LabelSetId, time: i64, value: f64) -> usize {
        let name = ds.strings.intern(name);
        let series = &mut self.series;
        let index = *self.series_index.entry((name, labels)).or_insert_with(|| {
            series.push(PendingSeries { name, labels, points: Vec::new() });
            series.len() - 1
        });
        self.series[index].points.push((time, value));
        index
    }

    fn exemplars(&mut self, ds: &mut Dataset, point: &Value, index: usize, labels: LabelSetId, source: SourceId, frame: &str) {
        let list = array(point, &["exemplars"]);
        if list.is_empty() {
            return;
        }
        let mut with_name = LabelBuilder::from_set(ds, labels);
        let name = ds.strings.resolve(self.series[index].name).to_string();
        with_name.push(ds, "__name__", &name);
        let series_labels = with_name.finish(ds);
        for (i, e) in list.iter().enumerate() {
            let place = || self.place(format!("{frame} exemplars")).row(i);
            // An exemplar without a time is kept (it still links its trace); a bad one is not.
            let time_ns = match get(e, TIME).map(time_ns).transpose() {
                Ok(time) => time.unwrap_or(0),
                Err(reason) => {
                    ds.diagnostics.skip(place().field("timeUnixNano"), format!("exemplar skipped: {reason}"));
                    continue;
                }
            };
            let trace = optional_id(ds, str_at(e, TRACE_ID), TraceId::parse, || place().field("traceId"));
            let span = optional_id(ds, str_at(e, SPAN_ID), SpanId::parse, || place().field("spanId"));
            let mut own = LabelBuilder::new();
            push_attributes(ds, &mut own, e, &["filteredAttributes", "filtered_attributes"]);
            let row = ExemplarRow {
                series: None,
                series_labels,
                labels: own.finish(ds),
                time_ns,
                value: number_value(e).unwrap_or(f64::NAN),
                trace,
                span,
                source,
            };
            self.exemplars.push((index, row));
        }
    }
}

/// Decodes one `LogRecord`. Records are never skipped for a bad id: the id is dropped with
/// a diagnostic and the text kept. A record is skipped when it has no valid time: its own
/// (`timeUnixNano`, where 0 means unknown), else the collector's `observedTimeUnixNano`.
fn log_record(
    ds: &mut Dataset,
    record: &Value,
    resource: LabelSetId,
    source: SourceId,
    place: impl Fn() -> Place,
) -> Result<(), (&'static str, String)> {
    const OBSERVED: &[&str] = &["observedTimeUnixNano", "observed_time_unix_nano"];
    let time = match get(record, TIME).map(time_ns).transpose() {
        Ok(Some(time)) if time != 0 => time,
        Ok(_) => {
            required_time(record, OBSERVED).map_err(|e| ("observedTimeUnixNano", format!("log record skipped: no timeUnixNano and {e}")))?
        }
        Err(e) => return Err(("timeUnixNano", format!("log record skipped: {e}"))),
    };
    let level = match get(record, &["severityNumber", "severity_number"]).map(severity_number) {
        Some(level) if level != Level::Unknown => level,
        _ => str_at(record, &["severityText", "severity_text"]).map_or(Level::Unknown, Level::from_text),
    };
    let trace = optional_id(ds, str_at(record, TRACE_ID), TraceId::parse, || place().field("traceId"));
    let span = optional_id(ds, str_at(record, SPAN_ID), SpanId::parse, || place().field("spanId"));
    let mut metadata = LabelBuilder::new();
    push_attributes(ds, &mut metadata, record, &["attributes"]);
    if let Some(event) = str_at(record, &["eventName", "event_name"]).filter(|e| !e.is_empty()) {
        metadata.push(ds, "event.name", event);
    }
    let body = get(record, &["body"]).map_or(Cow::Borrowed(""), any_value_text);
    let metadata = metadata.finish(ds);
    ds.logs.push(LogRow { time_ns: time, resource, metadata, level, trace, span, body: &body, source });
    Ok(())
}

/// An id that may be absent: empty means absent; an invalid one is reported and dropped.
fn optional_id<T, E: std::fmt::Display>(
    ds: &mut Dataset,
    text: Option<&str>,
    parse: impl Fn(&str) -> Result<T, E>,
    place: impl Fn() -> Place,
) -> Option<T> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    match parse(text) {
        Ok(id) => Some(id),
        Err(e) => {
            ds.diagnostics.skip(place(), format!("id dropped: {e}"));
            None
        }
    }
}

fn severity_number(v: &Value) -> Level {
    match v {
        // Enum names (`SEVERITY_NUMBER_WARN2`) as some encoders write them.
        Value::String(s) if s.starts_with("SEVERITY_NUMBER_") => {
            Level::from_text(s["SEVERITY_NUMBER_".len()..].trim_end_matches(|c: char| c.is_ascii_digit()))
        }
        other => int(other).map_or(Level::Unknown, Level::from_otlp_severity),
    }
}

fn resource_labels(ds: &mut Dataset, container: &Value) -> LabelBuilder {
    let mut labels = LabelBuilder::new();
    if let Some(resource) = get(container, &["resource"]) {
        push_attributes(ds, &mut labels, resource, &["attributes"]);
    }
    labels
}

/// Adds a `KeyValue` list (`[{key, value: AnyValue}]`) to a label set.
fn push_attributes(ds: &mut Dataset, labels: &mut LabelBuilder, owner: &Value, keys: &[&str]) {
    for kv in array(owner, keys) {
        if let Some(key) = str_at(kv, &["key"]) {
            let value = get(kv, &["value"]).map_or(Cow::Borrowed(""), any_value_text);
            labels.push(ds, key, &value);
        }
    }
}

/// An `AnyValue` as text: strings as they are, numbers and booleans as JSON writes them,
/// arrays and key-value lists as compact JSON of their plain values.
pub fn any_value_text(v: &Value) -> Cow<'_, str> {
    if let Some(s) = str_at(v, &["stringValue", "string_value"]) {
        return Cow::Borrowed(s);
    }
    match any_value_plain(v) {
        Value::String(s) => Cow::Owned(s),
        Value::Null => Cow::Borrowed(""),
        plain => Cow::Owned(plain.to_string()),
    }
}

fn any_value_plain(v: &Value) -> Value {
    let Some(obj) = v.as_object() else { return v.clone() };
    let Some((key, inner)) = obj.iter().next() else { return Value::Null };
    match key.as_str() {
        "stringValue" | "string_value" | "bytesValue" | "bytes_value" | "boolValue" | "bool_value" => inner.clone(),
        // int64 as a string in proto3 JSON; a number is kept as its exact digits.
        "intValue" | "int_value" => int(inner).map_or_else(|| inner.clone(), Value::from),
        "doubleValue" | "double_value" => match float(inner) {
            Some(f) if f.is_finite() => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
            _ => inner.clone(),
        },
        "arrayValue" | "array_value" => Value::Array(array(inner, &["values"]).iter().map(any_value_plain).collect()),
        "kvlistValue" | "kvlist_value" => Value::Object(
            array(inner, &["values"])
                .iter()
                .filter_map(|kv| Some((str_at(kv, &["key"])?.to_string(), get(kv, &["value"]).map_or(Value::Null, any_value_plain))))
                .collect(),
        ),
        _ => v.clone(),
    }
}

fn number_value(point: &Value) -> Option<f64> {
    if let Some(i) = get(point, &["asInt", "as_int"]).and_then(int) {
        return Some(i as f64);
    }
    get(point, &["asDouble", "as_double"]).and_then(float)
}

fn span_kind(v: &Value) -> SpanKind {
    match v {
        Value::String(s) => SpanKind::from_text(s),
        other => int(other).map_or(SpanKind::Unspecified, |n| SpanKind::from_text(&n.to_string())),
    }
}

fn status(ds: &mut Dataset, status: Option<&Value>) -> (SpanStatus, Option<Sym>) {
    let Some(status) = status else { return (SpanStatus::Unset, None) };
    let code = match get(status, &["code"]) {
        Some(Value::String(s)) => match s.as_str() {
            "STATUS_CODE_OK" => 1,
            "STATUS_CODE_ERROR" => 2,
            other => other.parse().unwrap_or(0),
        },
        Some(other) => int(other).unwrap_or(0),
        None => 0,
    };
    let message = str_at(status, &["message"]).filter(|m| !m.is_empty()).map(|m| ds.strings.intern(m));
    let status = match code {
        1 => SpanStatus::Ok,
        2 => SpanStatus::Error,
        _ => SpanStatus::Unset,
    };
    (status, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;
    use serde_json::json;

    fn decode(doc: Value) -> Dataset {
        let mut ds = Dataset::default();
        assert!(try_decode(&mut ds, "t", &doc));
        ds
    }

    #[test]
    fn spans_in_every_spelling_and_broken_ones_skipped() {
        let span = |id: &str, parent: &str, start: Value, end: Value| {
            json!({"trace_id":"S/kvNXezTaajzpKdDg5HNg==","span_id":id,"parent_span_id":parent,"name":"op","kind":"SPAN_KIND_CLIENT",
                   "start_time_unix_nano":start,"end_time_unix_nano":end,"status":{"code":"STATUS_CODE_ERROR","message":"m"},
                   "attributes":[{"key":"n","value":{"int_value":7}},{"key":"d","value":{"double_value":"NaN"}},{"key":"u","value":{}}]})
        };
        let doc = json!({"resource_spans":[{"resource":{"attributes":[{"key":"service.name","value":{"string_value":"s"}}]},
        "instrumentation_library_spans":[{"spans":[
            span("APBnqgupArc=", "0000000000000000", json!(1674981730169000000u64), json!("1674981730169000010")),
            span("00f067aa0ba902b8", "zz", json!(1), json!(2)),
            span("00f067aa0ba902b9", "", json!(5), json!(4)),
            span("", "", json!(1), json!(2)),
        ]}]}]});
        let ds = decode(doc);
        assert_eq!(ds.spans.len(), 1);
        assert_eq!(ds.spans.trace[0].to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(ds.spans.span[0].to_string(), "00f067aa0ba902b7");
        assert_eq!(ds.spans.parent[0], None);
        assert_eq!((ds.spans.start_ns[0], ds.spans.duration_ns[0]), (1_674_981_730_169_000_000, 10));
        assert_eq!((ds.spans.kind[0], ds.spans.status[0]), (SpanKind::Client, SpanStatus::Error));
        assert_eq!(ds.strings.resolve(ds.spans.status_message[0].unwrap()), "m");
        assert_eq!(ds.label(ds.spans.attributes[0], "n"), Some("7"));
        assert_eq!(ds.label(ds.spans.attributes[0], "d"), Some("NaN"));
        assert_eq!(ds.label(ds.spans.attributes[0], "u"), Some(""));
        assert_eq!(ds.label(ds.spans.resource[0], "service.name"), Some("s"));
        let fields: Vec<_> = ds.diagnostics.entries().iter().map(|d| (d.place.field.as_deref(), d.place.row)).collect();
        assert_eq!(fields, [(Some("parentSpanId"), Some(1)), (Some("endTimeUnixNano"), Some(2)), (Some("spanId"), Some(3))]);
    }

    #[test]
    fn span_times_are_checked_where_they_enter() {
        let bad = [json!("18446744073709551615"), json!("abc"), json!("1e30"), json!(null), json!(-1), json!(1e30)];
        let mut spans: Vec<Value> = bad
            .iter()
            .map(|t| json!({"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","startTimeUnixNano":t,"endTimeUnixNano":"5"}))
            .collect();
        spans.push(json!({"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","endTimeUnixNano":"5"}));
        spans.push(json!({"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","startTimeUnixNano":"5"}));
        spans.push(
            json!({"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b8","startTimeUnixNano":"5","endTimeUnixNano":9}),
        );
        let ds = decode(json!({"resourceSpans":[{"scopeSpans":[{"spans":spans}]}]}));
        assert_eq!(ds.spans.len(), 1);
        assert_eq!(ds.diagnostics.count(Severity::Skipped), 8);
        let places: Vec<String> = ds.diagnostics.entries().iter().map(|d| d.to_string()).collect();
        assert_eq!(places[0], "t, frame resourceSpans[0].scopeSpans[0], field startTimeUnixNano, row 0: span skipped: time \"18446744073709551615\" is not an integer count of ns");
        assert!(places[3].ends_with("row 3: span skipped: null time"), "{}", places[3]);
        assert!(places[4].contains("outside the accepted range"), "{}", places[4]);
        assert!(places[6].ends_with("field startTimeUnixNano, row 6: span skipped: no startTimeUnixNano"), "{}", places[6]);
        assert!(places[7].ends_with("field endTimeUnixNano, row 7: span skipped: no endTimeUnixNano"), "{}", places[7]);
    }

    #[test]
    fn logs_keep_rows_with_bad_ids_and_read_severity_forms() {
        let doc = json!({"resourceLogs":[{"scopeLogs":[{"logRecords":[
            {"timeUnixNano":"0","observedTimeUnixNano":"42","severityNumber":"SEVERITY_NUMBER_WARN2","traceId":"not-an-id","body":{"stringValue":"b"}},
            {"timeUnixNano":7,"severityText":"ERROR","spanId":"00f067aa0ba902b7","body":{"arrayValue":{"values":[{"intValue":"1"},{"boolValue":false}]}}},
            {"severityNumber":21}
        ]}]}]});
        let ds = decode(doc);
        // The third record has no time at all: skipped, and said so.
        assert_eq!(ds.logs.len(), 2);
        assert_eq!((ds.logs.time_ns[0], ds.logs.level[0], ds.logs.field_ids(0).0), (42, Level::Warning, None));
        assert_eq!((ds.logs.time_ns[1], ds.logs.level[1], ds.logs.body(1)), (7, Level::Error, "[1,false]"));
        assert_eq!(ds.logs.field_ids(1).1.unwrap().to_string(), "00f067aa0ba902b7");
        assert_eq!(ds.diagnostics.count(Severity::Skipped), 2);
        assert_eq!(ds.diagnostics.entries()[0].place.field.as_deref(), Some("traceId"));
        let timeless = &ds.diagnostics.entries()[1];
        assert_eq!(timeless.to_string(), "t, frame resourceLogs[0].scopeLogs[0], field observedTimeUnixNano, row 2: log record skipped: no timeUnixNano and no observedTimeUnixNano");
    }

    #[test]
    fn metric_points_with_exemplars_and_summaries() {
        let mut ds = Dataset::default();
        // A series already in the dataset: exemplar indices must count past it.
        let other = ds.strings.intern("other");
        ds.series.push(other, LabelSetId(0), SourceId(0), [(1, 1.0)]);
        let exemplar = json!({"timeUnixNano":"5","asDouble":0.25,"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"APBnqgupArc=",
                              "filteredAttributes":[{"key":"user","value":{"stringValue":"u1"}}]});
        let doc = json!({"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"s"}}]},"scopeMetrics":[{"metrics":[
            {"name":"g","gauge":{"dataPoints":[{"timeUnixNano":"9","asDouble":"Infinity","exemplars":[exemplar.clone()]},{"timeUnixNano":"3","asInt":"2"}]}},
            {"name":"h","histogram":{"dataPoints":[{"timeUnixNano":"9","count":"4","sum":1.5,"attributes":[{"key":"le","value":{"stringValue":"x"}}],"exemplars":[exemplar]}]}},
            {"name":"q","summary":{"dataPoints":[{"timeUnixNano":"9","count":"2","sum":3,"quantileValues":[{"quantile":0.99,"value":7}]}]}},
            {"name":"bad"},
            {"name":"nopoint","gauge":{"dataPoints":[{"asInt":"1"},{"timeUnixNano":"1"}]}}
        ]}]}]});
        assert!(try_decode(&mut ds, "m", &doc));
        let names: Vec<&str> = ds.series.name.iter().map(|n| ds.strings.resolve(*n)).collect();
        assert_eq!(names, ["other", "g", "h_count", "h_sum", "q_count", "q_sum", "q"]);
        // Points sorted by time; "Infinity" read as a float.
        assert_eq!(ds.series.points(1), (&[3, 9][..], &[2.0, f64::INFINITY][..]));
        assert_eq!(ds.label(ds.series.labels[1], "service.name"), Some("s"));
        assert_eq!(ds.label(ds.series.labels[6], "quantile"), Some("0.99"));
        assert_eq!(ds.series.points(6).1, &[7.0]);
        assert_eq!(ds.exemplars.len(), 2);
        assert_eq!(ds.exemplars.series, [Some(1), Some(2)]);
        assert_eq!(ds.exemplars.trace[0].unwrap().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(ds.exemplars.span[0].unwrap().to_string(), "00f067aa0ba902b7");
        assert_eq!((ds.exemplars.time_ns[0], ds.exemplars.value[0]), (5, 0.25));
        assert_eq!(ds.label(ds.exemplars.labels[0], "user"), Some("u1"));
        assert_eq!(ds.label(ds.exemplars.series_labels[1], "__name__"), Some("h_count"));
        assert_eq!(ds.label(ds.exemplars.series_labels[1], "le"), Some("x"));
        assert_eq!(ds.diagnostics.count(Severity::Skipped), 3);
    }
}
