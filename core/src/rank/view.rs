//! The dataset as ranking reads it: every span, log line and series resolved to a service
//! and instance, spans linked to their parents, log lines to their trace, span and template,
//! and every row placed in the window, the baseline or neither.
//!
//! Identity, parents and the log-to-span join come from `correlate`; each line's template is
//! the pattern miner's, so evidence names the patterns the report lists.

use std::collections::{BTreeMap, BTreeSet};

use crate::base::TimeRange;
use crate::correlate::{Correlation, ServiceId};
use crate::id::TraceId;
use crate::model::{Dataset, Level, SpanKind, SpanStatus, Sym};
use crate::patterns::Mined;
use crate::window::Windows;

/// Where a row falls.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Phase {
    Window,
    Baseline,
    Outside,
}

/// Ranking's own indexes over the dataset; the per-row columns correlation resolved (service,
/// parent, children, trace, span) are read from the `Correlation` itself.
pub struct View<'a> {
    pub ds: &'a Dataset,
    corr: &'a Correlation,
    /// Service names: correlation's (sorted), then `unknown` when some span has no service;
    /// indices below point here.
    pub services: Vec<String>,
    /// The index of `unknown`.
    unknown: usize,
    /// Instance names, sorted, with the service each belongs to.
    pub instances: Vec<(String, usize)>,
    pub span_instance: Vec<Option<usize>>,
    /// Every span row, parents before their children (repair leaves a forest). Walking it
    /// forwards or backwards computes per-span values from the top or the bottom in one pass,
    /// so a trace 200k spans deep costs what 200k separate spans cost.
    pub parents_first: Vec<usize>,
    /// Each span's distance from its root.
    pub span_depth: Vec<usize>,
    /// See `fails_downstream`.
    span_fails_downstream: Vec<bool>,
    /// The service a call went to when no span of that service answers it (an
    /// uninstrumented database or cache, a refused connection): `correlate`'s peer.
    pub span_callee: Vec<Option<usize>>,
    /// (caller, dependency) pairs whose unanswered failing calls start at the caller (see
    /// `calls`): such a call is the caller's failure, not its peer's.
    failing_at_caller: BTreeSet<(usize, usize)>,
    pub span_phase: Vec<Phase>,
    /// Per interned string: the index in `instances` of the instance it names. Log lines are
    /// read through it (`log_instance`), with their template family (`log_template`) and
    /// phase (`log_phase`), rather than copied into columns of their own: a finish reads
    /// millions of lines.
    instance_of_sym: Vec<Option<usize>>,
    /// Each line's template (`Mined::assignment`).
    line_template: &'a [u32],
    /// Each template's family (see `Mined::families`), an index into `templates`.
    family_of_template: Vec<usize>,
    window: Option<TimeRange>,
    baseline: Option<TimeRange>,
    /// Each family's most frequent template, as the report's patterns section has it.
    pub templates: Vec<String>,
    pub series_instance: Vec<Option<usize>>,
    pub window_ns: i64,
    pub baseline_ns: i64,
}

