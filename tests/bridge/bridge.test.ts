/**
 * The browser bridge on real services: training mode (in-process emulator through the real SDK),
 * a temp data dir, a tiny stand-in renderer build. Checks the guards (token, Host, Origin, path),
 * the API, the event stream, the opened-URL record, and the return page finishing a real setup.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppInfo, ConsentView, CustomerDetail, CustomerView, RenderedTerms, Result, SetupView } from '../../preload/contract';
import { mainText } from '../../main/core/i18n';
import type { Logger } from '../../main/core/ports';
import { createBridgeOpener, MAX_BODY_BYTES, startBridgeServer, TOKEN_HEADER, type BridgeOpener, type BridgeServer } from '../../main/bridge-server';
import { startServices, type Services } from '../../main/services';
import { EMULATOR_API_KEY } from '../../main/emulator/index';
import { RENDERER_CSP } from '../../main/static-files';
import { completeHostedSetup, mandateParams } from '../helpers/saved-method';
import type { TestCore } from '../helpers/core';
import { openEvents, raw } from './http';

const quiet: Logger = { info() {}, warn() {}, error() {} };

let base: string;
let dataDir: string;
let services: Services;
let opener: BridgeOpener;
let bridge: BridgeServer;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'md-bridge-'));
  dataDir = join(base, 'data');
  const rendererDir = join(base, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Mandate Desk</title><script type="module" src="./assets/app.js"></script>');
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'export {}');
  await writeFile(join(base, 'secret.txt'), 'outside the renderer');
  opener = createBridgeOpener({ logger: quiet });
  services = await startServices({ dataDir, transport: 'browser', appVersion: '9.9.9-test', stripeKey: null, openUrl: opener.open, logger: quiet, pollIntervalMs: 60_000 });
  bridge = await startBridgeServer({ core: services.core, opener, rendererDir, logger: quiet, testHooks: true });
});

afterAll(async () => {
  await bridge?.stop();
  await services?.stop();
  await rm(base, { recursive: true, force: true });
});

const auth = () => ({ [TOKEN_HEADER]: bridge.token, 'content-type': 'application/json' });
/** Every invoke answer the page received, to check that none carries the Stripe key. */
const answers: string[] = [];
const invokeRaw = async (channel: string, input: unknown, headers: Record<string, string> = auth()) => {
  const response = await raw({ port: bridge.port, path: `/api/invoke/${channel}`, method: 'POST', headers, body: JSON.stringify(input) });
  answers.push(response.body);
  return response;
};
async function call<T>(channel: string, input: unknown): Promise<T> {
  const response = await invokeRaw(channel, input);
  const result = response.json<Result<T>>();
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.data;
}

