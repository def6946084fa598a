//! Ranking on hand-built incidents: each fault family shows in its own signal, and the
//! ranking names the faulty service first, explains why, and ranks callers below it.

mod common;

use common::{Incident, MS, S};
use rootspan_core::model::{Level, SpanKind};
use rootspan_core::rank::{Candidate, RankOptions, Signal};

/// What goes wrong in the window.
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    None,
    /// `db` answers late on the wire: callers wait, its own spans do not grow.
    NetworkDelay,
    /// `db` fails; its callers fail too because of it.
    Errors,
    /// `db` stops writing its usual "row found" line.
    MissingLog,
    /// The uninstrumented cache `api` calls refuses connections: only `api`'s client spans
    /// (naming it as their peer) and `api`'s error lines show it.
    CacheDown,
    /// `db` answers in 1.5 s; `api` gives up on it after 1 s and fails, `db`'s span succeeds.
    Timeout,
}

/// gateway -> api -> db, each one pod (`<service>-0`).
#[derive(Default)]
struct Builder(Incident);

impl Builder {
    fn span(
        &mut self,
        trace: u128,
        parent: Option<rootspan_core::SpanId>,
        (service, op, kind): (&str, &str, SpanKind),
        time: (i64, i64),
        failed: bool,
    ) -> rootspan_core::SpanId {
        self.0.span(trace, parent, (service, &format!("{service}-0")), (op, kind), time, failed)
    }

    fn log(&mut self, service: &str, time: i64, trace: u128, span: rootspan_core::SpanId, level: Level, body: &str) {
        self.0.log((service, &format!("{service}-0")), time, Some((trace, span)), level, body);
    }

    /// One request: gateway -> api -> db, at `t`, with `fault` applied.
    fn request(&mut self, trace: u128, t: i64, jitter: i64, fault: Fault) {
        let delay = if fault == Fault::NetworkDelay { 200 * MS } else { 0 };
        let failed = fault == Fault::Errors;
        let db_time = (5 + jitter) * MS;
        let root = self.span(trace, None, ("gateway", "GET /order", SpanKind::Server), (t, 30 * MS + db_time + delay), failed);
        let call = self.span(trace, Some(root), ("gateway", "HTTP GET", SpanKind::Client), (t + MS, 25 * MS + db_time + delay), failed);
        let api = self.span(trace, Some(call), ("api", "/order", SpanKind::Server), (t + 2 * MS, 22 * MS + db_time + delay), failed);
        let timeout = fault == Fault::Timeout;
        let api_call = if timeout {
            self.span(trace, Some(api), ("api", "HTTP GET", SpanKind::Client), (t + 3 * MS, 1000 * MS), true)
        } else {
            self.span(trace, Some(api), ("api", "HTTP GET", SpanKind::Client), (t + 3 * MS, 10 * MS + db_time + delay), failed)
        };
        let db_time = if timeout { 1500 * MS } else { db_time };
        let db = self.span(trace, Some(api_call), ("db", "/row", SpanKind::Server), (t + 4 * MS + delay, db_time), failed);
        let cache_down = fault == Fault::CacheDown;
        let cache = self.span(trace, Some(api), ("api", "GET", SpanKind::Client), (t + 3 * MS, MS), cache_down);
        let peer = self.0.ds.labels([("db.system.name", "redis"), ("server.address", "cache.shop.svc:6379")]);
        let last = self.0.ds.spans.len() - 1;
        self.0.ds.spans.attributes[last] = peer;
        if cache_down {
            self.log("api", t + 4 * MS, trace, cache, Level::Error, "cache lookup failed: connection refused");
        }
        self.log("api", t + 2 * MS, trace, api, Level::Info, "handling order request");
        if fault != Fault::MissingLog {
            self.log("db", t + 5 * MS, trace, db, Level::Info, "row found for key");
        }
        if failed {
            self.log("db", t + 6 * MS, trace, db, Level::Error, "connection refused by storage");
            self.log("api", t + 7 * MS, trace, api, Level::Error, "upstream call failed with status 500");
        }
    }
}

