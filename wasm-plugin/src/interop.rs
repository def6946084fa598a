//! Everything that crosses from JS: packed frames (PACKED_FRAMES.md) become
//! `rootspan_core::ingest::frame::Frame`s, and errors become JS `Error`s.
//!
//! A packed frame arrives as a JSON header and three typed buffers. Every offset in the header
//! is checked against its buffer before it is read, so a malformed header is an error naming
//! the frame and field, never a trap. The `u8` buffer is taken over, not copied: once checked as
//! UTF-8 it becomes the text every string and JSON column of the frame reads its values from.

use std::collections::BTreeMap;
use std::sync::Arc;

use rootspan_core::ingest::frame::{Column, Field, FieldType, Frame, StrColumn};
use serde::Deserialize;

/// The three buffers of one packed frame; `u8` is owned: the frame's text columns keep it.
#[derive(Debug, Clone)]
pub struct Buffers<'a> {
    pub f64: &'a [f64],
    pub u8: Vec<u8>,
    pub u32: &'a [u32],
}

/// A packed frame that cannot be read: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InteropError {
    pub frame: String,
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for InteropError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "frame {}", self.frame)?;
        if let Some(field) = &self.field {
            write!(f, ", field {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InteropError {}

/// The JSON header of a packed frame: the frame's name, refId and meta, its row count and one entry per field
/// pointing into the three buffers (PACKED_FRAMES.md). The npm package's TypeScript type is generated from it
/// (through `schema/packed-frame.schema.json`).
#[derive(Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
struct PackedFrameHeader {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    ref_id: Option<String>,
    /// Frame meta as given (JSON-serialisable parts only), or `{}`.
    #[serde(default)]
    meta: Option<serde_json::Value>,
    /// Rows: every column holds exactly this many elements.
    length: usize,
    fields: Vec<PackedField>,
}

#[derive(Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct PackedField {
    name: String,
    /// Grafana's field type (`time`, `number`, `string`, `boolean`, `enum`, `other`).
    #[serde(rename = "type")]
    field_type: String,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
    /// Field config as given (JSON-serialisable parts only), or `{}`.
    #[serde(default)]
    config: Option<serde_json::Value>,
    column: PackedColumn,
}

/// Where a field's values are: element offsets into the `f64`, `u8` and `u32` buffers. `valid`, when not
/// null, is the start in `u8` of one byte per row, 1 = present.
#[derive(Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "lowercase")]
enum PackedColumn {
    /// Numbers: `values` is the start in `f64`.
    F64 { values: usize, valid: Option<usize> },
    /// Epoch ms at `ms` in `f64`, and extra nanoseconds (0..999999) at `nanos` in `f64` when given.
    Time { ms: usize, nanos: Option<usize>, valid: Option<usize> },
    /// UTF-8 text: end offsets at `ends` in `u32`, relative to `bytes` in `u8`.
    Str { ends: usize, bytes: usize, valid: Option<usize> },
    /// JSON text of each value, laid out as `str`.
    Json { ends: usize, bytes: usize, valid: Option<usize> },
    /// JSON values as JSON array texts of consecutive rows (what `JSON.stringify` of a slice of the values
    /// writes), laid end to end from `bytes` in `u8`; `ends` is the start in `u32` of `chunks` end offsets,
    /// relative to `bytes`. The elements, in order, are the `length` values; a `null` element is a missing value.
    #[serde(rename = "jsonArrays")]
    JsonArrays { ends: usize, chunks: usize, bytes: usize },
    /// JSON values that repeat (a log frame's `labels`): the JSON text of each of `count` distinct values, laid
    /// out as `json` (`ends` in `u32`, relative to `bytes` in `u8`), and at `rows` in `u32` the index of each
    /// row's value among them (ignored where `valid` says the value is missing).
    #[serde(rename = "jsonDistinct")]
    JsonDistinct { ends: usize, count: usize, bytes: usize, rows: usize, valid: Option<usize> },
    /// Bytes 0 or 1 at `values` in `u8`.
    Bool { values: usize, valid: Option<usize> },
}

/// Reads one packed frame. `index` is its position among the frames of its source, used to
/// name an unnamed frame in errors.
pub fn unpack_frame(header: &str, buffers: Buffers<'_>, index: usize) -> Result<Frame, InteropError> {
    let header: PackedFrameHeader = serde_json::from_str(header).map_err(|e| InteropError {
        frame: format!("#{index}"),
        field: None,
        message: format!("packed frame header is not valid: {e}"),
    })?;
    let mut frame = Frame {
        name: header.name,
        ref_id: header.ref_id,
        meta: header.meta.unwrap_or_else(|| serde_json::json!({})),
        fields: Vec::with_capacity(header.fields.len()),
    };
    let frame_name = frame.display_name(index);
    let fail = |field: &PackedField| {
        let frame = frame_name.clone();
        let field = Some(field.name.clone());
        move |message| InteropError { frame, field, message }
    };
    let Buffers { f64, mut u8, u32 } = buffers;
    // JSON array columns are split and closed up in place first, so every text column is a run of values.
    let mut json_ends = Vec::with_capacity(header.fields.len());
    for field in &header.fields {
        json_ends.push(match field.column {
            PackedColumn::JsonArrays { ends, chunks, bytes } => {
                let chunk_ends = slice(u32, ends, chunks, "ends", "u32").map_err(fail(field))?;
                Some(close_up_json(&mut u8, bytes, chunk_ends, header.length).map_err(fail(field))?)
            }
            _ => None,
        });
    }
    let text = Text::of(u8);
    let buffers = Packed { f64, u32, text: &text };
    for (field, json) in header.fields.into_iter().zip(json_ends) {
        let values = unpack_column(&field.column, header.length, buffers, json).map_err(fail(&field))?;
        frame.fields.push(Field {
            field_type: FieldType::from_grafana(&field.field_type),
            labels: field.labels.unwrap_or_default(),
            config: field.config.unwrap_or_else(|| serde_json::json!({})),
            name: field.name,
            values,
        });
    }
    Ok(frame)
}

/// The `u8` buffer once taken over: UTF-8 as a whole (always, from the npm package), shared by the text
/// columns; else raw, and each text column copies and checks its own bytes.
enum Text {
    Shared(Arc<String>),
    Raw(Vec<u8>),
}

impl Text {
    fn of(bytes: Vec<u8>) -> Text {
        match String::from_utf8(bytes) {
            Ok(text) => Text::Shared(Arc::new(text)),
            Err(e) => Text::Raw(e.into_bytes()),
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Text::Shared(text) => text.as_bytes(),
            Text::Raw(bytes) => bytes,
        }
    }
}

#[derive(Clone, Copy)]
struct Packed<'a> {
    f64: &'a [f64],
    u32: &'a [u32],
    text: &'a Text,
}

