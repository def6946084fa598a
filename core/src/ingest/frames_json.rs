//! Grafana DataFrame JSON: the wire format the plugin SDK writes (`{schema, data}` with
//! `entities` and `nanos`), the frontend `DataFrameDTO` (`{fields: [{name, values}]}`), and the
//! envelopes they travel in: an array of frames, a `DataResponse` (`{status, frames}`), an
//! `/api/ds/query` response (`{results: {A: {...}}}`) and a frontend query response or panel
//! data (`{data | series | annotations: [frames]}`).
//!
//! Fields are read by their declared type (or, when a DTO omits it, by Grafana's guess from the
//! name and first value); which field means what is decided later, by name, in `frame_kinds`.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::frame::{ms_to_ns, Column, Field, FieldType, Frame, StrColumn};
use super::frame_kinds::{self, UnreadCells};
use crate::diag::{Diagnostics, Place};
use crate::model::Dataset;

/// The format name recorded in `ds.sources` for inputs this module decodes.
pub const FORMAT: &str = "grafana-frames";

/// Decodes `value` if it is frame-shaped and ingests its frames. Returns false (and records
/// nothing) when it is not, so the dispatcher can try other decoders.
pub fn try_decode(ds: &mut Dataset, input: &str, value: &Value) -> bool {
    let mut unread = UnreadCells::new();
    match parse_frames_unread(input, value, &mut ds.diagnostics, &mut unread) {
        Some(frames) => {
            // The values it could not read are noted there, once per row.
            frame_kinds::ingest_frames_with_unread(ds, input, FORMAT, &frames, unread);
            true
        }
        None => false,
    }
}

/// `text` without its leading `//` comment lines: Grafana's `*.golden.jsonc` files open with a
/// text dump of the frames in comments, then hold one JSON document.
pub fn strip_comment_header(text: &str) -> &str {
    let mut rest = text.trim_start_matches('\u{feff}');
    while rest.trim_start().starts_with("//") {
        let start = rest.trim_start();
        rest = start.find('\n').map_or("", |end| &start[end + 1..]);
    }
    rest
}

/// The frames in `value`, or `None` when it is not frame-shaped. Bad values and failed queries
/// are recorded in `diagnostics` with their place; what is valid is returned.
pub fn parse_frames(input: &str, value: &Value, diagnostics: &mut Diagnostics) -> Option<Vec<Frame>> {
    let mut unread = UnreadCells::new();
    let frames = parse_frames_unread(input, value, diagnostics, &mut unread)?;
    for ((index, field, row), why) in unread {
        let (frame, field) = (&frames[index], &frames[index].fields[field]);
        diagnostics.skip(Place::input(input).frame(frame.display_name(index)).field(field.name.as_str()).row(row), why);
    }
    Some(frames)
}

/// `parse_frames`, the values it could not read left in `unread` (not yet noted).
fn parse_frames_unread(input: &str, value: &Value, diagnostics: &mut Diagnostics, unread: &mut UnreadCells) -> Option<Vec<Frame>> {
    let located = locate(value)?;
    let mut frames = Vec::new();
    for item in located {
        match item {
            Located::Frame { value, ref_id } => {
                let mut frame = parse_frame(input, frames.len(), value, diagnostics, unread);
                if frame.ref_id.is_none() {
                    frame.ref_id = ref_id.map(str::to_string);
                }
                frames.push(frame);
            }
            Located::QueryError { ref_id, message } => {
                let place = Place::input(input);
                let place = match ref_id {
                    Some(r) => place.frame(format!("refId {r}")),
                    None => place,
                };
                diagnostics.error(place, format!("the query failed: {message}"));
            }
        }
    }
    Some(frames)
}

enum Located<'a> {
    Frame { value: &'a Map<String, Value>, ref_id: Option<&'a str> },
    QueryError { ref_id: Option<&'a str>, message: String },
}

/// A wire frame (`schema`) or a DTO frame (`fields` of objects).
fn as_frame(v: &Value) -> Option<&Map<String, Value>> {
    let obj = v.as_object()?;
    if obj.get("schema").is_some_and(Value::is_object) {
        return Some(obj);
    }
    let fields = obj.get("fields")?.as_array()?;
    fields.iter().all(|f| f.as_object().is_some_and(|f| f.contains_key("name") || f.contains_key("values"))).then_some(obj)
}

