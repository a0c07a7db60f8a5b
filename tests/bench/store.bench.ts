/**
 * Store benchmark (issue 7): `npm run bench:store [-- --sizes=1000,10000,100000 --crash-runs=200 --keep-builds=/dev/shm/md-bench]`
 *
 * For each size, a data folder is built through the real store (each customer: `createCustomer`,
 * then one `updateCustomer` adding a consent with the real terms text, its setup, a saved method
 * and 10 succeeded charges; the audit log, as many entries as charges, written by the store's own
 * bulk writer), then measured in a fresh process: data on disk, cold start to ready (`createCore`
 * against the emulator: stores opened, start-up passes run, audit checked), RSS after start, one
 * durable write of each kind next to the floor (one fsync'd AppendLog append of the same bytes,
 * measured in the same run, interleaved), a whole `charges.create` through the dispatcher and
 * `customers.search`. Then the issue's targets, PASS/FAIL, and the kill-and-reopen crash trials.
 *
 * Folders are built on a RAM disk when there is one (/dev/shm; `--build-on=disk` to build on disk),
 * then copied to the temp dir and synced: only the measuring happens on the disk.
 *
 * Build and measure run in child processes (`--role=build|measure`), so that RSS after start is
 * core's, not the builder's, and every size starts from the same state.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MandateParams } from '../../preload/contract';
import { AUDIT_DIR, GENESIS_HASH, hashAuditEntry } from '../../main/core/audit';
import { CustomerIndex } from '../../main/core/customer-index';
import type { AuditRecord, ChargeRecord, ConsentRecord, CustomerRecord, SavedMethodRecord, SetupRecord } from '../../main/core/data';
import { openRecords } from '../../main/core/records';
import { renderTerms, TERMS_VERSION } from '../../main/core/terms';
import { startEmulator } from '../../main/emulator/index';
import { AppendLog } from '../../main/store/files';
import { writeSegmentedLog } from '../../main/store/segmented-log';
import { completeHostedPage } from '../emulator/helpers';
import { startTestCore, signInManager, type TestCore } from '../helpers/core';
import { runCrashTrials } from '../helpers/crash-harness';

const SELF = fileURLToPath(import.meta.url);
/** Where folders are built (`--build-on=disk` to build in the temp dir itself). */
const RAM_DISK = '/dev/shm';
const REPO = fileURLToPath(new URL('../..', import.meta.url));

