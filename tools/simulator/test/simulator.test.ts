// The simulator's promises: reproducible from the seed, the case layout, every fault family present, faults
// named nowhere in the data, and each fault visible in its own realistic signal.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
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

  it('covers three systems of 10 to 40 services and all eight fault types evenly over 128 cases', () => {
    const plans = Array.from({ length: 128 }, (_, i) => planCase(i, SEED));
    const perFault = new Map<string, number>();
    for (const p of plans) {
      perFault.set(p.fault.type, (perFault.get(p.fault.type) ?? 0) + 1);
      assert.ok(p.topology.services.length >= 10 && p.topology.services.length <= 40, `${p.id}: ${p.topology.services.length} services`);
      assert.ok(p.pods.some((x) => x.name === p.fault.pod && x.service === p.fault.service), `${p.id}: the truth pod belongs to the truth service`);
    }
    assert.deepEqual(new Set(plans.map((p) => p.topology.name)), new Set(TOPOLOGIES));
    assert.equal(perFault.size, 8);
    for (const [type, n] of perFault) assert.ok(n >= 15, `${type}: ${n} cases`);
    // Noise is there in a good share of cases.
    assert.ok(plans.filter((p) => p.noise.sampling < 1).length > 20);
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
    const expected = m.plan.noise.sampling < 1 ? [0.03, 0.3] : [0.9, 1];
    assert.ok(joined / inLogs.length >= expected[0]! && joined / inLogs.length <= expected[1]!, `${joined} of ${inLogs.length} log trace ids are in the traces`);
  });

  it('keeps about 10% of traces where the case samples', () => {
    const i = Array.from({ length: 24 }, (_, k) => k).find((k) => planCase(k, SEED).noise.sampling < 1)!;
    const m = make(i);
    const simulated = new Set(m.sim.spans.map((s) => s.traceId)).size;
    const kept = new Set([...spansByPod(m.traces).values()].flat().map((s) => s.traceId)).size;
    assert.ok(kept / simulated > 0.05 && kept / simulated < 0.16, `kept ${kept} of ${simulated} traces`);
  });

  it('shows a network delay only as the caller-side gap on its edge', () => {
    const m = make(caseOf('network_delay'));
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
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    assert.ok(gaps.before.length > 20 && gaps.after.length > 20, `calls on the edge: ${gaps.before.length} / ${gaps.after.length}`);
    assert.ok(median(gaps.before) < 5, `gap before ${median(gaps.before)} ms`);
    assert.ok(median(gaps.after) > f.magnitude * 0.6, `gap after ${median(gaps.after)} ms, delay ${f.magnitude}`);
    assert.ok(median(gaps.serverAfter) < median(gaps.serverBefore) * 2 + 5, 'the callee itself is not slower');
    // And the OTLP file has the same spans where the trace was kept.
    const exported = new Set([...spansByPod(m.traces).values()].flat().map((s) => s.spanId));
    assert.ok(m.sim.spans.filter((s) => s.pod.name === f.pod).some((s) => exported.has(s.spanId)));
  });

  it('shows resource faults in the pod metrics: CPU at its limit, memory to the limit and restarts', () => {
    const series = (m: Made, name: string, pod: string): [number, string][] =>
      (JSON.parse(m.metrics) as { data: { result: { metric: Record<string, string>; values: [number, string][] }[] } }).data.result.find(
        (r) => r.metric.__name__ === name && r.metric.pod === pod,
      )!.values;
    const cpu = make(caseOf('cpu'));
    const during = series(cpu, 'cpu_usage_rate_percent', cpu.plan.fault.pod).filter(([t]) => t * 1e6 > cpu.plan.fault.startUs + 15e6);
    assert.ok(during.length > 5 && during.every(([, v]) => Number(v) > 90));
    const leak = make(caseOf('memory_leak'));
    const restarts = series(leak, 'kube_pod_container_status_restarts_total', leak.plan.fault.pod);
    assert.equal(restarts[0]![1], '0');
    assert.ok(Number(restarts.at(-1)![1]) >= 1, 'OOM kills restart the container');
    const mem = series(leak, 'memory_usage_rate_percent', leak.plan.fault.pod).map(([, v]) => Number(v));
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
      const pod = m.plan.fault.pod;
      const cpu = byKey.get(key({ __name__: 'cpu_usage_millicores', namespace: m.plan.topology.namespace, service: m.plan.fault.service, pod }))!;
      const restarts = byKey.get(key({ __name__: 'kube_pod_container_status_restarts_total', namespace: m.plan.topology.namespace, service: m.plan.fault.service, pod }))!;
      assert.ok(cpu.length < restarts.length);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
