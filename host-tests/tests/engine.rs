//! The wasmtime host: the raw wasm imports nothing, limits stop hostile work with a clear
//! error, and bad requests are errors, never traps.

mod common;

use common::{engine, nezha_cases, read_named, repo_root, streamed, testdata, RAW_WASM_IN_REPO};
use rootspan_cli::inputs::{case_options, sample};
use rootspan_core::request::{Command, Request};
use rootspan_engine::{Engine, HostError, Limit, Limits};

#[test]
fn the_raw_wasm_imports_nothing() {
    assert_eq!(engine().imports(), Vec::<String>::new());
}

#[test]
fn a_wasm_bindgen_build_is_refused_clearly() {
    let path = repo_root().join("wasm-plugin/js/pkg/rootspan_wasm_bg.wasm");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run scripts/build-wasm.sh)", path.display()));
    match Engine::from_bytes(&bytes, "browser build") {
        // wasmtime without its GC feature rejects wasm-bindgen's reference types before the
        // import check; either way the error says it is not a raw-ABI module.
        Err(e @ HostError::WasmInvalid { .. }) => {
            assert!(e.to_string().starts_with("browser build is not a rootspan raw-ABI wasm: "), "{e}")
        }
        Err(e) => panic!("unexpected error: {e}"),
        Ok(_) => panic!("a wasm-bindgen module must be refused"),
    }
}

#[test]
fn a_missing_wasm_says_how_to_build_it() {
    let e = Engine::load(std::path::Path::new("/nonexistent/rootspan_raw.wasm")).err().unwrap();
    assert!(matches!(e, HostError::WasmMissing { .. }));
    assert!(e.to_string().contains("run scripts/build-wasm.sh"), "{e}");
}

fn sample_request() -> Request {
    Request::analyze(case_options(sample::CASE_JSON).unwrap(), sample::inputs())
}

#[test]
fn the_sample_runs_within_the_default_limits_and_matches_native() {
    let request = sample_request();
    let (json, stats) = engine().call_encoded(request.encode().unwrap()).unwrap();
    let budget = Limits::default().fuel_for(request.encoded_len());
    assert!(stats.fuel_used > 0 && stats.fuel_used < budget / 4, "used {} of {budget}", stats.fuel_used);
    eprintln!("sample incident: {} fuel, {} MiB of wasm memory", stats.fuel_used, stats.memory_bytes >> 20);
    let inputs: Vec<rootspan_core::Input> =
        request.inputs.into_iter().map(|i| rootspan_core::Input::Bytes { name: i.name, bytes: i.bytes }).collect();
    assert_eq!(json, rootspan_core::analyze(&inputs, &rootspan_core::Options::from_json(&request.options).unwrap()).to_json());
}

fn limited(limits: Limits) -> Engine {
    Engine::load(&repo_root().join(RAW_WASM_IN_REPO)).unwrap().with_limits(limits)
}

#[test]
fn running_out_of_fuel_is_a_limit_error() {
    let engine = limited(Limits { fuel_base: 1_000_000, fuel_per_byte: 0, ..Limits::default() });
    let e = engine.call(&sample_request()).unwrap_err();
    assert!(matches!(e, HostError::LimitExceeded { limit: Limit::Fuel { budget: 1_000_000 }, .. }), "{e}");
    assert!(e.to_string().starts_with("limit exceeded"), "{e}");
    // The stage and the input that used the fuel up are named.
    assert!(e.to_string().contains(" while "), "{e}");
}

