/** Issue 8 §4: mandate dates are real calendar dates, compared as dates, rendered as written. */
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { calendarDay, MandateParams, StoredMandateParams } from '../../preload/contract';
import { checkChargeAllowed } from '../../main/core/charge-rules';
import type { ConsentRecord, SavedMethodRecord } from '../../main/core/data';
import { AppError } from '../../main/core/errors';
import { customerDocPath } from '../../main/core/records';
import { renderTerms } from '../../main/core/terms';
import { consentStatus } from '../../main/core/views';
import { startTestCore, type TestCore } from '../helpers/core';
import { createCustomerWithSavedMethod, mandateParams } from '../helpers/saved-method';

const params = (overrides: Partial<MandateParams> = {}) => mandateParams({ startDate: '2026-01-01', endDate: '2026-12-31', ...overrides });

function consent(overrides: Partial<MandateParams>, timeZone = 'UTC'): ConsentRecord {
  return {
    id: 'cons_1',
    customerId: 'cust_1',
    stripeCustomerId: 'cus_1',
    termsVersion: '2026-1',
    language: 'en',
    title: 'Terms',
    text: 'text',
    textSha256: '0'.repeat(64),
    // as a record written before dates were checked may hold them
    params: StoredMandateParams.parse(params(overrides)),
    typedName: 'Ada Customer',
    signaturePng: null,
    acceptedAtUtc: '2026-01-01T09:00:00.000Z',
    acceptedAtLocal: '2026-01-01 09:00',
    timeZone,
    witnessedBy: { staffId: 'staff_1', name: 'Sam Staff' },
    terminalId: 'term_1',
    correctsConsentId: null,
  };
}
const method: SavedMethodRecord = {
  paymentMethodId: 'pm_1',
  type: 'amazon_pay',
  customerId: 'cust_1',
  consentId: 'cons_1',
  setupId: 'setup_1',
  setupIntentId: 'seti_1',
  mandateId: null,
  savedAt: '2026-01-01T09:05:00.000Z',
  detachedAt: null,
};
const statusAt = (record: ConsentRecord, iso: string) => consentStatus({ withdrawals: [] }, record, new Date(iso));

describe('the contract', () => {
  it.each(['2027-02-29', '2027-00-00', '2026-13-01', '2026-04-31', '2100-02-29', '2026-1-01'])('refuses %s as a mandate date with a clear message', (date) => {
    for (const field of ['startDate', 'endDate'] as const) {
      const result = MandateParams.safeParse(params({ startDate: '2026-01-01', endDate: null, [field]: date }));
      expect(result.success).toBe(false);
      expect(result.error?.issues).toContainEqual(expect.objectContaining({ path: [field], message: 'Use a real calendar date, like 2026-12-31' }));
    }
  });

  it('accepts real dates, leap days included, and compares them as dates', () => {
    expect(MandateParams.safeParse(params({ startDate: '2028-02-29', endDate: '2028-03-01' })).success).toBe(true);
    expect(MandateParams.safeParse(params({ startDate: '2000-02-29', endDate: null })).success).toBe(true);
    const reversed = MandateParams.safeParse(params({ startDate: '2028-03-01', endDate: '2028-02-29' }));
    expect(reversed.error?.issues).toContainEqual(expect.objectContaining({ path: ['endDate'], message: 'The end date is before the start date' }));
    expect(calendarDay('1970-01-02')).toBe(1);
    expect(calendarDay('2028-03-01')! - calendarDay('2028-02-28')!).toBe(2);
    expect(calendarDay('2027-00-00')).toBeNull();
  });
});

describe('consent status and the charge rules', () => {
  it('compare the calendar day in the consent time zone with its dates', () => {
    const leap = consent({ startDate: '2028-02-01', endDate: '2028-02-29' });
    expect(statusAt(leap, '2028-02-29T23:59:00Z')).toBe('active');
    expect(statusAt(leap, '2028-03-01T00:00:00Z')).toBe('expired');
    expect(statusAt(consent({ startDate: '2028-02-01', endDate: '2028-02-29' }, 'Asia/Tokyo'), '2028-02-29T15:30:00Z')).toBe('expired');
    expect(statusAt(leap, '2028-01-31T12:00:00Z')).toBe('not_started');
  });

  it('never treat a stored impossible date as chargeable, and say why', () => {
    // string comparison would call these active on 2026-06-01 ("2027-00-00" > "2026-06-01")
    const badEnd = consent({ endDate: '2027-00-00' });
    const badStart = consent({ startDate: '2026-02-30', endDate: null });
    expect(statusAt(badEnd, '2026-06-01T12:00:00Z')).toBe('expired');
    expect(statusAt(badStart, '2026-06-01T12:00:00Z')).toBe('not_started');
    for (const record of [badEnd, badStart]) {
      const result = checkChargeAllowed({ consent: record, withdrawal: null, savedMethod: method, amount: 100, currency: 'eur', now: new Date('2026-06-01T12:00:00Z'), kind: 'one_off', chargesSoFar: 0 });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('consent_inactive');
        expect(result.error.message).toMatch(/is not a real calendar date/);
      }
    }
  });
});

