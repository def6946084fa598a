//! What a caller can set. Every home (panel, npm package, CLI) passes the same JSON, which
//! deserialises into `Options`; missing keys take the defaults documented on each field.

use serde::{Deserialize, Serialize};

use crate::base::TimeRange;

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
        serde_json::from_str(text).map_err(|e| format!("options: {e}"))
    }
}
