/** SetupIntents, PaymentMethods (amazon_pay), Mandates. */
import type Stripe from 'stripe';
import { AUTOMATIC, type Emulator, type ReqInfo } from '../core.js';
import { docUrl, invalid, missing } from '../errors.js';
import { paginate } from '../list.js';
import { createMetadata, mergeMetadata, parseParams, S } from '../params.js';
import type { Ctx, Route } from '../server.js';
import type { Obj } from '../store.js';
import { newId } from '../util.js';
import { ADDRESS_PROPS, applyChanges, checkPmTypes, clientSecret, emptyAddress, fullAddress, handlePaymentMethodTypes, listParams, requireCustomer, requireObject } from './common.js';

export const REUSE_MESSAGE =
  'The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.';

// ------------------------------------------------------------------ PaymentMethods

export function buildAmazonPayMethod(em: Emulator, opts: { email?: string | null; name?: string | null; metadata?: Record<string, string> } = {}): Obj {
  const pm: Stripe.PaymentMethod = {
    id: newId('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    amazon_pay: {},
    billing_details: { address: emptyAddress(), email: opts.email ?? null, name: opts.name ?? null, phone: null, tax_id: null },
    created: em.now(),
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: opts.metadata ?? {},
    type: 'amazon_pay',
  };
  return em.insert(pm as Obj);
}

/** A method that was detached, or used without a customer, can never be used again. */
export function isSpent(em: Emulator, pmId: string): boolean {
  const m = em.store.internal.get(pmId);
  return !!(m && (m.detached || m.consumed));
}

export function attachPaymentMethod(em: Emulator, req: ReqInfo, pmId: string, customerId: string, param = 'payment_method'): Obj {
  const pm = em.getKind('payment_method', pmId);
  if (!pm) throw missing('PaymentMethod', pmId, param);
  requireCustomer(em, customerId, 'customer');
  if (isSpent(em, pmId)) throw invalid(REUSE_MESSAGE, { code: 'payment_method_unexpected_state', param });
  if (pm.customer === customerId) return pm;
  if (pm.customer) throw invalid('The payment method you provided has already been attached to a customer.', { code: 'payment_method_unexpected_state', param });
  pm.customer = customerId;
  em.touch();
  em.emit('payment_method.attached', pm, req);
  return pm;
}

function detachPaymentMethod(em: Emulator, req: ReqInfo, pm: Obj): Obj {
  if (!pm.customer) {
    throw invalid(`The payment method ${pm.id} is not attached to a customer so detachment is impossible.`, { code: 'payment_method_unexpected_state', param: 'payment_method' });
  }
  const customerId: string = pm.customer;
  pm.customer = null;
  em.store.meta(pm.id).detached = true;
  em.touch();
  em.emit('payment_method.detached', pm, req, { customer: customerId });
  // its mandates become inactive
  for (const mid of em.store.lists.get('mandate') ?? []) {
    const m = em.store.objects.get(mid)!;
    if (m.payment_method === pm.id && m.status !== 'inactive') {
      const prevStatus = m.status;
      m.status = 'inactive';
      em.emit('mandate.updated', m, req, { status: prevStatus });
    }
  }
  const c = em.getKind('customer', customerId);
  if (c && c.invoice_settings?.default_payment_method === pm.id) {
    const prev = { invoice_settings: { ...c.invoice_settings } };
    c.invoice_settings = { ...c.invoice_settings, default_payment_method: null };
    em.emit('customer.updated', c, req, prev);
  }
  for (const sid of em.store.lists.get('subscription') ?? []) {
    const s = em.store.objects.get(sid)!;
    if (s.default_payment_method === pm.id && s.status !== 'canceled') {
      s.default_payment_method = null;
      em.emit('customer.subscription.updated', s, req, { default_payment_method: pm.id });
    }
  }
  return pm;
}

export function createMandate(em: Emulator, pmId: string, acceptance: { ip: string; userAgent: string }): Obj {
  const m: Stripe.Mandate = {
    id: newId('mandate'),
    object: 'mandate',
    customer_acceptance: {
      accepted_at: em.now(),
      online: { ip_address: acceptance.ip, user_agent: acceptance.userAgent },
      type: 'online',
    },
    livemode: false,
    multi_use: {},
    payment_method: pmId,
    payment_method_details: { amazon_pay: {}, type: 'amazon_pay' } as Stripe.Mandate.PaymentMethodDetails,
    status: 'active',
    type: 'multi_use',
  };
  em.insert(m as Obj);
  em.store.meta(pmId).mandate = m.id;
  return m as Obj;
}

export function mandateOf(em: Emulator, pmId: string): Obj | undefined {
  const id = em.store.internal.get(pmId)?.mandate;
  return id ? em.store.objects.get(id) : undefined;
}

export function setMandateStatus(em: Emulator, mandateId: string, status: 'active' | 'inactive' | 'pending'): Obj {
  const m = em.getKind('mandate', mandateId);
  if (!m) throw missing('mandate', mandateId);
  if (m.status !== status) {
    const prev = m.status;
    m.status = status;
    em.touch();
    em.emit('mandate.updated', m, null, { status: prev });
  }
  em.flush();
  return m;
}

function pmRetrieve(ctx: Ctx, id: string): Obj {
  parseParams(ctx.tree, {});
  return requireObject(ctx.em, 'payment_method', 'PaymentMethod', id);
}

function pmCreate(ctx: Ctx): Obj {
  const { em } = ctx;
  const p = parseParams(ctx.tree, {
    type: S.str(),
    amazon_pay: S.obj({}),
    billing_details: S.obj({ address: S.obj(ADDRESS_PROPS), email: S.str(), name: S.str(), phone: S.str(), tax_id: S.str() }),
    metadata: S.meta(),
    allow_redisplay: S.str({ enum: ['always', 'limited', 'unspecified'] }),
    customer: S.str(),
    payment_method: S.str(),
  });
  if (!p.type) throw invalid('Missing required param: type.', { code: 'parameter_missing', param: 'type' });
  if (p.type !== 'amazon_pay') {
    throw invalid(`The emulator only supports creating PaymentMethods of type amazon_pay (got ${p.type}).`, { code: 'payment_method_unsupported_type', param: 'type' });
  }
  const pm = buildAmazonPayMethod(em, { email: p.billing_details?.email, name: p.billing_details?.name, metadata: createMetadata(p.metadata) });
  if (p.billing_details?.address) pm.billing_details.address = fullAddress(p.billing_details.address);
  if (p.billing_details?.phone) pm.billing_details.phone = p.billing_details.phone;
  if (p.allow_redisplay) pm.allow_redisplay = p.allow_redisplay;
  if (p.customer) attachPaymentMethod(em, ctx, pm.id, p.customer, 'customer');
  return pm;
}

function pmUpdate(ctx: Ctx, id: string): Obj {
  const { em } = ctx;
  const p = parseParams(ctx.tree, {
    billing_details: S.obj({ address: S.obj(ADDRESS_PROPS), email: S.str(), name: S.str(), phone: S.str(), tax_id: S.str() }),
    metadata: S.meta(),
    allow_redisplay: S.str({ enum: ['always', 'limited', 'unspecified'] }),
    card: S.any(),
    us_bank_account: S.any(),
  });
  const pm = requireObject(em, 'payment_method', 'PaymentMethod', id);
  const changes: Obj = {};
  if ('metadata' in p) changes.metadata = mergeMetadata(pm.metadata, p.metadata);
  if (p.allow_redisplay) changes.allow_redisplay = p.allow_redisplay;
  if (p.billing_details) {
    const bd = { ...pm.billing_details };
    for (const k of ['email', 'name', 'phone', 'tax_id']) if (k in p.billing_details) bd[k] = p.billing_details[k] ?? null;
    if ('address' in p.billing_details) bd.address = p.billing_details.address ? fullAddress({ ...bd.address, ...p.billing_details.address }) : emptyAddress();
    changes.billing_details = bd;
  }
  applyChanges(em, ctx, pm, changes, 'payment_method.updated');
  return pm;
}

function pmList(ctx: Ctx): Obj {
  const p = listParams(ctx, { customer: S.str(), type: S.str(), allow_redisplay: S.str(), customer_account: S.str() });
  if (p.customer) requireCustomer(ctx.em, p.customer, 'customer');
  return paginate(ctx.em, 'payment_method', '/v1/payment_methods', p, (o) => (!p.customer || o.customer === p.customer) && (!p.type || o.type === p.type), 'PaymentMethod');
}

function pmAttach(ctx: Ctx, id: string): Obj {
  const p = parseParams(ctx.tree, { customer: S.str(), customer_account: S.str() });
  if (!p.customer) throw invalid('Missing required param: customer.', { code: 'parameter_missing', param: 'customer' });
  return attachPaymentMethod(ctx.em, ctx, id, p.customer, 'payment_method');
}

function pmDetach(ctx: Ctx, id: string): Obj {
  parseParams(ctx.tree, {});
  const pm = requireObject(ctx.em, 'payment_method', 'PaymentMethod', id);
  return detachPaymentMethod(ctx.em, ctx, pm);
}

// ------------------------------------------------------------------ SetupIntents

export function buildSetupIntent(
  em: Emulator,
  o: { customer: string | null; description?: string | null; metadata?: Record<string, string>; allowed: string[] | null; types: string[]; usage?: string },
): Obj {
  const id = newId('seti');
  const si: Stripe.SetupIntent = {
    id,
    object: 'setup_intent',
    allowed_payment_method_types: o.allowed as Stripe.SetupIntent['allowed_payment_method_types'],
    application: null,
    automatic_payment_methods: null,
    cancellation_reason: null,
    client_secret: clientSecret(id),
    created: em.now(),
    customer: o.customer,
    customer_account: null,
    description: o.description ?? null,
    excluded_payment_method_types: null,
    flow_directions: null,
    last_setup_error: null,
    latest_attempt: null,
    livemode: false,
    mandate: null,
    metadata: o.metadata ?? {},
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: o.types.includes('amazon_pay') ? ({ amazon_pay: {} } as Stripe.SetupIntent.PaymentMethodOptions) : {},
    payment_method_types: o.types,
    single_use_mandate: null,
    status: 'requires_payment_method',
    usage: o.usage ?? 'off_session',
  };
  return em.insert(si as Obj);
}

/** Hosted page "Continue to Amazon Pay": a PaymentMethod is collected, the SetupIntent waits for the redirect. */
export function startSetupAttempt(em: Emulator, si: Obj, pm: Obj, redirectUrl: string, returnUrl: string): void {
  const prev = { status: si.status, payment_method: si.payment_method, next_action: si.next_action, last_setup_error: si.last_setup_error };
  si.payment_method = pm.id;
  si.status = 'requires_action';
  si.last_setup_error = null;
  si.next_action = { type: 'redirect_to_url', redirect_to_url: { url: redirectUrl, return_url: returnUrl } };
  em.touch();
  em.emit('setup_intent.requires_action', si, null, prev);
}

export function succeedSetup(em: Emulator, si: Obj, acceptance: { ip: string; userAgent: string }): Obj {
  const pmId: string = si.payment_method;
  if (si.customer) attachPaymentMethod(em, AUTOMATIC, pmId, si.customer);
  const mandate = si.usage === 'off_session' ? createMandate(em, pmId, acceptance) : null;
  const prev = { status: si.status, next_action: si.next_action, mandate: si.mandate };
  si.status = 'succeeded';
  si.next_action = null;
  si.mandate = mandate?.id ?? null;
  em.touch();
  em.emit('setup_intent.succeeded', si, null, prev);
  return si;
}

export function failSetup(em: Emulator, si: Obj): Obj {
  const pm = si.payment_method ? em.store.objects.get(si.payment_method) : undefined;
  if (pm) em.store.meta(pm.id).consumed = true;
  const prev = { status: si.status, next_action: si.next_action, payment_method: si.payment_method, last_setup_error: si.last_setup_error };
  si.last_setup_error = {
    code: 'setup_intent_authentication_failure',
    doc_url: docUrl('setup_intent_authentication_failure'),
    message: 'The latest attempt to set up the payment method has failed because authentication failed. Try another payment method or attempt the setup again.',
    payment_method: pm ?? null,
    payment_method_type: 'amazon_pay',
    type: 'invalid_request_error',
  };
  si.payment_method = null;
  si.status = 'requires_payment_method';
  si.next_action = null;
  em.touch();
  em.emit('setup_intent.setup_failed', si, null, prev);
  return si;
}

export function cancelSetupIntent(em: Emulator, req: ReqInfo | null, si: Obj, reason: string | null): Obj {
  if (!['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(si.status)) {
    throw invalid(
      `You cannot cancel this SetupIntent because it has a status of ${si.status}. Only a SetupIntent with one of the following statuses may be canceled: requires_payment_method, requires_confirmation, requires_action.`,
      { code: 'setup_intent_unexpected_state', param: 'intent' },
    );
  }
  const prev = { status: si.status, cancellation_reason: si.cancellation_reason, next_action: si.next_action };
  si.status = 'canceled';
  si.cancellation_reason = reason;
  si.next_action = null;
  em.touch();
  em.emit('setup_intent.canceled', si, req, prev);
  return si;
}

function siCreate(ctx: Ctx): Obj {
  const { em } = ctx;
  const p = parseParams(handlePaymentMethodTypes(ctx), {
    allowed_payment_method_types: S.arr(S.str()),
    automatic_payment_methods: S.obj({ enabled: S.bool(), allow_redirects: S.str({ enum: ['always', 'never'] }) }),
    confirm: S.bool(),
    customer: S.str(),
    description: S.str(),
    metadata: S.meta(),
    usage: S.str({ enum: ['off_session', 'on_session'] }),
    payment_method: S.str(),
    payment_method_options: S.any(),
    return_url: S.str(),
    attach_to_self: S.bool(),
    confirmation_token: S.str(),
    customer_account: S.str(),
    excluded_payment_method_types: S.arr(S.str()),
    flow_directions: S.arr(S.str()),
    mandate_data: S.any(),
    on_behalf_of: S.str(),
    payment_method_configuration: S.str(),
    payment_method_data: S.any(),
    single_use: S.any(),
    use_stripe_sdk: S.bool(),
  });
  if (p.confirm) {
    throw invalid('The emulator confirms amazon_pay SetupIntents only through Checkout (mode=setup) and its hosted test page.', { code: 'setup_intent_unexpected_state', param: 'confirm' });
  }
  if (p.customer) requireCustomer(em, p.customer);
  const allowed = checkPmTypes(p.allowed_payment_method_types, 'allowed_payment_method_types');
  const si = buildSetupIntent(em, {
    customer: p.customer ?? null,
    description: p.description,
    metadata: createMetadata(p.metadata),
    allowed,
    types: allowed ?? ['card', 'amazon_pay'],
    usage: p.usage ?? 'off_session',
  });
  if (p.payment_method) {
    const pm = requireObject(em, 'payment_method', 'PaymentMethod', p.payment_method, 'payment_method');
    si.payment_method = pm.id;
    si.status = 'requires_confirmation';
  }
  em.emit('setup_intent.created', si, ctx);
  return si;
}

function siRetrieve(ctx: Ctx, id: string): Obj {
  parseParams(ctx.tree, { client_secret: S.str() });
  return requireObject(ctx.em, 'setup_intent', 'setupintent', id, 'intent');
}

function siUpdate(ctx: Ctx, id: string): Obj {
  const { em } = ctx;
  const p = parseParams(ctx.tree, { metadata: S.meta(), description: S.str() });
  const si = requireObject(em, 'setup_intent', 'setupintent', id, 'intent');
  const changes: Obj = {};
  if ('metadata' in p) changes.metadata = mergeMetadata(si.metadata, p.metadata);
  if ('description' in p) changes.description = p.description ?? null;
  applyChanges(em, ctx, si, changes);
  return si;
}

function siList(ctx: Ctx): Obj {
  const p = listParams(ctx, { customer: S.str(), payment_method: S.str(), attach_to_self: S.bool(), customer_account: S.str() });
  return paginate(
    ctx.em,
    'setup_intent',
    '/v1/setup_intents',
    p,
    (o) => (!p.customer || o.customer === p.customer) && (!p.payment_method || o.payment_method === p.payment_method),
    'setupintent',
  );
}

function siCancel(ctx: Ctx, id: string): Obj {
  const p = parseParams(ctx.tree, { cancellation_reason: S.str({ enum: ['abandoned', 'duplicate', 'requested_by_customer'] }) });
  const si = requireObject(ctx.em, 'setup_intent', 'setupintent', id, 'intent');
  return cancelSetupIntent(ctx.em, ctx, si, p.cancellation_reason ?? null);
}

function mandateRetrieve(ctx: Ctx, id: string): Obj {
  parseParams(ctx.tree, {});
  return requireObject(ctx.em, 'mandate', 'mandate', id, 'mandate');
}

export const setupRoutes: Route[] = [
  { method: 'POST', pattern: '/v1/setup_intents', handler: siCreate },
  { method: 'GET', pattern: '/v1/setup_intents', handler: siList },
  { method: 'GET', pattern: '/v1/setup_intents/:id', handler: siRetrieve },
  { method: 'POST', pattern: '/v1/setup_intents/:id', handler: siUpdate },
  { method: 'POST', pattern: '/v1/setup_intents/:id/cancel', handler: siCancel },
  { method: 'POST', pattern: '/v1/payment_methods', handler: pmCreate },
  { method: 'GET', pattern: '/v1/payment_methods', handler: pmList },
  { method: 'GET', pattern: '/v1/payment_methods/:id', handler: pmRetrieve },
  { method: 'POST', pattern: '/v1/payment_methods/:id', handler: pmUpdate },
  { method: 'POST', pattern: '/v1/payment_methods/:id/attach', handler: pmAttach },
  { method: 'POST', pattern: '/v1/payment_methods/:id/detach', handler: pmDetach },
  { method: 'GET', pattern: '/v1/mandates/:id', handler: mandateRetrieve },
];
