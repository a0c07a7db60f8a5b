import { describe, expect, it } from 'vitest';
import { AUDIT_ENTRY_MAX_BYTES, boundAuditDraft, digestPayload } from '../../main/core/audit-bounds';
import { createAuditWriter, REFUSALS_ACTION } from '../../main/core/audit-writer';
import type { AuditDraft } from '../../main/core/dispatch';
import { quietLogger } from '../helpers/core';

const draft = (overrides: Partial<AuditDraft> = {}): AuditDraft => ({ actor: null, action: 'settings.update', outcome: 'ok', customerId: null, summary: 'settings.update', details: {}, ...overrides });
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('boundAuditDraft', () => {
  it('caps every string and the whole entry, whatever the details hold', () => {
    const huge = 'x'.repeat(5_000_000);
    const bounded = boundAuditDraft(
      draft({
        action: huge,
        summary: huge,
        customerId: huge,
        actor: { id: huge, name: huge, role: 'manager', active: true, createdAt: huge },
        details: { huge, many: Array.from({ length: 10_000 }, (_, i) => `item ${i} ${'y'.repeat(300)}`), deep: nested(10_000), big: 12n, nan: Number.NaN, inf: -Infinity },
      }),
    );
    expect(bytes(bounded)).toBeLessThanOrEqual(AUDIT_ENTRY_MAX_BYTES);
    expect(bounded.action.length).toBeLessThan(120);
    expect(bounded.customerId!.length).toBeLessThan(160);
    expect(bounded.actor!.name.length).toBeLessThan(160);
    expect(JSON.parse(JSON.stringify(bounded))).toEqual(bounded);
  });

  it('keeps small details as they are, turning BigInt and NaN into text', () => {
    const bounded = boundAuditDraft(draft({ details: { input: { shopName: 'Kissa' }, n: 5n, nan: Number.NaN, list: [1, undefined] } }));
    expect(bounded.details).toEqual({ input: { shopName: 'Kissa' }, n: '5n', nan: 'NaN', list: [1, null] });
  });

  it('keeps a __proto__ key as data, never as a prototype', () => {
    const bounded = boundAuditDraft(draft({ details: JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown> }));
    expect(Object.getPrototypeOf(bounded.details)).toBe(Object.prototype);
    expect((bounded.details as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.stringify(bounded.details)).toBe('{"__proto__":{"polluted":true}}');
  });

  it('replaces details that cannot fit even when cut by their digest', () => {
    const details = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, Object.fromEntries(Array.from({ length: 12 }, (_, j) => [`j${j}`, 'z'.repeat(120)]))]));
    const bounded = boundAuditDraft(draft({ details }));
    expect(bounded.details).toMatchObject({ truncated: true, original: { sha256: digestPayload(details).sha256 } });
  });
});

describe('digestPayload', () => {
  it('hashes any value, at any depth, the same way for the same content', () => {
    expect(digestPayload({ a: 1, b: [2, 3] }).sha256).toBe(digestPayload({ b: [2, 3], a: 1 }).sha256);
    expect(digestPayload({ a: 1 }).sha256).not.toBe(digestPayload({ a: '1' }).sha256);
    expect(digestPayload(1n).sha256).not.toBe(digestPayload(1).sha256);
    expect(digestPayload({ pin: '1234' }).sha256).toBe(digestPayload({ pin: '9876' }).sha256);
    const deep = digestPayload(nested(200_000));
    expect(deep).toMatchObject({ depth: 200_000, complete: true, type: 'array' });
    expect(digestPayload('s'.repeat(5_000_000)).chars).toBe(5_000_002);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(digestPayload(cycle).sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not throw on a value that cannot be read', () => {
    const hostile = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expect(digestPayload(hostile)).toMatchObject({ complete: false });
  });
});

describe('the audit writer', () => {
  it('writes refusals that arrive together as one entry, and each alone when they come one by one', async () => {
    const written: AuditDraft[] = [];
    const writer = createAuditWriter({ append: async (entry) => void written.push(entry) }, quietLogger);
    const refusal = (i: number) => ({ actor: null, action: 'nope', customerId: null, code: 'unknown_channel', details: { n: i } });
    await writer.refusal(refusal(0));
    await Promise.all(Array.from({ length: 50 }, (_, i) => writer.refusal(refusal(i + 1))));
    // the first of the burst is written alone; the 49 that came while it was written, together
    expect(written.map((e) => e.action)).toEqual(['nope', 'nope', REFUSALS_ACTION]);
    expect(written[2].details).toMatchObject({ count: 49, others: { 'nope unknown_channel': 43 } });
  });
});
