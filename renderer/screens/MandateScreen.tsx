/**
 * "Save Amazon Pay for later": the mandate parameters, then the terms shown to the customer in their
 * language, their acceptance (typed name, optional signature) witnessed by staff, then the setup.
 */
import { useState } from 'react';
import { CURRENCIES, LANGUAGES, type CallError, type ConsentView, type CustomerView, type Language, type MandateParams, type RenderedTerms, type Settings, type SetupView } from '../../preload/contract';
import { useAction, useLoad } from '../api';
import { DateField } from '../components/DateField';
import { ErrorAlert, NotLoaded, StatusMessage } from '../components/ErrorAlert';
import { CheckboxField, RadioGroup, SelectField, TextAreaField, TextField } from '../components/fields';
import { ScreenHeading } from '../components/ScreenHeading';
import { SignaturePad } from '../components/SignaturePad';
import { currencyExponent, formatDateTime, localTimeZone } from '../i18n/format';
import { useLanguage, useT } from '../i18n/I18nProvider';
import { LANGUAGE_NAMES } from '../i18n/languageNames';
import type { Msg } from '../i18n/translate';
import { describeAmountRule } from '../lib/describe';
import { fieldErrors } from '../lib/errors';
import { AMOUNT_RULES, FREQUENCIES, checkMandateForm, defaultMandateForm, defaultMandateTexts, type MandateForm } from '../lib/mandate';
import { useStartSetup } from '../lib/useStartSetup';
import { useRouter } from '../router';

type Step = 'params' | 'terms' | 'recorded';
type DefaultText = 'purpose' | 'timing' | 'cancellationPolicy';

export function MandateScreen({ customerId, notice }: { customerId: string; notice?: 'created' | 'linkedExisting' }) {
  const detail = useLoad('customers.get', { customerId });
  const settings = useLoad('settings.get', {});
  if (!detail.data || !settings.data) return <NotLoaded error={detail.error ?? settings.error} />;
  const open = detail.data.setups.find((s) => s.status === 'open');
  // Reached with a setup already open (another desk, an old screen): lead to it instead of a second consent.
  if (open) return <AlreadyOpen customer={detail.data.customer} setup={open} />;
  return <MandateFlow customer={detail.data.customer} settings={settings.data} notice={notice} />;
}

function AlreadyOpen({ customer, setup }: { customer: CustomerView; setup: SetupView }) {
  const t = useT();
  const { navigate } = useRouter();
  return (
    <section>
      <ScreenHeading>{t('mandate.title')}</ScreenHeading>
      <StatusMessage tone="warning">{t('setup.alreadyOpen')}</StatusMessage>
      <div className="form-actions">
        <button type="button" className="button-primary" onClick={() => navigate({ name: 'setup', customerId: customer.id, setup, notice: 'alreadyOpen' })}>
          {t('customer.showWaiting')}
        </button>
        <button type="button" onClick={() => navigate({ name: 'customer', customerId: customer.id })}>
          {t('customer.backTo', { name: customer.name })}
        </button>
      </div>
    </section>
  );
}

