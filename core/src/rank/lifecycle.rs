//! Instances that left: a pod or host whose every record (span, log line, sample) stops inside
//! the data and stays stopped, that ended cleanly, and whose service fails no more than before
//! (neither its callers nor its other instances). A batch job that finished and the old pod of a rolling update end this way; a pod
//! that crashes, runs out of memory or loses its node does not: it logs a fatal line or fails
//! at its end, it comes back (or its pod object keeps being reported), or its callers wait and
//! fail. What an instance that left no longer does (requests it stopped receiving, usual log
//! lines it stopped writing, throughput series that went silent) is not evidence of a fault.

use crate::base::TimeRange;
use crate::model::Level;

use super::stats::count_surprise;
use super::view::{Phase, View};

/// An instance silent this long before the window's end (and at least `GAPS` of its usual
/// gaps between records) has ended: a pod's series alone report every 15-60 s.
const MIN_SILENCE_NS: i64 = 60_000_000_000;
const GAPS: i64 = 4;
/// The stretch before an instance's last record that tells how it ended.
const FINAL_NS: i64 = 60_000_000_000;
/// Failures in the final stretch this far above the instance's own earlier rate (a count
/// surprise) mean it did not end cleanly.
const FAILING: f64 = 2.0;
/// Failures at or in a service this far above their baseline rate (a count surprise) mean it
/// is in trouble: its callers noticed, or its other instances fail.
const TROUBLE: f64 = 2.0;

/// Which instances left the data cleanly, unnoticed by their callers.
pub struct Retired {
    instance: Vec<bool>,
}

/// One instance's records: when each was, and when each failure was.
#[derive(Default)]
struct Life {
    times: Vec<i64>,
    /// Failing spans and error lines, apart: one failure often shows as both.
    failures: [Vec<i64>; 2],
    /// A fatal line (`Critical`) in the final stretch ends it uncleanly on its own.
    fatal: Vec<i64>,
}

impl Retired {
    /// Reads every record of every instance against the window (the data's end).
    pub fn of(v: &View, window: TimeRange) -> Retired {
        let mut lives: Vec<Life> = (0..v.instances.len()).map(|_| Life::default()).collect();
        // Every record's time is kept, a row each: counted first, so each list is allocated
        // once at its size rather than grown by doubling.
        let mut records = vec![0usize; lives.len()];
        let span_rows = v.span_instance.iter().flatten();
        let log_rows = (0..v.ds.logs.len()).filter_map(|r| v.log_instance(r));
        for i in span_rows.copied().chain(log_rows) {
            records[i] += 1;
        }
        for s in 0..v.ds.series.len() {
            if let Some(i) = v.series_instance[s] {
                records[i] += v.ds.series.points(s).0.len();
            }
        }
        for (life, n) in lives.iter_mut().zip(records) {
            life.times.reserve_exact(n);
        }
        for r in 0..v.ds.spans.len() {
            let Some(i) = v.span_instance[r] else { continue };
            let end = v.ds.spans.start_ns[r].saturating_add(v.ds.spans.duration_ns[r].max(0));
            lives[i].times.push(end);
            if v.failed(r) {
                lives[i].failures[0].push(end);
            }
        }
        for r in 0..v.ds.logs.len() {
            let Some(i) = v.log_instance(r) else { continue };
            let t = v.ds.logs.time_ns[r];
            lives[i].times.push(t);
            match v.log_level(r) {
                Level::Critical => {
                    lives[i].failures[1].push(t);
                    lives[i].fatal.push(t);
                }
                Level::Error => lives[i].failures[1].push(t),
                _ => {}
            }
        }
        for s in 0..v.ds.series.len() {
            let Some(i) = v.series_instance[s] else { continue };
            lives[i].times.extend_from_slice(v.ds.series.points(s).0);
        }
        let troubled = troubled(v);
        let instance =
            lives.iter_mut().enumerate().map(|(i, life)| !troubled[v.instances[i].1] && life.ended_cleanly_before(window.end_ns)).collect();
        Retired { instance }
    }

