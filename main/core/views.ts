/**
 * Pure record → view builders, shared by every core module. A view is what the contract promises
 * the renderer: the stored record plus what is joined at read time (links, withdrawal, status,
 * refunds, price). Nothing here reads the clock or the store by itself: callers pass the customer's
 * document and `now` (the env clock), so the same inputs always give the same view.
 */
import type {
  ChargeView,
  OtherDeskView,
  ConsentStatus,
  ConsentView,
  CustomerDetail,
  CustomerView,
  DisputeView,
  PriceView,
  RecordOriginView,
  RefundView,
  SavedMethodView,
  SetupView,
  SubscriptionView,
} from '../../preload/contract';
import { calendarDay } from '../../preload/contract';
import type {
  ChargeRecord,
  CustomerDoc,
  ConsentRecord,
  CustomerRecord,
  DisputeRecord,
  PriceRecord,
  RecordOrigin,
  RefundRecord,
  SavedMethodRecord,
  SetupRecord,
  SubscriptionRecord,
} from './data';
import { AppError } from './errors';

export function customerView(record: CustomerRecord): CustomerView {
  const { id, name, email, phone, language, stripeCustomerId, createdAt } = record;
  return { id, name, email, phone, language, stripeCustomerId, createdAt };
}

/** Today's calendar date (`YYYY-MM-DD`) in `timeZone` at the moment `now`; UTC if the zone is unknown. */
export function calendarDateIn(now: Date, timeZone: string): string {
  const format = (zone: string) =>
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  try {
    return format(timeZone);
  } catch {
    return format('UTC');
  }
}

/**
 * Where a consent stands at `now`: withdrawn (a withdrawal record exists), expired (its end date has
 * passed), not_started (its start date is still ahead) or active. Dates are the consent's calendar
 * dates in the time zone it was accepted in; the end date is the last day it is valid.
 */
export function consentStatus(data: Pick<Readonly<CustomerDoc>, 'withdrawals'>, record: ConsentRecord, now: Date): ConsentStatus {
  if (data.withdrawals.some((w) => w.consentId === record.id)) return 'withdrawn';
  const today = calendarDay(calendarDateIn(now, record.timeZone))!;
  const { startDate, endDate } = record.params;
  // compared as days, not strings; an impossible date (only in records made before dates were
  // checked) never makes a consent chargeable
  const end = endDate === null ? null : calendarDay(endDate);
  if (endDate !== null && (end === null || today > end)) return 'expired';
  const start = calendarDay(startDate);
  if (start === null || today < start) return 'not_started';
  return 'active';
}

/**
 * The consent with its later links joined: from its succeeded setup (else its newest setup) and the
 * saved method that setup produced, plus its withdrawal, and its status at `now`.
 */
export function consentView(data: Readonly<CustomerDoc>, record: ConsentRecord, now: Date): ConsentView {
  const setups = newestFirst(data.setups.filter((s) => s.consentId === record.id), (s) => s.createdAt);
  const linked = setups.find((s) => s.status === 'succeeded') ?? setups[0] ?? null;
  const method = linked ? data.savedMethods.find((m) => m.setupId === linked.id) ?? null : null;
  const withdrawal = data.withdrawals.find((w) => w.consentId === record.id) ?? null;
  return {
    id: record.id,
    customerId: record.customerId,
    stripeCustomerId: record.stripeCustomerId,
    termsVersion: record.termsVersion,
    language: record.language,
    title: record.title,
    text: record.text,
    textSha256: record.textSha256,
    params: record.params,
    typedName: record.typedName,
    signaturePng: record.signaturePng,
    acceptedAtUtc: record.acceptedAtUtc,
    acceptedAtLocal: record.acceptedAtLocal,
    timeZone: record.timeZone,
    witnessedBy: record.witnessedBy,
    terminalId: record.terminalId,
    links: {
      checkoutSessionId: linked?.checkoutSessionId ?? null,
      setupIntentId: method?.setupIntentId ?? linked?.setupIntentId ?? null,
      paymentMethodId: method?.paymentMethodId ?? linked?.paymentMethodId ?? null,
      mandateId: method?.mandateId ?? linked?.mandateId ?? null,
    },
    withdrawal: withdrawal
      ? { at: withdrawal.at, byStaffId: withdrawal.by.staffId, byName: withdrawal.by.name, reason: withdrawal.reason, stripeShare: withdrawal.stripeShare ?? null }
      : null,
    status: consentStatus(data, record, now),
    stripeEvidence: record.stripeEvidence ?? null,
    origin: originView(record.origin),
    correctsConsentId: record.correctsConsentId,
  };
}

