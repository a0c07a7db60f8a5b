/** Checks before a manager sends a charge: is this the same charge made a moment ago? */
import type { ChargeView, Currency } from '../../preload/contract';

/** How far back an identical charge counts as "just made" (a double entry, not a new purchase). */
export const IDENTICAL_CHARGE_WINDOW_MS = 10 * 60 * 1000;

/** Statuses where money moved or may still move; a declined or failed attempt is not a charge made. */
const MADE: ReadonlySet<ChargeView['status']> = new Set(['succeeded', 'pending', 'processing']);

const sameText = (a: string, b: string) => a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * The newest charge of this customer with the same amount, currency and description made within the
 * window before `now`. A charge dated after `now` also counts: in training mode main's clock can be
 * ahead of this screen's (the training clock was advanced), and such a charge is the newest there is.
 */
export function identicalRecentCharge(
  charges: readonly ChargeView[],
  next: { amount: number; currency: Currency; description: string },
  now: number,
  windowMs: number = IDENTICAL_CHARGE_WINDOW_MS,
): ChargeView | null {
  const matches = charges.filter(
    (c) => MADE.has(c.status) && c.amount === next.amount && c.currency === next.currency && sameText(c.description, next.description) && now - Date.parse(c.createdAt) <= windowMs,
  );
  return matches.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0] ?? null;
}
