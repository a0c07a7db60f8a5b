/** Short human descriptions of recorded things, shared by several screens. */
import type { ChargeStatus, ChargeView, Language, MandateParams, PriceView, RefundView } from '../../preload/contract';
import { formatDate, formatMoney } from '../i18n/format';
import type { Translate } from '../i18n/translate';

/** "Up to €100.00 per payment", "Fixed amount: ￥1,500". */
export function describeAmountRule(t: Translate, params: MandateParams, lang: Language): string {
  if (params.amountRule === 'fixed' && params.amount !== undefined)
    return t('describe.amount.fixed', { amount: formatMoney(params.amount, params.currency, lang) });
  const max = params.maxAmount === undefined ? '—' : formatMoney(params.maxAmount, params.currency, lang);
  return t(params.amountRule === 'per_usage' ? 'describe.amount.per_usage' : 'describe.amount.up_to_max', { max });
}

/** "From November 27, 2026 until canceled" / "From … to …". */
export function describePeriod(t: Translate, params: MandateParams, lang: Language): string {
  const start = formatDate(params.startDate, lang);
  return params.endDate === null ? t('describe.period.open', { start }) : t('describe.period.until', { start, end: formatDate(params.endDate, lang) });
}

/** A short id for tables: the recognisable start of a long id. */
export function shortId(id: string): string {
  return id.length > 14 ? `${id.slice(0, 12)}…` : id;
}

/** What can still be refunded of a charge: only a succeeded charge, less what was already refunded. */
export function refundableOf(charge: Pick<ChargeView, 'status' | 'amount' | 'refundedAmount'>): number {
  return charge.status === 'succeeded' ? Math.max(0, charge.amount - charge.refundedAmount) : 0;
}

/** What a charge's status line says: a succeeded charge whose refunds have gone through reads "Refunded" or "Partly refunded". */
export type ChargeDisplayStatus = ChargeStatus | 'refunded' | 'partly_refunded';
export function chargeDisplayStatus(charge: Pick<ChargeView, 'status' | 'amount' | 'refunds'>): ChargeDisplayStatus {
  if (charge.status !== 'succeeded') return charge.status;
  // Only refunds that succeeded count here; one still processing is shown on its own row.
  const refunded = charge.refunds.filter((r) => r.status === 'succeeded').reduce((sum, r) => sum + r.amount, 0);
  if (refunded >= charge.amount) return 'refunded';
  return refunded > 0 ? 'partly_refunded' : 'succeeded';
}

/** The refund a `refunds.create` answer is about: the one that was not there before (or, for a repeat, the newest). */
export function newRefundOf(before: ReadonlyArray<Pick<RefundView, 'id'>>, after: readonly RefundView[]): RefundView | null {
  const known = new Set(before.map((r) => r.id));
  return after.find((r) => !known.has(r.id)) ?? [...after].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1) ?? null;
}

/** "Coffee club — €9.90 every month". */
export function describePrice(t: Translate, price: PriceView, lang: Language): string {
  return t('price.describe', {
    name: price.productName,
    amount: formatMoney(price.amount, price.currency, lang),
    every: price.intervalCount === 1 ? t(`interval.every.${price.interval}`) : t(`interval.everyN.${price.interval}`, { count: price.intervalCount }),
  });
}

const INVOICE_STATUSES = ['draft', 'open', 'paid', 'uncollectible', 'void'] as const;

/** Stripe's invoice status in words; an unknown status is shown as Stripe spells it. */
export function invoiceStatusLabel(t: Translate, status: string): string {
  return (INVOICE_STATUSES as readonly string[]).includes(status) ? t(`invoiceStatus.${status as (typeof INVOICE_STATUSES)[number]}`) : status;
}
