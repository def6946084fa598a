// Playwright fixtures for the web demo: Debian's Chromium and a static server over the built page
// (the same helpers as the panel's tests), one of each per worker.
import path from 'node:path';
import { test as base, type Page } from '@playwright/test';
import type { Browser } from 'playwright-core';

import { launchChromium, requireFile, serveStatic, type StaticServer } from '@rootspan/views/testing';

export const DEMO_DIR = path.resolve(__dirname, '..');
export const REPO = path.resolve(DEMO_DIR, '..');
export const TESTDATA = path.resolve(REPO, 'testdata');
export const PACKAGE_DIR = path.dirname(require.resolve('rootspan/package.json'));
/** Where the responsiveness test writes its generated workload (inside Playwright's output folder). */
export const WORKLOAD_DIR = path.join(DEMO_DIR, 'test-results/workload');

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
      requireFile(path.join(DEMO_DIR, 'dist/index.html'), 'run `npm run build -w web-demo` first');
      requireFile(path.join(DEMO_DIR, 'dist-dev/index.html'), 'run `npm run build:dev -w web-demo` first');
      requireFile(path.join(PACKAGE_DIR, 'pkg/rootspan_wasm_bg.wasm'), 'run scripts/build-wasm.sh first');
      requireFile(path.join(PACKAGE_DIR, 'dist/index.js'), 'run `npm run build -w wasm-plugin/js` first');
      const server = await serveStatic({
        '/demo': path.join(DEMO_DIR, 'dist'),
        '/demo-dev': path.join(DEMO_DIR, 'dist-dev'),
        '/rootspan': PACKAGE_DIR,
        '/identity.html': path.join(DEMO_DIR, 'tests/identity.html'),
        '/responsive.html': path.join(DEMO_DIR, 'tests/responsive.html'),
        '/workload': WORKLOAD_DIR,
        '/samples': path.join(REPO, 'samples'),
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
    const context = await chromium.newContext({ viewport: { width: 1200, height: 900 } });
    const page = (await context.newPage()) as unknown as Page;
    page.on('pageerror', (e) => log.errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && log.errors.push(m.text()));
    page.on('dialog', (d) => {
      log.dialogs.push(d.message());
      void d.dismiss();
    });
    await use(page);
    await page.screenshot({ path: testInfo.outputPath('final.png'), fullPage: true }).catch(() => undefined);
    await context.close();
  },
});

export const expect = test.expect;
export { sampleFiles, SAMPLE_DIR } from '../sample';
