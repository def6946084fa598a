#![no_main]
//! The analysis stages (correlate, repair, window, patterns, rank, report) on decoded data:
//! fuzz bytes become a span frame and a log frame directly (no parser in the way), with few
//! distinct ids, services and times, so duplicates, cycles, orphans, skew, deep chains and
//! ties are common. An odd first byte gives a window (and, with bit 1, a baseline) from the
//! next bytes: the given-window paths of every stage, and half the runs skip detection.

use rootspan_core::ingest::frame::{Column, Field, FieldType, Frame, StrColumn};
use rootspan_core::{analyze, Input, Options, TimeRange};

fn strings(values: impl Iterator<Item = String>) -> Column {
    let mut c = StrColumn::default();
    for v in values {
        c.push(Some(&v));
    }
    Column::String(c)
}

fn field(name: &str, field_type: FieldType, values: Column) -> Field {
    Field { name: name.into(), field_type, labels: Default::default(), config: serde_json::json!({}), values }
}

const T0: i64 = 1_700_000_000_000_000_000;

/// A window (and maybe a baseline) from the first bytes when the first is odd, in the range
/// the data covers (T0 + 0..255 s) or just outside it; the rest of the bytes are the data.
fn windows(data: &[u8]) -> (Option<TimeRange>, Option<TimeRange>, &[u8]) {
    let Some((&[flags, a, b, c, d], rest)) = data.split_first_chunk::<5>() else { return (None, None, data) };
    if flags & 1 == 0 {
        return (None, None, data);
    }
    let at = |x: u8| T0 + (i64::from(x) - 16) * 1_000_000_000;
    let range = |x: u8, y: u8| TimeRange::new(at(x.min(y)), at(x.max(y)) + 1).ok();
    let baseline = if flags & 2 != 0 { range(c, d) } else { None };
    (range(a, b), baseline, rest)
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (window, baseline, data) = windows(data);
    // 6 bytes per span: trace, span, parent, service+kind, start, duration+status.
    let spans: Vec<&[u8]> = data.chunks_exact(6).take(2000).collect();
    let trace = |b: u8| format!("{:032x}", u128::from(b % 4) + 1);
    let span = |b: u8| format!("{:016x}", u64::from(b % 32) + 1);
    let span_frame = Frame {
        name: Some("spans".into()),
        ref_id: None,
        meta: serde_json::json!({"preferredVisualisationType": "trace"}),
        fields: vec![
            field("traceID", FieldType::String, strings(spans.iter().map(|s| trace(s[0])))),
            field("spanID", FieldType::String, strings(spans.iter().map(|s| span(s[1])))),
            field("parentSpanID", FieldType::String, strings(spans.iter().map(|s| if s[2] % 5 == 0 { String::new() } else { span(s[2]) }))),
            field("serviceName", FieldType::String, strings(spans.iter().map(|s| format!("svc{}", s[3] % 5)))),
            field("operationName", FieldType::String, strings(spans.iter().map(|s| format!("op{}", s[3] / 64)))),
            field("kind", FieldType::String, strings(spans.iter().map(|s| ["server", "client", "internal", "producer", "consumer"][usize::from(s[3] / 5 % 5)].to_string()))),
            field("startTime", FieldType::Time, Column::Time(spans.iter().map(|s| Some(T0 + i64::from(s[4]) * 1_000_000_000)).collect())),
            field("duration", FieldType::Number, Column::Number(spans.iter().map(|s| Some(f64::from(s[5] & 0x7f))).collect())),
            field("statusCode", FieldType::Number, Column::Number(spans.iter().map(|s| Some(f64::from(s[5] >> 7) * 2.0)).collect())),
        ],
    };
    // The bytes again as log lines: time, trace, level word and a body from the data.
    let logs: Vec<&[u8]> = data.chunks(8).take(2000).collect();
    let log_frame = Frame {
        name: Some("logs".into()),
        ref_id: None,
        meta: serde_json::json!({"type": "log-lines"}),
        fields: vec![
            field("timestamp", FieldType::Time, Column::Time(logs.iter().map(|l| Some(T0 + i64::from(l[0]) * 1_000_000_000)).collect())),
            field(
                "body",
                FieldType::String,
                strings(logs.iter().map(|l| {
                    let level = ["ERROR", "INFO", "WARN", "debug"][usize::from(l.get(1).copied().unwrap_or(0) % 4)];
                    format!("{level} trace_id={} {}", trace(l.get(2).copied().unwrap_or(0)), String::from_utf8_lossy(&l[l.len().min(3)..]))
                })),
            ),
        ],
    };
    let inputs = [Input::Frames { name: "spans".into(), frames: vec![span_frame] }, Input::Frames { name: "logs".into(), frames: vec![log_frame] }];
    let report = analyze(&inputs, &Options { window, baseline, ..Options::default() });
    let _ = report.to_json();
});
