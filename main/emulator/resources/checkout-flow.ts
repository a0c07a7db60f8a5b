/** What the hosted test page (and the matching test controls) do to a Checkout Session: continue, authorize, fail. */
import type Stripe from 'stripe';
import { AUTOMATIC, type Emulator } from '../engine/emulator.js';
import { invalid } from '../engine/errors.js';
import type { Obj } from '../engine/store.js';
import type { AttemptOutcome } from './charges.js';
import { type LineItemRef, openSessions, refreshSession, sessionUrl } from './checkout-sessions.js';
import { buildCustomer } from './customers.js';
import { createMandate } from './mandates.js';
import { chargeInternal } from './payment-intents.js';
import { attachPaymentMethod, buildAmazonPayMethod } from './payment-methods.js';
import { failSetup, startSetupAttempt, succeedSetup } from './setup-intents.js';
import { createSubscriptionInternal } from './subscriptions.js';

export interface Acceptance {
  ip: string;
  userAgent: string;
}

/** Page 1 "Continue to Amazon Pay". */
export function continueSession(em: Emulator, s: Obj): void {
  if (s.status !== 'open') return;
  const meta = em.store.meta(s.id);
  const customer = s.customer ? em.store.objects.get(s.customer) : undefined;
  const email = customer?.email ?? s.customer_email ?? null;
  const pm = buildAmazonPayMethod(em, { email, name: customer?.name ?? null });
  meta.pendingPaymentMethod = pm.id;
  if (s.mode === 'setup' && s.setup_intent) {
    const si = em.store.objects.get(s.setup_intent)!;
    startSetupAttempt(em, si, pm, `${sessionUrl(em, s.id)}/amazon_pay`, sessionUrl(em, s.id));
  }
  em.touch();
}

function ensureStarted(em: Emulator, s: Obj): string {
  const meta = em.store.meta(s.id);
  const pending = meta.pendingPaymentMethod as string | undefined;
  const si = s.setup_intent ? em.store.objects.get(s.setup_intent) : undefined;
  if (!pending || (si && si.status !== 'requires_action')) continueSession(em, s);
  return em.store.meta(s.id).pendingPaymentMethod as string;
}

function customerDetails(em: Emulator, s: Obj): Stripe.Checkout.Session.CustomerDetails {
  const c = s.customer ? em.store.objects.get(s.customer) : undefined;
  return {
    address: c?.address ?? null,
    business_name: null,
    email: c?.email ?? s.customer_email ?? null,
    individual_name: null,
    name: c?.name ?? null,
    phone: c?.phone ?? null,
    tax_exempt: 'none',
    tax_ids: [],
  };
}

function ensureCustomer(em: Emulator, s: Obj): string {
  if (s.customer) return s.customer;
  const c = buildCustomer(em, { email: s.customer_email });
  em.emit('customer.created', c, null);
  s.customer = c.id;
  return c.id;
}

/** One payment attempt for a payment-mode session, on its PaymentIntent (made by the first attempt) as `payment_intent_data` says. */
function chargeSession(em: Emulator, s: Obj, pmId: string, outcome: AttemptOutcome): void {
  const pid: Obj = em.store.meta(s.id).paymentIntentData ?? {};
  const pi = chargeInternal(em, null, {
    existing: s.payment_intent ? em.store.objects.get(s.payment_intent) : undefined,
    amount: s.amount_total,
    currency: s.currency,
    customer: s.customer,
    paymentMethod: pmId,
    metadata: pid.metadata ?? {},
    description: pid.description ?? null,
    setupFutureUsage: pid.setup_future_usage ?? null,
    captureMethod: pid.capture_method ?? 'automatic',
    outcome,
    offSession: false,
  });
  s.payment_intent = pi.id;
}

function complete(em: Emulator, s: Obj, extra: Obj): void {
  const prev = { status: s.status, url: s.url, payment_status: s.payment_status };
  Object.assign(s, extra);
  s.status = 'complete';
  s.url = null;
  s.customer_details = customerDetails(em, s);
  openSessions(em).delete(s.id);
  em.touch();
  em.emit('checkout.session.completed', s, null, prev);
}

/** Page 2 "Authorize test setup/payment". */
export function authorizeSession(em: Emulator, s: Obj, acceptance: Acceptance): void {
  refreshSession(em, s);
  if (s.status !== 'open') throw invalid(`This Checkout Session is ${s.status}.`);
  const pmId = ensureStarted(em, s);
  const meta = em.store.meta(s.id);
  if (s.mode === 'setup') {
    const si = em.store.objects.get(s.setup_intent)!;
    succeedSetup(em, si, acceptance);
    complete(em, s, {});
    return;
  }
  const lineItems: LineItemRef[] = meta.lineItems ?? [];
  if (s.mode === 'payment') {
    const pid: Obj = meta.paymentIntentData ?? {};
    if (s.customer_creation === 'always') ensureCustomer(em, s);
    const reuse = pid.setup_future_usage === 'off_session' || pid.setup_future_usage === 'on_session';
    if (s.customer && reuse) {
      attachPaymentMethod(em, AUTOMATIC, pmId, s.customer);
      if (pid.setup_future_usage === 'off_session') createMandate(em, pmId, acceptance);
    }
    chargeSession(em, s, pmId, 'succeed');
    if (!reuse) em.store.meta(pmId).consumed = true;
    complete(em, s, { payment_status: 'paid' });
    return;
  }
  // subscription
  const customerId = ensureCustomer(em, s);
  attachPaymentMethod(em, AUTOMATIC, pmId, customerId);
  createMandate(em, pmId, acceptance);
  const sd: Obj = meta.subscriptionData ?? {};
  const sub = createSubscriptionInternal(em, null, {
    customer: customerId,
    items: lineItems.map((l) => ({ price: l.price, quantity: l.quantity })),
    defaultPaymentMethod: pmId,
    metadata: sd.metadata ?? {},
    description: sd.description ?? null,
    trialPeriodDays: sd.trial_period_days ?? null,
    paymentBehavior: 'allow_incomplete',
    billingMode: sd.billing_mode,
  });
  complete(em, s, { subscription: sub.id, invoice: sub.latest_invoice, payment_status: sub.status === 'active' || sub.status === 'trialing' ? 'paid' : 'unpaid' });
}

/** Page 2 "Fail test setup/payment": the attempt fails, the session stays open. */
export function failSession(em: Emulator, s: Obj): void {
  refreshSession(em, s);
  if (s.status !== 'open') throw invalid(`This Checkout Session is ${s.status}.`);
  const pmId = ensureStarted(em, s);
  const meta = em.store.meta(s.id);
  if (s.mode === 'setup') {
    failSetup(em, em.store.objects.get(s.setup_intent)!);
  } else {
    if (s.mode === 'payment') chargeSession(em, s, pmId, 'decline');
    em.store.meta(pmId).consumed = true;
  }
  delete meta.pendingPaymentMethod;
  em.touch();
}
