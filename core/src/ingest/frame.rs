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
use std::sync::Arc;

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

/// Strings of one column as slices of one UTF-8 text: value `i` is `text[base + ends[i-1] .. base + ends[i]]`.
/// This is also the layout the JS side packs a string column into before it crosses; a packed frame's text
/// columns share the buffer the frame crossed in (`StrColumn::shared`), so their bytes are never copied.
/// A column whose rows repeat a few values (a log frame's `labels`) may hold each distinct value once and,
/// per row, which one it is (`StrColumn::indexed`).
#[derive(Debug, Clone, Default)]
pub struct StrColumn {
    text: Arc<String>,
    base: usize,
    ends: Vec<u32>,
    /// Per row, the value (index into `ends`) it holds; `None`: row `i` holds value `i`.
    rows: Option<Vec<u32>>,
    /// `None` when every value is present.
    valid: Option<Vec<bool>>,
}

impl StrColumn {
    /// The column whose values end at `ends` (relative to `base`) in `text`. Fails, naming the row, when an end
    /// is before the previous one, beyond `text` or inside a UTF-8 character, or `valid` is not one per row.
    pub fn shared(text: Arc<String>, base: usize, ends: Vec<u32>, valid: Option<Vec<bool>>) -> Result<StrColumn, String> {
        if valid.as_ref().is_some_and(|v| v.len() != ends.len()) {
            return Err(format!("{} validity flags for {} values", valid.map_or(0, |v| v.len()), ends.len()));
        }
        if base > text.len() {
            return Err(format!("the column's start, byte {base}, is beyond the {} bytes of text", text.len()));
        }
        let mut previous = 0;
        for (row, &end) in ends.iter().enumerate() {
            if end < previous {
                return Err(format!("row {row}: end offset {end} is before the previous one, {previous}"));
            }
            let at = base.checked_add(end as usize).filter(|&at| at <= text.len());
            match at {
                None => return Err(format!("row {row}: end offset {end} is beyond the {} bytes of text", text.len().saturating_sub(base))),
                Some(at) if !text.is_char_boundary(at) => return Err(format!("row {row}: end offset {end} splits a UTF-8 character")),
                Some(_) => {}
            }
            previous = end;
        }
        if !text.is_char_boundary(base) {
            return Err(format!("the column's start, byte {base}, splits a UTF-8 character"));
        }
        Ok(StrColumn { text, base, ends, rows: None, valid })
    }

    /// The column whose row `i` holds value `rows[i]` of this one, whose values are then the distinct ones
    /// (all present, one per value). Fails, naming the row, when a present row names a value beyond them.
    pub fn indexed_by(self, rows: Vec<u32>, valid: Option<Vec<bool>>) -> Result<StrColumn, String> {
        if self.rows.is_some() || self.valid.is_some() {
            return Err("the distinct values of an indexed column must each be present once".to_string());
        }
        if valid.as_ref().is_some_and(|v| v.len() != rows.len()) {
            return Err(format!("{} validity flags for {} rows", valid.map_or(0, |v| v.len()), rows.len()));
        }
        let present = |row: usize| valid.as_ref().is_none_or(|v| v[row]);
        if let Some(row) = (0..rows.len()).find(|&row| present(row) && rows[row] as usize >= self.ends.len()) {
            return Err(format!("row {row}: value {} is beyond the {} distinct values", rows[row], self.ends.len()));
        }
        Ok(StrColumn { rows: Some(rows), valid, ..self })
    }

