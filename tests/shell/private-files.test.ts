/**
 * Files only this user may read: the secret file is 0600 from the moment it exists (the `open` that
 * creates it carries the mode; nothing is chmod-ed afterwards), and the data folder's root and mode
 * folders are 0700 before anything is written there.
 */
import * as fsPromises from 'node:fs/promises';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** Every open() and chmod() the code under test makes, to see how the secret file comes to exist. */
const fsCalls = vi.hoisted(() => ({ opens: [] as Array<{ path: string; flags: unknown; mode: unknown }>, chmods: [] as string[] }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    open: (path: string, flags?: unknown, mode?: unknown) => {
      fsCalls.opens.push({ path: String(path), flags, mode });
      return real.open(path, flags as string, mode as number);
    },
    chmod: (path: string, mode: number) => {
      fsCalls.chmods.push(String(path));
      return real.chmod(path, mode);
    },
  };
});
vi.mock('electron', () => import('./electron-standin'));

import * as electron from './electron-standin';
import { createSecretStore, SECRET_FILE } from '../../main/secret-store';
import { ensurePrivateDir, writePrivateFileAtomic } from '../../main/private-file';
import { LOCK_FILE, lockDataDir } from '../../main/data-dir-lock';
import { startServices } from '../../main/services';
import type { Logger } from '../../main/core/ports';

const quiet: Logger = { info() {}, warn() {}, error() {} };
const KEY = 'rk_test_51AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
let base: string;
let savedUmask: number;

beforeEach(async () => {
  electron.reset();
  fsCalls.opens.length = 0;
  fsCalls.chmods.length = 0;
  base = await mkdtemp(join(tmpdir(), 'md-private-'));
  // With no umask a plain create would give 0666 / 0777: what we see is what the code asked for.
  savedUmask = process.umask(0);
});
afterEach(async () => {
  process.umask(savedUmask);
  await rm(base, { recursive: true, force: true });
});

describe('private files', () => {
  it('creates the secret file 0600 in the open call itself, never chmod-ing it afterwards', async () => {
    const dataDir = join(base, 'data');
    ensurePrivateDir(dataDir);
    await createSecretStore({ safeStorage: electron.safeStorage, dataDir, platform: 'linux', logger: quiet }).setStripeKey(KEY);

    expect(await modeOf(join(dataDir, SECRET_FILE))).toBe(0o600);
    const writes = fsCalls.opens.filter((call) => call.path.startsWith(dataDir) && call.flags !== 'r' && typeof call.flags === 'string');
    expect(writes.length).toBeGreaterThan(0);
    for (const call of writes) expect(call, call.path).toMatchObject({ flags: 'wx', mode: 0o600 });
    expect(fsCalls.chmods).toEqual([]);
    // and no temp file is left behind
    expect((await readdir(dataDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('replaces a file atomically and keeps it 0600, even over a file that was more open', async () => {
    const path = join(base, 'note.json');
    await writeFile(path, 'old', { mode: 0o644 });
    await writePrivateFileAtomic(path, '{"new":true}');
    expect(await fsPromises.readFile(path, 'utf8')).toBe('{"new":true}');
    expect(await modeOf(path)).toBe(0o600);
  });

  it('creates folders 0700 and narrows an existing open folder to 0700', async () => {
    const fresh = join(base, 'a', 'b');
    ensurePrivateDir(fresh);
    expect(await modeOf(fresh)).toBe(0o700);
    expect(await modeOf(join(base, 'a'))).toBe(0o700);
    const open = join(base, 'open');
    await fsPromises.mkdir(open, { mode: 0o755 });
    ensurePrivateDir(open);
    expect(await modeOf(open)).toBe(0o700);
  });

  it('says clearly when a folder cannot be made private, and changes nothing', async () => {
    const file = join(base, 'not-a-folder');
    await writeFile(file, 'x', { mode: 0o644 });
    expect(() => ensurePrivateDir(join(file, 'data'))).toThrow(/could not be created or made private to this user \(ENOTDIR\)\. Choose a folder you own with --data-dir\./);
    expect(await modeOf(file)).toBe(0o644);
  });

  it('the lock file is 0600, and taking the lock makes the data folder 0700 first', async () => {
    const dataDir = join(base, 'locked');
    const lock = await lockDataDir(dataDir);
    expect(await modeOf(dataDir)).toBe(0o700);
    expect(await modeOf(join(dataDir, LOCK_FILE))).toBe(0o600);
    await lock.release();
  });

  it('start-up makes the data folder and the mode folder 0700 before writing anything', async () => {
    const dataDir = join(base, 'data');
    await fsPromises.mkdir(dataDir, { mode: 0o755 }); // e.g. made by hand, or by an older version
    const services = await startServices({ dataDir, transport: 'browser', appVersion: '0', stripeKey: null, openUrl: async () => {}, logger: quiet, pollIntervalMs: 60_000 });
    try {
      expect(await modeOf(dataDir)).toBe(0o700);
      expect(await modeOf(join(dataDir, 'training'))).toBe(0o700);
      // the first write into the data folder came after it was narrowed: the lock, created 0600
      const first = fsCalls.opens.find((call) => call.path.startsWith(dataDir) && typeof call.flags === 'string' && call.flags !== 'r');
      expect(first).toMatchObject({ path: join(dataDir, LOCK_FILE), mode: 0o600 });
    } finally {
      await services.stop();
    }
  });
});
