//! The browser session's path natively, without JS or a browser in the way: replays frames the npm package
//! packed (`npm run bench -w rootspan-bench -- --packed 1` writes the bench workload's into
//! target/bench/packed-1x), unpacking and decoding each as it arrives, then analyses them with the folder's
//! `options.json`. Prints each stage's wall time and this thread's CPU time (a shared machine inflates wall time):
//! `cargo run --release -p rootspan-wasm --example replay -- target/bench/packed-1x [REPORT]` (with REPORT, the
//! report JSON is written there: a change that must not change the report is checked by comparing them).
use rootspan_core::{Options, Session};
use rootspan_wasm::interop::{unpack_frame, Buffers};
use std::time::Instant;

/// This thread's time on a CPU so far, ns (Linux: the first field of its schedstat); 0 elsewhere.
fn cpu_ns() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    stat.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// A stage's wall and CPU time, ms.
#[derive(Default)]
struct Spent {
    wall: f64,
    cpu: f64,
}

fn timed<T>(spent: &mut Spent, f: impl FnOnce() -> T) -> T {
    let (wall, cpu) = (Instant::now(), cpu_ns());
    let out = f();
    spent.wall += wall.elapsed().as_secs_f64() * 1e3;
    spent.cpu += cpu_ns().saturating_sub(cpu) as f64 / 1e6;
    out
}

/// One packed frame as written: the header and the three buffers (little-endian, as typed arrays hold them).
struct Packed {
    header: String,
    f64: Vec<f64>,
    u8: Vec<u8>,
    u32: Vec<u32>,
}

fn read(dir: &str) -> Result<(Vec<Packed>, Options), String> {
    let file = |name: String| std::fs::read(&name).map_err(|e| format!("{name}: {e}"));
    let mut stems: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("{dir}: {e}"))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok()?.strip_suffix(".json").map(str::to_string))
        .filter(|stem| stem != "options")
        .collect();
    stems.sort();
    let frames = stems
        .iter()
        .map(|stem| {
            let at = |ext: &str| format!("{dir}/{stem}.{ext}");
            let header = String::from_utf8(file(at("json"))?).map_err(|e| format!("{}: {e}", at("json")))?;
            let f64 = file(at("f64"))?.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))).collect();
            let u32 = file(at("u32"))?.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))).collect();
            Ok(Packed { header, f64, u8: file(at("u8"))?, u32 })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let options = String::from_utf8(file(format!("{dir}/options.json"))?).map_err(|e| e.to_string())?;
    Ok((frames, Options::from_json(&options)?))
}

fn main() -> Result<(), String> {
    let dir = std::env::args().nth(1).ok_or("usage: replay DIR (of packed frames: bench --packed SCALE) [REPORT]")?;
    let (frames, options) = read(&dir)?;
    let (mut unpack, mut decode) = (Spent::default(), Spent::default());
    let mut session = Session::new();
    let mut input = session.start_frames("bench");
    for (i, p) in frames.into_iter().enumerate() {
        let frame =
            timed(&mut unpack, || unpack_frame(&p.header, Buffers { f64: &p.f64, u8: p.u8, u32: &p.u32 }, i)).map_err(|e| e.to_string())?;
        timed(&mut decode, || session.add_frame(&mut input, frame));
    }
    timed(&mut decode, || session.end_frames(input));
    let mut stages: Vec<(String, Spent)> = vec![("unpack".into(), unpack), ("decode".into(), decode)];
    let mut last = (String::new(), Instant::now(), cpu_ns());
    let mut lap = |next: String| {
        let (stage, wall, cpu) = std::mem::replace(&mut last, (next, Instant::now(), cpu_ns()));
        let spent = Spent { wall: (last.1 - wall).as_secs_f64() * 1e3, cpu: last.2.saturating_sub(cpu) as f64 / 1e6 };
        if !stage.is_empty() {
            stages.push((stage, spent));
        }
    };
    let report = session.analyze_reporting(&options, &mut |stage| lap(format!("{stage:?}").to_lowercase()));
    lap(String::new());
    println!("{:>10} {:>9} {:>9}", "stage", "wall ms", "cpu ms");
    for (stage, spent) in &stages {
        println!("{stage:>10} {:9.1} {:9.1}", spent.wall, spent.cpu);
    }
    let total = |f: fn(&Spent) -> f64| stages.iter().map(|(_, s)| f(s)).sum::<f64>();
    println!("{:>10} {:9.1} {:9.1}; {} candidates", "total", total(|s| s.wall), total(|s| s.cpu), report.candidates.len());
    if let Some(out) = std::env::args().nth(2) {
        std::fs::write(&out, report.to_json()).map_err(|e| format!("{out}: {e}"))?;
    }
    Ok(())
}
