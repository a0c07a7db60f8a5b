/** Invoices made by subscriptions (create and cycle), their payment attempts and `pay`. */
import type Stripe from 'stripe';
import { type KindInfo, listParams, requireObject, retrieveHandler } from '../engine/crud.js';
import type { Ctx, Emulator, ReqInfo, Resource } from '../engine/emulator.js';
import { invalid } from '../engine/errors.js';
import { newId } from '../engine/ids.js';
import { paginate } from '../engine/list.js';
import { parseParams, S } from '../engine/params.js';
import type { Obj } from '../engine/store.js';
import { clone, formatAmount } from '../engine/util.js';
import { paymentFailedError } from './charges.js';
import { invoicePayments } from './invoice-payments.js';
import { chargeInternal } from './payment-intents.js';
import { validatePaymentMethod } from './payment-methods.js';

export function buildInvoice(em: Emulator, sub: Obj, reason: string, periodStart: number, periodEnd: number, linePeriod: { start: number; end: number }, amountOverride?: number): Obj {
  const customer = em.store.objects.get(sub.customer)!;
  const id = newId('in');
  const lines = sub.items.data.map((item: Obj) => {
    const amount = amountOverride === 0 ? 0 : (item.price.unit_amount ?? 0) * item.quantity;
    const product = em.store.objects.get(item.price.product);
    return {
      id: newId('il'),
      object: 'line_item',
      amount,
      currency: sub.currency,
      description: `${item.quantity} × ${product?.name ?? 'Product'} (at ${formatAmount(item.price.unit_amount ?? 0, sub.currency)} / ${item.price.recurring.interval})`,
      discount_amounts: [],
      discountable: true,
      discounts: [],
      invoice: id,
      livemode: false,
      metadata: {},
      parent: {
        invoice_item_details: null,
        subscription_item_details: { invoice_item: null, proration: false, proration_details: { credited_items: null }, subscription: sub.id, subscription_item: item.id },
        type: 'subscription_item_details',
      },
      period: { end: linePeriod.end, start: linePeriod.start },
      pretax_credit_amounts: [],
      pricing: { price_details: { price: item.price.id, product: item.price.product }, type: 'price_details', unit_amount_decimal: item.price.unit_amount_decimal },
      quantity: item.quantity,
      // a Decimal in the SDK, a string on the wire
      quantity_decimal: String(item.quantity) as unknown as Stripe.InvoiceLineItem['quantity_decimal'],
      subscription: sub.id,
      subtotal: amount,
      taxes: [],
    } satisfies Stripe.InvoiceLineItem;
  });
  const total = lines.reduce((a: number, l: Obj) => a + l.amount, 0);
  const seq = customer.next_invoice_sequence ?? 1;
  customer.next_invoice_sequence = seq + 1;
  const now = em.now();
  const inv = {
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Stripe emulator (test mode)',
    account_tax_ids: null,
    amount_due: total,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: total,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: reason as Stripe.Invoice.BillingReason,
    collection_method: sub.collection_method,
    created: now,
    currency: sub.currency,
    custom_fields: null,
    customer: sub.customer,
    customer_account: null,
    customer_address: customer.address ?? null,
    customer_email: customer.email ?? null,
    customer_name: customer.name ?? null,
    customer_phone: customer.phone ?? null,
    customer_shipping: customer.shipping ?? null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: sub.collection_method === 'send_invoice' ? now + 86400 * (sub.days_until_due ?? 30) : null,
    effective_at: now,
    ending_balance: 0,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: lines, has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: `${customer.invoice_prefix ?? 'EMU'}-${String(seq).padStart(4, '0')}`,
    on_behalf_of: null,
    parent: {
      quote_details: null,
      subscription_details: { metadata: clone(sub.metadata), subscription: sub.id },
      type: 'subscription_details',
    } as Stripe.Invoice.Parent,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: periodEnd,
    period_start: periodStart,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'open',
    status_transitions: { finalized_at: now, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subtotal: total,
    subtotal_excluding_tax: total,
    test_clock: null,
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: now,
  } satisfies Stripe.Invoice;
  em.insert(inv);
  em.store.meta(id).payments = [];
  return inv as Obj;
}

export function markInvoicePaid(em: Emulator, req: ReqInfo | null, inv: Obj, amount: number): void {
  const prev = { status: inv.status, amount_paid: inv.amount_paid, amount_remaining: inv.amount_remaining };
  inv.status = 'paid';
  inv.amount_paid = amount;
  inv.amount_remaining = 0;
  inv.status_transitions = { ...inv.status_transitions, paid_at: em.now() };
  inv.next_payment_attempt = null;
  em.touch();
  em.emit('invoice.paid', inv, req, prev);
  em.emit('invoice.payment_succeeded', inv, req, prev);
}

/** Attempt to pay an open invoice with a payment method; returns whether it is now paid. */
export function payInvoice(em: Emulator, req: ReqInfo | null, inv: Obj, pmId: string | null, offSession: boolean): boolean {
  if (inv.amount_remaining === 0) {
    markInvoicePaid(em, req, inv, 0);
    return true;
  }
  if (!pmId) {
    inv.attempted = true;
    inv.attempt_count += 1;
    em.emit('invoice.payment_failed', inv, req);
    return false;
  }
  const pi = chargeInternal(em, req, {
    amount: inv.amount_remaining,
    currency: inv.currency,
    customer: inv.customer,
    paymentMethod: pmId,
    metadata: {},
    description: inv.billing_reason === 'subscription_create' ? 'Subscription creation' : 'Subscription update',
    setupFutureUsage: null,
    captureMethod: 'automatic',
    offSession,
  });
  (em.store.meta(inv.id).payments ??= []).push(pi.id);
  inv.attempted = true;
  inv.attempt_count += 1;
  em.touch();
  if (pi.status === 'succeeded') {
    markInvoicePaid(em, req, inv, pi.amount);
    return true;
  }
  inv.next_payment_attempt = null;
  em.emit('invoice.payment_failed', inv, req);
  return false;
}

/** The 402 for an invoice whose latest payment attempt failed (undefined if it has none). */
export function lastPaymentFailure(em: Emulator, inv: Obj) {
  const piId = (em.store.internal.get(inv.id)?.payments ?? []).at(-1);
  const pi = piId ? em.store.objects.get(piId) : undefined;
  return pi?.last_payment_error ? paymentFailedError(pi) : undefined;
}

function invoiceList(ctx: Ctx): Obj {
  const p = listParams(ctx, { customer: S.str(), subscription: S.str(), status: S.str(), collection_method: S.str(), due_date: S.range(), customer_account: S.str() });
  return paginate(
    ctx.em,
    'invoice',
    '/v1/invoices',
    p,
    (o) => (!p.customer || o.customer === p.customer) && (!p.subscription || o.parent?.subscription_details?.subscription === p.subscription) && (!p.status || o.status === p.status),
    'invoice',
  );
}

function invoiceLines(ctx: Ctx, id: string): Obj {
  listParams(ctx, {});
  const inv = requireObject(ctx.em, 'invoice', 'invoice', id, 'invoice');
  return inv.lines;
}

function invoicePay(ctx: Ctx, id: string): Obj {
  const { em } = ctx;
  const p = parseParams(ctx.tree, { payment_method: S.str(), off_session: S.bool(), forgive: S.bool(), mandate: S.str(), paid_out_of_band: S.bool(), source: S.str() });
  const inv = requireObject(em, 'invoice', 'invoice', id, 'invoice');
  if (inv.status !== 'open') throw invalid(`Invoice is already ${inv.status}.`, { code: 'invoice_not_editable', param: 'invoice' });
  if (p.paid_out_of_band) {
    markInvoicePaid(em, ctx, inv, 0);
  } else {
    const sub = inv.parent?.subscription_details?.subscription ? em.store.objects.get(inv.parent.subscription_details.subscription) : undefined;
    const customer = em.store.objects.get(inv.customer);
    const pmId = p.payment_method ?? sub?.default_payment_method ?? customer?.invoice_settings?.default_payment_method ?? null;
    if (!pmId) throw invalid('This invoice cannot be paid because the customer has no default payment method.', { code: 'invoice_no_payment_method_types', param: 'payment_method' });
    const pm = validatePaymentMethod(em, pmId, inv.customer, null);
    const ok = payInvoice(em, ctx, inv, pm.id, p.off_session ?? true);
    if (sub && ok && ['incomplete', 'past_due', 'unpaid'].includes(sub.status)) {
      const prev = { status: sub.status };
      sub.status = 'active';
      em.emit('customer.subscription.updated', sub, ctx, prev);
    }
    const failure = ok ? undefined : lastPaymentFailure(em, inv);
    if (failure) throw failure;
  }
  return inv;
}


const INVOICE: KindInfo = { kind: 'invoice', idParam: 'invoice' };

export const invoices: Resource = {
  kind: 'invoice',
  routes: [
    { method: 'GET', pattern: '/v1/invoices', handler: invoiceList },
    { method: 'GET', pattern: '/v1/invoices/:id', handler: retrieveHandler(INVOICE) },
    { method: 'GET', pattern: '/v1/invoices/:id/lines', handler: invoiceLines },
    { method: 'POST', pattern: '/v1/invoices/:id/pay', handler: invoicePay },
  ],
  includable: { payments: invoicePayments },
};
