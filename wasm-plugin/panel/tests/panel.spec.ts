// The panel as a Grafana user meets it: dist/module.js loaded through SystemJS with the real
// @grafana packages, rendered with PanelProps made from real frames, in Debian's Chromium.
import fs from 'node:fs';
import path from 'node:path';

import type { Page } from '@playwright/test';

import { expect, mountPanel, openPage, panelOptions, PLUGIN_ID, REPO, setPanelOptions, test, type PageLog } from './fixtures';
import { fixturePanelData, nezhaPanelData, NEZHA_DEV, type PanelDataJson } from './panel-data';
import type { OnsetCandidate, Report } from 'rootspan';
import { candidateName, formatTime } from '@rootspan/views/model';

import { panelReport as referenceReport } from './reference';

/** The Nezha dev case shown in docs/panel.png. */
const CASE = 'tt-2023-01-29-0843';

async function waitForReport(page: Page) {
  await expect(page.getByTestId('rootspan-report').or(page.getByTestId('rootspan-error')).or(page.getByTestId('rootspan-unavailable'))).toBeVisible({
    timeout: 60_000,
  });
  await expect(page.getByTestId('rootspan-report')).toBeVisible();
}

test('module.js loads through SystemJS with the real Grafana packages and analyses fixture frames', async ({ page, server, log }) => {
  const data = fixturePanelData();
  await mountPanel(page, server, data as never);
  await waitForReport(page);
  // The core's chunk and its .wasm came lazily from the plugin's public path, as Grafana serves them.
  const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
  expect(fetched).toContain(`/public/plugins/${PLUGIN_ID}/module.js`);
  expect(fetched.filter((p) => p.startsWith(`/public/plugins/${PLUGIN_ID}/`) && p.endsWith('.wasm'))).toHaveLength(1);
  // The session runs in the package's worker, a chunk served from the plugin's public path too.
  const workers = page.workers().map((w) => new URL(w.url()).pathname);
  expect(workers.filter((p) => p.startsWith(`/public/plugins/${PLUGIN_ID}/rootspan-worker.`))).toHaveLength(1);
  const ref = await referenceReport(data, { top: 10 });
  await expect(page.getByTestId('candidate')).toHaveCount(ref.candidates.length);
  expect(log.errors).toEqual([]);
});

