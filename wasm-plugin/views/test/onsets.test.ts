// The candidate onsets on the timeline, on a real report: a Nezha dev case whose window the core detects with
// several candidate onsets, analysed by the rootspan package in Node. The markup is React's own (server
// rendering); the click is the marker's own handler, and the window it asks for is analysed by the core again.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createElement, isValidElement, type ReactElement, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { Session } from 'rootspan';
import type { Options, Report } from 'rootspan';

import type { OnsetChoice } from '../src/engine/rootspan';
import { withOnset } from '../src/engine/options';
import { formatTime, onsetViews, reportView, timeMs, type OnsetView } from '../src/model';
import { OnsetMarkers, Timeline } from '../src/Timeline';
import { lightTheme } from '../src/theme';

/** A case whose detected window has more than one candidate onset (the panel's browser test uses it too). */
const CASE = fileURLToPath(new URL('../../../testdata/rca/nezha-tt/dev/tt-2023-01-29-0843/', import.meta.url));
const OPTIONS: Options = { top: 10 };

let session: Session;
let report: Report;

before(async () => {
  session = await Session.create();
  for (const f of readdirSync(CASE).filter((f) => f.endsWith('.json.gz'))) {
    await session.addBytes(readFileSync(CASE + f), f);
  }
  report = await session.analyze(OPTIONS);
});
after(() => session.close());

/** A choice as `useAnalysis` makes it, recording what is picked. */
function choice(onsets: OnsetView[], picked?: number): OnsetChoice & { picks: number[]; resets: number } {
  const c = {
    onsets,
    picked,
    picks: [] as number[],
    resets: 0,
    pick: (i: number) => void c.picks.push(i),
    reset: () => void c.resets++,
  };
  return c;
}

const timeline = (onsets?: OnsetChoice) => renderToStaticMarkup(createElement(Timeline, { view: reportView(report), onsets }));

/** The markup's onset markers, each as its attributes. */
function markers(html: string): Array<Record<string, string>> {
  return [...html.matchAll(/<button [^>]*data-testid="onset-marker"[^>]*>/g)].map((m) =>
    Object.fromEntries([...m[0].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]))
  );
}

/** The elements of a tree (function components are not run) with this test id. */
function byTestId(node: ReactNode, id: string): ReactElement<Record<string, unknown>>[] {
  if (Array.isArray(node)) return node.flatMap((n) => byTestId(n, id));
  if (!isValidElement<Record<string, unknown>>(node)) return [];
  const own = node.props['data-testid'] === id ? [node] : [];
  return [...own, ...byTestId(node.props.children as ReactNode, id)];
}

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('candidate onsets of a detected window', () => {
  it('the view lists every candidate in time order, one chosen, each labelled with its time and signals', () => {
    assert.equal(report.windows.source, 'detected');
    const raw = report.windows.onsets;
    assert.ok(raw.length > 1, `the case has several candidate onsets (${raw.length})`);
    const onsets = onsetViews(report);
    assert.equal(onsets.length, raw.length);
    assert.equal(onsets.filter((o) => o.chosen).length, 1);
    onsets.forEach((o, i) => {
      const r = raw[i]!;
      assert.deepEqual(o.request, r.baseline ? { window: r.window, baseline: r.baseline } : { window: r.window });
      assert.equal(o.window.startMs, timeMs(r.window.start));
      assert.equal(o.chosen, r.chosen);
      assert.ok(o.label.includes(formatTime(o.window.startMs)), o.label);
      for (const s of r.signals) assert.ok(o.label.includes(s), `${o.label} names ${s}`);
      if (i > 0) assert.ok(o.window.startMs >= onsets[i - 1]!.window.startMs, 'in time order');
    });
    // The chosen onset is the report's window.
    assert.deepEqual(onsets.find((o) => o.chosen)!.window, reportView(report).window);
  });

  it('the timeline marks each onset with its label, the detected one distinct and pressed', () => {
    const onsets = onsetViews(report);
    const found = markers(timeline(choice(onsets)));
    assert.equal(found.length, onsets.length);
    found.forEach((m, i) => {
      assert.equal(unescape(m['aria-label']!), onsets[i]!.label);
      assert.equal(unescape(m['title']!), onsets[i]!.label);
      assert.equal(m['data-chosen'], String(onsets[i]!.chosen));
      assert.equal(m['aria-pressed'], String(onsets[i]!.chosen), 'the report follows the detected onset');
    });
    assert.equal(markers(timeline()).length, 0, 'no choice, no markers');
  });

  it('a picked onset is the pressed one, and the way back to the detected window shows', () => {
    const onsets = onsetViews(report);
    const other = onsets.findIndex((o) => !o.chosen);
    const html = timeline(choice(onsets, other));
    assert.deepEqual(
      markers(html).map((m) => m['aria-pressed']),
      onsets.map((_, i) => String(i === other))
    );
    assert.match(html, /data-testid="onset-reset"/);
    assert.ok(unescape(html).includes(`candidate onset at ${formatTime(onsets[other]!.window.startMs)}`));
    assert.doesNotMatch(timeline(choice(onsets)), /onset-reset/);
  });

  it('signal names are text: a template holding HTML is escaped, never markup', () => {
    const attack = '<img src=x onerror=alert(1)> "quoted"';
    const hostile = { ...report, windows: { ...report.windows, onsets: report.windows.onsets.map((o) => ({ ...o, signals: [attack] })) } };
    const html = timeline(choice(onsetViews(hostile)));
    assert.doesNotMatch(html, /<img/);
    assert.ok(markers(html).every((m) => unescape(m['aria-label']!).includes(attack)));
  });

  it('clicking a marker picks that onset, and analysing with the window it requests gives that window', async () => {
    const onsets = onsetViews(report);
    const other = onsets.findIndex((o) => !o.chosen);
    const c = choice(onsets);
    const buttons = byTestId(OnsetMarkers({ choice: c, theme: lightTheme, left: () => '0%' }), 'onset-marker');
    assert.equal(buttons.length, onsets.length);
    (buttons[other]!.props.onClick as () => void)();
    assert.deepEqual(c.picks, [other]);

    const options = withOnset(OPTIONS, onsets[other]!);
    assert.deepEqual(options.window, onsets[other]!.request.window);
    assert.deepEqual(options.baseline, onsets[other]!.request.baseline);
    const again = await session.analyze(options);
    assert.deepEqual(again.windows.window, report.windows.onsets[other]!.window);
    // Without a baseline of its own the core places one right before the window.
    if (onsets[other]!.request.baseline) assert.deepEqual(again.windows.baseline, onsets[other]!.request.baseline);
    assert.deepEqual(onsetViews(again), [], 'a given window offers no onsets');
  });

  it('only a detected window offers onsets', () => {
    for (const source of ['given', 'given_window', 'undetected']) {
      assert.deepEqual(onsetViews({ ...report, windows: { ...report.windows, source } }), [], source);
    }
  });
});
