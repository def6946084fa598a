//! Node candidates: the host under several services' instances, when those instances degrade
//! together and the same services' instances on other nodes do not. That is how an SRE reads
//! a node failure (or a noisy neighbour, a full disk): no service is at fault, the machine
//! under some of their replicas is. A service fault degrades its replicas on every node, and
//! its callers' instances wherever they run; a node fault stops at the node's edge.

use std::collections::{BTreeMap, BTreeSet};

use super::view::View;
use crate::base::TimeRange;

/// Labels naming the node (host) a row's emitter runs on: the OpenTelemetry resource
/// attribute and the labels Kubernetes service discovery gives Loki streams and Prometheus
/// series.
const NODE_LABELS: [&str; 4] = ["k8s.node.name", "k8s_node_name", "node", "kubernetes_node_name"];
/// Rows an instance must have written in the baseline, and be due in its silence, for the
/// silence to mean it stopped rather than that it is quiet.
const MIN_ROWS: f64 = 10.0;
/// A node's pods stop within one scrape or two of each other (15-30 s): their last rows lie
/// this close together. Stops further apart are separate events (a rollout, a job ending).
const TOGETHER_NS: i64 = 30_000_000_000;

/// One node whose instances of several services stopped together.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeFinding {
    pub node: String,
    /// The instances that stopped (indexes into `View::instances`), in name order.
    pub instances: Vec<usize>,
    /// When the first of them fell silent (its last row).
    pub since_ns: i64,
}

/// The node each instance runs on, when its rows name exactly one.
pub fn instance_nodes(v: &View) -> Vec<Option<String>> {
    let mut seen: Vec<Option<Option<&str>>> = vec![None; v.instances.len()];
    let mut note = |instance: Option<usize>, labels: crate::model::LabelSetId| {
        let Some(i) = instance else { return };
        let Some(node) = NODE_LABELS.iter().find_map(|k| v.ds.label(labels, k)) else { return };
        seen[i] = match seen[i] {
            None => Some(Some(node)),
            Some(Some(n)) if n == node => Some(Some(n)),
            // Rows naming two nodes (a pod name reused elsewhere): no node.
            Some(_) => Some(None),
        };
    };
    for r in 0..v.ds.spans.len() {
        note(v.span_instance[r], v.ds.spans.resource[r]);
    }
    for r in 0..v.ds.logs.len() {
        note(v.log_instance(r), v.ds.logs.resource[r]);
    }
    for s in 0..v.ds.series.len() {
        note(v.series_instance[s], v.ds.series.labels[s]);
    }
    seen.into_iter().map(|n| n.flatten().map(str::to_string)).collect()
}

/// What one instance wrote: rows in the baseline, and when it went quiet: the time by which
/// half its channels (its spans, its log lines, each of its series) had written their last
/// row up to the window's end. A pod that is gone leaves a series or two another component
/// keeps reporting (kube-state-metrics' restart counter); its own telemetry stops.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Activity {
    pub baseline_rows: f64,
    pub last_ns: Option<i64>,
}

/// Every instance's activity.
pub fn activity(v: &View, window: TimeRange, baseline: TimeRange) -> Vec<Activity> {
    let mut rows = vec![0.0; v.instances.len()];
    let mut lasts: Vec<Vec<i64>> = vec![Vec::new(); v.instances.len()];
    // One channel's last row up to the window's end, counting its baseline rows.
    let mut channel = |instance: Option<usize>, times: &mut dyn Iterator<Item = i64>| {
        let i = instance?;
        let mut last = None;
        for t in times {
            if baseline.contains(t) {
                rows[i] += 1.0;
            }
            if t <= window.end_ns && last.is_none_or(|l| t > l) {
                last = Some(t);
            }
        }
        last.map(|l| (i, l))
    };
    let mut found = Vec::new();
    let (mut span_last, mut log_last) = (vec![None; v.instances.len()], vec![None; v.instances.len()]);
    for r in 0..v.ds.spans.len() {
        let end = v.ds.spans.start_ns[r].saturating_add(v.ds.spans.duration_ns[r].max(0));
        if let Some((i, l)) = channel(v.span_instance[r], &mut std::iter::once(end)) {
            span_last[i] = Some(span_last[i].map_or(l, |x: i64| x.max(l)));
        }
    }
    for r in 0..v.ds.logs.len() {
        if let Some((i, l)) = channel(v.log_instance(r), &mut std::iter::once(v.ds.logs.time_ns[r])) {
            log_last[i] = Some(log_last[i].map_or(l, |x: i64| x.max(l)));
        }
    }
    for s in 0..v.ds.series.len() {
        found.extend(channel(v.series_instance[s], &mut v.ds.series.points(s).0.iter().copied()));
    }
    found.extend(span_last.into_iter().enumerate().filter_map(|(i, l)| l.map(|l| (i, l))));
    found.extend(log_last.into_iter().enumerate().filter_map(|(i, l)| l.map(|l| (i, l))));
    for (i, l) in found {
        lasts[i].push(l);
    }
    rows.into_iter()
        .zip(lasts)
        .map(|(baseline_rows, mut l)| {
            l.sort_unstable();
            Activity { baseline_rows, last_ns: l.get(l.len() / 2).copied() }
        })
        .collect()
}

