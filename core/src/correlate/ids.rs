//! Finding trace and span ids where a source did not give them as first-class fields: in
//! label sets (structured metadata, stream labels, exemplar labels) by key, and in log
//! bodies by a scan for configured keys.
//!
//! The body scan is a plain byte scanner, not a regex: a key is matched ASCII
//! case-insensitively at a word start, then an optional separator (`=`, `:`, `=>`, quotes,
//! backslashes and spaces, as in `trace_id=x`, `TraceID: x`, `"traceId":"x"`,
//! `trace_id=\"x\"`), then an id token that `TraceId::parse` / `SpanId::parse` must accept.
//! A W3C `traceparent` value (`00-<32 hex>-<16 hex>-<2 hex>`) is recognised anywhere it
//! stands as a word of its own. A word is a run of letters, digits, `_`, `.` and `-`.

use crate::id::{IdError, SpanId, TraceId};
use crate::model::{Dataset, LabelSetId, Sym};

/// The longest token tried as an id: a traceparent (55), a 128-bit decimal (39), a UUID (36).
const MAX_TOKEN: usize = 64;

/// Ids found in one body.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BodyIds {
    pub trace: Option<TraceId>,
    pub span: Option<SpanId>,
}

/// The configured body patterns: keys lower-cased, each marked trace (true) or span key,
/// with a table of their first bytes so most positions are rejected with one lookup.
#[derive(Debug, Clone)]
pub struct BodyScanner {
    keys: Vec<(Vec<u8>, bool)>,
    /// For each byte, the range of `keys` (sorted by first byte) starting with it.
    first: [(u8, u8); 256],
    traceparent: bool,
}

impl BodyScanner {
    pub fn new<S: AsRef<str>>(trace_keys: &[S], span_keys: &[S], traceparent: bool) -> BodyScanner {
        let mut keys: Vec<(Vec<u8>, bool)> = Vec::new();
        for (list, is_trace) in [(trace_keys, true), (span_keys, false)] {
            // Keys are matched at word starts, so they start at their first word byte.
            let word =
                |k: &S| k.as_ref().trim_start_matches(|c: char| !c.is_ascii() || !is_word_byte(c as u8)).as_bytes().to_ascii_lowercase();
            keys.extend(list.iter().map(|k| (word(k), is_trace)).filter(|(k, _)| !k.is_empty()));
        }
        // More than 255 keys would overflow the ranges; no configuration needs that many.
        keys.truncate(255);
        keys.sort_by_key(|(k, _)| k[0]);
        let mut first = [(0u8, 0u8); 256];
        for (i, (k, _)) in keys.iter().enumerate() {
            let range = &mut first[k[0] as usize];
            if range.0 == range.1 {
                *range = (i as u8, i as u8);
            }
            range.1 = i as u8 + 1;
        }
        BodyScanner { keys, first, traceparent }
    }

    /// Looks for the ids still missing (`want_trace`, `want_span`) in `body`, in one pass
    /// over its words: the first key followed by a valid id wins; a traceparent fills in what
    /// keys did not find.
    pub fn scan(&self, body: &str, want_trace: bool, want_span: bool) -> BodyIds {
        let text = body.as_bytes();
        let mut ids = BodyIds::default();
        let (mut need_trace, mut need_span) = (want_trace, want_span);
        let mut traceparent = None;
        let mut i = 0;
        while (need_trace || need_span) && i < text.len() {
            if !is_word_byte(text[i]) {
                i += 1;
                continue;
            }
            // `i` starts a word: only here may a key or a traceparent begin.
            let (from, to) = self.first[text[i].to_ascii_lowercase() as usize];
            for (key, is_trace) in &self.keys[from as usize..to as usize] {
                if !(if *is_trace { need_trace } else { need_span }) || !starts_with_ignore_case(&text[i..], key) {
                    continue;
                }
                let Some(token) = value_after_key(text, i + key.len()).map(|r| &body[r]) else { continue };
                if *is_trace {
                    if let Ok(t) = TraceId::parse(token) {
                        ids.trace = Some(t);
                        need_trace = false;
                        break;
                    }
                } else if let Ok(s) = SpanId::parse(token) {
                    ids.span = Some(s);
                    need_span = false;
                    break;
                }
            }
            if self.traceparent && traceparent.is_none() && text.get(i + 2) == Some(&b'-') {
                traceparent = traceparent_at(text, i);
            }
            while i < text.len() && is_word_byte(text[i]) {
                i += 1;
            }
        }
        if let Some((trace, span)) = traceparent {
            if need_trace {
                ids.trace = Some(trace);
            }
            if need_span {
                ids.span = Some(span);
            }
        }
        ids
    }
}

