/**
 * Files and folders only this user may read (DESIGN §6, §7). A file is created with mode 0600 by the
 * `open` call itself — never chmod-ed afterwards, which would leave a moment where another local user
 * can open it — and replaced atomically (temp file, fsync, rename, fsync of the folder). Folders are
 * created 0700, and an existing one is narrowed to 0700. Modes mean nothing on Windows, where the
 * profile folder's ACL protects the data. No electron import.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, constants, mkdirSync, statSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates `dir` (and missing parents) 0700, or narrows an existing `dir` to 0700. */
export function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    if (process.platform === 'win32') return;
    if ((statSync(dir).mode & 0o777) !== PRIVATE_DIR_MODE) chmodSync(dir, PRIVATE_DIR_MODE);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`The data folder ${dir} could not be created or made private to this user (${code}). Choose a folder you own with --data-dir.`, { cause: error });
  }
}

/** Writes `text` to `path` atomically; the file is 0600 from the moment it exists. */
export async function writePrivateFileAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  // 'wx': never reuse a file someone else created (it could already be open elsewhere, or be a symlink).
  const handle = await open(tmp, 'wx', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
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
  if (process.platform === 'win32') return;
  const folder = await open(dirname(path), constants.O_RDONLY);
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
