/** Checkout Sessions (setup / payment / subscription): create, read, list, expire, line items. */
import type Stripe from 'stripe';
import { type KindInfo, listParams, requireCustomer, requireObject, retrieveHandler } from '../engine/crud.js';
import type { Ctx, Emulator, ReqInfo, Resource } from '../engine/emulator.js';
import { invalid } from '../engine/errors.js';
import { newId } from '../engine/ids.js';
import { paginate, parseLimit } from '../engine/list.js';
import { createMetadata, parseParams, type Props, S } from '../engine/params.js';
import type { Obj } from '../engine/store.js';
import { cancelPaymentIntentInternal } from './payment-intents.js';
import { createPriceInternal } from './prices.js';
import { buildSetupIntent, cancelSetupIntent } from './setup-intents.js';
import { checkCurrency, checkPmTypes, checkUrl, handlePaymentMethodTypes } from './shared.js';
import { BILLING_MODE } from './subscriptions.js';

const LOCALES = [
  'auto', 'bg', 'cs', 'da', 'de', 'el', 'en', 'en-GB', 'es', 'es-419', 'et', 'fi', 'fil', 'fr', 'fr-CA', 'hi-IN', 'hr', 'hu', 'id', 'it',
  'ja', 'ko', 'lt', 'lv', 'ms', 'mt', 'nb', 'nl', 'pl', 'pt', 'pt-BR', 'ro', 'ru', 'sk', 'sl', 'sv', 'th', 'tr', 'vi', 'zh', 'zh-HK', 'zh-TW',
];

const PRICE_DATA = S.obj({
  currency: S.req(S.str()),
  product: S.str(),
  product_data: S.obj({ name: S.req(S.str()), description: S.str(), images: S.arr(S.str()), metadata: S.meta(), tax_code: S.str(), unit_label: S.str() }),
  recurring: S.obj({ interval: S.req(S.str({ enum: ['day', 'week', 'month', 'year'] })), interval_count: S.int({ min: 1 }) }),
  tax_behavior: S.str(),
  unit_amount: S.int({ min: 0 }),
  unit_amount_decimal: S.str(),
});

