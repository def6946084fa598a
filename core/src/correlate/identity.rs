//! One service identity across sources: a row's raw label set (OTLP resource attributes, Loki
//! stream labels, Prometheus series labels) mapped to a service and an instance.
//!
//! The service is the value of the first configured service label present, with aliases
//! applied; a pod label gives its pod's workload (`ts-order-service-5b67c48447-mv5hb` ->
//! `ts-order-service`). An OpenTelemetry placeholder such as `unknown_service:java` is used
//! only when no label says more. The instance is the first configured instance label present.

use std::collections::{BTreeMap, HashMap};

use crate::model::{Dataset, LabelSetId, Sym};

use super::CorrelateOptions;

/// Which rule named a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Via {
    /// `service_labels[i]`; mapped to its workload when that label is a pod label.
    Label(usize),
    /// Only a placeholder (`unknown_service...`) in `service_labels[i]`.
    Placeholder(usize),
}

/// How a service label's value names the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    Plain,
    /// A pod name: its workload.
    Pod,
    /// Prometheus `job`: OpenTelemetry's exporters write `<service.namespace>/<service.name>`
    /// there, so the part after the last `/` is the service.
    Job,
}

impl Reading {
    fn of(label: &str, options: &CorrelateOptions) -> Reading {
        if options.pod_labels.iter().any(|p| p == label) {
            Reading::Pod
        } else if label == "job" {
            Reading::Job
        } else {
            Reading::Plain
        }
    }
}

/// What one label set maps to. `service` is a provisional id until `Resolver::finish`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Resolution {
    pub service: Option<(u32, Via)>,
    /// True when the name went through `service_aliases`.
    pub aliased: bool,
    pub instance: Option<Sym>,
}

/// Resolves label sets to services, memoised per label set.
pub struct Resolver<'a> {
    ds: &'a Dataset,
    /// Each service label and how to read its value.
    service_labels: Vec<(Option<Sym>, Reading)>,
    instance_labels: Vec<Option<Sym>>,
    peer_labels: Vec<Option<Sym>>,
    aliases: &'a BTreeMap<String, String>,
    memo: Vec<Option<Resolution>>,
    /// `peer` per attribute set, memoised like `memo`.
    peer_memo: Vec<Option<Option<u32>>>,
    names: Vec<String>,
    name_ids: HashMap<String, u32>,
}

/// OpenTelemetry's default when `service.name` is unset, and Tempo's stand-in for it: they
/// say nothing about which service emitted the row, so a more specific label wins.
fn is_placeholder(name: &str) -> bool {
    name.is_empty() || name.starts_with("unknown_service") || name == "OTLPResourceNoServiceName"
}

