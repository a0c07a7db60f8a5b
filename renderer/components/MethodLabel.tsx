/**
 * A saved method as a person recognises it: "Amazon Pay · alice@example.com" first (the wallet's
 * e-mail, else the name Stripe gave), Stripe's id underneath, small and unbroken.
 */
import type { SavedMethodView } from '../../preload/contract';
import { useT } from '../i18n/I18nProvider';

export function MethodLabel({ paymentMethodId, detail, method }: { paymentMethodId: string | null; detail?: string; method?: Pick<SavedMethodView, 'billingEmail' | 'billingName'> | null }) {
  const t = useT();
  const holder = method?.billingEmail || method?.billingName || null;
  return (
    <span className="method-label">
      <span>
        <strong className="method-name">{t('method.amazonPay')}</strong>
        {holder && <span className="method-holder"> · {holder}</span>}
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
