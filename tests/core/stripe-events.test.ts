/**
 * Two desks (two data folders) on one emulator through the real SDK: what one desk does reaches the
 * other through Stripe's Events API, and a dispute is answered from the consent record.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type Stripe from 'stripe';
import { createStripeClient } from '../../main/core/stripe-client';
import { EVENTS_FILE } from '../../main/core/stripe-events';
import { EMULATOR_API_KEY, startEmulator, type RunningEmulator } from '../../main/emulator/index';
import { signInManager, startTestCore, type TestCore } from '../helpers/core';
import { callError, createCustomerWithSavedMethod, requestCount, type CustomerWithSavedMethod, type SavedMethodOptions } from '../helpers/saved-method';
import { createCustomerWithSavedAmazonPay } from '../emulator/helpers';

const DAY = 86_400;

let emulator: RunningEmulator;
let a: TestCore;
let b: TestCore;
let stripe: Stripe;

beforeEach(async () => {
  emulator = await startEmulator();
  stripe = createStripeClient({ key: EMULATOR_API_KEY, emulator: { host: emulator.host, port: emulator.port } });
  a = await startTestCore({ emulator });
  b = await startTestCore({ emulator });
  await signInManager(a);
  await signInManager(b);
  // each desk starts following events from now
  await a.call('stripeEvents.poll', {});
  await b.call('stripeEvents.poll', {});
});
afterEach(async () => {
  await a.close();
  await b.close();
  await emulator.stop();
});

/** The same customer at both desks: desk B finds A's Stripe customer by e-mail and saves its own method under its own consent. */
async function sharedCustomer(params?: SavedMethodOptions['params']): Promise<{ atA: CustomerWithSavedMethod; atB: CustomerWithSavedMethod }> {
  const email = `shared.${randomUUID().slice(0, 8)}@example.com`;
  const atA = await createCustomerWithSavedMethod(a, { email, name: 'Sato Hanako', params });
  const atB = await createCustomerWithSavedMethod(b, { email, name: 'Sato Hanako', params });
  expect(atB.customer.stripeCustomerId).toBe(atA.customer.stripeCustomerId);
  return { atA, atB };
}

const charge = (t: TestCore, saved: CustomerWithSavedMethod, amount: number, description = 'Dry cleaning, 3 shirts') =>
  t.call('charges.create', { customerId: saved.customer.id, consentId: saved.consent.id, paymentMethodId: saved.paymentMethodId, amount, currency: 'eur', description, requestKey: randomUUID() });

const detailAt = (t: TestCore, saved: CustomerWithSavedMethod) => t.call('customers.get', { customerId: saved.customer.id });

async function auditActions(t: TestCore, action: string) {
  return (await t.call('audit.list', { filter: { action }, limit: 100 })).entries;
}

