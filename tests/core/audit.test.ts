import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StaffView } from '../../preload/contract';
import { AUDIT_CHAIN_BROKEN, AUDIT_DIR, csvCellValue, GENESIS_HASH, hashAuditEntry, openAuditLog, verifyChain } from '../../main/core/audit';
import { AuditRecord } from '../../main/core/data';
import type { AuditDraft } from '../../main/core/dispatch';
import { signInManager, startTestCore, type TestCore } from '../helpers/core';

const manager: StaffView = { id: 'staff_m', name: 'Mina Manager', role: 'manager', active: true, createdAt: '2026-01-01T00:00:00.000Z' };
const clerk: StaffView = { id: 'staff_c', name: 'Carl, "the clerk"', role: 'staff', active: true, createdAt: '2026-01-01T00:00:00.000Z' };

function draft(overrides: Partial<AuditDraft> = {}): AuditDraft {
  return { actor: manager, action: 'customers.create', outcome: 'ok', customerId: null, summary: 'customers.create', details: {}, ...overrides };
}

const segmentPath = (dataDir: string) => join(dataDir, AUDIT_DIR, 'segment-000001.jsonl');
async function readSegment(dataDir: string): Promise<AuditRecord[]> {
  return (await readFile(segmentPath(dataDir), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => AuditRecord.parse(JSON.parse(line)));
}
async function writeSegment(dataDir: string, entries: AuditRecord[]): Promise<void> {
  await writeFile(segmentPath(dataDir), entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
}

describe('audit log (file level)', () => {
  let dir: string;
  let nowMs: number;
  const clock = { now: () => new Date(nowMs) };
  const readEntries = () => readSegment(dir);
  const writeEntries = (entries: AuditRecord[]) => writeSegment(dir, entries);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-test-'));
    nowMs = Date.parse('2026-03-01T09:00:00.000Z');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function logWithFive() {
    const log = await openAuditLog({ dataDir: dir, clock });
    for (let i = 1; i <= 5; i++) {
      nowMs += 60_000;
      await log.append(draft({ summary: `entry ${i}`, details: { n: i, nested: { b: 2, a: 1 } } }));
    }
    return log;
  }

  it('chains every entry to the one before and verifies', async () => {
    const log = await logWithFive();
    expect(log.verify()).toEqual({ ok: true, entries: 5, brokenAtSeq: null, problem: null, code: null, params: {} });
    const entries = await readEntries();
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(entries[0].prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < entries.length; i++) expect(entries[i].prevHash).toBe(entries[i - 1].hash);
    for (const entry of entries) {
      expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(hashAuditEntry(entry)).toBe(entry.hash);
    }
    // key order does not matter to the hash: it is over a canonical JSON
    const reordered = { ...entries[2], details: { nested: { a: 1, b: 2 }, n: 3 } };
    expect(hashAuditEntry(reordered)).toBe(entries[2].hash);
    expect(entries[2].actor).toEqual({ staffId: 'staff_m', name: 'Mina Manager', role: 'manager' });

    const reopened = await openAuditLog({ dataDir: dir, clock });
    expect(reopened.verify()).toEqual({ ok: true, entries: 5, brokenAtSeq: null, problem: null, code: null, params: {} });
  });

  it('keeps the chain whole under 30 parallel appends', async () => {
    const log = await openAuditLog({ dataDir: dir, clock });
    await Promise.all(Array.from({ length: 30 }, (_, i) => log.append(draft({ summary: `parallel ${i}` }))));
    const entries = await readEntries();
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(verifyChain(entries).ok).toBe(true);
    expect(log.verify()).toMatchObject({ ok: true, entries: 30 });
  });

  it('names the edited entry when one was changed on disk', async () => {
    await logWithFive();
    const entries = await readEntries();
    entries[2].summary = 'nothing to see here';
    await writeEntries(entries);
    const status = (await openAuditLog({ dataDir: dir, clock })).verify();
    // five entries plus the one recording the finding
    expect(status).toMatchObject({ ok: false, entries: 6, brokenAtSeq: 3, code: 'entry_changed', params: { seq: 3 } });
    expect(status.problem).toMatch(/changed/);
  });

  it('finds an edit whose hash was recomputed at the next entry', async () => {
    await logWithFive();
    const entries = await readEntries();
    entries[1].details = { n: 999 };
    entries[1].hash = hashAuditEntry(entries[1]);
    await writeEntries(entries);
    const status = (await openAuditLog({ dataDir: dir, clock })).verify();
    expect(status).toMatchObject({ ok: false, brokenAtSeq: 3, code: 'link_broken' });
    expect(status.problem).toMatch(/link/);
  });

  it('names the entry after a deleted one', async () => {
    await logWithFive();
    const entries = await readEntries();
    entries.splice(2, 1); // seq 3 gone
    await writeEntries(entries);
    const status = (await openAuditLog({ dataDir: dir, clock })).verify();
    // entries are counted by number: the deleted entry 3 still counts, the finding is number 6
    expect(status).toMatchObject({ ok: false, entries: 6, brokenAtSeq: 4, code: 'entry_moved', params: { seq: 4, expected: 3 } });
    expect(status.problem).toMatch(/deleted or moved/);
  });

  it('detects a deleted first entry', async () => {
    await logWithFive();
    await writeEntries((await readEntries()).slice(1));
    expect((await openAuditLog({ dataDir: dir, clock })).verify()).toMatchObject({ ok: false, brokenAtSeq: 2 });
  });

  it('detects reordered entries', async () => {
    await logWithFive();
    const entries = await readEntries();
    [entries[1], entries[2]] = [entries[2], entries[1]];
    await writeEntries(entries);
    const status = (await openAuditLog({ dataDir: dir, clock })).verify();
    expect(status).toMatchObject({ ok: false, brokenAtSeq: 3, code: 'entry_moved' });
  });

  it('keeps reporting an earlier break while new entries are appended', async () => {
    await logWithFive();
    const entries = await readEntries();
    entries[0].outcome = 'error';
    await writeEntries(entries);
    const log = await openAuditLog({ dataDir: dir, clock });
    await log.append(draft());
    expect(log.verify()).toMatchObject({ ok: false, entries: 7, brokenAtSeq: 1 });
  });

  it('records a break found at open once, as an entry of its own, not at every open', async () => {
    await logWithFive();
    const entries = await readEntries();
    entries[3].summary = 'rewritten';
    await writeEntries(entries);
    await openAuditLog({ dataDir: dir, clock });
    await openAuditLog({ dataDir: dir, clock });
    const findings = (await readEntries()).filter((e) => e.action === AUDIT_CHAIN_BROKEN);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ outcome: 'error', actor: null, details: { brokenAtSeq: 4 } });
  });

  it('detects entries cut off the end of an otherwise valid chain: by the checkpoint, or by a witness that saw them written', async () => {
    const log = await openAuditLog({ dataDir: dir, clock });
    for (let i = 0; i < 5; i++) await log.append(draft({ summary: `entry ${i + 1}` }));
    await log.close(); // writes the checkpoint (seq 5)
    const entries = await readEntries();
    await writeEntries(entries.slice(0, 3)); // a valid chain, two entries short
    expect(verifyChain(entries.slice(0, 3)).ok).toBe(true);
    const status = (await openAuditLog({ dataDir: dir, clock })).verify();
    expect(status).toMatchObject({ ok: false, brokenAtSeq: 4 });
    expect(status.problem).toMatch(/entries 4 to 5 are missing/);

    // after the checkpoint, another store (the customer journal) is the witness
    const other = await mkdtemp(join(tmpdir(), 'audit-witness-'));
    const fresh = await openAuditLog({ dataDir: other, clock });
    for (let i = 0; i < 3; i++) await fresh.append(draft({ summary: `entry ${i + 1}` }));
    await fresh.checkWitness(5);
    expect(fresh.verify()).toMatchObject({ ok: false, brokenAtSeq: 4 });
    expect(fresh.verify().problem).toMatch(/entries 4 to 5 are missing/);
    await fresh.checkWitness(2); // a witness that saw fewer says nothing new
    await rm(other, { recursive: true, force: true });
  });

  it('verifies at start only what came after its checkpoint, yet notices an edit before it', async () => {
    const log = await logWithFive();
    await log.close();
    const reopened = await openAuditLog({ dataDir: dir, clock });
    expect(reopened.verify()).toMatchObject({ ok: true, entries: 5 });
    await reopened.append(draft({ summary: 'entry 6' }));
    await reopened.close();
    const entries = await readEntries();
    entries[1] = { ...entries[1], summary: 'entry X' }; // same length: only the checkpoint's SHA-256 can tell
    await writeEntries(entries);
    const status = (await openAuditLog({ dataDir: dir, clock })).verify();
    expect(status).toMatchObject({ ok: false, brokenAtSeq: 2 });
    expect(status.problem).toMatch(/changed/);
  });

  it('drops a torn last line (an append that never finished) and goes on from the entry before', async () => {
    const log = await logWithFive();
    await log.close();
    const path = join(dir, AUDIT_DIR, 'segment-000001.jsonl');
    await appendFile(path, '{"seq":6,"at":"2026-03-01T1');
    const reopened = await openAuditLog({ dataDir: dir, clock });
    expect(reopened.verify()).toMatchObject({ ok: true, entries: 5 });
    await reopened.append(draft({ summary: 'entry 6' }));
    expect((await readEntries()).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rolls over to a new segment and pages across segments', async () => {
    const log = await openAuditLog({ dataDir: dir, clock, entriesPerSegment: 4, checkpointEvery: 3 });
    for (let i = 1; i <= 10; i++) await log.append(draft({ summary: `entry ${i}`, customerId: i % 2 ? 'cust_odd' : 'cust_even' }));
    await log.close();
    const reopened = await openAuditLog({ dataDir: dir, clock, entriesPerSegment: 4, checkpointEvery: 3 });
    expect(reopened.verify()).toMatchObject({ ok: true, entries: 10 });
    const list = (more: object) => reopened.handlers['audit.list']({ filter: {}, limit: 3, ...more } as never, { actor: manager });
    const page1 = await list({});
    expect(page1.entries.map((e) => e.seq)).toEqual([10, 9, 8]);
    const page2 = await list({ beforeSeq: page1.nextBeforeSeq });
    expect(page2.entries.map((e) => e.seq)).toEqual([7, 6, 5]);
    const odd = await reopened.handlers['audit.list']({ filter: { customerId: 'cust_odd' }, limit: 100 } as never, { actor: manager });
    expect(odd.entries.map((e) => e.seq)).toEqual([9, 7, 5, 3, 1]);
    await reopened.append(draft({ summary: 'entry 11' }));
    expect((await reopened.find({ match: (e) => e.seq > 8, limit: 10, maxScan: 100 })).map((e) => e.seq)).toEqual([9, 10, 11]);
    // entries 9 and 10 were left unparsed at open (the checkpoint pins them): a roll keeps them in order
    const again = await openAuditLog({ dataDir: dir, clock, entriesPerSegment: 4, checkpointEvery: 3 });
    for (const n of [12, 13]) await again.append(draft({ summary: `entry ${n}` }));
    const all = await again.handlers['audit.list']({ filter: {}, limit: 100 } as never, { actor: manager });
    expect(all.entries.map((e) => e.seq)).toEqual([13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(all.entries.find((e) => e.seq === 9)?.summary).toBe('entry 9');
    expect(again.verify()).toMatchObject({ ok: true, entries: 13 });
  });

  it('lists newest first with filters, a limit and paging, plus the chain status', async () => {
    const log = await openAuditLog({ dataDir: dir, clock });
    const at = (minute: number) => new Date(Date.parse('2026-03-01T09:00:00.000Z') + minute * 60_000).toISOString();
    const plan: Array<[number, AuditDraft]> = [
      [1, draft({ action: 'customers.create', customerId: 'cust_a' })],
      [2, draft({ action: 'charges.create', customerId: 'cust_a', actor: clerk, outcome: 'refused' })],
      [3, draft({ action: 'charges.create', customerId: 'cust_b' })],
      [4, draft({ action: 'charges.resolve', customerId: 'cust_b', outcome: 'error' })],
      [5, draft({ action: 'auth.signIn', actor: null, outcome: 'error' })],
      [6, draft({ action: 'refunds.create', customerId: 'cust_a' })],
    ];
    for (const [minute, d] of plan) {
      nowMs = Date.parse(at(minute));
      await log.append(d);
    }
    const list = (filter: object, more: object = {}) => log.handlers['audit.list']({ filter, limit: 100, ...more } as never, { actor: manager });

    const all = await list({});
    expect(all.entries.map((e) => e.seq)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(all.chain).toMatchObject({ ok: true, entries: 6 });
    expect((await list({ action: 'charges.' })).entries.map((e) => e.seq)).toEqual([4, 3, 2]);
    expect((await list({ action: 'charges.create' })).entries.map((e) => e.seq)).toEqual([3, 2]);
    expect((await list({ actorId: 'staff_c' })).entries.map((e) => e.seq)).toEqual([2]);
    expect((await list({ customerId: 'cust_a' })).entries.map((e) => e.seq)).toEqual([6, 2, 1]);
    expect((await list({ outcome: 'error' })).entries.map((e) => e.seq)).toEqual([5, 4]);
    expect((await list({ from: at(2), to: at(4) })).entries.map((e) => e.seq)).toEqual([4, 3, 2]);
    expect((await list({ customerId: 'cust_a', outcome: 'ok' })).entries.map((e) => e.seq)).toEqual([6, 1]);

    const page1 = await list({}, { limit: 4 });
    expect(page1.entries.map((e) => e.seq)).toEqual([6, 5, 4, 3]);
    const page2 = await list({}, { limit: 4, beforeSeq: page1.entries.at(-1)!.seq });
    expect(page2.entries.map((e) => e.seq)).toEqual([2, 1]);
    expect((await list({ action: 'charges.' }, { limit: 1, beforeSeq: 4 })).entries.map((e) => e.seq)).toEqual([3]);
  });

  it('exports CSV with proper escaping whose rows rebuild into entries with matching hashes', async () => {
    const log = await openAuditLog({ dataDir: dir, clock });
    await log.append(draft({ actor: clerk, summary: 'line one\nline "two", with comma', customerId: 'cust_x', details: { note: 'a,b', jp: '同意を撤回' } }));
    await log.append(draft({ actor: null, action: 'auth.signIn', outcome: 'error', summary: '=HYPERLINK("http://x")' }));
    const file = await log.handlers['audit.export']({ filter: {}, format: 'csv' }, { actor: manager });
    expect(file.filename).toBe('audit-2026-03-01.csv');
    expect(file.mimeType).toMatch(/^text\/csv/);

    // a formula-like cell is neutralized for spreadsheet apps, and undone (csvCellValue) to check the hash
    expect(file.content).toContain(`"'=HYPERLINK(""http://x"")"`);
    const rows = parseCsv(file.content.replace(/^\uFEFF/, '')).map((row, i) => (i === 0 ? row : row.map(csvCellValue)));
    const [header, ...data] = rows;
    expect(header).toEqual(['seq', 'at', 'actorId', 'actorName', 'actorRole', 'action', 'outcome', 'customerId', 'summary', 'details', 'prevHash', 'hash']);
    expect(data).toHaveLength(2);
    const rebuilt: AuditRecord[] = data.map((r) => ({
      seq: Number(r[0]),
      at: r[1],
      actor: r[2] ? { staffId: r[2], name: r[3], role: r[4] as 'staff' | 'manager' } : null,
      action: r[5],
      outcome: r[6] as AuditRecord['outcome'],
      customerId: r[7] || null,
      summary: r[8],
      details: JSON.parse(r[9]),
      prevHash: r[10],
      hash: r[11],
    }));
    expect(rebuilt[0].summary).toBe('line one\nline "two", with comma');
    expect(rebuilt[1].summary).toBe('=HYPERLINK("http://x")');
    expect(rebuilt[0].actor?.name).toBe('Carl, "the clerk"');
    expect(rebuilt[0].details).toEqual({ note: 'a,b', jp: '同意を撤回' });
    expect(verifyChain(rebuilt)).toMatchObject({ ok: true, entries: 2 });
  });

  it('exports JSON (filtered, oldest first) that verifies on its own', async () => {
    const log = await logWithFive();
    await log.append(draft({ action: 'auth.signOut' }));
    const all = await log.handlers['audit.export']({ filter: {}, format: 'json' }, { actor: manager });
    expect(all.filename).toBe('audit-2026-03-01.json');
    const parsed = JSON.parse(all.content) as { entries: AuditRecord[]; chain: { ok: boolean } };
    expect(parsed.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parsed.chain.ok).toBe(true);
    expect(verifyChain(parsed.entries).ok).toBe(true);

    const some = JSON.parse((await log.handlers['audit.export']({ filter: { action: 'auth.' }, format: 'json' }, { actor: manager })).content);
    expect(some.entries.map((e: AuditRecord) => e.seq)).toEqual([6]);
    expect(hashAuditEntry(some.entries[0])).toBe(some.entries[0].hash);
  });
});

/** A strict RFC 4180 reader, so the test checks the export's quoting rather than trusting it. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') endField();
    else if (c === '\r' && text[i + 1] === '\n') {
      endField();
      rows.push(row);
      row = [];
      i++;
    } else if (c === '"' || c === '\n' || c === '\r') throw new Error(`unquoted ${JSON.stringify(c)} at ${i}`);
    else field += c;
  }
  if (field !== '' || row.length > 0) throw new Error('missing final CRLF');
  return rows;
}

describe('audit log (through core)', () => {
  let t: TestCore;
  beforeEach(async () => {
    t = await startTestCore();
  });
  afterEach(async () => {
    await t.close();
  });

  it('records calls, and after a restart app.info says where an edited file breaks', async () => {
    await signInManager(t);
    await t.call('settings.update', { shopName: 'Audit Shop' });
    await t.call('settings.update', { shopContact: '03-0000-0000' });
    expect((await t.call('app.info', {})).auditChain).toMatchObject({ ok: true, brokenAtSeq: null });
    const listed = await t.call('audit.list', {});
    expect(listed.entries.map((e) => e.action).slice(0, 3)).toEqual(['settings.update', 'settings.update', 'auth.setupFirstManager']);
    expect(listed.entries[0].actor?.name).toBe('Mina Manager');

    await t.core.stop();
    const entries = await readSegment(t.dataDir);
    const target = entries.find((e) => e.action === 'settings.update')!;
    (target.details as { input: { shopName: string } }).input.shopName = 'Forged Shop';
    await writeSegment(t.dataDir, entries);
    await t.restart();

    const chain = (await t.call('app.info', {})).auditChain;
    expect(chain).toMatchObject({ ok: false, brokenAtSeq: target.seq });
    expect(chain.problem).toMatch(/changed/);
  });

  it('detects a deleted entry and a reordered pair after restart', async () => {
    await signInManager(t);
    for (const name of ['One', 'Two', 'Three']) await t.call('settings.update', { terminalName: name });
    await t.core.stop();
    const original = await readSegment(t.dataDir);

    const deleted = structuredClone(original);
    deleted.splice(1, 1);
    await writeSegment(t.dataDir, deleted);
    await t.restart();
    expect((await t.call('app.info', {})).auditChain).toMatchObject({ ok: false, brokenAtSeq: 3 });

    await t.core.stop();
    const reordered = structuredClone(original);
    [reordered[2], reordered[3]] = [reordered[3], reordered[2]];
    await writeSegment(t.dataDir, reordered);
    await t.restart();
    expect((await t.call('app.info', {})).auditChain).toMatchObject({ ok: false, brokenAtSeq: 4 });

    // Putting the old file back is noticed too: the checkpoint knows entries were written after it.
    await t.core.stop();
    await writeSegment(t.dataDir, original);
    await t.restart();
    const restored = (await t.call('app.info', {})).auditChain;
    expect(restored.ok).toBe(false);
    expect(restored.problem).toMatch(/missing|replaced/);
  });

  it('notices entries cut off the end of the log (the chain itself still verifies) and records the finding', async () => {
    await signInManager(t);
    for (const name of ['One', 'Two', 'Three']) await t.call('settings.update', { terminalName: name });
    await t.core.stop();
    const onDisk = await readSegment(t.dataDir);
    const kept = onDisk.length - 2;
    await writeSegment(t.dataDir, onDisk.slice(0, kept));
    expect(verifyChain(onDisk.slice(0, kept)).ok).toBe(true);
    await t.restart();

    const chain = (await t.call('app.info', {})).auditChain;
    expect(chain).toMatchObject({ ok: false, brokenAtSeq: kept + 1 });
    expect(chain.problem).toMatch(/missing/);
    await signInManager(t);
    const findings = (await t.call('audit.list', { filter: { action: 'audit.chainBroken' } })).entries;
    expect(findings).toHaveLength(1);
    expect(findings[0].summary).toMatch(/missing/);
  });

  it('exports through the dispatcher for managers only', async () => {
    await signInManager(t);
    const csv = await t.call('audit.export', { format: 'csv' });
    expect(csv.content).toContain('auth.setupFirstManager');
    await t.call('staff.create', { name: 'Sam Staff', pin: '1357', role: 'staff' });
    await t.call('auth.signIn', { name: 'Sam Staff', pin: '1357' });
    const refused = await t.raw('audit.export', { format: 'json' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden_role' } });
  });
});
