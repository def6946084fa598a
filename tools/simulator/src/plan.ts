// Draws one case from its index and the run's seed: the system, the fault (type, place, size, time) and the noise.
// Cases cycle through systems and fault types so every (system, fault) pair appears about equally often.
import { FAULT_TYPES } from './model.js';
import type { CasePlan, Fault, FaultType, Noise, PodSpec } from './model.js';
import { Rng } from './rng.js';
import { buildTopology, TOPOLOGIES } from './topology.js';
import type { ServiceSpec, Topology } from './topology.js';

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

export function planCase(index: number, seed: number): CasePlan {
  const root = new Rng(seed).fork(`case-${index}`);
  const topologyName = TOPOLOGIES[index % TOPOLOGIES.length]!;
  const type: FaultType = FAULT_TYPES[Math.floor(index / TOPOLOGIES.length) % FAULT_TYPES.length]!;
  const topology = buildTopology(topologyName, root.fork('topology'));
  const r = root.fork('plan');

  const nodes = Array.from({ length: r.int(3, 6) }, (_, i) => `worker-${i + 1}`);
  const pods: PodSpec[] = [];
  for (const s of topology.services) {
    const hash = r.alnum(10).replace(/^./, (c) => c);
    for (let i = 0; i < s.replicas; i++) pods.push({ name: podName(r, s, hash, i), service: s.name, node: r.pick(nodes) });
  }
  const podsOf = (service: string): PodSpec[] => pods.filter((p) => p.service === service);

  const day = Date.UTC(2026, 9, 1) * 1000;
  const t0 = day + index * 3 * 3600e6 + Math.round(r.uniform(0, 3600)) * 1e6;
  const baseline = { startUs: t0, endUs: t0 + 5 * MIN_US };
  const window = { startUs: baseline.endUs, endUs: baseline.endUs + 5 * MIN_US };
  const startUs = window.startUs + Math.round(r.uniform(0, 20)) * 1e6;

  const visits = traffic(topology);
  const busy = (key: string, min: number): boolean => (visits.get(key) ?? 0) >= min;
  const apps = topology.services.filter((s) => s.kind === 'app' && s.lang !== 'nginx' && busy(s.name, 0.1));
  const opsWithTraffic = (s: ServiceSpec, min: number): string[] => s.ops.filter((o) => busy(`${s.name} ${o.name}`, min)).map((o) => o.name);

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
      const edges: [ServiceSpec, string][] = [];
      for (const s of topology.services) {
        for (const o of s.ops) {
          for (const c of o.calls) {
            const calls = (visits.get(`${s.name} ${o.name}`) ?? 0) * c.p;
            if (c.mode === 'sync' && calls >= 0.1 && !edges.some(([a, b]) => a.name === s.name && b === c.to)) edges.push([s, c.to]);
          }
        }
      }
      const [caller, callee] = r.pick(edges);
      fault = { ...common, type, service: callee, pod: r.pick(podsOf(callee)).name, caller: caller.name, magnitude: r.uniform(150, 600) };
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

  const others = apps.filter((s) => s.name !== fault.service && s.name !== fault.caller);
  const loggers = others.filter((s) => s.logs);
  const nr = root.fork('noise');
  const chattyService = loggers.length > 0 && nr.chance(0.85) ? nr.pick(loggers) : undefined;
  const slowService = others.length > 0 && nr.chance(0.7) ? nr.pick(others) : undefined;
  const skewPod = nr.chance(0.5) ? nr.pick(pods.filter((p) => p.service !== fault.service && topology.services.find((s) => s.name === p.service)!.kind === 'app')) : undefined;
  const blipService = others.length > 0 && nr.chance(0.25) ? nr.pick(others) : undefined;
  const restartPod = nr.chance(0.3) ? nr.pick(pods.filter((p) => p.service !== fault.service)) : undefined;
  const blipStart = window.startUs + nr.uniform(0, 4 * MIN_US);
  const noise: Noise = {
    ...(chattyService
      ? { chatty: { service: chattyService.name, pod: nr.pick(podsOf(chattyService.name)).name, everyMs: nr.uniform(800, 4000), message: nr.pick(CHATTY[chattyService.lang] ?? CHATTY.go!) } }
      : {}),
    ...(slowService ? { slowOp: { service: slowService.name, op: nr.pick(slowService.ops).name, ms: nr.uniform(800, 2500) } } : {}),
    sampling: nr.chance(0.35) ? 0.1 : 1,
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
