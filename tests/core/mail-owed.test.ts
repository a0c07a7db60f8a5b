/**
 * E-mail owed by a record is never lost and never sent twice: the mark is written in the same
 * commit as the consent, charge or refund it is about, and a start-up pass queues what is owed and
 * not yet in the outbox (crash tests: a child process killed at each step between). Also: only what
 * happens after e-mail was set up is e-mailed (a refund of an older charge sends the refund's receipt
 * only), and a charge made at another desk is e-mailed by that desk.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { MailKind } from '../../preload/contract';
import { openRecords } from '../../main/core/records';
import { startEmulator } from '../../main/emulator/index';
import { messageIdFor } from '../../main/core/outbox';
import type { FaultPoint } from '../../main/core/ports';
import { signInManager, startTestCore, type TestCore } from '../helpers/core';
import type { MailCrashJob } from '../helpers/mail-crash-child';
import { createCustomerWithSavedMethod } from '../helpers/saved-method';
import { configureMail, inState, nextUpdate } from '../helpers/outbox';
import { createTestSmtp, type TestSmtp } from '../helpers/smtp';

const CHILD = fileURLToPath(new URL('../helpers/mail-crash-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

const FAST = { retryBaseMs: 100, retryMaxMs: 400, maxAttempts: 4, connectionTimeoutMs: 2_000, greetingTimeoutMs: 2_000, socketTimeoutMs: 5_000 };

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function refundAndWait(t: TestCore, chargeId: string, amount: number) {
  await t.call('refunds.create', { chargeId, amount, reason: 'requested_by_customer', requestKey: randomUUID() });
  for (let i = 0; i < 50 && (await t.call('charges.resolve', { chargeId })).refunds.some((r) => r.status !== 'succeeded'); i++) await new Promise((r) => setTimeout(r, 100));
}

describe('a charge made before e-mail was set up', () => {
  it('its first refund sends the refund receipt only, not the old charge receipt', async () => {
    const smtp = await createTestSmtp();
    const t = await startTestCore({ deps: { mail: FAST } });
    cleanups.push(() => smtp.stop(), () => t.close());
    await signInManager(t);
    // an older charge: made while this desk sent no e-mail (as before receipts existed)
    const { customer, consent, paymentMethodId } = await createCustomerWithSavedMethod(t, { name: 'Ada Customer' });
    const charge = await t.call('charges.create', { customerId: customer.id, consentId: consent.id, paymentMethodId, amount: 4_250, currency: 'eur', description: 'Dry cleaning', requestKey: randomUUID() });
    expect(charge.status).toBe('succeeded');
    await configureMail(t, smtp);

    const refundSent = nextUpdate(t, inState('refund_receipt', 'sent'));
    await refundAndWait(t, charge.id, 1_000);
    await refundSent;
    // a second refund: its own receipt, still none for the charge
    const secondSent = nextUpdate(t, inState('refund_receipt', 'sent'));
    await refundAndWait(t, charge.id, 500);
    await secondSent;
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.received.map((m) => m.subject)).toEqual(['Refund of €10.00 from Test Shop', 'Refund of €5.00 from Test Shop']);
    expect((await t.call('outbox.forCustomer', { customerId: customer.id })).map((m) => m.kind)).toEqual(['refund_receipt', 'refund_receipt']);
  }, 60_000);
});

// ---------------------------------------------------------------- a crash between the record and the outbox

/** Runs the child on the test's folder (core stopped here first) until it kills itself at `crashAt`. */
async function crashChild(t: TestCore, crashAt: FaultPoint, action: MailCrashJob['action']): Promise<{ acknowledged: string; stdout: string }> {
  await t.core.stop();
  const jobFile = join(t.dataDir, '..', `mail-crash-${randomUUID()}.json`);
  const job: MailCrashJob = { dataDir: t.dataDir, emulator: { host: t.emulator.host, port: t.emulator.port, origin: t.emulator.origin }, crashAt, manager: { name: 'Mina Manager', pin: '2468' }, action };
  await writeFile(jobFile, JSON.stringify(job));
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, jobFile], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  expect(exit, `the child should crash at ${crashAt}; stderr: ${stderr}`).toEqual({ code: null, signal: 'SIGKILL' });
  expect(stdout).toContain(`crashing at ${crashAt}`);
  const acknowledged = /^acknowledged (\S+)$/m.exec(stdout)?.[1];
  expect(acknowledged).toBeTruthy();
  return { acknowledged: acknowledged!, stdout };
}

