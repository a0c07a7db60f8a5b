/** Find a customer (local records and, by e-mail, Customers another terminal created at Stripe). */
import { useEffect, useRef, useState } from 'react';
import type { CustomerSearchResult, Language, StripeCustomerHit } from '../../preload/contract';
import { call, useAction } from '../api';
import { ErrorAlert, StatusMessage } from '../components/ErrorAlert';
import { TextField } from '../components/fields';
import { ScreenHeading } from '../components/ScreenHeading';
import { useLanguage, useT } from '../i18n/I18nProvider';
import { useRouter } from '../router';
import { isEmail, isPhone } from '../lib/validation';

export function CustomersScreen({ initialQuery }: { initialQuery: string }) {
  const t = useT();
  const { lang } = useLanguage();
  const { navigate } = useRouter();
  const [query, setQuery] = useState(initialQuery);
  const [searched, setSearched] = useState<string | null>(null);
  const [result, setResult] = useState<CustomerSearchResult | null>(null);
  const search = useAction();
  const link = useAction();
  const [linking, setLinking] = useState<string | null>(null);

  const runSearch = async (text: string) => {
    const trimmed = text.trim();
    if (!trimmed) return;
    const answer = await search.run('customers.search', { query: trimmed });
    if (answer?.ok) {
      setResult(answer.data);
      setSearched(trimmed);
    }
  };

  // Coming back to this screen with a query repeats that search.
  const initial = useRef(initialQuery);
  useEffect(() => {
    if (initial.current) void runSearch(initial.current);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const linkCustomer = async (hit: StripeCustomerHit) => {
    setLinking(hit.stripeCustomerId);
    // The customer's language is not known at Stripe: use the shop's default (can be changed on the terms screen).
    const settings = await call('settings.get', {});
    const language: Language = settings.ok ? settings.data.defaultLanguage : lang;
    const phone = hit.phone.trim();
    const answer = await link.run('customers.create', {
      name: hit.name || hit.email,
      email: hit.email,
      language,
      ...(phone && isPhone(phone) ? { phone } : {}),
    });
    setLinking(null);
    if (answer?.ok) navigate({ name: 'customer', customerId: answer.data.customer.id, notice: answer.data.linkedExisting ? 'linkedExisting' : 'created' });
  };

  const nothingFound = result && searched && result.local.length === 0 && result.stripeOnly.length === 0;

  return (
    <section>
      <ScreenHeading
        actions={
          <button type="button" className="button-primary" onClick={() => navigate({ name: 'newCustomer', prefill: query.trim() })}>
            {t('customers.new')}
          </button>
        }
      >
        {t('customers.title')}
      </ScreenHeading>
      <form
        className="search-form panel"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void runSearch(query);
        }}
      >
        <TextField label={t('customers.search.label')} hint={t('customers.search.hint')} value={query} onChange={setQuery} type="search" autoFocus />
        <button type="submit" disabled={search.busy || query.trim() === ''}>
          {search.busy ? t('common.working') : t('customers.search.submit')}
        </button>
      </form>
      <ErrorAlert error={search.error} />
      <ErrorAlert error={link.error} context={t('customers.stripe.linkFailed')} />

      {nothingFound && (
        <StatusMessage>
          {t('customers.noResults', { query: searched })}{' '}
          {isEmail(searched ?? '') ? t('customers.noResultsStripeChecked') : t('customers.noResultsHint')}
        </StatusMessage>
      )}

      {result && result.local.length > 0 && (
        <section className="panel" aria-labelledby="local-results">
          <h2 id="local-results">{t('customers.local.title', { count: result.local.length })}</h2>
          <ul className="result-list">
            {result.local.map((c) => (
              <li key={c.id}>
                <button type="button" className="result" onClick={() => navigate({ name: 'customer', customerId: c.id })}>
                  <strong>{c.name}</strong>
                  <span>{c.email}</span>
                  {c.phone && <span>{c.phone}</span>}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}

      {result && result.stripeOnly.length > 0 && (
        <section className="panel" aria-labelledby="stripe-results">
          <h2 id="stripe-results">{t('customers.stripe.title')}</h2>
          <p className="hint">{t('customers.stripe.hint')}</p>
          <ul className="result-list">
            {result.stripeOnly.map((hit) => (
              <li key={hit.stripeCustomerId} className="result result-static">
                <span>
                  <strong>{hit.name || t('customers.stripe.noName')}</strong> <span>{hit.email}</span>
                  {hit.phone && <span> · {hit.phone}</span>} <code className="id">{hit.stripeCustomerId}</code>
                </span>
                <button type="button" onClick={() => void linkCustomer(hit)} disabled={linking !== null}>
                  {linking === hit.stripeCustomerId ? t('common.working') : t('customers.stripe.link')}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}
