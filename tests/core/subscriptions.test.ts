import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PriceView } from '../../preload/contract';
import { signInManager, startTestCore, type TestCore } from '../helpers/core';
import { callError, createCustomerWithSavedMethod, readStoredData, requestCount, startFlakyNetwork, unreachableStripe, type CustomerWithSavedMethod } from '../helpers/saved-method';

const DAY = 86_400;

let t: TestCore;
beforeEach(async () => {
  t = await startTestCore();
  await signInManager(t);
});
afterEach(async () => {
  await t.close();
});

const recurring = { frequency: 'recurring' as const, amountRule: 'fixed' as const, amount: 2500, timing: 'On the first day of each month' };

async function monthlyPrice(overrides: Partial<{ amount: number; currency: 'eur' | 'jpy'; interval: 'day' | 'month' }> = {}): Promise<PriceView> {
  return t.call('prices.create', { productName: 'Shirt service', amount: 2500, currency: 'eur', interval: 'month', intervalCount: 1, requestKey: randomUUID(), ...overrides });
}

const subscribe = (saved: CustomerWithSavedMethod, priceId: string, requestKey = randomUUID()) =>
  t.call('subscriptions.create', { customerId: saved.customer.id, consentId: saved.consent.id, paymentMethodId: saved.paymentMethodId, priceId, requestKey });

describe('prices', () => {
  it('creates a recurring price at Stripe once per request key and lists it', async () => {
    const input = { productName: 'Weekly towels', amount: 1800, currency: 'eur' as const, interval: 'week' as const, intervalCount: 2, requestKey: randomUUID() };
    const [price, again] = [await t.call('prices.create', input), await t.call('prices.create', input)];
    expect(again).toEqual(price);
    expect(price).toMatchObject({ productName: 'Weekly towels', amount: 1800, currency: 'eur', interval: 'week', intervalCount: 2 });
    const atStripe = await t.core.env.stripe.prices.retrieve(price.id);
    expect(atStripe).toMatchObject({ unit_amount: 1800, currency: 'eur', recurring: { interval: 'week', interval_count: 2 } });
    expect((await t.core.env.stripe.products.retrieve(atStripe.product as string)).name).toBe('Weekly towels');
    expect(await t.call('prices.list', {})).toEqual([price]);
    expect((await callError(t.call('prices.create', { ...input, amount: 1900 }))).code).toBe('conflict');
  });
});

