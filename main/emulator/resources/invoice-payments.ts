/** InvoicePayments: one per PaymentIntent an invoice made (read-only, derived from the invoice). */
import type Stripe from 'stripe';
import { listParams, requireObject } from '../engine/crud.js';
import type { Ctx, Emulator, Resource } from '../engine/emulator.js';
import { missing } from '../engine/errors.js';
import { parseLimit } from '../engine/list.js';
import { parseParams, S } from '../engine/params.js';
import type { Obj } from '../engine/store.js';

export function invoicePayments(em: Emulator, inv: Obj): Obj {
  const ids: string[] = em.store.internal.get(inv.id)?.payments ?? [];
  const data = ids.map((piId, i) => invoicePaymentObject(em, inv, piId, i === ids.length - 1)).reverse();
  return { object: 'list', data, has_more: false, url: `/v1/invoice_payments?invoice=${inv.id}` };
}

export function invoicePaymentObject(em: Emulator, inv: Obj, piId: string, isDefault: boolean): Obj {
  const pi = em.store.objects.get(piId)!;
  const ip = {
    id: `inpay_${piId.slice(3)}`,
    object: 'invoice_payment',
    amount_paid: pi.status === 'succeeded' ? pi.amount_received : null,
    amount_requested: pi.amount,
    created: pi.created,
    currency: pi.currency,
    invoice: inv.id,
    is_default: isDefault,
    livemode: false,
    payment: { payment_intent: piId, type: 'payment_intent' },
    status: pi.status === 'succeeded' ? 'paid' : pi.status === 'canceled' ? 'canceled' : 'open',
    status_transitions: { canceled_at: pi.canceled_at ?? null, paid_at: pi.status === 'succeeded' ? pi.created : null },
  } satisfies Stripe.InvoicePayment;
  return ip as Obj;
}

function invoicePaymentList(ctx: Ctx): Obj {
  const p = listParams(ctx, { invoice: S.str(), payment: S.obj({ payment_intent: S.str(), payment_record: S.str(), type: S.str() }), status: S.str() });
  let data: Obj[] = [];
  const invoices = p.invoice ? [requireObject(ctx.em, 'invoice', 'invoice', p.invoice, 'invoice')] : (ctx.em.store.lists.get('invoice') ?? []).map((id) => ctx.em.store.objects.get(id)!).reverse();
  for (const inv of invoices) data.push(...invoicePayments(ctx.em, inv).data);
  if (p.payment?.payment_intent) data = data.filter((d) => d.payment.payment_intent === p.payment.payment_intent);
  if (p.status) data = data.filter((d) => d.status === p.status);
  const limit = parseLimit(p.limit);
  return { object: 'list', data: data.slice(0, limit), has_more: data.length > limit, url: '/v1/invoice_payments' };
}

function invoicePaymentRetrieve(ctx: Ctx, id: string): Obj {
  parseParams(ctx.tree, {});
  const piId = `pi_${id.replace(/^inpay_/, '')}`;
  for (const invId of ctx.em.store.lists.get('invoice') ?? []) {
    const ids: string[] = ctx.em.store.internal.get(invId)?.payments ?? [];
    if (ids.includes(piId)) return invoicePaymentObject(ctx.em, ctx.em.store.objects.get(invId)!, piId, ids.at(-1) === piId);
  }
  throw missing('invoice_payment', id);
}


export const invoicePaymentResource: Resource = {
  kind: 'invoice_payment',
  routes: [
    { method: 'GET', pattern: '/v1/invoice_payments', handler: invoicePaymentList },
    { method: 'GET', pattern: '/v1/invoice_payments/:id', handler: invoicePaymentRetrieve },
  ],
};
