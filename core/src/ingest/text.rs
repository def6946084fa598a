//! Plain-text logs, one record per line: the fallback when bytes are neither JSON nor Arrow.
//! A leading RFC 3339 / ISO 8601 timestamp becomes the record time. Multi-line records fold:
//! once a record starts with a timestamp, a following line without one (a Java exception
//! line, its `\tat ...` frames, `Caused by:`, `... N more`) continues that record rather than
//! starting its own, as log shippers' multiline rules do. A record without a timestamp that
//! folding leaves on its own (after a blank line, a JSON line without a time) takes the time
//! of the last timestamped record before it in its input. One with no timestamped record
//! before it cannot be placed in time: an analysis leaves it out (noted with its input and
//! line, rows being line indexes from 0), the patterns command mines it without a time
//! (`UntimedLines`). The level is the first level word in the line (`Level::in_text`, applied
//! by `LogTable::push`), the way Grafana's logs panel finds it. A line that is a JSON object
//! (structured application logs) gives its time and level from its `time`/`level` fields.

use crate::diag::Place;
use crate::model::{Dataset, LabelSetId, Level, LogRow};

/// What becomes of a text line that has no timestamp and no timestamped line before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UntimedLines {
    /// Left out, each with a diagnostic naming its input and line: an analysis places every
    /// record in time, and time 0 would put the line in 1970 and drag the window there.
    #[default]
    LeaveOut,
    /// Kept at time 0, which the pattern statistics read as "no time": a template needs no
    /// time, so the patterns command mines logs that carry none (Loghub's, syslog's).
    Mine,
}

/// The reason noted for each line `UntimedLines::LeaveOut` leaves out (one reason, so the
/// report counts them).
pub const LEFT_OUT: &str = "text line left out: no timestamp on it or on a line before it";

/// Decodes `text` as log lines. Refuses (returns false) text that does not look like text:
/// NUL bytes or many control characters mean a binary file read by mistake.
pub fn try_decode(ds: &mut Dataset, input: &str, text: &str, untimed: UntimedLines) -> bool {
    if !looks_like_text(text) {
        return false;
    }
    let source = ds.add_source(input, "text-lines");
    let (mut last_time, mut from_context, mut mined_untimed) = (None, 0usize, 0usize);
    let mut lines = LineIndex::new(text);
    for line in records(text) {
        let (time, level) = match json_fields(line) {
            // No level field: the record is at its line's level (`LogTable::push`).
            Some((time, level)) => (time, level.unwrap_or_default()),
            None => (leading_timestamp(line), Level::Unknown),
        };
        from_context += usize::from(time.is_none() && last_time.is_some());
        last_time = time.or(last_time);
        let time_ns = match (last_time, untimed) {
            (Some(t), _) => t,
            (None, UntimedLines::Mine) => {
                mined_untimed += 1;
                0
            }
            (None, UntimedLines::LeaveOut) => {
                ds.diagnostics.skip(Place::input(input).row(lines.of(line)), LEFT_OUT);
                continue;
            }
        };
        ds.logs.push(LogRow {
            time_ns,
            resource: LabelSetId(0),
            metadata: LabelSetId(0),
            level,
            trace: None,
            span: None,
            body: line,
            source,
        });
    }
    if from_context > 0 {
        ds.diagnostics.warn(Place::input(input), format!("{from_context} lines without a timestamp took the time of the line before"));
    }
    if mined_untimed > 0 {
        ds.diagnostics.warn(Place::input(input), format!("{mined_untimed} lines without a timestamp: mined, with no time"));
    }
    true
}

