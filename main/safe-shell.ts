/**
 * The ONE place the Electron app opens anything outside itself (as Bitwarden's safe-shell does):
 * only URLs `isAllowedCheckoutUrl` accepts (Checkout on Stripe, or the training emulator).
 *
 * End-to-end hook: with MANDATE_DESK_E2E=1 the URL is recorded instead of opened, in
 * `globalThis.__mandateDeskOpened` (a string array, oldest first), which a Playwright test reads with
 * `electronApp.evaluate(() => globalThis.__mandateDeskOpened)`.
 */
import { shell } from 'electron';
import { AppError } from './core/errors';
import { isAllowedCheckoutUrl } from './core/urls';

declare global {
  var __mandateDeskOpened: string[] | undefined;
}

const E2E_ENV = 'MANDATE_DESK_E2E';

export function isE2eRun(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[E2E_ENV] === '1';
}

/** Opens `url` in the system browser if it is allowlisted; otherwise throws `url_not_allowed` and opens nothing. */
export async function openExternalSafely(url: string, allowedOrigins: readonly string[]): Promise<void> {
  if (!isAllowedCheckoutUrl(url, allowedOrigins)) {
    throw new AppError('url_not_allowed', 'This address is not one the app may open in the browser.');
  }
  if (isE2eRun()) {
    (globalThis.__mandateDeskOpened ??= []).push(url);
    return;
  }
  await shell.openExternal(url, { activate: true });
}
