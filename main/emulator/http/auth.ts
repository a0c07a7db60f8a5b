/** API keys (any `sk_test_` / `rk_test_` key) and the Stripe-Version header, answered as Stripe does. */
import { ApiError, invalid } from '../engine/errors.js';

const API_KEY_RE = /^(sk|rk)_test_[A-Za-z0-9_]{1,247}$/;
const VERSION_RE = /^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/;

function unauthorized(message: string): ApiError {
  return new ApiError(401, { type: 'invalid_request_error', message }, { headers: { 'WWW-Authenticate': 'Bearer realm="Stripe"' } });
}

/** The 401 for a missing or bad `Authorization` header, or null when the key is acceptable. */
export function authError(header: string | undefined): ApiError | null {
  if (!header) {
    return unauthorized(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    );
  }
  let key: string;
  const sp = header.indexOf(' ');
  const scheme = sp < 0 ? header : header.slice(0, sp);
  const rest = sp < 0 ? '' : header.slice(sp + 1).trim();
  if (/^bearer$/i.test(scheme)) key = rest;
  else if (/^basic$/i.test(scheme)) {
    key = Buffer.from(rest, 'base64').toString('utf8').split(':')[0];
  } else {
    return unauthorized("Invalid authorization header. Use Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').");
  }
  if (API_KEY_RE.test(key)) return null;
  const masked = key.length > 8 ? `${key.slice(0, key.indexOf('_', 3) + 1 || 3)}${'*'.repeat(Math.max(4, key.length - 12))}${key.slice(-4)}` : key;
  return unauthorized(`Invalid API Key provided: ${masked}`);
}

/** The API version the request asks for (header), or `fallback`; a malformed one is a 400. */
export function requestedVersion(header: string | string[] | undefined, fallback: string): string {
  if (typeof header !== 'string' || header === '') return fallback;
  if (!VERSION_RE.test(header)) throw invalid(`Invalid Stripe API version: ${header}`, { code: 'api_version_invalid' });
  return header;
}
