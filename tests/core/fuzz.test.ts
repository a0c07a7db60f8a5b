/**
 * Issue 8, "Prove it": forged payloads on every contract channel, as a manager, as staff and
 * signed out, through the same `dispatch` the transports use. Payloads come from a seeded
 * generator (the same run every time; change SEED to explore): wrong types, missing and extra
 * fields, huge strings, deep nesting, `__proto__`/`constructor` keys, BigInt, NaN/Infinity.
 * Every answer must be a clear `{ ok: false, error }` with a known code (or a real answer for input
 * that is valid and changes nothing), no data file may change (audit files aside), the audit chain
 * must stay intact, and a charge made afterwards must still be audited.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { calls, CHANNELS, ERROR_CODES, type Channel, type Result } from '../../preload/contract';
import { startTestCore, type TestCore } from '../helpers/core';
import { createCustomerWithSavedMethod } from '../helpers/saved-method';

const SEED = 0x8badf00d;
/** Per channel and per role: 3 roles × 100 = 300 payloads a channel. */
const PAYLOADS_PER_ROLE = 100;
/** Payloads sent at once (a forged caller does not wait for answers). */
const BURST = 500;

const MANAGER = { name: 'Mina Manager', pin: '73915284' };
const STAFF = { name: 'Sam Staff', pin: '60428137' };

/** mulberry32: a small, fast, seeded generator. */
function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (max: number) => Math.floor(next() * max);
  return { next, int, pick: <T>(items: readonly T[]): T => items[int(items.length)], chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof seededRandom>;

// built once and shared: cheap to send many times
const FIVE_MB = 'A'.repeat(5 * 1024 * 1024);
const LONG = 'ß漢😀'.repeat(20_000);
function nestedArrays(depth: number): unknown {
  return JSON.parse(`${'['.repeat(depth)}0${']'.repeat(depth)}`);
}
function nestedObjects(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}
const DEEP = [nestedArrays(100), nestedArrays(2_300), nestedObjects(5_000), nestedObjects(20_000)];
const PROTO_OBJECT = JSON.parse('{"__proto__": {"polluted": true, "role": "manager"}, "constructor": {"prototype": {"polluted": true}}}') as object;

const STRINGS = ['', ' ', '\u0000', '\u202e', 'x', '12ab', '1234', '<script>alert(1)</script>', '../../etc/passwd', "'; DROP TABLE x; --", 'ＡＢＣ', '佐藤 太郎', 'cust_1', 'pm_1', 'chg_1', '2027-00-00', '2027-02-29', 'NaN', 'null', 'true', '__proto__'];
const NUMBERS = [0, -0, -1, 1, 1.5, 99_999_999, 100_000_000, 2 ** 53 + 1, 1e308, -1e308, Number.NaN, Infinity, -Infinity, Number.MIN_VALUE];

function randomString(rng: Rng): string {
  if (rng.chance(0.005)) return FIVE_MB;
  if (rng.chance(0.05)) return LONG;
  if (rng.chance(0.5)) return rng.pick(STRINGS);
  const length = rng.int(40);
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCodePoint(rng.chance(0.8) ? 32 + rng.int(95) : rng.int(0x2ffff));
  return text;
}

/** Any value a structured clone or JSON can carry, at most `depth` levels of our own nesting. */
function randomValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 9 : 12)) {
    case 0:
    case 1:
      return randomString(rng);
    case 2:
      return rng.pick(NUMBERS);
    case 3:
      return rng.pick([0n, -1n, 10n, 2n ** 100n]);
    case 4:
      return rng.pick([true, false, null, undefined]);
    case 5:
      return rng.pick(DEEP);
    case 6:
      return PROTO_OBJECT;
    case 7:
      return rng.pick([new Date(0), new Date(Number.NaN), new Map([[1n, 'x']]), new Set([Number.NaN]), new Uint8Array([1, 2, 3])]);
    case 8:
      return [];
    case 9:
      return Array.from({ length: rng.int(6) }, () => randomValue(rng, depth + 1));
    default:
      return randomObject(rng, ['a', 'b', 'customerId', 'pin', 'constructor', 'toString'], depth + 1);
  }
}

