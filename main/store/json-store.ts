/**
 * A lowdb file that never loses what was recorded:
 * - every write is atomic (temp file, fsync, rename, fsync of the folder) and serialized;
 * - every file carries `schemaVersion`, is migrated in order and parsed with zod on load;
 * - a file that cannot be read is never overwritten: it is kept aside under a new name, the newest
 *   readable backup (made at each open) is used instead, and a notice says what happened.
 * Imports nothing of ours (DESIGN §1).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, copyFile, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import type { z } from 'zod';

export interface StoreFileNotice {
  file: string;
  problem: string;
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
  /** How many backups to keep beside the file (made at each open and then at most every `backupIntervalMs`). */
  backups?: number;
  backupIntervalMs?: number;
  now?: () => Date;
}

export class StoreVersionError extends Error {
  constructor(readonly file: string, readonly found: number, readonly supported: number) {
    super(`${file} was written by a newer Mandate Desk (data version ${found}, this app reads up to ${supported}). Update the app; the file was left untouched.`);
  }
}

/** Writes `text` to `path` so that a crash leaves either the old or the new file, never a torn one. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw error;
  }
  await syncDirectory(dirname(path));
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the rename itself durable. Not supported on Windows, where rename is already journaled.
  if (process.platform === 'win32') return;
  const handle = await open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

class AtomicJsonFile<T> implements Adapter<T> {
  constructor(private readonly path: string) {}
  async read(): Promise<T | null> {
    // Reading is done by JsonStore.open (which must see parse errors); lowdb only writes here.
    return null;
  }
  async write(data: T): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(data, null, 2));
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export class JsonStore<T extends { schemaVersion: number }> {
  private queue: Promise<unknown> = Promise.resolve();
  /** When the newest backup was made; 0: none yet in this run, so the first write makes one. */
  private lastBackupAt = 0;

  private constructor(
    private readonly db: Low<T>,
    readonly path: string,
    private readonly schema: z.ZodType<T>,
    /** What went wrong while opening (empty when the file was fine). */
    readonly notices: StoreFileNotice[],
    private readonly backupPaths: string[],
    private readonly backupIntervalMs: number,
    private readonly now: () => Date,
  ) {}

  static async open<T extends { schemaVersion: number }>(options: JsonStoreOptions<T>): Promise<JsonStore<T>> {
    const { path } = options;
    const now = options.now ?? (() => new Date());
    await mkdir(dirname(path), { recursive: true });
    const backupPaths = Array.from({ length: options.backups ?? 3 }, (_, i) => `${path}.backup-${i + 1}`);
    const notices: StoreFileNotice[] = [];

    let data: T | null = null;
    let fileWasReadable = false;
    if (await exists(path)) {
      const loaded = await JsonStore.load(path, options);
      if (loaded.ok) {
        data = loaded.data;
        fileWasReadable = true;
      } else {
        const keptAsidePath = `${path}.unreadable-${now().toISOString().replace(/[:.]/g, '-')}`;
        await rename(path, keptAsidePath);
        let restoredFrom: string | null = null;
        for (const backup of backupPaths) {
          if (!(await exists(backup))) continue;
          const fromBackup = await JsonStore.load(backup, options);
          if (fromBackup.ok) {
            data = fromBackup.data;
            restoredFrom = backup;
            break;
          }
        }
        notices.push({ file: path, problem: loaded.problem, keptAsidePath, restoredFrom, at: now().toISOString() });
      }
    }

    const db = new Low<T>(new AtomicJsonFile<T>(path), options.defaults());
    const store = new JsonStore<T>(db, path, options.schema, notices, backupPaths, options.backupIntervalMs ?? 10 * 60_000, now);
    if (data) {
      db.data = data;
      // back up only a file that was read: after a restore the file is gone (kept aside) and the backups are what we have
      if (fileWasReadable) await store.rotateBackups();
    } else {
      db.data = options.schema.parse(options.defaults());
    }
    await db.write();
    return store;
  }

  private static async load<T extends { schemaVersion: number }>(
    file: string,
    options: JsonStoreOptions<T>,
  ): Promise<{ ok: true; data: T } | { ok: false; problem: string }> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      return { ok: false, problem: `not valid JSON (${(error as Error).message})` };
    }
    if (typeof raw !== 'object' || raw === null || typeof (raw as { schemaVersion?: unknown }).schemaVersion !== 'number')
      return { ok: false, problem: 'no schemaVersion' };
    let record = raw as Record<string, unknown> & { schemaVersion: number };
    if (record.schemaVersion > options.version) throw new StoreVersionError(file, record.schemaVersion, options.version);
    try {
      while (record.schemaVersion < options.version) {
        const migrate = options.migrations[record.schemaVersion];
        if (!migrate) return { ok: false, problem: `no migration from data version ${record.schemaVersion}` };
        const from = record.schemaVersion;
        record = { ...migrate(record), schemaVersion: from + 1 };
      }
    } catch (error) {
      return { ok: false, problem: `migration failed (${(error as Error).message})` };
    }
    const parsed = options.schema.safeParse(record);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return { ok: false, problem: `does not match the expected shape at ${first?.path.join('.') || '(root)'}: ${first?.message}` };
    }
    return { ok: true, data: parsed.data };
  }

  /** Shifts the backups down one place and copies the current (valid, just written or read) file into the first. */
  private async rotateBackups(): Promise<void> {
    const paths = this.backupPaths;
    for (let i = paths.length - 1; i > 0; i--) {
      if (await exists(paths[i - 1])) await rename(paths[i - 1], paths[i]);
    }
    if (paths.length > 0) await copyFile(this.path, paths[0]);
    this.lastBackupAt = this.now().getTime();
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
      if (this.now().getTime() - this.lastBackupAt >= this.backupIntervalMs) {
        // The change is already durable; a failed backup must not undo or fail it.
        await this.rotateBackups().catch((error) => console.warn(`backup of ${this.path} failed: ${String(error)}`));
      }
      return result;
    };
    const done = this.queue.then(run, run);
    this.queue = done.catch(() => {});
    return done;
  }
}
