//! Tokenising: a log record into the words the miner compares.
//!
//! What is mined is the record's *message*:
//! - A JSON object line with a message field (`msg`, `message`, `body`, ...: zap, logrus, slog,
//!   OpenTelemetry's `Body`) is that field's text; the other fields are the record's parameters,
//!   not its template, so one event logged with and without an optional field (a trace id, a
//!   logger group) is one pattern. A JSON line without a message field is flattened into
//!   `key=value` words (nested keys joined with dots, in key order), values masked by shape.
//! - A logfmt line (`key=value` words, one of them a message key: logrus text, slog's text
//!   handler) is likewise its message value's text.
//! - A multi-line record (a Java error with its stack, as the ingest folds it) is its lines up to
//!   the first indented continuation line, then one variable for the rest: the frames,
//!   `Caused by:` sections and `... N more` are a variable-length list.
//! - Otherwise the whole line.
//!
//! Text splits at whitespace, except that a double-quoted span, or a single-quoted one that
//! opens a word (`'a b'`, `Error('x y')`), stays one word (a quoted value with spaces does not
//! change the word count), and a bracketed span that is an object dump or an embedded JSON
//! document (`{"k": 1}`, `Dto{id=1, n=2}`, `{'id': 3}`: it holds a comma, a quote, `:` or `=`)
//! or a positional request context with `-` placeholders (`[req-1 u2 - - -]`) becomes one
//! variable word with its brackets: `{<*>}`, `[<*>]`. Full-width punctuation inside a word
//! (`原因：`, `，`) ends the word without a space (CJK text has none), so a value glued to it is
//! a word of its own.

use super::mask::{GLUE, VAR};

/// Keys whose value is the log message itself, in JSON and logfmt lines.
pub const MESSAGE_KEYS: [&str; 6] = ["msg", "message", "body", "Body", "log", "MESSAGE"];

/// The longest bracketed span looked at as one variable (bounds the scan on hostile input).
const MAX_SPAN: usize = 16 * 1024;

/// Calls `word` for each word of `line`, in order.
pub fn for_each_word(line: &str, word: &mut impl FnMut(&str)) {
    let (message, detail) = split_detail(line);
    let trimmed = message.trim_start();
    if trimmed.starts_with('{') {
        // Most JSON lines carry a message: read it without building the document (a map and a
        // string per field); only a valid object without one is parsed whole, to be flattened.
        if let Ok(message) = serde_json::from_str::<JsonMessage>(trimmed) {
            match message.text() {
                Some(text) => plain_words(&text, word),
                None => {
                    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(trimmed) {
                        json_words(&map, word);
                    }
                }
            }
            return;
        }
    }
    match logfmt_message(message) {
        Some(text) => plain_words(text, word),
        None => plain_words(message, word),
    }
    if detail {
        word(VAR);
    }
}

/// A multi-line record's message (up to its first indented continuation line) and whether
/// indented detail follows.
fn split_detail(record: &str) -> (&str, bool) {
    let b = record.as_bytes();
    let mut at = 0;
    while let Some(nl) = b[at..].iter().position(|c| *c == b'\n') {
        let next = at + nl + 1;
        if matches!(b.get(next), Some(b' ' | b'\t')) && !record[next..].trim_start().is_empty() {
            return (record[..at + nl].trim_end(), true);
        }
        at = next;
    }
    (record, false)
}

/// The message of a logfmt line: the value of its message key, when the line holds another
/// `key=value` word too and is mostly such words, each key a plain name. A lone `msg=` in
/// prose is not logfmt, nor is a Java object dump inside a sentence
/// (`[num is: Response(status=1, msg=Get Left Ticket, data=3)]`): its `msg=` names a field of
/// the dump, and taking its first word as the message would mine every such line as `Get`.
fn logfmt_message(line: &str) -> Option<&str> {
    let b = line.as_bytes();
    let (mut pairs, mut others, mut message) = (0usize, 0usize, None);
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' {
            i += 1;
        }
        let key = &line[start..i];
        let named = !key.is_empty() && key.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'));
        if i >= b.len() || b[i] != b'=' || !named {
            // Not a `key=` word: skip it (quoted spans whole).
            skip_value(b, &mut i);
            others += 1;
            continue;
        }
        i += 1;
        let value_start = i;
        skip_value(b, &mut i);
        pairs += 1;
        if message.is_none() && MESSAGE_KEYS.contains(&key) {
            let v = &line[value_start..i];
            message = Some(v.strip_prefix('"').map_or(v, |v| v.strip_suffix('"').unwrap_or(v)));
        }
    }
    message.filter(|_| pairs >= 2 && pairs > others)
}

