//! The browser API (wasm-bindgen): the `Session` class the npm package wraps. Its TypeScript
//! wrapper packs DataFrames (PACKED_FRAMES.md), calls `addPackedFrame` once per frame, and
//! parses the report JSON `analyze` returns (a string, so every home's bytes can be compared).

use std::sync::{Mutex, Once};

use wasm_bindgen::prelude::*;

use crate::interop::{js_error, Buffers};

/// The message of the last panic. With `panic = "abort"` a panic ends the call in a trap
/// (`RuntimeError: unreachable`) that says nothing; the hook keeps the message so the npm
/// package's worker can read it with `lastPanic()` before it drops the broken instance.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn record_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            if let Ok(mut last) = LAST_PANIC.lock() {
                *last = Some(info.to_string());
            }
        }));
    });
}

/// The message of the last panic (where and why), if the module has panicked.
#[wasm_bindgen(js_name = lastPanic)]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.lock().ok().and_then(|last| last.clone())
}

/// Panics with `message`: how the npm package's tests check that a trapped instance is replaced
/// and its panic message surfaced (no input may make the core panic, so none can be used).
#[doc(hidden)]
#[wasm_bindgen(js_name = panicForTest)]
pub fn panic_for_test(message: &str) {
    record_panics();
    panic!("{message}");
}

#[wasm_bindgen]
pub struct Session {
    inner: crate::session::Session,
}

#[wasm_bindgen]
impl Session {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Session {
        record_panics();
        Session { inner: crate::session::Session::new() }
    }

    /// One packed frame of the input `source` (see PACKED_FRAMES.md). `u8` is taken by value: the glue copies
    /// it into wasm memory once and the frame's text columns keep that copy.
    #[wasm_bindgen(js_name = addPackedFrame)]
    pub fn add_packed_frame(&mut self, source: &str, header: &str, f64: &[f64], u8: Vec<u8>, u32: &[u32]) -> Result<(), JsError> {
        self.inner.add_packed_frame(source, header, Buffers { f64, u8, u32 }).map_err(js_error)
    }

    /// A file or response in any format rootspan reads (JSON, JSON lines, Arrow IPC when built
    /// in, text logs), gzip-compressed or not; the format is detected from the content.
    #[wasm_bindgen(js_name = addBytes)]
    pub fn add_bytes(&mut self, name: String, bytes: Vec<u8>) {
        self.inner.add_bytes(name, bytes);
    }

    /// JSON text (Grafana frames, /api/ds/query, OTLP, Loki, Prometheus, Tempo, Jaeger).
    #[wasm_bindgen(js_name = addJson)]
    pub fn add_json(&mut self, name: String, text: String) {
        self.inner.add_bytes(name, text.into_bytes());
    }

    /// An Arrow IPC stream or file. Fails in builds without the `arrow` feature.
    #[wasm_bindgen(js_name = addArrowIpc)]
    pub fn add_arrow_ipc(&mut self, name: String, bytes: Vec<u8>) -> Result<(), JsError> {
        if !cfg!(feature = "arrow") {
            return Err(js_error(format!("{name}: this build of rootspan reads no Arrow IPC (built without the `arrow` feature)")));
        }
        self.inner.add_bytes(name, bytes);
        Ok(())
    }

    /// Options JSON (snake_case keys, see the Options docs) used by `analyze()` without options.
    #[wasm_bindgen(js_name = setOptions)]
    pub fn set_options(&mut self, options: &str) -> Result<(), JsError> {
        self.inner.set_options(options).map_err(js_error)
    }

    /// The report JSON, analysed with `options` (JSON) if given, else with those set last.
    pub fn analyze(&mut self, options: Option<String>) -> Result<String, JsError> {
        self.inner.analyze(options.as_deref()).map_err(js_error)
    }

    /// One trace's spans with their logs and exemplars (JSON), joined with the correlation
    /// options of `options` (JSON) if given; `undefined` when the data holds no such trace.
    pub fn trace(&mut self, id: &str, options: Option<String>) -> Result<Option<String>, JsError> {
        self.inner.trace(id, options.as_deref()).map_err(js_error)
    }
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

/// The rootspan version this wasm was built from.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
