//! Correlation: the trace index (spans, logs and exemplars per trace), one service identity
//! across sources, and the service call graph.
//!
//! `correlate` reads the decoded `Dataset` and returns a `Correlation`: per-row resolved
//! columns (each row's trace, span, service, instance, repaired parent) for the later stages,
//! and the figures of the report's `correlation` section. It never fails: ids that do not
//! parse, broken traces and unidentified rows are counted and noted in its diagnostics.
//!
//! - `ids`: trace and span ids from label sets and log bodies.
//! - `identity`: label sets to services and instances.
//! - `index`: rows grouped by trace.
//! - `repair`: duplicate spans, orphans, cycles, clock skew.
//! - `graph`: service -> service edges with calls, errors, latency.
//! - `report`: the report section made from a `Correlation`.

pub mod graph;
pub mod identity;
pub mod ids;
pub mod index;
pub mod repair;
mod report;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostics, Place};
use crate::id::{SpanId, TraceId};
use crate::model::{Dataset, LabelSetId, SourceId, SpanKind, Sym};

use graph::ServiceGraph;
use identity::{Resolution, Resolver, Via};
use ids::{BodyScanner, IdFields, LabelId, LabelMemo};
use index::{TraceIndex, TraceRefs};
use repair::RepairNote;
pub use report::*;

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// How records are joined on trace id and mapped to services.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CorrelateOptions {
    /// Field and label names holding a log record's or exemplar's trace id, tried in order
    /// in structured metadata (and extra frame fields, such as a Grafana derived field), then
    /// in stream or resource labels. An OTLP `traceId` is used before any of them. Names match
    /// exactly. Default: the six spellings Grafana probes, `traceID`, `trace_id`, `traceId`,
    /// `TraceID`, `TraceId`, `otel_trace_id`.
    pub trace_id_fields: Vec<String>,
    /// As `trace_id_fields`, for span ids. Default: `spanID`, `span_id`, `spanId`, `SpanID`,
    /// `SpanId`, `otel_span_id`.
    pub span_id_fields: Vec<String>,
    /// Keys that precede a trace id in a log body, matched ignoring ASCII case at the start of
    /// a word and followed by an optional `=`, `:` or `=>` with quotes and spaces around it:
    /// `trace_id=x`, `TraceID: x`, `"traceId":"x"`. Used when no field or label gave the id.
    /// Default: `trace_id`, `traceid`, `trace-id`, `trace.id`, `otel_trace_id`, `otel.trace_id`.
    pub body_trace_keys: Vec<String>,
    /// As `body_trace_keys`, for span ids. A key never matches inside a longer name, so
    /// `parent_span_id` is not read as `span_id`. Default: `span_id`, `spanid`, `span-id`,
    /// `span.id`, `otel_span_id`, `otel.span_id`.
    pub body_span_keys: Vec<String>,
    /// Also recognise a W3C traceparent value (`00-<trace>-<span>-<flags>`) anywhere in a log
    /// body, for ids the keys did not find. Default: true.
    pub body_traceparent: bool,
    /// Labels naming a row's service, tried in order on OTLP resource attributes, Loki stream
    /// labels and Prometheus series labels. The first present wins; a label that is also in
    /// `pod_labels` gives its pod's workload, and `job` written as `<namespace>/<name>` (as
    /// OpenTelemetry's Prometheus exporters do) gives `<name>`. Placeholders (`unknown_service...`) are used only
    /// when nothing else names the service. Default: `service.name`, `service_name`, `service`,
    /// `app.kubernetes.io/name`, `app_kubernetes_io_name`, `app`, `k8s.deployment.name`,
    /// `k8s_deployment_name`, `k8s.statefulset.name`, `k8s.daemonset.name`, `job`,
    /// `k8s.pod.name`, `k8s_pod_name`, `pod`, `pod_name`, `container`, `k8s.container.name`.
    pub service_labels: Vec<String>,
    /// Labels whose value is a Kubernetes pod name, mapped to its workload by dropping the
    /// ReplicaSet hash and pod suffix (`api-7d9f8b6c4-x2x9z` -> `api`), a DaemonSet or Job
    /// suffix (`agent-x2x9z` -> `agent`) or a StatefulSet ordinal (`kafka-0` -> `kafka`).
    /// Default: `k8s.pod.name`, `k8s_pod_name`, `pod`, `pod_name`.
    pub pod_labels: Vec<String>,
    /// Labels naming a row's instance, tried in order. Default: `k8s.pod.name`,
    /// `k8s_pod_name`, `pod`, `pod_name`, `service.instance.id`, `instance`, `host.name`,
    /// `hostname`, `host`.
    pub instance_labels: Vec<String>,
    /// Service names to rename, from the name a label gave (after the pod-to-workload mapping)
    /// to the name to use, e.g. `{"checkout-v2": "checkout"}`. Default: none.
    pub service_aliases: BTreeMap<String, String>,
    /// Span attributes naming the service a client or producer span calls, tried in order.
    /// They matter for calls with no span on the other side: an uninstrumented database or
    /// cache, or a service that refused the connection. A value is matched to a known service
    /// by its name or its first DNS label (`:port` dropped, aliases applied); otherwise it
    /// names a service of its own, seen only through its callers (a virtual node, as in
    /// Tempo's service graph). Default: `service.peer.name`, `peer.service`, `server.address`,
    /// `net.peer.name`, `db.system.name`, `db.system`.
    pub peer_labels: Vec<String>,
}

