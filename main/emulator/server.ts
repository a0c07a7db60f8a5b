/** HTTP front of the emulator: auth, parsing, idempotency, faults, request log, routing. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_VERSION, type Emulator, type FaultRule, type ReqInfo, type RequestLogEntry } from './core.js';
import { ApiError, docUrl, invalid, type ErrorBody } from './errors.js';
import { expandResponse } from './expand.js';
import { parseForm, type TreeObj } from './params.js';
import type { Obj, IdemRecord } from './store.js';
import { newId, sleep } from './util.js';
import { handlePage } from './page.js';
import { handleControl } from './controls.js';
import { customerRoutes } from './api/customers.js';
import { checkoutRoutes } from './api/checkout.js';
import { setupRoutes } from './api/setup.js';
import { paymentRoutes } from './api/payments.js';
import { billingRoutes } from './api/billing.js';
import { eventRoutes } from './api/events.js';

/** How many requests `requestLog` keeps (the newest). */
export const REQUEST_LOG_LIMIT = 10_000;

export interface Ctx extends ReqInfo {
  em: Emulator;
  method: string;
  path: string;
  tree: TreeObj;
}

export type HandlerResult = Obj | { status: number; body: Obj };
export type Handler = (ctx: Ctx, ...pathParams: string[]) => HandlerResult;
export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  pattern: string; // '/v1/customers/:id'
  handler: Handler;
}

interface CompiledRoute extends Route {
  re: RegExp;
}

function compile(r: Route): CompiledRoute {
  const re = new RegExp('^' + r.pattern.replace(/:[a-z_]+/g, '([^/]+)') + '$');
  return { ...r, re };
}

let ROUTES: CompiledRoute[] | undefined;
function routes(): CompiledRoute[] {
  // built lazily: the resource modules import types from this one
  ROUTES ??= [...customerRoutes, ...checkoutRoutes, ...setupRoutes, ...paymentRoutes, ...billingRoutes, ...eventRoutes].map(compile);
  return ROUTES;
}

const API_KEY_RE = /^(sk|rk)_test_[A-Za-z0-9_]{1,247}$/;
const VERSION_RE = /^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/;
const MAX_BODY = 2 * 1024 * 1024;

