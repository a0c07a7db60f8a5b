/** The audit screen's filter form and its conversion to what `audit.list` / `audit.export` expect. */
import { AUDIT_CHAIN_PROBLEMS, CHANNELS, CURRENCIES, calls, type AuditChainProblem, type AuditEntryView, type CallInput, type ChargeView, type Currency, type Language, type RefundView, type SubscriptionView } from '../../preload/contract';
import { en, type MessageKey } from '../i18n/en';
import { formatDateTime, formatMoney, localDayBoundary } from '../i18n/format';
import { disputeReasonLabel, disputeStatusLabel } from '../lib/disputes';
import type { Translate } from '../i18n/translate';
import { shortId } from './describe';

export type AuditFilter = NonNullable<CallInput<'audit.list'>['filter']>;
export interface AuditFilterForm { action: string; outcome: '' | AuditEntryView['outcome']; customerId: string; from: string; to: string }
export const EMPTY_AUDIT_FILTER: AuditFilterForm = { action: '', outcome: '', customerId: '', from: '', to: '' };

/** Blanks are left out; dates become the start / end of that local day as ISO instants. */
export function toAuditFilter(form: AuditFilterForm): AuditFilter {
  const filter: AuditFilter = {};
  if (form.action.trim()) filter.action = form.action.trim();
  if (form.outcome) filter.outcome = form.outcome;
  if (form.customerId.trim()) filter.customerId = form.customerId.trim();
  const from = form.from ? localDayBoundary(form.from, 'start') : null;
  const to = form.to ? localDayBoundary(form.to, 'end') : null;
  if (from) filter.from = from;
  if (to) filter.to = to;
  return filter;
}

// ---------------------------------------------------------------- the entry as a ledger line

/** Actions main writes besides the contract's own channels (a channel name is the action of its call). */
const EXTRA_ACTIONS = [
  'consents.withdraw.recorded',
  'audit.chainBroken',
  // changes learnt from Stripe's events (main/core/stripe-events.ts)
  'stripe.chargeFromOtherDesk',
  'stripe.refundFromOtherDesk',
  'stripe.renewal',
  'stripe.methodDetached',
  'stripe.dispute',
  // the e-mail outbox (main/core/outbox.ts)
  'outbox.queued',
  'outbox.sent',
  'outbox.failed',
] as const;

/** Every action the audit log can hold, for the filter list: the contract's changing calls, then main's own entries. */
export const AUDIT_ACTIONS: readonly string[] = [...CHANNELS.filter((channel) => calls[channel].mutates), ...EXTRA_ACTIONS];

/** The action in words ("Charge", "Consent withdrawn"); an action this renderer does not know is shown as main spelled it. */
export function auditActionLabel(t: Translate, action: string): string {
  const key = `auditAction.${action}`;
  return Object.prototype.hasOwnProperty.call(en, key) ? t(key as MessageKey) : action;
}

/** What the renderer knows about a customer an entry names (from `customers.get`). */
export interface KnownCustomer { name: string; charges: ReadonlyArray<Pick<ChargeView, 'id' | 'currency'>> }

const CHARGE_STATUSES: readonly string[] = ['pending', 'processing', 'succeeded', 'declined', 'unavailable', 'action_required', 'failed'];
const REFUND_STATUSES: readonly string[] = ['pending', 'processing', 'succeeded', 'failed'];
const SUBSCRIPTION_STATUSES: readonly string[] = ['incomplete', 'active', 'past_due', 'canceled', 'unpaid', 'trialing', 'incomplete_expired', 'paused'];
const isCurrency = (value: unknown): value is Currency => typeof value === 'string' && (CURRENCIES as readonly string[]).includes(value);
const record = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/**
 * One line a manager reads: "Charge of €42.50 to Alice Example — Declined". Built from what the entry
 * holds (its input and result) and the customer's name where the renderer could look it up; main's own
 * summary is the fallback for an action without a line here.
 */
