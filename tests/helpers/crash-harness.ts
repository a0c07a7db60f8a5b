/**
 * Kill-and-reopen trials for the store (issue 7, "Crash and bad-file tests"): a child process
 * (tests/bench/store-crash-child.ts) writes customers, consents, charges and audit entries in a
 * loop and prints each record's id once its write resolved (acknowledged); it is killed with
 * SIGKILL at a random moment; the folder is then reopened here, in-process, and every acknowledged
 * record must be there, every file must parse, and no temp file may be left behind.
 *
 * Used by the benchmark script (≥ 200 runs) and by tests/store/crash.test.ts (a few).
 */
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openAuditLog } from '../../main/core/audit';
import { AuditRecord, CustomerDoc } from '../../main/core/data';
import { openRecords } from '../../main/core/records';

/** Small on purpose: kills land in checkpoints, journal restarts and segment rolls too. */
export const CRASH_STORE_OPTIONS = { checkpointEvery: 25 } as const;
export const CRASH_AUDIT_OPTIONS = { checkpointEvery: 16, entriesPerSegment: 60 } as const;

const CHILD = fileURLToPath(new URL('../bench/store-crash-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface CrashTrialsResult {
  runs: number;
  /** Records the child acknowledged over all runs. */
  acknowledged: number;
  /** Acknowledged records not found after a reopen ("run N: …"). */
  missing: string[];
  /** Temp files (`*.tmp`) still there after a reopen. */
  debris: string[];
  /** Files that do not parse, a broken audit chain, store notices, a child that failed. */
  problems: string[];
}

/** What the child printed: `customer <id>`, `consent <customerId> <id>`, `charge <customerId> <id> <status>`, `audit <seq> <hash>`. */
type Ack = string;
const CHARGE_ORDER = ['pending', 'succeeded'];

interface ChildRun {
  acks: Ack[];
  ready: boolean;
  exit: { code: number | null; signal: NodeJS.Signals | null };
  stderr: string;
}

function runChild(dir: string, killAfterMs: number): Promise<ChildRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: Ack[] = [];
    let ready = false;
    let buffered = '';
    let stderr = '';
    let timer: NodeJS.Timeout | null = null;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let at: number;
      while ((at = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, at);
        buffered = buffered.slice(at + 1);
        if (line === 'ready') {
          ready = true;
          // the random moment is counted from when the child starts writing, not from its (slow) start
          timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        } else if (line) {
          acks.push(line);
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    // a child that never gets ready is killed too
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      // a line cut by the kill was never acknowledged: `buffered` is dropped
      resolve({ acks, ready, exit: { code, signal }, stderr });
    });
  });
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path)));
    else out.push(path);
  }
  return out;
}

