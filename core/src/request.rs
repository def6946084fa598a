//! The request envelope of the raw ABI: what a host (wasmtime, a test, a worker) hands the
//! raw-ABI wasm as one byte buffer, and the response it gets back.
//!
//! Defined once here so the host encodes and the wasm decodes with the same code. All
//! integers are little-endian; every length is a `u32` (wasm32 memory cannot hold more).
//!
//! ```text
//! request  = "RSPQ" version:u16 command:u8 0:u8  options:blob  count:u32  (name:blob bytes:blob)*count
//! response = "RSPR" version:u16 status:u8  0:u8  body:blob
//! blob     = len:u32 byte*len
//! ```
//!
//! `options` is the options JSON (empty means the defaults), `name` is UTF-8. A response's body
//! is JSON: the command's result when `status` is 0, `{"message": "..."}` when it is 1; when it
//! is 2, the body is a partial state's bytes (`partial`, see `crate::partial`).
//! Decoding never panics: malformed envelopes are `EnvelopeError`s saying what and where.

use crate::ingest::Input;
use crate::options::Options;
use crate::partial::{Finishing, PartialState};

const REQUEST_MAGIC: &[u8; 4] = b"RSPQ";
const RESPONSE_MAGIC: &[u8; 4] = b"RSPR";
/// Envelope format version. Bump it on any layout change; decoders reject other versions.
pub const ENVELOPE_VERSION: u16 = 1;

/// What the wasm is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// The full analysis; the result is the report JSON.
    Analyze = 1,
    /// Log patterns only (`rootspan patterns`).
    Patterns = 2,
    /// The template miner alone: every line of every input (plain text) mined, with no
    /// decoding, correlation or aggregation; the result is a `patterns::MineRun`. This is
    /// the work a log parser such as Drain does, so it is what the benchmark compares.
    Mine = 3,
    /// Each input decoded into a partial state (a Spark task's share; `docs/spark.md`). The
    /// options are `{"first_input": N, "analysis": {...}}`: the first input's ordinal in the
    /// whole analysis (0 when absent) and the analysis options (the defaults when absent), which
    /// the state is made with and `finish` must be given. The result is the state's bytes
    /// (`Response::State`).
    Partial = 4,
    /// The inputs are partial states: merged, then analysed with the options (those the states
    /// were made with, else an error); the result is the report JSON `analyze` gives for the
    /// states' inputs in ordinal order.
    Finish = 5,
    /// `Finish` streamed, one state per call, in one instance (`Calls`): this starts it with the
    /// analysis options (no inputs). The result is `{}`.
    BeginFinish = 6,
    /// Adds the inputs, partial states in ordinal order, to the finish begun. The result is `{}`.
    AddState = 7,
    /// Ends the finish begun (no options, no inputs): the report JSON, as `Finish` gives it.
    EndFinish = 8,
    /// Adds the inputs, in any format `Analyze` reads, to the finish begun, each decoded and its
    /// log text read as `Analyze` does (`Finishing::add_input`), after every input or state added
    /// before. So `BeginFinish`, `AddInput` per input and `EndFinish` give `Analyze`'s report
    /// with one input's bytes in the instance at a time (the CLI streams its files so). The result is `{}`.
    AddInput = 9,
}

impl Command {
    fn from_byte(b: u8) -> Result<Command, EnvelopeError> {
        match b {
            1 => Ok(Command::Analyze),
            2 => Ok(Command::Patterns),
            3 => Ok(Command::Mine),
            4 => Ok(Command::Partial),
            5 => Ok(Command::Finish),
            6 => Ok(Command::BeginFinish),
            7 => Ok(Command::AddState),
            8 => Ok(Command::EndFinish),
            9 => Ok(Command::AddInput),
            other => Err(EnvelopeError(format!("unknown command {other}"))),
        }
    }
}

/// One input: a file's or response's name and its bytes, in any format the core reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedBytes {
    pub name: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub command: Command,
    /// Options JSON (see `Options`); empty means the defaults.
    pub options: String,
    pub inputs: Vec<NamedBytes>,
}

/// The outcome of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// The command's result as JSON (for `analyze`, the report).
    Ok(String),
    /// Why the command failed (bad options, unavailable command).
    Error(String),
    /// A partial state (the `partial` command's result).
    State(Vec<u8>),
}

/// A malformed envelope: what was wrong and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeError(pub String);

impl std::fmt::Display for EnvelopeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "malformed envelope: {}", self.0)
    }
}

impl std::error::Error for EnvelopeError {}

