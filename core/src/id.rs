//! Trace and span identifiers: the one place ids are parsed, so every join agrees.
//!
//! Users meet the same id in many spellings: 32 or 16 hex digits in any case, with the
//! leading zeros trimmed (Tempo, Grafana's trace view), UUID form with dashes, a `0x`
//! prefix, base64 of 16 or 8 bytes (OTLP JSON from some exporters), a decimal 128-bit
//! integer, or a W3C `traceparent` header. All of them parse to one value here.
//! A 64-bit id equals the same id zero-extended to 128 bits. All-zero ids are invalid.

use std::fmt;
use std::num::{NonZeroU128, NonZeroU64};

/// A 128-bit trace id. Displayed as 32 lowercase hex digits. Non-zero, so an `Option<TraceId>`
/// (a log row's, an exemplar's) takes the id's 16 bytes and no more: a column of ten million of
/// them is 160 MB less. Order and hash are the integer's.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TraceId(NonZeroU128);

/// A 64-bit span id. Displayed as 16 lowercase hex digits. Non-zero, as `TraceId`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpanId(NonZeroU64);

/// Why a string is not an id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
    Empty,
    AllZero,
    TooLong,
    NotAnId,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdError::Empty => "empty id",
            IdError::AllZero => "all-zero id",
            IdError::TooLong => "id wider than its type",
            IdError::NotAnId => "not a hex, base64, decimal, UUID or traceparent id",
        })
    }
}

impl std::error::Error for IdError {}

impl TraceId {
    /// Builds an id from its value; `None` for the invalid all-zero id.
    pub fn new(value: u128) -> Option<TraceId> {
        NonZeroU128::new(value).map(TraceId)
    }

    pub fn value(self) -> u128 {
        self.0.get()
    }

    /// From 16 or 8 raw bytes (big-endian), as OTLP protobuf and base64 carry them.
    pub fn from_bytes(bytes: &[u8]) -> Result<TraceId, IdError> {
        match bytes.len() {
            16 | 8 => TraceId::new(be_value(bytes)).ok_or(IdError::AllZero),
            _ => Err(IdError::NotAnId),
        }
    }

    /// Parses every spelling listed in the module docs.
    pub fn parse(text: &str) -> Result<TraceId, IdError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(IdError::Empty);
        }
        if let Some(value) = short_hex(t, 32) {
            return TraceId::new(value).ok_or(IdError::AllZero);
        }
        if let Some(trace) = traceparent_trace(t) {
            return TraceId::parse(trace);
        }
        let value = parse_value(t, 128)?;
        TraceId::new(value).ok_or(IdError::AllZero)
    }
}

impl SpanId {
    pub fn new(value: u64) -> Option<SpanId> {
        NonZeroU64::new(value).map(SpanId)
    }

    pub fn value(self) -> u64 {
        self.0.get()
    }

    /// From 8 raw bytes (big-endian).
    pub fn from_bytes(bytes: &[u8]) -> Result<SpanId, IdError> {
        match bytes.len() {
            8 => SpanId::new(be_value(bytes) as u64).ok_or(IdError::AllZero),
            _ => Err(IdError::NotAnId),
        }
    }

    /// Parses hex (trimmed zeros allowed), `0x`, base64 of 8 bytes, decimal, or the
    /// parent-id field of a `traceparent` header.
    pub fn parse(text: &str) -> Result<SpanId, IdError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(IdError::Empty);
        }
        if let Some(value) = short_hex(t, 16) {
            return SpanId::new(value as u64).ok_or(IdError::AllZero);
        }
        if let Some(span) = traceparent_span(t) {
            return SpanId::parse(span);
        }
        let value = parse_value(t, 64)?;
        SpanId::new(value as u64).ok_or(IdError::AllZero)
    }
}

impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0.get())
    }
}

impl fmt::Debug for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceId({self})")
    }
}

impl fmt::Display for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0.get())
    }
}

impl fmt::Debug for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpanId({self})")
    }
}

impl std::str::FromStr for TraceId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TraceId::parse(s)
    }
}

impl std::str::FromStr for SpanId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SpanId::parse(s)
    }
}

