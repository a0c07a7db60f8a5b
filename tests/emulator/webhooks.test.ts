import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import type { RunningEmulator } from '../../main/emulator/index.js';
import { createCustomerWithSavedAmazonPay, startEmulatorWithClient } from './helpers.js';

let emulator: RunningEmulator;
let stripe: Stripe;

interface Received {
  body: string;
  signature: string;
}

async function receiver(failFirst = 0): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  let failures = failFirst;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['stripe-signature']) });
      if (failures > 0) {
        failures--;
        res.writeHead(500);
        res.end('nope');
        return;
      }
      res.writeHead(200);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`, received, server };
}

async function until(cond: () => boolean, ms = 5000) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  ({ emulator, stripe } = await startEmulatorWithClient());
});
afterAll(() => emulator.stop());

describe('webhook endpoints', () => {
  it('create returns a whsec_ secret once; list, retrieve, update, delete', async () => {
    const we = await stripe.webhookEndpoints.create({ url: 'https://example.com/hook', enabled_events: ['checkout.session.completed'] });
    expect(we).toMatchObject({ object: 'webhook_endpoint', status: 'enabled', enabled_events: ['checkout.session.completed'], url: 'https://example.com/hook' });
    expect(we.secret).toMatch(/^whsec_/);
    const got = await stripe.webhookEndpoints.retrieve(we.id);
    expect(got.secret).toBeUndefined();
    expect((await stripe.webhookEndpoints.list()).data.map((w) => w.id)).toContain(we.id);
    const upd = await stripe.webhookEndpoints.update(we.id, { disabled: true });
    expect(upd.status).toBe('disabled');
    expect(await stripe.webhookEndpoints.del(we.id)).toMatchObject({ id: we.id, deleted: true });
    await expect(stripe.webhookEndpoints.retrieve(we.id)).rejects.toMatchObject({ statusCode: 404 });
    await expect(stripe.webhookEndpoints.create({ url: 'https://example.com/h', enabled_events: [] as never })).rejects.toMatchObject({ statusCode: 400 });
  });

  it('delivers signed events that constructEvent accepts (the setup flow)', async () => {
    const hook = await receiver();
    try {
      const we = await stripe.webhookEndpoints.create({ url: hook.url, enabled_events: ['checkout.session.completed', 'setup_intent.succeeded', 'payment_method.attached'] });
      const { session } = await createCustomerWithSavedAmazonPay(stripe);
      await until(() => hook.received.length >= 3);
      await emulator.controls.webhooksIdle();
      const events = hook.received.map((r) => stripe.webhooks.constructEvent(r.body, r.signature, we.secret!));
      expect(events.map((e) => e.type).sort()).toEqual(['checkout.session.completed', 'payment_method.attached', 'setup_intent.succeeded']);
      const completed = events.find((e) => e.type === 'checkout.session.completed')!;
      expect((completed.data.object as Stripe.Checkout.Session).id).toBe(session.id);
      expect(() => stripe.webhooks.constructEvent(hook.received[0].body, hook.received[0].signature, 'whsec_wrong')).toThrow(Stripe.errors.StripeSignatureVerificationError);
      const stored = await stripe.events.retrieve(completed.id);
      expect(stored.pending_webhooks).toBe(0);
      await stripe.webhookEndpoints.del(we.id);
    } finally {
      hook.server.close();
    }
  });

  it('retries a failing endpoint until it succeeds', async () => {
    emulator.controls.setWebhookRetrySchedule([50, 50, 50]);
    const hook = await receiver(2);
    try {
      const we = await stripe.webhookEndpoints.create({ url: hook.url, enabled_events: ['customer.created'] });
      const c = await stripe.customers.create({ email: 'hook@example.com' });
      await until(() => hook.received.length >= 3);
      await emulator.controls.webhooksIdle();
      const attempts = emulator.controls.webhookDeliveries().filter((d) => d.endpointId === we.id);
      expect(attempts.map((a) => [a.attempt, a.status, a.ok])).toEqual([
        [1, 500, false],
        [2, 500, false],
        [3, 200, true],
      ]);
      const ids = hook.received.map((r) => stripe.webhooks.constructEvent(r.body, r.signature, we.secret!).id);
      expect(new Set(ids).size).toBe(1);
      const ev = await stripe.events.retrieve(ids[0]);
      expect((ev.data.object as Stripe.Customer).id).toBe(c.id);
      expect(ev.pending_webhooks).toBe(0);
      expect((await stripe.events.list({ delivery_success: true, type: 'customer.created' })).data.map((e) => e.id)).toContain(ev.id);
      await stripe.webhookEndpoints.del(we.id);
    } finally {
      hook.server.close();
    }
  });

  it('gives up after the last retry; an unreachable endpoint does not disturb the API', async () => {
    emulator.controls.setWebhookRetrySchedule([20]);
    const we = await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/unreachable', enabled_events: ['*'] });
    const c = await stripe.customers.create({});
    await until(() => emulator.controls.webhookDeliveries().filter((d) => d.endpointId === we.id).length >= 2);
    await new Promise((r) => setTimeout(r, 60));
    const attempts = emulator.controls.webhookDeliveries().filter((d) => d.endpointId === we.id);
    expect(attempts).toHaveLength(2);
    expect(attempts.every((a) => !a.ok && a.status === null)).toBe(true);
    const ev = (await stripe.events.list({ type: 'customer.created', limit: 1 })).data[0];
    expect((ev.data.object as Stripe.Customer).id).toBe(c.id);
    expect(ev.pending_webhooks).toBe(1);
    await stripe.webhookEndpoints.del(we.id);
  });
});
