/**
 * What a data folder holds, read straight from the files (tests only: it reads everything, which
 * the app itself never does).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { AUDIT_DIR } from '../../main/core/audit';
import { AuditRecord, CUSTOMER_DOC_LISTS, CustomerDoc, ShopData, type LegacyAppData } from '../../main/core/data';
import { CUSTOMERS_DIR, SHOP_FILE } from '../../main/core/records';

async function filesUnder(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name))
      .sort();
  } catch {
    return [];
  }
}

/** Every record in the folder, in the shape of the old single file (customers' lists concatenated). */
export async function readStoredData(dataDir: string): Promise<LegacyAppData> {
  const shop = ShopData.parse(JSON.parse(await readFile(join(dataDir, SHOP_FILE), 'utf8')));
  const data: LegacyAppData = {
    schemaVersion: 1,
    terminalId: shop.terminalId,
    settings: shop.settings,
    staff: shop.staff,
    prices: shop.prices,
    customers: [],
    consents: [],
    withdrawals: [],
    setups: [],
    savedMethods: [],
    charges: [],
    refunds: [],
    subscriptions: [],
  };
  const docs = (await filesUnder(join(dataDir, CUSTOMERS_DIR, 'docs'))).filter((f) => f.endsWith('.json') && !f.includes('/.'));
  const parsed = await Promise.all(docs.map(async (file) => CustomerDoc.parse(JSON.parse(await readFile(file, 'utf8')))));
  parsed.sort((a, b) => (a.customer.createdAt < b.customer.createdAt ? -1 : 1));
  for (const doc of parsed) {
    data.customers.push(doc.customer);
    for (const list of CUSTOMER_DOC_LISTS) (data[list] as unknown[]).push(...doc[list]);
  }
  return data;
}

/** Every audit entry on disk, oldest first. */
export async function readAuditEntries(dataDir: string): Promise<AuditRecord[]> {
  const segments = (await filesUnder(join(dataDir, AUDIT_DIR))).filter((f) => f.endsWith('.jsonl'));
  const entries: AuditRecord[] = [];
  for (const file of segments) {
    const text = await readFile(file, 'utf8');
    for (const line of text.split('\n')) if (line) entries.push(AuditRecord.parse(JSON.parse(line)));
  }
  return entries;
}

/** The content of every store file except the audit log: equal snapshots mean nothing was written. */
export async function storeSnapshot(dataDir: string): Promise<string> {
  const files = (await filesUnder(dataDir)).filter((f) => !relative(dataDir, f).startsWith(AUDIT_DIR) && !f.endsWith('.lock'));
  const parts = await Promise.all(files.map(async (f) => `${relative(dataDir, f)}\n${await readFile(f, 'utf8')}`));
  return parts.join('\n---\n');
}

/** The records of one list as the customer store's journal holds them (what is fsynced), oldest first. Synchronous, for request hooks. */
export function journaledRecords(dataDir: string, list: string): unknown[] {
  const dir = join(dataDir, CUSTOMERS_DIR);
  const found: unknown[] = [];
  for (const name of readdirSync(dir).filter((n) => /^journal-\d+\.jsonl$/.test(n)).sort()) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (!line) continue;
      const change = JSON.parse(line) as { set: Record<string, unknown[]> };
      found.push(...(change.set[list] ?? []));
    }
  }
  return found;
}
