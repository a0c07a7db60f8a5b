/**
 * An append-only log of JSON lines in numbered segments, with a verified checkpoint, for the audit
 * trail: an append is one fsynced line (its cost is the entry's size, whatever the log's), start-up
 * verifies only what came after the checkpoint, and reading pages newest-first touches only the
 * segments a page needs. Entries are chained by the caller (`link` checks one entry against the one
 * before). Imports nothing of ours (DESIGN §1).
 */
import { createHash, type Hash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppendLog, ensureDir, keptAsideName, readFileOrNull, readLines, removeStaleTemps, writeFileAtomic } from './files';

export interface LogHead { seq: number; hash: string }
export interface LogEntry extends LogHead { prevHash: string }

export interface SegmentedLogOptions<E extends LogEntry> {
  dir: string;
  /** Parses one stored line's value (zod); throws when it is not an entry. */
  parse(value: unknown): E;
  /** Why `entry` does not follow `previous` (null for the first), or null when it does. */
  link(previous: E | null, entry: E): LogProblem | null;
  entriesPerSegment?: number;
  /** The checkpoint is rewritten after this many appends (and at close). */
  checkpointEvery?: number;
  now?: () => Date;
}

/**
 * What can be wrong with a chained log, each with its text in English (for logs and the audit
 * entry that records a break); the app says `code` with `params` in the user's language.
 */
const LOG_PROBLEM_TEXTS = {
  entry_moved: (p: ProblemParams) => `Entry ${p.seq} comes where entry ${p.expected} should be: an entry was deleted or moved.`,
  entries_reordered: (p: ProblemParams) => `Entry ${p.seq} comes after entry ${p.previous}: entries were reordered or duplicated.`,
  link_broken: (p: ProblemParams) => `Entry ${p.seq} does not link to the entry before it: the log was altered before this point.`,
  entry_changed: (p: ProblemParams) => `Entry ${p.seq} was changed after it was written (its hash does not match its content).`,
  entries_missing: (p: ProblemParams) => `The log ends at entry ${p.last}, but entries up to ${p.head} were written: entries ${p.from} to ${p.head} are missing.`,
  log_replaced: (p: ProblemParams) => `Entry ${p.seq} is not the entry that was written as number ${p.seq}: the log was replaced.`,
  segment_missing: (p: ProblemParams) => `The audit log should hold entries up to ${p.seq}, but their file (${p.file}) is missing.`,
  line_unreadable: (p: ProblemParams) => `Entry ${p.seq} (line ${p.line} of ${p.file}) cannot be read: the file was damaged or edited.`,
};
type ProblemParams = Record<string, string | number>;
export type LogProblemCode = keyof typeof LOG_PROBLEM_TEXTS;
export const LOG_PROBLEM_CODES = Object.keys(LOG_PROBLEM_TEXTS) as LogProblemCode[];

/** The entry where a log breaks (`seq`), and why. */
export interface LogProblem { seq: number; code: LogProblemCode; params: ProblemParams; problem: string }

export function logProblem(seq: number, code: LogProblemCode, params: ProblemParams = {}): LogProblem {
  const all = { seq, ...params };
  return { seq, code, params: all, problem: LOG_PROBLEM_TEXTS[code](all) };
}
/** A file of the log that needed repair: `code` for the user's language, `problem` in English for logs. */
export interface LogFileNotice { file: string; code: string; problem: string; keptAsidePath: string | null }

interface Checkpoint extends LogHead {
  schemaVersion: 1;
  /** Byte length of the entry's segment up to and including the entry. */
  bytes: number;
  /** SHA-256 of those bytes: any change before the checkpoint in its segment is noticed at start. */
  sha256: string;
}

const CHECKPOINT_FILE = 'checkpoint.json';
const SEGMENT_PATTERN = /^segment-(\d{6})\.jsonl$/;
const segmentName = (n: number) => `segment-${String(n).padStart(6, '0')}.jsonl`;

