import { useState } from 'react';
import { useT } from '../i18n/I18nProvider';

/**
 * A button that asks before doing something that cannot be undone. The question appears inline
 * (no native dialog), so it is visible, translatable and easy to drive in tests.
 */
export function ConfirmButton(props: {
  label: string;
  question: string;
  confirmLabel: string;
  cancelLabel?: string;
  onConfirm(): void | Promise<void>;
  busy?: boolean;
  disabled?: boolean;
  danger?: boolean;
  /** Checks the input first: when it returns false the question is not asked (the caller shows why). */
  canAsk?(): boolean;
}) {
  const t = useT();
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" className={props.danger ? 'button-danger' : ''} onClick={() => setAsking(props.canAsk?.() ?? true)} disabled={props.disabled || props.busy}>
        {props.label}
      </button>
    );
  return (
    <div className="confirm" role="group" aria-label={props.question}>
      <p>{props.question}</p>
      <button
        type="button"
        className={props.danger ? 'button-danger' : 'button-primary'}
        disabled={props.busy}
        onClick={async () => {
          await props.onConfirm();
          setAsking(false);
        }}
      >
        {props.busy ? t('common.working') : props.confirmLabel}
      </button>
      <button type="button" onClick={() => setAsking(false)} disabled={props.busy}>
        {props.cancelLabel ?? t('common.keep')}
      </button>
    </div>
  );
}