function flag(name: string): string | undefined {
  const prefix = `--${name}=`;
  const found = process.argv.find((a) => a.startsWith(prefix));
  if (found) return found.slice(prefix.length);
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

// ---------------------------------------------------------------- the data set (deterministic from the customer's number)

const CHARGES_PER_CUSTOMER = 10;
const SHOP = { name: 'Sakura Cleaners Shibuya', contact: 'Dogenzaka 1-2-3, Shibuya, Tokyo · 03-1234-5678 · desk@sakura-cleaners.example' };
const ACTOR = { staffId: 'staff_bench000001', name: 'Mina Manager' };
const FAMILY_JA = ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村', '小林', '加藤', '吉田', '山田', '佐々木', '山口', '松本'];
const GIVEN_JA = ['太郎', '花子', '翔太', '美咲', '健一', '由美', '大輔', '愛', '拓也', '陽子', '直樹', '恵子'];
const FAMILY_EN = ['Smith', 'Johnson', 'Müller', 'García', 'Rossi', 'Dubois', 'Kowalski', 'Andersen', 'Novak', 'Silva'];
const GIVEN_EN = ['Ada', 'James', 'Olivia', 'Lukas', 'Sofia', 'Marco', 'Emma', 'Noah', 'Lena', 'Ivan'];
const ROMAJI = ['sato', 'suzuki', 'takahashi', 'tanaka', 'ito', 'watanabe', 'yamamoto', 'nakamura', 'kobayashi', 'kato', 'yoshida', 'yamada', 'sasaki', 'yamaguchi', 'matsumoto'];
const DAY = 86_400_000;
const BASE = Date.UTC(2025, 11, 1);

const hex = (n: number, width = 10) => n.toString(16).padStart(width, '0');
const customerId = (i: number) => `cust_b${hex(i)}19a2b3c4d5`;

function customerOf(i: number): CustomerRecord {
  const ja = i % 3 !== 2;
  const name = ja
    ? `${FAMILY_JA[i % FAMILY_JA.length]}${i % 2 ? ' ' : ''}${GIVEN_JA[Math.floor(i / 7) % GIVEN_JA.length]}${(i * 7919) % 1000}`
    : `${GIVEN_EN[Math.floor(i / 7) % GIVEN_EN.length]} ${FAMILY_EN[i % FAMILY_EN.length]}-${(i * 7919) % 1000}`;
  const stem = ja ? ROMAJI[i % ROMAJI.length] : FAMILY_EN[i % FAMILY_EN.length].toLowerCase().normalize('NFD').replace(/[^a-z]/g, '');
  const digits = String(10_000_000 + i).slice(-8);
  return {
    id: customerId(i),
    name,
    email: `${stem}.${i}@example.com`,
    phone: i % 2 ? `090-${digits.slice(0, 4)}-${digits.slice(4)}` : `+81 80${digits}`,
    language: ja ? 'ja' : 'en',
    stripeCustomerId: `cus_B${hex(i, 12)}`,
    createdAt: new Date(BASE - (i % 365) * DAY).toISOString(),
    createdBy: ACTOR,
  };
}

const PARAMS: MandateParams = {
  purpose: 'Laundry and dry cleaning picked up at the counter',
  frequency: 'as_needed',
  timing: 'After each pickup',
  amountRule: 'up_to_max',
  maxAmount: 50_000,
  currency: 'eur',
  startDate: '2025-01-01',
  endDate: null,
  cancellationPolicy: 'Cancel any time at the counter or by e-mail.',
};

function consentOf(customer: CustomerRecord, id: string, at: string): ConsentRecord {
  const terms = renderTerms({ language: customer.language, shop: SHOP, customer, params: PARAMS, terminalName: 'Counter 1' });
  return {
    id,
    customerId: customer.id,
    stripeCustomerId: customer.stripeCustomerId,
    termsVersion: TERMS_VERSION,
    language: customer.language,
    title: terms.title,
    text: terms.text,
    textSha256: terms.sha256,
    params: PARAMS,
    typedName: customer.name,
    signaturePng: null,
    acceptedAtUtc: at,
    acceptedAtLocal: at.replace('Z', '+00:00'),
    timeZone: 'Asia/Tokyo',
    witnessedBy: ACTOR,
    terminalId: 'term_6f1c2d3e-4b5a-4c6d-9e8f-0a1b2c3d4e5f',
    correctsConsentId: null,
  };
}

function chargeOf(customer: CustomerRecord, consentId: string, paymentMethodId: string, id: string, n: number, status: ChargeRecord['status'], at: string): ChargeRecord {
  return {
    id,
    customerId: customer.id,
    consentId,
    paymentMethodId,
    amount: 1200 + ((n * 137) % 4000),
    currency: 'eur',
    description: `Dry cleaning, ${1 + (n % 5)} items`,
    status,
    idempotencyKey: `charge-${id}`,
    requestKey: randomUUID(),
    paymentIntentId: status === 'pending' ? null : `pi_3B${hex(n, 8)}${id.slice(4, 14)}`,
    failure: null,
    createdAt: at,
    finishedAt: status === 'pending' ? null : at,
    createdBy: ACTOR,
    subscriptionId: null,
  };
}

function fullDocParts(i: number) {
  const customer = customerOf(i);
  const at = new Date(Date.parse(customer.createdAt) + 60_000).toISOString();
  const consentId = CustomerIndex.ownedId(`consent_b${hex(i)}`, customer.id);
  const setupId = CustomerIndex.ownedId(`setup_b${hex(i)}`, customer.id);
  const pm = `pm_1B${hex(i, 12)}`;
  const seti = `seti_1B${hex(i, 12)}`;
  const mandate = `mandate_1B${hex(i, 12)}`;
  const setup: SetupRecord = {
    id: setupId,
    customerId: customer.id,
    consentId,
    checkoutSessionId: `cs_test_b${hex(i, 24)}`,
    url: null,
    status: 'succeeded',
    expiresAt: new Date(Date.parse(at) + 30 * 60_000).toISOString(),
    createdAt: at,
    createdBy: ACTOR,
    finishedAt: at,
    setupIntentId: seti,
    paymentMethodId: pm,
    mandateId: mandate,
    failure: null,
  };
  const saved: SavedMethodRecord = { paymentMethodId: pm, type: 'amazon_pay', customerId: customer.id, consentId, setupId, setupIntentId: seti, mandateId: mandate, savedAt: at, detachedAt: null };
  const charges = Array.from({ length: CHARGES_PER_CUSTOMER }, (_, n) =>
    chargeOf(customer, consentId, pm, CustomerIndex.ownedId(`chg_b${hex(i * CHARGES_PER_CUSTOMER + n)}`, customer.id), i + n, 'succeeded', new Date(Date.parse(at) + (n + 1) * 7 * DAY).toISOString()),
  );
  return { customer, consent: consentOf(customer, consentId, at), setup, saved, charges };
}

// ---------------------------------------------------------------- build (child process)

async function build(size: number, dataDir: string): Promise<void> {
  const t0 = performance.now();
  // the audit log: one entry per charge, chained, written by the store's bulk writer
  {
    const entries: AuditRecord[] = [];
    let prevHash = GENESIS_HASH;
    for (let i = 0; i < size; i++) {
      const customer = customerOf(i);
      for (let n = 0; n < CHARGES_PER_CUSTOMER; n++) {
        const chargeId = CustomerIndex.ownedId(`chg_b${hex(i * CHARGES_PER_CUSTOMER + n)}`, customer.id);
        const entry: Omit<AuditRecord, 'hash'> = {
          seq: entries.length + 1,
          at: new Date(BASE + entries.length * 1000).toISOString(),
          actor: { ...ACTOR, role: 'manager' },
          action: 'charges.create',
          outcome: 'ok',
          customerId: customer.id,
          summary: `charges.create: succeeded, 12.00 EUR`,
          details: { input: { customerId: customer.id, amount: 1200, currency: 'eur', description: 'Dry cleaning, 2 items' }, chargeId, outcome: 'succeeded', amount: 1200, currency: 'eur' },
          prevHash,
        };
        const hash = hashAuditEntry(entry);
        entries.push({ ...entry, hash });
        prevHash = hash;
      }
    }
    await writeSegmentedLog(join(dataDir, AUDIT_DIR), entries);
  }
  const tAudit = performance.now();

  // the customers: two commits each, through the real store (queued: the store serializes them)
  const records = await openRecords({
    dataDir,
    ids: { next: (prefix) => `${prefix}_${Math.random().toString(16).slice(2, 12)}` },
    now: () => new Date(),
    checkpointEvery: Number.MAX_SAFE_INTEGER,
  });
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < size; i++) {
    const parts = fullDocParts(i);
    const done = (async () => {
      await records.createCustomer(parts.customer);
      await records.updateCustomer(parts.customer.id, (doc) => {
        doc.consents.push(parts.consent);
        doc.setups.push(parts.setup);
        doc.savedMethods.push(parts.saved);
        doc.charges.push(...parts.charges);
      });
    })();
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
    if (inFlight.size >= 64) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const tDocs = performance.now();
  await records.close(); // the final checkpoint: backup copies, the index snapshot
  const tClose = performance.now();
  const seconds = (a: number, b: number) => ((b - a) / 1000).toFixed(1);
  process.stderr.write(`  built ${size} customers: audit ${seconds(t0, tAudit)} s, documents ${seconds(tAudit, tDocs)} s, final checkpoint ${seconds(tDocs, tClose)} s\n`);
}

// ---------------------------------------------------------------- measure (child process)

interface Stats { n: number; p50: number; p95: number; p99: number; max: number }
function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s[s.length - 1] };
}

