//! Appending one decoded dataset to another, exactly as if the second's input had been decoded
//! into the first: the same strings, label sets, sources, rows and diagnostics, with the same ids.
//!
//! This is what lets an input be decoded on its own (in a Spark task, say) and joined later: a
//! `Session` decodes every input into a fresh dataset and appends it (`Session::add`), so the
//! single-process analysis and a distributed one go through the same path and give the same
//! report bytes (`docs/spark.md`).
//!
//! Why the ids come out the same: decoding interns strings and label sets in first-use order.
//! Re-interning the appended dataset's strings, then its label sets, in their own id order
//! visits its new values in the order its decoding first used them, which is the order a
//! decoding into the first dataset would have added them. Sources, rows and series are appended
//! after the first dataset's, as decoding appends them.
//!
//! The one place a decoder reads what earlier inputs left: an exemplar is linked to a series of
//! the same name and labels already in the dataset (`ingest::prometheus`, `ingest::frame_kinds`).
//! Decoded on its own, an exemplar whose series is in an earlier input is unlinked; `append`
//! links it as the decoder would have (the last such series, as the decoders' maps keep).

use rustc_hash::FxHashMap as HashMap;

use crate::model::{Dataset, ExemplarRow, LabelSetId, SourceId, SpanRow, Sym};

/// The format of Prometheus' exemplars API: its decoder names a series without `__name__` by
/// the empty name, where frame decoders link only series that have one.
const PROMETHEUS_EXEMPLARS: &str = "prometheus-exemplars";

/// Appends `from` (a dataset decoded from later inputs) to `into`.
pub fn append(into: &mut Dataset, from: Dataset) {
    if is_pristine(into) {
        // Nothing to renumber against: the appended dataset is the result as it stands.
        *into = from;
        return;
    }
    let strings: Vec<Sym> = (0..from.strings.len()).map(|i| into.strings.intern(from.strings.resolve(Sym(i as u32)))).collect();
    let sym = |s: Sym| strings[s.0 as usize];
    let sets: Vec<LabelSetId> = (0..from.label_sets.len())
        .map(|i| {
            let pairs = from.label_sets.get(LabelSetId(i as u32)).iter().map(|(k, v)| (sym(*k), sym(*v))).collect();
            into.label_sets.intern(&into.strings, pairs)
        })
        .collect();
    let set = |id: LabelSetId| sets[id.0 as usize];
    let source_base = into.sources.len() as u32;
    let source = |s: SourceId| SourceId(source_base + s.0);
    // Built only when an exemplar needs it: it is as large as every earlier input's series.
    let mut earlier_series: Option<HashMap<(Sym, LabelSetId), u32>> = None;
    let series_base = into.series.len() as u32;

    let s = &from.spans;
    into.spans.reserve_appending(s.len());
    for r in 0..s.len() {
        into.spans.push(SpanRow {
            trace: s.trace[r],
            span: s.span[r],
            parent: s.parent[r],
            resource: set(s.resource[r]),
            operation: sym(s.operation[r]),
            kind: s.kind[r],
            start_ns: s.start_ns[r],
            duration_ns: s.duration_ns[r],
            status: s.status[r],
            status_message: s.status_message[r].map(sym),
            attributes: set(s.attributes[r]),
            source: source(s.source[r]),
        });
    }
    into.logs.append(&from.logs, set, source);
    let m = &from.series;
    for i in 0..m.len() {
        let (times, values) = m.points(i);
        into.series.push(sym(m.name[i]), set(m.labels[i]), source(m.source[i]), times.iter().copied().zip(values.iter().copied()));
    }
    let name_key = into.strings.get("__name__");
    let e = &from.exemplars;
    for r in 0..e.len() {
        let series_labels = set(e.series_labels[r]);
        let series = match e.series[r] {
            Some(i) => Some(series_base + i),
            None => {
                let prometheus = from.sources[e.source[r].0 as usize].format == PROMETHEUS_EXEMPLARS;
                let key = series_key(into, name_key, series_labels, prometheus);
                key.and_then(|key| earlier_series.get_or_insert_with(|| known_series(into, series_base)).get(&key).copied())
            }
        };
        into.exemplars.push(ExemplarRow {
            series,
            series_labels,
            labels: set(e.labels[r]),
            time_ns: e.time_ns[r],
            value: e.value[r],
            trace: e.trace[r],
            span: e.span[r],
            source: source(e.source[r]),
        });
    }
    into.sources.extend(from.sources);
    into.diagnostics.append(from.diagnostics);
}

/// A dataset nothing was decoded into yet.
fn is_pristine(ds: &Dataset) -> bool {
    ds.strings.is_empty() && ds.label_sets.is_empty() && ds.sources.is_empty() && ds.diagnostics.total() == 0
}

/// The dataset's first `n` series (those of earlier inputs) by (name, labels); a repeated one is
/// known by its last index, as the decoders' own maps collect it.
fn known_series(ds: &Dataset, n: u32) -> HashMap<(Sym, LabelSetId), u32> {
    (0..n as usize).map(|i| ((ds.series.name[i], ds.series.labels[i]), i as u32)).collect()
}

/// The (name, labels) an exemplar's series labels name: `__name__` and the other labels. Without
/// a `__name__`, Prometheus' decoder looks up the empty name and the frame decoders link nothing.
fn series_key(ds: &mut Dataset, name_key: Option<Sym>, series_labels: LabelSetId, prometheus: bool) -> Option<(Sym, LabelSetId)> {
    let name = name_key.and_then(|k| ds.label_sets.value(series_labels, k));
    let name = match (name, prometheus) {
        (Some(name), _) => name,
        // Interned by that decoder before it looked, so it is there when it could match.
        (None, true) => ds.strings.get("")?,
        (None, false) => return None,
    };
    let rest: Vec<(Sym, Sym)> = ds.label_sets.get(series_labels).iter().copied().filter(|(k, _)| Some(*k) != name_key).collect();
    // Every subset decoding made is interned already; one it did not make names no series.
    let rest = ds.label_sets.intern(&ds.strings, rest);
    Some((name, rest))
}
