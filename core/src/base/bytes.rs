//! Byte classes eight bytes at a time (SWAR: one `u64` holds eight bytes): the scans that look
//! at every byte of every log body (the miner's line shapes, the body id scan) skip the bytes
//! they have no use for a word at a time. Each mask has the high bit set in exactly the bytes
//! that are in the class (no carry crosses bytes: the arithmetic runs on seven bits).

const ONES: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = ONES * 0x7f;
const HIGH: u64 = ONES * 0x80;

/// The bytes of `x` equal to `c`.
pub const fn equal(x: u64, c: u8) -> u64 {
    let v = x ^ (ONES * c as u64);
    // A byte of `v` is zero exactly when adding 0x7f to its low seven bits sets no high bit and
    // its own high bit is clear.
    !(((v & LOW7) + LOW7) | v | LOW7)
}

/// The bytes of `x` equal to the ASCII letter `lower` in either case.
pub const fn equal_ignore_case(x: u64, lower: u8) -> u64 {
    equal(x | (ONES * 0x20), lower)
}

/// The bytes of `x` strictly between `low` (below 0x80) and `high` (at most 0x80).
pub const fn between(x: u64, low: u8, high: u8) -> u64 {
    let low7 = x & LOW7;
    ((ONES * (127 + high as u64)) - low7) & !x & (low7 + ONES * (127 - low as u64)) & HIGH
}

/// The first position from `from` on whose byte is in the class `mask` selects. The class must
/// not hold the zero byte: the tail is read zero-padded.
pub fn find(b: &[u8], from: usize, mask: impl Fn(u64) -> u64) -> Option<usize> {
    let mut at = from;
    while at < b.len() {
        let word = match b.get(at..at + 8) {
            Some(chunk) => u64::from_le_bytes(chunk.try_into().expect("eight bytes")),
            None => {
                let mut padded = [0u8; 8];
                padded[..b.len() - at].copy_from_slice(&b[at..]);
                u64::from_le_bytes(padded)
            }
        };
        let hits = mask(word) & HIGH;
        if hits != 0 {
            return Some(at + hits.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn masks_select_exactly_their_bytes(bytes: [u8; 8], c in 0u8.., low in 0u8..0x80, high in 0u8..=0x80) {
            let x = u64::from_le_bytes(bytes);
            for (i, b) in bytes.iter().enumerate() {
                let bit = |m: u64| m >> (8 * i + 7) & 1 == 1;
                proptest::prop_assert_eq!(bit(equal(x, c)), *b == c);
                proptest::prop_assert_eq!(bit(equal_ignore_case(x, b'd')), b.eq_ignore_ascii_case(&b'd'));
                proptest::prop_assert_eq!(bit(between(x, low, high)), low < *b && *b < high);
            }
        }

        #[test]
        fn find_is_the_first_such_byte(text in proptest::collection::vec(0u8.., 0..40), from in 0usize..40) {
            let from = from.min(text.len());
            let simple = text[from..].iter().position(|b| b.is_ascii_digit()).map(|p| from + p);
            proptest::prop_assert_eq!(find(&text, from, |x| between(x, b'0' - 1, b'9' + 1)), simple);
        }
    }
}