type WriteKind = 'consent recorded' | 'charge write-ahead' | 'charge outcome' | 'audit append';
const WRITE_KINDS: WriteKind[] = ['consent recorded', 'charge write-ahead', 'charge outcome', 'audit append'];

interface Measured {
  size: number;
  diskMB: number;
  diskParts: Record<string, number>;
  coldStartMs: number;
  rssMB: number;
  /** This process before createCore (node, tsx, the in-process emulator, the SDK): not core's. */
  rssBeforeMB: number;
  heapMB: number;
  /** After the writes, charges and searches (the index's shown columns filled in the background by then). */
  rssEndMB: number;
  writes: Record<WriteKind, { write: Stats; floor: Stats; bytes: number }>;
  customerReadMs: Stats;
  chargesCreate: Stats & { errors: number };
  search: Stats & { byKind: Record<string, Stats> };
}

async function diskUsage(dir: string): Promise<{ total: number; parts: Record<string, number> }> {
  const parts: Record<string, number> = {};
  let total = 0;
  const walk = async (path: string, part: string): Promise<void> => {
    for (const entry of await readdir(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) await walk(full, part);
      else {
        const { size } = await stat(full);
        total += size;
        parts[part] = (parts[part] ?? 0) + size;
      }
    }
  };
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      for (const inner of await readdir(full, { withFileTypes: true })) {
        const part = `${entry.name}/${inner.isDirectory() ? inner.name : inner.name.replace(/-\d+\.jsonl$/, '-*.jsonl')}`;
        if (inner.isDirectory()) await walk(join(full, inner.name), part);
        else {
          const { size } = await stat(join(full, inner.name));
          total += size;
          parts[part] = (parts[part] ?? 0) + size;
        }
      }
    } else {
      const { size } = await stat(full);
      total += size;
      parts[entry.name] = (parts[entry.name] ?? 0) + size;
    }
  }
  return { total, parts };
}

