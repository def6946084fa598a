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
  /** new, surging, vanished, steady... as the core says. */
  change?: string;
  traces: string[];
}

export interface SeriesView {
  name: string;
  labels: Array<[string, string]>;
  points: Array<[number, number]>;
  anomaly?: TimeSpan;
  note?: string;
}

export interface CandidateView {
  rank: number;
  name: string;
  kind?: string;
  score: number;
  /** Score scaled to the top candidate, 0..1, for the bar. */
  bar: number;
  why: string;
  chips: Chip[];
  traces: string[];
  patterns: PatternView[];
  series: SeriesView[];
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

export function patternView(v: unknown, index: number): PatternView {
  const o = obj(v);
  const bucketsObj = obj(o.buckets);
  const buckets = Array.isArray(o.buckets) ? nums(o.buckets) : nums(bucketsObj.counts);
  return {
    id: pick(o, ['id', 'pattern_id'], str) ?? String(index),
    template: pick(o, ['template', 'pattern', 'text'], str) ?? '',
    count: pick(o, ['count', 'total'], num) ?? 0,
    buckets,
    bucketSpan: span(o.bucket_span) ?? span(bucketsObj),
    levels: levels(o.levels),
    samples: strs(o.samples ?? o.sample_lines ?? o.examples),
    services: strs(o.services),
    change: pick(o, ['change', 'status', 'trend'], str),
    traces: strs(o.traces ?? o.trace_ids),
  };
}

function seriesView(v: unknown): SeriesView {
  const o = obj(v);
  const labels = Object.entries(obj(o.labels)).flatMap(([k, x]) => (typeof x === 'string' ? [[k, x] as [string, string]] : []));
  const points = arr(o.points).flatMap((p) => {
    if (Array.isArray(p) && p.length >= 2) {
      const t = timeMs(p[0]);
      const y = num(p[1]);
      return t !== undefined && y !== undefined ? [[t, y] as [number, number]] : [];
    }
    const po = obj(p);
    const t = timeMs(po.t ?? po.time ?? po.time_ms);
    const y = num(po.v ?? po.value);
    return t !== undefined && y !== undefined ? [[t, y] as [number, number]] : [];
  });
  return {
    name: pick(o, ['name', 'metric'], str) ?? '',
    labels,
    points,
    anomaly: span(o.anomaly) ?? span(o.window),
    note: pick(o, ['why', 'note', 'summary'], str),
  };
}

const SIGNAL_OF: Record<string, Chip['signal']> = {
  trace: 'traces',
  traces: 'traces',
  span: 'traces',
  error_origin: 'traces',
  latency: 'traces',
  self_time: 'traces',
  log: 'logs',
  logs: 'logs',
  pattern: 'logs',
  patterns: 'logs',
  metric: 'metrics',
  metrics: 'metrics',
  exemplar: 'metrics',
  exemplars: 'metrics',
  graph: 'graph',
};

function signalOf(name: string): Chip['signal'] {
  const key = Object.keys(SIGNAL_OF).find((k) => name.toLowerCase().includes(k));
  return key ? SIGNAL_OF[key] : 'other';
}

function chips(o: JsonObject): Chip[] {
  const components = arr(o.components ?? o.score_components ?? o.evidence_summary);
  return components.flatMap((c) => {
    const co = obj(c);
    const name = pick(co, ['name', 'signal', 'kind'], str);
    if (!name) {
      return [];
    }
    const value = pick(co, ['label', 'summary', 'detail'], str) ?? (num(co.value) !== undefined ? `${name} ${formatNumber(num(co.value)!)}` : name);
    return [{ signal: signalOf(name), label: value }];
  });
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

export function reportView(report: unknown): ReportView {
  const r = obj(report);
  const windows = obj(r.windows);
  const patternsSection = obj(r.patterns);
  const patterns = arr(patternsSection.patterns ?? patternsSection.templates ?? r.patterns).map(patternView);
  const patternById = new Map(patterns.map((p) => [p.id, p]));

  const rawCandidates = arr(r.candidates).map(obj);
  const best = Math.max(0, ...rawCandidates.map((c) => num(c.score) ?? 0));
  const candidates = rawCandidates.map((c, i): CandidateView => {
    const evidence = obj(c.evidence);
    const candidatePatterns = arr(evidence.patterns ?? evidence.logs ?? c.patterns).map((p, j) => {
      const id = str(p) ?? str(obj(p).id);
      const known = id !== undefined ? patternById.get(id) : undefined;
      return known ?? patternView(p, j);
    });
    const score = num(c.score) ?? 0;
    return {
      rank: num(c.rank) ?? i + 1,
      name: candidateName(c),
      kind: str(c.kind) ?? str(c.level),
      score,
      bar: best > 0 ? Math.max(0, Math.min(1, score / best)) : 0,
      why: str(c.why) ?? '',
      chips: chips(c),
      traces: strs(evidence.traces ?? evidence.trace_ids ?? c.traces).concat(
        arr(evidence.traces).flatMap((t) => {
          const id = str(obj(t).trace_id);
          return id ? [id] : [];
        })
      ),
      patterns: candidatePatterns,
      series: arr(evidence.series ?? evidence.metrics ?? c.series).map(seriesView),
    };
  });

  const diag = obj(r.diagnostics);
  const entries = arr(diag.entries ?? diag.counts).map((e): DiagnosticView => {
    const o = obj(e);
    const place = o.place;
    return {
      severity: str(o.severity) ?? '',
      reason: str(o.reason) ?? str(o.message) ?? '',
      place: typeof place === 'string' ? place : Object.entries(obj(place)).map(([k, v]) => `${k} ${String(v)}`).join(', '),
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
