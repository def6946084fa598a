//! Arrow IPC, stream or file, carrying DataFrames: as grafana-plugin-sdk-go writes them (frame
//! `name`, `refId` and `meta` in the schema metadata; each field's `name`, `labels` and
//! `config` as JSON in its field metadata; `json.RawMessage` as binary) and as plain tables
//! from apache-arrow JS or DuckDB (dictionary strings, any timestamp unit, decimals). Every
//! record batch of one schema becomes one `Frame`; the same field rules as JSON frames apply.

use std::collections::BTreeMap;
use std::io::Cursor;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Float16Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt16Type, UInt32Type, UInt64Type,
    UInt8Type,
};
use arrow_array::{Array, ArrowPrimitiveType, RecordBatch};
use arrow_ipc::reader::{FileReader, StreamReader};
use arrow_schema::{ArrowError, DataType, Schema, TimeUnit};
use serde_json::Value;

use super::frame::{Column, Field, FieldType, Frame, StrColumn};
use super::frame_kinds;
use crate::diag::{Diagnostics, Place};
use crate::model::Dataset;

/// The format name recorded in `ds.sources` for inputs this module decodes.
pub const FORMAT: &str = "arrow-ipc";

pub use super::is_arrow_ipc;
use super::{ARROW_CONTINUATION as CONTINUATION, ARROW_FILE_MAGIC as FILE_MAGIC};

/// Decodes `bytes` if they are Arrow IPC and ingests the frames. Returns false (and records
/// nothing) otherwise, so the dispatcher can try other decoders.
pub fn try_decode(ds: &mut Dataset, input: &str, bytes: &[u8]) -> bool {
    if !is_arrow_ipc(bytes) {
        return false;
    }
    let frames = read_frames(input, bytes, &mut ds.diagnostics);
    frame_kinds::ingest_frames(ds, input, FORMAT, &frames);
    true
}

/// The frames of an IPC file, or of one or more IPC streams written back to back (one frame
/// each, as Grafana concatenates per-frame streams). Unreadable bytes end the read with an
/// error diagnostic; frames read before them are kept.
pub fn read_frames(input: &str, bytes: &[u8], diagnostics: &mut Diagnostics) -> Vec<Frame> {
    let mut frames = Vec::new();
    let place = |index: usize| Place::input(input).frame(format!("#{index}"));
    if bytes.starts_with(FILE_MAGIC) {
        if let Err(why) = check_file(bytes) {
            diagnostics.error(place(0), format!("not a readable Arrow IPC file: {why}"));
            return frames;
        }
        match FileReader::try_new(Cursor::new(bytes), None) {
            Ok(reader) => {
                let schema = reader.schema();
                let batches = collect_batches(reader, &place(0), diagnostics);
                frames.push(frame_of(input, 0, &schema, &batches, diagnostics));
            }
            Err(e) => diagnostics.error(place(0), format!("not a readable Arrow IPC file: {e}")),
        }
        return frames;
    }
    // Only whole, consistent messages reach the reader; what follows a bad one is lost.
    let (whole, problem) = check_stream(bytes);
    if let Some(why) = problem {
        diagnostics.error(Place::input(input), format!("Arrow IPC stream unreadable after byte {whole}, the rest is lost: {why}"));
    }
    let bytes = &bytes[..whole];
    let mut cursor = Cursor::new(bytes);
    // Writers may pad the end with zeros; a stream starts with a continuation marker.
    while bytes.get(cursor.position() as usize..).is_some_and(|rest| rest.starts_with(CONTINUATION)) {
        let start = cursor.position();
        let index = frames.len();
        match StreamReader::try_new(&mut cursor, None) {
            Ok(reader) => {
                let schema = reader.schema();
                let batches = collect_batches(reader, &place(index), diagnostics);
                frames.push(frame_of(input, index, &schema, &batches, diagnostics));
            }
            Err(e) => {
                diagnostics.error(place(index), format!("not a readable Arrow IPC stream: {e}"));
                break;
            }
        }
        if cursor.position() == start {
            break;
        }
    }
    frames
}

/// The byte width of each buffer a top-level column of `dt` has in an IPC record batch, in
/// order (`None`: a bitmap or raw bytes, any length is safe); `None` for nested and view
/// types, which this decoder does not read and whose buffers it cannot check.
fn buffer_widths(dt: &DataType) -> Option<Vec<Option<usize>>> {
    Some(match dt {
        DataType::Null => vec![],
        DataType::Boolean => vec![None, None],
        DataType::Utf8 | DataType::Binary => vec![None, Some(4), None],
        DataType::LargeUtf8 | DataType::LargeBinary => vec![None, Some(8), None],
        DataType::Dictionary(key, _) => vec![None, Some(key.primitive_width()?)],
        t => vec![None, Some(t.primitive_width()?)],
    })
}

