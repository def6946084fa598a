//! What decoding every input apart and appending it (`Session::add`, `merge::append`) costs against
//! decoding the inputs one after another into one dataset (`ingest::ingest` in place), on the same
//! files in the same run, rounds alternating: `cargo run --release -p rootspan-core --example
//! append_cost -- DIR [ROUNDS]` (DIR's files in name order, as `rootspan analyze DIR/*` takes them).
//! Prints each round's CPU time of both (this thread's; a shared machine inflates wall time) and
//! the median ratio. Exits non-zero if the two datasets differ in size (they are equal id for id:
//! `core/tests/merge_exact.rs`).
use rootspan_core::ingest::{self, UntimedLines};
use rootspan_core::model::Dataset;
use rootspan_core::{Input, Session};

/// This thread's time on a CPU so far, ns (Linux: the first field of its schedstat); 0 elsewhere.
fn cpu_ns() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    stat.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// `f`'s result and its CPU time, ms.
fn cpu_ms<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let start = cpu_ns();
    let out = f();
    (out, cpu_ns().saturating_sub(start) as f64 / 1e6)
}

fn shape(ds: &Dataset) -> [usize; 6] {
    [ds.strings.len(), ds.label_sets.len(), ds.spans.len(), ds.logs.len(), ds.series.len(), ds.exemplars.len()]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), String> {
    let dir = std::env::args().nth(1).ok_or("usage: append_cost DIR [ROUNDS]")?;
    let rounds: usize = std::env::args().nth(2).map_or(Ok(5), |n| n.parse().map_err(|e| format!("ROUNDS: {e}")))?;
    let mut paths: Vec<_> = std::fs::read_dir(&dir).map_err(|e| format!("{dir}: {e}"))?.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    let inputs = paths
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
            Ok(Input::Bytes { name: p.display().to_string(), bytes })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let (mut in_place_ms, mut apart_ms, mut append_ms) = (Vec::new(), Vec::new(), Vec::new());
    println!("{} inputs; CPU ms per round", inputs.len());
    for round in 0..rounds {
        let (in_place, a) = cpu_ms(|| {
            let mut ds = Dataset::default();
            for input in &inputs {
                ingest::ingest(&mut ds, input, UntimedLines::LeaveOut);
            }
            ds
        });
        // `Session::add`'s two steps, timed apart.
        let (mut session, mut decode, mut append) = (Session::new(), 0.0, 0.0);
        for input in &inputs {
            let (decoded, d) = cpu_ms(|| {
                let mut ds = Dataset::default();
                ingest::ingest(&mut ds, input, UntimedLines::LeaveOut);
                ds
            });
            let ((), m) = cpu_ms(|| session.add_decoded(decoded));
            (decode, append) = (decode + d, append + m);
        }
        if shape(&in_place) != shape(session.dataset()) {
            return Err(format!("the datasets differ: {:?} in place, {:?} appended", shape(&in_place), shape(session.dataset())));
        }
        println!("round {round}: in place {a:9.1}  apart {decode:9.1} + append {append:7.1}  ratio {:.3}", (decode + append) / a);
        in_place_ms.push(a);
        apart_ms.push(decode);
        append_ms.push(append);
    }
    let ratio = |of: &[f64]| median(of.iter().zip(&in_place_ms).map(|(b, a)| b / a).collect());
    let total: Vec<f64> = apart_ms.iter().zip(&append_ms).map(|(d, m)| d + m).collect();
    println!(
        "median: in place {:.1} ms, apart {:.1} ms + append {:.1} ms; append / in place {:.3}, (apart + append) / in place {:.3}",
        median(in_place_ms.clone()),
        median(apart_ms.clone()),
        median(append_ms.clone()),
        ratio(&append_ms),
        ratio(&total)
    );
    Ok(())
}
