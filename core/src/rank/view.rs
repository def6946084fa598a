//! The dataset as ranking reads it: every span, log line and series resolved to a service
//! and instance, spans linked to their parents, log lines to their trace, span and template,
//! and every row placed in the window, the baseline or neither.
//!
//! Identity, parents and the log-to-span join come from `correlate`; each line's template is
//! the pattern miner's, so evidence names the patterns the report lists.

use std::collections::BTreeMap;

use crate::correlate::{Correlation, ServiceId};
use crate::id::TraceId;
use crate::model::{Dataset, Level, SpanKind, SpanStatus};
use crate::patterns::PatternsReport;
use crate::window::Windows;

/// Where a row falls.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Phase {
    Window,
    Baseline,
    Outside,
}

pub struct View<'a> {
    pub ds: &'a Dataset,
    /// Service names, sorted; indices below point here.
    pub services: Vec<String>,
    /// Instance names, sorted, with the service each belongs to.
    pub instances: Vec<(String, usize)>,
    pub span_service: Vec<usize>,
    pub span_instance: Vec<Option<usize>>,
    pub span_parent: Vec<Option<usize>>,
    pub span_children: Vec<Vec<usize>>,
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
    pub span_phase: Vec<Phase>,
    pub log_service: Vec<Option<usize>>,
    pub log_instance: Vec<Option<usize>>,
    pub log_trace: Vec<Option<TraceId>>,
    /// The span row a log line was written in, when its ids resolve.
    pub log_span: Vec<Option<usize>>,
    pub log_level: Vec<Level>,
    /// Each line's template family (see `families`), an index into `templates`.
    pub log_template: Vec<usize>,
    pub log_phase: Vec<Phase>,
    /// Each family's most frequent template, as the report's patterns section has it.
    pub templates: Vec<String>,
    pub series_service: Vec<Option<usize>>,
    pub series_instance: Vec<Option<usize>>,
    pub window_ns: i64,
    pub baseline_ns: i64,
}

impl<'a> View<'a> {
    pub fn new(ds: &'a Dataset, corr: &Correlation, windows: &Windows, patterns: &'a PatternsReport) -> View<'a> {
        let phase = |t: i64| match (windows.window, windows.baseline) {
            (Some(w), _) if w.contains(t) => Phase::Window,
            (_, Some(b)) if b.contains(t) => Phase::Baseline,
            _ => Phase::Outside,
        };
        let mut services: Vec<String> = corr.services.iter().map(|s| s.name.clone()).collect();
        // Instances sorted by name, each with its service.
        let mut instances: BTreeMap<String, usize> = BTreeMap::new();
        for (i, s) in corr.services.iter().enumerate() {
            for inst in &s.instances {
                instances.entry(ds.strings.resolve(*inst).to_string()).or_insert(i);
            }
        }
        let instance_list: Vec<(String, usize)> = instances.into_iter().collect();
        let instance_index: BTreeMap<&str, usize> = instance_list.iter().enumerate().map(|(i, (n, _))| (n.as_str(), i)).collect();
        let instance = |service: Option<ServiceId>, sym: Option<crate::model::Sym>| -> Option<usize> {
            service?;
            sym.and_then(|s| instance_index.get(ds.strings.resolve(s)).copied())
        };
        let unknown = services.len();
        if corr.span_service.iter().any(Option::is_none) {
            services.push("unknown".to_string());
        }
        let n = ds.spans.len();
        let span_service: Vec<usize> = corr.span_service.iter().map(|s| s.map_or(unknown, |s| s.0 as usize)).collect();
        let span_instance: Vec<Option<usize>> = (0..n).map(|r| instance(corr.span_service[r], corr.span_instance[r])).collect();
        let span_parent: Vec<Option<usize>> = corr.span_parent.iter().map(|p| p.map(|p| p as usize)).collect();
        let span_children: Vec<Vec<usize>> = (0..n).map(|r| corr.children(r as u32).iter().map(|c| *c as usize).collect()).collect();
        let span_callee: Vec<Option<usize>> = (0..n)
            .map(|r| {
                let answered = span_children[r].iter().any(|c| span_service[*c] != span_service[r]);
                corr.span_peer[r].filter(|_| !answered).map(|p| p.0 as usize)
            })
            .collect();
        let parents_first = parents_first(&span_parent, &span_children);
        let mut span_depth = vec![0usize; n];
        for &r in &parents_first {
            span_depth[r] = span_parent[r].map_or(0, |p| span_depth[p] + 1);
        }
        let span_fails_downstream = fails_downstream(ds, &span_service, &span_callee, &span_children, &parents_first);
        // Duplicated span rows are counted once: their first row.
        let span_phase = (0..n).map(|r| if corr.span_duplicate[r] { Phase::Outside } else { phase(ds.spans.start_ns[r]) }).collect();

