import { useState } from 'react';
import type { AuthStatus } from '../../preload/contract';
import { useAction } from '../api';
import { ErrorAlert, StatusMessage } from '../components/ErrorAlert';
import { PinField, TextField } from '../components/fields';
import { ScreenHeading } from '../components/ScreenHeading';
import { useT } from '../i18n/I18nProvider';
import type { Msg } from '../i18n/translate';
import { fieldErrors } from '../lib/errors';
import { checkSignIn } from '../lib/validation';

export function SignInScreen({ onSignedIn, reason, idleMinutes }: { onSignedIn(status: AuthStatus): void; reason: 'idle' | 'elsewhere' | null; idleMinutes: number }) {
  const t = useT();
  const [name, setName] = useState('');
  const [pin, setPin] = useState('');
  const [clientErrors, setClientErrors] = useState<Record<string, Msg>>({});
  const action = useAction();
  const errors = fieldErrors(t, clientErrors, action.error);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const checked = checkSignIn({ name, pin });
    setClientErrors(checked.ok ? {} : (checked.errors as Record<string, Msg>));
    if (!checked.ok) return;
    const result = await action.run('auth.signIn', checked.value);
    if (result?.ok) onSignedIn(result.data);
    else setPin('');
  };

  return (
    <section className="panel narrow">
      <ScreenHeading>{t('signIn.title')}</ScreenHeading>
      {reason === 'idle' && <StatusMessage tone="warning">{t('signIn.idleSignedOut', { minutes: idleMinutes })}</StatusMessage>}
      {reason === 'elsewhere' && <StatusMessage tone="warning">{t('signIn.signedOut')}</StatusMessage>}
      <ErrorAlert error={action.error} />
      <form onSubmit={submit} noValidate>
        <TextField label={t('signIn.name')} value={name} onChange={setName} error={errors.name} autoComplete="username" autoFocus required />
        <PinField label={t('signIn.pin')} value={pin} onChange={setPin} error={errors.pin} autoComplete="current-password" required />
        <button type="submit" className="button-primary" disabled={action.busy}>
          {action.busy ? t('common.working') : t('signIn.submit')}
        </button>
      </form>
    </section>
  );
}
