// Playwright fixtures for the panel: one Chromium and one static server per worker (the tests run in
// one worker), a fresh page per test that records page errors and dialogs.
import path from 'node:path';
import { test as base, type Page } from '@playwright/test';
import type { Browser } from 'playwright-core';

import { launchChromium, requireFile, serveStatic, type StaticServer } from '@rootspan/views/testing';

export const PLUGIN_ID = 'rootspan-rootcause-panel';
export const PANEL_DIR = path.resolve(__dirname, '..');
export const REPO = path.resolve(PANEL_DIR, '../..');
export const TESTDATA = path.resolve(REPO, 'testdata');
export const MODULE_URL = `/public/plugins/${PLUGIN_ID}/module.js`;

export interface PageLog {
  errors: string[];
  dialogs: string[];
}

type WorkerFixtures = { chromium: Browser; server: StaticServer };
type TestFixtures = { page: Page; log: PageLog };

export const test = base.extend<TestFixtures, WorkerFixtures>({
  chromium: [
    async ({}, use) => {
      const browser = await launchChromium();
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],
  server: [
    async ({}, use) => {
      const dist = path.join(PANEL_DIR, 'dist');
      requireFile(path.join(dist, 'module.js'), 'run `npm run build -w wasm-plugin/panel` first');
      requireFile(path.join(PANEL_DIR, 'tests/harness/.build/harness.js'), 'run `npm run harness -w wasm-plugin/panel` first');
      const server = await serveStatic({
        '/public/plugins/rootspan-rootcause-panel': dist,
        '/harness': path.join(PANEL_DIR, 'tests/harness/.build'),
        '/systemjs': path.join(REPO, 'node_modules/systemjs/dist'),
        '/index.html': path.join(PANEL_DIR, 'tests/harness/index.html'),
        '/cache': path.join(PANEL_DIR, 'tests/.cache'),
        '/testdata': TESTDATA,
      });
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],
  log: async ({}, use) => {
    await use({ errors: [], dialogs: [] });
  },
  page: async ({ chromium, log }, use, testInfo) => {
    const { page } = await openPage(chromium, log);
    await use(page);
    // Every test keeps a screenshot of what the user saw, as a test artefact.
    await page.screenshot({ path: testInfo.outputPath('final.png'), fullPage: true }).catch(() => undefined);
    await page.context().close();
  },
});

/** A page in a fresh context that records page errors, console errors and dialogs (and dismisses them). */
export async function openPage(chromium: Browser, log: PageLog = { errors: [], dialogs: [] }): Promise<{ page: Page; log: PageLog }> {
  const context = await chromium.newContext({ viewport: { width: 1000, height: 800 } });
  const page = (await context.newPage()) as unknown as Page;
  page.on('pageerror', (e) => log.errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && log.errors.push(m.text()));
  page.on('dialog', (d) => {
    log.dialogs.push(d.message());
    void d.dismiss();
  });
  return { page, log };
}

export const expect = test.expect;

export interface MountInput {
  series: unknown[];
  annotations?: unknown[];
  targets?: unknown[];
  options?: Record<string, unknown>;
  range?: { from: string | number; to: string | number };
  width?: number;
  height?: number;
}

type Harness = {
  rootspanHarness: { mount(moduleUrl: string, input: MountInput | string, overrides: Partial<MountInput>): Promise<unknown> };
  rootspanPanel: { options(): Record<string, unknown>; setOptions(patch: Record<string, unknown>): void };
};

/** Opens the harness page and renders the built plugin with these frames (or the JSON at this URL). */
export async function mountPanel(page: Page, server: StaticServer, input: MountInput | string, overrides: Partial<MountInput> = {}) {
  await page.goto(`${server.url}/index.html`);
  await page.evaluate(
    async ([moduleUrl, i, o]) => {
      await (window as unknown as Harness).rootspanHarness.mount(moduleUrl, i, o);
    },
    [MODULE_URL, input, overrides] as const
  );
}

export const panelOptions = (page: Page) => page.evaluate(() => (window as unknown as Harness).rootspanPanel.options());
export const setPanelOptions = (page: Page, patch: Record<string, unknown>) =>
  page.evaluate((p) => (window as unknown as Harness).rootspanPanel.setOptions(p), patch);
