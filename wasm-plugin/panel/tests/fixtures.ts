// Playwright fixtures for the panel: one Chromium and one static server per worker (the tests run in
// one worker), a fresh page per test that records page errors and dialogs.
import path from 'node:path';
import { test as base, type Page } from '@playwright/test';
import type { Browser } from 'playwright-core';

import { launchChromium, requireFile, serveStatic, type StaticServer } from './browser';

export const PLUGIN_ID = 'rootspan-rootcause-panel';
export const PANEL_DIR = path.resolve(__dirname, '..');
export const REPO = path.resolve(PANEL_DIR, '../..');
export const SHARED = path.resolve(REPO, '../shared');
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
        '/rootspan': path.join(REPO, 'wasm-plugin/js'),
        '/identity.html': path.join(PANEL_DIR, 'tests/harness/identity.html'),
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
    const context = await chromium.newContext({ viewport: { width: 1000, height: 800 } });
    const page = (await context.newPage()) as unknown as Page;
    page.on('pageerror', (e) => log.errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && log.errors.push(m.text()));
    page.on('dialog', (d) => {
      log.dialogs.push(d.message());
      void d.dismiss();
    });
    await use(page);
    // Every test keeps a screenshot of what the user saw, as a test artefact.
    await page.screenshot({ path: testInfo.outputPath('final.png'), fullPage: true }).catch(() => undefined);
    await context.close();
  },
});

export const expect = test.expect;
