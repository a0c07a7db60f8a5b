/**
 * A small hand-written stand-in for the `electron` module (the Electron binary cannot run here),
 * used with `vi.mock('electron', () => import('./electron-standin'))`. It records what the shell
 * asks of Electron so tests can check window options, guards, IPC wiring and the secret store.
 * Only what the shell uses is modelled; `reset()` clears every record between tests.
 */
import { EventEmitter } from 'node:events';

// ---------------------------------------------------------------- frames and web contents

export class FakeFrame {
  private static nextRoutingId = 1;
  readonly routingId = FakeFrame.nextRoutingId++;
  constructor(
    public url: string,
    readonly parent: FakeFrame | null = null,
    readonly processId = 7,
  ) {}
}

export class FakeEvent {
  defaultPrevented = false;
  constructor(extra: Record<string, unknown> = {}) {
    Object.assign(this, extra);
  }
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

type WindowOpenHandler = (details: { url: string }) => { action: 'allow' | 'deny' };

export class FakeWebContents extends EventEmitter {
  destroyed = false;
  mainFrame: FakeFrame;
  windowOpenHandler: WindowOpenHandler | null = null;
  readonly sent: unknown[][] = [];
  loadedUrl: string | null = null;
  constructor(url = 'app://mandate-desk/index.html') {
    super();
    this.mainFrame = new FakeFrame(url);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.windowOpenHandler = handler;
  }
  send(...args: unknown[]): void {
    this.sent.push(args);
  }
  /** Fires an event like Electron does and returns it, to check `defaultPrevented`. */
  fire(name: string, extra: Record<string, unknown> = {}, ...args: unknown[]): FakeEvent {
    const event = new FakeEvent(extra);
    this.emit(name, event, ...args);
    return event;
  }
}

// ---------------------------------------------------------------- app, windows, sessions

export const app = Object.assign(new EventEmitter(), {
  paths: new Map<string, string>([['userData', '/tmp/mandate-desk-standin']]),
  getPath(name: string): string {
    return app.paths.get(name) ?? `/tmp/${name}`;
  },
  setPath(name: string, value: string): void {
    app.paths.set(name, value);
  },
  getVersion: () => '0.0.0-standin',
  /** Electron's `app.getAppPath()`: the folder (or app.asar) holding the app's package.json. */
  appPath: process.cwd(),
  getAppPath: () => app.appPath,
  /** Electron's `app.isPackaged`: true when running from an installed/packaged build. */
  isPackaged: false,
  /** The system's UI language as Electron reports it once ready. */
  locale: 'en-US',
  getLocale: () => app.locale,
  isReady: () => true,
  singleInstance: true,
  sandboxed: false,
  quitCalls: 0,
  exitCodes: [] as number[],
  requestSingleInstanceLock: () => app.singleInstance,
  enableSandbox: () => {
    app.sandboxed = true;
  },
  whenReady: () => Promise.resolve(),
  quit: () => {
    app.quitCalls++;
  },
  exit: (code = 0) => {
    app.exitCodes.push(code);
  },
});

export class BrowserWindow extends EventEmitter {
  static created: BrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  destroyed = false;
  /**
   * What a sandboxed preload of this window would see as `process.env`: Electron hands it a copy of
   * main's `process.env` when the preload loads (ELECTRON_BROWSER_SANDBOX_LOAD).
   */
  readonly preloadEnv: NodeJS.ProcessEnv = { ...process.env };
  constructor(readonly options: Record<string, unknown>) {
    super();
    BrowserWindow.created.push(this);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  show(): void {}
  focus(): void {}
  async loadURL(url: string): Promise<void> {
    this.webContents.loadedUrl = url;
  }
}

type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details?: unknown) => void;
export class FakeSession {
  permissionRequestHandler: PermissionRequestHandler | null = null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  devicePermissionHandler: ((...args: unknown[]) => boolean) | null = null;
  setPermissionRequestHandler(handler: PermissionRequestHandler): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: (...args: unknown[]) => boolean): void {
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: (...args: unknown[]) => boolean): void {
    this.devicePermissionHandler = handler;
  }
}
export const session = { defaultSession: new FakeSession() };

export const protocol = {
  privileged: [] as unknown[],
  handlers: new Map<string, (request: Request) => Promise<Response>>(),
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    protocol.privileged.push(...schemes);
  },
  handle(scheme: string, handler: (request: Request) => Promise<Response>): void {
    protocol.handlers.set(scheme, handler);
  },
};

