/**
 * Conformance: every object the emulator answers with is checked, key by key and level by level,
 * against the official SDK's TypeScript declarations for the pinned API version (2026-10-28.endive):
 * no key the SDK does not declare, every required key present, null only where the SDK allows it.
 * Stripe's own example objects (fixtures/stripe-fixtures3.json, from Stripe's public OpenAPI repository,
 * MIT licence) add the JSON type of each key the SDK still declares. The builders in main/emulator/resources
 * are `satisfies Stripe.X`, so tsc checks the same shapes at compile time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Stripe from 'stripe';
import type { RunningEmulator } from '../../main/emulator/index.js';
import { createCustomerWithSavedAmazonPay, startEmulatorWithClient } from './helpers.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const fixtures = JSON.parse(readFileSync(join(HERE, 'fixtures', 'stripe-fixtures3.json'), 'utf8')).resources as Record<string, Record<string, unknown>>;

const require = createRequire(import.meta.url);
const SDK_RESOURCES = join(dirname(require.resolve('stripe')), '..', 'esm', 'resources');

// ------------------------------------------------------------------ the SDK's declarations, parsed

interface Field {
  type: string;
  optional: boolean;
}
/** qualified interface name ('Invoice', 'Invoice.Parent', ...) → its fields; type aliases under `type:` + name */
type Declarations = Map<string, Map<string, Field>> & { aliases?: Map<string, string> };

const declarationCache = new Map<string, Declarations>();

