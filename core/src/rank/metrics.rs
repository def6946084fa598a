//! Metric evidence: robust anomaly scores of the series mapped to a service or instance,
//! direction-aware by what the series measures, with the exemplar traces of anomalous ones.
//!
//! Counters (`*_total`, the Prometheus naming rule) are read as their increase per sample, so
//! a restart long before the window does not make every later sample look high. A
//! throughput series that stops reporting in the window reads as zero there: a target that
//! is down serves nothing, and its series go stale rather than reporting 0.

use super::evidence::{Evidence, EvidenceRef, Finding, Kind, Target};
use super::lifecycle::Retired;
use super::view::View;
use crate::base::metric::{readings, Measure};
use crate::base::stats::{mad, median};

/// Scores saturate here: one wild sample should not outweigh every other signal.
const MAX_Z: f64 = 50.0;
/// The spread never counts as less than this share of the median level.
const MIN_RELATIVE_SPREAD: f64 = 0.2;
/// History points needed for a robust baseline.
const MIN_HISTORY: usize = 5;
/// A series this anomalous lends its exemplars as evidence.
const EXEMPLAR_Z: f64 = 3.0;

/// The evidence kind a measure feeds.
fn kind_of(measure: Measure) -> Kind {
    match measure {
        Measure::Throughput => Kind::MetricThroughput,
        Measure::Errors => Kind::MetricErrors,
        Measure::Latency => Kind::MetricLatency,
        Measure::Saturation => Kind::MetricSaturation,
    }
}

fn series_text(v: &View, s: usize) -> String {
    let labels: Vec<String> = v.ds.label_pairs(v.ds.series.labels[s]).map(|(k, x)| format!("{k}=\"{x}\"")).collect();
    format!("{}{{{}}}", v.ds.strings.resolve(v.ds.series.name[s]), labels.join(","))
}

pub fn collect(v: &View, retired: &Retired, ev: &mut Evidence, window: crate::base::TimeRange) {
    for s in 0..v.ds.series.len() {
        let Some(service) = v.series_service(s) else { continue };
        let name = v.ds.strings.resolve(v.ds.series.name[s]);
        let Some(measure) = Measure::of(name) else { continue };
        let (kind, direction) = (kind_of(measure), measure.bad_direction());
        let (times, values) = v.ds.series.points(s);
        let points = readings(name, times, values);
        // A sample covers the step before its time: the window's samples run past its end
        // by one step, and every sample at or before its start is history.
        let step = median(&points.windows(2).map(|p| (p[1].0 - p[0].0) as f64).collect::<Vec<_>>()).unwrap_or(0.0) as i64;
        let mut history = Vec::new();
        let mut current = Vec::new();
        for (t, x) in &points {
            if *t <= window.start_ns {
                history.push(*x);
            } else if *t <= window.end_ns.saturating_add(step) {
                current.push(*x);
            }
        }
        if history.len() < MIN_HISTORY {
            continue;
        }
        // An instance that left cleanly is silent because it left, not because it is down.
        if direction < 0.0 && !retired.left(v.series_instance[s]) {
            // Silence is no sample at all: a NaN sample (no requests in the step) still reports.
            let mut reported = times.to_vec();
            reported.sort_unstable();
            current.extend(std::iter::repeat_n(0.0, silent_steps(&reported, step, window)));
        }
        if current.is_empty() {
            continue;
        }
        let center = median(&history).unwrap_or(0.0);
        let spread = mad(&history, center).max(MIN_RELATIVE_SPREAD * center.abs()).max(1e-12);
        let z = current.iter().map(|x| direction * (x - center) / spread).fold(f64::NEG_INFINITY, f64::max).min(MAX_Z);
        let series = series_text(v, s);
        let mut refs = vec![EvidenceRef::Series { series: series.clone() }];
        if z >= EXEMPLAR_Z {
            let mut traces: Vec<String> = (0..v.ds.exemplars.len())
                .filter(|e| v.ds.exemplars.series[*e] == Some(s as u32) && window.contains(v.ds.exemplars.time_ns[*e]))
                .filter_map(|e| v.ds.exemplars.trace[e].map(|t| t.to_string()))
                .collect();
            traces.sort();
            traces.dedup();
            refs.extend(traces.into_iter().take(3).map(|trace_id| EvidenceRef::Trace { trace_id }));
        }
        let verb = if direction > 0.0 { "up" } else { "down" };
        let phrase = format!("{name} {verb} {z:.1} robust sd from its median");
        for t in Target::both(service, v.series_instance[s]) {
            ev.offer(t, kind, Finding { value: z, operation: None, phrase: phrase.clone(), refs: refs.clone() });
        }
    }
}

/// Grid steps counted in one window at most: more than any real window holds (10 days of
/// 10 s samples), so hostile timestamps cannot make the count a long loop or a huge vector.
const MAX_STEPS: i128 = 100_000;

/// Steps of the window (on the series' own grid, continued from its last sample before the
/// window) that have no sample: the time it was silent. `times` are sorted.
fn silent_steps(times: &[i64], step: i64, window: crate::base::TimeRange) -> usize {
    let Some(last) = times.iter().rev().find(|t| **t <= window.start_ns).copied() else { return 0 };
    if step <= 0 {
        return 0;
    }
    let (last, step) = (i128::from(last), i128::from(step));
    let slots = ((i128::from(window.end_ns) + step - last) / step).clamp(0, MAX_STEPS);
    // A sample within half a step of a grid point stands for it.
    let mut filled: Vec<i128> =
        times.iter().map(|t| (i128::from(*t) - last + step / 2).div_euclid(step)).filter(|k| (1..=slots).contains(k)).collect();
    filled.dedup();
    (slots - filled.len() as i128) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_is_counted_on_the_series_grid() {
        let w = crate::base::TimeRange { start_ns: 100, end_ns: 200 };
        let every = |from: i64, to: i64| (from..=to).step_by(10).collect::<Vec<i64>>();
        assert_eq!(silent_steps(&every(0, 210), 10, w), 0);
        // Reporting stops after 150: 160..=210 are silent.
        assert_eq!(silent_steps(&every(0, 150), 10, w), 6);
        assert_eq!(silent_steps(&every(150, 210), 10, w), 0);
    }
}
