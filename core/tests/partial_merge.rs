//! The analysis split (`rootspan_core::partial`, `docs/spark.md`): inputs decoded in any
//! partition into partial states, merged in any grouping and order, give the same state, and its
//! finish is the report a `Session` gives (every input decoded with its log text, then analysed:
//! the browser's path), byte for byte, through the raw-ABI envelope as a Spark job calls it; so is
//! the one-shot `analyze` command, which reads each input's text as it is decoded. Unreadable
//! states are errors, never panics.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use rootspan_core::partial::PartialState;
use rootspan_core::patterns::miner::Miner;
use rootspan_core::request::{execute, Calls, Command, NamedBytes, Request, Response};
use rootspan_core::{Input, Options, Session};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn named(path: &Path) -> NamedBytes {
    NamedBytes { name: path.file_name().unwrap().to_string_lossy().into_owned(), bytes: std::fs::read(path).unwrap() }
}

/// Inputs of several formats whose data meet: traces, logs, metrics and exemplars.
fn mixed_inputs() -> Vec<NamedBytes> {
    let f = root().join("testdata/fixtures");
    [
        "otlp-json/otel-proto-trace.json",
        "otlp-json/file-exporter-traces.jsonl",
        "otlp-json/otel-proto-logs.json",
        "loki-api/streams_structured_metadata.json",
        "prometheus-api/prom-matrix.json",
        "prometheus-api/prom-exemplars-a.json",
        "otlp-json/otel-proto-metrics.json",
        "prometheus-api/prom-error.json",
    ]
    .iter()
    .map(|p| named(&f.join(p)))
    .collect()
}

fn call(command: Command, options: String, inputs: Vec<NamedBytes>) -> Response {
    execute(Request { command, options, inputs })
}

/// Options that change what is read from log text where an input is decoded: other body keys
/// for ids, one sample per pattern, redacted.
const TEXT_OPTIONS: &str =
    r#"{"top":3,"correlation":{"body_trace_keys":["trace"],"body_traceparent":false},"patterns":{"samples":1,"redact":true}}"#;

