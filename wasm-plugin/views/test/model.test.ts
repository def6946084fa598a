// The view model on real reports: the sample incident (and a file the core cannot read, for diagnostics)
// analysed by the rootspan package in Node, so the report shapes are the core's own, never hand-written.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Session } from 'rootspan';
import type { Report, TraceDetail } from 'rootspan';

import { parseSeriesKey, reportView, traceDetailView } from '../src/model';

const SAMPLE = fileURLToPath(new URL('../../../samples/incident/', import.meta.url));
const JUNK = 'notes.json';

let report: Report;
let traces: TraceDetail[];

before(async () => {
  const session = await Session.create();
  try {
    for (const f of readdirSync(SAMPLE).filter((f) => f.endsWith('.json.gz'))) {
      await session.addBytes(readFileSync(SAMPLE + f), `samples/incident/${f}`);
    }
    await session.addBytes(new TextEncoder().encode('{"this is": "not telemetry"'), JUNK);
    report = await session.analyze({ top: 10 });
    const ids = [...new Set(report.candidates.flatMap((c) => c.evidence.flatMap((e) => (e.kind === 'trace' ? [e.trace_id] : []))))];
    traces = [];
    for (const id of ids.slice(0, 5)) {
      const detail = await session.trace(id);
      if (detail) traces.push(detail);
    }
  } finally {
    session.close();
  }
});

describe('reportView on the sample incident', () => {
  it('lists every candidate in rank order with its name, why and a bar in [0, 1]', () => {
    const view = reportView(report);
    assert.ok(report.candidates.length > 0, 'the sample incident yields candidates');
    assert.equal(view.candidates.length, report.candidates.length);
    view.candidates.forEach((c, i) => {
      const raw = report.candidates[i]!;
      assert.equal(c.rank, raw.rank);
      assert.ok(c.name.startsWith(raw.service), `${c.name} names ${raw.service}`);
      if (raw.operation) assert.ok(c.name.includes(raw.operation));
      assert.equal(c.why, raw.why);
      assert.ok(c.bar >= 0 && c.bar <= 1, `bar ${c.bar}`);
      assert.deepEqual(c.blastRadius, raw.blast_radius);
    });
    const best = Math.max(...report.candidates.map((c) => c.score));
    assert.equal(view.candidates.find((c) => c.score === best)?.bar, 1, 'the best score fills the bar');
  });

  it('splits evidence into traces, listed templates and parsed series', () => {
    const view = reportView(report);
    const listed = new Set(report.patterns.patterns.map((p) => p.template));
    let templates = 0;
    view.candidates.forEach((c, i) => {
      const evidence = report.candidates[i]!.evidence;
      assert.deepEqual(c.traces, evidence.flatMap((e) => (e.kind === 'trace' ? [e.trace_id] : [])));
      assert.deepEqual(
        c.patterns.map((p) => p.template),
        evidence.flatMap((e) => (e.kind === 'template' ? [e.template] : []))
      );
      for (const p of c.patterns) {
        templates++;
        // A listed template shows its counts; one the section does not list shows the template alone.
        assert.equal(p.count > 0, listed.has(p.template), p.template);
      }
      assert.deepEqual(
        c.series.map((s) => s.key),
        evidence.flatMap((e) => (e.kind === 'series' ? [e.series] : []))
      );
      for (const s of c.series) {
        assert.ok(s.key.startsWith(s.name), s.key);
        for (const [k, v] of s.labels) assert.ok(s.key.includes(`${k}="`) && s.key.includes(v), `${k}=${v} in ${s.key}`);
      }
    });
    assert.ok(templates > 0, 'the sample has log evidence');
  });

  it('makes chips of the components with a positive contrast, strongest first, coloured by source', () => {
    const view = reportView(report);
    view.candidates.forEach((c, i) => {
      const positive = report.candidates[i]!.components.filter((x) => x.contrast > 0).sort((a, b) => b.contrast - a.contrast);
      assert.deepEqual(
        c.chips.map((x) => x.signal),
        positive.map((x) => x.source)
      );
      c.chips.forEach((chip, j) => assert.ok(chip.label.startsWith(positive[j]!.name.replace(/^(trace|log|metric)_/, '').replace(/_/g, ' '))));
    });
  });

  it('carries the confidence: its probability, certainty and phrase, "no clear root cause" when weak', () => {
    const view = reportView(report);
    assert.equal(view.confidence.probability, report.confidence.probability);
    assert.equal(view.confidence.phrase, report.confidence.phrase);
    assert.ok(view.confidence.phrase.length > 0);
    assert.equal(view.confidence.clearCause, !view.confidence.phrase.startsWith('No clear root cause'));
    const weak = reportView({ ...report, confidence: { ...report.confidence, certainty: 'no_clear_cause', phrase: 'No clear root cause: x' } });
    assert.equal(weak.confidence.clearCause, false);
  });

  it('reads the windows and the pattern section: bucket axis, levels, services, changes', () => {
    const view = reportView(report);
    const w = report.windows.window;
    assert.ok(w, 'the sample has a window');
    assert.deepEqual(view.window, { startMs: Date.parse(String(w.start)), endMs: Date.parse(String(w.end)) });
    assert.equal(view.windowSource, report.windows.source);
    assert.equal(view.patterns.length, report.patterns.patterns.length);
    const b = report.patterns.buckets;
    assert.ok(b, 'the sample has log times');
    const changed = new Map([...report.patterns.new, ...report.patterns.surging, ...report.patterns.dropped].map((c) => [c.id, c.change]));
    assert.ok(changed.size > 0, 'the sample has changed patterns');
    view.patterns.forEach((p, i) => {
      const raw = report.patterns.patterns[i]!;
      assert.deepEqual(p.bucketSpan, { startMs: Date.parse(b.start), endMs: Date.parse(b.start) + b.width_ms * b.count });
      assert.equal(p.buckets.length, raw.buckets.length);
      assert.equal(
        p.levels.reduce((n, [, c]) => n + c, 0),
        raw.count,
        'every record has one level'
      );
      assert.deepEqual(p.services, raw.services.map((s) => s.name));
      assert.equal(p.change, changed.get(raw.id));
      assert.deepEqual(p.traces, raw.traces.first);
      assert.equal(p.traceCount, raw.traces.count);
    });
  });

  it('places each diagnostic: the unreadable file is named', () => {
    const view = reportView(report);
    assert.equal(view.diagnostics.total, report.diagnostics.total);
    assert.equal(view.diagnostics.entries.length, report.diagnostics.entries.length);
    assert.ok(
      view.diagnostics.entries.some((d) => d.place.startsWith(JUNK) && d.severity !== ''),
      JSON.stringify(view.diagnostics.entries)
    );
  });
});

