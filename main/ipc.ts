/**
 * Electron IPC for the contract (DESIGN §2): one `ipcMain.handle` per contract channel, each first
 * checking the sender — our window's web contents, its main frame, on `app://mandate-desk` (as VS
 * Code's ipcMain wrapper does) — then handing the raw input to core's dispatcher, which parses,
 * checks the role and audits. Events go to the window as `('event', name, payload)`.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { CHANNELS, type Result } from '../preload/contract';
import type { Dispatch } from './core/dispatch';
import type { EventListener } from './core/index';
import type { Logger } from './core/ports';
import { isAppUrl } from './app-protocol';

export const EVENT_CHANNEL = 'event';

const FORBIDDEN_SENDER: Result<never> = {
  ok: false,
  error: { code: 'forbidden_sender', message: 'This call did not come from the Mandate Desk window.' },
};

/** The sender is `trusted` itself, the call comes from its main frame, and that frame shows our app. */
function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, trusted: WebContents | null): boolean {
  if (!trusted || trusted.isDestroyed() || event.sender !== trusted) return false;
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  const mainFrame = trusted.mainFrame;
  if (frame.processId !== mainFrame.processId || frame.routingId !== mainFrame.routingId) return false;
  return isAppUrl(frame.url);
}

export interface IpcWiring {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  dispatch: Dispatch;
  /** The main window's web contents (null while there is none). */
  trustedContents: () => WebContents | null;
  logger: Logger;
}

/** Registers every contract channel; returns a function that removes them. */
export function registerIpcHandlers({ ipcMain, dispatch, trustedContents, logger }: IpcWiring): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, async (event, input: unknown) => {
      if (!isTrustedSender(event, trustedContents())) {
        logger.warn('refused a call from an untrusted sender', { channel, url: event.senderFrame?.url.slice(0, 200) ?? null });
        return FORBIDDEN_SENDER;
      }
      return dispatch(channel, input);
    });
  }
  return () => {
    for (const channel of CHANNELS) ipcMain.removeHandler(channel);
  };
}

/** Forwards core's events to the window; returns the unsubscribe function. */
export function forwardEvents(subscribe: (listener: EventListener) => () => void, contents: () => WebContents | null): () => void {
  return subscribe((name, payload) => {
    const target = contents();
    if (target && !target.isDestroyed()) target.send(EVENT_CHANNEL, name, payload);
  });
}
