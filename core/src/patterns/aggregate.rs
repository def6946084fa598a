//! Per-pattern aggregation over the mined log records: counts, time buckets, levels,
//! services, samples and linked traces; and, against the baseline, the patterns that are new
//! in the window, that surge, and that drop or vanish.

use std::collections::BTreeMap;

use rustc_hash::FxHashSet;

use serde::{Deserialize, Serialize};

use super::stats::{lower_tail, upper_tail};
use super::{Mined, PatternOptions};
use crate::base::TimeRange;
use crate::correlate::{Correlation, ServiceId};
use crate::model::{Dataset, Level};
use crate::time::format_rfc3339;
use crate::window::Windows;
use crate::TraceId;

/// One pattern (log template) and what its records have in common.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Pattern {
    /// A stable id: a hash of the template, the same in every run and home.
    pub id: String,
    /// The template: the message's words with variables as `<*>`.
    pub template: String,
    /// Records that matched it.
    pub count: u64,
    /// Of those, records in the incident window (0 without a window).
    pub window_count: u64,
    /// Of those, records in the baseline (0 without a baseline).
    pub baseline_count: u64,
    /// The earliest record time (RFC 3339); absent when the records have no times.
    pub first_seen: Option<String>,
    /// The latest record time (RFC 3339).
    pub last_seen: Option<String>,
    /// Records per time bucket (see the section's `buckets`); empty without times.
    pub buckets: Vec<u64>,
    /// Records per level, normalised the way Grafana does, in severity order.
    pub levels: Vec<LevelCount>,
    /// Records per emitting service, most first (at most 10 listed).
    pub services: Vec<NameCount>,
    /// The first few records' messages (redacted when `redact` is set).
    pub samples: Vec<String>,
    /// Traces these records belong to.
    pub traces: TraceLinks,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LevelCount {
    /// `critical`, `error`, `warning`, `info`, `debug`, `trace` or `unknown`.
    pub level: Level,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NameCount {
    pub name: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TraceLinks {
    /// Distinct trace ids among the records.
    pub count: u64,
    /// The first distinct trace ids in record order (32 hex digits).
    pub first: Vec<String>,
}

/// The time buckets every pattern's `buckets` counts in.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Buckets {
    /// Start of the first bucket (RFC 3339); buckets are `[start + i*width, start + (i+1)*width)`.
    pub start: String,
    /// Bucket width in milliseconds: a round step giving at most 60 buckets over the baseline
    /// and window (or over the data when there is no window).
    pub width_ms: u64,
    /// Number of buckets.
    pub count: usize,
}

/// How a pattern's rate changed in the window against the baseline.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// In the window, never in the baseline.
    New,
    /// Significantly more often in the window.
    Surge,
    /// Significantly less often in the window.
    Drop,
    /// In the baseline, never in the window (and significantly so).
    Vanished,
}

impl ChangeKind {
    /// The change as the report spells it.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::New => "new",
            ChangeKind::Surge => "surge",
            ChangeKind::Drop => "drop",
            ChangeKind::Vanished => "vanished",
        }
    }
}

/// One pattern's change in the window.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PatternChange {
    /// The pattern's id.
    pub id: String,
    pub template: String,
    pub change: ChangeKind,
    pub window_count: u64,
    pub baseline_count: u64,
    /// Window rate over baseline rate (records per unit time); absent for new patterns.
    pub ratio: Option<f64>,
    /// Probability of a count at least this extreme if the rate had not changed (binomial
    /// test conditional on the total, i.e. the exact test for two Poisson rates).
    pub p_value: f64,
}

/// The report's `patterns` section.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PatternsReport {
    /// Log records mined.
    pub records: u64,
    /// Distinct patterns found; `patterns` lists the most frequent `max_patterns` of them.
    pub total_patterns: u64,
    /// The time buckets of every pattern's `buckets`; absent when no record has a time.
    pub buckets: Option<Buckets>,
    /// Patterns, most records first (ties by template).
    pub patterns: Vec<Pattern>,
    /// Patterns in the window and not in the baseline, most records first.
    pub new: Vec<PatternChange>,
    /// Patterns whose window rate is at least `min_ratio` times the baseline's, significantly; most significant first.
    pub surging: Vec<PatternChange>,
    /// Patterns whose window rate is at most 1/`min_ratio` of the baseline's (or zero), significantly; most significant first.
    pub dropped: Vec<PatternChange>,
}