/// What the messages of one IPC stream or file must agree with: the buffer widths of its record
/// batches and of each dictionary batch, from its schema.
#[derive(Default)]
struct Layout {
    batch: Vec<Option<usize>>,
    dictionaries: BTreeMap<i64, Vec<Option<usize>>>,
}

impl Layout {
    fn of(schema: arrow_ipc::Schema<'_>) -> Result<Layout, String> {
        let arrow = arrow_ipc::convert::try_fb_to_schema(schema).map_err(|e| format!("schema is not valid: {e}"))?;
        let fb_fields = schema.fields().ok_or("schema without fields")?;
        let mut layout = Layout::default();
        for (i, field) in arrow.fields().iter().enumerate() {
            let unsupported = || format!("field {}: Arrow type {} is not supported", field.name(), field.data_type());
            layout.batch.extend(buffer_widths(field.data_type()).ok_or_else(unsupported)?);
            if let (DataType::Dictionary(_, values), Some(encoding)) = (field.data_type(), fb_fields.get(i).dictionary()) {
                layout.dictionaries.insert(encoding.id(), buffer_widths(values).ok_or_else(unsupported)?);
            }
        }
        Ok(layout)
    }
}

/// The length of the run of whole, consistent IPC messages at the start of `bytes` (one or
/// more streams), and why the run ended early, if it did.
///
/// arrow-rs 60 trusts the lengths and buffer offsets inside messages and panics (or tries a
/// huge allocation) when they point past the data or do not fit the column type; a panic is an
/// abort in the browser build. So every message is checked against the bytes present and its
/// schema before the reader sees it.
fn check_stream(bytes: &[u8]) -> (usize, Option<String>) {
    let mut pos = 0;
    let mut layout = None;
    loop {
        match check_message(bytes, pos, &mut layout) {
            Ok(Some((_, next))) => pos = next,
            Ok(None) => return (pos, None),
            Err(why) => return (pos, Some(why)),
        }
    }
}

fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

/// Checks the message at `pos`: `Ok(None)` at the end of the input (or its zero padding),
/// else the end of its metadata and the end of its body (or of an end-of-stream marker, which
/// also ends the stream's `layout`). A schema message sets `layout`; batches must fit it.
fn check_message(bytes: &[u8], pos: usize, layout: &mut Option<Layout>) -> Result<Option<(usize, usize)>, String> {
    let rest = bytes.get(pos..).unwrap_or_default();
    if rest.iter().all(|b| *b == 0) {
        return Ok(None);
    }
    // A message is `[0xFFFFFFFF] <metadata length> <metadata> <body>`; old writers omit the marker.
    let (prefix, meta_len) = match le_u32(rest, 0) {
        Some(0xFFFF_FFFF) => (8, le_u32(rest, 4).ok_or("truncated message header")?),
        Some(n) => (4, n),
        None => return Err("truncated message header".into()),
    };
    if meta_len == 0 {
        *layout = None;
        return Ok(Some((pos + prefix, pos + prefix)));
    }
    let meta_end = prefix + meta_len as usize;
    let metadata = rest.get(prefix..meta_end).ok_or("message metadata runs past the end of the input")?;
    let message = arrow_ipc::root_as_message(metadata).map_err(|e| format!("message metadata is not valid: {e}"))?;
    let body_len = usize::try_from(message.bodyLength()).map_err(|_| "negative message body length")?;
    let end = meta_end.checked_add(body_len).filter(|end| *end <= rest.len()).ok_or("message body runs past the end of the input")?;
    if let Some(schema) = message.header_as_schema() {
        *layout = Some(Layout::of(schema)?);
    }
    let (batch, widths) = match (message.header_as_record_batch(), message.header_as_dictionary_batch()) {
        (Some(batch), _) => (batch, layout.as_ref().ok_or("record batch before its schema")?.batch.as_slice()),
        (_, Some(dict)) => {
            let widths =
                layout.as_ref().ok_or("dictionary before its schema")?.dictionaries.get(&dict.id()).ok_or("dictionary of no field")?;
            (dict.data().ok_or("dictionary batch without data")?, widths.as_slice())
        }
        _ => return Ok(Some((pos + meta_end, pos + end))),
    };
    check_batch(&batch, widths, body_len)?;
    Ok(Some((pos + meta_end, pos + end)))
}

