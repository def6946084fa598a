//! The analysis split for a distributed engine (Spark): a per-partition phase that decodes its
//! inputs into a partial state, a merge of partial states, and a finish that analyses the merged
//! state. The single-process analysis takes the same path (`Session::add` decodes each input apart
//! and appends it), so a finished merge gives the report `analyze` gives, byte for byte
//! (`docs/spark.md`).
//!
//! A state holds, for each input ordinal (its position in the analysis' input list), that
//! input's decoded dataset without its log text: the two stages that read log bodies (finding
//! ids in them, `correlate::LogIds`; mining them, `patterns::LogLines`) run where the input is
//! decoded, with the analysis options, and the state carries what they found. So a state is
//! made for one set of options, and merging or finishing with other options is an error.
//! Merging is the union of the ordinal maps, so it is associative and commutative; finishing
//! appends the inputs in ordinal order (`merge::append`, `LogIds::append`, `LogLines::append`,
//! each exact).

mod codec;

use std::collections::BTreeMap;

pub use codec::StateError;

use crate::correlate::LogIds;
use crate::model::Dataset;
use crate::patterns::LogLines;
use crate::{Input, Options, Report, Session, Stage};
use codec::{Reader, Writer};

const MAGIC: &[u8; 4] = b"RSPS";
/// Bump on any change to the encoding; a state of another version is refused.
pub const STATE_VERSION: u16 = 2;

/// Decoded inputs of one partition, by ordinal, and the options their text was read with.
#[derive(Debug, Default, Clone)]
pub struct PartialState {
    /// The options as JSON (`serde_json` writes a struct's fields in one order); `None` while
    /// the state holds no input.
    options: Option<String>,
    inputs: BTreeMap<u32, InputState>,
}

/// One input: its dataset (log bodies dropped) and what was read from its log text.
#[derive(Debug, Clone)]
struct InputState {
    dataset: Dataset,
    ids: LogIds,
    lines: LogLines,
}

impl InputState {
    /// `input` decoded on its own, its log text read with `options` and dropped.
    fn decode(input: &Input, options: &Options) -> InputState {
        let mut dataset = Session::new().decoding(std::slice::from_ref(input), &mut |_| {}).into_dataset();
        let ids = LogIds::find(&dataset, &options.correlation);
        let lines = LogLines::read(&dataset, &options.patterns);
        dataset.logs.forget_text();
        InputState { dataset, ids, lines }
    }
}

fn options_key(options: &Options) -> String {
    serde_json::to_string(options).expect("options serialise: no non-string map keys")
}

impl PartialState {
    /// `inputs` decoded, the first at ordinal `first`, the next at `first + 1`, and so on; their
    /// log text read with `options` and dropped.
    pub fn decode_inputs(
        first: u32,
        inputs: &[Input],
        options: &Options,
        progress: &mut dyn FnMut(Stage),
    ) -> Result<PartialState, StateError> {
        let mut state = PartialState { options: Some(options_key(options)), inputs: BTreeMap::new() };
        for (i, input) in inputs.iter().enumerate() {
            let ordinal = u32::try_from(i)
                .ok()
                .and_then(|i| first.checked_add(i))
                .ok_or_else(|| StateError(format!("ordinal {first} + {i} overflows")))?;
            progress(Stage::Decode(i));
            state.inputs.insert(ordinal, InputState::decode(input, options));
        }
        Ok(state)
    }

    /// The ordinals this state holds, in order.
    pub fn ordinals(&self) -> impl Iterator<Item = u32> + '_ {
        self.inputs.keys().copied()
    }

    /// Adds `other`'s inputs. An ordinal both hold is the same input counted twice, and states
    /// made with other options cannot be analysed together: errors, and `self` is left as it was.
    pub fn merge(&mut self, other: PartialState) -> Result<(), StateError> {
        if let (Some(a), Some(b)) = (&self.options, &other.options) {
            if a != b {
                return Err(StateError("the states being merged were made with other options".into()));
            }
        }
        if let Some(o) = other.inputs.keys().find(|o| self.inputs.contains_key(o)) {
            return Err(StateError(format!("input {o} is in both states being merged")));
        }
        self.options = self.options.take().or(other.options);
        self.inputs.extend(other.inputs);
        Ok(())
    }

    /// The report: what `analyze` gives for the inputs, in ordinal order, with `options`, which
    /// must be those the state was made with.
    pub fn finish(self, options: &Options, progress: &mut dyn FnMut(Stage)) -> Result<Report, StateError> {
        let mut finishing = Finishing::begin(options.clone());
        finishing.add(self)?;
        Ok(finishing.end(progress))
    }

    /// `"RSPS" version:u16 0:u16 options:blob count:u32 (ordinal:u32 dataset text)*count`,
    /// ordinals ascending, options empty for a state without inputs (the dataset and text
    /// encodings are in `codec`).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer(Vec::new());
        w.0.extend_from_slice(MAGIC);
        w.0.extend_from_slice(&STATE_VERSION.to_le_bytes());
        w.0.extend_from_slice(&[0, 0]);
        w.blob(self.options.as_deref().unwrap_or(""));
        w.u32(self.inputs.len() as u32);
        for (ordinal, input) in &self.inputs {
            w.u32(*ordinal);
            codec::write_dataset(&mut w, &input.dataset);
            codec::write_text(&mut w, &input.ids, &input.lines);
        }
        w.0
    }

    /// Reads a state from `encode`'s bytes; anything else is an error saying what and where.
    pub fn decode(bytes: &[u8]) -> Result<PartialState, StateError> {
        if bytes.len() < 8 || &bytes[..4] != MAGIC {
            return Err(StateError("not a rootspan partial state (bad magic)".into()));
        }
        let version = u16::from_le_bytes([bytes[4], bytes[5]]);
        if version != STATE_VERSION || bytes[6..8] != [0, 0] {
            return Err(StateError(format!("state version {version}, this build reads {STATE_VERSION}")));
        }
        let mut r = Reader { bytes, at: 8 };
        let options = r.text("options")?;
        let n = r.count(4, "input count")?;
        let mut state = PartialState { options: (!options.is_empty()).then(|| options.to_string()), inputs: BTreeMap::new() };
        let mut last = None;
        for _ in 0..n {
            let ordinal = r.u32("ordinal")?;
            if last.is_some_and(|l| ordinal <= l) {
                return Err(StateError(format!("ordinal {ordinal} after {}", last.unwrap_or_default())));
            }
            last = Some(ordinal);
            let what = format!("input {ordinal}");
            let dataset = codec::read_dataset(&mut r, &what)?;
            let (ids, lines) = codec::read_text(&mut r, &what, dataset.logs.len())?;
            state.inputs.insert(ordinal, InputState { dataset, ids, lines });
        }
        if r.at != bytes.len() {
            return Err(StateError(format!("{} trailing bytes", bytes.len() - r.at)));
        }
        Ok(state)
    }
}

