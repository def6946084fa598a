// The incident-sized workload, as Grafana's data sources hand it to a panel, generated from a seed so every
// peer and every run sees the same frames. Shapes follow wasm-plugin/panel/scripts/nezha-to-frames.mjs (which
// mirrors the Tempo, Loki and Prometheus backends):
// - Tempo trace frame "Trace": 17 fields, startTime/duration in float ms, serviceTags/tags as [{key, value}],
//   root parentSpanID "0000000000000000".
// - Loki (default, non-dataplane) frame: labels, Time (ms, + nanos), Line, tsNs, labelTypes, id; newest first.
// - Prometheus matrix: one "timeseries-multi" frame per series: Time, Value with the series labels.
// At scale 1: 20,000 traces of 10 spans, 1,000,000 log lines (60% name their trace in the line), 1,000 series
// of 120 points, over one hour. The injected fault: from minute 45 the `payment` pod `payment-5c8f-1` fails
// (error spans, slow spans, error log lines of a new template, its CPU and latency series rise).
// The browser peers read these frames as a panel would receive them: through DataFrameJSON (delivered.ts).

import { Rng } from '../../simulator/src/rng.js';

/** One field as a DataFrame holds it (what `createDataFrame` gives and `PanelData.series` carries). */
export interface BenchField {
  readonly name: string;
  readonly type: 'string' | 'number' | 'time' | 'other';
  readonly config: Record<string, unknown>;
  readonly values: unknown[];
  readonly labels?: Record<string, string>;
  readonly nanos?: number[];
}

export interface BenchFrame {
  readonly name?: string;
  readonly refId: string;
  readonly meta: Record<string, unknown>;
  readonly fields: BenchField[];
  readonly length: number;
}

export interface Workload {
  readonly scale: number;
  readonly traces: BenchFrame;
  readonly logs: BenchFrame;
  readonly metrics: BenchFrame[];
  /** The incident window and its baseline, epoch ms (what the dashboard's time picker would say). */
  readonly window: { start: number; end: number };
  readonly baseline: { start: number; end: number };
  /** The injected root cause. */
  readonly fault: { service: string; pod: string };
}

/** The sizes the issue asks for: spans, traces, log lines and series at scale 1. */
export const BASE = { traces: 20_000, spansPerTrace: 10, lines: 1_000_000, tracedShare: 0.6, series: 1_000, points: 120 } as const;
export const T0_MS = Date.UTC(2026, 10, 22, 3, 0, 0);
const HOUR_MS = 3_600_000;
const FAULT_FROM_MS = T0_MS + 45 * 60_000;
const FAULT = { service: 'payment', pod: 'payment-5c8f-1' } as const;

