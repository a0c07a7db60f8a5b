/** A consent exactly as accepted (printable), with its links, withdrawal and (managers) evidence export. */
import { Fragment, useState } from 'react';
import type { ConsentView, PdfFile } from '../../preload/contract';
import { useAction, useLoad } from '../api';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorAlert, NotLoaded } from '../components/ErrorAlert';
import { TextAreaField } from '../components/fields';
import { ScreenHeading } from '../components/ScreenHeading';
import { ConsentStatusBadge } from '../components/StatusBadge';
import { formatDateTime } from '../i18n/format';
import { useLanguage, useT } from '../i18n/I18nProvider';
import { LANGUAGE_NAMES } from '../i18n/languageNames';
import type { Msg } from '../i18n/translate';
import { describeAmountRule, describePeriod } from '../lib/describe';
import { downloadFile } from '../lib/hooks';
import { checkWithdrawReason } from '../lib/validation';
import { useRouter } from '../router';
import { useSession } from '../session';
import { TrainingMark } from '../components/TrainingMark';
import { translate } from '../i18n/translate';
import { OriginNote, StripeShareState } from '../components/StripeShare';

export function ConsentScreen({ consentId }: { consentId: string }) {
  const t = useT();
  const { navigate } = useRouter();
  const loaded = useLoad('consents.get', { consentId });
  const pdf = useAction();
  if (!loaded.data) return <NotLoaded error={loaded.error} />;
  const consent = loaded.data;
  const downloadPdf = async () => {
    const result = await pdf.run('consents.pdf', { consentId: consent.id });
    if (result?.ok) downloadBase64File(result.data);
  };
  return (
    <section className="printable">
      <TrainingConsentMark consent={consent} />
      <ScreenHeading
        actions={
          <>
            <button type="button" className="button-primary" onClick={() => window.print()}>
              {t('common.print')}
            </button>
            <button type="button" onClick={() => void downloadPdf()} disabled={pdf.busy} title={t('consentDoc.pdfHint')}>
              {pdf.busy ? t('common.working') : t('consentDoc.pdf')}
            </button>
            <button type="button" onClick={() => navigate({ name: 'customer', customerId: consent.customerId })}>
              {t('customer.back')}
            </button>
          </>
        }
      >
        {t('consentDoc.title')}
      </ScreenHeading>
      <ErrorAlert error={pdf.error} />
      <ConsentRecord consent={consent} />
      <ManagerActions consent={consent} onChanged={loaded.setData} />
    </section>
  );
}