/** A line of exactly `bytes` bytes (with its newline), for the floor. */
function lineOf(bytes: number): string {
  return JSON.stringify({ f: 'x'.repeat(Math.max(0, bytes - 9)) });
}

async function measure(size: number, dataDir: string): Promise<Measured> {
  const disk = await diskUsage(dataDir);
  const emulator = await startEmulator();
  const floorLog = await AppendLog.open(`${dataDir}-floor.jsonl`);
  const random = (n: number) => Math.floor(Math.random() * n);

  // cold start to ready: createCore opens the stores, checks the audit, runs the start-up passes
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const t: TestCore = await startTestCore({ emulator, dataDir });
  const coldStartMs = performance.now() - t0;
  const { rss, heapUsed } = process.memoryUsage();
  const { records, audit } = t.core.env;

  await signInManager(t);

  // ---- one durable write of each kind on random customers, each followed by the floor for its bytes
  const samples = Object.fromEntries(WRITE_KINDS.map((k) => [k, { write: [] as number[], floor: [] as number[], bytes: [] as number[] }])) as Record<WriteKind, { write: number[]; floor: number[]; bytes: number[] }>;
  const readMs: number[] = [];
  // One turn of the event loop before each timed step: V8 runs the garbage collection that the
  // bench's own preparation (rendering the terms, reading the customer) made due at the next idle
  // moment, which would otherwise be the write's own wait for the disk.
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const timed = async (kind: WriteKind, bytes: number, write: () => Promise<unknown>) => {
    await turn();
    const a = performance.now();
    await write();
    const b = performance.now();
    // the document's file is written after the change is answered (the journal holds it): let it
    // finish, so that the floor is measured alone
    await records.settled();
    await turn();
    const b2 = performance.now();
    await floorLog.append(lineOf(bytes));
    const c = performance.now();
    samples[kind].write.push(b - a);
    samples[kind].floor.push(c - b2);
    samples[kind].bytes.push(bytes);
  };
  for (let k = 0; k < 300; k++) {
    const i = random(size);
    const parts = fullDocParts(i);
    const id = parts.customer.id;
    // the customer is opened first (as the counter does before a consent or a charge): the read is counted apart
    const r0 = performance.now();
    await records.customer(id);
    readMs.push(performance.now() - r0);

    const now = new Date().toISOString();
    const consent = consentOf(parts.customer, records.newId('consent', id), now);
    await timed('consent recorded', Buffer.byteLength(JSON.stringify(consent)), () => records.updateCustomer(id, (doc) => void doc.consents.push(consent)));

    const charge = chargeOf(parts.customer, parts.consent.id, parts.saved.paymentMethodId, records.newId('chg', id), k, 'pending', now);
    await timed('charge write-ahead', Buffer.byteLength(JSON.stringify(charge)), () => records.updateCustomer(id, (doc) => void doc.charges.push(charge)));

    const outcome: ChargeRecord = { ...charge, status: 'succeeded', paymentIntentId: `pi_3Bench${hex(k, 8)}`, finishedAt: new Date().toISOString() };
    await timed('charge outcome', Buffer.byteLength(JSON.stringify(outcome)), () =>
      records.updateCustomer(id, (doc) => {
        const at = doc.charges.findIndex((c) => c.id === charge.id);
        doc.charges[at] = outcome;
      }),
    );

    const draft = {
      actor: { id: ACTOR.staffId, name: ACTOR.name, role: 'manager' as const, active: true, createdAt: '2025-01-01T00:00:00.000Z' },
      action: 'charges.create',
      outcome: 'ok' as const,
      customerId: id,
      summary: 'charges.create: succeeded, 12.00 EUR',
      details: { input: { customerId: id, amount: charge.amount, currency: 'eur', description: charge.description }, chargeId: charge.id, outcome: 'succeeded', amount: charge.amount, currency: 'eur' },
    };
    // the entry's size: as the log stores it (its line)
    await turn();
    const a = performance.now();
    await audit.append(draft);
    const b = performance.now();
    const [entry] = await audit.find({ limit: 1, maxScan: 1, match: () => true });
    const bytes = Buffer.byteLength(JSON.stringify(entry));
    await turn();
    const c0 = performance.now();
    await floorLog.append(lineOf(bytes));
    const c = performance.now();
    samples['audit append'].write.push(b - a);
    samples['audit append'].floor.push(c - c0);
    samples['audit append'].bytes.push(bytes);
  }

  // ---- whole charges.create through the dispatcher, against the emulator, on a customer saved through the real flow
  const { customer } = await t.call('customers.create', { name: 'Bench Customer', email: `bench.${randomUUID().slice(0, 8)}@example.com`, language: 'en' });
  const terms = await t.call('terms.render', { customerId: customer.id, language: 'en', params: PARAMS });
  const consent = await t.call('consents.record', { customerId: customer.id, language: 'en', params: PARAMS, shownSha256: terms.sha256, typedName: 'Bench Customer', accepted: true, staffConfirmed: true, timeZone: 'UTC' });
  const started = await t.call('setups.start', { consentId: consent.id });
  await completeHostedPage(t.opened[t.opened.length - 1], 'authorize');
  const setup = await t.call('setups.check', { setupId: started.id });
  if (setup.status !== 'succeeded' || !setup.paymentMethodId) throw new Error(`the bench customer's setup ended ${setup.status}`);
  const chargeMs: number[] = [];
  let chargeErrors = 0;
  for (let k = 0; k < 200; k++) {
    const input = { customerId: customer.id, consentId: consent.id, paymentMethodId: setup.paymentMethodId, amount: 1000 + k, currency: 'eur' as const, description: `Bench charge ${k}`, requestKey: randomUUID() };
    const a = performance.now();
    const result = await t.core.dispatch('charges.create', input);
    chargeMs.push(performance.now() - a);
    if (!result.ok || (result.data as { status: string }).status !== 'succeeded') {
      chargeErrors += 1;
      if (chargeErrors === 1) process.stderr.write(`  charges.create: ${JSON.stringify(result).slice(0, 300)}\n`);
    }
  }

  // ---- search by name, e-mail and phone (typed as people type them)
  const searchMs: Record<string, number[]> = { name: [], email: [], phone: [] };
  for (let k = 0; k < 300; k++) {
    const c = customerOf(random(size));
    const kind = (['name', 'email', 'phone'] as const)[k % 3];
    const digits = c.phone.replace(/\D/g, '').replace(/^81/, '0');
    const query = kind === 'name' ? c.name.replace(/\s/g, '') : kind === 'email' ? c.email : k % 2 ? digits : `${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`;
    const a = performance.now();
    const result = await t.core.dispatch('customers.search', { query });
    searchMs[kind].push(performance.now() - a);
    if (!result.ok) throw new Error(`customers.search failed: ${JSON.stringify(result)}`);
  }

  const rssEnd = process.memoryUsage().rss;
  await t.core.stop();
  await floorLog.close();
  await emulator.stop();
  const writes = Object.fromEntries(
    WRITE_KINDS.map((k) => [k, { write: stats(samples[k].write), floor: stats(samples[k].floor), bytes: Math.round(samples[k].bytes.reduce((x, y) => x + y, 0) / samples[k].bytes.length) }]),
  ) as Measured['writes'];
  return {
    size,
    diskMB: disk.total / 1e6,
    diskParts: Object.fromEntries(Object.entries(disk.parts).map(([k, v]) => [k, v / 1e6])),
    coldStartMs,
    rssMB: rss / 1e6,
    rssBeforeMB: rssBefore / 1e6,
    heapMB: heapUsed / 1e6,
    rssEndMB: rssEnd / 1e6,
    writes,
    customerReadMs: stats(readMs),
    chargesCreate: { ...stats(chargeMs), errors: chargeErrors },
    search: { ...stats(Object.values(searchMs).flat()), byKind: Object.fromEntries(Object.entries(searchMs).map(([k, v]) => [k, stats(v)])) },
  };
}