export function setupView(record: SetupRecord): SetupView {
  return {
    id: record.id,
    customerId: record.customerId,
    consentId: record.consentId,
    checkoutSessionId: record.checkoutSessionId,
    status: record.status,
    url: record.status === 'open' ? record.url : null,
    expiresAt: record.expiresAt,
    createdAt: record.createdAt,
    finishedAt: record.finishedAt,
    setupIntentId: record.setupIntentId,
    paymentMethodId: record.paymentMethodId,
    mandateId: record.mandateId,
    failure: record.failure,
  };
}

export function savedMethodView(record: SavedMethodRecord): SavedMethodView {
  return {
    paymentMethodId: record.paymentMethodId,
    type: record.type,
    customerId: record.customerId,
    consentId: record.consentId,
    setupId: record.setupId,
    setupIntentId: record.setupIntentId,
    mandateId: record.mandateId,
    savedAt: record.savedAt,
    status: record.detachedAt ? 'detached' : 'active',
    detachedAt: record.detachedAt,
    billingEmail: record.billingEmail ?? null,
    billingName: record.billingName ?? null,
    detachedElsewhere: record.detachedElsewhere ?? false,
  };
}

export function refundView(record: RefundRecord): RefundView {
  const { id, chargeId, amount, currency, reason, note, status, stripeRefundId, failure, createdAt, createdBy } = record;
  return { id, chargeId, amount, currency, reason, note, status, stripeRefundId, failure, createdAt, createdBy, fromOtherDesk: otherDeskView(record.origin) };
}

export function disputeView(record: DisputeRecord): DisputeView {
  return { ...record, evidence: record.evidence ? { ...record.evidence, submittedBy: { ...record.evidence.submittedBy } } : null };
}

/** Refund statuses that count against what is left to refund (a failed refund gave nothing back). */
const COUNTED_REFUND_STATUSES: ReadonlySet<RefundRecord['status']> = new Set(['pending', 'processing', 'succeeded']);

/** What a charge has given back, or may yet: the sum of its pending, processing and succeeded refunds. */
export function refundedAmount(data: Pick<Readonly<CustomerDoc>, 'refunds'>, chargeId: string): number {
  return data.refunds.filter((r) => r.chargeId === chargeId && COUNTED_REFUND_STATUSES.has(r.status)).reduce((sum, r) => sum + r.amount, 0);
}

/** The charge with its refunds (oldest first) and its `refundedAmount`. */
export function chargeView(data: Readonly<CustomerDoc>, record: ChargeRecord): ChargeView {
  const refunds = data.refunds.filter((r) => r.chargeId === record.id);
  return {
    id: record.id,
    customerId: record.customerId,
    consentId: record.consentId,
    paymentMethodId: record.paymentMethodId,
    amount: record.amount,
    currency: record.currency,
    description: record.description,
    status: record.status,
    idempotencyKey: record.idempotencyKey,
    paymentIntentId: record.paymentIntentId,
    failure: record.failure,
    createdAt: record.createdAt,
    finishedAt: record.finishedAt,
    createdBy: record.createdBy,
    refundedAmount: refundedAmount(data, record.id),
    refunds: refunds.map(refundView),
    subscriptionId: record.subscriptionId,
    receiptNumber: record.receiptNumber ?? null,
    fromOtherDesk: otherDeskView(record.origin),
    dispute: record.dispute ? disputeView(record.dispute) : null,
    origin: originView(record.origin),
  };
}

