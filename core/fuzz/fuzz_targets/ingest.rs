#![no_main]
//! The whole bytes dispatcher: gzip, JSON, JSON lines, Arrow magic, plain text, every decoder.

mod common;

use rootspan_core::ingest::{ingest, Input, UntimedLines};
use rootspan_core::model::Dataset;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut ds = Dataset::default();
    ingest(&mut ds, &Input::Bytes { name: "fuzz".into(), bytes: data.to_vec() }, UntimedLines::LeaveOut);
    common::check(&ds);
});
