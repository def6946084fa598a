//! Where an incident starts: the earliest sustained change over every signal.
//!
//! The time the data covers is cut into about `TARGET_BUCKETS` buckets of equal width;
//! stretches with no data (a baseline minute recorded hours before the incident) are left
//! out, and each run of buckets without such a gap is a *segment*. Per bucket, every signal
//! gets one observation: the share of failing spans and error lines, the median duration of
//! requests entering the system, and per service its error share, entry latency and share of
//! the requests (throughput); per log-template family its share of the lines (a new template
//! rises from nothing, a usual one that goes missing drops); the share of error lines; and
//! every metric series' own samples.
//!
//! Each observation becomes a robust z against the signal's level over *all* the data (its
//! median and MAD), not against what came first: the data may begin inside the incident, or
//! the calm reference may come after it. The only assumption is that the incident covers less
//! of the time than the calm does. Counts are first put on the binomial scale (so a template
//! that never occurs and then occurs 10 times a bucket is 10 standard deviations out), then
//! rescaled by their own MAD (real counts vary more than a binomial does).
//!
//! A one-sided CUSUM per signal and direction (`S = max(0, S + min(z, Z_CAP) - K)`) sums the
//! excess; when it reaches `H` the signal alarms, and its change began where `S` last left 0
//! (the CUSUM's own change-time estimate). The cap means no single bucket alarms alone: a
//! change must persist. The CUSUM restarts at every segment, so a level that differs between
//! two segments reads as a change at the later segment's first bucket: a change *at a gap*,
//! whose time is unknown, used only when nothing changes inside a segment.
//!
//! Alarms whose onsets lie within `AGREE_BUCKETS` of each other form one candidate onset,
//! its strength the sum of their CUSUM peaks, each piece of evidence once (the series of one
//! pod that read the same measure, CPU in millicores and in percent, or the 90th and 99th
//! latency percentiles, count as one, at the strongest). A candidate is accepted at `ACCEPT`
//! (two signals at the alarm level, or one at twice it).
//!
//! The onset is the earliest change that *lasts*, not the largest: an alarm lasts when its
//! signal's median z from the onset to the end of its stretch of data exceeds `LASTING_Z`, and
//! a candidate lasts when its lasting alarms alone are accepted. A burst that passes (a
//! retry wave, a job's minute of load) alarms as loudly as a fault but falls back; a fault
//! stays until the data ends or the fault is repaired. The chosen onset is the earliest
//! lasting change that can be timed; else (the incident recovered within the data) the
//! earliest timed change; else the earliest change at a gap.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::LineGroups;
use crate::base::metric::{readings, Measure};
use crate::base::stats::{mad, median};
use crate::base::TimeRange;
use crate::correlate::Correlation;
use crate::model::{Dataset, SpanStatus};

/// About this many buckets cover the time the data holds: fine enough to place an onset
/// within 2% of the span, coarse enough that a bucket holds several events.
const TARGET_BUCKETS: i64 = 60;
/// More empty buckets than this in a row split the data into two segments.
const GAP_BUCKETS: i64 = 5;
/// CUSUM allowance: a bucket adds to the sum only what it exceeds one (robust) standard
/// deviation by.
const K: f64 = 1.0;
/// No bucket adds more than `Z_CAP - K`, so an alarm needs at least `H / (Z_CAP - K)` buckets.
const Z_CAP: f64 = 5.0;
/// The CUSUM level at which a signal alarms: two buckets at the cap, or six at z = 2.
const H: f64 = 6.0;
/// Alarms whose onsets lie this close (in buckets) agree on one onset.
const AGREE_BUCKETS: usize = 5;
/// A candidate onset is accepted at this summed strength: two signals alarming, or one twice.
const ACCEPT: f64 = 2.0 * H;
/// An alarm lasts when its signal's median z from the onset to the end of its stretch exceeds
/// this: half the CUSUM allowance, so at least half the buckets after the onset stay clearly
/// above the usual level (a burst that falls back leaves most of them near zero).
const LASTING_Z: f64 = K / 2.0;
/// The window opens this many buckets before the onset: the CUSUM's change time (where its
/// sum last left zero) can lag the true start of a gradual or sparse change by a bucket or
/// two, and a window that opens late loses the first evidence; opening earlier dilutes the
/// window with calm data.
const LEAD_BUCKETS: usize = 2;
/// The baseline ends this many buckets before the onset: the buckets just before a change
/// may already hold its first signs (the same lag), and a baseline that holds them reads the
/// fault as usual. Two buckets more than the lead: neither the window nor the baseline holds
/// the buckets where the change may have begun.
const BASELINE_GAP_BUCKETS: usize = 4;
/// A change is timed when its segment holds this many buckets before it: the baseline before
/// it then keeps at least `AGREE_BUCKETS` calm buckets. With fewer, the change may have begun
/// before the data (or in a gap).
const TIMED_BUCKETS: usize = BASELINE_GAP_BUCKETS + AGREE_BUCKETS;
/// Entry latency and latency per service need this many requests in a bucket.
const MIN_LATENCY_SAMPLES: usize = 3;
/// The robust spread of a latency (natural log of ms) is at least this: 5% jitter is no change.
const MIN_LOG_SPREAD: f64 = 0.05;
/// A log-template family with fewer lines than this cannot show a sustained change.
const MIN_FAMILY_LINES: f64 = 20.0;
/// Candidates the report lists, strongest first (then sorted by time).
const MAX_LISTED: usize = 8;
/// Signals named per candidate, strongest first.
const MAX_NAMED: usize = 4;

