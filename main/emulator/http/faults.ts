/** Injected faults (test controls): latency, 500s, 429s (counted or per second), lost responses. */
import type { Emulator, FaultRule, FaultSpec } from '../engine/emulator.js';
import { ApiError } from '../engine/errors.js';
import { sleep } from '../engine/util.js';

export function compileFault(spec: FaultSpec): FaultRule {
  const src = spec.path
    .split('/')
    .map((seg) => (seg === '**' ? '.*' : seg === '*' || seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return { ...spec, regex: new RegExp(`^${src}$`), hits: [] };
}

function rateLimited(f: FaultRule): boolean {
  if (f.rateLimit && f.rateLimit > 0) {
    f.rateLimit--;
    return true;
  }
  if (f.rateLimitPerSecond === undefined) return false;
  const now = Date.now();
  while (f.hits.length && now - f.hits[0] >= 1000) f.hits.shift();
  if (f.hits.length >= f.rateLimitPerSecond) return true;
  f.hits.push(now);
  return false;
}

/**
 * Apply the faults matching a request: waits out injected latency, throws an injected error,
 * and returns whether the response is to be lost (executed, then the connection dropped).
 */
export async function applyFaults(em: Emulator, method: string, path: string): Promise<{ loseResponse: boolean }> {
  if (em.faults.length === 0) return { loseResponse: false };
  const faults = em.faults.filter((f) => (!f.method || f.method === '*' || f.method.toUpperCase() === method) && f.regex.test(path));
  let loseResponse = false;
  for (const f of faults) if (f.latencyMs) await sleep(f.latencyMs);
  for (const f of faults) {
    if (f.status500 && f.status500 > 0) {
      f.status500--;
      throw new ApiError(500, { type: 'api_error', message: 'An unknown error occurred (injected by the emulator fault `status500`).' }, { storeIdempotent: false });
    }
    if (rateLimited(f)) {
      throw new ApiError(
        429,
        { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.' },
        { headers: f.rateLimitShouldRetry ? { 'Stripe-Should-Retry': 'true' } : {}, storeIdempotent: false },
      );
    }
    if (f.loseResponse && f.loseResponse > 0) {
      f.loseResponse--;
      loseResponse = true;
    }
  }
  return { loseResponse };
}
