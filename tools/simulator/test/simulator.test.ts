// The simulator's promises: reproducible from the seed, the case layout, every fault family present, faults
// named nowhere in the data, and each fault visible in its own realistic signal.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { poolTimeoutException } from '../src/formats.js';
import { FAULT_TYPES } from '../src/model.js';
import type { CasePlan, FaultType } from '../src/model.js';
import { otlpTraces } from '../src/otel.js';
import { caseJson, lokiJson, promJson, promSeries, truthJson } from '../src/outputs.js';
import { planCase } from '../src/plan.js';
import { addBlocks, startPrometheus } from '../src/prometheus.js';
import { Rng } from '../src/rng.js';
import { simulate } from '../src/simulate.js';
import type { Simulation } from '../src/simulate.js';
import { TOPOLOGIES } from '../src/topology.js';

interface Made {
  plan: CasePlan;
  sim: Simulation;
  traces: string;
  logs: string;
  metrics: string;
}

const SEED = 7;
const made = new Map<number, Made>();
function make(i: number): Made {
  let m = made.get(i);
  if (!m) {
    const plan = planCase(i, SEED);
    const sim = simulate(plan, new Rng(SEED).fork(`sim-${i}`));
    m = {
      plan,
      sim,
      traces: new TextDecoder().decode(otlpTraces(plan, sim.spans)),
      logs: lokiJson(plan, sim),
      metrics: promJson(plan, sim, new Rng(SEED).fork(`metrics-${i}`)),
    };
    made.set(i, m);
  }
  return m;
}

/** The first case index with this fault type (cases cycle topologies, then fault types). */
function caseOf(type: FaultType, topology = 0): number {
  return FAULT_TYPES.indexOf(type) * TOPOLOGIES.length + topology;
}

