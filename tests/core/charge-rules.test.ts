import { describe, expect, it } from 'vitest';
import type { MandateParams } from '../../preload/contract';
import { checkChargeAllowed, type ChargeCheck } from '../../main/core/charge-rules';
import { consentStatus } from '../../main/core/views';
import type { ConsentRecord, SavedMethodRecord, WithdrawalRecord } from '../../main/core/data';
import { AppError } from '../../main/core/errors';

const consentStatusAt = (record: ConsentRecord, w: WithdrawalRecord | null, now: Date) => consentStatus({ withdrawals: w ? [w] : [] }, record, now);

const actor = { staffId: 'staff_1', name: 'Sam Staff' };

function consent(params: Partial<MandateParams> = {}, timeZone = 'UTC'): ConsentRecord {
  return {
    id: 'cons_1',
    customerId: 'cust_1',
    stripeCustomerId: 'cus_1',
    termsVersion: '2026-1',
    language: 'en',
    title: 'Terms',
    text: 'text',
    textSha256: '0'.repeat(64),
    params: {
      purpose: 'Laundry service',
      frequency: 'as_needed',
      timing: 'After each pickup',
      amountRule: 'up_to_max',
      maxAmount: 5000,
      currency: 'eur',
      startDate: '2026-01-01',
      endDate: '2026-12-31',
      cancellationPolicy: 'Cancel any time',
      ...params,
    },
    typedName: 'Ada Customer',
    signaturePng: null,
    acceptedAtUtc: '2026-01-01T09:00:00.000Z',
    acceptedAtLocal: '2026-01-01 09:00',
    timeZone,
    witnessedBy: actor,
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
  mandateId: 'mandate_1',
  savedAt: '2026-01-01T09:05:00.000Z',
  detachedAt: null,
};

const withdrawal: WithdrawalRecord = { id: 'wd_1', consentId: 'cons_1', at: '2026-03-04T10:00:00.000Z', by: actor, reason: 'Customer asked' };

function check(overrides: Partial<ChargeCheck> = {}): ChargeCheck {
  return {
    consent: consent(),
    withdrawal: null,
    savedMethod: method,
    amount: 1200,
    currency: 'eur',
    now: new Date('2026-06-15T12:00:00Z'),
    kind: 'one_off',
    chargesSoFar: 0,
    ...overrides,
  };
}

function refusal(input: ChargeCheck): AppError {
  const result = checkChargeAllowed(input);
  if (result.ok) throw new Error('expected a refusal');
  expect(result.error).toBeInstanceOf(AppError);
  return result.error;
}

describe('consent status', () => {
  it('uses the date where the consent was given, start and end inclusive', () => {
    // 2026-12-31T20:00Z is already 2027-01-01 in Tokyo
    const late = new Date('2026-12-31T20:00:00Z');
    expect(consentStatusAt(consent({}, 'UTC'), null, late)).toBe('active');
    expect(consentStatusAt(consent({}, 'Asia/Tokyo'), null, late)).toBe('expired');
    expect(consentStatusAt(consent(), null, new Date('2026-01-01T00:00:00Z'))).toBe('active');
    expect(consentStatusAt(consent(), null, new Date('2025-12-31T23:59:59Z'))).toBe('not_started');
    expect(consentStatusAt(consent({ endDate: null }), null, new Date('2099-01-01T00:00:00Z'))).toBe('active');
    expect(consentStatusAt(consent(), withdrawal, new Date('2026-06-15T12:00:00Z'))).toBe('withdrawn');
  });

  it('falls back to UTC for an unknown time zone instead of refusing every charge', () => {
    expect(consentStatusAt(consent({ endDate: '2026-06-15' }, 'Not/AZone'), null, new Date('2026-06-15T23:30:00Z'))).toBe('active');
  });
});

describe('checkChargeAllowed', () => {
  it('allows one charge on a single-payment consent and refuses a second', () => {
    const single = consent({ frequency: 'one_off' });
    expect(checkChargeAllowed(check({ consent: single, chargesSoFar: 0 }))).toEqual({ ok: true });
    expect(refusal(check({ consent: single, chargesSoFar: 1 })).code).toBe('frequency_not_allowed');
    expect(checkChargeAllowed(check({ consent: consent({ frequency: 'as_needed' }), chargesSoFar: 5 }))).toEqual({ ok: true });
  });

  it('allows a charge within an active consent, its rule and its currency', () => {
    expect(checkChargeAllowed(check())).toEqual({ ok: true });
    expect(checkChargeAllowed(check({ amount: 5000 }))).toEqual({ ok: true });
  });

  it('refuses a withdrawn consent and says so', () => {
    const error = refusal(check({ withdrawal }));
    expect(error.code).toBe('consent_inactive');
    expect(error.message).toContain('withdrawn on 2026-03-04');
  });

  it('refuses before the start date and after the end date, saying which', () => {
    const early = refusal(check({ now: new Date('2025-12-30T12:00:00Z') }));
    expect(early.code).toBe('consent_inactive');
    expect(early.message).toContain('starts on 2026-01-01');
    const late = refusal(check({ now: new Date('2027-01-02T12:00:00Z') }));
    expect(late.code).toBe('consent_inactive');
    expect(late.message).toContain('ended on 2026-12-31');
  });

  it('refuses a method that is missing, detached, or saved under another consent or customer', () => {
    expect(refusal(check({ savedMethod: null })).code).toBe('method_detached');
    expect(refusal(check({ savedMethod: undefined })).code).toBe('method_detached');
    const otherConsent = refusal(check({ savedMethod: { ...method, consentId: 'cons_2' } }));
    expect(otherConsent.code).toBe('method_detached');
    expect(otherConsent.message).toContain('not saved under this consent');
    expect(refusal(check({ savedMethod: { ...method, customerId: 'cust_2' } })).code).toBe('method_detached');
    const detached = refusal(check({ savedMethod: { ...method, detachedAt: '2026-05-01T08:00:00.000Z' } }));
    expect(detached.code).toBe('method_detached');
    expect(detached.message).toContain('detached on 2026-05-01');
  });

  it('refuses another currency than the consent names', () => {
    const error = refusal(check({ currency: 'jpy', amount: 100 }));
    expect(error.code).toBe('amount_not_allowed');
    expect(error.message).toContain('EUR');
    expect(error.message).toContain('JPY');
  });

  it('fixed: only exactly the agreed amount, the limit formatted in the currency', () => {
    const fixed = consent({ amountRule: 'fixed', amount: 1500, maxAmount: undefined, currency: 'jpy' });
    expect(checkChargeAllowed(check({ consent: fixed, currency: 'jpy', amount: 1500 }))).toEqual({ ok: true });
    for (const amount of [1499, 1501]) {
      const error = refusal(check({ consent: fixed, currency: 'jpy', amount }));
      expect(error.code).toBe('amount_not_allowed');
      expect(error.message).toContain('exactly ¥1,500');
    }
  });

  it('up_to_max and per_usage: at most maxAmount', () => {
    const over = refusal(check({ amount: 5001 }));
    expect(over.code).toBe('amount_not_allowed');
    expect(over.message).toContain('at most €50.00');
    expect(over.message).toContain('€50.01');
    const perUsage = consent({ amountRule: 'per_usage', maxAmount: 300 });
    expect(checkChargeAllowed(check({ consent: perUsage, amount: 300 }))).toEqual({ ok: true });
    const error = refusal(check({ consent: perUsage, amount: 301 }));
    expect(error.code).toBe('amount_not_allowed');
    expect(error.message).toContain('per-usage charges of at most €3.00');
  });

  it('subscriptions need a recurring consent; one-off charges do not', () => {
    for (const frequency of ['one_off', 'as_needed'] as const) {
      const error = refusal(check({ consent: consent({ frequency }), kind: 'subscription' }));
      expect(error.code).toBe('frequency_not_allowed');
      expect(error.message).toContain('recurring');
    }
    const recurring = consent({ frequency: 'recurring' });
    expect(checkChargeAllowed(check({ consent: recurring, kind: 'subscription' }))).toEqual({ ok: true });
    expect(checkChargeAllowed(check({ consent: recurring, kind: 'one_off' }))).toEqual({ ok: true });
  });

  it('checks the consent before the method, and the method before the amount', () => {
    expect(refusal(check({ withdrawal, savedMethod: null, amount: 999_999 })).code).toBe('consent_inactive');
    expect(refusal(check({ savedMethod: null, amount: 999_999 })).code).toBe('method_detached');
  });
});
