import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChargeView } from '../../preload/contract';
import { signInManager, startTestCore, type TestCore } from '../helpers/core';
import { callError, createCustomerWithSavedMethod, readStoredData, requestCount, type CustomerWithSavedMethod } from '../helpers/saved-method';

let t: TestCore;
let events: ChargeView[];
beforeEach(async () => {
  t = await startTestCore();
  events = [];
  t.core.subscribe((event, payload) => {
    if (event === 'charge.updated') events.push(payload as ChargeView);
  });
  await signInManager(t);
});
afterEach(async () => {
  await t.close();
});

function chargeInput(saved: CustomerWithSavedMethod, overrides: Partial<{ amount: number; currency: 'eur' | 'jpy'; description: string; requestKey: string; paymentMethodId: string; consentId: string }> = {}) {
  return {
    customerId: saved.customer.id,
    consentId: saved.consent.id,
    paymentMethodId: saved.paymentMethodId,
    amount: 1250,
    currency: 'eur' as const,
    description: 'Dry cleaning, 3 shirts',
    requestKey: randomUUID(),
    ...overrides,
  };
}

const intentsOf = async (saved: CustomerWithSavedMethod) => (await t.core.env.stripe.paymentIntents.list({ customer: saved.customer.stripeCustomerId, limit: 100 })).data;

describe('charges.create', () => {
  it('charges the saved method off-session, once, and records the outcome durably', async () => {
    const saved = await createCustomerWithSavedMethod(t);
    const charge = await t.call('charges.create', chargeInput(saved));

    expect(charge).toMatchObject({ status: 'succeeded', amount: 1250, currency: 'eur', failure: null, consentId: saved.consent.id, subscriptionId: null });
    expect(charge.paymentIntentId).toMatch(/^pi_/);
    expect(charge.idempotencyKey).toBe(`charge-${charge.id}`);
    expect(charge.finishedAt).not.toBeNull();

    const [intent] = await intentsOf(saved);
    expect(intent.id).toBe(charge.paymentIntentId);
    expect(intent).toMatchObject({ amount: 1250, currency: 'eur', status: 'succeeded', payment_method: saved.paymentMethodId, description: 'Dry cleaning, 3 shirts' });
    expect(intent.metadata).toEqual({
      mandate_desk_charge_id: charge.id,
      mandate_desk_consent_id: saved.consent.id,
      mandate_desk_customer_id: saved.customer.id,
      mandate_desk_terminal_id: (await t.call('app.info', {})).terminalId,
      mandate_desk_staff_id: charge.createdBy.staffId,
      mandate_desk_staff_name: charge.createdBy.name,
    });
    const sent = t.emulator.requestLog.filter((e) => e.method === 'POST' && e.path === '/v1/payment_intents');
    expect(sent.map((e) => e.idempotencyKey)).toEqual([charge.idempotencyKey]);

    const stored = (await readStoredData(t)).charges.find((c) => c.id === charge.id)!;
    expect(stored).toMatchObject({ status: 'succeeded', paymentIntentId: intent.id, createdBy: { name: 'Mina Manager' } });
    // pending when written ahead, then succeeded
    expect(events.filter((e) => e.id === charge.id).map((e) => e.status)).toEqual(['pending', 'succeeded']);

    const detail = await t.call('customers.get', { customerId: saved.customer.id });
    expect(detail.charges.map((c) => c.id)).toEqual([charge.id]);
  });

  it('charges JPY in whole yen', async () => {
    const saved = await createCustomerWithSavedMethod(t, { params: { currency: 'jpy', maxAmount: 30_000 } });
    const charge = await t.call('charges.create', chargeInput(saved, { amount: 2980, currency: 'jpy' }));
    expect(charge.status).toBe('succeeded');
    const [intent] = await intentsOf(saved);
    expect(intent).toMatchObject({ amount: 2980, currency: 'jpy' });
  });

  it.each([
    { amount: 9901, status: 'declined', code: 'payment_method_provider_decline' },
    { amount: 9902, status: 'unavailable', code: 'payment_method_not_available' },
    { amount: 9903, status: 'action_required', code: 'authentication_required' },
  ] as const)('records $status when the payment ends $code, keeping the PaymentIntent', async ({ amount, status, code }) => {
    const saved = await createCustomerWithSavedMethod(t);
    const charge = await t.call('charges.create', chargeInput(saved, { amount }));
    expect(charge.status).toBe(status);
    expect(charge.failure?.code).toBe(code);
    expect(charge.failure?.message).toBeTruthy();
    const intents = await intentsOf(saved);
    expect(intents).toHaveLength(1);
    expect(charge.paymentIntentId).toBe(intents[0].id);
    expect((await readStoredData(t)).charges[0]).toMatchObject({ status, paymentIntentId: intents[0].id });
  });

  it('records an outcome chosen with the emulator control for this payment method', async () => {
    const saved = await createCustomerWithSavedMethod(t);
    await t.emulator.controls.setPaymentOutcome({ paymentMethod: saved.paymentMethodId, outcome: 'decline' });
    const declined = await t.call('charges.create', chargeInput(saved));
    expect(declined.status).toBe('declined');
    const next = await t.call('charges.create', chargeInput(saved));
    expect(next.status).toBe('succeeded');
  });

  describe('refusals write nothing and send nothing', () => {
    async function expectRefused(input: ReturnType<typeof chargeInput>, code: string, text: RegExp) {
      const before = await readStoredData(t);
      const sentBefore = requestCount(t, 'POST', '/v1/payment_intents');
      const error = await callError(t.call('charges.create', input));
      expect(error.code).toBe(code);
      expect(error.message).toMatch(text);
      expect(requestCount(t, 'POST', '/v1/payment_intents')).toBe(sentBefore);
      expect((await readStoredData(t)).charges).toEqual(before.charges);
    }

    it('over the consent maximum, or in another currency', async () => {
      const saved = await createCustomerWithSavedMethod(t);
      await expectRefused(chargeInput(saved, { amount: 50_001 }), 'amount_not_allowed', /at most €500\.00/);
      await expectRefused(chargeInput(saved, { currency: 'jpy', amount: 100 }), 'amount_not_allowed', /EUR/);
    });

    it('a fixed consent with another amount', async () => {
      const saved = await createCustomerWithSavedMethod(t, { params: { amountRule: 'fixed', amount: 1500 } });
      await expectRefused(chargeInput(saved, { amount: 1499 }), 'amount_not_allowed', /exactly €15\.00/);
      expect((await t.call('charges.create', chargeInput(saved, { amount: 1500 }))).status).toBe('succeeded');
    });

    it('a consent that has not started or has been withdrawn', async () => {
      const future = await createCustomerWithSavedMethod(t, { params: { startDate: '2099-01-01' } });
      await expectRefused(chargeInput(future), 'consent_inactive', /starts on 2099-01-01/);

      const saved = await createCustomerWithSavedMethod(t, { email: 'other@example.com' });
      await t.call('consents.withdraw', { consentId: saved.consent.id, reason: 'Customer asked by phone' });
      await expectRefused(chargeInput(saved), 'consent_inactive', /withdrawn/);
    });

    it('a method saved under another consent', async () => {
      const first = await createCustomerWithSavedMethod(t);
      const second = await createCustomerWithSavedMethod(t, { email: 'second@example.com' });
      await expectRefused(chargeInput(first, { paymentMethodId: second.paymentMethodId }), 'method_detached', /not saved under this consent/);
    });

    it('a consent of another customer', async () => {
      const first = await createCustomerWithSavedMethod(t);
      const second = await createCustomerWithSavedMethod(t, { email: 'second@example.com' });
      await expectRefused(chargeInput(first, { consentId: second.consent.id }), 'not_found', /no consent/);
    });

    it('a staff member (not a manager)', async () => {
      const saved = await createCustomerWithSavedMethod(t);
      await t.call('staff.create', { name: 'Sam Staff', pin: '1357', role: 'staff' });
      await t.call('auth.signOut', {});
      await t.call('auth.signIn', { name: 'Sam Staff', pin: '1357' });
      await expectRefused(chargeInput(saved), 'forbidden_role', /manager/);
    });
  });

  it('a double click makes one PaymentIntent and one record', async () => {
    const saved = await createCustomerWithSavedMethod(t);
    const input = chargeInput(saved);
    const [first, second] = await Promise.all([t.call('charges.create', input), t.call('charges.create', input)]);
    expect(second.id).toBe(first.id);
    expect(first.status).toBe('succeeded');
    expect(second.status).toBe('succeeded');
    expect(await intentsOf(saved)).toHaveLength(1);
    expect((await readStoredData(t)).charges).toHaveLength(1);

    // and a repeat later just returns the record, without asking Stripe again
    const sent = requestCount(t, 'POST', '/v1/payment_intents');
    expect((await t.call('charges.create', input)).id).toBe(first.id);
    expect(requestCount(t, 'POST', '/v1/payment_intents')).toBe(sent);
  });

  it('refuses the same request key with another payload', async () => {
    const saved = await createCustomerWithSavedMethod(t);
    const input = chargeInput(saved);
    await t.call('charges.create', input);
    const error = await callError(t.call('charges.create', { ...input, amount: 1300 }));
    expect(error.code).toBe('conflict');
    expect(await intentsOf(saved)).toHaveLength(1);
  });

  it('resolve on a finished charge changes nothing and sends nothing', async () => {
    const saved = await createCustomerWithSavedMethod(t);
    const charge = await t.call('charges.create', chargeInput(saved));
    const sent = requestCount(t, 'POST', '/v1/payment_intents');
    expect(await t.call('charges.resolve', { chargeId: charge.id })).toEqual(charge);
    expect(requestCount(t, 'POST', '/v1/payment_intents')).toBe(sent);
    expect((await callError(t.call('charges.resolve', { chargeId: 'chg_missing' }))).code).toBe('not_found');
  });
});

