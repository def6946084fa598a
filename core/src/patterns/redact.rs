//! Redaction of sample lines before they are shown: e-mail addresses, IP addresses, bearer
//! tokens and card-like numbers (13 to 19 digits passing the Luhn check) become markers.
//! Hand-written scanning (no regex engine) so the browser wasm stays small.

/// `line` with sensitive values replaced by `<email>`, `<ip>`, `<token>` and `<card>`.
pub fn redact(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // Tokens follow `Bearer ` (any case), as in an Authorization header.
        if b.len() - i > 7
            && line.is_char_boundary(i + 7)
            && line[i..i + 7].eq_ignore_ascii_case("bearer ")
            && (i == 0 || !is_word(b[i - 1]))
        {
            let start = i + 7;
            let end = start + b[start..].iter().take_while(|c| is_token(**c)).count();
            if end > start {
                out.push_str(&line[i..start]);
                out.push_str("<token>");
                i = end;
                continue;
            }
        }
        if i == 0 || !is_word(b[i - 1]) {
            if let Some(end) = email_at(b, i) {
                out.push_str("<email>");
                i = end;
                continue;
            }
            if let Some(end) = card_at(b, i) {
                out.push_str("<card>");
                i = end;
                continue;
            }
            // Not the tail of a longer dotted number (`1.2.3.4.5`).
            let dotted = i > 0 && b[i - 1] == b'.';
            if let Some(end) = ipv4_at(b, i).or_else(|| ipv6_at(b, i)).filter(|_| !dotted) {
                out.push_str("<ip>");
                i = end;
                continue;
            }
        }
        let c = line[i..].chars().next().expect("inside the line");
        out.push(c);
        i += c.len_utf8();
    }
    out
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn is_token(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~' | b'+' | b'/' | b'=')
}

/// `local@domain.tld` starting at `i`: returns its end.
fn email_at(b: &[u8], i: usize) -> Option<usize> {
    let local = b[i..].iter().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-')).count();
    if local == 0 || b.get(i + local) != Some(&b'@') {
        return None;
    }
    let start = i + local + 1;
    let domain = b[start..].iter().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-')).count();
    let d = std::str::from_utf8(&b[start..start + domain]).ok()?.trim_end_matches('.');
    let tld = d.rsplit('.').next()?;
    (d.contains('.') && tld.len() >= 2 && tld.bytes().all(|c| c.is_ascii_alphabetic())).then_some(start + d.len())
}

/// Four dot-separated numbers 0-255, not inside a longer dotted number.
fn ipv4_at(b: &[u8], i: usize) -> Option<usize> {
    let mut at = i;
    for part in 0..4 {
        let digits = b[at..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 3 {
            return None;
        }
        let value: u32 = std::str::from_utf8(&b[at..at + digits]).ok()?.parse().ok()?;
        if value > 255 {
            return None;
        }
        at += digits;
        if part < 3 {
            if b.get(at) != Some(&b'.') {
                return None;
            }
            at += 1;
        }
    }
    let continues =
        b.get(at).is_some_and(|c| c.is_ascii_digit()) || (b.get(at) == Some(&b'.') && b.get(at + 1).is_some_and(|c| c.is_ascii_digit()));
    (!continues).then_some(at)
}

/// An IPv6 address: hex groups and colons with at least two colons and a `::` or eight groups.
fn ipv6_at(b: &[u8], i: usize) -> Option<usize> {
    let len = b[i..].iter().take_while(|c| c.is_ascii_hexdigit() || **c == b':').count();
    let s = std::str::from_utf8(&b[i..i + len]).ok()?;
    let groups: Vec<&str> = s.split(':').collect();
    let ok = s.matches(':').count() >= 2
        && groups.iter().all(|g| g.len() <= 4)
        && (s.contains("::") || groups.len() == 8)
        && groups.iter().any(|g| !g.is_empty())
        && !s.contains(":::");
    // `12:30:45` is a time, not an address: require a hex letter or a `::`.
    let addressy = s.contains("::") || s.bytes().any(|c| c.is_ascii_alphabetic());
    (ok && addressy && !b.get(i + len).is_some_and(|c| is_word(*c))).then_some(i + len)
}

/// 13-19 digits, optionally grouped by single spaces or dashes, passing the Luhn check.
fn card_at(b: &[u8], i: usize) -> Option<usize> {
    let mut digits: Vec<u8> = Vec::new();
    let mut at = i;
    let mut end = i;
    while at < b.len() {
        let c = b[at];
        if c.is_ascii_digit() {
            digits.push(c - b'0');
            at += 1;
            end = at;
        } else if matches!(c, b' ' | b'-') && b.get(at + 1).is_some_and(u8::is_ascii_digit) && !digits.is_empty() {
            at += 1;
        } else {
            break;
        }
        if digits.len() > 19 {
            return None;
        }
    }
    if digits.len() < 13 || b.get(end).is_some_and(|c| is_word(*c)) {
        return None;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(k, d)| {
            let d = u32::from(*d);
            if k % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    (sum % 10 == 0).then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_the_sensitive_kinds() {
        assert_eq!(redact("mail jane.doe+x@example.co.uk now"), "mail <email> now");
        assert_eq!(redact("from 10.1.2.3:80 and fe80::1"), "from <ip>:80 and <ip>");
        assert_eq!(redact("Authorization: Bearer eyJhbGc.iOi-J9_x= ok"), "Authorization: Bearer <token> ok");
        assert_eq!(redact("card 4111 1111 1111 1111 paid"), "card <card> paid");
        assert_eq!(redact("card 4111-1111-1111-1111"), "card <card>");
    }

    #[test]
    fn leaves_other_text_alone() {
        assert_eq!(redact("version 1.2.3.4.5 at 12:30:45"), "version 1.2.3.4.5 at 12:30:45");
        // 16 digits failing Luhn: an id, not a card.
        assert_eq!(redact("order 1234567812345678"), "order 1234567812345678");
        assert_eq!(redact("a@b is not an address, é@ü neither"), "a@b is not an address, é@ü neither");
        assert_eq!(redact("bearer"), "bearer");
    }
}
