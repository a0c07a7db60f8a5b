/** A customer's e-mails (setup links, copies of terms, receipts) with their state, kept current by the outbox's updates. */
import type { OutboxMessageView } from '../../preload/contract';
import { useApiEvent, useLoad } from '../api';
import { useT } from '../i18n/I18nProvider';
import { ErrorAlert } from './ErrorAlert';
import { OutboxTable } from './Outbox';

export function CustomerEmails({ customerId }: { customerId: string }) {
  const t = useT();
  const list = useLoad('outbox.forCustomer', { customerId });
  useApiEvent('outbox.updated', (message: OutboxMessageView) => {
    if (message.customerId !== customerId) return;
    const current = list.data ?? [];
    if (current.some((m) => m.id === message.id)) list.setData(current.map((m) => (m.id === message.id ? message : m)));
    else void list.reload();
  });
  return (
    <section className="panel" aria-labelledby="customer-emails-heading">
      <h2 id="customer-emails-heading">{t('customer.emails')}</h2>
      <ErrorAlert error={list.error} />
      {list.data && list.data.length === 0 && <p className="empty">{t('customer.emailsEmpty')}</p>}
      {list.data && list.data.length > 0 && <OutboxTable messages={list.data} caption={t('customer.emails')} />}
    </section>
  );
}
