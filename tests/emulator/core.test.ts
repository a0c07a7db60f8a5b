import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import type { RunningEmulator } from '../../main/emulator/index.js';
import { EMULATOR_API_KEY } from '../../main/emulator/index.js';
import { hexString, newId } from '../../main/emulator/engine/ids.js';
import { createCustomerWithSavedAmazonPay, startEmulatorWithClient, stripeClientFor } from './helpers.js';
import type { Json } from './helpers.js';

let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  ({ emulator, stripe } = await startEmulatorWithClient());
});
afterAll(() => emulator.stop());

async function raw(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${emulator.origin}${path}`, {
    method,
    headers: { authorization: `Bearer ${EMULATOR_API_KEY}`, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Json };
}

describe('wire level', () => {
  it('starts fast and binds loopback only', () => {
    expect(emulator.host).toBe('127.0.0.1');
    expect(emulator.origin).toBe(`http://127.0.0.1:${emulator.port}`);
  });

  it('rejects a missing or non-test key with Stripe 401', async () => {
    const bad = stripeClientFor(emulator, { apiKey: 'sk_live_123456789012345678' });
    const err = await bad.customers.list().catch((e) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(err.statusCode).toBe(401);
    expect(err.message).toMatch(/Invalid API Key provided: sk_live_\*+5678/);
    const none = await fetch(`${emulator.origin}/v1/customers`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as Json).error.type).toBe('invalid_request_error');
    // restricted test keys are fine
    const rk = stripeClientFor(emulator, { apiKey: 'rk_test_abc' });
    await expect(rk.customers.list()).resolves.toMatchObject({ object: 'list' });
  });

  it('sends Request-Id on every response and Stripe-Version back', async () => {
    const r = await raw('GET', '/v1/customers');
    expect(r.headers.get('request-id')).toMatch(/^req_[A-Za-z0-9]{14}$/);
    expect(r.headers.get('stripe-version')).toBe('2026-10-28.endive');
    const missing = await raw('GET', '/v1/customers/cus_nope');
    expect(missing.headers.get('request-id')).toMatch(/^req_/);
    const res = await stripe.customers.create({}).then((c) => c.lastResponse);
    expect(res.requestId).toMatch(/^req_/);
  });

  it('gives 404 resource_missing for unknown ids', async () => {
    const err = await stripe.customers.retrieve('cus_doesnotexist').catch((e) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('resource_missing');
    expect(err.param).toBe('id');
    expect(err.message).toBe("No such customer: 'cus_doesnotexist'");
    expect(err.raw.doc_url).toMatch(/error-codes\/resource-missing/);
  });

  it('gives 400 parameter_unknown, including nested params', async () => {
    const e1 = await stripe.customers.create({ nickname: 'x' } as never).catch((e) => e);
    expect(e1.statusCode).toBe(400);
    expect(e1.code).toBe('parameter_unknown');
    expect(e1.param).toBe('nickname');
    expect(e1.message).toBe('Received unknown parameter: nickname');
    const e2 = await stripe.checkout.sessions
      .create({ mode: 'setup', allowed_payment_method_types: ['amazon_pay'], success_url: 'https://x.test/ok', setup_intent_data: { color: 'red' } } as never)
      .catch((e) => e);
    expect(e2.code).toBe('parameter_unknown');
    expect(e2.param).toBe('setup_intent_data[color]');
  });

  it('gives parameter_missing and typed validation errors', async () => {
    const e = await stripe.paymentIntents.create({ currency: 'usd' } as never).catch((x) => x);
    expect(e.code).toBe('parameter_missing');
    expect(e.param).toBe('amount');
    const r = await raw('POST', '/v1/payment_intents', 'amount=abc&currency=usd');
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid_integer', param: 'amount' });
  });

  it('parses nested brackets, indexed and [] arrays, + and %-encoding', async () => {
    const body =
      'email=a%2Bb%40example.com&name=Jos%C3%A9+Doe&metadata[order][x]=1'.replace('metadata[order][x]=1', 'metadata[order_id]=o+1') +
      '&address[line1]=1%20Main%20St&address[city]=Tokyo&preferred_locales[]=ja&preferred_locales[]=en&expand[]=invoice_settings.default_payment_method';
    const r = await raw('POST', '/v1/customers', body);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      email: 'a+b@example.com',
      name: 'José Doe',
      metadata: { order_id: 'o 1' },
      address: { line1: '1 Main St', city: 'Tokyo', country: null },
      preferred_locales: ['ja', 'en'],
    });
    const r2 = await raw('POST', '/v1/customers', 'preferred_locales[0]=fr&preferred_locales[1]=de');
    expect(r2.json.preferred_locales).toEqual(['fr', 'de']);
  });

  it('rejects payment_method_types on endive and maps it on older versions', async () => {
    const params = { mode: 'setup', payment_method_types: ['amazon_pay'], success_url: 'https://x.test/ok' } as never;
    const err = await stripe.checkout.sessions.create(params).catch((e) => e);
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe('payment_method_types_no_longer_supported');
    expect(err.param).toBe('payment_method_types');
    const pi = await stripe.paymentIntents.create({ amount: 100, currency: 'usd', payment_method_types: ['amazon_pay'] } as never).catch((e) => e);
    expect(pi.code).toBe('payment_method_types_no_longer_supported');
    const old = await raw('POST', '/v1/checkout/sessions', 'mode=setup&payment_method_types[0]=amazon_pay&success_url=https%3A%2F%2Fx.test%2Fok', {
      'stripe-version': '2025-03-31.basil',
    });
    expect(old.status).toBe(200);
    expect(old.json.allowed_payment_method_types).toEqual(['amazon_pay']);
    expect(old.headers.get('stripe-version')).toBe('2025-03-31.basil');
  });

  it('enforces metadata limits', async () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    await expect(stripe.customers.create({ metadata: many })).rejects.toMatchObject({ statusCode: 400, param: 'metadata' });
    await expect(stripe.customers.create({ metadata: { ['k'.repeat(41)]: 'v' } })).rejects.toMatchObject({ statusCode: 400 });
    await expect(stripe.customers.create({ metadata: { k: 'v'.repeat(501) } })).rejects.toMatchObject({ statusCode: 400 });
    const ok = await stripe.customers.create({ metadata: { ['k'.repeat(40)]: 'v'.repeat(500) } });
    expect(Object.keys(ok.metadata)).toHaveLength(1);
  });

  it('unsets values with the empty string', async () => {
    const c = await stripe.customers.create({ description: 'd', metadata: { a: '1', b: '2' } });
    const u = await stripe.customers.update(c.id, { description: '', metadata: { a: '' } });
    expect(u.description).toBeNull();
    expect(u.metadata).toEqual({ b: '2' });
    const cleared = await stripe.customers.update(c.id, { metadata: '' as never });
    expect(cleared.metadata).toEqual({});
  });

  it('answers unknown URLs with 404 JSON', async () => {
    const r = await raw('GET', '/v1/nothing_here');
    expect(r.status).toBe(404);
    expect(r.json.error.type).toBe('invalid_request_error');
  });
});

