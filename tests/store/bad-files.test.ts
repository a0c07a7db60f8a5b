/**
 * A file of each kind that is truncated, empty, garbage or unreadable: detected, kept aside and
 * never overwritten, the rest of the data usable, every acknowledged record brought back (or named),
 * and the user told what happened. Also: an open writes nothing it need not; temp files of
 * interrupted writes are cleaned up.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallInput } from '../../preload/contract';
import { AUDIT_DIR } from '../../main/core/audit';
import { CUSTOMERS_DIR, customerDocPath, SHOP_FILE } from '../../main/core/records';
import { callError, signInManager, startTestCore, type TestCore } from '../helpers/core';
import { mandateParams } from '../helpers/saved-method';
import { readStoredData, storeSnapshot } from '../helpers/stored';

let t: TestCore;
afterEach(async () => {
  await t?.close();
});

async function customer(email: string) {
  const { customer } = await t.call('customers.create', { name: 'Ada Lovelace', email, language: 'en' });
  return customer;
}

/** Records a consent (a few KB) for the customer: one acknowledged record. */
async function recordConsent(customerId: string): Promise<string> {
  const params = mandateParams();
  const terms = await t.call('terms.render', { customerId, language: 'en', params });
  const input: CallInput<'consents.record'> = { customerId, language: 'en', params, shownSha256: terms.sha256, typedName: 'Ada Lovelace', accepted: true, staffConfirmed: true };
  return (await t.call('consents.record', input)).id;
}

/** A crash: the running core is abandoned without its clean stop (no final checkpoint), and a new one opens the folder. */
async function crashAndReopen(): Promise<void> {
  await t.core.env.records.settled(); // a dead process writes nothing later: no file write of the old core may land on the new one's
  t.core.env.records.close = async () => {}; // the abandoned core must not write anything more on close
  await t.restart();
  await settleStartUpWork();
}

/**
 * The Stripe writes a start-up finds queued (the consents' evidence uploads) commit to the customer's
 * document in the background: let them finish, files included, so that a file spoiled next is not rewritten by them.
 */
async function settleStartUpWork(): Promise<void> {
  await t.core.stripeShare.runDue();
  await t.core.stripeShare.idle();
  await t.core.env.records.settled(); // their documents' files are written after the change is answered
}

/** A crash, then `meanwhile` (what the power cut did to the files), then a new core opens the folder. */
async function crashAndReopenWith(meanwhile: () => Promise<unknown>): Promise<void> {
  await t.core.env.records.settled();
  t.core.env.records.close = async () => {};
  await t.core.stop();
  await meanwhile();
  await t.restart();
}

const SPOILERS: Array<[string, (path: string) => Promise<void>]> = [
  ['truncated', async (path) => writeFile(path, (await readFile(path, 'utf8')).slice(0, 200))],
  ['zero-length', async (path) => writeFile(path, '')],
  ['garbage', async (path) => writeFile(path, '\u0000\u0007garbage{{{')],
];

