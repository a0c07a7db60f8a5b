/**
 * The test-only surface (as Heroic's `addTestOnlyListener`): what an end-to-end run needs and a
 * shipped app must not have, declared in one place. An e2e run asks for it with MANDATE_DESK_E2E=1;
 * only an app that is not packaged honours the request (Electron: `app.isPackaged` is false; the
 * browser bridge is a development tool that is never packaged), or the packaged TEST build, whose
 * package.json electron-builder.e2e.yml marks with `"mandateDeskTestBuild": true` (inside app.asar,
 * next to the code it would take to change anything else). Otherwise nothing below is registered.
 * No electron import.
 *
 * Hooks:
 * - opened URLs: the URLs the app would open in the system browser are recorded instead of opened
 *   (after the same allowlist check). Electron: `globalThis.__mandateDeskOpened`, read with
 *   `electronApp.evaluate(() => globalThis.__mandateDeskOpened)`; bridge: `GET /api/test/opened-urls`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from './core/errors';
import { isAllowedCheckoutUrl } from './core/urls';

declare global {
  var __mandateDeskOpened: string[] | undefined;
}

export const E2E_ENV = 'MANDATE_DESK_E2E';
/** Bridge routes that exist only with test hooks on (token still required). */
export const TEST_ROUTES = { openedUrls: '/api/test/opened-urls' } as const;

/** The package.json field that makes a packaged build a test build (set only by electron-builder.e2e.yml). */
export const TEST_BUILD_MARKER = 'mandateDeskTestBuild';

/** True when the app's own package.json (in app.asar when packaged) carries the test-build marker. */
export function isMarkedTestBuild(appPath: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(appPath, 'package.json'), 'utf8')) as Record<string, unknown>)[TEST_BUILD_MARKER] === true;
  } catch {
    return false;
  }
}

/** True only when an e2e run asks for the hooks AND the app is not packaged (or is the packaged test build). */
export function testHooksEnabled(env: NodeJS.ProcessEnv, where: { packaged: boolean; testBuild?: boolean }): boolean {
  return env[E2E_ENV] === '1' && (!where.packaged || where.testBuild === true);
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
