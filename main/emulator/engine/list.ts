/** Stripe list pagination: newest first, limit 1..100, starting_after / ending_before, has_more, url. */
import type { Emulator } from './emulator.js';
import { invalid, missing } from './errors.js';
import type { Obj } from './store.js';

export interface ListParams {
  limit?: number | null;
  starting_after?: string | null;
  ending_before?: string | null;
  created?: number | Record<string, number> | null;
}

export interface ListObject {
  object: 'list';
  url: string;
  has_more: boolean;
  data: Obj[];
}

export function parseLimit(limit: number | null | undefined): number {
  if (limit === undefined || limit === null) return 10;
  if (limit < 1 || limit > 100) {
    throw invalid(`Invalid limit: must be between 1 and 100`, { param: 'limit' });
  }
  return limit;
}

function matchesRange(value: number, range: number | Record<string, number> | null | undefined): boolean {
  if (range === undefined || range === null) return true;
  if (typeof range === 'number') return value === range;
  if (range.gt !== undefined && !(value > range.gt)) return false;
  if (range.gte !== undefined && !(value >= range.gte)) return false;
  if (range.lt !== undefined && !(value < range.lt)) return false;
  if (range.lte !== undefined && !(value <= range.lte)) return false;
  return true;
}

/**
 * Page through the objects of `kind` (or an explicit id list, oldest first) newest first.
 * `what` names the resource in 404 messages ("customer", "PaymentIntent", ...).
 */
export function paginate(
  em: Emulator,
  kind: string,
  url: string,
  p: ListParams,
  filter?: (o: Obj) => boolean,
  what: string = kind,
  ids: readonly string[] = em.store.lists.get(kind) ?? [],
): ListObject {
  const limit = parseLimit(p.limit);
  if (p.starting_after && p.ending_before) {
    throw invalid('You may only specify one of these parameters: ending_before, starting_after.', { code: 'parameters_exclusive', param: 'ending_before' });
  }
  const accept = (id: string): Obj | undefined => {
    if (em.isDeleted(id)) return undefined;
    const o = em.get(id);
    if (!o) return undefined;
    if (p.created !== undefined && p.created !== null && !matchesRange(o.created, p.created)) return undefined;
    if (filter && !filter(o)) return undefined;
    return o;
  };
  const indexOf = (id: string, param: string): number => {
    const pos = ids === em.store.lists.get(kind) ? em.store.positions.get(id) : ids.indexOf(id);
    if (pos === undefined || pos < 0 || ids[pos] !== id) throw missing(what, id, param);
    return pos;
  };
  // ending_before: the `limit` items just newer than the cursor (walked oldest first, returned newest first);
  // otherwise the items older than starting_after, or the newest ones
  const step = p.ending_before ? 1 : -1;
  let i = p.ending_before
    ? indexOf(p.ending_before, 'ending_before') + 1
    : p.starting_after
      ? indexOf(p.starting_after, 'starting_after') - 1
      : ids.length - 1;
  const out: Obj[] = [];
  let more = false;
  for (; i >= 0 && i < ids.length; i += step) {
    const o = accept(ids[i]);
    if (!o) continue;
    if (out.length === limit) {
      more = true;
      break;
    }
    out.push(o);
  }
  if (p.ending_before) out.reverse();
  return { object: 'list', url, has_more: more, data: out };
}
