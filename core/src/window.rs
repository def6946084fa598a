//! The incident window and its baseline: as given, or found from the data.
//!
//! Found: `onset` looks for the earliest sustained change over every signal (errors,
//! latency, throughput per service, log templates appearing and going missing, metrics) and
//! the window runs from there to the end of that stretch of data; the baseline is the data
//! before it (or after the window when too little precedes it). The candidate onsets it
//! considered are listed with the windows, so a reader can pick another. A given window
//! without a baseline gets the same length right before it.

mod onset;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

pub use onset::OnsetCandidate;

use crate::base::TimeRange;
use crate::correlate::Correlation;
use crate::model::Dataset;

/// The windows an analysis compares, and how they were chosen.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Windows {
    /// `None` when the data holds no timestamps at all.
    pub window: Option<TimeRange>,
    /// `None` when nothing precedes the window.
    pub baseline: Option<TimeRange>,
    /// `given` (both from options), `given_window` (baseline placed right before it),
    /// `detected` (the earliest sustained change) or `undetected` (no change found: the
    /// last quarter of the range).
    pub source: Cow<'static, str>,
    /// When detected (or undetected): the candidate onsets considered, in time order, the
    /// chosen one marked. Empty for given windows.
    pub onsets: Vec<OnsetCandidate>,
}

/// Log lines grouped by what they say: each line's template, each template's group and each
/// group's text. The session gives the miner's template families (mining needs no window, so
/// it runs first); detection reads a group's share of the lines (a new message, a usual one
/// gone missing).
pub struct LineGroups<'a> {
    pub template: &'a [u32],
    pub group: &'a [usize],
    pub names: &'a [String],
}

impl LineGroups<'_> {
    /// Log row `row`'s group, when it was mined.
    pub fn of_line(&self, row: usize) -> Option<usize> {
        self.template.get(row).map(|t| self.group[*t as usize])
    }
}

/// The windows for `window` and `baseline` as the options give them (either may be absent);
/// with no window, detected from the data.
pub fn choose(ds: &Dataset, corr: &Correlation, lines: &LineGroups, window: Option<TimeRange>, baseline: Option<TimeRange>) -> Windows {
    match (window, baseline) {
        (Some(w), Some(b)) => Windows { window: Some(w), baseline: Some(b), source: "given".into(), onsets: Vec::new() },
        (Some(w), None) => Windows {
            window: Some(w),
            baseline: TimeRange::new(w.start_ns.saturating_sub(w.duration_ns()), w.start_ns).ok(),
            source: "given_window".into(),
            onsets: Vec::new(),
        },
        (None, _) => detect(ds, corr, lines),
    }
}