function MandateFlow({ customer, settings, notice }: { customer: CustomerView; settings: Settings; notice?: 'created' | 'linkedExisting' }) {
  const t = useT();
  const { navigate } = useRouter();
  const [step, setStep] = useState<Step>('params');
  const [termsLanguage, setTermsLanguage] = useState<Language>(customer.language);
  const [form, setForm] = useState<MandateForm>(() => defaultMandateForm({ lang: customer.language, shopName: settings.shopName, currency: settings.defaultCurrency }));
  const [edited, setEdited] = useState<ReadonlySet<DefaultText>>(new Set());
  const [params, setParams] = useState<MandateParams | null>(null);
  const [rendered, setRendered] = useState<RenderedTerms | null>(null);
  const [consent, setConsent] = useState<ConsentView | null>(null);
  const [termsChanged, setTermsChanged] = useState(false);
  const render = useAction();
  // Recording the consent goes straight on to the setup; if that fails the "Consent recorded" step offers it again.
  const setup = useStartSetup(customer.id);

  /** Untouched default texts follow the terms language and the frequency. */
  const withDefaults = (next: MandateForm, lang: Language): MandateForm => {
    const defaults = defaultMandateTexts(lang, next.frequency, settings.shopName);
    const out = { ...next };
    for (const key of ['purpose', 'timing', 'cancellationPolicy'] as const) if (!edited.has(key)) out[key] = defaults[key];
    return out;
  };

  const renderTerms = async (lang: Language, p: MandateParams) => {
    const result = await render.run('terms.render', { customerId: customer.id, language: lang, params: p });
    if (result?.ok) {
      setRendered(result.data);
      setStep('terms');
    }
    return result?.ok ?? false;
  };

  const changeTermsLanguage = async (lang: Language) => {
    setTermsLanguage(lang);
    setTermsChanged(false);
    // Default texts nobody edited are re-written in the new language, so the terms are not mixed.
    const nextForm = withDefaults(form, lang);
    setForm(nextForm);
    if (step !== 'terms') return;
    const checked = checkMandateForm(nextForm);
    const nextParams = checked.ok ? checked.value : params;
    if (!nextParams) return;
    setParams(nextParams);
    await renderTerms(lang, nextParams);
  };

  const steps: Array<{ id: Step; label: string }> = [
    { id: 'params', label: t('mandate.step.params') },
    { id: 'terms', label: t('mandate.step.terms') },
    { id: 'recorded', label: t('mandate.step.setup') },
  ];

  return (
    <section>
      <ScreenHeading
        actions={
          <button type="button" onClick={() => navigate({ name: 'customer', customerId: customer.id })}>
            {t('customer.backTo', { name: customer.name })}
          </button>
        }
      >
        {t('mandate.title')}
      </ScreenHeading>
      {notice === 'created' && step === 'params' && <StatusMessage tone="success">{t('customer.created')}</StatusMessage>}
      {notice === 'linkedExisting' && step === 'params' && <StatusMessage tone="success">{t('customer.linkedExisting')}</StatusMessage>}
      <p className="lead">{t('mandate.for', { name: customer.name, email: customer.email })}</p>
      <ol className="steps no-print" aria-label={t('mandate.steps')}>
        {steps.map((s, i) => (
          <li key={s.id} aria-current={s.id === step ? 'step' : undefined} className={s.id === step ? 'current' : ''}>
            <span className="step-number">{i + 1}</span> {s.label}
          </li>
        ))}
      </ol>

      {step !== 'recorded' && (
        <RadioGroup
          className="no-print"
          legend={t('mandate.termsLanguage')}
          value={termsLanguage}
          onChange={(lang) => void changeTermsLanguage(lang)}
          disabled={render.busy}
          options={LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l], lang: l }))}
        />
      )}

      {step === 'params' && (
        <ParamsForm
          form={form}
          onChange={(next, changedField) => {
            if (changedField === 'purpose' || changedField === 'timing' || changedField === 'cancellationPolicy') setEdited((s) => new Set(s).add(changedField));
            setForm(changedField === 'frequency' ? withDefaults(next, termsLanguage) : next);
          }}
          busy={render.busy}
          serverError={render.error}
          onSubmit={async (p) => {
            setParams(p);
            await renderTerms(termsLanguage, p);
          }}
        />
      )}

      {step === 'terms' && termsChanged && <StatusMessage tone="warning">{t('terms.changedRerendered')}</StatusMessage>}
      {step === 'terms' && rendered && params && (
        <AcceptTerms
          key={rendered.sha256}
          customer={customer}
          params={params}
          rendered={rendered}
          rendering={render.busy}
          renderError={render.error}
          onBack={() => setStep('params')}
          onTermsChanged={async () => {
            // The terms changed under us: show the current text; the customer must read and accept it again.
            setTermsChanged(true);
            await renderTerms(termsLanguage, params);
          }}
          onRecorded={(c) => {
            setConsent(c);
            setStep('recorded');
            void setup.start(c.id);
          }}
        />
      )}

      {step === 'recorded' && consent && <Recorded consent={consent} customerId={customer.id} setup={setup} />}
    </section>
  );
}

