// The view model: what the panel and the web demo show, derived from a report in one place so both
// homes render the same thing. Pure functions over the generated report and trace-detail types (from
// the core's JSON Schemas): no React, no Grafana, no guessing at keys.
import type { Buckets, Candidate, Component, Diagnostic, ExemplarDetail, LogDetail, OnsetCandidate, Pattern, Report, Signal, TimeRange, TraceDetail } from 'rootspan';

export interface TimeSpan {
  startMs: number;
  endMs: number;
}

export interface Chip {
  /** What kind of evidence: drives the chip's colour. */
  signal: Signal;
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
  /** Records in the incident window and in the baseline. */
  windowCount: number;
  baselineCount: number;
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
}

export interface CandidateView {
  rank: number;
  name: string;
  score: number;
  /** Score scaled to the listed range, 0..1, for the bar. */
  bar: number;
  why: string;
  chips: Chip[];
  traces: string[];
  patterns: PatternView[];
  series: SeriesView[];
  /** Callers that show anomalies too: the blast radius if this candidate is the cause. */
  blastRadius: string[];
}

export interface ConfidenceView {
  probability: number;
  /** `clear`, `tentative` or `no_clear_cause`. */
  certainty: string;
  /** One sentence, e.g. "No clear root cause: the strongest candidate, X, is 23% sure." */
  phrase: string;
  /** False when the report says there is no clear root cause. */
  clearCause: boolean;
}

/** A candidate onset the core's window detection considered, as the timeline marks it. */
export interface OnsetView {
  /** The window this onset gives (from the onset to the end of its stretch of data). */
  window: TimeSpan;
  baseline?: TimeSpan;
  /** The signals that change here, strongest first, as the core names them (log text among them: render as text). */
  signals: string[];
  /** How many signals change here, named or not. */
  signalCount: number;
  /** The change lies across a gap in the data: its time is only known to lie in the gap. */
  atGap: boolean;
  /** The onset the detection chose. */
  chosen: boolean;
  /** When and which signals, in one line of plain text: the marker's accessible name and tooltip. */
  label: string;
  /**
   * The window and baseline as the report gives them, to analyse again with (exact: the wire's RFC 3339
   * nanoseconds, not the milliseconds above).
   */
  request: { window: TimeRange; baseline?: TimeRange };
}

export interface DiagnosticView {
  severity: string;
  reason: string;
  place: string;
}

export interface ReportModel {
  window?: TimeSpan;
  baseline?: TimeSpan;
  windowSource: string;
  candidates: CandidateView[];
  /** How sure the ranking is about its first candidate: the report's calibrated probability and its phrase. */
  confidence: ConfidenceView;
  patterns: PatternView[];
  diagnostics: { total: number; errors: number; skipped: number; warnings: number; entries: DiagnosticView[] };
}

