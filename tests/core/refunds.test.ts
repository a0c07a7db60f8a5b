import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signInManager, type TestCore } from '../helpers/core';
import { beforeEachWithSavedMethod, callError, chargeSavedMethod, readStoredData, requestCount, type CustomerWithSavedMethod } from '../helpers/saved-method';

let t: TestCore;
let saved: CustomerWithSavedMethod;
beforeEachWithSavedMethod((core, customer) => {
  t = core;
  saved = customer;
});

const charge = (amount = 5000) => chargeSavedMethod(t, saved, amount);

const refundInput = (chargeId: string, amount: number) => ({ chargeId, amount, reason: 'requested_by_customer' as const, note: 'Stain remained', requestKey: randomUUID() });

/** Refunds finish asynchronously at Stripe: ask until they are no longer processing (bounded). */
async function settled(chargeId: string) {
  for (let i = 0; i < 20; i++) {
    const view = await t.call('charges.resolve', { chargeId });
    if (view.refunds.every((r) => r.status !== 'processing' && r.status !== 'pending')) return view;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('refunds did not settle');
}

const stripeRefunds = async (paymentIntentId: string) => (await t.core.env.stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 })).data;

describe('refunds.create', () => {
  it('refunds in full', async () => {
    const paid = await charge();
    const view = await t.call('refunds.create', refundInput(paid.id, 5000));
    expect(view.id).toBe(paid.id);
    expect(view.refundedAmount).toBe(5000);
    expect(view.refunds).toHaveLength(1);
    expect(view.refunds[0]).toMatchObject({ amount: 5000, currency: 'eur', reason: 'requested_by_customer', note: 'Stain remained', createdBy: { name: 'Mina Manager' } });
    const final = await settled(paid.id);
    expect(final.refunds[0].status).toBe('succeeded');
    const [atStripe] = await stripeRefunds(paid.paymentIntentId!);
    expect(atStripe).toMatchObject({ id: final.refunds[0].stripeRefundId, amount: 5000, reason: 'requested_by_customer', payment_intent: paid.paymentIntentId });
    expect(atStripe.metadata).toMatchObject({ mandate_desk_refund_id: final.refunds[0].id, mandate_desk_charge_id: paid.id });
    expect((await readStoredData(t)).refunds[0]).toMatchObject({ status: 'succeeded', idempotencyKey: `refund-${final.refunds[0].id}` });
  });

  it('refunds in parts, and refuses more than is left, saying how much is left', async () => {
    const paid = await charge(5000);
    await t.call('refunds.create', refundInput(paid.id, 1500));
    const second = await t.call('refunds.create', refundInput(paid.id, 2000));
    expect(second.refundedAmount).toBe(3500);

    const sent = requestCount(t, 'POST', '/v1/refunds');
    const over = await callError(t.call('refunds.create', refundInput(paid.id, 1501)));
    expect(over.code).toBe('over_refund');
    expect(over.message).toContain('Only €15.00');
    expect(requestCount(t, 'POST', '/v1/refunds')).toBe(sent);
    expect((await readStoredData(t)).refunds).toHaveLength(2);

    const last = await t.call('refunds.create', refundInput(paid.id, 1500));
    expect(last.refundedAmount).toBe(5000);
    const nothingLeft = await callError(t.call('refunds.create', refundInput(paid.id, 1)));
    expect(nothingLeft.code).toBe('over_refund');
    expect(nothingLeft.message).toContain('Nothing is left');
    expect((await stripeRefunds(paid.paymentIntentId!)).map((r) => r.amount).sort()).toEqual([1500, 1500, 2000]);
  });

  it('a failed refund gives the amount back to what can be refunded', async () => {
    const paid = await charge(19904);
    const failed = await settled((await t.call('refunds.create', refundInput(paid.id, 9904))).id);
    expect(failed.refunds[0].status).toBe('failed');
    expect(failed.refunds[0].failure).not.toBeNull();
    expect(failed.refundedAmount).toBe(0);
    // all of it can still be refunded (19904 itself would hit the emulator's refund-failure magic amount)
    const again = await t.call('refunds.create', refundInput(paid.id, 19000));
    expect(again.refundedAmount).toBe(19000);
    expect((await callError(t.call('refunds.create', refundInput(paid.id, 905)))).code).toBe('over_refund');
  });

  it('a double click makes one refund', async () => {
    const paid = await charge();
    const input = refundInput(paid.id, 1000);
    const [a, b] = await Promise.all([t.call('refunds.create', input), t.call('refunds.create', input)]);
    expect(a.refunds.map((r) => r.id)).toEqual(b.refunds.map((r) => r.id));
    expect(a.refunds).toHaveLength(1);
    expect(await stripeRefunds(paid.paymentIntentId!)).toHaveLength(1);
    const conflict = await callError(t.call('refunds.create', { ...input, amount: 1100 }));
    expect(conflict.code).toBe('conflict');
  });

  it('refuses to refund a charge that did not succeed, or does not exist', async () => {
    const declined = await charge(9901);
    const error = await callError(t.call('refunds.create', refundInput(declined.id, 100)));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain('declined');
    expect((await callError(t.call('refunds.create', refundInput('chg_nope', 100)))).code).toBe('not_found');
    expect(requestCount(t, 'POST', '/v1/refunds')).toBe(0);
  });

  it('is for managers only', async () => {
    const paid = await charge();
    await t.call('staff.create', { name: 'Sam Staff', pin: '1357', role: 'staff' });
    await t.call('auth.signOut', {});
    await t.call('auth.signIn', { name: 'Sam Staff', pin: '1357' });
    expect((await callError(t.call('refunds.create', refundInput(paid.id, 100)))).code).toBe('forbidden_role');
  });
});

describe('a refund Stripe is still processing', () => {
  it('is followed in the background until it finishes, and the renderer is told', async () => {
    await t.restart({ pollIntervalMs: 2000 });
    await signInManager(t);
    const paid = await charge(3000);
    const updates: string[] = [];
    t.core.subscribe((event, payload) => {
      if (event === 'charge.updated') updates.push((payload as { refunds: Array<{ status: string }> }).refunds.map((r) => r.status).join(','));
    });
    const view = await t.call('refunds.create', refundInput(paid.id, 1000));
    expect(view.refunds[0].status).toBe('processing');
    await expect.poll(() => updates.at(-1), { timeout: 8000, interval: 200 }).toBe('succeeded');
    const detail = await t.call('customers.get', { customerId: saved.customer.id });
    expect(detail.charges.find((c) => c.id === paid.id)?.refunds[0].status).toBe('succeeded');
  });
});
