/** Products, Prices, Subscriptions, Invoices (+ invoice payments) and clock-driven renewals. */
import type Stripe from 'stripe';
import type { Emulator, ReqInfo } from '../core.js';
import { invalid, missing } from '../errors.js';
import { paginate, parseLimit } from '../list.js';
import { createMetadata, mergeMetadata, parseParams, S, type Props } from '../params.js';
import type { Ctx, Route } from '../server.js';
import type { Obj } from '../store.js';
import { clone, formatAmount, newId } from '../util.js';
import { applyChanges, checkCurrency, listParams, requireCustomer, requireObject } from './common.js';
import { chargeInternal, paymentFailedError, validatePaymentMethod } from './payments.js';

// ------------------------------------------------------------------ Products

function buildProduct(em: Emulator, p: Obj): Obj {
  const now = em.now();
  const prod: Stripe.Product = {
    id: p.id ?? newId('prod'),
    object: 'product',
    active: p.active ?? true,
    created: now,
    default_price: null,
    description: p.description ?? null,
    images: p.images ?? [],
    livemode: false,
    marketing_features: (p.marketing_features ?? []).map((f: Obj) => ({ name: f.name })),
    metadata: createMetadata(p.metadata),
    name: p.name,
    package_dimensions: null,
    shippable: p.shippable ?? null,
    statement_descriptor: p.statement_descriptor ?? null,
    tax_code: p.tax_code ?? null,
    tax_details: null,
    type: 'service',
    unit_label: p.unit_label ?? null,
    updated: now,
    url: p.url ?? null,
  };
  return em.insert(prod as Obj);
}

const PRODUCT_COMMON: Props = {
  active: S.bool(),
  description: S.str(),
  images: S.arr(S.str(), 8),
  marketing_features: S.arr(S.obj({ name: S.req(S.str()) })),
  metadata: S.meta(),
  package_dimensions: S.any(),
  shippable: S.bool(),
  statement_descriptor: S.str({ max: 22 }),
  tax_code: S.str(),
  tax_details: S.any(),
  unit_label: S.str(),
  url: S.str(),
};

const RECURRING = S.obj({
  interval: S.req(S.str({ enum: ['day', 'week', 'month', 'year'] })),
  interval_count: S.int({ min: 1 }),
  meter: S.str(),
  trial_period_days: S.int(),
  usage_type: S.str({ enum: ['licensed', 'metered'] }),
});

function productCreate(ctx: Ctx): Obj {
  const { em } = ctx;
  const p = parseParams(ctx.tree, {
    ...PRODUCT_COMMON,
    name: S.req(S.str()),
    id: S.str(),
    type: S.str({ enum: ['good', 'service'] }),
    default_price_data: S.obj({
      currency: S.req(S.str()),
      currency_options: S.any(),
      custom_unit_amount: S.any(),
      metadata: S.meta(),
      recurring: RECURRING,
      tax_behavior: S.str({ enum: ['exclusive', 'inclusive', 'unspecified'] }),
      unit_amount: S.int({ min: 0 }),
      unit_amount_decimal: S.str(),
    }),
  });
  if (p.id && em.store.objects.has(p.id)) throw invalid(`Product already exists.`, { code: 'resource_already_exists', param: 'id' });
  const prod = buildProduct(em, p);
  em.emit('product.created', prod, ctx);
  if (p.default_price_data) {
    const price = createPriceInternal(em, ctx, { ...p.default_price_data, product: prod.id }, 'default_price_data', true);
    prod.default_price = price.id;
  }
  return prod;
}

function productUpdate(ctx: Ctx, id: string): Obj {
  const { em } = ctx;
  const p = parseParams(ctx.tree, { ...PRODUCT_COMMON, name: S.str(), default_price: S.str() });
  const prod = requireObject(em, 'product', 'product', id);
  const changes: Obj = {};
  for (const k of ['active', 'description', 'name', 'shippable', 'statement_descriptor', 'tax_code', 'unit_label', 'url', 'images']) {
    if (k in p) changes[k] = p[k] ?? (k === 'images' ? [] : null);
  }
  if ('metadata' in p) changes.metadata = mergeMetadata(prod.metadata, p.metadata);
  if ('default_price' in p) {
    if (p.default_price) {
      const price = requireObject(em, 'price', 'price', p.default_price, 'default_price');
      if (price.product !== prod.id) throw invalid('The default price must belong to this product.', { param: 'default_price' });
    }
    changes.default_price = p.default_price ?? null;
  }
  const prev = applyChanges(em, ctx, prod, changes);
  if (Object.keys(prev).length) {
    prod.updated = em.now();
    em.emit('product.updated', prod, ctx, prev);
  }
  return prod;
}

function productDelete(ctx: Ctx, id: string): Obj {
  const { em } = ctx;
  parseParams(ctx.tree, {});
  const prod = requireObject(em, 'product', 'product', id);
  const hasPrices = (em.store.lists.get('price') ?? []).some((pid) => em.store.objects.get(pid)!.product === id);
  if (hasPrices) throw invalid('This product cannot be deleted because it has one or more user-created prices.', { param: 'id' });
  const stub = em.markDeleted(prod);
  em.emit('product.deleted', prod, ctx);
  return stub;
}

