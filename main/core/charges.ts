/**
 * Off-session charges and refunds that never happen twice (DESIGN §3.6).
 *
 * Write-ahead: the record, with its own idempotency key, is stored (fsynced) before the request
 * goes out, and every later attempt for it — the SDK's retries, a double click, "check again", the
 * start-up pass after a crash — sends the same request with the same key, so Stripe executes it at
 * most once and replays the stored answer otherwise. When no answer arrives the record stays
 * `pending`: an unknown outcome is never recorded as a failure.
 */
import { isDeepStrictEqual } from 'node:util';
import Stripe from 'stripe';
import type { ChargeView, Currency, ParsedInput, ReceiptView } from '../../preload/contract';
import type { ChargeRecord, CustomerDoc, RefundRecord } from './data';
import type { Records } from './records';
import type { CallContext, Handlers } from './dispatch';
import type { CoreEnv } from './env';
import { AppError } from './errors';
import { assertChargeAllowed, type ChargeKind } from './charge-rules';
import { receiptTax } from './consumption-tax';
import { formatMoney } from './i18n';
import { createPoller, pollIntervalOf } from './poller';
import { takeReceiptNumber } from './receipt-numbers';
import { chargeView, customerView, refundedAmount } from './views';

type ChargeStatus = ChargeRecord['status'];
type RefundStatus = RefundRecord['status'];
type Failure = { code: string; message: string };

/** Charge statuses that took money, or may yet: they use up a single-payment consent. */
const CHARGE_TAKES_MONEY = new Set<ChargeStatus>(['pending', 'processing', 'succeeded']);

/** Stripe keeps idempotency keys for at least 24 hours; past this age a replay might execute anew. */
export const IDEMPOTENCY_KEY_SAFE_AGE_MS = 23 * 3600 * 1000;

/** Metadata key on PaymentIntents and Refunds naming the desk (terminal id) that made them. */
export const TERMINAL_METADATA_KEY = 'mandate_desk_terminal_id';
/** A charge under a single-payment consent that another desk charged at the same moment: not made here. */
export const CHARGED_ELSEWHERE = 'charged_elsewhere';

/** What the record keeps when Stripe's answer did not arrive. */
export const OUTCOME_UNKNOWN = 'outcome_unknown';
const OUTCOME_UNKNOWN_MESSAGE =
  'Stripe did not answer, so it is not known yet whether this went through. It is checked again with the same key (it can never be made twice): use "Check again", or it is checked when the app starts.';

/**
 * True when Stripe's answer does not tell whether the request was executed: no response, a
 * timeout, 5xx (stored and replayed by Stripe, so a replay may say the same), 429 or 409 after the
 * SDK's retries, a key conflict, or anything that is not a Stripe error at all. Only a 4xx refusal
 * (card error, invalid request, authentication, permission) is a known "did not happen".
 */
export function isOutcomeUnknown(error: unknown): boolean {
  if (!(error instanceof Stripe.errors.StripeError)) return true;
  if (error instanceof Stripe.errors.StripeIdempotencyError) return true;
  if (error.code === 'idempotency_key_in_use' || error.code === 'lock_timeout') return true;
  return !(
    error instanceof Stripe.errors.StripeCardError ||
    error instanceof Stripe.errors.StripeInvalidRequestError ||
    error instanceof Stripe.errors.StripeAuthenticationError ||
    error instanceof Stripe.errors.StripePermissionError
  );
}

export function failureOf(error: Stripe.errors.StripeError): Failure {
  return { code: error.code ?? error.type, message: error.message };
}

// ---------------------------------------------------------------- PaymentIntent → charge status

const DECLINE_CODES = new Set([
  'payment_method_provider_decline',
  'payment_method_customer_decline',
  'card_declined',
  'insufficient_funds',
  'expired_payment_method',
  'payment_intent_payment_attempt_failed',
]);
const UNAVAILABLE_CODES = new Set(['payment_method_not_available', 'payment_method_provider_timeout']);
const ACTION_CODES = new Set(['authentication_required', 'payment_intent_authentication_failure']);

function statusForErrorCode(code: string | undefined): ChargeStatus {
  if (code && DECLINE_CODES.has(code)) return 'declined';
  if (code && UNAVAILABLE_CODES.has(code)) return 'unavailable';
  if (code && ACTION_CODES.has(code)) return 'action_required';
  return 'failed';
}

export type ChargeOutcome = { known: true; status: ChargeStatus; paymentIntentId: string | null; failure: Failure | null } | { known: false };

