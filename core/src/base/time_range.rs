//! `TimeRange`: the window, the baseline, any range of record times.

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
