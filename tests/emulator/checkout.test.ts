import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import type { RunningEmulator } from '../../main/emulator/index.js';
import { completeHostedPage, startEmulatorWithClient } from './helpers.js';

let emulator: RunningEmulator;
let stripe: Stripe;

beforeAll(async () => {
  ({ emulator, stripe } = await startEmulatorWithClient());
});
afterAll(() => emulator.stop());

const SUCCESS = 'http://127.0.0.1:45678/return?session_id={CHECKOUT_SESSION_ID}';
const CANCEL = 'http://127.0.0.1:45678/cancel';

async function setupSession(extra: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
  const customer = await stripe.customers.create({ email: 'setup@example.com', name: 'Setup Person' });
  const session = await stripe.checkout.sessions.create({
    mode: 'setup',
    customer: customer.id,
    allowed_payment_method_types: ['amazon_pay'],
    success_url: SUCCESS,
    cancel_url: CANCEL,
    metadata: { consent_id: 'consent-1' },
    setup_intent_data: { metadata: { consent_id: 'consent-1' }, description: 'charge later' },
    ...extra,
  });
  return { customer, session };
}

describe('checkout session, setup mode', () => {
  it('creates an open session with a SetupIntent and a hosted page url', async () => {
    const { customer, session } = await setupSession();
    expect(session.id).toMatch(/^cs_test_a1[A-Za-z0-9]{56}$/);
    expect(session).toMatchObject({
      object: 'checkout.session',
      mode: 'setup',
      status: 'open',
      payment_status: 'no_payment_required',
      customer: customer.id,
      allowed_payment_method_types: ['amazon_pay'],
      success_url: SUCCESS,
      cancel_url: CANCEL,
      metadata: { consent_id: 'consent-1' },
      ui_mode: 'hosted_page',
      livemode: false,
    });
    expect(session.url).toBe(`${emulator.origin}/checkout/pay/${session.id}`);
    expect(session.expires_at - session.created).toBe(24 * 3600);
    const si = await stripe.setupIntents.retrieve(session.setup_intent as string);
    expect(si).toMatchObject({
      status: 'requires_payment_method',
      usage: 'off_session',
      customer: customer.id,
      metadata: { consent_id: 'consent-1' },
      description: 'charge later',
      payment_method: null,
      mandate: null,
    });
    const page = await fetch(session.url!);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('Test mode');
    expect(html).toContain('Amazon Pay');
    expect(html).toContain('Continue to Amazon Pay');
    expect(html).toMatch(/setup/i);
  });

  it('authorize: SetupIntent succeeds, amazon_pay method attached, multi-use mandate, 303 to success_url', async () => {
    const { customer, session } = await setupSession();
    const ua = 'Mozilla/5.0 (X11; Linux) TestBrowser/1.0';
    // page 1 → continue
    const cont = await fetch(`${session.url}/continue`, { method: 'POST', redirect: 'manual', headers: { 'user-agent': ua } });
    expect(cont.status).toBe(303);
    expect(cont.headers.get('location')).toBe(`${session.url}/amazon_pay`);
    const mid = await stripe.setupIntents.retrieve(session.setup_intent as string);
    expect(mid.status).toBe('requires_action');
    expect(mid.next_action?.type).toBe('redirect_to_url');
    // page 2 has the two buttons and the cancel link
    const page2 = await (await fetch(`${session.url}/amazon_pay`)).text();
    expect(page2).toContain('<button type="submit">Authorize test setup</button>');
    expect(page2).toContain('Fail test setup</button>');
    expect(page2).toContain(`href="${CANCEL}"`);
    expect(page2).toContain('Cancel and return');
    const auth = await fetch(`${session.url}/authorize`, { method: 'POST', redirect: 'manual', headers: { 'user-agent': ua } });
    expect(auth.status).toBe(303);
    expect(auth.headers.get('location')).toBe(`http://127.0.0.1:45678/return?session_id=${session.id}`);

    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['setup_intent', 'setup_intent.payment_method'] });
    expect(done.status).toBe('complete');
    expect(done.url).toBeNull();
    expect(done.customer_details?.email).toBe('setup@example.com');
    const si = done.setup_intent as Stripe.SetupIntent;
    expect(si.status).toBe('succeeded');
    const pm = si.payment_method as Stripe.PaymentMethod;
    expect(pm).toMatchObject({ object: 'payment_method', type: 'amazon_pay', amazon_pay: {}, customer: customer.id });
    expect(pm.id).toMatch(/^pm_/);
    const mandate = await stripe.mandates.retrieve(si.mandate as string);
    expect(mandate).toMatchObject({
      object: 'mandate',
      status: 'active',
      type: 'multi_use',
      payment_method: pm.id,
      customer_acceptance: { type: 'online', online: { ip_address: '127.0.0.1', user_agent: ua } },
      payment_method_details: { type: 'amazon_pay' },
    });
    // not made the default automatically
    const c = (await stripe.customers.retrieve(customer.id)) as Stripe.Customer;
    expect(c.invoice_settings.default_payment_method).toBeNull();
    const pms = await stripe.customers.listPaymentMethods(customer.id, { type: 'amazon_pay' });
    expect(pms.data.map((p) => p.id)).toEqual([pm.id]);
    // events for the flow, in order
    const evs = await stripe.events.list({ limit: 20 });
    const types = evs.data.map((e) => e.type).reverse();
    expect(types.slice(-4)).toEqual(['setup_intent.requires_action', 'payment_method.attached', 'setup_intent.succeeded', 'checkout.session.completed']);
    // the page now says complete
    const again = await fetch(`${emulator.origin}/checkout/pay/${session.id}`);
    expect(await again.text()).toContain('already complete');
  });

  it('fail: last_setup_error, back to requires_payment_method, session stays open, 303 to cancel_url; retry works', async () => {
    const { session } = await setupSession();
    const r = await completeHostedPage(session.url!, 'fail');
    expect(r).toEqual({ status: 303, location: CANCEL });
    const s = await stripe.checkout.sessions.retrieve(session.id, { expand: ['setup_intent'] });
    expect(s.status).toBe('open');
    const si = s.setup_intent as Stripe.SetupIntent;
    expect(si.status).toBe('requires_payment_method');
    expect(si.payment_method).toBeNull();
    expect(si.last_setup_error).toMatchObject({ code: 'setup_intent_authentication_failure', type: 'invalid_request_error', payment_method_type: 'amazon_pay' });
    expect(si.last_setup_error?.message).toBeTruthy();
    const failed = await stripe.events.list({ type: 'setup_intent.setup_failed' });
    expect((failed.data[0].data.object as Stripe.SetupIntent).id).toBe(si.id);
    // second attempt succeeds
    const ok = await completeHostedPage(session.url!, 'authorize');
    expect(ok.location).toContain(session.id);
    const s2 = await stripe.checkout.sessions.retrieve(session.id, { expand: ['setup_intent'] });
    expect((s2.setup_intent as Stripe.SetupIntent).status).toBe('succeeded');
    expect((s2.setup_intent as Stripe.SetupIntent).last_setup_error).toBeNull();
  });

  it('fail without cancel_url goes back to page 1 with an error notice', async () => {
    const { session } = await setupSession({ cancel_url: undefined });
    const r = await completeHostedPage(session.url!, 'fail');
    expect(r.location).toBe(`${session.url}?error=failed`);
    const html = await (await fetch(r.location!)).text();
    expect(html).toContain('role="alert"');
  });

  it('expire: only open sessions; url gone; SetupIntent canceled; event', async () => {
    const { session } = await setupSession();
    const exp = await stripe.checkout.sessions.expire(session.id);
    expect(exp.status).toBe('expired');
    expect(exp.url).toBeNull();
    const si = await stripe.setupIntents.retrieve(session.setup_intent as string);
    expect(si.status).toBe('canceled');
    await expect(stripe.checkout.sessions.expire(session.id)).rejects.toMatchObject({ statusCode: 400 });
    const ev = await stripe.events.list({ type: 'checkout.session.expired', limit: 1 });
    expect((ev.data[0].data.object as Stripe.Checkout.Session).id).toBe(session.id);
    const page = await fetch(`${emulator.origin}/checkout/pay/${session.id}`);
    expect(page.status).toBe(410);
    const done = await setupSession();
    await completeHostedPage(done.session.url!, 'authorize');
    await expect(stripe.checkout.sessions.expire(done.session.id)).rejects.toMatchObject({ statusCode: 400, param: 'session' });
  });

  it('a session past expires_at reads as expired (emulator clock)', async () => {
    const now = emulator.controls.now();
    const { session } = await setupSession({ expires_at: now + 1800 });
    expect(session.expires_at).toBe(now + 1800);
    emulator.controls.advanceClock(1799);
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    emulator.controls.advanceClock(2);
    const s = await stripe.checkout.sessions.retrieve(session.id);
    expect(s.status).toBe('expired');
    expect(s.url).toBeNull();
    const listed = await stripe.checkout.sessions.list({ customer: session.customer as string, status: 'expired' });
    expect(listed.data.map((x) => x.id)).toContain(session.id);
    await expect(setupSession({ expires_at: emulator.controls.now() + 60 })).rejects.toMatchObject({ statusCode: 400, param: 'expires_at' });
  });

  it('lists with customer / status filters and expands data.setup_intent', async () => {
    const { customer, session } = await setupSession();
    const l = await stripe.checkout.sessions.list({ customer: customer.id, status: 'open', expand: ['data.setup_intent'] });
    expect(l.data).toHaveLength(1);
    expect(l.data[0].id).toBe(session.id);
    expect((l.data[0].setup_intent as Stripe.SetupIntent).object).toBe('setup_intent');
    expect((await stripe.checkout.sessions.list({ customer: customer.id, status: 'complete' })).data).toHaveLength(0);
  });

  it('validates: currency needed without allowed types, exclusive params, unknown customer, bad url', async () => {
    await expect(stripe.checkout.sessions.create({ mode: 'setup', success_url: 'https://x.test/ok' })).rejects.toMatchObject({ param: 'currency' });
    const withCurrency = await stripe.checkout.sessions.create({ mode: 'setup', currency: 'jpy', success_url: 'https://x.test/ok' });
    expect(withCurrency.currency).toBe('jpy');
    await expect(
      stripe.checkout.sessions.create({
        mode: 'setup',
        allowed_payment_method_types: ['amazon_pay'],
        excluded_payment_method_types: ['card'],
        success_url: 'https://x.test/ok',
      }),
    ).rejects.toMatchObject({ code: 'parameters_exclusive' });
    await expect(
      stripe.checkout.sessions.create({ mode: 'setup', allowed_payment_method_types: ['amazon_pay'], customer: 'cus_missing', success_url: 'https://x.test/ok' }),
    ).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'customer' });
    await expect(
      stripe.checkout.sessions.create({ mode: 'setup', allowed_payment_method_types: ['amazon_pay'], success_url: 'not a url' }),
    ).rejects.toMatchObject({ code: 'url_invalid', param: 'success_url' });
  });

  it('shows Japanese labels for locale ja (English names kept in the buttons)', async () => {
    const { session } = await setupSession({ locale: 'ja' });
    const html = await (await fetch(session.url!)).text();
    expect(html).toContain('lang="ja"');
    expect(html).toContain('テストモード');
    expect(html).toContain('Continue to Amazon Pay');
    await fetch(`${session.url}/continue`, { method: 'POST', redirect: 'manual' });
    const p2 = await (await fetch(`${session.url}/amazon_pay`)).text();
    expect(p2).toContain('テスト設定を承認 (Authorize test setup)');
  });

  it('unknown session page is 404', async () => {
    const r = await fetch(`${emulator.origin}/checkout/pay/cs_test_nope`);
    expect(r.status).toBe(404);
  });
});

