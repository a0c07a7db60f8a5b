/**
 * The outbox: every e-mail the app sends is written to disk (fsynced) before the first attempt, sent
 * by one worker with nodemailer, retried with exponential backoff while the server is unreachable,
 * slow or answers 4xx, and ends as sent (with the server's Message-ID) or failed with the reason
 * (a 5xx answer, or the last of `maxAttempts`). Its own file kind (docs/ARCHITECTURE.md §6), built
 * on main/store/files.ts; the customer store is not touched:
 *
 * - `outbox/messages/<xx>/<id>.json`: the message as it will be sent, attachments inline (base64)
 *   once; written once, durably, never changed.
 * - `outbox/pending/<id>.json`: a small marker per message not yet finished (attempts, next attempt,
 *   last error); rewritten after each failed attempt, removed once the message is sent or failed.
 *   Start-up reads only this folder (and the day files of the messages in it).
 * - `outbox/days/<YYYY-MM-DD>.jsonl`: one fsynced line per state of a message (queued, retrying,
 *   sent, failed) in the file of its creation day (UTC); the newest line per id wins. The shop-wide
 *   Outbox screen pages through these, newest day first.
 * - `outbox/customers/<xx>/<customer id>.jsonl`: the same lines for one customer, for their page.
 *
 * A send is never repeated after its 'sent' line is on disk: a marker left by a crash between that
 * line and the marker's removal is settled from the day file at start-up. A send interrupted after
 * the server may have taken the message (a timeout on the final answer) is tried again with the same
 * Message-ID header, so a recipient's mail system can recognise the copy: delivering twice is
 * preferred to losing a message.
 */
import { createHash } from 'node:crypto';
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { LANGUAGES, MAIL_KINDS, OUTBOX_STATES, type Language, type MailKind, type OutboxMessageView, type OutboxPage, type OutboxState } from '../../preload/contract';
import { AppendLog, ensureDir, readFileOrNull, readLines, removeStaleTemps, syncDirectory, writeFileAtomic } from '../store/files';

export const OUTBOX_DIR = 'outbox';
const SCHEMA_VERSION = 1;

// ---------------------------------------------------------------- what is stored

const Attachment = z.object({ filename: z.string(), contentType: z.string(), base64: z.string(), sha256: z.string() });
export const StoredMessage = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  id: z.string(),
  kind: z.enum(MAIL_KINDS),
  /** What the message is about (setup, consent, charge or refund id): one message per kind and subject. */
  ref: z.string(),
  customerId: z.string().nullable(),
  to: z.string(),
  language: z.enum(LANGUAGES),
  subject: z.string(),
  text: z.string(),
  /** The Message-ID header, the same for every attempt. */
  headerMessageId: z.string(),
  attachments: z.array(Attachment),
  createdAt: z.string(),
});
export type StoredMessage = z.infer<typeof StoredMessage>;

const ErrorInfo = z.object({ code: z.string(), responseCode: z.number().int().nullable(), message: z.string() });
export type SendError = z.infer<typeof ErrorInfo>;

const PendingMarker = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  id: z.string(),
  shard: z.string(),
  day: z.string(),
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: z.string(),
  lastError: ErrorInfo.nullable(),
});
type PendingMarker = z.infer<typeof PendingMarker>;

const StateLine = z.object({
  id: z.string(),
  kind: z.enum(MAIL_KINDS),
  customerId: z.string().nullable(),
  to: z.string(),
  subject: z.string(),
  language: z.enum(LANGUAGES),
  state: z.enum(OUTBOX_STATES),
  attempts: z.number().int().nonnegative(),
  createdAt: z.string(),
  updatedAt: z.string(),
  nextAttemptAt: z.string().nullable(),
  smtpMessageId: z.string().nullable(),
  error: ErrorInfo.nullable(),
  attachments: z.array(z.string()),
});
type StateLine = z.infer<typeof StateLine>;

// ---------------------------------------------------------------- sending

/** What one attempt came to. `permanent` failures are not tried again. */
export type SendOutcome = { ok: true; messageId: string; response: string } | { ok: false; permanent: boolean; error: SendError };
export type SendFn = (message: StoredMessage) => Promise<SendOutcome>;

