// Draws one case from its index and the run's seed: the system, the fault (type, place, size, time) and the noise.
// Cases cycle through systems and fault types so every (system, fault) pair appears about equally often.
import { FAULT_TYPES } from './model.js';
import type { CasePlan, Fault, FaultType, Noise, PodSpec } from './model.js';
import { Rng } from './rng.js';
import { batchService, buildTopology, TOPOLOGIES } from './topology.js';
import type { CallSpec, ServiceSpec, Topology } from './topology.js';

const MIN_US = 60e6;

/** Expected visits per entry request of each service and each `service op` (retries and errors left out). */
export function traffic(t: Topology): Map<string, number> {
  const visits = new Map<string, number>();
  const services = new Map(t.services.map((s) => [s.name, s]));
  const add = (key: string, v: number): void => void visits.set(key, (visits.get(key) ?? 0) + v);
  const walk = (service: string, op: string, v: number, depth: number): void => {
    add(service, v);
    add(`${service} ${op}`, v);
    const spec = services.get(service)!;
    const o = spec.ops.find((x) => x.name === op);
    if (!o || depth > 20) return;
    for (const c of o.calls) {
      if (c.mode === 'db' || c.mode === 'cache') add(c.to, v * c.p);
      else walk(c.to, c.op, v * c.p, depth + 1);
    }
  };
  const total = t.entries.reduce((s, e) => s + e.weight, 0);
  for (const e of t.entries) walk(e.service, e.op, e.weight / total, 0);
  return visits;
}

const CHATTY: Record<string, string[]> = {
  java: [
    'Failed to export spans. The request could not be executed. Full error message: Failed to connect to otel-collector/10.96.0.12:4318',
    'Could not refresh JMX metrics: javax.management.InstanceNotFoundException: Catalina:type=GlobalRequestProcessor,name="http-nio-8080"',
  ],
  go: ['failed to refresh feature flags: rpc error: code = DeadlineExceeded desc = context deadline exceeded', 'metrics export failed: Post "http://otel-collector:4318/v1/metrics": EOF'],
  node: ['Failed to load remote config: getaddrinfo ENOTFOUND config-server', 'ERROR metrics exporter: 14 UNAVAILABLE: Name resolution failed for target dns:otel-collector:4317'],
  python: ['Exception while exporting metrics: StatusCode.UNAVAILABLE', 'Failed to fetch model weights checksum, keeping the cached copy'],
  dotnet: ['Failed to refresh distributed cache entry: Timeout performing GET (5000ms)', 'Health check "feature-flags" completed with status Unhealthy'],
  cpp: ['Failed to send statsd metrics: Connection refused', 'Jaeger reporter failed to flush spans: Connection refused'],
};

function podName(r: Rng, s: ServiceSpec, hash: string, i: number): string {
  return s.kind === 'app' ? `${s.name}-${hash}-${r.alnum(5)}` : `${s.name}-${i}`;
}

/** The next minor version: what a rollout ships. */
function bump(version: string): string {
  const [major, minor] = version.split('.');
  return `${major}.${Number(minor) + 1}.0`;
}

/** Sync edges (caller service, callee service) that carry at least `min` calls per entry request. */
function syncEdges(t: Topology, visits: Map<string, number>, min: number): [ServiceSpec, string][] {
  const edges: [ServiceSpec, string][] = [];
  for (const s of t.services) {
    for (const o of s.ops) {
      for (const c of o.calls) {
        const calls = (visits.get(`${s.name} ${o.name}`) ?? 0) * c.p;
        if (c.mode === 'sync' && calls >= min && !edges.some(([a, b]) => a.name === s.name && b === c.to)) edges.push([s, c.to]);
      }
    }
  }
  return edges;
}

/** Database statements (database, statement) issued at least `min` times per entry request. */
function statements(t: Topology, visits: Map<string, number>, min: number): [string, string][] {
  const rate = new Map<string, number>();
  for (const s of t.services) {
    for (const o of s.ops) {
      for (const c of o.calls) {
        if (c.mode !== 'db') continue;
        const key = `${c.to}\t${c.op}`;
        rate.set(key, (rate.get(key) ?? 0) + (visits.get(`${s.name} ${o.name}`) ?? 0) * c.p);
      }
    }
  }
  return [...rate.entries()].filter(([, v]) => v >= min).map(([k]) => k.split('\t') as [string, string]);
}