describe('traceDetailView on the sample incident', () => {
  it('orders spans as a tree: each child after its parent, one level deeper, every span once', () => {
    assert.ok(traces.length > 0, 'candidates name traces the session holds');
    for (const t of traces) {
      const view = traceDetailView(t);
      assert.equal(view.traceId, t.trace_id);
      assert.equal(new Set(view.spans.map((s) => s.spanId)).size, view.spans.length);
      assert.equal(view.spans.length, t.spans.length, 'no parent cycle in the sample: every span is drawn');
      const at = new Map(view.spans.map((s, i) => [s.spanId, i]));
      for (const [i, s] of view.spans.entries()) {
        const parent = s.parentId === undefined ? undefined : at.get(s.parentId);
        if (parent === undefined) {
          assert.equal(s.depth, 0, `${s.spanId} is a root or an orphan`);
        } else {
          assert.ok(parent < i, 'a parent comes first');
          assert.equal(s.depth, view.spans[parent]!.depth + 1);
        }
        assert.ok(s.startMs >= view.startMs && s.startMs + s.durationMs <= view.endMs);
      }
      const logs = t.spans.reduce((n, s) => n + s.logs.length, 0);
      assert.equal(
        view.spans.reduce((n, s) => n + s.logs.length, 0),
        logs
      );
      assert.equal(view.logs.length, t.logs.length);
    }
  });
});

describe('parseSeriesKey', () => {
  it('reads the name and the quoted labels, escapes included', () => {
    assert.deepEqual(parseSeriesKey('up'), { name: 'up', labels: [] });
    assert.deepEqual(parseSeriesKey('http_requests_total{job="api",path="/a\\"b"}'), {
      name: 'http_requests_total',
      labels: [
        ['job', 'api'],
        ['path', '/a"b'],
      ],
    });
  });
});
