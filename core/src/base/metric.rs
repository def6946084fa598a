//! What a metric series measures, read from its name, and its samples as readings. Ranking
//! turns a measure into evidence; window detection watches the same series for a change in the
//! direction that is bad for it, so both read a name the same way.

/// What a series measures, as far as a service's health goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Throughput and success series: a drop is bad.
    Throughput,
    /// Error series (errors, failures, restarts, OOM kills): a rise is bad.
    Errors,
    /// Latency series of a server side: a rise is bad.
    Latency,
    /// CPU, memory, queue backlog and other saturation series: a rise is bad.
    Saturation,
}

/// Words of a series name that say work is waiting in a queue (Kafka's consumer lag, a broker's
/// backlog or queue depth, messages pending or not yet acknowledged). Not `ready`: a readiness
/// gauge (`kube_pod_container_status_ready`) is bad when it drops.
const BACKLOG_WORDS: [&str; 5] = ["lag", "backlog", "depth", "pending", "unacked"];

impl Measure {
    /// The measure a series name says, if any. Names that say nothing about health (bytes,
    /// syscalls), node-wide series and client-side series (they measure the callee) say none.
    pub fn of(name: &str) -> Option<Measure> {
        let n = name.to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
        if n.starts_with("node_") || has(&["client"]) {
            return None;
        }
        if has(&["success", "throughput", "ops", "requests_total", "qps", "rps", "available"]) {
            return Some(Measure::Throughput);
        }
        if has(&["error", "fail", "5xx", "exception", "restart", "oom"]) {
            return Some(Measure::Errors);
        }
        // How far a consumer is behind its queue (a lag, a backlog, a depth) is how much work
        // waits for it, even when it is counted in seconds: saturation of the consumer, not the
        // latency of anything it serves. Whole words only, so a feature *flag* is no lag.
        let words: Vec<&str> = n.split(|c: char| !c.is_ascii_alphanumeric()).collect();
        if words.iter().any(|w| BACKLOG_WORDS.contains(w)) {
            return Some(Measure::Saturation);
        }
        if has(&["latency", "duration", "response_time", "seconds"]) {
            return Some(Measure::Latency);
        }
        if has(&["cpu", "mem", "heap", "gc_", "thread", "fd", "queue", "load", "throttl", "saturation", "disk_usage"]) {
            return Some(Measure::Saturation);
        }
        None
    }

    /// 1 when a rise is bad, -1 when a drop is.
    pub fn bad_direction(self) -> f64 {
        match self {
            Measure::Throughput => -1.0,
            Measure::Errors | Measure::Latency | Measure::Saturation => 1.0,
        }
    }
}

/// The finite samples of a series in time order; a counter's (`*_total`, the Prometheus naming
/// rule) as its increase since the sample before (a drop is a reset, counted from zero, as
/// PromQL's `increase` does), so a restart long before the window does not make every later
/// sample look high.
pub fn readings(name: &str, times: &[i64], values: &[f64]) -> Vec<(i64, f64)> {
    let mut points: Vec<(i64, f64)> = times.iter().copied().zip(values.iter().copied()).filter(|(_, x)| x.is_finite()).collect();
    points.sort_by_key(|p| p.0);
    if !name.ends_with("_total") {
        return points;
    }
    points.windows(2).map(|p| (p[1].0, if p[1].1 >= p[0].1 { p[1].1 - p[0].1 } else { p[1].1 })).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_follow_names() {
        assert_eq!(Measure::of("cpu_usage_rate_percent"), Some(Measure::Saturation));
        assert_eq!(Measure::of("pod_server_latency_p90_seconds"), Some(Measure::Latency));
        assert_eq!(Measure::of("pod_client_latency_p90_seconds"), None);
        assert_eq!(Measure::of("pod_success_rate_percent"), Some(Measure::Throughput));
        assert_eq!(Measure::of("http_server_errors_total"), Some(Measure::Errors));
        assert_eq!(Measure::of("node_cpu_usage_rate_percent"), None);
        assert_eq!(Measure::of("network_receive_bytes"), None);
        assert_eq!(Measure::of("kube_pod_container_status_restarts_total"), Some(Measure::Errors));
        // A consumer behind its queue is saturated, whatever unit its lag is in.
        assert_eq!(Measure::of("messaging_consumer_lag_seconds"), Some(Measure::Saturation));
        assert_eq!(Measure::of("kafka_consumergroup_lag"), Some(Measure::Saturation));
        assert_eq!(Measure::of("rabbitmq_queue_messages_unacked"), Some(Measure::Saturation));
        assert_eq!(Measure::of("kube_pod_container_status_ready"), None);
        assert_eq!(Measure::of("sqs_backlog_age_seconds"), Some(Measure::Saturation));
        assert_eq!(Measure::of("feature_flag_evaluation_duration_seconds"), Some(Measure::Latency));
        assert_eq!(Measure::Throughput.bad_direction(), -1.0);
        assert_eq!(Measure::Errors.bad_direction(), 1.0);
    }

    #[test]
    fn counters_read_as_increases() {
        let got = readings("restarts_total", &[30, 10, 20, 40], &[3.0, 1.0, 1.0, 0.0]);
        assert_eq!(got, vec![(20, 0.0), (30, 2.0), (40, 0.0)]);
        assert_eq!(readings("ops", &[20, 10], &[2.0, f64::NAN]), vec![(20, 2.0)]);
    }
}