/// Every buffer of a batch inside the body, and as long as a whole number of its values.
fn check_batch(batch: &arrow_ipc::RecordBatch<'_>, widths: &[Option<usize>], body_len: usize) -> Result<(), String> {
    if batch.length() < 0 || batch.nodes().into_iter().flatten().any(|n| n.length() < 0 || n.null_count() < 0) {
        return Err("negative row count in a record batch".into());
    }
    let buffers = batch.buffers().unwrap_or_default();
    if buffers.len() != widths.len() {
        return Err("a record batch does not have the buffers its schema needs".into());
    }
    for (b, width) in buffers.iter().zip(widths) {
        let (Ok(offset), Ok(length)) = (usize::try_from(b.offset()), usize::try_from(b.length())) else {
            return Err("negative buffer offset or length".into());
        };
        if offset.checked_add(length).is_none_or(|e| e > body_len) {
            return Err("a buffer lies outside its message body".into());
        }
        if width.is_some_and(|w| length % w != 0) {
            return Err("a buffer's length is not a whole number of its values".into());
        }
    }
    Ok(())
}

/// Checks an IPC file's footer and every block it lists, as `check_stream` does for streams.
fn check_file(bytes: &[u8]) -> Result<(), String> {
    let n = bytes.len();
    if n < 18 || !bytes.ends_with(FILE_MAGIC) {
        return Err("truncated: no footer".into());
    }
    let footer_len = le_u32(bytes, n - 10).and_then(|l| usize::try_from(i32::try_from(l).ok()?).ok()).ok_or("bad footer length")?;
    let footer_start = (n - 10).checked_sub(footer_len).filter(|s| *s >= 8).ok_or("footer length runs past the start of the file")?;
    let footer = arrow_ipc::root_as_footer(&bytes[footer_start..n - 10]).map_err(|e| format!("footer is not valid: {e}"))?;
    let mut layout = Some(Layout::of(footer.schema().ok_or("footer without a schema")?)?);
    let blocks = footer.dictionaries().into_iter().flatten().chain(footer.recordBatches().into_iter().flatten());
    for block in blocks {
        let span = |v: i64| usize::try_from(v).ok();
        let (offset, meta, body) = (span(block.offset()), span(block.metaDataLength().into()), span(block.bodyLength()));
        let (Some(offset), Some(meta), Some(body)) = (offset, meta, body) else { return Err("negative block offset or length".into()) };
        let end = offset
            .checked_add(meta)
            .and_then(|m| m.checked_add(body))
            .filter(|e| *e <= footer_start)
            .ok_or("a block lies outside the file")?;
        match check_message(&bytes[..end], offset, &mut layout)? {
            Some((meta_end, _)) if meta_end == offset + meta => {}
            _ => return Err("a block does not hold the message it declares".into()),
        }
    }
    Ok(())
}

fn collect_batches(
    batches: impl Iterator<Item = Result<RecordBatch, ArrowError>>,
    place: &Place,
    diagnostics: &mut Diagnostics,
) -> Vec<RecordBatch> {
    let mut out = Vec::new();
    for batch in batches {
        match batch {
            Ok(b) => out.push(b),
            Err(e) => {
                diagnostics.error(place.clone(), format!("Arrow record batch unreadable, later rows lost: {e}"));
                break;
            }
        }
    }
    out
}

/// JSON text from metadata, or `None` (with a warning) when it is not JSON.
fn metadata_json(text: Option<&String>, place: &Place, what: &str, diagnostics: &mut Diagnostics) -> Option<Value> {
    match serde_json::from_str(text?) {
        Ok(v) => Some(v),
        Err(e) => {
            diagnostics.warn(place.clone(), format!("{what} metadata is not JSON ({e}): ignored"));
            None
        }
    }
}

