import { afterEach, describe, expect, it } from 'vitest';
import type { ConsentView, CustomerView, Events, Language, MandateParams, SetupView } from '../../preload/contract';
import { withSessionIdPlaceholder } from '../../main/core/setups';
import { isAllowedCheckoutUrl } from '../../main/core/urls';
import { signInManager, startTestCore, type TestCore, callError } from '../helpers/core';
import { completeHostedSetup, isoDate, mandateParams, readStoredData } from '../helpers/saved-method';
import type { CoreDeps } from '../../main/core/ports';

// ---------------------------------------------------------------- pure helpers

describe('isAllowedCheckoutUrl', () => {
  const live = ['https://checkout.stripe.com'];
  const training = ['https://checkout.stripe.com', 'http://127.0.0.1:43123'];
  it.each([
    ['https://checkout.stripe.com/c/pay/cs_test_a1#fragment', live],
    ['https://checkout.stripe.com:443/c/pay/cs_live_a1', live],
    ['http://127.0.0.1:43123/checkout/pay/cs_test_1', training],
  ])('allows %s', (url, origins) => {
    expect(isAllowedCheckoutUrl(url, origins)).toBe(true);
  });
  it.each([
    ['lookalike host', 'https://checkout.stripe.com.evil.com/c/pay/cs_1', live],
    ['allowed host only in the path', 'https://evil.com/checkout.stripe.com', live],
    ['userinfo', 'https://checkout.stripe.com@evil.com/c/pay', live],
    ['userinfo on the right host', 'https://user:pw@checkout.stripe.com/c/pay', live],
    ['plain http to Stripe', 'http://checkout.stripe.com/c/pay', live],
    ['other port', 'https://checkout.stripe.com:8443/c/pay', live],
    ['subdomain', 'https://evil.checkout.stripe.com/c/pay', live],
    ['javascript scheme', 'javascript:alert(1)', live],
    ['file scheme', 'file:///etc/passwd', live],
    ['data scheme', 'data:text/html,<script>alert(1)</script>', live],
    ['not a URL', 'checkout.stripe.com/c/pay', live],
    ['embedded newline', 'https://checkout.stripe.com/c/\npay', live],
    ['embedded control character', 'https://checkout.stripe.com/c/\u0007pay', live],
    ['leading space', ' https://checkout.stripe.com/c/pay', live],
    ['loopback not listed', 'http://127.0.0.1:43123/checkout/pay/cs_1', live],
    ['loopback on another port', 'http://127.0.0.1:9999/checkout/pay/cs_1', training],
    ['localhost spelled differently from the listed origin', 'http://localhost:43123/checkout/pay/cs_1', training],
    ['http to a listed non-loopback origin', 'http://shop.example/pay', ['http://shop.example']],
  ])('refuses %s', (_label, url, origins) => {
    expect(isAllowedCheckoutUrl(url, origins)).toBe(false);
  });
  it('refuses everything when nothing is listed', () => {
    expect(isAllowedCheckoutUrl('https://checkout.stripe.com/c/pay', [])).toBe(false);
  });
});

describe('withSessionIdPlaceholder', () => {
  it('appends the literal placeholder with the right separator, before any fragment', () => {
    expect(withSessionIdPlaceholder('http://127.0.0.1:5/return/success?setup=setup_1')).toBe(
      'http://127.0.0.1:5/return/success?setup=setup_1&session_id={CHECKOUT_SESSION_ID}',
    );
    expect(withSessionIdPlaceholder('http://127.0.0.1:5/return/setup_1')).toBe('http://127.0.0.1:5/return/setup_1?session_id={CHECKOUT_SESSION_ID}');
    expect(withSessionIdPlaceholder('http://127.0.0.1:5/r?a=1#top')).toBe('http://127.0.0.1:5/r?a=1&session_id={CHECKOUT_SESSION_ID}#top');
  });
});

// ---------------------------------------------------------------- through the dispatcher, against the emulator

let t: TestCore | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

interface Started {
  t: TestCore;
  customer: CustomerView;
  consent: ConsentView;
  events: SetupView[];
}