    /// Whether the instance (when known) left cleanly.
    pub fn left(&self, instance: Option<usize>) -> bool {
        instance.is_some_and(|i| self.instance.get(i).copied().unwrap_or(false))
    }
}

impl Life {
    fn ended_cleanly_before(&mut self, end: i64) -> bool {
        self.times.sort_unstable();
        let (Some(&first), Some(&last)) = (self.times.first(), self.times.last()) else { return false };
        // The gaps between consecutive records, in the times' place (read no more).
        let mut gaps = std::mem::take(&mut self.times);
        for i in 1..gaps.len() {
            gaps[i - 1] = gaps[i] - gaps[i - 1];
        }
        gaps.pop();
        gaps.sort_unstable();
        let usual_gap = gaps.get(gaps.len() / 2).copied().unwrap_or(0);
        if end.saturating_sub(last) < MIN_SILENCE_NS.max(usual_gap.saturating_mul(GAPS)) {
            return false;
        }
        let final_from = last.saturating_sub(FINAL_NS);
        if self.fatal.iter().any(|t| *t >= final_from) {
            return false;
        }
        let lived = final_from.saturating_sub(first);
        let (mut before, mut at_end) = (0f64, 0f64);
        for failures in &self.failures {
            let earlier = failures.iter().filter(|t| **t < final_from).count();
            before = before.max(earlier as f64);
            at_end = at_end.max((failures.len() - earlier) as f64);
        }
        let expected = if lived > 0 { before * FINAL_NS as f64 / lived as f64 } else { 0.0 };
        count_surprise(at_end, expected) < FAILING
    }
}

/// Per service: whether it is in trouble in the window, beyond its baseline rate: calls to it
/// fail (another service's span whose child is in it, or a call to it no span answers), or
/// failures start in it (a failing span with nothing failing below, an error line not explained
/// by a failing call below it). A rollout whose new pods fail is a bad deploy, not a rollout.
fn troubled(v: &View) -> Vec<bool> {
    // Per service and phase: failing calls to it, failures starting in it.
    let mut calls = vec![[0f64; 2]; v.services.len()];
    let mut own = vec![[0f64; 2]; v.services.len()];
    let mut lines = vec![[0f64; 2]; v.services.len()];
    for r in 0..v.ds.spans.len() {
        let Some(slot) = slot(v.span_phase[r]) else { continue };
        if !v.failed(r) {
            continue;
        }
        let caller = v.span_service(r);
        if !v.fails_downstream(r) {
            own[caller][slot] += 1.0;
        }
        if let Some(callee) = v.span_callee[r] {
            calls[callee][slot] += 1.0;
        }
        let mut seen: Option<usize> = None;
        for c in v.span_children(r) {
            let s = v.span_service(c);
            if s != caller && seen != Some(s) {
                calls[s][slot] += 1.0;
                seen = Some(s);
            }
        }
    }
    for r in 0..v.ds.logs.len() {
        let (Some(slot), Some(service)) = (slot(v.log_phase(r)), v.log_service(r)) else { continue };
        let failing = matches!(v.log_level(r), Level::Critical | Level::Error);
        if failing && !v.log_span(r).is_some_and(|sp| v.fails_downstream(sp)) {
            lines[service][slot] += 1.0;
        }
    }
    let ratio = if v.baseline_ns > 0 { v.window_ns as f64 / v.baseline_ns as f64 } else { 1.0 };
    let surge = |[w, b]: [f64; 2]| count_surprise(w, b * ratio) >= TROUBLE;
    // Error lines come in bursts and from pods that log one error all along: a surge of them
    // must also double their rate.
    let lines_surge = |[w, b]: [f64; 2]| surge([w, b]) && w >= 2.0 * b * ratio;
    (0..v.services.len()).map(|s| surge(calls[s]) || surge(own[s]) || lines_surge(lines[s])).collect()
}

fn slot(p: Phase) -> Option<usize> {
    match p {
        Phase::Window => Some(0),
        Phase::Baseline => Some(1),
        Phase::Outside => None,
    }
}
