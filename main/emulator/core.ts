/** The emulator's engine: state, clock, events, persistence hooks. HTTP lives in server.ts. */
import { loadState, saveState, Store, type Obj, type Outcome } from './store.js';
import { newId, clone } from './util.js';
import { refreshSession, sweepSessions } from './api/checkout.js';
import { renewDueSubscriptions } from './api/billing.js';
import { WebhookDispatcher } from './webhooks.js';

export const API_VERSION = '2026-10-28.endive';

export interface RequestLogEntry {
  at: number;
  method: string;
  path: string;
  status: number;
  idempotencyKey?: string;
  replayed: boolean;
  /** the `Request-Id` sent back (also the target of `request_log_url` in errors) */
  requestId?: string;
}

/** Who caused a change: an API request (id + idempotency key) or the emulator itself (nulls). */
export interface ReqInfo {
  id: string | null;
  idempotencyKey: string | null;
  apiVersion: string;
}

export const AUTOMATIC: ReqInfo = { id: null, idempotencyKey: null, apiVersion: API_VERSION };

export interface FaultSpec {
  /** HTTP method to match; omitted or '*' = any */
  method?: string;
  /** '/v1/payment_intents', '/v1/payment_intents/*' (one segment), '/v1/**' (anything), ':id' segments allowed */
  path: string;
  latencyMs?: number;
  /** answer the next N matching requests with HTTP 500 before executing them */
  status500?: number;
  /** answer the next N matching requests with HTTP 429 rate_limit */
  rateLimit?: number;
  /** allow at most this many matching requests per rolling second; the rest get 429 */
  rateLimitPerSecond?: number;
  /** add `Stripe-Should-Retry: true` to injected 429s so the SDK retries them */
  rateLimitShouldRetry?: boolean;
  /** execute the next N matching requests, then drop the connection without a response */
  loseResponse?: number;
}

export interface FaultRule extends FaultSpec {
  regex: RegExp;
  hits: number[];
}

export interface EmulatorConfig {
  statePath?: string;
  log: (line: string) => void;
}

export class Emulator {
  store: Store;
  origin = '';
  readonly requestLog: RequestLogEntry[] = [];
  faults: FaultRule[] = [];
  readonly webhooks: WebhookDispatcher;
  private dirty = false;
  private queuedEvents: string[] = [];
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(readonly config: EmulatorConfig) {
    this.store = config.statePath ? loadState(config.statePath, config.log) : new Store();
    this.webhooks = new WebhookDispatcher(this);
  }

  /** Emulator clock, unix seconds (wall clock + advanceClock offset). */
  now(): number {
    return Math.floor(Date.now() / 1000) + this.store.clockOffset;
  }

  startTimers(): void {
    // Expire lapsed Checkout Sessions about once a second so `checkout.session.expired` fires without a read.
    this.sweepTimer = setInterval(() => {
      if (this.store.openSessions.size === 0) return;
      sweepSessions(this);
      this.flush();
    }, 1000);
    this.sweepTimer.unref();
  }

  stopTimers(): void {
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    this.webhooks.stop();
  }

  /** Read any object by id; applies lazy transitions (session expiry). */
  get(id: string): Obj | undefined {
    const o = this.store.objects.get(id);
    if (o && o.object === 'checkout.session' && o.status === 'open') refreshSession(this, o);
    return o;
  }

  getKind(kind: string, id: string): Obj | undefined {
    const o = this.get(id);
    return o && o.object === kind && !this.isDeleted(id) ? o : undefined;
  }

  isDeleted(id: string): boolean {
    return this.store.internal.get(id)?.deleted === true;
  }

  insert(obj: Obj): Obj {
    this.store.insert(obj);
    this.dirty = true;
    return obj;
  }

  touch(): void {
    this.dirty = true;
  }

  /** Delete as Stripe does: the id keeps its list position and reads as `{ id, object, deleted: true }` (returned). */
  markDeleted(obj: Obj): Obj {
    const stub = { id: obj.id, object: obj.object, deleted: true };
    this.store.meta(obj.id).deleted = true;
    this.store.replace(stub);
    this.dirty = true;
    return stub;
  }