export function outcomeOfIntent(intent: Stripe.PaymentIntent): ChargeOutcome {
  const base = { known: true as const, paymentIntentId: intent.id };
  const lastError = intent.last_payment_error;
  const failure = lastError ? { code: lastError.code ?? lastError.type, message: lastError.message ?? lastError.code ?? lastError.type } : null;
  switch (intent.status) {
    case 'succeeded':
      return { ...base, status: 'succeeded', failure: null };
    case 'processing':
    case 'requires_capture': // never asked for (automatic capture), but money is on its way, not lost
      return { ...base, status: 'processing', failure: null };
    case 'requires_action':
      return { ...base, status: 'action_required', failure: failure ?? { code: 'authentication_required', message: 'The customer must authorize this payment themselves.' } };
    case 'canceled':
      return { ...base, status: 'failed', failure: failure ?? { code: 'canceled', message: 'The payment was canceled at Stripe.' } };
    default: // requires_payment_method / requires_confirmation: the attempt failed
      return { ...base, status: statusForErrorCode(lastError?.code), failure: failure ?? { code: intent.status, message: `The payment stopped in status ${intent.status}.` } };
  }
}

function outcomeOfChargeError(error: unknown): ChargeOutcome {
  if (isOutcomeUnknown(error)) return { known: false };
  const stripeError = error as Stripe.errors.StripeError;
  // Off-session failures carry the PaymentIntent that was made: keep its id.
  return { known: true, status: statusForErrorCode(stripeError.code), paymentIntentId: stripeError.payment_intent?.id ?? null, failure: failureOf(stripeError) };
}

const FINAL_CHARGE_STATUSES: ReadonlySet<ChargeStatus> = new Set(['succeeded', 'declined', 'unavailable', 'action_required', 'failed']);

/** The charge as an outcome leaves it; an unknown outcome only marks a charge that is still pending. */
function withChargeOutcome(charge: ChargeRecord, outcome: ChargeOutcome, now: string): ChargeRecord {
  if (!outcome.known) return charge.status === 'pending' ? { ...charge, failure: { code: OUTCOME_UNKNOWN, message: OUTCOME_UNKNOWN_MESSAGE } } : charge;
  return {
    ...charge,
    status: outcome.status,
    paymentIntentId: outcome.paymentIntentId ?? charge.paymentIntentId,
    failure: outcome.failure,
    finishedAt: FINAL_CHARGE_STATUSES.has(outcome.status) ? (charge.finishedAt ?? now) : null,
  };
}

// ---------------------------------------------------------------- Refund → refund status

export type RefundOutcome = { known: true; status: RefundStatus; stripeRefundId: string | null; failure: Failure | null } | { known: false };

export function outcomeOfRefund(refund: Stripe.Refund): RefundOutcome {
  const base = { known: true as const, stripeRefundId: refund.id };
  switch (refund.status) {
    case 'succeeded':
      return { ...base, status: 'succeeded', failure: null };
    case 'failed':
    case 'canceled':
      return { ...base, status: 'failed', failure: { code: refund.failure_reason ?? refund.status, message: `The refund ${refund.status === 'canceled' ? 'was canceled' : 'failed'} at Stripe${refund.failure_reason ? ` (${refund.failure_reason})` : ''}.` } };
    default: // pending, requires_action: refunds are asynchronous
      return { ...base, status: 'processing', failure: null };
  }
}

function outcomeOfRefundError(error: unknown): RefundOutcome {
  if (isOutcomeUnknown(error)) return { known: false };
  return { known: true, status: 'failed', stripeRefundId: null, failure: failureOf(error as Stripe.errors.StripeError) };
}

/** The refund as an outcome leaves it; an unknown outcome leaves it as it was (pending or processing). */
function withRefundOutcome(refund: RefundRecord, outcome: RefundOutcome): RefundRecord {
  if (!outcome.known) return refund;
  return { ...refund, status: outcome.status, stripeRefundId: outcome.stripeRefundId ?? refund.stripeRefundId, failure: outcome.failure };
}

// ---------------------------------------------------------------- the module

type ChargeInput = ParsedInput<'charges.create'>;
type RefundInput = ParsedInput<'refunds.create'>;

/**
 * The record an earlier call with this request key wrote (a double click, a retried request), or
 * undefined for a new request. The same key with other values in `fields` is not a repeat: refused.
 */
