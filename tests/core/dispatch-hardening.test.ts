/**
 * Issue 8 §1 and §5: a forged call must never poison the audit trail, every input gets an answer,
 * and a change is never left unaudited or answered as "nothing was changed".
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_ENTRY_MAX_BYTES } from '../../main/core/audit-bounds';
import { toCallError } from '../../main/core/dispatch';
import { readAuditEntries, storeSnapshot } from '../helpers/stored';
import { startTestCore, type TestCore } from '../helpers/core';
import { createCustomerWithSavedMethod, requestCount } from '../helpers/saved-method';

const MANAGER = { name: 'Mina Manager', pin: '73915284' };
const FIRST_START = { ...MANAGER, shopName: 'Test Shop', shopContact: 'Main Street 1, shop@example.com' };

let t: TestCore;
beforeEach(async () => {
  t = await startTestCore();
});
afterEach(async () => {
  await t.close();
});

const auditEntries = () => readAuditEntries(t.dataDir);
const dataFile = () => storeSnapshot(t.dataDir);

/** `{"x":[[[…0…]]]}` nested `depth` levels, as the attack sent it (built as JSON, parsed as a transport would). */
function deeplyNested(depth: number): unknown {
  return JSON.parse(`{"x":${'['.repeat(depth)}0${']'.repeat(depth)}}`);
}
/** Nesting deeper than JSON.parse allows, built directly (structured clone carries it). */
function nestedObjects(depth: number): unknown {
  let value: unknown = 0;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('a forged refusal', () => {
  it('is recorded as a small summary, and later changes still get their entries (also after a restart)', async () => {
    await t.call('auth.setupFirstManager', FIRST_START);
    await t.call('auth.signOut', {});
    // the attack: signed out, one unknown channel with an input nested 2,000 levels deep
    const forged = await t.raw('x.poison', deeplyNested(2_000));
    expect(forged).toMatchObject({ ok: false, error: { code: 'unknown_channel' } });

    const refusal = (await auditEntries()).at(-1)!;
    expect(refusal).toMatchObject({ action: 'unknown', outcome: 'refused', actor: null, details: { code: 'unknown_channel', channel: 'x.poison', paths: [] } });
    expect(refusal.details.payload).toMatchObject({ type: 'object', depth: 2_001, complete: true, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(JSON.stringify(refusal)).not.toContain('[[[');
    expect(Buffer.byteLength(JSON.stringify(refusal))).toBeLessThan(AUDIT_ENTRY_MAX_BYTES);

    for (let round = 0; round < 2; round++) {
      await t.call('auth.signIn', MANAGER);
      const shopName = `Shop ${round}`;
      expect(await t.raw('settings.update', { shopName })).toMatchObject({ ok: true, data: { shopName } });
      expect((await auditEntries()).at(-1)).toMatchObject({ action: 'settings.update', outcome: 'ok', details: { input: { shopName } } });
      await t.restart();
    }
    expect((await t.call('app.info', {})).auditChain).toMatchObject({ ok: true });
  });

  it('keeps the same digest for the same payload, whatever the key order, and never a PIN', async () => {
    await t.call('auth.setupFirstManager', FIRST_START);
    await t.raw('nope', { b: 1, a: [1, 2] });
    await t.raw('nope', { a: [1, 2], b: 1 });
    await t.raw('nope', { a: [2, 1], b: 1 });
    await t.raw('auth.signIn', { name: 'Mina', pin: '11112222', extra: true });
    await t.raw('auth.signIn', { name: 'Mina', pin: '33334444', extra: true });
    const digests = (await auditEntries()).slice(-5).map((e) => (e.details.payload as { sha256: string }).sha256);
    expect(digests[0]).toBe(digests[1]);
    expect(digests[2]).not.toBe(digests[0]);
    // two PINs, one digest: the PIN is not part of what is hashed
    expect(digests[3]).toBe(digests[4]);
  });

  it('bounds every field copied from the input: a 5 MB customer id, a huge channel name, thousands of unknown keys', async () => {
    await t.call('auth.setupFirstManager', FIRST_START);
    const hugeId = 'c'.repeat(5_000_000);
    const manyKeys = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`key_${i}_${'k'.repeat(200)}`, i]));
    const answers = [
      await t.raw('customers.get', { customerId: hugeId }),
      await t.raw('charges.create', { customerId: hugeId, amount: 'lots' }),
      await t.raw('z'.repeat(1_000_000), { customerId: hugeId }),
      await t.raw('settings.update', manyKeys),
    ];
    for (const answer of answers) {
      expect(answer.ok).toBe(false);
      if (!answer.ok) expect(JSON.stringify(answer.error).length).toBeLessThan(6_000);
    }
    const entries = (await auditEntries()).slice(-4);
    expect(entries.map((e) => e.outcome)).toEqual(['refused', 'refused', 'refused', 'refused']);
    for (const entry of entries) expect(Buffer.byteLength(JSON.stringify(entry))).toBeLessThanOrEqual(AUDIT_ENTRY_MAX_BYTES + 200);
    expect(entries[0].customerId!.length).toBeLessThan(200);
    expect((entries[2].details.channel as string).length).toBeLessThan(200);
    expect((entries[3].details.paths as string[]).length).toBeLessThanOrEqual(8);
  });
});

