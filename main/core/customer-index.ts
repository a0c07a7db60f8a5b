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
export type OpenWorkKind = 'setup' | 'charge' | 'refund' | 'subscription' | 'evidence' | 'withdrawalShare';
/** `status` is the record's: pollers follow only what Stripe is still processing. */
export interface OpenWork { kind: OpenWorkKind; id: string; customerId: string; status: string }

interface Entry {
  customer: CustomerRecord;
  rev: number;
  /** The newest thing that happened to this customer (for "recent customers"). */
  touchedAt: string;
  open: OpenWork[];
  nameKey: string;
  phoneKey: string;
}

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

export class CustomerIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly byEmail = new Map<string, string>();
  private readonly byStripeId = new Map<string, string>();
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
      return this.entries.has(owner) ? owner : null;
    }
    return this.legacyOwners.get(recordId) ?? null;
  }

  setLegacyOwner(recordId: string, customerId: string): void {
    this.legacyOwners.set(recordId, customerId);
  }

  commit(doc: CustomerDoc): void {
    const id = doc.customer.id;
    const previous = this.entries.get(id);
    if (previous) {
      if (this.byEmail.get(previous.customer.email) === id) this.byEmail.delete(previous.customer.email);
      for (const work of previous.open) this.open.delete(work.id);
    }
    const entry: Entry = {
      customer: doc.customer,
      rev: doc.rev,
      touchedAt: touchedAtOf(doc),
      open: openWorkOf(doc),
      nameKey: nameKey(doc.customer.name),
      phoneKey: phoneKey(doc.customer.phone),
    };
    this.entries.set(id, entry);
    this.byEmail.set(doc.customer.email, id);
    this.byStripeId.set(doc.customer.stripeCustomerId, id);
    for (const work of entry.open) this.open.set(work.id, work);
  }

  has(customerId: string): boolean {
    return this.entries.has(customerId);
  }
  rev(customerId: string): number {
    return this.entries.get(customerId)?.rev ?? 0;
  }
  customer(customerId: string): CustomerRecord | null {
    return this.entries.get(customerId)?.customer ?? null;
  }
  customerByEmail(email: string): CustomerRecord | null {
    const id = this.byEmail.get(email);
    return id ? this.customer(id) : null;
  }
  customerByStripeId(stripeCustomerId: string): CustomerRecord | null {
    const id = this.byStripeId.get(stripeCustomerId);
    return id ? this.customer(id) : null;
  }
  get size(): number {
    return this.entries.size;
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
    for (const entry of this.entries.values()) {
      if (entry.nameKey.includes(name) || entry.customer.email.includes(email) || (usePhone && entry.phoneKey.includes(phone))) {
        hits.push(entry.customer);
        if (hits.length >= limit) break;
      }
    }
    return hits;
  }

  /** The customers something happened to most recently, newest first. */
  recent(limit: number): CustomerRecord[] {
    const newest: Entry[] = [];
    for (const entry of this.entries.values()) {
      if (newest.length < limit) newest.push(entry);
      else if (entry.touchedAt > newest[newest.length - 1].touchedAt) newest[newest.length - 1] = entry;
      else continue;
      newest.sort((a, b) => (a.touchedAt < b.touchedAt ? 1 : -1));
    }
    return newest.map((e) => e.customer);
  }

  // ------------------------------------------------ persistence (document store snapshot)

  snapshot(): string[] {
    const lines: string[] = [];
    // the search keys go along (with their version), so a cold start need not recompute them
    for (const entry of this.entries.values())
      lines.push(JSON.stringify({ c: entry.customer, r: entry.rev, t: entry.touchedAt, o: entry.open.map((w) => [w.kind, w.id, w.status]), k: [KEYS_VERSION, entry.nameKey, entry.phoneKey] }));
    for (const [recordId, customerId] of this.legacyOwners) lines.push(JSON.stringify({ l: [recordId, customerId] }));
    return lines;
  }

  restore(lines: string[]): void {
    for (const line of lines) {
      const value = JSON.parse(line) as { c?: CustomerRecord; r?: number; t?: string; o?: Array<[OpenWorkKind, string, string]>; l?: [string, string]; k?: [number, string, string] };
      if (value.l) {
        this.legacyOwners.set(value.l[0], value.l[1]);
        continue;
      }
      if (!value.c || typeof value.c.id !== 'string' || typeof value.r !== 'number') throw new Error('an index line is not a customer entry');
      const customer = value.c;
      const open = (value.o ?? []).map(([kind, id, status]) => ({ kind, id, customerId: customer.id, status }));
      const keys = value.k?.[0] === KEYS_VERSION ? value.k : null;
      this.entries.set(customer.id, {
        customer,
        rev: value.r,
        touchedAt: value.t ?? customer.createdAt,
        open,
        nameKey: keys ? keys[1] : nameKey(customer.name),
        phoneKey: keys ? keys[2] : phoneKey(customer.phone),
      });
      this.byEmail.set(customer.email, customer.id);
      this.byStripeId.set(customer.stripeCustomerId, customer.id);
      for (const work of open) this.open.set(work.id, work);
    }
  }
}
