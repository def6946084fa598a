//! The report JSON as text for a terminal or as Markdown for a ticket.
//!
//! Rendering reads the report as `serde_json::Value`, so it follows whatever the core puts in
//! each section: known keys get a readable layout, anything new is still shown compactly.
//! One document model feeds both writers, and each writer escapes for its medium: log text is
//! attacker-controlled, so control and bidi characters never reach a terminal raw, and HTML or
//! Markdown syntax in it is escaped, never interpreted.

use serde_json::Value;

/// How many list entries a section shows before it says how many more there are.
const SHOWN: usize = 10;

/// A piece of a document. Strings are raw text: the writers escape them.
enum Block {
    Line(String),
    /// Headed items with detail lines (candidates, patterns).
    Items(Vec<Item>),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

struct Item {
    head: String,
    details: Vec<String>,
}

struct Section {
    title: String,
    blocks: Vec<Block>,
}

pub fn text(report: &Value) -> String {
    let mut out = String::new();
    for (i, section) in document(report).iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&plain(&section.title.to_uppercase()));
        out.push('\n');
        for block in &section.blocks {
            match block {
                Block::Line(line) => out.push_str(&format!("  {}\n", plain(line))),
                Block::Items(items) => {
                    for item in items {
                        out.push_str(&format!("  {}\n", plain(&item.head)));
                        for d in &item.details {
                            out.push_str(&format!("       {}\n", plain(d)));
                        }
                    }
                }
                Block::Table { header, rows } => out.push_str(&text_table(header, rows)),
            }
        }
    }
    out
}

pub fn markdown(report: &Value) -> String {
    let mut out = String::from("# rootspan report\n");
    for section in document(report) {
        out.push_str(&format!("\n## {}\n\n", md(&section.title)));
        for block in &section.blocks {
            match block {
                Block::Line(line) => out.push_str(&format!("{}\n\n", md(line))),
                Block::Items(items) => {
                    for item in items {
                        out.push_str(&format!("- **{}**\n", md(&item.head)));
                        for d in &item.details {
                            out.push_str(&format!("  - {}\n", md(d)));
                        }
                    }
                    out.push('\n');
                }
                Block::Table { header, rows } => {
                    out.push_str(&format!("| {} |\n", header.iter().map(|h| md(h)).collect::<Vec<_>>().join(" | ")));
                    out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
                    for row in rows {
                        out.push_str(&format!("| {} |\n", row.iter().map(|c| md(c)).collect::<Vec<_>>().join(" | ")));
                    }
                    out.push('\n');
                }
            }
        }
    }
    out
}

fn document(report: &Value) -> Vec<Section> {
    let mut sections = vec![windows(report), candidates(report)];
    for (key, title) in [("correlation", "Correlation"), ("patterns", "Log patterns")] {
        if let Some(section) = report.get(key) {
            sections.push(Section { title: title.to_string(), blocks: generic(section) });
        }
    }
    sections.push(inputs(report));
    sections.push(diagnostics(report));
    sections
}

fn windows(report: &Value) -> Section {
    let w = &report["windows"];
    let range = |r: &Value| match (r.get("start").and_then(Value::as_str), r.get("end").and_then(Value::as_str)) {
        (Some(s), Some(e)) => format!("{s} .. {e}"),
        _ => "none".to_string(),
    };
    let source = w.get("source").and_then(Value::as_str).unwrap_or("unknown");
    Section {
        title: "Incident".to_string(),
        blocks: vec![
            Block::Line(format!("window   {} ({source})", range(&w["window"]))),
            Block::Line(format!("baseline {}", range(&w["baseline"]))),
        ],
    }
}

fn candidates(report: &Value) -> Section {
    let list = report.get("candidates").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let blocks = if list.is_empty() {
        vec![Block::Line("No candidate stands out against the baseline.".to_string())]
    } else {
        let items = list
            .iter()
            .take(SHOWN)
            .enumerate()
            .map(|(i, c)| {
                let rank = c.get("rank").and_then(Value::as_u64).unwrap_or(i as u64 + 1);
                let name: Vec<String> = ["service", "operation", "instance"]
                    .iter()
                    .filter_map(|k| c.get(*k).and_then(Value::as_str))
                    .map(str::to_string)
                    .collect();
                let score = c.get("score").map(scalar).unwrap_or_default();
                let mut details = Vec::new();
                if let Some(why) = c.get("why").and_then(Value::as_str) {
                    details.push(format!("why: {why}"));
                }
                if let Some(obj) = c.as_object() {
                    for (k, v) in obj {
                        if !matches!(k.as_str(), "rank" | "service" | "operation" | "instance" | "score" | "why") {
                            details.push(format!("{k}: {}", compact(v)));
                        }
                    }
                }
                Item { head: format!("{rank}. {}  (score {score})", name.join(" / ")), details }
            })
            .collect();
        let mut blocks = vec![Block::Items(items)];
        if list.len() > SHOWN {
            blocks.push(Block::Line(format!("... and {} more", list.len() - SHOWN)));
        }
        blocks
    };
    Section { title: "Root-cause candidates".to_string(), blocks }
}