function randomObject(rng: Rng, keys: readonly string[], depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (rng.chance(0.6)) Object.defineProperty(out, key, { value: randomValue(rng, depth), enumerable: true, writable: true, configurable: true });
  return out;
}

/** A value of roughly the right kind for a field, so that a payload gets past most checks. */
function plausible(key: string, rng: Rng): unknown {
  if (key === 'requestKey') return randomUUID();
  if (key === 'pin') return '12345678';
  if (key === 'amount' || key === 'days' || key === 'limit' || key === 'idleLockMinutes' || key === 'intervalCount') return 1 + rng.int(10);
  if (key === 'currency') return 'eur';
  if (key === 'language' || key === 'defaultLanguage') return 'en';
  if (key === 'email') return 'a@example.com';
  if (key === 'role') return 'staff';
  if (key === 'accepted' || key === 'staffConfirmed' || key === 'active' || key === 'atPeriodEnd') return true;
  if (key === 'filter') return {};
  return `plausible_${key}`;
}

function shapeKeys(channel: Channel): string[] {
  const schema = calls[channel].input as z.ZodType;
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

const EXTRA_KEYS = ['__proto__', 'constructor', 'prototype', 'isAdmin', 'role', 'actor', 'toString', 'hasOwnProperty', 'x'.repeat(5_000)];

function forgedPayload(channel: Channel, rng: Rng): unknown {
  const keys = shapeKeys(channel);
  switch (rng.int(6)) {
    case 0: // not an object at all
      return randomValue(rng, 3);
    case 1: // the right keys, random values
      return randomObject(rng, keys, 0);
    case 2: // plausible values with one field broken
    case 3: {
      const out: Record<string, unknown> = Object.fromEntries(keys.map((key) => [key, plausible(key, rng)]));
      if (keys.length > 0) out[rng.pick(keys)] = randomValue(rng);
      return out;
    }
    case 4: {
      // plausible values plus extra keys
      const out: Record<string, unknown> = Object.fromEntries(keys.map((key) => [key, plausible(key, rng)]));
      for (let i = 0; i <= rng.int(3); i++) Object.defineProperty(out, rng.pick(EXTRA_KEYS), { value: randomValue(rng), enumerable: true, writable: true, configurable: true });
      return out;
    }
    default: {
      // missing fields
      const out: Record<string, unknown> = Object.fromEntries(keys.filter(() => rng.chance(0.5)).map((key) => [key, plausible(key, rng)]));
      return out;
    }
  }
}

const FORGED_CHANNELS: unknown[] = ['', 'staff.delete', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'APP.INFO', 'app.info ', 'z'.repeat(100_000), 42, null, undefined, 1n, {}, ['app.info']];

/** SHA-256 of every file under the data folder outside the audit log (a name or folder containing "audit"). */
async function dataSnapshot(dir: string): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  const walk = async (folder: string) => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (!relative(dir, path).includes('audit')) snapshot[relative(dir, path)] = createHash('sha256').update(await readFile(path)).digest('hex');
    }
  };
  await walk(dir);
  return snapshot;
}

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

interface Forged {
  channel: unknown;
  input: unknown;
  /** The contract's own verdict on the input (checked once, when the payload is made). */
  valid: boolean;
}

/** What is wrong with the answer to a forged payload, or null when it is what the payload deserves. */
function problemWith({ channel, valid }: Forged, result: Result<unknown>): string | null {
  let text: string;
  try {
    text = JSON.stringify(result);
  } catch {
    return 'the answer cannot be sent (not JSON)';
  }
  if (!result.ok) {
    if (!KNOWN_CODES.has(result.error.code)) return `unknown error code ${result.error.code}`;
    if (typeof result.error.message !== 'string' || result.error.message === '') return 'an error without a message';
    if (text.length > 20_000) return `an error answer of ${text.length} characters`;
  }
  const known = typeof channel === 'string' && (CHANNELS as string[]).includes(channel);
  if (!known) return !result.ok && result.error.code === 'unknown_channel' ? null : `expected unknown_channel, got ${text.slice(0, 200)}`;
  if (!valid) return !result.ok && result.error.code === 'invalid_input' ? null : `expected invalid_input, got ${text.slice(0, 200)}`;
  // valid input (only sent for calls that change nothing): a real answer, or a clear refusal
  if (!result.ok && result.error.code === 'internal') return `internal error: ${result.error.message}`;
  return null;
}

