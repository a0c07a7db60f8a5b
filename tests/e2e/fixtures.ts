/**
 * The `app` fixture hides whether a spec drives the Electron app or the browser bridge in Chromium.
 * A spec can read the URLs the app asked the system browser to open (the Checkout page), open one
 * in a second page, click through the emulator's test page, and restart the app on the same data.
 */
import { _electron, chromium, expect, test as base, type Browser, type ElectronApplication, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../playwright.config';
import { electronBinaryAvailable } from '../../scripts/electron-binary.mjs';

export interface AppOptions {
  /** Use a standalone emulator that outlives app restarts (as Stripe does). */
  externalEmulator: boolean;
}

export interface MandateDeskApp {
  /** The app's window (Electron) or tab (browser bridge). */
  page: Page;
  transport: 'electron' | 'chromium';
  dataDir: string;
  /** The shared emulator's URL when `externalEmulator` is on (null: the app's own). */
  emulatorUrl: string | null;
  /** URLs the app asked the system browser to open, oldest first. */
  openedUrls(): Promise<string[]>;
  /** Waits until the app has opened more than `alreadySeen` URLs and returns the newest. */
  waitForOpenedUrl(alreadySeen?: number): Promise<string>;
  /** Opens a URL in a separate browser page, as the customer's system browser would. */
  openInBrowser(url: string): Promise<Page>;
  /** Stops the app (as a crash would: no clean shutdown) and starts it again on the same data. */
  restart(): Promise<void>;
  /** Stops the app without restarting it. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

const ROOT = join(import.meta.dirname, '..', '..');

class LineWaiter {
  private buffer = '';
  constructor(private readonly child: ChildProcess) {}
  wait(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern} in:\n${this.buffer}`)), timeoutMs);
      const check = () => {
        const match = this.buffer.match(pattern);
        if (match) {
          clearTimeout(timer);
          this.child.stdout?.off('data', onData);
          resolve(match);
        }
      };
      const onData = (chunk: Buffer) => {
        this.buffer += chunk.toString();
        check();
      };
      this.child.stdout?.on('data', onData);
      this.child.stderr?.on('data', (chunk: Buffer) => (this.buffer += chunk.toString()));
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`process exited (${code}) before printing ${pattern}:\n${this.buffer}`));
      });
      check();
    });
  }
}

/** SIGKILL (as a crash would) and wait until the process is gone, so nothing of it holds the data dir any more. */
async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function startExternalEmulator(statePath: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/emulator/cli.ts', '--port', '0', '--state', statePath], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const [url] = await new LineWaiter(child).wait(/http:\/\/127\.0\.0\.1:\d+/);
  return { url, child };
}

/** Starts one app (Electron, or the browser bridge driving `page`) on `dataDir`; `close` stops it and its customer browser. */
async function launchApp(options: { transport: 'electron' | 'chromium'; page: Page; env: Record<string, string>; dataDir: string; emulatorUrl: string | null }): Promise<{ app: MandateDeskApp; close(): Promise<void> }> {
  const { transport, env, dataDir } = options;
  let bridge: { child: ChildProcess; origin: string; token: string } | null = null;
  let electronApp: ElectronApplication | null = null;
  let page: Page = options.page;
  const customer: { browser: Browser | null } = { browser: null };

  const start = async () => {
    if (transport === 'chromium') {
      const child = spawn(process.execPath, ['out/main/browser.js', `--data-dir=${dataDir}`, '--port=0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const [, origin, token] = await new LineWaiter(child).wait(/(http:\/\/127\.0\.0\.1:\d+)\/\?token=([A-Za-z0-9_-]+)/);
      bridge = { child, origin, token };
      await page.goto(`${origin}/?token=${token}&noautoopen=1`);
    } else {
      electronApp = await _electron.launch({ args: [join(ROOT, 'out/main/index.js'), `--data-dir=${dataDir}`], env, cwd: ROOT });
      page = await electronApp.firstWindow();
    }
  };
  // Waits for the exit: a restarted app finds the data dir free (its lock, Electron's single-instance lock).
  const stop = async () => {
    if (bridge) await killAndWait(bridge.child);
    bridge = null;
    if (electronApp) await killAndWait(electronApp.process());
    electronApp = null;
  };

  const openedUrls = async (): Promise<string[]> => {
    if (bridge) {
      const response = await fetch(`${bridge.origin}/api/test/opened-urls`, { headers: { 'x-mandate-desk-token': bridge.token } });
      expect(response.ok).toBe(true);
      return (await response.json()) as string[];
    }
    if (electronApp) return electronApp.evaluate(() => (globalThis as unknown as { __mandateDeskOpened?: string[] }).__mandateDeskOpened ?? []);
    return [];
  };

  await start();
  const app: MandateDeskApp = {
    get page() {
      return page;
    },
    transport,
    dataDir,
    emulatorUrl: options.emulatorUrl,
    openedUrls,
    async waitForOpenedUrl(alreadySeen = 0) {
      let urls: string[] = [];
      await expect.poll(async () => (urls = await openedUrls()).length, { timeout: 15_000 }).toBeGreaterThan(alreadySeen);
      return urls[urls.length - 1];
    },
    async openInBrowser(url) {
      // The customer's system browser: a separate Chromium, launched only when a spec needs it.
      customer.browser ??= await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
      const customerPage = await customer.browser.newPage();
      await customerPage.goto(url);
      return customerPage;
    },
    async restart() {
      await stop();
      await start();
    },
    stop,
    start,
  };
  return {
    app,
    async close() {
      await stop();
      await customer.browser?.close();
    },
  };
}

function childEnv(emulatorUrl: string | null): Record<string, string> {
  const env: Record<string, string> = { MANDATE_DESK_E2E: '1', ...(emulatorUrl ? { MANDATE_DESK_EMULATOR_URL: emulatorUrl } : {}) };
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !(key in env) && key !== 'STRIPE_SECRET_KEY') env[key] = value;
  return env;
}

export const test = base.extend<AppOptions & { app: MandateDeskApp; deskB: MandateDeskApp }>({
  externalEmulator: [false, { option: true }],

  app: async ({ page: bridgePage, externalEmulator }, use, testInfo) => {
    const transport = testInfo.project.name === 'electron' ? 'electron' : 'chromium';
    if (transport === 'electron' && !electronBinaryAvailable()) {
      console.log(`NOTICE: skipping "${testInfo.title}" in the electron project: the Electron binary is not installed here.`);
      testInfo.skip(true, 'Electron binary not installed');
    }
    const dataDir = await mkdtemp(join(tmpdir(), 'mandate-desk-e2e-'));
    const emulator = externalEmulator ? await startExternalEmulator(join(dataDir, 'external-emulator.json')) : null;
    const launched = await launchApp({ transport, page: bridgePage, env: childEnv(emulator?.url ?? null), dataDir, emulatorUrl: emulator?.url ?? null });
    await use(launched.app);
    await launched.close();
    if (emulator) await killAndWait(emulator.child);
    await rm(dataDir, { recursive: true, force: true });
  },

  /**
   * A second desk of the same shop: its own data folder, on the same (external) emulator as `app`,
   * in its own browser context (browser bridge) or window (Electron). Needs `externalEmulator: true`.
   */
  deskB: async ({ app, browser }, use) => {
    if (!app.emulatorUrl) throw new Error('deskB needs test.use({ externalEmulator: true }): both desks share that emulator');
    const dataDir = await mkdtemp(join(tmpdir(), 'mandate-desk-e2e-b-'));
    const context = app.transport === 'chromium' ? await browser.newContext() : null;
    const page = context ? await context.newPage() : app.page;
    const launched = await launchApp({ transport: app.transport, page, env: childEnv(app.emulatorUrl), dataDir, emulatorUrl: app.emulatorUrl });
    await use(launched.app);
    await launched.close();
    await context?.close();
    await rm(dataDir, { recursive: true, force: true });
  },
});

export { expect };
