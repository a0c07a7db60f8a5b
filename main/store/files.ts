/**
 * File primitives every store is built on: atomic replacement, fsynced appends, reads that tell a
 * read error (the file is fine, we could not read it) from a file that is damaged, and cleaning up
 * what an interrupted write left behind. Imports nothing of ours (DESIGN §1).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Data files are the shop's customers' personal data: readable by this user only. */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

const TEMP_SUFFIX = '.tmp';

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
}

/** The temp file an atomic write of `path` goes through (`removeStaleTemps` knows the pattern). */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`);
}

/**
 * Fills a temp file with `fill`, then renames it over `path`, so that a crash leaves either the old
 * or the new file, never a torn one. `durable` (the default) fsyncs the file and its folder before
 * returning (`syncFolder: false`: the caller syncs the folder once after writing many files into it);
 * without it the rename is still atomic for the running system, and durability comes from a journal.
 */
async function replaceAtomically<R>(path: string, fill: (handle: FileHandle) => Promise<R>, options: { durable?: boolean; mode?: number; syncFolder?: boolean }): Promise<R> {
  const durable = options.durable ?? true;
  const tmp = tempPathFor(path);
  const handle = await open(tmp, 'w', options.mode ?? FILE_MODE);
  let result: R;
  try {
    result = await fill(handle);
    if (durable) await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(tmp).catch(() => {});
    throw error;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw error;
  }
  if (durable && options.syncFolder !== false) await syncDirectory(dirname(path));
  return result;
}

/** Replaces `path` with `text` atomically (see `replaceAtomically` for `durable` and `syncFolder`). */
export async function writeFileAtomic(path: string, text: string | Uint8Array, options: { durable?: boolean; mode?: number; syncFolder?: boolean } = {}): Promise<void> {
  await replaceAtomically(path, (handle) => handle.writeFile(text), options);
}

/**
 * Replaces `path` with `lines` (each without its newline), durably, letting other work run between
 * lines. Returns the bytes written. For a large file rebuilt now and then (the index) without
 * stopping everything else meanwhile.
 */
export function writeLinesAtomic(path: string, lines: Iterable<string>): Promise<number> {
  return replaceAtomically(
    path,
    async (handle) => {
      let bytes = 0;
      for (const line of lines) {
        const buffer = Buffer.from(`${line}\n`, 'utf8');
        await handle.write(buffer, 0, buffer.length, bytes);
        bytes += buffer.length;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return bytes;
    },
    {},
  );
}

/** Runs `task` for every item, at most `limit` at a time; rejects with the first error once all have settled. */
export async function eachLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      await task(item).catch((error: unknown) => {
        failure ??= { error };
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw (failure as { error: unknown }).error;
}

/** Makes renames and new files in `dir` durable. Not supported on Windows, where they are journaled. */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsyncs a file that was written without it (a checkpoint makes earlier journaled writes durable). */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A file could not be read at all (permission, lock, I/O error): the file itself may be intact. */
export class StoreReadError extends Error {
  constructor(readonly file: string, readonly causeCode: string, message: string) {
    super(`${file} could not be read (${causeCode}: ${message}). It was left untouched; fix the cause (for example its permissions, or a program holding it) and start again.`);
    this.name = 'StoreReadError';
  }
}

const RETRIED_READ_ERRORS = new Set(['EBUSY', 'EAGAIN', 'EMFILE', 'ENFILE', 'EIO', 'EPERM', 'EACCES']);

/**
 * Reads a file; null when it does not exist. Transient read errors are retried; a read that still
 * fails throws StoreReadError with the real cause. Never says "corrupt" about a file it did not read.
 */
export async function readFileOrNull(path: string, attempts = 3): Promise<Buffer | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readFile(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
      if (code === 'ENOENT') return null;
      if (code === 'EISDIR' || attempt >= attempts || !RETRIED_READ_ERRORS.has(code)) throw new StoreReadError(path, code, (error as Error).message);
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/**
 * Deletes temp files that interrupted writes left in `dir` (only ours: `.<name>.<pid>.<hex>.tmp`),
 * optionally only those for files whose name starts with `namePrefix`. Returns how many went.
 */
export async function removeStaleTemps(dir: string, namePrefix = ''): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(`.${namePrefix}`) || !name.endsWith(TEMP_SUFFIX) || !/\.\d+\.[0-9a-f]{8}\.tmp$/.test(name)) continue;
    await unlink(join(dir, name)).then(
      () => (removed += 1),
      () => {},
    );
  }
  return removed;
}

/** A name that says when a damaged file was kept aside. */
export function keptAsideName(path: string, at: Date): string {
  return `${path}.unreadable-${at.toISOString().replace(/[:.]/g, '-')}`;
}

/**
 * An append-only file of JSON lines, each append fsynced (fdatasync) before it resolves.
 * Appends are serialized; a torn last line (a crash mid-append) is dropped when read, since its
 * append never returned. With `durable: false` (a derived file whose lines a journal can give back)
 * appends are written but not fsynced until `sync()` or `close()`.
 */
export class AppendLog {
  private queue: Promise<unknown> = Promise.resolve();
  /** Lines written since the last fsync (only without `durable`). */
  private unsynced = false;
  private constructor(
    readonly path: string,
    private handle: FileHandle,
    /** Bytes in the file: where the next line starts. */
    private size: number,
    private readonly durable: boolean,
  ) {}

  static async open(path: string, validSize?: number, options: { durable?: boolean } = {}): Promise<AppendLog> {
    await ensureDir(dirname(path));
    const handle = await open(path, constants.O_RDWR | constants.O_CREAT, FILE_MODE);
    const { size } = await handle.stat();
    // a torn tail (an append that never finished) is cut off before anything new is added after it
    if (validSize !== undefined && validSize < size) {
      await handle.truncate(validSize);
      await handle.sync();
    }
    return new AppendLog(path, handle, Math.min(size, validSize ?? size), options.durable ?? true);
  }

  get bytes(): number {
    return this.size;
  }

  /** Appends one line (JSON text without the newline) and returns once it is on disk. */
  append(line: string): Promise<void> {
    return this.appendLines([line]);
  }

  /** Appends several lines in one write (and one fsync). */
  appendLines(lines: string[]): Promise<void> {
    const run = async () => {
      const bytes = Buffer.from(lines.map((line) => `${line}\n`).join(''), 'utf8');
      await this.handle.write(bytes, 0, bytes.length, this.size);
      if (this.durable) await this.handle.datasync();
      else this.unsynced = true;
      this.size += bytes.length;
    };
    const done = this.queue.then(run, run);
    this.queue = done.catch(() => {});
    return done;
  }

  /** Makes every line appended so far durable (for a log opened without `durable`). */
  sync(): Promise<void> {
    const run = async () => {
      if (!this.unsynced) return;
      await this.handle.datasync();
      this.unsynced = false;
    };
    const done = this.queue.then(run, run);
    this.queue = done.catch(() => {});
    return done;
  }

  async close(): Promise<void> {
    try {
      await this.sync();
    } finally {
      await this.queue;
      await this.handle.close();
    }
  }
}

export interface ReadLines {
  lines: string[];
  /** Bytes up to the end of the last complete line: what an append may follow. */
  validSize: number;
  /** A last line without its newline (an append that never finished): dropped. */
  tornTail: boolean;
}

/** The complete lines of a JSON-lines file (null when the file does not exist). */
/** As readLines, each line's bytes, not decoded: a reader decodes only the lines it needs. */
export async function readLineBuffers(path: string): Promise<(Omit<ReadLines, 'lines'> & { lines: Buffer[] }) | null> {
  const buffer = await readFileOrNull(path);
  if (!buffer) return null;
  const end = buffer.lastIndexOf(0x0a) + 1;
  const lines: Buffer[] = [];
  for (let start = 0; start < end; ) {
    const newline = buffer.indexOf(0x0a, start);
    lines.push(buffer.subarray(start, newline));
    start = newline + 1;
  }
  return { lines, validSize: end, tornTail: end < buffer.length };
}

export async function readLines(path: string): Promise<ReadLines | null> {
  const buffer = await readFileOrNull(path);
  if (!buffer) return null;
  const end = buffer.lastIndexOf(0x0a) + 1;
  const text = buffer.subarray(0, end).toString('utf8');
  const lines = text.length ? text.slice(0, -1).split('\n') : [];
  return { lines, validSize: end, tornTail: end < buffer.length };
}