function productList(ctx: Ctx): Obj {
  const p = listParams(ctx, { active: S.bool(), ids: S.arr(S.str()), shippable: S.bool(), type: S.str(), url: S.str() });
  return paginate(
    ctx.em,
    'product',
    '/v1/products',
    p,
    (o) => (p.active === undefined || p.active === null || o.active === p.active) && (!p.ids || p.ids.includes(o.id)),
    'product',
  );
}

// ------------------------------------------------------------------ Prices

export function createPriceInternal(em: Emulator, req: ReqInfo, p: Obj, paramPrefix: string, emit: boolean): Obj {
  const pre = (k: string) => (paramPrefix ? `${paramPrefix}[${k}]` : k);
  const currency = checkCurrency(p.currency, pre('currency'));
  let productId: string;
  if (p.product) {
    productId = requireObject(em, 'product', 'product', p.product, pre('product')).id;
  } else if (p.product_data) {
    const prod = buildProduct(em, p.product_data);
    if (emit) em.emit('product.created', prod, req);
    productId = prod.id;
  } else {
    throw invalid('You must specify either `product` or `product_data` when creating a price.', { code: 'parameter_missing', param: pre('product') });
  }
  let unit: number | null = p.unit_amount ?? null;
  if (unit === null && p.unit_amount_decimal) unit = Math.round(Number(p.unit_amount_decimal));
  if (unit === null && !p.custom_unit_amount) throw invalid('Missing required param: unit_amount.', { code: 'parameter_missing', param: pre('unit_amount') });
  const price: Stripe.Price = {
    id: newId('price'),
    object: 'price',
    active: p.active ?? true,
    billing_scheme: 'per_unit',
    created: em.now(),
    currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: p.lookup_key ?? null,
    metadata: createMetadata(p.metadata),
    nickname: p.nickname ?? null,
    product: productId,
    recurring: p.recurring
      ? {
          interval: p.recurring.interval,
          interval_count: p.recurring.interval_count ?? 1,
          meter: null,
          trial_period_days: p.recurring.trial_period_days ?? null,
          usage_type: p.recurring.usage_type ?? 'licensed',
        }
      : null,
    tax_behavior: p.tax_behavior ?? 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: p.recurring ? 'recurring' : 'one_time',
    unit_amount: unit,
    unit_amount_decimal: (unit === null ? null : String(unit)) as unknown as Stripe.Price['unit_amount_decimal'],
  };
  em.insert(price as Obj);
  if (emit) em.emit('price.created', price as Obj, req);
  return price as Obj;
}

function priceCreate(ctx: Ctx): Obj {
  const p = parseParams(ctx.tree, {
    currency: S.req(S.str()),
    active: S.bool(),
    billing_scheme: S.str({ enum: ['per_unit'] }),
    currency_options: S.any(),
    custom_unit_amount: S.any(),
    lookup_key: S.str({ max: 200 }),
    metadata: S.meta(),
    nickname: S.str(),
    product: S.str(),
    product_data: S.obj({
      name: S.req(S.str()),
      active: S.bool(),
      id: S.str(),
      metadata: S.meta(),
      statement_descriptor: S.str(),
      tax_code: S.str(),
      tax_details: S.any(),
      unit_label: S.str(),
    }),
    recurring: RECURRING,
    tax_behavior: S.str({ enum: ['exclusive', 'inclusive', 'unspecified'] }),
    tiers: S.any(),
    tiers_mode: S.any(),
    transfer_lookup_key: S.bool(),
    transform_quantity: S.any(),
    unit_amount: S.int({ min: 0 }),
    unit_amount_decimal: S.str(),
  });
  if (p.product && p.product_data) throw invalid('You may only specify one of these parameters: product, product_data.', { code: 'parameters_exclusive', param: 'product_data' });
  if (p.lookup_key) {
    const clash = (ctx.em.store.lists.get('price') ?? []).map((id) => ctx.em.store.objects.get(id)!).find((o) => o.lookup_key === p.lookup_key);
    if (clash) {
      if (!p.transfer_lookup_key) throw invalid(`A price (\`${clash.id}\`) already uses that lookup key.`, { param: 'lookup_key' });
      clash.lookup_key = null;
    }
  }
  return createPriceInternal(ctx.em, ctx, p, '', true);
}

function priceUpdate(ctx: Ctx, id: string): Obj {
  const { em } = ctx;
  const p = parseParams(ctx.tree, { active: S.bool(), currency_options: S.any(), lookup_key: S.str(), metadata: S.meta(), nickname: S.str(), tax_behavior: S.str(), transfer_lookup_key: S.bool() });
  const price = requireObject(em, 'price', 'price', id);
  const changes: Obj = {};
  for (const k of ['active', 'lookup_key', 'nickname', 'tax_behavior']) if (k in p) changes[k] = p[k] ?? null;
  if ('metadata' in p) changes.metadata = mergeMetadata(price.metadata, p.metadata);
  applyChanges(em, ctx, price, changes, 'price.updated');
  return price;
}

