import { afterEach, describe, expect, it } from 'vitest';
import type { AuthStatus } from '../../preload/contract';
import { startTestCore, type TestCore, callError } from '../helpers/core';
import { readStoredData } from '../helpers/saved-method';

const MANAGER = { name: 'Mina Manager', pin: '2468' };
const SHOP = { shopName: 'Test Shop', shopContact: 'Main Street 1, shop@example.com' };
const STAFF = { name: 'Sam Staff', pin: '1357' };

let t: TestCore | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A clock the test moves by hand. */
function manualClock(start = '2026-05-01T09:00:00.000Z') {
  let ms = Date.parse(start);
  return { now: () => new Date(ms), advanceMinutes: (minutes: number) => void (ms += Math.round(minutes * 60_000)) };
}


async function storedStaff(core: TestCore, name: string) {
  const data = await readStoredData(core);
  return data.staff.find((s) => s.name === name)!;
}

async function withManagerAndStaff(deps: Parameters<typeof startTestCore>[0] = {}) {
  const core = await startTestCore(deps);
  await core.call('auth.setupFirstManager', { ...MANAGER, ...SHOP });
  await core.call('staff.create', { ...STAFF, role: 'staff' });
  await core.call('auth.signOut', {});
  return core;
}

describe('first start', () => {
  it('asks for a first manager only while there is no staff, and signs them in', async () => {
    t = await startTestCore();
    const events: AuthStatus[] = [];
    t.core.subscribe((event, payload) => event === 'auth.changed' && events.push(payload as AuthStatus));

    expect(await t.call('auth.status', {})).toEqual({ staff: null, needsFirstManager: true, idleLockMinutes: 10 });
    expect((await callError(t.call('auth.signIn', MANAGER))).code).toBe('bad_credentials');

    const status = await t.call('auth.setupFirstManager', { ...MANAGER, ...SHOP });
    expect(status.needsFirstManager).toBe(false);
    expect(status.staff).toMatchObject({ name: 'Mina Manager', role: 'manager', active: true });
    expect(events.at(-1)?.staff?.name).toBe('Mina Manager');

    const stored = await storedStaff(t, 'Mina Manager');
    expect(stored.pinHash).toMatch(/^[0-9a-f]{128}$/);
    expect(stored.pinSalt).toMatch(/^[0-9a-f]{32}$/);

    await t.call('auth.signOut', {});
    expect(events.at(-1)?.staff).toBeNull();
    expect((await callError(t.call('auth.setupFirstManager', { name: 'Intruder', pin: '0000', ...SHOP }))).code).toBe('conflict');
    expect((await t.call('auth.status', {})).needsFirstManager).toBe(false);
  });
});

