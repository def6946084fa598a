//! Ranking against the comings and goings of a healthy system: a batch job that runs and
//! finishes, a rollout replacing a pod. What an instance no longer does after it left cleanly
//! is not evidence of a fault; an instance that left while its service fails keeps its evidence.

mod common;

use common::{Incident, Instance, MS, S};
use rootspan_core::model::{Level, SourceId, SpanKind};
use rootspan_core::rank::{Candidate, RankOptions};
use rootspan_core::SpanId;

struct Builder {
    incident: Incident,
    next_trace: u128,
}

impl Builder {
    fn new() -> Builder {
        Builder { incident: Incident::default(), next_trace: 1 }
    }

    /// A 10 ms span of `instance`'s one operation.
    fn span(&mut self, trace: u128, parent: Option<SpanId>, who: Instance, kind: SpanKind, start: i64, failed: bool) -> SpanId {
        let operation = format!("{} work", who.0);
        self.incident.span(trace, parent, who, (&operation, kind), (start, 10 * MS), failed)
    }

    /// A pod's throughput series, a sample every 15 s over `[from, to]`.
    fn throughput(&mut self, (service, pod): (&str, &str), from: i64, to: i64) {
        let ds = &mut self.incident.ds;
        let name = ds.strings.intern("pod_workload_ops");
        let labels = ds.labels([("service", service), ("pod", pod)]);
        ds.series.push(name, labels, SourceId(2), (from..=to).step_by(15 * S as usize).map(|t| (t, 1.0)));
    }

    /// One request at `t`: gateway calls api on `pod`, which logs that it served it.
    fn request(&mut self, t: i64, pod: &str, failed: bool) {
        let trace = self.next_trace;
        self.next_trace += 1;
        let root = self.span(trace, None, ("gateway", "gateway-0"), SpanKind::Server, t, failed);
        let call = self.span(trace, Some(root), ("gateway", "gateway-0"), SpanKind::Client, t + MS, failed);
        let api = self.span(trace, Some(call), ("api", pod), SpanKind::Server, t + 2 * MS, failed);
        self.incident.log(("api", pod), t + 3 * MS, Some((trace, api)), Level::Info, "served order request");
        if failed {
            self.incident.log(("api", pod), t + 4 * MS, Some((trace, api)), Level::Error, "order request failed: invalid state");
        }
    }

    /// One run of a batch job's work at `t`: a root span nobody calls, and its line.
    fn job_run(&mut self, t: i64) {
        let trace = self.next_trace;
        self.next_trace += 1;
        let span = self.span(trace, None, ("export", "export-29001-x"), SpanKind::Server, t, false);
        self.incident.log(("export", "export-29001-x"), t + MS, Some((trace, span)), Level::Info, "exported rows to storage");
    }

    /// A pod's heartbeat line every 5 s over `[from, to)`, outside any span.
    fn heartbeat(&mut self, who: (&str, &str), from: i64, to: i64) {
        for t in (from..to).step_by(5 * S as usize) {
            self.incident.log(who, t, None, Level::Info, "health check ok");
        }
    }

    fn rank(self) -> Vec<Candidate> {
        self.incident.rank(&RankOptions::default())
    }
}

/// A candidate's raw value in one component (0 when the service is not listed).
fn raw(candidates: &[Candidate], service: &str, component: &str) -> f64 {
    candidates.iter().find(|c| c.service == service).and_then(|c| c.components.iter().find(|x| x.name == component)).map_or(0.0, |x| x.raw)
}

/// Steady traffic through gateway and api (pod `api-0`) for 240 s, one request a second.
fn steady() -> Builder {
    let mut b = Builder::new();
    for i in 0..240 {
        b.request(i * S, "api-0", false);
    }
    b.heartbeat(("api", "api-0"), 0, 240 * S);
    b
}

/// A batch job that runs from 30 s to 90 s of the baseline, twice a second, then exits.
fn with_job(mut b: Builder, fatal_end: bool) -> Builder {
    for i in 0..120 {
        b.job_run(30 * S + i * S / 2);
    }
    b.heartbeat(("export", "export-29001-x"), 30 * S, 90 * S);
    b.throughput(("export", "export-29001-x"), 30 * S, 90 * S);
    if fatal_end {
        b.incident.log(("export", "export-29001-x"), 90 * S, None, Level::Critical, "fatal: cannot write to storage, exiting");
    }
    b
}

#[test]
fn a_batch_job_that_finished_is_not_an_outage() {
    let ranked = with_job(steady(), false).rank();
    for component in ["trace_volume_drop", "log_missing", "metric_throughput"] {
        assert_eq!(raw(&ranked, "export", component), 0.0, "{component}: {ranked:#?}");
    }
}

#[test]
fn a_job_that_ends_on_a_fatal_line_did_not_finish() {
    let ranked = with_job(steady(), true).rank();
    assert!(raw(&ranked, "export", "trace_volume_drop") > 3.0, "{ranked:#?}");
    assert!(raw(&ranked, "export", "metric_throughput") > 3.0, "{ranked:#?}");
}

/// Api's pod `api-old` serves until 150 s, `api-new` from then on; the new pod fails every
/// request when `bad` (a bad deploy, not a rollout).
fn rollout(bad: bool) -> Vec<Candidate> {
    let mut b = Builder::new();
    for i in 0..240 {
        let new = i >= 150;
        b.request(i * S, if new { "api-new" } else { "api-old" }, bad && new);
    }
    b.heartbeat(("api", "api-old"), 0, 150 * S);
    b.heartbeat(("api", "api-new"), 150 * S, 240 * S);
    b.throughput(("api", "api-old"), 0, 150 * S);
    b.throughput(("api", "api-new"), 150 * S, 240 * S);
    b.rank()
}

#[test]
fn a_rollout_is_not_an_outage_of_the_old_pod() {
    let ranked = rollout(false);
    for component in ["trace_volume_drop", "log_missing", "metric_throughput"] {
        assert_eq!(raw(&ranked, "api", component), 0.0, "{component}: {ranked:#?}");
    }
}

#[test]
fn a_rollout_whose_new_pod_fails_keeps_the_old_pods_evidence() {
    let ranked = rollout(true);
    assert_eq!(ranked[0].service, "api", "{ranked:#?}");
    assert!(raw(&ranked, "api", "trace_volume_drop") > 3.0, "{ranked:#?}");
    assert!(raw(&ranked, "api", "log_missing") > 0.0, "{ranked:#?}");
}

#[test]
fn a_job_running_only_in_the_window_leaves_no_one_short_of_requests() {
    let mut b = steady();
    for i in 0..120 {
        b.job_run(150 * S + i * S / 2);
    }
    let ranked = b.rank();
    assert_eq!(raw(&ranked, "api", "trace_volume_drop"), 0.0, "{ranked:#?}");
    assert_eq!(raw(&ranked, "gateway", "trace_volume_drop"), 0.0, "{ranked:#?}");
}
