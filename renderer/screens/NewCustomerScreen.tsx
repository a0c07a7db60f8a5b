import { useState } from 'react';
import { LANGUAGES, type Language } from '../../preload/contract';
import { useAction, useLoad } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField, TextField } from '../components/fields';
import { ScreenHeading } from '../components/ScreenHeading';
import { useT } from '../i18n/I18nProvider';
import type { Msg } from '../i18n/translate';
import { fieldErrors } from '../lib/errors';
import { checkCustomer, prefillCustomer } from '../lib/validation';
import { useRouter } from '../router';
import { LANGUAGE_NAMES } from '../i18n/languageNames';

export function NewCustomerScreen({ prefill }: { prefill: string }) {
  const t = useT();
  const { navigate } = useRouter();
  const settings = useLoad('settings.get', {});
  const [prefilled] = useState(() => prefillCustomer(prefill));
  const [form, setForm] = useState(prefilled);
  const [chosenLanguage, setLanguage] = useState<Language | null>(null);
  const language = chosenLanguage ?? settings.data?.defaultLanguage ?? 'en';
  const [clientErrors, setClientErrors] = useState<Record<string, Msg>>({});
  const action = useAction();
  const errors = fieldErrors(t, clientErrors, action.error);
  const set = (field: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [field]: value }));

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const checked = checkCustomer({ ...form, language });
    setClientErrors(checked.ok ? {} : (checked.errors as Record<string, Msg>));
    if (!checked.ok) return;
    const result = await action.run('customers.create', checked.value);
    // A customer is created at the counter to save Amazon Pay: go straight on (the customer page is one click away).
    if (result?.ok) navigate({ name: 'mandate', customerId: result.data.customer.id, notice: result.data.linkedExisting ? 'linkedExisting' : 'created' });
  };

  return (
    <section className="panel narrow">
      <ScreenHeading focus={false}>{t('newCustomer.title')}</ScreenHeading>
      <ErrorAlert error={action.error} />
      <form onSubmit={submit} noValidate>
        {/* the first field the search did not fill has the focus */}
        <TextField label={t('newCustomer.name')} value={form.name} onChange={set('name')} error={errors.name} autoFocus={!prefilled.name} required />
        <TextField label={t('newCustomer.email')} value={form.email} onChange={set('email')} error={errors.email} type="email" inputMode="email" autoFocus={Boolean(prefilled.name)} required />
        <TextField label={t('newCustomer.phone')} value={form.phone} onChange={set('phone')} error={errors.phone} type="tel" inputMode="tel" />
        <SelectField
          label={t('newCustomer.language')}
          hint={t('newCustomer.languageHint')}
          value={language}
          onChange={setLanguage}
          options={LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))}
        />
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={action.busy}>
            {action.busy ? t('common.working') : t('newCustomer.submit')}
          </button>
          <button type="button" onClick={() => navigate({ name: 'customers' })}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