/// A candidate onset the detector considered: the windows it gives and what changed there.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OnsetCandidate {
    /// The incident window this onset gives: from the onset to the end of its stretch of
    /// data. Re-analyse with it (and `baseline`) to follow this candidate.
    pub window: TimeRange,
    /// The baseline that goes with it: the data before the onset, or after the window when
    /// too little precedes it.
    pub baseline: Option<TimeRange>,
    /// The signals that change here, strongest first (at most four named), e.g.
    /// `error share`, `latency of checkout`, `log pattern missing in cart: ...`.
    pub signals: Vec<String>,
    /// How many signals change here.
    pub signal_count: u32,
    /// The summed CUSUM peak of those signals (a signal alarms at 6; 12 is accepted).
    pub strength: f64,
    /// The change happened across a gap in the data: its time is only known to lie in the gap.
    pub at_gap: bool,
    /// Whether this is the onset the analysis uses.
    pub chosen: bool,
}

/// The detector's answer: the windows, when an onset is accepted, and every candidate.
pub struct Detection {
    pub chosen: Option<(TimeRange, Option<TimeRange>)>,
    pub candidates: Vec<OnsetCandidate>,
}

/// The buckets that hold data.
struct Grid {
    lo: i64,
    width: i64,
    /// Bucket numbers (from `lo`) that hold data, ascending.
    keys: Vec<i64>,
    /// The segment of each occupied bucket.
    segment: Vec<usize>,
    /// The first event of each segment.
    segment_start: Vec<i64>,
    /// One past the last event of each segment.
    segment_end: Vec<i64>,
}

