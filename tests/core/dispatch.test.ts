import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_DIR } from '../../main/core/audit';
import { SHOP_FILE } from '../../main/core/records';
import { readAuditEntries, storeSnapshot } from '../helpers/stored';
import { startTestCore, type TestCore } from '../helpers/core';

// eight digits that will not turn up by chance in a hash, id or timestamp
const MANAGER = { name: 'Mina Manager', pin: '73915284' };
const FIRST_START = { ...MANAGER, shopName: 'Test Shop', shopContact: 'Main Street 1, shop@example.com' };
const STAFF = { name: 'Sam Staff', pin: '60428137' };

let t: TestCore;
beforeEach(async () => {
  t = await startTestCore();
});
afterEach(async () => {
  await t.close();
});

const dataFile = () => storeSnapshot(t.dataDir);
const auditEntries = () => readAuditEntries(t.dataDir);

async function signedInAsStaff() {
  await t.call('auth.setupFirstManager', FIRST_START);
  await t.call('staff.create', { ...STAFF, role: 'staff' });
  await t.call('auth.signIn', STAFF);
}

describe('dispatch', () => {
  it('refuses an unknown channel and writes nothing to the data file', async () => {
    await t.call('auth.setupFirstManager', FIRST_START);
    const before = await dataFile();
    for (const channel of ['staff.delete', '__proto__', 'constructor', 42, null]) {
      const result = await t.raw(channel as string, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
    }
    expect(await dataFile()).toBe(before);
    expect((await auditEntries()).at(-1)).toMatchObject({ action: 'unknown', outcome: 'refused' });
  });

  it.each([
    ['an extra field', 'staff.create', { name: 'Eve', pin: '1234', role: 'staff', isAdmin: true }],
    ['a wrong type', 'staff.create', { name: 'Eve', pin: 1234, role: 'staff' }],
    ['a role that does not exist', 'staff.create', { name: 'Eve', pin: '1234', role: 'owner' }],
    ['a huge string', 'staff.create', { name: 'E'.repeat(1_000_000), pin: '1234', role: 'staff' }],
    ['a PIN with letters', 'staff.update', { staffId: 'x', pin: '12ab' }],
    ['not an object', 'settings.update', 'shopName=Evil'],
    ['an array', 'settings.update', [{ shopName: 'Evil' }]],
    ['an out-of-range number', 'settings.update', { idleLockMinutes: 100_000 }],
    ['an empty required string', 'settings.update', { shopName: '   ' }],
    ['a prototype key', 'settings.update', JSON.parse('{"__proto__": {"polluted": true}, "shopName": "X"}')],
  ])('refuses a forged payload with %s as invalid_input and writes nothing', async (_label, channel, input) => {
    await t.call('auth.setupFirstManager', FIRST_START);
    const before = await dataFile();
    const result = await t.raw(channel, input);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    if (!result.ok) expect(result.error.message.length).toBeLessThan(2_000);
    expect(await dataFile()).toBe(before);
    expect((await t.call('staff.list', {})).map((s) => s.name)).toEqual(['Mina Manager']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const last = (await auditEntries()).at(-1)!;
    expect(last).toMatchObject({ action: channel, outcome: 'refused' });
    // the audit trail does not keep a megabyte of junk
    expect(JSON.stringify(last).length).toBeLessThan(5_000);
  });

  it('refuses calls needing a signed-in staff member while signed out', async () => {
    await t.call('auth.setupFirstManager', FIRST_START);
    await t.call('auth.signOut', {});
    for (const [channel, input] of [
      ['settings.get', {}],
      ['customers.search', { query: 'a' }],
      ['staff.list', {}],
      ['audit.list', {}],
    ] as const) {
      expect(await t.raw(channel, input)).toMatchObject({ ok: false, error: { code: 'not_signed_in' } });
    }
    expect((await auditEntries()).at(-1)).toMatchObject({ action: 'audit.list', outcome: 'refused', actor: null });
  });

  it('refuses manager calls from staff with forbidden_role and an audit entry', async () => {
    await signedInAsStaff();
    const before = await dataFile();
    const charge = await t.raw('charges.create', {
      customerId: 'cust_1',
      consentId: 'cons_1',
      paymentMethodId: 'pm_1',
      amount: 1000,
      currency: 'eur',
      description: 'Sneaky charge',
      requestKey: randomUUID(),
    });
    expect(charge).toMatchObject({ ok: false, error: { code: 'forbidden_role' } });
    const create = await t.raw('staff.create', { name: 'Eve', pin: '12345678', role: 'manager' });
    expect(create).toMatchObject({ ok: false, error: { code: 'forbidden_role' } });
    expect(await dataFile()).toBe(before);

    const refusals = (await auditEntries()).filter((e) => e.outcome === 'refused');
    expect(refusals.map((e) => e.action)).toEqual(['charges.create', 'staff.create']);
    for (const entry of refusals) {
      expect(entry.actor).toMatchObject({ name: 'Sam Staff', role: 'staff' });
      expect(entry.details).toMatchObject({ code: 'forbidden_role' });
    }
    expect(refusals[0].customerId).toBe('cust_1');
  });

  it('never writes a PIN in clear to the audit or data files', async () => {
    await signedInAsStaff();
    await t.raw('auth.signIn', { name: STAFF.name, pin: MANAGER.pin }); // wrong PIN for Sam
    await t.raw('auth.signIn', { name: 'Nobody', pin: STAFF.pin });
    await t.raw('auth.signIn', { name: MANAGER.name, pin: MANAGER.pin, extra: 1 }); // refused input is logged
    await t.raw('nope.channel', { pin: MANAGER.pin });
    await t.call('auth.signIn', MANAGER);
    const sam = (await t.call('staff.list', {})).find((s) => s.name === STAFF.name)!;
    await t.call('staff.update', { staffId: sam.id, pin: '51739264' });
    await t.raw('staff.create', { name: 'Eve', pin: '84261937', role: 'staff', surplus: true });
    await t.call('staff.create', { name: 'Eve', pin: '84261937', role: 'staff' });

    const files = (await readdir(t.dataDir, { recursive: true, withFileTypes: true })).filter((f) => f.isFile()).map((f) => join(f.parentPath, f.name));
    expect(files).toContain(join(t.dataDir, SHOP_FILE));
    expect(files.some((f) => f.startsWith(join(t.dataDir, AUDIT_DIR)))).toBe(true);
    for (const file of files) {
      const raw = await readFile(file, 'utf8');
      for (const pin of [MANAGER.pin, STAFF.pin, '51739264', '84261937']) expect(raw, `${file} holds ${pin}`).not.toContain(pin);
    }
    expect(JSON.stringify(await auditEntries())).toContain('[redacted]');
  });
});

describe('settings', () => {
  it('lets staff read and only managers change them; changes are kept across a restart', async () => {
    await signedInAsStaff();
    expect(await t.call('settings.get', {})).toMatchObject({ shopName: 'Test Shop', defaultCurrency: 'eur', idleLockMinutes: 10 });
    expect(await t.raw('settings.update', { shopName: 'Sneaky' })).toMatchObject({ ok: false, error: { code: 'forbidden_role' } });

    await t.call('auth.signIn', MANAGER);
    const updated = await t.call('settings.update', { shopName: '  Kissa Midori  ', defaultCurrency: 'jpy', defaultLanguage: 'ja' });
    expect(updated).toMatchObject({ shopName: 'Kissa Midori', defaultCurrency: 'jpy', defaultLanguage: 'ja', terminalName: 'Counter 1' });
    await t.restart();
    await t.call('auth.signIn', MANAGER);
    expect(await t.call('settings.get', {})).toEqual(updated);
    expect((await t.call('app.info', {})).shopName).toBe('Kissa Midori');
  });
});

describe('training.advanceClock', () => {
  it('moves the emulator clock in training mode and is refused otherwise', async () => {
    await t.call('auth.setupFirstManager', FIRST_START);
    const before = Date.now();
    const { now } = await t.call('training.advanceClock', { days: 3 });
    expect(Date.parse(now) - before).toBeGreaterThanOrEqual(3 * 86_400_000 - 1_000);

    await t.restart({ mode: 'test' });
    await t.call('auth.signIn', MANAGER);
    expect(await t.raw('training.advanceClock', { days: 1 })).toMatchObject({ ok: false, error: { code: 'not_training' } });
    await t.restart({ training: undefined });
    await t.call('auth.signIn', MANAGER);
    expect(await t.raw('training.advanceClock', { days: 1 })).toMatchObject({ ok: false, error: { code: 'not_training' } });
  });
});
