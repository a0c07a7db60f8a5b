/**
 * Re-checks things that finish at Stripe on their own time (open setup sessions, processing
 * refunds and charges): one timer, never overlapping, running only while something is waiting.
 */
/** Stripe is never polled more often than this, whatever the deps say. */
export const MIN_POLL_INTERVAL_MS = 2000;
const DEFAULT_POLL_INTERVAL_MS = 3000;

/** The interval the deps ask for, kept at or above the minimum. */
export function pollIntervalOf(requestedMs: number | undefined): number {
  return Math.max(MIN_POLL_INTERVAL_MS, requestedMs ?? DEFAULT_POLL_INTERVAL_MS);
}

export interface Poller {
  start(): void;
  stop(): void;
  /** Something new is waiting: arms the timer if it is not armed. */
  wake(): void;
}

export function createPoller(options: {
  intervalMs: number;
  /** What is waiting now; the poller stops when this is empty. */
  waiting: () => string[];
  refresh: (id: string) => Promise<void>;
  onError: (id: string, error: unknown) => void;
}): Poller {
  let enabled = false;
  let timer: NodeJS.Timeout | null = null;
  let running = false;

  function schedule(): void {
    if (!enabled || timer || running || options.waiting().length === 0) return;
    timer = setTimeout(runOnce, options.intervalMs);
    timer.unref();
  }

  async function runOnce(): Promise<void> {
    timer = null;
    running = true;
    try {
      for (const id of options.waiting()) {
        if (!enabled) break;
        await options.refresh(id).catch((error) => options.onError(id, error));
      }
    } finally {
      running = false;
      schedule();
    }
  }

  return {
    start() {
      enabled = true;
      schedule();
    },
    stop() {
      enabled = false;
      if (timer) clearTimeout(timer);
      timer = null;
    },
    wake: schedule,
  };
}