/** Every file of the folder parses: JSON files as JSON (customer documents with their schema), JSON-lines files line by line. */
async function unparsableFiles(dir: string): Promise<string[]> {
  const bad: string[] = [];
  for (const path of await walk(dir)) {
    const name = relative(dir, path);
    if (path.endsWith('.tmp')) continue; // reported as debris
    const text = await readFile(path, 'utf8');
    try {
      if (path.endsWith('.jsonl')) {
        if (text.length && !text.endsWith('\n')) throw new Error('a torn last line was left');
        for (const line of text.split('\n').slice(0, -1)) JSON.parse(line);
      } else if (path.endsWith('.json')) {
        const value: unknown = JSON.parse(text);
        if (name.startsWith(join('customers', 'docs')) || name.startsWith(join('customers', 'backup'))) CustomerDoc.parse(value);
      }
    } catch (error) {
      bad.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return bad;
}

/** Reopens the folder as core does and checks what the child acknowledged. */
async function reopenAndCheck(dir: string, acks: Ack[], run: number): Promise<{ missing: string[]; problems: string[] }> {
  const missing: string[] = [];
  const problems: string[] = [];
  const clock = { now: () => new Date() };
  const audit = await openAuditLog({ dataDir: dir, clock, ...CRASH_AUDIT_OPTIONS });
  const records = await openRecords({
    dataDir: dir,
    ids: { next: (prefix) => `${prefix}_${Math.random().toString(16).slice(2, 12)}` },
    now: clock.now,
    auditHead: () => audit.head(),
    ...CRASH_STORE_OPTIONS,
  });
  try {
    await audit.checkWitness(records.auditSeqSeen);
    for (const notice of [...records.notices, ...audit.notices]) problems.push(`run ${run}: store notice: ${notice.file}: ${notice.problem}`);
    const chain = audit.verify();
    if (!chain.ok) problems.push(`run ${run}: audit chain: ${chain.problem}`);

    const entries = new Map<number, AuditRecord>();
    for (const entry of await audit.find({ limit: Number.MAX_SAFE_INTEGER, maxScan: Number.MAX_SAFE_INTEGER, match: () => true })) entries.set(entry.seq, entry);
    // the last acknowledged status of each charge is the one that must be found
    const chargeStatus = new Map<string, { customerId: string; status: string }>();
    for (const ack of acks) {
      const [kind, a, b, c] = ack.split(' ');
      if (kind === 'customer') {
        if (!(await records.customer(a))) missing.push(`run ${run}: customer ${a}`);
      } else if (kind === 'consent') {
        const doc = await records.customer(a);
        if (!doc?.consents.some((x) => x.id === b)) missing.push(`run ${run}: consent ${b}`);
      } else if (kind === 'charge') {
        chargeStatus.set(b, { customerId: a, status: c });
      } else if (kind === 'audit') {
        if (entries.get(Number(a))?.hash !== b) missing.push(`run ${run}: audit entry ${a}`);
      } else {
        problems.push(`run ${run}: the child printed "${ack}"`);
      }
    }
    for (const [chargeId, { customerId, status }] of chargeStatus) {
      const found = (await records.customer(customerId))?.charges.find((x) => x.id === chargeId);
      if (!found) missing.push(`run ${run}: charge ${chargeId}`);
      // a later state than the acknowledged one is fine: its write finished but the kill came before its line
      else if (CHARGE_ORDER.indexOf(found.status) < CHARGE_ORDER.indexOf(status)) missing.push(`run ${run}: charge ${chargeId} is ${found.status}, acknowledged as ${status}`);
    }
  } finally {
    await records.close();
    await audit.close();
  }
  return { missing, problems };
}

/** Debris the reopen should have cleaned: checked before the stores are closed again (their close writes new files). */
async function tempFiles(dir: string): Promise<string[]> {
  return (await walk(dir)).filter((p) => p.endsWith('.tmp')).map((p) => relative(dir, p));
}

export async function runCrashTrials(options: { runs: number; dir: string; minKillMs?: number; maxKillMs?: number; onRun?: (run: number, acks: number) => void }): Promise<CrashTrialsResult> {
  const { runs, dir } = options;
  const minKill = options.minKillMs ?? 20;
  const maxKill = options.maxKillMs ?? 400;
  const result: CrashTrialsResult = { runs: 0, acknowledged: 0, missing: [], debris: [], problems: [] };
  for (let run = 1; run <= runs; run++) {
    const child = await runChild(dir, minKill + Math.random() * (maxKill - minKill));
    result.runs += 1;
    result.acknowledged += child.acks.length;
    if (!child.ready || child.exit.signal !== 'SIGKILL')
      result.problems.push(`run ${run}: the child ${child.ready ? 'was ready' : 'never got ready'} and ended with ${child.exit.signal ?? `code ${child.exit.code}`}: ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);

    // reopen (this is the open that must clean up), then look for debris and check the acknowledged records
    const debrisBefore = new Set(await tempFiles(dir));
    const { missing, problems } = await reopenAndCheck(dir, child.acks, run);
    result.missing.push(...missing);
    result.problems.push(...problems);
    // temp files present before the reopen and still there after it: the open did not clean them
    for (const path of await tempFiles(dir)) if (debrisBefore.has(path)) result.debris.push(`run ${run}: ${path}`);
    for (const bad of await unparsableFiles(dir)) result.problems.push(`run ${run}: does not parse: ${bad}`);
    options.onRun?.(run, child.acks.length);
  }
  return result;
}
