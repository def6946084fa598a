#!/usr/bin/env node
// Turns a case's raw telemetry (OTLP/JSON traces, Loki query_range streams, Prometheus query_range
// matrix) into the DataFrame wire JSON that Grafana's Tempo, Loki and Prometheus datasources hand a
// panel, so the browser tests render the panel from what Grafana would really give it.
//
// Shapes follow the datasource backends (see docs/ and the upstream datasource backends):
// - Tempo trace-by-id: frame "Trace", preferredVisualisationType "trace", 17 fields, startTime and
//   duration in float ms, tags/serviceTags as [{key, value}], root parentSpanID "0000000000000000".
// - Loki (default, non-dataplane): one "LabeledTimeValues" frame: labels, Time (ms + nanos), Line,
//   tsNs, labelTypes (I indexed, S structured metadata), id; newest first, as Loki returns them.
// - Prometheus matrix: one "timeseries-multi" frame per series: Time, Value with the series labels.
//
// Usage: node scripts/nezha-to-frames.mjs CASE_DIR OUT.json
// Output: {"series": [frame JSON...], "annotations": [], "targets": [...], "window": {...}}.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export const DATASOURCES = {
  tempo: { type: 'tempo', uid: 'rootspan-tempo' },
  loki: { type: 'loki', uid: 'rootspan-loki' },
  prometheus: { type: 'prometheus', uid: 'rootspan-prometheus' },
};

const readJson = (file) => {
  const bytes = fs.readFileSync(file);
  return JSON.parse((file.endsWith('.gz') ? zlib.gunzipSync(bytes) : bytes).toString('utf8'));
};

const SPAN_KINDS = ['', 'internal', 'server', 'client', 'producer', 'consumer'];
const KIND_NAMES = {
  SPAN_KIND_INTERNAL: 'internal',
  SPAN_KIND_SERVER: 'server',
  SPAN_KIND_CLIENT: 'client',
  SPAN_KIND_PRODUCER: 'producer',
  SPAN_KIND_CONSUMER: 'consumer',
};
const STATUS_CODES = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

/** An OTLP AnyValue as the plain value Tempo's frame holds (maps and arrays stringified). */
function anyValue(v) {
  if (!v) return null;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  return JSON.stringify(v.arrayValue ?? v.kvlistValue ?? v.bytesValue ?? null);
}

const keyValues = (attrs) => (attrs ?? []).map((a) => ({ value: anyValue(a.value), key: a.key }));

/** Tempo writes hex ids; 128-bit ids whose upper half is zero lose it (TrimPrefix of 16 zeros). */
const tempoTraceId = (hex) => hex.toLowerCase().replace(/^0{16}/, '');

const nsToMs = (ns) => Number(BigInt(ns) / 1000n) / 1000;

function field(name, type, frameType, values, extra = {}) {
  return { schema: { name, type, typeInfo: { frame: frameType, ...(extra.nullable ? { nullable: true } : {}) }, ...(extra.config ? { config: extra.config } : {}), ...(extra.labels ? { labels: extra.labels } : {}) }, values };
}

function frame(name, refId, meta, fields, nanos) {
  return {
    schema: { ...(name ? { name } : {}), refId, meta, fields: fields.map((f) => f.schema) },
    data: { values: fields.map((f) => f.values), ...(nanos ? { nanos } : {}) },
  };
}

export function tempoTraceFrame(otlp, refId = 'A') {
  const cols = Array.from({ length: 17 }, () => []);
  for (const rs of otlp.resourceSpans ?? []) {
    const resourceAttrs = rs.resource?.attributes ?? [];
    const serviceName = anyValue(resourceAttrs.find((a) => a.key === 'service.name')?.value) ?? 'OTLPResourceNoServiceName';
    const serviceTags = keyValues(resourceAttrs);
    for (const ss of rs.scopeSpans ?? rs.instrumentationLibrarySpans ?? []) {
      const scope = ss.scope ?? ss.instrumentationLibrary ?? {};
      for (const s of ss.spans ?? []) {
        const kind = typeof s.kind === 'number' ? SPAN_KINDS[s.kind] ?? '' : KIND_NAMES[s.kind] ?? '';
        const code = s.status?.code;
        const statusCode = typeof code === 'number' ? code : STATUS_CODES[code] ?? 0;
        const start = BigInt(s.startTimeUnixNano);
        const end = BigInt(s.endTimeUnixNano);
        const events = (s.events ?? []).map((e) => ({ timestamp: nsToMs(e.timeUnixNano), fields: keyValues(e.attributes), name: e.name }));
        const row = [
          tempoTraceId(s.traceId),
          s.spanId.toLowerCase(),
          s.parentSpanId ? s.parentSpanId.toLowerCase() : '0000000000000000',
          s.name,
          serviceName,
          kind,
          statusCode,
          s.status?.message ?? '',
          scope.name ?? '',
          scope.version ?? '',
          s.traceState ?? '',
          serviceTags,
          nsToMs(start),
          Number(end - start) / 1e6,
          events.length ? events : null,
          (s.links ?? []).map((l) => ({ spanID: l.spanId, traceID: l.traceId.replace(/^0+/, ''), tags: keyValues(l.attributes) })),
          keyValues(s.attributes),
        ];
        row.forEach((v, i) => cols[i].push(v));
      }
    }
  }
  const str = (name, i) => field(name, 'string', 'string', cols[i]);
  const other = (name, i) => field(name, 'other', 'json.RawMessage', cols[i]);
  return frame('Trace', refId, { preferredVisualisationType: 'trace' }, [
    str('traceID', 0),
    str('spanID', 1),
    str('parentSpanID', 2),
    str('operationName', 3),
    str('serviceName', 4),
    str('kind', 5),
    field('statusCode', 'number', 'int64', cols[6]),
    str('statusMessage', 7),
    str('instrumentationLibraryName', 8),
    str('instrumentationLibraryVersion', 9),
    str('traceState', 10),
    other('serviceTags', 11),
    field('startTime', 'number', 'float64', cols[12]),
    field('duration', 'number', 'float64', cols[13]),
    other('logs', 14),
    other('references', 15),
    other('tags', 16),
  ]);
}

