import { describe, expect, it } from 'vitest';
import { emptyCustomerDoc, type ChargeRecord, type ConsentRecord, type CustomerDoc, type PriceRecord, type RefundRecord, type SetupRecord, type SubscriptionRecord } from '../../main/core/data';
import { chargeView, consentStatus, consentView, customerDetail, newestFirst, subscriptionView } from '../../main/core/views';

const actor = { staffId: 'staff_1', name: 'Sam Staff' };

/** One customer's document, and the shop's prices beside it. */
function baseData(): CustomerDoc & { prices: PriceRecord[] } {
  return { ...emptyCustomerDoc({
    id: 'cust_1',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    phone: '',
    language: 'en',
    stripeCustomerId: 'cus_1',
    createdAt: '2026-01-01T00:00:00.000Z',
    createdBy: actor,
  }), prices: [] };
}

function consent(overrides: Partial<Omit<ConsentRecord, 'params'>> & { params?: Partial<ConsentRecord['params']> } = {}): ConsentRecord {
  const { params, ...rest } = overrides;
  return {
    id: 'consent_1',
    customerId: 'cust_1',
    stripeCustomerId: 'cus_1',
    termsVersion: 'v',
    language: 'en',
    title: 't',
    text: 'x',
    textSha256: '0'.repeat(64),
    params: {
      purpose: 'Monthly coffee beans',
      frequency: 'recurring',
      timing: 'On the 1st of each month',
      amountRule: 'up_to_max',
      maxAmount: 5000,
      currency: 'eur',
      startDate: '2026-03-01',
      endDate: '2026-03-31',
      cancellationPolicy: 'Cancel any time before the 25th.',
      ...params,
    },
    typedName: 'Ada Lovelace',
    signaturePng: null,
    acceptedAtUtc: '2026-02-01T10:00:00.000Z',
    acceptedAtLocal: '2026-02-01T11:00:00.000+01:00',
    timeZone: 'Europe/Berlin',
    witnessedBy: actor,
    terminalId: 'term_test',
    correctsConsentId: null,
    ...rest,
  };
}

function setup(overrides: Partial<SetupRecord>): SetupRecord {
  return {
    id: 'setup_1',
    customerId: 'cust_1',
    consentId: 'consent_1',
    checkoutSessionId: 'cs_test_1',
    url: 'https://checkout.stripe.com/c/pay/cs_test_1',
    status: 'open',
    expiresAt: '2026-02-02T10:00:00.000Z',
    createdAt: '2026-02-01T10:01:00.000Z',
    createdBy: actor,
    finishedAt: null,
    setupIntentId: null,
    paymentMethodId: null,
    mandateId: null,
    failure: null,
    ...overrides,
  };
}

describe('consentStatus', () => {
  const record = consent();
  it('is not_started before the start date, in the consent’s own time zone', () => {
    // 22:59 UTC on Feb 28 is still Feb 28 in Berlin (UTC+1): not started
    expect(consentStatus(baseData(), record, new Date('2026-02-28T22:59:00Z'))).toBe('not_started');
    // 23:00 UTC on Feb 28 is already March 1 in Berlin: active
    expect(consentStatus(baseData(), record, new Date('2026-02-28T23:00:00Z'))).toBe('active');
  });
  it('is active through the whole end date and expired the day after', () => {
    expect(consentStatus(baseData(), record, new Date('2026-03-31T21:59:00Z'))).toBe('active'); // 23:59 CEST
    expect(consentStatus(baseData(), record, new Date('2026-03-31T22:00:00Z'))).toBe('expired'); // 00:00 April 1 CEST
  });
  it('has no end when endDate is null', () => {
    expect(consentStatus(baseData(), consent({ params: { endDate: null } }), new Date('2036-01-01T00:00:00Z'))).toBe('active');
  });
  it('is withdrawn once a withdrawal record exists, whatever the dates', () => {
    const data = baseData();
    data.withdrawals.push({ id: 'wd_1', consentId: 'consent_1', at: '2026-03-10T09:00:00.000Z', by: actor, reason: 'Customer asked' });
    expect(consentStatus(data, record, new Date('2026-03-15T12:00:00Z'))).toBe('withdrawn');
  });
});

