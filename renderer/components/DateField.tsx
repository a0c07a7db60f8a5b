/**
 * A calendar date typed or picked in the app's language, whatever the browser's locale:
 * a text field read in the language's order ("2 Dec 2026" / "2026年12月2日") and a button that opens a
 * month calendar (react-day-picker, with date-fns' enGB / ja locales). The value is "YYYY-MM-DD",
 * "" when empty, or INVALID_DATE while the text is not a day (so a form's own check refuses it).
 */
import { useEffect, useId, useRef, useState } from 'react';
import { DayPicker } from 'react-day-picker';
import { enGB, ja } from 'react-day-picker/locale';
import 'react-day-picker/style.css';
import type { Language } from '../../preload/contract';
import { useLanguage, useT } from '../i18n/I18nProvider';
import { formatTypedDate, isoParts, isoToLocalDate, localDateToIso, parseTypedDate } from '../lib/dates';

/** What the field reports while its text is not a calendar day. */
export const INVALID_DATE = 'invalid-date';

const LOCALE = { en: enGB, ja } as const;

function textOf(value: string, lang: Language): string {
  return isoParts(value) ? formatTypedDate(value, lang) : '';
}

export function DateField(props: {
  label: string;
  value: string;
  onChange(value: string): void;
  error?: string;
  hint?: string;
  required?: boolean;
  /** Earliest day the calendar offers ("YYYY-MM-DD"). */
  min?: string;
  className?: string;
}) {
  const t = useT();
  const { lang } = useLanguage();
  const id = useId();
  const [text, setText] = useState(() => textOf(props.value, lang));
  const [shown, setShown] = useState({ value: props.value, lang });
  const [open, setOpen] = useState(false);
  const [touched, setTouched] = useState(false);
  const wrapper = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const input = useRef<HTMLInputElement>(null);

  // the value set from outside (a reset, a preset) or the language switched: show it anew
  if (shown.value !== props.value) {
    setShown({ value: props.value, lang });
    if (props.value !== INVALID_DATE) setText(textOf(props.value, lang));
  } else if (shown.lang !== lang) {
    setShown({ value: props.value, lang });
    if (isoParts(props.value)) setText(formatTypedDate(props.value, lang));
  }

  useEffect(() => {
    if (!open) return;
    const onPointer = (e: PointerEvent) => {
      if (wrapper.current && !wrapper.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  const typed = (next: string) => {
    setText(next);
    const parsed = parseTypedDate(next, lang);
    const value = parsed.ok ? parsed.iso : parsed.problem === 'empty' ? '' : INVALID_DATE;
    setShown({ value, lang });
    props.onChange(value);
  };
  const parsed = parseTypedDate(text, lang);
  const ownError = touched && !parsed.ok && parsed.problem !== 'empty' ? t(`date.problem.${parsed.problem}`, { example: formatTypedDate('2026-12-02', lang) }) : undefined;
  const error = props.error ?? ownError;
  // sentences join with a space in English, with none in Japanese
  const hint = [t('date.hint', { example: formatTypedDate('2026-12-02', lang) }), props.hint].filter(Boolean).join(lang === 'ja' ? '　' : ' · ');
  const selected = isoToLocalDate(props.value);
  const min = props.min ? isoToLocalDate(props.min) : undefined;

  const pick = (date: Date | undefined) => {
    if (!date) return;
    const iso = localDateToIso(date);
    setText(formatTypedDate(iso, lang));
    setShown({ value: iso, lang });
    setTouched(false);
    props.onChange(iso);
    setOpen(false);
    input.current?.focus();
  };

  return (
    <div className={`field date-field ${props.className ?? ''}`} ref={wrapper}>
      <label htmlFor={id}>{props.label}</label>
      <div className="input-row">
        <input
          ref={input}
          id={id}
          type="text"
          lang={lang}
          value={text}
          onChange={(e) => typed(e.target.value)}
          onBlur={() => {
            setTouched(true);
            // tidy what was typed into the field's own spelling
            if (parsed.ok) setText(formatTypedDate(parsed.iso, lang));
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={[`${id}-hint`, error ? `${id}-error` : null].filter(Boolean).join(' ')}
          aria-required={props.required || undefined}
          autoComplete="off"
          spellCheck={false}
        />
        <button
          ref={button}
          type="button"
          className="date-field-button"
          aria-label={t('date.openCalendar', { label: props.label })}
          aria-haspopup="dialog"
          aria-expanded={open}
          onClick={() => setOpen((o) => !o)}
        >
          <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
            <rect x="3" y="5" width="18" height="16" rx="2" />
            <path d="M3 10h18M8 3v4M16 3v4" />
          </svg>
        </button>
        {open && (
          <div
            className="date-field-popover"
            role="dialog"
            aria-label={t('date.calendarOf', { label: props.label })}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.stopPropagation();
                setOpen(false);
                button.current?.focus();
              }
            }}
          >
            <DayPicker
              mode="single"
              selected={selected}
              onSelect={pick}
              defaultMonth={selected ?? min}
              locale={LOCALE[lang]}
              lang={lang}
              captionLayout="dropdown"
              startMonth={new Date(2000, 0)}
              endMonth={new Date(new Date().getFullYear() + 10, 11)}
              disabled={min ? { before: min } : undefined}
              autoFocus
            />
          </div>
        )}
      </div>
      <p className="hint" id={`${id}-hint`}>
        {hint}
      </p>
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