/// Advances `i` past a value: to the next whitespace, a double-quoted span counting as one.
fn skip_value(b: &[u8], i: &mut usize) {
    while *i < b.len() && !b[*i].is_ascii_whitespace() {
        if b[*i] == b'"' {
            if let Some(close) = closing_quote(b, *i + 1) {
                *i = close;
            }
        }
        *i += 1;
    }
}

/// The index of the `"` closing a quoted span whose text starts at `from` (backslash escapes skipped).
fn closing_quote(b: &[u8], from: usize) -> Option<usize> {
    let mut j = from;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return Some(j),
            _ => j += 1,
        }
    }
    None
}

/// The index just past the bracket closing the one at `open` (of the same kind), when the
/// span is balanced (quoted text skipped) and not longer than `MAX_SPAN`.
fn closing_bracket(b: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut j = open;
    let end = b.len().min(open + MAX_SPAN);
    while j < end {
        match b[j] {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    let same_kind = (b[open] == b'[') == (b[j] == b']');
                    return same_kind.then_some(j + 1);
                }
            }
            b'"' => j = closing_quote(b, j + 1)?,
            _ => {}
        }
        j += 1;
    }
    None
}

/// Whether the bracketed span `span` (brackets included) is one variable: an object dump or
/// JSON document (`{...}` holding a comma, a quote, `:` or `=`), a list (`[...]` of two items
/// or more, each one token: `[1, 2, 3]`, `[a.example.com, b]`, `["x", 'y']`), or a request
/// context of positional fields with `-` placeholders (`[req-1 u2 - - -]`). A bracket holding
/// phrases (`[num is: Response(status=0, msg=ok)]`, as Java services log a message) is words:
/// its items have spaces inside, so it is text to mine, not a value.
fn is_variable_span(span: &str) -> bool {
    let inner = &span[1..span.len() - 1];
    let dump = span.starts_with('{') && inner.contains([',', '"', '\'', ':', '=']);
    let token = |item: &str| {
        let t = item.trim();
        let quoted = t.len() >= 2 && (t.starts_with('"') && t.ends_with('"') || t.starts_with('\'') && t.ends_with('\''));
        !t.is_empty() && (quoted || !t.contains(|c: char| c.is_whitespace() || "=()[]{}\"'".contains(c)))
    };
    let list = span.starts_with('[') && inner.contains(',') && inner.split(',').all(token);
    // A context is positional: ids, names and `-`, no punctuation that names or separates fields.
    let context = !inner.contains([':', '=', ',', '(', '"']) && inner.split_ascii_whitespace().any(|w| w == "-");
    dump || list || context
}

/// The index of the `'` closing a single-quoted span opened at `open`, when the quote opens a
/// word (`'a b'`, `('x')`, `='y'`) and the closing one ends it: an apostrophe inside a word
/// (`customer's`, `l'entrepôt`) opens nothing.
fn closing_single_quote(b: &[u8], word_start: usize, open: usize) -> Option<usize> {
    let opens = open == word_start || matches!(b[open - 1], b'(' | b'[' | b'{' | b'=' | b',' | b':');
    if !opens {
        return None;
    }
    let end = b.len().min(open + MAX_SPAN);
    let mut j = open + 1;
    while j < end {
        match b[j] {
            b'\\' => j += 2,
            b'\'' if j > open + 1 && b.get(j + 1).is_none_or(|c| c.is_ascii_whitespace() || b")]},:;.".contains(c)) => return Some(j),
            b'\n' => return None,
            _ => j += 1,
        }
    }
    None
}

fn plain_words(line: &str, word: &mut impl FnMut(&str)) {
    let b = line.as_bytes();
    let mut folded = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        // Set when a bracketed span inside the word became `<*>`: the word is rebuilt in `folded`.
        let mut rebuilt = false;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            match b[i] {
                b'"' | b'\'' => {
                    let close = if b[i] == b'"' { closing_quote(b, i + 1) } else { closing_single_quote(b, start, i) };
                    if let Some(close) = close {
                        if rebuilt {
                            folded.push_str(&line[i..=close]);
                        }
                        i = close + 1;
                        continue;
                    }
                }
                b'[' | b'{' => {
                    if let Some(end) = closing_bracket(b, i).filter(|end| is_variable_span(&line[i..*end])) {
                        if !rebuilt {
                            folded.clear();
                            folded.push_str(&line[start..i]);
                            rebuilt = true;
                        }
                        folded.push(b[i] as char);
                        folded.push_str(VAR);
                        folded.push(b[end - 1] as char);
                        i = end;
                        continue;
                    }
                }
                // Full-width punctuation inside a word is a word break without a space (CJK
                // writing has none): `失败：10.0.0.1，将在` is `失败：`, `10.0.0.1，`, `将在`.
                0xc0.. => {
                    let c = line[i..].chars().next().expect("inside the line");
                    let after = i + c.len_utf8();
                    if is_fullwidth_punctuation(c) && b.get(after).is_some_and(|n| !n.is_ascii_whitespace()) {
                        if !rebuilt {
                            folded.clear();
                            folded.push_str(&line[start..i]);
                            rebuilt = true;
                        }
                        folded.push(c);
                        folded.push(GLUE);
                        i = after;
                        break;
                    }
                }
                _ => {}
            }
            if rebuilt {
                let c = line[i..].chars().next().expect("inside the line");
                folded.push(c);
                i += c.len_utf8();
            } else {
                i += 1;
            }
        }
        if rebuilt {
            word(&folded);
        } else if start < i {
            word(&line[start..i]);
        }
    }
}

