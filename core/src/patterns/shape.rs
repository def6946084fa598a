//! Line shapes: a cheap key under which lines are mined once.
//!
//! Tokenising and masking a line (`Miner::add`) reads it several times (the message split, the
//! logfmt or JSON scan, the words, each word's masking). Most lines of a log repeat an earlier
//! line but for its numbers and ids, so `ShapeMiner` first reduces a line to its *shape* in one
//! pass: the line's bytes with each number and hex id that masking is sure to turn into `<*>`
//! replaced by a marker of its kind and length. A line whose shape was seen before has the same
//! signature as that earlier line, so only its signature's count is bumped.
//!
//! A value is abstracted only where masking provably reads it by its byte classes alone (digit,
//! hex letter), never by its exact digits:
//! - a run of digits between delimiters, spaces, non-ASCII text or the line's ends (not next to
//!   a letter: `e1000` is a constant, `0x1f` a variable);
//! - a hex id (eight hex digits or more, one a digit) or a UUID (a digit in its first part) standing as a
//!   value: after a space, `=` or a quote, before a space, a quote or a comma. Elsewhere a
//!   timestamp's scan could run into it (`08:43:0a1b...`), where digits and letters differ.
//!
//! A JSON line is parsed, and its keys are words when it has no message field, so there only
//! hex ids and UUIDs that are a whole string value are abstracted, and numbers that are a
//! member's value where their digits cannot change how the line reads (`json_number`: a
//! number's digits may decide whether it parses, `01`, `1e999`, and how it is written back).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::mask::DELIMITERS;
use super::miner::{Miner, WordHasher};
use crate::base::bytes;

/// Marker bytes (never in UTF-8 text), each followed by the value's length.
const DIGITS: u8 = 0xff;
const HEX: u8 = 0xfe;
const UUID: u8 = 0xfd;
/// A JSON number, followed by its integer and fraction lengths.
const NUMBER: u8 = 0xfc;

/// A marker and the bytes that follow it.
type Marker = [Option<u8>; 3];

/// Longer lines are mined directly: they rarely repeat, and a shape table holds each key.
const MAX_LINE: usize = 1024;

/// The shapes kept at once; a full table starts over. Lines of one stretch of time share their
/// ids, so recent shapes are the ones that hit, and the table's memory stays bounded.
const MAX_SHAPES: usize = 1 << 16;

/// Byte classes (bit flags).
const WORD: u8 = 1;
const DIGIT: u8 = 2;
const HEXDIGIT: u8 = 4;
/// May stand beside an abstracted run of digits: a delimiter, whitespace or non-ASCII.
const BESIDE_DIGITS: u8 = 8;
/// May stand before / after an abstracted hex id or UUID.
const BEFORE_ID: u8 = 16;
const AFTER_ID: u8 = 32;

const fn classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'_' {
            t[b] |= WORD;
        }
        if c.is_ascii_digit() {
            t[b] |= DIGIT;
        }
        if c.is_ascii_hexdigit() {
            t[b] |= HEXDIGIT;
        }
        if c.is_ascii_whitespace() || c >= 0x80 {
            t[b] |= BESIDE_DIGITS;
        }
        if c.is_ascii_whitespace() || matches!(c, b'=' | b'"' | b'\'') {
            t[b] |= BEFORE_ID;
        }
        if c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b',') {
            t[b] |= AFTER_ID;
        }
        b += 1;
    }
    let mut i = 0;
    while i < DELIMITERS.len() {
        t[DELIMITERS[i] as usize] |= BESIDE_DIGITS;
        i += 1;
    }
    t
}

static CLASS: [u8; 256] = classes();

/// Whether the byte at `at` (outside the line: the line's end) has all of `flags`.
fn beside(b: &[u8], at: Option<usize>, flags: u8) -> bool {
    at.and_then(|i| b.get(i)).is_none_or(|c| CLASS[*c as usize] & flags == flags)
}

/// Writes `line`'s shape into `out`; false when the line is not shaped (too long).
pub fn shape(line: &str, out: &mut Vec<u8>) -> bool {
    out.clear();
    let b = line.as_bytes();
    if b.len() > MAX_LINE {
        return false;
    }
    let json = line.trim_start().starts_with('{');
    let mut strings = JsonStrings::default();
    // Bytes from `copied` on are not in `out` yet: they go in whole slices, between markers.
    let (mut copied, mut i) = (0, 0);
    // Every value abstracted holds a digit in its first word run: the scan goes from digit to digit.
    while let Some(digit) = bytes::find(b, i, |x| bytes::between(x, b'0' - 1, b'9' + 1)) {
        // The word run around the digit (the one before ended before `i`).
        let start = (i..digit).rev().take_while(|j| CLASS[b[*j] as usize] & WORD != 0).last().unwrap_or(digit);
        let (mut all, mut any, mut end) = (DIGIT | HEXDIGIT, 0, start);
        while end < b.len() && CLASS[b[end] as usize] & WORD != 0 {
            all &= CLASS[b[end] as usize];
            any |= CLASS[b[end] as usize];
            end += 1;
        }
        i = end;
        let number = if json && all & DIGIT != 0 && !strings.inside_at(b, start) { json_number(b, start, end) } else { None };
        if let Some((marker, value_end)) = number.or_else(|| value_at(b, start, end, all, any, json)) {
            out.extend_from_slice(&b[copied..start]);
            out.extend(marker.iter().flatten());
            (copied, i) = (value_end, value_end);
        }
    }
    out.extend_from_slice(&b[copied..]);
    true
}

