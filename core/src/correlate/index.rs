//! The trace index: every trace id seen in spans, logs or exemplars, and for each trace its
//! rows of each table. Built by sorting, so it is deterministic and needs no hash map.

use crate::id::TraceId;

/// Rows of one table grouped by trace: trace `t` owns `rows[offsets[t]..offsets[t + 1]]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Groups {
    offsets: Vec<u32>,
    rows: Vec<u32>,
}

impl Groups {
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

/// Sorted (trace, time, tiebreak, row) entries of one table.
type Keyed = Vec<(TraceId, i64, u64, u32)>;

impl TraceIndex {
    /// Groups rows by trace. Each argument yields, per row, its trace id (if any), a time and
    /// a tiebreak; rows within a trace are ordered by (time, tiebreak, row).
    /// Returns the index and, per table, each row's trace index.
    pub fn build(
        spans: impl Iterator<Item = (TraceId, i64, u64)>,
        logs: impl Iterator<Item = (Option<TraceId>, i64)>,
        exemplars: impl Iterator<Item = (Option<TraceId>, i64)>,
    ) -> (TraceIndex, [Vec<Option<u32>>; 3]) {
        let keyed = |it: &mut dyn Iterator<Item = (Option<TraceId>, i64, u64)>| -> (Keyed, usize) {
            let mut n = 0;
            let mut v: Keyed = Vec::new();
            for (row, (trace, time, tie)) in it.enumerate() {
                n = row + 1;
                if let Some(t) = trace {
                    v.push((t, time, tie, row as u32));
                }
            }
            v.sort_unstable();
            (v, n)
        };
        let tables = [
            keyed(&mut spans.map(|(t, time, tie)| (Some(t), time, tie))),
            keyed(&mut logs.map(|(t, time)| (t, time, 0))),
            keyed(&mut exemplars.map(|(t, time)| (t, time, 0))),
        ];
        let mut ids: Vec<TraceId> = Vec::new();
        for (v, _) in &tables {
            let start = ids.len();
            ids.extend(v.iter().map(|e| e.0));
            // Each table is sorted: dedup its run before merging keeps the sort below small.
            let mut w = start;
            for r in start..ids.len() {
                if r == start || ids[r] != ids[w - 1] {
                    ids[w] = ids[r];
                    w += 1;
                }
            }
            ids.truncate(w);
        }
        ids.sort_unstable();
        ids.dedup();
        let mut per_row: [Vec<Option<u32>>; 3] = Default::default();
        let mut groups: [Groups; 3] = Default::default();
        for (k, (v, n)) in tables.iter().enumerate() {
            let (g, rows) = group(&ids, v, *n);
            groups[k] = g;
            per_row[k] = rows;
        }
        let [spans, logs, exemplars] = groups;
        (TraceIndex { ids, spans, logs, exemplars }, per_row)
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

/// Offsets of sorted entries `v` against the sorted id list, and each row's trace index.
fn group(ids: &[TraceId], v: &Keyed, n: usize) -> (Groups, Vec<Option<u32>>) {
    let mut offsets = Vec::with_capacity(ids.len() + 1);
    let mut per_row = vec![None; n];
    let mut rows = Vec::with_capacity(v.len());
    let mut e = 0;
    for (t, id) in ids.iter().enumerate() {
        offsets.push(rows.len() as u32);
        while e < v.len() && v[e].0 == *id {
            rows.push(v[e].3);
            per_row[v[e].3 as usize] = Some(t as u32);
            e += 1;
        }
    }
    offsets.push(rows.len() as u32);
    (Groups { offsets, rows }, per_row)
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
        let logs = vec![(Some(t(3)), 5), (None, 1), (Some(t(2)), 7), (Some(t(2)), 6)];
        let exemplars = vec![(Some(t(1)), 0)];
        let (index, [span_t, log_t, ex_t]) = TraceIndex::build(spans.into_iter(), logs.into_iter(), exemplars.into_iter());
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
        let (mut index, _) = TraceIndex::build(spans.into_iter(), std::iter::empty(), std::iter::empty());
        index.drop_spans(&[false, true, true, false]);
        assert_eq!(index.spans(0), &[0]);
        assert!(index.spans(1).is_empty());
        assert_eq!(index.spans(2), &[3]);
    }

    #[test]
    fn empty_inputs_give_an_empty_index() {
        let (index, rows) = TraceIndex::build(std::iter::empty(), std::iter::empty(), std::iter::empty());
        assert!(index.is_empty());
        assert!(rows.iter().all(|r| r.is_empty()));
    }
}