const CREATE: Props = {
  adaptive_pricing: S.any(),
  after_expiration: S.any(),
  allow_promotion_codes: S.bool(),
  allowed_payment_method_types: S.arr(S.str()),
  automatic_tax: S.any(),
  billing_address_collection: S.str({ enum: ['auto', 'required'] }),
  branding_settings: S.any(),
  cancel_url: S.str({ max: 5000 }),
  client_reference_id: S.str({ max: 200 }),
  consent_collection: S.any(),
  currency: S.str(),
  custom_fields: S.any(),
  custom_text: S.any(),
  customer: S.str(),
  customer_account: S.str(),
  customer_creation: S.str({ enum: ['always', 'if_required'] }),
  customer_email: S.str(),
  customer_update: S.any(),
  discounts: S.any(),
  excluded_payment_method_types: S.arr(S.str()),
  expires_at: S.int(),
  integration_identifier: S.str(),
  invoice_creation: S.any(),
  line_items: S.arr(
    S.obj({
      adjustable_quantity: S.any(),
      dynamic_tax_rates: S.any(),
      metadata: S.meta(),
      price: S.str(),
      price_data: PRICE_DATA,
      quantity: S.int({ min: 0 }),
      tax_rates: S.any(),
    }),
  ),
  locale: S.str({ enum: LOCALES }),
  managed_payments: S.any(),
  metadata: S.meta(),
  mode: S.str({ enum: ['payment', 'setup', 'subscription'] }),
  name_collection: S.any(),
  optional_items: S.any(),
  origin_context: S.any(),
  automatic_payment_methods: S.any(),
  payment_intent_data: S.obj({
    application_fee_amount: S.int(),
    capture_method: S.str({ enum: ['automatic', 'automatic_async', 'manual'] }),
    description: S.str(),
    metadata: S.meta(),
    on_behalf_of: S.str(),
    receipt_email: S.str(),
    setup_future_usage: S.str({ enum: ['off_session', 'on_session'] }),
    shipping: S.any(),
    statement_descriptor: S.str(),
    statement_descriptor_suffix: S.str(),
    transfer_data: S.any(),
    transfer_group: S.str(),
  }),
  payment_method_collection: S.str({ enum: ['always', 'if_required'] }),
  payment_method_configuration: S.str(),
  payment_method_data: S.any(),
  payment_method_options: S.any(),
  permissions: S.any(),
  phone_number_collection: S.obj({ enabled: S.req(S.bool()) }),
  redirect_on_completion: S.str({ enum: ['always', 'if_required', 'never'] }),
  return_url: S.str(),
  saved_payment_method_options: S.any(),
  setup_intent_data: S.obj({ description: S.str(), metadata: S.meta(), on_behalf_of: S.str() }),
  shipping_address_collection: S.any(),
  shipping_options: S.any(),
  submit_type: S.str({ enum: ['auto', 'book', 'donate', 'pay', 'subscribe'] }),
  subscription_data: S.obj({
    application_fee_percent: S.any(),
    billing_cycle_anchor: S.int(),
    billing_mode: BILLING_MODE,
    default_tax_rates: S.any(),
    description: S.str(),
    invoice_settings: S.any(),
    metadata: S.meta(),
    on_behalf_of: S.str(),
    proration_behavior: S.str(),
    transfer_data: S.any(),
    trial_end: S.int(),
    trial_period_days: S.int({ min: 1 }),
    trial_settings: S.any(),
  }),
  success_url: S.str({ max: 5000 }),
  tax_id_collection: S.any(),
  ui_mode: S.str({ enum: ['elements', 'embedded_page', 'form', 'hosted_page'] }),
  wallet_options: S.any(),
};

/** ids of sessions that are (or were, until lazily swept) open: the sweep looks at these only */
export function openSessions(em: Emulator): Set<string> {
  return em.store.index('open_checkout_sessions');
}

export function sessionUrl(em: Emulator, id: string): string {
  return `${em.origin}/checkout/pay/${id}`;
}

/** Where the browser goes once the session is complete: `success_url` with the session id filled in. */
export function successRedirect(s: Obj): string | null {
  return s.success_url ? s.success_url.replaceAll('{CHECKOUT_SESSION_ID}', s.id) : null;
}

/** Where the browser goes after a failed attempt: `cancel_url`, or page 1 with an error notice. */
export function failRedirect(em: Emulator, s: Obj): string {
  return s.cancel_url ?? `${sessionUrl(em, s.id)}?error=failed`;
}

export interface LineItemRef {
  id: string;
  price: string;
  quantity: number;
}

interface SessionPlan {
  mode: string;
  allowed: string[] | null;
  customer: Obj | undefined;
  expiresAt: number;
}

