// The view model: what the panel and the web demo show, derived from a report in one place so both
// homes render the same thing. Pure functions over the report JSON; no React, no Grafana.
import { arr, nums, obj, pick, str, strs, num, timeMs, type JsonObject } from './read';

export interface TimeSpan {
  startMs: number;
  endMs: number;
}

export interface Chip {
  /** What kind of evidence: drives the chip's colour. */
  signal: 'traces' | 'logs' | 'metrics' | 'graph' | 'other';
  label: string;
}

export interface PatternView {
  id: string;
  template: string;
  count: number;
  /** Counts per time bucket over `bucketSpan`. */
  buckets: number[];
  bucketSpan?: TimeSpan;
  levels: Array<[string, number]>;
  samples: string[];
  services: string[];
  /** Records in the incident window and in the baseline, when there is one. */
  windowCount?: number;
  baselineCount?: number;
  /** new, surge, drop, vanished, as the core says. */
  change?: string;
  /** The first trace ids of its records, and how many distinct ones there are. */
  traces: string[];
  traceCount: number;
}

export interface SeriesView {
  /** `name{label="value",...}`, as the report names it. */
  key: string;
  name: string;
  labels: Array<[string, string]>;
  points: Array<[number, number]>;
  anomaly?: TimeSpan;
  note?: string;
}

export interface CandidateView {
  rank: number;
  name: string;
  score: number;
  /** Score scaled to the top candidate, 0..1, for the bar. */
  bar: number;
  why: string;
  chips: Chip[];
  traces: string[];
  patterns: PatternView[];
  series: SeriesView[];
  /** Callers that show anomalies too: the blast radius if this candidate is the cause. */
  blastRadius: string[];
}

export interface DiagnosticView {
  severity: string;
  reason: string;
  place: string;
  count?: number;
}

export interface ReportView {
  window?: TimeSpan;
  baseline?: TimeSpan;
  windowSource?: string;
  candidates: CandidateView[];
  patterns: PatternView[];
  diagnostics: { total: number; errors: number; skipped: number; warnings: number; entries: DiagnosticView[] };
  totals: Array<[string, number]>;
}

function span(v: unknown): TimeSpan | undefined {
  const o = obj(v);
  const startMs = timeMs(o.start) ?? num(o.start_ms);
  const endMs = timeMs(o.end) ?? num(o.end_ms);
  return startMs !== undefined && endMs !== undefined ? { startMs, endMs } : undefined;
}

function levels(v: unknown): Array<[string, number]> {
  if (Array.isArray(v)) {
    return v.flatMap((e) => {
      const o = obj(e);
      const name = str(o.level) ?? str(o.name);
      const count = num(o.count);
      return name !== undefined && count !== undefined ? [[name, count] as [string, number]] : [];
    });
  }
  return Object.entries(obj(v)).flatMap(([k, c]) => (typeof c === 'number' ? [[k, c] as [string, number]] : []));
}

/** A pattern section's shared bucket axis (`{start, width_ms, count}`) as a time span. */
function bucketAxis(v: unknown): TimeSpan | undefined {
  const o = obj(v);
  const startMs = timeMs(o.start);
  const width = num(o.width_ms);
  const count = num(o.count);
  return startMs !== undefined && width !== undefined && count !== undefined ? { startMs, endMs: startMs + width * count } : undefined;
}

const names = (v: unknown): string[] => arr(v).flatMap((x) => (typeof x === 'string' ? [x] : str(obj(x).name) !== undefined ? [str(obj(x).name)!] : []));

export function patternView(v: unknown, index: number, axis?: TimeSpan, changes?: Map<string, string>): PatternView {
  const o = obj(v);
  const id = pick(o, ['id', 'pattern_id'], str) ?? String(index);
  const traces = o.traces;
  return {
    id,
    template: pick(o, ['template', 'pattern', 'text'], str) ?? '',
    count: pick(o, ['count', 'total'], num) ?? 0,
    windowCount: num(o.window_count),
    baselineCount: num(o.baseline_count),
    buckets: nums(o.buckets),
    bucketSpan: axis,
    levels: levels(o.levels),
    samples: strs(o.samples),
    services: names(o.services),
    change: changes?.get(id) ?? str(o.change),
    traces: Array.isArray(traces) ? strs(traces) : strs(obj(traces).first),
    traceCount: Array.isArray(traces) ? traces.length : (num(obj(traces).count) ?? 0),
  };
}

const SIGNALS: Record<string, Chip['signal']> = { traces: 'traces', logs: 'logs', metrics: 'metrics', graph: 'graph' };

