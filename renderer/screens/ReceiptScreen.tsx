/**
 * A printable receipt in the customer's language (the buttons around it follow the UI language).
 * Receipts in yen also carry what a Japanese simplified qualified invoice (適格簡易請求書) needs: the
 * shop's registration number when it has one, and the consumption tax included, by rate.
 */
import type { ReceiptView } from '../../preload/contract';
import { useLoad } from '../api';
import { NotLoaded } from '../components/ErrorAlert';
import { ScreenHeading } from '../components/ScreenHeading';
import { formatDateTime, formatMoney } from '../i18n/format';
import { useT } from '../i18n/I18nProvider';
import { translator } from '../i18n/translate';
import { useRouter } from '../router';
import { useSession } from '../session';
import { TrainingMark } from '../components/TrainingMark';

export function ReceiptScreen({ chargeId }: { chargeId: string }) {
  const t = useT();
  const { navigate } = useRouter();
  const loaded = useLoad('charges.receipt', { chargeId });
  if (!loaded.data) return <NotLoaded error={loaded.error} />;
  const receipt = loaded.data;
  return (
    <section className="printable receipt-screen">
      <ScreenHeading
        actions={
          <>
            <button type="button" className="button-primary" onClick={() => window.print()}>
              {t('common.print')}
            </button>
            <button type="button" onClick={() => navigate({ name: 'customer', customerId: receipt.customer.id })}>
              {t('customer.back')}
            </button>
          </>
        }
      >
        {t('receipt.screenTitle')}
      </ScreenHeading>
      <Receipt receipt={receipt} />
    </section>
  );
}

function Receipt({ receipt }: { receipt: ReceiptView }) {
  const lang = receipt.language;
  const r = translator(lang);
  const { charge, customer, tax } = receipt;
  const { info } = useSession();
  const money = (amount: number) => formatMoney(amount, charge.currency, lang);
  const succeededRefunds = charge.refunds.filter((x) => x.status === 'succeeded');
  const refunded = succeededRefunds.reduce((sum, x) => sum + x.amount, 0);
  return (
    <article className="receipt" lang={lang} aria-labelledby="receipt-title">
      {info.mode === 'training' && <TrainingMark text={r('receipt.trainingMark')} />}
      <header className="receipt-shop">
        <p className="receipt-shop-name">{receipt.shopName}</p>
        <p>{receipt.shopContact}</p>
        {receipt.invoiceRegistrationNumber && (
          <p className="receipt-registration">
            {r('receipt.registrationNumber')}: <span className="receipt-registration-number">{receipt.invoiceRegistrationNumber}</span>
          </p>
        )}
      </header>
      <h2 id="receipt-title">{r('receipt.title')}</h2>
      <dl className="details">
        <dt>{r('receipt.number')}</dt>
        <dd>
          {/* the human number; the internal id stays as a small reference for support */}
          {charge.receiptNumber && <strong className="receipt-number">{charge.receiptNumber}</strong>}
          <div className="hint">
            {r('receipt.internalId')} <code className="id id-secondary">{charge.id}</code>
          </div>
        </dd>
        <dt>{r('receipt.date')}</dt>
        <dd>{formatDateTime(charge.finishedAt ?? charge.createdAt, lang)}</dd>
        <dt>{r('receipt.customer')}</dt>
        <dd className="receipt-customer">{r('receipt.customerLine', { name: customer.name, email: customer.email })}</dd>
        <dt>{r('receipt.description')}</dt>
        <dd>{charge.description}</dd>
        <dt>{r('receipt.method')}</dt>
        <dd>{r('method.amazonPay')}</dd>
        <dt>{r('receipt.status')}</dt>
        <dd>{r(`chargeStatus.${charge.status}`)}</dd>
        {charge.paymentIntentId && (
          <>
            <dt>{r('receipt.reference')}</dt>
            <dd>
              <code className="id">{charge.paymentIntentId}</code>
            </dd>
          </>
        )}
      </dl>
      <table className="receipt-lines">
        <tbody>
          <tr>
            <th scope="row">{r('receipt.amount')}</th>
            <td className="num">{money(charge.amount)}</td>
          </tr>
          {succeededRefunds.map((refund) => (
            <tr key={refund.id}>
              <th scope="row">
                {r('receipt.refund')} ({formatDateTime(refund.createdAt, lang)})
              </th>
              <td className="num">−{money(refund.amount)}</td>
            </tr>
          ))}
          {refunded > 0 && (
            <tr className="total">
              <th scope="row">{r('receipt.net')}</th>
              <td className="num">{money(charge.amount - refunded)}</td>
            </tr>
          )}
          {tax && (
            <>
              <tr className="total">
                <th scope="row">{r('receipt.totalTaxIncluded', { rate: tax.ratePercent })}</th>
                <td className="num">{money(tax.taxableAmount)}</td>
              </tr>
              <tr className="receipt-tax">
                <th scope="row">{r('receipt.taxIncluded', { rate: tax.ratePercent })}</th>
                <td className="num">{money(tax.amount)}</td>
              </tr>
            </>
          )}
        </tbody>
      </table>
      {tax && <p className="hint receipt-tax-rounding">{r('receipt.taxRounding')}</p>}
      <p className="receipt-consent">
        {r('receipt.consent', { purpose: receipt.consent.purpose, date: formatDateTime(receipt.consent.acceptedAtUtc, lang) })}
      </p>
      <p className="hint">{r('receipt.thanks')}</p>
    </article>
  );
}