impl<'a> Resolver<'a> {
    pub fn new(ds: &'a Dataset, options: &'a CorrelateOptions) -> Resolver<'a> {
        let syms = |names: &[String]| names.iter().map(|n| ds.strings.get(n)).collect();
        Resolver {
            ds,
            service_labels: options.service_labels.iter().map(|n| (ds.strings.get(n), Reading::of(n, options))).collect(),
            instance_labels: syms(&options.instance_labels),
            peer_labels: syms(&options.peer_labels),
            aliases: &options.service_aliases,
            memo: vec![None; ds.label_sets.len()],
            peer_memo: vec![None; ds.label_sets.len()],
            names: Vec::new(),
            name_ids: HashMap::new(),
        }
    }

    pub fn resolve(&mut self, set: LabelSetId) -> Resolution {
        if let Some(r) = self.memo[set.0 as usize] {
            return r;
        }
        let r = self.compute(set);
        self.memo[set.0 as usize] = Some(r);
        r
    }

    fn value(&self, set: LabelSetId, key: Option<Sym>) -> Option<&'a str> {
        let v = self.ds.label_sets.value(set, key?)?;
        Some(self.ds.strings.resolve(v)).filter(|s| !s.trim().is_empty())
    }

    fn compute(&mut self, set: LabelSetId) -> Resolution {
        let mut placeholder = None;
        let mut found = None;
        for (i, (key, reading)) in self.service_labels.iter().enumerate() {
            if let Some(v) = self.value(set, *key) {
                let v = match reading {
                    Reading::Pod => workload_of_pod(v),
                    Reading::Job => v.rsplit_once('/').map_or(v, |(_, name)| name),
                    Reading::Plain => v,
                };
                if is_placeholder(v) {
                    placeholder = placeholder.or(Some((v, Via::Placeholder(i))));
                } else {
                    found = Some((v, Via::Label(i)));
                    break;
                }
            }
        }
        let instance = self.instance_labels.iter().find_map(|key| self.ds.label_sets.value(set, (*key)?));
        let Some((raw, via)) = found.or(placeholder) else {
            return Resolution { service: None, aliased: false, instance };
        };
        let (name, aliased) = match self.aliases.get(raw) {
            Some(alias) => (alias.as_str(), true),
            None => (raw, false),
        };
        Resolution { service: Some((self.intern(name), via)), aliased, instance }
    }

    fn intern(&mut self, name: &str) -> u32 {
        match self.name_ids.get(name) {
            Some(id) => *id,
            None => {
                let id = self.names.len() as u32;
                self.names.push(name.to_string());
                self.name_ids.insert(name.to_string(), id);
                id
            }
        }
    }

    /// The service a span's attributes name as the other side of its call (the first
    /// `peer_labels` attribute present), as a provisional id. Call it after every row's own
    /// labels are resolved: a host name then matches a service the rows named, by the whole
    /// name or its first DNS label (`cart.shop.svc.cluster.local:6379` -> `cart`); a name
    /// that matches none becomes a service of its own.
    pub fn peer(&mut self, attributes: LabelSetId) -> Option<u32> {
        if let Some(p) = self.peer_memo[attributes.0 as usize] {
            return p;
        }
        let raw = self.peer_labels.iter().find_map(|key| self.value(attributes, *key));
        let p = raw.map(|raw| {
            let host = strip_port(raw.trim());
            let aliases = self.aliases;
            let alias = |n: &str| aliases.get(n).map_or(n, String::as_str).to_string();
            let known = [host, host.split('.').next().unwrap_or(host)].into_iter().map(alias).find(|n| self.name_ids.contains_key(n));
            let name = known.unwrap_or_else(|| alias(host));
            self.intern(&name)
        });
        self.peer_memo[attributes.0 as usize] = Some(p);
        p
    }

    /// The resolution of each label set resolved so far (`None` for the others), for rows read
    /// again after `finish` (their provisional service ids are renumbered as for any row).
    pub fn resolutions(&self) -> Vec<Option<Resolution>> {
        self.memo.clone()
    }

    /// The service names sorted, and for each provisional id its index in that order.
    pub fn finish(self) -> (Vec<String>, Vec<u32>) {
        let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
        order.sort_by(|a, b| self.names[*a as usize].cmp(&self.names[*b as usize]));
        let mut remap = vec![0u32; self.names.len()];
        for (rank, provisional) in order.iter().enumerate() {
            remap[*provisional as usize] = rank as u32;
        }
        let mut names = self.names;
        let sorted = order.iter().map(|p| std::mem::take(&mut names[*p as usize])).collect();
        (sorted, remap)
    }
}

/// `host:port` -> `host`; `[v6]:port` -> `v6`; anything else as it is.
fn strip_port(s: &str) -> &str {
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match s.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => s,
    }
}

/// Kubernetes' random-suffix alphabet (`k8s.io/apimachinery/pkg/util/rand`): no vowels, no
/// 0, 1 or 3, so generated suffixes never spell words.
fn is_k8s_suffix(s: &str, len: std::ops::RangeInclusive<usize>) -> bool {
    len.contains(&s.len()) && s.bytes().all(|b| b"bcdfghjklmnpqrstvwxz2456789".contains(&b))
}

