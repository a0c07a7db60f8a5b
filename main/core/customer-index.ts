/**
 * What core must find without opening every customer's document: search fields, who owns a record
 * id, and the open work the start-up passes and pollers follow (open setups, pending and
 * processing charges and refunds, subscriptions not yet confirmed). Kept in memory, rebuilt from
 * each committed customer document (cost: that document), persisted by the document store's
 * snapshot and journal.
 */
import { createHash } from 'node:crypto';
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

/** Rows per snapshot block: each block is parsed and applied on its own. */
const ROWS_PER_BLOCK = 5000;

/**
 * A snapshot block is two lines: the columns a cold start needs (the id, the search keys, the
 * e-mail and Stripe lookups, "touched at", rev and open work), then the columns only a customer
 * shown needs (the name as typed, phone, language, created at and by, other fields), which are
 * kept as bytes and parsed the first time one of the block's customers is shown: a cold start
 * decodes and splits less than half the index. The first line carries the SHA-256 of the second,
 * so a damaged second line is found at start, never when a customer is shown.
 *
 * A column of strings is stored as one string, its values joined by U+FDD0 (a Unicode
 * noncharacter, which JSON leaves as it is and no field holds; a column where one does is stored
 * as an array instead): parsing a few long strings and splitting them is several times faster
 * than parsing as many JSON strings. Blocks are applied in order; a later row for the same
 * customer replaces the earlier one (checkpoints append the rows that changed).
 */
interface SnapshotBlock {
  v: 3;
  /** KEYS_VERSION of the search keys `n` and `p`. */
  kv: number;
  /** Rows in the block. */
  rows: number;
  /** The columns of HOT_COLUMNS, each joined by FIELD_SEPARATOR or an array. */
  s: Record<HotColumn, string | string[]>;
  r: number[];
  /** Open work as [kind, id, status] triples, 0 when none. */
  o: Array<Array<[OpenWorkKind, string, string]> | 0>;
  /** SHA-256 (hex) of the block's second line, its ShownColumns. */
  shown: string;
}
/** The block's second line. Starts with SHOWN_LINE_START, so it is told apart without being decoded. */
interface ShownColumns {
  shownOf: 3;
  s: Record<ShownColumn, string | string[]>;
  /** Any other fields of the customer record, as JSON; 0 when none. */
  x: Array<string | 0>;
}
const SHOWN_LINE_START = Buffer.from('{"shownOf":3,');
/** `n`/`p`: the search keys; `t`: touched at. */
const HOT_COLUMNS = ['id', 'email', 'stripe', 'n', 'p', 't'] as const;
/** `byId`/`byName`: createdBy. */
const SHOWN_COLUMNS = ['name', 'phone', 'lang', 'created', 'byId', 'byName'] as const;
type HotColumn = (typeof HOT_COLUMNS)[number];
type ShownColumn = (typeof SHOWN_COLUMNS)[number];
type TextColumn = HotColumn | ShownColumn;
const TEXT_COLUMNS: readonly TextColumn[] = [...HOT_COLUMNS, ...SHOWN_COLUMNS];
const FIELD_SEPARATOR = '\ufdd0';
/** The string columns a row writes into its slot (the id decides the slot). */
const ROW_TEXT_COLUMNS = TEXT_COLUMNS.filter((c) => c !== 'id');
const HOT_ROW_COLUMNS = HOT_COLUMNS.filter((c) => c !== 'id');

function joinColumn(values: string[]): string | string[] {
  return values.some((v) => v.includes(FIELD_SEPARATOR)) ? values : values.join(FIELD_SEPARATOR);
}
function splitColumn(stored: string | string[], rows: number): string[] {
  const values = typeof stored === 'string' ? (rows === 0 ? [] : stored.split(FIELD_SEPARATOR)) : stored;
  if (!Array.isArray(values) || values.length !== rows) throw new Error('an index block has columns of different lengths');
  return values;
}
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const isShownLine = (line: string | Buffer) =>
  typeof line === 'string' ? line.startsWith(SHOWN_LINE_START.toString()) : line.subarray(0, SHOWN_LINE_START.length).equals(SHOWN_LINE_START);

