//! Everything that crosses from JS: packed frames (PACKED_FRAMES.md) become
//! `rootspan_core::ingest::frame::Frame`s, and errors become JS `Error`s.
//!
//! A packed frame arrives as a JSON header and three typed buffers. Every offset in the header
//! is checked against its buffer before it is read, so a malformed header is an error naming
//! the frame and field, never a trap.

use std::collections::BTreeMap;

use rootspan_core::ingest::frame::{Column, Field, FieldType, Frame, StrColumn};
use serde::Deserialize;

/// The three buffers of one packed frame.
#[derive(Debug, Clone, Copy)]
pub struct Buffers<'a> {
    pub f64: &'a [f64],
    pub u8: &'a [u8],
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
    for field in header.fields {
        let values = unpack_column(&field.column, header.length, buffers).map_err(|message| InteropError {
            frame: frame_name.clone(),
            field: Some(field.name.clone()),
            message,
        })?;
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

fn unpack_column(column: &PackedColumn, len: usize, b: Buffers<'_>) -> Result<Column, String> {
    match *column {
        PackedColumn::F64 { values, valid } => {
            let values = slice(b.f64, values, len, "values", "f64")?;
            let valid = validity(b.u8, valid, len)?;
            Ok(Column::Number(values.iter().enumerate().map(|(i, &v)| present(&valid, i).then_some(v)).collect()))
        }
        PackedColumn::Time { ms, nanos, valid } => {
            let ms = slice(b.f64, ms, len, "ms", "f64")?;
            let nanos = nanos.map(|at| slice(b.f64, at, len, "nanos", "f64")).transpose()?;
            let valid = validity(b.u8, valid, len)?;
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
        PackedColumn::Bool { values, valid } => {
            let values = slice(b.u8, values, len, "values", "u8")?;
            let valid = validity(b.u8, valid, len)?;
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

fn strings(b: Buffers<'_>, ends_at: usize, bytes_at: usize, valid: Option<usize>, len: usize) -> Result<StrColumn, String> {
    let ends = slice(b.u32, ends_at, len, "ends", "u32")?;
    for (row, pair) in ends.windows(2).enumerate() {
        if pair[1] < pair[0] {
            return Err(format!("row {}: end offset {} is before the previous one, {}", row + 1, pair[1], pair[0]));
        }
    }
    let total = ends.last().map_or(0, |&e| e as usize);
    let bytes = slice(b.u8, bytes_at, total, "bytes", "u8")?;
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let row = ends.partition_point(|&end| (end as usize) <= at);
        format!("row {row}: not UTF-8 (byte {at} of the column)")
    })?;
    if let Some(row) = ends.iter().position(|&end| !text.is_char_boundary(end as usize)) {
        return Err(format!("row {row}: end offset {} splits a UTF-8 character", ends[row]));
    }
    let valid = validity(b.u8, valid, len)?.map(|v| v.iter().map(|&x| x != 0).collect());
    Ok(StrColumn { bytes: text.to_string(), ends: ends.to_vec(), valid })
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
            Buffers { f64: &self.f64, u8: &self.u8, u32: &self.u32 }
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