function ParamsForm(props: {
  form: MandateForm;
  onChange(form: MandateForm, field: keyof MandateForm): void;
  onSubmit(params: MandateParams): Promise<void>;
  busy: boolean;
  serverError: CallError | null;
}) {
  const t = useT();
  const { form } = props;
  const [clientErrors, setClientErrors] = useState<Record<string, Msg>>({});
  const errors = fieldErrors(t, clientErrors, props.serverError, 'params.');
  const set =
    <K extends keyof MandateForm>(key: K) =>
    (value: MandateForm[K]) =>
      props.onChange({ ...form, [key]: value }, key);
  const amountKey = form.amountRule === 'fixed' ? 'amount' : 'maxAmount';

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const checked = checkMandateForm(form);
    setClientErrors(checked.ok ? {} : (checked.errors as Record<string, Msg>));
    if (checked.ok) await props.onSubmit(checked.value);
  };

  return (
    <form className="panel" onSubmit={submit} noValidate aria-label={t('mandate.step.params')}>
      <h2>{t('mandate.step.params')}</h2>
      <ErrorAlert error={props.serverError} />
      <TextAreaField label={t('mandate.purpose')} hint={t('mandate.purposeHint')} value={form.purpose} onChange={set('purpose')} error={errors.purpose} rows={2} maxLength={300} required />
      <div className="form-grid">
        <SelectField label={t('mandate.frequency')} value={form.frequency} onChange={set('frequency')} options={FREQUENCIES.map((f) => ({ value: f, label: t(`frequency.${f}`) }))} />
        <SelectField label={t('mandate.amountRule')} value={form.amountRule} onChange={set('amountRule')} options={AMOUNT_RULES.map((r) => ({ value: r, label: t(`amountRule.${r}`) }))} />
      </div>
      <TextAreaField label={t('mandate.timing')} value={form.timing} onChange={set('timing')} error={errors.timing} rows={2} maxLength={300} required />
      <div className="form-grid">
        <SelectField label={t('mandate.currency')} value={form.currency} onChange={set('currency')} options={CURRENCIES.map((c) => ({ value: c, label: c.toUpperCase() }))} />
        <TextField
          label={form.amountRule === 'fixed' ? t('mandate.amount') : t('mandate.maxAmount')}
          value={form.amountText}
          onChange={set('amountText')}
          error={errors[amountKey]}
          inputMode={currencyExponent(form.currency) === 0 ? 'numeric' : 'decimal'}
          suffix={form.currency.toUpperCase()}
          hint={currencyExponent(form.currency) === 0 ? t('mandate.amountHintNoDecimals') : t('mandate.amountHint')}
          required
        />
      </div>
      <div className="form-grid">
        <DateField label={t('mandate.startDate')} value={form.startDate} onChange={set('startDate')} error={errors.startDate} required />
        <div>
          <CheckboxField label={t('mandate.untilCancelled')} checked={form.untilCancelled} onChange={set('untilCancelled')} />
          {!form.untilCancelled && (
            <DateField label={t('mandate.endDate')} value={form.endDate} onChange={set('endDate')} error={errors.endDate} min={form.startDate} required />
          )}
        </div>
      </div>
      <TextAreaField
        label={t('mandate.cancellationPolicy')}
        value={form.cancellationPolicy}
        onChange={set('cancellationPolicy')}
        error={errors.cancellationPolicy}
        rows={3}
        maxLength={600}
        required
      />
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={props.busy}>
          {props.busy ? t('common.working') : t('mandate.showTerms')}
        </button>
      </div>
    </form>
  );
}

