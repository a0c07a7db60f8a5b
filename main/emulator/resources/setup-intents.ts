/** SetupIntents: created directly or by a setup-mode Checkout Session, confirmed through the hosted page. */
import type Stripe from 'stripe';
import { applyChanges, type KindInfo, listHandler, matchFields, requireCustomer, requireObject, retrieveHandler } from '../engine/crud.js';
import { AUTOMATIC, type Ctx, type Emulator, type ReqInfo, type Resource } from '../engine/emulator.js';
import { docUrl, invalid } from '../engine/errors.js';
import { newId } from '../engine/ids.js';
import { createMetadata, mergeMetadata, parseParams, S } from '../engine/params.js';
import type { Obj } from '../engine/store.js';
import { createMandate } from './mandates.js';
import { attachPaymentMethod } from './payment-methods.js';
import { checkPmTypes, clientSecret, handlePaymentMethodTypes } from './shared.js';

export function buildSetupIntent(
  em: Emulator,
  o: { customer: string | null; description?: string | null; metadata?: Record<string, string>; allowed: string[] | null; types: string[]; usage?: string },
): Obj {
  const id = newId('seti');
  const si = {
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
  } satisfies Stripe.SetupIntent;
  return em.insert(si);
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

const SETUP_INTENT: KindInfo = { kind: 'setup_intent', what: 'setupintent', idParam: 'intent' };

const siList = listHandler(SETUP_INTENT, '/v1/setup_intents', { customer: S.str(), payment_method: S.str(), attach_to_self: S.bool(), customer_account: S.str() }, matchFields('customer', 'payment_method'));

function siCancel(ctx: Ctx, id: string): Obj {
  const p = parseParams(ctx.tree, { cancellation_reason: S.str({ enum: ['abandoned', 'duplicate', 'requested_by_customer'] }) });
  const si = requireObject(ctx.em, 'setup_intent', 'setupintent', id, 'intent');
  return cancelSetupIntent(ctx.em, ctx, si, p.cancellation_reason ?? null);
}



export const setupIntents: Resource = {
  kind: 'setup_intent',
  routes: [
    { method: 'POST', pattern: '/v1/setup_intents', handler: siCreate },
    { method: 'GET', pattern: '/v1/setup_intents', handler: siList },
    { method: 'GET', pattern: '/v1/setup_intents/:id', handler: retrieveHandler(SETUP_INTENT, { client_secret: S.str() }) },
    { method: 'POST', pattern: '/v1/setup_intents/:id', handler: siUpdate },
    { method: 'POST', pattern: '/v1/setup_intents/:id/cancel', handler: siCancel },
  ],
};
