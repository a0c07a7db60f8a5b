import { describe, expect, it } from 'vitest';
import { calls } from '../../preload/contract';
import { isRegistrationNumber, normalizeRegistrationNumber, shopDefaultsFor } from '../../renderer/lib/shop';
import { checkSettings, type SettingsForm } from '../../renderer/lib/validation';

describe('first-start defaults from the browser’s languages', () => {
  it('suggests yen and Japanese to a Japanese browser', () => {
    expect(shopDefaultsFor(['ja-JP', 'en-US'])).toEqual({ language: 'ja', currency: 'jpy' });
    expect(shopDefaultsFor(['ja'])).toEqual({ language: 'ja', currency: 'jpy' });
  });

  it('follows the region elsewhere, with euro where the region has no currency of its own here', () => {
    expect(shopDefaultsFor(['en-US'])).toEqual({ language: 'en', currency: 'usd' });
    expect(shopDefaultsFor(['en-GB'])).toEqual({ language: 'en', currency: 'gbp' });
    expect(shopDefaultsFor(['de-DE', 'en'])).toEqual({ language: 'en', currency: 'eur' });
    expect(shopDefaultsFor(['fr-CA'])).toEqual({ language: 'en', currency: 'eur' });
    expect(shopDefaultsFor(['en-JP'])).toEqual({ language: 'en', currency: 'jpy' });
    expect(shopDefaultsFor([])).toEqual({ language: 'en', currency: 'usd' });
    expect(shopDefaultsFor(['not a locale'])).toEqual({ language: 'en', currency: 'eur' });
  });
});

describe('the qualified-invoice registration number', () => {
  it('is written one way whatever was typed', () => {
    expect(normalizeRegistrationNumber('ｔ１２３４５６７８９０１２３')).toBe('T1234567890123');
    expect(normalizeRegistrationNumber(' T1234-5678-90123 ')).toBe('T1234567890123');
    expect(normalizeRegistrationNumber('')).toBe('');
  });

  it('is T and 13 digits, or empty', () => {
    for (const good of ['T1234567890123', '']) expect(isRegistrationNumber(good), good).toBe(true);
    for (const bad of ['1234567890123', 'T123456789012', 'T12345678901234', 'TT234567890123', 'T12345678901a3']) expect(isRegistrationNumber(bad), bad).toBe(false);
  });

  it('is checked in Settings before anything is sent, and what passes the contract accepts', () => {
    const form: SettingsForm = {
      shopName: 'Kissa Midori', shopContact: 'Tokyo', defaultCurrency: 'jpy', defaultLanguage: 'ja', idleLockMinutes: '10', terminalName: 'カウンター 1',
      taxRatePercent: '１０', invoiceRegistrationNumber: 't-1234567890123',
    };
    const ok = checkSettings(form);
    if (!ok.ok) throw new Error('expected a value');
    expect(ok.value).toMatchObject({ taxRatePercent: 10, invoiceRegistrationNumber: 'T1234567890123' });
    expect(calls['settings.update'].input.safeParse(ok.value).success).toBe(true);

    const bad = checkSettings({ ...form, invoiceRegistrationNumber: 'T12345', taxRatePercent: '10.5' });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors.invoiceRegistrationNumber).toEqual({ key: 'validation.registrationNumber' });
    expect(bad.errors.taxRatePercent).toEqual({ key: 'validation.range', vars: { min: 0, max: 100 } });
    expect(checkSettings({ ...form, taxRatePercent: '101' }).ok).toBe(false);
    expect(checkSettings({ ...form, taxRatePercent: '0', invoiceRegistrationNumber: '' }).ok).toBe(true);
  });
});
