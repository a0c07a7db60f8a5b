/**
 * Local Stripe emulator (training mode and tests). Plain Node, self-contained.
 * This file is the composition: engine ← resources ← http, wired here and nowhere else.
 * See README.md in this folder for endpoints, test controls and magic amounts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Emulator, type RequestLogEntry as CoreRequestLogEntry } from './engine/emulator.js';
import { createControls, type EmulatorControls } from './http/controls.js';
import { createRouter } from './http/router.js';
import { handleRequest } from './http/server.js';
import { RESOURCES } from './resources/index.js';

export type { EmulatorControls, PaymentOutcome, PaymentOutcomeSpec } from './http/controls.js';
export type { FaultSpec } from './engine/emulator.js';
export type { WebhookDelivery } from './engine/webhooks.js';
export { MAGIC as MAGIC_AMOUNTS, API_VERSION as EMULATOR_API_VERSION } from './engine/emulator.js';

export interface EmulatorOptions {
  port?: number; // 0/undefined = random free port
  host?: string; // default '127.0.0.1' (never bind anything else by default)
  statePath?: string; // if set: load state from this JSON file at start, save atomically after every change
  log?: (line: string) => void;
}

export type RequestLogEntry = CoreRequestLogEntry;

export interface RunningEmulator {
  origin: string; // e.g. 'http://127.0.0.1:43123'
  host: string;
  port: number;
  requestLog: RequestLogEntry[]; // every /v1 request, in order
  controls: EmulatorControls; // programmatic test controls (same as the HTTP /_emulator routes)
  stop(): Promise<void>;
  reset(): Promise<void>; // wipe state + logs + faults
}

/** Any `sk_test_` / `rk_test_` key is accepted; this one is what the app uses in training mode. */
export const EMULATOR_API_KEY = 'sk_test_emulator_51MandateDeskTrainingMode';

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const em = new Emulator({ statePath: options.statePath, log, resources: RESOURCES });
  const router = createRouter(RESOURCES);
  const server = createServer((req, res) => {
    handleRequest(em, router, req, res).catch((e: unknown) => {
      log(`emulator: unhandled error: ${(e as Error)?.stack ?? String(e)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // the SDK keeps connections alive; don't close idle ones under it
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  await listen(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  em.start(origin);

  let stopped = false;
  const running: RunningEmulator = {
    origin,
    host,
    port,
    requestLog: em.requestLog,
    controls: createControls(em),
    async stop() {
      if (stopped) return;
      stopped = true;
      em.stopTimers();
      em.flush();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    async reset() {
      em.reset();
    },
  };
  log(`Stripe emulator listening on ${origin}`);
  return running;
}
