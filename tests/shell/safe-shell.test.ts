import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./electron-standin'));

import * as electron from './electron-standin';
import { openExternalSafely } from '../../main/safe-shell';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installRecordingOpener, isMarkedTestBuild, TEST_BUILD_MARKER, testHooksEnabled } from '../../main/test-hooks';
import { AppError } from '../../main/core/errors';

const LIVE = ['https://checkout.stripe.com'];
const TRAINING = ['http://127.0.0.1:43123'];

beforeEach(() => {
  electron.reset();
  delete process.env.MANDATE_DESK_E2E;
  globalThis.__mandateDeskOpened = undefined;
});
afterEach(() => {
  delete process.env.MANDATE_DESK_E2E;
});

async function refused(url: string, allowed: string[]) {
  const error = await openExternalSafely(url, allowed).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, url).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe('url_not_allowed');
}

describe('openExternalSafely', () => {
  it('opens an allowlisted Checkout URL with shell.openExternal', async () => {
    await openExternalSafely('https://checkout.stripe.com/c/pay/cs_test_123#fragment', LIVE);
    await openExternalSafely('http://127.0.0.1:43123/checkout/cs_test_9', TRAINING);
    expect(electron.shell.opened).toEqual(['https://checkout.stripe.com/c/pay/cs_test_123#fragment', 'http://127.0.0.1:43123/checkout/cs_test_9']);
  });

  it('refuses lookalike hosts, user info, other schemes, and http outside the emulator', async () => {
    const bad = [
      'https://checkout.stripe.com.evil.example/c/pay',
      'https://evil.example/checkout.stripe.com',
      'https://checkout-stripe.com/c/pay',
      'https://checkout.stripe.co/c/pay',
      'https://user:pass@checkout.stripe.com/c/pay',
      'https://checkout.stripe.com@evil.example/c/pay',
      'https://checkout.stripe.com:8443/c/pay',
      'http://checkout.stripe.com/c/pay',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'data:text/html,<script>alert(1)</script>',
      'https://checkout.stripe.com/c/pay\nhttps://evil.example',
      ' https://checkout.stripe.com/c/pay',
      'not a url',
    ];
    for (const url of bad) await refused(url, LIVE);
    // the emulator's origin is exact: another loopback port is not it
    await refused('http://127.0.0.1:43124/checkout/cs_test_9', TRAINING);
    await refused('http://127.0.0.1:43123/checkout/cs_test_9', LIVE);
    expect(electron.shell.opened).toEqual([]);
  });

  it('always opens for real: the e2e record is not part of it (see test-hooks)', async () => {
    process.env.MANDATE_DESK_E2E = '1';
    await openExternalSafely('https://checkout.stripe.com/c/pay/cs_test_1', LIVE);
    expect(electron.shell.opened).toEqual(['https://checkout.stripe.com/c/pay/cs_test_1']);
    expect(globalThis.__mandateDeskOpened).toBeUndefined();
  });
});

describe('test-only hooks', () => {
  it('are on only when an e2e run asks AND the app is not packaged', () => {
    expect(testHooksEnabled({ MANDATE_DESK_E2E: '1' }, { packaged: false })).toBe(true);
    expect(testHooksEnabled({ MANDATE_DESK_E2E: '1' }, { packaged: true })).toBe(false);
    expect(testHooksEnabled({}, { packaged: false })).toBe(false);
    expect(testHooksEnabled({ MANDATE_DESK_E2E: 'true' }, { packaged: false })).toBe(false);
    // the packaged test build (electron-builder.e2e.yml) is the one packaged app that honours it
    expect(testHooksEnabled({ MANDATE_DESK_E2E: '1' }, { packaged: true, testBuild: true })).toBe(true);
    expect(testHooksEnabled({}, { packaged: true, testBuild: true })).toBe(false);
  });

  it('only a package.json with the marker set to true makes a test build', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'md-marker-'));
    try {
      expect(isMarkedTestBuild(dir)).toBe(false); // no package.json
      await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'mandate-desk', [TEST_BUILD_MARKER]: 'true' }));
      expect(isMarkedTestBuild(dir)).toBe(false);
      await writeFile(join(dir, 'package.json'), '{broken');
      expect(isMarkedTestBuild(dir)).toBe(false);
      await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'mandate-desk', [TEST_BUILD_MARKER]: true }));
      expect(isMarkedTestBuild(dir)).toBe(true);
      expect(isMarkedTestBuild(join(import.meta.dirname, '..', '..'))).toBe(false); // the project itself is not one
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the recording opener records allowlisted URLs instead of opening them, and still refuses the rest', async () => {
    const record = installRecordingOpener();
    expect(globalThis.__mandateDeskOpened).toEqual([]);
    await record('https://checkout.stripe.com/c/pay/cs_test_1', LIVE);
    await expect(record('https://evil.example/', LIVE)).rejects.toMatchObject({ code: 'url_not_allowed' });
    expect(globalThis.__mandateDeskOpened).toEqual(['https://checkout.stripe.com/c/pay/cs_test_1']);
    expect(electron.shell.opened).toEqual([]);
  });
});
