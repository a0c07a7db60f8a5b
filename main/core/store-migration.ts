/**
 * Opens a data folder written by version 0.1 (everything in `mandate-desk.json`, the audit in
 * `audit.json`) in today's layout, without a step by the user:
 *
 * 1. build the new layout in `.migration-v2/` from the old files (a damaged old file is read from
 *    its newest readable backup, as 0.1 did; none readable: refused, nothing touched);
 * 2. reopen what was built and compare it with the old data record by record (counts and content);
 * 3. mark the build `READY`; then move the old files aside into `migrated-from-v1-<time>/` and the
 *    new ones into place, and remove the build folder.
 *
 * A crash before READY leaves the old files in place: the next start builds again from scratch. A
 * crash after it resumes the moves. Each step is safe to repeat.
 */
import { isDeepStrictEqual } from 'node:util';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseVersioned } from '../store/json-store';
import { readFileOrNull, syncDirectory, writeFileAtomic } from '../store/files';
import { readLines } from '../store/files';
import { writeSegmentedLog } from '../store/segmented-log';
import { AUDIT_DIR } from './audit';
import { AuditRecord, CUSTOMER_DOC_LISTS, LEGACY_APP_DATA_VERSION, LegacyAppData, LegacyAuditData, SHOP_DATA_VERSION, type CustomerDoc, type LegacyAppData as Legacy } from './data';
import { AppError } from './errors';
import type { IdSource } from './ports';
import { PAYMENTS_DIR } from './payments-ledger';
import { CUSTOMERS_DIR, openRecords, SHOP_FILE } from './records';

export const LEGACY_APP_FILE = 'mandate-desk.json';
export const LEGACY_AUDIT_FILE = 'audit.json';
export const LEGACY_AUDIT_HEAD_FILE = 'audit-head.json';
export const STAGING_DIR = '.migration-v2';
const READY_FILE = 'READY';

