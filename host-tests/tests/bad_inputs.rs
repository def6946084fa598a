//! The bad-input corpus (testdata/bad/, written by testdata/bad/generate.mjs) through the real
//! `rootspan` binary, with the raw wasm in wasmtime: every case must end with its manifest's
//! exit code, say the words the manifest lists, never panic, trap or hang, and still analyse
//! what it must (row totals; for a good run plus a broken file, the good run's candidates).

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{repo_root, rootspan_bin};
use serde_json::Value;

/// No case may take longer: a hang is a failure, not a slow test.
const TIMEOUT: Duration = Duration::from_secs(120);

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(root: &Path, args: &[String]) -> Outcome {
    let mut child = Command::new(rootspan_bin())
        .args(args)
        .env_remove("ROOTSPAN_WASM")
        // The module cache in a folder of this build: compiled once for the whole corpus, not
        // once per case, and never in the user's cache.
        .env("ROOTSPAN_CACHE_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("module-cache"))
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the rootspan binary starts");
    // Drain both pipes while waiting, so a large report cannot block the child.
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting on rootspan") {
            break Some(status);
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Outcome { code: status.and_then(|s| s.code()), stdout: out_reader.join().unwrap(), stderr: err_reader.join().unwrap() }
}

/// The candidates of a report as (rank, service, score) text, for comparing two runs.
fn candidates(report: &Value) -> Vec<String> {
    report["candidates"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|c| format!("{} {} {}", c["rank"], c["service"], c["score"]))
        .collect()
}

fn check(case: &Value, outcome: &Outcome, references: &Mutex<std::collections::BTreeMap<String, Vec<String>>>) -> Result<(), String> {
    let expected = case["exit"].as_i64().expect("every case has an exit code") as i32;
    let all = format!("{}\n{}", outcome.stdout, outcome.stderr);
    let tail = || outcome.stderr.chars().rev().take(600).collect::<String>().chars().rev().collect::<String>();
    let Some(code) = outcome.code else { return Err(format!("did not finish within {TIMEOUT:?} (or died by a signal)")) };
    for never in ["panicked", "trapped", "RUST_BACKTRACE"] {
        if all.contains(never) {
            return Err(format!("output says {never:?}: {}", tail()));
        }
    }
    if code != expected {
        return Err(format!("exit {code}, expected {expected}; stderr: {}", tail()));
    }
    for word in case["words"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let word = word.as_str().expect("words are strings");
        if !all.contains(word) {
            return Err(format!("output lacks {word:?}; stderr: {}", tail()));
        }
    }
    let analysed = &case["analysed"];
    let needs_json = analysed.is_object() || case["class"] == "reference";
    if !needs_json {
        return Ok(());
    }
    let result: Value =
        serde_json::from_str(&outcome.stdout).map_err(|e| format!("stdout is not the JSON result: {e}; stderr: {}", tail()))?;
    for key in ["spans", "logs", "series"] {
        if let Some(want) = analysed[key].as_u64() {
            let got = result["inputs"]["totals"][key].as_u64().unwrap_or(0);
            if got != want {
                return Err(format!("{got} {key} analysed, expected {want}"));
            }
        }
    }
    let id = case["id"].as_str().unwrap().to_string();
    if case["class"] == "reference" {
        let list = candidates(&result);
        if list.is_empty() {
            return Err("the reference run ranked no candidate".into());
        }
        references.lock().unwrap().insert(id, list);
    } else if let Some(reference) = analysed["same_candidates_as"].as_str() {
        let want = references.lock().unwrap().get(reference).cloned().ok_or_else(|| format!("reference {reference} did not run"))?;
        let got = candidates(&result);
        if got != want {
            return Err(format!("candidates differ from {reference}: {got:?} vs {want:?}"));
        }
    }
    Ok(())
}

#[test]
fn every_bad_input_ends_as_the_manifest_says() {
    let root = repo_root();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("testdata/bad/manifest.json")).expect("testdata/bad/manifest.json"))
            .expect("the manifest is JSON");
    let cases = manifest["cases"].as_array().expect("a cases list");
    assert!(cases.len() >= 150, "the corpus holds {} cases", cases.len());
    let expand = |arg: &Value| {
        arg.as_str().expect("args are strings").replace("{bad}", "testdata/bad/cases").replace("{samples}", "samples/incident")
    };
    // References first: other cases compare their candidates with them.
    let (references, rest): (Vec<&Value>, Vec<&Value>) = cases.iter().partition(|c| c["class"] == "reference");
    let reference_lists = Mutex::new(std::collections::BTreeMap::new());
    let failures = Mutex::new(Vec::new());
    for batch in [references, rest] {
        let next = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = batch.get(i) else { break };
                    let args: Vec<String> = case["args"].as_array().expect("args").iter().map(expand).collect();
                    let outcome = run(&root, &args);
                    if let Err(why) = check(case, &outcome, &reference_lists) {
                        failures.lock().unwrap().push(format!("{} (rootspan {}): {why}", case["id"].as_str().unwrap(), args.join(" ")));
                    }
                });
            }
        });
    }
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// A scratch folder of this build for files a test writes (never the repository).
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad-inputs").join(name);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// The sample incident's three files (the good inputs of a mixed run).
fn sample() -> Vec<String> {
    ["traces.otlp.json.gz", "logs.loki.json.gz", "metrics.prom.json.gz"].iter().map(|f| format!("samples/incident/{f}")).collect()
}