export const shell = {
  opened: [] as string[],
  /** The environment the OS opener (xdg-open, …) would inherit: Electron's own process environment. */
  openerEnvs: [] as NodeJS.ProcessEnv[],
  async openExternal(url: string): Promise<void> {
    shell.opened.push(url);
    shell.openerEnvs.push({ ...process.env });
  },
};

interface MenuTemplateItem {
  role?: string;
  submenu?: MenuTemplateItem[];
  [key: string]: unknown;
}
export const Menu = {
  /** The template of the menu the app set with setApplicationMenu (null: none set, Electron's default stays). */
  application: null as MenuTemplateItem[] | null,
  buildFromTemplate(template: MenuTemplateItem[]): { template: MenuTemplateItem[] } {
    return { template };
  },
  setApplicationMenu(menu: { template: MenuTemplateItem[] } | null): void {
    Menu.application = menu ? menu.template : [];
  },
};

export const dialog = {
  errors: [] as Array<[string, string]>,
  showErrorBox(title: string, content: string): void {
    dialog.errors.push([title, content]);
  },
};

// ---------------------------------------------------------------- IPC and the preload side

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown;
export const ipcMain = {
  handlers: new Map<string, InvokeHandler>(),
  handle(channel: string, handler: InvokeHandler): void {
    if (ipcMain.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    ipcMain.handlers.set(channel, handler);
  },
  removeHandler(channel: string): void {
    ipcMain.handlers.delete(channel);
  },
};

type RendererListener = (event: unknown, ...args: unknown[]) => void;
export const ipcRenderer = {
  invoked: [] as Array<{ channel: string; args: unknown[] }>,
  listeners: new Map<string, RendererListener[]>(),
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    ipcRenderer.invoked.push({ channel, args });
    return { ok: true, data: { echoed: channel } };
  },
  on(channel: string, listener: RendererListener): void {
    ipcRenderer.listeners.set(channel, [...(ipcRenderer.listeners.get(channel) ?? []), listener]);
  },
  /** What main's `webContents.send(channel, ...args)` would cause in the preload. */
  deliver(channel: string, ...args: unknown[]): void {
    const event = { sender: ipcRenderer, senderId: 0, ports: [] };
    for (const listener of ipcRenderer.listeners.get(channel) ?? []) listener(event, ...args);
  },
};

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    contextBridge.exposed.set(key, api);
  },
};

// ---------------------------------------------------------------- safeStorage

/** Reversible but not plain: enough to tell that what lands on disk is not the key itself. */
const scramble = (bytes: Buffer) => Buffer.from(bytes.map((b) => b ^ 0x5a));

export const safeStorage = {
  backend: 'gnome_libsecret' as 'basic_text' | 'gnome_libsecret' | 'kwallet' | 'kwallet5' | 'kwallet6' | 'unknown',
  asyncAvailable: true,
  reEncryptNext: false,
  encryptCalls: 0,
  async encryptStringAsync(plainText: string): Promise<Buffer> {
    safeStorage.encryptCalls++;
    return Buffer.concat([Buffer.from('v11'), scramble(Buffer.from(plainText, 'utf8'))]);
  },
  async decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }> {
    if (encrypted.subarray(0, 3).toString() !== 'v11') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    const shouldReEncrypt = safeStorage.reEncryptNext;
    safeStorage.reEncryptNext = false;
    return { result: scramble(encrypted.subarray(3)).toString('utf8'), shouldReEncrypt };
  },
  async isAsyncEncryptionAvailable(): Promise<boolean> {
    return safeStorage.asyncAvailable;
  },
  getSelectedStorageBackend() {
    return safeStorage.backend;
  },
};

export function reset(): void {
  BrowserWindow.created = [];
  session.defaultSession = new FakeSession();
  protocol.privileged = [];
  protocol.handlers.clear();
  shell.opened = [];
  shell.openerEnvs = [];
  dialog.errors = [];
  ipcMain.handlers.clear();
  ipcRenderer.invoked = [];
  ipcRenderer.listeners.clear();
  contextBridge.exposed.clear();
  safeStorage.backend = 'gnome_libsecret';
  safeStorage.asyncAvailable = true;
  safeStorage.reEncryptNext = false;
  safeStorage.encryptCalls = 0;
  app.locale = 'en-US';
  app.removeAllListeners();
  app.paths = new Map([['userData', '/tmp/mandate-desk-standin']]);
  app.singleInstance = true;
  app.isPackaged = false;
  app.appPath = process.cwd();
  Menu.application = null;
  app.sandboxed = false;
  app.quitCalls = 0;
  app.exitCodes = [];
}
