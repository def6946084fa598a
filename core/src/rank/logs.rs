//! Log evidence: usual templates that vanish or drop (a code fault that returns a wrong
//! result often shows only there), and error or warning templates that are new or surging,
//! less the lines a deeper service in the same trace explains.
//!
//! Counts are compared per context: a line written inside a span is expected in proportion
//! to how often that operation ran, so a change in the traffic mix is not read as a fault.
//! Lines outside spans are expected in proportion to the window's length.

use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet};

use super::evidence::{Evidence, EvidenceRef, Finding, Kind, Target};
use super::lifecycle::Retired;
use super::stats::count_surprise;
use super::view::{Phase, View};
use crate::model::Level;

/// The least expected count for a template's absence to count as missing.
const MIN_EXPECTED: f64 = 1.0;
const MAX_REFS: usize = 3;

#[derive(Default)]
struct Count {
    window: f64,
    baseline: f64,
    /// Window rows, for trace references and the explained share.
    rows: Vec<usize>,
}

fn slot(p: Phase) -> Option<usize> {
    match p {
        Phase::Window => Some(0),
        Phase::Baseline => Some(1),
        Phase::Outside => None,
    }
}

/// The surging lines of one trace, as far as "is a line of another service deeper than
/// depth d?" needs them: the deepest line, and the deepest of a service other than its one.
/// Answers in O(1) what a scan of every line of the trace would.
#[derive(Default)]
struct Deepest {
    first: Option<(usize, usize)>,
    other: Option<(usize, usize)>,
}

impl Deepest {
    fn add(&mut self, depth: usize, service: usize) {
        match self.first {
            None => self.first = Some((depth, service)),
            Some((d, s)) if s == service => self.first = Some((d.max(depth), s)),
            // The old deepest is of another service and deeper than anything else but this.
            Some(old) if depth > old.0 => (self.first, self.other) = (Some((depth, service)), Some(old)),
            Some(_) => {
                if self.other.is_none_or(|(d, _)| depth > d) {
                    self.other = Some((depth, service));
                }
            }
        }
    }

    fn deeper_in_other(&self, depth: usize, service: usize) -> bool {
        match self.first {
            Some((d, s)) if s != service => d > depth,
            Some(_) => self.other.is_some_and(|(d, _)| d > depth),
            None => false,
        }
    }
}

