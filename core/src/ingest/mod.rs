//! Decoders: bytes or frames in, rows in the `Dataset` out. Each format is detected by its
//! shape, never by file name; what cannot be read goes to the diagnostics with its place.

#[cfg(feature = "arrow")]
pub mod arrow;
pub mod frame;
pub mod frame_kinds;
pub mod frames_json;
pub mod gzip;
pub mod jaeger;
pub mod json_util;
pub mod loki;
pub mod otlp;
pub mod prometheus;
pub mod tempo;
pub mod text;

use serde_json::Value;

use crate::diag::{Place, Severity};
use crate::model::Dataset;
use frame::Frame;

/// One input of an analysis.
#[derive(Debug, Clone)]
pub enum Input {
    /// Bytes of a file or response in any format rootspan reads (JSON, JSON lines, Arrow
    /// IPC, plain-text logs; gzip-compressed or not).
    Bytes { name: String, bytes: Vec<u8> },
    /// Frames as a Grafana panel receives them.
    Frames { name: String, frames: Vec<Frame> },
}

impl Input {
    pub fn name(&self) -> &str {
        match self {
            Input::Bytes { name, .. } | Input::Frames { name, .. } => name,
        }
    }
}

pub use text::UntimedLines;

/// Decodes one input into the dataset. Never fails: problems are diagnostics. `untimed`: what
/// becomes of text log lines that cannot be placed in time.
pub fn ingest(ds: &mut Dataset, input: &Input, untimed: UntimedLines) {
    match input {
        Input::Bytes { name, bytes } => ingest_bytes(ds, name, bytes, untimed),
        Input::Frames { name, frames } => frame_kinds::ingest_frames(ds, name, frames_json::FORMAT, frames),
    }
}

/// Bytes: gunzip if gzip, then Arrow IPC, else one JSON document, else JSON lines, else
/// plain-text log lines. Formats are recognised by shape, never by file name.
fn ingest_bytes(ds: &mut Dataset, name: &str, bytes: &[u8], untimed: UntimedLines) {
    let inflated;
    let bytes = if gzip::is_gzip(bytes) {
        match gzip::gunzip(bytes, gzip::MAX_DECOMPRESSED) {
            Ok(b) => {
                inflated = b;
                &inflated[..]
            }
            Err(e) => {
                ds.diagnostics.error(Place::input(name), e.to_string());
                return;
            }
        }
    } else {
        bytes
    };
    #[cfg(feature = "arrow")]
    if arrow::try_decode(ds, name, bytes) {
        return;
    }
    #[cfg(not(feature = "arrow"))]
    if is_arrow_ipc(bytes) {
        ds.diagnostics.error(Place::input(name), "Arrow IPC input, but this build has no Arrow decoder (feature `arrow`)");
        return;
    }
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if text.trim().is_empty() {
        ds.diagnostics.error(Place::input(name), "empty input");
        return;
    }
    // Grafana's `.jsonc` goldens open with `//` comment lines.
    let json_text = frames_json::strip_comment_header(text).trim_start();
    let skipped = &text[..text.len() - json_text.len()];
    if json_text.starts_with(['{', '[']) {
        let whole = match serde_json::from_str::<Value>(json_text) {
            Ok(value) => return decode_document(ds, name, &value),
            Err(e) => e,
        };
        match json_lines(ds, name, json_text) {
            JsonLines::Read => return,
            // JSON log lines of an application: text logs, read below.
            JsonLines::NotDocuments => {}
            // Broken structure is never re-read as text: that would invent log lines at
            // time 0 and move the detected window to 1970.
            JsonLines::Broken => {
                ds.diagnostics.error(Place::input(name), broken_json(&whole, skipped));
                return;
            }
        }
    } else if let Ok(value) = serde_json::from_str::<Value>(json_text) {
        // A bare `null`, number, string or boolean: JSON, and no telemetry.
        return decode_document(ds, name, &value);
    }
    if !text::try_decode(ds, name, text, untimed) {
        ds.diagnostics.error(Place::input(name), "not JSON, JSON lines, Arrow IPC or text lines (binary data?)");
    }
}

fn decode_document(ds: &mut Dataset, name: &str, value: &Value) {
    if !decode_json(ds, name, value) {
        ds.diagnostics.error(Place::input(name), format!("no decoder recognises {}", json_util::shape(value)));
    }
}

/// Why a document that opens like JSON is refused, with where in the input (line and column
/// counted from the file's first byte after a BOM, `skipped` being what precedes the JSON).
fn broken_json(e: &serde_json::Error, skipped: &str) -> String {
    let line_offset = skipped.matches('\n').count();
    let column_offset = if e.line() == 1 { skipped.len() - skipped.rfind('\n').map_or(0, |i| i + 1) } else { 0 };
    let (line, column) = (e.line() + line_offset, e.column() + column_offset);
    let what = if e.to_string().starts_with("recursion limit exceeded") {
        format!("JSON nested deeper than {MAX_JSON_DEPTH} levels (the most rootspan reads; OTLP needs about 20)")
    } else {
        let message = e.to_string();
        // serde_json appends " at line L column C"; the place is said once, below.
        let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m).to_string();
        format!("broken JSON: {message}")
    };
    format!("{what} at line {line} column {column}; input refused (not read as text)")
}

