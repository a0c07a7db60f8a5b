/** Every HTTP test control answers as documented in README (the route table in http/controls.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import type { RunningEmulator } from '../../main/emulator/index.js';
import { createCustomerWithSavedAmazonPay, startEmulatorWithClient, type Json } from './helpers.js';

let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  ({ emulator, stripe } = await startEmulatorWithClient());
});
afterAll(() => emulator.stop());

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${emulator.origin}/_emulator${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, json: await res.json() };
}

describe('HTTP controls', () => {
  it('health, clock and advance', async () => {
    expect((await control('GET', '/health')).json).toMatchObject({ ok: true, origin: emulator.origin, api_version: '2026-10-28.endive' });
    const { now } = (await control('GET', '/clock')).json;
    expect((await control('POST', '/clock/advance', { seconds: 60 })).json.now).toBe(now + 60);
    expect(await control('POST', '/clock/advance', { seconds: -1 })).toMatchObject({ status: 400, json: { error: { param: 'seconds' } } });
  });

  it('payment and refund outcomes are queued, listed, used and cleared', async () => {
    const saved = await createCustomerWithSavedAmazonPay(stripe);
    expect((await control('POST', '/payment_outcomes', { outcome: 'decline', customer: saved.customer.id })).json.queued).toHaveLength(1);
    expect((await control('GET', '/payment_outcomes')).json.queued).toEqual([{ customer: saved.customer.id, outcome: 'decline', remaining: 1 }]);
    expect((await control('POST', '/payment_outcomes', { outcome: 'nope' })).status).toBe(400);
    const pay = () => stripe.paymentIntents.create({ amount: 1000, currency: 'jpy', customer: saved.customer.id, payment_method: saved.paymentMethod.id, allowed_payment_method_types: ['amazon_pay'], off_session: true, confirm: true });
    await expect(pay()).rejects.toMatchObject({ statusCode: 402 });
    expect((await control('GET', '/payment_outcomes')).json.queued).toEqual([]);
    await control('POST', '/payment_outcomes', { outcome: 'decline' });
    expect((await control('DELETE', '/payment_outcomes')).json).toEqual({ ok: true });
    const pi = await pay();
    expect(pi.status).toBe('succeeded');
    expect((await control('POST', '/refund_outcomes', { outcome: 'maybe' })).status).toBe(400);
    expect((await control('POST', '/refund_outcomes', { outcome: 'fail' })).json).toEqual({ ok: true });
    expect((await control('DELETE', '/refund_outcomes')).json).toEqual({ ok: true });
    const refund = await stripe.refunds.create({ payment_intent: pi.id });
    await new Promise((r) => setTimeout(r, 50));
    expect((await control('GET', `/objects/${refund.id}`)).json.status).toBe('succeeded');
    expect((await control('GET', '/objects/re_nope')).status).toBe(404);
  });

  it('mandates, checkout sessions, webhooks and the request log', async () => {
    const saved = await createCustomerWithSavedAmazonPay(stripe);
    expect((await control('POST', `/mandates/${saved.mandateId}/deactivate`)).json).toMatchObject({ id: saved.mandateId, status: 'inactive' });
    const session = await stripe.checkout.sessions.create({ mode: 'setup', customer: saved.customer.id, allowed_payment_method_types: ['amazon_pay'], success_url: 'http://127.0.0.1:9/ok?s={CHECKOUT_SESSION_ID}' });
    expect((await control('POST', `/checkout/sessions/${session.id}/fail`)).json.redirectUrl).toContain(session.id);
    expect((await control('POST', `/checkout/sessions/${session.id}/authorize`)).json.redirectUrl).toBe(`http://127.0.0.1:9/ok?s=${session.id}`);
    expect((await control('POST', '/checkout/sessions/cs_test_nope/authorize')).status).toBe(404);
    expect((await control('POST', '/webhooks/retry_schedule', { delays_ms: [10, 20] })).json).toEqual({ ok: true });
    expect((await control('POST', '/webhooks/retry_schedule', { delays_ms: [-1] })).status).toBe(400);
    expect((await control('GET', '/webhooks/deliveries')).json).toEqual({ deliveries: [] });
    const { requests } = (await control('GET', '/requests')).json;
    const last = requests.at(-1);
    expect((await control('GET', `/requests/${last.requestId}`)).json).toEqual(last);
    expect((await control('GET', '/requests/req_nope')).status).toBe(404);
    expect((await control('GET', '/no_such_control')).status).toBe(404);
    expect((await control('POST', '/reset')).json).toEqual({ ok: true });
    expect((await control('GET', `/objects/${saved.customer.id}`)).status).toBe(404);
  });
});
