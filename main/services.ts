/**
 * Start-up shared by the Electron entry and the browser bridge (no electron import): where the data
 * lives, which Stripe to talk to (a key → test/live; none → training mode on the local emulator),
 * the loopback return page, the logger, and core itself.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Mode } from '../preload/contract';
import { createCore, type Core } from './core/index';
import { randomIds, systemClock, type Logger, type SecretSlot, type TrainingControls } from './core/ports';
import { createStripeClient, modeForKey } from './core/stripe-client';
import { EMULATOR_API_KEY, startEmulator, type RunningEmulator } from './emulator/index';
import { writeFileAtomic } from './store/json-store';
import { startReturnServer, type ReturnServer } from './return-page';
import { DataDirInUse, lockDataDir, type DataDirLock } from './data-dir-lock';
import { ensurePrivateDir } from './private-file';

export const STRIPE_CHECKOUT_ORIGIN = 'https://checkout.stripe.com';
export const EMULATOR_STATE_FILE = 'emulator-state.json';
export const LOG_FILE = join('logs', 'mandate-desk.log');
/** Remembers the return page's port across restarts (see startReturnServer). */
const RETURN_PORT_FILE = 'return-page.json';

export const STARTUP_ERROR_CODES = ['invalid_stripe_key', 'bad_arguments', 'emulator_unreachable', 'data_dir_in_use', 'port_in_use'] as const;
export type StartupErrorCode = (typeof STARTUP_ERROR_CODES)[number];

/**
 * A start-up problem the user must fix; the message is safe to show (never contains a key). It is
 * shown before any window exists, translated by `startupErrorText` (startup-text.ts).
 */
export class StartupError extends Error {
  constructor(
    readonly code: StartupErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

/** `--name=value` or `--name value`; undefined when absent. */
export function argValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
    if (arg === `--${name}` && i + 1 < argv.length && !argv[i + 1].startsWith('--')) return argv[i + 1];
  }
  return undefined;
}

export function hasFlag(argv: readonly string[], name: string): boolean {
  return argv.includes(`--${name}`);
}

/** `--data-dir=` beats MANDATE_DESK_DATA_DIR beats the caller's default (Electron's userData). */
export function resolveDataDir(argv: readonly string[], env: NodeJS.ProcessEnv, fallback: string): string {
  const chosen = argValue(argv, 'data-dir') ?? env.MANDATE_DESK_DATA_DIR ?? fallback;
  if (!chosen.trim()) throw new StartupError('bad_arguments', 'The data folder (--data-dir or MANDATE_DESK_DATA_DIR) is empty.');
  return resolve(chosen);
}

export type StripeChoice = { mode: 'training' } | { mode: 'test' | 'live'; key: string };

/** No key → training; a Stripe secret or restricted key → its mode; anything else → a clear error. */
export function chooseStripe(key: string | null | undefined): StripeChoice {
  const trimmed = key?.trim();
  if (!trimmed) return { mode: 'training' };
  const mode = modeForKey(trimmed);
  if (!mode) {
    const hint = trimmed.startsWith('pk_') ? ' It looks like a publishable key (pk_…); the app needs a secret or restricted key.' : '';
    throw new StartupError(
      'invalid_stripe_key',
      `The configured Stripe key is not a Stripe secret key (sk_test_…, sk_live_…) or restricted key (rk_test_…, rk_live_…).${hint} ` +
        'Fix STRIPE_SECRET_KEY, or remove it to start in training mode.',
    );
  }
  return { mode, key: trimmed };
}

export interface ServicesOptions {
  dataDir: string;
  transport: 'electron' | 'browser';
  appVersion: string;
  /** The Stripe key from the environment or the secret store; null/empty → training mode. */
  stripeKey: string | null;
  /**
   * Training mode against an emulator that is already running (MANDATE_DESK_EMULATOR_URL), e.g. one
   * that outlives app restarts in end-to-end tests. Otherwise one is started in-process.
   */
  emulatorUrl?: string | null;
  /** Opens a URL outside the app. Core has already checked it against `allowedOrigins`. */
  openUrl: (url: string, allowedOrigins: readonly string[]) => Promise<void>;
  /** The entry's logger (it logs before the services start, so it makes it). */
  logger: Logger;
  pollIntervalMs?: number;
  /** Where the SMTP password of a mode is kept (safeStorage in Electron, a private file in the bridge). */
  smtpPassword?: (mode: Mode) => SecretSlot;
}

export interface Services {
  core: Core;
  mode: Mode;
  allowedCheckoutOrigins: string[];
  returnServer: ReturnServer;
  /** The in-process emulator (training mode without MANDATE_DESK_EMULATOR_URL). */
  emulator: RunningEmulator | null;
  stop(): Promise<void>;
}

interface StripeTargetReady {
  mode: Mode;
  stripe: ReturnType<typeof createStripeClient>;
  allowedCheckoutOrigins: string[];
  emulator: RunningEmulator | null;
  training?: TrainingControls;
}