/// Frames of an array in which every element is a frame.
fn frame_array(v: &Value) -> Option<Vec<Located<'_>>> {
    v.as_array()?.iter().map(|f| as_frame(f).map(|value| Located::Frame { value, ref_id: None })).collect()
}

/// The frames (and failed queries) of a `DataResponse` object.
fn data_response<'a>(obj: &'a Map<String, Value>, ref_id: Option<&'a str>) -> Option<Vec<Located<'a>>> {
    let mut out = Vec::new();
    let error = obj.get("error").and_then(Value::as_str).filter(|e| !e.is_empty());
    let status = obj.get("status").and_then(Value::as_u64);
    if let Some(message) = error {
        out.push(Located::QueryError { ref_id, message: message.to_string() });
    } else if let Some(status) = status.filter(|s| *s >= 400) {
        out.push(Located::QueryError { ref_id, message: format!("status {status}") });
    }
    match obj.get("frames") {
        // JS serialises a response without frames as `frames: null`.
        Some(Value::Null) => {}
        Some(frames) => {
            for f in frames.as_array()? {
                out.push(Located::Frame { value: as_frame(f)?, ref_id });
            }
        }
        None if error.is_none() && status.is_none() => return None,
        None => {}
    }
    Some(out)
}

fn locate(value: &Value) -> Option<Vec<Located<'_>>> {
    if value.is_array() {
        return frame_array(value).filter(|frames| !frames.is_empty());
    }
    let obj = value.as_object()?;
    if let Some(frame) = as_frame(value) {
        return Some(vec![Located::Frame { value: frame, ref_id: None }]);
    }
    if let Some(results) = obj.get("results").and_then(Value::as_object) {
        let mut out = Vec::new();
        for (ref_id, response) in results {
            out.extend(data_response(response.as_object()?, Some(ref_id))?);
        }
        return Some(out);
    }
    if obj.contains_key("frames") {
        return data_response(obj, None);
    }
    // A frontend query response `{data: [...]}` or panel data `{series, annotations}`.
    let mut out = Vec::new();
    for key in ["data", "series", "annotations"] {
        if let Some(v) = obj.get(key) {
            out.extend(frame_array(v)?);
        }
    }
    (!out.is_empty()).then_some(out)
}

fn parse_frame(input: &str, index: usize, obj: &Map<String, Value>, diagnostics: &mut Diagnostics, unread: &mut UnreadCells) -> Frame {
    let (head, field_specs, data) = match obj.get("schema").and_then(Value::as_object) {
        Some(schema) => (schema, schema.get("fields"), obj.get("data")),
        None => (obj, obj.get("fields"), None),
    };
    let mut frame = Frame {
        name: head.get("name").and_then(Value::as_str).map(str::to_string),
        ref_id: head.get("refId").and_then(Value::as_str).map(str::to_string),
        meta: head.get("meta").cloned().unwrap_or(Value::Null),
        fields: Vec::new(),
    };
    let place = Place::input(input).frame(frame.display_name(index));
    let specs = field_specs.and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let column = |key: &str, i: usize| data.and_then(|d| d.get(key)).and_then(|a| a.get(i)).filter(|v| !v.is_null());
    for (i, spec) in specs.iter().enumerate() {
        let Some(spec) = spec.as_object() else {
            diagnostics.skip(place.clone().field(format!("#{i}")), "a field is not an object");
            continue;
        };
        let (values, entities, nanos, enums) = match data {
            Some(_) => (column("values", i), column("entities", i), column("nanos", i), column("enums", i)),
            None => (spec.get("values"), spec.get("entities"), spec.get("nanos"), None),
        };
        // Old DTOs serialise an ArrayVector as `{buffer: [...]}`.
        let values = values.map(|v| v.get("buffer").unwrap_or(v));
        let name = spec.get("name").and_then(Value::as_str).unwrap_or_default();
        let field_place = place.clone().field(if name.is_empty() { format!("#{i}") } else { name.to_string() });
        let values = match values.map(|v| v.as_array()) {
            Some(Some(values)) => values.as_slice(),
            Some(None) => {
                diagnostics.skip(field_place.clone(), "field values are not an array");
                &[]
            }
            None => &[],
        };
        let field_index = frame.fields.len();
        let mut note = |row: usize, why: &'static str| {
            unread.insert((index, field_index, row), why);
        };
        let field = decode_field(spec, RawColumn { values, entities, nanos, enums }, &mut note);
        frame.fields.push(field);
    }
    pad_columns(&mut frame, &place, diagnostics);
    frame
}

