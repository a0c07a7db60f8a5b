/** Products: create (optionally with a default price), update, delete, list. */
import { applyChanges, type KindInfo, listParams, requireObject, retrieveHandler } from '../engine/crud.js';
import type { Ctx, Resource } from '../engine/emulator.js';
import { invalid } from '../engine/errors.js';
import { paginate } from '../engine/list.js';
import { mergeMetadata, parseParams, S } from '../engine/params.js';
import type { Obj } from '../engine/store.js';
import { createPriceInternal } from './prices.js';
import { buildProduct, PRODUCT_COMMON, RECURRING } from './product-object.js';

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


const PRODUCT: KindInfo = { kind: 'product' };

export const products: Resource = {
  kind: 'product',
  routes: [
    { method: 'POST', pattern: '/v1/products', handler: productCreate },
    { method: 'GET', pattern: '/v1/products', handler: productList },
    { method: 'GET', pattern: '/v1/products/:id', handler: retrieveHandler(PRODUCT) },
    { method: 'POST', pattern: '/v1/products/:id', handler: productUpdate },
    { method: 'DELETE', pattern: '/v1/products/:id', handler: productDelete },
  ],
};
