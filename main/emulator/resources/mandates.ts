/** Mandates: created when an off-session setup succeeds; inactive once revoked or their method is detached. */
import type Stripe from 'stripe';
import { type KindInfo, retrieveHandler } from '../engine/crud.js';
import type { Emulator, ReqInfo, Resource } from '../engine/emulator.js';
import { missing } from '../engine/errors.js';
import { newId } from '../engine/ids.js';
import type { Obj } from '../engine/store.js';

export function createMandate(em: Emulator, pmId: string, acceptance: { ip: string; userAgent: string }): Obj {
  const m = {
    id: newId('mandate'),
    object: 'mandate',
    customer_acceptance: {
      accepted_at: em.now(),
      online: { ip_address: acceptance.ip, user_agent: acceptance.userAgent },
      type: 'online',
    },
    livemode: false,
    multi_use: {},
    payment_method: pmId,
    payment_method_details: { amazon_pay: {}, type: 'amazon_pay' } as Stripe.Mandate.PaymentMethodDetails,
    status: 'active',
    type: 'multi_use',
  } satisfies Stripe.Mandate;
  em.insert(m);
  em.store.meta(pmId).mandate = m.id;
  return m as Obj;
}

export function mandateOf(em: Emulator, pmId: string): Obj | undefined {
  const id = em.store.internal.get(pmId)?.mandate;
  return id ? em.store.objects.get(id) : undefined;
}

export function setMandateStatus(em: Emulator, mandateId: string, status: 'active' | 'inactive' | 'pending'): Obj {
  const m = em.getKind('mandate', mandateId);
  if (!m) throw missing('mandate', mandateId);
  if (m.status !== status) {
    const prev = m.status;
    m.status = status;
    em.touch();
    em.emit('mandate.updated', m, null, { status: prev });
  }
  em.flush();
  return m;
}


/** A detached method's mandates can no longer be used: they turn inactive (`mandate.updated`). */
export function deactivateMandatesOf(em: Emulator, req: ReqInfo | null, pmId: string): void {
  for (const mid of em.store.lists.get('mandate') ?? []) {
    const m = em.store.objects.get(mid)!;
    if (m.payment_method === pmId && m.status !== 'inactive') {
      const prevStatus = m.status;
      m.status = 'inactive';
      em.emit('mandate.updated', m, req, { status: prevStatus });
    }
  }
}

const MANDATE: KindInfo = { kind: 'mandate', idParam: 'mandate' };

export const mandates: Resource = {
  kind: 'mandate',
  routes: [{ method: 'GET', pattern: '/v1/mandates/:id', handler: retrieveHandler(MANDATE) }],
};