impl Default for CorrelateOptions {
    fn default() -> Self {
        CorrelateOptions {
            trace_id_fields: strings(&["traceID", "trace_id", "traceId", "TraceID", "TraceId", "otel_trace_id"]),
            span_id_fields: strings(&["spanID", "span_id", "spanId", "SpanID", "SpanId", "otel_span_id"]),
            body_trace_keys: strings(&["trace_id", "traceid", "trace-id", "trace.id", "otel_trace_id", "otel.trace_id"]),
            body_span_keys: strings(&["span_id", "spanid", "span-id", "span.id", "otel_span_id", "otel.span_id"]),
            body_traceparent: true,
            service_labels: strings(&[
                "service.name",
                "service_name",
                "service",
                "app.kubernetes.io/name",
                "app_kubernetes_io_name",
                "app",
                "k8s.deployment.name",
                "k8s_deployment_name",
                "k8s.statefulset.name",
                "k8s.daemonset.name",
                "job",
                "k8s.pod.name",
                "k8s_pod_name",
                "pod",
                "pod_name",
                "container",
                "k8s.container.name",
            ]),
            pod_labels: strings(&["k8s.pod.name", "k8s_pod_name", "pod", "pod_name"]),
            instance_labels: strings(&[
                "k8s.pod.name",
                "k8s_pod_name",
                "pod",
                "pod_name",
                "service.instance.id",
                "instance",
                "host.name",
                "hostname",
                "host",
            ]),
            service_aliases: BTreeMap::new(),
            peer_labels: strings(&["service.peer.name", "peer.service", "server.address", "net.peer.name", "db.system.name", "db.system"]),
        }
    }
}

/// Per row, an optional id or row number in 4 bytes (`Option<u32>` takes 8), `u32::MAX` for
/// none: a correlation keeps several per log line, and a finish reads millions of lines. No
/// table or interner reaches `u32::MAX` entries (their positions count a wasm32 dataset's rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptColumn<T>(Vec<u32>, std::marker::PhantomData<T>);

/// What an `OptColumn` holds: a `u32` in a type of its own.
pub trait Slot: Copy {
    fn to_u32(self) -> u32;
    fn from_u32(v: u32) -> Self;
}

impl Slot for u32 {
    fn to_u32(self) -> u32 {
        self
    }
    fn from_u32(v: u32) -> u32 {
        v
    }
}

