//! What the patterns stage reads of log bodies, read where an input is decoded: each record's
//! signature in a miner of the input's own, the miner's counts, and the first records' messages
//! per signature. The lines of consecutive inputs append (`LogLines::append`, through
//! `Miner::merge`), so a partial state carries these and no log text, and the finish mines and
//! aggregates the same templates and samples as one pass over every body (`docs/spark.md`).

use super::miner::Miner;
use super::redact::redact;
use super::shape::ShapeMiner;
use super::{Mined, PatternOptions};
use crate::model::Dataset;

/// A dataset's log records as the miner read them.
#[derive(Debug, Clone, Default)]
pub struct LogLines {
    pub(crate) miner: Miner,
    /// Per log row: its signature in `miner`.
    pub(crate) signature: Vec<u32>,
    /// Per signature: its first records as (row, message as the report shows it). A template's
    /// first `samples` records are among its signatures' first `samples`, whatever templates
    /// the merged counts make.
    pub(crate) samples: Vec<Vec<(u32, String)>>,
    /// Messages kept per signature: the options' `samples`.
    pub(crate) kept: usize,
}

impl LogLines {
    /// No records yet, keeping the messages `options` list: what inputs' lines append to.
    pub fn empty(options: &PatternOptions) -> LogLines {
        LogLines { kept: options.samples, ..LogLines::default() }
    }

    /// Mines `ds`'s log bodies, keeping the messages `options` list (redacted when it says so).
    pub fn read(ds: &Dataset, options: &PatternOptions) -> LogLines {
        let logs = &ds.logs;
        let mut lines = LogLines { signature: Vec::with_capacity(logs.len()), ..LogLines::empty(options) };
        // Each line shape is tokenised and masked once (`shape`): the same signatures.
        let mut shaped = ShapeMiner::default();
        for row in 0..logs.len() {
            let body = logs.body(row);
            let signature = shaped.add(body);
            if signature as usize == lines.samples.len() {
                lines.samples.push(Vec::new());
            }
            let samples = &mut lines.samples[signature as usize];
            if samples.len() < lines.kept {
                samples.push((row as u32, if options.redact { redact(body) } else { body.to_string() }));
            }
            lines.signature.push(signature);
        }
        lines.miner = shaped.miner;
        lines
    }

    /// Records read.
    pub fn len(&self) -> usize {
        self.signature.len()
    }

    pub fn is_empty(&self) -> bool {
        self.signature.is_empty()
    }

    /// Adds the records that follow (a later input's), as if read in one pass: the miners merge
    /// and an earlier record's sample comes before a later one's.
    pub fn append(&mut self, later: LogLines) {
        let base = self.signature.len() as u32;
        let remap = self.miner.merge(&later.miner);
        crate::model::reserve_appending(&mut self.signature, later.signature.len());
        self.signature.extend(later.signature.iter().map(|s| remap[*s as usize]));
        self.samples.resize_with(self.miner.signature_count(), Vec::new);
        for (s, samples) in later.samples.into_iter().enumerate() {
            let into = &mut self.samples[remap[s] as usize];
            let room = self.kept.saturating_sub(into.len());
            into.extend(samples.into_iter().take(room).map(|(row, message)| (base + row, message)));
        }
    }

    /// The templates, each record's template and each template's first records' messages.
    pub fn into_mined(self) -> Mined {
        let t = self.miner.templates();
        let mut samples: Vec<Vec<(u32, String)>> = vec![Vec::new(); t.list.len()];
        for (s, kept) in self.samples.into_iter().enumerate() {
            samples[t.of_signature[s] as usize].extend(kept);
        }
        let samples = samples
            .into_iter()
            .map(|mut kept| {
                kept.sort_unstable_by_key(|(row, _)| *row);
                kept.into_iter().take(self.kept).map(|(_, message)| message).collect()
            })
            .collect();
        Mined { assignment: self.signature.iter().map(|s| t.of_signature[*s as usize]).collect(), templates: t.list, samples }
    }
}
