//! Evaluation against labelled incidents: AC@k, Avg@5, per fault type and per instance, and
//! the fit of the component weights (a conditional logit with leave-one-case-out
//! cross-validation). Pure functions over reports and truths: `cases` reads the case folders.

use std::collections::BTreeMap;

use rootspan_core::rank::{Signal, KINDS};
use rootspan_core::TimeRange;
use serde::{Deserialize, Serialize};

/// `case.json`: the incident window and, optionally, the baseline.
#[derive(Debug, Clone, Deserialize)]
pub struct CaseSpec {
    pub window: Option<TimeRange>,
    #[serde(default)]
    pub baseline: Option<TimeRange>,
}

/// `truth.json`: the injected root cause.
#[derive(Debug, Clone, Deserialize)]
pub struct Truth {
    pub service: String,
    #[serde(default)]
    pub pod: Option<String>,
    #[serde(default)]
    pub fault: Option<String>,
}

/// Where the truth landed in one case's ranking.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaseOutcome {
    /// The case folder's name.
    pub case: String,
    /// 1-based rank of the true service; 0 when it is not in the list.
    pub rank: u32,
    /// The fault type, when the truth names one.
    pub fault: Option<String>,
    /// 1-based rank of the true pod among the candidates' instances (0 when absent), when the
    /// truth names a pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_rank: Option<u32>,
    /// The top candidate's why-sentence ("" when nothing was ranked).
    pub why: String,
    /// Whether that sentence gives a reason: the top candidate has evidence that adds to its
    /// score. A right answer without one does not count as explained.
    pub explained: bool,
}

/// A candidate as a report lists it, reduced to what evaluation needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub service: String,
    pub instance: Option<String>,
    /// Component values in weight order.
    pub values: [f64; KINDS.len()],
    pub why: String,
    /// Whether any component adds to the score (value and weight both above 0).
    pub has_evidence: bool,
}

#[derive(Deserialize)]
struct ReportWire {
    candidates: Vec<CandidateWire>,
}

#[derive(Deserialize)]
struct CandidateWire {
    service: String,
    instance: Option<String>,
    components: Vec<ComponentWire>,
    why: String,
}

#[derive(Deserialize)]
struct ComponentWire {
    name: String,
    value: f64,
    weight: f64,
}

/// The candidates of a report JSON, best first.
pub fn ranked(report_json: &str) -> Result<Vec<Ranked>, String> {
    let report: ReportWire = serde_json::from_str(report_json).map_err(|e| format!("report: {e}"))?;
    Ok(report
        .candidates
        .into_iter()
        .map(|c| {
            let mut values = [0.0; KINDS.len()];
            let has_evidence = c.components.iter().any(|comp| comp.value > 0.0 && comp.weight > 0.0);
            for comp in c.components {
                if let Some(k) = KINDS.iter().position(|k| k.name() == comp.name) {
                    values[k] = comp.value;
                }
            }
            Ranked { service: c.service, instance: c.instance, values, why: c.why, has_evidence }
        })
        .collect())
}

impl CaseOutcome {
    pub fn new(case: &str, truth: &Truth, candidates: &[Ranked]) -> CaseOutcome {
        let position = |hit: &dyn Fn(&Ranked) -> bool| candidates.iter().position(hit).map_or(0, |i| i as u32 + 1);
        CaseOutcome {
            case: case.to_string(),
            rank: position(&|c| c.service == truth.service),
            fault: truth.fault.clone(),
            instance_rank: truth.pod.as_ref().map(|pod| position(&|c| c.instance.as_deref() == Some(pod.as_str()))),
            why: candidates.first().map_or_else(String::new, |c| c.why.clone()),
            explained: candidates.first().is_some_and(|c| c.has_evidence && !c.why.is_empty()),
        }
    }
}

/// AC@1, AC@3, AC@5 and Avg@5 (the mean of AC@1..AC@5) over some cases.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Accuracy {
    pub cases: usize,
    pub ac1: f64,
    pub ac3: f64,
    pub ac5: f64,
    pub avg5: f64,
}

impl Accuracy {
    pub fn of(ranks: &[u32]) -> Accuracy {
        let n = ranks.len().max(1) as f64;
        let ac = |k: u32| ranks.iter().filter(|r| **r >= 1 && **r <= k).count() as f64 / n;
        Accuracy { cases: ranks.len(), ac1: ac(1), ac3: ac(3), ac5: ac(5), avg5: (1..=5).map(ac).sum::<f64>() / 5.0 }
    }
}

/// The whole evaluation, as `rootspan-eval rank --format json` prints it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    pub cases: usize,
    pub ac1: f64,
    pub ac3: f64,
    pub ac5: f64,
    pub avg5: f64,
    /// The same per fault type, sorted by fault.
    pub per_fault: BTreeMap<String, Accuracy>,
    /// Instance-level accuracy over the cases whose truth names a pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<Accuracy>,
    /// Cases whose top candidate gives a reason (see `CaseOutcome::explained`).
    pub explained: usize,
    /// Of the cases whose truth ranks first, those whose top candidate gives a reason.
    pub explained_hits: usize,
    pub per_case: Vec<CaseOutcome>,
}

