#![no_main]
//! The Tempo and Jaeger API decoders (which share the OTLP span reader) on arbitrary JSON.

mod common;

use rootspan_core::ingest::{jaeger, tempo};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    common::decode_json(data, tempo::try_decode);
    common::decode_json(data, jaeger::try_decode);
});
