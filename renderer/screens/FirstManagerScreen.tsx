import { useState } from 'react';
import { CURRENCIES, LANGUAGES, type AuthStatus, type Currency, type Language } from '../../preload/contract';
import { useAction } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { PinField, SelectField, TextField } from '../components/fields';
import { ScreenHeading } from '../components/ScreenHeading';
import { LOCALES } from '../i18n/format';
import { useLanguage, useT } from '../i18n/I18nProvider';
import { LANGUAGE_NAMES } from '../i18n/languageNames';
import type { Msg } from '../i18n/translate';
import { fieldErrors } from '../lib/errors';
import { shopDefaultsFor } from '../lib/shop';
import { checkNewManager } from '../lib/validation';

function browserLanguages(): readonly string[] {
  return typeof navigator === 'undefined' ? [] : navigator.languages?.length ? navigator.languages : [navigator.language];
}

/** "JPY — 日本円": the code as Stripe and receipts show it, and its name in the UI language. */
function currencyLabel(currency: Currency, lang: Language): string {
  const name = new Intl.DisplayNames(LOCALES[lang], { type: 'currency' }).of(currency.toUpperCase());
  return name ? `${currency.toUpperCase()} — ${name}` : currency.toUpperCase();
}

/** First start: nobody exists yet, so the first person creates the first manager and sets up the shop. */
export function FirstManagerScreen({ onDone }: { onDone(status: AuthStatus): void }) {
  const t = useT();
  const { lang } = useLanguage();
  const [suggested] = useState(() => shopDefaultsFor(browserLanguages()));
  const [name, setName] = useState('');
  const [pin, setPin] = useState('');
  const [confirmPin, setConfirmPin] = useState('');
  const [shopName, setShopName] = useState('');
  const [shopContact, setShopContact] = useState('');
  const [currency, setCurrency] = useState<Currency>(suggested.currency);
  const [language, setLanguage] = useState<Language>(suggested.language);
  const [clientErrors, setClientErrors] = useState<Record<string, Msg>>({});
  const action = useAction();
  const errors = fieldErrors(t, clientErrors, action.error);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const checked = checkNewManager({ name, pin, confirmPin, shopName, shopContact, currency, language });
    setClientErrors(checked.ok ? {} : (checked.errors as Record<string, Msg>));
    if (!checked.ok) return;
    const result = await action.run('auth.setupFirstManager', checked.value);
    if (result?.ok) onDone(result.data);
  };

  return (
    <section className="panel narrow">
      <ScreenHeading>{t('firstManager.title')}</ScreenHeading>
      <p>{t('firstManager.intro')}</p>
      <ErrorAlert error={action.error} />
      <form onSubmit={submit} noValidate>
        <TextField label={t('firstManager.name')} value={name} onChange={setName} error={errors.name} autoComplete="username" autoFocus required />
        <PinField label={t('firstManager.pin')} hint={t('firstManager.pinHint')} value={pin} onChange={setPin} error={errors.pin} autoComplete="new-password" required />
        <PinField label={t('firstManager.confirmPin')} value={confirmPin} onChange={setConfirmPin} error={errors.confirmPin} autoComplete="new-password" required />
        <fieldset className="form-section">
          <legend>{t('firstManager.shop')}</legend>
          <p className="hint">{t('firstManager.shopHint')}</p>
          <TextField label={t('firstManager.shopName')} value={shopName} onChange={setShopName} error={errors.shopName} autoComplete="organization" required />
          <TextField label={t('firstManager.shopContact')} value={shopContact} onChange={setShopContact} error={errors.shopContact} required />
          <div className="form-grid">
            <SelectField
              label={t('firstManager.currency')}
              value={currency}
              onChange={setCurrency}
              options={CURRENCIES.map((c) => ({ value: c, label: currencyLabel(c, lang) }))}
            />
            <SelectField
              label={t('firstManager.language')}
              hint={t('firstManager.languageHint')}
              value={language}
              onChange={setLanguage}
              options={LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))}
            />
          </div>
        </fieldset>
        <button type="submit" className="button-primary" disabled={action.busy}>
          {action.busy ? t('common.working') : t('firstManager.submit')}
        </button>
      </form>
    </section>
  );
}
