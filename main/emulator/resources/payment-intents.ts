/** PaymentIntents: create (and confirm), confirm, update, capture, cancel, list. */
import type Stripe from 'stripe';
import { applyChanges, type KindInfo, listHandler, matchFields, requireCustomer, requireObject, retrieveHandler, searchHandler } from '../engine/crud.js';
import type { Ctx, Emulator, ReqInfo, Resource } from '../engine/emulator.js';
import { invalid } from '../engine/errors.js';
import { newId } from '../engine/ids.js';
import { createMetadata, mergeMetadata, parseParams, type Props, S } from '../engine/params.js';
import type { Obj } from '../engine/store.js';
import { type AttemptOutcome, attemptPayment, decideOutcome, paymentFailedError } from './charges.js';
import { validatePaymentMethod } from './payment-methods.js';
import { checkAmount, checkCurrency, checkPmTypes, clientSecret, handlePaymentMethodTypes } from './shared.js';

export function buildPaymentIntent(
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
  const pi = {
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
  } satisfies Stripe.PaymentIntent;
  return em.insert(pi);
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


const PAYMENT_INTENT: KindInfo = { kind: 'payment_intent', idParam: 'intent' };

export const paymentIntents: Resource = {
  kind: 'payment_intent',
  routes: [
    { method: 'POST', pattern: '/v1/payment_intents', handler: piCreate },
    // 'search' must win over ':id'
    { method: 'GET', pattern: '/v1/payment_intents/search', handler: searchHandler(PAYMENT_INTENT, '/v1/payment_intents/search', ['amount', 'created', 'currency', 'customer', 'metadata', 'status'], ['amount', 'created']) },
    {
      method: 'GET',
      pattern: '/v1/payment_intents',
      handler: listHandler(PAYMENT_INTENT, '/v1/payment_intents', { customer: S.str(), customer_account: S.str() }, matchFields('customer')),
    },
    { method: 'GET', pattern: '/v1/payment_intents/:id', handler: retrieveHandler(PAYMENT_INTENT, { client_secret: S.str() }) },
    { method: 'POST', pattern: '/v1/payment_intents/:id', handler: piUpdate },
    { method: 'POST', pattern: '/v1/payment_intents/:id/confirm', handler: piConfirm },
    { method: 'POST', pattern: '/v1/payment_intents/:id/cancel', handler: piCancel },
    { method: 'POST', pattern: '/v1/payment_intents/:id/capture', handler: piCapture },
  ],
};