impl Request {
    pub fn analyze(options: impl Into<String>, inputs: Vec<NamedBytes>) -> Request {
        Request { command: Command::Analyze, options: options.into(), inputs }
    }

    /// The encoded length, so `encode` allocates once (inputs can be hundreds of MB).
    pub fn encoded_len(&self) -> usize {
        8 + 4 + self.options.len() + 4 + self.inputs.iter().map(|i| 8 + i.name.len() + i.bytes.len()).sum::<usize>()
    }

    pub fn encode(&self) -> Result<Vec<u8>, EnvelopeError> {
        let mut out = Vec::with_capacity(self.encoded_len());
        out.extend_from_slice(REQUEST_MAGIC);
        out.extend_from_slice(&ENVELOPE_VERSION.to_le_bytes());
        out.push(self.command as u8);
        out.push(0);
        put_blob(&mut out, self.options.as_bytes(), "options")?;
        put_len(&mut out, self.inputs.len(), "input count")?;
        for input in &self.inputs {
            put_blob(&mut out, input.name.as_bytes(), "input name")?;
            put_blob(&mut out, &input.bytes, &input.name)?;
        }
        Ok(out)
    }

    pub fn decode(bytes: &[u8]) -> Result<Request, EnvelopeError> {
        let mut r = Reader { bytes, at: 0 };
        let command = Command::from_byte(r.header(REQUEST_MAGIC, "request")?)?;
        let options = r.text("options")?;
        let count = r.u32("input count")? as usize;
        // Each input takes at least 8 bytes, so a count beyond that is a lie; checking it
        // first keeps a hostile count from reserving gigabytes.
        if count > r.remaining() / 8 {
            return Err(EnvelopeError(format!("input count {count} exceeds what the remaining {} bytes can hold", r.remaining())));
        }
        let mut inputs = Vec::with_capacity(count);
        for i in 0..count {
            let name = r.text(&format!("input {i} name"))?;
            let bytes = r.blob(&format!("input {i} ({name}) bytes"))?.to_vec();
            inputs.push(NamedBytes { name, bytes });
        }
        if r.remaining() != 0 {
            return Err(EnvelopeError(format!("{} trailing bytes after the last input", r.remaining())));
        }
        Ok(Request { command, options, inputs })
    }
}

impl Response {
    pub fn encode(&self) -> Vec<u8> {
        let (status, body) = match self {
            Response::Ok(json) => (0u8, json.clone().into_bytes()),
            Response::Error(message) => (1u8, serde_json::json!({ "message": message }).to_string().into_bytes()),
            Response::State(bytes) => (2u8, bytes.clone()),
        };
        let mut out = Vec::with_capacity(12 + body.len());
        out.extend_from_slice(RESPONSE_MAGIC);
        out.extend_from_slice(&ENVELOPE_VERSION.to_le_bytes());
        out.push(status);
        out.push(0);
        // A body over 4 GiB cannot come out of wasm32; natively it would be a report of
        // that size, which the limits stop long before.
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Response, EnvelopeError> {
        let mut r = Reader { bytes, at: 0 };
        let status = r.header(RESPONSE_MAGIC, "response")?;
        if status == 2 {
            let body = r.blob("body")?.to_vec();
            return match r.remaining() {
                0 => Ok(Response::State(body)),
                n => Err(EnvelopeError(format!("{n} trailing bytes after the body"))),
            };
        }
        let body = r.text("body")?;
        if r.remaining() != 0 {
            return Err(EnvelopeError(format!("{} trailing bytes after the body", r.remaining())));
        }
        match status {
            0 => Ok(Response::Ok(body)),
            1 => {
                let value: serde_json::Value =
                    serde_json::from_str(&body).map_err(|e| EnvelopeError(format!("error body is not JSON: {e}")))?;
                match value.get("message").and_then(|m| m.as_str()) {
                    Some(message) => Ok(Response::Error(message.to_string())),
                    None => Err(EnvelopeError("error body has no \"message\" string".to_string())),
                }
            }
            other => Err(EnvelopeError(format!("unknown status {other}"))),
        }
    }
}

/// Runs a decoded request: the one dispatcher every raw-ABI home shares.
pub fn execute(request: Request) -> Response {
    execute_reporting(request, &mut |_| {})
}

/// `execute`, telling `progress` each stage as it starts.
pub fn execute_reporting(request: Request, progress: &mut dyn FnMut(crate::Stage)) -> Response {
    Calls::default().execute_reporting(request, progress)
}

/// What one instance keeps from call to call: a streamed finish, from `BeginFinish` to
/// `EndFinish`. Every other command leaves it as it was.
#[derive(Debug, Default)]
pub struct Calls {
    finishing: Option<Finishing>,
}

impl Calls {
    /// `execute_reporting` in this instance.
    pub fn execute_reporting(&mut self, request: Request, progress: &mut dyn FnMut(crate::Stage)) -> Response {
        self.run(request, progress).unwrap_or_else(Response::Error)
    }

