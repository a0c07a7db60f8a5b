/** Subscriptions: create (first invoice paid at once), update, cancel, list, and renewals on the emulator clock. */
import type Stripe from 'stripe';
import { applyChanges, type KindInfo, listParams, requireCustomer, requireObject, retrieveHandler } from '../engine/crud.js';
import type { Ctx, Emulator, ReqInfo, Resource } from '../engine/emulator.js';
import { invalid } from '../engine/errors.js';
import { newId } from '../engine/ids.js';
import { paginate } from '../engine/list.js';
import { createMetadata, mergeMetadata, parseParams, type Props, S } from '../engine/params.js';
import type { Obj } from '../engine/store.js';
import { clone } from '../engine/util.js';
import { buildInvoice, lastPaymentFailure, payInvoice } from './invoices.js';
import { validatePaymentMethod } from './payment-methods.js';

export function addInterval(ts: number, interval: string, count: number): number {
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

export function planOf(price: Obj): Stripe.Plan {
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
  } satisfies Stripe.Plan;
}

/** `billing_mode` as create accepts it (Subscriptions and Checkout `subscription_data`). */
export const BILLING_MODE = S.obj({
  type: S.req(S.str({ enum: ['classic', 'flexible'] })),
  flexible: S.obj({ proration_discounts: S.str({ enum: ['included', 'itemized'] }) }),
});

/** On endive a subscription without `billing_mode` is flexible (the SDK's create params say so). */
function billingMode(p: Obj | null | undefined, now: number): Stripe.Subscription.BillingMode {
  const type: 'classic' | 'flexible' = p?.type ?? 'flexible';
  const flexible: Stripe.Subscription.BillingMode.Flexible | null = type === 'flexible' ? (p?.flexible?.proration_discounts ? { proration_discounts: p.flexible.proration_discounts } : {}) : null;
  return { flexible, type, updated_at: now };
}

export interface SubscriptionOptions {
  /** validated `billing_mode` param (omitted: flexible) */
  billingMode?: Obj | null;
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

/** The items' prices: recurring, one currency, one interval (Stripe's rule without flexible mixed intervals). */
function recurringPrices(em: Emulator, items: SubscriptionOptions['items']): Obj[] {
  const prices = items.map((it, i) => {
    const price = requireObject(em, 'price', 'price', it.price, `items[${i}][price]`);
    if (price.type !== 'recurring') {
      throw invalid(`The price specified (${price.id}) is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`, { param: `items[${i}][price]` });
    }
    return price;
  });
  if (prices.length === 0) throw invalid('Missing required param: items.', { code: 'parameter_missing', param: 'items' });
  const { currency } = prices[0];
  const { interval, interval_count: count } = prices[0].recurring;
  prices.forEach((p, i) => {
    if (p.currency !== currency) throw invalid('All prices on a subscription must have the same currency.', { param: `items[${i}][price]` });
    if (p.recurring.interval !== interval || p.recurring.interval_count !== count) {
      throw invalid('All prices on a subscription must have the same recurring interval and interval_count.', { param: `items[${i}][price]` });
    }
  });
  return prices;
}

export function createSubscriptionInternal(em: Emulator, req: ReqInfo | null, o: SubscriptionOptions): Obj {
  const customer = requireCustomer(em, o.customer);
  const prices = recurringPrices(em, o.items);
  const currency = prices[0].currency;
  const { interval, interval_count: count } = prices[0].recurring;
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
    // trial offers are not emulated: a plain trial (trial_period_days / trial_end) has no current_trial
    current_trial: null,
    current_period_end: periodEnd,
    current_period_start: now,
    discounts: [],
    metadata: createMetadata(it.metadata),
    plan: planOf(prices[i]),
    price: clone(prices[i]) as Stripe.Price,
    quantity: it.quantity ?? 1,
    subscription: id,
    tax_rates: [],
  }) satisfies Stripe.SubscriptionItem);
  const sub = {
    id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: periodEnd,
    billing_cycle_anchor_config: null,
    billing_mode: billingMode(o.billingMode, now),
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
    items: { object: 'list', data: items, has_more: false, url: `/v1/subscription_items?subscription=${id}` },
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
  } satisfies Stripe.Subscription;
  // error_if_incomplete: decide before creating anything, so a failure leaves no subscription behind
  if (o.paymentBehavior === 'error_if_incomplete' && !trialEnd && collection === 'charge_automatically') {
    if (!pmId) {
      throw invalid('This customer has no attached payment source or default payment method. Please consider adding a default payment method.', { code: 'resource_missing', param: 'default_payment_method' });
    }
  }
  const obj = em.insert(sub);
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

export function endSubscription(em: Emulator, req: ReqInfo | null, sub: Obj, at: number, reason: string, details?: Obj): void {
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
  billing_mode: BILLING_MODE,
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
    billingMode: p.billing_mode,
  });
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


const SUBSCRIPTION: KindInfo = { kind: 'subscription' };

export const subscriptions: Resource = {
  kind: 'subscription',
  routes: [
    { method: 'POST', pattern: '/v1/subscriptions', handler: subCreate },
    { method: 'GET', pattern: '/v1/subscriptions', handler: subList },
    { method: 'GET', pattern: '/v1/subscriptions/:id', handler: retrieveHandler(SUBSCRIPTION) },
    { method: 'POST', pattern: '/v1/subscriptions/:id', handler: subUpdate },
    { method: 'DELETE', pattern: '/v1/subscriptions/:id', handler: subCancel },
  ],
  onClock: renewDueSubscriptions,
};
