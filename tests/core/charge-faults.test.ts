/**
 * Fault injection: whatever happens between the app and Stripe (lost answers, 5xx, 429, no
 * connection, a crash or restart in between), a charge is made at most once and the local record
 * ends consistent with Stripe. Each test asserts exactly one PaymentIntent at the emulator.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { journaledRecords } from '../helpers/stored';
import { OUTCOME_UNKNOWN } from '../../main/core/charges';
import { signInManager, type TestCore } from '../helpers/core';
import {
  beforeEachWithSavedMethod,
  readStoredData,
  requestCount,
  startFlakyNetwork,
  unreachableStripe,
  type CustomerWithSavedMethod,
  type FlakyNetwork,
} from '../helpers/saved-method';

const PI_PATH = '/v1/payment_intents';
const SDK_ATTEMPTS = 3; // the first try and maxNetworkRetries: 2

let t: TestCore;
let saved: CustomerWithSavedMethod;
let network: FlakyNetwork | undefined;
beforeEachWithSavedMethod((core, customer) => {
  t = core;
  saved = customer;
});
afterEach(async () => {
  await network?.close();
  network = undefined;
});

/**
 * Restarts core with its Stripe traffic going through a network that can lose answers (replays
 * included: the emulator's own `loseResponse` never drops a replay, so it cannot outlast the SDK's retries).
 */
async function onFlakyNetwork(): Promise<FlakyNetwork> {
  network = await startFlakyNetwork(t.emulator);
  await t.restart({ stripe: network.stripe });
  await signInManager(t);
  return network;
}

const chargeInput = (amount = 4200) => ({
  customerId: saved.customer.id,
  consentId: saved.consent.id,
  paymentMethodId: saved.paymentMethodId,
  amount,
  currency: 'eur' as const,
  description: 'Alterations',
  requestKey: randomUUID(),
});

async function onlyIntent() {
  const intents = (await t.core.env.stripe.paymentIntents.list({ customer: saved.customer.stripeCustomerId, limit: 100 })).data;
  expect(intents).toHaveLength(1);
  return intents[0];
}

describe('write-ahead', () => {
  it('the pending record and its key are on disk before the request goes out', async () => {
    const seen: Array<{ status: string; key: string } | undefined> = [];
    t.core.env.stripe.on('request', (event: { method: string; path: string }) => {
      if (event.method !== 'POST' || event.path !== PI_PATH) return;
      // what is fsynced: the store's journal
      const charge = journaledRecords(t.dataDir, 'charges').at(-1) as { status: string; idempotencyKey: string } | undefined;
      seen.push(charge && { status: charge.status, key: charge.idempotencyKey });
    });
    const charge = await t.call('charges.create', chargeInput());
    expect(seen).toEqual([{ status: 'pending', key: charge.idempotencyKey }]);
    expect(charge.status).toBe('succeeded');
  });
});

describe('lost responses', () => {
  it('(a) one lost answer: the SDK retries with the same key, gets the replay, one PaymentIntent', async () => {
    await t.emulator.controls.setFault({ method: 'POST', path: PI_PATH, loseResponse: 1 });
    const charge = await t.call('charges.create', chargeInput());
    expect(charge.status).toBe('succeeded');
    const intent = await onlyIntent();
    expect(charge.paymentIntentId).toBe(intent.id);
    const posts = t.emulator.requestLog.filter((e) => e.method === 'POST' && e.path === PI_PATH);
    expect(posts.map((e) => e.idempotencyKey)).toEqual([charge.idempotencyKey, charge.idempotencyKey]);
    expect(posts[1].replayed).toBe(true);
  });

  it('(b) more lost answers than the SDK retries: stays pending (never failed), then resolve finishes it', async () => {
    (await onFlakyNetwork()).loseResponses('POST', PI_PATH, SDK_ATTEMPTS);
    const pending = await t.call('charges.create', chargeInput());
    expect(pending.status).toBe('pending');
    expect(requestCount(t, 'POST', PI_PATH)).toBe(SDK_ATTEMPTS);
    expect(pending.failure?.code).toBe(OUTCOME_UNKNOWN);
    expect(pending.paymentIntentId).toBeNull();
    expect((await readStoredData(t)).charges[0]).toMatchObject({ status: 'pending', idempotencyKey: pending.idempotencyKey });
    // Stripe did make it, once
    expect((await onlyIntent()).status).toBe('succeeded');

    const resolved = await t.call('charges.resolve', { chargeId: pending.id });
    expect(resolved).toMatchObject({ id: pending.id, status: 'succeeded', failure: null });
    const intent = await onlyIntent();
    expect(resolved.paymentIntentId).toBe(intent.id);
    const posts = t.emulator.requestLog.filter((e) => e.method === 'POST' && e.path === PI_PATH);
    expect(new Set(posts.map((e) => e.idempotencyKey))).toEqual(new Set([pending.idempotencyKey]));
    expect(posts.at(-1)!.replayed).toBe(true);
    expect((await readStoredData(t)).charges[0]).toMatchObject({ status: 'succeeded', paymentIntentId: intent.id });
  });

  it('a lost decline is resolved as declined, not retried into a payment', async () => {
    (await onFlakyNetwork()).loseResponses('POST', PI_PATH, SDK_ATTEMPTS);
    const pending = await t.call('charges.create', chargeInput(9901));
    expect(pending.status).toBe('pending');
    const resolved = await t.call('charges.resolve', { chargeId: pending.id });
    expect(resolved.status).toBe('declined');
    expect(resolved.paymentIntentId).toBe((await onlyIntent()).id);
  });
});

