//! The service call graph: an edge caller -> callee for every span whose parent (after
//! repair) belongs to another service, with calls, errors and latency per edge and per
//! callee operation.
//!
//! With OpenTelemetry's client/server pairs the edge is found at the server span, whose
//! parent is the caller's client span. The difference between the two durations, the
//! caller-side gap, is time spent between the services (network, queues, connection pools):
//! the one place a network delay shows (research/rca-notes.md), so it is kept per edge.
//!
//! A client or producer span that names its peer (`CorrelateOptions::peer_labels`) but has no
//! span of another service below it is a call with no callee span: an uninstrumented
//! database or cache, or a refused connection. It makes an edge too, whose row is the
//! caller's own span (its latency is the caller's view; there is no gap to measure).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Dataset, SpanKind, SpanStatus};

use super::ServiceId;

/// One edge of the graph. Its calls are the child span rows `Correlation::edge_spans(e)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// The service of the parent spans.
    pub caller: ServiceId,
    /// The service of the child spans.
    pub callee: ServiceId,
    start: u32,
    end: u32,
}

/// Edges sorted by (caller, callee) (service ids follow name order), and their span rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceGraph {
    pub edges: Vec<Edge>,
    rows: Vec<u32>,
}

impl ServiceGraph {
    /// Builds the graph from every kept span with a parent in another service, and every
    /// call to a peer that no span of the peer answers.
    pub fn build(
        span_service: &[Option<ServiceId>],
        peer: &[Option<ServiceId>],
        parent: &[Option<u32>],
        duplicate: &[bool],
    ) -> ServiceGraph {
        let mut calls: Vec<(ServiceId, ServiceId, u32)> = Vec::new();
        let mut answered = vec![false; parent.len()];
        for (row, p) in parent.iter().enumerate() {
            let Some(p) = p else { continue };
            if duplicate[row] {
                continue;
            }
            if let (Some(caller), Some(callee)) = (span_service[*p as usize], span_service[row]) {
                if caller != callee {
                    calls.push((caller, callee, row as u32));
                    answered[*p as usize] = true;
                }
            }
        }
        for (row, callee) in peer.iter().enumerate() {
            if let (Some(callee), Some(caller), false, false) = (callee, span_service[row], answered[row], duplicate[row]) {
                calls.push((caller, *callee, row as u32));
            }
        }
        calls.sort_unstable();
        let mut g = ServiceGraph { edges: Vec::new(), rows: calls.iter().map(|c| c.2).collect() };
        let mut i = 0;
        while i < calls.len() {
            let (caller, callee) = (calls[i].0, calls[i].1);
            let start = i;
            while i < calls.len() && (calls[i].0, calls[i].1) == (caller, callee) {
                i += 1;
            }
            g.edges.push(Edge { caller, callee, start: start as u32, end: i as u32 });
        }
        g
    }

    /// The span rows of edge `e`, ascending: callee-side spans, or the caller's own span for
    /// a call no callee span answers.
    pub fn spans(&self, e: usize) -> &[u32] {
        let edge = &self.edges[e];
        &self.rows[edge.start as usize..edge.end as usize]
    }

    pub fn report(&self, ds: &Dataset, services: &[String], span_service: &[Option<ServiceId>], parent: &[Option<u32>]) -> Vec<EdgeReport> {
        let spans = &ds.spans;
        (0..self.edges.len())
            .map(|e| {
                let edge = self.edges[e];
                let rows = self.spans(e);
                // The caller-side span of a call: the row's parent, or the row itself when
                // no callee span answered.
                let caller_side = |r: u32| match span_service[r as usize] == Some(edge.caller) {
                    true => None,
                    false => parent[r as usize].map(|p| p as usize).filter(|p| is_caller_side(spans.kind[*p])),
                };
                let failed = |r: u32| {
                    spans.status[r as usize] == SpanStatus::Error || caller_side(r).is_some_and(|p| spans.status[p] == SpanStatus::Error)
                };
                let gap = |r: u32| caller_side(r).map(|p| spans.duration_ns[p].saturating_sub(spans.duration_ns[r as usize]));
                let mut by_op: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
                for &r in rows {
                    by_op.entry(ds.strings.resolve(spans.operation[r as usize])).or_default().push(r);
                }
                let stats = |rows: &[u32]| CallStats {
                    calls: rows.len() as u64,
                    errors: rows.iter().filter(|r| failed(**r)).count() as u64,
                    latency_ns: Latency::of(rows.iter().map(|r| spans.duration_ns[*r as usize]).collect())
                        .expect("every edge and operation has a call"),
                    gap_ns: Latency::of(rows.iter().filter_map(|r| gap(*r)).collect()),
                };
                EdgeReport {
                    caller: services[edge.caller.0 as usize].clone(),
                    callee: services[edge.callee.0 as usize].clone(),
                    stats: stats(rows),
                    operations: by_op
                        .into_iter()
                        .map(|(op, rows)| OperationStats { operation: op.to_string(), stats: stats(&rows) })
                        .collect(),
                }
            })
            .collect()
    }
}

