/** Training mode only: moves the emulator's clock forward so renewals and expiries can be practised. */
import type { Handlers } from './dispatch';
import type { CoreEnv } from './env';
import { AppError } from './errors';
import { stripeClockOf } from './stripe-clock';

const SECONDS_PER_DAY = 86_400;

export function trainingHandlers(env: CoreEnv): Pick<Handlers, 'training.advanceClock'> {
  return {
    async 'training.advanceClock'({ days }) {
      if (env.mode !== 'training' || !env.training)
        throw new AppError('not_training', 'The clock can only be moved in training mode; this terminal is connected to real Stripe.');
      const now = await env.training.advanceClockSeconds(days * SECONDS_PER_DAY);
      stripeClockOf(env).observe(now); // countdowns to Stripe times follow at once (clock.changed)
      return { now: now.toISOString() };
    },
  };
}
