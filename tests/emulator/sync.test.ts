/**
 * What another desk needs to follow changes without webhooks: the Events list read forward from the last
 * event seen (`ending_before`), or by `created`; and PaymentIntents found by customer and by metadata.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import type { RunningEmulator } from '../../main/emulator/index.js';
import { createCustomerWithSavedAmazonPay, startEmulatorWithClient } from './helpers.js';

let emulator: RunningEmulator;
let stripe: Stripe;
let saved: Awaited<ReturnType<typeof createCustomerWithSavedAmazonPay>>;

beforeAll(async () => {
  ({ emulator, stripe } = await startEmulatorWithClient());
  saved = await createCustomerWithSavedAmazonPay(stripe, { email: 'sync@example.com', name: 'Sync' });
});
afterAll(() => emulator.stop());

const charge = (amount: number, metadata: Record<string, string>, customer = saved.customer.id, pm = saved.paymentMethod.id) =>
  stripe.paymentIntents.create({ amount, currency: 'jpy', customer, payment_method: pm, allowed_payment_method_types: ['amazon_pay'], off_session: true, confirm: true, metadata });

describe('Events list for polling', () => {
  it('ending_before the last event seen returns exactly the newer ones, oldest last; starting_after pages back', async () => {
    const [last] = (await stripe.events.list({ limit: 1 })).data;
    const pi = await charge(1200, { consent_id: 'c-1' });
    const newer = (await stripe.events.list({ ending_before: last.id, limit: 100 })).data;
    expect(newer.map((e) => e.type).sort()).toEqual(['charge.succeeded', 'payment_intent.created', 'payment_intent.succeeded']);
    expect(newer.every((e) => e.created >= last.created)).toBe(true);
    expect(newer.some((e) => (e.data.object as { id: string }).id === pi.id)).toBe(true);
    // nothing newer than the newest
    expect((await stripe.events.list({ ending_before: newer[0].id })).data).toEqual([]);
    // starting_after the oldest new one gives `last` first
    expect((await stripe.events.list({ starting_after: newer.at(-1)!.id, limit: 1 })).data[0].id).toBe(last.id);
  });

  it('created filters by the emulator clock; unknown cursors and bad ranges are clear errors', async () => {
    const before = emulator.controls.now();
    emulator.controls.advanceClock(3600);
    await charge(1300, { consent_id: 'c-2' });
    const recent = (await stripe.events.list({ created: { gte: before + 3600 }, limit: 100 })).data;
    expect(recent.map((e) => e.type).sort()).toEqual(['charge.succeeded', 'payment_intent.created', 'payment_intent.succeeded']);
    expect((await stripe.events.list({ created: { lt: before + 3600 }, limit: 100 })).data.every((e) => e.created < before + 3600)).toBe(true);
    await expect(stripe.events.list({ starting_after: 'evt_nope' })).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'starting_after' });
    await expect(stripe.events.list({ created: { after: 1 } as unknown as Stripe.RangeQueryParam })).rejects.toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'created[after]' });
  });
});

describe('PaymentIntents by customer and metadata', () => {
  it('search finds by metadata, customer, status and amount; list filters by customer', async () => {
    const other = await createCustomerWithSavedAmazonPay(stripe, { email: 'other@example.com', name: 'Other' });
    const a = await charge(2100, { consent_id: 'cons-A', desk: 'counter' });
    const b = await charge(2200, { consent_id: 'cons-B', desk: 'office' });
    const c = await charge(2300, { consent_id: 'cons-A', desk: 'office' }, other.customer.id, other.paymentMethod.id);
    const ids = (r: { data: { id: string }[] }) => r.data.map((x) => x.id);
    expect(ids(await stripe.paymentIntents.search({ query: "metadata['consent_id']:'cons-A'" }))).toEqual([c.id, a.id]);
    expect(ids(await stripe.paymentIntents.search({ query: `metadata['consent_id']:'cons-A' AND customer:'${saved.customer.id}'` }))).toEqual([a.id]);
    expect(ids(await stripe.paymentIntents.search({ query: "metadata['desk']:'office' AND amount>2200" }))).toEqual([c.id]);
    expect(ids(await stripe.paymentIntents.search({ query: "status:'succeeded' AND -metadata['desk']:'office'", limit: 100 }))).toContain(a.id);
    const page1 = await stripe.paymentIntents.search({ query: "metadata['desk']:'office'", limit: 1 });
    expect(page1).toMatchObject({ object: 'search_result', url: '/v1/payment_intents/search', has_more: true });
    expect(ids(await stripe.paymentIntents.search({ query: "metadata['desk']:'office'", limit: 1, page: page1.next_page! }))).toEqual([b.id]);
    expect(ids(await stripe.paymentIntents.list({ customer: other.customer.id }))).toEqual([c.id]);
    // SetupIntents have no search at Stripe: they are listed by customer
    expect(ids(await stripe.setupIntents.list({ customer: other.customer.id }))).toEqual([other.setupIntent.id]);
  });

  it('a malformed query or an unknown field is a 400 naming `query`', async () => {
    await expect(stripe.paymentIntents.search({ query: "metadata['k']" })).rejects.toMatchObject({ statusCode: 400, param: 'query' });
    await expect(stripe.paymentIntents.search({ query: "email:'a@b.c'" })).rejects.toMatchObject({ statusCode: 400, param: 'query' });
  });
});
