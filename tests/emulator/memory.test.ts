/** The emulator runs all day in training mode: what it keeps in memory must stay bounded. */
import { describe, expect, it } from 'vitest';
import { Store } from '../../main/emulator/engine/store';

describe('idempotency records', () => {
  it('forgets first responses older than 24 hours as new ones come in', () => {
    const store = new Store();
    const hour = 3600_000;
    const record = (key: string, createdAt: number) => ({ key, method: 'POST', path: '/v1/customers', fingerprint: 'f', requestId: 'req_1', status: 200, body: '{}', createdAt });
    store.rememberIdempotent(record('old-1', 0));
    store.rememberIdempotent(record('old-2', 1 * hour));
    store.rememberIdempotent(record('recent', 10 * hour));
    expect([...store.idem.keys()]).toEqual(['old-1', 'old-2', 'recent']);
    store.rememberIdempotent(record('new', 24.5 * hour));
    expect([...store.idem.keys()]).toEqual(['old-2', 'recent', 'new']);
  });
});