describe('changes made at another desk arrive through the events poll', () => {
  it('a charge made at desk B reaches desk A, and desk B sees its own charge as a no-op', async () => {
    const { atA, atB } = await sharedCustomer();
    const made = await charge(b, atB, 4200);
    expect(made.status).toBe('succeeded');
    expect((await detailAt(a, atA)).charges).toHaveLength(0);

    const status = await a.call('stripeEvents.poll', {});
    expect(status.applied).toBe(1);
    const [arrived] = (await detailAt(a, atA)).charges;
    expect(arrived).toMatchObject({ amount: 4200, currency: 'eur', status: 'succeeded', paymentIntentId: made.paymentIntentId, description: 'Dry cleaning, 3 shirts' });
    expect(arrived.fromOtherDesk).toMatchObject({ terminalId: b.core.env.records.shop.data.terminalId, recordId: made.id });
    expect(arrived.customerId).toBe(atA.customer.id);
    const [entry] = await auditActions(a, 'stripe.chargeFromOtherDesk');
    expect(entry).toMatchObject({ customerId: atA.customer.id, actor: null, outcome: 'ok' });
    expect(entry.details).toMatchObject({ paymentIntentId: made.paymentIntentId, amount: 4200, eventType: 'payment_intent.succeeded' });

    // its receipt (and its number) belongs to desk B, which keeps its consent
    expect((await callError(a.call('charges.receipt', { chargeId: arrived.id }))).code).toBe('conflict');
    expect((await b.call('charges.receipt', { chargeId: made.id })).charge.receiptNumber).toBeTruthy();

    // it is on desk A's payments ledger too, marked as from another desk
    const day = arrived.createdAt.slice(0, 10);
    const page = await a.call('payments.list', { from: day, to: day });
    expect(page.rows.find((r) => r.id === arrived.id)).toMatchObject({ kind: 'charge', fromOtherDesk: true, amount: 4200 });

    // B's own charge comes back to B as an event that changes nothing
    expect((await b.call('stripeEvents.poll', {})).applied).toBe(0);
    expect((await detailAt(b, atB)).charges).toHaveLength(1);
    // and reading again at A applies nothing twice
    expect((await a.call('stripeEvents.poll', {})).applied).toBe(0);
    expect((await detailAt(a, atA)).charges).toHaveLength(1);
  });

  it('a refund made at desk B reaches desk A, on A\'s own charge', async () => {
    const { atA, atB } = await sharedCustomer();
    // the charge is desk A's; desk B learns it from the events and refunds it there
    const mine = await charge(a, atA, 3000);
    await b.call('stripeEvents.poll', {});
    const atBCharge = (await detailAt(b, atB)).charges.find((c) => c.paymentIntentId === mine.paymentIntentId)!;
    expect(atBCharge.fromOtherDesk).toBeTruthy();
    const refunded = await b.call('refunds.create', { chargeId: atBCharge.id, amount: 1000, reason: 'requested_by_customer', note: 'one shirt missing', requestKey: randomUUID() });
    const stripeRefundId = refunded.refunds[0].stripeRefundId!;
    await vi.waitFor(async () => expect((await stripe.refunds.retrieve(stripeRefundId)).status).toBe('succeeded'));

    expect((await a.call('stripeEvents.poll', {})).applied).toBeGreaterThanOrEqual(1);
    const atAcharge = (await detailAt(a, atA)).charges.find((c) => c.id === mine.id)!;
    expect(atAcharge.fromOtherDesk).toBeNull();
    expect(atAcharge.refunds).toHaveLength(1);
    expect(atAcharge.refunds[0]).toMatchObject({ amount: 1000, stripeRefundId, status: 'succeeded' });
    expect(atAcharge.refunds[0].fromOtherDesk?.terminalId).toBe(b.core.env.records.shop.data.terminalId);
    expect(atAcharge.refundedAmount).toBe(1000);
    expect((await auditActions(a, 'stripe.refundFromOtherDesk')).length).toBeGreaterThanOrEqual(1);
    // what is left to refund at A counts B's refund
    expect((await callError(a.call('refunds.create', { chargeId: mine.id, amount: 2500, reason: 'requested_by_customer', note: '', requestKey: randomUUID() }))).code).toBe('over_refund');
  });

  it('a renewal that fails at Stripe reaches desk A: the subscription is past due', async () => {
    const saved = await createCustomerWithSavedMethod(a, { params: { frequency: 'recurring', amountRule: 'fixed', amount: 2500, timing: 'Every day' } });
    const price = await a.call('prices.create', { productName: 'Daily pickup', amount: 2500, currency: 'eur', interval: 'day', intervalCount: 1, requestKey: randomUUID() });
    const sub = await a.call('subscriptions.create', { customerId: saved.customer.id, consentId: saved.consent.id, paymentMethodId: saved.paymentMethodId, priceId: price.id, requestKey: randomUUID() });
    expect(sub.status).toBe('active');
    // its own first invoice comes back as events that change nothing
    expect((await a.call('stripeEvents.poll', {})).applied).toBe(0);

    emulator.controls.setPaymentOutcome({ customer: saved.customer.stripeCustomerId, outcome: 'decline' });
    await emulator.controls.advanceClock(DAY + 60);
    expect((await a.call('stripeEvents.poll', {})).applied).toBe(1);
    const [after] = (await detailAt(a, saved)).subscriptions;
    expect(after.status).toBe('past_due');
    expect(after.payments).toHaveLength(2);
    expect(after.payments[1].status).not.toBe('paid');
    const [entry] = await auditActions(a, 'stripe.renewal');
    expect(entry.details).toMatchObject({ paid: false, subscriptionStatus: 'past_due', eventType: 'invoice.payment_failed' });
  });

  it('a method detached at Stripe is marked detached and refused for charges', async () => {
    const saved = await createCustomerWithSavedMethod(a);
    await stripe.paymentMethods.detach(saved.paymentMethodId);
    expect((await a.call('stripeEvents.poll', {})).applied).toBe(1);
    const [method] = (await detailAt(a, saved)).savedMethods;
    expect(method.status).toBe('detached');
    expect(method.detachedAt).not.toBeNull();
    expect((await callError(charge(a, saved, 1000))).code).toBe('method_detached');
    expect((await auditActions(a, 'stripe.methodDetached'))[0].details).toMatchObject({ paymentMethodId: saved.paymentMethodId });
  });

  it('the last event seen survives a restart: nothing is applied twice', async () => {
    const { atA, atB } = await sharedCustomer();
    await charge(b, atB, 1500);
    expect((await a.call('stripeEvents.poll', {})).applied).toBe(1);
    const cursorBefore = JSON.parse(await readFile(join(a.dataDir, EVENTS_FILE), 'utf8')) as { lastEventId: string };
    expect(cursorBefore.lastEventId).toMatch(/^evt_/);

    await a.restart();
    await signInManager(a);
    const after = await a.call('stripeEvents.poll', {});
    expect(after.applied).toBe(0);
    expect(after.lastEventId).toBe(cursorBefore.lastEventId);
    expect((await detailAt(a, atA)).charges).toHaveLength(1);
    expect(await auditActions(a, 'stripe.chargeFromOtherDesk')).toHaveLength(1);

    // and what happens after the restart still arrives
    await charge(b, atB, 1600);
    expect((await a.call('stripeEvents.poll', {})).applied).toBe(1);
    expect((await detailAt(a, atA)).charges.map((c) => c.amount).sort()).toEqual([1500, 1600]);
  });

  it('a change applied while the audit log cannot be written still gets its one entry: the poll after writes it', async () => {
    const { atA, atB } = await sharedCustomer();
    await charge(b, atB, 2100);
    const audit = a.core.env.audit;
    const failing = vi.spyOn(audit, 'append').mockRejectedValue(new Error('disk full (injected)'));
    // the charge is applied, its audit entry is not written: the poll fails and says so
    expect((await callError(a.call('stripeEvents.poll', {}))).code).toBe('stripe_error');
    expect((await detailAt(a, atA)).charges).toHaveLength(1);
    failing.mockRestore();
    expect(await auditActions(a, 'stripe.chargeFromOtherDesk')).toHaveLength(0);
    const owed = JSON.parse(await readFile(join(a.dataDir, EVENTS_FILE), 'utf8')) as { pendingAudit?: Array<{ action: string }> };
    expect(owed.pendingAudit?.map((p) => p.action)).toEqual(['stripe.chargeFromOtherDesk']);

    // the owed entry survives a restart and is written by the next poll, once; the charge is not applied twice
    await a.restart();
    await signInManager(a);
    await a.call('stripeEvents.poll', {});
    await a.call('stripeEvents.poll', {});
    const entries = await auditActions(a, 'stripe.chargeFromOtherDesk');
    expect(entries).toHaveLength(1);
    expect(entries[0].details).toMatchObject({ amount: 2100, eventType: 'payment_intent.succeeded', eventId: expect.stringMatching(/^evt_/) });
    expect((await detailAt(a, atA)).charges).toHaveLength(1);
    expect(JSON.parse(await readFile(join(a.dataDir, EVENTS_FILE), 'utf8'))).not.toHaveProperty('pendingAudit');
  });

  it('an owed entry already in the log (written before a crash could note it) is not written twice', async () => {
    const saved = await createCustomerWithSavedMethod(a);
    await stripe.paymentMethods.detach(saved.paymentMethodId);
    const audit = a.core.env.audit;
    // the entry is appended, then the write that removes it from the owed list "crashes"
    const cursorFile = join(a.dataDir, EVENTS_FILE);
    const original = audit.append.bind(audit);
    let appended = 0;
    const spy = vi.spyOn(audit, 'append').mockImplementation(async (draft) => {
      const result = await original(draft);
      appended += 1;
      throw Object.assign(new Error('crashed after the append (injected)'), { result });
    });
    await callError(a.call('stripeEvents.poll', {}));
    spy.mockRestore();
    expect(appended).toBe(1);
    expect(JSON.parse(await readFile(cursorFile, 'utf8')).pendingAudit).toHaveLength(1);
    await a.call('stripeEvents.poll', {});
    expect(await auditActions(a, 'stripe.methodDetached')).toHaveLength(1);
    expect(JSON.parse(await readFile(cursorFile, 'utf8'))).not.toHaveProperty('pendingAudit');
    expect((await detailAt(a, saved)).savedMethods[0].status).toBe('detached');
  });

  it('reads only what is new, page by page from the last event seen', async () => {
    // nothing new: one small request
    const before = requestCount(a, 'GET', '/v1/events');
    expect((await a.call('stripeEvents.poll', {})).applied).toBe(0);
    expect(requestCount(a, 'GET', '/v1/events')).toBe(before + 1);

    // 105 payments of a customer desk A does not know: two pages, read oldest first, all skipped
    const elsewhere = await createCustomerWithSavedAmazonPay(stripe, { email: 'elsewhere@example.com', name: 'Someone Else' });
    const intents: string[] = [];
    for (let i = 0; i < 105; i++) {
      const pi = await stripe.paymentIntents.create({ amount: 100 + i, currency: 'eur', customer: elsewhere.customer.id, payment_method: elsewhere.paymentMethod.id, allowed_payment_method_types: ['amazon_pay'], off_session: true, confirm: true });
      intents.push(pi.id);
    }
    const [newest] = (await stripe.events.list({ type: 'payment_intent.succeeded', limit: 1 })).data;
    const start = requestCount(a, 'GET', '/v1/events');
    const status = await a.call('stripeEvents.poll', {});
    expect(status.applied).toBe(0);
    expect(status.lastEventId).toBe(newest.id);
    expect(requestCount(a, 'GET', '/v1/events')).toBe(start + 2);
    expect((newest.data.object as Stripe.PaymentIntent).id).toBe(intents[104]);
  });

  it('events of customers this desk does not know are skipped', async () => {
    const onlyAtB = await createCustomerWithSavedMethod(b);
    await charge(b, onlyAtB, 2000);
    expect((await a.call('stripeEvents.poll', {})).applied).toBe(0);
    expect(a.core.env.records.index.customerByStripeId(onlyAtB.customer.stripeCustomerId)).toBeNull();
  });
});