export function repeatOf<R extends { requestKey: string }, K extends keyof R>(
  records: readonly R[],
  input: Pick<R, K | 'requestKey'>,
  fields: readonly K[],
  what: 'charge' | 'refund' | 'price' | 'subscription',
): R | undefined {
  const existing = records.find((r) => r.requestKey === input.requestKey);
  if (existing && fields.some((field) => existing[field] !== input[field]))
    throw new AppError('conflict', `This request key was already used for a different ${what}. Open the ${what} form again to make a new one.`);
  return existing;
}

/** Looks up the consent, its withdrawal and the saved method, and refuses what the consent does not allow (charge-rules.ts). */
export function assertMayCharge(
  data: Readonly<CustomerDoc>,
  target: { customerId: string; consentId: string; paymentMethodId: string },
  charge: { amount: number; currency: Currency; kind: ChargeKind; now: Date },
): void {
  const consent = data.consents.find((c) => c.id === target.consentId);
  if (!consent || consent.customerId !== target.customerId)
    throw new AppError('not_found', `There is no consent ${target.consentId} for customer ${target.customerId}.`);
  assertChargeAllowed({
    ...charge,
    consent,
    withdrawal: data.withdrawals.find((w) => w.consentId === consent.id),
    savedMethod: data.savedMethods.find((m) => m.paymentMethodId === target.paymentMethodId),
    chargesSoFar: data.charges.filter((c) => c.consentId === consent.id && CHARGE_TAKES_MONEY.has(c.status)).length,
  });
}

/** The Stripe Customer behind a local customer (from the index: no document is read). */
export function stripeCustomerIdOf(records: Records, customerId: string): string {
  const customer = records.index.customer(customerId);
  if (!customer) throw new AppError('not_found', `There is no customer with id ${customerId}.`);
  return customer.stripeCustomerId;
}

/** Who is making a money request, as records keep it. */
export function actorOf(ctx: CallContext): { staffId: string; name: string } {
  if (!ctx.actor) throw new AppError('not_signed_in', 'Sign in first.');
  return { staffId: ctx.actor.id, name: ctx.actor.name };
}

/**
 * One request at a time per record in this process: a second caller (double click, "check again",
 * the start-up pass) waits for the request already under way instead of sending its own.
 */
export function singleFlight(): <T>(id: string, run: () => Promise<T>) => Promise<T> {
  const inFlight = new Map<string, Promise<unknown>>();
  return <T>(id: string, run: () => Promise<T>): Promise<T> => {
    const running = inFlight.get(id);
    if (running) return running as Promise<T>;
    const started = run().finally(() => inFlight.delete(id));
    inFlight.set(id, started);
    return started;
  };
}

/**
 * What charging learns from Stripe about what other desks did (wired in index.ts from
 * stripe-import.ts, so this module needs nothing of the import).
 */
export interface ChargeHooks {
  /**
   * Before a charge's record is written: brings into the customer's document what other desks
   * recorded at Stripe about this consent (a withdrawal, a charge already made), so the rules below
   * see it; returns how many attempts under the consent failed at Stripe (for the consent's key).
   */
  beforeCharge?(target: { customerId: string; consentId: string; paymentMethodId: string }): Promise<{ failedAttempts: number }>;
  /** A consent-keyed charge whose outcome is unknown: the PaymentIntent another desk made under the consent (imported), if any. */
  chargedElsewhere?(charge: ChargeRecord): Promise<Stripe.PaymentIntent | null>;
}

/** Charges that used up a single-payment consent or may still, including ones only Stripe knows of. */
export function chargeTakesMoney(status: ChargeStatus): boolean {
  return CHARGE_TAKES_MONEY.has(status);
}

/**
 * The idempotency key of a charge. Under a single-payment consent it is the consent's own (and the
 * number of failed attempts before it), so two desks charging it at the same moment send one key
 * and Stripe makes one PaymentIntent; any other charge has its own.
 */
export function chargeIdempotencyKey(chargeId: string, consent: { id: string; params: { frequency: string } }, failedAttempts: number): string {
  return consent.params.frequency === 'one_off' ? `charge-consent-${consent.id}-${failedAttempts}` : `charge-${chargeId}`;
}
export const isConsentKey = (key: string) => key.startsWith('charge-consent-');

