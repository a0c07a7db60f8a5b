/**
 * Many small lowdb documents (one per customer) whose every change costs the size of the change:
 *
 * - A change is committed by one fsynced append to the journal: the records that changed (arrays
 *   are diffed by each element's key), never the whole document, let alone all documents.
 * - The document file itself is then replaced atomically without an fsync of its own, after the
 *   caller is answered and before the next queued write: the journal already holds the change, so
 *   a crash or power loss loses nothing.
 * - A checkpoint (every `checkpointEvery` commits, and at close) writes a durable backup copy of
 *   each document changed since the last one, the caller's index snapshot, and the position; then
 *   the journal starts afresh. Start-up replays only the journal written since.
 * - Each document has a revision; the caller's index remembers it, so a document file older than
 *   what was committed (a rename lost to a power cut) is noticed and rebuilt from its backup and the
 *   journal, as is a damaged one (kept aside, never overwritten).
 *
 * Imports nothing of ours (DESIGN §1).
 */
import { readdir, rename, unlink } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Low } from 'lowdb';
import isDeepEqual from 'fast-deep-equal';
import rfdc from 'rfdc';
import type { z } from 'zod';
import { AppendLog, eachLimited, ensureDir, keptAsideName, readFileOrNull, readLineBuffers, readLines, removeStaleTemps, syncDirectory, writeFileAtomic, writeLinesAtomic } from './files';
import { AtomicJsonFile, parseVersioned, type FileProblem, type Migrations } from './json-store';

export interface Doc {
  schemaVersion: number;
  /** Incremented by every committed change. */
  rev: number;
}

export interface DocumentStoreNotice extends FileProblem {
  file: string;
  keptAsidePath: string | null;
  restoredFrom: string | null;
  /** What could not be brought back (empty when everything was recovered). */
  missing: string[];
  at: string;
}

export interface DocumentStoreOptions<D extends Doc> {
  dir: string;
  schema: z.ZodType<D>;
  version: number;
  migrations: Migrations;
  /** For each array field of a document: the key of its elements, so a change journals only the elements that changed. */
  keys: { [K in keyof D]?: (element: never) => string };
  /** Parses one changed element or field (`field` names it) before it is journaled: a bad change is refused before it is written. */
  parseField(field: string, value: unknown): unknown;
  /**
   * Runs on the draft after the caller's change, before it is parsed and journaled: what it adds is
   * committed in the same durable write. Throwing refuses the change (nothing is written).
   */
  beforeCommit?(id: string, previous: Readonly<D> | null, draft: D): void;
  /**
   * Told of every committed state of a document: `commit` for a change, `replay` for one the journal
   * gave back at start, `rebuild` for a document read to rebuild a missing or damaged index.
   * `previous` is the state a commit replaced (null for a new document, and at replay and rebuild);
   * whatever `doc` did not change is the very same object in both.
   */
  onCommit(id: string, doc: D, how: 'commit' | 'replay' | 'rebuild', previous: D | null): void;
  /**
   * Awaited after each committed change (not at replay), before the next write or a checkpoint
   * starts: a derived file written here is either done or its change is still in the journal.
   */
  afterCommit?(id: string, previous: D | null, next: D): Promise<void>;
  /** The caller's index, persisted at checkpoints in `index.jsonl` and restored at start before the journal is replayed. */
  index: IndexPersistence;
  /** Awaited at each checkpoint before any journal is dropped: makes derived files written without fsync durable. */
  beforeCheckpoint?(): Promise<void>;
  /** The revision the index remembers for a document (0 when unknown). */
  expectedRev(id: string): number;
  /** Stamped on each journal line: lets the audit log notice entries cut off its end. */
  auditHead?: () => number;
  checkpointEvery?: number;
  /** Rows beyond 1.5 × the index's that `index.jsonl` may hold before a checkpoint rewrites it (default 1,000). */
  indexSlackRows?: number;
  cacheSize?: number;
  now?: () => Date;
}