/// Grafana pads short columns with `undefined`; so do we, and say so.
fn pad_columns(frame: &mut Frame, place: &Place, diagnostics: &mut Diagnostics) {
    let len = frame.fields.iter().map(|f| f.values.len()).max().unwrap_or(0);
    for field in &mut frame.fields {
        let short = field.values.len();
        if short == len {
            continue;
        }
        diagnostics.warn(
            place.clone().field(field.name.clone()),
            format!("field has fewer values than the frame has rows ({short} < {len}): padded with nulls"),
        );
        match &mut field.values {
            Column::Time(v) | Column::Int(v) => v.resize(len, None),
            Column::Number(v) => v.resize(len, None),
            Column::Boolean(v) => v.resize(len, None),
            Column::String(c) | Column::Json(c) => (short..len).for_each(|_| c.push(None)),
        }
    }
}

/// `typeInfo.frame` values whose JSON numbers are integers that must stay exact.
fn is_integer_type(type_info: Option<&str>) -> bool {
    type_info.is_some_and(|t| {
        matches!(t.trim_start_matches('*'), "int8" | "int16" | "int32" | "int64" | "uint8" | "uint16" | "uint32" | "uint64")
    })
}

/// A field's values with the entities, nanos and enum texts that apply to them.
struct RawColumn<'a> {
    values: &'a [Value],
    entities: Option<&'a Value>,
    nanos: Option<&'a Value>,
    enums: Option<&'a Value>,
}

/// One field's column; `unread(row, why)` for each value it cannot read (the cell is left empty).
fn decode_field(spec: &Map<String, Value>, raw: RawColumn<'_>, unread: &mut dyn FnMut(usize, &'static str)) -> Field {
    let RawColumn { values, entities, nanos, enums } = raw;
    let name = spec.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    let config = spec.get("config").cloned().unwrap_or(Value::Null);
    let declared = spec.get("type").and_then(Value::as_str);
    let type_info = spec.get("typeInfo").and_then(|t| t.get("frame")).and_then(Value::as_str);
    let mut field_type = match declared {
        Some(t) => FieldType::from_grafana(t),
        None => guess_type(&name, values),
    };
    let values = match field_type {
        FieldType::Time => {
            let nanos = nanos.and_then(Value::as_array);
            let column = values.iter().enumerate().map(|(row, v)| {
                let extra = nanos.and_then(|n| n.get(row)).and_then(Value::as_i64).unwrap_or(0);
                let ns = match v {
                    Value::Null => return None,
                    Value::Number(n) => n.as_f64().and_then(|ms| ms_to_ns(ms, extra)),
                    Value::String(s) => crate::time::parse_timestamp(s).ok().and_then(|ns| ns.checked_add(extra)),
                    _ => None,
                };
                if ns.is_none() {
                    unread(row, "not a time (epoch ms or RFC 3339) in range");
                }
                ns
            });
            Column::Time(column.collect())
        }
        FieldType::Number => {
            let exact: Option<Vec<Option<i64>>> = (is_integer_type(type_info) && entities.is_none())
                .then(|| values.iter().map(|v| if v.is_null() { Some(None) } else { v.as_i64().map(Some) }).collect())
                .flatten();
            match exact {
                Some(ints) => Column::Int(ints),
                None => {
                    let mut column: Vec<Option<f64>> = values
                        .iter()
                        .enumerate()
                        .map(|(row, v)| {
                            let x = match v {
                                Value::Null => return None,
                                Value::Number(n) => n.as_f64(),
                                Value::String(s) => parse_float(s),
                                _ => None,
                            };
                            if x.is_none() {
                                unread(row, "not a number");
                            }
                            x
                        })
                        .collect();
                    apply_entities(&mut column, entities);
                    Column::Number(column)
                }
            }
        }
        FieldType::Boolean => Column::Boolean(
            values
                .iter()
                .enumerate()
                .map(|(row, v)| match v {
                    Value::Null => None,
                    Value::Bool(b) => Some(*b),
                    Value::String(s) if s == "true" || s == "false" => Some(s == "true"),
                    _ => {
                        unread(row, "not a boolean");
                        None
                    }
                })
                .collect(),
        ),
        FieldType::Enum => {
            // Indices into `config.type.enum.text` (or `data.enums`); the text is what the user
            // sees, as in Grafana, which shows the bare index when there is no text list.
            field_type = FieldType::String;
            let texts = config.pointer("/type/enum/text").or(enums).and_then(Value::as_array);
            let mut column = StrColumn::default();
            for (row, v) in values.iter().enumerate() {
                match (v, texts) {
                    (Value::Null, _) => column.push(None),
                    (Value::String(s), _) => column.push(Some(s)),
                    (Value::Number(n), None) => column.push(Some(&n.to_string())),
                    (_, Some(texts)) => {
                        let text = v.as_u64().and_then(|i| texts.get(usize::try_from(i).ok()?)?.as_str());
                        if text.is_none() {
                            unread(row, "enum index has no text in the field's enum config");
                        }
                        column.push(text);
                    }
                    _ => {
                        unread(row, "not an enum index");
                        column.push(None);
                    }
                }
            }
            Column::String(column)
        }
        FieldType::String => {
            let mut column = StrColumn::default();
            for v in values {
                match v {
                    Value::Null => column.push(None),
                    Value::String(s) => column.push(Some(s)),
                    other => column.push(Some(&other.to_string())),
                }
            }
            Column::String(column)
        }
        FieldType::Other => {
            let mut column = StrColumn::default();
            for v in values {
                match v {
                    Value::Null => column.push(None),
                    other => column.push(Some(&other.to_string())),
                }
            }
            Column::Json(column)
        }
    };
    Field { name, field_type, labels: labels_of(spec.get("labels")), config, values }
}

