//! What a caller can set. Every home (panel, npm package, CLI) passes the same JSON, which
//! deserialises into `Options`; missing keys take the defaults documented on each field.

use serde::{Deserialize, Serialize};

use crate::time::{check_range, format_rfc3339, parse_timestamp};

/// A time range, half-open `[start, end)`, in ns since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub start_ns: i64,
    pub end_ns: i64,
}

impl TimeRange {
    /// A range inside the accepted times (1970..2200, `time::check_range`) that ends after it
    /// starts; anything else is an error saying which.
    pub fn new(start_ns: i64, end_ns: i64) -> Result<TimeRange, String> {
        check_range(start_ns).map_err(|e| format!("range start: {e}"))?;
        // The end is exclusive: 2200-01-01 itself may end a range.
        check_range(end_ns.saturating_sub(1)).map_err(|e| format!("range end: {e}"))?;
        if end_ns <= start_ns {
            return Err(format!("time range ends before it starts: {} .. {}", format_rfc3339(start_ns), format_rfc3339(end_ns)));
        }
        Ok(TimeRange { start_ns, end_ns })
    }

    pub fn contains(&self, t_ns: i64) -> bool {
        t_ns >= self.start_ns && t_ns < self.end_ns
    }

    /// Saturating: times come from untrusted input and may span the whole i64 range.
    pub fn duration_ns(&self) -> i64 {
        self.end_ns.saturating_sub(self.start_ns)
    }
}

/// On the wire: `{"start": "2023-01-29T08:43:00Z", "end": 1674981960000}`: each end an
/// RFC 3339 string or epoch milliseconds (JS numbers cannot hold epoch ns exactly).
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
struct TimeRangeWire {
    start: TimeWire,
    end: TimeWire,
}

#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
enum TimeWire {
    Rfc3339(String),
    EpochMs(f64),
}

impl TimeWire {
    fn ns(&self) -> Result<i64, String> {
        match self {
            TimeWire::Rfc3339(s) => parse_timestamp(s),
            // `as i64` saturates; out-of-range values fail in `TimeRange::new`'s range check.
            TimeWire::EpochMs(ms) if ms.is_finite() && (ms * 1e6).abs() < 9.2e18 => Ok((ms * 1e6).round() as i64),
            TimeWire::EpochMs(ms) => Err(format!("not a time: {ms}")),
        }
    }
}

impl Serialize for TimeRange {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        TimeRangeWire { start: TimeWire::Rfc3339(format_rfc3339(self.start_ns)), end: TimeWire::Rfc3339(format_rfc3339(self.end_ns)) }
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for TimeRange {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let wire = TimeRangeWire::deserialize(d)?;
        let (start, end) = (wire.start.ns(), wire.end.ns());
        TimeRange::new(start.map_err(serde::de::Error::custom)?, end.map_err(serde::de::Error::custom)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for TimeRange {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TimeRange".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        TimeRangeWire::json_schema(g)
    }
}

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
