//! Evaluation against labelled incidents: AC@k, Avg@5, per fault type and per instance, and
//! the fit of the component weights (a conditional logit with leave-one-case-out
//! cross-validation). Pure functions over reports and truths: `cases` reads the case folders.

use std::collections::BTreeMap;

use rootspan_core::rank::{Signal, KINDS};
use rootspan_core::TimeRange;
use serde::{Deserialize, Serialize};

/// `case.json`: the incident window and, optionally, the baseline and the system (topology) it
/// ran on, which cross-validation holds out whole.
#[derive(Debug, Clone, Deserialize)]
pub struct CaseSpec {
    #[serde(default)]
    pub system: Option<String>,
    pub window: Option<TimeRange>,
    #[serde(default)]
    pub baseline: Option<TimeRange>,
}

/// `truth.json`: the injected root cause, or none (`"fault": "no_fault"`, no service): a
/// fault-free case, scored apart from the faults (`Summary::fault_free`).
#[derive(Debug, Clone, Deserialize)]
pub struct Truth {
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub pod: Option<String>,
    /// The node, when the truth blames one (a node failure) rather than a service.
    #[serde(default)]
    pub node: Option<String>,
    #[serde(default)]
    pub fault: Option<String>,
    /// When the fault was injected (RFC 3339): what a detected window's start is measured against.
    #[serde(default)]
    pub inject_time: Option<String>,
}

impl Truth {
    /// Whether `c` names this truth: the node for a node truth, else the service.
    pub fn named(&self, c: &Ranked) -> bool {
        match &self.node {
            Some(node) => c.node && c.service == *node,
            None => !c.node && c.service == self.service,
        }
    }

    /// Whether the truth says nothing is at fault: no top candidate is right, none is wrong in
    /// the AC sense; what counts is whether the report still states a cause.
    pub fn fault_free(&self) -> bool {
        self.fault.as_deref() == Some(NO_FAULT) || (self.service.is_empty() && self.node.is_none())
    }

    /// The key `FitCase` compares candidates with (`Ranked::key`).
    fn key(&self) -> String {
        self.node.as_ref().map_or_else(|| self.service.clone(), |n| format!("node {n}"))
    }

    /// The injection time (ns), when the truth names one.
    pub fn injected(&self) -> Option<i64> {
        self.inject_time.as_deref().and_then(|t| rootspan_core::time::parse_timestamp(t).ok())
    }

    /// The same case analysed in a fault-free window: no service is the cause, and no window
    /// start is measured against the injection.
    pub fn without_fault(self) -> Truth {
        Truth { service: String::new(), pod: None, node: None, fault: Some(NO_FAULT.into()), inject_time: None }
    }
}

/// The fault type of a fault-free window.
pub const NO_FAULT: &str = "no_fault";

/// Where the truth landed in one case's ranking.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaseOutcome {
    /// The case folder's name.
    pub case: String,
    /// 1-based rank of the true service; 0 when it is not in the list.
    pub rank: u32,
    /// The fault type, when the truth names one.
    pub fault: Option<String>,
    /// The truth says nothing is at fault (`Truth::fault_free`): the case is no AC hit or miss.
    pub fault_free: bool,
    /// 1-based rank of the true pod among the candidates' instances (0 when absent), when the
    /// truth names a pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance_rank: Option<u32>,
    /// The top candidate's why-sentence ("" when nothing was ranked).
    pub why: String,
    /// Whether that sentence gives a reason: the top candidate has evidence that adds to its
    /// score. A right answer without one does not count as explained.
    pub explained: bool,
    /// The analysed window's start minus the injection time, in seconds (negative: early),
    /// when the truth names an injection time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onset_error_s: Option<f64>,
    /// The report's calibrated probability that its top candidate is the root cause, and the
    /// certainty it states (`clear`, `tentative`, `no_clear_cause`).
    pub probability: f64,
    pub certainty: String,
    /// What the calibration reads: the top candidate's score and its share of the ranking.
    pub top_score: f64,
    pub share: f64,
}

/// A candidate as a report lists it, reduced to what evaluation needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// The service, or the node's name when `node` is set.
    pub service: String,
    /// Whether the candidate is a node (`kind: node`).
    pub node: bool,
    pub instance: Option<String>,
    /// Component values in weight order.
    pub values: [f64; KINDS.len()],
    pub why: String,
    /// Whether any component adds to the score (value and weight both above 0).
    pub has_evidence: bool,
    pub score: f64,
}