describe('consentView', () => {
  it('joins links from the succeeded setup and its saved method, and the withdrawal', () => {
    const data = baseData();
    const record = consent();
    data.consents.push(record);
    data.setups.push(
      setup({ id: 'setup_old', checkoutSessionId: 'cs_old', status: 'failed', createdAt: '2026-02-01T10:01:00.000Z', failure: { code: 'x', message: 'y' } }),
      setup({
        id: 'setup_ok',
        checkoutSessionId: 'cs_ok',
        status: 'succeeded',
        createdAt: '2026-02-01T10:05:00.000Z',
        setupIntentId: 'seti_1',
        paymentMethodId: 'pm_1',
        mandateId: 'mandate_1',
      }),
      setup({ id: 'setup_new', checkoutSessionId: 'cs_new', status: 'canceled', createdAt: '2026-02-01T10:09:00.000Z' }),
    );
    data.savedMethods.push({
      paymentMethodId: 'pm_1',
      type: 'amazon_pay',
      customerId: 'cust_1',
      consentId: 'consent_1',
      setupId: 'setup_ok',
      setupIntentId: 'seti_1',
      mandateId: 'mandate_1',
      savedAt: '2026-02-01T10:06:00.000Z',
      detachedAt: null,
    });
    data.withdrawals.push({ id: 'wd_1', consentId: 'consent_1', at: '2026-03-10T09:00:00.000Z', by: actor, reason: 'Moved away' });
    const view = consentView(data, record, new Date('2026-03-15T12:00:00Z'));
    expect(view.links).toEqual({ checkoutSessionId: 'cs_ok', setupIntentId: 'seti_1', paymentMethodId: 'pm_1', mandateId: 'mandate_1' });
    expect(view.withdrawal).toEqual({ at: '2026-03-10T09:00:00.000Z', byStaffId: 'staff_1', byName: 'Sam Staff', reason: 'Moved away', stripeShare: null });
    expect(view.status).toBe('withdrawn');
  });

  it('links the newest session when none succeeded, and nothing when there is no setup', () => {
    const data = baseData();
    const record = consent();
    expect(consentView(data, record, new Date('2026-03-02T00:00:00Z')).links).toEqual({
      checkoutSessionId: null,
      setupIntentId: null,
      paymentMethodId: null,
      mandateId: null,
    });
    data.setups.push(setup({ id: 'a', checkoutSessionId: 'cs_a', createdAt: '2026-02-01T10:01:00.000Z', status: 'expired' }));
    data.setups.push(setup({ id: 'b', checkoutSessionId: 'cs_b', createdAt: '2026-02-01T10:02:00.000Z' }));
    expect(consentView(data, record, new Date('2026-03-02T00:00:00Z')).links.checkoutSessionId).toBe('cs_b');
  });
});

describe('chargeView', () => {
  const charge: ChargeRecord = {
    id: 'charge_1',
    customerId: 'cust_1',
    consentId: 'consent_1',
    paymentMethodId: 'pm_1',
    amount: 10_000,
    currency: 'jpy',
    description: 'Beans',
    status: 'succeeded',
    idempotencyKey: 'charge-charge_1',
    requestKey: '7c1d0b2a-1c7e-4c55-9a55-5d0a8f3f2b11',
    paymentIntentId: 'pi_1',
    failure: null,
    createdAt: '2026-03-02T00:00:00.000Z',
    finishedAt: '2026-03-02T00:00:01.000Z',
    createdBy: actor,
    subscriptionId: null,
  };
  const refund = (id: string, amount: number, status: RefundRecord['status']): RefundRecord => ({
    id,
    chargeId: 'charge_1',
    amount,
    currency: 'jpy',
    reason: 'requested_by_customer',
    note: '',
    status,
    idempotencyKey: `refund-${id}`,
    requestKey: '0f8d7c3a-6b43-4f3e-8e0e-2c6a7b1f9d10',
    stripeRefundId: null,
    failure: null,
    createdAt: '2026-03-03T00:00:00.000Z',
    createdBy: actor,
  });

  it('counts succeeded, pending and processing refunds, but not failed ones', () => {
    const data = baseData();
    data.charges.push(charge);
    data.refunds.push(refund('r1', 1000, 'succeeded'), refund('r2', 200, 'pending'), refund('r3', 30, 'processing'), refund('r4', 4000, 'failed'));
    data.refunds.push({ ...refund('other', 999, 'succeeded'), chargeId: 'charge_2' });
    const view = chargeView(data, charge);
    expect(view.refundedAmount).toBe(1230);
    expect(view.refunds.map((r) => r.id)).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(view.refunds[0]).not.toHaveProperty('idempotencyKey');
    expect(view).not.toHaveProperty('requestKey');
  });
});

