/**
 * Managers: the shop's mail server (SMTP) for e-mails to customers, and a test e-mail with the
 * server's answer. The password is write-only: the renderer is only told whether one is saved.
 */
import { useState } from 'react';
import type { MailSettingsView, MailTestResult, SmtpTlsMode } from '../../preload/contract';
import { formatDateTime } from '../i18n/format';
import { useAction, useLoad } from '../api';
import { useLanguage, useT } from '../i18n/I18nProvider';
import { fieldErrors } from '../lib/errors';
import { ErrorAlert, StatusMessage } from './ErrorAlert';
import { isCertificateError, mailErrorText } from './Outbox';
import { CheckboxField, SelectField, TextAreaField, TextField } from './fields';

interface Form {
  host: string;
  port: string;
  tls: SmtpTlsMode;
  user: string;
  password: string;
  removePassword: boolean;
  fromAddress: string;
  fromName: string;
  /** PEM to trust from now on (empty: keep the saved one). */
  trustedPem: string;
  removeTrusted: boolean;
  allowUntrusted: boolean;
}
const toForm = (s: MailSettingsView): Form => ({
  host: s.host,
  port: String(s.port),
  tls: s.tls,
  user: s.user,
  password: '',
  removePassword: false,
  fromAddress: s.fromAddress,
  fromName: s.fromName,
  trustedPem: '',
  removeTrusted: false,
  allowUntrusted: s.allowUntrusted,
});
const DEFAULT_PORTS: Record<SmtpTlsMode, number> = { starttls: 587, tls: 465, none: 25 };

export function MailSettings() {
  const t = useT();
  const loaded = useLoad('mail.settings.get', {});
  return (
    <section className="panel" aria-labelledby="mail-settings-heading">
      <h2 id="mail-settings-heading">{t('mailSettings.title')}</h2>
      <p className="hint">{t('mailSettings.hint')}</p>
      <ErrorAlert error={loaded.error} />
      {loaded.data && <MailSettingsEditor settings={loaded.data} onSaved={loaded.setData} />}
      {loaded.data && <MailTest configured={loaded.data.configured} />}
    </section>
  );
}