export interface MigrationReport {
  from: 'v1-single-file';
  at: string;
  readFrom: string;
  keptAsideIn: string;
  counts: Record<string, number>;
  auditEntries: number;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The old file, or its newest readable backup; null when there is no old file at all. */
async function readLegacy(dataDir: string): Promise<{ data: Legacy; path: string } | null> {
  const main = join(dataDir, LEGACY_APP_FILE);
  const candidates = [main, ...[1, 2, 3].map((n) => `${main}.backup-${n}`)];
  if (!(await exists(main))) return null;
  const problems: string[] = [];
  for (const path of candidates) {
    const text = await readFileOrNull(path);
    if (!text) continue;
    const loaded = parseVersioned(path, text.toString('utf8'), { schema: LegacyAppData, version: LEGACY_APP_DATA_VERSION, migrations: {} });
    if (loaded.ok) return { data: loaded.data, path };
    problems.push(`${path}: ${loaded.problem}`);
  }
  throw new AppError(
    'store_error',
    `This data folder was written by Mandate Desk 0.1 and must be converted, but neither ${LEGACY_APP_FILE} nor any of its backups can be read (${problems.join('; ')}). Nothing was changed. Put back a good copy of the file and start again.`,
  );
}

async function readLegacyAudit(dataDir: string): Promise<AuditRecord[]> {
  const main = join(dataDir, LEGACY_AUDIT_FILE);
  if (!(await exists(main))) return [];
  for (const path of [main, ...[1, 2, 3].map((n) => `${main}.backup-${n}`)]) {
    const text = await readFileOrNull(path);
    if (!text) continue;
    const loaded = parseVersioned(path, text.toString('utf8'), { schema: LegacyAuditData, version: 1, migrations: {} });
    if (loaded.ok) return loaded.data.entries;
  }
  throw new AppError('store_error', `The old audit file ${main} and its backups cannot be read, so the folder was not converted. Nothing was changed.`);
}

/** Everything of one customer in the old file, as a document. */
function docsOf(data: Legacy): Map<string, Omit<CustomerDoc, 'rev'>> {
  const docs = new Map<string, Omit<CustomerDoc, 'rev'>>();
  for (const customer of data.customers)
    docs.set(customer.id, { schemaVersion: 1, customer, consents: [], withdrawals: [], setups: [], savedMethods: [], charges: [], refunds: [], subscriptions: [] });
  const consentOwner = new Map(data.consents.map((c) => [c.id, c.customerId]));
  const chargeOwner = new Map(data.charges.map((c) => [c.id, c.customerId]));
  const into = (customerId: string | undefined, what: string, id: string) => {
    const doc = customerId ? docs.get(customerId) : undefined;
    if (!doc) throw new AppError('store_error', `The old file has a ${what} (${id}) whose customer is not in it; the folder was not converted. Nothing was changed.`);
    return doc;
  };
  for (const r of data.consents) into(r.customerId, 'consent', r.id).consents.push(r);
  for (const r of data.withdrawals) into(consentOwner.get(r.consentId), 'withdrawal', r.id).withdrawals.push(r);
  for (const r of data.setups) into(r.customerId, 'setup', r.id).setups.push(r);
  for (const r of data.savedMethods) into(r.customerId, 'saved method', r.paymentMethodId).savedMethods.push(r);
  for (const r of data.charges) into(r.customerId, 'charge', r.id).charges.push(r);
  for (const r of data.refunds) into(chargeOwner.get(r.chargeId), 'refund', r.id).refunds.push(r);
  for (const r of data.subscriptions) into(r.customerId, 'subscription', r.id).subscriptions.push(r);
  return docs;
}

const LISTS = CUSTOMER_DOC_LISTS;

/** Builds and verifies the new layout in the staging folder, and marks it READY (exported for the crash tests). */
export async function buildMigration(dataDir: string, ids: IdSource, now: () => Date): Promise<MigrationReport> {
  const staging = join(dataDir, STAGING_DIR);
  const legacy = await readLegacy(dataDir);
  if (!legacy) throw new Error('nothing to migrate');
  const auditEntries = await readLegacyAudit(dataDir);
  const { data } = legacy;
  const docs = docsOf(data);

  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true, mode: 0o700 });
  await writeFileAtomic(
    join(staging, SHOP_FILE),
    JSON.stringify({ schemaVersion: SHOP_DATA_VERSION, terminalId: data.terminalId, settings: data.settings, staff: data.staff, prices: data.prices }),
  );
  const records = await openRecords({ dataDir: staging, ids, now, checkpointEvery: 1_000_000 });
  for (const [customerId, doc] of docs) {
    await records.createCustomer(doc.customer);
    await records.updateCustomer(customerId, (draft) => {
      for (const list of LISTS) (draft[list] as unknown[]) = doc[list];
    });
    // ids written by 0.1 do not say whose they are: the index keeps their owner
    for (const list of LISTS) for (const record of doc[list] as Array<{ id?: string; paymentMethodId?: string }>) if (record.id) records.index.setLegacyOwner(record.id, customerId);
  }
  await records.close();
  await writeSegmentedLog(join(staging, AUDIT_DIR), auditEntries);

  // Verify what was built, read back from disk, against the old data.
  const reopened = await openRecords({ dataDir: staging, ids, now });
  const counts: Record<string, number> = { customers: 0 };
  for (const [customerId, expected] of docs) {
    const doc = await reopened.customer(customerId);
    if (!doc || !isDeepStrictEqual(doc.customer, expected.customer)) throw new AppError('store_error', `Converting the data folder failed: customer ${customerId} did not read back the same. The old files were kept as they are.`);
    counts.customers += 1;
    for (const list of LISTS) {
      if (!isDeepStrictEqual(doc[list], expected[list])) throw new AppError('store_error', `Converting the data folder failed: the ${list} of customer ${customerId} did not read back the same. The old files were kept as they are.`);
      counts[list] = (counts[list] ?? 0) + doc[list].length;
    }
    for (const list of LISTS) for (const record of doc[list] as Array<{ id?: string }>) if (record.id && reopened.index.ownerOf(record.id) !== customerId) throw new AppError('store_error', `Converting the data folder failed: record ${record.id} lost its owner.`);
  }
  for (const list of LISTS) if ((counts[list] ?? 0) !== data[list].length) throw new AppError('store_error', `Converting the data folder failed: ${data[list].length} ${list} in the old file, ${counts[list] ?? 0} after. The old files were kept as they are.`);
  counts.staff = reopened.shop.data.staff.length;
  counts.prices = reopened.shop.data.prices.length;
  if (!isDeepStrictEqual(reopened.shop.data.staff, data.staff) || !isDeepStrictEqual(reopened.shop.data.prices, data.prices) || !isDeepStrictEqual(reopened.shop.data.settings, data.settings))
    throw new AppError('store_error', 'Converting the data folder failed: the shop settings, staff or prices did not read back the same. The old files were kept as they are.');
  await reopened.close();
  let segmentEntries = 0;
  for (const name of (await readdir(join(staging, AUDIT_DIR))).filter((n) => n.endsWith('.jsonl')).sort()) {
    for (const line of (await readLines(join(staging, AUDIT_DIR, name)))?.lines ?? []) {
      const entry = AuditRecord.parse(JSON.parse(line));
      if (!isDeepStrictEqual(entry, auditEntries[segmentEntries])) throw new AppError('store_error', `Converting the audit log failed at entry ${segmentEntries + 1}. The old files were kept as they are.`);
      segmentEntries += 1;
    }
  }
  if (segmentEntries !== auditEntries.length) throw new AppError('store_error', 'Converting the audit log failed: entries are missing. The old files were kept as they are.');

  const at = now();
  const report: MigrationReport = {
    from: 'v1-single-file',
    at: at.toISOString(),
    readFrom: legacy.path,
    keptAsideIn: join(dataDir, `migrated-from-v1-${at.toISOString().replace(/[:.]/g, '-')}`),
    counts,
    auditEntries: segmentEntries,
  };
  await writeFileAtomic(join(staging, READY_FILE), JSON.stringify(report, null, 2));
  return report;
}

