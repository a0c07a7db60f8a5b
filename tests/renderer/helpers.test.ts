import { afterEach, describe, expect, it } from 'vitest';
import { calls, type MandateParams, type MandateDeskApi, type Result } from '../../preload/contract';
import { call, onSignedOut } from '../../renderer/api';
import { translator } from '../../renderer/i18n/translate';
import { toAuditFilter, EMPTY_AUDIT_FILTER } from '../../renderer/lib/audit';
import { describeAmountRule, describePeriod, describePrice, invoiceStatusLabel, refundableOf, shortId } from '../../renderer/lib/describe';
import { errorText, fieldErrors } from '../../renderer/lib/errors';
import { newRequestKey } from '../../renderer/lib/hooks';

const en = translator('en');
const ja = translator('ja');
const params = (p: Partial<MandateParams>): MandateParams => ({
  purpose: 'Repairs',
  frequency: 'as_needed',
  timing: 'When repaired',
  amountRule: 'up_to_max',
  maxAmount: 10000,
  currency: 'eur',
  startDate: '2026-11-27',
  endDate: null,
  cancellationPolicy: 'Any time',
  ...p,
});

describe('describing consents, charges and prices', () => {
  it('describes the amount rule with money in the UI language', () => {
    expect(describeAmountRule(en, params({}), 'en')).toBe('Up to €100.00 per payment');
    expect(describeAmountRule(en, params({ amountRule: 'per_usage' }), 'en')).toBe('Per usage, up to €100.00 per payment');
    expect(describeAmountRule(ja, params({ amountRule: 'fixed', amount: 1500, maxAmount: undefined, currency: 'jpy' }), 'ja')).toBe('固定金額: ￥1,500');
  });

  it('describes the period', () => {
    expect(describePeriod(en, params({}), 'en')).toBe('From November 27, 2026 until canceled');
    expect(describePeriod(ja, params({ endDate: '2027-01-31' }), 'ja')).toBe('2026年11月27日から2027年1月31日まで');
  });

  it('says what remains refundable: only of a succeeded charge', () => {
    expect(refundableOf({ status: 'succeeded', amount: 5000, refundedAmount: 1200 })).toBe(3800);
    expect(refundableOf({ status: 'succeeded', amount: 5000, refundedAmount: 5000 })).toBe(0);
    expect(refundableOf({ status: 'declined', amount: 5000, refundedAmount: 0 })).toBe(0);
    expect(refundableOf({ status: 'pending', amount: 5000, refundedAmount: 0 })).toBe(0);
  });

  it('describes a price with singular and plural intervals', () => {
    const price = { id: 'p', productName: 'Coffee club', amount: 990, currency: 'eur' as const, interval: 'month' as const, intervalCount: 1 };
    expect(describePrice(en, price, 'en')).toBe('Coffee club — €9.90 every month');
    expect(describePrice(en, { ...price, intervalCount: 3 }, 'en')).toBe('Coffee club — €9.90 every 3 months');
    expect(describePrice(ja, { ...price, intervalCount: 2, interval: 'week' }, 'ja')).toBe('Coffee club — €9.90（2 週間ごと）');
  });

  it('labels invoice statuses and keeps unknown ones as Stripe spells them', () => {
    expect(invoiceStatusLabel(ja, 'paid')).toBe('支払い済み');
    expect(invoiceStatusLabel(en, 'something_new')).toBe('something_new');
    expect(shortId('cons_0123456789abcdef')).toBe('cons_0123456…');
    expect(shortId('short')).toBe('short');
  });
});

