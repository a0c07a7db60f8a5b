/**
 * Money, date and time formatting for the UI, and parsing of typed amounts into integer minor units.
 * Pure functions (no React), so they are unit-tested directly.
 */
import { ZERO_DECIMAL_CURRENCIES, type Currency, type Language } from '../../preload/contract';

/** The Intl locale used for each UI / document language. */
export const LOCALES: Record<Language, string> = { en: 'en-US', ja: 'ja-JP' };

/** Same ceiling as the contract's MinorAmount. */
export const MAX_MINOR_AMOUNT = 99_999_999;

/** How many decimals the currency's major unit has (JPY: 0, EUR: 2). */
export function currencyExponent(currency: Currency): number {
  return ZERO_DECIMAL_CURRENCIES.includes(currency) ? 0 : 2;
}

/** 1234 with exponent 2 → "12.34"; built from digits so no float rounding can creep in. */
export function minorToDecimalString(minor: number, exponent: number): string {
  const negative = minor < 0;
  const digits = String(Math.abs(Math.trunc(minor))).padStart(exponent + 1, '0');
  const text = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  return negative ? `-${text}` : text;
}

/** A minor amount as a plain major-unit string to prefill an input ("12.34", "1500"). */
export function amountForInput(minor: number, currency: Currency): string {
  return minorToDecimalString(minor, currencyExponent(currency));
}

/** formatMoney(1500, 'jpy', 'ja') → "￥1,500"; formatMoney(1500, 'eur', 'en') → "€15.00". */
export function formatMoney(minor: number, currency: Currency, lang: Language): string {
  const exponent = currencyExponent(currency);
  const format = new Intl.NumberFormat(LOCALES[lang], {
    style: 'currency',
    currency: currency.toUpperCase(),
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  // A decimal string keeps the exact value (Intl formats numeric strings without converting to float).
  return format.format(minorToDecimalString(minor, exponent) as Intl.StringNumericLiteral);
}

export type MoneyInputProblem = 'empty' | 'format' | 'too_many_decimals' | 'zero' | 'too_large';
export type ParsedMoney = { ok: true; minor: number } | { ok: false; problem: MoneyInputProblem };

const AMOUNT_PATTERN = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/;

/**
 * Parses what a person typed in major units into integer minor units, without floats:
 * "12.34" EUR → 1234, "1,500" JPY → 1500, "12.345" EUR → too_many_decimals.
 * Full-width digits, a currency sign and a trailing 円 are tolerated.
 */
export function parseMoneyInput(text: string, currency: Currency): ParsedMoney {
  const cleaned = text
    .normalize('NFKC')
    .trim()
    .replace(/^[¥$€£]\s*/, '')
    .replace(/\s*円$/, '')
    .trim();
  if (cleaned === '') return { ok: false, problem: 'empty' };
  const match = AMOUNT_PATTERN.exec(cleaned);
  if (!match) return { ok: false, problem: 'format' };
  const exponent = currencyExponent(currency);
  const whole = match[1].replace(/,/g, '');
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) return { ok: false, problem: 'too_many_decimals' };
  const digits = (whole + fraction.padEnd(exponent, '0')).replace(/^0+(?=\d)/, '');
  if (digits.length > String(MAX_MINOR_AMOUNT).length) return { ok: false, problem: 'too_large' };
  const minor = Number(digits);
  if (minor === 0) return { ok: false, problem: 'zero' };
  if (minor > MAX_MINOR_AMOUNT) return { ok: false, problem: 'too_large' };
  return { ok: true, minor };
}

/** Date and time of an ISO instant in the viewer's time zone (or the one given). */
export function formatDateTime(iso: string, lang: Language, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'medium', timeStyle: 'medium', ...(timeZone ? { timeZone } : {}) }).format(date);
  } catch {
    // an unknown time zone name: fall back to the viewer's
    return new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
  }
}

/** A calendar date "2026-12-31" shown as a date, never shifted by time zones. */
export function formatDate(isoDate: string, lang: Language): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) return isoDate;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'long', timeZone: 'UTC' }).format(date);
}

/** Today's local calendar date as "YYYY-MM-DD". */
export function todayIsoDate(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Start (00:00:00.000) or end (23:59:59.999) of a local calendar date, as an ISO instant. */
export function localDayBoundary(isoDate: string, edge: 'start' | 'end'): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const date = edge === 'start' ? new Date(y, m, d, 0, 0, 0, 0) : new Date(y, m, d, 23, 59, 59, 999);
  return date.toISOString();
}

/** Splits a remaining duration for a countdown; never negative. */
export function splitDuration(ms: number): { days: number; hours: number; minutes: number; seconds: number } {
  const total = Math.max(0, Math.floor(ms / 1000));
  return { days: Math.floor(total / 86_400), hours: Math.floor((total % 86_400) / 3600), minutes: Math.floor((total % 3600) / 60), seconds: total % 60 };
}

/** "1:02:05", "2:05", or with days "3 d 1:02:05" (the day unit comes from the caller's dictionary). */
export function formatCountdown(ms: number, dayUnit: (days: number) => string): string {
  const { days, hours, minutes, seconds } = splitDuration(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = days > 0 || hours > 0 ? `${hours}:${pad(minutes)}:${pad(seconds)}` : `${minutes}:${pad(seconds)}`;
  return days > 0 ? `${dayUnit(days)} ${clock}` : clock;
}

/** The viewer's IANA time zone, e.g. "Asia/Tokyo". */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