/// A `jsonArrays` column closed up: its values' ends and which are present.
type ClosedUp = (Vec<u32>, Option<Vec<bool>>);

fn unpack_column(column: &PackedColumn, len: usize, b: Packed<'_>, json: Option<ClosedUp>) -> Result<Column, String> {
    let u8 = b.text.bytes();
    match *column {
        PackedColumn::F64 { values, valid } => {
            let values = slice(b.f64, values, len, "values", "f64")?;
            let valid = validity(u8, valid, len)?;
            Ok(Column::Number(values.iter().enumerate().map(|(i, &v)| present(&valid, i).then_some(v)).collect()))
        }
        PackedColumn::Time { ms, nanos, valid } => {
            let ms = slice(b.f64, ms, len, "ms", "f64")?;
            let nanos = nanos.map(|at| slice(b.f64, at, len, "nanos", "f64")).transpose()?;
            let valid = validity(u8, valid, len)?;
            let mut out = Vec::with_capacity(len);
            for (i, &ms) in ms.iter().enumerate() {
                let extra = nanos.map_or(0.0, |n| n[i]);
                if !(0.0..1e6).contains(&extra) {
                    return Err(format!("row {i}: nanos {extra} is outside 0..999999"));
                }
                out.push(if present(&valid, i) { time_ns(ms, extra) } else { None });
            }
            Ok(Column::Time(out))
        }
        PackedColumn::Str { ends, bytes, valid } => Ok(Column::String(strings(b, ends, bytes, valid, len)?)),
        PackedColumn::Json { ends, bytes, valid } => Ok(Column::Json(strings(b, ends, bytes, valid, len)?)),
        PackedColumn::JsonArrays { bytes, .. } => {
            let (ends, valid) = json.ok_or("a JSON array column must be closed up first")?;
            text_column(b, bytes, ends, valid).map(Column::Json)
        }
        PackedColumn::JsonDistinct { ends, count, bytes, rows, valid } => {
            let distinct = text_column(b, bytes, slice(b.u32, ends, count, "ends", "u32")?.to_vec(), None)?;
            let rows = slice(b.u32, rows, len, "rows", "u32")?.to_vec();
            let valid = validity(u8, valid, len)?.map(|v| v.iter().map(|&x| x != 0).collect());
            distinct.indexed_by(rows, valid).map(Column::Json)
        }
        PackedColumn::Bool { values, valid } => {
            let values = slice(u8, values, len, "values", "u8")?;
            let valid = validity(u8, valid, len)?;
            values
                .iter()
                .enumerate()
                .map(|(i, &v)| match v {
                    0 | 1 => Ok(present(&valid, i).then_some(v == 1)),
                    other => Err(format!("row {i}: boolean byte is {other}, not 0 or 1")),
                })
                .collect::<Result<_, _>>()
                .map(Column::Boolean)
        }
    }
}

