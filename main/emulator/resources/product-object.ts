/** The Product object and the params that shape it (shared by Products, Prices and Checkout price_data). */
import type Stripe from 'stripe';
import type { Emulator } from '../engine/emulator.js';
import { newId } from '../engine/ids.js';
import { createMetadata, type Props, S } from '../engine/params.js';
import type { Obj } from '../engine/store.js';

export function buildProduct(em: Emulator, p: Obj): Obj {
  const now = em.now();
  const prod = {
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
  } satisfies Stripe.Product;
  return em.insert(prod);
}

export const PRODUCT_COMMON: Props = {
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

export const RECURRING = S.obj({
  interval: S.req(S.str({ enum: ['day', 'week', 'month', 'year'] })),
  interval_count: S.int({ min: 1 }),
  meter: S.str(),
  trial_period_days: S.int(),
  usage_type: S.str({ enum: ['licensed', 'metered'] }),
});
