/**
 * Calendar dates as a person types and reads them in the app's language, independent of the
 * browser's locale: English "2 Dec 2026", Japanese "2026年12月2日" (year, month, day).
 * Values stay "YYYY-MM-DD" (what the contract carries). Pure functions, unit-tested.
 */
import type { Language } from '../../preload/contract';

const MONTHS_EN = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTHS_EN_DISPLAY = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number) => String(n).padStart(2, '0');

/** "YYYY-MM-DD" when year, month and day make a real calendar day (no 30 February), else null. */
export function isoFromParts(year: number, month: number, day: number): string | null {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return null;
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return null;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > days) return null;
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** [year, month, day] of a "YYYY-MM-DD" that is a real day, else null. */
export function isoParts(iso: string): [number, number, number] | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) return null;
  const parts: [number, number, number] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return isoFromParts(...parts) ? parts : null;
}

function monthFromWord(word: string): number | null {
  const w = word.toLowerCase().replace(/\.$/, '');
  if (w.length < 3) return null;
  // "december", "dec", "sept" are fine; "decx" is not
  const index = MONTHS_EN.findIndex((m) => m.startsWith(w));
  return index < 0 ? null : index + 1;
}

export type DateParse = { ok: true; iso: string } | { ok: false; problem: 'empty' | 'format' | 'ambiguous' | 'no_such_day' };

/**
 * What a person typed, read in the language's order. Both languages take the year first
 * ("2026-12-02", "2026/12/2", "2026年12月2日", "20261202"); English also takes the month as a word in
 * either order ("2 Dec 2026", "December 2, 2026"). An all-number English date with the year last
 * ("02/12/2026") is refused as ambiguous: day and month come in different orders in English.
 * Full-width digits and spaces are accepted (NFKC).
 */
export function parseTypedDate(text: string, lang: Language): DateParse {
  const s = text.normalize('NFKC').trim().replace(/\s+/g, ' ');
  if (s === '') return { ok: false, problem: 'empty' };
  const result = (year: number, month: number, day: number): DateParse => {
    const iso = isoFromParts(year, month, day);
    return iso ? { ok: true, iso } : { ok: false, problem: 'no_such_day' };
  };
  let m = /^(\d{4}) ?[-/.年] ?(\d{1,2}) ?[-/.月] ?(\d{1,2}) ?日?$/.exec(s);
  if (m) return result(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) return result(Number(m[1]), Number(m[2]), Number(m[3]));
  if (lang === 'en') {
    m = /^(\d{1,2})(?:st|nd|rd|th)?[ \-/.]([A-Za-z]+\.?)[ \-/.,]+(\d{4})$/.exec(s);
    if (m) {
      const month = monthFromWord(m[2]);
      return month ? result(Number(m[3]), month, Number(m[1])) : { ok: false, problem: 'format' };
    }
    m = /^([A-Za-z]+\.?) (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$/.exec(s);
    if (m) {
      const month = monthFromWord(m[1]);
      return month ? result(Number(m[3]), month, Number(m[2])) : { ok: false, problem: 'format' };
    }
  }
  if (/^\d{1,2} ?[-/.] ?\d{1,2} ?[-/.] ?\d{4}$/.test(s)) return { ok: false, problem: 'ambiguous' };
  return { ok: false, problem: 'format' };
}

/** "2026-12-02" shown as the field shows it: en "2 Dec 2026", ja "2026年12月2日". */
export function formatTypedDate(iso: string, lang: Language): string {
  const parts = isoParts(iso);
  if (!parts) return iso;
  const [year, month, day] = parts;
  return lang === 'ja' ? `${year}年${month}月${day}日` : `${day} ${MONTHS_EN_DISPLAY[month - 1]} ${year}`;
}

/** A "YYYY-MM-DD" as a local Date at noon (a calendar day that no time zone shift moves). */
export function isoToLocalDate(iso: string): Date | undefined {
  const parts = isoParts(iso);
  return parts ? new Date(parts[0], parts[1] - 1, parts[2], 12) : undefined;
}

/** A local Date's calendar day as "YYYY-MM-DD". */
export function localDateToIso(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
