//! The report's `correlation` section: join rates, the identity mapping, services, the
//! service graph and the repairs, computed from a `Correlation`.

use serde::{Deserialize, Serialize};

use crate::id::TraceId;
use crate::model::Dataset;

use super::graph::EdgeReport;
use super::identity::Via;
use super::repair::RepairReport;
use super::{Correlation, IdOrigin, Rule, Table};

/// The report's `correlation` section.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CorrelationReport {
    /// Traces, and which signals they have.
    pub traces: TraceCounts,
    /// How many log records found their trace, and where their ids came from.
    pub logs: LogJoin,
    /// How many exemplars found their trace.
    pub exemplars: ExemplarJoin,
    /// Trace ids named by logs or exemplars that no span carries.
    pub unmatched_trace_ids: Unmatched,
    /// How rows were mapped to services.
    pub identity: IdentityReport,
    /// Every service, by name.
    pub services: Vec<ServiceReport>,
    /// The service call graph, by caller then callee.
    pub service_graph: Vec<EdgeReport>,
    /// Broken traces and what was done about them.
    pub repairs: RepairReport,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TraceCounts {
    /// Distinct trace ids in spans, logs and exemplars.
    pub total: u64,
    /// Traces with at least one span.
    pub with_spans: u64,
    /// Traces named by at least one log record.
    pub with_logs: u64,
    /// Traces named by at least one exemplar.
    pub with_exemplars: u64,
    /// Traces with spans and at least one log record.
    pub with_spans_and_logs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LogJoin {
    /// All log records.
    pub records: u64,
    /// Records with a trace id, wherever it came from.
    pub with_trace_id: u64,
    /// Where the trace ids came from.
    pub trace_id_from: IdOrigins,
    /// Records with a span id.
    pub with_span_id: u64,
    /// Records whose trace has spans.
    pub joined: u64,
    /// Records whose span is among their trace's spans.
    pub joined_to_span: u64,
    /// `joined / records`; absent when there are no records.
    pub join_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IdOrigins {
    /// A first-class field of the source (OTLP `traceId`).
    pub field: u64,
    /// Structured metadata or an extra field named in `trace_id_fields`.
    pub metadata: u64,
    /// A stream or resource label named in `trace_id_fields`.
    pub labels: u64,
    /// The log body.
    pub body: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExemplarJoin {
    /// All exemplars.
    pub exemplars: u64,
    /// Exemplars with a trace id, given by the source or found in their labels.
    pub with_trace_id: u64,
    /// Exemplars whose trace has spans.
    pub joined: u64,
    /// `joined / exemplars`; absent when there are no exemplars.
    pub join_rate: Option<f64>,
}

/// How many examples of unmatched trace ids the report lists.
pub const MAX_UNMATCHED_EXAMPLES: usize = 5;

#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Unmatched {
    /// Distinct trace ids found in logs that no span carries.
    pub from_logs: u64,
    /// Distinct trace ids of exemplars that no span carries.
    pub from_exemplars: u64,
    /// The smallest such ids, at most `MAX_UNMATCHED_EXAMPLES`, as 32 lowercase hex digits.
    #[cfg_attr(feature = "schema", schemars(with = "Vec<String>"))]
    pub examples: Vec<TraceId>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IdentityReport {
    /// The service labels tried, in order (`options.correlation.service_labels`).
    pub service_labels: Vec<String>,
    /// The labels read as pod names and mapped to workloads.
    pub pod_labels: Vec<String>,
    /// Rows per input, table and rule, by input order, table, then rule.
    pub rules: Vec<IdentityRule>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IdentityRule {
    /// The input's name.
    pub input: String,
    /// Which of its rows.
    pub table: Table,
    /// The label that named the service (`service.name`); `pod (workload)` for a pod label;
    /// `service.name (placeholder)` for an `unknown_service` value; `(joined span)` for a log
    /// record named by the span it belongs to; `(own series)` for an exemplar named by its
    /// series; `(none)` for rows without a service.
    pub rule: String,
    /// Rows named by this rule.
    pub rows: u64,
    /// Of those rows, how many had their name changed by `service_aliases`.
    pub aliased: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ServiceReport {
    pub name: String,
    /// Instance names (pods, hosts, scrape targets), sorted.
    pub instances: Vec<String>,
    /// Span rows of the service, duplicates included.
    pub spans: u64,
    /// Spans with error status.
    pub error_spans: u64,
    /// Log records of the service.
    pub logs: u64,
    /// Metric series of the service.
    pub series: u64,
    /// Exemplars of the service.
    pub exemplars: u64,
}

fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl Correlation {
    pub fn report(&self, ds: &Dataset) -> CorrelationReport {
        let t = &self.traces;
        let has_spans = |i: Option<u32>| i.is_some_and(|i| !t.spans(i as usize).is_empty());
        let traces = TraceCounts {
            total: t.len() as u64,
            with_spans: (0..t.len()).filter(|i| !t.spans(*i).is_empty()).count() as u64,
            with_logs: (0..t.len()).filter(|i| !t.logs(*i).is_empty()).count() as u64,
            with_exemplars: (0..t.len()).filter(|i| !t.exemplars(*i).is_empty()).count() as u64,
            with_spans_and_logs: (0..t.len()).filter(|i| !t.spans(*i).is_empty() && !t.logs(*i).is_empty()).count() as u64,
        };
        let origin = |o: IdOrigin| self.log_origins.get(&o).copied().unwrap_or(0);
        let records = self.log_trace_index.len() as u64;
        let joined = self.log_trace_index.iter().filter(|i| has_spans(*i)).count() as u64;
        let logs = LogJoin {
            records,
            with_trace_id: self.log_trace_index.iter().flatten().count() as u64,
            trace_id_from: IdOrigins {
                field: origin(IdOrigin::Field),
                metadata: origin(IdOrigin::Metadata),
                labels: origin(IdOrigin::Labels),
                body: origin(IdOrigin::Body),
            },
            with_span_id: self.logs_with_span_id,
            joined,
            joined_to_span: self.log_span_row.iter().flatten().count() as u64,
            join_rate: rate(joined, records),
        };
        let ex_joined = self.exemplar_trace_index.iter().filter(|i| has_spans(**i)).count() as u64;
        let exemplars = ExemplarJoin {
            exemplars: self.exemplar_trace.len() as u64,
            with_trace_id: self.exemplar_trace.iter().flatten().count() as u64,
            joined: ex_joined,
            join_rate: rate(ex_joined, self.exemplar_trace.len() as u64),
        };
        let spanless: Vec<usize> = (0..t.len()).filter(|i| t.spans(*i).is_empty()).collect();
        let unmatched = Unmatched {
            from_logs: spanless.iter().filter(|i| !t.logs(**i).is_empty()).count() as u64,
            from_exemplars: spanless.iter().filter(|i| !t.exemplars(**i).is_empty()).count() as u64,
            examples: spanless.iter().take(MAX_UNMATCHED_EXAMPLES).map(|i| t.ids[*i]).collect(),
        };
        let o = &self.options;
        let rule_name = |rule: Rule| match rule {
            Rule::Via(Via::Label(i)) if o.pod_labels.contains(&o.service_labels[i]) => format!("{} (workload)", o.service_labels[i]),
            Rule::Via(Via::Label(i)) => o.service_labels[i].clone(),
            Rule::Via(Via::Placeholder(i)) => format!("{} (placeholder)", o.service_labels[i]),
            Rule::JoinedSpan => "(joined span)".to_string(),
            Rule::OwnSeries => "(own series)".to_string(),
            Rule::None => "(none)".to_string(),
        };
        let identity = IdentityReport {
            service_labels: o.service_labels.clone(),
            pod_labels: o.pod_labels.clone(),
            rules: self
                .identity
                .iter()
                .map(|((source, table, rule), (rows, aliased))| IdentityRule {
                    input: ds.sources.get(source.0 as usize).map_or_else(|| "(unknown input)".to_string(), |s| s.input.clone()),
                    table: *table,
                    rule: rule_name(*rule),
                    rows: *rows,
                    aliased: *aliased,
                })
                .collect(),
        };
        let mut counts = vec![[0u64; 5]; self.services.len()];
        for (row, s) in self.span_service.iter().enumerate() {
            if let Some(s) = s {
                counts[s.0 as usize][0] += 1;
                counts[s.0 as usize][1] += u64::from(ds.spans.status[row] == crate::model::SpanStatus::Error);
            }
        }
        let log_rows = self.log_service.iter().map(|s| (2, s));
        let series_rows = self.series_service.iter().map(|s| (3, *s));
        let exemplar_rows = self.exemplar_service.iter().map(|s| (4, *s));
        for (k, s) in log_rows.chain(series_rows).chain(exemplar_rows) {
            if let Some(s) = s {
                counts[s.0 as usize][k] += 1;
            }
        }
        let services = self
            .services
            .iter()
            .zip(counts)
            .map(|(s, [spans, error_spans, logs, series, exemplars])| ServiceReport {
                name: s.name.clone(),
                instances: s.instances.iter().map(|i| ds.strings.resolve(*i).to_string()).collect(),
                spans,
                error_spans,
                logs,
                series,
                exemplars,
            })
            .collect();
        let names: Vec<String> = self.services.iter().map(|s| s.name.clone()).collect();
        CorrelationReport {
            traces,
            logs,
            exemplars,
            unmatched_trace_ids: unmatched,
            identity,
            services,
            service_graph: self.graph.report(ds, &names, &self.span_service, &self.span_parent),
            repairs: RepairReport::from_notes(&ds.spans, &self.repairs),
        }
    }
}
