/** Customers: create, retrieve, update, delete, list, search, and their payment methods. */
import type Stripe from 'stripe';
import { applyChanges, listHandler, listParams, matchFields, requireCustomer, searchHandler } from '../engine/crud.js';
import type { Ctx, Emulator, Resource } from '../engine/emulator.js';
import { invalid, missing } from '../engine/errors.js';
import { hexString, newId } from '../engine/ids.js';
import { paginate } from '../engine/list.js';
import { createMetadata, mergeMetadata, parseParams, type Props, S } from '../engine/params.js';
import type { Obj } from '../engine/store.js';
import { attachPaymentMethod } from './payment-methods.js';
import { ADDRESS_PROPS, fullAddress } from './shared.js';
import { cancelSubscriptionsOfCustomer } from './subscriptions.js';

const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

const SHIPPING = S.obj({ address: S.req(S.obj(ADDRESS_PROPS)), name: S.req(S.str()), phone: S.str() });

const COMMON: Props = {
  address: S.obj(ADDRESS_PROPS),
  balance: S.int(),
  business_name: S.str(),
  cash_balance: S.any(),
  description: S.str({ max: 350 }),
  email: S.str({ max: 512 }),
  individual_name: S.str(),
  invoice_prefix: S.str(),
  invoice_settings: S.obj({ custom_fields: S.any(), default_payment_method: S.str(), footer: S.str(), rendering_options: S.any() }),
  metadata: S.meta(),
  name: S.str({ max: 256 }),
  next_invoice_sequence: S.int({ min: 1 }),
  phone: S.str({ max: 20 }),
  preferred_locales: S.arr(S.str()),
  shipping: SHIPPING,
  source: S.any(),
  tax: S.any(),
  tax_exempt: S.str({ enum: ['none', 'exempt', 'reverse'] }),
  validate: S.bool(),
};

const CREATE: Props = { ...COMMON, payment_method: S.str(), tax_id_data: S.any(), test_clock: S.str() };

const UPDATE: Props = { ...COMMON, default_source: S.str() };

function checkEmail(email: string | null | undefined): void {
  if (email && !EMAIL_RE.test(email)) throw invalid(`Invalid email address: ${email}`, { code: 'email_invalid', param: 'email' });
}

function shipping(s: Obj | null | undefined): Stripe.Customer.Shipping | null {
  if (!s) return null;
  return { address: fullAddress(s.address)!, name: s.name, phone: s.phone ?? null } as Stripe.Customer.Shipping;
}

function checkDefaultPm(em: Emulator, customerId: string, pm: string | null | undefined): void {
  if (!pm) return;
  const o = em.getKind('payment_method', pm);
  if (!o || o.customer !== customerId) {
    throw invalid(
      `The customer does not have a payment method with the ID ${pm}. The payment method must be attached to the customer.`,
      { code: 'resource_missing', param: 'invoice_settings[default_payment_method]' },
    );
  }
}

/** Store a new customer from validated create params (no event). */
export function buildCustomer(em: Emulator, p: Obj): Obj {
  const id = newId('cus');
  const c = {
    id,
    object: 'customer',
    address: fullAddress(p.address),
    balance: p.balance ?? 0,
    created: em.now(),
    currency: null,
    customer_account: null,
    default_source: null,
    delinquent: false,
    description: p.description ?? null,
    discount: null,
    email: p.email ?? null,
    invoice_prefix: p.invoice_prefix ?? hexString(4).toUpperCase(),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: p.invoice_settings?.footer ?? null,
      rendering_options: null,
    },
    livemode: false,
    metadata: createMetadata(p.metadata),
    name: p.name ?? null,
    next_invoice_sequence: p.next_invoice_sequence ?? 1,
    phone: p.phone ?? null,
    preferred_locales: p.preferred_locales ?? [],
    shipping: shipping(p.shipping),
    tax_exempt: p.tax_exempt ?? 'none',
    test_clock: null,
    // optional in the SDK type: present only once set
    ...(p.business_name ? { business_name: p.business_name as string } : {}),
    ...(p.individual_name ? { individual_name: p.individual_name as string } : {}),
  } satisfies Stripe.Customer;
  return em.insert(c);
}

function create(ctx: Ctx): Obj {
  const { em } = ctx;
  const p = parseParams(ctx.tree, CREATE);
  checkEmail(p.email);
  const obj = buildCustomer(em, p);
  const id: string = obj.id;
  em.emit('customer.created', obj, ctx);
  if (p.payment_method) attachPaymentMethod(em, ctx, p.payment_method, id, 'payment_method');
  if (p.invoice_settings?.default_payment_method) {
    checkDefaultPm(em, id, p.invoice_settings.default_payment_method);
    obj.invoice_settings.default_payment_method = p.invoice_settings.default_payment_method;
  }
  return obj;
}

