/** Every charge of the customer with its refunds; receipts for all, refunds and outcome checks for managers. */
import { Fragment, useState } from 'react';
import { OriginNote } from './StripeShare';
import type { CustomerDetail } from '../../preload/contract';
import { useAction } from '../api';
import { formatDateTime, formatMoney } from '../i18n/format';
import { useLanguage, useT } from '../i18n/I18nProvider';
import { chargeDisplayStatus, refundableOf, shortId } from '../lib/describe';
import { useRouter } from '../router';
import { useSession } from '../session';
import { ErrorAlert } from './ErrorAlert';
import { RefundForm } from './RefundForm';
import { ChargeStatusBadge, RefundStatusBadge } from './StatusBadge';
import { TableHead } from './TableHead';
import { FailureReason } from './FailureReason';
import { DisputeInfo } from './DisputeInfo';

export function ChargeHistory({ detail, onChanged }: { detail: CustomerDetail; onChanged(): void }) {
  const t = useT();
  const { lang } = useLanguage();
  const { navigate } = useRouter();
  const { isManager } = useSession();
  const [refunding, setRefunding] = useState<string | null>(null);
  const resolve = useAction();
  if (detail.charges.length === 0 && !isManager) return null;

  const checkOutcome = async (chargeId: string) => {
    const result = await resolve.run('charges.resolve', { chargeId });
    if (result?.ok) onChanged();
  };

  return (
    <section className="panel" aria-labelledby="charges-heading">
      <h2 id="charges-heading">{t('history.title')}</h2>
      <ErrorAlert error={resolve.error} />
      {detail.charges.length === 0 ? (
        <p className="empty">{t('history.empty')}</p>
      ) : (
        <table>
          <TableHead columns={[t('history.col.date'), t('history.col.description'), { label: t('history.col.amount'), className: 'num' }, t('history.col.status'), { label: t('history.col.refunded'), className: 'num' }, t('common.actions')]} />
          <tbody>
            {detail.charges.map((charge) => {
              const remaining = refundableOf(charge);
              return (
                <Fragment key={charge.id}>
                  <tr>
                    <td>{formatDateTime(charge.createdAt, lang)}</td>
                    <td>
                      {charge.description}
                      {charge.subscriptionId && <div className="hint">{t('history.fromSubscription')}</div>}
                      {charge.fromOtherDesk && <div className="hint">{t('history.fromOtherDesk', { terminal: charge.fromOtherDesk.terminalId ? shortId(charge.fromOtherDesk.terminalId) : '—' })}</div>}
                      {charge.origin && (
                        <div>
                          <OriginNote origin={charge.origin} />
                        </div>
                      )}
                      {charge.failure && <FailureReason className="text-bad" failure={charge.failure} />}
                    </td>
                    <td className="num">{formatMoney(charge.amount, charge.currency, lang)}</td>
                    <td>
                      <ChargeStatusBadge status={chargeDisplayStatus(charge)} />
                    </td>
                    <td className="num">{charge.refundedAmount > 0 ? formatMoney(charge.refundedAmount, charge.currency, lang) : '—'}</td>
                    <td className="actions">
                      {charge.status === 'succeeded' && (!charge.fromOtherDesk || detail.consents.some((c) => c.id === charge.consentId)) && (
                        <button type="button" onClick={() => navigate({ name: 'receipt', chargeId: charge.id })}>
                          {t('history.receipt')}
                        </button>
                      )}
                      {isManager && remaining > 0 && !charge.dispute && (
                        <button type="button" onClick={() => setRefunding(refunding === charge.id ? null : charge.id)} aria-expanded={refunding === charge.id}>
                          {t('history.refund')}
                        </button>
                      )}
                      {isManager && (charge.status === 'pending' || charge.status === 'processing') && (
                        <button type="button" onClick={() => void checkOutcome(charge.id)} disabled={resolve.busy}>
                          {t('charge.checkOutcome')}
                        </button>
                      )}
                    </td>
                  </tr>
                  {charge.refunds.map((refund) => (
                    <tr key={refund.id} className="subrow">
                      <td>{formatDateTime(refund.createdAt, lang)}</td>
                      <td>
                        {refund.fromOtherDesk
                          ? t('history.refundRowOtherDesk', { reason: t(`refundReason.${refund.reason}`) })
                          : t('history.refundRow', { reason: t(`refundReason.${refund.reason}`), name: refund.createdBy.name })}
                        {refund.note && <div className="hint">{refund.note}</div>}
                        {refund.failure && <FailureReason className="text-bad" failure={refund.failure} />}
                      </td>
                      <td className="num">−{formatMoney(refund.amount, refund.currency, lang)}</td>
                      <td>
                        <RefundStatusBadge status={refund.status} />
                      </td>
                      <td />
                      <td />
                    </tr>
                  ))}
                  {charge.dispute && (
                    <tr className="subrow">
                      <td colSpan={6}>
                        <DisputeInfo charge={charge} hasConsent={detail.consents.some((c) => c.id === charge.consentId)} onChanged={onChanged} />
                      </td>
                    </tr>
                  )}
                  {refunding === charge.id && (
                    <tr className="subrow">
                      <td colSpan={6}>
                        <RefundForm
                          charge={charge}
                          onDone={() => {
                            setRefunding(null);
                            onChanged();
                          }}
                          onClose={() => setRefunding(null)}
                        />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
