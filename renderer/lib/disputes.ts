/** Disputes in words: status, reason and the tone of their badge. */
import { DISPUTE_OPEN_STATUSES, DISPUTE_STATUSES, type DisputeView } from '../../preload/contract';
import { en, type MessageKey } from '../i18n/en';
import type { Translate } from '../i18n/translate';

const known = (key: string): key is MessageKey => Object.prototype.hasOwnProperty.call(en, key);

/** A dispute status in words; a status Stripe adds later is shown as Stripe spells it. */
export function disputeStatusLabel(t: Translate, status: string): string {
  const key = `disputeStatus.${status}`;
  return (DISPUTE_STATUSES as readonly string[]).includes(status) && known(key) ? t(key) : status;
}
export function disputeReasonLabel(t: Translate, reason: string): string {
  const key = `disputeReason.${reason}`;
  return known(key) ? t(key) : reason;
}
export function disputeTone(dispute: Pick<DisputeView, 'status'>): 'good' | 'bad' | 'warn' | 'neutral' {
  if (DISPUTE_OPEN_STATUSES.includes(dispute.status)) return 'bad';
  if (dispute.status === 'won' || dispute.status === 'warning_closed' || dispute.status === 'prevented') return 'good';
  if (dispute.status === 'lost') return 'bad';
  return 'warn';
}
