/**
 * renderer/bridge-client.ts against a real bridge server (with a core stand-in): a stand-in
 * `window` whose fetch and EventSource reach the server the way a browser page on its origin would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../preload/contract';
import type { EventListener } from '../../main/core/index';
import type { Logger } from '../../main/core/ports';
import { createBridgeOpener, startBridgeServer, type BridgeServer } from '../../main/bridge-server';
import { installBridgeApi, TOKEN_HEADER, TOKEN_STORAGE_KEY, type BridgeWindow } from '../../renderer/bridge-client';
import { openEvents, type EventStream } from './http';

const quiet: Logger = { info() {}, warn() {}, error() {} };
let rendererDir: string;
let bridge: BridgeServer;
const dispatched: Array<[unknown, unknown]> = [];
const listeners = new Set<EventListener>();
const emit: EventListener = (event, payload) => {
  for (const listener of listeners) listener(event, payload);
};

beforeAll(async () => {
  rendererDir = await mkdtemp(join(tmpdir(), 'md-bridge-client-'));
  bridge = await startBridgeServer({
    core: {
      dispatch: async (channel, input) => {
        dispatched.push([channel, input]);
        return { ok: true, data: { channel } };
      },
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    opener: createBridgeOpener({ logger: quiet }),
    rendererDir,
    logger: quiet,
  });
});
afterAll(async () => {
  await bridge.stop();
  await rm(rendererDir, { recursive: true, force: true });
});

/** A browser page on the bridge's origin, as far as the client can tell. */
function pageAt(search: string) {
  const storage = new Map<string, string>();
  const opened: unknown[][] = [];
  const fetched: Array<{ url: string; init: RequestInit }> = [];
  const streams: EventStream[] = [];
  const page = {
    location: { href: `${bridge.origin}/${search}`, search },
    history: {
      state: null,
      replaceState(_state: unknown, _title: string, url: string) {
        page.location.href = new URL(url, page.location.href).href;
        page.location.search = new URL(page.location.href).search;
      },
    },
    sessionStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v) },
    fetch: (async (url: string, init: RequestInit) => {
      fetched.push({ url, init });
      return fetch(new URL(url, bridge.origin), init);
    }) as typeof fetch,
    EventSource: class {
      onmessage: ((message: MessageEvent<string>) => void) | null = null;
      constructor(url: string) {
        void openEvents(bridge.port, url, { origin: bridge.origin }).then((stream) => {
          streams.push(stream);
          const deliver = () => {
            while (stream.frames.length) this.onmessage?.({ data: JSON.stringify(stream.frames.shift()) } as MessageEvent<string>);
          };
          const timer = setInterval(deliver, 5);
          timer.unref();
          this.close = () => {
            clearInterval(timer);
            stream.close();
          };
        }, () => {}); // the page may outlive the server at the end of the run
      }
      close() {}
    },
    open: (...args: unknown[]) => {
      opened.push(args);
      return null;
    },
  } satisfies BridgeWindow & Record<string, unknown>;
  return { page, storage, opened, fetched, streams };
}

const waitUntil = async (condition: () => boolean, timeoutMs = 3000) => {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('bridge client', () => {
  it('takes the token out of the address, keeps it for reloads, and invokes over HTTP with it', async () => {
    const { page, storage, fetched } = pageAt(`?token=${bridge.token}&noautoopen=1`);
    const api = installBridgeApi(page);
    expect(page.location.href).toBe(`${bridge.origin}/?noautoopen=1`);
    expect(storage.get(TOKEN_STORAGE_KEY)).toBe(bridge.token);

    const result = await api.invoke('customers.search', { query: 'Ito' });
    expect(result).toEqual({ ok: true, data: { channel: 'customers.search' } });
    expect(dispatched.at(-1)).toEqual(['customers.search', { query: 'Ito' }]);
    expect(fetched.at(-1)!.url).toBe('/api/invoke/customers.search');
    expect((fetched.at(-1)!.init.headers as Record<string, string>)[TOKEN_HEADER]).toBe(bridge.token);

    // after a reload the address has no token: sessionStorage has it
    const reloaded = pageAt('?noautoopen=1');
    reloaded.storage.set(TOKEN_STORAGE_KEY, bridge.token);
    expect(await installBridgeApi(reloaded.page).invoke('app.info', {})).toMatchObject({ ok: true });
  });

  it('delivers server events to listeners and opens Checkout in a new tab unless noautoopen=1', async () => {
    const auto = pageAt(`?token=${bridge.token}`);
    const quietPage = pageAt(`?token=${bridge.token}&noautoopen=1`);
    const autoApi = installBridgeApi(auto.page);
    const quietApi = installBridgeApi(quietPage.page);
    const seen: unknown[] = [];
    const off = quietApi.on('external.opened', (payload) => seen.push(payload));
    autoApi.on('setup.updated', () => {});
    await waitUntil(() => auto.streams.length === 1 && quietPage.streams.length === 1);

    emit('external.opened', { url: 'http://127.0.0.1:4000/checkout/cs_1' });
    await waitUntil(() => seen.length === 1 && auto.opened.length === 1);
    expect(seen).toEqual([{ url: 'http://127.0.0.1:4000/checkout/cs_1' }]);
    expect(auto.opened).toEqual([['http://127.0.0.1:4000/checkout/cs_1', '_blank', 'noopener']]);
    expect(quietPage.opened).toEqual([]);

    off();
    emit('external.opened', { url: 'http://127.0.0.1:4000/checkout/cs_2' });
    await waitUntil(() => auto.opened.length === 2);
    expect(seen).toHaveLength(1);
    for (const stream of [...auto.streams, ...quietPage.streams]) stream.close();
  });

  it('without a token, installs an api that explains how to get in (and calls nothing)', async () => {
    const { page, fetched } = pageAt('');
    const result = (await installBridgeApi(page).invoke('app.info', {})) as Result<unknown>;
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    expect(fetched).toEqual([]);
  });

  it('turns a stopped bridge into an error result instead of throwing', async () => {
    const { page } = pageAt('?token=x');
    page.fetch = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    const result = (await installBridgeApi(page).invoke('app.info', {})) as Result<unknown>;
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('leaves an existing window.api alone (Electron)', () => {
    const { page } = pageAt(`?token=${bridge.token}`);
    const existing = { invoke: async () => ({ ok: true as const, data: null }), on: () => () => {} };
    Object.assign(page, { api: existing });
    expect(installBridgeApi(page)).toBe(existing);
    expect(page.location.href).toContain('token=');
  });
});
