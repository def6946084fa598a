//! Finding trace and span ids where a source did not give them as first-class fields: in
//! label sets (structured metadata, stream labels, exemplar labels) by key, and in log
//! bodies by a scan for configured keys.
//!
//! The body scan is a plain byte scanner, not a regex: a key is matched ASCII
//! case-insensitively at a word start, then an optional separator (`=`, `:`, `=>`, quotes,
//! backslashes and spaces, as in `trace_id=x`, `TraceID: x`, `"traceId":"x"`,
//! `trace_id=\"x\"`), then an id token that `TraceId::parse` / `SpanId::parse` must accept.
//! A W3C `traceparent` value (`00-<32 hex>-<16 hex>-<2 hex>`) is recognised anywhere.

use crate::id::{SpanId, TraceId};
use crate::model::{Dataset, LabelSetId, Sym};

/// The longest token tried as an id: a traceparent (55), a 128-bit decimal (39), a UUID (36).
const MAX_TOKEN: usize = 64;

/// Keys searched in bodies, lower-cased, with a table of their first bytes.
#[derive(Debug, Clone)]
pub struct BodyKeys {
    keys: Vec<Vec<u8>>,
    first: [bool; 256],
}

impl BodyKeys {
    pub fn new<S: AsRef<str>>(keys: &[S]) -> BodyKeys {
        let mut first = [false; 256];
        let mut out = Vec::new();
        for k in keys {
            let k = k.as_ref().as_bytes().to_ascii_lowercase();
            if let Some(b) = k.first() {
                first[*b as usize] = true;
                out.push(k);
            }
        }
        BodyKeys { keys: out, first }
    }

    /// The first valid id after any key occurrence in `text`, parsed by `parse`.
    fn find<T>(&self, text: &[u8], parse: impl Fn(&str) -> Option<T>) -> Option<T> {
        if self.keys.is_empty() {
            return None;
        }
        let mut i = 0;
        while i < text.len() {
            let b = text[i].to_ascii_lowercase();
            if self.first[b as usize] && (i == 0 || !is_word_byte(text[i - 1])) {
                for key in &self.keys {
                    if starts_with_ignore_case(&text[i..], key) {
                        if let Some(id) = value_after_key(&text[i + key.len()..]).and_then(&parse) {
                            return Some(id);
                        }
                    }
                }
            }
            i += 1;
        }
        None
    }
}

/// Ids found in one body.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BodyIds {
    pub trace: Option<TraceId>,
    pub span: Option<SpanId>,
}

/// The configured body patterns.
#[derive(Debug, Clone)]
pub struct BodyScanner {
    pub trace_keys: BodyKeys,
    pub span_keys: BodyKeys,
    pub traceparent: bool,
}

impl BodyScanner {
    /// Looks for the ids still missing (`want_trace`, `want_span`) in `body`. A keyed match
    /// comes first; a traceparent fills in what keys did not find.
    pub fn scan(&self, body: &str, want_trace: bool, want_span: bool) -> BodyIds {
        let bytes = body.as_bytes();
        let mut ids = BodyIds::default();
        if want_trace {
            ids.trace = self.trace_keys.find(bytes, |t| TraceId::parse(t).ok());
        }
        if want_span {
            ids.span = self.span_keys.find(bytes, |t| SpanId::parse(t).ok());
        }
        if self.traceparent && ((want_trace && ids.trace.is_none()) || (want_span && ids.span.is_none())) {
            if let Some((trace, span)) = find_traceparent(bytes) {
                if want_trace && ids.trace.is_none() {
                    ids.trace = Some(trace);
                }
                if want_span && ids.span.is_none() {
                    ids.span = Some(span);
                }
            }
        }
        ids
    }
}

/// Letters, digits and the joiners of compound keys: a key must not start right after one,
/// so `span_id` does not match inside `parent_span_id` or `parentSpanId`.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

fn starts_with_ignore_case(text: &[u8], lower_key: &[u8]) -> bool {
    text.len() >= lower_key.len() && text.iter().zip(lower_key).all(|(a, b)| a.to_ascii_lowercase() == *b)
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'/' | b'=' | b'_')
}

