// The web demo as a user meets it: the built page in Debian's Chromium, the sample incident or files
// picked from disk, analysed in the page by the rootspan package.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { candidateName, formatTime } from '@rootspan/views/model';
import { referenceReport } from '@rootspan/views/testing/reference';
import type { Options, Report } from 'rootspan';

import { expect, REPO, SAMPLE_DIR, sampleFiles, test, WORKLOAD_DIR } from './fixtures';
import { writeWorkload } from './workload';

/** The package's report in Node for the same bytes under the same names: what the page must show. */
const filesReport = (files: Array<{ name: string; bytes: Uint8Array }>, options: Options = {}): Promise<Report> =>
  referenceReport(async (session) => {
    for (const f of files) await session.addBytes(f.bytes, f.name);
  }, options);

const sampleInputs = () => sampleFiles().map((f) => ({ name: `samples/incident/${f}`, bytes: fs.readFileSync(path.join(SAMPLE_DIR, f)) }));

test('the sample incident: ranked candidates as the package reports them', async ({ page, server, log }, testInfo) => {
  await page.goto(`${server.url}/demo/index.html`);
  await expect(page.getByTestId('rootspan-nodata')).toBeVisible();
  await page.getByTestId('load-sample').click();
  await expect(page.getByTestId('rootspan-report')).toBeVisible({ timeout: 60_000 });
  const ref = await filesReport(sampleInputs(), { top: 10 });
  expect(ref.candidates.length, 'the sample incident yields candidates').toBeGreaterThan(0);
  const first = page.getByTestId('candidate').first();
  await expect(first.getByTestId('candidate-name')).toContainText(candidateName(ref.candidates[0]!));
  await expect(first.getByTestId('candidate-why')).toHaveText(ref.candidates[0]!.why);
  await expect(page.getByTestId('candidate')).toHaveCount(ref.candidates.length);
  await first.getByRole('button', { expanded: false }).click();
  await expect(first.getByTestId('evidence')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('web-demo.png'), fullPage: true });
  if (process.env.ROOTSPAN_UPDATE_SCREENSHOTS === '1') {
    fs.mkdirSync(path.join(REPO, 'docs'), { recursive: true });
    await page.screenshot({ path: path.join(REPO, 'docs/web-demo.png') });
  }
  // An option change re-analyses the same decoded files.
  await page.getByLabel('Top').fill('1');
  await expect(page.getByTestId('candidate')).toHaveCount(1);
  await page.getByRole('tab', { name: /Log patterns/ }).click();
  await expect(page.getByTestId('pattern')).toHaveCount(ref.patterns.patterns.length);
  expect(log.errors).toEqual([]);
});

/** Counts the workers the page starts and ends (the package runs each session in one). */
async function countWorkers(page: import('@playwright/test').Page): Promise<() => Promise<{ started: number; ended: number }>> {
  await page.addInitScript(() => {
    const counts = { started: 0, ended: 0 };
    (window as unknown as { __workers: typeof counts }).__workers = counts;
    const Original = window.Worker;
    window.Worker = class extends Original {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        counts.started++;
      }
      terminate() {
        counts.ended++;
        super.terminate();
      }
    };
  });
  return () => page.evaluate(() => (window as unknown as { __workers: { started: number; ended: number } }).__workers);
}

test('sessions live in effects: on new inputs the previous worker is ended, one runs', async ({ page, server, log }) => {
  const live = await countWorkers(page);
  await page.goto(`${server.url}/demo/index.html`);
  await page.getByTestId('load-sample').click();
  await expect(page.getByTestId('rootspan-report')).toBeVisible({ timeout: 60_000 });
  const first = await live();
  expect(first.started, 'the session runs in a worker').toBeGreaterThanOrEqual(1);
  expect(first.started - first.ended, 'one worker is alive').toBe(1);
  await page.getByTestId('load-sample').click();
  await expect.poll(async () => (await live()).started).toBeGreaterThan(first.started);
  await expect(page.getByTestId('rootspan-report')).toBeVisible({ timeout: 60_000 });
  const second = await live();
  expect(second.started - second.ended, "the previous input's worker was ended").toBe(1);
  expect(log.errors).toEqual([]);
});

test('under StrictMode in a development build (effects mount, unmount, mount) no worker is left behind', async ({ page, server }) => {
  const live = await countWorkers(page);
  // `?sample`: the sample and the package are there at the first render, so the session effect runs at mount, and
  // StrictMode runs it, cleans it up (closing a session still being made) and runs it again.
  await page.goto(`${server.url}/demo-dev/index.html?sample`);
  await expect(page.getByTestId('rootspan-report')).toBeVisible({ timeout: 60_000 });
  const counts = await live();
  expect(counts.started, 'the effect ran twice: a worker each time').toBeGreaterThanOrEqual(2);
  expect(counts.started - counts.ended, 'the first mount\'s worker was ended').toBe(1);
  // An option change while the report shows re-analyses in the same worker.
  await page.getByLabel('Top').fill('1');
  await expect(page.getByTestId('candidate')).toHaveCount(1);
  expect((await live()).started - (await live()).ended).toBe(1);
});

