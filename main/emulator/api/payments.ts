/** PaymentIntents, Charges, Refunds. */
import type Stripe from 'stripe';
import type { Emulator, ReqInfo } from '../core.js';
import { ApiError, docUrl, invalid, missing } from '../errors.js';
import { paginate } from '../list.js';
import { createMetadata, mergeMetadata, parseParams, S, type Props } from '../params.js';
import type { Ctx, Route } from '../server.js';
import type { Obj, Outcome } from '../store.js';
import { clone, formatAmount, newId } from '../util.js';
import {
  applyChanges,
  checkAmount,
  checkCurrency,
  checkPmTypes,
  clientSecret,
  handlePaymentMethodTypes,
  listParams,
  requireCustomer,
  requireObject,
} from './common.js';
import { isSpent, mandateOf, REUSE_MESSAGE } from './setup.js';

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

// ------------------------------------------------------------------ building blocks

function buildPaymentIntent(
  em: Emulator,
  o: {
    amount: number;
    currency: string;
    customer: string | null;
    paymentMethod: string | null;
    allowed: string[] | null;
    metadata: Record<string, string>;
    description: string | null;
    captureMethod: string;
    setupFutureUsage: string | null;
    receiptEmail?: string | null;
    statementDescriptor?: string | null;
    statementDescriptorSuffix?: string | null;
    automatic?: boolean;
  },
): Obj {
  const id = newId('pi');
  const pi: Stripe.PaymentIntent = {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: o.allowed as Stripe.PaymentIntent['allowed_payment_method_types'],
    amount: o.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: o.allowed || o.automatic === false ? null : { allow_redirects: 'always', enabled: true },
    canceled_at: null,
    cancellation_reason: null,
    capture_method: o.captureMethod as Stripe.PaymentIntent.CaptureMethod,
    client_secret: clientSecret(id),
    confirmation_method: 'automatic',
    created: em.now(),
    currency: o.currency,
    customer: o.customer,
    customer_account: null,
    description: o.description,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: o.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: o.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: (o.allowed ?? ['amazon_pay']).includes('amazon_pay') ? ({ amazon_pay: {} } as Stripe.PaymentIntent.PaymentMethodOptions) : {},
    payment_method_types: o.allowed ?? ['card', 'amazon_pay'],
    payment_record: null,
    processing: null,
    receipt_email: o.receiptEmail ?? null,
    review: null,
    setup_future_usage: (o.setupFutureUsage ?? null) as Stripe.PaymentIntent.SetupFutureUsage | null,
    shipping: null,
    source: null,
    statement_descriptor: o.statementDescriptor ?? null,
    statement_descriptor_suffix: o.statementDescriptorSuffix ?? null,
    status: o.paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  };
  return em.insert(pi as Obj);
}

function buildCharge(em: Emulator, pi: Obj, pm: Obj, outcome: AttemptOutcome): Obj {
  const ok = outcome === 'succeed';
  const manual = pi.capture_method === 'manual';
  const f = ok ? undefined : FAILURES[outcome];
  const id = newId('ch');
  const ch: Stripe.Charge = {
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
    payment_method_details: { amazon_pay: { funding: null }, type: 'amazon_pay' } as unknown as Stripe.Charge.PaymentMethodDetails,
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
  };
  return em.insert(ch as Obj);
}

/** 400-level checks that happen before anything is created or attempted. */
export function validatePaymentMethod(em: Emulator, pmId: string, customer: string | null, allowed: string[] | null, param = 'payment_method'): Obj {
  const pm = em.getKind('payment_method', pmId);
  if (!pm) throw missing('PaymentMethod', pmId, param);
  if (isSpent(em, pmId)) throw invalid(REUSE_MESSAGE, { code: 'payment_method_unexpected_state', param });
  if (pm.customer && !customer) {
    throw invalid(`The payment method supplied (${pmId}) belongs to the Customer ${pm.customer}. Please include the Customer in the \`customer\` parameter on the PaymentIntent.`, {
      code: 'payment_intent_invalid_parameter',
      param,
    });
  }
  if (pm.customer && customer && pm.customer !== customer) {
    throw invalid(`The provided PaymentMethod (${pmId}) does not belong to the Customer ${customer}. Use a PaymentMethod attached to ${customer}.`, {
      code: 'payment_intent_invalid_parameter',
      param,
    });
  }
  if (allowed && !allowed.includes(pm.type)) {
    throw invalid(`The PaymentMethod provided (${pm.type}) is not allowed for this PaymentIntent. Allowed types: ${allowed.join(', ')}.`, {
      code: 'payment_intent_incompatible_payment_method',
      param,
    });
  }
  return pm;
}

