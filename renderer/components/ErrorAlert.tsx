import type { ReactNode } from 'react';
import type { CallError } from '../../preload/contract';
import { useT } from '../i18n/I18nProvider';
import { stripeCodeKey } from '../i18n/stripeCodes';
import { errorText } from '../lib/errors';

/** A failed call, translated, with main's specifics underneath (role="alert" so it is announced). */
export function ErrorAlert({ error, context }: { error: CallError | null; context?: string }) {
  const t = useT();
  if (!error) return null;
  const { message, details, stripeMessage } = errorText(t, error);
  return (
    <div className="alert alert-error" role="alert">
      <p className="alert-title">
        {context ? `${context}: ` : ''}
        {message}
      </p>
      {details && (
        <p className="alert-details">
          {t('error.details')} {details}
        </p>
      )}
      {error.stripeCode && (
        <p className="alert-details">
          {t(stripeCodeKey(error.stripeCode))} {t('error.stripeCode', { code: error.stripeCode })}
        </p>
      )}
      {stripeMessage && (
        <p className="alert-details alert-stripe-original">
          {stripeMessage}
        </p>
      )}
    </div>
  );
}

/** A short success or progress message, announced politely. */
export function StatusMessage({ children, tone = 'info' }: { children: ReactNode; tone?: 'info' | 'success' | 'warning' }) {
  return (
    <div className={`alert alert-${tone}`} role="status">
      {children}
    </div>
  );
}

/** What stands in for data not loaded yet: the load's error, or "Loading…". */
export function NotLoaded({ error }: { error: CallError | null }) {
  const t = useT();
  return error ? <ErrorAlert error={error} /> : <StatusMessage>{t('common.loading')}</StatusMessage>;
}
