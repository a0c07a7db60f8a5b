import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import type { RunningEmulator } from '../../main/emulator/index.js';
import { createCustomerWithSavedAmazonPay, startEmulatorWithClient } from './helpers.js';

let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  ({ emulator, stripe } = await startEmulatorWithClient());
});
afterAll(() => emulator.stop());

function charge(customer: string, pm: string, amount = 5000, currency = 'jpy', opts: Stripe.RequestOptions = {}) {
  return stripe.paymentIntents.create(
    { amount, currency, customer, payment_method: pm, allowed_payment_method_types: ['amazon_pay'], off_session: true, confirm: true },
    opts,
  );
}

describe('payment intents (off-session, saved amazon_pay)', () => {
  it('succeeds with a charge and events; retrieve, list, expand latest_charge', async () => {
    const { customer, paymentMethod } = await createCustomerWithSavedAmazonPay(stripe);
    const pi = await charge(customer.id, paymentMethod.id, 12000);
    expect(pi).toMatchObject({
      object: 'payment_intent',
      status: 'succeeded',
      amount: 12000,
      amount_received: 12000,
      currency: 'jpy',
      customer: customer.id,
      payment_method: paymentMethod.id,
      allowed_payment_method_types: ['amazon_pay'],
      payment_method_types: ['amazon_pay'],
      last_payment_error: null,
    });
    expect(pi.id).toMatch(/^pi_/);
    expect(pi.latest_charge).toMatch(/^ch_/);
    const got = await stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge', 'customer', 'payment_method'] });
    const ch = got.latest_charge as Stripe.Charge;
    expect(ch).toMatchObject({ status: 'succeeded', paid: true, captured: true, amount: 12000, payment_intent: pi.id, payment_method: paymentMethod.id });
    expect(ch.payment_method_details?.type).toBe('amazon_pay');
    expect((got.customer as Stripe.Customer).email).toBe('saved@example.com');
    const l = await stripe.paymentIntents.list({ customer: customer.id });
    expect(l.data.map((p) => p.id)).toEqual([pi.id]);
    const charges = await stripe.charges.list({ payment_intent: pi.id });
    expect(charges.data.map((c) => c.id)).toEqual([ch.id]);
    const types = (await stripe.events.list({ limit: 3 })).data.map((e) => e.type);
    expect(types).toEqual(['payment_intent.succeeded', 'charge.succeeded', 'payment_intent.created']);
  });

  it.each([
    ['decline', 'payment_method_provider_decline'],
    ['unavailable', 'payment_method_not_available'],
    ['authentication_required', 'authentication_required'],
  ] as const)('outcome %s → 402 card_error %s with the PaymentIntent embedded', async (outcome, code) => {
    const { customer, paymentMethod } = await createCustomerWithSavedAmazonPay(stripe);
    emulator.controls.setPaymentOutcome({ paymentMethod: paymentMethod.id, outcome });
    const err = await charge(customer.id, paymentMethod.id).catch((e) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err.statusCode).toBe(402);
    expect(err.code).toBe(code);
    expect(err.raw.type).toBe('card_error');
    expect(err.payment_intent).toMatchObject({ status: 'requires_payment_method', payment_method: null, last_payment_error: { code, type: 'card_error' } });
    expect(err.payment_method?.id).toBe(paymentMethod.id);
    const pi = await stripe.paymentIntents.retrieve(err.payment_intent.id);
    expect(pi.status).toBe('requires_payment_method');
    expect(pi.last_payment_error?.code).toBe(code);
    expect((pi.last_payment_error?.payment_method as Stripe.PaymentMethod).id).toBe(paymentMethod.id);
    const failed = await stripe.events.list({ type: 'payment_intent.payment_failed', limit: 1 });
    expect((failed.data[0].data.object as Stripe.PaymentIntent).id).toBe(pi.id);
    // the queue entry was consumed: next charge succeeds, and confirm retries work too
    const retry = await stripe.paymentIntents.confirm(pi.id, { payment_method: paymentMethod.id, off_session: true });
    expect(retry.status).toBe('succeeded');
  });

  it('customer-scoped outcomes with times, and magic amounts', async () => {
    const { customer, paymentMethod } = await createCustomerWithSavedAmazonPay(stripe);
    emulator.controls.setPaymentOutcome({ customer: customer.id, outcome: 'unavailable', times: 2 });
    await expect(charge(customer.id, paymentMethod.id)).rejects.toMatchObject({ code: 'payment_method_not_available' });
    await expect(charge(customer.id, paymentMethod.id)).rejects.toMatchObject({ code: 'payment_method_not_available' });
    await expect(charge(customer.id, paymentMethod.id)).resolves.toMatchObject({ status: 'succeeded' });
    await expect(charge(customer.id, paymentMethod.id, 19901)).rejects.toMatchObject({ statusCode: 402, code: 'payment_method_provider_decline' });
    await expect(charge(customer.id, paymentMethod.id, 29902)).rejects.toMatchObject({ code: 'payment_method_not_available' });
    await expect(charge(customer.id, paymentMethod.id, 19903, 'usd')).rejects.toMatchObject({ code: 'authentication_required' });
    await expect(charge(customer.id, paymentMethod.id, 19900)).resolves.toMatchObject({ status: 'succeeded' });
  });

  it('a detached method can never be charged again (and its mandate turns inactive)', async () => {
    const { customer, paymentMethod, mandateId } = await createCustomerWithSavedAmazonPay(stripe);
    const detached = await stripe.paymentMethods.detach(paymentMethod.id);
    expect(detached.customer).toBeNull();
    expect((await stripe.mandates.retrieve(mandateId)).status).toBe('inactive');
    const evTypes = (await stripe.events.list({ limit: 2 })).data.map((e) => e.type).sort();
    expect(evTypes).toEqual(['mandate.updated', 'payment_method.detached']);
    const err = await charge(customer.id, paymentMethod.id).catch((e) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.statusCode).toBe(400);
    expect(err.param).toBe('payment_method');
    expect(err.message).toMatch(/detached from a Customer/);
    await expect(stripe.paymentMethods.attach(paymentMethod.id, { customer: customer.id })).rejects.toMatchObject({ statusCode: 400 });
    await expect(stripe.paymentMethods.detach(paymentMethod.id)).rejects.toMatchObject({ statusCode: 400 });
    expect((await stripe.paymentIntents.list({ customer: customer.id })).data).toHaveLength(0);
  });

  it("another customer's method (or a customer's method without customer) is rejected", async () => {
    const a = await createCustomerWithSavedAmazonPay(stripe, { email: 'a@example.com' });
    const b = await stripe.customers.create({ email: 'b@example.com' });
    const err = await charge(b.id, a.paymentMethod.id).catch((e) => e);
    expect(err.statusCode).toBe(400);
    expect(err.param).toBe('payment_method');
    const err2 = await stripe.paymentIntents
      .create({ amount: 1000, currency: 'jpy', payment_method: a.paymentMethod.id, allowed_payment_method_types: ['amazon_pay'], off_session: true, confirm: true })
      .catch((e) => e);
    expect(err2.statusCode).toBe(400);
    expect(err2.message).toContain(a.customer.id);
  });

  it('an inactive mandate makes the off-session payment fail', async () => {
    const { customer, paymentMethod, mandateId } = await createCustomerWithSavedAmazonPay(stripe);
    const m = emulator.controls.deactivateMandate(mandateId);
    expect(m.status).toBe('inactive');
    const ev = await stripe.events.list({ type: 'mandate.updated', limit: 1 });
    expect(ev.data[0].data.previous_attributes).toEqual({ status: 'active' });
    const err = await charge(customer.id, paymentMethod.id).catch((e) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err.code).toBe('payment_intent_mandate_invalid');
    expect(err.payment_intent.status).toBe('requires_payment_method');
  });

  it('validates create: off_session needs confirm, allowed types, missing payment method, unknown ids', async () => {
    const { customer, paymentMethod } = await createCustomerWithSavedAmazonPay(stripe);
    await expect(
      stripe.paymentIntents.create({ amount: 1000, currency: 'jpy', customer: customer.id, payment_method: paymentMethod.id, off_session: true }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'off_session' });
    await expect(
      stripe.paymentIntents.create({ amount: 1000, currency: 'jpy', customer: customer.id, payment_method: paymentMethod.id, allowed_payment_method_types: ['card'], confirm: true }),
    ).rejects.toMatchObject({ code: 'payment_intent_incompatible_payment_method' });
    await expect(stripe.paymentIntents.create({ amount: 1000, currency: 'jpy', customer: customer.id, confirm: true })).rejects.toMatchObject({ code: 'payment_intent_unexpected_state' });
    await expect(charge(customer.id, 'pm_missing')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'payment_method' });
    await expect(charge('cus_missing', paymentMethod.id)).rejects.toMatchObject({ statusCode: 404, param: 'customer' });
    await expect(charge(customer.id, paymentMethod.id, 10, 'usd')).rejects.toMatchObject({ code: 'amount_too_small' });
    await expect(stripe.paymentIntents.retrieve('pi_missing')).rejects.toMatchObject({ statusCode: 404, message: "No such payment_intent: 'pi_missing'" });
  });

  it('cancel, and manual capture', async () => {
    const { customer, paymentMethod } = await createCustomerWithSavedAmazonPay(stripe);
    const open = await stripe.paymentIntents.create({ amount: 1000, currency: 'jpy', customer: customer.id, allowed_payment_method_types: ['amazon_pay'] });
    expect(open.status).toBe('requires_payment_method');
    const canceled = await stripe.paymentIntents.cancel(open.id, { cancellation_reason: 'requested_by_customer' });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'requested_by_customer' });
    expect(canceled.canceled_at).toBeTypeOf('number');
    await expect(stripe.paymentIntents.cancel(open.id)).rejects.toMatchObject({ code: 'payment_intent_unexpected_state' });
    const auth = await stripe.paymentIntents.create({
      amount: 3000, currency: 'jpy', customer: customer.id, payment_method: paymentMethod.id, allowed_payment_method_types: ['amazon_pay'],
      capture_method: 'manual', off_session: true, confirm: true,
    });
    expect(auth.status).toBe('requires_capture');
    expect(auth.amount_capturable).toBe(3000);
    const cap = await stripe.paymentIntents.capture(auth.id, { amount_to_capture: 2000 });
    expect(cap).toMatchObject({ status: 'succeeded', amount_received: 2000 });
  });
});

