//! The DataFrame as rootspan holds it: Grafana's frame (fields with names, types, labels and
//! config; meta with type and custom keys), with columnar values.
//!
//! Three producers make `Frame`s and one consumer reads them, so frames from every source go
//! through the same kind detection and field rules:
//! - `ingest::frames_json` decodes the wire JSON (and /api/ds/query responses);
//! - `ingest::arrow` decodes Arrow IPC (behind the `arrow` feature);
//! - the wasm crate's interop builds them from the packed columns the JS side sends;
//!
//! and `ingest::frame_kinds` turns frames into model rows.

use std::collections::BTreeMap;

/// Epoch milliseconds (Grafana's time values) plus the `nanos` entity, in ns since the epoch.
/// Integral milliseconds are exact; a fractional millisecond count (trace frames' `startTime`)
/// is rounded to whole microseconds, because an f64 near 1.6e12 ms cannot resolve finer than
/// ~0.24 µs and the sub-microsecond digits would be noise. `None` when out of range.
pub fn ms_to_ns(ms: f64, nanos: i64) -> Option<i64> {
    // Beyond ±9.3e12 ms no i64 ns exists; below it the casts are exact and the products checked.
    if !ms.is_finite() || ms.abs() > 9.3e12 {
        return None;
    }
    let ns = if ms.fract() == 0.0 { (ms as i64).checked_mul(1_000_000)? } else { ((ms * 1000.0).round() as i64).checked_mul(1000)? };
    ns.checked_add(nanos)
}

/// Grafana field types (`FieldType` in @grafana/data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Time,
    Number,
    String,
    Boolean,
    Enum,
    Other,
}

impl FieldType {
    pub fn from_grafana(s: &str) -> FieldType {
        match s {
            "time" => FieldType::Time,
            "number" => FieldType::Number,
            "string" => FieldType::String,
            "boolean" => FieldType::Boolean,
            "enum" => FieldType::Enum,
            _ => FieldType::Other,
        }
    }
}

/// Strings of one column in one UTF-8 buffer: value `i` is `bytes[ends[i-1]..ends[i]]`.
/// This is also the layout the JS side packs a string column into before it crosses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StrColumn {
    pub bytes: String,
    pub ends: Vec<u32>,
    /// `None` when every value is present.
    pub valid: Option<Vec<bool>>,
}

impl StrColumn {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&str> {
        if let Some(valid) = &self.valid {
            if !valid.get(i).copied().unwrap_or(false) {
                return None;
            }
        }
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.bytes.get(start..end)
    }

    pub fn push(&mut self, value: Option<&str>) {
        if let Some(v) = value {
            self.bytes.push_str(v);
        }
        self.ends.push(self.bytes.len() as u32);
        match (&mut self.valid, value.is_some()) {
            (Some(valid), present) => valid.push(present),
            (None, false) => {
                let mut valid = vec![true; self.ends.len() - 1];
                valid.push(false);
                self.valid = Some(valid);
            }
            (None, true) => {}
        }
    }
}

/// A column's values.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Times in ns since the epoch (Grafana's ms plus the `nanos` entity, already combined).
    Time(Vec<Option<i64>>),
    /// Numbers. NaN and ±Inf are values, `None` is null.
    Number(Vec<Option<f64>>),
    /// Integers that must stay exact beyond 2^53 (int64 fields, Arrow int columns).
    Int(Vec<Option<i64>>),
    String(StrColumn),
    Boolean(Vec<Option<bool>>),
    /// JSON values of `other` fields (Tempo's `serviceTags`, `tags`, `logs`), as JSON text.
    Json(StrColumn),
}

impl Column {
    pub fn len(&self) -> usize {
        match self {
            Column::Time(v) | Column::Int(v) => v.len(),
            Column::Number(v) => v.len(),
            Column::String(v) | Column::Json(v) => v.len(),
            Column::Boolean(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `i` as text, whatever the column type (for ids and labels).
    pub fn text(&self, i: usize) -> Option<std::borrow::Cow<'_, str>> {
        use std::borrow::Cow;
        match self {
            Column::String(c) | Column::Json(c) => c.get(i).map(Cow::Borrowed),
            Column::Time(v) | Column::Int(v) => v.get(i).copied().flatten().map(|x| Cow::Owned(x.to_string())),
            Column::Number(v) => v.get(i).copied().flatten().map(|x| Cow::Owned(crate::base::format_number(x))),
            Column::Boolean(v) => v.get(i).copied().flatten().map(|x| Cow::Borrowed(if x { "true" } else { "false" })),
        }
    }

    /// The value at `i` as a number, where the column holds numbers, integers or times.
    pub fn number(&self, i: usize) -> Option<f64> {
        match self {
            Column::Number(v) => v.get(i).copied().flatten(),
            Column::Int(v) | Column::Time(v) => v.get(i).copied().flatten().map(|x| x as f64),
            Column::String(c) => c.get(i).and_then(|s| s.trim().parse().ok()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub field_type: FieldType,
    pub labels: BTreeMap<String, String>,
    /// The field config as given (`displayNameFromDS`, `unit`, `links`, ...). Kept as JSON:
    /// only a few keys matter to us and the rest must survive untouched.
    pub config: serde_json::Value,
    pub values: Column,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    pub name: Option<String>,
    pub ref_id: Option<String>,
    /// `meta` as given (`type`, `typeVersion`, `preferredVisualisationType`, `custom`, ...).
    pub meta: serde_json::Value,
    pub fields: Vec<Field>,
}

impl Frame {
    /// A name for diagnostics: the frame name, else its refId, else its position.
    pub fn display_name(&self, index: usize) -> String {
        match (&self.name, &self.ref_id) {
            (Some(n), _) if !n.is_empty() => n.clone(),
            (_, Some(r)) if !r.is_empty() => format!("refId {r}"),
            _ => format!("#{index}"),
        }
    }

    pub fn len(&self) -> usize {
        self.fields.first().map_or(0, |f| f.values.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first field with this name (exact match).
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// `meta.<key>` as a string.
    pub fn meta_str(&self, key: &str) -> Option<&str> {
        self.meta.get(key)?.as_str()
    }

    /// `meta.custom.<key>` as a string.
    pub fn custom_str(&self, key: &str) -> Option<&str> {
        self.meta.get("custom")?.get(key)?.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_column_tracks_nulls() {
        let mut c = StrColumn::default();
        c.push(Some("a"));
        c.push(None);
        c.push(Some("ccc"));
        assert_eq!((c.get(0), c.get(1), c.get(2), c.get(3)), (Some("a"), None, Some("ccc"), None));
        assert_eq!(c.len(), 3);
    }

    #[test]
    fn ms_with_nanos_is_exact_and_fractions_round_to_microseconds() {
        // all_types.golden.json: the largest Go time, 9223372036854 ms + 775807 ns.
        assert_eq!(ms_to_ns(9_223_372_036_854.0, 775_807), Some(i64::MAX));
        assert_eq!(ms_to_ns(1_645_030_244_810.0, 757_120), Some(1_645_030_244_810_757_120));
        assert_eq!(ms_to_ns(1_605_873_894_680.409, 0), Some(1_605_873_894_680_409_000));
        assert_eq!(ms_to_ns(-1.0, 0), Some(-1_000_000));
        assert_eq!(ms_to_ns(f64::NAN, 0), None);
        assert_eq!(ms_to_ns(1e300, 0), None);
    }
}