/// Grafana's `guessFieldTypeFromNameAndValue`: a field named time or date is time, else the
/// type of the first non-null value.
fn guess_type(name: &str, values: &[Value]) -> FieldType {
    if name.eq_ignore_ascii_case("time") || name.eq_ignore_ascii_case("date") {
        return FieldType::Time;
    }
    match values.iter().find(|v| !v.is_null()) {
        Some(Value::Number(_)) => FieldType::Number,
        Some(Value::String(_)) => FieldType::String,
        Some(Value::Bool(_)) => FieldType::Boolean,
        _ => FieldType::Other,
    }
}

/// Numbers some producers send as text, including Prometheus' special values.
pub(crate) fn parse_float(s: &str) -> Option<f64> {
    match s.trim() {
        "NaN" => Some(f64::NAN),
        "+Inf" | "Inf" | "Infinity" | "inf" => Some(f64::INFINITY),
        "-Inf" | "-Infinity" | "-inf" => Some(f64::NEG_INFINITY),
        t => t.parse().ok(),
    }
}

/// `entities: {NaN: [rows], Inf: [rows], NegInf: [rows], Undef: [rows]}`.
fn apply_entities(column: &mut [Option<f64>], entities: Option<&Value>) {
    let Some(entities) = entities.and_then(Value::as_object) else { return };
    for (key, value) in [("NaN", Some(f64::NAN)), ("Inf", Some(f64::INFINITY)), ("NegInf", Some(f64::NEG_INFINITY)), ("Undef", None)] {
        for row in entities.get(key).and_then(Value::as_array).into_iter().flatten() {
            if let Some(slot) = row.as_u64().and_then(|r| column.get_mut(usize::try_from(r).ok()?)) {
                *slot = value;
            }
        }
    }
}

