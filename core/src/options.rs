//! What a caller can set. Every home (panel, npm package, CLI) passes the same JSON, which
//! deserialises into `Options`; missing keys take the defaults documented on each field.

use serde::{Deserialize, Serialize};

use crate::base::TimeRange;

/// The most candidates a report lists.
pub const MAX_TOP: usize = 1000;

/// Options of one analysis.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// The incident window. Default: found from the data (where errors or latency change).
    pub window: Option<TimeRange>,
    /// The baseline to compare against. Default: the same length right before the window.
    pub baseline: Option<TimeRange>,
    /// How many candidates the report lists. Default 10.
    pub top: usize,
    /// How records are joined on trace id and mapped to services.
    pub correlation: crate::correlate::CorrelateOptions,
    /// Log pattern mining and aggregation.
    pub patterns: crate::patterns::PatternOptions,
    /// Root-cause scoring: which sources it uses, weight overrides.
    pub rank: crate::rank::RankOptions,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            window: None,
            baseline: None,
            top: 10,
            correlation: Default::default(),
            patterns: Default::default(),
            rank: Default::default(),
        }
    }
}

impl Options {
    /// Parses options JSON; an empty string means the defaults.
    pub fn from_json(text: &str) -> Result<Options, String> {
        if text.trim().is_empty() {
            return Ok(Options::default());
        }
        let options: Options = serde_json::from_str(text).map_err(|e| format!("options: {e}"))?;
        options.validate()?;
        Ok(options)
    }

    /// What the types cannot say: a candidate count that lists something and stays readable,
    /// and a baseline that is not the window itself (comparing a window with itself finds
    /// nothing and says so with confidence).
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_TOP).contains(&self.top) {
            return Err(format!("options: top must be 1..={MAX_TOP}, got {}", self.top));
        }
        if let (Some(w), Some(b)) = (self.window, self.baseline) {
            if w == b {
                return Err("options: the baseline equals the window; give a baseline before the incident".to_string());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_options_are_errors_that_say_why() {
        let w = r#"{"start":"2023-01-29T08:43:00Z","end":"2023-01-29T08:53:00Z"}"#;
        for (json, words) in [
            (r#"{"top":0}"#.to_string(), "top must be 1..=1000"),
            (r#"{"top":1001}"#.to_string(), "top must be 1..=1000"),
            (format!(r#"{{"window":{w},"baseline":{w}}}"#), "baseline equals the window"),
            (r#"{"window":{"start":"2023-01-29T08:43:00+€00","end":1}}"#.to_string(), "not an RFC 3339 time"),
            (r#"{"window":{"start":1e300,"end":2e300}}"#.to_string(), "not a time"),
            (r#"{"window":{"start":"2262-01-01T00:00:00Z","end":"2262-01-02T00:00:00Z"}}"#.to_string(), "outside the accepted range"),
            (r#"{"window":{"start":-5,"end":5}}"#.to_string(), "range start"),
            (r#"{"window":{"start":5,"end":5}}"#.to_string(), "ends before it starts"),
            (r#"{"wndow":{}}"#.to_string(), "unknown field"),
        ] {
            let e = Options::from_json(&json).unwrap_err();
            assert!(e.contains(words), "{json}: {e}");
        }
        assert_eq!(Options::from_json(&format!(r#"{{"window":{w},"top":1000}}"#)).map(|o| o.top), Ok(1000));
    }
}