/// Grafana's time: epoch ms plus the `nanos` entity. The extra nanoseconds only apply to an
/// integral ms (otherwise the fraction already carries the sub-ms part). A time outside what
/// i64 ns can hold, or not finite, is null.
fn time_ns(ms: f64, extra_nanos: f64) -> Option<i64> {
    const LIMIT_MS: f64 = 9.2e12;
    if !ms.is_finite() || ms.abs() > LIMIT_MS {
        return None;
    }
    let ns = (ms * 1e6).round() as i64;
    Some(if ms.fract() == 0.0 { ns + extra_nanos as i64 } else { ns })
}

fn present(valid: &Option<&[u8]>, i: usize) -> bool {
    valid.is_none_or(|v| v[i] != 0)
}

fn slice<'a, T>(buffer: &'a [T], start: usize, len: usize, what: &str, buffer_name: &str) -> Result<&'a [T], String> {
    start
        .checked_add(len)
        .and_then(|end| buffer.get(start..end))
        .ok_or_else(|| format!("{what} [{start}, +{len}) is outside the {buffer_name} buffer of {} elements", buffer.len()))
}

fn validity(u8: &[u8], valid: Option<usize>, len: usize) -> Result<Option<&[u8]>, String> {
    valid.map(|at| slice(u8, at, len, "valid", "u8")).transpose()
}

fn strings(b: Packed<'_>, ends_at: usize, bytes_at: usize, valid: Option<usize>, len: usize) -> Result<StrColumn, String> {
    let ends = slice(b.u32, ends_at, len, "ends", "u32")?;
    let valid = validity(b.text.bytes(), valid, len)?.map(|v| v.iter().map(|&x| x != 0).collect());
    text_column(b, bytes_at, ends.to_vec(), valid)
}

/// A text column over the frame's shared text; over a copy of its own bytes when the buffer as a whole is not
/// UTF-8 (then the copy must be, or the error names the row).
fn text_column(b: Packed<'_>, bytes_at: usize, ends: Vec<u32>, valid: Option<Vec<bool>>) -> Result<StrColumn, String> {
    let text = match b.text {
        Text::Shared(text) => return StrColumn::shared(text.clone(), bytes_at, ends, valid),
        Text::Raw(bytes) => bytes,
    };
    for (row, pair) in ends.windows(2).enumerate() {
        if pair[1] < pair[0] {
            return Err(format!("row {}: end offset {} is before the previous one, {}", row + 1, pair[1], pair[0]));
        }
    }
    let total = ends.last().map_or(0, |&e| e as usize);
    let own = std::str::from_utf8(slice(text, bytes_at, total, "bytes", "u8")?).map_err(|e| {
        let at = e.valid_up_to();
        let row = ends.partition_point(|&end| (end as usize) <= at);
        format!("row {row}: not UTF-8 (byte {at} of the column)")
    })?;
    StrColumn::shared(Arc::new(own.to_string()), 0, ends, valid)
}

