//! Template-mining accuracy on the Loghub-2k development datasets (Loghub-2.0 corrected labels),
//! one configuration for all of them. The bars are the acceptance bars.

use rootspan_core::patterns::mine;
use rootspan_eval::accuracy;

const DATASETS: [&str; 7] = ["Apache", "Hadoop", "HealthApp", "Linux", "OpenSSH", "Proxifier", "Thunderbird"];

fn data_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/loghub-2k")
}

#[test]
fn loghub_2k_accuracy_meets_the_bars() {
    let mut sum = accuracy::Accuracy { ga: 0.0, fga: 0.0, pa: 0.0, fta: 0.0, lines: 0, true_templates: 0, predicted_templates: 0 };
    let mut worst_ga = 1.0f64;
    for name in DATASETS {
        let path = data_dir().join(name).join(format!("{name}_2k.log_structured_corrected.csv"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let rows = accuracy::read_structured(&text).unwrap();
        assert_eq!(rows.len(), 2000, "{name}");
        let mined = mine(rows.iter().map(|(content, _)| content.as_str()));
        let predicted: Vec<&str> = mined.assignment.iter().map(|t| mined.templates[*t as usize].text.as_str()).collect();
        let truth: Vec<&str> = rows.iter().map(|(_, t)| t.as_str()).collect();
        let a = accuracy::evaluate(&truth, &predicted);
        if std::env::var_os("ROOTSPAN_SHOW_ERRORS").is_some_and(|v| v == name) {
            // Each mined group that is not exactly a true group, with the true templates it holds.
            let mut groups: std::collections::BTreeMap<&str, std::collections::BTreeMap<&str, usize>> = Default::default();
            for (t, p) in truth.iter().zip(&predicted) {
                *groups.entry(p).or_default().entry(t).or_default() += 1;
            }
            let mut true_sizes: std::collections::BTreeMap<&str, usize> = Default::default();
            for t in &truth {
                *true_sizes.entry(t).or_default() += 1;
            }
            for (p, ts) in &groups {
                let exact = ts.len() == 1 && ts.iter().all(|(t, n)| true_sizes[t] == *n);
                if !exact {
                    println!("mined {p}");
                    for (t, n) in ts {
                        println!("   {n:5} of {:5} {t}", true_sizes[t]);
                    }
                }
            }
        }
        println!(
            "{name:12} GA {:.3} FGA {:.3} PA {:.3} FTA {:.3} templates {} / {}",
            a.ga, a.fga, a.pa, a.fta, a.predicted_templates, a.true_templates
        );
        sum.ga += a.ga / 7.0;
        sum.fga += a.fga / 7.0;
        sum.pa += a.pa / 7.0;
        sum.fta += a.fta / 7.0;
        worst_ga = worst_ga.min(a.ga);
    }
    println!("{:12} GA {:.3} FGA {:.3} PA {:.3} FTA {:.3}", "mean", sum.ga, sum.fga, sum.pa, sum.fta);
    assert!(sum.ga >= 0.92, "mean GA {:.3} < 0.92", sum.ga);
    assert!(sum.pa >= 0.65, "mean PA {:.3} < 0.65", sum.pa);
    assert!(worst_ga >= 0.80, "a dataset has GA {worst_ga:.3} < 0.80");
}