test.describe('on a Nezha dev case', () => {
  // One page for the case: converting and loading 900 frames is the slow part, so it happens once and
  // the tests below act on the same panel in turn, as a user would.
  test.describe.configure({ mode: 'serial' });
  let page: Page;
  let data: PanelDataJson;
  let ref: Report;
  let log: PageLog;

  test.beforeAll(async ({ chromium, server }) => {
    data = (await nezhaPanelData(CASE)).data;
    ref = await referenceReport(data, { top: 10 });
    ({ page, log } = await openPage(chromium));
    await mountPanel(page, server, `/cache/${CASE}.json`, { range: { from: '2023-01-29T08:40:00Z', to: '2023-01-29T08:52:00Z' } });
    await waitForReport(page);
  });
  test.afterAll(async () => {
    await page.context().close();
  });

  test('shows the top candidate and its why, as the package reports them', async ({}, testInfo) => {
    expect(ref.candidates.length, 'a fault case yields candidates').toBeGreaterThan(0);
    const top = ref.candidates[0]!;
    const first = page.getByTestId('candidate').first();
    await expect(first.getByTestId('candidate-rank')).toHaveText('1');
    await expect(first.getByTestId('candidate-name')).toContainText(candidateName(top));
    await expect(first.getByTestId('candidate-why')).toHaveText(String(top.why));
    await expect(page.getByTestId('candidate')).toHaveCount(ref.candidates.length);
    const truth = JSON.parse(fs.readFileSync(path.join(NEZHA_DEV, CASE, 'truth.json'), 'utf8'));
    testInfo.annotations.push({ type: 'truth', description: `injected into ${truth.service}; ranked first: ${candidateName(top)}` });
    await page.screenshot({ path: testInfo.outputPath('panel-nezha.png') });
    if (process.env.ROOTSPAN_UPDATE_SCREENSHOTS === '1') {
      await page.locator('#root').screenshot({ path: path.join(REPO, 'docs/panel.png') });
      await page.locator('#root').screenshot({ path: path.join(REPO, 'wasm-plugin/panel/src/img/screenshot-candidates.png') });
    }
    expect(log.errors).toEqual([]);
  });

  test('expanding a candidate shows its evidence, with trace links into Explore', async ({}, testInfo) => {
    expect(ref.candidates.length).toBeGreaterThan(0);
    const first = page.getByTestId('candidate').first();
    await expect(first.getByTestId('evidence')).toHaveCount(0);
    await first.getByRole('button', { expanded: false }).click();
    const evidence = first.getByTestId('evidence');
    await expect(evidence).toBeVisible();
    await expect(evidence).toContainText('Traces');
    await expect(evidence).toContainText('Log templates');
    await expect(evidence).toContainText('Metric series');
    const links = evidence.getByTestId('explore-link');
    if ((await links.count()) > 0) {
      const href = (await links.first().getAttribute('href'))!;
      const panes = JSON.parse(new URL(href, 'http://grafana').searchParams.get('panes')!);
      expect(panes.trace.datasource).toBe('rootspan-tempo');
      expect(panes.trace.queries[0].query).toMatch(/^[0-9a-f]{16,32}$/);
    }
    await page.screenshot({ path: testInfo.outputPath('evidence.png') });
    await first.getByRole('button', { expanded: true }).click();
    await expect(first.getByTestId('evidence')).toHaveCount(0);
  });

  test('tabs switch between root causes, log patterns and a trace', async ({}, testInfo) => {
    const patterns = ref.patterns.patterns;
    expect(patterns.length, 'the case has log patterns').toBeGreaterThan(0);
    await page.getByRole('tab', { name: /Log patterns/ }).click();
    await expect(page.getByTestId('pattern')).toHaveCount(patterns.length);
    await expect(page.getByTestId('candidates')).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath('patterns.png') });

    // A trace from the data, typed into the trace tab.
    const traceFrame = data.series.find((f) => f.schema?.name === 'Trace')!;
    const ids = traceFrame.data!.values[0] as string[];
    const traceId = ids[0];
    await page.getByRole('tab', { name: /^Trace/ }).click();
    await page.getByLabel('Trace id').fill(traceId);
    await page.getByRole('button', { name: 'Show' }).click();
    await expect(page.getByTestId('trace-span')).toHaveCount(ids.filter((t) => t === traceId).length);
    await page.screenshot({ path: testInfo.outputPath('trace.png') });
    if (process.env.ROOTSPAN_UPDATE_SCREENSHOTS === '1') {
      await page.locator('#root').screenshot({ path: path.join(REPO, 'wasm-plugin/panel/src/img/screenshot-trace.png') });
    }
    await page.getByRole('tab', { name: /Root causes/ }).click();
    await expect(page.getByTestId('candidates')).toBeVisible();
  });

  test('a candidate onset on the timeline re-analyses from its window; a control returns to the detected one', async ({}, testInfo) => {
    expect(ref.windows.source, 'the panel finds this case\'s window itself').toBe('detected');
    const onsets = ref.windows.onsets;
    expect(onsets.length, 'the case has several candidate onsets').toBeGreaterThan(1);
    const markers = page.getByTestId('onset-marker');
    await expect(markers).toHaveCount(onsets.length);
    await expect(page.locator('[data-testid="onset-marker"][data-chosen="true"]')).toHaveCount(1);
    const other = onsets.findIndex((o) => !o.chosen);
    const onset = onsets[other]!;
    await expect(markers.nth(other)).toHaveAttribute('title', new RegExp(`^Candidate onset at ${formatTime(Date.parse(String(onset.window.start)))}`));
    await expect(markers.nth(other)).toHaveAttribute('aria-pressed', 'false');

    // What the page must show: the package's report for the same frames, analysed from that onset.
    const picked = await referenceReport(data, { top: 10, window: onset.window, baseline: onset.baseline });
    expect(picked.windows.window).toEqual(onset.window);
    const scored = (r: Report) => r.candidates.map((c) => `${candidateName(c)} ${c.score.toFixed(2)}`);
    expect(scored(picked), 'the onset ranks differently, so the list shows which analysis it is').not.toEqual(scored(ref));
    await markers.nth(other).click();
    await expect(page.getByTestId('window-label')).toContainText(windowText(onset, picked.windows.source));
    await expectCandidates(page, picked);
    // The onsets stay offered, the followed one pressed, with the way back.
    await expect(markers).toHaveCount(onsets.length);
    await expect(markers.nth(other)).toHaveAttribute('aria-pressed', 'true');
    await page.screenshot({ path: testInfo.outputPath('onset-picked.png') });

    await page.getByTestId('onset-reset').click();
    await expect(page.getByTestId('window-label')).toContainText(windowText(onsets.find((o) => o.chosen)!, 'detected'));
    await expectCandidates(page, ref);
    await expect(page.getByTestId('onset-reset')).toHaveCount(0);
    expect(log.errors).toEqual([]);
  });

  test('changing an option re-analyses: top N and the incident window', async () => {
    expect(ref.candidates.length).toBeGreaterThan(1);
    await setPanelOptions(page, { top: 1 });
    await expect(page.getByTestId('candidate')).toHaveCount(1);
    await setPanelOptions(page, { top: 10, windowStart: '2023-01-29T08:43:00Z', windowEnd: '2023-01-29T08:45:09Z' });
    await expect(page.getByTestId('window-label')).toContainText('window 2023-01-29 08:43:00Z – 2023-01-29 08:45:09Z (given');
    await setPanelOptions(page, { windowStart: '', windowEnd: '' });
    await expect(page.getByTestId('window-label')).not.toContainText('(given');
  });

  test('selecting a span of time on the timeline sets the incident window', async () => {
    const box = (await page.getByTestId('timeline').boundingBox())!;
    // 08:43 .. 08:46 on the 08:40 .. 08:52 axis: 25% .. 50%.
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const options = await panelOptions(page);
    const start = Date.parse(String(options.windowStart));
    const end = Date.parse(String(options.windowEnd));
    expect(Math.abs(start - Date.parse('2023-01-29T08:43:00Z'))).toBeLessThan(15_000);
    expect(Math.abs(end - Date.parse('2023-01-29T08:46:00Z'))).toBeLessThan(15_000);
    await expect(page.getByTestId('window-label')).toContainText('(given');
    expect(log.errors).toEqual([]);
  });
});

