/**
 * Setups on the customer's phone (return URLs a phone can open, no automatic open on the desk) and
 * Stripe's clock: expires_at follows Stripe's (the emulator's, movable) clock, so a moved training
 * clock never makes Stripe refuse it, and every time on a setup comes from that one clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsentView, Events, Language } from '../../preload/contract';
import { returnUrlsFor } from '../../main/core/setups';
import type { CoreEnv } from '../../main/core/env';
import { setupExpiresAt, stripeClockOf } from '../../main/core/stripe-clock';
import { callError, signInManager, startTestCore, type TestCore } from '../helpers/core';
import { completeHostedSetup, mandateParams, readStoredData } from '../helpers/saved-method';

let t: TestCore | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const DAY = 86_400;

async function withConsent(language: Language = 'ja'): Promise<{ t: TestCore; consent: ConsentView }> {
  t = await startTestCore();
  await signInManager(t);
  const { customer } = await t.call('customers.create', { name: 'Hanako Yamada', email: `hanako.${Date.now()}@example.jp`, language });
  const params = mandateParams();
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
  return { t, consent };
}

describe('setupExpiresAt', () => {
  const now = Date.parse('2026-12-01T10:00:00.400Z');
  it('keeps the expiry inside Stripe’s 30 min – 24 h window, with a minute of margin at each end', () => {
    const base = Math.floor(now / 1000);
    expect(setupExpiresAt(now, 30)).toBe(base + 31 * 60);
    expect(setupExpiresAt(now, 90)).toBe(base + 90 * 60);
    expect(setupExpiresAt(now, 24 * 60)).toBe(base + DAY - 60);
    expect(setupExpiresAt(now, 5)).toBe(base + 31 * 60);
  });
});

describe('stripeClockOf', () => {
  /** A core env with only what the clock uses: a Stripe whose answers carry a chosen Date header. */
  function fakeEnv(deskNow: { ms: number }) {
    const answers: Array<string | undefined> = [];
    const emitted: unknown[] = [];
    const warnings: string[] = [];
    const env = {
      clock: { now: () => new Date(deskNow.ms) },
      stripe: { customers: { list: async () => ({ data: [], lastResponse: { headers: answers.length ? { date: answers.shift() } : {} } }) } },
      emit: (_event: string, payload: unknown) => emitted.push(payload),
      logger: { info() {}, warn: (message: string) => warnings.push(message), error() {} },
    } as unknown as CoreEnv;
    return { env, answers, emitted, warnings };
  }

  it('learns the offset from the Date header, ignores second-rounding noise, and keeps the last offset when the header is missing', async () => {
    const deskNow = { ms: Date.parse('2026-12-01T10:00:00.000Z') };
    const { env, answers, emitted, warnings } = fakeEnv(deskNow);
    const clock = stripeClockOf(env);
    expect(stripeClockOf(env)).toBe(clock); // one clock per core
    answers.push(new Date(deskNow.ms + 3 * DAY * 1000).toUTCString());
    await clock.measure();
    expect(Math.abs(clock.offsetMs() - 3 * DAY * 1000)).toBeLessThanOrEqual(1000);
    expect(emitted).toHaveLength(1);
    const first = clock.offsetMs();

    deskNow.ms += 600; // the same Stripe second, read a little later: noise, not a moved clock
    answers.push(new Date(deskNow.ms + first).toUTCString());
    await clock.measure();
    expect(clock.offsetMs()).toBe(first);
    expect(emitted).toHaveLength(1);

    expect((await clock.measure(60_000)).stripeOffsetMs).toBe(first); // fresh enough: no request
    await clock.measure(); // no Date header at all
    expect(clock.offsetMs()).toBe(first);
    expect(warnings).toHaveLength(1);

    clock.observe(new Date(deskNow.ms + 10 * DAY * 1000));
    expect(clock.offsetMs()).toBe(10 * DAY * 1000);
    expect(clock.now().getTime()).toBe(deskNow.ms + 10 * DAY * 1000);
    expect(emitted).toHaveLength(2);
  });
});

