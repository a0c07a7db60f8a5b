import { beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./electron-standin'));

import * as electron from './electron-standin';
import type { MandateDeskApi } from '../../preload/contract';

let api: MandateDeskApi;

beforeAll(async () => {
  electron.reset();
  await import('../../preload/index');
  api = electron.contextBridge.exposed.get('api') as MandateDeskApi;
});

describe('preload', () => {
  it('exposes only window.api with invoke and on', () => {
    expect([...electron.contextBridge.exposed.keys()]).toEqual(['api']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
  });

  it('passes contract channels to ipcRenderer.invoke', async () => {
    const result = await api.invoke('customers.search', { query: 'Ito' });
    expect(result).toEqual({ ok: true, data: { echoed: 'customers.search' } });
    expect(electron.ipcRenderer.invoked.at(-1)).toEqual({ channel: 'customers.search', args: [{ query: 'Ito' }] });
  });

  it('refuses channels that are not in the contract without touching IPC', async () => {
    const before = electron.ipcRenderer.invoked.length;
    for (const channel of ['event', 'shell.openExternal', '__proto__', 'constructor', '']) {
      const result = await api.invoke(channel as never, {} as never);
      expect(result, channel).toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
    }
    expect(electron.ipcRenderer.invoked.length).toBe(before);
  });

  it('delivers events as the payload only (never the IpcRendererEvent) and unsubscribes', () => {
    const received: unknown[][] = [];
    const off = api.on('setup.updated', (...args: unknown[]) => received.push(args));
    const other: unknown[] = [];
    api.on('charge.updated', (payload) => other.push(payload));

    electron.ipcRenderer.deliver('event', 'setup.updated', { id: 'setup_1', status: 'succeeded' });
    electron.ipcRenderer.deliver('event', 'not.an.event', { id: 'x' });
    expect(received).toEqual([[{ id: 'setup_1', status: 'succeeded' }]]);
    expect(other).toEqual([]);

    off();
    electron.ipcRenderer.deliver('event', 'setup.updated', { id: 'setup_2' });
    expect(received).toHaveLength(1);
  });

  it('refuses to subscribe to events that are not in the contract', () => {
    expect(() => api.on('ipc-message' as never, () => {})).toThrow(/no event/);
  });
});
