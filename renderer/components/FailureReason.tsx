import { useT } from '../i18n/I18nProvider';
import { failureText } from '../i18n/stripeCodes';

/** Why a charge, refund or setup failed: translated, with Stripe's own text underneath for reference. */
export function FailureReason({ failure, className }: { failure: { code: string; message: string }; className?: string }) {
  const t = useT();
  const { message, original } = failureText(t, failure);
  return (
    <span className={className ? `failure-reason ${className}` : 'failure-reason'}>
      {message}
      {original && <span className="failure-original">{original}</span>}
    </span>
  );
}