    pub fn len(&self) -> usize {
        self.rows.as_ref().map_or(self.ends.len(), Vec::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes of all its values together.
    pub fn text_bytes(&self) -> usize {
        match &self.rows {
            None => self.ends.last().map_or(0, |&e| e as usize),
            Some(_) => (0..self.len()).filter_map(|i| self.get(i)).map(str::len).sum(),
        }
    }

    /// Which distinct value row `i` holds in an indexed column (equal ids, equal values); `None` when the
    /// value is missing or the column is not indexed (`is_indexed`).
    pub fn value_id(&self, i: usize) -> Option<u32> {
        self.valid.as_ref().is_none_or(|v| v.get(i).copied().unwrap_or(false)).then(|| self.rows.as_ref()?.get(i).copied()).flatten()
    }

    pub fn is_indexed(&self) -> bool {
        self.rows.is_some()
    }

    pub fn get(&self, i: usize) -> Option<&str> {
        if let Some(valid) = &self.valid {
            if !valid.get(i).copied().unwrap_or(false) {
                return None;
            }
        }
        let value = match &self.rows {
            Some(rows) => *rows.get(i)? as usize,
            None => i,
        };
        let end = *self.ends.get(value)? as usize;
        let start = if value == 0 { 0 } else { self.ends[value - 1] as usize };
        self.text.get(self.base + start..self.base + end)
    }

    pub fn push(&mut self, value: Option<&str>) {
        if self.rows.is_some() {
            // Rows are appended to a column of one value per row: the indexed one is written out first, once.
            let mut flat = StrColumn::default();
            for i in 0..self.len() {
                flat.push(self.get(i));
            }
            *self = flat;
        }
        let text = self.own();
        if let Some(v) = value {
            text.push_str(v);
        }
        let end = text.len() as u32;
        self.ends.push(end);
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

    /// The text to append to: this column's alone (a shared one's bytes are copied out first, once).
    fn own(&mut self) -> &mut String {
        let used = self.ends.last().map_or(0, |&e| e as usize);
        if self.base != 0 || self.text.len() != used || Arc::strong_count(&self.text) > 1 {
            self.text = Arc::new(self.text[self.base..self.base + used].to_string());
            self.base = 0;
        }
        Arc::make_mut(&mut self.text)
    }
}

/// Equal values, wherever their bytes live.
impl PartialEq for StrColumn {
    fn eq(&self, other: &StrColumn) -> bool {
        self.len() == other.len() && (0..self.len()).all(|i| self.get(i) == other.get(i))
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

    /// The bytes of a text column's values together; 0 for other columns.
    pub fn text_bytes(&self) -> usize {
        match self {
            Column::String(c) | Column::Json(c) => c.text_bytes(),
            _ => 0,
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
    fn shared_columns_read_their_slice_and_copy_out_to_grow() {
        let text = Arc::new("xxhéllo-ab".to_string());
        let mut c = StrColumn::shared(text.clone(), 2, vec![6, 6, 7], Some(vec![true, false, true])).unwrap();
        assert_eq!((c.get(0), c.get(1), c.get(2)), (Some("héllo"), None, Some("-")));
        c.push(Some("z"));
        assert_eq!((c.get(0), c.get(2), c.get(3)), (Some("héllo"), Some("-"), Some("z")));
        assert_eq!(text.as_str(), "xxhéllo-ab", "the shared text is left alone");
        let mut copy = StrColumn::default();
        for v in [Some("héllo"), None, Some("-"), Some("z")] {
            copy.push(v);
        }
        assert_eq!(c, copy);
        assert_eq!(StrColumn::shared(text.clone(), 2, vec![2], None).unwrap_err(), "row 0: end offset 2 splits a UTF-8 character");
        assert_eq!(StrColumn::shared(text.clone(), 2, vec![3, 1], None).unwrap_err(), "row 1: end offset 1 is before the previous one, 3");
        assert_eq!(StrColumn::shared(text.clone(), 2, vec![10], None).unwrap_err(), "row 0: end offset 10 is beyond the 9 bytes of text");
        assert!(StrColumn::shared(text, 4, vec![], None).unwrap_err().contains("splits"));
    }

    #[test]
    fn indexed_columns_read_each_row_s_value_and_flatten_to_grow() {
        let text = Arc::new("x{\"a\":1}{}".to_string());
        let distinct = || StrColumn::shared(text.clone(), 1, vec![7, 9], None).unwrap();
        let mut c = distinct().indexed_by(vec![1, 0, 9, 0], Some(vec![true, true, false, true])).unwrap();
        assert_eq!((c.len(), c.get(0), c.get(1), c.get(2), c.get(3)), (4, Some("{}"), Some("{\"a\":1}"), None, Some("{\"a\":1}")));
        assert_eq!((c.value_id(0), c.value_id(2), c.value_id(3), c.text_bytes()), (Some(1), None, Some(0), 16));
        c.push(Some("[]"));
        assert!(!c.is_indexed());
        let mut copy = StrColumn::default();
        for v in [Some("{}"), Some("{\"a\":1}"), None, Some("{\"a\":1}"), Some("[]")] {
            copy.push(v);
        }
        assert_eq!(c, copy);
        assert_eq!(distinct().indexed_by(vec![2], None).unwrap_err(), "row 0: value 2 is beyond the 2 distinct values");
        assert_eq!(distinct().indexed_by(vec![0], Some(vec![])).unwrap_err(), "0 validity flags for 1 rows");
        assert!(c.indexed_by(vec![0], None).is_err(), "a column with missing values is no set of distinct values");
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