/** The timeline's words for this window. */
const windowText = (onset: OnsetCandidate, source: string) =>
  `window ${formatTime(Date.parse(String(onset.window.start)))} – ${formatTime(Date.parse(String(onset.window.end)))} (${source})`;

/** The candidate list shows this report's candidates, in order, with their scores. */
async function expectCandidates(page: Page, report: Report) {
  const shown = page.getByTestId('candidate');
  await expect(shown).toHaveCount(report.candidates.length);
  await expect(shown.getByTestId('candidate-name')).toContainText(report.candidates.map(candidateName));
  await expect(shown.locator('button[aria-expanded]')).toContainText(report.candidates.map((c) => c.score.toFixed(2)));
}

test('a log line holding HTML shows as text and runs nothing', async ({ page, server, log }) => {
  const attack = '<img src=x onerror=alert(1)> payment failed for order <b>42</b>';
  const now = Date.parse('2026-01-01T00:00:00Z');
  const rows = 30;
  const times = Array.from({ length: rows }, (_, i) => now - i * 1000);
  const frame = {
    schema: {
      refId: 'B',
      meta: { custom: { frameType: 'LabeledTimeValues' } },
      fields: [
        { name: 'labels', type: 'other' },
        { name: 'Time', type: 'time' },
        { name: 'Line', type: 'string' },
        { name: 'tsNs', type: 'string' },
        { name: 'id', type: 'string' },
      ],
    },
    data: {
      values: [
        times.map(() => ({ service_name: 'checkout', level: 'error' })),
        times,
        times.map(() => attack),
        times.map((t) => `${t}000000`),
        times.map((t, i) => `${t}_${i}`),
      ],
    },
  };
  await page.addInitScript(() => {
    (window as unknown as { __alerted: number }).__alerted = 0;
    window.alert = () => {
      (window as unknown as { __alerted: number }).__alerted++;
    };
  });
  await mountPanel(page, server, { series: [frame], range: { from: now - 60_000, to: now + 1000 } });
  await waitForReport(page);
  await page.getByRole('tab', { name: /Log patterns/ }).click();
  const panel = page.getByTestId('rootspan-panel');
  await expect(panel).toContainText('onerror=alert(1)');
  await expect(panel.locator('img')).toHaveCount(0);
  await expect(panel.locator('b')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __alerted: number }).__alerted)).toBe(0);
  expect(log.dialogs).toEqual([]);
});

test('without WebAssembly the panel says so plainly', async ({ page, server }) => {
  await page.addInitScript(() => {
    delete (window as unknown as { WebAssembly?: unknown }).WebAssembly;
  });
  await mountPanel(page, server, fixturePanelData() as never);
  await expect(page.getByTestId('rootspan-unavailable')).toContainText('cannot run WebAssembly');
  const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
  expect(fetched.filter((u) => u.endsWith('.wasm'))).toEqual([]);
});