describe('sign in', () => {
  it('matches names case-insensitively, and gives the same answer for an unknown name as for a wrong PIN', async () => {
    t = await withManagerAndStaff();
    const status = await t.call('auth.signIn', { name: '  sam STAFF ', pin: STAFF.pin });
    expect(status.staff).toMatchObject({ name: 'Sam Staff', role: 'staff' });

    const wrongPin = await callError(t.call('auth.signIn', { name: 'Sam Staff', pin: '9999' }));
    const unknown = await callError(t.call('auth.signIn', { name: 'Nobody', pin: '9999' }));
    expect(wrongPin.code).toBe('bad_credentials');
    expect(unknown).toEqual(wrongPin);
  });

  it('keeps one staff member signed in per terminal: a new sign-in replaces the old one', async () => {
    t = await withManagerAndStaff();
    await t.call('auth.signIn', MANAGER);
    await t.call('auth.signIn', STAFF);
    expect((await t.call('auth.status', {})).staff?.name).toBe('Sam Staff');
    expect((await t.raw('staff.list', {})) as unknown).toMatchObject({ ok: false, error: { code: 'forbidden_role' } });
  });

  it('locks an account after 5 wrong PINs in a row, and the lock survives a restart', async () => {
    t = await withManagerAndStaff();
    for (let i = 1; i <= 4; i++) expect((await callError(t.call('auth.signIn', { name: STAFF.name, pin: '0000' }))).code).toBe('bad_credentials');
    expect((await storedStaff(t, STAFF.name)).failedAttempts).toBe(4);

    const fifth = await callError(t.call('auth.signIn', { name: STAFF.name, pin: '0000' }));
    expect(fifth.code).toBe('locked_out');
    const lockedUntil = (await storedStaff(t, STAFF.name)).lockedUntil!;
    expect(Date.parse(lockedUntil) - Date.now()).toBeGreaterThan(4 * 60_000);
    expect(fifth.message).toContain(lockedUntil);

    // the right PIN does not get in while locked
    expect((await callError(t.call('auth.signIn', STAFF))).code).toBe('locked_out');

    await t.restart();
    expect((await callError(t.call('auth.signIn', STAFF))).code).toBe('locked_out');
    // other accounts are not affected
    expect((await t.call('auth.signIn', MANAGER)).staff?.name).toBe('Mina Manager');
  });

  it('lifts the lock after 5 minutes, and a success resets the count', async () => {
    const clock = manualClock();
    t = await withManagerAndStaff({ deps: { clock } });
    for (let i = 0; i < 5; i++) await callError(t.call('auth.signIn', { name: STAFF.name, pin: '0000' }));
    clock.advanceMinutes(4.9);
    expect((await callError(t.call('auth.signIn', STAFF))).code).toBe('locked_out');
    clock.advanceMinutes(0.1);
    expect((await t.call('auth.signIn', STAFF)).staff?.name).toBe('Sam Staff');
    expect(await storedStaff(t, STAFF.name)).toMatchObject({ failedAttempts: 0, lockedUntil: null });

    // 3 wrong, 1 right, 4 wrong: never 5 in a row, so no lock
    for (let i = 0; i < 3; i++) await callError(t.call('auth.signIn', { name: STAFF.name, pin: '0000' }));
    await t.call('auth.signIn', STAFF);
    for (let i = 0; i < 4; i++) expect((await callError(t.call('auth.signIn', { name: STAFF.name, pin: '0000' }))).code).toBe('bad_credentials');
    expect((await t.call('auth.signIn', STAFF)).staff?.name).toBe('Sam Staff');
  });

  it('records failed sign-ins in the audit trail', async () => {
    t = await withManagerAndStaff();
    await callError(t.call('auth.signIn', { name: STAFF.name, pin: '0000' }));
    await t.call('auth.signIn', MANAGER);
    const { entries } = await t.call('audit.list', { filter: { action: 'auth.signIn' } });
    expect(entries.map((e) => e.outcome)).toEqual(['ok', 'error']);
    expect(entries[1].details).toMatchObject({ code: 'bad_credentials', input: { name: STAFF.name, pin: '[redacted]' } });
  });
});

describe('idle lock', () => {
  it('signs out after the idle time since the last activity, and says so', async () => {
    const clock = manualClock();
    t = await withManagerAndStaff({ deps: { clock } });
    const events: AuthStatus[] = [];
    t.core.subscribe((event, payload) => event === 'auth.changed' && events.push(payload as AuthStatus));
    await t.call('auth.signIn', STAFF);

    clock.advanceMinutes(9);
    await t.call('settings.get', {}); // activity postpones the lock
    clock.advanceMinutes(9);
    expect((await t.call('auth.status', {})).staff?.name).toBe('Sam Staff');
    clock.advanceMinutes(1); // status checks are not activity: 10 minutes since settings.get
    expect((await t.raw('settings.get', {})) as unknown).toMatchObject({ ok: false, error: { code: 'not_signed_in' } });
    expect(events.at(-1)).toMatchObject({ staff: null, needsFirstManager: false });
    expect((await t.call('auth.status', {})).staff).toBeNull();
  });

  it('follows the idle time set in settings', async () => {
    const clock = manualClock();
    t = await withManagerAndStaff({ deps: { clock } });
    await t.call('auth.signIn', MANAGER);
    await t.call('settings.update', { idleLockMinutes: 2 });
    expect((await t.call('auth.status', {})).idleLockMinutes).toBe(2);
    clock.advanceMinutes(1.5);
    await t.call('staff.list', {});
    clock.advanceMinutes(2);
    expect((await t.call('auth.status', {})).staff).toBeNull();
  });
});

