//! Statistics the evidence modules share: count surprises and duration growth (on the base
//! layer's robust statistics).

use crate::base::stats::median;

/// How surprising `observed` events are when `expected` were due: a Poisson-style
/// standardised difference, (observed - expected) / sqrt(expected + 1). Positive = surplus.
pub fn count_surprise(observed: f64, expected: f64) -> f64 {
    (observed - expected) / libm::sqrt(expected + 1.0)
}

/// Growth of a typical duration, as the natural log of the ratio of medians, with `floor_ns`
/// added to both so sub-millisecond jitter does not read as growth. `None` below 3 samples.
pub fn log_growth(window: &[f64], baseline: &[f64], floor_ns: f64) -> Option<f64> {
    if window.len() < 3 || baseline.len() < 3 {
        return None;
    }
    let (w, b) = (median(window)?, median(baseline)?);
    Some(libm::log((w + floor_ns) / (b + floor_ns)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surprise_and_growth() {
        assert_eq!(count_surprise(3.0, 3.0), 0.0);
        assert!(count_surprise(0.0, 8.0) < -2.6);
        assert_eq!(log_growth(&[1.0, 2.0], &[1.0, 1.0, 1.0], 0.0), None);
        let g = log_growth(&[20.0, 20.0, 20.0], &[10.0, 10.0, 10.0], 0.0).unwrap();
        assert!((g - std::f64::consts::LN_2).abs() < 1e-12);
    }
}
