//! The trace index: every trace id seen in spans, logs or exemplars, and for each trace its
//! rows of each table. Built by sorting, so it is deterministic and needs no hash map.

use std::num::NonZeroU32;

use rustc_hash::FxHashMap as HashMap;

use crate::id::TraceId;

/// A row's trace as a position in its `TraceRefs`' distinct ids (plus one): 4 bytes a row where
/// the id is 16, and a finish holds one per log line. `Option<TraceRef>` is 4 bytes too.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TraceRef(NonZeroU32);

impl TraceRef {
    fn index(self) -> usize {
        self.0.get() as usize - 1
    }
}

/// Per row, an optional trace id, each distinct id stored once: the rows of one trace (20 log
/// lines of a request, say) share it.
#[derive(Debug, Clone, Default)]
pub struct TraceRefs {
    /// The distinct ids, in the order rows first named them.
    ids: Vec<TraceId>,
    /// Where each of `ids` is.
    known: HashMap<TraceId, TraceRef>,
    rows: Vec<Option<TraceRef>>,
}

impl TraceRefs {
    pub fn with_capacity(rows: usize) -> TraceRefs {
        TraceRefs { rows: Vec::with_capacity(rows), ..TraceRefs::default() }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Adds a row.
    pub fn push(&mut self, id: Option<TraceId>) {
        let r = id.map(|id| self.intern(id));
        self.rows.push(r);
    }

    fn intern(&mut self, id: TraceId) -> TraceRef {
        let ids = &mut self.ids;
        *self.known.entry(id).or_insert_with(|| {
            ids.push(id);
            // Rows are counted in u32 throughout (a wasm32 dataset's tables), and so are ids.
            TraceRef(NonZeroU32::new(ids.len() as u32).expect("a pushed id makes the length non-zero"))
        })
    }

    /// Row `row`'s trace id.
    pub fn get(&self, row: usize) -> Option<TraceId> {
        self.rows[row].map(|r| self.ids[r.index()])
    }

    /// Adds the rows that follow (a later input's), as if pushed here one by one.
    pub fn append(&mut self, later: TraceRefs) {
        if self.rows.is_empty() && self.ids.is_empty() {
            *self = later;
            return;
        }
        let remap: Vec<TraceRef> = later.ids.iter().map(|id| self.intern(*id)).collect();
        crate::model::reserve_appending(&mut self.rows, later.rows.len());
        self.rows.extend(later.rows.iter().map(|r| r.map(|r| remap[r.index()])));
    }
}

impl FromIterator<Option<TraceId>> for TraceRefs {
    fn from_iter<I: IntoIterator<Item = Option<TraceId>>>(iter: I) -> TraceRefs {
        let mut refs = TraceRefs::default();
        for id in iter {
            refs.push(id);
        }
        refs
    }
}

/// Rows of one table grouped by trace: trace `t` owns `rows[offsets[t]..offsets[t + 1]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Groups {
    offsets: Vec<u32>,
    rows: Vec<u32>,
}

impl Groups {
    /// Groups rows by their trace (`at[row]`) by counting, then orders each group by
    /// (time, row).
    fn count(traces: usize, at: &[Option<u32>], times: &[i64]) -> Groups {
        let mut offsets = vec![0u32; traces + 1];
        for t in at.iter().flatten() {
            offsets[*t as usize + 1] += 1;
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut next = offsets.clone();
        let mut rows = vec![0u32; offsets[traces] as usize];
        for (row, t) in at.iter().enumerate() {
            if let Some(t) = t {
                rows[next[*t as usize] as usize] = row as u32;
                next[*t as usize] += 1;
            }
        }
        for t in 0..traces {
            let group = &mut rows[offsets[t] as usize..offsets[t + 1] as usize];
            // Rows are already in row order; a stable sort by time keeps ties in row order.
            if group.windows(2).any(|w| times[w[0] as usize] > times[w[1] as usize]) {
                group.sort_by_key(|r| times[*r as usize]);
            }
        }
        Groups { offsets, rows }
    }

    fn range(&self, t: usize) -> std::ops::Range<usize> {
        self.offsets[t] as usize..self.offsets[t + 1] as usize
    }

    fn get(&self, t: usize) -> &[u32] {
        &self.rows[self.offsets[t] as usize..self.offsets[t + 1] as usize]
    }
}

/// Traces and their rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TraceIndex {
    /// Every distinct trace id, ascending. A trace's index is its position here.
    pub ids: Vec<TraceId>,
    spans: Groups,
    logs: Groups,
    exemplars: Groups,
}

