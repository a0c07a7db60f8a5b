/**
 * The shop-wide payments ledger: a derived view of every charge and refund, one JSON-lines file per
 * day (`payments/<YYYY-MM-DD>.jsonl`, the record's creation date in the terminal's time zone), one
 * line per state (a new line when a charge or refund is created or changes). The newest line per id
 * wins. Customer documents stay the source of truth: a line lost in a crash (the change committed,
 * its ledger append not, or not yet on disk) is written again at the next start from the journal's
 * replay (`reconcile`). Lines are appended without an fsync each (the journal's fsync is the
 * change's one): the store's checkpoint calls `sync()` before it drops a journal.
 * Reading a range reads only that range's day files.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { AppendLog, readLines } from '../store/files';
import { CURRENCIES } from '../../preload/contract';
import type { ChargeRecord, CustomerDoc, RefundRecord } from './data';

export const PAYMENTS_DIR = 'payments';

export const LedgerLine = z.object({
  v: z.literal(1),
  kind: z.enum(['charge', 'refund']),
  id: z.string(),
  customerId: z.string(),
  /** The charge a refund belongs to (null for a charge). */
  chargeId: z.string().nullable(),
  amount: z.number().int().positive(),
  currency: z.enum(CURRENCIES),
  status: z.string(),
  description: z.string(),
  staff: z.object({ staffId: z.string(), name: z.string() }),
  terminal: z.object({ id: z.string(), name: z.string() }),
  createdAt: z.string(),
  /** When this line was written. */
  at: z.string(),
  /** Added later (absent in older lines): a charge's dispute. */
  dispute: z.object({ id: z.string(), status: z.string(), reason: z.string(), amount: z.number().int(), dueBy: z.string().nullable() }).nullable().optional(),
  /** Added later: made at another desk (learnt from Stripe's events). */
  fromOtherDesk: z.boolean().optional(),
});
export type LedgerLine = z.infer<typeof LedgerLine>;

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of `iso` in `timeZone`, as YYYY-MM-DD. */
export function dayIn(iso: string, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) dayFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return format.format(new Date(iso));
}

export interface Terminal { id: string; name: string }

/** What of a record a ledger line keeps: a change to any of these writes a new line. */
function stateOf(line: Pick<LedgerLine, 'status' | 'amount' | 'currency' | 'description' | 'dispute'>): string {
  const dispute = line.dispute ? `|${line.dispute.id}|${line.dispute.status}|${line.dispute.dueBy}` : '';
  return `${line.status}|${line.amount}|${line.currency}|${line.description}${dispute}`;
}

/**
 * The charges and refunds of `doc` that are not the very same objects in `other`, with every refund
 * of a changed charge (a refund's line carries its charge's description).
 */
function changedRecords(doc: Readonly<CustomerDoc>, other: Readonly<CustomerDoc>): RecordsOf {
  const same = new Set<object>([...other.charges, ...other.refunds]);
  const charges = doc.charges.filter((c) => !same.has(c));
  const changedCharges = new Set(charges.map((c) => c.id));
  return { charges, refunds: doc.refunds.filter((r) => !same.has(r) || changedCharges.has(r.chargeId)) };
}

type RecordsOf = Pick<CustomerDoc, 'charges' | 'refunds'>;

