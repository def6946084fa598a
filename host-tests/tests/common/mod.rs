//! What the host tests share: the engine (compiled once per test binary) and the data.
#![allow(dead_code)] // each test binary uses its own part

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rootspan_cli::inputs::case_options;
use rootspan_core::request::NamedBytes;
use rootspan_engine::Engine;

/// The raw-ABI wasm `scripts/build-wasm.sh` writes, relative to the repository root.
pub const RAW_WASM_IN_REPO: &str = "wasm-plugin/dist/rootspan_raw.wasm";

/// The checkout these tests belong to.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// The raw wasm in this checkout. A missing wasm fails the test (it is never skipped).
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::load(&repo_root().join(RAW_WASM_IN_REPO)).unwrap_or_else(|e| panic!("{e}")))
}

/// The `rootspan` binary, built (or found up to date) by cargo with this test's profile, so the
/// CLI tests never run a stale binary. `CARGO` is the cargo running these tests.
pub fn rootspan_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let mut cmd = std::process::Command::new(env!("CARGO"));
        cmd.current_dir(repo_root()).args(["build", "--quiet", "-p", "rootspan-cli", "--bin", "rootspan", "--message-format=json"]);
        if !cfg!(debug_assertions) {
            cmd.arg("--release");
        }
        let out = cmd.output().unwrap_or_else(|e| panic!("cargo build -p rootspan-cli: {e}"));
        assert!(out.status.success(), "cargo build -p rootspan-cli failed:\n{}", String::from_utf8_lossy(&out.stderr));
        // One JSON message per line; the binary's is the artifact with an `executable`.
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .find_map(|m| (m["target"]["name"] == "rootspan").then(|| m["executable"].as_str().map(PathBuf::from)).flatten())
            .expect("cargo reported no rootspan executable")
    })
}

pub fn testdata() -> PathBuf {
    repo_root().join("testdata")
}

/// Inputs named by file name, as the npm package's analyze-files script names them.
pub fn read_named(files: &[PathBuf]) -> Vec<NamedBytes> {
    files
        .iter()
        .map(|f| NamedBytes {
            name: f.file_name().unwrap().to_string_lossy().into_owned(),
            bytes: std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display())),
        })
        .collect()
}

/// A named analysis: its input files and options JSON ("" for the defaults).
pub struct Case {
    pub name: String,
    pub files: Vec<PathBuf>,
    pub options: String,
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).map(|e| e.unwrap().path()).collect();
    entries.sort();
    entries
}

/// Every fixture file (not the READMEs), each its own case with default options.
pub fn fixture_cases() -> Vec<Case> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for path in sorted_entries(dir) {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_none_or(|e| e != "md") {
                out.push(path);
            }
        }
    }
    let root = testdata().join("fixtures");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files
        .into_iter()
        .map(|f| Case { name: f.strip_prefix(&root).unwrap().display().to_string(), files: vec![f], options: String::new() })
        .collect()
}

/// Every Nezha dev case: its three files with its case.json window and baseline.
pub fn nezha_cases() -> Vec<Case> {
    sorted_entries(&testdata().join("rca/nezha-tt/dev"))
        .into_iter()
        .filter(|dir| dir.is_dir())
        .map(|dir| {
            let case_json = std::fs::read_to_string(dir.join("case.json")).unwrap();
            Case {
                name: dir.file_name().unwrap().to_string_lossy().into_owned(),
                files: ["traces.otlp.json.gz", "logs.loki.json.gz", "metrics.prom.json.gz"].iter().map(|f| dir.join(f)).collect(),
                options: case_options(&case_json).unwrap(),
            }
        })
        .collect()
}

/// The report for `inputs` streamed into `instance` as the CLI sends them: `begin_finish` with
/// the options, one `add_input` per input, `end_finish`.
pub fn streamed(
    instance: &mut rootspan_engine::Instance,
    inputs: Vec<NamedBytes>,
    options: &str,
) -> Result<String, rootspan_engine::HostError> {
    use rootspan_core::request::{Command, Request};
    instance.call(&Request { command: Command::BeginFinish, options: options.to_string(), inputs: vec![] })?;
    for input in inputs {
        instance.call(&Request { command: Command::AddInput, options: String::new(), inputs: vec![input] })?;
    }
    instance.call(&Request { command: Command::EndFinish, options: String::new(), inputs: vec![] })
}
