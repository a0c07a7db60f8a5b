/**
 * The emulator's engine: state, clock, events, persistence, and the extension points resources plug
 * into (routes, read hooks, clock hooks, includable fields). It knows no resource by name: the
 * composition (index.ts) hands it the list. HTTP lives in ../http.
 */
import { newId } from './ids.js';
import type { TreeObj } from './params.js';
import { loadState, saveState, Store, type Obj, type Outcome } from './store.js';
import { clone } from './util.js';
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

/** A file part of a multipart request; its param in `tree` holds the key into `Ctx.uploads`. */
export interface Upload {
  filename: string | null;
  contentType: string;
  data: Buffer;
}

/** What a handler gets: the request's identity (for events) and its parsed form/query tree. */
export interface Ctx extends ReqInfo {
  em: Emulator;
  method: string;
  path: string;
  tree: TreeObj;
  uploads: ReadonlyMap<string, Upload>;
}

/** Bytes rather than JSON (file contents). */
export interface RawAnswer {
  status: number;
  raw: Buffer;
  contentType: string;
}

export type HandlerResult = Obj | { status: number; body: Obj } | RawAnswer;
export type Handler = (ctx: Ctx, ...pathParams: string[]) => HandlerResult;
export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** '/v1/customers/:id'; a literal segment must come before a `:param` route it would also match */
  pattern: string;
  handler: Handler;
}

/** One Stripe resource as the engine sees it (localstripe's model: resources register, the server derives). */
export interface Resource {
  /** the `object` value of what it stores, e.g. 'payment_intent' */
  kind: string;
  routes: readonly Route[];
  /** applied on every read of an object of this kind (lazy transitions, e.g. session expiry) */
  onRead?(em: Emulator, obj: Obj): void;
  /** after the clock moved (advanceClock, start-up): apply what became due */
  onClock?(em: Emulator): void;
  /** about once a second while the emulator runs */
  everySecond?(em: Emulator): void;
  /** once the server listens (em.origin is known), e.g. to re-point URLs from a previous run */
  onStart?(em: Emulator): void;
  /** fields Stripe returns only when expanded: field name → value for an object of this kind */
  includable?: Record<string, (em: Emulator, obj: Obj) => Obj>;
}

export interface EmulatorConfig {
  statePath?: string;
  log: (line: string) => void;
  resources: readonly Resource[];
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

  private readonly readHooks = new Map<string, (em: Emulator, obj: Obj) => void>();
  private readonly includables = new Map<string, Record<string, (em: Emulator, obj: Obj) => Obj>>();

  constructor(readonly config: EmulatorConfig) {
    this.store = config.statePath ? loadState(config.statePath, config.log) : new Store();
    this.webhooks = new WebhookDispatcher(this);
    for (const r of config.resources) {
      if (r.onRead) this.readHooks.set(r.kind, r.onRead);
      if (r.includable) this.includables.set(r.kind, r.includable);
    }
  }

  /** The value of an includable field (`expand[]=payments` on an invoice), or undefined. */
  includable(obj: Obj, key: string): Obj | undefined {
    return this.includables.get(obj.object)?.[key]?.(this, obj);
  }

  /** Once listening: resources re-point what a restored state carried, then everything due is applied. */
  start(origin: string): void {
    this.origin = origin;
    for (const r of this.config.resources) r.onStart?.(this);
    this.tick();
    this.startTimers();
  }

  /** Emulator clock, unix seconds (wall clock + advanceClock offset). */
  now(): number {
    return Math.floor(Date.now() / 1000) + this.store.clockOffset;
  }

  startTimers(): void {
    // e.g. lapsed Checkout Sessions expire about once a second, so `checkout.session.expired` fires without a read
    this.sweepTimer = setInterval(() => {
      for (const r of this.config.resources) r.everySecond?.(this);
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
    if (o) this.readHooks.get(o.object)?.(this, o);
    return o;
  }

  getKind(kind: string, id: string): Obj | undefined {
    const o = this.get(id);
    return o && o.object === kind && !this.isDeleted(id) ? o : undefined;
  }

  isDeleted(id: string): boolean {
    return this.store.internal.get(id)?.deleted === true;
  }

  /** Store a new object (built `satisfies Stripe.X` by its resource); from here on it is mutable state. */
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
    for (const r of this.config.resources) r.onClock?.(this);
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
  /** the charge succeeds, then a dispute opens on it (`charge.dispute.created`) */
  dispute: 9905,
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
