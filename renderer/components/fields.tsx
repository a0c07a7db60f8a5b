/** Labelled form controls: every input has a <label>, its hint and error are tied to it with aria-describedby. */
import { useId, type ReactNode } from 'react';

interface Common {
  label: string;
  error?: string;
  hint?: string;
  required?: boolean;
  disabled?: boolean;
  className?: string;
}

function describedBy(id: string, hint?: string, error?: string): string | undefined {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function Extras({ id, hint, error }: { id: string; hint?: string; error?: string }) {
  return (
    <>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </>
  );
}

export function TextField(
  props: Common & {
    value: string;
    onChange(value: string): void;
    /** Dates have their own field (DateField), which follows the app's language. */
    type?: 'text' | 'email' | 'tel' | 'password' | 'number' | 'search';
    autoComplete?: string;
    inputMode?: 'text' | 'numeric' | 'decimal' | 'email' | 'tel' | 'search';
    suffix?: ReactNode;
    autoFocus?: boolean;
    maxLength?: number;
    min?: string | number;
    max?: string | number;
    lang?: string;
  },
) {
  const id = useId();
  return (
    <div className={`field ${props.className ?? ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <div className="input-row">
        <input
          id={id}
          type={props.type ?? 'text'}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={describedBy(id, props.hint, props.error)}
          required={props.required}
          disabled={props.disabled}
          autoComplete={props.autoComplete ?? 'off'}
          inputMode={props.inputMode}
          autoFocus={props.autoFocus}
          maxLength={props.maxLength}
          min={props.min}
          max={props.max}
          lang={props.lang}
        />
        {props.suffix && <span className="input-suffix">{props.suffix}</span>}
      </div>
      <Extras id={id} hint={props.hint} error={props.error} />
    </div>
  );
}

/** A numeric PIN, masked; `autoComplete` says whether it is a new PIN or the one to sign in with. */
export function PinField(props: Common & { value: string; onChange(value: string): void; autoComplete: 'new-password' | 'current-password'; autoFocus?: boolean }) {
  return <TextField {...props} type="password" inputMode="numeric" />;
}

export function TextAreaField(props: Common & { value: string; onChange(value: string): void; rows?: number; maxLength?: number }) {
  const id = useId();
  return (
    <div className={`field ${props.className ?? ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <textarea
        id={id}
        value={props.value}
        rows={props.rows ?? 3}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
        required={props.required}
        disabled={props.disabled}
        maxLength={props.maxLength}
      />
      <Extras id={id} hint={props.hint} error={props.error} />
    </div>
  );
}

export interface Option<V extends string> { value: V; label: string }

export function SelectField<V extends string>(props: Common & { value: V; onChange(value: NoInfer<V>): void; options: Array<Option<V>> }) {
  const id = useId();
  return (
    <div className={`field ${props.className ?? ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as V)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
        disabled={props.disabled}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Extras id={id} hint={props.hint} error={props.error} />
    </div>
  );
}

export function CheckboxField(props: Common & { checked: boolean; onChange(checked: boolean): void }) {
  const id = useId();
  return (
    <div className={`field field-checkbox ${props.className ?? ''}`}>
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
        disabled={props.disabled}
      />
      <label htmlFor={id}>{props.label}</label>
      <Extras id={id} hint={props.hint} error={props.error} />
    </div>
  );
}

/** Radio buttons in a fieldset whose legend names the group. */
export function RadioGroup<V extends string>(props: { legend: string; value: V; onChange(value: NoInfer<V>): void; options: Array<Option<V> & { lang?: string }>; disabled?: boolean; className?: string }) {
  const name = useId();
  return (
    <fieldset className={`radio-group ${props.className ?? ''}`}>
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <label key={o.value} className="radio" lang={o.lang}>
          <input type="radio" name={name} value={o.value} checked={props.value === o.value} onChange={() => props.onChange(o.value)} disabled={props.disabled} />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}