function priceList(ctx: Ctx): Obj {
  const p = listParams(ctx, {
    active: S.bool(),
    currency: S.str(),
    lookup_keys: S.arr(S.str()),
    product: S.str(),
    recurring: S.obj({ interval: S.str(), meter: S.str(), usage_type: S.str() }),
    type: S.str({ enum: ['one_time', 'recurring'] }),
  });
  return paginate(
    ctx.em,
    'price',
    '/v1/prices',
    p,
    (o) =>
      (p.active === undefined || p.active === null || o.active === p.active) &&
      (!p.currency || o.currency === p.currency) &&
      (!p.product || o.product === p.product) &&
      (!p.type || o.type === p.type) &&
      (!p.lookup_keys || p.lookup_keys.includes(o.lookup_key)) &&
      (!p.recurring?.interval || o.recurring?.interval === p.recurring.interval),
    'price',
  );
}

// ------------------------------------------------------------------ time helpers

function addInterval(ts: number, interval: string, count: number): number {
  const d = new Date(ts * 1000);
  switch (interval) {
    case 'day':
      return ts + 86400 * count;
    case 'week':
      return ts + 7 * 86400 * count;
    case 'month': {
      const day = d.getUTCDate();
      const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + count, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()));
      const last = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 0)).getUTCDate();
      t.setUTCDate(Math.min(day, last));
      return Math.floor(t.getTime() / 1000);
    }
    default: {
      const t = new Date(d.getTime());
      t.setUTCFullYear(d.getUTCFullYear() + count);
      return Math.floor(t.getTime() / 1000);
    }
  }
}

function planOf(price: Obj): Obj {
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: 'per_unit',
    created: price.created,
    currency: price.currency,
    interval: price.recurring.interval,
    interval_count: price.recurring.interval_count,
    livemode: false,
    metadata: price.metadata,
    meter: null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}

// ------------------------------------------------------------------ Invoices