/// The `partial` command on `inputs`, the first at ordinal `first`, with the analysis `options`.
fn partial(first: usize, options: &str, inputs: &[NamedBytes]) -> Vec<u8> {
    let options = if options.is_empty() { "{}" } else { options };
    match call(Command::Partial, format!(r#"{{"first_input":{first},"analysis":{options}}}"#), inputs.to_vec()) {
        Response::State(bytes) => bytes,
        other => panic!("partial: {other:?}"),
    }
}

fn finish(states: Vec<Vec<u8>>, options: &str) -> Response {
    let inputs = states.into_iter().enumerate().map(|(i, bytes)| NamedBytes { name: format!("state-{i}"), bytes }).collect();
    call(Command::Finish, options.to_string(), inputs)
}

/// The report a `Session` gives: every input decoded with its log text, then analysed (the
/// browser's path), which no split of the work may change.
fn analyze(inputs: &[NamedBytes], options: &str) -> String {
    let inputs: Vec<Input> = inputs.iter().map(|i| Input::Bytes { name: i.name.clone(), bytes: i.bytes.clone() }).collect();
    Session::new().decoding(&inputs, &mut |_| {}).analyze(&Options::from_json(options).expect("the tests' options are valid")).to_json()
}

/// The raw-ABI `analyze` command (the CLI's): inputs decoded one at a time, their text read and dropped.
fn analyze_command(inputs: &[NamedBytes], options: &str) -> String {
    match call(Command::Analyze, options.to_string(), inputs.to_vec()) {
        Response::Ok(json) => json,
        other => panic!("analyze: {other:?}"),
    }
}

/// Splits `0..n` into consecutive-free groups: input `i` goes to partition `owner[i]`.
fn partitions(n: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0..4usize, n)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any partitioning of the inputs (each input to any of up to four tasks, so a task's inputs
    /// need not be consecutive), merged in any grouping and order, gives the state of all inputs
    /// decoded together; its finish is `analyze`'s report, with options that read log text in
    /// other ways too.
    #[test]
    fn any_partitioning_and_merge_order_gives_the_same_state_and_report(
        owner in partitions(8),
        order in Just((0..4usize).collect::<Vec<_>>()).prop_shuffle(),
        split in 0..4usize,
        options in prop::sample::select(vec![r#"{"top":3}"#, TEXT_OPTIONS]),
    ) {
        let inputs = mixed_inputs();
        // One state per (task, input): a task that calls `partial` once per file, as the Spark job does.
        let mut tasks: Vec<Vec<u8>> = Vec::new();
        for task in 0..4 {
            let mut state = PartialState::default();
            for (i, input) in inputs.iter().enumerate().filter(|(i, _)| owner[*i] == task) {
                state.merge(PartialState::decode(&partial(i, options, std::slice::from_ref(input))).unwrap()).unwrap();
            }
            tasks.push(state.encode());
        }
        // Merged as two groups in the shuffled order, then the groups merged.
        let merge = |ids: &[usize]| {
            let mut s = PartialState::default();
            for &t in ids {
                s.merge(PartialState::decode(&tasks[t]).unwrap()).unwrap();
            }
            s
        };
        let (left, right) = order.split_at(split);
        let mut merged = merge(right);
        merged.merge(merge(left)).unwrap();
        let whole = partial(0, options, &inputs);
        prop_assert!(merged.encode() == whole, "merged state differs from the whole");
        match finish(tasks, options) {
            Response::Ok(json) => prop_assert!(json == analyze(&inputs, options), "finish differs from analyze"),
            other => prop_assert!(false, "finish: {other:?}"),
        }
    }

    /// A state cut short or with a byte changed is refused with a reason, or (a changed value
    /// the format cannot tell from a real one) read; it never panics.
    #[test]
    fn damaged_states_are_errors_not_panics(cut in 0usize..100_000, at in 0usize..100_000, byte in any::<u8>()) {
        let state = partial(0, "", &mixed_inputs()[..3]);
        prop_assert!(PartialState::decode(&state[..cut % state.len()]).is_err());
        let mut damaged = state.clone();
        let at = at % damaged.len();
        damaged[at] = byte;
        if let Ok(read) = PartialState::decode(&damaged) {
            let _ = read.finish(&Default::default(), &mut |_| {});
        }
    }

    /// However a log input's records are cut into consecutive inputs, reading each part's text
    /// apart (ids and the miner's pass) and finishing gives the report of reading it whole.
    #[test]
    fn log_text_read_per_part_gives_the_whole_report(cuts in prop::collection::btree_set(1usize..200, 0..4), text in any::<bool>()) {
        let options = if text { TEXT_OPTIONS } else { "" };
        let lines = log_lines(200);
        let mut parts = Vec::new();
        let mut from = 0;
        for to in cuts.into_iter().chain([200]) {
            parts.push(loki(&format!("part-{from}"), &lines[from..to]));
            from = to;
        }
        let states: Vec<Vec<u8>> = parts.iter().enumerate().map(|(i, p)| partial(i, options, std::slice::from_ref(p))).collect();
        match finish(states, options) {
            Response::Ok(json) => prop_assert!(json == analyze(&parts, options), "finish differs from analyze"),
            other => prop_assert!(false, "finish: {other:?}"),
        }
    }
}

#[test]
fn a_state_reads_back_to_itself_and_an_input_counted_twice_is_refused() {
    let inputs = mixed_inputs();
    let state = partial(0, "", &inputs);
    assert!(state.len() > 1000, "{} bytes", state.len());
    let read = PartialState::decode(&state).unwrap();
    assert_eq!(read.ordinals().collect::<Vec<_>>(), (0..inputs.len() as u32).collect::<Vec<_>>());
    assert_eq!(read.encode(), state);
    let mut twice = read.clone();
    let err = twice.merge(PartialState::decode(&partial(3, "", &inputs[..1])).unwrap()).unwrap_err();
    assert!(err.to_string().contains("input 3 is in both"), "{err}");
    match finish(vec![state.clone(), partial(3, "", &inputs[..1])], "") {
        Response::Error(message) => assert!(message.contains("state 1 (state-1)") && message.contains("input 3"), "{message}"),
        other => panic!("expected an error, got {other:?}"),
    }
    match call(Command::Partial, r#"{"first":1}"#.into(), inputs.clone()) {
        Response::Error(message) => assert!(message.contains("unknown field `first`"), "{message}"),
        other => panic!("expected an error, got {other:?}"),
    }
}

/// A state is made for one set of options: merging it with a state made with others, or
/// finishing it with others, is refused (its ids and samples were read with its own).
#[test]
fn states_made_with_other_options_are_refused() {
    let inputs = mixed_inputs();
    let (plain, text) = (partial(0, "", &inputs[..1]), partial(1, TEXT_OPTIONS, &inputs[1..2]));
    let mut merged = PartialState::decode(&plain).unwrap();
    let err = merged.merge(PartialState::decode(&text).unwrap()).unwrap_err();
    assert!(err.to_string().contains("other options"), "{err}");
    match finish(vec![plain.clone()], TEXT_OPTIONS) {
        Response::Error(message) => assert!(message.contains("other options than the finish's"), "{message}"),
        other => panic!("expected an error, got {other:?}"),
    }
    assert!(matches!(finish(vec![plain], ""), Response::Ok(_)));
}

/// A partial state carries no log text: of the inputs' bodies, only the sample messages a
/// pattern may list are in its bytes (here one per masked word sequence).
#[test]
fn a_state_carries_no_log_text() {
    let lines = log_lines(200);
    let input = loki("logs", &lines);
    let state = partial(0, r#"{"patterns":{"samples":1}}"#, std::slice::from_ref(&input));
    let found = lines.iter().filter(|l| state.windows(l.len()).any(|w| w == l.as_bytes())).count();
    let mut miner = Miner::new();
    lines.iter().for_each(|l| _ = miner.add(l));
    assert!(found == miner.signature_count() && found < lines.len() / 4, "{found} of {} bodies are in the state", lines.len());
}

/// `n` log lines of a few shapes, some naming a trace by `trace=` or `trace_id=`.
fn log_lines(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| match i % 5 {
            0 => format!("GET /api/items/{i} served in {}ms trace_id=4bf92f3577b34da6a3ce929d0e0e{i:04x}", i % 17),
            1 => format!("cache miss for key user:{i} trace=0af7651916cd43dd8448eb211c80{i:04x}"),
            2 => format!("connection refused to 10.0.{}.{}:5432 user=u{i}@example.com", i % 7, i % 13),
            3 => format!("worker {} finished batch {i}", i % 3),
            _ => format!("retrying request {i} after {} attempts", i % 4),
        })
        .collect()
}

/// A Loki query_range response of one stream with `lines`, a second apart.
fn loki(name: &str, lines: &[String]) -> NamedBytes {
    let values: Vec<serde_json::Value> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| serde_json::json!([format!("{}", 1_700_000_000_000_000_000i64 + i as i64 * 1_000_000_000), l]))
        .collect();
    let body = serde_json::json!({"status": "success", "data": {"resultType": "streams", "result": [{"stream": {"service_name": "api"}, "values": values}]}});
    NamedBytes { name: name.to_string(), bytes: body.to_string().into_bytes() }
}

/// What the Spark job does on the sample incident and three Nezha dev cases: one `partial` call
/// per file, then `finish` on the driver; the report must be `analyze`'s, byte for byte.
#[test]
fn one_partial_per_file_then_finish_is_analyze_on_real_cases() {
    let dev = root().join("testdata/rca/nezha-tt/dev");
    let mut cases = vec![root().join("samples/incident")];
    cases.extend(["tt-2023-01-29-0843", "tt-2023-01-29-0912", "tt-2023-01-29-0930"].map(|c| dev.join(c)));
    for case in cases {
        let inputs: Vec<NamedBytes> =
            ["traces.otlp.json.gz", "logs.loki.json.gz", "metrics.prom.json.gz"].iter().map(|f| named(&case.join(f))).collect();
        // Files finished in reverse order of their tasks: the ordinals, not the arrival, decide.
        let states: Vec<Vec<u8>> = inputs.iter().enumerate().rev().map(|(i, input)| partial(i, "", std::slice::from_ref(input))).collect();
        let bytes: usize = states.iter().map(Vec::len).sum();
        let json = match finish(states, "") {
            Response::Ok(json) => json,
            other => panic!("{}: finish: {other:?}", case.display()),
        };
        let whole = analyze(&inputs, "");
        assert!(json == whole, "{}: the finished report differs from a session's", case.display());
        for options in ["", TEXT_OPTIONS] {
            let session = if options.is_empty() { whole.clone() } else { analyze(&inputs, options) };
            assert!(analyze_command(&inputs, options) == session, "{}: `analyze` differs from a session's ({options})", case.display());
        }
        let raw: usize = inputs.iter().map(|i| i.bytes.len()).sum();
        println!("{}: inputs {raw} B (gzip), partial states {bytes} B", case.file_name().unwrap().to_string_lossy());
    }
}

/// The streamed finish, as the Spark driver runs it in one wasm instance: `begin_finish`, one
/// `add_state` per state in ordinal order, `end_finish`, gives `analyze`'s report; a state out
/// of order and calls out of turn are errors.
#[test]
fn a_streamed_finish_is_analyze_and_refuses_states_out_of_order() {
    let inputs = mixed_inputs();
    let options = r#"{"top":3}"#;
    let mut calls = Calls::default();
    let mut run = |command, options: &str, inputs: Vec<NamedBytes>| {
        calls.execute_reporting(Request { command, options: options.to_string(), inputs }, &mut |_| {})
    };
    let state = |i: usize| vec![NamedBytes { name: format!("state-{i}"), bytes: partial(i, options, &inputs[i..i + 1]) }];
    let error = |response: Response| match response {
        Response::Error(message) => message,
        other => panic!("expected an error, got {other:?}"),
    };
    assert!(error(run(Command::AddState, "", state(0))).contains("without begin_finish"));
    assert_eq!(run(Command::BeginFinish, options, vec![]), Response::Ok("{}".into()));
    for i in 0..inputs.len() {
        assert_eq!(run(Command::AddState, "", state(i)), Response::Ok("{}".into()), "state {i}");
    }
    assert_eq!(run(Command::EndFinish, "", vec![]), Response::Ok(analyze(&inputs, options)));
    assert!(error(run(Command::EndFinish, "", vec![])).contains("without begin_finish"));

    run(Command::BeginFinish, options, vec![]);
    run(Command::AddState, "", state(2));
    assert!(error(run(Command::AddState, "", state(1))).contains("input 1 comes after input 2"));
    // `execute` runs in calls of their own: nothing was begun there.
    assert!(error(call(Command::EndFinish, String::new(), vec![])).contains("without begin_finish"));
}
