//! Log levels and the one classifier that names them: a level word (`WARN`, `eror`, `panic`)
//! and a line's first level word. Every decoder, window detection, the pattern levels and the
//! ranking read levels through it, so a line is at the same level everywhere.

use serde::{Deserialize, Serialize};

/// Log levels, normalised the way Grafana's logs panel does.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Critical,
    Error,
    Warning,
    Info,
    Debug,
    Trace,
    #[default]
    Unknown,
}

/// The longest level word (`informational`).
const LONGEST_WORD: usize = 13;

impl Level {
    /// Every level, most severe first (the declaration's order).
    pub const ALL: [Level; 7] = [Level::Critical, Level::Error, Level::Warning, Level::Info, Level::Debug, Level::Trace, Level::Unknown];

    /// A level word, any case, surrounding space ignored: Grafana's `getLogLevelFromKey` words
    /// plus OTLP severity texts and `panic`, `severe`, `emergency`. Anything else is `Unknown`.
    pub fn from_text(s: &str) -> Level {
        let word = s.trim().as_bytes();
        if word.len() > LONGEST_WORD {
            return Level::Unknown;
        }
        let mut lower = [0u8; LONGEST_WORD];
        for (l, b) in lower.iter_mut().zip(word) {
            *l = b.to_ascii_lowercase();
        }
        Level::from_lowercase_word(&lower[..word.len()])
    }

    /// The vocabulary, on a lowercase word.
    fn from_lowercase_word(word: &[u8]) -> Level {
        match word {
            b"emerg" | b"emergency" | b"fatal" | b"alert" | b"crit" | b"critical" | b"panic" => Level::Critical,
            b"err" | b"eror" | b"error" | b"severe" => Level::Error,
            b"warn" | b"warning" => Level::Warning,
            b"info" | b"information" | b"informational" | b"notice" => Level::Info,
            b"dbug" | b"debug" => Level::Debug,
            b"trace" => Level::Trace,
            _ => Level::Unknown,
        }
    }

    /// The level named by the earliest level word in `line` (Grafana's `getLogLevel`: words are
    /// runs of `[A-Za-z0-9_]`, matched case-insensitively), or `Unknown`: the level of a record
    /// whose source gives none.
    pub fn in_text(line: &str) -> Level {
        let bytes = line.as_bytes();
        let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let mut i = 0;
        while i < bytes.len() {
            if !is_word(bytes[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && is_word(bytes[i]) {
                i += 1;
            }
            let word = &bytes[start..i];
            if (3..=LONGEST_WORD).contains(&word.len()) {
                let mut lower = [0u8; LONGEST_WORD];
                for (l, b) in lower.iter_mut().zip(word) {
                    *l = b.to_ascii_lowercase();
                }
                let level = Level::from_lowercase_word(&lower[..word.len()]);
                if level != Level::Unknown {
                    return level;
                }
            }
        }
        Level::Unknown
    }

    /// OTLP `severityNumber` (1-24).
    pub fn from_otlp_severity(n: i64) -> Level {
        match n {
            1..=4 => Level::Trace,
            5..=8 => Level::Debug,
            9..=12 => Level::Info,
            13..=16 => Level::Warning,
            17..=20 => Level::Error,
            21..=24 => Level::Critical,
            _ => Level::Unknown,
        }
    }

    /// Whether records at this level report a failure (window detection and the ranking count them).
    pub fn is_failure(self) -> bool {
        matches!(self, Level::Critical | Level::Error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_words() {
        assert_eq!(Level::from_text("WARN"), Level::Warning);
        assert_eq!(Level::from_text(" eror "), Level::Error);
        assert_eq!(Level::from_text("fatal"), Level::Critical);
        assert_eq!(Level::from_text("PANIC"), Level::Critical);
        assert_eq!(Level::from_text("informational"), Level::Info);
        assert_eq!(Level::from_text("banana"), Level::Unknown);
        assert_eq!(Level::from_text("informationally"), Level::Unknown);
    }

    #[test]
    fn a_line_is_at_the_level_of_its_first_level_word() {
        assert_eq!(Level::in_text("16:44:59.057 INFO  a.s.AssuranceServiceImpl#65 TraceID: ab error later"), Level::Info);
        assert_eq!(Level::in_text("level=eror msg=x"), Level::Error);
        assert_eq!(Level::in_text("[WARN] disk"), Level::Warning);
        assert_eq!(Level::in_text("TraceID: 1 errors=0 information_schema"), Level::Unknown);
        assert_eq!(Level::in_text("Fatal: out of memory"), Level::Critical);
        assert_eq!(Level::in_text("PANIC: out of memory"), Level::Critical);
        assert_eq!(Level::in_text("12:00 WARN x TraceID: adb7d7cd7bacac14b660068f57e44ad1 msg"), Level::Warning);
        assert_eq!(Level::in_text(""), Level::Unknown);
    }
}