test('under StrictMode, candidate onsets re-analyse from the keyboard: the last one picked is shown, the one it cancelled shows nothing', async ({ page, server, log }) => {
  const live = await countWorkers(page);
  // Any error the page shows, however briefly: the analysis a newer pick cancels must show none.
  await page.addInitScript(() => {
    const errors: string[] = [];
    (window as unknown as { __shown: string[] }).__shown = errors;
    new MutationObserver(() => {
      const shown = document.querySelector('[data-testid="rootspan-error"]')?.textContent;
      if (shown && errors[errors.length - 1] !== shown) errors.push(shown);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  const caseDir = path.join(REPO, 'testdata/rca/nezha-tt/dev/tt-2023-01-29-0843');
  const files = ['traces.otlp.json.gz', 'logs.loki.json.gz', 'metrics.prom.json.gz'].map((f) => path.join(caseDir, f));
  await page.goto(`${server.url}/demo-dev/index.html`);
  await page.getByTestId('file-input').setInputFiles(files);
  await expect(page.getByTestId('rootspan-report')).toBeVisible({ timeout: 60_000 });
  const inputs = files.map((f) => ({ name: path.basename(f), bytes: fs.readFileSync(f) }));
  const ref = await filesReport(inputs, { top: 10 });
  expect(ref.windows.source).toBe('detected');
  const onsets = ref.windows.onsets;
  const others = onsets.flatMap((o, i) => (o.chosen ? [] : [i]));
  expect(others.length, 'the case has candidate onsets besides the detected one').toBeGreaterThan(0);
  const markers = page.getByTestId('onset-marker');
  await expect(markers).toHaveCount(onsets.length);

  // Two picks in a row, the second before the first analysis is done: the second one is what shows.
  const first = others[0]!;
  const last = others.length > 1 ? others[1]! : onsets.findIndex((o) => o.chosen);
  const want = onsets[last]!;
  const expected = want.chosen ? ref : await filesReport(inputs, { top: 10, window: want.window, baseline: want.baseline });
  const labelOf = (r: Report) => `window ${formatTime(Date.parse(String(r.windows.window!.start)))} – ${formatTime(Date.parse(String(r.windows.window!.end)))} (${r.windows.source})`;
  await markers.nth(first).focus();
  await page.keyboard.press('Enter');
  await markers.nth(last).focus();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('window-label')).toContainText(labelOf(expected));
  await expect(markers.nth(last)).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('candidate')).toHaveCount(expected.candidates.length);
  await expect(page.getByTestId('candidate-name')).toContainText(expected.candidates.map(candidateName));
  expect(await page.evaluate(() => (window as unknown as { __shown: string[] }).__shown), 'the cancelled analysis showed no error').toEqual([]);
  const counts = await live();
  expect(counts.started - counts.ended, 'one worker runs').toBe(1);
  expect(log.errors).toEqual([]);
});

interface Watched {
  longTasks: Array<{ start: number; duration: number }>;
  addMs: number;
  analyseMs: number;
  clicks: Array<{ at: number; analysing: boolean }>;
  totals: { spans: number; logs: number; series: number };
  top: string | null;
}
type WatchedWindow = {
  responsiveReady?: boolean;
  analyzeWatched(urls: readonly string[], names: readonly string[], asFrame: string | null): Promise<Watched>;
};

for (const asFrame of [null, 'logs.loki.json']) {
  const how = asFrame ? 'its 100,000 log lines as a DataFrame packed in the page' : 'as files';
  test(`the page stays responsive while a tenth of the issue-12 workload is analysed, ${how}: no long task, clicks handled`, async ({ page, server, log }, testInfo) => {
    const workload = writeWorkload(WORKLOAD_DIR, 0.1);
    const names = workload.files.map((f) => path.basename(f));
    await page.goto(`${server.url}/responsive.html`);
    await page.waitForFunction(() => (window as unknown as WatchedWindow).responsiveReady === true);
    const watched = page.evaluate(([urls, n, frame]) => (window as unknown as WatchedWindow).analyzeWatched(urls, n, frame), [names.map((n) => `/workload/${n}`), names, asFrame] as const);
    // Real clicks every 20 ms until the report: one click after the analysis started could come
    // after a fast analysis ended; a stream of them lands inside it whatever its length.
    let reported = false;
    void watched.then(
      () => (reported = true),
      () => (reported = true),
    );
    const ping = await page.locator('#ping').boundingBox();
    if (!ping) throw new Error('#ping is not on the page');
    while (!reported) {
      await page.mouse.click(ping.x + ping.width / 2, ping.y + ping.height / 2);
      await page.waitForTimeout(20);
    }
    const r = await watched;
    const timing = `adding ${r.addMs.toFixed(0)} ms, analysing ${r.analyseMs.toFixed(0)} ms; long tasks ${JSON.stringify(r.longTasks)}`;
    testInfo.annotations.push({ type: 'timing', description: timing });
    console.log(`responsive (${how}): ${timing}`);
    expect(r.totals.spans, 'every span was read').toBe(workload.spans);
    expect(r.totals.logs, 'every log line was read').toBe(workload.lines);
    expect(r.totals.series).toBe(workload.series);
    expect(r.top, 'the failing service leads').toBe('payment');
    expect(r.clicks.some((c) => c.analysing), `a click was handled during the analysis: ${JSON.stringify(r.clicks)}`).toBe(true);
    expect(r.longTasks, 'no main-thread task over 50 ms from session start to report').toEqual([]);
    expect(log.errors).toEqual([]);
  });
}

test('picked files are analysed; a file the core cannot read is left out with a notice', async ({ page, server }) => {
  const caseDir = path.join(REPO, 'testdata/rca/nezha-tt/dev/tt-2023-01-29-0930');
  const files = ['traces.otlp.json.gz', 'logs.loki.json.gz', 'metrics.prom.json.gz'].map((f) => path.join(caseDir, f));
  const junk = testFile('notes.json', '{"this is": "not telemetry"');
  await page.goto(`${server.url}/demo/index.html`);
  await page.getByTestId('file-input').setInputFiles([...files, junk]);
  await expect(page.getByTestId('rootspan-report')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('loaded-files')).toContainText('notes.json');
  const ref = await filesReport(files.map((f) => ({ name: path.basename(f), bytes: fs.readFileSync(f) })), { top: 10 });
  await expect(page.getByTestId('candidate')).toHaveCount(ref.candidates.length);
  await page.getByTestId('diagnostics').locator('summary').click();
  await expect(page.getByTestId('diagnostics')).toContainText('notes.json');
});

test('a log line holding HTML shows as text and runs nothing', async ({ page, server, log }) => {
  const line = '<img src=x onerror=alert(1)> order <script>alert(2)</script> failed';
  const t0 = 1767225600000000000n;
  const values = Array.from({ length: 20 }, (_, i) => [String(t0 + BigInt(i) * 1000000000n), line]);
  const loki = { status: 'success', data: { resultType: 'streams', result: [{ stream: { service_name: 'checkout', level: 'error' }, values }] } };
  const file = testFile('attack.loki.json', JSON.stringify(loki));
  await page.addInitScript(() => {
    window.alert = () => {
      (window as unknown as { __alerted: boolean }).__alerted = true;
    };
  });
  await page.goto(`${server.url}/demo/index.html`);
  await page.getByTestId('file-input').setInputFiles([file]);
  await expect(page.getByTestId('rootspan-report')).toBeVisible({ timeout: 60_000 });
  await page.getByRole('tab', { name: /Log patterns/ }).click();
  const report = page.getByTestId('rootspan-report');
  await expect(report).toContainText('onerror=alert(1)');
  await expect(report.locator('img, script')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __alerted?: boolean }).__alerted)).toBeUndefined();
  expect(log.dialogs).toEqual([]);
});