impl serde::Serialize for TraceId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl serde::Serialize for SpanId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Any form `parse` reads (the report writes lowercase hex), so a report reads back.
impl<'de> serde::Deserialize<'de> for TraceId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        TraceId::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl<'de> serde::Deserialize<'de> for SpanId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        SpanId::parse(&text).map_err(serde::de::Error::custom)
    }
}

fn be_value(bytes: &[u8]) -> u128 {
    bytes.iter().fold(0u128, |acc, b| (acc << 8) | u128::from(*b))
}

/// The common case first: at most `max_digits` hex digits and nothing else, which every other
/// rule below also reads as hex. Joins parse an id per log line, so this path is kept short.
fn short_hex(t: &str, max_digits: usize) -> Option<u128> {
    if t.len() > max_digits {
        return None;
    }
    t.bytes().try_fold(0u128, |acc, b| {
        let digit = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => return None,
        };
        Some((acc << 4) | u128::from(digit))
    })
}

/// `version-traceid-parentid-flags`, e.g. `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`.
fn traceparent_parts(t: &str) -> Option<(&str, &str)> {
    let mut parts = t.split('-');
    let (version, trace, span, flags) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let well_formed = version.len() == 2
        && trace.len() == 32
        && span.len() == 16
        && flags.len() == 2
        && [version, trace, span, flags].iter().all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()));
    // Version 00 has exactly four parts; later versions may append more.
    (well_formed && (version != "00" || parts.next().is_none())).then_some((trace, span))
}

fn traceparent_trace(t: &str) -> Option<&str> {
    traceparent_parts(t).map(|(trace, _)| trace)
}

fn traceparent_span(t: &str) -> Option<&str> {
    traceparent_parts(t).map(|(_, span)| span)
}

/// Parses an id of at most `bits` bits from hex, UUID, `0x`, base64 or decimal text.
fn parse_value(t: &str, bits: u32) -> Result<u128, IdError> {
    let max_hex = (bits / 4) as usize;
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        // Base64 text can start with "0x" too (bytes d3 1x ...): fall through when it is not hex.
        if hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return parse_hex(hex, max_hex);
        }
    }
    if is_uuid(t) {
        let hex: String = t.chars().filter(|c| *c != '-').collect();
        return parse_hex(&hex, max_hex);
    }
    if t.bytes().all(|b| b.is_ascii_hexdigit()) {
        // A purely decimal string longer than the widest hex id can only be an integer.
        if t.len() > max_hex && t.bytes().all(|b| b.is_ascii_digit()) {
            return parse_decimal(t, bits);
        }
        return parse_hex(t, max_hex);
    }
    if let Some(bytes) = decode_base64(t) {
        return match bytes.len() {
            16 if bits == 128 => Ok(be_value(&bytes)),
            8 => Ok(be_value(&bytes)),
            _ => Err(IdError::NotAnId),
        };
    }
    Err(IdError::NotAnId)
}

fn parse_hex(hex: &str, max_digits: usize) -> Result<u128, IdError> {
    if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(IdError::NotAnId);
    }
    let significant = hex.trim_start_matches('0');
    if significant.len() > max_digits {
        return Err(IdError::TooLong);
    }
    if significant.is_empty() {
        return Err(IdError::AllZero);
    }
    u128::from_str_radix(significant, 16).map_err(|_| IdError::NotAnId)
}

fn parse_decimal(digits: &str, bits: u32) -> Result<u128, IdError> {
    let value: u128 = digits.parse().map_err(|_| IdError::TooLong)?;
    if bits < 128 && value >> bits != 0 {
        return Err(IdError::TooLong);
    }
    Ok(value)
}

