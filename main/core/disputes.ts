/**
 * Disputes (chargebacks) on charges: what Stripe reports is kept on the charge (status, reason,
 * amount, evidence deadline), and a manager answers one in a single step with the evidence the
 * consent record holds: its PDF as a File (purpose `dispute_evidence`) in `customer_signature`,
 * and its summary and terms in the text fields, submitted through the Disputes API.
 */
import type Stripe from 'stripe';
import { Currency, DISPUTE_OPEN_STATUSES, type ChargeView } from '../../preload/contract';
import { consentPdfFile } from './consent-pdf';
import type { ChargeRecord, ConsentRecord, CustomerDoc, DisputeRecord } from './data';
import type { CallContext, Handlers } from './dispatch';
import type { CoreEnv } from './env';
import { AppError } from './errors';
import { formatMoney } from './i18n';
import { chargeView } from './views';

/** Stripe's limit for one evidence text field we fill (all text together is limited to 150,000). */
export const EVIDENCE_TEXT_MAX = 20_000;

const iso = (seconds: number | null | undefined): string | null => (typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : null);

/** What this desk keeps of a Stripe Dispute (`kept`: what it answered itself, which Stripe does not say). */
export function disputeRecordOf(dispute: Stripe.Dispute, kept: DisputeRecord['evidence'] = null): DisputeRecord | null {
  const currency = Currency.safeParse(dispute.currency);
  if (!currency.success) return null;
  return {
    id: dispute.id,
    status: dispute.status,
    reason: dispute.reason,
    amount: dispute.amount,
    currency: currency.data,
    openedAt: iso(dispute.created) ?? new Date(0).toISOString(),
    dueBy: iso(dispute.evidence_details?.due_by),
    pastDue: dispute.evidence_details?.past_due ?? false,
    submissionCount: dispute.evidence_details?.submission_count ?? 0,
    evidence: kept,
  };
}

