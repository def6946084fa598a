//! gzip: exported files and HTTP bodies often arrive compressed. flate2 with its default
//! pure-Rust backend (miniz_oxide) so the same code runs in wasm.

use std::io::Read;

/// Past this many decompressed bytes an input is refused: a small hostile file can inflate
/// to an arbitrary size, and a browser tab has a few GiB at most.
pub const MAX_DECOMPRESSED: u64 = 2 << 30;

pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Decompresses every gzip member (concatenated members are one stream, as `cat a.gz b.gz`
/// makes), refusing output past `limit` bytes.
pub fn gunzip(bytes: &[u8], limit: u64) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).min(limit as usize));
    let decoder = flate2::read::MultiGzDecoder::new(bytes);
    decoder.take(limit.saturating_add(1)).read_to_end(&mut out).map_err(|e| format!("gzip: {e}"))?;
    if out.len() as u64 > limit {
        return Err(format!("gzip: decompressed size exceeds the limit of {limit} bytes"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn round_trips_and_concatenates_members() {
        let mut both = gz(b"hello ");
        both.extend(gz(b"world"));
        assert!(is_gzip(&both));
        assert_eq!(gunzip(&both, 100).unwrap(), b"hello world");
    }

    #[test]
    fn limits_and_corruption_are_errors() {
        let big = gz(&vec![b'a'; 10_000]);
        assert!(gunzip(&big, 9_999).unwrap_err().contains("exceeds"));
        assert_eq!(gunzip(&big, 10_000).unwrap().len(), 10_000);
        let mut cut = big.clone();
        cut.truncate(cut.len() / 2);
        assert!(gunzip(&cut, 1 << 20).is_err());
        assert!(gunzip(&[0x1f, 0x8b, 0, 0], 100).is_err());
    }
}
