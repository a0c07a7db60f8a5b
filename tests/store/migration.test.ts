/**
 * A data folder written by version 0.1 (`tests/fixtures/data-folder-v0.1`, made by that version's
 * own code: customers, consents, saved methods, charges, a refund, a withdrawal, staff, audit)
 * opens in today's layout without a step by the user, verified record by record, the old files kept
 * aside; and a crash during the conversion leaves a folder that opens.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LegacyAppData, LegacyAuditData, type LegacyAppData as Legacy } from '../../main/core/data';
import { buildMigration, LEGACY_APP_FILE, LEGACY_AUDIT_FILE, STAGING_DIR } from '../../main/core/store-migration';
import { dayIn } from '../../main/core/payments-ledger';
import { signInManager, startTestCore, type TestCore } from '../helpers/core';
import { readAuditEntries, readStoredData } from '../helpers/stored';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'data-folder-v0.1');
const LISTS = ['customers', 'consents', 'withdrawals', 'setups', 'savedMethods', 'charges', 'refunds', 'subscriptions', 'staff', 'prices'] as const;

let dir: string;
let legacy: Legacy;
let legacyAudit: LegacyAuditData['entries'];
let t: TestCore | null = null;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'migration-test-'));
  await cp(FIXTURE, dir, { recursive: true });
  legacy = LegacyAppData.parse(JSON.parse(await readFile(join(dir, LEGACY_APP_FILE), 'utf8')));
  legacyAudit = LegacyAuditData.parse(JSON.parse(await readFile(join(dir, LEGACY_AUDIT_FILE), 'utf8'))).entries;
});
afterEach(async () => {
  await t?.close();
  t = null;
  await rm(dir, { recursive: true, force: true });
});

const byId = <T extends { id?: string; paymentMethodId?: string }>(list: readonly T[]) => [...list].sort((a, b) => ((a.id ?? a.paymentMethodId)! < (b.id ?? b.paymentMethodId)! ? -1 : 1));

async function expectConverted(): Promise<void> {
  const info = await t!.call('app.info', {});
  expect(info.storeNotices).toEqual([]);
  expect(info.auditChain).toMatchObject({ ok: true });
  expect(info.terminalId).toBe(legacy.terminalId);

  // every record, read back from the new files, equals the old one
  const now = await readStoredData(dir);
  for (const list of LISTS) expect(byId(now[list] as never[]), list).toEqual(byId(legacy[list] as never[]));
  expect(now.settings).toEqual(legacy.settings);

  // the old audit entries are the first entries of the new log, unchanged; then the conversion itself
  const entries = await readAuditEntries(dir);
  expect(entries.slice(0, legacyAudit.length)).toEqual(legacyAudit);
  const migrated = entries.find((e) => e.action === 'store.migrated');
  expect(migrated?.summary).toMatch(/3 customers/);

  // the old files are kept aside, with the report, and nothing of them is left in place
  const names = await readdir(dir);
  expect(names).not.toContain(LEGACY_APP_FILE);
  expect(names).not.toContain(STAGING_DIR);
  const aside = names.find((n) => n.startsWith('migrated-from-v1-'))!;
  const kept = await readdir(join(dir, aside));
  expect(kept).toEqual(expect.arrayContaining([LEGACY_APP_FILE, LEGACY_AUDIT_FILE, 'audit-head.json', 'migration-report.json']));
  expect(await readFile(join(dir, aside, LEGACY_APP_FILE), 'utf8')).toBe(await readFile(join(FIXTURE, LEGACY_APP_FILE), 'utf8'));
}

describe('opening a 0.1 data folder', () => {
  it('converts it without a step by the user, record by record, and keeps the old files aside', async () => {
    t = await startTestCore({ dataDir: dir });
    await expectConverted();

    // records made by 0.1 (ids without their customer) are still found by id
    await signInManager(t, 'Mina Manager', '2468');
    const [alice, taro] = [legacy.customers.find((c) => c.email === 'alice@example.com')!, legacy.customers.find((c) => c.email === 'taro@example.jp')!];
    const succeeded = legacy.charges.find((c) => c.customerId === alice.id && c.status === 'succeeded')!;
    expect((await t.call('charges.receipt', { chargeId: succeeded.id })).charge.refunds).toHaveLength(1);
    const taroConsent = legacy.consents.find((c) => c.customerId === taro.id)!;
    expect((await t.call('consents.get', { consentId: taroConsent.id })).status).toBe('withdrawn');
    expect((await t.call('customers.get', { customerId: alice.id })).charges).toHaveLength(2);
    // the payments ledger was built with the documents and moved into place with them
    const day = dayIn(succeeded.createdAt, Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
    const payments = await t.call('payments.list', { from: day, to: day });
    expect(payments.rows.find((r) => r.id === succeeded.id)).toMatchObject({ kind: 'charge', status: 'succeeded', customerName: alice.name, amount: succeeded.amount });

    // the index answers searches: a name typed without its space, a phone typed the national way
    expect((await t.call('customers.search', { query: '佐藤太郎' })).local.map((c) => c.id)).toEqual([taro.id]);
    expect((await t.call('customers.search', { query: '090-1234-5678' })).local.map((c) => c.email)).toEqual(['carol@example.com']);

    // and it goes on: a new change is stored, a restart converts nothing twice
    await t.call('settings.update', { terminalName: 'Counter 2' });
    await t.restart();
    const entries = await readAuditEntries(dir);
    expect(entries.filter((e) => e.action === 'store.migrated')).toHaveLength(1);
    expect((await t.call('app.info', {})).terminalName).toBe('Counter 2');
  });

  it('after a crash while building (no READY mark), builds again from the old files, which were never touched', async () => {
    await mkdir(join(dir, STAGING_DIR, 'customers'), { recursive: true });
    await writeFile(join(dir, STAGING_DIR, 'shop.json'), '{"schemaVersion":1,"half-writ');
    t = await startTestCore({ dataDir: dir });
    await expectConverted();
  });

  it('after a crash while moving files into place (READY, half moved), finishes the moves', async () => {
    const report = await buildMigration(dir, { next: (p) => `${p}_x${Math.random().toString(16).slice(2)}` }, () => new Date());
    // the old main file was already moved aside, the new files not yet in place
    await mkdir(report.keptAsideIn, { recursive: true });
    await rename(join(dir, LEGACY_APP_FILE), join(report.keptAsideIn, LEGACY_APP_FILE));
    t = await startTestCore({ dataDir: dir });
    await expectConverted();
  });

  it('refuses a 0.1 folder whose file and backups are all unreadable, changing nothing', async () => {
    await writeFile(join(dir, LEGACY_APP_FILE), '{"schemaVersion": 1, "trunc');
    await writeFile(join(dir, `${LEGACY_APP_FILE}.backup-1`), '');
    const before = (await readdir(dir)).sort();
    await expect(startTestCore({ dataDir: dir })).rejects.toThrow(/backups can be read.*Nothing was changed/);
    expect((await readdir(dir)).sort()).toEqual(before);
  });
});