/** What the folder holds, read as core would (core itself is stopped). */
async function onDisk(t: TestCore, customerId: string) {
  const records = await openRecords({ dataDir: t.dataDir, ids: { next: (p) => `${p}_${randomUUID()}` }, now: () => new Date() });
  try {
    const doc = await records.customer(customerId);
    return { doc, owedInIndex: records.index.openWork('mail').map((w) => w.id) };
  } finally {
    await records.close();
  }
}

async function outboxHas(t: TestCore, kind: MailKind, ref: string): Promise<{ message: boolean; marker: boolean }> {
  const id = messageIdFor(kind, ref);
  const names = async (dir: string) => readdir(dir).catch(() => [] as string[]);
  let message = false;
  for (const shard of await names(join(t.dataDir, 'outbox', 'messages'))) if ((await names(join(t.dataDir, 'outbox', 'messages', shard))).includes(`${id}.json`)) message = true;
  return { message, marker: (await names(join(t.dataDir, 'outbox', 'pending'))).includes(`${id}.json`) };
}

describe('a crash between a record and its e-mail', () => {
  async function prepared() {
    const smtp = await createTestSmtp();
    const t = await startTestCore({ deps: { mail: FAST } });
    cleanups.push(() => smtp.stop(), () => t.close());
    await signInManager(t);
    await configureMail(t, smtp);
    const copy = nextUpdate(t, inState('consent_copy', 'sent'));
    const saved = await createCustomerWithSavedMethod(t, { name: 'Ada Customer' });
    await copy;
    smtp.received.length = 0;
    // down while the child runs: nothing can be sent before its crash
    await smtp.stop();
    return { t, smtp, ...saved };
  }

  /** Restarts core with the server up: the e-mail arrives once, the mark ends queued, another restart sends nothing more. */
  async function deliveredOnceAfterRestart(t: TestCore, smtp: TestSmtp, customerId: string, kind: MailKind, ref: string, subject: RegExp) {
    await smtp.start();
    await t.restart({ mail: FAST });
    await signInManager(t);
    const [mail] = await Promise.race([smtp.waitForMessages(1), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the owed e-mail never arrived')), 20_000))]);
    expect(mail.subject).toMatch(subject);
    await expect.poll(async () => (await t.call('outbox.forCustomer', { customerId })).find((m) => m.id === messageIdFor(kind, ref))?.state).toBe('sent');
    await expect.poll(async () => (await t.core.env.records.customer(customerId))?.mail?.find((m) => m.ref === ref)?.state).toBe('queued');
    await t.restart({ mail: FAST });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(smtp.received.map((m) => m.subject)).toEqual([mail.subject]);
    expect(t.core.env.records.index.openWork('mail')).toEqual([]);
  }

  it('the copy of the terms: killed after the consent and its mark were committed, before the outbox had it', async () => {
    const { t, smtp, customer } = await prepared();
    const { acknowledged: consentId } = await crashChild(t, 'mail.beforeEnqueue', { kind: 'consent', customerId: customer.id, typedName: 'Ada Customer' });
    // the gap: the consent is recorded, the outbox has nothing, the mark says owed (and the index knows)
    const { doc, owedInIndex } = await onDisk(t, customer.id);
    expect(doc?.consents.some((c) => c.id === consentId)).toBe(true);
    expect(doc?.mail?.find((m) => m.ref === consentId)).toMatchObject({ kind: 'consent_copy', state: 'owed' });
    expect(owedInIndex).toEqual([`consent_copy:${consentId}`]);
    expect(await outboxHas(t, 'consent_copy', consentId)).toEqual({ message: false, marker: false });
    await deliveredOnceAfterRestart(t, smtp, customer.id, 'consent_copy', consentId, /copy of the terms/i);
    expect(smtp.received[0].attachments).toHaveLength(1);
  }, 90_000);

  it('a receipt: killed after the outbox had it, before its mark was updated', async () => {
    const { t, smtp, customer, consent, paymentMethodId } = await prepared();
    const { acknowledged: chargeId } = await crashChild(t, 'mail.beforeSettle', { kind: 'charge', customerId: customer.id, consentId: consent.id, paymentMethodId, amount: 4_250 });
    const { doc } = await onDisk(t, customer.id);
    expect(doc?.charges.find((c) => c.id === chargeId)?.status).toBe('succeeded');
    expect(doc?.mail?.find((m) => m.ref === chargeId)).toMatchObject({ kind: 'receipt', state: 'owed' });
    expect(await outboxHas(t, 'receipt', chargeId)).toEqual({ message: true, marker: true });
    await deliveredOnceAfterRestart(t, smtp, customer.id, 'receipt', chargeId, /^Receipt .+ from Test Shop$/);
    expect(smtp.received[0].text).toContain('€42.50');
  }, 90_000);

  it('a refund receipt: killed after the outbox wrote the message, before its pending marker', async () => {
    const { t, smtp, customer, consent, paymentMethodId } = await prepared();
    await smtp.start();
    await t.restart({ mail: FAST });
    await signInManager(t);
    const receipt = nextUpdate(t, inState('receipt', 'sent'));
    const charge = await t.call('charges.create', { customerId: customer.id, consentId: consent.id, paymentMethodId, amount: 4_250, currency: 'eur', description: 'Dry cleaning', requestKey: randomUUID() });
    await receipt;
    await smtp.stop();
    smtp.received.length = 0;
    const { acknowledged: refundId } = await crashChild(t, 'outbox.messageWritten', { kind: 'refund', chargeId: charge.id, amount: 1_000 });
    expect(await outboxHas(t, 'refund_receipt', refundId)).toEqual({ message: true, marker: false });
    expect((await onDisk(t, customer.id)).doc?.mail?.find((m) => m.ref === refundId)?.state).toBe('owed');
    await deliveredOnceAfterRestart(t, smtp, customer.id, 'refund_receipt', refundId, /^Refund of €10\.00 from Test Shop$/);
    expect(smtp.received[0].text).toContain('€32.50');
  }, 90_000);
});

describe('charges learnt from Stripe', () => {
  it('a charge made at another desk is e-mailed by that desk only, not again by the desk that learns of it', async () => {
    const emulator = await startEmulator();
    const smtp = await createTestSmtp();
    const a = await startTestCore({ emulator, deps: { mail: FAST } });
    const b = await startTestCore({ emulator, deps: { mail: FAST } });
    cleanups.push(() => emulator.stop(), () => smtp.stop(), () => a.close(), () => b.close());
    for (const t of [a, b]) {
      await signInManager(t);
      await configureMail(t, smtp);
      await t.call('stripeEvents.poll', {});
    }
    const email = `shared.${randomUUID().slice(0, 8)}@example.com`;
    await createCustomerWithSavedMethod(a, { email, name: 'Sato Hanako' });
    const atB = await createCustomerWithSavedMethod(b, { email, name: 'Sato Hanako' });
    const receiptAtB = nextUpdate(b, inState('receipt', 'sent'));
    const charge = await b.call('charges.create', { customerId: atB.customer.id, consentId: atB.consent.id, paymentMethodId: atB.paymentMethodId, amount: 4_200, currency: 'eur', description: 'Dry cleaning', requestKey: randomUUID() });
    expect(charge.status).toBe('succeeded');
    await receiptAtB;
    expect((await a.call('stripeEvents.poll', {})).applied).toBeGreaterThan(0);
    const atA = (await a.call('customers.search', { query: email })).local[0];
    const learnt = (await a.call('customers.get', { customerId: atA.id })).charges.find((c) => c.fromOtherDesk);
    expect(learnt).toMatchObject({ status: 'succeeded', amount: 4_200 });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(smtp.received.filter((m) => m.subject?.startsWith('Receipt '))).toHaveLength(1);
    expect(a.core.env.records.index.openWork('mail')).toEqual([]);
    expect((await a.core.env.records.customer(atA.id))?.mail?.map((m) => m.kind)).toEqual(['consent_copy']);
  }, 90_000);
});
