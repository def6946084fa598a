// Frames shaped like the ones Grafana hands a panel (research/grafana-formats.md): a Loki log frame in the
// default (legacy) shape and a Tempo trace frame, made from a seeded generator so tests and benches agree.
import type { DataFrameLike, FieldLike } from 'rootspan';

/** Small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(random: () => number, digits: number): string {
  let s = '';
  while (s.length < digits) s += Math.floor(random() * 0x10000).toString(16).padStart(4, '0');
  return s.slice(0, digits);
}

export const SERVICES = ['frontend', 'checkout', 'payment', 'cart', 'inventory'] as const;
export const T0_MS = Date.UTC(2026, 10, 22, 3, 0, 0);

export interface TraceSet {
  traceIds: string[];
  /** Spans per trace; span j's parent is span j-1 (a call chain through the services). */
  spansPerTrace: number;
}

export function traceSet(traces: number, spansPerTrace: number, seed = 1): TraceSet {
  const random = rng(seed);
  return { traceIds: Array.from({ length: traces }, () => hex(random, 32)), spansPerTrace };
}

/** A frame as `{name, refId, meta, fields, length}`: feed it to `createDataFrame` or straight to rootspan. */
export interface FrameSpec extends DataFrameLike {
  readonly fields: FieldLike[];
  readonly length: number;
}

/**
 * Tempo's trace frame (17 fields, startTime/duration in float ms). `failing` traces get an error status on the
 * deepest span (the `payment` service when the chain reaches it) and a longer duration.
 */
export function tempoFrame(set: TraceSet, failing: (trace: number) => boolean = () => false, seed = 2): FrameSpec {
  const random = rng(seed);
  const cols: Record<string, unknown[]> = {};
  const names = [
    'traceID',
    'spanID',
    'parentSpanID',
    'operationName',
    'serviceName',
    'kind',
    'statusCode',
    'statusMessage',
    'instrumentationLibraryName',
    'instrumentationLibraryVersion',
    'traceState',
    'serviceTags',
    'startTime',
    'duration',
    'logs',
    'references',
    'tags',
  ];
  for (const n of names) cols[n] = [];
  const push = (n: string, v: unknown): void => void cols[n]!.push(v);
  set.traceIds.forEach((traceId, t) => {
    const start = T0_MS + t * 37.5 + random();
    const fails = failing(t);
    let parent = '0000000000000000';
    for (let j = 0; j < set.spansPerTrace; j++) {
      const service = SERVICES[j % SERVICES.length]!;
      const spanId = hex(random, 16);
      const deepest = j === set.spansPerTrace - 1;
      push('traceID', traceId);
      push('spanID', spanId);
      push('parentSpanID', parent);
      push('operationName', j === 0 ? 'GET /checkout' : `${service}.Handle`);
      push('serviceName', service);
      push('kind', j === 0 ? 'server' : 'client');
      push('statusCode', fails && deepest ? 2 : 0);
      push('statusMessage', fails && deepest ? 'connection refused' : '');
      push('instrumentationLibraryName', '@opentelemetry/instrumentation-http');
      push('instrumentationLibraryVersion', '0.57.0');
      push('traceState', '');
      push('serviceTags', [
        { key: 'service.name', value: service },
        { key: 'k8s.pod.name', value: `${service}-7d9f-${j % 3}` },
      ]);
      push('startTime', start + j * 0.25);
      push('duration', (fails ? 900 : 40) / (j + 1) + random());
      push('logs', null);
      push('references', []);
      push('tags', [{ key: 'http.method', value: 'GET' }]);
      parent = spanId;
    }
  });
  const types: Record<string, string> = { statusCode: 'number', startTime: 'number', duration: 'number' };
  const fields = names.map((name): FieldLike => ({
    name,
    type: types[name] ?? (['serviceTags', 'logs', 'references', 'tags'].includes(name) ? 'other' : 'string'),
    config: {},
    values: cols[name]!,
  }));
  return { name: 'Trace', refId: 'traces', meta: { preferredVisualisationType: 'trace' }, fields, length: cols.traceID!.length };
}

const TEMPLATES = [
  (r: () => number) => `GET /api/cart/${Math.floor(r() * 1e6)} 200 ${Math.floor(r() * 90)}ms`,
  (r: () => number) => `cache hit ratio=${r().toFixed(3)} keys=${Math.floor(r() * 5000)}`,
  (r: () => number) => `user ${Math.floor(r() * 1e5)} logged in from 10.${Math.floor(r() * 255)}.${Math.floor(r() * 255)}.7`,
  () => 'heartbeat ok',
];

/**
 * Loki's log frame in the default shape: labels (other), Time (time + nanos), Line, tsNs (ns as text),
 * labelTypes (hidden), id. A line in `traced` of them names its trace (`trace_id=...`), as logfmt loggers do.
 * `failing` traces log an error line from payment.
 */
export function lokiFrame(rows: number, set: TraceSet, failing: (trace: number) => boolean = () => false, seed = 3): FrameSpec {
  const random = rng(seed);
  const labels: object[] = [];
  const time: number[] = [];
  const nanos: number[] = [];
  const line: string[] = [];
  const tsNs: string[] = [];
  const labelTypes: object[] = [];
  const id: string[] = [];
  for (let i = 0; i < rows; i++) {
    const t = Math.floor(random() * set.traceIds.length);
    const service = SERVICES[i % SERVICES.length]!;
    const ms = T0_MS + Math.floor(t * 37.5) + (i % 7);
    const ns = Math.floor(random() * 1e6);
    const error = failing(t) && service === 'payment';
    const level = error ? 'error' : 'info';
    const text = error ? `payment gateway timeout after ${Math.floor(500 + random() * 500)} ms` : TEMPLATES[i % TEMPLATES.length]!(random);
    const full = `level=${level} ${text} trace_id=${set.traceIds[t]!}`;
    const nsText = `${ms}${String(ns).padStart(6, '0')}`;
    labels.push({ service_name: service, level, pod: `${service}-7d9f-${i % 3}` });
    time.push(ms);
    nanos.push(ns);
    line.push(full);
    tsNs.push(nsText);
    labelTypes.push({ service_name: 'I', level: 'S', pod: 'I' });
    id.push(`${nsText}_${hex(random, 8)}`);
  }
  return {
    refId: 'logs',
    meta: { typeVersion: [0, 0], custom: { frameType: 'LabeledTimeValues' } },
    fields: [
      { name: 'labels', type: 'other', config: {}, values: labels },
      { name: 'Time', type: 'time', config: {}, values: time, nanos },
      { name: 'Line', type: 'string', config: {}, values: line },
      { name: 'tsNs', type: 'string', config: {}, values: tsNs },
      { name: 'labelTypes', type: 'other', config: { custom: { hidden: true } }, values: labelTypes },
      { name: 'id', type: 'string', config: {}, values: id },
    ],
    length: rows,
  };
}