// ---------------------------------------------------------------- parent

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

function runChild(args: string[], heapMB: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${heapMB}`, '--import', 'tsx', SELF, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited with ${code}`))));
  });
}

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

function report(results: Measured[]): boolean {
  const base = results[0];
  let allOk = true;
  for (const m of results) {
    console.log(`\n=== ${m.size.toLocaleString('en')} customers, ${(m.size * CHARGES_PER_CUSTOMER).toLocaleString('en')} charges, ${(m.size * CHARGES_PER_CUSTOMER).toLocaleString('en')} audit entries`);
    console.log(`data on disk        ${f1(m.diskMB)} MB  (${Object.entries(m.diskParts).filter(([, v]) => v >= 0.05).map(([k, v]) => `${k} ${f1(v)}`).join(', ')})`);
    console.log(`cold start to ready ${f1(m.coldStartMs)} ms`);
    console.log(`RSS after start     ${f1(m.rssMB)} MB (heap used ${f1(m.heapMB)} MB; before createCore ${f1(m.rssBeforeMB)} MB with node, tsx and the in-process emulator: core added ${f1(m.rssMB - m.rssBeforeMB)} MB)`);
    console.log(`RSS at the end      ${f1(m.rssEndMB)} MB (after the writes, charges and searches)`);
    console.log(`customer doc read   p50 ${f2(m.customerReadMs.p50)} ms  p95 ${f2(m.customerReadMs.p95)} ms  (random customer, before each write, not counted in it)`);
    console.log(`durable write (n=${m.writes['consent recorded'].write.n} each)      bytes   p50 ms   p95 ms   p99 ms   max ms | floor p50   p95 | ×floor p50  p95 | p95 ×1k  (×floor)/(×floor at 1k)`);
    for (const k of WRITE_KINDS) {
      const w = m.writes[k];
      const vs = base.writes[k].write.p95;
      console.log(
        `  ${k.padEnd(28)} ${String(w.bytes).padStart(7)} ${f2(w.write.p50).padStart(8)} ${f2(w.write.p95).padStart(8)} ${f2(w.write.p99).padStart(8)} ${f2(w.write.max).padStart(8)} | ${f2(w.floor.p50).padStart(9)} ${f2(w.floor.p95).padStart(5)} | ${f2(w.write.p50 / w.floor.p50).padStart(10)} ${f2(w.write.p95 / w.floor.p95).padStart(4)} | ${f2(w.write.p95 / vs).padStart(7)}  ${f2(w.write.p95 / w.floor.p95 / (vs / base.writes[k].floor.p95)).padStart(6)}`,
      );
    }
    const c = m.chargesCreate;
    console.log(`charges.create      n=${c.n} p50 ${f2(c.p50)} ms  p95 ${f2(c.p95)} ms  p99 ${f2(c.p99)} ms  max ${f2(c.max)} ms  errors ${c.errors}  | p95 ×1k ${f2(c.p95 / base.chargesCreate.p95)}`);
    console.log(
      `customers.search    n=${m.search.n} p50 ${f2(m.search.p50)} ms  p95 ${f2(m.search.p95)} ms  max ${f2(m.search.max)} ms  (${Object.entries(m.search.byKind).map(([k, s]) => `${k} p95 ${f2(s.p95)}`).join(', ')}) | p95 ×1k ${f2(m.search.p95 / base.search.p95)}`,
    );
  }

  const top = results[results.length - 1];
  console.log(`\n=== targets at ${top.size.toLocaleString('en')} customers${top.size === 100_000 ? '' : ' (the issue states them at 100,000)'}, compared with ${base.size.toLocaleString('en')}`);
  const check = (ok: boolean, text: string) => {
    allOk &&= ok;
    console.log(`  ${pass(ok)}  ${text}`);
  };
  for (const k of WRITE_KINDS) {
    const w = top.writes[k];
    const ratio = w.write.p95 / w.floor.p95;
    const vs = w.write.p95 / base.writes[k].write.p95;
    check(ratio <= 3, `${k}: p95 ${f2(w.write.p95)} ms = ${f2(ratio)}× floor p95 ${f2(w.floor.p95)} ms (≤ 3×)`);
    check(vs <= 1.5, `${k}: p95 ${f2(vs)}× the same at ${base.size.toLocaleString('en')} (${f2(base.writes[k].write.p95)} ms) (≤ 1.5×)`);
  }
  check(top.chargesCreate.errors === 0 && top.chargesCreate.p95 / base.chargesCreate.p95 <= 1.5, `charges.create p95 ${f2(top.chargesCreate.p95)} ms = ${f2(top.chargesCreate.p95 / base.chargesCreate.p95)}× the same at ${base.size.toLocaleString('en')} (≤ 1.5×), errors ${top.chargesCreate.errors}`);
  check(top.coldStartMs <= 1000, `cold start to ready ${f1(top.coldStartMs)} ms (≤ 1000 ms)`);
  check(top.search.p95 <= 16, `customers.search p95 ${f2(top.search.p95)} ms (≤ 16 ms)`);
  check(top.rssMB <= 400, `RSS after start ${f1(top.rssMB)} MB (≤ 400 MB)`);
  return allOk;
}