describe('(c) crash or restart between the write-ahead and the result', () => {
  it('answer lost, app restarted: the start-up pass finishes it with the same key', async () => {
    (await onFlakyNetwork()).loseResponses('POST', PI_PATH, SDK_ATTEMPTS);
    const pending = await t.call('charges.create', chargeInput());
    expect(pending.status).toBe('pending');

    await t.restart(); // the start-up pass, on a good network
    const stored = (await readStoredData(t)).charges[0];
    expect(stored).toMatchObject({ id: pending.id, status: 'succeeded', idempotencyKey: pending.idempotencyKey });
    expect(stored.paymentIntentId).toBe((await onlyIntent()).id);
    const keys = t.emulator.requestLog.filter((e) => e.method === 'POST' && e.path === PI_PATH).map((e) => e.idempotencyKey);
    expect(new Set(keys)).toEqual(new Set([pending.idempotencyKey]));
  });

  it('request never reached Stripe (no connection), app restarted: sent once at start-up', async () => {
    await t.restart({ stripe: await unreachableStripe() });
    await signInManager(t);
    const pending = await t.call('charges.create', chargeInput());
    expect(pending.status).toBe('pending');
    expect(requestCount(t, 'POST', PI_PATH)).toBe(0);

    await t.restart(); // back online
    const stored = (await readStoredData(t)).charges[0];
    expect(stored.status).toBe('succeeded');
    expect(stored.paymentIntentId).toBe((await onlyIntent()).id);
    expect(requestCount(t, 'POST', PI_PATH)).toBe(1);
  });

  it('a start-up pass that still cannot reach Stripe keeps the charge pending and lets the app start', async () => {
    await t.restart({ stripe: await unreachableStripe() });
    await signInManager(t);
    const pending = await t.call('charges.create', chargeInput());
    await t.restart({ stripe: await unreachableStripe() });
    expect((await readStoredData(t)).charges[0]).toMatchObject({ id: pending.id, status: 'pending' });
    await t.restart();
    expect((await readStoredData(t)).charges[0].status).toBe('succeeded');
    await onlyIntent();
  });

  it('key older than 24 hours: finds the PaymentIntent by its metadata instead of replaying', async () => {
    (await onFlakyNetwork()).loseResponses('POST', PI_PATH, SDK_ATTEMPTS);
    const pending = await t.call('charges.create', chargeInput());
    expect(pending.status).toBe('pending');
    const posts = requestCount(t, 'POST', PI_PATH);
    // both sides a day and more later: Stripe may have forgotten the key
    await t.emulator.controls.advanceClock(25 * 3600);
    const later = Date.now() + 25 * 3600 * 1000;
    await t.restart({ clock: { now: () => new Date(later + (Date.now() % 1000)) } });
    const stored = (await readStoredData(t)).charges[0];
    expect(stored).toMatchObject({ id: pending.id, status: 'succeeded' });
    expect(stored.paymentIntentId).toBe((await onlyIntent()).id);
    expect(requestCount(t, 'POST', PI_PATH)).toBe(posts); // nothing re-sent
  });

  it('key older than 24 hours and no PaymentIntent exists: sends it once', async () => {
    await t.restart({ stripe: await unreachableStripe() });
    await signInManager(t);
    const pending = await t.call('charges.create', chargeInput());
    await t.emulator.controls.advanceClock(25 * 3600);
    const later = Date.now() + 25 * 3600 * 1000;
    await t.restart({ clock: { now: () => new Date(later) } });
    expect((await readStoredData(t)).charges[0]).toMatchObject({ id: pending.id, status: 'succeeded' });
    await onlyIntent();
    expect(requestCount(t, 'POST', PI_PATH)).toBe(1);
  });
});

