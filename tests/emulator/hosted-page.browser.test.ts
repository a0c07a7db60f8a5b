/** The hosted test page in a real browser (Playwright + system Chromium), as the lead's e2e will use it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright';
import type Stripe from 'stripe';
import type { RunningEmulator } from '../../main/emulator/index.js';
import { startEmulatorWithClient } from './helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);

let emulator: RunningEmulator;
let stripe: Stripe;
let browser: Browser;
let shop: Server;
let shopOrigin: string;

beforeAll(async () => {
  if (!haveChromium) return;
  ({ emulator, stripe } = await startEmulatorWithClient());
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  shop = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<h1>Shop got ${req.url}</h1>`);
  });
  await new Promise<void>((r) => shop.listen(0, '127.0.0.1', r));
  shopOrigin = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
}, 30_000);

afterAll(async () => {
  if (!haveChromium) return;
  await browser?.close();
  shop?.close();
  await emulator?.stop();
});

describe.skipIf(!haveChromium)('hosted test page in Chromium', () => {
  it('authorize: clicks through by role and lands on success_url with the session id', async () => {
    const customer = await stripe.customers.create({ email: 'browser@example.com' });
    const session = await stripe.checkout.sessions.create({
      mode: 'setup',
      customer: customer.id,
      allowed_payment_method_types: ['amazon_pay'],
      success_url: `${shopOrigin}/done?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${shopOrigin}/cancel`,
    });
    const page = await browser.newPage();
    await page.goto(session.url!);
    await expect(page.getByText('Test mode').first().isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Continue to Amazon Pay' }).click();
    await page.getByRole('button', { name: 'Authorize test setup' }).click();
    await page.waitForURL(`${shopOrigin}/done?session_id=${session.id}`);
    const ua = await page.evaluate(() => navigator.userAgent);
    await page.close();
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['setup_intent.mandate'] });
    expect(done.status).toBe('complete');
    const mandate = (done.setup_intent as Stripe.SetupIntent).mandate as Stripe.Mandate;
    expect(mandate.customer_acceptance.online?.user_agent).toBe(ua);
  });

  it('fail and "Cancel and return" go back to the shop; the session stays open', async () => {
    const session = await stripe.checkout.sessions.create({
      mode: 'setup',
      allowed_payment_method_types: ['amazon_pay'],
      success_url: `${shopOrigin}/done`,
      cancel_url: `${shopOrigin}/cancel`,
      locale: 'ja',
    });
    const page = await browser.newPage();
    await page.goto(session.url!);
    await page.getByRole('button', { name: 'Continue to Amazon Pay' }).click();
    await page.getByRole('button', { name: 'Fail test setup' }).click();
    await page.waitForURL(`${shopOrigin}/cancel`);
    await page.goto(session.url!);
    await page.getByRole('link', { name: 'Cancel and return' }).click();
    await page.waitForURL(`${shopOrigin}/cancel`);
    await page.close();
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });
});
