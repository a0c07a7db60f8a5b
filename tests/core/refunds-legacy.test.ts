/**
 * A refund left pending by a version before refunds were shared at Stripe: that version sent it with
 * two metadata keys, so the same key with today's parameters is "another request" to Stripe
 * (idempotency_error) and the refund stayed pending at every start. The data folder is the old
 * desk's: the record without `request`, the charge paid. Start-up must finish it exactly once.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RefundRecord } from '../../main/core/data';
import { signInManager, type TestCore } from '../helpers/core';
import { beforeEachWithSavedMethod, chargeSavedMethod, readStoredData, requestCount, type CustomerWithSavedMethod } from '../helpers/saved-method';

let t: TestCore;
let saved: CustomerWithSavedMethod;
beforeEachWithSavedMethod((core, customer) => {
  t = core;
  saved = customer;
});

const paidCharge = (amount = 5000) => chargeSavedMethod(t, saved, amount);

/** The record as the old version wrote it before sending (write-ahead): pending, its key, no stored request. */
async function writeLegacyPendingRefund(chargeId: string, amount: number, createdAt = new Date()): Promise<RefundRecord> {
  const refund: RefundRecord = {
    id: t.core.env.records.newId('rfnd', saved.customer.id),
    chargeId,
    amount,
    currency: 'eur',
    reason: 'requested_by_customer',
    note: 'Stain remained',
    status: 'pending',
    idempotencyKey: '',
    requestKey: randomUUID(),
    stripeRefundId: null,
    failure: null,
    createdAt: createdAt.toISOString(),
    createdBy: { staffId: 'staff_old', name: 'Mina Manager' },
  };
  refund.idempotencyKey = `refund-${refund.id}`;
  await t.core.env.records.updateCustomer(saved.customer.id, (draft) => {
    draft.refunds.push(refund);
  });
  return refund;
}

/** What the old version sent with the key: only the refund's and the charge's ids as metadata. */
const legacySend = (refund: RefundRecord, paymentIntentId: string) =>
  t.core.env.stripe.refunds.create(
    { payment_intent: paymentIntentId, amount: refund.amount, reason: refund.reason, metadata: { mandate_desk_refund_id: refund.id, mandate_desk_charge_id: refund.chargeId } },
    { idempotencyKey: refund.idempotencyKey },
  );

const stripeRefunds = async (paymentIntentId: string) => (await t.core.env.stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 })).data;
const storedRefund = async (id: string) => (await readStoredData(t)).refunds.find((r) => r.id === id)!;

async function settledAfterStart(id: string, chargeId: string) {
  for (let i = 0; i < 30 && ['pending', 'processing'].includes((await storedRefund(id)).status); i++) {
    await t.call('charges.resolve', { chargeId });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return storedRefund(id);
}

describe('a pending refund from before refunds were shared at Stripe', () => {
  it('that went through at Stripe (its answer was lost) is found there at start-up, never sent as a second refund', async () => {
    const paid = await paidCharge(5000);
    const refund = await writeLegacyPendingRefund(paid.id, 2000);
    const madeByOldVersion = await legacySend(refund, paid.paymentIntentId!);

    // today's parameters under the old key: Stripe calls that another request (what kept it stuck)
    await expect(
      t.core.env.stripe.refunds.create({ payment_intent: paid.paymentIntentId!, amount: 2000, reason: 'requested_by_customer', metadata: { mandate_desk_refund_id: refund.id, other: 'x' } }, { idempotencyKey: refund.idempotencyKey }),
    ).rejects.toMatchObject({ type: 'StripeIdempotencyError' });

    const sentBefore = requestCount(t, 'POST', '/v1/refunds');
    await t.restart();
    await signInManager(t);
    const after = await settledAfterStart(refund.id, paid.id);
    expect(after).toMatchObject({ status: 'succeeded', stripeRefundId: madeByOldVersion.id, idempotencyKey: refund.idempotencyKey });
    expect(requestCount(t, 'POST', '/v1/refunds')).toBe(sentBefore); // looked up, not sent
    expect((await stripeRefunds(paid.paymentIntentId!)).map((r) => r.id)).toEqual([madeByOldVersion.id]);
    const view = await t.call('charges.resolve', { chargeId: paid.id });
    expect(view.refundedAmount).toBe(2000);

    // a second start changes nothing
    await t.restart();
    await signInManager(t);
    expect(await storedRefund(refund.id)).toMatchObject({ status: 'succeeded', stripeRefundId: madeByOldVersion.id });
    expect(await stripeRefunds(paid.paymentIntentId!)).toHaveLength(1);
  });

  it('that Stripe never got is sent once at start-up, and its request is kept for any replay', async () => {
    const paid = await paidCharge(5000);
    const refund = await writeLegacyPendingRefund(paid.id, 1500);
    await t.restart();
    await signInManager(t);
    const after = await settledAfterStart(refund.id, paid.id);
    expect(after.status).toBe('succeeded');
    const atStripe = await stripeRefunds(paid.paymentIntentId!);
    expect(atStripe).toHaveLength(1);
    expect(atStripe[0]).toMatchObject({ id: after.stripeRefundId, amount: 1500, metadata: { mandate_desk_refund_id: refund.id } });
    expect(after.request).toMatchObject({ payment_intent: paid.paymentIntentId, amount: 1500, metadata: { mandate_desk_refund_id: refund.id } });
    await t.restart();
    await signInManager(t);
    expect(await stripeRefunds(paid.paymentIntentId!)).toHaveLength(1);
  });

  it('older than Stripe keeps its keys is looked up, not replayed (a replay could run anew)', async () => {
    const paid = await paidCharge(5000);
    const refund = await writeLegacyPendingRefund(paid.id, 1000, new Date(Date.now() - 3 * 86_400_000));
    const made = await legacySend(refund, paid.paymentIntentId!);
    const sentBefore = requestCount(t, 'POST', '/v1/refunds');
    await t.restart();
    await signInManager(t);
    expect(await settledAfterStart(refund.id, paid.id)).toMatchObject({ status: 'succeeded', stripeRefundId: made.id });
    expect(requestCount(t, 'POST', '/v1/refunds')).toBe(sentBefore);
  });
});

describe('a refund made now', () => {
  it('stores the exact request before sending it, and a replay sends that request', async () => {
    const paid = await paidCharge(5000);
    await t.call('refunds.create', { chargeId: paid.id, amount: 700, reason: 'duplicate', note: '', requestKey: randomUUID() });
    const [stored] = (await readStoredData(t)).refunds;
    const [atStripe] = await stripeRefunds(paid.paymentIntentId!);
    expect(stored.request).toEqual({ payment_intent: paid.paymentIntentId, amount: 700, reason: 'duplicate', metadata: atStripe.metadata });
  });
});