export class SegmentedLog<E extends LogEntry> {
  private queue: Promise<unknown> = Promise.resolve();
  private appendsSinceCheckpoint = 0;
  /** The current segment's first lines, verified by the checkpoint at open and parsed when a page first needs them. */
  private currentUnparsed: string[] = [];
  /** Parsed older segments, newest use last: paging through the log reads each segment once. */
  private readonly segmentCache = new Map<number, E[]>();

  private constructor(
    private readonly options: Required<Omit<SegmentedLogOptions<E>, 'now'>> & { now: () => Date },
    private writer: AppendLog,
    private segment: number,
    /** The current segment's entries, oldest first. */
    private current: E[],
    /** SHA-256 over the current segment's bytes so far. */
    private segmentHash: Hash,
    private last: E | null,
    /** The first break found when the log was opened (null: it verified). */
    readonly problem: LogProblem | null,
    readonly notices: LogFileNotice[],
  ) {}

  static async open<E extends LogEntry>(input: SegmentedLogOptions<E>): Promise<SegmentedLog<E>> {
    const options = { entriesPerSegment: 10_000, checkpointEvery: 256, now: () => new Date(), ...input };
    await ensureDir(options.dir);
    await removeStaleTemps(options.dir); // an interrupted checkpoint write
    const notices: LogFileNotice[] = [];
    const segments = (await readdir(options.dir))
      .map((name) => SEGMENT_PATTERN.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);

    const checkpoint = await SegmentedLog.readCheckpoint(options.dir, notices, options.now);
    let problem: LogProblem | null = null;
    const note = (found: LogProblem) => {
      problem ??= found;
    };

    // Verify from the checkpoint on (or from the start when there is none): only the tail costs.
    const firstToVerify = checkpoint ? Math.max(1, Math.ceil(checkpoint.seq / options.entriesPerSegment)) : (segments[0] ?? 1);
    let last: E | null = null;
    let current: E[] = [];
    let lastSegment = segments.at(-1) ?? 1;
    let lastValidSize = 0;
    let segmentHash = createHash('sha256');
    if (checkpoint && !segments.includes(firstToVerify)) note(logProblem(checkpoint.seq, 'segment_missing', { file: segmentName(firstToVerify) }));
    let currentUnparsed: string[] = [];
    for (const n of segments.filter((s) => s >= firstToVerify)) {
      const bytes = await readFileOrNull(join(options.dir, segmentName(n)));
      const validSize = bytes ? bytes.lastIndexOf(0x0a) + 1 : 0;
      const text = bytes ? bytes.subarray(0, validSize).toString('utf8') : '';
      const lines = text.length ? text.slice(0, -1).split('\n') : [];
      // the running hash of the segment as written: over its bytes, as `append` adds each line's
      const hash = createHash('sha256');
      if (bytes) hash.update(bytes.subarray(0, validSize));
      // The checkpoint pins the bytes before it: if they changed, the whole segment is verified again.
      let trustUpTo = 0;
      if (checkpoint && bytes && n === firstToVerify) {
        const intact = validSize >= checkpoint.bytes && createHash('sha256').update(bytes.subarray(0, checkpoint.bytes)).digest('hex') === checkpoint.sha256;
        trustUpTo = intact ? checkpoint.seq : 0;
      }
      // Lines whose bytes the checkpoint pins were verified when it was written: not parsed again
      // (a page of the log parses them when it needs them); only the last of them, the chain's link.
      const trustedLines = trustUpTo > 0 ? Math.min(lines.length, trustUpTo - (n - 1) * options.entriesPerSegment) : 0;
      const entries: E[] = [];
      if (trustedLines > 0) {
        last = JSON.parse(lines[trustedLines - 1]) as E;
        if (last.seq !== trustUpTo || last.hash !== checkpoint!.hash) note(logProblem(trustUpTo, 'log_replaced'));
      }
      for (let index = trustedLines; index < lines.length; index++) {
        const line = lines[index];
        let entry: E;
        try {
          entry = options.parse(JSON.parse(line));
        } catch {
          note(logProblem((last?.seq ?? 0) + 1, 'line_unreadable', { line: index + 1, file: segmentName(n) }));
          continue;
        }
        entries.push(entry);
        // the first entry of a segment links to the previous segment's last, which is not read here
        const previous = last ?? (index === 0 && n > 1 ? ({ seq: entry.seq - 1, hash: entry.prevHash } as E) : null);
        const why = options.link(previous, entry);
        if (why) note(why);
        if (checkpoint && entry.seq === checkpoint.seq && entry.hash !== checkpoint.hash)
          note(logProblem(entry.seq, 'log_replaced'));
        last = entry;
      }
      if (n === lastSegment) {
        currentUnparsed = lines.slice(0, trustedLines);
        current = entries;
        lastValidSize = validSize;
        segmentHash = hash;
      }
    }
    if (checkpoint && (last?.seq ?? 0) < checkpoint.seq) {
      const from = (last?.seq ?? 0) + 1;
      note(logProblem(from, 'entries_missing', { last: last?.seq ?? 0, head: checkpoint.seq, from }));
    }
    if (currentUnparsed.length + current.length >= options.entriesPerSegment) {
      lastSegment += 1;
      currentUnparsed = [];
      current = [];
      lastValidSize = 0;
      segmentHash = createHash('sha256');
    }
    const writer = await AppendLog.open(join(options.dir, segmentName(lastSegment)), lastValidSize);
    const log = new SegmentedLog<E>(options, writer, lastSegment, current, segmentHash, last, problem, notices);
    log.currentUnparsed = currentUnparsed;
    return log;
  }

