/** "Send the link by e-mail" on the waiting screen: queues the Checkout link to the customer and follows that e-mail's state. */
import { useState } from 'react';
import type { OutboxMessageView, SetupView } from '../../preload/contract';
import { useAction, useApiEvent, useLoad } from '../api';
import { useT } from '../i18n/I18nProvider';
import { ErrorAlert } from './ErrorAlert';
import { MailError, MailStateBadge } from './Outbox';

export function SendLinkByEmail({ setup, email }: { setup: SetupView; email: string | null }) {
  const t = useT();
  const status = useLoad('mail.status', {});
  const action = useAction();
  const [message, setMessage] = useState<OutboxMessageView | null>(null);
  useApiEvent('outbox.updated', (update) => {
    if (message && update.id === message.id) setMessage(update);
  });
  const configured = status.data?.configured ?? false;
  const send = async () => {
    const result = await action.run('mail.sendSetupLink', { setupId: setup.id });
    if (result?.ok) setMessage(result.data);
  };
  return (
    <div className="send-link-email">
      <button type="button" onClick={send} disabled={!configured || !email || action.busy} aria-describedby={configured ? undefined : 'email-later'}>
        {action.busy ? t('common.working') : t('setup.sendEmail')}
      </button>
      {status.data && !configured && (
        <p id="email-later" className="hint">
          {t('setup.emailLater')}
        </p>
      )}
      <ErrorAlert error={action.error} />
      {message && (
        <div role="status" className="hint" data-testid="setup-email-state">
          <p>{t('setup.emailQueued', { email: message.to })}</p>
          <p>
            {t('setup.emailState')}{' '}
            <MailStateBadge state={message.state} />
          </p>
          {message.error && message.state !== 'sent' && <MailError error={message.error} />}
        </div>
      )}
    </div>
  );
}
