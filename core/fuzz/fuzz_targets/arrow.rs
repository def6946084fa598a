#![no_main]
//! The Arrow IPC decoder. Random bytes almost never get past the IPC framing, so most inputs
//! are mutations of valid streams and files built here (an SDK-style series frame with
//! metadata, dictionary-encoded log batches): byte 0 picks raw or mutated, the rest are raw
//! bytes or (position, value) overwrites plus a cut.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use arrow_array::builder::StringDictionaryBuilder;
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, TimestampMillisecondArray, TimestampNanosecondArray};
use arrow_ipc::writer::{FileWriter, StreamWriter};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use rootspan_core::ingest::arrow;
use rootspan_core::model::Dataset;

fn md(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn batch(schema_md: &[(&str, &str)], columns: Vec<(Field, ArrayRef)>) -> RecordBatch {
    let (fields, arrays): (Vec<Field>, Vec<ArrayRef>) = columns.into_iter().unzip();
    RecordBatch::try_new(Arc::new(Schema::new(fields).with_metadata(md(schema_md))), arrays).unwrap()
}

fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let time = Field::new("Time", DataType::Timestamp(TimeUnit::Nanosecond, None), false).with_metadata(md(&[("name", "Time")]));
        let value = Field::new("Value", DataType::Float64, true).with_metadata(md(&[
            ("name", "Value"),
            ("labels", r#"{"__name__":"up","job":"api"}"#),
            ("config", r#"{"unit":"s"}"#),
        ]));
        let series = batch(
            &[("name", "up"), ("refId", "A"), ("meta", r#"{"type":"timeseries-multi","typeVersion":[0,1]}"#)],
            vec![
                (time, Arc::new(TimestampNanosecondArray::from(vec![1_000_000_001, 2_000_000_002])) as ArrayRef),
                (value, Arc::new(Float64Array::from(vec![Some(1.0), None]))),
            ],
        );
        let logs = |times: Vec<i64>, lines: Vec<Option<&str>>| {
            let mut dict = StringDictionaryBuilder::<Int32Type>::new();
            lines.iter().for_each(|l| dict.append_option(*l));
            let n = times.len();
            batch(
                &[],
                vec![
                    (
                        Field::new("time", DataType::Timestamp(TimeUnit::Millisecond, None), false),
                        Arc::new(TimestampMillisecondArray::from(times)) as ArrayRef,
                    ),
                    (
                        Field::new("line", DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)), true),
                        Arc::new(dict.finish()),
                    ),
                    (Field::new("level", DataType::Utf8, false), Arc::new(StringArray::from(vec!["error"; n]))),
                ],
            )
        };
        let log_batches = [logs(vec![1, 2], vec![Some("boom trace_id=abc"), None]), logs(vec![3], vec![Some("ok")])];
        let stream = |batches: &[RecordBatch]| {
            let mut w = StreamWriter::try_new(Vec::new(), &batches[0].schema()).unwrap();
            batches.iter().for_each(|b| w.write(b).unwrap());
            w.into_inner().unwrap()
        };
        let file = |b: &RecordBatch| {
            let mut w = FileWriter::try_new(Vec::new(), &b.schema()).unwrap();
            w.write(b).unwrap();
            w.into_inner().unwrap()
        };
        vec![stream(std::slice::from_ref(&series)), file(&series), stream(&log_batches), file(&log_batches[0])]
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let bytes = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        let seeds = seeds();
        let mut bytes = seeds[(mode as usize >> 1) % seeds.len()].clone();
        let (cut, flips) = rest.split_at(rest.len().min(2));
        for pair in flips.chunks_exact(3) {
            let at = usize::from(u16::from_le_bytes([pair[0], pair[1]])) % bytes.len();
            bytes[at] = pair[2];
        }
        if let [a, b] = cut {
            bytes.truncate(usize::from(u16::from_le_bytes([*a, *b])).max(8));
        }
        bytes
    };
    let mut ds = Dataset::default();
    let _ = arrow::try_decode(&mut ds, "fuzz", &bytes);
    common::check(&ds);
});
