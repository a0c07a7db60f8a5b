/**
 * One shop, two desks: two data folders, one emulator, the real SDK. What desk A shares at Stripe
 * (consent metadata, the evidence file, withdrawals, charge and refund metadata) is what desk B
 * charges from and what a wiped desk is rebuilt from.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../main/emulator/index';
import { SHARE_KEYS, customerEvidenceKey, downloadStripeFile, sharedOnCustomer } from '../../main/core/stripe-share';
import { consentFromEvidence } from '../../main/core/stripe-import';
import { signInManager, startTestCore, type TestCore } from '../helpers/core';
import { callError, createCustomerWithSavedMethod, mandateParams, readStoredData, type CustomerWithSavedMethod } from '../helpers/saved-method';

let emulator: RunningEmulator;
let a: TestCore;
let b: TestCore;
/** Desk A's clock runs this far ahead (the retry test moves it past a backoff). */
let aheadMs = 0;

beforeEach(async () => {
  emulator = await startEmulator();
  aheadMs = 0;
  a = await startTestCore({ emulator, deps: { clock: { now: () => new Date(Date.now() + aheadMs) }, shareDelayMs: 0 } });
  b = await startTestCore({ emulator, deps: { shareDelayMs: 0 } });
  await signInManager(a, 'Aiko Manager');
  await signInManager(b, 'Ben Manager');
});
afterEach(async () => {
  await a.close();
  await b.close();
  await emulator.stop();
});

const chargeInput = (saved: CustomerWithSavedMethod, amount = 1250, description = 'Dry cleaning') => ({
  customerId: saved.customer.id,
  consentId: saved.consent.id,
  paymentMethodId: saved.paymentMethodId,
  amount,
  currency: 'eur' as const,
  description,
  requestKey: randomUUID(),
});

/** Desk A's consent with its evidence at Stripe (the upload runs in the background; this waits for it). */
async function savedAtA(options: Parameters<typeof createCustomerWithSavedMethod>[1] = {}): Promise<CustomerWithSavedMethod> {
  const saved = await createCustomerWithSavedMethod(a, options);
  await a.core.stripeShare.idle();
  return saved;
}

/** Desk B finds the customer by e-mail at Stripe (as staff would) and opens it. */
async function openAtB(email: string) {
  const found = await b.call('customers.search', { query: email });
  expect(found.local).toHaveLength(0);
  expect(found.stripeOnly).toHaveLength(1);
  return b.call('customers.importFromStripe', { stripeCustomerId: found.stripeOnly[0].stripeCustomerId });
}

