import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStoredData, storeSnapshot } from '../helpers/stored';
import { stripeEmailQuery } from '../../main/core/customers';
import { signInManager, startTestCore, type TestCore, callError } from '../helpers/core';

let t: TestCore;
beforeEach(async () => {
  t = await startTestCore();
  await signInManager(t);
});
afterEach(async () => {
  await t?.close();
});

const storeFileText = () => storeSnapshot(t.dataDir);
const stripeCustomerCount = async () => (await t.core.env.stripe.customers.list({ limit: 100 })).data.length;

describe('customers.create', () => {
  it('creates the Stripe Customer (search + create = 2 requests) with our id in metadata, then stores the record', async () => {
    const before = t.emulator.requestLog.length;
    const { customer, linkedExisting } = await t.call('customers.create', {
      name: '  Ａｄａ   Lovelace ',
      email: ' Ada.Lovelace@Example.COM ',
      phone: '+44 20 7946 0018',
      language: 'en',
    });
    const requests = t.emulator.requestLog.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(requests).toEqual(['GET /v1/customers/search', 'POST /v1/customers']);
    expect(linkedExisting).toBe(false);
    expect(customer).toMatchObject({ name: 'Ada Lovelace', email: 'ada.lovelace@example.com', phone: '+44 20 7946 0018', language: 'en' });
    expect(customer.stripeCustomerId).toMatch(/^cus_/);

    const atStripe = await t.core.env.stripe.customers.retrieve(customer.stripeCustomerId);
    if (atStripe.deleted) throw new Error('customer deleted');
    expect(atStripe.email).toBe('ada.lovelace@example.com');
    expect(atStripe.name).toBe('Ada Lovelace');
    expect(atStripe.preferred_locales).toEqual(['en']);
    expect(atStripe.metadata).toEqual({ mandate_desk_customer_id: customer.id });
    // the create used an idempotency key derived from the local id
    expect(t.emulator.requestLog.find((r) => r.method === 'POST' && r.path === '/v1/customers')?.idempotencyKey).toBe(`customer-create-${customer.id}`);

    const onDisk = (await readStoredData(t.dataDir));
    expect(onDisk.customers).toHaveLength(1);
    expect(onDisk.customers[0]).toMatchObject({ id: customer.id, stripeCustomerId: customer.stripeCustomerId, createdBy: { name: 'Mina Manager' } });
  });

  it('links a Stripe Customer another terminal created, setting our id in its metadata', async () => {
    const stripe = t.core.env.stripe;
    const other = await stripe.customers.create({ name: 'Grace Hopper', email: 'grace@example.com' });
    const { customer, linkedExisting } = await t.call('customers.create', { name: 'Grace Hopper', email: 'GRACE@example.com', language: 'ja' });
    expect(linkedExisting).toBe(true);
    expect(customer.stripeCustomerId).toBe(other.id);
    const atStripe = await stripe.customers.retrieve(other.id);
    if (atStripe.deleted) throw new Error('customer deleted');
    expect(atStripe.metadata).toEqual({ mandate_desk_customer_id: customer.id });
    expect(await stripeCustomerCount()).toBe(1);
  });

  it('keeps the metadata another terminal already set on a linked customer', async () => {
    const stripe = t.core.env.stripe;
    const other = await stripe.customers.create({ name: 'Ken', email: 'ken@example.com', metadata: { mandate_desk_customer_id: 'cust_other_terminal' } });
    const before = t.emulator.requestLog.length;
    const { customer, linkedExisting } = await t.call('customers.create', { name: 'Ken', email: 'ken@example.com', language: 'en' });
    expect(customer.stripeCustomerId).toBe(other.id);
    expect(linkedExisting).toBe(true);
    // another desk's customer: imported under the same local id as there (stripe-import.ts), so its records resolve alike
    expect(customer.id).toBe('cust_other_terminal');
    // read only: nothing is written at Stripe
    expect(t.emulator.requestLog.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
    const atStripe = await stripe.customers.retrieve(other.id);
    if (atStripe.deleted) throw new Error('customer deleted');
    expect(atStripe.metadata.mandate_desk_customer_id).toBe('cust_other_terminal');
  });

  it('refuses a duplicate local e-mail (any case) and writes nothing', async () => {
    await t.call('customers.create', { name: 'Ada Lovelace', email: 'ada@example.com', language: 'en' });
    const fileBefore = await storeFileText();
    const countBefore = await stripeCustomerCount();
    const logBefore = t.emulator.requestLog.length;
    const error = await callError(t.call('customers.create', { name: 'Another Ada', email: 'ADA@example.com', language: 'en' }));
    expect(error.code).toBe('conflict');
    expect(t.emulator.requestLog.length).toBe(logBefore); // refused before asking Stripe
    expect(await storeFileText()).toBe(fileBefore);
    expect(await stripeCustomerCount()).toBe(countBefore);
  });

  it.each([
    ['a bad e-mail', { name: 'Ada', email: 'not-an-email', language: 'en' }],
    ['an empty name', { name: '   ', email: 'ada@example.com', language: 'en' }],
    ['a bad phone', { name: 'Ada', email: 'ada@example.com', phone: 'call me', language: 'en' }],
    ['an unknown language', { name: 'Ada', email: 'ada@example.com', language: 'fr' }],
    ['an unknown field', { name: 'Ada', email: 'ada@example.com', language: 'en', vip: true }],
  ])('rejects %s with invalid_input and writes nothing', async (_label, input) => {
    const fileBefore = await storeFileText();
    const logBefore = t.emulator.requestLog.length;
    const result = await t.raw('customers.create', input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('invalid_input');
    expect(t.emulator.requestLog.length).toBe(logBefore);
    expect(await storeFileText()).toBe(fileBefore);
    expect(await stripeCustomerCount()).toBe(0);
  });

  it('writes nothing locally when the Stripe create fails', async () => {
    const fileBefore = await storeFileText();
    // every attempt (the first and the SDK's two retries) answers 500
    t.emulator.controls.setFault({ method: 'POST', path: '/v1/customers', status500: 3 });
    const result = await t.raw('customers.create', { name: 'Ada', email: 'ada@example.com', language: 'en' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('stripe_error');
    expect(await storeFileText()).toBe(fileBefore);
    t.emulator.controls.clearFaults();
    expect(await stripeCustomerCount()).toBe(0);
    // once Stripe is back, the same input goes through
    expect((await t.call('customers.create', { name: 'Ada', email: 'ada@example.com', language: 'en' })).customer.email).toBe('ada@example.com');
  });
});

describe('customers.search', () => {
  beforeEach(async () => {
    await t.call('customers.create', { name: '山田 花子', email: 'hanako@example.jp', phone: '+81 90-1234-5678', language: 'ja' });
    await t.call('customers.create', { name: 'ﾔﾏﾀﾞ ﾀﾛｳ', email: 'taro@example.jp', language: 'ja' });
    await t.call('customers.create', { name: 'Ada Lovelace', email: 'ada@example.com', phone: '020 7946 0018', language: 'en' });
  });
  const localNames = async (query: string) => (await t.call('customers.search', { query })).local.map((c) => c.name);

  it('finds by name, case-insensitively', async () => {
    expect(await localNames('ada')).toEqual(['Ada Lovelace']);
    expect(await localNames('LOVELACE')).toEqual(['Ada Lovelace']);
  });
  it('finds Japanese names by substring, after NFKC (half-width kana, full-width space)', async () => {
    expect(await localNames('花子')).toEqual(['山田 花子']);
    expect(await localNames('山田　花子')).toEqual(['山田 花子']);
    // stored normalized (half-width → full-width), so full-width queries find it
    expect(await localNames('ヤマダ')).toEqual(['ヤマダ タロウ']);
    expect(await localNames('ﾀﾛｳ')).toEqual(['ヤマダ タロウ']);
  });
  it('finds by e-mail (any case) and by phone digits whatever the formatting', async () => {
    expect(await localNames('HANAKO@')).toEqual(['山田 花子']);
    expect(await localNames('1234-5678')).toEqual(['山田 花子']);
    expect(await localNames('12345678')).toEqual(['山田 花子']);
    expect(await localNames('７９４６ ００１８')).toEqual(['Ada Lovelace']);
    expect(await localNames('90')).toEqual([]); // too few digits to mean a phone number
  });
  it('does not ask Stripe unless the query is an e-mail', async () => {
    const before = t.emulator.requestLog.length;
    await t.call('customers.search', { query: 'ada' });
    expect(t.emulator.requestLog.length).toBe(before);
  });

  it('finds a customer only Stripe knows (another terminal) by e-mail, until it is linked', async () => {
    const stripe = t.core.env.stripe;
    const other = await stripe.customers.create({ name: 'Linus', email: 'linus@example.org', phone: '+1 555 0100' });
    let result = await t.call('customers.search', { query: 'Linus@Example.org' });
    expect(result.local).toEqual([]);
    expect(result.stripeOnly).toEqual([{ stripeCustomerId: other.id, name: 'Linus', email: 'linus@example.org', phone: '+1 555 0100' }]);

    // a locally known e-mail is local, not stripe-only
    result = await t.call('customers.search', { query: 'ada@example.com' });
    expect(result.local.map((c) => c.email)).toEqual(['ada@example.com']);
    expect(result.stripeOnly).toEqual([]);

    await t.call('customers.create', { name: 'Linus', email: 'linus@example.org', language: 'en' });
    result = await t.call('customers.search', { query: 'linus@example.org' });
    expect(result.local.map((c) => c.stripeCustomerId)).toEqual([other.id]);
    expect(result.stripeOnly).toEqual([]);
  });

  it('escapes quotes in the Stripe query', async () => {
    expect(stripeEmailQuery("o'brien@example.com")).toBe("email:'o\\'brien@example.com'");
    const stripe = t.core.env.stripe;
    const other = await stripe.customers.create({ name: "Pat O'Brien", email: "o'brien@example.com" });
    const result = await t.call('customers.search', { query: "o'brien@example.com" });
    expect(result.stripeOnly.map((h) => h.stripeCustomerId)).toEqual([other.id]);
  });
});

describe('customers.get', () => {
  it('returns the detail of a known customer and not_found otherwise', async () => {
    const { customer } = await t.call('customers.create', { name: 'Ada Lovelace', email: 'ada@example.com', language: 'en' });
    const detail = await t.call('customers.get', { customerId: customer.id });
    expect(detail).toEqual({ customer, consents: [], setups: [], savedMethods: [], charges: [], subscriptions: [] });
    const error = await callError(t.call('customers.get', { customerId: 'cust_missing' }));
    expect(error.code).toBe('not_found');
  });
});
