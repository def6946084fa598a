//! Parsing accuracy against labelled logs, as the Loghub-2.0 evaluation defines it (ISSTA
//! 2024, "A Large-scale Evaluation for Log Parsing Techniques: How Far are We?"), and the
//! CSV reading the labelled files need. Used by the accuracy test (`tests/loghub_accuracy.rs`) and
//! the benchmark (`bench_patterns`).
//!
//! - GA: a line is correct when the set of lines in its predicted group is exactly the set of
//!   lines sharing its true template. GA = correct lines / lines.
//! - FGA: F1 of group precision (correct groups / predicted groups) and recall (correct
//!   groups / true groups), a group being correct as in GA.
//! - PA: a line is correct when its predicted template string equals its true one exactly.
//! - FTA: F1 over templates: a predicted template is correct when its group is correct and
//!   its string equals the true template exactly.

use std::collections::BTreeMap;

/// The Loghub-2k development datasets (`testdata/loghub-2k`).
pub const LOGHUB_DEV: [&str; 7] = ["Apache", "Hadoop", "HealthApp", "Linux", "OpenSSH", "Proxifier", "Thunderbird"];

/// The generated log styles (`testdata/logstyles`, see its README).
pub const LOG_STYLES: [&str; 14] = [
    "EmbeddedJSON",
    "JavaStack",
    "KeyValue",
    "ListsObjects",
    "LogrusJSON",
    "LogrusText",
    "NginxEnvoy",
    "OTelRecords",
    "PythonLogging",
    "RequestContext",
    "SlogJSON",
    "SlogLogfmt",
    "Unicode",
    "ZapJSON",
];

/// The text of a labelled file's bytes, gunzipped when they are gzip (the log-style corpus is).
pub fn labelled_text(bytes: &[u8]) -> Result<String, String> {
    use rootspan_core::ingest::gzip;
    let raw = if gzip::is_gzip(bytes) { gzip::gunzip(bytes, 1 << 30).map_err(|e| e.to_string())? } else { bytes.to_vec() };
    String::from_utf8(raw).map_err(|e| format!("not UTF-8: {e}"))
}

/// The four accuracy figures for one labelled log.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Accuracy {
    pub ga: f64,
    pub fga: f64,
    pub pa: f64,
    pub fta: f64,
    /// Lines evaluated.
    pub lines: usize,
    /// Distinct true templates.
    pub true_templates: usize,
    /// Distinct predicted templates.
    pub predicted_templates: usize,
}

/// Scores `predicted[i]` (the template the parser gave line `i`; equal strings are one group)
/// against `truth[i]`. The slices must have the same length.
pub fn evaluate(truth: &[&str], predicted: &[&str]) -> Accuracy {
    assert_eq!(truth.len(), predicted.len(), "one predicted template per labelled line");
    let n = truth.len();
    let mut true_groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut pred_groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        true_groups.entry(truth[i]).or_default().push(i);
        pred_groups.entry(predicted[i]).or_default().push(i);
    }
    let (mut ga_lines, mut correct_groups, mut correct_templates) = (0usize, 0usize, 0usize);
    for (template, lines) in &pred_groups {
        let t = truth[lines[0]];
        // Lines are pushed in index order, so equal sets are equal vectors.
        if true_groups[t] == *lines {
            ga_lines += lines.len();
            correct_groups += 1;
            if *template == t {
                correct_templates += 1;
            }
        }
    }
    let pa_lines = (0..n).filter(|i| truth[*i] == predicted[*i]).count();
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let f1 = |correct: usize| {
        let (p, r) = (ratio(correct, pred_groups.len()), ratio(correct, true_groups.len()));
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    };
    Accuracy {
        ga: ratio(ga_lines, n),
        fga: f1(correct_groups),
        pa: ratio(pa_lines, n),
        fta: f1(correct_templates),
        lines: n,
        true_templates: true_groups.len(),
        predicted_templates: pred_groups.len(),
    }
}

/// Parses CSV text (RFC 4180: quoted fields, `""` escapes, LF or CRLF) into records.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                any = false;
            }
            _ => field.push(c),
        }
    }
    if any {
        record.push(field);
        records.push(record);
    }
    records
}

/// A Loghub `*_structured*.csv`: (`Content`, `EventTemplate`) per line, in file order.
pub fn read_structured(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut records = parse_csv(text).into_iter();
    let header = records.next().ok_or("empty CSV")?;
    let col = |name: &str| header.iter().position(|h| h == name).ok_or_else(|| format!("no {name} column"));
    let (content, template) = (col("Content")?, col("EventTemplate")?);
    records
        .enumerate()
        .map(|(i, r)| match (r.get(content), r.get(template)) {
            (Some(c), Some(t)) => Ok((c.clone(), t.clone())),
            _ => Err(format!("row {}: {} fields, header has {}", i + 2, r.len(), header.len())),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_on_a_hand_example() {
        // True groups: A = {0,1,2}, B = {3}, C = {4,5}.
        let truth = ["A <*>", "A <*>", "A <*>", "B", "C <*>", "C <*>"];
        // Predicted: {0,1,2} right group, right string; {3,4} wrong; {5} wrong.
        let predicted = ["A <*>", "A <*>", "A <*>", "X", "X", "C <*>"];
        let a = evaluate(&truth, &predicted);
        assert_eq!(a.ga, 3.0 / 6.0);
        // One correct group of 3 predicted and 3 true: P = R = 1/3.
        assert!((a.fga - 1.0 / 3.0).abs() < 1e-12);
        // Lines 0,1,2 and 5 have the true string.
        assert_eq!(a.pa, 4.0 / 6.0);
        assert!((a.fta - 1.0 / 3.0).abs() < 1e-12);

        // Right groups with a wrong string: GA 1, PA 0, FTA 0.
        let a = evaluate(&["A", "A", "B"], &["x", "x", "y"]);
        assert_eq!((a.ga, a.fga, a.pa, a.fta), (1.0, 1.0, 0.0, 0.0));
        // Everything in one group: only a group equal to a true group counts.
        let a = evaluate(&["A", "A", "B"], &["x", "x", "x"]);
        assert_eq!((a.ga, a.fga), (0.0, 0.0));
    }

    #[test]
    fn reads_quoted_csv() {
        let text = "LineId,Content,EventTemplate\r\n1,\"a, \"\"b\"\"\",\"a, <*>\"\r\n2,c,c";
        assert_eq!(read_structured(text).unwrap(), vec![("a, \"b\"".to_string(), "a, <*>".to_string()), ("c".into(), "c".into())]);
        assert!(read_structured("").is_err());
    }
}
