import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { calls } from '../../preload/contract';
import { includedTax, receiptTax } from '../../main/core/consumption-tax';
import { callError, signInManager, startTestCore, type TestCore } from '../helpers/core';
import { createCustomerWithSavedMethod, readStoredData } from '../helpers/saved-method';

describe('includedTax: the tax inside a tax-inclusive amount, rounded down', () => {
  it('takes rate / (100 + rate) of the total and drops the fraction of a yen', () => {
    expect(includedTax(1100, 10)).toBe(100); // exact
    expect(includedTax(1000, 10)).toBe(90); // 90.90… → 90
    expect(includedTax(15_000, 10)).toBe(1363); // 1363.63… → 1363, never rounded up
    expect(includedTax(1080, 8)).toBe(80); // the reduced rate
    expect(includedTax(1, 10)).toBe(0);
    expect(includedTax(0, 10)).toBe(0);
    expect(includedTax(5000, 0)).toBe(0);
  });

  it('is exact at the largest amount the contract allows', () => {
    expect(includedTax(99_999_999, 10)).toBe(9_090_909); // exactly 9,090,909
    expect(includedTax(99_999_998, 10)).toBe(9_090_908); // 9,090,908.909… → 9,090,908
    expect(includedTax(99_999_999, 100)).toBe(49_999_999);
  });

  it('refuses what is not an amount or a rate', () => {
    expect(() => includedTax(-1, 10)).toThrow(RangeError);
    expect(() => includedTax(10.5, 10)).toThrow(RangeError);
    expect(() => includedTax(100, 7.5)).toThrow(RangeError);
    expect(() => includedTax(100, 101)).toThrow(RangeError);
  });

  it('is stated on receipts in yen only, and not at a 0 % rate', () => {
    const settings = { taxRatePercent: 10, invoiceRegistrationNumber: 'T1234567890123' };
    expect(receiptTax(settings, 'jpy', 5500)).toEqual({ tax: { ratePercent: 10, taxableAmount: 5500, amount: 500 }, invoiceRegistrationNumber: 'T1234567890123' });
    expect(receiptTax(settings, 'eur', 5500)).toEqual({ tax: null, invoiceRegistrationNumber: null });
    expect(receiptTax({ taxRatePercent: 0, invoiceRegistrationNumber: '' }, 'jpy', 5500)).toEqual({ tax: null, invoiceRegistrationNumber: null });
  });
});

describe('settings: tax rate and registration number', () => {
  const update = calls['settings.update'].input;
  it('the contract takes T + 13 digits or empty, and a whole rate from 0 to 100', () => {
    for (const good of ['T1234567890123', '', '  T1234567890123 ']) expect(update.safeParse({ invoiceRegistrationNumber: good }).success, good).toBe(true);
    for (const bad of ['1234567890123', 'T123456789012', 'T12345678901234', 't1234567890123', 'T1234-567890123', 'T123456789012X'])
      expect(update.safeParse({ invoiceRegistrationNumber: bad }).success, bad).toBe(false);
    for (const good of [0, 8, 10, 100]) expect(update.safeParse({ taxRatePercent: good }).success, String(good)).toBe(true);
    for (const bad of [-1, 10.5, 101]) expect(update.safeParse({ taxRatePercent: bad }).success, String(bad)).toBe(false);
  });
});

describe('the receipt carries the tax and the registration number', () => {
  let t: TestCore;
  beforeEach(async () => {
    t = await startTestCore();
    await signInManager(t);
  });
  afterEach(async () => {
    await t.close();
  });

  const charge = async (saved: Awaited<ReturnType<typeof createCustomerWithSavedMethod>>, amount: number, currency: 'jpy' | 'eur') =>
    t.call('charges.create', { customerId: saved.customer.id, consentId: saved.consent.id, paymentMethodId: saved.paymentMethodId, amount, currency, description: 'Cleaning', requestKey: randomUUID() });

  it('defaults to 10 % with no number; a bad number is refused and changes nothing', async () => {
    expect(await t.call('settings.get', {})).toMatchObject({ taxRatePercent: 10, invoiceRegistrationNumber: '' });
    const error = await callError(t.call('settings.update', { invoiceRegistrationNumber: 'T12345' }));
    expect(error.code).toBe('invalid_input');
    expect(error.fields).toHaveProperty('invoiceRegistrationNumber');
    expect((await readStoredData(t)).settings.invoiceRegistrationNumber).toBe('');
  });

  it('states the included tax of the total after refunds, in yen, and the shop’s number', async () => {
    await t.call('settings.update', { invoiceRegistrationNumber: 'T1234567890123', taxRatePercent: 10 });
    const saved = await createCustomerWithSavedMethod(t, { name: '山田 花子', language: 'ja', params: { currency: 'jpy', maxAmount: 50_000 } });
    const paid = await charge(saved, 15_000, 'jpy');
    expect(await t.call('charges.receipt', { chargeId: paid.id })).toMatchObject({
      tax: { ratePercent: 10, taxableAmount: 15_000, amount: 1363 },
      invoiceRegistrationNumber: 'T1234567890123',
    });
    await t.call('refunds.create', { chargeId: paid.id, amount: 4000, reason: 'requested_by_customer', note: '', requestKey: randomUUID() });
    // a refund still under way is not yet off the total
    await expect.poll(async () => (await t.call('charges.resolve', { chargeId: paid.id })).refunds[0]?.status, { timeout: 5000 }).toBe('succeeded');
    const afterRefund = await t.call('charges.receipt', { chargeId: paid.id });
    expect(afterRefund.tax).toEqual({ ratePercent: 10, taxableAmount: 11_000, amount: 1000 });
  });

  it('says nothing about consumption tax on a receipt in euro', async () => {
    await t.call('settings.update', { invoiceRegistrationNumber: 'T1234567890123' });
    const saved = await createCustomerWithSavedMethod(t);
    const paid = await charge(saved, 1250, 'eur');
    expect(await t.call('charges.receipt', { chargeId: paid.id })).toMatchObject({ tax: null, invoiceRegistrationNumber: null });
  });
});
