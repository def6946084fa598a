//! Broken traces, repaired where that is safe and reported always; never fatal.
//!
//! - Duplicate span ids within a trace: the first row (input order) is kept, the others are
//!   dropped from the trace index.
//! - Orphan spans (parent id not in the trace, e.g. cut off by the query window): the parent
//!   link is left empty, so the orphan heads its own subtree.
//! - Parent cycles (including a span that is its own parent): the link that closes the cycle
//!   is cut, found by walking spans in (start, span id) order.
//! - No root: a trace whose every span names a parent. Reported; its orphans act as roots.
//! - A child starting before its parent: clock skew between hosts. Times are kept as given
//!   (shifting them would invent data) and the skew is reported.

use serde::{Deserialize, Serialize};

use crate::id::{SpanId, TraceId};
use crate::model::SpanTable;

use super::index::TraceIndex;

/// What repair kind a note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RepairKind {
    /// A second span with the same id in the same trace; dropped.
    DuplicateSpan,
    /// A span whose parent is not in the trace; it heads its own subtree.
    OrphanSpan,
    /// A parent link closing a cycle; cut.
    ParentCycle,
    /// A trace in which every span names a parent.
    NoRoot,
    /// A span starting before its parent.
    ClockSkew,
}

impl RepairKind {
    /// The diagnostic reason: fixed text, so the report counts each kind under one reason.
    pub fn reason(self) -> &'static str {
        match self {
            RepairKind::DuplicateSpan => "duplicate span id in trace; first row kept, this one dropped",
            RepairKind::OrphanSpan => "parent span not in trace; span heads its own subtree",
            RepairKind::ParentCycle => "parent link closes a cycle; link cut",
            RepairKind::NoRoot => "trace has no root span",
            RepairKind::ClockSkew => "span starts before its parent (clock skew); times kept",
        }
    }

    /// The span field the note is about.
    pub fn field(self) -> &'static str {
        match self {
            RepairKind::DuplicateSpan => "span_id",
            RepairKind::OrphanSpan | RepairKind::ParentCycle | RepairKind::NoRoot => "parent_span_id",
            RepairKind::ClockSkew => "start_time",
        }
    }
}

/// One repair, on span row `row`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepairNote {
    pub kind: RepairKind,
    pub row: u32,
    /// For clock skew: how much earlier than its parent the span starts, in ns.
    pub skew_ns: i64,
}

/// The outcome of checking every trace.
#[derive(Debug, Clone, Default)]
pub struct Repaired {
    /// Each span's parent row after repair; `None` for roots, orphans and cut cycles.
    pub parent: Vec<Option<u32>>,
    /// True for span rows dropped as duplicates.
    pub duplicate: Vec<bool>,
    /// Every repair, in trace order then span order.
    pub notes: Vec<RepairNote>,
}

/// Checks and repairs every trace of `index` over `spans`.
pub fn repair(spans: &SpanTable, index: &TraceIndex) -> Repaired {
    let n = spans.len();
    let mut out = Repaired { parent: vec![None; n], duplicate: vec![false; n], notes: Vec::new() };
    let mut by_id: Vec<(SpanId, u32)> = Vec::new();
    // 0 unvisited, 1 on the current walk, 2 done: for cycle detection.
    let mut state = vec![0u8; n];
    let mut path: Vec<u32> = Vec::new();
    for t in 0..index.len() {
        let rows = index.spans(t);
        if rows.is_empty() {
            continue;
        }
        by_id.clear();
        by_id.extend(rows.iter().map(|r| (spans.span[*r as usize], *r)));
        by_id.sort_unstable();
        by_id.dedup_by(|later, first| {
            let dup = later.0 == first.0;
            if dup {
                out.duplicate[later.1 as usize] = true;
            }
            dup
        });
        let mut has_root = false;
        for &r in rows {
            let ru = r as usize;
            if out.duplicate[ru] {
                out.notes.push(RepairNote { kind: RepairKind::DuplicateSpan, row: r, skew_ns: 0 });
                continue;
            }
            let Some(p) = spans.parent[ru] else {
                has_root = true;
                continue;
            };
            if p == spans.span[ru] {
                out.notes.push(RepairNote { kind: RepairKind::ParentCycle, row: r, skew_ns: 0 });
                continue;
            }
            match by_id.binary_search_by(|e| e.0.cmp(&p)) {
                Ok(i) => out.parent[ru] = Some(by_id[i].1),
                Err(_) => out.notes.push(RepairNote { kind: RepairKind::OrphanSpan, row: r, skew_ns: 0 }),
            }
        }
        if !has_root {
            out.notes.push(RepairNote { kind: RepairKind::NoRoot, row: rows[0], skew_ns: 0 });
        }
        for &r in rows {
            if state[r as usize] != 0 || out.duplicate[r as usize] {
                continue;
            }
            path.clear();
            let mut cur = r;
            loop {
                state[cur as usize] = 1;
                path.push(cur);
                match out.parent[cur as usize] {
                    None => break,
                    Some(p) if state[p as usize] == 1 => {
                        out.parent[cur as usize] = None;
                        out.notes.push(RepairNote { kind: RepairKind::ParentCycle, row: cur, skew_ns: 0 });
                        break;
                    }
                    Some(p) if state[p as usize] == 2 => break,
                    Some(p) => cur = p,
                }
            }
            for &x in &path {
                state[x as usize] = 2;
            }
        }
        for &r in rows {
            if let Some(p) = out.parent[r as usize] {
                let skew = spans.start_ns[p as usize].saturating_sub(spans.start_ns[r as usize]);
                if skew > 0 {
                    out.notes.push(RepairNote { kind: RepairKind::ClockSkew, row: r, skew_ns: skew });
                }
            }
        }
    }
    out
}

