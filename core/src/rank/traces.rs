//! Trace evidence: where failures originate, where callers wait on the network or a queue
//! (the edge gap), where requests spend more of their own time, and who stops being called.
//!
//! A message's wait in its queue is read from messaging spans (OpenTelemetry's span kinds): the
//! time from a producer span's end to the start of the consumer span processing its message
//! (a child of it). A wait that grows is a consumer falling behind, so it is the consumer's
//! evidence, never the producer's: producers publish as fast as before.

use std::collections::BTreeMap;

use super::evidence::{Evidence, EvidenceRef, Finding, Kind, Target};
use super::lifecycle::Retired;
use super::stats::{count_surprise, log_growth};
use super::view::{Phase, View};
use crate::model::SpanKind;

/// Durations below this are jitter, not growth (1 ms).
const FLOOR_NS: f64 = 1e6;
/// Queue waits below this are a broker's ordinary delivery time, not a backlog (500 ms): brokers
/// hand a message on within milliseconds to tens of them, so a wait of half a second already
/// means the consumer is behind. Added to both medians like `FLOOR_NS`.
const QUEUE_FLOOR_NS: f64 = 5e8;
/// Trace ids listed per finding.
const MAX_REFS: usize = 3;

/// Window and baseline samples of one quantity, with the window's worst traces.
#[derive(Default)]
struct Samples {
    window: Vec<f64>,
    baseline: Vec<f64>,
    /// (value, span row) in the window, to name the worst traces.
    worst: Vec<(f64, usize)>,
}

impl Samples {
    fn add(&mut self, phase: Phase, value: f64, row: usize) {
        match phase {
            Phase::Window => {
                self.window.push(value);
                self.worst.push((value, row));
            }
            Phase::Baseline => self.baseline.push(value),
            Phase::Outside => {}
        }
    }
}

fn trace_refs(v: &View, rows: impl Iterator<Item = usize>) -> Vec<EvidenceRef> {
    let mut out: Vec<EvidenceRef> = Vec::new();
    for r in rows {
        let id = EvidenceRef::Trace { trace_id: v.ds.spans.trace[r].to_string() };
        if !out.contains(&id) {
            out.push(id);
        }
        if out.len() == MAX_REFS {
            break;
        }
    }
    out
}

fn worst_rows(worst: &mut [(f64, usize)]) -> impl Iterator<Item = usize> + '_ {
    worst.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    worst.iter().map(|(_, r)| *r)
}

fn op(v: &View, row: usize) -> String {
    v.ds.strings.resolve(v.ds.spans.operation[row]).to_string()
}

/// The time each span spends in its own service: its duration less the calls it makes to
/// other services (exit spans below it, before another service takes over). One bottom-up
/// pass: a span's calls out are its children's that leave, plus those of the children that
/// stay (same service, not an exit).
fn self_times(v: &View) -> Vec<f64> {
    let spans = &v.ds.spans;
    let mut out = vec![0i64; spans.len()];
    for &r in v.parents_first.iter().rev() {
        out[r] = v.span_children(r).fold(0i64, |sum, c| {
            let leaves = v.span_service(c) != v.span_service(r) || v.is_exit(c);
            sum.saturating_add(if leaves { spans.duration_ns[c] } else { out[c] })
        });
    }
    (0..spans.len()).map(|r| (spans.duration_ns[r].saturating_sub(out[r])).max(0) as f64).collect()
}

/// Per target and phase (window, baseline): requests served and the failures starting there,
/// counted apart for calls no span of the target answers, whose rate has its own baseline.
#[derive(Default)]
struct Tally {
    entries: [f64; 2],
    origins: [f64; 2],
    calls: [f64; 2],
    call_origins: [f64; 2],
    /// Requests served by instances that stay: what a drop in volume is read from (an
    /// instance that left cleanly stopped receiving requests because it left).
    staying: [f64; 2],
    /// The window's origin rows.
    rows: Vec<usize>,
}

/// How a target served a request: through its own entry span, or as the peer of a call no
/// span of it answers.
#[derive(Clone, Copy)]
enum Served {
    Entry,
    Call,
}