impl Ranked {
    /// A name no service shares with a node: nodes and services are ranked in one list.
    fn key(&self) -> String {
        if self.node {
            format!("node {}", self.service)
        } else {
            self.service.clone()
        }
    }
}

#[derive(Deserialize)]
struct ReportWire {
    candidates: Vec<CandidateWire>,
    windows: WindowsWire,
    confidence: ConfidenceWire,
}

/// The report's confidence, as evaluation reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct ConfidenceWire {
    pub probability: f64,
    pub certainty: String,
    pub share: f64,
}

/// The confidence of a report JSON.
pub fn confidence(report_json: &str) -> Result<ConfidenceWire, String> {
    let report: ReportWire = serde_json::from_str(report_json).map_err(|e| format!("report: {e}"))?;
    Ok(report.confidence)
}

#[derive(Deserialize)]
struct WindowsWire {
    window: Option<RangeWire>,
}

#[derive(Deserialize)]
struct RangeWire {
    start: String,
}

/// The start of the window a report analysed (ns), when it has one.
pub fn window_start(report_json: &str) -> Result<Option<i64>, String> {
    let report: ReportWire = serde_json::from_str(report_json).map_err(|e| format!("report: {e}"))?;
    report.windows.window.map(|w| rootspan_core::time::parse_timestamp(&w.start)).transpose()
}

#[derive(Deserialize)]
struct CandidateWire {
    #[serde(default)]
    kind: Option<String>,
    service: String,
    instance: Option<String>,
    score: f64,
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
            Ranked {
                node: c.kind.as_deref() == Some("node"),
                service: c.service,
                instance: c.instance,
                values,
                why: c.why,
                has_evidence,
                score: c.score,
            }
        })
        .collect())
}

impl CaseOutcome {
    /// `window_start`: where the analysed window began (ns), for the onset error; `confidence`:
    /// the report's.
    pub fn new(case: &str, truth: &Truth, candidates: &[Ranked], window_start: Option<i64>, confidence: &ConfidenceWire) -> CaseOutcome {
        let injected = truth.injected();
        let position = |hit: &dyn Fn(&Ranked) -> bool| candidates.iter().position(hit).map_or(0, |i| i as u32 + 1);
        CaseOutcome {
            case: case.to_string(),
            rank: position(&|c| truth.named(c)),
            fault: truth.fault.clone(),
            fault_free: truth.fault_free(),
            instance_rank: truth.pod.as_ref().map(|pod| position(&|c| c.instance.as_deref() == Some(pod.as_str()))),
            why: candidates.first().map_or_else(String::new, |c| c.why.clone()),
            explained: candidates.first().is_some_and(|c| c.has_evidence && !c.why.is_empty()),
            onset_error_s: injected.zip(window_start).map(|(i, w)| (w - i) as f64 / 1e9),
            probability: confidence.probability,
            certainty: confidence.certainty.clone(),
            top_score: candidates.first().map_or(0.0, |c| c.score),
            share: confidence.share,
        }
    }
}

/// AC@1, AC@3, AC@5 and Avg@5 (the mean of AC@1..AC@5) over some cases, each AC@k with its
/// 95% bootstrap interval.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Accuracy {
    pub cases: usize,
    pub ac1: f64,
    pub ac3: f64,
    pub ac5: f64,
    pub avg5: f64,
    /// 95% percentile-bootstrap intervals of AC@1, AC@3 and AC@5 (`bootstrap_ci`).
    pub ci: [[f64; 2]; 3],
}

/// Share of ranks in 1..=k.
fn ac_at(ranks: &[u32], k: u32) -> f64 {
    ranks.iter().filter(|r| **r >= 1 && **r <= k).count() as f64 / ranks.len().max(1) as f64
}

impl Accuracy {
    pub fn of(ranks: &[u32]) -> Accuracy {
        let ac = |k: u32| ac_at(ranks, k);
        let ci = [1, 3, 5].map(|k| bootstrap_ci(ranks, k));
        Accuracy { cases: ranks.len(), ac1: ac(1), ac3: ac(3), ac5: ac(5), avg5: (1..=5).map(ac).sum::<f64>() / 5.0, ci }
    }

