/**
 * The browser bridge (DESIGN §2): the same core served to a normal browser on 127.0.0.1 when
 * Electron is not installed. `window.api` becomes HTTP (renderer/bridge-client.ts):
 *   POST /api/invoke/:channel   JSON body = input → Result JSON   (token in x-mandate-desk-token)
 *   GET  /api/events            server-sent events `{event, payload}` (token header or ?token=)
 *   GET  /api/test/opened-urls  test-only (test-hooks.ts; only with `testHooks`): URLs the app asked to open
 *   GET  /…                     the built renderer, with the same CSP as app://
 * Every request must carry `Host: 127.0.0.1:PORT` or `localhost:PORT` (DNS rebinding) and, when it
 * has an `Origin`, our own origin (other sites). No electron import anywhere below this file.
 */
import { spawn } from 'node:child_process';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallError, EventName, Events, Result } from '../preload/contract';
import { AppError } from './core/errors';
import type { Core } from './core/index';
import type { Logger } from './core/ports';
import { isAllowedCheckoutUrl } from './core/urls';
import { loopbackHosts } from './loopback';
import { environmentForChild } from './secret-env';
import { TEST_ROUTES } from './test-hooks';
import { readStaticFile, RENDERER_HEADERS } from './static-files';

export const TOKEN_HEADER = 'x-mandate-desk-token';
/** The largest invoke body accepted (a drawn signature is up to 400 kB of base64). */
export const MAX_BODY_BYTES = 1_000_000;
/** No contract input nests anywhere near this deep; deeper JSON is refused before it reaches core. */
export const MAX_JSON_DEPTH = 32;
/**
 * Limits against a page (or a local process) that holds connections open or sends slowly: one app
 * tab needs two or three connections (the event stream, calls, files).
 */
export const BRIDGE_LIMITS = { maxConnections: 32, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 } as const;
export type BridgeLimits = { maxConnections: number; headersTimeoutMs: number; requestTimeoutMs: number };
const SSE_KEEPALIVE_MS = 15_000;

// ---------------------------------------------------------------- the URL opener

/**
 * What the bridge does instead of `shell.openExternal`: checks the allowlist, records the URL (for
 * tests, at /api/test/opened-urls) and, with `openWithSystem`, also hands it to the OS browser. Core
 * then emits `external.opened`, which the page turns into a new tab or a link.
 */
export interface BridgeOpener {
  readonly opened: readonly string[];
  open(url: string, allowedOrigins: readonly string[]): Promise<void>;
}

export function createBridgeOpener(options: { openWithSystem?: boolean; logger: Logger }): BridgeOpener {
  const opened: string[] = [];
  return {
    opened,
    async open(url, allowedOrigins) {
      if (!isAllowedCheckoutUrl(url, allowedOrigins)) throw new AppError('url_not_allowed', 'This address is not one the app may open in the browser.');
      opened.push(url);
      if (options.openWithSystem) openWithSystemBrowser(url, options.logger);
    },
  };
}

/** The platform's "open this URL in the default browser" command, as [command, args]. */
export function systemBrowserCommand(url: string, platform: NodeJS.Platform = process.platform): [string, string[]] {
  if (platform === 'darwin') return ['open', [url]];
  if (platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  return ['xdg-open', [url]];
}

function openWithSystemBrowser(url: string, logger: Logger): void {
  // Arguments as an array, never through a shell; the URL has passed the allowlist. The browser
  // gets our environment without the secrets.
  const [command, args] = systemBrowserCommand(url);
  const child = spawn(command, args, { stdio: 'ignore', detached: true, env: environmentForChild() });
  child.on('error', (error) => logger.warn('could not start the system browser', { error: String(error) }));
  child.unref();
}

// ---------------------------------------------------------------- the server

export interface BridgeServerOptions {
  core: Pick<Core, 'dispatch' | 'subscribe'>;
  opener: BridgeOpener;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** 0 or omitted: a random free port. */
  port?: number;
  /** Omitted: 32 random bytes, base64url. */
  token?: string;
  logger: Logger;
  /** Register the test-only routes (test-hooks.ts): only for e2e runs. Default false. */
  testHooks?: boolean;
  /** Omitted: BRIDGE_LIMITS (tests use small ones). */
  limits?: Partial<BridgeLimits>;
}

export interface BridgeServer {
  port: number;
  origin: string;
  token: string;
  /** The address to open: origin + `/?token=…`. */
  url: string;
  stop(): Promise<void>;
}

const forbidden = (message: string): Result<never> => ({ ok: false, error: { code: 'forbidden_sender', message } });
const failure = (error: CallError): Result<never> => ({ ok: false, error });

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  res.end(text);
}

function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

class BodyTooLarge extends Error {}

/** `application/json`, optionally with a UTF-8 charset, and nothing else (no `application/jsonx`, no other parameters). */
const JSON_CONTENT_TYPE = /^application\/json[ \t]*(?:;[ \t]*charset[ \t]*=[ \t]*(?:utf-8|"utf-8")[ \t]*)?$/i;

export function isJsonContentType(header: string | undefined): boolean {
  return header !== undefined && JSON_CONTENT_TYPE.test(header);
}

/**
 * Why a parsed body cannot be handed to core, or null. Walks the value without recursion (so a
 * deeply nested body cannot overflow the stack here): nesting beyond MAX_JSON_DEPTH, and integers
 * JSON.parse could not represent exactly (a "BigInt" such as 12345678901234567890 arrives rounded).
 */
