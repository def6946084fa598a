#![no_main]
//! The prometheus decoder on arbitrary JSON.

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::decode_json(data, rootspan_core::ingest::prometheus::try_decode));