/// 120 s of baseline then 120 s of incident, a request every second, ranked.
fn ranked(fault: Fault, options: &RankOptions) -> Vec<Candidate> {
    let mut b = Builder::default();
    for i in 0..240i64 {
        let in_window = i >= 120;
        b.request(i as u128 + 1, i * S, i % 3, if in_window { fault } else { Fault::None });
    }
    b.0.rank(options)
}

fn component(c: &Candidate, name: &str) -> f64 {
    c.components.iter().find(|x| x.name == name).map(|x| x.raw).unwrap()
}

#[test]
fn network_delay_is_the_callee_of_the_edge_gap() {
    let got = ranked(Fault::NetworkDelay, &RankOptions::default());
    assert_eq!(got[0].service, "db", "{got:#?}");
    assert!(component(&got[0], "trace_edge_gap") > 1.0);
    assert!(got[0].why.contains("callers wait"), "{}", got[0].why);
    assert_eq!(got[0].instance.as_deref(), Some("db-0"));
    assert_eq!(got[0].blast_radius, vec!["api".to_string(), "gateway".to_string()]);
    assert!(got[0].evidence.iter().any(|e| matches!(e, rootspan_core::rank::EvidenceRef::Trace { .. })));
}

#[test]
fn errors_rank_the_deepest_failure_first() {
    let got = ranked(Fault::Errors, &RankOptions::default());
    assert_eq!(got[0].service, "db", "{got:#?}");
    assert!(component(&got[0], "trace_error_origin") > 5.0);
    let api = got.iter().find(|c| c.service == "api").unwrap();
    // api's error lines sit above db's in the same traces: explained, not its own.
    assert_eq!(component(api, "log_error"), 0.0, "{api:#?}");
    assert_eq!(component(api, "trace_error_origin"), 0.0);
}

#[test]
fn a_vanished_usual_log_names_its_service() {
    let got = ranked(Fault::MissingLog, &RankOptions::default());
    assert_eq!(got[0].service, "db", "{got:#?}");
    assert!(component(&got[0], "log_missing") > 5.0);
    assert!(got[0].why.contains("row found for key"), "{}", got[0].why);
    assert_eq!(got[0].operation.as_deref(), Some("/row"));
}

#[test]
fn an_uninstrumented_dependency_is_a_candidate_through_its_callers_spans() {
    let got = ranked(Fault::CacheDown, &RankOptions::default());
    // Not a service any row names, so the host names it (its first label could be anyone's).
    assert_eq!(got[0].service, "cache.shop.svc", "{got:#?}");
    assert!(component(&got[0], "trace_error_origin") > 5.0);
    assert!(got[0].why.contains("calls to it fail"), "{}", got[0].why);
    assert_eq!(got[0].instance, None);
    assert_eq!(got[0].blast_radius, vec!["api".to_string(), "gateway".to_string()]);
    let api = got.iter().find(|c| c.service == "api").unwrap();
    // api's error lines are about its failed call to the cache: explained, not its own.
    assert_eq!(component(api, "log_error"), 0.0, "{api:#?}");
    assert_eq!(component(api, "trace_error_origin"), 0.0);
}

#[test]
fn a_call_given_up_on_fails_at_the_callee_still_working() {
    let got = ranked(Fault::Timeout, &RankOptions::default());
    assert_eq!(got[0].service, "db", "{got:#?}");
    // api's calls fail (it timed out) while db's spans succeed: the failures start at db.
    assert!(component(&got[0], "trace_error_origin") > 5.0, "{:#?}", got[0]);
    let api = got.iter().find(|c| c.service == "api").unwrap();
    assert_eq!(component(api, "trace_error_origin"), 0.0, "{api:#?}");
}

