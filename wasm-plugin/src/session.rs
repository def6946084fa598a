//! The browser session in plain Rust (the wasm-bindgen class in `browser.rs` only wraps it, so
//! this logic is tested natively).

use rootspan_core::ingest::frame_kinds::FrameInput;
use rootspan_core::{Input, Options};

use crate::interop::{unpack_frame, Buffers, InteropError};

/// Inputs added so far, the options to analyse them with, and the source being added (frames of
/// one `addFrames` call arrive one by one but form one input; each is decoded as it arrives).
#[derive(Debug, Default)]
pub struct Session {
    core: rootspan_core::Session,
    options: Options,
    pending: Option<(String, FrameInput<'static>)>,
}

impl Session {
    pub fn new() -> Session {
        Session::default()
    }

    /// Adds one packed frame to `source`; consecutive frames of one source form one input.
    pub fn add_packed_frame(&mut self, source: &str, header: &str, buffers: Buffers<'_>) -> Result<(), String> {
        if self.pending.as_ref().is_some_and(|(name, _)| name != source) {
            self.flush();
        }
        let (_, frames) = match &mut self.pending {
            Some(pending) => pending,
            None => self.pending.insert((source.to_string(), self.core.start_frames(source))),
        };
        let frame = unpack_frame(header, buffers, frames.added()).map_err(|e: InteropError| format!("{source}: {e}"))?;
        self.core.add_frame(frames, frame);
        Ok(())
    }

    /// Adds the bytes of a file or response in any format the core reads (gzip or not).
    pub fn add_bytes(&mut self, name: String, bytes: Vec<u8>) {
        self.flush();
        self.core.add(&Input::Bytes { name, bytes });
    }

    pub fn set_options(&mut self, options: &str) -> Result<(), String> {
        self.options = Options::from_json(options)?;
        Ok(())
    }

    /// The report JSON, with `options` if given, else those set last.
    pub fn analyze(&mut self, options: Option<&str>) -> Result<String, String> {
        self.flush();
        let report = match options {
            Some(text) => self.core.analyze(&Options::from_json(text)?),
            None => self.core.analyze(&self.options),
        };
        Ok(report.to_json())
    }

    /// One trace's spans with their logs and exemplars, as JSON (for trace views), joined with
    /// the correlation options of `options` if given, else of those set last; `None` when the
    /// data holds no such trace.
    pub fn trace(&mut self, id: &str, options: Option<&str>) -> Result<Option<String>, String> {
        self.flush();
        let given = options.map(Options::from_json).transpose()?;
        let correlation = &given.as_ref().unwrap_or(&self.options).correlation;
        // The core session keeps the correlation of the last analysis for exactly this.
        Ok(self
            .core
            .trace_detail(correlation, id)
            .map(|d| serde_json::to_string(&d).expect("a trace detail serialises: it holds no maps with non-string keys")))
    }

    fn flush(&mut self) {
        if let Some((_, frames)) = self.pending.take() {
            self.core.end_frames(frames);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str) -> String {
        serde_json::json!({"name": name, "length": 1, "fields": [
            {"name": "v", "type": "number", "column": {"kind": "f64", "values": 0, "valid": null}}
        ]})
        .to_string()
    }

    fn buffers() -> Buffers<'static> {
        Buffers { f64: &[1.0], u8: Vec::new(), u32: &[] }
    }

    #[test]
    fn frames_of_one_source_form_one_input() {
        let mut with_batches = Session::new();
        with_batches.add_packed_frame("panel:A", &header("a"), buffers()).unwrap();
        with_batches.add_packed_frame("panel:A", &header("b"), buffers()).unwrap();
        with_batches.add_packed_frame("panel:B", &header("c"), buffers()).unwrap();
        let report = with_batches.analyze(None).unwrap();

        let mut direct = rootspan_core::Session::new();
        let frame = |name: &str| unpack_frame(&header(name), buffers(), 0).unwrap();
        direct.add(&Input::Frames { name: "panel:A".into(), frames: vec![frame("a"), frame("b")] });
        direct.add(&Input::Frames { name: "panel:B".into(), frames: vec![frame("c")] });
        assert_eq!(report, direct.analyze(&Options::default()).to_json());
    }

    #[test]
    fn errors_name_the_source_and_options_are_checked() {
        let mut s = Session::new();
        let e = s.add_packed_frame("panel:A", "{}", buffers()).unwrap_err();
        assert!(e.starts_with("panel:A: frame #0: packed frame header is not valid"), "{e}");
        assert!(s.set_options(r#"{"top": "many"}"#).unwrap_err().starts_with("options:"));
        assert!(s.analyze(Some("\"nope\"")).is_err());
        s.set_options(r#"{"top": 2}"#).unwrap();
        let with_set = s.analyze(None).unwrap();
        assert_eq!(with_set, s.analyze(Some(r#"{"top": 2}"#)).unwrap());
    }
}
