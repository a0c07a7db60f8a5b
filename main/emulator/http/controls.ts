/** Test controls: programmatic (`emulator.controls`) and HTTP (`/_emulator/...`, loopback only, no API key). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requireOf } from '../engine/crud.js';
import { API_VERSION, type Emulator, type FaultSpec } from '../engine/emulator.js';
import { ApiError, invalid, missing } from '../engine/errors.js';
import { parseForm } from '../engine/params.js';
import type { Obj, Outcome } from '../engine/store.js';
import type { WebhookDelivery } from '../engine/webhooks.js';
import { authorizeSession, failSession } from '../resources/checkout-flow.js';
import { failRedirect, sessionUrl, successRedirect } from '../resources/checkout-sessions.js';
import { closeDispute, DISPUTE, openDispute } from '../resources/disputes.js';
import { setMandateStatus } from '../resources/mandates.js';
import { compileFault } from './faults.js';

export type PaymentOutcome = Outcome;

export interface PaymentOutcomeSpec {
  /** only confirmations on this PaymentMethod (takes precedence over `customer`) */
  paymentMethod?: string;
  /** only confirmations for this Customer; with neither set, the next confirmation of any payment */
  customer?: string;
  outcome: PaymentOutcome;
  /** how many confirmations this applies to (default 1) */
  times?: number;
}

export interface EmulatorControls {
  /** emulator clock, unix seconds */
  now(): number;
  /** move the clock forward; expires sessions and renews due subscriptions; returns the new now */
  advanceClock(seconds: number): number;
  setPaymentOutcome(spec: PaymentOutcomeSpec): void;
  clearPaymentOutcomes(): void;
  /** queue outcomes for the next refunds (they settle asynchronously right after creation) */
  setRefundOutcome(spec: { outcome: 'succeed' | 'fail'; times?: number }): void;
  setFault(spec: FaultSpec): void;
  clearFaults(): void;
  /** simulate the customer revoking the Amazon Pay charge permission: mandate → inactive, `mandate.updated` */
  deactivateMandate(mandateId: string): Obj;
  /** the customer disputes a succeeded charge: a Dispute (needs_response) and `charge.dispute.created` */
  openDispute(chargeId: string, opts?: { reason?: string }): Obj;
  /** the bank decides a dispute: `charge.dispute.closed` with status won or lost */
  resolveDispute(disputeId: string, outcome: 'won' | 'lost'): Obj;
  /** drive the hosted page without a browser; returns where the browser would be redirected */
  completeCheckoutSession(sessionId: string, opts?: { outcome?: 'authorize' | 'fail'; ipAddress?: string; userAgent?: string }): { redirectUrl: string };
  /** delays (ms) before retry 1, 2, ... of a failed webhook delivery; default 1s, 5s, 30s, 2m, 10m, 1h */
  setWebhookRetrySchedule(delaysMs: number[]): void;
  webhookDeliveries(): WebhookDelivery[];
  /** resolves when no webhook delivery is in flight */
  webhooksIdle(): Promise<void>;
  /** read any stored object by id (no expansion), or undefined */
  getObject(id: string): Obj | undefined;
  reset(): void;
}

const OUTCOMES: readonly PaymentOutcome[] = ['succeed', 'decline', 'unavailable', 'authentication_required'];