describe('staff management', () => {
  it('lets managers create, list and update staff with unique names; staff may not', async () => {
    t = await withManagerAndStaff();
    await t.call('auth.signIn', MANAGER);
    const list = await t.call('staff.list', {});
    expect(list.map((s) => s.name)).toEqual(['Mina Manager', 'Sam Staff']);
    expect(Object.keys(list[0]).sort()).toEqual(['active', 'createdAt', 'id', 'name', 'role']);

    expect((await callError(t.call('staff.create', { name: 'SAM staff', pin: '1111', role: 'manager' }))).code).toBe('conflict');
    expect((await callError(t.call('staff.update', { staffId: 'staff_nope', active: false }))).code).toBe('not_found');

    const kim = await t.call('staff.create', { name: 'Kim', pin: '4444', role: 'staff' });
    const promoted = await t.call('staff.update', { staffId: kim.id, role: 'manager' });
    expect(promoted.role).toBe('manager');

    await t.call('auth.signIn', STAFF);
    expect((await t.raw('staff.create', { name: 'Eve', pin: '5555', role: 'manager' })) as unknown).toMatchObject({
      ok: false,
      error: { code: 'forbidden_role' },
    });
  });

  it('stops deactivated staff from signing in, and a new PIN from a manager lifts a lock', async () => {
    t = await withManagerAndStaff();
    await t.call('auth.signIn', MANAGER);
    const sam = (await t.call('staff.list', {})).find((s) => s.name === STAFF.name)!;
    await t.call('staff.update', { staffId: sam.id, active: false });
    expect((await callError(t.call('auth.signIn', STAFF))).code).toBe('bad_credentials');

    await t.call('auth.signIn', MANAGER);
    await t.call('staff.update', { staffId: sam.id, active: true });
    for (let i = 0; i < 5; i++) await callError(t.call('auth.signIn', { name: STAFF.name, pin: '0000' }));
    expect((await callError(t.call('auth.signIn', STAFF))).code).toBe('locked_out');

    await t.call('auth.signIn', MANAGER);
    await t.call('staff.update', { staffId: sam.id, pin: '8642' });
    expect((await callError(t.call('auth.signIn', STAFF))).code).toBe('bad_credentials');
    expect((await t.call('auth.signIn', { name: STAFF.name, pin: '8642' })).staff?.name).toBe('Sam Staff');
  });

  it('keeps at least one active manager', async () => {
    t = await withManagerAndStaff();
    await t.call('auth.signIn', MANAGER);
    const mina = (await t.call('staff.list', {})).find((s) => s.name === MANAGER.name)!;
    expect((await callError(t.call('staff.update', { staffId: mina.id, role: 'staff' }))).code).toBe('conflict');
    expect((await callError(t.call('staff.update', { staffId: mina.id, active: false }))).code).toBe('conflict');
    expect((await t.call('staff.list', {})).find((s) => s.id === mina.id)).toMatchObject({ role: 'manager', active: true });

    // with a second manager, Mina may step down; her own session follows at once
    await t.call('staff.create', { name: 'Otto Owner', pin: '9753', role: 'manager' });
    await t.call('staff.update', { staffId: mina.id, role: 'staff' });
    expect((await t.raw('staff.list', {})) as unknown).toMatchObject({ ok: false, error: { code: 'forbidden_role' } });

    await t.call('auth.signIn', { name: 'Otto Owner', pin: '9753' });
    const otto = (await t.call('staff.list', {})).find((s) => s.name === 'Otto Owner')!;
    expect((await callError(t.call('staff.update', { staffId: otto.id, active: false }))).code).toBe('conflict');
  });

  it('signs out a signed-in staff member who is deactivated', async () => {
    t = await withManagerAndStaff();
    await t.call('auth.signIn', MANAGER);
    await t.call('staff.create', { name: 'Otto Owner', pin: '9753', role: 'manager' });
    const events: AuthStatus[] = [];
    t.core.subscribe((event, payload) => event === 'auth.changed' && events.push(payload as AuthStatus));
    const mina = (await t.call('staff.list', {})).find((s) => s.name === MANAGER.name)!;
    const updated = await t.call('staff.update', { staffId: mina.id, active: false });
    expect(updated.active).toBe(false);
    expect(events.at(-1)?.staff).toBeNull();
    expect((await t.call('auth.status', {})).staff).toBeNull();
    expect((await callError(t.call('auth.signIn', MANAGER))).code).toBe('bad_credentials');
  });
});