    /// `0.917 [0.792, 1.000]`: AC@k (k = 1, 3 or 5) with its interval.
    pub fn with_ci(&self, k: u32) -> String {
        let (ac, ci) = match k {
            1 => (self.ac1, self.ci[0]),
            3 => (self.ac3, self.ci[1]),
            _ => (self.ac5, self.ci[2]),
        };
        format!("{ac:.3} [{:.3}, {:.3}]", ci[0], ci[1])
    }
}

/// Bootstrap resamples per interval.
const BOOTSTRAP: usize = 2000;

/// The 95% percentile-bootstrap interval of AC@k: the cases resampled with replacement
/// `BOOTSTRAP` times, the 2.5th and 97.5th percentiles of AC@k over the resamples. The
/// generator is seeded with a constant (splitmix64), so the same ranks give the same interval.
/// The cases are the unit: an interval says how much the figure would move on another draw of
/// incidents like these, not on incidents of another kind.
pub fn bootstrap_ci(ranks: &[u32], k: u32) -> [f64; 2] {
    if ranks.is_empty() {
        return [0.0, 0.0];
    }
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15 ^ u64::from(k);
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let n = ranks.len();
    let mut acs: Vec<f64> = (0..BOOTSTRAP)
        .map(|_| (0..n).filter(|_| (1..=k).contains(&ranks[(next() % n as u64) as usize])).count() as f64 / n as f64)
        .collect();
    acs.sort_by(f64::total_cmp);
    let at = |q: f64| acs[((q * BOOTSTRAP as f64) as usize).min(BOOTSTRAP - 1)];
    [at(0.025), at(0.975)]
}

/// The whole evaluation, as `rootspan-eval rank --format json` prints it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    pub cases: usize,
    pub ac1: f64,
    pub ac3: f64,
    pub ac5: f64,
    pub avg5: f64,
    /// 95% bootstrap intervals of AC@1, AC@3, AC@5 (see `bootstrap_ci`).
    pub ci: [[f64; 2]; 3],
    /// The same per fault type, sorted by fault.
    pub per_fault: BTreeMap<String, Accuracy>,
    /// Instance-level accuracy over the cases whose truth names a pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<Accuracy>,
    /// Cases whose top candidate gives a reason (see `CaseOutcome::explained`).
    pub explained: usize,
    /// Of the cases whose truth ranks first, those whose top candidate gives a reason.
    pub explained_hits: usize,
    /// How far the analysed windows start from the injections, over the cases that name one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onset: Option<OnsetError>,
    /// How well the reports' probabilities match what happened (a hit: the truth ranks first;
    /// a fault-free window never holds one), over every case, fault-free ones included.
    pub calibration: Calibration,
    /// The fault-free cases, which the AC figures above leave out, when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault_free: Option<FaultFree>,
    /// Every case, fault-free ones included.
    pub per_case: Vec<CaseOutcome>,
}

/// What the reports said on fault-free cases: a `clear` top candidate is a false alarm.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FaultFree {
    pub cases: usize,
    pub clear: usize,
    pub tentative: usize,
    pub no_clear_cause: usize,
}

impl FaultFree {
    fn of(cases: &[&CaseOutcome]) -> Option<FaultFree> {
        let stated = |c: &str| cases.iter().filter(|o| o.certainty == c).count();
        (!cases.is_empty()).then(|| FaultFree {
            cases: cases.len(),
            clear: stated("clear"),
            tentative: stated("tentative"),
            no_clear_cause: stated("no_clear_cause"),
        })
    }
}

/// Calibration of stated probabilities against hits.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Calibration {
    /// Mean squared difference between probability and hit (0 is perfect; always saying 0.5
    /// scores 0.25).
    pub brier: f64,
    /// The reliability table: per probability band, the cases, their mean probability and
    /// their share of hits.
    pub bands: Vec<Band>,
    /// Cases stated `clear`, and stated `no_clear_cause`.
    pub clear: usize,
    pub no_clear_cause: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Band {
    pub from: f64,
    pub to: f64,
    pub cases: usize,
    pub mean_probability: f64,
    pub hit_rate: f64,
}

/// Upper edges of the reliability bands.
const BANDS: [f64; 5] = [0.2, 0.4, 0.6, 0.8, 1.0];

