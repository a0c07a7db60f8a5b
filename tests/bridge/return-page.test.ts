import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { CustomerRecord, SetupRecord, SettingsRecord } from '../../main/core/data';
import { mainText } from '../../main/core/i18n';
import type { Logger } from '../../main/core/ports';
import { RETURN_PAGE_CSP, returnOutcome, startReturnServer, type ReturnPageCore, type ReturnServer } from '../../main/return-page';

const quiet: Logger = { info() {}, warn() {}, error() {} };

type Setup = SetupRecord;
function makeSetup(id: string, customerId: string, status: Setup['status'] = 'open'): Setup {
  return {
    id,
    customerId,
    consentId: 'consent_1',
    checkoutSessionId: `cs_test_${id}`,
    url: 'http://127.0.0.1:1/checkout',
    status,
    expiresAt: '2030-01-01T00:00:00Z',
    createdAt: '2026-01-01T00:00:00Z',
    createdBy: { staffId: 'staff_1', name: 'Sam' },
    finishedAt: null,
    setupIntentId: null,
    paymentMethodId: null,
    mandateId: null,
    failure: null,
  };
}

/** A core stand-in whose completion sets the status the test chooses (or never finishes). */
function fakeCore(outcome: Setup['status'] | 'hang') {
  const data = {
    settings: { defaultLanguage: 'en', shopName: 'Hanamizuki <Cleaning>' } as SettingsRecord,
    customers: [
      { id: 'cust_ja', language: 'ja' },
      { id: 'cust_en', language: 'en' },
    ] as CustomerRecord[],
    setups: [makeSetup('setup_ja', 'cust_ja'), makeSetup('setup_en', 'cust_en'), makeSetup('setup_done', 'cust_en', 'succeeded')],
  };
  const completed: string[] = [];
  const canceledByCustomer: string[] = [];
  const core: ReturnPageCore = {
    async setupForReturn(setupId) {
      const setup = data.setups.find((s) => s.id === setupId);
      if (!setup) return null;
      return { status: setup.status, checkoutSessionId: setup.checkoutSessionId, language: data.customers.find((c) => c.id === setup.customerId)!.language };
    },
    defaultLanguage: () => data.settings.defaultLanguage,
    shopName: () => data.settings.shopName,
    async noteCustomerCanceled(setupId) {
      canceledByCustomer.push(setupId);
    },
    completeFromReturn(setupId) {
      completed.push(setupId);
      if (outcome === 'hang') return new Promise(() => {});
      const index = data.setups.findIndex((s) => s.id === setupId);
      data.setups[index] = { ...data.setups[index], status: outcome };
      return Promise.resolve();
    },
  };
  return { core, completed, canceledByCustomer };
}

function get(server: ReturnServer, path: string, options: { host?: string; method?: string } = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method: options.method ?? 'GET', headers: { host: options.host ?? `127.0.0.1:${server.port}` } },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let server: ReturnServer | null = null;
afterEach(async () => {
  await server?.stop();
  server = null;
});

async function start(outcome: Setup['status'] | 'hang', completionWaitMs?: number) {
  const fake = fakeCore(outcome);
  server = await startReturnServer({ logger: quiet, ...(completionWaitMs ? { completionWaitMs } : {}) });
  server.attach(fake.core);
  return { server, ...fake };
}