/// Round bucket widths, in seconds.
const STEPS_S: [i64; 20] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];
const MAX_BUCKETS: i64 = 60;

fn choose_buckets(range: TimeRange) -> (i64, i64, usize) {
    // i128 throughout: log times are attacker-controlled, and a range between extreme
    // timestamps (int64 min and max) must neither overflow nor ask for a huge bucket vector.
    let span = i128::from(range.end_ns) - i128::from(range.start_ns);
    let max = i128::from(MAX_BUCKETS);
    let width = STEPS_S.iter().map(|s| i128::from(*s) * 1_000_000_000).find(|w| span / w < max).unwrap_or_else(|| {
        // Longer than 60 weeks: whole weeks.
        let week = 604_800 * 1_000_000_000i128;
        (span / max / week + 1) * week
    });
    let width = width.min(i128::from(i64::MAX));
    let start = i128::from(range.start_ns).div_euclid(width) * width;
    let count = ((i128::from(range.end_ns) - start + width - 1) / width).clamp(0, max + 1);
    (start.max(i128::from(i64::MIN)) as i64, width as i64, count as usize)
}

/// The bucket a time falls in, if any.
fn bucket_of(time: i64, (start, width, count): (i64, i64, usize)) -> Option<usize> {
    let offset = i128::from(time) - i128::from(start);
    let index = offset.div_euclid(i128::from(width));
    (offset >= 0 && index < count as i128).then_some(index as usize)
}

#[derive(Default)]
struct Acc {
    count: u64,
    window: u64,
    baseline: u64,
    first_ns: Option<i64>,
    last_ns: Option<i64>,
    buckets: Vec<u64>,
    levels: [u64; 7],
    services: BTreeMap<ServiceId, u64>,
    /// Distinct traces linked (`aggregate`'s `linked` holds which).
    traces: u64,
    first_traces: Vec<TraceId>,
}

fn level_index(l: Level) -> usize {
    match l {
        Level::Critical => 0,
        Level::Error => 1,
        Level::Warning => 2,
        Level::Info => 3,
        Level::Debug => 4,
        Level::Trace => 5,
        Level::Unknown => 6,
    }
}

const LEVELS: [Level; 7] = [Level::Critical, Level::Error, Level::Warning, Level::Info, Level::Debug, Level::Trace, Level::Unknown];