describe('returnUrlsFor', () => {
  const env = {
    mode: 'training' as const,
    allowedCheckoutOrigins: ['http://127.0.0.1:4000'],
    returnUrls: { success: (id: string) => `http://127.0.0.1:9/return/success?setup=${id}`, cancel: (id: string) => `http://127.0.0.1:9/return/cancel?setup=${id}` },
  };
  it('uses the loopback page on this computer, the shop page or the emulator page on a phone', () => {
    expect(returnUrlsFor(env, { setupFinishOn: 'this_computer', shopWebPage: 'https://shop.example/' }, 'setup_1', 'en')).toEqual({
      success: 'http://127.0.0.1:9/return/success?setup=setup_1&session_id={CHECKOUT_SESSION_ID}',
      cancel: 'http://127.0.0.1:9/return/cancel?setup=setup_1',
    });
    expect(returnUrlsFor(env, { setupFinishOn: 'phone', shopWebPage: 'https://shop.example/thanks' }, 'setup_1', 'en')).toEqual({
      success: 'https://shop.example/thanks',
      cancel: 'https://shop.example/thanks',
    });
    expect(returnUrlsFor(env, { setupFinishOn: 'phone', shopWebPage: '' }, 'setup_1', 'ja')).toEqual({
      success: 'http://127.0.0.1:4000/checkout/done?session_id={CHECKOUT_SESSION_ID}',
      cancel: 'http://127.0.0.1:4000/checkout/done?locale=ja',
    });
    // against real Stripe with no shop page there is nothing else a phone could open
    expect(returnUrlsFor({ ...env, mode: 'live', allowedCheckoutOrigins: ['https://checkout.stripe.com'] }, { setupFinishOn: 'phone', shopWebPage: '' }, 'setup_1', 'en').success).toMatch(
      /^http:\/\/127\.0\.0\.1:9\/return\/success/,
    );
  });
});