/** Every interface of one SDK .d.ts file, nested namespaces included, with its fields' type text. */
function declarations(file: string): Declarations {
  const cached = declarationCache.get(file);
  if (cached) return cached;
  const out: Declarations = new Map();
  out.aliases = new Map();
  const scopes: { name: string | null; kind: string; depth: number }[] = [];
  let depth = 0;
  for (const line of readFileSync(join(SDK_RESOURCES, file), 'utf8').split('\n')) {
    const open = /^\s*(?:export )?(?:declare )?(interface|namespace|class) (\w+)[^{]*\{\s*$/.exec(line);
    const inner = scopes.at(-1);
    // scope names are already qualified: the innermost named one is the prefix
    const prefix = [...scopes].reverse().find((sc) => sc.name)?.name;
    const alias = /^\s*(?:export )?type (\w+) = (.*);$/.exec(line);
    if (alias) out.aliases!.set(prefix ? `${prefix}.${alias[1]}` : alias[1], alias[2]);
    if (open) {
      const name = prefix ? `${prefix}.${open[2]}` : open[2];
      scopes.push({ name: open[1] === 'class' ? null : name, kind: open[1], depth });
      if (open[1] === 'interface') out.set(name, new Map());
    } else if (inner?.kind === 'interface' && depth === inner.depth + 1) {
      const field = /^\s*(\w+)(\?)?: (.*);$/.exec(line);
      if (field) out.get(inner.name!)!.set(field[1], { type: field[3], optional: field[2] === '?' });
    }
    depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
    while (scopes.length && depth <= scopes.at(-1)!.depth) scopes.pop();
  }
  declarationCache.set(file, out);
  return out;
}

/** A name used inside `owner`, resolved like TypeScript does: innermost enclosing namespace first. */
function resolveName(owner: string, name: string, exists: (q: string) => boolean): string | undefined {
  const parts = owner.split('.');
  for (let i = parts.length; i >= 0; i--) {
    const scope = parts.slice(0, i).join('.');
    const q = scope ? `${scope}.${name}` : name;
    if (q !== owner && exists(q)) return q;
  }
  return undefined;
}

/** The interface (in the same file) a field's type names, resolved from where the field is declared. */
function nestedInterface(decl: Declarations, owner: string, type: string): string | undefined {
  for (const m of type.matchAll(/\b[A-Z]\w*(?:\.[A-Z]\w*)*/g)) {
    const q = resolveName(owner, m[0], (x) => decl.has(x));
    if (q) return q;
  }
  return undefined;
}

/** The type text with same-file aliases (`Customer.TaxExempt`) replaced by what they stand for. */
function expandAliases(decl: Declarations, owner: string, type: string, depth = 0): string {
  if (depth > 3) return type;
  return type.replace(/\b[A-Z]\w*(?:\.[A-Z]\w*)*/g, (name) => {
    const q = resolveName(owner, name, (x) => decl.aliases!.has(x));
    return q ? `(${expandAliases(decl, q, decl.aliases!.get(q)!, depth + 1)})` : name;
  });
}

/** JSON types a declared TypeScript type allows on the wire (`Decimal` travels as a string). */
function allowedJsonTypes(type: string): Set<string> {
  const out = new Set<string>();
  const t = type.replace(/'[^']*'/g, 'string');
  if (/\bstring\b|\bDecimal\b|\bOtherString\b/.test(t)) out.add('string');
  if (/\bnumber\b/.test(t)) out.add('number');
  if (/\bboolean\b|\btrue\b|\bfalse\b/.test(t)) out.add('boolean');
  if (/Array</.test(t)) out.add('array');
  if (/\{|\b(?!Array\b|Decimal\b|OtherString\b)[A-Z]\w*/.test(t.replace(/Array<[^>]*>/g, ''))) out.add('object');
  return out;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Differences between an object and the SDK interface `iface` of `file` (and the fixture, where given), recursively. */
function sdkProblems(file: string, iface: string, actual: Record<string, unknown>, fixture: unknown, path = ''): string[] {
  const decl = declarations(file);
  const fields = decl.get(iface);
  if (!fields) throw new Error(`interface ${iface} not found in ${file}`);
  const problems: string[] = [];
  const fix = fixture && typeof fixture === 'object' && !Array.isArray(fixture) ? (fixture as Record<string, unknown>) : undefined;
  for (const [key, value] of Object.entries(actual)) {
    const at = path ? `${path}.${key}` : key;
    const field = fields.get(key);
    if (!field) {
      problems.push(`${at}: not in the SDK's ${iface}`);
      continue;
    }
    const nullable = /\bnull\b/.test(field.type);
    if (value === null) {
      if (!nullable) problems.push(`${at}: null, but the SDK's type is ${field.type}`);
      continue;
    }
    const allowed = allowedJsonTypes(expandAliases(decl, iface, field.type));
    if (allowed.size && !allowed.has(jsonType(value))) problems.push(`${at}: ${jsonType(value)}, but the SDK's type is ${field.type}`);
    const example = fix?.[key];
    if (example !== undefined && example !== null && jsonType(example) !== jsonType(value)) problems.push(`${at}: fixture ${jsonType(example)}, emulator ${jsonType(value)}`);
    const nested = nestedInterface(decl, iface, field.type);
    // an empty interface is a placeholder (Event.Data.Object stands for any resource)
    if (!nested || decl.get(nested)!.size === 0) continue;
    if (jsonType(value) === 'object') problems.push(...sdkProblems(file, nested, value as Record<string, unknown>, example, at));
    else if (Array.isArray(value) && field.type.includes('Array<'))
      value.forEach((v, i) => {
        if (jsonType(v) === 'object') problems.push(...sdkProblems(file, nested, v as Record<string, unknown>, Array.isArray(example) ? example[0] : undefined, `${at}[${i}]`));
      });
  }
  for (const [key, field] of fields) if (!field.optional && !(key in actual)) problems.push(`${path ? `${path}.${key}` : key}: missing (required by the SDK)`);
  return problems;
}

// ------------------------------------------------------------------ what is checked

/** resource → [SDK .d.ts file, interface name, fixture name] */
const SDK_TYPES: Record<string, [string, string, string]> = {
  customer: ['Customers.d.ts', 'Customer', 'customer'],
  'checkout.session': ['Checkout/Sessions.d.ts', 'Session', 'checkout.session'],
  'checkout.session line item': ['LineItems.d.ts', 'LineItem', 'item'],
  setup_intent: ['SetupIntents.d.ts', 'SetupIntent', 'setup_intent'],
  payment_method: ['PaymentMethods.d.ts', 'PaymentMethod', 'payment_method'],
  mandate: ['Mandates.d.ts', 'Mandate', 'mandate'],
  payment_intent: ['PaymentIntents.d.ts', 'PaymentIntent', 'payment_intent'],
  'payment_intent (declined)': ['PaymentIntents.d.ts', 'PaymentIntent', 'payment_intent'],
  charge: ['Charges.d.ts', 'Charge', 'charge'],
  refund: ['Refunds.d.ts', 'Refund', 'refund'],
  dispute: ['Disputes.d.ts', 'Dispute', 'dispute'],
  file: ['Files.d.ts', 'File', 'file'],
  product: ['Products.d.ts', 'Product', 'product'],
  price: ['Prices.d.ts', 'Price', 'price'],
  plan: ['Plans.d.ts', 'Plan', 'plan'],
  subscription: ['Subscriptions.d.ts', 'Subscription', 'subscription'],
  'subscription (classic, trialing)': ['Subscriptions.d.ts', 'Subscription', 'subscription'],
  subscription_item: ['SubscriptionItems.d.ts', 'SubscriptionItem', 'subscription_item'],
  invoice: ['Invoices.d.ts', 'Invoice', 'invoice'],
  'invoice line item': ['InvoiceLineItems.d.ts', 'InvoiceLineItem', 'line_item'],
  invoice_payment: ['InvoicePayments.d.ts', 'InvoicePayment', 'invoice_payment'],
  event: ['Events.d.ts', 'EventBase', 'event'],
  webhook_endpoint: ['WebhookEndpoints.d.ts', 'WebhookEndpoint', 'webhook_endpoint'],
};

function problemsOf(resource: string, actual: Record<string, unknown>): string[] {
  const [file, iface, fixture] = SDK_TYPES[resource];
  const problems = sdkProblems(file, iface, actual, fixtures[fixture]);
  // a PaymentMethod carries the hash of its own type (`card` in the example, `amazon_pay` here)
  if (resource === 'payment_method' && !((actual.type as string) in actual)) problems.push(`missing type hash ${String(actual.type)}`);
  return problems;
}

let emulator: RunningEmulator;
let stripe: Stripe;
const objects: Record<string, Record<string, unknown>> = {};

type Raw = Record<string, unknown>;
async function rawGet(path: string): Promise<Raw> {
  // raw JSON (the SDK turns some fields into class instances, e.g. Decimal)
  const res = await fetch(`${emulator.origin}${path}`, { headers: { authorization: 'Bearer sk_test_conformance' } });
  return (await res.json()) as Raw;
}

beforeAll(async () => {
  ({ emulator, stripe } = await startEmulatorWithClient());
  const saved = await createCustomerWithSavedAmazonPay(stripe, { email: 'conf@example.com', name: 'Conformance' });
  const pi = await stripe.paymentIntents.create({
    amount: 8000, currency: 'jpy', customer: saved.customer.id, payment_method: saved.paymentMethod.id,
    allowed_payment_method_types: ['amazon_pay'], off_session: true, confirm: true,
  });
  const declined = await stripe.paymentIntents
    .create({ amount: 19901, currency: 'jpy', customer: saved.customer.id, payment_method: saved.paymentMethod.id, allowed_payment_method_types: ['amazon_pay'], off_session: true, confirm: true })
    .catch((e: Stripe.errors.StripeCardError) => e.payment_intent!);
  const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 1000 });
  const file = await stripe.files.create({ purpose: 'dispute_evidence', file: { data: Buffer.from('%PDF-1.7\n%%EOF\n'), name: 'evidence.pdf', type: 'application/pdf' } });
  const dispute = emulator.controls.openDispute(pi.latest_charge as string);
  await stripe.disputes.update(dispute.id, { evidence: { uncategorized_file: file.id, uncategorized_text: 'consent' } });
  const product = await stripe.products.create({ name: 'Conformance product' });
  const price = await stripe.prices.create({ product: product.id, currency: 'jpy', unit_amount: 1000, recurring: { interval: 'month' } });
  const sub = await stripe.subscriptions.create({ customer: saved.customer.id, items: [{ price: price.id }], default_payment_method: saved.paymentMethod.id });
  const trialing = await stripe.subscriptions.create({ customer: saved.customer.id, items: [{ price: price.id }], default_payment_method: saved.paymentMethod.id, trial_period_days: 7, billing_mode: { type: 'classic' } });
  const paymentSession = await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price_data: { currency: 'jpy', unit_amount: 500, product_data: { name: 'Item' } }, quantity: 2 }], success_url: 'http://127.0.0.1:9/ok' });
  const we = await stripe.webhookEndpoints.create({ url: 'https://example.com/hook', enabled_events: ['*'] });
  const event = (await stripe.events.list({ limit: 1 })).data[0];
  objects.customer = await rawGet(`/v1/customers/${saved.customer.id}`);
  objects['checkout.session'] = await rawGet(`/v1/checkout/sessions/${saved.session.id}`);
  objects['checkout.session line item'] = ((await rawGet(`/v1/checkout/sessions/${paymentSession.id}/line_items`)).data as Raw[])[0];
  objects.setup_intent = await rawGet(`/v1/setup_intents/${saved.setupIntent.id}`);
  objects.payment_method = await rawGet(`/v1/payment_methods/${saved.paymentMethod.id}`);
  objects.mandate = await rawGet(`/v1/mandates/${saved.mandateId}`);
  objects.payment_intent = await rawGet(`/v1/payment_intents/${pi.id}`);
  objects['payment_intent (declined)'] = await rawGet(`/v1/payment_intents/${declined.id}`);
  objects.charge = await rawGet(`/v1/charges/${pi.latest_charge}`);
  objects.refund = await rawGet(`/v1/refunds/${refund.id}`);
  objects.dispute = await rawGet(`/v1/disputes/${dispute.id}`);
  objects.file = await rawGet(`/v1/files/${file.id}`);
  objects.product = await rawGet(`/v1/products/${product.id}`);
  objects.price = await rawGet(`/v1/prices/${price.id}`);
  objects.subscription = await rawGet(`/v1/subscriptions/${sub.id}`);
  objects['subscription (classic, trialing)'] = await rawGet(`/v1/subscriptions/${trialing.id}`);
  objects.subscription_item = (objects.subscription.items as { data: Raw[] }).data[0];
  objects.plan = objects.subscription_item.plan as Raw;
  objects.invoice = await rawGet(`/v1/invoices/${sub.latest_invoice}?expand[]=payments`);
  objects['invoice line item'] = (objects.invoice.lines as { data: Raw[] }).data[0];
  objects.invoice_payment = (objects.invoice.payments as { data: Raw[] }).data[0];
  objects.event = await rawGet(`/v1/events/${event.id}`);
  objects.webhook_endpoint = await rawGet(`/v1/webhook_endpoints/${we.id}`);
});
afterAll(() => emulator.stop());

