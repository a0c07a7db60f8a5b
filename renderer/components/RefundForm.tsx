/** Full or partial refund of a charge; never more than what remains. Its own request key per intent. */
import { useState } from 'react';
import type { ChargeView, RefundView } from '../../preload/contract';
import { useAction } from '../api';
import { amountForInput, currencyExponent, formatMoney } from '../i18n/format';
import { useLanguage, useT } from '../i18n/I18nProvider';
import type { Msg } from '../i18n/translate';
import { newRefundOf, refundableOf } from '../lib/describe';
import { fieldErrors } from '../lib/errors';
import { newRequestKey } from '../lib/hooks';
import { checkRefund } from '../lib/validation';
import { ErrorAlert, StatusMessage } from './ErrorAlert';
import { SelectField, TextField } from './fields';

const REASONS: Array<RefundView['reason']> = ['requested_by_customer', 'duplicate', 'fraudulent'];

export function RefundForm({ charge, onDone, onClose }: { charge: ChargeView; onDone(): void; onClose(): void }) {
  const t = useT();
  const { lang } = useLanguage();
  const remaining = refundableOf(charge);
  const [requestKey] = useState(newRequestKey);
  const [amountText, setAmountText] = useState(() => amountForInput(remaining, charge.currency));
  const [reason, setReason] = useState<RefundView['reason']>('requested_by_customer');
  const [note, setNote] = useState('');
  const [clientErrors, setClientErrors] = useState<Record<string, Msg>>({});
  /** The refund this form made; its status is then read from the live `charge` (main pushes changes). */
  const [doneRefundId, setDoneRefundId] = useState<string | null>(null);
  const [doneView, setDoneView] = useState<ChargeView | null>(null);
  const action = useAction();
  const errors = fieldErrors(t, clientErrors, action.error);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const checked = checkRefund({ amountText, note }, charge.currency, remaining, lang);
    setClientErrors(checked.ok ? {} : (checked.errors as Record<string, Msg>));
    if (!checked.ok) return;
    const result = await action.run('refunds.create', { chargeId: charge.id, amount: checked.value.amount, reason, note: checked.value.note, requestKey });
    if (result?.ok) {
      setDoneRefundId(newRefundOf(charge.refunds, result.data.refunds)?.id ?? null);
      setDoneView(result.data);
    }
  };

  if (doneView) {
    // The newer of the two: the answer, or the charge as main pushed it since (a refund settles later).
    const refund = charge.refunds.find((r) => r.id === doneRefundId) ?? doneView.refunds.find((r) => r.id === doneRefundId) ?? null;
    const tone = refund?.status === 'failed' ? 'warning' : refund?.status === 'succeeded' ? 'success' : 'info';
    return (
      <div className="inline-form">
        <StatusMessage tone={tone}>
          {refund ? t('refund.result', { amount: formatMoney(refund.amount, refund.currency, lang), status: t(`refundStatus.${refund.status}`) }) : t('refund.recorded')}
        </StatusMessage>
        <button type="button" onClick={onDone}>
          {t('common.close')}
        </button>
      </div>
    );
  }

  return (
    <form className="inline-form" onSubmit={submit} noValidate aria-label={t('refund.title')}>
      <h3>{t('refund.title')}</h3>
      <p>{t('refund.remaining', { amount: formatMoney(remaining, charge.currency, lang), total: formatMoney(charge.amount, charge.currency, lang) })}</p>
      <ErrorAlert error={action.error} />
      <div className="form-grid">
        <TextField
          label={t('refund.amount')}
          value={amountText}
          onChange={setAmountText}
          error={errors.amount}
          inputMode={currencyExponent(charge.currency) === 0 ? 'numeric' : 'decimal'}
          suffix={charge.currency.toUpperCase()}
          required
        />
        <SelectField label={t('refund.reason')} value={reason} onChange={setReason} options={REASONS.map((r) => ({ value: r, label: t(`refundReason.${r}`) }))} />
        <TextField label={t('refund.note')} value={note} onChange={setNote} error={errors.note} maxLength={300} />
      </div>
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={action.busy}>
          {action.busy ? t('common.working') : t('refund.submit')}
        </button>
        <button type="button" onClick={onClose} disabled={action.busy}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