fn analyze_json(files: &[String]) -> Vec<String> {
    let mut args: Vec<String> = ["analyze", "--format", "json"].map(String::from).to_vec();
    args.extend(files.iter().cloned());
    args
}

/// A regular file one byte over `--max-input-mib` is refused by its size, before it is read,
/// naming it and the flag; a file of exactly the cap is read.
#[test]
fn a_regular_file_over_the_input_cap_is_refused_naming_it() {
    let dir = scratch("input-cap");
    let line = "2023-01-29T08:43:00Z INFO request served in 12 ms\n";
    let mut text = line.repeat((1 << 20) / line.len());
    text.push_str(&" ".repeat((1 << 20) - text.len() - 1));
    text.push('\n');
    assert_eq!(text.len(), 1 << 20);
    let (at_cap, over_cap) = (dir.join("at-cap.log"), dir.join("over-cap.log"));
    std::fs::write(&at_cap, &text).unwrap();
    std::fs::write(&over_cap, format!("{text}x")).unwrap();
    let with_cap = |file: &Path| {
        let mut args = vec!["--max-input-mib".to_string(), "1".to_string()];
        args.extend(analyze_json(&[file.display().to_string()]));
        run(&repo_root(), &args)
    };

    let over = with_cap(&over_cap);
    assert_eq!(over.code, Some(1), "{}", over.stderr);
    let message = format!("{}: larger than the input cap of 1 MiB (--max-input-mib); not read", over_cap.display());
    assert!(over.stderr.contains(&message), "{}", over.stderr);
    assert!(over.stdout.is_empty(), "nothing is analysed: {}", over.stdout);

    let at = with_cap(&at_cap);
    assert_eq!(at.code, Some(0), "{}", at.stderr);
    let report: Value = serde_json::from_str(&at.stdout).expect("a report");
    assert_eq!(report["inputs"]["totals"]["logs"].as_u64(), Some(((1 << 20) / line.len()) as u64));
}

