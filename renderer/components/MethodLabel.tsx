/** A saved method as a person recognises it: "Amazon Pay" first, Stripe's id underneath, small and unbroken. */
import { useT } from '../i18n/I18nProvider';

export function MethodLabel({ paymentMethodId, detail }: { paymentMethodId: string | null; detail?: string }) {
  const t = useT();
  return (
    <span className="method-label">
      <span>
        <strong className="method-name">{t('method.amazonPay')}</strong>
        {detail && <span className="method-detail"> · {detail}</span>}
      </span>
      {paymentMethodId && (
        <span className="method-id">
          <code className="id id-secondary">{paymentMethodId}</code>
        </span>
      )}
    </span>
  );
}
