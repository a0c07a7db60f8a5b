/**
 * The audit trail: append-only JSON lines in segments (main/store/segmented-log.ts), each entry
 * chained to the one before by a SHA-256 over a canonical JSON of its fields. Editing, deleting or
 * reordering an entry breaks the chain, and `verify()` names the first entry where it breaks.
 * An append is one fsynced line; start-up verifies what came after the last verified checkpoint.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { AuditChainStatus, AuditEntryView, ExportFile, ParsedInput, StoreNotice } from '../../preload/contract';
import { logProblem, SegmentedLog, type LogProblem } from '../store/segmented-log';
import { AuditRecord } from './data';
import type { AuditDraft, Handlers } from './dispatch';
import type { AuditLog } from './env';
import type { Clock } from './ports';

/** The folder of the audit log's segments and checkpoint, in the mode's data folder. */
export const AUDIT_DIR = 'audit';
export const GENESIS_HASH = '0'.repeat(64);
/** The action of the entry that records a break found when the log was opened. */
export const AUDIT_CHAIN_BROKEN = 'audit.chainBroken';

/** JSON with object keys in sorted order at every depth, so the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The hash of an entry: SHA-256 (hex) of the canonical JSON of every field except `hash`. */
export function hashAuditEntry(entry: Omit<AuditRecord, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...fields } = entry;
  return createHash('sha256').update(canonicalJson(fields), 'utf8').digest('hex');
}

/** Why `entry` cannot follow `previous` (null: it is the first), or null when it can. */
function linkProblem(previous: AuditRecord | null, entry: AuditRecord): LogProblem | null {
  const expected = (previous?.seq ?? 0) + 1;
  if (entry.seq > expected) return logProblem(entry.seq, 'entry_moved', { expected });
  if (entry.seq < expected) return logProblem(entry.seq, 'entries_reordered', { previous: expected - 1 });
  if (entry.prevHash !== (previous?.hash ?? GENESIS_HASH)) return logProblem(entry.seq, 'link_broken');
  if (hashAuditEntry(entry) !== entry.hash) return logProblem(entry.seq, 'entry_changed');
  return null;
}

const INTACT = (entries: number): AuditChainStatus => ({ ok: true, entries, brokenAtSeq: null, problem: null, code: null, params: {} });
const brokenAt = (entries: number, found: LogProblem): AuditChainStatus => ({ ok: false, entries, brokenAtSeq: found.seq, problem: found.problem, code: found.code, params: found.params });

/**
 * Checks the chain from the first entry and stops at the first entry that does not fit; then, with
 * the head recorded elsewhere, that no entry was cut off the end.
 */
export function verifyChain(entries: readonly AuditRecord[], head: { seq: number; hash: string } | null = null): AuditChainStatus {
  let previous: AuditRecord | null = null;
  for (const entry of entries) {
    const found = linkProblem(previous, entry);
    if (found) return brokenAt(entries.length, found);
    previous = entry;
  }
  if (head && head.seq > entries.length) return brokenAt(entries.length, logProblem(entries.length + 1, 'entries_missing', { last: entries.length, head: head.seq, from: entries.length + 1 }));
  if (head && entries[head.seq - 1].hash !== head.hash) return brokenAt(entries.length, logProblem(head.seq, 'log_replaced'));
  return INTACT(entries.length);
}

export type AuditFilter = ParsedInput<'audit.list'>['filter'];

function matches(entry: AuditRecord, filter: AuditFilter): boolean {
  if (filter.action && !entry.action.startsWith(filter.action)) return false;
  if (filter.actorId && entry.actor?.staffId !== filter.actorId) return false;
  if (filter.customerId && entry.customerId !== filter.customerId) return false;
  if (filter.outcome && entry.outcome !== filter.outcome) return false;
  const at = Date.parse(entry.at);
  if (filter.from && at < Date.parse(filter.from)) return false;
  if (filter.to && at > Date.parse(filter.to)) return false;
  return true;
}

const toView = (entry: AuditRecord): AuditEntryView => structuredClone(entry);

const CSV_COLUMNS = ['seq', 'at', 'actorId', 'actorName', 'actorRole', 'action', 'outcome', 'customerId', 'summary', 'details', 'prevHash', 'hash'] as const;