/// CJK punctuation (`、。「」【】`) and the full-width forms of ASCII punctuation (`，：；！？（）`).
fn is_fullwidth_punctuation(c: char) -> bool {
    matches!(c, '\u{3001}'..='\u{3003}' | '\u{3008}'..='\u{3011}' | '\u{3014}'..='\u{301f}')
        || matches!(c, '\u{ff01}'..='\u{ff0f}' | '\u{ff1a}'..='\u{ff20}' | '\u{ff3b}'..='\u{ff40}' | '\u{ff5b}'..='\u{ff65}')
}

/// A JSON object line's message fields, read in one pass that checks the whole line as
/// `serde_json::Value` would (same syntax, depth and number errors: every value goes through
/// `deserialize_any`) but keeps only the values of `MESSAGE_KEYS`.
struct JsonMessage {
    /// Per message key: absent (`None`), or its last value (a repeated key's last wins, as in a
    /// `Value` map): its text when a string, `None` otherwise.
    values: [Option<Option<String>>; MESSAGE_KEYS.len()],
}

impl JsonMessage {
    /// The first message key's text that is a string, in `MESSAGE_KEYS` order.
    fn text(self) -> Option<String> {
        self.values.into_iter().find_map(|v| v.flatten())
    }
}

impl<'de> serde::Deserialize<'de> for JsonMessage {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<JsonMessage, D::Error> {
        d.deserialize_any(MessageVisitor)
    }
}

struct MessageVisitor;

impl<'de> serde::de::Visitor<'de> for MessageVisitor {
    type Value = JsonMessage;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<JsonMessage, A::Error> {
        let mut message = JsonMessage { values: Default::default() };
        while let Some(key) = map.next_key::<MessageKey>()? {
            match key.0 {
                Some(k) => message.values[k] = Some(map.next_value_seed(Checked { keep: true })?),
                None => {
                    map.next_value_seed(Checked { keep: false })?;
                }
            }
        }
        Ok(message)
    }
}

/// An object key: which of `MESSAGE_KEYS` it is, if any (read without allocating).
struct MessageKey(Option<usize>);

impl<'de> serde::Deserialize<'de> for MessageKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<MessageKey, D::Error> {
        struct KeyVisitor;
        impl serde::de::Visitor<'_> for KeyVisitor {
            type Value = MessageKey;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<MessageKey, E> {
                Ok(MessageKey(MESSAGE_KEYS.iter().position(|k| *k == key)))
            }
        }
        d.deserialize_any(KeyVisitor)
    }
}

/// Any JSON value, checked as `Value` checks it and dropped; with `keep`, its text is kept when
/// it is a string (only message values are kept: most fields are dropped unread).
#[derive(Clone, Copy)]
struct Checked {
    keep: bool,
}