describe('checkout session, payment and subscription modes', () => {
  it('payment mode: authorize test payment creates a succeeded PaymentIntent', async () => {
    const customer = await stripe.customers.create({ email: 'buyer@example.com' });
    const price = await stripe.prices.create({ currency: 'jpy', unit_amount: 1500, product_data: { name: 'Tea' } });
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      customer: customer.id,
      allowed_payment_method_types: ['amazon_pay'],
      line_items: [{ price: price.id, quantity: 2 }],
      success_url: SUCCESS,
      payment_intent_data: { metadata: { order: 'o-1' } },
    });
    expect(session).toMatchObject({ payment_status: 'unpaid', amount_total: 3000, currency: 'jpy', payment_intent: null });
    const html = await (await fetch(session.url!)).text();
    expect(html).toContain('¥3,000');
    await fetch(`${session.url}/continue`, { method: 'POST', redirect: 'manual' });
    const p2 = await (await fetch(`${session.url}/amazon_pay`)).text();
    expect(p2).toContain('Authorize test payment');
    expect(p2).toContain('Fail test payment');
    const r = await completeHostedPage(session.url!, 'authorize');
    expect(r.status).toBe(303);
    const s = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent.latest_charge', 'line_items'] });
    expect(s.status).toBe('complete');
    expect(s.payment_status).toBe('paid');
    const pi = s.payment_intent as Stripe.PaymentIntent;
    expect(pi).toMatchObject({ status: 'succeeded', amount: 3000, amount_received: 3000, currency: 'jpy', metadata: { order: 'o-1' } });
    expect((pi.latest_charge as Stripe.Charge).status).toBe('succeeded');
    expect(s.line_items?.data[0]).toMatchObject({ quantity: 2, amount_total: 3000 });
  });

  it('payment mode: fail test payment leaves the session open with a failed PaymentIntent', async () => {
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 2500, product_data: { name: 'Mug' } });
    const session = await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: price.id }], success_url: SUCCESS, cancel_url: CANCEL });
    const r = await completeHostedPage(session.url!, 'fail');
    expect(r.location).toBe(CANCEL);
    const s = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    expect(s.status).toBe('open');
    expect((s.payment_intent as Stripe.PaymentIntent).status).toBe('requires_payment_method');
    expect((s.payment_intent as Stripe.PaymentIntent).last_payment_error?.code).toBe('payment_method_provider_decline');
  });

  it('payment mode: a retry after a failed attempt keeps payment_intent_data (capture_method, setup_future_usage)', async () => {
    const customer = await stripe.customers.create({ email: 'retry@example.com' });
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 2500, product_data: { name: 'Mug' } });
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      customer: customer.id,
      line_items: [{ price: price.id }],
      success_url: SUCCESS,
      cancel_url: CANCEL,
      payment_intent_data: { capture_method: 'manual', setup_future_usage: 'off_session' },
    });
    await completeHostedPage(session.url!, 'fail');
    await completeHostedPage(session.url!, 'authorize');
    const s = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    expect(s.status).toBe('complete');
    expect(s.payment_intent).toMatchObject({ status: 'requires_capture', capture_method: 'manual', setup_future_usage: 'off_session', amount_capturable: 2500 });
  });

  it('subscription mode: authorize creates an active subscription paid by the saved method', async () => {
    const customer = await stripe.customers.create({ email: 'sub@example.com' });
    const price = await stripe.prices.create({ currency: 'eur', unit_amount: 990, recurring: { interval: 'month' }, product_data: { name: 'Plan' } });
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      allowed_payment_method_types: ['amazon_pay'],
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: SUCCESS,
    });
    await completeHostedPage(session.url!, 'authorize');
    const s = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription'] });
    const sub = s.subscription as Stripe.Subscription;
    expect(sub.status).toBe('active');
    expect(sub.default_payment_method).toMatch(/^pm_/);
    expect(s.invoice).toBe(sub.latest_invoice);
    const pm = await stripe.paymentMethods.retrieve(sub.default_payment_method as string);
    expect(pm.customer).toBe(customer.id);
  });
});

describe('hosted page and controls refuse cross-site requests', () => {
  it('a POST from another origin or a foreign Host header gets 403', async () => {
    const customer = await stripe.customers.create({});
    const session = await stripe.checkout.sessions.create({ mode: 'setup', customer: customer.id, allowed_payment_method_types: ['amazon_pay'], success_url: SUCCESS });
    const evil = await fetch(`${session.url}/continue`, { method: 'POST', redirect: 'manual', headers: { origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
    const reset = await fetch(`${emulator.origin}/_emulator/reset`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(reset.status).toBe(403);
    const same = await fetch(`${session.url}/continue`, { method: 'POST', redirect: 'manual', headers: { origin: emulator.origin } });
    expect(same.status).toBe(303);
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port: emulator.port, path: '/_emulator/health', headers: { host: 'attacker.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      r.on('error', reject);
      r.end();
    });
    expect(status).toBe(403);
  });
});
