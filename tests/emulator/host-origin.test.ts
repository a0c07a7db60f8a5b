/**
 * The training emulator answers only to its own address (as the browser bridge does): a foreign
 * Host (DNS rebinding) is refused on every path, the API included, and so is any Origin that is not
 * its own, `null` included. The SDK (no Origin) and the hosted page in a browser keep working
 * (the browser side is hosted-page.browser.test.ts).
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { EMULATOR_API_KEY, type RunningEmulator } from '../../main/emulator/index.js';
import { startEmulatorWithClient, type Json } from './helpers.js';

let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  ({ emulator, stripe } = await startEmulatorWithClient());
});
afterAll(() => emulator.stop());

/** Plain HTTP with full control over Host and Origin (fetch cannot set Host). */
function send(path: string, options: { method?: string; host?: string; origin?: string; auth?: boolean; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: options.host ?? `127.0.0.1:${emulator.port}` };
    if (options.origin !== undefined) headers.origin = options.origin;
    if (options.auth) headers.authorization = `Bearer ${EMULATOR_API_KEY}`;
    if (options.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const req = request({ host: '127.0.0.1', port: emulator.port, path, method: options.method ?? 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('emulator Host and Origin checks', () => {
  it('the SDK (no Origin) still works, by address or as localhost', async () => {
    const customer = await stripe.customers.create({ email: 'trainee@example.com' });
    expect((await stripe.customers.retrieve(customer.id)).id).toBe(customer.id);
    expect((await send('/v1/customers', { auth: true, host: `localhost:${emulator.port}` })).status).toBe(200);
    expect((await send('/v1/customers', { auth: true, origin: emulator.origin })).status).toBe(200);
  });

  it('refuses the API under a foreign Host, even with a valid key, without leaking a customer', async () => {
    await stripe.customers.create({ email: 'private-trainee@example.com' });
    for (const host of ['attacker.example', `attacker.example:${emulator.port}`, `127.0.0.1:${emulator.port + 1}`, `localhost`, `[::1]:${emulator.port}`]) {
      const answer = await send('/v1/customers', { auth: true, host });
      expect(answer.status, host).toBe(403);
      expect(answer.body, host).not.toContain('private-trainee@example.com');
      expect((JSON.parse(answer.body) as Json).error).toMatchObject({ type: 'invalid_request_error', message: expect.stringContaining('cross-site') });
    }
  });

  it('refuses the API from a foreign or null Origin', async () => {
    for (const origin of ['https://evil.example', 'null', `http://127.0.0.1:${emulator.port + 1}`, `https://127.0.0.1:${emulator.port}`]) {
      expect((await send('/v1/customers', { auth: true, origin })).status, origin).toBe(403);
      expect((await send('/v1/customers', { auth: true, origin, method: 'POST', body: 'email=forged%40example.com' })).status, origin).toBe(403);
    }
    const list = await stripe.customers.list({ email: 'forged@example.com' });
    expect(list.data).toEqual([]);
  });

  it('control calls refuse Origin: null and foreign origins, and change nothing', async () => {
    const kept = await stripe.customers.create({ email: 'kept@example.com' });
    for (const origin of ['null', 'https://evil.example']) {
      expect((await send('/_emulator/reset', { method: 'POST', origin })).status, origin).toBe(403);
      expect((await send('/_emulator/clock/advance', { method: 'POST', origin, body: '{"seconds":86400}' })).status, origin).toBe(403);
      expect((await send('/_emulator/health', { origin })).status, origin).toBe(403);
    }
    expect((await stripe.customers.retrieve(kept.id)).id).toBe(kept.id);
    expect((await send('/_emulator/health')).status).toBe(200);
    expect((await send('/_emulator/health', { origin: `http://localhost:${emulator.port}` })).status).toBe(200);
  });

  it('the hosted page refuses a form posted from Origin: null, and takes one from its own origin', async () => {
    const customer = await stripe.customers.create({});
    const session = await stripe.checkout.sessions.create({
      mode: 'setup',
      customer: customer.id,
      allowed_payment_method_types: ['amazon_pay'],
      success_url: 'http://127.0.0.1:9/done?session_id={CHECKOUT_SESSION_ID}',
    });
    const path = new URL(session.url!).pathname;
    expect((await send(path)).status).toBe(200); // a navigation carries no Origin
    expect((await send(`${path}/continue`, { method: 'POST', origin: 'null' })).status).toBe(403);
    expect((await send(`${path}/continue`, { method: 'POST', host: 'rebound.example' })).status).toBe(403);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    expect((await send(`${path}/continue`, { method: 'POST', origin: emulator.origin })).status).toBe(303);
  });
});