describe('a customer document that is damaged', () => {
  it.each(SPOILERS)('%s: kept aside, every acknowledged record brought back from its backup and the journal, the user told', async (_kind, spoil) => {
    t = await startTestCore();
    await signInManager(t);
    const ada = await customer('ada@example.com');
    const other = await customer('other@example.com');
    const first = [await recordConsent(ada.id), await recordConsent(ada.id), await recordConsent(ada.id)];
    await t.restart(); // a clean stop: the checkpoint writes a backup copy
    await signInManager(t);
    const later = [await recordConsent(ada.id), await recordConsent(ada.id), await recordConsent(ada.id)];
    await crashAndReopen();

    const path = customerDocPath(t.dataDir, ada.id);
    const spoiled = async () => {
      await spoil(path);
      return readFile(path);
    };
    const bytes = await spoiled();
    await crashAndReopen(); // the start-up replay finds the damage
    await signInManager(t);

    const detail = await t.call('customers.get', { customerId: ada.id });
    expect(detail.consents.map((c) => c.id).sort()).toEqual([...first, ...later].sort());
    const notices = (await t.call('app.info', {})).storeNotices;
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ file: path, restoredFrom: expect.stringContaining('backup'), outcome: 'restored_from_backup', missing: [] });
    expect(notices[0].code).toMatch(/^(not_json|wrong_shape)$/);
    // kept aside, byte for byte, never overwritten
    expect(await readFile(notices[0].keptAsidePath)).toEqual(bytes);
    // the rest of the data is untouched and usable
    expect((await t.call('customers.get', { customerId: other.id })).customer.email).toBe('other@example.com');
    await recordConsent(ada.id);
  });

  it('older than what was committed (a rename lost to a power cut): rebuilt from its backup and the journal, not replayed onto the old file', async () => {
    t = await startTestCore();
    await signInManager(t);
    const ada = await customer('ada@example.com');
    const first = await recordConsent(ada.id);
    const path = customerDocPath(t.dataDir, ada.id);
    const stale = await readFile(path, 'utf8'); // the file as it was before the second consent
    const second = await recordConsent(ada.id);
    await t.restart(); // checkpoint: the backup holds both consents, the journal is emptied
    await signInManager(t);
    const third = await recordConsent(ada.id); // journaled after the checkpoint
    await crashAndReopenWith(async () => writeFile(path, stale));
    await signInManager(t);
    expect((await t.call('customers.get', { customerId: ada.id })).consents.map((c) => c.id).sort()).toEqual([first, second, third].sort());
    expect((await t.call('app.info', {})).storeNotices[0].problem).toMatch(/older \(revision \d+\) than what was saved/);
  });

  it('without a backup copy yet (never checkpointed): rebuilt from the journal alone', async () => {
    t = await startTestCore();
    await signInManager(t);
    const ada = await customer('ada@example.com');
    const ids = [await recordConsent(ada.id), await recordConsent(ada.id)];
    await crashAndReopen();
    await writeFile(customerDocPath(t.dataDir, ada.id), '{"schemaVersion":1,"rev":');
    await crashAndReopen();
    await signInManager(t);
    expect((await t.call('customers.get', { customerId: ada.id })).consents.map((c) => c.id).sort()).toEqual(ids.sort());
    // and the user is told so: nothing lost, not "no backup, started empty"
    const notice = (await t.call('app.info', {})).storeNotices.at(-1)!;
    expect(notice).toMatchObject({ code: 'not_json', outcome: 'recovered', restoredFrom: null, missing: [] });
  });

  it('and its backup and the journal lost too: the user is told exactly which changes are missing', async () => {
    t = await startTestCore();
    await signInManager(t);
    const ada = await customer('ada@example.com');
    await recordConsent(ada.id);
    await t.restart(); // checkpoint: the journal is emptied, a backup written
    await signInManager(t);
    await t.core.env.records.checkpoint();
    await t.core.stop();
    await writeFile(customerDocPath(t.dataDir, ada.id), 'garbage');
    const backups = join(t.dataDir, CUSTOMERS_DIR, 'backup');
    await rm(backups, { recursive: true, force: true });
    await t.restart();
    await signInManager(t);
    expect((await callError(t.call('customers.get', { customerId: ada.id }))).code).toBe('not_found');
    const notice = (await t.call('app.info', {})).storeNotices.at(-1)!;
    // the user is told what is missing: this customer's changes from the first on
    expect(notice).toMatchObject({ code: 'not_json', outcome: 'incomplete', missing: [expect.stringMatching(new RegExp(`^${ada.id} #1–\\d+$`))] });
    expect(await readFile(notice.keptAsidePath, 'utf8')).toBe('garbage');
  });

  it('that cannot be read at all (a read error): refused with its real cause, nothing moved aside', async () => {
    t = await startTestCore();
    await signInManager(t);
    const ada = await customer('ada@example.com');
    await t.core.stop();
    const path = customerDocPath(t.dataDir, ada.id);
    await rm(path);
    await mkdir(path); // reading it fails with EISDIR, as a lock or a permission problem would fail it
    await t.restart();
    await signInManager(t);
    const error = await callError(t.call('customers.get', { customerId: ada.id }));
    expect(error.code).toBe('store_error');
    expect(error.message).toMatch(/could not be read \(EISDIR/);
    expect(error.message).not.toMatch(/not valid JSON/);
    expect((await stat(path)).isDirectory()).toBe(true);
    expect((await readdir(join(path, '..'))).filter((n) => n.includes('unreadable'))).toEqual([]);
  });
});