fn frame_of(input: &str, index: usize, schema: &Schema, batches: &[RecordBatch], diagnostics: &mut Diagnostics) -> Frame {
    let md = schema.metadata();
    let non_empty = |key: &str| md.get(key).filter(|s| !s.is_empty()).cloned();
    let mut frame = Frame { name: non_empty("name"), ref_id: non_empty("refId"), meta: Value::Null, fields: Vec::new() };
    let place = Place::input(input).frame(frame.display_name(index));
    frame.meta = metadata_json(md.get("meta"), &place, "frame meta", diagnostics).unwrap_or(Value::Null);
    for (i, arrow_field) in schema.fields().iter().enumerate() {
        let fmd = arrow_field.metadata();
        let name = fmd.get("name").cloned().unwrap_or_else(|| arrow_field.name().clone());
        let field_place = place.clone().field(name.clone());
        let mut column: Option<Column> = None;
        for batch in batches {
            let Some(array) = batch.columns().get(i) else { continue };
            match column_of(array.as_ref(), &field_place, diagnostics) {
                Ok(part) => column = Some(concat(column, part)),
                Err(why) => {
                    diagnostics.skip(field_place.clone(), why);
                    column = None;
                    break;
                }
            }
        }
        let values = match column {
            Some(c) => c,
            None if batches.is_empty() => match empty_column(arrow_field.data_type()) {
                Some(c) => c,
                None => continue,
            },
            None => continue,
        };
        let labels: BTreeMap<String, String> = metadata_json(fmd.get("labels"), &field_place, "field labels", diagnostics)
            .and_then(|v| v.as_object().cloned())
            .map(|o| o.into_iter().map(|(k, v)| (k, v.as_str().map_or_else(|| v.to_string(), str::to_string))).collect())
            .unwrap_or_default();
        let config = metadata_json(fmd.get("config"), &field_place, "field config", diagnostics).unwrap_or(Value::Null);
        let field_type = match &values {
            Column::Time(_) => FieldType::Time,
            Column::Number(_) | Column::Int(_) => FieldType::Number,
            Column::String(_) => FieldType::String,
            Column::Boolean(_) => FieldType::Boolean,
            Column::Json(_) => FieldType::Other,
        };
        frame.fields.push(Field { name, field_type, labels, config, values });
    }
    frame
}

/// A column with no rows of the type `data_type` reads as, for schemas without batches.
fn empty_column(data_type: &DataType) -> Option<Column> {
    Some(match data_type {
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => Column::Time(Vec::new()),
        DataType::Float16 | DataType::Float32 | DataType::Float64 | DataType::Decimal128(..) | DataType::UInt64 => {
            Column::Number(Vec::new())
        }
        t if t.is_integer() => Column::Int(Vec::new()),
        DataType::Boolean => Column::Boolean(Vec::new()),
        DataType::Utf8 | DataType::LargeUtf8 => Column::String(StrColumn::default()),
        DataType::Dictionary(_, values) => empty_column(values)?,
        DataType::Binary | DataType::LargeBinary | DataType::Null => Column::Json(StrColumn::default()),
        _ => return None,
    })
}

/// `a` followed by `b`; both come from one schema field, so they have one type. Should they
/// not (a u64 column that only fits i64 in some batches), both are read as floats.
fn concat(a: Option<Column>, b: Column) -> Column {
    let Some(a) = a else { return b };
    match (a, b) {
        (Column::Time(mut x), Column::Time(y)) => {
            x.extend(y);
            Column::Time(x)
        }
        (Column::Int(mut x), Column::Int(y)) => {
            x.extend(y);
            Column::Int(x)
        }
        (Column::Number(mut x), Column::Number(y)) => {
            x.extend(y);
            Column::Number(x)
        }
        (Column::Boolean(mut x), Column::Boolean(y)) => {
            x.extend(y);
            Column::Boolean(x)
        }
        (Column::String(mut x), Column::String(y)) => {
            append_str(&mut x, &y);
            Column::String(x)
        }
        (Column::Json(mut x), Column::Json(y)) => {
            append_str(&mut x, &y);
            Column::Json(x)
        }
        (x, y) => Column::Number((0..x.len()).map(|i| x.number(i)).chain((0..y.len()).map(|i| y.number(i))).collect()),
    }
}

fn append_str(a: &mut StrColumn, b: &StrColumn) {
    (0..b.len()).for_each(|i| a.push(b.get(i)));
}

fn primitive<T: ArrowPrimitiveType, U>(array: &dyn Array, f: impl Fn(T::Native) -> Option<U>) -> Result<Vec<Option<U>>, String> {
    let a = array.as_primitive_opt::<T>().ok_or_else(|| format!("Arrow column is not {:?}", T::DATA_TYPE))?;
    Ok(a.iter().map(|v| v.and_then(&f)).collect())
}

fn strings<'a>(values: impl Iterator<Item = Option<&'a str>>) -> StrColumn {
    let mut c = StrColumn::default();
    values.for_each(|v| c.push(v));
    c
}

/// JSON held as bytes (the SDK's `json.RawMessage`); bytes that are not UTF-8 are nulls.
fn json_bytes<'a>(values: impl Iterator<Item = Option<&'a [u8]>>, place: &Place, diagnostics: &mut Diagnostics) -> StrColumn {
    let mut c = StrColumn::default();
    for (row, v) in values.enumerate() {
        let text = v.and_then(|b| std::str::from_utf8(b).ok());
        if v.is_some() && text.is_none() {
            diagnostics.skip(place.clone().row(row), "binary value is not UTF-8 JSON");
        }
        c.push(text);
    }
    c
}

fn scale_time(v: i64, ns_per: i64) -> Option<i64> {
    v.checked_mul(ns_per)
}

