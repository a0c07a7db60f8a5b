/**
 * Test helper: start an emulator and get an official Stripe SDK client pointed at it,
 * configured exactly like the app does in training mode.
 *
 *   const { emulator, stripe } = await startEmulatorWithClient();
 *   afterAll(() => emulator.stop());
 */
import Stripe from 'stripe';
import { EMULATOR_API_KEY, startEmulator, type EmulatorOptions, type RunningEmulator } from '../../main/emulator/index.js';

export const API_VERSION = '2026-10-28.endive' as const;

/** Raw JSON read with fetch in tests (shape checked by the assertions). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface ClientOptions {
  apiKey?: string;
  maxNetworkRetries?: number;
  timeout?: number;
}

export function stripeClientFor(emulator: Pick<RunningEmulator, 'host' | 'port'>, opts: ClientOptions = {}): Stripe {
  return new Stripe(opts.apiKey ?? EMULATOR_API_KEY, {
    apiVersion: API_VERSION,
    host: emulator.host,
    port: emulator.port,
    protocol: 'http',
    maxNetworkRetries: opts.maxNetworkRetries ?? 2,
    timeout: opts.timeout ?? 10_000,
  });
}

export async function startEmulatorWithClient(
  options: EmulatorOptions = {},
  clientOptions: ClientOptions = {},
): Promise<{ emulator: RunningEmulator; stripe: Stripe }> {
  const emulator = await startEmulator(options);
  return { emulator, stripe: stripeClientFor(emulator, clientOptions) };
}

/**
 * Drive the hosted test page like a browser would (no JS needed): open page 1, "Continue to Amazon Pay",
 * then "Authorize test setup" (or "Fail ..."). Returns the final 303 Location.
 */
export async function completeHostedPage(
  sessionUrl: string,
  outcome: 'authorize' | 'fail' = 'authorize',
  userAgent = 'Mozilla/5.0 (emulator test)',
): Promise<{ status: number; location: string | null }> {
  const headers = { 'user-agent': userAgent };
  const page1 = await fetch(sessionUrl, { headers });
  if (page1.status !== 200) throw new Error(`hosted page returned ${page1.status}`);
  await page1.text();
  const cont = await fetch(`${sessionUrl}/continue`, { method: 'POST', redirect: 'manual', headers });
  if (cont.status !== 303) throw new Error(`continue returned ${cont.status}`);
  const page2 = await fetch(cont.headers.get('location')!, { headers });
  await page2.text();
  const res = await fetch(`${sessionUrl}/${outcome}`, { method: 'POST', redirect: 'manual', headers });
  await res.text();
  return { status: res.status, location: res.headers.get('location') };
}

/**
 * A customer with a saved amazon_pay method and an active mandate, made through a real Checkout setup flow.
 */
export async function createCustomerWithSavedAmazonPay(
  stripe: Stripe,
  params: Stripe.CustomerCreateParams = { email: 'saved@example.com', name: 'Saved Method' },
): Promise<{ customer: Stripe.Customer; session: Stripe.Checkout.Session; setupIntent: Stripe.SetupIntent; paymentMethod: Stripe.PaymentMethod; mandateId: string }> {
  const customer = await stripe.customers.create(params);
  const session = await stripe.checkout.sessions.create({
    mode: 'setup',
    customer: customer.id,
    allowed_payment_method_types: ['amazon_pay'],
    success_url: 'http://127.0.0.1:9/return?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://127.0.0.1:9/cancel',
  });
  await completeHostedPage(session.url!, 'authorize');
  const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['setup_intent', 'setup_intent.payment_method'] });
  const setupIntent = done.setup_intent as Stripe.SetupIntent;
  const paymentMethod = setupIntent.payment_method as Stripe.PaymentMethod;
  return { customer, session: done, setupIntent, paymentMethod, mandateId: setupIntent.mandate as string };
}