describe('the shop file', () => {
  it('damaged: restored from its newest backup, with a notice', async () => {
    t = await startTestCore();
    await signInManager(t);
    await t.call('settings.update', { terminalName: 'Counter 7' });
    await t.core.stop();
    await writeFile(join(t.dataDir, SHOP_FILE), '{"schemaVersion": 1, "terminalId"');
    await t.restart();
    const info = await t.call('app.info', {});
    expect(info.storeNotices[0]).toMatchObject({ file: join(t.dataDir, SHOP_FILE), restoredFrom: `${join(t.dataDir, SHOP_FILE)}.backup-1` });
    expect((await t.call('auth.status', {})).needsFirstManager).toBe(false);
  });

  it('damaged with every backup: the app does not start empty (no "create the first manager" for whoever is at the counter)', async () => {
    t = await startTestCore();
    await signInManager(t);
    await t.core.stop();
    for (const name of await readdir(t.dataDir)) if (name.startsWith(SHOP_FILE)) await writeFile(join(t.dataDir, name), 'garbage');
    await expect(t.restart()).rejects.toThrow(/shop file .* is damaged and none of its backups could be read.*kept aside.*Nothing was overwritten/s);
    expect((await readdir(t.dataDir)).some((n) => n.startsWith(`${SHOP_FILE}.unreadable-`))).toBe(true);
    t = await startTestCore(); // (the failed one has nothing to close)
  });
});

describe('the index, the journal and the audit log', () => {
  it('a damaged index is rebuilt from the documents, with a notice', async () => {
    t = await startTestCore();
    await signInManager(t);
    const ada = await customer('ada@example.com');
    await t.core.stop();
    await writeFile(join(t.dataDir, CUSTOMERS_DIR, 'index.jsonl'), 'not an index\n');
    await t.restart();
    await signInManager(t);
    expect((await t.call('customers.search', { query: 'ada' })).local.map((c) => c.id)).toEqual([ada.id]);
    expect((await t.call('app.info', {})).storeNotices[0].problem).toMatch(/index is damaged.*rebuilt/);
  });

  it('a damaged audit line is reported where it is, and the log goes on', async () => {
    t = await startTestCore();
    await signInManager(t);
    await t.call('settings.update', { terminalName: 'Counter 2' });
    await t.core.stop();
    const segment = join(t.dataDir, AUDIT_DIR, 'segment-000001.jsonl');
    const lines = (await readFile(segment, 'utf8')).split('\n');
    lines[1] = '{"seq":2,"garbage';
    await writeFile(segment, lines.join('\n'));
    await t.restart();
    const chain = (await t.call('app.info', {})).auditChain;
    expect(chain).toMatchObject({ ok: false, brokenAtSeq: 2 });
    await signInManager(t);
    await t.call('settings.update', { terminalName: 'Counter 3' });
  });
});

describe('opening', () => {
  it('writes nothing it need not (a clean reopen leaves every store file as it was)', async () => {
    t = await startTestCore();
    await signInManager(t);
    const ada = await customer('ada@example.com');
    await recordConsent(ada.id);
    await t.core.stop();
    const before = await storeSnapshot(t.dataDir);
    const shopMtime = (await stat(join(t.dataDir, SHOP_FILE))).mtimeMs;
    await t.restart();
    await t.core.stop(); // its clean stop has nothing new to write either
    expect(await storeSnapshot(t.dataDir)).toBe(before);
    expect((await stat(join(t.dataDir, SHOP_FILE))).mtimeMs).toBe(shopMtime);
    await t.restart();
  });

  it('cleans up the temp files of interrupted writes', async () => {
    t = await startTestCore();
    await signInManager(t);
    const ada = await customer('ada@example.com');
    await recordConsent(ada.id);
    const docDir = join(customerDocPath(t.dataDir, ada.id), '..');
    const debris = [join(docDir, `.${ada.id}.json.99999.deadbeef.tmp`), join(t.dataDir, `.${SHOP_FILE}.99999.cafebabe.tmp`)];
    for (const path of debris) await writeFile(path, 'x'.repeat(10_000));
    await crashAndReopen();
    for (const path of debris) await expect(stat(path)).rejects.toThrow(/ENOENT/);
    expect((await readStoredData(t.dataDir)).consents).toHaveLength(1);
  });
});
