/**
 * The local store as core modules use it: the shop's small document (settings, staff, prices,
 * the terminal), one document per customer, and the index over them. Every operation costs the
 * size of what it touches: a customer's document, never all of them.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { STORE_PROBLEM_CODES, type StoreNotice, type StoreProblemCode } from '../../preload/contract';
import { DocumentNotFound, DocumentStore, type DocumentStoreNotice } from '../store/document-store';
import { StoreReadError } from '../store/files';
import { JsonStore, type StoreFileNotice } from '../store/json-store';
import { CustomerIndex } from './customer-index';
import {
  CUSTOMER_DOC_FIELDS,
  CUSTOMER_DOC_KEYS,
  CUSTOMER_DOC_VERSION,
  CustomerDoc,
  customerDocMigrations,
  defaultShopData,
  emptyCustomerDoc,
  SHOP_DATA_VERSION,
  ShopData,
  shopDataMigrations,
  type CustomerRecord,
} from './data';
import { AppError } from './errors';
import { PaymentsLedger, PAYMENTS_DIR } from './payments-ledger';
import type { IdSource } from './ports';

export const SHOP_FILE = 'shop.json';
export const CUSTOMERS_DIR = 'customers';

/** The file of one customer's document (for tools and tests; core goes through Records). */
export function customerDocPath(dataDir: string, customerId: string): string {
  return DocumentStore.pathOf(join(dataDir, CUSTOMERS_DIR), customerId);
}