  private static async readCheckpoint(
    dir: string,
    notices: LogFileNotice[],
    now: () => Date,
  ): Promise<Checkpoint | null> {
    const path = join(dir, CHECKPOINT_FILE);
    const text = await readFileOrNull(path);
    if (!text) return null;
    try {
      const value = JSON.parse(text.toString('utf8')) as Checkpoint;
      if (value.schemaVersion === 1 && Number.isInteger(value.seq) && typeof value.hash === 'string' && Number.isInteger(value.bytes) && typeof value.sha256 === 'string') return value;
    } catch {
      // fall through: a damaged checkpoint is kept aside and the whole log is verified instead
    }
    const keptAsidePath = keptAsideName(path, now());
    await writeFileAtomic(keptAsidePath, text);
    notices.push({ file: path, code: 'audit_checkpoint_damaged', problem: 'the audit checkpoint is damaged; the whole log was verified instead', keptAsidePath });
    return null;
  }

  /** The newest entry (null for an empty log). */
  head(): E | null {
    return this.last;
  }

  get count(): number {
    return this.last?.seq ?? 0;
  }

  /**
   * Appends the entry `make` builds from the current head, once its line is on disk. Serialized,
   * so each entry links to the one before.
   */
  append(make: (previous: E | null) => E): Promise<E> {
    const run = async (): Promise<E> => {
      const entry = make(this.last);
      if (this.currentUnparsed.length + this.current.length >= this.options.entriesPerSegment) await this.roll();
      const line = JSON.stringify(entry);
      await this.writer.append(line);
      this.segmentHash.update(`${line}\n`, 'utf8');
      this.current.push(entry);
      this.last = entry;
      if (++this.appendsSinceCheckpoint >= this.options.checkpointEvery) await this.writeCheckpoint();
      return entry;
    };
    const done = this.queue.then(run, run);
    this.queue = done.catch(() => {});
    return done;
  }

  private async roll(): Promise<void> {
    await this.writeCheckpoint();
    await this.writer.close();
    this.segmentCache.set(this.segment, this.currentEntries());
    this.trimCache();
    this.segment += 1;
    this.currentUnparsed = [];
    this.current = [];
    this.segmentHash = createHash('sha256');
    this.writer = await AppendLog.open(join(this.options.dir, segmentName(this.segment)));
  }

  private async writeCheckpoint(): Promise<void> {
    this.appendsSinceCheckpoint = 0;
    if (!this.last) return;
    if (this.currentUnparsed.length + this.current.length === 0) return; // just rolled: the checkpoint written before the roll stands
    const checkpoint: Checkpoint = { schemaVersion: 1, seq: this.last.seq, hash: this.last.hash, bytes: this.writer.bytes, sha256: this.segmentHash.copy().digest('hex') };
    await writeFileAtomic(join(this.options.dir, CHECKPOINT_FILE), JSON.stringify(checkpoint));
  }