export function createCharges(env: CoreEnv, hooks: ChargeHooks = {}): {
  handlers: Pick<Handlers, 'charges.create' | 'charges.resolve' | 'charges.receipt' | 'refunds.create'>;
  resolveInterrupted(): Promise<void>;
  /** Follows charges and refunds that Stripe is still processing, until they finish. */
  startPolling(): void;
  stopPolling(): void;
} {
  const { records, stripe, clock, emit, logger } = env;
  const once = singleFlight();

  const chargeIn = (doc: Readonly<CustomerDoc>, chargeId: string): ChargeRecord => {
    const charge = doc.charges.find((c) => c.id === chargeId);
    if (!charge) throw new AppError('not_found', `There is no charge with id ${chargeId}.`);
    return charge;
  };
  const findCharge = async (chargeId: string): Promise<ChargeRecord> => chargeIn(await records.ownerDoc(chargeId, 'charge'), chargeId);
  const viewOf = async (chargeId: string): Promise<ChargeView> => {
    const doc = await records.ownerDoc(chargeId, 'charge');
    return chargeView(doc, chargeIn(doc, chargeId));
  };
  const announce = async (chargeId: string) => emit('charge.updated', await viewOf(chargeId));

  // ------------------------------------------------ charges

  /** Exactly the same request every time for a charge: Stripe rejects a reused key with other params. */
  const intentParams = (charge: ChargeRecord): Stripe.PaymentIntentCreateParams => ({
    amount: charge.amount,
    currency: charge.currency,
    customer: stripeCustomerIdOf(records, charge.customerId),
    payment_method: charge.paymentMethodId,
    allowed_payment_method_types: ['amazon_pay'],
    off_session: true,
    confirm: true,
    description: charge.description,
    metadata: {
      mandate_desk_charge_id: charge.id,
      mandate_desk_consent_id: charge.consentId,
      mandate_desk_customer_id: charge.customerId,
      // what another desk imports this charge with (stripe-import.ts)
      mandate_desk_terminal_id: charge.terminalId ?? records.shop.data.terminalId,
      mandate_desk_staff_id: charge.createdBy.staffId,
      mandate_desk_staff_name: charge.createdBy.name,
    },
  });

  const sendCharge = async (charge: ChargeRecord): Promise<ChargeOutcome> => {
    try {
      return outcomeOfIntent(await stripe.paymentIntents.create(intentParams(charge), { idempotencyKey: charge.idempotencyKey }));
    } catch (error) {
      if (isOutcomeUnknown(error)) logger.warn('charge outcome unknown; stays pending', { chargeId: charge.id, error: String(error) });
      return outcomeOfChargeError(error);
    }
  };

  /** The PaymentIntent made for this charge, found by the charge id in its metadata (works after the key has expired). */
  const findIntent = async (charge: ChargeRecord): Promise<Stripe.PaymentIntent | null> => {
    const customer = stripeCustomerIdOf(records, charge.customerId);
    for await (const intent of stripe.paymentIntents.list({ customer, limit: 100 })) {
      if (intent.metadata?.mandate_desk_charge_id === charge.id) return intent;
    }
    return null;
  };

  /**
   * Gives a succeeded charge its receipt number, once: one at a time per charge, and the number is
   * kept only if the charge has none yet (a number taken but not kept, after a crash, leaves a gap).
   */
  const ensureReceiptNumber = (chargeId: string): Promise<void> =>
    once(`receipt:${chargeId}`, async () => {
      const charge = await findCharge(chargeId);
      if (charge.receiptNumber || charge.status !== 'succeeded') return;
      const number = await takeReceiptNumber(records);
      await records.updateCustomer(charge.customerId, (draft) => {
        const stored = draft.charges.find((c) => c.id === chargeId);
        if (stored && !stored.receiptNumber) stored.receiptNumber = number;
      });
    });

  const recordCharge = async (chargeId: string, outcome: ChargeOutcome): Promise<void> => {
    const now = clock.now().toISOString();
    const before = await findCharge(chargeId);
    // A poll finding the charge still processing changes nothing: no write, no event (the screen reloads on each).
    if (isDeepStrictEqual(withChargeOutcome(before, outcome, now), before)) return;
    await records.updateCustomer(before.customerId, (draft) => {
      const index = draft.charges.findIndex((c) => c.id === chargeId);
      draft.charges[index] = withChargeOutcome(draft.charges[index], outcome, now);
    });
    // The charge is recorded; a number not given now is given when its receipt is first made.
    if (outcome.known && outcome.status === 'succeeded')
      await ensureReceiptNumber(chargeId).catch((error) => logger.warn('could not give a receipt number yet', { chargeId, error: String(error) }));
    await announce(chargeId);
    poller.wake();
  };

  /**
   * Brings a pending or processing charge up to date. Pending: replay the create with the same key
   * (Stripe returns the stored answer, or executes it once if the first request never arrived).
   * Past the key's lifetime a replay could execute again, so then the PaymentIntent is first looked
   * for by the charge id in its metadata, and sent only if none exists. Processing: re-read the intent.
   */
  const settleCharge = (chargeId: string): Promise<void> =>
    once(chargeId, async () => {
      const charge = await findCharge(chargeId);
      if (charge.status === 'processing' && charge.paymentIntentId) {
        await recordCharge(chargeId, outcomeOfIntent(await stripe.paymentIntents.retrieve(charge.paymentIntentId)));
        return;
      }
      if (charge.status !== 'pending') return;
      const keyAge = clock.now().getTime() - Date.parse(charge.createdAt);
      const found = keyAge > IDEMPOTENCY_KEY_SAFE_AGE_MS ? await findIntent(charge) : null;
      let outcome = found ? outcomeOfIntent(found) : await sendCharge(charge);
      if (!outcome.known) {
        // A replayed 5xx or a key conflict says nothing; the intent itself may exist.
        const intent = await findIntent(charge).catch(() => null);
        if (intent) outcome = outcomeOfIntent(intent);
        else outcome = (await elsewhereOutcome(charge)) ?? outcome;
      }
      await recordCharge(chargeId, outcome);
    });

  /**
   * A consent-keyed charge Stripe refused as another request with the same key (another desk sent
   * it with its own ids a moment before): that desk's PaymentIntent is the consent's one payment,
   * so this charge was not made. Null when no such intent exists.
   */
  const elsewhereOutcome = async (charge: ChargeRecord): Promise<ChargeOutcome | null> => {
    if (!isConsentKey(charge.idempotencyKey) || !hooks.chargedElsewhere) return null;
    const intent = await hooks.chargedElsewhere(charge).catch((error) => {
      logger.warn('could not look for the charge of another desk', { chargeId: charge.id, error: String(error) });
      return null;
    });
    if (!intent) return null;
    if (intent.metadata?.mandate_desk_charge_id === charge.id) return outcomeOfIntent(intent);
    return {
      known: true,
      status: 'failed',
      paymentIntentId: null,
      failure: { code: CHARGED_ELSEWHERE, message: `This single-payment consent was charged at another desk at the same moment (${intent.id}); this charge was not made.` },
    };
  };

  /** Sends a just-written charge for the first time (shared with anyone who asks for it meanwhile). */
  const firstSend = (chargeId: string): Promise<void> =>
    once(chargeId, async () => {
      const charge = await findCharge(chargeId);
      let outcome = await sendCharge(charge);
      if (!outcome.known) outcome = (await elsewhereOutcome(charge)) ?? outcome;
      await recordCharge(chargeId, outcome);
    });

  const createCharge = async (input: ChargeInput, actor: { staffId: string; name: string }): Promise<ChargeView> => {
    const now = clock.now();
    const chargeId = records.newId('chg', input.customerId);
    // What other desks recorded at Stripe (a withdrawal, the consent's one payment) first: one retrieve, before anything is written.
    const known = await records.requireCustomer(input.customerId);
    const isRepeat = known.charges.some((c) => c.requestKey === input.requestKey);
    const atStripe = !isRepeat && hooks.beforeCharge ? await hooks.beforeCharge(input) : { failedAttempts: 0 };
    // Check and write in one store update, so two concurrent requests cannot both pass the check.
    const result = await records.updateCustomer(input.customerId, (draft): { existingId: string } | { createdId: string } => {
      const existing = repeatOf(draft.charges, input, ['customerId', 'consentId', 'paymentMethodId', 'amount', 'currency', 'description'], 'charge');
      if (existing) return { existingId: existing.id };
      assertMayCharge(draft, input, { amount: input.amount, currency: input.currency, kind: 'one_off', now });
      const consent = draft.consents.find((c) => c.id === input.consentId)!;
      // attempts that failed here without reaching Stripe count too (they are not in Stripe's list)
      const failedHere = draft.charges.filter((c) => c.consentId === consent.id && !CHARGE_TAKES_MONEY.has(c.status) && c.paymentIntentId === null && c.failure?.code !== CHARGED_ELSEWHERE).length;
      draft.charges.push({
        id: chargeId,
        customerId: input.customerId,
        consentId: input.consentId,
        paymentMethodId: input.paymentMethodId,
        amount: input.amount,
        currency: input.currency,
        description: input.description,
        status: 'pending',
        idempotencyKey: chargeIdempotencyKey(chargeId, consent, atStripe.failedAttempts + failedHere),
        requestKey: input.requestKey,
        paymentIntentId: null,
        failure: null,
        createdAt: now.toISOString(),
        finishedAt: null,
        createdBy: actor,
        subscriptionId: null,
        terminalId: records.shop.data.terminalId,
      });
      return { createdId: chargeId };
    });

    if ('createdId' in result) {
      await announce(result.createdId);
      await firstSend(result.createdId);
      return viewOf(result.createdId);
    }
    // A repeat (double click, retried request): never a second charge; finish the first if it is open.
    if ((await findCharge(result.existingId)).status === 'pending') await settleCharge(result.existingId);
    return viewOf(result.existingId);
  };

  // ------------------------------------------------ refunds

  const findRefund = async (refundId: string): Promise<RefundRecord> => {
    const refund = (await records.ownerDoc(refundId, 'refund')).refunds.find((r) => r.id === refundId);
    if (!refund) throw new AppError('not_found', `There is no refund with id ${refundId}.`);
    return refund;
  };

  const refundParams = (refund: Pick<RefundRecord, 'id' | 'amount' | 'reason' | 'createdBy'>, charge: ChargeRecord): NonNullable<RefundRecord['request']> => ({
    payment_intent: charge.paymentIntentId!,
    amount: refund.amount,
    reason: refund.reason,
    metadata: {
      mandate_desk_refund_id: refund.id,
      mandate_desk_charge_id: charge.id,
      mandate_desk_consent_id: charge.consentId,
      mandate_desk_customer_id: charge.customerId,
      mandate_desk_terminal_id: records.shop.data.terminalId,
      mandate_desk_staff_id: refund.createdBy.staffId,
      mandate_desk_staff_name: refund.createdBy.name,
    },
  });
  /** What versions before 0.1 (before refunds were shared at Stripe) sent: two metadata keys. */
  const legacyRefundParams = (refund: RefundRecord, charge: ChargeRecord): NonNullable<RefundRecord['request']> => ({
    payment_intent: charge.paymentIntentId!,
    amount: refund.amount,
    reason: refund.reason,
    metadata: { mandate_desk_refund_id: refund.id, mandate_desk_charge_id: charge.id },
  });

  /** The refund at Stripe made for this record (by the id in its metadata), or null. */
  const findStripeRefund = async (refund: RefundRecord): Promise<Stripe.Refund | null> => {
    const charge = await findCharge(refund.chargeId);
    if (!charge.paymentIntentId) return null;
    for await (const found of stripe.refunds.list({ payment_intent: charge.paymentIntentId, limit: 100 })) if (found.metadata?.mandate_desk_refund_id === refund.id) return found;
    return null;
  };

  const recordRefund = async (refundId: string, outcome: RefundOutcome): Promise<void> => {
    const before = await findRefund(refundId);
    // Unknown, or a poll finding it still processing: nothing changes, so no write and no event.
    if (isDeepStrictEqual(withRefundOutcome(before, outcome), before)) return;
    const { customer } = await records.ownerDoc(refundId, 'refund');
    await records.updateCustomer(customer.id, (draft) => {
      const index = draft.refunds.findIndex((r) => r.id === refundId);
      draft.refunds[index] = withRefundOutcome(draft.refunds[index], outcome);
    });
    await announce(before.chargeId);
    poller.wake();
  };

  /** Sends `params` with the refund's key; `mismatch` when Stripe says the key went with other parameters. */
  const sendRefundWith = async (refund: RefundRecord, params: Stripe.RefundCreateParams): Promise<{ outcome: RefundOutcome; mismatch: boolean }> => {
    try {
      return { outcome: outcomeOfRefund(await stripe.refunds.create(params, { idempotencyKey: refund.idempotencyKey })), mismatch: false };
    } catch (error) {
      if (isOutcomeUnknown(error)) logger.warn('refund outcome unknown; stays pending', { refundId: refund.id, error: String(error) });
      const mismatch = error instanceof Stripe.errors.StripeIdempotencyError && error.code !== 'idempotency_key_in_use' && error.statusCode === 400;
      return { outcome: outcomeOfRefundError(error), mismatch };
    }
  };

  const sendRefund = async (refund: RefundRecord): Promise<RefundOutcome> =>
    (await sendRefundWith(refund, refund.request ?? refundParams(refund, await findCharge(refund.chargeId)))).outcome;

  /**
   * A pending refund's replay. It is the same request as the first send (the stored parameters,
   * with the same key), so Stripe answers it as the first one or runs it once. Checked at Stripe
   * first when the key may have expired (a replay could then run anew), and whenever the answer says
   * nothing. A refund stored before its parameters were (no `request`) was sent either with the
   * parameters of today or with those of the versions before refunds were shared at Stripe: Stripe
   * refuses the other one as a different request under the key ("mismatch"), and then the other
   * one is sent — under the same key, so never a second refund.
   */
  const replayRefund = async (refund: RefundRecord): Promise<{ outcome: RefundOutcome; request?: NonNullable<RefundRecord['request']> }> => {
    const keyAge = clock.now().getTime() - Date.parse(refund.createdAt);
    if (keyAge > IDEMPOTENCY_KEY_SAFE_AGE_MS || !refund.request) {
      const found = await findStripeRefund(refund);
      if (found) return { outcome: outcomeOfRefund(found) };
      // not at Stripe: no request with this key made a refund, and none is running (this desk holds its folder)
    }
    const charge = await findCharge(refund.chargeId);
    const candidates = refund.request ? [refund.request] : [refundParams(refund, charge), legacyRefundParams(refund, charge)];
    let last: RefundOutcome = { known: false };
    for (const params of candidates) {
      const { outcome, mismatch } = await sendRefundWith(refund, params);
      if (outcome.known) return { outcome, request: params };
      last = outcome;
      if (!mismatch) break;
    }
    if (!last.known) {
      const found = await findStripeRefund(refund).catch(() => null);
      if (found) return { outcome: outcomeOfRefund(found) };
    }
    return { outcome: last };
  };

  /** Pending: replay with the same key. Processing: re-read the refund (refunds finish asynchronously). */
  const settleRefund = (refundId: string): Promise<void> =>
    once(refundId, async () => {
      const refund = await findRefund(refundId);
      if (refund.status === 'pending') {
        const { outcome, request } = await replayRefund(refund);
        if (request && !refund.request) {
          const { customer } = await records.ownerDoc(refundId, 'refund');
          await records.updateCustomer(customer.id, (draft) => {
            const r = draft.refunds.find((x) => x.id === refundId);
            if (r && !r.request) r.request = request;
          });
        }
        await recordRefund(refundId, outcome);
      } else if (refund.status === 'processing' && refund.stripeRefundId) await recordRefund(refundId, outcomeOfRefund(await stripe.refunds.retrieve(refund.stripeRefundId)));
    });

  const createRefund = async (input: RefundInput, actor: { staffId: string; name: string }): Promise<ChargeView> => {
    const { customer } = await records.ownerDoc(input.chargeId, 'charge');
    const refundId = records.newId('rfnd', customer.id);
    const result = await records.updateCustomer(customer.id, (draft): { existingId: string } | { createdId: string } => {
      const existing = repeatOf(draft.refunds, input, ['chargeId', 'amount', 'reason', 'note'], 'refund');
      if (existing) return { existingId: existing.id };
      const charge = draft.charges.find((c) => c.id === input.chargeId);
      if (!charge) throw new AppError('not_found', `There is no charge with id ${input.chargeId}.`);
      if (charge.status !== 'succeeded' || !charge.paymentIntentId)
        throw new AppError('conflict', `Only a succeeded charge can be refunded; this charge is ${charge.status}.`);
      // a disputed charge is settled by the bank: a refund on top would give the money back twice
      if (charge.dispute) throw new AppError('conflict', `This charge is disputed (${charge.dispute.status}); it cannot be refunded while the bank decides, or after.`);
      const remaining = charge.amount - refundedAmount(draft, charge.id);
      if (input.amount > remaining) {
        const money = (amount: number) => formatMoney(amount, charge.currency, 'en');
        throw new AppError(
          'over_refund',
          remaining === 0
            ? `Nothing is left to refund on this charge of ${money(charge.amount)}.`
            : `Only ${money(remaining)} of this charge of ${money(charge.amount)} is left to refund; ${money(input.amount)} is too much.`,
        );
      }
      const createdBy = actor;
      draft.refunds.push({
        id: refundId,
        chargeId: charge.id,
        amount: input.amount,
        currency: charge.currency,
        reason: input.reason,
        note: input.note,
        status: 'pending',
        idempotencyKey: `refund-${refundId}`,
        // the exact request, stored before it is sent: every replay sends these same parameters
        request: refundParams({ id: refundId, amount: input.amount, reason: input.reason, createdBy }, charge),
        requestKey: input.requestKey,
        stripeRefundId: null,
        failure: null,
        createdAt: clock.now().toISOString(),
        createdBy: actor,
      });
      return { createdId: refundId };
    });

    if ('createdId' in result) {
      await announce(input.chargeId);
      await once(refundId, async () => recordRefund(refundId, await sendRefund(await findRefund(refundId))));
    } else {
      await settleRefund(result.existingId);
    }
    return viewOf((await findRefund('createdId' in result ? result.createdId : result.existingId)).chargeId);
  };

  // ------------------------------------------------ receipt

  const receipt = async (chargeId: string): Promise<ReceiptView> => {
    // A charge that succeeded before receipts were numbered (or by a renewal) gets its number now.
    const found = await findCharge(chargeId);
    if (found.status === 'succeeded' && !(found.origin && !(await records.ownerDoc(chargeId, 'charge')).consents.some((c) => c.id === found.consentId)))
      await ensureReceiptNumber(chargeId);
    const doc = await records.ownerDoc(chargeId, 'charge');
    const charge = chargeIn(doc, chargeId);
    if (charge.status !== 'succeeded') throw new AppError('conflict', `There is no receipt for this charge: it is ${charge.status}, not succeeded.`);
    const customer = doc.customer;
    const consent = doc.consents.find((c) => c.id === charge.consentId);
    if (!consent && charge.origin) throw new AppError('conflict', 'This charge was made at another desk, which keeps its consent: print the receipt there.');
    if (!consent) throw new AppError('internal', `Charge ${chargeId} refers to a consent that is not in the customer's records.`);
    const { settings } = records.shop.data;
    const view = chargeView(doc, charge);
    // the receipt's total is what the customer finally paid: refunds still under way do not count yet
    const refunded = view.refunds.filter((r) => r.status === 'succeeded').reduce((sum, r) => sum + r.amount, 0);
    return {
      charge: view,
      customer: customerView(customer),
      shopName: settings.shopName,
      shopContact: settings.shopContact,
      consent: { id: consent.id, purpose: consent.params.purpose, acceptedAtUtc: consent.acceptedAtUtc },
      language: customer.language,
      ...receiptTax(settings, charge.currency, view.amount - refunded),
    };
  };

  // Refunds (and some charges) finish at Stripe asynchronously: follow them while they process.
  const poller = createPoller({
    intervalMs: pollIntervalOf(env.pollIntervalMs),
    waiting: () =>
      records.index
        .openWork()
        .filter((w) => (w.kind === 'charge' || w.kind === 'refund') && w.status === 'processing')
        .map((w) => `${w.kind}:${w.id}`),
    refresh: (key) => {
      const [kind, id] = key.split(':');
      return kind === 'charge' ? settleCharge(id) : settleRefund(id);
    },
    onError: (key, error) => logger.warn('following a processing charge or refund failed', { key, error: String(error) }),
  });

  return {
    startPolling: poller.start,
    stopPolling: poller.stop,
    handlers: {
      'charges.create': (input, ctx) => createCharge(input, actorOf(ctx)),
      'charges.resolve': async ({ chargeId }) => {
        await findCharge(chargeId);
        await settleCharge(chargeId);
        const { refunds } = await records.ownerDoc(chargeId, 'charge');
        for (const refund of refunds.filter((r) => r.chargeId === chargeId && (r.status === 'pending' || r.status === 'processing')))
          await settleRefund(refund.id);
        return viewOf(chargeId);
      },
      'charges.receipt': ({ chargeId }) => receipt(chargeId),
      'refunds.create': (input, ctx) => createRefund(input, actorOf(ctx)),
    },
    /** Start-up pass: finish what a crash or a lost connection left open. Never throws (start-up must go on). */
    async resolveInterrupted() {
      const work = records.index
        .openWork()
        .filter((w) => w.kind === 'charge' || w.kind === 'refund')
        .map((w) => ({ kind: w.kind, id: w.id, run: () => (w.kind === 'charge' ? settleCharge(w.id) : settleRefund(w.id)) }));
      await Promise.all(work.map(({ kind, id, run }) => run().catch((error) => logger.warn(`could not resolve interrupted ${kind}`, { id, error: String(error) }))));
    },
  };
}
