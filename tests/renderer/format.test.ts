import { describe, expect, it } from 'vitest';
import {
  amountForInput,
  currencyExponent,
  formatCountdown,
  formatDate,
  formatDateTime,
  formatMoney,
  localDayBoundary,
  minorToDecimalString,
  parseMoneyInput,
  splitDuration,
  todayIsoDate,
} from '../../renderer/i18n/format';

describe('formatMoney', () => {
  it('uses the currency’s own exponent', () => {
    expect(formatMoney(1500, 'jpy', 'ja')).toBe('￥1,500');
    expect(formatMoney(1500, 'jpy', 'en')).toBe('¥1,500');
    expect(formatMoney(1500, 'eur', 'en')).toBe('€15.00');
    expect(formatMoney(1234, 'eur', 'ja')).toBe('€12.34');
    expect(formatMoney(5, 'usd', 'en')).toBe('$0.05');
    expect(formatMoney(99_999_999, 'usd', 'en')).toBe('$999,999.99');
    expect(formatMoney(1999, 'gbp', 'en')).toBe('£19.99');
  });

  it('builds decimal strings from digits only', () => {
    expect(minorToDecimalString(1234, 2)).toBe('12.34');
    expect(minorToDecimalString(5, 2)).toBe('0.05');
    expect(minorToDecimalString(1500, 0)).toBe('1500');
    expect(minorToDecimalString(-250, 2)).toBe('-2.50');
    expect(currencyExponent('jpy')).toBe(0);
    expect(currencyExponent('chf')).toBe(2);
  });
});

describe('parseMoneyInput', () => {
  const ok = (minor: number) => ({ ok: true, minor });
  const bad = (problem: string) => ({ ok: false, problem });

  it('turns typed major units into integer minor units without float errors', () => {
    expect(parseMoneyInput('12.34', 'eur')).toEqual(ok(1234));
    expect(parseMoneyInput('19.99', 'eur')).toEqual(ok(1999)); // 19.99 * 100 = 1998.9999… as a float
    expect(parseMoneyInput('0.29', 'usd')).toEqual(ok(29)); // 0.29 * 100 = 28.999… as a float
    expect(parseMoneyInput('1,500', 'jpy')).toEqual(ok(1500));
    expect(parseMoneyInput('1500', 'jpy')).toEqual(ok(1500));
    expect(parseMoneyInput('12', 'eur')).toEqual(ok(1200));
    expect(parseMoneyInput('12.3', 'eur')).toEqual(ok(1230));
    expect(parseMoneyInput('0.1', 'eur')).toEqual(ok(10));
    expect(parseMoneyInput('00012.30', 'eur')).toEqual(ok(1230));
    expect(parseMoneyInput('999,999.99', 'usd')).toEqual(ok(99_999_999));
    expect(parseMoneyInput('1,234.56', 'usd')).toEqual(ok(123456));
  });

  it('tolerates full-width digits, a currency sign, 円 and spaces', () => {
    expect(parseMoneyInput('１，５００', 'jpy')).toEqual(ok(1500));
    expect(parseMoneyInput('￥1,500', 'jpy')).toEqual(ok(1500));
    expect(parseMoneyInput('1500円', 'jpy')).toEqual(ok(1500));
    expect(parseMoneyInput('€ 15.00', 'eur')).toEqual(ok(1500));
    expect(parseMoneyInput('  7.5 ', 'eur')).toEqual(ok(750));
  });

  it('rejects more decimals than the currency has', () => {
    expect(parseMoneyInput('12.345', 'eur')).toEqual(bad('too_many_decimals'));
    expect(parseMoneyInput('1500.5', 'jpy')).toEqual(bad('too_many_decimals'));
    expect(parseMoneyInput('1500.0', 'jpy')).toEqual(bad('too_many_decimals'));
  });

  it('rejects malformed, zero, negative and too large amounts', () => {
    expect(parseMoneyInput('', 'eur')).toEqual(bad('empty'));
    expect(parseMoneyInput('   ', 'eur')).toEqual(bad('empty'));
    expect(parseMoneyInput('abc', 'eur')).toEqual(bad('format'));
    expect(parseMoneyInput('1,50', 'eur')).toEqual(bad('format'));
    expect(parseMoneyInput('12.', 'eur')).toEqual(bad('format'));
    expect(parseMoneyInput('.5', 'eur')).toEqual(bad('format'));
    expect(parseMoneyInput('-5', 'eur')).toEqual(bad('format'));
    expect(parseMoneyInput('1e3', 'eur')).toEqual(bad('format'));
    expect(parseMoneyInput('0', 'jpy')).toEqual(bad('zero'));
    expect(parseMoneyInput('0.00', 'eur')).toEqual(bad('zero'));
    expect(parseMoneyInput('1,000,000', 'usd')).toEqual(bad('too_large'));
    expect(parseMoneyInput('100000000', 'jpy')).toEqual(bad('too_large'));
    expect(parseMoneyInput('99999999999999999999', 'jpy')).toEqual(bad('too_large'));
  });

  it('round-trips every amount it formats for input', () => {
    for (let minor = 1; minor < 50_000; minor += 37) {
      expect(parseMoneyInput(amountForInput(minor, 'eur'), 'eur')).toEqual(ok(minor));
      expect(parseMoneyInput(amountForInput(minor, 'jpy'), 'jpy')).toEqual(ok(minor));
    }
  });
});