/// The report's `patterns` section: the log records of `ds` aggregated per mined template
/// (record `r` belongs to `mined.templates[mined.assignment[r]]`); services and trace ids are
/// correlation's per-record ones. `max_patterns` caps the listed patterns (`None`: all).
pub fn aggregate(
    ds: &Dataset,
    corr: &Correlation,
    mined: &Mined,
    windows: &Windows,
    options: &PatternOptions,
    max_patterns: Option<usize>,
) -> PatternsReport {
    let (templates, assignment) = (&mined.templates, &mined.assignment);
    let logs = &ds.logs;
    let timed = logs.time_ns.iter().any(|t| *t != 0);
    let range = match (windows.window, windows.baseline) {
        (Some(w), Some(b)) => Some(TimeRange { start_ns: w.start_ns.min(b.start_ns), end_ns: w.end_ns.max(b.end_ns) }),
        (Some(w), None) => Some(w),
        _ if timed => {
            let times = logs.time_ns.iter().filter(|t| **t != 0);
            let (lo, hi) = (times.clone().min().copied().unwrap_or(0), times.max().copied().unwrap_or(0));
            Some(TimeRange { start_ns: lo, end_ns: hi.saturating_add(1) })
        }
        _ => None,
    };
    let buckets = range.filter(|_| timed).map(choose_buckets);

    let mut acc: Vec<Acc> = (0..templates.len()).map(|_| Acc::default()).collect();
    // Each (template, trace) pair met, the trace by its index in the correlation: one hash of
    // eight bytes per record, where a tree of 16-byte ids per template took a tree insert.
    let mut linked: FxHashSet<u64> = FxHashSet::default();
    for (row, t) in assignment.iter().enumerate() {
        let a = &mut acc[*t as usize];
        let time = logs.time_ns[row];
        a.count += 1;
        if timed && time != 0 {
            a.first_ns = Some(a.first_ns.map_or(time, |f| f.min(time)));
            a.last_ns = Some(a.last_ns.map_or(time, |l| l.max(time)));
            if let Some(b) = buckets {
                if let Some(index) = bucket_of(time, b) {
                    if a.buckets.is_empty() {
                        a.buckets = vec![0; b.2];
                    }
                    a.buckets[index] += 1;
                }
            }
            a.window += u64::from(windows.window.is_some_and(|w| w.contains(time)));
            a.baseline += u64::from(windows.baseline.is_some_and(|b| b.contains(time)));
        }
        a.levels[level_index(logs.level[row])] += 1;
        if let Some(s) = corr.log_service.get(row) {
            *a.services.entry(s).or_default() += 1;
        }
        if let Some(trace) = corr.log_trace_index.get(row) {
            if linked.insert(u64::from(*t) << 32 | u64::from(trace)) {
                a.traces += 1;
                if a.first_traces.len() < options.trace_ids {
                    a.first_traces.extend(corr.log_trace(row));
                }
            }
        }
    }

    let ids: Vec<String> = templates.iter().map(|t| pattern_id(&t.text)).collect();
    let changes = changes(templates, &ids, &acc, windows, options);
    let listed = max_patterns.unwrap_or(templates.len()).min(templates.len());
    let patterns = (0..listed)
        .map(|i| {
            let a = &acc[i];
            let mut services: Vec<NameCount> =
                a.services.iter().map(|(s, n)| NameCount { name: corr.service_name(*s).to_string(), count: *n }).collect();
            services.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.name.cmp(&y.name)));
            services.truncate(10);
            Pattern {
                id: ids[i].clone(),
                template: templates[i].text.clone(),
                count: a.count,
                window_count: a.window,
                baseline_count: a.baseline,
                first_seen: a.first_ns.map(format_rfc3339),
                last_seen: a.last_ns.map(format_rfc3339),
                buckets: if a.buckets.is_empty() { buckets.map_or(Vec::new(), |b| vec![0; b.2]) } else { a.buckets.clone() },
                levels: LEVELS
                    .iter()
                    .zip(a.levels)
                    .filter(|(_, n)| *n > 0)
                    .map(|(level, count)| LevelCount { level: *level, count })
                    .collect(),
                services,
                samples: mined.samples[i].clone(),
                traces: TraceLinks { count: a.traces, first: a.first_traces.iter().map(|t| t.to_string()).collect() },
            }
        })
        .collect();
    let (new, surging, dropped) = changes;
    PatternsReport {
        records: assignment.len() as u64,
        total_patterns: templates.len() as u64,
        buckets: buckets.map(|(start, width, count)| Buckets { start: format_rfc3339(start), width_ms: (width / 1_000_000) as u64, count }),
        patterns,
        new,
        surging,
        dropped,
    }
}

type Changes = (Vec<PatternChange>, Vec<PatternChange>, Vec<PatternChange>);

/// New, surging and dropped patterns: needs both a window and a baseline.
fn changes(templates: &[super::miner::Template], ids: &[String], acc: &[Acc], windows: &Windows, options: &PatternOptions) -> Changes {
    let (Some(w), Some(b)) = (windows.window, windows.baseline) else {
        return Default::default();
    };
    let (tw, tb) = (w.duration_ns() as f64, b.duration_ns() as f64);
    let share = tw / (tw + tb);
    let (mut new, mut surging, mut dropped) = (Vec::new(), Vec::new(), Vec::new());
    for (i, a) in acc.iter().enumerate() {
        let (kw, kb) = (a.window, a.baseline);
        let n = kw + kb;
        if n == 0 {
            continue;
        }
        let change = |change, ratio, p_value| PatternChange {
            id: ids[i].clone(),
            template: templates[i].text.clone(),
            change,
            window_count: kw,
            baseline_count: kb,
            ratio,
            p_value,
        };
        let ratio = (kb > 0).then(|| (kw as f64 * tb) / (kb as f64 * tw));
        match ratio {
            None => new.push(change(ChangeKind::New, None, upper_tail(n, kw, share))),
            Some(r) if r >= options.min_ratio => {
                let p = upper_tail(n, kw, share);
                if p < options.significance {
                    surging.push(change(ChangeKind::Surge, Some(r), p));
                }
            }
            Some(r) if r <= 1.0 / options.min_ratio => {
                let p = lower_tail(n, kw, share);
                if p < options.significance {
                    dropped.push(change(if kw == 0 { ChangeKind::Vanished } else { ChangeKind::Drop }, Some(r), p));
                }
            }
            Some(_) => {}
        }
    }
    new.sort_by(|x, y| y.window_count.cmp(&x.window_count).then_with(|| x.template.cmp(&y.template)));
    let by_significance = |x: &PatternChange, y: &PatternChange| x.p_value.total_cmp(&y.p_value).then_with(|| x.template.cmp(&y.template));
    surging.sort_by(by_significance);
    dropped.sort_by(by_significance);
    (new, surging, dropped)
}