/** The first of the 128 cases with this fault type whose plan passes `ok` (to test a signal the case must carry). */
function caseWhere(type: FaultType, ok: (p: CasePlan) => boolean): number {
  const i = Array.from({ length: 128 }, (_, k) => k).find((k) => planCase(k, SEED).fault.type === type && ok(planCase(k, SEED)));
  assert.ok(i !== undefined, `no ${type} case fits`);
  return i;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

type Series = { metric: Record<string, string>; values: [number, string][] };
function seriesOf(m: Made, name: string, pod: string): [number, string][] {
  return (JSON.parse(m.metrics) as { data: { result: Series[] } }).data.result.find((r) => r.metric.__name__ === name && r.metric.pod === pod)?.values ?? [];
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}
interface Otlp {
  resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

function spansByPod(traces: string): Map<string, OtlpSpan[]> {
  const out = new Map<string, OtlpSpan[]>();
  for (const rs of (JSON.parse(traces) as Otlp).resourceSpans) {
    const pod = rs.resource.attributes.find((a) => a.key === 'k8s.pod.name')!.value.stringValue!;
    out.set(pod, [...(out.get(pod) ?? []), ...rs.scopeSpans.flatMap((s) => s.spans)]);
  }
  return out;
}


describe('simulator', () => {
  it('makes the same bytes from the same seed, and other bytes from another seed', () => {
    const hash = (m: Made): string => createHash('sha256').update(m.traces).update(m.logs).update(m.metrics).digest('hex');
    const first = hash(make(4));
    const plan = planCase(4, SEED);
    const sim = simulate(plan, new Rng(SEED).fork('sim-4'));
    const again: Made = {
      plan,
      sim,
      traces: new TextDecoder().decode(otlpTraces(plan, sim.spans)),
      logs: lokiJson(plan, sim),
      metrics: promJson(plan, sim, new Rng(SEED).fork('metrics-4')),
    };
    assert.equal(hash(again), first);
    assert.notEqual(JSON.stringify(planCase(4, SEED + 1).fault), JSON.stringify(plan.fault));
  });

  it('covers three systems of 10 to 41 services and all sixteen fault types evenly over 128 cases', () => {
    const plans = Array.from({ length: 128 }, (_, i) => planCase(i, SEED));
    const perFault = new Map<string, number>();
    for (const p of plans) {
      perFault.set(p.fault.type, (perFault.get(p.fault.type) ?? 0) + 1);
      // With a batch job the system has one service more than it was drawn with.
      assert.ok(p.topology.services.length >= 10 && p.topology.services.length <= 41, `${p.id}: ${p.topology.services.length} services`);
      if (p.fault.type === 'node_failure') assert.ok(p.pods.some((x) => x.node === p.fault.node && x.node === p.fault.service), `${p.id}: the truth node hosts pods`);
      else if (p.fault.pod === undefined) assert.ok(p.pods.some((x) => x.service === p.fault.service), `${p.id}: the truth service has pods`);
      else assert.ok(p.pods.some((x) => x.name === p.fault.pod && x.service === p.fault.service), `${p.id}: the truth pod belongs to the truth service`);
    }
    assert.deepEqual(new Set(plans.map((p) => p.topology.name)), new Set(TOPOLOGIES));
    assert.equal(perFault.size, FAULT_TYPES.length);
    assert.ok(FAULT_TYPES.length >= 12);
    for (const [type, n] of perFault) assert.ok(n >= 6, `${type}: ${n} cases`);
    // Noise is there in a good share of cases.
    const sampled = plans.filter((p) => p.noise.sampling < 1);
    assert.ok(sampled.length > 20);
    assert.ok(sampled.every((p) => p.noise.sampling >= 0.01 && p.noise.sampling <= 0.1));
    assert.ok(new Set(sampled.map((p) => p.noise.sampling)).size >= 5, 'sampling rates drawn from 1% to 10%');
    assert.ok(plans.filter((p) => p.noise.deploy).length > 20);
    assert.ok(plans.filter((p) => p.noise.batch).length > 20);
    assert.ok(plans.filter((p) => p.noise.untraced).length > 20);
    assert.ok(plans.filter((p) => p.topology.services.some((s) => s.kind === 'app' && !s.logs)).length > 60);
    assert.ok(plans.filter((p) => p.noise.chatty).length > 80);
    assert.ok(plans.filter((p) => p.noise.skew).length > 40);
    assert.ok(plans.filter((p) => p.noise.slowOp).length > 60);
  });

  it('writes the case layout: windows in case.json, the answer only in truth.json', () => {
    const { plan } = make(0);
    const c = JSON.parse(caseJson(plan)) as { window: { start: string; end: string }; baseline: { start: string; end: string } };
    assert.ok(Date.parse(c.baseline.end) <= Date.parse(c.window.start));
    assert.ok(Date.parse(c.window.start) < Date.parse(c.window.end));
    assert.doesNotMatch(caseJson(plan), new RegExp(plan.fault.service));
    const t = JSON.parse(truthJson(plan)) as { service: string; pod: string; fault: string };
    assert.deepEqual([t.service, t.pod, t.fault], [plan.fault.service, plan.fault.pod, plan.fault.type]);
  });

  it('names the fault nowhere in the data', () => {
    for (const type of FAULT_TYPES) {
      const m = make(caseOf(type));
      for (const [file, text] of [
        ['traces', m.traces],
        ['logs', m.logs],
        ['metrics', m.metrics],
      ] as const) {
        assert.doesNotMatch(text, /fault|inject|chaos/i, `${type} ${file}`);
        if (type.includes('_')) assert.ok(!text.includes(type), `${type} named in ${file}`);
      }
    }
  });

  it('writes OTLP JSON made by the OpenTelemetry SDK, whose trace ids the logs carry', () => {
    const m = make(0);
    const otlp = JSON.parse(m.traces) as Otlp;
    const attrs = otlp.resourceSpans[0]!.resource.attributes.map((a) => a.key);
    assert.ok(attrs.includes('service.name') && attrs.includes('telemetry.sdk.name') && attrs.includes('k8s.pod.name'));
    const traceIds = new Set(otlp.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.traceId))));
    const inLogs = [...m.logs.matchAll(/\b([0-9a-f]{32})\b/g)].map((x) => x[1]!);
    assert.ok(inLogs.length > 100);
    const joined = inLogs.filter((id) => traceIds.has(id)).length;
    const p = m.plan.noise.sampling;
    const expected = p < 1 ? [p * 0.3, Math.min(1, p * 3)] : [0.9, 1];
    assert.ok(joined / inLogs.length >= expected[0]! && joined / inLogs.length <= expected[1]!, `${joined} of ${inLogs.length} log trace ids are in the traces`);
  });

  it('keeps the sampled share of traces where the case samples', () => {
    const i = Array.from({ length: 128 }, (_, k) => k).find((k) => planCase(k, SEED).noise.sampling >= 0.05 && planCase(k, SEED).noise.sampling < 1)!;
    const m = make(i);
    const p = m.plan.noise.sampling;
    const simulated = new Set(m.sim.spans.filter((s) => !s.hidden).map((s) => s.traceId)).size;
    const kept = new Set([...spansByPod(m.traces).values()].flat().map((s) => s.traceId)).size;
    assert.ok(kept / simulated > p * 0.5 && kept / simulated < p * 1.6, `kept ${kept} of ${simulated} traces at ${p}`);
  });

  it('leaves an uninstrumented service out of the traces, its callees starting new traces', () => {
    const i = Array.from({ length: 128 }, (_, k) => k).find((k) => planCase(k, SEED).noise.untraced !== undefined && planCase(k, SEED).noise.sampling === 1)!;
    const m = make(i);
    const name = m.plan.noise.untraced!;
    const exported = spansByPod(m.traces);
    const pods = m.sim.pods.filter((p) => p.service.name === name);
    assert.ok(m.sim.spans.some((s) => s.pod.service.name === name), 'it still serves requests');
    assert.ok(pods.every((p) => !exported.has(p.name)), 'no span of it is exported');
    const downstream = m.sim.spans.filter((s) => s.parent?.pod.service.name === name && !s.hidden);
    const exportedIds = new Map([...exported.values()].flat().map((s) => [s.spanId, s]));
    for (const s of downstream.slice(0, 50)) assert.equal(exportedIds.get(s.spanId)?.parentSpanId ?? '', '', 'a callee of it starts a trace');
  });

  it('rolls out an unrelated deploy as new pods of a new version that replace the old ones', () => {
    const m = make(Array.from({ length: 128 }, (_, k) => k).find((k) => planCase(k, SEED).noise.deploy !== undefined)!);
    const d = m.plan.noise.deploy!;
    const pods = m.sim.pods.filter((p) => p.service.name === d.service);
    const fresh = pods.filter((p) => Number.isFinite(p.startUs));
    const old = pods.filter((p) => !Number.isFinite(p.startUs));
    assert.equal(fresh.length, old.length);
    assert.ok(old.every((p) => Number.isFinite(p.endUs) && p.endUs > d.atUs));
    assert.ok(fresh.every((p) => p.startUs >= d.atUs && p.version !== old[0]!.version));
    // Metrics begin with the new pods and end with the old ones.
    const t = (v: [number, string][]): number[] => v.map(([x]) => x * 1e6);
    for (const p of fresh) assert.ok(Math.min(...t(seriesOf(m, 'kube_pod_container_status_restarts_total', p.name))) >= p.startUs);
    for (const p of old) assert.ok(Math.max(...t(seriesOf(m, 'kube_pod_container_status_restarts_total', p.name))) <= p.endUs + 15e6);
  });

  it('runs a batch job pod against a database for a while', () => {
    const m = make(Array.from({ length: 128 }, (_, k) => k).find((k) => planCase(k, SEED).noise.batch !== undefined)!);
    const b = m.plan.noise.batch!;
    const calls = m.sim.spans.filter((s) => s.pod.name === b.pod && s.kind === 'client' && s.attributes['server.address'] === b.db);
    assert.ok(calls.length > b.perSecond * ((b.endUs - b.startUs) / 1e6) * 0.5 * 3, `${calls.length} queries`);
    assert.ok(calls.every((s) => s.startUs >= b.startUs && s.startUs < b.endUs + 5e6));
  });

  it('shows a network delay only as the caller-side gap on its edge', () => {
    const m = make(caseWhere('network_delay', (p) => p.noise.untraced !== p.fault.service && p.noise.untraced !== p.fault.caller));
    const f = m.plan.fault;
    // From the simulated spans (every trace, sampled or not): the same times the OTLP file holds.
    const server = new Map(m.sim.spans.filter((s) => s.pod.name === f.pod && s.kind === 'server').map((s) => [s.parent, s]));
    const gaps = { before: [] as number[], after: [] as number[], serverBefore: [] as number[], serverAfter: [] as number[] };
    for (const c of m.sim.spans) {
      const s = server.get(c);
      if (c.kind !== 'client' || c.pod.service.name !== f.caller || !s) continue;
      const after = c.startUs >= f.startUs;
      (after ? gaps.after : gaps.before).push((c.endUs - c.startUs - (s.endUs - s.startUs)) / 1000);
      (after ? gaps.serverAfter : gaps.serverBefore).push((s.endUs - s.startUs) / 1000);
    }
    assert.ok(gaps.before.length > 20 && gaps.after.length > 20, `calls on the edge: ${gaps.before.length} / ${gaps.after.length}`);
    assert.ok(median(gaps.before) < 5, `gap before ${median(gaps.before)} ms`);
    assert.ok(median(gaps.after) > f.magnitude * 0.6, `gap after ${median(gaps.after)} ms, delay ${f.magnitude}`);
    assert.ok(median(gaps.serverAfter) < median(gaps.serverBefore) * 2 + 5, 'the callee itself is not slower');
    // And the OTLP file has the same spans where the trace was kept.
    const exported = new Set([...spansByPod(m.traces).values()].flat().map((s) => s.spanId));
    assert.ok(m.sim.spans.filter((s) => s.pod.name === f.pod).some((s) => exported.has(s.spanId)));
  });

  it('shows resource faults in the pod metrics: CPU at its limit, memory to the limit and restarts', () => {
    const cpu = make(caseOf('cpu'));
    const during = seriesOf(cpu, 'cpu_usage_rate_percent', cpu.plan.fault.pod!).filter(([t]) => t * 1e6 > cpu.plan.fault.startUs + 15e6);
    assert.ok(during.length > 5 && during.every(([, v]) => Number(v) > 90));
    const leak = make(caseOf('memory_leak'));
    const restarts = seriesOf(leak, 'kube_pod_container_status_restarts_total', leak.plan.fault.pod!);
    assert.equal(restarts[0]![1], '0');
    assert.ok(Number(restarts.at(-1)![1]) >= 1, 'OOM kills restart the container');
    const mem = seriesOf(leak, 'memory_usage_rate_percent', leak.plan.fault.pod!).map(([, v]) => Number(v));
    assert.ok(Math.max(...mem) > 90);
  });

  it('shows a wrong result as a usual log line of the faulty pod that stops, with no error', () => {
    const m = make(caseOf('wrong_result'));
    const f = m.plan.fault;
    const op = m.plan.topology.services.find((s) => s.name === f.service)!.ops.find((o) => o.name === f.op)!;
    const template = new RegExp(op.logs.at(-1)!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%\w+/g, '.+?'));
    const lines = m.sim.logs.filter((l) => l.pod.name === f.pod && template.test(l.line));
    assert.ok(lines.some((l) => l.timeUs < f.startUs - 1e6), 'the line is usual before');
    assert.ok(!lines.some((l) => l.timeUs > f.startUs + 1e6), 'and gone after');
    const errorsAfter = m.sim.spans.filter((s) => s.pod.name === f.pod && s.startUs > f.startUs && s.error !== null).length;
    const all = m.sim.spans.filter((s) => s.pod.name === f.pod && s.startUs > f.startUs).length;
    assert.ok(errorsAfter / all < 0.02, `errors ${errorsAfter}/${all}`);
  });

  it('shows a bad deploy as a new pod of a new version whose operation fails, the old pods fine', () => {
    const m = make(caseWhere('bad_deploy', (p) => p.topology.services.find((s) => s.name === p.fault.service)!.logs));
    const f = m.plan.fault;
    const pod = m.sim.pods.find((p) => p.name === f.pod)!;
    assert.equal(pod.startUs, f.startUs, 'the pod is created at the injection');
    const others = m.sim.pods.filter((p) => p.service.name === f.service && p !== pod);
    assert.ok(others.every((p) => p.version !== pod.version));
    const share = (pods: string[]): number => {
      const spans = m.sim.spans.filter((s) => pods.includes(s.pod.name) && s.name === f.op && s.kind !== 'client' && s.startUs > f.startUs);
      return spans.filter((s) => s.error !== null).length / Math.max(1, spans.length);
    };
    assert.ok(share([pod.name]) > f.magnitude * 0.6, `new pod errors ${share([pod.name])}`);
    assert.ok(share(others.map((p) => p.name)) < 0.05, 'the old version is fine');
    assert.ok(m.sim.logs.some((l) => l.pod === pod && l.line.includes(pod.version)), 'the new pod logs its version at startup');
    assert.ok(Math.min(...seriesOf(m, 'cpu_usage_millicores', pod.name).map(([t]) => t * 1e6)) >= f.startUs, 'its metrics begin with it');
  });

  it('shows a node failure as every pod of the node gone, calls to them timing out, the node to blame', () => {
    const m = make(caseOf('node_failure'));
    const f = m.plan.fault;
    const lost = m.sim.pods.filter((p) => p.node === f.node);
    assert.ok(lost.length > 0);
    const truth = JSON.parse(truthJson(m.plan)) as Record<string, string>;
    assert.deepEqual(truth, { service: f.node, node: f.node, fault: 'node_failure', inject_time: truth.inject_time });
    for (const p of lost) {
      const cpu = seriesOf(m, 'cpu_usage_millicores', p.name).map(([t]) => t * 1e6);
      assert.ok(cpu.some((t) => t < f.startUs), `${p.name} had samples`);
      assert.ok(!cpu.some((t) => t > f.startUs + 15e6), `${p.name} has none after`);
      assert.ok(!m.sim.spans.some((s) => s.pod === p && s.startUs > f.startUs), `${p.name} serves nothing after`);
    }
    const timeouts = m.sim.spans.filter((s) => s.kind === 'client' && s.attributes['error.type'] === 'timeout');
    assert.ok(timeouts.length > 0 && timeouts.every((s) => s.startUs >= f.startUs && s.endUs - s.startUs >= 1e6), 'callers wait for a connection that never comes');
  });

  it('shows a slow query as one statement of one database slow, the others not', () => {
    const m = make(caseOf('slow_query'));
    const f = m.plan.fault;
    const db = (s: Simulation['spans'][number]): boolean => s.kind === 'client' && s.attributes['server.address'] === f.service;
    const ms = (xs: Simulation['spans']): number => median(xs.map((s) => (s.endUs - s.startUs) / 1000));
    const it = m.sim.spans.filter((s) => db(s) && s.name === f.target);
    const before = it.filter((s) => s.startUs < f.startUs);
    const after = it.filter((s) => s.startUs > f.startUs);
    assert.ok(before.length > 10 && after.length > 10);
    assert.ok(ms(before) < 20 && ms(after) > f.magnitude * 0.5, `${ms(before)} -> ${ms(after)} ms`);
    const rest = m.sim.spans.filter((s) => db(s) && s.name !== f.target && s.startUs > f.startUs);
    if (rest.length > 0) assert.ok(ms(rest) < 20, 'other statements stay fast');
    assert.ok(m.sim.logs.some((l) => l.pod.name === f.pod && l.timeUs > f.startUs && /[Ss]low query|duration: \d{3,}/.test(l.line)), 'the database logs the slow statement');
  });

  it('shows pool exhaustion as waits and pool timeouts in one pod, its database fine', () => {
    const m = make(caseOf('pool_exhaustion', 1));
    const f = m.plan.fault;
    const pooled = m.sim.spans.filter((s) => s.pod.name === f.pod && s.kind !== 'client' && s.startUs > f.startUs && m.plan.topology.services.find((x) => x.name === f.service)!.ops.find((o) => o.name === s.name)!.calls.some((c) => c.mode === 'db' || c.mode === 'cache'));
    const timedOut = pooled.filter((s) => s.exception?.message === poolTimeoutException(s.pod.service.lang, f.timeoutMs!).message);
    assert.ok(pooled.length > 10 && timedOut.length / pooled.length > f.magnitude * 0.6, `${timedOut.length} of ${pooled.length} time out`);
    assert.ok(timedOut.every((s) => s.endUs - s.startUs >= f.timeoutMs! * 1000));
    const dbErrors = m.sim.spans.filter((s) => s.kind === 'client' && s.pod.name === f.pod && s.error !== null && s.attributes['db.system.name'] !== undefined);
    assert.equal(dbErrors.length, 0, 'the database answers every query it gets');
  });

  it('shows queue consumer lag as a growing wait before one consumer, its lag metric rising, producers fine', () => {
    const m = make(caseOf('queue_lag'));
    const f = m.plan.fault;
    const consumed = m.sim.spans.filter((s) => s.pod.name === f.pod && s.kind === 'consumer');
    const wait = (s: Simulation['spans'][number]): number => (s.startUs - s.parent!.endUs) / 1e6;
    const early = consumed.filter((s) => s.parent!.startUs < f.startUs).map(wait);
    const late = consumed.filter((s) => s.parent!.startUs > f.startUs + 120e6).map(wait);
    assert.ok(early.length > 3 && late.length > 3, `${early.length} / ${late.length} messages`);
    assert.ok(median(early) < 1 && median(late) > 120 * f.magnitude * 0.8, `wait ${median(early)} s -> ${median(late)} s`);
    const producers = m.sim.spans.filter((s) => s.kind === 'producer' && s.startUs > f.startUs);
    assert.ok(producers.every((s) => s.endUs - s.startUs < 5000), 'publishing stays fast');
    const lag = seriesOf(m, 'messaging_consumer_lag_seconds', f.pod!).map(([t, v]) => [t * 1e6, Number(v)] as const);
    assert.ok(Math.max(...lag.filter(([t]) => t < f.startUs).map(([, v]) => v)) < 1);
    assert.ok(lag.at(-1)![1] > 100 * f.magnitude);
  });

  it('shows a DNS config error as one caller failing at once on one dependency, with resolver messages', () => {
    const m = make(caseWhere('dns_error', (p) => p.topology.services.find((s) => s.name === p.fault.service)!.logs));
    const f = m.plan.fault;
    assert.equal((JSON.parse(truthJson(m.plan)) as Record<string, string>).pod, undefined, 'every pod of the service reads the config');
    const calls = m.sim.spans.filter((s) => s.kind === 'client' && s.pod.service.name === f.service && s.attributes['server.address'] === f.target);
    const after = calls.filter((s) => s.startUs > f.startUs);
    assert.ok(calls.filter((s) => s.startUs < f.startUs).every((s) => s.error === null || !s.error.includes('staging')));
    assert.ok(after.length > 5 && after.every((s) => s.error !== null && s.endUs - s.startUs < 20_000), 'every call fails fast');
    const served = new Set(m.sim.spans.filter((s) => s.kind === 'server' && s.pod.service.name === f.target).map((s) => s.parent));
    assert.ok(!after.some((s) => served.has(s)), 'nothing reaches the dependency');
    assert.ok(m.sim.logs.some((l) => l.pod.service.name === f.service && l.timeUs > f.startUs && /not known|ENOTFOUND|no such host|not found/.test(l.line)));
  });

  it('shows an expired certificate as handshake failures on every call to one service from one moment', () => {
    const m = make(caseOf('cert_expiry'));
    const f = m.plan.fault;
    const calls = m.sim.spans.filter((s) => s.kind === 'client' && s.attributes['server.address'] === f.service);
    const failing = (xs: typeof calls): number => xs.filter((s) => s.error !== null).length / Math.max(1, xs.length);
    const before = calls.filter((s) => s.startUs < f.startUs);
    const after = calls.filter((s) => s.startUs > f.startUs + f.magnitude * 1e6);
    assert.ok(before.length > 10 && after.length > 10);
    assert.ok(failing(before) < 0.05 && failing(after) === 1, `${failing(before)} -> ${failing(after)}`);
    assert.ok(after.every((s) => /certif|PKIX|x509|SSL/.test(s.error!)));
    const served = m.sim.spans.filter((s) => s.kind === 'server' && s.pod.service.name === f.service && s.startUs > f.startUs + f.magnitude * 1e6);
    assert.equal(served.length, 0, 'no request gets through');
  });

  it('shows a retry storm as one slow pod whose callers time out and retry, multiplying its load', () => {
    const m = make(caseOf('retry_storm'));
    const f = m.plan.fault;
    const served = m.sim.spans.filter((s) => s.pod.name === f.pod && s.kind === 'server');
    const rate = (a: number, b: number): number => served.filter((s) => s.startUs >= a && s.startUs < b).length / ((b - a) / 1e6);
    const base = rate(m.plan.baseline.startUs, m.plan.baseline.endUs);
    const storm = rate(m.plan.window.endUs - 180e6, m.plan.window.endUs);
    assert.ok(storm > base * 1.5, `${base.toFixed(2)} -> ${storm.toFixed(2)} requests/s`);
    const timeouts = m.sim.spans.filter((s) => s.kind === 'client' && s.attributes['server.address'] === f.service && s.attributes['error.type'] === 'timeout');
    assert.ok(timeouts.length > 10 && timeouts.every((s) => s.startUs >= f.startUs));
    assert.ok(m.sim.logs.some((l) => l.line.includes(`retrying call to ${f.service}`) && l.timeUs > f.startUs));
  });

  it('serves the same metrics through a real Prometheus on 127.0.0.1 (promtool blocks, query_range)', async () => {
    const m = make(caseOf('crash_loop'));
    const series = promSeries(m.plan, m.sim, new Rng(SEED).fork('metrics-x'));
    const scratch = await mkdtemp(join(tmpdir(), 'rootspan-sim-'));
    try {
      await addBlocks(series, join(scratch, 'tsdb'), scratch);
      const server = await startPrometheus(join(scratch, 'tsdb'), scratch, 14);
      let body: string;
      try {
        body = await server.queryRange(`{namespace="${m.plan.topology.namespace}"}`, m.plan.dataStartUs / 1e6 + 15, m.plan.dataEndUs / 1e6 + 15, 15);
      } finally {
        await server.stop();
      }
      const served = (JSON.parse(body) as { status: string; data: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] } });
      assert.equal(served.status, 'success');
      assert.equal(served.data.resultType, 'matrix');
      const key = (metric: Record<string, string>): string => JSON.stringify(Object.entries(metric).sort());
      const byKey = new Map(served.data.result.map((r) => [key(r.metric), r.values]));
      assert.equal(byKey.size, series.length);
      for (const s of series) assert.deepEqual(byKey.get(key(s.metric)), s.values, key(s.metric));
      // The crash-looping pod's gaps survive: fewer CPU samples than restarts-counter samples.
      const pod = m.plan.fault.pod!;
      const node = m.plan.pods.find((p) => p.name === pod)!.node;
      const cpu = byKey.get(key({ __name__: 'cpu_usage_millicores', namespace: m.plan.topology.namespace, service: m.plan.fault.service, pod, node }))!;
      const restarts = byKey.get(key({ __name__: 'kube_pod_container_status_restarts_total', namespace: m.plan.topology.namespace, service: m.plan.fault.service, pod, node }))!;
      assert.ok(cpu.length < restarts.length);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