/** Moves the old files aside and the built ones into place; safe to repeat after a crash. */
async function finish(dataDir: string, staging: string, report: MigrationReport): Promise<void> {
  await mkdir(report.keptAsideIn, { recursive: true, mode: 0o700 });
  for (const name of await readdir(dataDir)) {
    if ([LEGACY_APP_FILE, LEGACY_AUDIT_FILE, LEGACY_AUDIT_HEAD_FILE].some((old) => name === old || name.startsWith(`${old}.`))) await rename(join(dataDir, name), join(report.keptAsideIn, name));
  }
  await writeFileAtomic(join(report.keptAsideIn, 'migration-report.json'), JSON.stringify(report, null, 2));
  for (const name of [SHOP_FILE, CUSTOMERS_DIR, AUDIT_DIR, PAYMENTS_DIR]) {
    if (await exists(join(staging, name))) await rename(join(staging, name), join(dataDir, name));
  }
  await syncDirectory(dataDir);
  await rm(staging, { recursive: true, force: true });
}

/** Converts a 0.1 folder if this is one (or finishes a conversion a crash interrupted); null when there is nothing to do. */
export async function migrateLegacyFolder(dataDir: string, ids: IdSource, now: () => Date): Promise<MigrationReport | null> {
  const staging = join(dataDir, STAGING_DIR);
  const ready = await readFileOrNull(join(staging, READY_FILE));
  if (ready) {
    const report = JSON.parse(ready.toString('utf8')) as MigrationReport;
    await finish(dataDir, staging, report);
    return report;
  }
  if (!(await exists(join(dataDir, LEGACY_APP_FILE)))) {
    await rm(staging, { recursive: true, force: true });
    return null;
  }
  const report = await buildMigration(dataDir, ids, now);
  await finish(dataDir, staging, report);
  return report;
}
