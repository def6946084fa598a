//! Root-cause ranking: evidence per service, operation and instance against the baseline,
//! fused into one explainable score and walked along the service graph.
//!
//! `traces`, `logs` and `metrics` each fill `Evidence` (the strongest finding per component,
//! service and instance); `fuse` turns findings into contrasts; the score is their weighted
//! sum with the weights in `weights` (fitted by `rootspan-eval rank --fit`, see docs/ranking.md).
//! Failures are attributed downwards: error origins are the deepest failing spans, the edge
//! gap goes to the callee, and error lines a deeper service explains do not count, so a
//! caller showing its dependency's symptoms ranks below that dependency.

mod calls;
mod confidence;
mod evidence;
mod fuse;
mod lifecycle;
mod logs;
mod metrics;
mod nodes;
mod stats;
mod traces;
mod view;
mod weights;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use confidence::{Certainty, Confidence};
use evidence::{Evidence, Finding};
pub use evidence::{EvidenceRef, Kind, Signal, KINDS};

use crate::correlate::Correlation;
use crate::model::Dataset;
use crate::patterns::Mined;
use crate::window::Windows;

/// How candidates are scored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RankOptions {
    /// The telemetry the score uses: any of `traces`, `logs`, `metrics`. Default: all three.
    /// Fewer sources are for ablations and for data that lacks a kind.
    pub sources: Vec<Signal>,
    /// Weights by component name (e.g. `{"log_missing": 1.5}`) replacing the fitted ones.
    /// Default: none (the fitted weights).
    pub weights: BTreeMap<String, f64>,
}

impl Default for RankOptions {
    fn default() -> Self {
        RankOptions { sources: vec![Signal::Traces, Signal::Logs, Signal::Metrics], weights: BTreeMap::new() }
    }
}

/// One ranked root-cause candidate.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Candidate {
    /// 1 for the most likely root cause.
    pub rank: u32,
    /// What the candidate is: a service, or a node (host) whose instances of several
    /// services stopped together. Reports before 1.2 have services only.
    #[serde(default)]
    pub kind: CandidateKind,
    /// The service, as `service.name` or the label mapped to it; for a node candidate, the
    /// node's name (`k8s.node.name` or a `node` label).
    pub service: String,
    /// The operation that carries the strongest evidence, when one does.
    pub operation: Option<String>,
    /// The instance (pod, host) of the service whose evidence is strongest, when known.
    pub instance: Option<String>,
    /// The weighted sum of the component values; on one scale across incidents (0 when
    /// nothing changed). Higher is more likely.
    pub score: f64,
    /// The named components of the score, in a fixed order.
    pub components: Vec<Component>,
    /// The records behind the evidence: traces, log templates, metric series.
    pub evidence: Vec<EvidenceRef>,
    /// One sentence saying why this candidate ranks where it does.
    pub why: String,
    /// Upstream services (direct and indirect callers in the window): whom a fault here
    /// reaches, the blast radius if this candidate is the cause. Sorted.
    pub blast_radius: Vec<String>,
    /// For a node candidate: its instances that stopped, sorted. Empty for a service.
    #[serde(default)]
    pub instances: Vec<String>,
}

/// What a candidate names.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CandidateKind {
    /// A service (with its strongest operation and instance).
    #[default]
    Service,
    /// A node: the machine under the instances that stopped, not any one service.
    Node,
}

/// One named part of a candidate's score.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Component {
    /// The component, e.g. `trace_edge_gap`, `log_missing`, `metric_saturation`.
    pub name: Cow<'static, str>,
    /// The telemetry it comes from.
    pub source: Signal,
    /// The raw evidence: a count surprise, a log ratio or a robust z (0 when nothing found).
    pub raw: f64,
    /// Lead over the strongest other candidate in this component, as a share of the strongest,
    /// in [-1, 1].
    pub contrast: f64,
    /// What the weight multiplies: `ln(1 + raw) * (1 + contrast)`, or `raw * (1 + contrast)` for
    /// the components whose raw value is already a log (`trace_edge_gap`, `trace_self_time`).
    pub value: f64,
    /// Its weight (0 when its source is switched off).
    pub weight: f64,
}

struct Scored {
    score: f64,
    contrasts: [f64; KINDS.len()],
    values: [f64; KINDS.len()],
    weights: [f64; KINDS.len()],
}