impl Summary {
    pub fn of(per_case: Vec<CaseOutcome>) -> Summary {
        let ranks: Vec<u32> = per_case.iter().map(|c| c.rank).collect();
        let all = Accuracy::of(&ranks);
        let mut by_fault: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for c in &per_case {
            by_fault.entry(c.fault.clone().unwrap_or_else(|| "unlabelled".to_string())).or_default().push(c.rank);
        }
        let pods: Vec<u32> = per_case.iter().filter_map(|c| c.instance_rank).collect();
        Summary {
            cases: all.cases,
            ac1: all.ac1,
            ac3: all.ac3,
            ac5: all.ac5,
            avg5: all.avg5,
            per_fault: by_fault.into_iter().map(|(f, r)| (f, Accuracy::of(&r))).collect(),
            instance: (!pods.is_empty()).then(|| Accuracy::of(&pods)),
            explained: per_case.iter().filter(|c| c.explained).count(),
            explained_hits: per_case.iter().filter(|c| c.explained && c.rank == 1).count(),
            per_case,
        }
    }

    /// The summary as a plain-text table.
    pub fn to_text(&self) -> String {
        let row =
            |name: &str, a: &Accuracy| format!("{name:<24} {:>5} {:>6.3} {:>6.3} {:>6.3} {:>6.3}\n", a.cases, a.ac1, a.ac3, a.ac5, a.avg5);
        let all = Accuracy { cases: self.cases, ac1: self.ac1, ac3: self.ac3, ac5: self.ac5, avg5: self.avg5 };
        let mut out = format!("{:<24} {:>5} {:>6} {:>6} {:>6} {:>6}\n", "", "cases", "AC@1", "AC@3", "AC@5", "Avg@5");
        out += &row("all (service)", &all);
        for (f, a) in &self.per_fault {
            out += &row(&format!("  {f}"), a);
        }
        if let Some(a) = &self.instance {
            out += &row("all (instance)", a);
        }
        let hits = self.per_case.iter().filter(|c| c.rank == 1).count();
        out += &format!(
            "top candidate with a reason: {} of {} cases; of the {hits} ranked right, {} with a reason\n",
            self.explained, self.cases, self.explained_hits
        );
        out += "\ncase                      rank  fault             why (top candidate)\n";
        for c in &self.per_case {
            out += &format!("{:<24} {:>5}  {:<16}  {}\n", c.case, c.rank, c.fault.as_deref().unwrap_or("-"), c.why);
        }
        out
    }
}

/// One case for fitting: every candidate's component values and which one is the truth.
#[derive(Debug, Clone)]
pub struct FitCase {
    pub candidates: Vec<(String, [f64; KINDS.len()])>,
    pub truth: String,
}

impl FitCase {
    /// From a full candidate list (analyse with `top` covering every service).
    pub fn new(candidates: &[Ranked], truth: &str) -> FitCase {
        FitCase { candidates: candidates.iter().map(|c| (c.service.clone(), c.values)).collect(), truth: truth.to_string() }
    }

    /// The truth's rank under `w` (ties broken by name, as `rank` does); 0 when absent.
    pub fn rank_under(&self, w: &[f64; KINDS.len()]) -> u32 {
        let score = |x: &[f64; KINDS.len()]| x.iter().zip(w).map(|(a, b)| a * b).sum::<f64>();
        let mut order: Vec<(f64, &str)> = self.candidates.iter().map(|(s, x)| (score(x), s.as_str())).collect();
        order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        order.iter().position(|(_, s)| *s == self.truth).map_or(0, |i| i as u32 + 1)
    }
}

/// Component names in weight order.
pub fn component_names() -> Vec<&'static str> {
    KINDS.iter().map(|k| k.name()).collect()
}

/// Which components the given sources switch on, in weight order.
pub fn active(sources: &[Signal]) -> [bool; KINDS.len()] {
    let mut out = [false; KINDS.len()];
    for (i, k) in KINDS.iter().enumerate() {
        out[i] = sources.contains(&k.signal());
    }
    out
}

/// The fit as text: the truth's rank under each component alone, then for each L2 strength
/// the leave-one-case-out accuracy and the weights fitted on all cases.
pub fn fit_report(cases: &[FitCase], sources: &[Signal]) -> String {
    let names = component_names();
    let mut out = String::from("truth's rank under each component alone (0 = absent):\n");
    for (k, n) in names.iter().enumerate() {
        let mut w = [0.0; KINDS.len()];
        w[k] = 1.0;
        let r: Vec<String> = cases.iter().map(|c| format!("{:>3}", c.rank_under(&w))).collect();
        out += &format!("{n:<20} {}\n", r.join(""));
    }
    let active = active(sources);
    for l2 in FIT_L2 {
        let w = fit(cases, &active, l2);
        let loo = leave_one_out(cases, &active, l2);
        let a = Accuracy::of(&loo);
        let fitted: Vec<String> = names.iter().zip(w).map(|(n, w)| format!("{n}={w:.3}")).collect();
        out += &format!(
            "l2={l2}: leave-one-case-out AC@1 {:.3} AC@3 {:.3} AC@5 {:.3}; ranks {loo:?}\n  weights {}\n",
            a.ac1,
            a.ac3,
            a.ac5,
            fitted.join(" ")
        );
    }
    out
}

