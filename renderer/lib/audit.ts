/** The audit screen's filter form and its conversion to what `audit.list` / `audit.export` expect. */
import type { AuditEntryView, CallInput } from '../../preload/contract';
import { localDayBoundary } from '../i18n/format';

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