describe('conformance with the SDK types (2026-10-28.endive) and fixtures3.json', () => {
  it('knows the fixture and the SDK interface of every resource it checks', () => {
    for (const [resource, [file, iface, fixture]] of Object.entries(SDK_TYPES)) {
      expect(fixtures[fixture], resource).toBeTypeOf('object');
      expect(declarations(file).has(iface), `${file} ${iface}`).toBe(true);
    }
  });

  it.each(Object.keys(SDK_TYPES))('%s: every key, at every level, as the SDK declares it', (resource) => {
    const actual = objects[resource];
    expect(actual?.object).toBe(fixtures[SDK_TYPES[resource][2]].object);
    expect(problemsOf(resource, actual)).toEqual([]);
  });

  it.each([
    ['customer.created', 'customer'],
    ['setup_intent.succeeded', 'setup_intent'],
    ['checkout.session.completed', 'checkout.session'],
    ['payment_intent.succeeded', 'payment_intent'],
    ['charge.succeeded', 'charge'],
    ['refund.created', 'refund'],
    ['charge.dispute.created', 'dispute'],
    ['customer.subscription.created', 'subscription'],
    ['invoice.paid', 'invoice'],
  ])('the object in a %s event is a %s as the SDK declares it', async (type, resource) => {
    const [event] = (await stripe.events.list({ type, limit: 1 })).data;
    expect(event, type).toBeDefined();
    const raw = await rawGet(`/v1/events/${event.id}`);
    expect(problemsOf(resource, (raw.data as { object: Raw }).object)).toEqual([]);
  });

  it('endive shapes: billing_mode, current_trial, invoice line quantity_decimal and subscription, no top-level Invoice.subscription', () => {
    expect(objects.subscription.billing_mode).toMatchObject({ type: 'flexible', flexible: {} });
    expect(objects['subscription (classic, trialing)']).toMatchObject({ status: 'trialing', billing_mode: { type: 'classic', flexible: null } });
    expect(objects.subscription_item).toHaveProperty('current_trial', null);
    const line = objects['invoice line item'];
    expect(line).toMatchObject({ quantity: 1, quantity_decimal: '1', subscription: objects.subscription.id });
    expect(objects.invoice).not.toHaveProperty('subscription');
    expect(objects.invoice).toMatchObject({ parent: { type: 'subscription_details', subscription_details: { subscription: objects.subscription.id } } });
  });

  it('the checker itself catches an unknown key, a missing key, a wrong type and a wrong null, also nested', () => {
    const broken = JSON.parse(JSON.stringify(objects.invoice)) as Raw;
    broken.subscription = null; // gone from the endive Invoice
    delete broken.customer_email;
    broken.amount_due = 'zero';
    broken.currency = null;
    (broken.parent as Raw).extra = 1;
    ((broken.parent as Raw).subscription_details as Raw).subscription = 42;
    expect(problemsOf('invoice', broken).sort()).toEqual(
      [
        'amount_due: fixture number, emulator string',
        "amount_due: string, but the SDK's type is number",
        'currency: null, but the SDK\'s type is string',
        'customer_email: missing (required by the SDK)',
        'parent.extra: not in the SDK\'s Invoice.Parent',
        "parent.subscription_details.subscription: number, but the SDK's type is string | Subscription",
        'parent.subscription_details.subscription: fixture string, emulator number',
        'subscription: not in the SDK\'s Invoice',
      ].sort(),
    );
  });
});