impl Grid {
    fn new(mut times: Vec<i64>) -> Option<Grid> {
        times.sort_unstable();
        let (lo, hi) = (*times.first()?, *times.last()?);
        // The occupied time: the sum of the steps between events that are shorter than a
        // hundredth of the range. A baseline hours before the incident must not stretch the
        // buckets.
        let range = i128::from(hi) - i128::from(lo);
        let occupied: i128 =
            times.windows(2).map(|p| i128::from(p[1]) - i128::from(p[0])).filter(|step| *step * i128::from(TARGET_BUCKETS) <= range).sum();
        let width = i64::try_from((occupied / i128::from(TARGET_BUCKETS)).max(1)).unwrap_or(i64::MAX);
        let key = |t: i64| i64::try_from((i128::from(t) - i128::from(lo)) / i128::from(width)).unwrap_or(i64::MAX);
        // Each occupied bucket once: the times are sorted, so their buckets are too, and a
        // bucket per time (a row's worth) is never held.
        let mut keys: Vec<i64> = Vec::new();
        for t in &times {
            let k = key(*t);
            if keys.last() != Some(&k) {
                keys.push(k);
            }
        }
        let mut segment = Vec::with_capacity(keys.len());
        let mut segment_end = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            if i > 0 && k - keys[i - 1] > GAP_BUCKETS {
                segment_end.push(0);
            }
            if segment_end.is_empty() {
                segment_end.push(0);
            }
            segment.push(segment_end.len() - 1);
        }
        // Each segment from its first event to one past its last.
        let mut segment_start = vec![i64::MAX; segment_end.len()];
        for t in &times {
            if let Ok(i) = keys.binary_search(&key(*t)) {
                segment_start[segment[i]] = segment_start[segment[i]].min(*t);
                segment_end[segment[i]] = t.saturating_add(1);
            }
        }
        Some(Grid { lo, width, keys, segment, segment_start, segment_end })
    }

    fn len(&self) -> usize {
        self.keys.len()
    }

    fn index(&self, t: i64) -> Option<usize> {
        if t < self.lo {
            return None;
        }
        let k = i64::try_from((i128::from(t) - i128::from(self.lo)) / i128::from(self.width)).ok()?;
        self.keys.binary_search(&k).ok()
    }

    /// Where bucket `b` starts, or its segment's first event when that is later.
    fn start_ns(&self, b: usize) -> i64 {
        let start = i128::from(self.lo) + i128::from(self.keys[b]) * i128::from(self.width);
        (start.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64).max(self.segment_start[self.segment[b]])
    }

    /// Whether a change found at bucket `b` has too little calm data before it in its
    /// segment to be timed: it may have begun before the segment (in a gap, or before the
    /// data starts).
    fn at_gap(&self, b: usize) -> bool {
        b < TIMED_BUCKETS || self.segment[b - TIMED_BUCKETS] != self.segment[b]
    }
}

/// One signal's observation per occupied bucket.
enum Series {
    /// `k` of `n` events (a share); buckets with `n == 0` are unobserved. `pooled`: the
    /// reference share is `sum k / sum n` rather than the median bucket's (for a log template,
    /// whose lines come in bursts with its operation: most buckets hold none).
    Share { k: Vec<f64>, n: Vec<f64>, pooled: bool },
    /// A level (a median, a metric sample); `None` is unobserved.
    Level { x: Vec<Option<f64>>, min_spread: f64 },
}

/// Which way a signal changes for the worse.
#[derive(Clone, Copy, PartialEq)]
enum Bad {
    Up,
    Down,
    /// Either way: a share of requests or a metric.
    Either,
}

struct Signal {
    name: String,
    series: Series,
    bad: Bad,
    /// Named for the upward / downward direction when it differs (`new` / `missing`).
    down_name: Option<String>,
    /// What it measures, when other signals measure the same: the series of one pod that
    /// read the same measure (CPU in millicores and in percent, the 90th and 99th latency
    /// percentiles) are one piece of evidence, not several that agree.
    measures: Option<String>,
}

/// Robust z per bucket: the binomial residual against the median share (then rescaled by
/// its own MAD, at least 1), or the level against its median and MAD.
fn robust_z(series: &Series) -> Vec<Option<f64>> {
    match series {
        Series::Share { k, n, pooled } => {
            let shares: Vec<f64> = k.iter().zip(n).filter(|(_, n)| **n > 0.0).map(|(k, n)| k / n).collect();
            let Some(median) = median(&shares) else { return vec![None; k.len()] };
            let p0 = if *pooled { k.iter().sum::<f64>() / n.iter().sum::<f64>().max(1.0) } else { median };
            let r: Vec<Option<f64>> =
                k.iter().zip(n).map(|(k, n)| (*n > 0.0).then(|| (k - n * p0) / libm::sqrt(n * p0 * (1.0 - p0) + 1.0))).collect();
            standardise(&r, 1.0)
        }
        Series::Level { x, min_spread } => standardise(x, *min_spread),
    }
}

fn standardise(x: &[Option<f64>], min_spread: f64) -> Vec<Option<f64>> {
    let seen: Vec<f64> = x.iter().flatten().copied().collect();
    let Some(center) = median(&seen) else { return vec![None; x.len()] };
    let spread = mad(&seen, center).max(min_spread).max(1e-12);
    x.iter().map(|v| v.map(|v| (v - center) / spread)).collect()
}

/// One CUSUM alarm: the bucket its change began in and the run's peak sum.
struct Alarm {
    onset: usize,
    peak: f64,
}