function buildInvoice(em: Emulator, sub: Obj, reason: string, periodStart: number, periodEnd: number, linePeriod: { start: number; end: number }, amountOverride?: number): Obj {
  const customer = em.store.objects.get(sub.customer)!;
  const id = newId('in');
  const lines = sub.items.data.map((item: Obj) => {
    const amount = amountOverride === 0 ? 0 : (item.price.unit_amount ?? 0) * item.quantity;
    const product = em.store.objects.get(item.price.product);
    return {
      id: newId('il'),
      object: 'line_item',
      amount,
      currency: sub.currency,
      description: `${item.quantity} × ${product?.name ?? 'Product'} (at ${formatAmount(item.price.unit_amount ?? 0, sub.currency)} / ${item.price.recurring.interval})`,
      discount_amounts: [],
      discountable: true,
      discounts: [],
      invoice: id,
      livemode: false,
      metadata: {},
      parent: {
        invoice_item_details: null,
        subscription_item_details: { invoice_item: null, proration: false, proration_details: { credited_items: null }, subscription: sub.id, subscription_item: item.id },
        type: 'subscription_item_details',
      },
      period: { end: linePeriod.end, start: linePeriod.start },
      pretax_credit_amounts: [],
      pricing: { price_details: { price: item.price.id, product: item.price.product }, type: 'price_details', unit_amount_decimal: item.price.unit_amount_decimal },
      quantity: item.quantity,
      subtotal: amount,
      taxes: [],
    };
  });
  const total = lines.reduce((a: number, l: Obj) => a + l.amount, 0);
  const seq = customer.next_invoice_sequence ?? 1;
  customer.next_invoice_sequence = seq + 1;
  const now = em.now();
  const inv: Stripe.Invoice = {
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Stripe emulator (test mode)',
    account_tax_ids: null,
    amount_due: total,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: total,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: reason as Stripe.Invoice.BillingReason,
    collection_method: sub.collection_method,
    created: now,
    currency: sub.currency,
    custom_fields: null,
    customer: sub.customer,
    customer_account: null,
    customer_address: customer.address ?? null,
    customer_email: customer.email ?? null,
    customer_name: customer.name ?? null,
    customer_phone: customer.phone ?? null,
    customer_shipping: customer.shipping ?? null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: sub.collection_method === 'send_invoice' ? now + 86400 * (sub.days_until_due ?? 30) : null,
    effective_at: now,
    ending_balance: 0,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: lines as unknown as Stripe.InvoiceLineItem[], has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: `${customer.invoice_prefix ?? 'EMU'}-${String(seq).padStart(4, '0')}`,
    on_behalf_of: null,
    parent: {
      quote_details: null,
      subscription_details: { metadata: clone(sub.metadata), subscription: sub.id },
      type: 'subscription_details',
    } as Stripe.Invoice.Parent,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: periodEnd,
    period_start: periodStart,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'open',
    status_transitions: { finalized_at: now, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: total,
    subtotal_excluding_tax: total,
    test_clock: null,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: now,
  };
  // still listed (always null) in Stripe's example object, though the endive SDK types dropped it for `parent`
  (inv as Obj).subscription = null;
  em.insert(inv as Obj);
  em.store.meta(id).payments = [];
  return inv as Obj;
}

function markInvoicePaid(em: Emulator, req: ReqInfo | null, inv: Obj, amount: number): void {
  const prev = { status: inv.status, amount_paid: inv.amount_paid, amount_remaining: inv.amount_remaining };
  inv.status = 'paid';
  inv.amount_paid = amount;
  inv.amount_remaining = 0;
  inv.status_transitions = { ...inv.status_transitions, paid_at: em.now() };
  inv.next_payment_attempt = null;
  em.touch();
  em.emit('invoice.paid', inv, req, prev);
  em.emit('invoice.payment_succeeded', inv, req, prev);
}

/** Attempt to pay an open invoice with a payment method; returns whether it is now paid. */
function payInvoice(em: Emulator, req: ReqInfo | null, inv: Obj, pmId: string | null, offSession: boolean): boolean {
  if (inv.amount_remaining === 0) {
    markInvoicePaid(em, req, inv, 0);
    return true;
  }
  if (!pmId) {
    inv.attempted = true;
    inv.attempt_count += 1;
    em.emit('invoice.payment_failed', inv, req);
    return false;
  }
  const pi = chargeInternal(em, req, {
    amount: inv.amount_remaining,
    currency: inv.currency,
    customer: inv.customer,
    paymentMethod: pmId,
    metadata: {},
    description: inv.billing_reason === 'subscription_create' ? 'Subscription creation' : 'Subscription update',
    setupFutureUsage: null,
    captureMethod: 'automatic',
    offSession,
  });
  (em.store.meta(inv.id).payments ??= []).push(pi.id);
  inv.attempted = true;
  inv.attempt_count += 1;
  em.touch();
  if (pi.status === 'succeeded') {
    markInvoicePaid(em, req, inv, pi.amount);
    return true;
  }
  inv.next_payment_attempt = null;
  em.emit('invoice.payment_failed', inv, req);
  return false;
}

/** The 402 for an invoice whose latest payment attempt failed (undefined if it has none). */
function lastPaymentFailure(em: Emulator, inv: Obj) {
  const piId = (em.store.internal.get(inv.id)?.payments ?? []).at(-1);
  const pi = piId ? em.store.objects.get(piId) : undefined;
  return pi?.last_payment_error ? paymentFailedError(pi) : undefined;
}

export function invoicePayments(em: Emulator, inv: Obj): Obj {
  const ids: string[] = em.store.internal.get(inv.id)?.payments ?? [];
  const data = ids.map((piId, i) => invoicePaymentObject(em, inv, piId, i === ids.length - 1)).reverse();
  return { object: 'list', data, has_more: false, url: `/v1/invoice_payments?invoice=${inv.id}` };
}

function invoicePaymentObject(em: Emulator, inv: Obj, piId: string, isDefault: boolean): Obj {
  const pi = em.store.objects.get(piId)!;
  const ip: Stripe.InvoicePayment = {
    id: `inpay_${piId.slice(3)}`,
    object: 'invoice_payment',
    amount_paid: pi.status === 'succeeded' ? pi.amount_received : null,
    amount_requested: pi.amount,
    created: pi.created,
    currency: pi.currency,
    invoice: inv.id,
    is_default: isDefault,
    livemode: false,
    payment: { payment_intent: piId, type: 'payment_intent' },
    status: pi.status === 'succeeded' ? 'paid' : pi.status === 'canceled' ? 'canceled' : 'open',
    status_transitions: { canceled_at: pi.canceled_at ?? null, paid_at: pi.status === 'succeeded' ? pi.created : null },
  };
  return ip as Obj;
}

// ------------------------------------------------------------------ Subscriptions

export interface SubscriptionOptions {
  customer: string;
  items: { price: string; quantity?: number; metadata?: Record<string, string> }[];
  defaultPaymentMethod: string | null;
  metadata: Record<string, string>;
  description: string | null;
  trialPeriodDays?: number | null;
  trialEnd?: number | null;
  paymentBehavior: string;
  collectionMethod?: string;
  daysUntilDue?: number | null;
  cancelAtPeriodEnd?: boolean;
  cancelAt?: number | null;
  offSession?: boolean;
}

export function createSubscriptionInternal(em: Emulator, req: ReqInfo | null, o: SubscriptionOptions): Obj {
  const customer = requireCustomer(em, o.customer);
  const prices = o.items.map((it, i) => {
    const price = requireObject(em, 'price', 'price', it.price, `items[${i}][price]`);
    if (price.type !== 'recurring') {
      throw invalid(`The price specified (${price.id}) is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`, { param: `items[${i}][price]` });
    }
    return price;
  });
  if (prices.length === 0) throw invalid('Missing required param: items.', { code: 'parameter_missing', param: 'items' });
  const currency = prices[0].currency;
  const { interval, interval_count: count } = prices[0].recurring;
  prices.forEach((p, i) => {
    if (p.currency !== currency) throw invalid('All prices on a subscription must have the same currency.', { param: `items[${i}][price]` });
    if (p.recurring.interval !== interval || p.recurring.interval_count !== count) {
      throw invalid('All prices on a subscription must have the same recurring interval and interval_count.', { param: `items[${i}][price]` });
    }
  });
  const collection = o.collectionMethod ?? 'charge_automatically';
  const pmId = o.defaultPaymentMethod ?? customer.invoice_settings?.default_payment_method ?? null;
  if (o.defaultPaymentMethod) {
    const pm = em.getKind('payment_method', o.defaultPaymentMethod);
    if (!pm || pm.customer !== customer.id) {
      throw invalid(
        `The customer does not have a payment method with the ID ${o.defaultPaymentMethod}. The payment method must be attached to the customer.`,
        { code: 'resource_missing', param: 'default_payment_method' },
      );
    }
  }
  const now = em.now();
  const trialEnd = o.trialEnd ?? (o.trialPeriodDays ? now + o.trialPeriodDays * 86400 : null);
  const periodEnd = trialEnd ?? addInterval(now, interval, count);
  const id = newId('sub');
  const items = o.items.map((it, i) => ({
    id: newId('si'),
    object: 'subscription_item',
    billing_thresholds: null,
    created: now,
    current_period_end: periodEnd,
    current_period_start: now,
    discounts: [],
    metadata: createMetadata(it.metadata),
    plan: planOf(prices[i]),
    price: clone(prices[i]),
    quantity: it.quantity ?? 1,
    subscription: id,
    tax_rates: [],
  }));
  const sub: Stripe.Subscription = {
    id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: periodEnd,
    billing_cycle_anchor_config: null,
    billing_mode: { type: 'classic' } as Stripe.Subscription.BillingMode,
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: o.cancelAt ?? null,
    cancel_at_period_end: o.cancelAtPeriodEnd ?? false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: collection as Stripe.Subscription.CollectionMethod,
    created: now,
    currency,
    customer: customer.id,
    customer_account: null,
    days_until_due: collection === 'send_invoice' ? (o.daysUntilDue ?? 30) : null,
    default_payment_method: o.defaultPaymentMethod,
    default_source: null,
    default_tax_rates: [],
    description: o.description,
    discounts: [],
    ended_at: null,
    invoice_settings: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: { type: 'self' } },
    items: { object: 'list', data: items as unknown as Stripe.SubscriptionItem[], has_more: false, url: `/v1/subscription_items?subscription=${id}` },
    latest_invoice: null,
    livemode: false,
    managed_payments: null,
    metadata: o.metadata,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: 'off' },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: now,
    status: 'incomplete',
    test_clock: null,
    transfer_data: null,
    trial_end: trialEnd,
    trial_settings: { end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'create_invoice' } },
    trial_start: trialEnd ? now : null,
  };
  // error_if_incomplete: decide before creating anything, so a failure leaves no subscription behind
  if (o.paymentBehavior === 'error_if_incomplete' && !trialEnd && collection === 'charge_automatically') {
    if (!pmId) {
      throw invalid('This customer has no attached payment source or default payment method. Please consider adding a default payment method.', { code: 'resource_missing', param: 'default_payment_method' });
    }
  }
  const obj = em.insert(sub as Obj);
  const inv = buildInvoice(em, obj, 'subscription_create', now, now, { start: now, end: periodEnd }, trialEnd ? 0 : undefined);
  obj.latest_invoice = inv.id;
  em.emit('invoice.created', inv, req);
  em.emit('invoice.finalized', inv, req);
  let paid = false;
  if (collection === 'charge_automatically') {
    if (o.paymentBehavior === 'default_incomplete' && inv.amount_remaining > 0) paid = false;
    else paid = payInvoice(em, req, inv, pmId, o.offSession ?? true);
  }
  obj.status = trialEnd ? 'trialing' : paid || collection === 'send_invoice' ? 'active' : 'incomplete';
  em.emit('customer.subscription.created', obj, req);
  if (!paid && o.paymentBehavior === 'error_if_incomplete' && collection === 'charge_automatically' && !trialEnd) {
    obj.status = 'incomplete_expired';
    const failure = lastPaymentFailure(em, inv);
    if (failure) throw failure;
  }
  return obj;
}