/// Byte classes as tables: the scanner looks at every byte of every body.
const fn class(extra: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        t[extra[i] as usize] = true;
        i += 1;
    }
    t
}

/// Letters, digits and the joiners of compound keys: a key must not start right after one,
/// so `span_id` does not match inside `parent_span_id` or `parentSpanId`.
static WORD: [bool; 256] = class(b"_.-");
/// What an id token may hold: hex, decimal, base64 (standard and URL-safe), UUID, traceparent.
static TOKEN: [bool; 256] = class(b"-+/=_");

fn is_word_byte(b: u8) -> bool {
    WORD[b as usize]
}

fn starts_with_ignore_case(text: &[u8], lower_key: &[u8]) -> bool {
    text.len() >= lower_key.len() && text.iter().zip(lower_key).all(|(a, b)| a.to_ascii_lowercase() == *b)
}

fn is_token_byte(b: u8) -> bool {
    TOKEN[b as usize]
}

/// After a key ending at `at`: quotes, backslashes and spaces, an optional `=`, `:` or `=>`,
/// more of the same, then the id token, returned as a byte range of `text` (all ASCII, so it
/// is a char range of the body too). Without a separator at least one space must come before
/// the token (`TraceID 4bf9...`), so `trace_idx` does not read as key `trace_id` plus `x`.
fn value_after_key(text: &[u8], at: usize) -> Option<std::ops::Range<usize>> {
    let mut i = at;
    let skip = |i: &mut usize| {
        while *i < text.len() && matches!(text[*i], b'"' | b'\'' | b'\\' | b' ' | b'\t') {
            *i += 1;
        }
    };
    skip(&mut i);
    let mut separated = text[at..i].iter().any(|b| *b == b' ' || *b == b'\t');
    if i < text.len() && matches!(text[i], b'=' | b':') {
        i += 1;
        if i < text.len() && text[i] == b'>' {
            i += 1;
        }
        separated = true;
        skip(&mut i);
    }
    if !separated {
        return None;
    }
    let start = i;
    while i < text.len() && i - start <= MAX_TOKEN && is_token_byte(text[i]) {
        i += 1;
    }
    (i > start && i - start <= MAX_TOKEN).then_some(start..i)
}

/// A traceparent value starting at word start `start`, if one is there and ends a word.
fn traceparent_at(text: &[u8], start: usize) -> Option<(TraceId, SpanId)> {
    // `vv-` + 32 + `-` + 16 + `-` + 2.
    const LEN: usize = 2 + 1 + 32 + 1 + 16 + 1 + 2;
    let candidate = text.get(start..start + LEN)?;
    let bounded = text.get(start + LEN).is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'-');
    if !bounded || !is_traceparent(candidate) {
        return None;
    }
    let s = std::str::from_utf8(candidate).ok()?;
    Some((TraceId::parse(s).ok()?, SpanId::parse(s).ok()?))
}

fn is_traceparent(c: &[u8]) -> bool {
    c.iter().enumerate().all(|(i, b)| match i {
        2 | 35 | 52 => *b == b'-',
        _ => b.is_ascii_hexdigit(),
    })
}

/// Label keys that hold an id, resolved once against the dataset's interner.
#[derive(Debug, Clone)]
pub struct IdFields {
    /// (interned key, key text) in priority order; names the dataset never saw are dropped.
    keys: Vec<(Sym, String)>,
}

