/** Managers: shop name and contact, default currency and language, idle lock, terminal name, receipt tax and registration number; training clock. */
import { useState } from 'react';
import { CURRENCIES, LANGUAGES, type Settings } from '../../preload/contract';
import { useAction, useLoad } from '../api';
import { ErrorAlert, StatusMessage } from '../components/ErrorAlert';
import { SelectField, TextAreaField, TextField } from '../components/fields';
import { ScreenHeading } from '../components/ScreenHeading';
import { SetupSettings } from '../components/SetupSettings';
import { MailSettings } from '../components/MailSettings';
import { TrainingClock } from '../components/TrainingClock';
import { RebuildFromStripe } from '../components/RebuildFromStripe';
import { useT } from '../i18n/I18nProvider';
import { LANGUAGE_NAMES } from '../i18n/languageNames';
import type { Msg } from '../i18n/translate';
import { fieldErrors } from '../lib/errors';
import { checkSettings, type SettingsForm } from '../lib/validation';
import { useSession } from '../session';

export function SettingsScreen() {
  const t = useT();
  const { info } = useSession();
  const loaded = useLoad('settings.get', {});
  // the session's info is from when the app opened: the audit chain is read again for this screen
  const current = useLoad('app.info', {});
  const auditChain = current.data?.auditChain ?? info.auditChain;
  return (
    <section>
      <ScreenHeading>{t('settings.title')}</ScreenHeading>
      <ErrorAlert error={loaded.error} />
      {loaded.data ? <SettingsEditor settings={loaded.data} onSaved={loaded.setData} /> : !loaded.error && <StatusMessage>{t('common.loading')}</StatusMessage>}
      {loaded.data && <SetupSettings settings={loaded.data} onSaved={loaded.setData} />}
      <MailSettings />
      <RebuildFromStripe />
      {info.mode === 'training' && (
        <section className="panel" aria-labelledby="training-heading">
          <h2 id="training-heading">{t('settings.training')}</h2>
          <TrainingClock />
        </section>
      )}
      <section className="panel" aria-labelledby="about-heading">
        <h2 id="about-heading">{t('settings.about')}</h2>
        <dl className="details compact">
          <dt>{t('settings.version')}</dt>
          <dd>{info.version}</dd>
          <dt>{t('settings.mode')}</dt>
          <dd>{t(`mode.${info.mode}`)}</dd>
          <dt>{t('settings.terminalId')}</dt>
          <dd>
            <code className="id">{info.terminalId}</code>
          </dd>
          <dt>{t('settings.auditChain')}</dt>
          <dd>{auditChain.ok ? t('audit.chainOk', { entries: auditChain.entries }) : t('notice.auditBroken')}</dd>
        </dl>
      </section>
    </section>
  );
}

function toForm(s: Settings): SettingsForm {
  return { ...s, idleLockMinutes: String(s.idleLockMinutes), taxRatePercent: String(s.taxRatePercent) };
}

function SettingsEditor({ settings, onSaved }: { settings: Settings; onSaved(settings: Settings): void }) {
  const t = useT();
  const { refreshInfo } = useSession();
  const [form, setForm] = useState<SettingsForm>(() => toForm(settings));
  const [clientErrors, setClientErrors] = useState<Record<string, Msg>>({});
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const errors = fieldErrors(t, clientErrors, action.error);
  const set =
    <K extends keyof SettingsForm>(key: K) =>
    (value: SettingsForm[K]) => {
      setSaved(false);
      setForm((f) => ({ ...f, [key]: value }));
    };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const checked = checkSettings(form);
    setClientErrors(checked.ok ? {} : (checked.errors as Record<string, Msg>));
    if (!checked.ok) return;
    const result = await action.run('settings.update', checked.value);
    if (result?.ok) {
      onSaved(result.data);
      setForm(toForm(result.data));
      setSaved(true);
      await refreshInfo();
    }
  };

  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="shop-heading">
      <h2 id="shop-heading">{t('settings.shop')}</h2>
      {saved && <StatusMessage tone="success">{t('settings.saved')}</StatusMessage>}
      <ErrorAlert error={action.error} />
      <div className="form-grid">
        <TextField label={t('settings.shopName')} value={form.shopName} onChange={set('shopName')} error={errors.shopName} required />
        <TextField label={t('settings.terminalName')} value={form.terminalName} onChange={set('terminalName')} error={errors.terminalName} required />
      </div>
      <TextAreaField label={t('settings.shopContact')} hint={t('settings.shopContactHint')} value={form.shopContact} onChange={set('shopContact')} error={errors.shopContact} rows={2} required />
      <div className="form-grid">
        <SelectField label={t('settings.defaultCurrency')} value={form.defaultCurrency} onChange={set('defaultCurrency')} options={CURRENCIES.map((c) => ({ value: c, label: c.toUpperCase() }))} />
        <SelectField label={t('settings.defaultLanguage')} value={form.defaultLanguage} onChange={set('defaultLanguage')} options={LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))} />
        <TextField label={t('settings.idleLockMinutes')} value={form.idleLockMinutes} onChange={set('idleLockMinutes')} error={errors.idleLockMinutes} inputMode="numeric" required />
      </div>
      <fieldset className="form-section">
        <legend>{t('settings.receipts')}</legend>
        <div className="form-grid">
          <TextField label={t('settings.taxRatePercent')} hint={t('settings.taxRateHint')} value={form.taxRatePercent} onChange={set('taxRatePercent')} error={errors.taxRatePercent} inputMode="numeric" required />
          <TextField
            label={t('settings.invoiceRegistrationNumber')}
            hint={t('settings.invoiceRegistrationNumberHint')}
            value={form.invoiceRegistrationNumber}
            onChange={set('invoiceRegistrationNumber')}
            error={errors.invoiceRegistrationNumber}
            maxLength={40}
          />
        </div>
      </fieldset>
      <button type="submit" className="button-primary" disabled={action.busy}>
        {action.busy ? t('common.working') : t('settings.save')}
      </button>
    </form>
  );
}
