//! How sure the ranking is: a probability that the top candidate is the root cause, the product
//! of two parts. *Which one*: the top candidate's share of the ranking, `1 / sum exp(s_i - s_1)`
//! over every service's score, the conditional logit the weights were fitted for (a tie halves
//! it). *Whether any*: a logistic curve of the top score, `1 / (1 + exp(-(a + c * s_1)))`,
//! fitted on labelled incidents and on fault-free windows (`rootspan-eval rank --calibrate`,
//! see docs/ranking.md): weak evidence everywhere means no clear cause. The scores are weighted
//! sums of log-scaled evidence on one scale across incidents (`fuse`), so one curve serves every
//! incident; it holds for the fitted weights and all sources, not for weights or sources an
//! option replaces.

use serde::{Deserialize, Serialize};

/// The curve `[a, c]` of the top score, fitted by `rootspan-eval rank
/// testdata/rca/nezha-tt/dev target/sim/seed1 --native --calibrate` on the weights' fitting
/// set, 24 Nezha dev and 128 generated incidents (given windows: is the top candidate the
/// truth) and one window per incident before its recorded injection (the top candidate
/// counted as never the cause). Fitted on the 24 Nezha incidents alone it stated 3 of 24
/// fault-free windows clear and 15 of 128 on the held-out seed 2.
pub const CURVE: [f64; 2] = [-4.05, 0.67];

/// At or above this probability the ranking is stated as clear.
const CLEAR: f64 = 0.7;
/// Below this probability the report says there is no clear root cause.
const UNCLEAR: f64 = 0.4;

/// How sure the ranking is, in words a reader acts on.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Certainty {
    /// The top candidate stands out: start there.
    Clear,
    /// The top candidate leads, but the next ones deserve a look.
    Tentative,
    /// No clear root cause: the evidence is weak or split between candidates.
    NoClearCause,
}

impl Certainty {
    /// The certainty a probability states.
    pub fn of(probability: f64) -> Certainty {
        if probability >= CLEAR {
            Certainty::Clear
        } else if probability >= UNCLEAR {
            Certainty::Tentative
        } else {
            Certainty::NoClearCause
        }
    }

    /// The name the report gives it.
    pub fn name(self) -> &'static str {
        match self {
            Certainty::Clear => "clear",
            Certainty::Tentative => "tentative",
            Certainty::NoClearCause => "no_clear_cause",
        }
    }
}

/// How sure the ranking is about its top candidate.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Confidence {
    /// The calibrated probability that the top candidate is the root cause (0 when there is
    /// none), rounded to 0.01.
    pub probability: f64,
    /// `clear` (probability >= 0.7), `tentative`, or `no_clear_cause` (below 0.4: the report
    /// says "no clear root cause").
    pub certainty: Certainty,
    /// The top candidate's share of the ranking (`1 / sum exp(s_i - s_1)`), rounded to 0.001.
    pub share: f64,
    /// The top candidate's score minus the runner-up's (its score when it has none).
    pub margin: f64,
    /// One plain sentence: how sure, and what to do with it.
    pub phrase: String,
}

impl Confidence {
    /// From the scores of every service, best first, and the top candidate's name.
    pub fn of(scores: &[f64], top: Option<&str>) -> Confidence {
        let (Some(name), Some(first)) = (top, scores.first()) else {
            return Confidence {
                probability: 0.0,
                certainty: Certainty::NoClearCause,
                share: 0.0,
                margin: 0.0,
                phrase: "No clear root cause: nothing to rank.".into(),
            };
        };
        let margin = first - scores.get(1).copied().unwrap_or(0.0);
        let share = 1.0 / scores.iter().map(|s| libm::exp(s - first)).sum::<f64>();
        let probability = Confidence::probability_on(&CURVE, share, *first);
        let certainty = Certainty::of(probability);
        let percent = libm::round(probability * 100.0);
        let phrase = match certainty {
            Certainty::Clear => format!("Clear root cause: {name} ({percent}% sure)."),
            Certainty::Tentative => format!("Probably {name} ({percent}% sure): check the next candidates too."),
            Certainty::NoClearCause => format!("No clear root cause: the strongest candidate, {name}, is {percent}% sure."),
        };
        let thousandths = |x: f64| libm::round(x * 1000.0) / 1000.0;
        Confidence { probability: percent / 100.0, certainty, share: thousandths(share), margin: thousandths(margin), phrase }
    }

    /// The probability for the top candidate's `share` of the ranking and its score `top`
    /// under the curve `[a, c]`; the shipped curve is `CURVE`, the calibration fits others.
    pub fn probability_on(curve: &[f64; 2], share: f64, top: f64) -> f64 {
        let [a, c] = *curve;
        share / (1.0 + libm::exp(-(a + c * top)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wide_lead_is_clear_a_tie_is_not_and_nothing_is_nothing() {
        let wide = Confidence::of(&[12.0, 1.0, 0.5], Some("db"));
        assert_eq!(wide.certainty, Certainty::Clear, "{wide:?}");
        assert!(wide.phrase.contains("db"), "{wide:?}");
        let tie = Confidence::of(&[3.0, 3.0], Some("db"));
        assert_eq!(tie.certainty, Certainty::NoClearCause, "{tie:?}");
        assert!(tie.phrase.starts_with("No clear root cause"), "{tie:?}");
        assert!(tie.probability < wide.probability);
        let none = Confidence::of(&[], None);
        assert_eq!((none.probability, none.certainty), (0.0, Certainty::NoClearCause));
    }

    #[test]
    fn probability_grows_with_the_lead_and_a_tie_halves_it() {
        let ps: Vec<f64> = [0.0, 1.0, 2.0, 4.0, 8.0].iter().map(|m| Confidence::of(&[5.0 + m, 5.0], Some("x")).probability).collect();
        assert!(ps.windows(2).all(|p| p[0] < p[1]), "{ps:?}");
        let alone = Confidence::of(&[6.0], Some("x"));
        let tied = Confidence::of(&[6.0, 6.0], Some("x"));
        assert!((tied.probability - alone.probability / 2.0).abs() <= 0.01, "{alone:?} {tied:?}");
    }
}
