/**
 * `window.api` for the browser bridge (DESIGN §2): the same MandateDeskApi as the Electron preload,
 * over HTTP (`POST /api/invoke/:channel`) and server-sent events (`GET /api/events`).
 *
 * The per-run token arrives once in the page address (`/?token=…`); it is kept in sessionStorage
 * and removed from the address bar. When main opens a Checkout page (`external.opened`), the page
 * opens it in a new tab — unless the address has `noautoopen=1` (the Playwright fixture opens it
 * in its own "customer" browser instead). Browsers may block a tab opened without a click, so the
 * renderer should also show the URL as a link.
 */
import type { Channel, EventName, Events, MandateDeskApi, Result } from '../preload/contract';

export const TOKEN_HEADER = 'x-mandate-desk-token';
export const TOKEN_STORAGE_KEY = 'mandate-desk.bridge-token';

type EventSourceLike = Pick<EventSource, 'onmessage'>;

/** What the client needs of `window` (a structural subset, so tests can pass a stand-in). */
export interface BridgeWindow {
  location: Pick<Location, 'href' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  sessionStorage: Pick<Storage, 'getItem' | 'setItem'>;
  fetch: typeof fetch;
  EventSource: new (url: string) => EventSourceLike;
  open(url: string, target: string, features: string): unknown;
  api?: MandateDeskApi;
}

/** Takes the token out of the address (stored in sessionStorage), or reads it back after a reload. */
function takeToken(win: BridgeWindow): string | null {
  const url = new URL(win.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    win.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    url.searchParams.delete('token');
    win.history.replaceState(win.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  return win.sessionStorage.getItem(TOKEN_STORAGE_KEY);
}

const unreachable = (detail: string): Result<never> => ({
  ok: false,
  error: { code: 'internal', message: `The app could not be reached (${detail}). Is \`npm run start:browser\` still running?` },
});

function createBridgeApi(win: BridgeWindow, token: string): MandateDeskApi {
  const autoOpen = new URL(win.location.href).searchParams.get('noautoopen') !== '1';
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();

  const deliver = (event: EventName, payload: unknown) => {
    for (const listener of listeners.get(event) ?? []) {
      try {
        listener(payload);
      } catch (error) {
        console.error(`listener for ${event} failed`, error);
      }
    }
  };

  // Connected at once, so `external.opened` auto-opens even before any component subscribes.
  const source = new win.EventSource(`/api/events?token=${encodeURIComponent(token)}`);
  source.onmessage = (message: MessageEvent<string>) => {
    let data: { event: EventName; payload: unknown };
    try {
      data = JSON.parse(message.data) as typeof data;
    } catch {
      return;
    }
    if (data.event === 'external.opened' && autoOpen) {
      const { url } = data.payload as Events['external.opened'];
      win.open(url, '_blank', 'noopener');
    }
    deliver(data.event, data.payload);
  };

  return {
    async invoke<C extends Channel>(channel: C, input: unknown) {
      let response: Response;
      try {
        response = await win.fetch(`/api/invoke/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: token },
          body: JSON.stringify(input ?? {}),
          credentials: 'omit',
          cache: 'no-store',
        });
      } catch (error) {
        return unreachable(error instanceof Error ? error.message : String(error));
      }
      try {
        return (await response.json()) as Result<never>;
      } catch {
        return unreachable(`HTTP ${response.status}`);
      }
    },
    on<E extends EventName>(event: E, listener: (payload: Events[E]) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const wrapped = (payload: unknown) => listener(payload as Events[E]);
      set.add(wrapped);
      return () => {
        set.delete(wrapped);
      };
    },
  };
}

/** The api of a page opened without its token: every call explains how to get in. */
function tokenMissingApi(): MandateDeskApi {
  const refused: Result<never> = {
    ok: false,
    error: { code: 'forbidden_sender', message: 'Open the address printed by `npm run start:browser`: it carries the access token.' },
  };
  return { invoke: async () => refused, on: () => () => {} };
}

/** Installs `window.api` backed by the bridge. Call it when `window.api` is absent (not in Electron). */
export function installBridgeApi(win: BridgeWindow = window as unknown as BridgeWindow): MandateDeskApi {
  if (win.api) return win.api;
  const token = takeToken(win);
  const api = token ? createBridgeApi(win, token) : tokenMissingApi();
  win.api = api;
  return api;
}