/** The simulator's seeded source (sfc32 seeded by splitmix32), as a plain `() => [0, 1)` function. */
export function seeded(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

const HEX = '0123456789abcdef';
function hex(random: () => number, digits: number): string {
  let s = '';
  for (let i = 0; i < digits; i++) s += HEX[Math.floor(random() * 16)]!;
  return s;
}

const pick = <T>(random: () => number, xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

// The shop: services, their pods (3 each) and the call chains a request takes (10 spans each).
const SERVICES = ['frontend', 'cart', 'checkout', 'payment', 'currency', 'shipping', 'email', 'catalog', 'recommendation', 'ad', 'quote', 'fraud'] as const;
type Service = (typeof SERVICES)[number];
const podOf = (service: string, n: number): string => `${service}-5c8f-${n}`;

interface Step {
  readonly service: Service;
  readonly op: string;
  /** Index of the parent step, -1 for the root. */
  readonly parent: number;
  readonly kind: 'server' | 'client' | 'internal';
}

const ROUTES: readonly (readonly Step[])[] = [
  [
    { service: 'frontend', op: 'POST /api/checkout', parent: -1, kind: 'server' },
    { service: 'checkout', op: 'oteldemo.CheckoutService/PlaceOrder', parent: 0, kind: 'server' },
    { service: 'cart', op: 'oteldemo.CartService/GetCart', parent: 1, kind: 'server' },
    { service: 'catalog', op: 'oteldemo.ProductCatalogService/GetProduct', parent: 1, kind: 'server' },
    { service: 'currency', op: 'oteldemo.CurrencyService/Convert', parent: 1, kind: 'server' },
    { service: 'quote', op: 'POST /getquote', parent: 1, kind: 'server' },
    { service: 'shipping', op: 'oteldemo.ShippingService/ShipOrder', parent: 1, kind: 'server' },
    { service: 'payment', op: 'oteldemo.PaymentService/Charge', parent: 1, kind: 'server' },
    { service: 'fraud', op: 'orders process', parent: 1, kind: 'internal' },
    { service: 'email', op: 'POST /send_order_confirmation', parent: 1, kind: 'server' },
  ],
  [
    { service: 'frontend', op: 'GET /api/products', parent: -1, kind: 'server' },
    { service: 'catalog', op: 'oteldemo.ProductCatalogService/ListProducts', parent: 0, kind: 'server' },
    { service: 'currency', op: 'oteldemo.CurrencyService/GetSupportedCurrencies', parent: 0, kind: 'server' },
    { service: 'recommendation', op: 'oteldemo.RecommendationService/ListRecommendations', parent: 0, kind: 'server' },
    { service: 'catalog', op: 'oteldemo.ProductCatalogService/GetProduct', parent: 3, kind: 'server' },
    { service: 'ad', op: 'oteldemo.AdService/GetAds', parent: 0, kind: 'server' },
    { service: 'cart', op: 'oteldemo.CartService/GetCart', parent: 0, kind: 'server' },
    { service: 'currency', op: 'oteldemo.CurrencyService/Convert', parent: 0, kind: 'server' },
    { service: 'catalog', op: 'SELECT products', parent: 1, kind: 'client' },
    { service: 'frontend', op: 'render products', parent: 0, kind: 'internal' },
  ],
  [
    { service: 'frontend', op: 'POST /api/cart', parent: -1, kind: 'server' },
    { service: 'cart', op: 'oteldemo.CartService/AddItem', parent: 0, kind: 'server' },
    { service: 'cart', op: 'HSET', parent: 1, kind: 'client' },
    { service: 'catalog', op: 'oteldemo.ProductCatalogService/GetProduct', parent: 0, kind: 'server' },
    { service: 'currency', op: 'oteldemo.CurrencyService/Convert', parent: 0, kind: 'server' },
    { service: 'recommendation', op: 'oteldemo.RecommendationService/ListRecommendations', parent: 0, kind: 'server' },
    { service: 'catalog', op: 'oteldemo.ProductCatalogService/GetProduct', parent: 5, kind: 'server' },
    { service: 'ad', op: 'oteldemo.AdService/GetAds', parent: 0, kind: 'server' },
    { service: 'cart', op: 'oteldemo.CartService/GetCart', parent: 0, kind: 'server' },
    { service: 'cart', op: 'HGET', parent: 8, kind: 'client' },
  ],
];

/** Shared per-pod tag arrays (delivered.ts makes one per row, as Grafana does). */
const SERVICE_TAGS = new Map<string, object[]>();
function serviceTags(service: string, pod: string): object[] {
  const key = `${service}/${pod}`;
  let tags = SERVICE_TAGS.get(key);
  if (tags === undefined) {
    tags = [
      { value: service, key: 'service.name' },
      { value: 'shop', key: 'service.namespace' },
      { value: pod, key: 'k8s.pod.name' },
      { value: 'opentelemetry', key: 'telemetry.sdk.name' },
    ];
    SERVICE_TAGS.set(key, tags);
  }
  return tags;
}

interface TraceInfo {
  readonly ids: string[];
  readonly starts: Float64Array;
  readonly routes: Uint8Array;
  /** The payment pod each trace's payment span ran on (0..2). */
  readonly paymentPod: Uint8Array;
}

const failing = (info: TraceInfo, t: number): boolean => info.starts[t]! >= FAULT_FROM_MS && info.routes[t] === 0 && info.paymentPod[t] === 1;

function tracesFrame(traces: number, random: () => number): { frame: BenchFrame; info: TraceInfo } {
  const info: TraceInfo = { ids: [], starts: new Float64Array(traces), routes: new Uint8Array(traces), paymentPod: new Uint8Array(traces) };
  const n = traces * BASE.spansPerTrace;
  const cols = {
    traceID: new Array<string>(n),
    spanID: new Array<string>(n),
    parentSpanID: new Array<string>(n),
    operationName: new Array<string>(n),
    serviceName: new Array<string>(n),
    kind: new Array<string>(n),
    statusCode: new Array<number>(n),
    statusMessage: new Array<string>(n),
    serviceTags: new Array<object[]>(n),
    startTime: new Array<number>(n),
    duration: new Array<number>(n),
    tags: new Array<object[]>(n),
  };
  let row = 0;
  for (let t = 0; t < traces; t++) {
    const traceId = hex(random, 32);
    const start = T0_MS + (t / traces) * HOUR_MS + random() * 50;
    const route = Math.floor(random() * ROUTES.length);
    const paymentPod = Math.floor(random() * 3);
    info.ids.push(traceId);
    info.starts[t] = start;
    info.routes[t] = route;
    info.paymentPod[t] = paymentPod;
    const fails = failing(info, t);
    const steps = ROUTES[route]!;
    const spanIds = steps.map(() => hex(random, 16));
    steps.forEach((step, j) => {
      const pod = podOf(step.service, step.service === 'payment' ? paymentPod : Math.floor(random() * 3));
      const bad = fails && (step.service === 'payment' || j <= 1);
      cols.traceID[row] = traceId;
      cols.spanID[row] = spanIds[j]!;
      cols.parentSpanID[row] = step.parent < 0 ? '0000000000000000' : spanIds[step.parent]!;
      cols.operationName[row] = step.op;
      cols.serviceName[row] = step.service;
      cols.kind[row] = step.kind;
      cols.statusCode[row] = bad ? 2 : 0;
      cols.statusMessage[row] = bad ? (step.service === 'payment' ? 'card processor timeout' : 'upstream error') : '';
      cols.serviceTags[row] = serviceTags(step.service, pod);
      cols.startTime[row] = start + j * 1.5 + random();
      cols.duration[row] = (bad ? 2_500 : 30) / (j + 1) + random() * 5;
      cols.tags[row] = [
        { value: step.kind === 'client' ? 'redis' : 'http', key: 'rpc.system' },
        { value: bad ? 500 : 200, key: 'http.status_code' },
      ];
      row++;
    });
  }
  const str = (name: string, values: unknown[]): BenchField => ({ name, type: 'string', config: {}, values });
  const other = (name: string, values: unknown[]): BenchField => ({ name, type: 'other', config: {}, values });
  const fill = <T>(v: T): T[] => new Array<T>(n).fill(v);
  const fields: BenchField[] = [
    str('traceID', cols.traceID),
    str('spanID', cols.spanID),
    str('parentSpanID', cols.parentSpanID),
    str('operationName', cols.operationName),
    str('serviceName', cols.serviceName),
    str('kind', cols.kind),
    { name: 'statusCode', type: 'number', config: {}, values: cols.statusCode },
    str('statusMessage', cols.statusMessage),
    str('instrumentationLibraryName', fill('opentelemetry-instrumentation')),
    str('instrumentationLibraryVersion', fill('0.57.0')),
    str('traceState', fill('')),
    other('serviceTags', cols.serviceTags),
    { name: 'startTime', type: 'number', config: {}, values: cols.startTime },
    { name: 'duration', type: 'number', config: {}, values: cols.duration },
    other('logs', fill(null)),
    other('references', fill(null)),
    other('tags', cols.tags),
  ];
  return { frame: { name: 'Trace', refId: 'A', meta: { preferredVisualisationType: 'trace' }, fields, length: n }, info };
}

// Log templates: logfmt, JSON and plain Java-style lines, as the shop's services write them.
type Template = (r: () => number, traceId: string) => string;
const TRACED: readonly Template[] = [
  (r, id) => `level=info ts=2026-11-22T03:00:00Z caller=handler.go:142 msg="request served" method=GET status=200 duration=${Math.floor(r() * 90)}ms trace_id=${id}`,
  (r, id) => `{"level":"info","msg":"item added to cart","product_id":"OLJCESPC7Z","quantity":${1 + Math.floor(r() * 5)},"trace_id":"${id}"}`,
  (r, id) => `INFO  [grpc-default-executor-${Math.floor(r() * 16)}] o.d.CurrencyService - converted ${(r() * 500).toFixed(2)} USD to EUR traceId=${id}`,
  (r, id) => `level=debug msg="cache lookup" key=product:${Math.floor(r() * 1e5)} hit=${r() < 0.8} trace_id=${id}`,
  (r, id) => `{"level":"info","msg":"quote computed","items":${1 + Math.floor(r() * 9)},"cost":${(r() * 80).toFixed(2)},"trace_id":"${id}"}`,
  (r, id) => `level=info msg="order placed" order_id=${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)} items=${1 + Math.floor(r() * 6)} trace_id=${id}`,
];
const FAULT_LINE: Template = (r, id) =>
  `level=error msg="charge failed" error="card processor timeout after ${2000 + Math.floor(r() * 1000)}ms" retries=${Math.floor(r() * 3)} trace_id=${id}`;
const UNTRACED: readonly ((r: () => number) => string)[] = [
  (r) => `GET /healthz 200 ${(r() * 2).toFixed(1)}ms`,
  (r) => `level=info msg="connection pool stats" active=${Math.floor(r() * 20)} idle=${Math.floor(r() * 10)} waiting=0`,
  (r) => `[GC (Allocation Failure) ${Math.floor(r() * 400)}M->${Math.floor(r() * 200)}M(1024M), 0.00${Math.floor(r() * 900)} secs]`,
  (r) => `{"level":"info","msg":"metrics flushed","series":${Math.floor(r() * 3000)},"took_ms":${Math.floor(r() * 40)}}`,
  (r) => `level=warn msg="slow query" table=products rows=${Math.floor(r() * 1e4)} elapsed=${Math.floor(200 + r() * 800)}ms`,
];

/** Per-stream label objects, shared between a stream's rows (delivered.ts makes one per row, as Grafana does). */
const STREAMS = new Map<string, { labels: object; types: object }>();
function stream(service: string, pod: string): { labels: object; types: object } {
  const key = pod;
  let s = STREAMS.get(key);
  if (s === undefined) {
    s = {
      labels: { namespace: 'shop', service_name: service, pod, container: service },
      types: { namespace: 'I', service_name: 'I', pod: 'I', container: 'I' },
    };
    STREAMS.set(key, s);
  }
  return s;
}

function logsFrame(lines: number, info: TraceInfo, random: () => number): BenchFrame {
  const traces = info.ids.length;
  const labels = new Array<object>(lines);
  const time = new Array<number>(lines);
  const nanos = new Array<number>(lines);
  const line = new Array<string>(lines);
  const tsNs = new Array<string>(lines);
  const labelTypes = new Array<object>(lines);
  const id = new Array<string>(lines);
  for (let i = 0; i < lines; i++) {
    // Newest first, as Loki answers a backward query; evenly spread over the hour.
    const ns = Math.floor(((lines - 1 - i) / lines) * HOUR_MS * 1e6 + random() * 1e6);
    const ms = T0_MS + Math.floor(ns / 1e6);
    const subMs = ns % 1e6;
    let service: string;
    let pod: string;
    let text: string;
    if (random() < BASE.tracedShare) {
      // A trace running at this time: the line's service is one of its steps.
      const t = Math.min(traces - 1, Math.max(0, Math.floor(((ms - T0_MS) / HOUR_MS) * traces) - Math.floor(random() * 3)));
      const step = pick(random, ROUTES[info.routes[t]!]!);
      service = step.service;
      const faulty = failing(info, t) && service === 'payment';
      pod = podOf(service, service === 'payment' ? info.paymentPod[t]! : Math.floor(random() * 3));
      text = faulty ? FAULT_LINE(random, info.ids[t]!) : pick(random, TRACED)(random, info.ids[t]!);
    } else {
      service = pick(random, SERVICES);
      pod = podOf(service, Math.floor(random() * 3));
      text = pick(random, UNTRACED)(random);
    }
    const s = stream(service, pod);
    const nsText = `${ms}${String(subMs).padStart(6, '0')}`;
    labels[i] = s.labels;
    time[i] = ms;
    nanos[i] = subMs;
    line[i] = text;
    tsNs[i] = nsText;
    labelTypes[i] = s.types;
    id[i] = `${nsText}_${hex(random, 8)}`;
  }
  const fields: BenchField[] = [
    { name: 'labels', type: 'other', config: {}, values: labels },
    { name: 'Time', type: 'time', config: {}, values: time, nanos },
    { name: 'Line', type: 'string', config: {}, values: line },
    { name: 'tsNs', type: 'string', config: {}, values: tsNs },
    { name: 'labelTypes', type: 'other', config: { custom: { hidden: true } }, values: labelTypes },
    { name: 'id', type: 'string', config: {}, values: id },
  ];
  const meta = { typeVersion: [0, 0], custom: { frameType: 'LabeledTimeValues' }, executedQueryString: 'Expr: {namespace="shop"}' };
  return { refId: 'B', meta, fields, length: lines };
}

const METRICS = [
  'container_cpu_usage_seconds_total:rate1m',
  'container_memory_working_set_bytes',
  'http_server_request_duration_seconds:p99',
  'http_server_requests:rate1m',
  'http_server_errors:rate1m',
  'process_open_fds',
  'go_goroutines',
] as const;
const ROUTE_LABELS = ['/api/checkout', '/api/products', '/api/cart', '/healthz'] as const;

function metricFrames(series: number, points: number, random: () => number): BenchFrame[] {
  const step = HOUR_MS / points;
  const times = Array.from({ length: points }, (_, p) => T0_MS + Math.round(p * step));
  const frames: BenchFrame[] = [];
  for (let i = 0; i < series; i++) {
    const metric = METRICS[i % METRICS.length]!;
    const podIndex = Math.floor(i / METRICS.length);
    const service = SERVICES[podIndex % SERVICES.length]!;
    const pod = podOf(service, Math.floor(podIndex / SERVICES.length) % 3);
    const route = ROUTE_LABELS[Math.floor(podIndex / (SERVICES.length * 3)) % ROUTE_LABELS.length]!;
    const base = 1 + random() * 10;
    const hit = pod === FAULT.pod && metric !== 'process_open_fds' && metric !== 'go_goroutines';
    const values = times.map((t) => base * (1 + 0.05 * (random() - 0.5)) * (hit && t >= FAULT_FROM_MS ? 6 : 1));
    const labels = { __name__: metric, namespace: 'shop', service, pod, route, replica: String(Math.floor(i / (METRICS.length * SERVICES.length * 3 * ROUTE_LABELS.length))) };
    frames.push({
      refId: 'C',
      meta: { type: 'timeseries-multi', typeVersion: [0, 1], custom: { resultType: 'matrix' } },
      fields: [
        { name: 'Time', type: 'time', config: { interval: step }, values: [...times] },
        { name: 'Value', type: 'number', config: { displayNameFromDS: metric }, values, labels },
      ],
      length: points,
    });
  }
  return frames;
}

/** The workload at `scale` (0.1, 1, 3): counts scale, the hour and the fault stay. */
export function workload(scale: number, seed = 12): Workload {
  const random = seeded(seed);
  const { frame: traces, info } = tracesFrame(Math.round(BASE.traces * scale), random);
  const logs = logsFrame(Math.round(BASE.lines * scale), info, random);
  // Series scale too (more pods at more traffic), so every input grows by the same factor.
  const metrics = metricFrames(Math.round(BASE.series * scale), BASE.points, random);
  return {
    scale,
    traces,
    logs,
    metrics,
    window: { start: FAULT_FROM_MS, end: T0_MS + HOUR_MS },
    baseline: { start: T0_MS + 30 * 60_000, end: FAULT_FROM_MS },
    fault: { ...FAULT },
  };
}

/** The trace id a Grafana derived field would pull out of a log line (`traceId`, `trace_id`, JSON or logfmt). */
export const DERIVED_TRACE_ID = /(?:trace_?id)["=:\s]+"?([0-9a-f]{16,32})/i;

/** The cheap template key the join + group-by peers use: variable tokens (numbers, hex ids) masked. */
export const TEMPLATE_MASK = /[0-9a-f]{8,}(?:-[0-9a-f]{4,12})*|\d+(?:\.\d+)?/g;
