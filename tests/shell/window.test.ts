import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./electron-standin'));

import * as electron from './electron-standin';
import { applicationMenuTemplate, createMainWindow, hardenSession, hardenWebContents, mainWindowOptions } from '../../main/window';
import { isAllowedCheckoutUrl } from '../../main/core/urls';
import { AppError } from '../../main/core/errors';
import type { Logger } from '../../main/core/ports';

const quiet: Logger = { info() {}, warn() {}, error() {} };
const CHECKOUT = 'https://checkout.stripe.com/c/pay/cs_test_a1b2c3';

function guarded() {
  const contents = new electron.FakeWebContents();
  const opened: string[] = [];
  hardenWebContents(contents as never, {
    // as openExternalSafely: opens what is on the allowlist, refuses the rest
    openExternal: async (url) => {
      if (!isAllowedCheckoutUrl(url, ['https://checkout.stripe.com'])) throw new AppError('url_not_allowed', 'not on the allowlist');
      opened.push(url);
    },
    logger: quiet,
  });
  return { contents, opened };
}

beforeEach(() => electron.reset());

describe('main window options', () => {
  it('isolates and sandboxes the renderer and loads the bundled preload', () => {
    const prefs = mainWindowOptions('/app/out/preload/index.cjs').webPreferences!;
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.preload).toBe('/app/out/preload/index.cjs');
    // webSecurity stays at its default (on): never set at all
    expect('webSecurity' in prefs).toBe(false);
    expect('allowRunningInsecureContent' in prefs).toBe(false);
  });

  it('creates the BrowserWindow with exactly those options', () => {
    createMainWindow('/p/index.cjs');
    expect(electron.BrowserWindow.created).toHaveLength(1);
    expect(electron.BrowserWindow.created[0].options).toEqual(mainWindowOptions('/p/index.cjs'));
  });

  it('turns DevTools off unless asked for (the entry asks only when not packaged)', () => {
    expect(mainWindowOptions('/p/index.cjs').webPreferences!.devTools).toBe(false);
    expect(mainWindowOptions('/p/index.cjs', { devTools: false }).webPreferences!.devTools).toBe(false);
    expect(mainWindowOptions('/p/index.cjs', { devTools: true }).webPreferences!.devTools).toBe(true);
    createMainWindow('/p/index.cjs', { devTools: false });
    expect((electron.BrowserWindow.created[0].options.webPreferences as { devTools: boolean }).devTools).toBe(false);
  });
});

/** Every role in a menu template, submenus included. */
function rolesOf(items: Array<{ role?: string; submenu?: unknown }>): string[] {
  return items.flatMap((item) => [...(item.role ? [item.role] : []), ...(Array.isArray(item.submenu) ? rolesOf(item.submenu) : [])]);
}
/** Roles that reload the page or open DevTools, and the stock menu that holds them. */
const DEVELOPER_ROLES = ['reload', 'forceReload', 'toggleDevTools', 'viewMenu'];

describe('application menu', () => {
  it('a packaged app gets a minimal menu without Reload or Developer Tools, on every platform', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const template = applicationMenuTemplate({ packaged: true, platform });
      const roles = rolesOf(template as never);
      for (const role of DEVELOPER_ROLES) expect(roles, `${platform}: ${role}`).not.toContain(role);
      expect(roles).toContain('editMenu'); // copy and paste keep working
      expect(template.every((item) => item.role && !item.label && !item.click && !item.accelerator)).toBe(true);
    }
    expect(rolesOf(applicationMenuTemplate({ packaged: true, platform: 'darwin' }) as never)).toContain('appMenu');
  });

  it('a development run keeps the View menu (reload, DevTools)', () => {
    expect(rolesOf(applicationMenuTemplate({ packaged: false, platform: 'linux' }) as never)).toContain('viewMenu');
  });
});

describe('navigation guards', () => {
  it('prevents every navigation, including to the app itself and to other sites', () => {
    const { contents, opened } = guarded();
    for (const url of ['app://mandate-desk/index.html', 'https://evil.example/', 'file:///etc/passwd', 'http://127.0.0.1:9999/']) {
      expect(contents.fire('will-navigate', { url }).defaultPrevented).toBe(true);
    }
    expect(opened).toEqual([]);
  });

  it('sends an allowlisted Checkout URL to the guarded opener instead of navigating', async () => {
    const { contents, opened } = guarded();
    const event = contents.fire('will-navigate', { url: CHECKOUT });
    expect(event.defaultPrevented).toBe(true);
    await Promise.resolve();
    expect(opened).toEqual([CHECKOUT]);
  });

  it('prevents subframe navigations', () => {
    const { contents } = guarded();
    expect(contents.fire('will-frame-navigate', { url: 'https://evil.example/', isMainFrame: false }).defaultPrevented).toBe(true);
  });

  it('denies every window.open, opening only allowlisted Checkout URLs outside', async () => {
    const { contents, opened } = guarded();
    const handler = contents.windowOpenHandler!;
    expect(handler({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'https://checkout.stripe.com.evil.example/c/pay' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(handler({ url: CHECKOUT })).toEqual({ action: 'deny' });
    await Promise.resolve();
    expect(opened).toEqual([CHECKOUT]);
  });

  it('prevents <webview> attachment', () => {
    const { contents } = guarded();
    expect(contents.fire('will-attach-webview', {}, {}, { src: 'https://evil.example/' }).defaultPrevented).toBe(true);
  });
});

describe('session permissions', () => {
  it('denies every permission request and check', () => {
    const ses = new electron.FakeSession();
    hardenSession(ses as never);
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
      let granted: boolean | null = null;
      ses.permissionRequestHandler!({}, permission, (answer) => (granted = answer));
      expect(granted).toBe(false);
      expect(ses.permissionCheckHandler!({}, permission, 'app://mandate-desk', {})).toBe(false);
    }
    expect(ses.devicePermissionHandler!({ deviceType: 'usb' })).toBe(false);
  });
});