describe('subscriptions', () => {
  it('subscribes with a recurring consent: first payment shows as a payment and in the charge history', async () => {
    const saved = await createCustomerWithSavedMethod(t, { params: recurring });
    const price = await monthlyPrice();
    const sub = await subscribe(saved, price.id);

    expect(sub).toMatchObject({ status: 'active', customerId: saved.customer.id, consentId: saved.consent.id, cancelAtPeriodEnd: false, canceledAt: null, price });
    expect(sub.stripeSubscriptionId).toMatch(/^sub_/);
    expect(Date.parse(sub.currentPeriodEnd!)).toBeGreaterThan(Date.now() + 27 * DAY * 1000);
    expect(sub.nextPaymentAt).toBe(sub.currentPeriodEnd);
    expect(sub.payments).toHaveLength(1);
    expect(sub.payments[0]).toMatchObject({ amount: 2500, currency: 'eur', status: 'paid' });

    const atStripe = await t.core.env.stripe.subscriptions.retrieve(sub.stripeSubscriptionId);
    expect(atStripe.default_payment_method).toBe(saved.paymentMethodId);
    expect(atStripe.metadata).toMatchObject({ mandate_desk_subscription_id: sub.id, mandate_desk_consent_id: saved.consent.id });

    const detail = await t.call('customers.get', { customerId: saved.customer.id });
    expect(detail.subscriptions.map((s) => s.id)).toEqual([sub.id]);
    expect(detail.charges).toHaveLength(1);
    expect(detail.charges[0]).toMatchObject({ subscriptionId: sub.id, amount: 2500, status: 'succeeded' });
    expect(detail.charges[0].paymentIntentId).toMatch(/^pi_/);

    // a repeat of the request is the same subscription, not a second one
    const sent = requestCount(t, 'POST', '/v1/subscriptions');
    const repeat = await t.call('subscriptions.create', { customerId: saved.customer.id, consentId: saved.consent.id, paymentMethodId: saved.paymentMethodId, priceId: price.id, requestKey: (await readStoredData(t)).subscriptions[0].requestKey });
    expect(repeat.id).toBe(sub.id);
    expect(requestCount(t, 'POST', '/v1/subscriptions')).toBe(sent);
  });

  it('a double click makes one subscription at Stripe', async () => {
    const saved = await createCustomerWithSavedMethod(t, { params: recurring });
    const price = await monthlyPrice();
    const key = randomUUID();
    const [a, b] = await Promise.all([subscribe(saved, price.id, key), subscribe(saved, price.id, key)]);
    expect(a.id).toBe(b.id);
    expect((await t.core.env.stripe.subscriptions.list({ customer: saved.customer.stripeCustomerId, status: 'all' })).data).toHaveLength(1);
  });

  it('refuses without writing or sending: non-recurring consent, price over the consent, another currency', async () => {
    const asNeeded = await createCustomerWithSavedMethod(t); // as needed, up to €500
    const price = await monthlyPrice();
    const refused = await callError(subscribe(asNeeded, price.id));
    expect(refused.code).toBe('frequency_not_allowed');
    expect(refused.message).toContain('recurring');

    const fixed = await createCustomerWithSavedMethod(t, { email: 'fixed@example.com', params: recurring });
    const dearer = await monthlyPrice({ amount: 2600 });
    expect((await callError(subscribe(fixed, dearer.id))).code).toBe('amount_not_allowed');
    const yen = await monthlyPrice({ amount: 2500, currency: 'jpy' });
    expect((await callError(subscribe(fixed, yen.id))).code).toBe('amount_not_allowed');
    expect((await callError(subscribe(fixed, 'price_missing'))).code).toBe('not_found');

    expect(requestCount(t, 'POST', '/v1/subscriptions')).toBe(0);
    expect((await readStoredData(t)).subscriptions).toEqual([]);
  });

  it('renewals after the period show in refresh: payments, period, and one charge per paid invoice', async () => {
    const saved = await createCustomerWithSavedMethod(t, { params: recurring });
    const price = await monthlyPrice({ interval: 'day' });
    const sub = await subscribe(saved, price.id);
    expect(sub.payments).toHaveLength(1);

    await t.emulator.controls.advanceClock(DAY + 60);
    const [renewed] = await t.call('subscriptions.refresh', { customerId: saved.customer.id });
    expect(renewed.id).toBe(sub.id);
    expect(renewed.status).toBe('active');
    expect(renewed.payments).toHaveLength(2);
    expect(renewed.payments.every((p) => p.status === 'paid' && p.amount === 2500)).toBe(true);
    expect(Date.parse(renewed.currentPeriodEnd!)).toBeGreaterThan(Date.parse(sub.currentPeriodEnd!));

    // refreshing again adds nothing twice
    await t.call('subscriptions.refresh', { customerId: saved.customer.id });
    const detail = await t.call('customers.get', { customerId: saved.customer.id });
    expect(detail.subscriptions[0].payments).toHaveLength(2);
    const renewals = detail.charges.filter((c) => c.subscriptionId === sub.id);
    expect(renewals).toHaveLength(2);
    const intents = renewals.map((c) => c.paymentIntentId);
    expect(intents.every((id) => id?.startsWith('pi_'))).toBe(true);
    expect(new Set(intents).size).toBe(2);

    // a renewal is a charge like any other: it can be refunded
    const refunded = await t.call('refunds.create', { chargeId: renewals[0].id, amount: 2500, reason: 'requested_by_customer', note: '', requestKey: randomUUID() });
    expect(refunded.refundedAmount).toBe(2500);
  });

  it('a declined first payment leaves the subscription incomplete, with no charge in the history', async () => {
    const saved = await createCustomerWithSavedMethod(t, { params: recurring });
    await t.emulator.controls.setPaymentOutcome({ paymentMethod: saved.paymentMethodId, outcome: 'decline' });
    const sub = await subscribe(saved, (await monthlyPrice()).id);
    expect(sub.status).toBe('incomplete');
    expect(sub.stripeSubscriptionId).toMatch(/^sub_/);
    expect(sub.nextPaymentAt).toBeNull();
    expect(sub.payments).toHaveLength(1);
    expect(sub.payments[0]).toMatchObject({ amount: 2500, paidAt: null });
    expect(sub.payments[0].status).not.toBe('paid');
    expect((await t.call('customers.get', { customerId: saved.customer.id })).charges).toEqual([]);
  });

  it('cancels now', async () => {
    const saved = await createCustomerWithSavedMethod(t, { params: recurring });
    const sub = await subscribe(saved, (await monthlyPrice()).id);
    const canceled = await t.call('subscriptions.cancel', { subscriptionId: sub.id, atPeriodEnd: false });
    expect(canceled.status).toBe('canceled');
    expect(canceled.canceledAt).not.toBeNull();
    expect(canceled.nextPaymentAt).toBeNull();
    expect((await t.core.env.stripe.subscriptions.retrieve(sub.stripeSubscriptionId)).status).toBe('canceled');
    // canceling again is a no-op, not an error
    expect((await t.call('subscriptions.cancel', { subscriptionId: sub.id, atPeriodEnd: false })).status).toBe('canceled');
  });

  it('cancels at period end: no renewal, canceled once the period is over', async () => {
    const saved = await createCustomerWithSavedMethod(t, { params: recurring });
    const sub = await subscribe(saved, (await monthlyPrice({ interval: 'day' })).id);
    const scheduled = await t.call('subscriptions.cancel', { subscriptionId: sub.id, atPeriodEnd: true });
    expect(scheduled).toMatchObject({ status: 'active', cancelAtPeriodEnd: true, nextPaymentAt: null });

    await t.emulator.controls.advanceClock(DAY + 60);
    const [ended] = await t.call('subscriptions.refresh', { customerId: saved.customer.id });
    expect(ended.status).toBe('canceled');
    expect(ended.payments).toHaveLength(1);
  });

  it('refresh and cancel refuse unknown ids', async () => {
    expect((await callError(t.call('subscriptions.refresh', { customerId: 'cust_missing' }))).code).toBe('not_found');
    expect((await callError(t.call('subscriptions.cancel', { subscriptionId: 'sub_missing', atPeriodEnd: true }))).code).toBe('not_found');
  });

  it('a create whose answers were all lost is found at Stripe by its metadata: one subscription', async () => {
    const saved = await createCustomerWithSavedMethod(t, { params: recurring });
    const price = await monthlyPrice();
    const network = await startFlakyNetwork(t.emulator);
    try {
      await t.restart({ stripe: network.stripe });
      await signInManager(t);
      network.loseResponses('POST', '/v1/subscriptions', 3); // the first try and both SDK retries
      const sub = await subscribe(saved, price.id);
      expect(sub.status).toBe('active');
      expect(requestCount(t, 'POST', '/v1/subscriptions')).toBe(3);
      const atStripe = (await t.core.env.stripe.subscriptions.list({ customer: saved.customer.stripeCustomerId, status: 'all' })).data;
      expect(atStripe.map((s) => s.id)).toEqual([sub.stripeSubscriptionId]);
      expect(sub.payments).toHaveLength(1);
    } finally {
      await network.close();
    }
  });

  it('a create that never reached Stripe is kept, and sent once by the start-up pass', async () => {
    const saved = await createCustomerWithSavedMethod(t, { params: recurring });
    const price = await monthlyPrice();
    await t.restart({ stripe: await unreachableStripe() });
    await signInManager(t);
    const lost = await callError(subscribe(saved, price.id));
    expect(lost.code).toBe('stripe_unreachable');
    expect((await readStoredData(t)).subscriptions[0]).toMatchObject({ status: 'incomplete', stripeSubscriptionId: null });
    // the customer's page still shows it (not yet confirmed)
    expect((await t.call('customers.get', { customerId: saved.customer.id })).subscriptions[0].status).toBe('incomplete');

    await t.restart(); // back online: the start-up pass settles it
    const [stored] = (await readStoredData(t)).subscriptions;
    expect(stored.status).toBe('active');
    const atStripe = (await t.core.env.stripe.subscriptions.list({ customer: saved.customer.stripeCustomerId, status: 'all' })).data;
    expect(atStripe.map((s) => s.id)).toEqual([stored.stripeSubscriptionId]);
    expect(requestCount(t, 'POST', '/v1/subscriptions')).toBe(1);
  });
});