  emit(type: string, object: Obj, req: ReqInfo | null, previous?: Obj): Obj {
    const endpoints = this.webhooks.endpointsFor(type);
    const ev: Obj = {
      id: newId('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: this.now(),
      data: previous ? { object: clone(object), previous_attributes: clone(previous) } : { object: clone(object) },
      livemode: false,
      pending_webhooks: endpoints.length,
      request: { id: req?.id ?? null, idempotency_key: req?.idempotencyKey ?? null },
      type,
    };
    this.insert(ev);
    if (endpoints.length) this.queuedEvents.push(ev.id);
    return ev;
  }

  /** Persist if anything changed, then start webhook deliveries for new events. */
  flush(): void {
    if (this.closed) return;
    if (this.dirty) {
      this.dirty = false;
      if (this.config.statePath) {
        try {
          saveState(this.config.statePath, this.store);
        } catch (e) {
          this.config.log(`emulator: failed to save state: ${(e as Error).message}`);
        }
      }
    }
    if (this.queuedEvents.length) {
      const ids = this.queuedEvents;
      this.queuedEvents = [];
      for (const id of ids) this.webhooks.dispatch(id);
    }
  }

  /** Advance the clock, then apply everything that became due (expiries, renewals). */
  advanceClock(seconds: number): number {
    if (!Number.isFinite(seconds) || seconds < 0) throw new Error('advanceClock: seconds must be a non-negative number');
    this.store.clockOffset += Math.floor(seconds);
    this.dirty = true;
    this.tick();
    return this.now();
  }

  tick(): void {
    sweepSessions(this);
    renewDueSubscriptions(this);
    this.pruneEvents();
    this.flush();
  }

  /** Stripe keeps events for 30 days; so do we (by the emulator clock), which bounds the state file. */
  pruneEvents(): void {
    const cutoff = this.now() - 30 * 86400;
    const ids = this.store.lists.get('event');
    if (!ids || ids.length === 0 || this.store.objects.get(ids[0])!.created >= cutoff) return;
    const keep = ids.filter((id) => {
      if (this.store.objects.get(id)!.created >= cutoff) return true;
      this.store.objects.delete(id);
      this.store.positions.delete(id);
      return false;
    });
    keep.forEach((id, i) => this.store.positions.set(id, i));
    this.store.lists.set('event', keep);
    this.dirty = true;
  }

  /** Next payment outcome for a confirmation: queued rule for the method, then the customer, then global, then magic amounts. */
  takeOutcome(paymentMethod: string | null, customer: string | null, amount: number): Outcome {
    const rules = this.store.outcomes;
    let idx = rules.findIndex((r) => r.paymentMethod && r.paymentMethod === paymentMethod);
    if (idx < 0) idx = rules.findIndex((r) => !r.paymentMethod && r.customer && r.customer === customer);
    if (idx < 0) idx = rules.findIndex((r) => !r.paymentMethod && !r.customer);
    if (idx >= 0) {
      const r = rules[idx];
      r.remaining -= 1;
      if (r.remaining <= 0) rules.splice(idx, 1);
      this.dirty = true;
      return r.outcome;
    }
    return magicOutcome(amount);
  }

  takeRefundOutcome(amount: number): 'succeed' | 'fail' {
    const r = this.store.refundOutcomes[0];
    if (r) {
      r.remaining -= 1;
      if (r.remaining <= 0) this.store.refundOutcomes.shift();
      this.dirty = true;
      return r.outcome;
    }
    return amount % 10000 === MAGIC.refundFail ? 'fail' : 'succeed';
  }

  reset(): void {
    this.store = new Store();
    this.requestLog.length = 0;
    this.faults = [];
    this.webhooks.reset();
    this.queuedEvents = [];
    this.dirty = true;
    this.flush();
  }
}

/** Amounts (in the currency's minor unit) whose last four digits choose the outcome. */
export const MAGIC = {
  decline: 9901,
  unavailable: 9902,
  authenticationRequired: 9903,
  refundFail: 9904,
} as const;

function magicOutcome(amount: number): Outcome {
  switch (amount % 10000) {
    case MAGIC.decline:
      return 'decline';
    case MAGIC.unavailable:
      return 'unavailable';
    case MAGIC.authenticationRequired:
      return 'authentication_required';
    default:
      return 'succeed';
  }
}
