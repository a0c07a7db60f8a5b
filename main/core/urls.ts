/**
 * The external-URL allowlist (DESIGN §7). Core checks every Checkout URL with it before asking the
 * system browser to open it; the Electron shell reuses it for `shell.openExternal`.
 */

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The origin of an allowlist entry, or null when the entry is not a usable origin. */
function originOf(entry: string): string | null {
  try {
    const parsed = new URL(entry);
    return parsed.origin === 'null' ? null : parsed.origin;
  } catch {
    return null;
  }
}

/**
 * True when `url` may be opened: it parses, has no user info, its origin (protocol + host + port)
 * is exactly one of `allowedOrigins`, and it is https — plain http only for a loopback origin that
 * is explicitly listed (the training-mode emulator). Prefix or substring tests are never used, so
 * `https://checkout.stripe.com.evil.com` and `https://evil.com/checkout.stripe.com` are refused.
 */
export function isAllowedCheckoutUrl(url: string, allowedOrigins: readonly string[]): boolean {
  // The URL parser silently drops tabs/newlines and trims spaces; the raw string is what gets
  // handed to the OS, so refuse anything it would have had to clean up.
  if (typeof url !== 'string' || /\s/.test(url) || [...url].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username !== '' || parsed.password !== '') return false;
  if (parsed.protocol === 'http:') {
    if (!LOOPBACK_HOSTS.has(parsed.hostname)) return false;
  } else if (parsed.protocol !== 'https:') {
    return false;
  }
  return allowedOrigins.some((entry) => originOf(entry) === parsed.origin);
}
