import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ChargeStatus, type ConsentStatus, type Mode, type RefundView, type Role, type SetupStatus, type SubscriptionView } from '../../preload/contract';
import { en, type MessageKey } from '../../renderer/i18n/en';
import { ja } from '../../renderer/i18n/ja';
import { DICTIONARIES, interpolate, placeholdersOf, translate } from '../../renderer/i18n/translate';

/** An array that must list every member of the union T (checked by tsc). */
const every =
  <T extends string>() =>
  <A extends T[]>(...values: A & ([T] extends [A[number]] ? unknown : ['missing a member'])) =>
    values;

const enKeys = Object.keys(en).sort();
const jaKeys = Object.keys(ja).sort();

describe('dictionaries', () => {
  it('ja has exactly the keys of en', () => {
    expect(jaKeys.filter((k) => !(k in en))).toEqual([]);
    expect(enKeys.filter((k) => !(k in ja))).toEqual([]);
    expect(jaKeys).toEqual(enKeys);
  });

  it('has no empty or untranslated-looking messages', () => {
    for (const lang of ['en', 'ja'] as const) {
      for (const [key, text] of Object.entries(DICTIONARIES[lang])) {
        expect(text.trim(), `${lang}:${key}`).not.toBe('');
        expect(text, `${lang}:${key}`).not.toBe(key);
      }
    }
  });

  it('uses the same placeholders in both languages', () => {
    const mismatched = enKeys.filter((key) => placeholdersOf(en[key as MessageKey]).join() !== placeholdersOf(ja[key as MessageKey]).join());
    expect(mismatched).toEqual([]);
  });

  it('Japanese messages are actually Japanese where they are sentences', () => {
    // Sentences (with spaces, longer than a word) must contain kana or kanji, not be left in English.
    const untranslated = enKeys.filter((key) => {
      const text = ja[key as MessageKey];
      const words = en[key as MessageKey].replace(/\{\w+\}/g, '').split(/\s+/).filter((w) => /[a-z]{2}/i.test(w));
      return words.length > 3 && !/[\u3040-\u30ff\u4e00-\u9faf]/.test(text);
    });
    expect(untranslated).toEqual([]);
  });

  it('has a translated message for every contract error code', () => {
    for (const code of ERROR_CODES) {
      expect(en).toHaveProperty(`error.${code}`);
      expect(ja).toHaveProperty(`error.${code}`);
      expect(translate('ja', `error.${code}`)).not.toBe(translate('en', `error.${code}`));
    }
  });

  it('has a label for every status, role, mode and reason the UI shows', () => {
    const groups: Array<[string, string[]]> = [
      ['chargeStatus', every<ChargeStatus>()('pending', 'processing', 'succeeded', 'declined', 'unavailable', 'action_required', 'failed')],
      ['charge.outcome', every<ChargeStatus>()('pending', 'processing', 'succeeded', 'declined', 'unavailable', 'action_required', 'failed')],
      ['setupStatus', every<SetupStatus>()('open', 'succeeded', 'failed', 'expired', 'canceled')],
      ['consentStatus', every<ConsentStatus>()('active', 'withdrawn', 'expired', 'not_started')],
      ['mode', every<Mode>()('training', 'test', 'live')],
      ['role', every<Role>()('staff', 'manager')],
      ['refundReason', every<RefundView['reason']>()('requested_by_customer', 'duplicate', 'fraudulent')],
      ['refundStatus', every<RefundView['status']>()('pending', 'processing', 'succeeded', 'failed')],
      ['subscriptionStatus', every<SubscriptionView['status']>()('incomplete', 'active', 'past_due', 'canceled', 'unpaid', 'trialing', 'incomplete_expired', 'paused')],
      ['interval', ['day', 'week', 'month', 'year']],
      ['interval.every', ['day', 'week', 'month', 'year']],
      ['interval.everyN', ['day', 'week', 'month', 'year']],
      ['frequency', ['one_off', 'recurring', 'as_needed']],
      ['amountRule', ['fixed', 'up_to_max', 'per_usage']],
      ['mandate.default.timing', ['one_off', 'recurring', 'as_needed']],
      ['validation.money', ['empty', 'format', 'zero', 'too_large', 'noDecimals', 'tooManyDecimals']],
    ];
    const missing = groups.flatMap(([prefix, values]) => values.map((v) => `${prefix}.${v}`)).filter((key) => !(key in en));
    expect(missing).toEqual([]);
  });

  it('every literal key used in the renderer exists', () => {
    const root = join(__dirname, '../../renderer');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.tsx?$/.test(name) && !path.includes(`${join('renderer', 'i18n')}`)) files.push(path);
      }
    };
    walk(root);
    const used = new Set<string>();
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(/\b[tr]\(\s*'([a-zA-Z0-9_.]+)'/g)) used.add(m[1]);
      for (const m of source.matchAll(/\bkey: '([a-zA-Z0-9_.]+)'/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(200);
    expect([...used].filter((key) => !(key in en))).toEqual([]);
  });
});

describe('interpolation', () => {
  it('replaces placeholders and keeps unknown ones visible', () => {
    expect(interpolate('Hello {name}, {count} new', { name: 'Aiko', count: 3 })).toBe('Hello Aiko, 3 new');
    expect(interpolate('Hello {name}', {})).toBe('Hello {name}');
    expect(interpolate('{a}{a}', { a: 'x' })).toBe('xx');
  });

  it('translates with variables in each language', () => {
    expect(translate('en', 'staff.added', { name: 'Ken' })).toBe('Ken was added.');
    expect(translate('ja', 'staff.added', { name: 'Ken' })).toBe('Kenを追加しました。');
    expect(translate('ja', 'mode.training')).toBe('トレーニング');
    expect(translate('en', 'mode.training')).toBe('TRAINING');
  });

  it('lists placeholders sorted', () => {
    expect(placeholdersOf('{b} and {a} and {b}')).toEqual(['a', 'b', 'b']);
  });
});