/**
 * The components that speak for the candidate (contrast above zero), strongest first: each named for
 * its signal (`metric_saturation` -> "saturation") with its contrast against the other services.
 */
function chips(o: JsonObject): Chip[] {
  return arr(o.components)
    .map(obj)
    .flatMap((c) => {
      const name = str(c.name);
      const contrast = num(c.contrast) ?? num(c.value);
      if (!name || contrast === undefined || contrast <= 0) {
        return [];
      }
      const source = str(c.source) ?? name.split('_')[0];
      const signal = SIGNALS[source] ?? SIGNALS[`${source}s`] ?? 'other';
      const label = name.replace(/^(trace|log|metric|graph)_/, '').replace(/_/g, ' ');
      return [{ signal, label: `${label} +${formatNumber(contrast)}`, contrast }];
    })
    .sort((a, b) => b.contrast - a.contrast)
    .map(({ signal, label }) => ({ signal, label }));
}

export function formatNumber(x: number): string {
  if (Number.isInteger(x)) {
    return String(x);
  }
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(2);
}

/** The candidate's display name: service, then operation and instance when the core names them. */
function candidateName(o: JsonObject): string {
  const parts = [pick(o, ['service', 'name'], str), str(o.operation), str(o.instance)].filter((p): p is string => !!p);
  return parts.length ? parts.join(' · ') : '(unnamed)';
}

/** A series key `name{k="v",...}` as its name and labels. */
export function parseSeriesKey(key: string): { name: string; labels: Array<[string, string]> } {
  const brace = key.indexOf('{');
  if (brace < 0) {
    return { name: key, labels: [] };
  }
  const labels: Array<[string, string]> = [];
  const re = /([A-Za-z_][\w.]*)="((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(key.slice(brace)); m; m = re.exec(key.slice(brace))) {
    labels.push([m[1], m[2].replace(/\\(.)/g, '$1')]);
  }
  return { name: key.slice(0, brace), labels };
}

export function reportView(report: unknown): ReportView {
  const r = obj(report);
  const windows = obj(r.windows);
  const section = obj(r.patterns);
  const axis = bucketAxis(section.buckets);
  const changes = new Map<string, string>();
  for (const list of ['new', 'surging', 'dropped']) {
    for (const c of arr(section[list]).map(obj)) {
      const id = str(c.id);
      const kind = str(c.change);
      if (id && kind) {
        changes.set(id, kind);
      }
    }
  }
  const patterns = arr(section.patterns).map((p, i) => patternView(p, i, axis, changes));
  const byTemplate = new Map(patterns.map((p) => [p.template, p]));
  const byId = new Map(patterns.map((p) => [p.id, p]));

  const rawCandidates = arr(r.candidates).map(obj);
  const scores = rawCandidates.map((c) => num(c.score) ?? 0);
  const [lo, hi] = [Math.min(0, ...scores), Math.max(...scores, 0)];
  const candidates = rawCandidates.map((c, i): CandidateView => {
    const evidence = arr(c.evidence).map(obj);
    const of = (kind: string, key: string) => evidence.filter((e) => e.kind === kind).flatMap((e) => (str(e[key]) !== undefined ? [str(e[key])!] : []));
    const score = num(c.score) ?? 0;
    return {
      rank: num(c.rank) ?? i + 1,
      name: candidateName(c),
      score,
      // Scores are a weighted sum that can be negative: the bar spans the listed range.
      bar: hi > lo ? (score - lo) / (hi - lo) : 1,
      why: str(c.why) ?? '',
      chips: chips(c),
      traces: of('trace', 'trace_id'),
      patterns: of('template', 'template').map(
        (t, j) => byTemplate.get(t) ?? byId.get(t) ?? { ...patternView({ template: t }, j), id: `evidence-${j}` }
      ),
      series: of('series', 'series').map((key) => ({ ...parseSeriesKey(key), key, points: [] })),
      blastRadius: strs(c.blast_radius),
    };
  });

  const diag = obj(r.diagnostics);
  // An entry's place is flattened into it: source, then frame, field and row where known.
  const entries = arr(diag.entries).map((e): DiagnosticView => {
    const o = obj(e);
    const place = [str(o.source), str(o.frame) && `frame ${str(o.frame)}`, str(o.field) && `field ${str(o.field)}`, num(o.row) !== undefined && `row ${num(o.row)}`];
    return {
      severity: str(o.severity) ?? '',
      reason: str(o.reason) ?? '',
      place: place.filter(Boolean).join(', '),
      count: num(o.count),
    };
  });

  const totals = Object.entries(obj(obj(r.inputs).totals)).flatMap(([k, v]) => (typeof v === 'number' ? [[k, v] as [string, number]] : []));

  return {
    window: span(windows.window),
    baseline: span(windows.baseline),
    windowSource: str(windows.source),
    candidates,
    patterns,
    diagnostics: {
      total: num(diag.total) ?? entries.length,
      errors: num(diag.errors) ?? 0,
      skipped: num(diag.skipped) ?? 0,
      warnings: num(diag.warnings) ?? 0,
      entries,
    },
    totals,
  };
}

