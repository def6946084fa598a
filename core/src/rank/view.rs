//! The dataset as ranking reads it: every span, log line and series resolved to a service
//! and instance, spans linked to their parents, log lines to their trace, span and template,
//! and every row placed in the window, the baseline or neither.
//!
//! Identity and templates come from the resource labels and a light template key here, so
//! ranking works on any `Dataset`; they follow the label conventions `correlate` reports.

use std::collections::{BTreeMap, HashMap};

use crate::id::{SpanId, TraceId};
use crate::model::{Dataset, LabelSetId, Level, SpanKind, SpanStatus};
use crate::window::Windows;

/// Resource/stream/series label keys naming the service, most specific first.
const SERVICE_KEYS: [&str; 6] = ["service.name", "service_name", "service", "app", "job", "container"];
/// Label keys naming the instance (pod, host, process).
const INSTANCE_KEYS: [&str; 5] = ["k8s.pod.name", "pod", "service.instance.id", "instance", "host.name"];
/// How many words of a log line, after variables are dropped, make its template key.
const TEMPLATE_WORDS: usize = 4;

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
    pub span_phase: Vec<Phase>,
    pub log_service: Vec<Option<usize>>,
    pub log_instance: Vec<Option<usize>>,
    pub log_trace: Vec<Option<TraceId>>,
    /// The span row a log line was written in, when its ids resolve.
    pub log_span: Vec<Option<usize>>,
    pub log_level: Vec<Level>,
    pub log_template: Vec<usize>,
    pub log_phase: Vec<Phase>,
    /// Template keys, indexed by `log_template`.
    pub templates: Vec<String>,
    pub series_service: Vec<Option<usize>>,
    pub series_instance: Vec<Option<usize>>,
    pub window_ns: i64,
    pub baseline_ns: i64,
}

struct Names {
    names: BTreeMap<String, usize>,
}

impl Names {
    fn new() -> Names {
        Names { names: BTreeMap::new() }
    }
    fn add(&mut self, name: &str) {
        let n = self.names.len();
        self.names.entry(name.to_string()).or_insert(n);
    }
    /// Renumbers in sorted order; returns the sorted names and old -> new.
    fn sorted(self) -> (Vec<String>, Vec<usize>) {
        let mut remap = vec![0; self.names.len()];
        let mut out = Vec::with_capacity(self.names.len());
        for (new, (name, old)) in self.names.into_iter().enumerate() {
            remap[old] = new;
            out.push(name);
        }
        (out, remap)
    }
}

fn first_label<'d>(ds: &'d Dataset, sets: &[LabelSetId], keys: &[&str]) -> Option<&'d str> {
    keys.iter().find_map(|k| sets.iter().find_map(|s| ds.label(*s, k))).filter(|v| !v.is_empty())
}

