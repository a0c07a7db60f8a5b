/**
 * The one place that decides whether a request's Host and Origin are ours, for every path (the
 * API included, since its answers hold training customers' details): a Host that is not ours
 * (DNS rebinding: a name that resolves to 127.0.0.1) or an Origin that is not ours, `null`
 * included (sandboxed frames, file: pages, opaque redirects), is refused. Same rule as the
 * browser bridge. The SDK sends no Origin.
 */
import type { IncomingMessage } from 'node:http';

export function sameSite(ourOrigin: string, req: IncomingMessage): boolean {
  const ours = new URL(ourOrigin);
  const hosts = new Set([ours.host, `localhost:${ours.port}`, `127.0.0.1:${ours.port}`]);
  const host = req.headers.host?.toLowerCase();
  if (!host || !hosts.has(host)) return false;
  const origin = req.headers.origin;
  return origin === undefined || [...hosts].some((h) => origin.toLowerCase() === `http://${h}`);
}