fn labels_of(v: Option<&Value>) -> BTreeMap<String, String> {
    let Some(obj) = v.and_then(Value::as_object) else { return BTreeMap::new() };
    obj.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn scalar() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| json!(f)),
            (-3i64..3).prop_map(Value::from),
            "[a-z0-9 :.TZ-]{0,24}".prop_map(Value::from),
            Just(json!("4bf92f3577b34da6a3ce929d0e0e4736")),
            Just(json!("2023-01-29T08:43:00Z")),
        ]
    }

    fn any_json() -> impl Strategy<Value = Value> {
        scalar().prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4).prop_map(|m| json!(m))
            ]
        })
    }

    const NAMES: [&str; 16] = [
        "Time",
        "Value",
        "traceID",
        "spanID",
        "parentSpanID",
        "startTime",
        "duration",
        "serviceTags",
        "tags",
        "labels",
        "Line",
        "tsNs",
        "labelTypes",
        "timestamp",
        "body",
        "level",
    ];
    const TYPES: [&str; 7] = ["time", "number", "string", "boolean", "enum", "other", "frame"];

    /// A frame-shaped value with arbitrary names, types, values, entities and nanos.
    fn frame_value() -> impl Strategy<Value = Value> {
        let field = (0..NAMES.len(), 0..TYPES.len(), any_json(), proptest::collection::vec(scalar(), 0..6), any_json(), any_json());
        let meta = prop_oneof![
            Just(json!({})),
            Just(json!({"preferredVisualisationType": "trace"})),
            Just(json!({"type": "log-lines"})),
            Just(json!({"custom": {"frameType": "LabeledTimeValues"}})),
            Just(json!({"type": "timeseries-long"})),
            Just(json!({"custom": {"resultType": "exemplar"}})),
            any_json()
        ];
        (proptest::collection::vec(field, 0..6), meta, any::<bool>()).prop_map(|(fields, meta, wire)| {
            let specs: Vec<Value> = fields.iter().map(|(n, t, config, _, _, _)| json!({"name": NAMES[*n], "type": TYPES[*t], "config": config, "typeInfo": {"frame": "int64"}})).collect();
            if wire {
                let values: Vec<&Vec<Value>> = fields.iter().map(|f| &f.3).collect();
                let entities: Vec<&Value> = fields.iter().map(|f| &f.4).collect();
                let nanos: Vec<&Value> = fields.iter().map(|f| &f.5).collect();
                json!({"schema": {"meta": meta, "fields": specs}, "data": {"values": values, "entities": entities, "nanos": nanos}})
            } else {
                let dto: Vec<Value> = specs.into_iter().zip(&fields).map(|(mut s, f)| { s["values"] = json!(f.3); s }).collect();
                json!({"meta": meta, "fields": dto})
            }
        })
    }

    proptest! {
        #[test]
        fn arbitrary_frames_never_panic(frames in proptest::collection::vec(frame_value(), 1..4)) {
            let mut ds = Dataset::default();
            prop_assert!(try_decode(&mut ds, "fuzz", &Value::from(frames)));
        }

        #[test]
        fn arbitrary_json_never_panics(v in any_json()) {
            let mut ds = Dataset::default();
            let _ = try_decode(&mut ds, "fuzz", &v);
        }
    }

    fn parse(v: Value) -> (Option<Vec<Frame>>, Diagnostics) {
        let mut d = Diagnostics::default();
        (parse_frames("t", &v, &mut d), d)
    }

    #[test]
    fn comment_headers_are_stripped() {
        assert_eq!(strip_comment_header("// a\n  // b\n{\"x\": \"//\"}\n"), "{\"x\": \"//\"}\n");
        assert_eq!(strip_comment_header("[1]"), "[1]");
        assert_eq!(strip_comment_header("// only"), "");
    }

    #[test]
    fn not_frames_are_refused() {
        for v in [
            json!({}),
            json!([]),
            json!({"data": {"result": []}}),
            json!({"data": [{"traceID": "a", "spans": []}]}),
            json!(3),
            json!({"resourceSpans": []}),
        ] {
            assert!(parse(v.clone()).0.is_none(), "{v}");
        }
    }

    #[test]
    fn entities_nanos_and_big_ints() {
        let (frames, d) = parse(json!({"schema": {"fields": [
            {"name": "t", "type": "time"}, {"name": "v", "type": "number", "typeInfo": {"frame": "float64"}},
            {"name": "big", "type": "number", "typeInfo": {"frame": "int64"}}]},
            "data": {"values": [[1, 2, 3], [null, null, 1.5], [9007199254740993i64, null, -1]],
                     "entities": [null, {"NaN": [0], "NegInf": [1], "Undef": [2]}], "nanos": [[5, 0, 999999], null, null]}}));
        let f = &frames.unwrap()[0];
        assert_eq!(f.fields[0].values, Column::Time(vec![Some(1_000_005), Some(2_000_000), Some(3_999_999)]));
        let Column::Number(v) = &f.fields[1].values else { panic!("number column expected") };
        assert!(v[0].unwrap().is_nan() && v[1] == Some(f64::NEG_INFINITY) && v[2].is_none());
        assert_eq!(f.fields[2].values, Column::Int(vec![Some(9_007_199_254_740_993), None, Some(-1)]));
        assert_eq!(d.total(), 0);
    }

    #[test]
    fn bad_values_are_diagnosed_with_their_place_and_short_columns_padded() {
        let (frames, d) =
            parse(json!([{"schema": {"name": "f", "fields": [{"name": "t", "type": "time"}, {"name": "v", "type": "number"}]},
            "data": {"values": [[1, "yesterday", 3], [1, {"x": 1}]]}}]));
        let f = &frames.unwrap()[0];
        assert_eq!(f.len(), 3);
        assert_eq!(f.fields[1].values, Column::Number(vec![Some(1.0), None, None]));
        let places: Vec<String> = d.entries().iter().map(|e| e.to_string()).collect();
        assert!(places.iter().any(|p| p.starts_with("t, frame f, field t, row 1: not a time")), "{places:?}");
        assert!(places.iter().any(|p| p.starts_with("t, frame f, field v, row 1: not a number")), "{places:?}");
        assert!(places.iter().any(|p| p.starts_with("t, frame f, field v: field has fewer values")), "{places:?}");
    }

    #[test]
    fn a_row_skipped_for_an_unread_value_is_noted_once() {
        // Row 1's time cannot be read (the row is skipped), row 2's level flag cannot be read
        // (the row is kept without it), row 3's time is null (skipped, nothing to read).
        let mut ds = Dataset::default();
        let frame = json!({"schema": {"name": "logs", "meta": {"type": "log-lines"}, "fields": [
            {"name": "timestamp", "type": "time"}, {"name": "body", "type": "string"}, {"name": "flag", "type": "boolean"}]},
            "data": {"values": [[1674981780000i64, "abc", 1674981782000i64, null], ["a", "b", "c", "d"], [true, false, "maybe", true]]}});
        assert!(try_decode(&mut ds, "t", &frame));
        assert_eq!(ds.logs.len(), 2);
        let notes: Vec<String> = ds.diagnostics.entries().iter().map(|e| e.to_string()).collect();
        assert_eq!(
            notes,
            [
                "t, frame logs, field timestamp, row 1: log line skipped: no valid time (in 1970..2200)",
                "t, frame logs, field timestamp, row 3: log line skipped: no valid time (in 1970..2200)",
                "t, frame logs, field flag, row 2: not a boolean",
            ]
        );
        assert_eq!(ds.diagnostics.total(), 3);
    }

    #[test]
    fn query_errors_become_diagnostics_and_ref_ids_reach_frames() {
        let (frames, d) = parse(json!({"results": {
            "A": {"status": 200, "frames": [{"schema": {"fields": [{"name": "x", "type": "string"}]}, "data": {"values": [["a"]]}}]},
            "B": {"status": 400, "error": "parse error at line 1", "frames": null}}}));
        let frames = frames.unwrap();
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].ref_id.as_deref(), Some("A"));
        assert_eq!(d.entries()[0].to_string(), "t, frame refId B: the query failed: parse error at line 1");
    }

    #[test]
    fn dto_frames_guess_missing_types() {
        let (frames, _) = parse(json!({"data": [{"name": "x", "fields": [
            {"name": "time", "values": [1000]}, {"name": "n", "values": [1.5]}, {"name": "s", "values": ["a"]},
            {"name": "o", "values": [{"k": 1}]}, {"name": "b", "values": {"buffer": [true]}}]}]}));
        let f = &frames.unwrap()[0];
        let types: Vec<FieldType> = f.fields.iter().map(|f| f.field_type).collect();
        assert_eq!(types, [FieldType::Time, FieldType::Number, FieldType::String, FieldType::Other, FieldType::Boolean]);
        assert_eq!(f.fields[3].values.text(0).as_deref(), Some(r#"{"k":1}"#));
    }
}