export function createControls(em: Emulator): EmulatorControls {
  const controls: EmulatorControls = {
    now: () => em.now(),
    advanceClock: (seconds) => em.advanceClock(seconds),
    setPaymentOutcome(spec) {
      if (!OUTCOMES.includes(spec.outcome)) throw new Error(`setPaymentOutcome: outcome must be one of ${OUTCOMES.join(', ')}`);
      const times = spec.times ?? 1;
      if (!Number.isInteger(times) || times < 1) throw new Error('setPaymentOutcome: times must be a positive integer');
      em.store.outcomes.push({ paymentMethod: spec.paymentMethod, customer: spec.customer, outcome: spec.outcome, remaining: times });
      em.touch();
      em.flush();
    },
    clearPaymentOutcomes() {
      em.store.outcomes = [];
      em.touch();
      em.flush();
    },
    setRefundOutcome(spec) {
      if (spec.outcome !== 'succeed' && spec.outcome !== 'fail') throw new Error("setRefundOutcome: outcome must be 'succeed' or 'fail'");
      em.store.refundOutcomes.push({ outcome: spec.outcome, remaining: spec.times ?? 1 });
      em.touch();
      em.flush();
    },
    setFault(spec) {
      if (!spec || typeof spec.path !== 'string' || !spec.path.startsWith('/')) throw new Error("setFault: path must be a pattern like '/v1/payment_intents'");
      em.faults.push(compileFault(spec));
    },
    clearFaults() {
      em.faults = [];
    },
    deactivateMandate(mandateId) {
      return setMandateStatus(em, mandateId, 'inactive');
    },
    openDispute(chargeId, opts = {}) {
      try {
        const charge = em.getKind('charge', chargeId);
        if (!charge) throw missing('charge', chargeId, 'charge');
        return openDispute(em, null, charge, opts.reason);
      } finally {
        em.flush();
      }
    },
    resolveDispute(disputeId, outcome) {
      if (outcome !== 'won' && outcome !== 'lost') throw new Error("resolveDispute: outcome must be 'won' or 'lost'");
      try {
        return closeDispute(em, null, requireOf(em, DISPUTE, disputeId), outcome);
      } finally {
        em.flush();
      }
    },
    completeCheckoutSession(sessionId, opts = {}) {
      const s = em.getKind('checkout.session', sessionId);
      if (!s) throw new Error(`No such checkout.session: '${sessionId}'`);
      try {
        if ((opts.outcome ?? 'authorize') === 'authorize') {
          authorizeSession(em, s, { ip: opts.ipAddress ?? '127.0.0.1', userAgent: opts.userAgent ?? 'Stripe emulator controls' });
          return { redirectUrl: successRedirect(s) ?? sessionUrl(em, s.id) };
        }
        failSession(em, s);
        return { redirectUrl: failRedirect(em, s) };
      } finally {
        em.flush();
      }
    },
    setWebhookRetrySchedule(delaysMs) {
      if (!Array.isArray(delaysMs) || delaysMs.some((d) => typeof d !== 'number' || d < 0)) throw new Error('setWebhookRetrySchedule: expected an array of non-negative numbers');
      em.webhooks.retryDelaysMs = [...delaysMs];
    },
    webhookDeliveries: () => [...em.webhooks.deliveries],
    webhooksIdle: () => em.webhooks.idle(),
    getObject(id) {
      const o = em.get(id); // applies lazy transitions (session expiry) like an API read
      em.flush();
      return o;
    },
    reset: () => em.reset(),
  };
  return controls;
}

// ------------------------------------------------------------------ HTTP

function isLoopback(req: IncomingMessage): boolean {
  const a = req.socket.remoteAddress ?? '';
  return a === '127.0.0.1' || a === '::1' || a === '::ffff:127.0.0.1';
}

function parseBody(req: IncomingMessage, body: string): Obj {
  if (!body) return {};
  if (String(req.headers['content-type'] ?? '').includes('json')) {
    try {
      return JSON.parse(body) as Obj;
    } catch {
      throw invalid('Invalid JSON body');
    }
  }
  const tree = parseForm(body) as Obj;
  const coerce = (v: unknown): unknown => {
    if (typeof v === 'string') return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v;
    if (v && typeof v === 'object') {
      const keys = Object.keys(v);
      if (keys.length && keys.every((k) => /^\d+$/.test(k))) return keys.map((k) => coerce((v as Obj)[k]));
      return Object.fromEntries(keys.map((k) => [k, coerce((v as Obj)[k])]));
    }
    return v;
  };
  return coerce(tree) as Obj;
}

/** A control's answer other than 200 (for lookups that find nothing). */
class ControlAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

const notFound = (message: string) => new ControlAnswer(404, { error: { type: 'invalid_request_error', message } });
const OK = { ok: true };

interface ControlRoute {
  method: 'GET' | 'POST' | 'DELETE';
  /** '/_emulator/mandates/:id/deactivate'; `:x` segments are passed decoded, in order */
  pattern: string;
  run(c: EmulatorControls, em: Emulator, body: Obj, params: string[]): unknown;
}