/// The marker of the word run `start..end` (its bytes' classes: `all` have, `any` has) when it
/// is a value masking reads by class, and where the value ends.
fn value_at(b: &[u8], start: usize, end: usize, all: u8, any: u8, json: bool) -> Option<(Marker, usize)> {
    let before = start.checked_sub(1);
    let len = end - start;
    if all & HEXDIGIT != 0 {
        let uuid = (len == 8).then(|| uuid_len(b, start)).flatten();
        let value_end = uuid.map_or(end, |n| start + n);
        if (uuid.is_some() || (8..=255).contains(&len)) && any & DIGIT != 0 && stands_as_value(b, before, value_end, json) {
            let marker = if uuid.is_some() { [Some(UUID), None, None] } else { [Some(HEX), Some(len as u8), None] };
            return Some((marker, value_end));
        }
    }
    let digits = !json && all & DIGIT != 0 && len <= 255;
    (digits && beside(b, before, BESIDE_DIGITS) && beside(b, Some(end), BESIDE_DIGITS))
        .then_some(([Some(DIGITS), Some(len as u8), None], end))
}

/// The JSON number starting with the digit run `start..end` (outside the line's strings) when it
/// is an object member's value (`"n": -12.5,`: after `:`, before `,` or `}`) whose digits cannot
/// change how the line reads: its marker and where it ends. A number's syntax does not depend
/// on its digits when its integer part has no leading zero and no exponent follows (nor can it
/// overflow then). A line without a message field is written back as `key=value` words
/// (`tokenize::flatten`), its numbers as serde_json prints them: an integer of at most 18 digits
/// as itself, a fraction at least 1 and below 1e15 without an exponent, which masking reads
/// whole as one variable. Where the line does not parse, each digit run stands beside a
/// delimiter or a space on either side: the rule for digits in plain text.
fn json_number(b: &[u8], start: usize, end: usize) -> Option<(Marker, usize)> {
    let space = |c: &&u8| matches!(c, b' ' | b'\t');
    let signed = start > 0 && b[start - 1] == b'-';
    if b[..start - usize::from(signed)].iter().rev().find(|c| !space(c)) != Some(&b':') {
        return None;
    }
    let fraction = b.get(end) == Some(&b'.');
    let frac = if fraction { b[end + 1..].iter().take_while(|c| c.is_ascii_digit()).count() } else { 0 };
    let value_end = if fraction { end + 1 + frac } else { end };
    let closed = matches!(b[value_end..].iter().find(|c| !space(c)), Some(b',' | b'}'));
    let (int, first) = (end - start, b[start]);
    let exact = if fraction {
        frac > 0 && frac <= 255 && first != b'0' && int <= 15
    } else {
        int <= 18 && (first != b'0' || (int == 1 && !signed))
    };
    (closed && exact).then_some(([Some(NUMBER), Some(int as u8), Some(frac as u8)], value_end))
}

/// Whether positions of a JSON line are inside a string, asked in increasing order: the
/// line is read once, from quote to quote, minding backslash escapes.
#[derive(Default)]
struct JsonStrings {
    at: usize,
    inside: bool,
}

impl JsonStrings {
    fn inside_at(&mut self, b: &[u8], to: usize) -> bool {
        while self.at < to {
            match b[self.at] {
                b'"' => self.inside = !self.inside,
                b'\\' if self.inside => self.at += 1,
                _ => {}
            }
            self.at += 1;
        }
        self.inside
    }
}

/// Whether a hex id or UUID at `before + 1 .. end` stands as a value (see the module's notes).
fn stands_as_value(b: &[u8], before: Option<usize>, end: usize, json: bool) -> bool {
    if json {
        // A whole string that is not a key.
        let quoted = before.is_some_and(|p| b[p] == b'"') && b.get(end) == Some(&b'"');
        return quoted && b[end + 1..].iter().find(|c| !c.is_ascii_whitespace()) != Some(&b':');
    }
    beside(b, before, BEFORE_ID) && beside(b, Some(end), AFTER_ID)
}