/**
 * How the store persists its caller's index. A checkpoint appends the rows of the documents changed
 * since the one before (cost: those documents); once the file holds half again as many rows as the
 * index, the next checkpoint rewrites it whole, a line at a time, yielding between lines.
 */
export interface IndexPersistence {
  /** Snapshot lines of these documents' rows, or of everything (rows and whatever else the index keeps) when `ids` is omitted. */
  snapshot(ids?: Iterable<string>): Iterable<string>;
  /**
   * Applies lines in order (a later row replaces an earlier one). Returns the rows applied, and
   * whether the file should be written whole at the next checkpoint (lines of an older format).
   * Throws on a damaged line.
   */
  restore(lines: readonly Buffer[]): { rows: number; rewrite: boolean };
  /** Rows the index holds now. */
  size(): number;
}

interface JournalLine {
  /** document id */
  d: string;
  rev: number;
  /** changed fields: arrays hold only the changed elements */
  set: Record<string, unknown>;
  a?: number;
}

interface Checkpoint {
  schemaVersion: 1;
  /** Journal files numbered from here on hold what came after this checkpoint. */
  journal: number;
  /** The audit head when the checkpoint was written. */
  auditSeq: number;
}

export class DocumentNotFound extends Error {
  constructor(readonly id: string) {
    super(`There is no document ${id}.`);
  }
}

const CHECKPOINT_FILE = 'checkpoint.json';
const INDEX_FILE = 'index.jsonl';
const journalName = (n: number) => `journal-${String(n).padStart(6, '0')}.jsonl`;
const JOURNAL_PATTERN = /^journal-(\d{6})\.jsonl$/;

/** Documents are JSON values: a plain deep copy is several times cheaper than structuredClone's serialization. */
const copyJson = rfdc({ proto: false, circles: false });

/** Equal as the journal would see it: structurally (in any key order), or else as JSON text (which leaves out undefined fields). */
function sameJson(a: unknown, b: unknown): boolean {
  return isDeepEqual(a, b) || JSON.stringify(a) === JSON.stringify(b);
}

/** Documents are spread over 256 folders so that no folder grows huge. */
function shardOf(id: string): string {
  return createHash('sha1').update(id).digest('hex').slice(0, 2);
}

export class DocumentStore<D extends Doc> {
  private queue: Promise<unknown> = Promise.resolve();
  /** The file write of the last committed change, which the next queued write waits for. */
  private fileWrite: Promise<void> = Promise.resolve();
  /** Loaded documents, least recently used first. */
  private readonly cache = new Map<string, Low<D>>();
  /** Documents changed since the last checkpoint: each gets a durable backup copy at the next one. */
  private dirty = new Set<string>();
  private commitsSinceCheckpoint = 0;
  /** The checkpoint under way (it runs beside new writes), if any. */
  private checkpointRunning: Promise<void> | null = null;
  /** The journal the last completed checkpoint points to: journals from this one on are live. */
  private checkpointedJournal: number;
  /** Rows in `index.jsonl`, or null when the next checkpoint must write it whole (none yet, or unusable). */
  private indexRows: number | null = null;
  /** Bytes of `index.jsonl` up to its last complete line (a torn tail is cut before the next append). */
  private indexValidSize: number | undefined;
  readonly notices: DocumentStoreNotice[] = [];
  /** The newest audit seq the checkpoint and the journal replayed at open recorded (0 when none): a witness for the audit log. */
  auditSeqSeen = 0;
  private onNotice: ((notice: DocumentStoreNotice) => void) | null = null;

  private constructor(
    private readonly options: DocumentStoreOptions<D> & { checkpointEvery: number; indexSlackRows: number; cacheSize: number; now: () => Date },
    private journal: AppendLog,
    private journalNumber: number,
    replayFrom: number,
  ) {
    this.checkpointedJournal = replayFrom;
  }

