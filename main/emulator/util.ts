import { randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
let pool = randomBytes(8192);
let poolPos = 0;

/** Make sure `n` more bytes are left in the pool. */
function reserve(n: number): void {
  if (poolPos + n > pool.length) {
    pool = randomBytes(Math.max(8192, n));
    poolPos = 0;
  }
}

/** Random [A-Za-z0-9] string (uniform enough for ids; drawn from a pooled CSPRNG buffer). */
export function randomString(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    // 248 = 62*4: reject the biased tail. Rejections use up bytes, so check the pool for every byte.
    let b: number;
    do {
      reserve(1);
      b = pool[poolPos++];
    } while (b >= 248);
    s += ALNUM[b % 62];
  }
  return s;
}

/** Stripe-looking ids: `cus_` + 14 chars, `cs_test_a1` + 56 chars, everything else prefix + `1` + 23 chars. */
export function newId(prefix: string): string {
  switch (prefix) {
    case 'cus':
    case 'prod':
    case 'req':
    case 'si':
      return `${prefix}_${randomString(14)}`;
    case 'cs_test':
      return `cs_test_a1${randomString(56)}`;
    default:
      return `${prefix}_1${randomString(23)}`;
  }
}

/** Random lowercase hex, `bytes` bytes long (from the same pool: a `randomBytes` call per id is costly). */
export function hexString(bytes: number): string {
  reserve(bytes);
  poolPos += bytes;
  return pool.toString('hex', poolPos - bytes, poolPos);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep copy of JSON data, with JSON's rules (undefined properties dropped, undefined in arrays → null),
 * without the string round trip: every event snapshots its object with this.
 */
export function clone<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map((x: unknown) => (x === undefined ? null : clone(x))) as T;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = clone(x);
  }
  return out as T;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

const ZERO_DECIMAL = new Set([
  'bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf',
]);

export function formatAmount(amount: number, currency: string): string {
  const c = currency.toLowerCase();
  const major = ZERO_DECIMAL.has(c) ? amount : amount / 100;
  const digits = ZERO_DECIMAL.has(c) ? 0 : 2;
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: c.toUpperCase(), minimumFractionDigits: digits }).format(major);
  } catch {
    return `${major.toFixed(digits)} ${c}`;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