/// `p` + 16 hex digits of the template's FNV-1a hash.
pub fn pattern_id(template: &str) -> String {
    use std::hash::Hasher;
    let mut h = super::miner::Fnv::default();
    h.write(template.as_bytes());
    format!("p{:016x}", h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LabelSetId, LogRow};
    use crate::patterns::{mine_logs, PatternOptions};

    const S: i64 = 1_000_000_000;
    // A multiple of a minute, so buckets start at T0.
    const T0: i64 = 1_699_999_980 * S;

    /// Baseline [T0, T0+600s), window [T0+600s, T0+1200s).
    fn dataset() -> (Dataset, Windows) {
        let mut ds = Dataset::default();
        let source = ds.add_source("test", "test");
        let api = ds.labels([("service.name", "api")]);
        let db = ds.labels([("service.name", "db")]);
        let trace = ds.labels([("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")]);
        let push = |ds: &mut Dataset, t: i64, level, resource, metadata, body: &str| {
            ds.logs.push(LogRow { time_ns: t, resource, metadata, level, trace: None, span: None, body, source });
        };
        // Steady in both halves: 30 + 30.
        for i in 0..60 {
            push(&mut ds, T0 + i * 20 * S, Level::Info, api, LabelSetId(0), &format!("request {i} served in {i}ms"));
        }
        // Surges: 2 in the baseline, 40 in the window.
        for i in 0..2 {
            push(&mut ds, T0 + i * 100 * S, Level::Warning, db, LabelSetId(0), &format!("slow query took {i}ms"));
        }
        for i in 0..40 {
            push(&mut ds, T0 + 600 * S + i * 10 * S, Level::Error, db, trace, &format!("slow query took {}ms", i + 7));
        }
        // New in the window.
        for i in 0..5 {
            push(
                &mut ds,
                T0 + 700 * S + i * S,
                Level::Error,
                api,
                trace,
                &format!("connection refused to 10.0.0.{i}:5432 user=u{i}@example.com"),
            );
        }
        // Vanishes: 20 in the baseline, none in the window.
        for i in 0..20 {
            push(&mut ds, T0 + i * 25 * S, Level::Debug, api, LabelSetId(0), &format!("cache warm {i}"));
        }
        let windows = Windows {
            baseline: Some(TimeRange { start_ns: T0, end_ns: T0 + 600 * S }),
            window: Some(TimeRange { start_ns: T0 + 600 * S, end_ns: T0 + 1200 * S }),
            source: "given".into(),
            onsets: Vec::new(),
        };
        (ds, windows)
    }

    #[test]
    fn aggregates_per_pattern_and_finds_changes() {
        let (ds, windows) = dataset();
        let options = PatternOptions { redact: true, ..PatternOptions::default() };
        let corr = crate::correlate::correlate(&ds, &Default::default());
        let r = aggregate(&ds, &corr, &mine_logs(&ds, &options), &windows, &options, Some(options.max_patterns));
        assert_eq!(r.records, 127);
        assert_eq!(r.total_patterns, 4);
        let b = r.buckets.as_ref().unwrap();
        // 1200 s over at most 60 buckets: 30 s wide.
        assert_eq!((b.width_ms, b.count), (30_000, 40));

        let slow = r.patterns.iter().find(|p| p.template == "slow query took <*>").unwrap();
        assert_eq!((slow.count, slow.window_count, slow.baseline_count), (42, 40, 2));
        assert_eq!(slow.buckets.iter().sum::<u64>(), 42);
        assert_eq!(slow.levels, vec![LevelCount { level: Level::Error, count: 40 }, LevelCount { level: Level::Warning, count: 2 }]);
        assert_eq!(slow.services, vec![NameCount { name: "db".into(), count: 42 }]);
        assert_eq!(slow.traces, TraceLinks { count: 1, first: vec!["4bf92f3577b34da6a3ce929d0e0e4736".into()] });
        assert_eq!(slow.samples, vec!["slow query took 0ms", "slow query took 1ms", "slow query took 7ms"]);

        let refused = r.patterns.iter().find(|p| p.template.starts_with("connection refused")).unwrap();
        assert_eq!(refused.template, "connection refused to <*>:<*> user=<*>@example.com");
        assert_eq!(refused.samples[0], "connection refused to <ip>:5432 user=<email>");

        assert_eq!(r.new.len(), 1);
        assert_eq!(
            (r.new[0].template.as_str(), r.new[0].change, r.new[0].window_count),
            ("connection refused to <*>:<*> user=<*>@example.com", ChangeKind::New, 5)
        );
        assert_eq!(r.surging.len(), 1);
        assert_eq!(r.surging[0].template, "slow query took <*>");
        assert_eq!(r.surging[0].ratio, Some(20.0));
        assert!(r.surging[0].p_value < 1e-6);
        assert_eq!(r.dropped.len(), 1);
        assert_eq!((r.dropped[0].template.as_str(), r.dropped[0].change), ("cache warm <*>", ChangeKind::Vanished));
        // The steady pattern is in no list.
        assert!(!r.surging.iter().chain(&r.dropped).any(|c| c.template.starts_with("request")));
    }

    #[test]
    fn without_windows_there_are_no_changes_and_the_list_is_capped() {
        let (ds, _) = dataset();
        let windows = Windows { window: None, baseline: None, source: "given".into(), onsets: Vec::new() };
        let options = PatternOptions { max_patterns: 2, ..PatternOptions::default() };
        let corr = crate::correlate::correlate(&ds, &Default::default());
        let r = aggregate(&ds, &corr, &mine_logs(&ds, &options), &windows, &options, Some(options.max_patterns));
        assert_eq!(r.patterns.len(), 2);
        assert_eq!(r.total_patterns, 4);
        assert!(r.new.is_empty() && r.surging.is_empty() && r.dropped.is_empty());
        // Buckets span the data: 1200 s minus one step of 20 s, still 30 s buckets.
        assert_eq!(r.buckets.as_ref().unwrap().width_ms, 30_000);
        assert_eq!(r.patterns[0].id, pattern_id(&r.patterns[0].template));
        assert_eq!(pattern_id("a <*>"), pattern_id("a <*>"));
        assert_ne!(pattern_id("a <*>"), pattern_id("b <*>"));
    }
}

