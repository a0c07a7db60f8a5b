/** One customer: details, consents, setups, saved Amazon Pay methods, and (managers) charges and subscriptions. */
import { useState } from 'react';
import { LANGUAGES, type ConsentView, type CustomerDetail, type CustomerView, type Language, type SavedMethodView } from '../../preload/contract';
import { useAction, useApiEvent, useLoad } from '../api';
import { SelectField, TextField } from '../components/fields';
import type { Msg } from '../i18n/translate';
import { fieldErrors } from '../lib/errors';
import { checkCustomer } from '../lib/validation';
import { ChargeForm } from '../components/ChargeForm';
import { ChargeHistory } from '../components/ChargeHistory';
import { ErrorAlert, NotLoaded, StatusMessage } from '../components/ErrorAlert';
import { ScreenHeading } from '../components/ScreenHeading';
import { ConsentStatusBadge, MethodStatusBadge, SetupStatusBadge } from '../components/StatusBadge';
import { OriginNote, StripeShareState } from '../components/StripeShare';
import { SubscribeForm } from '../components/SubscribeForm';
import { SubscriptionsSection } from '../components/SubscriptionsSection';
import { CustomerEmails } from '../components/CustomerEmails';
import { MethodLabel } from '../components/MethodLabel';
import { TableHead } from '../components/TableHead';
import { formatDateTime } from '../i18n/format';
import { useLanguage, useT } from '../i18n/I18nProvider';
import { LANGUAGE_NAMES } from '../i18n/languageNames';
import { describeAmountRule, shortId } from '../lib/describe';
import { useStartSetup } from '../lib/useStartSetup';
import { useRouter, type Route } from '../router';
import { useSession } from '../session';
import { FailureReason } from '../components/FailureReason';

type Panel = { kind: 'charge' | 'subscribe'; method: SavedMethodView } | null;

export function CustomerScreen({ customerId, notice }: { customerId: string; notice?: 'created' | 'linkedExisting' | 'imported' }) {
  const t = useT();
  const { navigate } = useRouter();
  const detail = useLoad('customers.get', { customerId });
  const [panel, setPanel] = useState<Panel>(null);

  useApiEvent('setup.updated', (setup) => {
    if (setup.customerId === customerId) void detail.reload();
  });
  useApiEvent('charge.updated', (charge) => {
    if (charge.customerId === customerId) void detail.reload();
  });
  // changes made at another desk (or at Stripe) arrived through Stripe's events
  useApiEvent('stripe.changed', (changes) => {
    if (changes.customerIds.includes(customerId)) void detail.reload();
  });

  if (!detail.data) return <NotLoaded error={detail.error} />;
  const data = detail.data;
  const panelConsent = panel ? consentOf(data, panel.method.consentId) : null;

  return (
    <section>
      <ScreenHeading
        actions={
          <>
            <button type="button" className="button-primary" onClick={() => navigate(saveForLaterRoute(data))}>
              {t('customer.saveForLater')}
            </button>
            <button type="button" onClick={() => navigate({ name: 'customers' })}>
              {t('customer.backToList')}
            </button>
          </>
        }
      >
        {data.customer.name}
      </ScreenHeading>
      {notice === 'linkedExisting' && <StatusMessage tone="success">{t('customer.linkedExisting')}</StatusMessage>}
      {notice === 'created' && <StatusMessage tone="success">{t('customer.created')}</StatusMessage>}
      {notice === 'imported' && <StatusMessage tone="success">{t('customer.imported')}</StatusMessage>}
      <ErrorAlert error={detail.error} />

      <CustomerDetails detail={data} onChanged={() => void detail.reload()} />
      <ConsentsSection detail={data} />
      <SetupsSection detail={data} />
      <SavedMethodsSection detail={data} onOpen={setPanel} />

      {panel && panelConsent && panel.kind === 'charge' && (
        <ChargeForm
          key={panel.method.paymentMethodId}
          customer={data.customer}
          method={panel.method}
          consent={panelConsent}
          charges={data.charges}
          onChanged={() => void detail.reload()}
          onClose={() => setPanel(null)}
        />
      )}
      {panel && panelConsent && panel.kind === 'subscribe' && (
        <SubscribeForm
          key={panel.method.paymentMethodId}
          customer={data.customer}
          method={panel.method}
          consent={panelConsent}
          onDone={() => {
            setPanel(null);
            void detail.reload();
          }}
          onClose={() => setPanel(null)}
        />
      )}

      <ChargeHistory detail={data} onChanged={() => void detail.reload()} />
      <SubscriptionsSection detail={data} onChanged={() => void detail.reload()} />
      <CustomerEmails customerId={data.customer.id} />
    </section>
  );
}

/** With a setup still open, "Save Amazon Pay for later" leads to it (one setup at a time; no second consent). */
export function saveForLaterRoute(detail: CustomerDetail): Route {
  const open = detail.setups.find((s) => s.status === 'open');
  return open ? { name: 'setup', customerId: detail.customer.id, setup: open, notice: 'alreadyOpen' } : { name: 'mandate', customerId: detail.customer.id };
}

