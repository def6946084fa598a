//! The core's one-way shape: every `crate::` path in `core/src` points at a module earlier in
//! the pipeline than the module it is written in (or at its own module). A stage never reaches
//! forward, so each stage's output is computed from earlier stages' outputs alone.
//!
//! Tiers, lowest first (a module may use any lower tier, and its own module):
//!
//! 0. `time`, `id`, `diag`: RFC 3339, ids, diagnostics (use nothing of the crate)
//! 1. `base`: `TimeRange`, robust statistics, the level classifier, number formatting
//! 2. `model`: the columnar dataset
//! 3. `ingest` (and `merge`: one decoded dataset appended to another) -> 4. `correlate` -> 5. `window` -> 6. `patterns` -> 7. `rank`: the stages
//! 8. `report`: the DTOs, built at the end from the stages' state
//! 9. `options` (gathers the stages' option types), `trace_detail` (a lookup over a correlation)
//! 10. `lib` (`Session`: runs the stages, keeps the correlation for trace lookups)
//! 11. `partial` (the analysis split for Spark: decoded inputs as a mergeable state, finished by a `Session`)
//! 12. `request` (the raw-ABI envelope, running a `Session` or a partial state)
//!
//! Test code (after a file's `#[cfg(test)]`, and `tests.rs` files) may use anything: it builds
//! whole sessions to check one stage.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const TIERS: [(&str, u8); 17] = [
    ("time", 0),
    ("id", 0),
    ("diag", 0),
    ("base", 1),
    ("model", 2),
    ("ingest", 3),
    ("merge", 3),
    ("correlate", 4),
    ("window", 5),
    ("patterns", 6),
    ("rank", 7),
    ("report", 8),
    ("options", 9),
    ("trace_detail", 9),
    ("lib", 10),
    ("partial", 11),
    ("request", 12),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `rank/view.rs` -> `rank`, `window.rs` -> `window`.
fn module_of(file: &Path) -> String {
    let rel = file.strip_prefix(src()).unwrap();
    let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_string()
}

/// The file without comments and without its test code.
fn production_code(text: &str) -> String {
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..end].lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// Every first segment after `crate::`, expanding `crate::{a::x, b}` to `a` and `b`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    for (at, _) in code.match_indices("crate::") {
        let preceded_by_ident = code[..at].chars().last().is_some_and(|c| c.is_alphanumeric() || c == '_');
        if preceded_by_ident {
            continue; // `rootspan_crate::` or the like
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group.
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(ident(item.trim()));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 || c != '{' {
                    item.push(c);
                }
            }
            if !item.trim().is_empty() {
                out.push(ident(item.trim()));
            }
        } else {
            out.push(ident(rest));
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// What `lib.rs` re-exports at the crate root (`pub use id::{SpanId, TraceId};`): the module
/// each such name comes from; items lib.rs defines itself are `lib`'s.
fn root_names(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for line in production_code(lib).lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("pub use ") {
            let (module, items) = rest.split_once("::").unwrap();
            let items = items.trim_end_matches(';').trim_start_matches('{').trim_end_matches('}');
            for item in items.split(',') {
                names.insert(item.trim().to_string(), module.trim().to_string());
            }
        }
        for kind in ["pub fn ", "pub struct ", "pub enum ", "pub const ", "pub type "] {
            if let Some(rest) = line.strip_prefix(kind) {
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                names.insert(name, "lib".to_string());
            }
        }
    }
    names
}

fn tier(module: &str) -> u8 {
    TIERS.iter().find(|(m, _)| *m == module).map(|(_, t)| *t).unwrap_or_else(|| panic!("module {module} has no tier: add it to TIERS"))
}

/// The edges against the pipeline's direction in `files`: `(file, from, to)`.
fn backward_edges(files: &[(String, PathBuf, String)], roots: &BTreeMap<String, String>) -> Vec<String> {
    let mut bad = Vec::new();
    for (module, path, code) in files {
        for target in crate_paths(code) {
            // A module's name is the module (`crate::patterns::X`, even with a `fn patterns` at
            // the root); any other name is what the root re-exports or defines.
            let is_module = TIERS.iter().any(|(m, _)| *m == target);
            let target = if is_module { target } else { roots.get(&target).cloned().unwrap_or(target) };
            if target == *module {
                continue;
            }
            if tier(&target) >= tier(module) {
                bad.push(format!("{}: {module} (tier {}) uses {target} (tier {})", path.display(), tier(module), tier(&target)));
            }
        }
    }
    bad
}

#[test]
fn every_crate_path_points_back_along_the_pipeline() {
    let mut paths = Vec::new();
    rust_files(&src(), &mut paths);
    paths.sort();
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let roots = root_names(&lib);
    let files: Vec<(String, PathBuf, String)> = paths
        .iter()
        .filter(|p| p.file_name().is_none_or(|n| n != "tests.rs"))
        .map(|p| (module_of(p), p.clone(), production_code(&std::fs::read_to_string(p).unwrap())))
        .collect();
    // Every module is placed (a new module must be given its place in the order).
    for (module, _, _) in &files {
        tier(module);
    }
    let edges: usize = files.iter().map(|(_, _, code)| crate_paths(code).len()).sum();
    assert!(edges > 50, "only {edges} crate:: paths found: the reader is broken");
    let bad = backward_edges(&files, &roots);
    assert!(bad.is_empty(), "{} edges against the pipeline's direction:\n{}", bad.len(), bad.join("\n"));
}

#[test]
fn the_reader_sees_a_forward_edge() {
    // A stage using a later one, written each way a path can be: the check must catch all three.
    let roots = root_names("pub use options::{Options, TimeRange};\npub struct Session {}");
    let files = vec![
        ("window".to_string(), PathBuf::from("window.rs"), "use crate::rank::median;".to_string()),
        ("ingest".to_string(), PathBuf::from("ingest/x.rs"), "use crate::{model::Dataset, report::X};".to_string()),
        ("base".to_string(), PathBuf::from("base/x.rs"), "fn f(s: &crate::Session) {}".to_string()),
        ("rank".to_string(), PathBuf::from("rank/x.rs"), "use crate::window::Windows; use crate::Options;".to_string()),
    ];
    let bad = backward_edges(&files, &roots);
    assert_eq!(bad.len(), 4, "{bad:#?}");
    assert!(bad[0].contains("window (tier 5) uses rank"));
    assert!(bad[1].contains("ingest (tier 3) uses report"));
    assert!(bad[2].contains("base (tier 1) uses lib"));
    assert!(bad[3].contains("rank (tier 7) uses options"));
}