impl Slot for ServiceId {
    fn to_u32(self) -> u32 {
        self.0
    }
    fn from_u32(v: u32) -> ServiceId {
        ServiceId(v)
    }
}

impl Slot for Sym {
    fn to_u32(self) -> u32 {
        self.0
    }
    fn from_u32(v: u32) -> Sym {
        Sym(v)
    }
}

impl<T> Default for OptColumn<T> {
    fn default() -> Self {
        OptColumn(Vec::new(), std::marker::PhantomData)
    }
}

impl<T: Slot> OptColumn<T> {
    const NONE: u32 = u32::MAX;

    fn with_capacity(rows: usize) -> Self {
        OptColumn(Vec::with_capacity(rows), std::marker::PhantomData)
    }

    fn push(&mut self, v: Option<T>) {
        self.0.push(v.map_or(Self::NONE, T::to_u32));
    }

    /// Row `row`'s value; none for a row past the end too.
    pub fn get(&self, row: usize) -> Option<T> {
        self.0.get(row).filter(|v| **v != Self::NONE).map(|v| T::from_u32(*v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = Option<T>> + '_ {
        self.0.iter().map(|v| (*v != Self::NONE).then(|| T::from_u32(*v)))
    }
}

impl<T: Slot> FromIterator<Option<T>> for OptColumn<T> {
    fn from_iter<I: IntoIterator<Item = Option<T>>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut column = OptColumn::with_capacity(iter.size_hint().0);
        for v in iter {
            column.push(v);
        }
        column
    }
}

/// A service: an index into `Correlation::services`, whose order is name order.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct ServiceId(pub u32);

/// One service and the instances seen for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The service name, after aliases.
    pub name: String,
    /// Instance names (label values in the dataset's interner), sorted by text.
    pub instances: Vec<Sym>,
}

/// Where a log record's trace id came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IdOrigin {
    /// A first-class field of the source (OTLP `traceId`).
    Field,
    /// A structured-metadata label or extra field named in `trace_id_fields`.
    Metadata,
    /// A stream or resource label named in `trace_id_fields`.
    Labels,
    /// The log body.
    Body,
}

/// The four tables of the dataset, for the identity report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Table {
    /// Spans.
    Spans,
    /// Log records.
    Logs,
    /// Metric series.
    Series,
    /// Exemplars.
    Exemplars,
}

/// How a row got its service, for the identity report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Rule {
    Via(Via),
    /// A log record without service labels, given the service of the span it names.
    JoinedSpan,
    /// An exemplar without service labels, given the service of its series.
    OwnSeries,
    None,
}