/// After a key: quotes, backslashes and spaces, an optional `=`, `:` or `=>`, more of the
/// same, then the id token. Without a separator at least one space must come before the token
/// (`TraceID 4bf9...`), so `trace_idx` does not read as key `trace_id` plus token `x`.
fn value_after_key(rest: &[u8]) -> Option<&str> {
    let mut i = 0;
    let skip = |i: &mut usize| {
        while *i < rest.len() && matches!(rest[*i], b'"' | b'\'' | b'\\' | b' ' | b'\t') {
            *i += 1;
        }
    };
    skip(&mut i);
    let mut separated = i > 0 && rest[..i].iter().any(|b| *b == b' ' || *b == b'\t');
    if i < rest.len() && matches!(rest[i], b'=' | b':') {
        i += 1;
        if i < rest.len() && rest[i] == b'>' {
            i += 1;
        }
        separated = true;
        skip(&mut i);
    }
    if !separated {
        return None;
    }
    let start = i;
    while i < rest.len() && i - start <= MAX_TOKEN && is_token_byte(rest[i]) {
        i += 1;
    }
    if i == start || i - start > MAX_TOKEN {
        return None;
    }
    std::str::from_utf8(&rest[start..i]).ok()
}

/// The first well-formed traceparent value anywhere in `text`.
fn find_traceparent(text: &[u8]) -> Option<(TraceId, SpanId)> {
    // `vv-` + 32 + `-` + 16 + `-` + 2.
    const LEN: usize = 2 + 1 + 32 + 1 + 16 + 1 + 2;
    if text.len() < LEN {
        return None;
    }
    let mut i = 2;
    while i + LEN - 2 <= text.len() {
        if text[i] == b'-' {
            let start = i - 2;
            let candidate = &text[start..start + LEN];
            let bounded = (start == 0 || !text[start - 1].is_ascii_alphanumeric())
                && text.get(start + LEN).is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'-');
            if bounded && is_traceparent(candidate) {
                let s = std::str::from_utf8(candidate).ok()?;
                if let (Ok(t), Ok(sp)) = (TraceId::parse(s), SpanId::parse(s)) {
                    return Some((t, sp));
                }
            }
        }
        i += 1;
    }
    None
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
    /// reported only when no later key supplies a valid id.
    pub fn find<T>(&self, ds: &Dataset, set: LabelSetId, parse: impl Fn(&str) -> Option<T>) -> LabelId<T> {
        let mut invalid = None;
        for (i, (key, _)) in self.keys.iter().enumerate() {
            if let Some(v) = ds.label_sets.value(set, *key) {
                match parse(ds.strings.resolve(v)) {
                    Some(id) => return LabelId::Found(id),
                    None => invalid = invalid.or(Some(i)),
                }
            }
        }
        invalid.map_or(LabelId::Absent, LabelId::Invalid)
    }
}

/// Memoised per label set: label sets repeat across rows (stream labels always, structured
/// metadata often), so each distinct set is looked at once.
#[derive(Debug)]
pub struct LabelMemo<T: Copy> {
    slots: Vec<Option<T>>,
}

impl<T: Copy> LabelMemo<T> {
    pub fn new(sets: usize) -> LabelMemo<T> {
        LabelMemo { slots: vec![None; sets] }
    }

    pub fn get_or(&mut self, set: LabelSetId, compute: impl FnOnce() -> T) -> T {
        let slot = &mut self.slots[set.0 as usize];
        match slot {
            Some(v) => *v,
            None => {
                let v = compute();
                *slot = Some(v);
                v
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const S: &str = "00f067aa0ba902b7";

    fn scanner() -> BodyScanner {
        let o = crate::correlate::CorrelateOptions::default();
        BodyScanner { trace_keys: BodyKeys::new(&o.body_trace_keys), span_keys: BodyKeys::new(&o.body_span_keys), traceparent: true }
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
        let fields = IdFields::new(&ds, &["trace_id", "traceID", "never_seen"]);
        let parse = |s: &str| TraceId::parse(s).ok();
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
