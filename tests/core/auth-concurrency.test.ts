/**
 * Issue 8 §2: the PIN lock-out holds when attempts arrive all at once, and a flood of attempts
 * is refused cheaply instead of queueing scrypt work.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_FAILED_ATTEMPTS, MAX_WAITING_SIGN_INS } from '../../main/core/auth';
import type { ErrorCode, Result } from '../../preload/contract';
import { startTestCore, type TestCore } from '../helpers/core';
import { readStoredData } from '../helpers/saved-method';

const MANAGER = { name: 'Mina Manager', pin: '24681357' };
const SHOP = { shopName: 'Test Shop', shopContact: 'Main Street 1, shop@example.com' };

let t: TestCore | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** `count` PINs, all wrong except the one at `correctAt`. */
function attempts(count: number, correctAt: number, correctPin: string): string[] {
  return Array.from({ length: count }, (_, i) => (i === correctAt ? correctPin : String(10_000_000 + i)));
}

function countCodes(results: Array<Result<unknown>>): Partial<Record<ErrorCode | 'ok', number>> {
  const counts: Partial<Record<ErrorCode | 'ok', number>> = {};
  for (const result of results) {
    const key = result.ok ? 'ok' : result.error.code;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('sign-in under concurrency', () => {
  it.each([
    ['late (past the queue cap)', 997],
    ['early (queued behind the wrong ones)', MAX_FAILED_ATTEMPTS + 1],
  ])('1,000 concurrent attempts with the right PIN placed %s: locked after five wrong ones, and the right one does not get in', async (_label, correctAt) => {
    t = await startTestCore();
    await t.call('auth.setupFirstManager', { ...MANAGER, ...SHOP });
    await t.call('staff.create', { name: 'Sam Staff', pin: '13572468', role: 'staff' });
    await t.call('auth.signOut', {});

    const results = await Promise.all(attempts(1_000, correctAt, '13572468').map((pin) => t!.raw('auth.signIn', { name: 'Sam Staff', pin })));
    const counts = countCodes(results);
    expect(counts.ok).toBeUndefined();
    expect((await t.call('auth.status', {})).staff).toBeNull();
    // four wrong PINs are answered as such; the fifth locks; every attempt queued behind it meets the lock
    expect(counts.bad_credentials).toBe(MAX_FAILED_ATTEMPTS - 1);
    expect(counts.locked_out).toBe(MAX_WAITING_SIGN_INS - (MAX_FAILED_ATTEMPTS - 1));
    expect(counts.too_many_attempts).toBe(1_000 - MAX_WAITING_SIGN_INS);
    const sam = (await readStoredData(t)).staff.find((s) => s.name === 'Sam Staff')!;
    expect(Date.parse(sam.lockedUntil!)).toBeGreaterThan(Date.now() + 4 * 60_000);

    // still locked for the right PIN afterwards; another account is not affected
    expect(await t.raw('auth.signIn', { name: 'Sam Staff', pin: '13572468' })).toMatchObject({ ok: false, error: { code: 'locked_out' } });
    expect(await t.raw('auth.signIn', MANAGER)).toMatchObject({ ok: true });

    // the flood is in the audit log, at a bounded cost: refusals that came together share entries
    const { entries } = await t.call('audit.list', { limit: 500, filter: {} });
    const refusals = entries.filter((e) => e.outcome === 'refused');
    const refusedCount = refusals.reduce((sum, e) => sum + (typeof e.details.count === 'number' ? e.details.count : 1), 0);
    expect(refusedCount).toBe(1_000 - MAX_WAITING_SIGN_INS);
    expect(refusals.length).toBeLessThan(10);
  }, 60_000);

  it('wrong PINs on one account neither count against nor block another signing in at the same time', async () => {
    t = await startTestCore();
    await t.call('auth.setupFirstManager', { ...MANAGER, ...SHOP });
    await t.call('staff.create', { name: 'Ann', pin: '11223344', role: 'staff' });
    await t.call('staff.create', { name: 'Ben', pin: '55667788', role: 'staff' });
    await t.call('auth.signOut', {});
    const results = await Promise.all([
      ...['00000001', '00000002', '00000003'].map((pin) => t!.raw('auth.signIn', { name: 'Ann', pin })),
      t.raw('auth.signIn', { name: 'Ben', pin: '55667788' }),
    ]);
    expect(countCodes(results)).toEqual({ bad_credentials: 3, ok: 1 });
    const staff = (await readStoredData(t)).staff;
    expect(staff.find((s) => s.name === 'Ann')).toMatchObject({ failedAttempts: 3, lockedUntil: null });
    expect(staff.find((s) => s.name === 'Ben')).toMatchObject({ failedAttempts: 0 });
  });
});
