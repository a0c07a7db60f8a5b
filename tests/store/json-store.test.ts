import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JsonStore, StoreVersionError, type Migrations } from '../../main/store/json-store';

const CounterV1 = z.object({ schemaVersion: z.literal(1), count: z.number().int(), notes: z.array(z.string()) });
type CounterV1 = z.infer<typeof CounterV1>;
const CounterV2 = z.object({ schemaVersion: z.literal(2), count: z.number().int(), notes: z.array(z.string()), label: z.string() });
type CounterV2 = z.infer<typeof CounterV2>;

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'json-store-test-'));
  path = join(dir, 'data.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const openV1 = () =>
  JsonStore.open<CounterV1>({ path, schema: CounterV1, version: 1, migrations: {}, defaults: () => ({ schemaVersion: 1, count: 0, notes: [] }) });
const onDisk = async () => JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;

describe('JsonStore', () => {
  it('creates the file with defaults and persists updates across reopen', async () => {
    const store = await openV1();
    expect(store.notices).toEqual([]);
    expect(await onDisk()).toEqual({ schemaVersion: 1, count: 0, notes: [] });
    await store.update((d) => {
      d.count = 7;
    });
    const reopened = await openV1();
    expect(reopened.data.count).toBe(7);
  });

  it('ignores a temp file left by a crash mid-write (the real file is whole and still read) and cleans it up', async () => {
    const store = await openV1();
    await store.update((d) => {
      d.count = 3;
    });
    // a write that died before its rename: a half-written temp file beside the real one
    const leftover = join(dir, `.data.json.99999.deadbeef.tmp`);
    await writeFile(leftover, '{"schemaVersion": 1, "count": 99, "no');
    const reopened = await openV1();
    expect(reopened.notices).toEqual([]);
    expect(reopened.data.count).toBe(3);
    await expect(readFile(leftover, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('never shows a torn file to a reader while writes are going on', async () => {
    const store = await openV1();
    const bigNote = 'x'.repeat(200_000);
    let stop = false;
    let reads = 0;
    const reader = (async () => {
      while (!stop) {
        const text = await readFile(path, 'utf8');
        const parsed = CounterV1.parse(JSON.parse(text)); // throws on a torn or partial file
        expect(parsed.notes.every((n) => n === bigNote)).toBe(true);
        reads += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    for (let i = 0; i < 20; i++) {
      await store.update((d) => {
        d.count += 1;
        d.notes = [bigNote];
      });
    }
    stop = true;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(store.data.count).toBe(20);
    // no temp files are left after successful writes
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it.each([
    ['not valid JSON', '{"schemaVersion": 1, "count": 5,'],
    ['the wrong shape', JSON.stringify({ schemaVersion: 1, count: 'five', notes: [] })],
  ])('keeps a file that is %s aside, untouched, and continues from the newest good backup', async (_label, badContent) => {
    const first = await openV1();
    await first.update((d) => {
      d.count = 1;
    });
    // the first write of each run makes a backup
    const second = await openV1();
    await second.update((d) => {
      d.count = 2;
    });
    await writeFile(path, badContent);

    const third = await openV1();
    expect(third.notices).toHaveLength(1);
    const notice = third.notices[0];
    expect(notice.file).toBe(path);
    expect(notice.problem).toBeTruthy();
    expect(notice.restoredFrom).toBe(`${path}.backup-1`);
    expect(notice.keptAsidePath).not.toBe(path);
    expect(await readFile(notice.keptAsidePath, 'utf8')).toBe(badContent);
    expect(third.data.count).toBe(2);

    // later writes go to the main file, never over the kept-aside one
    await third.update((d) => {
      d.count = 10;
    });
    expect(await readFile(notice.keptAsidePath, 'utf8')).toBe(badContent);
    expect((await onDisk()).count).toBe(10);
  });

  it('backs up during a run too (first write, then at most every interval), so a file spoiled in its first run is recovered', async () => {
    let clock = Date.parse('2026-11-27T10:00:00Z');
    const open = () =>
      JsonStore.open<CounterV1>({
        path, schema: CounterV1, version: 1, migrations: {}, defaults: () => ({ schemaVersion: 1, count: 0, notes: [] }),
        backupIntervalMs: 60_000, now: () => new Date(clock),
      });
    const store = await open(); // a first start: no file, so no backup at open
    await store.update((d) => void (d.count = 1)); // the first write of the run is backed up
    await store.update((d) => void (d.count = 2)); // within the interval: not backed up
    expect(JSON.parse(await readFile(`${path}.backup-1`, 'utf8')).count).toBe(1);
    clock += 61_000;
    await store.update((d) => void (d.count = 3)); // interval passed: backed up, older one shifted
    expect(JSON.parse(await readFile(`${path}.backup-1`, 'utf8')).count).toBe(3);
    expect(JSON.parse(await readFile(`${path}.backup-2`, 'utf8')).count).toBe(1);

    await writeFile(path, '{"schemaVersion": 1, "count": "spoiled"');
    const reopened = await open();
    expect(reopened.notices[0].restoredFrom).toBe(`${path}.backup-1`);
    expect(reopened.data.count).toBe(3);
  });

  it('starts from defaults with a notice when there is no good backup, still keeping the bad file', async () => {
    await writeFile(path, 'garbage');
    const store = await openV1();
    expect(store.notices).toHaveLength(1);
    expect(store.notices[0].restoredFrom).toBeNull();
    expect(await readFile(store.notices[0].keptAsidePath, 'utf8')).toBe('garbage');
    expect(store.data.count).toBe(0);
  });

  it('refuses a file from a newer app version and leaves it byte-identical', async () => {
    const newer = JSON.stringify({ schemaVersion: 2, count: 4, notes: [], label: 'future' }, null, 3);
    await writeFile(path, newer);
    await expect(openV1()).rejects.toBeInstanceOf(StoreVersionError);
    expect(await readFile(path, 'utf8')).toBe(newer);
    expect(await readdir(dir)).toEqual(['data.json']);
  });

  it('runs migrations in order and writes the migrated file', async () => {
    await (await openV1()).update((d) => {
      d.count = 5;
    });
    const migrations: Migrations = { 1: (old) => ({ ...old, label: `migrated with ${String(old.count)}` }) };
    const v2 = await JsonStore.open<CounterV2>({
      path,
      schema: CounterV2,
      version: 2,
      migrations,
      defaults: () => ({ schemaVersion: 2, count: 0, notes: [], label: '' }),
    });
    expect(v2.data).toEqual({ schemaVersion: 2, count: 5, notes: [], label: 'migrated with 5' });
    expect(await onDisk()).toEqual({ schemaVersion: 2, count: 5, notes: [], label: 'migrated with 5' });
  });

  it('leaves memory and disk unchanged when an update throws or produces an invalid shape', async () => {
    const store = await openV1();
    await store.update((d) => {
      d.count = 1;
      d.notes.push('kept');
    });
    const before = await readFile(path, 'utf8');

    await expect(
      store.update((d) => {
        d.count = 2;
        d.notes.push('lost');
        throw new Error('change refused');
      }),
    ).rejects.toThrow('change refused');
    await expect(
      store.update((d) => {
        (d as { count: unknown }).count = 'not a number';
      }),
    ).rejects.toThrow();

    expect(store.data).toEqual({ schemaVersion: 1, count: 1, notes: ['kept'] });
    expect(await readFile(path, 'utf8')).toBe(before);
    // and the store still works afterwards
    await store.update((d) => {
      d.count = 3;
    });
    expect((await onDisk()).count).toBe(3);
  });

  it('serializes concurrent updates: 50 parallel increments are all kept', async () => {
    const store = await openV1();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.update((d) => {
          d.count += 1;
          d.notes.push(`n${i}`);
        }),
      ),
    );
    expect(store.data.count).toBe(50);
    const disk = CounterV1.parse(await onDisk());
    expect(disk.count).toBe(50);
    expect(new Set(disk.notes).size).toBe(50);
  });
});