describe('every input gets an answer (§5)', () => {
  it.each([
    ['a BigInt at the top', 'settings.update', 10n],
    ['a BigInt in a field', 'settings.update', { idleLockMinutes: 10n }],
    ['a BigInt deep inside', 'customers.create', { name: 'A', email: 'a@example.com', language: 'en', extra: [{ x: [1n] }] }],
    ['a BigInt on an unknown channel', 'nope', { n: 2n ** 80n }],
    ['NaN and Infinity', 'settings.update', { idleLockMinutes: Number.NaN, terminalName: Infinity }],
    ['nesting 2,250 deep', 'settings.update', deeplyNested(2_250)],
    ['nesting 100,000 deep', 'customers.search', { query: nestedObjects(100_000) }],
    ['nesting 100,000 deep on an unknown channel', 'nope', nestedObjects(100_000)],
    ['a __proto__ key', 'settings.update', JSON.parse('{"__proto__": {"isAdmin": true}}')],
    ['a Map and a Set', 'settings.update', { shopName: new Map([[1, 2]]), terminalName: new Set([1n]) }],
  ])('answers %s with { ok: false } and an audit entry', async (_label, channel, input) => {
    await t.call('auth.setupFirstManager', FIRST_START);
    const before = await dataFile();
    const countBefore = (await auditEntries()).length;
    const result = await t.raw(channel, input);
    expect(result).toMatchObject({ ok: false, error: { code: channel === 'nope' ? 'unknown_channel' : 'invalid_input' } });
    expect(await dataFile()).toBe(before);
    const entries = await auditEntries();
    expect(entries).toHaveLength(countBefore + 1);
    expect(entries.at(-1)).toMatchObject({ outcome: 'refused', details: { payload: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } } });
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    // the next change is still recorded
    await t.call('settings.update', { terminalName: 'Counter 2' });
    expect((await auditEntries()).at(-1)).toMatchObject({ action: 'settings.update', outcome: 'ok' });
  });
});

