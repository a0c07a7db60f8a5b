/** Webhook delivery: signed POSTs (Stripe-Signature v1), retried on failure. */
import { createHmac } from 'node:crypto';
import type { Emulator } from './emulator.js';
import type { Obj } from './store.js';

export interface WebhookDelivery {
  eventId: string;
  eventType: string;
  endpointId: string;
  url: string;
  attempt: number;
  at: number; // ms wall clock
  status: number | null; // HTTP status, null on network error / timeout
  error?: string;
  ok: boolean;
}

function signPayload(payload: string, secret: string, timestamp: number): string {
  const sig = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${sig}`;
}

export class WebhookDispatcher {
  readonly deliveries: WebhookDelivery[] = [];
  /** delay before retry n (1-based) in ms; after the last one, delivery gives up */
  retryDelaysMs: number[] = [1_000, 5_000, 30_000, 120_000, 600_000, 3_600_000];
  timeoutMs = 10_000;
  private timers = new Set<NodeJS.Timeout>();
  private controllers = new Set<AbortController>();
  private inFlight = new Set<Promise<void>>();
  private generation = 0;

  constructor(private readonly em: Emulator) {}

  endpointsFor(type: string): Obj[] {
    const ids = this.em.store.lists.get('webhook_endpoint');
    if (!ids) return [];
    const out: Obj[] = [];
    for (const id of ids) {
      if (this.em.isDeleted(id)) continue;
      const ep = this.em.store.objects.get(id)!;
      if (ep.status !== 'enabled') continue;
      const ev: string[] = ep.enabled_events;
      if (ev.includes('*') || ev.includes(type)) out.push(ep);
    }
    return out;
  }

  dispatch(eventId: string): void {
    const ev = this.em.store.objects.get(eventId);
    if (!ev) return;
    for (const ep of this.endpointsFor(ev.type)) this.attempt(eventId, ep.id, 1);
  }

  private attempt(eventId: string, endpointId: string, n: number): void {
    const gen = this.generation;
    const p = this.deliver(eventId, endpointId, n, gen).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async deliver(eventId: string, endpointId: string, n: number, gen: number): Promise<void> {
    const ev = this.em.store.objects.get(eventId);
    const ep = this.em.store.objects.get(endpointId);
    if (!ev || !ep || this.em.isDeleted(endpointId) || ep.status !== 'enabled') return;
    const secret: string = this.em.store.internal.get(endpointId)?.secret;
    const payload = JSON.stringify(ev, null, 2);
    // Signatures use the wall clock: receivers check them against their own time (300 s tolerance).
    const sigHeader = signPayload(payload, secret, Math.floor(Date.now() / 1000));
    const ac = new AbortController();
    this.controllers.add(ac);
    const timer = setTimeout(() => ac.abort(), this.timeoutMs);
    let status: number | null = null;
    let error: string | undefined;
    try {
      const res = await fetch(ep.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': sigHeader,
        },
        body: payload,
        signal: ac.signal,
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = (e as Error).name === 'AbortError' ? 'timeout' : ((e as Error).message ?? String(e));
    } finally {
      clearTimeout(timer);
      this.controllers.delete(ac);
    }
    if (gen !== this.generation) return;
    const ok = status !== null && status >= 200 && status < 300;
    this.deliveries.push({ eventId, eventType: ev.type, endpointId, url: ep.url, attempt: n, at: Date.now(), status, error, ok });
    if (ok) {
      if (ev.pending_webhooks > 0) ev.pending_webhooks -= 1;
      this.em.touch();
      this.em.flush();
      return;
    }
    const delay = this.retryDelaysMs[n - 1];
    if (delay === undefined) {
      this.em.config.log(`emulator: webhook ${ev.type} ${eventId} to ${ep.url} failed ${n} times; giving up`);
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.attempt(eventId, endpointId, n + 1);
    }, delay);
    t.unref();
    this.timers.add(t);
  }

  /** Resolves when no delivery is in flight (pending retries are not waited for). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  stop(): void {
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.controllers) c.abort();
    this.controllers.clear();
  }

  reset(): void {
    this.stop();
    this.deliveries.length = 0;
  }
}