describe('what a desk shares at Stripe', () => {
  it("puts the consent's id, terms, hash, language and parameters on the SetupIntent, and its evidence in the Files API", async () => {
    const saved = await savedAtA({ email: 'share@example.com' });
    const stripe = a.core.env.stripe;
    const intent = await stripe.setupIntents.retrieve(saved.setup.setupIntentId!);
    expect(intent.metadata).toMatchObject({
      [SHARE_KEYS.consentId]: saved.consent.id,
      [SHARE_KEYS.termsVersion]: saved.consent.termsVersion,
      [SHARE_KEYS.textSha256]: saved.consent.textSha256,
      [SHARE_KEYS.language]: 'en',
      mandate_desk_p_frequency: 'as_needed',
      mandate_desk_p_max_amount: '50000',
      mandate_desk_p_currency: 'eur',
    });
    const view = await a.call('consents.get', { consentId: saved.consent.id });
    expect(view.stripeEvidence).toMatchObject({ state: 'uploaded', attempts: 1, lastError: null });
    const fileId = view.stripeEvidence!.fileIds[0];
    const metadata = intent.metadata ?? {};
    expect(metadata[SHARE_KEYS.evidenceFile]).toBe(fileId);
    expect(Object.keys(metadata).length).toBeLessThanOrEqual(50);
    for (const [key, value] of Object.entries(metadata)) {
      expect(key.length).toBeLessThanOrEqual(40);
      expect(value.length).toBeLessThanOrEqual(500);
    }
    const file = await stripe.files.retrieve(fileId);
    expect(file.purpose).toBe('dispute_evidence');
    expect(file.type).toBe('pdf');
    const customer = await stripe.customers.retrieve(saved.customer.stripeCustomerId);
    expect(sharedOnCustomer((customer as { metadata: Record<string, string> }).metadata).evidence).toEqual([{ consentId: saved.consent.id, fileIds: [fileId] }]);
    // the file holds the consent as accepted; its text hashes to the recorded SHA-256
    const checked = await consentFromEvidence(await downloadStripeFile(stripe, fileId), saved.consent.textSha256);
    expect('record' in checked && checked.record).toMatchObject({ id: saved.consent.id, text: saved.consent.text, typedName: 'Ada Customer' });
  });

  it('retries the upload with backoff after the emulator refused it, without blocking the consent, also across a restart', async () => {
    emulator.controls.setFault({ method: 'POST', path: '/v1/files', status500: 6 });
    const saved = await savedAtA({ email: 'retry@example.com' });
    const first = await a.call('consents.get', { consentId: saved.consent.id });
    expect(first.status).toBe('active'); // the counter went on: the setup was saved meanwhile
    expect(first.stripeEvidence).toMatchObject({ state: 'failed', attempts: 1, fileIds: [] });
    expect(first.stripeEvidence!.lastError).toBeTruthy();
    expect(Date.parse(first.stripeEvidence!.nextAttemptAt!)).toBeGreaterThan(Date.now());
    // not yet due: nothing is sent
    await a.core.stripeShare.runDue();
    expect((await a.call('consents.get', { consentId: saved.consent.id })).stripeEvidence!.attempts).toBe(1);

    emulator.controls.clearFaults();
    aheadMs = 60_000; // past the first backoff
    await a.restart();
    await signInManager(a, 'Aiko Manager');
    await a.core.stripeShare.runDue();
    await a.core.stripeShare.idle();
    const after = await a.call('consents.get', { consentId: saved.consent.id });
    expect(after.stripeEvidence).toMatchObject({ state: 'uploaded', attempts: 2, lastError: null });
    const customer = await a.core.env.stripe.customers.retrieve(saved.customer.stripeCustomerId);
    expect((customer as { metadata: Record<string, string> }).metadata[customerEvidenceKey(saved.consent.id)]).toContain(after.stripeEvidence!.fileIds[0]);
  });
});