test('the report made in Chromium is byte-identical to the native CLI report', async ({ page, server }) => {
  // Cargo's target directory, wherever CARGO_TARGET_DIR puts it.
  const cli = path.join(path.resolve(REPO, process.env.CARGO_TARGET_DIR ?? 'target'), 'release/rootspan');
  if (!fs.existsSync(cli)) {
    throw new Error(`${cli} is missing: build it with cargo build --release -p rootspan-cli`);
  }
  const names = sampleFiles().map((f) => `samples/incident/${f}`);
  // The CLI names inputs by the paths it is given; the page names the same bytes the same way.
  const native = execFileSync(cli, ['analyze', '--format', 'json', ...names], { cwd: REPO, maxBuffer: 1 << 28 }).toString('utf8').trimEnd();
  await page.goto(`${server.url}/identity.html`);
  await page.waitForFunction(() => (window as unknown as { identityReady?: boolean }).identityReady === true);
  const browser = await page.evaluate(
    ([urls, n]) => (window as unknown as { analyzeFiles: (u: string[], n: string[]) => Promise<string> }).analyzeFiles(urls, n),
    [names.map((n) => `/${n}`), names] as const
  );
  expect(browser.length).toBeGreaterThan(100);
  expect(browser === native, 'Chromium and native reports differ').toBe(true);
});

function testFile(name: string, text: string): string {
  const dir = test.info().outputPath('inputs');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}
