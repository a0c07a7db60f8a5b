/**
 * The test-only surface (as Heroic's `addTestOnlyListener`): what an end-to-end run needs and a
 * shipped app must not have, declared in one place. An e2e run asks for it with MANDATE_DESK_E2E=1;
 * only an app that is not packaged honours the request (Electron: `app.isPackaged` is false; the
 * browser bridge is a development tool that is never packaged). Otherwise nothing below is
 * registered. No electron import.
 *
 * Hooks:
 * - opened URLs: the URLs the app would open in the system browser are recorded instead of opened
 *   (after the same allowlist check). Electron: `globalThis.__mandateDeskOpened`, read with
 *   `electronApp.evaluate(() => globalThis.__mandateDeskOpened)`; bridge: `GET /api/test/opened-urls`.
 */
import { AppError } from './core/errors';
import { isAllowedCheckoutUrl } from './core/urls';

declare global {
  var __mandateDeskOpened: string[] | undefined;
}

export const E2E_ENV = 'MANDATE_DESK_E2E';
/** Bridge routes that exist only with test hooks on (token still required). */
export const TEST_ROUTES = { openedUrls: '/api/test/opened-urls' } as const;

/** True only when an e2e run asks for the hooks AND the app is not a packaged one. */
export function testHooksEnabled(env: NodeJS.ProcessEnv, where: { packaged: boolean }): boolean {
  return !where.packaged && env[E2E_ENV] === '1';
}

export type ExternalOpener = (url: string, allowedOrigins: readonly string[]) => Promise<void>;

/** Electron's test opener: checks the allowlist like the real one, then records into globalThis.__mandateDeskOpened. */
export function installRecordingOpener(): ExternalOpener {
  globalThis.__mandateDeskOpened = [];
  return async (url, allowedOrigins) => {
    if (!isAllowedCheckoutUrl(url, allowedOrigins)) throw new AppError('url_not_allowed', 'This address is not one the app may open in the browser.');
    (globalThis.__mandateDeskOpened ??= []).push(url);
  };
}
