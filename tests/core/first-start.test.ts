import { afterEach, describe, expect, it } from 'vitest';
import { calls } from '../../preload/contract';
import { startTestCore, type TestCore } from '../helpers/core';
import { readStoredData } from '../helpers/saved-method';

const MANAGER = { name: 'Mina Manager', pin: '2468', shopName: 'Kissa Midori', shopContact: '03-1234-5678' };

let t: TestCore | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('first start: the shop’s currency and language', () => {
  it('stores a Japanese shop’s yen and Japanese, and names the counter in Japanese', async () => {
    t = await startTestCore();
    await t.call('auth.setupFirstManager', { ...MANAGER, currency: 'jpy', language: 'ja' });
    expect(await t.call('settings.get', {})).toMatchObject({ defaultCurrency: 'jpy', defaultLanguage: 'ja', terminalName: 'カウンター 1', shopName: 'Kissa Midori' });
    expect((await readStoredData(t)).settings).toMatchObject({ defaultCurrency: 'jpy', defaultLanguage: 'ja', terminalName: 'カウンター 1' });
  });

  it('keeps the defaults (euro, English, "Counter 1") when the caller chooses nothing', async () => {
    t = await startTestCore();
    await t.call('auth.setupFirstManager', MANAGER);
    expect(await t.call('settings.get', {})).toMatchObject({ defaultCurrency: 'eur', defaultLanguage: 'en', terminalName: 'Counter 1', taxRatePercent: 10 });
  });

  it('refuses a currency or language the app does not have', () => {
    const input = calls['auth.setupFirstManager'].input;
    expect(input.safeParse({ ...MANAGER, currency: 'jpy', language: 'ja' }).success).toBe(true);
    expect(input.safeParse({ ...MANAGER, currency: 'cny' }).success).toBe(false);
    expect(input.safeParse({ ...MANAGER, language: 'fr' }).success).toBe(false);
  });
});