impl Tally {
    /// Counts span `row` in phase `slot`: as a request served (`served`) and as a failure
    /// starting here (`origin`); the window's origins are kept for evidence.
    fn count(&mut self, how: Served, slot: usize, served: bool, origin: bool, row: usize) {
        let (requests, origins) = match how {
            Served::Entry => (&mut self.entries, &mut self.origins),
            Served::Call => (&mut self.calls, &mut self.call_origins),
        };
        requests[slot] += f64::from(u8::from(served));
        if origin {
            origins[slot] += 1.0;
            if slot == 0 {
                self.rows.push(row);
            }
        }
    }

    /// Origins expected in the window at the baseline rates.
    fn expected_origins(&self) -> f64 {
        let at_rate = |events: [f64; 2], per: [f64; 2]| if per[1] > 0.0 { events[1] * per[0] / per[1] } else { 0.0 };
        at_rate(self.origins, self.entries) + at_rate(self.call_origins, self.calls)
    }
}

pub fn collect(v: &View, retired: &Retired, ev: &mut Evidence) {
    // Per callee and calling service: a delay on one caller's path is not diluted by the others.
    let mut gaps: BTreeMap<(Target, usize), Samples> = BTreeMap::new();
    // Per consumer and producing service, likewise: the time messages wait in the queue.
    let mut waits: BTreeMap<(Target, usize), Samples> = BTreeMap::new();
    // Per target and operation: an operation slow all along whose share of the traffic grows
    // moves a service-wide median without any request growing slower (a mix shift, not a fault).
    let mut selfs: BTreeMap<(Target, crate::model::Sym), Samples> = BTreeMap::new();
    let mut counts: BTreeMap<Target, Tally> = BTreeMap::new();
    // Root spans per service and phase: the traffic at the entry points.
    let mut roots: BTreeMap<usize, [f64; 2]> = BTreeMap::new();
    for (r, self_time) in self_times(v).into_iter().enumerate() {
        let phase = v.span_phase[r];
        let slot = match phase {
            Phase::Window => 0,
            Phase::Baseline => 1,
            Phase::Outside => continue,
        };
        let (service, instance) = (v.span_service(r), v.span_instance[r]);
        let stays = !retired.left(instance);
        // The traffic at the entry points, less what an instance that left started itself.
        if stays && v.span_parent(r).is_none() && v.ds.spans.parent[r].is_none() {
            roots.entry(service).or_default()[slot] += 1.0;
        }
        if v.is_exit(r) {
            for c in v.span_children(r) {
                if v.span_service(c) != service && !matches!(v.ds.spans.kind[r], SpanKind::Producer) {
                    let gap = (v.ds.spans.duration_ns[r] - v.ds.spans.duration_ns[c]).max(0) as f64;
                    for t in Target::both(v.span_service(c), v.span_instance[c]) {
                        gaps.entry((t, service)).or_default().add(phase, gap, c);
                    }
                }
            }
        }
        if let Some(end) = produced_at(v, r) {
            for c in v.span_children(r).filter(|c| matches!(v.ds.spans.kind[*c], SpanKind::Consumer)) {
                let wait = v.ds.spans.start_ns[c].saturating_sub(end).max(0) as f64;
                for t in Target::both(v.span_service(c), v.span_instance[c]) {
                    waits.entry((t, service)).or_default().add(phase, wait, c);
                }
            }
        }
        let failed_below = v.span_children(r).any(|c| v.failed(c));
        if let Some(callee) = v.span_callee[r] {
            // A call no span answers: the callee's side of it is this span. Its whole
            // duration is time the callee does not explain, and a failure with nothing
            // failing below starts at the callee.
            let t = Target::Service(callee);
            if !matches!(v.ds.spans.kind[r], SpanKind::Producer) {
                gaps.entry((t, service)).or_default().add(phase, v.ds.spans.duration_ns[r].max(0) as f64, r);
            }
            counts.entry(t).or_default().count(Served::Call, slot, true, v.failed_at_peer(r).is_some() && !failed_below, r);
        }
        let entry = v.is_entry(r);
        let abandoned = v.abandoned(r).filter(|_| !failed_below);
        if let Some(c) = abandoned {
            // A call given up on: the failure starts at the callee that was still working.
            for t in Target::both(v.span_service(c), v.span_instance[c]) {
                counts.entry(t).or_default().count(Served::Entry, slot, false, true, r);
            }
        }
        let origin = v.failed(r) && !failed_below && v.failed_at_peer(r).is_none() && abandoned.is_none();
        for t in Target::both(service, instance) {
            if entry {
                selfs.entry((t, v.ds.spans.operation[r])).or_default().add(phase, self_time, r);
            }
            let tally = counts.entry(t).or_default();
            tally.count(Served::Entry, slot, entry, origin, r);
            tally.staying[slot] += f64::from(u8::from(entry && stays));
        }
    }
    for ((t, _caller), mut s) in gaps {
        if let Some(g) = log_growth(&s.window, &s.baseline, FLOOR_NS) {
            let rows: Vec<usize> = worst_rows(&mut s.worst).collect();
            let operation = rows.first().map(|r| op(v, *r));
            let phrase = format!("callers wait {:.1}x longer than its spans explain", libm::exp(g));
            ev.offer(t, Kind::EdgeGap, Finding { value: g, operation, phrase, refs: trace_refs(v, rows.into_iter()) });
        }
    }
    for ((t, _producer), mut s) in waits {
        if let Some(g) = log_growth(&s.window, &s.baseline, QUEUE_FLOOR_NS) {
            let typical = |xs: &[f64]| crate::base::stats::median(xs).unwrap_or(0.0) / 1e9;
            let phrase = format!("messages wait {:.1} s in its queue (baseline {:.2} s)", typical(&s.window), typical(&s.baseline));
            let rows: Vec<usize> = worst_rows(&mut s.worst).collect();
            let operation = rows.first().map(|r| op(v, *r));
            ev.offer(t, Kind::EdgeGap, Finding { value: g, operation, phrase, refs: trace_refs(v, rows.into_iter()) });
        }
    }
    for ((t, _operation), mut s) in selfs {
        if let Some(g) = log_growth(&s.window, &s.baseline, FLOOR_NS) {
            let rows: Vec<usize> = worst_rows(&mut s.worst).collect();
            let operation = rows.first().map(|r| op(v, *r));
            let phrase = format!("its own time per request grew {:.1}x", libm::exp(g));
            ev.offer(t, Kind::SelfTime, Finding { value: g, operation, phrase, refs: trace_refs(v, rows.into_iter()) });
        }
    }
    let roots = steady_roots(&roots);
    for (t, tally) in counts {
        let expected = tally.expected_origins();
        let observed = tally.origins[0] + tally.call_origins[0];
        let z = count_surprise(observed, expected);
        let operation = tally.rows.first().map(|r| op(v, *r));
        let phrase = if tally.call_origins[0] > tally.origins[0] {
            format!("{observed} calls to it fail with nothing failing below ({expected:.0} expected)")
        } else {
            format!("{observed} failing spans start here ({expected:.0} expected)")
        };
        ev.offer(t, Kind::ErrorOrigin, Finding { value: z, operation, phrase, refs: trace_refs(v, tally.rows.into_iter()) });
        let entries = tally.staying;
        if let (Some(roots), true) = (roots, entries[1] > 0.0) {
            let expected = entries[1] * roots[0] / roots[1];
            let z = -count_surprise(entries[0], expected);
            let phrase = format!("receives {} requests where {expected:.0} were due", entries[0]);
            ev.offer(t, Kind::VolumeDrop, Finding { value: z, operation: None, phrase, refs: Vec::new() });
        }
    }
}

/// When a producer span handed its message to the queue (its end, ns); `None` for other spans.
fn produced_at(v: &View, row: usize) -> Option<i64> {
    matches!(v.ds.spans.kind[row], SpanKind::Producer).then(|| v.ds.spans.start_ns[row].saturating_add(v.ds.spans.duration_ns[row]))
}

/// The traffic at the entry points in the window and the baseline, from the services that start
/// traces in both: a source that starts or stops (a batch job that runs in one of them, a
/// client that goes away) changes no one else's due share. `None` without such a service.
fn steady_roots(roots: &BTreeMap<usize, [f64; 2]>) -> Option<[f64; 2]> {
    let both = roots.values().filter(|r| r[0] > 0.0 && r[1] > 0.0);
    let sum = both.fold([0.0, 0.0], |acc, r| [acc[0] + r[0], acc[1] + r[1]]);
    (sum[1] > 0.0).then_some(sum)
}