fn weights(options: &RankOptions) -> [f64; KINDS.len()] {
    let mut w = weights::WEIGHTS;
    for (i, k) in KINDS.iter().enumerate() {
        if let Some(x) = options.weights.get(k.name()) {
            w[i] = *x;
        }
        if !options.sources.contains(&k.signal()) {
            w[i] = 0.0;
        }
    }
    w
}

fn score_all(findings: &[[Option<Finding>; KINDS.len()]], w: &[f64; KINDS.len()]) -> Vec<Scored> {
    fuse::contrasts(findings)
        .into_iter()
        .zip(findings)
        .map(|(contrasts, found)| {
            let mut values = [0.0; KINDS.len()];
            for k in 0..KINDS.len() {
                values[k] = fuse::value(KINDS[k], found[k].as_ref().map_or(0.0, |f| f.value), contrasts[k]);
            }
            Scored { score: values.iter().zip(w).map(|(v, w)| v * w).sum(), contrasts, values, weights: *w }
        })
        .collect()
}

/// The ranking: at most `top` candidates, and how sure it is about the first.
pub struct Ranking {
    pub candidates: Vec<Candidate>,
    pub confidence: Confidence,
}

/// Ranks services (with their best operation and instance). Returns at most `top` candidates;
/// the confidence reads every service's score.
pub fn rank(ds: &Dataset, corr: &Correlation, windows: &Windows, patterns: &Mined, options: &RankOptions, top: usize) -> Ranking {
    let Some(window) = windows.window else { return Ranking { candidates: Vec::new(), confidence: Confidence::of(&[], None) } };
    let v = view::View::new(ds, corr, windows, patterns);
    let mut ev = Evidence::new(v.services.len(), v.instances.len());
    let w = weights(options);
    let retired = lifecycle::Retired::of(&v, window);
    traces::collect(&v, &retired, &mut ev);
    logs::collect(&v, &retired, &mut ev);
    metrics::collect(&v, &retired, &mut ev, window);
    ev.lift_instances(&v.instances);
    let services = score_all(&ev.services, &w);
    let instances = score_all(&ev.instances, &w);
    let mut order: Vec<usize> = (0..v.services.len()).collect();
    order.sort_by(|a, b| services[*b].score.total_cmp(&services[*a].score).then(v.services[*a].cmp(&v.services[*b])));
    let graph = callers(&v);
    let scores: Vec<f64> = order.iter().map(|s| services[*s].score).collect();
    // The confidence reads the services' scores: a node candidate takes its score from the
    // services it explains (see `node_candidate`), so it adds no evidence of its own.
    let confidence = Confidence::of(&scores, order.first().map(|s| v.services[*s].as_str()));
    let mut candidates: Vec<Candidate> = order
        .into_iter()
        .take(top)
        .map(|s| {
            let best_instance = (0..v.instances.len())
                .filter(|x| v.instances[*x].1 == s)
                .max_by(|a, b| instances[*a].score.total_cmp(&instances[*b].score).then(v.instances[*b].0.cmp(&v.instances[*a].0)));
            candidate(&v, &ev, s, &services[s], best_instance, &graph)
        })
        .collect();
    if let Some(baseline) = windows.baseline {
        let acts = nodes::activity(&v, window, baseline);
        let service_of: Vec<usize> = v.instances.iter().map(|(_, s)| *s).collect();
        let on = nodes::instance_nodes(&v);
        for found in nodes::find(&acts, &on, &service_of, window, baseline.duration_ns()) {
            if let Some(c) = node_candidate(&v, &ev, &services, &graph, &on, &found) {
                candidates.push(c);
            }
        }
    }
    // Stable: a node goes before the service whose score it took.
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then((b.kind == CandidateKind::Node).cmp(&(a.kind == CandidateKind::Node))));
    candidates.truncate(top);
    for (i, c) in candidates.iter_mut().enumerate() {
        c.rank = i as u32 + 1;
    }
    Ranking { candidates, confidence }
}

/// Direct callers of each service in the window, from cross-service parent/child spans and
/// calls to peers no span answers.
fn callers(v: &view::View) -> Vec<BTreeSet<usize>> {
    let mut out = vec![BTreeSet::new(); v.services.len()];
    for r in 0..v.ds.spans.len() {
        if v.span_phase[r] != view::Phase::Window {
            continue;
        }
        if let Some(p) = v.span_parent(r).filter(|p| v.span_service(*p) != v.span_service(r)) {
            out[v.span_service(r)].insert(v.span_service(p));
        }
        if let Some(callee) = v.span_callee[r] {
            out[callee].insert(v.span_service(r));
        }
    }
    out
}