    fn run(&mut self, request: Request, progress: &mut dyn FnMut(crate::Stage)) -> Result<Response, String> {
        let empty = "{}".to_string();
        match request.command {
            Command::BeginFinish => {
                self.finishing = Some(Finishing::begin(Options::from_json(&request.options)?));
                Ok(Response::Ok(empty))
            }
            Command::AddState => {
                let finishing = self.finishing.as_mut().ok_or("add_state without begin_finish")?;
                for (i, input) in request.inputs.into_iter().enumerate() {
                    PartialState::decode(&input.bytes)
                        .and_then(|state| finishing.add(state))
                        .map_err(|e| format!("state {i} ({}): {e}", input.name))?;
                }
                Ok(Response::Ok(empty))
            }
            Command::AddInput => {
                let finishing = self.finishing.as_mut().ok_or("add_input without begin_finish")?;
                for input in request.inputs {
                    // Each input's bytes are dropped once it is decoded, before the next one's.
                    finishing.add_input(&Input::Bytes { name: input.name, bytes: input.bytes }, progress);
                }
                Ok(Response::Ok(empty))
            }
            Command::EndFinish => {
                let finishing = self.finishing.take().ok_or("end_finish without begin_finish")?;
                Ok(Response::Ok(finishing.end(progress).to_json()))
            }
            _ => run(request, progress),
        }
    }
}

/// A command's response, or why it failed (bad options, an unreadable partial state).
fn run(request: Request, progress: &mut dyn FnMut(crate::Stage)) -> Result<Response, String> {
    let Request { command, options: options_json, inputs } = request;
    // Every command but `partial` takes the analysis options (`partial` in its own); a bad one
    // fails it before any work.
    let options = || Options::from_json(&options_json);
    let decoded =
        |inputs: Vec<NamedBytes>| -> Vec<Input> { inputs.into_iter().map(|i| Input::Bytes { name: i.name, bytes: i.bytes }).collect() };
    Ok(match command {
        Command::Analyze => Response::Ok(crate::analyze_reporting(&decoded(inputs), &options()?, progress).to_json()),
        Command::Patterns => Response::Ok(
            serde_json::to_string(&crate::patterns_reporting(&decoded(inputs), &options()?, progress))
                .expect("the pattern run serialises: no non-string map keys"),
        ),
        Command::Mine => {
            options()?;
            let texts: Vec<std::borrow::Cow<str>> = inputs.iter().map(|i| String::from_utf8_lossy(&i.bytes)).collect();
            let run = crate::patterns::MineRun::from(crate::patterns::mine(texts.iter().flat_map(|t| t.lines())));
            Response::Ok(serde_json::to_string(&run).expect("the mine run serialises: strings and numbers only"))
        }
        Command::Partial => {
            let partial = PartialOptions::from_json(&options_json)?;
            partial.analysis.validate()?;
            let state = PartialState::decode_inputs(partial.first_input, &decoded(inputs), &partial.analysis, progress);
            Response::State(state.map_err(|e| e.to_string())?.encode())
        }
        Command::Finish => {
            let options = options()?;
            let mut merged = PartialState::default();
            // Each state's bytes are dropped once read, so they and the datasets they hold are
            // not resident together for the analysis.
            for (i, input) in inputs.into_iter().enumerate() {
                PartialState::decode(&input.bytes)
                    .and_then(|state| merged.merge(state))
                    .map_err(|e| format!("state {i} ({}): {e}", input.name))?;
            }
            Response::Ok(merged.finish(&options, progress).map_err(|e| e.to_string())?.to_json())
        }
        Command::BeginFinish | Command::AddState | Command::AddInput | Command::EndFinish => {
            unreachable!("`Calls::run` answers the streamed commands")
        }
    })
}

/// The `partial` command's options.
#[derive(serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct PartialOptions {
    /// The first input's ordinal in the whole analysis.
    first_input: u32,
    /// The analysis options (`finish` must get the same): log bodies are read here.
    analysis: Options,
}

impl PartialOptions {
    fn from_json(json: &str) -> Result<PartialOptions, String> {
        match json.trim() {
            "" => Ok(PartialOptions::default()),
            json => serde_json::from_str(json).map_err(|e| format!("partial options: {e}")),
        }
    }
}

