//! Timestamps: ns since the epoch inside, RFC 3339 or epoch milliseconds outside.
//! Hand-written (days-from-civil) so the core needs no date crate and native and wasm agree.

/// The earliest time rootspan accepts from data or flags: the epoch.
pub const MIN_NS: i64 = 0;
/// The end of the accepted range, 2200-01-01T00:00:00Z. Telemetry is stamped by clocks of
/// this era; a time past this (or before 1970) is a decoding error or an overflow sentinel
/// (`-1`, `i64::MAX`, `u64::MAX`), and keeping it would move the detected window to 1677 or
/// 2262. Ranges further apart than this would also overflow the ns arithmetic downstream.
pub const MAX_NS: i64 = 7_258_118_400 * 1_000_000_000;

/// `ns` when it lies in the accepted range `[MIN_NS, MAX_NS)`, else why not (for diagnostics
/// and usage errors).
pub fn check_range(ns: i64) -> Result<i64, String> {
    if (MIN_NS..MAX_NS).contains(&ns) {
        Ok(ns)
    } else {
        Err(format!("time {ns} ns is outside the accepted range 1970-01-01..2200-01-01"))
    }
}

/// Parses RFC 3339 (`2023-01-29T08:43:00Z`, `...T08:43:00.123456789+08:00`) or an integer /
/// decimal count of epoch milliseconds. Returns ns since the epoch. Only the ASCII shape is
/// matched byte by byte, so any other character (`+€0`) is an error, never a slice inside a
/// character.
pub fn parse_timestamp(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let (sign, digits) = t.strip_prefix('-').map_or((1.0, t), |rest| (-1.0, rest));
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let ms: f64 = digits.parse().map_err(|_| format!("not a timestamp: {t:?}"))?;
        let ns = (sign * ms * 1e6).round();
        // `as i64` saturates: refuse instead of turning 1e30 ms into year 292277026596.
        if !(ns.is_finite() && ns.abs() < 9.2e18) {
            return Err(format!("epoch milliseconds out of range: {t:?}"));
        }
        return Ok(ns as i64);
    }
    let ns = parse_rfc3339(t).ok_or_else(|| format!("not an RFC 3339 time or epoch milliseconds: {t:?}"))?;
    // Past 2262 a time has no i64 ns; say it is out of range rather than unreadable.
    i64::try_from(ns).map_err(|_| format!("time {t:?} is outside the accepted range 1970-01-01..2200-01-01"))
}

/// Unsigned decimal digits `b[r]`, none other (`str::parse` would take a `+`).
fn digits_at(b: &[u8], r: std::ops::Range<usize>) -> Option<i64> {
    let d = b.get(r)?;
    d.iter().all(u8::is_ascii_digit).then(|| d.iter().fold(0i64, |n, c| n * 10 + i64::from(c - b'0')))
}

/// ns since the epoch, as i128 so that a well-formed year 9999 is told apart from garbage.
fn parse_rfc3339(t: &str) -> Option<i128> {
    let b = t.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| digits_at(b, r);
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    // Bytes from here on: the shape is ASCII, and a byte slice cannot split a character.
    let mut rest = &b[19..];
    let mut nanos: i64 = 0;
    if let Some(frac) = rest.strip_prefix(b".") {
        let digits = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        for (i, c) in frac[..digits].iter().enumerate().take(9) {
            nanos += i64::from(c - b'0') * 10i64.pow(8 - i as u32);
        }
        rest = &frac[digits..];
    }
    let offset_s = match rest {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (hours, minutes) = (digits_at(rest, 1..3)?, digits_at(rest, 4..6)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let sign = if *sign == b'-' { -1 } else { 1 };
            sign * (hours * 3600 + minutes * 60)
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_s;
    Some(i128::from(secs) * 1_000_000_000 + i128::from(nanos))
}

/// Formats ns since the epoch as RFC 3339 UTC, with as many fractional digits as needed
/// (none, 3, 6 or 9), so whole seconds read cleanly.
pub fn format_rfc3339(ns: i64) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    let nanos = ns.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let frac = match nanos {
        0 => String::new(),
        n if n % 1_000_000 == 0 => format!(".{:03}", n / 1_000_000),
        n if n % 1_000 == 0 => format!(".{:06}", n / 1_000),
        n => format!(".{n:09}"),
    };
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{frac}Z", sod / 3600, sod % 3600 / 60, sod % 60)
}

// Howard Hinnant's algorithms, public domain.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_known_times() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_timestamp("2023-01-29T08:43:00Z"), Ok(1_674_981_780_000_000_000));
        assert_eq!(parse_timestamp("2023-01-29T16:43:00.5+08:00"), Ok(1_674_981_780_500_000_000));
        assert_eq!(parse_timestamp("1674981780000"), Ok(1_674_981_780_000_000_000));
        assert!(parse_timestamp("2023-13-01T00:00:00Z").is_err());
        assert!(parse_timestamp("yesterday").is_err());
        assert_eq!(parse_timestamp("-1.5"), Ok(-1_500_000));
    }

    #[test]
    fn hostile_text_is_an_error_not_a_panic() {
        for bad in [
            "2023-01-29T08:43:00+€00",
            "2023-01-29T08:43:00+0€:00",
            "2023-01-29T08:43:00.€",
            "2023-01-29T08:43:0€",
            "€023-01-29T08:43:00Z",
            "+023-01-29T08:43:00Z",
            "2023-01-29T08:43:00+24:00",
            "2023-01-29T08:43:00+01:60",
            "99999999999999999999999999999",
            "1--2",
            "-",
            "",
        ] {
            assert!(parse_timestamp(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_accepted_range_is_1970_to_2200() {
        assert_eq!(check_range(0), Ok(0));
        assert_eq!(parse_timestamp("2200-01-01T00:00:00Z"), Ok(MAX_NS));
        assert!(check_range(MAX_NS).is_err());
        assert!(check_range(-1).unwrap_err().contains("1970-01-01..2200-01-01"));
        assert!(parse_timestamp("3000-01-01T00:00:00Z").unwrap_err().contains("outside the accepted range"));
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(ns in -4_000_000_000_000_000_000i64..4_000_000_000_000_000_000i64) {
            prop_assert_eq!(parse_timestamp(&format_rfc3339(ns)), Ok(ns));
        }

        #[test]
        fn any_text_parses_or_errs(text in "(2023-01-29[T ]08:43:00)?\\PC{0,12}") {
            let _ = parse_timestamp(&text);
            let _ = crate::ingest::text::leading_timestamp(&text);
        }
    }
}