/// Splits the JSON array texts of a `jsonArrays` column (chunks ending at `chunk_ends`, relative to `start`)
/// into their `len` elements and moves each element left, over the brackets and commas, so that the values lie
/// end to end from `start` like a `json` column's. Returns their ends (relative to `start`) and which are
/// present (`null` elements are not). What the close-up frees is blanked, so the buffer stays UTF-8.
fn close_up_json(u8: &mut [u8], start: usize, chunk_ends: &[u32], len: usize) -> Result<ClosedUp, String> {
    let mut ends = Vec::with_capacity(len);
    let mut valid: Option<Vec<bool>> = None;
    let mut write = start;
    let mut read = start;
    for (chunk, &end) in chunk_ends.iter().enumerate() {
        let stop = start.checked_add(end as usize).filter(|&stop| stop >= read && stop <= u8.len()).ok_or_else(|| {
            format!("chunk {chunk}: end offset {end} is before the previous chunk's or beyond the u8 buffer of {} bytes", u8.len())
        })?;
        let not_array = |row: usize| format!("chunk {chunk} (rows from {row}) is not a JSON array");
        let mut i = skip_space(u8, read, stop);
        if u8.get(i) != Some(&b'[') || i >= stop {
            return Err(not_array(ends.len()));
        }
        i = skip_space(u8, i + 1, stop);
        if i < stop && u8[i] == b']' {
            i += 1;
        } else {
            loop {
                let from = i;
                i = element_end(u8, i, stop).ok_or_else(|| not_array(ends.len()))?;
                let mut to = i;
                while to > from && u8[to - 1].is_ascii_whitespace() {
                    to -= 1;
                }
                if from == to || ends.len() == len {
                    return Err(if from == to {
                        not_array(ends.len())
                    } else {
                        format!("chunk {chunk} holds more than the frame's {len} rows")
                    });
                }
                let present = &u8[from..to] != b"null";
                if present {
                    u8.copy_within(from..to, write);
                    write += to - from;
                }
                match (&mut valid, present) {
                    (Some(valid), present) => valid.push(present),
                    (None, false) => valid = Some([vec![true; ends.len()], vec![false]].concat()),
                    (None, true) => {}
                }
                ends.push((write - start) as u32);
                let separator = u8[i];
                i = skip_space(u8, i + 1, stop);
                if separator == b']' {
                    break;
                }
            }
        }
        if skip_space(u8, i, stop) != stop {
            return Err(not_array(ends.len()));
        }
        read = stop;
    }
    if ends.len() != len {
        return Err(format!("{} values in the JSON arrays, the frame has {len} rows", ends.len()));
    }
    u8[write..read].fill(b' ');
    Ok((ends, valid))
}

