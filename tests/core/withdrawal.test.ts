import { createHash, randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntryView } from '../../preload/contract';
import { customerDocPath } from '../../main/core/records';
import { signInManager, startTestCore, type TestCore } from '../helpers/core';
import { callError, completeHostedSetup, createCustomerWithSavedMethod, mandateParams, readStoredData, unreachableStripe, type CustomerWithSavedMethod } from '../helpers/saved-method';

let t: TestCore;
beforeEach(async () => {
  t = await startTestCore();
  await signInManager(t);
});
afterEach(async () => {
  await t.close();
});

const chargeInput = (saved: CustomerWithSavedMethod, amount = 1250) => ({
  customerId: saved.customer.id,
  consentId: saved.consent.id,
  paymentMethodId: saved.paymentMethodId,
  amount,
  currency: 'eur' as const,
  description: 'Dry cleaning',
  requestKey: randomUUID(),
});

async function subscribe(saved: CustomerWithSavedMethod) {
  const price = await t.call('prices.create', { productName: 'Weekly shirts', amount: 2000, currency: 'eur', interval: 'week', intervalCount: 1, requestKey: randomUUID() });
  return t.call('subscriptions.create', {
    customerId: saved.customer.id,
    consentId: saved.consent.id,
    paymentMethodId: saved.paymentMethodId,
    priceId: price.id,
    requestKey: randomUUID(),
  });
}