fn candidate(v: &view::View, ev: &Evidence, s: usize, scored: &Scored, instance: Option<usize>, graph: &[BTreeSet<usize>]) -> Candidate {
    let found = &ev.services[s];
    let components = KINDS
        .iter()
        .enumerate()
        .map(|(k, kind)| Component {
            name: kind.name().into(),
            source: kind.signal(),
            raw: found[k].as_ref().map_or(0.0, |f| f.value),
            contrast: scored.contrasts[k],
            value: scored.values[k],
            weight: scored.weights[k],
        })
        .collect();
    // Components in order of what they add to the score; the why names the leading ones.
    let mut lead: Vec<usize> = (0..KINDS.len()).filter(|k| found[*k].is_some() && scored.weights[*k] > 0.0).collect();
    lead.sort_by(|a, b| {
        let (x, y) = (scored.values[*a] * scored.weights[*a], scored.values[*b] * scored.weights[*b]);
        y.total_cmp(&x).then(a.cmp(b))
    });
    let name = &v.services[s];
    let why = match lead.as_slice() {
        [] => format!("{name} shows no change against the baseline"),
        [a] => format!("{name}: {}", found[*a].as_ref().map_or("", |f| f.phrase.as_str())),
        [a, b, ..] => format!(
            "{name}: {}; {}",
            found[*a].as_ref().map_or("", |f| f.phrase.as_str()),
            found[*b].as_ref().map_or("", |f| f.phrase.as_str())
        ),
    };
    let operation = lead.iter().find_map(|k| found[*k].as_ref().and_then(|f| f.operation.clone()));
    let mut evidence: Vec<EvidenceRef> = lead.iter().take(3).flat_map(|k| found[*k].iter().flat_map(|f| f.refs.iter().cloned())).collect();
    evidence.sort();
    evidence.dedup();
    let blast_radius = upstream(graph, &[s]).into_iter().map(|c| v.services[c].clone()).collect();
    Candidate {
        rank: 0,
        kind: CandidateKind::Service,
        service: name.clone(),
        operation,
        instance: instance.map(|i| v.instances[i].0.clone()),
        score: scored.score,
        components,
        evidence,
        why,
        blast_radius,
        instances: Vec::new(),
    }
}

/// Every service upstream of `from` in the window's calls (`from` excluded).
fn upstream(graph: &[BTreeSet<usize>], from: &[usize]) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<usize> = from.iter().flat_map(|s| graph[*s].iter().copied()).collect();
    while let Some(c) = stack.pop() {
        if !from.contains(&c) && seen.insert(c) {
            stack.extend(graph[c].iter().copied());
        }
    }
    seen
}

/// A node as a candidate. It ranks just before the strongest service it explains (one with an
/// instance on it, or a caller of a stopped one), with that service's score and components:
/// what that service shows, the node's failure accounts for.
fn node_candidate(
    v: &view::View,
    ev: &Evidence,
    services: &[Scored],
    graph: &[BTreeSet<usize>],
    on: &[Option<String>],
    found: &nodes::NodeFinding,
) -> Option<Candidate> {
    let mut affected: Vec<usize> = found.instances.iter().map(|i| v.instances[*i].1).collect();
    affected.sort_unstable();
    affected.dedup();
    // What the node explains: every service with an instance on it, and the callers of the
    // stopped ones (their calls time out or fail).
    let mut explained: BTreeSet<usize> =
        (0..v.instances.len()).filter(|i| on[*i].as_deref() == Some(found.node.as_str())).map(|i| v.instances[i].1).collect();
    explained.extend(upstream(graph, &affected));
    let strongest = explained.iter().copied().max_by(|a, b| services[*a].score.total_cmp(&services[*b].score).then(b.cmp(a)))?;
    let base = candidate(v, ev, strongest, &services[strongest], None, graph);
    let names: Vec<String> = found.instances.iter().map(|i| v.instances[*i].0.clone()).collect();
    let why = format!(
        "node {}: {} instances of {} services on it stopped together at {} ({}) while those services' instances on other nodes kept reporting",
        found.node,
        names.len(),
        affected.len(),
        crate::time::format_rfc3339(found.since_ns),
        names.join(", "),
    );
    let mut radius = upstream(graph, &affected);
    radius.extend(affected.iter().copied());
    Some(Candidate {
        kind: CandidateKind::Node,
        service: found.node.clone(),
        operation: None,
        instance: None,
        why,
        blast_radius: radius.into_iter().map(|s| v.services[s].clone()).collect(),
        instances: names,
        ..base
    })
}