/** FNV-1a of the text, 8 hex: stands in for the hash Loki's frame ids carry. */
function fnv32(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export function lokiLogsFrame(loki, refId = 'B') {
  const rows = [];
  for (const stream of loki.data?.result ?? []) {
    for (const [tsNs, line, meta] of stream.values) {
      const structured = meta?.structuredMetadata ?? {};
      const labels = { ...stream.stream, ...structured };
      const labelTypes = Object.fromEntries([...Object.keys(stream.stream).map((k) => [k, 'I']), ...Object.keys(structured).map((k) => [k, 'S'])]);
      rows.push({ tsNs, line, labels, labelTypes });
    }
  }
  // Loki answers a backward query newest first, across streams.
  rows.sort((a, b) => (BigInt(b.tsNs) > BigInt(a.tsNs) ? 1 : BigInt(b.tsNs) < BigInt(a.tsNs) ? -1 : 0));
  const seen = new Map();
  const ids = rows.map((r) => {
    const base = `${r.tsNs}_${fnv32(JSON.stringify(r.labels) + r.line)}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n ? `${base}_${n}` : base;
  });
  const ms = rows.map((r) => Number(BigInt(r.tsNs) / 1000000n));
  const nanos = rows.map((r) => Number(BigInt(r.tsNs) % 1000000n));
  return frame(
    '',
    refId,
    { typeVersion: [0, 0], custom: { frameType: 'LabeledTimeValues' }, executedQueryString: 'Expr: {namespace="trainticket"}' },
    [
      field('labels', 'other', 'json.RawMessage', rows.map((r) => r.labels)),
      field('Time', 'time', 'time.Time', ms),
      field('Line', 'string', 'string', rows.map((r) => r.line)),
      field('tsNs', 'string', 'string', rows.map((r) => r.tsNs)),
      field('labelTypes', 'other', 'json.RawMessage', rows.map((r) => r.labelTypes), { config: { custom: { hidden: true } } }),
      field('id', 'string', 'string', ids),
    ],
    nanos.some((n) => n !== 0) ? [null, nanos, null, null, null, null] : undefined
  );
}

export function prometheusFrames(prom, refId = 'C') {
  return (prom.data?.result ?? []).map((series) => {
    const times = series.values.map(([t]) => Math.round(t * 1000));
    const values = series.values.map(([, v]) => Number(v));
    return frame('', refId, { type: 'timeseries-multi', typeVersion: [0, 1], custom: { resultType: 'matrix' } }, [
      field('Time', 'time', 'time.Time', times),
      field('Value', 'number', 'float64', values, { labels: series.metric }),
    ]);
  });
}

/** Everything a dashboard with one Tempo, one Loki and one Prometheus query would hand the panel. */
export function caseToPanelData(caseDir) {
  const series = [];
  const targets = [];
  const traces = path.join(caseDir, 'traces.otlp.json.gz');
  const logs = path.join(caseDir, 'logs.loki.json.gz');
  const metrics = path.join(caseDir, 'metrics.prom.json.gz');
  if (fs.existsSync(traces)) {
    series.push(tempoTraceFrame(readJson(traces), 'A'));
    targets.push({ refId: 'A', datasource: DATASOURCES.tempo, queryType: 'traceql' });
  }
  if (fs.existsSync(logs)) {
    series.push(lokiLogsFrame(readJson(logs), 'B'));
    targets.push({ refId: 'B', datasource: DATASOURCES.loki, expr: '{namespace="trainticket"}' });
  }
  if (fs.existsSync(metrics)) {
    series.push(...prometheusFrames(readJson(metrics), 'C'));
    targets.push({ refId: 'C', datasource: DATASOURCES.prometheus, expr: '{namespace="trainticket"}' });
  }
  const caseJson = path.join(caseDir, 'case.json');
  const window = fs.existsSync(caseJson) ? readJson(caseJson).window : undefined;
  return { series, annotations: [], targets, window };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const [caseDir, out] = process.argv.slice(2);
  if (!caseDir || !out) {
    console.error('usage: nezha-to-frames.mjs CASE_DIR OUT.json');
    process.exit(2);
  }
  const data = caseToPanelData(caseDir);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(data));
  console.error(`${out}: ${data.series.length} frames`);
}
