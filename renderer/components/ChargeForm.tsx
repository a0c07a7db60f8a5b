/**
 * A manager charges a saved Amazon Pay method against the consent it rests on.
 * The request key is made when the form opens and kept for repeats of the same intent (double click,
 * a call that failed before an answer). A new attempt after a final outcome is a new intent: new key.
 */
import { useState } from 'react';
import type { ChargeView, ConsentView, CustomerView, SavedMethodView } from '../../preload/contract';
import { useAction, useApiEvent } from '../api';
import { currencyExponent, formatDateTime, formatMoney, parseMoneyInput } from '../i18n/format';
import { useLanguage, useT } from '../i18n/I18nProvider';
import type { Msg } from '../i18n/translate';
import { identicalRecentCharge } from '../lib/charges';
import { describeAmountRule } from '../lib/describe';
import { fieldErrors } from '../lib/errors';
import { newRequestKey } from '../lib/hooks';
import { checkCharge } from '../lib/validation';
import { useRouter } from '../router';
import { ErrorAlert } from './ErrorAlert';
import { MethodLabel } from './MethodLabel';
import { TextField } from './fields';
import { ChargeStatusBadge } from './StatusBadge';
import { FailureReason } from './FailureReason';

/** A checked charge waiting for the manager's "yes", with the identical charge made just before, if any. */
interface Pending { amount: number; description: string; identical: ChargeView | null }

export function ChargeForm(props: {
  customer: CustomerView;
  method: SavedMethodView;
  consent: ConsentView;
  /** The customer's charges, to warn about the same charge made a moment ago. */
  charges: readonly ChargeView[];
  onChanged(): void;
  onClose(): void;
}) {
  const t = useT();
  const { lang } = useLanguage();
  const { consent, method } = props;
  const rule = consent.params;
  const [requestKey, setRequestKey] = useState(newRequestKey);
  const [amountText, setAmountText] = useState('');
  const [description, setDescription] = useState('');
  const [clientErrors, setClientErrors] = useState<Record<string, Msg>>({});
  const [outcome, setOutcome] = useState<ChargeView | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const send = useAction();
  const resolve = useAction();
  const errors = fieldErrors(t, clientErrors, send.error);

  useApiEvent('charge.updated', (charge) => {
    if (outcome && charge.id === outcome.id) setOutcome(charge);
  });

  // The button says what it will charge as soon as the amount reads as money.
  const typed = parseMoneyInput(amountText, rule.currency);
  const submitLabel = typed.ok ? t('charge.submitAmount', { amount: formatMoney(typed.minor, rule.currency, lang) }) : t('charge.submit');

  /** Checks the form, then asks (money leaves the customer's account: never on one click). */
  const review = (e: React.FormEvent) => {
    e.preventDefault();
    const checked = checkCharge({ amountText, description }, rule, lang);
    setClientErrors(checked.ok ? {} : (checked.errors as Record<string, Msg>));
    if (!checked.ok) return;
    const identical = identicalRecentCharge(props.charges, { ...checked.value, currency: rule.currency }, Date.now());
    setPending({ ...checked.value, identical });
  };

  const sendCharge = async (confirmed: Pending) => {
    const result = await send.run('charges.create', {
      customerId: props.customer.id,
      consentId: consent.id,
      paymentMethodId: method.paymentMethodId,
      amount: confirmed.amount,
      currency: rule.currency,
      description: confirmed.description,
      requestKey,
    });
    if (result?.ok) {
      setPending(null);
      setOutcome(result.data);
      props.onChanged();
    } else if (result) setPending(null); // back to the form, with the error shown there
  };

  /** A new attempt: a fresh key, the form kept as it was so the manager can adjust it. */
  const newAttempt = () => {
    setRequestKey(newRequestKey());
    setOutcome(null);
    setPending(null);
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
          <MethodLabel paymentMethodId={method.paymentMethodId} method={method} detail={t('method.savedOn', { date: formatDateTime(method.savedAt, lang) })} />
        </dd>
        <dt>{t('charge.consent')}</dt>
        <dd>
          {consent.params.purpose} ({formatDateTime(consent.acceptedAtUtc, lang)})
        </dd>
        <dt>{t('charge.rule')}</dt>
        <dd>{describeAmountRule(t, rule, lang)}</dd>
      </dl>

      {outcome ? null : pending ? (
        <ConfirmCharge pending={pending} currency={rule.currency} customerName={props.customer.name} busy={send.busy} onConfirm={() => void sendCharge(pending)} onBack={() => setPending(null)} />
      ) : (
        <form onSubmit={review} noValidate>
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
              {submitLabel}
            </button>
            <button type="button" onClick={props.onClose} disabled={send.busy}>
              {t('common.close')}
            </button>
          </div>
        </form>
      )}
      {outcome && (
        <ChargeOutcome charge={outcome} onNewAttempt={newAttempt} onAnother={another} onCheck={checkOutcome} checking={resolve.busy} onClose={props.onClose}>
          <ErrorAlert error={resolve.error} />
        </ChargeOutcome>
      )}
    </section>
  );
}

/** "Charge €42.50 to Alice Example?", with a warning when the same charge was just made. */
function ConfirmCharge(props: { pending: Pending; currency: ChargeView['currency']; customerName: string; busy: boolean; onConfirm(): void; onBack(): void }) {
  const t = useT();
  const { lang } = useLanguage();
  const { pending } = props;
  const amount = formatMoney(pending.amount, props.currency, lang);
  const question = t('charge.confirmQuestion', { amount, name: props.customerName, description: pending.description });
  const identical = pending.identical;
  return (
    <div className="confirm confirm-charge" role="group" aria-label={question}>
      <p>{question}</p>
      {identical && (
        <div className="alert alert-warning identical-warning" role="alert">
          <p className="alert-title">{t('charge.identicalTitle')}</p>
          <p>
            {t('charge.identicalDetail', {
              amount: formatMoney(identical.amount, identical.currency, lang),
              description: identical.description,
              time: formatDateTime(identical.createdAt, lang),
              name: identical.createdBy.name,
              status: t(`chargeStatus.${identical.status}`),
            })}
          </p>
        </div>
      )}
      {/* With a warning the safe answer has the focus, so a quick Enter does not charge twice. */}
      <button type="button" className="button-primary" onClick={props.onConfirm} disabled={props.busy} autoFocus={!identical}>
        {props.busy ? t('charge.sending') : identical ? t('charge.confirmAgain', { amount }) : t('charge.confirm', { amount })}
      </button>
      <button type="button" onClick={props.onBack} disabled={props.busy} autoFocus={Boolean(identical)}>
        {t('charge.changeIt')}
      </button>
    </div>
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
