/**
 * Idempotency keys as Stripe keeps them: the first answer is replayed for 24 hours to the same
 * request, a different request with the key is a 400, and one still running is a 409.
 */
import type { Emulator } from '../engine/emulator.js';
import { ApiError, invalid } from '../engine/errors.js';
import type { TreeObj } from '../engine/params.js';
import type { IdemRecord } from '../engine/store.js';

const inFlightKeys = new WeakMap<Emulator, Set<string>>();

function inFlight(em: Emulator): Set<string> {
  let set = inFlightKeys.get(em);
  if (!set) {
    set = new Set();
    inFlightKeys.set(em, set);
  }
  return set;
}

function canonical(v: unknown): string {
  if (typeof v !== 'object' || v === null) return JSON.stringify(v);
  const keys = Object.keys(v as object).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonical((v as Record<string, unknown>)[k])).join(',') + '}';
}

/** A request holding a key: replay its earlier answer, or run it and `finish` (always `release`). */
export interface IdempotentRequest {
  replay?: IdemRecord;
  finish(answer: { status: number; body: string; requestId: string }): void;
  release(): void;
}

export function beginIdempotent(em: Emulator, key: string, method: string, path: string, tree: TreeObj): IdempotentRequest {
  if (key.length > 255) throw invalid('Idempotency-Key is too long. It must be 255 characters or less.', { param: 'Idempotency-Key' });
  const fingerprint = `${method} ${path} ${canonical(tree)}`;
  const running = inFlight(em);
  if (running.has(key)) {
    throw new ApiError(409, {
      type: 'idempotency_error',
      code: 'idempotency_key_in_use',
      message: 'There is currently another in-progress request using this Stripe-Idempotency-Key, please try again later.',
    });
  }
  const prior = em.store.idem.get(key);
  if (prior) {
    if (prior.fingerprint !== fingerprint) {
      throw new ApiError(400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      });
    }
    return { replay: prior, finish: () => undefined, release: () => undefined };
  }
  running.add(key);
  return {
    finish({ status, body, requestId }) {
      em.store.rememberIdempotent({ key, method, path, fingerprint, requestId, status, body, createdAt: Date.now() });
      em.touch();
    },
    release() {
      running.delete(key);
    },
  };
}
