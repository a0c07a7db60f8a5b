/**
 * The one place that decides whether a request's Host and Origin are ours.
 * The hosted page and the controls take no API key, so refuse what a foreign web page could send:
 * a POST whose Origin is another site (CSRF) or a request whose Host is not ours (DNS rebinding).
 */
import type { IncomingMessage } from 'node:http';

export function sameSite(ourOrigin: string, req: IncomingMessage): boolean {
  const ours = new URL(ourOrigin);
  const host = req.headers.host;
  if (host) {
    const allowed = [ours.host, `localhost:${ours.port}`, `127.0.0.1:${ours.port}`, `[::1]:${ours.port}`];
    if (!allowed.includes(host.toLowerCase())) return false;
  }
  const origin = req.headers.origin;
  if (origin && origin !== 'null' && req.method !== 'GET' && req.method !== 'HEAD') {
    try {
      const o = new URL(origin);
      if (o.port !== ours.port || !['127.0.0.1', 'localhost', '[::1]', ours.hostname].includes(o.hostname)) return false;
    } catch {
      return false;
    }
  }
  return true;
}