/// An id value found in a label set, or the key whose value did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelId<T> {
    Found(T),
    /// The key at this position of the configured list held a value that is not an id.
    Invalid(usize),
    Absent,
}

impl IdFields {
    pub fn new<S: AsRef<str>>(ds: &Dataset, names: &[S]) -> IdFields {
        IdFields { keys: names.iter().filter_map(|n| ds.strings.get(n.as_ref()).map(|s| (s, n.as_ref().to_string()))).collect() }
    }

    pub fn key_name(&self, i: usize) -> &str {
        &self.keys[i].1
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The first configured key present in `set` whose value parses. An unparsable value is
    /// reported only when no later key supplies a valid id. An empty or all-zero value is how
    /// OpenTelemetry writes "no trace": it counts as absent, not as a bad id.
    pub fn find<T>(&self, ds: &Dataset, set: LabelSetId, parse: impl Fn(&str) -> Result<T, IdError>) -> LabelId<T> {
        let mut invalid = None;
        for (i, (key, _)) in self.keys.iter().enumerate() {
            if let Some(v) = ds.label_sets.value(set, *key) {
                match parse(ds.strings.resolve(v)) {
                    Ok(id) => return LabelId::Found(id),
                    Err(IdError::Empty | IdError::AllZero) => {}
                    Err(_) => invalid = invalid.or(Some(i)),
                }
            }
        }
        invalid.map_or(LabelId::Absent, LabelId::Invalid)
    }
}

/// Memoised per label set: label sets repeat across rows (stream labels always, structured
/// metadata often: every line of a span carries the same ids), so each distinct set is looked
/// at once. Slots are 4 bytes, as there may be a set per row.
#[derive(Debug)]
pub struct LabelMemo<T: Copy> {
    slots: Vec<u32>,
    values: Vec<T>,
}

impl<T: Copy> LabelMemo<T> {
    pub fn new(sets: usize) -> LabelMemo<T> {
        LabelMemo { slots: vec![u32::MAX; sets], values: Vec::new() }
    }