describe('dates and times', () => {
  it('formats an instant in a given time zone', () => {
    expect(formatDateTime('2026-01-01T00:00:00Z', 'en', 'Asia/Tokyo')).toBe('Jan 1, 2026, 9:00:00 AM');
    expect(formatDateTime('2026-01-01T00:00:00Z', 'ja', 'Asia/Tokyo')).toBe('2026/01/01 9:00:00');
    expect(formatDateTime('not a date', 'en')).toBe('not a date');
    // an unknown zone falls back rather than throwing
    expect(formatDateTime('2026-01-01T00:00:00Z', 'en', 'Mars/Olympus')).toMatch(/2026|2025/);
  });

  it('formats a calendar date without shifting it', () => {
    expect(formatDate('2026-12-31', 'en')).toBe('December 31, 2026');
    expect(formatDate('2026-12-31', 'ja')).toBe('2026年12月31日');
    expect(formatDate('31/12/2026', 'en')).toBe('31/12/2026');
  });

  it('gives today as a local calendar date and local day boundaries', () => {
    expect(todayIsoDate(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
    const start = new Date(localDayBoundary('2026-03-10', 'start')!);
    const end = new Date(localDayBoundary('2026-03-10', 'end')!);
    expect([start.getFullYear(), start.getMonth(), start.getDate(), start.getHours()]).toEqual([2026, 2, 10, 0]);
    expect([end.getDate(), end.getHours(), end.getMinutes(), end.getSeconds()]).toEqual([10, 23, 59, 59]);
    expect(localDayBoundary('nope', 'start')).toBeNull();
  });

  it('splits a countdown and never goes negative', () => {
    expect(splitDuration(3_725_000)).toEqual({ days: 0, hours: 1, minutes: 2, seconds: 5 });
    expect(splitDuration(59_999)).toEqual({ days: 0, hours: 0, minutes: 0, seconds: 59 });
    expect(splitDuration(-5000)).toEqual({ days: 0, hours: 0, minutes: 0, seconds: 0 });
    expect(splitDuration(2 * 86_400_000 + 61_000)).toEqual({ days: 2, hours: 0, minutes: 1, seconds: 1 });
    const unit = (d: number) => `${d} d`;
    expect(formatCountdown(125_000, unit)).toBe('2:05');
    expect(formatCountdown(3_725_000, unit)).toBe('1:02:05');
    expect(formatCountdown(86_400_000 * 31 + 5_000, unit)).toBe('31 d 0:00:05');
  });
});
