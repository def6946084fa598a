#![no_main]
//! The raw ABI end to end: any bytes as a request envelope, decoded and executed (analyze,
//! patterns, mine, partial, finish: a `finish` input is read as a partial state) into a response
//! envelope that must decode again. What the wasm does with the bytes a host writes into its memory.

use rootspan_core::request::{execute, Request, Response};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let response = match Request::decode(data) {
        Ok(request) => execute(request),
        Err(e) => Response::Error(e.to_string()),
    };
    let encoded = response.encode();
    assert_eq!(Response::decode(&encoded).as_ref(), Ok(&response));
});
