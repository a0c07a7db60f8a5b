/**
 * A small lowdb document that never loses what was recorded (settings, staff, the terminal):
 * - every write is atomic (temp file, fsync, rename, fsync of the folder) and serialized;
 * - every file carries `schemaVersion`, is migrated in order and parsed with zod on load;
 * - an open writes nothing it need not, and keeps a copy of each distinct version it finds;
 * - a file that was read and is damaged is never overwritten: it is kept aside under a new name,
 *   the newest readable backup is used instead, and a notice says what happened; a file that could
 *   not be read at all (permissions, a lock) is not touched: opening fails with the real cause.
 * Imports nothing of ours (DESIGN §1).
 */
import { copyFile, rename } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import type { z } from 'zod';
import { ensureDir, keptAsideName, readFileOrNull, removeStaleTemps, writeFileAtomic } from './files';

export { writeFileAtomic } from './files';

/** What was wrong with a file, as a code (with its parameters) for the user's language, and in English for logs. */
export interface FileProblem {
  code: string;
  params: Record<string, string | number>;
  problem: string;
}

export interface StoreFileNotice extends FileProblem {
  file: string;
  keptAsidePath: string;
  restoredFrom: string | null;
  at: string;
}

/** Migration `n` turns a file of version n into version n + 1. */
export type Migrations = Record<number, (data: Record<string, unknown>) => Record<string, unknown>>;

export interface JsonStoreOptions<T extends { schemaVersion: number }> {
  path: string;
  schema: z.ZodType<T>;
  version: number;
  migrations: Migrations;
  defaults: () => T;
  /**
   * How many backups to keep beside the file: made at an open that finds it changed since the newest
   * backup, at the first write of a run and then at most every `backupIntervalMs` (small files only:
   * a backup costs the file's size).
   */
  backups?: number;
  backupIntervalMs?: number;
  now?: () => Date;
}

export class StoreVersionError extends Error {
  constructor(readonly file: string, readonly found: number, readonly supported: number) {
    super(`${file} was written by a newer Mandate Desk (data version ${found}, this app reads up to ${supported}). Update the app; the file was left untouched.`);
  }
}

/** lowdb's adapter for our files: atomic replacement; `durable` fsyncs before a write resolves. */
export class AtomicJsonFile<T> implements Adapter<T> {
  constructor(
    private readonly path: string,
    private readonly durable = true,
  ) {}
  async read(): Promise<T | null> {
    // Reading is done by the store that owns the file (it must see parse errors); lowdb only writes here.
    return null;
  }
  async write(data: T): Promise<void> {
    const text = JSON.stringify(data);
    // Not durable (a journal holds the change, and the caller was answered before this write): no fsync,
    // and through the thread pool, so that the event loop is not held by the disk.
    await writeFileAtomic(this.path, text, { durable: this.durable });
  }
}

export type LoadResult<T> = { ok: true; data: T } | ({ ok: false } & FileProblem);

/**
 * Parses a file's text: JSON, `schemaVersion`, migrations in order, zod. A newer version than this
 * app reads throws StoreVersionError (the file is left untouched).
 */
export function parseVersioned<T extends { schemaVersion: number }>(
  file: string,
  text: string,
  options: { schema: z.ZodType<T>; version: number; migrations: Migrations },
): LoadResult<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, code: 'not_json', params: {}, problem: `not valid JSON (${(error as Error).message})` };
  }
  if (typeof raw !== 'object' || raw === null || typeof (raw as { schemaVersion?: unknown }).schemaVersion !== 'number')
    return { ok: false, code: 'no_schema_version', params: {}, problem: 'no schemaVersion' };
  let record = raw as Record<string, unknown> & { schemaVersion: number };
  if (record.schemaVersion > options.version) throw new StoreVersionError(file, record.schemaVersion, options.version);
  try {
    while (record.schemaVersion < options.version) {
      const migrate = options.migrations[record.schemaVersion];
      if (!migrate) return { ok: false, code: 'no_migration', params: { version: String(record.schemaVersion) }, problem: `no migration from data version ${record.schemaVersion}` };
      const from = record.schemaVersion;
      record = { ...migrate(record), schemaVersion: from + 1 };
    }
  } catch (error) {
    return { ok: false, code: 'migration_failed', params: {}, problem: `migration failed (${(error as Error).message})` };
  }
  const parsed = options.schema.safeParse(record);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, code: 'wrong_shape', params: { path: first?.path.join('.') || '(root)' }, problem: `does not match the expected shape at ${first?.path.join('.') || '(root)'}: ${first?.message}` };
  }
  return { ok: true, data: parsed.data };
}

