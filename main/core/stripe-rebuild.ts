/**
 * "Rebuild this desk from Stripe" (managers): a new or wiped desk imports every customer at Stripe
 * with what the shop's desks shared about them (stripe-import.ts).
 *
 * Stripe's list is walked newest first, a page at a time; after each page its last customer id is
 * stored in shop.json (`stripeRebuild.cursor`), so after a crash starting again resumes after the
 * last page done. At most `CONCURRENCY` imports run at once, and a 429 is retried with backoff, so
 * the walk stays within Stripe's rate limits. Progress goes to the renderer as `rebuild.progress`.
 */
import Stripe from 'stripe';
import type { RebuildStatus } from '../../preload/contract';
import type { ShopData } from './data';
import type { Handlers } from './dispatch';
import type { CoreEnv } from './env';
import { AppError } from './errors';
import { importCustomerFromStripe } from './stripe-import';
import { customerView } from './views';

/** Imports running at once (each makes a handful of requests; Stripe allows 25/s in test mode, 100/s live). */
export const REBUILD_CONCURRENCY = 4;
const PAGE_SIZE = 50;
const RATE_LIMIT_TRIES = 6;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `request`, waiting 0.5 s, 1 s, 2 s … after each 429 (the SDK's own retries come first). */
export async function withRateLimitRetry<T>(request: () => Promise<T>, wait: (ms: number) => Promise<unknown> = sleep): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeRateLimitError) || attempt >= RATE_LIMIT_TRIES) throw error;
      await wait(500 * 2 ** (attempt - 1));
    }
  }
}

/** Runs `task` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

type Stored = NonNullable<ShopData['stripeRebuild']>;

export function createRebuild(env: CoreEnv): {
  handlers: Pick<Handlers, 'desk.rebuildFromStripe' | 'desk.rebuildStatus' | 'customers.importFromStripe'>;
  /** The walk under way (tests wait for it), or null. */
  running(): Promise<void> | null;
} {
  const { records, stripe, clock, logger } = env;
  let current: Promise<void> | null = null;

  const statusOf = (): RebuildStatus => {
    const stored = records.shop.data.stripeRebuild;
    if (!stored) return { state: current ? 'running' : 'never', total: null, done: 0, failed: 0, startedAt: null, finishedAt: null, lastError: null };
    const state = stored.finishedAt ? 'done' : current ? 'running' : 'interrupted';
    return { state, total: stored.total, done: stored.done, failed: stored.failed, startedAt: stored.startedAt, finishedAt: stored.finishedAt, lastError: stored.lastError };
  };
  const save = async (change: (r: Stored) => void) => {
    await records.shop.update((draft) => {
      change(draft.stripeRebuild!);
    });
    env.emit('rebuild.progress', statusOf());
  };

  async function walk(): Promise<void> {
    const stored = records.shop.data.stripeRebuild;
    if (!stored || stored.finishedAt) {
      await records.shop.update((draft) => {
        draft.stripeRebuild = { startedAt: clock.now().toISOString(), finishedAt: null, cursor: null, total: null, done: 0, failed: 0, lastError: null };
      });
      env.emit('rebuild.progress', statusOf());
    }
    if (records.shop.data.stripeRebuild!.total === null) {
      // Stripe's lists have no count: one quick pass over ids first, so the bar has an end
      let total = 0;
      let after: string | undefined;
      for (;;) {
        const page = await withRateLimitRetry(() => stripe.customers.list({ limit: 100, ...(after ? { starting_after: after } : {}) }));
        total += page.data.length;
        if (!page.has_more || page.data.length === 0) break;
        after = page.data[page.data.length - 1].id;
      }
      await save((r) => (r.total = total));
    }
    for (;;) {
      const cursor = records.shop.data.stripeRebuild!.cursor;
      const page = await withRateLimitRetry(() => stripe.customers.list({ limit: PAGE_SIZE, ...(cursor ? { starting_after: cursor } : {}) }));
      let done = 0;
      let failed = 0;
      let lastError: string | null = null;
      await eachLimited(page.data, REBUILD_CONCURRENCY, async (customer) => {
        try {
          await withRateLimitRetry(() => importCustomerFromStripe(env, customer.id));
          done++;
        } catch (error) {
          failed++;
          lastError = `${customer.id}: ${error instanceof Error ? error.message : String(error)}`;
          logger.warn('rebuild: a customer could not be imported', { stripeCustomerId: customer.id, error: lastError });
        }
      });
      const last = page.data[page.data.length - 1]?.id ?? cursor;
      const finished = !page.has_more || page.data.length === 0;
      await save((r) => {
        r.cursor = last;
        r.done += done;
        r.failed += failed;
        if (lastError) r.lastError = lastError.slice(0, 500);
        if (r.total !== null && r.done + r.failed > r.total) r.total = r.done + r.failed; // customers created meanwhile
        if (finished) r.finishedAt = clock.now().toISOString();
      });
      if (finished) return;
    }
  }

  function start(): void {
    if (current) return;
    current = walk()
      .catch(async (error) => {
        // stays interrupted: starting again resumes from the stored cursor
        logger.warn('rebuild from Stripe stopped', { error: String(error) });
        await records.shop
          .update((draft) => {
            if (draft.stripeRebuild) draft.stripeRebuild.lastError = (error instanceof Error ? error.message : String(error)).slice(0, 500);
          })
          .catch(() => {});
      })
      .finally(() => {
        current = null;
        env.emit('rebuild.progress', statusOf());
      });
  }

  return {
    handlers: {
      async 'desk.rebuildFromStripe'() {
        start();
        return statusOf();
      },
      async 'desk.rebuildStatus'() {
        return statusOf();
      },
      async 'customers.importFromStripe'({ stripeCustomerId }) {
        const result = await importCustomerFromStripe(env, stripeCustomerId);
        const customer = records.index.customer(result.customerId);
        if (!customer) throw new AppError('internal', `The customer ${stripeCustomerId} was imported but is not in the index.`);
        return { customer: customerView(customer), summary: { created: result.created, changed: result.changed, counts: result.counts, skipped: result.skipped } };
      },
    },
    running: () => current,
  };
}
