//! The raw ABI for wasmtime and other hosts that load the module without JS glue. The module
//! imports nothing; it exports `memory` and three functions:
//!
//! - `alloc(len: i32) -> i32`: `len` bytes for the host to write a request into (0 when the
//!   memory limit refuses them);
//! - `analyze(ptr: i32, len: i32) -> i64`: runs the request envelope (`rootspan_core::request`)
//!   at `ptr`, taking ownership of it (it is freed before the analysis, so a large request does
//!   not stay resident twice); returns the response envelope as `ptr << 32 | len`. The instance
//!   keeps a streamed finish between calls (`begin_finish`, `add_state`... or `add_input`...,
//!   `end_finish`: the envelope's commands 6-9), so a host that keeps the instance adds one state
//!   or one input per call;
//!   every other command is independent of earlier calls;
//! - `free(ptr: i32, len: i32)`: releases a response (or a request never passed to `analyze`);
//! - `progress() -> i32`: the address of two little-endian `u32`s, the stage `analyze` is in
//!   and the input it decodes (`rootspan_core::Stage::code`). They stay readable in memory
//!   after a trap, so a host whose fuel or memory limit stopped a call can say where.

use std::alloc::{alloc, dealloc, Layout};
use std::cell::RefCell;
use std::sync::atomic::{AtomicU32, Ordering};

use rootspan_core::request::{Calls, Request, Response};

thread_local! {
    /// What this instance keeps between calls (a streamed finish); the module is single-threaded.
    static CALLS: RefCell<Calls> = RefCell::new(Calls::default());
}

/// The current stage (see `progress`): atomics only to have a `static` without `unsafe`;
/// the module is single-threaded.
static PROGRESS: [AtomicU32; 2] = [AtomicU32::new(0), AtomicU32::new(0)];

#[export_name = "progress"]
pub extern "C" fn raw_progress() -> u32 {
    PROGRESS.as_ptr() as u32
}

fn layout(len: u32) -> Option<Layout> {
    Layout::from_size_align(len as usize, 1).ok()
}

#[export_name = "alloc"]
pub extern "C" fn raw_alloc(len: u32) -> u32 {
    match layout(len) {
        // A zero-sized allocation: any non-null, aligned pointer will do, and free ignores it.
        Some(_) if len == 0 => 1,
        // SAFETY: the layout has a non-zero size.
        Some(l) => unsafe { alloc(l) as u32 },
        None => 0,
    }
}

/// # Safety
/// `ptr` and `len` must come from `alloc(len)` or an `analyze` response, freed once.
#[export_name = "free"]
pub unsafe extern "C" fn raw_free(ptr: u32, len: u32) {
    if let (Some(l), true) = (layout(len), ptr != 0 && len != 0) {
        // SAFETY: the caller guarantees this block came from `alloc` with this layout.
        unsafe { dealloc(ptr as *mut u8, l) }
    }
}

/// # Safety
/// `ptr` and `len` must come from `alloc(len)`, with the request written there.
#[export_name = "analyze"]
pub unsafe extern "C" fn raw_analyze(ptr: u32, len: u32) -> u64 {
    let request = {
        // SAFETY: the caller wrote `len` bytes at `ptr`, allocated by `alloc`.
        let bytes = unsafe { std::slice::from_raw_parts(ptr as *const u8, len as usize) };
        Request::decode(bytes)
    };
    // SAFETY: the request is decoded into owned values; its buffer is no longer borrowed.
    unsafe { raw_free(ptr, len) };
    let response = match request {
        Ok(request) => CALLS.with_borrow_mut(|calls| {
            calls.execute_reporting(request, &mut |stage| {
                let [what, input] = stage.code();
                PROGRESS[0].store(what, Ordering::Relaxed);
                PROGRESS[1].store(input, Ordering::Relaxed);
            })
        }),
        Err(e) => Response::Error(e.to_string()),
    }
    .encode()
    .into_boxed_slice();
    let len = response.len() as u64;
    let ptr = Box::into_raw(response) as *mut u8 as u32 as u64;
    (ptr << 32) | len
}