        let log_level = (0..ds.logs.len())
            .map(|r| match ds.logs.level[r] {
                Level::Unknown => level_in_body(ds.logs.body(r)),
                l => l,
            })
            .collect();
        let (family, templates) = families(&patterns.all_templates);
        let log_service: Vec<Option<usize>> = corr.log_service.iter().map(|s| s.map(|s| s.0 as usize)).collect();
        let log_instance = (0..ds.logs.len()).map(|r| instance(corr.log_service[r], corr.log_instance[r])).collect();
        let series_service = corr.series_service.iter().map(|s| s.map(|s| s.0 as usize)).collect();
        let series_instance = (0..ds.series.len()).map(|r| instance(corr.series_service[r], corr.series_instance[r])).collect();
        View {
            ds,
            services,
            instances: instance_list,
            span_service,
            span_instance,
            span_parent,
            span_children,
            parents_first,
            span_depth,
            span_fails_downstream,
            span_callee,
            span_phase,
            log_service,
            log_instance,
            log_trace: corr.log_trace.clone(),
            log_span: corr.log_span_row.iter().map(|r| r.map(|r| r as usize)).collect(),
            log_level,
            log_template: patterns.log_pattern.iter().map(|p| family[*p as usize]).collect(),
            log_phase: ds.logs.time_ns.iter().map(|t| phase(*t)).collect(),
            templates,
            series_service,
            series_instance,
            window_ns: windows.window.map_or(0, |w| w.duration_ns()),
            baseline_ns: windows.baseline.map_or(0, |b| b.duration_ns()),
        }
    }

    /// Whether a span is a call out of its service: a client or producer span, or any span
    /// with a child in another service.
    pub fn is_exit(&self, row: usize) -> bool {
        matches!(self.ds.spans.kind[row], SpanKind::Client | SpanKind::Producer)
            || self.span_children[row].iter().any(|c| self.span_service[*c] != self.span_service[row])
    }

    /// Whether a span is where a request enters its service (server/consumer, a root, or a
    /// child of another service's span).
    pub fn is_entry(&self, row: usize) -> bool {
        matches!(self.ds.spans.kind[row], SpanKind::Server | SpanKind::Consumer)
            || self.span_parent[row].is_none_or(|p| self.span_service[p] != self.span_service[row])
    }

    pub fn failed(&self, row: usize) -> bool {
        self.ds.spans.status[row] == SpanStatus::Error
    }

    /// Whether a call made in or under span `row` failed in another service: a failing span
    /// of another service below it, or a failing call to a peer that no span answers.
    pub fn fails_downstream(&self, row: usize) -> bool {
        self.span_fails_downstream[row]
    }
}

/// Span rows parents first: the roots, then level by level (a breadth-first walk, no
/// recursion, so depth costs no stack).
fn parents_first(parent: &[Option<usize>], children: &[Vec<usize>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..parent.len()).filter(|r| parent[*r].is_none()).collect();
    let mut i = 0;
    while i < order.len() {
        order.extend_from_slice(&children[order[i]]);
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
/// service or is a call no span answers: one bottom-up pass instead of a walk per span.
fn fails_downstream(ds: &Dataset, service: &[usize], callee: &[Option<usize>], children: &[Vec<usize>], order: &[usize]) -> Vec<bool> {
    let n = service.len();
    let (mut failing, mut unanswered) = (vec![Failing::None; n], vec![false; n]);
    for &r in order.iter().rev() {
        let failed = ds.spans.status[r] == SpanStatus::Error;
        let (mut f, mut u) = (if failed { Failing::One(service[r]) } else { Failing::None }, failed && callee[r].is_some());
        for &c in &children[r] {
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
                    Failing::One(s) => s != service[r],
                    Failing::Several => true,
                }
        })
        .collect()
}

/// Constant words of a template that name its family.
const FAMILY_WORDS: usize = 8;

/// The miner's templates grouped by their first `FAMILY_WORDS` constant words (`<*>` left
/// out): a log statement whose variable part has a varying number of words (a list, an
/// object dump) mines into one template per length, and counting each apart would read
/// their chance swings as messages going missing. Returns each template's family and each
/// family's first (most frequent) template.
fn families(templates: &[String]) -> (Vec<usize>, Vec<String>) {
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut names = Vec::new();
    let family = templates
        .iter()
        .map(|t| {
            let key: Vec<&str> = t.split(' ').filter(|w| *w != "<*>").take(FAMILY_WORDS).collect();
            let key = key.join(" ");
            *ids.entry(key).or_insert_with(|| {
                names.push(t.clone());
                names.len() - 1
            })
        })
        .collect();
    (family, names)
}

/// A level word among the first tokens of a line (`... ERROR c.s.Foo ...`, `level=warn`).
pub fn level_in_body(body: &str) -> Level {
    for tok in body.split_whitespace().take(6) {
        let word = tok.rsplit('=').next().unwrap_or(tok).trim_matches(|c: char| !c.is_ascii_alphabetic());
        let level = Level::from_text(word);
        if level != Level::Unknown && word.len() >= 4 {
            return level;
        }
    }
    Level::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_from_bodies() {
        assert_eq!(level_in_body("12:00 WARN x TraceID: adb7d7cd7bacac14b660068f57e44ad1 msg"), Level::Warning);
        assert_eq!(level_in_body("level=error msg=boom"), Level::Error);
        assert_eq!(level_in_body("information about the trace"), Level::Info);
        assert_eq!(level_in_body("no level here"), Level::Unknown);
    }
}