/// Everything correlation found, for the later stages. Row-indexed vectors have one entry per
/// row of the matching `Dataset` table; trace indexes point into `traces.ids`.
#[derive(Debug, Clone, Default)]
pub struct Correlation {
    /// Services by name; `ServiceId(i)` is `services[i]`.
    pub services: Vec<Service>,
    /// Every trace id seen in spans, logs or exemplars, with its rows.
    pub traces: TraceIndex,
    /// Per span row: its trace's index in `traces`.
    pub span_trace: Vec<u32>,
    /// Per span row: its service, from its resource attributes.
    pub span_service: Vec<Option<ServiceId>>,
    /// Per span row: its instance (e.g. the pod name), from its resource attributes.
    pub span_instance: Vec<Option<Sym>>,
    /// Per span row: the other service a client or producer span calls, from its
    /// `peer_labels` attributes. `None` for other kinds and for calls within a service.
    pub span_peer: Vec<Option<ServiceId>>,
    /// Per span row: its parent's row after repair. `None` for roots, orphans, spans whose
    /// cyclic parent link was cut, and duplicates.
    pub span_parent: Vec<Option<u32>>,
    /// Per span row: true when the row repeats an earlier span id of its trace; such rows are
    /// left out of `traces` and the graph.
    pub span_duplicate: Vec<bool>,
    children_offsets: Vec<u32>,
    children_rows: Vec<u32>,
    /// Kept spans as (span id, row), laid out like `traces`' span lists and sorted within
    /// each trace: the lookup behind `span_row`.
    span_keys: Vec<(SpanId, u32)>,
    /// Log rows with a span id, found as their trace ids are (`log_trace`). The ids themselves
    /// are read into `log_span_row` and dropped: a finish holds millions of log rows.
    pub logs_with_span_id: u64,
    /// Per log row: its trace's index in `traces`.
    pub log_trace_index: OptColumn<u32>,
    /// Per log row: the row of the span it names, when that span is in its trace.
    pub log_span_row: OptColumn<u32>,
    /// Per log row: its service, from its stream labels (or resource attributes), else from
    /// structured metadata, else the service of the span it names.
    pub log_service: OptColumn<ServiceId>,
    /// Per log row: its instance.
    pub log_instance: OptColumn<Sym>,
    /// Per series row: its service, from its labels.
    pub series_service: Vec<Option<ServiceId>>,
    /// Per series row: its instance.
    pub series_instance: Vec<Option<Sym>>,
    /// Per exemplar row: its trace id, given by the source or found in its labels.
    pub exemplar_trace: Vec<Option<TraceId>>,
    /// Per exemplar row: its span id.
    pub exemplar_span: Vec<Option<SpanId>>,
    /// Per exemplar row: its trace's index in `traces`.
    pub exemplar_trace_index: Vec<Option<u32>>,
    /// Per exemplar row: its service, from its series labels, else its series' service.
    pub exemplar_service: Vec<Option<ServiceId>>,
    /// Per exemplar row: its instance.
    pub exemplar_instance: Vec<Option<Sym>>,
    /// The service call graph.
    pub graph: ServiceGraph,
    /// Every trace repair, in trace order.
    pub repairs: Vec<RepairNote>,
    /// The dataset's diagnostics, then correlation's own: fields skipped (ids that do not
    /// parse) and traces repaired, with their places. Correlation counts rows within their
    /// input and table (frame `spans`, `logs` or `exemplars`). The report's diagnostics
    /// section is made from this.
    pub diagnostics: Diagnostics,
    log_origins: BTreeMap<IdOrigin, u64>,
    identity: BTreeMap<IdentityKey, (u64, u64)>,
    options: CorrelateOptions,
}

impl Correlation {
    /// Child span rows of span row `row`, by start time then span id.
    pub fn children(&self, row: u32) -> &[u32] {
        let r = row as usize;
        &self.children_rows[self.children_offsets[r] as usize..self.children_offsets[r + 1] as usize]
    }

    /// The kept span row with id `span` in trace `trace` (an index into `traces`).
    pub fn span_row(&self, trace: u32, span: SpanId) -> Option<u32> {
        let keys = &self.span_keys[self.traces.span_range(trace as usize)];
        keys.binary_search_by_key(&span, |k| k.0).ok().map(|i| keys[i].1)
    }

    /// A log row's trace id, from the source's field, structured metadata, labels or body: its
    /// trace's in `traces`, which holds every id a row names (a copy per row would be 16 bytes).
    pub fn log_trace(&self, row: usize) -> Option<TraceId> {
        self.log_trace_index.get(row).map(|t| self.traces.ids[t as usize])
    }

    /// The name of a service.
    pub fn service_name(&self, id: ServiceId) -> &str {
        &self.services[id.0 as usize].name
    }

    /// The service with this name.
    pub fn service_id(&self, name: &str) -> Option<ServiceId> {
        self.services.binary_search_by(|s| s.name.as_str().cmp(name)).ok().map(|i| ServiceId(i as u32))
    }
}

type IdentityKey = (SourceId, Table, Rule);

/// Counts (rows, aliased rows) per key. Neighbouring rows mostly share a key (a stream, a
/// resource), so runs are summed before they touch the map.
#[derive(Default)]
struct Tally {
    map: BTreeMap<IdentityKey, (u64, u64)>,
    run: Option<(IdentityKey, u64, u64)>,
}