/// One-sided CUSUM over `z` (already signed so that worse is up), restarted at every segment.
fn cusum(z: &[Option<f64>], grid: &Grid) -> Vec<Alarm> {
    let mut out: Vec<Alarm> = Vec::new();
    let (mut s, mut start, mut fired) = (0.0f64, 0usize, false);
    for (b, z) in z.iter().enumerate() {
        if b > 0 && grid.segment[b] != grid.segment[b - 1] {
            (s, fired) = (0.0, false);
        }
        let Some(z) = z else { continue };
        let step = z.min(Z_CAP) - K;
        if s == 0.0 {
            if step <= 0.0 {
                continue;
            }
            start = b;
        }
        s = (s + step).max(0.0);
        if s == 0.0 {
            fired = false;
        } else if s >= H {
            if !fired {
                fired = true;
                out.push(Alarm { onset: start, peak: s });
            } else if let Some(last) = out.last_mut() {
                last.peak = last.peak.max(s);
            }
        }
    }
    out
}

/// Whether a change found at bucket `onset` of `z` lasts: the median of the signal's
/// observations from the onset to the end of its segment exceeds `LASTING_Z`.
fn lasts(z: &[Option<f64>], onset: usize, grid: &Grid) -> bool {
    let after: Vec<f64> =
        z[onset..].iter().zip(&grid.segment[onset..]).take_while(|(_, s)| **s == grid.segment[onset]).filter_map(|(z, _)| *z).collect();
    median(&after).is_some_and(|m| m > LASTING_Z)
}

/// A log-template family and the service writing it (none when no service owns the line).
type FamilyKey = (usize, Option<usize>);