async function connectStripe(choice: StripeChoice, options: ServicesOptions, logger: Logger): Promise<StripeTargetReady> {
  if (choice.mode !== 'training') {
    return {
      mode: choice.mode,
      stripe: createStripeClient({ key: choice.key, appVersion: options.appVersion }),
      allowedCheckoutOrigins: [STRIPE_CHECKOUT_ORIGIN],
      emulator: null,
    };
  }
  if (options.emulatorUrl) {
    let url: URL;
    try {
      url = new URL(options.emulatorUrl);
    } catch {
      throw new StartupError('emulator_unreachable', `MANDATE_DESK_EMULATOR_URL is not a URL: ${options.emulatorUrl}`);
    }
    if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost'].includes(url.hostname))
      throw new StartupError('emulator_unreachable', 'MANDATE_DESK_EMULATOR_URL must be an http://127.0.0.1:PORT address.');
    const port = Number(url.port);
    logger.info('training mode: using the running emulator', { origin: url.origin });
    return {
      mode: 'training',
      stripe: createStripeClient({ key: EMULATOR_API_KEY, emulator: { host: url.hostname, port }, appVersion: options.appVersion }),
      allowedCheckoutOrigins: [url.origin],
      emulator: null,
      training: { advanceClockSeconds: (seconds) => advanceRemoteClock(url.origin, seconds) },
    };
  }
  const emulator = await startEmulator({ statePath: join(modeDataDir(options.dataDir, 'training'), EMULATOR_STATE_FILE) });
  logger.info('training mode: emulator started', { origin: emulator.origin });
  return {
    mode: 'training',
    stripe: createStripeClient({ key: EMULATOR_API_KEY, emulator: { host: emulator.host, port: emulator.port }, appVersion: options.appVersion }),
    allowedCheckoutOrigins: [emulator.origin],
    emulator,
    training: { advanceClockSeconds: async (seconds) => new Date((await emulator.controls.advanceClock(seconds)) * 1000) },
  };
}

/** Last run's return-page port (0 when unknown). */
async function readReturnPort(dataDir: string): Promise<number> {
  try {
    const { port } = JSON.parse(await readFile(join(dataDir, RETURN_PORT_FILE), 'utf8')) as { port?: unknown };
    return Number.isInteger(port) && (port as number) > 1024 && (port as number) < 65_536 ? (port as number) : 0;
  } catch {
    return 0;
  }
}

/** The running emulator's HTTP control (`POST /_emulator/clock/advance`), for an emulator outside this process. */
async function advanceRemoteClock(origin: string, seconds: number): Promise<Date> {
  const response = await fetch(`${origin}/_emulator/clock/advance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seconds }),
  });
  if (!response.ok) throw new Error(`The training emulator refused to move its clock (HTTP ${response.status}).`);
  const { now } = (await response.json()) as { now: number };
  return new Date(now * 1000);
}

/**
 * Each mode keeps its records in its own folder: training customers (with the emulator's ids) must
 * never mix with test or live ones, nor test with live (Stripe keeps them apart too).
 */
export function modeDataDir(dataDir: string, mode: Mode): string {
  return join(dataDir, mode);
}

export async function startServices(options: ServicesOptions): Promise<Services> {
  const choice = chooseStripe(options.stripeKey);
  // Only this user may look inside: customers' details, the audit trail, the saved key.
  ensurePrivateDir(options.dataDir);
  ensurePrivateDir(modeDataDir(options.dataDir, choice.mode));
  const { logger } = options;
  let lock: DataDirLock;
  try {
    lock = await lockDataDir(options.dataDir);
  } catch (error) {
    if (error instanceof DataDirInUse) throw new StartupError('data_dir_in_use', error.message);
    throw error;
  }

  // Stopped in this order; the lock is released last, once nothing writes any more.
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const target = await connectStripe(choice, options, logger);
    if (target.emulator) cleanups.unshift(() => target.emulator!.stop());
    const returnServer = await startReturnServer({ logger, port: await readReturnPort(options.dataDir) });
    cleanups.push(() => returnServer.stop());
    await writeFileAtomic(join(options.dataDir, RETURN_PORT_FILE), JSON.stringify({ port: returnServer.port })).catch((error: unknown) =>
      logger.warn('could not remember the return page port', { error: String(error) }),
    );
    const core = await createCore({
      dataDir: modeDataDir(options.dataDir, target.mode),
      stripe: target.stripe,
      mode: target.mode,
      transport: options.transport,
      appVersion: options.appVersion,
      clock: systemClock,
      ids: randomIds,
      openExternal: (url) => options.openUrl(url, target.allowedCheckoutOrigins),
      allowedCheckoutOrigins: target.allowedCheckoutOrigins,
      returnUrls: returnServer.urls,
      logger,
      ...(target.training ? { training: target.training } : {}),
      ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
      ...(options.smtpPassword ? { smtpPassword: options.smtpPassword(target.mode) } : {}),
    });
    cleanups.unshift(() => core.stop());
    returnServer.attach(core);
    logger.info('services started', { mode: target.mode, transport: options.transport, dataDir: options.dataDir, returnOrigin: returnServer.origin });

    let stopped: Promise<void> | null = null;
    return {
      core,
      mode: target.mode,
      allowedCheckoutOrigins: target.allowedCheckoutOrigins,
      returnServer,
      emulator: target.emulator,
      stop: () => (stopped ??= runCleanups(cleanups, logger).finally(() => lock.release())),
    };
  } catch (error) {
    await runCleanups(cleanups, logger);
    await lock.release();
    throw error;
  }
}

async function runCleanups(cleanups: Array<() => Promise<void>>, logger: Logger): Promise<void> {
  for (const cleanup of cleanups) {
    await cleanup().catch((error: unknown) => logger.warn('shutdown step failed', { error: String(error) }));
  }
}