/** The checks that need no line items: mode, ui_mode, payment method types, URLs, customer, expiry. */
function checkSessionParams(em: Emulator, p: Obj): SessionPlan {
  const mode: string = p.mode ?? 'payment';
  const uiMode: string = p.ui_mode ?? 'hosted_page';
  if (uiMode !== 'hosted_page') {
    throw invalid(`The emulator only implements ui_mode=hosted_page (got ${uiMode}).`, { param: 'ui_mode' });
  }
  if (p.allowed_payment_method_types) {
    for (const other of ['excluded_payment_method_types', 'automatic_payment_methods', 'payment_method_configuration']) {
      if (other in p) {
        throw invalid(`You may only specify one of these parameters: allowed_payment_method_types, ${other}.`, { code: 'parameters_exclusive', param: other });
      }
    }
  }
  const allowed = checkPmTypes(p.allowed_payment_method_types, 'allowed_payment_method_types');
  if (!p.success_url && p.redirect_on_completion !== 'never') throw invalid('Missing required param: success_url.', { code: 'parameter_missing', param: 'success_url' });
  if (p.success_url) checkUrl(p.success_url, 'success_url');
  if (p.cancel_url) checkUrl(p.cancel_url, 'cancel_url');
  if (p.customer && p.customer_email) {
    throw invalid('You may only specify one of these parameters: customer, customer_email.', { code: 'parameters_exclusive', param: 'customer_email' });
  }
  const customer = p.customer ? requireCustomer(em, p.customer) : undefined;
  const now = em.now();
  let expiresAt = now + 24 * 3600;
  if (p.expires_at !== undefined && p.expires_at !== null) {
    if (p.expires_at < now + 30 * 60 || p.expires_at > now + 24 * 3600) {
      throw invalid('The `expires_at` timestamp must be at least 30 minutes and at most 24 hours after Checkout Session creation.', { param: 'expires_at' });
    }
    expiresAt = p.expires_at;
  }
  return { mode, allowed, customer, expiresAt };
}

/** `line_items` (prices by id or inline `price_data`): one currency, recurring only where the mode allows. */
function collectLineItems(ctx: Ctx, p: Obj, { mode, allowed }: SessionPlan): { lineItems: LineItemRef[]; currency: string | null; total: number } {
  const { em } = ctx;
  const lineItems: LineItemRef[] = [];
  let currency: string | null = p.currency ? checkCurrency(p.currency) : null;
  let total = 0;
  if (mode === 'setup') {
    if (p.line_items) throw invalid('You cannot pass `line_items` in `setup` mode.', { param: 'line_items' });
    if (!allowed && !currency) {
      throw invalid('Missing required param: currency. `currency` is required in setup mode when `allowed_payment_method_types` is not set.', { code: 'parameter_missing', param: 'currency' });
    }
    return { lineItems, currency, total };
  }
  if (!p.line_items || p.line_items.length === 0) {
    throw invalid(`\`line_items\` is required in \`${mode}\` mode.`, { code: 'parameter_missing', param: 'line_items' });
  }
  p.line_items.forEach((li: Obj, i: number) => {
    let price: Obj;
    if (li.price) price = requireObject(em, 'price', 'price', li.price, `line_items[${i}][price]`);
    else if (li.price_data) price = createPriceInternal(em, ctx, li.price_data, `line_items[${i}][price_data]`, false);
    else throw invalid(`You must specify either \`price\` or \`price_data\` in line_items[${i}].`, { code: 'parameter_missing', param: `line_items[${i}][price]` });
    if (mode === 'payment' && price.type === 'recurring') {
      throw invalid('You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.', { param: `line_items[${i}]` });
    }
    const qty = li.quantity ?? 1;
    if (currency && price.currency !== currency) throw invalid('All prices must use the same currency.', { param: `line_items[${i}]` });
    currency = price.currency;
    total += (price.unit_amount ?? 0) * qty;
    lineItems.push({ id: newId('li'), price: price.id, quantity: qty });
  });
  if (mode === 'subscription' && !lineItems.some((l) => em.store.objects.get(l.price)?.type === 'recurring')) {
    throw invalid('You must provide at least one recurring price in `subscription` mode when using prices.', { param: 'line_items' });
  }
  return { lineItems, currency, total };
}

