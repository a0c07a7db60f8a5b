/** Training mode only: move the emulator's clock forward so renewals can be tried out. */
import { useState } from 'react';
import { useAction } from '../api';
import { formatDateTime } from '../i18n/format';
import { useLanguage, useT } from '../i18n/I18nProvider';
import type { Msg } from '../i18n/translate';
import { checkTrainingDays } from '../lib/validation';
import { ErrorAlert, StatusMessage } from './ErrorAlert';
import { TextField } from './fields';

export function TrainingClock({ onAdvanced }: { onAdvanced?(): void }) {
  const t = useT();
  const { lang } = useLanguage();
  const [days, setDays] = useState('30');
  const [problem, setProblem] = useState<Msg | null>(null);
  const [now, setNow] = useState<string | null>(null);
  const action = useAction();

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const issue = checkTrainingDays(days);
    setProblem(issue);
    if (issue) return;
    const result = await action.run('training.advanceClock', { days: Number(days) });
    if (result?.ok) {
      setNow(result.data.now);
      onAdvanced?.();
    }
  };

  return (
    <form className="inline-form training" onSubmit={submit} noValidate aria-label={t('training.title')}>
      <h3>{t('training.title')}</h3>
      <p className="hint">{t('training.hint')}</p>
      <ErrorAlert error={action.error} />
      <div className="form-row">
        <TextField label={t('training.days')} value={days} onChange={setDays} inputMode="numeric" error={problem ? t(problem.key, problem.vars) : undefined} />
        <button type="submit" disabled={action.busy}>
          {action.busy ? t('common.working') : t('training.advance')}
        </button>
      </div>
      {now && <StatusMessage tone="success">{t('training.advanced', { time: formatDateTime(now, lang) })}</StatusMessage>}
    </form>
  );
}