impl Tally {
    fn add(&mut self, key: IdentityKey, aliased: bool) {
        match &mut self.run {
            Some((k, rows, al)) if *k == key => {
                *rows += 1;
                *al += u64::from(aliased);
            }
            _ => {
                self.flush();
                self.run = Some((key, 1, u64::from(aliased)));
            }
        }
    }

    fn flush(&mut self) {
        if let Some((k, rows, aliased)) = self.run.take() {
            let e = self.map.entry(k).or_default();
            e.0 += rows;
            e.1 += aliased;
        }
    }

    fn finish(mut self) -> BTreeMap<IdentityKey, (u64, u64)> {
        self.flush();
        self.map
    }
}

/// Counts rows per source, so diagnostics can name a row within its input.
struct RowInSource(Vec<u32>);

impl RowInSource {
    fn next(&mut self, source: SourceId) -> usize {
        let i = source.0 as usize;
        if self.0.len() <= i {
            self.0.resize(i + 1, 0);
        }
        self.0[i] += 1;
        self.0[i] as usize - 1
    }
}

fn place(ds: &Dataset, source: SourceId, table: &str, field: &str, row: usize) -> Place {
    let input = ds.sources.get(source.0 as usize).map_or("(unknown input)", |s| s.input.as_str());
    Place::input(input).frame(table).field(field).row(row)
}

/// Id lookups in label sets, memoised per set.
struct LabelIds<'a> {
    fields: IdFields,
    trace: LabelMemo<LabelId<TraceId>>,
    span_fields: IdFields,
    span: LabelMemo<LabelId<SpanId>>,
    ds: &'a Dataset,
}

