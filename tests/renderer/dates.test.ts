import { describe, expect, it } from 'vitest';
import { formatTypedDate, parseTypedDate } from '../../renderer/lib/dates';

describe('dates typed in the app language', () => {
  it('reads Japanese year-month-day, full-width digits too', () => {
    for (const text of ['2026年12月2日', '２０２６年１２月２日', '2026/12/2', '2026-12-02', '2026.12.02', '20261202', ' 2026 年 12 月 2 日 ']) {
      expect(parseTypedDate(text, 'ja')).toEqual({ ok: true, iso: '2026-12-02' });
    }
  });
  it('reads English with the month as a word, either order', () => {
    for (const text of ['2 Dec 2026', '2 December 2026', '02-dec-2026', 'Dec 2, 2026', 'December 2nd 2026', '2026-12-02', '2026/12/2']) {
      expect(parseTypedDate(text, 'en')).toEqual({ ok: true, iso: '2026-12-02' });
    }
    expect(parseTypedDate('5 Sept 2026', 'en')).toEqual({ ok: true, iso: '2026-09-05' });
  });
  it('refuses what it cannot read for sure', () => {
    expect(parseTypedDate('02/12/2026', 'en')).toEqual({ ok: false, problem: 'ambiguous' });
    expect(parseTypedDate('02/12/2026', 'ja')).toEqual({ ok: false, problem: 'ambiguous' });
    expect(parseTypedDate('2026年2月30日', 'ja')).toEqual({ ok: false, problem: 'no_such_day' });
    expect(parseTypedDate('2 Decx 2026', 'en')).toEqual({ ok: false, problem: 'format' });
    expect(parseTypedDate('2 Dec 2026', 'ja')).toEqual({ ok: false, problem: 'format' });
    expect(parseTypedDate('', 'en')).toEqual({ ok: false, problem: 'empty' });
    expect(parseTypedDate('2026-13-01', 'en')).toEqual({ ok: false, problem: 'no_such_day' });
  });
  it('shows a day in the language, and reads back what it shows', () => {
    expect(formatTypedDate('2026-12-02', 'en')).toBe('2 Dec 2026');
    expect(formatTypedDate('2026-12-02', 'ja')).toBe('2026年12月2日');
    for (const lang of ['en', 'ja'] as const) expect(parseTypedDate(formatTypedDate('2028-02-29', lang), lang)).toEqual({ ok: true, iso: '2028-02-29' });
  });
});