/// The records of `text`: its non-blank lines, each with the untimestamped lines that follow
/// a timestamped one folded in (a record's text keeps its inner newlines).
fn records(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || loop {
        if rest.is_empty() {
            return None;
        }
        let line_end = |s: &str| s.find('\n').map_or(s.len(), |n| n + 1);
        let first = line_end(rest);
        let line = rest[..first].trim_end();
        if line.trim().is_empty() {
            rest = &rest[first..];
            continue;
        }
        let mut end = first;
        if !line.trim_start().starts_with('{') && leading_timestamp(line).is_some() {
            while end < rest.len() {
                let next_len = line_end(&rest[end..]);
                let next = &rest[end..end + next_len];
                if next.trim().is_empty() || leading_timestamp(next).is_some() || next.trim_start().starts_with('{') {
                    break;
                }
                end += next_len;
            }
        }
        let record = rest[..end].trim_end();
        rest = &rest[end..];
        return Some(record);
    })
}

/// The line index (from 0) of lines of one text, asked for in order: counts the newlines
/// between the last line asked for and the next, so a whole text costs one pass.
struct LineIndex<'a> {
    text: &'a str,
    offset: usize,
    index: usize,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> LineIndex<'a> {
        LineIndex { text, offset: 0, index: 0 }
    }

    /// The index of `line`, a slice of the text at or after the last one asked for.
    fn of(&mut self, line: &str) -> usize {
        let start = (line.as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize).min(self.text.len());
        if start >= self.offset {
            self.index += self.text.as_bytes()[self.offset..start].iter().filter(|b| **b == b'\n').count();
            self.offset = start;
        }
        self.index
    }
}