fn detect(ds: &Dataset, corr: &Correlation, lines: &LineGroups) -> Windows {
    let undetected = |onsets| Windows { window: None, baseline: None, source: "undetected".into(), onsets };
    let Some(found) = onset::detect(ds, corr, lines) else {
        return undetected(Vec::new());
    };
    if let Some((window, baseline)) = found.chosen {
        return Windows { window: Some(window), baseline, source: "detected".into(), onsets: found.candidates };
    }
    // Nothing changed: the last quarter of the range against the rest.
    let times = ds.spans.start_ns.iter().chain(&ds.logs.time_ns);
    let (Some(lo), Some(hi)) = (times.clone().min().copied(), times.max().copied()) else {
        return undetected(found.candidates);
    };
    // i128: times are untrusted input and may span the whole i64 range.
    let split = (i128::from(hi) - (i128::from(hi) - i128::from(lo)) / 4) as i64;
    Windows {
        window: TimeRange::new(split, hi.saturating_add(1)).ok(),
        baseline: TimeRange::new(lo, split).ok(),
        source: "undetected".into(),
        onsets: found.candidates,
    }
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

    /// One request a second for `seconds` from `start_s`, ids from `first_id`; `each(s)` gives
    /// the s-th request's duration (ms) and status. Tests build a recording from stretches.
    fn stretch(ds: &mut Dataset, first_id: u64, start_s: i64, seconds: i64, each: impl Fn(i64) -> (i64, SpanStatus)) {
        for s in 0..seconds {
            let (dur_ms, status) = each(s);
            span(ds, first_id + s as u64, start_s + s, dur_ms, status);
        }
    }

    /// Failing every other request when `failing`.
    fn status(failing: bool, s: i64) -> SpanStatus {
        if failing && s % 2 == 0 {
            SpanStatus::Error
        } else {
            SpanStatus::Ok
        }
    }

    fn choose_in(ds: &Dataset, window: Option<TimeRange>) -> Windows {
        let corr = crate::correlate::correlate(ds, &Default::default());
        let mined = crate::patterns::mine_logs(ds, &Default::default());
        let families = mined.families();
        choose(ds, &corr, &mined.line_groups(&families), window, None)
    }

    /// The window opens two buckets (of 1/60 of the `span_s` seconds) before the change at
    /// `change_s`, give or take the bucket the change falls in: early enough for the first
    /// evidence of a change the CUSUM times a little late, not so early it holds calm minutes.
    fn opens_at(w: TimeRange, change_s: i64, span_s: i64) {
        let bucket = span_s as f64 / 60.0;
        let off = (w.start_ns as f64 / 1e9) - change_s as f64;
        assert!(off >= -3.0 * bucket && off <= 0.0, "window {w:?} opens {off} s from the change at {change_s} s");
    }

    #[test]
    fn given_window_gets_a_baseline_right_before() {
        let w = TimeRange::new(100, 160).unwrap();
        let got = choose_in(&Dataset::default(), Some(w));
        assert_eq!(got.baseline, Some(TimeRange::new(40, 100).unwrap()));
        assert_eq!(got.source, "given_window");
    }

    #[test]
    fn detects_where_errors_start() {
        let mut ds = Dataset::default();
        stretch(&mut ds, 0, 0, 600, |s| (20 + (s % 7), status(s >= 450, s)));
        let got = choose_in(&ds, None);
        assert_eq!(got.source, "detected");
        let w = got.window.unwrap();
        opens_at(w, 450, 600);
        // The baseline ends two buckets (of 10 s) before the window opens: the buckets where
        // the change may have begun belong to neither.
        let gap_s = (w.start_ns - got.baseline.unwrap().end_ns) as f64 / 1e9;
        assert!((15.0..=25.0).contains(&gap_s), "{gap_s} s between baseline and window");
    }

    /// Requests fail from 70 s (the 8th bucket of 10 s) to 250 s, and are slow from 400 s: the
    /// first change has too little data before it to be timed (a baseline of three buckets):
    /// it may have begun before the data, so it is listed at a gap.
    #[test]
    fn a_change_with_too_little_data_before_it_is_not_timed() {
        let mut ds = Dataset::default();
        stretch(&mut ds, 0, 0, 600, |s| (if s >= 400 { 400 } else { 20 + (s % 5) }, status((70..250).contains(&s), s)));
        let got = choose_in(&ds, None);
        let early = got.onsets.iter().find(|o| o.window.start_ns < 70_000_000_000);
        assert!(early.is_some_and(|o| o.at_gap && !o.chosen), "{:?}", got.onsets);
        opens_at(got.window.unwrap(), 400, 600);
    }

    #[test]
    fn detects_where_latency_grows_and_handles_no_data() {
        let mut ds = Dataset::default();
        stretch(&mut ds, 0, 0, 600, |s| (if s >= 400 { 400 } else { 20 + (s % 5) }, SpanStatus::Ok));
        let w = choose_in(&ds, None).window.unwrap();
        opens_at(w, 400, 600);
        let empty = choose_in(&Dataset::default(), None);
        assert_eq!((empty.window, empty.source.as_ref()), (None, "undetected"));
    }

    /// The earliest sustained change wins over a larger later one, a lone spike is no change,
    /// and the candidates list both changes.
    #[test]
    fn the_earliest_sustained_change_wins_over_the_largest() {
        let mut ds = Dataset::default();
        stretch(&mut ds, 0, 0, 900, |s| {
            let ms = match s {
                100 => 5000,
                500..=899 => 60 + (s % 5),
                _ => 20 + (s % 5),
            };
            (ms, status(s >= 750, s))
        });
        let got = choose_in(&ds, None);
        let w = got.window.unwrap();
        opens_at(w, 500, 900);
        let starts: Vec<i64> = got.onsets.iter().map(|o| o.window.start_ns / 1_000_000_000).collect();
        assert!(starts.iter().any(|s| (675..=765).contains(s)), "{starts:?}");
        assert!(!starts.iter().any(|s| (25..=115).contains(s)), "{starts:?}");
        assert_eq!(got.onsets.iter().filter(|o| o.chosen).count(), 1);
    }

    /// A 45 s burst of slow failing requests in calm data, then from 600 s on a smaller
    /// change that stays (requests 13% slower): the burst alarms on more signals but falls
    /// back, so the onset is where the lasting change begins; both are listed.
    #[test]
    fn a_burst_that_falls_back_loses_to_a_later_change_that_lasts() {
        let mut ds = Dataset::default();
        stretch(&mut ds, 0, 0, 900, |s| match s {
            100..145 => (5000, SpanStatus::Error),
            600.. => (25 + (s % 3), SpanStatus::Ok),
            _ => (22 + (s % 3), SpanStatus::Ok),
        });
        let got = choose_in(&ds, None);
        opens_at(got.window.unwrap(), 600, 900);
        let burst = got.onsets.iter().find(|o| (25..=145).contains(&(o.window.start_ns / 1_000_000_000)));
        assert!(burst.is_some_and(|b| !b.chosen && b.strength > 24.0), "{:?}", got.onsets);
    }

    /// Requests fail from 400 s to 600 s and then succeed again until the data ends: no change
    /// lasts, and the incident is still found.
    #[test]
    fn an_incident_that_recovers_is_found() {
        let mut ds = Dataset::default();
        stretch(&mut ds, 0, 0, 900, |s| (20 + (s % 7), status((400..600).contains(&s), s)));
        let got = choose_in(&ds, None);
        assert_eq!(got.source, "detected");
        opens_at(got.window.unwrap(), 400, 900);
    }

    /// Two series of one pod that read the same measure (CPU in millicores and in percent)
    /// leave their level for two buckets: one piece of evidence at the alarm level, not two
    /// that agree, so the onset is where the requests start failing.
    #[test]
    fn one_measure_read_twice_is_one_piece_of_evidence() {
        let mut ds = Dataset::default();
        stretch(&mut ds, 0, 0, 600, |s| (20 + (s % 7), status(s >= 450, s)));
        let labels = ds.labels([("pod", "cart-1")]);
        for (name, scale) in [("cpu_usage_millicores", 1.0), ("cpu_usage_rate_percent", 0.1)] {
            let sym = ds.strings.intern(name);
            let points = (0..60).map(|i| {
                let busy = if (20..22).contains(&i) { 5.0 } else { 1.0 + 0.02 * f64::from(i % 3) };
                (i64::from(i) * 10_000_000_000 + 5_000_000_000, 100.0 * scale * busy)
            });
            ds.series.push(sym, labels, SourceId(0), points);
        }
        let got = choose_in(&ds, None);
        assert!(got.onsets.iter().any(|o| o.signals.iter().any(|s| s.starts_with("cpu_usage"))), "{:?}", got.onsets);
        opens_at(got.window.unwrap(), 450, 600);
    }

    /// The data begins inside the incident and the calm comes after a gap (a baseline
    /// recorded later): the window is the first stretch, the baseline the calm one.
    #[test]
    fn an_incident_at_the_start_with_the_calm_after_a_gap() {
        let mut ds = Dataset::default();
        stretch(&mut ds, 0, 0, 200, |s| (400 + (s % 5), SpanStatus::Ok));
        stretch(&mut ds, 1000, 3600, 500, |s| (20 + (s % 5), SpanStatus::Ok));
        let got = choose_in(&ds, None);
        assert_eq!(got.source, "detected");
        let (w, b) = (got.window.unwrap(), got.baseline.unwrap());
        assert_eq!((w.start_ns / 1_000_000_000, w.end_ns / 1_000_000_000), (0, 199));
        assert_eq!(b.start_ns / 1_000_000_000, 3600);
    }

    /// Two changes, both at gaps: failures from the data's first second, and slow requests
    /// from the start of a stretch recorded an hour later. The first one's window would cover
    /// all the data and leave nothing to compare with, so the later one is chosen.
    #[test]
    fn a_change_whose_window_leaves_no_baseline_is_not_chosen() {
        let mut ds = Dataset::default();
        stretch(&mut ds, 0, 0, 300, |s| (20 + (s % 5), status(s < 40, s)));
        stretch(&mut ds, 1000, 3600, 120, |s| (400 + (s % 5), SpanStatus::Ok));
        let got = choose_in(&ds, None);
        assert!(got.onsets.iter().any(|o| !o.chosen && o.window.start_ns == 0 && o.baseline.is_none()), "{:?}", got.onsets);
        let (w, b) = (got.window.unwrap(), got.baseline.unwrap());
        // The baseline is the calm stretch itself, not a range across the hour between.
        assert_eq!((w.start_ns / 1_000_000_000, b.start_ns, b.end_ns), (3600, 0, 299_000_000_001));
    }

    /// A baseline recorded apart (five calm minutes) and an incident stretch whose first
    /// minute is calm: the baseline is the longer calm stretch, alone, not the minute before
    /// the onset nor a range across the gap that mixes the two recordings.
    #[test]
    fn the_baseline_is_the_longest_calm_stretch() {
        let mut ds = Dataset::default();
        stretch(&mut ds, 0, 0, 300, |s| (20 + (s % 7), SpanStatus::Ok));
        stretch(&mut ds, 1000, 3600, 200, |s| (20 + (s % 7), status(s >= 60, s)));
        let got = choose_in(&ds, None);
        let (w, b) = (got.window.unwrap(), got.baseline.unwrap());
        let start_s = w.start_ns / 1_000_000_000;
        assert!((3600..=3660).contains(&start_s), "{w:?}");
        assert_eq!((b.start_ns, b.end_ns), (0, 299_000_000_001));
    }
}
