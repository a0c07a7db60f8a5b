/** Managers: the audit log, filtered and paged, with the hash-chain status and JSON/CSV export. */
import { Fragment, useState } from 'react';
import { useAction, useLoad } from '../api';
import { ErrorAlert, StatusMessage } from '../components/ErrorAlert';
import { SelectField, TextField } from '../components/fields';
import { ScreenHeading } from '../components/ScreenHeading';
import { TableHead } from '../components/TableHead';
import { formatDateTime } from '../i18n/format';
import { EMPTY_AUDIT_FILTER, toAuditFilter, type AuditFilter, type AuditFilterForm } from '../lib/audit';
import { useLanguage, useT } from '../i18n/I18nProvider';
import { downloadFile } from '../lib/hooks';

const PAGE_SIZE = 50;
export function AuditScreen() {
  const t = useT();
  const { lang } = useLanguage();
  const [form, setForm] = useState<AuditFilterForm>(EMPTY_AUDIT_FILTER);
  const [filter, setFilter] = useState<AuditFilter>({});
  const [pages, setPages] = useState<number[]>([]); // beforeSeq of each page after the first
  const beforeSeq = pages[pages.length - 1];
  const list = useLoad('audit.list', { filter, limit: PAGE_SIZE, ...(beforeSeq ? { beforeSeq } : {}) });
  const exporter = useAction();
  const [open, setOpen] = useState<number | null>(null);
  const set = (key: keyof AuditFilterForm) => (value: string) => setForm((f) => ({ ...f, [key]: value }));

  const apply = (e: React.FormEvent) => {
    e.preventDefault();
    setFilter(toAuditFilter(form));
    setPages([]);
  };
  const exportAs = async (format: 'json' | 'csv') => {
    const result = await exporter.run('audit.export', { filter, format });
    if (result?.ok) downloadFile(result.data);
  };

  const entries = list.data?.entries ?? [];
  const chain = list.data?.chain;
  const oldest = entries.length ? Math.min(...entries.map((e) => e.seq)) : null;

  return (
    <section>
      <ScreenHeading
        actions={
          <>
            <button type="button" onClick={() => void exportAs('json')} disabled={exporter.busy}>
              {t('audit.exportJson')}
            </button>
            <button type="button" onClick={() => void exportAs('csv')} disabled={exporter.busy}>
              {t('audit.exportCsv')}
            </button>
          </>
        }
      >
        {t('audit.title')}
      </ScreenHeading>
      {chain &&
        (chain.ok ? (
          <StatusMessage tone="success">{t('audit.chainOk', { entries: chain.entries })}</StatusMessage>
        ) : (
          <div className="alert alert-error" role="alert">
            <p className="alert-title">{t('notice.auditBroken')}</p>
            <p>
              {chain.brokenAtSeq !== null && t('notice.auditBrokenAt', { seq: chain.brokenAtSeq })} {chain.problem}
            </p>
          </div>
        ))}
      <ErrorAlert error={exporter.error} />

      <form className="panel filters" onSubmit={apply} aria-label={t('audit.filters')}>
        <div className="form-grid five">
          <TextField label={t('audit.action')} hint={t('audit.actionHint')} value={form.action} onChange={set('action')} />
          <SelectField
            label={t('audit.outcome')}
            value={form.outcome}
            onChange={set('outcome')}
            options={[
              { value: '', label: t('audit.outcomeAny') },
              { value: 'ok', label: t('outcome.ok') },
              { value: 'refused', label: t('outcome.refused') },
              { value: 'error', label: t('outcome.error') },
            ]}
          />
          <TextField label={t('audit.customer')} value={form.customerId} onChange={set('customerId')} />
          <TextField label={t('audit.from')} type="date" value={form.from} onChange={set('from')} />
          <TextField label={t('audit.to')} type="date" value={form.to} onChange={set('to')} />
        </div>
        <div className="form-actions">
          <button type="submit" className="button-primary">
            {t('audit.apply')}
          </button>
          <button
            type="button"
            onClick={() => {
              setForm(EMPTY_AUDIT_FILTER);
              setFilter({});
              setPages([]);
            }}
          >
            {t('audit.clear')}
          </button>
        </div>
      </form>

      <ErrorAlert error={list.error} />
      <section className="panel" aria-labelledby="entries-heading">
        <h2 id="entries-heading">{t('audit.entries')}</h2>
        {list.loading && <p className="hint">{t('common.loading')}</p>}
        {!list.loading && entries.length === 0 ? (
          <p className="empty">{t('audit.none')}</p>
        ) : (
          <table className="audit-table">
            <TableHead columns={['#', t('audit.col.time'), t('audit.col.actor'), t('audit.action'), t('audit.outcome'), t('audit.customer'), t('audit.col.summary')]} />
            <tbody>
              {entries.map((entry) => (
                <Fragment key={entry.seq}>
                  <tr>
                    <td>{entry.seq}</td>
                    <td>{formatDateTime(entry.at, lang)}</td>
                    <td>{entry.actor ? `${entry.actor.name} (${t(`role.${entry.actor.role}`)})` : '—'}</td>
                    <td>
                      <code>{entry.action}</code>
                    </td>
                    <td>
                      <span className={`badge badge-${entry.outcome === 'ok' ? 'good' : entry.outcome === 'refused' ? 'warn' : 'bad'}`}>{t(`outcome.${entry.outcome}`)}</span>
                    </td>
                    <td>{entry.customerId ? <code className="id">{entry.customerId}</code> : '—'}</td>
                    <td>
                      {entry.summary}{' '}
                      <button type="button" className="link-button" aria-expanded={open === entry.seq} onClick={() => setOpen(open === entry.seq ? null : entry.seq)}>
                        {t('audit.details', { seq: entry.seq })}
                      </button>
                    </td>
                  </tr>
                  {open === entry.seq && (
                    <tr className="subrow">
                      <td colSpan={7}>
                        <pre className="json">{JSON.stringify(entry.details, null, 2)}</pre>
                        <p className="hint">
                          {t('audit.hash')} <code className="hash">{entry.hash}</code>
                        </p>
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        )}
        <div className="form-actions">
          <button type="button" onClick={() => setPages((p) => p.slice(0, -1))} disabled={pages.length === 0}>
            {t('audit.newer')}
          </button>
          <button type="button" onClick={() => oldest !== null && setPages((p) => [...p, oldest])} disabled={entries.length < PAGE_SIZE || oldest === null || oldest <= 1}>
            {t('audit.older')}
          </button>
          <span className="hint">{t('audit.page', { page: pages.length + 1 })}</span>
        </div>
      </section>
    </section>
  );
}
