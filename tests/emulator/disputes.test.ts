/** Disputes through the real SDK: opened by the magic amount or the control, answered with evidence files, closed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import type { RunningEmulator } from '../../main/emulator/index.js';
import { MAGIC_AMOUNTS } from '../../main/emulator/index.js';
import { createCustomerWithSavedAmazonPay, startEmulatorWithClient } from './helpers.js';

let emulator: RunningEmulator;
let stripe: Stripe;
let saved: Awaited<ReturnType<typeof createCustomerWithSavedAmazonPay>>;

beforeAll(async () => {
  ({ emulator, stripe } = await startEmulatorWithClient());
  saved = await createCustomerWithSavedAmazonPay(stripe, { email: 'dispute@example.com', name: 'Dispute' });
});
afterAll(() => emulator.stop());

const pay = (amount: number) =>
  stripe.paymentIntents.create({ amount, currency: 'jpy', customer: saved.customer.id, payment_method: saved.paymentMethod.id, allowed_payment_method_types: ['amazon_pay'], off_session: true, confirm: true });
const evidencePdf = () => stripe.files.create({ purpose: 'dispute_evidence', file: { data: Buffer.from('%PDF-1.7\nconsent\n%%EOF\n'), name: 'consent.pdf', type: 'application/pdf' } });

describe('Disputes', () => {
  it('an amount ending in 9905 succeeds, then a dispute opens with a deadline and charge.dispute.created', async () => {
    const pi = await pay(10000 + MAGIC_AMOUNTS.dispute);
    expect(pi.status).toBe('succeeded');
    const [dispute] = (await stripe.disputes.list({ payment_intent: pi.id })).data;
    expect(dispute).toMatchObject({ object: 'dispute', charge: pi.latest_charge, payment_intent: pi.id, amount: 19905, currency: 'jpy', status: 'needs_response', reason: 'fraudulent' });
    expect(dispute.evidence_details).toMatchObject({ has_evidence: false, past_due: false, submission_count: 0 });
    expect(dispute.evidence_details.due_by).toBe(dispute.created + 7 * 86400);
    expect((await stripe.charges.retrieve(pi.latest_charge as string)).disputed).toBe(true);
    const [created] = (await stripe.events.list({ type: 'charge.dispute.created', limit: 1 })).data;
    expect((created.data.object as Stripe.Dispute).id).toBe(dispute.id);
  });

  it('evidence is staged, then submitted with the consent file: under_review, charge.dispute.updated', async () => {
    const pi = await pay(3000);
    const dispute = emulator.controls.openDispute(pi.latest_charge as string, { reason: 'general' });
    const file = await evidencePdf();
    const staged = await stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'Consent c-1 (terms v3), signed at the counter.' }, submit: false });
    expect(staged).toMatchObject({ status: 'needs_response', evidence: { uncategorized_text: 'Consent c-1 (terms v3), signed at the counter.' }, evidence_details: { has_evidence: true, submission_count: 0 } });
    const submitted = await stripe.disputes.update(dispute.id, { evidence: { uncategorized_file: file.id, customer_name: 'Dispute' }, metadata: { consent_id: 'c-1' } });
    expect(submitted).toMatchObject({
      status: 'under_review',
      metadata: { consent_id: 'c-1' },
      evidence: { uncategorized_file: file.id, customer_name: 'Dispute', uncategorized_text: 'Consent c-1 (terms v3), signed at the counter.' },
      evidence_details: { has_evidence: true, submission_count: 1, submission_method: 'manual' },
    });
    const expanded = await stripe.disputes.retrieve(dispute.id, { expand: ['evidence.uncategorized_file'] });
    expect((expanded.evidence.uncategorized_file as Stripe.File).purpose).toBe('dispute_evidence');
    // under review: no more changes; the bank decides
    await expect(stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'more' } })).rejects.toMatchObject({ statusCode: 400, param: 'dispute' });
    expect(emulator.controls.resolveDispute(dispute.id, 'won')).toMatchObject({ status: 'won' });
    const [closed] = (await stripe.events.list({ type: 'charge.dispute.closed', limit: 1 })).data;
    expect(closed.data.object).toMatchObject({ id: dispute.id, status: 'won' });
  });

  it('refuses bad evidence and changes nothing; close accepts the loss; past the deadline it is too late', async () => {
    const pi = await pay(4000);
    const dispute = emulator.controls.openDispute(pi.latest_charge as string);
    const notEvidence = await stripe.files.create({ purpose: 'identity_document', file: { data: Buffer.from('%PDF-1.7\nid\n'), name: 'id.pdf', type: 'application/pdf' } });
    await expect(stripe.disputes.update(dispute.id, { evidence: { uncategorized_file: notEvidence.id } })).rejects.toMatchObject({ statusCode: 400, param: 'evidence[uncategorized_file]' });
    await expect(stripe.disputes.update(dispute.id, { evidence: { receipt: 'file_nope' } })).rejects.toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'evidence[receipt]' });
    await expect(stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: 'x'.repeat(150_001) } })).rejects.toMatchObject({ statusCode: 400, param: 'evidence' });
    await expect(stripe.disputes.update(dispute.id, {})).rejects.toMatchObject({ statusCode: 400, param: 'evidence' });
    await expect(stripe.disputes.update(dispute.id, { evidence: { no_such_field: 'x' } as Stripe.DisputeUpdateParams.Evidence })).rejects.toMatchObject({ statusCode: 400, code: 'parameter_unknown' });
    expect(await stripe.disputes.retrieve(dispute.id)).toMatchObject({ status: 'needs_response', evidence: { uncategorized_file: null, receipt: null }, evidence_details: { has_evidence: false } });
    expect(() => emulator.controls.openDispute(pi.latest_charge as string)).toThrow(/already has a dispute/);
    expect(await stripe.disputes.close(dispute.id)).toMatchObject({ status: 'lost' });
    await expect(stripe.disputes.close(dispute.id)).rejects.toMatchObject({ statusCode: 400 });

    const late = emulator.controls.openDispute((await pay(5000)).latest_charge as string);
    emulator.controls.advanceClock(8 * 86400);
    expect((await stripe.disputes.retrieve(late.id)).evidence_details.past_due).toBe(true);
    await expect(stripe.disputes.update(late.id, { evidence: { uncategorized_text: 'late' } })).rejects.toMatchObject({ statusCode: 400, param: 'dispute' });
    await expect(stripe.disputes.retrieve('dp_nope')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('the HTTP control opens and resolves disputes too', async () => {
    const pi = await pay(6000);
    const res = await fetch(`${emulator.origin}/_emulator/charges/${pi.latest_charge}/dispute`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'duplicate' }) });
    const dispute = (await res.json()) as Stripe.Dispute;
    expect(dispute).toMatchObject({ object: 'dispute', reason: 'duplicate', status: 'needs_response' });
    const bad = await fetch(`${emulator.origin}/_emulator/charges/${pi.latest_charge}/dispute`, { method: 'POST' });
    expect(bad.status).toBe(400);
    const lost = await fetch(`${emulator.origin}/_emulator/disputes/${dispute.id}/lost`, { method: 'POST' });
    expect(await lost.json()).toMatchObject({ id: dispute.id, status: 'lost' });
  });
});