describe('ids', () => {
  it('are always well formed, also where an id crosses the end of the random pool', () => {
    // a pool refill used to be checked only once per id, so about 1 id in 12,000 read past the buffer ("...undefined")
    const bad: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const id = newId('pi');
      if (!/^pi_1[A-Za-z0-9]{23}$/.test(id)) bad.push(id);
    }
    for (let i = 0; i < 20_000; i++) {
      const h = hexString(4);
      if (!/^[0-9a-f]{8}$/.test(h)) bad.push(h);
    }
    expect(bad).toEqual([]);
  });
});

describe('customers', () => {
  it('create, retrieve, update, delete', async () => {
    const c = await stripe.customers.create({ email: 'crud@example.com', name: 'Crud', phone: '+81 3 0000 0000', metadata: { internal_id: 'i-1' } });
    expect(c).toMatchObject({ object: 'customer', email: 'crud@example.com', livemode: false, metadata: { internal_id: 'i-1' } });
    expect(c.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    expect(Math.abs(c.created - Date.now() / 1000)).toBeLessThan(5);
    const got = (await stripe.customers.retrieve(c.id)) as Stripe.Customer;
    expect(got.email).toBe('crud@example.com');
    const upd = await stripe.customers.update(c.id, { name: 'Crud 2', metadata: { extra: 'y' } });
    expect(upd.name).toBe('Crud 2');
    expect(upd.metadata).toEqual({ internal_id: 'i-1', extra: 'y' });
    const del = await stripe.customers.del(c.id);
    expect(del).toMatchObject({ id: c.id, object: 'customer', deleted: true });
    const after = await stripe.customers.retrieve(c.id);
    expect(after.deleted).toBe(true);
    await expect(stripe.customers.update(c.id, { name: 'x' })).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
    const evs = await stripe.events.list({ types: ['customer.created', 'customer.updated', 'customer.deleted'], limit: 100 });
    const mine = evs.data.filter((e) => (e.data.object as Json).id === c.id).map((e) => e.type);
    expect(mine).toEqual(['customer.deleted', 'customer.updated', 'customer.created']);
    const updated = evs.data.find((e) => e.type === 'customer.updated' && (e.data.object as Json).id === c.id)!;
    expect(updated.data.previous_attributes).toMatchObject({ name: 'Crud' });
  });

  it('lists newest first with Stripe pagination', async () => {
    const { emulator: em2, stripe: s2 } = await startEmulatorWithClient();
    try {
      const made: string[] = [];
      for (let i = 0; i < 7; i++) made.push((await s2.customers.create({ email: `p${i}@example.com` })).id);
      const newest = [...made].reverse();
      const p1 = await s2.customers.list({ limit: 3 });
      expect(p1).toMatchObject({ object: 'list', url: '/v1/customers', has_more: true });
      expect(p1.data.map((c) => c.id)).toEqual(newest.slice(0, 3));
      const p2 = await s2.customers.list({ limit: 3, starting_after: p1.data[2].id });
      expect(p2.data.map((c) => c.id)).toEqual(newest.slice(3, 6));
      expect(p2.has_more).toBe(true);
      const p3 = await s2.customers.list({ limit: 3, starting_after: p2.data[2].id });
      expect(p3.data.map((c) => c.id)).toEqual(newest.slice(6));
      expect(p3.has_more).toBe(false);
      const back = await s2.customers.list({ limit: 2, ending_before: p3.data[0].id });
      expect(back.data.map((c) => c.id)).toEqual(newest.slice(4, 6));
      expect(back.has_more).toBe(true);
      const top = await s2.customers.list({ limit: 5, ending_before: newest[2] });
      expect(top.data.map((c) => c.id)).toEqual(newest.slice(0, 2));
      expect(top.has_more).toBe(false);
      const all: string[] = [];
      for await (const c of s2.customers.list({ limit: 2 })) all.push(c.id);
      expect(all).toEqual(newest);
      const byEmail = await s2.customers.list({ email: 'p3@example.com' });
      expect(byEmail.data.map((c) => c.id)).toEqual([made[3]]);
      await expect(s2.customers.list({ limit: 101 })).rejects.toMatchObject({ statusCode: 400, param: 'limit' });
      await expect(s2.customers.list({ starting_after: 'cus_missing' })).rejects.toMatchObject({ statusCode: 404, param: 'starting_after' });
      await expect(s2.customers.list({ starting_after: made[0], ending_before: made[1] })).rejects.toMatchObject({ statusCode: 400 });
    } finally {
      await em2.stop();
    }
  });

  it('searches by email, name substring, metadata, with AND / OR', async () => {
    const a = await stripe.customers.create({ email: 'hanako@example.jp', name: 'Hanako Yamada', metadata: { internal_id: 'H-1', shop: 'tokyo' } });
    const b = await stripe.customers.create({ email: 'taro@example.jp', name: 'Taro Yamada', metadata: { internal_id: 'T-1', shop: 'osaka' } });
    const ids = (r: Stripe.ApiSearchResult<Stripe.Customer>) => r.data.map((c) => c.id);
    const byEmail = await stripe.customers.search({ query: "email:'HANAKO@example.jp'" });
    expect(byEmail).toMatchObject({ object: 'search_result', url: '/v1/customers/search', has_more: false, next_page: null });
    expect(ids(byEmail)).toEqual([a.id]);
    expect(ids(await stripe.customers.search({ query: "name~'yamada'" }))).toEqual([b.id, a.id]);
    expect(ids(await stripe.customers.search({ query: "metadata['internal_id']:'T-1'" }))).toEqual([b.id]);
    expect(ids(await stripe.customers.search({ query: "name~'Yamada' AND metadata['shop']:'tokyo'" }))).toEqual([a.id]);
    expect(ids(await stripe.customers.search({ query: "email:'hanako@example.jp' OR email:'taro@example.jp'" }))).toEqual([b.id, a.id]);
    expect(ids(await stripe.customers.search({ query: "-metadata['shop']:'osaka' AND name~'Yamada'" }))).toEqual([a.id]);
    const page1 = await stripe.customers.search({ query: "name~'Yamada'", limit: 1 });
    expect(page1.has_more).toBe(true);
    const page2 = await stripe.customers.search({ query: "name~'Yamada'", limit: 1, page: page1.next_page! });
    expect(ids(page2)).toEqual([a.id]);
    await expect(stripe.customers.search({ query: "email:'a' AND name:'b' OR name:'c'" })).rejects.toMatchObject({ statusCode: 400, param: 'query' });
    await expect(stripe.customers.search({ query: 'bogus' })).rejects.toMatchObject({ statusCode: 400 });
  });

  it('lists a customer payment methods (404 for unknown customer)', async () => {
    const c = await stripe.customers.create({});
    const l = await stripe.customers.listPaymentMethods(c.id, { type: 'amazon_pay' });
    expect(l).toMatchObject({ object: 'list', data: [], has_more: false, url: `/v1/customers/${c.id}/payment_methods` });
    await expect(stripe.customers.listPaymentMethods('cus_nope')).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('expansion', () => {
  it('expands up to four levels, with expand[]= and expand[0]=, and data. on lists', async () => {
    const saved = await createCustomerWithSavedAmazonPay(stripe, { email: 'expand@example.com' });
    const s = await stripe.checkout.sessions.retrieve(saved.session.id, { expand: ['setup_intent.mandate.payment_method.customer'] });
    const si = s.setup_intent as Stripe.SetupIntent;
    const mandate = si.mandate as Stripe.Mandate;
    const pm = mandate.payment_method as Stripe.PaymentMethod;
    expect((pm.customer as Stripe.Customer).email).toBe('expand@example.com');
    expect(s.customer).toBe(saved.customer.id); // not expanded unless asked
    const tooDeep = await stripe.checkout.sessions.retrieve(saved.session.id, { expand: ['setup_intent.mandate.payment_method.customer.x'] }).catch((e) => e);
    expect(tooDeep.statusCode).toBe(400);
    expect(tooDeep.message).toMatch(/more than 4 levels/);
    const notExpandable = await stripe.customers.retrieve(saved.customer.id, { expand: ['nonsense'] }).catch((e) => e);
    expect(notExpandable.statusCode).toBe(400);
    expect(notExpandable.message).toBe('This property cannot be expanded (nonsense).');
    for (const q of ['expand[]=setup_intent&expand[]=customer', 'expand[0]=setup_intent&expand[1]=customer']) {
      const r = await raw('GET', `/v1/checkout/sessions/${saved.session.id}?${q}`);
      expect(r.json.setup_intent.object).toBe('setup_intent');
      expect(r.json.customer.object).toBe('customer');
    }
    const list = await stripe.setupIntents.list({ customer: saved.customer.id, expand: ['data.payment_method', 'data.customer'] });
    expect((list.data[0].payment_method as Stripe.PaymentMethod).type).toBe('amazon_pay');
    expect((list.data[0].customer as Stripe.Customer).id).toBe(saved.customer.id);
    // data. paths count four levels below data
    const deepList = await stripe.checkout.sessions.list({ customer: saved.customer.id, expand: ['data.setup_intent.mandate.payment_method.customer'] });
    expect(deepList.data).toHaveLength(1);
    const noData = await stripe.setupIntents.list({ expand: ['payment_method'] }).catch((e) => e);
    expect(noData.statusCode).toBe(400);
  });
});
