//! How much memory a finish holds: the partial states of the files given (one `partial` per
//! file, as the Spark job makes them), finished streamed (`partial::Finishing`: each state
//! decoded, appended and dropped in turn, as the driver's wasm gets them) and all at once (every
//! state decoded and merged first, as `finish` with all states in one request). Counts the heap
//! the process holds at its peak in each, with a counting allocator; both reports must be equal.
//!
//! `cargo run --release -p rootspan-core --example finish_memory -- FILES...`

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use rootspan_core::partial::{Finishing, PartialState};
use rootspan_core::{Input, Options};

struct Counting;

static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed to the system allocator unchanged; only the counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let held = HELD.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(held, Ordering::Relaxed);
        // SAFETY: the caller's layout, as `GlobalAlloc::alloc` requires.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        HELD.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let held = if new_size >= layout.size() {
            HELD.fetch_add(new_size - layout.size(), Ordering::Relaxed) + (new_size - layout.size())
        } else {
            HELD.fetch_sub(layout.size() - new_size, Ordering::Relaxed) - (layout.size() - new_size)
        };
        PEAK.fetch_max(held, Ordering::Relaxed);
        // SAFETY: as `GlobalAlloc::realloc` requires, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

const MIB: f64 = (1 << 20) as f64;

/// Runs `f` and returns its result and the peak heap above what was held when it started.
fn peak<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let base = HELD.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (out, (PEAK.load(Ordering::Relaxed) - base) as f64 / MIB)
}

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    assert!(!files.is_empty(), "usage: finish_memory FILES...");
    let options = Options::default();
    let mut states = Vec::new();
    let mut gzip = 0;
    for (i, f) in files.iter().enumerate() {
        let bytes = std::fs::read(f).unwrap_or_else(|e| panic!("{f}: {e}"));
        gzip += bytes.len();
        let input = Input::Bytes { name: f.clone(), bytes };
        let state = PartialState::decode_inputs(i as u32, &[input], &options, &mut |_| {}).expect("ordinals fit");
        states.push(state.encode());
    }
    let total: usize = states.iter().map(Vec::len).sum();
    println!("{} files, {:.1} MiB of inputs, {:.1} MiB of partial states", files.len(), gzip as f64 / MIB, total as f64 / MIB);

    // The states' bytes stay held by `states` in both ways (the driver's copies); the peaks
    // count what the finish adds to them.
    // Streamed in two parts, to tell the rows the finish holds from what the analysis adds to them.
    let before = HELD.load(Ordering::Relaxed);
    let (finishing, adding_peak) = peak(|| {
        let mut finishing = Finishing::begin(options.clone());
        for bytes in &states {
            finishing.add(PartialState::decode(bytes).expect("a state just made")).expect("in ordinal order");
        }
        finishing
    });
    let held = (HELD.load(Ordering::Relaxed) - before) as f64 / MIB;
    // Per stage of the analysis: the heap held as it starts and its peak, above the rows, so
    // the stage that sets the peak is the one to make smaller.
    let mut stages: Vec<(String, f64, f64)> = Vec::new();
    let base = HELD.load(Ordering::Relaxed);
    let above = |bytes: usize| (bytes - base) as f64 / MIB;
    let (streamed, analysis_peak) = peak(|| {
        let mut mark = |stage: String| {
            let held = HELD.load(Ordering::Relaxed);
            if let Some(last) = stages.last_mut() {
                last.2 = above(PEAK.load(Ordering::Relaxed));
            }
            // The next stage's peak starts from what is held now; `peak` keeps the maximum.
            let overall = PEAK.swap(held, Ordering::Relaxed);
            stages.push((stage, above(held), 0.0));
            overall
        };
        let mut overall = 0;
        let report = finishing.end(&mut |stage| overall = overall.max(mark(format!("{stage:?}"))));
        let json = report.to_json();
        overall = overall.max(mark("end".into()));
        PEAK.fetch_max(overall, Ordering::Relaxed);
        json
    });
    let streamed_peak = adding_peak.max(held + analysis_peak);
    println!("streamed: the rows held after the last state {held:.1} MiB (peak while adding {adding_peak:.1}); the analysis adds up to {analysis_peak:.1} MiB");
    for (stage, at_start, stage_peak) in stages.iter().filter(|s| s.0 != "end") {
        println!("  {stage:<10} holds {at_start:>6.1} MiB above the rows as it starts, peaks at {stage_peak:>6.1}");
    }
    let (at_once, at_once_peak) = peak(|| {
        let mut merged = PartialState::default();
        for bytes in &states {
            merged.merge(PartialState::decode(bytes).expect("a state just made")).expect("distinct ordinals");
        }
        merged.finish(&options, &mut |_| {}).expect("the options made with").to_json()
    });
    assert!(streamed == at_once, "the streamed finish's report differs");
    println!("finish peak heap beyond the states' bytes: streamed {streamed_peak:.1} MiB, all states decoded first {at_once_peak:.1} MiB");
}