pub fn collect(v: &View, retired: &Retired, ev: &mut Evidence) {
    // Operation runs per (target, operation) and phase: the denominators. An instance that
    // left cleanly is left out of both: its lines stopped because it did.
    // Hash maps: an entry per span and per log line (sorted keys below keep the findings' order).
    let mut runs: FxHashMap<(Target, u32), [f64; 2]> = FxHashMap::default();
    for r in 0..v.ds.spans.len() {
        if retired.left(v.span_instance[r]) {
            continue;
        }
        if let Some(s) = slot(v.span_phase[r]) {
            for t in Target::both(v.span_service(r), v.span_instance[r]) {
                runs.entry((t, v.ds.spans.operation[r].0)).or_default()[s] += 1.0;
            }
        }
    }
    // Lines per (target, context operation, template).
    let mut counts: FxHashMap<(Target, Option<u32>, usize), Count> = FxHashMap::default();
    for r in 0..v.ds.logs.len() {
        let (Some(s), Some(service)) = (slot(v.log_phase(r)), v.log_service(r)) else { continue };
        if retired.left(v.log_instance(r)) {
            continue;
        }
        let ctx = v.log_span(r).map(|sp| v.ds.spans.operation[sp].0);
        let (instance, template) = (v.log_instance(r), v.log_template(r));
        for t in Target::both(service, instance) {
            let c = counts.entry((t, ctx, template)).or_default();
            if s == 0 {
                c.window += 1.0;
                c.rows.push(r);
            } else {
                c.baseline += 1.0;
            }
        }
    }
    let span_ratio = |t: Target, ctx: Option<u32>| -> Option<f64> {
        match ctx {
            Some(op) => runs.get(&(t, op)).filter(|n| n[1] > 0.0).map(|n| n[0] / n[1]),
            None if v.baseline_ns > 0 => Some(v.window_ns as f64 / v.baseline_ns as f64),
            None => None,
        }
    };
    let is_error = |r: usize| matches!(v.log_level(r), Level::Critical | Level::Error | Level::Warning);
    let mut surging: Vec<(Target, Option<u32>, usize, f64, f64)> = Vec::new();
    let mut missing: Vec<(Target, f64, Finding)> = Vec::new();
    let mut usual: BTreeMap<Target, f64> = BTreeMap::new();
    let mut keys: Vec<(Target, Option<u32>, usize)> = counts.keys().copied().collect();
    keys.sort_unstable();
    for (t, ctx, tpl) in &keys {
        let c = &counts[&(*t, *ctx, *tpl)];
        let expected = match span_ratio(*t, *ctx) {
            Some(ratio) => c.baseline * ratio,
            None if c.baseline == 0.0 => 0.0,
            None => continue,
        };
        let z = count_surprise(c.window, expected);
        let operation = ctx.map(|o| v.ds.strings.resolve(crate::model::Sym(o)).to_string());
        let template = v.templates[*tpl].clone();
        if expected >= MIN_EXPECTED {
            *usual.entry(*t).or_default() += 1.0;
        }
        if z < 0.0 && expected >= MIN_EXPECTED {
            let phrase = format!("usual log `{template}` seen {} times where {expected:.0} were due", c.window);
            let refs = vec![EvidenceRef::Template { template }];
            missing.push((*t, -z, Finding { value: 0.0, operation, phrase, refs }));
        } else if z > 0.0 && c.rows.first().is_some_and(|r| is_error(*r)) {
            surging.push((*t, *ctx, *tpl, z, expected));
        }
    }
    // The strongest of K deficits is large by chance when K is large: a service with many
    // usual templates is judged by its excess over sqrt(2 ln K), the expected maximum of K
    // standard normal surprises.
    for (t, deficit, mut finding) in missing {
        finding.value = deficit - libm::sqrt(2.0 * libm::log(usual[&t].max(1.0)));
        ev.offer(t, Kind::LogMissing, finding);
    }
    // A surging error line is explained when the failure came from below: in its trace a
    // deeper span of another service also writes a surging error line, or a call made under
    // the line's span failed in another service.
    let surging_keys: BTreeSet<(usize, usize)> = surging
        .iter()
        .filter_map(|(t, _, tpl, _, _)| match t {
            Target::Service(s) => Some((*s, *tpl)),
            Target::Instance(_) => None,
        })
        .collect();
    let mut deepest: BTreeMap<u128, Deepest> = BTreeMap::new();
    for r in 0..v.ds.logs.len() {
        let (Some(service), Some(trace), Some(span)) = (v.log_service(r), v.log_trace(r), v.log_span(r)) else { continue };
        if v.log_phase(r) == Phase::Window && surging_keys.contains(&(service, v.log_template(r))) {
            deepest.entry(trace.value()).or_default().add(v.span_depth[span], service);
        }
    }
    let explained = |r: usize| -> bool {
        let (Some(service), Some(trace), Some(span)) = (v.log_service(r), v.log_trace(r), v.log_span(r)) else { return false };
        deepest.get(&trace.value()).is_some_and(|d| d.deeper_in_other(v.span_depth[span], service)) || v.fails_downstream(span)
    };
    for (t, ctx, tpl, z, expected) in surging {
        let c = &counts[&(t, ctx, tpl)];
        let own: Vec<usize> = c.rows.iter().copied().filter(|r| !explained(*r)).collect();
        let share = own.len() as f64 / c.rows.len().max(1) as f64;
        let template = v.templates[tpl].clone();
        let phrase = if c.baseline == 0.0 {
            format!("new error log `{template}` x{}", c.window)
        } else {
            format!("error log `{template}` x{} where {expected:.0} were due", c.window)
        };
        let mut refs = vec![EvidenceRef::Template { template }];
        for r in own.iter().take(MAX_REFS) {
            if let Some(trace) = v.log_trace(*r) {
                refs.push(EvidenceRef::Trace { trace_id: trace.to_string() });
            }
        }
        let operation = ctx.map(|o| v.ds.strings.resolve(crate::model::Sym(o)).to_string());
        ev.offer(t, Kind::LogError, Finding { value: z * share, operation, phrase, refs });
    }
}