async function withConsent(options: { deps?: Partial<CoreDeps>; params?: Partial<MandateParams>; language?: Language } = {}): Promise<Started> {
  t = await startTestCore({ deps: options.deps });
  await signInManager(t);
  const events: SetupView[] = [];
  t.core.subscribe((event, payload) => {
    if (event === 'setup.updated') events.push(payload as Events['setup.updated']);
  });
  const language = options.language ?? 'ja';
  const { customer } = await t.call('customers.create', { name: 'Hanako Yamada', email: `hanako.${Date.now()}@example.jp`, language });
  const params = mandateParams(options.params);
  const terms = await t.call('terms.render', { customerId: customer.id, language, params });
  const consent = await t.call('consents.record', {
    customerId: customer.id,
    language,
    params,
    shownSha256: terms.sha256,
    typedName: 'Hanako Yamada',
    accepted: true,
    staffConfirmed: true,
    timeZone: 'UTC',
  });
  return { t, customer, consent, events };
}


const requestsSince = (tc: TestCore, from: number) => tc.emulator.requestLog.slice(from).map((r) => `${r.method} ${r.path}`);

/** The first form on a page whose action ends with `/suffix`. */
function formAction(html: string, suffix: string): string {
  const action = [...html.matchAll(/<form\b[^>]*\baction="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&')).find((a) => a.endsWith(`/${suffix}`));
  if (!action) throw new Error(`no form posting to …/${suffix} on the page`);
  return action;
}

describe('setups: success path', () => {
  it('creates the session, opens it, and saves the method when the customer returns', async () => {
    const { t, customer, consent, events } = await withConsent();
    const logStart = t.emulator.requestLog.length;
    const started = await t.call('setups.start', { consentId: consent.id });

    // Stripe's clock is read (for expires_at), then one create, with the idempotency key derived from our setup id
    expect(requestsSince(t, logStart)).toEqual(['GET /v1/customers', 'POST /v1/checkout/sessions']);
    expect(t.emulator.requestLog.at(-1)?.idempotencyKey).toBe(`setup-${started.id}`);
    expect(started).toMatchObject({ status: 'open', customerId: customer.id, consentId: consent.id, failure: null, finishedAt: null });
    expect(started.checkoutSessionId).toMatch(/^cs_test_/);
    expect(t.opened).toEqual([started.url]);
    expect(isAllowedCheckoutUrl(t.opened[0], [t.emulator.origin])).toBe(true);
    // in-store setups expire after 30 minutes (and a minute's margin for Stripe's lower limit)
    expect(Date.parse(started.expiresAt) - Date.parse(started.createdAt)).toBe(31 * 60_000);
    expect(events.map((e) => e.status)).toEqual(['open']);
    expect(await t.call('setups.listOpen', {})).toEqual([started]);

    // what Stripe was asked for
    const session = t.emulator.controls.getObject(started.checkoutSessionId)!;
    expect(session).toMatchObject({
      mode: 'setup',
      customer: customer.stripeCustomerId,
      locale: 'ja',
      status: 'open',
      success_url: `http://127.0.0.1:9/return/success?setup=${started.id}&session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `http://127.0.0.1:9/return/cancel?setup=${started.id}`,
      metadata: { mandate_desk_consent_id: consent.id, mandate_desk_setup_id: started.id, mandate_desk_customer_id: customer.id },
    });
    expect(session.allowed_payment_method_types).toEqual(['amazon_pay']);
    const intent = t.emulator.controls.getObject(session.setup_intent)!;
    // the session's own ids, and what another desk needs of the consent (stripe-share.ts)
    expect(intent.metadata).toMatchObject({ ...session.metadata, mandate_desk_text_sha256: consent.textSha256, mandate_desk_terms_version: consent.termsVersion });
    expect(intent.description).toContain(consent.params.purpose);

    // the customer's browser: page 1 → continue → Amazon Pay page → authorize → back to our return page
    const page1 = await fetch(t.opened[0], { redirect: 'manual' });
    expect(page1.status).toBe(200);
    const continued = await fetch(formAction(await page1.text(), 'continue'), { method: 'POST', redirect: 'manual', body: new URLSearchParams({ payment_method: 'amazon_pay' }) });
    expect(continued.status).toBe(303);
    const amazonPage = await fetch(new URL(continued.headers.get('location')!, t.opened[0]), { redirect: 'manual' });
    expect(amazonPage.status).toBe(200);
    const authorized = await fetch(formAction(await amazonPage.text(), 'authorize'), { method: 'POST', redirect: 'manual' });
    expect(authorized.status).toBe(303);
    expect(authorized.headers.get('location')).toBe(`http://127.0.0.1:9/return/success?setup=${started.id}&session_id=${started.checkoutSessionId}`);

    // nothing is known locally until core looks
    expect((await readStoredData(t)).setups[0].status).toBe('open');

    const logBefore = t.emulator.requestLog.length;
    await t.core.completeFromReturn(started.id);
    // exactly one retrieve, with the SetupIntent and its payment method expanded
    expect(requestsSince(t, logBefore)).toEqual([`GET /v1/checkout/sessions/${started.checkoutSessionId}`]);

    const stored = await readStoredData(t);
    const setup = stored.setups[0];
    expect(setup).toMatchObject({ status: 'succeeded', url: null, failure: null });
    expect(setup.setupIntentId).toBe(session.setup_intent);
    expect(setup.paymentMethodId).toMatch(/^pm_/);
    expect(setup.mandateId).toMatch(/^mandate_/);
    expect(setup.finishedAt).not.toBeNull();
    expect(stored.savedMethods).toEqual([
      {
        paymentMethodId: setup.paymentMethodId,
        type: 'amazon_pay',
        customerId: customer.id,
        consentId: consent.id,
        setupId: started.id,
        setupIntentId: setup.setupIntentId,
        mandateId: setup.mandateId,
        savedAt: setup.finishedAt,
        detachedAt: null,
        // what Stripe's PaymentMethod says the customer recognises it by (the wallet's e-mail and name)
        billingEmail: customer.email,
        billingName: customer.name,
      },
    ]);
    // the method Stripe saved is the customer's Amazon Pay
    const pm = t.emulator.controls.getObject(setup.paymentMethodId!)!;
    expect(pm).toMatchObject({ type: 'amazon_pay', customer: customer.stripeCustomerId });
    expect(events.map((e) => e.status)).toEqual(['open', 'succeeded']);

    // the consent shows its links; the customer detail shows the saved method
    const linked = await t.call('consents.get', { consentId: consent.id });
    expect(linked.links).toEqual({
      checkoutSessionId: started.checkoutSessionId,
      setupIntentId: setup.setupIntentId,
      paymentMethodId: setup.paymentMethodId,
      mandateId: setup.mandateId,
    });
    const detail = await t.call('customers.get', { customerId: customer.id });
    expect(detail.savedMethods.map((m) => [m.paymentMethodId, m.status])).toEqual([[setup.paymentMethodId, 'active']]);
    expect(detail.setups.map((s) => s.status)).toEqual(['succeeded']);
    expect(await t.call('setups.listOpen', {})).toEqual([]);

    // every later path finds it finished: no Stripe request, no write, no duplicate method, no event
    const fileBefore = JSON.stringify(await readStoredData(t));
    const logAfter = t.emulator.requestLog.length;
    await t.core.completeFromReturn(started.id);
    expect((await t.call('setups.check', { setupId: started.id })).status).toBe('succeeded');
    expect((await t.call('setups.cancel', { setupId: started.id })).status).toBe('succeeded');
    expect(t.emulator.requestLog.length).toBe(logAfter);
    expect(JSON.stringify(await readStoredData(t))).toBe(fileBefore);
    expect(events).toHaveLength(2);
  });

  it('refreshes an open session that has not finished without writing anything', async () => {
    const { t, consent, events } = await withConsent();
    const started = await t.call('setups.start', { consentId: consent.id });
    await t.core.stripeShare.idle(); // the consent's evidence upload (in the background) is done first
    const before = JSON.stringify(await readStoredData(t));
    const logBefore = t.emulator.requestLog.length;
    const checked = await t.call('setups.check', { setupId: started.id });
    expect(checked).toEqual(started);
    expect(requestsSince(t, logBefore)).toEqual([`GET /v1/checkout/sessions/${started.checkoutSessionId}`]);
    expect(JSON.stringify(await readStoredData(t))).toBe(before);
    expect(events).toHaveLength(1);
  });

  it('joins concurrent completions into one Stripe request and one saved method', async () => {
    const { t, consent } = await withConsent();
    const started = await t.call('setups.start', { consentId: consent.id });
    await completeHostedSetup(t, t.opened[0], 'authorize');
    const logBefore = t.emulator.requestLog.length;
    await Promise.all([t.core.completeFromReturn(started.id), t.call('setups.check', { setupId: started.id }), t.core.completeFromReturn(started.id)]);
    expect(requestsSince(t, logBefore)).toEqual([`GET /v1/checkout/sessions/${started.checkoutSessionId}`]);
    expect((await readStoredData(t)).savedMethods).toHaveLength(1);
  });
});

describe('setups: refusals', () => {
  it('refuses an unknown consent (consent_required) and a second open setup for the customer (conflict)', async () => {
    const { t, consent } = await withConsent();
    expect((await callError(t.call('setups.start', { consentId: 'consent_nope' }))).code).toBe('consent_required');
    const first = await t.call('setups.start', { consentId: consent.id });
    const logBefore = t.emulator.requestLog.length;
    const conflict = await callError(t.call('setups.start', { consentId: consent.id }));
    expect(conflict.code).toBe('conflict');
    // the message names the open setup and what to do with it
    expect(conflict.message).toContain(first.id);
    expect(conflict.message).toMatch(/resume, show the link again or cancel it/);
    expect(t.emulator.requestLog.length).toBe(logBefore);
    expect((await readStoredData(t)).setups.map((s) => s.id)).toEqual([first.id]);
    expect(t.opened).toHaveLength(1);
  });

  it('refuses a consent whose end date has passed (consent_inactive)', async () => {
    const { t, consent } = await withConsent({ params: { startDate: isoDate(-60), endDate: isoDate(-2) } });
    expect(consent.status).toBe('expired');
    const logBefore = t.emulator.requestLog.length;
    expect((await callError(t.call('setups.start', { consentId: consent.id }))).code).toBe('consent_inactive');
    expect(t.emulator.requestLog.length).toBe(logBefore);
    expect((await readStoredData(t)).setups).toEqual([]);
  });

  it('refuses a withdrawn consent (consent_inactive)', async () => {
    const { t, consent } = await withConsent();
    await t.call('consents.withdraw', { consentId: consent.id, reason: 'Customer changed their mind' });
    expect((await callError(t.call('setups.start', { consentId: consent.id }))).code).toBe('consent_inactive');
    expect((await readStoredData(t)).setups).toEqual([]);
  });

  it('allows a consent that starts in the future (the method is saved now, charged later)', async () => {
    const { t, consent } = await withConsent({ params: { startDate: isoDate(10) } });
    expect(consent.status).toBe('not_started');
    expect((await t.call('setups.start', { consentId: consent.id })).status).toBe('open');
  });

  it('refuses a Checkout URL that is not on the allowlist: closes the session, stores and opens nothing', async () => {
    const { t, customer, consent } = await withConsent({ deps: { allowedCheckoutOrigins: ['https://checkout.stripe.com'] } });
    const error = await callError(t.call('setups.start', { consentId: consent.id }));
    expect(error.code).toBe('url_not_allowed');
    expect(t.opened).toEqual([]);
    expect((await readStoredData(t)).setups).toEqual([]);
    const sessions = await t.core.env.stripe.checkout.sessions.list({ customer: customer.stripeCustomerId });
    expect(sessions.data.map((s) => s.status)).toEqual(['expired']);
  });

  it('needs a signed-in staff member', async () => {
    const { t, consent } = await withConsent();
    await t.call('auth.signOut', {});
    expect((await callError(t.call('setups.start', { consentId: consent.id }))).code).toBe('not_signed_in');
    expect((await callError(t.call('setups.check', { setupId: 'setup_x' }))).code).toBe('not_signed_in');
  });

  it('answers not_found for unknown setups', async () => {
    const { t } = await withConsent();
    for (const channel of ['setups.check', 'setups.cancel', 'setups.reopen'] as const) {
      expect((await callError(t.call(channel, { setupId: 'setup_nope' }))).code).toBe('not_found');
    }
    await expect(t.core.completeFromReturn('setup_nope')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('setups: failure, cancel, expiry, reopen', () => {
  it('records a failed setup, closes its session, and saves nothing', async () => {
    const { t, consent, events } = await withConsent();
    const started = await t.call('setups.start', { consentId: consent.id });
    await completeHostedSetup(t, t.opened[0], 'fail');
    const logBefore = t.emulator.requestLog.length;
    const failed = await t.call('setups.check', { setupId: started.id });
    expect(requestsSince(t, logBefore)).toEqual([
      `GET /v1/checkout/sessions/${started.checkoutSessionId}`,
      `POST /v1/checkout/sessions/${started.checkoutSessionId}/expire`,
    ]);
    expect(failed.status).toBe('failed');
    expect(failed.failure?.code).toBeTruthy();
    expect(failed.failure?.message).toBeTruthy();
    expect(failed.url).toBeNull();
    expect(failed.setupIntentId).toMatch(/^seti_/);
    expect(failed.paymentMethodId).toBeNull();
    expect(t.emulator.controls.getObject(started.checkoutSessionId)?.status).toBe('expired');
    const stored = await readStoredData(t);
    expect(stored.savedMethods).toEqual([]);
    expect((await t.call('consents.get', { consentId: consent.id })).links.paymentMethodId).toBeNull();
    expect(events.map((e) => e.status)).toEqual(['open', 'failed']);
    // a new attempt may start now that nothing is open
    expect((await t.call('setups.start', { consentId: consent.id })).status).toBe('open');
  });

  it('cancels an open setup by expiring its session', async () => {
    const { t, consent, events } = await withConsent();
    const started = await t.call('setups.start', { consentId: consent.id });
    const logBefore = t.emulator.requestLog.length;
    const canceled = await t.call('setups.cancel', { setupId: started.id });
    expect(requestsSince(t, logBefore)).toEqual([`POST /v1/checkout/sessions/${started.checkoutSessionId}/expire`]);
    expect(canceled).toMatchObject({ status: 'canceled', url: null });
    expect(t.emulator.controls.getObject(started.checkoutSessionId)?.status).toBe('expired');
    expect(await t.call('setups.listOpen', {})).toEqual([]);
    expect(events.map((e) => e.status)).toEqual(['open', 'canceled']);
    // polling or a late return must not turn "canceled" into "expired"
    await t.core.completeFromReturn(started.id);
    expect((await readStoredData(t)).setups[0].status).toBe('canceled');
    // the customer's browser now sees a closed session
    expect((await fetch(t.opened[0], { redirect: 'manual' })).status).toBe(410);
  });

  it('reports the real state when cancelling a session the customer already completed', async () => {
    const { t, consent } = await withConsent();
    const started = await t.call('setups.start', { consentId: consent.id });
    await completeHostedSetup(t, t.opened[0], 'authorize');
    const result = await t.call('setups.cancel', { setupId: started.id });
    expect(result.status).toBe('succeeded');
    expect(result.paymentMethodId).toMatch(/^pm_/);
    expect((await readStoredData(t)).savedMethods).toHaveLength(1);
  });

  it('records expiry when the session lapses at Stripe', async () => {
    const { t, consent, events } = await withConsent();
    const started = await t.call('setups.start', { consentId: consent.id });
    t.emulator.controls.advanceClock(24 * 3600 + 60);
    const expired = await t.call('setups.check', { setupId: started.id });
    expect(expired).toMatchObject({ status: 'expired', url: null, paymentMethodId: null });
    expect(events.map((e) => e.status)).toEqual(['open', 'expired']);
    expect((await callError(t.call('setups.reopen', { setupId: started.id }))).code).toBe('conflict');
  });

  it('tells the desk at once when the customer canceled on Checkout, in memory only; reopening waits again', async () => {
    const { t, consent, events } = await withConsent();
    const started = await t.call('setups.start', { consentId: consent.id });
    await t.core.noteCustomerCanceled(started.id);
    const announced = events.at(-1);
    expect(announced).toMatchObject({ id: started.id, status: 'open' });
    expect(announced?.customerCanceledAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect((await t.call('setups.listOpen', {}))[0].customerCanceledAt).toBe(announced?.customerCanceledAt);
    expect((await readStoredData(t)).setups[0]).not.toHaveProperty('customerCanceledAt');

    const reopened = await t.call('setups.reopen', { setupId: started.id });
    expect(reopened.customerCanceledAt).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ id: started.id, status: 'open' });
    expect(events.at(-1)?.customerCanceledAt).toBeUndefined();

    // a finished setup is not marked
    await t.core.noteCustomerCanceled(started.id);
    await t.call('setups.cancel', { setupId: started.id });
    const count = events.length;
    await t.core.noteCustomerCanceled(started.id);
    expect(events.length).toBe(count);
    expect(events.at(-1)).toMatchObject({ status: 'canceled' });
    expect(events.at(-1)?.customerCanceledAt).toBeUndefined();
  });

  it('reopens an open setup in the browser, allowlist-checked', async () => {
    const { t, consent } = await withConsent();
    const started = await t.call('setups.start', { consentId: consent.id });
    const logBefore = t.emulator.requestLog.length;
    expect(await t.call('setups.reopen', { setupId: started.id })).toEqual(started);
    expect(t.opened).toEqual([started.url, started.url]);
    expect(t.emulator.requestLog.length).toBe(logBefore);
  });
});

describe('setups: reconcile and polling', () => {
  it('picks up at start-up a session completed while the app was closed', async () => {
    const { t, consent } = await withConsent();
    const started = await t.call('setups.start', { consentId: consent.id });
    await t.core.stop();
    await completeHostedSetup(t, t.opened[0], 'authorize');
    expect((await readStoredData(t)).setups[0].status).toBe('open');
    const logBefore = t.emulator.requestLog.length;
    await t.restart();
    expect(requestsSince(t, logBefore)).toEqual([`GET /v1/checkout/sessions/${started.checkoutSessionId}`]);
    const stored = await readStoredData(t);
    expect(stored.setups[0].status).toBe('succeeded');
    expect(stored.savedMethods.map((m) => m.setupId)).toEqual([started.id]);
  });

  it('picks up at start-up a session that expired while the app was closed', async () => {
    const { t, consent } = await withConsent();
    const started = await t.call('setups.start', { consentId: consent.id });
    await t.core.stop();
    t.emulator.controls.advanceClock(25 * 3600);
    const logBefore = t.emulator.requestLog.length;
    await t.restart();
    expect(requestsSince(t, logBefore)).toEqual([`GET /v1/checkout/sessions/${started.checkoutSessionId}`]);
    const setup = (await readStoredData(t)).setups[0];
    expect(setup).toMatchObject({ status: 'expired', url: null });
    expect(setup.finishedAt).not.toBeNull();
  });

  it('polls open setups and records completion without any call, then stops polling', async () => {
    const { t, consent } = await withConsent({ deps: { pollIntervalMs: 2000 } });
    const started = await t.call('setups.start', { consentId: consent.id });
    const done = new Promise<SetupView>((resolve) => {
      t.core.subscribe((event, payload) => {
        if (event === 'setup.updated' && (payload as SetupView).status !== 'open') resolve(payload as SetupView);
      });
    });
    await completeHostedSetup(t, t.opened[0], 'authorize');
    const startedWaiting = Date.now();
    const finished = await done;
    expect(finished).toMatchObject({ id: started.id, status: 'succeeded' });
    expect(Date.now() - startedWaiting).toBeLessThan(4500);
    // nothing open any more: no further polling requests
    const logAfter = t.emulator.requestLog.length;
    await new Promise((resolve) => setTimeout(resolve, 2600));
    expect(t.emulator.requestLog.length).toBe(logAfter);
  });

  it('never polls more often than every 2 seconds', async () => {
    const { t, consent } = await withConsent({ deps: { pollIntervalMs: 10 } });
    const started = await t.call('setups.start', { consentId: consent.id });
    const path = `/v1/checkout/sessions/${started.checkoutSessionId}`;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const polls = t.emulator.requestLog.filter((r) => r.method === 'GET' && r.path === path).length;
    expect(polls).toBe(1);
  });
});