/** A time on the report's wire (RFC 3339 string or epoch ms) as epoch ms; undefined when unreadable. */
export function timeMs(v: string | number): number | undefined {
  const t = typeof v === 'number' ? v : Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

/** A time as the views print it: `2023-01-29 08:43:00Z` (UTC, to the second). */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function span(range: TimeRange | null): TimeSpan | undefined {
  if (!range) {
    return undefined;
  }
  const [startMs, endMs] = [timeMs(range.start), timeMs(range.end)];
  return startMs !== undefined && endMs !== undefined ? { startMs, endMs } : undefined;
}

/** One candidate onset; undefined when its window's times are unreadable. */
function onsetView(o: OnsetCandidate): OnsetView | undefined {
  const window = span(o.window);
  if (!window) {
    return undefined;
  }
  const unnamed = o.signal_count - o.signals.length;
  const signals = o.signals.join('; ') + (unnamed > 0 ? ` and ${unnamed} more` : '');
  const when = `${formatTime(window.startMs)}${o.at_gap ? ' (after a gap in the data)' : ''}`;
  return {
    window,
    baseline: span(o.baseline),
    signals: o.signals,
    signalCount: o.signal_count,
    atGap: o.at_gap,
    chosen: o.chosen,
    label: `${o.chosen ? 'Detected onset' : 'Candidate onset'} at ${when}: ${signals || 'no signal named'}`,
    request: o.baseline ? { window: o.window, baseline: o.baseline } : { window: o.window },
  };
}

/** The candidate onsets a report offers: only when its window was detected (a given window has none to offer). */
export function onsetViews(r: Report): OnsetView[] {
  return r.windows.source === 'detected' ? r.windows.onsets.map(onsetView).filter((o): o is OnsetView => !!o) : [];
}

/** The patterns section's shared bucket axis as a time span. */
function bucketAxis(b: Buckets | null): TimeSpan | undefined {
  const startMs = b ? timeMs(b.start) : undefined;
  return b && startMs !== undefined ? { startMs, endMs: startMs + b.width_ms * b.count } : undefined;
}

export function patternView(p: Pattern, axis?: TimeSpan, changes?: Map<string, string>): PatternView {
  return {
    id: p.id,
    template: p.template,
    count: p.count,
    windowCount: p.window_count,
    baselineCount: p.baseline_count,
    buckets: p.buckets,
    bucketSpan: axis,
    levels: p.levels.map((l) => [l.level, l.count]),
    samples: p.samples,
    services: p.services.map((s) => s.name),
    change: changes?.get(p.id),
    traces: p.traces.first,
    traceCount: p.traces.count,
  };
}

/** A template a candidate's evidence names that the patterns section does not list (it lists the most frequent). */
function unlistedPattern(template: string, index: number): PatternView {
  return {
    id: `evidence-${index}`,
    template,
    count: 0,
    windowCount: 0,
    baselineCount: 0,
    buckets: [],
    levels: [],
    samples: [],
    services: [],
    traces: [],
    traceCount: 0,
  };
}

/**
 * The components that speak for the candidate (contrast above zero), strongest first: each named for
 * its signal (`metric_saturation` -> "saturation") with its contrast against the other services.
 */
function chips(components: Component[]): Chip[] {
  return components
    .filter((c) => c.contrast > 0)
    .sort((a, b) => b.contrast - a.contrast)
    .map((c) => ({ signal: c.source, label: `${c.name.replace(/^(trace|log|metric)_/, '').replace(/_/g, ' ')} +${formatNumber(c.contrast)}` }));
}

export function formatNumber(x: number): string {
  if (Number.isInteger(x)) {
    return String(x);
  }
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(2);
}

/** The candidate's display name: service, then operation and instance when the core names them. */
export function candidateName(c: Candidate): string {
  return [c.service, c.operation, c.instance].filter((p): p is string => !!p).join(' · ') || '(unnamed)';
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

/** Where a diagnostic is: source, then frame, field and row where known. */
function place(d: Diagnostic): string {
  return [d.source, d.frame && `frame ${d.frame}`, d.field && `field ${d.field}`, d.row !== null && d.row !== undefined && `row ${d.row}`].filter(Boolean).join(', ');
}

export function reportView(r: Report): ReportModel {
  const section = r.patterns;
  const axis = bucketAxis(section.buckets);
  const changes = new Map<string, string>();
  for (const c of [...section.new, ...section.surging, ...section.dropped]) {
    changes.set(c.id, c.change);
  }
  const patterns = section.patterns.map((p) => patternView(p, axis, changes));
  const byTemplate = new Map(patterns.map((p) => [p.template, p]));

  const scores = r.candidates.map((c) => c.score);
  const [lo, hi] = [Math.min(0, ...scores), Math.max(...scores, 0)];
  const candidates = r.candidates.map((c): CandidateView => {
    const traces: string[] = [];
    const templates: string[] = [];
    const series: SeriesView[] = [];
    for (const e of c.evidence) {
      if (e.kind === 'trace') traces.push(e.trace_id);
      else if (e.kind === 'template') templates.push(e.template);
      else series.push({ ...parseSeriesKey(e.series), key: e.series });
    }
    return {
      rank: c.rank,
      name: candidateName(c),
      score: c.score,
      // Scores are a weighted sum that can be negative: the bar spans the listed range.
      bar: hi > lo ? (c.score - lo) / (hi - lo) : 1,
      why: c.why,
      chips: chips(c.components),
      traces,
      patterns: templates.map((t, j) => byTemplate.get(t) ?? unlistedPattern(t, j)),
      series,
      blastRadius: c.blast_radius,
    };
  });

  const d = r.diagnostics;
  return {
    window: span(r.windows.window),
    baseline: span(r.windows.baseline),
    windowSource: r.windows.source,
    candidates,
    confidence: {
      probability: r.confidence.probability,
      certainty: r.confidence.certainty,
      phrase: r.confidence.phrase,
      clearCause: r.confidence.certainty !== 'no_clear_cause',
    },
    patterns,
    diagnostics: {
      total: d.total,
      errors: d.errors,
      skipped: d.skipped,
      warnings: d.warnings,
      entries: d.entries.map((e) => ({ severity: e.severity, reason: e.reason, place: place(e) })),
    },
  };
}

export interface TraceLogView {
  timeMs: number;
  level: string;
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

const traceLog = (l: LogDetail): TraceLogView => ({ timeMs: l.time_ms, level: l.level, body: l.body });
const traceExemplar = (e: ExemplarDetail): TraceExemplarView => ({ timeMs: e.time_ms, value: e.value, series: e.series });

/** A trace as the waterfall draws it: spans in tree order (children after their parent, by start). */
export function traceDetailView(t: TraceDetail): TraceDetailView {
  const flat = t.spans.map(
    (s): TraceSpanView => ({
      spanId: s.span_id,
      parentId: s.parent_span_id ?? undefined,
      service: s.service,
      operation: s.operation,
      startMs: s.start_ms,
      durationMs: s.duration_ms,
      error: s.error,
      depth: 0,
      logs: s.logs.map(traceLog),
      exemplars: s.exemplars.map(traceExemplar),
    })
  );
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
    traceId: t.trace_id,
    spans: ordered,
    startMs: starts.length ? Math.min(...starts) : 0,
    endMs: ends.length ? Math.max(...ends) : 0,
    logs: t.logs.map(traceLog),
    exemplars: t.exemplars.map(traceExemplar),
  };
}