/**
 * Spreadsheet apps run a cell that starts with = + - @ as a formula. Such a cell (and one that
 * already starts with an apostrophe) gets one leading apostrophe, which apps show as text; to check
 * a row against its hash, drop one leading apostrophe from every cell that has one (`csvCellValue`).
 */
const FORMULA_START = /^[=+\-@'\t\r]/;
export function neutralizeFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}
/** The original value of a cell written by `auditCsv` (undoes neutralizeFormula). */
export function csvCellValue(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}

/** RFC 4180: a field with a comma, quote or line break is quoted, and quotes inside are doubled. */
export function csvField(value: string): string {
  const safe = neutralizeFormula(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * One row per entry; `details` is the canonical JSON, so each row can be rebuilt into its entry
 * and its hash checked. A UTF-8 byte order mark lets spreadsheet apps read Japanese text.
 */
export function auditCsv(entries: readonly AuditRecord[]): string {
  const rows = entries.map((e) =>
    [String(e.seq), e.at, e.actor?.staffId ?? '', e.actor?.name ?? '', e.actor?.role ?? '', e.action, e.outcome, e.customerId ?? '', e.summary, canonicalJson(e.details), e.prevHash, e.hash]
      .map(csvField)
      .join(','),
  );
  return `\uFEFF${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

/** A date for file names, in the terminal's local time zone. */
export function fileDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export type OpenedAuditLog = AuditLog & {
  notices: StoreNotice[];
  handlers: Pick<Handlers, 'audit.list' | 'audit.export'>;
  /**
   * Records a break that another store witnessed: it saw entries up to `seq` being written, and
   * the log now ends before that (entries cut off its end).
   */
  checkWitness(seq: number): Promise<void>;
  close(): Promise<void>;
};

/** How many entries one page of the audit screen may look through (a filter that rarely matches pages on). */
export const AUDIT_PAGE_SCAN = 20_000;
/** The most entries one export holds: it is one file in memory (narrow the filter for more). */
export const AUDIT_EXPORT_LIMIT = 50_000;
/** Entries larger than this (canonical JSON of details) keep a summary of their details instead. */
const MAX_DETAILS_BYTES = 16_384;
const MAX_TEXT = 1_000;

const cut = (text: string, max = MAX_TEXT) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** What of a draft is stored: bounded strings, and details over the cap replaced by their size and hash. */
function boundedFields(draft: AuditDraft): Pick<AuditRecord, 'action' | 'customerId' | 'summary' | 'details'> {
  let details: Record<string, unknown>;
  try {
    // a JSON round trip first, so what is hashed is exactly what the file will hold
    details = JSON.parse(JSON.stringify(draft.details ?? {})) as Record<string, unknown>;
  } catch {
    details = { unserializable: true };
  }
  const json = canonicalJson(details);
  if (Buffer.byteLength(json, 'utf8') > MAX_DETAILS_BYTES)
    details = { truncated: true, bytes: Buffer.byteLength(json, 'utf8'), sha256: createHash('sha256').update(json, 'utf8').digest('hex') };
  return { action: cut(draft.action, 120), customerId: draft.customerId === null ? null : cut(draft.customerId, 120), summary: cut(draft.summary), details };
}

/** Opens the log in `dataDir/audit`. */
export async function openAuditLog(options: { dataDir: string; clock: Clock; checkpointEvery?: number; entriesPerSegment?: number }): Promise<OpenedAuditLog> {
  const { clock } = options;
  const log = await SegmentedLog.open<AuditRecord>({
    dir: join(options.dataDir, AUDIT_DIR),
    parse: (value) => AuditRecord.parse(value),
    link: linkProblem,
    now: () => clock.now(),
    ...(options.checkpointEvery ? { checkpointEvery: options.checkpointEvery } : {}),
    ...(options.entriesPerSegment ? { entriesPerSegment: options.entriesPerSegment } : {}),
  });
  // the one file the log repairs is its checkpoint: the whole log is verified instead
  const notices: StoreNotice[] = log.notices.map((n) => ({ file: n.file, code: n.code === 'audit_checkpoint_damaged' ? n.code : 'other', params: {}, problem: n.problem, outcome: 'recovered', missing: [], keptAsidePath: n.keptAsidePath ?? '', restoredFrom: null, at: clock.now().toISOString() }));

  let chain: AuditChainStatus = log.problem ? brokenAt(log.count, log.problem) : INTACT(log.count);

  const append = async (draft: AuditDraft): Promise<void> => {
    const actor = draft.actor ? { staffId: cut(draft.actor.id, 120), name: cut(draft.actor.name, 120), role: draft.actor.role } : null;
    const fields = boundedFields(draft);
    await log.append((previous) => {
      const entry: Omit<AuditRecord, 'hash'> = {
        seq: (previous?.seq ?? 0) + 1,
        at: clock.now().toISOString(),
        actor,
        ...fields,
        outcome: draft.outcome,
        prevHash: previous?.hash ?? GENESIS_HASH,
      };
      return AuditRecord.parse({ ...entry, hash: hashAuditEntry(entry) });
    });
    // a new entry never repairs an earlier break, so only the count changes
    chain = { ...chain, entries: log.count };
  };

  /** A break found at start is itself recorded, so the finding stays in the log (once per distinct problem). */
  const recordFinding = async (): Promise<void> => {
    if (chain.ok) return;
    const { entries } = await log.newestFirst({ limit: 1, maxScan: AUDIT_PAGE_SCAN, match: (e) => e.action === AUDIT_CHAIN_BROKEN });
    if (entries[0]?.details.problem === chain.problem) return;
    const finding = chain;
    await append({ actor: null, action: AUDIT_CHAIN_BROKEN, outcome: 'error', customerId: null, summary: finding.problem ?? 'The audit log was altered.', details: { brokenAtSeq: finding.brokenAtSeq, problem: finding.problem, code: finding.code, params: finding.params } });
  };
  await recordFinding();

  const handlers: OpenedAuditLog['handlers'] = {
    async 'audit.list'({ filter, limit, beforeSeq }) {
      const page = await log.newestFirst({ ...(beforeSeq !== undefined ? { beforeSeq } : {}), limit, maxScan: AUDIT_PAGE_SCAN, match: (e) => matches(e, filter) });
      return { entries: page.entries.map(toView), chain: { ...chain }, nextBeforeSeq: page.entries.length === limit ? page.entries[page.entries.length - 1].seq : page.scannedTo };
    },

    async 'audit.export'({ filter, format }): Promise<ExportFile> {
      const page = await log.newestFirst({ limit: AUDIT_EXPORT_LIMIT, maxScan: Number.MAX_SAFE_INTEGER, match: (e) => matches(e, filter) });
      const entries = page.entries.reverse();
      const at = clock.now();
      const base = `audit-${fileDate(at)}`;
      if (format === 'csv') return { filename: `${base}.csv`, mimeType: 'text/csv;charset=utf-8', content: auditCsv(entries) };
      const content = JSON.stringify(
        {
          exportedAt: at.toISOString(),
          filter,
          chain,
          ...(entries.length === AUDIT_EXPORT_LIMIT ? { limited: `Only the newest ${AUDIT_EXPORT_LIMIT} matching entries; narrow the dates for older ones.` } : {}),
          hashing: 'hash = SHA-256 (hex) of the JSON of every field except hash, object keys sorted, no spaces; prevHash = hash of the entry before (64 zeros for the first)',
          entries,
        },
        null,
        2,
      );
      return { filename: `${base}.json`, mimeType: 'application/json', content };
    },
  };

  return {
    append,
    verify: () => ({ ...chain }),
    head: () => log.count,
    async find(query) {
      const page = await log.newestFirst({ limit: query.limit, maxScan: query.maxScan, match: query.match });
      return page.entries.reverse();
    },
    notices,
    handlers,
    async checkWitness(seq) {
      if (seq <= log.count || !chain.ok) return;
      const first = log.count + 1;
      chain = brokenAt(log.count, logProblem(first, 'entries_missing', { last: log.count, head: seq, from: first }));
      await recordFinding();
    },
    close: () => log.close(),
  };
}
