import { defineConfig } from '@playwright/test';
import { electronBinaryAvailable } from './scripts/electron-binary.mjs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu', '--no-first-run'];

if (!electronBinaryAvailable()) {
  console.log(
    '\nNOTICE: the Electron binary is not installed (node_modules/electron/dist is missing), so the `electron` ' +
      'project is skipped. The same specs run in the `chromium` project through the browser bridge.\n',
  );
}

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? '.tmp/test-reports/playwright.json' }]],
  use: {
    viewport: { width: 1280, height: 860 },
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'chromium', use: { browserName: 'chromium' } },
    { name: 'electron', use: { browserName: 'chromium' } },
  ],
});
