/**
 * A charge or refund made elsewhere has one marker, `origin`. Older files (and journals) also said it
 * in `fromOtherDesk` (the events poller wrote only that): such a record still reads as made at
 * another desk, with its terminal and its id there, and is written back with `origin` alone.
 */
import { randomUUID } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChargeRecord, RefundRecord } from '../../main/core/data';
import { signInManager, startTestCore, type TestCore } from '../helpers/core';
import { createCustomerWithSavedMethod } from '../helpers/saved-method';

const OLD = { terminalId: 'term_deskb', recordId: 'chg_atb', seenAt: '2026-11-30T09:00:00.000Z' };

let t: TestCore | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  return out;
}

describe('one origin marker', () => {
  it('turns the old fromOtherDesk into origin when a record is parsed', () => {
    const charge = {
      id: 'chg_1', customerId: 'cust_1', consentId: 'cons_1', paymentMethodId: 'pm_1', amount: 4200, currency: 'eur', description: '', status: 'succeeded',
      idempotencyKey: 'other-desk-pi_1', requestKey: 'other-desk-pi_1', paymentIntentId: 'pi_1', failure: null, createdAt: OLD.seenAt, finishedAt: OLD.seenAt,
      createdBy: { staffId: '', name: '' }, subscriptionId: null, fromOtherDesk: OLD,
    };
    const parsed = ChargeRecord.parse(charge);
    expect(parsed).not.toHaveProperty('fromOtherDesk');
    expect(parsed.origin).toEqual({ source: 'stripe', importedAt: OLD.seenAt, terminalId: 'term_deskb', via: 'events', recordId: 'chg_atb' });
    // one that had both keeps its origin
    const imported = { source: 'stripe' as const, importedAt: '2026-12-01T00:00:00.000Z', terminalId: 'term_x' };
    expect(ChargeRecord.parse({ ...charge, origin: imported }).origin).toEqual(imported);
    // made here: neither
    const { fromOtherDesk: _old, ...own } = charge;
    expect(ChargeRecord.parse(own).origin).toBeUndefined();
    const refund = RefundRecord.parse({
      id: 'rfnd_1', chargeId: 'chg_1', amount: 100, currency: 'eur', reason: 'requested_by_customer', note: '', status: 'succeeded', idempotencyKey: 'k', requestKey: 'k',
      stripeRefundId: 're_1', failure: null, createdAt: OLD.seenAt, createdBy: { staffId: '', name: '' }, fromOtherDesk: { ...OLD, recordId: 'rfnd_atb' },
    });
    expect(refund).not.toHaveProperty('fromOtherDesk');
    expect(refund.origin).toMatchObject({ via: 'events', recordId: 'rfnd_atb', terminalId: 'term_deskb' });
    // a broken old marker is refused, not dropped
    expect(ChargeRecord.safeParse({ ...charge, fromOtherDesk: { terminalId: 5 } }).success).toBe(false);
  });

  it('reads a data folder whose charge says fromOtherDesk only: shown as made at another desk, written back with origin', async () => {
    t = await startTestCore();
    await signInManager(t);
    const saved = await createCustomerWithSavedMethod(t);
    const paid = await t.call('charges.create', {
      customerId: saved.customer.id, consentId: saved.consent.id, paymentMethodId: saved.paymentMethodId, amount: 4200, currency: 'eur', description: 'Coat', requestKey: randomUUID(),
    });
    await t.restart(); // stop: what the journal held is in the document file
    await t.core.stop();
    // the charge as the old events poller wrote it
    const docFile = (await files(t.dataDir)).find((f) => f.endsWith(`${saved.customer.id}.json`) && !f.includes('backup'))!;
    const doc = JSON.parse(await readFile(docFile, 'utf8'));
    const stored = doc.charges.find((c: { id: string }) => c.id === paid.id);
    expect(stored.origin).toBeUndefined();
    stored.fromOtherDesk = OLD;
    await writeFile(docFile, JSON.stringify(doc));
    for (const f of await files(t.dataDir)) if (f.includes(`${saved.customer.id}.json.backup`)) await writeFile(f, JSON.stringify(doc));

    await t.restart();
    await signInManager(t);
    const detail = await t.call('customers.get', { customerId: saved.customer.id });
    const charge = detail.charges.find((c) => c.id === paid.id)!;
    expect(charge.fromOtherDesk).toEqual({ terminalId: 'term_deskb', recordId: 'chg_atb', seenAt: OLD.seenAt });
    const inMemory = (await t.core.env.records.requireCustomer(saved.customer.id)).charges.find((c) => c.id === paid.id)!;
    expect(inMemory).not.toHaveProperty('fromOtherDesk');
    expect(inMemory.origin).toMatchObject({ via: 'events', terminalId: 'term_deskb' });

    // the next write of the document writes the one marker
    await t.core.env.records.updateCustomer(saved.customer.id, (draft) => {
      draft.charges.find((c) => c.id === paid.id)!.description = 'Coat (old record)';
    });
    await t.restart();
    await t.core.stop();
    const written = JSON.parse(await readFile(docFile, 'utf8')).charges.find((c: { id: string }) => c.id === paid.id);
    expect(written).not.toHaveProperty('fromOtherDesk');
    expect(written.origin).toMatchObject({ source: 'stripe', via: 'events', terminalId: 'term_deskb', recordId: 'chg_atb' });
    await t.restart();
  });
});
