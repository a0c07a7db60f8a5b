/**
 * The main window and the guards every web contents gets (DESIGN §7): sandboxed, isolated renderer;
 * no navigation, no new windows, no <webview>, no permissions. A URL the renderer tries to navigate
 * to or open goes to the guarded external opener instead, which opens only allowlisted Checkout URLs.
 */
import { BrowserWindow, type BrowserWindowConstructorOptions, type MenuItemConstructorOptions, type Session, type WebContents } from 'electron';
import type { Logger } from './core/ports';

export interface ExternalRouting {
  /** The guarded opener (safe-shell): opens allowlisted URLs, rejects everything else. */
  openExternal(url: string): Promise<void>;
  logger: Logger;
}

export interface WindowChoices {
  /** DevTools reachable at all; false in packaged builds (index.ts passes `!app.isPackaged`). */
  devTools?: boolean;
}

export function mainWindowOptions(preloadPath: string, choices: WindowChoices = {}): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 860,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'Mandate Desk',
    backgroundColor: '#f4f5f7',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      safeDialogs: true,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: choices.devTools ?? false,
    },
  };
}

/** The allowlist is checked once, by the guarded opener; a refusal is only logged. */
function routeOutside(url: string, routing: ExternalRouting, why: string): void {
  routing.openExternal(url).catch((error: unknown) => routing.logger.warn('did not open outside the app', { why, url: url.slice(0, 200), error: String(error) }));
}

/** Applied to every web contents the app creates (`app.on('web-contents-created')`). */
export function hardenWebContents(contents: WebContents, routing: ExternalRouting): void {
  contents.on('will-navigate', (event) => {
    event.preventDefault();
    routeOutside(event.url, routing, 'will-navigate');
  });
  contents.on('will-frame-navigate', (event) => {
    if (event.isMainFrame) return; // handled by will-navigate
    event.preventDefault();
    routing.logger.warn('blocked a subframe navigation', { url: event.url.slice(0, 200) });
  });
  contents.setWindowOpenHandler(({ url }) => {
    routeOutside(url, routing, 'window-open');
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    routing.logger.warn('blocked a <webview>');
  });
}

/** Denies every permission request and check (camera, notifications, clipboard, devices, …). */
export function hardenSession(target: Session): void {
  target.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  target.setPermissionCheckHandler(() => false);
  target.setDevicePermissionHandler(() => false);
}

/**
 * The application menu that replaces Electron's default one: only Electron's own roles (labelled and
 * translated by Electron and the OS), for copy/paste and closing the window. No Reload, Force Reload
 * or Toggle Developer Tools (their shortcuts come with the menu); a development run keeps the View
 * menu that has them.
 */
export function applicationMenuTemplate(options: { packaged: boolean; platform: NodeJS.Platform }): MenuItemConstructorOptions[] {
  return [
    ...(options.platform === 'darwin' ? [{ role: 'appMenu' } as const] : [{ role: 'fileMenu' } as const]),
    { role: 'editMenu' },
    ...(options.packaged ? [] : [{ role: 'viewMenu' } as const]),
    { role: 'windowMenu' },
  ];
}

export function createMainWindow(preloadPath: string, choices: WindowChoices = {}): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(preloadPath, choices));
  window.once('ready-to-show', () => window.show());
  return window;
}
