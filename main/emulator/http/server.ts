/**
 * HTTP front of the emulator. `/v1/…` goes through one pipeline: request log → body → auth → version →
 * idempotency → faults → route → expansion → answer. Everything else is the hosted page or the controls.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_VERSION, type Ctx, type Emulator, type RequestLogEntry, type Upload } from '../engine/emulator.js';
import { ApiError, docUrl, invalid, type ErrorBody } from '../engine/errors.js';
import { expandResponse } from '../engine/expand.js';
import { newId } from '../engine/ids.js';
import { parseForm } from '../engine/params.js';
import type { Obj } from '../engine/store.js';
import { authError, requestedVersion } from './auth.js';
import { isMultipart, MAX_UPLOAD_BODY, parseMultipart, readBody } from './body.js';
import { handleControl } from './controls.js';
import { applyFaults } from './faults.js';
import { beginIdempotent, type IdempotentRequest } from './idempotency.js';
import { handlePage } from './page.js';
import type { Router } from './router.js';
import { sameSite } from './same-site.js';

const NO_UPLOADS: ReadonlyMap<string, Upload> = new Map();
const NO_FAULT = { loseResponse: false } as const;

/** How many requests `requestLog` keeps (the newest). */
export const REQUEST_LOG_LIMIT = 10_000;

interface Answer {
  status: number;
  body: Obj;
  /** file contents instead of JSON */
  raw?: { data: Buffer; contentType: string };
  /** whether an idempotency key keeps this answer for replay */
  keep: boolean;
  headers: Record<string, string>;
}

function errorPayload(em: Emulator, e: ErrorBody, requestId: string): Obj {
  const body: Obj = { ...e };
  if (e.code && !body.doc_url) body.doc_url = docUrl(e.code);
  body.request_log_url = `${em.origin}/_emulator/requests/${requestId}`;
  return { error: body };
}

