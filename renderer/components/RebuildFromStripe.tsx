/** Managers: "Rebuild this desk from Stripe" — imports every customer at Stripe, with a progress bar; resumes after a crash. */
import { useState } from 'react';
import type { RebuildStatus } from '../../preload/contract';
import { useAction, useApiEvent, useLoad } from '../api';
import { ConfirmButton } from './ConfirmButton';
import { ErrorAlert, StatusMessage } from './ErrorAlert';
import { formatDateTime } from '../i18n/format';
import { useLanguage, useT } from '../i18n/I18nProvider';

/**
 * Whether `a` is a later state of the rebuild than `b`: progress events and the start call's answer
 * can arrive in either order, and an older one must not replace a newer one on screen.
 */
function isLater(a: RebuildStatus, b: RebuildStatus): boolean {
  if (a.startedAt !== b.startedAt) return (a.startedAt ?? '') > (b.startedAt ?? '');
  const rank = (s: RebuildStatus) => [s.finishedAt ? 1 : 0, s.total !== null ? 1 : 0, s.done + s.failed];
  const [ra, rb] = [rank(a), rank(b)];
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] > rb[i];
  return false;
}

export function RebuildFromStripe() {
  const t = useT();
  const { lang } = useLanguage();
  const loaded = useLoad('desk.rebuildStatus', {});
  const [live, setLive] = useState<RebuildStatus | null>(null);
  const action = useAction();
  const show = (next: RebuildStatus) => setLive((shown) => (shown && isLater(shown, next) ? shown : next));
  useApiEvent('rebuild.progress', show);
  const status = live ?? loaded.data;

  const start = async () => {
    const result = await action.run('desk.rebuildFromStripe', {});
    if (result?.ok) show(result.data);
  };

  const percent = status && status.total ? Math.min(100, Math.round(((status.done + status.failed) / status.total) * 100)) : 0;
  return (
    <section className="panel" aria-labelledby="rebuild-heading" data-testid="rebuild">
      <h2 id="rebuild-heading">{t('rebuild.title')}</h2>
      <p className="hint">{t('rebuild.hint')}</p>
      <ErrorAlert error={loaded.error ?? action.error} />
      {status && status.state !== 'never' && (
        <div className="rebuild-progress">
          <label htmlFor="rebuild-bar">
            {status.state === 'running' && status.total === null
              ? t('rebuild.counting')
              : t('rebuild.progress', { done: status.done + status.failed, total: status.total ?? '…', percent })}
          </label>
          <progress id="rebuild-bar" className="progress" max={100} value={status.state === 'running' && status.total === null ? undefined : percent} />
          <StatusMessage tone={status.state === 'done' ? 'success' : status.state === 'interrupted' ? 'warning' : undefined}>
            {status.state === 'done' && t('rebuild.done', { time: formatDateTime(status.finishedAt!, lang), done: status.done })}
            {status.state === 'running' && t('rebuild.running')}
            {status.state === 'interrupted' && t('rebuild.interrupted', { time: formatDateTime(status.startedAt!, lang) })}
          </StatusMessage>
          {status.failed > 0 && <p className="text-warning">{t('rebuild.failed', { count: status.failed, error: status.lastError ?? '' })}</p>}
        </div>
      )}
      {status?.state !== 'running' && (
        <ConfirmButton
          label={status?.state === 'interrupted' ? t('rebuild.resume') : t('rebuild.start')}
          question={t('rebuild.confirm')}
          confirmLabel={status?.state === 'interrupted' ? t('rebuild.resume') : t('rebuild.start')}
          onConfirm={start}
          busy={action.busy}
        />
      )}
    </section>
  );
}
