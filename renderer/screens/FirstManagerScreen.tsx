import { useState } from 'react';
import type { AuthStatus } from '../../preload/contract';
import { useAction } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { PinField, TextField } from '../components/fields';
import { ScreenHeading } from '../components/ScreenHeading';
import { useT } from '../i18n/I18nProvider';
import type { Msg } from '../i18n/translate';
import { fieldErrors } from '../lib/errors';
import { checkNewManager } from '../lib/validation';

/** First start: nobody exists yet, so the first person creates the first manager. */
export function FirstManagerScreen({ onDone }: { onDone(status: AuthStatus): void }) {
  const t = useT();
  const [name, setName] = useState('');
  const [pin, setPin] = useState('');
  const [confirmPin, setConfirmPin] = useState('');
  const [shopName, setShopName] = useState('');
  const [shopContact, setShopContact] = useState('');
  const [clientErrors, setClientErrors] = useState<Record<string, Msg>>({});
  const action = useAction();
  const errors = fieldErrors(t, clientErrors, action.error);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const checked = checkNewManager({ name, pin, confirmPin, shopName, shopContact });
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
        </fieldset>
        <button type="submit" className="button-primary" disabled={action.busy}>
          {action.busy ? t('common.working') : t('firstManager.submit')}
        </button>
      </form>
    </section>
  );
}