describe('the terms text', () => {
  const terms = (overrides: Partial<MandateParams>, language: 'en' | 'ja' = 'en') =>
    renderTerms({ language, shop: { name: 'Shop', contact: 'shop@example.com' }, customer: { name: 'Ada', email: 'ada@example.com' }, params: { ...params(), ...overrides } });

  it('shows each date as written, in both languages', () => {
    const en = terms({ startDate: '2028-02-29', endDate: '2029-01-01' }).text;
    expect(en).toContain('Start date: February 29, 2028');
    expect(en).toContain('until January 1, 2029');
    const ja = terms({ startDate: '2028-02-29', endDate: '2029-01-01' }, 'ja').text;
    expect(ja).toContain('2028年2月29日');
    expect(ja).toContain('2029年1月1日');
  });

  it('refuses an impossible date instead of rolling it over to another day', () => {
    for (const overrides of [{ endDate: '2027-00-00' }, { startDate: '2027-02-29' }]) {
      let thrown: unknown;
      try {
        terms(overrides);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AppError);
      expect(thrown).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/is not a real calendar date/) });
    }
  });
});

describe('through the dispatcher', () => {
  let t: TestCore;
  afterEach(async () => {
    await t.close();
  });

  it('refuses 2027-00-00 and 2027-02-29 on terms.render and consents.record, naming the field', async () => {
    t = await startTestCore();
    await t.call('auth.setupFirstManager', { name: 'Mina Manager', pin: '2468', shopName: 'Shop', shopContact: 'shop@example.com' });
    const { customer } = await t.call('customers.create', { name: 'Ada', email: 'ada@example.com', language: 'en' });
    for (const [field, date] of [['endDate', '2027-00-00'], ['startDate', '2027-02-29']] as const) {
      const result = await t.raw('terms.render', { customerId: customer.id, language: 'en', params: params({ [field]: date }) });
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input', fields: { [`params.${field}`]: 'Use a real calendar date, like 2026-12-31' } } });
    }
    const record = await t.raw('consents.record', {
      customerId: customer.id,
      language: 'en',
      params: params({ endDate: '2027-00-00' }),
      shownSha256: '0'.repeat(64),
      typedName: 'Ada',
      accepted: true,
      staffConfirmed: true,
    });
    expect(record).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect((await t.call('customers.get', { customerId: customer.id })).consents).toEqual([]);
  });

  it('still loads a consent stored with an impossible date (from before the check), and never charges it', async () => {
    t = await startTestCore();
    await t.call('auth.setupFirstManager', { name: 'Mina Manager', pin: '2468', shopName: 'Shop', shopContact: 'shop@example.com' });
    const saved = await createCustomerWithSavedMethod(t);
    await t.core.stop();
    const path = customerDocPath(t.dataDir, saved.customer.id);
    const data = JSON.parse(await readFile(path, 'utf8')) as { consents: Array<{ params: { endDate: string | null } }> };
    data.consents[0].params.endDate = '2099-00-00';
    await writeFile(path, JSON.stringify(data));
    await t.restart();
    expect((await t.call('app.info', {})).storeNotices).toEqual([]);
    await t.call('auth.signIn', { name: 'Mina Manager', pin: '2468' });
    const detail = await t.call('customers.get', { customerId: saved.customer.id });
    expect(detail.consents[0]).toMatchObject({ status: 'expired', params: { endDate: '2099-00-00' } });
    const charge = await t.raw('charges.create', {
      customerId: saved.customer.id,
      consentId: saved.consent.id,
      paymentMethodId: saved.paymentMethodId,
      amount: 100,
      currency: 'eur',
      description: 'Should not go through',
      requestKey: randomUUID(),
    });
    expect(charge).toMatchObject({ ok: false, error: { code: 'consent_inactive', message: expect.stringMatching(/not a real calendar date/) } });
  });
});
