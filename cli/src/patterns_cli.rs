//! `rootspan patterns`: the pattern run (from the wasm's patterns command) as JSON, CSV or
//! text, and optionally every record's pattern as a CSV (`--assignments`).

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::ValueEnum;
use serde_json::Value;

use crate::args::RangeArgs;
use crate::render::plain;

#[derive(clap::Args, Debug)]
pub struct PatternArgs {
    /// The window enables new, surging and dropped patterns.
    #[command(flatten)]
    pub range: RangeArgs,
    #[arg(long, value_enum, default_value_t = PatternFormat::Text)]
    pub format: PatternFormat,
    /// Write `line,pattern_id,template` for every input record, in input order, lines numbered from 1.
    #[arg(long, value_name = "FILE")]
    pub assignments: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternFormat {
    /// The pattern run JSON (`PatternRun`), exactly as the wasm returns it.
    Json,
    /// One row per pattern: `pattern_id,count,window_count,baseline_count,change,template`.
    Csv,
    /// For a person at a terminal.
    Text,
}

/// Renders `run` (the pattern run JSON) to stdout and writes the assignments file if asked.
pub fn output(run_json: &str, args: &PatternArgs) -> Result<(), String> {
    let run: Value = serde_json::from_str(run_json).map_err(|e| format!("the pattern run is not JSON: {e}"))?;
    let patterns = run["patterns"]["patterns"].as_array().ok_or("the pattern run has no patterns list")?;
    if let Some(path) = &args.assignments {
        let assignments = run["assignments"].as_array().ok_or("the pattern run has no assignments")?;
        std::fs::write(path, assignments_csv(patterns, assignments)?).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    match args.format {
        PatternFormat::Json => println!("{run_json}"),
        PatternFormat::Csv => print!("{}", patterns_csv(&run)),
        PatternFormat::Text => print!("{}", text(&run)),
    }
    Ok(())
}

/// A CSV field, quoted when it needs to be (RFC 4180).
fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

fn assignments_csv(patterns: &[Value], assignments: &[Value]) -> Result<String, String> {
    let mut out = String::from("line,pattern_id,template\n");
    for (i, a) in assignments.iter().enumerate() {
        let p = a.as_u64().and_then(|k| patterns.get(k as usize)).ok_or_else(|| format!("record {} has no valid pattern index", i + 1))?;
        let _ = writeln!(out, "{},{},{}", i + 1, p["id"].as_str().unwrap_or(""), csv_field(p["template"].as_str().unwrap_or("")));
    }
    Ok(out)
}

/// Each pattern's change in the window, by id.
fn changes(run: &Value) -> std::collections::BTreeMap<&str, &str> {
    ["new", "surging", "dropped"]
        .iter()
        .flat_map(|k| run["patterns"][k].as_array().map(Vec::as_slice).unwrap_or_default())
        .filter_map(|c| Some((c["id"].as_str()?, c["change"].as_str()?)))
        .collect()
}

fn patterns_csv(run: &Value) -> String {
    let changes = changes(run);
    let mut out = String::from("pattern_id,count,window_count,baseline_count,change,template\n");
    for p in run["patterns"]["patterns"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let id = p["id"].as_str().unwrap_or("");
        let _ = writeln!(
            out,
            "{id},{},{},{},{},{}",
            p["count"],
            p["window_count"],
            p["baseline_count"],
            changes.get(id).copied().unwrap_or(""),
            csv_field(p["template"].as_str().unwrap_or(""))
        );
    }
    out
}

fn text(run: &Value) -> String {
    let r = &run["patterns"];
    let mut out = String::new();
    let _ = writeln!(out, "PATTERNS  {} records, {} patterns", r["records"], r["total_patterns"]);
    if let Some(b) = r["buckets"].as_object() {
        let _ = writeln!(out, "buckets   {} x {} ms from {}", b["count"], b["width_ms"], plain(b["start"].as_str().unwrap_or("")));
    }
    let patterns = r["patterns"].as_array().map(Vec::as_slice).unwrap_or_default();
    let _ = writeln!(out, "\n{:>9}  {:<17}  template", "count", "id");
    for p in patterns {
        let _ = writeln!(
            out,
            "{:>9}  {:<17}  {}",
            p["count"],
            plain(p["id"].as_str().unwrap_or("")),
            plain(p["template"].as_str().unwrap_or(""))
        );
    }
    for (key, title) in [("new", "NEW IN THE WINDOW"), ("surging", "SURGING"), ("dropped", "DROPPED OR VANISHED")] {
        let list = r[key].as_array().map(Vec::as_slice).unwrap_or_default();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title}\n{:>9}  {:>9}  {:>8}  {:>9}  template", "window", "baseline", "ratio", "p");
        for c in list {
            let ratio = c["ratio"].as_f64().map_or("-".to_string(), |x| format!("{x:.1}"));
            let p = c["p_value"].as_f64().map_or("-".to_string(), |x| format!("{x:.1e}"));
            let _ = writeln!(
                out,
                "{:>9}  {:>9}  {ratio:>8}  {p:>9}  {}",
                c["window_count"],
                c["baseline_count"],
                plain(c["template"].as_str().unwrap_or(""))
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run() -> Value {
        serde_json::json!({
            "patterns": {
                "records": 3, "total_patterns": 2, "buckets": null,
                "patterns": [
                    {"id": "p1", "template": "a, \"b\" <*>", "count": 2, "window_count": 2, "baseline_count": 0},
                    {"id": "p2", "template": "c\u{1b}[2J", "count": 1, "window_count": 0, "baseline_count": 1}
                ],
                "new": [{"id": "p1", "template": "a, \"b\" <*>", "change": "new", "window_count": 2, "baseline_count": 0, "ratio": null, "p_value": 0.25}],
                "surging": [], "dropped": []
            },
            "assignments": [0, 1, 0]
        })
    }

    #[test]
    fn assignments_are_numbered_from_one_and_quoted() {
        let r = run();
        let csv = assignments_csv(r["patterns"]["patterns"].as_array().unwrap(), r["assignments"].as_array().unwrap()).unwrap();
        assert_eq!(csv, "line,pattern_id,template\n1,p1,\"a, \"\"b\"\" <*>\"\n2,p2,c\u{1b}[2J\n3,p1,\"a, \"\"b\"\" <*>\"\n");
        assert!(assignments_csv(&[], &[serde_json::json!(0)]).is_err());
    }

    #[test]
    fn csv_and_text_show_changes_and_escape_control_characters() {
        let r = run();
        assert_eq!(patterns_csv(&r).lines().nth(1), Some("p1,2,2,0,new,\"a, \"\"b\"\" <*>\""));
        let t = text(&r);
        assert!(t.contains("NEW IN THE WINDOW"), "{t}");
        assert!(t.contains("c\\u{1b}[2J") && !t.contains('\u{1b}'), "{t}");
    }
}