function consentOf(detail: CustomerDetail, consentId: string): ConsentView | null {
  return detail.consents.find((c) => c.id === consentId) ?? null;
}

function CustomerDetails({ detail, onChanged }: { detail: CustomerDetail; onChanged(): void }) {
  const t = useT();
  const { lang } = useLanguage();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const c = detail.customer;
  return (
    <section className="panel" aria-labelledby="customer-details">
      <div className="section-heading">
        <h2 id="customer-details">{t('customer.details')}</h2>
        {!editing && (
          <button
            type="button"
            onClick={() => {
              setSaved(false);
              setEditing(true);
            }}
          >
            {t('customer.edit')}
          </button>
        )}
      </div>
      {saved && <StatusMessage tone="success">{t('customer.edit.saved')}</StatusMessage>}
      {editing ? (
        <EditCustomerForm
          customer={c}
          onDone={(changed) => {
            setEditing(false);
            setSaved(changed);
            if (changed) onChanged();
          }}
        />
      ) : (
        <dl className="details">
          <dt>{t('customer.email')}</dt>
          <dd>{c.email}</dd>
          <dt>{t('customer.phone')}</dt>
          <dd>{c.phone || '—'}</dd>
          <dt>{t('customer.language')}</dt>
          <dd>{LANGUAGE_NAMES[c.language]}</dd>
          <dt>{t('customer.stripeId')}</dt>
          <dd>
            <code className="id">{c.stripeCustomerId}</code>
          </dd>
          <dt>{t('customer.createdAt')}</dt>
          <dd>{formatDateTime(c.createdAt, lang)}</dd>
        </dl>
      )}
    </section>
  );
}

