/**
 * Conformance: every top-level key of Stripe's example object (shared/stripe/fixtures3.json) is present
 * on the emulator's object with a compatible JSON type. Null is accepted where the fixture has null, and
 * where the SDK's TypeScript type for that field includes `| null` (fixtures show filled-in examples;
 * Stripe itself sends null for e.g. an absent `discount`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type Stripe from 'stripe';
import type { RunningEmulator } from '../../main/emulator/index.js';
import { createCustomerWithSavedAmazonPay, startEmulatorWithClient } from './helpers.js';

const FIXTURES_PATH = [resolve(process.cwd(), '../shared/stripe/fixtures3.json'), '/work/shared/stripe/fixtures3.json'].find((p) => existsSync(p))!;
const fixtures = JSON.parse(readFileSync(FIXTURES_PATH, 'utf8')).resources as Record<string, Record<string, unknown>>;

const require = createRequire(import.meta.url);
const SDK_RESOURCES = join(dirname(require.resolve('stripe')), '..', 'esm', 'resources');

/** resource → [SDK .d.ts file, interface name] */
const SDK_TYPES: Record<string, [string, string]> = {
  customer: ['Customers.d.ts', 'Customer'],
  'checkout.session': ['Checkout/Sessions.d.ts', 'Session'],
  setup_intent: ['SetupIntents.d.ts', 'SetupIntent'],
  payment_method: ['PaymentMethods.d.ts', 'PaymentMethod'],
  mandate: ['Mandates.d.ts', 'Mandate'],
  payment_intent: ['PaymentIntents.d.ts', 'PaymentIntent'],
  charge: ['Charges.d.ts', 'Charge'],
  refund: ['Refunds.d.ts', 'Refund'],
  product: ['Products.d.ts', 'Product'],
  price: ['Prices.d.ts', 'Price'],
  subscription: ['Subscriptions.d.ts', 'Subscription'],
  subscription_item: ['SubscriptionItems.d.ts', 'SubscriptionItem'],
  invoice: ['Invoices.d.ts', 'Invoice'],
  event: ['Events.d.ts', 'EventBase'],
  webhook_endpoint: ['WebhookEndpoints.d.ts', 'WebhookEndpoint'],
};

/** Top-level fields of an SDK interface whose type includes `| null`. */
function nullableFields(file: string, iface: string): Set<string> {
  const src = readFileSync(join(SDK_RESOURCES, file), 'utf8');
  const start = src.indexOf(`export interface ${iface} {`);
  if (start < 0) throw new Error(`interface ${iface} not found in ${file}`);
  let depth = 0;
  let i = src.indexOf('{', start);
  const bodyStart = i + 1;
  for (; i < src.length; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) break;
  }
  const out = new Set<string>();
  let d = 0;
  for (const line of src.slice(bodyStart, i).split('\n')) {
    const m = /^ {4}(\w+)\??: (.*)$/.exec(line);
    if (m && d === 0 && /\|\s*null\b|^null\b/.test(m[2])) out.add(m[1]);
    d += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
  }
  return out;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function conformanceProblems(resource: string, actual: Record<string, unknown>): string[] {
  const fixture = fixtures[resource];
  const [file, iface] = SDK_TYPES[resource];
  const nullable = nullableFields(file, iface);
  const problems: string[] = [];
  for (const [key, example] of Object.entries(fixture)) {
    // a PaymentMethod carries the hash of its own type (`card` in the example, `amazon_pay` here)
    if (resource === 'payment_method' && key === fixture.type) {
      if (!(actual.type as string in actual)) problems.push(`missing type hash ${String(actual.type)}`);
      continue;
    }
    if (!(key in actual)) {
      problems.push(`missing key ${key}`);
      continue;
    }
    const want = jsonType(example);
    const got = jsonType(actual[key]);
    if (want === 'null' || want === got) continue;
    if (got === 'null' && nullable.has(key)) continue;
    problems.push(`${key}: fixture ${want}, emulator ${got}${got === 'null' ? ' (SDK type is not nullable)' : ''}`);
  }
  return problems;
}

let emulator: RunningEmulator;
let stripe: Stripe;
const objects: Record<string, Record<string, unknown>> = {};

async function rawGet(path: string): Promise<Record<string, unknown>> {
  // raw JSON (the SDK turns some fields into class instances, e.g. Decimal)
  const res = await fetch(`${emulator.origin}${path}`, { headers: { authorization: 'Bearer sk_test_conformance' } });
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  ({ emulator, stripe } = await startEmulatorWithClient());
  const saved = await createCustomerWithSavedAmazonPay(stripe, { email: 'conf@example.com', name: 'Conformance' });
  const pi = await stripe.paymentIntents.create({
    amount: 8000, currency: 'jpy', customer: saved.customer.id, payment_method: saved.paymentMethod.id,
    allowed_payment_method_types: ['amazon_pay'], off_session: true, confirm: true,
  });
  const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 1000 });
  const product = await stripe.products.create({ name: 'Conformance product' });
  const price = await stripe.prices.create({ product: product.id, currency: 'jpy', unit_amount: 1000, recurring: { interval: 'month' } });
  const sub = await stripe.subscriptions.create({ customer: saved.customer.id, items: [{ price: price.id }], default_payment_method: saved.paymentMethod.id });
  const we = await stripe.webhookEndpoints.create({ url: 'https://example.com/hook', enabled_events: ['*'] });
  const event = (await stripe.events.list({ limit: 1 })).data[0];
  objects.customer = await rawGet(`/v1/customers/${saved.customer.id}`);
  objects['checkout.session'] = await rawGet(`/v1/checkout/sessions/${saved.session.id}`);
  objects.setup_intent = await rawGet(`/v1/setup_intents/${saved.setupIntent.id}`);
  objects.payment_method = await rawGet(`/v1/payment_methods/${saved.paymentMethod.id}`);
  objects.mandate = await rawGet(`/v1/mandates/${saved.mandateId}`);
  objects.payment_intent = await rawGet(`/v1/payment_intents/${pi.id}`);
  objects.charge = await rawGet(`/v1/charges/${pi.latest_charge}`);
  objects.refund = await rawGet(`/v1/refunds/${refund.id}`);
  objects.product = await rawGet(`/v1/products/${product.id}`);
  objects.price = await rawGet(`/v1/prices/${price.id}`);
  objects.subscription = await rawGet(`/v1/subscriptions/${sub.id}`);
  objects.subscription_item = (objects.subscription.items as { data: Record<string, unknown>[] }).data[0];
  objects.invoice = await rawGet(`/v1/invoices/${sub.latest_invoice}`);
  objects.event = await rawGet(`/v1/events/${event.id}`);
  objects.webhook_endpoint = await rawGet(`/v1/webhook_endpoints/${we.id}`);
});
afterAll(() => emulator.stop());

describe('conformance with fixtures3.json', () => {
  it('knows the fixture of every resource it checks', () => {
    for (const r of Object.keys(SDK_TYPES)) expect(fixtures[r], r).toBeTypeOf('object');
  });

  it.each(Object.keys(SDK_TYPES))('%s carries every fixture key with a compatible type', (resource) => {
    const actual = objects[resource];
    expect(actual?.object).toBe(fixtures[resource].object);
    expect(conformanceProblems(resource, actual)).toEqual([]);
  });

  it('the checker itself catches a missing key and a wrong type', () => {
    const broken = { ...objects.customer };
    delete broken.email;
    broken.balance = 'zero';
    broken.address = null; // nullable in the SDK: fine
    expect(conformanceProblems('customer', broken).sort()).toEqual(['balance: fixture number, emulator string', 'missing key email']);
  });
});
