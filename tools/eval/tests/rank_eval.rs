//! `rootspan-eval rank` as its users run it: the ranking's bar on the real Nezha faults.

use std::process::Command;

/// `rootspan-eval rank --format json` over the Nezha dev cases, with these sources.
fn eval_nezha(sources: &str) -> serde_json::Value {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/rca/nezha-tt/dev");
    let out = Command::new(env!("CARGO_BIN_EXE_rootspan-eval"))
        .args(["rank", dir, "--native", "--format", "json", "--sources", sources])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}
/// The ranking's bar on real faults, and the ablations it must beat; a regression in any
/// evidence module or in the weights shows here (docs/ranking.md has the full figures).
#[test]
fn eval_ranks_the_real_faults_first_with_a_reason_and_beats_every_single_source() {
    let all = eval_nezha("traces,logs,metrics");
    let (ac1, ac3) = (all["ac1"].as_f64().unwrap(), all["ac3"].as_f64().unwrap());
    assert!(ac1 >= 0.85 && ac3 >= 0.95, "AC@1 {ac1}, AC@3 {ac3}");
    assert_eq!(all["cases"], 24);
    assert_eq!(all["explained"], 24, "every top candidate says why: {all}");
    for case in all["per_case"].as_array().unwrap() {
        assert!(case["why"].as_str().unwrap().contains(": "), "{case}");
    }
    for single in ["traces", "logs", "metrics"] {
        let one = eval_nezha(single);
        let (one1, one3) = (one["ac1"].as_f64().unwrap(), one["ac3"].as_f64().unwrap());
        assert!(ac1 > one1 && ac3 > one3, "{single} alone: AC@1 {one1}, AC@3 {one3}");
    }
}