/** The HTTP face of `createControls` (one line per control); a thrown error answers 400 with its message. */
const CONTROL_ROUTES: readonly ControlRoute[] = [
  { method: 'GET', pattern: '/_emulator/health', run: (_c, em) => ({ ok: true, origin: em.origin, api_version: API_VERSION, now: em.now() }) },
  { method: 'POST', pattern: '/_emulator/reset', run: (c) => (c.reset(), OK) },
  { method: 'GET', pattern: '/_emulator/clock', run: (c) => ({ now: c.now() }) },
  {
    method: 'POST',
    pattern: '/_emulator/clock/advance',
    run: (c, _em, body) => {
      const seconds = Number(body.seconds);
      if (!Number.isFinite(seconds) || seconds < 0) throw invalid('seconds must be a non-negative number', { param: 'seconds' });
      return { now: c.advanceClock(seconds) };
    },
  },
  { method: 'POST', pattern: '/_emulator/payment_outcomes', run: (c, em, body) => (c.setPaymentOutcome(body as PaymentOutcomeSpec), { ok: true, queued: em.store.outcomes }) },
  { method: 'GET', pattern: '/_emulator/payment_outcomes', run: (_c, em) => ({ queued: em.store.outcomes }) },
  { method: 'DELETE', pattern: '/_emulator/payment_outcomes', run: (c) => (c.clearPaymentOutcomes(), OK) },
  { method: 'POST', pattern: '/_emulator/refund_outcomes', run: (c, _em, body) => (c.setRefundOutcome(body as { outcome: 'succeed' | 'fail'; times?: number }), OK) },
  {
    method: 'DELETE',
    pattern: '/_emulator/refund_outcomes',
    run: (_c, em) => {
      em.store.refundOutcomes = [];
      em.touch();
      em.flush();
      return OK;
    },
  },
  { method: 'POST', pattern: '/_emulator/faults', run: (c, _em, body) => (c.setFault(body as FaultSpec), OK) },
  { method: 'GET', pattern: '/_emulator/faults', run: (_c, em) => ({ faults: em.faults.map(({ regex: _r, hits: _h, ...f }) => f) }) },
  { method: 'DELETE', pattern: '/_emulator/faults', run: (c) => (c.clearFaults(), OK) },
  { method: 'POST', pattern: '/_emulator/charges/:id/dispute', run: (c, _em, body, [id]) => c.openDispute(id, { reason: body.reason }) },
  { method: 'POST', pattern: '/_emulator/disputes/:id/won', run: (c, _em, _body, [id]) => c.resolveDispute(id, 'won') },
  { method: 'POST', pattern: '/_emulator/disputes/:id/lost', run: (c, _em, _body, [id]) => c.resolveDispute(id, 'lost') },
  { method: 'POST', pattern: '/_emulator/mandates/:id/deactivate', run: (c, _em, _body, [id]) => c.deactivateMandate(id) },
  ...(['authorize', 'fail'] as const).map(
    (outcome): ControlRoute => ({
      method: 'POST',
      pattern: `/_emulator/checkout/sessions/:id/${outcome}`,
      run: (c, em, body, [id]) => {
        if (!em.getKind('checkout.session', id)) throw missing('checkout.session', id);
        return c.completeCheckoutSession(id, { outcome, ipAddress: body.ip_address, userAgent: body.user_agent });
      },
    }),
  ),
  { method: 'POST', pattern: '/_emulator/webhooks/retry_schedule', run: (c, _em, body) => (c.setWebhookRetrySchedule(body.delays_ms ?? body.delaysMs), OK) },
  { method: 'GET', pattern: '/_emulator/webhooks/deliveries', run: (c) => ({ deliveries: c.webhookDeliveries() }) },
  { method: 'GET', pattern: '/_emulator/requests', run: (_c, em) => ({ requests: em.requestLog }) },
  { method: 'GET', pattern: '/_emulator/requests/:id', run: (_c, em, _body, [id]) => em.requestLog.find((r) => r.requestId === id) ?? notFound('No such request in the log.') },
  { method: 'GET', pattern: '/_emulator/objects/:id', run: (c, _em, _body, [id]) => c.getObject(id) ?? notFound('No such object.') },
];

const COMPILED_CONTROLS = CONTROL_ROUTES.map((r) => ({ ...r, re: new RegExp('^' + r.pattern.replace(/:[a-z_]+/g, '([^/]+)') + '$') }));

export async function handleControl(em: Emulator, req: IncomingMessage, res: ServerResponse, method: string, path: string, rawBody: string): Promise<void> {
  const json = (status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
    res.end(text);
  };
  if (!isLoopback(req)) return json(403, { error: { type: 'invalid_request_error', message: 'Emulator controls are only available from loopback.' } });
  try {
    const body = parseBody(req, rawBody);
    const clean = path.replace(/\/+$/, '');
    for (const route of COMPILED_CONTROLS) {
      const m = route.method === method ? route.re.exec(clean) : null;
      if (!m) continue;
      const answer = route.run(createControls(em), em, body, m.slice(1).map(decodeURIComponent));
      return answer instanceof ControlAnswer ? json(answer.status, answer.body) : json(200, answer);
    }
    return json(404, { error: { type: 'invalid_request_error', message: `Unknown emulator control route: ${method} ${path}` } });
  } catch (e) {
    if (e instanceof ApiError) return json(e.status, { error: e.body });
    if (e instanceof Error) return json(400, { error: { type: 'invalid_request_error', message: e.message } });
    throw e;
  }
}
