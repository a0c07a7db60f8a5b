/** Webhook endpoints: where events are delivered (signed), with the secret shown only on create. */
import type Stripe from 'stripe';
import { applyChanges, deleteHandler, type KindInfo, listHandler, requireObject, retrieveHandler } from '../engine/crud.js';
import type { Ctx, Resource } from '../engine/emulator.js';
import { invalid } from '../engine/errors.js';
import { newId, randomString } from '../engine/ids.js';
import { createMetadata, mergeMetadata, parseParams, S } from '../engine/params.js';
import type { Obj } from '../engine/store.js';
import { checkUrl } from './shared.js';

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
  const we = {
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
  } satisfies Stripe.WebhookEndpoint;
  em.insert(we);
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


const WEBHOOK_ENDPOINT: KindInfo = { kind: 'webhook_endpoint' };

export const webhookEndpoints: Resource = {
  kind: 'webhook_endpoint',
  routes: [
    { method: 'POST', pattern: '/v1/webhook_endpoints', handler: endpointCreate },
    { method: 'GET', pattern: '/v1/webhook_endpoints', handler: listHandler(WEBHOOK_ENDPOINT, '/v1/webhook_endpoints') },
    { method: 'GET', pattern: '/v1/webhook_endpoints/:id', handler: retrieveHandler(WEBHOOK_ENDPOINT) },
    { method: 'POST', pattern: '/v1/webhook_endpoints/:id', handler: endpointUpdate },
    { method: 'DELETE', pattern: '/v1/webhook_endpoints/:id', handler: deleteHandler(WEBHOOK_ENDPOINT) },
  ],
};