export function compileFault(spec: FaultRule | Omit<FaultRule, 'regex' | 'hits'>): FaultRule {
  const src = spec.path
    .split('/')
    .map((seg) => (seg === '**' ? '.*' : seg === '*' || seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return { ...spec, regex: new RegExp(`^${src}$`), hits: [] };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(invalid('Request body too large.', { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function errorPayload(em: Emulator, e: ErrorBody, requestId: string): Obj {
  const body: Obj = { ...e };
  if (e.code && !body.doc_url) body.doc_url = docUrl(e.code);
  body.request_log_url = `${em.origin}/_emulator/requests/${requestId}`;
  return { error: body };
}

function canonical(v: unknown): string {
  if (typeof v !== 'object' || v === null) return JSON.stringify(v);
  const keys = Object.keys(v as object).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonical((v as Record<string, unknown>)[k])).join(',') + '}';
}

function authError(header: string | undefined): ApiError | null {
  if (!header) {
    return new ApiError(401, {
      type: 'invalid_request_error',
      message:
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    });
  }
  let key: string;
  const sp = header.indexOf(' ');
  const scheme = sp < 0 ? header : header.slice(0, sp);
  const rest = sp < 0 ? '' : header.slice(sp + 1).trim();
  if (/^bearer$/i.test(scheme)) key = rest;
  else if (/^basic$/i.test(scheme)) {
    key = Buffer.from(rest, 'base64').toString('utf8').split(':')[0];
  } else {
    return new ApiError(401, {
      type: 'invalid_request_error',
      message: "Invalid authorization header. Use Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
    });
  }
  if (API_KEY_RE.test(key)) return null;
  const masked = key.length > 8 ? `${key.slice(0, key.indexOf('_', 3) + 1 || 3)}${'*'.repeat(Math.max(4, key.length - 12))}${key.slice(-4)}` : key;
  return new ApiError(401, { type: 'invalid_request_error', message: `Invalid API Key provided: ${masked}` });
}

function matchFaults(em: Emulator, method: string, path: string): FaultRule[] {
  if (em.faults.length === 0) return [];
  return em.faults.filter((f) => (!f.method || f.method === '*' || f.method.toUpperCase() === method) && f.regex.test(path));
}

export async function handleRequest(em: Emulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = newId('req');
  res.setHeader('Request-Id', requestId);
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const method = (req.method ?? 'GET').toUpperCase();

  // Every path, the API included: only our own Host (DNS rebinding could otherwise read training
  // customers from a web page) and, when there is an Origin, our own origin (the SDK sends none).
  if (!sameSite(em, req)) {
    const text = JSON.stringify(
      errorPayload(em, { type: 'invalid_request_error', message: 'Requests to the emulator must come from its own address (Host and Origin); cross-site requests are refused.' }, requestId),
    );
    res.writeHead(403, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }

  if (!path.startsWith('/v1/')) {
    try {
      const body = method === 'POST' ? await readBody(req) : '';
      if (path.startsWith('/_emulator/')) return await handleControl(em, req, res, method, path, body);
      if (path.startsWith('/checkout/')) return handlePage(em, req, res, method, path, query);
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(errorPayload(em, { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` }, requestId)));
    } catch (e) {
      em.config.log(`emulator: ${method} ${path} failed: ${(e as Error).stack ?? e}`);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('emulator error');
    }
    return;
  }

  const idemHeader = req.headers['idempotency-key'];
  const idemKey = typeof idemHeader === 'string' && idemHeader !== '' && method === 'POST' ? idemHeader : undefined;
  const logEntry: RequestLogEntry = { at: Date.now(), method, path, status: 0, idempotencyKey: idemKey, replayed: false, requestId };
  let apiVersion = API_VERSION;
  let inFlightKey: string | undefined;
  let fingerprint = '';

  em.requestLog.push(logEntry); // in arrival order; status is filled in when the answer is sent
  // A long training day must not grow memory without end: keep the newest entries only.
  if (em.requestLog.length > REQUEST_LOG_LIMIT * 1.2) em.requestLog.splice(0, em.requestLog.length - REQUEST_LOG_LIMIT);
  const send = (status: number, body: Obj | string, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    logEntry.status = status;
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      'Stripe-Version': apiVersion,
      // Stripe's time, as Stripe sends it: clients learn the (movable) emulator clock from it.
      Date: new Date(em.now() * 1000).toUTCString(),
      ...(idemKey ? { 'Idempotency-Key': idemKey } : {}),
      ...headers,
    });
    res.end(text);
  };
  const sendError = (e: ApiError) => send(e.status, errorPayload(em, e.body, requestId), e.headers);

  try {
    const rawBody = method === 'POST' ? await readBody(req) : '';
    const authFail = authError(req.headers.authorization);
    if (authFail) return sendError(new ApiError(authFail.status, authFail.body, { headers: { 'WWW-Authenticate': 'Bearer realm="Stripe"' } }));

    const versionHeader = req.headers['stripe-version'];
    if (typeof versionHeader === 'string' && versionHeader !== '') {
      if (!VERSION_RE.test(versionHeader)) {
        return sendError(invalid(`Invalid Stripe API version: ${versionHeader}`, { code: 'api_version_invalid' }));
      }
      apiVersion = versionHeader;
    }

    const tree = parseForm(method === 'POST' ? (rawBody || query) : query);

    // ------------------------------------------------------------ idempotency
    if (idemKey !== undefined) {
      if (idemKey.length > 255) {
        return sendError(invalid('Idempotency-Key is too long. It must be 255 characters or less.', { param: 'Idempotency-Key' }));
      }
      fingerprint = `${method} ${path} ${canonical(tree)}`;
      const prior = em.store.idem.get(idemKey);
      const inFlight = inFlightKeys.get(em);
      if (inFlight?.has(idemKey)) {
        return sendError(
          new ApiError(409, {
            type: 'idempotency_error',
            code: 'idempotency_key_in_use',
            message: 'There is currently another in-progress request using this Stripe-Idempotency-Key, please try again later.',
          }),
        );
      }
      if (prior) {
        if (prior.fingerprint !== fingerprint) {
          return sendError(
            new ApiError(400, {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idemKey}' if you meant to execute a different request.`,
            }),
          );
        }
        logEntry.replayed = true;
        return send(prior.status, prior.body, { 'Idempotent-Replayed': 'true', 'Original-Request': prior.requestId });
      }
      inFlightKey = idemKey;
      let set = inFlight;
      if (!set) {
        set = new Set();
        inFlightKeys.set(em, set);
      }
      set.add(idemKey);
    }

    // ------------------------------------------------------------ faults
    const faults = matchFaults(em, method, path);
    let lose = false;
    for (const f of faults) if (f.latencyMs) await sleep(f.latencyMs);
    for (const f of faults) {
      if (f.status500 && f.status500 > 0) {
        f.status500--;
        return sendError(new ApiError(500, { type: 'api_error', message: 'An unknown error occurred (injected by the emulator fault `status500`).' }, { storeIdempotent: false }));
      }
      let limited = false;
      if (f.rateLimit && f.rateLimit > 0) {
        f.rateLimit--;
        limited = true;
      } else if (f.rateLimitPerSecond !== undefined) {
        const now = Date.now();
        while (f.hits.length && now - f.hits[0] >= 1000) f.hits.shift();
        if (f.hits.length >= f.rateLimitPerSecond) limited = true;
        else f.hits.push(now);
      }
      if (limited) {
        return sendError(
          new ApiError(
            429,
            { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.' },
            { headers: f.rateLimitShouldRetry ? { 'Stripe-Should-Retry': 'true' } : {} },
          ),
        );
      }
      if (f.loseResponse && f.loseResponse > 0) {
        f.loseResponse--;
        lose = true;
      }
    }

    // ------------------------------------------------------------ dispatch
    const ctx: Ctx = { em, method, path, tree, id: requestId, idempotencyKey: idemKey ?? null, apiVersion };
    let status = 200;
    let body: Obj;
    let store = true;
    let extraHeaders: Record<string, string> = {};
    try {
      const found = findRoute(method, path);
      if (!found) throw invalid(`Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`, { status: 404 });
      const result = found.route.handler(ctx, ...found.params.map(decodeURIComponent));
      if ('status' in result && 'body' in result && typeof result.status === 'number') {
        status = result.status;
        body = result.body as Obj;
      } else body = result as Obj;
      const expand = tree.expand;
      if (expand && typeof expand === 'object') body = expandResponse(em, body, Object.values(expand).filter((x): x is string => typeof x === 'string'));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      status = e.status;
      body = errorPayload(em, e.body, requestId);
      store = e.storeIdempotent;
      extraHeaders = e.headers;
    }
    const text = JSON.stringify(body);
    if (inFlightKey !== undefined) {
      if (store) {
        const rec: IdemRecord = { key: inFlightKey, method, path, fingerprint, requestId, status, body: text, createdAt: Date.now() };
        em.store.rememberIdempotent(rec);
        em.touch();
      }
      inFlightKeys.get(em)?.delete(inFlightKey);
      inFlightKey = undefined;
    }
    em.flush();
    if (lose) {
      logEntry.status = 0;
      res.socket?.destroy();
      return;
    }
    send(status, text, extraHeaders);
  } catch (e) {
    if (e instanceof ApiError) return sendError(e);
    em.config.log(`emulator: internal error on ${method} ${path}: ${(e as Error).stack ?? e}`);
    if (!res.headersSent) sendError(new ApiError(500, { type: 'api_error', message: `Internal emulator error: ${(e as Error).message}` }));
    else res.destroy();
  } finally {
    // early answers (faults, errors) must not leave the key "in flight"
    if (inFlightKey !== undefined) inFlightKeys.get(em)?.delete(inFlightKey);
  }
}

const inFlightKeys = new WeakMap<Emulator, Set<string>>();

/**
 * The hosted page and the controls take no API key, and the API's answers hold training customers'
 * details, so refuse what a foreign web page could send: a Host that is not ours (DNS rebinding: a
 * name that resolves to 127.0.0.1) or an Origin that is not ours, `null` included (sandboxed
 * frames, file: pages, opaque redirects). Same rule as the browser bridge.
 */
function sameSite(em: Emulator, req: IncomingMessage): boolean {
  const ours = new URL(em.origin);
  const hosts = new Set([ours.host, `localhost:${ours.port}`, `127.0.0.1:${ours.port}`]);
  const host = req.headers.host?.toLowerCase();
  if (!host || !hosts.has(host)) return false;
  const origin = req.headers.origin;
  return origin === undefined || [...hosts].some((h) => origin.toLowerCase() === `http://${h}`);
}

function findRoute(method: string, path: string): { route: CompiledRoute; params: string[] } | undefined {
  for (const route of routes()) {
    if (route.method !== method) continue;
    const m = route.re.exec(path);
    if (m) return { route, params: m.slice(1) };
  }
  return undefined;
}