export interface OutboxOptions {
  dir: string;
  now: () => Date;
  newId: () => string;
  send: SendFn;
  /** False while no SMTP server is configured: messages wait (no attempt is counted). */
  canSend: () => boolean;
  /** First retry after this long, doubling each time up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** After this many attempts a temporary failure is final. */
  maxAttempts?: number;
  onChange?: (view: OutboxMessageView, previous: OutboxState | null) => void;
  onError?: (message: string, error: unknown) => void;
  /** Tests only: see CoreDeps.faultAt. */
  faultAt?: (point: 'outbox.messageWritten') => void | Promise<void>;
}

/** How long closing waits for a send in flight. */
const CLOSE_WAIT_MS = 3_000;

export const OUTBOX_DEFAULTS = { retryBaseMs: 30_000, retryMaxMs: 60 * 60_000, maxAttempts: 10 } as const;

export interface NewMessage {
  kind: MailKind;
  ref: string;
  customerId: string | null;
  to: string;
  language: Language;
  subject: string;
  text: string;
  attachments?: Array<{ filename: string; contentType: string; content: Uint8Array }>;
}

export interface Outbox {
  /**
   * Stores the message (fsynced) and queues it; resolves once it is on disk. The same kind and ref
   * queue once: asked again, it returns the message already queued (and queues one whose marker a
   * crash kept from being written).
   */
  enqueue(message: NewMessage): Promise<OutboxMessageView>;
  /** The message of this kind and ref, if one was queued. */
  findByRef(kind: MailKind, ref: string): Promise<OutboxMessageView | null>;
  get(id: string): Promise<OutboxMessageView | null>;
  retry(id: string): Promise<OutboxMessageView>;
  list(limit: number, cursor?: string): Promise<OutboxPage>;
  forCustomer(customerId: string, limit?: number): Promise<OutboxMessageView[]>;
  /** The stored message (with its attachments), for tests and the evidence. */
  message(id: string): Promise<StoredMessage | null>;
  /** Messages not yet sent or failed. */
  pendingCount(): number;
  /** Looks for due messages now (after the settings changed, for example). */
  kick(): void;
  close(): Promise<void>;
}

export class OutboxError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'OutboxError';
  }
}

const shardOf = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 2);
/** Ids are derived from kind and ref, so "queue once" is one file lookup. */
export const messageIdFor = (kind: MailKind, ref: string) => `mail_${createHash('sha256').update(`${kind}\n${ref}`).digest('hex').slice(0, 24)}`;
const dayOf = (iso: string) => iso.slice(0, 10);

function toView(line: StateLine): OutboxMessageView {
  return { ...line };
}

/** Newest line per id, in file order of each id's first line. */
function latestById(lines: readonly string[]): Map<string, StateLine> {
  const latest = new Map<string, StateLine>();
  for (const text of lines) {
    if (!text.trim()) continue;
    let parsed: StateLine;
    try {
      parsed = StateLine.parse(JSON.parse(text));
    } catch {
      continue; // a damaged line: the message file and the next state line still tell the story
    }
    latest.set(parsed.id, parsed);
  }
  return latest;
}

const newestFirst = (a: StateLine, b: StateLine) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1);