export function planCase(index: number, seed: number): CasePlan {
  const root = new Rng(seed).fork(`case-${index}`);
  const topologyName = TOPOLOGIES[index % TOPOLOGIES.length]!;
  const type: FaultType = FAULT_TYPES[Math.floor(index / TOPOLOGIES.length) % FAULT_TYPES.length]!;
  const topology = buildTopology(topologyName, root.fork('topology'));
  const r = root.fork('plan');

  const nodes = Array.from({ length: r.int(3, 6) }, (_, i) => `worker-${i + 1}`);
  const pods: PodSpec[] = [];
  const versions = new Map<string, string>();
  for (const s of topology.services) {
    const hash = r.alnum(10);
    const version = s.kind === 'app' ? `${r.int(1, 3)}.${r.int(0, 12)}.${r.int(0, 9)}` : s.lang === 'postgres' ? '16.4' : s.lang === 'mongodb' ? '7.0.14' : '7.2.5';
    versions.set(s.name, version);
    // Replicas spread over nodes (the scheduler's default topology spread): one node never holds them all.
    const spread = r.shuffle([...nodes]);
    for (let i = 0; i < s.replicas; i++) pods.push({ name: podName(r, s, hash, i), service: s.name, node: spread[i % spread.length]!, version });
  }
  const podsOf = (service: string): PodSpec[] => pods.filter((p) => p.service === service);
  /** A rolling update of `service`'s pods (all, or the first `count`): each new pod starts, then an old one stops. */
  const rollout = (g: Rng, service: string, atUs: number, count: number): PodSpec[] => {
    const hash = g.alnum(10);
    const version = bump(versions.get(service)!);
    return podsOf(service)
      .slice(0, count)
      .map((old, i) => {
        const start = atUs + i * g.uniform(20, 30) * 1e6;
        pods[pods.indexOf(old)] = { ...old, endUs: start + g.uniform(8, 15) * 1e6 };
        const pod: PodSpec = { name: `${service}-${hash}-${g.alnum(5)}`, service, node: g.pick(nodes), version, startUs: start };
        pods.push(pod);
        return pod;
      });
  };

  const day = Date.UTC(2026, 9, 1) * 1000;
  const t0 = day + index * 3 * 3600e6 + Math.round(r.uniform(0, 3600)) * 1e6;
  const baseline = { startUs: t0, endUs: t0 + 5 * MIN_US };
  const window = { startUs: baseline.endUs, endUs: baseline.endUs + 5 * MIN_US };
  const startUs = window.startUs + Math.round(r.uniform(0, 20)) * 1e6;

  const visits = traffic(topology);
  const busy = (key: string, min: number): boolean => (visits.get(key) ?? 0) >= min;
  const apps = topology.services.filter((s) => s.kind === 'app' && s.lang !== 'nginx' && busy(s.name, 0.1));
  const opsWithTraffic = (s: ServiceSpec, min: number): string[] => s.ops.filter((o) => busy(`${s.name} ${o.name}`, min)).map((o) => o.name);
  const edges = syncEdges(topology, visits, 0.1);
  const appCallees = [...new Set(edges.map(([, callee]) => callee))].filter((c) => apps.some((a) => a.name === c));

  let fault: Fault;
  const common = { startUs, endUs: window.endUs + MIN_US };
  switch (type) {
    case 'dependency_down': {
      const deps = topology.services.filter((s) => s.kind !== 'app' && busy(s.name, 0.1));
      const dep = r.pick(deps);
      fault = { ...common, type, service: dep.name, pod: podsOf(dep.name)[0]!.name, magnitude: 1 };
      break;
    }
    case 'network_delay': {
      const [caller, callee] = r.pick(edges);
      fault = { ...common, type, service: callee, pod: r.pick(podsOf(callee)).name, caller: caller.name, magnitude: r.uniform(150, 600) };
      break;
    }
    case 'bad_deploy': {
      // One replica replaced by the new version (a canary, or a rollout that stalls): only it fails.
      const s = r.pick(apps);
      const op = r.pick(opsWithTraffic(s, 0.05).length > 0 ? opsWithTraffic(s, 0.05) : s.ops.map((o) => o.name));
      const [pod] = rollout(r, s.name, startUs, 1);
      fault = { ...common, type, service: s.name, pod: pod!.name, op, magnitude: r.uniform(0.3, 0.8) };
      break;
    }
    case 'node_failure': {
      const hosting = nodes.filter((n) => pods.some((p) => p.node === n && apps.some((a) => a.name === p.service)));
      const node = r.pick(hosting);
      fault = { ...common, type, service: node, node, magnitude: 1 };
      break;
    }
    case 'slow_query': {
      const [database, statement] = r.pick(statements(topology, visits, 0.05));
      fault = { ...common, type, service: database, pod: podsOf(database)[0]!.name, target: statement, magnitude: r.uniform(150, 1200) };
      break;
    }
    case 'pool_exhaustion': {
      const pooled = apps.filter((s) => s.ops.some((o) => busy(`${s.name} ${o.name}`, 0.05) && o.calls.some((c) => c.mode === 'db' || c.mode === 'cache')));
      const s = r.pick(pooled);
      fault = { ...common, type, service: s.name, pod: r.pick(podsOf(s.name)).name, magnitude: r.uniform(0.25, 0.6), timeoutMs: r.pick([1000, 2000, 3000, 5000]) };
      break;
    }
    case 'queue_lag': {
      const consumers = topology.services.filter((s) => s.ops.some((o) => o.consumer) && busy(s.name, 0.05));
      const s = r.pick(consumers);
      fault = { ...common, type, service: s.name, pod: r.pick(podsOf(s.name)).name, magnitude: r.uniform(0.3, 0.8) };
      break;
    }
    case 'dns_error': {
      // A config change points one service at a name that does not resolve; every pod of it reads the config.
      const [caller, callee] = r.pick(edges.filter(([c]) => c.lang !== 'nginx'));
      fault = { ...common, type, service: caller.name, target: callee, magnitude: 1 };
      break;
    }
    case 'cert_expiry': {
      // Magnitude: seconds until pooled connections have all re-handshaken against the expired certificate.
      const callee = r.pick(appCallees);
      fault = { ...common, type, service: callee, magnitude: r.uniform(20, 60) };
      break;
    }
    case 'retry_storm': {
      // Every caller of the service retries 3 times on a client timeout; one pod turns slow and the retries pile on.
      const callee = r.pick(appCallees);
      const timeoutMs = r.uniform(800, 1500);
      for (const s of topology.services) {
        for (const o of s.ops) {
          o.calls.forEach((c, i) => {
            if (c.to === callee && c.mode === 'sync') o.calls[i] = { ...c, retries: Math.max(c.retries, 3), timeoutMs } satisfies CallSpec;
          });
        }
      }
      fault = { ...common, type, service: callee, pod: r.pick(podsOf(callee)).name, magnitude: r.uniform(500, 1100), timeoutMs };
      break;
    }
    default: {
      const candidates = type === 'wrong_result' ? apps.filter((s) => s.ops.some((o) => o.logs.length > 0 && busy(`${s.name} ${o.name}`, 0.1))) : apps;
      const s = r.pick(candidates);
      if (type === 'wrong_result') s.logs = true; // a code fault with no log line at all would leave no trace
      const ops = opsWithTraffic(s, 0.1).filter((o) => type !== 'wrong_result' || s.ops.find((x) => x.name === o)!.logs.length > 0);
      const op = r.pick(ops.length > 0 ? ops : s.ops.map((o) => o.name));
      const spec = s.ops.find((o) => o.name === op)!;
      const magnitude = type === 'latency' ? r.uniform(150, 900) : type === 'errors' ? r.uniform(0.35, 0.9) : type === 'cpu' ? r.uniform(2.5, 5) : type === 'memory_leak' ? r.uniform(70, 160) : 1;
      const skipCall = type === 'wrong_result' && spec.calls.length > 0 && r.chance(0.5) ? r.int(0, spec.calls.length - 1) : undefined;
      fault = { ...common, type, service: s.name, pod: r.pick(podsOf(s.name)).name, op, magnitude, ...(skipCall === undefined ? {} : { skipCall }) };
    }
  }

  const involved = new Set([fault.service, fault.caller, fault.target]);
  const others = apps.filter((s) => !involved.has(s.name));
  const loggers = others.filter((s) => s.logs);
  const nr = root.fork('noise');
  const chattyService = loggers.length > 0 && nr.chance(0.85) ? nr.pick(loggers) : undefined;
  // A retry storm's callers time out at about a second: an always-slow endpoint would storm before the fault.
  const slowService = others.length > 0 && type !== 'retry_storm' && nr.chance(0.7) ? nr.pick(others) : undefined;
  const skewPod = nr.chance(0.5) ? nr.pick(pods.filter((p) => p.service !== fault.service && topology.services.find((s) => s.name === p.service)!.kind === 'app')) : undefined;
  const blipService = others.length > 0 && nr.chance(0.25) ? nr.pick(others) : undefined;
  const restartPod = nr.chance(0.3) ? nr.pick(pods.filter((p) => p.service !== fault.service && p.startUs === undefined)) : undefined;
  const blipStart = window.startUs + nr.uniform(0, 4 * MIN_US);
  const sampling = nr.chance(0.35) ? Math.round(nr.uniform(1, 10)) / 100 : 1;
  const diurnalPeak = nr.uniform(0.3, 0.6);
  // An unrelated rollout somewhere in the data, in the window as often as not.
  const deployService = others.length > 0 && nr.chance(0.35) ? nr.pick(others) : undefined;
  const deployAt = baseline.startUs + nr.uniform(0.5, 8.5) * MIN_US;
  if (deployService) rollout(nr, deployService.name, deployAt, deployService.replicas);
  // A batch job against a database, anywhere in the data.
  const databases = topology.services.filter((s) => s.kind === 'db' && busy(s.name, 0.05));
  const batchDb = databases.length > 0 && nr.chance(0.35) ? nr.pick(databases) : undefined;
  let batch: Noise['batch'];
  if (batchDb) {
    const service = batchService('report-export', batchDb);
    topology.services.push(service);
    const start = baseline.startUs - MIN_US + nr.uniform(0.5, 8.5) * MIN_US;
    const pod: PodSpec = { name: `report-export-${Math.floor(start / 60e6)}-${nr.alnum(5)}`, service: service.name, node: nr.pick(nodes), version: '1.0.0', startUs: start, endUs: start + nr.uniform(60, 150) * 1e6 };
    pods.push(pod);
    batch = { service: service.name, pod: pod.name, db: batchDb.name, startUs: start, endUs: pod.endUs!, perSecond: nr.uniform(2, 6) };
  }
  // An uninstrumented service (not an entry: those start every trace).
  const entries = new Set(topology.entries.map((e) => e.service));
  const untraced = nr.chance(0.3) ? nr.pick(apps.filter((s) => !entries.has(s.name))) : undefined;
  if (untraced) untraced.traceIds = false;
  const noise: Noise = {
    ...(chattyService
      ? { chatty: { service: chattyService.name, pod: nr.pick(podsOf(chattyService.name)).name, everyMs: nr.uniform(800, 4000), message: nr.pick(CHATTY[chattyService.lang] ?? CHATTY.go!) } }
      : {}),
    ...(slowService ? { slowOp: { service: slowService.name, op: nr.pick(slowService.ops).name, ms: nr.uniform(800, 2500) } } : {}),
    sampling,
    diurnalPeak,
    ...(deployService ? { deploy: { service: deployService.name, atUs: deployAt } } : {}),
    ...(batch ? { batch } : {}),
    ...(untraced ? { untraced: untraced.name } : {}),
    ...(skewPod ? { skew: { pod: skewPod.name, ms: (nr.chance(0.5) ? 1 : -1) * nr.uniform(30, 400) } } : {}),
    ...(blipService ? { blip: { service: blipService.name, pod: nr.pick(podsOf(blipService.name)).name, startUs: blipStart, endUs: blipStart + nr.uniform(10, 30) * 1e6, share: nr.uniform(0.15, 0.35) } } : {}),
    ...(restartPod ? { restart: { pod: restartPod.name, atUs: baseline.startUs + nr.uniform(0.5, 4) * MIN_US } } : {}),
    windowRate: nr.uniform(0.85, 1.2),
  };
  return {
    id: `sim-${String(index).padStart(3, '0')}`,
    seed,
    topology,
    pods,
    fault,
    noise,
    baseline,
    window,
    dataStartUs: baseline.startUs - MIN_US,
    dataEndUs: window.endUs,
  };
}
