//! The browser API (wasm-bindgen): the `Session` class the npm package wraps. Its TypeScript
//! wrapper packs DataFrames (PACKED_FRAMES.md), calls `addPackedFrame` once per frame, and
//! parses the report JSON `analyze` returns (a string, so every home's bytes can be compared).

use wasm_bindgen::prelude::*;

use crate::interop::{js_error, Buffers};

#[wasm_bindgen]
pub struct Session {
    inner: crate::session::Session,
}

#[wasm_bindgen]
impl Session {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Session {
        Session { inner: crate::session::Session::new() }
    }

    /// One packed frame of the input `source` (see PACKED_FRAMES.md).
    #[wasm_bindgen(js_name = addPackedFrame)]
    pub fn add_packed_frame(&mut self, source: &str, header: &str, f64: &[f64], u8: &[u8], u32: &[u32]) -> Result<(), JsError> {
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

/// The message of the panic that broke this instance, if one did. Set by the panic hook.
static PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Installed when the module is instantiated. The browser build has `panic = "abort"`, so a
/// panic would surface in JS as a bare `RuntimeError: unreachable` with the instance left
/// unusable. The hook runs before the abort: it keeps the message (see `panicMessage`) and
/// throws a JS `Error` whose message starts with `rootspan panicked: `, so the caller sees
/// what happened. The instance stays broken either way (Rust frames were abandoned):
/// the npm package re-creates it when `panicMessage()` returns a message or a call threw a
/// `WebAssembly.RuntimeError`.
#[wasm_bindgen(start)]
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = panic_text(info);
        if let Ok(mut slot) = PANIC.lock() {
            slot.get_or_insert_with(|| message.clone());
        }
        wasm_bindgen::throw_str(&format!("rootspan panicked: {message}"));
    }));
}

/// `message (at file:line)`, from a panic's payload and location.
fn panic_text(info: &std::panic::PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    let message =
        payload.downcast_ref::<&str>().copied().or_else(|| payload.downcast_ref::<String>().map(String::as_str)).unwrap_or("(no message)");
    match info.location() {
        Some(at) => format!("{message} (at {}:{})", at.file(), at.line()),
        None => message.to_string(),
    }
}

/// The message of the panic that broke this instance, or `undefined` when none did. Safe to
/// call after a trap: it reads one static and allocates one string. When it returns a
/// message, discard this instance and instantiate the module again.
#[wasm_bindgen(js_name = panicMessage)]
pub fn panic_message() -> Option<String> {
    PANIC.lock().ok().and_then(|slot| slot.clone())
}

/// Panics on purpose, so the JS side can test that a panic becomes an `Error` with its
/// message and that it recovers (re-creates the instance). Never called by rootspan itself.
#[wasm_bindgen(js_name = testPanic)]
pub fn test_panic(message: &str) {
    panic!("{message}");
}

/// The rootspan version this wasm was built from.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