impl Calibration {
    /// From (probability, hit) pairs and the certainty each states.
    pub fn of(points: &[(f64, bool)], certainties: &[&str]) -> Calibration {
        let n = points.len().max(1) as f64;
        let brier = points.iter().map(|(p, hit)| (p - f64::from(u8::from(*hit))).powi(2)).sum::<f64>() / n;
        let mut from = 0.0;
        let bands = BANDS
            .iter()
            .map(|to| {
                let inside: Vec<&(f64, bool)> = points.iter().filter(|(p, _)| *p >= from && (*p < *to || *to >= 1.0)).collect();
                let k = inside.len().max(1) as f64;
                let band = Band {
                    from,
                    to: *to,
                    cases: inside.len(),
                    mean_probability: inside.iter().map(|(p, _)| p).sum::<f64>() / k,
                    hit_rate: inside.iter().filter(|(_, hit)| *hit).count() as f64 / k,
                };
                from = *to;
                band
            })
            .collect();
        Calibration {
            brier,
            bands,
            clear: certainties.iter().filter(|c| **c == "clear").count(),
            no_clear_cause: certainties.iter().filter(|c| **c == "no_clear_cause").count(),
        }
    }

    pub fn to_text(&self) -> String {
        let mut out = format!(
            "calibration: Brier {:.3}; stated clear {}, no clear root cause {}\n  probability band  cases  mean p  hit rate\n",
            self.brier, self.clear, self.no_clear_cause
        );
        for b in &self.bands {
            out += &format!("  {:.1}-{:.1}          {:>5}  {:>6.3}  {:>8.3}\n", b.from, b.to, b.cases, b.mean_probability, b.hit_rate);
        }
        out
    }
}

/// Distance between the analysed window's start and the injection time, in seconds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OnsetError {
    pub cases: usize,
    /// Median and 90th percentile (nearest rank) of the absolute error.
    pub median_abs_s: f64,
    pub p90_abs_s: f64,
    /// Cases whose window starts within 60 s of the injection.
    pub within_60s: usize,
    /// Cases whose window starts more than 60 s after the injection (the start of the fault missed).
    pub late: usize,
}

impl OnsetError {
    pub fn of(errors: &[f64]) -> Option<OnsetError> {
        let mut abs: Vec<f64> = errors.iter().map(|e| e.abs()).collect();
        abs.sort_by(f64::total_cmp);
        let rank = |q: f64| abs[((q * abs.len() as f64).ceil() as usize).clamp(1, abs.len()) - 1];
        (!abs.is_empty()).then(|| OnsetError {
            cases: abs.len(),
            median_abs_s: rootspan_core::base::stats::median(&abs).unwrap_or(0.0),
            p90_abs_s: rank(0.9),
            within_60s: abs.iter().filter(|e| **e <= 60.0).count(),
            late: errors.iter().filter(|e| **e > 60.0).count(),
        })
    }
}

impl Summary {
    /// The AC figures, explanations and onsets over the fault cases; the fault-free ones
    /// (`CaseOutcome::fault_free`) apart, in `fault_free`.
    pub fn of(per_case: Vec<CaseOutcome>) -> Summary {
        let (calm, faults): (Vec<&CaseOutcome>, Vec<&CaseOutcome>) = per_case.iter().partition(|c| c.fault_free);
        let ranks: Vec<u32> = faults.iter().map(|c| c.rank).collect();
        let all = Accuracy::of(&ranks);
        let mut by_fault: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for c in &faults {
            by_fault.entry(c.fault.clone().unwrap_or_else(|| "unlabelled".to_string())).or_default().push(c.rank);
        }
        let pods: Vec<u32> = faults.iter().filter_map(|c| c.instance_rank).collect();
        Summary {
            cases: all.cases,
            ac1: all.ac1,
            ac3: all.ac3,
            ac5: all.ac5,
            avg5: all.avg5,
            ci: all.ci,
            per_fault: by_fault.into_iter().map(|(f, r)| (f, Accuracy::of(&r))).collect(),
            instance: (!pods.is_empty()).then(|| Accuracy::of(&pods)),
            explained: faults.iter().filter(|c| c.explained).count(),
            explained_hits: faults.iter().filter(|c| c.explained && c.rank == 1).count(),
            onset: OnsetError::of(&faults.iter().filter_map(|c| c.onset_error_s).collect::<Vec<_>>()),
            fault_free: FaultFree::of(&calm),
            calibration: Calibration::of(
                &per_case.iter().map(|c| (c.probability, c.rank == 1)).collect::<Vec<_>>(),
                &per_case.iter().map(|c| c.certainty.as_str()).collect::<Vec<_>>(),
            ),
            per_case,
        }
    }