function create(ctx: Ctx): Obj {
  const { em } = ctx;
  const p = parseParams(handlePaymentMethodTypes(ctx), CREATE);
  const plan = checkSessionParams(em, p);
  const { mode, allowed, customer, expiresAt } = plan;
  const { lineItems, currency, total } = collectLineItems(ctx, p, plan);
  const now = em.now();
  const id = newId('cs_test');
  const types = allowed ?? ['card', 'amazon_pay'];
  const s = {
    id,
    object: 'checkout.session',
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: p.allow_promotion_codes ?? null,
    allowed_payment_method_types: allowed,
    amount_subtotal: mode === 'setup' ? null : total,
    amount_total: mode === 'setup' ? null : total,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: p.billing_address_collection ?? null,
    cancel_url: p.cancel_url ?? null,
    client_reference_id: p.client_reference_id ?? null,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: now,
    currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: customer?.id ?? null,
    customer_account: null,
    customer_creation: !customer && mode === 'payment' ? (p.customer_creation ?? 'if_required') : null,
    customer_details: null,
    customer_email: p.customer_email ?? null,
    discounts: [],
    expires_at: expiresAt,
    integration_identifier: null,
    invoice: null,
    invoice_creation:
      mode === 'payment'
        ? {
            enabled: false,
            invoice_data: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: null, metadata: {}, rendering_options: null },
          }
        : null,
    livemode: false,
    locale: (p.locale ?? null) as Stripe.Checkout.Session.Locale | null,
    managed_payments: null,
    metadata: createMetadata(p.metadata),
    mode: mode as Stripe.Checkout.Session.Mode,
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: mode === 'subscription' ? (p.payment_method_collection ?? 'always') : null,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: types,
    payment_status: mode === 'setup' ? 'no_payment_required' : 'unpaid',
    permissions: null,
    phone_number_collection: { enabled: p.phone_number_collection?.enabled ?? false },
    recovered_from: null,
    saved_payment_method_options: customer ? { allow_redisplay_filters: ['always'], payment_method_remove: null, payment_method_save: null } : null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: p.submit_type ?? null,
    subscription: null,
    success_url: p.success_url ?? null,
    total_details: mode === 'setup' ? null : { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted_page',
    url: sessionUrl(em, id),
    wallet_options: null,
  } satisfies Stripe.Checkout.Session;
  if (mode === 'setup') {
    const si = buildSetupIntent(em, {
      customer: customer?.id ?? null,
      description: p.setup_intent_data?.description ?? null,
      metadata: createMetadata(p.setup_intent_data?.metadata),
      allowed,
      types,
      usage: 'off_session',
    });
    s.setup_intent = si.id;
    em.emit('setup_intent.created', si, ctx);
  }
  const obj = em.insert(s);
  const meta = em.store.meta(id);
  meta.lineItems = lineItems;
  if (p.payment_intent_data) meta.paymentIntentData = p.payment_intent_data;
  if (p.subscription_data) meta.subscriptionData = p.subscription_data;
  openSessions(em).add(id);
  return obj;
}

export function expireSession(em: Emulator, s: Obj, req: ReqInfo | null): void {
  const prev = { status: s.status, url: s.url };
  s.status = 'expired';
  s.url = null;
  openSessions(em).delete(s.id);
  em.touch();
  if (s.setup_intent) {
    const si = em.store.objects.get(s.setup_intent);
    if (si && ['requires_payment_method', 'requires_action', 'requires_confirmation'].includes(si.status)) cancelSetupIntent(em, req, si, 'abandoned');
  }
  if (s.payment_intent) {
    const pi = em.store.objects.get(s.payment_intent);
    if (pi && pi.status !== 'succeeded' && pi.status !== 'canceled') cancelPaymentIntentInternal(em, req, pi, 'abandoned');
  }
  em.emit('checkout.session.expired', s, req, prev);
}

/** Lazy expiry: a session past expires_at reads as expired (on the emulator clock). */
export function refreshSession(em: Emulator, s: Obj): void {
  if (s.status === 'open' && s.expires_at <= em.now()) expireSession(em, s, null);
}

export function sweepSessions(em: Emulator): void {
  for (const id of [...openSessions(em)]) {
    const s = em.store.objects.get(id);
    if (!s || s.status !== 'open') openSessions(em).delete(id);
    else refreshSession(em, s);
  }
}

