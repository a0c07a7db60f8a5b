/**
 * The ONE place the Electron app opens anything outside itself (as Bitwarden's safe-shell does):
 * only URLs `isAllowedCheckoutUrl` accepts (Checkout on Stripe, or the training emulator). The
 * system browser it starts inherits main's environment, from which the entry has already removed
 * the Stripe key (secret-env.ts). End-to-end runs swap in a recording opener (test-hooks.ts).
 */
import { shell } from 'electron';
import { AppError } from './core/errors';
import { isAllowedCheckoutUrl } from './core/urls';

/** Opens `url` in the system browser if it is allowlisted; otherwise throws `url_not_allowed` and opens nothing. */
export async function openExternalSafely(url: string, allowedOrigins: readonly string[]): Promise<void> {
  if (!isAllowedCheckoutUrl(url, allowedOrigins)) {
    throw new AppError('url_not_allowed', 'This address is not one the app may open in the browser.');
  }
  await shell.openExternal(url, { activate: true });
}
