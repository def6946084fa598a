//! Log patterns: a one-pass template miner over log bodies (`mine_logs`: the stage's state,
//! `Mined`) and the per-template aggregation into the report's section (`aggregate`: counts,
//! buckets, levels, services, traces; new, surging and vanished in the window).

pub mod aggregate;
pub mod lines;
pub mod mask;
pub mod miner;
pub mod redact;
pub mod shape;
pub mod stats;
pub mod tokenize;

use serde::{Deserialize, Serialize};

pub use aggregate::{aggregate, ChangeKind, Pattern, PatternChange, PatternsReport};
pub use lines::LogLines;

use crate::model::Dataset;

/// Log pattern mining and aggregation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct PatternOptions {
    /// How many patterns the report lists, most records first (all are mined and counted). Default 50.
    pub max_patterns: usize,
    /// Sample messages kept per pattern (the first ones). Default 3.
    pub samples: usize,
    /// Trace ids listed per pattern (all distinct ones are counted). Default 5.
    pub trace_ids: usize,
    /// Replace e-mail addresses, IP addresses, bearer tokens and card-like numbers in the
    /// sample messages by `<email>`, `<ip>`, `<token>`, `<card>`. Default false.
    pub redact: bool,
    /// A rate change counts when its p-value is below this. Default 0.01.
    pub significance: f64,
    /// The least window/baseline rate ratio that counts as a surge; a drop is a ratio of at
    /// most its inverse. Default 2.
    pub min_ratio: f64,
}

impl Default for PatternOptions {
    fn default() -> Self {
        PatternOptions { max_patterns: 50, samples: 3, trace_ids: 5, redact: false, significance: 0.01, min_ratio: 2.0 }
    }
}

/// The patterns stage: every log record's body mined, in record order, with the messages
/// `options` list. Ranking reads this state; the report's `patterns` section is aggregated
/// from it at the end (`aggregate`).
pub fn mine_logs(ds: &Dataset, options: &PatternOptions) -> Mined {
    LogLines::read(ds, options).into_mined()
}

/// Lines mined into templates, with each line's template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mined {
    /// Templates, most frequent first (ties by text).
    pub templates: Vec<miner::Template>,
    /// For each input line in order, the index of its template in `templates`.
    pub assignment: Vec<u32>,
    /// For each template, its first records' messages as the report lists them (`mine_logs`;
    /// none from `mine`, which lists no samples).
    pub samples: Vec<Vec<String>>,
}

/// Constant words of a template that name its family.
const FAMILY_WORDS: usize = 8;

/// Templates grouped into families: for each template its family, and each family's first
/// (most frequent) template. A line's family is its template's (`LineGroups`), kept per
/// template rather than per line: a finish reads millions of lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Families {
    pub of_template: Vec<usize>,
    pub names: Vec<String>,
}

impl Mined {
    /// The templates grouped by their first `FAMILY_WORDS` constant words (`<*>` left out): a
    /// log statement whose variable part has a varying number of words (a list, an object
    /// dump) mines into one template per length, and counting each apart would read their
    /// chance swings as messages going missing. Ranking reads a line's family, and so does
    /// window detection (a family's share of the lines changing).
    pub fn families(&self) -> Families {
        let mut ids: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
        let mut names = Vec::new();
        let of_template: Vec<usize> = self
            .templates
            .iter()
            .map(|t| {
                let key: Vec<&str> = t.text.split(' ').filter(|w| *w != "<*>").take(FAMILY_WORDS).collect();
                *ids.entry(key.join(" ")).or_insert_with(|| {
                    names.push(t.text.clone());
                    names.len() - 1
                })
            })
            .collect();
        Families { of_template, names }
    }

    /// Each line's family, through its template (`families`).
    pub fn line_groups<'a>(&'a self, families: &'a Families) -> crate::window::LineGroups<'a> {
        crate::window::LineGroups { template: &self.assignment, group: &families.of_template, names: &families.names }
    }
}

/// What the raw ABI's `mine` command returns: the miner's result alone, for hosts that only
/// parse log lines into templates (and for the benchmark against Drain, which does only that).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MineRun {
    /// Templates, most lines first (ties by text).
    pub templates: Vec<MinedTemplate>,
    /// For each line in input order, the index of its template in `templates`.
    pub assignments: Vec<u32>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MinedTemplate {
    /// The pattern id, as in the patterns command and the report.
    pub id: String,
    pub template: String,
    pub count: u64,
}

impl From<Mined> for MineRun {
    fn from(mined: Mined) -> MineRun {
        let templates = mined
            .templates
            .into_iter()
            .map(|t| MinedTemplate { id: aggregate::pattern_id(&t.text), template: t.text, count: t.count })
            .collect();
        MineRun { templates, assignments: mined.assignment }
    }
}

/// Mines `lines` in one pass (the standalone entry: no correlation, no times).
pub fn mine<'a>(lines: impl IntoIterator<Item = &'a str>) -> Mined {
    let mut m = shape::ShapeMiner::default();
    let signatures: Vec<u32> = lines.into_iter().map(|l| m.add(l)).collect();
    let t = m.miner.templates();
    Mined {
        assignment: signatures.iter().map(|s| t.of_signature[*s as usize]).collect(),
        samples: vec![Vec::new(); t.list.len()],
        templates: t.list,
    }
}
