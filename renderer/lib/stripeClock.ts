/**
 * Stripe's clock as main reports it (`app.clock`, then `clock.changed`): a setup's expiry is a
 * Stripe time, and the training clock can move Stripe days ahead of this computer, so a countdown to
 * it must count on Stripe's clock, not on `Date.now()` alone.
 */
import { useEffect, useState } from 'react';
import { call, useApiEvent } from '../api';

/** Stripe time minus this computer's time, in ms (0 until main has answered). */
export function useStripeOffset(): number {
  const [offset, setOffset] = useState(0);
  useEffect(() => {
    let live = true;
    void call('app.clock', {}).then((result) => {
      if (live && result.ok) setOffset(result.data.stripeOffsetMs);
    });
    return () => {
      live = false;
    };
  }, []);
  useApiEvent('clock.changed', (clock) => setOffset(clock.stripeOffsetMs));
  return offset;
}

/** Milliseconds from Stripe's now to `stripeIso` (negative once it has passed). */
export function msUntilOnStripeClock(stripeIso: string, deskNowMs: number, stripeOffsetMs: number): number {
  return Date.parse(stripeIso) - (deskNowMs + stripeOffsetMs);
}