fn column_of(array: &dyn Array, place: &Place, diagnostics: &mut Diagnostics) -> Result<Column, String> {
    let int = |v: i64| Some(v);
    Ok(match array.data_type() {
        DataType::Int8 => Column::Int(primitive::<Int8Type, _>(array, |v| int(v.into()))?),
        DataType::Int16 => Column::Int(primitive::<Int16Type, _>(array, |v| int(v.into()))?),
        DataType::Int32 => Column::Int(primitive::<Int32Type, _>(array, |v| int(v.into()))?),
        DataType::Int64 => Column::Int(primitive::<Int64Type, _>(array, int)?),
        DataType::UInt8 => Column::Int(primitive::<UInt8Type, _>(array, |v| int(v.into()))?),
        DataType::UInt16 => Column::Int(primitive::<UInt16Type, _>(array, |v| int(v.into()))?),
        DataType::UInt32 => Column::Int(primitive::<UInt32Type, _>(array, |v| int(v.into()))?),
        DataType::UInt64 => {
            let exact: Vec<Option<Option<i64>>> = primitive::<UInt64Type, _>(array, |v| Some(i64::try_from(v).ok()))?;
            if exact.iter().all(|v| !matches!(v, Some(None))) {
                Column::Int(exact.into_iter().map(Option::flatten).collect())
            } else {
                Column::Number(primitive::<UInt64Type, _>(array, |v| Some(v as f64))?)
            }
        }
        DataType::Float16 => Column::Number(primitive::<Float16Type, _>(array, |v| Some(v.to_f64()))?),
        DataType::Float32 => Column::Number(primitive::<Float32Type, _>(array, |v| Some(f64::from(v)))?),
        DataType::Float64 => Column::Number(primitive::<Float64Type, _>(array, Some)?),
        DataType::Decimal128(_, scale) => {
            let divisor = libm::pow(10.0, f64::from(*scale));
            Column::Number(primitive::<Decimal128Type, _>(array, |v| Some(v as f64 / divisor))?)
        }
        DataType::Timestamp(unit, _) => {
            let ns_per = match unit {
                TimeUnit::Second => 1_000_000_000,
                TimeUnit::Millisecond => 1_000_000,
                TimeUnit::Microsecond => 1_000,
                TimeUnit::Nanosecond => 1,
            };
            let raw: Vec<Option<i64>> = match unit {
                TimeUnit::Second => primitive::<TimestampSecondType, _>(array, int)?,
                TimeUnit::Millisecond => primitive::<TimestampMillisecondType, _>(array, int)?,
                TimeUnit::Microsecond => primitive::<TimestampMicrosecondType, _>(array, int)?,
                TimeUnit::Nanosecond => primitive::<TimestampNanosecondType, _>(array, int)?,
            };
            Column::Time(times(raw, ns_per, place, diagnostics))
        }
        DataType::Date32 => {
            Column::Time(times(primitive::<Date32Type, _>(array, |d| int(d.into()))?, 86_400_000_000_000, place, diagnostics))
        }
        DataType::Date64 => Column::Time(times(primitive::<Date64Type, _>(array, int)?, 1_000_000, place, diagnostics)),
        DataType::Boolean => Column::Boolean(array.as_boolean_opt().ok_or("Arrow column is not boolean")?.iter().collect()),
        DataType::Utf8 => Column::String(strings(array.as_string_opt::<i32>().ok_or("Arrow column is not utf8")?.iter())),
        DataType::LargeUtf8 => Column::String(strings(array.as_string_opt::<i64>().ok_or("Arrow column is not large utf8")?.iter())),
        DataType::Binary => {
            Column::Json(json_bytes(array.as_binary_opt::<i32>().ok_or("Arrow column is not binary")?.iter(), place, diagnostics))
        }
        DataType::LargeBinary => {
            Column::Json(json_bytes(array.as_binary_opt::<i64>().ok_or("Arrow column is not large binary")?.iter(), place, diagnostics))
        }
        DataType::Null => Column::Json(strings((0..array.len()).map(|_| None))),
        DataType::Dictionary(..) => {
            let dict = array.as_any_dictionary_opt().ok_or("Arrow column is not a dictionary")?;
            let values = column_of(dict.values().as_ref(), place, diagnostics)?;
            if values.is_empty() {
                gather(&values, &vec![0; array.len()], |_| false)
            } else {
                gather(&values, &dict.normalized_keys(), |row| array.is_valid(row) && dict.keys().is_valid(row))
            }
        }
        other => return Err(format!("Arrow type {other} is not supported: field skipped")),
    })
}

