/** The customer's subscriptions: status, next payment, payments; cancel now or at period end; refresh from Stripe. */
import type { CustomerDetail, SubscriptionView } from '../../preload/contract';
import { useAction } from '../api';
import { formatDateTime, formatMoney } from '../i18n/format';
import { useLanguage, useT } from '../i18n/I18nProvider';
import { describePrice, invoiceStatusLabel } from '../lib/describe';
import { useSession } from '../session';
import { ConfirmButton } from './ConfirmButton';
import { ErrorAlert } from './ErrorAlert';
import { SubscriptionStatusBadge } from './StatusBadge';
import { TableHead } from './TableHead';
import { TrainingClock } from './TrainingClock';

const ENDED: ReadonlySet<SubscriptionView['status']> = new Set(['canceled', 'incomplete_expired']);

export function SubscriptionsSection({ detail, onChanged }: { detail: CustomerDetail; onChanged(): void }) {
  const t = useT();
  const { lang } = useLanguage();
  const { isManager, info } = useSession();
  const refresh = useAction();
  const cancel = useAction();
  if (!isManager && detail.subscriptions.length === 0) return null;

  const refreshNow = async () => {
    const result = await refresh.run('subscriptions.refresh', { customerId: detail.customer.id });
    if (result?.ok) onChanged();
  };
  const cancelSubscription = async (subscriptionId: string, atPeriodEnd: boolean) => {
    const result = await cancel.run('subscriptions.cancel', { subscriptionId, atPeriodEnd });
    if (result?.ok) onChanged();
  };

  return (
    <section className="panel" aria-labelledby="subscriptions-heading">
      <div className="section-heading">
        <h2 id="subscriptions-heading">{t('subscriptions.title')}</h2>
        {isManager && (
          <button type="button" onClick={() => void refreshNow()} disabled={refresh.busy}>
            {refresh.busy ? t('common.working') : t('subscriptions.refresh')}
          </button>
        )}
      </div>
      <ErrorAlert error={refresh.error} />
      <ErrorAlert error={cancel.error} />
      {detail.subscriptions.length === 0 ? (
        <p className="empty">{t('subscriptions.empty')}</p>
      ) : (
        <table>
          <TableHead columns={[t('subscriptions.col.price'), t('subscriptions.col.status'), t('subscriptions.col.next'), t('subscriptions.col.payments'), isManager && t('common.actions')]} />
          <tbody>
            {detail.subscriptions.map((s) => (
              <tr key={s.id}>
                <td>
                  {describePrice(t, s.price, lang)}
                  <div className="hint">
                    <code className="id">{s.stripeSubscriptionId}</code>
                  </div>
                </td>
                <td>
                  <SubscriptionStatusBadge status={s.status} />
                  {s.cancelAtPeriodEnd && !ENDED.has(s.status) && (
                    <div className="hint">{t('subscriptions.endsAt', { time: s.currentPeriodEnd ? formatDateTime(s.currentPeriodEnd, lang) : '—' })}</div>
                  )}
                  {s.canceledAt && <div className="hint">{t('subscriptions.canceledAt', { time: formatDateTime(s.canceledAt, lang) })}</div>}
                </td>
                <td>{s.nextPaymentAt && !ENDED.has(s.status) ? formatDateTime(s.nextPaymentAt, lang) : '—'}</td>
                <td>
                  {s.payments.length === 0 ? (
                    '—'
                  ) : (
                    <ul className="plain-list">
                      {s.payments.map((p) => (
                        <li key={p.invoiceId}>
                          {formatMoney(p.amount, p.currency, lang)} · {invoiceStatusLabel(t, p.status)}
                          {p.paidAt && ` · ${formatDateTime(p.paidAt, lang)}`}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                {isManager && (
                  <td className="actions">
                    {!ENDED.has(s.status) && (
                      <>
                        <ConfirmButton
                          label={t('subscriptions.cancelNow')}
                          question={t('subscriptions.cancelNowQuestion')}
                          confirmLabel={t('subscriptions.cancelNowConfirm')}
                          onConfirm={() => cancelSubscription(s.id, false)}
                          busy={cancel.busy}
                          danger
                        />
                        {!s.cancelAtPeriodEnd && (
                          <ConfirmButton
                            label={t('subscriptions.cancelAtEnd')}
                            question={t('subscriptions.cancelAtEndQuestion')}
                            confirmLabel={t('subscriptions.cancelAtEndConfirm')}
                            onConfirm={() => cancelSubscription(s.id, true)}
                            busy={cancel.busy}
                          />
                        )}
                      </>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {isManager && info.mode === 'training' && <TrainingClock onAdvanced={() => void refreshNow()} />}
    </section>
  );
}