fn inputs(report: &Value) -> Section {
    const COUNTS: [&str; 5] = ["spans", "logs", "series", "points", "exemplars"];
    let mut rows: Vec<Vec<String>> = report["inputs"]["sources"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|s| {
            let mut row = vec![scalar(&s["input"]), scalar(&s["format"])];
            row.extend(COUNTS.iter().map(|k| scalar(&s[*k])));
            row
        })
        .collect();
    let totals = &report["inputs"]["totals"];
    let mut total_row = vec!["total".to_string(), String::new()];
    total_row.extend(COUNTS.iter().map(|k| scalar(&totals[*k])));
    rows.push(total_row);
    let mut header = vec!["input".to_string(), "format".to_string()];
    header.extend(COUNTS.iter().map(|k| k.to_string()));
    Section { title: "Inputs".to_string(), blocks: vec![Block::Table { header, rows }] }
}

fn diagnostics(report: &Value) -> Section {
    let d = &report["diagnostics"];
    let mut blocks = vec![Block::Line(format!(
        "{} errors, {} skipped, {} warnings",
        scalar(&d["errors"]),
        scalar(&d["skipped"]),
        scalar(&d["warnings"])
    ))];
    let reasons = d["by_reason"].as_array().map(Vec::as_slice).unwrap_or_default();
    if !reasons.is_empty() {
        let items = reasons
            .iter()
            .take(SHOWN)
            .map(|r| Item {
                head: format!("{} x{}: {}", scalar(&r["severity"]), scalar(&r["count"]), scalar(&r["reason"])),
                details: vec![],
            })
            .collect();
        blocks.push(Block::Items(items));
    }
    let entries = d["entries"].as_array().map(Vec::as_slice).unwrap_or_default();
    if !entries.is_empty() {
        blocks.push(Block::Line("first:".to_string()));
        blocks.push(Block::Items(entries.iter().take(SHOWN).map(|e| Item { head: diagnostic_line(e), details: vec![] }).collect()));
    }
    Section { title: "Diagnostics".to_string(), blocks }
}

/// A diagnostic as one line: `severity: source, frame F, field X, row N: reason`.
pub fn diagnostic_line(e: &Value) -> String {
    let mut place = scalar(&e["source"]);
    for key in ["frame", "field", "row"] {
        if let Some(v) = e.get(key).filter(|v| !v.is_null()) {
            place.push_str(&format!(", {key} {}", scalar(v)));
        }
    }
    format!("{}: {place}: {}", scalar(&e["severity"]), scalar(&e["reason"]))
}