function retrieve(ctx: Ctx, id: string): Obj {
  parseParams(ctx.tree, {});
  const o = ctx.em.get(id);
  if (!o || o.object !== 'customer') throw missing('customer', id);
  return o; // deleted customers read as { id, object, deleted: true }
}

function update(ctx: Ctx, id: string): Obj {
  const { em } = ctx;
  const p = parseParams(ctx.tree, UPDATE);
  const c = requireCustomer(em, id, 'id');
  checkEmail(p.email);
  const changes: Obj = {};
  for (const k of ['description', 'email', 'name', 'phone', 'balance', 'invoice_prefix', 'next_invoice_sequence', 'tax_exempt', 'business_name', 'individual_name']) {
    if (k in p) changes[k] = p[k] ?? null;
  }
  if ('balance' in p) changes.balance = p.balance ?? 0;
  if ('tax_exempt' in p) changes.tax_exempt = p.tax_exempt ?? 'none';
  if ('address' in p) changes.address = p.address ? { ...(c.address ?? {}), ...fullAddress({ ...(c.address ?? {}), ...p.address }) } : null;
  if ('shipping' in p) changes.shipping = shipping(p.shipping);
  if ('preferred_locales' in p) changes.preferred_locales = p.preferred_locales ?? [];
  if ('metadata' in p) changes.metadata = mergeMetadata(c.metadata, p.metadata);
  if ('invoice_settings' in p) {
    const is = p.invoice_settings ?? {};
    const next = { ...c.invoice_settings };
    if ('default_payment_method' in is) {
      checkDefaultPm(em, id, is.default_payment_method);
      next.default_payment_method = is.default_payment_method ?? null;
    }
    if ('footer' in is) next.footer = is.footer ?? null;
    changes.invoice_settings = next;
  }
  applyChanges(em, ctx, c, changes, 'customer.updated');
  return c;
}

function del(ctx: Ctx, id: string): Obj {
  const { em } = ctx;
  parseParams(ctx.tree, {});
  const c = requireCustomer(em, id, 'id');
  cancelSubscriptionsOfCustomer(em, ctx, id);
  const stub = em.markDeleted(c);
  em.emit('customer.deleted', c, ctx);
  return stub;
}

const list = listHandler({ kind: 'customer' }, '/v1/customers', { email: S.str({ max: 512 }), test_clock: S.str() }, matchFields('email'));

const search = searchHandler({ kind: 'customer' }, '/v1/customers/search', ['email', 'name', 'phone', 'metadata', 'created', 'description']);

function listPaymentMethods(ctx: Ctx, id: string): Obj {
  const { em } = ctx;
  const p = listParams(ctx, { type: S.str(), allow_redisplay: S.str({ enum: ['always', 'limited', 'unspecified'] }) });
  requireCustomer(em, id, 'customer');
  return paginate(
    em,
    'payment_method',
    `/v1/customers/${id}/payment_methods`,
    p,
    (o) => o.customer === id && (!p.type || o.type === p.type) && (!p.allow_redisplay || o.allow_redisplay === p.allow_redisplay),
    'payment_method',
  );
}

function retrievePaymentMethod(ctx: Ctx, id: string, pm: string): Obj {
  const { em } = ctx;
  parseParams(ctx.tree, {});
  requireCustomer(em, id, 'customer');
  const o = em.getKind('payment_method', pm);
  if (!o || o.customer !== id) throw missing('PaymentMethod', pm, 'payment_method');
  return o;
}


export const customers: Resource = {
  kind: 'customer',
  routes: [
    // 'search' must win over ':id'
    { method: 'GET', pattern: '/v1/customers/search', handler: search },
    { method: 'POST', pattern: '/v1/customers', handler: create },
    { method: 'GET', pattern: '/v1/customers', handler: list },
    { method: 'GET', pattern: '/v1/customers/:id', handler: retrieve },
    { method: 'POST', pattern: '/v1/customers/:id', handler: update },
    { method: 'DELETE', pattern: '/v1/customers/:id', handler: del },
    { method: 'GET', pattern: '/v1/customers/:id/payment_methods', handler: listPaymentMethods },
    { method: 'GET', pattern: '/v1/customers/:id/payment_methods/:pm', handler: retrievePaymentMethod },
  ],
};