    /// The summary as a plain-text table.
    pub fn to_text(&self) -> String {
        let row = |name: &str, a: &Accuracy| {
            format!("{name:<24} {:>5} {:>22} {:>22} {:>22} {:>6.3}\n", a.cases, a.with_ci(1), a.with_ci(3), a.with_ci(5), a.avg5)
        };
        let all = Accuracy::of(&self.per_case.iter().filter(|c| !c.fault_free).map(|c| c.rank).collect::<Vec<_>>());
        let mut out = format!("{:<24} {:>5} {:>22} {:>22} {:>22} {:>6}\n", "", "cases", "AC@1 [95% CI]", "AC@3", "AC@5", "Avg@5");
        if all.cases == 0 {
            out += "no fault cases: no AC figures\n";
        } else {
            out += &row("all (service)", &all);
        }
        for (f, a) in &self.per_fault {
            out += &row(&format!("  {f}"), a);
        }
        if let Some(a) = &self.instance {
            out += &row("all (instance)", a);
        }
        let hits = self.per_case.iter().filter(|c| !c.fault_free && c.rank == 1).count();
        out += &format!(
            "top candidate with a reason: {} of {} cases; of the {hits} ranked right, {} with a reason\n",
            self.explained, self.cases, self.explained_hits
        );
        if let Some(o) = &self.onset {
            out += &format!(
                "window start vs injection: median |error| {:.0} s, p90 {:.0} s, within 60 s {} of {}, later than 60 s {}\n",
                o.median_abs_s, o.p90_abs_s, o.within_60s, o.cases, o.late
            );
        }
        if let Some(f) = &self.fault_free {
            out += &format!(
                "fault-free cases (not in the AC figures): {}; stated clear {} (false alarms), tentative {}, no clear root cause {}\n",
                f.cases, f.clear, f.tentative, f.no_clear_cause
            );
        }
        out += &self.calibration.to_text();
        out += "\ncase                      rank  fault             onset      p  why (top candidate)\n";
        for c in &self.per_case {
            let onset = c.onset_error_s.map_or_else(|| "-".to_string(), |e| format!("{e:+.0}s"));
            let fault = c.fault.as_deref().unwrap_or("-");
            out += &format!("{:<24} {:>5}  {:<16} {:>6} {:>6.2}  {}\n", c.case, c.rank, fault, onset, c.probability, c.why);
        }
        out
    }
}

/// One case for fitting: every candidate's component values and which one is the truth, and
/// the groups cross-validation holds out whole: its system (topology) and its fault type.
#[derive(Debug, Clone)]
pub struct FitCase {
    pub candidates: Vec<(String, [f64; KINDS.len()])>,
    /// The candidates (keys) that are nodes.
    pub nodes: std::collections::BTreeSet<String>,
    pub truth: String,
    pub system: String,
    pub fault: String,
}

impl FitCase {
    /// From a full candidate list (analyse with `top` covering every service).
    pub fn new(candidates: &[Ranked], truth: &Truth, system: Option<&str>) -> FitCase {
        FitCase {
            candidates: candidates.iter().map(|c| (c.key(), c.values)).collect(),
            nodes: candidates.iter().filter(|c| c.node).map(Ranked::key).collect(),
            truth: truth.key(),
            system: system.unwrap_or("unnamed").to_string(),
            fault: truth.fault.clone().unwrap_or_else(|| "unlabelled".to_string()),
        }
    }

