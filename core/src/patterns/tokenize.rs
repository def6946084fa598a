//! Tokenising: a log line into the words the miner compares.
//!
//! Plain text splits at whitespace, except that a double-quoted span stays one word (so a
//! quoted value with spaces does not change the word count) unless it is the value of a
//! message key (`msg="..."`), which is the text to mine. A line that is a JSON object is
//! flattened: the message field's words first, then `key=value` words for the other fields
//! in key order, nested keys joined with dots.

/// Keys whose value is the log message itself, in JSON and logfmt lines.
const MESSAGE_KEYS: [&str; 5] = ["msg", "message", "body", "log", "MESSAGE"];

/// Calls `word` for each word of `line`, in order.
pub fn for_each_word(line: &str, word: &mut impl FnMut(&str)) {
    let trimmed = line.trim_start();
    if trimmed.starts_with('{') {
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(trimmed) {
            json_words(&map, word);
            return;
        }
    }
    plain_words(line, word);
}

fn plain_words(line: &str, word: &mut impl FnMut(&str)) {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let mut start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            if b[i] == b'"' {
                if let Some(close) = b[i + 1..].iter().position(|c| *c == b'"') {
                    let key = &line[start..i];
                    if key.strip_suffix('=').is_some_and(|k| MESSAGE_KEYS.contains(&k)) {
                        // `msg="a b c"`: the key, then the value's words.
                        word(key);
                        plain_words(&line[i + 1..i + 1 + close], word);
                        start = i + close + 2;
                    }
                    i += close + 1;
                }
            }
            i += 1;
        }
        let end = i.min(b.len());
        if start < end {
            word(&line[start..end]);
        }
    }
}

fn json_words(map: &serde_json::Map<String, serde_json::Value>, word: &mut impl FnMut(&str)) {
    for key in MESSAGE_KEYS {
        if let Some(serde_json::Value::String(text)) = map.get(key) {
            plain_words(text, word);
        }
    }
    let mut buf = String::new();
    flatten("", map, &mut buf, word);
}

fn flatten(prefix: &str, map: &serde_json::Map<String, serde_json::Value>, buf: &mut String, word: &mut impl FnMut(&str)) {
    for (key, value) in map {
        let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        if prefix.is_empty() && MESSAGE_KEYS.contains(&key.as_str()) && value.is_string() {
            continue;
        }
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
        // An unterminated quote is just a character.
        assert_eq!(words(r#"a "b c"#), ["a", "\"b", "c"]);
    }

    #[test]
    fn splits_message_values_into_words() {
        assert_eq!(words(r#"level=info msg="user logged in" id=4"#), ["level=info", "msg=", "user", "logged", "in", "id=4"]);
    }

    #[test]
    fn flattens_json_objects() {
        assert_eq!(
            words(r#"{"msg":"disk full on node","level":"error","ctx":{"node":7,"path":"/a b"}}"#),
            ["disk", "full", "on", "node", "ctx.node=7", "ctx.path=/a_b", "level=error"]
        );
        // Not an object: plain text.
        assert_eq!(words("{not json"), ["{not", "json"]);
    }
}
