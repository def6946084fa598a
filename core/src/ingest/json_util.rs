//! Readers over `serde_json::Value` shared by the JSON decoders: field lookup under several
//! spellings, integers that arrive as numbers or strings, exact time conversion, and
//! label-set building without intermediate strings.

use std::borrow::Cow;

use serde_json::Value;

use crate::model::{Dataset, LabelSetId, Sym};

/// The first of `keys` present in object `v`. One field often has two spellings: proto3
/// JSON's lowerCamelCase and the proto `OrigName` snake_case that gogo/jsonpb writes.
pub fn get<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    let obj = v.as_object()?;
    keys.iter().find_map(|k| obj.get(*k))
}

/// The array under the first present key, or an empty slice when absent or not an array.
pub fn array<'a>(v: &'a Value, keys: &[&str]) -> &'a [Value] {
    get(v, keys).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// The string under the first present key.
pub fn str_at<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a str> {
    get(v, keys).and_then(Value::as_str)
}

/// An integer given as a JSON number or a decimal string (proto3 JSON writes int64 as
/// strings, some encoders as numbers). Floats are accepted when integral and in range.
pub fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            let f = n.as_f64()?;
            (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.2e18).then_some(f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A time in ns since the epoch as a JSON number or decimal string (OTLP `*UnixNano`, Loki
/// values), checked where it enters: an integer, inside the accepted range (1970..2200).
/// The error says what the value was, for a diagnostic that names the row.
pub fn time_ns(v: &Value) -> Result<i64, String> {
    let ns = match v {
        Value::Null => return Err("null time".into()),
        Value::String(s) if s.trim().is_empty() => return Err("empty time".into()),
        _ => int(v).ok_or_else(|| format!("time {} is not an integer count of ns", short(v)))?,
    };
    crate::time::check_range(ns)
}

/// A time field that must be present: `keys` as in `get`, the first one naming it.
pub fn required_time(v: &Value, keys: &[&str]) -> Result<i64, String> {
    time_ns(get(v, keys).ok_or_else(|| format!("no {}", keys[0]))?)
}

/// A value as it appears in a diagnostic: compact JSON, at most 40 characters.
pub fn short(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

/// A float given as a JSON number or a string (`"1.5"`, `"NaN"`, `"+Inf"`, `"-Infinity"`,
/// any case: Prometheus and Loki write sample values as strings).
pub fn float(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Seconds since the epoch (Prometheus and Loki matrix timestamps, `1674981669.074`) as ns;
/// `None` unless a time in the accepted range (1970..2200, `time::check_range`). JSON numbers are read back through their shortest decimal form, which is the text the
/// server wrote for any timestamp of up to 17 significant digits, so ms and µs survive
/// exactly instead of picking up binary rounding from `f * 1e9`.
pub fn seconds_to_ns(v: &Value) -> Option<i64> {
    let ns = match v {
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.checked_mul(1_000_000_000),
            None => decimal_seconds_to_ns(&format!("{}", n.as_f64()?)),
        },
        Value::String(s) => decimal_seconds_to_ns(s.trim()),
        _ => None,
    }?;
    crate::time::check_range(ns).ok()
}

/// `-12.345678901` (seconds, plain decimal) to ns, exactly; digits past ns are truncated.
pub fn decimal_seconds_to_ns(s: &str) -> Option<i64> {
    let (negative, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        // Exponent forms are rare here; read them as floats (binary rounding is then unavoidable).
        let f: f64 = s.parse().ok()?;
        return (f.is_finite() && (f * 1e9).abs() < 9.2e18).then(|| (f * 1e9).round() as i64);
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let mut nanos: i64 = 0;
    for (i, c) in frac.bytes().take(9).enumerate() {
        nanos += i64::from(c - b'0') * 10i64.pow(8 - i as u32);
    }
    let ns = whole.checked_mul(1_000_000_000)?.checked_add(nanos)?;
    Some(if negative { -ns } else { ns })
}

/// A JSON value as label text: strings as they are, everything else as compact JSON.
pub fn text(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) => Cow::Borrowed(s),
        Value::Null => Cow::Borrowed(""),
        Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        other => Cow::Owned(other.to_string()),
    }
}

/// Builds one label set, interning as it goes, so callers need no `Vec<(String, String)>`.
#[derive(Default)]
pub struct LabelBuilder {
    pairs: Vec<(Sym, Sym)>,
}

impl LabelBuilder {
    pub fn new() -> LabelBuilder {
        LabelBuilder::default()
    }

    /// Starts from an existing set (resource labels that point attributes extend).
    pub fn from_set(ds: &Dataset, id: LabelSetId) -> LabelBuilder {
        LabelBuilder { pairs: ds.label_sets.get(id).to_vec() }
    }

    pub fn push(&mut self, ds: &mut Dataset, key: &str, value: &str) {
        let pair = (ds.strings.intern(key), ds.strings.intern(value));
        self.pairs.push(pair);
    }

    /// Adds every `key: value` of a JSON object, values rendered by `text`.
    pub fn push_object(&mut self, ds: &mut Dataset, obj: &Value) {
        if let Some(map) = obj.as_object() {
            for (k, v) in map {
                self.push(ds, k, &text(v));
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    pub fn finish(self, ds: &mut Dataset) -> LabelSetId {
        if self.pairs.is_empty() {
            return LabelSetId(0);
        }
        ds.label_sets.intern(&ds.strings, self.pairs)
    }
}

/// A JSON object of string labels (Loki stream labels, Prometheus `metric`) as one set.
pub fn object_labels(ds: &mut Dataset, obj: &Value) -> LabelSetId {
    let mut b = LabelBuilder::new();
    b.push_object(ds, obj);
    b.finish(ds)
}

/// Short description of a document's top-level shape, for "not recognised" errors.
pub fn shape(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let keys: Vec<&str> = map.keys().take(8).map(String::as_str).collect();
            let more = if map.len() > 8 { ", ..." } else { "" };
            format!("a JSON object with keys [{}{more}]", keys.join(", "))
        }
        Value::Array(a) => format!("a JSON array of {} elements", a.len()),
        other => format!("a JSON {}", kind(other)),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seconds_convert_exactly() {
        assert_eq!(seconds_to_ns(&json!(1674981669.074)), Some(1_674_981_669_074_000_000));
        assert_eq!(seconds_to_ns(&json!(1620351786)), Some(1_620_351_786_000_000_000));
        assert_eq!(seconds_to_ns(&json!("1643021611.1")), Some(1_643_021_611_100_000_000));
        assert_eq!(seconds_to_ns(&json!(0.000001)), Some(1_000));
        assert_eq!(decimal_seconds_to_ns("-1.5"), Some(-1_500_000_000));
        assert_eq!(decimal_seconds_to_ns("1.1234567891"), Some(1_123_456_789));
        assert_eq!(decimal_seconds_to_ns("1e3"), Some(1_000_000_000_000));
        assert_eq!(decimal_seconds_to_ns("."), None);
        assert_eq!(decimal_seconds_to_ns("99999999999999999999"), None);
        assert_eq!(seconds_to_ns(&json!(null)), None);
    }

    #[test]
    fn ints_and_floats_in_both_spellings() {
        assert_eq!(int(&json!("1674981730169000000")), Some(1_674_981_730_169_000_000));
        assert_eq!(int(&json!(1674981730169000000u64)), Some(1_674_981_730_169_000_000));
        assert_eq!(int(&json!(2.0)), Some(2));
        assert_eq!(int(&json!(2.5)), None);
        assert_eq!(int(&json!("x")), None);
        assert!(float(&json!("+iNf")).unwrap().is_infinite());
        assert!(float(&json!("NaN")).unwrap().is_nan());
        assert_eq!(float(&json!("0.00002482")), Some(0.00002482));
    }

    #[test]
    fn times_are_checked_where_they_enter() {
        assert_eq!(time_ns(&json!("1674981730169000000")), Ok(1_674_981_730_169_000_000));
        assert_eq!(time_ns(&json!(5)), Ok(5));
        for (bad, words) in [
            (json!("18446744073709551615"), "not an integer"),
            (json!("abc"), "\"abc\" is not an integer"),
            (json!("1e30"), "not an integer"),
            (json!(1e30), "not an integer"),
            (json!(null), "null time"),
            (json!(""), "empty time"),
            (json!(-1), "outside the accepted range"),
            (json!(i64::MIN), "outside the accepted range"),
            (json!(i64::MAX), "outside the accepted range"),
            (json!([1]), "not an integer"),
        ] {
            let e = time_ns(&bad).unwrap_err();
            assert!(e.contains(words), "{bad}: {e}");
        }
        assert_eq!(required_time(&json!({}), &["timeUnixNano"]), Err("no timeUnixNano".to_string()));
        assert_eq!(short(&json!("x".repeat(100))).chars().count(), 43);
    }
}
