/**
 * The customer desk: the overview (recent and in-progress customers, from the index only), editing
 * a customer (Stripe follows, e-mails stay unique, consents keep the name as accepted), receipt
 * numbers per terminal, and saved methods as a person recognises them.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callError, signInManager, startTestCore, type TestCore } from '../helpers/core';
import { createCustomerWithSavedMethod, mandateParams, type CustomerWithSavedMethod } from '../helpers/saved-method';
import { formatReceiptNumber, terminalCode } from '../../main/core/receipt-numbers';

let t: TestCore;
beforeEach(async () => {
  t = await startTestCore();
  await signInManager(t);
});
afterEach(async () => {
  await t?.close();
});

const newCustomer = (name: string, email: string) => t.call('customers.create', { name, email, language: 'en' });

describe('customers.overview', () => {
  it('lists the newest customers first and those with a setup still open, with their work', async () => {
    const first = (await newCustomer('First Person', 'first@example.com')).customer;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = (await newCustomer('Second Person', 'second@example.com')).customer;
    const params = mandateParams();
    const terms = await t.call('terms.render', { customerId: first.id, language: 'en', params });
    const consent = await t.call('consents.record', {
      customerId: first.id, language: 'en', params, shownSha256: terms.sha256, typedName: 'First Person', accepted: true, staffConfirmed: true, timeZone: 'UTC',
    });
    const setup = await t.call('setups.start', { consentId: consent.id });

    const overview = await t.call('customers.overview', {});
    // the consent and setup are newer than the second customer's creation
    expect(overview.recent.map((c) => c.id)).toEqual([first.id, second.id]);
    expect(overview.inProgress).toEqual([{ customer: expect.objectContaining({ id: first.id, name: 'First Person' }), work: [{ kind: 'setup', id: setup.id, status: 'open' }] }]);

    await t.call('setups.cancel', { setupId: setup.id });
    expect((await t.call('customers.overview', {})).inProgress).toEqual([]);
  });

  it('is there after a restart, without opening customer documents', async () => {
    const { customer } = await newCustomer('Kept Person', 'kept@example.com');
    await t.restart();
    await signInManager(t);
    expect((await t.call('customers.overview', {})).recent.map((c) => c.id)).toEqual([customer.id]);
  });
});

describe('customers.update', () => {
  it('changes name, e-mail, phone and language here and at Stripe (with an idempotency key), audited, consents untouched', async () => {
    const saved = await createCustomerWithSavedMethod(t, { name: 'Ada Customer', email: 'ada@example.com' });
    const updated = await t.call('customers.update', { customerId: saved.customer.id, name: ' 佐藤　花子 ', email: ' Hanako@Example.JP ', phone: '090-1234-5678', language: 'ja' });
    expect(updated).toMatchObject({ id: saved.customer.id, name: '佐藤 花子', email: 'hanako@example.jp', phone: '090-1234-5678', language: 'ja' });

    const atStripe = await t.core.env.stripe.customers.retrieve(saved.customer.stripeCustomerId);
    if (atStripe.deleted) throw new Error('customer deleted');
    expect(atStripe).toMatchObject({ name: '佐藤 花子', email: 'hanako@example.jp', phone: '090-1234-5678', preferred_locales: ['ja'] });
    const post = t.emulator.requestLog.filter((r) => r.method === 'POST' && r.path === `/v1/customers/${saved.customer.stripeCustomerId}`).at(-1);
    expect(post?.idempotencyKey).toMatch(/^customer-update-[0-9a-f]{32}$/);

    const detail = await t.call('customers.get', { customerId: saved.customer.id });
    expect(detail.customer.name).toBe('佐藤 花子');
    // the consent keeps the name the customer typed when accepting
    expect(detail.consents[0].typedName).toBe('Ada Customer');
    // the index follows: the new e-mail and name find the customer, the old e-mail does not
    expect((await t.call('customers.search', { query: 'hanako@example.jp' })).local.map((c) => c.id)).toEqual([saved.customer.id]);
    expect((await t.call('customers.search', { query: '佐藤' })).local.map((c) => c.id)).toEqual([saved.customer.id]);
    expect((await t.call('customers.search', { query: 'ada@example.com' })).local).toEqual([]);

    const { entries } = await t.call('audit.list', { filter: { action: 'customers.update' }, limit: 10 });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ outcome: 'ok', customerId: saved.customer.id });
  });

  it('refuses an e-mail another customer has, and changes nothing here or at Stripe', async () => {
    const { customer: ada } = await newCustomer('Ada', 'ada@example.com');
    await newCustomer('Bob', 'bob@example.com');
    const before = t.emulator.requestLog.length;
    const error = await callError(t.call('customers.update', { customerId: ada.id, name: 'Ada B', email: 'BOB@example.com', language: 'en' }));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain('bob@example.com');
    expect(t.emulator.requestLog.length).toBe(before);
    expect((await t.call('customers.get', { customerId: ada.id })).customer).toMatchObject({ name: 'Ada', email: 'ada@example.com' });
  });

  it('keeps its own e-mail, refuses bad input and unknown customers', async () => {
    const { customer } = await newCustomer('Ada', 'ada@example.com');
    expect((await t.call('customers.update', { customerId: customer.id, name: 'Ada L', email: 'ada@example.com', language: 'en' })).name).toBe('Ada L');
    expect((await callError(t.call('customers.update', { customerId: customer.id, name: 'Ada', email: 'not an e-mail', language: 'en' }))).code).toBe('invalid_input');
    expect((await callError(t.call('customers.update', { customerId: 'cust_nobody', name: 'Ada', email: 'x@example.com', language: 'en' }))).code).toBe('not_found');
    expect((await t.call('customers.get', { customerId: customer.id })).customer).toMatchObject({ name: 'Ada L', email: 'ada@example.com' });
  });

  it('changes nothing locally when Stripe refuses', async () => {
    const { customer } = await newCustomer('Ada', 'ada@example.com');
    await t.core.env.stripe.customers.del(customer.stripeCustomerId);
    const error = await callError(t.call('customers.update', { customerId: customer.id, name: 'Ada New', email: 'ada@example.com', language: 'en' }));
    expect(error.code).not.toBe('ok');
    expect((await t.call('customers.get', { customerId: customer.id })).customer.name).toBe('Ada');
  });
});

describe('receipt numbers', () => {
  const charge = (saved: CustomerWithSavedMethod) =>
    t.call('charges.create', { customerId: saved.customer.id, consentId: saved.consent.id, paymentMethodId: saved.paymentMethodId, amount: 1250, currency: 'eur', description: 'Shirts', requestKey: randomUUID() });

  it('gives consecutive numbers per terminal; a reprint keeps its number; a declined charge takes none', async () => {
    const saved = await createCustomerWithSavedMethod(t);
    const shopFile = async () => JSON.parse(await readFile(join(t.dataDir, 'shop.json'), 'utf8')) as { terminalId: string; receiptCounter?: number };
    const { terminalId } = await shopFile();
    const first = await charge(saved);
    const second = await charge(saved);
    expect(first.receiptNumber).toBe(formatReceiptNumber(terminalId, 1));
    expect(second.receiptNumber).toBe(formatReceiptNumber(terminalId, 2));
    expect(first.receiptNumber).toMatch(new RegExp(`^${terminalCode(terminalId)}-000001$`));

    await t.emulator.controls.setPaymentOutcome({ paymentMethod: saved.paymentMethodId, outcome: 'decline' });
    const declined = await charge(saved);
    expect(declined.status).toBe('declined');
    expect(declined.receiptNumber).toBeNull();

    const receipt = await t.call('charges.receipt', { chargeId: second.id });
    const reprint = await t.call('charges.receipt', { chargeId: second.id });
    expect(receipt.charge.receiptNumber).toBe(formatReceiptNumber(terminalId, 2));
    expect(reprint.charge.receiptNumber).toBe(receipt.charge.receiptNumber);
    expect((await shopFile()).receiptCounter).toBe(2);

    // still the same after a restart
    await t.restart();
    await signInManager(t);
    expect((await t.call('charges.receipt', { chargeId: first.id })).charge.receiptNumber).toBe(formatReceiptNumber(terminalId, 1));
  });

  it('numbers a charge that succeeded without one (made before receipts were numbered) when its receipt is first made', async () => {
    const saved = await createCustomerWithSavedMethod(t);
    const made = await charge(saved);
    await t.core.env.records.updateCustomer(saved.customer.id, (draft) => {
      delete draft.charges[0].receiptNumber;
    });
    const { terminalId } = t.core.env.records.shop.data;
    const receipt = await t.call('charges.receipt', { chargeId: made.id });
    expect(receipt.charge.receiptNumber).toBe(formatReceiptNumber(terminalId, 2));
    expect((await t.call('charges.receipt', { chargeId: made.id })).charge.receiptNumber).toBe(formatReceiptNumber(terminalId, 2));
  });
});

describe('saved methods as a person recognises them', () => {
  it('keeps the Amazon Pay wallet e-mail and name Stripe returns', async () => {
    const saved = await createCustomerWithSavedMethod(t, { name: 'Alice Example', email: 'alice@example.com' });
    const pm = await t.core.env.stripe.paymentMethods.retrieve(saved.paymentMethodId);
    expect(pm.billing_details.email).toBe('alice@example.com');
    const [method] = (await t.call('customers.get', { customerId: saved.customer.id })).savedMethods;
    expect(method).toMatchObject({ paymentMethodId: saved.paymentMethodId, billingEmail: 'alice@example.com', billingName: 'Alice Example' });
  });
});

describe('customers.update at the same time', () => {
  it('two edits of one customer at once leave Stripe and the record agreeing', async () => {
    const { customer } = await t.call('customers.create', { name: 'Ada', email: 'ada@example.com', language: 'en' });
    const [a, b] = await Promise.all([
      t.call('customers.update', { customerId: customer.id, name: 'Ada One', email: 'one@example.com', language: 'en' }),
      t.call('customers.update', { customerId: customer.id, name: 'Ada Two', email: 'two@example.com', phone: '+81 90-1234-5678', language: 'ja' }),
    ]);
    expect([a.name, b.name]).toEqual(['Ada One', 'Ada Two']);
    const local = (await t.call('customers.get', { customerId: customer.id })).customer;
    const atStripe = await t.core.env.stripe.customers.retrieve(customer.stripeCustomerId);
    if (atStripe.deleted) throw new Error('customer deleted');
    expect(local).toMatchObject({ name: 'Ada Two', email: 'two@example.com', phone: '+81 90-1234-5678', language: 'ja' });
    expect(atStripe).toMatchObject({ name: 'Ada Two', email: 'two@example.com', phone: '+81 90-1234-5678', preferred_locales: ['ja'] });
  });

  it('clears the phone here and at Stripe', async () => {
    const { customer } = await t.call('customers.create', { name: 'Ada', email: 'ada@example.com', phone: '090-1234-5678', language: 'en' });
    await t.call('customers.update', { customerId: customer.id, name: 'Ada', email: 'ada@example.com', language: 'en' });
    const atStripe = await t.core.env.stripe.customers.retrieve(customer.stripeCustomerId);
    if (atStripe.deleted) throw new Error('customer deleted');
    expect((await t.call('customers.get', { customerId: customer.id })).customer.phone).toBe('');
    expect(atStripe.phone ?? '').toBe('');
  });
});