describe('when the audit log cannot be written', () => {
  /** The audit log's disk fails (an fsync that errors): every append throws until it is repaired. */
  let realAppend: typeof t.core.env.audit.append | null = null;
  async function breakAuditFile() {
    realAppend = t.core.env.audit.append;
    t.core.env.audit.append = () => Promise.reject(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
  }
  const repairAuditFile = async () => {
    if (realAppend) t.core.env.audit.append = realAppend;
  };

  it('answers a change it made as audit_unavailable (never "nothing was changed"), then pauses changes until the log works, writing the pending entry first', async () => {
    await t.call('auth.setupFirstManager', FIRST_START);
    await breakAuditFile();

    const changed = await t.raw('settings.update', { shopName: 'Changed Shop' });
    expect(changed).toMatchObject({ ok: false, error: { code: 'audit_unavailable' } });
    if (!changed.ok) {
      expect(changed.error.message).toMatch(/WAS carried out/);
      expect(changed.error.message).not.toMatch(/nothing was changed/i);
    }
    expect((await t.call('settings.get', {})).shopName).toBe('Changed Shop');

    // further changes are refused and change nothing; reads and signing out still work
    const before = await dataFile();
    const paused = await t.raw('settings.update', { shopName: 'Second Change' });
    expect(paused).toMatchObject({ ok: false, error: { code: 'changes_paused' } });
    if (!paused.ok) expect(paused.error.message).toMatch(/Nothing was changed/);
    expect(await dataFile()).toBe(before);
    expect(await t.raw('staff.list', {})).toMatchObject({ ok: true });

    // signing out only takes rights away: it still happens, and says it was not recorded yet
    expect(await t.raw('auth.signOut', {})).toMatchObject({ ok: false, error: { code: 'audit_unavailable' } });
    expect((await t.call('auth.status', {})).staff).toBeNull();
    expect(await t.raw('auth.signIn', MANAGER)).toMatchObject({ ok: false, error: { code: 'changes_paused' } });

    await repairAuditFile();
    await t.call('auth.signIn', MANAGER);
    expect(await t.raw('settings.update', { shopName: 'Third Change' })).toMatchObject({ ok: true, data: { shopName: 'Third Change' } });
    const actions = (await auditEntries()).map((e) => [e.action, e.outcome, (e.details.input as { shopName?: string } | undefined)?.shopName ?? e.details.count]);
    // what happened while the log was broken comes first, in order, then the lost refusals are counted, then the new calls
    expect(actions.slice(-5)).toEqual([
      ['settings.update', 'ok', 'Changed Shop'],
      ['auth.signOut', 'ok', undefined],
      ['dispatch.refusalsLost', 'error', 2],
      ['auth.signIn', 'ok', undefined],
      ['settings.update', 'ok', 'Third Change'],
    ]);
    expect((await t.call('app.info', {})).auditChain).toMatchObject({ ok: true });
  });

  it('a charge made while the log fails is not made again by a retry', async () => {
    await t.call('auth.setupFirstManager', FIRST_START);
    const saved = await createCustomerWithSavedMethod(t);
    await breakAuditFile();
    const input = {
      customerId: saved.customer.id,
      consentId: saved.consent.id,
      paymentMethodId: saved.paymentMethodId,
      amount: 1250,
      currency: 'eur' as const,
      description: 'Dry cleaning',
      requestKey: randomUUID(),
    };
    const first = await t.raw('charges.create', input);
    expect(first).toMatchObject({ ok: false, error: { code: 'audit_unavailable' } });
    if (!first.ok) expect(first.error.message).toMatch(/status succeeded/);
    for (const retry of [input, { ...input, requestKey: randomUUID() }])
      expect(await t.raw('charges.create', retry)).toMatchObject({ ok: false, error: { code: 'changes_paused' } });
    expect(requestCount(t, 'POST', '/v1/payment_intents')).toBe(1);

    await repairAuditFile();
    await t.call('settings.update', { terminalName: 'Counter 2' });
    const charge = (await auditEntries()).find((e) => e.action === 'charges.create')!;
    expect(charge).toMatchObject({ outcome: 'ok', details: { paymentOutcome: 'succeeded', amount: 1250, currency: 'eur' } });
  });
});

describe('the audit entry of a charge', () => {
  it('records the payment outcome, amount and currency, not only that the call ran', async () => {
    await t.call('auth.setupFirstManager', FIRST_START);
    const saved = await createCustomerWithSavedMethod(t);
    const base = { customerId: saved.customer.id, consentId: saved.consent.id, paymentMethodId: saved.paymentMethodId, currency: 'eur' as const, description: 'Laundry' };
    // the emulator declines 99.01 and reports 99.02 as unavailable
    for (const amount of [1250, 9901, 9902]) await t.call('charges.create', { ...base, amount, requestKey: randomUUID() });
    const charges = (await auditEntries()).filter((e) => e.action === 'charges.create');
    expect(charges.map((e) => [e.outcome, e.summary, e.details.paymentOutcome, e.details.amount, e.details.currency])).toEqual([
      ['ok', 'charges.create: succeeded', 'succeeded', 1250, 'eur'],
      ['error', 'charges.create: declined', 'declined', 9901, 'eur'],
      ['error', 'charges.create: unavailable', 'unavailable', 9902, 'eur'],
    ]);
    expect(charges[1].details.failureCode).toBe('payment_method_provider_decline');
  });
});

describe('toCallError', () => {
  it('claims nothing changed only for a call that changes nothing', () => {
    const logged: string[] = [];
    const logger = { info() {}, warn() {}, error: (message: string) => void logged.push(message) };
    const changing = toCallError(new Error('disk on fire'), logger, 'settings.update');
    expect(changing.code).toBe('internal');
    expect(changing.message).not.toMatch(/nothing was changed/i);
    expect(changing.message).toMatch(/may have been made/);
    expect(toCallError(new Error('oops'), logger, 'settings.get').message).toMatch(/this call changes nothing/);
    expect(logged).toEqual(['call failed', 'call failed']);
  });

  it('answers an in-process input whose getters throw with { ok: false }', async () => {
    await t.call('auth.setupFirstManager', FIRST_START);
    const hostile = Object.defineProperty({}, 'customerId', {
      enumerable: true,
      get() {
        throw new Error('gotcha');
      },
    });
    for (const channel of ['customers.get', 'nope']) expect(await t.raw(channel, hostile)).toMatchObject({ ok: false });
  });
});
