// The case files besides the traces: Loki and Prometheus query_range responses, case.json and truth.json.
import { leakFill } from './simulate.js';
import type { Pod, Simulation } from './simulate.js';
import type { CasePlan } from './model.js';
import type { Rng } from './rng.js';

/**
 * Loki `query_range` (resultType streams): one stream per pod, newest line first, as Loki answers by default.
 * Pods with an even index also ship trace and span ids as structured metadata (the OTLP log pipeline does),
 * in Loki's `categorize-labels` encoding; the others carry them only in the text.
 */
export function lokiJson(plan: CasePlan, sim: Simulation): string {
  type Entry = [string, string] | [string, string, { structuredMetadata: { trace_id: string; span_id: string } }];
  const byPod = new Map<Pod, Entry[]>();
  const sorted = [...sim.logs].sort((a, b) => b.timeUs - a.timeUs || (a.line < b.line ? -1 : 1));
  let metadata = false;
  for (const l of sorted) {
    const values = byPod.get(l.pod) ?? [];
    const ns = `${Math.round(l.timeUs)}000`;
    if (l.pod.index % 2 === 0 && l.traceId !== undefined && l.spanId !== undefined) {
      values.push([ns, l.line, { structuredMetadata: { trace_id: l.traceId, span_id: l.spanId } }]);
      metadata = true;
    } else {
      values.push([ns, l.line]);
    }
    byPod.set(l.pod, values);
  }
  const result = [...byPod.entries()]
    .sort(([a], [b]) => a.index - b.index)
    .map(([pod, values]) => ({
      stream: { service_name: pod.service.name, namespace: plan.topology.namespace, pod: pod.name, container: pod.service.name.replace(/^ts-/, ''), node: pod.node },
      values,
    }));
  return JSON.stringify({ status: 'success', data: { resultType: 'streams', ...(metadata ? { encodingFlags: ['categorize-labels'] } : {}), result, stats: {} } });
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** A Prometheus sample value as the API writes it. */
function promValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return String(Math.round(v * 1e6) / 1e6);
}

/**
 * Prometheus `query_range` (resultType matrix) of the per-pod metrics (the names and labels of the Nezha cases:
 * __name__, namespace, service, pod), one sample per step, each covering the step before its timestamp.
 * A container that is not running has no samples; restarts come from kube-state-metrics and never stop.
 */
export function promJson(plan: CasePlan, sim: Simulation, r: Rng): string {
  return JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: promSeries(plan, sim, r) } });
}

/** A series as the Prometheus API writes it: labels with `__name__`, `[seconds, "value"]` samples. */
export interface PromSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/** The per-pod metric series of a case (what `promJson` writes and `--prometheus` loads into a real Prometheus). */
export function promSeries(plan: CasePlan, sim: Simulation, r: Rng): PromSeries[] {
  const result: PromSeries[] = [];
  const stepS = sim.stepUs / 1e6;
  const f = plan.fault;
  for (const pod of sim.pods) {
    const labels = { namespace: plan.topology.namespace, service: pod.service.name, pod: pod.name, node: pod.node };
    const consumer = pod.service.ops.some((o) => o.consumer);
    const series = new Map<string, [number, string][]>();
    const put = (name: string, t: number, v: number): void => {
      const list = series.get(name) ?? [];
      list.push([t, promValue(v)]);
      series.set(name, list);
    };
    const s = pod.service;
    const cpuBase = r.uniform(0.01, 0.05) * s.cpuLimitMilli;
    const memBase = s.memBaseMiB * r.uniform(0.9, 1.1);
    let memDrift = 0;
    pod.stats.forEach((st, i) => {
      const endUs = plan.dataStartUs + (i + 1) * sim.stepUs;
      if (endUs > plan.dataEndUs + sim.stepUs) return;
      const t = Math.round(endUs / 1e3) / 1e3;
      const midUs = endUs - sim.stepUs / 2;
      // kube-state-metrics lists a pod from its creation to its deletion; a lost node's pods stay listed.
      if (midUs < pod.startUs || midUs >= pod.endUs) return;
      put('kube_pod_container_status_restarts_total', t, pod.restarts.filter((x) => x < endUs).length);
      const running = midUs < pod.lostUs && !pod.down.some(([a, b]) => midUs >= a && midUs < b);
      if (!running) return;
      const saturated = f.type === 'cpu' && f.pod === pod.name && midUs >= f.startUs && midUs < f.endUs;
      let cpu = cpuBase * r.uniform(0.8, 1.2) + (1000 * st.busyUs * 0.7) / sim.stepUs;
      if (saturated) cpu = s.cpuLimitMilli * r.uniform(0.93, 1.0);
      cpu = Math.min(cpu, s.cpuLimitMilli);
      memDrift = Math.max(-0.03, Math.min(0.03, memDrift + r.normal() * 0.004));
      const leak = leakFill(plan, pod, midUs);
      const mem = leak > 0 ? memBase + leak * (s.memLimitMiB - memBase) : memBase * (1 + memDrift);
      put('cpu_usage_millicores', t, cpu);
      put('cpu_usage_rate_percent', t, (100 * cpu) / s.cpuLimitMilli);
      put('memory_usage_mib', t, mem);
      put('memory_usage_rate_percent', t, (100 * mem) / s.memLimitMiB);
      put('network_receive_bytes', t, st.bytesIn / stepS + r.uniform(50, 300));
      put('network_transmit_bytes', t, st.bytesOut / stepS + r.uniform(50, 300));
      put('pod_workload_ops', t, st.requests / stepS);
      put('pod_success_rate_percent', t, st.requests === 0 ? NaN : (100 * (st.requests - st.errors)) / st.requests);
      put('pod_server_latency_p90_seconds', t, quantile(st.serverMs, 0.9) / 1000);
      put('pod_server_latency_p99_seconds', t, quantile(st.serverMs, 0.99) / 1000);
      if (s.kind === 'app') {
        put('pod_client_latency_p90_seconds', t, quantile(st.clientMs, 0.9) / 1000);
        put('pod_client_latency_p99_seconds', t, quantile(st.clientMs, 0.99) / 1000);
      }
      if (consumer) {
        // How far behind the newest message this consumer is (kafka-lag-exporter's lag in seconds).
        const behind = f.type === 'queue_lag' && f.pod === pod.name && midUs >= f.startUs ? ((midUs - f.startUs) / 1e6) * f.magnitude : 0;
        put('messaging_consumer_lag_seconds', t, r.uniform(0.005, 0.06) + behind);
      }
    });
    for (const [name, values] of series) result.push({ metric: { __name__: name, ...labels }, values });
  }
  return result;
}

const rfc3339 = (us: number): string => new Date(Math.floor(us / 1000)).toISOString().replace('.000Z', 'Z');

export function caseJson(plan: CasePlan): string {
  return `${JSON.stringify(
    {
      system: plan.topology.name,
      window: { start: rfc3339(plan.window.startUs), end: rfc3339(plan.window.endUs) },
      baseline: { start: rfc3339(plan.baseline.startUs), end: rfc3339(plan.baseline.endUs) },
    },
    null,
    2,
  )}\n`;
}

export function truthJson(plan: CasePlan): string {
  const f = plan.fault;
  const where = { service: f.service, ...(f.pod === undefined ? {} : { pod: f.pod }), ...(f.node === undefined ? {} : { node: f.node }) };
  return `${JSON.stringify({ ...where, fault: f.type, inject_time: rfc3339(f.startUs) }, null, 2)}\n`;
}
