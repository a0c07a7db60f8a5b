/**
 * The writing process of the crash trials (tests/helpers/crash-harness.ts):
 * `node --import tsx tests/bench/store-crash-child.ts <dataDir>`.
 *
 * Opens the stores on the folder as core does, prints `ready`, then writes until it is killed:
 * a customer, a consent, then charges (write-ahead `pending`, then `succeeded`), each followed by
 * its audit entry. Each record's line is printed only after its write resolved: a printed line is
 * an acknowledged record. (stdout to a pipe is synchronous on POSIX, so a printed line is out of
 * the process before the next write starts.)
 */
import { randomUUID } from 'node:crypto';
import { openAuditLog } from '../../main/core/audit';
import type { ChargeRecord, ConsentRecord, CustomerRecord } from '../../main/core/data';
import { openRecords } from '../../main/core/records';
import { sha256Hex } from '../../main/core/terms';
import { CRASH_AUDIT_OPTIONS, CRASH_STORE_OPTIONS } from '../helpers/crash-harness';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: store-crash-child.ts <dataDir>');

const clock = { now: () => new Date() };
const ids = { next: (prefix: string) => `${prefix}_${Math.random().toString(16).slice(2, 12)}${Date.now().toString(16)}` };
const audit = await openAuditLog({ dataDir, clock, ...CRASH_AUDIT_OPTIONS });
const records = await openRecords({ dataDir, ids, now: clock.now, auditHead: () => audit.head(), ...CRASH_STORE_OPTIONS });
await audit.checkWitness(records.auditSeqSeen);

const actor = { staffId: 'staff_crash', name: 'Crash Manager' };
const terms = `${'These are the terms of the mandate. '.repeat(95)}\n`; // ~3.4 KB, like a real consent

const say = (line: string) => process.stdout.write(`${line}\n`);
const auditEntry = async (action: string, customerId: string, details: Record<string, unknown>) => {
  await audit.append({ actor: { id: actor.staffId, name: actor.name, role: 'manager', active: true, createdAt: '2026-01-01T00:00:00.000Z' }, action, outcome: 'ok', customerId, summary: `${action} for ${customerId}`, details });
  const head = (await audit.find({ limit: 1, maxScan: 1, match: () => true }))[0];
  say(`audit ${head.seq} ${head.hash}`);
};

say('ready');
for (let n = 0; ; n++) {
  const at = clock.now().toISOString();
  const customer: CustomerRecord = {
    id: ids.next('cust'),
    name: `Crash Customer ${n}`,
    email: `crash.${randomUUID().slice(0, 8)}@example.com`,
    phone: `090${String(n).padStart(8, '0')}`,
    language: 'en',
    stripeCustomerId: `cus_${randomUUID().slice(0, 14)}`,
    createdAt: at,
    createdBy: actor,
  };
  await records.createCustomer(customer);
  say(`customer ${customer.id}`);
  await auditEntry('customers.create', customer.id, { customerId: customer.id });

  const consent: ConsentRecord = {
    id: records.newId('consent', customer.id),
    customerId: customer.id,
    stripeCustomerId: customer.stripeCustomerId,
    termsVersion: 'crash',
    language: 'en',
    title: 'Charge-later mandate',
    text: terms,
    textSha256: sha256Hex(terms),
    params: { purpose: 'Crash trials', frequency: 'as_needed', timing: 'After each pickup', amountRule: 'up_to_max', maxAmount: 50_000, currency: 'eur', startDate: '2026-01-01', endDate: null, cancellationPolicy: 'Any time.' },
    typedName: customer.name,
    signaturePng: null,
    acceptedAtUtc: at,
    acceptedAtLocal: at,
    timeZone: 'UTC',
    witnessedBy: actor,
    terminalId: 'term_crash',
    correctsConsentId: null,
  };
  await records.updateCustomer(customer.id, (doc) => void doc.consents.push(consent));
  say(`consent ${customer.id} ${consent.id}`);
  await auditEntry('consents.record', customer.id, { consentId: consent.id });

  for (let c = 0; c < 3; c++) {
    const chargeId = records.newId('chg', customer.id);
    const charge: ChargeRecord = {
      id: chargeId,
      customerId: customer.id,
      consentId: consent.id,
      paymentMethodId: 'pm_crash',
      amount: 1000 + c,
      currency: 'eur',
      description: 'Dry cleaning',
      status: 'pending',
      idempotencyKey: `charge-${chargeId}`,
      requestKey: randomUUID(),
      paymentIntentId: null,
      failure: null,
      createdAt: clock.now().toISOString(),
      finishedAt: null,
      createdBy: actor,
      subscriptionId: null,
    };
    await records.updateCustomer(customer.id, (doc) => void doc.charges.push(charge));
    say(`charge ${customer.id} ${chargeId} pending`);
    await records.updateCustomer(customer.id, (doc) => {
      const found = doc.charges.find((x) => x.id === chargeId)!;
      found.status = 'succeeded';
      found.paymentIntentId = `pi_${randomUUID().slice(0, 14)}`;
      found.finishedAt = clock.now().toISOString();
    });
    say(`charge ${customer.id} ${chargeId} succeeded`);
    await auditEntry('charges.create', customer.id, { chargeId, amount: charge.amount, currency: charge.currency, status: 'succeeded' });
  }
}
