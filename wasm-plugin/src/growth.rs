//! The browser flavour's global allocator: Rust's own (dlmalloc on wasm32), with memory grown in
//! steps of a sixteenth of what the module holds rather than by what each allocation lacks.
//!
//! Why: dlmalloc asks for memory 64 KiB at a time when small allocations run past its top, so an
//! analysis that holds 400 MB grows the memory thousands of times. A grow costs the embedder a
//! new `ArrayBuffer` over the whole memory, in time that grows with the memory: in Node 20 about
//! 0.45 ms per grow at 125 MB and 0.9 ms at 250 MB (so the package's `addBytes` of the bench's 1x
//! frames took 94 s there), in Chromium 35-118 ms for 8,000 grows. Growing geometrically makes the
//! number of grows logarithmic in the memory held, for at most a sixteenth of it left unused.
//!
//! Only the browser flavour: under wasmtime a grow is cheap, and there a grow past the host's
//! memory cap is an error for the whole call, so a reserve the call never needed must not be taken.

use std::alloc::{GlobalAlloc, Layout, System};
use std::arch::wasm32::memory_size;

/// One wasm page.
const PAGE: usize = 64 * 1024;

pub struct GrowInSteps;

impl GrowInSteps {
    /// After an allocation that grew the memory: allocate and free a sixteenth of the memory, so
    /// dlmalloc grows once more by that much and keeps it as free space at its top (a freed chunk
    /// next to the top joins it; on wasm dlmalloc never gives memory back). Where the embedder
    /// refuses the grow (a browser's 4 GiB), the reserve is not taken and nothing else changes.
    ///
    /// # Safety
    /// Called from the `GlobalAlloc` methods only; it allocates through `System`, never through
    /// this allocator, so it does not recurse.
    // Out of line: every allocation site calls the wrapper; only the grows reach this.
    #[cold]
    #[inline(never)]
    unsafe fn reserve_after(&self, pages: usize) {
        let Ok(layout) = Layout::from_size_align(pages * PAGE / 16, 16) else {
            return;
        };
        // SAFETY: `layout` has a non-zero size (a module holds at least one page), and the block
        // is freed with the layout it was allocated with.
        unsafe {
            let block = System.alloc(layout);
            if !block.is_null() {
                System.dealloc(block, layout);
            }
        }
    }

    /// What every allocating method does after `System` answered: reserve if the memory grew.
    #[inline(always)]
    fn after(&self, pages_before: usize) {
        let pages = memory_size(0);
        if pages != pages_before {
            // SAFETY: called from the `GlobalAlloc` methods below (see `reserve_after`).
            unsafe { self.reserve_after(pages) };
        }
    }
}

// SAFETY: every method hands the request to `System` unchanged; `reserve_after` only adds an
// allocation it frees at once.
unsafe impl GlobalAlloc for GrowInSteps {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let before = memory_size(0);
        // SAFETY: the caller's contract for `alloc`, passed on.
        let block = unsafe { System.alloc(layout) };
        self.after(before);
        block
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let before = memory_size(0);
        // SAFETY: the caller's contract for `alloc_zeroed`, passed on.
        let block = unsafe { System.alloc_zeroed(layout) };
        self.after(before);
        block
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let before = memory_size(0);
        // SAFETY: the caller's contract for `realloc`, passed on.
        let block = unsafe { System.realloc(ptr, layout, new_size) };
        self.after(before);
        block
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc`, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}
