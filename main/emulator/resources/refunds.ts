/** Refunds: asynchronous for Amazon Pay (pending, then succeeded or failed right after the response). */
import type Stripe from 'stripe';
import { type KindInfo, listHandler, matchFields, metadataUpdateHandler, requireObject, retrieveHandler } from '../engine/crud.js';
import type { Ctx, Emulator, Resource } from '../engine/emulator.js';
import { invalid } from '../engine/errors.js';
import { newId } from '../engine/ids.js';
import { createMetadata, parseParams, S } from '../engine/params.js';
import type { Obj } from '../engine/store.js';
import { clone, formatAmount } from '../engine/util.js';

export function syncChargeRefunds(em: Emulator, ch: Obj): void {
  const ids = em.store.internal.get(ch.id)?.refunds as string[] | undefined;
  const refunds = (ids ?? []).map((id) => em.store.objects.get(id)!).reverse();
  ch.refunds = { object: 'list', data: clone(refunds), has_more: false, url: `/v1/charges/${ch.id}/refunds` };
  ch.amount_refunded = refunds.filter((r) => r.status !== 'failed' && r.status !== 'canceled').reduce((a, r) => a + r.amount, 0);
  ch.refunded = ch.amount_refunded >= ch.amount_captured && ch.amount_captured > 0;
}

export function settleRefund(em: Emulator, refundId: string): void {
  const r = em.store.objects.get(refundId);
  if (!r || r.status !== 'pending') return;
  const ch = em.store.objects.get(r.charge)!;
  const outcome = em.store.internal.get(refundId)?.outcome as 'succeed' | 'fail';
  const prev = { status: r.status };
  if (outcome === 'fail') {
    r.status = 'failed';
    r.failure_reason = 'declined';
    r.failure_balance_transaction = newId('txn');
    syncChargeRefunds(em, ch);
    em.emit('refund.failed', r, null, prev);
    em.emit('refund.updated', r, null, prev);
  } else {
    r.status = 'succeeded';
    syncChargeRefunds(em, ch);
    em.emit('refund.updated', r, null, prev);
  }
  em.emit('charge.refund.updated', r, null, prev);
  em.touch();
}

function refundCreate(ctx: Ctx): Obj {
  const { em } = ctx;
  const p = parseParams(ctx.tree, {
    amount: S.int({ min: 1 }),
    charge: S.str(),
    currency: S.str(),
    customer: S.str(),
    instructions_email: S.str(),
    metadata: S.meta(),
    origin: S.str(),
    payment_intent: S.str(),
    reason: S.str({ enum: ['duplicate', 'fraudulent', 'requested_by_customer'] }),
    refund_application_fee: S.bool(),
    reverse_transfer: S.bool(),
  });
  if (!p.charge && !p.payment_intent) throw invalid('One of the following params should be provided for this request: payment_intent or charge.', { code: 'parameter_missing', param: 'payment_intent' });
  if (p.charge && p.payment_intent) throw invalid('You may only specify one of these parameters: charge, payment_intent.', { code: 'parameters_exclusive', param: 'charge' });
  let ch: Obj;
  let pi: Obj | undefined;
  if (p.payment_intent) {
    pi = requireObject(em, 'payment_intent', 'payment_intent', p.payment_intent, 'payment_intent');
    if (pi.status !== 'succeeded' || !pi.latest_charge) {
      throw invalid(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, { code: 'charge_not_refundable', param: 'payment_intent' });
    }
    ch = em.store.objects.get(pi.latest_charge)!;
  } else {
    ch = requireObject(em, 'charge', 'charge', p.charge, 'charge');
    if (ch.status !== 'succeeded' || !ch.captured) throw invalid(`Charge ${ch.id} has not been captured or did not succeed and cannot be refunded.`, { code: 'charge_not_refundable', param: 'charge' });
    pi = ch.payment_intent ? em.store.objects.get(ch.payment_intent) : undefined;
  }
  const remaining = ch.amount_captured - ch.amount_refunded;
  if (remaining <= 0) throw invalid(`Charge ${ch.id} has already been refunded.`, { code: 'charge_already_refunded', param: p.payment_intent ? 'payment_intent' : 'charge' });
  const amount = p.amount ?? remaining;
  if (amount > remaining) {
    throw invalid(`Refund amount (${formatAmount(amount, ch.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, ch.currency)})`, { code: 'amount_too_large', param: 'amount' });
  }
  const r = {
    id: newId('re'),
    object: 'refund',
    amount,
    balance_transaction: newId('txn'),
    charge: ch.id,
    created: em.now(),
    currency: ch.currency,
    customer: ch.customer,
    customer_account: null,
    destination_details: { amazon_pay: {}, type: 'amazon_pay' } as unknown as Stripe.Refund.DestinationDetails,
    metadata: createMetadata(p.metadata),
    payment_intent: pi?.id ?? null,
    payment_method: ch.payment_method,
    reason: p.reason ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'pending',
    transfer_reversal: null,
  } satisfies Stripe.Refund;
  em.insert(r);
  const meta = em.store.meta(r.id);
  meta.outcome = em.takeRefundOutcome(amount);
  const chMeta = em.store.meta(ch.id);
  (chMeta.refunds ??= []).push(r.id);
  const prevCharge = { amount_refunded: ch.amount_refunded, refunded: ch.refunded };
  syncChargeRefunds(em, ch);
  em.emit('refund.created', r as Obj, ctx);
  em.emit('charge.refunded', ch, ctx, prevCharge);
  // Amazon Pay refunds are asynchronous: the refund settles right after this response.
  setImmediate(() => {
    settleRefund(em, r.id);
    em.flush();
  });
  return r as Obj;
}


const REFUND: KindInfo = { kind: 'refund', idParam: 'refund' };

export const refunds: Resource = {
  kind: 'refund',
  routes: [
    { method: 'POST', pattern: '/v1/refunds', handler: refundCreate },
    {
      method: 'GET',
      pattern: '/v1/refunds',
      handler: listHandler(REFUND, '/v1/refunds', { charge: S.str(), payment_intent: S.str() }, matchFields('charge', 'payment_intent')),
    },
    { method: 'GET', pattern: '/v1/refunds/:id', handler: retrieveHandler(REFUND) },
    { method: 'POST', pattern: '/v1/refunds/:id', handler: metadataUpdateHandler(REFUND) },
  ],
  // refunds still pending from a previous run settle now
  onStart(em) {
    for (const id of em.store.lists.get('refund') ?? []) if (em.store.objects.get(id)?.status === 'pending') settleRefund(em, id);
  },
};
