/**
 * The Electron entry (built to out/main/index.js). Lifecycle, the hardened window on app://, IPC, the
 * secret store; the business runs in the shared services (services.ts).
 *
 * Flags (after `--` with npm start):
 *   --data-dir=PATH              data folder (also MANDATE_DESK_DATA_DIR); default: Electron's userData
 *   --remember-stripe-key        save STRIPE_SECRET_KEY in the secret store (safeStorage)
 *   --allow-basic-text-key-storage  agree to save it even where Linux offers only `basic_text`
 *   --forget-stripe-key          remove the saved key (the app then starts in training mode)
 * Environment: STRIPE_SECRET_KEY (beats the saved key; taken out of the environment at start, so no
 * child process, preload or helper inherits it), MANDATE_DESK_EMULATOR_URL (training mode on an
 * already running emulator), MANDATE_DESK_E2E=1 (the test-only hooks of test-hooks.ts; ignored by a
 * packaged app).
 */
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage, session } from 'electron';
import { APP_INDEX_URL, installAppProtocol, registerAppScheme } from './app-protocol';
import { forwardEvents, registerIpcHandlers } from './ipc';
import { openExternalSafely } from './safe-shell';
import { createEncryptedSecretSlot, createSecretStore } from './secret-store';
import { SMTP_PASSWORD_FILE } from './secret-file';
import { hasFlag, LOG_FILE, modeDataDir, resolveDataDir, startServices, type Services } from './services';
import { startupErrorText, systemLanguage } from './startup-text';
import { createLogger } from './logger';
import { ensurePrivateDir } from './private-file';
import { takeStripeKeyFromEnv } from './secret-env';
import { installRecordingOpener, isMarkedTestBuild, testHooksEnabled } from './test-hooks';
import { applicationMenuTemplate, createMainWindow, hardenSession, hardenWebContents } from './window';

const here = import.meta.dirname;
const RENDERER_DIR = join(here, '..', 'renderer');
const PRELOAD_PATH = join(here, '..', 'preload', 'index.cjs');

// First of all: nothing started from here on (the browser opener, Electron's helpers, the sandboxed
// preload, which gets a copy of main's environment) may inherit the key.
const stripeKeyFromEnv = takeStripeKeyFromEnv();
const argv = process.argv;
const dataDir = dataDirOrExit();
// One data dir, one profile, one running instance per data dir (the lock lives in userData).
app.setPath('userData', dataDir);
const logger = createLogger({ file: join(dataDir, LOG_FILE) });

function dataDirOrExit(): string {
  try {
    const chosen = resolveDataDir(argv, process.env, app.getPath('userData'));
    ensurePrivateDir(chosen); // before the log or anything else is written there
    return chosen;
  } catch (error) {
    dialog.showErrorBox('Mandate Desk', startupErrorText(error, systemLanguage()));
    app.exit(1);
    throw error;
  }
}

registerAppScheme();
app.enableSandbox();
// A packaged release never has the test-only surface, whatever the environment says.
const packaged = app.isPackaged;
const testBuild = packaged && isMarkedTestBuild(app.getAppPath());
const openExternal = testHooksEnabled(process.env, { packaged, testBuild }) ? installRecordingOpener() : openExternalSafely;

let services: Services | null = null;
let mainWindow: BrowserWindow | null = null;

function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  logger.error('start-up failed', { error: message });
  dialog.showErrorBox('Mandate Desk', startupErrorText(error, systemLanguage(process.env, app.isReady() ? app.getLocale() : undefined)));
  app.exit(1);
}

async function chooseStripeKey(): Promise<string | null> {
  const store = createSecretStore({ safeStorage, dataDir, logger });
  if (hasFlag(argv, 'forget-stripe-key')) await store.clearStripeKey();
  if (stripeKeyFromEnv) {
    if (hasFlag(argv, 'remember-stripe-key')) await store.setStripeKey(stripeKeyFromEnv, { allowBasicText: hasFlag(argv, 'allow-basic-text-key-storage') });
    return stripeKeyFromEnv;
  }
  return store.getStripeKey();
}

function showMainWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

async function start(): Promise<void> {
  await app.whenReady();
  // The default menu has Reload and Toggle Developer Tools (a console with window.api at the till).
  Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenuTemplate({ packaged, platform: process.platform })));
  hardenSession(session.defaultSession);
  installAppProtocol(protocol, RENDERER_DIR);

  services = await startServices({
    dataDir,
    transport: 'electron',
    appVersion: app.getVersion(),
    stripeKey: await chooseStripeKey(),
    emulatorUrl: process.env.MANDATE_DESK_EMULATOR_URL ?? null,
    openUrl: openExternal,
    logger,
    smtpPassword: (mode) =>
      createEncryptedSecretSlot({ safeStorage, path: join(modeDataDir(dataDir, mode), SMTP_PASSWORD_FILE), allowBasicText: hasFlag(argv, 'allow-basic-text-key-storage') }),
  });
  const core = services.core;

  mainWindow = createMainWindow(PRELOAD_PATH, { devTools: !packaged });
  mainWindow.on('closed', () => (mainWindow = null));
  const contents = () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents : null);
  registerIpcHandlers({ ipcMain, dispatch: core.dispatch, trustedContents: contents, logger });
  forwardEvents(core.subscribe, contents);
  await mainWindow.loadURL(APP_INDEX_URL);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', showMainWindow);
  app.on('web-contents-created', (_event, contents) =>
    hardenWebContents(contents, { openExternal: (url) => openExternal(url, services?.allowedCheckoutOrigins ?? []), logger }),
  );
  app.on('window-all-closed', () => app.quit());
  let stopping = false;
  app.on('will-quit', (event) => {
    if (!services || stopping) return;
    stopping = true;
    event.preventDefault();
    void services.stop().finally(() => app.quit());
  });
  start().catch(fail);
}
