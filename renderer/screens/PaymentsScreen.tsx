/**
 * Managers: every charge and refund of the shop for a date range (at most 31 days), filtered by
 * status and customer, newest first and paged, with day totals per currency and a CSV export.
 */
import { useState } from 'react';
import { PAYMENT_STATUSES, PAYMENTS_MAX_DAYS, type PaymentRowView, type PaymentStatus } from '../../preload/contract';
import { useAction, useLoad } from '../api';
import { DateField } from '../components/DateField';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField } from '../components/fields';
import { ScreenHeading } from '../components/ScreenHeading';
import { TableHead } from '../components/TableHead';
import { formatDate, formatDateTime, formatMoney, todayIsoDate } from '../i18n/format';
import { useLanguage, useT } from '../i18n/I18nProvider';
import { downloadFile } from '../lib/hooks';
import { CustomerChooser } from './AuditScreen';

const PAGE_SIZE = 50;

interface PaymentsFilterForm { from: string; to: string; status: '' | PaymentStatus; customerId: string }

function daysAgo(days: number): string {
  const at = new Date();
  at.setDate(at.getDate() - days);
  return todayIsoDate(at);
}
const initialForm = (): PaymentsFilterForm => ({ from: daysAgo(6), to: todayIsoDate(), status: '', customerId: '' });

/** Why the range cannot be asked for (checked here too, so a wrong range is named at its field in the app's language). */
function rangeProblem(form: PaymentsFilterForm): 'payments.rangeInvalid' | 'payments.rangeReversed' | 'payments.rangeTooLong' | null {
  const from = Date.parse(`${form.from}T00:00:00Z`);
  const to = Date.parse(`${form.to}T00:00:00Z`);
  if (Number.isNaN(from) || Number.isNaN(to)) return 'payments.rangeInvalid';
  if (to < from) return 'payments.rangeReversed';
  if ((to - from) / 86_400_000 + 1 > PAYMENTS_MAX_DAYS) return 'payments.rangeTooLong';
  return null;
}

function toFilter(form: PaymentsFilterForm) {
  return { from: form.from, to: form.to, ...(form.status ? { status: form.status } : {}), ...(form.customerId ? { customerId: form.customerId } : {}) };
}

