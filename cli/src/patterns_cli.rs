//! `rootspan patterns`: the pattern run (from the wasm's patterns command) as JSON, CSV or
//! text, and optionally every record's pattern as a CSV (`--assignments`).

use std::fmt::Write as _;
use std::path::PathBuf;

use std::collections::BTreeMap;

use clap::ValueEnum;
use rootspan_core::patterns::{ChangeKind, PatternsReport};
use rootspan_core::report::PatternRun;

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

/// Renders `run_json` (the pattern run the wasm returns) to stdout and writes the assignments
/// file if asked; returns the run, read.
pub fn output(run_json: &str, args: &PatternArgs) -> Result<PatternRun, String> {
    let run: PatternRun = serde_json::from_str(run_json).map_err(|e| format!("the pattern run does not read as one: {e}"))?;
    if let Some(path) = &args.assignments {
        std::fs::write(path, assignments_csv(&run)?).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    match args.format {
        PatternFormat::Json => println!("{run_json}"),
        PatternFormat::Csv => print!("{}", patterns_csv(&run.patterns)),
        PatternFormat::Text => print!("{}", text(&run.patterns)),
    }
    Ok(run)
}

/// A CSV field, quoted when it needs to be (RFC 4180).
fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

fn assignments_csv(run: &PatternRun) -> Result<String, String> {
    let mut out = String::from("line,pattern_id,template\n");
    for (i, a) in run.assignments.iter().enumerate() {
        let p = run.patterns.patterns.get(*a as usize).ok_or_else(|| format!("record {} has no valid pattern index", i + 1))?;
        let _ = writeln!(out, "{},{},{}", i + 1, p.id, csv_field(&p.template));
    }
    Ok(out)
}

/// Each pattern's change in the window, by id.
fn changes(p: &PatternsReport) -> BTreeMap<&str, ChangeKind> {
    p.new.iter().chain(&p.surging).chain(&p.dropped).map(|c| (c.id.as_str(), c.change)).collect()
}

fn patterns_csv(p: &PatternsReport) -> String {
    let changes = changes(p);
    let mut out = String::from("pattern_id,count,window_count,baseline_count,change,template\n");
    for pattern in &p.patterns {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{}",
            pattern.id,
            pattern.count,
            pattern.window_count,
            pattern.baseline_count,
            changes.get(pattern.id.as_str()).map_or("", |c| c.name()),
            csv_field(&pattern.template)
        );
    }
    out
}

fn text(r: &PatternsReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "PATTERNS  {} records, {} patterns", r.records, r.total_patterns);
    if let Some(b) = &r.buckets {
        let _ = writeln!(out, "buckets   {} x {} ms from {}", b.count, b.width_ms, plain(&b.start));
    }
    let _ = writeln!(out, "\n{:>9}  {:<17}  template", "count", "id");
    for p in &r.patterns {
        let _ = writeln!(out, "{:>9}  {:<17}  {}", p.count, plain(&p.id), plain(&p.template));
    }
    for (list, title) in [(&r.new, "NEW IN THE WINDOW"), (&r.surging, "SURGING"), (&r.dropped, "DROPPED OR VANISHED")] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title}\n{:>9}  {:>9}  {:>8}  {:>9}  template", "window", "baseline", "ratio", "p");
        for c in list {
            let ratio = c.ratio.map_or("-".to_string(), |x| format!("{x:.1}"));
            let p = format!("{:.1e}", c.p_value);
            let _ = writeln!(out, "{:>9}  {:>9}  {ratio:>8}  {p:>9}  {}", c.window_count, c.baseline_count, plain(&c.template));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use rootspan_core::{Input, Options};

    use super::*;

    /// A real pattern run over lines with CSV syntax and a terminal escape in them.
    fn run() -> PatternRun {
        let lines = b"a, \"b\" 1\nc\x1b[2J\na, \"b\" 2\n".to_vec();
        let run = rootspan_core::patterns(&[Input::Bytes { name: "t.log".into(), bytes: lines }], &Options::default());
        // Through JSON, as the CLI reads the wasm's answer.
        serde_json::from_str(&serde_json::to_string(&run).unwrap()).unwrap()
    }

    #[test]
    fn assignments_are_numbered_from_one_and_quoted() {
        let r = run();
        let id = |t: &str| r.patterns.patterns.iter().find(|p| p.template == t).map(|p| p.id.clone()).unwrap();
        let (ab, c) = (id("a, \"b\" <*>"), id("c\u{1b}[2J"));
        let csv = assignments_csv(&r).unwrap();
        assert_eq!(csv, format!("line,pattern_id,template\n1,{ab},\"a, \"\"b\"\" <*>\"\n2,{c},c\u{1b}[2J\n3,{ab},\"a, \"\"b\"\" <*>\"\n"));
        let mut broken = r.clone();
        broken.assignments[0] = 7;
        assert!(assignments_csv(&broken).is_err());
    }

    #[test]
    fn csv_and_text_escape_control_characters() {
        let r = run();
        let csv = patterns_csv(&r.patterns);
        assert!(csv.lines().any(|l| l.ends_with(",2,0,0,,\"a, \"\"b\"\" <*>\"")), "{csv}");
        let t = text(&r.patterns);
        assert!(t.contains("PATTERNS  3 records, 2 patterns"), "{t}");
        assert!(t.contains("c\\u{1b}[2J") && !t.contains('\u{1b}'), "{t}");
    }
}
