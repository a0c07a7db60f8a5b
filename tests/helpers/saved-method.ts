/**
 * A customer with a consent and a saved Amazon Pay method, made through the real flow: create the
 * customer, render the terms, record the consent with the hash of what was shown, start the setup,
 * click "Authorize" on the emulator's hosted test page (plain HTTP, as the customer's browser
 * would), then check the setup. Reused by every test that needs something to charge. Also small
 * helpers for money tests: stored data, request counts, an offline Stripe, a network that loses answers.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import { afterEach, beforeEach, expect } from 'vitest';
import type { ConsentView, CustomerView, Language, MandateParams, SetupView } from '../../preload/contract';
import type { LegacyAppData } from '../../main/core/data';
import { readStoredData as readFolder } from './stored';
import { createStripeClient } from '../../main/core/stripe-client';
import { EMULATOR_API_KEY, type RunningEmulator } from '../../main/emulator/index';
import { signInManager, startTestCore, type TestCore } from './core';

export interface SavedMethodOptions {
  name?: string;
  email?: string;
  language?: Language;
  /** Overrides of the default mandate: as needed, up to €500.00, from yesterday, until cancelled. */
  params?: Partial<MandateParams>;
  /** Click "Fail test setup" instead of "Authorize test setup" (the setup then fails, nothing is saved). */
  fail?: boolean;
}

export interface CustomerWithSavedMethod {
  customer: CustomerView;
  consent: ConsentView;
  setup: SetupView;
  /** The saved method (`pm_…`); empty when `fail` was asked for. */
  paymentMethodId: string;
}

/** A calendar date `days` from today (UTC), as mandates write them. */
export function isoDate(days = 0): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

export function mandateParams(overrides: Partial<MandateParams> = {}): MandateParams {
  const params: MandateParams = {
    purpose: 'Laundry and dry cleaning picked up at the counter',
    frequency: 'as_needed',
    timing: 'After each pickup',
    amountRule: 'up_to_max',
    maxAmount: 50_000,
    currency: 'eur',
    startDate: isoDate(-1), // yesterday: active in every time zone
    endDate: null,
    cancellationPolicy: 'Cancel any time at the counter or by e-mail.',
    ...overrides,
  };
  // a fixed mandate carries `amount`, the others `maxAmount`
  if (params.amountRule === 'fixed') delete params.maxAmount;
  else delete params.amount;
  return params;
}

interface HtmlForm {
  action: string;
  method: string;
  fields: Record<string, string>;
  text: string;
}

function attribute(tag: string, name: string): string | null {
  const match = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i').exec(tag);
  return match ? decodeEntities(match[2] ?? match[3]) : null;
}

function decodeEntities(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The forms of a page, with their hidden fields and the submit button's name/value. */
function formsOf(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const [, attrs, body] = match;
    const fields: Record<string, string> = {};
    for (const input of body.matchAll(/<input\b[^>]*>/gi)) {
      const name = attribute(input[0], 'name');
      if (name) fields[name] = attribute(input[0], 'value') ?? '';
    }
    for (const button of body.matchAll(/<button\b[^>]*>/gi)) {
      const name = attribute(button[0], 'name');
      if (name) fields[name] = attribute(button[0], 'value') ?? '';
    }
    forms.push({
      action: attribute(`<form ${attrs}>`, 'action') ?? '',
      method: (attribute(`<form ${attrs}>`, 'method') ?? 'get').toLowerCase(),
      fields,
      text: body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '),
    });
  }
  return forms;
}

/**
 * Plays the customer's browser on the hosted test page: follows the pages on the emulator's own
 * origin, submitting the form each page offers ("Continue to Amazon Pay", then "Authorize" or
 * "Fail"), as a browser would, without knowing the routes. Redirects leaving the emulator (the
 * app's return page) are not followed: the test checks the setup itself.
 */
export async function completeHostedSetup(t: Pick<TestCore, 'emulator'>, url: string, choice: 'authorize' | 'fail' = 'authorize'): Promise<void> {
  const origin = t.emulator.origin;
  let next: { url: string; method: 'get' | 'post'; body?: URLSearchParams } | null = { url, method: 'get' };
  for (let step = 0; next && step < 6; step++) {
    const response: Response = await fetch(next.url, {
      method: next.method.toUpperCase(),
      body: next.body,
      redirect: 'manual',
      headers: next.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
    });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const target: URL = new URL(location, next.url);
      // back to the app's return page, or (phone) to the emulator's "you can close this page": done
      if (target.origin !== origin || target.pathname === '/checkout/done') return;
      next = { url: target.href, method: 'get' };
      continue;
    }
    expect(response.status, `hosted page ${next.url}`).toBeLessThan(400);
    if (next.method === 'post') return; // the choice was submitted and answered with a page
    const forms = formsOf(await response.text());
    const wanted = choice === 'authorize' ? /authori[sz]e/i : /fail/i;
    const form = forms.find((f) => wanted.test(f.text)) ?? (forms.length === 1 ? forms[0] : undefined);
    if (!form) throw new Error(`The hosted page ${next.url} has no form to ${choice} the setup.`);
    next = { url: new URL(form.action || next.url, next.url).href, method: form.method === 'post' ? 'post' : 'get', body: new URLSearchParams(form.fields) };
  }
}