/// A span that makes the call: its duration includes the time between the services.
fn is_caller_side(kind: SpanKind) -> bool {
    matches!(kind, SpanKind::Client | SpanKind::Producer)
}

/// An edge of the service graph in the report.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EdgeReport {
    /// The calling service (of the parent spans).
    pub caller: String,
    /// The called service (of the child spans).
    pub callee: String,
    #[serde(flatten)]
    pub stats: CallStats,
    /// The same figures per callee operation, by operation name.
    pub operations: Vec<OperationStats>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OperationStats {
    /// The callee span's operation name.
    pub operation: String,
    #[serde(flatten)]
    pub stats: CallStats,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CallStats {
    /// Callee spans whose parent is in the caller service, and the caller's calls to a peer
    /// that no callee span answered.
    pub calls: u64,
    /// Calls whose callee span, or the caller's client span, has error status.
    pub errors: u64,
    /// Callee span durations.
    pub latency_ns: Latency,
    /// Caller's client (or producer) span duration minus the callee span duration, for calls
    /// made through such a span: the time spent between the two services. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap_ns: Option<Latency>,
}

/// A distribution of durations, in ns. Percentiles are nearest-rank.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Latency {
    /// Median.
    pub p50: i64,
    /// 95th percentile.
    pub p95: i64,
    /// Largest value.
    pub max: i64,
    /// Arithmetic mean.
    pub mean: f64,
}

impl Latency {
    pub fn of(mut values: Vec<i64>) -> Option<Latency> {
        if values.is_empty() {
            return None;
        }
        values.sort_unstable();
        let rank = |q: usize| values[(values.len() * q).div_ceil(100).max(1) - 1];
        let sum: i128 = values.iter().map(|v| i128::from(*v)).sum();
        Some(Latency { p50: rank(50), p95: rank(95), max: values[values.len() - 1], mean: sum as f64 / values.len() as f64 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let l = Latency::of((1..=100).collect()).unwrap();
        assert_eq!((l.p50, l.p95, l.max, l.mean), (50, 95, 100, 50.5));
        let one = Latency::of(vec![7]).unwrap();
        assert_eq!((one.p50, one.p95, one.max), (7, 7, 7));
        assert_eq!(Latency::of(vec![]), None);
    }

    #[test]
    fn edges_cross_services_only() {
        let a = Some(ServiceId(0));
        let b = Some(ServiceId(1));
        // 0: a root, 1: a client child (same service), 2: b server under 1, 3: b internal under 2,
        // 4: a duplicate of 2 (dropped), 5: no service.
        let services = [a, a, b, b, b, None];
        let parent = [None, Some(0), Some(1), Some(2), Some(1), Some(2)];
        let dup = [false, false, false, false, true, false];
        let g = ServiceGraph::build(&services, &[None; 6], &parent, &dup);
        assert_eq!(g.edges.len(), 1);
        assert_eq!((g.edges[0].caller, g.edges[0].callee), (ServiceId(0), ServiceId(1)));
        assert_eq!(g.spans(0), &[2]);
    }

    #[test]
    fn unanswered_peer_calls_make_edges() {
        let (a, b, db) = (Some(ServiceId(0)), Some(ServiceId(1)), Some(ServiceId(2)));
        // 0: a root; 1: a client to b, answered by 2 (b server); 3: a client to db, no span below.
        let services = [a, a, b, a];
        let peer = [None, b, None, db];
        let parent = [None, Some(0), Some(1), Some(0)];
        let g = ServiceGraph::build(&services, &peer, &parent, &[false; 4]);
        let edges: Vec<_> = g.edges.iter().map(|e| (e.caller, e.callee)).collect();
        assert_eq!(edges, vec![(ServiceId(0), ServiceId(1)), (ServiceId(0), ServiceId(2))]);
        assert_eq!((g.spans(0), g.spans(1)), (&[2][..], &[3][..]));
    }
}
