//! One trace as a trace view draws it: its spans (service, operation, timing, status) with the
//! log records and exemplars joined to them. A lookup over the dataset and its correlation that
//! the homes make on demand (the panel's and the web demo's trace tab); it is not part of the
//! report. Times are epoch milliseconds as floats: JS numbers cannot hold epoch ns.
//! It reads a `Correlation` (the session keeps one), never making its own.

use serde::Serialize;

use crate::correlate::Correlation;
use crate::id::TraceId;
use crate::model::{Dataset, SpanStatus};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TraceDetail {
    /// 32 lowercase hex digits.
    pub trace_id: String,
    /// Spans by start time (ties by span id).
    pub spans: Vec<SpanDetail>,
    /// Log records of the trace that name no span of it.
    pub logs: Vec<LogDetail>,
    /// Exemplars of the trace that name no span of it.
    pub exemplars: Vec<ExemplarDetail>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SpanDetail {
    pub span_id: String,
    /// The parent after repair; absent for roots and orphans.
    pub parent_span_id: Option<String>,
    pub service: String,
    pub operation: String,
    pub start_ms: f64,
    pub duration_ms: f64,
    pub error: bool,
    pub logs: Vec<LogDetail>,
    pub exemplars: Vec<ExemplarDetail>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LogDetail {
    pub time_ms: f64,
    pub level: crate::model::Level,
    pub body: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ExemplarDetail {
    pub time_ms: f64,
    pub value: f64,
    /// The series as `name{label="value",...}`.
    pub series: String,
}

/// Epoch ns as epoch ms, exact to the ns where an f64 can hold it (dividing the whole i64 cannot).
fn ms(ns: i64) -> f64 {
    ns.div_euclid(1_000_000) as f64 + ns.rem_euclid(1_000_000) as f64 / 1e6
}

/// The trace `trace` as `corr` joined it, or `None` when the data has no such trace.
/// (`Session::trace_detail` keeps the correlation between lookups.)
pub fn trace_detail(ds: &Dataset, corr: &Correlation, trace: TraceId) -> Option<TraceDetail> {
    let t = corr.traces.find(trace)?;
    let mut rows: Vec<u32> = corr.traces.spans(t).to_vec();
    rows.sort_by_key(|&r| (ds.spans.start_ns[r as usize], ds.spans.span[r as usize]));
    let position = |row: u32| rows.iter().position(|&r| r == row);
    let mut spans: Vec<SpanDetail> = rows
        .iter()
        .map(|&r| {
            let r = r as usize;
            SpanDetail {
                span_id: ds.spans.span[r].to_string(),
                parent_span_id: corr.span_parent[r].map(|p| ds.spans.span[p as usize].to_string()),
                service: corr.span_service[r].map(|s| corr.services[s.0 as usize].name.clone()).unwrap_or_default(),
                operation: ds.strings.resolve(ds.spans.operation[r]).to_string(),
                start_ms: ms(ds.spans.start_ns[r]),
                duration_ms: ds.spans.duration_ns[r] as f64 / 1e6,
                error: ds.spans.status[r] == SpanStatus::Error,
                logs: Vec::new(),
                exemplars: Vec::new(),
            }
        })
        .collect();

    let mut logs = Vec::new();
    let mut log_rows: Vec<u32> = corr.traces.logs(t).to_vec();
    log_rows.sort_by_key(|&r| (ds.logs.time_ns[r as usize], r));
    for r in log_rows {
        let r = r as usize;
        let log = LogDetail { time_ms: ms(ds.logs.time_ns[r]), level: ds.logs.level[r], body: ds.logs.body(r).to_string() };
        match corr.log_span_row.get(r).and_then(position) {
            Some(i) => spans[i].logs.push(log),
            None => logs.push(log),
        }
    }

    let mut exemplars = Vec::new();
    for &r in corr.traces.exemplars(t) {
        let r = r as usize;
        let labels: Vec<String> = ds.label_pairs(ds.exemplars.series_labels[r]).map(|(k, v)| format!("{k}=\"{v}\"")).collect();
        let exemplar = ExemplarDetail {
            time_ms: ms(ds.exemplars.time_ns[r]),
            value: ds.exemplars.value[r],
            series: format!("{{{}}}", labels.join(",")),
        };
        let row = corr.exemplar_span[r].and_then(|span| rows.iter().find(|&&s| ds.spans.span[s as usize] == span).copied());
        match row.and_then(position) {
            Some(i) => spans[i].exemplars.push(exemplar),
            None => exemplars.push(exemplar),
        }
    }
    Some(TraceDetail { trace_id: trace.to_string(), spans, logs, exemplars })
}

#[cfg(test)]
mod tests {
    use crate::correlate::CorrelateOptions;
    use crate::ingest::Input;

    fn session(json: &str) -> crate::Session {
        let mut s = crate::Session::new();
        s.add(&Input::Bytes { name: "t.json".into(), bytes: json.as_bytes().to_vec() });
        s
    }

    const OTLP: &str = r#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},
      "scopeSpans":[{"spans":[
        {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"GET /","kind":2,
         "startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000250000000","status":{"code":2}},
        {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00f067aa0ba902b7","parentSpanId":"b7ad6b7169203331","name":"db",
         "startTimeUnixNano":"1700000000010000000","endTimeUnixNano":"1700000000110000000","status":{}}]}]}]}"#;

    #[test]
    fn a_trace_lists_its_spans_in_start_order_with_parents() {
        let mut s = session(OTLP);
        let d = s.trace_detail(&CorrelateOptions::default(), "0AF7651916CD43DD8448EB211C80319C").expect("the trace is there");
        assert_eq!(d.trace_id, "0af7651916cd43dd8448eb211c80319c");
        let ops: Vec<&str> = d.spans.iter().map(|s| s.operation.as_str()).collect();
        assert_eq!(ops, ["GET /", "db"]);
        assert_eq!(d.spans[1].parent_span_id.as_deref(), Some("b7ad6b7169203331"));
        assert_eq!(d.spans[0].parent_span_id, None);
        assert!(d.spans[0].error && !d.spans[1].error);
        assert_eq!(d.spans[0].service, "api");
        assert_eq!(d.spans[0].duration_ms, 250.0);
        assert_eq!(d.spans[1].start_ms, 1_700_000_000_010.0);
    }

    #[test]
    fn an_unknown_or_malformed_id_gives_none() {
        let mut s = session(OTLP);
        assert!(s.trace_detail(&CorrelateOptions::default(), "11111111111111111111111111111111").is_none());
        assert!(s.trace_detail(&CorrelateOptions::default(), "not an id").is_none());
    }

    #[test]
    fn the_kept_correlation_follows_the_inputs_and_the_options() {
        let mut s = session(OTLP);
        let id = "0af7651916cd43dd8448eb211c80319c";
        let service = |s: &mut crate::Session, options: &CorrelateOptions| s.trace_detail(options, id).map(|d| d.spans[0].service.clone());
        assert_eq!(service(&mut s, &CorrelateOptions::default()).as_deref(), Some("api"));
        // Other correlation options: a new correlation, not the kept one.
        let renamed =
            CorrelateOptions { service_aliases: [("api".to_string(), "gateway".to_string())].into(), ..CorrelateOptions::default() };
        assert_eq!(service(&mut s, &renamed).as_deref(), Some("gateway"));
        assert_eq!(service(&mut s, &CorrelateOptions::default()).as_deref(), Some("api"));
        // A new input: its trace is found (the kept correlation was dropped).
        let other = "1af7651916cd43dd8448eb211c80319c";
        assert!(s.trace_detail(&CorrelateOptions::default(), other).is_none());
        s.add(&Input::Bytes { name: "u.json".into(), bytes: OTLP.replace(id, other).into_bytes() });
        assert!(s.trace_detail(&CorrelateOptions::default(), other).is_some());
    }
}