export async function createCustomerWithSavedMethod(t: TestCore, options: SavedMethodOptions = {}): Promise<CustomerWithSavedMethod> {
  const language = options.language ?? 'en';
  const name = options.name ?? 'Ada Customer';
  const email = options.email ?? `ada.${randomUUID().slice(0, 8)}@example.com`;
  const { customer } = await t.call('customers.create', { name, email, language });
  const params = mandateParams(options.params);
  const terms = await t.call('terms.render', { customerId: customer.id, language, params });
  const consent = await t.call('consents.record', {
    customerId: customer.id,
    language,
    params,
    shownSha256: terms.sha256,
    typedName: name,
    accepted: true,
    staffConfirmed: true,
    timeZone: 'UTC',
  });
  const openedBefore = t.opened.length;
  const started = await t.call('setups.start', { consentId: consent.id });
  expect(t.opened.length).toBe(openedBefore + 1);
  await completeHostedSetup(t, t.opened[t.opened.length - 1], options.fail ? 'fail' : 'authorize');
  const setup = await t.call('setups.check', { setupId: started.id });
  if (!options.fail) {
    expect(setup.status).toBe('succeeded');
    expect(setup.paymentMethodId).toMatch(/^pm_/);
  }
  return { customer, consent: await t.call('consents.get', { consentId: consent.id }), setup, paymentMethodId: setup.paymentMethodId ?? '' };
}

/**
 * For a test file whose tests all charge one customer: before each test, a fresh core with a
 * signed-in manager and a customer with a saved method, handed to `use`; the core is closed after.
 */
export function beforeEachWithSavedMethod(use: (t: TestCore, saved: CustomerWithSavedMethod) => void): void {
  let core: TestCore | undefined;
  beforeEach(async () => {
    core = await startTestCore();
    await signInManager(core);
    use(core, await createCustomerWithSavedMethod(core));
  });
  afterEach(async () => {
    await core?.close();
    core = undefined;
  });
}

// ---------------------------------------------------------------- small helpers for money tests

export { callError } from './core';

/** A one-off charge on the saved method in euros ("Wedding dress cleaning"), as a manager makes it. */
export function chargeSavedMethod(t: TestCore, saved: CustomerWithSavedMethod, amount = 5000) {
  return t.call('charges.create', {
    customerId: saved.customer.id,
    consentId: saved.consent.id,
    paymentMethodId: saved.paymentMethodId,
    amount,
    currency: 'eur',
    description: 'Wedding dress cleaning',
    requestKey: randomUUID(),
  });
}

/** What is on disk now (not what core holds in memory). */
export async function readStoredData(t: TestCore): Promise<LegacyAppData> {
  return readFolder(t.dataDir);
}

/** How many requests the emulator received for `method path` (retries and replays included). */
export function requestCount(t: TestCore, method: string, path: string): number {
  return t.emulator.requestLog.filter((entry) => entry.method === method && entry.path === path).length;
}

/** A Stripe client pointed at a port nobody listens on: every request fails to connect (offline). */
export async function unreachableStripe(): Promise<Stripe> {
  const port = await new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
  return createStripeClient({ key: EMULATOR_API_KEY, emulator: { host: '127.0.0.1', port } });
}

export interface FlakyNetwork {
  /** A Stripe client (same settings as the app's) whose traffic goes through this network. */
  stripe: Stripe;
  /**
   * Lets the next `count` matching requests reach Stripe and be answered, then cuts the connection
   * before the answer arrives. Unlike the emulator's own `loseResponse` fault, this also loses
   * idempotent replays, as a real broken network would.
   */
  loseResponses(method: string, path: string, count: number): void;
  close(): Promise<void>;
}

/** A pass-through HTTP proxy in front of the emulator that can lose answers. */
export async function startFlakyNetwork(emulator: RunningEmulator): Promise<FlakyNetwork> {
  const rules: Array<{ method: string; path: string; remaining: number }> = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const upstream = httpRequest(
        // as a real proxy would: the emulator checks Host like Stripe's front door
        { host: emulator.host, port: emulator.port, method: req.method, path: req.url, headers: { ...req.headers, host: `${emulator.host}:${emulator.port}` } },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => body.push(chunk));
          answer.on('end', () => {
            const path = new URL(req.url ?? '/', 'http://proxy').pathname;
            const rule = rules.find((r) => r.remaining > 0 && r.method === req.method && r.path === path);
            if (rule) {
              rule.remaining--;
              req.socket.destroy(); // executed at Stripe, answer lost on the way back
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(body));
          });
        },
      );
      upstream.on('error', () => req.socket.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    stripe: createStripeClient({ key: EMULATOR_API_KEY, emulator: { host: '127.0.0.1', port } }),
    loseResponses(method, path, count) {
      rules.push({ method, path, remaining: count });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
