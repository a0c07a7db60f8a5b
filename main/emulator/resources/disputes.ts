/**
 * Disputes on Amazon Pay charges. One opens for a succeeded charge whose amount ends in the magic 9905,
 * or through the test control; evidence (text and dispute_evidence files) is staged or submitted with
 * `POST /v1/disputes/:id`, `close` accepts the loss, and the test control decides won or lost.
 */
import type Stripe from 'stripe';
import { applyChanges, type KindInfo, listHandler, matchFields, requireOf, retrieveHandler } from '../engine/crud.js';
import type { Ctx, Emulator, ReqInfo, Resource } from '../engine/emulator.js';
import { invalid } from '../engine/errors.js';
import { newId } from '../engine/ids.js';
import { mergeMetadata, parseParams, S, type Props } from '../engine/params.js';
import type { Obj } from '../engine/store.js';

export const DISPUTE: KindInfo = { kind: 'dispute', idParam: 'dispute' };

/** Days the merchant has to respond (Stripe shows the bank's deadline in `evidence_details.due_by`). */
const RESPONSE_DAYS = 7;

const FILE_FIELDS = [
  'cancellation_policy', 'customer_communication', 'customer_signature', 'duplicate_charge_documentation', 'receipt', 'refund_policy',
  'service_documentation', 'shipping_documentation', 'uncategorized_file',
] as const;
const TEXT_FIELDS = [
  'access_activity_log', 'billing_address', 'cancellation_policy_disclosure', 'cancellation_rebuttal', 'customer_email_address', 'customer_name',
  'customer_purchase_ip', 'duplicate_charge_explanation', 'duplicate_charge_id', 'product_description', 'refund_policy_disclosure',
  'refund_refusal_explanation', 'service_date', 'shipping_address', 'shipping_carrier', 'shipping_date', 'shipping_tracking_number', 'uncategorized_text',
] as const;
/** Stripe limits the text of all evidence fields together. */
const MAX_EVIDENCE_CHARS = 150_000;

const EVIDENCE_PROPS: Props = Object.fromEntries([...FILE_FIELDS, ...TEXT_FIELDS].map((k) => [k, S.str()]));
const REASONS = ['credit_not_processed', 'duplicate', 'fraudulent', 'general', 'product_not_received', 'product_unacceptable', 'subscription_canceled', 'unrecognized'] as const;

function emptyEvidence(): Stripe.Dispute.Evidence {
  const evidence: Record<string, null | object> = Object.fromEntries([...FILE_FIELDS, ...TEXT_FIELDS].map((k) => [k, null]));
  evidence.enhanced_evidence = {};
  return evidence as unknown as Stripe.Dispute.Evidence;
}

/** Open a dispute on a succeeded charge: `charge.dispute.created`, the charge reads `disputed: true`. */
export function openDispute(em: Emulator, req: ReqInfo | null, charge: Obj, reason: string = 'fraudulent'): Obj {
  if (charge.status !== 'succeeded' || !charge.captured) throw invalid(`Charge ${charge.id} did not succeed, so it cannot be disputed.`, { param: 'charge' });
  if (charge.disputed) throw invalid(`Charge ${charge.id} already has a dispute.`, { param: 'charge' });
  if (!(REASONS as readonly string[]).includes(reason)) throw invalid(`Invalid reason: must be one of ${REASONS.join(', ')}`, { param: 'reason' });
  const now = em.now();
  const dispute = {
    id: newId('dp'),
    object: 'dispute',
    amount: charge.amount_captured - charge.amount_refunded,
    balance_transactions: [],
    charge: charge.id,
    created: now,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: emptyEvidence(),
    evidence_details: { due_by: now + RESPONSE_DAYS * 86400, enhanced_eligibility: {}, has_evidence: false, past_due: false, submission_count: 0, submission_method: 'not_submitted' },
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    payment_method_details: { amazon_pay: { dispute_type: 'chargeback' }, type: 'amazon_pay' },
    reason,
    status: 'needs_response',
  } satisfies Stripe.Dispute;
  const stored = em.insert(dispute);
  const prev = { disputed: charge.disputed };
  charge.disputed = true;
  em.emit('charge.dispute.created', stored, req);
  em.emit('charge.updated', charge, req, prev);
  return stored;
}

const OPEN = ['needs_response', 'warning_needs_response'];

function requireOpen(em: Emulator, d: Obj): void {
  if (!OPEN.includes(d.status)) throw invalid(`This dispute has status ${d.status}: its evidence can no longer be changed.`, { param: 'dispute' });
  if (d.evidence_details.due_by !== null && em.now() > d.evidence_details.due_by) throw invalid('The deadline to respond to this dispute has passed.', { param: 'dispute' });
}

