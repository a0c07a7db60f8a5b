/**
 * The browser-bridge entry (built to out/main/browser.js; run by `npm run start:browser`). Runs the
 * same services as the Electron app in plain Node and serves the renderer on 127.0.0.1.
 * Never imports electron (directly or through anything it imports).
 *
 * Flags: --port=N (default random), --data-dir=PATH (also MANDATE_DESK_DATA_DIR; default
 * ~/.mandate-desk-browser), --open-external (also open Checkout with the system browser),
 * --renderer-dir=PATH (default: out/renderer next to this file).
 * Environment: STRIPE_SECRET_KEY (none → training mode; taken out of the environment at start, so the
 * system browser opener never inherits it), MANDATE_DESK_EMULATOR_URL, MANDATE_DESK_E2E=1 (the
 * test-only routes of test-hooks.ts).
 * Prints exactly one line on stdout: `Mandate Desk (<mode> mode) is running at http://127.0.0.1:PORT/?token=…`.
 * A start-up failure (a busy --port is checked first, before anything starts) is one line on stderr,
 * in the system's language, and exit code 1.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createBridgeOpener, startBridgeServer } from './bridge-server';
import { createLogger } from './logger';
import { ensurePrivateDir } from './private-file';
import { takeStripeKeyFromEnv } from './secret-env';
import { testHooksEnabled } from './test-hooks';
import { assertPortFree } from './port-check';
import { argValue, hasFlag, LOG_FILE, modeDataDir, resolveDataDir, startServices, StartupError } from './services';
import { createPlainSecretSlot, SMTP_PASSWORD_FILE } from './secret-file';
import { startupErrorText, systemLanguage } from './startup-text';

// Before anything else: no child process may inherit the key.
const stripeKeyFromEnv = takeStripeKeyFromEnv();
const here = import.meta.dirname;

function appVersion(): string {
  for (const candidate of [join(here, '..', '..', 'package.json'), join(process.cwd(), 'package.json')]) {
    try {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'mandate-desk' && pkg.version) return pkg.version;
    } catch {
      // try the next place
    }
  }
  return '0.0.0';
}

function portArg(argv: readonly string[]): number {
  const raw = argValue(argv, 'port');
  if (raw === undefined) return 0;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new StartupError('bad_arguments', `--port must be a number from 0 to 65535, not ${raw}.`);
  return port;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const port = portArg(argv);
  // before the data folder, the emulator or the return page: a busy port then leaves nothing behind
  await assertPortFree(port);
  const dataDir = resolveDataDir(argv, process.env, join(homedir(), '.mandate-desk-browser'));
  const rendererDir = resolve(argValue(argv, 'renderer-dir') ?? join(here, '..', 'renderer'));
  ensurePrivateDir(dataDir); // before the log or anything else is written there
  const logger = createLogger({ file: join(dataDir, LOG_FILE) });
  const opener = createBridgeOpener({ openWithSystem: hasFlag(argv, 'open-external'), logger });

  const services = await startServices({
    dataDir,
    transport: 'browser',
    appVersion: appVersion(),
    stripeKey: stripeKeyFromEnv,
    emulatorUrl: process.env.MANDATE_DESK_EMULATOR_URL ?? null,
    openUrl: (url, allowed) => opener.open(url, allowed),
    logger,
    // no OS keyring here: a 0600 file in the 0700 data folder (README: E-mail)
    smtpPassword: (mode) => createPlainSecretSlot(join(modeDataDir(dataDir, mode), SMTP_PASSWORD_FILE)),
  });
  // The bridge is a development tool, never packaged: MANDATE_DESK_E2E=1 alone turns the test hooks on.
  const testHooks = testHooksEnabled(process.env, { packaged: false });
  const bridge = await startBridgeServer({ core: services.core, opener, rendererDir, port, logger, testHooks });
  process.stdout.write(`Mandate Desk (${services.mode} mode) is running at ${bridge.url}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping the browser bridge', { signal });
    await bridge.stop();
    await services.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`${startupErrorText(error, systemLanguage())}\n`);
  process.exit(1);
});
