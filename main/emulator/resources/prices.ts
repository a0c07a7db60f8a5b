/** Prices (one-time and recurring), created directly, with a product, or inline as price_data. */
import type Stripe from 'stripe';
import { applyChanges, type KindInfo, listParams, requireObject, retrieveHandler } from '../engine/crud.js';
import type { Ctx, Emulator, ReqInfo, Resource } from '../engine/emulator.js';
import { invalid } from '../engine/errors.js';
import { newId } from '../engine/ids.js';
import { paginate } from '../engine/list.js';
import { createMetadata, mergeMetadata, parseParams, S } from '../engine/params.js';
import type { Obj } from '../engine/store.js';
import { buildProduct, RECURRING } from './product-object.js';
import { checkCurrency } from './shared.js';

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
  const price = {
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
  } satisfies Stripe.Price;
  em.insert(price);
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


const PRICE: KindInfo = { kind: 'price' };

export const prices: Resource = {
  kind: 'price',
  routes: [
    { method: 'POST', pattern: '/v1/prices', handler: priceCreate },
    { method: 'GET', pattern: '/v1/prices', handler: priceList },
    { method: 'GET', pattern: '/v1/prices/:id', handler: retrieveHandler(PRICE) },
    { method: 'POST', pattern: '/v1/prices/:id', handler: priceUpdate },
  ],
};