/// Grafana's log frame as the Go SDK writes it to Arrow (frame name, refId and meta on the
/// schema, each field's name on the field), `rows` lines a second apart from 2023-01-29T08:43Z.
fn log_frame(rows: usize) -> arrow_array::RecordBatch {
    use arrow_array::{ArrayRef, BinaryArray, StringArray, TimestampNanosecondArray};
    use arrow_schema::{DataType, Field, Schema, TimeUnit};
    use std::collections::HashMap;
    use std::sync::Arc;
    let md = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<HashMap<_, _>>();
    let field = |name: &str, t: DataType| Field::new(name, t, true).with_metadata(md(&[("name", name)]));
    let times: Vec<i64> = (0..rows as i64).map(|i| 1_674_981_780_000_000_000 + i * 1_000_000_000).collect();
    let bodies: Vec<String> =
        (0..rows).map(|i| if i % 2 == 0 { format!("ERROR payment {i} failed") } else { format!("INFO order {i} ok") }).collect();
    let labels = vec![&br#"{"service_name":"shop"}"#[..]; rows];
    let schema = Schema::new(vec![
        field("timestamp", DataType::Timestamp(TimeUnit::Nanosecond, None)),
        field("body", DataType::Utf8),
        field("labels", DataType::Binary),
    ])
    .with_metadata(md(&[("name", "logs"), ("refId", "A"), ("meta", r#"{"type":"log-lines","typeVersion":[0,0]}"#)]));
    let columns: Vec<ArrayRef> =
        vec![Arc::new(TimestampNanosecondArray::from(times)), Arc::new(StringArray::from(bodies)), Arc::new(BinaryArray::from(labels))];
    arrow_array::RecordBatch::try_new(Arc::new(schema), columns).expect("a valid batch")
}

/// Arrow IPC from a real writer (arrow-rs's FileWriter and StreamWriter) through the CLI and
/// the wasm: an IPC file and two streams back to back (as Grafana concatenates per-frame
/// streams) are analysed row for row; the file cut in half is an error naming it, and next to
/// the sample incident it leaves the sample's candidates as they are.
#[test]
fn arrow_ipc_from_a_real_writer_is_read_and_a_cut_one_named() {
    use arrow_ipc::writer::{FileWriter, StreamWriter};
    let dir = scratch("arrow");
    let batch = log_frame(6);
    let mut file = FileWriter::try_new(Vec::new(), &batch.schema()).unwrap();
    file.write(&batch).unwrap();
    let file = file.into_inner().unwrap();
    let mut streams = Vec::new();
    for rows in [4, 3] {
        let batch = log_frame(rows);
        let mut w = StreamWriter::try_new(Vec::new(), &batch.schema()).unwrap();
        w.write(&batch).unwrap();
        streams.extend(w.into_inner().unwrap());
    }
    let paths = [dir.join("logs.arrow"), dir.join("two-streams.arrows"), dir.join("logs-cut.arrow")];
    std::fs::write(&paths[0], &file).unwrap();
    std::fs::write(&paths[1], &streams).unwrap();
    std::fs::write(&paths[2], &file[..file.len() / 2]).unwrap();
    let name = |i: usize| paths[i].display().to_string();
    let root = repo_root();

    for (i, logs) in [(0, 6), (1, 7)] {
        let out = run(&root, &analyze_json(&[name(i)]));
        assert_eq!(out.code, Some(0), "{}: {}", name(i), out.stderr);
        let report: Value = serde_json::from_str(&out.stdout).expect("a report");
        assert_eq!(report["inputs"]["totals"]["logs"].as_u64(), Some(logs), "{}", name(i));
        assert_eq!(report["inputs"]["sources"][0]["format"], "arrow-ipc", "{}", name(i));
    }

    let cut = run(&root, &analyze_json(&[name(2)]));
    assert_eq!(cut.code, Some(1), "{}", cut.stderr);
    assert!(cut.stderr.contains(&name(2)) && format!("{}{}", cut.stdout, cut.stderr).contains("Arrow"), "{}", cut.stderr);

    let alone = run(&root, &analyze_json(&sample()));
    assert_eq!(alone.code, Some(0), "{}", alone.stderr);
    let mixed = run(&root, &analyze_json(&[sample(), vec![name(2)]].concat()));
    assert_eq!(mixed.code, Some(1), "{}", mixed.stderr);
    assert!(mixed.stderr.contains(&name(2)), "{}", mixed.stderr);
    let candidates_of = |out: &Outcome| candidates(&serde_json::from_str(&out.stdout).expect("a report"));
    assert!(!candidates_of(&alone).is_empty());
    assert_eq!(candidates_of(&mixed), candidates_of(&alone));
}