#[test]
fn running_out_of_memory_is_a_limit_error() {
    let case = &nezha_cases()[0];
    let engine = limited(Limits { memory_bytes: 8 << 20, ..Limits::default() });
    // Gzip inputs: decompression that cannot get memory is an error naming each input, and
    // the analysis goes on with what it has.
    let report = engine.analyze(read_named(&case.files), &case.options).unwrap();
    assert!(report.contains(r#""reason":"gzip: out of memory after "#), "{report}");
    // Decompressed, the same inputs outgrow the limit while decoding: a limit error naming
    // the input and the stage.
    let plain: Vec<_> = read_named(&case.files)
        .into_iter()
        .map(|mut i| {
            i.bytes = rootspan_core::ingest::gzip::gunzip(&i.bytes, 1 << 30).unwrap_or(i.bytes);
            i
        })
        .collect();
    let e = engine.analyze(plain.clone(), &case.options).unwrap_err();
    assert!(matches!(e, HostError::LimitExceeded { limit: Limit::Memory { .. }, .. }), "{e}");
    assert!(e.to_string().contains("memory limit of 8 MiB (--memory-mib) while receiving the request"), "{e}");
    let roomier = limited(Limits { memory_bytes: 32 << 20, ..Limits::default() });
    let e = roomier.analyze(plain, &case.options).unwrap_err();
    assert!(e.to_string().contains("memory limit of 32 MiB (--memory-mib) while decoding input "), "{e}");
}

#[test]
fn a_request_bigger_than_the_memory_limit_is_refused() {
    let engine = limited(Limits { memory_bytes: 4 << 20, ..Limits::default() });
    let big = rootspan_core::request::NamedBytes { name: "big.log".into(), bytes: vec![b'x'; 8 << 20] };
    let e = engine.analyze(vec![big], "").unwrap_err();
    assert!(matches!(e, HostError::LimitExceeded { limit: Limit::Memory { .. }, .. }), "{e}");
}

#[test]
fn malformed_envelopes_and_options_are_errors_not_traps() {
    match engine().call_encoded(b"RSPQ garbage".to_vec()) {
        Err(HostError::Failed(message)) => assert!(message.starts_with("malformed envelope"), "{message}"),
        other => panic!("expected a failure, got {other:?}"),
    }
    match engine().analyze(vec![], r#"{"top": "ten"}"#) {
        Err(HostError::Failed(message)) => assert!(message.starts_with("options:"), "{message}"),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn garbage_inputs_give_a_report_with_diagnostics() {
    let input = rootspan_core::request::NamedBytes { name: "noise.bin".into(), bytes: (0..=255u8).cycle().take(10_000).collect() };
    let report: serde_json::Value = serde_json::from_str(&engine().analyze(vec![input], "").unwrap()).unwrap();
    assert!(report["diagnostics"]["total"].as_u64().unwrap() > 0, "{}", report["diagnostics"]);
}

#[test]
fn every_command_is_answered() {
    let request = Request { command: Command::Patterns, options: String::new(), inputs: vec![] };
    // Until the patterns command lands it answers with a clear error; after, with JSON.
    match engine().call(&request) {
        Ok(json) => assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok(), "{json}"),
        Err(HostError::Failed(message)) => assert!(message.contains("patterns"), "{message}"),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn the_mine_command_gives_the_native_miners_result() {
    // Raw Loghub lines (headers, dates, ids) from two logs, one input each, plus a line of
    // invalid UTF-8 and CRLF endings: every line of every input is mined, in order.
    let mut inputs =
        read_named(&[testdata().join("loghub-2k/OpenSSH/OpenSSH_2k.log"), testdata().join("loghub-2k/Proxifier/Proxifier_2k.log")]);
    inputs.push(rootspan_core::request::NamedBytes { name: "odd.log".into(), bytes: b"bad \xff byte 1\r\nbad \xfe byte 2\r\n".to_vec() });
    let texts: Vec<String> = inputs.iter().map(|i| String::from_utf8_lossy(&i.bytes).into_owned()).collect();
    let native = rootspan_core::patterns::mine(texts.iter().flat_map(|t| t.lines()));
    assert_eq!(native.assignment.len(), 4002);
    let expected = serde_json::to_string(&rootspan_core::patterns::MineRun::from(native)).unwrap();
    assert_eq!(engine().mine(inputs).unwrap(), expected);
    // Invalid bytes read as U+FFFD, as every text decoder of the core reads them.
    assert!(expected.contains("\"template\":\"bad \u{fffd} byte <*>\",\"count\":2"), "{expected}");
}

/// One trace that is a parent chain `depth` spans deep, half of them in a second service, the
/// deepest failing: every per-span walk up or down the chain is exercised.
fn chain(depth: usize) -> Vec<u8> {
    let t0 = 1_700_000_000_000_000_000u64;
    let mut spans = String::with_capacity(depth * 200);
    for i in 1..=depth {
        let parent = if i == 1 { String::new() } else { format!("{:016x}", i - 1) };
        let status = if i == depth { 2 } else { 0 };
        if i > 1 {
            spans.push(',');
        }
        spans.push_str(&format!(
            r#"{{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"{i:016x}","parentSpanId":"{parent}","name":"op{}","kind":{},"startTimeUnixNano":"{}","endTimeUnixNano":"{}","status":{{"code":{status}}},"attributes":[{{"key":"service.name","value":{{"stringValue":"s{}"}}}}]}}"#,
            i % 3,
            2 + i % 2,
            t0 + i as u64,
            t0 + 2 * depth as u64 - i as u64,
            i % 2
        ));
    }
    format!(r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"s"}}}}]}},"scopeSpans":[{{"spans":[{spans}]}}]}}]}}"#).into_bytes()
}

