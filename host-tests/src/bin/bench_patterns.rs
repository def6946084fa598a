//! The log-pattern benchmark, run by `scripts/bench-patterns.sh` (which also runs drain3):
//!
//! - `bench_patterns lines LOGHUB_DIR OUT`: writes the speed input, the seven datasets'
//!   `Content` messages repeated to 1M lines, joined by `\n`.
//! - `bench_patterns measure LOGHUB_DIR LINES WASM DRAIN3_JSON OUT_PREFIX`: accuracy per dataset
//!   (rootspan and drain3, one configuration each, scored by the same code), lines per second
//!   natively and in wasm (the raw-ABI module run by wasmtime), and the ratios to drain3's
//!   lines per second measured in the same run; writes `OUT_PREFIX.json` and `OUT_PREFIX.md`.

use std::fmt::Write as _;
use std::time::Instant;

use rootspan_core::patterns::accuracy::{self, Accuracy};
use rootspan_core::patterns::{mine, patterns_command};
use rootspan_core::request::{Command, NamedBytes, Request, Response};
use serde_json::{json, Value};

const DATASETS: [&str; 7] = ["Apache", "Hadoop", "HealthApp", "Linux", "OpenSSH", "Proxifier", "Thunderbird"];
const BENCH_LINES: usize = 1_000_000;

type Error = Box<dyn std::error::Error>;

fn load(dir: &str, name: &str) -> Result<Vec<(String, String)>, Error> {
    let path = format!("{dir}/{name}/{name}_2k.log_structured_corrected.csv");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    Ok(accuracy::read_structured(&text).map_err(|e| format!("{path}: {e}"))?)
}