function subscriptionPreviousPeriod(sub: Obj): Obj {
  return { items: clone(sub.items), status: sub.status, latest_invoice: sub.latest_invoice };
}

function endSubscription(em: Emulator, req: ReqInfo | null, sub: Obj, at: number, reason: string, details?: Obj): void {
  const prev = { status: sub.status, canceled_at: sub.canceled_at, ended_at: sub.ended_at };
  sub.status = 'canceled';
  sub.canceled_at = sub.canceled_at ?? at;
  sub.ended_at = at;
  sub.cancellation_details = { comment: details?.comment ?? null, feedback: details?.feedback ?? null, feedback_option: null, reason };
  em.touch();
  em.emit('customer.subscription.deleted', sub, req, prev);
}

export function cancelSubscriptionsOfCustomer(em: Emulator, req: ReqInfo | null, customerId: string): void {
  for (const id of em.store.lists.get('subscription') ?? []) {
    const s = em.store.objects.get(id)!;
    if (s.customer === customerId && s.status !== 'canceled' && s.status !== 'incomplete_expired') endSubscription(em, req, s, em.now(), 'cancellation_requested');
  }
}

/** Bill every subscription whose period ended on the emulator clock (called after advanceClock). */
export function renewDueSubscriptions(em: Emulator): void {
  const now = em.now();
  for (const id of em.store.lists.get('subscription') ?? []) {
    const sub = em.store.objects.get(id)!;
    for (let guard = 0; guard < 1000; guard++) {
      if (!['active', 'past_due', 'trialing', 'unpaid'].includes(sub.status)) break;
      const item0 = sub.items.data[0];
      const end: number = item0.current_period_end;
      if (end > now) break;
      if (sub.cancel_at_period_end || (sub.cancel_at && sub.cancel_at <= end)) {
        endSubscription(em, null, sub, sub.cancel_at && sub.cancel_at <= end ? sub.cancel_at : end, 'cancellation_requested');
        break;
      }
      const prev = subscriptionPreviousPeriod(sub);
      const start: number = item0.current_period_start;
      const { interval, interval_count: count } = item0.price.recurring;
      const nextEnd = addInterval(end, interval, count);
      for (const it of sub.items.data) {
        it.current_period_start = end;
        it.current_period_end = nextEnd;
      }
      const wasTrial = sub.status === 'trialing';
      const inv = buildInvoice(em, sub, 'subscription_cycle', start, end, { start: end, end: nextEnd });
      sub.latest_invoice = inv.id;
      em.emit('invoice.created', inv, null);
      em.emit('invoice.finalized', inv, null);
      if (sub.collection_method === 'charge_automatically') {
        const customer = em.store.objects.get(sub.customer);
        const pm = sub.default_payment_method ?? customer?.invoice_settings?.default_payment_method ?? null;
        sub.status = payInvoice(em, null, inv, pm, true) ? 'active' : 'past_due';
      } else if (wasTrial) sub.status = 'active';
      em.touch();
      em.emit('customer.subscription.updated', sub, null, prev);
    }
  }
}