function MailSettingsEditor({ settings, onSaved }: { settings: MailSettingsView; onSaved(settings: MailSettingsView): void }) {
  const t = useT();
  const { lang } = useLanguage();
  const [form, setForm] = useState<Form>(() => toForm(settings));
  const [saved, setSaved] = useState(false);
  const [portError, setPortError] = useState<string | undefined>();
  const action = useAction();
  const errors = fieldErrors(t, {}, action.error);
  const set =
    <K extends keyof Form>(key: K) =>
    (value: Form[K]) => {
      setSaved(false);
      setForm((f) => ({ ...f, [key]: value }));
    };
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const port = Number(form.port.trim());
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      setPortError(t('validation.portRange'));
      return;
    }
    setPortError(undefined);
    const result = await action.run('mail.settings.update', {
      host: form.host.trim(),
      port,
      tls: form.tls,
      user: form.user.trim(),
      ...(form.removePassword ? { password: null } : form.password ? { password: form.password } : {}),
      fromAddress: form.fromAddress.trim(),
      fromName: form.fromName.trim(),
      ...(form.removeTrusted ? { trustedCertificatePem: null } : form.trustedPem.trim() ? { trustedCertificatePem: form.trustedPem } : {}),
      allowUntrusted: form.allowUntrusted,
    });
    if (result?.ok) {
      onSaved(result.data);
      setForm(toForm(result.data));
      setSaved(true);
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-label={t('mailSettings.title')}>
      {saved && <StatusMessage tone="success">{t('mailSettings.saved')}</StatusMessage>}
      <p className="hint" data-testid="mail-configured">
        {settings.configured ? t('mailSettings.configured') : t('mailSettings.notConfigured')}
      </p>
      <ErrorAlert error={action.error} />
      <div className="form-grid">
        <TextField label={t('mailSettings.host')} value={form.host} onChange={set('host')} error={errors.host} autoComplete="off" />
        <SelectField
          label={t('mailSettings.tls')}
          value={form.tls}
          onChange={(tls) => {
            setSaved(false);
            // the usual port follows the encryption unless one was typed that is not a usual one
            setForm((f) => ({ ...f, tls, port: Object.values(DEFAULT_PORTS).map(String).includes(f.port) ? String(DEFAULT_PORTS[tls]) : f.port }));
          }}
          options={(['starttls', 'tls', 'none'] as const).map((value) => ({ value, label: t(`mailSettings.tls.${value}`) }))}
        />
        <TextField label={t('mailSettings.port')} value={form.port} onChange={set('port')} error={portError ?? errors.port} inputMode="numeric" />
        <TextField label={t('mailSettings.user')} value={form.user} onChange={set('user')} error={errors.user} autoComplete="off" />
        <TextField
          label={t('mailSettings.password')}
          hint={settings.passwordSet ? t('mailSettings.passwordSet') : t('mailSettings.passwordNotSet')}
          value={form.password}
          onChange={set('password')}
          type="password"
          autoComplete="new-password"
          disabled={form.removePassword}
        />
        <TextField label={t('mailSettings.fromAddress')} value={form.fromAddress} onChange={set('fromAddress')} error={errors.fromAddress} type="email" autoComplete="off" />
        <TextField label={t('mailSettings.fromName')} hint={t('mailSettings.fromNameHint')} value={form.fromName} onChange={set('fromName')} error={errors.fromName} autoComplete="off" />
      </div>
      {settings.passwordSet && <CheckboxField label={t('mailSettings.removePassword')} checked={form.removePassword} onChange={set('removePassword')} />}
      {form.tls !== 'none' && (
        <fieldset className="form-section mail-certificate" aria-describedby="mail-certificate-hint">
          <legend>{t('mailSettings.certificate')}</legend>
          <p className="hint" id="mail-certificate-hint">
            {t('mailSettings.certificateHint')}
          </p>
          {settings.trustedCertificates.length > 0 && (
            <ul className="trusted-certificates" data-testid="trusted-certificates">
              {settings.trustedCertificates.map((c) => (
                <li key={c.fingerprint256}>
                  <span lang="en">{c.subject}</span>
                  <span className="hint">{t('mailSettings.certificateValidTo', { date: formatDateTime(c.validTo, lang) })}</span>
                  <code className="id" aria-label={t('mailSettings.certificateFingerprint')}>
                    SHA-256 {c.fingerprint256}
                  </code>
                </li>
              ))}
            </ul>
          )}
          <TextAreaField
            label={settings.trustedCertificates.length ? t('mailSettings.trustedPemReplace') : t('mailSettings.trustedPem')}
            hint={t('mailSettings.trustedPemHint')}
            value={form.trustedPem}
            onChange={set('trustedPem')}
            error={errors.trustedCertificatePem}
            rows={4}
            disabled={form.removeTrusted}
            className="pem-field"
          />
          {settings.trustedCertificates.length > 0 && <CheckboxField label={t('mailSettings.removeTrusted')} checked={form.removeTrusted} onChange={set('removeTrusted')} />}
          <CheckboxField label={t('mailSettings.allowUntrusted')} hint={t('mailSettings.allowUntrustedHint')} checked={form.allowUntrusted} onChange={set('allowUntrusted')} className="field-danger" />
        </fieldset>
      )}
      <button type="submit" className="button-primary" disabled={action.busy}>
        {action.busy ? t('common.working') : t('mailSettings.save')}
      </button>
    </form>
  );
}

function MailTest({ configured }: { configured: boolean }) {
  const t = useT();
  const [to, setTo] = useState('');
  const [result, setResult] = useState<MailTestResult | null>(null);
  const action = useAction();
  const errors = fieldErrors(t, {}, action.error);
  const send = async (e: React.FormEvent) => {
    e.preventDefault();
    setResult(null);
    const answer = await action.run('mail.test', { to: to.trim() });
    if (answer?.ok) setResult(answer.data);
  };
  return (
    <form onSubmit={send} noValidate className="mail-test" aria-label={t('mailSettings.test')}>
      <div className="form-grid">
        <TextField label={t('mailSettings.testTo')} value={to} onChange={setTo} error={errors.to} type="email" autoComplete="email" />
      </div>
      <ErrorAlert error={action.error} />
      {result?.sent === true && <StatusMessage tone="success">{t('mailSettings.testSent', { response: result.response })}</StatusMessage>}
      {result?.sent === false && (
        <div className="alert alert-error" role="alert" data-testid="mail-test-failed">
          <p>{t('mailSettings.testFailed', { reason: mailErrorText(t, { code: result.code, responseCode: result.responseCode, message: result.response }) })}</p>
          {isCertificateError(result.code) ? (
            // no server reply to quote: the check of its certificate failed here, and the detail is its name
            <p className="hint">{t('mailSettings.testCertificateDetail', { detail: result.response })}</p>
          ) : (
            <p className="hint" lang="en">
              {t('mailSettings.testServerSaid', { response: `${result.responseCode ? `${result.responseCode} ` : ''}${result.response}` })}
            </p>
          )}
        </div>
      )}
      <button type="submit" disabled={action.busy || !configured}>
        {action.busy ? t('common.working') : t('mailSettings.test')}
      </button>
    </form>
  );
}
