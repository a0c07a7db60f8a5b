/** Managers: every e-mail to customers, newest first, page by page; a failed one can be queued again. */
import { useState } from 'react';
import type { OutboxMessageView } from '../../preload/contract';
import { useAction, useApiEvent, useLoad } from '../api';
import { ErrorAlert, StatusMessage } from '../components/ErrorAlert';
import { OutboxTable } from '../components/Outbox';
import { ScreenHeading } from '../components/ScreenHeading';
import { useT } from '../i18n/I18nProvider';

const PAGE = 50;

export function OutboxScreen() {
  const t = useT();
  // cursors of the pages before this one (the first page has none)
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = useLoad('outbox.list', cursor ? { limit: PAGE, cursor } : { limit: PAGE });
  const retry = useAction();
  const [retrying, setRetrying] = useState<string | null>(null);
  const [retried, setRetried] = useState(false);
  // a state change of a message on this page shows at once; new messages appear on the first page
  useApiEvent('outbox.updated', (message) => {
    if (!list.data) return;
    const known = list.data.messages.some((m) => m.id === message.id);
    if (known) list.setData({ ...list.data, messages: list.data.messages.map((m) => (m.id === message.id ? message : m)) });
    else if (cursors.length === 0) void list.reload();
  });
  const onRetry = async (message: OutboxMessageView) => {
    setRetrying(message.id);
    setRetried(false);
    const result = await retry.run('outbox.retry', { messageId: message.id });
    setRetrying(null);
    if (result?.ok) {
      setRetried(true);
      await list.reload();
    }
  };
  const messages = list.data?.messages ?? [];
  return (
    <section>
      <ScreenHeading>{t('outbox.title')}</ScreenHeading>
      <p className="lead">{t('outbox.hint')}</p>
      <ErrorAlert error={list.error} />
      <ErrorAlert error={retry.error} />
      {retried && <StatusMessage tone="success">{t('outbox.retried')}</StatusMessage>}
      <section className="panel" aria-labelledby="outbox-heading">
        <h2 id="outbox-heading" className="visually-hidden">
          {t('outbox.title')}
        </h2>
        {list.loading && !list.data && <p className="hint">{t('common.loading')}</p>}
        {list.data && messages.length === 0 ? <p className="empty">{t('outbox.empty')}</p> : <OutboxTable messages={messages} showCustomer onRetry={onRetry} retrying={retrying} caption={t('outbox.title')} />}
        <div className="form-actions">
          <button type="button" onClick={() => setCursors([])} disabled={cursors.length === 0}>
            {t('outbox.newest')}
          </button>
          <button type="button" onClick={() => list.data?.nextCursor && setCursors((c) => [...c, list.data!.nextCursor!])} disabled={!list.data?.nextCursor}>
            {t('outbox.older')}
          </button>
          <span className="hint">{t('audit.page', { page: cursors.length + 1 })}</span>
        </div>
      </section>
    </section>
  );
}