fn put_len(out: &mut Vec<u8>, len: usize, what: &str) -> Result<(), EnvelopeError> {
    let len = u32::try_from(len).map_err(|_| EnvelopeError(format!("{what} is {len} bytes, over the 4 GiB an envelope can carry")))?;
    out.extend_from_slice(&len.to_le_bytes());
    Ok(())
}

fn put_blob(out: &mut Vec<u8>, blob: &[u8], what: &str) -> Result<(), EnvelopeError> {
    put_len(out, blob.len(), what)?;
    out.extend_from_slice(blob);
    Ok(())
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], EnvelopeError> {
        if n > self.remaining() {
            return Err(EnvelopeError(format!("truncated at byte {}: {what} needs {n} bytes, {} left", self.at, self.remaining())));
        }
        let slice = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(slice)
    }

    fn u32(&mut self, what: &str) -> Result<u32, EnvelopeError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Magic, version and the byte that follows them (command or status); the pad byte must be 0.
    fn header(&mut self, magic: &[u8; 4], what: &str) -> Result<u8, EnvelopeError> {
        if self.take(4, "magic")? != magic {
            return Err(EnvelopeError(format!("not a rootspan {what} (bad magic)")));
        }
        let v = self.take(2, "version")?;
        let version = u16::from_le_bytes([v[0], v[1]]);
        if version != ENVELOPE_VERSION {
            return Err(EnvelopeError(format!("{what} envelope version {version}, this build reads {ENVELOPE_VERSION}")));
        }
        let b = self.take(2, "header")?;
        if b[1] != 0 {
            return Err(EnvelopeError(format!("reserved header byte is {}, not 0", b[1])));
        }
        Ok(b[0])
    }

    fn blob(&mut self, what: &str) -> Result<&'a [u8], EnvelopeError> {
        let len = self.u32(what)? as usize;
        self.take(len, what)
    }

    fn text(&mut self, what: &str) -> Result<String, EnvelopeError> {
        let at = self.at + 4;
        let blob = self.blob(what)?;
        String::from_utf8(blob.to_vec()).map_err(|e| EnvelopeError(format!("{what} at byte {at} is not UTF-8: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Request {
        Request {
            command: Command::Analyze,
            options: r#"{"top":3}"#.to_string(),
            inputs: vec![
                NamedBytes { name: "traces.json".to_string(), bytes: b"{}".to_vec() },
                NamedBytes { name: "empty".to_string(), bytes: vec![] },
            ],
        }
    }

    fn command() -> impl Strategy<Value = Command> {
        prop_oneof![
            Just(Command::Analyze),
            Just(Command::Patterns),
            Just(Command::Mine),
            Just(Command::Partial),
            Just(Command::Finish),
            Just(Command::BeginFinish),
            Just(Command::AddState),
            Just(Command::EndFinish),
            Just(Command::AddInput)
        ]
    }

    proptest! {
        #[test]
        fn requests_round_trip(
            command in command(),
            options in ".{0,40}",
            inputs in prop::collection::vec((".{0,12}", prop::collection::vec(any::<u8>(), 0..64)), 0..5),
        ) {
            let request = Request {
                command,
                options,
                inputs: inputs.into_iter().map(|(name, bytes)| NamedBytes { name, bytes }).collect(),
            };
            let bytes = request.encode().unwrap();
            prop_assert_eq!(bytes.len(), request.encoded_len());
            prop_assert_eq!(Request::decode(&bytes), Ok(request));
        }

        #[test]
        fn responses_round_trip(kind in 0..3u8, text in ".{0,60}") {
            let response = match kind {
                0 => Response::Ok(text),
                1 => Response::Error(text),
                _ => Response::State(text.into_bytes()),
            };
            prop_assert_eq!(Response::decode(&response.encode()), Ok(response));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            prop_assert!(Request::decode(&bytes).is_err() || bytes.starts_with(REQUEST_MAGIC));
            prop_assert!(Response::decode(&bytes).is_err() || bytes.starts_with(RESPONSE_MAGIC));
        }

        #[test]
        fn every_truncation_is_an_error(cut in 0usize..1000) {
            let bytes = sample().encode().unwrap();
            let cut = cut % bytes.len();
            prop_assert!(Request::decode(&bytes[..cut]).is_err());
        }
    }

    fn err(bytes: &[u8]) -> String {
        Request::decode(bytes).unwrap_err().0
    }

    #[test]
    fn malformed_requests_say_what_is_wrong() {
        let good = sample().encode().unwrap();

        let mut bad = good.clone();
        bad[0] = b'X';
        assert!(err(&bad).contains("bad magic"));

        let mut bad = good.clone();
        bad[4] = 9;
        assert!(err(&bad).contains("version 9"));

        let mut bad = good.clone();
        bad[6] = 99;
        assert!(err(&bad).contains("unknown command 99"));

        let mut bad = good.clone();
        bad[7] = 1;
        assert!(err(&bad).contains("reserved"));

        let mut bad = good.clone();
        bad.push(0);
        assert!(err(&bad).contains("1 trailing bytes"));

        // A count of 2^32-1 inputs must be refused before anything is reserved for them.
        let mut bad = good[..8 + 4 + 9].to_vec();
        bad.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(err(&bad).contains("input count 4294967295"));

        // An input claiming more bytes than there are.
        let mut bad = good[..good.len() - 4 - 5 - 4].to_vec();
        bad.extend_from_slice(&1000u32.to_le_bytes());
        assert!(err(&bad).contains("input 1 name"), "{}", err(&bad));

        // Invalid UTF-8 in a name.
        let mut bad = good.clone();
        let at = 8 + 4 + 9 + 4 + 4;
        bad[at] = 0xff;
        assert!(err(&bad).contains("input 0 name at byte 29 is not UTF-8"), "{}", err(&bad));
    }

    #[test]
    fn malformed_responses_are_errors() {
        assert!(Response::decode(b"").is_err());
        let mut bad = Response::Ok("{}".into()).encode();
        bad[6] = 5;
        assert_eq!(Response::decode(&bad).unwrap_err().0, "unknown status 5");
        let mut bad = Response::Error("x".into()).encode();
        let n = bad.len();
        bad.truncate(n - 1);
        assert!(Response::decode(&bad).is_err());
    }

    #[test]
    fn execute_reports_bad_options_and_runs_analyze() {
        let mut request = sample();
        request.options = r#"{"no_such_option":1}"#.to_string();
        match execute(request) {
            Response::Error(message) => assert!(message.contains("no_such_option"), "{message}"),
            other => panic!("expected an error, got {other:?}"),
        }
        match execute(sample()) {
            Response::Ok(json) => assert_eq!(json, crate::analyze(&sample_inputs(), &Options { top: 3, ..Options::default() }).to_json()),
            other => panic!("expected a report, got {other:?}"),
        }
    }

    /// `begin_finish`, one `add_input` per input and `end_finish` in one `Calls` give `analyze`'s
    /// report; the streamed commands out of order are errors, not panics.
    #[test]
    fn inputs_streamed_into_one_instance_give_the_analysis() {
        let options = r#"{"top":3}"#.to_string();
        let call = |calls: &mut Calls, command, inputs| {
            calls.execute_reporting(Request { command, options: options.clone(), inputs }, &mut |_| {})
        };
        let inputs = vec![
            NamedBytes {
                name: "a.log".into(),
                bytes: b"2023-01-29T08:43:00Z ERROR payment failed trace_id=0af7651916cd43dd8448eb211c80319c\n".to_vec(),
            },
            NamedBytes { name: "b.log".into(), bytes: b"2023-01-29T08:44:00Z INFO orders ok\n".to_vec() },
        ];
        let mut calls = Calls::default();
        assert_eq!(call(&mut calls, Command::AddInput, inputs.clone()), Response::Error("add_input without begin_finish".into()));
        assert_eq!(call(&mut calls, Command::BeginFinish, vec![]), Response::Ok("{}".into()));
        let mut stages = Vec::new();
        for input in inputs.clone() {
            let request = Request { command: Command::AddInput, options: String::new(), inputs: vec![input] };
            assert_eq!(calls.execute_reporting(request, &mut |stage| stages.push(stage)), Response::Ok("{}".into()));
        }
        // Each input is announced with its ordinal in the whole analysis, as the one-shot does.
        assert_eq!(stages, vec![crate::Stage::Decode(0), crate::Stage::Decode(1)]);
        let streamed = call(&mut calls, Command::EndFinish, vec![]);
        assert_eq!(streamed, execute(Request { command: Command::Analyze, options: options.clone(), inputs }));
        assert!(matches!(&streamed, Response::Ok(json) if json.contains("a.log") && json.contains("b.log")), "{streamed:?}");
        // The finish ended with the report: another end is an error.
        assert_eq!(call(&mut calls, Command::EndFinish, vec![]), Response::Error("end_finish without begin_finish".into()));
    }

    fn sample_inputs() -> Vec<Input> {
        sample().inputs.into_iter().map(|i| Input::Bytes { name: i.name, bytes: i.bytes }).collect()
    }
}
