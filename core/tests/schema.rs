//! The JSON Schemas in `schema/` are generated from the Rust types, so the documented report,
//! options and trace detail can never drift from what the code reads and writes. This test fails when the
//! committed files differ from the types; regenerate them with
//! `UPDATE_SCHEMA=1 cargo test -p rootspan-core --features schema --test schema`.

use std::path::PathBuf;

use rootspan_core::trace_detail::TraceDetail;
use rootspan_core::{Options, Report};
use schemars::generate::SchemaSettings;

fn check(file: &str, generated: String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema").join(file);
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is out of date with the Rust types: run UPDATE_SCHEMA=1 cargo test -p rootspan-core --features schema --test schema",
        path.display()
    );
}

#[test]
fn report_schema_is_current() {
    let schema = SchemaSettings::draft2020_12().for_serialize().into_generator().into_root_schema_for::<Report>();
    check("report.schema.json", serde_json::to_string_pretty(&schema).unwrap() + "\n");
}

#[test]
fn trace_detail_schema_is_current() {
    let schema = SchemaSettings::draft2020_12().for_serialize().into_generator().into_root_schema_for::<TraceDetail>();
    check("trace-detail.schema.json", serde_json::to_string_pretty(&schema).unwrap() + "\n");
}

#[test]
fn options_schema_is_current() {
    let schema = SchemaSettings::draft2020_12().for_deserialize().into_generator().into_root_schema_for::<Options>();
    check("options.schema.json", serde_json::to_string_pretty(&schema).unwrap() + "\n");
}

#[test]
fn default_options_round_trip_through_json() {
    let options = Options::default();
    let text = serde_json::to_string(&options).unwrap();
    assert_eq!(Options::from_json(&text).unwrap(), options);
    assert!(Options::from_json(r#"{"no_such_option": 1}"#).is_err(), "unknown options must be rejected, not ignored");
}
