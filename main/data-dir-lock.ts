/**
 * One running Mandate Desk per data folder. Two processes writing the same files would each
 * overwrite the other's changes, so a second start on a folder in use is refused. A lock left by a
 * process that died (a crash, a kill) is taken over.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from './private-file';

export const LOCK_FILE = 'mandate-desk.lock';

export class DataDirInUse extends Error {
  constructor(readonly dataDir: string, readonly pid: number) {
    super(`The data folder ${dataDir} is in use by another Mandate Desk (process ${pid}). Close that one first, or start with another --data-dir.`);
    this.name = 'DataDirInUse';
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, but is not ours to signal
  }
}

export interface DataDirLock {
  release(): Promise<void>;
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const path = join(dataDir, LOCK_FILE);
  ensurePrivateDir(dataDir); // the lock is often the first thing written there
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', PRIVATE_FILE_MODE);
      await handle.writeFile(JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
      await handle.close();
      return { release: () => unlink(path).catch(() => {}) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder = NaN;
    try {
      holder = Number((JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown }).pid);
    } catch {
      // unreadable: left half-written by a crash, so nobody holds it
    }
    if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) throw new DataDirInUse(dataDir, holder);
    await unlink(path).catch(() => {});
  }
  throw new Error(`Could not lock the data folder ${dataDir}.`);
}
