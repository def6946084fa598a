//! Template-mining accuracy, one configuration for every input: the generated log-style corpus
//! (`testdata/logstyles`, 14 styles a Go/Java/Python fleet writes, labelled by construction) and
//! the Loghub-2k development datasets (Loghub-2.0 corrected labels). The miner has no per-style
//! or per-dataset setting, so each figure is a leave-one-style-out figure: nothing was chosen for
//! the set being scored. The floors (see `FLOORS`) are the targets, met on every set, and
//! the means as measured (so CI catches a regression).
//!
//! `ROOTSPAN_SHOW_ERRORS=<set>` prints each mined group of that set that is not exactly a true group.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rootspan_core::patterns::mine;
use rootspan_eval::accuracy::{self, LOGHUB_DEV, LOG_STYLES};

fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// (content, true template) per line of a labelled set.
fn load(dir: &str, name: &str) -> Vec<(String, String)> {
    let csv = testdata().join(dir).join(name).join(format!("{name}_2k.log_structured_corrected.csv"));
    let path = if csv.exists() { csv } else { csv.with_extension("csv.gz") };
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = accuracy::labelled_text(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rows = accuracy::read_structured(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(rows.len(), 2000, "{name}");
    rows
}

fn show_errors(truth: &[&str], predicted: &[&str]) {
    let mut groups: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    let mut true_sizes: BTreeMap<&str, usize> = BTreeMap::new();
    for (t, p) in truth.iter().zip(predicted) {
        *groups.entry(p).or_default().entry(t).or_default() += 1;
        *true_sizes.entry(t).or_default() += 1;
    }
    for (p, ts) in &groups {
        let exact = ts.len() == 1 && ts.iter().all(|(t, n)| true_sizes[t] == *n && t == p);
        if !exact {
            println!("mined {p}");
            for (t, n) in ts {
                println!("   {n:5} of {:5} {t}", true_sizes[t]);
            }
        }
    }
}

fn score(dir: &str, name: &str) -> accuracy::Accuracy {
    let rows = load(dir, name);
    let mined = mine(rows.iter().map(|(content, _)| content.as_str()));
    let predicted: Vec<&str> = mined.assignment.iter().map(|t| mined.templates[*t as usize].text.as_str()).collect();
    let truth: Vec<&str> = rows.iter().map(|(_, t)| t.as_str()).collect();
    if std::env::var_os("ROOTSPAN_SHOW_ERRORS").is_some_and(|v| v == name) {
        show_errors(&truth, &predicted);
    }
    let a = accuracy::evaluate(&truth, &predicted);
    println!(
        "{name:15} GA {:.3} FGA {:.3} PA {:.3} FTA {:.3} templates {} / {}",
        a.ga, a.fga, a.pa, a.fta, a.predicted_templates, a.true_templates
    );
    a
}

/// The floors CI holds: every set's GA, the mean PA over all sets, and the template count
/// against the true count per set.
struct Floors {
    /// The target for every set.
    ga: f64,
    mean_ga: f64,
    mean_pa: f64,
    templates_ratio: f64,
}

const FLOORS: Floors = Floors { ga: 0.90, mean_ga: 0.98, mean_pa: 0.90, templates_ratio: 2.0 };

#[test]
fn accuracy_on_every_style_and_loghub_dataset_meets_the_floors() {
    let sets = LOG_STYLES.iter().map(|s| ("logstyles", *s)).chain(LOGHUB_DEV.iter().map(|d| ("loghub-2k", *d)));
    let scored: Vec<(&str, accuracy::Accuracy)> = sets.map(|(dir, name)| (name, score(dir, name))).collect();
    let n = scored.len() as f64;
    let mean = |f: fn(&accuracy::Accuracy) -> f64| scored.iter().map(|(_, a)| f(a)).sum::<f64>() / n;
    let (ga, pa) = (mean(|a| a.ga), mean(|a| a.pa));
    println!("{:15} GA {ga:.3} FGA {:.3} PA {pa:.3} FTA {:.3}", "mean", mean(|a| a.fga), mean(|a| a.fta));
    let low: Vec<String> =
        scored.iter().filter(|(_, a)| a.ga < FLOORS.ga).map(|(s, a)| format!("{s} GA {:.3} < {}", a.ga, FLOORS.ga)).collect();
    assert!(low.is_empty(), "GA below its floor: {low:?}");
    assert!(ga >= FLOORS.mean_ga, "mean GA {ga:.3} < {}", FLOORS.mean_ga);
    assert!(pa >= FLOORS.mean_pa, "mean PA {pa:.3} < {}", FLOORS.mean_pa);
    let many: Vec<String> = scored
        .iter()
        .filter(|(_, a)| a.predicted_templates as f64 > FLOORS.templates_ratio * a.true_templates as f64)
        .map(|(s, a)| format!("{s} {} / {}", a.predicted_templates, a.true_templates))
        .collect();
    assert!(many.is_empty(), "more than {}x the true templates: {many:?}", FLOORS.templates_ratio);
}
