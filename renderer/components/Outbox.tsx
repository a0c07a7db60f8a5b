/** E-mails of the outbox as a table (the shop-wide Outbox screen and a customer's page), with their state and why one failed. */
import type { OutboxMessageView } from '../../preload/contract';
import { formatDateTime } from '../i18n/format';
import { useLanguage, useT } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n/en';
import type { Translate } from '../i18n/translate';

const TONE: Record<OutboxMessageView['state'], string> = { queued: 'warn', retrying: 'warn', sent: 'good', failed: 'bad' };
const CERTIFICATE_ERRORS = ['certificate_self_signed', 'certificate_untrusted', 'certificate_expired', 'certificate_hostname'];
const KNOWN_ERRORS = ['connection', 'timeout', 'tls', ...CERTIFICATE_ERRORS, 'auth', 'smtp_4xx', 'smtp_5xx', 'not_configured', 'internal', 'other'];

/** The server's certificate was refused here (no server reply to show; the detail is Node's name for the problem). */
export const isCertificateError = (code: string) => CERTIFICATE_ERRORS.includes(code);

export function MailStateBadge({ state }: { state: OutboxMessageView['state'] }) {
  const t = useT();
  return <span className={`badge badge-${TONE[state]}`}>{t(`mailState.${state}`)}</span>;
}

/** Why sending failed, in words, with the server's own reply underneath (for the mail provider's support). */
export function mailErrorText(t: Translate, error: { code: string; responseCode: number | null; message: string }): string {
  const key = `mailError.${KNOWN_ERRORS.includes(error.code) ? error.code : 'other'}` as MessageKey;
  return t(key);
}

export function MailError({ error }: { error: { code: string; responseCode: number | null; message: string } }) {
  const t = useT();
  return (
    <>
      <span>{t('outbox.reason', { reason: mailErrorText(t, error) })}</span>
      {error.message && !isCertificateError(error.code) && (
        <span className="hint mail-server-reply" lang="en">
          {error.responseCode ? `${error.responseCode} ` : ''}
          {error.message}
        </span>
      )}
    </>
  );
}

export function OutboxTable(props: { messages: OutboxMessageView[]; showCustomer?: boolean; onRetry?(message: OutboxMessageView): void; retrying?: string | null; caption: string }) {
  const t = useT();
  const { lang } = useLanguage();
  return (
    <div className="table-wrap">
      <table className="data-table outbox-table">
        <caption className="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('outbox.col.created')}</th>
            <th scope="col">{t('outbox.col.kind')}</th>
            {props.showCustomer && <th scope="col">{t('outbox.col.to')}</th>}
            <th scope="col">{t('outbox.col.subject')}</th>
            <th scope="col">{t('outbox.col.state')}</th>
            <th scope="col">{t('outbox.col.detail')}</th>
            {props.onRetry && <th scope="col"><span className="visually-hidden">{t('common.actions')}</span></th>}
          </tr>
        </thead>
        <tbody>
          {props.messages.map((m) => (
            <tr key={m.id} data-message-id={m.id} data-state={m.state}>
              <td>{formatDateTime(m.createdAt, lang)}</td>
              <td>{t(`mailKind.${m.kind}`)}</td>
              {props.showCustomer && <td className="mail-to">{m.to}</td>}
              <td lang={m.language}>{m.subject}</td>
              <td>
                <MailStateBadge state={m.state} />
              </td>
              <td className="mail-detail">
                <span>
                  {t('outbox.col.attempts')}: {m.attempts}
                </span>
                {m.state === 'sent' && m.smtpMessageId && <code className="id">{m.smtpMessageId}</code>}
                {(m.state === 'retrying' || m.state === 'queued') && m.nextAttemptAt && m.attempts > 0 && <span>{t('outbox.nextAttempt', { time: formatDateTime(m.nextAttemptAt, lang) })}</span>}
                {m.error && m.state !== 'sent' && <MailError error={m.error} />}
                {m.attachments.length > 0 && <span>{t('outbox.attachments', { files: m.attachments.join(', ') })}</span>}
              </td>
              {props.onRetry && (
                <td>
                  {m.state === 'failed' && (
                    <button type="button" onClick={() => props.onRetry!(m)} disabled={props.retrying === m.id}>
                      {props.retrying === m.id ? t('common.working') : t('outbox.retry')}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