function AcceptTerms(props: {
  customer: CustomerView;
  params: MandateParams;
  rendered: RenderedTerms;
  rendering: boolean;
  renderError: CallError | null;
  onBack(): void;
  onTermsChanged(): Promise<void>;
  onRecorded(consent: ConsentView): void;
}) {
  const t = useT();
  const { rendered } = props;
  // Keyed by the text's hash: a re-rendered text (another language) starts a fresh acceptance.
  const [typedName, setTypedName] = useState('');
  const [signaturePng, setSignaturePng] = useState<string | null>(null);
  const [accepted, setAccepted] = useState(false);
  const [witnessed, setWitnessed] = useState(false);
  const [clientErrors, setClientErrors] = useState<Record<string, Msg>>({});
  const record = useAction();
  const errors = fieldErrors(t, clientErrors, record.error);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const problems: Record<string, Msg> = {};
    if (!typedName.trim()) problems.typedName = { key: 'validation.required' };
    if (!accepted) problems.accepted = { key: 'terms.mustAccept' };
    if (!witnessed) problems.staffConfirmed = { key: 'terms.mustWitness' };
    setClientErrors(problems);
    if (Object.keys(problems).length > 0) return;
    const result = await record.run('consents.record', {
      customerId: props.customer.id,
      language: rendered.language,
      params: props.params,
      shownSha256: rendered.sha256,
      typedName: typedName.trim(),
      accepted: true,
      staffConfirmed: true,
      signaturePng,
      timeZone: localTimeZone(),
    });
    if (!result) return;
    if (result.ok) props.onRecorded(result.data);
    else if (result.error.code === 'terms_changed') await props.onTermsChanged();
  };

  return (
    <form className="terms-step" onSubmit={submit} noValidate aria-label={t('mandate.step.terms')}>
      <ErrorAlert error={props.renderError} />
      <article className="terms-document" lang={rendered.language} aria-labelledby="terms-title">
        {/* The text opens with its own title; the heading is still there for navigation. */}
        <h2 id="terms-title" className={rendered.text.trimStart().startsWith(rendered.title) ? 'visually-hidden' : undefined}>
          {rendered.title}
        </h2>
        <div className="terms-text">{rendered.text}</div>
        <p className="terms-meta">
          {t('terms.version', { version: rendered.version })} · SHA-256 <code className="hash">{rendered.sha256}</code>
        </p>
      </article>

      <section className="panel acceptance" aria-labelledby="acceptance-heading">
        <h2 id="acceptance-heading">{t('terms.acceptance')}</h2>
        <p className="hint">{t('terms.customerSection')}</p>
        <ErrorAlert error={record.error} />
        <TextField
          label={t('terms.typedName')}
          hint={t('terms.typedNameHint', { name: props.customer.name })}
          value={typedName}
          onChange={setTypedName}
          error={errors.typedName}
          autoComplete="off"
          required
          className="large"
        />
        <SignaturePad onChange={setSignaturePng} />
        <CheckboxField label={t('terms.accept')} checked={accepted} onChange={setAccepted} error={errors.accepted} className="large" />
        <hr />
        <p className="hint">{t('terms.staffSection')}</p>
        <CheckboxField label={t('terms.witness')} checked={witnessed} onChange={setWitnessed} error={errors.staffConfirmed} />
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={record.busy || props.rendering}>
            {record.busy ? t('common.working') : t('terms.recordAndOpen')}
          </button>
          <button type="button" onClick={props.onBack} disabled={record.busy}>
            {t('terms.back')}
          </button>
        </div>
      </section>
    </form>
  );
}

function Recorded({ consent, customerId, setup }: { consent: ConsentView; customerId: string; setup: ReturnType<typeof useStartSetup> }) {
  const t = useT();
  const { lang } = useLanguage();
  const { navigate } = useRouter();
  return (
    <section className="panel" aria-labelledby="recorded-heading">
      <h2 id="recorded-heading">{t('mandate.recorded.title')}</h2>
      <StatusMessage tone="success">{t('mandate.recorded.message', { name: consent.typedName, time: formatDateTime(consent.acceptedAtUtc, lang) })}</StatusMessage>
      <dl className="details compact">
        <dt>{t('consent.purpose')}</dt>
        <dd>{consent.params.purpose}</dd>
        <dt>{t('consent.amountRule')}</dt>
        <dd>{describeAmountRule(t, consent.params, lang)}</dd>
        <dt>{t('consent.witness')}</dt>
        <dd>{consent.witnessedBy.name}</dd>
      </dl>
      <p>{t('mandate.recorded.next')}</p>
      <ErrorAlert error={setup.error} />
      <div className="form-actions">
        <button type="button" className="button-primary" onClick={() => void setup.start(consent.id)} disabled={setup.busy}>
          {setup.busy ? t('common.working') : t('mandate.openSetup')}
        </button>
        <button type="button" onClick={() => navigate({ name: 'consent', consentId: consent.id })}>
          {t('mandate.recorded.print')}
        </button>
        <button type="button" onClick={() => navigate({ name: 'customer', customerId })}>
          {t('customer.back')}
        </button>
      </div>
    </section>
  );
}