/// Whether an instance that wrote in the baseline fell silent for the second half of the
/// window or more, with enough rows due in that silence to tell a stop from a lull.
fn stopped(a: &Activity, window: TimeRange, baseline_ns: i64) -> bool {
    let Some(last) = a.last_ns else { return false };
    let silent = window.end_ns.saturating_sub(last.max(window.start_ns));
    let due = if baseline_ns > 0 { a.baseline_rows * silent as f64 / baseline_ns as f64 } else { 0.0 };
    a.baseline_rows >= MIN_ROWS && silent >= window.duration_ns() / 2 && due >= MIN_ROWS
}

/// Nodes where instances of two or more services stopped together while most instances on
/// other nodes kept reporting and no replica of those services stopped with them: the node,
/// not a service, went away.
/// `nodes` and `service_of` are per instance, like `acts`.
pub fn find(acts: &[Activity], nodes: &[Option<String>], service_of: &[usize], window: TimeRange, baseline_ns: i64) -> Vec<NodeFinding> {
    let stop: Vec<Option<i64>> = acts.iter().map(|a| a.last_ns.filter(|_| stopped(a, window, baseline_ns))).collect();
    let mut by_node: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, n) in nodes.iter().enumerate() {
        if let (Some(n), Some(_)) = (n, stop[i]) {
            by_node.entry(n.as_str()).or_default().push(i);
        }
    }
    let mut out = Vec::new();
    for (node, mut members) in by_node {
        members.sort_by_key(|i| (stop[*i], *i));
        // The largest set of the node's stops within TOGETHER_NS of each other.
        let mut best: &[usize] = &[];
        for a in 0..members.len() {
            let first = stop[members[a]].unwrap_or(0);
            let b = members[a..].iter().take_while(|i| stop[**i].unwrap_or(0) - first <= TOGETHER_NS).count();
            if b > best.len() {
                best = &members[a..a + b];
            }
        }
        let since = best.first().and_then(|i| stop[*i]).unwrap_or(0);
        let services: BTreeSet<usize> = best.iter().map(|i| service_of[*i]).collect();
        // None of those services may stop on another node with them (a rollout, a scale-down),
        // and most instances on other nodes must keep reporting (else the data ended).
        let elsewhere: Vec<usize> = (0..acts.len()).filter(|j| nodes[*j].as_deref().is_some_and(|n| n != node)).collect();
        let with_them = |j: &usize| stop[*j].is_some_and(|t| (t - since).abs() <= TOGETHER_NS);
        let stopped_too = elsewhere.iter().any(|j| services.contains(&service_of[*j]) && with_them(j));
        let quiet = elsewhere.iter().filter(|j| with_them(j) || acts[**j].last_ns.is_none_or(|t| t <= since + TOGETHER_NS)).count();
        let kept = elsewhere.len() > 2 * quiet;
        // A failed node takes every pod on it: when most of the node's busy instances keep
        // reporting, the stops are the pods' own events (a crash, a replica replaced) that
        // happen to share a node.
        let busy = (0..acts.len()).filter(|j| nodes[*j].as_deref() == Some(node) && acts[*j].baseline_rows >= MIN_ROWS).count();
        let most = 2 * best.len() > busy;
        if services.len() >= 2 && !stopped_too && kept && most {
            let mut instances = best.to_vec();
            instances.sort_unstable();
            out.push(NodeFinding { node: node.to_string(), instances, since_ns: since });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;
    // Baseline 0-300 s, window 300-600 s.
    const W: TimeRange = TimeRange { start_ns: 300 * S, end_ns: 600 * S };

    fn on(n: &str) -> Option<String> {
        Some(n.to_string())
    }

    /// An instance that wrote 100 rows in the baseline and last wrote at `last` s.
    fn until(last: i64) -> Activity {
        Activity { baseline_rows: 100.0, last_ns: Some(last * S) }
    }

    #[test]
    fn two_services_stopping_together_on_one_node_name_the_node() {
        // Services 0 and 1 have a replica on each node; 2 runs on n2 only. n1's pods stop at 320 s.
        let nodes = [on("n1"), on("n2"), on("n1"), on("n2"), on("n2")];
        let acts = [until(320), until(599), until(325), until(598), until(600)];
        let found = find(&acts, &nodes, &[0, 0, 1, 1, 2], W, 300 * S);
        assert_eq!(found, vec![NodeFinding { node: "n1".into(), instances: vec![0, 2], since_ns: 320 * S }]);
    }

    #[test]
    fn a_service_stopping_on_every_node_is_no_node_fault() {
        // Service 0 is scaled down everywhere at once; service 1's pod on n1 goes with it.
        let nodes = [on("n1"), on("n2"), on("n1"), on("n2")];
        let acts = [until(320), until(322), until(321), until(599)];
        assert!(find(&acts, &nodes, &[0, 0, 1, 1], W, 300 * S).is_empty());
    }

    #[test]
    fn stops_minutes_apart_or_of_one_service_are_not_a_node() {
        let nodes = [on("n1"), on("n1"), on("n2"), on("n1")];
        // A job ending at 320 s and another pod replaced at 450 s on the same node.
        let apart = [until(320), until(450), until(599), until(599)];
        assert!(find(&apart, &nodes, &[0, 1, 1, 2], W, 300 * S).is_empty());
        // Two replicas of one service stopping together: that service's own event.
        let one = [until(320), until(321), until(599), until(599)];
        assert!(find(&one, &nodes, &[0, 0, 1, 2], W, 300 * S).is_empty());
    }

    #[test]
    fn stops_everywhere_at_once_are_not_a_node() {
        // Every instance's data ends at once: the data ended, not the node.
        let nodes = [on("n1"), on("n1"), on("n2"), on("n3")];
        let acts = [until(320), until(321), until(322), until(320)];
        assert!(find(&acts, &nodes, &[0, 1, 2, 3], W, 300 * S).is_empty());
        // The same services, with the other nodes reporting on: the node.
        let acts = [until(320), until(321), until(599), until(599)];
        assert_eq!(find(&acts, &nodes, &[0, 1, 2, 3], W, 300 * S).len(), 1);
    }

    #[test]
    fn some_of_a_nodes_instances_stopping_are_not_the_node() {
        // n1 runs four busy pods; two of them (services 0 and 1, each with a replica on n2
        // that keeps reporting) stop together, the other two keep reporting.
        let nodes = [on("n1"), on("n1"), on("n1"), on("n1"), on("n2"), on("n2")];
        let service_of = [0, 1, 2, 3, 0, 1];
        let two = [until(320), until(321), until(599), until(599), until(599), until(599)];
        assert!(find(&two, &nodes, &service_of, W, 300 * S).is_empty());
        // Three of the four stop: most of the node went away.
        let three = [until(320), until(321), until(322), until(599), until(599), until(599)];
        assert_eq!(find(&three, &nodes, &service_of, W, 300 * S).len(), 1);
    }

    #[test]
    fn a_quiet_instance_is_not_a_stopped_one() {
        // Three rows in the baseline: silence in the window is no news. Both services have
        // a replica on n2 that keeps reporting.
        let quiet = Activity { baseline_rows: 3.0, last_ns: Some(320 * S) };
        let nodes = [on("n1"), on("n1"), on("n2"), on("n2")];
        let service_of = [0, 1, 0, 1];
        assert!(find(&[quiet, until(320), until(599), until(599)], &nodes, &service_of, W, 300 * S).is_empty());
        // The same with a busy instance: the node.
        assert_eq!(find(&[until(320), until(320), until(599), until(599)], &nodes, &service_of, W, 300 * S).len(), 1);
    }
}