export class PaymentsLedger {
  private readonly logs = new Map<string, AppendLog>();
  /** Day files appended to since the last `sync()`. */
  private readonly unsynced = new Set<string>();
  private opening = new Map<string, Promise<AppendLog>>();
  /** The appends `record` has started, in commit order: reads, syncs and close wait for them. */
  private recording: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly options: { timeZone: string; now: () => Date; terminal: () => Terminal },
  ) {}

  static dayPath(dataDir: string, day: string): string {
    return join(dataDir, PAYMENTS_DIR, `${day}.jsonl`);
  }

  private path(day: string): string {
    return join(this.dir, `${day}.jsonl`);
  }

  dayOf(createdAt: string): string {
    return dayIn(createdAt, this.options.timeZone);
  }

  private lineFor(kind: 'charge' | 'refund', record: ChargeRecord | RefundRecord, customerId: string, chargeId: string | null, description: string): LedgerLine {
    return {
      v: 1,
      kind,
      id: record.id,
      customerId,
      chargeId,
      amount: record.amount,
      currency: record.currency,
      status: record.status,
      description,
      staff: { staffId: record.createdBy.staffId, name: record.createdBy.name },
      // made at another desk: that desk's id (its name is not known here)
      terminal: record.origin ? { id: record.origin.terminalId ?? '', name: '' } : this.options.terminal(),
      createdAt: record.createdAt,
      at: this.options.now().toISOString(),
      ...('dispute' in record && record.dispute
        ? { dispute: { id: record.dispute.id, status: record.dispute.status, reason: record.dispute.reason, amount: record.dispute.amount, dueBy: record.dispute.dueBy } }
        : {}),
      ...(record.origin ? { fromOtherDesk: true } : {}),
    };
  }

  /** Every charge and refund of a document, or only `records` of it, as ledger lines. */
  private linesOf(doc: Readonly<CustomerDoc>, records: RecordsOf = doc): LedgerLine[] {
    const descriptions = records.refunds.length ? new Map(doc.charges.map((c) => [c.id, c.description])) : null;
    const descriptionOf = (chargeId: string) => descriptions?.get(chargeId);
    return [
      ...records.charges.map((c) => this.lineFor('charge', c, doc.customer.id, null, c.description)),
      ...records.refunds.map((r) => this.lineFor('refund', r, doc.customer.id, r.chargeId, r.note || descriptionOf(r.chargeId) || '')),
    ];
  }

  /**
   * Appends a line for each charge or refund that is new or changed between the two states of a
   * document. The store's next state keeps the very objects of the records that did not change, so
   * only the others are compared (cost: the change, not the customer's history). The lines are
   * made now and appended after the appends before them; the promise says when (the caller need
   * not wait: `settled()`, reads and `sync()` do).
   */
  record(previous: Readonly<CustomerDoc> | null, next: Readonly<CustomerDoc>): Promise<void> {
    const before = new Map(previous ? this.linesOf(previous, changedRecords(previous, next)).map((l) => [l.id, stateOf(l)]) : []);
    const lines = this.linesOf(next, previous ? changedRecords(next, previous) : next).filter((line) => before.get(line.id) !== stateOf(line));
    if (lines.length === 0) return Promise.resolve();
    const appended = this.recording.then(() => this.append(lines));
    this.recording = appended.catch(() => {});
    return appended;
  }

  /** Resolves once every line `record` was given is appended (or failed). */
  settled(): Promise<void> {
    return this.recording;
  }

  /**
   * After a crash: writes the lines missing for the documents the journal replayed (their newest
   * state differs from the day file's newest line, or is not there). Costs those documents and
   * the day files their records fall on.
   */
  async reconcile(docs: Iterable<Readonly<CustomerDoc>>): Promise<number> {
    const days = new Map<string, Map<string, LedgerLine>>();
    let written = 0;
    for (const doc of docs) {
      for (const line of this.linesOf(doc)) {
        const day = this.dayOf(line.createdAt);
        let newest = days.get(day);
        if (!newest) days.set(day, (newest = await this.readDay(day)));
        const known = newest.get(line.id);
        if (known && stateOf(known) === stateOf(line)) continue;
        await this.append([line]);
        newest.set(line.id, line);
        written += 1;
      }
    }
    return written;
  }

  /** Appends lines to their day files: one write per day file. */
  private async append(lines: LedgerLine[]): Promise<void> {
    const byDay = new Map<string, string[]>();
    for (const line of lines) {
      const day = this.dayOf(line.createdAt);
      byDay.set(day, [...(byDay.get(day) ?? []), JSON.stringify(line)]);
    }
    for (const [day, texts] of byDay) {
      const log = await this.logFor(day);
      this.unsynced.add(day);
      await log.appendLines(texts);
    }
  }

  /** Makes every line appended so far durable (day files closed since were fsynced when closed). */
  async sync(): Promise<void> {
    await this.recording;
    for (const day of [...this.unsynced]) {
      await this.logs.get(day)?.sync();
      this.unsynced.delete(day);
    }
  }

  private logFor(day: string): Promise<AppendLog> {
    const open = this.logs.get(day);
    if (open) return Promise.resolve(open);
    let pending = this.opening.get(day);
    if (!pending) {
      pending = (async () => {
        const path = this.path(day);
        // a torn last line (a crash mid-append) is cut off before the next line follows it
        const existing = await readLines(path);
        const log = await AppendLog.open(path, existing?.validSize, { durable: false });
        this.logs.set(day, log);
        this.opening.delete(day);
        // a few day files stay open (today's, mostly); older ones are closed
        if (this.logs.size > 8) {
          const [oldest] = this.logs.keys();
          const old = this.logs.get(oldest)!;
          this.logs.delete(oldest);
          await old.close();
        }
        return log;
      })();
      // a failed open is tried afresh next time, not remembered
      pending.catch(() => this.opening.delete(day));
      this.opening.set(day, pending);
    }
    return pending;
  }

  /** The newest line per id of one day (empty when the day has no file). Unreadable lines are skipped. */
  async readDay(day: string): Promise<Map<string, LedgerLine>> {
    await this.recording;
    const read = await readLines(this.path(day));
    const newest = new Map<string, LedgerLine>();
    for (const text of read?.lines ?? []) {
      try {
        const line = LedgerLine.parse(JSON.parse(text));
        newest.set(line.id, line);
      } catch {
        // a damaged line: the documents hold the truth; the next change of that record writes it again
      }
    }
    return newest;
  }

  async close(): Promise<void> {
    await this.recording;
    await Promise.allSettled([...this.opening.values()]);
    for (const log of this.logs.values()) await log.close();
    this.logs.clear();
  }
}