impl<'a> View<'a> {
    pub fn new(ds: &'a Dataset, corr: &'a Correlation, windows: &Windows, patterns: &'a Mined) -> View<'a> {
        let phase = |t: i64| phase(windows.window, windows.baseline, t);
        let mut services: Vec<String> = corr.services.iter().map(|s| s.name.clone()).collect();
        // Instances sorted by name, each with its service.
        let mut instances: BTreeMap<String, usize> = BTreeMap::new();
        for (i, s) in corr.services.iter().enumerate() {
            for inst in &s.instances {
                instances.entry(ds.strings.resolve(*inst).to_string()).or_insert(i);
            }
        }
        let instance_list: Vec<(String, usize)> = instances.into_iter().collect();
        // Rows name their instance by symbol: one symbol per name (interned), so each row's lookup is a hash of a
        // number, not a comparison of names.
        let by_name: BTreeMap<&str, usize> = instance_list.iter().enumerate().map(|(i, (n, _))| (n.as_str(), i)).collect();
        let mut instance_of_sym: Vec<Option<usize>> = vec![None; ds.strings.len()];
        for &sym in corr.services.iter().flat_map(|s| &s.instances) {
            instance_of_sym[sym.0 as usize] = by_name.get(ds.strings.resolve(sym)).copied();
        }
        let instance = |service: Option<ServiceId>, sym: Option<Sym>| instance_of(&instance_of_sym, service, sym);
        let unknown = services.len();
        if corr.span_service.iter().any(Option::is_none) {
            services.push("unknown".to_string());
        }
        let n = ds.spans.len();
        let service_of = |r: usize| corr.span_service[r].map_or(unknown, |s| s.0 as usize);
        let span_instance: Vec<Option<usize>> = (0..n).map(|r| instance(corr.span_service[r], corr.span_instance[r])).collect();
        let span_callee = (0..n)
            .map(|r| {
                let answered = corr.children(r as u32).iter().any(|c| service_of(*c as usize) != service_of(r));
                corr.span_peer[r].filter(|_| !answered).map(|p| p.0 as usize)
            })
            .collect();
        let parents_first = parents_first(corr);
        let mut span_depth = vec![0usize; n];
        for &r in &parents_first {
            span_depth[r] = corr.span_parent[r].map_or(0, |p| span_depth[p as usize] + 1);
        }
        // Duplicated span rows are counted once: their first row.
        let span_phase = (0..n).map(|r| if corr.span_duplicate[r] { Phase::Outside } else { phase(ds.spans.start_ns[r]) }).collect();

        let families = patterns.families();
        let series_instance = (0..ds.series.len()).map(|r| instance(corr.series_service[r], corr.series_instance[r])).collect();
        let mut view = View {
            ds,
            corr,
            services,
            unknown,
            instances: instance_list,
            span_instance,
            parents_first,
            span_depth,
            // Filled just below: they read the view's own accessors.
            span_fails_downstream: Vec::new(),
            failing_at_caller: BTreeSet::new(),
            span_callee,
            span_phase,
            instance_of_sym,
            line_template: &patterns.assignment,
            family_of_template: families.of_template,
            window: windows.window,
            baseline: windows.baseline,
            templates: families.names,
            series_instance,
            window_ns: windows.window.map_or(0, |w| w.duration_ns()),
            baseline_ns: windows.baseline.map_or(0, |b| b.duration_ns()),
        };
        view.failing_at_caller = super::calls::failing_at_caller(&view);
        view.span_fails_downstream = fails_downstream(&view);
        view
    }

    /// A span's service (`unknown` when correlation found none).
    pub fn span_service(&self, row: usize) -> usize {
        self.corr.span_service[row].map_or(self.unknown, |s| s.0 as usize)
    }

    /// A span's parent row, after repair.
    pub fn span_parent(&self, row: usize) -> Option<usize> {
        self.corr.span_parent[row].map(|p| p as usize)
    }

    /// A span's child rows.
    pub fn span_children(&self, row: usize) -> impl Iterator<Item = usize> + 'a {
        self.corr.children(row as u32).iter().map(|c| *c as usize)
    }

    /// A log line's instance (in `instances`), when it has a service.
    pub fn log_instance(&self, row: usize) -> Option<usize> {
        instance_of(&self.instance_of_sym, self.corr.log_service.get(row), self.corr.log_instance.get(row))
    }

    /// A log line's template family, an index into `templates`.
    pub fn log_template(&self, row: usize) -> usize {
        self.family_of_template[self.line_template[row] as usize]
    }

    pub fn log_phase(&self, row: usize) -> Phase {
        phase(self.window, self.baseline, self.ds.logs.time_ns[row])
    }

    pub fn log_service(&self, row: usize) -> Option<usize> {
        self.corr.log_service.get(row).map(|s| s.0 as usize)
    }

    pub fn log_trace(&self, row: usize) -> Option<TraceId> {
        self.corr.log_trace(row)
    }

    /// The span row a log line was written in, when its ids resolve.
    pub fn log_span(&self, row: usize) -> Option<usize> {
        self.corr.log_span_row.get(row).map(|r| r as usize)
    }

    /// A log line's level: its own, else its body's (decided once, when it was read).
    pub fn log_level(&self, row: usize) -> Level {
        self.ds.logs.level[row]
    }

    pub fn series_service(&self, row: usize) -> Option<usize> {
        self.corr.series_service[row].map(|s| s.0 as usize)
    }

    /// Whether a span is a call out of its service: a client or producer span, or any span
    /// with a child in another service.
    pub fn is_exit(&self, row: usize) -> bool {
        matches!(self.ds.spans.kind[row], SpanKind::Client | SpanKind::Producer)
            || self.span_children(row).any(|c| self.span_service(c) != self.span_service(row))
    }