#[test]
fn ablations_switch_sources_off() {
    let traces_only = RankOptions { sources: vec![Signal::Traces], ..RankOptions::default() };
    let got = ranked(Fault::MissingLog, &traces_only);
    for c in &got {
        for comp in &c.components {
            assert!(comp.source == Signal::Traces || comp.weight == 0.0, "{comp:?}");
        }
    }
    // The fault is visible only in logs: without them nothing stands out.
    assert!(got.iter().all(|c| c.score.abs() < 1.0), "{got:#?}");
}

#[test]
fn ranking_is_deterministic_and_ties_break_by_name() {
    let a = ranked(Fault::None, &RankOptions::default());
    let b = ranked(Fault::None, &RankOptions::default());
    let names: Vec<&str> = a.iter().map(|c| c.service.as_str()).collect();
    assert_eq!(names, b.iter().map(|c| c.service.as_str()).collect::<Vec<_>>());
    let json_a = serde_json::to_string(&a).unwrap();
    assert_eq!(json_a, serde_json::to_string(&b).unwrap());
    for pair in a.windows(2) {
        assert!(pair[0].score > pair[1].score || (pair[0].score == pair[1].score && pair[0].service < pair[1].service));
    }
}

/// api publishes a message per request (a producer span, 1 ms) that worker consumes (a consumer
/// span, its child, 20 ms of work). From the window on, worker falls behind: each message waits
/// longer in the queue (`lag_per_s` more per second), its handling does not change.
fn queued(lag_per_s: i64) -> Vec<Candidate> {
    let mut b = Builder::default();
    for i in 0..240i64 {
        let (trace, t) = (i as u128 + 1, i * S);
        let wait = 15 * MS + (i % 3) * MS + if i >= 120 { (i - 120) * lag_per_s } else { 0 };
        let root = b.span(trace, None, ("api", "POST /order", SpanKind::Server), (t, 5 * MS), false);
        let publish = b.span(trace, Some(root), ("api", "orders publish", SpanKind::Producer), (t + MS, MS), false);
        b.span(trace, Some(publish), ("worker", "orders process", SpanKind::Consumer), (t + 2 * MS + wait, 20 * MS), false);
    }
    b.0.rank(&RankOptions::default())
}

#[test]
fn a_growing_queue_wait_is_the_consumers() {
    // 50 ms more per second: messages wait 3 s by the middle of the window.
    let got = queued(50 * MS);
    assert_eq!(got[0].service, "worker", "{got:#?}");
    assert!(component(&got[0], "trace_edge_gap") > 1.0, "{:#?}", got[0]);
    assert!(got[0].why.contains("messages wait"), "{}", got[0].why);
    assert_eq!(got[0].operation.as_deref(), Some("orders process"));
    let api = got.iter().find(|c| c.service == "api").unwrap();
    assert_eq!(component(api, "trace_edge_gap"), 0.0, "the producer publishes as before: {api:#?}");
    // A steady wait within a broker's ordinary delivery time is no evidence.
    let calm = queued(0);
    assert!(calm.iter().all(|c| component(c, "trace_edge_gap") == 0.0), "{calm:#?}");
}

#[test]
fn a_slow_operation_taking_more_of_the_traffic_is_no_growth() {
    // api serves a slow operation (800 ms of its own time) and a fast one (20 ms), both unchanged;
    // the slow one is a third of the requests before the window and two thirds in it. The
    // service's median moves from fast to slow, yet no request grew slower.
    let mut b = Builder::default();
    for i in 0..240i64 {
        let slow = if i >= 120 { i % 3 != 0 } else { i % 3 == 0 };
        let (op, took) = if slow { ("/report", 800 * MS) } else { ("/item", 20 * MS) };
        b.span(i as u128 + 1, None, ("api", op, SpanKind::Server), (i * S, took), false);
    }
    let got = b.0.rank(&RankOptions::default());
    let api = got.iter().find(|c| c.service == "api").unwrap();
    assert_eq!(component(api, "trace_self_time"), 0.0, "{api:#?}");
}