  /** Where document `id` of the store in `dir` lives. */
  static pathOf(dir: string, id: string): string {
    return join(dir, 'docs', shardOf(id), `${id}.json`);
  }
  private docPath(id: string): string {
    return DocumentStore.pathOf(this.options.dir, id);
  }
  private backupPath(id: string): string {
    return join(this.options.dir, 'backup', shardOf(id), `${id}.json`);
  }

  static async open<D extends Doc>(input: DocumentStoreOptions<D>): Promise<DocumentStore<D>> {
    const options = { checkpointEvery: 1000, indexSlackRows: 1000, cacheSize: 2000, now: () => new Date(), ...input };
    const { dir } = options;
    await ensureDir(dir);
    await removeStaleTemps(dir);

    const checkpointText = await readFileOrNull(join(dir, CHECKPOINT_FILE));
    let checkpoint: Checkpoint | null = null;
    const startNotices: DocumentStoreNotice[] = [];
    if (checkpointText) {
      try {
        checkpoint = JSON.parse(checkpointText.toString('utf8')) as Checkpoint;
        if (checkpoint.schemaVersion !== 1 || !Number.isInteger(checkpoint.journal)) throw new Error('bad checkpoint');
      } catch {
        checkpoint = null;
        startNotices.push({ file: join(dir, CHECKPOINT_FILE), code: 'checkpoint_damaged', params: {}, problem: 'the store checkpoint is damaged', keptAsidePath: null, restoredFrom: null, missing: [], at: options.now().toISOString() });
      }
    }

    const names = await readdir(dir);
    const journals = names
      .map((n) => JOURNAL_PATTERN.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    const replayFrom = checkpoint?.journal ?? journals[0] ?? 1;
    const toReplay = journals.filter((n) => n >= replayFrom);
    const current = Math.max(replayFrom, ...toReplay);

    // The index first: the snapshot of the last checkpoint (or nothing, and the documents are scanned).
    // A torn last line is an append of a checkpoint that never finished: the journals it would have
    // dropped are still here and are replayed below, so the complete lines are good.
    let indexRows: number | null = null;
    let indexValidSize: number | undefined;
    let indexRestoredOld = false;
    if (checkpoint) {
      const index = await readLineBuffers(join(dir, INDEX_FILE)); // undecoded: the index decodes the lines it needs
      if (index) {
        try {
          const restored = options.index.restore(index.lines);
          indexRows = restored.rows;
          indexValidSize = index.validSize;
          if (restored.rewrite) indexRestoredOld = true;
        } catch (error) {
          startNotices.push({ file: join(dir, INDEX_FILE), code: 'index_damaged', params: {}, problem: `the index is damaged (${(error as Error).message}); it was rebuilt from the documents`, keptAsidePath: null, restoredFrom: null, missing: [], at: options.now().toISOString() });
        }
      }
    }

    // Replay what was committed since the checkpoint (a clean stop leaves this empty).
    const lines: JournalLine[] = [];
    let lastValidSize = 0;
    for (const n of toReplay) {
      const read = await readLines(join(dir, journalName(n)));
      if (!read) continue;
      for (const [i, text] of read.lines.entries()) {
        try {
          lines.push(JSON.parse(text) as JournalLine);
        } catch {
          startNotices.push({
            file: join(dir, journalName(n)),
            code: 'journal_line_unreadable',
            params: { line: i + 1 },
            problem: `line ${i + 1} of the journal cannot be read; the change it held may be missing from its customer's file`,
            keptAsidePath: null,
            restoredFrom: null,
            missing: [`${journalName(n)}:${i + 1}`], // file:line, the same in every language
            at: options.now().toISOString(),
          });
        }
      }
      if (n === current) lastValidSize = read.validSize;
    }

    const journal = await AppendLog.open(join(dir, journalName(current)), lastValidSize || undefined);
    const store = new DocumentStore<D>(options, journal, current, replayFrom);
    // an index in an older format is written afresh by the first checkpoint (at the latest, the clean stop)
    store.indexRows = indexRestoredOld ? null : indexRows;
    store.indexValidSize = indexValidSize;
    store.notices.push(...startNotices);
    store.auditSeqSeen = Math.max(checkpoint?.auditSeq ?? 0, ...lines.map((line) => line.a ?? 0));

    if (indexRows === null) {
      await store.rebuildIndex();
      store.indexRows = null;
    }
    const touched = new Map<string, JournalLine[]>();
    for (const line of lines) {
      const list = touched.get(line.d) ?? [];
      list.push(line);
      touched.set(line.d, list);
    }
    for (const [id, changes] of touched) {
      // temp files of interrupted writes: of the document, and of its backup copy (a checkpoint cut short)
      await removeStaleTemps(join(dir, 'docs', shardOf(id)), id);
      await removeStaleTemps(join(dir, 'backup', shardOf(id)), id);
      await store.replay(id, changes);
    }
    return store;
  }

  /** Called for every notice found after start (a damaged document found when it is opened). */
  listen(onNotice: (notice: DocumentStoreNotice) => void): void {
    this.onNotice = onNotice;
  }

  private notify(notice: DocumentStoreNotice): void {
    this.notices.push(notice);
    this.onNotice?.(notice);
  }

  /** Recovery only: reads every document to rebuild the index (the index snapshot was missing or damaged). */
  private async rebuildIndex(): Promise<void> {
    const docsDir = join(this.options.dir, 'docs');
    let shards: string[];
    try {
      shards = await readdir(docsDir);
    } catch {
      return;
    }
    for (const shard of shards) {
      for (const name of await readdir(join(docsDir, shard))) {
        if (!name.endsWith('.json') || name.startsWith('.')) continue;
        const id = name.slice(0, -'.json'.length);
        const doc = await this.read(id, 0).catch(() => null);
        if (doc) this.options.onCommit(id, doc.data, 'rebuild', null);
      }
    }
  }

  private async replay(id: string, changes: JournalLine[]): Promise<void> {
    const expected = Math.max(...changes.map((c) => c.rev));
    // The revision the index snapshot remembers: a document file older than that (a rename lost to a
    // power cut) must not be the base the journal is replayed onto; its backup copy is.
    let db = await this.read(id, this.options.expectedRev(id)).catch(() => null);
    const base = db?.data ?? null;
    let doc: D | null = base ? copyJson(base) : null;
    for (const change of changes) {
      if (doc && change.rev <= doc.rev) continue;
      doc = this.applyChange(doc, change);
    }
    if (!doc) return;
    const parsed = this.options.schema.parse(doc);
    if (!db || db.data.rev !== parsed.rev) {
      db ??= new Low<D>(new AtomicJsonFile<D>(this.docPath(id), false), parsed);
      db.data = parsed;
      await ensureDir(join(this.options.dir, 'docs', shardOf(id)));
      await db.write();
    }
    this.remember(id, db);
    this.dirty.add(id);
    if (parsed.rev >= expected) this.options.onCommit(id, parsed, 'replay', null);
  }

  private applyChange(doc: D | null, change: JournalLine): D {
    const next = (doc ? { ...doc } : {}) as Record<string, unknown>;
    for (const [field, value] of Object.entries(change.set)) {
      const keyOf = (this.options.keys as Record<string, ((e: unknown) => string) | undefined>)[field];
      if (keyOf && Array.isArray(value)) {
        const list = [...((next[field] as unknown[] | undefined) ?? [])];
        for (const element of value) {
          const at = list.findIndex((e) => keyOf(e) === keyOf(element));
          if (at >= 0) list[at] = element;
          else list.push(element);
        }
        next[field] = list;
      } else {
        next[field] = value;
      }
    }
    next.rev = change.rev;
    return next as D;
  }

  private remember(id: string, db: Low<D>): void {
    this.cache.delete(id);
    this.cache.set(id, db);
    while (this.cache.size > this.options.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }

  /**
   * Reads a document from disk. A damaged file, or one older than the revision the index expects,
   * is rebuilt from its backup copy and the journal; a damaged file is kept aside, never overwritten.
   */
  private async read(id: string, expectedRev: number): Promise<Low<D>> {
    const path = this.docPath(id);
    const text = await readFileOrNull(path);
    let problem: FileProblem;
    if (text) {
      const loaded = parseVersioned(path, text.toString('utf8'), this.options);
      if (loaded.ok && loaded.data.rev >= expectedRev) return new Low<D>(new AtomicJsonFile<D>(path, false), loaded.data);
      problem = loaded.ok
        ? { code: 'document_older', params: { rev: loaded.data.rev, expected: expectedRev }, problem: `it is older (revision ${loaded.data.rev}) than what was saved (revision ${expectedRev})` }
        : { code: loaded.code, params: loaded.params, problem: loaded.problem };
    } else if (expectedRev === 0) {
      throw new DocumentNotFound(id);
    } else {
      problem = { code: 'file_missing', params: {}, problem: 'the file is missing' };
    }

    const at = this.options.now();
    let keptAsidePath: string | null = null;
    if (text) {
      keptAsidePath = keptAsideName(path, at);
      await rename(path, keptAsidePath);
    }
    const backupText = await readFileOrNull(this.backupPath(id));
    const backup = backupText ? parseVersioned(this.backupPath(id), backupText.toString('utf8'), this.options) : null;
    let doc: D | null = backup?.ok ? backup.data : null;
    // the journal since the last checkpoint brings the backup up to date
    const journalChanges = await this.journalFor(id);
    for (const change of journalChanges) {
      if (doc && change.rev <= doc.rev) continue;
      if (!doc && !change.set.schemaVersion) continue; // a change without its document's first state
      doc = this.applyChange(doc, change);
    }
    const recoveredRev = doc?.rev ?? 0;
    // the document's id and the revisions (changes) not recovered, the same in every language
    const missing = recoveredRev >= expectedRev ? [] : [`${id} #${recoveredRev + 1}–${expectedRev}`];
    this.notify({ file: path, ...problem, keptAsidePath, restoredFrom: backup?.ok ? this.backupPath(id) : null, missing, at: at.toISOString() });
    if (!doc) throw new DocumentNotFound(id);
    const parsed = this.options.schema.parse(doc);
    const db = new Low<D>(new AtomicJsonFile<D>(path, false), parsed);
    await db.write();
    this.dirty.add(id);
    return db;
  }

  private async journalFor(id: string): Promise<JournalLine[]> {
    const found: JournalLine[] = [];
    const lines: string[] = [];
    // every live journal: while a checkpoint runs, the one before the current is not yet dropped
    for (let n = this.checkpointedJournal; n <= this.journalNumber; n++) lines.push(...((await readLines(join(this.options.dir, journalName(n))))?.lines ?? []));
    for (const text of lines) {
      if (!text.includes(JSON.stringify(id))) continue;
      try {
        const line = JSON.parse(text) as JournalLine;
        if (line.d === id) found.push(line);
      } catch {
        // reported at start
      }
    }
    return found;
  }

  private async load(id: string): Promise<Low<D>> {
    const cached = this.cache.get(id);
    if (cached) {
      this.remember(id, cached);
      return cached;
    }
    const db = await this.read(id, this.options.expectedRev(id));
    this.remember(id, db);
    return db;
  }

  /** The document (read-only), or null when there is none. */
  async get(id: string): Promise<Readonly<D> | null> {
    try {
      return (await this.load(id)).data;
    } catch (error) {
      if (error instanceof DocumentNotFound) return null;
      throw error;
    }
  }

  /**
   * Applies `change` to a copy of the document and commits what changed: parsed, journaled
   * (fsynced), then made current and written. If `change` or the parse throws, nothing changes.
   * `create` makes a new document (refused when one exists).
   */
  update<R>(id: string, change: (draft: D) => R, create?: () => D): Promise<R> {
    const run = async (): Promise<R> => {
      let db: Low<D> | null = null;
      try {
        db = await this.load(id);
      } catch (error) {
        if (!(error instanceof DocumentNotFound) || !create) throw error;
      }
      if (db && create) throw new Error(`The document ${id} already exists.`);
      const previous: D | null = db?.data ?? null;
      const draft = previous ? copyJson(previous) : create!();
      const result = change(draft);
      this.options.beforeCommit?.(id, previous, draft);
      draft.rev = (previous?.rev ?? 0) + 1;
      const set = this.changedFields(previous, draft);
      if (Object.keys(set).length === 0) return result;
      const line: JournalLine = { d: id, rev: draft.rev, set };
      // what is kept is exactly what the journal holds, so a replay gives the same document
      const next = this.applyChange(previous, line);
      if (!previous) this.options.schema.parse(next);
      const auditSeq = this.options.auditHead?.();
      if (auditSeq !== undefined) line.a = auditSeq;
      await this.journal.append(JSON.stringify(line));

      if (!db) {
        await ensureDir(join(this.options.dir, 'docs', shardOf(id)));
        db = new Low<D>(new AtomicJsonFile<D>(this.docPath(id), false), next);
      }
      db.data = next;
      this.remember(id, db);
      this.dirty.add(id);
      this.options.onCommit(id, next, 'commit', previous);
      await this.options.afterCommit?.(id, previous, next);
      // Committed (the journal holds it): the caller is answered now, and the document's file is
      // written before the next queued write starts. A failed or unfinished file write is repaired
      // from the journal (at the next checkpoint or start); reads meanwhile get the document from memory.
      // (started on the next turn of the event loop, so that even its first steps come after the answer)
      const written = db;
      this.fileWrite = new Promise<void>((resolve) => setImmediate(resolve)).then(() => written.write()).catch(() => {});
      // the checkpoint runs beside the writes that follow (only its journal switch waits its turn)
      if (++this.commitsSinceCheckpoint >= this.options.checkpointEvery && !this.checkpointRunning) void this.startCheckpoint().catch(() => {});
      return result;
    };
    return this.enqueue(run);
  }

  /** Runs `task` after every write queued before it (and its document file), and before any queued after it. */
  private enqueue<R>(task: () => Promise<R>): Promise<R> {
    const done = this.queue.then(task, task);
    this.queue = done.catch(() => {}).then(() => this.fileWrite);
    return done;
  }

  /** The fields (and array elements) that differ, each parsed; throws when one does not parse. */
  private changedFields(previous: D | null, draft: D): Record<string, unknown> {
    const set: Record<string, unknown> = {};
    const keys = this.options.keys as Record<string, ((e: unknown) => string) | undefined>;
    for (const [field, value] of Object.entries(draft)) {
      if (field === 'rev') continue;
      const before = previous ? (previous as Record<string, unknown>)[field] : undefined;
      const keyOf = keys[field];
      if (!previous) {
        set[field] = keyOf && Array.isArray(value) ? value.map((e) => this.options.parseField(field, e)) : this.options.parseField(field, value);
      } else if (keyOf && Array.isArray(value)) {
        const old = new Map(((before as unknown[] | undefined) ?? []).map((e) => [keyOf(e), e]));
        if (old.size > value.length) throw new Error(`Records are never removed (${field}).`);
        const changed = value.filter((e) => !old.has(keyOf(e)) || !sameJson(old.get(keyOf(e)), e)).map((e) => this.options.parseField(field, e));
        if (changed.length) set[field] = changed;
      } else if (!sameJson(before, value)) {
        set[field] = this.options.parseField(field, value);
      }
    }
    return set;
  }

  private startCheckpoint(): Promise<void> {
    const running = this.runCheckpoint().finally(() => {
      this.checkpointRunning = null;
    });
    this.checkpointRunning = running;
    return running;
  }

  /**
   * Makes everything since the last checkpoint durable outside the journal (a backup copy of each
   * changed document, their index rows), then drops the journals before it. Cost: the documents
   * changed since, plus, now and then, a rewrite of the index file. Only the switch to a new journal
   * takes a turn in the write queue; new writes go on while the rest runs. A checkpoint that fails
   * leaves every journal in place, and the next one writes what this one did not.
   */
  private async runCheckpoint(): Promise<void> {
    const { dir } = this.options;
    const rotated = await this.enqueue(async () => {
      // nothing committed since the last one: nothing to write (a clean reopen changes no file)
      if (this.dirty.size === 0 && this.commitsSinceCheckpoint === 0 && this.indexRows !== null) return null;
      this.commitsSinceCheckpoint = 0;
      const dirty = this.dirty;
      this.dirty = new Set();
      const previous = this.journal;
      this.journalNumber += 1;
      this.journal = await AppendLog.open(join(dir, journalName(this.journalNumber)));
      await syncDirectory(dir);
      await previous.close();
      return { dirty, journal: this.journalNumber, auditSeq: this.options.auditHead?.() ?? 0 };
    });
    if (!rotated) return;
    try {
      await this.options.beforeCheckpoint?.();
      const shards = new Set<string>();
      await eachLimited([...rotated.dirty], 8, async (id) => {
        // one evicted from the cache is read in the write queue: a repair it may need must not race a write
        const db = this.cache.get(id) ?? (await this.enqueue(() => this.load(id)).catch(() => null));
        if (!db) return;
        await ensureDir(join(dir, 'backup', shardOf(id)));
        await writeFileAtomic(this.backupPath(id), JSON.stringify(db.data), { durable: true, syncFolder: false });
        shards.add(shardOf(id));
      });
      for (const shard of shards) await syncDirectory(join(dir, 'backup', shard));
      await this.writeIndex(rotated.dirty);
      const checkpoint: Checkpoint = { schemaVersion: 1, journal: rotated.journal, auditSeq: rotated.auditSeq };
      await writeFileAtomic(join(dir, CHECKPOINT_FILE), JSON.stringify(checkpoint));
      this.checkpointedJournal = rotated.journal;
    } catch (error) {
      for (const id of rotated.dirty) this.dirty.add(id);
      throw error;
    }
    for (let n = rotated.journal - 1; n >= 1; n--) {
      const removed = await unlink(join(dir, journalName(n))).then(
        () => true,
        () => false,
      );
      if (!removed) break;
    }
  }

  /** Appends the rows of `changed` to the index file, or rewrites it whole when it has grown half again past the index. */
  private async writeIndex(changed: Set<string>): Promise<void> {
    const path = join(this.options.dir, INDEX_FILE);
    const { index } = this.options;
    if (this.indexRows !== null && this.indexRows + changed.size <= 1.5 * index.size() + this.options.indexSlackRows) {
      const log = await AppendLog.open(path, this.indexValidSize);
      try {
        for (const line of index.snapshot(changed)) await log.append(line);
      } finally {
        await log.close();
      }
      this.indexRows += changed.size;
      this.indexValidSize = log.bytes;
      return;
    }
    const rows = index.size();
    const bytes = await writeLinesAtomic(path, index.snapshot());
    this.indexRows = rows;
    this.indexValidSize = bytes;
  }

  /** A checkpoint now (after the one under way, if any, and the writes queued before it). */
  async checkpoint(): Promise<void> {
    await this.checkpointRunning?.catch(() => {});
    await this.startCheckpoint();
  }

  /** Resolves once every write queued so far, document files included, is done (for measuring and tests). */
  async settled(): Promise<void> {
    await this.queue;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.checkpoint();
    await this.journal.close();
  }
}
