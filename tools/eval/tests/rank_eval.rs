//! `rootspan-eval rank` as its users run it: the ranking's bar on the real Nezha faults.

use std::process::Command;

/// `rootspan-eval rank --format json` over the Nezha dev cases, with these sources and windows.
fn eval_nezha_with(sources: &str, windows: &str) -> serde_json::Value {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/rca/nezha-tt/dev");
    let out = Command::new(env!("CARGO_BIN_EXE_rootspan-eval"))
        .args(["rank", dir, "--native", "--format", "json", "--sources", sources, "--windows", windows])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn eval_nezha(sources: &str) -> serde_json::Value {
    eval_nezha_with(sources, "given")
}

/// With the windows the tool finds itself (the panel's default). The AC@1 bar is issue 13's
/// target for detected windows (0.80; measured 0.875, 21 of 24: docs/ranking.md), not a level
/// fitted to these cases: the detector's settings were chosen on these cases and simulator seed
/// 1, and reach 0.820 and 0.852 on the held-out seeds 2 and 3. A regression in onset detection
/// shows here.
#[test]
fn eval_with_detected_windows_finds_the_onsets_and_the_faults() {
    let all = eval_nezha_with("traces,logs,metrics", "detected");
    let (ac1, ac3) = (all["ac1"].as_f64().unwrap(), all["ac3"].as_f64().unwrap());
    assert!(ac1 >= 0.80 && ac3 >= 0.95, "AC@1 {ac1}, AC@3 {ac3}");
    let onset = &all["onset"];
    assert_eq!(onset["cases"], 24, "{onset}");
    assert!(onset["median_abs_s"].as_f64().unwrap() < 60.0, "{onset}");
    assert!(onset["within_60s"].as_u64().unwrap() >= 17, "{onset}");
    assert_eq!(onset["late"], 0, "no window starts more than a minute after its fault: {onset}");
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

/// The confidence on windows before each recorded injection (bench-results/ranking.md): the
/// issue's goal, at most 10% of fault-free windows with a confident ("clear") top candidate
/// (2 of 24 measured: 1215, whose own fault shows before its recorded injection, and 1104,
/// where another service is already slow), and most say "no clear root cause" (21 of 24
/// measured).
#[test]
fn fault_free_windows_rarely_get_a_clear_root_cause() {
    let calm = eval_nezha_with("traces,logs,metrics", "no-fault");
    let c = &calm["fault_free"];
    assert_eq!(c["cases"], 24);
    // No truth to hit or miss: they are not AC figures.
    assert_eq!(calm["cases"], 0, "{calm}");
    let clear = c["clear"].as_u64().unwrap();
    assert!(clear as f64 <= 0.10 * 24.0, "{c}");
    assert!(c["no_clear_cause"].as_u64().unwrap() >= 19, "{c}");
    assert_eq!(calm["calibration"]["clear"], c["clear"], "the calibration still reads them: {calm}");
}
