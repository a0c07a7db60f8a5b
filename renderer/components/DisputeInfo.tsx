/** A charge's dispute: reason, amount, status and evidence deadline; managers answer it with the consent's evidence. */
import { useState } from 'react';
import { DISPUTE_OPEN_STATUSES, type ChargeView } from '../../preload/contract';
import { useAction } from '../api';
import { formatDateTime, formatMoney } from '../i18n/format';
import { useLanguage, useT } from '../i18n/I18nProvider';
import { disputeReasonLabel, disputeStatusLabel, disputeTone } from '../lib/disputes';
import { useSession } from '../session';
import { ConfirmButton } from './ConfirmButton';
import { ErrorAlert, StatusMessage } from './ErrorAlert';

export function DisputeInfo({ charge, hasConsent, onChanged }: { charge: ChargeView; hasConsent: boolean; onChanged(): void }) {
  const t = useT();
  const { lang } = useLanguage();
  const { isManager } = useSession();
  const submit = useAction();
  const [done, setDone] = useState(false);
  const dispute = charge.dispute;
  if (!dispute) return null;
  const open = DISPUTE_OPEN_STATUSES.includes(dispute.status);

  const send = async () => {
    const result = await submit.run('disputes.submitEvidence', { chargeId: charge.id });
    if (result?.ok) {
      setDone(true);
      onChanged();
    }
  };

  return (
    <div className="dispute" data-dispute-id={dispute.id} role="group" aria-label={t('dispute.title')}>
      <p>
        <strong>{t('dispute.row', { reason: disputeReasonLabel(t, dispute.reason), amount: formatMoney(dispute.amount, dispute.currency, lang) })}</strong>{' '}
        <span className={`badge badge-${disputeTone(dispute)}`}>{disputeStatusLabel(t, dispute.status)}</span>
      </p>
      {open && dispute.dueBy && <p className={dispute.pastDue ? 'text-bad' : ''}>{t('dispute.dueBy', { date: formatDateTime(dispute.dueBy, lang) })}</p>}
      {open && dispute.pastDue && <p className="text-bad">{t('dispute.pastDue')}</p>}
      {dispute.evidence && <p className="hint">{t('dispute.submitted', { date: formatDateTime(dispute.evidence.submittedAt, lang), name: dispute.evidence.submittedBy.name })}</p>}
      {done && <StatusMessage tone="success">{t('dispute.submitDone')}</StatusMessage>}
      <ErrorAlert error={submit.error} />
      {isManager && open && !dispute.pastDue && hasConsent && (
        <ConfirmButton label={t('dispute.submit')} question={t('dispute.submitConfirm')} confirmLabel={t('dispute.submit')} onConfirm={send} busy={submit.busy} />
      )}
      {isManager && open && !hasConsent && <p className="hint">{t('dispute.noConsentHere')}</p>}
    </div>
  );
}