describe('refunds', () => {
  it('full and partial, never more than what is left; async settle; list and retrieve', async () => {
    const { customer, paymentMethod } = await createCustomerWithSavedAmazonPay(stripe);
    const pi = await charge(customer.id, paymentMethod.id, 10000);
    const r1 = await stripe.refunds.create({ payment_intent: pi.id, amount: 3000, reason: 'requested_by_customer' });
    expect(r1).toMatchObject({ object: 'refund', amount: 3000, status: 'pending', payment_intent: pi.id, charge: pi.latest_charge, currency: 'jpy' });
    expect(r1.id).toMatch(/^re_/);
    expect((await stripe.refunds.retrieve(r1.id)).status).toBe('succeeded');
    const over = await stripe.refunds.create({ payment_intent: pi.id, amount: 7001 }).catch((e) => e);
    expect(over.statusCode).toBe(400);
    expect(over.code).toBe('amount_too_large');
    const rest = await stripe.refunds.create({ charge: pi.latest_charge as string });
    expect(rest.amount).toBe(7000);
    const ch = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(ch).toMatchObject({ amount_refunded: 10000, refunded: true });
    expect(ch.refunds?.data.map((r) => r.id)).toEqual([rest.id, r1.id]);
    const again = await stripe.refunds.create({ payment_intent: pi.id }).catch((e) => e);
    expect(again.code).toBe('charge_already_refunded');
    const list = await stripe.refunds.list({ payment_intent: pi.id });
    expect(list.data.map((r) => r.id)).toEqual([rest.id, r1.id]);
    const types = (await stripe.events.list({ limit: 50 })).data.map((e) => e.type);
    expect(types).toContain('refund.created');
    expect(types).toContain('refund.updated');
    expect(types).toContain('charge.refunded');
  });

  it('a failed refund gives the amount back (refund.failed)', async () => {
    const { customer, paymentMethod } = await createCustomerWithSavedAmazonPay(stripe);
    const pi = await charge(customer.id, paymentMethod.id, 20000);
    const r = await stripe.refunds.create({ payment_intent: pi.id, amount: 9904 });
    expect(r.status).toBe('pending');
    const settled = await stripe.refunds.retrieve(r.id);
    expect(settled.status).toBe('failed');
    expect(settled.failure_reason).toBe('declined');
    expect((await stripe.charges.retrieve(pi.latest_charge as string)).amount_refunded).toBe(0);
    expect((await stripe.events.list({ type: 'refund.failed', limit: 1 })).data[0].data.object).toMatchObject({ id: r.id });
    emulator.controls.setRefundOutcome({ outcome: 'fail' });
    const r2 = await stripe.refunds.create({ payment_intent: pi.id, amount: 100 });
    expect((await stripe.refunds.retrieve(r2.id)).status).toBe('failed');
  });

  it('refunding an unpaid intent fails', async () => {
    const open = await stripe.paymentIntents.create({ amount: 1000, currency: 'jpy', allowed_payment_method_types: ['amazon_pay'] });
    await expect(stripe.refunds.create({ payment_intent: open.id })).rejects.toMatchObject({ statusCode: 400, code: 'charge_not_refundable' });
  });
});
