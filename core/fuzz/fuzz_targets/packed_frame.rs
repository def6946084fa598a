#![no_main]
//! The browser's packed frames (wasm-plugin/PACKED_FRAMES.md): a JSON header and three typed
//! buffers, all untrusted, through `Session::add_packed_frame` and an analysis. Layout of the
//! fuzz input: header length (u16), header, then the rest split into the f64, u8 and u32
//! buffers at two cut points taken from its first bytes.

use rootspan_wasm::interop::Buffers;
use rootspan_wasm::session::Session;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((len, rest)) = data.split_first_chunk::<2>() else { return };
    let len = usize::from(u16::from_le_bytes(*len)).min(rest.len());
    let (header, rest) = rest.split_at(len);
    let Ok(header) = std::str::from_utf8(header) else { return };
    let Some((cuts, rest)) = rest.split_first_chunk::<2>() else { return };
    let (a, b) = (usize::from(cuts[0]) * 8, usize::from(cuts[1]) * 4);
    let (f64_bytes, rest) = rest.split_at(a.min(rest.len()));
    let (u32_bytes, u8s) = rest.split_at(b.min(rest.len()));
    let f64s: Vec<f64> = f64_bytes.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect();
    let u32s: Vec<u32> = u32_bytes.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap())).collect();
    let mut session = Session::new();
    // The text buffer is handed over (the session keeps it), so each frame gets its own.
    let buffers = || Buffers { f64: &f64s, u8: u8s.to_vec(), u32: &u32s };
    // Twice into one source (two frames of one input), then analysed.
    if session.add_packed_frame("fuzz", header, buffers()).is_ok() {
        let _ = session.add_packed_frame("fuzz", header, buffers());
    }
    let report = session.analyze(None).expect("default options always analyse");
    assert!(report.starts_with('{'));
});
