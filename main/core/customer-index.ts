/**
 * What core must find without opening every customer's document: search fields, who owns a record
 * id, and the open work the start-up passes and pollers follow (open setups, pending and
 * processing charges and refunds, subscriptions not yet confirmed). Kept in memory, rebuilt from
 * each committed customer document (cost: that document), persisted by the document store's
 * snapshot and journal.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { CustomerDoc, CustomerRecord } from './data';

/** Kinds of open work, each followed by its own pass. */
export type OpenWorkKind = 'setup' | 'charge' | 'refund' | 'subscription' | 'evidence' | 'withdrawalShare' | 'mail';
/** `status` is the record's: pollers follow only what Stripe is still processing. */
export interface OpenWork { kind: OpenWorkKind; id: string; customerId: string; status: string }

/** How names are compared: NFKC (full-width → half-width Latin, half-width kana → full-width), case-folded, every space removed. */
export function nameKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}

/**
 * How phone numbers are compared: the national significant number, so "09012345678",
 * "090-1234-5678" and "+81 90-1234-5678" are the same number (an international number is parsed
 * for its country code; a national one loses its trunk prefix 0).
 */
export function phoneKey(text: string): string {
  const normalized = text.normalize('NFKC').trim();
  const international = normalized.startsWith('+') ? normalized : normalized.startsWith('00') ? `+${normalized.replace(/^00/, '')}` : null;
  if (international) {
    const parsed = parsePhoneNumberFromString(international);
    if (parsed) return String(parsed.nationalNumber);
  }
  return normalized.replace(/\D/g, '').replace(/^0+/, '');
}

function openWorkOf(doc: CustomerDoc): OpenWork[] {
  const customerId = doc.customer.id;
  const open: OpenWork[] = [];
  for (const s of doc.setups) if (s.status === 'open') open.push({ kind: 'setup', id: s.id, customerId, status: s.status });
  for (const c of doc.charges) if (c.status === 'pending' || c.status === 'processing') open.push({ kind: 'charge', id: c.id, customerId, status: c.status });
  for (const r of doc.refunds) if (r.status === 'pending' || r.status === 'processing') open.push({ kind: 'refund', id: r.id, customerId, status: r.status });
  for (const s of doc.subscriptions) if (s.stripeSubscriptionId === null && s.status === 'incomplete') open.push({ kind: 'subscription', id: s.id, customerId, status: s.status });
  // writes to Stripe still queued (stripe-share.ts): the evidence of a consent, a withdrawal
  for (const c of doc.consents) if (c.stripeEvidence && c.stripeEvidence.state !== 'uploaded') open.push({ kind: 'evidence', id: c.id, customerId, status: c.stripeEvidence.state });
  for (const w of doc.withdrawals) if (w.stripeShare && w.stripeShare.state !== 'uploaded') open.push({ kind: 'withdrawalShare', id: w.id, customerId, status: w.stripeShare.state });
  // e-mail a record owes and the outbox does not hold yet (mail.ts): the start-up pass queues it
  for (const m of doc.mail ?? []) if (m.state === 'owed') open.push({ kind: 'mail', id: m.id, customerId, status: m.state });
  return open;
}

function touchedAtOf(doc: CustomerDoc): string {
  let newest = doc.customer.createdAt;
  const consider = (at: string | null | undefined) => {
    if (at && at > newest) newest = at;
  };
  for (const c of doc.consents) consider(c.acceptedAtUtc);
  for (const s of doc.setups) consider(s.finishedAt ?? s.createdAt);
  for (const c of doc.charges) consider(c.finishedAt ?? c.createdAt);
  for (const r of doc.refunds) consider(r.createdAt);
  return newest;
}

/** Version of nameKey/phoneKey: bump it when either changes, so snapshots recompute them. */
const KEYS_VERSION = 1;

/** The separator between a record's own id and the customer it belongs to. */
const OWNER_SEPARATOR = '.';

/** Rows per snapshot line: each line is parsed and applied on its own. */
const ROWS_PER_LINE = 5000;

/**
 * One snapshot line: a block of rows as columns (arrays of strings and numbers parse several times
 * faster than as many objects, and hold no object per customer). Lines are applied in order; a
 * later row for the same customer replaces the earlier one (checkpoints append the rows that changed).
 */
