/**
 * The audit trail: its own append-only file, each entry chained to the one before by a SHA-256
 * over a canonical JSON of its fields. Editing, deleting or reordering an entry breaks the chain,
 * and `verify()` names the first entry where it breaks.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { AuditChainStatus, AuditEntryView, ExportFile, ParsedInput, StoreNotice } from '../../preload/contract';
import { JsonStore } from '../store/json-store';
import { AUDIT_DATA_VERSION, AuditData, AuditHeadData, type AuditHead, type AuditRecord } from './data';
import type { AuditDraft, Handlers } from './dispatch';
import type { AuditLog } from './env';
import type { Clock } from './ports';

export const AUDIT_FILE_NAME = 'audit.json';
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

/**
 * Checks the chain from the first entry and stops at the first entry that does not fit; then, with
 * the head recorded elsewhere, that no entry was cut off the end.
 */
export function verifyChain(entries: readonly AuditRecord[], head: AuditHead | null = null): AuditChainStatus {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  for (const entry of entries) {
    const broken = (problem: string): AuditChainStatus => ({ ok: false, entries: entries.length, brokenAtSeq: entry.seq, problem });
    if (entry.seq !== expectedSeq) {
      return broken(
        entry.seq > expectedSeq
          ? `Entry ${entry.seq} comes where entry ${expectedSeq} should be: an entry was deleted or moved.`
          : `Entry ${entry.seq} comes after entry ${expectedSeq - 1}: entries were reordered or duplicated.`,
      );
    }
    if (entry.prevHash !== prevHash) return broken(`Entry ${entry.seq} does not link to the entry before it: the log was altered before this point.`);
    if (hashAuditEntry(entry) !== entry.hash) return broken(`Entry ${entry.seq} was changed after it was written (its hash does not match its content).`);
    prevHash = entry.hash;
    expectedSeq += 1;
  }
  if (head && head.seq > entries.length) {
    const first = entries.length + 1;
    return { ok: false, entries: entries.length, brokenAtSeq: first, problem: `The log ends at entry ${entries.length}, but entries up to ${head.seq} were written: entries ${first} to ${head.seq} are missing.` };
  }
  if (head && entries[head.seq - 1].hash !== head.hash)
    return { ok: false, entries: entries.length, brokenAtSeq: head.seq, problem: `Entry ${head.seq} is not the entry that was written as number ${head.seq}: the log was replaced.` };
  return { ok: true, entries: entries.length, brokenAtSeq: null, problem: null };
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

/** RFC 4180: a field with a comma, quote or line break is quoted, and quotes inside are doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
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

export type OpenedAuditLog = AuditLog & { notices: StoreNotice[]; handlers: Pick<Handlers, 'audit.list' | 'audit.export'> };

/** Where the newest entry's seq and hash are kept, outside the audit file. */
export interface AuditAnchor {
  read(): AuditHead | null;
  write(head: AuditHead): Promise<void>;
}

export const AUDIT_HEAD_FILE_NAME = 'audit-head.json';

async function openAuditHeadFile(dataDir: string): Promise<AuditAnchor & { notices: StoreNotice[] }> {
  const store = await JsonStore.open<AuditHeadData>({
    path: join(dataDir, AUDIT_HEAD_FILE_NAME),
    schema: AuditHeadData,
    version: 1,
    migrations: {},
    defaults: () => ({ schemaVersion: 1, head: null }),
    backups: 0,
  });
  return {
    notices: store.notices,
    read: () => store.data.head,
    write: (head) =>
      store.update((draft) => {
        draft.head = head;
      }),
  };
}

/** Opens the log in `dataDir`; its head is kept in `audit-head.json` beside it unless `anchor` says otherwise. */
export async function openAuditLog(options: { dataDir: string; clock: Clock; anchor?: AuditAnchor }): Promise<OpenedAuditLog> {
  const { clock } = options;
  const store = await JsonStore.open<AuditData>({
    path: join(options.dataDir, AUDIT_FILE_NAME),
    schema: AuditData,
    version: AUDIT_DATA_VERSION,
    migrations: {},
    defaults: () => ({ schemaVersion: AUDIT_DATA_VERSION, entries: [] }),
  });
  // Verified once here; each append extends the cached result instead of re-hashing the log.
  const headFile = options.anchor ? null : await openAuditHeadFile(options.dataDir);
  const anchor = options.anchor ?? headFile!;
  let chain = verifyChain(store.data.entries, anchor.read());

  const append = async (draft: AuditDraft): Promise<void> => {
    // a JSON round trip first, so what is hashed is exactly what the file will hold
    const details = JSON.parse(JSON.stringify(draft.details ?? {})) as Record<string, unknown>;
    const actor = draft.actor ? { staffId: draft.actor.id, name: draft.actor.name, role: draft.actor.role } : null;
    await store.update((data) => {
      const last = data.entries.at(-1);
      const fields: Omit<AuditRecord, 'hash'> = {
        seq: (last?.seq ?? 0) + 1,
        at: clock.now().toISOString(),
        actor,
        action: draft.action,
        outcome: draft.outcome,
        customerId: draft.customerId,
        summary: draft.summary,
        details,
        prevHash: last?.hash ?? GENESIS_HASH,
      };
      data.entries.push({ ...fields, hash: hashAuditEntry(fields) });
    });
    const newest = store.data.entries.at(-1)!;
    await anchor.write({ seq: newest.seq, hash: newest.hash });
    // a new entry never repairs an earlier break, so only the count changes
    chain = { ...chain, entries: store.data.entries.length };
  };

  // A break found at start is itself recorded, so the finding stays in the log even after later
  // entries move the head on (once per distinct problem, not at every start).
  if (!chain.ok) {
    const lastFinding = store.data.entries.findLast((e) => e.action === AUDIT_CHAIN_BROKEN);
    if (lastFinding?.details.problem !== chain.problem) {
      const finding = chain;
      await append({ actor: null, action: AUDIT_CHAIN_BROKEN, outcome: 'error', customerId: null, summary: finding.problem ?? 'The audit log was altered.', details: { brokenAtSeq: finding.brokenAtSeq, problem: finding.problem } });
    }
  }

  const filtered = (filter: AuditFilter) => store.data.entries.filter((entry) => matches(entry, filter));

  const handlers: OpenedAuditLog['handlers'] = {
    async 'audit.list'({ filter, limit, beforeSeq }) {
      const entries: AuditEntryView[] = [];
      const all = store.data.entries;
      for (let i = all.length - 1; i >= 0 && entries.length < limit; i--) {
        const entry = all[i];
        if (beforeSeq !== undefined && entry.seq >= beforeSeq) continue;
        if (matches(entry, filter)) entries.push(toView(entry));
      }
      return { entries, chain: { ...chain } };
    },

    async 'audit.export'({ filter, format }): Promise<ExportFile> {
      const entries = filtered(filter);
      const at = clock.now();
      const base = `audit-${fileDate(at)}`;
      if (format === 'csv') return { filename: `${base}.csv`, mimeType: 'text/csv;charset=utf-8', content: auditCsv(entries) };
      const content = JSON.stringify(
        {
          exportedAt: at.toISOString(),
          filter,
          chain,
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
    entries: () => store.data.entries,
    notices: [...store.notices, ...(headFile?.notices ?? [])].map((notice) => ({ ...notice })),
    handlers,
  };
}