/** Saves a binary file from main (base64 over every transport) through a Blob and a temporary <a download>. */
function downloadBase64File(file: PdfFile): void {
  const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mimeType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** In training mode a printed copy must never pass for a real consent: the mark is in the UI language and the customer's. */
function TrainingConsentMark({ consent }: { consent: ConsentView }) {
  const { info } = useSession();
  const { lang } = useLanguage();
  if (info.mode !== 'training') return null;
  const texts = [...new Set([translate(lang, 'consentDoc.trainingMark'), translate(consent.language, 'consentDoc.trainingMark')])];
  return <TrainingMark text={texts.join(' / ')} />;
}

function ConsentRecord({ consent }: { consent: ConsentView }) {
  const t = useT();
  const { lang } = useLanguage();
  const p = consent.params;
  const links: Array<[string, string | null]> = [
    [t('consentDoc.checkoutSession'), consent.links.checkoutSessionId],
    [t('consentDoc.setupIntent'), consent.links.setupIntentId],
    [t('consentDoc.paymentMethod'), consent.links.paymentMethodId],
    [t('consentDoc.mandate'), consent.links.mandateId],
  ];
  return (
    <>
      <section className="panel" aria-labelledby="record-heading">
        <h2 id="record-heading">{t('consentDoc.record')}</h2>
        <dl className="details">
          <dt>{t('consentDoc.status')}</dt>
          <dd>
            <ConsentStatusBadge status={consent.status} />
          </dd>
          <dt>{t('consentDoc.id')}</dt>
          <dd>
            <code className="id">{consent.id}</code>
          </dd>
          <dt>{t('consentDoc.customer')}</dt>
          <dd>
            <code className="id">{consent.customerId}</code> · <code className="id">{consent.stripeCustomerId}</code>
          </dd>
          <dt>{t('consentDoc.version')}</dt>
          <dd>{consent.termsVersion}</dd>
          <dt>{t('consentDoc.language')}</dt>
          <dd>{LANGUAGE_NAMES[consent.language]}</dd>
          <dt>{t('consentDoc.typedName')}</dt>
          <dd className="typed-name">{consent.typedName}</dd>
          <dt>{t('consentDoc.acceptedLocal')}</dt>
          <dd>
            {formatDateTime(consent.acceptedAtUtc, lang, consent.timeZone)} ({consent.timeZone}) <span className="hint">{consent.acceptedAtLocal}</span>
          </dd>
          <dt>{t('consentDoc.acceptedUtc')}</dt>
          <dd>
            <time dateTime={consent.acceptedAtUtc}>{consent.acceptedAtUtc}</time>
          </dd>
          <dt>{t('consentDoc.witness')}</dt>
          <dd>{consent.witnessedBy.name}</dd>
          <dt>{t('consentDoc.terminal')}</dt>
          <dd>
            <code className="id">{consent.terminalId}</code>
          </dd>
          <dt>{t('consentDoc.hash')}</dt>
          <dd>
            <code className="hash">{consent.textSha256}</code>
          </dd>
          <dt>{t('share.evidence.label')}</dt>
          <dd data-testid="consent-evidence">
            <StripeShareState share={consent.stripeEvidence} what="evidence" />
          </dd>
          {consent.origin && (
            <>
              <dt>{t('origin.label')}</dt>
              <dd>
                <OriginNote origin={consent.origin} />
              </dd>
            </>
          )}
          {consent.correctsConsentId && (
            <>
              <dt>{t('consentDoc.corrects')}</dt>
              <dd>
                <code className="id">{consent.correctsConsentId}</code>
              </dd>
            </>
          )}
          {links.map(([label, id]) => (
            <Fragment key={label}>
              <dt>{label}</dt>
              <dd>{id ? <code className="id">{id}</code> : <span className="hint">{t('consentDoc.notYet')}</span>}</dd>
            </Fragment>
          ))}
        </dl>
        {consent.withdrawal && (
          <div className="alert alert-warning" role="status">
            <p className="alert-title">{t('consentDoc.withdrawn', { time: formatDateTime(consent.withdrawal.at, lang), name: consent.withdrawal.byName })}</p>
            <p>{t('consentDoc.withdrawnReason', { reason: consent.withdrawal.reason })}</p>
            <p data-testid="withdrawal-share">
              {t('share.withdrawal.label')} <StripeShareState share={consent.withdrawal.stripeShare} what="withdrawal" />
            </p>
          </div>
        )}
      </section>

      <section className="panel" aria-labelledby="params-heading">
        <h2 id="params-heading">{t('consentDoc.params')}</h2>
        <dl className="details">
          <dt>{t('consent.purpose')}</dt>
          <dd>{p.purpose}</dd>
          <dt>{t('mandate.frequency')}</dt>
          <dd>{t(`frequency.${p.frequency}`)}</dd>
          <dt>{t('mandate.timing')}</dt>
          <dd>{p.timing}</dd>
          <dt>{t('consent.amountRule')}</dt>
          <dd>{describeAmountRule(t, p, lang)}</dd>
          <dt>{t('consentDoc.period')}</dt>
          <dd>{describePeriod(t, p, lang)}</dd>
          <dt>{t('mandate.cancellationPolicy')}</dt>
          <dd>{p.cancellationPolicy}</dd>
        </dl>
      </section>

      <article className="terms-document" lang={consent.language} aria-labelledby="accepted-terms-title">
        <p className="terms-caption">{t('consentDoc.asAccepted')}</p>
        <h2 id="accepted-terms-title" className={consent.text.trimStart().startsWith(consent.title) ? 'visually-hidden' : undefined}>
          {consent.title}
        </h2>
        <div className="terms-text">{consent.text}</div>
        <div className="signature-block">
          <p>
            <strong>{t('consentDoc.typedName')}:</strong> <span className="typed-name">{consent.typedName}</span>
          </p>
          {consent.signaturePng ? (
            <img className="signature-image" src={consent.signaturePng} alt={t('consentDoc.signatureAlt', { name: consent.typedName })} />
          ) : (
            <p className="hint">{t('consentDoc.noSignature')}</p>
          )}
        </div>
      </article>
    </>
  );
}

function ManagerActions({ consent, onChanged }: { consent: ConsentView; onChanged(consent: ConsentView): void }) {
  const t = useT();
  const { isManager } = useSession();
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Msg | null>(null);
  const withdraw = useAction();
  const exporter = useAction();
  if (!isManager) return null;

  /** The reason is required: checked before the question is asked, and again before sending. */
  const reasonIsValid = () => {
    const issue = checkWithdrawReason(reason);
    setProblem(issue);
    return issue === null;
  };
  const doWithdraw = async () => {
    if (!reasonIsValid()) return;
    const result = await withdraw.run('consents.withdraw', { consentId: consent.id, reason: reason.trim() });
    if (result?.ok) onChanged(result.data);
  };
  const doExport = async () => {
    const result = await exporter.run('consents.exportEvidence', { consentId: consent.id });
    if (result?.ok) downloadFile(result.data);
  };

  return (
    <section className="panel no-print" aria-labelledby="manager-heading">
      <h2 id="manager-heading">{t('consentDoc.managerActions')}</h2>
      <ErrorAlert error={exporter.error} />
      <div className="form-actions">
        <button type="button" onClick={() => void doExport()} disabled={exporter.busy}>
          {exporter.busy ? t('common.working') : t('consentDoc.export')}
        </button>
      </div>
      {consent.status !== 'withdrawn' && (
        <div className="withdraw">
          <h3>{t('withdraw.title')}</h3>
          <p className="hint">{t('withdraw.hint')}</p>
          <ErrorAlert error={withdraw.error} />
          <TextAreaField
            label={t('withdraw.reason')}
            value={reason}
            onChange={setReason}
            error={problem ? t(problem.key, problem.vars) : withdraw.error?.fields?.reason}
            rows={2}
            maxLength={500}
            required
          />
          <ConfirmButton
            label={t('withdraw.submit')}
            question={t('withdraw.question')}
            confirmLabel={t('withdraw.confirm')}
            cancelLabel={t('withdraw.keep')}
            busy={withdraw.busy}
            danger
            canAsk={reasonIsValid}
            onConfirm={doWithdraw}
          />
        </div>
      )}
    </section>
  );
}
