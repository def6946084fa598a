//! The log-pattern benchmark, run by `scripts/bench-patterns.sh` (which also runs drain3):
//!
//! - `rootspan-eval bench-patterns lines LOGHUB_DIR OUT`: writes the speed input, the seven datasets'
//!   `Content` messages repeated to 1M lines, joined by `\n`.
//! - `rootspan-eval bench-patterns measure LOGHUB_DIR STYLES_DIR LINES WASM DRAIN3_JSON OUT_PREFIX`:
//!   accuracy per log style of the generated corpus and per Loghub dataset (rootspan and drain3,
//!   one configuration each for every set, so each figure is leave-one-style-out: nothing was
//!   chosen for the set scored; scored by the same code), lines per second
//!   natively and in wasm (the raw-ABI module run by wasmtime), for the miner alone and for the
//!   whole patterns command, in wall-clock and CPU time, and the ratios to drain3's figures
//!   measured in the same run; writes `OUT_PREFIX.json` and `OUT_PREFIX.md`.
//! - `rootspan-eval bench-patterns speed LINES WASM`: the miner and command speeds alone (no drain3, no
//!   accuracy), for working on speed.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use rootspan_core::patterns::{mine, MineRun};
use rootspan_core::request::{Command, NamedBytes, Request};
use rootspan_engine::Engine;
use serde_json::{json, Value};

use crate::accuracy::{self, Accuracy, LOGHUB_DEV as DATASETS, LOG_STYLES as STYLES};

const BENCH_LINES: usize = 1_000_000;

pub type Error = Box<dyn std::error::Error>;

/// A labelled set: `NAME/NAME_2k.log_structured_corrected.csv`, or the same gzipped.
fn load(dir: &str, name: &str) -> Result<Vec<(String, String)>, Error> {
    let path = format!("{dir}/{name}/{name}_2k.log_structured_corrected.csv");
    let file = if Path::new(&path).exists() { path.clone() } else { format!("{path}.gz") };
    let text = accuracy::labelled_text(&std::fs::read(&file).map_err(|e| format!("{file}: {e}"))?).map_err(|e| format!("{file}: {e}"))?;
    Ok(accuracy::read_structured(&text).map_err(|e| format!("{path}: {e}"))?)
}

pub fn write_lines(dir: &str, out: &str) -> Result<(), Error> {
    let mut all = Vec::new();
    for d in DATASETS {
        all.extend(load(dir, d)?.into_iter().map(|(content, _)| content));
    }
    let lines: Vec<&str> = all.iter().map(String::as_str).cycle().take(BENCH_LINES).collect();
    std::fs::write(out, lines.join("\n"))?;
    Ok(())
}

fn mean(rows: &[Accuracy]) -> Accuracy {
    let n = rows.len() as f64;
    Accuracy {
        ga: rows.iter().map(|a| a.ga).sum::<f64>() / n,
        fga: rows.iter().map(|a| a.fga).sum::<f64>() / n,
        pa: rows.iter().map(|a| a.pa).sum::<f64>() / n,
        fta: rows.iter().map(|a| a.fta).sum::<f64>() / n,
        lines: rows.iter().map(|a| a.lines).sum(),
        true_templates: rows.iter().map(|a| a.true_templates).sum(),
        predicted_templates: rows.iter().map(|a| a.predicted_templates).sum(),
    }
}

/// Wall-clock and CPU time of one timed run.
#[derive(Clone, Copy)]
struct Timing {
    wall_s: f64,
    cpu_s: f64,
}

/// This thread's CPU time in seconds. The machine running the benchmark may be shared: a run
/// that waits for a core loses wall time, not CPU time, so both are reported (drain3's
/// figures are taken the same two ways, with Python's `time.perf_counter` and `time.thread_time`).
fn thread_cpu_s() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant libc defines.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return f64::NAN;
    }
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// How many times each rootspan measurement runs; the median run is reported, so one run
/// slowed by another process neither makes nor breaks the figure.
const RUNS: usize = 3;