describe('(d) server errors and rate limits', () => {
  it('500s are retried by the SDK with the same key: one PaymentIntent', async () => {
    await t.emulator.controls.setFault({ method: 'POST', path: PI_PATH, status500: 2 });
    const charge = await t.call('charges.create', chargeInput());
    expect(charge.status).toBe('succeeded');
    expect(charge.paymentIntentId).toBe((await onlyIntent()).id);
    expect(requestCount(t, 'POST', PI_PATH)).toBe(3);
  });

  it('429s with Stripe-Should-Retry are retried: one PaymentIntent', async () => {
    await t.emulator.controls.setFault({ method: 'POST', path: PI_PATH, rateLimit: 2, rateLimitShouldRetry: true });
    const charge = await t.call('charges.create', chargeInput());
    expect(charge.status).toBe('succeeded');
    expect(charge.paymentIntentId).toBe((await onlyIntent()).id);
  });

  it('more 500s than retries, or a 429 the SDK does not retry: pending, then resolved once', async () => {
    await t.emulator.controls.setFault({ method: 'POST', path: PI_PATH, status500: SDK_ATTEMPTS });
    const afterServerErrors = await t.call('charges.create', chargeInput());
    expect(afterServerErrors.status).toBe('pending');
    expect((await t.call('charges.resolve', { chargeId: afterServerErrors.id })).status).toBe('succeeded');

    await t.emulator.controls.setFault({ method: 'POST', path: PI_PATH, rateLimit: 1 });
    const afterRateLimit = await t.call('charges.create', { ...chargeInput(), amount: 4300 });
    expect(afterRateLimit.status).toBe('pending');
    expect((await t.call('charges.resolve', { chargeId: afterRateLimit.id })).status).toBe('succeeded');

    const intents = (await t.core.env.stripe.paymentIntents.list({ customer: saved.customer.stripeCustomerId })).data;
    expect(intents.map((i) => i.amount).sort()).toEqual([4200, 4300]);
    const charges = (await readStoredData(t)).charges;
    expect(charges.map((c) => c.paymentIntentId).sort()).toEqual(intents.map((i) => i.id).sort());
  });
});

describe('refunds under faults', () => {
  it('a refund whose answers are lost stays pending, then resolve finishes it once', async () => {
    const charge = await t.call('charges.create', chargeInput());
    (await onFlakyNetwork()).loseResponses('POST', '/v1/refunds', SDK_ATTEMPTS);
    const afterLoss = await t.call('refunds.create', { chargeId: charge.id, amount: 1000, reason: 'requested_by_customer', note: '', requestKey: randomUUID() });
    expect(afterLoss.refunds[0].status).toBe('pending');
    expect(afterLoss.refundedAmount).toBe(1000); // held against what can still be refunded

    const resolved = await t.call('charges.resolve', { chargeId: charge.id });
    expect(['succeeded', 'processing']).toContain(resolved.refunds[0].status);
    const refunds = (await t.core.env.stripe.refunds.list({ payment_intent: charge.paymentIntentId! })).data;
    expect(refunds).toHaveLength(1);
    expect(resolved.refunds[0].stripeRefundId).toBe(refunds[0].id);
  });

  it('an interrupted refund is finished by the start-up pass', async () => {
    const charge = await t.call('charges.create', chargeInput());
    (await onFlakyNetwork()).loseResponses('POST', '/v1/refunds', SDK_ATTEMPTS);
    const afterLoss = await t.call('refunds.create', { chargeId: charge.id, amount: 4200, reason: 'duplicate', note: 'charged twice by hand', requestKey: randomUUID() });
    expect(afterLoss.refunds[0].status).toBe('pending');
    await t.restart();
    const [refund] = (await readStoredData(t)).refunds;
    expect(['succeeded', 'processing']).toContain(refund.status);
    const refunds = (await t.core.env.stripe.refunds.list({ payment_intent: charge.paymentIntentId! })).data;
    expect(refunds.map((r) => r.id)).toEqual([refund.stripeRefundId]);
  });
});
