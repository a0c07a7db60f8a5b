/**
 * CRUD written once: find-or-404, change tracking for `previous_attributes`, and the retrieve / list /
 * delete / metadata-update handlers most resources share. Resources add only what is their own.
 */
import type { Ctx, Emulator, Handler, ReqInfo } from './emulator.js';
import { missing } from './errors.js';
import { invalid } from './errors.js';
import { paginate, parseLimit, type ListObject } from './list.js';
import { mergeMetadata, parseListParams, parseParams, S, type Props } from './params.js';
import { matchesQuery, parseQuery } from './search.js';
import type { Obj } from './store.js';

/** How a kind is named in 404s ("No such PaymentMethod: 'pm_1'") and which param a bad id blames. */
export interface KindInfo {
  kind: string;
  /** the word Stripe uses in "No such …" messages; defaults to `kind` */
  what?: string;
  /** the param named in a 404 for the path id; defaults to 'id' */
  idParam?: string;
}

export function requireObject(em: Emulator, kind: string, what: string, id: string, param = 'id'): Obj {
  const o = em.getKind(kind, id);
  if (!o) throw missing(what, id, param);
  return o;
}

export function requireCustomer(em: Emulator, id: string, param = 'customer'): Obj {
  return requireObject(em, 'customer', 'customer', id, param);
}

/** The path object of a handler for `k`, or its 404. */
export function requireOf(em: Emulator, k: KindInfo, id: string, param = k.idParam ?? 'id'): Obj {
  return requireObject(em, k.kind, k.what ?? k.kind, id, param);
}

export function listParams<T = Obj>(ctx: Ctx, extra: Props = {}): T {
  return parseListParams<T>(ctx.tree, extra);
}

/**
 * Set keys on an object and return the previous values of the keys that changed (for `previous_attributes`).
 * If any changed, the state is marked dirty and `eventType` (if given) is emitted.
 */
export function applyChanges(em: Emulator, req: ReqInfo, obj: Obj, changes: Obj, eventType?: string): Obj {
  const prev: Obj = {};
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) continue;
    if (JSON.stringify(obj[k]) !== JSON.stringify(v)) {
      prev[k] = obj[k] === undefined ? null : obj[k];
      obj[k] = v;
    }
  }
  if (Object.keys(prev).length) {
    em.touch();
    if (eventType) em.emit(eventType, obj, req, prev);
  }
  return prev;
}

/** GET /v1/<things>/:id */
export function retrieveHandler(k: KindInfo, props: Props = {}): Handler {
  return (ctx, id) => {
    parseParams(ctx.tree, props);
    return requireOf(ctx.em, k, id);
  };
}

/**
 * GET /v1/<things>: newest first with cursors and `created`; `filters` are the endpoint's own params,
 * `match` keeps an object for the parsed params (omitted: every object of the kind).
 */
export function listHandler<P extends Obj = Obj>(k: KindInfo, url: string, filters: Props = {}, match?: (p: P, o: Obj) => boolean, before?: (ctx: Ctx, p: P) => void): Handler {
  return (ctx): ListObject => {
    const p = listParams<P>(ctx, filters);
    before?.(ctx, p);
    return paginate(ctx.em, k.kind, url, p, match ? (o) => match(p, o) : undefined, k.what ?? k.kind);
  };
}

/** The usual list filter: each named param, when given, must equal the object's field of that name. */
export function matchFields(...names: string[]): (p: Obj, o: Obj) => boolean {
  return (p, o) => names.every((n) => p[n] === undefined || p[n] === null || o[n] === p[n]);
}

/** DELETE /v1/<things>/:id: the object reads as `{ id, object, deleted: true }` from then on. */
export function deleteHandler(k: KindInfo, opts: { event?: string; before?: (ctx: Ctx, obj: Obj) => void } = {}): Handler {
  return (ctx, id) => {
    const { em } = ctx;
    parseParams(ctx.tree, {});
    const obj = requireOf(em, k, id);
    opts.before?.(ctx, obj);
    const stub = em.markDeleted(obj);
    if (opts.event) em.emit(opts.event, obj, ctx);
    return stub;
  };
}

/** POST /v1/<things>/:id for resources whose only editable field is `metadata`. */
export function metadataUpdateHandler(k: KindInfo, event?: string): Handler {
  return (ctx, id) => {
    const p = parseParams(ctx.tree, { metadata: S.meta() });
    const obj = requireOf(ctx.em, k, id);
    if ('metadata' in p) applyChanges(ctx.em, ctx, obj, { metadata: mergeMetadata(obj.metadata, p.metadata) }, event);
    return obj;
  };
}

/**
 * GET /v1/<things>/search: Stripe's search query language over `fields` (numeric ones compare with < >),
 * newest first, paged with an opaque `page` token; `expand[]=total_count` adds the count.
 */
export function searchHandler(k: KindInfo, url: string, fields: readonly string[], numericFields: readonly string[] = ['created']): Handler {
  return (ctx) => {
    const { em } = ctx;
    const p = parseParams(ctx.tree, { query: S.req(S.str()), limit: S.int(), page: S.str() });
    const limit = parseLimit(p.limit);
    const q = parseQuery(p.query, fields, numericFields);
    let offset = 0;
    if (p.page) {
      const m = /^pg_(\d+)$/.exec(Buffer.from(p.page, 'base64url').toString('utf8'));
      if (!m) throw invalid('Invalid page token.', { param: 'page' });
      offset = Number(m[1]);
    }
    const ids = em.store.lists.get(k.kind) ?? [];
    const matches: Obj[] = [];
    for (let i = ids.length - 1; i >= 0; i--) {
      if (em.isDeleted(ids[i])) continue;
      const o = em.store.objects.get(ids[i])!;
      if (matchesQuery(o, q)) matches.push(o);
    }
    const more = matches.length > offset + limit;
    const out: Obj = {
      object: 'search_result',
      data: matches.slice(offset, offset + limit),
      has_more: more,
      next_page: more ? Buffer.from(`pg_${offset + limit}`).toString('base64url') : null,
      url,
    };
    if (ctx.tree.expand && Object.values(ctx.tree.expand).includes('total_count')) out.total_count = matches.length;
    return out;
  };
}
