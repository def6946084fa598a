//! Shared by the fuzz targets: run one decoder on a JSON document, then check the dataset
//! is still consistent (every column as long as its table, every label set resolvable).

use rootspan_core::model::Dataset;

#[allow(dead_code)] // The ingest target feeds bytes, not a JSON value.
pub fn decode_json(data: &[u8], decode: impl Fn(&mut Dataset, &str, &serde_json::Value) -> bool) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let mut ds = Dataset::default();
    decode(&mut ds, "fuzz", &value);
    check(&ds);
}

pub fn check(ds: &Dataset) {
    let s = &ds.spans;
    let n = s.len();
    assert!([s.span.len(), s.parent.len(), s.resource.len(), s.operation.len(), s.start_ns.len(), s.duration_ns.len(), s.attributes.len()]
        .iter()
        .all(|l| *l == n));
    assert!(s.duration_ns.iter().all(|d| *d >= 0));
    let l = &ds.logs;
    for i in 0..l.len() {
        let _ = l.body(i);
        let _ = ds.label_pairs(l.resource[i]).count() + ds.label_pairs(l.metadata[i]).count();
    }
    for i in 0..ds.series.len() {
        let (t, v) = ds.series.points(i);
        assert_eq!(t.len(), v.len());
        let _ = ds.label_pairs(ds.series.labels[i]).count();
    }
    for (i, series) in ds.exemplars.series.iter().enumerate() {
        assert!(series.is_none_or(|s| (s as usize) < ds.series.len()), "exemplar {i} points past the series table");
    }
    for r in s.resource.iter().chain(&s.attributes) {
        let _ = ds.label_pairs(*r).count();
    }
    let _ = ds.diagnostics.total();
}
