/**
 * The document store's checkpoint, on its own: it runs beside new writes (only its switch to a new
 * journal takes a turn), it appends the changed documents' index rows and rewrites the index file
 * only once it has grown past the index, and a checkpoint cut short loses nothing.
 */
import { mkdtemp, readdir, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DocumentStore, type IndexPersistence } from '../../main/store/document-store';

const Note = z.object({ id: z.string(), text: z.string() });
const NotesDoc = z.object({ schemaVersion: z.literal(1), rev: z.number().int(), owner: z.string(), notes: z.array(Note) });
type NotesDoc = z.infer<typeof NotesDoc>;

/** A tiny index: the revision and note count of each document, persisted as one row per line. */
class TinyIndex implements IndexPersistence {
  readonly rows = new Map<string, { rev: number; notes: number }>();
  restoredRows = 0;
  commit(id: string, doc: NotesDoc) {
    this.rows.set(id, { rev: doc.rev, notes: doc.notes.length });
  }
  *snapshot(ids?: Iterable<string>) {
    for (const id of ids ?? this.rows.keys()) {
      const row = this.rows.get(id);
      if (row) yield JSON.stringify({ id, ...row });
    }
  }
  restore(lines: readonly Buffer[]) {
    for (const line of lines) {
      const { id, rev, notes } = JSON.parse(line.toString()) as { id: string; rev: number; notes: number };
      this.rows.set(id, { rev, notes });
    }
    this.restoredRows = lines.length;
    return { rows: lines.length, rewrite: false };
  }
  size() {
    return this.rows.size;
  }
}

let dir: string;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function openStore(options: { checkpointEvery?: number; indexSlackRows?: number; beforeCheckpoint?: () => Promise<void>; onCommit?: (id: string, doc: NotesDoc, how: string, previous: NotesDoc | null) => void } = {}) {
  const index = new TinyIndex();
  const { onCommit, ...rest } = options;
  const store = await DocumentStore.open<NotesDoc>({
    dir,
    schema: NotesDoc,
    version: 1,
    migrations: {},
    keys: { notes: (note: { id: string }) => note.id },
    parseField: (field, value) => (field === 'notes' ? Note.parse(value) : field === 'owner' ? z.string().parse(value) : field === 'schemaVersion' ? z.literal(1).parse(value) : value),
    onCommit: (id, doc, how, previous) => {
      index.commit(id, doc);
      onCommit?.(id, doc, how, previous);
    },
    index,
    expectedRev: (id) => index.rows.get(id)?.rev ?? 0,
    ...rest,
  });
  return { store, index };
}

const create = (owner: string) => (): NotesDoc => ({ schemaVersion: 1, rev: 0, owner, notes: [] });
const addNote = (store: DocumentStore<NotesDoc>, id: string, n: number) => store.update(id, (doc) => void doc.notes.push({ id: `n${n}`, text: `note ${n}` }));

describe('a commit', () => {
  it('keeps the very objects of what it did not change, and tells onCommit the state it replaced', async () => {
    dir = await mkdtemp(join(tmpdir(), 'md-docstore-'));
    const commits: Array<{ doc: NotesDoc; previous: NotesDoc | null }> = [];
    const { store } = await openStore({ onCommit: (_id, doc, how, previous) => void (how === 'commit' && commits.push({ doc, previous })) });
    await store.update('d1', () => {}, create('ann'));
    await addNote(store, 'd1', 1);
    await addNote(store, 'd1', 2);
    // the draft is a deep copy: changing an element in place leaves the committed state as it was
    await store.update('d1', (doc) => void (doc.notes[1].text = 'edited'));
    const { doc, previous } = commits.at(-1)!;
    expect(previous!.notes[1].text).toBe('note 2');
    expect(doc.notes[1].text).toBe('edited');
    expect(doc.notes[0]).toBe(previous!.notes[0]);
    expect(doc.notes[1]).not.toBe(previous!.notes[1]);
    expect(doc.owner).toBe(previous!.owner);
    expect(commits[0].previous).toBeNull();
  });

  it('commits nothing when the draft equals the document (in another key order, or with an undefined field)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'md-docstore-'));
    const { store } = await openStore();
    await store.update('d1', () => {}, create('ann'));
    await addNote(store, 'd1', 1);
    const before = (await store.get('d1'))!.rev;
    await store.update('d1', (doc) => void (doc.notes[0] = { text: 'note 1', id: 'n1' }));
    await store.update('d1', (doc) => void ((doc.notes[0] as { extra?: string }).extra = undefined));
    expect((await store.get('d1'))!.rev).toBe(before);
    await store.update('d1', (doc) => void (doc.notes[0].text = 'changed'));
    expect((await store.get('d1'))!.rev).toBe(before + 1);
  });
});

