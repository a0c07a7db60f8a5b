/**
 * The renderer is served from `app://mandate-desk/…` (a privileged, standard, secure scheme), not
 * from file:// (DESIGN §7). Files come from `out/renderer` through the shared path guard, each with
 * the strict CSP.
 */
import { protocol, type Protocol } from 'electron';
import { readStaticFile, RENDERER_HEADERS } from './static-files';

const APP_SCHEME = 'app';
const APP_HOST = 'mandate-desk';
const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: false } },
  ]);
}

/** True for URLs of our own renderer: scheme `app:` and host `mandate-desk` exactly. */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    // Non-special schemes have an opaque origin ("null") in WHATWG URL, so compare the parts.
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

const notFound = () => new Response('Not found', { status: 404, headers: { ...RENDERER_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });

/** The `app://` request handler: GET/HEAD of a file under `rendererDir`, else 404/405. */
export function createAppProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('Method not allowed', { status: 405, headers: { Allow: 'GET, HEAD' } });
    if (!isAppUrl(request.url)) return notFound();
    const file = await readStaticFile(rendererDir, new URL(request.url).pathname);
    if (!file) return notFound();
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(file.body), {
      status: 200,
      headers: { ...RENDERER_HEADERS, 'Content-Type': file.contentType, 'Cache-Control': 'no-cache' },
    });
  };
}

export function installAppProtocol(target: Pick<Protocol, 'handle'>, rendererDir: string): void {
  target.handle(APP_SCHEME, createAppProtocolHandler(rendererDir));
}