/** A short printable form of a payload, for failure messages. */
function show(input: unknown): string {
  try {
    return typeof input === 'bigint' ? `${input}n` : (JSON.stringify(input) ?? String(input)).slice(0, 80);
  } catch {
    return `[${typeof input}]`;
  }
}

async function signInAs(t: TestCore, who: 'manager' | 'staff' | 'signed out') {
  await t.call('auth.signOut', {});
  if (who === 'manager') await t.call('auth.signIn', MANAGER);
  if (who === 'staff') await t.call('auth.signIn', STAFF);
}

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore();
  await t.call('auth.setupFirstManager', { ...MANAGER, shopName: 'Test Shop', shopContact: 'Main Street 1, shop@example.com' });
  await t.call('staff.create', { ...STAFF, role: 'staff' });
});
afterAll(async () => {
  await t.close();
});

describe('fuzzed calls through dispatch', () => {
  it('answers every forged payload with a clear error, changes no data file, keeps the chain, and still audits a charge', async () => {
    const rng = seededRandom(SEED);
    let sent = 0;
    let validReads = 0;
    for (const role of ['manager', 'staff', 'signed out'] as const) {
      await signInAs(t, role);
      const before = await dataSnapshot(t.dataDir);
      const work: Forged[] = [];
      for (const channel of CHANNELS) {
        const spec = calls[channel];
        for (let i = 0; i < PAYLOADS_PER_ROLE; i++) {
          let input = forgedPayload(channel, rng);
          let valid = spec.input.safeParse(input ?? {}).success;
          // valid input for a call that changes something would rightly change data: forge again
          while (spec.mutates && valid) {
            input = forgedPayload(channel, rng);
            valid = spec.input.safeParse(input ?? {}).success;
          }
          if (valid) validReads++;
          work.push({ channel, input, valid });
        }
      }
      for (let i = 0; i < 60; i++) work.push({ channel: rng.pick(FORGED_CHANNELS), input: randomValue(rng), valid: false });
      const problems: string[] = [];
      for (let start = 0; start < work.length; start += BURST) {
        const burst = work.slice(start, start + BURST);
        const results = await Promise.all(burst.map(({ channel, input }) => t.raw(channel as string, input)));
        burst.forEach((forged, i) => {
          const problem = problemWith(forged, results[i]);
          if (problem && problems.length < 20) problems.push(`${show(forged.channel).slice(0, 40)} ${show(forged.input)}: ${problem}`);
        });
        sent += burst.length;
      }
      expect(problems, `answers as ${role}`).toEqual([]);
      expect(await dataSnapshot(t.dataDir), `data files changed while fuzzing as ${role}`).toEqual(before);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
    expect(sent).toBeGreaterThan(CHANNELS.length * PAYLOADS_PER_ROLE * 3);
    expect(validReads).toBeGreaterThan(0);

    const info = await t.call('app.info', {});
    expect(info.auditChain).toMatchObject({ ok: true, brokenAtSeq: null });

    // the app still works and still audits its changes
    await signInAs(t, 'manager');
    const saved = await createCustomerWithSavedMethod(t);
    const charge = await t.call('charges.create', {
      customerId: saved.customer.id,
      consentId: saved.consent.id,
      paymentMethodId: saved.paymentMethodId,
      amount: 1250,
      currency: 'eur',
      description: 'After the fuzz',
      requestKey: randomUUID(),
    });
    expect(charge.status).toBe('succeeded');
    const { entries, chain } = await t.call('audit.list', { filter: { action: 'charges.create' }, limit: 10 });
    expect(entries[0]).toMatchObject({ outcome: 'ok', details: { paymentOutcome: 'succeeded', amount: 1250, result: { id: charge.id } } });
    expect(chain.ok).toBe(true);
  }, 120_000);
});

