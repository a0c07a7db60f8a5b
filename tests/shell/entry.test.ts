/**
 * The Electron entry (main/index.ts) run against the electron stand-in: what it sets up before
 * and after `ready`, and that a real call and a real event travel through the IPC wiring to core.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./electron-standin'));

import { CHANNELS, type AppInfo, type Result } from '../../preload/contract';

const saved = { ...process.env };
let dataDir: string;
/** The stand-in exactly as the entry sees it (the mock registry survives vi.resetModules()). */
let electron: typeof import('./electron-standin');

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeEach(async () => {
  vi.resetModules();
  electron = (await import('electron')) as unknown as typeof import('./electron-standin');
  electron.reset();
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  dataDir = await mkdtemp(join(tmpdir(), 'md-entry-'));
  process.env.MANDATE_DESK_DATA_DIR = dataDir;
  process.env.MANDATE_DESK_E2E = '1';
  delete process.env.STRIPE_SECRET_KEY;
  delete process.env.MANDATE_DESK_EMULATOR_URL;
  globalThis.__mandateDeskOpened = undefined;
});
afterEach(async () => {
  process.env = { ...saved };
  vi.restoreAllMocks();
  await rm(dataDir, { recursive: true, force: true });
});

describe('Electron entry', () => {
  it('hardens the app, serves app://, opens the window and wires IPC to core', async () => {
    await import('../../main/index');
    await waitUntil(() => electron.BrowserWindow.created[0]?.webContents.loadedUrl !== null && electron.BrowserWindow.created.length === 1);
    const window = electron.BrowserWindow.created[0];

    expect(electron.app.getPath('userData')).toBe(dataDir);
    expect(electron.app.sandboxed).toBe(true);
    expect(electron.protocol.privileged).toEqual([expect.objectContaining({ scheme: 'app' })]);
    expect(electron.protocol.handlers.has('app')).toBe(true);
    expect(electron.session.defaultSession.permissionRequestHandler).not.toBeNull();
    expect(window.webContents.loadedUrl).toBe('app://mandate-desk/index.html');
    expect((window.options.webPreferences as { preload: string }).preload).toMatch(/preload[/\\]index\.cjs$/);
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual([...CHANNELS].sort());
    expect(globalThis.__mandateDeskOpened).toEqual([]); // not packaged + MANDATE_DESK_E2E=1: test hooks on
    // the default menu (Reload, Toggle Developer Tools) is replaced; a development run has DevTools
    expect(electron.Menu.application).not.toBeNull();
    expect((window.options.webPreferences as { devTools: boolean }).devTools).toBe(true);

    // every web contents gets the guards
    const other = new electron.FakeWebContents();
    electron.app.emit('web-contents-created', {}, other);
    expect(other.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });

    // a call from the window reaches core (training mode, electron transport)
    const sender = { sender: window.webContents, senderFrame: window.webContents.mainFrame };
    const info = (await electron.ipcMain.handlers.get('app.info')!(sender, {})) as Result<AppInfo>;
    expect(info).toMatchObject({ ok: true, data: { mode: 'training', transport: 'electron' } });

    // and core's events come back on the window
    await electron.ipcMain.handlers.get('auth.setupFirstManager')!(sender, { name: 'Mina Manager', pin: '2468', shopName: 'Test Shop', shopContact: 'Main Street 1, shop@example.com' });
    expect(window.webContents.sent).toContainEqual(['event', 'auth.changed', expect.objectContaining({ staff: expect.objectContaining({ name: 'Mina Manager' }) })]);

    // quitting stops the services first, then quits
    const quit = new electron.FakeEvent();
    electron.app.emit('will-quit', quit);
    expect(quit.defaultPrevented).toBe(true);
    await waitUntil(() => electron.app.quitCalls === 1);
  });

  it('takes the Stripe key out of the environment before anything starts: no preload or opened browser inherits it', async () => {
    const key = 'sk_test_51EntryKeyNobodyElseMaySee0123';
    process.env.STRIPE_SECRET_KEY = key;
    delete process.env.MANDATE_DESK_E2E; // open for real (the stand-in shell), not the e2e record
    await import('../../main/index');
    expect(process.env.STRIPE_SECRET_KEY).toBeUndefined(); // gone at once, at import
    await waitUntil(() => electron.BrowserWindow.created[0]?.webContents.loadedUrl !== null && electron.BrowserWindow.created.length === 1);
    const window = electron.BrowserWindow.created[0];

    // the key was still used: the app runs in test mode
    const sender = { sender: window.webContents, senderFrame: window.webContents.mainFrame };
    const info = (await electron.ipcMain.handlers.get('app.info')!(sender, {})) as Result<AppInfo>;
    expect(info).toMatchObject({ ok: true, data: { mode: 'test' } });
    expect(JSON.stringify(info)).not.toContain(key);

    // what the sandboxed preload gets as process.env has no key
    expect(window.preloadEnv.STRIPE_SECRET_KEY).toBeUndefined();
    expect(Object.values(window.preloadEnv)).not.toContain(key);

    // nor does the system browser started for Checkout
    const contents = new electron.FakeWebContents();
    electron.app.emit('web-contents-created', {}, contents);
    contents.windowOpenHandler!({ url: 'https://checkout.stripe.com/c/pay/cs_test_1' });
    await waitUntil(() => electron.shell.opened.length === 1);
    expect(electron.shell.openerEnvs[0].STRIPE_SECRET_KEY).toBeUndefined();
    expect(Object.values(electron.shell.openerEnvs[0])).not.toContain(key);

    electron.app.emit('will-quit', new electron.FakeEvent());
    await waitUntil(() => electron.app.quitCalls === 1);
  });

  it('leaves at once when another instance holds the data dir', async () => {
    electron.app.singleInstance = false;
    await import('../../main/index');
    await new Promise((r) => setTimeout(r, 50));
    expect(electron.app.quitCalls).toBe(1);
    expect(electron.BrowserWindow.created).toEqual([]);
    expect(electron.protocol.handlers.size).toBe(0);
  });

  it('shows a clear error and exits non-zero on an invalid Stripe key, never showing the key', async () => {
    process.env.STRIPE_SECRET_KEY = 'pk_test_51ThisIsPublishable';
    await import('../../main/index');
    await waitUntil(() => electron.dialog.errors.length === 1);
    expect(electron.app.exitCodes).toEqual([1]);
    expect(electron.dialog.errors[0][1]).toMatch(/publishable/);
    expect(electron.dialog.errors[0][1]).not.toContain('51ThisIsPublishable');
    expect(electron.BrowserWindow.created).toEqual([]);
  });

  it('says it in the system’s language: Japanese on a Japanese system', async () => {
    process.env.STRIPE_SECRET_KEY = 'pk_test_51ThisIsPublishable';
    for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) delete process.env[name];
    electron.app.locale = 'ja-JP';
    await import('../../main/index');
    await waitUntil(() => electron.dialog.errors.length === 1);
    const text = electron.dialog.errors[0][1];
    expect(text).toMatch(/^Mandate Desk を起動できませんでした: 設定された Stripe キーが、シークレットキー/);
    expect(text).toMatch(/publishable/); // the specifics stay, in brackets
    expect(text).not.toContain('51ThisIsPublishable');
  });
});