export async function openOutbox(options: OutboxOptions): Promise<Outbox> {
  const retryBaseMs = options.retryBaseMs ?? OUTBOX_DEFAULTS.retryBaseMs;
  const retryMaxMs = options.retryMaxMs ?? OUTBOX_DEFAULTS.retryMaxMs;
  const maxAttempts = options.maxAttempts ?? OUTBOX_DEFAULTS.maxAttempts;
  const root = options.dir;
  const dirs = { messages: join(root, 'messages'), pending: join(root, 'pending'), days: join(root, 'days'), customers: join(root, 'customers') };
  // folders are made by the first write that needs them: opening writes nothing
  await removeStaleTemps(dirs.pending);
  const namesIn = (dir: string) => readdir(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));

  const messagePath = (id: string) => join(dirs.messages, shardOf(id), `${id}.json`);
  const pendingPath = (id: string) => join(dirs.pending, `${id}.json`);
  const dayPath = (day: string) => join(dirs.days, `${day}.jsonl`);
  const customerPath = (customerId: string) => join(dirs.customers, shardOf(customerId), `${customerId}.jsonl`);

  // Open append handles, one per file, kept while the app runs (few: today's day file and recent customers).
  const logs = new Map<string, Promise<AppendLog>>();
  const appendTo = async (path: string, line: string) => {
    let log = logs.get(path);
    if (!log) {
      log = (async () => {
        const existing = await readLines(path);
        return AppendLog.open(path, existing?.validSize);
      })();
      logs.set(path, log);
      log.catch(() => logs.delete(path));
      if (logs.size > 64) {
        const [oldest] = logs.keys();
        const closing = logs.get(oldest)!;
        logs.delete(oldest);
        void closing.then((l) => l.close()).catch(() => {});
      }
    }
    await (await log).append(line);
  };
  const readStates = async (path: string): Promise<Map<string, StateLine>> => {
    const read = await readLines(path);
    return read ? latestById(read.lines) : new Map();
  };

  const writeState = async (line: StateLine, previous: OutboxState | null) => {
    const text = JSON.stringify(StateLine.parse(line));
    await appendTo(dayPath(dayOf(line.createdAt)), text);
    if (line.customerId) await appendTo(customerPath(line.customerId), text);
    try {
      options.onChange?.(toView(line), previous);
    } catch (error) {
      options.onError?.('outbox listener failed', error);
    }
  };

  const readMessage = async (id: string): Promise<StoredMessage | null> => {
    const buffer = await readFileOrNull(messagePath(id));
    return buffer ? StoredMessage.parse(JSON.parse(buffer.toString('utf8'))) : null;
  };

  const lineOf = (message: StoredMessage, patch: Partial<StateLine> & Pick<StateLine, 'state' | 'attempts'>): StateLine => ({
    id: message.id,
    kind: message.kind,
    customerId: message.customerId,
    to: message.to,
    subject: message.subject,
    language: message.language,
    createdAt: message.createdAt,
    updatedAt: options.now().toISOString(),
    nextAttemptAt: null,
    smtpMessageId: null,
    error: null,
    attachments: message.attachments.map((a) => a.filename),
    ...patch,
  });

  // ------------------------------------------------ the pending work (start-up reads only this)

  const pending = new Map<string, PendingMarker>();
  for (const name of await namesIn(dirs.pending)) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    const buffer = await readFileOrNull(join(dirs.pending, name));
    if (!buffer) continue;
    let marker: PendingMarker;
    try {
      marker = PendingMarker.parse(JSON.parse(buffer.toString('utf8')));
    } catch (error) {
      options.onError?.(`outbox marker ${name} is damaged; rebuilt from its message`, error);
      const id = name.slice(0, -'.json'.length);
      const message = await readMessage(id).catch(() => null);
      if (!message) continue;
      marker = { schemaVersion: SCHEMA_VERSION, id, shard: shardOf(id), day: dayOf(message.createdAt), attempts: 0, nextAttemptAt: options.now().toISOString(), lastError: null };
    }
    pending.set(marker.id, marker);
  }
  // A crash after a final line and before the marker went: settle from the day file, never send again.
  const days = new Set([...pending.values()].map((m) => m.day));
  for (const day of days) {
    const states = await readStates(dayPath(day));
    for (const marker of [...pending.values()].filter((m) => m.day === day)) {
      const state = states.get(marker.id)?.state;
      if (state === 'sent' || state === 'failed') {
        pending.delete(marker.id);
        await unlink(pendingPath(marker.id)).catch(() => {});
      }
    }
  }

  // ------------------------------------------------ the worker

  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let closed = false;

  const backoff = (attempts: number) => Math.min(retryMaxMs, retryBaseMs * 2 ** Math.max(0, attempts - 1));

  const finishMarker = async (id: string) => {
    pending.delete(id);
    await unlink(pendingPath(id)).catch(() => {});
    await syncDirectory(dirs.pending).catch(() => {});
  };

  const attempt = async (marker: PendingMarker) => {
    let message: StoredMessage | null;
    try {
      message = await readMessage(marker.id);
    } catch (error) {
      options.onError?.(`outbox message ${marker.id} could not be read`, error);
      message = null;
    }
    if (!message) {
      // nothing can be sent; the marker goes so the worker does not spin
      await finishMarker(marker.id);
      return;
    }
    const attempts = marker.attempts + 1;
    let outcome: SendOutcome;
    try {
      outcome = await options.send(message);
    } catch (error) {
      outcome = { ok: false, permanent: false, error: { code: 'internal', responseCode: null, message: error instanceof Error ? error.message : String(error) } };
    }
    const previous: OutboxState = marker.attempts === 0 ? 'queued' : 'retrying';
    if (outcome.ok) {
      await writeState(lineOf(message, { state: 'sent', attempts, smtpMessageId: outcome.messageId }), previous);
      await finishMarker(marker.id);
      return;
    }
    if (outcome.permanent || attempts >= maxAttempts) {
      await writeState(lineOf(message, { state: 'failed', attempts, error: outcome.error }), previous);
      await finishMarker(marker.id);
      return;
    }
    const next: PendingMarker = { ...marker, attempts, nextAttemptAt: new Date(options.now().getTime() + backoff(attempts)).toISOString(), lastError: outcome.error };
    await writeFileAtomic(pendingPath(marker.id), JSON.stringify(next));
    pending.set(marker.id, next);
    await writeState(lineOf(message, { state: 'retrying', attempts, nextAttemptAt: next.nextAttemptAt, error: outcome.error }), previous);
  };

  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (closed || running) return;
    if (!options.canSend() || pending.size === 0) return;
    const nextDue = Math.min(...[...pending.values()].map((m) => Date.parse(m.nextAttemptAt)));
    const wait = Math.max(0, nextDue - options.now().getTime());
    timer = setTimeout(run, Math.min(wait, 2_147_000_000));
    timer.unref?.();
  };

  function run() {
    timer = null;
    if (running || closed) return;
    running = (async () => {
      // one message at a time, oldest due first: a message is never in two attempts at once
      for (;;) {
        if (closed || !options.canSend()) break;
        const now = options.now().getTime();
        const due = [...pending.values()].filter((m) => Date.parse(m.nextAttemptAt) <= now).sort((a, b) => a.nextAttemptAt.localeCompare(b.nextAttemptAt))[0];
        if (!due) break;
        try {
          await attempt(due);
        } catch (error) {
          // a disk error while recording: try again later rather than spin
          options.onError?.(`outbox attempt for ${due.id} could not be recorded`, error);
          pending.set(due.id, { ...due, nextAttemptAt: new Date(now + retryBaseMs).toISOString() });
        }
      }
    })().finally(() => {
      running = null;
      schedule();
    });
  }

  const stateOf = async (id: string): Promise<StateLine | null> => {
    const message = await readMessage(id);
    if (!message) return null;
    return (await readStates(dayPath(dayOf(message.createdAt)))).get(id) ?? lineOf(message, { state: 'queued', attempts: 0 });
  };

  const queue = async (message: StoredMessage, attempts: number, previous: OutboxState | null): Promise<OutboxMessageView> => {
    const now = options.now().toISOString();
    const marker: PendingMarker = { schemaVersion: SCHEMA_VERSION, id: message.id, shard: shardOf(message.id), day: dayOf(message.createdAt), attempts, nextAttemptAt: now, lastError: null };
    await ensureDir(dirs.pending);
    await writeFileAtomic(pendingPath(message.id), JSON.stringify(marker));
    pending.set(message.id, marker);
    const line = lineOf(message, { state: 'queued', attempts: 0, nextAttemptAt: now });
    await writeState(line, previous);
    schedule();
    return toView(line);
  };

  // the work left by the last run starts at once (due markers) or at its time
  schedule();

  /** Enqueues of one id run one after the other: two callers (two updates of one charge) queue it once. */
  const enqueuing = new Map<string, Promise<OutboxMessageView>>();

  const enqueueOnce = async (input: NewMessage): Promise<OutboxMessageView> => {
      const id = messageIdFor(input.kind, input.ref);
      const stored = await readMessage(id);
      if (stored) {
        const line = (await readStates(dayPath(dayOf(stored.createdAt)))).get(id);
        if (line) return toView(line);
        if (pending.has(id)) return toView(lineOf(stored, { state: 'queued', attempts: 0 }));
        // the message file without its marker: a crash came between the two; queue it now (once)
        return queue(stored, 0, null);
      }
      const createdAt = options.now().toISOString();
      const domain = /@([^@>\s]+)$/.exec(input.to)?.[1] ?? 'mandate-desk.local';
      const message: StoredMessage = {
        schemaVersion: SCHEMA_VERSION,
        id,
        kind: input.kind,
        ref: input.ref,
        customerId: input.customerId,
        to: input.to,
        language: input.language,
        subject: input.subject,
        text: input.text,
        headerMessageId: `<${id}.${options.newId()}@${domain.replace(/[^A-Za-z0-9.-]/g, '') || 'mandate-desk.local'}>`,
        attachments: (input.attachments ?? []).map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          base64: Buffer.from(a.content).toString('base64'),
          sha256: createHash('sha256').update(a.content).digest('hex'),
        })),
        createdAt,
      };
      const path = messagePath(id);
      await ensureDir(join(dirs.messages, shardOf(id)));
      // the message first, fsynced with its folder: from here on it cannot be lost
      await writeFileAtomic(path, JSON.stringify(StoredMessage.parse(message)));
      await options.faultAt?.('outbox.messageWritten');
      return queue(message, 0, null);
  };

  return {
    async enqueue(input) {
      if (closed) throw new Error('the outbox is closed');
      const id = messageIdFor(input.kind, input.ref);
      const before = enqueuing.get(id) ?? Promise.resolve(null);
      const run = before.catch(() => null).then(() => enqueueOnce(input));
      enqueuing.set(id, run);
      try {
        return await run;
      } finally {
        if (enqueuing.get(id) === run) enqueuing.delete(id);
      }
    },
    async findByRef(kind, ref) {
      const line = await stateOf(messageIdFor(kind, ref));
      return line ? toView(line) : null;
    },
    async get(id) {
      const line = await stateOf(id);
      return line ? toView(line) : null;
    },
    async retry(id) {
      const message = await readMessage(id);
      if (!message) throw new OutboxError('not_found', `There is no e-mail ${id} in the outbox.`);
      const line = await stateOf(id);
      if (line?.state !== 'failed') throw new OutboxError('conflict', `The e-mail ${id} has not failed (it is ${line?.state ?? 'unknown'}); only failed e-mails are retried.`);
      return queue(message, 0, 'failed');
    },
    async list(limit, cursor) {
      // cursor: "<day>:<how many of that day were shown>"
      const match = cursor ? /^(\d{4}-\d{2}-\d{2}):(\d+)$/.exec(cursor) : null;
      const startDay = match?.[1] ?? null;
      let skip = match ? Number(match[2]) : 0;
      const dayNames = (await namesIn(dirs.days))
        .filter((n) => /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(n))
        .map((n) => n.slice(0, 10))
        .sort()
        .reverse()
        .filter((d) => startDay === null || d <= startDay);
      const messages: OutboxMessageView[] = [];
      for (const day of dayNames) {
        if (day !== startDay) skip = 0;
        const lines = [...(await readStates(dayPath(day))).values()].sort(newestFirst);
        const taken = lines.slice(skip, skip + (limit - messages.length));
        messages.push(...taken.map(toView));
        if (messages.length >= limit) {
          const shown = skip + taken.length;
          const more = shown < lines.length || dayNames.indexOf(day) < dayNames.length - 1;
          return { messages, nextCursor: more ? (shown < lines.length ? `${day}:${shown}` : `${dayNames[dayNames.indexOf(day) + 1]}:0`) : null };
        }
      }
      return { messages, nextCursor: null };
    },
    async forCustomer(customerId, limit = 100) {
      return [...(await readStates(customerPath(customerId))).values()].sort(newestFirst).slice(0, limit).map(toView);
    },
    message: readMessage,
    pendingCount: () => pending.size,
    kick: schedule,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      // a send in flight gets a moment to finish; otherwise its marker stays and the next start sends it
      if (running) await Promise.race([running, new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref?.())]);
      for (const log of logs.values()) await log.then((l) => l.close()).catch(() => {});
      logs.clear();
    },
  };
}