/// Counts per repair kind and the first examples, for the report.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RepairReport {
    /// Span rows dropped as duplicates of an earlier span with the same id in the same trace.
    pub duplicate_spans: u64,
    /// Spans whose parent is not in their trace.
    pub orphan_spans: u64,
    /// Parent links cut because they closed a cycle.
    pub cycles_broken: u64,
    /// Traces in which every span names a parent.
    pub traces_without_root: u64,
    /// Spans that start before their parent.
    pub clock_skew_spans: u64,
    /// The largest such skew, in ns (0 when there is none).
    pub max_clock_skew_ns: i64,
    /// Traces touched by any repair.
    pub traces_repaired: u64,
    /// The first examples of each kind (at most `MAX_EXAMPLES` per kind), by kind then trace id.
    pub examples: Vec<RepairExample>,
}

/// How many examples of each repair kind the report lists.
pub const MAX_EXAMPLES: usize = 5;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RepairExample {
    pub kind: RepairKind,
    /// 32 lowercase hex digits.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub trace_id: TraceId,
    /// 16 lowercase hex digits.
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub span_id: SpanId,
    /// For clock skew, the skew in ns; otherwise absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skew_ns: Option<i64>,
}

impl RepairReport {
    pub fn from_notes(spans: &SpanTable, notes: &[RepairNote]) -> RepairReport {
        let mut r = RepairReport::default();
        let mut traces: Vec<TraceId> = Vec::with_capacity(notes.len());
        let mut examples: Vec<RepairExample> = Vec::new();
        for note in notes {
            let row = note.row as usize;
            match note.kind {
                RepairKind::DuplicateSpan => r.duplicate_spans += 1,
                RepairKind::OrphanSpan => r.orphan_spans += 1,
                RepairKind::ParentCycle => r.cycles_broken += 1,
                RepairKind::NoRoot => r.traces_without_root += 1,
                RepairKind::ClockSkew => {
                    r.clock_skew_spans += 1;
                    r.max_clock_skew_ns = r.max_clock_skew_ns.max(note.skew_ns);
                }
            }
            traces.push(spans.trace[row]);
            examples.push(RepairExample {
                kind: note.kind,
                trace_id: spans.trace[row],
                span_id: spans.span[row],
                skew_ns: (note.kind == RepairKind::ClockSkew).then_some(note.skew_ns),
            });
        }
        traces.sort_unstable();
        traces.dedup();
        r.traces_repaired = traces.len() as u64;
        examples.sort_by_key(|e| (e.kind, e.trace_id, e.span_id));
        let mut kept: Vec<RepairExample> = Vec::new();
        for e in examples {
            if kept.iter().filter(|k| k.kind == e.kind).count() < MAX_EXAMPLES {
                kept.push(e);
            }
        }
        r.examples = kept;
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LabelSetId, SourceId, SpanKind, SpanRow, SpanStatus, Sym};

    pub(crate) fn span(trace: u128, span: u64, parent: Option<u64>, start: i64) -> SpanRow {
        SpanRow {
            trace: TraceId::new(trace).unwrap(),
            span: SpanId::new(span).unwrap(),
            parent: parent.and_then(SpanId::new),
            resource: LabelSetId(0),
            operation: Sym(0),
            kind: SpanKind::Server,
            start_ns: start,
            duration_ns: 10,
            status: SpanStatus::Unset,
            status_message: None,
            attributes: LabelSetId(0),
            source: SourceId(0),
        }
    }