fn is_uuid(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Standard or URL-safe base64, padded or not, of 8 or 16 bytes. Anything else is `None`.
fn decode_base64(t: &str) -> Option<Vec<u8>> {
    let body = t.trim_end_matches('=');
    if !matches!(body.len(), 11 | 22) || t.len() - body.len() > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(16);
    let mut acc: u32 = 0;
    let mut nbits = 0;
    for c in body.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((acc >> nbits) as u8);
            acc &= (1 << nbits) - 1;
        }
    }
    // The unused low bits of the last character must be zero in canonical base64.
    (acc == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn b64(bytes: &[u8]) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut s = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
            for i in 0..=chunk.len() {
                s.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        while s.len() % 4 != 0 {
            s.push('=');
        }
        s
    }

    #[test]
    fn known_forms() {
        let id = TraceId::parse("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
        assert_eq!(id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        for form in [
            "4BF92F3577B34DA6A3CE929D0E0E4736",
            "0x4bf92f3577b34da6a3ce929d0e0e4736",
            "4bf92f35-77b3-4da6-a3ce-929d0e0e4736",
            "S/kvNXezTaajzpKdDg5HNg==",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ] {
            assert_eq!(TraceId::parse(form), Ok(id), "{form}");
        }
        // 64-bit ids are zero-extended; trimmed zeros too.
        let short = TraceId::parse("00f067aa0ba902b7").unwrap();
        assert_eq!(short.to_string(), "000000000000000000f067aa0ba902b7");
        assert_eq!(TraceId::parse("f067aa0ba902b7"), Ok(short));
        assert_eq!(TraceId::parse("APBnqgupArc="), Ok(short));
        assert_eq!(SpanId::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap().to_string(), "00f067aa0ba902b7");
        // A 39-digit decimal is the 128-bit integer.
        let dec = (id.value()).to_string();
        assert!(dec.len() > 32);
        assert_eq!(TraceId::parse(&dec), Ok(id));
    }

    #[test]
    fn invalid_forms() {
        for bad in [
            "",
            "  ",
            "0",
            "00000000000000000000000000000000",
            "xyz",
            "4bf92f3577b34da6a3ce929d0e0e47361",
            "----",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        ] {
            assert!(TraceId::parse(bad).is_err(), "{bad:?} parsed");
        }
        assert_eq!(SpanId::parse("0000000000000000"), Err(IdError::AllZero));
        assert_eq!(SpanId::parse("1000000000000000a"), Err(IdError::TooLong));
    }

    proptest! {
        #[test]
        fn every_form_of_a_trace_id_parses_to_it(v in 1u128..) {
            let id = TraceId::new(v).unwrap();
            let hex = format!("{v:032x}");
            let bytes = v.to_be_bytes();
            let uuid = format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]);
            let forms = [
                hex.clone(),
                hex.to_uppercase(),
                hex.trim_start_matches('0').to_string(),
                format!("0x{hex}"),
                uuid,
                b64(&bytes),
                v.to_string(),
                format!("00-{hex}-00f067aa0ba902b7-01"),
            ];
            for form in forms {
                // A short decimal is ambiguous with hex; hex wins, as every tool reads it so.
                if form == v.to_string() && form.len() <= 32 { continue; }
                prop_assert_eq!(TraceId::parse(&form), Ok(id), "form {}", form);
            }
            prop_assert_eq!(TraceId::parse(&id.to_string()), Ok(id));
            if v >> 64 == 0 {
                let short = format!("{v:016x}");
                prop_assert_eq!(TraceId::parse(&short), Ok(id));
                prop_assert_eq!(TraceId::parse(&b64(&(v as u64).to_be_bytes())), Ok(id));
            }
        }

        #[test]
        fn every_form_of_a_span_id_parses_to_it(v in 1u64..) {
            let id = SpanId::new(v).unwrap();
            let hex = format!("{v:016x}");
            for form in [hex.clone(), hex.to_uppercase(), format!("0x{hex}"), b64(&v.to_be_bytes()), hex.trim_start_matches('0').to_string()] {
                prop_assert_eq!(SpanId::parse(&form), Ok(id), "form {}", form);
            }
            prop_assert_eq!(SpanId::parse(&id.to_string()), Ok(id));
        }

        #[test]
        fn garbage_never_panics(s in ".{0,80}") {
            let _ = TraceId::parse(&s);
            let _ = SpanId::parse(&s);
        }

        #[test]
        fn non_id_text_never_parses(s in "[g-zG-Z]{0,20}[!#%&*(){}<>?,;][g-zG-Z!#%]{0,20}") {
            prop_assert!(TraceId::parse(&s).is_err());
            prop_assert!(SpanId::parse(&s).is_err());
        }
    }
}
