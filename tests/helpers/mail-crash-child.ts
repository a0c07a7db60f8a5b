/**
 * The process of the owed-e-mail crash tests (tests/core/mail-owed.test.ts):
 * `node --import tsx tests/helpers/mail-crash-child.ts <job.json>`.
 *
 * Opens core on the test's data folder (Stripe: the test's emulator, over HTTP), signs in, does one
 * thing (records a consent, makes a charge, or refunds one), prints `acknowledged <id>` once the call
 * answered, and kills itself with SIGKILL the moment core reaches the fault point named in the job
 * (after the acknowledgement): a real crash, between two durable steps.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Channel, CallInput, CallOutput } from '../../preload/contract';
import { createCore } from '../../main/core/index';
import type { FaultPoint } from '../../main/core/ports';
import { createStripeClient } from '../../main/core/stripe-client';
import { EMULATOR_API_KEY } from '../../main/emulator/index';
import { mandateParams } from './saved-method';

export interface MailCrashJob {
  dataDir: string;
  emulator: { host: string; port: number; origin: string };
  crashAt: FaultPoint;
  manager: { name: string; pin: string };
  action: { kind: 'consent'; customerId: string; typedName: string } | { kind: 'charge'; customerId: string; consentId: string; paymentMethodId: string; amount: number } | { kind: 'refund'; chargeId: string; amount: number };
}

const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as MailCrashJob;
let acknowledge!: () => void;
const acknowledged = new Promise<void>((resolve) => (acknowledge = resolve));

const core = await createCore({
  dataDir: job.dataDir,
  stripe: createStripeClient({ key: EMULATOR_API_KEY, emulator: { host: job.emulator.host, port: job.emulator.port } }),
  mode: 'training',
  transport: 'in-process',
  appVersion: '0.0.0-test',
  clock: { now: () => new Date() },
  ids: { next: (prefix) => `${prefix}_${Math.random().toString(16).slice(2, 12)}${Date.now().toString(16)}` },
  openExternal: async () => {},
  allowedCheckoutOrigins: [job.emulator.origin],
  returnUrls: { success: (id) => `http://127.0.0.1:9/return/success?setup=${id}`, cancel: (id) => `http://127.0.0.1:9/return/cancel?setup=${id}` },
  logger: { info() {}, warn() {}, error: (message, fields) => process.stderr.write(`${message} ${JSON.stringify(fields ?? {})}\n`) },
  pollIntervalMs: 60_000,
  eventsPollIntervalMs: 600_000,
  shareDelayMs: 3_600_000,
  // the SMTP server is down while this runs: nothing is sent before the crash
  mail: { retryBaseMs: 60_000, retryMaxMs: 60_000, connectionTimeoutMs: 1_000 },
  faultAt: async (point) => {
    if (point !== job.crashAt) return;
    await acknowledged;
    process.stdout.write(`crashing at ${point}\n`);
    process.kill(process.pid, 'SIGKILL');
    await new Promise(() => {});
  },
});

async function call<C extends Channel>(channel: C, input: CallInput<C>): Promise<CallOutput<C>> {
  const result = await core.dispatch(channel, input);
  if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
  return result.data as never;
}

await call('auth.signIn', job.manager);
const { action } = job;
let id: string;
if (action.kind === 'consent') {
  const params = mandateParams();
  const terms = await call('terms.render', { customerId: action.customerId, language: 'en', params });
  const consent = await call('consents.record', { customerId: action.customerId, language: 'en', params, shownSha256: terms.sha256, typedName: action.typedName, accepted: true, staffConfirmed: true, timeZone: 'UTC' });
  id = consent.id;
} else if (action.kind === 'charge') {
  const charge = await call('charges.create', { customerId: action.customerId, consentId: action.consentId, paymentMethodId: action.paymentMethodId, amount: action.amount, currency: 'eur', description: 'Dry cleaning', requestKey: randomUUID() });
  if (charge.status !== 'succeeded') throw new Error(`the charge is ${charge.status}`);
  id = charge.id;
} else {
  const charge = await call('refunds.create', { chargeId: action.chargeId, amount: action.amount, reason: 'requested_by_customer', requestKey: randomUUID() });
  const refundId = charge.refunds[charge.refunds.length - 1].id;
  // refunds finish at Stripe a moment later: ask until it has
  for (let i = 0; i < 100 && (await call('charges.resolve', { chargeId: action.chargeId })).refunds.find((r) => r.id === refundId)?.status !== 'succeeded'; i++) await new Promise((r) => setTimeout(r, 100));
  id = refundId;
}
process.stdout.write(`acknowledged ${id}\n`);
acknowledge();
// the fault point comes in the background; a child that never reaches it says so
setTimeout(() => {
  process.stderr.write(`never reached ${job.crashAt}\n`);
  process.exit(3);
}, 20_000);