/// serde_json's recursion limit: a document nested deeper is refused with an error saying so,
/// rather than parsed on a stack the wasm does not have.
pub const MAX_JSON_DEPTH: usize = 128;

/// An Arrow IPC file opens with `ARROW1`, a stream with the continuation marker of its first
/// message. Not behind the `arrow` feature, so a build without the decoder can say why it
/// cannot read them.
pub fn is_arrow_ipc(bytes: &[u8]) -> bool {
    bytes.starts_with(ARROW_FILE_MAGIC) || bytes.starts_with(ARROW_CONTINUATION)
}

pub(crate) const ARROW_FILE_MAGIC: &[u8] = b"ARROW1";
pub(crate) const ARROW_CONTINUATION: &[u8] = &[0xff, 0xff, 0xff, 0xff];

/// Tries each JSON decoder in a fixed order; true when one recognised the document. A
/// recognised document that yields no rows and no problems gets a warning saying so.
pub fn decode_json(ds: &mut Dataset, name: &str, value: &Value) -> bool {
    let before = Counts::of(ds);
    // Frames (`{frames:[...]}`, `{results:{A:{frames}}}`, arrays of frames) come first: they
    // are the panel's shape, and a frame array must not be mistaken for JSON lines of others.
    let recognised = frames_json::try_decode(ds, name, value)
        || otlp::try_decode(ds, name, value)
        || tempo::try_decode(ds, name, value)
        || jaeger::try_decode(ds, name, value)
        || loki::try_decode(ds, name, value)
        || prometheus::try_decode(ds, name, value);
    if recognised && Counts::of(ds) == before {
        let format = ds.sources.last().map_or("input", |s| s.format.as_str()).to_string();
        ds.diagnostics.warn(Place::input(name), format!("recognised {format}: nothing to analyse"));
    }
    recognised
}

/// How a text that opens like JSON but is not one document read as JSON lines.
enum JsonLines {
    /// Every line went to a decoder (bad later lines are skipped rows).
    Read,
    /// The first line is a JSON value no decoder reads: application log lines.
    NotDocuments,
    /// The first line is not JSON at all.
    Broken,
}

/// Every non-empty line a JSON document (the collector's file exporter writes one OTLP
/// export per line). `NotDocuments` when the first line is JSON that no decoder reads: JSON
/// log lines of an application (`{"level":"info","msg":...}`) are then read as text logs.
fn json_lines(ds: &mut Dataset, name: &str, text: &str) -> JsonLines {
    let mut otlp = otlp::Decoder::new(name, "otlp-jsonl");
    let mut first = true;
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let value = match serde_json::from_str::<Value>(line) {
            Ok(v) => v,
            Err(_) if first => return JsonLines::Broken,
            Err(e) => {
                ds.diagnostics.skip(Place::input(name).row(i), format!("line {} is not JSON: {e}", i + 1));
                continue;
            }
        };
        if otlp::is_otlp(&value) {
            otlp.document(ds, &value, &format!("line {}: ", i + 1));
        } else if !decode_json(ds, &format!("{name} line {}", i + 1), &value) {
            if first {
                return JsonLines::NotDocuments;
            }
            ds.diagnostics.skip(Place::input(name).row(i), format!("no decoder recognises {}", json_util::shape(&value)));
        }
        first = false;
    }
    otlp.finish(ds);
    JsonLines::Read
}

/// Row and problem counts, to tell a recognised-but-empty input from one that gave data.
#[derive(PartialEq, Eq)]
struct Counts([usize; 4], u64);