describe('consents.withdraw', () => {
  it('records the withdrawal, detaches the method and cancels subscriptions at Stripe, and keeps every record', async () => {
    const saved = await createCustomerWithSavedMethod(t, { params: { frequency: 'recurring', timing: 'Every Monday' } });
    const subscription = await subscribe(saved);
    expect(subscription.status).toBe('active');

    const view = await t.call('consents.withdraw', { consentId: saved.consent.id, reason: 'Customer asked at the counter' });
    expect(view.status).toBe('withdrawn');
    expect(view.withdrawal).toMatchObject({ byName: 'Mina Manager', reason: 'Customer asked at the counter' });
    expect(view.links.paymentMethodId).toBe(saved.paymentMethodId);

    const stripe = t.core.env.stripe;
    const method = await stripe.paymentMethods.retrieve(saved.paymentMethodId);
    expect(method.customer).toBeNull();
    const atStripe = await stripe.subscriptions.retrieve(subscription.stripeSubscriptionId);
    expect(atStripe.status).toBe('canceled');

    const stored = await readStoredData(t);
    expect(stored.consents.find((c) => c.id === saved.consent.id)).toMatchObject({ text: saved.consent.text, typedName: 'Ada Customer' });
    expect(stored.withdrawals.filter((w) => w.consentId === saved.consent.id)).toHaveLength(1);
    expect(stored.setups.find((s) => s.id === saved.setup.id)?.status).toBe('succeeded');
    const storedMethod = stored.savedMethods.find((m) => m.paymentMethodId === saved.paymentMethodId)!;
    expect(storedMethod.detachedAt).not.toBeNull();
    expect(stored.subscriptions.find((s) => s.id === subscription.id)).toMatchObject({ status: 'canceled', cancelAtPeriodEnd: false });
    expect(stored.subscriptions.find((s) => s.id === subscription.id)?.canceledAt).not.toBeNull();

    const detail = await t.call('customers.get', { customerId: saved.customer.id });
    expect(detail.savedMethods.find((m) => m.paymentMethodId === saved.paymentMethodId)?.status).toBe('detached');

    expect((await callError(t.call('charges.create', chargeInput(saved)))).code).toBe('consent_inactive');
    expect((await callError(t.call('consents.withdraw', { consentId: saved.consent.id, reason: 'again' }))).code).toBe('conflict');

    const trail = (await t.call('audit.list', { filter: { action: 'consents.withdraw' } })).entries.map((e) => `${e.action} ${e.outcome}`);
    expect(trail).toEqual([
      'consents.withdraw error', // the second attempt: conflict
      'consents.withdraw ok',
      'consents.withdraw.methodDetached ok',
      'consents.withdraw.subscriptionCanceled ok',
      'consents.withdraw.recorded ok',
    ]);
  });

  it('counts a method already detached at Stripe as done', async () => {
    const saved = await createCustomerWithSavedMethod(t);
    await t.core.env.stripe.paymentMethods.detach(saved.paymentMethodId);
    const view = await t.call('consents.withdraw', { consentId: saved.consent.id, reason: 'Customer removed it in Amazon' });
    expect(view.status).toBe('withdrawn');
    expect((await readStoredData(t)).savedMethods.find((m) => m.paymentMethodId === saved.paymentMethodId)?.detachedAt).not.toBeNull();
  });

  it('stands when Stripe is unreachable, refuses charges at once, and a retry finishes the detaching', async () => {
    const saved = await createCustomerWithSavedMethod(t);
    await t.restart({ stripe: await unreachableStripe() });
    await signInManager(t);

    const failed = await callError(t.call('consents.withdraw', { consentId: saved.consent.id, reason: 'Customer phoned' }));
    expect(failed.code).toBe('stripe_unreachable');
    expect(failed.message).toMatch(/withdrawal is recorded/);

    const stored = await readStoredData(t);
    expect(stored.withdrawals.map((w) => w.consentId)).toContain(saved.consent.id);
    expect(stored.savedMethods.find((m) => m.paymentMethodId === saved.paymentMethodId)?.detachedAt).toBeNull();
    expect((await t.call('consents.get', { consentId: saved.consent.id })).status).toBe('withdrawn');
    expect((await callError(t.call('charges.create', chargeInput(saved)))).code).toBe('consent_inactive');

    await t.restart(); // back online
    await signInManager(t);
    const finished = await t.call('consents.withdraw', { consentId: saved.consent.id, reason: 'Customer phoned' });
    expect(finished.status).toBe('withdrawn');
    expect(finished.withdrawal?.reason).toBe('Customer phoned'); // the first record stands
    expect((await t.core.env.stripe.paymentMethods.retrieve(saved.paymentMethodId)).customer).toBeNull();
    const after = await readStoredData(t);
    expect(after.withdrawals.filter((w) => w.consentId === saved.consent.id)).toHaveLength(1);
    expect(after.savedMethods.find((m) => m.paymentMethodId === saved.paymentMethodId)?.detachedAt).not.toBeNull();
    expect((await callError(t.call('consents.withdraw', { consentId: saved.consent.id, reason: 'third time' }))).code).toBe('conflict');
  });

  it('closes a Checkout session still open on the consent, so no method is saved after the withdrawal', async () => {
    const { customer } = await t.call('customers.create', { name: 'Ada Customer', email: `ada.${randomUUID().slice(0, 8)}@example.com`, language: 'en' });
    const params = mandateParams();
    const terms = await t.call('terms.render', { customerId: customer.id, language: 'en', params });
    const consent = await t.call('consents.record', {
      customerId: customer.id,
      language: 'en',
      params,
      shownSha256: terms.sha256,
      typedName: 'Ada Customer',
      accepted: true,
      staffConfirmed: true,
    });
    const setup = await t.call('setups.start', { consentId: consent.id });
    expect(setup.status).toBe('open');

    await t.call('consents.withdraw', { consentId: consent.id, reason: 'Changed their mind' });
    expect((await t.core.env.stripe.checkout.sessions.retrieve(setup.checkoutSessionId)).status).toBe('expired');
    expect((await t.call('setups.check', { setupId: setup.id })).status).toBe('expired');
    expect((await readStoredData(t)).savedMethods.filter((m) => m.consentId === consent.id)).toEqual([]);
  });

  it('is for managers, needs a known consent and a reason', async () => {
    expect((await callError(t.call('consents.withdraw', { consentId: 'consent_nope', reason: 'No such' }))).code).toBe('not_found');
    expect((await t.raw('consents.withdraw', { consentId: 'consent_nope', reason: '' })) as unknown).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    await t.call('staff.create', { name: 'Sam Staff', pin: '1357', role: 'staff' });
    await t.call('auth.signIn', { name: 'Sam Staff', pin: '1357' });
    expect((await t.raw('consents.withdraw', { consentId: 'consent_nope', reason: 'Not mine to do' })) as unknown).toMatchObject({
      ok: false,
      error: { code: 'forbidden_role' },
    });
    expect((await t.raw('consents.exportEvidence', { consentId: 'consent_nope' })) as unknown).toMatchObject({ ok: false, error: { code: 'forbidden_role' } });
  });
});