describe('return page', () => {
  it('provides loopback return URLs for core', async () => {
    const { server } = await start('succeeded');
    expect(server.urls.success('setup_en')).toBe(`http://127.0.0.1:${server.port}/return/success?setup=setup_en`);
    expect(server.urls.cancel('a b')).toBe(`http://127.0.0.1:${server.port}/return/cancel?setup=a%20b`);
  });

  it('completes the setup and thanks the customer in their language, with a strict CSP and no script', async () => {
    const { server, completed } = await start('succeeded');
    const page = await get(server, '/return/success?setup=setup_ja&session_id=cs_test_setup_ja');
    expect(page.status).toBe(200);
    expect(completed).toEqual(['setup_ja']);
    expect(page.body).toContain('lang="ja"');
    expect(page.body).toContain(mainText('ja', 'returnPage.succeeded'));
    expect(page.body).toContain(mainText('ja', 'returnPage.closeHint'));
    expect(page.body).not.toMatch(/<script/i);
    expect(page.headers['content-security-policy']).toBe(RETURN_PAGE_CSP);
    expect(RETURN_PAGE_CSP).toContain("default-src 'none'");
  });

  it('says failed or canceled according to the setup status after the refresh', async () => {
    const failed = await start('failed');
    expect((await get(failed.server, '/return/success?setup=setup_en')).body).toContain(mainText('en', 'returnPage.failed'));
    await failed.server.stop();
    server = null;

    const stillOpen = await start('open');
    const canceled = await get(stillOpen.server, '/return/cancel?setup=setup_en');
    expect(canceled.body).toContain(mainText('en', 'returnPage.canceled'));
    expect(stillOpen.completed).toEqual(['setup_en']);
    expect((await get(stillOpen.server, '/return/success?setup=setup_en')).body).toContain(mainText('en', 'returnPage.pending'));
  });

  it('tells the desk at once when the customer canceled on Checkout and the session is still open', async () => {
    const stillOpen = await start('open');
    await get(stillOpen.server, '/return/success?setup=setup_en');
    expect(stillOpen.canceledByCustomer).toEqual([]);
    await get(stillOpen.server, '/return/cancel?setup=setup_en');
    expect(stillOpen.canceledByCustomer).toEqual(['setup_en']);
    await stillOpen.server.stop();
    server = null;

    // canceled by staff meanwhile (or finished): nothing more to tell
    const finished = await start('canceled');
    await get(finished.server, '/return/cancel?setup=setup_en');
    expect(finished.canceledByCustomer).toEqual([]);
  });

  it('is titled with the shop’s name, escaped', async () => {
    const { server } = await start('succeeded');
    const page = await get(server, '/return/success?setup=setup_en');
    expect(page.body).toContain('<title>Hanamizuki &lt;Cleaning&gt;</title>');
    expect(page.body).toContain('<h1>Hanamizuki &lt;Cleaning&gt;</h1>');
  });

  it('does not keep the customer waiting when Stripe is slow', async () => {
    const { server, completed } = await start('hang', 300);
    const started = Date.now();
    const page = await get(server, '/return/success?setup=setup_en');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(page.status).toBe(200);
    expect(page.body).toContain(mainText('en', 'returnPage.pending'));
    expect(completed).toEqual(['setup_en']);
  });

  it('does not call Stripe again for a setup that is already finished', async () => {
    const { server, completed } = await start('failed');
    expect((await get(server, '/return/success?setup=setup_done')).body).toContain(mainText('en', 'returnPage.succeeded'));
    expect(completed).toEqual([]);
  });

  it('answers 404 for other paths, unknown setups and a session id that is not the setup’s', async () => {
    const { server, completed } = await start('succeeded');
    for (const path of ['/', '/return/success', '/return/success?setup=nope', '/return/done?setup=setup_en', '/return/success?setup=setup_en&session_id=cs_test_other']) {
      const page = await get(server, path);
      expect(page.status, path).toBe(404);
      expect(page.body).not.toContain(mainText('en', 'returnPage.succeeded'));
    }
    expect(completed).toEqual([]);
  });

  it('refuses other hosts (DNS rebinding) and methods other than GET/HEAD', async () => {
    const { server, completed } = await start('succeeded');
    expect((await get(server, '/return/success?setup=setup_en', { host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await get(server, '/return/success?setup=setup_en', { method: 'POST' })).status).toBe(405);
    expect(completed).toEqual([]);
  });

  it('uses the preferred port, or any free port when it is taken', async () => {
    const { server: first } = await start('succeeded');
    const second = await startReturnServer({ logger: quiet, port: first.port });
    try {
      expect(second.port).not.toBe(first.port);
      expect(second.port).toBeGreaterThan(0);
    } finally {
      await second.stop();
    }
    const freed = first.port;
    await first.stop();
    server = await startReturnServer({ logger: quiet, port: freed });
    expect(server.port).toBe(freed);
  });

  it('maps statuses to what the customer is told', () => {
    expect(returnOutcome('success', 'expired')).toBe('failed');
    expect(returnOutcome('cancel', 'succeeded')).toBe('succeeded');
    expect(returnOutcome('success', 'canceled')).toBe('canceled');
  });
});