describe('subscriptionView', () => {
  const sub: SubscriptionRecord = {
    id: 'sub_local_1',
    stripeSubscriptionId: 'sub_1',
    customerId: 'cust_1',
    consentId: 'consent_1',
    paymentMethodId: 'pm_1',
    priceId: 'price_1',
    status: 'active',
    idempotencyKey: 'k',
    requestKey: '0f8d7c3a-6b43-4f3e-8e0e-2c6a7b1f9d10',
    currentPeriodEnd: '2026-04-01T00:00:00.000Z',
    cancelAtPeriodEnd: false,
    canceledAt: null,
    createdAt: '2026-03-01T00:00:00.000Z',
    createdBy: actor,
    payments: [],
  };
  it('joins the price and shows the next payment only while Stripe will collect again', () => {
    const data = baseData();
    data.prices.push({
      id: 'price_1',
      productId: 'prod_1',
      productName: 'Beans club',
      amount: 1500,
      currency: 'eur',
      interval: 'month',
      intervalCount: 1,
      requestKey: 'x',
      createdAt: '2026-02-01T00:00:00.000Z',
    });
    const view = subscriptionView(data.prices, sub);
    expect(view.price).toEqual({ id: 'price_1', productName: 'Beans club', amount: 1500, currency: 'eur', interval: 'month', intervalCount: 1 });
    expect(view.nextPaymentAt).toBe('2026-04-01T00:00:00.000Z');
    expect(subscriptionView(data.prices, { ...sub, cancelAtPeriodEnd: true }).nextPaymentAt).toBeNull();
    expect(subscriptionView(data.prices, { ...sub, status: 'canceled' }).nextPaymentAt).toBeNull();
  });
  it('refuses to invent a price that is not in the store', () => {
    expect(() => subscriptionView(baseData().prices, sub)).toThrow(/price_1/);
  });
});

describe('customerDetail', () => {
  it('lists everything of the customer, newest first', () => {
    const data = baseData();
    data.consents.push(
      consent({ id: 'c_old', acceptedAtUtc: '2026-02-01T10:00:00.000Z' }),
      consent({ id: 'c_new', acceptedAtUtc: '2026-02-03T10:00:00.000Z' }),
    );
    data.setups.push(setup({ id: 's_a', createdAt: '2026-02-01T10:00:00.000Z' }), setup({ id: 's_b', createdAt: '2026-02-01T10:00:00.000Z' }));
    const detail = customerDetail(data, data.prices, new Date('2026-03-02T00:00:00Z'));
    expect(detail.customer.id).toBe('cust_1');
    expect(detail.consents.map((c) => c.id)).toEqual(['c_new', 'c_old']);
    // same timestamp: the one stored later counts as newer
    expect(detail.setups.map((s) => s.id)).toEqual(['s_b', 's_a']);
    expect(detail.charges).toEqual([]);
  });
});

describe('newestFirst', () => {
  it('sorts by time descending', () => {
    expect(newestFirst([{ t: '2026-01-01' }, { t: '2026-03-01' }, { t: '2026-02-01' }], (r) => r.t).map((r) => r.t)).toEqual([
      '2026-03-01',
      '2026-02-01',
      '2026-01-01',
    ]);
  });
});