/// The length of a UUID (8-4-4-4-12 hex digits, a whole word) starting at `start`, if one does.
fn uuid_len(b: &[u8], start: usize) -> Option<usize> {
    let u = b.get(start..start + 36)?;
    let ok = u.iter().enumerate().all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() });
    (ok && b.get(start + 36).is_none_or(|c| CLASS[*c as usize] & WORD == 0)).then_some(36)
}

/// A `Miner` that mines each line shape once (see the module's notes): the same signatures
/// and counts as `Miner::add` on every line.
#[derive(Debug, Default)]
pub struct ShapeMiner {
    pub miner: Miner,
    /// A shape's hash -> where the shape is in `arena`, and its signature id. One arena and no
    /// key allocations: the table holds tens of thousands of shapes, refilled as it fills.
    shapes: HashMap<u64, (u32, u32, u32), BuildHasherDefault<WordHasher>>,
    arena: Vec<u8>,
    buf: Vec<u8>,
}

impl ShapeMiner {
    /// Adds one line; returns its signature id.
    pub fn add(&mut self, line: &str) -> u32 {
        if !shape(line, &mut self.buf) {
            return self.miner.add(line);
        }
        let mut h = WordHasher::default();
        h.write(&self.buf);
        let hash = h.finish();
        match self.shapes.get(&hash) {
            Some(&(from, to, id)) if self.arena[from as usize..to as usize] == self.buf[..] => {
                self.miner.recount(id, 1);
                id
            }
            // Another shape with this hash: mined directly, the table keeps the first.
            Some(_) => self.miner.add(line),
            None => {
                let id = self.miner.add(line);
                if self.shapes.len() == MAX_SHAPES {
                    self.shapes.clear();
                    self.arena.clear();
                }
                let from = self.arena.len() as u32;
                self.arena.extend_from_slice(&self.buf);
                self.shapes.insert(hash, (from, self.arena.len() as u32, id));
                id
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(line: &str) -> Vec<u8> {
        let mut out = Vec::new();
        assert!(shape(line, &mut out));
        out
    }

    #[test]
    fn values_masking_reads_by_class_share_a_shape() {
        assert_eq!(key("took 12 ms, retry 3"), key("took 99 ms, retry 7"));
        assert_eq!(key("trace_id=4bf92f3577b34da6a3ce929d0e0e4736"), key("trace_id=0123456789abcdef0123456789abcdef"));
        assert_eq!(key("id=123e4567-e89b-12d3-a456-426614174000 ok"), key("id=00000000-0000-0000-0000-00000000000a ok"));
        assert_eq!(
            key(r#"{"msg":"x","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}"#),
            key(r#"{"msg":"x","trace_id":"11111111111111111111111111111111"}"#)
        );
    }

    #[test]
    fn values_whose_digits_matter_keep_them() {
        // A constant with digits, digits' count (a date is four digits first), a hex id a
        // timestamp's scan could reach, JSON numbers and keys.
        assert_ne!(key("e1000"), key("e1001"));
        assert_ne!(key("at 2023-01-29"), key("at 202-01-29"));
        assert_ne!(key("2023-01-29T08:1a2b3c4d"), key("2023-01-29T08:12ab3c4d"));
        assert_ne!(key(r#"{"n":01}"#), key(r#"{"n":11}"#));
        assert_ne!(key(r#"{"12345678ab":"x"}"#), key(r#"{"12345678cd":"x"}"#));
        assert_ne!(key("id=deadbeefcafe"), key("id=deadbeefcaf1"));
    }

    /// A line made of text, and values filled in anew for each line made from it.
    #[derive(Debug, Clone)]
    enum Piece {
        Text(&'static str),
        Digits(usize),
        Hex(usize),
        Uuid,
        /// Three runs of one to four digits joined by `-`: dates and near-dates.
        Date,
    }

    const TEXT: &[&str] = &[
        " ",
        " ",
        "=",
        "\"",
        "'",
        ":",
        ",",
        ".",
        "-",
        "/",
        "[",
        "]",
        "{",
        "}",
        "(",
        ")",
        "+",
        "_",
        "\\",
        "\n ",
        "\t",
        "\u{1}",
        "://",
        "level",
        "msg",
        "message",
        "trace_id",
        "e",
        "x",
        "0x",
        "ms",
        "s",
        "d",
        "B",
        "T",
        "Z",
        "Dec",
        "Jan",
        "Mon",
        "true",
        "null",
        "root",
        "GET",
        "HTTP/1.1",
        "µs",
        "失败",
        "：",
        "，",
        "{\"msg\":\"",
        "\"}",
        "\":",
        ",\"",
        "{\"a\":",
        "[1, 2]",
    ];

    fn piece() -> impl Strategy<Value = Piece> {
        prop_oneof![
            4 => proptest::sample::select(TEXT).prop_map(Piece::Text),
            2 => (1usize..12).prop_map(Piece::Digits),
            1 => (6usize..40).prop_map(Piece::Hex),
            1 => Just(Piece::Uuid),
            1 => Just(Piece::Date),
        ]
    }

    /// `pieces` with values drawn from `seed` (xorshift): up to n digits, n hex digits in either case.
    fn fill(pieces: &[Piece], mut seed: u64) -> String {
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        // Sometimes hex letters alone: a hex id needs a digit.
        let hex: &[u8] = if next(4) == 0 { b"abcdef" } else { b"0123456789abcdefABCDEF" };
        let mut draw = |alphabet: &[u8], n: usize, out: &mut String| {
            // Numbers vary in length too: a shape must tell lengths apart where masking does.
            let n = if alphabet.len() == 10 { 1 + next(n) } else { n };
            for _ in 0..n {
                out.push(alphabet[next(alphabet.len())] as char);
            }
        };
        let mut out = String::new();
        for p in pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Digits(n) => draw(b"0123456789", *n, &mut out),
                Piece::Hex(n) => draw(hex, *n, &mut out),
                Piece::Uuid => {
                    for (k, n) in [8, 4, 4, 4, 12].into_iter().enumerate() {
                        if k > 0 {
                            out.push('-');
                        }
                        draw(hex, n, &mut out);
                    }
                }
                Piece::Date => {
                    for k in 0..3 {
                        if k > 0 {
                            out.push('-');
                        }
                        draw(b"0123456789", 4, &mut out);
                    }
                }
            }
        }
        out
    }

    /// A JSON object of a few fields: text, a bare number or a value piece in a string.
    fn json() -> impl Strategy<Value = Vec<Piece>> {
        let key = proptest::sample::select(&["\"msg\"", "\"a\"", "\"b\"", "\"trace_id\"", "\"c\\\":1,\""][..]);
        // Numbers of every length around the limits, signed, spaced, with exponents.
        let sign = proptest::sample::select(&["", "", "-", " ", " -", "- "][..]).prop_map(Piece::Text);
        let exponent = proptest::sample::select(&["", "", "", "e5", "E-3", "e308", "e400"][..]).prop_map(Piece::Text);
        let value = prop_oneof![
            proptest::collection::vec(piece(), 1..4).prop_map(|v| [vec![Piece::Text("\"")], v, vec![Piece::Text("\"")]].concat()),
            (sign.clone(), 1usize..22).prop_map(|(s, n)| vec![s, Piece::Digits(n)]),
            (sign, 1usize..18, 1usize..4, exponent).prop_map(|(s, a, b, e)| vec![
                s,
                Piece::Digits(a),
                Piece::Text("."),
                Piece::Digits(b),
                e
            ]),
        ];
        proptest::collection::vec((key, value), 1..4).prop_map(|fields| {
            let mut out = vec![Piece::Text("{")];
            for (i, (k, v)) in fields.into_iter().enumerate() {
                out.extend([Piece::Text(if i == 0 { "" } else { "," }), Piece::Text(k), Piece::Text(":")]);
                out.extend(v);
            }
            out.push(Piece::Text("}"));
            out
        })
    }

    /// Lines from a few skeletons, each filled in several times, in an interleaved order.
    fn lines() -> impl Strategy<Value = Vec<String>> {
        let skeleton = prop_oneof![3 => proptest::collection::vec(piece(), 1..16), 1 => json()];
        (proptest::collection::vec(skeleton, 1..6), proptest::collection::vec(any::<u64>(), 1..40))
            .prop_map(|(skeletons, seeds)| seeds.iter().enumerate().map(|(i, s)| fill(&skeletons[i % skeletons.len()], s | 1)).collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn shape_cached_mining_is_full_mining(lines in lines()) {
            let (mut full, mut shaped) = (Miner::new(), ShapeMiner::default());
            for line in &lines {
                let (a, b) = (full.add(line), shaped.add(line));
                prop_assert_eq!(full.signature(a), shaped.miner.signature(b), "{:?}", line);
            }
            prop_assert_eq!(full.templates(), shaped.miner.templates());
        }

        #[test]
        fn arbitrary_lines_mine_the_same(lines in proptest::collection::vec(".{0,80}", 1..20)) {
            let full = super::super::mine(lines.iter().map(String::as_str));
            let mut m = Miner::new();
            let ids: Vec<u32> = lines.iter().map(|l| m.add(l)).collect();
            let t = m.templates();
            prop_assert_eq!(full.assignment, ids.iter().map(|s| t.of_signature[*s as usize]).collect::<Vec<_>>());
            prop_assert_eq!(full.templates, t.list);
        }
    }
}