/// Trace processing is linear in spans whatever the depth: a 200k-deep chain (1.1e10 fuel
/// measured) fits a fuel budget that a walk per span up or down the chain (quadratic: 2*10^10 steps at least)
/// cannot, so a regression fails here through the fuel limit, not a wall clock.
#[test]
fn a_200k_deep_chain_analyses_within_a_linear_fuel_budget() {
    let bytes = chain(200_000);
    let engine = limited(Limits { fuel_base: 35_000_000_000, fuel_per_byte: 0, ..Limits::default() });
    let input = rootspan_core::request::NamedBytes { name: "chain.json".into(), bytes };
    let request = Request::analyze("", vec![input]);
    let (json, stats) = engine.call_encoded(request.encode().unwrap()).unwrap_or_else(|e| panic!("{e}"));
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["inputs"]["totals"]["spans"], 200_000);
    assert!(!report["candidates"].as_array().unwrap().is_empty());
    eprintln!("200k-deep chain: {} fuel, {} MiB", stats.fuel_used, stats.memory_bytes >> 20);
}

/// A limit names the input and the stage that used it up.
#[test]
fn a_limit_names_the_input_and_stage() {
    let engine = limited(Limits { fuel_base: 2_000_000_000, fuel_per_byte: 0, ..Limits::default() });
    let small = rootspan_core::request::NamedBytes { name: "small.log".into(), bytes: b"2023-01-29T08:43:00Z ERROR a\n".to_vec() };
    let big = rootspan_core::request::NamedBytes { name: "deep.json".into(), bytes: chain(100_000) };
    let e = engine.call(&Request::analyze("", vec![small, big])).unwrap_err();
    assert!(matches!(e, HostError::LimitExceeded { limit: Limit::Fuel { .. }, .. }), "{e}");
    assert!(e.to_string().contains("while decoding input 2 (deep.json)"), "{e}");
}

/// Inputs streamed into one instance hold one input's bytes at a time: a memory limit the
/// one-shot request outgrows (all its inputs at once) lets the streamed analysis through, with
/// the same report; and an instance runs several analyses one after the other.
#[test]
fn inputs_streamed_into_one_instance_need_less_memory_and_give_the_same_report() {
    let case = &nezha_cases()[0];
    let plain: Vec<_> = read_named(&case.files)
        .into_iter()
        .map(|mut i| {
            i.bytes = rootspan_core::ingest::gzip::gunzip(&i.bytes, 1 << 30).unwrap_or(i.bytes);
            i
        })
        .collect();
    let (expected, one_shot) = engine().call_encoded(Request::analyze(case.options.clone(), plain.clone()).encode().unwrap()).unwrap();
    let mut instance = engine().instance().unwrap();
    assert_eq!(streamed(&mut instance, plain.clone(), &case.options).unwrap(), expected);
    let needed = instance.memory_bytes();
    assert!(needed < one_shot.memory_bytes, "streamed {needed} bytes, one request {}", one_shot.memory_bytes);
    // Capped at what the streamed analysis used (the wasm allocates the same way each time), the
    // one request does not fit and the streamed analysis does.
    let limited = limited(Limits { memory_bytes: needed, ..Limits::default() });
    let e = limited.analyze(plain.clone(), &case.options).unwrap_err();
    assert!(matches!(e, HostError::LimitExceeded { limit: Limit::Memory { .. }, .. }), "{e}");
    let mut instance = limited.instance().unwrap();
    assert_eq!(streamed(&mut instance, plain.clone(), &case.options).unwrap(), expected);
    assert_eq!(streamed(&mut instance, plain, &case.options).unwrap(), expected, "a second analysis in the same instance");
}

/// A limit in a streamed call names the call and the input it decoded (its ordinal in the whole
/// analysis); the wasm's own errors name the call too.
#[test]
fn a_limit_in_a_streamed_call_names_the_call_and_the_input() {
    let engine = limited(Limits { fuel_base: 2_000_000_000, fuel_per_byte: 0, ..Limits::default() });
    let small = rootspan_core::request::NamedBytes { name: "small.log".into(), bytes: b"2023-01-29T08:43:00Z ERROR a\n".to_vec() };
    let big = rootspan_core::request::NamedBytes { name: "deep.json".into(), bytes: chain(100_000) };
    let e = streamed(&mut engine.instance().unwrap(), vec![small.clone(), big], "").unwrap_err();
    assert!(matches!(e, HostError::LimitExceeded { limit: Limit::Fuel { .. }, .. }), "{e}");
    assert!(e.to_string().contains("while decoding input 2 (deep.json) (call 3 of the instance, add_input of input 2 (deep.json))"), "{e}");
    let add = Request { command: Command::AddInput, options: String::new(), inputs: vec![small] };
    match engine.instance().unwrap().call(&add) {
        Err(HostError::Failed(message)) => {
            assert_eq!(message, "add_input without begin_finish (call 1 of the instance, add_input of input 1 (small.log))")
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}