describe('errors', () => {
  it('translates the code and adds main’s specifics in the UI language, never English under Japanese', () => {
    const error = { code: 'amount_not_allowed' as const, message: 'At most 100.00 EUR', localized: { en: 'At most 100.00 EUR', ja: '最大 100.00 EUR です。' } };
    expect(errorText(ja, error)).toEqual({ message: 'この金額は、同意した金額の条件を満たしていません。', details: '最大 100.00 EUR です。', stripeMessage: null });
    expect(errorText(en, error)).toMatchObject({ details: 'At most 100.00 EUR', stripeMessage: null });
    // main has no Japanese for it: no English line under the Japanese text
    expect(errorText(ja, { code: 'store_error', message: 'EACCES: permission denied' }).details).toBeNull();
    // Stripe's own words: once, labelled as Stripe's, in either language
    const stripe = { code: 'stripe_error' as const, message: 'No such customer', stripeMessage: 'No such customer' };
    expect(errorText(ja, stripe)).toMatchObject({ details: null, stripeMessage: 'Stripe からのメッセージ（英語の原文）: No such customer' });
    expect(errorText(en, stripe)).toMatchObject({ details: null, stripeMessage: 'Stripe’s own message (in English): No such customer' });
    expect(errorText(en, { code: 'bad_credentials', message: 'Wrong PIN' })).toEqual({ message: 'The name or PIN is not correct.', details: null, stripeMessage: null });
  });

  it('puts field errors next to fields: the client’s first, then main’s, by path', () => {
    const server = { code: 'invalid_input' as const, message: '', fields: { 'params.purpose': 'Too short', 'params.maxAmount': 'Required', customerId: 'x' } };
    expect(fieldErrors(en, { purpose: { key: 'validation.required' } }, server, 'params.')).toEqual({ purpose: 'This is required.', maxAmount: 'Required' });
    expect(fieldErrors(en, {}, { code: 'conflict', message: 'x', fields: { a: 'b' } })).toEqual({});
    // main's field messages are English: in Japanese the field says it in Japanese
    expect(fieldErrors(ja, {}, server, 'params.')).toEqual({ purpose: ja('error.fieldRefused'), maxAmount: ja('error.fieldRefused') });
  });
});

describe('audit filter', () => {
  it('leaves blanks out and is accepted by the contract', () => {
    expect(toAuditFilter(EMPTY_AUDIT_FILTER)).toEqual({});
    const filter = toAuditFilter({ action: ' charges.create ', outcome: 'refused', customerId: '', from: '2026-11-01', to: '2026-11-30' });
    expect(filter).toMatchObject({ action: 'charges.create', outcome: 'refused' });
    expect(filter).not.toHaveProperty('customerId');
    expect(new Date(filter.from!).getTime()).toBeLessThan(new Date(filter.to!).getTime());
    expect(calls['audit.list'].input.safeParse({ filter, limit: 50 }).success).toBe(true);
  });
});

describe('api wrapper', () => {
  const g = globalThis as { window?: { api: MandateDeskApi } };
  afterEach(() => {
    delete g.window;
  });
  const install = (invoke: (channel: string, input: unknown) => Promise<Result<unknown>>) => {
    g.window = { api: { invoke: invoke as MandateDeskApi['invoke'], on: () => () => {} } };
  };

  it('passes results through', async () => {
    install(async (channel, input) => ({ ok: true, data: { channel, input } }));
    expect(await call('customers.get', { customerId: 'c1' })).toEqual({ ok: true, data: { channel: 'customers.get', input: { customerId: 'c1' } } });
  });

  it('turns a broken transport into an error result instead of throwing', async () => {
    install(async () => {
      throw new Error('socket closed');
    });
    const result = await call('app.info', {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ code: 'internal', message: expect.stringContaining('socket closed') });
  });

  it('tells listeners when main says the session is gone', async () => {
    let told = 0;
    const stop = onSignedOut(() => told++);
    install(async () => ({ ok: false, error: { code: 'not_signed_in', message: 'Sign in first.' } }));
    await call('customers.search', { query: 'x' });
    install(async () => ({ ok: false, error: { code: 'forbidden_role', message: 'no' } }));
    await call('staff.list', {});
    stop();
    install(async () => ({ ok: false, error: { code: 'not_signed_in', message: 'Sign in first.' } }));
    await call('customers.search', { query: 'x' });
    expect(told).toBe(1);
  });
});

describe('request keys', () => {
  it('are UUIDs the contract accepts, new each time', () => {
    const a = newRequestKey();
    const b = newRequestKey();
    expect(a).not.toBe(b);
    expect(calls['charges.create'].input.shape.requestKey.safeParse(a).success).toBe(true);
  });
});