/** Name, e-mail, phone and language; Stripe's Customer follows. Consents keep the name as it was accepted. */
function EditCustomerForm({ customer, onDone }: { customer: CustomerView; onDone(changed: boolean): void }) {
  const t = useT();
  const [form, setForm] = useState({ name: customer.name, email: customer.email, phone: customer.phone });
  const [language, setLanguage] = useState<Language>(customer.language);
  const [clientErrors, setClientErrors] = useState<Record<string, Msg>>({});
  const action = useAction();
  const errors = fieldErrors(t, clientErrors, action.error);
  const set = (field: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [field]: value }));

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const checked = checkCustomer({ ...form, language });
    setClientErrors(checked.ok ? {} : (checked.errors as Record<string, Msg>));
    if (!checked.ok) return;
    const result = await action.run('customers.update', { customerId: customer.id, ...checked.value });
    if (result?.ok) onDone(true);
  };

  return (
    <form onSubmit={submit} noValidate aria-label={t('customer.edit.title')}>
      <p className="hint">{t('customer.edit.hint')}</p>
      <ErrorAlert error={action.error} />
      <TextField label={t('newCustomer.name')} value={form.name} onChange={set('name')} error={errors.name} autoFocus required />
      <TextField label={t('newCustomer.email')} value={form.email} onChange={set('email')} error={errors.email} type="email" inputMode="email" required />
      <TextField label={t('newCustomer.phone')} value={form.phone} onChange={set('phone')} error={errors.phone} type="tel" inputMode="tel" />
      <SelectField label={t('newCustomer.language')} value={language} onChange={setLanguage} options={LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))} />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={action.busy}>
          {action.busy ? t('common.working') : t('customer.edit.submit')}
        </button>
        <button type="button" onClick={() => onDone(false)}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function ConsentsSection({ detail }: { detail: CustomerDetail }) {
  const t = useT();
  const { lang } = useLanguage();
  const { navigate } = useRouter();
  const setup = useStartSetup(detail.customer.id);
  // A consent can get a setup when it is active and nothing already rests on it or waits for it.
  const canStartSetup = (consent: ConsentView) =>
    consent.status === 'active' &&
    !detail.savedMethods.some((m) => m.consentId === consent.id && m.status === 'active') &&
    !detail.setups.some((s) => s.consentId === consent.id && s.status === 'open');
  return (
    <section className="panel" aria-labelledby="consents-heading">
      <h2 id="consents-heading">{t('customer.consents')}</h2>
      <ErrorAlert error={setup.error} />
      {detail.consents.length === 0 ? (
        <p className="empty">{t('customer.noConsents')}</p>
      ) : (
        <table>
          <TableHead columns={[t('consent.col.status'), t('consent.col.purpose'), t('consent.col.version'), t('consent.col.acceptedAt'), t('consent.col.witness'), t('common.actions')]} />
          <tbody>
            {detail.consents.map((consent) => (
              <tr key={consent.id}>
                <td>
                  <ConsentStatusBadge status={consent.status} />
                </td>
                <td>
                  {consent.params.purpose}
                  <div className="hint">
                    {t(`frequency.${consent.params.frequency}`)} · {describeAmountRule(t, consent.params, lang)}
                  </div>
                  <div className="hint" data-testid="consent-share">
                    {t('share.evidence.label')}: <StripeShareState share={consent.stripeEvidence} what="evidence" />
                  </div>
                  {consent.origin && (
                    <div>
                      <OriginNote origin={consent.origin} />
                    </div>
                  )}
                </td>
                <td>{consent.termsVersion}</td>
                <td>{formatDateTime(consent.acceptedAtUtc, lang)}</td>
                <td>{consent.witnessedBy.name}</td>
                <td className="actions">
                  <button type="button" onClick={() => navigate({ name: 'consent', consentId: consent.id })}>
                    {t('customer.viewConsent')}
                  </button>
                  {canStartSetup(consent) && (
                    <button type="button" onClick={() => void setup.start(consent.id)} disabled={setup.busy}>
                      {t('mandate.openSetup')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function SetupsSection({ detail }: { detail: CustomerDetail }) {
  const t = useT();
  const { lang } = useLanguage();
  const { navigate } = useRouter();
  // Whether the customer canceled on Checkout is known to main's open list only (never stored).
  const open = useLoad('setups.listOpen', {});
  useApiEvent('setup.updated', (setup) => {
    if (setup.customerId === detail.customer.id) void open.reload();
  });
  const canceledByCustomer = new Set((open.data ?? []).filter((s) => s.customerCanceledAt).map((s) => s.id));
  if (detail.setups.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="setups-heading">
      <h2 id="setups-heading">{t('customer.setups')}</h2>
      <table>
        <TableHead columns={[t('setup.col.status'), t('setup.col.started'), t('setup.col.expiresOrFinished'), t('setup.col.consent'), t('setup.col.result'), t('common.actions')]} />
        <tbody>
          {detail.setups.map((s) => (
            <tr key={s.id}>
              <td>
                <SetupStatusBadge status={s.status} />
                {s.status === 'open' && canceledByCustomer.has(s.id) && <div className="text-bad">{t('setup.customerCanceled')}</div>}
              </td>
              <td>{formatDateTime(s.createdAt, lang)}</td>
              <td>
                {s.status === 'open'
                  ? t('setup.expiresAt', { time: formatDateTime(s.expiresAt, lang) })
                  : s.finishedAt
                    ? formatDateTime(s.finishedAt, lang)
                    : '—'}
              </td>
              <td>
                <code className="id" title={s.consentId}>
                  {shortId(s.consentId)}
                </code>
              </td>
              <td>
                {s.paymentMethodId && <MethodLabel paymentMethodId={s.paymentMethodId} method={detail.savedMethods.find((m) => m.paymentMethodId === s.paymentMethodId)} />}
                {s.failure && <FailureReason className="text-bad" failure={s.failure} />}
              </td>
              <td className="actions">
                {s.status === 'open' && (
                  <button type="button" onClick={() => navigate({ name: 'setup', customerId: detail.customer.id, setup: s })}>
                    {t('customer.showWaiting')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function SavedMethodsSection({ detail, onOpen }: { detail: CustomerDetail; onOpen(panel: Panel): void }) {
  const t = useT();
  const { lang } = useLanguage();
  const { isManager } = useSession();
  return (
    <section className="panel" aria-labelledby="methods-heading">
      <h2 id="methods-heading">{t('customer.methods')}</h2>
      {detail.savedMethods.length === 0 ? (
        <p className="empty">{t('customer.noMethods')}</p>
      ) : (
        <table>
          <TableHead columns={[t('method.col.id'), t('method.col.saved'), t('method.col.consent'), t('method.col.status'), isManager && t('common.actions')]} />
          <tbody>
            {detail.savedMethods.map((m) => {
              const consent = consentOf(detail, m.consentId);
              const usable = m.status === 'active' && consent?.status === 'active';
              return (
                <tr key={m.paymentMethodId}>
                  <td>
                    <MethodLabel paymentMethodId={m.paymentMethodId} method={m} />
                  </td>
                  <td>{formatDateTime(m.savedAt, lang)}</td>
                  <td>
                    {consent ? (
                      <>
                        {consent.params.purpose} <ConsentStatusBadge status={consent.status} />
                        <div className="hint">{describeAmountRule(t, consent.params, lang)}</div>
                      </>
                    ) : (
                      <code className="id">{m.consentId}</code>
                    )}
                  </td>
                  <td>
                    <MethodStatusBadge status={m.status} />
                    {m.detachedElsewhere && <div className="hint">{t('method.detachedElsewhere')}</div>}
                    {m.detachedAt && <div className="hint">{formatDateTime(m.detachedAt, lang)}</div>}
                  </td>
                  {isManager && (
                    <td className="actions">
                      {usable && (
                        <button type="button" onClick={() => onOpen({ kind: 'charge', method: m })}>
                          {t('charge.open')}
                        </button>
                      )}
                      {usable && consent?.params.frequency === 'recurring' && (
                        <button type="button" onClick={() => onOpen({ kind: 'subscribe', method: m })}>
                          {t('subscribe.open')}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