describe('the document store checkpoint', () => {
  it('runs beside new writes: while it waits, later changes are committed and answered', async () => {
    dir = await mkdtemp(join(tmpdir(), 'md-docstore-'));
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let checkpointsStarted = 0;
    const { store } = await openStore({
      checkpointEvery: 3,
      beforeCheckpoint: async () => {
        checkpointsStarted += 1;
        await gate;
      },
    });
    await store.update('a', () => {}, create('a'));
    await addNote(store, 'a', 1);
    await addNote(store, 'a', 2); // the third commit starts a checkpoint, which now waits on the gate
    expect(checkpointsStarted).toBe(0); // its journal switch takes its turn after this write…
    await addNote(store, 'a', 3);
    expect(checkpointsStarted).toBe(1); // …and it is running, held by the gate
    // writes go on meanwhile and are answered: they would hang if the checkpoint held the queue
    for (let n = 4; n <= 9; n++) await addNote(store, 'a', n);
    expect((await store.get('a'))?.notes).toHaveLength(9);
    const journalsWhileHeld = (await readdir(dir)).filter((f) => f.startsWith('journal-'));
    expect(journalsWhileHeld.length).toBe(2); // the old journal is kept until the checkpoint is done
    open();
    await store.close();
    const after = (await readdir(dir)).filter((f) => f.startsWith('journal-'));
    expect(after).toHaveLength(1);
    const { store: reopened } = await openStore();
    expect((await reopened.get('a'))?.notes.map((n) => n.id)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9']);
    await reopened.close();
  });

  it('a failed checkpoint drops no journal; the next one writes what it did not', async () => {
    dir = await mkdtemp(join(tmpdir(), 'md-docstore-'));
    let fail = true;
    const { store } = await openStore({
      beforeCheckpoint: async () => {
        if (fail) throw new Error('disk full');
      },
    });
    await store.update('a', () => {}, create('a'));
    await addNote(store, 'a', 1);
    await expect(store.checkpoint()).rejects.toThrow('disk full');
    expect((await readdir(dir)).filter((f) => f.startsWith('journal-'))).toHaveLength(2);
    fail = false;
    await store.close();
    // the backup copy of `a`, dirty before the failed checkpoint, was written by the next one
    const backups = await readdir(join(dir, 'backup'), { recursive: true });
    expect(backups.some((f) => f.endsWith('a.json'))).toBe(true);
    expect((await readdir(dir)).filter((f) => f.startsWith('journal-'))).toHaveLength(1);
  });

  it('appends the changed rows to the index, and rewrites it whole once it holds half again as many rows as the index', async () => {
    dir = await mkdtemp(join(tmpdir(), 'md-docstore-'));
    // only the checkpoints asked for; a slack of 10 rows instead of 1,000 keeps the test small
    const { store, index } = await openStore({ checkpointEvery: Number.MAX_SAFE_INTEGER, indexSlackRows: 10 });
    for (let d = 0; d < 30; d++) await store.update(`d${d}`, () => {}, create(`d${d}`));
    await store.checkpoint(); // the first: the whole index
    const lines = async () => (await readFile(join(dir, 'index.jsonl'), 'utf8')).trimEnd().split('\n').length;
    expect(await lines()).toBe(30);
    // each checkpoint appends only the documents changed since the one before
    for (let round = 1; round <= 2; round++) {
      for (let d = 0; d < 10; d++) await addNote(store, `d${d}`, round);
      await store.checkpoint();
      expect(await lines()).toBe(30 + 10 * round);
    }
    // 50 rows on file + 10 changed > 1.5 × 30 + 10: this checkpoint rewrites the file whole
    for (let d = 0; d < 10; d++) await addNote(store, `d${d}`, 3);
    await store.checkpoint();
    expect(await lines()).toBe(30);
    await store.close();
    const { store: reopened, index: restored } = await openStore();
    expect(restored.rows).toEqual(index.rows);
    expect(restored.rows.get('d0')).toEqual({ rev: 4, notes: 3 });
    await reopened.close();
  });

  it('an index append cut off by a crash (torn last line): the complete lines and the journals bring everything back, no document scan', async () => {
    dir = await mkdtemp(join(tmpdir(), 'md-docstore-'));
    const { store } = await openStore();
    for (let d = 0; d < 20; d++) await store.update(`d${d}`, () => {}, create(`d${d}`));
    await store.checkpoint();
    await addNote(store, 'd3', 1);
    await addNote(store, 'd3', 2);
    // the crash: no clean stop; a checkpoint's append of d3's row was cut mid-line
    await appendFile(join(dir, 'index.jsonl'), '{"id":"d3","rev":');
    const { store: reopened, index } = await openStore();
    expect(index.restoredRows).toBe(20); // the snapshot was used (a document scan restores nothing)
    expect(index.rows.get('d3')).toEqual({ rev: 3, notes: 2 });
    expect(reopened.notices).toEqual([]);
    await reopened.close();
    const { index: again } = await openStore();
    expect(again.rows.get('d3')).toEqual({ rev: 3, notes: 2 });
  });

  it('a damaged index line: the index is rebuilt from the documents and the user told', async () => {
    dir = await mkdtemp(join(tmpdir(), 'md-docstore-'));
    const { store } = await openStore();
    for (let d = 0; d < 5; d++) await store.update(`d${d}`, () => {}, create(`d${d}`));
    await store.close();
    await writeFile(join(dir, 'index.jsonl'), 'garbage\n');
    const { store: reopened, index } = await openStore();
    expect(index.rows.size).toBe(5);
    expect(reopened.notices.map((n) => n.problem)).toEqual([expect.stringContaining('the index is damaged')]);
    await reopened.close();
  });
});