/** Outcome of a confirmation: inactive/missing mandate for off-session, then test controls, then magic amounts. */
function decideOutcome(em: Emulator, pm: Obj, customer: string | null, amount: number, offSession: boolean): AttemptOutcome {
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
function attemptPayment(em: Emulator, req: ReqInfo | null, pi: Obj, pm: Obj, outcome: AttemptOutcome): void {
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

export interface ChargeOptions {
  existing?: Obj;
  amount: number;
  currency: string;
  customer: string | null;
  paymentMethod: string;
  metadata: Record<string, string>;
  description: string | null;
  setupFutureUsage: string | null;
  captureMethod: string;
  outcome?: AttemptOutcome;
  offSession: boolean;
}

/** Create (or reuse) a PaymentIntent and attempt it once; used by Checkout and invoices. */
export function chargeInternal(em: Emulator, req: ReqInfo | null, o: ChargeOptions): Obj {
  const pm = em.store.objects.get(o.paymentMethod)!;
  let pi = o.existing;
  if (!pi) {
    pi = buildPaymentIntent(em, {
      amount: o.amount,
      currency: o.currency,
      customer: o.customer,
      paymentMethod: o.paymentMethod,
      allowed: ['amazon_pay'],
      metadata: o.metadata,
      description: o.description,
      captureMethod: o.captureMethod,
      setupFutureUsage: o.setupFutureUsage,
    });
    em.emit('payment_intent.created', pi, req);
  }
  const outcome = o.outcome ?? decideOutcome(em, pm, o.customer, o.amount, o.offSession);
  attemptPayment(em, req, pi, pm, outcome);
  return pi;
}

export function cancelPaymentIntentInternal(em: Emulator, req: ReqInfo | null, pi: Obj, reason: string | null): Obj {
  const cancellable = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing'];
  if (!cancellable.includes(pi.status)) {
    throw invalid(
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${cancellable.join(', ')}.`,
      { code: 'payment_intent_unexpected_state', param: 'intent' },
    );
  }
  const prev = { status: pi.status, canceled_at: pi.canceled_at, cancellation_reason: pi.cancellation_reason };
  pi.status = 'canceled';
  pi.canceled_at = em.now();
  pi.cancellation_reason = reason;
  pi.next_action = null;
  pi.amount_capturable = 0;
  em.touch();
  em.emit('payment_intent.canceled', pi, req, prev);
  return pi;
}

// ------------------------------------------------------------------ PaymentIntent handlers

const PI_CREATE: Props = {
  amount: S.req(S.int({ min: 1 })),
  currency: S.req(S.str()),
  allowed_payment_method_types: S.arr(S.str()),
  amount_details: S.any(),
  application_fee_amount: S.int(),
  automatic_payment_methods: S.obj({ enabled: S.req(S.bool()), allow_redirects: S.str({ enum: ['always', 'never'] }) }),
  capture_method: S.str({ enum: ['automatic', 'automatic_async', 'manual'] }),
  confirm: S.bool(),
  confirmation_method: S.str({ enum: ['automatic', 'manual'] }),
  confirmation_token: S.str(),
  customer: S.str(),
  customer_account: S.str(),
  description: S.str({ max: 1000 }),
  error_on_requires_action: S.bool(),
  excluded_payment_method_types: S.arr(S.str()),
  hooks: S.any(),
  mandate: S.str(),
  mandate_data: S.any(),
  metadata: S.meta(),
  off_session: S.boolOrStr(['one_off', 'recurring']),
  on_behalf_of: S.str(),
  payment_details: S.any(),
  payment_method: S.str(),
  payment_method_configuration: S.str(),
  payment_method_data: S.any(),
  payment_method_options: S.any(),
  radar_options: S.any(),
  receipt_email: S.str(),
  return_url: S.str(),
  setup_future_usage: S.str({ enum: ['off_session', 'on_session'] }),
  shipping: S.any(),
  statement_descriptor: S.str({ max: 22 }),
  statement_descriptor_suffix: S.str({ max: 22 }),
  transfer_data: S.any(),
  transfer_group: S.str(),
  use_stripe_sdk: S.bool(),
};

function piCreate(ctx: Ctx): Obj {
  const { em } = ctx;
  const p = parseParams(handlePaymentMethodTypes(ctx), PI_CREATE);
  const currency = checkCurrency(p.currency);
  checkAmount(p.amount, currency);
  const allowed = checkPmTypes(p.allowed_payment_method_types, 'allowed_payment_method_types');
  if (allowed && ('automatic_payment_methods' in p || 'excluded_payment_method_types' in p || 'payment_method_configuration' in p)) {
    throw invalid('You may only specify one of these parameters: allowed_payment_method_types, automatic_payment_methods.', { code: 'parameters_exclusive', param: 'automatic_payment_methods' });
  }
  const offSession = !!p.off_session; // true, 'one_off' or 'recurring'
  if (offSession && !p.confirm) {
    throw invalid('You cannot set `off_session` unless `confirm` is also set to true.', { param: 'off_session' });
  }
  if (p.customer) requireCustomer(em, p.customer);
  let pm: Obj | undefined;
  if (p.payment_method) pm = validatePaymentMethod(em, p.payment_method, p.customer ?? null, allowed);
  if (p.confirm && !pm) {
    throw invalid(
      "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent, specify a payment method attached to the customer along with the customer ID.",
      { code: 'payment_intent_unexpected_state', param: 'payment_method' },
    );
  }
  if (p.mandate) {
    const m = requireObject(em, 'mandate', 'mandate', p.mandate, 'mandate');
    if (pm && m.payment_method !== pm.id) throw invalid('The mandate does not belong to the payment method.', { code: 'payment_intent_mandate_invalid', param: 'mandate' });
  }
  const pi = buildPaymentIntent(em, {
    amount: p.amount,
    currency,
    customer: p.customer ?? null,
    paymentMethod: pm?.id ?? null,
    allowed,
    metadata: createMetadata(p.metadata),
    description: p.description ?? null,
    captureMethod: p.capture_method ?? 'automatic',
    setupFutureUsage: p.setup_future_usage ?? null,
    receiptEmail: p.receipt_email,
    statementDescriptor: p.statement_descriptor,
    statementDescriptorSuffix: p.statement_descriptor_suffix,
    automatic: p.automatic_payment_methods ? p.automatic_payment_methods.enabled : undefined,
  });
  em.emit('payment_intent.created', pi, ctx);
  if (p.confirm && pm) {
    attemptPayment(em, ctx, pi, pm, decideOutcome(em, pm, pi.customer, pi.amount, offSession));
    if (pi.status === 'requires_payment_method') throw paymentFailedError(pi);
  }
  return pi;
}

function piConfirm(ctx: Ctx, id: string): Obj {
  const { em } = ctx;
  const p = parseParams(ctx.tree, {
    allowed_payment_method_types: S.arr(S.str()),
    amount_details: S.any(),
    amount_to_confirm: S.int(),
    capture_method: S.str({ enum: ['automatic', 'automatic_async', 'manual'] }),
    confirmation_token: S.str(),
    error_on_requires_action: S.bool(),
    excluded_payment_method_types: S.any(),
    hooks: S.any(),
    mandate: S.str(),
    mandate_data: S.any(),
    off_session: S.boolOrStr(['one_off', 'recurring']),
    payment_details: S.any(),
    payment_method: S.str(),
    payment_method_data: S.any(),
    payment_method_options: S.any(),
    radar_options: S.any(),
    receipt_email: S.str(),
    return_url: S.str(),
    setup_future_usage: S.str({ enum: ['off_session', 'on_session'] }),
    shipping: S.any(),
    use_stripe_sdk: S.bool(),
  });
  const pi = requireObject(em, 'payment_intent', 'payment_intent', id, 'intent');
  if (!['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(pi.status)) {
    throw invalid(`You cannot confirm this PaymentIntent because it has a status of ${pi.status}.`, { code: 'payment_intent_unexpected_state', param: 'intent' });
  }
  const pmId: string | null = p.payment_method ?? pi.payment_method;
  if (!pmId) {
    throw invalid("You cannot confirm this PaymentIntent because it's missing a payment method.", { code: 'payment_intent_unexpected_state', param: 'payment_method' });
  }
  const pm = validatePaymentMethod(em, pmId, pi.customer, pi.allowed_payment_method_types);
  if (p.capture_method) pi.capture_method = p.capture_method;
  if (p.receipt_email) pi.receipt_email = p.receipt_email;
  const offSession = !!p.off_session;
  attemptPayment(em, ctx, pi, pm, decideOutcome(em, pm, pi.customer, pi.amount, offSession));
  if (pi.status === 'requires_payment_method') throw paymentFailedError(pi);
  return pi;
}

function piRetrieve(ctx: Ctx, id: string): Obj {
  parseParams(ctx.tree, { client_secret: S.str() });
  return requireObject(ctx.em, 'payment_intent', 'payment_intent', id, 'intent');
}

function piUpdate(ctx: Ctx, id: string): Obj {
  const { em } = ctx;
  const p = parseParams(ctx.tree, {
    amount: S.int({ min: 1 }),
    currency: S.str(),
    customer: S.str(),
    description: S.str(),
    metadata: S.meta(),
    payment_method: S.str(),
    receipt_email: S.str(),
    setup_future_usage: S.str({ enum: ['off_session', 'on_session'] }),
    statement_descriptor: S.str({ max: 22 }),
    statement_descriptor_suffix: S.str({ max: 22 }),
    capture_method: S.str({ enum: ['automatic', 'automatic_async', 'manual'] }),
  });
  const pi = requireObject(em, 'payment_intent', 'payment_intent', id, 'intent');
  const editable = ['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(pi.status);
  const changes: Obj = {};
  if ('metadata' in p) changes.metadata = mergeMetadata(pi.metadata, p.metadata);
  if ('description' in p) changes.description = p.description ?? null;
  if ('receipt_email' in p) changes.receipt_email = p.receipt_email ?? null;
  for (const k of ['amount', 'currency', 'customer', 'payment_method', 'setup_future_usage', 'statement_descriptor', 'statement_descriptor_suffix', 'capture_method']) {
    if (!(k in p)) continue;
    if (!editable) {
      throw invalid(`You cannot update ${k} on a PaymentIntent with status ${pi.status}.`, { code: 'payment_intent_unexpected_state', param: k });
    }
    changes[k] = p[k] ?? null;
  }
  if (changes.currency) changes.currency = checkCurrency(changes.currency);
  if (changes.customer) requireCustomer(em, changes.customer);
  if (changes.payment_method) validatePaymentMethod(em, changes.payment_method, changes.customer ?? pi.customer, pi.allowed_payment_method_types);
  if (changes.amount) checkAmount(changes.amount, changes.currency ?? pi.currency);
  applyChanges(em, ctx, pi, changes);
  if ('payment_method' in changes && pi.status === 'requires_payment_method' && pi.payment_method) pi.status = 'requires_confirmation';
  return pi;
}

function piList(ctx: Ctx): Obj {
  const p = listParams(ctx, { customer: S.str(), customer_account: S.str() });
  return paginate(ctx.em, 'payment_intent', '/v1/payment_intents', p, p.customer ? (o) => o.customer === p.customer : undefined, 'payment_intent');
}

function piCancel(ctx: Ctx, id: string): Obj {
  const p = parseParams(ctx.tree, { cancellation_reason: S.str({ enum: ['abandoned', 'duplicate', 'fraudulent', 'requested_by_customer'] }) });
  const pi = requireObject(ctx.em, 'payment_intent', 'payment_intent', id, 'intent');
  return cancelPaymentIntentInternal(ctx.em, ctx, pi, p.cancellation_reason ?? null);
}

function piCapture(ctx: Ctx, id: string): Obj {
  const { em } = ctx;
  const p = parseParams(ctx.tree, {
    amount_to_capture: S.int({ min: 1 }),
    metadata: S.meta(),
    statement_descriptor: S.str(),
    statement_descriptor_suffix: S.str(),
    final_capture: S.bool(),
    amount_details: S.any(),
    application_fee_amount: S.int(),
    hooks: S.any(),
    payment_details: S.any(),
    transfer_data: S.any(),
  });
  const pi = requireObject(em, 'payment_intent', 'payment_intent', id, 'intent');
  if (pi.status !== 'requires_capture') {
    throw invalid(`This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`, {
      code: 'payment_intent_unexpected_state',
      param: 'intent',
    });
  }
  const amount = p.amount_to_capture ?? pi.amount_capturable;
  if (amount > pi.amount_capturable) throw invalid('The amount to capture is greater than the amount capturable.', { code: 'amount_too_large', param: 'amount_to_capture' });
  const ch = em.store.objects.get(pi.latest_charge)!;
  ch.captured = true;
  ch.amount_captured = amount;
  ch.balance_transaction = newId('txn');
  if (amount < ch.amount) ch.amount_refunded = ch.amount - amount;
  const prev = { status: pi.status, amount_received: pi.amount_received, amount_capturable: pi.amount_capturable };
  pi.status = 'succeeded';
  pi.amount_received = amount;
  pi.amount_capturable = 0;
  if (p.metadata) pi.metadata = mergeMetadata(pi.metadata, p.metadata);
  em.touch();
  em.emit('charge.captured', ch, ctx);
  em.emit('payment_intent.succeeded', pi, ctx, prev);
  return pi;
}

// ------------------------------------------------------------------ Charges

function chargeRetrieve(ctx: Ctx, id: string): Obj {
  parseParams(ctx.tree, {});
  return requireObject(ctx.em, 'charge', 'charge', id, 'charge');
}

function chargeList(ctx: Ctx): Obj {
  const p = listParams(ctx, { customer: S.str(), payment_intent: S.str(), transfer_group: S.str() });
  return paginate(
    ctx.em,
    'charge',
    '/v1/charges',
    p,
    (o) => (!p.customer || o.customer === p.customer) && (!p.payment_intent || o.payment_intent === p.payment_intent),
    'charge',
  );
}

// ------------------------------------------------------------------ Refunds

function syncChargeRefunds(em: Emulator, ch: Obj): void {
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
  const r: Stripe.Refund = {
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
  };
  em.insert(r as Obj);
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

function refundRetrieve(ctx: Ctx, id: string): Obj {
  parseParams(ctx.tree, {});
  return requireObject(ctx.em, 'refund', 'refund', id, 'refund');
}

function refundUpdate(ctx: Ctx, id: string): Obj {
  const p = parseParams(ctx.tree, { metadata: S.meta() });
  const r = requireObject(ctx.em, 'refund', 'refund', id, 'refund');
  if ('metadata' in p) {
    r.metadata = mergeMetadata(r.metadata, p.metadata);
    ctx.em.touch();
  }
  return r;
}

function refundList(ctx: Ctx): Obj {
  const p = listParams(ctx, { charge: S.str(), payment_intent: S.str() });
  return paginate(
    ctx.em,
    'refund',
    '/v1/refunds',
    p,
    (o) => (!p.charge || o.charge === p.charge) && (!p.payment_intent || o.payment_intent === p.payment_intent),
    'refund',
  );
}

export const paymentRoutes: Route[] = [
  { method: 'POST', pattern: '/v1/payment_intents', handler: piCreate },
  { method: 'GET', pattern: '/v1/payment_intents', handler: piList },
  { method: 'GET', pattern: '/v1/payment_intents/:id', handler: piRetrieve },
  { method: 'POST', pattern: '/v1/payment_intents/:id', handler: piUpdate },
  { method: 'POST', pattern: '/v1/payment_intents/:id/confirm', handler: piConfirm },
  { method: 'POST', pattern: '/v1/payment_intents/:id/cancel', handler: piCancel },
  { method: 'POST', pattern: '/v1/payment_intents/:id/capture', handler: piCapture },
  { method: 'GET', pattern: '/v1/charges', handler: chargeList },
  { method: 'GET', pattern: '/v1/charges/:id', handler: chargeRetrieve },
  { method: 'POST', pattern: '/v1/refunds', handler: refundCreate },
  { method: 'GET', pattern: '/v1/refunds', handler: refundList },
  { method: 'GET', pattern: '/v1/refunds/:id', handler: refundRetrieve },
  { method: 'POST', pattern: '/v1/refunds/:id', handler: refundUpdate },
];
