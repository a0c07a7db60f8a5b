/**
 * Stripe's clock as this desk sees it. A Checkout Session's `expires_at` must lie 30 minutes to 24
 * hours after Stripe's "now", and the emulator's clock in training mode can be moved forward by days,
 * so times sent to Stripe are computed from Stripe's clock, never from the desk's. Every Stripe
 * response carries Stripe's time in its `Date` header (the emulator sends its own clock there), which
 * is how the offset is measured; the training controls report the emulator's new time directly.
 *
 * The renderer gets the same offset (`app.clock`, `clock.changed`), so a countdown to a Stripe time
 * runs on Stripe's clock too: one clock for everything shown about a Stripe object.
 */
import type { ClockView } from '../../preload/contract';
import type { Handlers } from './dispatch';
import type { CoreEnv } from './env';

export interface StripeClock {
  /** Stripe time minus desk time, in ms (0 until measured). */
  offsetMs(): number;
  /** Stripe's time now, from the last measurement. */
  now(): Date;
  view(): ClockView;
  /** Measures with one cheap Stripe request unless the last measurement is younger than `maxAgeMs`. */
  measure(maxAgeMs?: number): Promise<ClockView>;
  /** Learns from the Date header of a response to a request that started at `startedMs` (desk time). */
  learnFrom(response: { lastResponse?: { headers?: Record<string, string> } }, startedMs: number): void;
  /** Stripe's time is known to be `stripeNow` at this moment (e.g. the training clock was just moved). */
  observe(stripeNow: Date): void;
}

/** A change smaller than this is measuring noise (the Date header has whole seconds), not a moved clock. */
const NOTICEABLE_CHANGE_MS = 2000;

const clocks = new WeakMap<CoreEnv, StripeClock>();

/** The one Stripe clock of a core (created on first use). */
export function stripeClockOf(env: CoreEnv): StripeClock {
  let clock = clocks.get(env);
  if (!clock) {
    clock = createStripeClock(env);
    clocks.set(env, clock);
  }
  return clock;
}

function createStripeClock(env: Pick<CoreEnv, 'stripe' | 'clock' | 'emit' | 'logger'>): StripeClock {
  let offset = 0;
  let measuredAtMs: number | null = null;

  const view = (): ClockView => ({ stripeOffsetMs: offset, measuredAt: new Date(measuredAtMs ?? env.clock.now().getTime()).toISOString() });

  const set = (newOffset: number, atMs: number) => {
    const changed = measuredAtMs === null || Math.abs(newOffset - offset) >= NOTICEABLE_CHANGE_MS;
    // Small differences are noise: keep the old value so countdowns do not jitter.
    if (changed) offset = newOffset;
    measuredAtMs = atMs;
    if (changed) env.emit('clock.changed', view());
  };

  /** From a response's Date header; the request ran from `started` to `ended` (desk ms). */
  const learn = (header: string | undefined, started: number, ended: number) => {
    const stripeAt = header ? Date.parse(header) : NaN;
    if (Number.isNaN(stripeAt)) {
      env.logger.warn('Stripe answered without a usable Date header; Stripe times use the last known offset', { header: header ?? null });
      return;
    }
    // The header has whole seconds: Stripe's time was somewhere in [stripeAt, stripeAt + 1 s) while the request ran.
    set(stripeAt + 500 - (started + ended) / 2, ended);
  };

  return {
    offsetMs: () => offset,
    now: () => new Date(env.clock.now().getTime() + offset),
    view,
    async measure(maxAgeMs = 0) {
      const started = env.clock.now().getTime();
      if (measuredAtMs !== null && started - measuredAtMs < maxAgeMs) return view();
      // The smallest request every key this app works with may make (customers are read and written anyway).
      const list = await env.stripe.customers.list({ limit: 1 });
      learn(list.lastResponse?.headers?.date, started, env.clock.now().getTime());
      return view();
    },
    learnFrom(response, startedMs) {
      learn(response.lastResponse?.headers?.date, startedMs, env.clock.now().getTime());
    },
    observe(stripeNow) {
      const at = env.clock.now().getTime();
      set(stripeNow.getTime() - at, at);
    },
  };
}

/** Stripe's limits for `expires_at`, with a minute of room for the request's travel and the Date header's rounding. */
const EXPIRY_SAFETY_SECONDS = 60;
const MIN_EXPIRY_SECONDS = 30 * 60 + EXPIRY_SAFETY_SECONDS;
const MAX_EXPIRY_SECONDS = 24 * 3600 - EXPIRY_SAFETY_SECONDS;

/**
 * The `expires_at` (unix seconds) for a session created at Stripe time `stripeNowMs` that should
 * stay open `minutes`: kept inside Stripe's 30 min – 24 h window whatever the setting says.
 */
export function setupExpiresAt(stripeNowMs: number, minutes: number): number {
  const seconds = Math.min(MAX_EXPIRY_SECONDS, Math.max(MIN_EXPIRY_SECONDS, Math.round(minutes * 60)));
  return Math.floor(stripeNowMs / 1000) + seconds;
}

/** How long a measurement of Stripe's clock is trusted for the renderer (the training clock reports its moves itself). */
const CLOCK_VIEW_MAX_AGE_MS = 60_000;

export function clockHandlers(env: CoreEnv): Pick<Handlers, 'app.clock'> {
  return {
    async 'app.clock'() {
      return stripeClockOf(env).measure(CLOCK_VIEW_MAX_AGE_MS);
    },
  };
}