/** A block's columns other than strings, as version 2 wrote them. */
interface RowNumbersAndWork { r: number[]; x: Array<string | 0>; o: SnapshotBlock['o'] }

/** A block as the previous version wrote it: each column an array. Still read, and written afresh. */
interface SnapshotBlockV2 extends Record<TextColumn | 'r' | 'x' | 'o', unknown[]> {
  v: 2;
  kv: number;
}

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
    /** The index in `shownBlocks` whose line still holds this row's shown columns, -1 once they are here. */
    shownFrom: [] as number[],
  };
  /** Second lines of restored blocks, parsed when one of their customers is first shown. */
  private readonly shownBlocks: Array<{ line: Buffer | string | null; ids: string[] }> = [];
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

  /**
   * The row of a committed document. `previous`, the state it replaced, is what the row holds now:
   * when the customer object is the very same, its search keys are kept (a charge or a consent does
   * not parse the phone number again).
   */
  commit(doc: CustomerDoc, previous: CustomerDoc | null = null): void {
    const c = doc.customer;
    const slot = previous?.customer === c ? this.slots.get(c.id) : undefined;
    const keys = slot === undefined ? { n: nameKey(c.name), p: phoneKey(c.phone) } : { n: this.columns.n[slot], p: this.columns.p[slot] };
    this.put({ ...rowOf(c), ...keys, r: doc.rev, t: touchedAtOf(doc), open: openWorkOf(doc) });
  }

  /** The slot of `id`: a new one at the end, or its own with what the old row put in the lookups taken out. */
  private slotFor(id: string): number {
    const cols = this.columns;
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = cols.id.length;
      this.slots.set(id, slot);
      cols.id.push(id);
    } else {
      if (this.byEmailMap?.get(cols.email[slot]) === id) this.byEmailMap.delete(cols.email[slot]);
      if (this.byStripeIdMap?.get(cols.stripe[slot]) === id) this.byStripeIdMap.delete(cols.stripe[slot]);
      for (const work of cols.open[slot] ?? []) this.open.delete(work.id);
    }
    return slot;
  }

  /** Puts what `slotFor` took out back in, for the row now in `slot`. */
  private linkSlot(slot: number): void {
    const cols = this.columns;
    this.byEmailMap?.set(cols.email[slot], cols.id[slot]);
    this.byStripeIdMap?.set(cols.stripe[slot], cols.id[slot]);
    for (const work of cols.open[slot] ?? []) this.open.set(work.id, work);
  }

  private put(row: Row): void {
    const cols = this.columns;
    const slot = this.slotFor(row.id);
    for (const column of ROW_TEXT_COLUMNS) cols[column][slot] = row[column];
    cols.r[slot] = row.r;
    cols.x[slot] = row.x;
    cols.open[slot] = row.open.length ? row.open : null;
    cols.shownFrom[slot] = -1;
    this.linkSlot(slot);
  }

  /** Parses the line that holds the shown columns of `slot`, if not yet: every row of it still current gets them. */
  private ensureShown(slot: number): void {
    const from = this.columns.shownFrom[slot];
    if (from >= 0) this.parseShown(from);
  }

  /**
   * Parses the shown columns still kept as bytes, one block per turn of the event loop (a few ms
   * each), so that the searches after start do not pay for them; a cold start still reads none.
   * A block that cannot be parsed is left as it is (the customer shown from it reports it).
   */
  async fillShown(stopped: () => boolean): Promise<void> {
    for (let from = 0; from < this.shownBlocks.length && !stopped(); from++) {
      try {
        this.parseShown(from);
      } catch {
        // said when one of its customers is shown
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private parseShown(from: number): void {
    const block = this.shownBlocks[from];
    if (block.line === null) return;
    const value = JSON.parse(block.line.toString()) as ShownColumns;
    const rows = block.ids.length;
    const sources = SHOWN_COLUMNS.map((column) => splitColumn(value.s[column], rows));
    if (!Array.isArray(value.x) || value.x.length !== rows) throw new Error('an index block has columns of different lengths');
    const cols = this.columns;
    const targets = SHOWN_COLUMNS.map((column) => cols[column]);
    for (let k = 0; k < rows; k++) {
      const slot = this.slots.get(block.ids[k]);
      if (slot === undefined || cols.shownFrom[slot] !== from) continue; // replaced by a later row
      for (let c = 0; c < targets.length; c++) targets[c][slot] = sources[c][k];
      cols.x[slot] = value.x[k];
      cols.shownFrom[slot] = -1;
    }
    block.line = null;
    block.ids = [];
  }

  private customerAt(slot: number): CustomerRecord {
    this.ensureShown(slot);
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
    for (let from = 0; from < total; from += ROWS_PER_BLOCK) {
      const inBlock = ids ? slots.slice(from, from + ROWS_PER_BLOCK) : Array.from({ length: Math.min(ROWS_PER_BLOCK, total - from) }, (_, k) => from + k);
      for (const slot of inBlock) this.ensureShown(slot);
      const hot = {} as Record<HotColumn, string | string[]>;
      for (const column of HOT_COLUMNS) hot[column] = joinColumn(inBlock.map((slot) => cols[column][slot]));
      const shownText = {} as Record<ShownColumn, string | string[]>;
      for (const column of SHOWN_COLUMNS) shownText[column] = joinColumn(inBlock.map((slot) => cols[column][slot]));
      const shown = JSON.stringify({ shownOf: 3, s: shownText, x: inBlock.map((slot) => cols.x[slot]) } satisfies ShownColumns);
      const block: SnapshotBlock = {
        v: 3,
        kv: KEYS_VERSION,
        rows: inBlock.length,
        s: hot,
        r: inBlock.map((slot) => cols.r[slot]),
        o: inBlock.map((slot) => cols.open[slot]?.map((w): [OpenWorkKind, string, string] => [w.kind, w.id, w.status]) ?? 0),
        shown: sha256(shown),
      };
      yield JSON.stringify(block);
      yield shown;
    }
    if (!ids && this.legacyOwners.size) yield JSON.stringify({ v: 2, legacy: [...this.legacyOwners] });
  }

  /**
   * Applies snapshot lines in order (version 1 and 2 lines); returns the rows applied and whether
   * the snapshot should be written afresh (older lines or search keys); throws on a line that is not one.
   */
  restore(lines: ReadonlyArray<string | Buffer>): { rows: number; rewrite: boolean } {
    let rows = 0;
    let rewrite = false;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (isShownLine(line)) throw new Error('an index line of shown columns has no block before it');
      const value = JSON.parse(line.toString()) as ((SnapshotBlock | SnapshotBlockV2) & { legacy?: Array<[string, string]> }) | SnapshotLineV1;
      if ('v' in value && (value.v === 2 || value.v === 3)) {
        if (value.legacy) {
          for (const [recordId, customerId] of value.legacy) this.legacyOwners.set(recordId, customerId);
          continue;
        }
        if (value.v === 2) {
          rows += this.restoreBlockV2(value);
          rewrite = true;
          continue;
        }
        const shown = lines[i + 1];
        if (shown === undefined) {
          // the last append stopped between a block's two lines: its checkpoint never finished, so the
          // journal replays those rows; the file is written afresh so that nothing follows half a block
          rewrite = true;
          continue;
        }
        if (!isShownLine(shown) || sha256(shown) !== value.shown) throw new Error('the line of shown columns after an index block is missing or damaged');
        i += 1;
        rows += this.restoreBlock(value, typeof shown === 'string' ? shown : Buffer.from(shown));
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

  /** A block of this version: the hot columns now, the shown ones kept as their line (a copy, so the file's buffer is let go). */
  private restoreBlock(block: SnapshotBlock, shownLine: Buffer | string): number {
    const rows = block.rows;
    if (!Number.isInteger(rows) || rows < 0 || typeof block.s !== 'object' || block.s === null) throw new Error('an index line is not a block of customer entries');
    for (const column of ['r', 'o'] as const) {
      if (!Array.isArray(block[column]) || block[column].length !== rows) throw new Error('an index block has columns of different lengths');
    }
    const text = {} as Record<HotColumn, string[]>;
    for (const column of HOT_COLUMNS) text[column] = splitColumn(block.s[column], rows);
    const from = this.shownBlocks.length;
    this.shownBlocks.push({ line: shownLine, ids: text.id });
    const cols = this.columns;
    const targets = HOT_ROW_COLUMNS.map((column) => cols[column]);
    const sources = HOT_ROW_COLUMNS.map((column) => text[column]);
    for (let k = 0; k < rows; k++) {
      const id = text.id[k];
      if (!id || typeof block.r[k] !== 'number') throw new Error('an index row is not a customer entry');
      const slot = this.slotFor(id);
      for (let c = 0; c < targets.length; c++) targets[c][slot] = sources[c][k];
      cols.r[slot] = block.r[k];
      const triples = block.o[k];
      cols.open[slot] = triples ? triples.map(([kind, workId, status]) => ({ kind, id: workId, customerId: id, status })) : null;
      cols.shownFrom[slot] = from;
      this.linkSlot(slot);
    }
    if (block.kv !== KEYS_VERSION) {
      // search keys of an older version: recomputed from the name and phone (in the second line)
      this.parseShown(from);
      for (let k = 0; k < rows; k++) {
        const slot = this.slots.get(text.id[k])!;
        if (cols.shownFrom[slot] !== -1) continue;
        cols.n[slot] = nameKey(cols.name[slot]);
        cols.p[slot] = phoneKey(cols.phone[slot]);
      }
    }
    return rows;
  }

  private restoreBlockV2(block: SnapshotBlockV2): number {
    const rows = Array.isArray(block.id) ? block.id.length : -1;
    const text = {} as Record<TextColumn, string[]>;
    for (const column of TEXT_COLUMNS) text[column] = splitColumn(block[column] as string[], rows);
    return this.applyColumns(text, block as unknown as RowNumbersAndWork, block.kv === KEYS_VERSION);
  }

  /** Applies a version-2 block's rows, column by column into their slots. */
  private applyColumns(text: Record<TextColumn, string[]>, other: RowNumbersAndWork, keysCurrent: boolean): number {
    const ids = text.id;
    const rows = ids.length;
    for (const column of ['r', 'x', 'o'] as const) {
      if (!Array.isArray(other[column]) || other[column].length !== rows) throw new Error('an index block has columns of different lengths');
    }
    if (!keysCurrent) {
      text.n = text.name.map(nameKey);
      text.p = text.phone.map(phoneKey);
    }
    const cols = this.columns;
    const targets = ROW_TEXT_COLUMNS.map((column) => cols[column]);
    const sources = ROW_TEXT_COLUMNS.map((column) => text[column]);
    for (let k = 0; k < rows; k++) {
      const id = ids[k];
      if (!id || typeof other.r[k] !== 'number') throw new Error('an index row is not a customer entry');
      const slot = this.slotFor(id);
      for (let c = 0; c < targets.length; c++) targets[c][slot] = sources[c][k];
      cols.r[slot] = other.r[k];
      cols.x[slot] = other.x[k];
      const triples = other.o[k];
      cols.open[slot] = triples ? triples.map(([kind, workId, status]) => ({ kind, id: workId, customerId: id, status })) : null;
      cols.shownFrom[slot] = -1;
      this.linkSlot(slot);
    }
    return rows;
  }
}