export interface Records {
  /** Settings, staff, prices and the terminal id: small, read from memory, each change written whole. */
  shop: JsonStore<ShopData>;
  index: CustomerIndex;
  /** Every charge and refund by day, written after each committed change (a derived view). */
  payments: PaymentsLedger;
  /** The customer's document (read-only), or null. */
  customer(customerId: string): Promise<Readonly<CustomerDoc> | null>;
  /** The customer's document; `not_found` when there is none. */
  requireCustomer(customerId: string): Promise<Readonly<CustomerDoc>>;
  /** The document of the customer a record id belongs to; `not_found` when there is none. */
  ownerDoc(recordId: string, what: string): Promise<Readonly<CustomerDoc>>;
  /** Changes one customer's document: `change` runs on a copy; what changed is checked and committed durably. */
  updateCustomer<R>(customerId: string, change: (doc: CustomerDoc) => R): Promise<R>;
  /**
   * Adds a rule run on every change of a customer's document after the change itself, inside the
   * same durable commit (the e-mail a new record owes is marked by one). A rule must not throw.
   */
  addCommitRule(rule: (previous: Readonly<CustomerDoc> | null, draft: CustomerDoc) => void): void;
  /** Told after each change is committed (not while the journal is replayed at start); must return at once. */
  onCommitted(listener: (customerId: string, doc: Readonly<CustomerDoc>) => void): void;
  /** Creates the customer's document; `guard` runs inside the write (with every earlier write done) and may refuse. */
  createCustomer(record: CustomerRecord, guard?: () => void): Promise<void>;
  /** The newest audit seq the store's journal saw since its last checkpoint (a witness against a log cut short). */
  auditSeqSeen: number;
  /** A new id for a record of this customer (it says whose it is, so it is found without a lookup table). */
  newId(prefix: string, customerId: string): string;
  notices: StoreNotice[];
  /** Told of a damaged document found after start (when a customer is opened). */
  onNotice(listener: (notice: StoreNotice) => void): void;
  checkpoint(): Promise<void>;
  /** Resolves once the writes queued so far have written their documents' files (for measuring and tests). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** A store's notice as the renderer shows it: what was wrong (a code for the user's language) and what became of the file. */
export function toStoreNotice(notice: DocumentStoreNotice | StoreFileNotice, kind: 'document' | 'shop'): StoreNotice {
  const { file, problem, keptAsidePath, restoredFrom, at } = notice;
  const missing = 'missing' in notice ? notice.missing : [];
  const code = (STORE_PROBLEM_CODES as readonly string[]).includes(notice.code) ? (notice.code as StoreProblemCode) : 'other';
  // a document without a backup copy is rebuilt from the journal alone; the shop file has no journal
  const outcome = missing.length ? 'incomplete' : restoredFrom ? 'restored_from_backup' : kind === 'document' ? 'recovered' : 'started_empty';
  return { file, code, params: notice.params, problem, outcome, missing, keptAsidePath: keptAsidePath ?? '', restoredFrom, at };
}

export async function openRecords(options: {
  dataDir: string;
  ids: IdSource;
  now: () => Date;
  auditHead?: () => number;
  checkpointEvery?: number;
  /** The terminal's time zone, which decides a payment's day (default: this machine's). */
  timeZone?: string;
}): Promise<Records> {
  const { dataDir, ids } = options;
  const shop = await JsonStore.open<ShopData>({
    path: join(dataDir, SHOP_FILE),
    schema: ShopData,
    version: SHOP_DATA_VERSION,
    migrations: shopDataMigrations,
    defaults: () => defaultShopData(`term_${randomUUID()}`),
    now: options.now,
  });

  const index = new CustomerIndex();
  const payments = new PaymentsLedger(join(dataDir, PAYMENTS_DIR), {
    timeZone: options.timeZone ?? (Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'),
    now: options.now,
    terminal: () => ({ id: shop.data.terminalId, name: shop.data.settings.terminalName }),
  });
  /** Customers whose ledger lines could not be written (retried with the next change). */
  const ledgerBehind = new Set<string>();
  const commitRules: Array<(previous: Readonly<CustomerDoc> | null, draft: CustomerDoc) => void> = [];
  const committedListeners: Array<(customerId: string, doc: Readonly<CustomerDoc>) => void> = [];
  /** Documents the journal replayed while opening: their ledger lines may have been lost in a crash. */
  let replayed: Set<string> | null = new Set();
  const customers = await DocumentStore.open<CustomerDoc>({
    dir: join(dataDir, CUSTOMERS_DIR),
    schema: CustomerDoc,
    version: CUSTOMER_DOC_VERSION,
    migrations: customerDocMigrations,
    keys: CUSTOMER_DOC_KEYS as never,
    parseField: (field, value) => {
      const schema = CUSTOMER_DOC_FIELDS[field];
      if (!schema) throw new Error(`A customer document has no field ${field}.`);
      return schema.parse(value);
    },
    beforeCommit: (_id, previous, draft) => {
      for (const rule of commitRules) rule(previous, draft);
    },
    onCommit: (id, doc, how, previous) => {
      index.commit(doc, previous);
      // only the journal's documents may have lost ledger lines in a crash (a rebuilt index reads every document: not those)
      if (how === 'replay') replayed?.add(id);
    },
    afterCommit: async (id, previous, next) => {
      for (const listener of committedListeners) listener(id, next);
      // The change is committed whatever happens here: a failed ledger write (a full disk) must not
      // turn it into an error. The customer is remembered and their ledger lines are written again
      // with the next change that succeeds (and, after a crash, at start from the journal).
      try {
        const repairSelf = ledgerBehind.has(id);
        for (const behindId of [...ledgerBehind]) {
          const doc = behindId === id ? next : await customers.get(behindId);
          if (doc) await payments.reconcile([doc]);
          ledgerBehind.delete(behindId);
        }
        // appended after the answer, like the document's file: the journal holds the change meanwhile
        if (!repairSelf) void payments.record(previous, next).catch(() => ledgerBehind.add(id));
      } catch {
        ledgerBehind.add(id);
      }
    },
    index: { snapshot: (ids) => index.snapshot(ids), restore: (lines) => index.restore(lines), size: () => index.size },
    // the ledger's lines are written without fsync; the journal gives them back until a checkpoint drops it
    beforeCheckpoint: () => payments.sync(),
    expectedRev: (id) => index.rev(id),
    now: options.now,
    ...(options.auditHead ? { auditHead: options.auditHead } : {}),
    ...(options.checkpointEvery ? { checkpointEvery: options.checkpointEvery } : {}),
  });

  const toReconcile = replayed;
  replayed = null;
  for (const id of toReconcile) {
    // one at a time: the cost is the journal's documents, never all of them held at once
    const doc = await customers.get(id).catch(() => null);
    if (doc) await payments.reconcile([doc]);
  }

  const notices: StoreNotice[] = [...shop.notices.map((n) => toStoreNotice(n, 'shop')), ...customers.notices.map((n) => toStoreNotice(n, 'document'))];
  if (shop.lost) {
    // Never start empty over data that was kept aside: no "create the first manager" for whoever is at the counter.
    throw new AppError(
      'store_error',
      `The shop file ${join(dataDir, SHOP_FILE)} is damaged and none of its backups could be read. It was kept aside at ${shop.notices[0]?.keptAsidePath}. ` +
        'Nothing was overwritten. A manager can put back a good copy of shop.json (or one of its .backup-N files) and start again.',
    );
  }

  /**
   * A file that could not be read at all (not a damaged one) is reported with its real cause, and
   * nothing is moved; a document that could not be rebuilt is said as such, never as an internal error.
   */
  const asCallError = (error: unknown, customerId: string): unknown => {
    if (error instanceof StoreReadError) return new AppError('store_error', error.message);
    if (error instanceof DocumentNotFound) return new AppError('not_found', `The records of customer ${customerId} could not be read or recovered (see the store warning).`);
    return error;
  };
  const read = (customerId: string) => customers.get(customerId).catch((error: unknown) => Promise.reject(asCallError(error, customerId)));
  const requireCustomer = async (customerId: string) => {
    const doc = index.has(customerId) ? await read(customerId) : null;
    if (!doc) throw new AppError('not_found', `There is no customer with id ${customerId}.`);
    return doc;
  };

  return {
    shop,
    index,
    payments,
    customer: async (customerId) => (index.has(customerId) ? read(customerId) : null),
    requireCustomer,
    async ownerDoc(recordId, what) {
      const owner = index.ownerOf(recordId);
      if (!owner) throw new AppError('not_found', `There is no ${what} with id ${recordId}.`);
      return requireCustomer(owner);
    },
    async updateCustomer(customerId, change) {
      if (!index.has(customerId)) throw new AppError('not_found', `There is no customer with id ${customerId}.`);
      return customers.update(customerId, change).catch((error: unknown) => Promise.reject(asCallError(error, customerId)));
    },
    addCommitRule(rule) {
      commitRules.push(rule);
    },
    onCommitted(listener) {
      committedListeners.push(listener);
    },
    async createCustomer(record, guard) {
      await customers.update(record.id, () => guard?.(), () => emptyCustomerDoc(record));
    },
    auditSeqSeen: customers.auditSeqSeen,
    newId: (prefix, customerId) => CustomerIndex.ownedId(ids.next(prefix), customerId),
    notices,
    onNotice(listener) {
      customers.listen((notice) => listener(toStoreNotice(notice, 'document')));
    },
    checkpoint: () => customers.checkpoint(),
    settled: async () => {
      await customers.settled();
      await payments.settled();
    },
    close: async () => {
      await customers.close();
      await payments.close();
    },
  };
}
