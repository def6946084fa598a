//! `merge::append` is exact: decoding inputs one by one into one dataset (what decoding did
//! before every input was decoded apart) and decoding each apart and appending give the same
//! dataset, id for id and row for row, so the same report. Checked on every upstream fixture
//! (alone, and each folder's files as one analysis, in both orders, so exemplars meet series of
//! an earlier input), the sample incident and three Nezha dev cases.

use std::path::{Path, PathBuf};

use rootspan_core::ingest::{self, UntimedLines};
use rootspan_core::model::{Dataset, LabelSetId, Sym};
use rootspan_core::{Input, Session};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_none_or(|e| e != "md") {
            out.push(path);
        }
    }
}

fn input(path: &Path) -> Input {
    Input::Bytes { name: path.file_name().unwrap().to_string_lossy().into_owned(), bytes: std::fs::read(path).unwrap() }
}

/// Everything a stage can read of a dataset, in id order.
fn fingerprint(ds: &Dataset) -> String {
    let strings: Vec<&str> = (0..ds.strings.len()).map(|i| ds.strings.resolve(Sym(i as u32))).collect();
    let sets: Vec<&[(Sym, Sym)]> = (0..ds.label_sets.len()).map(|i| ds.label_sets.get(LabelSetId(i as u32))).collect();
    let series: Vec<_> = (0..ds.series.len()).map(|i| ds.series.points(i)).collect();
    let bodies: Vec<&str> = (0..ds.logs.len()).map(|r| ds.logs.body(r)).collect();
    let counts: Vec<_> = ds.diagnostics.counts().collect();
    format!(
        "{strings:?}\n{sets:?}\n{:?}\n{:?}\n{:?}\n{bodies:?}\n{:?} {:?} {:?} {series:?}\n{:?}\n{:?}\n{counts:?}",
        ds.sources,
        ds.spans,
        ds.logs,
        ds.series.name,
        ds.series.labels,
        ds.series.source,
        ds.exemplars,
        ds.diagnostics.entries()
    )
}

/// The same inputs decoded into one dataset in place, and through `Session` (apart, appended).
fn check(inputs: &[Input], what: &str) {
    let mut in_place = Dataset::default();
    for i in inputs {
        ingest::ingest(&mut in_place, i, UntimedLines::LeaveOut);
    }
    let session = Session::new().decoding(inputs, &mut |_| {});
    let (a, b) = (fingerprint(&in_place), fingerprint(session.dataset()));
    if a != b {
        let at = a.bytes().zip(b.bytes()).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
        panic!(
            "{what}: appended dataset differs at byte {at}:\n in place: {}\n appended: {}",
            &a[at.saturating_sub(80)..(at + 80).min(a.len())],
            &b[at.saturating_sub(80)..(at + 80).min(b.len())]
        );
    }
}

#[test]
fn every_fixture_alone_and_each_folder_together_in_both_orders() {
    let fixtures = root().join("testdata/fixtures");
    let mut dirs = vec![fixtures.clone()];
    let mut all = Vec::new();
    files(&fixtures, &mut all);
    for file in &all {
        check(&[input(file)], &file.display().to_string());
        let dir = file.parent().unwrap().to_path_buf();
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    assert!(all.len() > 40, "{} fixtures", all.len());
    let mut together = 0;
    for dir in &dirs[1..] {
        let mut inputs: Vec<Input> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_file()).map(|p| input(&p)).collect();
        inputs.sort_by(|a, b| a.name().cmp(b.name()));
        if inputs.len() > 1 {
            check(&inputs, &format!("{} together", dir.display()));
            inputs.reverse();
            check(&inputs, &format!("{} together, reversed", dir.display()));
            together += 1;
        }
    }
    assert!(together >= 5, "{together} folders of several inputs");
}

fn text_input(name: &str, text: &str) -> Input {
    Input::Bytes { name: name.to_string(), bytes: text.as_bytes().to_vec() }
}

#[test]
fn exemplars_link_to_series_of_an_earlier_input() {
    // Two series, one without `__name__` (Prometheus' decoder looks that one up by the empty name).
    let matrix = text_input(
        "matrix.json",
        r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"__name__":"up","job":"api"},"values":[[1700000000,"1"]]},
            {"metric":{"job":"db"},"values":[[1700000000,"2"]]}]}}"#,
    );
    let exemplars = text_input(
        "exemplars.json",
        r#"{"status":"success","data":[
            {"seriesLabels":{"__name__":"up","job":"api"},"exemplars":[{"labels":{"traceID":"0af7651916cd43dd8448eb211c80319c"},"value":"1","timestamp":1700000000}]},
            {"seriesLabels":{"job":"db"},"exemplars":[{"labels":{"traceID":"0af7651916cd43dd8448eb211c80319d"},"value":"2","timestamp":1700000000}]},
            {"seriesLabels":{"__name__":"up","job":"none"},"exemplars":[{"labels":{},"value":"3","timestamp":1700000000}]}]}"#,
    );
    let inputs = [matrix, exemplars];
    check(&inputs, "matrix then exemplars");
    check(&[inputs[1].clone(), inputs[0].clone()], "exemplars then matrix");
    // The check is only meaningful when decoding in place links across inputs, which decoding
    // the exemplars alone cannot: both named series are linked, the third is not.
    let mut in_place = Dataset::default();
    for i in &inputs {
        ingest::ingest(&mut in_place, i, UntimedLines::LeaveOut);
    }
    assert_eq!(in_place.exemplars.series, [Some(0), Some(1), None]);
    let mut alone = Dataset::default();
    ingest::ingest(&mut alone, &inputs[1], UntimedLines::LeaveOut);
    assert_eq!(alone.exemplars.series, [None, None, None]);
}

#[test]
fn the_sample_incident_and_three_nezha_cases() {
    let mut cases = vec![root().join("samples/incident")];
    let dev = root().join("testdata/rca/nezha-tt/dev");
    cases.extend(["tt-2023-01-29-0843", "tt-2023-01-29-0912", "tt-2023-01-29-0930"].map(|c| dev.join(c)));
    for case in cases {
        let inputs: Vec<Input> =
            ["traces.otlp.json.gz", "logs.loki.json.gz", "metrics.prom.json.gz"].iter().map(|f| input(&case.join(f))).collect();
        check(&inputs, &case.display().to_string());
    }
}