export function PaymentsScreen() {
  const t = useT();
  const { lang } = useLanguage();
  const [form, setForm] = useState<PaymentsFilterForm>(initialForm);
  const [filter, setFilter] = useState(() => toFilter(initialForm()));
  /** The cursor of each page after the first. */
  const [cursors, setCursors] = useState<string[]>([]);
  const [clears, setClears] = useState(0);
  const [rangeError, setRangeError] = useState<ReturnType<typeof rangeProblem>>(null);
  const cursor = cursors[cursors.length - 1];
  const list = useLoad('payments.list', { ...filter, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
  const exporter = useAction();
  const set = <K extends keyof PaymentsFilterForm>(key: K) => (value: PaymentsFilterForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const apply = (e: React.FormEvent) => {
    e.preventDefault();
    const problem = rangeProblem(form);
    setRangeError(problem);
    if (problem) return;
    setFilter(toFilter(form));
    setCursors([]);
  };
  const exportCsv = async () => {
    const result = await exporter.run('payments.export', filter);
    if (result?.ok) downloadFile(result.data);
  };
  const statusLabel = ({ kind, status }: Pick<PaymentRowView, 'kind' | 'status'>) =>
    kind === 'refund' && (status === 'pending' || status === 'processing' || status === 'succeeded' || status === 'failed') ? t(`refundStatus.${status}`) : t(`chargeStatus.${status}`);
  // after a refused call nothing of an earlier answer stays on screen as if it were this one's
  const shown = list.error ? null : list.data;
  const rows = shown?.rows ?? [];
  const totals = shown?.totals ?? [];

  return (
    <section>
      <ScreenHeading
        actions={
          <button type="button" onClick={() => void exportCsv()} disabled={exporter.busy}>
            {t('payments.exportCsv')}
          </button>
        }
      >
        {t('payments.title')}
      </ScreenHeading>
      <ErrorAlert error={exporter.error} />

      <form className="panel filters" onSubmit={apply} aria-label={t('payments.filters')}>
        <div className="form-grid">
          <DateField label={t('payments.from')} value={form.from} onChange={set('from')} required />
          <DateField label={t('payments.to')} value={form.to} onChange={set('to')} min={form.from} required hint={t('payments.rangeHint', { days: PAYMENTS_MAX_DAYS })} error={rangeError ? t(rangeError, { days: PAYMENTS_MAX_DAYS }) : undefined} />
          <SelectField
            label={t('payments.status')}
            value={form.status}
            onChange={set('status')}
            options={[{ value: '' as const, label: t('payments.statusAny') }, ...PAYMENT_STATUSES.map((status) => ({ value: status, label: t(`chargeStatus.${status}`) }))]}
          />
          <CustomerChooser key={clears} customerId={form.customerId} onChange={set('customerId')} />
        </div>
        <div className="form-actions">
          <button type="submit" className="button-primary">
            {t('payments.apply')}
          </button>
          <button
            type="button"
            onClick={() => {
              const fresh = initialForm();
              setForm(fresh);
              setClears((n) => n + 1);
              setFilter(toFilter(fresh));
              setCursors([]);
              setRangeError(null);
            }}
          >
            {t('payments.clear')}
          </button>
        </div>
      </form>

      <ErrorAlert error={list.error} />
      <section className="panel" aria-labelledby="totals-heading">
        <h2 id="totals-heading">{t('payments.totals')}</h2>
        {!list.loading && totals.length === 0 ? (
          <p className="empty">{t('payments.none')}</p>
        ) : (
          <table className="payments-totals">
            <TableHead columns={[t('payments.col.day'), t('payments.col.charged'), t('payments.col.refunded'), t('payments.col.net'), t('payments.col.count')]} />
            <tbody>
              {totals.map((total) => (
                <tr key={`${total.day}-${total.currency}`}>
                  <td>{formatDate(total.day, lang)}</td>
                  <td>{formatMoney(total.charged, total.currency, lang)}</td>
                  <td>{formatMoney(total.refunded, total.currency, lang)}</td>
                  <td>
                    <strong>{formatMoney(total.net, total.currency, lang)}</strong>
                  </td>
                  <td>{t('payments.counts', { charges: total.succeededCharges, refunds: total.succeededRefunds, rows: total.rows })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="panel" aria-labelledby="payments-heading">
        <h2 id="payments-heading">{t('payments.rows', { count: shown?.matched ?? 0 })}</h2>
        {list.loading && <p className="hint">{t('common.loading')}</p>}
        {!list.loading && rows.length === 0 ? (
          <p className="empty">{t('payments.none')}</p>
        ) : (
          <table className="payments-table">
            <TableHead columns={[t('payments.col.created'), t('payments.col.kind'), t('payments.col.customer'), t('payments.col.amount'), t('payments.status'), t('payments.col.staff'), t('payments.col.terminal')]} />
            <tbody>
              {rows.map((row) => (
                <tr key={row.id} data-payment-id={row.id}>
                  <td>{formatDateTime(row.createdAt, lang)}</td>
                  <td>
                    {t(`payments.kind.${row.kind}`)}
                    {row.description && <div className="hint">{row.description}</div>}
                  </td>
                  <td>
                    {row.customerName ?? '—'}
                    <div>
                      <code className="id id-secondary">{row.customerId}</code>
                    </div>
                  </td>
                  <td className="amount">{row.kind === 'refund' ? `−${formatMoney(row.amount, row.currency, lang)}` : formatMoney(row.amount, row.currency, lang)}</td>
                  <td>
                    <span className={`badge badge-${row.status === 'succeeded' ? 'good' : row.status === 'pending' || row.status === 'processing' ? 'warn' : 'bad'}`}>{statusLabel(row)}</span>
                  </td>
                  <td>{row.staff.name}</td>
                  <td>{row.terminal.name}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div className="form-actions">
          <button type="button" onClick={() => setCursors((c) => c.slice(0, -1))} disabled={cursors.length === 0}>
            {t('payments.newer')}
          </button>
          <button type="button" onClick={() => shown?.nextCursor && setCursors((c) => [...c, shown.nextCursor!])} disabled={!shown?.nextCursor}>
            {t('payments.older')}
          </button>
          <span className="hint">{t('audit.page', { page: cursors.length + 1 })}</span>
        </div>
      </section>
    </section>
  );
}
