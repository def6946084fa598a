//! Fusion: each component's raw value becomes a value the weights multiply,
//! `ln(1 + raw) * (1 + contrast)`: the evidence on a log scale (a z of 50 is not ten times a
//! z of 5), doubled when the candidate alone shows it and cancelled when another candidate
//! shows twice as much. A duration's growth (`trace_edge_gap`, `trace_self_time`) is already
//! the log of a ratio: it is taken as it is, `raw * (1 + contrast)`, not logged a second time
//! (which squeezed a 20-fold delay to 1.4, under a mild error surplus). The contrast is how far a candidate stands ahead of (or behind) the
//! strongest other candidate in that component, as a share of the strongest, in [-1, 1]:
//! it keeps a signal that flags many services at once (noise) from outweighing one that
//! singles out one service. The score is the weighted sum of the values.

use super::evidence::{Finding, Kind, KINDS};

/// Contrast of every entity in every component: `(x - max of the others) / max`, in [-1, 1];
/// 0 for components nobody shows.
pub fn contrasts(findings: &[[Option<Finding>; KINDS.len()]]) -> Vec<[f64; KINDS.len()]> {
    let mut out = vec![[0.0; KINDS.len()]; findings.len()];
    for k in 0..KINDS.len() {
        let xs: Vec<f64> = findings.iter().map(|f| f[k].as_ref().map_or(0.0, |f| f.value)).collect();
        let (mut best, mut second) = (0.0f64, 0.0f64);
        for x in &xs {
            if *x > best {
                second = best;
                best = *x;
            } else if *x > second {
                second = *x;
            }
        }
        if best <= 0.0 {
            continue;
        }
        for (e, x) in xs.iter().enumerate() {
            let other = if *x == best { second } else { best };
            out[e][k] = (x - other) / best;
        }
    }
    out
}

/// The value a component's weight multiplies.
pub fn value(kind: Kind, raw: f64, contrast: f64) -> f64 {
    let scaled = if kind.is_log_ratio() { raw.max(0.0) } else { libm::log1p(raw.max(0.0)) };
    scaled * (1.0 + contrast)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(values: &[f64]) -> Vec<[Option<Finding>; KINDS.len()]> {
        values
            .iter()
            .map(|v| {
                let mut f: [Option<Finding>; KINDS.len()] = Default::default();
                if *v > 0.0 {
                    f[0] = Some(Finding { value: *v, ..Default::default() });
                }
                f
            })
            .collect()
    }

    #[test]
    fn contrast_is_lead_over_the_best_other() {
        let c = contrasts(&with(&[4.0, 1.0, 0.0]));
        assert_eq!((c[0][0], c[1][0], c[2][0]), (0.75, -0.75, -1.0));
        assert_eq!(c[0][1], 0.0);
        let tie = contrasts(&with(&[2.0, 2.0]));
        assert_eq!((tie[0][0], tie[1][0]), (0.0, 0.0));
        assert_eq!(value(Kind::ErrorOrigin, 0.0, 1.0), 0.0);
        assert!((value(Kind::ErrorOrigin, std::f64::consts::E - 1.0, 1.0) - 2.0).abs() < 1e-12);
        // A log growth is not logged again.
        assert_eq!(value(Kind::EdgeGap, 2.0, 0.5), 3.0);
    }
}
