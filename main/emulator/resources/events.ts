/** Events: the record of every change, listed newest first, kept 30 days. */
import { listParams, requireObject } from '../engine/crud.js';
import type { Ctx, Resource } from '../engine/emulator.js';
import { invalid } from '../engine/errors.js';
import { paginate } from '../engine/list.js';
import { parseParams, S } from '../engine/params.js';
import type { Obj } from '../engine/store.js';

function eventList(ctx: Ctx): Obj {
  const p = listParams(ctx, { type: S.str(), types: S.arr(S.str(), 20), delivery_success: S.bool() });
  if (p.type && p.types) throw invalid('You may only specify one of these parameters: type, types.', { code: 'parameters_exclusive', param: 'types' });
  let typeMatch: ((t: string) => boolean) | undefined;
  if (p.type) {
    // Stripe allows one `*` wildcard, e.g. `payment_intent.*`
    const re = new RegExp('^' + String(p.type).split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
    typeMatch = (t) => re.test(t);
  } else if (p.types) typeMatch = (t) => p.types.includes(t);
  const deliveries = ctx.em.webhooks.deliveries;
  return paginate(
    ctx.em,
    'event',
    '/v1/events',
    p,
    (o) => {
      if (typeMatch && !typeMatch(o.type)) return false;
      if (p.delivery_success !== undefined && p.delivery_success !== null) {
        const ok = o.pending_webhooks === 0 && deliveries.some((d) => d.eventId === o.id && d.ok);
        const failed = deliveries.some((d) => d.eventId === o.id && !d.ok);
        return p.delivery_success ? ok : failed;
      }
      return true;
    },
    'event',
  );
}

function eventRetrieve(ctx: Ctx, id: string): Obj {
  parseParams(ctx.tree, {});
  return requireObject(ctx.em, 'event', 'event', id);
}


export const events: Resource = {
  kind: 'event',
  routes: [
    { method: 'GET', pattern: '/v1/events', handler: eventList },
    { method: 'GET', pattern: '/v1/events/:id', handler: eventRetrieve },
  ],
};