    fn run(rows: Vec<SpanRow>) -> (SpanTable, Repaired) {
        let mut spans = SpanTable::default();
        for r in rows {
            spans.push(r);
        }
        let keyed = (0..spans.len()).map(|i| (spans.trace[i], spans.start_ns[i], spans.span[i].value()));
        let none = crate::correlate::index::TraceRefs::default();
        let (index, _) = TraceIndex::build(keyed, (&none, &[]), (&none, &[]));
        let repaired = repair(&spans, &index);
        (spans, repaired)
    }

    fn kinds(r: &Repaired) -> Vec<(RepairKind, u32)> {
        r.notes.iter().map(|n| (n.kind, n.row)).collect()
    }

    #[test]
    fn a_sound_trace_needs_no_repair() {
        let (_, r) = run(vec![span(1, 1, None, 0), span(1, 2, Some(1), 1), span(1, 3, Some(2), 2)]);
        assert_eq!(r.parent, vec![None, Some(0), Some(1)]);
        assert!(r.notes.is_empty());
    }

    #[test]
    fn duplicates_keep_the_first_row() {
        let (_, r) = run(vec![span(1, 1, None, 5), span(1, 2, Some(1), 6), span(1, 1, None, 0)]);
        assert_eq!(r.duplicate, vec![false, false, true]);
        assert_eq!(r.parent, vec![None, Some(0), None]);
        assert_eq!(kinds(&r), vec![(RepairKind::DuplicateSpan, 2)]);
    }

    #[test]
    fn orphans_and_missing_roots_are_reported() {
        let (_, r) = run(vec![span(1, 2, Some(9), 0), span(1, 3, Some(2), 1)]);
        assert_eq!(r.parent, vec![None, Some(0)]);
        assert_eq!(kinds(&r), vec![(RepairKind::OrphanSpan, 0), (RepairKind::NoRoot, 0)]);
    }

    #[test]
    fn cycles_are_cut() {
        // 1 -> 2 -> 3 -> 1, and 4 is its own parent.
        let (_, r) = run(vec![span(1, 1, Some(3), 0), span(1, 2, Some(1), 1), span(1, 3, Some(2), 2), span(1, 4, Some(4), 3)]);
        let cut = r.parent.iter().filter(|p| p.is_none()).count();
        assert_eq!(cut, 2);
        assert_eq!(r.notes.iter().filter(|n| n.kind == RepairKind::ParentCycle).count(), 2);
        // Every remaining chain ends at a root.
        for start in 0..4 {
            let mut cur = start;
            let mut steps = 0;
            while let Some(p) = r.parent[cur] {
                cur = p as usize;
                steps += 1;
                assert!(steps < 10);
            }
        }
    }

    #[test]
    fn clock_skew_is_measured() {
        let (spans, r) = run(vec![span(1, 1, None, 100), span(1, 2, Some(1), 40)]);
        assert_eq!(r.notes, vec![RepairNote { kind: RepairKind::ClockSkew, row: 1, skew_ns: 60 }]);
        let report = RepairReport::from_notes(&spans, &r.notes);
        assert_eq!((report.clock_skew_spans, report.max_clock_skew_ns, report.traces_repaired), (1, 60, 1));
        assert_eq!(report.examples[0].skew_ns, Some(60));
    }

    #[test]
    fn examples_are_capped_per_kind() {
        let rows: Vec<SpanRow> = (1..=20).map(|t| span(t, 5, Some(7), 0)).collect();
        let (spans, r) = run(rows);
        let report = RepairReport::from_notes(&spans, &r.notes);
        assert_eq!((report.orphan_spans, report.traces_without_root, report.traces_repaired), (20, 20, 20));
        assert_eq!(report.examples.len(), 2 * MAX_EXAMPLES);
        assert_eq!(report.examples[0].trace_id, TraceId::new(1).unwrap());
    }

    proptest::proptest! {
        #[test]
        fn random_span_tables_never_panic_and_end_acyclic(
            rows in proptest::collection::vec((1u128..4, 1u64..8, proptest::option::of(0u64..9), -5i64..5), 0..60)
        ) {
            let (spans, r) = run(rows.into_iter().map(|(t, s, p, start)| span(t, s, p, start)).collect());
            proptest::prop_assert_eq!(r.parent.len(), spans.len());
            for start in 0..spans.len() {
                let mut cur = start;
                let mut steps = 0;
                while let Some(p) = r.parent[cur] {
                    proptest::prop_assert!(!r.duplicate[p as usize]);
                    proptest::prop_assert_eq!(spans.trace[p as usize], spans.trace[start]);
                    cur = p as usize;
                    steps += 1;
                    proptest::prop_assert!(steps <= spans.len());
                }
            }
        }
    }
}