describe('disputes', () => {
  it('a dispute (magic amount) appears at desk A with its deadline and is answered with the consent evidence', async () => {
    const saved = await createCustomerWithSavedMethod(a, { name: 'Tanaka Ichiro' });
    const made = await charge(a, saved, 19905, 'Wedding dress cleaning');
    expect(made.status).toBe('succeeded');
    expect((await a.call('stripeEvents.poll', {})).applied).toBe(1);

    const [disputed] = (await detailAt(a, saved)).charges;
    const [atStripe] = (await stripe.disputes.list({ payment_intent: made.paymentIntentId! })).data;
    expect(disputed.dispute).toMatchObject({ id: atStripe.id, status: 'needs_response', reason: 'fraudulent', amount: 19905, evidence: null });
    expect(disputed.dispute!.dueBy).toBe(new Date(atStripe.evidence_details.due_by! * 1000).toISOString());
    const [opened] = await auditActions(a, 'stripe.dispute');
    expect(opened.details).toMatchObject({ disputeId: atStripe.id, status: 'needs_response', dueBy: disputed.dispute!.dueBy });

    // on the payments screen with its deadline
    const day = disputed.createdAt.slice(0, 10);
    const row = (await a.call('payments.list', { from: day, to: day })).rows.find((r) => r.id === disputed.id)!;
    expect(row.dispute).toMatchObject({ id: atStripe.id, status: 'needs_response', dueBy: disputed.dispute!.dueBy });

    // the bank decides a disputed charge: no refund on top of it
    expect((await callError(a.call('refunds.create', { chargeId: disputed.id, amount: 100, reason: 'requested_by_customer', note: '', requestKey: randomUUID() }))).code).toBe('conflict');

    // one action answers it
    const answered = await a.call('disputes.submitEvidence', { chargeId: disputed.id });
    expect(answered.dispute).toMatchObject({ status: 'under_review', submissionCount: 1 });
    expect(answered.dispute!.evidence).toMatchObject({ consentId: saved.consent.id, submittedBy: { name: 'Mina Manager' } });

    const dispute = await stripe.disputes.retrieve(atStripe.id);
    expect(dispute.status).toBe('under_review');
    expect(dispute.evidence_details.submission_count).toBe(1);
    expect(dispute.evidence.customer_name).toBe('Tanaka Ichiro');
    expect(dispute.evidence.customer_email_address).toBe(saved.customer.email);
    expect(dispute.evidence.service_date).toBe(day);
    expect(dispute.evidence.cancellation_policy_disclosure).toBe(saved.consent.params.cancellationPolicy);
    expect(dispute.evidence.uncategorized_text).toContain(saved.consent.id);
    expect(dispute.evidence.uncategorized_text).toContain(saved.consent.textSha256);
    expect(dispute.evidence.uncategorized_text).toContain(saved.consent.text.slice(0, 200));
    const fileId = dispute.evidence.customer_signature as string;
    expect(fileId).toBe(answered.dispute!.evidence!.fileId);
    const file = await stripe.files.retrieve(fileId);
    expect(file).toMatchObject({ purpose: 'dispute_evidence', type: 'pdf' });
    expect(file.size).toBeGreaterThan(1000);

    const [submitted] = await auditActions(a, 'disputes.submitEvidence');
    expect(submitted).toMatchObject({ outcome: 'ok', customerId: saved.customer.id });

    // its own submission comes back as an event that changes nothing; the bank's decision arrives
    expect((await a.call('stripeEvents.poll', {})).applied).toBe(0);
    emulator.controls.resolveDispute(atStripe.id, 'won');
    expect((await a.call('stripeEvents.poll', {})).applied).toBe(1);
    const [won] = (await detailAt(a, saved)).charges;
    expect(won.dispute).toMatchObject({ status: 'won', evidence: { fileId } });
    // a closed dispute cannot be answered again
    expect((await callError(a.call('disputes.submitEvidence', { chargeId: won.id }))).code).toBe('conflict');
  });

  it('a dispute opened (control) on a charge made at desk B reaches desk A', async () => {
    const { atA, atB } = await sharedCustomer();
    const made = await charge(b, atB, 5000);
    const intent = await stripe.paymentIntents.retrieve(made.paymentIntentId!);
    const dispute = emulator.controls.openDispute(intent.latest_charge as string, { reason: 'product_not_received' });
    const status = await a.call('stripeEvents.poll', {});
    expect(status.applied).toBe(2); // the charge, then its dispute
    const [arrived] = (await detailAt(a, atA)).charges;
    expect(arrived.fromOtherDesk).toBeTruthy();
    expect(arrived.dispute).toMatchObject({ id: dispute.id, status: 'needs_response', reason: 'product_not_received' });
    // its consent is desk B's: desk A cannot send that evidence, and says so
    expect((await callError(a.call('disputes.submitEvidence', { chargeId: arrived.id }))).code).toBe('consent_required');
  });

  it('submitting evidence needs a manager and a dispute', async () => {
    const saved = await createCustomerWithSavedMethod(a);
    const plain = await charge(a, saved, 1000);
    expect((await callError(a.call('disputes.submitEvidence', { chargeId: plain.id }))).code).toBe('conflict');
    await a.call('staff.create', { name: 'Sam Staff', pin: '1357', role: 'staff' });
    await a.call('auth.signOut', {});
    await a.call('auth.signIn', { name: 'Sam Staff', pin: '1357' });
    expect((await callError(a.call('disputes.submitEvidence', { chargeId: plain.id }))).code).toBe('forbidden_role');
  });
});