export interface TraceLogView {
  timeMs: number;
  level?: string;
  body: string;
}

export interface TraceExemplarView {
  timeMs: number;
  value: number;
  series: string;
}

export interface TraceSpanView {
  spanId: string;
  parentId?: string;
  service: string;
  operation: string;
  startMs: number;
  durationMs: number;
  error: boolean;
  depth: number;
  logs: TraceLogView[];
  exemplars: TraceExemplarView[];
}

export interface TraceDetailView {
  traceId: string;
  spans: TraceSpanView[];
  startMs: number;
  endMs: number;
  /** Logs and exemplars of the trace that name no span of it. */
  logs: TraceLogView[];
  exemplars: TraceExemplarView[];
}

function traceLogs(v: unknown): TraceLogView[] {
  return arr(v).flatMap((l) => {
    const o = obj(l);
    const timeMsValue = timeMs(o.time) ?? num(o.time_ms) ?? (num(o.time_ns) !== undefined ? num(o.time_ns)! / 1e6 : undefined);
    const body = str(o.body) ?? str(o.line);
    return timeMsValue !== undefined && body !== undefined ? [{ timeMs: timeMsValue, level: str(o.level), body }] : [];
  });
}

function traceExemplars(v: unknown): TraceExemplarView[] {
  return arr(v).flatMap((e) => {
    const o = obj(e);
    const t = timeMs(o.time) ?? num(o.time_ms);
    const value = num(o.value);
    return t !== undefined && value !== undefined ? [{ timeMs: t, value, series: str(o.series) ?? '' }] : [];
  });
}

/** A trace as the waterfall draws it: spans in tree order (children after their parent, by start). */
export function traceDetailView(json: unknown): TraceDetailView | undefined {
  const o = obj(json);
  const traceId = pick(o, ['trace_id', 'traceId', 'id'], str);
  if (!traceId) {
    return undefined;
  }
  const flat = arr(o.spans).map((s) => {
    const so = obj(s);
    const startMs = timeMs(so.start) ?? num(so.start_ms) ?? (num(so.start_ns) !== undefined ? num(so.start_ns)! / 1e6 : 0);
    const durationMs = num(so.duration_ms) ?? (num(so.duration_ns) !== undefined ? num(so.duration_ns)! / 1e6 : 0);
    const status = str(so.status) ?? '';
    return {
      spanId: pick(so, ['span_id', 'spanId', 'id'], str) ?? '',
      parentId: pick(so, ['parent_span_id', 'parent_id', 'parentSpanId'], str),
      service: str(so.service) ?? '',
      operation: pick(so, ['operation', 'name'], str) ?? '',
      startMs,
      durationMs,
      error: so.error === true || status === 'error',
      depth: 0,
      logs: traceLogs(so.logs),
      exemplars: traceExemplars(so.exemplars),
    };
  });
  const ids = new Set(flat.map((s) => s.spanId));
  const children = new Map<string | undefined, TraceSpanView[]>();
  for (const s of flat) {
    const parent = s.parentId && ids.has(s.parentId) ? s.parentId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const ordered: TraceSpanView[] = [];
  const seen = new Set<string>();
  const visit = (parent: string | undefined, depth: number) => {
    const kids = [...(children.get(parent) ?? [])].sort((a, b) => a.startMs - b.startMs || a.spanId.localeCompare(b.spanId));
    for (const k of kids) {
      if (seen.has(k.spanId)) {
        continue; // a cycle in parent links: draw each span once
      }
      seen.add(k.spanId);
      ordered.push({ ...k, depth });
      visit(k.spanId, depth + 1);
    }
  };
  visit(undefined, 0);
  const starts = ordered.map((s) => s.startMs);
  const ends = ordered.map((s) => s.startMs + s.durationMs);
  return {
    traceId,
    spans: ordered,
    startMs: starts.length ? Math.min(...starts) : 0,
    endMs: ends.length ? Math.max(...ends) : 0,
    logs: traceLogs(o.logs),
    exemplars: traceExemplars(o.exemplars),
  };
}