interface SnapshotBlock {
  v: 2;
  /** KEYS_VERSION of the search keys `n` and `p`. */
  kv: number;
  id: string[];
  name: string[];
  email: string[];
  phone: string[];
  lang: string[];
  stripe: string[];
  created: string[];
  /** createdBy.staffId and createdBy.name */
  byId: string[];
  byName: string[];
  /** Any other fields of the customer record, as JSON; 0 when none. */
  x: Array<string | 0>;
  n: string[];
  p: string[];
  r: number[];
  t: string[];
  /** Open work as [kind, id, status] triples, 0 when none. */
  o: Array<Array<[OpenWorkKind, string, string]> | 0>;
}
const BLOCK_COLUMNS = ['name', 'email', 'phone', 'lang', 'stripe', 'created', 'byId', 'byName', 'x', 'n', 'p', 'r', 't', 'o'] as const;

/** The index snapshot lines of version 1 (one JSON object per customer), still read. */
interface SnapshotLineV1 { c?: CustomerRecord; r?: number; t?: string; o?: Array<[OpenWorkKind, string, string]>; l?: [string, string]; k?: [number, string, string] }

interface Row {
  id: string;
  name: string;
  email: string;
  phone: string;
  lang: string;
  stripe: string;
  created: string;
  byId: string;
  byName: string;
  x: string | 0;
  n: string;
  p: string;
  r: number;
  t: string;
  open: OpenWork[];
}

/** A customer record as the columns keep it: the fields every record has, and the rest as JSON. */
function rowOf(c: CustomerRecord): Omit<Row, 'n' | 'p' | 'r' | 't' | 'open'> {
  const { id, name, email, phone, language, stripeCustomerId, createdAt, createdBy, ...rest } = c;
  const extra: Record<string, unknown> = rest;
  const plainActor = Object.keys(createdBy).length === 2;
  if (!plainActor) extra.createdBy = createdBy;
  return { id, name, email, phone, lang: language, stripe: stripeCustomerId, created: createdAt, byId: plainActor ? createdBy.staffId : '', byName: plainActor ? createdBy.name : '', x: Object.keys(extra).length ? JSON.stringify(extra) : 0 };
}

/**
 * In memory as columns indexed by a slot per customer: a cold start fills arrays of strings, not a
 * hundred thousand objects, and a search scans three arrays of short strings. The e-mail and Stripe
 * id lookups are built the first time they are asked for, not at start.
 */
export class CustomerIndex {
  private readonly slots = new Map<string, number>();
  private readonly columns = {
    id: [] as string[],
    name: [] as string[],
    email: [] as string[],
    phone: [] as string[],
    lang: [] as string[],
    stripe: [] as string[],
    created: [] as string[],
    byId: [] as string[],
    byName: [] as string[],
    x: [] as Array<string | 0>,
    /** search keys: nameKey and phoneKey */
    n: [] as string[],
    p: [] as string[],
    r: [] as number[],
    /** The newest thing that happened to each customer (for "recent customers"). */
    t: [] as string[],
    open: [] as Array<OpenWork[] | null>,
  };
  private byEmailMap: Map<string, string> | null = null;
  private byStripeIdMap: Map<string, string> | null = null;
  private readonly open = new Map<string, OpenWork>();
  /** Owners of ids written before ids carried their customer (migrated from version 1). */
  private readonly legacyOwners = new Map<string, string>();

  /** A record id that says whose it is: `chg_…` + `.` + the customer id. */
  static ownedId(id: string, customerId: string): string {
    return `${id}${OWNER_SEPARATOR}${customerId}`;
  }

  /** The customer a record id belongs to, or null when the id is not one of ours. */
  ownerOf(recordId: string): string | null {
    const at = recordId.lastIndexOf(OWNER_SEPARATOR);
    if (at > 0) {
      const owner = recordId.slice(at + 1);
      return this.slots.has(owner) ? owner : null;
    }
    return this.legacyOwners.get(recordId) ?? null;
  }

  setLegacyOwner(recordId: string, customerId: string): void {
    this.legacyOwners.set(recordId, customerId);
  }

  commit(doc: CustomerDoc): void {
    const c = doc.customer;
    this.put({ ...rowOf(c), n: nameKey(c.name), p: phoneKey(c.phone), r: doc.rev, t: touchedAtOf(doc), open: openWorkOf(doc) });
  }

