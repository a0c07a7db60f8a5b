/**
 * What the audit hash chain proves and what it does not (docs/SECURITY.md): it catches accidental
 * damage, truncation against the recorded head, and edits by someone who does not recompute hashes;
 * it does NOT stop someone who can write the files and recomputes the chain and its head (there is
 * no key). If this last test ever fails, the chain became keyed or anchored outside the files:
 * update docs/SECURITY.md.
 */
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, hashAuditEntry, verifyChain } from '../../main/core/audit';
import type { AuditRecord } from '../../main/core/data';
import { LOG_PROBLEM_CODES } from '../../main/store/segmented-log';
import { AUDIT_CHAIN_PROBLEMS } from '../../preload/contract';
import { translate } from '../../renderer/i18n/translate';

type AuditHead = { seq: number; hash: string };

function chain(summaries: string[]): AuditRecord[] {
  const entries: AuditRecord[] = [];
  let prevHash = GENESIS_HASH;
  summaries.forEach((summary, i) => {
    const fields = { seq: i + 1, at: `2026-12-01T10:0${i}:00.000Z`, actor: null, action: 'charges.create', outcome: 'ok' as const, customerId: 'cus_1', summary, details: {}, prevHash };
    const entry = { ...fields, hash: hashAuditEntry(fields) };
    entries.push(entry);
    prevHash = entry.hash;
  });
  return entries;
}
const headOf = (entries: AuditRecord[]): AuditHead => ({ seq: entries.length, hash: entries[entries.length - 1].hash });

describe('what the audit chain proves', () => {
  it('detects an edit whose hashes were not recomputed, and truncation against the head', () => {
    const entries = chain(['charge ¥1,000', 'charge ¥2,000', 'charge ¥3,000']);
    const edited = entries.map((e) => (e.seq === 2 ? { ...e, summary: 'charge ¥20' } : e));
    expect(verifyChain(edited, headOf(entries))).toMatchObject({ ok: false, brokenAtSeq: 2 });
    expect(verifyChain(entries.slice(0, 2), headOf(entries))).toMatchObject({ ok: false, brokenAtSeq: 3, code: 'entries_missing', params: { last: 2, head: 3, from: 3 } });
  });

  it('says each break in both languages: every code the log can find has its text, with the same placeholders as its params', () => {
    expect([...LOG_PROBLEM_CODES].sort()).toEqual([...AUDIT_CHAIN_PROBLEMS].sort());
    const entries = chain(['charge ¥1,000', 'charge ¥2,000', 'charge ¥3,000']);
    const found = [
      verifyChain(entries.map((e) => (e.seq === 2 ? { ...e, summary: 'charge ¥20' } : e))),
      verifyChain(entries.slice(0, 2), headOf(entries)),
      verifyChain([entries[0], entries[2]]),
      verifyChain([entries[0], entries[1], entries[1]]),
      verifyChain([entries[0], { ...entries[1], prevHash: GENESIS_HASH }]),
      verifyChain(entries, { seq: 2, hash: entries[0].hash }),
    ];
    expect(found.map((f) => f.code)).toEqual(['entry_changed', 'entries_missing', 'entry_moved', 'entries_reordered', 'link_broken', 'log_replaced']);
    for (const status of found) {
      for (const lang of ['en', 'ja'] as const) {
        const text = translate(lang, `auditProblem.${status.code!}`, status.params);
        expect(text).not.toMatch(/\{\w+\}/); // every placeholder filled
        expect(text).toContain(String(status.brokenAtSeq));
      }
    }
    expect(translate('ja', 'auditProblem.entry_changed', { seq: 2 })).toBe('#2 の記録は書き込み後に変更されています（ハッシュ値が内容と一致しません）。');
  });

  it('does NOT detect a rewrite by someone who recomputes every hash and the head (no key)', () => {
    const original = chain(['charge ¥1,000', 'charge ¥2,000', 'charge ¥3,000']);
    const forged = chain(['charge ¥1,000', 'charge ¥20', 'charge ¥3,000']);
    expect(verifyChain(forged, headOf(forged))).toEqual({ ok: true, entries: 3, brokenAtSeq: null, problem: null, code: null, params: {} });
    expect(forged[1].hash).not.toBe(original[1].hash); // only a head kept outside the files would tell
    expect(verifyChain(forged, headOf(original)).ok).toBe(false);
  });
});