fn times(raw: Vec<Option<i64>>, ns_per: i64, place: &Place, diagnostics: &mut Diagnostics) -> Vec<Option<i64>> {
    raw.into_iter()
        .enumerate()
        .map(|(row, v)| {
            let ns = v.and_then(|v| scale_time(v, ns_per));
            if v.is_some() && ns.is_none() {
                diagnostics.skip(place.clone().row(row), "time out of range");
            }
            ns
        })
        .collect()
}

/// `values[keys[row]]` for each row that `valid` accepts (dictionary decoding).
fn gather(values: &Column, keys: &[usize], valid: impl Fn(usize) -> bool) -> Column {
    let pick = |row: usize| valid(row).then(|| keys[row]);
    match values {
        Column::Time(v) => Column::Time((0..keys.len()).map(|r| pick(r).and_then(|k| v.get(k).copied().flatten())).collect()),
        Column::Int(v) => Column::Int((0..keys.len()).map(|r| pick(r).and_then(|k| v.get(k).copied().flatten())).collect()),
        Column::Number(v) => Column::Number((0..keys.len()).map(|r| pick(r).and_then(|k| v.get(k).copied().flatten())).collect()),
        Column::Boolean(v) => Column::Boolean((0..keys.len()).map(|r| pick(r).and_then(|k| v.get(k).copied().flatten())).collect()),
        Column::String(c) => Column::String(strings((0..keys.len()).map(|r| pick(r).and_then(|k| c.get(k))))),
        Column::Json(c) => Column::Json(strings((0..keys.len()).map(|r| pick(r).and_then(|k| c.get(k))))),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use arrow_array::builder::StringDictionaryBuilder;
    use arrow_array::{
        ArrayRef, BinaryArray, Decimal128Array, Float64Array, Int64Array, LargeStringArray, StringArray, TimestampMicrosecondArray,
        TimestampMillisecondArray, TimestampNanosecondArray, UInt64Array,
    };
    use arrow_ipc::writer::{FileWriter, StreamWriter};
    use arrow_schema::Field as ArrowField;
    use proptest::prelude::*;

    use super::*;
    use crate::diag::Severity;
    use crate::model::{Level, SpanKind};

    fn md(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn batch(schema_md: &[(&str, &str)], columns: Vec<(ArrowField, ArrayRef)>) -> RecordBatch {
        let (fields, arrays): (Vec<ArrowField>, Vec<ArrayRef>) = columns.into_iter().unzip();
        let schema = Schema::new(fields).with_metadata(md(schema_md));
        RecordBatch::try_new(Arc::new(schema), arrays).unwrap()
    }

    fn stream(batches: &[RecordBatch]) -> Vec<u8> {
        let mut w = StreamWriter::try_new(Vec::new(), &batches[0].schema()).unwrap();
        batches.iter().for_each(|b| w.write(b).unwrap());
        w.into_inner().unwrap()
    }

    fn file(batches: &[RecordBatch]) -> Vec<u8> {
        let mut w = FileWriter::try_new(Vec::new(), &batches[0].schema()).unwrap();
        batches.iter().for_each(|b| w.write(b).unwrap());
        w.into_inner().unwrap()
    }

    /// A Prometheus-style frame as the Go SDK writes it.
    fn sdk_series() -> RecordBatch {
        let time = ArrowField::new("Time", DataType::Timestamp(TimeUnit::Nanosecond, None), false).with_metadata(md(&[("name", "Time")]));
        let value = ArrowField::new("Value", DataType::Float64, true).with_metadata(md(&[
            ("name", "Value"),
            ("labels", r#"{"__name__":"up","job":"api"}"#),
            ("config", r#"{"displayNameFromDS":"up{job=\"api\"}"}"#),
        ]));
        batch(
            &[("name", "up"), ("refId", "A"), ("meta", r#"{"type":"timeseries-multi","typeVersion":[0,1]}"#)],
            vec![
                (time, Arc::new(TimestampNanosecondArray::from(vec![1_000_000_001, 2_000_000_002, 3_000_000_003])) as ArrayRef),
                (value, Arc::new(Float64Array::from(vec![Some(1.0), None, Some(f64::NAN)]))),
            ],
        )
    }

    #[test]
    fn sdk_frames_keep_names_labels_config_and_meta() {
        let mut ds = Dataset::default();
        assert!(try_decode(&mut ds, "up.arrow", &stream(&[sdk_series()])));
        assert_eq!(ds.sources[0].format, "arrow-ipc");
        assert_eq!(ds.series.len(), 1);
        assert_eq!(ds.strings.resolve(ds.series.name[0]), "up");
        assert_eq!(ds.label(ds.series.labels[0], "job"), Some("api"));
        let (t, v) = ds.series.points(0);
        assert_eq!(t, &[1_000_000_001, 3_000_000_003], "nanoseconds exact; the null is a missing sample");
        assert!(v[1].is_nan());
        let mut d = Diagnostics::default();
        let frames = read_frames("up.arrow", &file(&[sdk_series()]), &mut d);
        assert_eq!((frames.len(), d.total()), (1, 0));
        assert_eq!(
            (frames[0].name.as_deref(), frames[0].ref_id.as_deref(), frames[0].meta_str("type")),
            (Some("up"), Some("A"), Some("timeseries-multi"))
        );
        assert_eq!(frames[0].fields[1].config["displayNameFromDS"], "up{job=\"api\"}");
    }

    /// A Tempo-style trace frame with JSON columns as binary, written as an IPC file.
    #[test]
    fn trace_frames_read_from_ipc_files() {
        let s = |v: Vec<&str>| Arc::new(StringArray::from(v)) as ArrayRef;
        let f = |name: &str, t: DataType| ArrowField::new(name, t, true);
        let b = batch(
            &[("name", "Trace"), ("meta", r#"{"preferredVisualisationType":"trace"}"#)],
            vec![
                (f("traceID", DataType::Utf8), s(vec!["4bf92f3577b34da6a3ce929d0e0e4736", "4bf92f3577b34da6a3ce929d0e0e4736"])),
                (f("spanID", DataType::Utf8), s(vec!["00f067aa0ba902b7", "00f067aa0ba902b8"])),
                (f("parentSpanID", DataType::Utf8), s(vec!["0000000000000000", "00f067aa0ba902b7"])),
                (f("operationName", DataType::Utf8), s(vec!["GET /", "SELECT"])),
                (f("serviceName", DataType::Utf8), s(vec!["front", "db"])),
                (f("kind", DataType::Utf8), s(vec!["server", "client"])),
                (f("statusCode", DataType::Int64), Arc::new(Int64Array::from(vec![0, 2]))),
                (f("startTime", DataType::Float64), Arc::new(Float64Array::from(vec![1_616_072_924_070.497, 1_616_072_924_071.0]))),
                (f("duration", DataType::Float64), Arc::new(Float64Array::from(vec![8.421, 1.5]))),
                (
                    f("serviceTags", DataType::Binary),
                    Arc::new(BinaryArray::from(vec![&br#"[{"key":"k8s.pod.name","value":"front-1"}]"#[..], &b"[]"[..]])),
                ),
                (f("tags", DataType::Binary), Arc::new(BinaryArray::from(vec![&b"[]"[..], &[0xff, 0xfe][..]]))),
            ],
        );
        let mut ds = Dataset::default();
        assert!(try_decode(&mut ds, "trace.arrow", &file(&[b])));
        let s = &ds.spans;
        assert_eq!(s.len(), 2);
        assert_eq!((s.parent[0], s.kind[0], s.kind[1]), (None, SpanKind::Server, SpanKind::Client));
        assert_eq!((s.status[0], s.status[1]), (crate::model::SpanStatus::Unset, crate::model::SpanStatus::Error));
        assert_eq!((s.start_ns[0], s.duration_ns[0]), (1_616_072_924_070_497_000, 8_421_000));
        assert_eq!(ds.label(s.resource[0], "k8s.pod.name"), Some("front-1"));
        assert_eq!(ds.label(s.resource[1], "service.name"), Some("db"));
        let bad = &ds.diagnostics.entries()[0];
        assert_eq!(bad.to_string(), "trace.arrow, frame Trace, field tags, row 1: binary value is not UTF-8 JSON");
    }

    /// Two batches of dictionary-encoded log lines, as apache-arrow JS writes them.
    fn log_batches() -> Vec<RecordBatch> {
        let make = |times: Vec<i64>, lines: Vec<Option<&str>>, levels: Vec<&str>| {
            let mut dict = StringDictionaryBuilder::<Int32Type>::new();
            lines.iter().for_each(|l| dict.append_option(*l));
            batch(
                &[],
                vec![
                    (
                        ArrowField::new("time", DataType::Timestamp(TimeUnit::Millisecond, None), false),
                        Arc::new(TimestampMillisecondArray::from(times)) as ArrayRef,
                    ),
                    (
                        ArrowField::new("line", DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)), true),
                        Arc::new(dict.finish()),
                    ),
                    (ArrowField::new("level", DataType::Utf8, false), Arc::new(StringArray::from(levels))),
                ],
            )
        };
        vec![make(vec![1, 2], vec![Some("boom trace_id=abc"), None], vec!["error", "info"]), make(vec![3], vec![Some("ok")], vec!["WARN"])]
    }

    /// apache-arrow JS writes strings dictionary-encoded and times in ms; batches form one frame.
    #[test]
    fn dictionary_strings_and_batches_make_one_log_frame() {
        let bytes = stream(&log_batches());
        let mut ds = Dataset::default();
        assert!(try_decode(&mut ds, "logs.arrow", &bytes));
        assert_eq!(ds.logs.len(), 3);
        assert_eq!((ds.logs.body(0), ds.logs.body(1), ds.logs.body(2)), ("boom trace_id=abc", "", "ok"));
        assert_eq!(ds.logs.time_ns, [1_000_000, 2_000_000, 3_000_000]);
        assert_eq!(ds.logs.level, [Level::Error, Level::Info, Level::Warning]);
    }

    /// DuckDB's types: µs timestamps with a zone, large strings, decimals, u64 beyond i64.
    #[test]
    fn duckdb_style_tables_are_long_series() {
        let b = batch(
            &[],
            vec![
                (
                    ArrowField::new("ts", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), true),
                    Arc::new(TimestampMicrosecondArray::from(vec![1_000, 1_000, 2_000]).with_timezone("UTC")) as ArrayRef,
                ),
                (ArrowField::new("host", DataType::LargeUtf8, true), Arc::new(LargeStringArray::from(vec!["a", "b", "a"]))),
                (
                    ArrowField::new("p99", DataType::Decimal128(10, 2), true),
                    Arc::new(Decimal128Array::from(vec![1234, 50, 99]).with_precision_and_scale(10, 2).unwrap()),
                ),
                (ArrowField::new("big", DataType::UInt64, true), Arc::new(UInt64Array::from(vec![u64::MAX, 1, 2]))),
            ],
        );
        let mut ds = Dataset::default();
        assert!(try_decode(&mut ds, "duck.arrow", &stream(&[b])));
        assert_eq!(ds.series.len(), 4, "two value fields by two hosts");
        let find = |name: &str, host: &str| {
            (0..ds.series.len())
                .find(|&i| ds.strings.resolve(ds.series.name[i]) == name && ds.label(ds.series.labels[i], "host") == Some(host))
                .unwrap()
        };
        assert_eq!(ds.series.points(find("p99", "a")), (&[1_000_000, 2_000_000][..], &[12.34, 0.99][..]));
        assert_eq!(ds.series.points(find("big", "a")).1, &[u64::MAX as f64, 2.0]);
        assert_eq!(ds.diagnostics.total(), 0);
    }

    #[test]
    fn back_to_back_streams_are_separate_frames() {
        let mut bytes = stream(&[sdk_series()]);
        bytes.extend(stream(&[sdk_series()]));
        bytes.extend([0u8; 8]);
        let mut d = Diagnostics::default();
        assert_eq!(read_frames("two", &bytes, &mut d).len(), 2);
        assert_eq!(d.total(), 0);
    }

    #[test]
    fn not_arrow_is_refused_and_broken_arrow_is_an_error() {
        let mut ds = Dataset::default();
        assert!(!try_decode(&mut ds, "x", b"{\"frames\":[]}"));
        assert!(ds.sources.is_empty());
        assert!(try_decode(&mut ds, "x", b"ARROW1\0\0garbage"));
        assert!(try_decode(&mut ds, "y", &[0xff, 0xff, 0xff, 0xff, 0x10, 0, 0, 0, 1, 2]));
        assert_eq!(ds.diagnostics.count(Severity::Error), 2);
        // A stream cut short keeps what was read before the cut.
        let whole = stream(&[sdk_series(), sdk_series()]);
        let mut ds = Dataset::default();
        assert!(try_decode(&mut ds, "cut", &whole[..whole.len() - 40]));
        assert_eq!(ds.series.len(), 1);
        assert!(ds.series.points(0).0.len() >= 2);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn corrupted_ipc_never_panics(flips in proptest::collection::vec((0usize..4096, any::<u8>()), 1..8), cut in 0usize..4096, as_file in any::<bool>(), logs in any::<bool>()) {
            let mut batches = if logs { log_batches() } else { vec![sdk_series()] };
            // A file holds one dictionary per field: its second batch would replace it.
            batches.truncate(if as_file { 1 } else { 2 });
            let mut bytes = if as_file { file(&batches) } else { stream(&batches) };
            for (at, v) in flips {
                let n = bytes.len();
                bytes[at % n] = v;
            }
            bytes.truncate(cut.max(8));
            let mut ds = Dataset::default();
            let _ = try_decode(&mut ds, "fuzz", &bytes);
        }
    }
}