fn skip_space(u8: &[u8], mut i: usize, stop: usize) -> usize {
    while i < stop && u8[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The index of the `,` or `]` that ends the array element starting at `from`; `None` if there is none before
/// `stop`. Strings are skipped a search for the next quote or backslash at a time.
fn element_end(u8: &[u8], from: usize, stop: usize) -> Option<usize> {
    let text = u8.get(..stop)?;
    let mut depth = 0usize;
    let mut i = from;
    while let Some(&b) = text.get(i) {
        match b {
            b'"' => loop {
                i += 1 + text.get(i + 1..)?.iter().position(|&c| c == b'"' || c == b'\\')?;
                if text[i] == b'"' {
                    break;
                }
                i += 1; // the escaped byte
            },
            b'[' | b'{' => depth += 1,
            b']' | b'}' if depth > 0 => depth -= 1,
            b']' => return Some(i),
            b',' if depth == 0 => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// A JS `Error` carrying the message: what every browser-API failure becomes.
#[cfg(feature = "bindgen")]
pub fn js_error(message: impl std::fmt::Display) -> wasm_bindgen::JsError {
    wasm_bindgen::JsError::new(&message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Packs columns the way the JS side does, for tests.
    #[derive(Default)]
    struct Packer {
        f64: Vec<f64>,
        u8: Vec<u8>,
        u32: Vec<u32>,
    }

    impl Packer {
        fn f64s(&mut self, v: &[f64]) -> usize {
            let at = self.f64.len();
            self.f64.extend_from_slice(v);
            at
        }
        fn u8s(&mut self, v: &[u8]) -> usize {
            let at = self.u8.len();
            self.u8.extend_from_slice(v);
            at
        }
        fn strs(&mut self, v: &[&str]) -> (usize, usize) {
            let (ends, bytes) = (self.u32.len(), self.u8.len());
            let mut end = 0u32;
            for s in v {
                self.u8.extend_from_slice(s.as_bytes());
                end += s.len() as u32;
                self.u32.push(end);
            }
            (ends, bytes)
        }
        fn buffers(&self) -> Buffers<'_> {
            Buffers { f64: &self.f64, u8: self.u8.clone(), u32: &self.u32 }
        }
    }

    fn field(name: &str, ty: &str, column: serde_json::Value) -> serde_json::Value {
        serde_json::json!({"name": name, "type": ty, "labels": {"job": "api"}, "config": {"unit": "ns"}, "column": column})
    }

    #[test]
    fn unpacks_every_column_kind() {
        let mut p = Packer::default();
        let (ends, bytes) = p.strs(&["a", "", "héllo"]);
        let str_valid = p.u8s(&[1, 0, 1]);
        let ms = p.f64s(&[1000.0, 1000.5, f64::NAN]);
        let nanos = p.f64s(&[7.0, 7.0, 0.0]);
        let values = p.f64s(&[1.5, f64::NAN, -2.0]);
        let num_valid = p.u8s(&[1, 1, 0]);
        let bools = p.u8s(&[1, 0, 1]);
        let (jends, jbytes) = p.strs(&["{\"k\":1}", "[]", "null"]);
        let header = serde_json::json!({
            "name": "spans", "refId": "A", "meta": {"type": "trace"}, "length": 3,
            "fields": [
                field("traceID", "string", serde_json::json!({"kind": "str", "ends": ends, "bytes": bytes, "valid": str_valid})),
                field("startTime", "time", serde_json::json!({"kind": "time", "ms": ms, "nanos": nanos, "valid": null})),
                field("duration", "number", serde_json::json!({"kind": "f64", "values": values, "valid": num_valid})),
                field("ok", "boolean", serde_json::json!({"kind": "bool", "values": bools, "valid": null})),
                field("tags", "other", serde_json::json!({"kind": "json", "ends": jends, "bytes": jbytes, "valid": null})),
            ]
        });
        let frame = unpack_frame(&header.to_string(), p.buffers(), 0).unwrap();
        assert_eq!(frame.name.as_deref(), Some("spans"));
        assert_eq!(frame.ref_id.as_deref(), Some("A"));
        assert_eq!(frame.meta_str("type"), Some("trace"));
        assert_eq!(frame.len(), 3);
        let f = &frame.fields;
        assert_eq!(f[0].field_type, FieldType::String);
        assert_eq!(f[0].labels.get("job").map(String::as_str), Some("api"));
        assert_eq!(f[0].config["unit"], "ns");
        assert_eq!((f[0].values.text(0).as_deref(), f[0].values.text(1), f[0].values.text(2).as_deref()), (Some("a"), None, Some("héllo")));
        assert_eq!(f[1].values, Column::Time(vec![Some(1_000_000_007), Some(1_000_500_000), None]));
        match &f[2].values {
            Column::Number(v) => assert!(v[0] == Some(1.5) && v[1].is_some_and(f64::is_nan) && v[2].is_none()),
            other => panic!("{other:?}"),
        }
        assert_eq!(f[3].values, Column::Boolean(vec![Some(true), Some(false), Some(true)]));
        assert_eq!(f[4].field_type, FieldType::Other);
        assert_eq!(f[4].values.text(0).as_deref(), Some("{\"k\":1}"));
    }

    /// `jsonArrays`: chunks of JSON array text, as `JSON.stringify` of slices of the values writes them, laid
    /// out as a `str` column of one value a chunk.
    fn json_arrays(p: &mut Packer, chunks: &[&str]) -> serde_json::Value {
        let (ends, bytes) = p.strs(chunks);
        serde_json::json!({"kind": "jsonArrays", "ends": ends, "chunks": chunks.len(), "bytes": bytes})
    }

    fn texts(column: &Column) -> Vec<Option<String>> {
        (0..column.len()).map(|i| column.text(i).map(|t| t.into_owned())).collect()
    }

    #[test]
    fn json_arrays_are_split_into_values_and_share_the_frame_text() {
        let mut p = Packer::default();
        let (ends, bytes) = p.strs(&["x", "é", "", "", "", "z"]);
        let tricky = r#"[{"k":"a,]b","q":"\"\\"},null,[1,[2]],"[é]"]"#;
        let column = json_arrays(&mut p, &[tricky, "[]", " [ 5 , null ] "]);
        let header = serde_json::json!({"name": "t", "length": 6, "fields": [
            field("tags", "other", column),
            field("s", "string", serde_json::json!({"kind": "str", "ends": ends, "bytes": bytes, "valid": null})),
        ]});
        let frame = unpack_frame(&header.to_string(), p.buffers(), 0).unwrap();
        let want = [Some(r#"{"k":"a,]b","q":"\"\\"}"#), None, Some("[1,[2]]"), Some(r#""[é]""#), Some("5"), None];
        assert_eq!(texts(&frame.fields[0].values), want.map(|w| w.map(str::to_string)));
        assert_eq!(frame.fields[0].field_type, FieldType::Other);
        assert_eq!(texts(&frame.fields[1].values)[..2], [Some("x".to_string()), Some("é".to_string())]);
        assert_eq!(texts(&frame.fields[1].values)[5], Some("z".to_string()));
    }

    #[test]
    fn malformed_json_arrays_are_errors_naming_the_field() {
        let cases: [(&[&str], usize, &str); 5] = [
            (&["[1,2]"], 3, "frame logs, field j: 2 values in the JSON arrays, the frame has 3 rows"),
            (&["[1,2,3]"], 2, "frame logs, field j: chunk 0 holds more than the frame's 2 rows"),
            (&["{\"a\":1}"], 1, "frame logs, field j: chunk 0 (rows from 0) is not a JSON array"),
            (&["[1,\"open]"], 2, "frame logs, field j: chunk 0 (rows from 1) is not a JSON array"),
            (&["[1,,2]"], 3, "frame logs, field j: chunk 0 (rows from 1) is not a JSON array"),
        ];
        for (chunks, length, want) in cases {
            let mut p = Packer::default();
            let column = json_arrays(&mut p, chunks);
            let header = serde_json::json!({"name": "logs", "length": length, "fields": [field("j", "other", column)]});
            assert_eq!(unpack_frame(&header.to_string(), p.buffers(), 0).unwrap_err().to_string(), want, "{chunks:?}");
        }
        let mut p = Packer::default();
        let mut column = json_arrays(&mut p, &["[1]"]);
        column["ends"] = serde_json::json!(5);
        let header = serde_json::json!({"name": "logs", "length": 1, "fields": [field("j", "other", column)]});
        assert!(unpack_frame(&header.to_string(), p.buffers(), 0).unwrap_err().to_string().contains("outside the u32 buffer"));
    }

    #[test]
    fn distinct_json_values_are_read_per_row_by_index() {
        let mut p = Packer::default();
        let (ends, bytes) = p.strs(&[r#"{"app":"é"}"#, "[1]"]);
        let rows = p.u32.len();
        p.u32.extend_from_slice(&[1, 0, 7, 0]);
        let valid = p.u8s(&[1, 1, 0, 1]);
        let column = |rows: usize| serde_json::json!({"kind": "jsonDistinct", "ends": ends, "count": 2, "bytes": bytes, "rows": rows, "valid": valid});
        let header = serde_json::json!({"name": "logs", "length": 4, "fields": [field("labels", "other", column(rows))]});
        let frame = unpack_frame(&header.to_string(), p.buffers(), 0).unwrap();
        let app = Some(r#"{"app":"é"}"#.to_string());
        assert_eq!(texts(&frame.fields[0].values), [Some("[1]".to_string()), app.clone(), None, app]);
        // Row 2's index 7 is ignored while it is missing, not once it is present.
        let header = serde_json::json!({"name": "logs", "length": 3, "fields": [field("labels", "other", column(rows + 1))]});
        let e = unpack_frame(&header.to_string(), p.buffers(), 0).unwrap_err().to_string();
        assert_eq!(e, "frame logs, field labels: row 1: value 7 is beyond the 2 distinct values");
    }

    #[test]
    fn a_buffer_that_is_not_utf8_outside_the_text_still_reads() {
        // A validity byte of 0xff (present, as any non-zero byte) makes the buffer as a whole not UTF-8: each
        // text column then reads a checked copy of its own bytes.
        let mut p = Packer::default();
        let (ends, bytes) = p.strs(&["ok", "é"]);
        let valid = p.u8s(&[0xff, 0]);
        let column = json_arrays(&mut p, &["[null,true]"]);
        let header = serde_json::json!({"name": "logs", "length": 2, "fields": [
            field("s", "string", serde_json::json!({"kind": "str", "ends": ends, "bytes": bytes, "valid": valid})),
            field("j", "other", column),
        ]});
        let frame = unpack_frame(&header.to_string(), p.buffers(), 0).unwrap();
        assert_eq!(texts(&frame.fields[0].values), [Some("ok".to_string()), None]);
        assert_eq!(texts(&frame.fields[1].values), [None, Some("true".to_string())]);
    }

    fn unpack_err(fields: serde_json::Value, p: &Packer) -> String {
        let header = serde_json::json!({"name": "logs", "length": 2, "fields": fields});
        unpack_frame(&header.to_string(), p.buffers(), 4).unwrap_err().to_string()
    }

    #[test]
    fn malformed_frames_are_errors_naming_frame_and_field() {
        let mut p = Packer::default();
        p.f64s(&[1.0]);
        p.u8s(&[0x66, 0xff, 2, 2]);
        p.u32.extend_from_slice(&[1, 2, 2, 1]);

        let e = unpack_err(serde_json::json!([field("v", "number", serde_json::json!({"kind": "f64", "values": 0, "valid": null}))]), &p);
        assert_eq!(e, "frame logs, field v: values [0, +2) is outside the f64 buffer of 1 elements");

        let e = unpack_err(
            serde_json::json!([field("v", "number", serde_json::json!({"kind": "f64", "values": usize::MAX, "valid": null}))]),
            &p,
        );
        assert!(e.starts_with("frame logs, field v: values ["), "{e}");

        let e = unpack_err(serde_json::json!([field("b", "boolean", serde_json::json!({"kind": "bool", "values": 2, "valid": null}))]), &p);
        assert_eq!(e, "frame logs, field b: row 0: boolean byte is 2, not 0 or 1");

        let e = unpack_err(
            serde_json::json!([field("s", "string", serde_json::json!({"kind": "str", "ends": 0, "bytes": 0, "valid": null}))]),
            &p,
        );
        assert_eq!(e, "frame logs, field s: row 1: not UTF-8 (byte 1 of the column)");

        let e = unpack_err(
            serde_json::json!([field("s", "string", serde_json::json!({"kind": "str", "ends": 2, "bytes": 0, "valid": null}))]),
            &p,
        );
        assert_eq!(e, "frame logs, field s: row 1: end offset 1 is before the previous one, 2");

        let e = unpack_err(serde_json::json!([field("t", "time", serde_json::json!({"kind": "time", "ms": 0, "valid": 0}))]), &p);
        assert!(e.starts_with("frame logs, field t: ms [0, +2)"), "{e}");

        let e = unpack_err(serde_json::json!([field("x", "string", serde_json::json!({"kind": "utf16"}))]), &p);
        assert!(e.starts_with("frame #4: packed frame header is not valid: unknown variant `utf16`"), "{e}");

        let e = unpack_frame("{not json", p.buffers(), 7).unwrap_err().to_string();
        assert!(e.starts_with("frame #7: packed frame header is not valid"), "{e}");
    }

    /// The npm package's `PackedFrameHeader` type is generated from `schema/packed-frame.schema.json`, so the
    /// header the JS side writes can never drift from the one read here. Regenerate with
    /// `UPDATE_SCHEMA=1 cargo test -p rootspan-wasm packed_frame_schema`.
    #[test]
    fn packed_frame_schema_is_current() {
        let schema = schemars::generate::SchemaSettings::draft2020_12()
            .for_deserialize()
            .into_generator()
            .into_root_schema_for::<PackedFrameHeader>();
        let generated = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        match std::env::var_os("UPDATE_SCHEMA") {
            Some(_) => std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/packed-frame.schema.json"), generated).unwrap(),
            None => assert!(
                include_str!("../../schema/packed-frame.schema.json") == generated,
                "schema/packed-frame.schema.json is out of date with PackedFrameHeader: run UPDATE_SCHEMA=1 cargo test -p rootspan-wasm packed_frame_schema"
            ),
        }
    }
}
