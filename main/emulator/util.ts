import { randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
let pool = randomBytes(8192);
let poolPos = 0;

/** Random [A-Za-z0-9] string (uniform enough for ids; drawn from a pooled CSPRNG buffer). */
export function randomString(n: number): string {
  if (poolPos + n > pool.length) {
    pool = randomBytes(Math.max(8192, n));
    poolPos = 0;
  }
  let s = '';
  for (let i = 0; i < n; i++) {
    // 248 = 62*4: reject the biased tail
    let b = pool[poolPos++];
    while (b >= 248) {
      if (poolPos >= pool.length) {
        pool = randomBytes(8192);
        poolPos = 0;
      }
      b = pool[poolPos++];
    }
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

export function hexString(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

export const ZERO_DECIMAL = new Set([
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
