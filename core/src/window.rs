//! The incident window and its baseline: as given, or found from the data.
//!
//! Found: the time range the spans and logs cover is cut into buckets; in each, the share of
//! failing spans and error lines, and the median duration of requests entering services.
//! The window starts where one of them changes most (the split that maximises the robust
//! standardised difference of the means after and before) and runs to the end of the data;
//! the baseline is the part of the range before it. A given window without a baseline gets
//! the same length right before it.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::base::stats::{mad, median};
use crate::base::TimeRange;
use crate::model::{Dataset, SpanStatus};

/// Buckets the range is cut into for detection.
const BUCKETS: usize = 60;
/// The window never starts in the first buckets: a baseline needs some length.
const MIN_BASELINE_BUCKETS: usize = 6;
/// Below this standardised change, nothing changed: the last quarter is the window.
const MIN_CHANGE: f64 = 3.0;

/// The windows an analysis compares, and how they were chosen.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Windows {
    /// `None` when the data holds no timestamps at all.
    pub window: Option<TimeRange>,
    /// `None` when nothing precedes the window.
    pub baseline: Option<TimeRange>,
    /// `given` (both from options), `given_window` (baseline placed right before it),
    /// `detected` (where errors or latency change) or `undetected` (no change found: the
    /// last quarter of the range).
    pub source: Cow<'static, str>,
}

/// The windows for `window` and `baseline` as the options give them (either may be absent).
pub fn choose(ds: &Dataset, window: Option<TimeRange>, baseline: Option<TimeRange>) -> Windows {
    match (window, baseline) {
        (Some(w), Some(b)) => Windows { window: Some(w), baseline: Some(b), source: "given".into() },
        (Some(w), None) => Windows {
            window: Some(w),
            baseline: TimeRange::new(w.start_ns.saturating_sub(w.duration_ns()), w.start_ns).ok(),
            source: "given_window".into(),
        },
        (None, _) => detect(ds),
    }
}

/// Per bucket: (failures, events) and the entry-span durations.
fn detect(ds: &Dataset) -> Windows {
    let times = ds.spans.start_ns.iter().chain(&ds.logs.time_ns);
    let (Some(lo), Some(hi)) = (times.clone().min().copied(), times.max().copied()) else {
        return Windows { window: None, baseline: None, source: "undetected".into() };
    };
    // i128: times are untrusted input and may span the whole i64 range.
    let width = ((i128::from(hi) - i128::from(lo)) / BUCKETS as i128).max(1);
    let bucket = |t: i64| ((i128::from(t) - i128::from(lo)) / width).clamp(0, BUCKETS as i128 - 1) as usize;
    let mut fails = vec![0f64; BUCKETS];
    let mut events = vec![0f64; BUCKETS];
    let mut durations: Vec<Vec<f64>> = vec![Vec::new(); BUCKETS];
    let has_parent: std::collections::HashSet<(crate::TraceId, crate::SpanId)> =
        (0..ds.spans.len()).map(|r| (ds.spans.trace[r], ds.spans.span[r])).collect();
    for r in 0..ds.spans.len() {
        let b = bucket(ds.spans.start_ns[r]);
        events[b] += 1.0;
        if ds.spans.status[r] == SpanStatus::Error {
            fails[b] += 1.0;
        }
        if ds.spans.parent[r].is_none_or(|p| !has_parent.contains(&(ds.spans.trace[r], p))) {
            durations[b].push(ds.spans.duration_ns[r] as f64);
        }
    }
    for r in 0..ds.logs.len() {
        let b = bucket(ds.logs.time_ns[r]);
        events[b] += 1.0;
        if ds.logs.level[r].is_failure() {
            fails[b] += 1.0;
        }
    }
    let error_rate: Vec<f64> = fails.iter().zip(&events).map(|(f, e)| if *e > 0.0 { f / e } else { 0.0 }).collect();
    let latency: Vec<f64> = durations.iter().map(|d| median(d).map_or(0.0, |m| libm::log(m + 1.0))).collect();
    let best =
        [change_point(&error_rate), change_point(&latency)].into_iter().flatten().max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
    let split = match best {
        Some((i, score)) if score >= MIN_CHANGE => i128::from(lo) + i as i128 * width,
        _ => i128::from(hi) - (i128::from(hi) - i128::from(lo)) / 4,
    };
    let split = split.clamp(i128::from(lo), i128::from(hi)) as i64;
    let detected = best.is_some_and(|(_, s)| s >= MIN_CHANGE);
    Windows {
        window: TimeRange::new(split, hi.saturating_add(1)).ok(),
        baseline: TimeRange::new(lo, split).ok(),
        source: if detected { "detected" } else { "undetected" }.into(),
    }
}

/// The split `i` maximising (mean after - mean before) / robust spread before, with its score.
fn change_point(xs: &[f64]) -> Option<(usize, f64)> {
    let mut best: Option<(usize, f64)> = None;
    for i in MIN_BASELINE_BUCKETS..xs.len().saturating_sub(1) {
        let (before, after) = xs.split_at(i);
        let center = median(before)?;
        let spread = mad(before, center).max(1e-3 * center.abs()).max(1e-9);
        let mean_after = after.iter().sum::<f64>() / after.len() as f64;
        let score = (mean_after - center) / spread;
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((i, score));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LabelSetId, SourceId, SpanKind, SpanRow, SpanStatus};
    use crate::{SpanId, TraceId};

    fn span(ds: &mut Dataset, i: u64, start_s: i64, dur_ms: i64, status: SpanStatus) {
        let op = ds.strings.intern("GET /");
        ds.spans.push(SpanRow {
            trace: TraceId::new(i as u128 + 1).unwrap(),
            span: SpanId::new(i + 1).unwrap(),
            parent: None,
            resource: LabelSetId(0),
            operation: op,
            kind: SpanKind::Server,
            start_ns: start_s * 1_000_000_000,
            duration_ns: dur_ms * 1_000_000,
            status,
            status_message: None,
            attributes: LabelSetId(0),
            source: SourceId(0),
        });
    }

    #[test]
    fn given_window_gets_a_baseline_right_before() {
        let w = TimeRange::new(100, 160).unwrap();
        let got = choose(&Dataset::default(), Some(w), None);
        assert_eq!(got.baseline, Some(TimeRange::new(40, 100).unwrap()));
        assert_eq!(got.source, "given_window");
    }

    #[test]
    fn detects_where_errors_start() {
        let mut ds = Dataset::default();
        for s in 0..600 {
            let failing = s >= 450 && s % 2 == 0;
            span(&mut ds, s as u64, s, 20 + (s % 7), if failing { SpanStatus::Error } else { SpanStatus::Ok });
        }
        let got = choose(&ds, None, None);
        assert_eq!(got.source, "detected");
        let w = got.window.unwrap();
        assert!((w.start_ns / 1_000_000_000 - 450).abs() <= 10, "{w:?}");
        assert_eq!(got.baseline.unwrap().end_ns, w.start_ns);
    }

    #[test]
    fn detects_where_latency_grows_and_handles_no_data() {
        let mut ds = Dataset::default();
        for s in 0..600 {
            span(&mut ds, s as u64, s, if s >= 300 { 400 } else { 20 + (s % 5) }, SpanStatus::Ok);
        }
        let w = choose(&ds, None, None).window.unwrap();
        assert!((w.start_ns / 1_000_000_000 - 300).abs() <= 10, "{w:?}");
        let empty = choose(&Dataset::default(), None, None);
        assert_eq!((empty.window, empty.source.as_ref()), (None, "undetected"));
    }
}