impl<'a> View<'a> {
    pub fn new(ds: &'a Dataset, windows: &Windows) -> View<'a> {
        let phase = |t: i64| match (windows.window, windows.baseline) {
            (Some(w), _) if w.contains(t) => Phase::Window,
            (_, Some(b)) if b.contains(t) => Phase::Baseline,
            _ => Phase::Outside,
        };
        let mut services = Names::new();
        let mut instances: BTreeMap<String, String> = BTreeMap::new();
        let mut resolve = |sets: &[LabelSetId]| -> (Option<String>, Option<String>) {
            let service = first_label(ds, sets, &SERVICE_KEYS).map(str::to_string);
            let instance = first_label(ds, sets, &INSTANCE_KEYS).map(str::to_string);
            if let Some(s) = &service {
                services.add(s);
                if let Some(i) = &instance {
                    instances.entry(i.clone()).or_insert_with(|| s.clone());
                }
            }
            (service, instance)
        };
        let spans: Vec<_> = ds.spans.resource.iter().map(|r| resolve(&[*r])).collect();
        let logs: Vec<_> = (0..ds.logs.len()).map(|i| resolve(&[ds.logs.resource[i], ds.logs.metadata[i]])).collect();
        let series: Vec<_> = ds.series.labels.iter().map(|l| resolve(&[*l])).collect();
        let (service_names, _) = services.sorted();
        let service_index: BTreeMap<String, usize> = service_names.iter().enumerate().map(|(i, s)| (s.clone(), i)).collect();
        let instance_list: Vec<(String, usize)> = instances.iter().map(|(i, s)| (i.clone(), service_index[s])).collect();
        let instance_index: BTreeMap<String, usize> = instance_list.iter().enumerate().map(|(i, (n, _))| (n.clone(), i)).collect();
        let ids = |(s, i): &(Option<String>, Option<String>)| {
            let service = s.as_deref().map(|s| service_index[s]);
            let instance = if service.is_some() { i.as_deref().map(|i| instance_index[i]) } else { None };
            (service, instance)
        };
        let unknown = service_names.len();
        let mut service_names = service_names;
        let span_ids: Vec<_> = spans.iter().map(ids).collect();
        if span_ids.iter().any(|(s, _)| s.is_none()) {
            service_names.push("unknown".to_string());
        }
        let span_service: Vec<usize> = span_ids.iter().map(|(s, _)| s.unwrap_or(unknown)).collect();
        let span_instance: Vec<Option<usize>> = span_ids.iter().map(|(_, i)| *i).collect();

        let mut by_id: HashMap<(TraceId, SpanId), usize> = HashMap::with_capacity(ds.spans.len());
        for r in 0..ds.spans.len() {
            by_id.insert((ds.spans.trace[r], ds.spans.span[r]), r);
        }
        let span_parent: Vec<Option<usize>> =
            (0..ds.spans.len()).map(|r| ds.spans.parent[r].and_then(|p| by_id.get(&(ds.spans.trace[r], p)).copied())).collect();
        let mut span_children = vec![Vec::new(); ds.spans.len()];
        for (r, p) in span_parent.iter().enumerate() {
            if let Some(p) = p {
                span_children[*p].push(r);
            }
        }
        let span_phase = ds.spans.start_ns.iter().map(|t| phase(*t)).collect();

        let mut template_ids: BTreeMap<String, usize> = BTreeMap::new();
        let mut log_template = Vec::with_capacity(ds.logs.len());
        let (mut log_trace, mut log_span, mut log_level) = (Vec::new(), Vec::new(), Vec::new());
        for r in 0..ds.logs.len() {
            let body = ds.logs.body(r);
            let key = template_key(body);
            let n = template_ids.len();
            log_template.push(*template_ids.entry(key).or_insert(n));
            let trace = ds.logs.trace[r].or_else(|| id_in(ds, ds.logs.metadata[r], body, "trace").and_then(|t| TraceId::parse(t).ok()));
            let span = ds.logs.span[r].or_else(|| id_in(ds, ds.logs.metadata[r], body, "span").and_then(|t| SpanId::parse(t).ok()));
            log_span.push(trace.zip(span).and_then(|k| by_id.get(&k).copied()));
            log_trace.push(trace);
            log_level.push(match ds.logs.level[r] {
                Level::Unknown => level_in_body(body),
                l => l,
            });
        }
        // Template ids in sorted key order, so numbering does not depend on row order.
        let mut templates = vec![String::new(); template_ids.len()];
        let mut remap = vec![0; template_ids.len()];
        for (new, (key, old)) in template_ids.into_iter().enumerate() {
            remap[old] = new;
            templates[new] = key;
        }
        for t in &mut log_template {
            *t = remap[*t];
        }
        let log_ids: Vec<_> = logs.iter().map(ids).collect();
        let series_ids: Vec<_> = series.iter().map(ids).collect();
        View {
            ds,
            services: service_names,
            instances: instance_list,
            span_service,
            span_instance,
            span_parent,
            span_children,
            span_phase,
            log_service: log_ids.iter().map(|(s, _)| *s).collect(),
            log_instance: log_ids.iter().map(|(_, i)| *i).collect(),
            log_trace,
            log_span,
            log_level,
            log_template,
            log_phase: ds.logs.time_ns.iter().map(|t| phase(*t)).collect(),
            templates,
            series_service: series_ids.iter().map(|(s, _)| *s).collect(),
            series_instance: series_ids.iter().map(|(_, i)| *i).collect(),
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
}

/// An id named `*trace*` / `*span*` in the line's metadata, or written in its body as
/// `TraceID: <hex>`, `trace_id=<hex>`, `"traceId":"<hex>"`.
fn id_in<'d>(ds: &'d Dataset, metadata: LabelSetId, body: &'d str, what: &str) -> Option<&'d str> {
    for (k, v) in ds.label_pairs(metadata) {
        let k = k.to_ascii_lowercase();
        if k.contains(what) && k.contains("id") {
            return Some(v);
        }
    }
    let lower = body.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find(what) {
        let at = from + pos + what.len();
        let rest = &lower[at..];
        let skip = rest.bytes().take_while(|b| matches!(b, b'_' | b'-' | b'i' | b'd' | b'"' | b':' | b'=' | b' ')).count();
        if skip > 0 && rest[..skip].contains("id") {
            let hex = rest[skip..].bytes().take_while(u8::is_ascii_hexdigit).count();
            if hex == 16 || hex == 32 {
                return Some(&body[at + skip..at + skip + hex]);
            }
        }
        from = at;
    }
    None
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

/// A template key: the first words of the line once variables are dropped. A token is a
/// variable when it has a digit and no letters, or is a long hex id; `key:` / `key=` tokens
/// that introduce a value are dropped too; digit runs inside words become `<n>`.
pub fn template_key(body: &str) -> String {
    let mut words: Vec<String> = Vec::with_capacity(TEMPLATE_WORDS);
    for tok in body.split_whitespace() {
        if words.len() == TEMPLATE_WORDS {
            break;
        }
        let has_digit = tok.bytes().any(|b| b.is_ascii_digit());
        let letters = tok.bytes().filter(u8::is_ascii_alphabetic).count();
        let hexish = tok.len() >= 8 && tok.bytes().filter(u8::is_ascii_hexdigit).count() * 10 >= tok.len() * 9;
        if (has_digit && (letters == 0 || hexish)) || tok.ends_with(':') || tok.ends_with('=') {
            continue;
        }
        let mut w = String::with_capacity(tok.len());
        let mut in_digits = false;
        for c in tok.chars() {
            if c.is_ascii_digit() {
                if !in_digits {
                    w.push_str("<n>");
                }
                in_digits = true;
            } else {
                in_digits = false;
                w.push(c);
            }
        }
        words.push(w);
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_keys_drop_variables() {
        let a = "16:44:59.057 INFO  a.s.AssuranceServiceImpl#65 TraceID: adb7d7cd7bacac14b660068f57e44ad1 SpanID: 6e3c72bc80a22eec [create][AddAssurance][Success] x";
        let b = "16:45:01.101 INFO  a.s.AssuranceServiceImpl#65 TraceID: 0000d7cd7bacac14b660068f57e44ad1 SpanID: 1e3c72bc80a22eec [create][AddAssurance][Success] x trailing words differ";
        assert_eq!(template_key(a), template_key(b));
        assert_eq!(template_key(a), "INFO a.s.AssuranceServiceImpl#<n> [create][AddAssurance][Success] x");
        assert_ne!(template_key("error connecting to db"), template_key("error connecting to cache"));
    }

    #[test]
    fn ids_and_levels_from_bodies() {
        let ds = Dataset::default();
        let body = "12:00 WARN x TraceID: adb7d7cd7bacac14b660068f57e44ad1 SpanID: 6e3c72bc80a22eec msg";
        assert_eq!(id_in(&ds, LabelSetId(0), body, "trace"), Some("adb7d7cd7bacac14b660068f57e44ad1"));
        assert_eq!(id_in(&ds, LabelSetId(0), body, "span"), Some("6e3c72bc80a22eec"));
        assert_eq!(id_in(&ds, LabelSetId(0), "trace_id=abc", "trace"), None);
        assert_eq!(level_in_body(body), Level::Warning);
        assert_eq!(level_in_body("level=error msg=boom"), Level::Error);
        assert_eq!(level_in_body("information about the trace"), Level::Info);
    }
}