impl<'a> LabelIds<'a> {
    fn new(ds: &'a Dataset, o: &CorrelateOptions) -> LabelIds<'a> {
        LabelIds {
            fields: IdFields::new(ds, &o.trace_id_fields),
            trace: LabelMemo::new(ds.label_sets.len()),
            span_fields: IdFields::new(ds, &o.span_id_fields),
            span: LabelMemo::new(ds.label_sets.len()),
            ds,
        }
    }

    fn trace(&mut self, set: LabelSetId) -> LabelId<TraceId> {
        let (fields, ds) = (&self.fields, self.ds);
        self.trace.get_or(set, || fields.find(ds, set, TraceId::parse))
    }

    fn span(&mut self, set: LabelSetId) -> LabelId<SpanId> {
        let (fields, ds) = (&self.span_fields, self.ds);
        self.span.get_or(set, || fields.find(ds, set, SpanId::parse))
    }
}

/// Joins the dataset on trace id, maps rows to services and builds the call graph.
pub fn correlate(ds: &Dataset, options: &CorrelateOptions) -> Correlation {
    correlate_found(ds, LogIds::find(ds, options), options)
}

/// `correlate` with the log records' ids already found (`LogIds::find`, per input where the
/// inputs were decoded apart, then appended): the correlation reads no log body.
pub fn correlate_found(ds: &Dataset, log_ids: LogIds, options: &CorrelateOptions) -> Correlation {
    let LogIds { trace, span, origins, diagnostics } = log_ids;
    let mut c = Correlation {
        options: options.clone(),
        diagnostics: ds.diagnostics.clone(),
        logs_with_span_id: span.iter().flatten().count() as u64,
        log_origins: origins,
        ..Correlation::default()
    };
    // The skips the id search noted come after the decoders' diagnostics, as when it ran here.
    c.diagnostics.append(diagnostics);
    let mut label_ids = LabelIds::new(ds, options);
    find_exemplar_ids(ds, &mut label_ids, &mut c);
    index_and_repair(ds, trace, &mut c);
    c.log_span_row = span
        .into_iter()
        .zip(c.log_trace_index.iter())
        .map(|(s, t)| match (t, s) {
            (Some(t), Some(s)) => c.span_row(t, s),
            _ => None,
        })
        .collect();
    assign_services(ds, options, &mut c);
    c.graph = ServiceGraph::build(&c.span_service, &c.span_peer, &c.span_parent, &c.span_duplicate);
    c
}

/// Each log record's trace and span id: the only part of correlation that reads log bodies, so
/// it runs where an input is decoded (a partial state carries these, not the text) and the
/// results of consecutive inputs append (`append`).
#[derive(Debug, Clone, Default)]
pub struct LogIds {
    /// Per log row: its trace id.
    pub trace: TraceRefs,
    /// Per log row: its span id.
    pub span: Vec<Option<SpanId>>,
    /// Records per place their trace id came from.
    pub origins: BTreeMap<IdOrigin, u64>,
    /// Id fields skipped because their value is not an id, with their places.
    pub diagnostics: Diagnostics,
}

impl LogIds {
    /// The ids of `ds`'s log records: the source's field, then structured metadata, then
    /// stream labels, then the body.
    pub fn find(ds: &Dataset, options: &CorrelateOptions) -> LogIds {
        let mut label_ids = LabelIds::new(ds, options);
        let scanner = BodyScanner::new(&options.body_trace_keys, &options.body_span_keys, options.body_traceparent);
        let logs = &ds.logs;
        let mut out = LogIds { trace: TraceRefs::with_capacity(logs.len()), span: Vec::with_capacity(logs.len()), ..LogIds::default() };
        let mut rows = RowInSource(Vec::new());
        for row in 0..logs.len() {
            let src_row = rows.next(logs.source[row]);
            let mut skipped = |field: &str| out.diagnostics.skip(place(ds, logs.source[row], "logs", field, src_row), "value is not an id");
            let (field_trace, field_span) = logs.field_ids(row);
            let mut trace = field_trace.map(|t| (t, IdOrigin::Field));
            for (set, origin) in [(logs.metadata[row], IdOrigin::Metadata), (logs.resource[row], IdOrigin::Labels)] {
                if trace.is_some() {
                    break;
                }
                match label_ids.trace(set) {
                    LabelId::Found(t) => trace = Some((t, origin)),
                    LabelId::Invalid(k) => skipped(label_ids.fields.key_name(k)),
                    LabelId::Absent => {}
                }
            }
            let mut span = field_span;
            for set in [logs.metadata[row], logs.resource[row]] {
                if span.is_some() {
                    break;
                }
                match label_ids.span(set) {
                    LabelId::Found(s) => span = Some(s),
                    LabelId::Invalid(k) => skipped(label_ids.span_fields.key_name(k)),
                    LabelId::Absent => {}
                }
            }
            if trace.is_none() || span.is_none() {
                let found = scanner.scan(logs.body(row), trace.is_none(), span.is_none());
                trace = trace.or(found.trace.map(|t| (t, IdOrigin::Body)));
                span = span.or(found.span);
            }
            if let Some((_, origin)) = trace {
                *out.origins.entry(origin).or_default() += 1;
            }
            out.trace.push(trace.map(|(t, _)| t));
            out.span.push(span);
        }
        out
    }