export function ledgerLine(t: Translate, lang: Language, entry: Pick<AuditEntryView, 'action' | 'outcome' | 'customerId' | 'summary' | 'details'>, customer: KnownCustomer | null): string {
  const input = record(entry.details.input);
  const result = record(entry.details.result);
  const name = customer?.name ?? (typeof input.name === 'string' && entry.action === 'customers.create' ? input.name : null);
  const who = name ?? (entry.customerId ? shortId(entry.customerId) : '—');
  const minor = typeof input.amount === 'number' ? input.amount : null;
  // A refund's currency is its charge's: found in the customer's charges.
  const currency = isCurrency(input.currency) ? input.currency : customer?.charges.find((c) => c.id === input.chargeId)?.currency;
  const amount = minor !== null && currency ? formatMoney(minor, currency, lang) : minor !== null ? String(minor) : '';
  const status = typeof result.status === 'string' && CHARGE_STATUSES.includes(result.status) ? t(`chargeStatus.${result.status as ChargeView['status']}`) : null;
  const ended = entry.outcome === 'ok' ? '' : ` — ${t(`outcome.${entry.outcome}`)}${typeof entry.details.code === 'string' ? ` (${entry.details.code})` : ''}`;
  const detail = entry.details;
  const detailAmount = typeof detail.amount === 'number' && isCurrency(detail.currency) ? formatMoney(detail.amount, detail.currency, lang) : amount;
  const detailStatus = typeof detail.status === 'string' ? detail.status : '';
  switch (entry.action) {
    case 'stripe.chargeFromOtherDesk':
      return t('ledger.chargeOtherDesk', { amount: detailAmount, name: who, status: CHARGE_STATUSES.includes(detailStatus) ? t(`chargeStatus.${detailStatus as ChargeView['status']}`) : detailStatus });
    case 'stripe.refundFromOtherDesk':
      return t('ledger.refundOtherDesk', { amount: detailAmount, name: who, status: REFUND_STATUSES.includes(detailStatus) ? t(`refundStatus.${detailStatus as RefundView['status']}`) : detailStatus });
    case 'stripe.renewal': {
      const subscriptionStatus = typeof detail.subscriptionStatus === 'string' ? detail.subscriptionStatus : '';
      const statusText = SUBSCRIPTION_STATUSES.includes(subscriptionStatus) ? t(`subscriptionStatus.${subscriptionStatus as SubscriptionView['status']}`) : subscriptionStatus;
      return detail.paid ? t('ledger.renewalPaid', { amount: detailAmount, name: who }) : t('ledger.renewalFailed', { amount: detailAmount, name: who, status: statusText });
    }
    case 'stripe.methodDetached':
      return t('ledger.methodDetached', { name: who });
    case 'stripe.dispute':
      return detail.previousStatus === null && typeof detail.dueBy === 'string'
        ? t('ledger.disputeOpened', { name: who, amount: detailAmount, reason: disputeReasonLabel(t, String(detail.reason ?? '')), status: disputeStatusLabel(t, detailStatus), date: formatDateTime(detail.dueBy, lang) })
        : t('ledger.disputeChanged', { name: who, amount: detailAmount, status: disputeStatusLabel(t, detailStatus) });
    case 'disputes.submitEvidence':
      return `${t('ledger.disputeEvidence', { name: who })}${ended}`;
    case 'charges.create':
      return `${t('ledger.charge', { amount, name: who })}${status && entry.outcome === 'ok' ? ` — ${status}` : ''}${ended}`;
    case 'refunds.create':
      return `${t('ledger.refund', { amount, name: who })}${ended}`;
    case 'customers.create':
      return `${t('ledger.customerCreated', { name: who })}${ended}`;
    case 'consents.record':
    case 'consents.withdraw':
    case 'consents.withdraw.recorded':
    case 'setups.start':
    case 'setups.cancel':
    case 'subscriptions.create':
    case 'subscriptions.cancel':
      return `${auditActionLabel(t, entry.action)} — ${who}${ended}`;
    case 'audit.chainBroken': {
      // what the break was, in the reader's language (entries from before the code carry only the English text)
      const code = detail.code;
      if (typeof code !== 'string' || !(AUDIT_CHAIN_PROBLEMS as readonly string[]).includes(code)) return `${auditActionLabel(t, entry.action)}${ended}`;
      const params = Object.fromEntries(Object.entries(record(detail.params)).filter((pair): pair is [string, string | number] => typeof pair[1] === 'string' || typeof pair[1] === 'number'));
      return `${auditActionLabel(t, entry.action)} — ${t(`auditProblem.${code as AuditChainProblem}`, params)}`;
    }
    default:
      return entry.customerId || name ? `${auditActionLabel(t, entry.action)} — ${who}${ended}` : `${auditActionLabel(t, entry.action)}${ended}`;
  }
}
