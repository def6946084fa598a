//! The analysis split for a distributed engine (Spark): a per-partition phase that decodes its
//! inputs into a partial state, a merge of partial states, and a finish that analyses the merged
//! state. The single-process analysis takes the same path (`Session::add` decodes each input apart
//! and appends it), so a finished merge gives the report `analyze` gives, byte for byte
//! (`docs/spark.md`).
//!
//! A state holds, for each input ordinal (its position in the analysis' input list), that
//! input's decoded dataset. Merging is the union of those maps, so it is associative and
//! commutative; finishing appends the datasets in ordinal order (`merge::append`, exact).

mod codec;

use std::collections::BTreeMap;

pub use codec::StateError;

use crate::model::Dataset;
use crate::{Input, Options, Report, Session, Stage};
use codec::{Reader, Writer};

const MAGIC: &[u8; 4] = b"RSPS";
/// Bump on any change to the encoding; a state of another version is refused.
pub const STATE_VERSION: u16 = 1;

/// Decoded inputs of one partition, by ordinal.
#[derive(Debug, Default, Clone)]
pub struct PartialState {
    inputs: BTreeMap<u32, Dataset>,
}

impl PartialState {
    /// `inputs` decoded, the first at ordinal `first`, the next at `first + 1`, and so on.
    pub fn decode_inputs(first: u32, inputs: &[Input], progress: &mut dyn FnMut(Stage)) -> Result<PartialState, StateError> {
        let mut state = PartialState::default();
        for (i, input) in inputs.iter().enumerate() {
            let ordinal = u32::try_from(i)
                .ok()
                .and_then(|i| first.checked_add(i))
                .ok_or_else(|| StateError(format!("ordinal {first} + {i} overflows")))?;
            progress(Stage::Decode(i));
            state.inputs.insert(ordinal, Session::new().decoding(std::slice::from_ref(input), &mut |_| {}).into_dataset());
        }
        Ok(state)
    }

    /// The ordinals this state holds, in order.
    pub fn ordinals(&self) -> impl Iterator<Item = u32> + '_ {
        self.inputs.keys().copied()
    }

    /// Adds `other`'s inputs. An ordinal both hold is the same input counted twice: an error, and
    /// `self` is left as it was.
    pub fn merge(&mut self, other: PartialState) -> Result<(), StateError> {
        if let Some(o) = other.inputs.keys().find(|o| self.inputs.contains_key(o)) {
            return Err(StateError(format!("input {o} is in both states being merged")));
        }
        self.inputs.extend(other.inputs);
        Ok(())
    }

    /// The session the merged inputs make: each appended in ordinal order, as `Session::add`.
    pub fn into_session(self) -> Session {
        let mut session = Session::new();
        for ds in self.inputs.into_values() {
            session.add_decoded(ds);
        }
        session
    }

    /// The report: what `analyze` gives for the inputs, in ordinal order.
    pub fn finish(self, options: &Options, progress: &mut dyn FnMut(Stage)) -> Report {
        self.into_session().analyze_reporting(options, progress)
    }

    /// `"RSPS" version:u16 0:u16 count:u32 (ordinal:u32 dataset)*count`, ordinals ascending
    /// (the dataset encoding is in `codec`).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer(Vec::new());
        w.0.extend_from_slice(MAGIC);
        w.0.extend_from_slice(&STATE_VERSION.to_le_bytes());
        w.0.extend_from_slice(&[0, 0]);
        w.u32(self.inputs.len() as u32);
        for (ordinal, ds) in &self.inputs {
            w.u32(*ordinal);
            codec::write_dataset(&mut w, ds);
        }
        w.0
    }

    pub fn decode(bytes: &[u8]) -> Result<PartialState, StateError> {
        if bytes.len() < 8 || &bytes[..4] != MAGIC {
            return Err(StateError("not a rootspan partial state (bad magic)".into()));
        }
        let version = u16::from_le_bytes([bytes[4], bytes[5]]);
        if version != STATE_VERSION || bytes[6..8] != [0, 0] {
            return Err(StateError(format!("state version {version}, this build reads {STATE_VERSION}")));
        }
        let mut r = Reader { bytes, at: 8 };
        let n = r.count(4, "input count")?;
        let mut state = PartialState::default();
        let mut last = None;
        for _ in 0..n {
            let ordinal = r.u32("ordinal")?;
            if last.is_some_and(|l| ordinal <= l) {
                return Err(StateError(format!("ordinal {ordinal} after {}", last.unwrap_or_default())));
            }
            last = Some(ordinal);
            state.inputs.insert(ordinal, codec::read_dataset(&mut r, &format!("input {ordinal}"))?);
        }
        if r.at != bytes.len() {
            return Err(StateError(format!("{} trailing bytes", bytes.len() - r.at)));
        }
        Ok(state)
    }
}