function disputeUpdate(ctx: Ctx, id: string): Obj {
  const { em } = ctx;
  const p = parseParams(ctx.tree, { evidence: S.obj(EVIDENCE_PROPS), metadata: S.meta(), submit: S.bool(), intended_submission_method: S.str() });
  const d = requireOf(em, DISPUTE, id);
  if ('metadata' in p && Object.keys(p).every((k) => k === 'metadata' || k === 'expand')) {
    applyChanges(em, ctx, d, { metadata: mergeMetadata(d.metadata, p.metadata) }, 'charge.dispute.updated');
    return d;
  }
  requireOpen(em, d);
  const evidence = { ...d.evidence };
  for (const [k, v] of Object.entries((p.evidence ?? {}) as Record<string, string | null>)) {
    if (v !== null && (FILE_FIELDS as readonly string[]).includes(k)) {
      const file = em.getKind('file', v);
      if (!file) throw invalid(`No such file upload: '${v}'`, { code: 'resource_missing', param: `evidence[${k}]` });
      if (file.purpose !== 'dispute_evidence') throw invalid(`The file ${v} was not uploaded with purpose \`dispute_evidence\`.`, { param: `evidence[${k}]` });
    }
    evidence[k] = v;
  }
  const chars = TEXT_FIELDS.reduce((n, k) => n + String(evidence[k] ?? '').length, 0);
  if (chars > MAX_EVIDENCE_CHARS) throw invalid(`The evidence text is ${chars} characters; the limit for all fields together is ${MAX_EVIDENCE_CHARS}.`, { param: 'evidence' });
  const submit = p.submit ?? true;
  const hasEvidence = [...FILE_FIELDS, ...TEXT_FIELDS].some((k) => evidence[k] !== null && evidence[k] !== undefined);
  if (submit && !hasEvidence) throw invalid('Provide some evidence before submitting it.', { param: 'evidence' });
  const changes: Obj = {
    evidence,
    evidence_details: { ...d.evidence_details, has_evidence: hasEvidence, ...(submit ? { submission_count: d.evidence_details.submission_count + 1, submission_method: 'manual' } : {}) },
  };
  if ('metadata' in p) changes.metadata = mergeMetadata(d.metadata, p.metadata);
  if (submit) changes.status = d.status === 'warning_needs_response' ? 'warning_under_review' : 'under_review';
  applyChanges(em, ctx, d, changes, 'charge.dispute.updated');
  return d;
}

/** Accept the dispute as lost (`close`), or the bank's decision (test control): `charge.dispute.closed`. */
export function closeDispute(em: Emulator, req: ReqInfo | null, d: Obj, outcome: 'won' | 'lost'): Obj {
  if (['won', 'lost', 'warning_closed'].includes(d.status)) throw invalid(`This dispute is already closed (${d.status}).`, { param: 'dispute' });
  const prev = { status: d.status };
  d.status = d.status.startsWith('warning') ? 'warning_closed' : outcome;
  em.touch();
  em.emit('charge.dispute.closed', d, req, prev);
  return d;
}

function disputeClose(ctx: Ctx, id: string): Obj {
  parseParams(ctx.tree, {});
  const d = requireOf(ctx.em, DISPUTE, id);
  if (!OPEN.includes(d.status)) throw invalid(`Only a dispute that needs a response can be closed; this one has status ${d.status}.`, { param: 'dispute' });
  return closeDispute(ctx.em, ctx, d, 'lost');
}

export const disputes: Resource = {
  kind: 'dispute',
  routes: [
    {
      method: 'GET',
      pattern: '/v1/disputes',
      handler: listHandler(DISPUTE, '/v1/disputes', { charge: S.str(), payment_intent: S.str() }, matchFields('charge', 'payment_intent')),
    },
    { method: 'GET', pattern: '/v1/disputes/:id', handler: retrieveHandler(DISPUTE) },
    { method: 'POST', pattern: '/v1/disputes/:id', handler: disputeUpdate },
    { method: 'POST', pattern: '/v1/disputes/:id/close', handler: disputeClose },
  ],
  // past the deadline, an unanswered dispute reads past_due (on the emulator clock)
  onClock(em) {
    const now = em.now();
    for (const id of em.store.lists.get('dispute') ?? []) {
      const d = em.store.objects.get(id)!;
      if (OPEN.includes(d.status) && !d.evidence_details.past_due && d.evidence_details.due_by < now) {
        d.evidence_details = { ...d.evidence_details, past_due: true };
        em.touch();
      }
    }
  },
};
