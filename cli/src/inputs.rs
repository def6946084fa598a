//! Where the CLI's bytes come from: input files (with a progress bar for big ones), the raw
//! wasm and the bundled sample incident (both embedded in the binary).

use std::io::{IsTerminal, Read, Write};
use std::path::Path;

use rootspan_core::request::NamedBytes;

/// Inputs at least this big get a progress bar on stderr.
pub const PROGRESS_FROM_BYTES: u64 = 50 << 20;

/// The raw-ABI wasm `scripts/build-wasm.sh` writes (`wasm-plugin/dist/rootspan_raw.wasm`),
/// compiled into the binary by `build.rs`: an installed `rootspan` needs no checkout. `--wasm`
/// or `ROOTSPAN_WASM` run another one.
pub const EMBEDDED_WASM: &[u8] = include_bytes!(env!("ROOTSPAN_RAW_WASM"));

/// The default cap on one input's size as read (`--max-input-mib`) and, for gzip, as
/// decompressed (`--max-decompressed-mib`): 1 GiB, the most the core decompresses anyway
/// (`rootspan_core::ingest::gzip::MAX_DECOMPRESSED`), and well inside the wasm's 4 GiB.
pub const DEFAULT_MAX_INPUT_MIB: u64 = 1024;

/// Why an input was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// It cannot be opened or read (missing, a directory, no permission): a usage error.
    Unreadable(String),
    /// It is bigger than the cap (a device like /dev/zero, a runaway export, a gzip bomb).
    TooLarge(String),
}

/// Reads an input file; its name in the report (and in diagnostics) is the path as given.
/// At most `max_bytes` are read, whatever the file claims (a device has no size), and gzip
/// input is decompressed once, streaming and counting, to refuse a bomb past
/// `max_decompressed` before the wasm ever sees it.
pub fn read_input_capped(path: &Path, max_bytes: u64, max_decompressed: u64) -> Result<NamedBytes, ReadError> {
    let name = path.display().to_string();
    let fail = |e: std::io::Error| ReadError::Unreadable(format!("{name}: {e}"));
    let too_large =
        || ReadError::TooLarge(format!("{name}: larger than the input cap of {} MiB (--max-input-mib); not read", max_bytes >> 20));
    let (file, meta) = open_input(path)?;
    let size = meta.len();
    if meta.is_file() && size > max_bytes {
        return Err(too_large());
    }
    // One byte past the cap tells "exactly the cap" from "more".
    let mut file = file.take(max_bytes + 1);
    let mut bytes = Vec::with_capacity(size.min(max_bytes) as usize);
    if size < PROGRESS_FROM_BYTES {
        file.read_to_end(&mut bytes).map_err(fail)?;
    } else {
        let mut progress = Progress::new(format!("reading {name}"), size);
        let mut chunk = vec![0u8; 4 << 20];
        loop {
            let n = file.read(&mut chunk).map_err(fail)?;
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&chunk[..n]);
            progress.set(bytes.len() as u64);
        }
        progress.finish();
    }
    if bytes.len() as u64 > max_bytes {
        return Err(too_large());
    }
    use rootspan_core::ingest::gzip::{decompressed_len, is_gzip, GunzipError};
    // Corrupt gzip is the core's to report (a diagnostic naming the input); only the cap is ours.
    if is_gzip(&bytes) && matches!(decompressed_len(&bytes, max_decompressed), Err(GunzipError::TooLarge { .. })) {
        return Err(ReadError::TooLarge(format!(
            "{name}: decompresses to more than the cap of {} MiB (--max-decompressed-mib); stopped there (a gzip bomb?)",
            max_decompressed >> 20
        )));
    }
    Ok(NamedBytes { name, bytes })
}

/// Opens an input file, refusing what cannot be read as one (missing, no permission, a
/// directory): the CLI opens every input before any work, so such a file is a usage error
/// however many inputs come before it.
pub fn open_input(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), ReadError> {
    let fail = |e: std::io::Error| ReadError::Unreadable(format!("{}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(fail)?;
    let meta = file.metadata().map_err(fail)?;
    if meta.is_dir() {
        return Err(ReadError::Unreadable(format!("{}: is a directory; name the files in it", path.display())));
    }
    Ok((file, meta))
}

/// A one-line progress bar on stderr: redrawn in place on a terminal, printed at the start and
/// the end otherwise (so logs of CI runs stay short).
pub struct Progress {
    label: String,
    total: u64,
    shown_percent: Option<u64>,
    tty: bool,
}

impl Progress {
    pub fn new(label: String, total: u64) -> Progress {
        let tty = std::io::stderr().is_terminal();
        if !tty {
            eprintln!("rootspan: {label} ({} MB)...", total >> 20);
        }
        Progress { label, total, shown_percent: None, tty }
    }

    pub fn set(&mut self, done: u64) {
        let percent = (done.min(self.total) * 100).checked_div(self.total).unwrap_or(100);
        if !self.tty || self.shown_percent == Some(percent) {
            return;
        }
        self.shown_percent = Some(percent);
        let filled = (percent / 4) as usize;
        let mut err = std::io::stderr();
        let _ = write!(
            err,
            "\r{} [{}{}] {percent:3}% {}/{} MB",
            crate::render::plain(&self.label),
            "#".repeat(filled),
            " ".repeat(25 - filled),
            done >> 20,
            self.total >> 20
        );
        let _ = err.flush();
    }

    pub fn finish(&mut self) {
        self.set(self.total);
        if self.tty {
            eprintln!();
        } else {
            eprintln!("rootspan: {} done", self.label);
        }
    }
}

/// The bundled sample incident (samples/incident/, a real TrainTicket fault without its
/// answer), compiled into the binary so `rootspan demo` works from anywhere.
pub mod sample {
    use rootspan_core::request::NamedBytes;

    pub const CASE_JSON: &str = include_str!("../../samples/incident/case.json");

    pub fn inputs() -> Vec<NamedBytes> {
        [
            ("samples/incident/traces.otlp.json.gz", &include_bytes!("../../samples/incident/traces.otlp.json.gz")[..]),
            ("samples/incident/logs.loki.json.gz", &include_bytes!("../../samples/incident/logs.loki.json.gz")[..]),
            ("samples/incident/metrics.prom.json.gz", &include_bytes!("../../samples/incident/metrics.prom.json.gz")[..]),
        ]
        .into_iter()
        .map(|(name, bytes)| NamedBytes { name: name.to_string(), bytes: bytes.to_vec() })
        .collect()
    }
}

/// Options JSON with a case's window and baseline (the `case.json` of a Nezha case or of the
/// sample incident: `{"window": {"start", "end"}, "baseline": {...}, ...}`).
pub fn case_options(case_json: &str) -> Result<String, String> {
    let case: serde_json::Value = serde_json::from_str(case_json).map_err(|e| format!("case.json: {e}"))?;
    let mut options = serde_json::Map::new();
    for key in ["window", "baseline"] {
        if let Some(range) = case.get(key) {
            options.insert(key.to_string(), range.clone());
        }
    }
    let text = serde_json::Value::Object(options).to_string();
    rootspan_core::Options::from_json(&text).map_err(|e| format!("case.json: {e}"))?;
    Ok(text)
}
