import { defineConfig } from '@playwright/test';

// Debian's Chromium through playwright-core (tests/fixtures.ts), never a downloaded browser.
export default defineConfig({
  testDir: './tests',
  testMatch: /.*\.spec\.ts$/,
  timeout: 90_000,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [['list']],
  outputDir: './test-results',
});
