import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./electron-standin'));

import * as electron from './electron-standin';
import { CHANNELS, type Result } from '../../preload/contract';
import { EVENT_CHANNEL, forwardEvents, registerIpcHandlers } from '../../main/ipc';
import { EVENT_CHANNEL as PRELOAD_EVENT_CHANNEL } from '../../preload/index';
import type { EventListener } from '../../main/core/index';
import type { Logger } from '../../main/core/ports';

const quiet: Logger = { info() {}, warn() {}, error() {} };

function wire() {
  const window = new electron.FakeWebContents('app://mandate-desk/index.html');
  const calls: Array<[unknown, unknown]> = [];
  const dispatch = vi.fn(async (channel: unknown, input: unknown): Promise<Result<unknown>> => {
    calls.push([channel, input]);
    return { ok: true, data: { channel } };
  });
  const unregister = registerIpcHandlers({ ipcMain: electron.ipcMain as never, dispatch, trustedContents: () => window as never, logger: quiet });
  const invoke = (channel: string, event: { sender: unknown; senderFrame: unknown }, input: unknown) => electron.ipcMain.handlers.get(channel)!(event, input);
  return { window, dispatch, calls, unregister, invoke };
}

beforeEach(() => electron.reset());

describe('IPC wiring', () => {
  it('registers exactly the contract channels, and removes them again', () => {
    const { unregister } = wire();
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual([...CHANNELS].sort());
    unregister();
    expect(electron.ipcMain.handlers.size).toBe(0);
  });

  it('dispatches a call from the main frame of our window on app://', async () => {
    const { window, calls, invoke } = wire();
    const result = await invoke('customers.search', { sender: window, senderFrame: window.mainFrame }, { query: 'Ito' });
    expect(result).toEqual({ ok: true, data: { channel: 'customers.search' } });
    expect(calls).toEqual([['customers.search', { query: 'Ito' }]]);
  });

  it('refuses other web contents, subframes, other origins, and vanished frames with forbidden_sender', async () => {
    const { window, dispatch, invoke } = wire();
    const otherContents = new electron.FakeWebContents('app://mandate-desk/index.html');
    const subframe = new electron.FakeFrame('app://mandate-desk/index.html', window.mainFrame);
    const otherFrameSameUrl = new electron.FakeFrame('app://mandate-desk/index.html');
    const senders = [
      { sender: otherContents, senderFrame: otherContents.mainFrame },
      { sender: window, senderFrame: subframe },
      { sender: window, senderFrame: otherFrameSameUrl },
      { sender: window, senderFrame: null },
    ];
    for (const event of senders) {
      const result = (await invoke('app.info', event, {})) as Result<unknown>;
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('forbidden_sender');
    }
    for (const url of ['https://evil.example/', 'file:///tmp/index.html', 'app://mandate-desk.evil/index.html', 'about:blank', 'http://127.0.0.1:5173/']) {
      window.mainFrame.url = url;
      const result = (await invoke('app.info', { sender: window, senderFrame: window.mainFrame }, {})) as Result<unknown>;
      expect(result, url).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    }
    window.mainFrame.url = 'app://mandate-desk/index.html';
    window.destroyed = true;
    expect(await invoke('app.info', { sender: window, senderFrame: window.mainFrame }, {})).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    expect(dispatch).not.toHaveBeenCalled();
  });
});

describe('event forwarding', () => {
  it('sends core events to the window as (event, name, payload) until unsubscribed', () => {
    const window = new electron.FakeWebContents();
    const listeners = new Set<EventListener>();
    const subscribe = (listener: EventListener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    };
    const unsubscribe = forwardEvents(subscribe, () => window as never);
    for (const listener of listeners) listener('external.opened', { url: 'https://checkout.stripe.com/c/pay/cs_1' });
    expect(window.sent).toEqual([[EVENT_CHANNEL, 'external.opened', { url: 'https://checkout.stripe.com/c/pay/cs_1' }]]);
    window.destroyed = true;
    for (const listener of listeners) listener('auth.changed', { staff: null, needsFirstManager: false, idleLockMinutes: 10 });
    expect(window.sent).toHaveLength(1);
    unsubscribe();
    expect(listeners.size).toBe(0);
  });

  it('uses the channel the preload listens on', () => {
    expect(EVENT_CHANNEL).toBe(PRELOAD_EVENT_CHANNEL);
  });
});
