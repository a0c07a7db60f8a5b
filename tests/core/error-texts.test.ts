/**
 * Every detail main writes into an AppError has Japanese text (main/core/error-texts.ts): the test
 * reads each `new AppError(code, message)` and `refuse(code, message)` in main's source, fills the
 * `${…}` parts with sample values, and asks for the Japanese.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorDetail } from '../../main/core/error-texts';
import { AppError } from '../../main/core/errors';

const ROOT = join(import.meta.dirname, '..', '..');

function sources(): Array<{ file: string; text: string }> {
  const files: string[] = [];
  for (const dir of ['main', 'main/core']) for (const name of readdirSync(join(ROOT, dir))) if (name.endsWith('.ts')) files.push(join(dir, name));
  return files.map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') }));
}

/** Sample text for a `${…}` part: a number where the code reads like one, else a word-like id. */
function sample(expression: string): string {
  if (/length|Entries|counts|\+ 1/.test(expression)) return '3';
  if (/status/.test(expression)) return 'open';
  if (/money|amount|remaining/i.test(expression)) return '€42.50';
  if (/slice\(0, 10\)|Date|until/.test(expression)) return '2026-12-02';
  if (/currency|toUpperCase/.test(expression)) return 'EUR';
  if (/frequency/.test(expression)) return 'as-needed';
  if (/what|list/.test(expression)) return 'charge';
  return 'abc_123';
}

/** The literal messages (with `${…}` filled) of every AppError and refusal in main. */
function messages(): Array<{ where: string; message: string }> {
  const out: Array<{ where: string; message: string }> = [];
  const call = /(?:new AppError|refuse)\(\s*'(\w+)',\s*(`(?:[^`\\]|\\.)*`|'(?:[^'\\]|\\.)*')/g;
  for (const { file, text } of sources()) {
    for (const match of text.matchAll(call)) {
      const literal = match[2].slice(1, -1);
      // a nested template (`${x ? ` (${y})` : ''}`) is left out with its condition
      const flat = literal.replace(/\$\{[^{}]*\?\s*`[^`]*`\s*:\s*''\s*\}/g, '').replace(/\$\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}/g, (_, expr: string) => sample(expr));
      out.push({ where: `${file}: ${match[1]}`, message: flat.replace(/\\'/g, "'") });
    }
  }
  return out;
}

describe('main error details in Japanese', () => {
  it('finds the messages it checks', () => {
    expect(messages().length).toBeGreaterThan(60);
  });

  /** Messages built from parts the scan cannot read whole (nested templates, concatenation, a prefix kept in a variable), written out. */
  const BUILT = [
    'charges.create WAS carried out (ch_123), but the audit log could not record it. Do not repeat it. The app takes no further changes until the audit log can be written again.',
    'charges.create WAS carried out, but the audit log could not record it. Do not repeat it. The app takes no further changes until the audit log can be written again.',
    'The shop file /data/training/shop.json is damaged and none of its backups could be read. It was kept aside at /data/training/shop.json.unreadable-1. Nothing was overwritten. A manager can put back a good copy of shop.json (or one of its .backup-N files) and start again.',
    'Alice Example already has an Amazon Pay setup waiting for the customer (setup_1, started 2026-12-02T03:00:00.000Z). Open it from the customer page to resume, show the link again or cancel it; no new consent is needed.',
    'The withdrawal is recorded and no charge can be made under this consent, but 1 payment method(s) still to detach and 0 subscription(s) still to cancel at Stripe. Stripe could not be reached: withdraw again when the connection is back to finish.',
    'The withdrawal is recorded and no charge can be made under this consent, but 1 payment method(s) still to detach and 0 subscription(s) still to cancel at Stripe. Stripe said: No such payment method.',
  ];
  const readWhole = (message: string) => !message.includes('${') && !message.endsWith(' ') && !message.startsWith('abc_123 ');

  it('has Japanese text for every message main writes', () => {
    const missing = messages().filter(({ message }) => readWhole(message) && !errorDetail(message, 'ja'));
    expect(missing).toEqual([]);
    expect(BUILT.filter((message) => !errorDetail(message, 'ja'))).toEqual([]);
    // the scan reads whole all but the built ones
    expect(messages().filter(({ message }) => !readWhole(message)).length).toBeLessThanOrEqual(BUILT.length);
  });

  it('carries the specifics over, and the Japanese goes out with the error', () => {
    expect(errorDetail('There is no customer with id cus_local_42.', 'ja')).toBe('ID cus_local_42 の顧客は存在しません。');
    expect(errorDetail('This setup is expired; only an open setup can be opened again.', 'ja')).toBe('この登録は期限切れです。もう一度開けるのは受付中の登録だけです。');
    expect(errorDetail('Only €10.00 of this charge of €42.50 is left to refund; €20.00 is too much.', 'ja')).toBe('この €42.50 の請求で返金できるのは残り €10.00 です。€20.00 は多すぎます。');
    const sent = new AppError('conflict', 'A staff member named "Sam" already exists. Names must be unique.').toCallError();
    expect(sent.localized).toEqual({ en: sent.message, ja: '「Sam」という名前のスタッフはすでにいます。名前は重複できません。' });
  });

  it('keeps no Japanese for text it does not know (Stripe’s own words are never guessed)', () => {
    expect(errorDetail('Your card was declined.', 'ja')).toBeNull();
  });
});
