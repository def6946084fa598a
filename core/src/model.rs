//! The data model every decoder writes into and every analysis reads: columnar tables with
//! interned strings. Times are ns since the epoch and durations ns, whatever the source used.
//!
//! Identity (which service, which instance) is *not* decided here: rows keep the raw label
//! set their source gave them (OTLP resource attributes, Loki stream labels, Prometheus
//! series labels) and `correlate::identity` maps those to one service identity, so the
//! mapping is configurable and reported in one place.

use rustc_hash::FxHashMap as HashMap;

pub use crate::base::Level;
use crate::diag::Diagnostics;
use crate::id::{SpanId, TraceId};

/// An interned string. Only meaningful with the `Interner` that made it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Sym(pub u32);

/// Interns strings so repeated values (service names, label keys, operations) are stored once.
#[derive(Default, Debug, Clone)]
pub struct Interner {
    strings: Vec<Box<str>>,
    index: HashMap<Box<str>, Sym>,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(sym) = self.index.get(s) {
            return *sym;
        }
        let sym = Sym(self.strings.len() as u32);
        self.strings.push(s.into());
        self.index.insert(s.into(), sym);
        sym
    }

    pub fn get(&self, s: &str) -> Option<Sym> {
        self.index.get(s).copied()
    }

    pub fn resolve(&self, sym: Sym) -> &str {
        &self.strings[sym.0 as usize]
    }

    pub fn len(&self) -> usize {
        self.strings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }
}

/// An interned, sorted set of `key=value` labels (resource attributes, stream labels,
/// series labels, span attributes). `LabelSetId(0)` is always the empty set.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct LabelSetId(pub u32);

#[derive(Debug, Clone)]
pub struct LabelSets {
    sets: Vec<Box<[(Sym, Sym)]>>,
    index: HashMap<Box<[(Sym, Sym)]>, LabelSetId>,
}

impl Default for LabelSets {
    fn default() -> Self {
        let empty: Box<[(Sym, Sym)]> = Box::new([]);
        let mut index = HashMap::default();
        index.insert(empty.clone(), LabelSetId(0));
        LabelSets { sets: vec![empty], index }
    }
}

impl LabelSets {
    /// Interns a label set. Pairs are sorted by key string then value string, so equal sets
    /// get equal ids whatever order the source listed them in. A repeated key keeps its last value.
    pub fn intern(&mut self, strings: &Interner, mut pairs: Vec<(Sym, Sym)>) -> LabelSetId {
        pairs.sort_by(|a, b| strings.resolve(a.0).cmp(strings.resolve(b.0)));
        let mut deduped: Vec<(Sym, Sym)> = Vec::with_capacity(pairs.len());
        for pair in pairs {
            match deduped.last_mut() {
                Some(last) if last.0 == pair.0 => *last = pair,
                _ => deduped.push(pair),
            }
        }
        let key: Box<[(Sym, Sym)]> = deduped.into_boxed_slice();
        if let Some(id) = self.index.get(&key) {
            return *id;
        }
        let id = LabelSetId(self.sets.len() as u32);
        self.sets.push(key.clone());
        self.index.insert(key, id);
        id
    }

    pub fn get(&self, id: LabelSetId) -> &[(Sym, Sym)] {
        &self.sets[id.0 as usize]
    }