const role = flag('role');
if (role === 'build') {
  await build(Number(flag('size')), flag('dir')!);
} else if (role === 'measure') {
  const result = await measure(Number(flag('size')), flag('dir')!);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0); // the emulator's keep-alive sockets do not hold the process
} else {
  const sizes = (flag('sizes') ?? '1000,10000,100000').split(',').map(Number);
  const crashRuns = Number(flag('crash-runs') ?? 200);
  const onRam = flag('build-on') !== 'disk' && existsSync(RAM_DISK);
  const keepBuilds = flag('keep-builds');
  console.log(`store bench: sizes ${sizes.join(', ')}, crash runs ${crashRuns}; node ${process.version}, ${new Date().toISOString()}; data in ${tmpdir()}${onRam ? `, built in ${RAM_DISK}` : ''}`);
  const results: Measured[] = [];
  for (const size of sizes) {
    const dataDir = await mkdtemp(join(tmpdir(), `mandate-desk-bench-${size}-`));
    // Built on a RAM disk (fast: the same store code, its fsyncs cost nothing there), then copied to
    // the real disk and flushed (sync) before anything is measured: the measured folder is on disk.
    // `--keep-builds=DIR`: a folder built once is kept there and copied for each run (the measure
    // writes into its copy), so that trying a change at 100k does not rebuild for minutes.
    const kept = keepBuilds ? join(keepBuilds, `size-${size}`) : null;
    const buildDir = kept ?? (onRam ? await mkdtemp(join(RAM_DISK, `mandate-desk-build-${size}-`)) : dataDir);
    const copied = kept !== null || onRam;
    try {
      const t0 = performance.now();
      if (!kept || !existsSync(join(kept, '.complete'))) {
        if (kept) await rm(kept, { recursive: true, force: true });
        await runChild(['--role=build', `--size=${size}`, `--dir=${buildDir}`], 8192);
        if (kept) await writeFile(join(kept, '.complete'), '');
      }
      if (copied) {
        await run('cp', ['-a', `${buildDir}/.`, dataDir]);
        await rm(join(dataDir, '.complete'), { force: true });
        if (!kept) await rm(buildDir, { recursive: true, force: true });
        await run('sync', []);
      }
      console.error(`  built ${size}${kept ? ` (kept in ${kept})` : ''}${copied ? ', copied to disk, synced,' : ''} in ${f1((performance.now() - t0) / 1000)} s; measuring`);
      const out = await runChild(['--role=measure', `--size=${size}`, `--dir=${dataDir}`], 4096);
      results.push(JSON.parse(out.trim().split('\n').at(-1)!) as Measured);
    } finally {
      if (onRam && !kept) await rm(buildDir, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
      await rm(`${dataDir}-floor.jsonl`, { force: true });
    }
  }
  const ok = report(results);

  let crashOk = true;
  if (crashRuns > 0) {
    const dir = await mkdtemp(join(tmpdir(), 'mandate-desk-crash-'));
    try {
      const t0 = performance.now();
      const crash = await runCrashTrials({ runs: crashRuns, dir });
      const failures = crash.missing.length + crash.debris.length + crash.problems.length;
      crashOk = failures === 0;
      console.log(`\n=== crash: SIGKILL at a random 20–400 ms into writing, reopen, check (${f1((performance.now() - t0) / 1000)} s)`);
      console.log(`  ${pass(crashOk)}  runs ${crash.runs}, acknowledged records ${crash.acknowledged}, missing ${crash.missing.length}, debris ${crash.debris.length}, other problems ${crash.problems.length}`);
      for (const line of [...crash.missing, ...crash.debris, ...crash.problems].slice(0, 20)) console.log(`    ${line}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  process.exit(ok && crashOk ? 0 : 1);
}
