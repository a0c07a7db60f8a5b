/**
 * Managers: the audit log as a ledger ("Charge of €42.50 to Alice Example — Declined"), filtered by
 * choosing an action and a customer by name, paged, with the hash-chain status and JSON/CSV export.
 */
import { Fragment, useEffect, useMemo, useState } from 'react';
import type { CustomerView } from '../../preload/contract';
import { call, useAction, useLoad } from '../api';
import { DateField, INVALID_DATE } from '../components/DateField';
import { ErrorAlert, StatusMessage } from '../components/ErrorAlert';
import { SelectField, TextField } from '../components/fields';
import { ScreenHeading } from '../components/ScreenHeading';
import { AuditChainBroken } from '../components/StoreNotices';
import { TableHead } from '../components/TableHead';
import { formatDateTime } from '../i18n/format';
import { AUDIT_ACTIONS, EMPTY_AUDIT_FILTER, auditActionLabel, ledgerLine, toAuditFilter, type AuditFilter, type AuditFilterForm, type KnownCustomer } from '../lib/audit';
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
  /** Bumped by "Clear filters" so the customer chooser forgets the typed name too. */
  const [clears, setClears] = useState(0);
  const set = (key: keyof AuditFilterForm) => (value: string) => setForm((f) => ({ ...f, [key]: value }));

  const apply = (e: React.FormEvent) => {
    e.preventDefault();
    // a date that does not read as a day is named at its field; nothing is asked for
    if (form.from === INVALID_DATE || form.to === INVALID_DATE) return;
    setFilter(toAuditFilter(form));
    setPages([]);
  };
  const exportAs = async (format: 'json' | 'csv') => {
    const result = await exporter.run('audit.export', { filter, format });
    if (result?.ok) downloadFile(result.data);
  };

  const entries = useMemo(() => list.data?.entries ?? [], [list.data]);
  const customers = useKnownCustomers(entries.map((e) => e.customerId));
  const chain = list.data?.chain;
  // where the next page starts: main looks through a bounded number of entries per page, so a page
  // with few (or no) matches can still have older ones behind it
  const oldest = list.data?.nextBeforeSeq ?? null;

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
          <AuditChainBroken chain={chain} />
        ))}
      <ErrorAlert error={exporter.error} />

      <form className="panel filters" onSubmit={apply} aria-label={t('audit.filters')}>
        <div className="form-grid five">
          <SelectField
            label={t('audit.action')}
            value={form.action}
            onChange={set('action')}
            options={[{ value: '', label: t('audit.actionAny') }, ...AUDIT_ACTIONS.map((action) => ({ value: action, label: auditActionLabel(t, action) }))]}
          />
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
          <CustomerChooser key={clears} customerId={form.customerId} onChange={set('customerId')} />
          <DateField label={t('audit.from')} value={form.from} onChange={set('from')} />
          <DateField label={t('audit.to')} value={form.to} onChange={set('to')} min={form.from || undefined} />
        </div>
        <div className="form-actions">
          <button type="submit" className="button-primary">
            {t('audit.apply')}
          </button>
          <button
            type="button"
            onClick={() => {
              setForm(EMPTY_AUDIT_FILTER);
              setClears((n) => n + 1);
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
            <TableHead columns={['#', t('audit.col.time'), t('audit.col.actor'), t('audit.col.entry'), t('audit.outcome'), t('audit.customerName')]} />
            <tbody>
              {entries.map((entry) => (
                <Fragment key={entry.seq}>
                  <tr>
                    <td>{entry.seq}</td>
                    <td>{formatDateTime(entry.at, lang)}</td>
                    <td>{entry.actor ? t('audit.actor', { name: entry.actor.name, role: t(`role.${entry.actor.role}`) }) : '—'}</td>
                    <td>
                      <span className="ledger-line">{ledgerLine(t, lang, entry, entry.customerId ? (customers.get(entry.customerId) ?? null) : null)}</span>
                      <div className="hint">
                        {auditActionLabel(t, entry.action)} · <code>{entry.action}</code>{' '}
                        <button type="button" className="link-button" aria-expanded={open === entry.seq} onClick={() => setOpen(open === entry.seq ? null : entry.seq)}>
                          {t('audit.details', { seq: entry.seq })}
                        </button>
                      </div>
                    </td>
                    <td>
                      <span className={`badge badge-${entry.outcome === 'ok' ? 'good' : entry.outcome === 'refused' ? 'warn' : 'bad'}`}>{t(`outcome.${entry.outcome}`)}</span>
                    </td>
                    <td>
                      {entry.customerId ? (
                        <>
                          {customers.get(entry.customerId)?.name ?? null}
                          <div>
                            <code className="id id-secondary">{entry.customerId}</code>
                          </div>
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                  </tr>
                  {open === entry.seq && (
                    <tr className="subrow">
                      <td colSpan={6}>
                        <p className="hint">{entry.summary}</p>
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
          <button type="button" onClick={() => oldest !== null && setPages((p) => [...p, oldest])} disabled={oldest === null || oldest <= 1}>
            {t('audit.older')}
          </button>
          <span className="hint">{t('audit.page', { page: pages.length + 1 })}</span>
        </div>
      </section>
    </section>
  );
}

/** Names (and charge currencies) of the customers the entries on this page name, looked up once each. */
function useKnownCustomers(ids: ReadonlyArray<string | null>): ReadonlyMap<string, KnownCustomer> {
  const [known, setKnown] = useState<ReadonlyMap<string, KnownCustomer>>(new Map());
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))].sort().join(' ');
  useEffect(() => {
    let live = true;
    const missing = wanted.split(' ').filter((id) => id && !known.has(id));
    if (missing.length === 0) return;
    void Promise.all(missing.map(async (customerId) => [customerId, await call('customers.get', { customerId })] as const)).then((answers) => {
      if (!live) return;
      setKnown((before) => {
        const next = new Map(before);
        for (const [id, answer] of answers) if (answer.ok) next.set(id, { name: answer.data.customer.name, charges: answer.data.charges });
        return next;
      });
    });
    return () => {
      live = false;
    };
    // `known` is read, not followed: a lookup that failed is not retried on every render
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [wanted]);
  return known;
}

/** The customer filter: type a name, choose among the customers it finds. */
/** A customer chosen by typing a name, then picking from the matches (also used by the Payments screen). */
export function CustomerChooser({ customerId, onChange }: { customerId: string; onChange(customerId: string): void }) {
  const t = useT();
  const [name, setName] = useState('');
  const [matches, setMatches] = useState<CustomerView[] | null>(null);
  useEffect(() => {
    const text = name.trim();
    if (!text) return;
    let live = true;
    const timer = window.setTimeout(() => {
      void call('customers.search', { query: text }).then((answer) => {
        if (!live || !answer.ok) return;
        setMatches(answer.data.local);
        onChange(answer.data.local[0]?.id ?? '');
      });
    }, 300);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [name]);
  const typed = name.trim() !== '';
  return (
    <div>
      <TextField
        label={t('audit.customerName')}
        hint={typed && matches?.length === 0 ? t('audit.customerNone') : t('audit.customerNameHint')}
        value={name}
        onChange={(text) => {
          setName(text);
          if (!text.trim()) {
            setMatches(null);
            onChange('');
          }
        }}
      />
      {typed && matches && matches.length > 0 && (
        <SelectField
          label={t('audit.customerChoice')}
          value={customerId}
          onChange={onChange}
          options={matches.map((c) => ({ value: c.id, label: c.email ? t('audit.customerOption', { name: c.name, email: c.email }) : c.name }))}
        />
      )}
    </div>
  );
}