    /// Whether a span is where a request enters its service (server/consumer, a root, or a
    /// child of another service's span).
    pub fn is_entry(&self, row: usize) -> bool {
        matches!(self.ds.spans.kind[row], SpanKind::Server | SpanKind::Consumer)
            || self.span_parent(row).is_none_or(|p| self.span_service(p) != self.span_service(row))
    }

    pub fn failed(&self, row: usize) -> bool {
        self.ds.spans.status[row] == SpanStatus::Error
    }

    /// The span of another service a failing call gave up on: a child that did not fail and
    /// ended after the call did. The caller timed out waiting; the slowness is the callee's.
    pub fn abandoned(&self, row: usize) -> Option<usize> {
        if !self.failed(row) {
            return None;
        }
        let end = |r: usize| self.ds.spans.start_ns[r].saturating_add(self.ds.spans.duration_ns[r]);
        self.span_children(row).find(|c| self.span_service(*c) != self.span_service(row) && !self.failed(*c) && end(*c) > end(row))
    }

    /// The peer a failing call no span answers failed at, when the failure is the peer's: not
    /// when the caller's calls to it all fail while its other callers' succeed (`calls`).
    pub fn failed_at_peer(&self, row: usize) -> Option<usize> {
        self.span_callee[row].filter(|d| self.failed(row) && !self.failing_at_caller.contains(&(self.span_service(row), *d)))
    }

    /// Whether a call made in or under span `row` failed in another service: a failing span
    /// of another service below it, or a failing call to a peer that no span answers.
    pub fn fails_downstream(&self, row: usize) -> bool {
        self.span_fails_downstream[row]
    }
}

/// Where a row at time `t` falls.
fn phase(window: Option<TimeRange>, baseline: Option<TimeRange>, t: i64) -> Phase {
    match (window, baseline) {
        (Some(w), _) if w.contains(t) => Phase::Window,
        (_, Some(b)) if b.contains(t) => Phase::Baseline,
        _ => Phase::Outside,
    }
}

/// A row's instance (an index into `View::instances`): only a row with a service has one.
fn instance_of(of_sym: &[Option<usize>], service: Option<ServiceId>, sym: Option<Sym>) -> Option<usize> {
    service?;
    of_sym[sym?.0 as usize]
}

/// Span rows parents first: the roots, then level by level (a breadth-first walk, no
/// recursion, so depth costs no stack).
fn parents_first(corr: &Correlation) -> Vec<usize> {
    let mut order: Vec<usize> = (0..corr.span_parent.len()).filter(|r| corr.span_parent[*r].is_none()).collect();
    let mut i = 0;
    while i < order.len() {
        order.extend(corr.children(order[i] as u32).iter().map(|c| *c as usize));
        i += 1;
    }
    order
}

/// The services of the failing spans in a subtree, as far as `fails_downstream` needs them:
/// none, exactly one, or several (then any service differs from one of them).
#[derive(Clone, Copy, PartialEq)]
enum Failing {
    None,
    One(usize),
    Several,
}

impl Failing {
    fn add(self, other: Failing) -> Failing {
        match (self, other) {
            (Failing::None, x) | (x, Failing::None) => x,
            (Failing::One(a), Failing::One(b)) if a == b => Failing::One(a),
            _ => Failing::Several,
        }
    }
}

/// For every span, whether a failing span in its subtree (itself included) is in another
/// service (a call given up on counts as failing in the callee, see `abandoned`) or is a call
/// no span answers: one bottom-up pass instead of a walk per span.
fn fails_downstream(v: &View) -> Vec<bool> {
    let n = v.ds.spans.len();
    let (mut failing, mut unanswered) = (vec![Failing::None; n], vec![false; n]);
    for &r in v.parents_first.iter().rev() {
        let failed = v.failed(r);
        let (mut f, mut u) = (if failed { Failing::One(v.span_service(r)) } else { Failing::None }, v.failed_at_peer(r).is_some());
        if let Some(c) = v.abandoned(r) {
            f = f.add(Failing::One(v.span_service(c)));
        }
        for c in v.span_children(r) {
            f = f.add(failing[c]);
            u |= unanswered[c];
        }
        (failing[r], unanswered[r]) = (f, u);
    }
    (0..n)
        .map(|r| {
            unanswered[r]
                || match failing[r] {
                    Failing::None => false,
                    Failing::One(s) => s != v.span_service(r),
                    Failing::Several => true,
                }
        })
        .collect()
}