/** A charge or refund made at another desk, as the renderer shows it (from its `origin`; null: made here). */
export function otherDeskView(origin: RecordOrigin | undefined): OtherDeskView | null {
  return origin ? { terminalId: origin.terminalId ?? null, recordId: origin.recordId ?? null, seenAt: origin.importedAt } : null;
}

/** Where an imported record came from (null for one made at this desk). */
export function originView(origin: RecordOrigin | undefined): RecordOriginView | null {
  return origin ? { source: origin.source, importedAt: origin.importedAt, terminalId: origin.terminalId ?? null } : null;
}

export function priceView(record: PriceRecord): PriceView {
  const { id, productName, amount, currency, interval, intervalCount } = record;
  return { id, productName, amount, currency, interval, intervalCount };
}

const SUBSCRIPTION_STATUSES: ReadonlyArray<SubscriptionView['status']> = [
  'incomplete',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'trialing',
  'incomplete_expired',
  'paused',
];
function isSubscriptionStatus(status: string): status is SubscriptionView['status'] {
  return (SUBSCRIPTION_STATUSES as readonly string[]).includes(status);
}
/** Statuses in which Stripe will try to collect again at the end of the period. */
const COLLECTING_STATUSES: ReadonlySet<string> = new Set(['active', 'trialing', 'past_due']);

/**
 * The subscription with its price joined. `nextPaymentAt` is the period end while Stripe will
 * collect again then (collecting status, not set to cancel at period end), otherwise null.
 * Throws when the price record is missing or the status is not one Stripe uses: both mean the
 * store is inconsistent, which must be seen rather than papered over.
 */
export function subscriptionView(prices: readonly PriceRecord[], record: SubscriptionRecord): SubscriptionView {
  const price = prices.find((p) => p.id === record.priceId);
  if (!price) throw new AppError('internal', `Subscription ${record.id} refers to price ${record.priceId}, which is not in the store.`);
  if (!isSubscriptionStatus(record.status)) throw new AppError('internal', `Subscription ${record.id} has an unknown status "${record.status}".`);
  const collecting = COLLECTING_STATUSES.has(record.status) && !record.cancelAtPeriodEnd;
  return {
    id: record.id,
    stripeSubscriptionId: record.stripeSubscriptionId ?? '',
    customerId: record.customerId,
    consentId: record.consentId,
    paymentMethodId: record.paymentMethodId,
    price: priceView(price),
    status: record.status,
    currentPeriodEnd: record.currentPeriodEnd,
    nextPaymentAt: collecting ? record.currentPeriodEnd : null,
    cancelAtPeriodEnd: record.cancelAtPeriodEnd,
    canceledAt: record.canceledAt,
    createdAt: record.createdAt,
    payments: record.payments.map((p) => ({ ...p })),
  };
}

/** Newest first by `timeOf`; records with the same time keep "later in the store = newer". */
export function newestFirst<T>(records: readonly T[], timeOf: (record: T) => string): T[] {
  return records
    .map((record, index) => ({ record, index }))
    .sort((a, b) => (timeOf(a.record) === timeOf(b.record) ? b.index - a.index : timeOf(a.record) < timeOf(b.record) ? 1 : -1))
    .map(({ record }) => record);
}

/** Everything about one customer (their document), each list newest first. */
export function customerDetail(doc: Readonly<CustomerDoc>, prices: readonly PriceRecord[], now: Date): CustomerDetail {
  return {
    customer: customerView(doc.customer),
    consents: newestFirst(doc.consents, (c) => c.acceptedAtUtc).map((c) => consentView(doc, c, now)),
    setups: newestFirst(doc.setups, (s) => s.createdAt).map(setupView),
    savedMethods: newestFirst(doc.savedMethods, (m) => m.savedAt).map(savedMethodView),
    charges: newestFirst(doc.charges, (c) => c.createdAt).map((c) => chargeView(doc, c)),
    subscriptions: newestFirst(doc.subscriptions, (s) => s.createdAt).map((s) => subscriptionView(prices, s)),
  };
}