export class JsonStore<T extends { schemaVersion: number }> {
  private queue: Promise<unknown> = Promise.resolve();
  /** When the newest backup was made in this run; 0: none yet, so the first write makes one. */
  private lastBackupAt = 0;

  private constructor(
    private readonly db: Low<T>,
    readonly path: string,
    private readonly schema: z.ZodType<T>,
    /** What went wrong while opening (empty when the file was fine). */
    readonly notices: StoreFileNotice[],
    /** True when the file existed but neither it nor any backup could be read: the data is the defaults. */
    readonly lost: boolean,
    private readonly backupPaths: string[],
    private readonly backupIntervalMs: number,
    private readonly now: () => Date,
  ) {}

  static async open<T extends { schemaVersion: number }>(options: JsonStoreOptions<T>): Promise<JsonStore<T>> {
    const { path } = options;
    const now = options.now ?? (() => new Date());
    await ensureDir(dirname(path));
    await removeStaleTemps(dirname(path), basename(path));
    const backupPaths = Array.from({ length: options.backups ?? 3 }, (_, i) => `${path}.backup-${i + 1}`);
    const notices: StoreFileNotice[] = [];

    let data: T | null = null;
    let lost = false;
    let needsWrite: boolean;
    const text = await readFileOrNull(path);
    if (text) {
      const loaded = parseVersioned(path, text.toString('utf8'), options);
      if (loaded.ok) {
        data = loaded.data;
        needsWrite = (JSON.parse(text.toString('utf8')) as { schemaVersion: number }).schemaVersion !== options.version;
        await JsonStore.backUpIfChanged(path, text, backupPaths);
      } else {
        const keptAsidePath = keptAsideName(path, now());
        await rename(path, keptAsidePath);
        let restoredFrom: string | null = null;
        for (const backup of backupPaths) {
          const backupText = await readFileOrNull(backup);
          if (!backupText) continue;
          const fromBackup = parseVersioned(backup, backupText.toString('utf8'), options);
          if (fromBackup.ok) {
            data = fromBackup.data;
            restoredFrom = backup;
            break;
          }
        }
        lost = restoredFrom === null;
        needsWrite = !lost;
        notices.push({ file: path, code: loaded.code, params: loaded.params, problem: loaded.problem, keptAsidePath, restoredFrom, at: now().toISOString() });
      }
    } else {
      needsWrite = true;
    }

    const db = new Low<T>(new AtomicJsonFile<T>(path), options.defaults());
    db.data = data ?? options.schema.parse(options.defaults());
    const store = new JsonStore<T>(db, path, options.schema, notices, lost, backupPaths, options.backupIntervalMs ?? 10 * 60_000, now);
    // An open writes only what it must: a new file, a migrated one, or one restored from a backup.
    // A lost file is not replaced by defaults: the caller decides (its kept-aside copy stays).
    if (needsWrite) await db.write();
    return store;
  }

  /** Keeps the last few distinct versions seen at open (small files only: a copy costs the file's size). */
  private static async backUpIfChanged(path: string, text: Buffer, backupPaths: string[]): Promise<void> {
    if (backupPaths.length === 0) return;
    const newest = await readFileOrNull(backupPaths[0]).catch(() => null);
    if (newest && newest.equals(text)) return;
    await JsonStore.rotate(path, backupPaths);
  }

  private static async rotate(path: string, backupPaths: string[]): Promise<void> {
    for (let i = backupPaths.length - 1; i > 0; i--) {
      await rename(backupPaths[i - 1], backupPaths[i]).catch(() => {});
    }
    await copyFile(path, backupPaths[0]);
  }

  /** The current data. Treat it as read-only: change it only through `update`. */
  get data(): Readonly<T> {
    return this.db.data;
  }

  /**
   * Applies `change` to a copy, checks the result against the schema, writes it durably, and only
   * then makes it current. If anything fails, the data (in memory and on disk) is as before.
   */
  update<R>(change: (draft: T) => R): Promise<R> {
    const run = async (): Promise<R> => {
      const previous = this.db.data;
      const draft = structuredClone(previous);
      const result = change(draft);
      const next = this.schema.parse(draft);
      this.db.data = next;
      try {
        await this.db.write();
      } catch (error) {
        this.db.data = previous;
        throw error;
      }
      if (this.backupPaths.length && this.now().getTime() - this.lastBackupAt >= this.backupIntervalMs) {
        this.lastBackupAt = this.now().getTime();
        // The change is already durable; a failed backup must not undo or fail it.
        await JsonStore.rotate(this.path, this.backupPaths).catch((error) => console.warn(`backup of ${this.path} failed: ${String(error)}`));
      }
      return result;
    };
    const done = this.queue.then(run, run);
    this.queue = done.catch(() => {});
    return done;
  }
}