/// The L2 strengths `fit_report` compares.
pub const FIT_L2: [f64; 4] = [0.003, 0.01, 0.03, 0.1];

/// Fits the weights by maximising the conditional-logit likelihood of the true candidate in
/// each case (softmax over that case's candidates), with an L2 pull of strength `l2` towards
/// the prior weight 1 and weights kept >= 0 so every component reads as evidence for. Plain
/// gradient ascent from the prior, fixed steps: deterministic. `active` masks components
/// (an ablation fits only its own).
pub fn fit(cases: &[FitCase], active: &[bool; KINDS.len()], l2: f64) -> [f64; KINDS.len()] {
    const STEPS: usize = 600;
    const RATE: f64 = 0.5;
    let mut w = [0.0; KINDS.len()];
    for k in 0..KINDS.len() {
        w[k] = if active[k] { 1.0 } else { 0.0 };
    }
    let usable: Vec<&FitCase> = cases.iter().filter(|c| c.candidates.iter().any(|(s, _)| *s == c.truth)).collect();
    if usable.is_empty() {
        return w;
    }
    for _ in 0..STEPS {
        let mut grad = [0.0; KINDS.len()];
        for case in &usable {
            let scores: Vec<f64> = case.candidates.iter().map(|(_, x)| x.iter().zip(&w).map(|(a, b)| a * b).sum()).collect();
            let top = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let exps: Vec<f64> = scores.iter().map(|s| libm::exp(s - top)).collect();
            let z: f64 = exps.iter().sum();
            for (i, (name, x)) in case.candidates.iter().enumerate() {
                let p = exps[i] / z;
                let y = if *name == case.truth { 1.0 } else { 0.0 };
                for k in 0..KINDS.len() {
                    grad[k] += (y - p) * x[k];
                }
            }
        }
        for k in 0..KINDS.len() {
            if active[k] {
                w[k] = (w[k] + RATE * (grad[k] / usable.len() as f64 - l2 * (w[k] - 1.0))).max(0.0);
            }
        }
    }
    w
}

/// Leave-one-case-out: each case ranked under weights fitted on all the others.
pub fn leave_one_out(cases: &[FitCase], active: &[bool; KINDS.len()], l2: f64) -> Vec<u32> {
    (0..cases.len())
        .map(|i| {
            let rest: Vec<FitCase> = cases.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, c)| c.clone()).collect();
            cases[i].rank_under(&fit(&rest, active, l2))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accuracy_counts_hits_and_misses() {
        let a = Accuracy::of(&[1, 2, 0, 6]);
        assert_eq!((a.ac1, a.ac3, a.ac5), (0.25, 0.5, 0.5));
        assert!((a.avg5 - (0.25 + 0.5 + 0.5 + 0.5 + 0.5) / 5.0).abs() < 1e-12);
    }

    #[test]
    fn summary_groups_faults() {
        let mk = |case: &str, rank, fault: &str, why: &str| CaseOutcome {
            case: case.into(),
            rank,
            fault: Some(fault.into()),
            instance_rank: Some(rank),
            why: why.into(),
            explained: !why.is_empty(),
        };
        let s = Summary::of(vec![mk("a", 1, "cpu", "x: cpu up"), mk("b", 4, "cpu", "y: slow"), mk("c", 1, "net", "")]);
        assert_eq!(s.per_fault["cpu"].ac1, 0.5);
        assert_eq!(s.per_fault["net"].ac3, 1.0);
        assert_eq!(s.instance.as_ref().unwrap().cases, 3);
        assert_eq!((s.explained, s.explained_hits), (2, 1));
        assert!(s.to_text().contains("AC@1"));
        assert!(s.to_text().contains("x: cpu up"));
    }

    #[test]
    fn fit_learns_the_informative_component() {
        // Component 0 singles out the truth; component 1 points at a decoy.
        let mut cases = Vec::new();
        for i in 0..6 {
            let mut truth = [0.0; KINDS.len()];
            let mut decoy = [0.0; KINDS.len()];
            truth[0] = 0.8;
            decoy[0] = -0.8;
            truth[1] = if i % 3 == 0 { 0.5 } else { -0.5 };
            decoy[1] = -truth[1];
            cases.push(FitCase { candidates: vec![("a".into(), truth), ("b".into(), decoy)], truth: "a".into() });
        }
        let active = [true; KINDS.len()];
        let w = fit(&cases, &active, 0.01);
        assert!(w[0] > w[1], "{w:?}");
        assert!(leave_one_out(&cases, &active, 0.01).iter().all(|r| *r == 1));
    }
}