/// Every signal of the dataset over the grid.
fn signals(ds: &Dataset, corr: &Correlation, groups: &LineGroups, grid: &Grid) -> Vec<Signal> {
    let nb = grid.len();
    let services: Vec<&str> = corr.services.iter().map(|s| s.name.as_str()).collect();
    let ns = services.len();
    let mut events = vec![0f64; nb];
    let mut fails = vec![0f64; nb];
    let mut entry_all = vec![0f64; nb];
    let mut entry_ms: Vec<Vec<f64>> = vec![Vec::new(); nb];
    let mut svc_events = vec![vec![0f64; nb]; ns];
    let mut svc_fails = vec![vec![0f64; nb]; ns];
    let mut svc_entries = vec![vec![0f64; nb]; ns];
    let mut svc_entry_ms: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); nb]; ns];
    let mut lines = vec![0f64; nb];
    let mut svc_lines = vec![vec![0f64; nb]; ns];
    let mut error_lines = vec![0f64; nb];

    let ms = |r: usize| libm::log(ds.spans.duration_ns[r].max(0) as f64 / 1e6 + 1.0);
    for r in 0..ds.spans.len() {
        let Some(b) = grid.index(ds.spans.start_ns[r]) else { continue };
        if corr.span_duplicate.get(r).copied().unwrap_or(false) {
            continue;
        }
        let service = corr.span_service.get(r).copied().flatten().map(|s| s.0 as usize);
        let parent = corr.span_parent.get(r).copied().flatten().map(|p| p as usize);
        let failed = ds.spans.status[r] == SpanStatus::Error;
        events[b] += 1.0;
        fails[b] += f64::from(u8::from(failed));
        if parent.is_none() {
            entry_ms[b].push(ms(r));
        }
        if let Some(s) = service {
            svc_events[s][b] += 1.0;
            svc_fails[s][b] += f64::from(u8::from(failed));
            // Where a request enters the service: a root, or a child of another service.
            let parent_service = parent.and_then(|p| corr.span_service.get(p).copied().flatten()).map(|p| p.0 as usize);
            if parent_service != Some(s) {
                entry_all[b] += 1.0;
                svc_entries[s][b] += 1.0;
                svc_entry_ms[s][b].push(ms(r));
            }
        }
    }

    // Per family *and* service: a family the miner shares across services (a catch-all
    // template) is each service's own message, read against that service's lines.
    let mut family_lines: HashMap<FamilyKey, Vec<f64>> = HashMap::new();
    let mut unowned_lines = vec![0f64; nb];
    for r in 0..ds.logs.len() {
        let Some(b) = grid.index(ds.logs.time_ns[r]) else { continue };
        let error = ds.logs.level[r].is_failure();
        events[b] += 1.0;
        lines[b] += 1.0;
        fails[b] += f64::from(u8::from(error));
        error_lines[b] += f64::from(u8::from(error));
        let service = corr.log_service.get(r).map(|s| s.0 as usize);
        match service {
            Some(s) => {
                svc_events[s][b] += 1.0;
                svc_lines[s][b] += 1.0;
                svc_fails[s][b] += f64::from(u8::from(error));
            }
            None => unowned_lines[b] += 1.0,
        }
        if let Some(f) = groups.of_line(r) {
            family_lines.entry((f, service)).or_insert_with(|| vec![0.0; nb])[b] += 1.0;
        }
    }

    let median_level = |samples: &[Vec<f64>]| -> Vec<Option<f64>> {
        samples.iter().map(|v| if v.len() >= MIN_LATENCY_SAMPLES { median(v) } else { None }).collect()
    };
    let mut out = vec![
        Signal {
            name: "error share".into(),
            series: Series::Share { k: fails, n: events, pooled: false },
            bad: Bad::Up,
            down_name: None,
            measures: None,
        },
        Signal {
            name: "error lines".into(),
            series: Series::Share { k: error_lines, n: lines, pooled: false },
            bad: Bad::Up,
            down_name: None,
            measures: None,
        },
        Signal {
            name: "entry latency".into(),
            series: Series::Level { x: median_level(&entry_ms), min_spread: MIN_LOG_SPREAD },
            bad: Bad::Up,
            down_name: None,
            measures: None,
        },
    ];
    for (s, name) in services.iter().enumerate() {
        out.push(Signal {
            name: format!("errors in {name}"),
            series: Series::Share { k: std::mem::take(&mut svc_fails[s]), n: std::mem::take(&mut svc_events[s]), pooled: false },
            bad: Bad::Up,
            down_name: None,
            measures: None,
        });
        out.push(Signal {
            name: format!("latency of {name}"),
            series: Series::Level { x: median_level(&svc_entry_ms[s]), min_spread: MIN_LOG_SPREAD },
            bad: Bad::Up,
            down_name: None,
            measures: None,
        });
        out.push(Signal {
            name: format!("more requests to {name}"),
            series: Series::Share { k: std::mem::take(&mut svc_entries[s]), n: entry_all.clone(), pooled: false },
            bad: Bad::Either,
            down_name: Some(format!("fewer requests to {name}")),
            measures: None,
        });
    }
    let mut families: Vec<(FamilyKey, Vec<f64>)> = family_lines.into_iter().collect();
    families.sort_by_key(|(key, _)| *key);
    for ((f, service), k) in families {
        if k.iter().sum::<f64>() < MIN_FAMILY_LINES {
            continue;
        }
        // Against the lines of the service that writes it: a busier minute is no change.
        let n = service.map_or_else(|| unowned_lines.clone(), |s| svc_lines[s].clone());
        let text: String = groups.names.get(f).map_or("", String::as_str).chars().take(60).collect();
        let place = service.map_or_else(String::new, |s| format!(" in {}", services[s]));
        out.push(Signal {
            name: format!("new log pattern{place}: {text}"),
            series: Series::Share { k, n, pooled: true },
            bad: Bad::Either,
            down_name: Some(format!("log pattern missing{place}: {text}")),
            measures: None,
        });
    }
    // Metrics: the series whose name says which way is bad (the ranking's reading of names:
    // node-wide, client-side and byte or syscall series say nothing about a service's health),
    // counters as increases.
    for i in 0..ds.series.len() {
        let name = ds.strings.resolve(ds.series.name[i]);
        let Some(measure) = Measure::of(name) else { continue };
        let sign = measure.bad_direction();
        let (times, values) = ds.series.points(i);
        let mut sum = vec![(0.0f64, 0u32); nb];
        for (t, v) in readings(name, times, values) {
            if let Some(b) = grid.index(t) {
                sum[b].0 += v;
                sum[b].1 += 1;
            }
        }
        let x: Vec<Option<f64>> = sum.iter().map(|(s, n)| (*n > 0).then(|| s / f64::from(*n))).collect();
        let seen: Vec<f64> = x.iter().flatten().copied().collect();
        if seen.len() < 3 {
            continue;
        }
        let center = median(&seen).unwrap_or(0.0);
        let who = match (corr.series_instance.get(i).copied().flatten(), corr.series_service.get(i).copied().flatten()) {
            (Some(inst), _) => format!(" of {}", ds.strings.resolve(inst)),
            (None, Some(s)) => format!(" of {}", services[s.0 as usize]),
            _ => String::new(),
        };
        out.push(Signal {
            name: format!("{name}{who} {}", if sign > 0.0 { "up" } else { "down" }),
            // A metric's own jitter: at least 5% of its level.
            series: Series::Level { x, min_spread: 0.05 * center.abs() },
            bad: if sign > 0.0 { Bad::Up } else { Bad::Down },
            down_name: None,
            measures: Some(format!("{measure:?}{who}")),
        });
    }
    out
}

