/**
 * The Stripe key may arrive in the environment (STRIPE_SECRET_KEY). Anything the app starts — the
 * system browser opener, Electron's own helpers, a sandboxed preload (Electron copies main's
 * `process.env` into it) — would inherit it from there, so each entry takes the key out once, at
 * start, before anything else runs, and children get an environment without it. No electron import.
 */

/** Variables that hold secrets only main may keep. */
export const SECRET_ENV_NAMES: readonly string[] = ['STRIPE_SECRET_KEY'];

/**
 * Returns the trimmed Stripe key from `env` (null when absent or blank) and deletes every secret
 * variable from it. On `process.env` this unsets the variable of the process itself (Node's
 * `delete process.env.X` calls unsetenv), so processes started later by native code do not get it.
 */
export function takeStripeKeyFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  const key = env.STRIPE_SECRET_KEY?.trim() || null;
  for (const name of SECRET_ENV_NAMES) delete env[name];
  return key;
}

/** A copy of `env` for a child process: everything but the secrets (PATH, DISPLAY, … stay). */
export function environmentForChild(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const copy: NodeJS.ProcessEnv = { ...env };
  for (const name of SECRET_ENV_NAMES) delete copy[name];
  return copy;
}
