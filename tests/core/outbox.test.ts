/**
 * E-mail through the outbox against a real SMTP server started by the test: what arrives (subject,
 * language, the consent PDF's bytes), a server that is down then up, one that refuses (4xx, 5xx),
 * one that is slow, and a restart with messages still pending. Waits on the outbox's own events.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Language } from '../../preload/contract';
import { openOutbox, StoredMessage } from '../../main/core/outbox';
import { callError, signInManager, startTestCore, type TestCore } from '../helpers/core';
import { createCustomerWithSavedMethod, mandateParams } from '../helpers/saved-method';
import { configureMail, inState, nextUpdate } from '../helpers/outbox';
import { createTestSmtp, type TestSmtp } from '../helpers/smtp';

const FAST = { retryBaseMs: 100, retryMaxMs: 400, maxAttempts: 4, connectionTimeoutMs: 2_000, greetingTimeoutMs: 2_000, socketTimeoutMs: 5_000 };

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function setup(options: { smtp?: TestSmtp; mail?: Partial<typeof FAST> } = {}) {
  const smtp = options.smtp ?? (await createTestSmtp());
  const t = await startTestCore({ deps: { mail: { ...FAST, ...options.mail } } });
  cleanups.push(() => smtp.stop(), () => t.close());
  await signInManager(t);
  await configureMail(t, smtp);
  return { t, smtp };
}

async function recordConsent(t: TestCore, language: Language, email = `kim.${Math.random().toString(16).slice(2, 8)}@example.com`) {
  const name = language === 'ja' ? '佐藤 花子' : 'Kim Customer';
  const { customer } = await t.call('customers.create', { name, email, language });
  const params = mandateParams(language === 'ja' ? { currency: 'jpy', maxAmount: 30_000 } : {});
  const terms = await t.call('terms.render', { customerId: customer.id, language, params });
  const consent = await t.call('consents.record', { customerId: customer.id, language, params, shownSha256: terms.sha256, typedName: name, accepted: true, staffConfirmed: true, timeZone: 'Asia/Tokyo' });
  return { customer, consent };
}

async function storedMessage(t: TestCore, id: string) {
  const root = join(t.dataDir, 'outbox', 'messages');
  for (const shard of await readdir(root)) {
    const names = await readdir(join(root, shard));
    if (names.includes(`${id}.json`)) return StoredMessage.parse(JSON.parse(await readFile(join(root, shard, `${id}.json`), 'utf8')));
  }
  throw new Error(`no stored message ${id}`);
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('SMTP settings', () => {
  it('keep the password in the secret slot only: never returned, never in the audit or the settings file', async () => {
    const smtp = await createTestSmtp();
    let kept: string | null = null;
    const t = await startTestCore({ deps: { smtpPassword: { get: async () => kept, set: async (v) => void (kept = v) } } });
    cleanups.push(() => smtp.stop(), () => t.close());
    await signInManager(t);
    const saved = await t.call('mail.settings.update', { host: 'smtp.example.com', port: 587, tls: 'starttls', user: 'shop', password: 'hunter2-secret', fromAddress: 'shop@example.com', fromName: '' });
    expect(saved).toMatchObject({ host: 'smtp.example.com', passwordSet: true, configured: true });
    expect(JSON.stringify(saved)).not.toContain('hunter2');
    expect(kept).toBe('hunter2-secret');
    expect(await readFile(join(t.dataDir, 'outbox', 'smtp.json'), 'utf8')).not.toContain('hunter2');
    const audit = await t.call('audit.list', { filter: { action: 'mail.settings.update' } });
    expect(JSON.stringify(audit.entries)).not.toContain('hunter2');
    expect(JSON.stringify(audit.entries)).toContain('[redacted]');
    // left out: kept; null: removed
    expect((await t.call('mail.settings.update', { host: 'smtp.example.com', port: 587, tls: 'starttls', user: 'shop', fromAddress: 'shop@example.com', fromName: '' })).passwordSet).toBe(true);
    expect((await t.call('mail.settings.update', { host: 'smtp.example.com', port: 587, tls: 'starttls', user: 'shop', password: null, fromAddress: 'shop@example.com', fromName: '' })).passwordSet).toBe(false);
    expect(kept).toBeNull();
    // staff may not read or change them
    await t.call('staff.create', { name: 'Sam Staff', pin: '1357', role: 'staff' });
    await t.call('auth.signOut', {});
    await t.call('auth.signIn', { name: 'Sam Staff', pin: '1357' });
    expect((await callError(t.call('mail.settings.get', {}))).code).toBe('forbidden_role');
    expect(await t.call('mail.status', {})).toEqual({ configured: true });
  });

  it('the test e-mail says what the server answered: sent, or its reason', async () => {
    const { t, smtp } = await setup();
    const sent = await t.call('mail.test', { to: 'owner@example.com' });
    expect(sent).toMatchObject({ sent: true });
    const [mail] = await smtp.waitForMessages(1);
    expect(mail.subject).toBe('Test e-mail from Mandate Desk (Test Shop)');
    smtp.behaviour.reject = { code: 550, message: 'Mailbox unavailable' };
    const refused = await t.call('mail.test', { to: 'owner@example.com' });
    expect(refused).toMatchObject({ sent: false, code: 'smtp_5xx', responseCode: 550 });
    if (!refused.sent) expect(refused.response).toContain('Mailbox unavailable');
    await smtp.stop();
    expect(await t.call('mail.test', { to: 'owner@example.com' })).toMatchObject({ sent: false, code: 'connection' });
  });
});

describe('what is sent', () => {
  it('a copy of the accepted terms, in Japanese, with the consent PDF attached byte for byte', async () => {
    const { t, smtp } = await setup();
    const sent = nextUpdate(t, inState('consent_copy', 'sent'));
    const { consent, customer } = await recordConsent(t, 'ja');
    const message = await sent;
    expect(message).toMatchObject({ customerId: customer.id, to: customer.email, language: 'ja', attempts: 1 });
    const [mail] = await smtp.waitForMessages(1);
    expect(mail.subject).toBe('【Test Shop】ご同意いただいた規約の控え');
    expect(mail.headers.get('content-language')).toBe('ja');
    expect(mail.text).toContain('佐藤 花子 様');
    expect(mail.text).toContain(consent.text);
    expect(mail.messageId).toBe(message.smtpMessageId);
    expect(mail.attachments).toHaveLength(1);
    const pdf = mail.attachments[0];
    expect(pdf.contentType).toBe('application/pdf');
    const stored = await storedMessage(t, message.id);
    expect(sha256(pdf.content)).toBe(stored.attachments[0].sha256);
    expect(pdf.content.subarray(0, 5).toString()).toBe('%PDF-');
    // it is this consent's PDF: its text carries the recorded hash
    const file = join(tmpdir(), `received-${message.id}.pdf`);
    await writeFile(file, pdf.content);
    expect(execFileSync('pdftotext', [file, '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })).toContain(consent.textSha256.slice(0, 32));
    // the customer's page and the outbox show it, and the audit recorded queued and sent
    expect((await t.call('outbox.forCustomer', { customerId: customer.id })).map((m) => m.state)).toEqual(['sent']);
    expect((await t.call('outbox.list', {})).messages[0]).toMatchObject({ id: message.id, state: 'sent' });
    const actions = (await t.call('audit.list', { filter: { customerId: customer.id } })).entries.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['outbox.queued', 'outbox.sent']));
  }, 60_000);

  it('nothing is queued while no SMTP server is configured', async () => {
    const t = await startTestCore();
    cleanups.push(() => t.close());
    await signInManager(t);
    const { customer } = await recordConsent(t, 'en');
    expect(await t.call('outbox.forCustomer', { customerId: customer.id })).toEqual([]);
    expect((await t.call('mail.status', {})).configured).toBe(false);
  });

  it('the setup link on request, and receipts after a charge and a refund, in English', async () => {
    const { t, smtp } = await setup();
    const copies = nextUpdate(t, inState('consent_copy', 'sent'));
    const { customer, consent, paymentMethodId } = await createCustomerWithSavedMethod(t, { name: 'Ada Customer' });
    await copies;
    // the setup link of a new setup
    const second = await t.call('setups.start', { consentId: consent.id });
    const linkSent = nextUpdate(t, inState('setup_link', 'sent'));
    const queued = await t.call('mail.sendSetupLink', { setupId: second.id });
    expect(queued).toMatchObject({ kind: 'setup_link', state: 'queued', to: customer.email });
    // asking again for the same link does not send it twice
    expect((await t.call('mail.sendSetupLink', { setupId: second.id })).id).toBe(queued.id);
    await linkSent;
    const receiptSent = nextUpdate(t, inState('receipt', 'sent'));
    const charge = await t.call('charges.create', { customerId: customer.id, consentId: consent.id, paymentMethodId, amount: 4_250, currency: 'eur', description: 'Dry cleaning', requestKey: crypto.randomUUID() });
    expect(charge.status).toBe('succeeded');
    await receiptSent;
    const refundSent = nextUpdate(t, inState('refund_receipt', 'sent'));
    await t.call('refunds.create', { chargeId: charge.id, amount: 1_000, reason: 'requested_by_customer', requestKey: crypto.randomUUID() });
    // refunds finish asynchronously at Stripe: ask until it has (the poller would, later)
    for (let i = 0; i < 50 && (await t.call('charges.resolve', { chargeId: charge.id })).refunds[0].status !== 'succeeded'; i++) await new Promise((r) => setTimeout(r, 100));
    await refundSent;
    const mails = await smtp.waitForMessages(4);
    const link = mails.find((m) => m.subject === 'Save your Amazon Pay account with Test Shop')!;
    expect(link.text).toContain(second.url!);
    const receipt = mails.find((m) => m.subject?.startsWith('Receipt '))!;
    expect(receipt.subject).toMatch(/^Receipt .+-\d{6} from Test Shop$/);
    expect(receipt.text).toContain('€42.50');
    expect(receipt.text).toContain('Dry cleaning');
    const refund = mails.find((m) => m.subject === 'Refund of €10.00 from Test Shop')!;
    expect(refund.text).toContain('€32.50');
    expect(mails.every((m) => m.headers.get('content-language') === 'en')).toBe(true);
    expect((await t.call('outbox.forCustomer', { customerId: customer.id })).map((m) => m.kind)).toEqual(['refund_receipt', 'receipt', 'setup_link', 'consent_copy']);
  }, 60_000);
});

describe('a message is never lost', () => {
  it('a server that is down is tried again with backoff until it comes up', async () => {
    const smtp = await createTestSmtp({ start: false });
    const { t } = await setup({ smtp });
    const retrying = nextUpdate(t, inState('consent_copy', 'retrying'));
    const sent = nextUpdate(t, inState('consent_copy', 'sent'));
    await recordConsent(t, 'en');
    const first = await retrying;
    expect(first.error?.code).toBe('connection');
    expect(first.attempts).toBe(1);
    expect(Date.parse(first.nextAttemptAt!)).toBeGreaterThan(Date.parse(first.updatedAt));
    await smtp.start();
    const done = await sent;
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    expect(await smtp.waitForMessages(1)).toHaveLength(1);
    expect(smtp.received).toHaveLength(1);
  });

  it('a temporary refusal (4xx) is retried; a permanent one (5xx) fails with the reason and can be retried by a manager', async () => {
    const { t, smtp } = await setup();
    smtp.behaviour.reject = { code: 451, message: 'Try again later, greylisted' };
    const retrying = nextUpdate(t, inState('consent_copy', 'retrying'));
    const sent = nextUpdate(t, inState('consent_copy', 'sent'));
    await recordConsent(t, 'en');
    expect((await retrying).error).toMatchObject({ code: 'smtp_4xx', responseCode: 451 });
    smtp.behaviour.reject = null;
    expect((await sent).attempts).toBeGreaterThanOrEqual(2);
    expect(smtp.received).toHaveLength(1);

    smtp.behaviour.reject = { code: 550, message: 'No such user here' };
    const failed = nextUpdate(t, inState('consent_copy', 'failed'));
    const { customer } = await recordConsent(t, 'en', 'nobody@example.com');
    const reason = await failed;
    expect(reason).toMatchObject({ attempts: 1, error: { code: 'smtp_5xx', responseCode: 550 } });
    expect(reason.error!.message).toContain('No such user here');
    const entries = (await t.call('audit.list', { filter: { action: 'outbox.failed' } })).entries;
    expect(entries[0]).toMatchObject({ customerId: customer.id, outcome: 'error' });
    // a manager retries it once the address is fixed at the server
    smtp.behaviour.reject = null;
    const resent = nextUpdate(t, (m) => m.id === reason.id && m.state === 'sent');
    expect((await t.call('outbox.retry', { messageId: reason.id })).state).toBe('queued');
    await resent;
    expect((await callError(t.call('outbox.retry', { messageId: reason.id }))).code).toBe('conflict');
    expect(smtp.received).toHaveLength(2);
  });

  it('fails after the last attempt while the server keeps refusing for now', async () => {
    const { t, smtp } = await setup({ mail: { maxAttempts: 2 } });
    smtp.behaviour.reject = { code: 421, message: 'Service not available' };
    const failed = nextUpdate(t, inState('consent_copy', 'failed'));
    await recordConsent(t, 'en');
    expect(await failed).toMatchObject({ attempts: 2, error: { code: 'smtp_4xx', responseCode: 421 } });
    expect(smtp.attempts).toBe(2);
  });

  it('a slow server: a greeting later than the timeout is tried again; a slow answer within it is sent once', async () => {
    const smtp = await createTestSmtp({ behaviour: { greetingDelayMs: 1_500 } });
    const { t } = await setup({ smtp, mail: { greetingTimeoutMs: 300 } });
    const retrying = nextUpdate(t, inState('consent_copy', 'retrying'));
    const sent = nextUpdate(t, inState('consent_copy', 'sent'));
    await recordConsent(t, 'en');
    expect((await retrying).error?.code).toBe('timeout');
    smtp.behaviour = { dataDelayMs: 800 };
    expect((await sent).attempts).toBeGreaterThanOrEqual(2);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.attempts).toBe(1); // the message itself went over the wire once
  });

  it('a restart resumes the queue: pending messages are delivered once', async () => {
    const smtp = await createTestSmtp({ start: false });
    const { t } = await setup({ smtp, mail: { retryBaseMs: 60_000, retryMaxMs: 60_000 } });
    const retrying = nextUpdate(t, inState('consent_copy', 'retrying'));
    const { customer } = await recordConsent(t, 'ja');
    await retrying;
    expect((await readdir(join(t.dataDir, 'outbox', 'pending'))).filter((n) => n.endsWith('.json'))).toHaveLength(1);
    await smtp.start();
    // the next attempt is a minute away: a restart (a pending marker due now) sends it at once
    const pendingDir = join(t.dataDir, 'outbox', 'pending');
    const [name] = (await readdir(pendingDir)).filter((n) => n.endsWith('.json'));
    const marker = JSON.parse(await readFile(join(pendingDir, name), 'utf8')) as { nextAttemptAt: string };
    marker.nextAttemptAt = new Date().toISOString();
    await t.core.stop();
    await writeFile(join(pendingDir, name), JSON.stringify(marker));
    await t.restart({ mail: { ...FAST } });
    // the worker starts with core: wait for the server to have it, then for its state to be recorded
    await smtp.waitForMessages(1);
    await signInManager(t);
    await expect.poll(async () => (await t.call('outbox.forCustomer', { customerId: customer.id }))[0]?.state).toBe('sent');
    const [message] = await t.call('outbox.forCustomer', { customerId: customer.id });
    expect(message).toMatchObject({ state: 'sent', attempts: 2 });
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0].subject).toBe('【Test Shop】ご同意いただいた規約の控え');
    expect((await readdir(pendingDir)).filter((n) => n.endsWith('.json'))).toHaveLength(0);
    // and after another restart nothing is sent again
    await t.restart({ mail: { ...FAST } });
    expect(smtp.received).toHaveLength(1);
  }, 60_000);
});

describe('the outbox files', () => {
  it('queue one message per kind and subject even when asked twice at once, and page newest first across days', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    let now = Date.parse('2026-11-28T10:00:00Z');
    const sent: string[] = [];
    const outbox = await openOutbox({
      dir,
      now: () => new Date(now),
      newId: () => Math.random().toString(16).slice(2),
      canSend: () => true,
      send: async (m) => {
        sent.push(m.id);
        return { ok: true, messageId: m.headerMessageId, response: '250 OK' };
      },
    });
    cleanups.push(() => outbox.close());
    const message = (ref: string) => ({ kind: 'receipt' as const, ref, customerId: 'cust_1', to: 'a@example.com', language: 'en' as const, subject: `Receipt ${ref}`, text: 'Thanks' });
    const [a, b] = await Promise.all([outbox.enqueue(message('chg_1')), outbox.enqueue(message('chg_1'))]);
    expect(a.id).toBe(b.id);
    for (const [day, refs] of [['2026-11-29', ['chg_2', 'chg_3']], ['2026-11-30', ['chg_4']]] as const) {
      now = Date.parse(`${day}T09:00:00Z`);
      for (const ref of refs) {
        now += 1_000;
        await outbox.enqueue(message(ref));
      }
    }
    await expect.poll(() => outbox.pendingCount()).toBe(0);
    expect(sent.sort()).toEqual([...new Set(sent)].sort());
    expect(sent).toHaveLength(4);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const result = await outbox.list(2, cursor);
      seen.push(...result.messages.map((m) => m.subject));
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    expect(seen).toEqual(['Receipt chg_4', 'Receipt chg_3', 'Receipt chg_2', 'Receipt chg_1']);
    expect((await outbox.forCustomer('cust_1')).every((m) => m.state === 'sent')).toBe(true);
  });
});
