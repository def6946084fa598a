//! Robust statistics: the median and the median absolute deviation. Window detection and the
//! ranking's evidence both standardise with them.

/// The median of `xs` (NaN-free), or `None` when empty. Sorts a copy.
pub fn median(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}

/// Median absolute deviation around `center`, scaled by 1.4826 so it estimates a standard
/// deviation for normal data.
pub fn mad(xs: &[f64], center: f64) -> f64 {
    let dev: Vec<f64> = xs.iter().map(|x| (x - center).abs()).collect();
    1.4826 * median(&dev).unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_mad() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert!((mad(&[1.0, 2.0, 3.0, 100.0], 2.5) - 1.4826).abs() < 1e-9);
    }
}