describe('consents.exportEvidence', () => {
  it('puts the consent, its Stripe links, withdrawal, charges, refunds and audit entries in one file', async () => {
    const saved = await createCustomerWithSavedMethod(t);
    const charge = await t.call('charges.create', chargeInput(saved, 3000));
    expect(charge.status).toBe('succeeded');
    await t.call('refunds.create', { chargeId: charge.id, amount: 1000, reason: 'requested_by_customer', note: 'one shirt missing', requestKey: randomUUID() });
    await t.call('consents.withdraw', { consentId: saved.consent.id, reason: 'Moving away' });

    const file = await t.call('consents.exportEvidence', { consentId: saved.consent.id });
    expect(file.filename).toMatch(new RegExp(`^consent-evidence-${saved.consent.id}-\\d{4}-\\d{2}-\\d{2}\\.json$`));
    expect(file.mimeType).toBe('application/json');
    const evidence = JSON.parse(file.content);

    expect(evidence.status).toBe('withdrawn');
    expect(evidence.consent).toMatchObject({
      id: saved.consent.id,
      text: saved.consent.text,
      textSha256: saved.consent.textSha256,
      typedName: 'Ada Customer',
      acceptedAtUtc: saved.consent.acceptedAtUtc,
      acceptedAtLocal: saved.consent.acceptedAtLocal,
      timeZone: 'UTC',
      witnessedBy: { name: 'Mina Manager' },
      terminalId: saved.consent.terminalId,
      signaturePng: null,
    });
    const recomputed = createHash('sha256').update(saved.consent.text, 'utf8').digest('hex');
    expect(evidence.consent.termsCheck).toEqual({ storedSha256: saved.consent.textSha256, recomputedSha256: recomputed, matches: true });

    expect(evidence.stripe.customerId).toBe(saved.customer.stripeCustomerId);
    expect(evidence.stripe.checkoutSessionIds).toEqual([saved.setup.checkoutSessionId]);
    expect(evidence.stripe.setupIntentIds).toEqual([saved.setup.setupIntentId]);
    expect(evidence.stripe.paymentMethodIds).toEqual([saved.paymentMethodId]);
    expect(evidence.stripe.mandateIds).toEqual(saved.setup.mandateId ? [saved.setup.mandateId] : []);
    expect(evidence.stripe.links).toMatchObject({ checkoutSessionId: saved.setup.checkoutSessionId, paymentMethodId: saved.paymentMethodId });

    expect(evidence.withdrawal).toMatchObject({ consentId: saved.consent.id, reason: 'Moving away', by: { name: 'Mina Manager' } });
    expect(evidence.charges).toHaveLength(1);
    expect(evidence.charges[0]).toMatchObject({ id: charge.id, amount: 3000, paymentIntentId: charge.paymentIntentId });
    expect(evidence.charges[0].refunds).toHaveLength(1);
    expect(evidence.charges[0].refunds[0]).toMatchObject({ amount: 1000, note: 'one shirt missing' });

    const actions = (evidence.audit.entries as AuditEntryView[]).map((e) => e.action);
    for (const action of ['consents.record', 'setups.start', 'charges.create', 'refunds.create', 'consents.withdraw.recorded', 'consents.withdraw'])
      expect(actions, action).toContain(action);
    expect(actions).not.toContain('auth.setupFirstManager');
    expect(evidence.audit.chain.ok).toBe(true);
  });

  it('says when the stored terms text no longer matches its hash', async () => {
    const saved = await createCustomerWithSavedMethod(t);
    await t.core.stop();
    const path = customerDocPath(t.dataDir, saved.customer.id);
    const data = JSON.parse(await readFile(path, 'utf8'));
    data.consents[0].text = `${data.consents[0].text}\nExtra clause added later.`;
    await writeFile(path, JSON.stringify(data));
    await t.restart();
    await signInManager(t);
    const evidence = JSON.parse((await t.call('consents.exportEvidence', { consentId: saved.consent.id })).content);
    expect(evidence.consent.termsCheck.matches).toBe(false);
    expect(evidence.consent.termsCheck.storedSha256).toBe(saved.consent.textSha256);
    expect(evidence.status).toBe('active');
    expect(evidence.withdrawal).toBeNull();
  });
});

describe('a setup that completes after its consent was withdrawn', () => {
  it('detaches the method it saved, so nothing stays attached under a withdrawn consent', async () => {
    const { customer } = await t.call('customers.create', { name: 'Late Finisher', email: `late.${randomUUID().slice(0, 8)}@example.com`, language: 'en' });
    const params = mandateParams();
    const terms = await t.call('terms.render', { customerId: customer.id, language: 'en', params });
    const consent = await t.call('consents.record', {
      customerId: customer.id, language: 'en', params, shownSha256: terms.sha256, typedName: 'Late Finisher', accepted: true, staffConfirmed: true, timeZone: 'UTC',
    });
    const setup = await t.call('setups.start', { consentId: consent.id });
    // The customer authorizes at Stripe; the app has not looked yet when the manager withdraws.
    await completeHostedSetup(t, t.opened[t.opened.length - 1]);
    await t.call('consents.withdraw', { consentId: consent.id, reason: 'Changed their mind' });

    const checked = await t.call('setups.check', { setupId: setup.id });
    expect(checked.status).toBe('succeeded');
    const method = await t.core.env.stripe.paymentMethods.retrieve(checked.paymentMethodId!);
    expect(method.customer).toBeNull();
    const stored = await readStoredData(t);
    expect(stored.savedMethods.find((m) => m.paymentMethodId === checked.paymentMethodId)?.detachedAt).not.toBeNull();
  });
});
