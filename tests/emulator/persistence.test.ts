import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { startEmulator } from '../../main/emulator/index.js';
import { createCustomerWithSavedAmazonPay, startEmulatorWithClient, stripeClientFor } from './helpers.js';

const dirs: string[] = [];
function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'emu-state-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('persistence (statePath)', () => {
  it('keeps state, clock and idempotency records across stop/start', async () => {
    const statePath = join(tempDir(), 'training', 'stripe-emulator.json');
    const first = await startEmulatorWithClient({ statePath });
    const saved = await createCustomerWithSavedAmazonPay(first.stripe);
    const open = await first.stripe.checkout.sessions.create({
      mode: 'setup', customer: saved.customer.id, allowed_payment_method_types: ['amazon_pay'], success_url: 'https://x.test/ok',
    });
    const key = 'persisted-key-1';
    const pi = await first.stripe.paymentIntents.create(
      { amount: 5000, currency: 'jpy', customer: saved.customer.id, payment_method: saved.paymentMethod.id, allowed_payment_method_types: ['amazon_pay'], off_session: true, confirm: true },
      { idempotencyKey: key },
    );
    first.emulator.controls.advanceClock(3600);
    const clock = first.emulator.controls.now();
    await first.emulator.stop();

    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    expect(state.schemaVersion).toBe(1);
    expect(readdirSync(join(statePath, '..')).filter((f) => f.includes('.tmp-'))).toEqual([]);

    const second = await startEmulatorWithClient({ statePath });
    try {
      const s: Stripe = second.stripe;
      expect(((await s.customers.retrieve(saved.customer.id)) as Stripe.Customer).email).toBe('saved@example.com');
      const si = await s.setupIntents.retrieve(saved.setupIntent.id);
      expect(si.status).toBe('succeeded');
      expect((await s.mandates.retrieve(saved.mandateId)).status).toBe('active');
      const replay = await s.paymentIntents.create(
        { amount: 5000, currency: 'jpy', customer: saved.customer.id, payment_method: saved.paymentMethod.id, allowed_payment_method_types: ['amazon_pay'], off_session: true, confirm: true },
        { idempotencyKey: key },
      );
      expect(replay.id).toBe(pi.id);
      expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
      expect(Math.abs(second.emulator.controls.now() - clock)).toBeLessThanOrEqual(2);
      // the open session points at the new server
      const reopened = await s.checkout.sessions.retrieve(open.id);
      expect(reopened.url).toBe(`${second.emulator.origin}/checkout/pay/${open.id}`);
      expect((await fetch(reopened.url!)).status).toBe(200);
      const events = await s.events.list({ limit: 100 });
      expect(events.data.length).toBeGreaterThan(5);
    } finally {
      await second.emulator.stop();
    }
  });

  it('reset wipes state, logs and faults (and the file)', async () => {
    const statePath = join(tempDir(), 'state.json');
    const { emulator, stripe } = await startEmulatorWithClient({ statePath });
    try {
      const c = await stripe.customers.create({});
      emulator.controls.setFault({ path: '/v1/**', latencyMs: 1 });
      await emulator.reset();
      expect(emulator.requestLog).toHaveLength(0);
      await expect(stripe.customers.retrieve(c.id)).rejects.toMatchObject({ statusCode: 404 });
      expect(JSON.parse(readFileSync(statePath, 'utf8')).objects.customer).toBeUndefined();
    } finally {
      await emulator.stop();
    }
  });

  it('a corrupt state file is moved aside and the emulator starts empty', async () => {
    const dir = tempDir();
    const statePath = join(dir, 'state.json');
    writeFileSync(statePath, '{not json');
    const lines: string[] = [];
    const emulator = await startEmulator({ statePath, log: (l) => lines.push(l) });
    try {
      const stripe = stripeClientFor(emulator);
      expect((await stripe.customers.list()).data).toHaveLength(0);
      expect(readdirSync(dir).some((f) => f.startsWith('state.json.corrupt-'))).toBe(true);
      expect(lines.join('\n')).toMatch(/could not read state file/);
      await stripe.customers.create({});
      expect(existsSync(statePath)).toBe(true);
    } finally {
      await emulator.stop();
    }
  });

  it('starts in well under 50 ms', async () => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const e = await startEmulator();
      times.push(performance.now() - t0);
      await e.stop();
    }
    expect(Math.min(...times)).toBeLessThan(50);
  });
});