fn write_lines(dir: &str, out: &str) -> Result<(), Error> {
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

/// Runs the patterns command in the raw-ABI wasm under wasmtime; returns (seconds, response JSON).
fn run_wasm(wasm: &str, text: Vec<u8>) -> Result<(f64, String), Error> {
    let engine = wasmtime::Engine::default();
    let module = wasmtime::Module::from_file(&engine, wasm)?;
    let mut store = wasmtime::Store::new(&engine, ());
    let instance = wasmtime::Instance::new(&mut store, &module, &[])?;
    let memory = instance.get_memory(&mut store, "memory").ok_or("the module exports no memory")?;
    let alloc = instance.get_typed_func::<u32, u32>(&mut store, "alloc")?;
    let analyze = instance.get_typed_func::<(u32, u32), u64>(&mut store, "analyze")?;
    let free = instance.get_typed_func::<(u32, u32), ()>(&mut store, "free")?;
    let request =
        Request { command: Command::Patterns, options: String::new(), inputs: vec![NamedBytes { name: "bench.log".into(), bytes: text }] }
            .encode()?;
    let start = Instant::now();
    let ptr = alloc.call(&mut store, request.len() as u32)?;
    if ptr == 0 {
        return Err("the wasm refused to allocate the request".into());
    }
    memory.write(&mut store, ptr as usize, &request)?;
    let packed = analyze.call(&mut store, (ptr, request.len() as u32))?;
    let (rptr, rlen) = ((packed >> 32) as u32, packed as u32);
    let mut response = vec![0u8; rlen as usize];
    memory.read(&store, rptr as usize, &mut response)?;
    let seconds = start.elapsed().as_secs_f64();
    free.call(&mut store, (rptr, rlen))?;
    match Response::decode(&response)? {
        Response::Ok(json) => Ok((seconds, json)),
        Response::Error(message) => Err(format!("the wasm patterns command failed: {message}").into()),
    }
}

fn measure(dir: &str, lines_file: &str, wasm: &str, drain3_file: &str, out: &str) -> Result<(), Error> {
    let drain3: Value = serde_json::from_str(&std::fs::read_to_string(drain3_file)?)?;

    // Accuracy: rootspan and drain3 on each dataset, scored by the same code.
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for d in DATASETS {
        let rows = load(dir, d)?;
        let truth: Vec<&str> = rows.iter().map(|(_, t)| t.as_str()).collect();
        let mined = mine(rows.iter().map(|(c, _)| c.as_str()));
        let predicted: Vec<&str> = mined.assignment.iter().map(|t| mined.templates[*t as usize].text.as_str()).collect();
        ours.push(accuracy::evaluate(&truth, &predicted));
        let peer: Vec<&str> =
            drain3["datasets"][d].as_array().ok_or("drain3 output lacks a dataset")?.iter().map(|v| v.as_str().unwrap_or("")).collect();
        theirs.push(accuracy::evaluate(&truth, &peer));
    }

    // Speed, on the same 1M lines drain3 read.
    let text = std::fs::read_to_string(lines_file)?;
    let lines: Vec<&str> = text.split('\n').collect();
    let start = Instant::now();
    let mined = mine(lines.iter().copied());
    let native_mine_s = start.elapsed().as_secs_f64();

    let input = rootspan_core::Input::Bytes { name: "bench.log".into(), bytes: text.as_bytes().to_vec() };
    let start = Instant::now();
    let run = patterns_command(std::slice::from_ref(&input), &Default::default());
    let native_json = serde_json::to_string(&run)?;
    let native_command_s = start.elapsed().as_secs_f64();

    let (wasm_s, wasm_json) = run_wasm(wasm, text.clone().into_bytes())?;
    if wasm_json != native_json {
        return Err("the wasm and native pattern runs differ".into());
    }

    let n = lines.len() as f64;
    let drain3_lps = drain3["lines_per_second"].as_f64().ok_or("drain3 output lacks lines_per_second")?;
    let speed = json!({
        "lines": lines.len(),
        "native_mine_lines_per_second": n / native_mine_s,
        "native_command_lines_per_second": n / native_command_s,
        "wasm_command_lines_per_second": n / wasm_s,
        "drain3_lines_per_second": drain3_lps,
        "native_mine_vs_drain3": n / native_mine_s / drain3_lps,
        "native_command_vs_drain3": n / native_command_s / drain3_lps,
        "wasm_command_vs_drain3": n / wasm_s / drain3_lps,
        "rootspan_templates": mined.templates.len(),
        "drain3_templates": drain3["templates"],
        "drain3_version": drain3["version"],
    });
    let per = |rows: &[Accuracy]| -> Value {
        DATASETS.iter().zip(rows).map(|(d, a)| (d.to_string(), json!(a))).collect::<serde_json::Map<_, _>>().into()
    };
    let result = json!({
        "accuracy": { "rootspan": per(&ours), "rootspan_mean": mean(&ours), "drain3": per(&theirs), "drain3_mean": mean(&theirs) },
        "speed": speed,
    });
    std::fs::write(format!("{out}.json"), serde_json::to_string_pretty(&result)? + "\n")?;

    let mut md = String::new();
    writeln!(md, "# Log patterns benchmark\n")?;
    writeln!(md, "Written by `scripts/bench-patterns.sh`. One configuration for every dataset, for both parsers.\n")?;
    writeln!(md, "## Accuracy, Loghub-2k (Loghub-2.0 corrected labels), `Content` column\n")?;
    writeln!(md, "| dataset | GA | FGA | PA | FTA | templates (found / true) | drain3 GA | drain3 PA |")?;
    writeln!(md, "|---|---|---|---|---|---|---|---|")?;
    let mut rows: Vec<(&str, Accuracy, Accuracy)> = DATASETS.iter().zip(ours.iter().zip(&theirs)).map(|(d, (a, b))| (*d, *a, *b)).collect();
    rows.push(("**mean**", mean(&ours), mean(&theirs)));
    for (d, a, b) in rows {
        writeln!(
            md,
            "| {d} | {:.3} | {:.3} | {:.3} | {:.3} | {} / {} | {:.3} | {:.3} |",
            a.ga, a.fga, a.pa, a.fta, a.predicted_templates, a.true_templates, b.ga, b.pa
        )?;
    }
    let s = &result["speed"];
    let f = |k: &str| s[k].as_f64().unwrap_or(f64::NAN);
    writeln!(md, "\n## Speed, {} lines (the seven datasets' messages repeated), same run\n", lines.len())?;
    writeln!(md, "| | lines/s | vs drain3 |")?;
    writeln!(md, "|---|---|---|")?;
    writeln!(
        md,
        "| drain3 {} (Python, masks for the same variable kinds) | {:.0} | 1 |",
        drain3["version"].as_str().unwrap_or("?"),
        drain3_lps
    )?;
    writeln!(
        md,
        "| rootspan native, miner (`patterns::mine`) | {:.0} | {:.1}x |",
        f("native_mine_lines_per_second"),
        f("native_mine_vs_drain3")
    )?;
    writeln!(
        md,
        "| rootspan native, patterns command (ingest text, mine, aggregate, JSON) | {:.0} | {:.1}x |",
        f("native_command_lines_per_second"),
        f("native_command_vs_drain3")
    )?;
    writeln!(
        md,
        "| rootspan wasm (raw ABI under wasmtime), patterns command | {:.0} | {:.1}x |",
        f("wasm_command_lines_per_second"),
        f("wasm_command_vs_drain3")
    )?;
    std::fs::write(format!("{out}.md"), &md)?;
    print!("{md}");
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["lines", dir, out] => write_lines(dir, out),
        ["measure", dir, lines, wasm, drain3, out] => measure(dir, lines, wasm, drain3, out),
        _ => Err("usage: bench_patterns lines LOGHUB_DIR OUT | measure LOGHUB_DIR LINES WASM DRAIN3_JSON OUT_PREFIX".into()),
    };
    if let Err(e) = result {
        eprintln!("bench_patterns: {e}");
        std::process::exit(1);
    }
}