function cut(text: string, max = EVIDENCE_TEXT_MAX): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The evidence text from the consent record: who agreed, to what, when, witnessed by whom, and how
 * the charge relates to it, then the terms exactly as accepted (cut to Stripe's field limit).
 * In English: it is read by Stripe and the customer's bank; the terms stay in the language the
 * customer read them in.
 */
export function evidenceText(doc: Readonly<CustomerDoc>, charge: ChargeRecord, consent: ConsentRecord, fileName: string): Stripe.DisputeUpdateParams.Evidence {
  const p = consent.params;
  const amountRule =
    p.amountRule === 'fixed'
      ? `a fixed amount of ${formatMoney(p.amount ?? 0, p.currency, 'en')} per charge`
      : `at most ${formatMoney(p.maxAmount ?? 0, p.currency, 'en')} per charge (${p.amountRule === 'per_usage' ? 'per usage' : 'up to a maximum'})`;
  const summary = [
    `The customer agreed in writing to be charged later ("charge-later" mandate) before this payment was taken.`,
    `Consent record ${consent.id}: accepted ${consent.acceptedAtUtc} (local time ${consent.acceptedAtLocal}, ${consent.timeZone}) by ${consent.typedName}, who typed their full name${consent.signaturePng ? ' and signed' : ''}; witnessed by staff member ${consent.witnessedBy.name} at terminal ${consent.terminalId}.`,
    `Terms "${consent.title}", version ${consent.termsVersion}, language ${consent.language}, SHA-256 of the exact text ${consent.textSha256}.`,
    `Agreed: purpose "${p.purpose}"; frequency ${p.frequency}; timing "${p.timing}"; ${amountRule}; from ${p.startDate}${p.endDate ? ` until ${p.endDate}` : ' until withdrawn'}.`,
    `Cancellation: ${p.cancellationPolicy}`,
    `Disputed payment: ${formatMoney(charge.amount, charge.currency, 'en')} on ${charge.createdAt.slice(0, 10)} (${charge.paymentIntentId ?? charge.id}), "${charge.description}", charged off-session to the Amazon Pay account the customer saved under this consent (Stripe Checkout, setup mode).`,
    doc.withdrawals.some((w) => w.consentId === consent.id) ? `The consent was withdrawn later; this payment was made before that.` : `The consent had not been withdrawn when the payment was made.`,
    `The signed consent record is attached as ${fileName} (customer_signature).`,
  ].join('\n');
  const terms = `\n\nTerms as accepted (${consent.language}):\n${consent.text}`;
  return {
    customer_name: cut(consent.typedName, 5_000),
    customer_email_address: cut(doc.customer.email, 5_000),
    service_date: charge.createdAt.slice(0, 10),
    product_description: cut(`${charge.description} — ${p.purpose}`),
    cancellation_policy_disclosure: cut(p.cancellationPolicy),
    uncategorized_text: cut(summary + terms),
  };
}

export function createDisputes(env: CoreEnv) {
  const { records, stripe, clock, emit } = env;

  /**
   * Stores what Stripe says about a dispute on a local charge. Returns the record as it was before
   * (undefined for a new dispute) when something changed, or null when nothing did.
   */
  const applyDispute = async (customerId: string, chargeId: string, dispute: Stripe.Dispute): Promise<{ before: DisputeRecord | undefined; after: DisputeRecord } | null> => {
    const result = await records.updateCustomer(customerId, (draft) => {
      const charge = draft.charges.find((c) => c.id === chargeId);
      if (!charge) return null;
      const before = charge.dispute;
      const kept = before?.id === dispute.id ? before.evidence : null;
      const after = disputeRecordOf(dispute, kept);
      if (!after || JSON.stringify(after) === JSON.stringify(before)) return null;
      charge.dispute = after;
      return { before, after };
    });
    if (result) {
      const doc = await records.requireCustomer(customerId);
      const charge = doc.charges.find((c) => c.id === chargeId);
      if (charge) emit('charge.updated', chargeView(doc, charge));
    }
    return result;
  };

  const submitEvidence = async (chargeId: string, ctx: CallContext): Promise<ChargeView> => {
    if (!ctx.actor) throw new AppError('not_signed_in', 'Sign in first.');
    const doc = await records.ownerDoc(chargeId, 'charge');
    const charge = doc.charges.find((c) => c.id === chargeId);
    if (!charge) throw new AppError('not_found', `There is no charge with id ${chargeId}.`);
    if (!charge.dispute) throw new AppError('conflict', 'This charge has no dispute to answer.');
    // Stripe's word first: the dispute may have moved on (answered at another desk, closed)
    const current = await stripe.disputes.retrieve(charge.dispute.id);
    if (!DISPUTE_OPEN_STATUSES.includes(current.status)) {
      await applyDispute(doc.customer.id, chargeId, current);
      throw new AppError('conflict', `This dispute can no longer be answered: its status is ${current.status}.`);
    }
    if (current.evidence_details?.due_by && clock.now().getTime() > current.evidence_details.due_by * 1000 && current.evidence_details.past_due)
      throw new AppError('conflict', 'The deadline to answer this dispute has passed.');
    const consent = doc.consents.find((c) => c.id === charge.consentId);
    if (!consent) throw new AppError('consent_required', `The consent this charge relied on (${charge.consentId || 'unknown'}) is not on this desk, so its evidence cannot be sent from here.`);

    const pdf = await consentPdfFile(env, consent.id);
    const file = await stripe.files.create({
      purpose: 'dispute_evidence',
      file: { data: Buffer.from(pdf.base64, 'base64'), name: pdf.filename, type: 'application/pdf' },
    });
    const evidence = { ...evidenceText(doc, charge, consent, pdf.filename), customer_signature: file.id };
    const updated = await stripe.disputes.update(
      current.id,
      { evidence, submit: true, metadata: { mandate_desk_charge_id: charge.id, mandate_desk_consent_id: consent.id } },
      { idempotencyKey: `dispute-evidence-${current.id}-${file.id}` },
    );
    const kept = { submittedAt: clock.now().toISOString(), submittedBy: { staffId: ctx.actor.id, name: ctx.actor.name }, fileId: file.id, consentId: consent.id };
    await records.updateCustomer(doc.customer.id, (draft) => {
      const stored = draft.charges.find((c) => c.id === chargeId);
      const record = disputeRecordOf(updated, kept);
      if (stored && record) stored.dispute = record;
    });
    const after = await records.requireCustomer(doc.customer.id);
    const view = chargeView(after, after.charges.find((c) => c.id === chargeId)!);
    emit('charge.updated', view);
    return view;
  };

  const handlers: Pick<Handlers, 'disputes.submitEvidence'> = {
    'disputes.submitEvidence': ({ chargeId }, ctx) => submitEvidence(chargeId, ctx),
  };
  return { handlers, applyDispute };
}
