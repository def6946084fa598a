// A deterministic incident-sized workload as the data sources deliver it, at a fraction of issue 12's 1x size
// (200,000 spans in 20,000 traces, 1,000,000 log lines of which 60% carry a trace id, 1,000 series of 120
// points): an OTLP JSON traces file, a Loki query_range response and a Prometheus query_range response. The
// `payment` service fails in the last quarter of the range.
import fs from 'node:fs';
import path from 'node:path';

const SERVICES = ['frontend', 'gateway', 'cart', 'checkout', 'payment', 'inventory', 'shipping', 'users', 'search', 'ads'];
const START_MS = Date.UTC(2026, 0, 1);
const RANGE_MS = 20 * 60_000;
const FAULT_FROM_MS = START_MS + RANGE_MS * 0.75;

/** A small linear congruential generator: the same files on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const ns = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;

export interface Workload {
  files: string[];
  spans: number;
  lines: number;
  series: number;
}

/** Writes the three files into `dir` at `scale` of the 1x size (0.1: 20,000 spans, 100,000 lines, 100 series). */
export function writeWorkload(dir: string, scale: number): Workload {
  const random = rng(12);
  const traces = Math.round(20_000 * scale);
  const spansPerTrace = 10;
  const byService = new Map<string, object[]>(SERVICES.map((s) => [s, []]));
  const traceIds: string[] = [];
  for (let t = 0; t < traces; t++) {
    const traceId = hex(t + 1, 32);
    traceIds.push(traceId);
    const at = START_MS + (t / traces) * RANGE_MS;
    const failing = at >= FAULT_FROM_MS && random() < 0.5;
    for (let i = 0; i < spansPerTrace; i++) {
      const service = SERVICES[i % SERVICES.length]!;
      const start = at + i * 2;
      const slow = failing && service === 'payment' ? 800 : 0;
      byService.get(service)!.push({
        traceId,
        spanId: hex(t * spansPerTrace + i + 1, 16),
        ...(i > 0 ? { parentSpanId: hex(t * spansPerTrace + i, 16) } : {}),
        name: `${service} ${i % 2 ? 'GET' : 'POST'} /api/${service}`,
        kind: i === 0 ? 2 : 3,
        startTimeUnixNano: ns(start),
        endTimeUnixNano: ns(start + 5 + random() * 20 + slow),
        status: { code: failing && i >= 4 ? 2 : 1 },
      });
    }
  }
  const otlp = {
    resourceSpans: SERVICES.map((service) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{ scope: { name: 'workload' }, spans: byService.get(service) }],
    })),
  };

  const lines = Math.round(1_000_000 * scale);
  const streams = new Map<string, Array<[string, string]>>();
  for (let l = 0; l < lines; l++) {
    const at = START_MS + (l / lines) * RANGE_MS;
    const service = SERVICES[l % SERVICES.length]!;
    const failing = service === 'payment' && at >= FAULT_FROM_MS && random() < 0.3;
    const level = failing ? 'error' : 'info';
    const trace = random() < 0.6 ? ` trace_id=${traceIds[Math.floor(random() * traceIds.length)]}` : '';
    const text = failing
      ? `payment gateway timeout after ${Math.round(500 + random() * 500)} ms order=${Math.floor(random() * 1e6)}`
      : `handled request path=/api/${service}/${Math.floor(random() * 100)} status=200 in ${Math.round(random() * 50)} ms`;
    const key = `${service}|${level}`;
    if (!streams.has(key)) streams.set(key, []);
    streams.get(key)!.push([ns(at), `level=${level}${trace} msg="${text}"`]);
  }
  const loki = {
    status: 'success',
    data: {
      resultType: 'streams',
      result: [...streams].map(([key, values]) => {
        const [service, level] = key.split('|');
        return { stream: { service_name: service, level }, values };
      }),
    },
  };

  const seriesCount = Math.round(1_000 * scale);
  const result = [];
  for (let s = 0; s < seriesCount; s++) {
    const service = SERVICES[s % SERVICES.length]!;
    const values: Array<[number, string]> = [];
    for (let p = 0; p < 120; p++) {
      const at = START_MS + (p / 120) * RANGE_MS;
      const hot = service === 'payment' && at >= FAULT_FROM_MS ? 0.9 : 0.3;
      values.push([at / 1000, (hot + random() * 0.05).toFixed(4)]);
    }
    result.push({ metric: { __name__: 'process_cpu_utilization', service, instance: `${service}-${Math.floor(s / SERVICES.length)}` }, values });
  }
  const prometheus = { status: 'success', data: { resultType: 'matrix', result } };

  fs.mkdirSync(dir, { recursive: true });
  const files = [
    ['traces.otlp.json', otlp],
    ['logs.loki.json', loki],
    ['metrics.prom.json', prometheus],
  ].map(([name, body]) => {
    const file = path.join(dir, name as string);
    fs.writeFileSync(file, JSON.stringify(body));
    return file;
  });
  return { files, spans: traces * spansPerTrace, lines, series: seriesCount };
}
