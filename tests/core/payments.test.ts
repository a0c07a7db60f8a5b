import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csvCellValue } from '../../main/core/audit';
import type { ChargeRecord } from '../../main/core/data';
import { dayIn, PaymentsLedger } from '../../main/core/payments-ledger';
import { openRecords } from '../../main/core/records';
import { callError, signInManager, startTestCore, type TestCore } from '../helpers/core';
import { createCustomerWithSavedMethod, type CustomerWithSavedMethod } from '../helpers/saved-method';

let t: TestCore;
beforeEach(async () => {
  t = await startTestCore();
  await signInManager(t);
});
afterEach(async () => {
  await t.close();
});

const machineZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const today = () => dayIn(new Date().toISOString(), machineZone);
const shiftDay = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const charge = (saved: CustomerWithSavedMethod, amount: number, description = 'Shirt pressing') =>
  t.call('charges.create', { customerId: saved.customer.id, consentId: saved.consent.id, paymentMethodId: saved.paymentMethodId, amount, currency: 'eur', description, requestKey: randomUUID() });

async function settledRefund(chargeId: string) {
  for (let i = 0; i < 30; i++) {
    const view = await t.call('charges.resolve', { chargeId });
    if (view.refunds.every((r) => r.status === 'succeeded' || r.status === 'failed')) return view;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('refund did not settle');
}

describe('payments.list', () => {
  it('lists charges, a refund and a declined charge with customer, staff, terminal; day totals net of refunds', async () => {
    const alice = await createCustomerWithSavedMethod(t, { name: 'Alice Example' });
    const paid = await charge(alice, 4250, 'Coat cleaning');
    const declined = await charge(alice, 9901);
    expect(declined.status).toBe('declined');
    await t.call('refunds.create', { chargeId: paid.id, amount: 1000, reason: 'requested_by_customer', note: 'Button missing', requestKey: randomUUID() });
    const refunded = await settledRefund(paid.id);

    const page = await t.call('payments.list', { from: today(), to: today() });
    const info = await t.call('app.info', {});
    expect(page.rows.map((r) => [r.kind, r.id, r.status])).toEqual([
      ['refund', refunded.refunds[0]!.id, 'succeeded'],
      ['charge', declined.id, 'declined'],
      ['charge', paid.id, 'succeeded'],
    ]);
    expect(page.rows[2]).toMatchObject({ customerId: alice.customer.id, customerName: 'Alice Example', amount: 4250, currency: 'eur', description: 'Coat cleaning', staff: { name: 'Mina Manager' }, terminal: { id: info.terminalId, name: info.terminalName }, day: today(), chargeId: null });
    expect(page.rows[0]).toMatchObject({ chargeId: paid.id, amount: 1000, description: 'Button missing' });
    expect(page.totals).toEqual([{ day: today(), currency: 'eur', charged: 4250, refunded: 1000, net: 3250, succeededCharges: 1, succeededRefunds: 1, rows: 3 }]);
    expect(page.nextCursor).toBeNull();

    // the ledger holds one line per state: pending then the outcome, the newest wins
    const lines = (await readFile(join(t.dataDir, 'payments', `${today()}.jsonl`), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { id: string; status: string });
    expect(lines.filter((l) => l.id === paid.id).map((l) => l.status)).toEqual(['pending', 'succeeded']);
  });

  it("a refund without a note is listed with its charge's description, and writes no line for the charges it leaves alone", async () => {
    const bea = await createCustomerWithSavedMethod(t, { name: 'Bea Example' });
    const suit = await charge(bea, 3000, 'Suit cleaning');
    const shirt = await charge(bea, 2000, 'Shirt pressing');
    await t.call('refunds.create', { chargeId: suit.id, amount: 500, reason: 'requested_by_customer', note: '', requestKey: randomUUID() });
    const refunded = await settledRefund(suit.id);

    const page = await t.call('payments.list', { from: today(), to: today() });
    expect(page.rows.find((r) => r.id === refunded.refunds[0]!.id)).toMatchObject({ kind: 'refund', chargeId: suit.id, amount: 500, description: 'Suit cleaning', status: 'succeeded' });
    const lines = (await readFile(join(t.dataDir, 'payments', `${today()}.jsonl`), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { id: string; status: string });
    expect(lines.filter((l) => l.id === shirt.id).map((l) => l.status)).toEqual(['pending', 'succeeded']);
  });

  it('filters by status and by customer, and totals follow the filter', async () => {
    const alice = await createCustomerWithSavedMethod(t, { name: 'Alice Example' });
    const bob = await createCustomerWithSavedMethod(t, { name: 'Bob Builder', email: 'bob@example.com' });
    await charge(alice, 1000);
    await charge(alice, 9901);
    const bobs = await charge(bob, 2000);

    const declined = await t.call('payments.list', { from: today(), to: today(), status: 'declined' });
    expect(declined.rows.map((r) => [r.customerName, r.amount])).toEqual([['Alice Example', 9901]]);
    expect(declined.totals).toEqual([expect.objectContaining({ charged: 0, net: 0, rows: 1 })]);

    const ofBob = await t.call('payments.list', { from: today(), to: today(), customerId: bob.customer.id });
    expect(ofBob.rows.map((r) => r.id)).toEqual([bobs.id]);
    expect(ofBob.totals[0]).toMatchObject({ charged: 2000, net: 2000, succeededCharges: 1 });

    const all = await t.call('payments.list', { from: today(), to: today() });
    expect(all.totals[0]).toMatchObject({ charged: 3000, succeededCharges: 2, rows: 3 });
  });

  it('pages newest first with a cursor; an unknown cursor is refused', async () => {
    const alice = await createCustomerWithSavedMethod(t);
    const made = [];
    for (const amount of [1100, 1200, 1300]) made.push((await charge(alice, amount)).id);
    const first = await t.call('payments.list', { from: today(), to: today(), limit: 2 });
    expect(first.rows.map((r) => r.id)).toEqual([made[2], made[1]]);
    expect(first.matched).toBe(3);
    expect(first.nextCursor).not.toBeNull();
    const second = await t.call('payments.list', { from: today(), to: today(), limit: 2, cursor: first.nextCursor! });
    expect(second.rows.map((r) => r.id)).toEqual([made[0]]);
    expect(second.nextCursor).toBeNull();
    expect(second.totals).toEqual(first.totals);
    expect((await callError(t.call('payments.list', { from: today(), to: today(), cursor: 'nope' }))).code).toBe('invalid_input');
  });

  it('refuses a range over 31 days, a reversed range and a non-date, and staff', async () => {
    for (const input of [
      { from: '2026-01-01', to: '2026-02-01' },
      { from: '2026-01-10', to: '2026-01-09' },
      { from: '2026-02-30', to: '2026-03-01' },
    ]) {
      expect((await callError(t.call('payments.list', input))).code).toBe('invalid_input');
      expect((await callError(t.call('payments.export', input))).code).toBe('invalid_input');
    }
    expect((await t.call('payments.list', { from: '2026-01-01', to: '2026-01-31' })).rows).toEqual([]);
    await t.call('staff.create', { name: 'Sam Staff', pin: '7391', role: 'staff' });
    await t.call('auth.signOut', {});
    await t.call('auth.signIn', { name: 'Sam Staff', pin: '7391' });
    expect((await callError(t.call('payments.list', { from: '2026-01-01', to: '2026-01-31' }))).code).toBe('forbidden_role');
    expect((await callError(t.call('payments.export', { from: '2026-01-01', to: '2026-01-31' }))).code).toBe('forbidden_role');
  });

  it('reads only the day files of the range', async () => {
    const alice = await createCustomerWithSavedMethod(t);
    await charge(alice, 1500);
    // a day file that cannot be read at all: any call that touched it would fail
    const outside = shiftDay(today(), -40);
    await mkdir(join(t.dataDir, 'payments', `${outside}.jsonl`), { recursive: true });
    const page = await t.call('payments.list', { from: shiftDay(today(), -30), to: today() });
    expect(page.rows).toHaveLength(1);
    expect((await t.call('payments.export', { from: shiftDay(today(), -30), to: today() })).content).toContain('15.00');
    expect((await callError(t.call('payments.list', { from: outside, to: outside }))).code).toBe('store_error');
  });

  it('covers subscription invoice charges', async () => {
    const saved = await createCustomerWithSavedMethod(t, { params: { frequency: 'recurring', amountRule: 'fixed', amount: 2500, timing: 'On the first day of each month' } });
    const price = await t.call('prices.create', { productName: 'Shirt service', amount: 2500, currency: 'eur', interval: 'month', intervalCount: 1, requestKey: randomUUID() });
    await t.call('subscriptions.create', { customerId: saved.customer.id, consentId: saved.consent.id, paymentMethodId: saved.paymentMethodId, priceId: price.id, requestKey: randomUUID() });
    const detail = await t.call('customers.get', { customerId: saved.customer.id });
    expect(detail.charges.length).toBeGreaterThan(0);
    const page = await t.call('payments.list', { from: today(), to: today(), customerId: saved.customer.id });
    expect(page.rows.map((r) => [r.id, r.status])).toEqual(detail.charges.map((c) => [c.id, c.status]));
  });
});

describe('payments.export', () => {
  it('writes the same rows as CSV with formula cells neutralised', async () => {
    const alice = await createCustomerWithSavedMethod(t, { name: '=HYPERLINK("x")' });
    await charge(alice, 4250, '+cmd|calc');
    await charge(alice, 300, '@SUM(A1)');
    const file = await t.call('payments.export', { from: today(), to: today() });
    expect(file).toMatchObject({ filename: `payments-${today()}-to-${today()}.csv`, mimeType: 'text/csv' });
    const [header, ...rows] = file.content.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(header).toBe('created,day,kind,id,charge_id,customer_id,customer_name,amount,currency,status,description,staff,terminal');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain(`"'=HYPERLINK(""x"")"`);
    expect(rows[0]).toContain(",3.00,eur,succeeded,'@SUM(A1),");
    expect(rows[1]).toContain(",42.50,eur,succeeded,'+cmd|calc,");
    expect(csvCellValue("'+cmd|calc")).toBe('+cmd|calc');
  });
});

describe('a lost ledger append', () => {
  const chargeOf = (customerId: string, status: ChargeRecord['status']): ChargeRecord => ({
    id: `chg_1.${customerId}`,
    customerId,
    consentId: 'cns_1',
    paymentMethodId: 'pm_1',
    amount: 700,
    currency: 'jpy',
    description: 'Towels',
    status,
    idempotencyKey: 'k',
    requestKey: 'r',
    paymentIntentId: null,
    failure: null,
    createdAt: '2026-11-30T23:30:00.000Z',
    finishedAt: null,
    createdBy: { staffId: 'stf_1', name: 'Mina' },
    subscriptionId: null,
  });

  it('is written again at the next start from the journal (the documents are the truth)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'payments-ledger-'));
    try {
      const ids = { next: (p: string) => `${p}_${randomUUID()}` };
      const first = await openRecords({ dataDir: dir, ids, now: () => new Date(), timeZone: 'Asia/Tokyo' });
      const customer = { id: 'cus_local1', stripeCustomerId: 'cus_1', name: 'Sato Taro', email: '', phone: '', language: 'ja' as const, createdAt: new Date().toISOString(), createdBy: { staffId: 'stf_1', name: 'Mina' } };
      await first.createCustomer(customer);
      await first.updateCustomer(customer.id, (draft) => void draft.charges.push(chargeOf(customer.id, 'pending')));
      await first.updateCustomer(customer.id, (draft) => void (draft.charges[0]!.status = 'succeeded'));
      // 23:30 UTC is the next morning in Tokyo: the terminal's zone decides the day file
      const dayFile = PaymentsLedger.dayPath(dir, '2026-12-01');
      expect((await readFile(dayFile, 'utf8')).trim().split('\n')).toHaveLength(2);

      // a crash took the second append (the change is in the journal): the process dies without closing
      await writeFile(dayFile, `${(await readFile(dayFile, 'utf8')).split('\n')[0]}\n`);
      const second = await openRecords({ dataDir: dir, ids, now: () => new Date(), timeZone: 'Asia/Tokyo' });
      const newest = await second.payments.readDay('2026-12-01');
      expect(newest.get(chargeOf(customer.id, 'pending').id)?.status).toBe('succeeded');
      // nothing for a day without a change, and a clean reopen writes no line
      expect(await readdir(join(dir, 'payments'))).toEqual(['2026-12-01.jsonl']);
      await second.close();
      const before = await readFile(dayFile, 'utf8');
      const third = await openRecords({ dataDir: dir, ids, now: () => new Date(), timeZone: 'Asia/Tokyo' });
      await third.close();
      expect(await readFile(dayFile, 'utf8')).toBe(before);
      await first.close().catch(() => {});
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a ledger write that fails does not fail the change, and is made good with the next change', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'payments-ledger-'));
    try {
      const ids = { next: (p: string) => `${p}_${randomUUID()}` };
      const records = await openRecords({ dataDir: dir, ids, now: () => new Date(), timeZone: 'UTC' });
      const customer = { id: 'cus_local2', stripeCustomerId: 'cus_2', name: 'Ann', email: '', phone: '', language: 'en' as const, createdAt: new Date().toISOString(), createdBy: { staffId: 'stf_1', name: 'Mina' } };
      await records.createCustomer(customer);
      // the day file cannot be written (here: a folder in its place)
      const dayFile = PaymentsLedger.dayPath(dir, '2026-11-30');
      await mkdir(dayFile, { recursive: true });
      await records.updateCustomer(customer.id, (draft) => void draft.charges.push(chargeOf(customer.id, 'pending')));
      expect((await records.requireCustomer(customer.id)).charges[0]?.status).toBe('pending');
      await rm(dayFile, { recursive: true });
      await records.updateCustomer(customer.id, (draft) => void (draft.customer.name = 'Ann Example'));
      const newest = await records.payments.readDay('2026-11-30');
      expect(newest.get(chargeOf(customer.id, 'pending').id)?.status).toBe('pending');
      await records.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
