/**
 * Builds `window.api` from the contract and exposes it with contextBridge — nothing else is exposed
 * (DESIGN §1, §7). Bundled into one CommonJS file (`out/preload/index.cjs`): a sandboxed preload can
 * require nothing but `electron`.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { EVENT_NAMES, isChannel, type EventName, type Events, type MandateDeskApi, type Result } from './contract';

/** The single IPC channel main pushes events on: `('event', name, payload)`. */
export const EVENT_CHANNEL = 'event';

type AnyListener = (payload: unknown) => void;
const listeners = new Map<EventName, Set<AnyListener>>();
const isEventName = (name: unknown): name is EventName => typeof name === 'string' && (EVENT_NAMES as string[]).includes(name);

// One IPC subscription for all events; listeners get the payload only, never the IpcRendererEvent.
ipcRenderer.on(EVENT_CHANNEL, (_event, name: unknown, payload: unknown) => {
  if (!isEventName(name)) return;
  for (const listener of listeners.get(name) ?? []) {
    try {
      listener(payload);
    } catch (error) {
      console.error(`listener for ${name} failed`, error);
    }
  }
});

export const api: MandateDeskApi = {
  invoke(channel, input) {
    if (!isChannel(channel)) {
      const refused: Result<never> = { ok: false, error: { code: 'unknown_channel', message: `There is no call named ${String(channel).slice(0, 80)}.` } };
      return Promise.resolve(refused);
    }
    return ipcRenderer.invoke(channel, input);
  },
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void) {
    if (!isEventName(event)) throw new Error(`There is no event named ${String(event).slice(0, 80)}.`);
    if (typeof listener !== 'function') throw new Error('The listener must be a function.');
    const set = listeners.get(event) ?? new Set<AnyListener>();
    listeners.set(event, set);
    const wrapped: AnyListener = (payload) => listener(payload as Events[E]);
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('api', api);
