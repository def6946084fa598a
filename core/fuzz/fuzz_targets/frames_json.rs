#![no_main]
//! The Grafana frames JSON decoder (wire frames, /api/ds/query responses, dataplane arrays,
//! `.jsonc` goldens) and the frame-kind rules behind it, on arbitrary input.

mod common;

use rootspan_core::ingest::frames_json;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    common::decode_json(frames_json::strip_comment_header(text).as_bytes(), frames_json::try_decode);
});
