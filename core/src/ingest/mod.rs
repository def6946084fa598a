//! Decoders: bytes or frames in, rows in the `Dataset` out. Each format is detected by its
//! shape, never by file name; what cannot be read goes to the diagnostics with its place.

#[cfg(feature = "arrow")]
pub mod arrow;
pub mod frame;
pub mod frame_kinds;
pub mod frames_json;

use crate::diag::Place;
use crate::model::Dataset;
use frame::Frame;

/// One input of an analysis.
#[derive(Debug, Clone)]
pub enum Input {
    /// Bytes of a file or response in any format rootspan reads (JSON, JSON lines, Arrow
    /// IPC, plain-text logs; gzip-compressed or not).
    Bytes { name: String, bytes: Vec<u8> },
    /// Frames as a Grafana panel receives them.
    Frames { name: String, frames: Vec<Frame> },
}

impl Input {
    pub fn name(&self) -> &str {
        match self {
            Input::Bytes { name, .. } | Input::Frames { name, .. } => name,
        }
    }
}

/// Decodes one input into the dataset. Never fails: problems are diagnostics.
pub fn ingest(ds: &mut Dataset, input: &Input) {
    match input {
        Input::Bytes { name, bytes } => {
            let _ = bytes;
            ds.diagnostics.error(Place::input(name), "no decoder recognises this input");
        }
        Input::Frames { name, frames } => frame_kinds::ingest_frames(ds, name, "grafana-frames", frames),
    }
}
