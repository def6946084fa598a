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
                        out.push_str(&format!("    {}\n", plain(&item.head)));
                        for d in &item.details {
                            out.push_str(&format!("         {}\n", plain(d)));
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

/// Renders a section of a known shape; `None` when the shape is not the expected one.
type SectionRenderer = fn(&Value) -> Option<Vec<Block>>;

fn document(report: &Value) -> Vec<Section> {
    let mut sections = vec![windows(report), candidates(report)];
    let specific: [(&str, &str, SectionRenderer); 2] =
        [("correlation", "Correlation", correlation), ("patterns", "Log patterns", patterns)];
    for (key, title, render) in specific {
        if let Some(section) = report.get(key) {
            // A section whose shape this renderer does not know is still shown, generically.
            let blocks = render(section).unwrap_or_else(|| generic(section));
            sections.push(Section { title: title.to_string(), blocks });
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
                let score = c
                    .get("score")
                    .and_then(Value::as_f64)
                    .map_or_else(|| c.get("score").map(scalar).unwrap_or_default(), |x| format!("{x:.2}"));
                let mut details = Vec::new();
                if let Some(why) = c.get("why").and_then(Value::as_str) {
                    details.push(format!("why: {why}"));
                }
                if let Some(line) = score_components(c.get("components")) {
                    details.push(line);
                }
                if let Some(line) = evidence_counts(c.get("evidence")) {
                    details.push(line);
                }
                if let Some(names) = c.get("blast_radius").and_then(Value::as_array).filter(|a| !a.is_empty()) {
                    details.push(format!("affects: {}", names_list(names, 6)));
                }
                if let Some(obj) = c.as_object() {
                    for (k, v) in obj {
                        const SHOWN_ABOVE: [&str; 9] =
                            ["rank", "service", "operation", "instance", "score", "why", "components", "evidence", "blast_radius"];
                        if !SHOWN_ABOVE.contains(&k.as_str()) {
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

/// `score from: trace_edge_gap 3.47, log_missing 1.20`: the components that contributed, largest first.
fn score_components(components: Option<&Value>) -> Option<String> {
    let mut parts: Vec<(String, f64)> = components?
        .as_array()?
        .iter()
        .filter_map(|c| Some((c.get("name")?.as_str()?.to_string(), c.get("value")?.as_f64()?)))
        .filter(|(_, v)| *v > 0.005)
        .collect();
    parts.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    (!parts.is_empty())
        .then(|| format!("score from: {}", parts.iter().take(4).map(|(n, v)| format!("{n} {v:.2}")).collect::<Vec<_>>().join(", ")))
}

/// `evidence: 12 traces, 2 templates`: evidence references counted by kind.
fn evidence_counts(evidence: Option<&Value>) -> Option<String> {
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for e in evidence?.as_array()? {
        *counts.entry(e.get("kind").map(scalar).unwrap_or_else(|| "other".to_string())).or_default() += 1;
    }
    (!counts.is_empty()).then(|| format!("evidence: {}", counts.iter().map(|(k, n)| format!("{k} x{n}")).collect::<Vec<_>>().join(", ")))
}

fn names_list(names: &[Value], max: usize) -> String {
    let shown: Vec<String> = names.iter().take(max).map(scalar).collect();
    match names.len().saturating_sub(max) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

fn count(v: &Value, key: &str) -> u64 {
    v.get(key).and_then(Value::as_u64).unwrap_or(0)
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "n/a".to_string(), |r| format!("{:.0}%", r * 100.0))
}

fn ms(ns: Option<f64>) -> String {
    ns.map_or_else(|| "?".to_string(), |ns| format!("{:.1} ms", ns / 1e6))
}

/// The join on trace id in a few lines: how much joined, the services, the edges with the most
/// errors, and what had to be repaired.
fn correlation(c: &Value) -> Option<Vec<Block>> {
    let (traces, logs) = (c.get("traces")?, c.get("logs")?);
    let mut blocks = vec![Block::Line(format!(
        "traces: {} ({} with spans, {} with logs, {} with exemplars)",
        count(traces, "total"),
        count(traces, "with_spans"),
        count(traces, "with_logs"),
        count(traces, "with_exemplars")
    ))];
    let from = logs.get("trace_id_from").and_then(Value::as_object);
    let sources: Vec<String> =
        from.into_iter().flatten().filter(|(_, n)| n.as_u64().unwrap_or(0) > 0).map(|(k, n)| format!("{k} {n}")).collect();
    blocks.push(Block::Line(format!(
        "logs: {} records, {} with a trace id{}, {} joined to a trace",
        count(logs, "records"),
        count(logs, "with_trace_id"),
        if sources.is_empty() { String::new() } else { format!(" (from {})", sources.join(", ")) },
        percent(logs.get("join_rate").and_then(Value::as_f64))
    )));
    if let Some(ex) = c.get("exemplars") {
        blocks.push(Block::Line(format!(
            "exemplars: {}, {} joined to a trace",
            count(ex, "exemplars"),
            percent(ex.get("join_rate").and_then(Value::as_f64))
        )));
    }
    let services = c.get("services").and_then(Value::as_array).map_or(0, Vec::len);
    let mut edges: Vec<&Value> = c.get("service_graph").and_then(Value::as_array).into_iter().flatten().collect();
    blocks.push(Block::Line(format!("services: {services}; service graph: {} edges", edges.len())));
    edges.sort_by_key(|e| std::cmp::Reverse((count(e, "errors"), count(e, "calls"))));
    if !edges.is_empty() {
        blocks.push(Block::Line("edges with the most errors, then calls:".to_string()));
        let items = edges
            .iter()
            .take(5)
            .map(|e| Item {
                head: format!(
                    "{} -> {}: {} calls, {} errors, p95 {} (caller-side gap p95 {})",
                    scalar(&e["caller"]),
                    scalar(&e["callee"]),
                    count(e, "calls"),
                    count(e, "errors"),
                    ms(e["latency_ns"]["p95"].as_f64()),
                    ms(e["gap_ns"]["p95"].as_f64())
                ),
                details: vec![],
            })
            .collect();
        blocks.push(Block::Items(items));
    }
    if let Some(repairs) = c.get("repairs").and_then(Value::as_object) {
        let done: Vec<String> = repairs
            .iter()
            .filter(|(k, v)| *k != "examples" && !k.starts_with("max_") && v.as_u64().unwrap_or(0) > 0)
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        if !done.is_empty() {
            blocks.push(Block::Line(format!("repairs: {}", done.join(", "))));
        }
    }
    if let Some(u) = c.get("unmatched_trace_ids").filter(|u| count(u, "from_logs") + count(u, "from_exemplars") > 0) {
        blocks.push(Block::Line(format!(
            "trace ids with no trace: {} from logs, {} from exemplars",
            count(u, "from_logs"),
            count(u, "from_exemplars")
        )));
    }
    Some(blocks)
}

/// Log patterns: totals, then what is new, surging and dropped in the window.
fn patterns(p: &Value) -> Option<Vec<Block>> {
    let mut blocks = vec![Block::Line(format!(
        "{} log records in {} patterns",
        count(p, "records"),
        p.get("total_patterns").or(p.get("patterns")).map(|v| v.as_array().map_or_else(|| scalar(v), |a| a.len().to_string()))?
    ))];
    for (key, title) in [("new", "new in the window"), ("surging", "surging"), ("dropped", "dropped (usual, now rare or gone)")] {
        let list = p.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        if list.is_empty() {
            continue;
        }
        blocks.push(Block::Line(format!("{title} ({}):", list.len())));
        let items = list
            .iter()
            .take(5)
            .map(|e| {
                let ratio = e.get("ratio").and_then(Value::as_f64).map_or(String::new(), |r| format!(", {r:.2}x the expected rate"));
                Item {
                    head: format!("{} in window, {} in baseline{ratio}", count(e, "window_count"), count(e, "baseline_count")),
                    details: vec![compact(&e["template"])],
                }
            })
            .collect();
        blocks.push(Block::Items(items));
        if list.len() > 5 {
            blocks.push(Block::Line(format!("... and {} more", list.len() - 5)));
        }
    }
    Some(blocks)
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
            "candidates": [{"rank": 1, "service": "ts-order-service", "score": 0.8249, "why": "new pattern <script>alert(1)</script>\u{1b}[2J",
                            "components": [{"name": "log_new", "value": 0.5}, {"name": "trace_edge_gap", "value": 0.0}, {"name": "metric_latency", "value": 0.7}],
                            "evidence": [{"kind": "trace"}, {"kind": "template"}, {"kind": "trace"}], "blast_radius": ["a", "b"], "novel": true}],
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
        assert!(t.contains("score from: metric_latency 0.70, log_new 0.50\n"), "{t}");
        assert!(t.contains("evidence: template x1, trace x2\n"), "{t}");
        assert!(t.contains("affects: a, b\n"), "{t}");
        assert!(t.contains("novel: true\n"), "{t}");
        assert!(t.contains("why: new pattern <script>alert(1)</script>\\u{1b}[2J"), "{t}");
        assert!(!t.contains('\u{1b}'));
        assert!(t.contains("error: bad.json, frame A, field ts, row 3: not JSON"), "{t}");
        assert!(t.contains("  logs.json  loki"), "{t}");
        // A correlation section of an unknown shape is still shown, generically.
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
