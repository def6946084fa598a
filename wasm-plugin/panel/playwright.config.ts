import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser; one browser per test file (see tests/fixtures.ts).
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
