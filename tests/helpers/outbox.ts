/** The outbox as tests follow it: the shop's SMTP pointed at a test server, and waiting for an e-mail's state. */
import type { OutboxMessageView, OutboxState } from '../../preload/contract';
import type { TestCore } from './core';
import type { TestSmtp } from './smtp';

/** Points the shop's e-mail at the test server (no TLS, no login). */
export async function configureMail(t: TestCore, smtp: TestSmtp): Promise<void> {
  await t.call('mail.settings.update', { host: '127.0.0.1', port: smtp.port, tls: 'none', user: '', fromAddress: 'shop@example.com', fromName: 'Test Shop' });
}

/** Resolves with the first outbox update that matches (subscribed before the action that causes it). */
export function nextUpdate(t: TestCore, match: (m: OutboxMessageView) => boolean): Promise<OutboxMessageView> {
  return new Promise((resolve) => {
    const off = t.core.subscribe((event, payload) => {
      if (event === 'outbox.updated' && match(payload as OutboxMessageView)) {
        off();
        resolve(payload as OutboxMessageView);
      }
    });
  });
}

export const inState = (kind: OutboxMessageView['kind'], state: OutboxState) => (m: OutboxMessageView) => m.kind === kind && m.state === state;