/// One alarm of a candidate onset: its CUSUM peak, the signal's name and what it measures.
struct Member {
    peak: f64,
    name: String,
    key: String,
    lasts: bool,
}

/// Finds the candidate onsets and chooses the earliest accepted one.
pub fn detect(ds: &Dataset, corr: &Correlation, lines: &LineGroups) -> Option<Detection> {
    let times: Vec<i64> = ds.spans.start_ns.iter().chain(&ds.logs.time_ns).copied().collect();
    let grid = Grid::new(times)?;
    // Every signal direction, signed so that worse is up.
    // (scores, name, evidence key)
    let mut tested: Vec<(Vec<Option<f64>>, String, String)> = Vec::new();
    for signal in signals(ds, corr, lines, &grid) {
        let z = robust_z(&signal.series);
        if z.iter().flatten().next().is_none() {
            continue;
        }
        if signal.bad != Bad::Up {
            let down: Vec<Option<f64>> = z.iter().map(|z| z.map(|z| -z)).collect();
            let name = signal.down_name.clone().unwrap_or_else(|| signal.name.clone());
            let key = signal.measures.as_ref().map_or_else(|| name.clone(), |m| format!("{m} down"));
            tested.push((down, name, key));
        }
        if signal.bad != Bad::Down {
            let key = signal.measures.as_ref().map_or_else(|| signal.name.clone(), |m| format!("{m} up"));
            tested.push((z, signal.name, key));
        }
    }
    let mut alarms: Vec<(usize, Member)> = Vec::new();
    for (z, name, key) in tested {
        for a in cusum(&z, &grid) {
            let lasts = lasts(&z, a.onset, &grid);
            alarms.push((a.onset, Member { peak: a.peak, name: name.clone(), key: key.clone(), lasts }));
        }
    }
    alarms.sort_by(|(a, x), (b, y)| a.cmp(b).then(y.peak.total_cmp(&x.peak)).then(x.name.cmp(&y.name)));
    // Group alarms into candidates: each starts at the earliest alarm not yet grouped and
    // takes every alarm within `AGREE_BUCKETS` after it, in the same segment.
    let mut groups: Vec<(usize, Vec<Member>)> = Vec::new();
    for (onset, member) in alarms {
        match groups.last_mut() {
            Some((first, members)) if onset - *first <= AGREE_BUCKETS && grid.segment[onset] == grid.segment[*first] => {
                members.push(member);
            }
            _ => groups.push((onset, vec![member])),
        }
    }
    // Each piece of evidence once, at its strongest.
    let strength_of = |members: &mut dyn Iterator<Item = &Member>| {
        let mut best: Vec<(&str, f64)> = Vec::new();
        for m in members {
            match best.iter_mut().find(|(k, _)| *k == m.key) {
                Some(b) => b.1 = b.1.max(m.peak),
                None => best.push((&m.key, m.peak)),
            }
        }
        best.iter().map(|(_, p)| p).sum::<f64>()
    };
    let strength = |members: &[Member]| strength_of(&mut members.iter());
    let accepted = |g: &(usize, Vec<Member>)| strength(&g.1) >= ACCEPT;
    let lasting = |g: &(usize, Vec<Member>)| strength_of(&mut g.1.iter().filter(|m| m.lasts)) >= ACCEPT;
    // A window runs from its onset to the end of the last stretch of data in which an
    // accepted change begins: a calm stretch after it (a baseline recorded later) is left out.
    let last_changed = groups.iter().filter(|g| accepted(g)).map(|g| grid.segment[g.0]).max();
    let windows_at = |b: usize| -> Option<(TimeRange, Option<TimeRange>)> {
        // The window opens `LEAD_BUCKETS` before the onset, within its segment.
        let first = grid.segment.iter().position(|s| *s == grid.segment[b]).unwrap_or(b);
        let opened = b.saturating_sub(LEAD_BUCKETS).max(first);
        let start = grid.start_ns(opened);
        let (first_w, last_w) = (grid.segment[b], last_changed.unwrap_or(0).max(grid.segment[b]));
        let window = TimeRange::new(start, grid.segment_end[last_w]).ok()?;
        // The baseline: the longest stretch of calm data, either the part of the onset's
        // segment before the window or a whole other segment outside the window (a baseline
        // recorded apart). One stretch: a range across a gap would mix two recordings, and
        // a minute before the onset is a noisier reference than three recorded apart.
        // Before the onset, it ends `BASELINE_GAP_BUCKETS` before it.
        let ended = b.saturating_sub(BASELINE_GAP_BUCKETS).max(first);
        let mut best: Option<(usize, TimeRange)> =
            TimeRange::new(grid.segment_start[first_w], grid.start_ns(ended)).ok().map(|r| (ended - first, r));
        for seg in (0..grid.segment_end.len()).filter(|s| *s < first_w || *s > last_w) {
            let buckets = grid.segment.iter().filter(|s| **s == seg).count();
            if best.as_ref().is_none_or(|(n, _)| buckets > *n) {
                best = TimeRange::new(grid.segment_start[seg], grid.segment_end[seg]).ok().map(|r| (buckets, r));
            }
        }
        let baseline = best.map(|(_, r)| r);
        Some((window, baseline))
    };
    // The earliest accepted change that lasts and can be timed; else the earliest timed one
    // (an incident that recovered within the data); else (every change lies at a gap) the
    // earliest one; each time one whose window leaves a baseline to compare with, when any
    // does: a window over all the data (a change at the data's first bucket, no calm stretch
    // after it) says nothing a ranking can use.
    let compared = |g: &(usize, Vec<Member>)| accepted(g) && windows_at(g.0).is_some_and(|(_, b)| b.is_some());
    let chosen = groups
        .iter()
        .position(|g| compared(g) && !grid.at_gap(g.0) && lasting(g))
        .or_else(|| groups.iter().position(|g| compared(g) && !grid.at_gap(g.0)))
        .or_else(|| groups.iter().position(compared))
        .or_else(|| groups.iter().position(accepted));
    // The strongest candidates and the chosen one, listed by time.
    let mut listed: Vec<usize> = (0..groups.len()).collect();
    listed.sort_by(|a, b| strength(&groups[*b].1).total_cmp(&strength(&groups[*a].1)).then(a.cmp(b)));
    listed.truncate(MAX_LISTED);
    if let Some(c) = chosen.filter(|c| !listed.contains(c)) {
        listed.pop();
        listed.push(c);
    }
    listed.sort_unstable();
    let candidates = listed
        .into_iter()
        .filter_map(|g| {
            let (onset, members) = &groups[g];
            let (window, baseline) = windows_at(*onset)?;
            // Each signal once, at its strongest, strongest first.
            let mut named: Vec<(f64, &str)> = Vec::new();
            for Member { peak: p, name: n, .. } in members {
                match named.iter_mut().find(|(_, m)| *m == n.as_str()) {
                    Some(x) => x.0 = x.0.max(*p),
                    None => named.push((*p, n)),
                }
            }
            named.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
            Some(OnsetCandidate {
                window,
                baseline,
                signals: named.iter().take(MAX_NAMED).map(|(_, n)| n.to_string()).collect(),
                signal_count: named.len() as u32,
                strength: (strength(members) * 1000.0).round() / 1000.0,
                at_gap: grid.at_gap(*onset),
                chosen: Some(g) == chosen,
            })
        })
        .collect();
    Some(Detection { chosen: chosen.and_then(|c| windows_at(groups[c].0)), candidates })
}
