import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import type { RunningEmulator } from '../../main/emulator/index.js';
import { createCustomerWithSavedAmazonPay, startEmulatorWithClient } from './helpers.js';

let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  ({ emulator, stripe } = await startEmulatorWithClient());
});
afterAll(() => emulator.stop());

describe('products and prices', () => {
  it('one-off and recurring prices; product update/list/delete rules', async () => {
    const prod = await stripe.products.create({ name: 'Monthly tea box', metadata: { sku: 'tea' } });
    expect(prod).toMatchObject({ object: 'product', active: true, name: 'Monthly tea box', default_price: null });
    expect(prod.id).toMatch(/^prod_/);
    const once = await stripe.prices.create({ product: prod.id, currency: 'jpy', unit_amount: 3000 });
    expect(once).toMatchObject({ type: 'one_time', recurring: null, unit_amount: 3000, product: prod.id });
    expect(String(once.unit_amount_decimal)).toBe('3000'); // the SDK turns the wire string into a Decimal
    const monthly = await stripe.prices.create({ product: prod.id, currency: 'jpy', unit_amount: 2500, recurring: { interval: 'month' }, lookup_key: 'tea_monthly' });
    expect(monthly).toMatchObject({ type: 'recurring', recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' } });
    const withDefault = await stripe.products.update(prod.id, { default_price: monthly.id });
    expect(withDefault.default_price).toBe(monthly.id);
    const expanded = await stripe.prices.retrieve(monthly.id, { expand: ['product'] });
    expect((expanded.product as Stripe.Product).name).toBe('Monthly tea box');
    expect((await stripe.prices.list({ product: prod.id, type: 'recurring' })).data.map((p) => p.id)).toEqual([monthly.id]);
    expect((await stripe.prices.list({ lookup_keys: ['tea_monthly'] })).data.map((p) => p.id)).toEqual([monthly.id]);
    await expect(stripe.products.del(prod.id)).rejects.toMatchObject({ statusCode: 400 });
    const bare = await stripe.products.create({ name: 'temp', default_price_data: { currency: 'usd', unit_amount: 100 } });
    expect(bare.default_price).toMatch(/^price_/);
    const p2 = await stripe.products.create({ name: 'to delete' });
    await expect(stripe.products.del(p2.id)).resolves.toMatchObject({ id: p2.id, deleted: true });
    await expect(stripe.products.retrieve(p2.id)).rejects.toMatchObject({ statusCode: 404 });
    await expect(stripe.prices.create({ currency: 'usd', unit_amount: 100 } as never)).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('subscriptions', () => {
  async function setup(amount = 2500) {
    const saved = await createCustomerWithSavedAmazonPay(stripe, { email: `sub${Math.random()}@example.com` });
    const price = await stripe.prices.create({ currency: 'jpy', unit_amount: amount, recurring: { interval: 'month' }, product_data: { name: 'Box' } });
    return { ...saved, price };
  }

  it('create with default_payment_method: first invoice paid through a PaymentIntent', async () => {
    const { customer, paymentMethod, price } = await setup();
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      default_payment_method: paymentMethod.id,
      off_session: true,
      metadata: { plan: 'box' },
      expand: ['latest_invoice.payments'],
    });
    expect(sub).toMatchObject({ object: 'subscription', status: 'active', customer: customer.id, default_payment_method: paymentMethod.id, collection_method: 'charge_automatically' });
    const item = sub.items.data[0];
    expect(item).toMatchObject({ object: 'subscription_item', quantity: 1, price: { id: price.id } });
    expect(item.current_period_end).toBeGreaterThan(item.current_period_start);
    const inv = sub.latest_invoice as Stripe.Invoice;
    expect(inv).toMatchObject({ object: 'invoice', status: 'paid', amount_paid: 2500, billing_reason: 'subscription_create', customer: customer.id });
    expect(inv.parent?.subscription_details?.subscription).toBe(sub.id);
    const payment = inv.payments!.data[0];
    const pi = await stripe.paymentIntents.retrieve(payment.payment.payment_intent as string);
    expect(pi).toMatchObject({ status: 'succeeded', amount: 2500, payment_method: paymentMethod.id });
    expect((await stripe.subscriptions.list({ customer: customer.id })).data.map((s) => s.id)).toEqual([sub.id]);
    expect((await stripe.invoices.list({ subscription: sub.id })).data).toHaveLength(1);
    expect((await stripe.invoicePayments.list({ invoice: inv.id })).data[0].payment.payment_intent).toBe(pi.id);
  });

  it('rejects a method that is not the customer’s', async () => {
    const { customer, price } = await setup();
    const other = await createCustomerWithSavedAmazonPay(stripe, { email: 'other@example.com' });
    await expect(
      stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: other.paymentMethod.id }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'default_payment_method' });
  });

  it('a failed first payment leaves it incomplete (allow_incomplete) or errors (error_if_incomplete)', async () => {
    const { customer, paymentMethod, price } = await setup();
    emulator.controls.setPaymentOutcome({ paymentMethod: paymentMethod.id, outcome: 'decline' });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: paymentMethod.id });
    expect(sub.status).toBe('incomplete');
    const inv = await stripe.invoices.retrieve(sub.latest_invoice as string);
    expect(inv.status).toBe('open');
    expect(inv.attempt_count).toBe(1);
    // paying the invoice later activates it
    const paid = await stripe.invoices.pay(inv.id);
    expect(paid.status).toBe('paid');
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
    emulator.controls.setPaymentOutcome({ paymentMethod: paymentMethod.id, outcome: 'decline' });
    await expect(
      stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: paymentMethod.id, payment_behavior: 'error_if_incomplete' }),
    ).rejects.toMatchObject({ statusCode: 402, code: 'payment_method_provider_decline' });
  });

  it('renews when the clock passes the period end; failure → past_due; cancel', async () => {
    const { customer, paymentMethod, price } = await setup(1200);
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: paymentMethod.id });
    const end = sub.items.data[0].current_period_end;
    const now = emulator.controls.now();
    expect(emulator.controls.advanceClock(end - now + 1)).toBe(end + 1);
    const renewed = await stripe.subscriptions.retrieve(sub.id);
    expect(renewed.status).toBe('active');
    expect(renewed.items.data[0].current_period_start).toBe(end);
    expect(renewed.latest_invoice).not.toBe(sub.latest_invoice);
    const inv = await stripe.invoices.retrieve(renewed.latest_invoice as string, { expand: ['payments'] });
    expect(inv).toMatchObject({ status: 'paid', billing_reason: 'subscription_cycle', amount_paid: 1200 });
    const types = (await stripe.events.list({ limit: 30 })).data.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['invoice.created', 'invoice.paid', 'payment_intent.succeeded', 'customer.subscription.updated']));
    // next renewal fails
    emulator.controls.setPaymentOutcome({ paymentMethod: paymentMethod.id, outcome: 'decline' });
    const end2 = renewed.items.data[0].current_period_end;
    emulator.controls.advanceClock(end2 - emulator.controls.now() + 1);
    const pastDue = await stripe.subscriptions.retrieve(sub.id);
    expect(pastDue.status).toBe('past_due');
    expect((await stripe.invoices.retrieve(pastDue.latest_invoice as string)).status).toBe('open');
    expect((await stripe.events.list({ type: 'invoice.payment_failed', limit: 1 })).data).toHaveLength(1);
    const canceled = await stripe.subscriptions.cancel(sub.id, { cancellation_details: { comment: 'moved away' } });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_details: { comment: 'moved away', reason: 'cancellation_requested' } });
    expect(canceled.ended_at).toBeTypeOf('number');
    expect((await stripe.events.list({ type: 'customer.subscription.deleted', limit: 1 })).data[0].data.object).toMatchObject({ id: sub.id });
    expect((await stripe.subscriptions.list({ customer: customer.id })).data).toHaveLength(0);
    expect((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toHaveLength(1);
  });

  it('cancel_at_period_end ends it at the period end; trials bill at trial end', async () => {
    const { customer, paymentMethod, price } = await setup();
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: paymentMethod.id });
    await stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    emulator.controls.advanceClock(sub.items.data[0].current_period_end - emulator.controls.now() + 1);
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('canceled');

    const trial = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], default_payment_method: paymentMethod.id, trial_period_days: 7 });
    expect(trial.status).toBe('trialing');
    expect((await stripe.invoices.retrieve(trial.latest_invoice as string)).amount_due).toBe(0);
    emulator.controls.advanceClock(7 * 86400 + 1);
    const after = await stripe.subscriptions.retrieve(trial.id);
    expect(after.status).toBe('active');
    expect((await stripe.invoices.retrieve(after.latest_invoice as string)).amount_paid).toBe(2500);
  });
});

describe('events', () => {
  it('lists events newest first with type filters and retrieves by id', async () => {
    const c = await stripe.customers.create({ email: 'ev@example.com' });
    const l = await stripe.events.list({ type: 'customer.*', limit: 1 });
    const ev = l.data[0];
    expect(ev).toMatchObject({ object: 'event', type: 'customer.created', livemode: false, api_version: '2026-10-28.endive', data: { object: { id: c.id } } });
    expect(ev.id).toMatch(/^evt_/);
    expect(ev.request?.id).toMatch(/^req_/);
    expect(ev.request?.idempotency_key).toMatch(/^stripe-node-retry-/);
    expect((await stripe.events.retrieve(ev.id)).id).toBe(ev.id);
    await expect(stripe.events.retrieve('evt_missing')).rejects.toMatchObject({ statusCode: 404 });
  });
});