  private trimCache(): void {
    while (this.segmentCache.size > 3) this.segmentCache.delete(this.segmentCache.keys().next().value!);
  }

  /** The current segment's entries, oldest first: the lines left unparsed at open are parsed now, once. */
  private currentEntries(): E[] {
    if (this.currentUnparsed.length) {
      this.current = [...this.currentUnparsed.map((line) => JSON.parse(line) as E), ...this.current];
      this.currentUnparsed = [];
    }
    return this.current;
  }

  /** The entries of segment `n`, oldest first (the current one from memory). */
  private async segmentEntries(n: number): Promise<E[]> {
    if (n === this.segment) return this.currentEntries();
    const cached = this.segmentCache.get(n);
    if (cached) {
      this.segmentCache.delete(n);
      this.segmentCache.set(n, cached);
      return cached;
    }
    const read = await readLines(join(this.options.dir, segmentName(n)));
    const entries: E[] = [];
    for (const line of read?.lines ?? []) {
      try {
        entries.push(this.options.parse(JSON.parse(line)));
      } catch {
        // an unreadable line was reported when the log was opened; a page skips it
      }
    }
    this.segmentCache.set(n, entries);
    this.trimCache();
    return entries;
  }

  /**
   * Entries newest first, before `beforeSeq`, that `match`, up to `limit`, looking at no more than
   * `maxScan` entries. `scannedTo` is the oldest seq looked at: the next page starts there.
   */
  async newestFirst(query: { beforeSeq?: number; limit: number; maxScan: number; match: (entry: E) => boolean }): Promise<{ entries: E[]; scannedTo: number | null }> {
    await this.queue;
    const found: E[] = [];
    let next = Math.min(query.beforeSeq ?? Infinity, this.count + 1) - 1;
    let scanned = 0;
    while (next >= 1 && found.length < query.limit && scanned < query.maxScan) {
      const n = Math.ceil(next / this.options.entriesPerSegment);
      const entries = await this.segmentEntries(n);
      for (let i = entries.length - 1; i >= 0 && found.length < query.limit && scanned < query.maxScan; i--) {
        const entry = entries[i];
        if (entry.seq > next) continue;
        scanned += 1;
        next = entry.seq - 1;
        if (query.match(entry)) found.push(entry);
      }
      if (next >= 1 && Math.ceil(next / this.options.entriesPerSegment) === n) next = (n - 1) * this.options.entriesPerSegment; // gap from a damaged line
    }
    return { entries: found, scannedTo: next >= 1 ? next + 1 : null };
  }

  /** Bytes on disk (for the benchmark). */
  async diskBytes(): Promise<number> {
    let total = 0;
    for (const name of await readdir(this.options.dir)) total += (await stat(join(this.options.dir, name))).size;
    return total;
  }

  async close(): Promise<void> {
    const run = async () => {
      await this.writeCheckpoint();
      await this.writer.close();
    };
    const done = this.queue.then(run, run);
    this.queue = done.catch(() => {});
    await done;
  }
}

/** Writes a whole log at once (the migration of an old single-file log): segments, then the checkpoint. */
export async function writeSegmentedLog<E extends LogEntry>(dir: string, entries: readonly E[], entriesPerSegment = 10_000): Promise<void> {
  await ensureDir(dir);
  let bytes = 0;
  let sha256 = '';
  for (let start = 0; start < entries.length; start += entriesPerSegment) {
    const text = entries
      .slice(start, start + entriesPerSegment)
      .map((e) => `${JSON.stringify(e)}\n`)
      .join('');
    await writeFileAtomic(join(dir, segmentName(start / entriesPerSegment + 1)), text);
    bytes = Buffer.byteLength(text, 'utf8');
    sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  }
  const last = entries.at(-1);
  if (last) await writeFileAtomic(join(dir, CHECKPOINT_FILE), JSON.stringify({ schemaVersion: 1, seq: last.seq, hash: last.hash, bytes, sha256 } satisfies Checkpoint));
}
