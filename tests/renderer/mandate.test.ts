import { describe, expect, it } from 'vitest';
import { MandateParams } from '../../preload/contract';
import { checkMandateForm, defaultMandateForm, defaultMandateTexts, formFromParams, type MandateForm } from '../../renderer/lib/mandate';

const base = (overrides: Partial<MandateForm> = {}): MandateForm => ({
  ...defaultMandateForm({ lang: 'en', shopName: 'Blue Cafe', currency: 'eur', today: '2026-11-27' }),
  amountText: '50',
  ...overrides,
});

function params(form: MandateForm) {
  const checked = checkMandateForm(form);
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return checked.value;
}

describe('mandate defaults', () => {
  it('are written in the customer’s language and name the shop', () => {
    const en = defaultMandateForm({ lang: 'en', shopName: 'Blue Cafe', currency: 'eur', today: '2026-11-27' });
    const ja = defaultMandateForm({ lang: 'ja', shopName: 'ブルーカフェ', currency: 'jpy', today: '2026-11-27' });
    expect(en.purpose).toContain('Blue Cafe');
    expect(ja.purpose).toContain('ブルーカフェ');
    expect(ja.cancellationPolicy).toMatch(/いつでも解約できます/);
    expect(en).toMatchObject({ frequency: 'as_needed', amountRule: 'up_to_max', currency: 'eur', startDate: '2026-11-27', untilCancelled: true, amountText: '' });
    expect(ja.currency).toBe('jpy');
  });

  it('give each frequency its own timing', () => {
    const timings = (['one_off', 'recurring', 'as_needed'] as const).map((f) => defaultMandateTexts('en', f, 'Shop').timing);
    expect(new Set(timings).size).toBe(3);
  });
});

describe('checkMandateForm', () => {
  it('builds params the contract accepts from the defaults plus an amount', () => {
    const p = params(base());
    expect(p).toMatchObject({ amountRule: 'up_to_max', maxAmount: 5000, currency: 'eur', endDate: null });
    expect(p).not.toHaveProperty('amount');
    expect(MandateParams.safeParse(p).success).toBe(true);
  });

  it('puts a fixed amount in `amount` and a JPY amount in yen', () => {
    const p = params(base({ amountRule: 'fixed', currency: 'jpy', amountText: '1,500', frequency: 'recurring' }));
    expect(p).toMatchObject({ amountRule: 'fixed', amount: 1500, currency: 'jpy' });
    expect(p).not.toHaveProperty('maxAmount');
    expect(MandateParams.safeParse(p).success).toBe(true);
  });

  it('reports the amount under the field the contract uses for the rule', () => {
    const fixed = checkMandateForm(base({ amountRule: 'fixed', amountText: '' }));
    const max = checkMandateForm(base({ amountRule: 'per_usage', amountText: '1.999' }));
    expect(fixed.ok ? null : fixed.errors).toEqual({ amount: { key: 'validation.money.empty' } });
    expect(max.ok ? null : max.errors).toEqual({ maxAmount: { key: 'validation.money.tooManyDecimals', vars: { currency: 'EUR', decimals: 2 } } });
  });

  it('checks the period', () => {
    const before = checkMandateForm(base({ untilCancelled: false, endDate: '2026-11-26' }));
    expect(before.ok ? null : before.errors.endDate?.key).toBe('validation.endBeforeStart');
    const missing = checkMandateForm(base({ untilCancelled: false, endDate: '' }));
    expect(missing.ok ? null : missing.errors.endDate?.key).toBe('validation.date');
    expect(params(base({ untilCancelled: false, endDate: '2027-11-27' })).endDate).toBe('2027-11-27');
    // an end date typed and then "until cancelled" ticked again is ignored
    expect(params(base({ untilCancelled: true, endDate: '2020-01-01' })).endDate).toBeNull();
  });

  it('requires the texts the terms are built from', () => {
    const checked = checkMandateForm(base({ purpose: 'ab', timing: '   ', cancellationPolicy: 'x'.repeat(601) }));
    expect(checked.ok ? null : checked.errors).toEqual({
      purpose: { key: 'validation.minLength', vars: { min: 3 } },
      timing: { key: 'validation.required' },
      cancellationPolicy: { key: 'validation.maxLength', vars: { max: 600 } },
    });
  });

  it('round-trips recorded params through the form', () => {
    for (const form of [base(), base({ amountRule: 'fixed', currency: 'jpy', amountText: '3000' }), base({ untilCancelled: false, endDate: '2027-01-31', amountText: '0.99' })]) {
      const p = params(form);
      expect(params(formFromParams(p))).toEqual(p);
    }
  });
});
