/** PaymentMethods (amazon_pay): create, update, attach, detach, and the checks before one is charged. */
import type Stripe from 'stripe';
import { applyChanges, type KindInfo, listParams, requireCustomer, requireObject, retrieveHandler } from '../engine/crud.js';
import type { Ctx, Emulator, ReqInfo, Resource } from '../engine/emulator.js';
import { invalid, missing } from '../engine/errors.js';
import { newId } from '../engine/ids.js';
import { paginate } from '../engine/list.js';
import { createMetadata, mergeMetadata, parseParams, S } from '../engine/params.js';
import type { Obj } from '../engine/store.js';
import { deactivateMandatesOf } from './mandates.js';
import { ADDRESS_PROPS, emptyAddress, fullAddress } from './shared.js';

export const REUSE_MESSAGE =
  'The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.';

export function buildAmazonPayMethod(em: Emulator, opts: { email?: string | null; name?: string | null; metadata?: Record<string, string> } = {}): Obj {
  const pm = {
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
  } satisfies Stripe.PaymentMethod;
  return em.insert(pm);
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

export function detachPaymentMethod(em: Emulator, req: ReqInfo, pm: Obj): Obj {
  if (!pm.customer) {
    throw invalid(`The payment method ${pm.id} is not attached to a customer so detachment is impossible.`, { code: 'payment_method_unexpected_state', param: 'payment_method' });
  }
  const customerId: string = pm.customer;
  pm.customer = null;
  em.store.meta(pm.id).detached = true;
  em.touch();
  em.emit('payment_method.detached', pm, req, { customer: customerId });
  deactivateMandatesOf(em, req, pm.id);
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


export const PAYMENT_METHOD: KindInfo = { kind: 'payment_method', what: 'PaymentMethod' };

export const paymentMethods: Resource = {
  kind: 'payment_method',
  routes: [
    { method: 'POST', pattern: '/v1/payment_methods', handler: pmCreate },
    { method: 'GET', pattern: '/v1/payment_methods', handler: pmList },
    { method: 'GET', pattern: '/v1/payment_methods/:id', handler: retrieveHandler(PAYMENT_METHOD) },
    { method: 'POST', pattern: '/v1/payment_methods/:id', handler: pmUpdate },
    { method: 'POST', pattern: '/v1/payment_methods/:id/attach', handler: pmAttach },
    { method: 'POST', pattern: '/v1/payment_methods/:id/detach', handler: pmDetach },
  ],
};