describe('charges.receipt', () => {
  it("gives the receipt in the customer's language with the shop and consent", async () => {
    await t.call('settings.update', { shopName: 'Sakura Cleaners', shopContact: '03-1234-5678' });
    const saved = await createCustomerWithSavedMethod(t, { name: '山田 花子', language: 'ja', params: { currency: 'jpy', maxAmount: 10_000 } });
    const charge = await t.call('charges.create', chargeInput(saved, { amount: 1200, currency: 'jpy' }));
    const receipt = await t.call('charges.receipt', { chargeId: charge.id });
    expect(receipt).toMatchObject({
      language: 'ja',
      shopName: 'Sakura Cleaners',
      shopContact: '03-1234-5678',
      customer: { id: saved.customer.id, name: '山田 花子' },
      consent: { id: saved.consent.id, purpose: saved.consent.params.purpose, acceptedAtUtc: saved.consent.acceptedAtUtc },
      charge: { id: charge.id, amount: 1200, currency: 'jpy', status: 'succeeded' },
    });
  });

  it('has no receipt for a declined charge', async () => {
    const saved = await createCustomerWithSavedMethod(t);
    const charge = await t.call('charges.create', chargeInput(saved, { amount: 9901 }));
    const error = await callError(t.call('charges.receipt', { chargeId: charge.id }));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain('declined');
  });
});
