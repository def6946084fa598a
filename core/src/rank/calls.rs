//! Calls that fail at the caller: a service whose calls to a dependency all fail with no span
//! of the dependency answering them, while the dependency answers its other callers. Nothing
//! reached the dependency, and it is fine for everyone else: the caller is misconfigured (a
//! name that does not resolve, a wrong port, a bad credential), so the failure starts there.
//! A dependency that is down fails every caller; a replica that is down fails some of each
//! caller's calls, not all of one caller's.

use std::collections::{BTreeMap, BTreeSet};

use super::view::{Phase, View};

/// Calls needed on each side before they say anything (sampling keeps a few).
const MIN_CALLS: usize = 3;
/// The share of a caller's calls to the dependency that must fail, from its first failure on.
const ALL_FAIL: f64 = 0.9;
/// The share of the other callers' calls over the same time that must succeed.
const OTHERS_SUCCEED: f64 = 0.9;

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    /// Failed with no span of the dependency answering.
    FailedUnanswered,
    /// Failed in a span of the dependency.
    FailedAnswered,
}

/// One call in the window: when it started, from which service to which, and how it ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Call {
    pub start_ns: i64,
    pub caller: usize,
    pub callee: usize,
    pub outcome: Outcome,
}

/// The (caller, dependency) pairs whose failing calls start at the caller.
pub fn failing_at_caller(v: &View) -> BTreeSet<(usize, usize)> {
    let mut calls = Vec::new();
    for r in 0..v.ds.spans.len() {
        if v.span_phase[r] != Phase::Window || !v.is_exit(r) {
            continue;
        }
        let caller = v.span_service(r);
        let callee = v.span_callee[r].or_else(|| v.span_children(r).map(|c| v.span_service(c)).find(|s| *s != caller));
        let Some(callee) = callee else { continue };
        let outcome = match (v.failed(r), v.span_callee[r].is_some()) {
            (false, _) => Outcome::Succeeded,
            (true, true) => Outcome::FailedUnanswered,
            (true, false) => Outcome::FailedAnswered,
        };
        calls.push(Call { start_ns: v.ds.spans.start_ns[r], caller, callee, outcome });
    }
    decide(&calls)
}

/// The pairs where, from the caller's first unanswered failure on, its calls to the
/// dependency (nearly) all fail unanswered while the dependency's other callers' calls
/// (nearly) all succeed.
pub fn decide(calls: &[Call]) -> BTreeSet<(usize, usize)> {
    let mut first: BTreeMap<(usize, usize), i64> = BTreeMap::new();
    for c in calls.iter().filter(|c| c.outcome == Outcome::FailedUnanswered) {
        let t = first.entry((c.caller, c.callee)).or_insert(c.start_ns);
        *t = (*t).min(c.start_ns);
    }
    first
        .into_iter()
        .filter(|((caller, callee), since)| {
            let after = |c: &&Call| c.callee == *callee && c.start_ns >= *since;
            let own: Vec<&Call> = calls.iter().filter(after).filter(|c| c.caller == *caller).collect();
            let others: Vec<&Call> = calls.iter().filter(after).filter(|c| c.caller != *caller).collect();
            let share = |list: &[&Call], o: Outcome| list.iter().filter(|c| c.outcome == o).count() as f64 / list.len().max(1) as f64;
            own.len() >= MIN_CALLS
                && share(&own, Outcome::FailedUnanswered) >= ALL_FAIL
                && others.len() >= MIN_CALLS
                && share(&others, Outcome::Succeeded) >= OTHERS_SUCCEED
        })
        .map(|(pair, _)| pair)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` calls from `caller` to service 9, one a second from `from` s on.
    fn calls(caller: usize, from: i64, n: i64, outcome: Outcome) -> Vec<Call> {
        (0..n).map(|i| Call { start_ns: (from + i) * 1_000_000_000, caller, callee: 9, outcome }).collect()
    }

    #[test]
    fn one_caller_failing_where_the_others_succeed_is_the_origin() {
        // Service 0's calls fail unanswered from 10 s on; 1 calls fine all along.
        let mut c = calls(0, 0, 10, Outcome::Succeeded);
        c.extend(calls(0, 10, 20, Outcome::FailedUnanswered));
        c.extend(calls(1, 0, 30, Outcome::Succeeded));
        assert_eq!(decide(&c), BTreeSet::from([(0, 9)]));
    }

    #[test]
    fn a_dependency_failing_everyone_or_some_of_each_keeps_the_blame() {
        // Down for everyone from 10 s; the other caller's successes came before.
        let mut down = calls(0, 10, 20, Outcome::FailedUnanswered);
        down.extend(calls(1, 0, 10, Outcome::Succeeded));
        down.extend(calls(1, 10, 20, Outcome::FailedUnanswered));
        assert!(decide(&down).is_empty());
        // One replica of two down: every other call of each caller fails.
        let replica: Vec<Call> = (0..40)
            .map(|i| Call {
                start_ns: i * 1_000_000_000,
                caller: (i % 4 / 2) as usize,
                callee: 9,
                outcome: if i % 2 == 0 { Outcome::FailedUnanswered } else { Outcome::Succeeded },
            })
            .collect();
        assert!(decide(&replica).is_empty());
        // No other caller to compare with.
        assert!(decide(&calls(0, 0, 20, Outcome::FailedUnanswered)).is_empty());
    }
}