impl<'de> serde::de::DeserializeSeed<'de> for Checked {
    type Value = Option<String>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Checked {
    type Value = Option<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Option<String>, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Option<String>, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Option<String>, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Option<String>, E> {
        Ok(None)
    }
    fn visit_str<E>(self, text: &str) -> Result<Option<String>, E> {
        Ok(self.keep.then(|| text.to_string()))
    }
    fn visit_unit<E>(self) -> Result<Option<String>, E> {
        Ok(None)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Option<String>, A::Error> {
        while seq.next_element_seed(Checked { keep: false })?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
        let drop = Checked { keep: false };
        while map.next_entry_seed(drop, drop)?.is_some() {}
        Ok(None)
    }
}

fn json_words(map: &serde_json::Map<String, serde_json::Value>, word: &mut impl FnMut(&str)) {
    let mut buf = String::new();
    flatten("", map, &mut buf, word);
}

fn flatten(prefix: &str, map: &serde_json::Map<String, serde_json::Value>, buf: &mut String, word: &mut impl FnMut(&str)) {
    for (key, value) in map {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match value {
            serde_json::Value::Object(inner) => flatten(&path, inner, buf, word),
            serde_json::Value::String(s) => {
                buf.clear();
                buf.push_str(&path);
                buf.push('=');
                // Whitespace inside a value would make it several words; it is one value.
                buf.extend(s.chars().map(|c| if c.is_whitespace() { '_' } else { c }));
                word(buf);
            }
            other => {
                buf.clear();
                buf.push_str(&path);
                buf.push('=');
                buf.push_str(&other.to_string().replace(char::is_whitespace, "_"));
                word(buf);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_word(line, &mut |w| out.push(w.to_string()));
        out
    }

    #[test]
    fn splits_plain_text_at_whitespace() {
        assert_eq!(words("  a  b\tc "), ["a", "b", "c"]);
        assert!(words("").is_empty());
    }

    #[test]
    fn keeps_quoted_values_whole() {
        assert_eq!(words(r#"user="Jane Doe" ok"#), [r#"user="Jane Doe""#, "ok"]);
        assert_eq!(words(r#"say "hi there" now"#), ["say", r#""hi there""#, "now"]);
        assert_eq!(words("raised Error('no such host') for 'a b': x"), ["raised", "Error('no such host')", "for", "'a b':", "x"]);
        // Apostrophes inside words open nothing.
        assert_eq!(words("customer's order l'entrepôt 'tis"), ["customer's", "order", "l'entrepôt", "'tis"]);
        // An unterminated quote is just a character.
        assert_eq!(words(r#"a "b c"#), ["a", "\"b", "c"]);
    }

    #[test]
    fn logfmt_lines_are_their_message() {
        assert_eq!(words(r#"level=info msg="user logged in" id=4"#), ["user", "logged", "in"]);
        assert_eq!(words(r#"time=x level=INFO msg=started"#), ["started"]);
        // A lone `msg=` in prose is not logfmt.
        assert_eq!(words(r#"set msg="a b" now"#), ["set", r#"msg="a b""#, "now"]);
        // Nor is an object dump in a sentence, whose fields include a `msg=`.
        let dump = "INFO a.Svc#5 [get][num is: Response(status=1, msg=Get Left Ticket, data=3)]";
        assert_eq!(words(dump), ["INFO", "a.Svc#5", "[get][num", "is:", "Response(status=1,", "msg=Get", "Left", "Ticket,", "data=3)]"]);
    }

    #[test]
    fn json_lines_are_their_message_or_their_fields() {
        assert_eq!(words(r#"{"msg":"disk full on node","level":"error","ctx":{"node":7,"path":"/a b"}}"#), ["disk", "full", "on", "node"]);
        assert_eq!(words(r#"{"Body":"sent","Attributes":{"k":1}}"#), ["sent"]);
        assert_eq!(words(r#"{"level":"error","ctx":{"node":7,"path":"/a b"}}"#), ["ctx.node=7", "ctx.path=/a_b", "level=error"]);
        // Not an object: plain text.
        assert_eq!(words("{not json"), ["{not", "json"]);
    }

    #[test]
    fn lists_dumps_and_contexts_are_one_variable() {
        assert_eq!(words("ids [1, 2, 3] done"), ["ids", "[<*>]", "done"]);
        assert_eq!(words("on [a.example.com, 10.0.0.1:80] ['x', \"y z\"]"), ["on", "[<*>]", "[<*>]"]);
        // Phrases in brackets are a message, not a list.
        assert_eq!(words("[num is: Response(status=0, msg=ok)]"), ["[num", "is:", "Response(status=0,", "msg=ok)]"]);
        assert_eq!(words("[one]"), ["[one]"]);
        assert_eq!(words("made {'id': 3}"), ["made", "{<*>}"]);
        assert_eq!(words(r#"payload={"a": [1, 2], "b": "x]"} ok"#), ["payload={<*>}", "ok"]);
        assert_eq!(words("made Dto{id=1, n=[a, b]}."), ["made", "Dto{<*>}."]);
        assert_eq!(words("x [req-1 ab - - -] y"), ["x", "[<*>]", "y"]);
        assert_eq!(words("x [-] y"), ["x", "[<*>]", "y"]);
        // A bracket holding one value is masked as usual; an unbalanced one is text.
        assert_eq!(words("[file=a] [x"), ["[file=a]", "[x"]);
    }

    #[test]
    fn full_width_punctuation_breaks_words_without_a_space() {
        assert_eq!(words("连接失败：10.0.0.1，将在 5s 后重试"), ["连接失败：\u{1e}", "10.0.0.1，\u{1e}", "将在", "5s", "后重试"]);
        assert_eq!(words("完成。"), ["完成。"]);
    }

    #[test]
    fn stacks_are_one_variable_after_the_exception_line() {
        let record = "12:00 ERROR failed\njava.lang.X: boom\n\tat a.b(C.java:1)\n\tat d.e(F.java:2)\nCaused by: y\n\t... 3 more";
        assert_eq!(words(record), ["12:00", "ERROR", "failed", "java.lang.X:", "boom", "<*>"]);
        assert_eq!(words("a\nb"), ["a", "b"]);
    }
}