export function unsafeJsonReason(value: unknown): string | null {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item === 'number' && (!Number.isFinite(item) || (Number.isInteger(item) && !Number.isSafeInteger(item))))
      return 'The input holds a number too large to be exact.';
    if (item === null || typeof item !== 'object') continue;
    if (depth > MAX_JSON_DEPTH) return `The input is nested more than ${MAX_JSON_DEPTH} levels deep.`;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return null;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startBridgeServer(options: BridgeServerOptions): Promise<BridgeServer> {
  const { core, opener, rendererDir, logger } = options;
  const token = options.token ?? randomBytes(32).toString('base64url');
  // Set once the server listens (before any request can arrive).
  let allowedHosts: string[] = [];
  let allowedOrigins: string[] = [];

  const eventStreams = new Set<ServerResponse>();
  const broadcast = <E extends EventName>(event: E, payload: Events[E]) => {
    const frame = `data: ${JSON.stringify({ event, payload })}\n\n`;
    for (const stream of eventStreams) stream.write(frame);
  };
  const unsubscribe = core.subscribe(broadcast);

  const tokenOf = (req: IncomingMessage, url: URL, allowQuery: boolean): string | undefined => {
    const header = req.headers[TOKEN_HEADER];
    if (typeof header === 'string') return header;
    return allowQuery ? url.searchParams.get('token') ?? undefined : undefined;
  };

  const handleEvents = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Content-Type-Options': 'nosniff',
      'X-Accel-Buffering': 'no',
    });
    res.write(': connected\n\n');
    eventStreams.add(res);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), SSE_KEEPALIVE_MS);
    keepAlive.unref();
    req.on('close', () => {
      clearInterval(keepAlive);
      eventStreams.delete(res);
    });
  };

  const handleInvoke = async (req: IncomingMessage, res: ServerResponse, channel: string) => {
    // Exactly JSON: a JSON content type makes a cross-site request need a CORS preflight, which we never grant.
    if (!isJsonContentType(req.headers['content-type']))
      return sendJson(res, 415, failure({ code: 'invalid_input', message: 'Send the input as application/json (charset utf-8 if any).' }));
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      res.setHeader('Connection', 'close');
      return sendJson(res, 413, failure({ code: 'invalid_input', message: 'The input is too large.' }));
    }
    let text: string;
    try {
      text = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLarge) return sendJson(res, 413, failure({ code: 'invalid_input', message: 'The input is too large.' }));
      throw error;
    }
    let input: unknown;
    try {
      input = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      return sendJson(res, 400, failure({ code: 'invalid_input', message: 'The input is not valid JSON.' }));
    }
    const unsafe = unsafeJsonReason(input);
    if (unsafe) return sendJson(res, 400, failure({ code: 'invalid_input', message: unsafe }));
    sendJson(res, 200, await core.dispatch(channel, input));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const host = req.headers.host ?? '';
    if (!allowedHosts.includes(host)) return sendJson(res, 403, forbidden('Unexpected Host header.'));
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins.includes(origin)) return sendJson(res, 403, forbidden('Requests from other sites are refused.'));
    const url = new URL(req.url ?? '/', `http://${host}`);
    const path = url.pathname;

    if (path.startsWith('/api/')) {
      const isGet = req.method === 'GET';
      if (!sameSecret(tokenOf(req, url, isGet), token)) return sendJson(res, 403, forbidden('Missing or wrong token.'));
      const invoke = /^\/api\/invoke\/([^/]+)$/.exec(path);
      if (invoke && req.method === 'POST') {
        let channel: string;
        try {
          channel = decodeURIComponent(invoke[1]);
        } catch {
          return sendJson(res, 400, failure({ code: 'unknown_channel', message: 'Malformed channel name.' }));
        }
        return handleInvoke(req, res, channel);
      }
      if (path === '/api/events' && isGet) return handleEvents(req, res);
      if (options.testHooks && path === TEST_ROUTES.openedUrls && isGet) return sendJson(res, 200, [...opener.opened]);
      return sendJson(res, 404, failure({ code: 'not_found', message: 'No such API route.' }));
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' });
      return res.end();
    }
    const file = await readStaticFile(rendererDir, path);
    if (!file) {
      res.writeHead(404, { ...RENDERER_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end('Not found');
    }
    res.writeHead(200, { ...RENDERER_HEADERS, 'Content-Type': file.contentType, 'Cache-Control': 'no-cache', 'X-Frame-Options': 'DENY' });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  };

  const limits: BridgeLimits = { ...BRIDGE_LIMITS, ...options.limits };
  const server = createServer(
    {
      // a slow sender gets 408 and is closed: headers, then the whole request (body included)
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        logger.error('bridge request failed', { path: (req.url ?? '').split('?')[0], error: String(error) });
        if (!res.headersSent) sendJson(res, 500, failure({ code: 'internal', message: 'The bridge failed to answer.' }));
        else res.end();
      });
    },
  );
  // Connections beyond the cap are closed at once (Node emits 'drop').
  server.maxConnections = limits.maxConnections;
  server.on('drop', () => logger.warn('bridge connection refused: too many open connections', { max: limits.maxConnections }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  allowedHosts = loopbackHosts(port);
  allowedOrigins = allowedHosts.map((host) => `http://${host}`);
  const origin = `http://127.0.0.1:${port}`;

  return {
    port,
    origin,
    token,
    url: `${origin}/?token=${token}`,
    stop: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        for (const stream of eventStreams) stream.end();
        eventStreams.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
