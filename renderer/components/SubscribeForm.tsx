/** Subscribe a saved method (its consent must be recurring) to a recurring price, choosing or creating the price. */
import { useState } from 'react';
import { CURRENCIES, type ConsentView, type Currency, type CustomerView, type PriceView, type SavedMethodView } from '../../preload/contract';
import { useAction, useLoad } from '../api';
import { currencyExponent } from '../i18n/format';
import { useLanguage, useT } from '../i18n/I18nProvider';
import type { Msg } from '../i18n/translate';
import { describeAmountRule, describePrice } from '../lib/describe';
import { fieldErrors } from '../lib/errors';
import { newRequestKey } from '../lib/hooks';
import { checkPrice, type PriceForm } from '../lib/validation';
import { ErrorAlert, StatusMessage } from './ErrorAlert';
import { SelectField, TextField } from './fields';

const INTERVALS: Array<PriceView['interval']> = ['day', 'week', 'month', 'year'];

export function SubscribeForm(props: { customer: CustomerView; method: SavedMethodView; consent: ConsentView; onDone(): void; onClose(): void }) {
  const t = useT();
  const { lang } = useLanguage();
  const currency = props.consent.params.currency;
  const prices = useLoad('prices.list', {});
  const [requestKey] = useState(newRequestKey);
  const [chosen, setChosen] = useState<string>('');
  const [creating, setCreating] = useState(false);
  const subscribe = useAction();
  const recurring = props.consent.params.frequency === 'recurring';

  const matching = (prices.data ?? []).filter((p) => p.currency === currency);
  const priceId = chosen || matching[0]?.id || '';

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!priceId) return;
    const result = await subscribe.run('subscriptions.create', {
      customerId: props.customer.id,
      consentId: props.consent.id,
      paymentMethodId: props.method.paymentMethodId,
      priceId,
      requestKey,
    });
    if (result?.ok) props.onDone();
  };

  return (
    <section className="panel panel-action" aria-labelledby="subscribe-heading">
      <h2 id="subscribe-heading">{t('subscribe.title')}</h2>
      <p>
        {t('subscribe.consent', { purpose: props.consent.params.purpose })} · {describeAmountRule(t, props.consent.params, lang)}
      </p>
      {!recurring && <StatusMessage tone="warning">{t('subscribe.notRecurring')}</StatusMessage>}
      <ErrorAlert error={prices.error} />
      <ErrorAlert error={subscribe.error} />
      {creating ? (
        <NewPriceForm
          currency={currency}
          onCreated={(price) => {
            setCreating(false);
            setChosen(price.id);
            void prices.reload();
          }}
          onCancel={() => setCreating(false)}
        />
      ) : (
        <form onSubmit={submit} noValidate>
          {matching.length > 0 ? (
            <SelectField
              label={t('subscribe.price')}
              value={priceId}
              onChange={setChosen}
              options={matching.map((p) => ({ value: p.id, label: describePrice(t, p, lang) }))}
            />
          ) : (
            <p className="empty">{prices.loading ? t('common.loading') : t('subscribe.noPrices', { currency: currency.toUpperCase() })}</p>
          )}
          <div className="form-actions">
            <button type="submit" className="button-primary" disabled={!priceId || subscribe.busy || !recurring}>
              {subscribe.busy ? t('common.working') : t('subscribe.submit')}
            </button>
            <button type="button" onClick={() => setCreating(true)}>
              {t('price.new')}
            </button>
            <button type="button" onClick={props.onClose}>
              {t('common.close')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function NewPriceForm({ currency, onCreated, onCancel }: { currency: Currency; onCreated(price: PriceView): void; onCancel(): void }) {
  const t = useT();
  const [requestKey] = useState(newRequestKey);
  const [form, setForm] = useState<PriceForm>({ productName: '', amountText: '', currency, interval: 'month', intervalCount: '1' });
  const [clientErrors, setClientErrors] = useState<Record<string, Msg>>({});
  const action = useAction();
  const errors = fieldErrors(t, clientErrors, action.error);
  const set = <K extends keyof PriceForm>(key: K) => (value: PriceForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const checked = checkPrice(form);
    setClientErrors(checked.ok ? {} : (checked.errors as Record<string, Msg>));
    if (!checked.ok) return;
    const result = await action.run('prices.create', { ...checked.value, requestKey });
    if (result?.ok) onCreated(result.data);
  };

  return (
    <form className="inline-form" onSubmit={submit} noValidate aria-label={t('price.new')}>
      <h3>{t('price.new')}</h3>
      <ErrorAlert error={action.error} />
      <div className="form-grid">
        <TextField label={t('price.productName')} value={form.productName} onChange={set('productName')} error={errors.productName} required autoFocus />
        <TextField
          label={t('price.amount')}
          value={form.amountText}
          onChange={set('amountText')}
          error={errors.amount}
          inputMode={currencyExponent(form.currency) === 0 ? 'numeric' : 'decimal'}
          required
        />
        <SelectField label={t('price.currency')} value={form.currency} onChange={set('currency')} options={CURRENCIES.map((c) => ({ value: c, label: c.toUpperCase() }))} />
        <SelectField label={t('price.interval')} value={form.interval} onChange={set('interval')} options={INTERVALS.map((i) => ({ value: i, label: t(`interval.${i}`) }))} />
        <TextField label={t('price.intervalCount')} value={form.intervalCount} onChange={set('intervalCount')} error={errors.intervalCount} inputMode="numeric" />
      </div>
      {form.currency !== currency && <p className="hint">{t('price.currencyMismatch', { currency: currency.toUpperCase() })}</p>}
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={action.busy}>
          {action.busy ? t('common.working') : t('price.create')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