const SUB_CREATE: Props = {
  customer: S.req(S.str()),
  items: S.req(S.arr(S.obj({ price: S.str(), price_data: S.any(), quantity: S.int({ min: 1 }), metadata: S.meta(), discounts: S.any(), tax_rates: S.any(), billing_thresholds: S.any(), plan: S.str() }))),
  add_invoice_items: S.any(),
  application_fee_percent: S.any(),
  automatic_tax: S.any(),
  backdate_start_date: S.int(),
  billing_cycle_anchor: S.int(),
  billing_cycle_anchor_config: S.any(),
  billing_mode: S.any(),
  billing_schedules: S.any(),
  billing_thresholds: S.any(),
  cancel_at: S.int(),
  cancel_at_period_end: S.bool(),
  collection_method: S.str({ enum: ['charge_automatically', 'send_invoice'] }),
  currency: S.str(),
  customer_account: S.str(),
  days_until_due: S.int(),
  default_payment_method: S.str(),
  default_source: S.str(),
  default_tax_rates: S.any(),
  description: S.str(),
  discounts: S.any(),
  invoice_settings: S.any(),
  metadata: S.meta(),
  off_session: S.bool(),
  on_behalf_of: S.str(),
  payment_behavior: S.str({ enum: ['allow_incomplete', 'default_incomplete', 'error_if_incomplete', 'pending_if_incomplete'] }),
  payment_settings: S.any(),
  pending_invoice_item_interval: S.any(),
  proration_behavior: S.str(),
  transfer_data: S.any(),
  trial_end: S.any(),
  trial_from_plan: S.bool(),
  trial_period_days: S.int({ min: 0 }),
  trial_settings: S.any(),
};

function subCreate(ctx: Ctx): Obj {
  const p = parseParams(ctx.tree, SUB_CREATE);
  let trialEnd: number | null = null;
  if (typeof p.trial_end === 'string' && p.trial_end !== 'now') {
    if (!/^\d+$/.test(p.trial_end)) throw invalid('Invalid trial_end: must be an integer timestamp or `now`.', { param: 'trial_end' });
    trialEnd = Number(p.trial_end);
  }
  p.items.forEach((it: Obj, i: number) => {
    if (!it.price && !it.plan) throw invalid(`Missing required param: items[${i}][price].`, { code: 'parameter_missing', param: `items[${i}][price]` });
  });
  return createSubscriptionInternal(ctx.em, ctx, {
    customer: p.customer,
    items: p.items.map((it: Obj) => ({ price: it.price ?? it.plan, quantity: it.quantity, metadata: it.metadata })),
    defaultPaymentMethod: p.default_payment_method ?? null,
    metadata: createMetadata(p.metadata),
    description: p.description ?? null,
    trialPeriodDays: p.trial_period_days ?? null,
    trialEnd,
    paymentBehavior: p.payment_behavior ?? 'allow_incomplete',
    collectionMethod: p.collection_method,
    daysUntilDue: p.days_until_due,
    cancelAtPeriodEnd: p.cancel_at_period_end ?? false,
    cancelAt: p.cancel_at ?? null,
    offSession: p.off_session ?? true,
  });
}