/// Runs `f` `RUNS` times; returns its (last) result and the median wall and CPU times.
fn timed<T>(mut f: impl FnMut() -> Result<T, Error>) -> Result<(T, Timing), Error> {
    let mut walls = Vec::with_capacity(RUNS);
    let mut cpus = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let (wall, cpu) = (Instant::now(), thread_cpu_s());
        last = Some(f()?);
        cpus.push(thread_cpu_s() - cpu);
        walls.push(wall.elapsed().as_secs_f64());
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    Ok((last.ok_or("no run")?, Timing { wall_s: median(walls), cpu_s: median(cpus) }))
}

/// Runs `command` over `text` in the raw-ABI wasm, the way the `rootspan` CLI does (the same
/// `Engine`: a fresh instance per call, fuel and memory limits on); returns the result JSON.
fn run_wasm(engine: &Engine, command: Command, text: &[u8]) -> Result<String, Error> {
    let request = Request { command, options: String::new(), inputs: vec![NamedBytes { name: "bench.log".into(), bytes: text.to_vec() }] };
    let encoded = request.encode()?;
    Ok(engine.call_encoded(encoded)?.0)
}

pub fn measure(dir: &str, styles_dir: &str, lines_file: &str, wasm: &str, drain3_file: &str, out: &str) -> Result<(), Error> {
    let drain3: Value = serde_json::from_str(&std::fs::read_to_string(drain3_file)?)?;

    // Accuracy: rootspan and drain3 on each style and dataset, scored by the same code.
    let sets: Vec<(&str, &str)> = STYLES.iter().map(|s| (styles_dir, *s)).chain(DATASETS.iter().map(|d| (dir, *d))).collect();
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for (root, d) in &sets {
        let (root, d) = (*root, *d);
        let rows = load(root, d)?;
        let truth: Vec<&str> = rows.iter().map(|(_, t)| t.as_str()).collect();
        let mined = mine(rows.iter().map(|(c, _)| c.as_str()));
        let predicted: Vec<&str> = mined.assignment.iter().map(|t| mined.templates[*t as usize].text.as_str()).collect();
        ours.push(accuracy::evaluate(&truth, &predicted));
        let peer: Vec<&str> =
            drain3["datasets"][d].as_array().ok_or("drain3 output lacks a dataset")?.iter().map(|v| v.as_str().unwrap_or("")).collect();
        theirs.push(accuracy::evaluate(&truth, &peer));
    }

    // Speed, on the same 1M lines drain3 read. The miner alone is what drain3 does (its loop
    // of `add_log_message` over the lines); the patterns command adds decoding the text,
    // correlation, windows and per-pattern aggregation.
    let text = std::fs::read_to_string(lines_file)?;
    let lines: Vec<&str> = text.split('\n').collect();
    let (mined, native_mine) = timed(|| Ok(mine(lines.iter().copied())))?;
    let mine_json = serde_json::to_string(&MineRun::from(mined.clone()))?;

    let input = rootspan_core::Input::Bytes { name: "bench.log".into(), bytes: text.as_bytes().to_vec() };
    let (native_json, native_command) =
        timed(|| Ok(serde_json::to_string(&rootspan_core::patterns(std::slice::from_ref(&input), &Default::default()))?))?;

    // The module alone (unmetered), and as the `rootspan` CLI runs it (fuel metering on).
    let wasm_path = Path::new(wasm);
    let (raw, cli) = (Engine::load_unmetered(wasm_path)?, Engine::load(wasm_path)?);
    let mut wasm_rows = Vec::new();
    for (key, engine) in [("wasm", &raw), ("cli_wasm", &cli)] {
        let (json, t) = timed(|| run_wasm(engine, Command::Mine, text.as_bytes()))?;
        if json != mine_json {
            return Err("the wasm and native miner runs differ".into());
        }
        wasm_rows.push((format!("{key}_mine"), t));
        let (json, t) = timed(|| run_wasm(engine, Command::Patterns, text.as_bytes()))?;
        if json != native_json {
            return Err("the wasm and native pattern runs differ".into());
        }
        wasm_rows.push((format!("{key}_command"), t));
    }

    let n = lines.len() as f64;
    let drain3_lps = drain3["lines_per_second"].as_f64().ok_or("drain3 output lacks lines_per_second")?;
    let drain3_cpu_lps = drain3["lines_per_cpu_second"].as_f64().ok_or("drain3 output lacks lines_per_cpu_second")?;
    let mut speed = serde_json::Map::new();
    speed.insert("lines".into(), json!(lines.len()));
    speed.insert("runs".into(), json!(RUNS));
    speed.insert("drain3_lines_per_second".into(), json!(drain3_lps));
    speed.insert("drain3_lines_per_cpu_second".into(), json!(drain3_cpu_lps));
    for (key, t) in [("native_mine".to_string(), native_mine), ("native_command".to_string(), native_command)].into_iter().chain(wasm_rows)
    {
        speed.insert(format!("{key}_lines_per_second"), json!(n / t.wall_s));
        speed.insert(format!("{key}_vs_drain3"), json!(n / t.wall_s / drain3_lps));
        speed.insert(format!("{key}_lines_per_cpu_second"), json!(n / t.cpu_s));
        speed.insert(format!("{key}_cpu_vs_drain3"), json!(n / t.cpu_s / drain3_cpu_lps));
    }
    speed.insert("rootspan_templates".into(), json!(mined.templates.len()));
    speed.insert("drain3_templates".into(), drain3["templates"].clone());
    speed.insert("drain3_version".into(), drain3["version"].clone());
    let speed = Value::Object(speed);
    let per = |rows: &[Accuracy]| -> Value {
        sets.iter().zip(rows).map(|((_, d), a)| (d.to_string(), json!(a))).collect::<serde_json::Map<_, _>>().into()
    };
    let result = json!({
        "accuracy": { "rootspan": per(&ours), "rootspan_mean": mean(&ours), "drain3": per(&theirs), "drain3_mean": mean(&theirs) },
        "speed": speed,
    });
    std::fs::write(format!("{out}.json"), serde_json::to_string_pretty(&result)? + "\n")?;

    let mut md = String::new();
    writeln!(md, "# Log patterns benchmark\n")?;
    writeln!(md, "Written by `scripts/bench-patterns.sh`. One configuration for every set, for both parsers.\n")?;
    writeln!(md, "## Accuracy, leave-one-style-out\n")?;
    writeln!(md, "The 14 generated log styles of `testdata/logstyles` (labelled by construction, see its README; `Content` is")?;
    writeln!(md, "the whole record) and the 7 Loghub-2k development datasets (Loghub-2.0 corrected labels, `Content` column).")?;
    writeln!(md, "The miner has one global configuration and no per-style or per-dataset choice, so no set's figure was tuned")?;
    writeln!(md, "on that set: each row is a leave-one-style-out figure. The knobs it keeps, each one value for every input,")?;
    writeln!(md, "are listed in `core/src/patterns/miner.rs` (similarity 0.5, at most 3 values for a constant column, variable")?;
    writeln!(md, "gaps of at most 3 words, 64 clusters compared per bucket). drain3 runs with one configuration too")?;
    writeln!(md, "(`scripts/bench_drain3.py`: masks for the same variable kinds), on the same lines in the same run.\n")?;
    writeln!(md, "| set | GA | FGA | PA | FTA | templates (found / true) | drain3 GA | drain3 PA | drain3 templates |")?;
    writeln!(md, "|---|---|---|---|---|---|---|---|---|")?;
    let mut rows: Vec<(&str, Accuracy, Accuracy)> =
        sets.iter().zip(ours.iter().zip(&theirs)).map(|((_, d), (a, b))| (*d, *a, *b)).collect();
    rows.push(("**mean, styles**", mean(&ours[..STYLES.len()]), mean(&theirs[..STYLES.len()])));
    rows.push(("**mean, Loghub**", mean(&ours[STYLES.len()..]), mean(&theirs[STYLES.len()..])));
    rows.push(("**mean, all**", mean(&ours), mean(&theirs)));
    for (d, a, b) in rows {
        writeln!(
            md,
            "| {d} | {:.3} | {:.3} | {:.3} | {:.3} | {} / {} | {:.3} | {:.3} | {} |",
            a.ga, a.fga, a.pa, a.fta, a.predicted_templates, a.true_templates, b.ga, b.pa, b.predicted_templates
        )?;
    }
    let lowest = sets.iter().zip(&ours).min_by(|a, b| a.1.ga.total_cmp(&b.1.ga)).map(|((_, d), a)| (*d, a.ga));
    if let Some((d, ga)) = lowest {
        writeln!(md, "\nLowest GA: **{d}** ({ga:.3}).")?;
    }
    let s = &result["speed"];
    let f = |k: &str| s[k].as_f64().unwrap_or(f64::NAN);
    writeln!(md, "\n## Speed, {} lines (the seven datasets' messages repeated), same run\n", lines.len())?;
    writeln!(md, "Wall clock and CPU time of the measured loop; for rootspan the median of {RUNS} runs, for drain3 its one run.")?;
    writeln!(md, "The miner rows are like for like with drain3 (its `add_log_message` loop over the lines); the command rows")?;
    writeln!(md, "also decode the text, correlate, choose windows and aggregate per pattern. wasm rows run the shipped")?;
    writeln!(md, "raw-ABI module (`wasm-plugin/dist/rootspan_raw.wasm`) in wasmtime through the `rootspan` CLI's host, once")?;
    writeln!(md, "unmetered (the module's own speed) and once with the CLI's fuel metering on (what `rootspan patterns` sees).\n")?;
    writeln!(md, "| | lines/s | vs drain3 | lines/CPU-s | vs drain3 (CPU) |")?;
    writeln!(md, "|---|---|---|---|---|")?;
    writeln!(
        md,
        "| drain3 {} (Python, masks for the same variable kinds) | {:.0} | 1 | {:.0} | 1 |",
        drain3["version"].as_str().unwrap_or("?"),
        drain3_lps,
        drain3_cpu_lps
    )?;
    for (key, name) in [
        ("native_mine", "rootspan native, miner (`patterns::mine`)"),
        ("wasm_mine", "rootspan wasm, miner (raw-ABI `mine` command)"),
        ("cli_wasm_mine", "rootspan wasm with fuel metering, miner"),
        ("native_command", "rootspan native, patterns command (ingest text, mine, aggregate, JSON)"),
        ("wasm_command", "rootspan wasm, patterns command (raw-ABI `patterns` command)"),
        ("cli_wasm_command", "rootspan wasm with fuel metering, patterns command"),
    ] {
        writeln!(
            md,
            "| {name} | {:.0} | {:.1}x | {:.0} | {:.1}x |",
            f(&format!("{key}_lines_per_second")),
            f(&format!("{key}_vs_drain3")),
            f(&format!("{key}_lines_per_cpu_second")),
            f(&format!("{key}_cpu_vs_drain3"))
        )?;
    }
    std::fs::write(format!("{out}.md"), &md)?;
    print!("{md}");
    Ok(())
}

/// `speed LINES WASM`: the speed rows alone, without drain3 or accuracy (for working on speed).
pub fn speed(lines_file: &str, wasm: &str) -> Result<(), Error> {
    let text = std::fs::read_to_string(lines_file)?;
    let lines: Vec<&str> = text.split('\n').collect();
    let n = lines.len() as f64;
    let engine = Engine::load_unmetered(Path::new(wasm))?;
    let show = |name: &str, t: Timing| println!("{name:<15} {:>10.0} lines/s {:>10.0} lines/CPU-s", n / t.wall_s, n / t.cpu_s);
    show("native mine", timed(|| Ok(mine(lines.iter().copied())))?.1);
    show("wasm mine", timed(|| run_wasm(&engine, Command::Mine, text.as_bytes()))?.1);
    show("wasm command", timed(|| run_wasm(&engine, Command::Patterns, text.as_bytes()))?.1);
    Ok(())
}