export function sessionLineItems(em: Emulator, s: Obj): Obj {
  const refs: LineItemRef[] = em.store.internal.get(s.id)?.lineItems ?? [];
  const data = refs.map((l) => {
    const price = em.store.objects.get(l.price)!;
    const product = em.store.objects.get(price.product);
    const amount = (price.unit_amount ?? 0) * l.quantity;
    return {
      id: l.id,
      object: 'item',
      adjustable_quantity: null,
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency: price.currency,
      description: product?.name ?? null,
      metadata: {},
      price: price as Stripe.Price,
      quantity: l.quantity,
    } satisfies Stripe.LineItem;
  });
  return { object: 'list', data, has_more: false, url: `/v1/checkout/sessions/${s.id}/line_items` };
}

function list(ctx: Ctx): Obj {
  const p = listParams(ctx, {
    customer: S.str(),
    customer_account: S.str(),
    customer_details: S.obj({ email: S.req(S.str()) }),
    payment_intent: S.str(),
    payment_link: S.str(),
    status: S.str({ enum: ['complete', 'expired', 'open'] }),
    subscription: S.str(),
  });
  return paginate(
    ctx.em,
    'checkout.session',
    '/v1/checkout/sessions',
    p,
    (o) =>
      (!p.customer || o.customer === p.customer) &&
      (!p.status || o.status === p.status) &&
      (!p.payment_intent || o.payment_intent === p.payment_intent) &&
      (!p.subscription || o.subscription === p.subscription) &&
      (!p.customer_details?.email || o.customer_details?.email === p.customer_details.email),
    'checkout.session',
  );
}

function expire(ctx: Ctx, id: string): Obj {
  parseParams(ctx.tree, {});
  const s = requireObject(ctx.em, 'checkout.session', 'checkout.session', id, 'session');
  if (s.status !== 'open') {
    throw invalid(`Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${s.status}".`, { param: 'session' });
  }
  expireSession(ctx.em, s, ctx);
  return s;
}

function lineItems(ctx: Ctx, id: string): Obj {
  const p = listParams(ctx, {});
  const s = requireObject(ctx.em, 'checkout.session', 'checkout.session', id, 'session');
  const all = sessionLineItems(ctx.em, s);
  const limit = parseLimit(p.limit);
  let data: Obj[] = all.data;
  if (p.starting_after) data = data.slice(data.findIndex((d) => d.id === p.starting_after) + 1);
  return { ...all, data: data.slice(0, limit), has_more: data.length > limit };
}


const SESSION: KindInfo = { kind: 'checkout.session', idParam: 'session' };

export const checkoutSessions: Resource = {
  kind: 'checkout.session',
  routes: [
    { method: 'POST', pattern: '/v1/checkout/sessions', handler: create },
    { method: 'GET', pattern: '/v1/checkout/sessions', handler: list },
    { method: 'GET', pattern: '/v1/checkout/sessions/:id', handler: retrieveHandler(SESSION) },
    { method: 'POST', pattern: '/v1/checkout/sessions/:id/expire', handler: expire },
    { method: 'GET', pattern: '/v1/checkout/sessions/:id/line_items', handler: lineItems },
  ],
  onRead: refreshSession,
  onClock: sweepSessions,
  everySecond(em) {
    if (openSessions(em).size) sweepSessions(em);
  },
  onStart(em) {
    // a restored state may carry URLs of a previous port: point open sessions at this server
    for (const id of em.store.lists.get('checkout.session') ?? []) {
      const s = em.store.objects.get(id);
      if (s?.status !== 'open') continue;
      openSessions(em).add(id);
      s.url = sessionUrl(em, id);
      const si = s.setup_intent ? em.store.objects.get(s.setup_intent) : undefined;
      if (si?.next_action?.redirect_to_url) si.next_action.redirect_to_url = { url: `${sessionUrl(em, id)}/amazon_pay`, return_url: sessionUrl(em, id) };
    }
  },
  includable: { line_items: sessionLineItems },
};