function subRetrieve(ctx: Ctx, id: string): Obj {
  parseParams(ctx.tree, {});
  return requireObject(ctx.em, 'subscription', 'subscription', id);
}

function subUpdate(ctx: Ctx, id: string): Obj {
  const { em } = ctx;
  const p = parseParams(ctx.tree, {
    metadata: S.meta(),
    description: S.str(),
    cancel_at_period_end: S.bool(),
    cancel_at: S.int(),
    cancellation_details: S.obj({ comment: S.str(), feedback: S.str() }),
    default_payment_method: S.str(),
    off_session: S.bool(),
    payment_behavior: S.str(),
    proration_behavior: S.str(),
    items: S.any(),
  });
  const sub = requireObject(em, 'subscription', 'subscription', id);
  if ('items' in p) throw invalid('The emulator does not support changing subscription items; cancel and create a new subscription instead.', { param: 'items' });
  if (sub.status === 'canceled' && Object.keys(p).some((k) => !['metadata', 'cancellation_details', 'expand'].includes(k))) {
    throw invalid('A canceled subscription can only update its cancellation_details and metadata.', { param: 'id' });
  }
  const changes: Obj = {};
  if ('metadata' in p) changes.metadata = mergeMetadata(sub.metadata, p.metadata);
  if ('description' in p) changes.description = p.description ?? null;
  if ('cancel_at_period_end' in p) changes.cancel_at_period_end = p.cancel_at_period_end ?? false;
  if ('cancel_at' in p) changes.cancel_at = p.cancel_at ?? null;
  if ('cancellation_details' in p) changes.cancellation_details = { ...sub.cancellation_details, ...(p.cancellation_details ?? {}) };
  if ('default_payment_method' in p) {
    if (p.default_payment_method) validatePaymentMethod(em, p.default_payment_method, sub.customer, null, 'default_payment_method');
    changes.default_payment_method = p.default_payment_method ?? null;
  }
  applyChanges(em, ctx, sub, changes, 'customer.subscription.updated');
  return sub;
}

function subCancel(ctx: Ctx, id: string): Obj {
  const p = parseParams(ctx.tree, { cancellation_details: S.obj({ comment: S.str(), feedback: S.str() }), invoice_now: S.bool(), prorate: S.bool() });
  const sub = requireObject(ctx.em, 'subscription', 'subscription', id);
  if (sub.status === 'canceled') throw invalid(`This subscription (${id}) has already been canceled.`, { code: 'resource_missing', param: 'id' });
  endSubscription(ctx.em, ctx, sub, ctx.em.now(), 'cancellation_requested', p.cancellation_details ?? undefined);
  return sub;
}

function subList(ctx: Ctx): Obj {
  const p = listParams(ctx, {
    customer: S.str(),
    customer_account: S.str(),
    price: S.str(),
    plan: S.str(),
    status: S.str({ enum: ['active', 'all', 'canceled', 'ended', 'incomplete', 'incomplete_expired', 'past_due', 'paused', 'trialing', 'unpaid'] }),
    collection_method: S.str(),
    automatic_tax: S.any(),
    current_period_end: S.range(),
    current_period_start: S.range(),
    test_clock: S.str(),
  });
  const status = p.status;
  return paginate(
    ctx.em,
    'subscription',
    '/v1/subscriptions',
    p,
    (o) =>
      (!p.customer || o.customer === p.customer) &&
      (!(p.price ?? p.plan) || o.items.data.some((it: Obj) => it.price.id === (p.price ?? p.plan))) &&
      (!p.collection_method || o.collection_method === p.collection_method) &&
      (status === 'all' ? true : status === 'ended' ? ['canceled', 'incomplete_expired'].includes(o.status) : status ? o.status === status : o.status !== 'canceled'),
    'subscription',
  );
}

// ------------------------------------------------------------------ Invoice handlers

function invoiceRetrieve(ctx: Ctx, id: string): Obj {
  parseParams(ctx.tree, {});
  return requireObject(ctx.em, 'invoice', 'invoice', id, 'invoice');
}

function invoiceList(ctx: Ctx): Obj {
  const p = listParams(ctx, { customer: S.str(), subscription: S.str(), status: S.str(), collection_method: S.str(), due_date: S.range(), customer_account: S.str() });
  return paginate(
    ctx.em,
    'invoice',
    '/v1/invoices',
    p,
    (o) => (!p.customer || o.customer === p.customer) && (!p.subscription || o.parent?.subscription_details?.subscription === p.subscription) && (!p.status || o.status === p.status),
    'invoice',
  );
}

function invoiceLines(ctx: Ctx, id: string): Obj {
  listParams(ctx, {});
  const inv = requireObject(ctx.em, 'invoice', 'invoice', id, 'invoice');
  return inv.lines;
}

