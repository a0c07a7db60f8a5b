/**
 * A writing process killed with SIGKILL at random moments loses no acknowledged record, leaves
 * every file parsable and no temp file after the next open (issue 7). The benchmark script runs
 * the same trials ≥ 200 times (`npm run bench:store`); here a few.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCrashTrials } from '../helpers/crash-harness';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

it('keeps every acknowledged record through 8 kills at random moments', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mandate-desk-crash-'));
  dirs.push(dir);
  const result = await runCrashTrials({ runs: 8, dir });
  expect(result.runs).toBe(8);
  expect(result.acknowledged).toBeGreaterThan(0);
  expect(result.problems).toEqual([]);
  expect(result.missing).toEqual([]);
  expect(result.debris).toEqual([]);
}, 40_000);