describe('another desk', () => {
  it('charges at desk B what was consented at desk A, with its own terminal in the metadata', async () => {
    const saved = await savedAtA({ email: 'two-desks@example.com' });
    const opened = await openAtB('two-desks@example.com');
    expect(opened.customer.id).toBe(saved.customer.id);
    expect(opened.summary.counts).toMatchObject({ consents: 1, savedMethods: 1 });

    const detail = await b.call('customers.get', { customerId: saved.customer.id });
    expect(detail.consents[0]).toMatchObject({ id: saved.consent.id, textSha256: saved.consent.textSha256, status: 'active', origin: { source: 'stripe', terminalId: saved.consent.terminalId } });
    expect(detail.savedMethods[0]).toMatchObject({ paymentMethodId: saved.paymentMethodId, status: 'active' });

    const charge = await b.call('charges.create', chargeInput(saved));
    expect(charge.status).toBe('succeeded');
    const intent = await b.core.env.stripe.paymentIntents.retrieve(charge.paymentIntentId!);
    const bTerminal = (await b.call('app.info', {})).terminalId;
    expect(intent.metadata).toMatchObject({ mandate_desk_charge_id: charge.id, mandate_desk_consent_id: saved.consent.id, mandate_desk_terminal_id: bTerminal, mandate_desk_staff_name: 'Ben Manager' });

    // importing again changes nothing; desk A sees B's charge when it imports
    const again = await b.call('customers.importFromStripe', { stripeCustomerId: saved.customer.stripeCustomerId });
    expect(again.summary.changed).toBe(false);
    await a.call('customers.importFromStripe', { stripeCustomerId: saved.customer.stripeCustomerId });
    const atA = await a.call('customers.get', { customerId: saved.customer.id });
    expect(atA.charges.find((c) => c.id === charge.id)).toMatchObject({ status: 'succeeded', amount: 1250, origin: { source: 'stripe', terminalId: bTerminal } });
  });

  it('makes one PaymentIntent when both desks charge a single-payment consent at the same moment', async () => {
    const saved = await savedAtA({ email: 'once@example.com', params: mandateParams({ frequency: 'one_off', amountRule: 'fixed', amount: 3000 }) });
    await openAtB('once@example.com');
    const [atA, atB] = await Promise.allSettled([
      a.call('charges.create', chargeInput(saved, 3000, 'Wedding dress')),
      b.call('charges.create', chargeInput(saved, 3000, 'Wedding dress (back office)')),
    ]);
    const intents = (await a.core.env.stripe.paymentIntents.list({ customer: saved.customer.stripeCustomerId, limit: 100 })).data;
    expect(intents).toHaveLength(1);
    expect(intents[0].status).toBe('succeeded');
    // one desk made it; the other recorded that it was made elsewhere (or refused it outright)
    const made = [atA, atB].filter((r) => r.status === 'fulfilled' && r.value.status === 'succeeded');
    expect(made).toHaveLength(1);
    for (const r of [atA, atB]) if (r.status === 'fulfilled' && r.value.status !== 'succeeded') expect(r.value.failure?.code).toBe('charged_elsewhere');
    // each desk now knows the one charge, and refuses another
    for (const desk of [a, b]) {
      const detail = await desk.call('customers.get', { customerId: saved.customer.id });
      expect(detail.charges.filter((c) => c.status === 'succeeded').map((c) => c.paymentIntentId)).toEqual([intents[0].id]);
      expect((await callError(desk.call('charges.create', chargeInput(saved, 3000)))).code).toBe('frequency_not_allowed');
    }
  });

  it('refuses at desk B a charge under a consent withdrawn at desk A', async () => {
    const saved = await savedAtA({ email: 'withdrawn@example.com' });
    await openAtB('withdrawn@example.com');
    await a.call('consents.withdraw', { consentId: saved.consent.id, reason: 'Customer moved away' });
    await a.core.stripeShare.idle();
    const atA = await a.call('consents.get', { consentId: saved.consent.id });
    expect(atA.withdrawal?.stripeShare).toMatchObject({ state: 'uploaded' });
    const intent = await a.core.env.stripe.setupIntents.retrieve(saved.setup.setupIntentId!);
    expect(intent.metadata?.[SHARE_KEYS.withdrawnAt]).toBe(atA.withdrawal!.at);

    const refused = await callError(b.call('charges.create', chargeInput(saved)));
    expect(refused.code).toBe('consent_inactive');
    const atB = await b.call('consents.get', { consentId: saved.consent.id });
    expect(atB.status).toBe('withdrawn');
    expect(atB.withdrawal).toMatchObject({ at: atA.withdrawal!.at, reason: 'Customer moved away', byName: 'Aiko Manager' });
    const stored = await readStoredData(b);
    expect(stored.charges).toHaveLength(0);
  });

  it("rebuilds desk A from Stripe after its folder is deleted: every consent, method, charge and refund, every evidence hash checked", async () => {
    const first = await savedAtA({ email: 'rebuild-1@example.com' });
    const second = await savedAtA({ email: 'rebuild-2@example.com', name: 'Bo Customer', language: 'ja', params: mandateParams({ currency: 'jpy', maxAmount: 20_000 }) });
    const c1 = await a.call('charges.create', chargeInput(first, 4200));
    await a.call('refunds.create', { chargeId: c1.id, amount: 1200, reason: 'requested_by_customer', note: '', requestKey: randomUUID() });
    const c2 = await a.call('charges.create', { ...chargeInput(second, 8800), currency: 'jpy' });
    expect(c2.status).toBe('succeeded');
    // let the asynchronous refund settle, as desk A saw it
    await new Promise((resolve) => setTimeout(resolve, 300));
    await a.call('charges.resolve', { chargeId: c1.id });
    const before = await readStoredData(a);

    // the disk dies: a new, empty folder on the same shop's Stripe account
    await a.close();
    const fresh = await mkdtemp(join(tmpdir(), 'mandate-desk-rebuilt-'));
    try {
      a = await startTestCore({ emulator, dataDir: fresh, deps: { shareDelayMs: 0 } });
      await signInManager(a, 'Aiko Manager');
      const events: string[] = [];
      a.core.subscribe((event, payload) => {
        if (event === 'rebuild.progress') events.push(`${(payload as { done: number }).done}/${(payload as { total: number | null }).total}`);
      });
      // Stripe's rate limit answers twice on the way: retried with backoff
      emulator.controls.setFault({ method: 'GET', path: '/v1/customers', rateLimit: 2 });
      const started = await a.call('desk.rebuildFromStripe', {});
      expect(['running', 'done']).toContain(started.state);
      await a.core.rebuildRunning();
      const status = await a.call('desk.rebuildStatus', {});
      expect(status).toMatchObject({ state: 'done', total: 2, done: 2, failed: 0 });
      expect(events.at(-1)).toBe('2/2');

      const after = await readStoredData(a);
      const pick = <T extends object>(list: T[], keys: Array<keyof T>) => list.map((r) => Object.fromEntries(keys.map((k) => [k, r[k]]))).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
      expect(pick(after.customers, ['id', 'email', 'stripeCustomerId'])).toEqual(pick(before.customers, ['id', 'email', 'stripeCustomerId']));
      const consentKeys = ['id', 'text', 'textSha256', 'termsVersion', 'language', 'params', 'typedName', 'acceptedAtUtc', 'terminalId'] as const;
      expect(pick(after.consents, [...consentKeys])).toEqual(pick(before.consents, [...consentKeys]));
      expect(pick(after.savedMethods, ['paymentMethodId', 'consentId', 'setupIntentId', 'detachedAt'])).toEqual(pick(before.savedMethods, ['paymentMethodId', 'consentId', 'setupIntentId', 'detachedAt']));
      expect(pick(after.charges, ['id', 'amount', 'currency', 'status', 'paymentIntentId', 'consentId'])).toEqual(pick(before.charges, ['id', 'amount', 'currency', 'status', 'paymentIntentId', 'consentId']));
      expect(pick(after.refunds, ['id', 'chargeId', 'amount', 'status', 'stripeRefundId'])).toEqual(pick(before.refunds, ['id', 'chargeId', 'amount', 'status', 'stripeRefundId']));
      for (const consent of after.consents) {
        expect(consent.origin?.source).toBe('stripe');
        const checked = await consentFromEvidence(await downloadStripeFile(a.core.env.stripe, consent.stripeEvidence!.fileIds[0]), consent.textSha256);
        expect('record' in checked && checked.record.textSha256).toBe(consent.textSha256);
      }
      // the rebuilt desk charges as before
      expect((await a.call('charges.create', chargeInput(first, 500))).status).toBe('succeeded');
      // a second rebuild finds nothing new
      await a.call('desk.rebuildFromStripe', {});
      await a.core.rebuildRunning();
      expect((await readStoredData(a)).charges).toHaveLength(after.charges.length + 1);

      // a crash after the first page: the stored cursor says where, and starting again resumes after it
      const newest = (await a.core.env.stripe.customers.list({ limit: 1 })).data[0].id;
      await a.core.env.records.shop.update((draft) => {
        draft.stripeRebuild = { startedAt: new Date().toISOString(), finishedAt: null, cursor: newest, total: 2, done: 1, failed: 0, lastError: null };
      });
      await a.restart();
      await signInManager(a, 'Aiko Manager');
      expect(await a.call('desk.rebuildStatus', {})).toMatchObject({ state: 'interrupted', done: 1, total: 2 });
      const before429 = emulator.requestLog.filter((r) => r.path === '/v1/customers' && r.method === 'GET').length;
      await a.call('desk.rebuildFromStripe', {});
      await a.core.rebuildRunning();
      expect(await a.call('desk.rebuildStatus', {})).toMatchObject({ state: 'done', done: 2, total: 2 });
      // one page after the cursor, no count again
      expect(emulator.requestLog.filter((r) => r.path === '/v1/customers' && r.method === 'GET').length - before429).toBe(1);
    } finally {
      await a.close();
      await rm(fresh, { recursive: true, force: true });
      a = await startTestCore({ emulator }); // for afterEach
    }
  });
});