function invoicePay(ctx: Ctx, id: string): Obj {
  const { em } = ctx;
  const p = parseParams(ctx.tree, { payment_method: S.str(), off_session: S.bool(), forgive: S.bool(), mandate: S.str(), paid_out_of_band: S.bool(), source: S.str() });
  const inv = requireObject(em, 'invoice', 'invoice', id, 'invoice');
  if (inv.status !== 'open') throw invalid(`Invoice is already ${inv.status}.`, { code: 'invoice_not_editable', param: 'invoice' });
  if (p.paid_out_of_band) {
    markInvoicePaid(em, ctx, inv, 0);
  } else {
    const sub = inv.parent?.subscription_details?.subscription ? em.store.objects.get(inv.parent.subscription_details.subscription) : undefined;
    const customer = em.store.objects.get(inv.customer);
    const pmId = p.payment_method ?? sub?.default_payment_method ?? customer?.invoice_settings?.default_payment_method ?? null;
    if (!pmId) throw invalid('This invoice cannot be paid because the customer has no default payment method.', { code: 'invoice_no_payment_method_types', param: 'payment_method' });
    const pm = validatePaymentMethod(em, pmId, inv.customer, null);
    const ok = payInvoice(em, ctx, inv, pm.id, p.off_session ?? true);
    if (sub && ok && ['incomplete', 'past_due', 'unpaid'].includes(sub.status)) {
      const prev = { status: sub.status };
      sub.status = 'active';
      em.emit('customer.subscription.updated', sub, ctx, prev);
    }
    const failure = ok ? undefined : lastPaymentFailure(em, inv);
    if (failure) throw failure;
  }
  return inv;
}

function invoicePaymentList(ctx: Ctx): Obj {
  const p = listParams(ctx, { invoice: S.str(), payment: S.obj({ payment_intent: S.str(), payment_record: S.str(), type: S.str() }), status: S.str() });
  let data: Obj[] = [];
  const invoices = p.invoice ? [requireObject(ctx.em, 'invoice', 'invoice', p.invoice, 'invoice')] : (ctx.em.store.lists.get('invoice') ?? []).map((id) => ctx.em.store.objects.get(id)!).reverse();
  for (const inv of invoices) data.push(...invoicePayments(ctx.em, inv).data);
  if (p.payment?.payment_intent) data = data.filter((d) => d.payment.payment_intent === p.payment.payment_intent);
  if (p.status) data = data.filter((d) => d.status === p.status);
  const limit = parseLimit(p.limit);
  return { object: 'list', data: data.slice(0, limit), has_more: data.length > limit, url: '/v1/invoice_payments' };
}

function invoicePaymentRetrieve(ctx: Ctx, id: string): Obj {
  parseParams(ctx.tree, {});
  const piId = `pi_${id.replace(/^inpay_/, '')}`;
  for (const invId of ctx.em.store.lists.get('invoice') ?? []) {
    const ids: string[] = ctx.em.store.internal.get(invId)?.payments ?? [];
    if (ids.includes(piId)) return invoicePaymentObject(ctx.em, ctx.em.store.objects.get(invId)!, piId, ids.at(-1) === piId);
  }
  throw missing('invoice_payment', id);
}

export const billingRoutes: Route[] = [
  { method: 'POST', pattern: '/v1/products', handler: productCreate },
  { method: 'GET', pattern: '/v1/products', handler: productList },
  { method: 'GET', pattern: '/v1/products/:id', handler: (ctx, id) => (parseParams(ctx.tree, {}), requireObject(ctx.em, 'product', 'product', id)) },
  { method: 'POST', pattern: '/v1/products/:id', handler: productUpdate },
  { method: 'DELETE', pattern: '/v1/products/:id', handler: productDelete },
  { method: 'POST', pattern: '/v1/prices', handler: priceCreate },
  { method: 'GET', pattern: '/v1/prices', handler: priceList },
  { method: 'GET', pattern: '/v1/prices/:id', handler: (ctx, id) => (parseParams(ctx.tree, {}), requireObject(ctx.em, 'price', 'price', id)) },
  { method: 'POST', pattern: '/v1/prices/:id', handler: priceUpdate },
  { method: 'POST', pattern: '/v1/subscriptions', handler: subCreate },
  { method: 'GET', pattern: '/v1/subscriptions', handler: subList },
  { method: 'GET', pattern: '/v1/subscriptions/:id', handler: subRetrieve },
  { method: 'POST', pattern: '/v1/subscriptions/:id', handler: subUpdate },
  { method: 'DELETE', pattern: '/v1/subscriptions/:id', handler: subCancel },
  { method: 'GET', pattern: '/v1/invoices', handler: invoiceList },
  { method: 'GET', pattern: '/v1/invoices/:id', handler: invoiceRetrieve },
  { method: 'GET', pattern: '/v1/invoices/:id/lines', handler: invoiceLines },
  { method: 'POST', pattern: '/v1/invoices/:id/pay', handler: invoicePay },
  { method: 'GET', pattern: '/v1/invoice_payments', handler: invoicePaymentList },
  { method: 'GET', pattern: '/v1/invoice_payments/:id', handler: invoicePaymentRetrieve },
];
