/** Warnings that must not be missed: a data file that could not be read, a broken audit chain. */
import type { AuditChainStatus, StoreNotice } from '../../preload/contract';
import { useLanguage, useT } from '../i18n/I18nProvider';
import { formatDateTime } from '../i18n/format';

export function StoreNotices({ notices, auditChain }: { notices: StoreNotice[]; auditChain: AuditChainStatus | null }) {
  const t = useT();
  const { lang } = useLanguage();
  if (notices.length === 0 && (!auditChain || auditChain.ok)) return null;
  return (
    <div className="notices no-print">
      {notices.map((n) => (
        <div key={`${n.file}-${n.at}`} className="alert alert-warning" role="alert">
          <p className="alert-title">{t('notice.fileUnreadable', { file: n.file })}</p>
          <p>{t('notice.problem', { problem: t(`storeProblem.${n.code}`, n.params) })}</p>
          {n.keptAsidePath && <p>{t('notice.keptAside', { path: n.keptAsidePath })}</p>}
          <p>
            {n.outcome === 'restored_from_backup' && n.restoredFrom
              ? t('notice.restoredFrom', { path: n.restoredFrom })
              : n.outcome === 'recovered'
                ? t('notice.recovered')
                : n.outcome === 'incomplete'
                  ? t('notice.incomplete', { missing: n.missing.join(', ') })
                  : t('notice.noBackup')}
          </p>
          <p className="hint">
            {formatDateTime(n.at, lang)} · {t('notice.detail', { detail: n.problem })}
          </p>
        </div>
      ))}
      {auditChain && !auditChain.ok && <AuditChainBroken chain={auditChain} />}
    </div>
  );
}

/** A broken audit chain: where it breaks and why, in the user's language (the English text is for support). */
export function AuditChainBroken({ chain }: { chain: AuditChainStatus }) {
  const t = useT();
  return (
    <div className="alert alert-error" role="alert">
      <p className="alert-title">{t('notice.auditBroken')}</p>
      {chain.code && <p>{t(`auditProblem.${chain.code}`, chain.params)}</p>}
      {chain.problem && <p className="hint">{t('notice.detail', { detail: chain.problem })}</p>}
    </div>
  );
}