    /// Adds the ids of the records that follow (a later input's), as if found in one pass.
    pub fn append(&mut self, later: LogIds) {
        self.trace.append(later.trace);
        crate::model::reserve_appending(&mut self.span, later.span.len());
        self.span.extend(later.span);
        for (origin, n) in later.origins {
            *self.origins.entry(origin).or_default() += n;
        }
        self.diagnostics.append(later.diagnostics);
    }
}

/// Exemplar ids: the source's, else its labels.
fn find_exemplar_ids(ds: &Dataset, label_ids: &mut LabelIds, c: &mut Correlation) {
    let ex = &ds.exemplars;
    let mut rows = RowInSource(Vec::new());
    for row in 0..ex.len() {
        let src_row = rows.next(ex.source[row]);
        let mut trace = ex.trace[row];
        if trace.is_none() {
            match label_ids.trace(ex.labels[row]) {
                LabelId::Found(t) => trace = Some(t),
                LabelId::Invalid(k) => {
                    c.diagnostics.skip(place(ds, ex.source[row], "exemplars", label_ids.fields.key_name(k), src_row), "value is not an id")
                }
                LabelId::Absent => {}
            }
        }
        let span = ex.span[row].or(match label_ids.span(ex.labels[row]) {
            LabelId::Found(s) => Some(s),
            _ => None,
        });
        c.exemplar_trace.push(trace);
        c.exemplar_span.push(span);
    }
}

/// The trace index, the repaired parent links, the span lookup and the children lists.
fn index_and_repair(ds: &Dataset, log_trace: TraceRefs, c: &mut Correlation) {
    let spans = &ds.spans;
    let exemplar_trace: TraceRefs = c.exemplar_trace.iter().copied().collect();
    let (mut traces, [span_t, log_t, ex_t]) = TraceIndex::build(
        (0..spans.len()).map(|i| (spans.trace[i], spans.start_ns[i], spans.span[i].value())),
        (&log_trace, &ds.logs.time_ns),
        (&exemplar_trace, &ds.exemplars.time_ns),
    );
    c.span_trace = span_t.into_iter().map(|t| t.expect("every span has a trace")).collect();
    c.log_trace_index = log_t.into_iter().collect();
    // Read into the index: the rows' trace refs are not needed again.
    drop(log_trace);
    c.exemplar_trace_index = ex_t;

    let repaired = repair::repair(spans, &traces);
    traces.drop_spans(&repaired.duplicate);
    c.span_parent = repaired.parent;
    c.span_duplicate = repaired.duplicate;
    c.repairs = repaired.notes;
    if !c.repairs.is_empty() {
        let mut counter = RowInSource(Vec::new());
        let in_source: Vec<usize> = spans.source.iter().map(|s| counter.next(*s)).collect();
        for note in &c.repairs {
            let row = note.row as usize;
            c.diagnostics.warn(place(ds, spans.source[row], "spans", note.kind.field(), in_source[row]), note.kind.reason());
        }
    }

    c.span_keys = Vec::with_capacity(spans.len());
    for t in 0..traces.len() {
        let start = c.span_keys.len();
        c.span_keys.extend(traces.spans(t).iter().map(|r| (spans.span[*r as usize], *r)));
        c.span_keys[start..].sort_unstable();
    }
    // Children by counting: walking each trace's spans in index order fills every
    // children list in (start, span id) order.
    let mut next = vec![0u32; spans.len() + 1];
    for p in c.span_parent.iter().flatten() {
        next[*p as usize + 1] += 1;
    }
    for i in 1..next.len() {
        next[i] += next[i - 1];
    }
    c.children_offsets = next.clone();
    c.children_rows = vec![0; c.children_offsets[spans.len()] as usize];
    for t in 0..traces.len() {
        for &r in traces.spans(t) {
            if let Some(p) = c.span_parent[r as usize] {
                let slot = &mut next[p as usize];
                c.children_rows[*slot as usize] = r;
                *slot += 1;
            }
        }
    }
    c.traces = traces;
}

/// Services and instances of every row, services in name order, and the identity tally.
fn assign_services(ds: &Dataset, options: &CorrelateOptions, c: &mut Correlation) {
    let mut resolver = Resolver::new(ds, options);
    let span_res: Vec<Resolution> = ds.spans.resource.iter().map(|s| resolver.resolve(*s)).collect();
    let series_res: Vec<Resolution> = ds.series.labels.iter().map(|s| resolver.resolve(*s)).collect();
    // A log row's labels, then its structured metadata when they name no service. Every row's
    // sets are resolved here and read back from the memo below (`log_res`): one resolution per
    // row kept would be the largest thing correlation holds.
    for row in 0..ds.logs.len() {
        if resolver.resolve(ds.logs.resource[row]).service.is_none() {
            resolver.resolve(ds.logs.metadata[row]);
        }
    }
    let exemplar_res: Vec<Resolution> = ds.exemplars.series_labels.iter().map(|s| resolver.resolve(*s)).collect();
    // Peers last, so a peer's name can match every service the rows named.
    let span_peer: Vec<Option<u32>> = (0..ds.spans.len())
        .map(|r| match ds.spans.kind[r] {
            SpanKind::Client | SpanKind::Producer => resolver.peer(ds.spans.attributes[r]),
            _ => None,
        })
        .collect();
    let resolved = resolver.resolutions();
    let (names, remap) = resolver.finish();
    // Every set a row names was resolved above.
    let of_set = |set: LabelSetId| resolved[set.0 as usize].unwrap_or_default();
    let log_res = |row: usize| {
        let r = of_set(ds.logs.resource[row]);
        if r.service.is_none() {
            of_set(ds.logs.metadata[row])
        } else {
            r
        }
    };
    let sid = |r: &Resolution| r.service.map(|(p, _)| ServiceId(remap[p as usize]));
    c.span_service = span_res.iter().map(sid).collect();
    c.span_instance = span_res.iter().map(|r| r.instance).collect();
    c.span_peer = span_peer
        .iter()
        .zip(&c.span_service)
        .map(|(p, own)| p.map(|p| ServiceId(remap[p as usize])).filter(|p| Some(*p) != *own))
        .collect();
    c.series_service = series_res.iter().map(sid).collect();
    c.series_instance = series_res.iter().map(|r| r.instance).collect();
    c.log_instance = (0..ds.logs.len()).map(|row| log_res(row).instance).collect();
    c.exemplar_instance = exemplar_res.iter().map(|r| r.instance).collect();

    let mut tally = Tally::default();
    let mut note = |source: SourceId, table: Table, r: &Resolution, fallback: Option<Rule>| {
        let rule = match (r.service, fallback) {
            (Some((_, via)), _) => Rule::Via(via),
            (None, Some(f)) => f,
            (None, None) => Rule::None,
        };
        tally.add((source, table, rule), r.aliased);
    };
    for (row, r) in span_res.iter().enumerate() {
        note(ds.spans.source[row], Table::Spans, r, None);
    }
    for (row, r) in series_res.iter().enumerate() {
        note(ds.series.source[row], Table::Series, r, None);
    }
    c.log_service = OptColumn::with_capacity(ds.logs.len());
    for row in 0..ds.logs.len() {
        let r = &log_res(row);
        let from_span = c.log_span_row.get(row).and_then(|s| c.span_service[s as usize]);
        note(ds.logs.source[row], Table::Logs, r, from_span.map(|_| Rule::JoinedSpan));
        c.log_service.push(sid(r).or(from_span));
    }
    c.exemplar_service = Vec::with_capacity(exemplar_res.len());
    for (row, r) in exemplar_res.iter().enumerate() {
        let from_series = ds.exemplars.series[row].and_then(|s| c.series_service.get(s as usize).copied().flatten());
        note(ds.exemplars.source[row], Table::Exemplars, r, from_series.map(|_| Rule::OwnSeries));
        c.exemplar_service.push(sid(r).or(from_series));
    }
    c.identity = tally.finish();

    let mut instances: Vec<Vec<Sym>> = vec![Vec::new(); names.len()];
    let spans = c.span_service.iter().copied().zip(c.span_instance.iter().copied());
    let logs = c.log_service.iter().zip(c.log_instance.iter());
    let series = c.series_service.iter().copied().zip(c.series_instance.iter().copied());
    for (s, i) in spans.chain(logs).chain(series) {
        if let (Some(s), Some(i)) = (s, i) {
            instances[s.0 as usize].push(i);
        }
    }
    c.services = names
        .into_iter()
        .zip(instances)
        .map(|(name, mut inst)| {
            inst.sort_unstable();
            inst.dedup();
            inst.sort_by(|a, b| ds.strings.resolve(*a).cmp(ds.strings.resolve(*b)));
            Service { name, instances: inst }
        })
        .collect();
}
