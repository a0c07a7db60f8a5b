/**
 * The BUILT Electron entry (out/main/index.js, as packaged) run against the electron stand-in:
 * a packaged app ignores MANDATE_DESK_E2E (no recording opener, no globalThis hook), has DevTools
 * off and a menu without Reload / Toggle Developer Tools; the same bundle unpackaged honours the
 * e2e switch. Builds first when out/ is missing or older than the sources.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./electron-standin'));

import { startEmulator, type RunningEmulator } from '../../main/emulator/index';
import { TEST_BUILD_MARKER } from '../../main/test-hooks';

const ROOT = join(import.meta.dirname, '..', '..');
const BUILT_MAIN = join(ROOT, 'out', 'main', 'index.js');
const BUILT_PRELOAD = join(ROOT, 'out', 'preload', 'index.cjs');
const saved = { ...process.env };
let electron: typeof import('./electron-standin');
let emulator: RunningEmulator;
let dataDir: string;

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.(ts|tsx|json)$/.test(entry.name)) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

async function builtIsFresh(): Promise<boolean> {
  try {
    const built = Math.min((await stat(BUILT_MAIN)).mtimeMs, (await stat(BUILT_PRELOAD)).mtimeMs);
    const sources = Math.max(await newestSource(join(ROOT, 'main')), await newestSource(join(ROOT, 'preload')));
    return built >= sources;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Imports the built entry as Electron would run it, and waits for its window. */
async function startBuiltApp(packaged: boolean) {
  electron.app.isPackaged = packaged;
  await import(/* @vite-ignore */ pathToFileURL(BUILT_MAIN).href);
  await waitUntil(() => electron.BrowserWindow.created.length === 1 && electron.BrowserWindow.created[0].webContents.loadedUrl !== null);
  return electron.BrowserWindow.created[0];
}

/** Asks the built app to open a training Checkout URL, as a window.open from the renderer would. */
function openCheckout(): string {
  const url = `${emulator.origin}/checkout/pay/cs_test_built`;
  const contents = new electron.FakeWebContents();
  electron.app.emit('web-contents-created', {}, contents);
  expect(contents.windowOpenHandler!({ url })).toEqual({ action: 'deny' });
  return url;
}

function rolesOf(items: Array<{ role?: string; submenu?: unknown }>): string[] {
  return items.flatMap((item) => [...(item.role ? [item.role] : []), ...(Array.isArray(item.submenu) ? rolesOf(item.submenu) : [])]);
}

beforeAll(async () => {
  if (!(await builtIsFresh())) {
    const build = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`electron-vite build failed:\n${build.stdout}\n${build.stderr}`);
  }
  emulator = await startEmulator();
}, 180_000);
afterAll(() => emulator?.stop());

beforeEach(async () => {
  vi.resetModules();
  electron = (await import('electron')) as unknown as typeof import('./electron-standin');
  electron.reset();
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  dataDir = await mkdtemp(join(tmpdir(), 'md-built-'));
  process.env.MANDATE_DESK_DATA_DIR = dataDir;
  process.env.MANDATE_DESK_E2E = '1'; // asked for in both cases
  process.env.MANDATE_DESK_EMULATOR_URL = emulator.origin;
  delete process.env.STRIPE_SECRET_KEY;
  globalThis.__mandateDeskOpened = undefined;
});
afterEach(async () => {
  if (electron.BrowserWindow.created.length > 0) {
    electron.app.emit('will-quit', new electron.FakeEvent()); // stops the services, then quits
    await waitUntil(() => electron.app.quitCalls >= 1);
  }
  process.env = { ...saved };
  vi.restoreAllMocks();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the built app', () => {
  it('packaged release: ignores MANDATE_DESK_E2E, has DevTools off and no Reload/DevTools in its menu', async () => {
    const window = await startBuiltApp(true);
    expect(globalThis.__mandateDeskOpened).toBeUndefined();
    const url = openCheckout();
    await waitUntil(() => electron.shell.opened.length === 1);
    expect(electron.shell.opened).toEqual([url]); // the real opener, not the e2e record
    expect(globalThis.__mandateDeskOpened).toBeUndefined();

    expect((window.options.webPreferences as { devTools: boolean }).devTools).toBe(false);
    const roles = rolesOf(electron.Menu.application ?? []);
    expect(roles.length).toBeGreaterThan(0);
    for (const role of ['reload', 'forceReload', 'toggleDevTools', 'viewMenu']) expect(roles).not.toContain(role);
  });

  it('not packaged: the same bundle honours MANDATE_DESK_E2E (records instead of opening) and keeps DevTools', async () => {
    const window = await startBuiltApp(false);
    const url = openCheckout();
    await waitUntil(() => (globalThis.__mandateDeskOpened ?? []).length === 1);
    expect(globalThis.__mandateDeskOpened).toEqual([url]);
    expect(electron.shell.opened).toEqual([]);
    expect((window.options.webPreferences as { devTools: boolean }).devTools).toBe(true);
  });

  it('the packaged TEST build (package.json marked by electron-builder.e2e.yml) honours MANDATE_DESK_E2E', async () => {
    const appPath = await mkdtemp(join(tmpdir(), 'md-built-asar-'));
    try {
      await writeFile(join(appPath, 'package.json'), JSON.stringify({ name: 'mandate-desk', [TEST_BUILD_MARKER]: true }));
      electron.app.appPath = appPath;
      const window = await startBuiltApp(true);
      const url = openCheckout();
      await waitUntil(() => (globalThis.__mandateDeskOpened ?? []).length === 1);
      expect(globalThis.__mandateDeskOpened).toEqual([url]);
      expect(electron.shell.opened).toEqual([]);
      expect((window.options.webPreferences as { devTools: boolean }).devTools).toBe(false); // still packaged
    } finally {
      await rm(appPath, { recursive: true, force: true });
    }
  });

  it('the built preload never reads process (so not process.env either) and exposes only window.api', async () => {
    const preload = await readFile(BUILT_PRELOAD, 'utf8');
    expect(preload).not.toMatch(/\bprocess\b/);
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1);
  });
});
