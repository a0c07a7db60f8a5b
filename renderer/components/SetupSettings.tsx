/** Managers: where the customer finishes the Amazon Pay setup (this computer or their phone), how long the page stays valid, and the shop's web page for phones. */
import { useState } from 'react';
import type { Settings } from '../../preload/contract';
import { useAction } from '../api';
import { useT } from '../i18n/I18nProvider';
import type { Msg } from '../i18n/translate';
import { fieldErrors } from '../lib/errors';
import { checkSetupSettings, type SetupSettingsForm } from '../lib/setupSettings';
import { useSession } from '../session';
import { ErrorAlert, StatusMessage } from './ErrorAlert';
import { RadioGroup, TextField } from './fields';

const toForm = (s: Settings): SetupSettingsForm => ({ setupFinishOn: s.setupFinishOn, setupExpiryMinutes: String(s.setupExpiryMinutes), shopWebPage: s.shopWebPage });

export function SetupSettings({ settings, onSaved }: { settings: Settings; onSaved(settings: Settings): void }) {
  const t = useT();
  const { info } = useSession();
  const [form, setForm] = useState(() => toForm(settings));
  const [clientErrors, setClientErrors] = useState<Record<string, Msg>>({});
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const errors = fieldErrors(t, clientErrors, action.error);
  const set =
    <K extends keyof SetupSettingsForm>(key: K) =>
    (value: SetupSettingsForm[K]) => {
      setSaved(false);
      setForm((f) => ({ ...f, [key]: value }));
    };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const checked = checkSetupSettings(form);
    setClientErrors(checked.ok ? {} : (checked.errors as Record<string, Msg>));
    if (!checked.ok) return;
    const result = await action.run('settings.update', checked.value);
    if (result?.ok) {
      onSaved(result.data);
      setForm(toForm(result.data));
      setSaved(true);
    }
  };

  const noPhonePage = form.setupFinishOn === 'phone' && form.shopWebPage.trim() === '';
  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="setup-settings-heading">
      <h2 id="setup-settings-heading">{t('settings.setupSection')}</h2>
      {saved && <StatusMessage tone="success">{t('settings.setupSaved')}</StatusMessage>}
      <ErrorAlert error={action.error} />
      <RadioGroup
        legend={t('settings.finishOn')}
        value={form.setupFinishOn}
        onChange={set('setupFinishOn')}
        options={[
          { value: 'this_computer', label: t('settings.finishOn.this_computer') },
          { value: 'phone', label: t('settings.finishOn.phone') },
        ]}
      />
      <div className="form-grid">
        <TextField
          label={t('settings.expiryMinutes')}
          hint={t('settings.expiryHint')}
          value={form.setupExpiryMinutes}
          onChange={set('setupExpiryMinutes')}
          error={errors.setupExpiryMinutes}
          inputMode="numeric"
          required
        />
        <TextField label={t('settings.shopWebPage')} hint={t('settings.shopWebPageHint')} value={form.shopWebPage} onChange={set('shopWebPage')} error={errors.shopWebPage} type="text" inputMode="text" autoComplete="url" />
      </div>
      {noPhonePage && <p className="hint">{info.mode === 'training' ? t('settings.shopWebPageTraining') : t('settings.shopWebPageNoDefault')}</p>}
      <button type="submit" className="button-primary" disabled={action.busy}>
        {action.busy ? t('common.working') : t('settings.saveSetup')}
      </button>
    </form>
  );
}
