//! What each evidence module found, per service and per instance, before fusion: one raw
//! value per score component (the strongest finding), with its operation, a phrase for the
//! why-sentence and references to the records behind it.

use serde::{Deserialize, Serialize};

/// The telemetry a component is computed from; `sources` options switch them on and off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Signal {
    Traces,
    Logs,
    Metrics,
}

/// The score components, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Failing spans whose children all succeed (the deepest failure), above the baseline rate.
    ErrorOrigin,
    /// Time callers wait on this service that its own spans do not explain (network, queues).
    EdgeGap,
    /// Growth of the time requests spend in this service itself, outside its calls.
    SelfTime,
    /// Requests this service no longer receives, given the traffic at the entry points.
    VolumeDrop,
    /// Usual log templates that vanish or drop against the calls that used to write them.
    LogMissing,
    /// Error and warning templates that are new or surging, less what deeper services explain.
    LogError,
    /// CPU, memory and other saturation series up.
    MetricSaturation,
    /// Latency series of the service's own server side up.
    MetricLatency,
    /// Error series up.
    MetricErrors,
    /// Throughput and success series down.
    MetricThroughput,
}

pub const KINDS: [Kind; 10] = [
    Kind::ErrorOrigin,
    Kind::EdgeGap,
    Kind::SelfTime,
    Kind::VolumeDrop,
    Kind::LogMissing,
    Kind::LogError,
    Kind::MetricSaturation,
    Kind::MetricLatency,
    Kind::MetricErrors,
    Kind::MetricThroughput,
];

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::ErrorOrigin => "trace_error_origin",
            Kind::EdgeGap => "trace_edge_gap",
            Kind::SelfTime => "trace_self_time",
            Kind::VolumeDrop => "trace_volume_drop",
            Kind::LogMissing => "log_missing",
            Kind::LogError => "log_error",
            Kind::MetricSaturation => "metric_saturation",
            Kind::MetricLatency => "metric_latency",
            Kind::MetricErrors => "metric_errors",
            Kind::MetricThroughput => "metric_throughput",
        }
    }

    pub fn signal(self) -> Signal {
        match self {
            Kind::ErrorOrigin | Kind::EdgeGap | Kind::SelfTime | Kind::VolumeDrop => Signal::Traces,
            Kind::LogMissing | Kind::LogError => Signal::Logs,
            _ => Signal::Metrics,
        }
    }

    /// Whether the raw value is already a log (of a duration ratio): fusion takes it as it is
    /// rather than taking its log again.
    pub fn is_log_ratio(self) -> bool {
        matches!(self, Kind::EdgeGap | Kind::SelfTime)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// A record behind a finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EvidenceRef {
    /// A trace, by its 32-hex id.
    Trace {
        /// Trace id, 32 lowercase hex digits.
        trace_id: String,
    },
    /// A log template.
    Template {
        /// The template key, as in the report's patterns section.
        template: String,
    },
    /// A metric series.
    Series {
        /// The series as `name{label="value",...}`.
        series: String,
    },
}

/// The strongest finding of one component for one entity.
#[derive(Clone, Debug, Default)]
pub struct Finding {
    pub value: f64,
    pub operation: Option<String>,
    pub phrase: String,
    pub refs: Vec<EvidenceRef>,
}

/// Findings per entity (service or instance), one slot per component.
#[derive(Clone, Debug)]
pub struct Evidence {
    pub services: Vec<[Option<Finding>; KINDS.len()]>,
    pub instances: Vec<[Option<Finding>; KINDS.len()]>,
}

/// Who a finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Service(usize),
    Instance(usize),
}

impl Target {
    /// The service and, when known, the instance of a row.
    pub fn both(service: usize, instance: Option<usize>) -> impl Iterator<Item = Target> {
        std::iter::once(Target::Service(service)).chain(instance.map(Target::Instance))
    }
}

impl Evidence {
    pub fn new(services: usize, instances: usize) -> Evidence {
        Evidence { services: vec![Default::default(); services], instances: vec![Default::default(); instances] }
    }

    /// Keeps `finding` where it is the target's strongest of its kind so far (ties keep the
    /// first; callers offer in a deterministic order). Non-positive values are not findings.
    pub fn offer(&mut self, who: Target, kind: Kind, finding: Finding) {
        if !(finding.value.is_finite() && finding.value > 0.0) {
            return;
        }
        let slot = match who {
            Target::Service(s) => &mut self.services[s][kind.index()],
            Target::Instance(i) => &mut self.instances[i][kind.index()],
        };
        if slot.as_ref().is_none_or(|f| finding.value > f.value) {
            *slot = Some(finding);
        }
    }

    /// Gives each service, per component, its strongest instance's finding where that is
    /// stronger than the service-wide one: a fault in one of two replicas moves the
    /// service's median by half, its pod's fully. `names` are the instances, each with the
    /// index of its service.
    pub fn lift_instances(&mut self, names: &[(String, usize)]) {
        for (i, (name, s)) in names.iter().enumerate() {
            for k in 0..KINDS.len() {
                let Some(f) = &self.instances[i][k] else { continue };
                if self.services[*s][k].as_ref().is_none_or(|g| f.value > g.value) {
                    let phrase = format!("on {name}, {}", f.phrase);
                    self.services[*s][k] = Some(Finding { phrase, ..f.clone() });
                }
            }
        }
    }
}