    /// The value of `key` in the set, if present.
    pub fn value(&self, id: LabelSetId, key: Sym) -> Option<Sym> {
        self.get(id).iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    pub fn len(&self) -> usize {
        self.sets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sets.len() <= 1
    }
}

/// Where a row came from: an input, and a frame (or stream, batch, series) inside it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct SourceId(pub u32);

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourceInfo {
    /// The input's name (a file name, or the name the caller gave a buffer or frame list).
    pub input: String,
    /// The format the decoder detected, e.g. `otlp-json`, `loki-query-range`, `grafana-frames`.
    pub format: String,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanKind {
    #[default]
    Unspecified,
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

impl SpanKind {
    /// Every spelling decoders meet: OTLP names (`SPAN_KIND_SERVER`) and numbers (`2`), Jaeger
    /// and Tempo tags (`server`), any case. Anything else is `Unspecified`.
    pub fn from_text(s: &str) -> SpanKind {
        let lower = s.trim().to_ascii_lowercase();
        match lower.strip_prefix("span_kind_").unwrap_or(&lower) {
            "internal" | "1" => SpanKind::Internal,
            "server" | "2" => SpanKind::Server,
            "client" | "3" => SpanKind::Client,
            "producer" | "4" => SpanKind::Producer,
            "consumer" | "5" => SpanKind::Consumer,
            _ => SpanKind::Unspecified,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanStatus {
    #[default]
    Unset,
    Ok,
    Error,
}

/// Spans, one column per attribute.
#[derive(Debug, Default, Clone)]
pub struct SpanTable {
    pub trace: Vec<TraceId>,
    pub span: Vec<SpanId>,
    pub parent: Vec<Option<SpanId>>,
    /// Resource attributes (`service.name`, `k8s.pod.name`, ...) or Jaeger process tags.
    pub resource: Vec<LabelSetId>,
    pub operation: Vec<Sym>,
    pub kind: Vec<SpanKind>,
    pub start_ns: Vec<i64>,
    pub duration_ns: Vec<i64>,
    pub status: Vec<SpanStatus>,
    pub status_message: Vec<Option<Sym>>,
    /// Span attributes, values rendered as strings.
    pub attributes: Vec<LabelSetId>,
    pub source: Vec<SourceId>,
}

impl SpanTable {
    pub fn len(&self) -> usize {
        self.trace.len()
    }

    pub fn is_empty(&self) -> bool {
        self.trace.is_empty()
    }
}

/// One span, as a decoder hands it to `SpanTable::push`.
#[derive(Debug, Clone)]
pub struct SpanRow {
    pub trace: TraceId,
    pub span: SpanId,
    pub parent: Option<SpanId>,
    pub resource: LabelSetId,
    pub operation: Sym,
    pub kind: SpanKind,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub status: SpanStatus,
    pub status_message: Option<Sym>,
    pub attributes: LabelSetId,
    pub source: SourceId,
}

impl SpanTable {
    /// Room for `rows` more, appended (`reserve_appending`).
    pub fn reserve_appending(&mut self, rows: usize) {
        reserve_appending(&mut self.trace, rows);
        reserve_appending(&mut self.span, rows);
        reserve_appending(&mut self.parent, rows);
        reserve_appending(&mut self.resource, rows);
        reserve_appending(&mut self.operation, rows);
        reserve_appending(&mut self.kind, rows);
        reserve_appending(&mut self.start_ns, rows);
        reserve_appending(&mut self.duration_ns, rows);
        reserve_appending(&mut self.status, rows);
        reserve_appending(&mut self.status_message, rows);
        reserve_appending(&mut self.attributes, rows);
        reserve_appending(&mut self.source, rows);
    }

    pub fn push(&mut self, r: SpanRow) {
        self.trace.push(r.trace);
        self.span.push(r.span);
        self.parent.push(r.parent);
        self.resource.push(r.resource);
        self.operation.push(r.operation);
        self.kind.push(r.kind);
        self.start_ns.push(r.start_ns);
        self.duration_ns.push(r.duration_ns);
        self.status.push(r.status);
        self.status_message.push(r.status_message);
        self.attributes.push(r.attributes);
        self.source.push(r.source);
    }
}

/// Room for `additional` more in `v`, growing it by a quarter at least: a finish appends the
/// columns of hundreds of inputs, and `Vec`'s doubling would leave up to half of each unused.
/// A quarter keeps the copies that growing makes to about four times the final size.
pub fn reserve_appending<T>(v: &mut Vec<T>, additional: usize) {
    if v.capacity() - v.len() < additional {
        v.reserve_exact(additional.max(v.len() / 4));
    }
}

/// Log records. Bodies are mostly unique, so they are not interned: they live in one UTF-8
/// buffer with offsets, as they cross from JS.
#[derive(Debug, Clone)]
pub struct LogTable {
    pub time_ns: Vec<i64>,
    /// Stream labels or resource attributes: what identifies the emitter.
    pub resource: Vec<LabelSetId>,
    /// Everything else attached to the record: structured metadata, parsed labels, OTLP
    /// log attributes, extra frame fields. Trace ids are looked for here by `correlate`.
    pub metadata: Vec<LabelSetId>,
    pub level: Vec<Level>,
    pub source: Vec<SourceId>,
    /// The bodies and the ids the source gave as fields, until their readers have read them
    /// (`forget_text`); `None` after, and the table then holds nothing per record for them.
    text: Option<LogText>,
}

/// What only the two readers of log text read (`correlate::LogIds`, `patterns::LogLines`): a
/// finish holds millions of records after these were read, so they are a part it can drop.
#[derive(Debug, Default, Clone)]
struct LogText {
    bytes: String,
    /// Per record: where its body ends in `bytes`.
    body_end: Vec<u32>,
    /// A trace id the source gave as a first-class field (OTLP `traceId`). Ids in labels or
    /// bodies are found later by `correlate`, with the configured names and patterns.
    trace: Vec<Option<TraceId>>,
    span: Vec<Option<SpanId>>,
}

impl Default for LogTable {
    fn default() -> Self {
        LogTable {
            time_ns: Vec::new(),
            resource: Vec::new(),
            metadata: Vec::new(),
            level: Vec::new(),
            source: Vec::new(),
            text: Some(LogText::default()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct LogRow<'a> {
    pub time_ns: i64,
    pub resource: LabelSetId,
    pub metadata: LabelSetId,
    pub level: Level,
    pub trace: Option<TraceId>,
    pub span: Option<SpanId>,
    pub body: &'a str,
    pub source: SourceId,
}

impl LogTable {
    pub fn len(&self) -> usize {
        self.time_ns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time_ns.is_empty()
    }

    /// Room for `rows` more records with `body_bytes` more bytes of bodies, for a decoder that
    /// knows them: growing by doubling copies the bodies each time, and in wasm a copy of hundreds
    /// of MB is a large part of decoding a log frame.
    pub fn reserve(&mut self, rows: usize, body_bytes: usize) {
        self.time_ns.reserve(rows);
        self.resource.reserve(rows);
        self.metadata.reserve(rows);
        self.level.reserve(rows);
        self.source.reserve(rows);
        if let Some(text) = &mut self.text {
            text.bytes.reserve(body_bytes);
            text.body_end.reserve(rows);
            text.trace.reserve(rows);
            text.span.reserve(rows);
        }
    }

    /// Adds a record. A record whose source gives no level is at the level of its body's first
    /// level word (`Level::in_text`): decided here, once, so every stage sees the same level.
    /// A table whose text was read (`forget_text`) keeps the level and not the body or the ids.
    pub fn push(&mut self, r: LogRow<'_>) {
        self.time_ns.push(r.time_ns);
        self.resource.push(r.resource);
        self.metadata.push(r.metadata);
        self.level.push(if r.level == Level::Unknown { Level::in_text(r.body) } else { r.level });
        self.source.push(r.source);
        if let Some(text) = &mut self.text {
            text.bytes.push_str(r.body);
            text.body_end.push(text.bytes.len() as u32);
            text.trace.push(r.trace);
            text.span.push(r.span);
        }
    }

    /// Adds `later`'s records after these, their label sets and sources renumbered (`merge::append`).
    /// The columns are copied whole: each record keeps the level `push` gave it, and its body's end
    /// moves by the bodies already here. A table whose text was read appends none, and its records
    /// appended to one that keeps text have empty bodies and no ids, as `forget_text` left them.
    pub fn append(&mut self, later: &LogTable, set: impl Fn(LabelSetId) -> LabelSetId, source: impl Fn(SourceId) -> SourceId) {
        let n = later.len();
        reserve_appending(&mut self.time_ns, n);
        reserve_appending(&mut self.resource, n);
        reserve_appending(&mut self.metadata, n);
        reserve_appending(&mut self.level, n);
        reserve_appending(&mut self.source, n);
        self.time_ns.extend_from_slice(&later.time_ns);
        self.resource.extend(later.resource.iter().map(|&s| set(s)));
        self.metadata.extend(later.metadata.iter().map(|&s| set(s)));
        self.level.extend_from_slice(&later.level);
        self.source.extend(later.source.iter().map(|&s| source(s)));
        let Some(text) = &mut self.text else { return };
        match &later.text {
            Some(l) => {
                let base = text.bytes.len();
                text.bytes.push_str(&l.bytes);
                // As `push` records it: the buffer's length as a u32.
                text.body_end.extend(l.body_end.iter().map(|&end| (base + end as usize) as u32));
                text.trace.extend_from_slice(&l.trace);
                text.span.extend_from_slice(&l.span);
            }
            None => {
                text.body_end.resize(text.body_end.len() + n, text.bytes.len() as u32);
                text.trace.resize(text.trace.len() + n, None);
                text.span.resize(text.span.len() + n, None);
            }
        }
    }

    /// Drops the bodies and the field ids once their readers have read them (`partial`): every
    /// record's body is then empty and it has no field ids, and a partial state carries no log text.
    pub fn forget_text(&mut self) {
        self.text = None;
    }

    /// The record's body; empty once the text was read.
    pub fn body(&self, row: usize) -> &str {
        let Some(text) = &self.text else { return "" };
        let start = if row == 0 { 0 } else { text.body_end[row - 1] as usize };
        &text.bytes[start..text.body_end[row] as usize]
    }

    /// The trace and span ids the source gave the record as fields; none once the text was read.
    pub fn field_ids(&self, row: usize) -> (Option<TraceId>, Option<SpanId>) {
        self.text.as_ref().map_or((None, None), |t| (t.trace[row], t.span[row]))
    }
}

/// Metric series: points for series `i` are `times[offsets[i]..offsets[i+1]]`.
#[derive(Debug, Clone)]
pub struct SeriesTable {
    pub name: Vec<Sym>,
    /// The series labels without `__name__`.
    pub labels: Vec<LabelSetId>,
    pub source: Vec<SourceId>,
    offsets: Vec<u32>,
    pub times_ns: Vec<i64>,
    pub values: Vec<f64>,
}

impl Default for SeriesTable {
    fn default() -> Self {
        SeriesTable { name: vec![], labels: vec![], source: vec![], offsets: vec![0], times_ns: vec![], values: vec![] }
    }
}

impl SeriesTable {
    pub fn len(&self) -> usize {
        self.name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.name.is_empty()
    }

    /// Adds a series; `points` are (time ns, value). NaN and ±Inf are kept: they are data.
    pub fn push(&mut self, name: Sym, labels: LabelSetId, source: SourceId, points: impl IntoIterator<Item = (i64, f64)>) -> usize {
        for (t, v) in points {
            self.times_ns.push(t);
            self.values.push(v);
        }
        self.offsets.push(self.times_ns.len() as u32);
        self.name.push(name);
        self.labels.push(labels);
        self.source.push(source);
        self.name.len() - 1
    }

    pub fn points(&self, series: usize) -> (&[i64], &[f64]) {
        let range = self.offsets[series] as usize..self.offsets[series + 1] as usize;
        (&self.times_ns[range.clone()], &self.values[range])
    }
}

/// Exemplars: a sample of a series that names the trace it came from.
#[derive(Debug, Default, Clone)]
pub struct ExemplarTable {
    /// The series it belongs to, when that series is in the dataset.
    pub series: Vec<Option<u32>>,
    /// The series labels as the exemplar source gave them (with `__name__`).
    pub series_labels: Vec<LabelSetId>,
    /// The exemplar's own labels (`traceID`, ...).
    pub labels: Vec<LabelSetId>,
    pub time_ns: Vec<i64>,
    pub value: Vec<f64>,
    pub trace: Vec<Option<TraceId>>,
    pub span: Vec<Option<SpanId>>,
    pub source: Vec<SourceId>,
}

#[derive(Debug, Clone)]
pub struct ExemplarRow {
    pub series: Option<u32>,
    pub series_labels: LabelSetId,
    pub labels: LabelSetId,
    pub time_ns: i64,
    pub value: f64,
    pub trace: Option<TraceId>,
    pub span: Option<SpanId>,
    pub source: SourceId,
}

impl ExemplarTable {
    pub fn len(&self) -> usize {
        self.time_ns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time_ns.is_empty()
    }

    pub fn push(&mut self, r: ExemplarRow) {
        self.series.push(r.series);
        self.series_labels.push(r.series_labels);
        self.labels.push(r.labels);
        self.time_ns.push(r.time_ns);
        self.value.push(r.value);
        self.trace.push(r.trace);
        self.span.push(r.span);
        self.source.push(r.source);
    }
}

/// Everything decoded from the inputs of one analysis.
#[derive(Debug, Default, Clone)]
pub struct Dataset {
    pub strings: Interner,
    pub label_sets: LabelSets,
    pub sources: Vec<SourceInfo>,
    pub spans: SpanTable,
    pub logs: LogTable,
    pub series: SeriesTable,
    pub exemplars: ExemplarTable,
    pub diagnostics: Diagnostics,
}

impl Dataset {
    pub fn add_source(&mut self, input: &str, format: &str) -> SourceId {
        self.sources.push(SourceInfo { input: input.to_string(), format: format.to_string() });
        SourceId(self.sources.len() as u32 - 1)
    }

    /// Interns a label set given as string pairs.
    pub fn labels<'a>(&mut self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> LabelSetId {
        let syms: Vec<(Sym, Sym)> = pairs.into_iter().map(|(k, v)| (self.strings.intern(k), self.strings.intern(v))).collect();
        self.label_sets.intern(&self.strings, syms)
    }

    /// The value of label `key` in set `id`, as a string.
    pub fn label(&self, id: LabelSetId, key: &str) -> Option<&str> {
        let key = self.strings.get(key)?;
        self.label_sets.value(id, key).map(|v| self.strings.resolve(v))
    }

    /// The label set as string pairs, sorted by key.
    pub fn label_pairs(&self, id: LabelSetId) -> impl Iterator<Item = (&str, &str)> {
        self.label_sets.get(id).iter().map(|(k, v)| (self.strings.resolve(*k), self.strings.resolve(*v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_sets_are_order_insensitive() {
        let mut ds = Dataset::default();
        let a = ds.labels([("b", "2"), ("a", "1")]);
        let b = ds.labels([("a", "1"), ("b", "2")]);
        let c = ds.labels([("a", "1")]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(ds.label(a, "b"), Some("2"));
        assert_eq!(ds.label(a, "z"), None);
        assert_eq!(ds.labels([]), LabelSetId(0));
    }

    #[test]
    fn log_bodies_round_trip() {
        let mut logs = LogTable::default();
        for body in ["first", "", "third é"] {
            logs.push(LogRow {
                time_ns: 1,
                resource: LabelSetId(0),
                metadata: LabelSetId(0),
                level: Level::Info,
                trace: None,
                span: None,
                body,
                source: SourceId(0),
            });
        }
        assert_eq!((logs.body(0), logs.body(1), logs.body(2)), ("first", "", "third é"));
    }

    #[test]
    fn series_points_are_sliced_per_series() {
        let mut s = SeriesTable::default();
        s.push(Sym(0), LabelSetId(0), SourceId(0), [(1, 1.0), (2, 2.0)]);
        s.push(Sym(0), LabelSetId(0), SourceId(0), []);
        s.push(Sym(0), LabelSetId(0), SourceId(0), [(3, f64::NAN)]);
        assert_eq!(s.points(0).0, &[1, 2]);
        assert!(s.points(1).0.is_empty());
        assert!(s.points(2).1[0].is_nan());
    }

    #[test]
    fn a_record_without_a_level_is_at_its_bodys_level() {
        let mut logs = LogTable::default();
        let row = |level, body| LogRow {
            time_ns: 0,
            resource: LabelSetId(0),
            metadata: LabelSetId(0),
            level,
            trace: None,
            span: None,
            body,
            source: SourceId(0),
        };
        logs.push(row(Level::Unknown, "PANIC: out of memory"));
        logs.push(row(Level::Info, "PANIC: out of memory"));
        logs.push(row(Level::Unknown, "all good"));
        assert_eq!(logs.level, [Level::Critical, Level::Info, Level::Unknown]);
        assert_eq!(Level::from_otlp_severity(17), Level::Error);
    }
}
