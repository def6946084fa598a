//! The rate-change test: is a pattern's count in the window out of line with its count in
//! the baseline, given how long each lasted?
//!
//! Under "same rate", a pattern's `n = window + baseline` records fall in the window with
//! probability `p = window duration / (window + baseline duration)`, so the window count is
//! Binomial(n, p) (the conditional test for two Poisson rates). The p-value of a surge is the
//! upper tail, of a drop the lower tail, summed exactly in log space (libm, so every home
//! computes the same bits).

/// `ln C(n, k) + k ln p + (n - k) ln (1 - p)`.
fn ln_pmf(n: u64, k: u64, ln_p: f64, ln_q: f64) -> f64 {
    let (n, k) = (n as f64, k as f64);
    libm::lgamma(n + 1.0) - libm::lgamma(k + 1.0) - libm::lgamma(n - k + 1.0) + k * ln_p + (n - k) * ln_q
}

/// Sums pmf(k), pmf(k+step), ... while terms matter; the terms shrink away from the mode.
fn tail_from(n: u64, k: u64, p: f64, upward: bool) -> f64 {
    let (ln_p, ln_q) = (libm::log(p), libm::log1p(-p));
    let mut sum = 0.0;
    let mut j = k;
    loop {
        let term = libm::exp(ln_pmf(n, j, ln_p, ln_q));
        sum += term;
        if term < sum * 1e-17 || (upward && j == n) || (!upward && j == 0) {
            break;
        }
        j = if upward { j + 1 } else { j - 1 };
    }
    sum.min(1.0)
}

/// P(X >= k) for X ~ Binomial(n, p).
pub fn upper_tail(n: u64, k: u64, p: f64) -> f64 {
    if k == 0 || p >= 1.0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    if (k as f64) >= n as f64 * p {
        tail_from(n, k, p, true)
    } else {
        1.0 - tail_from(n, k - 1, p, false)
    }
}

/// P(X <= k) for X ~ Binomial(n, p).
pub fn lower_tail(n: u64, k: u64, p: f64) -> f64 {
    if k >= n {
        return 1.0;
    }
    upper_tail(n, n - k, 1.0 - p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails_match_hand_computed_values() {
        // Binomial(4, 0.5): P(X >= 3) = 5/16, P(X <= 1) = 5/16, P(X >= 4) = 1/16.
        assert!((upper_tail(4, 3, 0.5) - 5.0 / 16.0).abs() < 1e-12);
        assert!((lower_tail(4, 1, 0.5) - 5.0 / 16.0).abs() < 1e-12);
        assert!((upper_tail(4, 4, 0.5) - 1.0 / 16.0).abs() < 1e-12);
        // Binomial(10, 0.2): P(X >= 1) = 1 - 0.8^10.
        assert!((upper_tail(10, 1, 0.2) - (1.0 - 0.8f64.powi(10))).abs() < 1e-12);
        assert_eq!(upper_tail(5, 0, 0.3), 1.0);
        assert_eq!(upper_tail(5, 6, 0.3), 0.0);
        assert_eq!(lower_tail(5, 5, 0.3), 1.0);
    }

    #[test]
    fn large_counts_are_fast_and_sane() {
        // 1000 of 1000 records in a window that is half the time: astronomically unlikely.
        assert!(upper_tail(1000, 1000, 0.5) < 1e-300);
        // Exactly the expected share: not significant either way.
        assert!(upper_tail(1_000_000, 500_000, 0.5) > 0.49);
        assert!(lower_tail(1_000_000, 500_000, 0.5) > 0.49);
    }
}