describe('browser bridge', () => {
  it('listens on 127.0.0.1 only, with a long random token in the printed URL', async () => {
    expect(bridge.origin).toBe(`http://127.0.0.1:${bridge.port}`);
    expect(bridge.url).toBe(`${bridge.origin}/?token=${bridge.token}`);
    expect(bridge.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && !i.internal)
      .map((i) => i!.address);
    for (const address of ['::1', ...external]) {
      await expect(raw({ port: bridge.port, path: '/', address }), address).rejects.toThrow();
    }
  });

  it('serves the renderer with the strict CSP and without a token', async () => {
    const page = await raw({ port: bridge.port, path: '/' });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Mandate Desk</title>');
    expect(page.headers['content-security-policy']).toBe(RENDERER_CSP);
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const script = await raw({ port: bridge.port, path: '/assets/app.js' });
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('blocks path traversal out of the renderer folder', async () => {
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%2E%2E%2Fsecret.txt', '/..%5csecret.txt', '//' + join(base, 'secret.txt')]) {
      const response = await raw({ port: bridge.port, path });
      expect(response.status, path).toBe(404);
      expect(response.body).not.toContain('outside the renderer');
    }
  });

  it('requires the token for every API route', async () => {
    const noToken = await invokeRaw('app.info', {}, { 'content-type': 'application/json' });
    expect(noToken.status).toBe(403);
    expect(noToken.json()).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    const wrong = await invokeRaw('app.info', {}, { [TOKEN_HEADER]: bridge.token.slice(0, -1) + (bridge.token.endsWith('A') ? 'B' : 'A'), 'content-type': 'application/json' });
    expect(wrong.status).toBe(403);
    // the query token is for GET streams only: it does not authorize an invoke
    const queryOnly = await raw({ port: bridge.port, path: `/api/invoke/app.info?token=${bridge.token}`, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(queryOnly.status).toBe(403);
    expect((await raw({ port: bridge.port, path: '/api/events' })).status).toBe(403);
    expect((await raw({ port: bridge.port, path: '/api/test/opened-urls' })).status).toBe(403);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin, even with the token', async () => {
    for (const host of [`evil.example:${bridge.port}`, '127.0.0.1', `127.0.0.1:${bridge.port + 1}`, `127.0.0.1.evil.example:${bridge.port}`]) {
      const response = await invokeRaw('app.info', {}, { ...auth(), host });
      expect(response.status, host).toBe(403);
      expect((await raw({ port: bridge.port, path: '/', headers: { host } })).status, host).toBe(403);
    }
    for (const origin of ['http://evil.example', `http://127.0.0.1:${bridge.port + 1}`, 'null', `https://127.0.0.1:${bridge.port}`]) {
      expect((await invokeRaw('app.info', {}, { ...auth(), origin })).status, origin).toBe(403);
    }
    expect((await invokeRaw('app.info', {}, { ...auth(), origin: bridge.origin })).status).toBe(200);
    expect((await invokeRaw('app.info', {}, { ...auth(), host: `localhost:${bridge.port}`, origin: `http://localhost:${bridge.port}` })).status).toBe(200);
  });

  it('invokes core and returns its Result', async () => {
    const info = await call<AppInfo>('app.info', {});
    expect(info).toMatchObject({ mode: 'training', transport: 'browser', version: '9.9.9-test' });
    expect((await invokeRaw('no.such.call', {})).json()).toMatchObject({ ok: false, error: { code: 'unknown_channel' } });
    expect((await invokeRaw('customers.search', { query: 'x' })).json()).toMatchObject({ ok: false, error: { code: 'not_signed_in' } });
    expect((await invokeRaw('auth.signIn', { name: '', pin: '1' })).json()).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('rejects malformed bodies clearly', async () => {
    const notJson = await raw({ port: bridge.port, path: '/api/invoke/app.info', method: 'POST', headers: auth(), body: '{oops' });
    expect(notJson.status).toBe(400);
    expect(notJson.json()).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const form = await raw({ port: bridge.port, path: '/api/invoke/app.info', method: 'POST', headers: { [TOKEN_HEADER]: bridge.token, 'content-type': 'text/plain' }, body: '{}' });
    expect(form.status).toBe(415);
    const huge = await raw({ port: bridge.port, path: '/api/invoke/app.info', method: 'POST', headers: auth(), body: JSON.stringify({ x: 'a'.repeat(MAX_BODY_BYTES) }) });
    expect(huge.status).toBe(413);
    expect(huge.json()).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    // the forged call of issue 8: ~2,000 levels to an unknown channel, with only the token
    const deep = await raw({ port: bridge.port, path: '/api/invoke/no.such.call', method: 'POST', headers: auth(), body: '{"x":' + '['.repeat(2_000) + '0' + ']'.repeat(2_000) + '}' });
    expect(deep.status).toBe(400);
    expect(deep.json()).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('nested') } });
    // and core still answers afterwards
    expect((await invokeRaw('app.info', {})).json()).toMatchObject({ ok: true });
  });

  it('streams events, records the Checkout URL it was asked to open, and the return page completes the setup', async () => {
    const events = await openEvents(bridge.port, `/api/events?token=${bridge.token}`);
    expect(events.status).toBe(200);
    try {
      await call('auth.setupFirstManager', { name: 'Mina Manager', pin: '2468', shopName: 'Test Shop', shopContact: 'Main Street 1, shop@example.com' });
      await events.waitFor((f) => (f as { event: string }).event === 'auth.changed');

      const { customer } = await call<{ customer: CustomerView }>('customers.create', { name: 'Aiko Tanaka', email: 'aiko@example.com', language: 'ja' });
      const params = mandateParams();
      const terms = await call<RenderedTerms>('terms.render', { customerId: customer.id, language: 'ja', params });
      const consent = await call<ConsentView>('consents.record', {
        customerId: customer.id,
        language: 'ja',
        params,
        shownSha256: terms.sha256,
        typedName: 'Aiko Tanaka',
        accepted: true,
        staffConfirmed: true,
      });
      const setup = await call<SetupView>('setups.start', { consentId: consent.id });

      const opened = await raw({ port: bridge.port, path: '/api/test/opened-urls', headers: { [TOKEN_HEADER]: bridge.token } });
      expect(opened.json()).toEqual([setup.url]);
      expect(new URL(setup.url!).origin).toBe(services.emulator!.origin);
      const openedEvent = await events.waitFor((f) => (f as { event: string }).event === 'external.opened');
      expect(openedEvent).toEqual({ event: 'external.opened', payload: { url: setup.url } });

      await completeHostedSetup({ emulator: { origin: services.emulator!.origin } } as TestCore, setup.url!, 'authorize');
      const returnUrl = `${services.returnServer.urls.success(setup.id)}&session_id=${setup.checkoutSessionId}`;
      const page = await fetch(returnUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(mainText('ja', 'returnPage.succeeded'));

      const detail = await call<CustomerDetail>('customers.get', { customerId: customer.id });
      expect(detail.setups[0]).toMatchObject({ id: setup.id, status: 'succeeded' });
      expect(detail.savedMethods).toHaveLength(1);
      await events.waitFor((f) => (f as { event: string; payload: SetupView }).event === 'setup.updated' && (f as { payload: SetupView }).payload.status === 'succeeded');

      // The page never sees the Stripe key: not in an answer, not in an event.
      await call<AppInfo>('app.info', {});
      const seen = [...answers, ...events.frames.map((f) => JSON.stringify(f))].join('\n');
      expect(answers.length).toBeGreaterThan(5);
      expect(seen).not.toContain(EMULATOR_API_KEY);
      expect(seen).not.toMatch(/\b(sk|rk)_(test|live)_/);
    } finally {
      events.close();
    }
  });
});