    pub fn get_or(&mut self, set: LabelSetId, compute: impl FnOnce() -> T) -> T {
        let slot = &mut self.slots[set.0 as usize];
        if *slot != u32::MAX {
            return self.values[*slot as usize];
        }
        let v = compute();
        *slot = self.values.len() as u32;
        self.values.push(v);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const S: &str = "00f067aa0ba902b7";

    fn scanner() -> BodyScanner {
        let o = crate::correlate::CorrelateOptions::default();
        BodyScanner::new(&o.body_trace_keys, &o.body_span_keys, true)
    }

    fn ids(body: &str) -> (Option<String>, Option<String>) {
        let found = scanner().scan(body, true, true);
        (found.trace.map(|t| t.to_string()), found.span.map(|s| s.to_string()))
    }

    #[test]
    fn finds_ids_in_many_body_forms() {
        let both = (Some(T.to_string()), Some(S.to_string()));
        let forms = [
            format!("16:44:59.057 INFO  a.s.AssuranceServiceImpl#65 TraceID: {T} SpanID: {S} [create][Success]"),
            format!("level=info msg=\"done\" trace_id={T} span_id={S}"),
            format!("{{\"level\":\"info\",\"traceId\":\"{T}\",\"spanId\":\"{S}\"}}"),
            format!("{{\"trace_id\": \"{T}\", \"span_id\": \"{S}\"}}"),
            format!("{{\"msg\":\"{{\\\"traceID\\\":\\\"{T}\\\",\\\"spanID\\\":\\\"{S}\\\"}}\"}}"),
            format!("GET /x traceparent=00-{T}-{S}-01 200"),
            format!("traceparent: 00-{T}-{S}-01"),
            format!("[otel_trace_id={T} otel_span_id={S}]"),
            format!("trace.id={T} span.id={S}"),
            format!("TRACE-ID => {T}, SPAN-ID => {S}"),
            format!("TraceId {T} SpanId {S}"),
            format!("trace_id='{}' span_id='{}'", T.to_uppercase(), S.to_uppercase()),
        ];
        for body in &forms {
            assert_eq!(ids(body), both, "{body}");
        }
    }

    #[test]
    fn other_id_spellings_go_through_the_one_parser() {
        assert_eq!(ids("trace_id=4bf92f35-77b3-4da6-a3ce-929d0e0e4736").0.as_deref(), Some(T));
        assert_eq!(ids("traceId=S/kvNXezTaajzpKdDg5HNg==").0.as_deref(), Some(T));
        assert_eq!(ids("trace_id=00f067aa0ba902b7").0.as_deref(), Some("000000000000000000f067aa0ba902b7"));
    }

    #[test]
    fn rejects_near_misses() {
        for body in [
            format!("parent_span_id={S}"),
            format!("parentSpanId: {S}"),
            format!("trace_idx{T}"),
            format!("trace_id_hash={T}"),
            format!("mytrace_id={T}"),
            "trace_id=none span_id=-".to_string(),
            "trace_id=00000000000000000000000000000000".to_string(),
            "no ids here at all, just a 4bf92f3577b34da6a3ce929d0e0e4736 hex blob".to_string(),
            format!("x01-{T}-{S}-01"),
            String::new(),
        ] {
            let (t, s) = ids(&body);
            assert!(t.is_none() && s.is_none(), "{body:?} gave {t:?} {s:?}");
        }
    }

    #[test]
    fn an_invalid_keyed_value_does_not_hide_a_later_valid_one() {
        let body = format!("trace_id=unknown retry trace_id={T}");
        assert_eq!(ids(&body).0.as_deref(), Some(T));
        // A parent span id key before the span's own key is skipped, not taken.
        let body = format!("parent_span_id=1111111111111111 span_id={S}");
        assert_eq!(ids(&body).1.as_deref(), Some(S));
    }

    #[test]
    fn only_missing_ids_are_scanned() {
        let body = format!("trace_id={T} span_id={S}");
        let found = scanner().scan(&body, false, true);
        assert_eq!((found.trace, found.span.map(|s| s.to_string())), (None, Some(S.to_string())));
    }

    #[test]
    fn non_ascii_and_truncated_bodies_are_safe() {
        for body in ["trace_id=", "trace_id", "t", "ünïcödé trace_id=ü", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0"] {
            let _ = ids(body);
        }
        assert_eq!(ids("trace_id=").0, None);
        assert_eq!(ids(&format!("é trace_id:{T}é")).0.as_deref(), Some(T));
    }

    #[test]
    fn label_fields_take_the_first_valid_key() {
        let mut ds = Dataset::default();
        let set = ds.labels([("trace_id", "nope"), ("traceID", T)]);
        let bad = ds.labels([("trace_id", "nope")]);
        let no_trace = ds.labels([("trace_id", "00000000000000000000000000000000"), ("traceID", "")]);
        let fields = IdFields::new(&ds, &["trace_id", "traceID", "never_seen"]);
        let parse = TraceId::parse;
        assert_eq!(fields.find(&ds, no_trace, parse), LabelId::Absent);
        assert_eq!(fields.find(&ds, set, parse), LabelId::Found(TraceId::parse(T).unwrap()));
        assert_eq!(fields.find(&ds, bad, parse), LabelId::Invalid(0));
        assert_eq!(fields.key_name(0), "trace_id");
        assert_eq!(fields.find(&ds, LabelSetId(0), parse), LabelId::Absent);
    }

    proptest::proptest! {
        #[test]
        fn scanning_never_panics(s in ".{0,200}") {
            let _ = ids(&s);
        }

        #[test]
        fn an_embedded_id_is_found(prefix in "[a-z ]{0,30}", v in 1u128..) {
            let id = TraceId::new(v).unwrap();
            let body = format!("{prefix} trace_id={id} rest");
            proptest::prop_assert_eq!(scanner().scan(&body, true, false).trace, Some(id));
        }
    }
}