#[cfg(test)]
mod bucket_tests {
    use super::*;

    #[test]
    fn extreme_time_ranges_neither_overflow_nor_allocate_wildly() {
        for (lo, hi) in [(i64::MIN, i64::MAX), (i64::MIN, i64::MIN + 1), (i64::MAX - 1, i64::MAX), (-1, 1), (0, 1)] {
            let b = choose_buckets(TimeRange { start_ns: lo, end_ns: hi });
            assert!(b.1 > 0 && b.2 <= MAX_BUCKETS as usize + 1, "{lo}..{hi} gave {b:?}");
            for t in [lo, hi, 0] {
                if let Some(i) = bucket_of(t, b) {
                    assert!(i < b.2);
                }
            }
        }
    }

    #[test]
    fn buckets_cover_an_ordinary_window() {
        let minute = 60_000_000_000;
        let b = choose_buckets(TimeRange { start_ns: 10 * minute, end_ns: 20 * minute });
        assert_eq!(b.1, 15_000_000_000, "ten minutes in 15 s buckets stays under 60 buckets");
        assert_eq!(bucket_of(10 * minute, b), Some(0));
        assert_eq!(bucket_of(20 * minute - 1, b), Some(b.2 - 1));
        assert_eq!(bucket_of(9 * minute, b), None);
    }
}
