/**
 * Emulator throughput benchmark: `npm run bench:emulator [-- --seconds 5 --clients 16 --url http://127.0.0.1:12111]`
 *
 * 16 concurrent official SDK clients run a create/retrieve/confirm mix against one emulator
 * (in-process unless --url points at a running one) and we print sustained requests per second
 * and p50/p99 latency, overall and per operation.
 */
import Stripe from 'stripe';
import { EMULATOR_API_KEY, startEmulator, type RunningEmulator } from '../../main/emulator/index.js';
import { completeHostedPage } from '../emulator/helpers.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const seconds = Number(arg('seconds', '5'));
const clients = Number(arg('clients', '16'));
const warmupMs = 500;
const externalUrl = process.argv.includes('--url') ? arg('url', '') : '';

let emulator: RunningEmulator | undefined;
let host = '127.0.0.1';
let port: number;
if (externalUrl) {
  const u = new URL(externalUrl);
  host = u.hostname;
  port = Number(u.port);
} else {
  emulator = await startEmulator();
  port = emulator.port;
}

const makeClient = () =>
  new Stripe(EMULATOR_API_KEY, { apiVersion: '2026-10-28.endive', host, port, protocol: 'http', maxNetworkRetries: 2, timeout: 10000 });

// one saved amazon_pay method per client, made through the real hosted-page flow
const workers = await Promise.all(
  Array.from({ length: clients }, async (_, i) => {
    const stripe = makeClient();
    const customer = await stripe.customers.create({ email: `bench${i}@example.com` });
    const session = await stripe.checkout.sessions.create({
      mode: 'setup',
      customer: customer.id,
      allowed_payment_method_types: ['amazon_pay'],
      success_url: 'http://127.0.0.1:9/ok?session_id={CHECKOUT_SESSION_ID}',
    });
    await completeHostedPage(session.url!, 'authorize');
    const si = await stripe.setupIntents.retrieve(session.setup_intent as string);
    return { stripe, customer: customer.id, pm: si.payment_method as string };
  }),
);

const latencies: Record<string, number[]> = { 'customers.create': [], 'customers.retrieve': [], 'paymentIntents.create+confirm': [], 'paymentIntents.retrieve': [] };
let measuring = false;
let errors = 0;

async function timed<T>(op: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } catch (e) {
    errors++;
    throw e;
  } finally {
    if (measuring) latencies[op].push(performance.now() - t0);
  }
}

let stop = false;
async function loop(w: (typeof workers)[number], n: number) {
  let i = 0;
  while (!stop) {
    const c = await timed('customers.create', () => w.stripe.customers.create({ email: `c${n}-${i++}@example.com`, metadata: { n: String(n) } }));
    await timed('customers.retrieve', () => w.stripe.customers.retrieve(c.id));
    const pi = await timed('paymentIntents.create+confirm', () =>
      w.stripe.paymentIntents.create({
        amount: 1000 + (i % 500),
        currency: 'jpy',
        customer: w.customer,
        payment_method: w.pm,
        allowed_payment_method_types: ['amazon_pay'],
        off_session: true,
        confirm: true,
      }),
    );
    await timed('paymentIntents.retrieve', () => w.stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] }));
  }
}

const running = workers.map((w, n) => loop(w, n));
await new Promise((r) => setTimeout(r, warmupMs));
measuring = true;
const t0 = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
measuring = false;
const elapsed = (performance.now() - t0) / 1000;
stop = true;
await Promise.allSettled(running);

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const all = Object.values(latencies).flat().sort((a, b) => a - b);
const fmt = (n: number) => n.toFixed(2);
console.log(
  `emulator bench: ${clients} SDK clients, ${elapsed.toFixed(1)} s, ${all.length} requests, ${Math.round(all.length / elapsed)} req/s, p50 ${fmt(pct(all, 50))} ms, p99 ${fmt(pct(all, 99))} ms, errors ${errors}`,
);
for (const [op, l] of Object.entries(latencies)) {
  const s = [...l].sort((a, b) => a - b);
  console.log(`  ${op.padEnd(30)} ${String(s.length).padStart(7)} req  p50 ${fmt(pct(s, 50))} ms  p99 ${fmt(pct(s, 99))} ms`);
}
if (emulator) await emulator.stop();
process.exit(errors ? 1 : 0);
