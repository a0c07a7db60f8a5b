import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../main/core/ports';
import { AppError } from '../../main/core/errors';
import { createBridgeOpener } from '../../main/bridge-server';
import { spawnSync } from 'node:child_process';
import { SHOP_FILE } from '../../main/core/records';
import { LOCK_FILE } from '../../main/data-dir-lock';
import { argValue, chooseStripe, EMULATOR_STATE_FILE, resolveDataDir, startServices, StartupError, STRIPE_CHECKOUT_ORIGIN } from '../../main/services';

const quiet: Logger = { info() {}, warn() {}, error() {} };
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('start-up choices', () => {
  it('takes the data dir from --data-dir, then MANDATE_DESK_DATA_DIR, then the default', () => {
    expect(resolveDataDir(['--data-dir=/tmp/a'], { MANDATE_DESK_DATA_DIR: '/tmp/b' }, '/tmp/c')).toBe('/tmp/a');
    expect(resolveDataDir(['--data-dir', '/tmp/a2'], {}, '/tmp/c')).toBe('/tmp/a2');
    expect(resolveDataDir([], { MANDATE_DESK_DATA_DIR: '/tmp/b' }, '/tmp/c')).toBe('/tmp/b');
    expect(resolveDataDir([], {}, '/tmp/c')).toBe('/tmp/c');
    expect(resolveDataDir(['--data-dir=rel'], {}, '/tmp/c')).toBe(resolve('rel'));
    expect(() => resolveDataDir(['--data-dir='], {}, '/tmp/c')).toThrow(StartupError);
  });

  it('reads --name=value and --name value', () => {
    expect(argValue(['--port=0'], 'port')).toBe('0');
    expect(argValue(['--port', '8080'], 'port')).toBe('8080');
    expect(argValue(['--port', '--open-external'], 'port')).toBeUndefined();
    expect(argValue(['--portal=1'], 'port')).toBeUndefined();
  });

  it('picks training without a key, the key’s mode with one, and refuses anything else without echoing it', () => {
    expect(chooseStripe(null)).toEqual({ mode: 'training' });
    expect(chooseStripe('  ')).toEqual({ mode: 'training' });
    expect(chooseStripe('sk_test_abc123')).toEqual({ mode: 'test', key: 'sk_test_abc123' });
    expect(chooseStripe('rk_live_abc123\n')).toEqual({ mode: 'live', key: 'rk_live_abc123' });
    for (const bad of ['pk_test_abc123', 'sk_prod_abc', 'whsec_123', 'sk_test_abc 123']) {
      let error: unknown;
      try {
        chooseStripe(bad);
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(StartupError);
      expect((error as StartupError).code).toBe('invalid_stripe_key');
      expect((error as Error).message).not.toContain(bad.trim());
    }
    expect(() => chooseStripe('pk_test_abc123')).toThrow(/publishable/);
  });

  it('fails fast on an invalid key, before starting anything', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'md-services-'));
    dirs.push(dataDir);
    await expect(startServices({ dataDir, transport: 'browser', appVersion: '0', stripeKey: 'nope', openUrl: async () => {}, logger: quiet })).rejects.toMatchObject({
      code: 'invalid_stripe_key',
    });
  });

  it('uses Checkout on stripe.com as the allowed origin with a test key (nothing is contacted at start)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'md-services-'));
    dirs.push(dataDir);
    const services = await startServices({ dataDir, transport: 'browser', appVersion: '0', stripeKey: 'sk_test_123', openUrl: async () => {}, logger: quiet });
    try {
      expect(services.mode).toBe('test');
      expect(services.allowedCheckoutOrigins).toEqual([STRIPE_CHECKOUT_ORIGIN]);
      expect(services.emulator).toBeNull();
    } finally {
      await services.stop();
    }
  });
});

describe('training mode', () => {
  it('runs the emulator on loopback with its state in the data dir, kept across restarts, and keeps the return port', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'md-services-'));
    dirs.push(dataDir);
    const start = () => startServices({ dataDir, transport: 'browser', appVersion: '0', stripeKey: null, openUrl: async () => {}, logger: quiet, pollIntervalMs: 60_000 });

    const first = await start();
    expect(first.mode).toBe('training');
    expect(first.emulator!.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.allowedCheckoutOrigins).toEqual([first.emulator!.origin]);
    expect(first.returnServer.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const customer = await first.core.env.stripe.customers.create({ email: 'kept@example.com' });
    const returnPort = first.returnServer.port;
    await first.stop();
    expect((await stat(join(dataDir, 'training', EMULATOR_STATE_FILE))).size).toBeGreaterThan(0);

    const second = await start();
    try {
      expect((await second.core.env.stripe.customers.retrieve(customer.id)).id).toBe(customer.id);
      // a customer still on Checkout during the restart comes back to the same return address
      expect(second.returnServer.port).toBe(returnPort);
    } finally {
      await second.stop();
    }
  });
});

describe('the data folder', () => {
  const start = (dataDir: string, stripeKey: string | null = null) =>
    startServices({ dataDir, transport: 'browser', appVersion: '0', stripeKey, openUrl: async () => {}, logger: quiet, pollIntervalMs: 60_000 });

  it('keeps each mode in a folder of its own, so training records never mix with test or live ones', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'md-services-'));
    dirs.push(dataDir);
    const training = await start(dataDir);
    await training.stop();
    const test = await start(dataDir, 'sk_test_123');
    await test.stop();
    expect((await stat(join(dataDir, 'training', SHOP_FILE))).isFile()).toBe(true);
    expect((await stat(join(dataDir, 'test', SHOP_FILE))).isFile()).toBe(true);
    expect(training.core.env.dataDir).toBe(join(dataDir, 'training'));
    expect(test.core.env.dataDir).toBe(join(dataDir, 'test'));
  });

  it('refuses a second app on a folder in use, and takes over a lock left by a process that died', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'md-services-'));
    dirs.push(dataDir);
    const first = await start(dataDir);
    try {
      await expect(start(dataDir)).rejects.toMatchObject({ code: 'data_dir_in_use', message: expect.stringContaining(String(process.pid)) });
    } finally {
      await first.stop();
    }
    // a crashed app's lock: a process id that is not running
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    await writeFile(join(dataDir, LOCK_FILE), JSON.stringify({ pid: Number(dead.stdout.toString()), startedAt: '2026-01-01T00:00:00Z' }));
    const second = await start(dataDir);
    await second.stop();
  });
});

describe('bridge URL opener', () => {
  it('records allowlisted URLs and refuses the rest', async () => {
    const opener = createBridgeOpener({ logger: quiet });
    await opener.open('http://127.0.0.1:4000/checkout/cs_1', ['http://127.0.0.1:4000']);
    await expect(opener.open('http://127.0.0.1:4001/checkout/cs_1', ['http://127.0.0.1:4000'])).rejects.toBeInstanceOf(AppError);
    await expect(opener.open('file:///etc/passwd', ['http://127.0.0.1:4000'])).rejects.toMatchObject({ code: 'url_not_allowed' });
    expect(opener.opened).toEqual(['http://127.0.0.1:4000/checkout/cs_1']);
  });
});