/// Any section: scalars as `key: value`, arrays of objects as items (first few), the rest compact.
fn generic(section: &Value) -> Vec<Block> {
    let Some(obj) = section.as_object() else { return vec![Block::Line(compact(section))] };
    if obj.is_empty() {
        return vec![Block::Line("(nothing)".to_string())];
    }
    let mut blocks = Vec::new();
    for (key, value) in obj {
        match value {
            Value::Array(list) if list.iter().all(Value::is_object) && !list.is_empty() => {
                blocks.push(Block::Line(format!("{key} ({}):", list.len())));
                let items = list
                    .iter()
                    .take(SHOWN)
                    .map(|entry| {
                        let fields: Vec<String> =
                            entry.as_object().into_iter().flatten().map(|(k, v)| format!("{k}: {}", compact(v))).collect();
                        let (head, rest) = fields.split_first().map_or((String::new(), &[][..]), |(h, r)| (h.clone(), r));
                        Item { head, details: rest.to_vec() }
                    })
                    .collect();
                blocks.push(Block::Items(items));
                if list.len() > SHOWN {
                    blocks.push(Block::Line(format!("... and {} more", list.len() - SHOWN)));
                }
            }
            other => blocks.push(Block::Line(format!("{key}: {}", compact(other)))),
        }
    }
    blocks
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Compact JSON for anything nested, cut at 160 characters.
fn compact(v: &Value) -> String {
    let s = scalar(v);
    match s.char_indices().nth(160) {
        Some((cut, _)) => format!("{}...", &s[..cut]),
        None => s,
    }
}

fn text_table(header: &[String], rows: &[Vec<String>]) -> String {
    let cells = |row: &[String]| row.iter().map(|c| plain(c)).collect::<Vec<_>>();
    let header = cells(header);
    let rows: Vec<Vec<String>> = rows.iter().map(|r| cells(r)).collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| rows.iter().map(|r| r.get(i).map_or(0, |c| c.chars().count())).max().unwrap_or(0).max(header[i].chars().count()))
        .collect();
    let line = |row: &[String]| {
        let cols: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = widths[i].saturating_sub(c.chars().count());
                // Text columns (the first two) left-aligned, numbers right-aligned.
                if i < 2 {
                    format!("{c}{}", " ".repeat(pad))
                } else {
                    format!("{}{c}", " ".repeat(pad))
                }
            })
            .collect();
        format!("  {}\n", cols.join("  ").trim_end())
    };
    let mut out = line(&header);
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}

/// Text safe for a terminal: control characters (escape sequences, carriage returns) and bidi
/// overrides shown as `\u{..}`, so a log line cannot rewrite or disguise the screen.
pub fn plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Text safe for Markdown: HTML is escaped (never rendered) and Markdown syntax is literal.
pub fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in plain(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '|' | '~' | '!' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Value {
        serde_json::json!({
            "version": "1.0",
            "windows": {"window": {"start": "2023-01-30T11:51:00Z", "end": "2023-01-30T11:53:53Z"}, "baseline": null, "source": "given"},
            "inputs": {"sources": [{"input": "logs.json", "format": "loki", "spans": 0, "logs": 12, "series": 0, "points": 0, "exemplars": 0}],
                       "totals": {"spans": 0, "logs": 12, "series": 0, "points": 0, "exemplars": 0}},
            "correlation": {"traces": 3, "edges": [{"from": "a", "to": "b", "calls": 2}]},
            "patterns": {},
            "candidates": [{"rank": 1, "service": "ts-order-service", "score": 0.82, "why": "new pattern <script>alert(1)</script>\u{1b}[2J"}],
            "diagnostics": {"total": 1, "errors": 1, "skipped": 0, "warnings": 0,
                            "by_reason": [{"severity": "error", "reason": "not JSON", "count": 1}],
                            "entries": [{"severity": "error", "source": "bad.json", "frame": "A", "field": "ts", "row": 3, "reason": "not JSON"}]}
        })
    }

    #[test]
    fn text_reads_well_and_escapes_control_characters() {
        let t = text(&report());
        assert!(t.contains("window   2023-01-30T11:51:00Z .. 2023-01-30T11:53:53Z (given)"), "{t}");
        assert!(t.contains("baseline none"));
        assert!(t.contains("1. ts-order-service  (score 0.82)"), "{t}");
        assert!(t.contains("why: new pattern <script>alert(1)</script>\\u{1b}[2J"), "{t}");
        assert!(!t.contains('\u{1b}'));
        assert!(t.contains("error: bad.json, frame A, field ts, row 3: not JSON"), "{t}");
        assert!(t.contains("  logs.json  loki"), "{t}");
        assert!(t.contains("edges (1):") && t.contains("from: a"), "{t}");
    }

    #[test]
    fn markdown_never_passes_html_through() {
        let m = markdown(&report());
        assert!(!m.contains("<script>"), "{m}");
        assert!(m.contains("&lt;script&gt;alert\\(1\\)&lt;/script&gt;"), "{m}");
        assert!(m.contains("| input | format | spans | logs | series | points | exemplars |"), "{m}");
        assert!(m.contains("## Root-cause candidates"));
    }

    #[test]
    fn an_empty_report_still_renders() {
        let t = text(&serde_json::json!({}));
        assert!(t.contains("No candidate stands out"));
        assert!(t.contains("window   none (unknown)"));
    }

    #[test]
    fn bidi_overrides_are_shown_not_applied() {
        assert_eq!(plain("a\u{202e}b\r"), "a\\u{202e}b\\u{d}");
    }
}
