//! The analysis split (`rootspan_core::partial`, `docs/spark.md`): inputs decoded in any
//! partition into partial states, merged in any grouping and order, give the same state, and its
//! finish is the report `analyze` gives, byte for byte, through the raw-ABI envelope as a Spark
//! job calls it. Unreadable states are errors, never panics.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use rootspan_core::partial::PartialState;
use rootspan_core::request::{execute, Command, NamedBytes, Request, Response};

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

/// The `partial` command on `inputs`, the first at ordinal `first`.
fn partial(first: usize, inputs: &[NamedBytes]) -> Vec<u8> {
    match call(Command::Partial, format!(r#"{{"first_input":{first}}}"#), inputs.to_vec()) {
        Response::State(bytes) => bytes,
        other => panic!("partial: {other:?}"),
    }
}

fn finish(states: Vec<Vec<u8>>, options: &str) -> Response {
    let inputs = states.into_iter().enumerate().map(|(i, bytes)| NamedBytes { name: format!("state-{i}"), bytes }).collect();
    call(Command::Finish, options.to_string(), inputs)
}

fn analyze(inputs: &[NamedBytes], options: &str) -> String {
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
    /// decoded together; its finish is `analyze`'s report.
    #[test]
    fn any_partitioning_and_merge_order_gives_the_same_state_and_report(
        owner in partitions(8),
        order in Just((0..4usize).collect::<Vec<_>>()).prop_shuffle(),
        split in 0..4usize,
    ) {
        let inputs = mixed_inputs();
        // One state per (task, input): a task that calls `partial` once per file, as the Spark job does.
        let mut tasks: Vec<Vec<u8>> = Vec::new();
        for task in 0..4 {
            let mut state = PartialState::default();
            for (i, input) in inputs.iter().enumerate().filter(|(i, _)| owner[*i] == task) {
                state.merge(PartialState::decode(&partial(i, std::slice::from_ref(input))).unwrap()).unwrap();
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
        let whole = partial(0, &inputs);
        prop_assert!(merged.encode() == whole, "merged state differs from the whole");
        match finish(tasks, r#"{"top":3}"#) {
            Response::Ok(json) => prop_assert!(json == analyze(&inputs, r#"{"top":3}"#), "finish differs from analyze"),
            other => prop_assert!(false, "finish: {other:?}"),
        }
    }

    /// A state cut short or with a byte changed is refused with a reason, or (a changed value
    /// the format cannot tell from a real one) read; it never panics.
    #[test]
    fn damaged_states_are_errors_not_panics(cut in 0usize..100_000, at in 0usize..100_000, byte in any::<u8>()) {
        let state = partial(0, &mixed_inputs()[..3]);
        prop_assert!(PartialState::decode(&state[..cut % state.len()]).is_err());
        let mut damaged = state.clone();
        let at = at % damaged.len();
        damaged[at] = byte;
        if let Ok(read) = PartialState::decode(&damaged) {
            let _ = read.finish(&Default::default(), &mut |_| {});
        }
    }
}

#[test]
fn a_state_reads_back_to_itself_and_an_input_counted_twice_is_refused() {
    let inputs = mixed_inputs();
    let state = partial(0, &inputs);
    assert!(state.len() > 1000, "{} bytes", state.len());
    let read = PartialState::decode(&state).unwrap();
    assert_eq!(read.ordinals().collect::<Vec<_>>(), (0..inputs.len() as u32).collect::<Vec<_>>());
    assert_eq!(read.encode(), state);
    let mut twice = read.clone();
    let err = twice.merge(PartialState::decode(&partial(3, &inputs[..1])).unwrap()).unwrap_err();
    assert!(err.to_string().contains("input 3 is in both"), "{err}");
    match finish(vec![state.clone(), partial(3, &inputs[..1])], "") {
        Response::Error(message) => assert!(message.contains("state 1 (state-1)") && message.contains("input 3"), "{message}"),
        other => panic!("expected an error, got {other:?}"),
    }
    match call(Command::Partial, r#"{"first":1}"#.into(), inputs) {
        Response::Error(message) => assert!(message.contains("unknown field `first`"), "{message}"),
        other => panic!("expected an error, got {other:?}"),
    }
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
        let states: Vec<Vec<u8>> = inputs.iter().enumerate().rev().map(|(i, input)| partial(i, std::slice::from_ref(input))).collect();
        let bytes: usize = states.iter().map(Vec::len).sum();
        let json = match finish(states, "") {
            Response::Ok(json) => json,
            other => panic!("{}: finish: {other:?}", case.display()),
        };
        assert!(json == analyze(&inputs, ""), "{}: the finished report differs from analyze's", case.display());
        let raw: usize = inputs.iter().map(|i| i.bytes.len()).sum();
        println!("{}: inputs {raw} B (gzip), partial states {bytes} B", case.file_name().unwrap().to_string_lossy());
    }
}