/// A finish that takes the states one at a time (`begin`, `add` each, `end`), so a driver streams
/// them in rather than holding every state's bytes, and their decoded inputs, at once: each state
/// is appended as it comes and dropped. States come in ordinal order (each state's inputs after
/// every input added before); `PartialState::finish` is this with one state.
#[derive(Debug)]
pub struct Finishing {
    options: Options,
    /// `options` as a state records them.
    key: String,
    dataset: Dataset,
    ids: LogIds,
    lines: LogLines,
    /// The last input added.
    last: Option<u32>,
}

impl Finishing {
    pub fn begin(options: Options) -> Finishing {
        Finishing {
            key: options_key(&options),
            lines: LogLines::empty(&options.patterns),
            options,
            dataset: Dataset::default(),
            ids: LogIds::default(),
            last: None,
        }
    }

    /// Appends `state`'s inputs. A state made with other options, or one with an input at or
    /// before one added already, is an error and adds nothing.
    pub fn add(&mut self, state: PartialState) -> Result<(), StateError> {
        if state.options.as_ref().is_some_and(|made| *made != self.key) {
            return Err(StateError(
                "the states were made with other options than the finish's (give `partial` and `finish` the same)".into(),
            ));
        }
        if let (Some(last), Some(first)) = (self.last, state.ordinals().next()) {
            if first <= last {
                return Err(StateError(format!("input {first} comes after input {last}: states are added in ordinal order")));
            }
        }
        for (ordinal, input) in state.inputs {
            self.append(input);
            self.last = Some(ordinal);
        }
        Ok(())
    }

    /// The report for `inputs` decoded one at a time, each input's log text read as it is
    /// decoded and dropped (as a partial state's is), so the log bodies of all the inputs are
    /// never held together: the one-shot analysis (`crate::analyze`), which the CLI and every
    /// raw-ABI host run. The finish of states made from the same inputs (`add`) gives the same report.
    pub fn analyze(inputs: &[Input], options: &Options, progress: &mut dyn FnMut(Stage)) -> Report {
        let mut finishing = Finishing::begin(options.clone());
        for input in inputs {
            finishing.add_input(input, progress);
        }
        finishing.end(progress)
    }

    /// Decodes `input` as the next input (the ordinal after the last one added), reads its log
    /// text with the finish's options and appends it; its bytes and text are not kept. `analyze`
    /// is this per input, and a host that streams its inputs into one instance (the raw ABI's
    /// `add_input`, the CLI) calls it once per input: the same report, with one input's bytes held
    /// at a time. `progress` hears `Stage::Decode` with the input's ordinal.
    pub fn add_input(&mut self, input: &Input, progress: &mut dyn FnMut(Stage)) {
        // Ordinals only order the inputs; past u32::MAX (more inputs than any memory holds) they
        // stay at the maximum, and a state added after is refused as out of order.
        let ordinal = self.last.map_or(0, |last| last.saturating_add(1));
        progress(Stage::Decode(ordinal as usize));
        let decoded = InputState::decode(input, &self.options);
        self.append(decoded);
        self.last = Some(ordinal);
    }

    fn append(&mut self, input: InputState) {
        crate::merge::append(&mut self.dataset, input.dataset);
        self.ids.append(input.ids);
        self.lines.append(input.lines);
    }

    /// The report: what `analyze` gives for the inputs added, in ordinal order.
    pub fn end(self, progress: &mut dyn FnMut(Stage)) -> Report {
        crate::analyze_read(&self.dataset, self.ids, self.lines, &self.options, progress)
    }
}
