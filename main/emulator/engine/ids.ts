/** Stripe-looking ids and random strings, drawn from a pooled CSPRNG buffer. */
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
