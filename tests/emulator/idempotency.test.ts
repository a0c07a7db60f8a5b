import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import type { RunningEmulator } from '../../main/emulator/index.js';
import { EMULATOR_API_KEY } from '../../main/emulator/index.js';
import { createCustomerWithSavedAmazonPay, startEmulatorWithClient, stripeClientFor } from './helpers.js';
import type { Json } from './helpers.js';

let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  ({ emulator, stripe } = await startEmulatorWithClient());
});
afterEach(() => emulator.controls.clearFaults());
afterAll(() => emulator.stop());

const posts = (path: string) => emulator.requestLog.filter((r) => r.method === 'POST' && r.path === path);

describe('idempotency', () => {
  it('the SDK sends stripe-node-retry keys; replays carry Idempotent-Replayed', async () => {
    await stripe.customers.create({ email: 'auto@example.com' });
    const last = posts('/v1/customers').at(-1)!;
    expect(last.idempotencyKey).toMatch(/^stripe-node-retry-[0-9a-f-]{36}$/);

    const key = `idem-${Date.now()}`;
    const first = await stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: key });
    const second = await stripe.customers.create({ email: 'idem@example.com' }, { idempotencyKey: key });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(second.lastResponse.headers['original-request']).toBe(first.lastResponse.requestId);
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    const entries = posts('/v1/customers').filter((r) => r.idempotencyKey === key);
    expect(entries.map((e) => e.replayed)).toEqual([false, true]);
    const found = await stripe.customers.list({ email: 'idem@example.com' });
    expect(found.data).toHaveLength(1);
  });

  it('replays a stored 402 too', async () => {
    const { customer, paymentMethod } = await createCustomerWithSavedAmazonPay(stripe);
    const params = { amount: 19901, currency: 'jpy', customer: customer.id, payment_method: paymentMethod.id, allowed_payment_method_types: ['amazon_pay'], off_session: true, confirm: true };
    const key = `decline-${Date.now()}`;
    const e1 = await stripe.paymentIntents.create(params, { idempotencyKey: key }).catch((e) => e);
    const e2 = await stripe.paymentIntents.create(params, { idempotencyKey: key }).catch((e) => e);
    expect(e1.statusCode).toBe(402);
    expect(e2.statusCode).toBe(402);
    expect(e2.payment_intent.id).toBe(e1.payment_intent.id);
    expect(e2.headers['idempotent-replayed']).toBe('true');
  });

  it('the same key with other parameters → 400 idempotency_error', async () => {
    const key = `mismatch-${Date.now()}`;
    await stripe.customers.create({ email: 'one@example.com' }, { idempotencyKey: key });
    const err = await stripe.customers.create({ email: 'two@example.com' }, { idempotencyKey: key }).catch((e) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(err.statusCode).toBe(400);
    expect(err.rawType).toBe('idempotency_error');
    expect(err.message).toContain(key);
    const other = await stripe.products.create({ name: 'x' }, { idempotencyKey: key }).catch((e) => e);
    expect(other.rawType).toBe('idempotency_error');
  });

  it('validation failures are not stored (the key can be used again)', async () => {
    const key = `invalid-${Date.now()}`;
    await expect(stripe.customers.create({ email: 'not-an-email' }, { idempotencyKey: key })).rejects.toMatchObject({ statusCode: 400 });
    await expect(stripe.customers.create({ email: 'not-an-email' }, { idempotencyKey: key })).rejects.toMatchObject({ statusCode: 400 });
    expect(posts('/v1/customers').filter((r) => r.idempotencyKey === key).every((r) => !r.replayed)).toBe(true);
  });

  it('a key still in flight → 409 idempotency_key_in_use', async () => {
    emulator.controls.setFault({ method: 'POST', path: '/v1/products', latencyMs: 800 });
    const noRetry = stripeClientFor(emulator, { maxNetworkRetries: 0 });
    const key = `inflight-${Date.now()}`;
    const first = noRetry.products.create({ name: 'slow' }, { idempotencyKey: key });
    await new Promise((r) => setTimeout(r, 50));
    const second = await noRetry.products.create({ name: 'slow' }, { idempotencyKey: key }).catch((e) => e);
    expect(second.statusCode).toBe(409);
    expect(second.code).toBe('idempotency_key_in_use');
    const p = await first;
    expect(p.name).toBe('slow');
    // with retries the SDK waits and then gets the replay
    const key2 = `inflight2-${Date.now()}`;
    const a = stripe.products.create({ name: 'slow2' }, { idempotencyKey: key2 });
    await new Promise((r) => setTimeout(r, 50));
    const b = await stripe.products.create({ name: 'slow2' }, { idempotencyKey: key2 });
    expect(b.id).toBe((await a).id);
  });

  it('keys longer than 255 characters are rejected', async () => {
    await expect(stripe.customers.create({}, { idempotencyKey: 'k'.repeat(256) })).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('faults', () => {
  it('HTTP 500 → the SDK retries with the same key and succeeds', async () => {
    emulator.controls.setFault({ method: 'POST', path: '/v1/customers', status500: 1 });
    const c = await stripe.customers.create({ email: 'retry500@example.com' });
    const mine = posts('/v1/customers').slice(-2);
    expect(mine.map((r) => r.status)).toEqual([500, 200]);
    expect(mine[0].idempotencyKey).toBe(mine[1].idempotencyKey);
    expect(mine[1].replayed).toBe(false);
    expect((await stripe.customers.list({ email: 'retry500@example.com' })).data.map((x) => x.id)).toEqual([c.id]);
  });

  it('HTTP 500 beyond the retries surfaces as StripeAPIError', async () => {
    emulator.controls.setFault({ path: '/v1/customers/*', status500: 3 });
    const err = await stripe.customers.retrieve('cus_x').catch((e) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(err.statusCode).toBe(500);
  });

  it('429 rate limiting (count and per-second rate)', async () => {
    emulator.controls.setFault({ path: '/v1/customers', method: 'GET', rateLimit: 1 });
    const err = await stripe.customers.list().catch((e) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(err.statusCode).toBe(429);
    expect(err.code).toBe('rate_limit');
    await expect(stripe.customers.list()).resolves.toMatchObject({ object: 'list' });
    emulator.controls.clearFaults();
    emulator.controls.setFault({ path: '/v1/products', method: 'GET', rateLimitPerSecond: 3 });
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => stripe.products.list()));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason.statusCode === 429)).toBe(true);
    emulator.controls.clearFaults();
    emulator.controls.setFault({ path: '/v1/prices', method: 'GET', rateLimit: 1, rateLimitShouldRetry: true });
    await expect(stripe.prices.list()).resolves.toMatchObject({ object: 'list' });
  });

  it('lost response after the change → SDK retry gets the replay; exactly one object exists', async () => {
    const { customer, paymentMethod } = await createCustomerWithSavedAmazonPay(stripe);
    emulator.controls.setFault({ method: 'POST', path: '/v1/payment_intents', loseResponse: 1 });
    const pi = await stripe.paymentIntents.create({
      amount: 4200, currency: 'jpy', customer: customer.id, payment_method: paymentMethod.id,
      allowed_payment_method_types: ['amazon_pay'], off_session: true, confirm: true,
    });
    expect(pi.status).toBe('succeeded');
    expect(pi.lastResponse.headers['idempotent-replayed']).toBe('true');
    const tries = posts('/v1/payment_intents').slice(-2);
    expect(tries.map((t) => [t.status, t.replayed])).toEqual([[0, false], [200, true]]);
    const all = await stripe.paymentIntents.list({ customer: customer.id });
    expect(all.data).toHaveLength(1);
    expect((await stripe.charges.list({ customer: customer.id })).data).toHaveLength(1);
  });

  it('HTTP control routes work and need no API key (loopback only)', async () => {
    const set = await fetch(`${emulator.origin}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/v1/customers/**', status500: 1 }),
    });
    expect(set.status).toBe(200);
    const listed = (await (await fetch(`${emulator.origin}/_emulator/faults`)).json()) as Json;
    expect(listed.faults).toHaveLength(1);
    await fetch(`${emulator.origin}/_emulator/faults`, { method: 'DELETE' });
    expect(((await (await fetch(`${emulator.origin}/_emulator/faults`)).json()) as Json).faults).toHaveLength(0);
    const clock = (await (await fetch(`${emulator.origin}/_emulator/clock/advance`, { method: 'POST', body: 'seconds=10', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).json()) as Json;
    expect(clock.now).toBe(emulator.controls.now());
    const reqs = (await (await fetch(`${emulator.origin}/_emulator/requests`)).json()) as Json;
    expect(reqs.requests.length).toBe(emulator.requestLog.length);
    const e = await fetch(`${emulator.origin}/v1/customers/cus_missing`, { headers: { authorization: `Bearer ${EMULATOR_API_KEY}` } });
    const logUrl = ((await e.json()) as Json).error.request_log_url as string;
    const entry = (await (await fetch(logUrl)).json()) as Json;
    expect(entry).toMatchObject({ method: 'GET', path: '/v1/customers/cus_missing', status: 404 });
  });
});
