/** Events and webhook endpoints. */
import type Stripe from 'stripe';
import { invalid } from '../errors.js';
import { paginate } from '../list.js';
import { createMetadata, mergeMetadata, parseParams, S } from '../params.js';
import type { Ctx, Route } from '../server.js';
import type { Obj } from '../store.js';
import { newId, randomString } from '../util.js';
import { applyChanges, checkUrl, listParams, requireObject } from './common.js';

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

function checkEvents(list: string[] | null | undefined): string[] {
  if (!list || list.length === 0) throw invalid('Missing required param: enabled_events.', { code: 'parameter_missing', param: 'enabled_events' });
  list.forEach((e, i) => {
    if (e !== '*' && !/^[a-z_]+(\.[a-z_]+)+$/.test(e)) throw invalid(`Invalid enabled_events[${i}]: ${e} is not a valid event type`, { param: `enabled_events[${i}]` });
  });
  return list;
}

function endpointCreate(ctx: Ctx): Obj {
  const { em } = ctx;
  const p = parseParams(ctx.tree, {
    url: S.req(S.str({ max: 5000 })),
    enabled_events: S.req(S.arr(S.str())),
    api_version: S.str(),
    connect: S.bool(),
    description: S.str(),
    metadata: S.meta(),
  });
  checkUrl(p.url, 'url');
  const we: Stripe.WebhookEndpoint = {
    id: newId('we'),
    object: 'webhook_endpoint',
    api_version: p.api_version ?? null,
    application: null,
    created: em.now(),
    description: p.description ?? null,
    enabled_events: checkEvents(p.enabled_events),
    livemode: false,
    metadata: createMetadata(p.metadata),
    secret: `whsec_${randomString(32)}`,
    status: 'enabled',
    url: p.url,
  };
  em.insert(we as Obj);
  em.store.meta(we.id).secret = we.secret;
  // the secret is only ever returned by the create call
  const stored = em.store.objects.get(we.id)!;
  const response = { ...stored };
  delete stored.secret;
  return response;
}

function endpointUpdate(ctx: Ctx, id: string): Obj {
  const { em } = ctx;
  const p = parseParams(ctx.tree, { url: S.str(), enabled_events: S.arr(S.str()), description: S.str(), disabled: S.bool(), metadata: S.meta() });
  const we = requireObject(em, 'webhook_endpoint', 'webhook_endpoint', id);
  const changes: Obj = {};
  if (p.url) changes.url = checkUrl(p.url, 'url');
  if ('enabled_events' in p) changes.enabled_events = checkEvents(p.enabled_events);
  if ('description' in p) changes.description = p.description ?? null;
  if ('disabled' in p) changes.status = p.disabled ? 'disabled' : 'enabled';
  if ('metadata' in p) changes.metadata = mergeMetadata(we.metadata, p.metadata);
  applyChanges(em, ctx, we, changes);
  return we;
}

function endpointDelete(ctx: Ctx, id: string): Obj {
  const { em } = ctx;
  parseParams(ctx.tree, {});
  return em.markDeleted(requireObject(em, 'webhook_endpoint', 'webhook_endpoint', id));
}

export const eventRoutes: Route[] = [
  { method: 'GET', pattern: '/v1/events', handler: eventList },
  { method: 'GET', pattern: '/v1/events/:id', handler: eventRetrieve },
  { method: 'POST', pattern: '/v1/webhook_endpoints', handler: endpointCreate },
  { method: 'GET', pattern: '/v1/webhook_endpoints', handler: (ctx) => paginate(ctx.em, 'webhook_endpoint', '/v1/webhook_endpoints', listParams(ctx, {}), undefined, 'webhook_endpoint') },
  { method: 'GET', pattern: '/v1/webhook_endpoints/:id', handler: (ctx, id) => (parseParams(ctx.tree, {}), requireObject(ctx.em, 'webhook_endpoint', 'webhook_endpoint', id)) },
  { method: 'POST', pattern: '/v1/webhook_endpoints/:id', handler: endpointUpdate },
  { method: 'DELETE', pattern: '/v1/webhook_endpoints/:id', handler: endpointDelete },
];