impl TraceIndex {
    /// Groups rows by trace. Spans yield (trace, start, tiebreak) and are ordered within a
    /// trace by (start, tiebreak, row); logs and exemplars give each row's trace if any and its
    /// time, and are ordered by (time, row). Returns the index and, per table, each row's trace
    /// index.
    ///
    /// Most log and exemplar ids name a trace that has spans, so each distinct id is looked up
    /// among the span traces (binary search) and rows are grouped by counting, instead of sorting
    /// a million rows.
    pub fn build(
        spans: impl Iterator<Item = (TraceId, i64, u64)>,
        logs: (&TraceRefs, &[i64]),
        exemplars: (&TraceRefs, &[i64]),
    ) -> (TraceIndex, [Vec<Option<u32>>; 3]) {
        let mut keyed: Vec<(TraceId, i64, u64, u32)> = spans.enumerate().map(|(row, (t, time, tie))| (t, time, tie, row as u32)).collect();
        keyed.sort_unstable();
        let mut span_ids: Vec<TraceId> = keyed.iter().map(|k| k.0).collect();
        span_ids.dedup();

        // Each distinct id's trace: `Ok(i)` is span_ids[i], `Err(id)` a trace without spans.
        let mut extra: Vec<TraceId> = Vec::new();
        let mut locate = |refs: &TraceRefs| -> Vec<Result<u32, TraceId>> {
            refs.ids
                .iter()
                .map(|t| match span_ids.binary_search(t) {
                    Ok(i) => Ok(i as u32),
                    Err(_) => {
                        extra.push(*t);
                        Err(*t)
                    }
                })
                .collect()
        };
        let log_at = locate(logs.0);
        let ex_at = locate(exemplars.0);
        extra.sort_unstable();
        extra.dedup();

        // Merge the two sorted, disjoint id lists, remembering where each entry went.
        let mut ids = Vec::with_capacity(span_ids.len() + extra.len());
        let (mut span_pos, mut extra_pos) = (Vec::with_capacity(span_ids.len()), Vec::with_capacity(extra.len()));
        let (mut i, mut j) = (0, 0);
        while i < span_ids.len() || j < extra.len() {
            if j == extra.len() || (i < span_ids.len() && span_ids[i] < extra[j]) {
                span_pos.push(ids.len() as u32);
                ids.push(span_ids[i]);
                i += 1;
            } else {
                extra_pos.push(ids.len() as u32);
                ids.push(extra[j]);
                j += 1;
            }
        }
        let resolve = |refs: &TraceRefs, at: Vec<Result<u32, TraceId>>| -> Vec<Option<u32>> {
            let of_id: Vec<u32> = at
                .into_iter()
                .map(|r| match r {
                    Ok(i) => span_pos[i as usize],
                    Err(t) => extra_pos[extra.binary_search(&t).expect("every extra id was collected")],
                })
                .collect();
            refs.rows.iter().map(|r| r.map(|r| of_id[r.index()])).collect()
        };
        let log_rows = resolve(logs.0, log_at);
        let ex_rows = resolve(exemplars.0, ex_at);

        let mut span_rows = vec![None; keyed.len()];
        let mut spans = Groups { offsets: Vec::with_capacity(ids.len() + 1), rows: Vec::with_capacity(keyed.len()) };
        let mut e = 0;
        for (t, id) in ids.iter().enumerate() {
            spans.offsets.push(spans.rows.len() as u32);
            while e < keyed.len() && keyed[e].0 == *id {
                spans.rows.push(keyed[e].3);
                span_rows[keyed[e].3 as usize] = Some(t as u32);
                e += 1;
            }
        }
        spans.offsets.push(spans.rows.len() as u32);
        let logs = Groups::count(ids.len(), &log_rows, logs.1);
        let exemplars = Groups::count(ids.len(), &ex_rows, exemplars.1);
        (TraceIndex { ids, spans, logs, exemplars }, [span_rows, log_rows, ex_rows])
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The index of trace `id`.
    pub fn find(&self, id: TraceId) -> Option<usize> {
        self.ids.binary_search(&id).ok()
    }

    /// Span rows of trace `t`, by start time then span id (duplicates removed by repair).
    pub fn spans(&self, t: usize) -> &[u32] {
        self.spans.get(t)
    }

    /// Where trace `t`'s spans sit in the concatenation of all traces' span lists: a
    /// per-span side table laid out like the index can be sliced with it.
    pub fn span_range(&self, t: usize) -> std::ops::Range<usize> {
        self.spans.range(t)
    }

    /// Log rows of trace `t`, by time.
    pub fn logs(&self, t: usize) -> &[u32] {
        self.logs.get(t)
    }

    /// Exemplar rows of trace `t`, by time.
    pub fn exemplars(&self, t: usize) -> &[u32] {
        self.exemplars.get(t)
    }

    /// Removes the span rows for which `drop` is true, keeping the order of the rest.
    pub(crate) fn drop_spans(&mut self, drop: &[bool]) {
        let g = &mut self.spans;
        let mut w = 0usize;
        for t in 0..g.offsets.len() - 1 {
            let (start, end) = (g.offsets[t] as usize, g.offsets[t + 1] as usize);
            g.offsets[t] = w as u32;
            for r in start..end {
                if !drop[g.rows[r] as usize] {
                    g.rows[w] = g.rows[r];
                    w += 1;
                }
            }
        }
        *g.offsets.last_mut().expect("offsets has len + 1 entries") = w as u32;
        g.rows.truncate(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: u128) -> TraceId {
        TraceId::new(v).unwrap()
    }

    #[test]
    fn groups_every_table_by_trace_in_time_order() {
        let spans = vec![(t(2), 30, 1), (t(1), 10, 5), (t(2), 10, 9), (t(2), 10, 3)];
        let logs: TraceRefs = [Some(t(3)), None, Some(t(2)), Some(t(2))].into_iter().collect();
        let exemplars: TraceRefs = [Some(t(1))].into_iter().collect();
        let (index, [span_t, log_t, ex_t]) = TraceIndex::build(spans.into_iter(), (&logs, &[5, 1, 7, 6]), (&exemplars, &[0]));
        assert_eq!(index.ids, vec![t(1), t(2), t(3)]);
        assert_eq!(index.spans(0), &[1]);
        assert_eq!(index.spans(1), &[3, 2, 0]);
        assert!(index.spans(2).is_empty());
        assert_eq!(index.logs(1), &[3, 2]);
        assert_eq!(index.logs(2), &[0]);
        assert_eq!(index.exemplars(0), &[0]);
        assert_eq!(span_t, vec![Some(1), Some(0), Some(1), Some(1)]);
        assert_eq!(log_t, vec![Some(2), None, Some(1), Some(1)]);
        assert_eq!(ex_t, vec![Some(0)]);
        assert_eq!(index.find(t(3)), Some(2));
        assert_eq!(index.find(t(9)), None);
    }

    #[test]
    fn dropping_spans_keeps_groups_consistent() {
        let spans = vec![(t(1), 1, 1), (t(1), 2, 2), (t(2), 1, 1), (t(3), 1, 1)];
        let none = TraceRefs::default();
        let (mut index, _) = TraceIndex::build(spans.into_iter(), (&none, &[]), (&none, &[]));
        index.drop_spans(&[false, true, true, false]);
        assert_eq!(index.spans(0), &[0]);
        assert!(index.spans(1).is_empty());
        assert_eq!(index.spans(2), &[3]);
    }

    #[test]
    fn empty_inputs_give_an_empty_index() {
        let none = TraceRefs::default();
        let (index, rows) = TraceIndex::build(std::iter::empty(), (&none, &[]), (&none, &[]));
        assert!(index.is_empty());
        assert!(rows.iter().all(|r| r.is_empty()));
    }
}
