/**
 * Core as the tests drive it: a real emulator through the real SDK, a real temp-dir store, and the
 * same dispatcher the transports use. `call` returns the data or throws the call's error.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallError, CallInput, CallOutput, Channel, Result } from '../../preload/contract';
import { createCore, type Core } from '../../main/core/index';
import type { CoreDeps, Logger } from '../../main/core/ports';
import { createStripeClient } from '../../main/core/stripe-client';
import { EMULATOR_API_KEY, startEmulator, type RunningEmulator } from '../../main/emulator/index';

export const quietLogger: Logger = { info() {}, warn() {}, error() {} };

export class CallFailed extends Error {
  constructor(readonly result: Extract<Result<unknown>, { ok: false }>) {
    super(`${result.error.code}: ${result.error.message}`);
  }
}

/** The error of a call expected to fail (fails the test if the call succeeds). */
export async function callError(promise: Promise<unknown>): Promise<CallError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CallFailed) return error.result.error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

export interface TestCore {
  core: Core;
  emulator: RunningEmulator;
  dataDir: string;
  /** URLs core asked the system browser to open, in order. */
  opened: string[];
  call<C extends Channel>(channel: C, input: CallInput<C>): Promise<CallOutput<C>>;
  raw(channel: string, input: unknown): Promise<Result<unknown>>;
  /** Stops core only (the data dir and emulator stay): for restart tests. */
  restart(overrides?: Partial<CoreDeps>): Promise<void>;
  close(): Promise<void>;
}

export async function startTestCore(options: { emulator?: RunningEmulator; dataDir?: string; deps?: Partial<CoreDeps> } = {}): Promise<TestCore> {
  const emulator = options.emulator ?? (await startEmulator());
  const ownsEmulator = !options.emulator;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'mandate-desk-test-')));
  const ownsDataDir = !options.dataDir;
  const opened: string[] = [];
  const stripe = createStripeClient({ key: EMULATOR_API_KEY, emulator: { host: emulator.host, port: emulator.port } });
  const makeDeps = (overrides: Partial<CoreDeps> = {}): CoreDeps => ({
    dataDir,
    stripe,
    mode: 'training',
    transport: 'in-process',
    appVersion: '0.0.0-test',
    clock: { now: () => new Date() },
    ids: { next: (prefix) => `${prefix}_${Math.random().toString(16).slice(2, 12)}${Date.now().toString(16)}` },
    openExternal: async (url) => {
      opened.push(url);
    },
    allowedCheckoutOrigins: [emulator.origin],
    returnUrls: {
      success: (setupId) => `http://127.0.0.1:9/return/success?setup=${setupId}`,
      cancel: (setupId) => `http://127.0.0.1:9/return/cancel?setup=${setupId}`,
    },
    logger: quietLogger,
    training: { advanceClockSeconds: async (seconds) => new Date((await emulator.controls.advanceClock(seconds)) * 1000) },
    pollIntervalMs: 60_000,
    // Stripe's events are read at start and when a test asks (`stripeEvents.poll`), not on a timer mid-test
    eventsPollIntervalMs: 600_000,
    // the evidence upload waits an hour, so it never writes in the middle of a test that does not ask for it;
    // tests of it pass shareDelayMs: 0 and wait with core.stripeShare.idle()
    shareDelayMs: 3_600_000,
    ...options.deps,
    ...overrides,
  });
  let core = await createCore(makeDeps());
  const raw = (channel: string, input: unknown) => core.dispatch(channel, input);
  return {
    get core() {
      return core;
    },
    emulator,
    dataDir,
    opened,
    raw,
    async call(channel, input) {
      const result = await core.dispatch(channel, input);
      if (!result.ok) throw new CallFailed(result);
      return result.data as never;
    },
    async restart(overrides) {
      await core.stop();
      core = await createCore(makeDeps(overrides));
    },
    async close() {
      await core.stop();
      if (ownsEmulator) await emulator.stop();
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in (creating the first manager if needed) and returns the manager's name. */
export async function signInManager(t: TestCore, name = 'Mina Manager', pin = '2468'): Promise<string> {
  const status = await t.call('auth.status', {});
  if (status.needsFirstManager) await t.call('auth.setupFirstManager', { name, pin, shopName: 'Test Shop', shopContact: 'Main Street 1, shop@example.com' });
  else await t.call('auth.signIn', { name, pin });
  return name;
}