impl Counts {
    fn of(ds: &Dataset) -> Counts {
        let problems = ds.diagnostics.count(Severity::Error) + ds.diagnostics.count(Severity::Skipped);
        Counts([ds.spans.len(), ds.logs.len(), ds.series.len(), ds.exemplars.len()], problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn run(bytes: &[u8]) -> Dataset {
        let mut ds = Dataset::default();
        ingest(&mut ds, &Input::Bytes { name: "in".into(), bytes: bytes.to_vec() }, UntimedLines::LeaveOut);
        ds
    }

    fn reasons(ds: &Dataset) -> Vec<String> {
        ds.diagnostics.entries().iter().map(|d| d.reason.clone()).collect()
    }

    #[test]
    fn gzip_json_and_comments_are_unwrapped() {
        let doc = br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up"},"value":[1,"1"]}]}}"#;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b"// a jsonc header\n// more\n").unwrap();
        e.write_all(doc).unwrap();
        let ds = run(&e.finish().unwrap());
        assert_eq!(ds.series.len(), 1, "{:?}", reasons(&ds));
        assert!(ds.diagnostics.entries().is_empty());
    }

    #[test]
    fn unknown_empty_broken_and_arrow_inputs_are_errors() {
        let ds = run(br#"{"hello":"world"}"#);
        assert_eq!(reasons(&ds), ["no decoder recognises a JSON object with keys [hello]"]);
        assert_eq!(ds.diagnostics.count(Severity::Error), 1);
        assert_eq!(reasons(&run(b" \n")), ["empty input"]);
        assert!(reasons(&run(&[0x1f, 0x8b, 8, 0, 1, 2])).iter().all(|r| r.starts_with("gzip")));
        // With or without the Arrow decoder, a truncated Arrow file is one error.
        assert_eq!(run(b"ARROW1\0\0").diagnostics.count(Severity::Error), 1);
        assert_eq!(run(b"\0\x01\x02\x03 binary").diagnostics.count(Severity::Error), 1);
    }

    #[test]
    fn recognised_but_empty_is_a_warning() {
        let ds = run(br#"{"status":"success","data":["__name__","job"]}"#);
        assert_eq!(reasons(&ds), ["recognised prometheus-labels: nothing to analyse"]);
        assert_eq!(ds.diagnostics.count(Severity::Warning), 1);
    }

    #[test]
    fn json_lines_merge_otlp_series_and_fall_back_per_line() {
        let line = |t: u64| {
            format!(
                r#"{{"resourceMetrics":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"a"}}}}]}},"scopeMetrics":[{{"metrics":[{{"name":"m","gauge":{{"dataPoints":[{{"timeUnixNano":"{t}","asInt":"3"}}]}}}}]}}]}}]}}"#
            )
        };
        let text = format!("{}\n\n{}\nnot json\n{{\"status\":\"success\",\"data\":[\"a\"]}}\n", line(2), line(1));
        let ds = run(text.as_bytes());
        assert_eq!(ds.series.len(), 1, "{:?}", reasons(&ds));
        assert_eq!(ds.series.points(0).0, &[1, 2]);
        assert_eq!(ds.label(ds.series.labels[0], "service.name"), Some("a"));
        assert_eq!(ds.diagnostics.count(Severity::Skipped), 1);
        assert_eq!(ds.diagnostics.count(Severity::Warning), 1);
    }

    #[test]
    fn broken_json_is_an_error_never_text() {
        let cases: [(&[u8], &str); 7] = [
            (b"{\"resourceSpans\":[{\"scopeSpans\":[", "broken JSON: EOF while parsing a list at line 1 column 33"),
            (b"\xef\xbb\xbf \n\n  [1, 2,, 3]", "broken JSON: expected value at line 3 column 9"),
            (b"// header\n{\"a\": \"\\ud800\"}", "at line 2 column"),
            (b"{\"a\": 1e400}", "broken JSON: number out of range at line 1 column"),
            (b"{\n  \"a\": [1,\n", "broken JSON: EOF while parsing a value at line 3 column 0"),
            (b"null", "no decoder recognises a JSON null"),
            (b"  12", "no decoder recognises a JSON number"),
        ];
        for (bytes, words) in cases {
            let ds = run(bytes);
            assert_eq!(ds.logs.len() + ds.spans.len(), 0, "{words}");
            assert_eq!(ds.diagnostics.count(Severity::Error), 1, "{words}");
            assert!(reasons(&ds)[0].contains(words), "{:?} lacks {words:?}", reasons(&ds));
        }
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let ds = run(deep.as_bytes());
        assert!(reasons(&ds)[0].starts_with("JSON nested deeper than 128 levels"), "{:?}", reasons(&ds));
    }

    #[test]
    fn text_is_the_fallback() {
        let ds = run(b"2023-01-29T08:43:00Z ERROR a\n{not json either\n");
        assert_eq!(ds.logs.len(), 2);
        // Text with a little mis-encoded UTF-8 is text; mostly invalid UTF-8 is not.
        assert_eq!(run(b"2023-01-29T08:43:00Z caf\xe9 ERROR a\n2023-01-29T08:43:01Z line two\n").logs.len(), 2);
        assert_eq!(run(&[0xfe; 300]).diagnostics.count(Severity::Error), 1);
        assert_eq!(ds.sources[0].format, "text-lines");
        // JSON log lines of an application are logs, not unrecognised documents.
        let ds = run(b"{\"ts\":1674981780,\"level\":\"error\",\"msg\":\"boom\"}\n{\"level\":\"info\",\"msg\":\"ok\"}\n");
        assert_eq!(ds.logs.len(), 2);
        assert_eq!(ds.logs.level[0], crate::model::Level::Error);
        assert_eq!(ds.logs.body(1), r#"{"level":"info","msg":"ok"}"#);
    }
}
