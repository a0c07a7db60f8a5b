/** Charges: one per payment attempt, with the outcome (test controls, magic amounts, mandate state) decided here. */
import type Stripe from 'stripe';
import { type KindInfo, listHandler, matchFields, retrieveHandler } from '../engine/crud.js';
import { MAGIC, type Emulator, type ReqInfo, type Resource } from '../engine/emulator.js';
import { ApiError, docUrl } from '../engine/errors.js';
import { newId, randomString } from '../engine/ids.js';
import { S } from '../engine/params.js';
import type { Obj, Outcome } from '../engine/store.js';
import { clone } from '../engine/util.js';
import { openDispute } from './disputes.js';
import { mandateOf } from './mandates.js';

export type AttemptOutcome = Outcome | 'mandate_invalid';

const FAILURES: Record<Exclude<AttemptOutcome, 'succeed'>, { code: string; message: string; network: string; type: string }> = {
  decline: {
    code: 'payment_method_provider_decline',
    message: 'The payment was declined by Amazon Pay. Ask the customer to use another payment method or to contact Amazon Pay.',
    network: 'declined_by_network',
    type: 'issuer_declined',
  },
  unavailable: {
    code: 'payment_method_not_available',
    message: 'Amazon Pay is temporarily unavailable for this payment method. Try again later.',
    network: 'not_sent_to_network',
    type: 'invalid',
  },
  authentication_required: {
    code: 'authentication_required',
    message: 'This payment requires the customer to authenticate with Amazon Pay. Bring the customer back on-session to complete it.',
    network: 'declined_by_network',
    type: 'issuer_declined',
  },
  mandate_invalid: {
    code: 'payment_intent_mandate_invalid',
    message: 'The mandate for this payment method is not active, so it cannot be charged off-session. The customer must set up the payment method again.',
    network: 'not_sent_to_network',
    type: 'blocked',
  },
};

function buildCharge(em: Emulator, pi: Obj, pm: Obj, outcome: AttemptOutcome): Obj {
  const ok = outcome === 'succeed';
  const manual = pi.capture_method === 'manual';
  const f = ok ? undefined : FAILURES[outcome];
  const id = newId('ch');
  const ch = {
    id,
    object: 'charge',
    amount: pi.amount,
    amount_captured: ok && !manual ? pi.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: ok && !manual ? newId('txn') : null,
    billing_details: clone(pm.billing_details),
    calculated_statement_descriptor: 'EMULATOR* TEST',
    captured: ok && !manual,
    created: em.now(),
    currency: pi.currency,
    customer: pi.customer,
    description: pi.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: f?.code ?? null,
    failure_message: f?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: { ...pi.metadata },
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: ok ? 'approved_by_network' : (f!.network as Stripe.Charge.Outcome['network_status']),
      reason: ok ? null : outcome,
      risk_level: 'normal',
      seller_message: ok ? 'Payment complete.' : f!.message,
      type: ok ? 'authorized' : f!.type,
    },
    paid: ok,
    payment_intent: pi.id,
    payment_method: pm.id,
    payment_method_details: { amazon_pay: { transaction_id: ok ? `P01-${randomString(7)}-${randomString(7)}` : null }, type: 'amazon_pay' } as Stripe.Charge.PaymentMethodDetails,
    receipt_email: pi.receipt_email,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${id}/refunds` },
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: pi.statement_descriptor,
    statement_descriptor_suffix: pi.statement_descriptor_suffix,
    status: ok ? 'succeeded' : 'failed',
    transfer_data: null,
    transfer_group: null,
  } satisfies Stripe.Charge;
  return em.insert(ch);
}

/** Outcome of a confirmation: inactive/missing mandate for off-session, then test controls, then magic amounts. */
export function decideOutcome(em: Emulator, pm: Obj, customer: string | null, amount: number, offSession: boolean): AttemptOutcome {
  if (offSession && pm.type === 'amazon_pay') {
    const m = mandateOf(em, pm.id);
    if (!m || m.status !== 'active') return 'mandate_invalid';
  }
  return em.takeOutcome(pm.id, customer, amount);
}

function lastPaymentError(em: Emulator, pm: Obj, charge: Obj | null, outcome: Exclude<AttemptOutcome, 'succeed'>) {
  const f = FAILURES[outcome];
  return {
    charge: charge?.id,
    code: f.code,
    doc_url: docUrl(f.code),
    message: f.message,
    payment_method: clone(pm),
    payment_method_type: pm.type,
    type: 'card_error' as const,
  };
}

/** Run one payment attempt on a PaymentIntent (creates the Charge, emits events). */
export function attemptPayment(em: Emulator, req: ReqInfo | null, pi: Obj, pm: Obj, outcome: AttemptOutcome): void {
  const charge = outcome === 'mandate_invalid' ? null : buildCharge(em, pi, pm, outcome);
  const prev = { status: pi.status, latest_charge: pi.latest_charge, last_payment_error: pi.last_payment_error, payment_method: pi.payment_method, amount_received: pi.amount_received };
  pi.latest_charge = charge?.id ?? pi.latest_charge;
  if (!pm.customer) em.store.meta(pm.id).consumed = true;
  if (outcome === 'succeed') {
    pi.payment_method = pm.id;
    pi.last_payment_error = null;
    pi.next_action = null;
    if (pi.capture_method === 'manual') {
      pi.status = 'requires_capture';
      pi.amount_capturable = pi.amount;
    } else {
      pi.status = 'succeeded';
      pi.amount_received = pi.amount;
    }
    em.touch();
    em.emit('charge.succeeded', charge!, req);
    em.emit(pi.status === 'succeeded' ? 'payment_intent.succeeded' : 'payment_intent.amount_capturable_updated', pi, req, prev);
    if (pi.status === 'succeeded' && pi.amount % 10000 === MAGIC.dispute) openDispute(em, null, charge!);
    return;
  }
  pi.status = 'requires_payment_method';
  pi.payment_method = null;
  pi.last_payment_error = lastPaymentError(em, pm, charge, outcome);
  em.touch();
  if (charge) em.emit('charge.failed', charge, req);
  em.emit('payment_intent.payment_failed', pi, req, prev);
}

/** The 402 Stripe returns when a confirmation fails (the PaymentIntent is embedded). */
export function paymentFailedError(pi: Obj): ApiError {
  const e = pi.last_payment_error;
  return new ApiError(402, { ...e, payment_intent: clone(pi) }, { storeIdempotent: true });
}


const CHARGE: KindInfo = { kind: 'charge', idParam: 'charge' };

export const charges: Resource = {
  kind: 'charge',
  routes: [
    {
      method: 'GET',
      pattern: '/v1/charges',
      handler: listHandler(CHARGE, '/v1/charges', { customer: S.str(), payment_intent: S.str(), transfer_group: S.str() }, matchFields('customer', 'payment_intent')),
    },
    { method: 'GET', pattern: '/v1/charges/:id', handler: retrieveHandler(CHARGE) },
  ],
};