describe('settings for setups', () => {
  it('defaults to this computer, 30 minutes and no shop page; refuses bad values and changes nothing', async () => {
    t = await startTestCore();
    await signInManager(t);
    expect(await t.call('settings.get', {})).toMatchObject({ setupFinishOn: 'this_computer', setupExpiryMinutes: 30, shopWebPage: '' });
    for (const bad of [{ setupExpiryMinutes: 29 }, { setupExpiryMinutes: 24 * 60 + 1 }, { shopWebPage: 'http://shop.example/' }, { shopWebPage: 'javascript:alert(1)' }, { shopWebPage: 'https://user:pw@shop.example/' }, { setupFinishOn: 'tablet' }]) {
      expect((await t.raw('settings.update', bad)) as unknown, JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
    expect(await t.call('settings.get', {})).toMatchObject({ setupFinishOn: 'this_computer', setupExpiryMinutes: 30, shopWebPage: '' });
    const updated = await t.call('settings.update', { setupFinishOn: 'phone', setupExpiryMinutes: 120, shopWebPage: '  https://sakura.example/thanks  ' });
    expect(updated).toMatchObject({ setupFinishOn: 'phone', setupExpiryMinutes: 120, shopWebPage: 'https://sakura.example/thanks' });
    expect((await readStoredData(t)).settings).toMatchObject({ setupFinishOn: 'phone', setupExpiryMinutes: 120, shopWebPage: 'https://sakura.example/thanks' });
  });
});

describe('setups on the customer’s phone', () => {
  it('does not open the desk’s browser, sends the phone to a page it can open, and learns the outcome from Stripe alone', async () => {
    const { t, consent } = await withConsent('ja');
    await t.call('settings.update', { setupFinishOn: 'phone' });
    const started = await t.call('setups.start', { consentId: consent.id });
    expect(t.opened).toEqual([]); // the desk shows the QR code instead
    const session = t.emulator.controls.getObject(started.checkoutSessionId)!;
    expect(session.success_url).toBe(`${t.emulator.origin}/checkout/done?session_id={CHECKOUT_SESSION_ID}`);

    // the phone: hosted page → authorize → the emulator's plain page, in the customer's language
    await completeHostedSetup(t, started.url!, 'authorize');
    const done = await fetch(`${t.emulator.origin}/checkout/done?session_id=${started.checkoutSessionId}`);
    const html = await done.text();
    expect(done.status).toBe(200);
    expect(html).toContain('lang="ja"');
    expect(html).toContain('data-outcome="saved"');
    expect(html).toContain('このページを閉じて');
    const canceled = await (await fetch(`${t.emulator.origin}/checkout/done?locale=en`)).text();
    expect(canceled).toContain('Nothing was saved.');

    // "Open on this computer" still works while the setup is open here
    await t.call('setups.reopen', { setupId: started.id });
    expect(t.opened).toEqual([started.url]);
    const checked = await t.call('setups.check', { setupId: started.id });
    expect(checked.status).toBe('succeeded');
  });

  it('sends the phone to the shop’s own web page when one is set', async () => {
    const { t, consent } = await withConsent('en');
    await t.call('settings.update', { setupFinishOn: 'phone', shopWebPage: 'https://sakura.example/thanks' });
    const started = await t.call('setups.start', { consentId: consent.id });
    expect(t.emulator.controls.getObject(started.checkoutSessionId)).toMatchObject({ success_url: 'https://sakura.example/thanks', cancel_url: 'https://sakura.example/thanks' });
  });
});

describe('setups on Stripe’s clock', () => {
  it('computes expires_at from the moved training clock, so Stripe accepts it', async () => {
    const { t, consent } = await withConsent();
    await t.call('training.advanceClock', { days: 135 });
    await t.call('settings.update', { setupExpiryMinutes: 90 });
    const started = await t.call('setups.start', { consentId: consent.id });
    const emulatorNowMs = t.emulator.controls.now() * 1000;
    // 90 minutes after the emulator's now, not after the desk's (which Stripe would refuse as in the past)
    expect(Math.abs(Date.parse(started.expiresAt) - (emulatorNowMs + 90 * 60_000))).toBeLessThan(5_000);
    expect(Date.parse(started.createdAt)).toBeLessThan(Date.parse(started.expiresAt));
    expect(Math.abs(Date.parse(started.createdAt) - emulatorNowMs)).toBeLessThan(5_000);

    const clock = await t.call('app.clock', {});
    expect(Math.abs(clock.stripeOffsetMs - 135 * DAY * 1000)).toBeLessThan(3_000);
    // the countdown the desk shows: Stripe's expiry minus Stripe's now, about 90 minutes
    const left = Date.parse(started.expiresAt) - (Date.now() + clock.stripeOffsetMs);
    expect(left).toBeGreaterThan(88 * 60_000);
    expect(left).toBeLessThanOrEqual(90 * 60_000 + 3_000);
  });

  it('measures a clock moved outside the app (another desk, the emulator’s own control) before creating', async () => {
    const { t, consent } = await withConsent();
    t.emulator.controls.advanceClock(40 * DAY);
    const started = await t.call('setups.start', { consentId: consent.id });
    expect(Math.abs(Date.parse(started.expiresAt) - (t.emulator.controls.now() * 1000 + 31 * 60_000))).toBeLessThan(5_000);
  });

  it('never shows an expired setup as finished before it expired', async () => {
    const { t, consent } = await withConsent();
    const started = await t.call('setups.start', { consentId: consent.id });
    const events: Array<Events['clock.changed']> = [];
    t.core.subscribe((event, payload) => {
      if (event === 'clock.changed') events.push(payload as Events['clock.changed']);
    });
    await t.call('training.advanceClock', { days: 2 });
    expect(events).toHaveLength(1);
    expect(Math.abs(events[0].stripeOffsetMs - 2 * DAY * 1000)).toBeLessThan(3_000);
    const expired = await t.call('setups.check', { setupId: started.id });
    expect(expired.status).toBe('expired');
    expect(Date.parse(expired.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(expired.expiresAt));
    expect(Date.parse(expired.createdAt)).toBeLessThan(Date.parse(expired.expiresAt));
  });

  it('is refused for staff who are not signed in', async () => {
    t = await startTestCore();
    expect((await callError(t.call('app.clock', {}))).code).toBe('not_signed_in');
  });
});