    /// The truth's rank under `w`, ties broken as `rootspan_core::rank::rank` breaks them: a
    /// node before a service (a node candidate carries the score of the strongest service it
    /// explains, so the two always tie), then by name; 0 when absent.
    pub fn rank_under(&self, w: &[f64; KINDS.len()]) -> u32 {
        let score = |x: &[f64; KINDS.len()]| x.iter().zip(w).map(|(a, b)| a * b).sum::<f64>();
        let mut order: Vec<(f64, bool, &str)> =
            self.candidates.iter().map(|(s, x)| (score(x), self.nodes.contains(s), s.as_str())).collect();
        order.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
        order.iter().position(|(_, _, s)| *s == self.truth).map_or(0, |i| i as u32 + 1)
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
    out += &group_report(cases, &active, "system", |c| c.system.as_str());
    out += &group_report(cases, &active, "fault type", |c| c.fault.as_str());
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

/// One point for the confidence calibration: a case's top score, the top candidate's share of
/// the ranking, and whether it is the truth (never, in a fault-free window).
#[derive(Debug, Clone)]
pub struct CalibrationPoint {
    pub case: String,
    pub no_fault: bool,
    pub share: f64,
    pub top: f64,
    pub hit: bool,
}

impl CalibrationPoint {
    pub fn of(outcome: &CaseOutcome) -> CalibrationPoint {
        CalibrationPoint {
            case: outcome.case.clone(),
            no_fault: outcome.fault_free,
            share: outcome.share,
            top: outcome.top_score,
            hit: outcome.rank == 1,
        }
    }
}

/// The grid the curve is fitted on: `a` in [-20, 5], `c` in [0, 4] (the slope at least 0: more
/// evidence never makes the ranking less sure).
const CURVE_A: (f64, f64, f64) = (-20.0, 5.0, 0.05);
const CURVE_C: (f64, f64, f64) = (0.0, 4.0, 0.01);

/// Fits the curve `[a, c]` of `rootspan_core::rank::Confidence::probability_on` by maximum
/// likelihood of the hits, on a grid (two parameters: exhaustive, deterministic, no step sizes).
pub fn fit_curve(points: &[CalibrationPoint]) -> [f64; 2] {
    let steps = |(lo, hi, d): (f64, f64, f64)| (0..=((hi - lo) / d).round() as usize).map(move |i| lo + i as f64 * d);
    let log_likelihood = |w: &[f64; 2]| -> f64 {
        points
            .iter()
            .map(|pt| {
                let p = curve_probability(w, pt.share, pt.top).clamp(1e-9, 1.0 - 1e-9);
                if pt.hit {
                    libm::log(p)
                } else {
                    libm::log(1.0 - p)
                }
            })
            .sum()
    };
    let mut best = ([0.0, 0.0], f64::NEG_INFINITY);
    for a in steps(CURVE_A) {
        for c in steps(CURVE_C) {
            let ll = log_likelihood(&[a, c]);
            if ll > best.1 {
                best = ([a, c], ll);
            }
        }
    }
    best.0
}

fn curve_probability(w: &[f64; 2], share: f64, top: f64) -> f64 {
    rootspan_core::rank::Confidence::probability_on(w, share, top)
}

/// The calibration as text: the curve fitted on every point, then leave-one-case-out (a case's
/// incident and its fault-free window held out together): Brier, reliability, and the share
/// of fault-free windows stated clear (false alarms) or anything but "no clear root cause".
pub fn calibration_report(points: &[CalibrationPoint]) -> String {
    let curve = fit_curve(points);
    let mut held_out = Vec::new();
    for pt in points {
        let rest: Vec<CalibrationPoint> = points.iter().filter(|q| q.case != pt.case).cloned().collect();
        held_out.push((curve_probability(&fit_curve(&rest), pt.share, pt.top), pt));
    }
    let certainty = |p: f64| rootspan_core::rank::Certainty::of(p);
    let words: Vec<&str> = held_out.iter().map(|(p, _)| certainty(*p).name()).collect();
    let loco = Calibration::of(&held_out.iter().map(|(p, pt)| (*p, pt.hit)).collect::<Vec<_>>(), &words);
    let calm: Vec<f64> = held_out.iter().filter(|(_, pt)| pt.no_fault).map(|(p, _)| *p).collect();
    let faults: Vec<(f64, bool)> = held_out.iter().filter(|(_, pt)| !pt.no_fault).map(|(p, pt)| (*p, pt.hit)).collect();
    let count = |xs: &[f64], c: rootspan_core::rank::Certainty| xs.iter().filter(|p| certainty(**p) == c).count();
    let fault_ps: Vec<f64> = faults.iter().map(|(p, _)| *p).collect();
    let mut out = format!(
        "calibration curve fitted on all {} points: a={:.2} c={:.2} (p = share / (1 + exp(-(a + c * top))))\n",
        points.len(),
        curve[0],
        curve[1]
    );
    out += &format!("leave-one-case-out ({} fault windows, {} fault-free windows):\n", faults.len(), calm.len());
    out += &loco.to_text();
    out += &format!(
        "fault-free windows: stated clear {} of {} (false alarms), tentative {}, no clear root cause {}\n",
        count(&calm, rootspan_core::rank::Certainty::Clear),
        calm.len(),
        count(&calm, rootspan_core::rank::Certainty::Tentative),
        count(&calm, rootspan_core::rank::Certainty::NoClearCause)
    );
    out += &format!(
        "fault windows: stated clear {} of {} (of them right {}), tentative {}, no clear root cause {} (of them right {})\n",
        count(&fault_ps, rootspan_core::rank::Certainty::Clear),
        faults.len(),
        faults.iter().filter(|(p, hit)| *hit && certainty(*p) == rootspan_core::rank::Certainty::Clear).count(),
        count(&fault_ps, rootspan_core::rank::Certainty::Tentative),
        count(&fault_ps, rootspan_core::rank::Certainty::NoClearCause),
        faults.iter().filter(|(p, hit)| *hit && certainty(*p) == rootspan_core::rank::Certainty::NoClearCause).count(),
    );
    out
}

/// Cross-validation holding out whole groups (every system, or every fault type, in turn): a
/// group's cases are ranked under weights fitted on the other groups only, at the shipped
/// `SHIPPED_L2`. Per group and pooled over all, with bootstrap intervals. A group that is the
/// only one leaves nothing to fit on: its cases are ranked under the prior (every weight 1).
pub fn group_report(cases: &[FitCase], active: &[bool; KINDS.len()], what: &str, key: impl Fn(&FitCase) -> &str) -> String {
    let ranks = leave_group_out(cases, active, SHIPPED_L2, &key);
    let mut groups: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for (c, r) in cases.iter().zip(&ranks) {
        groups.entry(key(c)).or_default().push(*r);
    }
    let all = Accuracy::of(&ranks);
    let mut out = format!(
        "leave-one-{what}-out (l2={SHIPPED_L2}, {} groups): AC@1 {} AC@3 {} AC@5 {}\n",
        groups.len(),
        all.with_ci(1),
        all.with_ci(3),
        all.with_ci(5)
    );
    for (g, r) in &groups {
        let a = Accuracy::of(r);
        out += &format!("  held out {g:<20} {:>4} cases: AC@1 {} AC@3 {}\n", a.cases, a.with_ci(1), a.with_ci(3));
    }
    out
}

/// Each case's truth rank under weights fitted on the cases of every other group.
pub fn leave_group_out(cases: &[FitCase], active: &[bool; KINDS.len()], l2: f64, key: &impl Fn(&FitCase) -> &str) -> Vec<u32> {
    let mut fitted: BTreeMap<&str, [f64; KINDS.len()]> = BTreeMap::new();
    cases
        .iter()
        .map(|c| {
            let w = fitted.entry(key(c)).or_insert_with(|| {
                let rest: Vec<FitCase> = cases.iter().filter(|o| key(o) != key(c)).cloned().collect();
                fit(&rest, active, l2)
            });
            c.rank_under(w)
        })
        .collect()
}

/// The L2 strength the shipped weights were fitted at (`core/src/rank/weights.rs`).
pub const SHIPPED_L2: f64 = 0.03;

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
    fn bootstrap_intervals_hold_the_figure_and_narrow_with_more_cases() {
        let few: Vec<u32> = (0..10).map(|i| if i < 8 { 1 } else { 4 }).collect();
        let many: Vec<u32> = (0..200).map(|i| if i % 5 != 0 { 1 } else { 4 }).collect();
        let (a, b) = (bootstrap_ci(&few, 1), bootstrap_ci(&many, 1));
        assert!(a[0] < 0.8 && 0.8 < a[1] && b[0] < 0.8 && 0.8 < b[1], "{a:?} {b:?}");
        assert!(b[1] - b[0] < a[1] - a[0], "{a:?} {b:?}");
        assert_eq!(bootstrap_ci(&few, 5), [1.0, 1.0], "every case within 5");
        assert_eq!(bootstrap_ci(&few, 1), a, "deterministic");
    }

    #[test]
    fn summary_groups_faults() {
        let mk = |case: &str, rank, fault: &str, why: &str| CaseOutcome {
            case: case.into(),
            rank,
            fault: Some(fault.into()),
            fault_free: fault == NO_FAULT,
            instance_rank: Some(rank),
            why: why.into(),
            explained: !why.is_empty(),
            onset_error_s: None,
            probability: if rank == 1 { 0.9 } else { 0.1 },
            certainty: if rank == 1 { "clear" } else { "no_clear_cause" }.into(),
            top_score: 1.0,
            share: 1.0,
        };
        let calm = |case: &str, certainty: &str| CaseOutcome { rank: 0, certainty: certainty.into(), ..mk(case, 0, NO_FAULT, "z: noise") };
        let s = Summary::of(vec![
            mk("a", 1, "cpu", "x: cpu up"),
            mk("b", 4, "cpu", "y: slow"),
            mk("c", 1, "net", ""),
            calm("d", "clear"),
            calm("e", "no_clear_cause"),
            calm("f", "no_clear_cause"),
        ]);
        // Fault-free cases are no AC misses: 2 of the 3 faults rank first.
        assert_eq!((s.cases, s.ac1), (3, 2.0 / 3.0));
        assert!(!s.per_fault.contains_key(NO_FAULT));
        assert_eq!(s.fault_free, Some(FaultFree { cases: 3, clear: 1, tentative: 0, no_clear_cause: 2 }));
        assert!(s.to_text().contains("fault-free cases (not in the AC figures): 3; stated clear 1"), "{}", s.to_text());
        assert_eq!(s.per_case.len(), 6);
        assert_eq!(s.per_fault["cpu"].ac1, 0.5);
        assert_eq!(s.per_fault["net"].ac3, 1.0);
        assert_eq!(s.instance.as_ref().unwrap().cases, 3);
        assert_eq!((s.explained, s.explained_hits), (2, 1));
        assert!(s.to_text().contains("AC@1"));
        assert!(s.to_text().contains("x: cpu up"));
    }

    #[test]
    fn a_node_ranks_before_the_service_it_ties_with() {
        let x = |v: f64| {
            let mut out = [0.0; KINDS.len()];
            out[0] = v;
            out
        };
        // The node takes the score of "a-svc", which sorts before it by name.
        let case = |truth: &str| FitCase {
            candidates: vec![("a-svc".into(), x(2.0)), ("node w1".into(), x(2.0)), ("b-svc".into(), x(1.0))],
            nodes: ["node w1".to_string()].into(),
            truth: truth.into(),
            system: "s".into(),
            fault: "f".into(),
        };
        let w = [1.0; KINDS.len()];
        assert_eq!(case("node w1").rank_under(&w), 1);
        assert_eq!(case("a-svc").rank_under(&w), 2);
        assert_eq!(case("b-svc").rank_under(&w), 3);
    }

    #[test]
    fn the_curve_learns_that_a_wide_lead_is_a_hit() {
        // Strong evidence is mostly a hit, weak evidence mostly not.
        let pt = |case: &str, top: f64, hit: bool| CalibrationPoint { case: case.into(), no_fault: false, share: 0.95, top, hit };
        let points: Vec<CalibrationPoint> = (0..20).map(|i| pt(&format!("c{i}"), f64::from(i % 10), i % 10 >= 4 || i == 3)).collect();
        let w = fit_curve(&points);
        assert!(curve_probability(&w, 0.95, 9.0) > 0.8, "{w:?}");
        assert!(curve_probability(&w, 0.95, 1.0) < 0.3, "{w:?}");
        assert!(curve_probability(&w, 0.5, 9.0) < 0.5, "a tie halves it: {w:?}");
        let text = calibration_report(&points);
        assert!(text.contains("Brier"), "{text}");
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
            let (system, fault) = (format!("s{}", i % 2), format!("f{}", i % 3));
            let nodes = Default::default();
            cases.push(FitCase { candidates: vec![("a".into(), truth), ("b".into(), decoy)], nodes, truth: "a".into(), system, fault });
        }
        let active = [true; KINDS.len()];
        let w = fit(&cases, &active, 0.01);
        assert!(w[0] > w[1], "{w:?}");
        assert!(leave_one_out(&cases, &active, 0.01).iter().all(|r| *r == 1));
        assert!(leave_group_out(&cases, &active, 0.01, &|c: &FitCase| c.system.as_str()).iter().all(|r| *r == 1));
        assert!(group_report(&cases, &active, "fault type", |c| c.fault.as_str()).contains("held out f2"));
    }
}
