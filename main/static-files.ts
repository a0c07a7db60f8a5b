/**
 * Serving the built renderer (`out/renderer`), shared by the `app://` protocol (Electron) and the
 * browser bridge: one path guard, one content-type table, one CSP. No electron import.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** The renderer's Content-Security-Policy (DESIGN §7), sent with every renderer response. */
export const RENDERER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'";

/** Headers every renderer file gets, whatever the transport. */
export const RENDERER_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': RENDERER_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps a URL pathname (still percent-encoded, as it arrives) to a file under `root`, or null when
 * the path tries to leave it: `..` in any form (`%2e%2e`, `%2E%2E`, `.%2e`), backslashes, NUL,
 * absolute or drive-letter paths, undecodable escapes. `/` means `index.html`.
 */
export function resolveStaticPath(root: string, rawPathname: string): string | null {
  if (rawPathname.includes('\0') || rawPathname.includes('\\')) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.includes('%')) return null;
  const inner = decoded.startsWith('/') ? decoded.slice(1) : decoded;
  if (inner.startsWith('/') || /^[a-zA-Z]:/.test(inner) || isAbsolute(inner)) return null;
  const segments = inner.split('/');
  if (segments.some((segment) => segment === '..' || segment === '.')) return null;
  const relativePath = inner === '' || inner.endsWith('/') ? `${inner}index.html` : inner;
  const absoluteRoot = resolve(root);
  const full = resolve(join(absoluteRoot, relativePath));
  const rel = relative(absoluteRoot, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  return full;
}

export interface StaticFile { body: Buffer; contentType: string }

/**
 * Reads what `resolveStaticPath` allowed; null when missing, not a file, or when a symlink inside
 * the root points outside it.
 */
export async function readStaticFile(root: string, rawPathname: string): Promise<StaticFile | null> {
  const path = resolveStaticPath(root, rawPathname);
  if (!path) return null;
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(path)]);
    if (!realFile.startsWith(realRoot + sep)) return null;
    if (!(await stat(realFile)).isFile()) return null;
    return { body: await readFile(realFile), contentType: contentTypeFor(realFile) };
  } catch {
    return null;
  }
}
