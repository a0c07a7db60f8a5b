/**
 * A manager charges a saved Amazon Pay method against the consent it rests on.
 * The request key is made when the form opens and kept for repeats of the same intent (double click,
 * a call that failed before an answer). A new attempt after a final outcome is a new intent: new key.
 */
import { useState } from 'react';
import type { ChargeView, ConsentView, CustomerView, SavedMethodView } from '../../preload/contract';
import { useAction, useApiEvent } from '../api';
import { currencyExponent, formatDateTime, formatMoney } from '../i18n/format';
import { useLanguage, useT } from '../i18n/I18nProvider';
import type { Msg } from '../i18n/translate';
import { describeAmountRule } from '../lib/describe';
import { fieldErrors } from '../lib/errors';
import { newRequestKey } from '../lib/hooks';
import { checkCharge } from '../lib/validation';
import { useRouter } from '../router';
import { ErrorAlert } from './ErrorAlert';
import { TextField } from './fields';
import { ChargeStatusBadge } from './StatusBadge';
import { FailureReason } from './FailureReason';

export function ChargeForm(props: { customer: CustomerView; method: SavedMethodView; consent: ConsentView; onChanged(): void; onClose(): void }) {
  const t = useT();
  const { lang } = useLanguage();
  const { consent, method } = props;
  const rule = consent.params;
  const [requestKey, setRequestKey] = useState(newRequestKey);
  const [amountText, setAmountText] = useState('');
  const [description, setDescription] = useState('');
  const [clientErrors, setClientErrors] = useState<Record<string, Msg>>({});
  const [outcome, setOutcome] = useState<ChargeView | null>(null);
  const send = useAction();
  const resolve = useAction();
  const errors = fieldErrors(t, clientErrors, send.error);

  useApiEvent('charge.updated', (charge) => {
    if (outcome && charge.id === outcome.id) setOutcome(charge);
  });

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const checked = checkCharge({ amountText, description }, rule, lang);
    setClientErrors(checked.ok ? {} : (checked.errors as Record<string, Msg>));
    if (!checked.ok) return;
    const result = await send.run('charges.create', {
      customerId: props.customer.id,
      consentId: consent.id,
      paymentMethodId: method.paymentMethodId,
      amount: checked.value.amount,
      currency: rule.currency,
      description: checked.value.description,
      requestKey,
    });
    if (result?.ok) {
      setOutcome(result.data);
      props.onChanged();
    }
  };

  /** A new attempt: a fresh key, the form kept as it was so the manager can adjust it. */
  const newAttempt = () => {
    setRequestKey(newRequestKey());
    setOutcome(null);
    send.setError(null);
  };

  /** After a success: a different charge, so nothing of the last one is reused by accident. */
  const another = () => {
    newAttempt();
    setAmountText('');
    setDescription('');
  };

  const checkOutcome = async () => {
    if (!outcome) return;
    const result = await resolve.run('charges.resolve', { chargeId: outcome.id });
    if (result?.ok) {
      setOutcome(result.data);
      props.onChanged();
    }
  };

  return (
    <section className="panel panel-action" aria-labelledby="charge-heading">
      <h2 id="charge-heading">{t('charge.title')}</h2>
      <dl className="details compact">
        <dt>{t('charge.method')}</dt>
        <dd>
          <code className="id">{method.paymentMethodId}</code>
        </dd>
        <dt>{t('charge.consent')}</dt>
        <dd>
          {consent.params.purpose} ({formatDateTime(consent.acceptedAtUtc, lang)})
        </dd>
        <dt>{t('charge.rule')}</dt>
        <dd>{describeAmountRule(t, rule, lang)}</dd>
      </dl>

      {!outcome ? (
        <form onSubmit={submit} noValidate>
          <ErrorAlert error={send.error} />
          <TextField
            label={t('charge.amount')}
            value={amountText}
            onChange={setAmountText}
            error={errors.amount}
            inputMode={currencyExponent(rule.currency) === 0 ? 'numeric' : 'decimal'}
            suffix={rule.currency.toUpperCase()}
            hint={describeAmountRule(t, rule, lang)}
            autoFocus
            required
          />
          <TextField label={t('charge.description')} value={description} onChange={setDescription} error={errors.description} maxLength={300} required />
          <div className="form-actions">
            <button type="submit" className="button-primary" disabled={send.busy}>
              {send.busy ? t('charge.sending') : t('charge.submit')}
            </button>
            <button type="button" onClick={props.onClose} disabled={send.busy}>
              {t('common.close')}
            </button>
          </div>
        </form>
      ) : (
        <ChargeOutcome charge={outcome} onNewAttempt={newAttempt} onAnother={another} onCheck={checkOutcome} checking={resolve.busy} onClose={props.onClose}>
          <ErrorAlert error={resolve.error} />
        </ChargeOutcome>
      )}
    </section>
  );
}

function ChargeOutcome(props: { charge: ChargeView; onNewAttempt(): void; onAnother(): void; onCheck(): void; checking: boolean; onClose(): void; children?: React.ReactNode }) {
  const t = useT();
  const { lang } = useLanguage();
  const { navigate } = useRouter();
  const { charge } = props;
  const amount = formatMoney(charge.amount, charge.currency, lang);
  const tone = charge.status === 'succeeded' ? 'success' : charge.status === 'pending' || charge.status === 'processing' ? 'info' : 'error';
  const unresolved = charge.status === 'pending' || charge.status === 'processing';
  const retryable = charge.status === 'declined' || charge.status === 'unavailable' || charge.status === 'failed' || charge.status === 'action_required';
  return (
    <div className={`outcome outcome-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      <p className="outcome-title">
        {t(`charge.outcome.${charge.status}`, { amount })} <ChargeStatusBadge status={charge.status} />
      </p>
      {charge.failure && <p><FailureReason failure={charge.failure} /></p>}
      <p>{t(`charge.next.${charge.status === 'processing' ? 'pending' : charge.status}`)}</p>
      {charge.paymentIntentId && (
        <p className="hint">
          {t('charge.paymentIntent')} <code className="id">{charge.paymentIntentId}</code>
        </p>
      )}
      {props.children}
      <div className="form-actions">
        {charge.status === 'succeeded' && (
          <button type="button" onClick={() => navigate({ name: 'receipt', chargeId: charge.id })}>
            {t('charge.receipt')}
          </button>
        )}
        {unresolved && (
          <button type="button" className="button-primary" onClick={props.onCheck} disabled={props.checking}>
            {props.checking ? t('common.working') : t('charge.checkOutcome')}
          </button>
        )}
        {retryable && (
          <button type="button" className="button-primary" onClick={props.onNewAttempt}>
            {charge.status === 'unavailable' ? t('charge.retryLater') : t('charge.newAttempt')}
          </button>
        )}
        {charge.status === 'succeeded' && (
          <button type="button" onClick={props.onAnother}>
            {t('charge.another')}
          </button>
        )}
        <button type="button" onClick={props.onClose}>
          {t('common.close')}
        </button>
      </div>
    </div>
  );
}
