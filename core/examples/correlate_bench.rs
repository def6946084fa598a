//! Times `correlate` on a synthetic incident of 200k spans and 1M log records (half with
//! their ids in structured metadata, half only in the body), natively.
//!
//! `cargo run --release -p rootspan-core --example correlate_bench [spans] [logs] [runs]`

use std::time::Instant;

use rootspan_core::correlate::{correlate, CorrelateOptions};
use rootspan_core::model::{Dataset, LabelSetId, Level, LogRow, SpanKind, SpanRow, SpanStatus};
use rootspan_core::{SpanId, TraceId};

/// A deterministic pseudo-random sequence (splitmix64), so every run times the same data.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn build(n_spans: usize, n_logs: usize) -> Dataset {
    let mut ds = Dataset::default();
    let traces_src = ds.add_source("traces", "synthetic");
    let logs_src = ds.add_source("logs", "synthetic");
    let mut mix = Mix(7);
    let services: Vec<(LabelSetId, LabelSetId)> = (0..20)
        .map(|i| {
            let (name, pod) = (format!("service-{i}"), format!("service-{i}-7d9f8b6c4-x2x9z"));
            (
                ds.labels([("service.name", name.as_str()), ("k8s.pod.name", pod.as_str())]),
                ds.labels([("service_name", name.as_str()), ("pod", pod.as_str())]),
            )
        })
        .collect();
    let ops: Vec<_> = (0..50).map(|i| ds.strings.intern(&format!("GET /api/v1/op{i}"))).collect();
    let per_trace = 10;
    let mut ids = Vec::with_capacity(n_spans);
    for t in 0..n_spans / per_trace {
        let trace = TraceId::new(u128::from(mix.next()) << 64 | u128::from(mix.next())).unwrap();
        let base = (t as i64) * 1_000_000;
        for s in 0..per_trace {
            let span = SpanId::new(mix.next() | 1).unwrap();
            let parent = (s > 0).then(|| ids[ids.len() - 1 - (mix.next() as usize % s)]).map(|(_, p, _)| p);
            let svc = (mix.next() % 20) as usize;
            ds.spans.push(SpanRow {
                trace,
                span,
                parent,
                resource: services[svc].0,
                operation: ops[(mix.next() % 50) as usize],
                kind: if s % 2 == 0 { SpanKind::Server } else { SpanKind::Client },
                start_ns: base + s as i64 * 1000,
                duration_ns: 1000 + (mix.next() % 100_000) as i64,
                status: if mix.next() % 50 == 0 { SpanStatus::Error } else { SpanStatus::Unset },
                status_message: None,
                attributes: LabelSetId(0),
                source: traces_src,
            });
            ids.push((trace, span, svc));
        }
    }
    let mut body = String::new();
    for i in 0..n_logs {
        let (trace, span, svc) = ids[(mix.next() as usize) % ids.len()];
        body.clear();
        let metadata = if i % 2 == 0 {
            let (t, s) = (trace.to_string(), span.to_string());
            ds.labels([("trace_id", t.as_str()), ("span_id", s.as_str())])
        } else {
            LabelSetId(0)
        };
        use std::fmt::Write;
        write!(body, "16:44:59.057 INFO  a.s.ServiceImpl#65 TraceID: {trace} SpanID: {span} [create][AddThing][Success] id={}", mix.next())
            .unwrap();
        ds.logs.push(LogRow {
            time_ns: (i as i64) * 1000,
            resource: services[svc].1,
            metadata,
            level: Level::Info,
            trace: None,
            span: None,
            body: &body,
            source: logs_src,
        });
    }
    ds
}

/// CPU time of this thread in ms (from /proc, Linux only; 10 ms resolution): the machine this
/// runs on is shared, so wall time alone says little.
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(f64::NAN);
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
    (ticks(11) + ticks(12)) * 10.0
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (n_spans, n_logs) = (args.first().copied().unwrap_or(200_000), args.get(1).copied().unwrap_or(1_000_000));
    let runs = args.get(2).copied().unwrap_or(3);
    let t0 = Instant::now();
    let ds = build(n_spans, n_logs);
    println!("built {} spans, {} logs in {:.0} ms", ds.spans.len(), ds.logs.len(), t0.elapsed().as_secs_f64() * 1e3);
    let options = CorrelateOptions::default();
    let mut best = f64::INFINITY;
    for _ in 0..runs {
        let (t, cpu) = (Instant::now(), cpu_ms());
        let c = correlate(&ds, &options);
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let cpu = cpu_ms() - cpu;
        best = best.min(cpu);
        let t = Instant::now();
        let r = c.report(&ds);
        println!(
            "correlate {ms:.0} ms wall, {cpu:.0} ms cpu; report {:.0} ms: {} traces, {} of {} logs joined, {} edges",
            t.elapsed().as_secs_f64() * 1e3,
            r.traces.total,
            r.logs.joined,
            r.logs.records,
            r.service_graph.len()
        );
    }
    println!("best correlate: {best:.0} ms cpu");
}
