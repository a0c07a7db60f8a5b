/** Find a customer (local records and, by e-mail, Customers another terminal created at Stripe). */
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { CallError, CustomerSearchResult, CustomerView, OpenWorkItem, StripeCustomerHit } from '../../preload/contract';
import { call, useAction, useApiEvent, useLoad } from '../api';
import { ErrorAlert, StatusMessage } from '../components/ErrorAlert';
import { TextField } from '../components/fields';
import { ScreenHeading } from '../components/ScreenHeading';
import { useT } from '../i18n/I18nProvider';
import { useRouter } from '../router';
import { isEmail } from '../lib/validation';

/** Searching starts by itself once this many characters are typed, after this pause. */
const MIN_SEARCH_LENGTH = 2;
const SEARCH_DELAY_MS = 350;

export function CustomersScreen({ initialQuery }: { initialQuery: string }) {
  const t = useT();
  const { navigate } = useRouter();
  const [query, setQuery] = useState(initialQuery);
  const [searched, setSearched] = useState<string | null>(null);
  const [result, setResult] = useState<CustomerSearchResult | null>(null);
  const [searching, setSearching] = useState(false);
  const [searchError, setSearchError] = useState<CallError | null>(null);
  /** Typing starts searches one after another: only the newest answer is shown. */
  const generation = useRef(0);
  const link = useAction();
  const [linking, setLinking] = useState<string | null>(null);
  // Who was served last and who has work under way: a reload or a break never loses the customer.
  const overview = useLoad('customers.overview', {});
  useApiEvent('setup.updated', () => void overview.reload());
  useApiEvent('charge.updated', () => void overview.reload());

  const runSearch = async (text: string) => {
    const trimmed = text.trim();
    if (!trimmed) return;
    const mine = ++generation.current;
    setSearching(true);
    const answer = await call('customers.search', { query: trimmed });
    if (mine !== generation.current) return;
    setSearching(false);
    setSearchError(answer.ok ? null : answer.error);
    if (answer.ok) {
      setResult(answer.data);
      setSearched(trimmed);
    }
  };

  /** A cleared search box drops the results (and any answer still on its way): the overview is shown again. */
  const changeQuery = (text: string) => {
    setQuery(text);
    if (text.trim() !== '') return;
    generation.current++;
    setSearching(false);
    setResult(null);
    setSearched(null);
  };

  // Coming back to this screen with a query repeats that search.
  const initial = useRef(initialQuery);
  useEffect(() => {
    if (initial.current) void runSearch(initial.current);
  }, []);

  // Results follow the typing (a pause of SEARCH_DELAY_MS); Enter searches at once.
  const latestRun = useRef(runSearch);
  useEffect(() => {
    latestRun.current = runSearch;
  });
  useEffect(() => {
    const text = query.trim();
    if (text.length < MIN_SEARCH_LENGTH || text === initial.current) return;
    const timer = window.setTimeout(() => void latestRun.current(text), SEARCH_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [query]);

  const results = useRef<HTMLDivElement>(null);
  /** Arrow keys move between the search box and the result buttons (Enter opens, Escape goes back to the box). */
  const onResultsKey = (e: KeyboardEvent) => {
    const buttons = [...(results.current?.querySelectorAll<HTMLButtonElement>('.result-list button') ?? [])];
    if (buttons.length === 0) return;
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const inSearchBox = document.activeElement instanceof HTMLInputElement && document.activeElement.type === 'search';
    if (at === -1 && !inSearchBox) return;
    const focusAt = (index: number) => {
      e.preventDefault();
      buttons[Math.max(0, Math.min(buttons.length - 1, index))].focus();
    };
    if (e.key === 'ArrowDown') focusAt(at + 1);
    else if (e.key === 'ArrowUp' && at > 0) focusAt(at - 1);
    else if (e.key === 'ArrowUp' && at === 0) {
      e.preventDefault();
      results.current?.querySelector<HTMLInputElement>('input[type="search"]')?.focus();
    } else if (e.key === 'Home' && at >= 0) focusAt(0);
    else if (e.key === 'End' && at >= 0) focusAt(buttons.length - 1);
    else if (e.key === 'Escape' && at >= 0) {
      e.preventDefault();
      results.current?.querySelector<HTMLInputElement>('input[type="search"]')?.focus();
    }
  };

  /** Another desk's customer: imported with what the desks shared at Stripe (consents, methods, charges…). */
  const linkCustomer = async (hit: StripeCustomerHit) => {
    setLinking(hit.stripeCustomerId);
    const answer = await link.run('customers.importFromStripe', { stripeCustomerId: hit.stripeCustomerId });
    setLinking(null);
    if (answer?.ok) navigate({ name: 'customer', customerId: answer.data.customer.id, notice: 'imported' });
  };

  const nothingFound = result && searched && result.local.length === 0 && result.stripeOnly.length === 0;
  // While results are shown they are what staff look at; the overview comes back when the box is cleared.
  const overviewShown = result === null;

  return (
    <div ref={results} onKeyDown={onResultsKey}>
      <ScreenHeading
        focus={false}
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
        <TextField label={t('customers.search.label')} hint={t('customers.search.hint')} value={query} onChange={changeQuery} type="search" autoFocus />
        <button type="submit" disabled={query.trim() === ''}>
          {searching ? t('common.working') : t('customers.search.submit')}
        </button>
      </form>
      <ErrorAlert error={searchError} />
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
          <p className="hint">{t('customers.keyboardHint')}</p>
          <ul className="result-list" aria-labelledby="local-results">
            {result.local.map((c) => (
              <li key={c.id}>
                <CustomerButton customer={c} onOpen={() => navigate({ name: 'customer', customerId: c.id })} />
              </li>
            ))}
          </ul>
        </section>
      )}

      {result && result.stripeOnly.length > 0 && (
        <section className="panel" aria-labelledby="stripe-results">
          <h2 id="stripe-results">{t('customers.stripe.title')}</h2>
          <p className="hint">{t('customers.stripe.hint')}</p>
          <ul className="result-list" aria-labelledby="stripe-results">
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

      {overviewShown && overview.data && overview.data.inProgress.length > 0 && (
        <section className="panel" aria-labelledby="in-progress-customers">
          <h2 id="in-progress-customers">{t('customers.inProgress.title')}</h2>
          <p className="hint">{t('customers.inProgress.hint')}</p>
          <ul className="result-list" aria-labelledby="in-progress-customers">
            {overview.data.inProgress.map(({ customer, work }) => (
              <li key={customer.id}>
                <CustomerButton customer={customer} onOpen={() => navigate({ name: 'customer', customerId: customer.id })}>
                  <span className="work-list">{work.map((w) => workLabel(t, w)).join(' · ')}</span>
                </CustomerButton>
              </li>
            ))}
          </ul>
        </section>
      )}

      {overviewShown && overview.data && overview.data.recent.length > 0 && (
        <section className="panel" aria-labelledby="recent-customers">
          <h2 id="recent-customers">{t('customers.recent.title')}</h2>
          <ul className="result-list" aria-labelledby="recent-customers">
            {overview.data.recent.map((c) => (
              <li key={c.id}>
                <CustomerButton customer={c} onOpen={() => navigate({ name: 'customer', customerId: c.id })} />
              </li>
            ))}
          </ul>
        </section>
      )}
      <ErrorAlert error={overview.error} />
    </div>
  );
}

function CustomerButton({ customer, onOpen, children }: { customer: CustomerView; onOpen(): void; children?: ReactNode }) {
  return (
    <button type="button" className="result" onClick={onOpen}>
      <strong>{customer.name}</strong>
      <span>{customer.email}</span>
      {customer.phone && <span>{customer.phone}</span>}
      {children}
    </button>
  );
}

function workLabel(t: ReturnType<typeof useT>, work: OpenWorkItem): string {
  switch (work.kind) {
    case 'setup':
      return t('customers.work.setup');
    case 'charge':
      return t('customers.work.charge', { status: work.status === 'processing' ? t('chargeStatus.processing') : t('chargeStatus.pending') });
    case 'refund':
      return t('customers.work.refund');
    case 'subscription':
      return t('customers.work.subscription');
  }
}
