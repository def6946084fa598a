//! The report as text for a terminal or as Markdown for a ticket, from the typed `Report`
//! (the CLI reads the wasm's JSON back into it: the report's Rust types are its schema).
//!
//! One document model feeds both writers, and each writer escapes for its medium: log text is
//! attacker-controlled, so control and bidi characters never reach a terminal raw, and HTML or
//! Markdown syntax in it is escaped, never interpreted.

use std::collections::BTreeMap;

use rootspan_core::correlate::CorrelationReport;
use rootspan_core::diag::Diagnostic;
use rootspan_core::patterns::PatternsReport;
use rootspan_core::rank::{Candidate, Component, Confidence, EvidenceRef};
use rootspan_core::report::{Counts, DiagnosticsReport, InputsReport};
use rootspan_core::time::format_rfc3339;
use rootspan_core::window::Windows;
use rootspan_core::{Report, TimeRange};

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

impl Item {
    fn head(head: String) -> Item {
        Item { head, details: Vec::new() }
    }
}

struct Section {
    title: &'static str,
    blocks: Vec<Block>,
}

pub fn text(report: &Report) -> String {
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

pub fn markdown(report: &Report) -> String {
    let mut out = String::from("# rootspan report\n");
    for section in document(report) {
        out.push_str(&format!("\n## {}\n\n", md(section.title)));
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

fn document(report: &Report) -> Vec<Section> {
    vec![
        Section { title: "Incident", blocks: windows(&report.windows) },
        Section { title: "Root-cause candidates", blocks: candidates(&report.candidates, &report.confidence) },
        Section { title: "Correlation", blocks: correlation(&report.correlation) },
        Section { title: "Log patterns", blocks: patterns(&report.patterns) },
        Section { title: "Inputs", blocks: inputs(&report.inputs) },
        Section { title: "Diagnostics", blocks: diagnostics(&report.diagnostics) },
    ]
}

fn range(r: Option<TimeRange>) -> String {
    r.map_or_else(|| "none".to_string(), |r| format!("{} .. {}", format_rfc3339(r.start_ns), format_rfc3339(r.end_ns)))
}

fn windows(w: &Windows) -> Vec<Block> {
    vec![Block::Line(format!("window   {} ({})", range(w.window), w.source)), Block::Line(format!("baseline {}", range(w.baseline)))]
}

fn candidates(list: &[Candidate], confidence: &Confidence) -> Vec<Block> {
    if list.is_empty() {
        return vec![Block::Line("No candidate stands out against the baseline.".to_string())];
    }
    let items = list
        .iter()
        .take(SHOWN)
        .map(|c| {
            let name: Vec<&str> = [Some(c.service.as_str()), c.operation.as_deref(), c.instance.as_deref()].into_iter().flatten().collect();
            let mut details = vec![format!("why: {}", c.why)];
            details.extend(score_components(&c.components));
            details.extend(evidence_counts(&c.evidence));
            if !c.blast_radius.is_empty() {
                details.push(format!("affects: {}", names_list(&c.blast_radius, 6)));
            }
            Item { head: format!("{}. {}  (score {:.2})", c.rank, name.join(" / "), c.score), details }
        })
        .collect();
    // How sure the ranking is comes first: "no clear root cause" changes how to read the list.
    let mut blocks = vec![Block::Line(confidence.phrase.clone()), Block::Items(items)];
    if list.len() > SHOWN {
        blocks.push(Block::Line(format!("... and {} more", list.len() - SHOWN)));
    }
    blocks
}

fn inputs(inputs: &InputsReport) -> Vec<Block> {
    let counts = |c: &Counts| [c.spans, c.logs, c.series, c.points, c.exemplars].map(|n| n.to_string());
    let mut rows: Vec<Vec<String>> =
        inputs.sources.iter().map(|s| [s.input.clone(), s.format.clone()].into_iter().chain(counts(&s.counts)).collect()).collect();
    rows.push(["total".to_string(), String::new()].into_iter().chain(counts(&inputs.totals)).collect());
    let header = ["input", "format", "spans", "logs", "series", "points", "exemplars"].map(str::to_string).to_vec();
    vec![Block::Table { header, rows }]
}

fn diagnostics(d: &DiagnosticsReport) -> Vec<Block> {
    let mut blocks = vec![Block::Line(format!("{} errors, {} skipped, {} warnings", d.errors, d.skipped, d.warnings))];
    if !d.by_reason.is_empty() {
        let items =
            d.by_reason.iter().take(SHOWN).map(|r| Item::head(format!("{} x{}: {}", r.severity.name(), r.count, r.reason))).collect();
        blocks.push(Block::Items(items));
    }
    if !d.entries.is_empty() {
        blocks.push(Block::Line("first:".to_string()));
        blocks.push(Block::Items(d.entries.iter().take(SHOWN).map(|e| Item::head(diagnostic_line(e))).collect()));
    }
    blocks
}

/// `score from: trace_edge_gap 3.47, log_missing 1.20`: the components that contributed, largest first.
fn score_components(components: &[Component]) -> Option<String> {
    let mut parts: Vec<(&str, f64)> = components.iter().map(|c| (c.name.as_ref(), c.value)).filter(|(_, v)| *v > 0.005).collect();
    parts.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    (!parts.is_empty())
        .then(|| format!("score from: {}", parts.iter().take(4).map(|(n, v)| format!("{n} {v:.2}")).collect::<Vec<_>>().join(", ")))
}

/// `evidence: series x1, trace x2`: evidence references counted by kind.
fn evidence_counts(evidence: &[EvidenceRef]) -> Option<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for e in evidence {
        let kind = match e {
            EvidenceRef::Trace { .. } => "trace",
            EvidenceRef::Template { .. } => "template",
            EvidenceRef::Series { .. } => "series",
        };
        *counts.entry(kind).or_default() += 1;
    }
    (!counts.is_empty()).then(|| format!("evidence: {}", counts.iter().map(|(k, n)| format!("{k} x{n}")).collect::<Vec<_>>().join(", ")))
}

fn names_list(names: &[String], max: usize) -> String {
    let shown = names.iter().take(max).map(String::as_str).collect::<Vec<_>>().join(", ");
    match names.len().saturating_sub(max) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "n/a".to_string(), |r| format!("{:.0}%", r * 100.0))
}

fn ms(ns: Option<i64>) -> String {
    ns.map_or_else(|| "?".to_string(), |ns| format!("{:.1} ms", ns as f64 / 1e6))
}

/// The join on trace id in a few lines: how much joined, the services, the edges with the most
/// errors, and what had to be repaired.
fn correlation(c: &CorrelationReport) -> Vec<Block> {
    let (traces, logs) = (&c.traces, &c.logs);
    let mut blocks = vec![Block::Line(format!(
        "traces: {} ({} with spans, {} with logs, {} with exemplars)",
        traces.total, traces.with_spans, traces.with_logs, traces.with_exemplars
    ))];
    let from = &logs.trace_id_from;
    // Named in alphabetical order, as the report's keys sort.
    let sources: Vec<String> = [("body", from.body), ("field", from.field), ("labels", from.labels), ("metadata", from.metadata)]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    blocks.push(Block::Line(format!(
        "logs: {} records, {} with a trace id{}, {} joined to a trace",
        logs.records,
        logs.with_trace_id,
        if sources.is_empty() { String::new() } else { format!(" (from {})", sources.join(", ")) },
        percent(logs.join_rate)
    )));
    blocks.push(Block::Line(format!("exemplars: {}, {} joined to a trace", c.exemplars.exemplars, percent(c.exemplars.join_rate))));
    blocks.push(Block::Line(format!("services: {}; service graph: {} edges", c.services.len(), c.service_graph.len())));
    let mut edges: Vec<_> = c.service_graph.iter().collect();
    edges.sort_by_key(|e| std::cmp::Reverse((e.stats.errors, e.stats.calls)));
    if !edges.is_empty() {
        blocks.push(Block::Line("edges with the most errors, then calls:".to_string()));
        let items = edges
            .iter()
            .take(5)
            .map(|e| {
                Item::head(format!(
                    "{} -> {}: {} calls, {} errors, p95 {} (caller-side gap p95 {})",
                    e.caller,
                    e.callee,
                    e.stats.calls,
                    e.stats.errors,
                    ms(Some(e.stats.latency_ns.p95)),
                    ms(e.stats.gap_ns.map(|g| g.p95))
                ))
            })
            .collect();
        blocks.push(Block::Items(items));
    }
    let r = &c.repairs;
    let done: Vec<String> = [
        ("clock_skew_spans", r.clock_skew_spans),
        ("cycles_broken", r.cycles_broken),
        ("duplicate_spans", r.duplicate_spans),
        ("orphan_spans", r.orphan_spans),
        ("traces_repaired", r.traces_repaired),
        ("traces_without_root", r.traces_without_root),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(k, n)| format!("{k} {n}"))
    .collect();
    if !done.is_empty() {
        blocks.push(Block::Line(format!("repairs: {}", done.join(", "))));
    }
    let u = &c.unmatched_trace_ids;
    if u.from_logs + u.from_exemplars > 0 {
        blocks.push(Block::Line(format!("trace ids with no trace: {} from logs, {} from exemplars", u.from_logs, u.from_exemplars)));
    }
    blocks
}

/// Log patterns: totals, then what is new, surging and dropped in the window.
fn patterns(p: &PatternsReport) -> Vec<Block> {
    let mut blocks = vec![Block::Line(format!("{} log records in {} patterns", p.records, p.total_patterns))];
    for (list, title) in [(&p.new, "new in the window"), (&p.surging, "surging"), (&p.dropped, "dropped (usual, now rare or gone)")] {
        if list.is_empty() {
            continue;
        }
        blocks.push(Block::Line(format!("{title} ({}):", list.len())));
        let items = list
            .iter()
            .take(5)
            .map(|e| {
                let ratio = e.ratio.map_or(String::new(), |r| format!(", {r:.2}x the expected rate"));
                Item {
                    head: format!("{} in window, {} in baseline{ratio}", e.window_count, e.baseline_count),
                    details: vec![cut(&e.template)],
                }
            })
            .collect();
        blocks.push(Block::Items(items));
        if list.len() > 5 {
            blocks.push(Block::Line(format!("... and {} more", list.len() - 5)));
        }
    }
    blocks
}

/// A diagnostic as one line: `severity: source, frame F, field X, row N: reason`.
pub fn diagnostic_line(e: &Diagnostic) -> String {
    format!("{}: {e}", e.severity.name())
}

/// Long text cut at 160 characters.
fn cut(s: &str) -> String {
    match s.char_indices().nth(160) {
        Some((at, _)) => format!("{}...", &s[..at]),
        None => s.to_string(),
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
    use rootspan_core::diag::{Diagnostics, Place, Severity};
    use rootspan_core::rank::Signal;
    use rootspan_core::report::SourceCounts;

    use super::*;

    fn component(name: &'static str, value: f64) -> Component {
        Component { name: name.into(), source: Signal::Logs, raw: value, contrast: 0.0, value, weight: 1.0 }
    }

    fn report() -> Report {
        let mut diagnostics = Diagnostics::default();
        diagnostics.push(Severity::Error, Place::input("bad.json").frame("A").field("ts").row(3), "not JSON");
        let counts = Counts { logs: 12, ..Counts::default() };
        Report {
            version: rootspan_core::report::REPORT_VERSION.into(),
            windows: Windows {
                window: TimeRange::new(1_675_079_460_000_000_000, 1_675_079_633_000_000_000).ok(),
                baseline: None,
                source: "given".into(),
                onsets: Vec::new(),
            },
            inputs: InputsReport {
                sources: vec![SourceCounts { input: "logs.json".into(), format: "loki".into(), counts }],
                totals: counts,
            },
            correlation: CorrelationReport::default(),
            patterns: PatternsReport::default(),
            candidates: vec![Candidate {
                rank: 1,
                service: "ts-order-service".into(),
                operation: None,
                instance: None,
                score: 0.8249,
                components: vec![component("log_error", 0.5), component("trace_edge_gap", 0.0), component("metric_latency", 0.7)],
                evidence: vec![
                    EvidenceRef::Trace { trace_id: "a".into() },
                    EvidenceRef::Template { template: "t".into() },
                    EvidenceRef::Trace { trace_id: "b".into() },
                ],
                why: "new pattern <script>alert(1)</script>\u{1b}[2J".into(),
                blast_radius: vec!["a".into(), "b".into()],
            }],
            confidence: Confidence::of(&[0.8249, 0.8], Some("ts-order-service")),
            diagnostics: DiagnosticsReport::from_diagnostics(&diagnostics),
        }
    }

    #[test]
    fn text_reads_well_and_escapes_control_characters() {
        let t = text(&report());
        assert!(t.contains("window   2023-01-30T11:51:00Z .. 2023-01-30T11:53:53Z (given)"), "{t}");
        assert!(t.contains("baseline none"));
        assert!(t.contains("1. ts-order-service  (score 0.82)"), "{t}");
        // A lead of 0.02: the list comes with "no clear root cause" before it.
        assert!(t.contains("  No clear root cause: the strongest candidate, ts-order-service, is "), "{t}");
        assert!(t.contains("score from: metric_latency 0.70, log_error 0.50\n"), "{t}");
        assert!(t.contains("evidence: template x1, trace x2\n"), "{t}");
        assert!(t.contains("affects: a, b\n"), "{t}");
        assert!(t.contains("why: new pattern <script>alert(1)</script>\\u{1b}[2J"), "{t}");
        assert!(!t.contains('\u{1b}'));
        assert!(t.contains("error: bad.json, frame A, field ts, row 3: not JSON"), "{t}");
        assert!(t.contains("  logs.json  loki"), "{t}");
        assert!(t.contains("0 log records in 0 patterns"), "{t}");
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
    fn a_report_without_candidates_or_windows_still_renders() {
        let mut r = report();
        r.candidates.clear();
        r.windows = Windows { window: None, baseline: None, source: "undetected".into(), onsets: Vec::new() };
        let t = text(&r);
        assert!(t.contains("No candidate stands out"), "{t}");
        assert!(t.contains("window   none (undetected)"), "{t}");
    }

    #[test]
    fn bidi_overrides_are_shown_not_applied() {
        assert_eq!(plain("a\u{202e}b\r"), "a\\u{202e}b\\u{d}");
    }
}