/// The workload a pod belongs to, from the pod name: a Deployment's pods are
/// `<name>-<pod-template-hash>-<5>`, a DaemonSet's or Job's `<name>-<5>`, a StatefulSet's
/// `<name>-<ordinal>`. A name that matches none of these is its own workload.
pub fn workload_of_pod(pod: &str) -> &str {
    let Some((head, last)) = pod.rsplit_once('-') else {
        return pod;
    };
    if head.is_empty() {
        return pod;
    }
    if is_k8s_suffix(last, 5..=5) {
        if let Some((name, hash)) = head.rsplit_once('-') {
            if !name.is_empty() && is_k8s_suffix(hash, 6..=10) {
                return name;
            }
        }
        return head;
    }
    if !last.is_empty() && last.len() <= 5 && last.bytes().all(|b| b.is_ascii_digit()) {
        return head;
    }
    pod
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pods_map_to_their_workloads() {
        for (pod, workload) in [
            ("ts-assurance-service-69876c9868-ssxsf", "ts-assurance-service"),
            ("ts-execute-service-775f544d9-zqvjb", "ts-execute-service"),
            ("ts-station-food-service-dc4d75dd-fw6ft", "ts-station-food-service"),
            ("node-exporter-x2x9z", "node-exporter"),
            ("kafka-0", "kafka"),
            ("loki-write-12", "loki-write"),
            ("ts-gateway-service", "ts-gateway-service"),
            ("api", "api"),
            ("-0", "-0"),
            ("web-service", "web-service"),
            ("", ""),
        ] {
            assert_eq!(workload_of_pod(pod), workload, "{pod}");
        }
    }

    fn resolve_all(ds: &Dataset, options: &CorrelateOptions, sets: &[LabelSetId]) -> Vec<(Option<String>, Option<String>, bool)> {
        let mut r = Resolver::new(ds, options);
        let got: Vec<Resolution> = sets.iter().map(|s| r.resolve(*s)).collect();
        let (names, remap) = r.finish();
        got.iter()
            .map(|g| {
                (
                    g.service.map(|(id, _)| names[remap[id as usize] as usize].clone()),
                    g.instance.map(|s| ds.strings.resolve(s).to_string()),
                    g.aliased,
                )
            })
            .collect()
    }

    #[test]
    fn labels_of_every_source_map_to_one_service() {
        let mut ds = Dataset::default();
        let otlp = ds.labels([("service.name", "checkout"), ("k8s.pod.name", "checkout-7d9f8b6c4-x2x9z")]);
        let loki = ds.labels([("service_name", "checkout"), ("pod", "checkout-7d9f8b6c4-x2x9z"), ("container", "server")]);
        let prom = ds.labels([("job", "checkout"), ("instance", "10.0.0.1:9090")]);
        let placeholder = ds.labels([("service.name", "unknown_service:java"), ("k8s.pod.name", "cart-0")]);
        let only_placeholder = ds.labels([("service.name", "unknown_service:java")]);
        let pod_only = ds.labels([("pod", "payments-5b67c48447-mv5hb")]);
        let nothing = ds.labels([("env", "prod")]);
        let namespaced_job = ds.labels([("job", "shop/checkout")]);
        let o = CorrelateOptions::default();
        let got = resolve_all(&ds, &o, &[otlp, loki, prom, placeholder, only_placeholder, pod_only, nothing, namespaced_job]);
        let s = |x: &str| Some(x.to_string());
        assert_eq!(
            got,
            vec![
                (s("checkout"), s("checkout-7d9f8b6c4-x2x9z"), false),
                (s("checkout"), s("checkout-7d9f8b6c4-x2x9z"), false),
                (s("checkout"), s("10.0.0.1:9090"), false),
                (s("cart"), s("cart-0"), false),
                (s("unknown_service:java"), None, false),
                (s("payments"), s("payments-5b67c48447-mv5hb"), false),
                (None, None, false),
                (s("checkout"), None, false),
            ]
        );
    }

    #[test]
    fn aliases_and_order_are_configurable() {
        let mut ds = Dataset::default();
        let set = ds.labels([("app", "web"), ("job", "kubernetes-pods")]);
        let mut o = CorrelateOptions::default();
        assert_eq!(resolve_all(&ds, &o, &[set])[0].0.as_deref(), Some("web"));
        o.service_labels = vec!["job".into(), "app".into()];
        o.service_aliases.insert("kubernetes-pods".into(), "frontend".into());
        assert_eq!(resolve_all(&ds, &o, &[set])[0], (Some("frontend".into()), None, true));
    }

    #[test]
    fn peers_match_known_services_or_stand_alone() {
        let mut ds = Dataset::default();
        let own = ds.labels([("service.name", "cart")]);
        let by_host = ds.labels([("server.address", "cart.shop.svc.cluster.local"), ("server.port", "8080")]);
        let with_port = ds.labels([("net.peer.name", "cart:7070")]);
        let db = ds.labels([("db.system.name", "postgresql"), ("server.address", "orders-db")]);
        let named = ds.labels([("peer.service", "AuthTokenCache"), ("server.address", "10.0.0.7")]);
        let v6 = ds.labels([("server.address", "[fe80::1]:443")]);
        let none = ds.labels([("http.route", "/x")]);
        let o = CorrelateOptions::default();
        let mut r = Resolver::new(&ds, &o);
        r.resolve(own);
        let got: Vec<Option<u32>> = [by_host, with_port, db, named, v6, none].iter().map(|s| r.peer(*s)).collect();
        let (names, remap) = r.finish();
        let name = |p: Option<u32>| p.map(|p| names[remap[p as usize] as usize].as_str());
        let got: Vec<Option<&str>> = got.into_iter().map(name).collect();
        assert_eq!(got, vec![Some("cart"), Some("cart"), Some("orders-db"), Some("AuthTokenCache"), Some("fe80::1"), None]);
    }

    #[test]
    fn service_ids_follow_name_order() {
        let mut ds = Dataset::default();
        let b = ds.labels([("service.name", "b")]);
        let a = ds.labels([("service.name", "a")]);
        let o = CorrelateOptions::default();
        let mut r = Resolver::new(&ds, &o);
        let (rb, ra) = (r.resolve(b), r.resolve(a));
        let (names, remap) = r.finish();
        assert_eq!(names, vec!["a", "b"]);
        assert_eq!(remap[ra.service.unwrap().0 as usize], 0);
        assert_eq!(remap[rb.service.unwrap().0 as usize], 1);
    }
}