  private put(row: Row): void {
    const cols = this.columns;
    let slot = this.slots.get(row.id);
    if (slot === undefined) {
      slot = cols.id.length;
      this.slots.set(row.id, slot);
      cols.id.push(row.id);
    } else {
      if (this.byEmailMap?.get(cols.email[slot]) === row.id) this.byEmailMap.delete(cols.email[slot]);
      if (this.byStripeIdMap?.get(cols.stripe[slot]) === row.id) this.byStripeIdMap.delete(cols.stripe[slot]);
      for (const work of cols.open[slot] ?? []) this.open.delete(work.id);
    }
    for (const column of BLOCK_COLUMNS) if (column !== 'o') (cols[column] as unknown[])[slot] = row[column];
    cols.open[slot] = row.open.length ? row.open : null;
    this.byEmailMap?.set(row.email, row.id);
    this.byStripeIdMap?.set(row.stripe, row.id);
    for (const work of row.open) this.open.set(work.id, work);
  }

  private customerAt(slot: number): CustomerRecord {
    const cols = this.columns;
    const extra = cols.x[slot];
    return {
      id: cols.id[slot],
      name: cols.name[slot],
      email: cols.email[slot],
      phone: cols.phone[slot],
      language: cols.lang[slot] as CustomerRecord['language'],
      stripeCustomerId: cols.stripe[slot],
      createdAt: cols.created[slot],
      createdBy: { staffId: cols.byId[slot], name: cols.byName[slot] },
      ...(extra ? (JSON.parse(extra) as Partial<CustomerRecord>) : {}),
    };
  }

  /** A lookup by one column, built from the columns when first asked for, then kept up to date by `put`. */
  private lookup(column: 'email' | 'stripe'): Map<string, string> {
    const built = column === 'email' ? this.byEmailMap : this.byStripeIdMap;
    if (built) return built;
    const map = new Map<string, string>();
    const values = this.columns[column];
    for (let slot = 0; slot < values.length; slot++) map.set(values[slot], this.columns.id[slot]);
    if (column === 'email') this.byEmailMap = map;
    else this.byStripeIdMap = map;
    return map;
  }

  has(customerId: string): boolean {
    return this.slots.has(customerId);
  }
  rev(customerId: string): number {
    const slot = this.slots.get(customerId);
    return slot === undefined ? 0 : this.columns.r[slot];
  }
  customer(customerId: string): CustomerRecord | null {
    const slot = this.slots.get(customerId);
    return slot === undefined ? null : this.customerAt(slot);
  }
  customerByEmail(email: string): CustomerRecord | null {
    const id = this.lookup('email').get(email);
    return id ? this.customer(id) : null;
  }
  customerByStripeId(stripeCustomerId: string): CustomerRecord | null {
    const id = this.lookup('stripe').get(stripeCustomerId);
    return id ? this.customer(id) : null;
  }
  get size(): number {
    return this.columns.id.length;
  }

  /** Open work of one kind (or all), oldest first by id order of insertion. */
  openWork(kind?: OpenWorkKind): OpenWork[] {
    const all = [...this.open.values()];
    return kind ? all.filter((w) => w.kind === kind) : all;
  }

  /** Customers whose name, e-mail or phone matches `query` (see nameKey and phoneKey), at most `limit`. */
  search(query: string, limit: number): CustomerRecord[] {
    const name = nameKey(query);
    const email = query.normalize('NFKC').trim().toLowerCase();
    const phone = /^[+0-9 ()\-\u3000-]+$/.test(query.normalize('NFKC').trim()) ? phoneKey(query) : '';
    const usePhone = phone.length >= 3;
    const hits: CustomerRecord[] = [];
    const { n: nameKeys, email: emails, p: phoneKeys } = this.columns;
    for (let slot = 0; slot < nameKeys.length && hits.length < limit; slot++) {
      if (nameKeys[slot].includes(name) || emails[slot].includes(email) || (usePhone && phoneKeys[slot].includes(phone))) hits.push(this.customerAt(slot));
    }
    return hits;
  }

  /** The customers something happened to most recently, newest first. */
  recent(limit: number): CustomerRecord[] {
    const newest: number[] = [];
    const at = this.columns.t;
    for (let slot = 0; slot < at.length; slot++) {
      if (newest.length < limit) newest.push(slot);
      else if (at[slot] > at[newest[newest.length - 1]]) newest[newest.length - 1] = slot;
      else continue;
      newest.sort((a, b) => (at[a] < at[b] ? 1 : -1));
    }
    return newest.map((slot) => this.customerAt(slot));
  }

  // ------------------------------------------------ persistence (document store snapshot)