/// Time and level of a JSON log line (`{"time":"2023-...","level":"info",...}`); `None` when
/// the line is not a JSON object.
fn json_fields(line: &str) -> Option<(Option<i64>, Option<Level>)> {
    if !line.trim_start().starts_with('{') {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    let obj = value.as_object()?;
    let time = ["time", "timestamp", "ts", "@timestamp", "t"].iter().find_map(|k| match obj.get(*k)? {
        serde_json::Value::String(s) => leading_timestamp(s),
        serde_json::Value::Number(n) => epoch_number(n.as_f64()?),
        _ => None,
    });
    let level = ["level", "severity", "lvl", "loglevel", "log.level"]
        .iter()
        .find_map(|k| obj.get(*k)?.as_str())
        .map(Level::from_text)
        .filter(|l| *l != Level::Unknown);
    Some((time, level))
}

/// An epoch number in s, ms, µs or ns, told apart by magnitude (any of them for dates after 1973).
fn epoch_number(x: f64) -> Option<i64> {
    let ns = match x.abs() {
        a if a < 1e11 => x * 1e9,
        a if a < 1e14 => x * 1e6,
        a if a < 1e17 => x * 1e3,
        _ => x,
    };
    (ns.is_finite() && ns.abs() < 9.2e18).then(|| ns.round() as i64)
}

/// Text lines, not a binary file: no NUL, at most 1% control characters and at most one
/// invalid UTF-8 sequence (which arrives here as U+FFFD) per 10 bytes in the first 64 KiB.
fn looks_like_text(text: &str) -> bool {
    let mut end = text.len().min(64 * 1024);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let sample = &text[..end];
    let control = sample.bytes().filter(|b| b.is_ascii_control() && !matches!(b, b'\n' | b'\r' | b'\t' | 0x1b)).count();
    let replaced = sample.matches('\u{fffd}').count();
    !sample.contains('\0') && control * 100 <= sample.len() && replaced * 10 <= sample.len()
}

/// `2023-01-29T08:43:00Z`, `2023-01-29 08:43:00,123`, `[2023-01-29T16:43:00.5+08:00]`, ...
/// at the start of a line, as ns. No zone means UTC.
pub fn leading_timestamp(line: &str) -> Option<i64> {
    let s = line.trim_start().strip_prefix('[').unwrap_or(line.trim_start()).as_bytes();
    let digits = |r: std::ops::Range<usize>| s.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let shape_ok = digits(0..4)
        && s.get(4) == Some(&b'-')
        && digits(5..7)
        && s.get(7) == Some(&b'-')
        && digits(8..10)
        && matches!(s.get(10), Some(b'T' | b't' | b' '))
        && digits(11..13)
        && s.get(13) == Some(&b':')
        && digits(14..16)
        && s.get(16) == Some(&b':')
        && digits(17..19);
    if !shape_ok {
        return None;
    }
    let mut normal = String::with_capacity(40);
    normal.push_str(std::str::from_utf8(&s[..10]).ok()?);
    normal.push('T');
    normal.push_str(std::str::from_utf8(&s[11..19]).ok()?);
    let mut i = 19;
    if matches!(s.get(i), Some(b'.' | b',')) && s.get(i + 1).is_some_and(u8::is_ascii_digit) {
        normal.push('.');
        i += 1;
        while let Some(d) = s.get(i).filter(|d| d.is_ascii_digit()) {
            normal.push(*d as char);
            i += 1;
        }
    }
    match s.get(i) {
        Some(b'Z' | b'z') => normal.push('Z'),
        Some(sign @ (b'+' | b'-')) if digits(i + 1..i + 3) => {
            let minutes = if s.get(i + 3) == Some(&b':') { i + 4 } else { i + 3 };
            if !digits(minutes..minutes + 2) {
                return None;
            }
            normal.push(*sign as char);
            normal.push_str(std::str::from_utf8(&s[i + 1..i + 3]).ok()?);
            normal.push(':');
            normal.push_str(std::str::from_utf8(&s[minutes..minutes + 2]).ok()?);
        }
        _ => normal.push('Z'),
    }
    crate::time::parse_timestamp(&normal).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_timestamps() {
        let t = 1_674_981_780_000_000_000;
        assert_eq!(leading_timestamp("2023-01-29T08:43:00Z GET /"), Some(t));
        assert_eq!(leading_timestamp("2023-01-29 08:43:00,250 INFO x"), Some(t + 250_000_000));
        assert_eq!(leading_timestamp("[2023-01-29T16:43:00.5+08:00] x"), Some(t + 500_000_000));
        assert_eq!(leading_timestamp("2023-01-29T16:43:00+0800 x"), Some(t));
        assert_eq!(leading_timestamp("2023-01-29T08:43:00"), Some(t));
        assert_eq!(leading_timestamp("081109 203615 148 INFO dfs.DataNode"), None);
        assert_eq!(leading_timestamp("2023-01-29T08:43"), None);
        assert_eq!(leading_timestamp("2023-13-29T08:43:00Z"), None);
        assert_eq!(leading_timestamp("2023-01-29T08:43:00+08"), None);
    }

    #[test]
    fn json_log_lines_give_time_and_level() {
        let t = 1_674_981_780_000_000_000;
        assert_eq!(json_fields(r#"{"time":"2023-01-29T08:43:00Z","level":"warn","msg":"x"}"#), Some((Some(t), Some(Level::Warning))));
        assert_eq!(json_fields(r#"{"ts":1674981780.5,"msg":"error here"}"#), Some((Some(t + 500_000_000), None)));
        assert_eq!(json_fields(r#"{"timestamp":1674981780000}"#), Some((Some(t), None)));
        assert_eq!(json_fields(r#"{"t":"yesterday","severity":"ERROR"}"#), Some((None, Some(Level::Error))));
        assert_eq!(json_fields("{broken"), None);
        assert_eq!(json_fields("plain"), None);
    }

    #[test]
    fn lines_become_records() {
        let mut ds = Dataset::default();
        assert!(try_decode(&mut ds, "app.log", "2023-01-29T08:43:00Z ERROR boom\r\n\nplain info line\n", UntimedLines::LeaveOut));
        assert_eq!(ds.logs.len(), 2);
        assert_eq!(ds.logs.body(0), "2023-01-29T08:43:00Z ERROR boom");
        assert_eq!(ds.logs.level[0], Level::Error);
        // The untimed line continues the one before: its time, its own level.
        assert_eq!((ds.logs.time_ns[1], ds.logs.level[1]), (ds.logs.time_ns[0], Level::Info));
        assert_eq!(ds.diagnostics.count(crate::diag::Severity::Warning), 1);
        assert!(!try_decode(&mut Dataset::default(), "bin", "\0\u{1}\u{2}garbage", UntimedLines::LeaveOut));
    }

    #[test]
    fn lines_that_cannot_be_placed_in_time_are_left_out_of_an_analysis_and_mined_by_patterns() {
        let t = 1_674_981_780_000_000_000;
        // The stack frame folds into the timed record; the JSON line after it stands alone.
        let text =
            "header one\n\n{\"msg\":\"no time\"}\n2023-01-29T08:43:00Z ERROR boom\n\tat a.b(C.java:1)\n{\"msg\":\"json, no time\"}\n";
        let mut ds = Dataset::default();
        assert!(try_decode(&mut ds, "app.log", text, UntimedLines::LeaveOut));
        assert_eq!(ds.logs.time_ns, [t, t]);
        assert_eq!(ds.logs.body(0), "2023-01-29T08:43:00Z ERROR boom\n\tat a.b(C.java:1)");
        let left_out: Vec<String> = ds.diagnostics.entries().iter().filter(|d| d.reason == LEFT_OUT).map(|d| d.place.to_string()).collect();
        // Lines 1 and 3 of the file: rows 0 and 2.
        assert_eq!(left_out, ["app.log, row 0", "app.log, row 2"]);
        assert_eq!(ds.diagnostics.count(crate::diag::Severity::Skipped), 2);

        let mut ds = Dataset::default();
        assert!(try_decode(&mut ds, "app.log", text, UntimedLines::Mine));
        assert_eq!(ds.logs.time_ns, [0, 0, t, t]);
        assert_eq!(ds.diagnostics.count(crate::diag::Severity::Skipped), 0);
    }

    #[test]
    fn a_log_without_any_timestamp_is_left_out_line_by_line() {
        let mut ds = Dataset::default();
        assert!(try_decode(&mut ds, "syslog", "Jan 29 08:43:00 host a\r\nJan 29 08:43:01 host b\r\n", UntimedLines::LeaveOut));
        assert_eq!(ds.logs.len(), 0);
        let places: Vec<String> = ds.diagnostics.entries().iter().map(|d| d.to_string()).collect();
        assert_eq!(places, [format!("syslog, row 0: {LEFT_OUT}"), format!("syslog, row 1: {LEFT_OUT}")]);
    }

    #[test]
    fn continuation_lines_fold_into_their_record() {
        let text = "first line\n2024-01-02 03:04:05.123 ERROR failed\njava.lang.X: boom\r\n\tat a.b(C.java:1)\n\n2024-01-02T03:04:06Z INFO ok\nuntimed\n";
        let got: Vec<&str> = records(text).collect();
        assert_eq!(
            got,
            [
                "first line",
                "2024-01-02 03:04:05.123 ERROR failed\njava.lang.X: boom\r\n\tat a.b(C.java:1)",
                "2024-01-02T03:04:06Z INFO ok\nuntimed"
            ]
        );
    }

    #[test]
    fn the_java_corpus_folds_into_its_records() {
        // testdata/logstyles/JavaStack: 2,000 records, many of them errors with stack traces.
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/logstyles/JavaStack/JavaStack_2k.log.gz");
        let bytes = std::fs::read(path).expect("corpus file");
        let raw = String::from_utf8(crate::ingest::gzip::gunzip(&bytes, 1 << 30).expect("gzip")).expect("UTF-8");
        let got: Vec<&str> = records(&raw).collect();
        assert_eq!(got.len(), 2000);
        // Each record opens with its timestamp and holds no other line that does.
        assert!(got.iter().all(|r| r.lines().enumerate().all(|(i, l)| (i == 0) == leading_timestamp(l).is_some())));
        assert!(got.iter().filter(|r| r.contains("\n\tat ")).count() > 100);
    }
}
