//! Timestamps: ns since the epoch inside, RFC 3339 or epoch milliseconds outside.
//! Hand-written (days-from-civil) so the core needs no date crate and native and wasm agree.

/// Parses RFC 3339 (`2023-01-29T08:43:00Z`, `...T08:43:00.123456789+08:00`) or an integer /
/// decimal count of epoch milliseconds. Returns ns since the epoch.
pub fn parse_timestamp(text: &str) -> Result<i64, String> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-') && !t[1..].contains('-') {
        let ms: f64 = t.parse().map_err(|_| format!("not a timestamp: {t:?}"))?;
        return Ok((ms * 1e6).round() as i64);
    }
    parse_rfc3339(t).ok_or_else(|| format!("not an RFC 3339 time or epoch milliseconds: {t:?}"))
}

fn parse_rfc3339(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> { t.get(r)?.parse().ok() };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &t[19..];
    let mut nanos: i64 = 0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        for (i, c) in frac[..digits].bytes().enumerate().take(9) {
            nanos += i64::from(c - b'0') * 10i64.pow(8 - i as u32);
        }
        rest = &frac[digits..];
    }
    let offset_s = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && (rest.starts_with('+') || rest.starts_with('-')) && &rest[3..4] == ":" => {
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            sign * (rest[1..3].parse::<i64>().ok()? * 3600 + rest[4..6].parse::<i64>().ok()? * 60)
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_s;
    secs.checked_mul(1_000_000_000)?.checked_add(nanos)
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
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(ns in -4_000_000_000_000_000_000i64..4_000_000_000_000_000_000i64) {
            prop_assert_eq!(parse_timestamp(&format_rfc3339(ns)), Ok(ns));
        }
    }
}