  /**
   * Snapshot lines of the given customers (all of them when `ids` is omitted), a block of rows per
   * line, plus the legacy owners with a full snapshot. A generator: the caller may yield to other
   * work between lines, and each line holds each of its rows as of one moment.
   */
  *snapshot(ids?: Iterable<string>): Generator<string> {
    const cols = this.columns;
    const slots: number[] = [];
    if (ids) {
      for (const id of ids) {
        const slot = this.slots.get(id);
        if (slot !== undefined) slots.push(slot);
      }
    }
    const total = ids ? slots.length : cols.id.length;
    for (let from = 0; from < total; from += ROWS_PER_LINE) {
      const block: SnapshotBlock = { v: 2, kv: KEYS_VERSION, id: [], name: [], email: [], phone: [], lang: [], stripe: [], created: [], byId: [], byName: [], x: [], n: [], p: [], r: [], t: [], o: [] };
      for (let k = from; k < Math.min(total, from + ROWS_PER_LINE); k++) {
        const slot = ids ? slots[k] : k;
        block.id.push(cols.id[slot]);
        for (const column of BLOCK_COLUMNS) {
          if (column === 'o') {
            const open = cols.open[slot];
            block.o.push(open ? open.map((w) => [w.kind, w.id, w.status]) : 0);
          } else (block[column] as unknown[]).push(cols[column][slot]);
        }
      }
      yield JSON.stringify(block);
    }
    if (!ids && this.legacyOwners.size) yield JSON.stringify({ v: 2, legacy: [...this.legacyOwners] });
  }

  /**
   * Applies snapshot lines in order (version 1 and 2 lines); returns the rows applied and whether
   * the snapshot should be written afresh (older lines or search keys); throws on a line that is not one.
   */
  restore(lines: string[]): { rows: number; rewrite: boolean } {
    let rows = 0;
    let rewrite = false;
    for (const line of lines) {
      const value = JSON.parse(line) as (SnapshotBlock & { legacy?: Array<[string, string]> }) | SnapshotLineV1;
      if ('v' in value && value.v === 2) {
        if (value.legacy) {
          for (const [recordId, customerId] of value.legacy) this.legacyOwners.set(recordId, customerId);
          continue;
        }
        rows += this.restoreBlock(value);
        if (value.kv !== KEYS_VERSION) rewrite = true;
        continue;
      }
      const old = value as SnapshotLineV1;
      rewrite = true;
      if (old.l) {
        this.legacyOwners.set(old.l[0], old.l[1]);
        continue;
      }
      if (!old.c || typeof old.c.id !== 'string' || typeof old.r !== 'number') throw new Error('an index line is not a customer entry');
      const c = old.c;
      const keys = old.k?.[0] === KEYS_VERSION ? old.k : null;
      const open = (old.o ?? []).map(([kind, id, status]) => ({ kind, id, customerId: c.id, status }));
      this.put({ ...rowOf(c), n: keys ? keys[1] : nameKey(c.name), p: keys ? keys[2] : phoneKey(c.phone), r: old.r, t: old.t ?? c.createdAt, open });
      rows += 1;
    }
    return { rows, rewrite };
  }

  private restoreBlock(block: SnapshotBlock): number {
    const n = block.id.length;
    for (const column of BLOCK_COLUMNS) {
      if (!Array.isArray(block[column]) || block[column].length !== n) throw new Error('an index block has columns of different lengths');
    }
    const keysCurrent = block.kv === KEYS_VERSION;
    for (let k = 0; k < n; k++) {
      const id = block.id[k];
      if (typeof id !== 'string' || typeof block.name[k] !== 'string' || typeof block.r[k] !== 'number') throw new Error('an index row is not a customer entry');
      const triples = block.o[k];
      const open = triples ? triples.map(([kind, workId, status]) => ({ kind, id: workId, customerId: id, status })) : [];
      this.put({
        id,
        name: block.name[k],
        email: block.email[k],
        phone: block.phone[k],
        lang: block.lang[k],
        stripe: block.stripe[k],
        created: block.created[k],
        byId: block.byId[k],
        byName: block.byName[k],
        x: block.x[k],
        n: keysCurrent ? block.n[k] : nameKey(block.name[k]),
        p: keysCurrent ? block.p[k] : phoneKey(block.phone[k]),
        r: block.r[k],
        t: block.t[k],
        open,
      });
    }
    return n;
  }
}
