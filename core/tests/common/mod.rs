//! Hand-built incidents for the ranking tests: spans and log lines pushed straight into a
//! `Dataset`, ranked over a 120 s baseline followed by a 120 s window.

use rootspan_core::model::{Dataset, LabelSetId, Level, LogRow, SourceId, SpanKind, SpanRow, SpanStatus};
use rootspan_core::rank::{rank, Candidate, RankOptions};
use rootspan_core::window::Windows;
use rootspan_core::TimeRange;
use rootspan_core::{SpanId, TraceId};

pub const S: i64 = 1_000_000_000;
pub const MS: i64 = 1_000_000;

/// A service and the pod it runs in.
pub type Instance<'a> = (&'a str, &'a str);

#[derive(Default)]
pub struct Incident {
    pub ds: Dataset,
    next_span: u64,
}

impl Incident {
    /// One span of `trace` on `instance`; returns its id for children and log lines.
    pub fn span(
        &mut self,
        trace: u128,
        parent: Option<SpanId>,
        (service, pod): Instance,
        (operation, kind): (&str, SpanKind),
        (start, duration): (i64, i64),
        failed: bool,
    ) -> SpanId {
        let resource = self.ds.labels([("service.name", service), ("k8s.pod.name", pod)]);
        let operation = self.ds.strings.intern(operation);
        self.next_span += 1;
        let span = SpanId::new(self.next_span).unwrap();
        self.ds.spans.push(SpanRow {
            trace: TraceId::new(trace).unwrap(),
            span,
            parent,
            resource,
            operation,
            kind,
            start_ns: start,
            duration_ns: duration,
            status: if failed { SpanStatus::Error } else { SpanStatus::Ok },
            status_message: None,
            attributes: LabelSetId(0),
            source: SourceId(0),
        });
        span
    }

    /// One log line of `instance`, inside span `at` when given.
    pub fn log(&mut self, (service, pod): Instance, time: i64, at: Option<(u128, SpanId)>, level: Level, body: &str) {
        let resource = self.ds.labels([("service_name", service), ("pod", pod)]);
        self.ds.logs.push(LogRow {
            time_ns: time,
            resource,
            metadata: LabelSetId(0),
            level,
            trace: at.and_then(|(trace, _)| TraceId::new(trace)),
            span: at.map(|(_, span)| span),
            body,
            source: SourceId(1),
        });
    }

    /// The top ten candidates over a 120 s baseline and the 120 s window after it.
    pub fn rank(&self, options: &RankOptions) -> Vec<Candidate> {
        let windows = Windows {
            window: Some(TimeRange::new(120 * S, 240 * S).unwrap()),
            baseline: Some(TimeRange::new(0, 120 * S).unwrap()),
            source: "given".into(),
            onsets: Vec::new(),
        };
        let correlation = rootspan_core::correlate::correlate(&self.ds, &Default::default());
        let patterns = rootspan_core::patterns::mine_logs(&self.ds, &Default::default());
        rank(&self.ds, &correlation, &windows, &patterns, options, 10).candidates
    }
}