export async function handleRequest(em: Emulator, router: Router, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = newId('req');
  res.setHeader('Request-Id', requestId);
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const method = (req.method ?? 'GET').toUpperCase();
  if (!sameSite(em.origin, req)) {
    const text = JSON.stringify(
      errorPayload(em, { type: 'invalid_request_error', message: 'Requests to the emulator must come from its own address (Host and Origin); cross-site requests are refused.' }, requestId),
    );
    res.writeHead(403, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  if (path.startsWith('/v1/')) return handleApi(em, router, req, res, { requestId, method, path, query });
  return handleSite(em, req, res, { requestId, method, path, query });
}

interface RequestLine {
  requestId: string;
  method: string;
  path: string;
  query: string;
}

/** The hosted test page and the controls (no API key: `sameSite` was checked first). */
async function handleSite(em: Emulator, req: IncomingMessage, res: ServerResponse, { requestId, method, path, query }: RequestLine): Promise<void> {
  try {
    const body = method === 'POST' ? (await readBody(req)).toString('utf8') : '';
    if (path.startsWith('/_emulator/')) return await handleControl(em, req, res, method, path, body);
    if (path.startsWith('/checkout/')) return handlePage(em, req, res, method, path, query);
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(errorPayload(em, { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` }, requestId)));
  } catch (e) {
    em.config.log(`emulator: ${method} ${path} failed: ${(e as Error).stack ?? e}`);
    if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end('emulator error');
  }
}

function logRequest(em: Emulator, entry: RequestLogEntry): RequestLogEntry {
  em.requestLog.push(entry); // in arrival order; status is filled in when the answer is sent
  // A long training day must not grow memory without end: keep the newest entries only.
  if (em.requestLog.length > REQUEST_LOG_LIMIT * 1.2) em.requestLog.splice(0, em.requestLog.length - REQUEST_LOG_LIMIT);
  return entry;
}

async function handleApi(em: Emulator, router: Router, req: IncomingMessage, res: ServerResponse, { requestId, method, path, query }: RequestLine): Promise<void> {
  const idemHeader = req.headers['idempotency-key'];
  const idemKey = typeof idemHeader === 'string' && idemHeader !== '' && method === 'POST' ? idemHeader : undefined;
  const logEntry = logRequest(em, { at: Date.now(), method, path, status: 0, idempotencyKey: idemKey, replayed: false, requestId });
  let apiVersion = API_VERSION;
  const reply = (status: number, text: string, headers: Record<string, string> = {}) => {
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

  let idem: IdempotentRequest | undefined;
  try {
    const multipart = method === 'POST' && isMultipart(req);
    const rawBody = method === 'POST' ? await readBody(req, multipart ? MAX_UPLOAD_BODY : undefined) : undefined;
    const authFail = authError(req.headers.authorization);
    if (authFail) throw authFail;
    apiVersion = requestedVersion(req.headers['stripe-version'], API_VERSION);
    const { tree, uploads } = multipart ? await parseMultipart(req, rawBody!) : { tree: parseForm(rawBody?.length ? rawBody.toString('utf8') : query), uploads: NO_UPLOADS };
    if (idemKey !== undefined) {
      idem = beginIdempotent(em, idemKey, method, path, tree);
      if (idem.replay) {
        logEntry.replayed = true;
        return reply(idem.replay.status, idem.replay.body, { 'Idempotent-Replayed': 'true', 'Original-Request': idem.replay.requestId });
      }
    }
    // no faults set (the usual case): no extra await on the hot path
    const { loseResponse } = em.faults.length ? await applyFaults(em, method, path) : NO_FAULT;
    const answer = dispatch(router, { em, method, path, tree, uploads, id: requestId, idempotencyKey: idemKey ?? null, apiVersion });
    if (answer.raw) {
      logEntry.status = answer.status;
      res.writeHead(answer.status, { 'Content-Type': answer.raw.contentType, 'Content-Length': answer.raw.data.length, 'Stripe-Version': apiVersion });
      res.end(answer.raw.data);
      return;
    }
    const text = JSON.stringify(answer.body);
    if (idem && answer.keep) idem.finish({ status: answer.status, body: text, requestId });
    em.flush();
    if (loseResponse) {
      logEntry.status = 0;
      res.socket?.destroy();
      return;
    }
    reply(answer.status, text, answer.headers);
  } catch (e) {
    // answered before the handler ran (auth, version, idempotency, faults): nothing is kept for replay
    if (e instanceof ApiError) return reply(e.status, JSON.stringify(errorPayload(em, e.body, requestId)), e.headers);
    em.config.log(`emulator: internal error on ${method} ${path}: ${(e as Error).stack ?? e}`);
    if (!res.headersSent) reply(500, JSON.stringify(errorPayload(em, { type: 'api_error', message: `Internal emulator error: ${(e as Error).message}` }, requestId)));
    else res.destroy();
  } finally {
    idem?.release();
  }
}

/** Run the matching handler; its Stripe-shaped errors become answers (kept for replay when execution had begun). */
function dispatch(router: Router, ctx: Ctx): Answer {
  const { em, method, path, tree } = ctx;
  try {
    const found = router.find(method, path);
    if (!found) throw invalid(`Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`, { status: 404 });
    const result = found.route.handler(ctx, ...found.params.map(decodeURIComponent));
    if ('raw' in result && Buffer.isBuffer(result.raw)) return { status: result.status, body: {}, raw: { data: result.raw, contentType: result.contentType }, keep: false, headers: {} };
    let status = 200;
    let body: Obj;
    if ('status' in result && 'body' in result && typeof result.status === 'number') {
      status = result.status;
      body = result.body as Obj;
    } else body = result as Obj;
    const expand = tree.expand;
    if (expand && typeof expand === 'object') body = expandResponse(em, body, Object.values(expand).filter((x): x is string => typeof x === 'string'));
    return { status, body, keep: true, headers: {} };
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return { status: e.status, body: errorPayload(em, e.body, ctx.id!), keep: e.storeIdempotent, headers: e.headers };
  }
}
