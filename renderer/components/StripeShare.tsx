/** What this desk shared at Stripe, and where an imported record came from (stripe-share.ts, stripe-import.ts). */
import type { RecordOriginView, StripeShareView } from '../../preload/contract';
import { formatDateTime } from '../i18n/format';
import { useLanguage, useT } from '../i18n/I18nProvider';

/** "Uploaded (file_…)" / "Waiting to upload" / "Failed, tries again at …" for a queued write to Stripe. */
export function StripeShareState({ share, what }: { share: StripeShareView | null; what: 'evidence' | 'withdrawal' }) {
  const t = useT();
  const { lang } = useLanguage();
  if (!share) return <span className="hint">{t('share.notShared')}</span>;
  if (share.state === 'uploaded')
    return (
      <span data-share-state="uploaded">
        {t(what === 'evidence' ? 'share.evidence.uploaded' : 'share.withdrawal.uploaded')}
        {share.fileIds.map((id) => (
          <code key={id} className="id">
            {' '}
            {id}
          </code>
        ))}
      </span>
    );
  if (share.state === 'pending') return <span data-share-state="pending">{t('share.pending')}</span>;
  return (
    <span data-share-state="failed" className="text-warning">
      {t('share.failed', { attempts: share.attempts, time: share.nextAttemptAt ? formatDateTime(share.nextAttemptAt, lang) : '—' })}
      {share.lastError && <span className="hint"> {share.lastError}</span>}
    </span>
  );
}

/** "Imported from Stripe on …, made at terminal …" (nothing for a record made at this desk). */
export function OriginNote({ origin }: { origin: RecordOriginView | null }) {
  const t = useT();
  const { lang } = useLanguage();
  if (!origin) return null;
  return (
    <span className="badge badge-neutral origin" data-origin="stripe" title={origin.terminalId ?? undefined}>
      {origin.terminalId ? t('origin.importedFrom', { time: formatDateTime(origin.importedAt, lang), terminal: origin.terminalId }) : t('origin.imported', { time: formatDateTime(origin.importedAt, lang) })}
    </span>
  );
}
