//! gzip: exported files and HTTP bodies often arrive compressed. flate2 with its default
//! pure-Rust backend (miniz_oxide) so the same code runs in wasm.

use std::io::Read;

/// Past this many decompressed bytes an input is refused: a small hostile file can inflate
/// to an arbitrary size, a browser tab has a few GiB at most, and wasm32 addresses 4 GiB in
/// all. 1 GiB of telemetry is far past what one analysis reads in any home. The wasmtime
/// CLI checks its own, configurable cap before it hands bytes over (`--max-decompressed-mib`).
pub const MAX_DECOMPRESSED: u64 = 1 << 30;

pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Why gzip bytes could not be decompressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GunzipError {
    /// The output passed `limit` bytes (a gzip bomb, or a cap set too low); decompression
    /// stopped there.
    TooLarge { limit: u64 },
    /// Corrupt or truncated data, after `done` decompressed bytes.
    Corrupt { message: String, done: u64 },
    /// Memory for the output could not be had.
    NoMemory { done: u64 },
}

impl std::fmt::Display for GunzipError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GunzipError::TooLarge { limit } => {
                write!(f, "gzip: decompressed size exceeds the limit of {limit} bytes (a gzip bomb?); stopped there")
            }
            GunzipError::Corrupt { message, done } => write!(f, "gzip: {message} (after {done} decompressed bytes)"),
            GunzipError::NoMemory { done } => write!(f, "gzip: out of memory after {} MiB decompressed", done >> 20),
        }
    }
}

/// Decompresses every gzip member (concatenated members are one stream, as `cat a.gz b.gz`
/// makes), refusing output past `limit` bytes. Memory that cannot be had is an error, not
/// an abort.
pub fn gunzip(bytes: &[u8], limit: u64) -> Result<Vec<u8>, GunzipError> {
    let mut out: Vec<u8> = Vec::new();
    let first = bytes.len().saturating_mul(4).min(limit as usize).min(64 << 20);
    out.try_reserve_exact(first).map_err(|_| GunzipError::NoMemory { done: 0 })?;
    inflate(bytes, limit, |piece| {
        out.try_reserve(piece.len()).map_err(|_| GunzipError::NoMemory { done: out.len() as u64 })?;
        out.extend_from_slice(piece);
        Ok(())
    })?;
    Ok(out)
}

/// The decompressed size of gzip `bytes`, or why it cannot be had (past `limit`, corrupt),
/// without keeping the output: how a host checks an input before it hands it over.
pub fn decompressed_len(bytes: &[u8], limit: u64) -> Result<u64, GunzipError> {
    inflate(bytes, limit, |_| Ok(()))
}

/// Streams the decompressed bytes through `sink` in chunks, counting them: a bomb stops at
/// `limit`, having produced at most `limit` bytes. Returns the total.
fn inflate(bytes: &[u8], limit: u64, mut sink: impl FnMut(&[u8]) -> Result<(), GunzipError>) -> Result<u64, GunzipError> {
    let mut decoder = flate2::read::MultiGzDecoder::new(bytes);
    let mut chunk = vec![0u8; 256 << 10];
    let mut total = 0u64;
    loop {
        let n = match decoder.read(&mut chunk) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(GunzipError::Corrupt { message: e.to_string(), done: total }),
        };
        total += n as u64;
        if total > limit {
            return Err(GunzipError::TooLarge { limit });
        }
        sink(&chunk[..n])?;
    }
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
        assert_eq!(gunzip(&big, 9_999), Err(GunzipError::TooLarge { limit: 9_999 }));
        assert_eq!(gunzip(&big, 10_000).unwrap().len(), 10_000);
        let mut cut = big.clone();
        cut.truncate(cut.len() / 2);
        assert!(gunzip(&cut, 1 << 20).is_err());
        assert!(gunzip(&[0x1f, 0x8b, 0, 0], 100).is_err());
        assert_eq!(decompressed_len(&big, 10_000), Ok(10_000));
        assert!(decompressed_len(&big, 9_999).unwrap_err().to_string().contains("exceeds"));
    }

    #[test]
    fn a_bomb_stops_at_the_limit() {
        // 64 MiB of zeros in 64 KiB; refused after at most 1 MiB of output.
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            e.write_all(&zeros).unwrap();
        }
        let bomb = e.finish().unwrap();
        assert!(bomb.len() < 1 << 20);
        assert!(gunzip(&bomb, 1 << 20).unwrap_err().to_string().contains("gzip bomb"));
        assert_eq!(decompressed_len(&bomb, 1 << 20), Err(GunzipError::TooLarge { limit: 1 << 20 }));
    }
}
